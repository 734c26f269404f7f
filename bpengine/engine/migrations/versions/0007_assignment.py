"""Assignment: candidate users and groups, delegation, follow-up dates and the office's
time zone on task rows (:mod:`bpengine.engine.assignment`).

Revision ID: 0007_assignment
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

__all__ = ["upgrade", "downgrade"]

revision = "0007_assignment"
down_revision = "0006"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("candidate_users", sa.Text()),
    ("candidate_groups", sa.Text()),
    ("owner", sa.String(200)),
    ("delegation", sa.String(16)),
    ("draft", sa.JSON()),
    ("follow_up", sa.DateTime(timezone=True)),
    ("zone", sa.String(64)),
)


def upgrade() -> None:
    with op.batch_alter_table("bpe_tasks") as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bpe_tasks") as batch:
        for name, _kind in reversed(_COLUMNS):
            batch.drop_column(name)
