"""0013: dispatch objections (退单审核), co-handling (主办/协办), first-contact responsibility (首接负责) and the
versioned dispatch catalogue (派单目录).

Revision ID: 0013
Revises: 0014 (given number 0013; rechained after main's 0014)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0014"  # rechained after main's 0014 (quality and desks) when rebasing
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("first_contact", sa.String(length=100), nullable=False, server_default=""))
        batch.add_column(sa.Column("first_contact_name", sa.String(length=100), nullable=False, server_default=""))
    op.create_table(
        "ticket_objections",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=50), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("raised_by", sa.String(length=100), nullable=False),
        sa.Column("raised_by_name", sa.String(length=50), nullable=False),
        sa.Column("raised_at", When, nullable=False),
        sa.Column("review_due_at", When, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_by_name", sa.String(length=50), nullable=False),
        sa.Column("decided_at", When, nullable=True),
        sa.Column("ruling", sa.Text(), nullable=False),
        sa.Column("redispatched_to", sa.String(length=32), nullable=False),
        sa.Column("overdue_notified", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_objections_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_objections")),
    )
    op.create_index(op.f("ix_ticket_objections_ticket_id"), "ticket_objections", ["ticket_id"])
    op.create_index(op.f("ix_ticket_objections_review_due_at"), "ticket_objections", ["review_due_at"])
    op.create_index(op.f("ix_ticket_objections_status"), "ticket_objections", ["status"])
    op.create_index("ix_ticket_objections_department_raised", "ticket_objections", ["department_code", "raised_at"])
    op.create_table(
        "ticket_assists",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("assigned_by", sa.String(length=100), nullable=False),
        sa.Column("assigned_at", When, nullable=False),
        sa.Column("sign_deadline_at", When, nullable=False),
        sa.Column("deadline_at", When, nullable=False),
        sa.Column("signed_at", When, nullable=True),
        sa.Column("signed_by", sa.String(length=100), nullable=False),
        sa.Column("part", sa.Text(), nullable=False),
        sa.Column("answered_at", When, nullable=True),
        sa.Column("answered_by_name", sa.String(length=50), nullable=False),
        sa.Column("sign_reminded", sa.Boolean(), nullable=False),
        sa.Column("overdue_notified", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_assists_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_assists")),
        sa.UniqueConstraint("ticket_id", "department_code", name="uq_ticket_assists_ticket_id"),
    )
    op.create_index(op.f("ix_ticket_assists_ticket_id"), "ticket_assists", ["ticket_id"])
    op.create_index(op.f("ix_ticket_assists_department_code"), "ticket_assists", ["department_code"])
    op.create_table(
        "dispatch_catalogue_versions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_catalogue_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_dispatch_catalogue_versions_version")),
    )


def downgrade() -> None:
    op.drop_table("dispatch_catalogue_versions")
    op.drop_table("ticket_assists")
    op.drop_table("ticket_objections")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("first_contact_name")
        batch.drop_column("first_contact")
