"""Gap-free yearly counters (document ids, issued numbers, meeting ids) in one table.

``next_value`` increments inside the caller's transaction with one atomic
INSERT … ON CONFLICT DO UPDATE … RETURNING: the row stays locked until the caller commits,
so concurrent callers queue on it (no duplicates) and a rolled-back caller gives its
number back (no gaps).
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base


class Counter(Base):
    __tablename__ = "office_counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # "FW", "HY", "num:梅江府", …
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


async def next_value(s: AsyncSession, key: str, year: int) -> int:
    dialect = s.bind.dialect.name if s.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(Counter)
        .values(key=key, year=year, value=1)
        .on_conflict_do_update(index_elements=[Counter.key, Counter.year], set_={"value": Counter.value + 1})
        .returning(Counter.value)
    )
    return int((await s.execute(stmt)).scalar_one())
