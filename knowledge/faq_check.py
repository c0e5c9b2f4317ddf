"""Curation checks of the guides' FAQ entries (`Guide.faq`), called from `knowledge/validate.py`.

A FAQ entry is quoted verbatim as an answer (`knowledge/faq.py`), so it must say where it comes from and
where it applies, and must be the source's own words:
- its region must be stated (warning: else the guide's region stands in) and name a known place (warning:
  a FAQ whose region names no place answers only questions that name none);
- a FAQ resting only on a weak source is listed for review (warning);
- the same question twice in one item is a slip (warning);
- an entry whose source note cites a record of the shared sources (`源记录：faq.jsonl f006`) must match that
  record verbatim — question, answer, region and address (error) — and belong to its item (warning: the record
  names another item). The shared file is read when it is there (`../shared/knowledge-sources/faq.jsonl`
  beside the checkout, or `KNOWLEDGE_FAQ_SOURCES`); without it only the other checks run.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from knowledge.places import Places, load_places
from knowledge.schema import ServiceItem, Trust

logger = logging.getLogger(__name__)

SOURCES_ENV = "KNOWLEDGE_FAQ_SOURCES"
DEFAULT_SOURCES = Path(__file__).resolve().parents[2] / "shared" / "knowledge-sources" / "faq.jsonl"
_CITED = re.compile(r"faq\.jsonl\s*(f\d+)")
_UNSTATED = ("不详", "未载明")
_NATIONAL = ("全国", "国家")

Finding = tuple[str, str, str]  # (level: "error" | "warning", where, message)


def sources_file() -> Path | None:
    path = Path(os.environ.get(SOURCES_ENV) or DEFAULT_SOURCES)
    return path if path.is_file() else None


def read_sources(path: Path | None) -> dict[str, dict[str, Any]]:
    if path is None:
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {str(row["id"]): row for row in rows}


def _names_no_place(region: str, places: Places) -> bool:
    """A region that is neither said to be unknown, nor national, nor a place of `places.yaml`."""
    if any(w in region for w in (*_UNSTATED, *_NATIONAL)):
        return False
    return places.guide_place(region) is None


def faq_findings(
    items: Sequence[ServiceItem],
    item_files: Mapping[str, str],
    *,
    sources: Mapping[str, Mapping[str, Any]] | None = None,
    places: Places | None = None,
) -> list[Finding]:
    """Every finding on the items' FAQ entries (`sources`: the shared records by id; None reads the shared file)."""
    records = read_sources(sources_file()) if sources is None else sources
    places = places or load_places()
    found: list[Finding] = []
    for item in items:
        seen: set[str] = set()
        for n, guide in enumerate(item.guides):
            for m, faq in enumerate(guide.faq):
                where = f"{item_files.get(item.code, item.code)}#{guide.id}.faq{m}"
                path = f"guides.{n}.faq.{m}"
                if faq.question in seen:
                    found.append(("warning", where, f"同一事项中重复的常见问题 question repeated in the item ({path})"))
                seen.add(faq.question)
                if not faq.region:
                    found.append(("warning", where, f"常见问题未写适用地区 FAQ has no region ({path}.region)"))
                elif _names_no_place(faq.region, places):
                    found.append(("warning", where, f"地区无法识别 region names no known place: {faq.region!r}"))
                if faq.source.trust is Trust.weak:
                    found.append(("warning", where, "常见问题仅有低可信来源 FAQ rests on a weak source"))
                cited = _CITED.search(faq.source.note or "")
                if cited is None or not records:
                    continue
                record = records.get(cited.group(1))
                if record is None:
                    found.append(("error", where, f"引用的源记录不存在 cited record {cited.group(1)} not found"))
                    continue
                for field, ours, theirs in (
                    ("question", faq.question, record.get("question")),
                    ("answer", faq.answer, record.get("answer")),
                    ("region", faq.region, record.get("region")),
                    ("source.url", faq.source.url, record.get("source_url")),
                ):
                    if ours != theirs:
                        message = f"与源记录 {cited.group(1)} 不一致 differs from the source: {field}"
                        found.append(("error", where, message))
                names = (item.name, *item.aliases)
                if not any(str(record.get("item", "")).startswith(name) for name in names):
                    found.append(("warning", where, f"源记录属于其他事项 the record names {record.get('item')!r}"))
    return found
