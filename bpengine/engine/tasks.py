"""The engine's task operations: inbox, claim, complete, registering service handlers.

A mixin of :class:`bpengine.engine.Engine`, kept in its own module so each reads in one
sitting. Every method is one transaction; checks come first so a refused call changes
nothing.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Result, and_, or_, select, update

from ..errors import BpengineError, ConflictError, Forbidden, NotFound, TaskNotReady
from ..i18n import _
from .core import EngineCore
from .forms import validate
from .membership import known_groups
from .records import Case, Task
from .schema import CaseRow, TaskRow
from .services import takes_job
from .steprows import OPEN_ROWS_KEY, load_task
from .store import audit, json_data, to_case, to_task

__all__ = ["TaskOperations", "offered_to", "candidate_group", "check_candidate"]


def collect(collection, index, value):
    """``collection`` with ``value`` at ``index`` (a list grown with None as needed), or at
    key ``index`` (a dict, for an input collection that was a mapping)."""
    if isinstance(index, str):
        return {**(collection if isinstance(collection, dict) else {}), index: value}
    items = list(collection) if isinstance(collection, list) else []
    items.extend([None] * (index + 1 - len(items)))
    items[index] = value
    return items


def _like(name: str) -> str:
    escaped = str(name).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%,{escaped},%"


def candidate_group(group: str):
    """Tasks offered to ``group``: a candidate group, or (no candidates) its lane."""
    return or_(
        TaskRow.candidate_groups.like(_like(group), escape="\\"),
        and_(
            TaskRow.candidate_users.is_(None),
            TaskRow.candidate_groups.is_(None),
            TaskRow.lane == group,
        ),
    )


def offered_to(actor: str | None, groups: Iterable[str] | None):
    """Clause: ready tasks ``actor`` claimed or may claim (see :meth:`TaskOperations.inbox`)."""
    mine: list[ColumnElement[bool]] = []
    if actor is not None:
        mine.append(TaskRow.candidate_users.like(_like(actor), escape="\\"))
    if groups is not None:
        mine.extend(candidate_group(g) for g in groups)
    else:  # groups unknown: a task offered to its lane is everyone's, as before
        mine.append(and_(TaskRow.candidate_users.is_(None), TaskRow.candidate_groups.is_(None)))
    free = and_(TaskRow.assignee.is_(None), or_(*mine)) if mine else TaskRow.assignee.is_(None)
    return or_(TaskRow.assignee == actor, free) if actor is not None else free


def check_candidate(row: SimpleNamespace, actor: str, groups, what: str) -> None:
    """Forbidden unless ``actor`` (with ``groups``) is offered this unclaimed task."""
    users = tuple((row.candidate_users or "").strip(",").split(",")) if row.candidate_users else ()
    offered = (
        tuple((row.candidate_groups or "").strip(",").split(",")) if row.candidate_groups else ()
    )
    if not users and not offered:  # offered to its lane
        if groups is not None and row.lane and row.lane not in set(groups):
            raise Forbidden(
                _("{what} is offered to lane {lane!r}, not to {actor!r}'s groups").format(
                    what=what, lane=row.lane, actor=actor
                )
            )
        return
    if actor in users or set(groups or ()) & set(offered):
        return
    raise Forbidden(
        _("{what} is offered to {who}; {actor!r} is not one of them").format(
            what=what,
            actor=actor,
            who=", ".join([f"user {u!r}" for u in users] + [f"group {g!r}" for g in offered]),
        )
    )


def _rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE matched (an UPDATE's result is a cursor result, which counts them)."""
    return cast(CursorResult[Any], result).rowcount


