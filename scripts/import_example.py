"""Write the example import spreadsheet (docs/examples/) from guides already in knowledge/data.

    python -m scripts.import_example [--out docs/examples]

Every cell is copied from a curated guide (nothing invented): the rows are the regional guides whose
time limits are stated in working days. Importing the file therefore proposes drafts that restate
those guides (a reviewer sees them in the diff); it shows the columns, not new facts.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
from pathlib import Path

from bot.console.tools.sheet_columns import LABEL, working_days
from knowledge.loader import load_items
from knowledge.schema import Guide, ServiceItem

FIELDS = [
    "name",
    "sub_item",
    "region",
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
    "source_title",
    "source_url",
    "source_trust",
]
HEADERS = [LABEL[f] for f in FIELDS]  # the import's own canonical column labels (sheet_columns.COLUMNS)
FIXED_TIME = dt.datetime(2026, 1, 1)  # the workbook's metadata, so the file is the same on each run


def _usable(guide: Guide) -> bool:
    limits = (guide.statutory_time_limit, guide.promised_time_limit)
    return (
        not guide.national
        and guide.status.value == "active"
        and bool(guide.materials)
        and any(limits)
        and all(v is None or working_days(v) is not None for v in limits)
    )


def example_rows(items: list[ServiceItem]) -> list[list[str]]:
    rows = []
    for item in items:
        for guide in item.guides:
            if not _usable(guide):
                continue
            materials = [f"{m.name}（{m.note}）" if m.note else m.name for m in guide.materials or []]
            source = guide.sources[0]
            cells = [
                item.name,
                guide.sub_item,
                guide.region,
                guide.implementing_body,
                guide.legal_basis,
                "\n".join(guide.conditions or []) or None,
                "\n".join(materials),
                guide.statutory_time_limit,
                guide.promised_time_limit,
                guide.fee,
                guide.location,
                guide.hours,
                guide.phone,
                guide.online,
                guide.result,
                guide.validity,
                source.title,
                source.url,
                source.trust.value,
            ]
            rows.append([c or "" for c in cells])
    return rows


def write(out: Path) -> tuple[Path, Path]:
    import openpyxl

    rows = example_rows(load_items())
    out.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "办事指南"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.properties.created = book.properties.modified = FIXED_TIME
    xlsx_path = out / "guides-import-example.xlsx"
    book.save(xlsx_path)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    csv_path = out / "guides-import-example.csv"
    csv_path.write_bytes(text.getvalue().encode("utf-8-sig"))
    return xlsx_path, csv_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/examples"))
    for path in write(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
