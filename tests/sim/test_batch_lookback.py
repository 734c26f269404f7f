"""Prosimos' reading of a batch rule that names a time (bpengine/sim/batch_lookback.py).

tests/data/prosimos/review.{bpmn,json}: an application every four hours around the clock
from Monday 2025-01-06 08:00, checked in a minute (so the head's files come at 08:01,
12:01, 16:01, 20:01, 00:01, 04:01, ...); the head of division signs them in Parallel
batches, 30 min x 0.5 x 4 = 60 min for four, 30 x 0.4 x 6 = 72 min for six, and works
21:00-24:00 only. The batch goes when ``daily_hour >= 15 AND daily_hour <= 16 AND
size >= 4``, or ``size = 6``. tests/sim/test_vs_prosimos.py runs Prosimos 2.1.0 itself on
the same files and gets the same schedule.
"""

import json
from pathlib import Path

import pytest

from bpengine import load, load_scenario, simulate
from bpengine.scenario import BatchRule
from bpengine.sim.batch_lookback import prosimos_firing

DATA = Path(__file__).resolve().parents[1] / "data" / "prosimos"
REVIEW_PATH = DATA / "review.bpmn"
REVIEW = load(REVIEW_PATH)

# Worked out by hand, as Prosimos 2.1.0 reads the rules: the hour rule holds once 15:00 has
# come on the oldest file's day while files waited. Monday 15:00 finds two files (08:01,
# 12:01); the fourth, at 20:01, makes 'size >= 4' true and the four go then (not at the next
# 15:00, and not six at Tuesday 04:01, as the window reading has it). Tuesday's 00:01 ...
# 12:01 go at Tuesday 15:00. Tuesday 16:01 came after that day's window, so the hour rule
# waits for Wednesday 15:00, and 'size = 6' comes first, at Wednesday 12:01. The two files
# left go when the run ends (Wednesday 20:01), after the head's 72 minutes.
# (The window reading signs six on Tuesday evening, Monday's 08:01 ... Tuesday's 04:01, six
# on Wednesday and four on Thursday.)
REVIEWED = (
    [("Mon 21:00", "22:00")] * 4
    + [("Tue 21:00", "22:00")] * 4
    + [("Wed 21:00", "22:12")] * 6
    + [("Wed 22:12", "23:12")] * 2
)


def reviewed(path: Path = DATA / "review.json", cases: int = 16) -> list[tuple[str, str]]:
    """``(start, end)`` of each case's signing, by case."""
    sc = load_scenario(path, model=REVIEW)
    res = simulate(REVIEW, scenario=sc, cases=cases, replications=1, warmup=0)
    rows = sorted((r for r in res.event_log if r["activity"] == "Sign"), key=lambda r: r["case"])
    return [(r["start"].strftime("%a %H:%M"), r["end"].strftime("%H:%M")) for r in rows]


def test_a_time_rule_holds_once_its_hour_came_while_the_oldest_files_waited():
    assert reviewed() == REVIEWED


def test_the_import_says_it_reads_time_rules_as_prosimos_runs_them():
    notes = load_scenario(DATA / "review.json", model=REVIEW).notes
    assert [n for n in notes if "not as documented" in n] == [
        "batch_processing[0] (Sign).firing_rules[0]: read as Prosimos 2.1.0 runs them, not as "
        "documented: a daily_hour or week_day rule holds once its hour or day has come while "
        "the oldest files waited, so such a batch can go outside those hours or on another "
        "day, when its size rule comes true (SCENARIO.md, batch_processing)"
    ]


