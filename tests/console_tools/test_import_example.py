"""The shipped example spreadsheet: generated from knowledge/data (no invented facts) and importable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.console.documents import read_folder
from bot.console.tools.import_plan import ImportDefaults, Importer, plan_import
from bot.console.tools.sheet_columns import map_headers
from bot.console.tools.sheet_read import read_sheet
from knowledge.loader import knowledge_root, load_items
from scripts.import_example import HEADERS, example_rows

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.mark.parametrize("name", ["guides-import-example.xlsx", "guides-import-example.csv"])
def test_the_example_is_the_curated_data_and_imports_without_errors(name: str) -> None:
    sheet = read_sheet(name, (EXAMPLES / name).read_bytes(), max_rows=100, max_unzipped=10_000_000)
    assert sheet.headers == HEADERS
    assert [[c or "" for c in cells] for _, cells in sheet.rows] == example_rows(load_items())  # regenerate if not
    assert len(sheet.rows) >= 3
    snapshot = read_folder(knowledge_root())
    offices = {code: doc.get("office") for code, doc in snapshot.items.items()}
    plan = plan_import(
        sheet,
        map_headers(sheet.headers),
        snapshot.items,
        ImportDefaults(region=None, today=dt.date(2026, 3, 2), filename=name),
        Importer(office=None, any_office=True),
        offices,
    )
    assert [e for r in plan.rows for e in r.errors] == []
    assert {r.action for r in plan.rows} == {"replace_guide"}  # each row restates a guide already curated
