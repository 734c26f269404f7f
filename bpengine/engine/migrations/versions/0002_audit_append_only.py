"""The audit table is append-only: the database refuses UPDATE and DELETE on it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

__all__ = ["upgrade", "downgrade"]

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION bpe_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'bpe_audit is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        # Statement-level: refused even when no row matches, and TRUNCATE too.
        op.execute(
            "CREATE TRIGGER bpe_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
            "ON bpe_audit FOR EACH STATEMENT EXECUTE FUNCTION bpe_audit_append_only()"
        )
    elif op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER bpe_audit_no_{action.lower()} BEFORE {action} ON "
                f"bpe_audit BEGIN SELECT RAISE(ABORT, 'bpe_audit is append-only: "
                f"{action} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS bpe_audit_append_only ON bpe_audit")
        op.execute("DROP FUNCTION IF EXISTS bpe_audit_append_only()")
    elif op.get_bind().dialect.name == "sqlite":
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS bpe_audit_no_{action}")
