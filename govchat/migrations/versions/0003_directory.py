"""0003: the directory: departments, people, chat identities, delegations.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "dir_departments",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent_code", sa.String(length=32), nullable=True),
        sa.Column("doc_prefix", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_departments")),
        sa.UniqueConstraint("code", name=op.f("uq_dir_departments_code")),
        sa.UniqueConstraint("name", name=op.f("uq_dir_departments_name")),
    )
    op.create_table(
        "dir_people",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("department_id", BigId, nullable=True),
        sa.Column("position", sa.String(length=50), nullable=False),
        sa.Column("roles", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["dir_departments.id"], name=op.f("fk_dir_people_department_id_dir_departments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_people")),
        sa.UniqueConstraint("code", name=op.f("uq_dir_people_code")),
    )
    op.create_index(op.f("ix_dir_people_name"), "dir_people", ["name"])
    op.create_table(
        "dir_identities",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["dir_people.id"], name=op.f("fk_dir_identities_person_id_dir_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_identities")),
        sa.UniqueConstraint("channel", "address", name="uq_dir_identities_channel_address"),
    )
    op.create_index(op.f("ix_dir_identities_person_id"), "dir_identities", ["person_id"])
    op.create_table(
        "dir_delegations",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("delegate_id", BigId, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["dir_people.id"], name=op.f("fk_dir_delegations_person_id_dir_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["delegate_id"],
            ["dir_people.id"],
            name=op.f("fk_dir_delegations_delegate_id_dir_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_delegations")),
    )
    op.create_index(op.f("ix_dir_delegations_person_id"), "dir_delegations", ["person_id"])
    op.create_index(op.f("ix_dir_delegations_delegate_id"), "dir_delegations", ["delegate_id"])


def downgrade() -> None:
    op.drop_table("dir_delegations")
    op.drop_table("dir_identities")
    op.drop_table("dir_people")
    op.drop_table("dir_departments")
