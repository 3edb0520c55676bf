"""0001: knowledge-base tables (items, FAQs, versions, lexicons, misses, index builds).

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 01:20:27.215672
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "kb_dialect_words",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("dialect", sa.String(length=16), nullable=False),
        sa.Column("word", sa.String(length=50), nullable=False),
        sa.Column("mandarin", sa.String(length=50), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_dialect_words")),
        sa.UniqueConstraint("dialect", "word", name="uq_kb_dialect_words_dialect_word"),
    )
    op.create_table(
        "kb_index_builds",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("model_name", sa.String(length=300), nullable=False),
        sa.Column("kb_version", sa.BigInteger(), nullable=False),
        sa.Column("vectors", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.Column("worker", sa.String(length=100), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_index_builds")),
    )
    op.create_table(
        "kb_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("source_code", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("catalog_name", sa.String(length=300), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("item_type", sa.String(length=50), nullable=False),
        sa.Column("area", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("legal_time_limit", sa.String(length=100), nullable=False),
        sa.Column("promised_time_limit", sa.String(length=100), nullable=False),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("fees", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("consult_phone", sa.Text(), nullable=False),
        sa.Column("complain_phone", sa.Text(), nullable=False),
        sa.Column("online_url", sa.String(length=500), nullable=False),
        sa.Column("online_booking", sa.Boolean(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("service_objects", sa.JSON(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("hit_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_items")),
        sa.UniqueConstraint("source_code", name=op.f("uq_kb_items_source_code")),
    )
    with op.batch_alter_table("kb_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_items_status"), ["status"], unique=False)

    op.create_table(
        "kb_search_texts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_search_texts")),
    )
    with op.batch_alter_table("kb_search_texts", schema=None) as batch_op:
        batch_op.create_index("ix_kb_search_texts_entry", ["kind", "entry_id"], unique=False)

    op.create_table(
        "kb_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_kb_state")),
    )
    op.create_table(
        "kb_status_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_status_changes")),
    )
    with op.batch_alter_table("kb_status_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_status_changes_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "kb_synonyms",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("term", sa.String(length=100), nullable=False),
        sa.Column("variants", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_synonyms")),
        sa.UniqueConstraint("term", name=op.f("uq_kb_synonyms_term")),
    )
    op.create_table(
        "kb_unanswered",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("normalized", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("sender_hash", sa.String(length=64), nullable=False),
        sa.Column("best_score", sa.Double(), nullable=False),
        sa.Column("best_kind", sa.String(length=8), nullable=True),
        sa.Column("best_entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolution", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_unanswered")),
    )
    with op.batch_alter_table("kb_unanswered", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_unanswered_asked_at"), ["asked_at"], unique=False)

    op.create_table(
        "kb_versions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_versions")),
        sa.UniqueConstraint("kind", "entry_id", "version", name="uq_kb_versions_entry_version"),
    )
    op.create_table(
        "kb_faqs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("similar_questions", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("hit_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["kb_items.id"], name=op.f("fk_kb_faqs_item_id_kb_items"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_faqs")),
    )
    with op.batch_alter_table("kb_faqs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_faqs_status"), ["status"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("kb_faqs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_faqs_status"))

    op.drop_table("kb_faqs")
    op.drop_table("kb_versions")
    with op.batch_alter_table("kb_unanswered", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_unanswered_asked_at"))

    op.drop_table("kb_unanswered")
    op.drop_table("kb_synonyms")
    with op.batch_alter_table("kb_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_status_changes_entry_id"))

    op.drop_table("kb_status_changes")
    op.drop_table("kb_state")
    with op.batch_alter_table("kb_search_texts", schema=None) as batch_op:
        batch_op.drop_index("ix_kb_search_texts_entry")

    op.drop_table("kb_search_texts")
    with op.batch_alter_table("kb_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_items_status"))

    op.drop_table("kb_items")
    op.drop_table("kb_index_builds")
    op.drop_table("kb_dialect_words")
