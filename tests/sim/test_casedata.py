"""Case priorities and process-wide data in the simulator, on schedules worked out by hand.

``tests/data/prosimos/desk.{bpmn,json}``: a request is taken at once (ten robots, 0 s),
routed by its data and served by one clerk in 10 minutes, urgent or normal; a request
arrives every minute, round the clock. Eight requests all arrive before the first is
served, so every schedule below follows from the rules alone.
"""

import copy
import dataclasses
import json
from pathlib import Path

import pytest

from bpengine import ScenarioError, load, load_scenario, simulate
from bpengine.scenario import from_prosimos

DATA = Path(__file__).resolve().parents[1] / "data" / "prosimos"
DESK = load(DATA / "desk.bpmn")
DESK_DOC = json.loads((DATA / "desk.json").read_text())
FIX0 = {"distribution_name": "fix", "distribution_params": [{"value": 0}]}


def _served(doc, seed=1, cases=8, order=None):
    sc = from_prosimos(doc, DESK)
    if order is not None:
        sc = dataclasses.replace(sc, priority_order=order)
    res = simulate(
        DESK, scenario=sc, cases=cases, replications=1, warmup=0, seed=seed, event_log=True
    )
    rows = [r for r in res.event_log if r["activity"] != "T_take"]
    return sorted(rows, key=lambda r: r["start"])


def _minutes(row, key):
    return round((row[key] - row["enabled"].replace(hour=8, minute=0)).total_seconds() / 60, 6)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_free_clerk_takes_the_waiting_urgent_requests_first_then_the_oldest(seed):
    rows = _served(DESK_DOC, seed, order="waiting")
    # request k arrives at minute k; the clerk is free at 0 and takes request 0 whatever it
    # is (nobody is interrupted); at 10, 20, ... the waiting urgent ones go first, oldest
    # first, then the normal ones, oldest first
    urgent = {r["case"] for r in rows if r["activity"] == "T_urgent"}
    rest = sorted(range(1, 8), key=lambda k: (k not in urgent, k))
    assert [r["case"] for r in rows] == [0, *rest]
    assert [_minutes(r, "start") for r in rows] == [10.0 * k for k in range(8)]
    assert all(_minutes(r, "enabled") == r["case"] for r in rows)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_prosimos_priorities_serve_the_runs_urgent_requests_first_even_those_to_come(seed):
    # a Prosimos file orders the whole run by priority, as Prosimos 2.1.0 does: the clerk
    # serves every urgent request first, waiting idle for one still to arrive, and only
    # then the normal ones, from where the last urgent one left off
    rows = _served(DESK_DOC, seed)
    assert from_prosimos(DESK_DOC, DESK).priority_order == "run"
    urgent = {r["case"] for r in rows if r["activity"] == "T_urgent"}
    assert [(r["case"], _minutes(r, "start")) for r in rows] == run_order_schedule(urgent)


def run_order_schedule(urgent, cases=8):
    """(request, minute it starts) when the whole run is served by level: request k
    arrives at minute k and takes ten minutes; the urgent ones first, each level oldest
    first, nobody starting before they arrive or before the one before is done.
    (``tests/sim/test_vs_prosimos.py`` holds Prosimos' own runs to it.)"""
    out, free = [], 0.0
    for k in sorted(range(cases), key=lambda k: (k not in urgent, k)):
        out.append((k, max(float(k), free)))
        free = out[-1][1] + 10
    return out


def test_without_priorities_the_queue_is_first_come_first_served():
    doc = {k: v for k, v in DESK_DOC.items() if k != "prioritisation_rules"}
    ranked, plain = _served(DESK_DOC, 2, order="waiting"), _served(doc, 2)
    assert [r["case"] for r in plain] == list(range(8))
    # same draws, same routes: only the order of service differs (seed 2: 1 and 7 urgent)
    assert [r["case"] for r in ranked] == [0, 1, 7, 2, 3, 4, 5, 6]
    assert sorted((r["case"], r["activity"]) for r in ranked) == sorted(
        (r["case"], r["activity"]) for r in plain
    )


def _no_priorities(**changes):
    doc = copy.deepcopy(DESK_DOC)
    del doc["prioritisation_rules"], doc["case_attributes"]
    doc.update(changes)
    return doc


def _rules(urgent, normal):
    return [
        {"id": "is_urgent", "rules": [[urgent]]},
        {"id": "is_normal", "rules": [[normal]]},
    ]


