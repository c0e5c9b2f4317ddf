"""The hand-written sets (evaluation/data/handwritten/): valid, their expectations grounded in the knowledge
base, and the blind part disjoint from everything trained or tuned on (the tuning part, the seen part —
round 4's blind part, whose failures were read — and every training file) and named by no code but the
measurement's."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.chat.schemas import KINDS  # the kinds the chat reports, which the format's `kind` names
from evaluation.bank.generate import load as load_bank
from evaluation.bank.schema import BankQuestion
from evaluation.conversations import Conversation, load_conversations
from evaluation.handwritten import (
    BLIND_SPLITS,
    DATA_DIR,
    DEPARTMENT_WORDS,
    ROW_SPLIT,
    SPLITS,
    files,
    load_rows,
    names_department,
)
from knowledge.schema import Aspect

ROOT = Path(__file__).resolve().parents[2]
# Strings an expectation may hold that are the assistant's own wording, not a knowledge-base fact.
# The scorer's own department words (a referral may name the department in any of them) count too.
SYSTEM_WORDS = {"未找到该工单", "未找到", "工单", "12345"} | {w for words in DEPARTMENT_WORDS.values() for w in words}
BUTTON = re.compile(r"^/ask_item(\{.*\})$")
_NOISE = re.compile(r"[\s，。？！、,.?!：:；;“”\"'（）()【】\-—～~]+")
# The measurement code and these tests are the only code that may name the blind part.
ALLOWED = {"evaluation/handwritten.py", "tests/bank/test_handwritten.py"}
CODE_FOLDERS = (
    "actions",
    "bench",
    "bot",
    "data",
    "evaluation",
    "knowledge",
    "migrations",
    "nlu_components",
    "rasa_server",
    "requirements",
    "scripts",
    "tests",
)


def _norm(text: str) -> str:
    return _NOISE.sub("", text).lower()


def _user_texts(convs: list[Conversation]) -> list[str]:
    return [t.user for c in convs for t in c.turns if t.user and not t.user.startswith("/")]


def _split_texts(split: str) -> list[str]:
    paths = files(split)
    texts = _user_texts(load_conversations(paths["conversations"]))
    for name in ("other_departments", "complaints"):
        texts += [q.text for q in load_rows(paths[name])]
    return texts


@pytest.fixture(scope="module")
def knowledge_text() -> str:
    """Every curated item and policy file as one text: the facts an expectation may quote."""
    parts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "knowledge" / "data").rglob("*.yaml"))]
    return "\n".join(parts)


@pytest.mark.parametrize("split", SPLITS)
def test_files_are_valid_and_large_enough(split: str) -> None:
    paths = files(split)
    convs = load_conversations(paths["conversations"])
    assert len(convs) >= 40
    assert sum(len(c.turns) >= 2 for c in convs) >= len(convs) // 2, "mostly multi-turn"
    assert len({c.id for c in convs}) == len(convs)
    for conv in convs:
        for turn in conv.turns:
            assert turn.expect.kind is None or turn.expect.kind in KINDS, (conv.id, turn.expect.kind)
            assert turn.expect.aspect is None or turn.expect.aspect in {a.value for a in Aspect}, conv.id
    others = load_rows(paths["other_departments"])
    complaints = load_rows(paths["complaints"])
    assert len(others) >= 55 and len(complaints) >= 25
    for rows, kind in ((others, "other_department"), (complaints, "complaint")):
        assert all(isinstance(q, BankQuestion) and q.kind == kind and q.split == ROW_SPLIT[split] for q in rows)
        assert all(q.origin == "hand" for q in rows)
        assert len({q.id for q in rows}) == len(rows)
    assert all(q.department in DEPARTMENT_WORDS for q in others), "a department the scorer cannot recognise"
    lengths = sorted(len(q.text) for q in complaints)
    assert lengths[0] >= 120 and lengths[-1] <= 2000, "narrative complaints are 120–2,000 characters"
    assert lengths[len(lengths) // 2] >= 160


# Round 6's writer typed the sub-item after a clarifying question instead of pressing a button; round 7's
# and round 8's writers did both.
SPLITS_WITH_BUTTONS = tuple(split for split in SPLITS if split != "blind6")


@pytest.mark.parametrize("split", SPLITS_WITH_BUTTONS)
def test_buttons_are_the_ones_the_assistant_forms(split: str, catalog) -> None:  # type: ignore[no-untyped-def]
    """A `/ask_item{…}` turn is the payload actions.answer.button_payload builds: an item code, a sub-item."""
    codes = set(catalog.item_by_code)
    pressed = 0
    for conv in load_conversations(files(split)["conversations"]):
        for n, turn in enumerate(conv.turns):
            match = BUTTON.match(turn.user)
            if not match:
                continue
            pressed += 1
            entities = json.loads(match.group(1))
            assert entities["item_code"] in codes, conv.id
            assert set(entities) <= {"item_code", "sub_item"}, conv.id
            assert turn.user == "/ask_item" + json.dumps(entities, ensure_ascii=False), "not the form buttons take"
            assert n > 0 and conv.turns[n - 1].expect.kind == "clarify", "a button is pressed after it was offered"
    assert pressed >= 2


@pytest.mark.parametrize("split", SPLITS)
def test_expected_strings_are_quoted_from_the_knowledge_base(split: str, knowledge_text: str) -> None:
    """contains_all / contains_any hold verbatim knowledge-base text, a place the citizen named, or the
    assistant's fixed wording for a ticket that does not exist: no fact in an expectation is invented."""
    invented = []
    for conv in load_conversations(files(split)["conversations"]):
        said = ""
        for turn in conv.turns:
            said += turn.user
            for s in turn.expect.contains_all + turn.expect.contains_any:
                if s not in knowledge_text and s not in said and s not in SYSTEM_WORDS:
                    invented.append((conv.id, s))
    assert not invented, invented


