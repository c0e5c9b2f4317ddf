"""The sentences of each curated guide, embedded once, so a question can find the one that answers it by meaning.

A question often asks what its guide states in another field than the asked aspect's, in other words than the
guide's: "办好的证能给我寄过来吗" (邮寄, in the process), "拿到证以后多久会有人来检查" (两个月内, in the note),
"单位能统一帮我们办吗" (集体办理注册手续). Such a question shares no characters with its line, so
`knowledge/compose/related.py`'s bigrams cannot find it; e5 can. At engine build every guide's lines (each field as
the answer renders it, the note, and the guide's FAQ answers) are split into sentences and embedded as e5 passages
(through the process's `CachedEmbedder`: by text hash, on disk beside the index, so a restart embeds nothing new).
At answer time the question's e5 vector — the dense channel's, computed for retrieval, never a second forward
pass — is compared with the chosen guide's sentences (one small matrix product).

`stands_out` is the decision: a sentence outside the fields the answer shows is added only when it is clearly the
best match: at least `floor`, and `margin` above the best sentence of the shown fields. Both are calibrated on the
tuning sets only (`evaluation/related_calibration.py`) into `knowledge/data/related_sentences.yaml`, for the model
named there; with another embedder (the hashing fake of the unit tests) the rule is off unless given values.

A follow-up in a conversation about an item ("能寄到家里吗", "名字方面有什么讲究", "有卡以后药去哪里买") has had the
item's answer already and asks one particular of it; its cosines are lower than a first question's (it is short and
names no item), so the absolute floor rarely lets its sentence through. For a follow-up the sentence may also stand
out *within its guide*: its cosine `followup_z` standard deviations above the mean of the guide's sentences, and
`followup_margin` above the shown fields' best (`stands_out_in_guide`). Calibrated on the hand-written follow-up
turns of the tuning splits only, beside the floor and margin.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import yaml

from knowledge import texts
from knowledge.compose.render import NOT_STATED_PREFIX, aspect_lines
from knowledge.documents import guide_title
from knowledge.schema import Aspect, Guide, ServiceItem

if TYPE_CHECKING:
    from knowledge.embedding.embedders import Embedder

logger = logging.getLogger(__name__)

NOTE = "note"
FAQ = "faq"
FIELDS = (
    Aspect.materials,
    Aspect.conditions,
    Aspect.process,
    Aspect.time_limit,
    Aspect.fee,
    Aspect.location,
    Aspect.online,
    Aspect.result,
    Aspect.validity,
)
"""The fields whose lines may be added, in the order both rules (`related.py`, this module) look at them."""
ADDABLE = frozenset({*(a.value for a in FIELDS), NOTE, FAQ})
MIN_CHARS = 4
"""A shorter piece ("即办", "1份") says too little to be matched alone."""
SETTINGS_FILE = Path(__file__).resolve().parents[1] / "data" / "related_sentences.yaml"

_ENDS = re.compile(r"(?<=[。；;！？!?])")
_ASIDE = re.compile(r"（([^（）]+)）")
_HAN = re.compile(r"[\u4e00-\u9fff]")
ASIDE_MIN_CHARS = 8
"""Chinese characters a bracketed remark needs to stand alone as a sentence (`asides`)."""
_NUMBER = re.compile(r"^\d+\.\s*")


@dataclass(frozen=True)
class Sentence:
    key: str
    """What it belongs to: an aspect's value (the lines an answer for that aspect renders), `NOTE` or `FAQ`."""
    text: str
    """Verbatim, as the answer would show it."""
    stated: bool = True
    """False for a "本指南未载明…" line: an answer may show it (the best a shown field can match), never add it."""


@dataclass(frozen=True)
class Thresholds:
    """When a sentence of another field stands out (`stands_out`); `model` is the embedder they were calibrated
    for."""

    floor: float
    margin: float
    model: str = ""
    followup_z: float | None = None
    """For a follow-up: how many standard deviations above its guide's mean cosine a sentence must be (None: off)."""
    followup_margin: float = 0.0
    """For a follow-up: how far ahead of the shown fields' best sentence it must be."""


def load_thresholds(path: Path = SETTINGS_FILE) -> Thresholds | None:
    """The calibrated thresholds (None when the file is absent: the rule is off)."""
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    followup = data.get("followup") or {}
    return Thresholds(
        floor=float(data["floor"]),
        margin=float(data["margin"]),
        model=str(data["model"]),
        followup_z=float(followup["z"]) if "z" in followup else None,
        followup_margin=float(followup.get("margin", 0.0)),
    )


def split_sentences(line: str) -> list[str]:
    """A line's sentences (ended by 。；！？), each verbatim with its end mark; pieces under `MIN_CHARS` characters
    join the next (or the previous), so none is a bare fragment. A numbered line ("3. …") keeps its number on its
    first sentence."""
    pieces = [p for p in _ENDS.split(line.strip()) if p.strip()]
    out: list[str] = []
    carry = ""
    for piece in pieces:
        piece = carry + piece
        if len(_NUMBER.sub("", piece).strip()) < MIN_CHARS:
            carry = piece
            continue
        out.append(piece.strip())
        carry = ""
    if carry:
        if out:
            out[-1] += carry
        else:
            out.append(carry.strip())
    return out


def asides(sentence: str) -> list[str]:
    """The bracketed remarks of a sentence that say something of their own, verbatim with their brackets: a line's
    main words and its aside are often about different things ("实施机关：…卫生健康主管部门（医疗卫生机构可以为本机构
    中的申请人集体办理注册手续）"), and the aside alone matches the question that asks about it. Short ones ("（2张）",
    "（复印件，1份）") only qualify their line."""
    return [m.group(0) for m in _ASIDE.finditer(sentence) if len(_HAN.findall(m.group(1))) >= ASIDE_MIN_CHARS]


