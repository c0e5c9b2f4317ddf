"""Statuses, ratings, roles and the ticket workflow."""

from __future__ import annotations

from enum import StrEnum


class TicketStatus(StrEnum):
    submitted = "已提交"
    accepted = "已受理"
    in_progress = "办理中"
    answered = "已答复"
    closed = "已办结"
    forwarded = "已转12345"
    returned = "已退回/改派"


OPEN_STATUSES = frozenset(s for s in TicketStatus if s is not TicketStatus.closed)

# Allowed status changes. Reopen (已办结 → 办理中) is its own action and is listed here too.
TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.submitted: frozenset(
        {TicketStatus.accepted, TicketStatus.answered, TicketStatus.forwarded, TicketStatus.returned}
    ),
    TicketStatus.accepted: frozenset(
        {TicketStatus.in_progress, TicketStatus.answered, TicketStatus.forwarded, TicketStatus.returned}
    ),
    TicketStatus.in_progress: frozenset({TicketStatus.answered, TicketStatus.forwarded, TicketStatus.returned}),
    TicketStatus.forwarded: frozenset({TicketStatus.in_progress, TicketStatus.answered, TicketStatus.closed}),
    TicketStatus.returned: frozenset(
        {TicketStatus.accepted, TicketStatus.in_progress, TicketStatus.forwarded, TicketStatus.answered}
    ),
    TicketStatus.answered: frozenset({TicketStatus.closed, TicketStatus.in_progress}),
    TicketStatus.closed: frozenset({TicketStatus.in_progress}),
}


def can_transition(current: TicketStatus, target: TicketStatus) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


class Rating(StrEnum):
    very_satisfied = "非常满意"
    satisfied = "满意"
    basically_satisfied = "基本满意"
    dissatisfied = "不满意"
    very_dissatisfied = "非常不满意"


BAD_RATINGS = frozenset({Rating.dissatisfied, Rating.very_dissatisfied})


class Role(StrEnum):
    """Staff roles. handler: works tickets (desk); editor: edits its office's knowledge (console);
    reviewer: approves and publishes knowledge edits; admin: everything, all offices."""

    handler = "handler"
    editor = "editor"
    reviewer = "reviewer"
    admin = "admin"


class EventKind(StrEnum):
    created = "created"
    status = "status"
    assign = "assign"
    note = "note"
    reply = "reply"
    forward = "forward"
    reroute = "reroute"
    rating = "rating"
    rectification_opened = "rectification_opened"
    rectification_note = "rectification_note"
    rectification_closed = "rectification_closed"
    delivery_failed = "delivery_failed"
    delivered = "delivered"
    contact_viewed = "contact_viewed"
    personal_data_removed = "personal_data_removed"
    reminder = "reminder"  # a deadline notification sent by the scheduler
    pause = "pause"  # 挂起 / 恢复计时


class OutboxKind(StrEnum):
    hotline_12345 = "hotline_12345"
    notify = "notify"
    channel = "channel"


class OutboxStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"


class RectificationStatus(StrEnum):
    open = "open"
    closed = "closed"
