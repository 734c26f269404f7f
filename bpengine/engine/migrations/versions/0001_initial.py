"""Initial engine schema: definitions, cases, tasks, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

__all__ = ["upgrade", "downgrade"]

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bpe_definitions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("source", sa.LargeBinary, nullable=False),
        sa.Column("spec", sa.Text, nullable=False),
        sa.Column("state_format", sa.String(40), nullable=False),
        sa.Column("trust_scripts", sa.Boolean, nullable=False),
        sa.Column("deployed_at", TZ, nullable=False),
        sa.Column("deployed_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bpe_definitions"),
        sa.UniqueConstraint("digest", name="uq_bpe_definitions_digest"),
        sa.UniqueConstraint("key", "version", name="uq_bpe_definitions_key_version"),
    )
    op.create_index("ix_bpe_definitions_key", "bpe_definitions", ["key"])
    op.create_table(
        "bpe_cases",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("definition_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("started_by", sa.String(200), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("ended_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_bpe_cases"),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["bpe_definitions.id"],
            name="fk_bpe_cases_definition_id_bpe_definitions",
        ),
    )
    op.create_index("ix_bpe_cases_definition_id", "bpe_cases", ["definition_id"])
    op.create_index("ix_bpe_cases_status", "bpe_cases", ["status"])
    op.create_table(
        "bpe_tasks",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("element_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("lane", sa.String(200), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("assignee", sa.String(200), nullable=True),
        sa.Column("due", TZ, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=True),
        sa.Column("finished_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_bpe_tasks"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["bpe_cases.id"], name="fk_bpe_tasks_case_id_bpe_cases"
        ),
    )
    op.create_index("ix_bpe_tasks_inbox", "bpe_tasks", ["state", "kind", "lane"])
    op.create_index("ix_bpe_tasks_due", "bpe_tasks", ["kind", "state", "due"])
    op.create_index("ix_bpe_tasks_case_state", "bpe_tasks", ["case_id", "state"])
    op.create_table(
        "bpe_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("element_id", sa.String(200), nullable=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("data_before", sa.JSON, nullable=True),
        sa.Column("data_after", sa.JSON, nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bpe_audit"),
    )
    op.create_index("ix_bpe_audit_case_id", "bpe_audit", ["case_id"])


def downgrade() -> None:
    op.drop_table("bpe_audit")
    op.drop_table("bpe_tasks")
    op.drop_table("bpe_cases")
    op.drop_table("bpe_definitions")
