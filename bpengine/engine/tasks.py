"""The engine's task operations: inbox, claim, complete, timers, service handlers, retry.

A mixin of :class:`bpengine.engine.Engine`, kept in its own module so each reads in one
sitting. Every method is one transaction; checks come first so a refused call changes
nothing.
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

from sqlalchemy import bindparam, or_, select, update

from ..errors import BpengineError, ConflictError, NotFound, TaskNotReady
from .records import Case, Task
from .schema import CaseRow, TaskRow
from .services import handler_for
from .store import audit, json_data, to_case, to_task

__all__ = ["TaskOperations"]

# Built once: constructing a statement costs more than running it on SQLite.
_TASK_AND_CASE = (select(TaskRow, CaseRow).join(CaseRow, TaskRow.case_id == CaseRow.id)
                  .where(TaskRow.id == bindparam("task_id")))


class TaskOperations:
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
        if row.state != "ready":
            raise TaskNotReady(f"{what} is {row.state}, not ready")
        if lane is not None and row.lane != lane:
            raise TaskNotReady(f"{what} belongs to lane {row.lane!r}, not {lane!r}")
        if row.assignee and actor != row.assignee:
            raise TaskNotReady(f"{what} is claimed by {row.assignee!r}")
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
            won = session.execute(update(TaskRow).where(
                TaskRow.id == row.id, TaskRow.state == "ready",
                or_(TaskRow.assignee.is_(None), TaskRow.assignee == actor))
                .values(assignee=actor).execution_options(synchronize_session=False)).rowcount
            if not won:
                raise ConflictError(f"task {task_id} was claimed by someone else just now")
            audit(session, row.case_id, "claim", actor, now, task=row)
            session.refresh(row)
            return to_task(row)

    def complete(self, task_id: str, data: dict | None = None, actor: str = "", *,
                 lane: str | None = None) -> Case:
        """Complete a ready user task with ``data`` (merged into the case data).

        Raises
        ------
        NotFound
            Unknown task id.
        TaskNotReady
            Not ready, not a user task, of another ``lane``, claimed by someone else, or
            its case is not running.
        ConflictError
            Another worker completed it (or changed the case) first; nothing was written.
        ExpressionError
            A gateway condition after the task failed; nothing was written.
        """
        data = json_data(data, f"task {task_id}")
        now = self._now()
        with self._transaction(now) as session:
            row = self._task_row(session, task_id)
            case = self._check_actionable(session, row, actor, lane)
            runtime = self._runtime(session, case.definition_id)
            workflow = runtime.restore(case.state, case)
            task = runtime.find(workflow, row.id)
            if task is None or not runtime.is_ready(task):
                raise ConflictError(f"task {task_id} was completed by another worker")
            before = dict(case.data)
            case.data = {**before, **data}
            runtime.run_task(task, data)
            finished = runtime.advance(workflow) | {row.id}
            audit(session, case.id, "complete", actor, now, task=row, before=before,
                  after=dict(case.data))
            open_rows = self._save(session, case, runtime, workflow, finished, actor, now)
            return to_case(session, case, runtime, open_rows)

    def register(self, service: str, handler: Callable[[dict], dict | None]) -> None:
        """Run ``handler(data) -> dict | None`` for service tasks with this id or name."""
        if not callable(handler):
            raise BpengineError(f"register {service!r}: handler must be callable")
        self._handlers[str(service)] = handler

    def _advance_case(self, session, case: CaseRow, step, actor: str, now) -> Case:
        runtime = self._runtime(session, case.definition_id)
        workflow = runtime.restore(case.state, case)
        finished = step(runtime, workflow)
        open_rows = self._save(session, case, runtime, workflow, finished, actor, now)
        return to_case(session, case, runtime, open_rows)

    def tick(self, now: _dt.datetime | None = None, limit: int = 100) -> list[str]:
        """Fire timers due at ``now`` (default: the engine clock), deliver pending messages
        and signals cases threw for each other, and start the cases of timer start events
        whose time has come; return the cases advanced or started.

        Rows are taken with ``FOR UPDATE SKIP LOCKED`` so several workers can tick at once.
        """
        now = now.astimezone(_dt.timezone.utc) if now and now.tzinfo else \
            (now.replace(tzinfo=_dt.timezone.utc) if now else self._now())
        with self._transaction(now) as session:
            rows = session.scalars(
                select(TaskRow).join(CaseRow, TaskRow.case_id == CaseRow.id)
                .where(TaskRow.kind == "timer", TaskRow.state == "waiting",
                       TaskRow.due <= now, CaseRow.status == "running")
                .order_by(TaskRow.due).limit(limit)
                .with_for_update(skip_locked=True, of=TaskRow)).all()
            advanced = list(dict.fromkeys(r.case_id for r in rows))
            for case_id in advanced:
                case = session.get(CaseRow, case_id)
                self._advance_case(session, case, lambda rt, wf: rt.fire_timers(wf), "clock", now)
            advanced += self._sweep_messages(session, now, limit)
            advanced += self._fire_schedules(session, now, limit)
            return list(dict.fromkeys(advanced))

    def work(self, limit: int = 100) -> list[str]:
        """Run pending service tasks that have a registered handler; return the cases advanced.

        For workers that pick up service tasks left by another process (one without the
        handler). Failed cases are skipped until :meth:`retry`.
        """
        now = self._now()
        names = list(self._handlers)
        if not names:
            return []
        with self._transaction(now) as session:
            rows = session.scalars(
                select(TaskRow).join(CaseRow, TaskRow.case_id == CaseRow.id)
                .where(TaskRow.kind == "service", TaskRow.state == "pending",
                       CaseRow.status == "running",
                       or_(TaskRow.element_id.in_(names), TaskRow.name.in_(names)))
                .order_by(TaskRow.created_at).limit(limit)
                .with_for_update(skip_locked=True, of=TaskRow)).all()
            advanced = list(dict.fromkeys(r.case_id for r in rows))
            for case_id in advanced:
                case = session.get(CaseRow, case_id)
                self._advance_case(session, case, lambda rt, wf: set(), "service", now)
            return advanced

    def retry(self, case_id: str, actor: str = "") -> Case:
        """Resume a failed case: its pending service tasks run again."""
        now = self._now()
        with self._transaction(now) as session:
            case = self._case_row(session, case_id)
            if case.status != "failed":
                raise BpengineError(f"case {case_id} is {case.status}; only failed cases "
                                    "can be retried")
            audit(session, case.id, "retry", actor, now, detail=case.error or "")
            case.status, case.error = "running", None
            result = self._advance_case(session, case, lambda rt, wf: set(), actor, now)
            pending = [t for t in result.tasks
                       if t.kind == "service" and handler_for(self._handlers, t) is None]
            if pending and case.status == "running":
                audit(session, case.id, "wait", actor, now,
                      detail="no handler registered here for " +
                      ", ".join(t.element_id for t in pending))
            return result
