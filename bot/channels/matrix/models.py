"""What the Matrix channel must remember across restarts: the sync token, the device, DM rooms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, UTCDateTime


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


class MatrixEvent(Base):
    """A message event the bot took up, so that a worker resuming an unfinished batch answers it only once.

    ``state``: ``taken`` (being answered), ``replied`` (the answers are in ``replies``, being sent) or ``sent``.
    A worker that resumes a batch skips ``sent`` events, re-sends a ``replied`` event's stored answers with the
    same transaction ids (the homeserver keeps one event per id and device) and answers ``taken`` ones anew."""

    __tablename__ = "matrix_events"

    account: Mapped[str] = mapped_column(String(255), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(8))
    worker: Mapped[str] = mapped_column(String(128), default="")
    replies: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
