"""The console tools over HTTP: roles, the import (dry run, drafts, bad input), the hit test, the review list."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from .conftest import TODAY, as_user
from .sheets import HEADERS, csv_bytes, row, xlsx

NURSE = "nurse-practice-registration"  # office 行政审批科
BIRTH = "birth-medical-certificate"  # office 妇幼健康科
REGION = "浙江省杭州市"


def open_drafts() -> list[Any]:
    from bot.console import versions
    from bot.db import session_scope

    with session_scope() as session:
        drafts = versions.open_drafts(session)
        return [(d.key, d.author, d.status, d.body) for d in drafts]


def upload(
    client: TestClient, data: bytes, filename: str = "guides.xlsx", *, dry_run: bool = False, **form: str
) -> Any:
    fields = {"region": REGION, **form}
    return client.post(
        "/api/console/import" + ("?dry_run=1" if dry_run else ""),
        files={"file": (filename, data, "application/octet-stream")},
        data=fields,
    )


def test_handlers_get_403_everywhere(app_client: TestClient) -> None:
    as_user(app_client, "handler1")
    assert app_client.post("/api/console/hit-test", json={"question": "护士注册要什么材料"}).status_code == 403
    assert app_client.get("/api/console/review-list").status_code == 403
    assert upload(app_client, xlsx([row()])).status_code == 403
    assert open_drafts() == []
    app_client.cookies.clear()
    assert app_client.get("/api/console/review-list").status_code == 401


def test_dry_run_reports_rows_and_saves_nothing(app_client: TestClient) -> None:
    as_user(app_client, "editor-approval")
    resp = upload(app_client, xlsx([row(), row(statutory="30日")]), dry_run=True)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["dry_run"] is True and body["total_rows"] == 2 and body["valid_rows"] == 1
    assert body["rows"][0]["ok"] and body["rows"][0]["action"] == "new_guide"
    assert body["rows"][1]["errors"] == [
        {"column": "法定办结时限", "message": "办结时限“30日”不是工作日：请写成“20个工作日”或“即办”"}
    ]
    assert body["drafts"] == [{"item_code": NURSE, "draft_id": None, "revision": None, "status": None, "rows": [2]}]
    assert open_drafts() == []


def test_import_saves_valid_rows_as_drafts_of_the_importing_user(app_client: TestClient) -> None:
    as_user(app_client, "editor-approval")
    rows = [row(), row(sub_item="延续注册"), row(statutory="尽快")]
    resp = upload(app_client, csv_bytes(rows, encoding="gb18030"), "张三13812348000.csv")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert [r["ok"] for r in body["rows"]] == [True, True, False]
    assert body["drafts"][0]["item_code"] == NURSE and body["drafts"][0]["rows"] == [2, 3]
    [(key, author, status, document)] = open_drafts()
    assert (key, author, status) == (NURSE, "editor-approval", "editing")  # a draft, not published
    assert body["filename"] == "张三138****8000.csv"  # a phone number in the file name is masked
    assert "13812348000" not in str(document)
    regional = [g for g in document["guides"] if g["region"] == REGION]
    assert sorted(g["sub_item"] for g in regional) == ["延续注册", "首次注册"]
    published = app_client.get(f"/api/console/items/{NURSE}").json()["published"]
    assert all(g["region"] != REGION for g in published["guides"])


def test_imported_drafts_can_go_to_review_at_once_and_then_head_the_review_list(app_client: TestClient) -> None:
    as_user(app_client, "editor-approval")
    resp = upload(app_client, xlsx([row()]), submit="1")
    assert resp.status_code == 200, resp.text
    assert resp.json()["drafts"][0]["status"] == "submitted"
    assert [(k, s) for k, _, s, _ in open_drafts()] == [(NURSE, "submitted")]
    first = app_client.get("/api/console/review-list").json()["rows"][0]
    assert (first["reason"], first["item_code"], first["office"]) == ("pending_draft", NURSE, "行政审批科")
    assert "editor-approval" in first["message"] and first["draft_id"] == resp.json()["drafts"][0]["draft_id"]


def test_an_editor_imports_only_into_their_own_office(app_client: TestClient) -> None:
    as_user(app_client, "editor-mch")
    resp = upload(app_client, xlsx([row(), row("出生医学证明", sub_item="首次签发")]))
    assert resp.status_code == 200, resp.text
    first, second = resp.json()["rows"]
    assert not first["ok"] and "行政审批科" in first["errors"][0]["message"]
    assert second["ok"] and second["item_code"] == BIRTH
    assert [(k, a) for k, a, _, _ in open_drafts()] == [(BIRTH, "editor-mch")]


def test_a_code_of_an_item_named_otherwise_is_refused(app_client: TestClient) -> None:
    as_user(app_client, "reviewer1")
    headers = [*HEADERS, "事项编码", "类别", "责任科室"]
    resp = upload(app_client, xlsx([[*row("出生医学证明"), NURSE, "护理", "行政审批科"]], headers=headers))
    assert resp.status_code == 200
    assert [e["column"] for e in resp.json()["rows"][0]["errors"]] == ["事项编码"]
    assert open_drafts() == []


def test_the_store_rules_reach_the_row_report(app_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The import asks the store's own validation (the rules of make validate) about each document."""
    from bot.console import drafts, errors

    def refuse(session: Any, kind: str, key: str, body: Any) -> None:
        raise errors.DraftInvalid([errors.FieldError("guides.3.fee", "收费须写明标准")])

    monkeypatch.setattr(drafts, "check_document", refuse)
    as_user(app_client, "reviewer1")
    resp = upload(app_client, xlsx([row()]))
    assert resp.status_code == 200
    assert resp.json()["rows"][0]["errors"] == [{"column": "收费", "message": "收费须写明标准"}]
    assert resp.json()["drafts"] == []
    assert open_drafts() == []


