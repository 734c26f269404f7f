"""What-if overrides: the path syntax, how they change the mapping, errors naming the path."""

from __future__ import annotations

import pytest

from bpengine import load
from bpengine.errors import ScenarioError
from bpengine.scenario import load_scenario
from bpengine.scenario.overrides import apply_overrides, parse_override, parse_path, parse_values
from tests.conftest import PROCESSES

CUTI = PROCESSES / "cuti-asn.bpmn"
CUTI_SCENARIO = PROCESSES / "cuti-asn.scenario.yaml"


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("arrivals.rate", ["arrivals", "rate"]),
        ('lanes."Kepala OPD".staff', ["lanes", "Kepala OPD", "staff"]),
        (
            'lanes."Kepala Bidang (Eselon III)".cost_per_hour',
            ["lanes", "Kepala Bidang (Eselon III)", "cost_per_hour"],
        ),
        ('tasks."a.b".duration', ["tasks", "a.b", "duration"]),
    ],
)
def test_paths(text, keys):
    assert parse_path(text) == keys


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lanes..staff", "empty key"),
        (".rate", "empty key"),
        ('lanes."Kepala OPD.staff', "quote is not closed"),
    ],
)
def test_bad_paths_say_what_is_wrong(text, message):
    with pytest.raises(ScenarioError, match=message):
        parse_path(text)


def test_values_are_read_as_yaml_like_the_file():
    assert parse_override("tasks.T.duration=20 min") == (["tasks", "T", "duration"], "20 min")
    assert parse_override("tasks.T.duration={distribution: exponential, mean: 30 min}")[1] == {
        "distribution": "exponential",
        "mean": "30 min",
    }
    assert parse_override('lanes."A=B".staff=3') == (["lanes", "A=B", "staff"], 3)
    with pytest.raises(ScenarioError, match="expected PATH=VALUE"):
        parse_override("lanes.X.staff")
    with pytest.raises(ScenarioError, match=r"tasks\.T\.duration: .* not a YAML value"):
        parse_override("tasks.T.duration={oops")


def test_overrides_change_a_copy_and_follow_the_file_s_keys():
    model = load(CUTI)
    doc = {
        "arrivals": {"interarrival": "30 min", "calendar": "office"},
        "tasks": {"Task_konsep_sk": "15 min"},
        "lanes": {"Kepala OPD": {"staff": 1}},
    }
    out = apply_overrides(
        doc,
        [
            "arrivals.rate=20",
            "tasks.Task_konsep_sk.batch={at: ['10:00']}",
            'lanes."Kepala OPD".staff=2',
        ],
        model,
    )
    assert out["arrivals"] == {"rate": 20, "calendar": "office"}  # rate replaces interarrival
    assert out["tasks"]["Task_konsep_sk"] == {"duration": "15 min", "batch": {"at": ["10:00"]}}
    assert out["lanes"]["Kepala OPD"] == {"staff": 2}
    assert doc["lanes"]["Kepala OPD"] == {"staff": 1}  # the original is untouched
    # a task named instead of its id changes the entry the file keys by id
    name = model.elements["Task_konsep_sk"].name
    out = apply_overrides(doc, [f'tasks."{name}".duration=40 min'], model)
    assert out["tasks"] == {"Task_konsep_sk": {"duration": "40 min"}}
    with pytest.raises(ScenarioError, match=r"arrivals\.rate\.x: arrivals\.rate is 20"):
        apply_overrides(out | {"arrivals": {"rate": 20}}, ["arrivals.rate.x=1"])


def test_the_scenario_reader_checks_the_result_naming_file_and_path():
    model = load(CUTI)
    sc = load_scenario(CUTI_SCENARIO, model=model, overrides=['lanes."Kepala OPD".staff=3'])
    assert sc.lane("Kepala OPD").staff == 3
    assert sc.lane("Atasan Langsung").staff == 4
    with pytest.raises(ScenarioError) as err:
        load_scenario(CUTI_SCENARIO, model=model, overrides=['lanes."Kepala OPD".staff=0'])
    assert str(err.value).startswith(str(CUTI_SCENARIO))
    assert "lanes.Kepala OPD.staff: a lane needs a whole number of people from 1 to 10000" in str(
        err.value
    )
    with pytest.raises(ScenarioError, match="no lane named 'Kepala OPX'"):
        load_scenario(CUTI_SCENARIO, model=model, overrides=['lanes."Kepala OPX".staff=2'])
    with pytest.raises(ScenarioError, match="arrivals.rate: expected a number, got 'many'"):
        load_scenario(CUTI_SCENARIO, model=model, overrides=["arrivals.rate=many"])
    # no file given: the sidecar is found and changed
    assert load_scenario(
        None, model=model, overrides=["arrivals.rate=8"]
    ).arrivals.interarrival.mean == pytest.approx(450 / 8)


def test_sweep_values():
    assert parse_values("1..4") == [1, 2, 3, 4]
    assert parse_values("2..10..4") == [2, 6, 10]
    assert parse_values("0.5,1,1.5") == [0.5, 1, 1.5]
    assert parse_values("20 min, 1 h") == ["20 min", "1 h"]
    for bad, message in (
        ("4..1", "empty"),
        ("1..x", "whole numbers"),
        ("1,,2", "empty value"),
        ("1..5..0", "positive step"),
    ):
        with pytest.raises(ScenarioError, match=message):
            parse_values(bad)


def test_the_label_of_a_changed_scenario_is_in_the_reader_s_language():
    # under --lang id the error began "cuti-asn.scenario.yaml with lanes...": one English word
    from bpengine.i18n import set_language

    model = load(CUTI)
    set_language("id")
    try:
        with pytest.raises(ScenarioError) as err:
            load_scenario(CUTI_SCENARIO, model=model, overrides=['lanes."Kepala OPD".staff=0'])
    finally:
        set_language("en")
    assert str(err.value).startswith(f"{CUTI_SCENARIO} dengan lanes.")
