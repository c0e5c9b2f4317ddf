"""The tuning rows' evidence for each aspect cue, and how it arbitrates between a cue and the aspect head."""

from __future__ import annotations

from knowledge.learned.cue_evidence import cue_evidence, remembered_cue_evidence
from knowledge.query.cues import CueHit, CueMatcher
from knowledge.query.lexicon import load_lexicon
from knowledge.query.predictors import combine_aspects
from knowledge.schema import Aspect


def test_cues_are_confirmed_or_contradicted_by_the_rows_labels() -> None:
    matcher = CueMatcher(load_lexicon())
    rows = [
        ("护士注册要体检报告吗", ["materials"]),
        ("放射证要体检报告吗", ["materials"]),
        ("备案信息变了多少天内要去报", ["time_limit"]),
        ("开始做体检了多少天内要去备案", ["time_limit"]),
        ("收费标准是多少", ["fee"]),  # one row: too few to say anything
    ]
    evidence = cue_evidence(rows, matcher, precision=0.95)
    assert "体检报告" in evidence.confirmed
    assert "多少天内" in evidence.contradicted
    assert not ({"收费", "收费标准"} & (evidence.confirmed | evidence.contradicted))
    # half the rows bearing a cue out is neither
    mixed = cue_evidence([("体检报告哪里开", ["materials"]), ("体检报告在哪", ["location"])], matcher, 0.95)
    assert mixed.confirmed == mixed.contradicted == frozenset()


def test_evidence_arbitrates_between_the_cue_and_the_head() -> None:
    thresholds = {"location": 0.6, "materials": 0.575, "time_limit": 0.575, "conditions": 0.575}
    sure = {"location": 0.825, "time_limit": 0.95, "materials": 0.725, "conditions": 0.8}
    kw = {"thresholds": thresholds, "strategy": "cues_unless_head_sure", "sure_thresholds": sure}
    sure_location = {Aspect.location: 0.9, Aspect.materials: 0.25}
    # the head, sure, overrides a cue without evidence ...
    assert combine_aspects((Aspect.materials,), sure_location, cue_word="体检报告", **kw)[0] == (Aspect.location,)
    # ... but not one the rows confirm
    confirmed = frozenset({"体检报告"})
    got = combine_aspects((Aspect.materials,), sure_location, cue_word="体检报告", confirmed=confirmed, **kw)
    assert got == ((Aspect.materials,), "cue")
    # a contradicted cue yields to the head's ordinary labels, short of sure
    likely_time = {Aspect.time_limit: 0.94, Aspect.conditions: 0.1}
    assert combine_aspects((Aspect.conditions,), likely_time, cue_word="多少天内", **kw)[0] == (Aspect.conditions,)
    contradicted = frozenset({"多少天内"})
    got = combine_aspects((Aspect.conditions,), likely_time, cue_word="多少天内", contradicted=contradicted, **kw)
    assert got == ((Aspect.time_limit,), "predictor")
    # ... and stands when the head has no label of its own
    unsure = {Aspect.time_limit: 0.3, Aspect.conditions: 0.1}
    got = combine_aspects((Aspect.conditions,), unsure, cue_word="多少天内", contradicted=contradicted, **kw)
    assert got == ((Aspect.conditions,), "cue")


class _CountingMatcher(CueMatcher):
    """The real matcher, counting the texts it reads."""

    read = 0

    def aspect_hits(self, norm: str) -> list[CueHit]:
        type(self).read += 1
        return super().aspect_hits(norm)


def test_the_evidence_is_computed_once_for_the_same_rows_and_lexicon() -> None:
    """A publish rebuilds the engine with the same rows and lexicon: the rows are not read through the matcher again
    (it cost a replica seconds before it served the new version), but other rows or another lexicon are."""
    lexicon = load_lexicon()
    rows = [
        ("护士注册要体检报告吗", ["materials"]),
        ("放射证要体检报告吗", ["materials"]),
        ("在哪交体检报告", ["location"]),
    ]
    _CountingMatcher.read = 0
    first = remembered_cue_evidence(rows, _CountingMatcher(lexicon), 0.6)
    assert _CountingMatcher.read == 3
    again = remembered_cue_evidence(list(rows), _CountingMatcher(lexicon), 0.6)  # a new engine, the same content
    assert again == first == cue_evidence(rows, CueMatcher(lexicon), 0.6)
    assert _CountingMatcher.read == 3
    remembered_cue_evidence(rows[:2], _CountingMatcher(lexicon), 0.6)  # other rows
    assert _CountingMatcher.read == 5
    edited = lexicon.model_copy(update={"question_words": [*lexicon.question_words, "咋整"]})
    remembered_cue_evidence(rows, _CountingMatcher(edited), 0.6)  # another lexicon
    assert _CountingMatcher.read == 8
