"""Validation of a knowledge snapshot by the rules of ``make validate`` (``knowledge.validate.validate_documents``);
a change is refused only for the errors it adds."""

from __future__ import annotations

import datetime as dt

from bot.console.documents import KnowledgeSnapshot
from bot.console.errors import DraftInvalid, FieldError
from knowledge.validate import Level, ValidationReport, validate_documents


def validate_snapshot(snapshot: KnowledgeSnapshot, today: dt.date | None = None) -> ValidationReport:
    return validate_documents(snapshot.raw_documents(), today=today)


def _errors(report: ValidationReport) -> set[tuple[str, str, tuple[tuple[str, str], ...]]]:
    return {(i.where, i.message, i.fields) for i in report.issues if i.level is Level.error}


def raise_invalid(report: ValidationReport, *, where: str | None, baseline: ValidationReport | None = None) -> None:
    new = _errors(report) - (_errors(baseline) if baseline is not None else set())
    if not new:
        return
    errors: list[FieldError] = []
    ordered = sorted(new, key=lambda e: where is not None and e[0].split("#", 1)[0] != where)  # mine first
    seen: set[str] = set()
    for at, message, fields in ordered:
        mine = where is None or at.split("#", 1)[0] == where
        if not mine and message in seen:
            continue  # the same finding, already shown on this document (a duplicate alias names both items)
        seen.add(message)
        if mine and fields:
            errors += [FieldError(path, msg if msg in message else f"{msg}：{message}") for path, msg in fields]
        else:
            errors.append(FieldError("", message if mine else f"{at}: {message}"))
    raise DraftInvalid(errors)
