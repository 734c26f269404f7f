"""One consistent view: findings that agree with each other and savings that add up.

Each rule judges a pattern on its own; read together, their findings must still make sense:

- **no contradictions**: a step called a rubber stamp ("nothing after it decides") cannot
  at the same time be the check whose decision sends cases back round a rework loop or
  knocks them out; the loop is evidence that it decides, so the rubber-stamp finding goes;
- **savings capped by what the steps contribute**: taking a step out cannot save more
  lead time than the step adds to the expected lead time of the procedure (its work and
  waits, times how often a case passes it; nothing when it sits off the critical path of a
  parallel block), see :func:`~bpengine.analysis.cycle_time.lead_time`;
- **a total that counts overlap once**: several findings about the same steps do not add
  up; the total is what taking out all their steps together can save.
"""

from __future__ import annotations

import dataclasses

from ..i18n import _, format_number
from .cycle_time import lead_time
from .estimates import Estimates
from .finding import Saving
from .rework import check_knockout_order, rework_loops
from .rubber_stamp import check_rubber_stamp
from .suggestions import SUGGESTIONS, removes_steps

__all__ = ["Findings", "reconcile", "acting_steps", "combined_saving"]


class Findings(tuple):  # of Finding
    """The findings of :func:`bpengine.analyze`, with their combined saving.

    A tuple of :class:`~bpengine.analysis.finding.Finding` (a result, not a list to edit);
    ``total`` is the saving if every suggestion were applied, overlap counted once (``None``
    when not computed).
    """

    total: Saving | None = None


def acting_steps(finding) -> tuple[str, ...]:
    """The steps whose time a finding's suggestion takes out or moves (as its declaration in
    :mod:`~bpengine.analysis.suggestions` says)."""
    return SUGGESTIONS[finding.suggestion].acts_on(finding)


def _contradicted(model, findings, scenario) -> set[str]:
    """Ids of rubber-stamp findings on a step whose decision a loop or knock-out shows."""
    deciding = set()
    for loop in rework_loops(model, scenario):
        if loop["check"]:
            deciding.add(loop["check"])
        gw = loop["gateway"]
        if gw is not None:  # the step right before the loop's decision decides it
            deciding.update(
                p for p in model.graph.predecessors(gw) if model.elements[p].is_activity
            )
    for f in findings:
        if f.rule == check_knockout_order.id:  # every step it names is a check that ends cases
            deciding.update(f.elements)
    return {
        f.id
        for f in findings
        if f.rule == check_rubber_stamp.id and set(acting_steps(f)) & deciding
    }


class _Bound:
    """What taking steps out can save at most, from the analytic lead time."""

    def __init__(self, model, scenario, cycle_days=None):
        self.model, self.scenario = model, scenario
        # each pool of a collaboration on its own: a step adds at most what it adds to the
        # lead time of its own pool's work
        self.leads = {pid: lead_time(model, scenario, process=pid) for pid in model.processes}
        self.runs = {n: r for _lead, runs in self.leads.values() for n, r in runs.items()}
        # the case's lead time: the pools' work one after the other (message flows hand over)
        self.full = sum(lead for lead, _runs in self.leads.values())
        # a measured (simulated) mean below the analytic one: the analytic shares of the
        # steps are scaled to it, so no saving exceeds what a case really takes
        self.scale = (
            cycle_days / self.full
            if cycle_days is not None and self.full > 0 and 0 <= cycle_days < self.full
            else 1.0
        )
        # a hand-over between pools: its transfer lies on the path from one pool into the
        # next, which only the case's lead time across the pools (joined by the message
        # flows) sees; each pool's lead on its own does not
        self.ends = {e for h in model.case_handovers for e in (h.sender, h.receiver)}
        self.whole = lead_time(model, scenario)[0] if self.ends else 0.0
        self.whole_scale = (
            cycle_days / self.whole
            if cycle_days is not None and self.whole > 0 and 0 <= cycle_days < self.whole
            else 1.0
        )
        self.est = Estimates(model, scenario)
        self._memo: dict[frozenset, float] = {}

    def known(self, steps) -> bool:
        """Whether every step is one of the main process's (gateways and events aside)."""
        return all(
            s in self.runs
            for s in steps
            if s in self.model.elements and self.model.elements[s].is_activity
        )

    def _timed(self, step) -> bool:
        """A step whose time the lead time counts: an activity, or a catch event's wait."""
        el = self.model.elements.get(step)
        return step in self.runs or (el is not None and el.kind == "intermediateCatchEvent")

    def days(self, steps) -> float:
        ends = frozenset(s for s in steps if s in self.ends)
        if ends:  # a hand-over: what the case loses across the pools without it
            key = frozenset(s for s in steps if self._timed(s)) | ends
            if key not in self._memo:
                self._memo[key] = self.whole_scale * max(
                    0.0, self.whole - lead_time(self.model, self.scenario, without=key)[0]
                )
            return self._memo[key]
        key = frozenset(s for s in steps if self._timed(s))
        if key not in self._memo:
            by_process: dict[str, set] = {}
            for step in key:
                by_process.setdefault(self.model.elements[step].process, set()).add(step)
            self._memo[key] = self.scale * sum(
                max(
                    0.0,
                    self.leads[pid][0]
                    - lead_time(self.model, self.scenario, without=steps, process=pid)[0],
                )
                for pid, steps in by_process.items()
            )
        return self._memo[key]

    def hours(self, steps) -> float:
        return (
            sum(self.est.task_minutes(s) * self.runs[s] for s in set(steps) if s in self.runs)
            / 60.0
        )


