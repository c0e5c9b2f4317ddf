"""The stand-in app for the action tests: a tiny real HTTP server on loopback serving the
contract endpoints of docs/ARCHITECTURE.md with fixed JSON, recording every request; and helpers
to build tracker events."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "test-internal-token"
KNOWN_TICKET = "BBC-20261122-0007-KXQRT"
OWNER_SESSION = "sess-1"
OWNER_LAST4 = "8000"
LIMITED_TICKET = "BBC-20261122-0009-ZZZZZ"
CREATED_TICKET = "BBC20261122-0001"
# Numbers the gateway "vaulted" for the session (the citizen typed them in full).
VAULTED_CONTACTS = frozenset({"138****8000", "139****1234"})


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    token: str | None


@dataclass
class FakeApp:
    url: str
    requests: list[Recorded] = field(default_factory=list)

    def calls(self, method: str, path_prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]


NURSE = {"code": "nurse-practice-registration", "name": "护士执业注册"}
AD_REVIEW = {"code": "medical-advertising-review", "name": "医疗广告审查"}


def _search_answer(body: dict[str, Any]) -> dict[str, Any]:
    text: str = body.get("text") or ""
    ctx = body.get("context") or {}
    if "养犬" in text:
        return {
            "kind": "no_answer",
            "item": None,
            "aspect": None,
            "confidence": 0.21,
            "text": "知识库里没有“养犬登记”的办事指南，这不属于卫生健康部门的事项。",
            "choices": [],
            "sources": [],
        }
    if text == "我要办许可证" and not ctx.get("item_code"):
        return {
            "kind": "clarify",
            "item": None,
            "aspect": None,
            "confidence": 0.4,
            "text": "您想办的是哪一种许可证？",
            "choices": [
                {"title": "公共场所卫生许可", "item_code": "public-place-hygiene-permit"},
                {"title": "放射诊疗许可", "item_code": "radiation-diagnosis-permit", "sub_item": None},
            ],
            "sources": [],
        }
    if text == "出生医学证明要什么材料" and not ctx.get("sub_item"):
        return {
            "kind": "clarify",
            "item": {"code": "birth-medical-certificate", "name": "出生医学证明"},
            "aspect": "materials",
            "confidence": 0.0,
            "text": "【出生医学证明】分为几种情形，您办理的是哪一种？",
            "choices": [
                {"title": "出生医学证明（首次签发）", "item_code": "birth-medical-certificate", "sub_item": "首次"},
                {"title": "出生医学证明（补发）", "item_code": "birth-medical-certificate", "sub_item": "补发"},
            ],
            "sources": [],
        }
    if ctx.get("item_code") == "public-place-hygiene-permit":
        return {
            "kind": "answer",
            "item": {"code": "public-place-hygiene-permit", "name": "公共场所卫生许可"},
            "sub_item": "新办",
            "aspect": ctx.get("aspect") or "overview",
            "confidence": 0.8,
            "text": "公共场所卫生许可（新办）：……",
            "choices": [],
            "sources": [{"title": "公共场所卫生许可办事指南", "url": "https://example.gov.cn/a", "region": "广州市"}],
        }
    if "依据" in text:  # the engine's rendered text already names its source
        return {
            "kind": "answer",
            "item": NURSE,
            "aspect": "basis",
            "confidence": 0.9,
            "text": "设定依据：《护士条例》。\n来源：护士条例",
            "sources": [{"title": "护士条例", "url": "https://example.gov.cn/law", "region": "全国"}],
        }
    aspect = "time_limit" if "多久" in text else ctx.get("aspect") or "materials"
    return {
        "kind": "answer",
        "item": NURSE,
        "guide_id": "nurse-first-national",
        "sub_item": "首次注册",
        "aspect": aspect,
        "confidence": 0.91,
        "text": "护士执业首次注册需要：护士执业资格考试成绩合格证明……"
        if aspect == "materials"
        else "法定办结时限：20个工作日。",
        "choices": [],
        "sources": [
            {"title": "护士执业注册管理办法", "url": "https://example.gov.cn/law", "region": "全国"},
            {"title": "山东省护士执业注册指南", "url": "https://example.gov.cn/sd", "region": "山东省"},
            {"title": "third", "url": "https://example.gov.cn/3", "region": None},
        ],
        "region_asked": "广州" if "广州" in text else None,  # the place the question named
        "knowledge_version": 7,
    }


class _Handler(BaseHTTPRequestHandler):
    app: FakeApp

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _reply(self, status: int, payload: Any) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _record(self, body: Any) -> Recorded:
        parts = urlsplit(self.path)
        rec = Recorded(self.command, parts.path, parse_qs(parts.query), body, self.headers.get("X-Internal-Token"))
        self.app.requests.append(rec)
        return rec

    def do_GET(self) -> None:
        self._record(None)
        self._reply(404, {"detail": "not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        rec = self._record(body)
        if rec.path == "/api/search":
            self._reply(200, _search_answer(body))
        elif rec.path == "/api/items/match":
            text = body.get("text") or ""
            if "医疗广告" in text:
                self._reply(200, {"item": AD_REVIEW, "candidates": [{**AD_REVIEW, "score": 0.9}]})
            else:
                loose = [{"code": "public-place-hygiene-permit", "name": "公共场所卫生许可", "score": 0.31}]
                self._reply(200, {"item": None, "candidates": loose})
        elif rec.path == "/api/internal/tickets/status":
            owner = body.get("session_id") == OWNER_SESSION or body.get("phone_last4") == OWNER_LAST4
            if body.get("number") == KNOWN_TICKET and owner:
                ticket = {
                    "number": KNOWN_TICKET,
                    "status": "处理中",
                    "item_name": "医疗广告审查",
                    "office": "市卫生健康委医政科",
                    "resolve_due": "2026-11-29",
                    "updated_at": "2026-11-23T10:00:00",
                    "reply": "已联系窗口核实。" if body.get("session_id") == OWNER_SESSION else None,
                }
                self._reply(200, {"visible": True, "ticket": ticket})
            elif body.get("number") == LIMITED_TICKET:
                self._reply(429, {"detail": "too many lookups"})
            else:
                self._reply(200, {"visible": False, "ticket": None})
        elif rec.path == "/api/internal/tickets":
            self._reply(
                200,
                {
                    "number": CREATED_TICKET,
                    "status": "已提交",
                    "office": "市卫生健康委医政科",
                    "ack_due": "2026-11-23",
                    "resolve_due": "2026-11-29",
                },
            )
        elif rec.path == "/api/internal/contacts/known":
            self._reply(200, {"known": body.get("masked") in VAULTED_CONTACTS})
        elif rec.path == f"/api/internal/tickets/{KNOWN_TICKET}/rating":
            if body.get("session_id") != "sess-9":
                self._reply(403, {"detail": "only the conversation that filed the ticket can rate it"})
            else:
                self._reply(200, {"ok": True})
        else:
            self._reply(404, {"detail": "not found"})


def user_event(text: str, intent: str, entities: list[dict[str, Any]] | None = None, ts: float = 1.0) -> dict[str, Any]:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": entities or []}
    return {"event": "user", "timestamp": ts, "text": text, "parse_data": parse, "message_id": f"m{ts}"}


def bot_event(text: str, ts: float = 1.0) -> dict[str, Any]:
    return {"event": "bot", "timestamp": ts, "text": text}
