"""Batch firing rules in the YAML scenario (``tasks.<id>.batch: {rules, worked, scale, ...}``):
read as the batch a Prosimos file gives, simulated alike, set with ``--set``, refused in one
line naming the key.

The simulated model is tests/data/sim/sequence.bpmn (A by Staf, then B by Kepala): one case
an hour from Monday 2025-01-06 08:00, A one minute (B's files come at 08:01, 09:01, ...), B
ten minutes, one Kepala, the office open around the clock.
"""

import copy
import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpengine import ScenarioError, load, load_scenario, simulate
from bpengine.cli import main
from bpengine.scenario import BatchRule

DATA = Path(__file__).resolve().parents[1] / "data"
SEQUENCE = load(DATA / "sim" / "sequence.bpmn")
CLAIMS = load(DATA / "prosimos" / "claims.bpmn")

BASE = {
    "calendar": {"hours": "always"},
    "start": "2025-01-06 08:00",
    "arrivals": {"interarrival": "60 min", "calendar": "always", "counting": "calendar"},
    "lanes": {"Staf": {"staff": 5}, "Kepala": {"staff": 1}},
    "tasks": {"A": "1 min", "B": {"duration": "10 min"}},
}


def _doc(batch: dict) -> dict:
    doc = copy.deepcopy(BASE)
    doc["tasks"]["B"]["batch"] = batch
    return doc


def _load(tmp_path, doc, model=SEQUENCE):
    path = tmp_path / "x.scenario.yaml"
    path.write_text(json.dumps(doc))  # JSON is YAML
    return load_scenario(path, model=model)


def _starts(tmp_path, batch, cases):
    sc = _load(tmp_path, _doc(batch))
    res = simulate(SEQUENCE, scenario=sc, cases=cases, replications=1, warmup=0)
    rows = sorted((r for r in res.event_log if r["activity"] == "B"), key=lambda r: r["case"])
    return [(r["start"].strftime("%a %H:%M"), r["end"].strftime("%H:%M")) for r in rows]


def test_rules_read_as_the_batch_a_prosimos_file_gives(tmp_path):
    yaml_batch = _load(
        tmp_path,
        {
            "tasks": {
                "T_notify": {
                    "batch": {
                        "rules": [
                            {"size": "= 3"},
                            {"oldest_wait": [">= 4 h", "<= 24 h"], "hour": "< 15"},
                        ],
                        "worked": "sequential",
                        "scale": {3: 0.7},
                        "alone": 0.2,
                    }
                }
            }
        },
        CLAIMS,
    ).batch("T_notify")
    doc = json.loads((DATA / "prosimos" / "claims.json").read_text())
    doc["batch_processing"] = [
        {
            "task_id": "T_notify",
            "type": "Sequential",
            "size_distrib": [{"key": "1", "value": 0.2}, {"key": "3", "value": 0.8}],
            "duration_distrib": [{"key": "3", "value": 0.7}],
            "firing_rules": [
                [{"attribute": "size", "comparison": "=", "value": 3}],
                [
                    {"attribute": "large_wt", "comparison": ">=", "value": 14400},
                    {"attribute": "large_wt", "comparison": "<=", "value": 86400},
                    {"attribute": "daily_hour", "comparison": "<", "value": 15},
                ],
            ],
        }
    ]
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(doc))
    imported = load_scenario(path, model=CLAIMS).batch("T_notify")
    # the same rules; only the import reads a list with a time rule as Prosimos' code does
    assert yaml_batch.time_rules == "window"
    assert imported.time_rules == "prosimos"
    assert yaml_batch == dataclasses.replace(imported, time_rules="window")


def test_conditions_read_each_attribute(tmp_path):
    b = _load(
        tmp_path,
        _doc(
            {
                "rules": {
                    "size": 4,
                    "newest_wait": "< 30 min",
                    "hour": [">= 9", "<= 16:30"],
                    "day": "Tuesday",
                }
            }
        ),
    ).batch("B")
    assert b.rules == (
        (
            BatchRule("size", "=", 4.0),
            BatchRule("ready_wt", "<", 30.0),
            BatchRule("daily_hour", ">=", 9.0),
            BatchRule("daily_hour", "<=", 16.5),
            BatchRule("week_day", "=", 1.0),
        ),
    )
    assert b.together is None
    assert b.scale == ()


def test_a_yaml_rule_batch_is_simulated_like_a_prosimos_one(tmp_path):
    # the hand-worked case of tests/sim/test_batching.py: files at 08:01, 09:01, 10:01 fire
    # at 10:01 (size = 3), one person works them in turn at 10 min x 0.5 each
    rows = _starts(tmp_path, {"rules": [{"size": 3}], "worked": "sequential", "scale": {3: 0.5}}, 6)
    assert rows == [
        ("Mon 10:01", "10:06"),
        ("Mon 10:06", "10:11"),
        ("Mon 10:11", "10:16"),
        ("Mon 13:01", "13:06"),
        ("Mon 13:06", "13:11"),
        ("Mon 13:11", "13:16"),
    ]


def test_a_parallel_batch_by_oldest_wait(tmp_path):
    # oldest 08:01 has waited 2 h at 10:01, as the third file comes: the three go at once,
    # each 10 min x 0.5 x 3 = 15 min
    rows = _starts(
        tmp_path,
        {
            "rules": [{"oldest_wait": [">= 2 h", "< 24 h"]}],
            "worked": "parallel",
            "scale": {3: 0.5},
        },
        3,
    )
    assert rows == [("Mon 10:01", "10:16")] * 3


