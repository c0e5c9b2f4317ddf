"""``POST /api/chat/feedback``: only a turn of the same session, once per turn (a second vote replaces the first),
masked comments, rate-limited; the dashboard's 👍/👎 rate counts the votes (office-scoped, CSV)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.db import session_scope
from bot.feedback.models import AnswerFeedback, AnswerFeedbackRollup

from .conftest import FakeEngine, FrozenClock, create_user, cst, login, make_feedback_app, make_loop, scripted_reply


@pytest.fixture
def app_client(
    tickets_env: str, fake_rasa: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, FrozenClock]]:
    from bot.feedback.config import get_feedback_settings

    monkeypatch.setenv("FEEDBACK_LIMIT_PER_SESSION", "6")
    get_feedback_settings.cache_clear()
    fake_rasa.respond = scripted_reply
    clock = FrozenClock(cst(dt.date(2026, 10, 12)))
    with TestClient(make_feedback_app(fake_rasa.url, clock, make_loop(FakeEngine()))) as client:
        yield client, clock
    get_feedback_settings.cache_clear()


def ask(client: TestClient, session: str, text: str) -> dict[str, Any]:
    r = client.post("/api/chat", json={"session_id": session, "text": text})
    assert r.status_code == 200, r.text
    return dict(r.json()["meta"])


def vote(client: TestClient, session: str, turn: str, v: str, **kw: Any) -> Any:
    return client.post("/api/chat/feedback", json={"session_id": session, "turn_id": turn, "vote": v, **kw})


@pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
def test_one_vote_per_turn_a_second_replaces_the_first(app_client: tuple[TestClient, FrozenClock]) -> None:
    client, _ = app_client
    meta = ask(client, "web-a1", "问答 护士执业注册要什么材料")
    turn = meta["turn_id"]
    assert isinstance(turn, str) and len(turn) >= 20  # opaque and unguessable
    assert meta["guide"] == "g-1"
    r = vote(client, "web-a1", turn, "up")
    assert r.status_code == 200 and r.json()["replaced"] is False
    r = vote(client, "web-a1", turn, "down", reason="outdated")
    assert r.status_code == 200 and r.json() == {
        "turn_id": turn,
        "vote": "down",
        "reason": "outdated",
        "replaced": True,
    }
    with session_scope() as db:
        rows = list(db.scalars(select(AnswerFeedback)))
        assert len(rows) == 1
        row = rows[0]
        assert (row.vote, row.reason, row.kind, row.item_code, row.guide_id, row.aspect) == (
            "down",
            "outdated",
            "answer",
            "nurse-practice-registration",
            "g-1",
            "materials",
        )
        assert row.question_masked == "问答 护士执业注册要什么材料"
        assert row.knowledge_version is None  # the fake Rasa sends no knowledge version
        cells = {(c.vote, c.reason): c.votes for c in db.scalars(select(AnswerFeedbackRollup))}
        assert cells == {("up", ""): 0, ("down", "outdated"): 1}


def test_only_a_rateable_turn_of_the_same_session(app_client: tuple[TestClient, FrozenClock]) -> None:
    client, _ = app_client
    turn = ask(client, "web-b1", "问无 犬只登记怎么办")["turn_id"]
    assert vote(client, "web-b2", turn, "up").status_code == 404  # another session's turn
    assert vote(client, "web-b1", "x" * 24, "up").status_code == 404  # no such turn
    small = ask(client, "web-b1", "在吗")["turn_id"]  # smalltalk is recorded but not rateable
    assert vote(client, "web-b1", small, "up").status_code == 404
    assert vote(client, "web-b1", turn, "meh").status_code == 422
    assert vote(client, "web-b1", turn, "down").status_code == 200
    with session_scope() as db:
        assert db.scalar(select(func.count()).select_from(AnswerFeedback)) == 1


def test_comment_is_masked_and_kept_only_for_reason_other(app_client: tuple[TestClient, FrozenClock]) -> None:
    client, _ = app_client
    turn = ask(client, "web-c1", "问答 护士执业注册 我的电话13812345678")["turn_id"]
    r = vote(client, "web-c1", turn, "down", reason="other", comment="请打13812348000联系我")
    assert r.status_code == 200
    with session_scope() as db:
        row = db.scalars(select(AnswerFeedback)).one()
        assert row.comment_masked == "请打138****8000联系我"
        assert "13812345678" not in (row.question_masked or "") and "138****5678" in (row.question_masked or "")
    vote(client, "web-c1", turn, "down", reason="unclear", comment="不该保存")
    with session_scope() as db:
        assert db.scalars(select(AnswerFeedback)).one().comment_masked is None


def test_votes_are_rate_limited_per_session(app_client: tuple[TestClient, FrozenClock]) -> None:
    client, _ = app_client
    turn = ask(client, "web-d1", "问答 护士执业注册")["turn_id"]
    codes = [vote(client, "web-d1", turn, "up" if i % 2 else "down").status_code for i in range(8)]
    assert codes[:6] == [200] * 6 and codes[6:] == [429, 429]


def test_dashboard_rate_counts_the_last_vote_per_turn(app_client: tuple[TestClient, FrozenClock]) -> None:
    client, clock = app_client
    turns = [ask(client, f"web-e{i}", "问答 护士执业注册材料")["turn_id"] for i in range(5)]
    no_answer = ask(client, "web-e9", "问无 犬只登记")["turn_id"]
    for i, turn in enumerate(turns):
        assert vote(client, f"web-e{i}", turn, "up").status_code == 200
    assert vote(client, "web-e0", turns[0], "down", reason="off_topic").status_code == 200  # replaces its 👍
    assert vote(client, "web-e9", no_answer, "down").status_code == 200
    create_user("root", "root-password-1", role="admin")
    create_user("other", "other-password-1", role="handler", office="疾病预防控制处")
    login(client, "root", "root-password-1")
    day = clock.at.date().isoformat()
    q = client.get("/api/dashboard/figures", params={"from": day, "to": day}).json()["questions"]
    assert (q["feedback_up"], q["feedback_down"], q["feedback"]) == (4, 2, round(4 / 6, 4))
    reasons = {x["reason"]: x["count"] for x in q["feedback_reasons"]}
    assert reasons == {"off_topic": 1, "outdated": 0, "unclear": 0, "other": 0, "": 1}
    csv_text = client.get("/api/dashboard/export.csv", params={"figure": "questions_summary", "from": day}).text
    assert "feedback_up" in csv_text and "0.6667" in csv_text
    assert (
        "off_topic,答非所问,1"
        in client.get("/api/dashboard/export.csv", params={"figure": "feedback_reasons", "from": day}).text
    )
    # An office sees the votes on its own items' answers only (none of the nurse item's here).
    client.post("/api/desk/logout")
    login(client, "other", "other-password-1")
    q = client.get("/api/dashboard/figures", params={"from": day, "to": day}).json()["questions"]
    assert (q["feedback_up"], q["feedback_down"], q["feedback"]) == (0, 0, None)


def test_a_thumbs_down_is_kept_once_as_an_unanswered_question(app_client: tuple[TestClient, FrozenClock]) -> None:
    from bot.console.unanswered.models import UnansweredQuestion

    client, _ = app_client
    turn = ask(client, "web-f1", "问答 护士执业注册 电话13812345678")["turn_id"]
    other = ask(client, "web-f1", "问答 护士执业注册材料")["turn_id"]
    assert vote(client, "web-f1", turn, "down").status_code == 200
    assert vote(client, "web-f1", turn, "down", reason="unclear").status_code == 200  # the reason replaces
    assert vote(client, "web-f1", other, "up").status_code == 200
    with session_scope() as db:
        kept = [(q.source, q.question_masked, q.item_code) for q in db.scalars(select(UnansweredQuestion))]
    assert kept == [("thumbs_down", "问答 护士执业注册 电话138****5678", "nurse-practice-registration")]