def _capped(f, bound: _Bound):
    steps = acting_steps(f)
    if not steps or not bound.known(steps):
        return f  # a step of another pool or a subprocess: no bound computed, left as is
    days, hours = bound.days(steps), bound.hours(steps)
    s = f.saving
    if s.working_days <= days + 5e-3 and s.staff_hours <= hours + 5e-3:
        return f
    new = dataclasses.replace(
        s,
        working_days=round(min(s.working_days, days), 3),
        staff_hours=round(min(s.staff_hours, hours), 3),
    )
    return dataclasses.replace(
        f,
        saving=new,
        explanation=f.explanation
        + " ("
        + _(
            "Saving capped at {days} working days and {hours} staff hours: what these steps add "
            "to the expected lead time and work of a case, counting how often a case passes them "
            "and the critical path."
        ).format(days=format_number(new.working_days, 2), hours=format_number(new.staff_hours, 2))
        + ")",
    )


def combined_saving(
    model, findings, scenario=None, bound=None, cycle_days: float | None = None
) -> Saving | None:
    """The saving of all ``findings`` together, steps they share counted once."""
    if not findings:
        return None
    bound = bound or _Bound(model, scenario, cycle_days)
    days = sum(f.saving.working_days for f in findings)
    hours = sum(f.saving.staff_hours for f in findings)
    inside = [f for f in findings if bound.known(acting_steps(f))]
    outside = [f for f in findings if f not in inside]
    union = {s for f in inside for s in acting_steps(f)}
    removed = {s for f in inside if removes_steps(f.suggestion) for s in acting_steps(f)}
    days = min(days, bound.days(union) + sum(f.saving.working_days for f in outside))
    hours = min(
        hours,
        bound.hours(removed)
        + sum(f.saving.staff_hours for f in inside if not removes_steps(f.suggestion))
        + sum(f.saving.staff_hours for f in outside),
    )
    basis = findings[0].saving.basis
    return Saving(round(days, 3), round(hours, 3), basis, findings[0].saving.label)


def reconcile(model, findings, scenario=None, cycle_days: float | None = None) -> Findings:
    """Drop contradicted findings, cap each saving, and compute the overlap-free total.

    ``cycle_days``: the procedure's mean cycle time as simulated or measured (working
    days); when given, no saving (nor the total) exceeds the share of it the steps take.
    """
    gone = _contradicted(model, findings, scenario)
    bound = _Bound(model, scenario, cycle_days)
    out = Findings(_capped(f, bound) for f in findings if f.id not in gone)
    out.total = combined_saving(model, out, scenario, bound)
    return out
