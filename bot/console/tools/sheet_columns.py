"""The standard 办事指南 columns, their common header variants, and how each cell becomes a schema field.

`COLUMNS` maps a field of the knowledge schema (or an import-only field such as `name`, `code`,
`office`, `source_url`) to the headers that mean it. Headers are compared after NFKC, with spaces,
asterisks and bracketed remarks ("申请材料（必填）") removed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.console.tools import texts

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("事项名称", "事项", "服务事项名称", "事项名", "办事事项", "政务服务事项名称"),
    "sub_item": ("子项", "子项名称", "业务办理项", "办理项", "子项事项"),
    "implementing_body": ("实施机关", "实施主体", "实施机构", "办理机关", "受理机关"),
    "legal_basis": ("设定依据", "法律依据", "办理依据", "依据"),
    "conditions": ("受理条件", "申请条件", "办理条件", "受理标准"),
    "materials": ("申请材料", "所需材料", "申报材料", "材料", "申请材料目录"),
    "statutory_time_limit": ("法定办结时限", "法定时限", "法定期限", "法定办理时限"),
    "promised_time_limit": ("承诺办结时限", "承诺时限", "承诺期限", "承诺办理时限"),
    "fee": ("收费", "收费标准", "是否收费", "收费情况", "收费依据及标准"),
    "location": ("地点", "办理地点", "受理地点", "办公地点"),
    "hours": ("时间", "办理时间", "受理时间", "办公时间"),
    "phone": ("电话", "咨询电话", "联系电话", "咨询方式"),
    "online": ("网上办理", "网办", "在线办理", "网上办理地址", "是否网办"),
    "result": ("结果", "结果名称", "审批结果", "办理结果", "审批结果名称"),
    "validity": ("有效期", "证件有效期", "结果有效期", "审批结果有效期"),
    # optional
    "item_type": ("事项类型",),
    "process": ("办理流程", "流程"),
    "complaint_phone": ("监督投诉电话", "投诉电话", "监督电话"),
    "commitment": ("是否告知承诺", "告知承诺"),
    "notes": ("备注",),
    "info_date": ("信息时间", "更新时间"),
    "region": ("地区", "区域", "适用地区", "行政区划"),
    "code": ("事项编码", "事项代码", "编码"),
    "category": ("类别", "事项类别", "分类"),
    "office": ("责任科室", "所属科室", "科室", "主管科室"),
    "source_title": ("来源标题", "来源名称"),
    "source_url": ("来源链接", "来源网址", "来源", "来源地址"),
    "source_trust": ("来源可信度",),
}
REQUIRED = ("name", "materials", "statutory_time_limit", "promised_time_limit")
LIST_FIELDS = ("conditions", "materials", "process")
TIME_LIMIT_FIELDS = ("statutory_time_limit", "promised_time_limit")
LABEL = {f: headers[0] for f, headers in COLUMNS.items()}

_REMARK = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")


def header_key(header: str) -> str:
    text = unicodedata.normalize("NFKC", header)
    text = _REMARK.sub("", text)
    return re.sub(r"[\s*＊:：]", "", text)


_BY_HEADER = {header_key(h): f for f, headers in COLUMNS.items() for h in headers}


@dataclass
class ColumnMap:
    index: dict[str, int]  # field -> column index
    ignored: list[str]  # headers nobody maps
    missing: list[str]  # required fields absent (their Chinese labels)
    duplicate: str | None = None


def map_headers(headers: list[str]) -> ColumnMap:
    index: dict[str, int] = {}
    ignored: list[str] = []
    duplicate = None
    for i, header in enumerate(headers):
        key = header_key(header)
        if not key:
            continue
        field = _BY_HEADER.get(key)
        if field is None:
            ignored.append(header)
        elif field in index:
            duplicate = duplicate or header
        else:
            index[field] = i
    missing = [LABEL[f] for f in REQUIRED if f not in index]
    return ColumnMap(index=index, ignored=ignored, missing=missing, duplicate=duplicate)


# ---- cells ------------------------------------------------------------------------------------------

_TIME_LIMIT = re.compile(r"^(?:(\d{1,3})\s*个?\s*工作日内?|(即办|即时办结|当场办结|当场办理))(?:\s*[（(].*[）)])?$")
_NUMBERING = re.compile(r"^\s*(?:\d{1,2}\s*[.、．)）]|[（(]\d{1,2}[）)]|[①-⑳]|[-•·])\s*")
_LIST_SPLIT = re.compile(r"\n+|[；;]\s*(?=\S)")


def working_days(value: str) -> int | None:
    """The working days a time limit states ("20个工作日" → 20, "即办" → 0); None when it does not."""
    match = _TIME_LIMIT.match(unicodedata.normalize("NFKC", value).strip())
    if match is None:
        return None
    return int(match.group(1)) if match.group(1) else 0


def time_limit_error(value: str) -> str | None:
    return None if working_days(value) is not None else texts.ROW_TIME_LIMIT.format(value=value)


def split_list(value: str) -> list[str]:
    """A cell holding a list (one entry per line, or separated by ；), with its numbering removed."""
    parts = [_NUMBERING.sub("", p).strip() for p in _LIST_SPLIT.split(value)]
    return [p for p in parts if p]
