"""Who may do what in the knowledge store: editors edit their own office's items; reviewers and admins all."""

from __future__ import annotations

from typing import Any, Protocol

from bot.console.models import KIND_ITEM

EDIT_ROLES = frozenset({"editor", "reviewer", "admin"})
REVIEW_ROLES = frozenset({"reviewer", "admin"})


class Staff(Protocol):
    """What the store needs of a staff user (``HandlerUser`` fits)."""

    username: str
    role: str
    office: str | None


# ---- roles -----------------------------------------------------------------------------------------


def document_office(document: Any) -> str | None:
    return document.get("office") if isinstance(document, dict) else None


def can_edit(user: Staff, document: Any, kind: str = KIND_ITEM) -> bool:
    """Reviewers and admins edit everything; an editor edits the items of their own office only."""
    if user.role in REVIEW_ROLES:
        return True
    if user.role != "editor" or kind != KIND_ITEM:
        return False
    office = document_office(document)
    return office is not None and office == user.office


def can_review(user: Staff) -> bool:
    return user.role in REVIEW_ROLES
