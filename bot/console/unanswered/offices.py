"""Which office owns an unanswered question: the office of the turn's own item, else of the item the engine's
item match names with confidence, else the triage queue."""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

MatchItem = Callable[[str], str | None]  # question → confidently matched item code, or None
OfficeOfItem = Callable[[str], str | None]  # item code → its owning office, or None


class OfficeLocator:
    """The ``Locate`` of the grouping: ``(question, turn item) → (office, nearest item)``."""

    def __init__(self, match_item: MatchItem, office_of_item: OfficeOfItem, triage: str) -> None:
        self._match_item = match_item
        self._office_of_item = office_of_item
        self.triage = triage

    def __call__(self, question: str, item_code: str | None) -> tuple[str, str | None]:
        code = item_code
        if code is None:
            try:
                code = self._match_item(question)
            except Exception as exc:  # no engine, no match: the triage queue sorts it out
                logger.warning("item match failed for an unanswered question (%s)", type(exc).__name__)
                code = None
        office = self._office_of_item(code) if code else None
        return (office or self.triage), code


def engine_match_item(question: str) -> str | None:
    """The live engine's confident item match (``Engine.match_item``)."""
    from knowledge.service import get_engine

    match = get_engine().match_item(question)
    return match.item.code if match.item is not None else None


def item_office(code: str) -> str | None:
    """The item's owning office in the live knowledge, else the office the tickets' routing table gives it
    (None when only the triage queue would take it)."""
    from bot.tickets.routing import get_item_categories, get_routing, route
    from knowledge.service import get_engine

    item = get_engine().catalog.item_by_code.get(code)
    if item is not None and item.office:
        return item.office
    table = get_routing()
    found = route(code, None, table=table, item_categories=get_item_categories())
    return None if found.routed_by == "triage" else found.office


def default_locator() -> OfficeLocator:
    from bot.tickets.routing import get_routing

    return OfficeLocator(engine_match_item, item_office, get_routing().triage_office)
