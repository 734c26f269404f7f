"""What a simulation reports: KPIs with 95% confidence intervals, per task and per lane.

Each replication gives one value of every KPI (the mean over its measured cases); the
interval is Student's t over replications, the textbook way for independent replications
(Law, *Simulation Modeling and Analysis*, ch. 9). Times are minutes inside, reported in the
unit each KPI names.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..i18n import _, format_number

__all__ = [
    "KPI",
    "KPI_MEANING",
    "ReplicationStats",
    "SimulationResult",
    "offered_load",
    "replication_kpis",
    "summarise",
    "t_quantile",
]

# two-sided 95% Student t quantiles, df 1..30
_T95 = (
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
)


def t_quantile(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom."""
    if df < 1:
        return math.nan
    if df <= 30:
        return _T95[df - 1]
    return 1.96 + 2.4 / df  # within 0.002 of the exact value above 30


@dataclass
class ReplicationStats:
    """What one replication leaves behind: plain arrays, cheap to send between processes.

    Case arrays are indexed by case number (arrival order), in minutes: ``case_work`` the
    staff's working minutes summed over the case's steps (person-minutes) and ``case_cost``
    their cost; ``case_wait`` the union over the case's steps of the time from enabled to
    start (wall clock) and ``case_wait_working`` its working part; ``case_batch`` the
    working minutes of the union of the times steps were held for a sign-off round;
    ``case_proc_span`` the union from start to end of steps (wall clock) and
    ``case_proc_working`` the working minutes of it (see :mod:`.accounting`).
    ``task_stats`` is node x [count, queueing, batching, waiting while the office is
    closed, processing, paused while the office is closed] summed over measured cases;
    ``lane_wait`` per lane, the union of each measured case's waiting for that lane's
    steps (wall clock), summed over measured cases;
    ``rows`` the task executions, one row each (case, node, lane, person, enabled,
    released, assigned, start, end, working minutes), only when the event log is kept.
    """

    case_arrival: np.ndarray
    case_done: np.ndarray
    case_measured: np.ndarray
    case_work: np.ndarray
    case_cost: np.ndarray
    case_wait: np.ndarray
    case_wait_working: np.ndarray
    case_batch: np.ndarray
    case_proc_span: np.ndarray
    case_proc_working: np.ndarray
    task_stats: np.ndarray
    lane_wait: np.ndarray
    lane_busy: list
    end_time: float
    t0: float
    rows: np.ndarray
    transfers: list = field(default_factory=list)  # (case, transfer node, sent, arrived)
    first_start: float = math.nan  # the first task execution's start (NaN: none ran)


@dataclass(frozen=True)
class KPI:
    """A mean over replications with its 95% confidence interval (NaN for one replication)."""

    name: str
    unit: str
    mean: float
    low: float
    high: float
    values: tuple[float, ...] = ()

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def to_dict(self) -> dict:
        def clean(x):
            return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(x, 6)

        return {
            "name": self.name,
            "unit": self.unit,
            "mean": clean(self.mean),
            "ci95": [clean(self.low), clean(self.high)],
        }

    def __str__(self) -> str:
        if math.isnan(self.low):
            return f"{self.mean:.4g} {self.unit}"
        return f"{self.mean:.4g} ± {self.half_width:.2g} {self.unit}"


def _kpi(name, unit, values) -> KPI:
    arr = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    if arr.size == 0:
        return KPI(name, unit, math.nan, math.nan, math.nan, ())
    mean = float(arr.mean())
    if arr.size < 2:
        return KPI(name, unit, mean, math.nan, math.nan, tuple(arr.tolist()))
    half = t_quantile(arr.size - 1) * float(arr.std(ddof=1)) / math.sqrt(arr.size)
    return KPI(name, unit, mean, mean - half, mean + half, tuple(arr.tolist()))


