"""0021: the citizen's follow-up on their own ticket: how many times they urged it (市民催单, shown to staff).
A withdrawn ticket (撤单) is a new value of ``tickets.status`` and needs no schema change; supplements, reminders
and withdrawals are rows of ``ticket_events``.

Revision ID: 0021
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tickets", sa.Column("remind_count", sa.Integer(), nullable=False, server_default=sa.text("0")))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("remind_count")
