"""The analytic lead time (bpengine/analysis/cycle_time.py): timers, boundary events and
subprocesses count as the simulator runs them, so capped savings and the simulated cycle
time tell the same story."""

from __future__ import annotations

import pytest

from bpengine import load, simulate
from bpengine.analysis.cycle_time import cycle_time, lead_time
from bpengine.scenario import load_scenario

from ..conftest import DATA

QA = DATA / "qa" / "pindah-datang-antar-kabupaten.bpmn"


def _qa():
    model = load(QA)
    return model, load_scenario(QA.with_suffix(".scenario.yaml"), model=model)


def test_a_timer_wait_on_the_way_round_a_loop_counts():
    # QA: a 14-day wait for blank cards (P14D, calendar time) inside the KTP-el subprocess
    model, scenario = _qa()
    full = lead_time(model, scenario)[0]
    without = lead_time(model, scenario, without={"Timer_tunggu_blangko"})[0]
    # 0.25 waits of 10 working days per KTP-el case (20% of rounds find no blanks, 1.25
    # rounds); 70% of cases need one, and the inclusive join waits for the longer branch
    assert 0.7 * 0.25 * 10 <= full - without <= 0.25 * 10 + 0.01


def test_steps_inside_a_subprocess_have_their_runs_and_their_share():
    model, scenario = _qa()
    full, runs = lead_time(model, scenario)
    assert runs["Task_cetak_ktp_el"] == pytest.approx(0.7)  # every KTP-el case, once
    assert runs["Task_terbitkan_suket"] == pytest.approx(0.7 * 0.25)
    # the KTP-el branch is the longer one of the inclusive block: its steps count
    assert lead_time(model, scenario, without={"Task_cetak_ktp_el"})[0] < full


def _escalation(tmp_path, *, interrupting: bool = True):
    cancel = "true" if interrupting else "false"
    path = tmp_path / "eskalasi.bpmn"
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <process id="P_eskalasi" name="Eskalasi" isExecutable="true">
    <laneSet id="ls"><lane id="L1" name="Petugas"><flowNodeRef>S</flowNodeRef>
      <flowNodeRef>T_periksa</flowNodeRef><flowNodeRef>B_batas</flowNodeRef>
      <flowNodeRef>T_eskalasi</flowNodeRef><flowNodeRef>E1</flowNodeRef>
      <flowNodeRef>E2</flowNodeRef></lane></laneSet>
    <startEvent id="S"/>
    <userTask id="T_periksa" name="Periksa berkas"/>
    <boundaryEvent id="B_batas" name="Batas 2 hari" attachedToRef="T_periksa"
        cancelActivity="{cancel}">
      <timerEventDefinition><timeDuration>P2D</timeDuration></timerEventDefinition>
    </boundaryEvent>
    <userTask id="T_eskalasi" name="Eskalasi ke atasan"/>
    <endEvent id="E1"/><endEvent id="E2"/>
    <sequenceFlow id="f1" sourceRef="S" targetRef="T_periksa"/>
    <sequenceFlow id="f2" sourceRef="T_periksa" targetRef="E1"/>
    <sequenceFlow id="f3" sourceRef="B_batas" targetRef="T_eskalasi"/>
    <sequenceFlow id="f4" sourceRef="T_eskalasi" targetRef="E2"/>
  </process>
</definitions>
""",
        encoding="utf-8",
    )
    path.with_suffix(".scenario.yaml").write_text(
        "arrivals: {interarrival: 2 working day}\n"
        "lanes: {Petugas: {staff: 50}}\n"
        "tasks:\n"
        "  T_periksa: {duration: 8 working day}\n"
        "  T_eskalasi: {duration: 60 min}\n",
        encoding="utf-8",
    )
    model = load(path)
    return model, load_scenario(path.with_suffix(".scenario.yaml"), model=model)


def test_an_interrupting_boundary_timer_cuts_its_step_short_as_the_simulation_does(tmp_path):
    model, scenario = _escalation(tmp_path)
    analytic = lead_time(model, scenario)[0]
    # P2D of calendar time is 10/7 working days, then one hour of escalation; never 8 days
    assert analytic == pytest.approx(2 * 5 / 7 + 60 / 450, abs=0.05)
    simulated = simulate(model, scenario=scenario, cases=200, replications=2, seed=1)
    mean = simulated["cycle_time_working_days"].mean
    assert analytic == pytest.approx(mean, rel=0.35)


def test_a_non_interrupting_timer_leaves_its_step_running(tmp_path):
    model, scenario = _escalation(tmp_path, interrupting=False)
    assert lead_time(model, scenario)[0] == pytest.approx(8.0, abs=0.05)


def test_the_work_time_of_a_subprocess_is_the_work_of_its_steps(tmp_path):
    # --metrics: a subprocess counted as one default 30-minute step, whatever it held
    steps = "".join(
        f'<userTask id="T{i}" name="Langkah {i}"/><sequenceFlow id="f{i}" '
        f'sourceRef="{"SS" if i == 1 else f"T{i - 1}"}" targetRef="T{i}"/>'
        for i in (1, 2, 3)
    )
    path = tmp_path / "sub.bpmn"
    path.write_text(
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
        'targetNamespace="x"><process id="P" isExecutable="true"><startEvent id="S"/>'
        f'<subProcess id="Sub"><startEvent id="SS"/>{steps}<endEvent id="SE"/>'
        '<sequenceFlow id="fe" sourceRef="T3" targetRef="SE"/></subProcess><endEvent id="E"/>'
        '<sequenceFlow id="a" sourceRef="S" targetRef="Sub"/>'
        '<sequenceFlow id="b" sourceRef="Sub" targetRef="E"/></process></definitions>',
        encoding="utf-8",
    )
    model = load(path)
    scenario = load_scenario(
        {"tasks": {f"T{i}": {"duration": "150 min"} for i in (1, 2, 3)}}, model=model
    )
    assert cycle_time(model, scenario=scenario).expected_days == pytest.approx(1.0)
    assert lead_time(model, scenario)[0] == pytest.approx(1.0)
