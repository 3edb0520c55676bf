"""Refused ticket actions: each message is for people (Chinese)."""

from __future__ import annotations


class TicketError(ValueError):
    """A refused ticket action; the message is for people (Chinese)."""


class TicketNotFound(TicketError):
    pass


class TicketForbidden(TicketError):
    pass


class NoDepartment(TicketError):
    """A dispatch names no department and the ticket has no proposal: the caller says how to name one."""


class DepartmentUnknown(TicketError):
    """A typed department name matches no department or alias of the dispatch catalogue."""
