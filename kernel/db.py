"""Database engine and sessions (SQLite by default, PostgreSQL by URL); migrations are ``govchat.migrate``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, event, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from kernel.clock import SystemClock

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Identity columns must be BIGINT on PostgreSQL and INTEGER on SQLite (ROWID alias).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, returns aware datetimes: SQLite has no time zones, PostgreSQL does."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use the injected clock")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        # hide_parameters: a failed statement's error (logged) never carries a row of citizen data
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
            # No JIT: compiling a statistics query cost 0.5 s over 2M tickets, more than running it
            # (bench/scale_bench.py); the product's queries are index probes and month-sized scans.
            kwargs["connect_args"] = {"server_settings": {"jit": "off"}}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer; its busy handler sleeps up to 100 ms per retry, which made tail latency
        # ten times the median under 8 concurrent clients. Queue transactions in the process instead.
        # (Never open a second session while holding one: on SQLite that would wait for itself.)
        self._sqlite_lock = asyncio.Lock() if self.is_sqlite else None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on any error."""
        if self._sqlite_lock is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with self._sqlite_lock, self.sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


async def claim(session: AsyncSession, model: Any, row_id: int, condition: Any, **values: Any) -> bool:
    """Set ``values`` on one row only if ``condition`` still holds; True for the one caller that did it.

    This conditional UPDATE is how due work (escalations, reminders, outbox rows) fires exactly once
    with several workers on one database: whoever's UPDATE matches first wins, the others see 0 rows.
    """
    result = await session.execute(
        update(model).where(model.id == row_id, condition).values(**values).execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def insert_or_ignore(session: AsyncSession, model: Any, **values: Any) -> bool:
    """INSERT a row unless its primary key exists (ON CONFLICT DO NOTHING); True when this call inserted it.

    No IntegrityError, so the transaction goes on either way (on PostgreSQL a failed INSERT aborts it)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(model)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(model)
    result = await session.execute(stmt.values(**values).on_conflict_do_nothing())
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def sqlite_file(url: str) -> Path | None:
    if url.startswith("sqlite") and ":///" in url:
        path = url.split(":///", 1)[1]
        return Path(path) if path and path != ":memory:" else None
    return None


def utcnow() -> datetime:
    """Only for column defaults of bookkeeping rows; domain code uses the injected clock."""
    return SystemClock().now()
