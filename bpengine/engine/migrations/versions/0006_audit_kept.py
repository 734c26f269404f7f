"""The audit trail cannot be rewritten or orphaned.

0002 refused UPDATE and DELETE on ``bpe_audit``. Two ways round it remained:

- SQLite's ``REPLACE INTO`` / ``INSERT OR REPLACE`` deletes the conflicting row and inserts
  the new one, and the delete fires no DELETE trigger (unless ``recursive_triggers`` is on):
  a BEFORE INSERT trigger now refuses an insert whose id is already taken. (On PostgreSQL
  ``INSERT ... ON CONFLICT DO UPDATE`` fires 0002's UPDATE trigger.)
- Deleting a case (or changing its id) left its audit rows pointing at nothing: a case with
  audit rows can no longer be deleted, re-keyed or (PostgreSQL) truncated away.

Triggers, not a foreign key: SQLite enforces foreign keys only with a per-connection pragma,
and rows orphaned before this migration would make the constraint fail to create.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

__all__ = ["upgrade", "downgrade"]

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_SQLITE = [
    "CREATE TRIGGER bpe_audit_no_replace BEFORE INSERT ON bpe_audit "
    "WHEN EXISTS (SELECT 1 FROM bpe_audit WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'bpe_audit is append-only: REPLACE refused'); END",
    "CREATE TRIGGER bpe_cases_keep_audit BEFORE DELETE ON bpe_cases "
    "WHEN EXISTS (SELECT 1 FROM bpe_audit WHERE case_id = OLD.id) "
    "BEGIN SELECT RAISE(ABORT, 'bpe_cases: a case with audit rows cannot be deleted'); END",
    "CREATE TRIGGER bpe_cases_keep_audit_id BEFORE UPDATE OF id ON bpe_cases "
    "WHEN OLD.id IS NOT NEW.id AND EXISTS (SELECT 1 FROM bpe_audit WHERE case_id = OLD.id) "
    "BEGIN SELECT RAISE(ABORT, 'bpe_cases: a case with audit rows cannot be deleted'); END",
]
_SQLITE_DROP = ["bpe_audit_no_replace", "bpe_cases_keep_audit", "bpe_cases_keep_audit_id"]

_PG_ROW = """
CREATE OR REPLACE FUNCTION bpe_cases_keep_audit() RETURNS trigger AS $$
BEGIN
    IF (TG_OP = 'DELETE' OR OLD.id IS DISTINCT FROM NEW.id)
       AND EXISTS (SELECT 1 FROM bpe_audit WHERE case_id = OLD.id) THEN
        RAISE EXCEPTION 'bpe_cases: a case with audit rows cannot be deleted (case %)', OLD.id;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql
"""
_PG_TRUNCATE = """
CREATE OR REPLACE FUNCTION bpe_cases_keep_audit_all() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM bpe_audit) THEN
        RAISE EXCEPTION 'bpe_cases: a case with audit rows cannot be deleted (TRUNCATE)';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_PG_ROW)
        op.execute(_PG_TRUNCATE)
        op.execute(
            "CREATE TRIGGER bpe_cases_keep_audit BEFORE DELETE OR UPDATE OF id "
            "ON bpe_cases FOR EACH ROW EXECUTE FUNCTION bpe_cases_keep_audit()"
        )
        op.execute(
            "CREATE TRIGGER bpe_cases_keep_audit_all BEFORE TRUNCATE ON bpe_cases "
            "FOR EACH STATEMENT EXECUTE FUNCTION bpe_cases_keep_audit_all()"
        )
    elif dialect == "sqlite":
        for statement in _SQLITE:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS bpe_cases_keep_audit_all ON bpe_cases")
        op.execute("DROP TRIGGER IF EXISTS bpe_cases_keep_audit ON bpe_cases")
        op.execute("DROP FUNCTION IF EXISTS bpe_cases_keep_audit_all()")
        op.execute("DROP FUNCTION IF EXISTS bpe_cases_keep_audit()")
    elif dialect == "sqlite":
        for name in _SQLITE_DROP:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
