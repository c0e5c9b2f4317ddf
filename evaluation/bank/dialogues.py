"""Generate multi-turn conversations from the knowledge base, split into a tuning and a blind part.

    python -m evaluation.bank.dialogues     # writes evaluation/data/multiturn/{tuning,blind}.jsonl

The conversations follow ../shared/eval/FORMAT.md (one per line, turns with `expect`), so
`python -m evaluation.run FILE --mode chat` measures them through `POST /api/chat`. Kinds of
conversation (each a family per phrasing template, evaluation/bank/dialogue_phrasing.py):

    followup   a question about an item, then a follow-up asking only for another aspect
    region     a question, then a region named mid-way (one the item has a guide for, or none)
    subitem    a general question on an item whose sub-items differ → clarify; a button → answer;
               a follow-up → the same item (the sub-item remembered)
    policy     a question about an item, then a policy question
    complaint  a question about an item, then a complaint (the item pre-filled: the intake goes on)
    ticket     a ticket number in one of several forms, unknown → 未找到该工单
    english / traditional   the same in English or traditional characters

Expectations come from the knowledge base itself (item names, which items have sub-items that
differ, which regions have guides), never from running the assistant. The split hashes the family
(`multiturn-v1:` + family) like the question bank; nothing is tuned on the blind part.
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

from evaluation.bank import dialogue_phrasing as dp
from evaluation.bank.phrasing import ENGLISH_NAMES, to_traditional
from knowledge.catalog import Catalog, load_catalog
from knowledge.decide.guide_select import GuideSelector
from knowledge.query.cues import default_matcher
from knowledge.schema import Aspect, ServiceItem

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "evaluation" / "data" / "multiturn"
SALT = "multiturn-v1"
BLIND_PERCENT = 30
ITEMS_PER_TEMPLATE = 2
LIST_ASPECTS = (Aspect.materials, Aspect.conditions, Aspect.process)


def split_of(family: str) -> str:
    digest = hashlib.sha256(f"{SALT}:{family}".encode()).hexdigest()
    return "blind" if int(digest[:8], 16) % 100 < BLIND_PERCENT else "tuning"


def _rng(family: str) -> random.Random:
    return random.Random(int(hashlib.sha256(family.encode()).hexdigest()[:12], 16))


def _turn(user: str, **expect: Any) -> dict[str, Any]:
    return {"user": user, "expect": {k: v for k, v in expect.items() if v not in (None, [])}}


class Builder:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.selector = GuideSelector(default_matcher())
        self.items = sorted(catalog.items, key=lambda i: i.code)
        # The catalog's place words are ordered by length only (ties in set order): fix the order.
        self.region_words = sorted(catalog.region_words, key=lambda w: (-len(w), w))

    def differs(self, item: ServiceItem, aspect: Aspect) -> bool:
        return bool(self.selector.differing_sub_items(item, (aspect,), None))

    def clarifies(self, item: ServiceItem, aspect: Aspect) -> bool:
        """A general question about this aspect gets a clarifying question (list aspects that differ)."""
        return aspect in LIST_ASPECTS and self.differs(item, aspect)

    def plain_items(self, *aspects: Aspect) -> list[ServiceItem]:
        """Items a plain question about these aspects is answered for directly."""
        return [i for i in self.items if not any(self.clarifies(i, a) for a in aspects)]

    def regions(self, item: ServiceItem) -> list[str]:
        """Place words of this item's regional guides (e.g. 深圳 for 广东省深圳市)."""
        out: list[str] = []
        for guide in item.guides:
            for word in self.region_words:
                if word in guide.region and word not in out and len(item.guides) > 1:
                    out.append(word)
                    break
        return out


def _first(item: ServiceItem, aspect: str, rng: random.Random) -> str:
    return rng.choice(dp.FIRST[aspect]).format(n=item.name)


def followups(b: Builder) -> Iterator[dict[str, Any]]:
    for aspect, phrasings in dp.FOLLOWUP.items():
        for t, text in enumerate(phrasings):
            family = f"followup:{aspect}:{t}"
            rng = _rng(family)
            first_aspect = "time_limit" if aspect != "time_limit" else "materials"
            pool = b.plain_items(Aspect(aspect), Aspect(first_aspect))
            for item in rng.sample(pool, min(ITEMS_PER_TEMPLATE, len(pool))):
                yield {
                    "family": family,
                    "tags": ["multi_turn", "followup", aspect],
                    "turns": [
                        _turn(_first(item, first_aspect, rng), kind="answer", item=item.name, aspect=first_aspect),
                        _turn(text, kind="answer", item=item.name, aspect=aspect),
                    ],
                }


def regions(b: Builder) -> Iterator[dict[str, Any]]:
    regional = [i for i in b.plain_items(Aspect.time_limit) if len(b.regions(i)) >= 2]
    for t, template in enumerate(dp.REGION):
        family = f"region:{t}"
        rng = _rng(family)
        for item in rng.sample(regional, min(ITEMS_PER_TEMPLATE, len(regional))):
            place = rng.choice(b.regions(item))
            unknown = rng.choice(dp.UNKNOWN_REGIONS)
            first = _turn(_first(item, "time_limit", rng), kind="answer", item=item.name, aspect="time_limit")
            for tag, where in (("region_known", place), ("region_unknown", unknown)):
                yield {
                    "family": family,
                    "tags": ["multi_turn", "region", tag],
                    "turns": [
                        first,
                        _turn(
                            template.format(r=where),
                            kind="answer",
                            item=item.name,
                            aspect="time_limit",
                            contains_all=[where],
                        ),
                    ],
                }


