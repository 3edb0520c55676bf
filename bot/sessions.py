"""Loads and saves per-sender session data, one sender at a time.

On PostgreSQL the sender's row is locked (``SELECT … FOR UPDATE``) for the whole message, so two workers
never run one sender's dialogue at once: a double "确认" sent to two workers makes one ticket. SQLite has a
single writer and one process; there a lock per sender in the process is enough."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from weakref import WeakValueDictionary

from sqlalchemy import delete, select, text

from bot.models import ChatSession
from integrations.contract import SessionData
from kernel.clock import Clock
from kernel.db import Database

IDLE = timedelta(days=30)  # a conversation untouched this long is forgotten (sessions stay bounded)
SWEEP_EVERY = timedelta(hours=1)


class SessionStore:
    def __init__(self, db: Database, clock: Clock, idle: timedelta = IDLE) -> None:
        self.db = db
        self.clock = clock
        self.idle = idle
        self._swept: datetime | None = None
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
            if not self.db.is_sqlite:
                async with self._locked_row(channel, sender) as locked:
                    yield locked
                return
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

    async def sweep(self, now: datetime) -> int:
        """Forget sessions idle for ``idle`` (at most once an hour): every anonymous visitor gets a fresh
        identity, so without this the table would only grow. A scheduler tick (see govchat/runtime.py)."""
        if self._swept is not None and now - self._swept < SWEEP_EVERY:
            return 0
        self._swept = now
        async with self.db.session() as s:
            result = await s.execute(delete(ChatSession).where(ChatSession.updated_at < now - self.idle))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    @asynccontextmanager
    async def _locked_row(self, channel: str, sender: str) -> AsyncIterator[SessionData]:
        """The sender's data under a transaction-scoped advisory lock (no row needed to lock a newcomer)."""
        digest = hashlib.blake2b(f"{channel}\x1f{sender}".encode(), digest_size=8, person=b"govchat-sess").digest()
        key = int.from_bytes(digest, "big", signed=True)
        async with self.db.sessions() as s, s.begin():
            await s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
            row = await s.scalar(
                select(ChatSession).where(ChatSession.channel == channel, ChatSession.sender == sender)
            )
            loaded: SessionData = copy.deepcopy(row.data) if row is not None else {}  # never alias the row
            before = json.dumps(loaded, sort_keys=True, ensure_ascii=False)
            yield loaded
            if json.dumps(loaded, sort_keys=True, ensure_ascii=False) == before:
                return
            now = self.clock.now()
            if row is None:
                s.add(ChatSession(channel=channel, sender=sender, data=loaded, created_at=now, updated_at=now))
            else:
                row.data = loaded
                row.updated_at = now
