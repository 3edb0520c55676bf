"""What the office chat faces share: a refused action becomes its message, never a stack trace."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Protocol

from office_flows.common import OfficeError

_LEAD = re.compile(r"^[\s，,。：:；;]+")


class HasMessage(Protocol):
    @property
    def message(self) -> str: ...


Action = Callable[[], Awaitable[str]]


async def run(action: Action) -> str:
    try:
        return await action()
    except OfficeError as exc:
        return str(exc)


async def message_of(result: Awaitable[HasMessage]) -> str:
    return str((await result).message)


def after(pattern: re.Pattern[str], text: str) -> str:
    """The free text after an ID in ``text`` (a comment, a reason)."""
    m = pattern.search(text.upper())
    return _LEAD.sub("", text[m.end() :]).strip() if m else ""


def strip_lead(text: str) -> str:
    return _LEAD.sub("", text).strip()
