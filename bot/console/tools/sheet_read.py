"""Read an uploaded spreadsheet (xlsx or csv) into a header and rows of text cells, never evaluating.

xlsx is read with openpyxl twice over the same bytes: once for the cached values (`data_only=True`),
once to see which cells hold formulas. A formula cell with a cached value gives that value; one without
(a file written by a program that never calculated it) marks the cell, and the row fails. csv may be
UTF-8 (with or without BOM) or GB18030; a csv cell starting with "=" is refused the same way, since a
spreadsheet program would evaluate it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import zipfile
from dataclasses import dataclass, field

from bot.console.tools import texts

logger = logging.getLogger(__name__)

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
FORMULA = object()
"""Marks a cell whose value would need evaluating (no cached value, or a csv cell starting with '=')."""

Cell = str | None


class SheetError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list[Cell]]]  # (row number as the spreadsheet shows it, cells)
    formula_cells: set[tuple[int, int]] = field(default_factory=set)  # (row number, column index)
    kind: str = "csv"


def _text(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def read_sheet(filename: str, data: bytes, *, max_rows: int, max_unzipped: int) -> Sheet:
    if not data.strip():
        raise SheetError(texts.FILE_EMPTY)
    name = filename.lower()
    if data.startswith(XLS_MAGIC) or name.endswith(".xls"):
        raise SheetError(texts.FILE_XLS)
    if data.startswith(XLSX_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        sheet = _read_xlsx(data, max_unzipped)
    else:
        sheet = _read_csv(data)
    if not sheet.headers or not any(sheet.headers):
        raise SheetError(texts.FILE_NO_HEADER)
    if not sheet.rows:
        raise SheetError(texts.FILE_NO_ROWS)
    if len(sheet.rows) > max_rows:
        raise SheetError(texts.FILE_TOO_MANY_ROWS.format(limit=max_rows))
    return sheet


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise SheetError(texts.FILE_NOT_SHEET)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError(texts.FILE_NOT_SHEET)


def _read_csv(data: bytes) -> Sheet:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise SheetError(texts.FILE_NOT_SHEET) from exc
    sheet = Sheet(headers=[], rows=[], kind="csv")
    for number, record in enumerate(records, start=1):
        cells = [_text(c) for c in record]
        if not any(cells):
            continue
        if not sheet.headers:
            sheet.headers = [c or "" for c in cells]
            continue
        for index, cell in enumerate(cells):
            if cell is not None and cell.startswith("="):
                sheet.formula_cells.add((number, index))
        sheet.rows.append((number, cells))
    return sheet


def _check_zip(data: bytes, max_unzipped: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SheetError(texts.FILE_BROKEN_XLSX.format(detail=type(exc).__name__)) from exc
    if total > max_unzipped:
        raise SheetError(texts.FILE_TOO_BIG_UNZIPPED)
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
        raise SheetError(texts.FILE_BROKEN_XLSX.format(detail="no worksheet"))


def _read_xlsx(data: bytes, max_unzipped: int) -> Sheet:
    import openpyxl  # only when a spreadsheet arrives

    _check_zip(data, max_unzipped)
    try:
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        logger.info("xlsx refused: %s", type(exc).__name__)
        raise SheetError(texts.FILE_BROKEN_XLSX.format(detail=type(exc).__name__)) from exc
    try:
        sheet = Sheet(headers=[], rows=[], kind="xlsx")
        value_rows = values.worksheets[0].iter_rows(values_only=True)
        formula_rows = formulas.worksheets[0].iter_rows(values_only=True)
        for number, (row, raw) in enumerate(zip(value_rows, formula_rows, strict=False), start=1):
            cells = [_text(v) for v in row]
            for index, original in enumerate(raw):
                formula = isinstance(original, str) and original.startswith("=")
                if formula and index < len(cells) and cells[index] is None:  # no cached value: refuse
                    sheet.formula_cells.add((number, index))
            if not any(cells) and not any((number, i) in sheet.formula_cells for i in range(len(cells))):
                continue
            if not sheet.headers:
                sheet.headers = [c or "" for c in cells]
                continue
            sheet.rows.append((number, cells))
        return sheet
    except SheetError:
        raise
    except Exception as exc:
        raise SheetError(texts.FILE_BROKEN_XLSX.format(detail=type(exc).__name__)) from exc
    finally:
        values.close()
        formulas.close()
