"""Ticket codes: GD + the Shanghai date + a 5-digit daily sequence, gapless and unique under concurrency."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import SHANGHAI
from office_flows.tickets.models import TicketSequence

CODE = re.compile(r"GD\d{13}")


async def next_code(s: AsyncSession, now: datetime, is_sqlite: bool) -> str:
    """One upsert that increments and returns the day's counter; the row lock serialises concurrent callers,
    and a rolled-back transaction gives its number back, so the sequence has no gaps."""
    day = now.astimezone(SHANGHAI).strftime("%Y%m%d")
    insert = sqlite.insert if is_sqlite else postgresql.insert
    upsert = (
        insert(TicketSequence)
        .values(day=day, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": TicketSequence.last + 1})
        .returning(TicketSequence.last)
    )
    seq = (await s.execute(upsert)).scalar_one()
    if seq > 99999:
        raise OverflowError("more than 99,999 tickets in one day")
    return f"GD{day}{seq:05d}"
