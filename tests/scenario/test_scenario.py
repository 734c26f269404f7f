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
    sc = load_scenario(None, model=model)
    assert sc.source == "<defaults>"
    assert sc.task_duration("A").mean == 10
    assert sc.lane("Staf").staff == 1
    assert sc.lane("Staf").cost_per_hour == 0
    assert sc.start == dt.datetime(2025, 1, 6, 7, 30)
    assert sc.service_standard_days is None
    assert sc.branch_probability("G", "f_ok") is None


def test_sidecar_is_found_next_to_the_model(tmp_path, model):
    shutil.copy(DATA / "rework.bpmn", tmp_path / "x.bpmn")
    (tmp_path / "x.scenario.yaml").write_text(
        yaml.safe_dump(
            {
                "service_standard": "3 working days",
                "lanes": {"Staf": {"staff": 2, "cost_per_hour": 45000}},
                "tasks": {
                    "Isi formulir": {"duration": "20 min", "batch": {"at": ["14:00"], "size": 10}}
                },
                "gateways": {"G": {"ya": 0.8, "f_back": 0.2}},
            }
        )
    )
    m = load(tmp_path / "x.bpmn")
    sc = load_scenario(None, model=m)
    assert sc.source.endswith("x.scenario.yaml")
    assert sc.service_standard_days == 3
    assert sc.lane("Staf").staff == 2
    assert sc.task_duration("A").mean == 20  # by unique name
    assert sc.batch("A").at == (840.0,)
    assert sc.batch("A").size == 10
    assert sc.branch_probability("G", "f_ok") == 0.8  # flow by name


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ({"tasks": {"T_nope": 5}}, "tasks.T_nope: no element has id or name 'T_nope'"),
        ({"tasks": {"G": 5}}, "tasks.G: 'G' is a BPMN exclusiveGateway, not a task"),
        ({"tasks": {"A": "-5 min"}}, "tasks.A.duration: a duration cannot be negative"),
        (
            {"gateways": {"G": {"f_ok": 0.5, "f_back": 0.4}}},
            "gateways.G: branch probabilities sum to 0.9",
        ),
        ({"gateways": {"G": {"f_x": 1}}}, "gateways.G.f_x: not an outgoing flow"),
        ({"gateways": {"G": {"f_ok": 0.0, "f_back": 1.0}}}, "loop forever"),
        (
            {"lanes": {"Staf": {"staff": 0}}},
            "lanes.Staf.staff: a lane needs a whole number of people from 1 to 10000",
        ),
        ({"lanes": {"Nobody": {"staff": 1}}}, "lanes.Nobody: no lane named 'Nobody'"),
        ({"arrivals": {"interarrival": 0}}, "arrivals.interarrival"),
        (  # two ways of saying one thing: the interarrival won, the rate was dropped silently
            {"arrivals": {"rate": 10, "interarrival": "30 min"}},
            "arrivals: give rate or interarrival, not both",
        ),
        ({"calendar": {"holidays": ["id-1990"]}}, "unknown holiday set 'id-1990'"),
        ({"start": "next monday"}, "start:"),
        ({"tasks": {"A": {"batch": {"at": ["25:00"]}}}}, "tasks.A.batch.at"),
        ({"tasks": {"A": {"duraton": 5}}}, "tasks.A: unknown key 'duraton'"),
        ({"lane": {}}, "unknown key 'lane'"),
        ({"tasks": {"A": {"instances": -2}}}, "tasks.A.instances: cannot be negative"),
        ({"tasks": {"A": {"repeat": 1}}}, "tasks.A.repeat: must be below 1"),
    ],
)
def test_bad_scenarios_are_refused_naming_key_and_element(model, doc, words):
    with pytest.raises(ScenarioError) as err:
        load_scenario(doc, model=model)
    assert words in str(err.value)


def test_file_errors_name_the_file(tmp_path, model):
    bad = tmp_path / "bad.scenario.yaml"
    bad.write_text("tasks: {A: [1, 2}\n")
    with pytest.raises(ScenarioError, match=r"bad.scenario.yaml:1:\d+: not valid YAML"):
        load_scenario(bad, model=model)
    bad.write_text("tasks: {Nope: 5}\n")
    with pytest.raises(ScenarioError, match=r"bad.scenario.yaml: tasks.Nope"):
        load_scenario(bad, model=model)
    with pytest.raises(ScenarioError, match="missing.yaml: no such file"):
        load_scenario(tmp_path / "missing.yaml", model=model)


