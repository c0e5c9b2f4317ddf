"""The item head: which service item a message asks about, or none of ours, from its e5 vector.

A multinomial logistic regression (`linear.train_single_label`, classes balanced) over the same whole-message vectors
the kind head's neighbours are (`KindHead.references`, stored with the heads: nothing is embedded again), trained
when the heads are attached on
- the question bank's tuning part: every in-domain question labelled with its item;
- the hand-written tuning splits: every conversation's first turn expected to answer or clarify about an item (its
  `expect.item`, a part of the item's name, resolved against the catalogue's names and aliases; a part naming several
  items is left out);
- both: every other department's question, complaint and small-talk message as `ITEM_NONE`.
Later turns (elliptical: "要准备什么") and policy questions are not rows: their item is the conversation's.

It is read by one decision only (`decide/described_item.py`): a message that describes an item without naming it
and that retrieval leaves below the no-answer threshold. Leave-one-writer-out figures: `evaluation.described_figures`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from knowledge.learned.linear import LinearHead, train_single_label
from knowledge.learned.store import TrainingRow
from knowledge.npz_files import save_npz_atomically
from knowledge.query.predictors import ITEM_NONE
from knowledge.vector_index import content_hash

logger = logging.getLogger(__name__)

ITEM_REGULARISATION_C = 4.0
ITEM_HEAD_FILE = "item_head.npz"
NONE_KINDS = ("other_department", "complaint", "smalltalk")


def item_resolver(names: Sequence[tuple[str, Sequence[str]]]) -> Callable[[str], str | None]:
    """A function from an item label (a code, an item's name, or a part of one name or alias) to the item's code;
    None when the label names no item or several. `names`: (code, [name, *aliases]) per item."""
    codes = {code for code, _ in names}

    def resolve(label: str) -> str | None:
        if label in codes:
            return label
        exact = [code for code, words in names if label in words[:1]]
        if exact:
            return exact[0]
        hits = [code for code, words in names if any(label in w for w in words)]
        return hits[0] if len(hits) == 1 else None

    return resolve


def item_label(row: TrainingRow, resolve: Callable[[str], str | None]) -> str | None:
    """The item head's label for a training row (None: not a row of the item head)."""
    if row.kind in NONE_KINDS:
        return ITEM_NONE
    if row.kind == "in_domain" and row.item:
        return resolve(row.item)
    return None


def fit_item_head(
    vectors: np.ndarray,
    rows: Sequence[TrainingRow],
    resolve: Callable[[str], str | None],
    c: float = ITEM_REGULARISATION_C,
) -> LinearHead | None:
    """The item head over `vectors` (one per row of `rows`, in order); None when there are too few labels."""
    if len(vectors) != len(rows):
        raise ValueError(f"{len(vectors)} vectors for {len(rows)} rows")
    labels = [item_label(r, resolve) for r in rows]
    keep = [n for n, label in enumerate(labels) if label is not None]
    chosen = [labels[n] for n in keep]
    if len(set(chosen)) < 2 or ITEM_NONE not in chosen:
        logger.warning("item head: too few labels (%d rows); not trained", len(keep))
        return None
    head = train_single_label(vectors[keep], [str(x) for x in chosen], c=c)
    logger.info("item head: %d rows, %d labels", len(keep), len(head.labels))
    return head


def load_or_fit_item_head(
    path: Path | None,
    vectors: np.ndarray,
    rows: Sequence[TrainingRow],
    resolve: Callable[[str], str | None],
    heads_hash: str,
) -> LinearHead | None:
    """`fit_item_head`, kept at `path` (beside the heads, so a retrain of the heads drops it) under a key of the heads'
    content hash and the rows' item labels: a fit takes seconds, every engine start would pay them."""
    labels = [item_label(r, resolve) or "-" for r in rows]
    key = content_hash([heads_hash, str(ITEM_REGULARISATION_C), ITEM_NONE, *labels])
    if path is not None and path.exists():
        try:
            with np.load(path) as saved:
                if str(saved["key"]) == key:
                    names = tuple(str(x) for x in saved["labels"])
                    return LinearHead(
                        names, saved["weights"].astype(np.float64), saved["bias"].astype(np.float64), False
                    )
        except (OSError, KeyError, ValueError):
            logger.warning("item head at %s unreadable; fitting it again", path)
    head = fit_item_head(vectors, rows, resolve)
    if head is not None and path is not None and path.parent.exists():
        try:
            save_npz_atomically(
                path, key=np.array(key), labels=np.array(head.labels), weights=head.weights, bias=head.bias
            )
        except OSError:  # a read-only folder: the head works, the next start fits it again
            logger.warning("could not keep the item head at %s", path)
    return head
