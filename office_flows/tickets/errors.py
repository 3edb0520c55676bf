"""Refused ticket actions: each message is for people (Chinese)."""

from __future__ import annotations


class TicketError(ValueError):
    """A refused ticket action; the message is for people (Chinese)."""


class TicketNotFound(TicketError):
    pass


class TicketForbidden(TicketError):
    pass
