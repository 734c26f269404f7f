"""Every shipped procedure in processes/ deploys, starts and runs to its end in the engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpengine import Engine, load

from .conftest import happy_path_data

PROCESSES = sorted((Path(__file__).resolve().parents[2] / "processes").glob("*.bpmn"))


@pytest.mark.parametrize("path", PROCESSES, ids=lambda p: p.stem)
def test_a_shipped_procedure_runs_from_start_to_end(path):
    model = load(path)
    with Engine() as engine:
        definition = engine.deploy(model)
        assert engine.deploy(path) == definition
        for element in model.elements.values():
            if element.kind == "serviceTask":
                engine.register(element.id, lambda data: {"sistem": "ok"})
        case = engine.start(definition.key, happy_path_data(model), actor="loket")
        assert case.status == "running"
        assert engine.inbox()
        assert all(task.lane for task in engine.inbox())
        steps = 0
        while case.status == "running" and steps < 300:
            ready = [t for t in case.tasks if t.kind == "user"]
            timers = [t for t in case.tasks if t.kind == "timer"]
            if ready:
                case = engine.complete(ready[0].id, {}, actor=f"petugas {ready[0].lane}")
                steps += 1
            elif timers:
                engine.tick(max(t.due for t in timers))
                case = engine.get(case.id)
            else:
                break
        assert case.status == "completed", (steps, case.tasks)
        assert engine.history(case.id)[-1].action == "end"
