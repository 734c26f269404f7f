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
    assert upgrade(url) == head() == "0006_assignment"
    assert upgrade(url) == head()
    db = create_engine(url)
    names = set(inspect(db).get_table_names())
    db.dispose()
    assert names == {"bpe_definitions", "bpe_cases", "bpe_tasks", "bpe_audit", "bpe_messages",
                     "bpe_schedules", "bpe_incidents", VERSION_TABLE}


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
