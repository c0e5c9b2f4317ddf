"""Generate the labelled question bank and write its tuning and blind parts.

    python -m evaluation.bank.generate          # writes evaluation/data/bank/{tuning,blind}.jsonl

Sources: the curated items (names, aliases, sub-items, FAQ) in knowledge/data, the public FAQ in
/work/shared/knowledge-sources (when present), the policy points, and hand-written questions in
evaluation/data/bank/hand/. Everything is deterministic (seeded per family), so a rerun writes the
same files; the split is a hash of each question's family (evaluation/bank/split.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from evaluation.bank import narratives as nar
from evaluation.bank import phrasing as ph
from evaluation.bank.schema import BankQuestion
from evaluation.bank.split import TUNING_ONLY, split_of
from evaluation.bank.writer_files import load_writer_files
from knowledge.catalog import Catalog, load_catalog
from knowledge.query.cues import default_matcher

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "evaluation" / "data" / "bank"
HAND_DIR = DATA_DIR / "hand"
SHARED_FAQ = Path("/work/shared/knowledge-sources/faq.jsonl")
ITEMS_PER_TEMPLATE = 11


def _rng(family: str) -> random.Random:
    return random.Random(int(hashlib.sha256(family.encode()).hexdigest()[:12], 16))


def _q(text: str, kind: str, family: str, register: str, origin: str, **labels: Any) -> dict[str, Any]:
    return {"text": text.strip(), "kind": kind, "family": family, "style": register, "origin": origin, **labels}


def _names(item: Any) -> list[str]:
    # Traditional-character aliases are produced by the traditional register, not picked here.
    return [n for n in (item.name, *item.aliases) if n == _simplified_guess(n) and not n.startswith("我要")]


def in_domain_templates(catalog: Catalog) -> Iterator[dict[str, Any]]:
    items = list(catalog.items)
    for aspect, registers in ph.ASPECT_TEMPLATES.items():
        for register, templates in registers.items():
            for t, template in enumerate(templates):
                family = f"id:{aspect}:{register}:{t}"
                rng = _rng(family)
                for item in rng.sample(items, min(ITEMS_PER_TEMPLATE, len(items))):
                    labels = {"item": item.code, "aspects": [aspect]}
                    if register == "english":
                        yield _q(
                            template.format(en=ph.ENGLISH_NAMES[item.code]),
                            "in_domain",
                            family,
                            register,
                            "template",
                            **labels,
                        )
                        continue
                    text = template.format(n=rng.choice(_names(item)))
                    yield _q(text, "in_domain", family, register, "template", **labels)
                    if register == "colloquial" and rng.random() < 0.45:
                        yield _q(ph.with_typos(text, rng), "in_domain", family, "typo", "template", **labels)
                    if register in ("colloquial", "formal") and rng.random() < 0.3:
                        yield _q(ph.to_traditional(text), "in_domain", family, "traditional", "template", **labels)


def in_domain_sub_items(catalog: Catalog) -> Iterator[dict[str, Any]]:
    for item in catalog.items:
        subs = {default_matcher().canonical_sub_item(g.sub_item) for g in item.guides if g.sub_item}
        for canonical in sorted(s for s in subs if s in ph.SUB_ITEM_WORDS):
            family = f"id-sub:{canonical}"
            rng = _rng(f"{family}:{item.code}")
            for aspect in rng.sample(sorted(ph.ASPECT_PHRASES), 3):
                word = rng.choice(ph.SUB_ITEM_WORDS[canonical])
                name = rng.choice(_names(item)[:3])
                text = rng.choice(["{n}{w}，{a}？", "{w}{n}{a}", "{n}{w}的话{a}"]).format(
                    n=name, w=word, a=rng.choice(ph.ASPECT_PHRASES[aspect])
                )
                yield _q(
                    text,
                    "in_domain",
                    family,
                    "colloquial",
                    "template",
                    item=item.code,
                    aspects=[aspect],
                    sub_item=canonical,
                )


def in_domain_narratives(catalog: Catalog) -> Iterator[dict[str, Any]]:
    for f, frame in enumerate(ph.NARRATIVE_FRAMES):
        family = f"id-narr:{f}"
        rng = _rng(family)
        for item in rng.sample(list(catalog.items), 14):
            aspect = rng.choice(sorted(ph.ASPECT_PHRASES))
            text = frame.format(
                n=rng.choice(_names(item)),
                a=rng.choice(ph.ASPECT_PHRASES[aspect]),
                place=rng.choice(ph.PLACES),
                place2=rng.choice(ph.PLACES),
                date=rng.choice(ph.DATES),
            )
            yield _q(text, "in_domain", family, "narrative", "template", item=item.code, aspects=[aspect])


def in_domain_multi(catalog: Catalog) -> Iterator[dict[str, Any]]:
    for j, joiner in enumerate(ph.JOINERS):
        family = f"id-multi:{j}"
        rng = _rng(family)
        for item in rng.sample(list(catalog.items), 16):
            a1, a2 = rng.sample(sorted(ph.ASPECT_PHRASES), 2)
            text = joiner.format(
                n=rng.choice(_names(item)),
                a1=rng.choice(ph.ASPECT_PHRASES[a1]),
                a2=rng.choice(ph.ASPECT_PHRASES[a2]),
            )
            yield _q(text, "in_domain", family, "colloquial", "template", item=item.code, aspects=sorted([a1, a2]))


def in_domain_faq(catalog: Catalog) -> Iterator[dict[str, Any]]:
    by_name = {item.name: item.code for item in catalog.items}
    seen: set[str] = set()
    for item in catalog.items:
        for guide in item.guides:
            for faq in guide.faq:
                seen.add(faq.question)
                yield _q(faq.question, "in_domain", f"faq:{item.code}", "formal", "faq", item=item.code)
    if SHARED_FAQ.exists():
        for line in SHARED_FAQ.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            code = next((c for name, c in by_name.items() if name in str(row.get("item", ""))), None)
            if code and row["question"] not in seen:
                yield _q(row["question"], "in_domain", f"faq:{code}", "formal", "faq", item=code)


def in_domain_hand() -> Iterator[dict[str, Any]]:
    rows = yaml.safe_load((HAND_DIR / "in_domain.yaml").read_text(encoding="utf-8"))
    for i, row in enumerate(rows):
        text = row["text"]
        register = (
            "english"
            if text.isascii()
            else "traditional"
            if text != _simplified_guess(text)
            else ("narrative" if len(text) > 50 else "colloquial")
        )
        yield _q(
            text,
            "in_domain",
            f"id-hand:{i // 4}",
            register,
            "hand",
            item=row["item"],
            aspects=row.get("aspects"),
            sub_item=row.get("sub_item"),
        )


def _simplified_guess(text: str) -> str:
    trad_to_simp = {t: s for s, t in zip(*_trad_pairs(), strict=True)}
    return "".join(trad_to_simp.get(ch, ch) for ch in text)


def _trad_pairs() -> tuple[str, str]:
    table = ph._TRAD
    simp = "".join(chr(k) for k in table)
    trad = "".join(chr(v) for v in table.values())  # type: ignore[arg-type]
    return simp, trad


def other_departments() -> Iterator[dict[str, Any]]:
    rows = yaml.safe_load((HAND_DIR / "other_departments.yaml").read_text(encoding="utf-8"))
    for row in rows:
        dep = row["department"]
        for i, text in enumerate(row.get("questions", [])):
            register = "english" if text.isascii() else ("narrative" if len(text) > 40 else "colloquial")
            yield _q(text, "other_department", f"od-hand:{dep}:{i // 4}", register, "hand", department=dep)
    for t, template in enumerate(nar.OTHER_TEMPLATES):
        family = f"od-tpl:{t}"
        rng = _rng(family)
        for row in rows:
            for service in rng.sample(row["services"], min(2, len(row["services"]))):
                text = template.format(s=service, place=rng.choice(ph.PLACES), date=rng.choice(ph.DATES))
                register = "narrative" if len(text) > 40 else "colloquial"
                yield _q(text, "other_department", family, register, "template", department=row["department"])
                if rng.random() < 0.15:
                    yield _q(
                        ph.with_typos(text, rng),
                        "other_department",
                        family,
                        "typo",
                        "template",
                        department=row["department"],
                    )
                if rng.random() < 0.1:
                    yield _q(
                        ph.to_traditional(text),
                        "other_department",
                        family,
                        "traditional",
                        "template",
                        department=row["department"],
                    )


def complaints(catalog: Catalog) -> Iterator[dict[str, Any]]:
    data = yaml.safe_load((HAND_DIR / "complaints.yaml").read_text(encoding="utf-8"))
    for i, row in enumerate(data["questions"]):
        text = row["text"]
        register = "english" if text.isascii() else "narrative"
        yield _q(text, "complaint", f"cp-hand:{i // 3}", register, "hand", item=row.get("item"))
    items = list(catalog.items)
    for scenario, incidents in nar.INCIDENTS:
        for k, incident in enumerate(incidents):
            family = f"cp-gen:{scenario}:{k}"
            rng = _rng(family)
            for _ in range(16):
                item = rng.choice(items) if scenario == "refused" else None
                body = incident.format(
                    h=rng.choice(nar.HOSPITALS),
                    v=rng.choice(nar.VACCINES),
                    i=rng.choice(_names(item)[:2]) if item else "",
                    d=rng.choice(nar.DURATIONS),
                    k=rng.choice(["三", "四", "五"]),
                )
                opening = rng.choice(nar.OPENINGS).format(place=rng.choice(ph.PLACES), date=rng.choice(ph.DATES))
                parts = [opening, body, *rng.sample(nar.CONSEQUENCES, rng.choice([1, 2])), rng.choice(nar.REQUESTS)]
                text = "".join(parts)
                register = "narrative"
                if rng.random() < 0.1:
                    text, register = ph.to_traditional(text), "traditional"
                yield _q(text, "complaint", family, register, "template", item=item.code if item else None)


def smalltalk() -> Iterator[dict[str, Any]]:
    data = yaml.safe_load((HAND_DIR / "smalltalk.yaml").read_text(encoding="utf-8"))
    for group, texts in data.items():
        for i, raw in enumerate(texts):
            text = str(raw)
            register = "english" if text.isascii() and not text.isdigit() else "colloquial"
            yield _q(text, "smalltalk", f"st:{group}:{i // 5}", register, "hand")
            for suffix in ("！", "呀", "~") if register != "english" else ():
                yield _q(text + suffix, "smalltalk", f"st:{group}:{i // 5}", register, "template")


def policies(catalog: Catalog) -> Iterator[dict[str, Any]]:
    data = yaml.safe_load((HAND_DIR / "policy.yaml").read_text(encoding="utf-8"))
    for row in data:
        for i, text in enumerate(row["questions"]):
            register = "english" if text.isascii() else "colloquial"
            yield _q(text, "policy", f"pol-hand:{row['topic']}:{i // 4}", register, "hand", policy_topic=row["topic"])
    templates = [
        "{k}是什么意思？",
        "{k}具体是怎么规定的",
        "关于{k}有什么政策",
        "卫健委的{k}是怎么回事",
        "请解释一下{k}",
    ]
    for t, template in enumerate(templates):
        family = f"pol-tpl:{t}"
        rng = _rng(family)
        points = [p for doc in catalog.policies for p in doc.points]
        for point in rng.sample(points, min(14, len(points))):
            words = [w for w in (point.topic, *point.keywords) if 2 <= len(w) <= 12]
            yield _q(
                template.format(k=rng.choice(words)),
                "policy",
                family,
                "colloquial",
                "template",
                policy_topic=point.topic,
            )


def realworld() -> Iterator[dict[str, Any]]:
    """Hand-written real-world phrasing (12345 / 留言板 style), always in the tuning part (split.TUNING_ONLY)."""
    data = yaml.safe_load((HAND_DIR / "realworld.yaml").read_text(encoding="utf-8"))
    for row in data["other_departments"]:
        dep = row["department"]
        for i, text in enumerate(row["questions"]):
            register = "narrative" if len(text) > 40 else "colloquial"
            yield _q(text, "other_department", f"rw:od:{dep}:{i // 3}", register, "hand", department=dep)
    for i, row in enumerate(data["complaints"]):
        yield _q(" ".join(row["text"].split()), "complaint", f"rw:cp:{i}", "narrative", "hand")


def writers() -> Iterator[dict[str, Any]]:
    """Training questions written by hand by several writers (`hand/writers/`), always in the tuning part."""
    for file in load_writer_files():
        for i, row in enumerate(file.questions):
            text = " ".join(row.text.split())
            register = row.style or (
                "english"
                if text.isascii()
                else "traditional"
                if text != _simplified_guess(text)
                else ("narrative" if len(text) > 50 else "colloquial")
            )
            labels: dict[str, Any] = {
                "item": row.item,
                "aspects": row.aspects,
                "sub_item": row.sub_item,
                "department": row.department,
                "policy_topic": row.topic,
            }
            family = f"{TUNING_ONLY}wr:{file.writer}:{row.kind}:{i // 3}"
            yield _q(text, row.kind, family, register, "hand", **{k: v for k, v in labels.items() if v is not None})


def build(catalog: Catalog | None = None) -> list[BankQuestion]:
    catalog = catalog or load_catalog()
    streams = [
        in_domain_templates(catalog),
        in_domain_sub_items(catalog),
        in_domain_narratives(catalog),
        in_domain_multi(catalog),
        in_domain_faq(catalog),
        in_domain_hand(),
        other_departments(),
        complaints(catalog),
        smalltalk(),
        policies(catalog),
        realworld(),
        writers(),
    ]
    out: list[BankQuestion] = []
    seen: set[str] = set()
    trained_on = rasa_training_texts()
    for stream in streams:
        for row in stream:
            if row["text"] in seen:
                continue
            seen.add(row["text"])
            split = split_of(row["family"])
            if split == "blind" and row["text"] in trained_on:
                continue  # already a Rasa training example: it would not be blind
            digest = hashlib.sha1(f"{row['family']}|{row['text']}".encode()).hexdigest()[:10]
            out.append(BankQuestion(id=f"{row['kind']}-{digest}", split=split, **row))
    return out


def rasa_training_texts() -> set[str]:
    """Examples of the hand-written Rasa NLU files (data/nlu/*.yml except the bank's own bank.yml)."""
    texts: set[str] = set()
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        if path.name == "bank.yml":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("- "):
                texts.add(line.strip()[2:].strip())
    return texts


def write(questions: list[BankQuestion], folder: Path = DATA_DIR) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for part in ("tuning", "blind"):
        rows = [q for q in questions if q.split == part]
        counts[part] = len(rows)
        with (folder / f"{part}.jsonl").open("w", encoding="utf-8") as fh:
            for q in rows:
                fh.write(json.dumps(q.model_dump(mode="json", exclude_none=True), ensure_ascii=False) + "\n")
    return counts


def load(part: str, folder: Path = DATA_DIR) -> list[BankQuestion]:
    """Read one part (`tuning` or `blind`) of the written bank."""
    path = folder / f"{part}.jsonl"
    return [BankQuestion.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    questions = build()
    counts = write(questions)
    logger.info("wrote %d questions: %s", len(questions), counts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
