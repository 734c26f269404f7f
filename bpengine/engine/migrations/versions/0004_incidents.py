"""Incidents: a job (timer or service task) that failed, on its case, with its retries.

One row per task (the task id is the key): two workers failing the same job at once cannot
open two incidents.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

__all__ = ["upgrade", "downgrade"]

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bpe_incidents",
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("element_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("retries_left", sa.Integer, nullable=False),
        sa.Column("next_retry", TZ, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("resolved_at", TZ, nullable=True),
        sa.Column("resolved_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("task_id", name="pk_bpe_incidents"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["bpe_cases.id"], name="fk_bpe_incidents_case_id_bpe_cases"
        ),
    )
    op.create_index("ix_bpe_incidents_case", "bpe_incidents", ["case_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_bpe_incidents_case", "bpe_incidents")
    op.drop_table("bpe_incidents")
