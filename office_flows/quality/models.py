"""Inspection results: one row per inspected ticket or conversation, its findings with their evidence, and the
reviewer's verdict on the sampled ones (from which each rule's precision is measured)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, BigId, UTCDateTime

TICKET = "ticket"
CONVERSATION = "conversation"  # a handoff: a citizen with a human operator
BOT = "bot"  # a conversation between a citizen and the bot alone (office_flows.transcripts)
BOT_OPERATOR = "智能机器人"  # the bot's own row among the operators
SUBJECT_LABELS = {TICKET: "工单", CONVERSATION: "人工对话", BOT: "机器人对话"}
MUST = "must"  # 必改
ADVICE = "advice"  # 建议
SEVERITY_LABELS = {MUST: "必改", ADVICE: "建议"}
UPHELD = "成立"
REJECTED = "不成立"


class Inspection(Base):
    __tablename__ = "quality_inspections"
    __table_args__ = (
        UniqueConstraint("subject", "ref", name="uq_quality_inspections_subject"),
        Index("ix_quality_inspections_month_department", "month", "department_code"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(12))  # ticket, conversation, bot
    ref: Mapped[str] = mapped_column(String(32))  # the ticket's GD code, the handoff's or bot conversation's id
    department_code: Mapped[str] = mapped_column(String(32), default="")
    operator: Mapped[str] = mapped_column(String(64), default="", index=True)  # handler or operator, by name
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM of the closing, in the district's time zone
    score: Mapped[float] = mapped_column(Float)  # 100 minus the weights of the findings
    model_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    model_name: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what a rule could not judge, and why
    must_fix: Mapped[int] = mapped_column(Integer, default=0)
    advice: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[datetime] = mapped_column(UTCDateTime)  # the subject's last change when inspected
    inspected_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Finding(Base):
    __tablename__ = "quality_findings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("quality_inspections.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(32), index=True)
    severity: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # quoted text, times
    sampled: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    verdict: Mapped[str] = mapped_column(String(8), default="")  # 成立 / 不成立 / "" not reviewed
    verdict_note: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(100), default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
