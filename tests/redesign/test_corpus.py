"""Every transformation on the shared corpus (bpmn.io, Camunda, MIWG files): it either
works and validates, or refuses with a ModelError naming the element - never a crash and
never an invalid result. Regressions found this way: flows without ids, message flows
left pointing at a removed task, kind-specific attributes kept on a composed task, diagram
label order, diagrams after <relationship>."""

from __future__ import annotations

import pytest

from bpengine import ModelError, load
from bpengine.redesign import compose, eliminate, parallelise, reassign
from tests.conftest import SHARED, shared_path

FILES = sorted((SHARED / "corpus").glob("*/*.bpmn"))


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES or [None], ids=[p.stem[:40] for p in FILES] or ["none"])
def test_transformations_work_or_refuse_cleanly(path):
    if path is None:
        shared_path("corpus")
    try:
        model = load(path)
    except ModelError:
        pytest.skip("the corpus file itself does not load")
    lanes = list(model.lanes)
    tasks = [e for e in model.elements.values() if e.is_task][:6]
    for task in tasks:
        after = [model.flows[f].target for f in task.outgoing][:1]
        changes = [
            (eliminate, (task.id,)),
            (compose, ([task.id, *after],)),
            (parallelise, ([task.id, *after],)),
        ]
        if lanes:
            changes.append((reassign, (task.id, lanes[0])))
        for change, args in changes:
            try:
                change(model, *args)
            except ModelError as exc:
                assert exc.problems[0].code == "redesign-not-applicable", str(exc)
                assert exc.problems[0].element_id
