"""0015: 未诉先办 alerts: cached ticket vectors, daily runs (the claim), hot topics of a run, alerts.

Revision ID: 0015
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0017"  # rechained after main's 0011 → 0014 → 0013 → 0017 when rebasing
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert_ticket_vectors",
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_alert_ticket_vectors_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_alert_ticket_vectors")),
    )
    op.create_table(
        "alert_runs",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("started_at", When, nullable=False),
        sa.Column("finished_at", When, nullable=True),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.Column("encoded", sa.Integer(), nullable=False),
        sa.Column("topics", sa.Integer(), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_alert_runs")),
    )
    op.create_table(
        "alert_hot_topics",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("current", sa.Integer(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("codes", sa.JSON(), nullable=False),
        sa.Column("last_at", When, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_hot_topics")),
    )
    op.create_index("ix_alert_hot_topics_day_rank", "alert_hot_topics", ["day", "rank"])
    op.create_table(
        "alert_alerts",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=8), nullable=False),
        sa.Column("current", sa.Integer(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("seasonal_note", sa.Text(), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("codes", sa.JSON(), nullable=False),
        sa.Column("notified", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_alerts")),
    )
    op.create_index(op.f("ix_alert_alerts_day"), "alert_alerts", ["day"])
    op.create_index(op.f("ix_alert_alerts_created_at"), "alert_alerts", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_alert_alerts_created_at"), table_name="alert_alerts")
    op.drop_index(op.f("ix_alert_alerts_day"), table_name="alert_alerts")
    op.drop_table("alert_alerts")
    op.drop_index("ix_alert_hot_topics_day_rank", table_name="alert_hot_topics")
    op.drop_table("alert_hot_topics")
    op.drop_table("alert_runs")
    op.drop_table("alert_ticket_vectors")
