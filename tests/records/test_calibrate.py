"""Calibration: a scenario fitted from an event log, and the round trip through the simulator."""

import math
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bpengine import load, load_scenario, simulate
from bpengine.cli import main
from bpengine.records import match_activities, read_log, replay_log
from bpengine.records.calibrate import calibrate
from bpengine.sim.eventlog import write_event_log

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "sim"
PROCESSES = sorted((ROOT / "processes").glob("*.bpmn"))
SEQUENCE = DATA / "sequence.bpmn"
SCENARIO = {
    "tasks": {
        "A": {"duration": {"distribution": "lognormal", "mean": "20 min", "sd": "8 min"}},
        "B": {
            "duration": {"distribution": "exponential", "mean": "10 min"},
            "batch": {"at": ["10:00", "14:00"]},
        },
    },
    "arrivals": {"interarrival": {"distribution": "exponential", "mean": "40 min"}},
    "lanes": {"Staf": {"staff": 2}, "Kepala": {"staff": 1}},
}


@pytest.fixture(scope="module")
def sequence_log(tmp_path_factory):
    path = tmp_path_factory.mktemp("log") / "sequence.csv"
    result = simulate(SEQUENCE, scenario=SCENARIO, cases=400, replications=1, warmup=0)
    write_event_log(result.event_log, path)
    return path


def test_every_number_says_where_it_came_from(sequence_log, tmp_path):
    model = load(SEQUENCE)
    cal = calibrate(model, read_log(sequence_log))
    out = tmp_path / "x.scenario.yaml"
    cal.write(out)
    text = out.read_text(encoding="utf-8")
    sc = load_scenario(out, model=model)  # what calibrate writes, the scenario reader reads
    assert sc.lane("Staf").staff == 2
    assert sc.lane("Kepala").staff == 1
    assert sc.task_duration("A").kind == "lognormal"
    assert abs(sc.task_duration("A").mean / 20 - 1) < 0.1
    assert abs(sc.arrivals.interarrival.mean / 40 - 1) < 0.15
    assert sc.batch("B").at == (600.0, 840.0)  # sign-off rounds at 10:00 and 14:00
    assert sc.batch("A") is None
    for line in text.splitlines():  # every value line carries its comment
        if re.match(r"\s+(duration|batch|interarrival|calendar|\w+ ?\w*): [{\d]", line) or re.match(
            r"\s+(Staf|Kepala):", line
        ):
            assert "   # " in line, line
    assert "400 executions" in text
    assert "lowest AIC of 6 families" in text
    assert "KS distance" in text
    assert "399 gaps between case arrivals" in text
    assert "2 distinct people in the log" in text
    assert "0 of 400 cases (0.0%) do not fit the model" in text


def test_only_end_times_are_estimated_and_said(sequence_log, tmp_path):
    rows = sequence_log.read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    keep = [header.index(c) for c in ("case", "activity", "resource", "end")]
    path = tmp_path / "ends.csv"
    path.write_text(
        "\n".join(",".join(r.split(",")[i] for i in keep) for r in rows) + "\n", encoding="utf-8"
    )
    model = load(SEQUENCE)
    cal = calibrate(model, read_log(path))
    text = cal.to_yaml()
    assert "400 without a logged start: started when enabled" in text
    assert "each such start is estimated from when the step was enabled" in text
    # A opens the case: with only its end logged, nothing tells when it began
    assert "A" not in cal.fits
    assert any(w.startswith("A: 400 executions with only their end logged") for w in cal.warnings)
    # B's start is estimated from A's end (or its performer's previous end); the head
    # waits for the 10:00/14:00 rounds, which an end-only log cannot tell from work
    assert cal.fits["B"].distribution.mean > 10


def test_unknown_activities_are_named_and_left_out(sequence_log, tmp_path):
    text = sequence_log.read_text(encoding="utf-8")
    path = tmp_path / "extra.csv"
    path.write_text(
        text + "999,Stempel,Stempel,Staf,Staf #1,2025-02-03T08:00:00+07:00,"
        "2025-02-03T08:00:00+07:00,2025-02-03T08:05:00+07:00\n",
        encoding="utf-8",
    )
    cal = calibrate(load(SEQUENCE), read_log(path))
    assert any(
        "activity 'Stempel' (1 event(s), first at row 802 (case '999')) is no task" in w
        for w in cal.warnings
    )
    assert cal.cases == 401
    assert cal.fitting_cases == 400


