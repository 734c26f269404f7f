"""bpengine/limits.py: case data over a named limit is refused before any work, naming the
call, the variable and the setting; nothing is written and the case goes on. Every engine
test runs on SQLite and on PostgreSQL (the ``database`` fixture; PostgreSQL from
tests/conftest.py, skipped with the reason where its binaries are missing, never in CI)."""

from __future__ import annotations

import datetime as dt
import json
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpengine import BpengineError, Engine
from bpengine.cli import main
from bpengine.limits import EngineLimits

CUTI = Path(__file__).resolve().parent / "engine" / "data" / "cuti.bpmn"
PENUGASAN = CUTI.with_name("penugasan.bpmn")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request) -> str | None:
    """The engine's database URL: None is SQLite in memory, else a fresh PostgreSQL one."""
    return None if request.param == "sqlite" else request.getfixturevalue("pg_url")


def _deep(levels: int):
    value = "dasar"
    for _ in range(levels):
        value = {"isi": value}
    return value


def _multi(characteristics: str) -> bytes:
    return f"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
 targetNamespace="http://bpengine.test/berkas"><process id="berkas" isExecutable="true">
 <startEvent id="s"/><userTask id="T_periksa" name="Periksa berkas">{characteristics}</userTask>
 <endEvent id="e"/><sequenceFlow id="f1" sourceRef="s" targetRef="T_periksa"/>
 <sequenceFlow id="f2" sourceRef="T_periksa" targetRef="e"/></process></definitions>""".encode()


CARDINALITY = _multi(
    "<multiInstanceLoopCharacteristics><loopCardinality>jumlah_berkas"
    "</loopCardinality></multiInstanceLoopCharacteristics>"
)
COLLECTION = _multi(
    '<multiInstanceLoopCharacteristics isSequential="true"><loopDataInputRef>'
    'daftar</loopDataInputRef><inputDataItem id="item"/>'
    "</multiInstanceLoopCharacteristics>"
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"lampiran": _deep(500)},
            r"lampiran\.isi\.isi\.isi\.isi\.\.\. nests deeper than 32 levels "
            r"\(limit EngineLimits\.data_depth\)",
        ),
        ({"lampiran": _deep(100_000)}, r"lampiran\.isi.* nests deeper than 32 levels"),
        (
            {"nik": 10**5000},
            r"nik is an integer of more than 30 digits "
            r"\(limit EngineLimits\.integer_digits\)",
        ),
        (
            {"lampiran": ["x" * 600_000, "y" * 600_000]},
            r"case data would be 1200\d+ bytes of JSON, over the limit of 1048576 "
            r"\(EngineLimits\.data_bytes\); the largest value is lampiran",
        ),
        # PostgreSQL's JSON holds neither; SQLite kept them, so a case ran on one database only
        (
            {"lampiran": "scan\x00.pdf"},
            r"lampiran holds a NUL character \(U\+0000\) or a lone "
            r"surrogate, which a database cannot store as text",
        ),
        ({"nama": ["\ud800"]}, r"nama\[0\] holds a NUL character"),
        ({"lampiran": {"a\x00": 1}}, r"lampiran key 'a\\x00' holds a NUL character"),
        ({"biaya": float("nan")}, r"biaya is nan, not a number JSON can hold"),
        ({"biaya": [float("-inf")]}, r"biaya\[0\] is -inf, not a number JSON can hold"),
        # PostgreSQL reads 1e+23 as the exact decimal and gives back the int 10**23, which
        # is not the float 1e23 (99999999999999991611392): SQLite gave back the float
        (
            {"jarak": 1e23},
            r"jarak is 1e\+23, a float PostgreSQL would give back as another number \(the "
            r"whole number its digits spell\): give an integer of at most 30 digits, or text",
        ),
        ({"x": [-1.7976931348623157e308]}, r"x\[0\] is -1\.7976931348623157e\+308, a float"),
        # JSON has no tuples: stored as a list, a tuple would come back as one and no longer
        # equal a tuple in a condition; refused, the user writes the list
        (
            {"dokumen": ("ktp", "kk")},
            r"dokumen is a tuple; case data is JSON, which has lists but no tuples: give a list",
        ),
        ({"lampiran": [{"hal": (1, 2)}]}, r"lampiran\[0\]\.hal is a tuple"),
        # JSON keys are text: json.dumps wrote 1 and None as "1" and "null" (the case got
        # back other keys than it was given) and failed on a tuple key with a TypeError
        (
            {"lampiran": {1: "a"}},
            r"lampiran has a key that is not text: 1 \(int\); case data is JSON, whose keys "
            r"are text: give the key as text",
        ),
        ({None: 1}, r"the data has a key that is not text: None \(NoneType\)"),
        ({"peta": [{(1, 2): 3}]}, r"peta\[0\] has a key that is not text: \(1, 2\) \(tuple\)"),
        ({"x": {True: 1}}, r"x has a key that is not text: True \(bool\)"),
        # a set became a TypeError without the key; a date too
        (
            {"dokumen": {"ktp", "kk"}},
            r"dokumen is of type set, which case data \(JSON\) cannot hold: give text, a "
            r"number, true/false, null, a list or an object",
        ),
        ({"surat": {"tanggal": dt.date(2025, 1, 6)}}, r"surat\.tanggal is of type date"),
    ],
)
def test_data_over_a_limit_is_refused_at_start_and_at_complete(data, message, database):
    with Engine(database) as engine:
        engine.deploy(CUTI)
        with pytest.raises(BpengineError, match="start cuti: " + message):
            engine.start("cuti", {"hari": 2, "revisi": 0, **data})
        case = engine.start("cuti", {"hari": 2, "revisi": 0})
        [task] = engine.inbox()
        with pytest.raises(BpengineError, match=f"task {task.id}: " + message):
            engine.complete(task.id, data)
        # Nothing written: the task is still ready, the data as it was.
        assert [t.id for t in engine.inbox()] == [task.id]
        assert engine.get(case.id).data == {"hari": 2, "revisi": 0}
        assert [h.action for h in engine.history(case.id)] == ["start"]


def test_the_case_as_a_whole_is_bounded_not_only_each_call(database):
    with Engine(database) as engine:
        engine.deploy(CUTI)
        case = engine.start("cuti", {"hari": 2, "revisi": 0, "a": "x" * 600_000})
        [task] = engine.inbox()
        with pytest.raises(
            BpengineError,
            match=rf"task {task.id} \(T_isi\): case data would be "
            r"\d+ bytes of JSON, over the limit .* the largest value is",
        ):
            engine.complete(task.id, {"b": "y" * 600_000})
        assert engine.get(case.id).data["a"] == "x" * 600_000
        assert engine.inbox()[0].id == task.id


@pytest.mark.parametrize(
    ("model", "data", "message"),
    [
        (
            CARDINALITY,
            {"jumlah_berkas": 100_000},
            "T_periksa: multi-instance count loopCardinality 'jumlah_berkas' is 100000, over the "
            "limit of 1000",
        ),
        (CARDINALITY, {"jumlah_berkas": 10**9}, "'jumlah_berkas' is 1000000000, over the limit"),
        (
            COLLECTION,
            {"daftar": list(range(5000))},
            "T_periksa: multi-instance count the length of 'daftar' is 5000, over the limit of 1000",
        ),
    ],
)
def test_multi_instance_counts_from_case_data_are_refused_before_the_tasks(
    model, data, message, database
):
    with Engine(database) as engine:
        engine.deploy(model)
        tracemalloc.start()
        try:
            with pytest.raises(BpengineError, match=message + r".* \(EngineLimits\.instances\)"):
                engine.start("berkas", data)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        # Refused before the instances exist: 100,000 of them took 580 MB.
        assert peak < 20_000_000
        assert engine.cases() == []


def test_the_limits_are_settings_an_engine_can_raise(database):
    small = {"jumlah_berkas": 3}
    with Engine(database, limits=EngineLimits(instances=2)) as engine:
        engine.deploy(CARDINALITY)
        with pytest.raises(BpengineError, match="over the limit of 2"):
            engine.start("berkas", small)
    with Engine(database, limits=EngineLimits(instances=2000, data_depth=200)) as engine:
        engine.deploy(CARDINALITY)
        assert len(engine.start("berkas", {"jumlah_berkas": 1500}).tasks) == 1500
        deep = engine.start("berkas", {"jumlah_berkas": 1, "x": _deep(199)})
        [task] = deep.tasks
        assert engine.complete(task.id, {"y": _deep(199)}).status == "completed"
    with pytest.raises(BpengineError, match="data_depth can be at most 200"):
        EngineLimits(data_depth=201)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "10"])
def test_a_limit_must_be_a_positive_whole_number(bad):
    with pytest.raises(BpengineError, match="EngineLimits.instances must be a whole number"):
        EngineLimits(instances=bad)
    with pytest.raises(BpengineError, match="limits must be an EngineLimits"):
        Engine(limits={"instances": 5})


def test_a_handler_returning_data_over_a_limit_is_an_incident_on_its_case(database):
    clock_now = dt.datetime(2025, 1, 6, 1, tzinfo=dt.timezone.utc)
    with Engine(database, clock=lambda: clock_now, retries=1) as engine:
        engine.deploy(CUTI)
        engine.register("S_catat", lambda data: {"arsip": _deep(100)})
        case = engine.start("cuti", {"hari": 2, "revisi": 0})
        engine.complete(engine.inbox()[0].id, {})
        done = engine.complete(engine.inbox()[0].id, {"approved": True})
        assert done.status == "failed"
        [incident] = engine.incidents(case.id)
        assert "nests deeper than 32 levels" in incident.error


def test_the_cli_refuses_json_too_deep_to_read_in_one_line(tmp_path, database):
    url = database or f"sqlite:///{tmp_path / 'k.db'}"
    deep = "[" * 100_000 + "]" * 100_000
    result = CliRunner().invoke(main, ["case", "start", str(CUTI), "--json", deep, "--db", url])
    assert result.exit_code == 2
    assert "nested too deeply" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(
        main,
        [
            "case",
            "start",
            str(CUTI),
            "--data",
            "hari=2",
            "--data",
            "revisi=0",
            "--data",
            "x=" + json.dumps(_deep(40)),
            "--db",
            url,
        ],
    )
    assert result.exit_code == 1
    assert "x.isi" in result.output
    assert "data_depth" in result.output


def test_a_key_that_is_not_text_is_refused_by_every_call_that_takes_data(database):
    """resolve, correlate (data and correlation), signal and a handler's result: the one check
    every call's data goes through names the key; nothing is written."""
    now = dt.datetime(2025, 1, 6, 1, tzinfo=dt.timezone.utc)
    with Engine(database, clock=lambda: now, retries=1) as engine:
        engine.deploy(PENUGASAN)
        case = engine.start("penugasan", {"unit": "arsip", "verifikator": "wati"}, actor="ani")
        verifikasi = engine.complete(case.tasks[0].id, {}, actor="ani", groups=["loket"]).tasks[0]
        engine.claim(verifikasi.id, "wati")
        engine.delegate(verifikasi.id, "dodi", actor="wati")
        with pytest.raises(
            BpengineError, match=rf"task {verifikasi.id}: catatan has a key that is not text: 1"
        ):
            engine.resolve(verifikasi.id, {"catatan": {1: "lengkap"}}, actor="dodi")
        assert engine.resolve(verifikasi.id, {}, actor="dodi").delegation == "resolved"
        with pytest.raises(
            BpengineError,
            match=r"message 'Dokumen asli': the data has a key that is not text: None",
        ):
            engine.correlate("Dokumen asli", business_key="PND-1", data={None: 1})
        with pytest.raises(
            BpengineError,
            match=r"message 'Dokumen asli' correlation: the data has a key that is not text: "
            r"\(1, 2\) \(tuple\)",
        ):
            engine.correlate("Dokumen asli", correlation={(1, 2): "x"})
        with pytest.raises(BpengineError, match=r"signal 'SIAK pulih': the data has a key"):
            engine.signal("SIAK pulih", data={2: "b"})
        assert engine.messages() == []

        engine.deploy(CUTI)
        engine.register("S_catat", lambda data: {"arsip": {7: "nomor"}})
        cuti = engine.start("cuti", {"hari": 2, "revisi": 0})
        engine.complete(cuti.tasks[0].id, {})
        [approval] = [t for t in engine.get(cuti.id).tasks if t.kind == "user"]
        done = engine.complete(approval.id, {"approved": True})
        assert done.status == "failed"
        [incident] = engine.incidents(cuti.id)
        assert "handler 'S_catat' for S_catat: arsip has a key that is not text: 7" in (
            incident.error
        )
        assert "7" not in engine.get(cuti.id).data.get("arsip", {})


