"""Directory tables: departments, people, chat identities, delegations (acting persons)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, BigId, UTCDateTime, utcnow


class Department(Base):
    __tablename__ = "dir_departments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    parent_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    doc_prefix: Mapped[str] = mapped_column(String(32), default="")  # e.g. 梅江府 in 梅江府〔2026〕12号
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Person(Base):
    __tablename__ = "dir_people"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # staff number / login
    name: Mapped[str] = mapped_column(String(50), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("dir_departments.id"), nullable=True)
    position: Mapped[str] = mapped_column(String(50), default="")
    roles: Mapped[str] = mapped_column(String(200), default="staff")  # "staff+department_head"
    phone: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ChatIdentity(Base):
    """A chat address (Matrix user id, web/REST sender) that speaks as a person."""

    __tablename__ = "dir_identities"
    __table_args__ = (UniqueConstraint("channel", "address", name="uq_dir_identities_channel_address"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("dir_people.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(32))  # "matrix", "rest", "web", or "*" for every channel
    address: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="system")


class Delegation(Base):
    """While a leader is away, the delegate may act on the leader's steps."""

    __tablename__ = "dir_delegations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("dir_people.id", ondelete="CASCADE"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("dir_people.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="system")
