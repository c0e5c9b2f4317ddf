"""First questions of a conversation (round 10): an item that has only FAQ entries, the place asked of a guide that
states only the online service, a policy the learned kind is sure of beside an item, sub-items labelled at an entry's
end, the first registration in the citizen's words, and chance bigrams not voting for a sub-item — on hand-built
`Query` and `Scores` (no retrieval) or the curated guides."""

from __future__ import annotations

from knowledge.answer import Context
from knowledge.decide.faq_rule import faq, faq_only
from knowledge.decide.how_fallback import where_with_online
from knowledge.decide.model import Decision
from knowledge.decide.rules import decide
from knowledge.decide.situation import Facts, Situation
from knowledge.query.cues import CueMatcher
from knowledge.query.lexicon import load_lexicon
from knowledge.retrieve.protocol import ChannelScores, Scores
from knowledge.schema import Aspect
from tests.support.decide import query, scores

CONTRACEPTIVES = "free-contraceptives"
OFFLINE_ENTRY = "free-contraceptives.f009-beijing-faq.faq0"  # 手把手教你如何线下领取免费避孕药具？
ONLINE_ENTRY = "free-contraceptives.f009-beijing-faq.faq1"  # 手把手教你如何在线领取免费避孕药具？
VECTOR = "vector-control-service-filing"
SETUP = "medical-institution-setup-approval"
NURSE = "nurse-practice-registration"
PUBLIC_PLACE = "public-place-health-permit"
SOCIAL_POINT = "compiled-plan-fragment.p01"  # 社会办医: 设置审批…不得以任何理由限制 (relates to 设置审批)
LENIENT_POINT = "compiled-plan-fragment.p02"  # 包容审慎监管 (relates to no item)


def _answer(code: str, *aspects: Aspect, region: str | None = None) -> Decision:
    return Decision(kind="answer", rule="best_item", item_code=code, aspects=aspects, region=region, confidence=0.9)


def test_an_item_with_faq_entries_only_answers_with_the_entry_that_asks_no_other_field(facts: Facts) -> None:
    assert faq_only(facts, CONTRACEPTIVES) and not faq_only(facts, NURSE)
    # the two entries score alike (0.88): too low for the threshold, and the online one a hair higher
    faqs = {OFFLINE_ENTRY: 0.878, ONLINE_ENTRY: 0.879}
    where = Situation(
        query("北京哪里能免费领避孕套", aspects=(Aspect.location,), aspect_source="cue"),
        Scores(items={CONTRACEPTIVES: 1.1}, faqs=faqs),
        Context(),
    )
    assert faq(_answer(CONTRACEPTIVES, Aspect.location), where, facts).faq_id == OFFLINE_ENTRY  # not 在线领取
    online = Situation(
        query("免费的避孕套网上怎么领", aspects=(Aspect.online,), aspect_source="cue"),
        Scores(items={CONTRACEPTIVES: 1.1}, faqs={OFFLINE_ENTRY: 0.9, ONLINE_ENTRY: 0.85}),
        Context(),
    )
    assert faq(_answer(CONTRACEPTIVES, Aspect.online), online, facts).faq_id == ONLINE_ENTRY
    # an item whose guides state fields keeps its threshold: the same low scores quote nothing
    nurse = Situation(
        query("护士注册在哪办", aspects=(Aspect.location,), aspect_source="cue"),
        Scores(items={NURSE: 1.1}, faqs={f"{NURSE}.g001-national-first.faq0": 0.88}),
        Context(),
    )
    assert faq(_answer(NURSE, Aspect.location), nurse, facts).faq_id is None


def test_the_place_asked_of_a_guide_stating_only_the_online_service_gets_both(facts: Facts) -> None:
    shanghai = where_with_online(_answer(VECTOR, Aspect.location, region="上海"), facts)
    assert shanghai.aspects == (Aspect.location, Aspect.online) and shanghai.rule == "best_item+online"
    stated = _answer("disinfection-product-manufacturer-permit", Aspect.location, region="渭南")  # 54号窗口
    assert where_with_online(stated, facts).aspects == (Aspect.location,)
    assert where_with_online(_answer(VECTOR, Aspect.materials, region="上海"), facts).aspects == (Aspect.materials,)