def guide_sentences(guide: Guide, helpline: str) -> list[Sentence]:
    """Every sentence of what a guide's answers render, aspect by aspect (`aspect_lines`: a field's lines, or the
    "not stated" sentence when it states nothing), its note and its FAQ answers; each sentence's asides (`asides`)
    also stand alone."""
    out: list[Sentence] = []

    def add(key: str, line: str) -> None:
        for text in split_sentences(line):
            out.append(Sentence(key, text))
            out.extend(Sentence(key, aside) for aside in asides(text))

    for aspect in Aspect:
        for line in aspect_lines(guide, aspect, helpline):
            if line == texts.MATERIALS_INCOMPLETE:
                continue
            if line.startswith(NOT_STATED_PREFIX):
                out.append(Sentence(aspect.value, split_sentences(line)[0], stated=False))
                continue
            add(aspect.value, line)
    if guide.notes:
        add(NOTE, guide.notes)
    for faq in guide.faq:
        add(FAQ, faq.answer)
    return [s for s in out if len(_NUMBER.sub("", s.text)) >= MIN_CHARS]


class SentenceTable:
    """Each guide's sentences and their e5 passage vectors (rows L2-normalised: a product is a cosine)."""

    def __init__(self, sentences: dict[str, list[Sentence]], vectors: dict[str, np.ndarray], model: str) -> None:
        self._sentences = sentences
        self._vectors = vectors
        self.model = model

    @classmethod
    def build(cls, items: Iterable[ServiceItem], embedder: Embedder, *, helpline: str) -> SentenceTable:
        """Every guide's sentences, each embedded after its guide's title and region ("中医诊所备案 广东省 办理结果：
        中医诊所备案证"), as the index's chunks are: a question naming the item or the place then matches every
        sentence of the guide equally by that name, and they differ by the rest alone (bare, a sentence restating the
        item's name, or the office line naming the asked city, outscores the one that answers)."""
        started = time.perf_counter()
        by_guide: dict[str, list[Sentence]] = {}
        flat: list[str] = []
        for item in items:
            for guide in item.guides:
                by_guide[guide.id] = guide_sentences(guide, helpline)
                head = f"{guide_title(item, guide)} {guide.region}"
                flat += [f"{head} {s.text}" for s in by_guide[guide.id]]
        matrix = embedder.embed_passages(flat) if flat else np.zeros((0, embedder.dim), dtype=np.float32)
        vectors: dict[str, np.ndarray] = {}
        row = 0
        for gid, ss in by_guide.items():
            vectors[gid] = np.asarray(matrix[row : row + len(ss)], dtype=np.float32)
            row += len(ss)
        logger.info(
            "guide sentences: %d of %d guides embedded (or read from the cache) in %.1f s",
            len(flat),
            len(by_guide),
            time.perf_counter() - started,
        )
        return cls(by_guide, vectors, embedder.name)

    def __len__(self) -> int:
        return sum(len(ss) for ss in self._sentences.values())

    def scored(self, guide_id: str, vector: np.ndarray) -> list[tuple[Sentence, float]]:
        """The guide's sentences with their cosine to a question's vector (guide order)."""
        sentences = self._sentences.get(guide_id, [])
        if not sentences:
            return []
        cosines = self._vectors[guide_id] @ np.asarray(vector, dtype=np.float32)
        return list(zip(sentences, cosines.astype(float).tolist(), strict=True))


def stands_out(best_other: float, best_shown: float | None, thresholds: Thresholds) -> bool:
    """Whether the best sentence outside the shown fields (cosine `best_other`) is clearly the question's answer:
    at least `floor`, and `margin` above the best sentence the answer already shows (`best_shown`; None when it
    shows no sentence, then the floor alone decides)."""
    if best_other < thresholds.floor:
        return False
    return best_shown is None or best_other - best_shown >= thresholds.margin


def spread(scored: Sequence[tuple[Sentence, float]]) -> tuple[float, float]:
    """(mean, standard deviation) of the cosines of a guide's sentences with a question: how a question matches that
    guide in general, against which one sentence may stand out."""
    if not scored:
        return 0.0, 0.0
    cosines = np.array([c for _, c in scored], dtype=float)
    return float(cosines.mean()), float(cosines.std())


def stands_out_in_guide(
    best_other: float, best_shown: float | None, mean: float, std: float, thresholds: Thresholds
) -> bool:
    """For a follow-up: whether the best sentence outside the shown fields stands out among its guide's sentences
    (`followup_z` deviations above their mean) and ahead of the shown fields (`followup_margin`)."""
    if thresholds.followup_z is None or std <= 0.0:
        return False
    if (best_other - mean) / std < thresholds.followup_z:
        return False
    return best_shown is None or best_other - best_shown >= thresholds.followup_margin


def best_outside(
    scored: Sequence[tuple[Sentence, float]], shown_keys: Iterable[str]
) -> tuple[Sentence | None, float | None, float | None]:
    """(the best sentence that may be added — stated, of a field, the note or a FAQ answer, outside `shown_keys` and
    not a sentence they show —, its cosine, and the best cosine of the shown sentences; None when none)."""
    shown = set(shown_keys)
    inside = [c for s, c in scored if s.key in shown]
    shown_texts = {s.text for s, _ in scored if s.key in shown}
    outside = [
        (s, c) for s, c in scored if s.stated and s.key in ADDABLE and s.key not in shown and s.text not in shown_texts
    ]
    best_shown = max(inside) if inside else None
    if not outside:
        return None, None, best_shown
    sentence, cosine = max(outside, key=lambda sc: sc[1])
    return sentence, cosine, best_shown
