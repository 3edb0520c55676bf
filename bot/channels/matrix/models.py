"""What the Matrix channel must remember across restarts: the sync token, the device, DM rooms."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base


class MatrixState(Base):
    """Key/value per bot account: ``next_batch`` (sync token) and ``device_id``."""

    __tablename__ = "matrix_state"

    account: Mapped[str] = mapped_column(String(255), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(1024))


class MatrixDirectRoom(Base):
    """The direct room the bot uses to reach a user (outbox deliveries, operator relays)."""

    __tablename__ = "matrix_dm_rooms"

    account: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
