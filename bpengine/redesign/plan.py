"""`apply_findings`: apply the analyzer's findings to a model, one transformation each.

Each finding's ``suggestion`` names a transformation; :func:`apply_finding` maps it onto
the finding's elements and targets. :func:`apply_findings` applies findings in order,
skipping (and saying why) those that no longer apply — their elements were removed by an
earlier change, a step is kept by the caller or marked mandatory, or the transformation
refuses — and returns one :class:`Redesign` holding all three.
"""
from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import ModelError
from ..i18n import _
from ..model import ProcessModel
from .automate import automate
from .changes import Change
from .eliminate import absorb, compose, eliminate
from .fast_lane import fast_lane
from .integrate import integrate
from .notify import notify
from .one_stop import one_stop
from .parallelise import parallelise
from .reorder import reassign, relocate_check, resequence
from .staffing import move_staff

__all__ = ["apply_findings", "Redesign", "redesign", "apply_finding", "Skipped", "REMOVING"]

#: suggestions that take a step out of the procedure
REMOVING = ("eliminate", "compose", "notify")


@dataclasses.dataclass(frozen=True)
class Skipped:
    """A finding :func:`apply_findings` did not apply, and why."""

    finding: str
    reason: str


@dataclasses.dataclass(frozen=True)
class Redesign:
    """What :func:`apply_findings` made of a model.

    Attributes
    ----------
    model : ProcessModel
        The redesigned model (the input itself when nothing applied).
    changes : tuple of Change
        What was changed, in order: feed each to
        :func:`~bpengine.redesign.transform_scenario` to carry a scenario across.
    skipped : tuple of Skipped
        Every finding not applied, with the reason.
    """

    model: ProcessModel
    changes: tuple[Change, ...]
    skipped: tuple[Skipped, ...]

    def __iter__(self) -> Iterator[object]:
        """``new_model, changes = apply_findings(...)`` as the old tuple did (deprecated)."""
        warnings.warn("unpacking a Redesign is deprecated: use .model and .changes",
                      DeprecationWarning, stacklevel=2)
        return iter((self.model, list(self.changes)))


def _targets(f) -> tuple[str, ...]:
    return tuple(getattr(f, "targets", ()) or ())


