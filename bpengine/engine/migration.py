"""Moving running cases to another version of their definition (Camunda's migration plan).

An agency that adopts the redesign `bpengine reengineer` wrote deploys it as a new version;
new cases start there, and the cases already running can move over where that is safe. A
*plan* maps old element ids to new ones (by default an element keeps its id), also inside
embedded subprocesses, called processes and a collaboration's pools. The dry run
(:meth:`MigrationOperations.migrate` with ``dry_run=True``) lists, per case, whether it can
move and, if not, why in words naming the element and the subprocess it is in: it waits at
a step the new version removes or has in another process, a step changed kind or gains
boundary events, for a message from outside the new version renames, or a parallel join lies
ahead that would wait for a branch the case never started (:mod:`.respec`).
The move itself is one transaction per case, audited (``migrate``), and changes nothing for
a case that cannot move.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from ..errors import BpengineError, ConflictError
from ..i18n import _
from .core import EngineCore
from .frontier import open_tasks
from .respec import check, move, target_name, thrown_inside
from .schema import OPEN_TASK_STATES, CaseRow, TaskRow
from .store import audit

__all__ = ["MigrationOperations", "Move"]


@dataclass(frozen=True)
class Move:
    """What migration did (or, in a dry run, would do) with one case.

    Attributes
    ----------
    at : tuple of str
        The elements the case waits at, before the move.
    moved : bool
        True when the case is now on the new version (a dry run: it can move).
    reasons : tuple of str
        Why it cannot move (empty when it can).
    """

    case_id: str
    at: tuple[str, ...]
    moved: bool
    reasons: tuple[str, ...] = ()


def _mapping(mapping) -> dict[str, str]:
    if mapping is None:
        return {}
    if not isinstance(mapping, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and k and v for k, v in mapping.items()
    ):
        raise BpengineError(_("migration mapping: give old element id -> new element id, as text"))
    return dict(mapping)


class MigrationOperations(EngineCore):
    """Case migration calls of :class:`~bpengine.engine.Engine`."""

    def migrate(
        self,
        source,
        target,
        *,
        mapping: Mapping[str, str] | None = None,
        cases: Iterable[str] | None = None,
        dry_run: bool = False,
        actor: str = "",
    ) -> list[Move]:
        """Move the running cases of definition ``source`` to definition ``target``.

        Parameters
        ----------
        source, target : Definition
            Two deployed versions (of the same or another key).
        mapping : dict, optional
            Old element id -> new element id, for elements renamed in ``target``.
        cases : iterable of str, optional
            Only these cases (default: every running case of ``source``).
        dry_run : bool
            Only say which cases can move and why the others cannot.

        Returns
        -------
        list of Move
            One per case, oldest first. A case that cannot move is left as it was.
        """
        mapping = _mapping(mapping)
        now = self._now()
        with self._transaction(now) as session:
            old = self._definition_row(session, source)
            new = self._definition_row(session, target)
            if old.id == new.id:
                raise BpengineError(
                    _("migrate: {key} v{version} is both the source and the target").format(
                        key=old.key, version=old.version
                    )
                )
            query = select(CaseRow.id).where(
                CaseRow.definition_id == old.id, CaseRow.status == "running"
            )
            if cases is not None:
                wanted = [str(c) for c in cases]
                query = query.where(CaseRow.id.in_(wanted))
            ids = list(session.scalars(query.order_by(CaseRow.started_at, CaseRow.id)))
            if cases is not None:
                missing = sorted(set(wanted) - set(ids))
                if missing:
                    raise BpengineError(
                        _("migrate: not running cases of {key} v{version}: {missing}").format(
                            key=old.key, version=old.version, missing=", ".join(missing)
                        )
                    )
            old_id, new_id = old.id, new.id
        return [
            self._move_case(case_id, old_id, new_id, mapping, dry_run, actor, now)
            for case_id in ids
        ]

    def _move_case(self, case_id, old_id, new_id, mapping, dry_run, actor, now) -> Move:
        try:
            with self._transaction(now) as session:
                case = self._case_row(session, case_id)
                if case.definition_id != old_id or case.status != "running":
                    return Move(
                        case_id,
                        (),
                        False,
                        (_("it is {status} on another version now").format(status=_(case.status)),),
                    )
                source = self._runtime(session, old_id)
                target = self._runtime(session, new_id)
                version = f"{target.key} v{target.version}"
                workflow = self._workflow(source, case)
                at = tuple(sorted({t.element_id for t in open_tasks(workflow)}))
                inside = thrown_inside(target.spec, target.subprocess_specs, target.senders)
                reasons = check(
                    workflow, target.spec, target.subprocess_specs, mapping, version, inside
                )
                if reasons or dry_run:
                    return Move(case_id, at, not reasons, tuple(reasons))
                move(workflow, target.spec, target.subprocess_specs, mapping)
                state = target.dump(workflow, case.data)
                workflow = target.restore(state, case)  # it must read back under the new version
                now_open = {t.id: t for t in open_tasks(workflow)}
                for row in session.scalars(
                    select(TaskRow).where(
                        TaskRow.case_id == case.id, TaskRow.state.in_(OPEN_TASK_STATES)
                    )
                ):
                    task = now_open.get(row.id)
                    if task is not None:
                        row.element_id, row.name, row.lane = task.element_id, task.name, task.lane
                        row.message = task.message
                case.state, case.definition_id, case.updated_at = state, new_id, now
                renamed = {k: v for k, v in mapping.items() if target_name(k, mapping) != k}
                audit(
                    session,
                    case.id,
                    "migrate",
                    actor,
                    now,
                    detail=(
                        f"{source.key} v{source.version} -> {version} at {', '.join(at)}"
                        + (f" (mapped {renamed})" if renamed else "")
                    ),
                )
                return Move(case_id, at, True)
        except ConflictError as exc:
            return Move(
                case_id,
                (),
                False,
                (_("it changed while moving ({why}); run again").format(why=exc),),
            )
