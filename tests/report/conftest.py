"""Fixtures of the report tests: the redesign fixtures and a quick simulation setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpengine import load
from bpengine.redesign import eliminate, reassign, transform_scenario

DATA = Path(__file__).resolve().parents[1] / "data" / "redesign"
SCENARIO = {
    "calendar": {"hours": "always"},
    "arrivals": {"interarrival": {"distribution": "exponential", "mean": "40 min"}},
    "tasks": {"Task_ttd_rw": "3 h", "Task_paraf_kasi": "2 h", "Task_ttd_rt": "1 h"},
    "lanes": {
        "Ketua RW": {"staff": 1, "cost_per_hour": 30000},
        "Kasi Pemerintahan": {"staff": 1, "cost_per_hour": 40000},
    },
}


@pytest.fixture
def domisili():
    return load(DATA / "domisili-mini.bpmn")


@pytest.fixture
def redesigned(domisili):
    """(after model, changes, after scenario): RW and Kasi sign-offs gone, agenda moved."""
    log = []
    new, made = eliminate(domisili, "Task_ttd_rw")
    log += made
    new, made = eliminate(new, "Task_paraf_kasi")
    log += made
    new, made = reassign(new, "Task_catat_agenda", "Lane_petugas")
    log += made
    scenario = SCENARIO
    for c in log:
        scenario = transform_scenario(scenario, c)
    return new, log, scenario
