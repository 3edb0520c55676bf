"""What office deadlines need from a working-day calendar (``govchat.workdays.WorkCalendar`` in production).

Tests inject a fake; production loads the statutory calendar with its admin overrides inside each
transaction, so an override added today applies to the next step created.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from govchat.workdays import WorkCalendar


class WorkHours(Protocol):
    def add_work_hours(self, start: datetime, hours: float) -> Any:
        """A datetime, or a deadline object with ``.at`` (WorkCalendar returns one with a beyond-data warning)."""
        ...


def at(value: Any) -> datetime:
    when = getattr(value, "at", value)
    assert isinstance(when, datetime)
    return when


async def calendar_for(s: AsyncSession, injected: WorkHours | None) -> WorkHours:
    return injected if injected is not None else await WorkCalendar.load(s)
