"""Persisted channel state: sync token and device per bot account, and the DM room per user."""

from __future__ import annotations

from sqlalchemy import select

from bot.channels.matrix.models import MatrixDirectRoom, MatrixState
from kernel.db import Database


class MatrixStore:
    def __init__(self, db: Database, account: str) -> None:
        self.db = db
        self.account = account

    async def get(self, key: str) -> str | None:
        async with self.db.session() as s:
            row = await s.get(MatrixState, (self.account, key))
            return row.value if row is not None else None

    async def put(self, key: str, value: str) -> None:
        async with self.db.session() as s:
            row = await s.get(MatrixState, (self.account, key))
            if row is None:
                s.add(MatrixState(account=self.account, key=key, value=value))
            else:
                row.value = value

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
