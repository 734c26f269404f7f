"""The engine's message operations: correlate a message, broadcast a signal, and the sweeps
that deliver what cases threw for each other and start cases on timer-start schedules.

A mixin of :class:`bpengine.engine.Engine`. Every message and signal is a row of
``bpe_messages`` whose id is the sender's message id: it is written in the same transaction
as the delivery, so a message is delivered exactly once however often it is sent, and a
worker killed half-way leaves it undelivered (pending) for the next one. Within one case (the
pools of one collaboration) messages never leave SpiffWorkflow; what a case throws for
nobody in it becomes a ``pending`` row that :meth:`~MessageOperations.tick` delivers to
other cases (``FOR UPDATE SKIP LOCKED``, as for timers), or an ``outbound`` row for the
application when no deployed process catches it.
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.exc import IntegrityError

from ..errors import BpengineError, NotFound
from ..i18n import _
from .records import Message
from .schedules import ScheduleOperations
from .schema import CaseRow, DefinitionRow, MessageRow, TaskRow
from .store import audit, json_data, utc

__all__ = ["MessageOperations", "business_key", "deploy_notes"]


def business_key(value) -> str | None:
    """A business key as stored: text, or None."""
    if value is None:
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool) or str(value) == "":
        raise BpengineError(
            _("business key must be non-empty text or a number, not {value!r}").format(value=value)
        )
    room = CaseRow.business_key.type.length  # PostgreSQL refuses more; SQLite kept it
    if len(str(value)) > room:
        raise BpengineError(
            _(
                "business key {value!r}... is {n_value} characters long; the "
                "engine stores at most {room}"
            ).format(value=str(value)[:40], n_value=len(str(value)), room=room)
        )
    return str(value)


def deploy_notes(model, names: dict[str, str]) -> list[str]:
    """What a deployment should tell about its message flows (kept with the definition).

    Written in the deployer's language (``--lang``), as a log line is: whoever deploys reads
    them at once, and they are stored as said.

    Where a message comes from outside the engine and what to call to deliver it; message
    flows the engine does not act on (into a task that does not wait for messages).
    """
    notes, outside = [], set()
    running = {p.id for p in model.processes.values() if p.executable}
    for h in model.handovers:
        receiver = model.elements.get(h.receiver) if h.receiver else None
        sender = model.elements.get(h.sender) if h.sender else None
        if receiver is None or receiver.process not in running:
            continue
        if sender is None or sender.process not in running:
            if receiver.id in names:
                outside.add(
                    _(
                        "{element} waits for {message!r} from outside the engine: "
                        "deliver it with correlate({message!r}, business_key=...)"
                    ).format(element=receiver.id, message=names[receiver.id])
                )
        elif receiver.is_task and receiver.kind != "receiveTask":
            notes.append(
                _(
                    "message flow {flow}: {kind} {element} does not wait for the "
                    "message (only catch events and receive tasks do); it becomes ready "
                    "when its sequence flow reaches it"
                ).format(flow=h.flow, kind=receiver.kind, element=receiver.id)
            )
    return sorted(outside) + notes


def _to_message(row: MessageRow, duplicate: bool = False) -> Message:
    targets = row.targets or []
    return Message(
        row.id,
        row.kind,
        row.name,
        row.business_key,
        row.state,
        dict(row.data),
        row.source_case_id,
        utc(row.created_at),
        utc(row.delivered_at),
        tuple(t[0] for t in targets),
        tuple(t[1] for t in targets),
        tuple(t[0] for t in targets if t[2]),
        duplicate,
    )


_WAITING: dict = {}
_ANY_PENDING = select(MessageRow.id).where(MessageRow.state == "pending").limit(1)


class _Ambiguous(BpengineError):
    """Several cases wait for one message."""


def _matches(data: dict, correlation: dict | None) -> bool:
    return all(data.get(k) == v for k, v in (correlation or {}).items())


class MessageOperations(ScheduleOperations):
    """Message-level calls of :class:`~bpengine.engine.Engine` (see there for the setup)."""

    # --- public ------------------------------------------------------------------------
    def correlate(
        self,
        name: str,
        *,
        business_key: str | None = None,
        correlation: dict | None = None,
        data: dict | None = None,
        message_id: str | None = None,
        keep: bool = False,
        actor: str = "",
    ) -> Message:
        """Deliver message ``name`` to the one case waiting for it (Camunda's
        ``correlateMessage``), or start a case with a message start event for it.

        Parameters
        ----------
        business_key : str, optional
            Only the case started with this business key.
        correlation : dict, optional
            Only a case whose data has these values (``{"nik": "3273..."}``).
        data : dict, optional
            The message's content, merged into the case data.
        message_id : str, optional
            The sender's id: a message with an id already handled is not delivered again
            (the returned record says ``duplicate``). Give one whenever a sender may retry.
        keep : bool
            When no case waits yet, keep the message (``pending``) and deliver it on a
            later :meth:`tick` once a case waits for it, instead of raising NotFound.

        Returns
        -------
        Message
            ``case_ids``/``element_ids`` say which case and element caught it, ``started``
            the case it started, ``state`` is ``pending`` when kept.

        Raises
        ------
        NotFound
            No case waits for it and no deployed process starts with it (and not ``keep``).
        BpengineError
            Several cases wait for it: narrow with ``business_key`` or ``correlation``.
        ConflictError
            The case was changed by another worker at the same time: send again (with the
            same ``message_id`` it is still delivered once).
        """
        return self._send("message", name, business_key, correlation, data, message_id, keep, actor)

    def signal(
        self, name: str, data: dict | None = None, *, message_id: str | None = None, actor: str = ""
    ) -> Message:
        """Broadcast signal ``name`` to every running case waiting for it and start a case
        of each process whose start event catches it. A signal nobody waits for is
        recorded and does nothing (a broadcast is not addressed to anyone)."""
        return self._send("signal", name, None, None, data, message_id, False, actor)

    def messages(
        self,
        state: str | None = None,
        *,
        name: str | None = None,
        case_id: str | None = None,
        limit: int | None = None,
    ) -> list[Message]:
        """Messages and signals, oldest first: by ``state`` (``delivered``, ``pending``,
        ``outbound``), ``name``, or the case that threw them."""
        with self._transaction(self._now()) as session:
            query = select(MessageRow).order_by(MessageRow.created_at, MessageRow.id)
            if state is not None:
                query = query.where(MessageRow.state == state)
            if name is not None:
                query = query.where(MessageRow.name == name)
            if case_id is not None:
                query = query.where(MessageRow.source_case_id == str(case_id))
            return [_to_message(r) for r in session.scalars(query.limit(limit))]

    # --- delivery ----------------------------------------------------------------------
    def _send(self, kind, name, key, correlation, data, message_id, keep, actor) -> Message:
        if not isinstance(name, str) or not name.strip():
            raise BpengineError(_("{kind}: a name is required").format(kind=_(kind)))
        data = json_data(data, f"{kind} {name!r}", self.limits)
        correlation = json_data(correlation, f"{kind} {name!r} correlation", self.limits) or None
        key = business_key(key)
        message_id = str(message_id) if message_id is not None else str(uuid.uuid4())
        now = self._now()
        try:
            with self._transaction(now) as session:
                row = session.get(MessageRow, message_id)
                if row is not None:
                    return _to_message(row, duplicate=True)
                row = MessageRow(
                    id=message_id,
                    kind=kind,
                    name=name,
                    business_key=key,
                    correlation=correlation,
                    data=data,
                    state="pending",
                    source_case_id=None,
                    targets=[],
                    actor=actor or "",
                    created_at=now,
                    delivered_at=None,
                    detail="",
                )
                self._dispatch(session, row, now, lock_wait=True)
                if row.state == "pending" and kind == "message" and not keep:
                    raise self._nobody_waits(session, row)
                session.add(row)
                session.flush()
                return _to_message(row)
        except BpengineError as exc:
            if not isinstance(exc.__context__, IntegrityError) and not isinstance(exc, NotFound):
                raise
            # A concurrent send of the same id won (or delivered it before we looked).
            with self._transaction(now) as session:
                row = session.get(MessageRow, message_id)
                if row is None:
                    raise
                return _to_message(row, duplicate=True)

    def _nobody_waits(self, session, row: MessageRow) -> NotFound:
        waiting = session.scalars(
            select(CaseRow.business_key)
            .join(TaskRow, TaskRow.case_id == CaseRow.id)
            .where(
                TaskRow.kind == "message",
                TaskRow.state == "waiting",
                TaskRow.message == row.name,
                CaseRow.status == "running",
            )
            .limit(6)
        ).all()
        names = sorted(
            set(
                session.scalars(
                    select(TaskRow.message)
                    .join(CaseRow, TaskRow.case_id == CaseRow.id)
                    .where(
                        TaskRow.kind == "message",
                        TaskRow.state == "waiting",
                        CaseRow.status == "running",
                    )
                    .distinct()
                    .limit(20)
                )
            )
            - {None}
        )
        what = _("message {name!r}").format(name=row.name)
        if row.business_key is not None:
            what += _(" with business key {key!r}").format(key=row.business_key)
        if row.correlation:
            what += _(" and data {data}").format(data=row.correlation)
        if waiting:
            keys = ", ".join(repr(k) for k in waiting[:5]) + (", ..." if len(waiting) > 5 else "")
            hint = _("cases with business keys {keys} wait for {name!r}").format(
                keys=keys, name=row.name
            )
        elif names:
            hint = _("running cases wait for: {names}").format(
                names=", ".join(repr(n) for n in names)
            )
        else:
            hint = _("no running case waits for any message")
        return NotFound(
            _(
                "no case waits for {what} and no deployed process starts with it "
                "({hint}); keep it until one does with keep=True (CLI: --keep)"
            ).format(what=what, hint=hint)
        )

    def _waiting(
        self, session, kind, name, key, correlation, *, exclude=None, lock_wait=True
    ) -> list[tuple[TaskRow, CaseRow]]:
        """Waiting rows for ``kind``/``name`` of running cases that match, oldest first.

        The task rows are locked: a synchronous call waits for a worker busy with the case;
        a sweep skips it (and tries again on its next tick)."""
        shape = (key is not None, exclude is not None, lock_wait)
        query = _WAITING.get(shape)
        if query is None:  # built once per shape: building costs more than running on SQLite
            query = (
                select(TaskRow, CaseRow)
                .join(CaseRow, TaskRow.case_id == CaseRow.id)
                .where(
                    TaskRow.kind == bindparam("kind"),
                    TaskRow.state == "waiting",
                    TaskRow.message == bindparam("name"),
                    CaseRow.status == "running",
                )
                .order_by(TaskRow.created_at, TaskRow.id)
                .with_for_update(of=TaskRow, skip_locked=not lock_wait)
            )
            if key is not None:
                query = query.where(CaseRow.business_key == bindparam("key"))
            if exclude is not None:
                query = query.where(CaseRow.id != bindparam("exclude"))
            query = _WAITING[shape] = query
        found = session.execute(
            query, {"kind": kind, "name": name, "key": key, "exclude": exclude}
        ).all()
        return [(t, c) for t, c in found if _matches(c.data, correlation)]

    def _starters(self, session, kind: str, name: str) -> list[DefinitionRow]:
        """The newest version of each process whose start event catches ``kind``/``name``."""
        newest = {}
        for id_, key, _version, events in self._summaries(session):
            newest[key] = (id_, events)
        return [
            session.get(DefinitionRow, id_)
            for id_, events in newest.values()
            if name in events["starts"][kind]
        ]

    def _summaries(self, session) -> list[tuple[int, str, int, dict]]:
        """``(id, key, version, events)`` of every definition, oldest version first; only
        these columns, never the stored model and spec."""
        rows = session.execute(
            select(
                DefinitionRow.id, DefinitionRow.key, DefinitionRow.version, DefinitionRow.events
            ).order_by(DefinitionRow.version, DefinitionRow.id)
        ).all()
        # Rows deployed before migration 0003 have no summary: read it from the spec.
        return [(i, k, v, e or self._runtime(session, i).events) for i, k, v, e in rows]

    def _dispatch(self, session, row: MessageRow, now, *, lock_wait: bool) -> None:
        """Deliver ``row`` now if anyone takes it; else leave it ``pending``."""
        if row.kind == "message":
            targets = self._waiting(
                session, "message", row.name, row.business_key, row.correlation, lock_wait=lock_wait
            )
            cases = list(dict.fromkeys(c.id for _, c in targets))
            if len(cases) > 1:
                raise _Ambiguous(
                    _(
                        "message {name!r} is awaited by {n} cases ({cases}): give a "
                        "business_key or correlation that picks one"
                    ).format(
                        name=row.name,
                        n=len(cases),
                        cases=", ".join(cases[:3]) + (", ..." if len(cases) > 3 else ""),
                    )
                )
            groups = [targets] if targets else []
        else:
            targets = self._waiting(
                session,
                "signal",
                row.name,
                None,
                None,
                exclude=row.source_case_id,
                lock_wait=lock_wait,
            )
            by_case: dict[str, list[tuple[TaskRow, CaseRow]]] = {}
            for task, case in targets:
                by_case.setdefault(case.id, []).append((task, case))
            groups = list(by_case.values())
        detail = f"{row.kind} {row.name!r}" + (f" id {row.id}" if row.id else "")
        hits = []
        for group in groups:
            case = group[0][1]
            elements = {t.element_id for t, _ in group}
            caught = self._deliver(
                session,
                case,
                row.kind,
                row.name,
                dict(row.data),
                elements,
                row.actor or row.kind,
                now,
                detail,
            )
            hits += [[case.id, e, False] for e in caught]
        if not hits:
            for definition in self._starters(session, row.kind, row.name):
                trigger = (row.kind, row.name, dict(row.data), detail)
                started, caught = self._new_case(
                    session, definition, {}, row.actor, now, row.business_key, trigger=trigger
                )
                hits += [[started.id, e, True] for e in caught]
                if row.kind == "message":
                    break
        if hits or row.kind == "signal":
            row.state, row.delivered_at, row.targets = "delivered", now, hits

    def _deliver(
        self, session, case: CaseRow, kind, name, payload, elements, actor, now, detail
    ) -> list[str]:
        runtime = self._runtime(session, case.definition_id)
        self.limits.check_size({**case.data, **payload}, f"case {case.id}: {kind} {name!r}")
        workflow = self._workflow(runtime, case)
        caught, finished = runtime.deliver(
            workflow, kind, name, payload, every=kind == "signal", elements=elements
        )
        if not caught:
            raise BpengineError(
                _(
                    "internal: case {id} has a waiting row for {kind} {name!r} "
                    "but its instance does not wait for it"
                ).format(id=case.id, kind=kind, name=name)
            )
        before = dict(case.data)
        case.data = {**before, **payload}
        session.info["bpe_delivered"] = {
            e: (actor, before, dict(case.data), detail) for e in caught
        }
        self._save(session, case, runtime, workflow, finished, actor, now)
        return caught

    # --- hooks of Engine._save ------------------------------------------------------------
    def _audit_catches(self, session, row: CaseRow, runtime, finished: set[str], now) -> None:
        """One audit row per message or signal caught in this step, from outside or not."""
        delivered = session.info.get("bpe_delivered", {})
        done = session.info.setdefault("bpe_audited", set())
        for element, (kind, name) in runtime.catch_elements.items():
            if "@" + element not in finished or (row.id, element) in done:
                continue
            done.add((row.id, element))
            where = SimpleNamespace(id=None, element_id=element)
            if element in delivered:
                actor, before, after, detail = delivered[element]
                audit(
                    session,
                    row.id,
                    kind,
                    actor,
                    now,
                    task=where,
                    before=before,
                    after=after,
                    detail=detail,
                )
            else:
                audit(
                    session,
                    row.id,
                    kind,
                    kind,
                    now,
                    task=where,
                    detail=f"{kind} {name!r} from within the case",
                )

    def _route_thrown(self, session, row: CaseRow, runtime, workflow, now) -> None:
        """What the case threw for others: a pending message or signal, or outbound."""
        for kind, name, payload, element in runtime.thrown(workflow):
            listeners = self._listeners(session, kind, name)
            state = "pending" if listeners else ("delivered" if kind == "signal" else "outbound")
            message = MessageRow(
                id=str(uuid.uuid4()),
                kind=kind,
                name=name,
                business_key=row.business_key,
                correlation=None,
                data=json_data(payload, f"{kind} {name!r}", self.limits),
                state=state,
                source_case_id=row.id,
                targets=[],
                actor="",
                created_at=now,
                delivered_at=now if state == "delivered" else None,
                detail="",
            )
            session.add(message)
            where = SimpleNamespace(id=None, element_id=element)
            audit(
                session,
                row.id,
                "throw",
                "",
                now,
                task=where,
                detail=f"{kind} {name!r}: {state}"
                + ("" if listeners or kind == "signal" else " (no deployed process catches it)"),
            )

    def _listeners(self, session, kind: str, name: str) -> bool:
        return any(
            name in events["catches"][kind] or name in events["starts"][kind]
            for *_, events in self._summaries(session)
        )

    # --- the sweep, run by tick() ----------------------------------------------------------
    def _sweep_messages(self, session, now, limit: int) -> list[str]:
        """Deliver pending messages that a case now waits for, and pending signals."""
        awaited = exists(
            select(TaskRow.id)
            .join(CaseRow, TaskRow.case_id == CaseRow.id)
            .where(
                TaskRow.kind == MessageRow.kind,
                TaskRow.state == "waiting",
                TaskRow.message == MessageRow.name,
                CaseRow.status == "running",
                or_(
                    MessageRow.business_key.is_(None),
                    CaseRow.business_key == MessageRow.business_key,
                ),
            )
        )
        if session.scalar(_ANY_PENDING) is None:
            return []  # the common tick: nothing to look up
        starts = {
            name for *_, events in self._summaries(session) for name in events["starts"]["message"]
        }
        rows = session.scalars(
            select(MessageRow)
            .where(
                MessageRow.state == "pending",
                or_(MessageRow.kind == "signal", awaited, MessageRow.name.in_(starts)),
            )
            .order_by(MessageRow.created_at, MessageRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=MessageRow)
        ).all()
        advanced = []
        for row in rows:
            try:
                self._dispatch(session, row, now, lock_wait=False)
            except _Ambiguous as exc:  # a sweep cannot ask which: keep it out of the queue
                row.state, row.detail = "failed", str(exc)
            advanced += [t[0] for t in row.targets]
        return list(dict.fromkeys(advanced))