_KPI_UNITS = {
    "cycle_time_calendar_days": "calendar days",
    "cycle_time_working_days": "working days",
    "cycle_time_working_hours": "working hours",
    "processing_hours": "hours",
    "waiting_hours": "hours",
    "waiting_working_hours": "working hours",
    "waiting_off_hours": "hours",
    "queueing_hours": "working hours",
    "batching_hours": "working hours",
    "queueing_minutes": "working minutes",
    # the case KPIs of Prosimos (simulation_stats_calculator.KPIMap), same names and
    # definitions, in hours where Prosimos gives seconds
    "cycle_time": "hours",
    "idle_cycle_time": "hours",
    "processing_time": "hours",
    "idle_processing_time": "hours",
    "waiting_time": "hours",
    "idle_time": "hours",
    "cost_per_case": "IDR",
    "within_service_standard": "share",
    "throughput_per_working_day": "cases/working day",
    "arrival_rate_per_hour": "cases/hour",
    "work_in_progress": "cases",
}

#: What each case KPI measures, per case (the mean over measured cases is reported).
KPI_MEANING = {
    "cycle_time_calendar_days": "arrival to end, wall clock",
    "cycle_time_working_days": "arrival to end, counting working time only",
    "cycle_time_working_hours": "arrival to end, counting working time only",
    "processing_hours": "staff working time summed over the case's steps (person-hours)",
    "waiting_hours": "some step ready and not yet taken up (union over parallel steps), "
    "wall clock; = waiting_working_hours + waiting_off_hours",
    "waiting_working_hours": "the part of waiting_hours in the office's working hours",
    "waiting_off_hours": "the part of waiting_hours while the office is closed",
    "queueing_hours": "the part of waiting_working_hours no step was held for a batch: "
    "waiting for a free person",
    "batching_hours": "the part of waiting_working_hours some step was held for a sign-off round",
    "queueing_minutes": "queueing_hours in minutes",
    "cycle_time": "Prosimos' cycle_time: idle_cycle_time - idle_time",
    "idle_cycle_time": "Prosimos' idle_cycle_time: arrival to end, wall clock",
    "processing_time": "Prosimos' processing_time: someone working on the case (union of "
    "steps' working time)",
    "idle_processing_time": "Prosimos' idle_processing_time: union of steps' start to end, "
    "wall clock",
    "waiting_time": "Prosimos' waiting_time: union of steps' enabled to start, wall clock",
    "idle_time": "Prosimos' idle_time: idle_processing_time - processing_time (steps "
    "paused while the office is closed)",
    "cost_per_case": "staff cost of the case's work",
    "within_service_standard": "share of cases done within the legal service standard",
    "throughput_per_working_day": "cases completed per working day",
    "arrival_rate_per_hour": "cases arriving per hour",
    "work_in_progress": "cases in the system at once (Little's law: rate x cycle time)",
    "offered_load_max": "work arriving per unit of working time over what the staff can "
    "do, the highest of any lane; at 1 or more the queue grows "
    "without bound",
}


