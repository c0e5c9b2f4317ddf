"""The gate verdict as Rasa's NLU component receives it: the REST-channel metadata `{"gate": {...}}` the app
sends with a typed message (`bot/chat/gate.py`), validated into a plain dict (pure logic, no Rasa import)."""

from __future__ import annotations

from typing import Any

KIND_TO_INTENT = {
    "other_department": "ask_item",
    "complaint": "report_problem",
    "in_domain": "ask_item",
    "policy": "ask_item",
}
# Flags the gate sets only when true; anything else (absent, false, a string) leaves them out.
FLAGS = ("asks_human", "medical_advice", "asks", "question", "complains", "ticket_status")


def gate_of(metadata: Any) -> dict[str, Any] | None:
    """The gate verdict in a message's metadata, validated, or None."""
    if not isinstance(metadata, dict):
        return None
    gate = metadata.get("gate")
    if not isinstance(gate, dict) or gate.get("kind") not in (*KIND_TO_INTENT, "smalltalk"):
        return None
    confidence = gate.get("confidence")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        return None
    verdict = {"kind": gate["kind"], "confidence": float(confidence), "confident": bool(gate.get("confident"))}
    beyond = gate.get("beyond_smalltalk")
    if isinstance(beyond, int) and not isinstance(beyond, bool) and beyond >= 0:
        verdict["beyond_smalltalk"] = beyond
    for flag in FLAGS:
        if gate.get(flag) is True:
            verdict[flag] = True
    if gate.get("followup") is True:
        verdict["followup"] = True
        if gate.get("followup_aspect") is True:
            verdict["followup_aspect"] = True
    if gate.get("clarify_reply") is True:
        verdict["clarify_reply"] = True
    complaint = gate.get("complaint")
    if isinstance(complaint, int | float) and not isinstance(complaint, bool) and 0.0 <= complaint <= 1.0:
        verdict["complaint"] = float(complaint)
    elif "followup" in verdict or "clarify_reply" in verdict:
        verdict["complaint"] = 1.0  # unknown: never overrides DIET's complaint
    return verdict