EDGES = {
    "besar": 10**30 - 1,  # the most digits EngineLimits.integer_digits lets through
    "negatif": -(10**30) + 1,
    "sepuluh_pangkat_20": 1e20,  # back from PostgreSQL as the int 10**20: equal
    "besar_pecahan": 1234567890123456.8,  # below 1e16: no exponent, back as it was
    "terkecil": 5e-324,
    "nol_negatif": -0.0,
    "pecahan": 0.1,
    "nik": 3273012345678901,
    "teks": "\u2028\ufeff\U0001f600 \\ \" '",
    "bersarang": _deep(31),
}


def test_what_the_limits_let_through_every_database_gives_back_as_it_was(database, tmp_path):
    """PostgreSQL's JSONB keeps numbers as numeric: the largest integer and the extreme
    floats the limits let through come back equal, on start and after a restart."""
    url = database or f"sqlite:///{tmp_path / 'tepi.db'}"
    with Engine(url) as engine:
        engine.deploy(CUTI)
        case = engine.start("cuti", {"hari": 2, "revisi": 0, **EDGES})
    with Engine(url) as engine:
        data = engine.get(case.id).data
        [task] = engine.inbox()
        engine.complete(task.id, {f"{key}_lagi": value for key, value in EDGES.items()})
        stored = engine.get(case.id).data
        again = {key: stored[f"{key}_lagi"] for key in EDGES}
    for got in (data, again):
        for key, value in EDGES.items():
            assert got[key] == value, key
            assert type(got[key]) is type(value) or key == "sepuluh_pangkat_20", key
