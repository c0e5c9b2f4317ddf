"""First questions of a conversation (round 8): another department's service asked about beside our item, and a policy
named in the citizen's own words, on hand-built `Query` and `Scores` (no retrieval)."""

from __future__ import annotations

from knowledge.answer import Context
from knowledge.decide import turn_away
from knowledge.decide.how_fallback import how_with_conditions
from knowledge.decide.model import Decision
from knowledge.decide.rules import decide
from knowledge.decide.situation import Facts, Situation
from knowledge.query.lexicon import load_lexicon
from knowledge.query.model import Referral
from knowledge.schema import Aspect
from tests.support.decide import query, scores

CLINIC = "clinic-filing"
LICENCE = Referral("营业执照", "市场监督管理部门")


def test_every_asking_clause_about_the_keyword_is_the_other_departments_question(facts: Facts) -> None:
    named = scores({CLINIC: 1.09}, exact=(CLINIC,))
    theirs = query("开诊所要办营业执照吗 营业执照咋办", referral=LICENCE)  # our item only says what the business is
    d = decide(Situation(theirs, named, Context()), facts)
    assert (d.kind, d.rule, d.referral) == ("no_answer", "referral", LICENCE)
    # one asking clause, naming our item: a paper our item asks for (the named item answers)
    paper = query("诊所备案需要营业执照吗", referral=LICENCE)
    assert turn_away.referral(Situation(paper, named, Context()), facts) is None
    # a second question about our item itself
    ours = query("开诊所要办营业执照吗，诊所备案多久能办好", referral=LICENCE)
    assert turn_away.referral(Situation(ours, named, Context()), facts) is None


def test_a_bad_rating_in_the_citizens_words_names_the_rating_policy() -> None:
    aliases = load_lexicon().policy_cues.aliases
    assert {aliases[w] for w in ("打个差评", "给差评", "差评渠道")} == {"好差评"}


def test_asking_to_be_spared_a_fine_names_the_first_violation_policy() -> None:
    aliases = load_lexicon().policy_cues.aliases
    assert {aliases[w] for w in ("能不能不罚", "可以不罚", "免罚")} == {"首违不罚"}


MULTI_SITE = "physician-multi-site-practice"  # its one guide (the law) states the conditions, no process


def test_how_to_go_about_it_where_the_guide_states_only_conditions(facts: Facts) -> None:
    named = scores({MULTI_SITE: 1.1}, exact=(MULTI_SITE,))
    how = query("我想在两家医院多点执业 咋弄", aspects=(Aspect.process,), aspect_source="cue")
    d = decide(Situation(how, named, Context()), facts)
    assert (d.kind, d.aspects, d.rule) == ("answer", (Aspect.process, Aspect.conditions), "named_item+conditions")
    plain = Decision(kind="answer", rule="named_item", item_code=MULTI_SITE, aspects=(Aspect.materials,))
    assert how_with_conditions(plain, facts) == plain  # another aspect: as it was
    stated = Decision(
        kind="answer", rule="named_item", item_code="radiation-worker-certificate", aspects=(Aspect.process,)
    )
    assert how_with_conditions(stated, facts) == stated  # its guide states the process: that is the answer