def test_without_the_prosimos_reading_the_rules_hold_in_their_window(tmp_path):
    # The same rules in a YAML scenario, the head there around the clock: read as
    # documented, 'daily_hour' holds from 15:00 to 16:00, which two files at most find
    # waiting; so six go as the sixth comes (Tuesday 04:01, Wednesday 04:01) and the last
    # four at Thursday 15:00
    doc = {
        "calendar": {"hours": "always"},
        "start": "2025-01-06 08:00",
        "arrivals": {"interarrival": "240 min", "calendar": "always", "counting": "calendar"},
        "lanes": {"Staff": {"staff": 3}, "Head of division": {"staff": 1}},
        "tasks": {
            "Check": "1 min",
            "Sign": {
                "duration": "30 min",
                "batch": {
                    "rules": [{"hour": [">= 15", "<= 16"], "size": ">= 4"}, {"size": "= 6"}],
                    "worked": "parallel",
                    "scale": {4: 0.5, 6: 0.4},
                },
            },
        },
    }
    path = tmp_path / "review.scenario.yaml"
    path.write_text(json.dumps(doc))  # JSON is YAML
    assert load_scenario(path, model=REVIEW).batch("Sign").time_rules == "window"
    assert reviewed(path) == (
        [("Tue 04:01", "05:13")] * 6 + [("Wed 04:01", "05:13")] * 6 + [("Thu 15:00", "16:00")] * 4
    )


def _rules(*rules):
    return [BatchRule(a, op, v) for a, op, v in rules]


def _minutes(day, hh, mm=0):
    """Minutes from Monday 00:00 of the first week."""
    return day * 1440 + hh * 60 + mm


@pytest.mark.parametrize(
    ("rules", "enabled", "now", "sizes"),
    [
        # Prosimos 2.1.0 gives each of these (batch_processing.AndFiringRule.is_true); the
        # slow test in test_vs_prosimos.py checks thousands of drawn ones against its code
        pytest.param(  # Optimos' demo_batching: four files Wednesday morning, a fifth Thursday
            _rules(("daily_hour", ">=", 15), ("daily_hour", "<=", 16), ("size", ">=", 5)),
            [_minutes(2, 11, 5), _minutes(2, 11, 54), _minutes(2, 11, 55), _minutes(2, 11, 59)]
            + [_minutes(3, 9, 5)],
            _minutes(3, 9, 5),
            [5],
            id="hour-passed-then-size",
        ),
        pytest.param(  # the same four on Wednesday at 16:30: too few
            _rules(("daily_hour", ">=", 15), ("daily_hour", "<=", 16), ("size", ">=", 5)),
            [_minutes(2, 11, 5), _minutes(2, 11, 54), _minutes(2, 11, 55), _minutes(2, 11, 59)],
            _minutes(2, 16, 30),
            [],
            id="too-few",
        ),
        pytest.param(  # '< 12' takes the oldest file's day's first two: batches of two
            _rules(("daily_hour", ">=", 10), ("daily_hour", "<", 12)),
            [
                _minutes(0, 8),
                _minutes(0, 8, 30),
                _minutes(0, 9),
                _minutes(0, 9, 15),
                _minutes(0, 9, 30),
            ],
            _minutes(0, 10),
            [2, 2],
            id="hours-in-pairs",
        ),
        pytest.param(  # and not before 10:00
            _rules(("daily_hour", ">=", 10), ("daily_hour", "<", 12)),
            [
                _minutes(0, 8),
                _minutes(0, 8, 30),
                _minutes(0, 9),
                _minutes(0, 9, 15),
                _minutes(0, 9, 30),
            ],
            _minutes(0, 9, 59),
            [],
            id="hours-not-yet",
        ),
        pytest.param(  # Thursday's files waited over Monday: five go on Tuesday
            _rules(("week_day", "=", 0), ("size", ">=", 5)),
            [_minutes(3, 9), _minutes(3, 10), _minutes(3, 11), _minutes(8, 9), _minutes(8, 10)],
            _minutes(8, 10),
            [5],
            id="monday-passed-then-size",
        ),
    ],
)
def test_prosimos_firing_as_prosimos_code_gives_it(rules, enabled, now, sizes):
    assert prosimos_firing(rules, enabled, now, 0) == sizes
