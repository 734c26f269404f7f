"""`Engine`: run cases of deployed procedures in a database, one transaction per call.

Each call loads what it needs (the case row, the definition's spec from a per-process
cache), runs the step in SpiffWorkflow through :mod:`bpengine.engine.runtime`, and writes the
new state, the task rows and the audit rows together. Concurrency is the database's job: the
case row carries a version counter (optimistic locking: a stale writer gets
:class:`~bpengine.ConflictError` and nothing is written), and the timer and service sweeps take
rows with ``SELECT ... FOR UPDATE SKIP LOCKED`` so several workers share them.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager
from types import SimpleNamespace

from sqlalchemy import func, select, update
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from ..errors import (
    BpengineError,
    ConflictError,
    ModelError,
    NotFound,
    Problem,
    StorageError,
    hide_password,
)
from ..i18n import N_, _
from ..limits import DEFAULT_LIMITS, EngineLimits
from ..model import ProcessModel, load, validate
from ..model.checks import EXPRESSION_CODES
from ..model.spiff import (
    build_specs,
    definition_digest,
    engine_key,
    engine_name,
    message_names,
    task_senders,
)
from .assignment import engine_zones, lane_ids, read_assignments, resolve_assignment, zone_name
from .events import summarise
from .forms import FormOperations, read_forms
from .jobs import JobOperations, JobPolicy, resolve
from .lengths import check_lengths
from .membership import MembershipOperations
from .messages import MessageOperations, deploy_notes
from .messages import business_key as _business_key
from .migrate import current, head, upgrade
from .migration import MigrationOperations
from .queries import QueryOperations
from .records import Case, Definition, HistoryEntry
from .runtime import STATE_FORMAT, Runtime, clock_at, dump_spec, load_spec, open_tasks
from .schedules import check_timer_starts, due_function
from .schema import OPEN_TASK_STATES, AuditRow, CaseRow, DefinitionRow, TaskRow
from .services import run_services, unhandled_services
from .steprows import save_case, sync_task_rows, write_pending
from .store import audit, connect, json_data, to_case, to_definition, to_entries, utc
from .tasks import TaskOperations

__all__ = ["Engine", "CACHED_CASES"]

#: Default of ``Engine(cached_cases=...)``: running cases whose restored instance a process
#: keeps between calls. An instance of a shipped process is some tens of kB in memory.
CACHED_CASES = 256

# Model problems the engine would not report at run time but run differently from the
# drawing: refused at deploy instead of a case that "completes" wrongly.
# Warnings deploy refuses: the engine would run something else than drawn, or a condition,
# timer or script can never evaluate (a warning only in a process marked not executable).
# the kinds of id expand_id resolves, named in its errors in the user's language
_ID_KINDS = (N_("case"), N_("task"))
_SILENTLY_WRONG = {"link-event", "conditional-flow", "reserved-id"} | EXPRESSION_CODES


def _said(definition: Definition, waiting: tuple[str, ...], new: bool = False) -> Definition:
    """The definition as a deploy call returns it: with the notes about this engine's handlers."""
    notes = definition.notes + waiting
    return dataclasses.replace(definition, new=new, notes=notes, unhandled=waiting)


def _utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