class TaskOperations(EngineCore):
    """Task-level calls of :class:`~bpengine.engine.Engine` (see there for the setup)."""

    def inbox(
        self,
        lane: str | None = None,
        actor: str | None = None,
        limit: int | None = None,
        *,
        groups: Iterable[str] | None = None,
        overdue: bool = False,
    ) -> list[Task]:
        """Ready user and manual tasks of running cases, oldest first.

        Parameters
        ----------
        lane : str, optional
            Only tasks of this lane (role), e.g. ``"Atasan Langsung"``.
        actor : str, optional
            Only tasks this actor claimed or may claim: unclaimed, and offered to them (a
            candidate user; or a task without candidates, offered to its lane).
        groups : iterable of str, optional
            The actor's groups: tasks offered to one of them (a candidate group; or, for a
            task without candidates, its lane) come too, and tasks without candidates of
            other lanes no longer do. Not given: the actor's groups in the engine's store
            (:meth:`add_member`), if the store is used.
        overdue : bool
            Only tasks whose due date (``camunda:dueDate``) has passed.
        """
        now = self._now()
        with self._transaction(now) as session:
            query = (
                select(TaskRow)
                .join(CaseRow, TaskRow.case_id == CaseRow.id)
                .where(
                    TaskRow.state == "ready", TaskRow.kind == "user", CaseRow.status == "running"
                )
            )
            if lane is not None:
                query = query.where(TaskRow.lane == lane)
            groups = known_groups(session, actor, groups)
            if actor is not None or groups is not None:
                query = query.where(offered_to(actor, groups))
            if overdue:
                query = query.where(TaskRow.due < now)
            query = query.order_by(TaskRow.created_at, TaskRow.id).limit(limit)
            return [to_task(r) for r in session.scalars(query)]

    def task(self, task_id: str) -> Task:
        """One task, open or finished. Raises NotFound."""
        with self._transaction(self._now()) as session:
            return to_task(self._task_row(session, task_id))

    @staticmethod
    def _task_row(session, task_id) -> SimpleNamespace:
        """The task row (a snapshot) with its case (``.case``, in the session) and the
        case's open task rows (``.open_rows``): one round trip (:func:`load_task`)."""
        found = load_task(session, str(task_id))
        if found is None:
            raise NotFound(_("no task {task_id!r}").format(task_id=task_id))
        return found

    @staticmethod
    def _check_actionable(
        session, row: SimpleNamespace, actor: str, lane: str | None, groups=None
    ) -> CaseRow:
        what = _task_words(row)
        if row.kind != "user":
            raise TaskNotReady(
                _("{what} is a {kind} task; the engine completes it").format(
                    what=what, kind=_(row.kind)
                )
            )
        if row.state in ("completed", "cancelled"):
            # Whoever got there first won: a lost race, whatever moment it was lost at.
            done = (
                _("{what} is already {state} by {actor!r}")
                if row.finished_by
                else _("{what} is already {state}")
            )
            raise ConflictError(done.format(what=what, state=_(row.state), actor=row.finished_by))
        if lane is not None and row.lane != lane:
            raise Forbidden(
                _("{what} belongs to lane {lane!r}, not {yours!r}").format(
                    what=what, lane=row.lane, yours=lane
                )
            )
        if row.assignee and actor != row.assignee:
            raise Forbidden(
                _("{what} is claimed by {assignee!r}").format(what=what, assignee=row.assignee)
            )
        if not row.assignee:  # groups not given: the engine's store knows them (or nobody)
            check_candidate(row, actor, known_groups(session, actor, groups), what)
        case = getattr(row, "case", None) or session.get(CaseRow, row.case_id)
        if case.status != "running":
            raise TaskNotReady(
                _("{what}: case {id} is {status}").format(
                    what=what, id=case.id, status=_(case.status)
                )
            )
        return case

    def claim(
        self,
        task_id: str,
        actor: str,
        *,
        lane: str | None = None,
        groups: Iterable[str] | None = None,
    ) -> Task:
        """Reserve a ready task for ``actor``; others can no longer complete it.

        A task with candidates can be claimed only by one of them: a candidate user, or a
        member of a candidate group (``groups``: the actor's groups); else Forbidden.
        """
        if not actor:
            raise BpengineError(_("claim: an actor is required"))
        now = self._now()
        with self._transaction(now) as session:
            row = self._task_row(session, task_id)
            self._check_actionable(session, row, actor, lane, groups)
            # Conditional UPDATE: two people claiming at once, one wins.
            won = _rowcount(
                session.execute(
                    update(TaskRow)
                    .where(
                        TaskRow.id == row.id,
                        TaskRow.state == "ready",
                        or_(TaskRow.assignee.is_(None), TaskRow.assignee == actor),
                    )
                    .values(assignee=actor)
                    .execution_options(synchronize_session=False)
                )
            )
            if not won:
                raise ConflictError(
                    _("task {task_id} was claimed by someone else just now").format(task_id=task_id)
                )
            audit(session, row.case_id, "claim", actor, now, task=row)
            row.assignee = actor  # what the conditional UPDATE wrote
            return to_task(row)

    def reassign(self, task_id: str, to: str | None, *, actor: str) -> Task:
        """Give a ready task to ``to`` (None: back to the lane's inbox, unclaimed).

        For a supervisor moving work or an officer handing it back; the application decides
        who may. Audited as ``reassign`` (``unclaim`` when ``to`` is None) with who it was
        with before.
        """
        if not actor:
            raise BpengineError(_("reassign: an actor is required (who moves the task)"))
        now = self._now()
        with self._transaction(now) as session:
            row = self._task_row(session, task_id)
            what = _task_words(row)
            if row.kind != "user":
                raise TaskNotReady(
                    _("{what} is a {kind} task; it has no assignee").format(
                        what=what, kind=_(row.kind)
                    )
                )
            if row.state != "ready":
                raise ConflictError(
                    _("{what} is already {state}").format(what=what, state=_(row.state))
                )
            if row.delegation == "pending":
                raise TaskNotReady(
                    _("{what} is delegated to {to!r} by {owner!r}: it is resolved first").format(
                        what=what, to=row.assignee, owner=row.owner
                    )
                )
            before = row.assignee
            won = _rowcount(
                session.execute(
                    update(TaskRow)
                    .where(
                        TaskRow.id == row.id,
                        TaskRow.state == "ready",
                        TaskRow.assignee.is_(None)
                        if before is None
                        else TaskRow.assignee == before,
                    )
                    .values(assignee=to or None)
                    .execution_options(synchronize_session=False)
                )
            )
            if not won:
                raise ConflictError(
                    _("{what} was claimed or moved by someone else just now").format(what=what)
                )
            audit(
                session,
                row.case_id,
                "reassign" if to else "unclaim",
                actor,
                now,
                task=row,
                detail=f"from {before or 'nobody'} to {to or 'nobody'}",
            )
            row.assignee = to or None  # what the conditional UPDATE wrote
            return to_task(row)

    def unclaim(self, task_id: str, actor: str) -> Task:
        """Put a claimed task back in its lane's inbox (see :meth:`reassign`)."""
        return self.reassign(task_id, None, actor=actor)

    def delegate(self, task_id: str, to: str, *, actor: str) -> Task:
        """Hand a ready task to ``to`` for their part; it comes back (Camunda semantics).

        The task's owner (who has it now; ``actor`` if nobody claimed it) stays its owner;
        ``to`` becomes its assignee and the delegation is ``pending`` until ``to`` calls
        :meth:`resolve`, which gives it back to the owner, who completes it. Audited as
        ``delegate``.

        Raises
        ------
        Forbidden
            The task is claimed by someone other than ``actor`` (or, delegated, ``actor``
            is neither its owner nor its delegate).
        TaskNotReady, ConflictError
            Not a user task; already finished or moved by someone else just now.
        """
        if not actor or not to:
            raise BpengineError(_("delegate: who delegates (actor) and to whom (to) are required"))
        now = self._now()
        with self._transaction(now) as session:
            row = self._task_row(session, task_id)
            what = _task_words(row)
            if row.assignee is None or row.assignee == actor:
                self._check_actionable(session, row, actor, None)
            elif actor != row.owner:
                raise Forbidden(
                    _("{what} is with {who!r}; {actor!r} cannot delegate it").format(
                        what=what, who=row.assignee, actor=actor
                    )
                )
            owner = row.owner or row.assignee or actor
            self._move(session, row, what, assignee=to, owner=owner, delegation="pending")
            audit(
                session,
                row.case_id,
                "delegate",
                actor,
                now,
                task=row,
                detail=f"owner {owner}, delegated to {to}",
            )
            return to_task(row)

    def resolve(self, task_id: str, data: dict | None = None, *, actor: str = "") -> Task:
        """The delegate's part is done: the task goes back to its owner (with ``data``).

        ``data`` is checked against the fields of the task's form it names and kept on
        the task; :meth:`complete` by the owner merges it under the owner's own data.
        Audited as ``resolve``.

        Raises
        ------
        TaskNotReady
            The task is not delegated (or already resolved).
        Forbidden
            ``actor`` is not the delegate.
        FormError
            A value breaks its form field.
        """
        data = json_data(data, _("task {task_id}").format(task_id=task_id), self.limits)
        now = self._now()
        with self._transaction(now) as session:
            row = self._task_row(session, task_id)
            what = _task_words(row)
            if row.delegation != "pending" or row.state != "ready":
                raise TaskNotReady(
                    _("{what} is not delegated (nothing to resolve)").format(what=what)
                )
            if actor != row.assignee:
                raise Forbidden(
                    _("{what} is delegated to {to!r}, not {actor!r}").format(
                        what=what, to=row.assignee, actor=actor
                    )
                )
            case = self._case_row(session, row.case_id)  # loaded with the task: no query
            runtime = self._runtime(session, case.definition_id)
            fields = tuple(f for f in runtime.forms.get(row.element_id, ()) if f.id in data)
            data = validate(
                fields,
                data,
                _("task {id} ({element})").format(id=row.id, element=row.element_id),
                case.data,
            )
            draft = {**(row.draft or {}), **data}
            self._move(
                session, row, what, assignee=row.owner, delegation="resolved", draft=draft or None
            )
            audit(
                session,
                row.case_id,
                "resolve",
                actor,
                now,
                task=row,
                after=draft,
                detail=f"back to {row.owner}",
            )
            return to_task(row)

    @staticmethod
    def _move(session, row: SimpleNamespace, what: str, **values) -> None:
        """Conditional UPDATE of a ready task as it was read: a concurrent move wins."""
        won = _rowcount(
            session.execute(
                update(TaskRow)
                .where(
                    TaskRow.id == row.id,
                    TaskRow.state == "ready",
                    TaskRow.assignee.is_(None)
                    if row.assignee is None
                    else TaskRow.assignee == row.assignee,
                    TaskRow.delegation.is_(None)
                    if row.delegation is None
                    else TaskRow.delegation == row.delegation,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        )
        if not won:
            raise ConflictError(
                _("{what} was claimed or moved by someone else just now").format(what=what)
            )
        for name, value in values.items():  # what the conditional UPDATE wrote
            setattr(row, name, value)

    def complete(
        self,
        task_id: str,
        data: dict | None = None,
        *,
        actor: str = "",
        lane: str | None = None,
        groups: Iterable[str] | None = None,
    ) -> Case:
        """Complete a ready user task with ``data`` (merged into the case data).

        Raises
        ------
        NotFound
            Unknown task id.
        Forbidden
            Of another ``lane``, claimed by someone else, or (unclaimed) offered to
            candidates the actor is not one of (``groups``: the actor's groups).
        TaskNotReady
            Not a user task, its case is not running, or it is delegated and not yet
            resolved (:meth:`resolve`).
        ConflictError
            Already completed or cancelled, or another worker completed it (or changed the
            case) at the same time; nothing was written.
        FormError
            The data breaks the task's form (a required field missing, a value not among
            its choices, the wrong type, out of range); the field is named.
        ExpressionError
            A gateway condition after the task failed; nothing was written.
        """
        data = json_data(data, _("task {task_id}").format(task_id=task_id), self.limits)
        now = self._now()
        with self._transaction(now) as session:
            row = self._task_row(session, task_id)
            case = self._check_actionable(session, row, actor, lane, groups)
            # nothing writes task rows before this step's sync: it needs not read them again
            session.info.setdefault(OPEN_ROWS_KEY, {})[case.id] = row.open_rows
            if row.delegation == "pending":
                raise TaskNotReady(
                    _(
                        "task {task} is delegated: {to!r} resolves it and it "
                        "returns to {owner!r}, who completes it"
                    ).format(task=row.id, to=row.assignee, owner=row.owner)
                )
            if row.draft:  # what the delegate filled in, under what the owner sends now
                data = {**row.draft, **data}
            runtime = self._runtime(session, case.definition_id)
            where = _("task {id} ({element})").format(id=row.id, element=row.element_id)
            data = validate(runtime.forms.get(row.element_id), data, where, case.data)
            workflow = self._workflow(runtime, case)
            task = runtime.find(workflow, row.id)
            if task is None or not runtime.is_ready(task):
                raise ConflictError(
                    _("task {task_id} was completed by another worker").format(task_id=task_id)
                )
            before = dict(case.data)
            slot = runtime.instance_slot(task)
            if slot is None:
                case.data = {**before, **data}
            else:  # one reviewer of several: their output joins the list, in their place
                name, index, item = slot
                case.data = {
                    **before,
                    name: collect(before.get(name), index, data.get(item) if item else data),
                }
            self.limits.check_size(case.data, where)
            runtime.run_task(task, data)
            finished = runtime.advance(workflow) | {row.id}
            if slot is not None:
                runtime.share(workflow, slot[0], case.data[slot[0]])
            audit(
                session,
                case.id,
                "complete",
                actor,
                now,
                task=row,
                before=before,
                after=dict(case.data),
            )
            open_rows = self._save(session, case, runtime, workflow, finished, actor, now)
            return to_case(session, case, runtime, open_rows)

    def register(
        self,
        service: str,
        handler: Callable[..., dict | None],
        *,
        retries: int | None = None,
        backoff: _dt.timedelta | None = None,
    ) -> None:
        """Run ``handler(data) -> dict | None`` for service tasks with this id or name.

        A handler taking two arguments is called ``handler(data, job)`` with a
        :class:`~bpengine.engine.records.Job` (its ``key`` is the idempotency key: handlers
        run at least once). It may raise :class:`~bpengine.BpmnError` for an error boundary
        event. ``retries``/``backoff``: this task's retry policy (see :meth:`set_retries`).
        """
        if not callable(handler):
            raise BpengineError(
                _("register {service!r}: handler must be callable").format(service=service)
            )
        service = str(service)
        self._handlers[service] = handler
        self._job_handlers.discard(service)
        if takes_job(handler):
            self._job_handlers.add(service)
        if retries is not None or backoff is not None:
            self.set_retries(
                service, retries if retries is not None else self._default_policy.retries, backoff
            )

    def _advance_case(self, session, case: CaseRow, step, actor: str, now) -> Case:
        runtime = self._runtime(session, case.definition_id)
        workflow = self._workflow(runtime, case)
        finished = step(runtime, workflow)
        open_rows = self._save(session, case, runtime, workflow, finished, actor, now)
        return to_case(session, case, runtime, open_rows)


def _task_words(row: SimpleNamespace) -> str:
    """How a refusal names a task: its id, element and name."""
    return _("task {id} ({element} {name!r})").format(
        id=row.id, element=row.element_id, name=row.name
    )
