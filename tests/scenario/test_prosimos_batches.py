"""Prosimos ``batch_processing`` read into the scenario's batches, or refused in one line."""

import copy
import json
from pathlib import Path

import pytest

from bpengine import ScenarioError, load, load_scenario
from bpengine.scenario import Batch, BatchRule

DATA = Path(__file__).resolve().parents[1] / "data" / "prosimos"
CLAIMS = load(DATA / "claims.bpmn")
CLAIMS_DOC = json.loads((DATA / "claims.json").read_text())


def _entry(**changes):
    entry = {
        "task_id": "T_notify",
        "type": "Sequential",
        "size_distrib": [{"key": "1", "value": 0.25}, {"key": "3", "value": 0.75}],
        "duration_distrib": [{"key": "3", "value": 0.5}, {"key": "6", "value": 0.3}],
        "firing_rules": [
            [
                {"attribute": "size", "comparison": ">=", "value": 3},
                {"attribute": "daily_hour", "comparison": "<", "value": 15},
            ],
            [
                {"attribute": "large_wt", "comparison": ">", "value": 7200},
                {"attribute": "large_wt", "comparison": "<", "value": 86400},
            ],
        ],
    }
    entry.update(changes)
    return entry


def _load(tmp_path, *entries):
    doc = copy.deepcopy(CLAIMS_DOC)
    doc["batch_processing"] = list(entries)
    path = tmp_path / "params.json"
    path.write_text(json.dumps(doc))
    return load_scenario(path, model=CLAIMS)


def test_batch_processing_is_read_as_the_tasks_batch(tmp_path):
    b = _load(tmp_path, _entry()).batch("T_notify")
    assert b.together == "sequential"
    assert b.alone == 0.25  # size 1's probability: done on its own when no batch is open
    assert b.sizes == ()  # with rules, the sizes only say how often a file goes alone
    assert b.rules == (
        (BatchRule("size", ">=", 3), BatchRule("daily_hour", "<", 15)),
        (BatchRule("large_wt", ">", 120.0), BatchRule("large_wt", "<", 1440.0)),
    )  # seconds become minutes
    assert b.scale == ((1, 1.0), (3, 0.5), (6, 0.3))
    # the nearest size given, ties to the smaller (Prosimos' lookup)
    assert [b.coefficient(n) for n in (1, 2, 3, 4, 5, 6, 9)] == [1.0, 1.0, 0.5, 0.5, 0.3, 0.3, 0.3]


def test_without_rules_the_size_of_each_batch_is_drawn(tmp_path):
    b = _load(
        tmp_path,
        _entry(
            type="Parallel",
            firing_rules=[],
            size_distrib=[{"key": "2", "value": 0.2}, {"key": "4", "value": 0.6}],
        ),
    ).batch("T_notify")
    assert b.together == "parallel"
    assert b.rules == ()
    assert [k for k, _p in b.sizes] == [2, 4]
    assert [p for _k, p in b.sizes] == pytest.approx([0.25, 0.75])  # in proportion


def test_a_yaml_batch_stays_a_signing_round():
    assert Batch(at=(600.0,)).together is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"type": "Concurrent"},
            r"batch_processing\[0\] \(T_notify\)\.type: Concurrent batches "
            "are not simulated",
        ),
        ({"type": "Batch"}, r"\.type: 'Batch' is not Sequential or Parallel"),
        ({"type": []}, r"\.type: \[\] is not Sequential or Parallel"),  # found by the fuzz test
        (
            {"firing_rules": [[{"attribute": "ready_wt", "comparison": ">=", "value": 3600}]]},
            r"firing_rules\[0\]: the ready_wt rules give no upper bound: Prosimos needs a range",
        ),
        (
            {
                "firing_rules": [
                    [
                        {"attribute": "large_wt", "comparison": ">", "value": 3600},
                        {"attribute": "large_wt", "comparison": "<", "value": 60},
                    ]
                ]
            },
            "the large_wt rules give an empty range",
        ),
        (
            {"firing_rules": [[{"attribute": "week_day", "comparison": ">", "value": "Monday"}]]},
            r"week_day > 'Monday'\): week_day takes only '='",
        ),
        (
            {"firing_rules": [[{"attribute": "week_day", "comparison": "=", "value": "Funday"}]]},
            "not a day of the week",
        ),
        (
            {
                "firing_rules": [
                    [
                        {"attribute": "daily_hour", "comparison": ">=", "value": 15},
                        {"attribute": "daily_hour", "comparison": "<", "value": 10},
                    ]
                ]
            },
            r"firing_rules\[0\]: the daily_hour rules leave no time of day",
        ),
        (
            {"firing_rules": [[{"attribute": "daily_hour", "comparison": "=", "value": 24}]]},
            "daily_hour is a whole hour from 0 to 23",
        ),
        (
            {"firing_rules": [[{"attribute": "size", "comparison": "<", "value": 2}]]},
            "no batch of two or more files satisfies it",
        ),
        (
            {"firing_rules": [[{"attribute": "priority", "comparison": "=", "value": 1}]]},
            r"'priority' is not a Prosimos firing rule",
        ),
        (
            {"firing_rules": [[{"attribute": "size", "comparison": "!=", "value": 3}]]},
            r"'!=' is not one of",
        ),
        ({"firing_rules": [[]]}, r"firing_rules\[0\]: an empty list of rules"),
        ({"firing_rules": [], "size_distrib": []}, "no batch would ever form"),
        ({"size_distrib": [{"key": "2.5", "value": 1}]}, "a batch size is a whole number"),
        ({"size_distrib": [{"key": "2", "value": 1.5}]}, "a probability cannot exceed 1"),
        ({"duration_distrib": [{"key": "2", "value": "inf"}]}, "expected a finite number"),
        ({"task_id": "T_nowhere"}, "batch_processing names 'T_nowhere', which is not a task"),
        ({"resources": []}, r"batch_processing\[0\]\.resources: not a key bpengine reads"),
    ],
)
def test_rules_bpengine_cannot_simulate_exactly_are_refused_in_one_line(tmp_path, change, message):
    with pytest.raises(ScenarioError, match=message) as exc:
        _load(tmp_path, _entry(**change))
    assert "\n" not in str(exc.value)
    assert "params.json" in str(exc.value)