class Engine(
    JobOperations,
    TaskOperations,
    MessageOperations,
    MigrationOperations,
    QueryOperations,
    FormOperations,
    MembershipOperations,
):
    """The embedded engine.

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL: None for an in-memory SQLite database, ``sqlite:///file.db``, or
        ``postgresql+psycopg://user@host/db`` for several workers.
    clock : callable, optional
        Returns the current aware datetime; inject one to test timers.
    calendar : bpengine Scenario or Calendar, or callable, optional
        Timer durations then count working time: with a scenario calendar ``P3D`` means
        three working days and ``PT2H`` two working hours (in ``timezone``); a callable
        ``calendar(start, duration) -> due`` decides by itself. A whole Scenario also
        lends its zones (``calendar.timezone``, ``lanes.X.timezone``) where ``timezone``
        and ``lane_timezones`` do not say otherwise.
    timezone : datetime.tzinfo or str, optional
        Where the calendar's office hours are (default: the scenario's
        ``calendar.timezone``, else WIB, ``"Asia/Jakarta"``, UTC+7); an IANA name is read
        with zoneinfo. User tasks' due dates come back in it (or in their lane's zone).
    lane_timezones : dict, optional
        Lane name -> time zone (tzinfo or IANA name: ``"Asia/Makassar"`` for WITA,
        ``"Asia/Jayapura"`` for WIT) of offices outside ``timezone``: their user tasks'
        due dates count their office hours, and come back in their zone. Given over a
        scenario's lane zones, lane by lane. Starting a case refuses a lane that no
        deployed process has (a misspelt lane would silently keep the engine's zone).
    retries : int
        How often a job (a timer, a service handler) is tried before its case fails
        (default 3, as Camunda); per element with :meth:`set_retries` or ``register``.
    backoff : datetime.timedelta
        Wait before the second try of a failed job, doubled before each further one.
    migrate : bool, optional
        Upgrade the schema on connect. Default: yes for SQLite; for other databases the
        schema must already be at head (``bpengine db upgrade --db ...``).
    limits : EngineLimits, optional
        How large and deep case data may be and how many instances a multi-instance
        activity may create (:class:`bpengine.limits.EngineLimits`; defaults: 1 MiB of JSON,
        32 levels, 30-digit integers, 1,000 instances). Refused before any work is done.
    cached_cases : int
        How many running cases keep their SpiffWorkflow instance in this process between
        calls (least recently used first out; default :data:`CACHED_CASES`, 0: none). A
        kept instance is used again only while the case row's version is the one it was
        saved at, so a case another worker (process) moved is read from the database
        again; a failed step drops it.

    Examples
    --------
    >>> engine = Engine()
    >>> definition = engine.deploy(b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
    ...  id="d"><process id="p" isExecutable="true"><startEvent id="s"/>
    ...  <userTask id="t" name="Sign"/><endEvent id="e"/>
    ...  <sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    ...  <sequenceFlow id="f2" sourceRef="t" targetRef="e"/></process></definitions>''')
    >>> case = engine.start("p", {"days": 3}, actor="ani")
    >>> [task.name for task in engine.inbox()]
    ['Sign']
    >>> engine.complete(engine.inbox()[0].id, {"approved": True}, actor="budi").status
    'completed'
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        clock: Callable[[], _dt.datetime] | None = None,
        calendar=None,
        timezone: _dt.tzinfo | str | None = None,
        lane_timezones: dict | None = None,
        migrate: bool | None = None,
        retries: int = 3,
        backoff: _dt.timedelta = _dt.timedelta(minutes=1),
        limits: EngineLimits = DEFAULT_LIMITS,
        cached_cases: int | None = None,
    ):
        if not isinstance(limits, EngineLimits):
            raise BpengineError(
                _("limits must be an EngineLimits, not {got}").format(got=type(limits).__name__)
            )
        if cached_cases is None:
            cached_cases = CACHED_CASES
        if isinstance(cached_cases, bool) or not isinstance(cached_cases, int) or cached_cases < 0:
            raise BpengineError(
                _("cached_cases must be a whole number >= 0, not {got!r}").format(got=cached_cases)
            )
        self.cached_cases = cached_cases
        # case id -> (definition id, row version, state, data, workflow): _workflow, _keep
        self._cached: OrderedDict[str, tuple[int, int, str, dict, object]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.limits = limits
        self.timezone, self.lane_timezones, self.lane_zone_origins = engine_zones(
            calendar, timezone, lane_timezones
        )
        self._lanes_checked: set[str] = set()  # lane zones found in a deployed process
        self.url = url
        self.db, self._sessions = connect(url)
        self.clock = clock or _utcnow
        self.calendar = due_function(calendar, self.timezone)
        # Due dates of user tasks count in the office's zone: our working-time function
        # takes it, a caller's own callable is called as it was given.
        self._due_in = (
            None
            if self.calendar is None
            else self.calendar
            if getattr(self.calendar, "zoned", False)
            else (lambda start, duration, tz: self.calendar(start, duration))
        )
        self._handlers: dict[str, Callable] = {}
        self._job_handlers: set[str] = set()  # handlers that take (data, job)
        self._default_policy = JobPolicy(retries, backoff)
        self._policies: dict[str, JobPolicy] = {}
        self._runtimes: dict[int, Runtime] = {}
        if migrate is None:
            migrate = self.db.dialect.name == "sqlite"
        try:
            if migrate:
                upgrade(self.db)
            elif current(self.db) != head():
                raise BpengineError(
                    _(
                        "database {db} is not at schema {head}: run `bpengine db "
                        "upgrade --db ...` first"
                    ).format(db=hide_password(self.url), head=head())
                )
        except BpengineError:
            self.db.dispose()
            raise

    def close(self) -> None:
        """Release the database connections and the kept instances (the engine can no
        longer be used)."""
        with self._cache_lock:
            self._cached.clear()
        self.db.dispose()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        where = hide_password(self.url) if self.url else "in memory"
        return f"<Engine {where}>"

    # --- plumbing ------------------------------------------------------------------------
    def _now(self) -> _dt.datetime:
        return utc(self.clock())

    @contextmanager
    def _transaction(self, now: _dt.datetime):
        session = self._sessions()
        try:
            with clock_at(now), session.begin():
                yield session
                write_pending(session)
            self._keep(session.info.pop("bpe_cache", None))  # committed: safe to reuse
        except StaleDataError:
            raise ConflictError(
                _(
                    "the case was changed by another worker at the same time; "
                    "nothing was written: reload and try again"
                )
            ) from None
        except OperationalError as exc:
            text = str(exc.orig) if exc.orig is not None else str(exc)
            if "lock" in text or "could not serialize" in text or "deadlock" in text:
                raise ConflictError(
                    _(
                        "the database is busy with another worker ({detail}); nothing was written"
                    ).format(detail=text.strip())
                ) from None
            raise StorageError(hide_password(f"database error: {text.strip()}")) from None
        except DataError as exc:  # the value, not the database: retrying will not help
            text = str(exc.orig) if exc.orig is not None else str(exc)
            raise BpengineError(
                _(
                    "the database cannot store a value of this call ({why}); nothing was written"
                ).format(why=text.strip().splitlines()[0])
            ) from None
        except IntegrityError as exc:  # a concurrent insert of the same key: the caller knows
            raise BpengineError(
                _("database error: {error}: {detail}").format(
                    error=type(exc).__name__, detail=str(exc).splitlines()[0]
                )
            ) from None
        except SQLAlchemyError as exc:
            raise StorageError(
                hide_password(f"database error: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            ) from None
        finally:
            session.close()

    def _runtime(self, session, definition_id: int) -> Runtime:
        """The runtime of a definition: its spec is read and restored once per process."""
        runtime = self._runtimes.get(definition_id)
        if runtime is None:
            row = session.get(DefinitionRow, definition_id)
            if row.state_format != STATE_FORMAT:
                raise BpengineError(
                    _(
                        "definition {key} v{version} was stored by another engine version (state "
                        "format {state_format}, this bpengine reads {ours})"
                    ).format(
                        key=row.key,
                        version=row.version,
                        state_format=row.state_format,
                        ours=STATE_FORMAT,
                    )
                )
            spec, subprocess_specs = load_spec(row.spec)
            runtime = Runtime(
                spec,
                subprocess_specs,
                row.trust_scripts,
                self.calendar,
                senders=(row.events or {}).get("senders"),
                key=row.key,
                version=row.version,
                forms=read_forms(row.source),
                assignments=read_assignments(row.source),
                limits=self.limits,
            )
            self._runtimes[definition_id] = runtime
        return runtime

    #: Tests set this: a kept instance must dump to exactly the state it is reused for.
    _check_cache = False

    def _workflow(self, runtime: Runtime, case: CaseRow):
        """The case's instance: the one kept from this process's last call on it when the
        case row is still at the version that call saved, else restored from ``case.state``.

        The kept one is taken out of the cache: until this call commits (see :meth:`_keep`)
        no other call can get it, and a call that fails never puts back what it changed.
        """
        with self._cache_lock:
            kept = self._cached.pop(case.id, None)
        # The version is what other workers bump; the columns themselves are compared too
        # (a string and a dict compare, far cheaper than a restore), so a row edited behind
        # the engine's back without a new version is read again and checked as before.
        if kept is None or kept[:4] != (case.definition_id, case.version, case.state, case.data):
            return runtime.restore(case.state, case)
        workflow = kept[4]
        runtime.reuse(workflow, case)
        if self._check_cache:
            differs = runtime.differs(workflow, case.state, case)
            if differs:
                raise BpengineError(
                    f"internal: the kept instance of case {case.id} differs "
                    f"from the saved one in {differs}"
                )
        return workflow

    def _keep(self, saved: dict | None) -> None:
        """After a commit: keep the instances of the running cases the call saved, with
        the version their row now has (see :meth:`_workflow`)."""
        if not saved or not self.cached_cases:
            return
        with self._cache_lock:
            for row, state, data, workflow in saved.values():
                # a row written again after the save (other state or data): not what we hold
                if row.status != "running" or row.state is not state or row.data is not data:
                    continue
                workflow.bpe_case = None  # the row belongs to a closed session
                self._cached[row.id] = (row.definition_id, row.version, state, data, workflow)
                self._cached.move_to_end(row.id)
            while len(self._cached) > self.cached_cases:
                self._cached.popitem(last=False)

    @staticmethod
    def _case_row(session, case_id: str) -> CaseRow:
        row = session.get(CaseRow, str(case_id))
        if row is None:
            raise NotFound(_("no case {case_id!r}").format(case_id=case_id))
        return row

    # --- definitions ---------------------------------------------------------------------
    def deploy(
        self,
        source: str | os.PathLike | bytes | ProcessModel,
        *,
        trust_scripts: bool = False,
        actor: str = "",
    ) -> Definition:
        """Deploy a BPMN model; same content gives the same version, new content a new one
        (the returned :class:`Definition` says which: ``new``).

        The content is the model and the files of the processes its call activities call
        (beside it): editing a called subprocess and deploying its caller again gives the
        caller a new version, which runs the edited subprocess; running cases keep theirs.

        Raises
        ------
        ModelError
            The model cannot be loaded or run; it has errors (no end reachable, ...), link
            events or conditions on flows leaving a task (SpiffWorkflow would silently run
            it differently from the drawing); or it has script tasks and ``trust_scripts``
            is false.
        """
        model = source if isinstance(source, ProcessModel) else load(source)
        _found, problems = validate(model, schema=False)
        wrong = [p for p in problems if p.severity == "error" or p.code in _SILENTLY_WRONG]
        if wrong:
            raise ModelError(wrong)
        scripts = [e for e in model.elements.values() if e.kind == "scriptTask"]
        if scripts and not trust_scripts:
            raise ModelError(
                [
                    Problem(
                        _(
                            "script tasks run arbitrary code; deploy with "
                            "trust_scripts=True only if you trust this file"
                        ),
                        file=model.file,
                        line=e.line,
                        element_id=e.id,
                        element_name=e.name or None,
                        code="script-task",
                    )
                    for e in scripts
                ]
            )
        try:
            read_forms(model.to_bytes())  # a form the engine cannot enforce is refused now
        except BpengineError as exc:
            raise ModelError([Problem(str(exc), file=model.file, code="form-field")]) from None
        try:  # and an assignment or due date it cannot read
            read_assignments(model.to_bytes())
        except BpengineError as exc:
            raise ModelError([Problem(str(exc), file=model.file, code="assignment")]) from None
        spec, subprocess_specs = build_specs(model)
        spec_json = dump_spec(spec, subprocess_specs)
        key, name = engine_key(model), engine_name(model)
        events = {
            **summarise(spec, subprocess_specs),
            "senders": task_senders(model),
            "notes": deploy_notes(model, message_names(model)),
        }
        check_timer_starts(model, events, self._now())
        check_lengths(model, key, name, message_names(model), events)  # PostgreSQL would refuse
        waiting = unhandled_services(model, self._handlers)  # said, never stored
        now = self._now()
        digest = definition_digest(model)  # the called subprocesses' files count too
        for _attempt in range(3):
            try:
                with self._transaction(now) as session:
                    row = session.scalar(
                        select(DefinitionRow).where(DefinitionRow.digest == digest)
                    )
                    if row is None:
                        latest = (
                            session.scalar(
                                select(func.max(DefinitionRow.version)).where(
                                    DefinitionRow.key == key
                                )
                            )
                            or 0
                        )
                        row = DefinitionRow(
                            key=key,
                            version=latest + 1,
                            name=name,
                            digest=digest,
                            source=model.to_bytes(),
                            spec=spec_json,
                            state_format=STATE_FORMAT,
                            trust_scripts=bool(trust_scripts),
                            deployed_at=now,
                            deployed_by=actor or "",
                            events=events,
                        )
                        session.add(row)
                        session.flush()
                        self._plan_schedules(session, row, events, now)
                        return _said(to_definition(row), waiting, new=True)
                    return _said(to_definition(row), waiting)
            except BpengineError as exc:
                if not isinstance(exc.__context__, IntegrityError):
                    raise  # a concurrent deploy of the same file inserted first: read it
        raise ConflictError(
            _("could not deploy {file}: other workers kept deploying").format(file=model.file)
        )

    def definitions(self, key: str | None = None) -> list[Definition]:
        """Deployed versions, oldest first (of one key, or all)."""
        with self._transaction(self._now()) as session:
            query = select(DefinitionRow).order_by(DefinitionRow.key, DefinitionRow.version)
            if key is not None:
                query = query.where(DefinitionRow.key == key)
            return [to_definition(r) for r in session.scalars(query)]

    def unhandled(self, key: str | Definition, version: int | None = None) -> tuple[str, ...]:
        """A note for each service task of a deployed version that no handler of this
        engine runs (as :meth:`deploy` says in ``Definition.unhandled``), by key alone.

        Handlers belong to the engine, not to the database, so this is worked out from the
        stored model each call: a case started by key would otherwise wait without a word.
        """
        with self._transaction(self._now()) as session:
            source = self._definition_row(session, key, version).source
        return unhandled_services(load(source), self._handlers)

    def _definition_row(self, session, key, version=None) -> DefinitionRow:
        if isinstance(key, Definition):
            row = session.get(DefinitionRow, key.id)
        else:
            query = select(DefinitionRow).where(DefinitionRow.key == str(key))
            if version is not None:
                query = query.where(DefinitionRow.version == int(version))
            row = session.scalar(query.order_by(DefinitionRow.version.desc()).limit(1))
        if row is None:
            known = sorted(set(session.scalars(select(DefinitionRow.key))))
            deployed = ", ".join(known) or _("none")
            name = getattr(key, "key", key)
            raise NotFound(
                _("no deployed definition {key!r} (deployed: {deployed})").format(
                    key=name, deployed=deployed
                )
                if version is None
                else _(
                    "no deployed definition {key!r} version {version} (deployed: {deployed})"
                ).format(key=name, version=version, deployed=deployed)
            )
        return row

    # --- cases ---------------------------------------------------------------------------
    def start(
        self,
        key: str | Definition,
        data: dict | None = None,
        *,
        actor: str = "",
        version: int | None = None,
        business_key: str | None = None,
    ) -> Case:
        """Start a case of the newest version of ``key`` (or of that ``version``).

        ``business_key`` is the application's reference for the case (a registration
        number): :meth:`correlate` finds the case by it.
        """
        data = json_data(data, f"start {getattr(key, 'key', key)}", self.limits)
        business_key = _business_key(business_key)
        now = self._now()
        with self._transaction(now) as session:
            definition = self._definition_row(session, key, version)
            return self._new_case(session, definition, data, actor, now, business_key)[0]

    def _new_case(
        self,
        session,
        definition: DefinitionRow,
        data: dict,
        actor: str,
        now: _dt.datetime,
        business_key: str | None,
        *,
        trigger=None,
        fired_start: str | None = None,
    ):
        """Create, run and save a case; return ``(Case, elements that caught trigger)``.

        ``trigger`` is ``(kind, name, payload, detail)`` of a message or signal that starts
        it; ``fired_start`` the timer start event a schedule fired.
        """
        runtime = self._runtime(session, definition.id)
        if self.lane_timezones.keys() - self._lanes_checked:
            self._check_lane_zones(
                session, definition.key, definition.source, runtime.lanes, definition.id
            )
        workflow = runtime.new(data, fired_start=fired_start)
        caught, finished = runtime.begin(workflow, trigger and trigger[:3], definition.key)
        row = CaseRow(
            id=str(uuid.uuid4()),
            definition_id=definition.id,
            status="running",
            state="",
            data=data,
            started_by=actor or "",
            started_at=now,
            updated_at=now,
            business_key=business_key,
        )
        session.add(row)
        session.flush()
        how = f"{definition.key} v{definition.version}"
        if trigger is not None:
            how += f" on {trigger[0]} {trigger[1]!r}"
        elif fired_start:
            how += f" on timer {fired_start}"
        audit(session, row.id, "start", actor, now, after=data, detail=how)
        if trigger is not None:
            row.data = {**data, **trigger[2]}
            self.limits.check_size(row.data, how)
            session.info["bpe_delivered"] = {
                e: (actor, data, dict(row.data), trigger[3]) for e in caught
            }
        open_rows = self._save(session, row, runtime, workflow, finished, actor, now)
        return to_case(session, row, runtime, open_rows), caught

    def _save(
        self,
        session,
        row: CaseRow,
        runtime: Runtime,
        workflow,
        finished: set[str],
        actor: str,
        now: _dt.datetime,
    ) -> list[SimpleNamespace]:
        """Run ready service handlers, then write state, task rows, status and audit rows.

        Returns the case's open task rows."""
        self._audit_catches(session, row, runtime, finished, now)  # before what they led to
        workflow = run_services(session, row, runtime, workflow, finished, self, now)
        self._audit_catches(session, row, runtime, finished, now)
        self._route_thrown(session, row, runtime, workflow, now)
        with session.no_autoflush:  # one flush at the end: one UPDATE of the case row
            frontier = open_tasks(workflow)
            open_rows, closed = sync_task_rows(session, row.id, frontier, finished, now, actor)
        if runtime.assignments or self.lane_timezones:
            self._assign(session, row, runtime, open_rows, frontier, now)
        jobs_closed = [t.id for t in closed if t.kind in ("timer", "service")]
        if jobs_closed:  # their job ran (or was cancelled): an incident on it is over
            resolve(session, row.id, jobs_closed, now, actor)
        for task in closed:
            if task.kind == "timer" and task.state == "completed":
                audit(
                    session,
                    row.id,
                    "timer",
                    "clock",
                    now,
                    task=task,
                    detail=f"timer {task.element_id} fired",
                )
        for task in closed:  # after the timer that interrupted them
            if task.kind in ("user", "service") and task.state == "cancelled":
                audit(
                    session,
                    row.id,
                    "cancelled",
                    actor,
                    now,
                    task=task,
                    detail=f"{task.element_id} cancelled by the step that interrupted it",
                )
        if runtime.completed(workflow) and row.status == "running":
            row.status, row.ended_at = "completed", now
            row.outcome = (
                ", ".join(sorted(e for e in runtime.end_events if "@" + e in finished)) or None
            )
            # Ending changes no data: {} (history() shows the data the rows before left).
            audit(session, row.id, "end", actor, now, after={}, detail=row.outcome or "")
        row.state = runtime.dump(workflow, row.data)
        row.updated_at = now
        save_case(session, row)  # the case row's version check happens here
        write_pending(session)
        # kept for the next call once this transaction commits (_transaction, _keep); a
        # job's failure drops the bpe_ keys (jobs._run_job)
        session.info.setdefault("bpe_cache", {})[row.id] = (row, row.state, row.data, workflow)
        return open_rows

    def check_start_data(
        self, source: str | os.PathLike | bytes | ProcessModel, data: dict | None
    ) -> None:
        """Refuse, before deploying ``source``, case data :meth:`start` would refuse (the
        :class:`EngineLimits`, plain JSON), in the same words: a program that deploys and
        starts in one go (``bpengine case start FILE``) calls this first, so a refused
        start stores nothing, not even the definition.

        Raises
        ------
        BpengineError
            Naming the call, the variable and the setting, as :meth:`start` does.
        """
        model = source if isinstance(source, ProcessModel) else load(source)
        json_data(data, f"start {engine_key(model)}", self.limits)

    def check_lane_zones(self, source: str | os.PathLike | bytes | ProcessModel) -> None:
        """Refuse, before deploying ``source``, a lane zone (``lane_timezones``, the
        scenario's ``lanes.X.timezone``) whose lane neither it nor any deployed process has.

        :meth:`start` refuses such a zone anyway; a program that deploys and starts in one
        go (``bpengine case start FILE``) calls this first, so nothing is stored in vain.
        With several processes to deploy, deploy them all before starting instead.

        Raises
        ------
        BpengineError
            Naming the setting (``lane_timezones``, or the scenario file and key) and the lane.
        """
        if not self.lane_timezones.keys() - self._lanes_checked:
            return
        model = source if isinstance(source, ProcessModel) else load(source)
        lanes = {e.lane for e in model.elements.values() if e.lane}
        with self._transaction(self._now()) as session:
            self._check_lane_zones(session, engine_key(model), model.to_bytes(), lanes)

    def _check_lane_zones(
        self, session, key: str, source: bytes, lanes: set, own: int | None = None
    ) -> None:
        """Refuse a lane zone whose lane neither this process (``key``, ``source``, its
        ``lanes``; ``own`` its definition id once stored) nor any other deployed one has:
        it would never apply, and due dates would silently count the engine's zone."""
        self._lanes_checked |= self.lane_timezones.keys() & lanes
        unknown = self.lane_timezones.keys() - self._lanes_checked
        if not unknown:
            return
        # a scenario may name a lane by its id (lanes.L_wilayah.timezone): the engine
        # matches task rows by lane name
        for lane_id, lane in lane_ids(source).items():
            if lane_id in unknown and lane not in self.lane_timezones:
                self.lane_timezones[lane] = self.lane_timezones.pop(lane_id)
                self.lane_zone_origins[lane] = self.lane_zone_origins.pop(lane_id, "")
                self._lanes_checked.add(lane)
                unknown.discard(lane_id)
        # an engine may serve several processes: a lane zone may be for another one
        newest = select(func.max(DefinitionRow.id)).group_by(DefinitionRow.key)
        for other in session.scalars(select(DefinitionRow.id).where(DefinitionRow.id.in_(newest))):
            if other != own and unknown:
                self._lanes_checked |= unknown & self._runtime(session, other).lanes
        unknown -= self._lanes_checked
        if unknown:
            lane = sorted(unknown)[0]
            raise BpengineError(
                _(
                    "{origin}: no lane {lane!r} in {key} nor in any other deployed process "
                    "(lanes of {key}: {lanes})"
                ).format(
                    origin=self.lane_zone_origins.get(lane, "lane_timezones"),
                    lane=lane,
                    key=key,
                    lanes=", ".join(sorted(lanes)) or _("none"),
                )
            )

    def _zone_of(self, lane: str | None) -> _dt.tzinfo:
        return self.lane_timezones.get(lane, self.timezone) if lane else self.timezone

    def _assign(self, session, row: CaseRow, runtime: Runtime, open_rows, frontier, now) -> None:
        """Give new user tasks their assignee, candidates, due and follow-up dates, and
        their office's zone (camunda attributes; see :mod:`bpengine.engine.assignment`)."""
        new = {v["id"]: v for v in session.info.get("bpe_new_tasks", ())}
        own = {t.id: t.data for t in frontier if t.kind == "user"}
        for task in open_rows:
            if task.id not in new or task.kind != "user":
                continue
            tz = self._zone_of(task.lane)
            values = {"zone": zone_name(tz)}
            spec = runtime.assignments.get(task.element_id)
            if spec is not None:
                # a task's own data holds a multi-instance item (${reviewer})
                data = {**row.data, **(own.get(task.id) or {})}
                values.update(resolve_assignment(spec, data, now, tz, self._due_in))
            new[task.id].update(values)
            for name, value in values.items():
                setattr(task, name, value)

    def get(self, case_id: str) -> Case:
        """The case with its open tasks. Raises NotFound."""
        with self._transaction(self._now()) as session:
            row = self._case_row(session, case_id)
            return to_case(session, row, self._runtime(session, row.definition_id))

    def cases(
        self,
        status: str | None = None,
        definition: str | Definition | None = None,
        limit: int | None = None,
    ) -> list[Case]:
        """Cases, oldest first, filtered by status and/or definition key (or version)."""
        with self._transaction(self._now()) as session:
            query = select(CaseRow, DefinitionRow).join(
                DefinitionRow, CaseRow.definition_id == DefinitionRow.id
            )
            if status is not None:
                query = query.where(CaseRow.status == status)
            if isinstance(definition, Definition):
                query = query.where(CaseRow.definition_id == definition.id)
            elif definition is not None:
                query = query.where(DefinitionRow.key == definition)
            query = query.order_by(CaseRow.started_at, CaseRow.id).limit(limit)
            found = session.execute(query).all()
            # One query for the open tasks of all these cases, not one per case.
            open_rows: dict[str, list[TaskRow]] = {c.id: [] for c, _ in found}
            for chunk in range(0, len(found), 500):
                ids = [c.id for c, _ in found[chunk : chunk + 500]]
                for task in session.scalars(
                    select(TaskRow).where(
                        TaskRow.case_id.in_(ids), TaskRow.state.in_(OPEN_TASK_STATES)
                    )
                ):
                    open_rows[task.case_id].append(task)
            return [to_case(session, c, d, open_rows[c.id]) for c, d in found]

    def expand_id(self, kind: str, prefix: str) -> str:
        """The full id of the case or task (``kind``) whose id starts with ``prefix``.

        Lets people type the first characters of an id, as they read it in a listing.

        Raises
        ------
        NotFound
            No id starts with ``prefix``.
        BpengineError
            Several do: the message lists them, so the user can type one more character.
        """
        tables: dict[str, type[CaseRow] | type[TaskRow]] = {"case": CaseRow, "task": TaskRow}
        table = tables.get(kind)
        if table is None:
            raise BpengineError(
                _("expand_id: kind is 'case' or 'task', not {kind!r}").format(kind=kind)
            )
        prefix = str(prefix).strip()
        if not prefix:
            raise NotFound(_("no {kind} id given").format(kind=_(kind)))
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with self._transaction(self._now()) as session:
            if session.get(table, prefix) is not None:
                return prefix
            found = list(
                session.scalars(
                    select(table.id)
                    .where(table.id.like(escaped + "%", escape="\\"))
                    .order_by(table.id)
                    .limit(11)
                )
            )
        if not found:
            raise NotFound(
                _("no {kind} {prefix!r} (no {kind} id starts with it)").format(
                    kind=_(kind), prefix=prefix
                )
            )
        if len(found) > 1:
            shown = ", ".join(found[:10]) + (", ..." if len(found) > 10 else "")
            raise BpengineError(
                _(
                    "{kind} id {prefix!r} is ambiguous: it starts "
                    "{n_found}{more} ids ({shown}); give more characters"
                ).format(
                    kind=_(kind),
                    prefix=prefix,
                    n_found=len(found),
                    more="+" if len(found) > 10 else "",
                    shown=shown,
                )
            )
        return found[0]

    def history(self, case_id: str) -> list[HistoryEntry]:
        """The audit trail of a case, oldest first. Raises NotFound."""
        with self._transaction(self._now()) as session:
            self._case_row(session, case_id)
            rows = session.scalars(
                select(AuditRow).where(AuditRow.case_id == str(case_id)).order_by(AuditRow.id)
            )
            return to_entries(rows)

    def cancel(self, case_id: str, reason: str = "", *, actor: str = "") -> Case:
        """Cancel a running or failed case; its open tasks are cancelled with it."""
        now = self._now()
        with self._transaction(now) as session:
            row = self._case_row(session, case_id)
            if row.status not in ("running", "failed"):
                raise BpengineError(
                    _(
                        "case {case_id} is {status}; only running or failed cases can be cancelled"
                    ).format(case_id=case_id, status=_(row.status))
                )
            row.status, row.ended_at, row.updated_at = "cancelled", now, now
            session.execute(
                update(TaskRow)
                .where(TaskRow.case_id == row.id, TaskRow.state.in_(OPEN_TASK_STATES))
                .values(state="cancelled", finished_at=now, finished_by=actor or "")
            )
            audit(session, row.id, "cancel", actor, now, before=dict(row.data), detail=reason)
            resolve(session, row.id, None, now, actor)
            session.flush()
            return to_case(session, row, self._runtime(session, row.definition_id), [])
