"""How far the tuning rows bear out each aspect cue: the evidence that arbitrates between a cue and the aspect head.

The analyse stage takes the lexicon's cue unless the learned aspect head is sure of another aspect
(`knowledge.query.predictors.combine_aspects`, strategy `cues_unless_head_sure`). "Sure" is calibrated on the head
alone; whether a particular cue deserves to be overridden is a separate, measurable question: on the question
bank's tuning rows labelled with aspects, how often does the aspect of a message's primary cue stand among its
labels? (The same rows the head learns from; the blind part is never read.)

- *confirmed*: the rows bear the cue out at least as often as the head is right when sure (`precision`, the head's
  own sure precision) over at least `min_rows` rows ("体检报告" → materials, 2 of 2): the head does not override it;
- *contradicted*: the rows give the cue's aspect less often than not ("多少天内" → conditions, 0 of 3: the rows say
  time limit): the head's ordinary (best-F1) threshold is enough to replace it;
- any other cue (too few rows, or in between): the head overrides it only when sure, as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from knowledge.query.cues import CueMatcher
from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)

MIN_ROWS = 2
CONTRADICTED_BELOW = 0.5


@dataclass(frozen=True)
class CueEvidence:
    confirmed: frozenset[str] = field(default_factory=frozenset)
    contradicted: frozenset[str] = field(default_factory=frozenset)


def cue_evidence(
    rows: Iterable[tuple[str, Iterable[str]]],
    matcher: CueMatcher,
    precision: float,
    min_rows: int = MIN_ROWS,
) -> CueEvidence:
    """The confirmed and contradicted cues over (text, labelled aspects) rows, by each row's primary cue."""
    seen: Counter[str] = Counter()
    borne: Counter[str] = Counter()
    for text, labels in rows:
        hits = matcher.aspect_hits(normalise(text))
        if not hits:
            continue
        cue = hits[0]
        seen[cue.cue] += 1
        borne[cue.cue] += cue.aspect.value in set(labels)
    confirmed = frozenset(c for c, n in seen.items() if n >= min_rows and borne[c] / n >= precision)
    contradicted = frozenset(c for c, n in seen.items() if n >= min_rows and borne[c] / n < CONTRADICTED_BELOW)
    logger.info("aspect cues on the tuning rows: %d confirmed, contradicted %s", len(confirmed), sorted(contradicted))
    return CueEvidence(confirmed, contradicted)


_REMEMBERED: dict[str, CueEvidence] = {}
_REMEMBER_AT_MOST = 4


def remembered_cue_evidence(
    rows: Iterable[tuple[str, Iterable[str]]],
    matcher: CueMatcher,
    precision: float,
    min_rows: int = MIN_ROWS,
) -> CueEvidence:
    """`cue_evidence`, computed once per process for the same rows, lexicon and thresholds.

    Every tuning row goes through the cue matcher (seconds on a loaded machine), and a publish rebuilds the engine
    with the same rows and lexicon: without this, a replica served a new knowledge version several seconds later
    than its poll found it. The key is the content (rows, the lexicon as data, the thresholds), never an object's
    identity, so a changed lexicon or row set is computed afresh."""
    listed = [(text, sorted(labels)) for text, labels in rows]
    content = [listed, matcher.lexicon.model_dump(mode="json"), precision, min_rows]
    key = hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()
    evidence = _REMEMBERED.get(key)
    if evidence is None:
        evidence = cue_evidence(listed, matcher, precision, min_rows)
        if len(_REMEMBERED) >= _REMEMBER_AT_MOST:
            _REMEMBERED.pop(next(iter(_REMEMBERED)))
        _REMEMBERED[key] = evidence
    return evidence