def _counter(**changes):
    """A process-wide count of requests taken; the first three are treated as urgent."""
    return _no_priorities(
        global_attributes=[{"name": "served", "type": "continuous", "values": FIX0}],
        event_attributes=[
            {
                "event_id": "T_take",
                "attributes": [{"name": "served", "type": "expression", "values": "served + 1"}],
            }
        ],
        branch_rules=_rules(
            {"attribute": "served", "comparison": "<=", "value": 3},
            {"attribute": "served", "comparison": ">", "value": 3},
        ),
        **changes,
    )


def _routes(doc):
    return [r["activity"] for r in sorted(_served(doc), key=lambda r: r["case"])]


def case_writes_doc():
    """The counter, and each request sets it to 100 as it arrives."""
    fix100 = {"distribution_name": "fix", "distribution_params": [{"value": 100}]}
    return _counter(case_attributes=[{"name": "served", "type": "continuous", "values": fix100}])


def markov_doc():
    """A process-wide state a -> b -> a -> ... as each request is taken; urgent on b."""
    return _no_priorities(
        global_attributes=[
            {"name": "state", "type": "discrete", "values": [{"key": "a", "value": 1}]}
        ],
        event_attributes=[
            {
                "event_id": "T_take",
                "attributes": [
                    {
                        "name": "state",
                        "type": "discrete",
                        "values": {"a": {"b": 1}, "b": {"a": 1}},
                    }
                ],
            }
        ],
        branch_rules=_rules(
            {"attribute": "state", "comparison": "=", "value": "b"},
            {"attribute": "state", "comparison": "=", "value": "a"},
        ),
    )


def dtree_doc(amount):
    """A decision tree over a fixed amount: 2 x amount between 50 and 60, else 1."""
    fixed = {"distribution_name": "fix", "distribution_params": [{"value": amount}]}
    return _no_priorities(
        case_attributes=[{"name": "amount", "type": "continuous", "values": fixed}],
        event_attributes=[
            {
                "event_id": "T_take",
                "attributes": [
                    {
                        "name": "score",
                        "type": "dtree",
                        "values": [[["amount > 50", "amount < 60"], "amount * 2"], [True, "1"]],
                    }
                ],
            }
        ],
        branch_rules=_rules(
            {"attribute": "score", "comparison": ">", "value": 100},
            {"attribute": "score", "comparison": "<=", "value": 100},
        ),
    )


def markov_seen_doc():
    """The Markov state, and a copy of it the same task computes after moving it."""
    doc = markov_doc()
    doc["event_attributes"][0]["attributes"].append(
        {"name": "seen", "type": "expression", "values": "state"}
    )
    doc["branch_rules"] = _rules(
        {"attribute": "seen", "comparison": "=", "value": "b"},
        {"attribute": "seen", "comparison": "=", "value": "a"},
    )
    return doc


# each file and the route of requests 0..7 worked out by hand (also Prosimos' own routes:
# tests/sim/test_vs_prosimos.py)
HAND_ROUTES = {
    # request k is the (k+1)-th taken: served = k + 1, urgent while it is at most 3
    "counter": (lambda: _counter(), ["T_urgent"] * 3 + ["T_normal"] * 5),
    # each request sets served to 100 as it arrives, then taking it makes 101: never urgent
    "case-writes": (case_writes_doc, ["T_normal"] * 8),
    # a -> b -> a -> ...: the 1st, 3rd, 5th and 7th requests see b
    "markov": (markov_doc, ["T_urgent", "T_normal"] * 4),
    # the copy is made after the move (Prosimos writes a Markov move at once): as above
    "markov-seen": (markov_seen_doc, ["T_urgent", "T_normal"] * 4),
    # 55: both conditions hold, score 110 > 100; 70: the second branch, score 1
    "dtree-55": (lambda: dtree_doc(55), ["T_urgent"] * 8),
    "dtree-70": (lambda: dtree_doc(70), ["T_normal"] * 8),
}


@pytest.mark.parametrize("name", sorted(HAND_ROUTES))
def test_process_wide_data_and_computed_attributes_route_requests_as_worked_out(name):
    build, routes = HAND_ROUTES[name]
    assert _routes(build()) == routes


def test_attributes_of_one_task_are_computed_from_the_data_before_it_ended():
    doc = _counter()
    doc["event_attributes"][0]["attributes"].append(
        {"name": "before", "type": "expression", "values": "served"}
    )
    doc["branch_rules"] = _rules(
        {"attribute": "before", "comparison": "=", "value": 0},
        {"attribute": "before", "comparison": ">", "value": 0},
    )
    # only the first request sees served = 0 (Prosimos evaluates all of a task's attributes
    # from one snapshot; in order, 'before' would be 1 for it too)
    assert _routes(doc) == ["T_urgent"] + ["T_normal"] * 7


