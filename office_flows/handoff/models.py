"""Handoff records and their transcripts, kept in the database so nothing a citizen writes is lost."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, BigId, UTCDateTime

WAITING = "waiting"
TAKEN = "taken"
RETURNED = "returned"  # the operator handed the citizen back to the bot
CLOSED = "closed"  # the citizen left (e.g. 取消 while waiting)
OPEN = (WAITING, TAKEN)


class Handoff(Base):
    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    sender: Mapped[str] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str] = mapped_column(String(32))  # asked, failures
    operator_channel: Mapped[str] = mapped_column(String(32), default="")
    operator: Mapped[str] = mapped_column(String(255), default="")  # the operator's chat address
    operator_name: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # the desk asked for (粤语, 客家话 …, detected from the conversation); "" = any operator
    skill: Mapped[str] = mapped_column(String(16), default="")


class HandoffMessage(Base):
    __tablename__ = "handoff_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    handoff_id: Mapped[int] = mapped_column(BigId, ForeignKey("handoffs.id"), index=True)
    author: Mapped[str] = mapped_column(String(16))  # citizen, operator, system
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OperatorSkill(Base):
    """A skill an operator carries (粤语, 客家话, 企业服务 …): handoffs that need it go to them first."""

    __tablename__ = "handoff_operator_skills"
    __table_args__ = (UniqueConstraint("channel", "operator", "skill", name="uq_handoff_operator_skills_operator"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))  # matrix, console …
    operator: Mapped[str] = mapped_column(String(255), index=True)  # the operator's address on that channel
    skill: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100), default="")
