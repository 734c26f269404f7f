"""The engine's task operations: inbox, claim, complete, registering service handlers.

A mixin of :class:`bpengine.engine.Engine`, kept in its own module so each reads in one
sitting. Every method is one transaction; checks come first so a refused call changes
nothing.
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import CursorResult, Result, bindparam, or_, select, update

from ..errors import BpengineError, ConflictError, Forbidden, NotFound, TaskNotReady
from .core import EngineCore
from .forms import validate
from .records import Case, Task
from .schema import CaseRow, TaskRow
from .services import takes_job
from .store import audit, json_data, to_case, to_task

__all__ = ["TaskOperations"]

# Built once: constructing a statement costs more than running it on SQLite.
_TASK_AND_CASE = (select(TaskRow, CaseRow).join(CaseRow, TaskRow.case_id == CaseRow.id)
                  .where(TaskRow.id == bindparam("task_id")))


def _rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE matched (an UPDATE's result is a cursor result, which counts them)."""
    return cast(CursorResult[Any], result).rowcount


class TaskOperations(EngineCore):
    """Task-level calls of :class:`~bpengine.engine.Engine` (see there for the setup)."""

    def inbox(self, lane: str | None = None, actor: str | None = None,
              limit: int | None = None) -> list[Task]:
        """Ready user and manual tasks of running cases, oldest first.

        Parameters
        ----------
        lane : str, optional
            Only tasks of this lane (role), e.g. ``"Atasan Langsung"``.
        actor : str, optional
            Only tasks nobody claimed or that this actor claimed.
        """
        with self._transaction(self._now()) as session:
            query = (select(TaskRow).join(CaseRow, TaskRow.case_id == CaseRow.id)
                     .where(TaskRow.state == "ready", TaskRow.kind == "user",
                            CaseRow.status == "running"))
            if lane is not None:
                query = query.where(TaskRow.lane == lane)
            if actor is not None:
                query = query.where(or_(TaskRow.assignee.is_(None), TaskRow.assignee == actor))
            query = query.order_by(TaskRow.created_at, TaskRow.id).limit(limit)
            return [to_task(r) for r in session.scalars(query)]

    def task(self, task_id: str) -> Task:
        """One task, open or finished. Raises NotFound."""
        with self._transaction(self._now()) as session:
            return to_task(self._task_row(session, task_id))

    @staticmethod
    def _task_row(session, task_id) -> TaskRow:
        # One round trip for the task and its case (the case lands in the identity map).
        found = session.execute(_TASK_AND_CASE, {"task_id": str(task_id)}).first()
        if found is None:
            raise NotFound(f"no task {task_id!r}")
        task, case = found
        task.case = case  # hold it: the session's identity map keeps only weak references
        return task

    @staticmethod
    def _check_actionable(session, row: TaskRow, actor: str, lane: str | None) -> CaseRow:
        what = f"task {row.id} ({row.element_id} {row.name!r})"
        if row.kind != "user":
            raise TaskNotReady(f"{what} is a {row.kind} task; the engine completes it")
        if row.state in ("completed", "cancelled"):
            # Whoever got there first won: a lost race, whatever moment it was lost at.
            by = f" by {row.finished_by!r}" if row.finished_by else ""
            raise ConflictError(f"{what} is already {row.state}{by}")
        if lane is not None and row.lane != lane:
            raise Forbidden(f"{what} belongs to lane {row.lane!r}, not {lane!r}")
        if row.assignee and actor != row.assignee:
            raise Forbidden(f"{what} is claimed by {row.assignee!r}")
        case = getattr(row, "case", None) or session.get(CaseRow, row.case_id)
        if case.status != "running":
            raise TaskNotReady(f"{what}: case {case.id} is {case.status}")
        return case

    def claim(self, task_id: str, actor: str, *, lane: str | None = None) -> Task:
        """Reserve a ready task for ``actor``; others can no longer complete it."""
        if not actor:
            raise BpengineError("claim: an actor is required")
        now = self._now()
        with self._transaction(now) as session:
            row = self._task_row(session, task_id)
            self._check_actionable(session, row, actor, lane)
            # Conditional UPDATE: two people claiming at once, one wins.
            won = _rowcount(session.execute(update(TaskRow).where(
                TaskRow.id == row.id, TaskRow.state == "ready",
                or_(TaskRow.assignee.is_(None), TaskRow.assignee == actor))
                .values(assignee=actor).execution_options(synchronize_session=False)))
            if not won:
                raise ConflictError(f"task {task_id} was claimed by someone else just now")
            audit(session, row.case_id, "claim", actor, now, task=row)
            session.refresh(row)
            return to_task(row)

    def reassign(self, task_id: str, to: str | None, actor: str) -> Task:
        """Give a ready task to ``to`` (None: back to the lane's inbox, unclaimed).

        For a supervisor moving work or an officer handing it back; the application decides
        who may. Audited as ``reassign`` (``unclaim`` when ``to`` is None) with who it was
        with before.
        """
        if not actor:
            raise BpengineError("reassign: an actor is required (who moves the task)")
        now = self._now()
        with self._transaction(now) as session:
            row = self._task_row(session, task_id)
            what = f"task {row.id} ({row.element_id} {row.name!r})"
            if row.kind != "user":
                raise TaskNotReady(f"{what} is a {row.kind} task; it has no assignee")
            if row.state != "ready":
                raise ConflictError(f"{what} is already {row.state}")
            before = row.assignee
            won = _rowcount(session.execute(update(TaskRow).where(
                TaskRow.id == row.id, TaskRow.state == "ready",
                TaskRow.assignee.is_(None) if before is None else TaskRow.assignee == before)
                .values(assignee=to or None).execution_options(synchronize_session=False)))
            if not won:
                raise ConflictError(f"{what} was claimed or moved by someone else just now")
            audit(session, row.case_id, "reassign" if to else "unclaim", actor, now, task=row,
                  detail=f"from {before or 'nobody'} to {to or 'nobody'}")
            session.refresh(row)
            return to_task(row)

    def unclaim(self, task_id: str, actor: str) -> Task:
        """Put a claimed task back in its lane's inbox (see :meth:`reassign`)."""
        return self.reassign(task_id, None, actor)

    def complete(self, task_id: str, data: dict | None = None, actor: str = "", *,
                 lane: str | None = None) -> Case:
        """Complete a ready user task with ``data`` (merged into the case data).

        Raises
        ------
        NotFound
            Unknown task id.
        Forbidden
            Of another ``lane``, or claimed by someone else.
        TaskNotReady
            Not a user task, or its case is not running.
        ConflictError
            Already completed or cancelled, or another worker completed it (or changed the
            case) at the same time; nothing was written.
        FormError
            The data breaks the task's form (a required field missing, a value not among
            its choices, the wrong type, out of range); the field is named.
        ExpressionError
            A gateway condition after the task failed; nothing was written.
        """
        data = json_data(data, f"task {task_id}", self.limits)
        now = self._now()
        with self._transaction(now) as session:
            row = self._task_row(session, task_id)
            case = self._check_actionable(session, row, actor, lane)
            runtime = self._runtime(session, case.definition_id)
            data = validate(runtime.forms.get(row.element_id), data,
                            f"task {row.id} ({row.element_id})", case.data)
            workflow = runtime.restore(case.state, case)
            task = runtime.find(workflow, row.id)
            if task is None or not runtime.is_ready(task):
                raise ConflictError(f"task {task_id} was completed by another worker")
            before = dict(case.data)
            case.data = {**before, **data}
            self.limits.check_size(case.data, f"task {row.id} ({row.element_id})")
            runtime.run_task(task, data)
            finished = runtime.advance(workflow) | {row.id}
            audit(session, case.id, "complete", actor, now, task=row, before=before,
                  after=dict(case.data))
            open_rows = self._save(session, case, runtime, workflow, finished, actor, now)
            return to_case(session, case, runtime, open_rows)

    def register(self, service: str, handler: Callable[..., dict | None], *,
                 retries: int | None = None, backoff: _dt.timedelta | None = None) -> None:
        """Run ``handler(data) -> dict | None`` for service tasks with this id or name.

        A handler taking two arguments is called ``handler(data, job)`` with a
        :class:`~bpengine.engine.records.Job` (its ``key`` is the idempotency key: handlers
        run at least once). It may raise :class:`~bpengine.BpmnError` for an error boundary
        event. ``retries``/``backoff``: this task's retry policy (see :meth:`set_retries`).
        """
        if not callable(handler):
            raise BpengineError(f"register {service!r}: handler must be callable")
        service = str(service)
        self._handlers[service] = handler
        self._job_handlers.discard(service)
        if takes_job(handler):
            self._job_handlers.add(service)
        if retries is not None or backoff is not None:
            self.set_retries(service, retries if retries is not None
                             else self._default_policy.retries, backoff)

    def _advance_case(self, session, case: CaseRow, step, actor: str, now) -> Case:
        runtime = self._runtime(session, case.definition_id)
        workflow = runtime.restore(case.state, case)
        finished = step(runtime, workflow)
        open_rows = self._save(session, case, runtime, workflow, finished, actor, now)
        return to_case(session, case, runtime, open_rows)
