"""Write the jieba user dictionary for Rasa's JiebaTokenizer: a fixed, generic vocabulary.

The words are this domain's general terms (aspect words, sub-items, document and service kinds),
never the knowledge base's item names or aliases: those change in the console without a Rasa retrain
(the knowledge engine matches item names itself; Rasa only needs the kind of question). The file
``data/jieba/userdict.txt`` is committed; this script regenerates or checks it:

    .venv-rasa/bin/python scripts/rasa_userwords.py            # write
    .venv-rasa/bin/python scripts/rasa_userwords.py --check    # exit 1 when the file is stale

``config.yml`` points ``JiebaTokenizer.dictionary_path`` at the ``data/jieba`` directory.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
OUT_FILE = ROOT / "data" / "jieba" / "userdict.txt"

# Words jieba should keep whole: aspect words, sub-items, generic kinds of service and document.
FIXED_WORDS: tuple[str, ...] = (
    "办不成事",
    "推来推去",
    "告知承诺",
    "告知承诺制",
    "一件事一次办",
    "一业一证",
    "好差评",
    "首次注册",
    "延续注册",
    "变更注册",
    "注销注册",
    "首次签发",
    "补发",
    "换发",
    "补办",
    "新办",
    "延续",
    "申请材料",
    "办结时限",
    "法定办结时限",
    "承诺办结时限",
    "收费标准",
    "办理地点",
    "办理时间",
    "受理条件",
    "设定依据",
    "办理流程",
    "网上办理",
    "有效期",
    "结果名称",
    "咨询电话",
    "政务服务网",
    "政务服务中心",
    "小程序",
    "工作日",
    "转人工",
    "人工客服",
    "护士",
    "医师",
    "执业注册",
    "卫生许可",
    "卫生许可证",
    "出生证",
    "光荣证",
    "诊所备案",
    "出生一件事",
    "两个免于提交",
    "诊所备案制",
    "多点执业",
    "多机构执业",
    "医疗机构",
    "执业登记",
    "设置审批",
    "许可证",
    "备案",
    "审批",
    "证明",
    "登记",
    "注册",
    "换证",
    "注销",
    "诊所",
    "医院",
    "证书",
    "办理",
    "材料",
    "时限",
    "费用",
    "多少钱",
    "多久",
    "在哪里办",
)


def collect_words() -> set[str]:
    """The fixed vocabulary (independent of the knowledge base)."""
    return set(FIXED_WORDS)


def render(words: set[str]) -> str:
    # A high frequency makes jieba keep the word whole; jieba ignores words containing spaces.
    lines = [f"{w} 2000" for w in sorted(words) if " " not in w]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_FILE)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file would change")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    text = render(collect_words())
    current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    if args.check:
        if text != current:
            logger.error("%s is stale; run scripts/rasa_userwords.py", args.out)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    logger.info("wrote %d words to %s", text.count("\n"), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