def replication_kpis(rep: ReplicationStats, scenario) -> dict:
    """KPIs of one finished replication, from its measured cases."""
    clock = scenario.calendar.clock(scenario.start)
    per_day = scenario.calendar.working_minutes_per_day
    sla_days = scenario.service_standard_days
    sel = rep.case_measured & ~np.isnan(rep.case_done)
    out = {k: math.nan for k in _KPI_UNITS}
    if not sel.any():
        return {"kpis": out, "cycle_days": np.zeros(0), "calendar_days": np.zeros(0), "n": 0}
    arrival, done = rep.case_arrival[sel], rep.case_done[sel]
    worked = clock.worked_array(done) - clock.worked_array(arrival)
    wall = done - arrival
    wait, wait_work = rep.case_wait[sel], rep.case_wait_working[sel]
    batch = rep.case_batch[sel]
    span, work = rep.case_proc_span[sel], rep.case_proc_working[sel]
    paused = span - work

    def hours(x):
        return float(x.mean() / 60)

    out.update(
        {
            "cycle_time_calendar_days": float(wall.mean() / 1440),
            "cycle_time_working_days": float(worked.mean() / per_day),
            "cycle_time_working_hours": hours(worked),
            "processing_hours": hours(rep.case_work[sel]),
            "waiting_hours": hours(wait),
            "waiting_working_hours": hours(wait_work),
            "waiting_off_hours": hours(wait - wait_work),
            # batch intervals lie inside waiting ones; the clip only absorbs float residue
            "queueing_hours": hours(np.clip(wait_work - batch, 0, None)),
            "batching_hours": hours(batch),
            "queueing_minutes": float(np.clip(wait_work - batch, 0, None).mean()),
            "cycle_time": hours(wall - paused),
            "idle_cycle_time": hours(wall),
            "processing_time": hours(work),
            "idle_processing_time": hours(span),
            "waiting_time": hours(wait),
            "idle_time": hours(paused),
            "cost_per_case": float(rep.case_cost[sel].mean()),
        }
    )
    if sla_days is not None:
        out["within_service_standard"] = float((worked / per_day <= sla_days + 1e-9).mean())
    first, last = float(arrival.min()), float(done.max())
    span_days = (clock.worked(last) - clock.worked(first)) / per_day
    out["throughput_per_working_day"] = len(arrival) / span_days if span_days > 0 else math.nan
    # Little's law window: from the first to the last measured arrival, counting every case
    # in the system then (warm-up and late cases included), so L = lambda * W can be checked
    a0, a1 = first, float(arrival.max())
    if a1 > a0:
        ok = ~np.isnan(rep.case_done)
        all_arr, all_done = rep.case_arrival[ok], rep.case_done[ok]
        overlap = np.clip(np.minimum(all_done, a1) - np.maximum(all_arr, a0), 0, None)
        out["work_in_progress"] = float(overlap.sum() / (a1 - a0))
        out["arrival_rate_per_hour"] = float((len(arrival) - 1) / (a1 - a0) * 60)
    return {
        "kpis": out,
        "cycle_days": worked / per_day,
        "calendar_days": wall / 1440,
        "n": int(sel.sum()),
    }


def offered_load(rep: ReplicationStats, lane: int, staff: int, clock) -> float:
    """Work the lane was given per minute of its staff's working time while cases arrived.

    The lane's busy minutes (all cases) over ``staff`` times the lane's working minutes
    from the first to the last arrival: lambda x E[S] / c of queueing theory, measured.
    At 1 or more, work comes in faster than the lane can do it and its queue grows for as
    long as cases keep arriving.
    """
    ok = ~np.isnan(rep.case_arrival)
    if ok.sum() < 2 or staff <= 0:
        return math.nan
    arr = rep.case_arrival[ok]
    window = clock.worked(float(arr.max())) - clock.worked(float(arr.min()))
    return rep.lane_busy[lane] / (staff * window) if window > 0 else math.nan


