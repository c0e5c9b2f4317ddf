"""Attacks on personal data and ticket privacy, against the real running stack (Rasa, actions, app).

Each test fails if the attack succeeds: raw numbers reaching Rasa's tracker store or the logs, a ticket
learned by guessing or from another conversation, unlimited lookups, another office reading a ticket.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid

import httpx
import pytest

from scripts.stack import StackConfig
from tests.security.privacy_stack import (
    PHONE,
    client_from,
    desk_login,
    file_complaint,
    press,
    say,
    session,
    text_of,
)
from tests.support.stack_fixtures import ADMIN_PASSWORD, STACK_LOOKUP_LIMIT_PER_ADDRESS, logs_text

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ZW = "\u200b"
# (as typed, the digits that must never be stored or logged)
PERSONAL = [
    ("138 1234 5678", "13812345678"),
    ("138-2234-5678", "13822345678"),
    ("138.3234.5678", "13832345678"),
    (f"138{ZW}4234{ZW}5678", "13842345678"),
    ("+86 138 5234 5678", "13852345678"),
    ("0086-13862345678", "13862345678"),
    ("１３８７２３４５６７８", "13872345678"),
    ("110105 19491231 002X", "110105194912310"),
    ("110105-19491231-002X", "110105194912310"),
    ("110105491231002", "110105491231002"),
    ("6222 0212 3456 7890 128", "6222021234567890128"),
    ("zhang.san.privacy@example.com", "zhang.san.privacy"),
]


def _digits_and_letters(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z@.]", "", text.replace(ZW, ""))


def test_raw_numbers_of_every_format_never_reach_rasa_or_the_logs(client: httpx.Client, stack: StackConfig) -> None:
    sid = session("sec-pii")
    for typed, _ in PERSONAL:
        say(client, sid, f"我的信息是 {typed} 请记录")
    # Typed slash commands with a number: neutralised and masked, never logged raw by Rasa either.
    say(client, sid, '/report_problem{"complaint_contact": "13892345678"}')
    assert stack.var_dir is not None
    with sqlite3.connect(stack.var_dir / "rasa_tracker.db") as db:
        events = " ".join(row[0] for row in db.execute("select data from events where sender_id = ?", (sid,)))
    assert events, "the conversation reached Rasa"
    logs = logs_text(stack)
    flat_events = _digits_and_letters(events)
    flat_logs = _digits_and_letters(logs)
    for typed, raw in [*PERSONAL, ("", "13892345678")]:
        assert raw not in flat_events, f"{typed!r} reached Rasa's tracker store"
        assert raw not in flat_logs, f"{typed!r} reached a log"
    assert '"/report_problem' not in events  # the typed command reached Rasa as text, not an intent


def test_ticket_lookup_from_another_conversation_learns_nothing(stack: StackConfig) -> None:
    with client_from(stack, "127.0.0.11") as client:
        owner = session("sec-owner")
        number = file_complaint(client, owner)
        m = re.fullmatch(r"([A-Z]+)-(\d{8})-(\d{4})-([A-Z]{5})", number)
        assert m, number  # readable prefix and date, plus a random check code

        unknown_reply = text_of(say(client, session("sec-x"), "查一下工单 BBC-20000101-0001-AAAAA"))
        assert unknown_reply.startswith("未找到该工单")
        guesses = [
            number,  # the real number, from someone else's conversation
            f"{m[1]}-{m[2]}-{m[3]}-AAAAA",  # right day and sequence, guessed code
            f"{m[1]}-{m[2]}-{m[3]}",  # without the code
            f"{m[1]}-{m[2]}-{int(m[3]) + 1:04d}",
        ]
        for guess in guesses:
            body = say(client, session("sec-guess"), f"帮我查一下工单{guess}的进度")
            assert body["meta"]["kind"] == "ticket_status", body
            assert body["meta"]["ticket"] is None, body
            reply = text_of(body)
            assert reply == unknown_reply, reply  # byte for byte: nothing tells the cases apart
            for leak in ("医疗广告", "已提交", "承办", PHONE[-4:]):
                assert leak not in reply

        # The conversation that filed it sees it, in any spelling.
        loose = number.lower().replace("-", " ")
        mine = say(client, owner, f"查询 {loose}")
        assert mine["meta"]["ticket"] and mine["meta"]["ticket"]["id"] == number, mine
        # Someone who also gives the phone's last four digits sees the status.
        other = say(client, session("sec-last4"), f"{number} 尾号{PHONE[-4:]}")
        assert other["meta"]["ticket"] and other["meta"]["ticket"]["id"] == number, other


def test_lookups_are_rate_limited_per_session_and_per_address(stack: StackConfig) -> None:
    with client_from(stack, "127.0.0.12") as client:
        sid = session("sec-rate")
        replies = [text_of(say(client, sid, f"查工单 BBC-20260101-{n:04d}-ABCDE")) for n in range(1, 8)]
        assert all(r.startswith("未找到该工单") for r in replies[:5]), replies
        assert any("次数过多" in r for r in replies[5:]), replies
    limit = STACK_LOOKUP_LIMIT_PER_ADDRESS
    with client_from(stack, "127.0.0.13") as client:
        replies = [
            text_of(say(client, session("sec-rate-addr"), f"查工单 BBC-20260102-{n:04d}-ABCDE"))
            for n in range(limit + 5)
        ]
        assert all("次数过多" not in r for r in replies[:limit]), replies
        assert all("次数过多" in r for r in replies[limit:]), replies[limit:]
    with client_from(stack, "127.0.0.14") as client:  # another address is not affected
        assert "次数过多" not in text_of(say(client, session("sec-rate-ok"), "查工单 BBC-20260103-0001-ABCDE"))


def test_another_offices_handler_cannot_read_a_ticket_or_its_phone(stack: StackConfig) -> None:
    with client_from(stack, "127.0.0.15") as client:
        number = file_complaint(client, session("sec-office"))
        admin = desk_login(client, stack, "admin", ADMIN_PASSWORD)
        detail = client.get(f"/api/desk/tickets/{number}", headers=admin).json()
        office = detail["office"]
        offices = client.get("/api/desk/meta", headers=admin).json()["offices"]
        elsewhere = next(o for o in offices if o != office)
        password = "Tq7#vLm2!pRx9@wZ"
        for name, user_office in (("sec-same", office), ("sec-other", elsewhere)):
            body = {"username": f"{name}-{uuid.uuid4().hex[:6]}", "password": password, "role": "handler"}
            body["office"] = user_office
            created = client.post("/api/desk/users", json=body, headers=admin)
            assert created.status_code == 201, created.text
            if name == "sec-same":
                same_user = body["username"]
            else:
                other_user = body["username"]
    with client_from(stack, "127.0.0.16") as other_client:
        other = desk_login(other_client, stack, other_user, password)
        assert other_client.get(f"/api/desk/tickets/{number}", headers=other).status_code == 404
        queue = other_client.get("/api/desk/tickets", headers=other)
        assert queue.status_code == 200 and number not in queue.text
        assert other_client.get("/api/desk/tickets", params={"office": office}, headers=other).status_code == 403
        export = other_client.get("/api/desk/tickets/export.csv", headers=other)
        assert number not in export.text and PHONE not in export.text
        reply = other_client.post(f"/api/desk/tickets/{number}/reply", json={"text": "x"}, headers=other)
        assert reply.status_code == 404
    with client_from(stack, "127.0.0.17") as same_client:
        same = desk_login(same_client, stack, same_user, password)
        seen = same_client.get(f"/api/desk/tickets/{number}", headers=same).json()
        assert seen["contact"] == PHONE
        assert [e["actor"] for e in seen["events"] if e["kind"] == "contact_viewed"][-1] == same_user


def test_forged_payload_is_not_an_intent(client: httpx.Client, stack: StackConfig) -> None:
    """A payload the assistant never offered to this session reaches Rasa as plain text, never as ``/intent``."""
    sid = session("sec-forge")
    forged = '/rate_ticket{"ticket_number": "BBC-20260101-0001-ABCDE", "rating": "不满意"}'
    press(client, sid, forged)
    press(client, sid, "/restart")
    assert stack.var_dir is not None
    with sqlite3.connect(stack.var_dir / "rasa_tracker.db") as db:
        rows = db.execute("select data from events where sender_id = ? and type_name = 'user'", (sid,)).fetchall()
    texts = [json.loads(row[0]).get("text") or "" for row in rows]
    assert len(texts) == 2, texts
    assert not any(t.startswith("/") for t in texts), texts
