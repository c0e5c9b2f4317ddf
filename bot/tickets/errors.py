"""The errors a ticket operation raises; the routers turn each into its HTTP status."""

from __future__ import annotations


class TicketError(Exception):
    """Base of the errors a router turns into an HTTP status."""

    status_code = 400


class NotFoundError(TicketError):
    status_code = 404


class ConflictError(TicketError):
    status_code = 409


class ForbiddenError(TicketError):
    status_code = 403


class InvalidError(TicketError):
    status_code = 422
