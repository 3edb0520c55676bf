"""Persisted channel state: sync token and device per bot account, the DM room per user, and the message
events taken up (so that a worker resuming another's unfinished batch answers each message once)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.matrix.models import MatrixDirectRoom, MatrixEvent, MatrixState
from kernel.db import Database, insert_or_ignore

Fence = Callable[[AsyncSession], Awaitable[bool]]  # True while this worker may still write (it holds the lease)

NEW, TAKEN, REPLIED, SENT, FENCED = "new", "taken", "replied", "sent", "fenced"


@dataclass(frozen=True)
class EventRecord:
    state: str  # NEW (just taken by us), TAKEN (a worker took it and died answering), REPLIED, SENT, or
    # FENCED: we no longer hold the lease, the message is the new leader's to answer
    replies: list[dict[str, Any]] = field(default_factory=list)


class MatrixStore:
    def __init__(self, db: Database, account: str) -> None:
        self.db = db
        self.account = account

    async def get(self, key: str) -> str | None:
        async with self.db.session() as s:
            row = await s.get(MatrixState, (self.account, key))
            return row.value if row is not None else None

    async def put(self, key: str, value: str, fence: Fence | None = None) -> bool:
        """Store ``value``; with a ``fence``, only while it holds (a worker that lost the lease writes nothing)."""
        async with self.db.session() as s:
            if fence is not None and not await fence(s):
                return False
            row = await s.get(MatrixState, (self.account, key))
            if row is None:
                s.add(MatrixState(account=self.account, key=key, value=value))
            else:
                row.value = value
        return True

    async def dm_room(self, user_id: str) -> str | None:
        async with self.db.session() as s:
            return await s.scalar(
                select(MatrixDirectRoom.room_id).where(
                    MatrixDirectRoom.account == self.account, MatrixDirectRoom.user_id == user_id
                )
            )

    async def remember_dm(self, user_id: str, room_id: str) -> None:
        async with self.db.session() as s:
            row = await s.get(MatrixDirectRoom, (self.account, user_id))
            if row is None:
                s.add(MatrixDirectRoom(account=self.account, user_id=user_id, room_id=room_id))
            else:
                row.room_id = room_id

    # --- message events taken up (answered once across workers) ---

    async def take_event(
        self, event_id: str, room_id: str, worker: str, now: datetime, fence: Fence | None = None
    ) -> EventRecord:
        """Take ``event_id`` up: NEW when nobody had; else what the worker before us got to."""
        async with self.db.session() as s:
            if fence is not None and not await fence(s):
                return EventRecord(FENCED)
            values = {"event_id": event_id, "room_id": room_id, "state": TAKEN, "worker": worker}
            if await insert_or_ignore(s, MatrixEvent, account=self.account, **values, replies=[], at=now):
                return EventRecord(NEW)
            row = await s.get(MatrixEvent, (self.account, event_id))
            assert row is not None
            state = row.state
            if state == TAKEN:
                row.worker, row.at = worker, now  # it died answering: the message is ours to answer now
            return EventRecord(state, list(row.replies))

    async def event_replied(self, event_id: str, replies: list[dict[str, Any]]) -> None:
        await self._set(event_id, state=REPLIED, replies=replies)

    async def event_sent(self, event_id: str) -> None:
        await self._set(event_id, state=SENT, replies=[])

    async def _set(self, event_id: str, **values: Any) -> None:
        async with self.db.session() as s:
            await s.execute(
                update(MatrixEvent)
                .where(MatrixEvent.account == self.account, MatrixEvent.event_id == event_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    async def prune_events(self, before: datetime) -> int:
        """Forget events taken before ``before`` (a sync never goes back that far)."""
        async with self.db.session() as s:
            result = await s.execute(
                delete(MatrixEvent).where(MatrixEvent.account == self.account, MatrixEvent.at < before)
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