def test_cli_calibrate_writes_the_scenario(sequence_log, tmp_path):
    out = tmp_path / "out" / "seq.scenario.yaml"
    r = CliRunner().invoke(main, ["calibrate", str(SEQUENCE), str(sequence_log), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "wrote" in r.output
    assert "0.0% of cases do not fit the model" in r.output
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["lanes"]["Staf"]["staff"] == 2


def test_cli_calibrate_bad_log_is_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("case,activity,end\n1,A,kemarin\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["calibrate", str(SEQUENCE), str(bad)])
    assert r.exit_code == 1
    assert r.output.strip().splitlines() == [
        f"error: {bad}: row 2, column 'end': 'kemarin' is not a date and time (ISO 8601, "
        "e.g. 2025-01-06T08:30:00+07:00)"
    ]


def _shares(model, rows):
    """Per (gateway, flow): (passes that took it, passes) over the cases that fit."""
    from bpengine.records.log import Event, EventLog

    log = EventLog(
        [Event(str(r["case"]), r["activity"], r["end"], r["start"], r["enabled"]) for r in rows],
        "sim",
    )
    replay = replay_log(model, log, match_activities(model, log))
    taken, visits = defaultdict(Counter), Counter()
    for case in replay.fitting:
        for gateway, flows in case.choices:
            visits[gateway] += 1
            taken[gateway].update(flows)
    return taken, visits


def _wilson(k, n, z=1.96):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.mark.slow
@pytest.mark.parametrize("bpmn", PROCESSES, ids=[p.stem for p in PROCESSES])
def test_round_trip(bpmn, tmp_path):
    """Simulate, write the log, calibrate, simulate again: the numbers come back.

    The original run (200 cases x 5 replications) gives the 95% intervals; the office's
    record is a longer run of the same scenario (2,000 cases, another seed), written as
    CSV and read back; the calibrated scenario is simulated like the original, with the
    same seed (common random numbers). A record as long as the original run would carry
    the same sampling noise as the run's own intervals (an arrival rate from 220 gaps is
    +-7%), so it is ten times longer. Branch shares are counted by replaying the first
    replication's log of each run; their interval is Wilson's 95% interval of the original
    share. Lanes where each case brings its own person (``unlimited``) have no utilisation
    to compare.
    """
    model = load(bpmn)
    sidecar = bpmn.with_name(bpmn.stem + ".scenario.yaml")
    original = simulate(model, scenario=sidecar, cases=200, replications=5, seed=7)
    record = simulate(model, scenario=sidecar, cases=2000, replications=1, seed=11)
    log_path = tmp_path / "record.csv"
    write_event_log(record.event_log, log_path)
    cal = calibrate(model, read_log(log_path), base=sidecar)
    assert cal.fitting_cases == cal.cases  # the simulator never leaves the model
    out = tmp_path / "calibrated.scenario.yaml"
    cal.write(out)
    again = simulate(
        model, scenario=load_scenario(out, model=model), cases=200, replications=5, seed=7
    )

    key = "cycle_time_working_days"
    assert original[key].contains(again[key].mean), (original[key], again[key])
    after = {lane["lane"]: lane for lane in again.lanes}
    for lane in original.lanes:
        if lane["unlimited"]:  # each case its own applicant: no utilisation to speak of
            continue
        low, high = lane["utilisation_ci95"]
        assert low <= after[lane["lane"]]["utilisation"] <= high, lane
    base = load_scenario(sidecar, model=model)
    for task, fit in cal.fits.items():
        true = base.task_duration(task).mean
        assert abs(fit.distribution.mean / true - 1) <= 0.10, (task, fit.distribution, true)
    taken, visits = _shares(model, original.event_log)
    taken2, visits2 = _shares(model, again.event_log)
    for gateway, n in visits.items():
        for flow in model.elements[gateway].outgoing:
            low, high = _wilson(taken[gateway][flow], n)
            share = taken2[gateway][flow] / visits2[gateway]
            assert low <= share <= high, (gateway, flow, taken[gateway][flow] / n, share)


def test_hand_overs_between_pools_are_timed(tmp_path):
    """The six-pool licence procedure: paper carried between offices, data sent at once."""
    bpmn = ROOT / "processes" / "izin-usaha-sebelum-oss.bpmn"
    sidecar = bpmn.with_name(bpmn.stem + ".scenario.yaml")
    model = load(bpmn)
    log_path = tmp_path / "record.csv"
    write_event_log(
        simulate(model, scenario=sidecar, cases=150, replications=1, seed=4).event_log, log_path
    )
    cal = calibrate(model, read_log(log_path), base=sidecar)
    base = load_scenario(sidecar, model=model)
    fitted = cal.scenario(model).handovers
    measured = {k for k in cal.doc["handovers"] if k.startswith("Msg_")}
    assert {"Msg_skdu", "Msg_permohonan_pengantar", "Msg_sk_ahu"} <= measured
    # sent after the founder had waited for the NPWP: when it left is not in the log
    assert "Msg_berkas_loket" not in measured
    for flow in measured:
        kind = "paper" if model.handover(flow).is_paper else "data"
        truth = base.handovers[kind].duration.mean
        assert fitted[flow].duration.mean == pytest.approx(truth, rel=0.15), flow
        assert fitted[flow].working_time == (kind == "paper")
    assert "paper hand-overs timed from the sender's last step" in cal.to_yaml()


def test_a_system_step_in_a_lane_is_no_person_of_it(tmp_path):
    # the simulator runs a service task drawn in an office's lane as a system step, logged
    # under "(system)": counting that as a person gave the office one officer too many
    bpmn = ROOT / "tests" / "data" / "qa" / "pindah-datang-antar-kabupaten.bpmn"
    sidecar = bpmn.with_name(bpmn.stem + ".scenario.yaml")
    model = load(bpmn)
    assert model.elements["Task_mutakhirkan_kk_asal"].lane == "Petugas Pelayanan Dukcapil Asal"
    log_path = tmp_path / "record.csv"
    write_event_log(
        simulate(model, scenario=sidecar, cases=60, replications=1, seed=4).event_log, log_path
    )
    cal = calibrate(model, read_log(log_path), base=sidecar)
    lanes = cal.doc["lanes"]
    assert lanes["Petugas Pelayanan Dukcapil Asal"]["staff"] == 3
    assert "(system)" not in cal.to_yaml().split("tasks:")[0]
    assert cal.doc["tasks"]["Task_mutakhirkan_kk_asal"]["duration"] in ("1 min", 1, "1.0 min")
