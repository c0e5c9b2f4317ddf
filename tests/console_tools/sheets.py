"""Spreadsheets built in the tests: xlsx with openpyxl (optionally with a cached formula value), csv."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence

from bot.console.tools.sheet_columns import LABEL

Row = Sequence[str | None]

FIELDS = [
    "name",
    "sub_item",
    "implementing_body",
    "legal_basis",
    "conditions",
    "materials",
    "statutory_time_limit",
    "promised_time_limit",
    "fee",
    "location",
    "hours",
    "phone",
    "online",
    "result",
    "validity",
    "source_url",
]
HEADERS = [LABEL[f] for f in FIELDS]  # the labels the import documents (bot/console/tools/sheet_columns.py)


def xlsx(rows: Sequence[Row], headers: Sequence[str] = HEADERS) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_cached_value(data: bytes, cell: str, value: str) -> bytes:
    """The xlsx with `cell`'s formula given a cached string value (what Excel writes after calculating)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = body.decode("utf-8")
                pattern = re.compile(rf'<c r="{cell}"><f>(.*?)</f><v\s*/>')
                text, count = pattern.subn(lambda m: f'<c r="{cell}" t="str"><f>{m.group(1)}</f><v>{value}</v>', text)
                assert count == 1, "the formula cell was not found"
                body = text.encode("utf-8")
            target.writestr(info, body)
    return out.getvalue()


def csv_bytes(rows: Sequence[Row], *, encoding: str, headers: Sequence[str] = HEADERS) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if c is None else c for c in row])
    return text.getvalue().encode(encoding)


def row(name: str = "护士执业注册", **cells: str | None) -> list[str | None]:
    """A row in HEADERS order; keyword names are the header labels' field keys below."""
    keys = ["name", "sub_item", "body", "basis", "conditions", "materials", "statutory", "promised"]
    keys += ["fee", "location", "hours", "phone", "online", "result", "validity", "source"]
    defaults: dict[str, str | None] = {
        "name": name,
        "sub_item": "首次注册",
        "body": "某市卫生健康委员会",
        "basis": "《护士条例》",
        "conditions": "1. 具有完全民事行为能力\n2. 通过护士执业资格考试",
        "materials": "护士执业注册申请审核表；身份证明",
        "statutory": "20个工作日",
        "promised": "5个工作日",
        "fee": "不收费",
        "location": None,
        "hours": None,
        "phone": None,
        "online": None,
        "result": "护士执业证书",
        "validity": "5年",
        "source": "https://zwfw.example.gov.cn/guide/1",
    }
    defaults.update(cells)
    return [defaults[k] for k in keys]
