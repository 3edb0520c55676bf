"""Rate limits kept in the database, shared by workers and not bypassed by parallel requests.

``allow`` records the event first, then counts the bucket's events in the window up to and including it:
the n-th of many parallel requests sees at least n, so no more than ``limit`` pass.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, BigId, Database, UTCDateTime


class RateEvent(Base):
    __tablename__ = "rate_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bucket: Mapped[str] = mapped_column(String(160), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


async def allow(db: Database, bucket: str, limit: int, window: timedelta, now: datetime) -> bool:
    bucket = bucket[:160]
    async with db.session() as s:
        await s.execute(delete(RateEvent).where(RateEvent.bucket == bucket, RateEvent.at <= now - window))
        row = RateEvent(bucket=bucket, at=now)
        s.add(row)
        await s.flush()
        mine = row.id
    async with db.session() as s:
        n = await s.scalar(
            select(func.count()).where(RateEvent.bucket == bucket, RateEvent.at > now - window, RateEvent.id <= mine)
        )
    return int(n or 0) <= limit
