"""Alert tables: cached ticket vectors, the daily run (claimed once per day), the day's hot topics, alerts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, BigId, UTCDateTime


class TicketVector(Base):
    """A ticket text's embedding, so that each ticket is encoded once (not at every daily run)."""

    __tablename__ = "alert_ticket_vectors"

    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(200))  # the encoder's name: another model re-encodes
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, L2-normalised


class TopicRun(Base):
    """One daily run. The row is the claim: whoever inserts the day's row runs it (exactly once)."""

    __tablename__ = "alert_runs"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # yyyy-mm-dd, Asia/Shanghai
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    tickets: Mapped[int] = mapped_column(Integer, default=0)
    encoded: Mapped[int] = mapped_column(Integer, default=0)
    topics: Mapped[int] = mapped_column(Integer, default=0)
    alerts: Mapped[int] = mapped_column(Integer, default=0)


class HotTopic(Base):
    """A topic of the latest window as a run found it (the dashboard's 热点问题)."""

    __tablename__ = "alert_hot_topics"
    __table_args__ = (Index("ix_alert_hot_topics_day_rank", "day", "rank"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    day: Mapped[str] = mapped_column(String(10))
    rank: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(8))  # theme (district-wide) | place
    place: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(Text)
    current: Mapped[int] = mapped_column(Integer)  # tickets in the window
    baseline: Mapped[float] = mapped_column(Float)  # tickets per window over the baseline weeks
    last_year: Mapped[int] = mapped_column(Integer, default=0)
    codes: Mapped[list[str]] = mapped_column(JSON, default=list)  # the window's tickets
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TopicAlert(Base):
    """A 未诉先办 alert: a topic that grew past its baseline or the configured count, with its tickets."""

    __tablename__ = "alert_alerts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    day: Mapped[str] = mapped_column(String(10), index=True)  # the run that raised it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scope: Mapped[str] = mapped_column(String(8))  # theme | place
    place: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(8))  # growth | count
    current: Mapped[int] = mapped_column(Integer)
    baseline: Mapped[float] = mapped_column(Float)
    last_year: Mapped[int] = mapped_column(Integer, default=0)
    seasonal_note: Mapped[str] = mapped_column(Text, default="")
    departments: Mapped[list[str]] = mapped_column(JSON, default=list)
    codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    notified: Mapped[int] = mapped_column(Integer, default=0)  # outbox rows written
