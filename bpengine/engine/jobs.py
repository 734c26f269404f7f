"""Jobs: timers and service tasks run one case per transaction; a failing one is an incident.

Camunda's job executor is the model. A *job* is a due timer row or a pending service-task
row of a running case. :meth:`JobOperations.tick` and :meth:`JobOperations.work` take one job
at a time (``SELECT ... LIMIT 1 FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers
share the queue) and run it in a transaction of its own. When it fails -- a gateway after a
timer that cannot read the case data, a handler that raises or returns something the next
step cannot use -- that transaction is rolled back and an *incident* is written on the case
in a new one: the error, the attempt, and when the job is tried again (exponential backoff).
Once its retries are spent the case is ``failed`` and waits for :meth:`JobOperations.retry`.
A failing job never stops the sweep: the next job is taken.

Semantics: at least once. A handler's side effect and the transaction that records it are
not atomic; a worker killed between the two (``kill -9``, a lost connection, a conflict with
another worker) runs the handler again. Handlers that take a second argument get a
:class:`~bpengine.engine.records.Job` whose ``key`` is the same on every attempt of the task.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import exists, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from ..errors import BpengineError, ConflictError, NotFound, StorageError
from ..i18n import _
from ..model.spiff import spiff_text
from .core import EngineCore
from .records import Case, Incident
from .schema import CaseRow, IncidentRow, TaskRow
from .store import audit, json_data, utc

__all__ = [
    "JobOperations",
    "JobPolicy",
    "DEFAULT_POLICY",
    "open_incidents",
    "record_failure",
    "resolve",
    "retry_due",
    "to_incident",
]


@dataclass(frozen=True)
class JobPolicy:
    """How often a job is tried (``retries``, Camunda's default 3) and the wait before the
    second attempt (``backoff``), doubled before each further one."""

    retries: int = 3
    backoff: _dt.timedelta = _dt.timedelta(minutes=1)

    def __post_init__(self):
        if not isinstance(self.retries, int) or self.retries < 1:
            raise BpengineError(
                _(
                    "retries must be a whole number of at least 1 (the first "
                    "attempt), not {retries!r}"
                ).format(retries=self.retries)
            )
        if not isinstance(self.backoff, _dt.timedelta) or self.backoff.total_seconds() < 0:
            raise BpengineError(
                _("backoff must be a non-negative datetime.timedelta, not {backoff!r}").format(
                    backoff=self.backoff
                )
            )


DEFAULT_POLICY = JobPolicy()


def to_incident(row: IncidentRow) -> Incident:
    return Incident(
        row.task_id,
        row.case_id,
        row.element_id,
        row.kind,
        row.state,
        row.error,
        row.attempts,
        utc(row.next_retry),
        utc(row.created_at),
        utc(row.updated_at),
        utc(row.resolved_at),
        row.resolved_by,
    )


def open_incidents(session, case_id: str) -> dict[str, IncidentRow]:
    """The open incidents of a case by task id."""
    return {
        r.task_id: r
        for r in session.scalars(
            select(IncidentRow).where(IncidentRow.case_id == case_id, IncidentRow.state == "open")
        )
    }


def retry_due(incident: IncidentRow, now: _dt.datetime) -> bool:
    """Whether the job of an open incident may run again now."""
    return incident.next_retry is not None and utc(incident.next_retry) <= now


def _not_held(now):
    """No open incident holds the task row back (none, or its next retry has come)."""
    return ~exists(
        select(IncidentRow.task_id).where(
            IncidentRow.task_id == TaskRow.id,
            IncidentRow.state == "open",
            or_(IncidentRow.next_retry.is_(None), IncidentRow.next_retry > now),
        )
    )


def record_failure(
    session,
    case: CaseRow,
    task,
    kind: str,
    error: str,
    policy: JobPolicy,
    now: _dt.datetime,
    actor: str,
    incident: IncidentRow | None = None,
) -> IncidentRow:
    """Count a failed attempt of ``task``'s job: open or update its incident, plan the next
    retry, or fail the case when none is left. Audited as ``fail``."""
    if incident is None:
        incident = session.get(IncidentRow, task.id)
    if incident is None:
        incident = IncidentRow(
            case_id=case.id,
            task_id=task.id,
            element_id=task.element_id,
            kind=kind,
            state="open",
            error=error,
            attempts=0,
            retries_left=policy.retries,
            created_at=now,
        )
        session.add(incident)
    elif incident.state != "open":  # failing again after it was resolved: a new series
        incident.state, incident.attempts, incident.retries_left = "open", 0, policy.retries
        incident.created_at, incident.resolved_at, incident.resolved_by = now, None, None
    incident.attempts += 1
    incident.retries_left -= 1
    incident.error, incident.updated_at = error, now
    if incident.retries_left > 0:
        wait = policy.backoff * (2 ** (incident.attempts - 1))
        incident.next_retry = now + wait
        detail = f"{error} (attempt {incident.attempts}; next try {incident.next_retry:%Y-%m-%d %H:%M:%S} UTC)"
    else:
        incident.next_retry = None
        case.status, case.error = "failed", error
        detail = error if incident.attempts == 1 else f"{error} (attempt {incident.attempts})"
    audit(session, case.id, "fail", actor, now, task=task, detail=detail)
    session.flush()
    return incident


def resolve(session, case_id: str, task_ids, now: _dt.datetime, actor: str) -> None:
    """Close the open incidents of these tasks (their job ran, or the case was cancelled)."""
    query = update(IncidentRow).where(IncidentRow.case_id == case_id, IncidentRow.state == "open")
    if task_ids is not None:
        query = query.where(IncidentRow.task_id.in_(list(task_ids)))
    session.execute(
        query.values(
            state="resolved",
            resolved_at=now,
            resolved_by=actor or "",
            next_retry=None,
            updated_at=now,
        ).execution_options(synchronize_session=False)
    )


class JobOperations(EngineCore):
    """Job-level calls of :class:`~bpengine.engine.Engine`: tick, work, retry, incidents."""

    _default_policy = DEFAULT_POLICY

    def set_retries(self, element: str, retries: int, backoff: _dt.timedelta | None = None) -> None:
        """How often the job of ``element`` (a timer or service task, by id or name) is
        tried before its case fails, and the first wait between tries."""
        self._policies[str(element)] = JobPolicy(
            retries, backoff if backoff is not None else self._default_policy.backoff
        )

    def _policy(self, element_id: str, name: str | None = None) -> JobPolicy:
        for key in (element_id, name):
            if key in self._policies:
                return self._policies[key]
        return self._default_policy

    def incidents(
        self, case_id: str | None = None, *, state: str | None = "open", limit: int | None = None
    ) -> list[Incident]:
        """Incidents, oldest first: of one case or all, ``open`` (default), ``resolved``
        or any (``state=None``)."""
        with self._transaction(self._now()) as session:
            query = select(IncidentRow).order_by(IncidentRow.created_at, IncidentRow.task_id)
            if case_id is not None:
                self._case_row(session, case_id)
                query = query.where(IncidentRow.case_id == str(case_id))
            if state is not None:
                query = query.where(IncidentRow.state == state)
            return [to_incident(r) for r in session.scalars(query.limit(limit))]

    def tick(self, now: _dt.datetime | None = None, limit: int = 100) -> list[str]:
        """Fire timers due at ``now`` (default: the engine clock), deliver pending messages
        and signals cases threw for each other, and start the cases of timer start events
        whose time has come; return the cases advanced or started.

        Each case's timers run in a transaction of their own; one that fails becomes an
        incident and the others go on. Several workers can tick at once.
        """
        now = (
            now.astimezone(_dt.timezone.utc)
            if now and now.tzinfo
            else (now.replace(tzinfo=_dt.timezone.utc) if now else self._now())
        )
        advanced = self._run_jobs("timer", now, limit)
        with self._transaction(now) as session:
            advanced += self._sweep_messages(session, now, limit)
        with self._transaction(now) as session:
            advanced += self._fire_schedules(session, now, limit)
        return list(dict.fromkeys(advanced))

    def work(self, limit: int = 100) -> list[str]:
        """Run pending service tasks that have a registered handler here (left by a process
        without it, or due for a retry); return the cases advanced.

        One case per transaction; a failing handler is an incident, never a stop.
        """
        if not self._handlers:
            return []
        return self._run_jobs("service", self._now(), limit)

    def retry(self, case_id: str, actor: str = "", *, data: dict | None = None) -> Case:
        """Run the failed jobs of a case again now, with fresh retries.

        ``data`` (optional) is the fix: merged into the case data and into the data of the
        waiting tasks before they run (audited). Works on a ``failed`` case and on a running
        one whose incident waits for its next retry.

        Raises
        ------
        BpengineError
            The case has no open incident and is not failed.
        """
        data = json_data(data, f"retry {case_id}", self.limits) if data is not None else None
        now = self._now()
        with self._transaction(now) as session:
            case = self._case_row(session, case_id)
            incidents = open_incidents(session, case.id)
            if case.status != "failed" and not (incidents and case.status == "running"):
                raise BpengineError(
                    _(
                        "case {case_id} is {status} and has no open incident; "
                        "only failed cases or cases with incidents can be retried"
                    ).format(case_id=case_id, status=_(case.status))
                )
            before = dict(case.data)
            if data:
                runtime = self._runtime(session, case.definition_id)
                workflow = self._workflow(runtime, case)
                runtime.patch_data(workflow, data, list(incidents))
                case.data = {**before, **data}
                self.limits.check_size(case.data, f"retry {case_id}")
                case.state = runtime.dump(workflow, case.data)
            # A timer failed when it was due (a tick may run ahead of the clock): fire it as
            # of then.
            fired = max(
                [now] + [utc(i.updated_at) for i in incidents.values() if i.kind == "timer"]
            )
            for incident in incidents.values():
                incident.retries_left = self._policy(incident.element_id).retries
                incident.next_retry, incident.updated_at = now, now
            audit(
                session,
                case.id,
                "retry",
                actor,
                now,
                before=before if data else None,
                after=dict(case.data) if data else None,
                detail=case.error or "",
            )
            case.status, case.error = "running", None
        self._run_jobs("timer", fired, 100, case_id=case.id, actor=actor)
        self._run_jobs("service", now, 100, case_id=case.id, actor=actor)
        result = self.get(case.id)
        pending = [
            t.element_id
            for t in result.tasks
            if t.kind == "service"
            and t.element_id not in self._handlers
            and t.name not in self._handlers
        ]
        if pending and result.status == "running":
            with self._transaction(now) as session:
                audit(
                    session,
                    case.id,
                    "wait",
                    actor,
                    now,
                    detail="no handler registered here for " + ", ".join(pending),
                )
        return result

    # --- the executor ----------------------------------------------------------------------
    def _acquire(self, session, kind: str, now, tried: set, case_id: str | None):
        query = (
            select(TaskRow)
            .join(CaseRow, TaskRow.case_id == CaseRow.id)
            .where(TaskRow.kind == kind, CaseRow.status == "running", _not_held(now))
        )
        if kind == "timer":
            query = query.where(TaskRow.state == "waiting", TaskRow.due <= now).order_by(
                TaskRow.due
            )
        else:
            names = list(self._handlers)
            query = query.where(
                TaskRow.state == "pending",
                or_(TaskRow.element_id.in_(names), TaskRow.name.in_(names)),
            ).order_by(TaskRow.created_at)
        if tried:
            query = query.where(TaskRow.case_id.not_in(list(tried)))
        if case_id is not None:
            query = query.where(TaskRow.case_id == case_id)
        return session.scalar(query.limit(1).with_for_update(skip_locked=True, of=TaskRow))

    def _run_jobs(
        self, kind: str, now, limit: int, *, case_id: str | None = None, actor: str | None = None
    ) -> list[str]:
        """Run due jobs of ``kind``, one case per transaction; return the cases advanced.

        The job runs inside a savepoint: when it fails, its work is rolled back and the
        incident is written in the same transaction, while the job's row is still locked
        (no other worker can take the job between the failure and its incident).
        """
        actor = actor or ("clock" if kind == "timer" else "service")
        advanced: list[str] = []
        tried: set[str] = set()
        while len(tried) < limit:
            try:
                with self._transaction(now) as session:
                    row = self._acquire(session, kind, now, tried, case_id)
                    if row is None:
                        break
                    job = SimpleNamespace(
                        id=row.id, case_id=row.case_id, element_id=row.element_id, name=row.name
                    )
                    tried.add(job.case_id)
                    if self.db.dialect.name == "sqlite":
                        # SQLite has no row locks (and pysqlite reads outside the write
                        # transaction): take the write lock, then look again: another worker
                        # may have run the job or written its incident meanwhile.
                        session.execute(
                            update(CaseRow)
                            .where(CaseRow.id == job.case_id)
                            .values(updated_at=CaseRow.updated_at)
                            .execution_options(synchronize_session=False)
                        )
                        if self._acquire(session, kind, now, set(), job.case_id) is None:
                            continue
                    if self._run_job(session, job, kind, now, actor):
                        advanced.append(job.case_id)
            except (ConflictError, NotFound):
                continue  # another worker moved the case first: its job is done or retaken
        return advanced

    def _run_job(self, session, job, kind: str, now, actor: str) -> bool:
        """Run one job in a savepoint; on failure record its incident. Whether it ran."""
        step = (lambda rt, wf: rt.fire_timers(wf)) if kind == "timer" else (lambda rt, wf: set())
        try:
            with session.begin_nested():
                self._advance_case(session, session.get(CaseRow, job.case_id), step, actor, now)
            return True
        except (SQLAlchemyError, ConflictError, StorageError):
            raise  # a conflict or the database itself: not this job's fault
        except Exception as exc:  # noqa: BLE001 - any failure of one job is its incident
            for key in [k for k in session.info if k.startswith("bpe_")]:
                del session.info[key]  # audit and task rows of the rolled-back work
            error = f"{job.element_id}: {type(exc).__name__}: {spiff_text(exc)}"
            case = session.get(CaseRow, job.case_id)
            record_failure(
                session, case, job, kind, error, self._policy(job.element_id, job.name), now, actor
            )
            return False
