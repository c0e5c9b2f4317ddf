"""Resolving a group through the knowledge store's drafts (``bot.console.drafts``): linking it to an item as an
alias or as a FAQ question of one of its guides, or marking it another department's (with the department's
name, a referral keyword is drafted). The draft then goes through review and publish like any edit."""

from __future__ import annotations

import copy
import datetime as dt
import logging
from typing import Any, Literal

from sqlalchemy.orm import Session

from bot.console import drafts, roles, versions
from bot.console.errors import DraftConflict, DraftInvalid, NotFoundError
from bot.console.models import KIND_ITEM, KIND_REFERRALS, REFERRALS_KEY
from bot.console.unanswered import service, texts
from bot.console.unanswered.models import UnansweredGroup
from bot.tickets.models import HandlerUser

logger = logging.getLogger(__name__)


class ResolveError(Exception):
    """A resolution refused: ``status`` is the HTTP status, ``message`` the text for staff."""

    def __init__(self, status: int, message: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or []


def _note(group: UnansweredGroup) -> str:
    return f"未答复问题组 #{group.id}：{group.representative}"[:200]


def with_alias(document: dict[str, Any], alias: str) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    aliases = list(doc.get("aliases") or [])
    if alias in aliases or alias == doc.get("name"):
        raise ResolveError(409, texts.DUPLICATE_ALIAS)
    doc["aliases"] = [*aliases, alias]
    return doc


def with_faq(document: dict[str, Any], guide_id: str | None, question: str, answer: str) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    guides = doc.get("guides") or []
    guide = next((g for g in guides if guide_id is None or g.get("id") == guide_id), None)
    if guide is None:
        raise ResolveError(422, texts.UNKNOWN_GUIDE)
    sources = guide.get("sources") or []
    source = copy.deepcopy(sources[0]) if sources else None
    # the entry states its region (the guide's), as knowledge/faq_check.py asks: it answers only where that covers
    faq = {"question": question, "answer": answer, "source": source, "region": guide.get("region")}
    guide["faq"] = [*(guide.get("faq") or []), faq]
    return doc


def link(
    db: Session,
    group: UnansweredGroup,
    user: HandlerUser,
    *,
    item_code: str,
    as_: Literal["alias", "faq"],
    text: str,
    guide_id: str | None = None,
    answer: str | None = None,
    now: dt.datetime,
) -> int:
    """Draft the alias or FAQ question on the item; the group becomes ``linked``. Returns the draft id."""
    if group.status != "open":
        raise ResolveError(409, texts.ALREADY_RESOLVED)
    try:
        document, revision = versions.item_document(db, item_code)
    except NotFoundError:
        raise ResolveError(404, texts.UNKNOWN_ITEM) from None
    if not roles.can_edit(user, document):
        raise ResolveError(403, texts.NOT_YOUR_ITEM)
    if as_ == "alias":
        changed = with_alias(document, text)
    else:
        if not answer or not answer.strip():
            raise ResolveError(422, texts.FAQ_NEEDS_ANSWER)
        changed = with_faq(document, guide_id, text, answer.strip())
    draft = _save(db, KIND_ITEM, item_code, changed, user, revision, _note(group))
    service.mark_resolved(
        group, "linked", by=user.username, now=now, resolution=as_, item_code=item_code, draft_id=draft, note=text
    )
    db.commit()
    return draft


def _save(db: Session, kind: str, key: str, document: Any, user: HandlerUser, revision: int | None, note: str) -> int:
    try:
        draft = drafts.save_document_draft(
            db, kind, key, document, author=user.username, base_revision=revision, note=note
        )
    except DraftInvalid as exc:
        db.rollback()
        errors = [{"path": e.path, "message": e.message} for e in exc.errors]
        raise ResolveError(422, "; ".join(e["message"] for e in errors)[:500], errors) from None
    except DraftConflict as exc:
        db.rollback()
        raise ResolveError(409, str(exc) or texts.CONFLICT) from None
    return int(draft.id)


def with_referral(referrals: list[dict[str, Any]], department: str, keyword: str) -> list[dict[str, Any]]:
    """The referrals list with ``keyword`` under ``department`` (a new entry when the department is new)."""
    out = copy.deepcopy(referrals)
    for entry in out:
        if keyword in (entry.get("keywords") or []):
            raise ResolveError(409, texts.DUPLICATE_KEYWORD)
    same = [e for e in out if e.get("department") == department]
    if not same:
        out.append({"department": department, "keywords": [keyword]})
    else:
        same[0]["keywords"] = [*(same[0].get("keywords") or []), keyword]
    return out


def other_department(
    db: Session,
    group: UnansweredGroup,
    user: HandlerUser,
    *,
    department: str | None,
    keyword: str | None,
    now: dt.datetime,
) -> int | None:
    """Mark the group another department's; with a department and a keyword, draft the referral keyword."""
    if group.status != "open":
        raise ResolveError(409, texts.ALREADY_RESOLVED)
    draft = None
    if department and keyword:
        body, open_draft = versions.document(db, KIND_REFERRALS, REFERRALS_KEY)
        if not roles.can_edit(user, body, KIND_REFERRALS):
            raise ResolveError(403, texts.REFERRALS_REVIEWERS_ONLY)
        changed = with_referral(list(body or []), department, keyword)
        revision = open_draft.revision if open_draft is not None else None
        draft = _save(db, KIND_REFERRALS, REFERRALS_KEY, changed, user, revision, _note(group))
    service.mark_resolved(
        group, "other_department", by=user.username, now=now, department=department, draft_id=draft, note=keyword
    )
    db.commit()
    return draft


def dismiss(db: Session, group: UnansweredGroup, user: HandlerUser, *, note: str | None, now: dt.datetime) -> None:
    if group.status != "open":
        raise ResolveError(409, texts.ALREADY_RESOLVED)
    service.mark_resolved(group, "dismissed", by=user.username, now=now, note=note)
    db.commit()


def reopen(db: Session, group: UnansweredGroup) -> None:
    """Back to the open list (a re-test still says unanswered, or a resolution was a mistake); a draft it created
    stays as it is in the review flow."""
    if group.status == "open":
        raise ResolveError(409, texts.ALREADY_OPEN)
    group.status = "open"
    group.resolved_by = group.resolved_at = group.resolution = group.linked_item = None
    group.department = group.draft_id = group.note = None
    group.retest_version = group.retest_at = group.retest_answered = group.retest_item = None
    db.commit()
