"""Document tables: chain versions, documents, their steps (one row per person per stage) and audit events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, BigId, UTCDateTime

# Document status
IN_REVIEW, RETURNED, ISSUED, FILED = "in_review", "returned", "issued", "filed"
# Step status: pending can be acted on; consulting waits for a 加签 opinion; the rest are final.
PENDING, CONSULTING, APPROVED, REJECTED, TRANSFERRED, SKIPPED, CANCELLED = (
    "pending",
    "consulting",
    "approved",
    "rejected",
    "transferred",
    "skipped",
    "cancelled",
)
OPEN = (PENDING, CONSULTING)


class Chain(Base):
    """One version of a department's chain for a document kind; documents point at the version they began with."""

    __tablename__ = "office_chains"
    __table_args__ = (UniqueConstraint("department_code", "kind", "version", name="uq_office_chains_dkv"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    department_code: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(2))  # FW 发文 / SW 收文
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[str] = mapped_column(Text)  # canonical JSON, see chains.py
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))


class Document(Base):
    __tablename__ = "office_documents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(String(16), unique=True)  # FW-2026-015
    kind: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(8))  # 特急 / 加急 / 平件
    security: Mapped[str] = mapped_column(String(8))  # 非密 (classified ones are refused)
    department_code: Mapped[str] = mapped_column(String(32))
    drafter_id: Mapped[int] = mapped_column(ForeignKey("dir_people.id"))
    chain_id: Mapped[int] = mapped_column(ForeignKey("office_chains.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    stage: Mapped[int] = mapped_column(Integer, default=0)  # index into the chain's steps
    round: Mapped[int] = mapped_column(Integer, default=1)  # +1 on each resubmission
    number: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)  # 梅江府〔2026〕12号
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    seal_key: Mapped[str] = mapped_column(String(64), default="")  # fingerprint of the signing key
    seal_signature: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Step(Base):
    """A task for one person: approve at a chain stage, or give an opinion asked by 加签 (parent_id set)."""

    __tablename__ = "office_doc_steps"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("office_documents.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    stage: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(50))
    mode: Mapped[str] = mapped_column(String(8))  # single / all (会签) / any (或签) / consult (加签)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("dir_people.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("office_doc_steps.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    escalate_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("dir_people.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")


class DocEvent(Base):
    """The audit trail: who did what to which document, when, with which comment."""

    __tablename__ = "office_doc_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("office_documents.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("dir_people.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(100))  # "李娜（代王强）"
    action: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