def test_a_sign_off_round_may_be_worked_by_one_person(tmp_path):
    # at 12:00 the four files of 08:01 ... 11:01 go to the one Kepala, in turn, 10 min each
    rows = _starts(tmp_path, {"at": ["12:00"], "worked": "sequential"}, 4)
    assert rows == [
        ("Mon 12:00", "12:10"),
        ("Mon 12:10", "12:20"),
        ("Mon 12:20", "12:30"),
        ("Mon 12:30", "12:40"),
    ]


def test_drawn_sizes(tmp_path):
    rows = _starts(tmp_path, {"sizes": {2: 1}, "worked": "sequential"}, 4)
    assert [r[0] for r in rows] == ["Mon 09:01", "Mon 09:11", "Mon 11:01", "Mon 11:11"]


def test_set_paths_change_the_rules_like_the_file(tmp_path):
    path = tmp_path / "x.scenario.yaml"
    path.write_text(json.dumps(_doc({"rules": [{"size": 2}]})))
    sc = load_scenario(
        path,
        model=SEQUENCE,
        overrides=[
            'tasks.B.batch.rules=[{size: ">= 3"}]',
            "tasks.B.batch.worked=parallel",
            "tasks.B.batch.scale.3=0.5",
        ],
    )
    b = sc.batch("B")
    assert b.rules == ((BatchRule("size", ">=", 3.0),),)
    assert b.together == "parallel"
    assert b.scale == ((1, 1.0), (3, 0.5))


def test_the_cli_simulates_a_rule_batch_and_refuses_a_bad_one_in_one_line(tmp_path):
    path = tmp_path / "x.scenario.yaml"
    path.write_text(json.dumps(_doc({"rules": [{"size": 3}], "worked": "sequential"})))
    model = str(DATA / "sim" / "sequence.bpmn")
    ok = CliRunner().invoke(main, ["simulate", model, "-s", str(path), "-n", "30", "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["kpis"]["batching_hours"]["mean"] > 0
    bad = CliRunner().invoke(
        main,
        ["simulate", model, "-s", str(path), "--set", "tasks.B.batch.worked=together"],
    )
    assert bad.exit_code != 0
    (line,) = bad.output.strip().splitlines()
    assert "tasks.B.batch.worked: 'together' is not sequential" in line


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        ({"rules": [{"size": 3}], "at": ["10:00"]}, "tasks.B.batch.rules: a batch goes by"),
        ({"rules": [{"size": 3}], "sizes": {2: 1}}, "tasks.B.batch: give 'rules' or 'sizes'"),
        ({"rules": []}, "tasks.B.batch.rules: expected a list of rules"),
        ({"rules": ["size >= 3"]}, "tasks.B.batch.rules[0]: expected a mapping of conditions"),
        ({"rules": [{"count": 3}]}, "tasks.B.batch.rules[0]: unknown key 'count'"),
        ({"rules": [{"size": "=> 3"}]}, "tasks.B.batch.rules[0].size: expected a number"),
        ({"rules": [{"size": "< 2"}]}, "no batch of two or more files has size < 2"),
        ({"rules": [{"size": 0}]}, "tasks.B.batch.rules[0].size"),
        ({"rules": [{"oldest_wait": ">= 2 h"}]}, "oldest_wait: give an upper bound too"),
        (
            {"rules": [{"newest_wait": [">= 2 h", "< 1 h"]}]},
            "rules[0].newest_wait: the conditions leave no waiting time",
        ),
        ({"rules": [{"oldest_wait": "< 1 day"}]}, "a wait here is wall-clock time"),
        ({"rules": [{"hour": [">= 15", "< 9"]}]}, "rules[0].hour: the conditions leave no time"),
        ({"rules": [{"hour": "25"}]}, "rules[0].hour: '25' is not a time of day"),
        ({"rules": [{"day": "> mon"}]}, "rules[0].day: '> mon' is not a day of the week"),
        ({"rules": [{"day": "someday"}]}, "is not a day of the week"),
        ({"rules": [{"size": [True]}]}, "rules[0].size: True is not a condition"),
        ({"rules": [{"size": 3}], "worked": "together"}, "batch.worked: 'together' is not"),
        ({"at": ["10:00"], "scale": {3: 0.5}}, "batch.scale: a duration by batch size needs"),
        ({"rules": [{"size": 3}], "worked": "parallel", "scale": {"x": 1}}, "'x' is not a batch"),
        ({"rules": [{"size": 3}], "worked": "parallel", "scale": [0.5]}, "scale: expected a"),
        ({"at": ["10:00"], "alone": 0.5}, "batch.alone: a file goes on its own only"),
        ({"rules": [{"size": 3}], "alone": 2}, "batch.alone: a probability cannot exceed 1"),
        ({"sizes": {2: 0}}, "batch.sizes: no size has a weight above 0"),
        ({"worked": "sequential"}, "tasks.B.batch: give 'at' (times of day) and/or 'size'"),
        ({"rules": [{"size": 3}], "when": 1}, "tasks.B.batch: unknown key 'when'"),
    ],
)
def test_a_bad_batch_is_refused_in_one_line_naming_the_key(tmp_path, batch, message):
    with pytest.raises(ScenarioError) as err:
        _load(tmp_path, _doc(batch))
    text = str(err.value)
    assert message in text
    assert "\n" not in text


def test_the_report_states_a_rule_batch_among_its_assumptions(tmp_path):
    from bpengine.report.assumptions import assumption_rows

    sc = _load(tmp_path, _doc({"rules": [{"size": 3}], "worked": "sequential"}))
    rows = [r for r in assumption_rows(sc, SEQUENCE) if r[2].startswith("done in batches")]
    assert [r[2] for r in rows] == ["done in batches when their firing rules hold"]
