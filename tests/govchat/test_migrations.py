"""The migrations create exactly what the models declare, and downgrade cleanly (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from govchat.migrate import downgrade_sync, upgrade
from govchat.models import metadata


def _diff(sync_conn):  # type: ignore[no-untyped-def]
    ctx = MigrationContext.configure(sync_conn, opts={"compare_type": False})
    return compare_metadata(ctx, metadata)


async def test_models_match_migrations(db_url):
    await upgrade(db_url)
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(_diff)
    finally:
        await engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


async def test_downgrade_to_base_and_up_again(db_url):
    await upgrade(db_url)
    import asyncio

    await asyncio.to_thread(downgrade_sync, db_url, "base")
    await upgrade(db_url)
