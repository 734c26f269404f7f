"""The reengineer search: analyze, build candidate redesigns, simulate each, rank them.

Candidates are built from the analyzer's findings: each finding alone, all of them, all of
those that helped alone (in the order of what each achieves), then a greedy pass that adds
findings in that order while that helps.
The best redesign so far is analyzed again (removing a step can put two sign-offs of one
role side by side, or a check first) and improved the same way; a beam search spends the
rest of the candidate budget extending the best few by one more finding. Every candidate is simulated on the
scenario carried across its changes, with the same seed (common random numbers), in a pool
of worker processes; the ranking — by mean cycle time in working days, then cost per case,
then fewer changes — depends only on the seed, never on which worker finished first.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..analysis import analyze
from ..errors import BpengineError
from ..i18n import _
from ..model import ProcessModel
from ..model import load as load_model
from ..redesign import Change, apply_findings, transform_scenario
from ..scenario import load_scenario
from ..sim import simulate
from .before_after import per_case_counts

__all__ = ["Candidate", "Reengineering", "reengineer", "evaluate", "GREEDY_BATCH"]

#: how many greedy extensions are simulated at once (fixed so the search, and so the ranking,
#: is the same on every machine whatever its number of cores)
GREEDY_BATCH = 4


@dataclass
class Candidate:
    """One redesign tried: the findings applied, the model, its scenario and its KPIs."""

    findings: tuple[str, ...]
    model: ProcessModel
    scenario: dict
    changes: tuple[Change, ...] = ()
    kpis: dict = field(default_factory=dict)

    @property
    def score(self) -> tuple:
        """Rank key: cycle time (to 0.01 working day), cost, handoffs, fewer changes."""
        k = self.kpis
        # a candidate that could not run has infinite KPIs (evaluate): rank it last, and
        # never round() an infinity, which raises
        fin = lambda x, digits: round(x, digits) if math.isfinite(x) else x
        return (
            fin(k.get("cycle_days", math.inf), 2),
            fin(k.get("cost", 0.0), 0),
            fin(k.get("handoffs", 0.0), 1),
            len(self.findings),
            self.findings,
        )

    def improves_on(self, other: Candidate, tolerance: float = 0.02) -> bool:
        """Better cycle time, or no worse (within ``tolerance``) and fewer handoffs or cost."""
        a, b = self.kpis, other.kpis
        if a["cycle_days"] > b["cycle_days"] * (1 + tolerance) + 1e-9:
            return False
        if a["cost"] > b["cost"] * (1 + tolerance) + 1e-6:
            return False
        return (
            a["cycle_days"] < b["cycle_days"] * (1 - 1e-3)
            or a["cost"] < b["cost"] - 1e-6
            or a["handoffs"] < b["handoffs"] - 0.05
        )


@dataclass
class Reengineering:
    """The outcome: the baseline, every candidate ranked best first, and the best (or None)."""

    baseline: Candidate
    ranked: list[Candidate]
    findings: list
    #: findings not in the analysis of the procedure as it is: found by analyzing a redesign
    #: of it again. Finding id -> (finding, the findings applied to reach that redesign).
    later: dict = field(default_factory=dict)

    def origin(self, finding_id: str | None) -> str:
        """Where a finding id a candidate cites comes from, in one sentence."""
        if any(f.id == finding_id for f in self.findings):
            return f"{finding_id}: " + _("in the analysis of the procedure as it is")
        if finding_id in self.later:
            _f, after = self.later[finding_id]
            return f"{finding_id}: " + _(
                "not in the analysis of the procedure as it is; found by analyzing the redesign "
                "after {findings} again"
            ).format(findings=", ".join(after))
        raise KeyError(finding_id)

    def explained_changes(self, candidate: Candidate) -> list[Change]:
        """``candidate``'s changes, each one made for a later finding saying where it came from."""
        return [
            dataclasses.replace(c, description=f"{c.description} ({self.origin(c.finding)}.)")
            if c.finding in self.later
            else c
            for c in candidate.changes
        ]

    @property
    def best(self) -> Candidate | None:
        """The best candidate if it beats the procedure as it is, else ``None``."""
        if self.ranked and self.ranked[0].improves_on(self.baseline):
            return self.ranked[0]
        return None


