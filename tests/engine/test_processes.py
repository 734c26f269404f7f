"""Every shipped procedure in processes/ deploys and starts in the engine."""
from __future__ import annotations

from pathlib import Path

import pytest

from bpengine import Engine

PROCESSES = sorted((Path(__file__).resolve().parents[2] / "processes").glob("*.bpmn"))


@pytest.mark.parametrize("path", PROCESSES, ids=lambda p: p.stem)
def test_a_shipped_procedure_deploys_and_starts(path):
    engine = Engine()
    definition = engine.deploy(path)
    assert engine.deploy(path) == definition
    case = engine.start(definition.key, {}, actor="loket")
    assert case.status == "running"
    ready = engine.inbox()
    assert ready and all(task.lane for task in ready)
    engine.db.dispose()
