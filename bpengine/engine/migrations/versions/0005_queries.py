"""Queries for applications: the end event a case reached, and case data an index can search.

On PostgreSQL the case data becomes JSONB with a GIN index, so ``find_cases(data={...})``
is an indexed containment query (``data @> '{...}'``); SQLite keeps JSON and reads it with
``json_extract``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

__all__ = ["upgrade", "downgrade"]

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bpe_cases") as batch:
        batch.add_column(sa.Column("outcome", sa.String(200), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE bpe_cases ALTER COLUMN data TYPE JSONB USING data::jsonb")
        op.execute("CREATE INDEX ix_bpe_cases_data ON bpe_cases USING gin (data jsonb_path_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_bpe_cases_data")
        op.execute("ALTER TABLE bpe_cases ALTER COLUMN data TYPE JSON USING data::json")
    with op.batch_alter_table("bpe_cases") as batch:
        batch.drop_column("outcome")
