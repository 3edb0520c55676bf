"""0018: bot transcripts: conversations between a citizen and the bot alone, and their turns (masked).

Revision ID: 0018
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0019"  # chained after 0019 (statistics) at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bot_conversations",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user_key", sa.String(length=32), nullable=False),
        sa.Column("started_at", When, nullable=False),
        sa.Column("last_at", When, nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_conversations")),
    )
    op.create_index("ix_bot_conversations_key_last", "bot_conversations", ["channel", "user_key", "last_at"])
    op.create_index(op.f("ix_bot_conversations_last_at"), "bot_conversations", ["last_at"])
    op.create_table(
        "bot_turns",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("conversation_id", BigId, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", When, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("replies", sa.JSON(), nullable=False),
        sa.Column("handler", sa.String(length=64), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=False),
        sa.Column("kb", sa.String(length=8), nullable=False),
        sa.Column("failure", sa.Boolean(), nullable=False),
        sa.Column("handoff", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["bot_conversations.id"],
            name=op.f("fk_bot_turns_conversation_id_bot_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_turns")),
    )
    op.create_index(op.f("ix_bot_turns_conversation_id"), "bot_turns", ["conversation_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_bot_turns_conversation_id"), table_name="bot_turns")
    op.drop_table("bot_turns")
    op.drop_index(op.f("ix_bot_conversations_last_at"), table_name="bot_conversations")
    op.drop_index("ix_bot_conversations_key_last", table_name="bot_conversations")
    op.drop_table("bot_conversations")
