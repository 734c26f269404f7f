"""Service tasks: call the application's registered handlers, inside the caller's transaction.

A service task waits (state ``pending``) until a handler registered under its element id or
name runs. A handler gets a copy of the task's data (and, if it takes a second argument, the
:class:`~bpengine.engine.records.Job` with its idempotency key) and returns a mapping to merge
into the case data (or None). It may raise :class:`~bpengine.BpmnError` for an error boundary
event on the task to catch.

Any other failure -- the handler raises, returns something that is not JSON data, or the
step after it fails (a gateway that cannot read what it returned) -- is undone in memory
(the instance goes back to its state before the handler) and becomes an incident on the
case (:mod:`bpengine.engine.jobs`): the task stays pending, the steps before it in the same
call (the user task that led to it) are kept, and other cases never notice.
"""

from __future__ import annotations

import datetime as _dt
import inspect
from collections.abc import Callable, Mapping
from types import SimpleNamespace

from ..errors import BpengineError, BpmnError
from ..i18n import _
from ..model.spiff import spiff_text
from .jobs import open_incidents, record_failure, resolve, retry_due
from .records import Job
from .runtime import Runtime, open_tasks
from .schema import CaseRow, IncidentRow
from .store import audit, json_data

__all__ = ["run_services", "handler_for", "takes_job", "unhandled_services", "MAX_SERVICE_CALLS"]

# A model that loops through service tasks forever must not hang a worker inside one call.
MAX_SERVICE_CALLS = 1000


def handler_for(handlers: Mapping[str, Callable], task) -> tuple[str, Callable] | None:
    """The handler registered for an open service task: by element id first, then name."""
    for name in (task.element_id, task.name):
        if name in handlers:
            return name, handlers[name]
    return None


def unhandled_services(model, handlers: Mapping[str, Callable]) -> tuple[str, ...]:
    """A note for each service task of ``model`` that none of ``handlers`` runs.

    Such a task is not an error (the application may register its handler later), but a
    case reaching it waits there, ``pending``, with nothing in its history to say why.
    """
    running = {p.id for p in model.processes.values() if p.executable}
    return tuple(
        _(
            "service task {element} ({name!r}) has no handler: a case waits there until a "
            "program embedding the engine calls register({element!r}, handler) and work(); "
            "the command line registers none"
        ).format(element=e.id, name=e.name or e.id)
        for e in model.elements.values()
        if e.kind == "serviceTask"
        and e.process in running
        and e.id not in handlers
        and (not e.name or e.name not in handlers)
    )


def takes_job(handler: Callable) -> bool:
    """Whether ``handler(data, job)`` is wanted rather than ``handler(data)``."""
    try:
        parameters = list(inspect.signature(handler).parameters.values())
    except (TypeError, ValueError):  # a builtin without a signature: the one-argument form
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in parameters)


def run_services(
    session, row: CaseRow, runtime: Runtime, workflow, finished: set[str], engine, now: _dt.datetime
):
    """Run every pending service task that has a handler, until none is left.

    ``engine`` gives the handlers (``_handlers``), which of them take a job
    (``_job_handlers``) and the retry policy (``_policy``). Each task runs at most once per
    call; a task whose incident waits for its next retry is left alone. Returns the
    workflow to save: after a failure it is a restored copy, not the one passed in.
    """
    handlers = engine._handlers
    if not handlers or row.status != "running":
        return workflow
    calls, tried = 0, set[str]()
    incidents: dict[str, IncidentRow] | None = None
    while row.status == "running":
        found = [
            (t, handler_for(handlers, t))
            for t in open_tasks(workflow)
            if t.kind == "service" and t.id not in tried
        ]
        pending = [(t, h) for t, h in found if h is not None]
        if pending and incidents is None:  # one query, only for cases with handlers to run
            incidents = open_incidents(session, row.id)
        # A task whose incident waits for its next retry (or for a person) is left alone.
        known = incidents or {}  # None only when nothing is pending
        pending = [(t, h) for t, h in pending if t.id not in known or retry_due(known[t.id], now)]
        if not pending:
            return workflow
        for task, (name, handler) in pending:
            calls += 1
            if calls > MAX_SERVICE_CALLS:
                raise BpengineError(
                    _(
                        "case {id}: more than {limit} service calls "
                        "in one step; does the model loop without a wait?"
                    ).format(id=row.id, limit=MAX_SERVICE_CALLS)
                )
            tried.add(task.id)
            spiff_task = runtime.find(workflow, task.id)
            if spiff_task is None or not runtime.is_started(spiff_task):
                continue  # an earlier handler's step cancelled it (boundary event)
            workflow = _call(
                session,
                row,
                runtime,
                workflow,
                finished,
                engine,
                now,
                task,
                spiff_task,
                name,
                handler,
                known.get(task.id),
            )
            if row.status != "running":
                break
    return workflow


def _call(
    session,
    row,
    runtime,
    workflow,
    finished,
    engine,
    now,
    task,
    spiff_task,
    name,
    handler,
    incident,
):
    """One handler call and the step after it; on failure the workflow before it."""
    checkpoint = runtime.checkpoint(workflow)
    before, done_before = dict(row.data), set(finished)
    attempt = (incident.attempts if incident is not None else 0) + 1
    actor = f"service:{name}"
    try:
        arguments: list[object] = [dict(spiff_task.data)]
        if name in engine._job_handlers:
            arguments.append(
                Job(
                    f"{row.id}/{task.id}",
                    row.id,
                    task.id,
                    task.element_id,
                    row.business_key,
                    attempt,
                )
            )
        try:
            result = handler(*arguments)
        except BpmnError as error:
            payload = json_data(
                error.data, f"BpmnError {error.code!r} from {name!r}", engine.limits
            )
            if not runtime.throw_error(spiff_task, error.code, payload):
                raise BpengineError(
                    _(
                        "BpmnError {code!r}: no error boundary event on "
                        "{element_id} catches this code"
                    ).format(code=error.code, element_id=task.element_id)
                ) from None
            row.data = {**before, **payload}
            finished |= runtime.advance(workflow)
            audit(
                session,
                row.id,
                "error",
                actor,
                now,
                task=task,
                before=before,
                after=dict(row.data),
                detail=f"BpmnError {error.code!r} caught"
                + (f": {error.message}" if error.message else ""),
            )
            if incident is not None:
                resolve(session, row.id, [task.id], now, actor)
            return workflow
        result = json_data(result, f"handler {name!r} for {task.element_id}", engine.limits)
        row.data = {**before, **result}
        engine.limits.check_size(row.data, f"handler {name!r} for {task.element_id}")
        runtime.run_task(spiff_task, result, started=True)
        finished.add(task.id)
        finished |= runtime.advance(workflow)
    except Exception as exc:  # the application's handler, or the step after it: an incident
        row.data = before
        finished.clear()
        finished |= done_before
        failure = f"{task.element_id}: {type(exc).__name__}: {spiff_text(exc)}"
        record_failure(
            session,
            row,
            SimpleNamespace(id=task.id, element_id=task.element_id),
            "service",
            failure,
            engine._policy(task.element_id, task.name),
            now,
            actor,
            incident,
        )
        return runtime.rollback(checkpoint)
    audit(session, row.id, "service", actor, now, task=task, before=before, after=dict(row.data))
    if incident is not None:
        resolve(session, row.id, [task.id], now, actor)
    return workflow
