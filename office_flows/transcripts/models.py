"""Transcript tables: a conversation between one citizen (a pseudonymous key) and the bot alone, and its turns."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, BigId, UTCDateTime

# The KB's decision on a turn it answered (``kb`` column); "" when the knowledge base did not answer it.
KB_ANSWER = "answer"
KB_CHOICES = "choices"
KB_DECLINE = "decline"


class BotConversation(Base):
    __tablename__ = "bot_conversations"
    __table_args__ = (Index("ix_bot_conversations_key_last", "channel", "user_key", "last_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_key: Mapped[str] = mapped_column(String(32))  # sha256 of channel and sender, never the sender itself
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    turns: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # turns answered with the generic failure reply


class BotTurn(Base):
    __tablename__ = "bot_turns"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("bot_conversations.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, … within the conversation
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)  # what the citizen said, masked
    replies: Mapped[list[str]] = mapped_column(JSON, default=list)  # every reply text, masked
    handler: Mapped[str] = mapped_column(String(64), default="")  # which handler answered
    intent: Mapped[str] = mapped_column(String(64), default="")  # the understood intent, when one ran
    kb: Mapped[str] = mapped_column(String(8), default="")  # answer / choices / decline, when the KB answered
    failure: Mapped[bool] = mapped_column(Boolean, default=False)  # the generic failure reply was given
    handoff: Mapped[bool] = mapped_column(Boolean, default=False)  # a handoff to a person was open after the turn
