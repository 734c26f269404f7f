"""Service tasks: call the application's registered handlers, inside the caller's transaction.

A service task waits (state ``pending``) until a handler registered under its element id or
name runs. A handler gets a copy of the task's data and returns a mapping to merge into the
case data (or None). If it raises, the case is marked ``failed`` with the error kept and the
task stays pending: no step is lost, and :meth:`Engine.retry` runs it again. The steps before
it in the same call (the user task that led to it) are kept.
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping

from ..errors import BpengineError
from .runtime import Runtime, open_tasks
from .schema import CaseRow
from .store import audit, json_data

__all__ = ["run_services", "handler_for", "MAX_SERVICE_CALLS"]

# A model that loops through service tasks forever must not hang a worker inside one call.
MAX_SERVICE_CALLS = 1000


def handler_for(handlers: Mapping[str, Callable], task) -> tuple[str, Callable] | None:
    """The handler registered for an open service task: by element id first, then name."""
    for name in (task.element_id, task.name):
        if name in handlers:
            return name, handlers[name]
    return None


def run_services(session, row: CaseRow, runtime: Runtime, workflow, finished: set[str],
                 handlers: Mapping[str, Callable], now: _dt.datetime) -> int:
    """Run every pending service task that has a handler, until none is left; return calls.

    Stops at the first failing handler (the case becomes ``failed``). Does nothing for a
    case that is not running.
    """
    calls = 0
    while row.status == "running":
        pending = [(t, handler_for(handlers, t)) for t in open_tasks(workflow)
                   if t.kind == "service"]
        pending = [(t, h) for t, h in pending if h is not None]
        if not pending:
            return calls
        for task, (name, handler) in pending:
            calls += 1
            if calls > MAX_SERVICE_CALLS:
                raise BpengineError(f"case {row.id}: more than {MAX_SERVICE_CALLS} service "
                                    "calls in one step; does the model loop without a wait?")
            spiff_task = runtime.find(workflow, task.id)
            if spiff_task is None or not runtime.is_started(spiff_task):
                continue  # an earlier handler's step cancelled it (boundary event)
            before = dict(row.data)
            try:
                result = handler(dict(spiff_task.data))
                result = json_data(result, f"handler {name!r} for {task.element_id}")
            except Exception as exc:  # the application's handler: any failure is kept
                row.status = "failed"
                row.error = f"{task.element_id}: {type(exc).__name__}: {exc}"
                audit(session, row.id, "fail", f"service:{name}", now, task=task,
                      before=before, detail=row.error)
                return calls
            row.data = {**before, **result}
            runtime.run_task(spiff_task, result, started=True)
            finished.add(task.id)
            finished |= runtime.advance(workflow)
            audit(session, row.id, "service", f"service:{name}", now, task=task,
                  before=before, after=dict(row.data))
    return calls
