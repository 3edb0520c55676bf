"""Knowledge-base tables: service items, FAQs, their versions, lexicons, misses, index builds.

An entry (item or FAQ) row holds the working copy. Every change writes a full
snapshot into ``kb_versions``; ``published_version`` points at the snapshot that
answers citizens, so editing a published entry never changes answers until the
new version is published. ``kb_search_texts`` holds one row per indexed text
(item name, alias, FAQ question, similar question) of the published versions;
its primary keys are the ids stored in the FAISS IndexIDMap2.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, BigId, UTCDateTime, utcnow


class EntryStatus(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class EntryKind(StrEnum):
    ITEM = "item"
    FAQ = "faq"


class _Versioned:
    status: Mapped[str] = mapped_column(String(16), default=EntryStatus.DRAFT.value, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    published_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    hit_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64), default="system")


class ServiceItem(_Versioned, Base):
    __tablename__ = "kb_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source_code: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    name: Mapped[str] = mapped_column(String(300))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    catalog_name: Mapped[str] = mapped_column(String(300), default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    item_type: Mapped[str] = mapped_column(String(50), default="")
    area: Mapped[str] = mapped_column(String(100), default="")
    level: Mapped[str] = mapped_column(String(20), default="")
    legal_time_limit: Mapped[str] = mapped_column(String(100), default="")
    promised_time_limit: Mapped[str] = mapped_column(String(100), default="")
    materials: Mapped[list[str]] = mapped_column(JSON, default=list)
    conditions: Mapped[str] = mapped_column(Text, default="")
    fees: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(Text, default="")
    consult_phone: Mapped[str] = mapped_column(Text, default="")
    complain_phone: Mapped[str] = mapped_column(Text, default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    online_booking: Mapped[bool] = mapped_column(default=False)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    service_objects: Mapped[list[str]] = mapped_column(JSON, default=list)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)


class Faq(_Versioned, Base):
    __tablename__ = "kb_faqs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    question: Mapped[str] = mapped_column(String(500))
    similar_questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("kb_items.id", ondelete="SET NULL"), nullable=True)
    category: Mapped[str] = mapped_column(String(50), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)


class EntryVersion(Base):
    """A full snapshot of an entry at one version, with who changed it and when."""

    __tablename__ = "kb_versions"
    __table_args__ = (UniqueConstraint("kind", "entry_id", "version", name="uq_kb_versions_entry_version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8))
    entry_id: Mapped[int] = mapped_column(BigId)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    comment: Mapped[str] = mapped_column(Text, default="")


class StatusChange(Base):
    """Every status transition (draft → review → published → archived), who and when."""

    __tablename__ = "kb_status_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8))
    entry_id: Mapped[int] = mapped_column(BigId, index=True)
    version: Mapped[int] = mapped_column(Integer)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    comment: Mapped[str] = mapped_column(Text, default="")


class SearchText(Base):
    """One indexed text of a published entry; its id is the FAISS id."""

    __tablename__ = "kb_search_texts"
    __table_args__ = (Index("ix_kb_search_texts_entry", "kind", "entry_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8))
    entry_id: Mapped[int] = mapped_column(BigId)
    field: Mapped[str] = mapped_column(String(16))  # name, alias, profile, question, similar
    text: Mapped[str] = mapped_column(Text)


class Synonym(Base):
    """A canonical term and the words people use for it (expanded at query time)."""

    __tablename__ = "kb_synonyms"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    term: Mapped[str] = mapped_column(String(100), unique=True)
    variants: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_by: Mapped[str] = mapped_column(String(64), default="system")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DialectWord(Base):
    """A Hakka or Cantonese word and its Mandarin equivalent."""

    __tablename__ = "kb_dialect_words"
    __table_args__ = (UniqueConstraint("dialect", "word", name="uq_kb_dialect_words_dialect_word"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dialect: Mapped[str] = mapped_column(String(16))  # hakka, cantonese
    word: Mapped[str] = mapped_column(String(50))
    mandarin: Mapped[str] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(String(50), default="editor")
    enabled: Mapped[bool] = mapped_column(default=True)


class UnansweredQuestion(Base):
    """A question the KB declined, for editors to turn into an answer."""

    __tablename__ = "kb_unanswered"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    question: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(32), default="")
    sender_hash: Mapped[str] = mapped_column(String(64), default="")
    best_score: Mapped[float] = mapped_column(default=0.0)
    best_kind: Mapped[str | None] = mapped_column(String(8), nullable=True)
    best_entry_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(100), nullable=True)


class KbState(Base):
    """Key/value state shared by all workers, e.g. the published KB version counter."""

    __tablename__ = "kb_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class IndexBuild(Base):
    """Which model built which index, for which KB version, and how long it took."""

    __tablename__ = "kb_index_builds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    model_name: Mapped[str] = mapped_column(String(300))
    kb_version: Mapped[int] = mapped_column(BigInteger)
    vectors: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column()
    worker: Mapped[str] = mapped_column(String(100), default="")
    built_at: Mapped[datetime] = mapped_column(UTCDateTime)
