"""0011: security: deployment secrets, sign-in attempts shared by workers, idempotency keys, rate limits,
the seal key ring, calendar tokens, outbox leases (acknowledged delivery), how a rating was collected;
links on "*" are gone.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "kernel_secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_kernel_secrets")),
    )
    op.create_table(
        "admin_login_attempts",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_login_attempts")),
    )
    op.create_index(op.f("ix_admin_login_attempts_username"), "admin_login_attempts", ["username"])
    op.create_index(op.f("ix_admin_login_attempts_at"), "admin_login_attempts", ["at"])
    op.create_table(
        "api_idempotency",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_api_idempotency")),
    )
    op.create_index(op.f("ix_api_idempotency_created_at"), "api_idempotency", ["created_at"])
    op.create_table(
        "calendar_tokens",
        sa.Column("person_code", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_code", name=op.f("pk_calendar_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_tokens_token_hash")),
    )
    op.create_table(
        "rate_events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("bucket", sa.String(length=160), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_events")),
    )
    op.create_index(op.f("ix_rate_events_bucket"), "rate_events", ["bucket"])
    op.create_index(op.f("ix_rate_events_at"), "rate_events", ["at"])
    op.create_table(
        "seal_keys",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("public", sa.String(length=256), nullable=False),
        sa.Column("private", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_seal_keys")),
    )
    with op.batch_alter_table("notify_outbox") as batch:
        batch.add_column(sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("ticket_ratings") as batch:
        batch.add_column(sa.Column("collected_via", sa.String(length=64), nullable=False, server_default=""))
    # Links on "*" spoke for a sender on every channel, including unauthenticated ones. A Matrix id keeps its
    # link on Matrix, the demo's links move to the web chat (reached only through the demo sign-in), the rest go.
    for target, condition in (
        ("matrix", "address LIKE '@%'"),
        ("web", "created_by = 'demo' AND address LIKE 'demo-%'"),
    ):
        op.execute(
            f"UPDATE dir_identities SET channel = '{target}' WHERE channel = '*' AND {condition} "
            f"AND NOT EXISTS (SELECT 1 FROM dir_identities AS d WHERE d.channel = '{target}' "
            "AND d.address = dir_identities.address)"
        )
    op.execute("DELETE FROM dir_identities WHERE channel = '*'")


def downgrade() -> None:
    with op.batch_alter_table("ticket_ratings") as batch:
        batch.drop_column("collected_via")
    with op.batch_alter_table("notify_outbox") as batch:
        batch.drop_column("leased_until")
    op.drop_table("kernel_secrets")
    op.drop_table("admin_login_attempts")
    op.drop_table("api_idempotency")
    op.drop_table("seal_keys")
    op.drop_table("rate_events")
    op.drop_table("calendar_tokens")
