"""Measuring a reform after the fact: `compare` on two logs, the same table from observed cases."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpengine import load, simulate
from bpengine.cli import main
from bpengine.records import read_log
from bpengine.report.observed import compare_logs
from bpengine.sim.eventlog import write_event_log

ROOT = Path(__file__).resolve().parents[2]
BEFORE = ROOT / "processes" / "izin-usaha-sebelum-oss.bpmn"
AFTER = ROOT / "processes" / "izin-usaha-oss-rba.bpmn"


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("logs")
    out = {}
    for name, model, seed in (("before", BEFORE, 1), ("again", BEFORE, 2), ("after", AFTER, 3)):
        path = folder / f"{name}.{'csv' if name != 'after' else 'xes'}"
        write_event_log(simulate(model, cases=120, replications=1, seed=seed).event_log, path)
        out[name] = path
    return out


def test_the_reform_shows_in_the_logs(logs):
    mb, ma = load(BEFORE), load(AFTER)
    result = compare_logs(
        mb,
        read_log(logs["before"]),
        ma,
        read_log(logs["after"]),
        scenario=BEFORE.with_name(BEFORE.stem + ".scenario.yaml"),
        after_scenario=AFTER.with_name(AFTER.stem + ".scenario.yaml"),
    )
    cycle = result.get("cycle_days_mean")
    assert cycle.kind == "observed"
    assert cycle.after < cycle.before
    assert cycle.significant
    assert "Welch t-test over cases" in cycle.statement()
    assert result.get("approvals").after < result.get("approvals").before
    assert result.get("activities").before == 26  # the models' structure, counted
    assert result.observed[:2] == (132, 132)
    assert "Observed cases: 132 before, 132 after" in result.table()


def test_two_logs_of_the_same_procedure_differ_by_chance_only(logs):
    model = load(BEFORE)
    result = compare_logs(model, read_log(logs["before"]), model, read_log(logs["again"]))
    assert [m.key for m in result.metrics if m.kind == "structure"] == []
    cycle = result.get("cycle_days_mean")
    assert not cycle.significant
    assert cycle.ci_change[0] < 0 < cycle.ci_change[1]


def test_cli_compare_two_logs(logs):
    runner = CliRunner()
    r = runner.invoke(
        main,
        [
            "compare",
            str(logs["before"]),
            str(logs["after"]),
            "--model",
            str(BEFORE),
            "--after-model",
            str(AFTER),
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["observed"]["cases_before"] == 132
    row = next(m for m in doc["metrics"] if m["key"] == "cycle_days_mean")
    assert row["kind"] == "observed"
    assert row["significant"]
    r = runner.invoke(main, ["compare", str(logs["before"]), str(logs["after"])])
    assert r.exit_code == 2
    assert "--model is needed to compare two logs" in r.output
    r = runner.invoke(main, ["compare", str(logs["before"]), str(AFTER), "--model", str(BEFORE)])
    assert "give two models or two logs, not one of each" in r.output
