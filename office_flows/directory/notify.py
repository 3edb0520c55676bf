"""Notifying a person of the directory: one outbox row per chat address they have."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.outbox import OutboxMessage
from office_flows.directory.models import ChatIdentity


async def notify_person(s: AsyncSession, person_id: int, text: str, *, kind: str, ref: str = "", now: datetime) -> int:
    """One row per chat address of the person (one undeliverable row if none); returns the rows written."""
    rows = (
        await s.execute(select(ChatIdentity.channel, ChatIdentity.address).where(ChatIdentity.person_id == person_id))
    ).all()
    targets = [(c, a) for c, a in rows] or [("", "")]
    for channel, address in targets:
        s.add(
            OutboxMessage(
                person_id=person_id, channel=channel, address=address, kind=kind, ref=ref, text=text, created_at=now
            )
        )
    return len(targets)
