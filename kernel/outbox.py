"""Durable notifications: an outbox in the database that channels deliver from.

Flows write a notification in the same transaction as the change it announces, so a
ticket dispatched is never silently un-notified and a rolled-back change notifies no one.
Each channel (Matrix, the web chat's poll, …) takes its pending rows and marks them
delivered; a row for a person goes to every chat address linked to that person.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from sqlalchemy import ForeignKey, Select, String, Text, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, BigId, UTCDateTime, claim

ANY_CHANNEL = "*"


class OutboxMessage(Base):
    __tablename__ = "notify_outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("dir_people.id"), nullable=True, index=True)
    channel: Mapped[str] = mapped_column(String(32), index=True)  # "" when the person has no chat address
    address: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))  # ticket_dispatched, callback, reminder, invitation, …
    ref: Mapped[str] = mapped_column(String(64), default="")  # the ticket, document or meeting it is about
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    # A client that polls (web chat, integrations) holds a row until it acknowledges it; unacknowledged,
    # the row is offered again after this time (at-least-once; clients drop duplicates by id).
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


async def notify_address(
    s: AsyncSession, channel: str, address: str, text: str, *, kind: str, ref: str = "", now: datetime
) -> None:
    s.add(OutboxMessage(channel=channel, address=address, kind=kind, ref=ref, text=text, created_at=now))


async def take_pending(
    s: AsyncSession,
    channels: list[str],
    now: datetime,
    *,
    address: str | None = None,
    limit: int = 100,
    any_prefix: str = "",
    with_any: bool = True,
    skip: Collection[str] | Select[str] = (),
) -> list[OutboxMessage]:
    """Claim undelivered rows for these channels (and "*"), oldest first, marking them delivered.

    ``any_prefix`` limits the "*" rows to addresses this channel can reach (Matrix ids start with "@");
    ``with_any=False`` leaves them out altogether; ``skip``: addresses not to take now (a platform that will
    accept their messages only later), as values or a subquery. The claim is a conditional UPDATE per row, so
    two workers never deliver the same row twice.
    """
    any_rows = OutboxMessage.channel == ANY_CHANNEL
    if any_prefix:
        any_rows = and_(any_rows, OutboxMessage.address.startswith(any_prefix, autoescape=True))
    mine = OutboxMessage.channel.in_(channels)
    q = select(OutboxMessage).where(OutboxMessage.delivered_at.is_(None), or_(mine, any_rows) if with_any else mine)
    if address is not None:
        q = q.where(OutboxMessage.address == address)
    if isinstance(skip, Select):
        q = q.where(OutboxMessage.address.not_in(skip))
    elif skip:
        q = q.where(OutboxMessage.address.not_in(list(skip)))
    candidates = list(await s.scalars(q.order_by(OutboxMessage.id).limit(limit)))
    taken = []
    for row in candidates:
        if await claim(s, OutboxMessage, row.id, OutboxMessage.delivered_at.is_(None), delivered_at=now):
            taken.append(row)
    return taken


async def unclaim(s: AsyncSession, ids: list[int]) -> None:
    """Give claimed rows back (the channel could not deliver them) so a later round retries."""
    await s.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(delivered_at=None)
        .execution_options(synchronize_session=False)
    )


async def pending_for_person(s: AsyncSession, person_id: int) -> list[OutboxMessage]:
    return list(
        await s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.person_id == person_id, OutboxMessage.delivered_at.is_(None))
            .order_by(OutboxMessage.id)
        )
    )


async def lease_pending(
    s: AsyncSession,
    channel: str,
    now: datetime,
    lease: timedelta,
    *,
    address: str | None = None,
    limit: int = 100,
) -> list[OutboxMessage]:
    """Undelivered rows of exactly this channel (never "*"), not leased to another poll right now.

    Each is leased until ``now + lease`` (a conditional UPDATE: two workers never hand out one row at once);
    ``acknowledge`` marks it delivered, and an unacknowledged row is offered again when the lease ends."""
    q = select(OutboxMessage).where(
        OutboxMessage.delivered_at.is_(None),
        OutboxMessage.channel == channel,
        or_(OutboxMessage.leased_until.is_(None), OutboxMessage.leased_until <= now),
    )
    if address is not None:
        q = q.where(OutboxMessage.address == address)
    candidates = list(await s.scalars(q.order_by(OutboxMessage.id).limit(limit)))
    free = and_(
        OutboxMessage.delivered_at.is_(None),
        or_(OutboxMessage.leased_until.is_(None), OutboxMessage.leased_until <= now),
    )
    return [row for row in candidates if await claim(s, OutboxMessage, row.id, free, leased_until=now + lease)]


async def acknowledge(
    s: AsyncSession, channel: str, ids: list[int], now: datetime, *, address: str | None = None
) -> int:
    """Mark these rows delivered, but only those of ``channel`` (and ``address``): nobody acknowledges,
    and so hides, someone else's messages."""
    if not ids:
        return 0
    q = update(OutboxMessage).where(
        OutboxMessage.id.in_(ids), OutboxMessage.channel == channel, OutboxMessage.delivered_at.is_(None)
    )
    if address is not None:
        q = q.where(OutboxMessage.address == address)
    result = await s.execute(q.values(delivered_at=now).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def backlog(s: AsyncSession) -> tuple[int, datetime | None]:
    """Undelivered notifications and when the oldest was written (for /metrics)."""
    row = (
        await s.execute(
            select(func.count(), func.min(OutboxMessage.created_at)).where(OutboxMessage.delivered_at.is_(None))
        )
    ).one()
    oldest = row[1]
    if isinstance(oldest, str):  # in case a driver hands the aggregate back as text
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return int(row[0] or 0), oldest
