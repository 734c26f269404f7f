"""Fuzzing scenarios and Prosimos parameters: whatever a file holds, reading it (and then a
tiny simulation of what was read) either works or raises a ScenarioError naming the key;
nothing else escapes, and each input is done within the deadline and the memory budget
(tests/conftest.py FUZZ_MEMORY).

Scenarios are drawn as mappings in the sidecar's vocabulary (the keys the reader knows,
with values that are numbers, NaN, infinities, huge and negative numbers, durations,
dates, nested lists and mappings), and also as YAML text with aliases, tags and odd bytes.
Prosimos JSON is the shipped example with one value replaced at a random place.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpengine import BpengineError, load, load_scenario, simulate
from bpengine.scenario import from_prosimos
from tests.conftest import memory_budget

DATA = Path(__file__).resolve().parents[1] / "data"
MODEL = load(DATA / "sim" / "rework.bpmn")
PROSIMOS_MODEL = load(DATA / "prosimos" / "claims.bpmn")
PROSIMOS = json.loads((DATA / "prosimos" / "claims.json").read_text(encoding="utf-8"))
# with process-wide data (a counter, a Markov state), a decision tree and case priorities,
# so their values are fuzzed too
PROSIMOS.update(
    global_attributes=[
        {
            "name": "taken",
            "type": "continuous",
            "values": {"distribution_name": "fix", "distribution_params": [{"value": 0}]},
        },
        {"name": "state", "type": "discrete", "values": [{"key": "a", "value": 1}]},
    ],
    event_attributes=[
        {
            "event_id": "T_register",
            "attributes": [
                {"name": "taken", "type": "expression", "values": "taken + 1"},
                {"name": "state", "type": "discrete", "values": {"a": {"b": 1}, "b": {"a": 1}}},
                {
                    "name": "tier",
                    "type": "dtree",
                    "values": [[["amount > 2500"], "2"], [True, "1"]],
                },
            ],
        }
    ],
    prioritisation_rules=[
        {
            "priority_level": 1,
            "rules": [[{"attribute": "channel", "comparison": "=", "value": "counter"}]],
        }
    ],
)
# BPENGINE_FUZZ_EXAMPLES=2000 for a long hunt; CI runs a fixed, quick sample
FUZZ = settings(
    max_examples=int(os.environ.get("BPENGINE_FUZZ_EXAMPLES", 60)),
    deadline=4000,
    derandomize="BPENGINE_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

KEYS = (
    "calendar",
    "start",
    "service_standard",
    "arrivals",
    "lanes",
    "tasks",
    "gateways",
    "data",
    "events",
    "handovers",
    "hours",
    "holidays",
    "interarrival",
    "rate",
    "counting",
    "staff",
    "cost_per_hour",
    "duration",
    "people",
    "allocation",
    "batch",
    "instances",
    "repeat",
    "distribution",
    "mean",
    "sd",
    "min",
    "mode",
    "max",
    "low",
    "high",
    "value",
    "values",
    "at",
    "size",
    "name",
    "leave",
    "probability",
    "working_time",
    "choice",
    "clip_min",
    "clip_max",
    "Staf",
    "A",
    "B",
    "M",
    "G",
    "f_ok",
    "f_back",
    "lengkap",
    "rules",
    "sizes",
    "alone",
    "worked",
    "scale",
    "oldest_wait",
    "newest_wait",
    "hour",
    "day",
)
SCALARS = st.one_of(
    st.integers(-10, 10),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "5 min",
            "2 working days",
            "1.5 h",
            "-3 min",
            "0 min",
            "1e400 min",
            "9" * 40 + " min",
            "always",
            "office",
            "indonesia",
            "id-2025",
            "exponential",
            "lognormal",
            "triangular",
            "fixed",
            "empirical",
            "14:00",
            "25:61",
            "08:00-12:00",
            "2025-01-06",
            "2025-03-10..2025-03-14",
            "9999-12-31",
            "0001-01-01..9999-12-31",
            "",
            " ",
            "nan",
            "inf",
            "soonest_start",
            ">= 5",
            "< 2 h",
            "<= 1 day",
            "> 15",
            "= mon",
            "=> 3",
            "sequential",
            "parallel",
        ]
    ),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.booleans(),
    st.none(),
    st.text(max_size=8),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=25,
)
SCENARIOS = st.dictionaries(st.sampled_from(KEYS[:10]), VALUES, max_size=5)
# a scenario the reader mostly accepts, with one to three leaves fuzzed: reaches the simulator
NUMBERS = st.one_of(SCALARS, st.floats(0, 1e6), st.integers(0, 10**6))


@st.composite
def near_valid(draw) -> dict:
    leaf = {
        k: draw(st.one_of(st.just(v), NUMBERS))
        for k, v in {
            "rate": 20,
            "staff": 2,
            "duration": "5 min",
            "mean": "20 min",
            "sd": "5 min",
            "repeat": 0.2,
            "prob_ok": 0.7,
            "size": 3,
            "at": "14:00",
            "rule_size": ">= 3",
            "wait": "<= 4 h",
            "hour": ">= 10",
            "worked": "sequential",
            "scale": 0.7,
            "alone": 0.1,
            "start": "2025-01-06 07:30",
            "holiday": "2025-01-01",
            "leave": "2025-03-10..2025-03-12",
        }.items()
    }
    return {
        "start": leaf["start"],
        "calendar": {"hours": "indonesia", "holidays": [leaf["holiday"]]},
        "arrivals": {"rate": leaf["rate"]},
        "lanes": {
            "Staf": {"people": [{"name": "Ani", "leave": [leaf["leave"]]}, {"name": "Budi"}]}
            if draw(st.booleans())
            else {"staff": leaf["staff"]}
        },
        "tasks": {
            "A": {
                "duration": {"distribution": "lognormal", "mean": leaf["mean"], "sd": leaf["sd"]},
                "repeat": leaf["repeat"],
            },
            "B": {
                "duration": leaf["duration"],
                "batch": {"at": [leaf["at"]], "size": leaf["size"]}
                if draw(st.booleans())
                else {  # a batch by firing rules, one person working it
                    "rules": [
                        {"size": leaf["rule_size"]},
                        {"oldest_wait": [">= 1 h", leaf["wait"]], "hour": leaf["hour"]},
                    ],
                    "worked": leaf["worked"],
                    "scale": {3: leaf["scale"]},
                    "alone": leaf["alone"],
                },
            },
        },
        "gateways": {"G": {"f_ok": leaf["prob_ok"], "f_back": 0.3}},
    }


def _survives(read) -> None:
    """``read()`` a scenario, then simulate a few cases of it; only bpengine errors, within
    the memory budget."""
    with memory_budget():
        _read_and_simulate(read)


def _read_and_simulate(read) -> None:
    try:
        sc = read()
        simulate(MODEL, scenario=sc, cases=5, replications=1, warmup=0, event_log=False)
    except BpengineError as exc:
        assert str(exc).strip()
        assert len(str(exc)) < 2000  # a value is quoted short, never dumped


@FUZZ
@given(SCENARIOS)
def test_scenario_mappings_give_scenario_errors(doc):
    _survives(lambda: load_scenario(doc, model=MODEL))


@FUZZ
@given(near_valid())
def test_fuzzed_values_of_a_working_scenario_give_scenario_errors(doc):
    _survives(lambda: load_scenario(doc, model=MODEL))


@FUZZ
@given(SCENARIOS, st.sampled_from(["plain", "aliased", "tagged", "bytes"]))
def test_scenario_files_give_scenario_errors(tmp_path_factory, doc, form):
    text = yaml.safe_dump(doc, allow_unicode=True, default_flow_style=True)
    if form == "aliased":  # every mapping shares one anchor: aliases everywhere
        text = "x: &a " + text.strip() + "\n" + "\n".join(f"y{i}: [*a, *a, *a]" for i in range(3))
    elif form == "tagged":
        text = text.replace(": ", ": !!python/name:os.system ", 1)
    path = tmp_path_factory.mktemp("fuzz") / "s.scenario.yaml"
    data = text.encode()
    if form == "bytes":
        data = data[: len(data) // 2] + b"\xff\xfe\x00" + data[len(data) // 2 :]
    path.write_bytes(data)
    _survives(lambda: load_scenario(path, model=MODEL))


def _paths(doc, prefix=()):
    """Every (path, value) in a JSON document."""
    yield prefix, doc
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, (*prefix, i))


PLACES = [p for p, _ in _paths(PROSIMOS) if p]
JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.sampled_from(
            [
                1e308,
                -1,
                0,
                10**12,
                "NaN",
                "inf",
                "",
                "expon",
                "fix",
                "MONDAY",
                "25:00:00",
                "T_register",
            ]
        ),
        st.text(max_size=6),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PLACES), JSON_VALUES), min_size=1, max_size=3))
def test_prosimos_parameters_give_scenario_errors(changes):
    doc = json.loads(json.dumps(PROSIMOS))
    for path, value in changes:
        target = doc
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the place
    text = json.dumps(doc)
    with memory_budget():
        try:
            sc = from_prosimos(text, PROSIMOS_MODEL)
            simulate(
                PROSIMOS_MODEL, scenario=sc, cases=5, replications=1, warmup=0, event_log=False
            )
        except BpengineError as exc:
            assert str(exc).strip()
