"""Write the jieba user dictionary for Rasa's JiebaTokenizer from the knowledge base.

Reads every ``knowledge/data/items/*.yaml`` (keys ``name`` and ``aliases``) with plain YAML,
adds a small fixed list of domain words (aspect words, places, common item fragments), and writes
``data/jieba/userdict.txt`` (one ``word freq`` per line, sorted, deterministic).

Runs in either virtualenv (needs only PyYAML):

    .venv-rasa/bin/python scripts/rasa_userwords.py            # write
    .venv-rasa/bin/python scripts/rasa_userwords.py --check    # exit 1 when the file is stale

``config.yml`` points ``JiebaTokenizer.dictionary_path`` at the ``data/jieba`` directory.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
ITEMS_DIR = ROOT / "knowledge" / "data" / "items"
OUT_FILE = ROOT / "data" / "jieba" / "userdict.txt"

# Words jieba should keep whole whatever the knowledge base holds: aspect words, places, sub-items.
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
)

_SPLIT = re.compile(r"[\s（）()【】\[\]/、，,]+")
# Aliases are sometimes phrased as requests ("办卫生许可证", "开个诊所"): keeping the verb in a user
# word would glue it to the item name, so the verb is dropped and only the name is added.
_LEADING_VERBS = ("我要", "我想", "想", "办理", "办个", "办", "开个", "开一家", "开家", "开", "申请", "领取", "领")


def _strip_verb(name: str) -> str:
    stripped = True
    while stripped:
        stripped = False
        for verb in _LEADING_VERBS:
            if name.startswith(verb) and len(name) - len(verb) >= 2:
                name, stripped = name[len(verb) :], True
                break
    return name


def _words_of(name: str) -> Iterable[str]:
    """The name (without a leading verb) plus its parts around brackets/slashes."""
    name = _strip_verb(name.strip())
    if not name:
        return
    yield name
    for part in _SPLIT.split(name):
        if len(part) >= 2:
            yield part


def collect_words(items_dir: Path = ITEMS_DIR) -> set[str]:
    words: set[str] = set(FIXED_WORDS)
    for path in sorted(items_dir.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            logger.warning("skipping %s: %s", path.name, exc)
            continue
        if not isinstance(data, dict):
            continue
        names = [data.get("name") or ""]
        names.extend(a for a in (data.get("aliases") or []) if isinstance(a, str))
        for name in names:
            if isinstance(name, str):
                words.update(w for w in _words_of(name) if len(w) >= 2)
    return words


def render(words: set[str]) -> str:
    # A high frequency makes jieba keep the word whole; jieba ignores words containing spaces.
    lines = [f"{w} 2000" for w in sorted(words) if " " not in w]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=Path, default=ITEMS_DIR)
    parser.add_argument("--out", type=Path, default=OUT_FILE)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file would change")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    text = render(collect_words(args.items))
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
