"""The schema comes from the Alembic migrations shipped in the package, and matches the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from bpengine import BpengineError
from bpengine.engine.migrate import VERSION_TABLE, current, downgrade, head, upgrade
from bpengine.engine.schema import Base


def test_upgrade_creates_every_table_and_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'schema.db'}"
    assert current(url) is None
    assert upgrade(url) == head() == "0008_memberships"
    assert upgrade(url) == head()
    db = create_engine(url)
    names = set(inspect(db).get_table_names())
    db.dispose()
    assert names == {
        "bpe_definitions",
        "bpe_cases",
        "bpe_tasks",
        "bpe_audit",
        "bpe_messages",
        "bpe_schedules",
        "bpe_incidents",
        "bpe_memberships",
        VERSION_TABLE,
    }


def test_the_models_match_the_latest_migration(tmp_path):
    db = create_engine(f"sqlite:///{tmp_path / 'schema.db'}")
    upgrade(db)
    with db.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        diff = compare_metadata(context, Base.metadata)
    db.dispose()
    assert diff == []


def test_downgrade_to_base_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'schema.db'}"
    upgrade(url)
    assert downgrade(url, "base") is None
    assert upgrade(url) == head()


def test_an_unreachable_database_is_a_clear_error(tmp_path):
    with pytest.raises(BpengineError, match="cannot"):
        upgrade(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}")


def test_the_audit_table_is_append_only(tmp_path):
    from sqlalchemy import text

    from bpengine import Engine

    engine = Engine(f"sqlite:///{tmp_path / 'audit.db'}")
    engine.deploy(Path(__file__).parent / "data" / "cuti.bpmn")
    case = engine.start("cuti", {"hari": 1, "revisi": 0}, actor="ani")
    for statement in ("UPDATE bpe_audit SET actor = 'mallory'", "DELETE FROM bpe_audit"):
        with pytest.raises(Exception, match="append-only"), engine.db.begin() as conn:
            conn.execute(text(statement))
    assert [h.actor for h in engine.history(case.id)] == ["ani"]
    engine.db.dispose()


def _tamper(url: str) -> tuple[list[str], int]:
    """Try every way to rewrite or orphan a case's audit rows; return what got through and
    how many audit rows the case has afterwards."""
    from sqlalchemy import text

    from bpengine import Engine

    engine = Engine(url)
    engine.deploy(Path(__file__).parent / "data" / "cuti.bpmn")
    case = engine.start("cuti", {"hari": 1, "revisi": 0}, actor="ani")
    [row] = engine.history(case.id)
    db = engine.db
    with db.connect() as conn:
        audit_id = conn.execute(text("SELECT id FROM bpe_audit")).scalar_one()
    columns = "id, case_id, task_id, element_id, action, actor, at, data_before, data_after, detail"
    forged = (
        f"SELECT id, case_id, task_id, element_id, action, 'mallory', at, data_before, "
        f"data_after, detail FROM bpe_audit WHERE id = {audit_id}"
    )
    attempts = {
        "UPDATE": "UPDATE bpe_audit SET actor = 'mallory'",
        "DELETE": "DELETE FROM bpe_audit",
        "delete case": f"DELETE FROM bpe_cases WHERE id = '{case.id}'",
        "re-key case": f"UPDATE bpe_cases SET id = 'x' WHERE id = '{case.id}'",
    }
    if db.dialect.name == "sqlite":
        attempts["REPLACE INTO"] = f"REPLACE INTO bpe_audit ({columns}) {forged}"
        attempts["INSERT OR REPLACE"] = f"INSERT OR REPLACE INTO bpe_audit ({columns}) {forged}"
    else:
        attempts["ON CONFLICT DO UPDATE"] = (
            f"INSERT INTO bpe_audit ({columns}) {forged} "
            "ON CONFLICT (id) DO UPDATE SET actor = 'mallory'"
        )
        attempts["TRUNCATE"] = "TRUNCATE bpe_audit"
        attempts["TRUNCATE cases"] = "TRUNCATE bpe_cases CASCADE"
    through = []
    for what, statement in attempts.items():
        try:
            with db.begin() as conn:
                conn.execute(text(statement))
        except Exception as exc:  # the database's own refusal
            assert "append-only" in str(exc) or "audit rows" in str(exc), (what, exc)
        else:
            through.append(what)
    history = engine.history(case.id)
    assert history == [row]  # nothing rewritten: the same actor, data and time
    engine.close()
    return through, len(history)


def test_the_audit_cannot_be_rewritten_or_orphaned_on_sqlite(tmp_path):
    assert _tamper(f"sqlite:///{tmp_path / 'audit.db'}") == ([], 1)


@pytest.mark.postgres
def test_the_audit_cannot_be_rewritten_or_orphaned_on_postgres(pg_url):
    assert _tamper(pg_url) == ([], 1)


def test_a_case_without_audit_rows_can_still_be_deleted(tmp_path):
    # The refusal is about the audit, not a blanket ban: a case row an application inserted
    # by hand (no audit) goes.
    from sqlalchemy import text

    from bpengine import Engine

    engine = Engine(f"sqlite:///{tmp_path / 'bare.db'}")
    definition = engine.deploy(Path(__file__).parent / "data" / "cuti.bpmn")
    with engine.db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO bpe_cases (id, definition_id, status, state, data, version, "
                "started_by, started_at, updated_at) VALUES ('bare', :d, 'running', '', '{}', 1, "
                "'', '2025-01-01', '2025-01-01')"
            ),
            {"d": definition.id},
        )
        assert conn.execute(text("DELETE FROM bpe_cases WHERE id = 'bare'")).rowcount == 1
    engine.close()


@pytest.mark.postgres
def test_the_documented_app_role_runs_cases_and_cannot_touch_the_audit(pg_url, data_dir):
    import datetime as dt

    from sqlalchemy import text

    from bpengine import Engine
    from bpengine.engine.migrate import app_role_sql

    owner = create_engine(pg_url)
    role = f"app_{abs(hash(pg_url)) % 10**8}"
    with owner.begin() as conn:
        for statement in app_role_sql(role):
            conn.execute(text(statement))
    app_url = pg_url.replace("//bpengine@", f"//{role}@")
    clock_now = [dt.datetime(2025, 1, 6, 1, tzinfo=dt.timezone.utc)]
    engine = Engine(app_url, clock=lambda: clock_now[0])
    engine.deploy(data_dir / "cuti.bpmn")
    engine.register("S_catat", lambda data: None)
    case = engine.start("cuti", {"hari": 2, "revisi": 0}, actor="ani")
    engine.complete(engine.inbox()[0].id, {}, actor="ani")
    clock_now[0] += dt.timedelta(days=4)
    assert engine.tick() == [case.id]  # the SLA timer: the escalation is open
    engine.complete(engine.inbox()[0].id, {"approved": True}, actor="kepala")
    assert engine.get(case.id).status == "completed"
    assert engine.add_member("ani", "Kepegawaian", actor="admin")  # the role may add to the log
    assert engine.remove_member("ani", "Kepegawaian", actor="admin")
    refused = []
    for statement in (
        "UPDATE bpe_audit SET actor = 'mallory'",
        "DELETE FROM bpe_audit",
        "DROP TRIGGER bpe_audit_append_only ON bpe_audit",
        f"DELETE FROM bpe_cases WHERE id = '{case.id}'",
        "ALTER TABLE bpe_audit DISABLE TRIGGER ALL",
        "TRUNCATE bpe_audit",
        "DELETE FROM bpe_memberships",
    ):
        try:
            with engine.db.begin() as conn:
                conn.execute(text(statement))
        except Exception as exc:  # permission denied, or must be owner
            refused.append("denied" in str(exc) or "owner" in str(exc))
    assert refused == [True] * 7
    assert [h.actor for h in engine.history(case.id)][:2] == ["ani", "ani"]
    engine.close()
    owner.dispose()