@dataclass(frozen=True)
class SimulationResult:
    """The outcome of :func:`bpengine.simulate` (frozen; its tables are filled once).

    Attributes
    ----------
    kpis : dict of str to KPI
        Case KPIs, each described in :data:`KPI_MEANING`: cycle time in calendar days,
        working days and hours; staff work; waiting (a union over parallel steps, never
        more than the cycle time) in working hours and while the office is closed, the
        working part split into queueing and batching; Prosimos' own case KPIs under
        their names (``cycle_time``, ``idle_cycle_time``, ``processing_time``,
        ``idle_processing_time``, ``waiting_time``, ``idle_time``, in hours); cost per
        case; share within the service standard; throughput; work in progress and
        arrival rate for Little's law; the highest offered load of a lane.
    tasks, lanes : list of dict
        Per task, minutes per execution: queueing, batching, waiting while the office is
        closed (``off_hours_minutes``), their sum ``waiting_minutes``, processing, and
        ``paused_minutes`` (taken up, paused while the office is closed); executions and
        cost per case. Per lane: staff (``None`` for steps no staff works on: system
        steps and steps on no lane), utilisation (with CI), offered load, cost.
    warnings : list of str
        What makes the figures unreliable, e.g. a lane whose offered load is 1 or more.
    cycle_days, cycle_calendar_days : numpy.ndarray
        Cycle time in working days (and in calendar days) of every measured case of every
        replication, in order of arrival within each replication.
    event_log : EventLog or list
        Task executions of the first replication, read as dicts (``case``, ``activity``,
        ``name``, ``lane``, ``resource``, ``enabled``, ``start``, ``end`` as datetimes);
        an :class:`~bpengine.sim.eventlog.EventLog` keeps them as columns until then.
    handovers : list of dict
        Hand-overs between pools in the first replication (``case``, ``flow``, ``name``,
        ``kind`` paper/data, ``sender``, ``receiver``, ``sent``, ``arrived``).
    """

    model_name: str
    cases: int
    replications: int
    warmup: int
    seed: int
    kpis: dict[str, KPI] = field(default_factory=dict)
    tasks: list[dict] = field(default_factory=list)
    lanes: list[dict] = field(default_factory=list)
    cycle_days: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cycle_calendar_days: np.ndarray = field(default_factory=lambda: np.zeros(0))
    event_log: Sequence = field(default_factory=list)
    handovers: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    service_standard_days: float | None = None
    working_minutes_per_day: float = 450.0
    around_the_clock: bool = False  # no office calendar: a working day is 24 h
    elapsed_seconds: float = 0.0

    def __getitem__(self, name: str) -> KPI:
        return self.kpis[name]

    @property
    def cases_per_second(self) -> float:
        total = self.replications * (self.cases + self.warmup)
        return total / self.elapsed_seconds if self.elapsed_seconds else math.nan

    def to_dict(self) -> dict:
        return {
            "model": self.model_name,
            "cases": self.cases,
            "replications": self.replications,
            "warmup": self.warmup,
            "seed": self.seed,
            "service_standard_days": self.service_standard_days,
            "kpis": {k: v.to_dict() for k, v in self.kpis.items()},
            "tasks": self.tasks,
            "lanes": self.lanes,
            "notes": self.notes,
            "warnings": self.warnings,
            "elapsed_seconds": round(self.elapsed_seconds, 3),
        }


def _clean(x: float, digits: int = 4) -> float:
    """Round a non-negative quantity, turning floating-point residue (-1e-12, -0.0) into 0."""
    x = round(float(x), digits)
    return 0.0 if x <= 0 and x > -1e-6 else x


def _peak_cases(rep: ReplicationStats) -> int:
    """The most cases ever in the system at once in one replication (warm-up included)."""
    ok = ~np.isnan(rep.case_arrival)
    if not ok.any():
        return 0
    arr, done = rep.case_arrival[ok], rep.case_done[ok]
    done = np.where(np.isnan(done), np.inf, done)
    # departures sort before arrivals at the same instant
    times = np.concatenate([arr, done])
    steps = np.concatenate([np.ones(len(arr)), -np.ones(len(done))])
    order = np.lexsort((steps, times))
    return int(np.cumsum(steps[order]).max())


#: A lane counts as unlimited when it has at least this many people per case ever in the
#: system at once and nobody ever queued for it: staff is then no constraint at all (the
#: ``staff: 1000`` scenarios give an applicant lane, where every case has its own person).
UNLIMITED_STAFF_PER_CASE = 10


