"""The curators' review list: pure rules over a knowledge snapshot's item documents and the open drafts.

Each rule is a function `(ItemView, ReviewContext) -> list[ReviewRow]`; `review_list` runs them all.
The thresholds are knowledge/validate.py's (`DEFAULT_MAX_AGE_DAYS`, `stale_days`, `only_weak`), so the
console and `make validate` agree on what is stale or weak. "Today" is always handed in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.console.tools import texts
from knowledge.validate import DEFAULT_MAX_AGE_DAYS, only_weak, stale_days

CORE_FIELDS: dict[str, str] = {
    "implementing_body": "实施机关",
    "conditions": "受理条件",
    "materials": "申请材料",
    "statutory_time_limit": "法定办结时限",
    "promised_time_limit": "承诺办结时限",
    "fee": "收费",
    "location": "地点",
    "phone": "电话",
}
"""Guide fields a citizen most often asks for; empty ones are listed (null: the source did not say)."""

SUPERSEDED_WORDS = re.compile(r"已废止|已被.{0,20}取代|已失效|已作废")
ORDER: tuple[str, ...] = ("pending_draft", "expired", "review_due", "stale", "superseded", "weak_source")
ORDER += ("other_region", "draft_guide", "empty_fields", "flag")


@dataclass(frozen=True)
class PendingDraft:
    id: int
    item_code: str
    author: str
    status: str
    updated: str  # ISO time as the store gives it


@dataclass(frozen=True)
class ReviewRow:
    item_code: str
    item_name: str
    office: str | None
    guide_id: str | None
    reason: str  # one of ORDER
    message: str
    draft_id: int | None = None
    kind: str = "item"  # "policy": item_code is a policy document's id, item_name its title


@dataclass(frozen=True)
class ReviewContext:
    today: dt.date
    region: str | None  # the deployment's region (KNOWLEDGE_REGION); None: national guides only
    max_age_days: int = DEFAULT_MAX_AGE_DAYS


@dataclass(frozen=True)
class ItemView:
    code: str
    document: dict[str, Any]
    office: str | None

    @property
    def name(self) -> str:
        return str(self.document.get("name") or self.code)

    @property
    def guides(self) -> list[dict[str, Any]]:
        return [g for g in self.document.get("guides") or [] if isinstance(g, dict)]

    def row(self, reason: str, message: str, guide: dict[str, Any] | None = None) -> ReviewRow:
        gid = str(guide.get("id")) if guide is not None else None
        return ReviewRow(self.code, self.name, self.office, gid, reason, message)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _active(guide: dict[str, Any]) -> bool:
    return str(guide.get("status") or "active") == "active"


# ---- the rules ------------------------------------------------------------------------------------


def stale(item: ItemView, ctx: ReviewContext) -> list[ReviewRow]:
    rows = []
    for guide in item.guides:
        verified = _date(guide.get("last_verified"))
        days = stale_days(verified, ctx.today, ctx.max_age_days) if verified else None
        if verified is not None and days is not None:
            message = texts.REVIEW_STALE.format(date=verified.isoformat(), days=days, limit=ctx.max_age_days)
            rows.append(item.row("stale", message, guide))
    return rows


def review_due(item: ItemView, ctx: ReviewContext) -> list[ReviewRow]:
    rows = []
    due = _date(item.document.get("review_due"))
    if due is not None and due <= ctx.today:
        rows.append(item.row("review_due", texts.REVIEW_DUE.format(date=due.isoformat())))
    expiry = _date(item.document.get("expiry_date"))
    if expiry is not None and expiry <= ctx.today:
        rows.append(item.row("expired", texts.REVIEW_EXPIRED.format(date=expiry.isoformat())))
    return rows


def sources(item: ItemView, ctx: ReviewContext) -> list[ReviewRow]:
    rows = []
    for guide in item.guides:
        found = [s for s in guide.get("sources") or [] if isinstance(s, dict)]
        if _active(guide) and only_weak([str(s.get("trust")) for s in found]):
            rows.append(item.row("weak_source", texts.REVIEW_WEAK, guide))
        if str(guide.get("status")) == "superseded":
            rows.append(item.row("superseded", texts.REVIEW_SUPERSEDED_GUIDE, guide))
            continue
        cited = [(str(s.get("title") or ""), f"{s.get('title') or ''} {s.get('note') or ''}") for s in found]
        cited.append((str(guide.get("legal_basis") or ""), str(guide.get("legal_basis") or "")))
        for title, text in cited:
            if SUPERSEDED_WORDS.search(text):
                rows.append(item.row("superseded", texts.REVIEW_SUPERSEDED_SOURCE.format(title=title[:60]), guide))
                break
    return rows


def guide_status(item: ItemView, ctx: ReviewContext) -> list[ReviewRow]:
    return [item.row("draft_guide", texts.REVIEW_DRAFT_GUIDE, g) for g in item.guides if g.get("status") == "draft"]


def empty_fields(item: ItemView, ctx: ReviewContext) -> list[ReviewRow]:
    rows = []
    for guide in item.guides:
        if not _active(guide):
            continue
        empty = [label for name, label in CORE_FIELDS.items() if guide.get(name) in (None, "", [])]
        if empty:
            rows.append(item.row("empty_fields", texts.REVIEW_EMPTY.format(fields="、".join(empty)), guide))
    return rows


def other_region(item: ItemView, ctx: ReviewContext) -> list[ReviewRow]:
    """No guide of the deployment's region and no national one: citizens get another region's guide."""
    if not ctx.region:
        return []
    active = [g for g in item.guides if _active(g)]
    if not active or any(ctx.region in str(g.get("region")) or g.get("national") for g in active):
        return []
    regions = "、".join(sorted({str(g.get("region")) for g in active}))
    return [item.row("other_region", texts.REVIEW_OTHER_REGION.format(region=ctx.region, guide_region=regions))]


def flags(item: ItemView, ctx: ReviewContext) -> list[ReviewRow]:
    return [
        item.row("flag", texts.REVIEW_FLAG.format(flag=flag), g)
        for g in item.guides
        for flag in g.get("curator_flags") or []
    ]


Rule = Callable[[ItemView, ReviewContext], list[ReviewRow]]
RULES: tuple[Rule, ...] = (stale, review_due, sources, guide_status, empty_fields, other_region, flags)


def pending(
    drafts: Sequence[PendingDraft], items: dict[str, dict[str, Any]], offices: dict[str, str | None]
) -> list[ReviewRow]:
    rows = []
    for draft in drafts:
        name = str((items.get(draft.item_code) or {}).get("name") or draft.item_code)
        wording = texts.REVIEW_APPROVED if draft.status == "approved" else texts.REVIEW_PENDING
        message = wording.format(author=draft.author, when=draft.updated[:16].replace("T", " "))
        rows.append(
            ReviewRow(draft.item_code, name, offices.get(draft.item_code), None, "pending_draft", message, draft.id)
        )
    return rows


def stale_policies(policies: dict[str, dict[str, Any]], ctx: ReviewContext) -> list[ReviewRow]:
    """Policy documents are verified too (their points are quoted to citizens); they have no office."""
    rows = []
    for pid in sorted(policies):
        doc = policies[pid]
        verified = _date(doc.get("last_verified"))
        days = stale_days(verified, ctx.today, ctx.max_age_days) if verified else None
        if verified is not None and days is not None:
            message = texts.REVIEW_STALE.format(date=verified.isoformat(), days=days, limit=ctx.max_age_days)
            title = str(doc.get("title") or pid)
            rows.append(ReviewRow(pid, title, None, None, "stale", message, kind="policy"))
    return rows


def review_list(
    items: dict[str, dict[str, Any]],
    drafts: Sequence[PendingDraft],
    offices: dict[str, str | None],
    ctx: ReviewContext,
    rules: Sequence[Rule] = RULES,
    policies: dict[str, dict[str, Any]] | None = None,
) -> list[ReviewRow]:
    """Every finding, most urgent reason first, then by office and item."""
    rows = pending(drafts, items, offices) + stale_policies(policies or {}, ctx)
    for code in sorted(items):
        view = ItemView(code, items[code], offices.get(code))
        for rule in rules:
            rows.extend(rule(view, ctx))
    rank = {reason: n for n, reason in enumerate(ORDER)}
    return sorted(rows, key=lambda r: (rank.get(r.reason, len(ORDER)), r.office or "", r.item_code, r.guide_id or ""))
