"""`compare`: simulate a model before and after a redesign and say what changed, and if it is real.

Both sides run on the same scenario, with the same seed, the same number of cases and
replications — common random numbers as far as the simulator allows: each replication has
one generator, drawn in batches per distribution, so the two sides start from identical
draws and part ways only where the redesign changes the order of draws (the same model on
both sides gives identical numbers). KPIs whose value is
one mean per replication get a 95% CI and Welch's t-test over replication means; counts per
case (handoffs, approvals) come from the event log of the first replication and are
tested over its cases.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ..errors import ScenarioError
from ..i18n import N_, _, format_number, ngettext
from ..model import ProcessModel
from ..model import load as load_model
from ..report.comparison import Comparison, Metric, simulated_metric, structure
from ..scenario import load_scenario, parse_minutes
from ..scenario.loading import sidecar_path
from ..sim import SimulationResult, simulate

__all__ = [
    "BeforeAfter",
    "compare",
    "simulate_and_compare",
    "scenarios_for",
    "simulate_pair",
    "per_case_counts",
    "service_standard_days",
]

# sim KPI name -> (row key, label, unit, better)
_KPIS = [
    ("cycle_time_working_days", "cycle_days_mean", N_("Cycle time, mean"), "working days", "lower"),
    (
        "waiting_hours",
        "waiting_hours",
        N_("Waiting per case (queue, batch, closed office)"),
        "hours",
        "lower",
    ),
    # the applicant's own time counts too: "work", not "staff"
    ("processing_hours", "staff_hours", N_("Work hours per case (all lanes)"), "hours", "lower"),
    ("cost_per_case", "cost", N_("Cost of that work per case"), "IDR", "lower"),
]


#: steps that only pass a message on (counted as hand-overs, not as handoffs)
_SYSTEM_STEPS = ("sendTask", "receiveTask")


def per_case_counts(
    model: ProcessModel, event_log: Sequence[dict[str, Any]], handovers=None
) -> dict[str, list[float]]:
    """Handoffs (lane changes between consecutive steps people do) and approvals done, per
    case; on a collaboration also the hand-overs between pools (``result.handovers``).

    A send or receive task is the exchange of a message itself, counted as a hand-over
    between pools, not work a lane hands on: it is left out of the lane sequence (otherwise
    drawing a data exchange on a system lane would count as two more handoffs)."""
    steps = defaultdict(list)
    for row in event_log:
        steps[row["case"]].append((row["start"], row["end"], row["activity"], row["lane"]))
    handoffs, approvals = [], []
    sent: defaultdict[Any, int] = defaultdict(
        int
    )  # hand-overs between pools, counted on the simulator's own record
    for row in handovers or ():
        sent[row["case"]] += 1
    for rows in steps.values():
        rows.sort(key=lambda r: (r[0], r[1]))
        lanes = [
            r[3]
            for r in rows
            if not (r[2] in model.elements and model.elements[r[2]].kind in _SYSTEM_STEPS)
        ]
        handoffs.append(float(sum(1 for a, b in zip(lanes, lanes[1:], strict=False) if a != b)))
        approvals.append(
            float(
                sum(1 for r in rows if r[2] in model.elements and model.approval(r[2]).is_approval)
            )
        )
    return {
        "handoffs": handoffs,
        "approvals": approvals,
        "handovers": [float(sent[case]) for case in steps],
    }


def _split(values: np.ndarray, replications: int) -> list[np.ndarray]:
    return np.array_split(values, replications) if len(values) else []


def _file_of(side) -> str | None:
    """The file a side was read from: the path given, else the model's own (none in memory)."""
    if side is None:
        return None
    if isinstance(side, (str, os.PathLike)):
        return os.fspath(side)
    file = getattr(side, "file", None)
    return None if file in (None, "<bytes>") else str(file)


def scenarios_for(
    before, after=None, *, scenario=None, after_scenario=None, overrides: Sequence[str] = ()
):
    """The scenario each side of a before/after comparison runs on, resolved one way.

    :func:`compare`, ``bpengine compare`` and ``bpengine report`` all resolve through here.
    BEFORE runs on ``scenario``, else its sidecar ``x.scenario.yaml``, else the defaults.
    AFTER runs on ``after_scenario``, else its own sidecar, else BEFORE's: a redesign is
    judged on the same numbers unless it brings its own. A model redesigned in memory still
    names BEFORE's file, so AFTER's sidecar counts only when AFTER comes from another file.

    Parameters
    ----------
    before, after : ProcessModel or path
        The two sides (``after`` may be ``None``: one model, no comparison).
    scenario, after_scenario : Scenario, dict, path or None
        As :func:`compare` takes them.
    overrides : sequence of str
        What-if changes ``PATH=VALUE`` applied to both sides alike; both are then read
        (checked against their models when models are given).

    Returns
    -------
    (source, source)
        What each side runs on: as given, a sidecar's path as ``str``, ``None`` for the
        defaults (AFTER: also when there is no ``after``), or read :class:`Scenario` objects
        when there are ``overrides``.

    Examples
    --------
    >>> scenarios_for("processes/pbg.bpmn", "out/pbg-after.bpmn")
    ('processes/pbg.scenario.yaml', 'processes/pbg.scenario.yaml')
    >>> scenarios_for("processes/pbg.bpmn", scenario={"tasks": {}})
    ({'tasks': {}}, None)
    """
    fb, fa = _file_of(before), _file_of(after)
    sb = scenario
    if sb is None and fb is not None:
        found = sidecar_path(fb)
        sb = str(found) if found else None
    sa = after_scenario
    if after is None:
        sa = None
    elif sa is None:
        own = sidecar_path(fa) if fa is not None and fa != fb else None
        sa = str(own) if own else sb
    if not overrides:
        return sb, sa

    def model_of(side):
        return None if side is None or isinstance(side, (str, os.PathLike)) else side

    return (
        load_scenario(sb, model=model_of(before), overrides=overrides),
        None if after is None else load_scenario(sa, model=model_of(after), overrides=overrides),
    )


