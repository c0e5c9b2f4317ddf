"""The Rasa NLU component that applies the app's question gate, on Rasa's own Message objects."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from nlu_components.gate_intent import GateIntentOverride


def _message(text: str, intent: str, metadata: object, entities: list[dict[str, object]] | None = None) -> Message:
    message = Message(data={"text": text, "metadata": metadata})
    message.set("intent", {"name": intent, "confidence": 0.97}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": 0.97}], add_to_output=True)
    message.set("entities", entities or [], add_to_output=True)
    return message


def test_confident_gate_overrides_diet_and_the_rest_is_kept() -> None:
    component = GateIntentOverride()
    other = _message(
        "驾驶证到期了去哪换", "goodbye", {"gate": {"kind": "other_department", "confidence": 0.93, "confident": True}}
    )
    complaint_text = (
        "我父亲在县医院做完手术后伤口感染，医生一直不理，拖了三天才处理，现在又多住了一周院，我要投诉这家医院。"
    )
    complaint = _message(
        complaint_text, "ask_item", {"gate": {"kind": "complaint", "confidence": 0.9, "confident": True}}
    )
    ticket = _message(
        "查一下工单BBC-20261122-0007",
        "ask_ticket_status",
        {"gate": {"kind": "other_department", "confidence": 0.99, "confident": True}},
        entities=[{"entity": "ticket_number", "value": "BBC-20261122-0007"}],
    )
    no_gate = _message("再见", "goodbye", None)
    bare_number = _message(  # DIET tags "60" as a ticket number: not one, so the gate decides
        "企业职工明年满60，退休手续在哪里办",
        "ask_ticket_status",
        {"gate": {"kind": "other_department", "confidence": 0.9, "confident": True}},
        entities=[{"entity": "ticket_number", "value": "60"}],
    )
    out = component.process([other, complaint, ticket, no_gate, bare_number])
    assert out[0].get("intent")["name"] == "ask_item"
    assert out[0].get("intent_ranking")[0]["name"] == "ask_item"
    assert out[1].get("intent")["name"] == "report_problem"
    assert out[2].get("intent")["name"] == "ask_ticket_status"
    assert out[3].get("intent")["name"] == "goodbye"
    assert out[4].get("intent")["name"] == "ask_item"
    assert "intent" in out[0].as_dict(only_output_properties=True)


def test_a_narrative_the_app_is_sure_asks_is_a_question_whatever_diet_saw() -> None:
    text = (
        "我在县医院当了八年护士，今年打算去社区卫生服务中心上班，听同事说换了单位护士证要重新注册，"
        "也有人说只要变更一下就行，到底要办哪个手续？"
    )
    sure = {"gate": {"kind": "in_domain", "confidence": 0.8, "confident": True, "asks": True}}
    unsure = {"gate": {"kind": "in_domain", "confidence": 0.8, "confident": True}}
    out = GateIntentOverride().process(
        [_message(text, "report_problem", sure), _message(text, "report_problem", unsure)]
    )
    assert out[0].get("intent")["name"] == "ask_item"
    assert out[1].get("intent")["name"] == "report_problem"


def test_diets_confidence_reaches_the_rules_a_sure_ticket_question_stays_one() -> None:
    text = "上礼拜我反映过一个事，想看看现在处理到哪一步了"
    gate = {"gate": {"kind": "complaint", "confidence": 0.6, "confident": True, "question": True}}
    sure = _message(text, "ask_ticket_status", gate)  # DIET at 0.97
    unsure = _message(text, "ask_ticket_status", gate)
    unsure.set("intent", {"name": "ask_ticket_status", "confidence": 0.5}, add_to_output=True)
    out = GateIntentOverride().process([sure, unsure])
    assert out[0].get("intent")["name"] == "ask_ticket_status"
    assert out[1].get("intent")["name"] == "report_problem"