def test_a_second_entry_for_one_task_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="second batch_processing entry"):
        _load(tmp_path, _entry(), _entry())


def test_what_is_read_differently_from_prosimos_is_noted(tmp_path):
    sc = _load(
        tmp_path,
        _entry(
            batch_frequency=0.4,
            size_distrib=[{"key": "3", "value": 0.9}, {"key": "1", "value": 0.1}],
        ),
    )
    assert sc.batch("T_notify").alone == 0.1
    assert any("batch_frequency: not read" in n for n in sc.notes)
    assert any("Prosimos takes the first entry's (0.9)" in n for n in sc.notes)


def _size(op, value):
    return {"attribute": "size", "comparison": op, "value": value}


@pytest.mark.parametrize(
    ("and_rule", "stalls"),
    [
        (
            [_size(">=", 3)],
            "'size >= 3' leaves its batch size at 0), so there its files wait "
            "for another rule or for ever; bpengine fires it as documented, once 3 files wait",
        ),
        ([_size(">", 3)], "once 4 files wait"),
        ([_size("=", 3)], None),
        ([_size("<=", 5)], None),
        # Prosimos moves the first size rule to the end: the other one decides
        ([_size(">=", 3), _size("<=", 5)], None),
        ([_size("<=", 5), _size(">=", 3)], "'size >= 3'"),
        # a day or hour rule sizes the batch before the size rule is met
        ([_size(">=", 3), {"attribute": "daily_hour", "comparison": "<", "value": 15}], None),
        ([_size(">", 2), {"attribute": "week_day", "comparison": "=", "value": "Monday"}], None),
    ],
)
def test_a_size_rule_prosimos_never_fires_is_noted(tmp_path, and_rule, stalls):
    sc = _load(tmp_path, _entry(firing_rules=[and_rule]))
    noted = [n for n in sc.notes if "never fires" in n]
    if stalls is None:
        assert noted == []
    else:
        assert len(noted) == 1
        assert noted[0].startswith("batch_processing[0] (T_notify).firing_rules[0]: Prosimos")
        assert stalls in noted[0]
    assert sc.batch("T_notify").rules  # read all the same, and simulated as documented
    assert not any("modulo one day" in n for n in sc.notes)  # no waiting-time rule here


def test_waiting_time_rules_note_that_prosimos_wraps_waits_at_a_day(tmp_path):
    sc = _load(tmp_path, _entry())
    (wrap,) = [n for n in sc.notes if "modulo one day" in n]
    assert wrap.startswith("batch_processing[0] (T_notify).firing_rules: Prosimos 2.1.0")


def test_drawn_sizes_with_size_one_note_that_prosimos_draws_it_twice(tmp_path):
    sc = _load(
        tmp_path,
        _entry(
            firing_rules=[],
            size_distrib=[{"key": "1", "value": 0.2}, {"key": "3", "value": 0.8}],
        ),
    )
    assert sc.batch("T_notify").sizes == ((1, 0.2), (3, 0.8))
    (note,) = [n for n in sc.notes if "draws size 1 twice" in n]
    assert note.startswith("batch_processing[0] (T_notify).size_distrib: Prosimos 2.1.0")
    assert "a batch of one comes with 36% instead of 20%; bpengine draws once" in note
    sc = _load(tmp_path, _entry(firing_rules=[], size_distrib=[{"key": "3", "value": 1}]))
    assert not any("twice" in n for n in sc.notes)