def sub_items(b: Builder) -> Iterator[dict[str, Any]]:
    for aspect, templates in dp.GENERAL_LIST.items():
        pool = [i for i in b.items if b.clarifies(i, Aspect(aspect))]
        for t, template in enumerate(templates):
            family = f"subitem:{aspect}:{t}"
            rng = _rng(family)
            for item in rng.sample(pool, min(ITEMS_PER_TEMPLATE, len(pool))):
                differing = b.selector.differing_sub_items(item, (Aspect(aspect),), None)
                sub, _ = rng.choice(differing)
                payload = "/ask_item" + json.dumps({"item_code": item.code, "sub_item": sub}, ensure_ascii=False)
                follow_aspect = rng.choice(["time_limit", "fee", "location"])
                yield {
                    "family": family,
                    "tags": ["multi_turn", "clarify", "sub_item"],
                    "turns": [
                        _turn(template.format(n=item.name), kind="clarify"),
                        _turn(payload, kind="answer", item=item.name, aspect=aspect),
                        _turn(
                            rng.choice(dp.FOLLOWUP[follow_aspect]), kind="answer", item=item.name, aspect=follow_aspect
                        ),
                    ],
                }


def policies(b: Builder) -> Iterator[dict[str, Any]]:
    pool = b.plain_items(Aspect.time_limit)
    for t, template in enumerate(dp.POLICY_MID):
        for policy, names in dp.POLICIES.items():
            family = f"policy:{t}:{policy}"
            rng = _rng(family)
            item = rng.choice(pool)
            name = rng.choice(names)
            yield {
                "family": family,
                "tags": ["multi_turn", "policy"],
                "turns": [
                    _turn(_first(item, "time_limit", rng), kind="answer", item=item.name, aspect="time_limit"),
                    _turn(template.format(p=name), kind="answer", contains_any=dp.POLICY_EXPECT[policy]),
                ],
            }


def complaints(b: Builder) -> Iterator[dict[str, Any]]:
    pool = b.plain_items(Aspect.time_limit)
    for t, text in enumerate(dp.COMPLAINT_AFTER):
        family = f"complaint:{t}"
        rng = _rng(family)
        for item in rng.sample(pool, ITEMS_PER_TEMPLATE):
            yield {
                "family": family,
                "tags": ["multi_turn", "escalation", "prefill"],
                "turns": [
                    _turn(_first(item, "time_limit", rng), kind="answer", item=item.name, aspect="time_limit"),
                    # The item is known: the intake must not ask which item it was (it asks for the details).
                    _turn(text, kind="escalate", not_contains=["哪个事项", "什么事项"]),
                ],
            }


def tickets(b: Builder) -> Iterator[dict[str, Any]]:
    for t, template in enumerate(dp.TICKET):
        family = f"ticket:{t}"
        rng = _rng(family)
        number = rng.choice(dp.TICKET_NUMBERS)
        prefix, date, serial = number.split("-")
        text = template.format(
            t=number, t_lower=f"{prefix.lower()}{date}-{int(serial)}", t_spaced=f"{prefix} {date} {serial}"
        )
        yield {
            "family": family,
            "tags": ["ticket"],
            "turns": [_turn(text, kind="ticket_status", contains_all=["未找到该工单"])],
        }


def languages(b: Builder) -> Iterator[dict[str, Any]]:
    pool = [i for i in b.plain_items(Aspect.time_limit, Aspect.fee, Aspect.location) if i.code in ENGLISH_NAMES]
    for aspect, phrasings in dp.ENGLISH_FOLLOWUP.items():
        for t, text in enumerate(phrasings):
            family = f"english:{aspect}:{t}"
            rng = _rng(family)
            for item in rng.sample(pool, ITEMS_PER_TEMPLATE):
                first = rng.choice(dp.ENGLISH_FIRST).format(en=ENGLISH_NAMES[item.code])
                yield {
                    "family": family,
                    "tags": ["multi_turn", "english"],
                    "turns": [
                        _turn(first, kind="answer", item=item.name),
                        _turn(text, kind="answer", item=item.name, aspect=aspect),
                    ],
                }
    pool = [i for i in pool if not b.clarifies(i, Aspect.materials)]  # the first turn asks for materials
    for aspect, phrasings in dp.TRADITIONAL_FOLLOWUP.items():
        for t, text in enumerate(phrasings):
            family = f"traditional:{aspect}:{t}"
            rng = _rng(family)
            for item in rng.sample(pool, ITEMS_PER_TEMPLATE):
                yield {
                    "family": family,
                    "tags": ["multi_turn", "traditional"],
                    "turns": [
                        _turn(to_traditional(_first(item, "materials", rng)), kind="answer", item=item.name),
                        _turn(text, kind="answer", item=item.name, aspect=aspect),
                    ],
                }


GENERATORS = (followups, regions, sub_items, policies, complaints, tickets, languages)


def generate(catalog: Catalog | None = None) -> list[dict[str, Any]]:
    b = Builder(catalog or load_catalog())
    out: list[dict[str, Any]] = []
    for gen in GENERATORS:
        for n, conv in enumerate(gen(b)):  # ids are ASCII: they become chat session ids
            family = conv.pop("family")
            out.append(
                {"id": f"mt-{family.replace(':', '-')}-{n}", "family": family, "split": split_of(family), **conv}
            )
    return out


def write(convs: list[dict[str, Any]], folder: Path = OUT_DIR) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for part in ("tuning", "blind"):
        rows = [c for c in convs if c["split"] == part]
        counts[part] = len(rows)
        text = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in rows)
        (folder / f"{part}.jsonl").write_text(text, encoding="utf-8")
    return counts


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    counts = write(generate())
    logger.info("multi-turn conversations: %s", counts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
