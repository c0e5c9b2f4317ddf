"""The knowledge store's errors: each carries the HTTP status the console API answers with."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    path: str  # dotted path inside the document ("guides.0.fee"); "" for the document as a whole
    message: str


class StoreError(Exception):
    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DraftInvalid(StoreError):  # noqa: N818  (the name the other console parts use)
    status_code = 422

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.path or '(文档)'}: {e.message}" for e in errors))
        self.errors = errors


class DraftConflict(StoreError):  # noqa: N818
    status_code = 409


class NotFoundError(StoreError):
    status_code = 404


class ForbiddenError(StoreError):
    status_code = 403


class BadStateError(StoreError):
    status_code = 409
