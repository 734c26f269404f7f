"""Messages, signals and timer starts: business keys, what a task waits for, a message
table (delivered, pending and outbound messages and signals) and timer-start schedules.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

__all__ = ["upgrade", "downgrade"]

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("bpe_cases") as batch:
        batch.add_column(sa.Column("business_key", sa.String(200), nullable=True))
        batch.create_index("ix_bpe_cases_business_key", ["business_key"])
    with op.batch_alter_table("bpe_tasks") as batch:
        batch.add_column(sa.Column("message", sa.String(200), nullable=True))
        batch.create_index("ix_bpe_tasks_message", ["kind", "state", "message"])
    with op.batch_alter_table("bpe_definitions") as batch:
        batch.add_column(sa.Column("events", sa.JSON, nullable=True))
    op.create_table(
        "bpe_messages",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("business_key", sa.String(200), nullable=True),
        sa.Column("correlation", sa.JSON, nullable=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("source_case_id", sa.String(36), nullable=True),
        sa.Column("targets", sa.JSON, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("delivered_at", TZ, nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bpe_messages"),
    )
    op.create_index("ix_bpe_messages_pending", "bpe_messages", ["state", "kind", "name"])
    op.create_table(
        "bpe_schedules",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("definition_id", sa.Integer, nullable=False),
        sa.Column("element_id", sa.String(200), nullable=False),
        sa.Column("expression", sa.String(200), nullable=False),
        sa.Column("due", TZ, nullable=False),
        sa.Column("every_seconds", sa.Float, nullable=True),
        sa.Column("remaining", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bpe_schedules"),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["bpe_definitions.id"],
            name="fk_bpe_schedules_definition_id_bpe_definitions",
        ),
    )
    op.create_index("ix_bpe_schedules_due", "bpe_schedules", ["due"])


def downgrade() -> None:
    op.drop_index("ix_bpe_schedules_due", table_name="bpe_schedules")
    op.drop_table("bpe_schedules")
    op.drop_index("ix_bpe_messages_pending", table_name="bpe_messages")
    op.drop_table("bpe_messages")
    with op.batch_alter_table("bpe_definitions") as batch:
        batch.drop_column("events")
    with op.batch_alter_table("bpe_tasks") as batch:
        batch.drop_index("ix_bpe_tasks_message")
        batch.drop_column("message")
    with op.batch_alter_table("bpe_cases") as batch:
        batch.drop_index("ix_bpe_cases_business_key")
        batch.drop_column("business_key")
