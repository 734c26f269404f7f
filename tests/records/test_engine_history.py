"""Calibrating from the engine's own history gives what calibrating from the log gives.

A scripted run: the cases of a simulated log are played through the embedded engine on
SQLite with a fake clock (each case started when it arrived, each task claimed when its
work began and completed when it ended, by the same person, with the data that sends
every gateway the way the case went). The engine's history is then calibrated and must
give the same scenario as the log it ran.
"""

import datetime as dt
import re
from pathlib import Path

import pytest

from bpengine import Engine, load, simulate
from bpengine.records import history_log, match_activities, read_log, replay_log
from bpengine.records.calibrate import calibrate
from bpengine.records.log import WIB
from bpengine.sim.eventlog import write_event_log

ROOT = Path(__file__).resolve().parents[2]
# no timers (nothing fires alone); six pools: a collaboration the engine runs as one case
MODEL = ROOT / "processes" / "izin-usaha-sebelum-oss.bpmn"
SIDECAR = MODEL.with_name("izin-usaha-sebelum-oss.scenario.yaml")
_COND = re.compile(r"^\s*(\w+)\s*==\s*(True|False|\"[^\"]*\"|'[^']*'|-?\d+)\s*$")


def _value(text):
    if text in ("True", "False"):
        return text == "True"
    if text[0] in "\"'":
        return text[1:-1]
    return int(text)


def _data_for(model, gateway, flows) -> dict:
    """Case data under which ``gateway``'s conditions choose ``flows``."""
    data = {}
    for fid in model.elements[gateway].outgoing:
        cond = model.flows[fid].condition
        if not cond:
            continue
        m = _COND.match(cond)
        assert m, f"the script only knows 'name == value' conditions, not {cond!r}"
        name, value = m.group(1), _value(m.group(2))
        if fid in flows:
            data[name] = value
        else:
            data.setdefault(name, (not value) if isinstance(value, bool) else "lain")
    return data


def _play(engine, model, log):
    replay = replay_log(model, log, match_activities(model, log))
    key = engine.definitions()[-1].key
    now = [dt.datetime(2025, 1, 1, tzinfo=WIB)]
    engine.clock = lambda: now[0]
    actions = []
    for case in replay.cases:
        decide: dict = {}
        for (gateway, flows), after in zip(case.choices, case.choice_after, strict=True):
            decide.setdefault(after, {}).update(_data_for(model, gateway, flows))
        arrival = min(e.enabled for e in case.events)
        actions.append((arrival, 0, case, -1, decide))
        for k, e in enumerate(case.events):
            actions += [(e.start, 2, case, k, decide), (e.end, 1, case, k, decide)]
    ids, claimed = {}, {}
    for when, kind, case, k, decide in sorted(actions, key=lambda a: (a[0], a[1])):
        now[0] = when.replace(tzinfo=WIB)
        if kind == 0:
            ids[case.case] = engine.start(key, decide.get(-1, {}), actor="pemohon").id
            continue
        e = case.events[k]
        if kind == 2:  # at one instant: what ends, then what begins
            task = next(
                t
                for t in engine.get(ids[case.case]).tasks
                if t.element_id == e.activity and t.state == "ready" and t.assignee is None
            )
            claimed[case.case, k] = engine.claim(task.id, e.resource).id
        else:
            engine.complete(claimed.pop((case.case, k)), decide.get(k, {}), actor=e.resource)


@pytest.mark.slow
def test_engine_history_calibrates_like_its_log(tmp_path):
    model = load(MODEL)
    result = simulate(model, scenario=SIDECAR, cases=25, replications=1, warmup=0, seed=3)
    log_path = tmp_path / "record.csv"
    write_event_log(result.event_log, log_path)
    log = read_log(log_path)
    url = f"sqlite:///{tmp_path / 'agency.db'}"
    with Engine(url) as engine:
        engine.deploy(model)
        _play(engine, model, log)
        assert all(c.status == "completed" for c in engine.cases())
    with Engine(url) as engine:
        history = history_log(engine, model)
    assert len(history) == len(log)
    from_log = calibrate(model, log, base=SIDECAR)
    from_engine = calibrate(model, history, base=SIDECAR)
    assert from_engine.fitting_cases == from_engine.cases == 25
    assert from_engine.doc["gateways"] == from_log.doc["gateways"]
    assert {k: v["staff"] for k, v in from_engine.doc["lanes"].items()} == {
        k: v["staff"] for k, v in from_log.doc["lanes"].items()
    }
    for task, fit in from_log.fits.items():
        assert from_engine.fits[task].distribution.kind == fit.distribution.kind
        assert from_engine.fits[task].distribution.mean == pytest.approx(
            fit.distribution.mean, rel=1e-3
        ), task
    assert from_engine.doc["arrivals"] == from_log.doc["arrivals"]
    # a step another pool's message starts: the log knows when the papers arrived (its
    # enabled column), the engine only when they were sent (it delivers at once), so
    # its rounds cannot be told from the engine's history
    by_message = {
        case.tasks[k]
        for case in from_engine.replay.cases
        for k, flag in case.by_message.items()
        if flag
    }
    assert "Task_ttd_pengantar_rt_rw" in by_message
    for task, spec in from_log.doc["tasks"].items():
        if task not in by_message:
            assert from_engine.doc["tasks"][task].get("batch") == spec.get("batch"), task


def test_the_example_works_cases_through_the_engine(tmp_path):
    """examples/agency_history.py: the loop's first step, on a small model."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "agency_history", ROOT / "examples" / "agency_history.py"
    )
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    seq = ROOT / "tests" / "data" / "sim" / "rework.bpmn"
    url = f"sqlite:///{tmp_path / 'agency.db'}"
    assert example.main([str(seq), url, "--cases", "6", "--seed", "2"]) == 6
    model = load(seq)
    with Engine(url) as engine:
        history = history_log(engine, model)
    assert len({e.case for e in history.events}) == 6
    from bpengine.records.conformance import conformance

    assert conformance(model, history).fitting == 6


def test_the_example_leaves_a_systems_steps_to_the_engine(tmp_path, capsys):
    """A service task is the engine's to run (a no-op handler here), not an inbox task: the
    example stopped with StopIteration on every redesign with a system step (the README's
    loop: the redesigned licence's send and receive tasks)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "agency_history", ROOT / "examples" / "agency_history.py"
    )
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    model_file = ROOT / "tests" / "data" / "sim" / "system.bpmn"
    url = f"sqlite:///{tmp_path / 'agency.db'}"
    assert example.main([str(model_file), url, "--cases", "5"]) == 5
    with Engine(url) as engine:
        cases = engine.cases()
    assert len(cases) == 5
    assert all(c.status == "completed" for c in cases)
    # the tasks people worked: the user task and the plain task of each case, not the service
    assert capsys.readouterr().out.endswith(", 10 tasks worked\n")
