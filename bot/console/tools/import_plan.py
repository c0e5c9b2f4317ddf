"""From spreadsheet rows to item documents: the per-row report and the drafts an import would save.

Pure: no database. The caller hands in the current documents (an open draft wins over the published
one), the importing user's office and the defaults from the upload form; `plan_import` returns, per row,
what it would do and every error (row number, column, message), and per item the new document. A row
with any error contributes nothing; an item some of whose rows failed keeps only its valid rows.

One row is one guide: its item is found by code ("事项编码") or by name or alias ("事项名称"); within the
item, a guide of the same region and sub-item is replaced (keeping its id and FAQ), else a new guide is
added. Rows never publish anything: the caller saves each document as a draft.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from bot.console.tools import texts
from bot.console.tools.sheet_columns import (
    LABEL,
    LIST_FIELDS,
    TIME_LIMIT_FIELDS,
    ColumnMap,
    split_list,
    time_limit_error,
    working_days,
)
from bot.console.tools.sheet_read import Sheet
from knowledge.schema import Guide, Trust
from knowledge.validate import normalise_name

CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
GUIDE_FIELDS = (
    "sub_item",
    "item_type",
    "implementing_body",
    "legal_basis",
    "conditions",
    "materials",
    "process",
    "statutory_time_limit",
    "promised_time_limit",
    "fee",
    "location",
    "hours",
    "phone",
    "complaint_phone",
    "online",
    "result",
    "validity",
    "commitment",
    "notes",
    "info_date",
)
TRUST_WORDS = {"official": "official", "官方": "official", "reproduction": "reproduction", "转载": "reproduction"}
TRUST_WORDS |= {"weak": "weak", "低可信": "weak", "低": "weak"}

Validator = Callable[[str, dict[str, Any]], list[tuple[str, str]]]
"""(code, document) → [(path, message)]: the store's own rules, applied to each changed document."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the column's Chinese label ("" when the row as a whole)
    message: str


@dataclass
class RowResult:
    row: int
    name: str
    item_code: str | None = None
    sub_item: str | None = None
    region: str | None = None
    guide_id: str | None = None
    action: Literal["new_item", "new_guide", "replace_guide", "none"] = "none"
    time_limits: dict[str, int] = field(default_factory=dict)  # field → working days
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportDefaults:
    region: str | None
    today: dt.date
    source_url: str | None = None
    source_title: str | None = None
    trust: str = Trust.official.value
    filename: str = ""


@dataclass(frozen=True)
class Importer:
    """Who imports: an editor only into their own office; reviewers and admins into any."""

    office: str | None
    any_office: bool


@dataclass
class ImportPlan:
    rows: list[RowResult]
    documents: dict[str, dict[str, Any]]  # item code → the document to save as a draft
    ignored_columns: list[str]

    @property
    def valid_rows(self) -> int:
        return sum(r.ok for r in self.rows)


def guide_id(code: str, region: str, sub_item: str | None) -> str:
    digest = hashlib.sha1(f"{region}|{sub_item or ''}".encode()).hexdigest()[:8]
    return f"{code}.import-{digest}"


def _same_sub_item(a: str | None, b: str | None) -> bool:
    return normalise_name(a or "") == normalise_name(b or "")


