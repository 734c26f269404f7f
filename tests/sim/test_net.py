"""Compiling a model for simulation (bpengine/sim/net.py): what it refuses, by element."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bpengine import ModelError, load
from bpengine.cli import main
from bpengine.scenario import load_scenario
from bpengine.sim import compile_net

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile"


@pytest.mark.parametrize(
    "definition",
    [
        "<messageEventDefinition/>",
        "<timerEventDefinition><timeDuration>P1D</timeDuration></timerEventDefinition>",
    ],
)
def test_a_catch_event_looping_to_itself_is_refused_naming_it(definition, tmp_path):
    """Issue #16: a RecursionError (message) or a run without end (timer) before."""
    source = (HOSTILE / "simulate" / "self-loop-catch.bpmn").read_text(encoding="utf-8")
    path = tmp_path / "loop.bpmn"
    path.write_text(source.replace("<messageEventDefinition/>", definition), encoding="utf-8")
    model = load(path)
    with pytest.raises(ModelError) as caught:
        compile_net(model, load_scenario(None, model=model))
    [problem] = caught.value.problems
    assert problem.element_id == "W"
    assert problem.code == "self-loop"
    assert "has a sequence flow back to itself (f2)" in problem.message


def test_simulate_says_so_in_one_line():
    res = CliRunner().invoke(main, ["simulate", str(HOSTILE / "simulate" / "self-loop-catch.bpmn")])
    assert res.exit_code != 0
    assert "Traceback" not in res.output
    assert (
        "W ('Tunggu'): intermediateCatchEvent 'W' has a sequence flow back to itself" in res.output
    )


QA = Path(__file__).resolve().parents[1] / "data" / "qa" / "pindah-datang-antar-kabupaten.bpmn"


def _guess(tmp_path, gateway):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("arrivals: {rate: 5}\n", encoding="utf-8")
    model = load(QA)
    net = compile_net(model, load_scenario(scenario, model=model))
    i = net.index(gateway)
    return dict(zip(net.out_flows[i], net.choose[i][1], strict=True)), net.notes


def test_a_constant_condition_decides_and_only_the_guessed_flow_is_named(tmp_path):
    """QA: ``True`` on Flow_kk was taken half the time when the scenario gave no probabilities."""
    chances, notes = _guess(tmp_path, "Gateway_dokumen")
    assert chances == {"Flow_kk": 1.0, "Flow_ktp_el": 0.5}
    [note] = [n for n in notes if "Gateway_dokumen" in n]
    assert "Flow_ktp_el" in note
    assert "Flow_kk" not in note
    assert "wajib_ktp" in note


def test_a_gateway_without_conditions_or_probabilities_is_named(tmp_path):
    chances, notes = _guess(tmp_path, "Gateway_lengkap")
    assert sorted(chances.values()) == [0.5, 0.5]
    [note] = [n for n in notes if "Gateway_lengkap" in n]
    assert "Flow_lengkap" in note
    assert "Flow_tidak_lengkap" in note


def test_case_data_that_can_never_meet_a_condition_is_named(tmp_path):
    """QA 10: ``ya/tidak`` against ``wajib_ktp == True``: the KTP-el branch never ran, unsaid."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "arrivals: {rate: 5}\ndata:\n  wajib_ktp: {choice: {ya: 0.7, tidak: 0.3}}\n"
        "  lengkap: {choice: {true: 0.9, false: 0.1}}\n",
        encoding="utf-8",
    )
    model = load(QA)
    notes = compile_net(model, load_scenario(scenario, model=model)).notes
    [note] = [n for n in notes if "Gateway_dokumen" in n]
    assert "Flow_ktp_el" in note
    assert "wajib_ktp == True" in note
    assert "'ya'" in note
    assert "'tidak'" in note
    assert not [n for n in notes if "Gateway_lengkap" in n]  # true/false can meet it


XOR = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d"><process id="p" isExecutable="true">
 <startEvent id="S"/><exclusiveGateway id="G"/><task id="A"/><task id="B"/><task id="C"/>
 <endEvent id="E"/><sequenceFlow id="s" sourceRef="S" targetRef="G"/>
 <sequenceFlow id="f1" sourceRef="G" targetRef="A"><conditionExpression
  xsi:type="tFormalExpression">x &gt; 1</conditionExpression></sequenceFlow>
 <sequenceFlow id="f2" sourceRef="G" targetRef="B"><conditionExpression
  xsi:type="tFormalExpression">True</conditionExpression></sequenceFlow>
 <sequenceFlow id="f3" sourceRef="G" targetRef="C"><conditionExpression
  xsi:type="tFormalExpression">1 == 2</conditionExpression></sequenceFlow>
 <sequenceFlow id="a" sourceRef="A" targetRef="E"/><sequenceFlow id="b" sourceRef="B" targetRef="E"/>
 <sequenceFlow id="c" sourceRef="C" targetRef="E"/></process></definitions>"""


def test_an_exclusive_gateway_never_takes_a_flow_after_a_constant_true(tmp_path):
    """The engine takes the first flow that holds: after ``True`` nothing, before it a guess."""
    path = tmp_path / "xor.bpmn"
    path.write_text(XOR, encoding="utf-8")
    model = load(path)
    net = compile_net(model, load_scenario(None, model=model))
    i = net.index("G")
    assert dict(zip(net.out_flows[i], net.choose[i][1], strict=True)) == {
        "f1": 0.5,
        "f2": 0.5,
        "f3": 0.0,
    }
    [note] = [n for n in net.notes if "gateway G" in n]
    assert "flow f1 is taken by a guess, with probability 0.5" in note
