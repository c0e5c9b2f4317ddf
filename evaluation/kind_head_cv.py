"""Which kind head measurably helps: grouped cross-validation on the bank's TUNING part, and the hand-written
sets (all tuning for whoever changes the gate), for a few head variants.

    python -m evaluation.kind_head_cv [--variants base tail ...] [--out var/kind_head_cv.json]

Every variant is a feature map (`knowledge.learned.kind_features`) plus the linear head's settings. For each:
- out-of-fold on the bank's tuning part (5 folds grouped by family, as the thresholds are calibrated): kind
  accuracy, per-kind recall, and at the thresholds calibrated out of fold: other departments' questions the
  head turns away (confident `other_department`), in-domain and policy questions it wrongly turns away, and
  questions it confidently takes for complaints;
- trained on the whole tuning part, on the hand-written rows (`evaluation/data/handwritten/`: other
  departments, complaints, and the questions of the conversations — first turns and follow-ups expected to be
  answered — which must not be taken for complaints or turned away).
The bank's blind part is never read here. Embeddings are cached in `var/kind_head_cv/` (texts are hashed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.handwritten import ROW_SPLIT, SPLITS, files
from knowledge.embedding.embedders import Embedder
from knowledge.learned.store import TrainingRow, read_training_rows

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
TUNING = ROOT / "evaluation" / "data" / "bank" / "tuning.jsonl"
CACHE = ROOT / "var" / "kind_head_cv"
QUESTION_KINDS = ("in_domain", "policy")


@dataclass(frozen=True)
class Probe:
    """A hand-written message and what the gate must do with it: `other_department`, `complaint` or
    `question` (in-domain or policy: neither a complaint nor turned away)."""

    text: str
    want: str
    source: str


def hand_probes() -> list[Probe]:
    """The hand-written tuning and seen parts; never a blind part (this tool prints its misses)."""
    out: list[Probe] = []
    for split in SPLITS:
        if ROW_SPLIT[split] == "blind":
            continue
        paths = files(split)
        for name, want in (("other_departments", "other_department"), ("complaints", "complaint")):
            for line in paths[name].read_text(encoding="utf-8").splitlines():
                if line.strip():
                    out.append(Probe(json.loads(line)["text"], want, f"{name}:{split}"))
        for line in paths["conversations"].read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            for n, turn in enumerate(json.loads(line)["turns"]):
                expect = (turn.get("expect") or {}).get("kind")
                text = turn["user"]
                if text.startswith("/") or expect not in ("answer", "clarify", "escalate"):
                    continue
                want = "complaint" if expect == "escalate" else "question"
                out.append(Probe(text, want, f"conversation-{'first' if n == 0 else 'later'}:{split}"))
    return out


class CachedEmbeddings:
    """Query embeddings by text, kept on disk between runs (experiments re-embed nothing)."""

    def __init__(self, embedder: Embedder, folder: Path = CACHE) -> None:
        self.embedder = embedder
        self.path = folder / f"{embedder.name}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            data = np.load(self.path, allow_pickle=False)
            self._vectors = dict(zip((str(k) for k in data["keys"]), data["vectors"], strict=True))

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = sorted({t for t in texts if self._key(t) not in self._vectors})
        if missing:
            logger.info("embedding %d new texts", len(missing))
            for start in range(0, len(missing), 64):
                batch = missing[start : start + 64]
                for text, vec in zip(batch, self.embedder.embed_queries(batch), strict=True):
                    self._vectors[self._key(text)] = vec
            self.save()
        return np.stack([self._vectors[self._key(t)] for t in texts]) if texts else np.zeros((0, self.embedder.dim))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._vectors))
        np.savez(self.path, keys=keys, vectors=np.stack(list(self._vectors.values())))


def thresholds_from(oof: np.ndarray, labels: np.ndarray, kinds: list[str], strategy: str) -> dict[str, float]:
    from knowledge.learned.calibration import calibrate

    return calibrate(oof, labels, kinds, strategy=strategy)


def figures(
    probs: np.ndarray, kinds: list[str], want: Sequence[str], thresholds: dict[str, float], asks_at: float
) -> dict[str, Any]:
    top = np.array(kinds)[probs.argmax(axis=1)]
    conf = probs.max(axis=1)
    confident = np.array([conf[i] >= thresholds.get(top[i], 1.0) for i in range(len(top))])
    asked = probs[:, [n for n, k in enumerate(kinds) if k in QUESTION_KINDS]].sum(axis=1)
    asks = np.isin(top, QUESTION_KINDS) & (asked >= asks_at)
    want_arr = np.array(want)
    out: dict[str, Any] = {}
    for label in sorted(set(want)):
        mask = want_arr == label
        out[f"{label}: asks"] = round(float(asks[mask].mean()), 4)
        if label == "question":
            out["question: top complaint"] = round(float((top[mask] == "complaint").mean()), 4)
            out["question: confident complaint"] = round(float(((top == "complaint") & confident)[mask].mean()), 4)
            out["question: confident other_department"] = round(
                float(((top == "other_department") & confident)[mask].mean()), 4
            )
            out["question: n"] = int(mask.sum())
            continue
        out[f"{label}: top"] = round(float((top[mask] == label).mean()), 4)
        out[f"{label}: confident"] = round(float(((top == label) & confident)[mask].mean()), 4)
        if label == "other_department":
            out["other_department: top question"] = round(float(np.isin(top[mask], QUESTION_KINDS).mean()), 4)
        out[f"{label}: n"] = int(mask.sum())
    return out


def run_variant(
    name: str,
    rows: Sequence[TrainingRow],
    probes: Sequence[Probe],
    cache: CachedEmbeddings,
    strategy: str,
    c: float,
) -> dict[str, Any]:
    from knowledge.learned import kind_head
    from knowledge.learned.kind_features import featurize
    from knowledge.query.lexicon import load_lexicon

    words = tuple(load_lexicon().question_words)
    dim = cache.embedder.dim
    x = featurize(name, [r.text for r in rows], cache.embed, words)
    labels = np.array([r.kind for r in rows])
    families = [r.family or r.text for r in rows]
    oof, kinds = kind_head.out_of_fold(x, list(labels), families, name, c, dim)
    thresholds = thresholds_from(oof, labels, kinds, strategy)
    from knowledge.learned.calibration import question_threshold

    asks_at = question_threshold(oof, labels, kinds)
    want = ["question" if k in QUESTION_KINDS else k for k in labels]
    cv = figures(oof, kinds, want, thresholds, asks_at)
    cv["accuracy"] = round(float((np.array(kinds)[oof.argmax(axis=1)] == labels).mean()), 4)
    for kind in kinds:
        cv[f"recall {kind}"] = round(float((np.array(kinds)[oof.argmax(axis=1)][labels == kind] == kind).mean()), 4)
    head = kind_head.fit(x, list(labels), families, name, c, dim)
    hand: dict[str, Any] = {}
    px = featurize(name, [p.text for p in probes], cache.embed, words)
    probs = head.probabilities(px)
    hand["all"] = figures(probs, list(head.labels), [p.want for p in probes], thresholds, asks_at)
    for source in sorted({p.source.split(":")[0] for p in probes}):
        idx = [i for i, p in enumerate(probes) if p.source.split(":")[0] == source]
        hand[source] = figures(probs[idx], list(head.labels), [probes[i].want for i in idx], thresholds, asks_at)
    misses = [
        f"{p.want} -> {head.labels[int(probs[i].argmax())]} {probs[i].max():.2f}: {p.text[:60]}"
        for i, p in enumerate(probes)
        if (p.want == "question" and head.labels[int(probs[i].argmax())] in ("complaint", "other_department"))
        or (p.want != "question" and head.labels[int(probs[i].argmax())] != p.want)
    ]
    return {
        "variant": name,
        "c": c,
        "strategy": strategy,
        "thresholds": thresholds,
        "asks_at": asks_at,
        "cv": cv,
        "hand": hand,
        "hand_misses": misses,
    }


def main(argv: list[str] | None = None) -> int:
    from knowledge.embedding.embedders import get_embedder
    from knowledge.learned.kind_features import FEATURE_MAP_NAMES

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", nargs="+", default=list(FEATURE_MAP_NAMES))
    parser.add_argument("--c", nargs="+", type=float, default=[4.0])
    parser.add_argument("--strategy", nargs="+", default=["precision"])
    parser.add_argument("--training", type=Path, default=TUNING)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--misses", action="store_true", help="print the hand-written rows the head gets wrong")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows = read_training_rows(args.training)
    probes = hand_probes()
    cache = CachedEmbeddings(get_embedder())
    report = []
    for name in args.variants:
        for c in args.c:
            for strategy in args.strategy:
                result = run_variant(name, rows, probes, cache, strategy, c)
                if not args.misses:
                    result.pop("hand_misses")
                report.append(result)
                print(json.dumps(result, ensure_ascii=False, indent=1), flush=True)
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