def test_too_large_upload_is_413_and_changes_nothing(app_client: TestClient) -> None:
    as_user(app_client, "reviewer1")
    big = b"a" * (10 * 1024 * 1024)
    resp = upload(app_client, big, "big.csv")
    assert resp.status_code == 413 and "文件过大" in resp.json()["detail"]

    def chunks() -> Any:  # no Content-Length: the streamed body is cut off at the limit
        boundary = b"--xyz"
        yield boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        for _ in range(40):
            yield b"b" * (256 * 1024)
        yield b"\r\n" + boundary + b"--\r\n"

    resp = app_client.post(
        "/api/console/import", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=xyz"}
    )
    assert resp.status_code == 413
    assert open_drafts() == []


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("empty.csv", b"", "文件为空"),
        ("broken.xlsx", b"PK\x03\x04broken" * 20, "损坏"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "无法识别"),
        ("few-columns.csv", "事项名称,子项\n护士执业注册,首次注册\n".encode(), "缺少必需的列：申请材料"),
    ],
)
def test_malformed_spreadsheets_are_400_and_change_nothing(
    app_client: TestClient, filename: str, data: bytes, message: str
) -> None:
    as_user(app_client, "reviewer1")
    resp = upload(app_client, data, filename)
    assert resp.status_code == 400
    assert message in resp.json()["detail"]
    assert open_drafts() == []


def test_an_upload_without_a_file_is_400(app_client: TestClient) -> None:
    as_user(app_client, "reviewer1")
    resp = app_client.post("/api/console/import", data={"region": REGION}, files={"other": ("x", b"1")})
    assert resp.status_code == 400 and "file" in resp.json()["detail"]
    assert app_client.post("/api/console/import", json={"x": 1}).status_code == 400