def summarise(reps, net, scenario, model_name, cases, warmup, seed) -> SimulationResult:
    """Combine finished replications into one :class:`SimulationResult`."""
    from .net import UNSTAFFED, lane_calendar

    sla = scenario.service_standard_days
    per = [replication_kpis(r, scenario) for r in reps]
    res = SimulationResult(
        model_name,
        cases,
        len(reps),
        warmup,
        seed,
        service_standard_days=sla,
        notes=list(net.notes),
        working_minutes_per_day=scenario.calendar.working_minutes_per_day,
        around_the_clock=scenario.calendar.around_the_clock,
        cycle_days=np.concatenate([p["cycle_days"] for p in per]) if per else np.zeros(0),
        cycle_calendar_days=(
            np.concatenate([p["calendar_days"] for p in per]) if per else np.zeros(0)
        ),
    )
    for name, unit in _KPI_UNITS.items():
        if name == "within_service_standard" and sla is None:
            continue
        res.kpis[name] = _kpi(name, unit, [p["kpis"][name] for p in per])
    measured = [max(p["n"], 1) for p in per]
    lane_cost = np.zeros(len(net.lanes))
    for i, node_id in enumerate(net.ids):
        lane = net.lane[i]
        if lane < 0:
            continue
        rows = np.array([r.task_stats[i] for r in reps])
        count = rows[:, 0].sum()
        per_case = float(np.mean([row[0] / n for row, n in zip(rows, measured, strict=True)]))
        unstaffed = net.lanes[lane] in UNSTAFFED
        rate = 0.0 if unstaffed else scenario.lane(net.lanes[lane]).cost_per_hour / 60
        cost = float(np.mean([row[4] / n for row, n in zip(rows, measured, strict=True)])) * rate
        lane_cost[lane] += cost
        mean = lambda col, rows=rows, count=count: (
            float(rows[:, col].sum() / count) if count else 0.0
        )
        res.tasks.append(
            {
                "id": node_id,
                "name": net.names[i],
                "lane": net.lanes[lane],
                "executions_per_case": round(per_case, 6),
                "queueing_minutes": _clean(mean(1)),
                "batching_minutes": _clean(mean(2)),
                "off_hours_minutes": _clean(mean(3)),
                "processing_minutes": _clean(mean(4)),
                "paused_minutes": _clean(mean(5)),
                "waiting_minutes": _clean(mean(1) + mean(2) + mean(3)),
                "cost_per_case": round(cost, 2),
            }
        )
    peak = max((_peak_cases(r) for r in reps), default=0)
    loads = np.full((len(reps), len(net.lanes)), np.nan)
    for k, name in enumerate(net.lanes):
        unstaffed = name in UNSTAFFED
        staff = scenario.lane(name)
        clock = lane_calendar(scenario, name).clock(scenario.start)
        utils = []
        for r_i, r in enumerate(reps):
            if unstaffed:
                continue
            first = float(np.nanmin(r.case_arrival)) if len(r.case_arrival) else r.t0
            if scenario.utilisation_from == "first_start" and not math.isnan(r.first_start):
                first = r.first_start  # Prosimos' window: from the first task's start
            avail = scenario.lane_capacity(name, first, r.end_time)  # each person's hours
            utils.append(r.lane_busy[k] / avail if avail > 0 else math.nan)
            loads[r_i, k] = offered_load(r, k, staff.staff, clock)
        u = _kpi(f"utilisation {name}", "share", utils)
        load = _kpi(f"offered load {name}", "share", loads[:, k])
        wait = float(np.mean([r.lane_wait[k] / n for r, n in zip(reps, measured, strict=True)]))
        queued = any(t["queueing_minutes"] > 0 for t in res.tasks if t["lane"] == name)
        res.lanes.append(
            {
                "lane": name,
                "staff": None if unstaffed else staff.staff,
                "unlimited": unstaffed
                or bool(peak and not queued and staff.staff >= UNLIMITED_STAFF_PER_CASE * peak),
                "cost_per_hour": 0.0 if unstaffed else staff.cost_per_hour,
                "utilisation": u.to_dict()["mean"],
                "utilisation_ci95": u.to_dict()["ci95"],
                "offered_load": load.to_dict()["mean"],
                "waiting_minutes_per_case": _clean(wait),
                "cost_per_case": round(float(lane_cost[k]), 2),
            }
        )
        if not unstaffed and load.mean >= 1:
            res.warnings.append(
                _(
                    "lane {lane} ({staff} staff): offered load {load}, i.e. {load} hours of work "
                    "arrive for every hour its staff can work; at 1 or more the queue grows without "
                    "bound, so the cycle time rises with the number of cases simulated and "
                    "describes no steady state; add staff or take work off this lane"
                ).format(lane=repr(name), staff=staff.staff, load=format_number(load.mean, 2))
            )
    staffed = ~np.all(np.isnan(loads), axis=0) if len(reps) else np.zeros(0, bool)
    if staffed.any():
        res.kpis["offered_load_max"] = _kpi(
            "offered_load_max", "share", np.nanmax(loads[:, staffed], axis=1)
        )
    return res
