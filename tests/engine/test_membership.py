"""The engine's group membership store: audited, used when an app gives no ``groups=``."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from bpengine import BpengineError, Engine, Forbidden
from bpengine.cli import main

from .conftest import DATA


def _groups_from_the_store(engine: Engine) -> None:
    """The same walk on SQLite and PostgreSQL."""
    engine.deploy(DATA / "penugasan.bpmn")
    data = {"unit": "arsip", "verifikator": "wati", "batas": "2025-01-10"}
    case = engine.start("penugasan", data)
    # an empty store knows nobody's groups: everything offered to a lane or group is open
    # to a plain inbox(actor=...) as before, and a candidate group refuses a stranger
    assert engine.groups_of("ani") == ()
    assert [t.element_id for t in engine.inbox(actor="ani")] == []  # offered to groups only
    with pytest.raises(Forbidden, match="'ani' is not one of them"):
        engine.claim(case.tasks[0].id, "ani")

    assert engine.add_member("ani", "arsip", actor="admin") is True
    assert engine.add_member("ani", "arsip", actor="admin") is False  # already there
    assert engine.add_member("budi", "Kepala", actor="admin")
    assert engine.groups_of("ani") == ("arsip",)
    assert engine.members() == {"Kepala": ("budi",), "arsip": ("ani",)}
    [task] = engine.inbox(actor="ani")  # the store says ani is in arsip
    assert engine.inbox(actor="ani", groups=["keuangan"]) == []  # explicit wins
    with pytest.raises(Forbidden):
        engine.claim(task.id, "ani", groups=["keuangan"])
    case = engine.complete(task.id, {}, actor="ani")  # no groups=: the store's
    engine.complete(case.tasks[0].id, {"lengkap": True}, actor="wati")  # candidate user
    [sign] = engine.inbox(lane="Kepala")
    # the store is in use: dewi, in no group, no longer gets a lane's task
    assert engine.inbox(actor="dewi") == []
    with pytest.raises(Forbidden, match="offered to lane 'Kepala', not to 'dewi'"):
        engine.complete(sign.id, {}, actor="dewi")
    assert engine.remove_member("ani", "arsip", actor="admin") is True
    assert engine.remove_member("ani", "arsip", actor="admin") is False
    assert engine.groups_of("ani") == ()
    assert engine.members("arsip") == {}
    assert [(c.user, c.group, c.action, c.actor) for c in engine.membership_history()] == [
        ("ani", "arsip", "add", "admin"),
        ("budi", "Kepala", "add", "admin"),
        ("ani", "arsip", "remove", "admin"),
    ]
    assert [c.action for c in engine.membership_history(user="budi")] == ["add"]
    assert engine.complete(sign.id, {}, actor="budi").status == "completed"
    with pytest.raises(BpengineError, match="group 'a,b': give a name"):
        engine.add_member("ani", "a,b")
    with pytest.raises(BpengineError, match="user '': give a name"):
        engine.groups_of("")


def test_groups_from_the_store_on_sqlite(clock):
    with Engine(clock=clock) as engine:
        _groups_from_the_store(engine)


@pytest.mark.postgres
def test_groups_from_the_store_on_postgresql(clock, pg_url):
    with Engine(pg_url, clock=clock) as engine:
        _groups_from_the_store(engine)
        for statement in (
            "UPDATE bpe_memberships SET user_id = 'x'",
            "DELETE FROM bpe_memberships",
        ):
            with pytest.raises(Exception, match="append-only"), engine.db.begin() as conn:
                conn.execute(text(statement))


def test_the_membership_log_cannot_be_rewritten(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with Engine(url, clock=clock) as engine:
        engine.add_member("ani", "arsip")
        for statement in (
            "UPDATE bpe_memberships SET user_id = 'x'",
            "DELETE FROM bpe_memberships",
            "REPLACE INTO bpe_memberships (id, user_id, group_name, action, actor, at) "
            "VALUES (1, 'x', 'arsip', 'add', '', '2025-01-01')",
        ):
            with pytest.raises(Exception, match="append-only"), engine.db.begin() as conn:
                conn.execute(text(statement))
        assert engine.groups_of("ani") == ("arsip",)


def test_group_commands(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with Engine(url):
        pass

    def run(*args):
        return CliRunner().invoke(main, ["group", *args, "--db", url])

    added = run("add", "ani", "Sekretariat", "arsip", "--actor", "admin")
    assert added.exit_code == 0, added.output
    assert added.output.splitlines() == ["ani added to Sekretariat", "ani added to arsip"]
    assert run("add", "ani", "arsip").output == "ani is already in arsip\n"
    assert run("add", "budi", "arsip").exit_code == 0
    listed = run("list")
    assert listed.output.splitlines() == ["Sekretariat  ani", "arsip        ani, budi"]
    assert run("list", "--user", "ani").output.splitlines() == ["ani  Sekretariat, arsip"]
    assert run("list", "--group", "arsip").output == "arsip  ani, budi\n"
    assert run("remove", "ani", "arsip").output == "ani removed from arsip\n"
    assert run("remove", "ani", "arsip").output == "ani is not in arsip\n"
    history = run("list", "--history").output.splitlines()
    assert len(history) == 4
    assert history[0].endswith("add     ani   Sekretariat  admin")
    assert history[3].endswith("remove  ani   arsip        -")
    # the group and actor columns line up although 'budi' is longer than 'ani'
    assert len({line.index("budi") for line in history if "budi" in line}) == 1
    assert {line.index("arsip") for line in history if "arsip" in line} == {
        history[0].index("Sekretariat")
    }
    # in Indonesian 'keluarkan' (remove) is longer than 'tambah' (add): the columns still line up
    indonesian = CliRunner().invoke(
        main, ["--lang", "id", "group", "list", "--history", "--db", url]
    )
    lines = indonesian.output.splitlines()
    assert lines[3].split()[3] == "keluarkan"
    assert len({line.index(line.split()[4]) for line in lines}) == 1  # the user column
    bad = run("add", "ani", "a,b")
    assert bad.exit_code == 1
    assert "group 'a,b': give a name" in bad.output
