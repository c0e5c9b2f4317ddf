"""The question bank: labels valid, split deterministic, blind part disjoint from everything trained on."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evaluation.bank.generate import DATA_DIR, build, load
from evaluation.bank.schema import KINDS
from evaluation.bank.split import split_of
from knowledge.schema import Aspect

ROOT = Path(__file__).resolve().parents[2]
SUB_ITEMS = {"首次", "延续", "变更", "注销", "补发", "换发"}


@pytest.fixture(scope="module")
def bank(catalog):  # type: ignore[no-untyped-def]
    return build(catalog)


def test_bank_is_large_and_covers_every_kind_and_register(bank) -> None:  # type: ignore[no-untyped-def]
    assert len(bank) >= 3000
    kinds = Counter(q.kind for q in bank)
    assert set(kinds) == set(KINDS)
    assert kinds["complaint"] >= 200 and kinds["other_department"] >= 500
    styles = {q.style for q in bank}
    assert {"colloquial", "formal", "narrative", "typo", "traditional", "english"} <= styles
    assert sum(q.origin == "hand" for q in bank) >= 400


def test_labels_are_valid(bank, catalog) -> None:  # type: ignore[no-untyped-def]
    codes = set(catalog.item_by_code)
    for q in bank:
        if q.kind == "in_domain":
            assert q.item in codes, q
            assert q.aspects is None or (q.aspects and all(isinstance(a, Aspect) for a in q.aspects)), q
        if q.item is not None:
            assert q.item in codes, q
        if q.sub_item is not None:
            assert q.sub_item in SUB_ITEMS, q
        if q.kind == "other_department":
            assert q.department and q.item is None and not q.aspects, q
        if q.kind in ("smalltalk", "policy"):
            assert q.item is None and not q.aspects, q
    long_complaints = [q for q in bank if q.kind == "complaint" and len(q.text) >= 100]
    assert len(long_complaints) >= 100
    assert max(len(q.text) for q in bank) <= 2000


def test_ids_and_texts_are_unique(bank) -> None:  # type: ignore[no-untyped-def]
    assert len({q.id for q in bank}) == len(bank)
    assert len({q.text for q in bank}) == len(bank)


def test_split_is_deterministic_and_by_family(bank, catalog) -> None:  # type: ignore[no-untyped-def]
    again = build(catalog)
    assert [(q.id, q.split) for q in again] == [(q.id, q.split) for q in bank]
    sides: dict[str, set[str]] = {}
    for q in bank:
        assert q.split == split_of(q.family)
        sides.setdefault(q.family, set()).add(q.split)
    assert all(len(s) == 1 for s in sides.values()), "a family straddles the split"
    assert split_of("id:materials:colloquial:0") == split_of("id:materials:colloquial:0")
    blind_share = sum(q.split == "blind" for q in bank) / len(bank)
    assert 0.15 < blind_share < 0.45


def test_written_files_match_the_generator(bank) -> None:  # type: ignore[no-untyped-def]
    written = {q.id: q for part in ("tuning", "blind") for q in load(part)}
    assert written == {q.id: q for q in bank}, "run `python -m evaluation.bank.generate`"


def _training_texts() -> set[str]:
    texts: set[str] = set()
    for line in (DATA_DIR / "tuning.jsonl").read_text(encoding="utf-8").splitlines():
        texts.add(json.loads(line)["text"])
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("- "):
                texts.add(line.strip()[2:].strip())
    return texts


def test_blind_part_is_disjoint_from_every_training_file() -> None:
    blind = load("blind")
    assert blind and all(q.split == "blind" for q in blind)
    training = _training_texts()
    leaked = [q.text for q in blind if q.text in training]
    assert not leaked, leaked[:5]
    tuning_families = {q.family for q in load("tuning")}
    assert not tuning_families & {q.family for q in blind}


def test_blind_part_is_named_in_no_code_or_cue_file() -> None:
    """Only the measurement script, the generator and these tests may open the blind part."""
    allowed = {"evaluation/bank/measure.py", "evaluation/bank/generate.py", "tests/bank/test_bank.py"}
    offenders = []
    for folder in ("knowledge", "bot", "actions", "nlu_components", "evaluation", "scripts", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel not in allowed and "blind.jsonl" in path.read_text(encoding="utf-8"):
                offenders.append(rel)
    assert not offenders
