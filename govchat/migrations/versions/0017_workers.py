"""0017: several workers: leader leases (one Matrix syncer at a time) and the Matrix message events taken up
(answered once across a failover); indexes for statistics at city scale (tickets by
arrival; a partial one for 发回重办率).

Revision ID: 0017
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0013"  # chained after 0013 (dispatch) at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kernel_leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_kernel_leases")),
    )
    op.create_table(
        "matrix_events",
        sa.Column("account", sa.String(length=255), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("worker", sa.String(length=128), nullable=False),
        sa.Column("replies", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account", "event_id", name=op.f("pk_matrix_events")),
    )
    op.create_index(op.f("ix_matrix_events_at"), "matrix_events", ["at"])
    op.create_index("ix_tickets_created_at", "tickets", ["created_at"])
    op.create_index(
        "ix_tickets_rework_updated",
        "tickets",
        ["updated_at"],
        postgresql_where=sa.text("rework_count > 0"),
        sqlite_where=sa.text("rework_count > 0"),
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_rework_updated", table_name="tickets")
    op.drop_index("ix_tickets_created_at", table_name="tickets")
    op.drop_index(op.f("ix_matrix_events_at"), table_name="matrix_events")
    op.drop_table("matrix_events")
    op.drop_table("kernel_leases")
