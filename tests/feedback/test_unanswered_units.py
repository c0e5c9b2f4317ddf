"""The unanswered-questions loop, part by part: grouping with the fake embedder (incremental, threshold), the
office assignment, what is captured (masked) from chat turns and 👎, abandoned clarifications, the re-test."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from bot.analytics.models import ChatTurn
from bot.chat.contracts import TurnRecord
from bot.chat.schemas import Meta
from bot.console.unanswered import capture, grouping, retest
from bot.console.unanswered.config import UnansweredSettings
from bot.console.unanswered.models import UnansweredGroup, UnansweredQuestion
from bot.console.unanswered.offices import OfficeLocator
from bot.db import session_scope
from knowledge.embedding.embedders import HashingEmbedder

from .conftest import TRIAGE, FakeEngine, cst, make_loop

NOW = cst(dt.date(2026, 10, 12))


def test_nearest_and_merged_centroid_are_cosine_geometry() -> None:
    a = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    b = np.array([0.0, 1.0, 0.0], dtype=np.float32)
    assert grouping.nearest(np.zeros((0, 3), dtype=np.float32), a) == (-1, -1.0)
    row, score = grouping.nearest(np.stack([a, b]), np.array([0.6, 0.8, 0.0], dtype=np.float32))
    assert row == 1 and score == pytest.approx(0.8)
    merged = grouping.merged_centroid(a, 1, b)
    assert np.linalg.norm(merged) == pytest.approx(1.0)
    assert merged[0] == pytest.approx(merged[1])  # the mean direction of its two members
    heavy = grouping.merged_centroid(a, 3, b)
    assert heavy[0] > heavy[1]  # three members pull harder than the newcomer
    assert np.array_equal(grouping.from_bytes(grouping.to_bytes(merged)), merged)


def test_office_locator_prefers_the_turns_item_then_the_match_then_triage() -> None:
    offices = {"nurse": "医政医管处", "water": "疾控处"}
    locate = OfficeLocator(lambda q: "water" if "供水" in q else None, offices.get, TRIAGE)
    assert locate("供水单位要办什么", "nurse") == ("医政医管处", "nurse")  # the answer's own item wins
    assert locate("供水单位要办什么", None) == ("疾控处", "water")
    assert locate("犬只登记", None) == (TRIAGE, None)
    assert OfficeLocator(lambda q: "orphan", offices.get, TRIAGE)("x", None) == (TRIAGE, "orphan")

    def broken(q: str) -> str | None:
        raise RuntimeError("engine not built")

    assert OfficeLocator(broken, offices.get, TRIAGE)("x", None) == (TRIAGE, None)


def _question(db: Any, text: str, *, item: str | None = None, source: str = "no_answer") -> UnansweredQuestion:
    q = UnansweredQuestion(
        at=NOW, day=NOW.date(), session_hash="s" * 32, source=source, question_masked=text, item_code=item, state="open"
    )
    db.add(q)
    db.flush()
    return q


def test_grouping_is_incremental_and_honours_the_threshold(tickets_env: str) -> None:
    engine = FakeEngine()
    engine.matches = {"护士": "nurse-practice-registration"}
    locate = OfficeLocator(engine.match, engine.offices.get, TRIAGE)
    embedder = HashingEmbedder()
    first = ["护士执照过期了怎么续", "护士执照过期了怎么续期", "犬只登记去哪里办"]
    with session_scope() as db:
        for text in first:
            _question(db, text)
    with session_scope() as db:
        assert grouping.group_open_questions(db, embedder, locate, threshold=0.8, now=NOW) == 3
        groups = list(db.scalars(select(UnansweredGroup).order_by(UnansweredGroup.id)))
        assert [(g.representative, g.questions, g.office, g.item_code) for g in groups] == [
            ("护士执照过期了怎么续", 2, "医政医管处", "nurse-practice-registration"),
            ("犬只登记去哪里办", 1, TRIAGE, None),
        ]
        assert grouping.group_open_questions(db, embedder, locate, threshold=0.8, now=NOW) == 0  # nothing open
    with session_scope() as db:  # later arrivals join the nearest group or start one
        _question(db, "护士执照过期了怎么续呢")
        _question(db, "出生医学证明丢了怎么补")
    with session_scope() as db:
        assert grouping.group_open_questions(db, embedder, locate, threshold=0.8, now=NOW) == 2
        counts = {g.representative: g.questions for g in db.scalars(select(UnansweredGroup))}
        assert counts == {"护士执照过期了怎么续": 3, "犬只登记去哪里办": 1, "出生医学证明丢了怎么补": 1}
        states = set(db.scalars(select(UnansweredQuestion.state)))
        assert states == {"grouped"}
    # With a threshold no pair reaches, every question is a group of its own.
    with session_scope() as db:
        _question(db, "护士执照过期了怎么续")
    with session_scope() as db:
        grouping.group_open_questions(db, embedder, locate, threshold=0.9999, now=NOW)
        # identical text has cosine 1 with the first member but the centroid moved: a new group
        assert db.scalar(select(UnansweredGroup.questions).order_by(UnansweredGroup.id.desc()).limit(1)) == 1


def _record(kind: str, text: str, *, confidence: float | None = None, reply: str = "…", session: str = "web-u1") -> Any:
    from bot.analytics.recorder import classify

    record = TurnRecord(
        at=NOW,
        session_id=session,
        channel="web",
        masked_text=text,
        reply_text=reply,
        meta=Meta(kind=kind, confidence=confidence),  # type: ignore[arg-type]
        latency_s=0.1,
        turn_id=f"t{abs(hash((kind, text, session))) % 10**12:012d}",
    )
    return record, classify(record)


def _turn(db: Any, kind: str, text: str, **kw: Any) -> None:
    from bot.analytics.rollup import add_turn

    record, row = _record(kind, text, **kw)
    add_turn(db, row)
    capture.capture_turn(db, row, record, settings=UnansweredSettings(unanswered_low_confidence=0.5))


def _kept() -> list[tuple[str, str, str]]:
    with session_scope() as db:
        rows = db.scalars(select(UnansweredQuestion).order_by(UnansweredQuestion.id))
        return [(q.source, q.question_masked, q.state) for q in rows]


def test_capture_keeps_what_went_unanswered_masked(tickets_env: str) -> None:
    from bot.pii import mask_text

    with session_scope() as db:
        _turn(db, "no_answer", mask_text("犬只登记 电话13812345678").text)
        _turn(
            db,
            "no_answer",
            "公积金怎么提取",
            reply="“公积金”相关业务一般由住房公积金管理中心办理，不属于卫生健康部门的办事指南范围。",
        )
        _turn(db, "answer", "护士注册材料", confidence=0.9)  # confident: not kept
        _turn(db, "answer", "护士那个东西", confidence=0.3)
        _turn(db, "smalltalk", "你好")
        _turn(db, "handoff", "转人工")  # the session's last question is what went unanswered
    assert _kept() == [
        ("no_answer", "犬只登记 电话138****5678", "open"),
        ("other_department", "公积金怎么提取", "open"),
        ("low_confidence", "护士那个东西", "open"),
        ("handoff", "护士那个东西", "open"),
    ]
    with session_scope() as db:
        assert all("13812345678" not in (t.question_masked or "") for t in db.scalars(select(ChatTurn)))


def test_clarification_is_abandoned_unless_a_choice_follows(tickets_env: str) -> None:
    settings = UnansweredSettings(unanswered_clarify_abandon_minutes=30)
    with session_scope() as db:
        _turn(db, "clarify", "许可证怎么办", session="web-k1")
        _turn(db, "answer", "公共场所卫生许可", confidence=0.9, session="web-k1")  # chose: nothing kept
        _turn(db, "clarify", "许可证要什么材料", session="web-k2")
        _turn(db, "no_answer", "算了 犬只登记呢", session="web-k2")  # moved on without choosing
        _turn(db, "clarify", "证明怎么开", session="web-k3")  # no next turn yet
    assert _kept() == [
        ("clarify_abandoned", "许可证要什么材料", "open"),
        ("no_answer", "算了 犬只登记呢", "open"),
        ("clarify_abandoned", "证明怎么开", "pending"),
    ]
    with session_scope() as db:
        assert capture.settle_abandoned(db, now=NOW + dt.timedelta(minutes=29), settings=settings) == 0
    with session_scope() as db:
        assert capture.settle_abandoned(db, now=NOW + dt.timedelta(minutes=31), settings=settings) == 1
    assert _kept()[-1] == ("clarify_abandoned", "证明怎么开", "open")


def _resolved_group(db: Any, text: str, status: str) -> UnansweredGroup:
    vec = HashingEmbedder().embed_queries([text])[0]
    group = UnansweredGroup(
        created_at=NOW,
        last_seen_at=NOW,
        representative=text,
        questions=1,
        embedder="hashing",
        centroid=grouping.to_bytes(vec),
        office=TRIAGE,
        status=status,
    )
    db.add(group)
    db.flush()
    db.add(
        UnansweredQuestion(
            at=NOW,
            day=NOW.date(),
            session_hash="s" * 32,
            source="no_answer",
            question_masked=text,
            state="grouped",
            group_id=group.id,
        )
    )
    return group


def test_retest_marks_resolved_groups_against_each_new_version(tickets_env: str) -> None:
    engine = FakeEngine()
    loop = make_loop(engine)
    with session_scope() as db:
        linked = _resolved_group(db, "护士执照怎么续", "linked").id
        referred = _resolved_group(db, "公积金怎么提取", "other_department").id
        _resolved_group(db, "无关的话", "open")
    with session_scope() as db:
        assert loop.needs_retest(db)
        assert loop.retest(db, now=NOW) == 2
        assert not loop.needs_retest(db)
        g = db.get(UnansweredGroup, linked)
        assert g is not None and (g.retest_version, g.retest_answered, g.retest_item) == (1, False, None)
        assert loop.retest(db, now=NOW) == 0  # already tested against version 1
    engine.version = 2
    engine.answers["护士执照怎么续"] = retest.Outcome("answer", "nurse-practice-registration")
    engine.answers["公积金怎么提取"] = retest.Outcome("no_answer", None, referral=True)
    with session_scope() as db:
        assert loop.needs_retest(db)
        assert loop.retest(db, now=NOW) == 2
        g = db.get(UnansweredGroup, linked)
        assert g is not None and (g.retest_version, g.retest_answered, g.retest_item) == (
            2,
            True,
            "nurse-practice-registration",
        )
        r = db.get(UnansweredGroup, referred)
        assert r is not None and r.retest_answered is True  # the referral is the right answer there
    assert "无关的话" not in engine.asked  # open groups are not re-tested
