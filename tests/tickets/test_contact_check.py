"""The action server asks whether a masked number has a full number behind it before accepting it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.tickets import contact_vault

from .conftest import create_user, login, ticket_body


def test_known_only_for_numbers_the_gateway_kept(client: TestClient) -> None:
    contact_vault.remember("sess-citizen-1", "138****8000", "13800138000")
    ask = {"session_id": "sess-citizen-1", "masked": "138****8000"}
    assert client.post("/api/internal/contacts/known", json=ask).json() == {"known": True}
    typed = {"session_id": "sess-citizen-1", "masked": "138****0000"}  # typed with the stars by the citizen
    assert client.post("/api/internal/contacts/known", json=typed).json() == {"known": False}
    other = {"session_id": "sess-other", "masked": "138****8000"}
    assert client.post("/api/internal/contacts/known", json=other).json() == {"known": False}
    # The number reaches the ticket (and leaves the vault).
    number = client.post("/api/internal/tickets", json=ticket_body()).json()["number"]
    assert client.post("/api/internal/contacts/known", json=ask).json() == {"known": False}
    create_user("desk", "password-desk", role="admin")
    login(client, "desk", "password-desk")
    assert client.get(f"/api/desk/tickets/{number}").json()["contact"] == "13800138000"