class _Planner:
    def __init__(
        self,
        sheet: Sheet,
        columns: ColumnMap,
        items: dict[str, dict[str, Any]],
        defaults: ImportDefaults,
        importer: Importer,
        offices: dict[str, str | None],
    ) -> None:
        self.sheet = sheet
        self.offices = offices
        self.columns = columns
        self.items = items
        self.defaults = defaults
        self.importer = importer
        self.by_name = {normalise_name(n): code for code, d in items.items() for n in _names(d)}
        self.documents: dict[str, dict[str, Any]] = {}
        self.seen: dict[tuple[str, str, str], int] = {}
        self.row_of_guide: dict[str, list[int]] = {}

    def cell(self, cells: list[str | None], name: str) -> str | None:
        index = self.columns.index.get(name)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def has(self, name: str) -> bool:
        return name in self.columns.index

    def plan_row(self, number: int, cells: list[str | None]) -> RowResult:
        name = self.cell(cells, "name") or ""
        result = RowResult(row=number, name=name)

        def fail(column: str, message: str) -> None:
            result.errors.append(RowError(number, LABEL.get(column, column), message))

        for fname, index in self.columns.index.items():
            if (number, index) in self.sheet.formula_cells:
                fail(fname, texts.ROW_FORMULA if self.sheet.kind == "xlsx" else texts.ROW_FORMULA_CSV)
        if result.errors:
            return result
        if not name:
            fail("name", texts.ROW_NAME_EMPTY)
            return result
        code, document = self.resolve_item(cells, name, fail)
        region = self.cell(cells, "region") or self.defaults.region
        if not region:
            fail("region", texts.REGION_REQUIRED)
        for fname in TIME_LIMIT_FIELDS:
            value = self.cell(cells, fname)
            if value is not None:
                error = time_limit_error(value)
                if error:
                    fail(fname, error)
                else:
                    result.time_limits[fname] = working_days(value) or 0
        source = self.source(cells, fail)
        if code is None or document is None or region is None or source is None or result.errors:
            return result
        sub_item = self.cell(cells, "sub_item")
        key = (code, region, normalise_name(sub_item or ""))
        if key in self.seen:
            fail("sub_item", texts.ROW_DUPLICATE.format(row=self.seen[key]))
            return result
        self.seen[key] = number
        guide, replaced = self.guide(document, code, region, sub_item, cells, source)
        try:
            Guide.model_validate(guide)
        except ValidationError as exc:
            for err in exc.errors():
                column = str(err["loc"][0]) if err["loc"] else ""
                fail(column, err["msg"])
            return result
        result.item_code, result.sub_item, result.region, result.guide_id = code, sub_item, region, guide["id"]
        result.action = "new_item" if code not in self.items else ("replace_guide" if replaced else "new_guide")
        guides = document.setdefault("guides", [])
        if replaced:
            guides[:] = [guide if g.get("id") == guide["id"] else g for g in guides]
        else:
            guides.append(guide)
        self.documents[code] = document
        self.row_of_guide.setdefault(code, []).append(number)
        return result

    def resolve_item(
        self, cells: list[str | None], name: str, fail: Callable[[str, str], None]
    ) -> tuple[str | None, dict[str, Any] | None]:
        given = self.cell(cells, "code")
        by_name = self.by_name.get(normalise_name(name))
        if given is not None and not CODE.match(given):
            fail("code", texts.ROW_BAD_CODE.format(code=given))
            return None, None
        known = self.items.get(given or "")
        if known is not None and normalise_name(name) not in {normalise_name(n) for n in _names(known)}:
            fail("code", texts.ROW_CODE_NAME_MISMATCH.format(code=given, other=known.get("name")))
            return None, None
        code = given or by_name
        if code is not None and (code in self.items or code in self.documents):
            document = self.documents.get(code) or copy.deepcopy(self.items[code])
            office = self.offices.get(code) or document.get("office")
            if not self.importer.any_office and office != self.importer.office:
                fail("name", texts.ROW_OTHER_OFFICE.format(name=name, office=office or "—", mine=self.importer.office))
                return None, None
            return code, document
        category = self.cell(cells, "category")
        if code is None or category is None:
            fail("name", texts.ROW_UNKNOWN_ITEM.format(name=name))
            return None, None
        office = self.cell(cells, "office") or self.importer.office
        if not office:
            fail("office", texts.ROW_NO_OFFICE)
            return None, None
        if not self.importer.any_office and office != self.importer.office:
            fail("office", texts.ROW_OTHER_OFFICE.format(name=name, office=office, mine=self.importer.office))
            return None, None
        document = {"code": code, "name": name, "office": office, "aliases": [], "category": category, "guides": []}
        self.by_name[normalise_name(name)] = code
        return code, document

    def source(self, cells: list[str | None], fail: Callable[[str, str], None]) -> dict[str, Any] | None:
        url = self.cell(cells, "source_url") or self.defaults.source_url
        if not url:
            fail("source_url", texts.ROW_NO_SOURCE)
            return None
        if not url.startswith(("http://", "https://")):
            fail("source_url", texts.ROW_BAD_URL)
            return None
        trust_text = self.cell(cells, "source_trust")
        trust = TRUST_WORDS.get(trust_text.strip().lower(), "") if trust_text else self.defaults.trust
        if trust not in {t.value for t in Trust}:
            fail("source_trust", texts.TRUST_UNKNOWN)
            return None
        title = self.cell(cells, "source_title") or self.defaults.source_title or url
        note = texts.IMPORT_NOTE.format(filename=self.defaults.filename) if self.defaults.filename else None
        return {"title": title, "url": url, "trust": trust, "note": note}

    def guide(
        self,
        document: dict[str, Any],
        code: str,
        region: str,
        sub_item: str | None,
        cells: list[str | None],
        source: dict[str, Any],
    ) -> tuple[dict[str, Any], bool]:
        existing = next(
            (
                g
                for g in document.get("guides", [])
                if g.get("region") == region and _same_sub_item(g.get("sub_item"), sub_item)
            ),
            None,
        )
        guide: dict[str, Any] = copy.deepcopy(existing) if existing else {}
        if not existing:
            guide |= {"id": guide_id(code, region, sub_item), "faq": [], "materials_complete": True}
        guide |= {"region": region, "national": False, "status": "active"}
        for fname in GUIDE_FIELDS:
            if not self.has(fname) and existing:
                continue  # a column the sheet does not have keeps the guide's value
            value = self.cell(cells, fname)
            if fname in LIST_FIELDS and value is not None:
                entries = split_list(value)
                guide[fname] = [{"name": e} for e in entries] if fname == "materials" else entries
            else:
                guide[fname] = value
        guide["sources"] = [source]
        guide["last_verified"] = self.defaults.today.isoformat()
        flag = texts.IMPORT_FLAG.format(date=self.defaults.today.isoformat())
        guide["curator_flags"] = [f for f in guide.get("curator_flags", []) if not f.startswith("表格导入")] + [flag]
        return guide, existing is not None


def _names(document: dict[str, Any]) -> list[str]:
    return [str(document.get("name") or ""), *[str(a) for a in document.get("aliases") or []]]


def plan_import(
    sheet: Sheet,
    columns: ColumnMap,
    items: dict[str, dict[str, Any]],
    defaults: ImportDefaults,
    importer: Importer,
    offices: dict[str, str | None] | None = None,
    validate: Validator | None = None,
) -> ImportPlan:
    """`items`: the current document per item code; `offices`: each item's owning office (an item's own
    `office` field, else the routing table's); `validate`: the store's rules for a whole document."""
    planner = _Planner(sheet, columns, items, defaults, importer, offices or {})
    rows = [planner.plan_row(number, cells) for number, cells in sheet.rows]
    documents = planner.documents
    if validate is not None:  # the store's rules over each whole document; errors go to its rows
        by_row = {r.row: r for r in rows}
        for code in list(documents):
            problems = validate(code, documents[code])
            if not problems:
                continue
            for number in planner.row_of_guide.get(code, []):
                for path, message in problems:
                    by_row[number].errors.append(RowError(number, path, message))
            del documents[code]
    return ImportPlan(rows=rows, documents=documents, ignored_columns=columns.ignored)
