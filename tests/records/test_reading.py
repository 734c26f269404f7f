"""Reading event logs: XES, CSV (detected or mapped columns), the engine's history, bad logs."""

import datetime as dt
import os
from pathlib import Path

import pytest

from bpengine import Engine, LogError, load, simulate
from bpengine.records import history_log, match_activities, read_log, read_mapping
from bpengine.sim.eventlog import write_event_log

ROOT = Path(__file__).resolve().parents[2]
SEQUENCE = ROOT / "tests" / "data" / "sim" / "sequence.bpmn"
SCENARIO = {"tasks": {"A": "20 min", "B": "10 min"}, "arrivals": {"interarrival": "30 min"}}


@pytest.fixture(scope="module")
def rows():
    return simulate(SEQUENCE, scenario=SCENARIO, cases=30, replications=1, warmup=0).event_log


@pytest.mark.parametrize("suffix", [".xes", ".csv"])
def test_reads_back_what_the_simulator_writes(tmp_path, rows, suffix):
    path = tmp_path / f"log{suffix}"
    write_event_log(rows, path)
    log = read_log(path)
    assert len(log) == len(rows) == 60
    traces = log.traces()
    assert len(traces) == 30
    first = min(rows, key=lambda r: (r["case"], r["start"]))
    events = next(iter(t for t in traces.values() if t[0].start == first["start"]))
    assert [e.activity for e in events] == ["A", "B"]
    assert events[0].start == first["start"]
    assert events[0].end == first["end"]
    assert events[0].lane == "Staf"
    assert events[0].resource == "Staf #1"
    assert events[0].name == "Periksa berkas"
    assert log.has_start
    assert log.has_enabled == (suffix == ".csv")


def _csv(tmp_path, text, name="log.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_columns_detected_by_other_tools_names(tmp_path):
    path = _csv(
        tmp_path,
        "case:concept:name;concept:name;start_timestamp;time:timestamp;"
        "org:resource\n"
        "k1;Periksa berkas;2025-01-06T08:00:00+07:00;2025-01-06T01:20:00Z;ani\n",
    )
    (e,) = read_log(path).events
    assert (e.case, e.activity, e.resource) == ("k1", "Periksa berkas", "ani")
    assert e.start == dt.datetime(2025, 1, 6, 8, 0)
    assert e.end == dt.datetime(2025, 1, 6, 8, 20)


def test_csv_columns_mapped_and_only_end_times(tmp_path):
    path = _csv(tmp_path, "No,Langkah,Waktu Selesai,Petugas\n7,A,2025-01-06 09:00,budi\n")
    log = read_log(
        path,
        columns={
            "case": "No",
            "activity": "Langkah",
            "end": "Waktu Selesai",
            "resource": "Petugas",
        },
    )
    (e,) = log.events
    assert (e.case, e.activity, e.start, e.resource) == ("7", "A", None, "budi")
    assert not log.has_start


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("case,langkah,end\n1,A,2025-01-06T08:00\n", "no column for the activity"),
        (
            "case,activity,start,end\n1,A,2025-01-06T08:00,yesterday\n",
            "row 2, column 'end': 'yesterday' is not a date and time",
        ),
        (
            "case,activity,start,end\n1,A,2025-01-06T09:00,2025-01-06T08:00\n",
            "row 2: ends (2025-01-06 08:00:00) before it starts",
        ),
        (
            "case,activity,end\n1,,2025-01-06T08:00\n",
            "row 2: column 'activity' (the activity) is empty",
        ),
        ("", "empty file"),
    ],
)
def test_bad_csv_gets_one_line_naming_the_row(tmp_path, text, message):
    with pytest.raises(LogError) as info:
        read_log(_csv(tmp_path, text))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_mapping_names_an_unknown_column(tmp_path):
    path = _csv(tmp_path, "case,activity,end\n1,A,2025-01-06T08:00\n")
    with pytest.raises(LogError, match="no column 'Kasus' for the case"):
        read_log(path, columns={"case": "Kasus"})


