"""Hand-built inputs for the decision rules' tests: the `Facts` the rules read, a `Query` and `Scores` made by hand
(no embedding, no retrieval), shared by `tests/knowledge/test_rules.py` and the rule-specific test files."""

from __future__ import annotations

from typing import Any

from knowledge.decide.guide_select import GuideSelector
from knowledge.decide.situation import Facts
from knowledge.decide.tuning import Tuning
from knowledge.query.cues import CueMatcher
from knowledge.query.lexicon import load_lexicon
from knowledge.query.model import Query
from knowledge.query.not_held import load_not_held
from knowledge.retrieve.protocol import Scores


def facts_for(catalog: Any) -> Facts:
    """The facts the rules read, with the curated lexicon, the not-held matters and default tuning."""
    lexicon = load_lexicon()
    selector = GuideSelector(CueMatcher(lexicon))
    return Facts(catalog, selector, Tuning(), lexicon.generic_terms, lexicon.document_verbs, load_not_held())


def query(text: str = "问题", **kw: Any) -> Query:
    """A Chinese question as the analyse stage would leave it; `norm` defaults to the text."""
    return Query(text=text, norm=kw.pop("norm", text), language="zh", **kw)


def scores(
    items: dict[str, float],
    *,
    named: tuple[str, ...] = (),
    exact: tuple[str, ...] = (),
    points: dict[str, float] | None = None,
) -> Scores:
    """Retrieval scores by hand: items named in passing (`named`) or verbatim (`exact`, named too)."""
    return Scores(items=items, points=points or {}, named={c: 1.0 for c in (*named, *exact)}, exact=frozenset(exact))
