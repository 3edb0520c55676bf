"""0019: statistics at city scale: a ``rated`` flag on the ticket (回访率 without probing the ratings), set in
the rating's transaction and backfilled here from the ratings given so far.

Revision ID: 0019
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tickets", sa.Column("rated", sa.Boolean(), nullable=False, server_default=sa.false()))
    # the citizen rated: a rating with a level (未评价 after the window has none)
    op.execute(
        "UPDATE tickets SET rated = true WHERE id IN (SELECT ticket_id FROM ticket_ratings WHERE level IS NOT NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("rated")
