"""Event logs: CSV and XES that process-mining tools read back."""

import csv
import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from bpengine import BpengineError, simulate
from bpengine.sim.eventlog import write_event_log

DATA = Path(__file__).resolve().parents[1] / "data" / "sim"
SCENARIO = {"tasks": {"A": "20 min", "B": "10 min"}, "arrivals": {"interarrival": "30 min"}}


@pytest.fixture(scope="module")
def result():
    return simulate(DATA / "sequence.bpmn", scenario=SCENARIO, cases=40, replications=2, warmup=0)


def test_event_log_rows(result):
    rows = result.event_log
    assert len(rows) == 80  # first replication only: 40 cases x 2 tasks
    assert {r["activity"] for r in rows} == {"A", "B"}
    assert all(r["enabled"] <= r["start"] <= r["end"] for r in rows)
    assert {r["lane"] for r in rows} == {"Staf", "Kepala"}


def test_csv(tmp_path, result):
    path = tmp_path / "cases.csv"
    assert write_event_log(result.event_log, path) == "csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 80
    assert rows[0]["activity"] == "A"
    assert rows[0]["resource"] == "Staf #1"
    start = dt.datetime.fromisoformat(rows[0]["start"])
    assert start.utcoffset() == dt.timedelta(hours=7)  # office time, WIB


def test_xes_passes_the_schema(tmp_path, result):
    path = tmp_path / "cases.xes"
    assert write_event_log(result.event_log, path) == "xes"
    schema = etree.XMLSchema(etree.parse(str(DATA / "xes-ieee1849.xsd")))
    doc = etree.parse(str(path))
    assert schema.validate(doc), schema.error_log
    ns = {"x": "http://www.xes-standard.org/"}
    assert len(doc.findall("x:trace", ns)) == 40
    assert len(doc.findall("x:trace/x:event", ns)) == 160  # start + complete per task


def test_xes_reads_back_as_a_process_mining_tool_reads_it(tmp_path, result):
    # What pm4py's read_xes relies on, read back with lxml (pm4py itself is a heavy AGPL
    # package, so it is not a test dependency): the standard extensions declared, each trace
    # named, each event an activity with a lifecycle transition and an ISO-8601 timestamp, the
    # start of an activity before its completion in the same trace.
    path = tmp_path / "cases.xes"
    write_event_log(result.event_log, path)
    ns = {"x": "http://www.xes-standard.org/"}
    doc = etree.parse(str(path))
    declared = {e.get("prefix") for e in doc.findall("x:extension", ns)}
    assert {"concept", "lifecycle", "time"} <= declared

    def attribute(element, kind, key):
        found = element.findall(f"x:{kind}[@key='{key}']", ns)
        assert len(found) == 1, (key, etree.tostring(element)[:200])
        return found[0].get("value")

    cases, activities = set(), set()
    for trace in doc.findall("x:trace", ns):
        cases.add(attribute(trace, "string", "concept:name"))
        started = {}
        for event in trace.findall("x:event", ns):
            name = attribute(event, "string", "concept:name")
            activities.add(name)
            when = dt.datetime.fromisoformat(attribute(event, "date", "time:timestamp"))
            assert when.tzinfo is not None
            transition = attribute(event, "string", "lifecycle:transition")
            if transition == "start":
                started[name] = when
            else:
                assert transition == "complete"
                assert started.pop(name) <= when
        assert started == {}
    assert len(cases) == 40
    assert activities == {"Periksa berkas", "Tanda tangan"}


def test_unknown_format_is_refused(tmp_path, result):
    with pytest.raises(BpengineError, match="unknown event log format '.txt'"):
        write_event_log(result.event_log, tmp_path / "cases.txt")


