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


# The verb that made the sentence an approval or a return is not part of the comment or the reason.
_VERB = re.compile(
    r"^(?:我|我们)?(?:就|先)?(?:请|麻烦)?"
    r"(?:退回给?\S{0,4}?修改|同意|批准|批咗|通过|可以|没问题|退回去?|退返(?:去|转头|畀\S{1,3})?|退转去?|"
    r"打回(?:去|头)?|驳回|不同意|退)(?:了|咗)?(?:佢|它)?(?:吧|啊|啦|喇)?[\s，,。：:；;！!]*"
)


def reason_of(text: str) -> str:
    """A free-text comment or reason as written, without a leading verb ("退回去，标题要改" → "标题要改")."""
    return _VERB.sub("", strip_lead(text), count=1).strip()
