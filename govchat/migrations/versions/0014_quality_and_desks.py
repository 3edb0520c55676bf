"""0014: quality inspection (inspections, findings with reviewers' verdicts); dialect and special desks
(operators' skills, the skill a handoff asks for).

Revision ID: 0014
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("skill", sa.String(length=16), nullable=False, server_default=""))
    op.create_table(
        "handoff_operator_skills",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("operator", sa.String(length=255), nullable=False),
        sa.Column("skill", sa.String(length=16), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_operator_skills")),
        sa.UniqueConstraint("channel", "operator", "skill", name="uq_handoff_operator_skills_operator"),
    )
    op.create_index(op.f("ix_handoff_operator_skills_operator"), "handoff_operator_skills", ["operator"])
    op.create_index(op.f("ix_handoff_operator_skills_skill"), "handoff_operator_skills", ["skill"])
    op.create_table(
        "quality_inspections",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=12), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("model_score", sa.Float(), nullable=True),
        sa.Column("model_name", sa.String(length=40), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("must_fix", sa.Integer(), nullable=False),
        sa.Column("advice", sa.Integer(), nullable=False),
        sa.Column("version", When, nullable=False),
        sa.Column("inspected_at", When, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_inspections")),
        sa.UniqueConstraint("subject", "ref", name="uq_quality_inspections_subject"),
    )
    op.create_index("ix_quality_inspections_month_department", "quality_inspections", ["month", "department_code"])
    op.create_index(op.f("ix_quality_inspections_operator"), "quality_inspections", ["operator"])
    op.create_table(
        "quality_findings",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("inspection_id", BigId, nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("sampled", sa.Boolean(), nullable=False),
        sa.Column("verdict", sa.String(length=8), nullable=False),
        sa.Column("verdict_note", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(length=100), nullable=False),
        sa.Column("reviewed_at", When, nullable=True),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["quality_inspections.id"],
            name=op.f("fk_quality_findings_inspection_id_quality_inspections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_findings")),
    )
    op.create_index(op.f("ix_quality_findings_inspection_id"), "quality_findings", ["inspection_id"])
    op.create_index(op.f("ix_quality_findings_rule"), "quality_findings", ["rule"])
    op.create_index(op.f("ix_quality_findings_sampled"), "quality_findings", ["sampled"])


def downgrade() -> None:
    op.drop_table("quality_findings")
    op.drop_table("quality_inspections")
    op.drop_table("handoff_operator_skills")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("skill")