def test_hit_test_shows_published_and_draft_side_by_side(app_client: TestClient) -> None:
    from bot.console.tools.draft_engine import draft_engines

    as_user(app_client, "reviewer1")
    question = {"question": "出生医学证明首次签发要带什么材料"}
    first = app_client.post("/api/console/hit-test", json=question)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["draft_differs"] is False
    for side in ("published", "draft"):
        view = body[side]
        assert view["analysis"]["aspects"][0] == "materials"
        assert view["candidates"][0]["code"] == BIRTH and view["candidates"][0]["named_exactly"]
        # The item holds FAQ entries, so the FAQ channel finds it too (knowledge/retrieve/faq.py).
        assert set(view["candidates"][0]["channels"]) == {"dense", "bm25", "names", "faq"}
        assert view["decision"]["rule"] == "named_item"
        assert view["answer"]["sources"] and view["guides"][0]["item_code"] == BIRTH
    assert body["published"]["answer"]["text"] == body["draft"]["answer"]["text"]

    # A draft changes the material list: the draft side answers with it, the published side does not.
    item = app_client.get(f"/api/console/items/{BIRTH}").json()
    document = item["document"]
    guide_id = body["published"]["guides"][0]["id"]
    guide = next(g for g in document["guides"] if g["id"] == guide_id)
    guide["materials"] = [{"name": "草稿里新加的材料"}, *guide["materials"]]
    saved = app_client.put(
        f"/api/console/items/{BIRTH}/draft",
        json={"document": document, "base_revision": None, "base_version": item["version"], "note": "test"},
    )
    assert saved.status_code == 200, saved.text
    second = app_client.post("/api/console/hit-test", json=question).json()
    assert second["draft_differs"] is True
    assert "草稿里新加的材料" in second["draft"]["answer"]["text"]
    assert "草稿里新加的材料" not in second["published"]["answer"]["text"]
    builds = draft_engines().builds
    third = app_client.post("/api/console/hit-test", json=question).json()
    assert draft_engines().builds == builds == 1  # the same draft content reuses its engine
    assert third["draft"]["answer"]["text"] == second["draft"]["answer"]["text"]


def test_review_list_rows_with_owner_and_link(app_client: TestClient) -> None:
    as_user(app_client, "editor-mch")
    resp = app_client.get("/api/console/review-list")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["today"] == TODAY.isoformat() and body["max_age_days"] == 365
    assert body["total"] == len(body["rows"]) > 0
    assert all(r["office"] for r in body["rows"] if r["edit_url"].startswith("/console#item/"))
    weak = [r for r in body["rows"] if r["reason"] == "weak_source"]
    assert weak and all(r["edit_url"] == f"/console#item/{r['item_code']}" for r in weak)
    mine = app_client.get("/api/console/review-list", params={"office": "妇幼健康科"}).json()
    assert mine["rows"] and {r["office"] for r in mine["rows"]} == {"妇幼健康科"}
    only = app_client.get("/api/console/review-list", params={"reason": "empty_fields"}).json()
    assert {r["reason"] for r in only["rows"]} == {"empty_fields"}
    assert only["counts"] == body["counts"]


def test_the_whole_app_lets_the_import_bound_its_own_upload(console_env: str) -> None:
    """The app-wide body limit (256 KiB) does not cut a spreadsheet short; the import's own limit answers."""
    from bot.app import create_app
    from bot.core.security import get_security_settings

    get_security_settings.cache_clear()
    client = TestClient(create_app())  # not entered: no lifespan
    as_user(client, "reviewer1")
    padding = "（附注）" * 30_000  # about 360 kB of csv: over the app-wide limit, under the import's
    data = csv_bytes([row(), row("", sub_item=padding)], encoding="utf-8")  # the second row fails: no name
    assert 256 * 1024 < len(data) < 1024 * 1024
    resp = upload(client, data, "big-but-allowed.csv", dry_run=True)
    assert resp.status_code == 200, resp.text[:200]
    assert [r["ok"] for r in resp.json()["rows"]] == [True, False]
    too_big = upload(client, b"x" * (10 * 1024 * 1024), "big.csv")
    assert too_big.status_code == 413 and "文件过大" in too_big.json()["detail"]
    assert client.post("/api/chat", content=b"x" * 300_000).status_code == 413  # other routes keep the limit
    assert open_drafts() == []


def test_before_the_knowledge_is_imported_the_tools_say_so(app_client: TestClient) -> None:
    from sqlalchemy import delete

    from bot.console.models import KbPointer
    from bot.db import session_scope

    with session_scope() as session:
        session.execute(delete(KbPointer))
        session.commit()
    as_user(app_client, "reviewer1")
    resp = app_client.get("/api/console/review-list")
    assert resp.status_code == 404 and resp.json()["detail"] == "知识库尚未导入"
    assert upload(app_client, xlsx([row()])).status_code == 404
    assert open_drafts() == []