def apply_finding(model: ProcessModel, finding, *, keep=(), log: list | None = None
                  ) -> ProcessModel:
    """Apply one finding's suggestion to ``model``.

    ``eliminate`` removes each target; ``notify`` replaces each by a message to its office
    (see :func:`~bpengine.redesign.notify.notify`: the office is told, not asked); ``compose`` merges the finding's elements (when they are
    not consecutive, the last one absorbs the targets: see :func:`absorb`); ``parallelise``
    runs its chain side by side (a single guarded step: alongside the step after it, else the
    one before); ``resequence`` moves the target before the first element; ``reassign`` moves
    each target into the lane of the first element, never an approval (that would change who
    decides); ``relocate-check`` moves the check (the target, else the last approval among
    the elements) up front; ``integrate`` turns the paper hand-overs between the elements
    into data exchanges. A finding whose elements are no longer all in the model is not
    applied: its evidence (the earlier check that made a re-check redundant) may be gone.

    Raises
    ------
    ModelError
        When the transformation does not apply, or a step in ``keep`` would be removed.
    """
    kind, fid = finding.suggestion, finding.id
    elements, targets = tuple(finding.elements), _targets(finding)
    missing = [e for e in (*elements, *targets) if e not in model.elements]
    if missing:
        raise ModelError(_("finding {id}: {elements} no longer in the model (changed by an "
                           "earlier redesign)").format(id=fid, elements=", ".join(missing)),
                         file=model.file)
    if kind in REMOVING:
        removed = targets if kind != "compose" else elements
        kept = [e for e in removed if e in keep]
        if kept:
            raise ModelError(f"finding {fid}: {', '.join(kept)} is kept (--keep)",
                             file=model.file)
    if kind in ("eliminate", "notify"):
        new = model
        for t in targets or elements[-1:]:
            # a notice takes the sign-off's place so the office still learns of the case
            new = (notify if kind == "notify" else eliminate)(new, t, log=log, finding=fid)
        return new
    if kind == "compose":
        if targets and set(targets) < set(elements) and not _consecutive(model, elements):
            # one role deciding the same case twice: the last decision covers the rest
            into = next(e for e in reversed(elements) if e not in targets)
            return absorb(model, targets, into, log=log, finding=fid)
        return compose(model, elements, log=log, finding=fid)
    if kind == "parallelise":
        chain = targets if len(targets) > 1 else elements
        if len(chain) == 1:  # a guarded step: run it alongside its neighbour
            return _alongside(model, chain[0], log, fid)
        return parallelise(model, chain, log=log, finding=fid)
    if kind == "resequence":
        check = targets[0] if targets else elements[-1]
        first = next(e for e in elements if e != check)
        return resequence(model, check, before=first, log=log, finding=fid)
    if kind == "reassign":
        home = model.elements[elements[0]].lane_id
        if home is None:
            raise ModelError(_("finding {id}: {element} is in no lane, so there is no office to "
                               "move steps to").format(id=fid, element=elements[0]),
                             file=model.file)
        moved = targets or elements[1:-1]
        deciding = [t for t in moved if model.mandate(t).required
                    or model.approval(t).is_approval]
        if deciding:
            raise ModelError(_("finding {id}: {elements} decides (an approval); moving it to "
                               "another office would change who decides").format(
                id=fid, elements=", ".join(deciding)), file=model.file)
        new = model
        for t in moved:
            new = reassign(new, t, home, log=log, finding=fid)
        return new
    if kind == "automate":
        new = model
        for t in targets or elements[-1:]:
            new = automate(new, t, check=_needs_check(model, t), log=log, finding=fid)
        return new
    if kind == "fast-lane":  # elements: the review, then the decision that knows it is simple
        from ..analysis.fast_lane import simple_branch, triage_condition

        flow = simple_branch(model, elements[-1])
        if flow is None:
            raise ModelError(f"finding {fid}: {elements[-1]} no longer has a branch for simple "
                             "cases", file=model.file)
        share = 1.0 / len(model.elements[elements[-1]].outgoing)
        new = model
        for t in targets or elements[:1]:
            new = fast_lane(new, t, triage_condition(model, elements[-1], flow),
                            evidence=(elements[-1], flow), share=share, log=log, finding=fid)
        return new
    if kind == "move-staff":  # the busy lane's steps are the elements, the lender's the target
        lender, busy = model.elements[targets[0]].lane, model.elements[elements[0]].lane
        if lender is None or busy is None:
            raise ModelError(_("finding {id}: staff move between lanes, and {element} is in "
                               "none").format(id=fid, element=elements[0] if busy is None
                                              else targets[0]), file=model.file)
        return move_staff(model, lender, busy, log=log, finding=fid)
    if kind == "relocate-check":
        # the check is the target, else the last approval among the elements
        check = next((e for e in (*targets, *reversed(elements))
                      if model.approval(e).is_approval), elements[-1])
        return relocate_check(model, check, log=log, finding=fid)
    if kind == "integrate":  # paper hand-overs among the elements become data exchanges
        return integrate(model, targets or elements, log=log, finding=fid)
    if kind == "one-stop":  # the applicant's second counter visit goes
        return one_stop(model, targets or elements, log=log, finding=fid)
    raise ModelError(f"finding {fid}: unknown suggestion {kind!r}", file=model.file)


def _needs_check(model: ProcessModel, step: str) -> bool:
    """Whether a person must check an automated step's result: it sets money or rights and
    the step after it is no check."""
    from ..analysis.automation import sets_money
    from ..analysis.structure import structure_of

    after, _ends = structure_of(model).next_activities(step)
    return sets_money(model, step) and not any(model.approval(a).is_approval for a in after)


def _consecutive(model: ProcessModel, ids) -> bool:
    """Whether the steps follow one another, directly or through their own decision."""
    g, wanted, links = model.graph, set(ids), 0
    for t in wanted:
        nxt = set(g.successors(t))
        for n in list(nxt):
            if model.elements[n].is_gateway:
                nxt |= set(g.successors(n))
        links += bool(nxt & (wanted - {t}))
    return links >= len(wanted) - 1


