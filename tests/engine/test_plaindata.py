"""Case data is plain JSON end to end: a dict with a ``typename`` key (SpiffWorkflow's marker
for an object to revive) is stored and read back as the user's data, for every type name its
serializer knows, on SQLite and PostgreSQL; the case completes and another case's timer fires.
"""
from __future__ import annotations

import datetime as dt

import pytest
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

from bpengine import Engine

from .conftest import DATA, Clock

# Every type name the serializer revives, read at test time: a SpiffWorkflow release that
# adds one is covered without editing this list. "NoSuchType" is an unknown name (a KeyError
# before), "ServiceTask" the one the engine registers itself.
TYPENAMES = sorted(set(BpmnWorkflowSerializer.configure().convert_from_dict)
                   | {"ServiceTask", "NoSuchType"})


def _hostile(name: str) -> dict:
    """Data with ``typename`` wherever it can sit: a value, in a list, a top-level variable,
    and the escape's own spelling."""
    return {"lampiran": {"typename": name, "value": "kemarin", "days": 1, "seconds": "x"},
            "berkas": [{"typename": name}, [{"~typename": name}]],
            "typename": name, "~typename": {"~~typename": name}}


def _run(engine: Engine, clock: Clock, name: str) -> None:
    """A case fed hostile data at start, completion and from a handler completes with its
    data intact, and another case's SLA timer still fires."""
    other = engine.start("cuti", {"hari": 2, "revisi": 0})
    [isi] = [t for t in engine.inbox() if t.case_id == other.id]
    engine.complete(isi.id, {})
    start = {"awal": _hostile(name)}
    case = engine.start("cuti", {"hari": 2, "revisi": 0, **start})
    [isi] = [t for t in engine.inbox() if t.case_id == case.id]
    engine.complete(isi.id, _hostile(name))
    [setuju] = [t for t in engine.inbox() if t.case_id == case.id]
    engine.register("S_catat", lambda data: {"catatan": _hostile(name)})
    done = engine.complete(setuju.id, {"approved": True})
    expected = {"hari": 2, "revisi": 0, **start, **_hostile(name), "approved": True,
                "catatan": _hostile(name)}
    assert done.status == "completed"
    assert done.data == expected
    assert engine.get(case.id).data == expected
    assert engine.history(case.id)[-1].data_after == expected
    fired = engine.tick(clock.advance(days=3, minutes=1))
    assert other.id in fired
    assert [t.element_id for t in engine.get(other.id).tasks] == ["T_eskalasi"]


@pytest.fixture(scope="module")
def sqlite_engine():
    clock = Clock(dt.datetime(2025, 1, 6, 1, 0, tzinfo=dt.timezone.utc))
    engine = Engine(clock=clock)
    engine.deploy(DATA / "cuti.bpmn")
    yield engine, clock
    engine.close()


def test_the_registry_still_revives_some_type_names():
    # The list the tests below walk must not be empty (a SpiffWorkflow rename would make
    # every parametrised test vanish silently).
    assert {"datetime", "timedelta", "UUID", "Task", "BpmnEvent"} <= set(TYPENAMES)


@pytest.mark.parametrize("name", TYPENAMES)
def test_typename_in_case_data_is_data_on_sqlite(sqlite_engine, name):
    _run(*sqlite_engine, name)


@pytest.mark.postgres
def test_typename_in_case_data_is_data_on_postgres(pg_url):
    clock = Clock(dt.datetime(2025, 1, 6, 1, 0, tzinfo=dt.timezone.utc))
    with Engine(pg_url, clock=clock) as engine:
        engine.deploy(DATA / "cuti.bpmn")
        for name in TYPENAMES:
            _run(engine, clock, name)



@pytest.mark.parametrize("name", ["datetime", "BpmnEvent", "Task"])
def test_typename_in_a_message_between_pools_is_data(engine, data_dir, name):
    # A message from outside and the messages between the collaboration's pools carry the
    # payload through the instance's pending events and the other pool's task data.
    engine.register("Catat di SIAK", lambda data: {"siak": _hostile(name)})
    engine.deploy(data_dir / "pindah.bpmn")
    case = engine.start("pindah_domisili", {"nik": "3273010101900001"}, business_key="P-1")

    def do(lane, data=None):
        [task] = engine.inbox(lane=lane)
        return engine.complete(task.id, data or {}, actor=lane)

    do("Petugas Kelurahan", {"berkas": _hostile(name)})
    engine.correlate("Dokumen asli", business_key="P-1", data={"asli": _hostile(name)})
    do("Lurah")
    do("Petugas Kecamatan")
    done = do("Camat")
    assert done.status == "completed"
    assert done.data["berkas"] == done.data["asli"] == done.data["siak"] == _hostile(name)
    assert engine.history(case.id)[-1].data_after == done.data