def evaluate(job: tuple) -> dict:
    """Simulate one candidate (runs in a worker): ``(bpmn bytes, scenario, cases, reps, seed)``."""
    data, scenario, cases, replications, seed = job
    model = load_model(data)
    try:
        res = simulate(model, scenario=scenario, cases=cases, seed=seed, replications=replications)
    except BpengineError as exc:  # this candidate cannot run: rank it last, say why
        return {"cycle_days": math.inf, "cost": math.inf, "handoffs": math.inf, "error": str(exc)}
    counts = per_case_counts(model, res.event_log)
    mean = lambda xs: sum(xs) / len(xs) if xs else math.nan
    kpis = {
        "cycle_days": res["cycle_time_working_days"].mean,
        "cycle_values": list(res["cycle_time_working_days"].values),
        "cost": res["cost_per_case"].mean,
        "staff_hours": res["processing_hours"].mean,
        "handoffs": mean(counts["handoffs"]),
        "approvals": mean(counts["approvals"]),
    }
    if "within_service_standard" in res.kpis:
        kpis["sla"] = res["within_service_standard"].mean
    return kpis


class _Evaluator:
    """Simulates candidates, in one pool of worker processes kept for the whole search."""

    def __init__(self, cases, replications, seed, jobs, progress=None, total=0):
        self.args = (cases, replications, seed)
        self.pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, candidates: list[Candidate]) -> None:
        work = [(c.model.to_bytes(), c.scenario, *self.args) for c in candidates]
        if self.pool is None or len(work) == 1:
            results: Iterable[dict] = map(evaluate, work)
        else:
            results = self.pool.map(evaluate, work)  # map keeps order: deterministic
        for c, k in zip(candidates, results, strict=True):
            c.kpis = k
            self.done += 1
            if self.progress is not None:  # the budget is a bound: the search may end first
                self.progress(self.done, max(self.total, self.done))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def _design(model: ProcessModel, scenario: dict) -> tuple:
    """What makes two candidates the same: the model's content (diagram aside) and the
    scenario (a staff move changes only the scenario)."""
    return model, json.dumps(scenario, sort_keys=True, default=str)


def _extend(
    parent: Candidate, findings, keep, seen: set, ids: tuple | None = None
) -> Candidate | None:
    """``parent`` with ``findings`` applied in order, or ``None`` when nothing applied or the
    design was seen before; ``ids`` are the findings it adds to ``parent``'s (default: those
    its changes name)."""
    done = apply_findings(parent.model, findings, keep=keep)
    applied = tuple(done.changes)
    if not applied:
        return None
    scenario = parent.scenario
    for change in applied:
        scenario = transform_scenario(scenario, change)
    # designs equal but for their diagram (reached along two paths) are one candidate
    design = _design(done.model, scenario)
    if design in seen:
        return None
    seen.add(design)
    if ids is None:
        ids = tuple(dict.fromkeys(c.finding for c in applied if c.finding is not None))
    return Candidate(parent.findings + ids, done.model, scenario, parent.changes + applied)


def reengineer(
    model,
    scenario: dict | None = None,
    cases: int = 1000,
    replications: int = 3,
    seed: int = 7,
    *,
    jobs: int | None = None,
    beam: int = 3,
    max_candidates: int = 50,
    keep=(),
    findings=None,
    progress=None,
) -> Reengineering:
    """Search redesigns of ``model`` and rank them by simulated cycle time and cost.

    Parameters
    ----------
    model : ProcessModel or path
    scenario : dict, optional
        The scenario as a plain dict (the sidecar YAML's content); it is carried across
        every candidate's changes. ``None``: stated defaults.
    cases, replications, seed : int
        Simulation of every candidate (and of the baseline), same seed for all.
    jobs : int, optional
        Worker processes (default: all cores).
    beam : int
        How many of the best candidates are extended at each round.
    max_candidates : int
        Budget of candidate redesigns simulated (the baseline not counted).
    keep : sequence of str
        Element ids never removed. Mandatory steps are never removed anyway.
    findings : list, optional
        Findings to build from (default: :func:`bpengine.analyze` on ``model``).
    progress : callable, optional
        Called as ``progress(done, total)`` after each simulated candidate (the baseline
        included); ``total`` is the budget, which the search may not use up.

    Returns
    -------
    Reengineering
    """
    model = model if isinstance(model, ProcessModel) else load_model(model)
    scenario = dict(scenario or {})
    jobs = jobs or os.cpu_count() or 1
    base = Candidate((), model, scenario)
    evaluate_all = _Evaluator(cases, replications, seed, jobs, progress, max_candidates + 1)
    try:
        evaluate_all([base])
        if "error" in base.kpis:
            raise BpengineError(
                _("the procedure as it is cannot be simulated: {why}").format(
                    why=base.kpis["error"]
                )
            )
        if findings is None:  # savings capped by the share of the simulated mean they take
            findings = analyze(
                model,
                scenario=load_scenario(scenario, model=model),
                cycle_days=base.kpis["cycle_days"],
            )
        result = _search(base, findings, keep, evaluate_all, beam, max_candidates)
        if progress is not None:
            progress(evaluate_all.done, evaluate_all.done)
        return result
    finally:
        evaluate_all.close()