_YAML = """
calendar: {hours: always, holidays: []}
arrivals: {interarrival: 1 min, calendar: always}
lanes:
  Desk: {staff: 1}
tasks:
  T_take: 0 min
  T_urgent: 10 min
  T_normal: 10 min
data:
  urgent: {choice: {ya: 0.4, tidak: 0.6}}
"""


def test_yaml_priorities_serve_urgent_requests_before_any_waiting_normal_one(tmp_path):
    path = tmp_path / "desk.yaml"
    path.write_text(_YAML + "priorities:\n  - {level: 1, when: \"urgent == 'ya'\"}\n")
    sc = load_scenario(path, model=DESK)
    assert sc.priorities == [(1, "urgent == 'ya'")]
    res = simulate(DESK, scenario=sc, cases=40, replications=1, warmup=0, seed=4, event_log=True)
    rows = res.event_log
    urgent = {r["case"] for r in rows if r["activity"] == "T_urgent"}
    assert 5 < len(urgent) < 35  # the model's own condition routes them
    # one clerk takes everything (taking a request too): whenever a normal request's step
    # starts, no step of an urgent request is waiting
    for r in rows:
        if r["case"] in urgent:
            continue
        waiting = [
            u for u in rows if u["case"] in urgent and u["enabled"] < r["start"] < u["start"]
        ]
        assert not waiting, (r, waiting[:1])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('{level: 1, when: "ghost > 1"}', r"priorities\[0\].when: reads ghost, which data:"),
        ("{level: 1.5, when: \"urgent == 'ya'\"}", r"priorities\[0\].level"),
        ('{level: 1, when: "urgent =="}', r"priorities\[0\].when: "),
        ("{level: 1, when: \"urgent == 'ya'\", order: 2}", r"unknown key 'order'"),
    ],
)
def test_yaml_priorities_that_cannot_work_are_refused_in_one_line(tmp_path, entry, message):
    path = tmp_path / "desk.yaml"
    path.write_text(_YAML + f"priorities:\n  - {entry}\n")
    with pytest.raises(ScenarioError, match=message) as exc:
        load_scenario(path, model=DESK)
    assert "\n" not in str(exc.value)


def test_a_priority_that_cannot_be_evaluated_names_the_level(tmp_path):
    path = tmp_path / "desk.yaml"
    path.write_text(_YAML + 'priorities:\n  - {level: 1, when: "urgent + 1 > 2"}\n')
    sc = load_scenario(path, model=DESK)
    with pytest.raises(ScenarioError, match=r"priorities: level 1: .* fails on case data"):
        simulate(DESK, scenario=sc, cases=3, replications=1, warmup=0, seed=1)


def test_yaml_priorities_ordered_by_run_serve_every_urgent_request_first(tmp_path):
    path = tmp_path / "desk.yaml"
    path.write_text(
        _YAML + "priorities:\n  order: run\n  levels:\n    - {level: 1, when: \"urgent == 'ya'\"}\n"
    )
    sc = load_scenario(path, model=DESK)
    assert (sc.priority_order, sc.priorities) == ("run", [(1, "urgent == 'ya'")])
    res = simulate(DESK, scenario=sc, cases=40, replications=1, warmup=0, seed=4, event_log=True)
    rows = res.event_log
    urgent = {r["case"] for r in rows if r["activity"] == "T_urgent"}
    assert 5 < len(urgent) < 35
    # the one clerk finishes every step of every urgent request before any step of a
    # normal one starts, though most normal requests arrived first
    last_urgent = max(r["end"] for r in rows if r["case"] in urgent)
    assert min(r["start"] for r in rows if r["case"] not in urgent) == last_urgent
    # the same file with order: waiting is the list form
    path.write_text(
        _YAML + "priorities: {order: waiting, levels: [{level: 1, when: \"urgent == 'ya'\"}]}\n"
    )
    assert load_scenario(path, model=DESK).priority_order == "waiting"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "{order: soon, levels: []}",
            r"priorities.order: expected one of waiting, run, got 'soon'",
        ),
        ("{order: run}", r"priorities.levels: expected a list of \{level, when\}, got NoneType"),
        (
            "{order: run, levels: [{level: 1}]}",
            r"priorities.levels\[0\].when: expected a condition",
        ),
        ("{order: run, by: x, levels: []}", r"priorities: unknown key 'by'"),
    ],
)
def test_yaml_priority_order_that_cannot_work_is_refused_in_one_line(tmp_path, spec, message):
    path = tmp_path / "desk.yaml"
    path.write_text(_YAML + f"priorities: {spec}\n")
    with pytest.raises(ScenarioError, match=message) as exc:
        load_scenario(path, model=DESK)
    assert "\n" not in str(exc.value)