def simulate_pair(
    before: ProcessModel,
    after: ProcessModel,
    scenario=None,
    after_scenario=None,
    cases: int = 1000,
    replications: int = 10,
    seed: int = 7,
    *,
    progress=None,
    workers: int = 1,
):
    """Simulate both models with the same seed; returns ``(result_before, result_after)``.

    ``progress(done, total)`` counts the cases of both sides; ``workers`` as
    :func:`bpengine.simulate`.
    """

    def side(i):
        return (
            None
            if progress is None
            else (lambda done, total: progress(i * total + done, 2 * total))
        )

    rb = simulate(
        before,
        scenario=scenario,
        cases=cases,
        seed=seed,
        replications=replications,
        progress=side(0),
        workers=workers,
    )
    ra = simulate(
        after,
        scenario=scenario if after_scenario is None else after_scenario,
        cases=cases,
        seed=seed,
        replications=replications,
        progress=side(1),
        workers=workers,
    )
    return rb, ra


def service_standard_days(value, working_minutes_per_day: float = 450.0) -> float:
    """A service standard in working days: a number of days, or a scenario duration.

    Raises
    ------
    ScenarioError
        When the value is not a positive duration.

    Examples
    --------
    >>> service_standard_days(5), service_standard_days("3 wd"), service_standard_days("900 min")
    (5.0, 3.0, 2.0)
    """
    if isinstance(value, str) and value.strip().replace(".", "", 1).isdigit():
        value = float(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        days = float(value)
    else:
        days = (
            parse_minutes(value, "service standard", working_minutes_per_day)
            / working_minutes_per_day
        )
    if not days > 0:
        raise ScenarioError(
            _("service standard: must be positive, got {value!r}").format(value=value)
        )
    return days


def _within(result, days: float) -> list[float]:
    """Per replication, the share of cases done within ``days`` working days."""
    return [
        float((c <= days + 1e-9).mean())
        for c in _split(result.cycle_days, result.replications)
        if len(c)
    ]


class BeforeAfter(NamedTuple):
    """What :func:`simulate_and_compare` returns: the table and the two runs behind it.

    The runs are kept for what the table does not hold (the report's plots of cycle time
    and waiting by lane: ``plots_for(result.before, result.after)``).
    """

    comparison: Comparison
    before: SimulationResult
    after: SimulationResult


def simulate_and_compare(
    before,
    after,
    *,
    scenario=None,
    after_scenario=None,
    cases: int = 1000,
    replications: int = 10,
    seed: int = 7,
    service_standard=None,
    progress=None,
    workers: int = 1,
) -> BeforeAfter:
    """Simulate both models and compare them: the one call behind :func:`compare`,
    ``bpengine compare``, ``bpengine report`` and ``bpengine reengineer``.

    Parameters
    ----------
    before, after, scenario, after_scenario, cases, replications, seed, service_standard
        As :func:`compare` takes them; the scenarios are resolved by :func:`scenarios_for`.
    progress : callable, optional
        ``progress(done, total)`` over the cases of both sides (:func:`simulate_pair`).
    workers : int
        Processes per side, as :func:`bpengine.simulate`.

    Returns
    -------
    BeforeAfter
        ``(comparison, before, after)``: the table and both simulation results.
    """
    before = before if isinstance(before, ProcessModel) else load_model(before)
    after = after if isinstance(after, ProcessModel) else load_model(after)
    sb, sa = scenarios_for(before, after, scenario=scenario, after_scenario=after_scenario)
    rb, ra = simulate_pair(
        before, after, sb, sa, cases, replications, seed, progress=progress, workers=workers
    )
    table = _compare_results(
        before, after, rb, ra, scenario, after_scenario, cases, seed, service_standard
    )
    return BeforeAfter(table, rb, ra)


def compare(
    before,
    after,
    *,
    scenario=None,
    after_scenario=None,
    cases: int = 1000,
    replications: int = 10,
    seed: int = 7,
    results=None,
    service_standard=None,
) -> Comparison:
    """Structural metrics and simulated KPIs of two models, with absolute and % change.

    Parameters
    ----------
    before, after : ProcessModel or path
    scenario : Scenario, dict, path or None
        The scenario of ``before`` (``None``: its sidecar or defaults; see
        :func:`scenarios_for`).
    cases, replications, seed : int
        Per side; the same seed on both sides gives common random numbers.
    after_scenario : optional
        The scenario of ``after`` when it differs (e.g. from
        :func:`bpengine.redesign.transform_scenario`); default: ``after``'s own sidecar when
        it was read from another file, else ``before``'s (:func:`scenarios_for`, as
        ``bpengine compare`` resolves it).
    results : tuple, optional
        ``(result_before, result_after)`` already simulated (skips the simulation).
    service_standard : float or str, optional
        One service standard both sides are judged against (working days, or a duration
        such as ``"5 working days"``); default: ``before``'s scenario's. Each side's own
        would judge a reform that shortens the standard as a loss.

    Returns
    -------
    Comparison
        Rows: structure (exact), cycle time mean/median/p90, waiting, staff hours, cost,
        SLA compliance, handoffs and approvals per case, each with CIs and Welch's p-value.
    """
    if results is None:
        return simulate_and_compare(
            before,
            after,
            scenario=scenario,
            after_scenario=after_scenario,
            cases=cases,
            replications=replications,
            seed=seed,
            service_standard=service_standard,
        ).comparison
    before = before if isinstance(before, ProcessModel) else load_model(before)
    after = after if isinstance(after, ProcessModel) else load_model(after)
    rb, ra = results
    return _compare_results(
        before, after, rb, ra, scenario, after_scenario, cases, seed, service_standard
    )


def _compare_results(
    before: ProcessModel,
    after: ProcessModel,
    rb: SimulationResult,
    ra: SimulationResult,
    scenario,
    after_scenario,
    cases: int,
    seed: int,
    service_standard,
) -> Comparison:
    """The before/after table of two simulation results (see :func:`compare`)."""
    rows: list[Metric] = [
        m for m in structure(before, after) if m.key not in ("handoffs", "approvals")
    ]
    for name, key, label, unit, better in _KPIS[:1]:
        rows.append(
            simulated_metric(key, label, unit, list(rb[name].values), list(ra[name].values), better)
        )
    for q, key, label in (
        (50, "cycle_days_median", N_("Cycle time, median")),
        (90, "cycle_days_p90", N_("Cycle time, 90th percentile")),
    ):
        vb = [float(np.percentile(c, q)) for c in _split(rb.cycle_days, rb.replications)]
        va = [float(np.percentile(c, q)) for c in _split(ra.cycle_days, ra.replications)]
        if vb and va:
            rows.append(simulated_metric(key, label, "working days", vb, va))
    for name, key, label, unit, better in _KPIS[1:]:
        if name in rb.kpis and name in ra.kpis and rb[name].values and ra[name].values:
            rows.append(
                simulated_metric(
                    key, label, unit, list(rb[name].values), list(ra[name].values), better
                )
            )
    standard = (
        service_standard_days(service_standard, rb.working_minutes_per_day)
        if service_standard is not None
        else rb.service_standard_days
    )
    if standard is not None:
        vb, va = _within(rb, standard), _within(ra, standard)
        if vb and va:
            rows.append(
                simulated_metric(
                    "sla",
                    ngettext(
                        "Cases within the service standard ({days} working day)",
                        "Cases within the service standard ({days} working days)",
                        1 if standard == 1 else 2,
                    ).format(days=format_number(standard, 0 if standard == int(standard) else 1)),
                    "share",
                    vb,
                    va,
                    "higher",
                )
            )
    cb = per_case_counts(before, rb.event_log, rb.handovers)
    ca = per_case_counts(after, ra.event_log, ra.handovers)
    for key, label in (
        ("handoffs", N_("Handoffs per case")),
        ("approvals", N_("Approvals per case")),
        ("handovers", N_("Hand-overs between pools per case")),
    ):
        if key == "handovers" and not (before.is_collaboration or after.is_collaboration):
            continue  # no pools, no hand-overs between them
        if cb.get(key) and ca.get(key):
            row = "handovers_per_case" if key == "handovers" else key
            rows.append(
                simulated_metric(
                    row,
                    label,
                    key,
                    cb[key],
                    ca[key],
                    basis=N_("the cases of the first replication"),
                )
            )

    def named(s, default):
        if isinstance(s, (str, os.PathLike)):
            return str(s)
        return getattr(s, "source", None) or (_("given") if s is not None else default)

    label = named(scenario, _("sidecar or defaults"))
    if after_scenario is not None:  # say which numbers each side ran on
        label = _("before {before}, after {after}").format(
            before=label, after=named(after_scenario, label)
        )
    return Comparison(before.name, after.name, tuple(rows), cases, rb.replications, seed, label)
