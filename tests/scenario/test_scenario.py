"""load_scenario: sidecars, dicts, defaults, and one clear error per mistake."""
import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from bpengine import ScenarioError, load, load_scenario

DATA = Path(__file__).resolve().parents[1] / "data" / "sim"


@pytest.fixture
def model():
    return load(DATA / "rework.bpmn")


def test_defaults_when_no_sidecar(model):
    sc = load_scenario(None, model)
    assert sc.source == "<defaults>"
    assert sc.task_duration("A").mean == 10
    assert sc.lane("Staf").staff == 1 and sc.lane("Staf").cost_per_hour == 0
    assert sc.start == dt.datetime(2025, 1, 6, 7, 30)
    assert sc.service_standard_days is None
    assert sc.branch_probability("G", "f_ok") is None


def test_sidecar_is_found_next_to_the_model(tmp_path, model):
    shutil.copy(DATA / "rework.bpmn", tmp_path / "x.bpmn")
    (tmp_path / "x.scenario.yaml").write_text(yaml.safe_dump({
        "service_standard": "3 working days",
        "lanes": {"Staf": {"staff": 2, "cost_per_hour": 45000}},
        "tasks": {"Isi formulir": {"duration": "20 min", "batch": {"at": ["14:00"], "size": 10}}},
        "gateways": {"G": {"ya": 0.8, "f_back": 0.2}},
    }))
    m = load(tmp_path / "x.bpmn")
    sc = load_scenario(None, m)
    assert sc.source.endswith("x.scenario.yaml")
    assert sc.service_standard_days == 3
    assert sc.lane("Staf").staff == 2
    assert sc.task_duration("A").mean == 20  # by unique name
    assert sc.batch("A").at == (840.0,) and sc.batch("A").size == 10
    assert sc.branch_probability("G", "f_ok") == 0.8  # flow by name


@pytest.mark.parametrize("doc, words", [
    ({"tasks": {"T_nope": 5}}, "tasks.T_nope: no element has id or name 'T_nope'"),
    ({"tasks": {"G": 5}}, "tasks.G: 'G' is a exclusiveGateway, not a task"),
    ({"tasks": {"A": "-5 min"}}, "tasks.A.duration: a duration cannot be negative"),
    ({"gateways": {"G": {"f_ok": 0.5, "f_back": 0.4}}}, "gateways.G: branch probabilities sum to 0.9"),
    ({"gateways": {"G": {"f_x": 1}}}, "gateways.G.f_x: not an outgoing flow"),
    ({"gateways": {"G": {"f_ok": 0.0, "f_back": 1.0}}}, "loop forever"),
    ({"lanes": {"Staf": {"staff": 0}}}, "lanes.Staf.staff: a lane needs at least one person"),
    ({"lanes": {"Nobody": {"staff": 1}}}, "lanes.Nobody: no lane named 'Nobody'"),
    ({"arrivals": {"interarrival": 0}}, "arrivals.interarrival"),
    ({"calendar": {"holidays": ["id-1990"]}}, "unknown holiday set 'id-1990'"),
    ({"start": "next monday"}, "start:"),
    ({"tasks": {"A": {"batch": {"at": ["25:00"]}}}}, "tasks.A.batch.at"),
    ({"tasks": {"A": {"duraton": 5}}}, "tasks.A: unknown key 'duraton'"),
    ({"lane": {}}, "unknown key 'lane'"),
    ({"tasks": {"A": {"instances": -2}}}, "tasks.A.instances: cannot be negative"),
    ({"tasks": {"A": {"repeat": 1}}}, "tasks.A.repeat: must be below 1"),
])
def test_bad_scenarios_are_refused_naming_key_and_element(model, doc, words):
    with pytest.raises(ScenarioError) as err:
        load_scenario(doc, model)
    assert words in str(err.value)


def test_file_errors_name_the_file(tmp_path, model):
    bad = tmp_path / "bad.scenario.yaml"
    bad.write_text("tasks: {A: [1, 2}\n")
    with pytest.raises(ScenarioError, match=r"bad.scenario.yaml:1:\d+: not valid YAML"):
        load_scenario(bad, model)
    bad.write_text("tasks: {Nope: 5}\n")
    with pytest.raises(ScenarioError, match=r"bad.scenario.yaml: tasks.Nope"):
        load_scenario(bad, model)
    with pytest.raises(ScenarioError, match="cannot read scenario"):
        load_scenario(tmp_path / "missing.yaml", model)


def test_data_lane_durations_and_arrivals(model):
    sc = load_scenario({
        "lanes": {"Staf": {"duration": "30 min", "hours": "always"}},
        "arrivals": {"rate": 45},
        "data": {"lengkap": {"choice": {True: 0.7, False: 0.3}},
                 "luas": {"distribution": "uniform", "low": 10, "high": 500}},
    }, model)
    assert sc.task_duration("A").mean == 30  # from the lane: duration per role
    assert sc.arrivals.interarrival.mean == 10  # 45 cases per 450-minute working day
    assert sc.lane_calendar("Staf").working_minutes_per_day == 1440
    assert set(sc.data) == {"lengkap", "luas"}
    with pytest.raises(ScenarioError, match="data.j.choice: probabilities sum to 0.5"):
        load_scenario({"data": {"j": {"choice": {"a": 0.5}}}}, model)


def test_broken_yaml_is_one_line_with_line_and_column(tmp_path):
    from bpengine.scenario.loading import read_yaml

    bad = tmp_path / "x.scenario.yaml"
    bad.write_text("tasks:\n  a: [1,\n")
    for read in (load_scenario, read_yaml):
        with pytest.raises(ScenarioError) as info:
            read(bad)
        message = str(info.value)
        assert message.startswith(f"{bad}:3:1: not valid YAML: ") and "\n" not in message
