"""The referral list (`knowledge/data/referrals.yaml`) against our items and the question bank's tuning part.

A referral keyword turns a question away (naming the department) when no item of ours is named, so a keyword
must never stand inside one of our items' names, and must (almost) never match a question about our services
that names no item; and the list must still cover other departments' questions.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.catalog import load_catalog
from knowledge.loader import load_referrals
from knowledge.query.cues import contains
from knowledge.text_normalise import normalise

TUNING = Path(__file__).resolve().parents[2] / "evaluation" / "data" / "bank" / "tuning.jsonl"
MAX_QUESTIONS_MATCHED = 0.03
"""At most this share of the tuning part's in-domain and policy questions that name no item of ours (about 1,000)
may carry a referral keyword (today 2.6%, all 户口 / 退休 / 营业执照 / 签证 / hukou in passing: the engine's referral
rule looks at which clause asks, and the learned kind)."""
MIN_OTHER_DEPARTMENTS_MATCHED = 0.80
"""At least this share of the tuning part's other departments' questions carry one."""


@pytest.fixture(scope="module")
def keywords() -> list[tuple[str, str]]:
    return [(normalise(k), r.department) for r in load_referrals() for k in r.keywords]


@pytest.fixture(scope="module")
def our_names() -> list[str]:
    return [normalise(n) for item in load_catalog().items for n in (item.name, *item.aliases)]


@pytest.fixture(scope="module")
def tuning_rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in TUNING.read_text(encoding="utf-8").splitlines() if line.strip()]


def _matches(text: str, keywords: list[tuple[str, str]]) -> list[str]:
    norm = normalise(text)
    return [k for k, _ in keywords if contains(norm, k)]


def test_no_keyword_inside_our_names(keywords: list[tuple[str, str]], our_names: list[str]) -> None:
    clashes = [(k, n) for k, _ in keywords for n in our_names if k and contains(n, k)]
    assert not clashes, clashes


def test_each_keyword_has_one_department(keywords: list[tuple[str, str]]) -> None:
    owner: dict[str, set[str]] = {}
    for k, d in keywords:
        owner.setdefault(k, set()).add(d)
    assert not {k: v for k, v in owner.items() if len(v) > 1}


def test_keywords_rarely_match_our_questions(
    keywords: list[tuple[str, str]], our_names: list[str], tuning_rows: list[dict[str, object]]
) -> None:
    ours = [
        str(r["text"])
        for r in tuning_rows
        if r["kind"] in ("in_domain", "policy") and not any(n in normalise(str(r["text"])) for n in our_names)
    ]
    matched = [t for t in ours if _matches(t, keywords)]
    assert ours and len(matched) / len(ours) <= MAX_QUESTIONS_MATCHED, matched[:20]


def test_keywords_cover_other_departments(
    keywords: list[tuple[str, str]], tuning_rows: list[dict[str, object]]
) -> None:
    others = [str(r["text"]) for r in tuning_rows if r["kind"] == "other_department"]
    covered = [t for t in others if _matches(t, keywords)]
    assert others and len(covered) / len(others) >= MIN_OTHER_DEPARTMENTS_MATCHED


@pytest.fixture(scope="module")
def agencies() -> list[tuple[str, str]]:
    return [(normalise(a), r.department) for r in load_referrals() for a in r.agencies]


def test_agencies_are_no_item_of_ours_nor_a_health_word(agencies: list[tuple[str, str]], our_names: list[str]) -> None:
    """An agency (an office or staff word another department's complaint names: 医保局, 城管) never stands inside
    one of our items' names, has one department, and is not itself a health institution or health matter of the
    lexicon (those keep a complaint ours; where words overlap the longer one counts: 宠物医院 is not a 医院)."""
    from knowledge.query.lexicon import load_lexicon

    lexicon = load_lexicon()
    health = [normalise(w) for w in (*lexicon.health_targets, *lexicon.health_matters)]
    assert agencies
    assert not [(a, n) for a, _ in agencies for n in our_names if contains(n, a)]
    assert not [(a, h) for a, _ in agencies for h in health if a == h]  # overlapping words: the longer wins (宠物医院)
    owner: dict[str, set[str]] = {}
    for a, d in agencies:
        owner.setdefault(a, set()).add(d)
    assert not {a: v for a, v in owner.items() if len(v) > 1}
