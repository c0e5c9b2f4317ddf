"""Console tools API: bulk import of a region's service guides from a spreadsheet.

    POST /api/console/import[?dry_run=1]   multipart: file (xlsx/csv), region?, source_url?, source_title?, trust?

The upload is refused with 413 from its Content-Length before the body is read, or as soon as the
streamed body passes the limit (`CONSOLE_IMPORT_MAX_BYTES`). A file that cannot be read as a whole
(empty, not xlsx/csv, broken zip, missing required columns) is a 400 that changes nothing. Otherwise
the answer is the per-row report; valid rows are saved as drafts (one per item, author = the user),
never published, and a dry run saves nothing. Editors import only into their own office's items.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from bot.console import drafts, errors, review, roles, versions
from bot.console.deps import CONSOLE_DEPENDENCIES, ConsoleUser
from bot.console.router_tools import Today, store_snapshot
from bot.console.tools import texts
from bot.console.tools.config import get_tools_settings
from bot.console.tools.import_plan import ImportDefaults, Importer, ImportPlan, RowError, plan_import
from bot.console.tools.schemas import ImportDraftOut, ImportOut, ImportRowOut, RowErrorOut
from bot.console.tools.sheet_columns import LABEL, map_headers
from bot.console.tools.sheet_read import SheetError, read_sheet
from bot.db import get_session
from bot.pii import mask_text
from knowledge.config import get_settings as knowledge_settings
from knowledge.schema import Trust

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/console", tags=["console-tools"], dependencies=CONSOLE_DEPENDENCIES)
SessionDep = Annotated[Session, Depends(get_session)]
UPLOAD_PATH = "/api/console/import"
"""Exempt from the app-wide body limit (bot/core/security.py): this route enforces its own."""
FORM_ALLOWANCE = 64 * 1024  # multipart boundaries and the small form fields, beyond the file itself
_GUIDE_PATH = re.compile(r"^guides\.\d+\.(\w+)")


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
    region: str | None
    source_url: str | None
    source_title: str | None
    trust: str
    submit: bool  # submit the saved drafts for review at once


def _too_large(limit: int) -> HTTPException:
    return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, texts.FILE_TOO_LARGE.format(limit=limit))


def _field(form: Any, name: str, max_length: int = 200) -> str | None:
    value = form.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value[:max_length] or None


async def read_upload(request: Request) -> Upload:
    """The multipart upload, read no further than the size limit allows."""
    limit = get_tools_settings().import_max_bytes
    allowance = limit + FORM_ALLOWANCE
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > allowance:
        raise _too_large(limit)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, texts.FILE_BAD_FORM)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > allowance:
            raise _too_large(limit)

    async def whole() -> AsyncGenerator[bytes, None]:
        yield bytes(body)

    try:
        form = await MultiPartParser(request.headers, whole(), max_files=1, max_fields=10).parse()
    except MultiPartException as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, texts.FILE_BAD_FORM) from exc
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, texts.FILE_NO_FILE)
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    trust = _field(form, "trust") or Trust.official.value
    if trust not in {t.value for t in Trust}:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, texts.TRUST_UNKNOWN)
    return Upload(
        filename=mask_text((upload.filename or "upload")[-120:]).text,  # kept in notes and logs: masked
        data=data,
        region=_field(form, "region", 40),
        source_url=_field(form, "source_url", 500),
        source_title=_field(form, "source_title"),
        trust=trust,
        submit=_field(form, "submit") in ("1", "true", "on"),
    )


def _column(path: str) -> str:
    match = _GUIDE_PATH.match(path)
    return LABEL.get(match.group(1), path) if match else path


def _store_rules(db: Session) -> Any:
    def check(code: str, document: dict[str, Any]) -> list[tuple[str, str]]:
        try:
            drafts.check_document(db, "item", code, document)
        except errors.DraftInvalid as exc:
            return [(_column(e.path), e.message) for e in exc.errors]
        return []

    return check


def _rows_of(plan: ImportPlan, code: str) -> list[int]:
    return [r.row for r in plan.rows if r.item_code == code and r.ok]


def _save(db: Session, plan: ImportPlan, user: ConsoleUser, filename: str, submit: bool) -> list[ImportDraftOut]:
    saved = []
    by_row = {r.row: r for r in plan.rows}
    for code, document in plan.documents.items():
        rows = _rows_of(plan, code)
        note = texts.IMPORT_DRAFT_NOTE.format(filename=filename, rows="、".join(str(n) for n in rows))
        try:
            open_draft = versions.open_draft(db, "item", code)
            revision = open_draft.revision if open_draft is not None else None
            draft = drafts.save_draft(db, code, document, author=user.username, base_revision=revision, note=note)
            if submit:
                draft = review.submit_draft(db, draft.id, actor=user)
        except errors.StoreError as exc:  # another editor saved this item meanwhile: its rows are not imported
            db.rollback()
            for number in rows:
                by_row[number].errors.append(RowError(number, "", exc.message))
            continue
        saved.append(
            ImportDraftOut(item_code=code, draft_id=draft.id, revision=draft.revision, status=draft.status, rows=rows)
        )
    return saved


@router.post("/import", response_model=ImportOut)
def import_sheet(
    user: ConsoleUser,
    db: SessionDep,
    day: Today,
    upload: Annotated[Upload, Depends(read_upload)],
    dry_run: bool = False,
) -> ImportOut:
    settings = get_tools_settings()
    try:
        sheet = read_sheet(
            upload.filename,
            upload.data,
            max_rows=settings.import_max_rows,
            max_unzipped=settings.import_max_unzipped_bytes,
        )
    except SheetError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
    columns = map_headers(sheet.headers)
    if columns.missing:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, texts.FILE_MISSING_COLUMNS.format(columns="、".join(columns.missing))
        )
    if columns.duplicate:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, texts.FILE_DUPLICATE_COLUMN.format(column=columns.duplicate))
    snapshot = store_snapshot(versions.draft_snapshot, db)  # an open draft is the item's latest document
    items = dict(snapshot.items)
    defaults = ImportDefaults(
        region=upload.region or knowledge_settings().region,
        today=day,
        source_url=upload.source_url,
        source_title=upload.source_title,
        trust=upload.trust,
        filename=upload.filename,
    )
    importer = Importer(office=user.office, any_office=roles.can_review(user))
    offices = {code: roles.document_office(doc) for code, doc in items.items()}
    plan = plan_import(sheet, columns, items, defaults, importer, offices, _store_rules(db))
    if dry_run:
        drafts = [
            ImportDraftOut(item_code=c, draft_id=None, revision=None, status=None, rows=_rows_of(plan, c))
            for c in plan.documents
        ]
    else:
        drafts = _save(db, plan, user, upload.filename, upload.submit)
    logger.info(
        "import by %s (%s): %d rows, %d valid, %d drafts%s",
        user.username,
        upload.filename,
        len(plan.rows),
        plan.valid_rows,
        len(drafts),
        " (dry run)" if dry_run else "",
    )
    return ImportOut(
        dry_run=dry_run,
        filename=upload.filename,
        total_rows=len(plan.rows),
        valid_rows=sum(r.ok for r in plan.rows),
        ignored_columns=plan.ignored_columns,
        rows=[
            ImportRowOut(
                row=r.row,
                name=r.name,
                item_code=r.item_code,
                sub_item=r.sub_item,
                region=r.region,
                guide_id=r.guide_id,
                action=r.action if r.ok else "none",
                ok=r.ok,
                time_limits=r.time_limits,
                errors=[RowErrorOut(column=e.column, message=e.message) for e in r.errors],
            )
            for r in plan.rows
        ],
        drafts=drafts,
    )
