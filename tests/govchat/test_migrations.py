"""The migrations create exactly what the models declare, and go down to nothing and up again (SQLite and
PostgreSQL)."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from govchat.migrate import downgrade_sync, upgrade
from govchat.models import metadata

MODEL_TABLES = set(metadata.tables)


def _diff(sync_conn):  # type: ignore[no-untyped-def]
    ctx = MigrationContext.configure(sync_conn, opts={"compare_type": False})
    return compare_metadata(ctx, metadata)


def _state(sync_conn: Any) -> tuple[set[str], tuple[str, ...]]:
    """The project's tables (SQLite's own left out) and the Alembic revision(s) stamped in the database."""
    tables = {t for t in inspect(sync_conn).get_table_names() if not t.startswith("sqlite_")}
    return tables, MigrationContext.configure(sync_conn).get_current_heads()


async def _read(db_url: str, what: Any) -> Any:
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(what)
    finally:
        await engine.dispose()


async def test_models_match_migrations(db_url):
    await upgrade(db_url)
    diff = await _read(db_url, _diff)
    assert diff == [], f"models and migrations differ: {diff}"


async def test_upgrade_downgrade_to_base_and_upgrade_again(db_url):
    await upgrade(db_url)
    tables, heads = await _read(db_url, _state)
    assert tables == MODEL_TABLES | {"alembic_version"}, tables ^ (MODEL_TABLES | {"alembic_version"})
    assert len(heads) == 1, heads
    head = heads[0]

    await asyncio.to_thread(downgrade_sync, db_url, "base")
    tables, heads = await _read(db_url, _state)
    assert tables <= {"alembic_version"}, f"left behind by the downgrade: {tables}"
    assert heads == (), heads

    await upgrade(db_url)
    tables, heads = await _read(db_url, _state)
    assert tables == MODEL_TABLES | {"alembic_version"}, tables ^ (MODEL_TABLES | {"alembic_version"})
    assert heads == (head,)
