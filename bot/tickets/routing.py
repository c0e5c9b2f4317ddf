"""Route a ticket to the responsible office: item code → item name → item category → triage queue."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from bot.tickets.config import get_ticket_settings

logger = logging.getLogger(__name__)


class RoutingTable(BaseModel):
    triage_office: str = "分拣队列"
    offices: list[str] = Field(default_factory=list)
    items: dict[str, str] = Field(default_factory=dict)
    names: dict[str, str] = Field(default_factory=dict)
    categories: dict[str, str] = Field(default_factory=dict)

    def all_offices(self) -> list[str]:
        seen: list[str] = []
        for office in [*self.offices, *self.items.values(), *self.names.values(), *self.categories.values()]:
            if office not in seen:
                seen.append(office)
        return [*seen, self.triage_office]


@dataclass(frozen=True)
class Route:
    office: str
    routed_by: str  # item / name / category / triage
    category: str | None


def load_routing(path: Path) -> RoutingTable:
    with path.open(encoding="utf-8") as fh:
        return RoutingTable.model_validate(yaml.safe_load(fh) or {})


@lru_cache(maxsize=1)
def get_routing() -> RoutingTable:
    return load_routing(get_ticket_settings().routing_file)


def load_item_categories(items_dir: Path) -> dict[str, str]:
    """code → category, read from the curated item files (only those two keys are looked at)."""
    categories: dict[str, str] = {}
    if not items_dir.is_dir():
        return categories
    for path in sorted(items_dir.glob("*.y*ml")):
        try:
            with path.open(encoding="utf-8") as fh:
                data = yaml.safe_load(fh)
        except (OSError, yaml.YAMLError):
            logger.warning("cannot read item file %s for routing", path.name)
            continue
        if isinstance(data, dict) and data.get("code") and data.get("category"):
            categories[str(data["code"])] = str(data["category"])
    return categories


@lru_cache(maxsize=1)
def get_item_categories() -> dict[str, str]:
    return load_item_categories(get_ticket_settings().items_dir)


def route(
    item_code: str | None,
    item_name: str | None,
    *,
    table: RoutingTable,
    item_categories: dict[str, str],
    category: str | None = None,
) -> Route:
    cat = category or (item_categories.get(item_code) if item_code else None)
    if item_code and item_code in table.items:
        return Route(table.items[item_code], "item", cat)
    name = (item_name or "").strip()
    if name and name in table.names:
        return Route(table.names[name], "name", cat)
    if cat and cat in table.categories:
        return Route(table.categories[cat], "category", cat)
    logger.info("ticket for item %s is unroutable: triage", item_code or "-")
    return Route(table.triage_office, "triage", cat)
