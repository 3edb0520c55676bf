"""Calendar feed tokens: read-only, one per person, revocable — never the API token in a URL.

Calendar apps cannot send headers, so the feed URL carries its token (and the URL lands in access logs and
the calendar app's settings). That token opens that person's meeting feed and nothing else; issuing a new one
replaces (revokes) the old, and it can be revoked outright. Only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, Database, UTCDateTime


class CalendarToken(Base):
    __tablename__ = "calendar_tokens"

    person_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(db: Database, person_code: str, now: datetime) -> str:
    token = "cal_" + secrets.token_urlsafe(24)
    async with db.session() as s:
        await s.execute(delete(CalendarToken).where(CalendarToken.person_code == person_code))
        s.add(CalendarToken(person_code=person_code, token_hash=_digest(token), created_at=now))
    return token


async def revoke(db: Database, person_code: str) -> bool:
    async with db.session() as s:
        result = await s.execute(delete(CalendarToken).where(CalendarToken.person_code == person_code))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def owner_of(db: Database, token: str) -> str | None:
    if not token:
        return None
    async with db.session() as s:
        return await s.scalar(select(CalendarToken.person_code).where(CalendarToken.token_hash == _digest(token)))
