"""Meeting tables: rooms, meetings (with their durable reminder times) and attendees with replies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, BigId, UTCDateTime

SCHEDULED, CANCELLED = "scheduled", "cancelled"
INVITED, ACCEPTED, DECLINED = "invited", "accepted", "declined"


class Room(Base):
    __tablename__ = "office_rooms"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    capacity: Mapped[int] = mapped_column(Integer)
    equipment: Mapped[str] = mapped_column(String(200), default="")  # "投影、视频会议"
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Meeting(Base):
    __tablename__ = "office_meetings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(String(16), unique=True)  # HY-2026-0042
    topic: Mapped[str] = mapped_column(String(200))
    room_id: Mapped[int] = mapped_column(ForeignKey("office_rooms.id"), index=True)
    organizer_id: Mapped[int] = mapped_column(ForeignKey("dir_people.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=SCHEDULED)
    minutes: Mapped[str] = mapped_column(Text, default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE, +1 per change
    remind_early_at: Mapped[datetime] = mapped_column(UTCDateTime)  # a day before (configurable)
    remind_soon_at: Mapped[datetime] = mapped_column(UTCDateTime)  # 30 minutes before (configurable)
    early_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    soon_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Attendee(Base):
    __tablename__ = "office_meeting_attendees"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id", name="uq_office_meeting_attendees_mp"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("office_meetings.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("dir_people.id"), index=True)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    response: Mapped[str] = mapped_column(String(16), default=INVITED)
    reason: Mapped[str] = mapped_column(String(200), default="")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MeetingEvent(Base):
    """The audit trail: booked, replied, rescheduled, cancelled, minutes — who, when, with which comment."""

    __tablename__ = "office_meeting_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("office_meetings.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("dir_people.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
