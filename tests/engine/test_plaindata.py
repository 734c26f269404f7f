"""Case data is plain JSON end to end: a dict with a ``typename`` key (SpiffWorkflow's marker
for an object to revive) is stored and read back as the user's data, for every type name its
serializer knows, on SQLite and PostgreSQL; the case completes and another case's timer fires.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from sqlalchemy import text

from bpengine import BpengineError, Engine

from .conftest import DATA, Clock

# Every type name the serializer revives, read at test time: a SpiffWorkflow release that
# adds one is covered without editing this list. "NoSuchType" is an unknown name (a KeyError
# before), "ServiceTask" the one the engine registers itself.
TYPENAMES = sorted(
    set(BpmnWorkflowSerializer.configure().convert_from_dict) | {"ServiceTask", "NoSuchType"}
)


def _hostile(name: str) -> dict:
    """Data with ``typename`` wherever it can sit: a value, in a list, a top-level variable,
    and the escape's own spelling."""
    return {
        "lampiran": {"typename": name, "value": "kemarin", "days": 1, "seconds": "x"},
        "berkas": [{"typename": name}, [{"~typename": name}]],
        "typename": name,
        "~typename": {"~~typename": name},
    }


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
    expected = {
        "hari": 2,
        "revisi": 0,
        **start,
        **_hostile(name),
        "approved": True,
        "catatan": _hostile(name),
    }
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


# --- a large value is stored once per case row (issue #16) ------------------------------
BIG = "lampiran:" + "x" * 1_000_000  # 1 MB


def _row(engine: Engine, case_id: str) -> tuple[str, str]:
    with engine.db.connect() as conn:
        state, data = conn.execute(
            text("SELECT state, data FROM bpe_cases WHERE id = :i"), {"i": case_id}
        ).one()
    return state, data if isinstance(data, str) else json.dumps(data)


def _copies(engine: Engine, case_id: str, value: str = BIG) -> int:
    state, data = _row(engine, case_id)
    return state.count(value) + data.count(value)


def test_a_large_value_is_stored_once_per_case_row_through_complete(engine, data_dir):
    engine.deploy(data_dir / "cuti.bpmn")
    seen = []
    engine.register("S_catat", lambda data: seen.append(data.get("berkas")) or {})
    case = engine.start("cuti", {"hari": 2, "revisi": 0, "berkas": BIG})
    assert _copies(engine, case.id) == 1
    assert len(_row(engine, case.id)[0]) < 100_000  # the state holds a reference
    for answer in ({}, {"approved": False}, {"revisi": 1}, {"approved": True}):
        [task] = [t for t in engine.get(case.id).tasks if t.kind == "user"]
        case = engine.complete(task.id, answer)
        assert _copies(engine, case.id) == 1
    assert case.status == "completed"
    assert seen == [BIG]  # the handler read the value back from the state's reference
    assert case.data["berkas"] == BIG


def test_a_small_value_stays_in_the_state(engine, data_dir):
    engine.deploy(data_dir / "cuti.bpmn")
    case = engine.start("cuti", {"hari": 2, "revisi": 0, "catatan": "x" * 1000})
    assert _row(engine, case.id)[0].count("x" * 1000) == 1


def test_rollback_and_retry_keep_one_copy_and_the_value(engine, data_dir):
    engine.deploy(data_dir / "jobs.bpmn")
    seen = []

    def kirim(data):
        seen.append(data.get("berkas"))
        raise ConnectionError("registri tidak menjawab")

    engine.register("S_kirim", kirim, retries=1)
    case = engine.start("jobs", {"nik": "1", "berkas": BIG})
    [task] = [t for t in engine.get(case.id).tasks if t.kind == "user"]
    engine.complete(task.id, {})  # the handler fails: the step after it is rolled back
    assert engine.get(case.id).status == "failed"
    assert seen == [BIG]
    assert _copies(engine, case.id) == 1
    other = "lain:" + "y" * 100_000
    engine.register("S_kirim", lambda data: seen.append(data.get("berkas")) or {"nomor": 7})
    done = engine.retry(case.id, actor="admin", data={"berkas": other})  # patched data
    assert done.status == "completed"
    assert seen[-1] == other
    assert _copies(engine, case.id, other) == 1
    # retry patches the failed task's data only: the old value stays in the start task's
    # data, no longer the case's, so it is stored once too (never twice)
    assert _copies(engine, case.id) <= 1


def test_a_migrated_case_keeps_one_copy_and_reads_the_value(engine, data_dir):
    v1 = engine.deploy(data_dir / "cuti.bpmn")
    case = engine.start("cuti", {"hari": 2, "revisi": 0, "berkas": BIG})
    v2 = engine.deploy((data_dir / "cuti.bpmn").read_bytes().replace(b'name="', b'name="2 ', 1))
    [move] = engine.migrate(v1, v2)
    assert move.moved, move.reasons
    assert _copies(engine, case.id) == 1
    seen = []
    engine.register("S_catat", lambda data: seen.append(data.get("berkas")) or {})
    for answer in ({}, {"approved": True}):
        [task] = [t for t in engine.get(case.id).tasks if t.kind == "user"]
        case = engine.complete(task.id, answer)
    assert (case.status, seen) == ("completed", [BIG])


def test_a_state_whose_data_beside_it_changed_is_refused_naming_the_key(engine, data_dir):
    engine.deploy(data_dir / "cuti.bpmn")
    case = engine.start("cuti", {"hari": 2, "revisi": 0, "berkas": BIG})
    with engine.db.begin() as conn:  # someone edits the data column behind the engine
        conn.execute(
            text("UPDATE bpe_cases SET data = :d WHERE id = :i"),
            {"d": json.dumps({"hari": 2, "revisi": 0, "berkas": "lain"}), "i": case.id},
        )
    [task] = [t for t in engine.get(case.id).tasks if t.kind == "user"]
    with pytest.raises(
        BpengineError,
        match=f"case {case.id}: its saved state refers to case "
        "data 'berkas', which the case data beside it",
    ):
        engine.complete(task.id, {})


@pytest.mark.postgres
def test_a_large_value_is_stored_once_on_postgres_whose_jsonb_rewrites_it(pg_url):
    """jsonb sorts keys, writes 1e20 as an integer and -0.0 as 0: the reference still
    matches the value read back, and the case runs on it."""
    teks = "teks:" + "y" * 200_000
    big = {"z": [1e20, -0.0, 2.5, 7] * 10_000, "a": {"teks": teks, "~typename": "x"}}
    clock = Clock(dt.datetime(2025, 1, 6, 1, 0, tzinfo=dt.timezone.utc))
    with Engine(pg_url, clock=clock) as engine:
        engine.deploy(DATA / "cuti.bpmn")
        seen = []
        engine.register("S_catat", lambda data: seen.append(data.get("berkas")) or {})
        case = engine.start("cuti", {"hari": 2, "revisi": 0, "berkas": big})
        for answer in ({}, {"approved": True}):
            assert _copies(engine, case.id, teks) == 1
            [task] = [t for t in engine.get(case.id).tasks if t.kind == "user"]
            case = engine.complete(task.id, answer)
        assert case.status == "completed"
        assert seen == [big]  # equal as Python compares numbers
