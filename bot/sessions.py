"""Loads and saves per-sender session data (short transactions, one lock per sender)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from weakref import WeakValueDictionary

from sqlalchemy import select

from bot.models import ChatSession
from integrations.contract import SessionData
from kernel.clock import Clock
from kernel.db import Database


class SessionStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._locks: WeakValueDictionary[tuple[str, str], asyncio.Lock] = WeakValueDictionary()

    @asynccontextmanager
    async def open(self, channel: str, sender: str) -> AsyncIterator[SessionData]:
        """Yield the sender's session data; saved, if it changed, when the block ends without error.

        ``updated_at`` is therefore the time of the last change, not of the last message."""
        key = (channel, sender)
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        async with lock:
            async with self.db.session() as s:
                row = await s.scalar(
                    select(ChatSession).where(ChatSession.channel == channel, ChatSession.sender == sender)
                )
                data: SessionData = dict(row.data) if row is not None else {}
            before = json.dumps(data, sort_keys=True, ensure_ascii=False)
            yield data
            if json.dumps(data, sort_keys=True, ensure_ascii=False) == before:
                return  # most messages (a KB question) change nothing: save the write transaction
            now = self.clock.now()
            async with self.db.session() as s:
                row = await s.scalar(
                    select(ChatSession).where(ChatSession.channel == channel, ChatSession.sender == sender)
                )
                if row is None:
                    s.add(ChatSession(channel=channel, sender=sender, data=data, created_at=now, updated_at=now))
                else:
                    row.data = data
                    row.updated_at = now
