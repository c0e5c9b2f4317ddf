"""The knowledge store on SQLite: import, drafts, conflicts, roles, review, publish, diff, rollback,
validation errors that leave nothing changed, and the audit trail."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.console import drafts, review, roles, versions
from bot.console.diff import version_diff
from bot.console.documents import read_folder
from bot.console.errors import BadStateError, DraftConflict, DraftInvalid, ForbiddenError
from bot.console.models import KbDraft, KbVersion
from bot.tickets.staff_models import AuditEntry
from knowledge.loader import knowledge_root
from tests.console.conftest import ADMIN, EDITOR, EDITOR_B, OTHER_EDITOR, REVIEWER

NURSE = "nurse-practice-registration"


def _counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(KbDraft)) or 0,
        session.scalar(select(func.count()).select_from(KbVersion)) or 0,
        session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
    )


def _nurse(session: Session) -> dict[str, Any]:
    doc, _ = versions.item_document(session, NURSE)
    return copy.deepcopy(doc)


def _first_materials(doc: dict[str, Any]) -> list[dict[str, Any]]:
    guide = next(g for g in doc["guides"] if g.get("materials"))
    materials: list[dict[str, Any]] = guide["materials"]
    return materials


def test_first_import_is_version_1_with_the_yaml_content(session: Session) -> None:
    assert versions.current_version(session) == 1
    published = versions.published_snapshot(session)
    folder = read_folder(knowledge_root())
    assert published.items == folder.items and published.policies == folder.policies
    assert published.referrals == folder.referrals
    assert published.items[NURSE]["office"] == "行政审批科"
    assert versions.ensure_imported(session, folder) is None  # a second start imports nothing
    catalog = published.to_catalog()
    assert NURSE in catalog.item_by_code and catalog.chunks


def test_a_saved_draft_leaves_the_published_version_alone(session: Session) -> None:
    doc = _nurse(session)
    _first_materials(doc).append({"name": "近6个月免冠正面小2寸照片1张"})
    draft = drafts.save_draft(session, NURSE, doc, author=EDITOR.username, base_revision=None)
    assert draft.revision == 1 and draft.status == "editing" and draft.office == "行政审批科"
    assert versions.item_document(session, NURSE) == (doc, 1)
    assert versions.published_snapshot(session).items[NURSE] != doc
    assert versions.draft_snapshot(session).items[NURSE] == doc
    assert versions.current_version(session) == 1


def test_two_editors_saving_the_same_item_conflict(session: Session) -> None:
    doc = _nurse(session)
    first = copy.deepcopy(doc)
    first["aliases"].append("护士证注册")
    drafts.save_draft(session, NURSE, first, author=EDITOR.username, base_revision=None)
    second = copy.deepcopy(doc)
    second["aliases"].append("护士本注册")
    before = _counts(session)
    with pytest.raises(DraftConflict, match="修订 1"):
        drafts.save_draft(session, NURSE, second, author=EDITOR_B.username, base_revision=None)
    session.rollback()
    assert _counts(session) == before
    assert versions.item_document(session, NURSE) == (first, 1)  # the first editor's text survives
    # the second editor reloads (revision 1) and saves on top: revision 2, both editors recorded
    second = copy.deepcopy(first)
    second["aliases"].append("护士本注册")
    draft = drafts.save_draft(session, NURSE, second, author=EDITOR_B.username, base_revision=1)
    assert draft.revision == 2 and draft.editors == [EDITOR.username, EDITOR_B.username]
    with pytest.raises(DraftConflict):
        drafts.save_draft(session, NURSE, first, author=EDITOR.username, base_revision=1)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["guides"][0].update(promised_time_limit="尽快办理"), "guides.0.promised_time_limit"),
        (lambda d: d.update(name=""), "name"),
        (lambda d: d.update(name=None), "name"),
        (lambda d: d["aliases"].append("出生证"), None),  # birth-medical-certificate's alias
        (lambda d: d["guides"][0].update(sources=[]), "guides.0.sources"),
    ],
    ids=["time-limit-as-text", "empty-name", "missing-name", "duplicate-alias", "no-source"],
)
def test_invalid_drafts_get_field_errors_and_change_nothing(session: Session, change: Any, path: str | None) -> None:
    doc = _nurse(session)
    change(doc)
    before = _counts(session)
    with pytest.raises(DraftInvalid) as caught:
        drafts.save_draft(session, NURSE, doc, author=EDITOR.username, base_revision=None)
    session.rollback()
    errors = caught.value.errors
    if path is None:  # the duplicate alias is named at its own position in this item
        path = f"aliases.{len(doc['aliases']) - 1}"
    assert path in [e.path for e in errors], errors
    assert _counts(session) == before
    assert versions.item_document(session, NURSE)[1] is None  # still the published document, no draft


def test_editors_edit_their_own_office_only_and_reviewers_everything(session: Session) -> None:
    doc = _nurse(session)
    assert roles.can_edit(EDITOR, doc)
    assert not roles.can_edit(OTHER_EDITOR, doc)
    assert roles.can_edit(REVIEWER, doc) and roles.can_edit(ADMIN, doc)
    assert not roles.can_edit(EDITOR, {"id": "x"}, "policy")  # policies and referrals: reviewers, admins
    assert roles.can_edit(REVIEWER, {"id": "x"}, "policy")


def _approved_change(session: Session, alias: str) -> KbDraft:
    doc = _nurse(session)
    doc["aliases"].append(alias)
    draft = drafts.save_draft(session, NURSE, doc, author=EDITOR.username, base_revision=None)
    review.submit_draft(session, draft.id, actor=EDITOR)
    return draft


def test_only_a_reviewer_who_did_not_edit_approves(session: Session) -> None:
    draft = _approved_change(session, "护士上岗证")
    with pytest.raises(ForbiddenError):
        review.approve_draft(session, draft.id, actor=EDITOR)  # editors do not review
    session.rollback()
    doc = _nurse(session)
    drafts.save_draft(session, NURSE, doc, author=REVIEWER.username, base_revision=1)  # reviewer edits too
    review.submit_draft(session, draft.id, actor=REVIEWER)
    with pytest.raises(ForbiddenError, match="自己修改"):
        review.approve_draft(session, draft.id, actor=REVIEWER)
    session.rollback()
    approved = review.approve_draft(session, draft.id, actor=ADMIN, revision=2)
    assert approved.status == "approved" and approved.reviewed_by == ADMIN.username


def test_publish_diff_and_rollback(session: Session) -> None:
    original = _nurse(session)
    doc = copy.deepcopy(original)
    _first_materials(doc)[0]["name"] = "护士执业注册申请审核表（新版）"
    draft = drafts.save_draft(session, NURSE, doc, author=EDITOR.username, base_revision=None)
    review.submit_draft(session, draft.id, actor=EDITOR)
    with pytest.raises(BadStateError):
        review.publish(session, actor=REVIEWER)  # nothing approved yet
    session.rollback()
    review.approve_draft(session, draft.id, actor=REVIEWER)
    with pytest.raises(ForbiddenError):
        review.publish(session, actor=EDITOR)
    session.rollback()
    v2 = review.publish(session, actor=REVIEWER, note="材料更名")
    assert v2.number == 2 and versions.current_version(session) == 2
    assert versions.published_snapshot(session).items[NURSE] == doc
    assert session.get(KbDraft, draft.id).status == "published"  # type: ignore[union-attr]

    (diff,) = version_diff(session, 2)
    assert (diff.kind, diff.key, diff.change) == ("item", NURSE, "changed")
    (field,) = diff.fields
    assert field.path.endswith("materials.0.name") and field.new == "护士执业注册申请审核表（新版）"
    assert field.old == _first_materials(original)[0]["name"]

    v3 = review.rollback(session, 1, actor=ADMIN)
    assert (v3.number, v3.restores, v3.action) == (3, 1, "rollback")
    assert versions.published_snapshot(session).items[NURSE] == original
    assert v3.content_hash == session.get(KbVersion, 1).content_hash  # type: ignore[union-attr]
    (back,) = version_diff(session, 3)
    assert back.fields[0].old == field.new and back.fields[0].new == field.old
    # versions are immutable: version 2 still holds the edit
    assert versions.snapshot_of(session, 2).items[NURSE] == doc


def test_the_audit_trail_says_who_did_what(session: Session) -> None:
    draft = _approved_change(session, "护士注册证")
    review.approve_draft(session, draft.id, actor=REVIEWER)
    review.publish(session, actor=REVIEWER)
    review.rollback(session, 1, actor=ADMIN)
    rows = session.execute(select(AuditEntry.action, AuditEntry.actor, AuditEntry.target).order_by(AuditEntry.id)).all()
    knowledge = [(a, actor, t) for a, actor, t in rows if a.startswith("knowledge.") and actor != "system"]
    assert knowledge == [
        ("knowledge.draft.save", EDITOR.username, f"item/{NURSE}"),
        ("knowledge.draft.submit", EDITOR.username, f"item/{NURSE}"),
        ("knowledge.draft.approve", REVIEWER.username, f"item/{NURSE}"),
        ("knowledge.publish", REVIEWER.username, "version/2"),
        ("knowledge.rollback", ADMIN.username, "version/3"),
    ]


def test_a_save_based_on_an_older_published_version_conflicts(session: Session) -> None:
    stale = _nurse(session)  # opened at version 1
    draft = _approved_change(session, "护士执照")
    review.approve_draft(session, draft.id, actor=REVIEWER)
    review.publish(session, actor=REVIEWER)
    stale["aliases"].append("护士牌照")
    with pytest.raises(DraftConflict, match="版本 1"):
        drafts.save_draft(session, NURSE, stale, author=EDITOR_B.username, base_revision=None, base_version=1)


def test_a_new_item_code_creates_a_new_item_draft(session: Session) -> None:
    doc = _nurse(session)
    doc.update(code="nurse-demo-copy", name="护士演示事项", aliases=[])
    for n, guide in enumerate(doc["guides"]):
        guide["id"] = f"nurse-demo-copy.g{n}"
    draft = drafts.save_draft(session, "nurse-demo-copy", doc, author=EDITOR.username, base_revision=None)
    assert draft.key == "nurse-demo-copy"
    assert "nurse-demo-copy" in versions.draft_snapshot(session).items
    wrong = dict(doc, code="other-code")
    with pytest.raises(DraftInvalid) as caught:
        drafts.save_draft(session, "nurse-demo-copy2", wrong, author=EDITOR.username, base_revision=None)
    assert "code" in [e.path for e in caught.value.errors]


def test_a_document_is_stored_under_its_own_code_or_id(session: Session) -> None:
    policy_id = sorted(versions.published_snapshot(session).policies)[0]
    body = copy.deepcopy(versions.published_snapshot(session).policies[policy_id])
    with pytest.raises(DraftInvalid) as caught:
        drafts.save_document_draft(session, "policy", "another-id", body, author=REVIEWER.username, base_revision=None)
    assert [e.path for e in caught.value.errors] == ["id"]
    with pytest.raises(DraftInvalid):
        drafts.save_document_draft(session, "referrals", "referrals", {"not": "a list"}, author="x", base_revision=None)
