"""Group membership: who works in which group (lane, candidate group), as an append-only log.

``bpe_memberships`` holds one row per change (``add`` or ``remove``); a user's groups are the
groups whose latest change for them is ``add`` (:mod:`bpengine.engine.membership`). The log is
the audit: like ``bpe_audit`` (0002, 0006) the database refuses UPDATE, DELETE, REPLACE and
TRUNCATE on it.

Revision ID: 0008_memberships
Revises: 0007_assignment
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

__all__ = ["upgrade", "downgrade"]

revision = "0008_memberships"
down_revision = "0007_assignment"
branch_labels = None
depends_on = None

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION bpe_memberships_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'bpe_memberships is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""
_SQLITE = [
    *(
        f"CREATE TRIGGER bpe_memberships_no_{action.lower()} BEFORE {action} ON "
        f"bpe_memberships BEGIN SELECT RAISE(ABORT, 'bpe_memberships is append-only: "
        f"{action} refused'); END"
        for action in ("UPDATE", "DELETE")
    ),
    "CREATE TRIGGER bpe_memberships_no_replace BEFORE INSERT ON bpe_memberships "
    "WHEN EXISTS (SELECT 1 FROM bpe_memberships WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'bpe_memberships is append-only: REPLACE refused'); END",
]


def upgrade() -> None:
    op.create_table(
        "bpe_memberships",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(200), nullable=False),
        sa.Column("group_name", sa.String(200), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bpe_memberships"),
    )
    op.create_index("ix_bpe_memberships_user_id", "bpe_memberships", ["user_id"])
    op.create_index("ix_bpe_memberships_group_name", "bpe_memberships", ["group_name"])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER bpe_memberships_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
            "ON bpe_memberships FOR EACH STATEMENT "
            "EXECUTE FUNCTION bpe_memberships_append_only()"
        )
    elif dialect == "sqlite":
        for statement in _SQLITE:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS bpe_memberships_append_only ON bpe_memberships")
        op.execute("DROP FUNCTION IF EXISTS bpe_memberships_append_only()")
    op.drop_index("ix_bpe_memberships_group_name", table_name="bpe_memberships")
    op.drop_index("ix_bpe_memberships_user_id", table_name="bpe_memberships")
    op.drop_table("bpe_memberships")  # SQLite drops its triggers with it
