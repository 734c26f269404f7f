"""The transformation registry: one :class:`Transformation` per suggestion, declared once.

A transformation says how a finding's suggestion is carried out: the function that maps the
finding's elements and targets onto a redesign of the model, and what it does to the
scenario beyond what its :class:`~bpengine.redesign.changes.Change` records. Which steps it
removes is a fact of its :class:`~bpengine.analysis.suggestions.Suggestion` (the analyzer's
guard reads it too); everything else is derived: :func:`~bpengine.redesign.plan.redesign`
looks the transformation up here, refuses a removal of a kept or mandatory step from the
suggestion's ``removes``, and :func:`~bpengine.redesign.changes.transform_scenario` calls
the transformation's ``scenario`` step after the generic one.

Adding one (see CONTRIBUTING.md): write the function, then :func:`register` a
:class:`Transformation` holding its :class:`Suggestion` (a new name is added to the
analyzer's vocabulary). The built-in ones are listed below, keyed by their suggestion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..analysis.suggestions import SUGGESTIONS, Suggestion, declare
from ..errors import ModelError
from ..i18n import _
from ..model import ProcessModel
from .automate import automate
from .changes import Applied
from .eliminate import absorb, compose, eliminate
from .fast_lane import fast_lane
from .integrate import integrate
from .notify import notify
from .one_stop import one_stop
from .parallelise import parallelise
from .reorder import reassign, relocate_check, resequence
from .staffing import move_staff

__all__ = ["Transformation", "TRANSFORMATIONS", "register", "transformation_for"]


@dataclass(frozen=True)
class Transformation:
    """How one suggestion is carried out.

    Attributes
    ----------
    suggestion : Suggestion
        What it is called and which steps it removes (declared in the analyzer's vocabulary).
    apply : callable
        ``apply(model, finding) -> Applied``: the redesigned model and a
        :class:`~bpengine.redesign.changes.Change` per change
        (:class:`~bpengine.redesign.changes.Applied`); raises
        :class:`~bpengine.errors.ModelError` when it does not apply.
    scenario : callable, optional
        ``scenario(scenario_dict, change)``: what a change of this kind does to the
        scenario beyond the fields every change carries (removed steps, merged durations,
        new lanes...), done in place after them.
    """

    suggestion: Suggestion
    apply: Callable
    scenario: Callable | None = None

    @property
    def name(self) -> str:
        """The suggestion's name, the key of :data:`TRANSFORMATIONS`."""
        return self.suggestion.name


#: Every transformation, by the name of the suggestion it carries out.
TRANSFORMATIONS: dict[str, Transformation] = {}


def register(transformation: Transformation) -> Transformation:
    """Make ``transformation`` the one carrying out its suggestion.

    Its :class:`Suggestion` joins the analyzer's vocabulary when it is new, so findings may
    suggest it, the guard keeps mandatory steps from its removals and :func:`redesign`
    applies it.

    Raises
    ------
    ValueError
        When the name is declared already with other facts (a programming error).
    """
    declare(transformation.suggestion)
    TRANSFORMATIONS[transformation.name] = transformation
    return transformation


def transformation_for(finding, file: str = "<bytes>") -> Transformation:
    """The transformation ``finding``'s suggestion names.

    Raises
    ------
    ModelError
        When no transformation carries that suggestion out.
    """
    found = TRANSFORMATIONS.get(finding.suggestion)
    if found is None:
        raise ModelError(
            _("finding {id}: unknown suggestion {suggestion}").format(
                id=finding.id, suggestion=repr(finding.suggestion)
            ),
            file=file,
        )
    return found


def _targets(f) -> tuple[str, ...]:
    return tuple(getattr(f, "targets", ()) or ())


def _each(model: ProcessModel, ids, step: Callable[[ProcessModel, str], Applied]) -> Applied:
    """``step`` applied to each of ``ids`` in turn, the changes of all in order."""
    changes: list = []
    for t in ids:
        model, made = step(model, t)
        changes += made
    return Applied(model, tuple(changes))


def _remove(model: ProcessModel, f) -> Applied:
    """``eliminate``: remove each target (else the last element)."""
    return _each(model, _targets(f) or f.elements[-1:], lambda m, t: eliminate(m, t, finding=f.id))


def _notify(model: ProcessModel, f) -> Applied:
    """``notify``: a notice takes each sign-off's place, so the office still learns of the case."""
    return _each(model, _targets(f) or f.elements[-1:], lambda m, t: notify(m, t, finding=f.id))


def _compose(model: ProcessModel, f) -> Applied:
    """``compose``: merge the elements; apart, the last one absorbs the targets."""
    elements, targets = tuple(f.elements), _targets(f)
    if targets and set(targets) < set(elements) and not _consecutive(model, elements):
        # one role deciding the same case twice: the last decision covers the rest
        into = next(e for e in reversed(elements) if e not in targets)
        return absorb(model, targets, into, finding=f.id)
    return compose(model, elements, finding=f.id)


def _parallelise(model: ProcessModel, f) -> Applied:
    """``parallelise``: the chain side by side; a single guarded step runs alongside the
    step after it, else the one before."""
    targets = _targets(f)
    chain = targets if len(targets) > 1 else tuple(f.elements)
    if len(chain) == 1:
        return _alongside(model, chain[0], f.id)
    return parallelise(model, chain, finding=f.id)


def _resequence(model: ProcessModel, f) -> Applied:
    """``resequence``: the target (else the last element) moves before the first element."""
    check = (_targets(f) or f.elements[-1:])[0]
    first = next(e for e in f.elements if e != check)
    return resequence(model, check, before=first, finding=f.id)


def _reassign(model: ProcessModel, f) -> Applied:
    """``reassign``: each target into the first element's lane, never an approval (that would
    change who decides)."""
    home = model.elements[f.elements[0]].lane_id
    if home is None:
        raise ModelError(
            _(
                "finding {id}: {element} is in no lane, so there is no office to move steps to"
            ).format(id=f.id, element=f.elements[0]),
            file=model.file,
        )
    moved = _targets(f) or tuple(f.elements[1:-1])
    deciding = [t for t in moved if model.mandate(t).required or model.approval(t).is_approval]
    if deciding:
        raise ModelError(
            _(
                "finding {id}: {elements} decides (an approval); moving it to "
                "another office would change who decides"
            ).format(id=f.id, elements=", ".join(deciding)),
            file=model.file,
        )
    return _each(model, moved, lambda m, t: reassign(m, t, home, finding=f.id))


def _automate(model: ProcessModel, f) -> Applied:
    """``automate``: a system does each target (else the last element)."""
    return _each(
        model,
        _targets(f) or f.elements[-1:],
        lambda m, t: automate(m, t, check=_needs_check(model, t), finding=f.id),
    )


def _fast_lane(model: ProcessModel, f) -> Applied:
    """``fast-lane``: elements are the review, then the decision that knows a case is simple."""
    from ..analysis.fast_lane import simple_branch, triage_condition

    decision = f.elements[-1]
    flow = simple_branch(model, decision)
    if flow is None:
        raise ModelError(
            _("finding {id}: {decision} no longer has a branch for simple cases").format(
                id=f.id, decision=decision
            ),
            file=model.file,
        )
    share = 1.0 / len(model.elements[decision].outgoing)
    condition = triage_condition(model, decision, flow)
    return _each(
        model,
        _targets(f) or f.elements[:1],
        lambda m, t: fast_lane(
            m, t, condition, evidence=(decision, flow), share=share, finding=f.id
        ),
    )


def _move_staff(model: ProcessModel, f) -> Applied:
    """``move-staff``: the busy lane's steps are the elements, the lender's the target."""
    lender, busy = model.elements[_targets(f)[0]].lane, model.elements[f.elements[0]].lane
    if lender is None or busy is None:
        raise ModelError(
            _("finding {id}: staff move between lanes, and {element} is in none").format(
                id=f.id, element=f.elements[0] if busy is None else _targets(f)[0]
            ),
            file=model.file,
        )
    return move_staff(model, lender, busy, finding=f.id)


def _relocate_check(model: ProcessModel, f) -> Applied:
    """``relocate-check``: the target, else the last approval among the elements, moves up
    front; a loop with neither has no check to move (its last step is the rework itself)."""
    check = next(
        (e for e in (*_targets(f), *reversed(f.elements)) if model.approval(e).is_approval),
        None,
    )
    if check is None:
        raise ModelError(
            _(
                "finding {id}: no check among {elements}: no step of the loop is an approval, "
                "so there is nothing to move up front"
            ).format(id=f.id, elements=", ".join(f.elements)),
            file=model.file,
        )
    return relocate_check(model, check, finding=f.id)


def _integrate(model: ProcessModel, f) -> Applied:
    """``integrate``: paper hand-overs among the elements become data exchanges."""
    return integrate(model, _targets(f) or tuple(f.elements), finding=f.id)


def _integrate_scenario(scenario: dict, change) -> None:
    """A hand-over now data: its paper transfer time no longer applies."""
    handovers = scenario.get("handovers")
    if isinstance(handovers, dict):
        for flow in change.elements:
            handovers.pop(flow, None)


def _one_stop(model: ProcessModel, f) -> Applied:
    """``one-stop``: the applicant's second counter visit goes."""
    return one_stop(model, _targets(f) or tuple(f.elements), finding=f.id)


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


def _alongside(model: ProcessModel, step: str, fid) -> Applied:
    """Parallelise a single (guarded) step with the step after it, else the one before."""
    error = None
    for chain in _neighbours(model, step):
        try:
            return parallelise(model, chain, finding=fid)
        except ModelError as exc:
            error = exc
    raise error or ModelError(
        _("finding {fid}: {step} has no neighbouring step to run alongside").format(
            fid=fid, step=step
        ),
        file=model.file,
    )


for _t in (
    Transformation(SUGGESTIONS["eliminate"], _remove),
    Transformation(SUGGESTIONS["compose"], _compose),
    Transformation(SUGGESTIONS["parallelise"], _parallelise),
    Transformation(SUGGESTIONS["resequence"], _resequence),
    Transformation(SUGGESTIONS["reassign"], _reassign),
    Transformation(SUGGESTIONS["relocate-check"], _relocate_check),
    Transformation(SUGGESTIONS["notify"], _notify),
    Transformation(SUGGESTIONS["integrate"], _integrate, scenario=_integrate_scenario),
    Transformation(SUGGESTIONS["automate"], _automate),
    Transformation(SUGGESTIONS["move-staff"], _move_staff),
    Transformation(SUGGESTIONS["fast-lane"], _fast_lane),
    Transformation(SUGGESTIONS["one-stop"], _one_stop),
):
    register(_t)
del _t