def test_data_lane_durations_and_arrivals(model):
    sc = load_scenario(
        {
            "lanes": {"Staf": {"duration": "30 min", "hours": "always"}},
            "arrivals": {"rate": 45},
            "data": {
                "lengkap": {"choice": {True: 0.7, False: 0.3}},
                "luas": {"distribution": "uniform", "low": 10, "high": 500},
            },
        },
        model=model,
    )
    assert sc.task_duration("A").mean == 30  # from the lane: duration per role
    assert sc.arrivals.interarrival.mean == 10  # 45 cases per 450-minute working day
    assert sc.lane_calendar("Staf").working_minutes_per_day == 1440
    assert set(sc.data) == {"lengkap", "luas"}
    with pytest.raises(ScenarioError, match="data.j.choice: probabilities sum to 0.5"):
        load_scenario({"data": {"j": {"choice": {"a": 0.5}}}}, model=model)


def test_broken_yaml_is_one_line_with_line_and_column(tmp_path):
    from bpengine.scenario.loading import read_yaml

    bad = tmp_path / "x.scenario.yaml"
    bad.write_text("tasks:\n  a: [1,\n")
    for read in (load_scenario, read_yaml):
        with pytest.raises(ScenarioError) as info:
            read(bad)
        message = str(info.value)
        assert message.startswith(f"{bad}:3:1: not valid YAML: ")
        assert "\n" not in message


# -- lanes of named people ---------------------------------------------------------------
CLAIMS = Path(__file__).resolve().parents[1] / "data" / "prosimos" / "claims.bpmn"


def test_people_with_own_hours_leave_cost_tasks_and_durations():
    model = load(CLAIMS)
    sc = load_scenario(
        {
            "calendar": {"holidays": ["2025-01-01"]},
            "lanes": {
                "Back office": {
                    "allocation": "by_skill",
                    "cost_per_hour": 40000,
                    "people": [
                        {
                            "name": "Sari",
                            "cost_per_hour": 60000,
                            "leave": ["2025-01-08..2025-01-10"],
                            "durations": {"Assess damage": "20 min"},
                        },
                        {"name": "Budi", "tasks": ["Check identity", "T_docs", "T_price"]},
                        {"name": "Wati", "hours": {"mon": ["08:00-12:00"]}},
                    ],
                }
            },
        },
        model=model,
    )
    lane = sc.lane("Back office")
    sari, budi, wati = lane.people
    assert lane.staff == 3
    assert lane.allocation == "by_skill"
    assert sari.calendar.holidays == {
        dt.date(2025, 1, 1),
        *(dt.date(2025, 1, d) for d in (8, 9, 10)),
    }
    assert sari.durations["T_assess"].mean == 20
    assert budi.cost_per_hour == 40000
    assert budi.tasks == {"T_id", "T_docs", "T_price"}
    assert not budi.can_do("T_assess")
    assert wati.calendar.hours[0] == ((480, 720),)
    assert wati.calendar.hours[1] == ()
    # capacity counts each person's own week (from Monday 6 January 2025): Sari works two
    # office days around her leave, Budi five, Wati 4 h on Monday
    week = 7 * 1440
    assert sc.lane_capacity("Back office", 0, week) == pytest.approx(2 * 450 + 5 * 450 + 240)
    alone = load_scenario(
        {
            "lanes": {
                "Back office": {"people": [{"name": "Wati", "hours": {"mon": ["08:00-12:00"]}}]}
            }
        },
        model=model,
    )
    assert alone.lane_capacity("Back office", 0, week) == pytest.approx(240)


