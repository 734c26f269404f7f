"""What is simulated is what runs: the simulator and the engine take the same paths.

Each model is driven through :class:`bpengine.Engine` (SpiffWorkflow underneath) and through
the simulator with the same case data, so every gateway decides by the same conditions.
The engine completes all ready user tasks of the case in rounds; the simulator runs with
10-minute tasks, ample staff and a 24/7 calendar, so its rounds are the tasks enabled at
the same moment. Both must give the same rounds of tasks, in the same order.
"""

import re
from pathlib import Path

import pytest

from bpengine import Engine, load
from bpengine.sim import run_case
from tests.conftest import process_files

DATA = Path(__file__).resolve().parents[1] / "data" / "sim"
_AUTOMATIC = {"serviceTask", "scriptTask", "businessRuleTask", "sendTask"}


def data_variants(model) -> list[dict]:
    """Case data that passes every check, once per literal a string condition compares to."""
    flags, choices = set(), {}
    for flow in model.flows.values():
        text = flow.condition or ""
        flags.update(re.findall(r"(\w+) == True", text))
        for name, value in re.findall(r"(\w+) [=!]= ['\"](\w+)['\"]", text):
            choices.setdefault(name, []).append(value)
        for name, number in re.findall(r"(\w+) *[<>]=? *(\d+)", text):
            choices.setdefault(name, []).extend([int(number) - 1, int(number) + 1])
    base = {**{f: True for f in flags}, **{k: v[0] for k, v in choices.items()}}
    variants = [base] + [{**base, k: v} for k, vs in choices.items() for v in vs[1:]]
    return [dict(v) for v in {tuple(sorted(v.items())): v for v in variants}.values()]


def neutral_scenario(model) -> dict:
    tasks = {}
    for el in model.elements.values():
        if el.is_activity and not el.is_subprocess and el.process == model.main_process.id:
            tasks[el.id] = "0 min" if el.kind in _AUTOMATIC else "10 min"
    return {
        "calendar": {"hours": "always"},
        "arrivals": {"calendar": "always"},
        "lanes": {lane.name: {"staff": 100} for lane in model.lanes.values()},
        "tasks": tasks,
    }


def engine_rounds(engine, model, data) -> tuple[list[list[str]], str]:
    definition = engine.deploy(model)
    case = engine.start(definition.key, data=data)
    rounds = []
    for _ in range(60):
        ready = [t for t in engine.inbox() if t.case_id == case.id]
        if not ready:
            break
        rounds.append(sorted(t.element_id for t in ready))
        for task in ready:
            engine.complete(task.id)
    return rounds, engine.get(case.id).status


def simulator_rounds(model, data) -> list[list[str]]:
    by_time: dict = {}
    for row in run_case(model, data, neutral_scenario(model)):
        element = row["activity"].rsplit("/", 1)[-1]  # called process: "Call_x/Task_y"
        if model.elements.get(element) is None or model.elements[element].kind not in _AUTOMATIC:
            by_time.setdefault(row["enabled"], []).append(element)
    return [sorted(v) for _, v in sorted(by_time.items())]


CASES = [
    DATA / "sequence.bpmn",
    DATA / "rework.bpmn",
    DATA / "parallel.bpmn",
    DATA / "call" / "permohonan.bpmn",
    DATA / "multi.bpmn",
    *process_files(),
]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_simulator_takes_the_engines_paths(path):
    model = load(path)
    engine = Engine()
    for el in model.elements.values():
        if el.kind in _AUTOMATIC:
            engine.register(el.id, lambda data: None)
    for data in data_variants(model):
        rounds, status = engine_rounds(engine, model, data)
        assert status == "completed", (data, rounds)
        assert simulator_rounds(model, data) == rounds, data


def test_differential_sees_a_difference():
    # the check can fail: other data takes the other inclusive branch
    model = load(DATA / "parallel.bpmn")
    rounds, _ = engine_rounds(Engine(), model, {"luas": 500})
    assert simulator_rounds(model, {"luas": 50}) != rounds