def test_department_naming_is_scored_as_intended() -> None:
    assert names_department("请咨询当地医保部门或拨打12345", "公安机关")
    assert names_department("这归公安交通管理部门（交警）管", "公安交通管理部门（交警）")
    assert not names_department("好的，再见！有需要随时来问我。", "住房公积金管理中心")


def _training_files() -> list[Path]:
    """Everything anything is trained, tuned or calibrated on, and every vocabulary and knowledge file."""
    out = [ROOT / "evaluation" / "data" / "bank" / "tuning.jsonl", ROOT / "evaluation" / "data" / "heldout.jsonl"]
    out += [ROOT / "evaluation" / "data" / "multiturn" / "tuning.jsonl"]
    out += [ROOT / "evaluation" / "data" / "dialogue_probes.jsonl"]
    out += sorted((ROOT / "evaluation" / "data" / "bank" / "hand").rglob("*.yaml"))  # writers/*.yaml too
    out += sorted((ROOT / "data").rglob("*.yml")) + sorted((ROOT / "data").rglob("*.txt"))
    out += sorted((ROOT / "knowledge" / "data").rglob("*.yaml"))
    out += [ROOT / "config.yml", ROOT / "domain.yml"]
    out += [path for split in SPLITS if split not in BLIND_SPLITS for path in files(split).values()]
    return [p for p in out if p.exists()]


@pytest.mark.parametrize("blind_split", BLIND_SPLITS)
def test_blind_part_is_disjoint_from_every_training_and_tuning_file(blind_split: str) -> None:
    blind = _split_texts(blind_split)
    assert len(blind) >= 150
    corpus = {p: p.read_text(encoding="utf-8") for p in _training_files()}
    flat = {p: _norm(text) for p, text in corpus.items()}
    leaked = []
    for text in blind:
        key = _norm(text)
        if len(key) < 4:
            continue  # a bare "ok" or a digit string says nothing
        leaked += [(text[:40], p.relative_to(ROOT).as_posix()) for p, content in flat.items() if key in content]
    assert not leaked, leaked[:10]


@pytest.mark.parametrize("blind_split", BLIND_SPLITS)
def test_tuning_seen_and_blind_share_no_phrasing(blind_split: str) -> None:
    tuning = {_norm(t) for split in SPLITS if split not in BLIND_SPLITS for t in _split_texts(split)}
    shared = [t for t in _split_texts(blind_split) if _norm(t) in tuning]
    assert not shared, shared


def test_the_writers_training_files_are_counted_as_training() -> None:
    """Other writers add `evaluation/data/bank/hand/writers/*.yaml` (always tuning): they are searched too."""
    hand = ROOT / "evaluation" / "data" / "bank" / "hand"
    searched = set(_training_files())
    assert all(p in searched for p in hand.rglob("*.yaml"))
    assert all(p in searched for split in SPLITS if split not in BLIND_SPLITS for p in files(split).values())


def _code_and_data_files() -> list[Path]:
    suffixes = {".py", ".yml", ".yaml", ".json", ".jsonl", ".toml", ".cfg", ".txt", ".sh", ".js", ".html"}
    out = [ROOT / name for name in ("Makefile", "config.yml", "domain.yml", "endpoints.yml", "pyproject.toml")]
    for folder in CODE_FOLDERS:
        out += [p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix in suffixes]
    return [p for p in out if p.exists()]


def test_blind_part_is_named_by_no_code_but_the_measurement() -> None:
    """No code, training data, cue list or configuration mentions the blind files; only the measurement
    module (which builds the names from the split) and these tests do."""
    offenders = []
    for path in _code_and_data_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel in ALLOWED or rel.startswith("evaluation/data/handwritten/"):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if "handwritten" not in text:
            continue
        if any("handwritten" in line and "blind" in line for line in text.splitlines()) or re.search(
            r"(other_departments|complaints)_blind", text
        ):
            offenders.append(rel)
    assert not offenders, offenders


def test_bank_test_counts_the_hand_written_tuning_part_as_training() -> None:
    """The question bank's blind part must stay clear of the hand-written tuning rows too (they may be
    trained on)."""
    bank_blind = {_norm(q.text) for q in load_bank("blind")}
    shared = [t for split in SPLITS if split not in BLIND_SPLITS for t in _split_texts(split) if _norm(t) in bank_blind]
    assert not shared, shared


def test_data_folder_documents_the_split() -> None:
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert all(split in readme for split in SPLITS)


def test_a_blind_splits_failures_are_never_shown() -> None:
    """The bank measurement keeps a blind part's figures and replaces its failure lists by their length."""
    from evaluation.bank.measure import is_blind, withhold_failures

    assert all(is_blind(part) for part in ("blind", "hand-blind", "hand-blind6"))
    assert not any(is_blind(part) for part in ("tuning", "hand-tuning", "hand-seen", "realworld", "heldout"))
    figures = {"chat": {"item_top1": 0.9, "failures": [{"text": "a"}, {"text": "b"}]}, "n": 2}
    assert withhold_failures(figures) == {"chat": {"item_top1": 0.9, "failures_withheld": 2}, "n": 2}
