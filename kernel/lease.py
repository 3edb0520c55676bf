"""Leader leases in the database: one worker at a time does a job that must not run twice (the Matrix sync).

A lease is a row ``(name, holder, expires_at)``. The holder renews it every few seconds; anyone may take it
once it has expired. Taking and renewing are one conditional UPDATE (``holder = me OR expires_at < now``), so
of two workers racing for an expired lease exactly one wins, on SQLite and PostgreSQL alike. A holder that
cannot renew (it lost the lease, or the database is unreachable) must stop the job at once: the others will
take over after ``expires_at``. Work that must never be done by a holder that lost its lease checks
``holds`` in the same transaction as its write (a fence).

Times come from the injected clock of each worker, so the workers' clocks must agree to well within the
lease's length (NTP; docs/deploy.md).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from kernel.clock import Clock
from kernel.db import Base, Database, UTCDateTime, insert_or_ignore

log = logging.getLogger(__name__)
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


class Lease(Base):
    __tablename__ = "kernel_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128), default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)


def worker_name() -> str:
    """host:pid:random — unique per process, readable in the table."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


async def take_or_renew(s: AsyncSession, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Hold ``name`` until ``now + ttl`` if it is free, expired or already ours; True when we hold it."""
    await insert_or_ignore(s, Lease, name=name, holder="", expires_at=NEVER, acquired_at=NEVER)
    mine = (Lease.holder == holder) | (Lease.holder == "") | (Lease.expires_at <= now)
    current = await s.scalar(select(Lease.holder).where(Lease.name == name))
    values: dict[str, object] = {"holder": holder, "expires_at": now + ttl}
    if current != holder:
        values["acquired_at"] = now
    result = await s.execute(
        update(Lease).where(Lease.name == name, mine).values(**values).execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def holds(s: AsyncSession, name: str, holder: str, now: datetime) -> bool:
    """Whether ``holder`` holds an unexpired lease ``name`` (call it in the transaction it fences)."""
    row = await s.scalar(select(Lease).where(Lease.name == name))
    return row is not None and row.holder == holder and row.expires_at > now


async def release(s: AsyncSession, name: str, holder: str, now: datetime) -> None:
    """Give the lease up at once (a clean shutdown): the next candidate need not wait for it to expire."""
    await s.execute(
        update(Lease)
        .where(Lease.name == name, Lease.holder == holder)
        .values(holder="", expires_at=now)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class LeaseState:
    holder: str
    expires_at: datetime
    acquired_at: datetime


async def current(s: AsyncSession, name: str) -> LeaseState | None:
    row = await s.scalar(select(Lease).where(Lease.name == name))
    if row is None or not row.holder:
        return None
    return LeaseState(row.holder, row.expires_at, row.acquired_at)


class LeaderLease:
    """One worker's view of one lease: ``try_hold`` takes or renews it; ``fence`` checks it inside a write."""

    def __init__(self, db: Database, clock: Clock, name: str, holder: str, ttl_seconds: float) -> None:
        self.db = db
        self.clock = clock
        self.name = name
        self.holder = holder
        self.ttl = timedelta(seconds=ttl_seconds)

    @property
    def renew_seconds(self) -> float:
        """Renew (and, waiting, look) three times per lease length: a missed renewal or two is survived."""
        return self.ttl.total_seconds() / 3

    async def try_hold(self) -> bool:
        try:
            async with self.db.session() as s:
                return await take_or_renew(s, self.name, self.holder, self.clock.now(), self.ttl)
        except Exception:  # the database is unreachable: we cannot know that we still hold it
            log.warning("lease %s: cannot reach the database; not holding it", self.name, exc_info=True)
            return False

    async def fence(self, s: AsyncSession) -> bool:
        return await holds(s, self.name, self.holder, self.clock.now())

    async def release(self) -> None:
        try:
            async with self.db.session() as s:
                await release(s, self.name, self.holder, self.clock.now())
        except Exception:
            log.warning("lease %s: could not release it; it expires by itself", self.name, exc_info=True)