XES_HEAD = (
    '<log xmlns="http://www.xes-standard.org/"><trace><string key="concept:name" value="k1"/>'
)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '<event><string key="concept:name" value="A"/></event>',
            "trace 'k1', event 1: no time:timestamp",
        ),
        (
            '<event><string key="concept:name" value="A"/><date key="time:timestamp" '
            'value="06/01/2025"/></event>',
            "trace 'k1', event 1, time:timestamp: '06/01/2025'",
        ),
        (
            '<event><date key="time:timestamp" value="2025-01-06T08:00:00"/></event>',
            "trace 'k1', event 1: no concept:name",
        ),
        ('<event><string key="concept:name" value="A"/>', "not well-formed XML"),
    ],
)
def test_bad_xes_names_the_trace_and_event(tmp_path, body, message):
    path = tmp_path / "bad.xes"
    path.write_text(XES_HEAD + body + "</trace></log>", encoding="utf-8")
    with pytest.raises(LogError) as info:
        read_log(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_xes_pairs_start_and_complete_and_warns_on_the_rest(tmp_path):
    def ev(name, transition, when):
        return (
            f'<event><string key="concept:name" value="{name}"/><string key="'
            f'lifecycle:transition" value="{transition}"/><date key="time:timestamp" '
            f'value="2025-01-06T{when}:00+07:00"/></event>'
        )

    path = tmp_path / "ok.xes"
    path.write_text(
        XES_HEAD
        + ev("A", "schedule", "07:40")
        + ev("A", "start", "08:00")
        + ev("A", "suspend", "08:05")
        + ev("A", "complete", "08:30")
        + ev("B", "complete", "09:00")
        + "</trace></log>",
        encoding="utf-8",
    )
    log = read_log(path)
    a, b = log.traces()["k1"]
    assert (a.enabled.hour, a.enabled.minute, a.start.hour, a.end.minute) == (7, 40, 8, 30)
    assert b.start is None
    assert log.warnings == [f"{path}: 1 event(s) with lifecycle:transition 'suspend' ignored"]


def test_unknown_suffix_and_missing_file(tmp_path):
    with pytest.raises(LogError, match="no such event log file"):
        read_log(tmp_path / "nope.xes")
    path = _csv(tmp_path, "x", name="log.json")
    with pytest.raises(LogError, match="unknown event log format"):
        read_log(path)


def test_activities_match_by_id_name_or_mapping(tmp_path):
    model = load(SEQUENCE)
    path = _csv(
        tmp_path,
        "case,activity,end\n1,A,2025-01-06T08:00\n"
        "1,Tanda tangan,2025-01-06T09:00\n1,Paraf,2025-01-06T09:30\n",
    )
    log = read_log(path)
    assert match_activities(model, log) == {
        ("A", ""): "A",
        ("Tanda tangan", ""): "B",
        ("Paraf", ""): None,
    }
    mapping = tmp_path / "map.yaml"
    mapping.write_text("Paraf: Periksa berkas\n", encoding="utf-8")
    assert match_activities(model, log, read_mapping(mapping))[("Paraf", "")] == "A"
    mapping.write_text("Paraf: Stempel\n", encoding="utf-8")
    with pytest.raises(LogError, match="'Paraf' maps to 'Stempel', which is no task"):
        match_activities(model, log, read_mapping(mapping), str(mapping))


def test_a_log_of_another_model_is_refused_in_one_line(tmp_path):
    path = _csv(tmp_path, "case,activity,end\n1,X,2025-01-06T08:00\n1,Y,2025-01-06T09:00\n")
    with pytest.raises(LogError, match="none of the log's activities .X, Y. is a task of"):
        match_activities(load(SEQUENCE), read_log(path))


def test_engine_history_is_a_log(tmp_path):
    now = [dt.datetime(2025, 1, 6, 1, 0, tzinfo=dt.timezone.utc)]  # 08:00 WIB
    engine = Engine(f"sqlite:///{tmp_path / 'e.db'}", clock=lambda: now[0])
    engine.deploy(SEQUENCE)
    case = engine.start("seq", actor="ani")
    for minutes, (lane, actor) in ((30, ("Staf", "ani")), (45, ("Kepala", "kades"))):
        task = engine.inbox(lane=lane)[0]
        engine.claim(task.id, actor, lane=lane)
        now[0] += dt.timedelta(minutes=minutes)
        engine.complete(task.id, actor=actor, lane=lane)
    engine.start("seq")  # still running: left out
    log = history_log(engine, load(SEQUENCE))
    assert [(e.case, e.activity, e.lane, e.resource) for e in log.events] == [
        (case.id, "A", "Staf", "ani"),
        (case.id, "B", "Kepala", "kades"),
    ]
    a, b = log.events
    assert (a.start, a.end) == (dt.datetime(2025, 1, 6, 8), dt.datetime(2025, 1, 6, 8, 30))
    assert b.end - b.start == dt.timedelta(minutes=45)
    engine.close()


def test_gzipped_xes_is_read_too(tmp_path, rows):
    import gzip

    plain = tmp_path / "log.xes"
    write_event_log(rows, plain)
    packed = tmp_path / "log.xes.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert len(read_log(packed)) == len(read_log(plain)) == 60


def test_cli_reads_an_engine_database(tmp_path):
    from click.testing import CliRunner

    from bpengine.cli import main

    now = [dt.datetime(2025, 1, 6, 1, 0, tzinfo=dt.timezone.utc)]
    url = f"sqlite:///{tmp_path / 'e.db'}"
    with Engine(url, clock=lambda: now[0]) as engine:
        engine.deploy(SEQUENCE)
        for _ in range(3):
            engine.start("seq", actor="ani")
            for lane in ("Staf", "Kepala"):
                task = engine.inbox(lane=lane)[0]
                now[0] += dt.timedelta(minutes=20)
                engine.complete(task.id, actor="budi")
    runner = CliRunner()
    r = runner.invoke(main, ["conformance", str(SEQUENCE), url])
    assert r.exit_code == 0, r.output
    assert "3 of 3 cases (100.0%) follow the model; fitness 1.000" in r.output
    r = runner.invoke(main, ["calibrate", str(SEQUENCE), url, "--definition", "nope"])
    assert r.exit_code == 1
    assert r.output.strip().endswith("no finished cases of nope in the engine's history")
    r = runner.invoke(main, ["calibrate", str(SEQUENCE), f"sqlite:///{tmp_path / 'x.db'}"])
    assert r.output.strip() == f"error: sqlite:///{tmp_path / 'x.db'}: no such database file"


def test_a_csv_that_is_not_utf8_is_named_by_byte_and_line(tmp_path):
    # the bad byte sits past the text reader's first 8 KB chunk: its offset is still exact
    rows = "".join(f"{i},A,2025-01-06 08:00\n" for i in range(1000))
    data = ("case,activity,end\n" + rows).encode() + b"1001,\xff,2025-01-06 09:00\n"
    path = tmp_path / "log.csv"
    path.write_bytes(data)
    offset = data.index(b"\xff")
    with pytest.raises(
        LogError,
        match=rf"log.csv: not UTF-8 text: byte {offset} "
        r"\(line 1002\) is 0xff",
    ):
        read_log(path)


def test_special_files_are_refused_as_logs(tmp_path):
    fifo = tmp_path / "log.xes"
    os.mkfifo(fifo)
    with pytest.raises(LogError, match="log.xes: is a pipe, not a regular file"):
        read_log(fifo)
