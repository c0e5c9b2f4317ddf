"""FAQ entries as answer units: the `faq` rule on hand-built scores, the channel, and the quoted answer."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from knowledge.answer import Context
from knowledge.decide import rules
from knowledge.decide.faq_rule import entry_asks, faq
from knowledge.decide.guide_select import GuideSelector
from knowledge.decide.model import Decision
from knowledge.decide.situation import Facts, Situation
from knowledge.decide.tuning import Tuning
from knowledge.faq import NameStripper, faq_entries
from knowledge.places import load_places
from knowledge.query.cues import CueMatcher
from knowledge.query.lexicon import load_lexicon
from knowledge.query.model import Query
from knowledge.retrieve.faq import LazyFaqScores
from knowledge.retrieve.protocol import Scores
from knowledge.schema import Aspect
from knowledge.text_normalise import normalise

BIRTH = "birth-medical-certificate"
XIAMEN_WHO = "birth-medical-certificate.g030-shenzhen-first.faq0"  # 厦门: 哪些人可申请领取《出生医学证明》？
PREMARITAL = "premarital-medical-exam"
BOOKING = "premarital-medical-exam.g050-jilin.faq0"  # 北京: 如何办理婚检预约？
CONTRACEPTIVES = "free-contraceptives"
ONLINE_ENTRY = "free-contraceptives.f009-beijing-faq.faq1"  # 手把手教你如何在线领取免费避孕药具？
T = Tuning()
FAQ_PROBES = Path(__file__).resolve().parents[2] / "evaluation" / "data" / "faq_probes.jsonl"


@pytest.fixture(scope="module")
def facts(catalog):  # type: ignore[no-untyped-def]
    lexicon = load_lexicon()
    selector = GuideSelector(CueMatcher(lexicon), places=load_places())
    return Facts(catalog, selector, T, lexicon.generic_terms, lexicon.document_verbs)


def query(text: str, **kw) -> Query:  # type: ignore[no-untyped-def]
    return Query(text=text, norm=normalise(text), language="zh", **kw)


def item_answer(code: str, aspects: tuple[Aspect, ...] = (Aspect.overview,)) -> Decision:
    return Decision(kind="answer", rule="named_item", item_code=code, aspects=aspects)


def scores(code: str, faqs: dict[str, float]) -> Scores:
    return Scores(items={code: 1.0}, named={code: 1.0}, exact=frozenset({code}), faqs=faqs)


def test_the_entries_are_the_curated_faq_of_the_guides(catalog) -> None:  # type: ignore[no-untyped-def]
    entries = {e.id: e for e in faq_entries(catalog.items)}
    assert entries[XIAMEN_WHO].region == "福建省厦门市"  # its own region, not its guide's (深圳)
    assert entries[XIAMEN_WHO].guide.region == "广东省深圳市"
    assert entries[BOOKING].faq.question == "如何办理婚检预约？"


def test_a_faq_entry_asked_in_other_words_answers_for_the_item(facts) -> None:  # type: ignore[no-untyped-def]
    q = query("婚检怎么预约", aspects=(Aspect.process,), aspect_source="cue")
    s = scores(PREMARITAL, {BOOKING: 0.91})
    d = faq(item_answer(PREMARITAL, (Aspect.process,)), Situation(q, s, Context()), facts)
    assert (d.faq_id, d.rule, d.item_code) == (BOOKING, "named_item+faq", PREMARITAL)
    below = scores(PREMARITAL, {BOOKING: T.faq_min - 0.01})
    assert faq(item_answer(PREMARITAL), Situation(q, below, Context()), facts).faq_id is None


def test_a_field_the_guides_state_needs_a_closer_match(facts) -> None:  # type: ignore[no-untyped-def]
    """ "婚前医学检查收费吗" asks for the fee, which the guide states: the fee section answers it unless the
    entry is asked nearly word for word."""
    q = query("婚前医学检查收费吗", aspects=(Aspect.fee,), aspect_source="cue")
    near = scores(PREMARITAL, {BOOKING: (T.faq_min + T.faq_min_over_field) / 2})
    assert faq(item_answer(PREMARITAL, (Aspect.fee,)), Situation(q, near, Context()), facts).faq_id is None
    same = scores(PREMARITAL, {BOOKING: T.faq_min_over_field})
    assert faq(item_answer(PREMARITAL, (Aspect.fee,)), Situation(q, same, Context()), facts).faq_id == BOOKING
    # the same score from the learned head's aspect (no cue in the question) takes the lower bar
    guessed = query("婚前医学检查收费吗", aspects=(Aspect.fee,), aspect_source="predictor")
    assert faq(item_answer(PREMARITAL), Situation(guessed, near, Context()), facts).faq_id == BOOKING


def test_a_field_no_guide_states_takes_only_an_entry_that_asks_for_it(facts) -> None:  # type: ignore[no-untyped-def]
    """ "婚检去哪里办" asks where; no 婚检 guide states the place, and the booking entry (如何办理婚检预约) does not
    say it either: the guide's honest "本指南未载明" stands unless the entry is asked nearly word for word. An entry
    whose own question asks for the field ("…如何在线领取…" for "网上怎么领") takes the lower bar."""
    where = query("婚检去哪里办", aspects=(Aspect.location,), aspect_source="cue")
    near = scores(PREMARITAL, {BOOKING: (T.faq_min + T.faq_min_over_field) / 2})
    assert faq(item_answer(PREMARITAL, (Aspect.location,)), Situation(where, near, Context()), facts).faq_id is None
    same = scores(PREMARITAL, {BOOKING: T.faq_min_over_field})
    assert faq(item_answer(PREMARITAL, (Aspect.location,)), Situation(where, same, Context()), facts).faq_id == BOOKING
    how = query("婚检怎么预约", aspects=(Aspect.process,), aspect_source="cue")  # an open aspect: the lower bar
    assert faq(item_answer(PREMARITAL, (Aspect.process,)), Situation(how, near, Context()), facts).faq_id == BOOKING
    online = query("免费的避孕套网上怎么领", aspects=(Aspect.online,), aspect_source="cue")
    s = scores(CONTRACEPTIVES, {ONLINE_ENTRY: (T.faq_min + T.faq_min_over_field) / 2})
    d = faq(item_answer(CONTRACEPTIVES, (Aspect.online,)), Situation(online, s, Context()), facts)
    assert d.faq_id == ONLINE_ENTRY


def test_an_entrys_own_question_is_read_without_its_items_names(facts) -> None:  # type: ignore[no-untyped-def]
    entries = {e.id: e for e in facts.faqs.values()}
    assert entry_asks(entries[ONLINE_ENTRY], facts) == {Aspect.online}  # 免费 is the item's name, not a fee
    assert entry_asks(entries[BOOKING], facts) == {Aspect.process}


def test_an_entry_answers_only_for_the_places_its_region_covers(facts) -> None:  # type: ignore[no-untyped-def]
    s = scores(BIRTH, {XIAMEN_WHO: 0.95})
    for text, region, hint, expected in [
        ("厦门哪些孩子能领出生医学证明", "厦门", None, XIAMEN_WHO),
        ("福建哪些孩子能领出生医学证明", "福建", None, None),  # a province: the city's FAQ does not cover it
        ("深圳哪些孩子能领出生医学证明", "深圳", None, None),
        ("哪些孩子能领出生医学证明", None, "深圳", None),  # the conversation's place counts too
        ("哪些孩子能领出生医学证明", None, None, XIAMEN_WHO),
    ]:
        q = query(text, region=region, region_hint=hint)
        assert faq(item_answer(BIRTH), Situation(q, s, Context()), facts).faq_id == expected, text


def test_only_the_decided_items_entries_and_only_item_answers(facts) -> None:  # type: ignore[no-untyped-def]
    q = query("婚检怎么预约")
    s = scores(PREMARITAL, {BOOKING: 0.99})
    assert faq(item_answer(BIRTH), Situation(q, s, Context()), facts).faq_id is None
    for other in (
        Decision(kind="clarify", rule="close_call", clarify_items=(PREMARITAL, BIRTH)),
        Decision(kind="no_answer", rule="weak_match"),
        Decision(kind="answer", rule="item_and_policy", item_code=PREMARITAL, policy_id="p1"),
    ):
        assert faq(other, Situation(q, s, Context()), facts) == other


def test_a_faq_entry_answers_before_the_sub_items_are_asked(facts) -> None:  # type: ignore[no-untyped-def]
    """出生医学证明's sub-items state their conditions differently: a conditions question is asked back, unless
    a FAQ entry answers exactly what was asked ("非婚生的孩子能不能领")."""
    q = query("非婚生的孩子能不能领出生医学证明", aspects=(Aspect.conditions,), aspect_source="cue")
    plain = rules.decide(Situation(q, scores(BIRTH, {}), Context()), facts)
    assert plain.kind == "clarify" and plain.clarify_sub_items
    d = rules.decide(Situation(q, scores(BIRTH, {XIAMEN_WHO: 0.91}), Context()), facts)
    assert (d.kind, d.faq_id, d.clarify_sub_items) == ("answer", XIAMEN_WHO, ())


def test_item_names_are_taken_out_before_questions_are_compared(catalog) -> None:  # type: ignore[no-untyped-def]
    names = NameStripper([n for i in catalog.items for n in (i.name, *i.aliases)])
    assert names.strip(normalise("出生证明上宝宝的名字有什么要求")) == "上宝宝的名字有什么要求"
    assert names.strip(normalise("《出生医学证明》由谁签发？")) == "由谁签发?"
    assert names.strip("怎么预约") == "怎么预约"


def test_the_faq_channel_and_the_quoted_answer(fake_engine) -> None:  # type: ignore[no-untyped-def]
    """The channel scores a question against every entry's question (identical words: cosine 1); the answer quotes
    the entry verbatim with its source and region."""
    trace = fake_engine.trace("婚检如何办理婚检预约？")
    assert trace.scores.faqs[BOOKING] == pytest.approx(1.0, abs=1e-5)
    answer = trace.answer
    entry = {e.id: e for e in faq_entries(fake_engine.catalog.items)}[BOOKING]
    assert answer.kind == "answer" and answer.faq_id == BOOKING and answer.item.code == PREMARITAL
    assert entry.faq.answer in answer.text and entry.faq.question in answer.text
    assert entry.faq.source.title in answer.text and "北京市" in answer.text
    assert [s.url for s in answer.sources] == [entry.faq.source.url]


def test_faq_scores_are_computed_once_and_only_when_read() -> None:
    calls: list[int] = []

    def compute() -> dict[str, float]:
        calls.append(1)
        return {BOOKING: 0.9}

    lazy = LazyFaqScores(compute)
    assert not lazy.computed and calls == []
    assert lazy.get("other") is None and lazy[BOOKING] == 0.9
    assert dict(lazy) == {BOOKING: 0.9} and len(lazy) == 1
    assert lazy.computed and calls == [1]


@pytest.mark.slow
def test_the_faq_decision_on_the_probes_is_the_same_when_the_scores_are_read_lazily(real_engine) -> None:  # type: ignore[no-untyped-def]
    """Every FAQ probe, on the real model: the decision with the FAQ channel's scores computed only when a rule
    reads them equals the decision with every score computed first (as before round 5 of docs/design/speed.md).
    The question's second embedding is skipped only where the decided item has no FAQ entries."""
    probes = [json.loads(line) for line in FAQ_PROBES.read_text(encoding="utf-8").splitlines() if line.strip()]
    with_faq = {e.item_code for e in faq_entries(real_engine.catalog.items)}
    skipped = answered_from_faq = 0
    for probe in probes:
        query = real_engine.analyse(probe["text"])
        scores = real_engine.retrieve(query)
        lazy = rules.decide(Situation(query, scores, Context()), real_engine.facts)
        assert isinstance(scores.faqs, LazyFaqScores)
        if not scores.faqs.computed:
            skipped += 1
            assert lazy.kind != "answer" or lazy.item_code not in with_faq or lazy.policy_id, probe["text"]
        fresh = real_engine.retrieve(query)
        eager = replace(fresh, faqs=dict(fresh.faqs))
        assert lazy == rules.decide(Situation(query, eager, Context()), real_engine.facts), probe["text"]
        assert dict(scores.faqs) == eager.faqs
    for probe in probes:
        answered_from_faq += real_engine.ask(probe["text"]).faq_id is not None
    assert answered_from_faq > 0  # the comparison covers decisions a FAQ entry made
    assert skipped > 0  # and questions that never paid for the second embedding