@pytest.mark.parametrize(
    ("people", "message"),
    [
        ([{"name": "Budi", "tasks": ["T_id"]}], r"people: nobody can do task 'T_assess'"),
        (
            [{"name": "Budi", "tasks": ["T_register"]}],
            r"people\[0\].tasks\[0\]: 'T_register' is not a task of lane 'Back office'",
        ),
        (["A", "A"], r"people\[1\].name: 'A' is listed twice"),
        (
            [{"name": "A", "leave": ["2025-13-01"]}],
            r"people\[0\].leave\[0\]: '2025-13-01' is not a date",
        ),
        (
            [
                {"name": "A", "tasks": ["T_id", "T_assess", "T_price"], "durations": {"T_docs": 5}},
                "B",
            ],
            r"people\[0\].durations.T_docs: A does not do 'T_docs'",
        ),
        ([{"name": "A", "salary": 3}], r"people\[0\]: unknown key 'salary'"),
        ([{"name": "A", "durations": {"T_id": "-5 min"}}], r"durations.T_id: a duration cannot be"),
        ([], r"people: expected a list of people"),
    ],
)
def test_people_mistakes_are_named(people, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario({"lanes": {"Back office": {"people": people}}}, model=load(CLAIMS))


def test_staff_and_people_must_agree():
    with pytest.raises(ScenarioError, match=r"lanes.Back office.staff: 2 does not match the 1"):
        load_scenario({"lanes": {"Back office": {"staff": 2, "people": ["A"]}}}, model=load(CLAIMS))
    with pytest.raises(ScenarioError, match=r"allocation: 'random' is not one of"):
        load_scenario(
            {"lanes": {"Back office": {"allocation": "random", "staff": 2}}}, model=load(CLAIMS)
        )


def test_a_duration_for_an_embedded_subprocess_is_refused():
    # the steps inside take the time: a duration on the frame changed nothing, silently
    model = load(
        Path(__file__).resolve().parents[1] / "data" / "qa" / "pindah-datang-antar-kabupaten.bpmn"
    )
    with pytest.raises(ScenarioError) as err:
        load_scenario({"tasks": {"Sub_ktp_el": "500 min"}}, model=model)
    assert "tasks.Sub_ktp_el.duration" in str(err.value)
    assert "Task_rekam_biometrik" in str(err.value)
    # what a subprocess may be given stays accepted
    assert load_scenario({"tasks": {"Sub_ktp_el": {"repeat": 0.1}}}, model=model)


def test_a_probability_for_an_event_that_is_no_boundary_event_is_refused():
    # the simulator reads a probability only on boundary events: on the two-week timer
    # inside the KTP-el subprocess it changed nothing, without a word
    model = load(
        Path(__file__).resolve().parents[1] / "data" / "qa" / "pindah-datang-antar-kabupaten.bpmn"
    )
    with pytest.raises(ScenarioError) as err:
        load_scenario({"events": {"Timer_tunggu_blangko": {"probability": 0.5}}}, model=model)
    assert "events.Timer_tunggu_blangko.probability" in str(err.value)
    assert "boundary" in str(err.value)


PENUGASAN = Path(__file__).resolve().parents[1] / "engine" / "data" / "penugasan.bpmn"


def test_time_zones_of_the_calendar_and_lanes_are_read_and_shift_a_lanes_hours():
    model = load(PENUGASAN)
    sc = load_scenario(PENUGASAN.with_suffix(".scenario.yaml"), model=model)
    assert sc.timezone == "Asia/Jakarta"
    assert sc.lane_timezones == {"Kantor Wilayah Makassar": "Asia/Makassar"}
    # Makassar opens at 07:30 WITA, 06:30 on the simulation's WIB clock
    assert sc.lane_calendar("Kantor Wilayah Makassar").hours[0][0] == (390, 660)
    assert sc.lane_calendar("Kepala").hours[0][0] == (450, 720)
    assert any("start 60 min earlier" in note for note in sc.notes)
    # --set paths reach both keys; the whole clock in WIT puts Makassar an hour later
    sc = load_scenario(
        PENUGASAN.with_suffix(".scenario.yaml"),
        model=model,
        overrides=["calendar.timezone=Asia/Jayapura", 'lanes."Kepala".timezone=Asia/Jakarta'],
    )
    assert sc.timezone == "Asia/Jayapura"
    assert sc.lane_calendar("Kantor Wilayah Makassar").hours[0][0] == (510, 780)
    assert sc.lane_calendar("Kepala").hours[0][0] == (570, 840)
    # people with their own hours keep them local too
    sc = load_scenario(
        {
            "lanes": {
                "Kantor Wilayah Makassar": {
                    "timezone": "Asia/Makassar",
                    "people": [
                        {"name": "wati", "hours": {"mon": "08:00-12:00"}},
                        {"name": "rudi", "leave": []},
                    ],
                }
            }
        },
        model=model,
    )
    wati, rudi = sc.lanes["Kantor Wilayah Makassar"].people
    assert wati.calendar.hours[0] == ((420, 660),)
    assert sc.person_calendar("Kantor Wilayah Makassar", rudi).hours[0][0] == (390, 660)


@pytest.mark.parametrize(
    ("doc", "key"),
    [
        ({"calendar": {"timezone": "WITA"}}, "calendar.timezone: 'WITA' is not an IANA"),
        ({"calendar": {"timezone": 8}}, "calendar.timezone: 8 is not an IANA"),
        (
            {"lanes": {"Kepala": {"timezone": "Asia/Makasar"}}},
            "lanes.Kepala.timezone: 'Asia/Makasar' is not an IANA time zone such as "
            "Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)",
        ),
    ],
)
def test_a_bad_time_zone_is_refused_naming_its_key(doc, key):
    with pytest.raises(ScenarioError) as err:
        load_scenario(doc, model=load(PENUGASAN))
    assert key in str(err.value)
    assert "\n" not in str(err.value)
