"""Notice tables: the notice and one receipt row per recipient (read_at marks the read receipt)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, BigId, UTCDateTime


class Notice(Base):
    __tablename__ = "office_notices"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(String(16), unique=True)  # TZ-2026-007
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    publisher_id: Mapped[int] = mapped_column(ForeignKey("dir_people.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    remind_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # the unread are reminded once then


class Receipt(Base):
    __tablename__ = "office_notice_receipts"
    __table_args__ = (UniqueConstraint("notice_id", "person_id", name="uq_office_notice_receipts_np"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("office_notices.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("dir_people.id"), index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
