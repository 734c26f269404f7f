"""The rows a step reads and writes (bpengine/engine/steprows.py), through the public API."""

from __future__ import annotations

from sqlalchemy import event

from bpengine import Engine


def _parallel_tasks(engine: Engine, data_dir):
    """A disposisi case after its first step: T_a and T_b open in parallel."""
    engine.deploy(data_dir / "disposisi.bpmn")
    case = engine.start("disposisi", {"nomor": "001"})
    [first] = case.tasks
    case = engine.complete(first.id, {}, actor="sekretaris")
    by_element = {t.element_id: t for t in case.tasks}
    return case, by_element["T_a"], by_element["T_b"]


def test_a_step_shows_the_other_open_tasks_as_another_worker_left_them(data_dir, tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'two.db'}"
    ours, theirs = Engine(url, clock=clock), Engine(url, clock=clock)
    case, task_a, task_b = _parallel_tasks(ours, data_dir)
    theirs.claim(task_b.id, "budi")  # another process, between our steps
    after = ours.complete(task_a.id, {"catatan": "ok"}, actor="ani")
    open_now = {t.element_id: t for t in after.tasks}
    assert open_now["T_b"].assignee == "budi"
    assert open_now["N_a"].state == "pending"  # the service task the step opened
    assert "T_a" not in open_now
    assert [t.state for t in theirs.get(case.id).tasks if t.element_id == "T_a"] == []
    assert theirs.task(task_a.id).state == "completed"
    assert theirs.task(task_a.id).finished_by == "ani"
    ours.close()
    theirs.close()


def test_a_step_is_a_handful_of_statements(engine, data_dir):
    # The hot path (issue #11): one read of task, case and open tasks, the membership
    # lookup, one UPDATE of the case, one statement per kind of row written. An ORM object
    # per row, or a query per row, shows here before it shows in bench/engine.py.
    case, task_a, _task_b = _parallel_tasks(engine, data_dir)
    statements: list[str] = []
    event.listen(
        engine.db, "before_cursor_execute", lambda *a: statements.append(a[2].split()[0:3])
    )
    after = engine.complete(task_a.id, {"catatan": "ok"}, actor="ani")
    kinds = [" ".join(s) for s in statements]
    assert len(statements) <= 6, kinds
    assert sum(k.startswith("UPDATE bpe_cases") for k in kinds) == 1, kinds
    # and what they wrote is all there: the row version, task rows, the audit trail
    assert after.data == {"nomor": "001", "catatan": "ok"}
    steps = [(h.action, h.element_id) for h in engine.history(case.id)]
    assert steps[-1] == ("complete", "T_a")
    assert engine.task(task_a.id).state == "completed"