def _neighbours(model: ProcessModel, step: str) -> list[list[str]]:
    """``[step, next activity]`` and ``[previous activity, step]`` along single flows."""
    g, out = model.graph, []
    for pair, walk in (((step, None), g.successors), ((None, step), g.predecessors)):
        seen, frontier = {step}, [step]
        while len(frontier) == 1 and frontier[0] not in seen - {step} and len(seen) < 6:
            nxt = list(walk(frontier[0]))
            node = nxt[0] if len(nxt) == 1 or model.elements[frontier[0]].is_gateway else None
            if node is None or node in seen:
                break
            seen.add(node)
            if model.elements[node].is_activity:
                out.append([node if x is None else x for x in pair])
                break
            frontier = [node]
    return out


def _alongside(model: ProcessModel, step: str, log, fid) -> ProcessModel:
    """Parallelise a single (guarded) step with the step after it, else the one before."""
    error = None
    for chain in _neighbours(model, step):
        try:
            return parallelise(model, chain, log=log, finding=fid)
        except ModelError as exc:
            error = exc
    raise error or ModelError(f"finding {fid}: {step} has no neighbouring step to run "
                              "alongside", file=model.file)


def apply_findings(model: ProcessModel, findings: Iterable[Any], *, keep: Iterable[str] = (),
                   keep_sound: bool = True) -> Redesign:
    """Apply ``findings`` in order; return the new model, the changes and what was skipped.

    Parameters
    ----------
    model : ProcessModel
    findings : sequence of Finding
        As returned by :func:`bpengine.analyze` (already guarded: mandatory steps are
        only ever parallelised). A finding that does not apply is skipped.
    keep : sequence of str
        Element ids never to remove, whatever the findings say.
    keep_sound : bool
        If ``model`` is sound (the analyzer's token game finds no deadlock, lack of
        synchronisation or dead step), skip any change whose result would not be.

    Returns
    -------
    Redesign
        ``.model`` (``model`` itself when nothing applied), ``.changes`` and ``.skipped``.

    Examples
    --------
    >>> from bpengine import load, analyze
    >>> model = load("processes/surat-keterangan-domisili.bpmn")
    >>> result = apply_findings(model, analyze(model))
    >>> len(result.changes) > 0, result.model.name == model.name
    (True, True)
    """
    keep = set(keep)
    skipped: list[Skipped] = []
    applied: list[Change] = []
    current = model
    check = None
    if keep_sound:
        from ..analysis import soundness  # redesign may use the analyzer, never the reverse

        check = soundness if soundness(model).sound else None
    for f in findings:
        if f.suggestion in REMOVING and any(
                e in current.elements and current.mandate(e).required
                for e in (_targets(f) or f.elements[-1:])):
            _skip(skipped, f, "a mandatory step (marked, a legal act, or the last check before "
                              "a system step) is never removed")
            continue
        log: list[Change] = []
        try:
            candidate = apply_finding(current, f, keep=keep, log=log)
        except ModelError as exc:
            _skip(skipped, f, str(exc).split(": error: ")[-1])
            continue
        if check is not None and not check(candidate).sound:
            _skip(skipped, f, "the redesigned model would not be sound (analyzer's token game)")
            continue
        current = candidate
        applied += log
    return Redesign(current, tuple(applied), tuple(skipped))


def redesign(model: ProcessModel, findings: Iterable[Any], keep: Iterable[str] = (), *,
             skipped: list[Skipped] | None = None,
             keep_sound: bool = True) -> tuple[ProcessModel, list[Change]]:
    """Deprecated: :func:`apply_findings` returns a :class:`Redesign` instead of filling
    ``skipped``. ``bpengine.redesign`` is the package of transformations."""
    warnings.warn("bpengine.redesign.redesign() is deprecated: use bpengine.apply_findings(), "
                  "which returns a Redesign (.model, .changes, .skipped)",
                  DeprecationWarning, stacklevel=2)
    result = apply_findings(model, findings, keep=keep, keep_sound=keep_sound)
    if skipped is not None:
        skipped.extend(result.skipped)
    return result.model, list(result.changes)


def _skip(skipped: list[Skipped], finding: Any, reason: str) -> None:
    skipped.append(Skipped(finding.id, reason))
