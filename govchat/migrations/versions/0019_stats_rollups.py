"""0019: statistics at city scale: a ``rated`` flag on the ticket (回访率 without probing the ratings), set in
the rating's transaction and backfilled here from the ratings given so far; the time indexes of the statistics
carry the columns their counts read (PostgreSQL counts from the index alone; SQLite keeps plain indexes).

Revision ID: 0019
Revises: 0020
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0020"  # chained after 0020 (channel state) at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# (table, index, column, columns carried on PostgreSQL)
COVERING = [
    ("tickets", "ix_tickets_dispatched_at", "dispatched_at", ["department_code", "signed_on_time", "sign_deadline_at"]),
    (
        "tickets",
        "ix_tickets_answered_at",
        "answered_at",
        ["department_code", "status", "on_time", "rated", "rework_count"],
    ),
    ("ticket_ratings", "ix_ticket_ratings_at", "at", ["level", "department_code"]),
]


def upgrade() -> None:
    op.add_column("tickets", sa.Column("rated", sa.Boolean(), nullable=False, server_default=sa.false()))
    # the citizen rated: a rating with a level (未评价 after the window has none)
    op.execute(
        "UPDATE tickets SET rated = true WHERE id IN (SELECT ticket_id FROM ticket_ratings WHERE level IS NOT NULL)"
    )
    for table, name, column, carried in COVERING:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [column], postgresql_include=carried)


def downgrade() -> None:
    for table, name, column, _ in COVERING:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [column])
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("rated")