def test_csv_written_by_columns_is_what_the_csv_module_writes(tmp_path, result):
    from bpengine.sim.eventlog import EventLog

    log = result.event_log
    assert isinstance(log, EventLog)
    fast, slow = tmp_path / "fast.csv", tmp_path / "slow.csv"
    write_event_log(log, fast)
    write_event_log(list(log), slow)
    assert fast.read_bytes() == slow.read_bytes()
    # names that need quoting, a person never assigned, sub-millisecond times
    table = [
        [0, 0, 0, 0, 0.0, 0, 0, 1.0000001, 61.23456789, 60],
        [1, 1, 1, -1, 5.0, 5, 9, 0.0, 9.0, 0],  # cancelled while waiting: left out
        [1, 1, 1, 2, 5.0, 5, 5, 5.5, 1445.999999, 0],
    ]
    odd = EventLog(
        table,
        ["T1", "T2"],
        ['Periksa, "cepat"', "Tanda\ntangan"],
        ["Staf, TU", "(system)"],
        ["(system)"],
        dt.datetime(2025, 1, 6),
    )
    assert len(odd) == 2
    assert odd[1]["resource"] == "(system)"
    assert odd[0]["resource"] == "Staf, TU #1"
    write_event_log(odd, fast)
    write_event_log(list(odd), slow)
    assert fast.read_bytes() == slow.read_bytes()
    with fast.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["name"] == 'Periksa, "cepat"'
    assert rows[1]["name"] == "Tanda\ntangan"
    assert rows[1]["end"] == "2025-01-07T00:05:59.999+07:00"


@pytest.mark.parametrize(
    "tz", [None, dt.timezone.utc, dt.timezone(dt.timedelta(hours=5, minutes=45))]
)
def test_csv_bytes_are_the_csv_modules_on_awkward_logs(tmp_path, tz):
    # write_csv builds its lines as a table of bytes; the csv module, fed the same rows as
    # dicts of datetimes, is the reference: case numbers of every width, times on either
    # side of a millisecond, before the epoch, across a leap day and years, over midnight,
    # names to quote and beyond ASCII, a lane of people and a lane of nobody
    import numpy as np

    from bpengine.sim.eventlog import WIB, EventLog, write_csv

    tz = tz or WIB
    rng = np.random.default_rng(3)
    n = 3000
    epoch = dt.datetime(1969, 12, 31, 23, 30)  # times before 1970: milliseconds round down
    leap = (dt.datetime(2024, 2, 29, 23, 59, 59, 999_600) - epoch).total_seconds() / 60
    minutes = np.concatenate(
        [
            rng.uniform(-3 * 525_600, 60 * 525_600, n - 8),
            [0.0, -1e-7, 1e-7, 0.0000166, 0.0000167, 29.99999, leap, leap + 0.00001],
        ]
    )
    table = np.zeros((n, 10))
    table[:, 0] = np.concatenate([[0, 9, 10, 99, 100, 99_999], rng.integers(0, 100_000, n - 6)])
    table[:, 1] = rng.integers(0, 3, n)
    table[:, 2] = rng.integers(0, 3, n)
    table[:, 3] = np.where(table[:, 2] == 1, rng.integers(0, 2, n), rng.integers(0, 12, n))
    table[:, 4] = minutes
    table[:, 7] = minutes + rng.exponential(30, n)
    table[:, 8] = table[:, 7] + rng.exponential(300, n)
    log = EventLog(
        table,
        ["T1", "T,2", 'T"3'],
        ["Periksa berkas", "Tanda\ntangan, cap", "Café 审批"],
        ["Staf, TU", "Pejabat", "(system)"],
        ["(system)"],
        epoch,
        people={1: ["Bu Ani", 'Pak "Budi"']},
    )
    fast, slow = tmp_path / "fast.csv", tmp_path / "slow.csv"
    write_csv(log, fast, tz)
    write_csv(list(log), slow, tz)
    assert fast.read_bytes() == slow.read_bytes()
    lines = ("\r\n".join(log.csv_lines(tz)) + "\r\n").encode()
    assert log.csv_bytes(tz) == lines
    assert b"".join(log.csv_chunks(tz, rows=1000)) == lines  # chunks of 1000, 1000, 1000