def test_a_policy_the_learned_kind_is_sure_of_beside_a_named_item_answers_both(facts: Facts) -> None:
    text = "我们是民间资本想办医院，设置审批会不会被卡着不给批"

    def situation(policy_prob: float, point: float) -> Situation:
        dense = ChannelScores(items={SETUP: 0.922, "internet-hospital": 0.903}, points={SOCIAL_POINT: point})
        retrieved = Scores(
            items={SETUP: 1.137, "internet-hospital": 0.961},
            points={SOCIAL_POINT: point},
            named={SETUP: 0.9},
            exact=frozenset({SETUP}),
            channels={"dense": dense},
        )
        probs = {"policy": policy_prob, "in_domain": 1 - policy_prob}
        return Situation(query(text, kind="policy", kind_probs=probs), retrieved, Context())

    d = decide(situation(0.88, 0.906), facts)
    assert (d.rule, d.item_code, d.policy_id) == ("item_and_policy_by_kind", SETUP, SOCIAL_POINT)
    assert decide(situation(0.5, 0.906), facts).policy_id is None  # the head not sure
    assert decide(situation(0.88, 0.88), facts).policy_id is None  # the point too far below the item


def test_a_generic_word_of_the_items_name_beside_a_policy_answers_both(facts: Facts) -> None:
    text = "我开理发店第一次没办卫生许可证就被查了，能不能不罚"
    asked = query(text, policy_names=("首违不罚",), policy_cues=("首违不罚",), generic=True)
    clear = scores({PUBLIC_PLACE: 0.985, "water-supply-unit-permit": 0.926}, points={LENIENT_POINT: 0.92})
    d = decide(Situation(asked, clear, Context()), facts)
    assert (d.item_code, d.policy_id) == (PUBLIC_PLACE, LENIENT_POINT)
    after_policy = Context(item_code=f"policy:{LENIENT_POINT}", policy_id=LENIENT_POINT)  # a policy answered before
    d = decide(Situation(asked, clear, after_policy), facts)
    assert (d.item_code, d.policy_id) == (PUBLIC_PLACE, LENIENT_POINT)
    plain = query("开理发店第一次被查了，能不能不罚", policy_names=("首违不罚",), policy_cues=("首违不罚",))
    assert decide(Situation(plain, clear, Context()), facts).item_code is None  # no word of its name


def test_entries_labelled_at_their_end_tell_the_sub_items_apart(facts: Facts) -> None:
    item = facts.catalog.item_by_code[VECTOR]
    differing = facts.selector.differing_sub_items(item, (Aspect.materials,), "上海")
    assert [c for c, _ in differing] == ["首次", "变更", "注销"]  # "（首次备案）", "（变更/注销，摘录截断）"


def test_the_first_registration_in_the_citizens_words() -> None:
    cues = CueMatcher(load_lexicon())
    assert cues.sub_item("我2019年就考过护士资格了，一直在家带孩子没注册，现在还能注册吗") == "首次"
    assert cues.sub_item("护士资个考试过了四年了还能住册吗") == "首次"
    assert cues.sub_item("护士证快到期了还没注册延续") == "延续"  # the renewal's own cue outranks it


def test_a_bigram_across_a_function_character_does_not_vote_for_a_sub_item(facts: Facts) -> None:
    item = facts.catalog.item_by_code[NURSE]
    differing = facts.selector.differing_sub_items(item, (Aspect.materials,), None)
    words = facts.sub_item_words
    assert words.sub_item_named(item, "我是养老院的护理主管，院里有几个护士的证要处理，注册要带啥", differing) is None
    assert words.sub_item_named(item, "护士资格考试过了好几年才去注册还行吗", differing, min_votes=1) == "首次"
