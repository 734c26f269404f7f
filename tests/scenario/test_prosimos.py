"""Prosimos JSON parameters imported as they are (pools, seconds, calendars, branches)."""
import json

import pytest

from bpengine import ScenarioError, load, load_scenario
from tests.conftest import shared_path


def test_permit_parameters():
    model = load(shared_path("bench", "permit.bpmn"))
    sc = load_scenario(shared_path("bench", "permit.json"), model)
    assert sc.resource_of("T06") == "CaseOfficer"
    assert sc.lane("CaseOfficer").staff == 4 and sc.lane("Manager").cost_per_hour == 70
    assert sc.task_duration("T01").mean == pytest.approx(10)        # norm 600 s
    assert sc.task_duration("T12").mean == pytest.approx(45)        # lognorm 2700 s
    assert sc.task_duration("T02").mean == pytest.approx(15)        # expon mean 900 s, min 60 s
    assert sc.branch_probability("G_approved", "F_G_approved_T19") == 0.15
    assert sc.arrivals.counting == "calendar" and sc.arrivals.interarrival.mean == 45
    assert sc.calendar.working_minutes_per_day == 480


def test_unknown_ids_are_refused(tmp_path):
    model = load(shared_path("bench", "permit.bpmn"))
    doc = json.loads(shared_path("bench", "permit.json").read_text())
    doc["gateway_branching_probabilities"][0]["gateway_id"] = "G_nope"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(ScenarioError, match="bad.json: gateway_branching_probabilities names "
                                            "'G_nope'"):
        load_scenario(bad, model)
    bad.write_text("{not json")
    with pytest.raises(ScenarioError, match="not valid JSON"):
        load_scenario(bad, model)
