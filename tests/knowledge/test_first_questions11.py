"""First questions of a conversation (round 11): an English word is a form of a name's word only by its stem, a vague
"how" about a named case asks for the case's materials however the head read it, cue words in a clause that only
tells are not what is asked, and a referral keyword in the citizen's story does not turn away a question about our
item — on invented questions, hand-built `Query` and `Scores` (no retrieval), or a stand-in head."""

from __future__ import annotations

import pytest

from knowledge.answer import Context
from knowledge.decide import turn_away
from knowledge.decide.situation import Facts, Situation
from knowledge.query.analyse import Analyser
from knowledge.query.lexicon import load_lexicon
from knowledge.query.model import Referral
from knowledge.query.predictors import Predictors
from knowledge.retrieve.names import same_stem
from knowledge.schema import Aspect
from tests.support.decide import query, scores

BIRTH = "birth-medical-certificate"
HONOUR = "only-child-parents-honor-certificate"


class FixedPredictor:
    """A stand-in head: the same probabilities for every text."""

    def __init__(self, probs: dict[str, float]) -> None:
        self.probs = probs

    def predict(self, text: str) -> dict[str, float]:
        return self.probs


def _analyser(aspects: dict[str, float]) -> Analyser:
    predictors = Predictors(aspects=FixedPredictor(aspects), aspect_strategy="cues_unless_head_sure")
    return Analyser(load_lexicon(), region_words=["杭州", "成都"], predictors=predictors)


@pytest.mark.parametrize(
    ("asked", "word", "same"),
    [
        ("interpreting", "internet", False),  # they share "inter" only
        ("interpreter", "internet", False),
        ("registered", "registration", True),
        ("registering", "register", True),
        ("licence", "license", True),
        ("hospitals", "hospital", True),
        ("clinics", "clinic", True),
        ("practitioner", "practice", True),
        ("permits", "permit", True),
        ("nursing", "nurse", False),  # four letters in common: never a form (as before)
    ],
)
def test_an_english_word_is_a_form_of_a_names_word_by_its_stem(asked: str, word: str, same: bool) -> None:
    assert same_stem(asked, word) is same


def test_interpreting_names_no_internet_hospital(catalog) -> None:  # type: ignore[no-untyped-def]
    from knowledge.retrieve.names import NameMatcher

    matcher = NameMatcher(catalog.items)
    text = "i am interpreting for a doctor from abroad who will work at a hospital here for two months"
    assert "internet-hospital" not in {h.item_code for h in matcher.match(text)}
    assert "internet-hospital" in {h.item_code for h in matcher.match("can our hospitals run an internet clinic")}


def test_a_vague_how_about_a_named_case_asks_for_its_materials_whatever_the_head_says() -> None:
    # the head reads the place as the asked aspect; the vague how about a lost paper still asks what to bring
    q = _analyser({"location": 0.9, "materials": 0.2, "process": 0.2}).analyse("孩子的证明搞丢了咋整 成都的")
    assert q.sub_item == "补发"
    assert q.aspects == (Aspect.materials, Aspect.process)


def test_a_cue_in_a_clause_that_only_tells_is_not_what_is_asked() -> None:
    # 关门 (office hours) and 周末 tell the citizen's story; the asking clause carries no cue; the head disagrees
    head = {"location": 0.1, "process": 0.8, "conditions": 0.3}
    q = _analyser(head).analyse("店子年底要关门了，以前办的那个证要交回去吗")
    assert Aspect.location not in q.aspects and q.aspects[:1] == (Aspect.process,)
    q = _analyser({"location": 0.1, "conditions": 0.2}).analyse("周末想去朋友的诊所帮忙，这样合规吗")
    assert Aspect.location not in q.aspects
    # asked in its own clause, or borne out by the head, the cue stands
    assert _analyser(head).analyse("你们周末上班吗").aspects[:1] == (Aspect.location,)
    assert _analyser({"location": 0.9}).analyse("下周要去办，周末能不能办，").aspects[:1] == (Aspect.location,)


def _situation(text: str, keyword: str, department: str, clauses: tuple[str, ...], *exact: str) -> Situation:
    q = query(text, referral=Referral(keyword, department), question_clauses=clauses, asks=True)
    return Situation(q, scores(dict.fromkeys(exact, 1.1), exact=exact), Context())


def test_a_referral_keyword_in_the_story_leaves_the_question_about_our_item(facts: Facts) -> None:
    # the keyword tells why (上户口), our item stands in another telling clause, the asking clause is about our item
    told = _situation(
        "下个月要给娃上户口，出生医学证明找不到了，补一张要带啥", "上户口", "公安机关", ("补一张要带啥",), BIRTH
    )
    assert turn_away.referral(told, facts) is None
    told = _situation("单位要办退休手续，光荣证早丢了，还能补吗", "退休", "人社部门", ("还能补吗",), HONOUR)
    assert turn_away.referral(told, facts) is None
    # the asking clause asks for the other department's service: theirs
    asked = _situation(
        "出生医学证明已经拿到了，上户口去哪个派出所办", "上户口", "公安机关", ("上户口去哪个派出所办",), BIRTH
    )
    decision = turn_away.referral(asked, facts)
    assert decision is not None and decision.rule == "referral"
