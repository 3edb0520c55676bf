"""0020: the WeChat channels' state shared by workers: messages taken up (a retry answered once, whichever
worker it reaches), addresses waiting for the person to write (48-hour window), 退回 clicks awaiting a reason.

Revision ID: 0020
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "wechat_claims",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("msg_key", sa.String(length=255), nullable=False),
        sa.Column("worker", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("at", When, nullable=False),
        sa.PrimaryKeyConstraint("channel", "msg_key", name=op.f("pk_wechat_claims")),
    )
    op.create_index(op.f("ix_wechat_claims_at"), "wechat_claims", ["at"])
    op.create_table(
        "wechat_waiting",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("since", When, nullable=False),
        sa.PrimaryKeyConstraint("channel", "address", name=op.f("pk_wechat_waiting")),
    )
    op.create_index(op.f("ix_wechat_waiting_since"), "wechat_waiting", ["since"])
    op.create_table(
        "wechat_reasons",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("doc_id", sa.String(length=64), nullable=False),
        sa.Column("since", When, nullable=False),
        sa.PrimaryKeyConstraint("channel", "address", name=op.f("pk_wechat_reasons")),
    )
    op.create_index(op.f("ix_wechat_reasons_since"), "wechat_reasons", ["since"])


def downgrade() -> None:
    op.drop_index(op.f("ix_wechat_reasons_since"), table_name="wechat_reasons")
    op.drop_table("wechat_reasons")
    op.drop_index(op.f("ix_wechat_waiting_since"), table_name="wechat_waiting")
    op.drop_table("wechat_waiting")
    op.drop_index(op.f("ix_wechat_claims_at"), table_name="wechat_claims")
    op.drop_table("wechat_claims")