class _Search:
    """The state of one search: budget, candidates seen, simulator."""

    def __init__(self, base, keep, evaluate_all, max_candidates):
        self.base, self.keep, self.evaluate = base, keep, evaluate_all
        self.budget = max_candidates
        self.seen = {_design(base.model, base.scenario)}  # each design is ranked once
        self.everything: list[Candidate] = []

    def left(self, pending: int = 0) -> int:
        return self.budget - len(self.everything) - pending

    def run(self, batch: list[Candidate]) -> None:
        if batch:
            self.evaluate(batch)
            self.everything += batch

    def extend(self, parent, finding):
        return _extend(parent, [finding], self.keep, self.seen, (finding.id,))

    def all_of(self, start: Candidate, findings) -> Candidate | None:
        """``start`` with every finding applied in the analyzer's order (`bpengine redesign`)."""
        return _extend(start, findings, self.keep, self.seen)

    def improve(self, start: Candidate, findings) -> None:
        """Each finding alone on ``start``, all of them, all that helped alone, then greedy."""
        singles: list[Candidate] = []
        for f in findings:
            if self.left(len(singles)) <= 1:
                break
            child = self.extend(start, f)
            if child is not None:
                singles.append(child)
        every = self.all_of(start, findings) if self.left(len(singles)) > 0 else None
        self.run(singles + ([every] if every else []))
        by_id = {f.id: f for f in findings}
        # greedy: add findings in the order of what each achieves alone while that helps;
        # GREEDY_BATCH extensions are simulated at once and the first, in that order, that
        # helps is kept: a fixed batch, not the core count, so every machine searches alike
        ranked = sorted((c for c in singles if c.improves_on(start)), key=lambda c: c.score)
        queue = [c.findings[-1] for c in ranked[1:]]
        current = ranked[0] if ranked else None
        # every finding that helped alone, together, in that order: one candidate that
        # often lands where many greedy steps would (those that clash are skipped)
        if len(ranked) > 2 and self.left() > 0:
            helpful = self.all_of(start, [by_id[c.findings[-1]] for c in ranked])
            if helpful is not None:
                self.run([helpful])
                if (
                    current is not None
                    and helpful.improves_on(current)
                    and helpful.score < current.score
                ):
                    current = helpful
                    queue = [fid for fid in queue if fid not in helpful.findings]
        while current is not None and queue and self.left() > 0:
            batch: list[Candidate] = []
            tried: list[str] = []
            while queue and len(batch) < GREEDY_BATCH and self.left(len(batch)) > 0:
                fid = queue.pop(0)
                child = self.extend(current, by_id[fid])
                if child is not None:
                    batch.append(child)
                    tried.append(fid)
            if not batch:
                break
            self.run(batch)
            winner = next((c for c in batch if c.improves_on(current)), None)
            if winner is not None:
                current = winner
                queue = tried[batch.index(winner) + 1 :] + queue  # retry the rest on it

    def best(self) -> Candidate:
        return min(self.everything, key=lambda c: c.score) if self.everything else self.base


def _search(
    base, findings, keep, evaluate_all, beam, max_candidates, rounds: int = 3
) -> Reengineering:
    search = _Search(base, keep, evaluate_all, max_candidates)
    # 1. findings of the procedure: alone, all, all that helped, greedy
    search.improve(base, findings)
    # 2. a redesigned procedure shows new findings (two steps of one role now side by side,
    # a check now first...): analyze the best so far again and improve on it
    known = {f.id for f in findings}
    later: dict[str, Any] = {}
    for _round in range(rounds - 1):
        best = search.best()
        if best is base or search.left() <= 0:
            break
        fresh = [
            f
            for f in analyze(
                best.model,
                scenario=load_scenario(best.scenario, model=best.model),
                cycle_days=best.kpis.get("cycle_days"),
            )
            if f.id not in known
        ]
        if not fresh:
            break
        known |= {f.id for f in fresh}
        later.update((f.id, (f, best.findings)) for f in fresh)
        search.improve(best, fresh)
    # 3. beam: extend the best few by one more of the original findings while budget lasts
    frontier = sorted(search.everything, key=lambda c: c.score)[:beam]
    while frontier and search.left() > 0:
        grown: list[Candidate] = []
        for parent in frontier:
            for f in findings:
                if f.id in parent.findings or search.left(len(grown)) <= 0:
                    continue
                child = search.extend(parent, f)
                if child is not None:
                    grown.append(child)
        if not grown:
            break
        search.run(grown)
        best_before = min(c.score for c in frontier)
        frontier = sorted([c for c in grown if c.score < best_before], key=lambda c: c.score)[:beam]
    return Reengineering(
        base, sorted(search.everything, key=lambda c: c.score), list(findings), later
    )
