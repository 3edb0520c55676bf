"""0010: office flows: approval chains, documents and steps, counters, rooms and meetings, notices.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "office_chains",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_chains")),
        sa.UniqueConstraint("department_code", "kind", "version", name="uq_office_chains_dkv"),
    )
    op.create_table(
        "office_counters",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "year", name=op.f("pk_office_counters")),
    )
    op.create_table(
        "office_rooms",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("equipment", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_rooms")),
        sa.UniqueConstraint("name", name=op.f("uq_office_rooms_name")),
    )
    op.create_table(
        "office_documents",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("doc_id", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("urgency", sa.String(length=8), nullable=False),
        sa.Column("security", sa.String(length=8), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("drafter_id", BigId, nullable=False),
        sa.Column("chain_id", BigId, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seal_key", sa.String(length=64), nullable=False),
        sa.Column("seal_signature", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chain_id"], ["office_chains.id"], name=op.f("fk_office_documents_chain_id_office_chains")
        ),
        sa.ForeignKeyConstraint(
            ["drafter_id"], ["dir_people.id"], name=op.f("fk_office_documents_drafter_id_dir_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_documents")),
        sa.UniqueConstraint("doc_id", name=op.f("uq_office_documents_doc_id")),
        sa.UniqueConstraint("number", name=op.f("uq_office_documents_number")),
    )
    op.create_index(op.f("ix_office_documents_status"), "office_documents", ["status"], unique=False)
    op.create_table(
        "office_meetings",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("room_id", BigId, nullable=False),
        sa.Column("organizer_id", BigId, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("remind_early_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("remind_soon_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("early_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("soon_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organizer_id"], ["dir_people.id"], name=op.f("fk_office_meetings_organizer_id_dir_people")
        ),
        sa.ForeignKeyConstraint(["room_id"], ["office_rooms.id"], name=op.f("fk_office_meetings_room_id_office_rooms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_meetings")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_office_meetings_meeting_id")),
    )
    op.create_index(op.f("ix_office_meetings_room_id"), "office_meetings", ["room_id"], unique=False)
    op.create_index(op.f("ix_office_meetings_starts_at"), "office_meetings", ["starts_at"], unique=False)
    op.create_table(
        "office_notices",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("notice_id", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("publisher_id", BigId, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["publisher_id"], ["dir_people.id"], name=op.f("fk_office_notices_publisher_id_dir_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_notices")),
        sa.UniqueConstraint("notice_id", name=op.f("uq_office_notices_notice_id")),
    )
    op.create_index(op.f("ix_office_notices_remind_at"), "office_notices", ["remind_at"])
    op.create_table(
        "office_doc_events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("document_id", BigId, nullable=False),
        sa.Column("actor_id", BigId, nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["dir_people.id"], name=op.f("fk_office_doc_events_actor_id_dir_people")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["office_documents.id"],
            name=op.f("fk_office_doc_events_document_id_office_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_doc_events")),
    )
    op.create_index(op.f("ix_office_doc_events_document_id"), "office_doc_events", ["document_id"], unique=False)
    op.create_table(
        "office_doc_steps",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("document_id", BigId, nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("assignee_id", BigId, nullable=False),
        sa.Column("parent_id", BigId, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("escalate_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", BigId, nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["dir_people.id"], name=op.f("fk_office_doc_steps_assignee_id_dir_people")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["dir_people.id"], name=op.f("fk_office_doc_steps_decided_by_dir_people")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["office_documents.id"],
            name=op.f("fk_office_doc_steps_document_id_office_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["office_doc_steps.id"], name=op.f("fk_office_doc_steps_parent_id_office_doc_steps")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_doc_steps")),
    )
    op.create_index(op.f("ix_office_doc_steps_assignee_id"), "office_doc_steps", ["assignee_id"], unique=False)
    op.create_index(op.f("ix_office_doc_steps_document_id"), "office_doc_steps", ["document_id"], unique=False)
    op.create_index(op.f("ix_office_doc_steps_due_at"), "office_doc_steps", ["due_at"], unique=False)
    op.create_index(op.f("ix_office_doc_steps_status"), "office_doc_steps", ["status"], unique=False)
    op.create_table(
        "office_meeting_attendees",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("meeting_id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("response", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["office_meetings.id"],
            name=op.f("fk_office_meeting_attendees_meeting_id_office_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["dir_people.id"], name=op.f("fk_office_meeting_attendees_person_id_dir_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_meeting_attendees")),
        sa.UniqueConstraint("meeting_id", "person_id", name="uq_office_meeting_attendees_mp"),
    )
    op.create_index(
        op.f("ix_office_meeting_attendees_meeting_id"), "office_meeting_attendees", ["meeting_id"], unique=False
    )
    op.create_index(
        op.f("ix_office_meeting_attendees_person_id"), "office_meeting_attendees", ["person_id"], unique=False
    )
    op.create_table(
        "office_notice_receipts",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("notice_id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["office_notices.id"],
            name=op.f("fk_office_notice_receipts_notice_id_office_notices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["dir_people.id"], name=op.f("fk_office_notice_receipts_person_id_dir_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_notice_receipts")),
        sa.UniqueConstraint("notice_id", "person_id", name="uq_office_notice_receipts_np"),
    )
    op.create_index(op.f("ix_office_notice_receipts_notice_id"), "office_notice_receipts", ["notice_id"], unique=False)
    op.create_index(op.f("ix_office_notice_receipts_person_id"), "office_notice_receipts", ["person_id"], unique=False)

    op.create_table(
        "office_meeting_events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("meeting_id", BigId, nullable=False),
        sa.Column("actor_id", BigId, nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["dir_people.id"], name=op.f("fk_office_meeting_events_actor_id_dir_people")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["office_meetings.id"],
            name=op.f("fk_office_meeting_events_meeting_id_office_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_meeting_events")),
    )
    op.create_index(op.f("ix_office_meeting_events_meeting_id"), "office_meeting_events", ["meeting_id"])


def downgrade() -> None:
    op.drop_table("office_meeting_events")
    op.drop_table("office_notice_receipts")
    op.drop_table("office_meeting_attendees")
    op.drop_table("office_doc_steps")
    op.drop_table("office_doc_events")
    op.drop_table("office_notices")
    op.drop_table("office_meetings")
    op.drop_table("office_documents")
    op.drop_table("office_rooms")
    op.drop_table("office_counters")
    op.drop_table("office_chains")
