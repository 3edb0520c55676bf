"""Per-sender session data: saved when it changes, no write when a message changed nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.models import ChatSession
from bot.sessions import SessionStore
from kernel.clock import FakeClock
from kernel.db import Database


async def test_changed_data_is_saved_and_unchanged_data_writes_nothing(database: Database, clock: FakeClock) -> None:
    store = SessionStore(database, clock)
    async with store.open("matrix", "@a:localhost") as data:
        assert data == {}  # a question that changes nothing leaves no row behind
    async with database.session() as s:
        assert await s.scalar(select(func.count()).select_from(ChatSession)) == 0

    async with store.open("matrix", "@a:localhost") as data:
        data["intake"] = {"state": "where", "text": "烧烤油烟"}
    first_saved = clock.now()
    clock.advance(timedelta(minutes=5))
    async with store.open("matrix", "@a:localhost") as data:
        assert data["intake"]["state"] == "where"  # the dialogue is still there
    async with database.session() as s:
        row = await s.scalar(select(ChatSession))
        assert row is not None and row.updated_at == first_saved  # read only: no write, time of last change

    async with store.open("matrix", "@a:localhost") as data:
        data["intake"]["state"] = "since"  # a nested change counts
    async with store.open("matrix", "@a:localhost") as data:
        assert data["intake"]["state"] == "since"
