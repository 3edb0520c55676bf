"""Ticket tables. A ticket row holds its current state and every deadline that the scheduler tick fires
(sign-for, handling, rating, escalation level); ``ticket_events`` is the full history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, BigId, UTCDateTime


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_deadline", "status", "deadline_at"),
        Index("ix_tickets_department_created", "department_code", "created_at"),
        # the statistics' time ranges carry the columns their counts read: PostgreSQL counts a month from the
        # index alone (office_flows/tickets/stats.py; 2M tickets: bench/README.md "City scale")
        Index(
            "ix_tickets_dispatched_at",
            "dispatched_at",
            postgresql_include=["department_code", "signed_on_time", "sign_deadline_at"],
        ),
        Index(
            "ix_tickets_answered_at",
            "answered_at",
            postgresql_include=["department_code", "status", "on_time", "rated", "rework_count"],
        ),
        # a period's tickets by arrival (dashboard counts, hot topics, the newest-first listing) without a scan
        Index("ix_tickets_created_at", "created_at"),
        # 发回重办率 counts tickets sent back in the period by their last change: a handful of rows
        Index(
            "ix_tickets_rework_updated",
            "updated_at",
            postgresql_where=text("rework_count > 0"),
            sqlite_where=text("rework_count > 0"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(15), unique=True)  # GD + yyyymmdd + 5-digit sequence
    kind: Mapped[str] = mapped_column(String(8))  # 咨询 求助 建议 投诉 举报 表扬
    status: Mapped[str] = mapped_column(String(16), index=True)
    content: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(200), default="", index=True)
    since: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str] = mapped_column(String(32))  # the first citizen's chat channel and address
    sender: Mapped[str] = mapped_column(String(255), index=True)
    # routing
    category: Mapped[str] = mapped_column(String(50), default="")
    proposed_department: Mapped[str] = mapped_column(String(32), default="")
    proposal_confidence: Mapped[float | None] = mapped_column(nullable=True)
    department_code: Mapped[str] = mapped_column(String(32), default="")
    departments_seen: Mapped[list[str]] = mapped_column(JSON, default=list)
    handler_person_id: Mapped[int | None] = mapped_column(ForeignKey("dir_people.id"), nullable=True)
    duplicate_of: Mapped[str] = mapped_column(String(15), default="")  # suggested or merged into
    # clock
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sign_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deadline_beyond_known: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rating_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result: Mapped[str] = mapped_column(Text, default="")
    # supervision
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    # 市民催单: how many times the citizen urged the ticket (staff see it in the history and the queue)
    remind_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    escalation: Mapped[int] = mapped_column(Integer, default=0)  # 0, 1 提醒, 2 催办, 3 督办
    next_escalation_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    raised: Mapped[bool] = mapped_column(Boolean, default=False)  # 提级
    sign_reminded: Mapped[bool] = mapped_column(Boolean, default=False)
    on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # answered by the deadline
    signed_on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # the citizen rated (a rating with a level; 未评价 is not one): set in the rating's transaction (回访率)
    rated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # 首接负责: who first accepted the citizen's contact (an operator, an integration, or the bot's channel)
    first_contact: Mapped[str] = mapped_column(String(100), default="")
    first_contact_name: Mapped[str] = mapped_column(String(100), default="")


class TicketCitizen(Base):
    """Every citizen linked to a ticket (merged duplicates keep theirs) for notices and the callback."""

    __tablename__ = "ticket_citizens"
    __table_args__ = (UniqueConstraint("ticket_id", "channel", "sender", name="uq_ticket_citizens_ticket_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    sender: Mapped[str] = mapped_column(String(255), index=True)
    phone: Mapped[str] = mapped_column(String(20), default="")
    from_code: Mapped[str] = mapped_column(String(15), default="")  # the merged ticket it came from


class TicketEvent(Base):
    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str] = mapped_column(String(16), default="")
    to_status: Mapped[str] = mapped_column(String(16), default="")
    actor: Mapped[str] = mapped_column(String(100))
    actor_name: Mapped[str] = mapped_column(String(50), default="")
    department_code: Mapped[str] = mapped_column(String(32), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class TicketRating(Base):
    """好差评, with the handling department and handler at the moment of rating."""

    __tablename__ = "ticket_ratings"
    # 满意率 counts a period's ratings from the index alone on PostgreSQL (see Ticket's indexes)
    __table_args__ = (Index("ix_ticket_ratings_at", "at", postgresql_include=["level", "department_code"]),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)  # 2 = the re-rating after rectification
    level: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 5 非常满意 … 1 非常不满意; None 未评价
    comment: Mapped[str] = mapped_column(Text, default="")
    department_code: Mapped[str] = mapped_column(String(32), default="")
    handler_person_id: Mapped[int | None] = mapped_column(nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # how the rating was collected: "chat:web", "chat:matrix", "integration:ivr" (the phone system), …
    collected_via: Mapped[str] = mapped_column(String(64), default="")


class Rectification(Base):
    """整改 after a bad rating: a return call within 1 working day, rectification within 15, one re-rating."""

    __tablename__ = "ticket_rectifications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    callback_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    callback_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    callback_note: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    overdue_notified: Mapped[bool] = mapped_column(Boolean, default=False)


class TicketExtension(Base):
    __tablename__ = "ticket_extensions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending approved rejected
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TicketSequence(Base):
    """The last sequence number used per day, for gapless GD codes under concurrency."""

    __tablename__ = "ticket_sequences"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class TicketObjection(Base):
    """退单: a department's objection to a dispatch, with a reason from the configured list, reviewed by the
    dispatchers (accepted and re-dispatched, or rejected with a ruling) by its own deadline."""

    __tablename__ = "ticket_objections"
    __table_args__ = (Index("ix_ticket_objections_department_raised", "department_code", "raised_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    department_code: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(50))
    text: Mapped[str] = mapped_column(Text, default="")
    raised_by: Mapped[str] = mapped_column(String(100))
    raised_by_name: Mapped[str] = mapped_column(String(50), default="")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    review_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)  # pending accepted rejected
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    decided_by_name: Mapped[str] = mapped_column(String(50), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ruling: Mapped[str] = mapped_column(Text, default="")
    redispatched_to: Mapped[str] = mapped_column(String(32), default="")
    overdue_notified: Mapped[bool] = mapped_column(Boolean, default=False)


class TicketAssist(Base):
    """协办: an assisting department of a co-handled ticket, with its own sign-for, deadline and part of the
    answer; the lead department (``Ticket.department_code``, 主办) answers the citizen."""

    __tablename__ = "ticket_assists"
    __table_args__ = (UniqueConstraint("ticket_id", "department_code", name="uq_ticket_assists_ticket_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    department_code: Mapped[str] = mapped_column(String(32), index=True)
    assigned_by: Mapped[str] = mapped_column(String(100))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sign_deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    signed_by: Mapped[str] = mapped_column(String(100), default="")
    part: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_by_name: Mapped[str] = mapped_column(String(50), default="")
    sign_reminded: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue_notified: Mapped[bool] = mapped_column(Boolean, default=False)
