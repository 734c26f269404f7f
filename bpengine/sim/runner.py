"""`simulate`: replications of a model under a scenario, summarised with confidence intervals.

Each replication gets its own ``numpy.random.Generator`` spawned from the seed (so the same
seed gives identical results, and replications are independent), simulates
``warmup + cases`` arrivals and measures the last ``cases``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time

import numpy as np

from ..errors import BpengineError, ModelError
from ..i18n import _
from ..model import ProcessModel, load
from ..scenario import load_scenario
from ..scenario.limits import check_run
from .eventlog import EventLog
from .kernel import Replication
from .net import UNSTAFFED, compile_net
from .results import SimulationResult, summarise

__all__ = ["run_case", "simulate", "trace"]


def _warmup_cases(warmup, cases) -> int:
    if isinstance(warmup, bool) or not isinstance(warmup, (int, float)) or warmup < 0:
        raise BpengineError(
            _("warmup: expected a number of cases or a fraction in [0, 1), got {warmup}").format(
                warmup=repr(warmup)
            )
        )
    if isinstance(warmup, float) and warmup < 1:
        return int(round(warmup * cases))
    return int(warmup)


_JOB: tuple | None = None  # what forked workers simulate (inherited, never pickled)


def _replicate(job):
    r, seed_seq = job
    assert _JOB is not None  # set before the workers were forked
    net, sc, model, cases, warm, keep = _JOB
    try:
        return Replication(
            net, sc, model, cases + warm, warm, seed_seq, keep_log=keep and r == 0
        ).run()
    except ModelError as exc:  # sent back whole: its problems keep file, line and element
        return ("failed", ModelError, exc.problems)
    except BpengineError as exc:
        return ("failed", type(exc), str(exc))


def simulate(
    model,
    *,
    scenario=None,
    cases: int = 1000,
    replications: int = 10,
    seed: int = 7,
    warmup: int | float = 0.1,
    event_log: bool = True,
    progress=None,
    workers: int = 1,
) -> SimulationResult:
    """Simulate ``cases`` cases of ``model`` ``replications`` times.

    Parameters
    ----------
    model : ProcessModel or path
        The model; a path is loaded with :func:`bpengine.load`.
    scenario : Scenario, path, dict or None
        Anything :func:`bpengine.load_scenario` reads; ``None``: the sidecar or defaults.
    cases : int
        Measured cases per replication.
    replications : int
        Independent replications; KPIs carry a 95% interval over them (needs 2 or more).
    seed : int
        Seed of the replications' random generators; the same seed repeats the run exactly.
    warmup : int or float
        Cases simulated first and not measured, so the offices are busy when measuring
        starts: a count, or a fraction of ``cases`` (default 0.1).
    event_log : bool
        Keep the first replication's task executions (``result.event_log``).
    progress : callable, optional
        Called as ``progress(done, total)`` with cases simulated so far.
    workers : int
        Processes running replications side by side (0: one per CPU). Results are the
        same whatever the number: each replication has its own seed.

    Raises
    ------
    ModelError, ScenarioError
        A model or scenario that cannot be simulated (named element, key); a case that
        loops without end (livelock) stops the run with a clear message.

    Examples
    --------
    >>> import bpengine
    >>> m = bpengine.load(b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
    ...  id="d"><process id="p"><startEvent id="s"/><task id="t"/><endEvent id="e"/>
    ...  <sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    ...  <sequenceFlow id="f2" sourceRef="t" targetRef="e"/></process></definitions>''')
    >>> r = simulate(m, scenario={"tasks": {"t": "30 min"}, "calendar": {"hours": "always"}},
    ...              cases=50, replications=2)
    >>> r["cycle_time_working_hours"].mean >= 0.5
    True
    """
    if not isinstance(model, ProcessModel):
        model = load(model)
    if isinstance(cases, bool) or not isinstance(cases, int) or cases < 1:
        raise BpengineError(
            _("cases: expected a positive whole number, got {cases}").format(cases=repr(cases))
        )
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise BpengineError(
            _("replications: expected a positive whole number, got {replications}").format(
                replications=repr(replications)
            )
        )
    warm = _warmup_cases(warmup, cases)
    check_run(cases, replications, warm)  # before loading anything: --cases 10**9 stops here
    sc = load_scenario(scenario, model=model)
    arrivals = sc.arrivals
    counted = arrivals.calendar or sc.calendar
    per_year = (
        365 * 1440.0 if arrivals.counting == "calendar" else counted.working_minutes_per_day * 245
    )  # ~245 working days a year
    check_run(cases, replications, warm, arrivals.interarrival.mean, per_year)
    net = compile_net(model, sc)
    seeds = np.random.SeedSequence(seed).spawn(replications)
    total = replications * (cases + warm)
    started = time.perf_counter()
    reps = []
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise BpengineError(
            _("workers: expected a whole number >= 0, got {workers}").format(workers=repr(workers))
        )
    workers = min(workers or os.cpu_count() or 1, replications)
    forked = False
    if workers > 1:  # worker processes are the rare case (-j): their modules load only then
        import multiprocessing

        forked = "fork" in multiprocessing.get_all_start_methods()
    if forked:
        from concurrent.futures import ProcessPoolExecutor

        global _JOB
        _JOB = (net, sc, model, cases, warm, event_log)
        try:
            with ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("fork")
            ) as pool:
                for r, stats in enumerate(pool.map(_replicate, enumerate(seeds))):
                    if isinstance(stats, tuple):
                        raise stats[1](stats[2])
                    reps.append(stats)
                    if progress is not None:
                        progress((r + 1) * (cases + warm), total)
        finally:
            _JOB = None
    else:
        for r, child in enumerate(seeds):

            def report(k, r=r):
                progress(r * (cases + warm) + k, total)

            # not kept in a name: its rows and items go as soon as run returns (see run)
            reps.append(
                Replication(
                    net, sc, model, cases + warm, warm, child, keep_log=event_log and r == 0
                ).run(report if progress is not None else None)
            )
    if progress is not None:
        progress(total, total)
    res = summarise(reps, net, sc, model.name or os.path.basename(model.file), cases, warm, seed)
    if event_log and reps:
        epoch = sc.calendar.clock(sc.start).epoch
        res = dataclasses.replace(
            res,
            event_log=_event_log(reps[0].rows, net, epoch, sc),
            handovers=_handover_rows(reps[0].transfers, net, model, epoch),
        )
    return dataclasses.replace(res, elapsed_seconds=time.perf_counter() - started)


def _event_log(table, net, epoch, scenario=None) -> EventLog:
    # lanes of named people: the log names the person, not "Lane #n"
    people = (
        {}
        if scenario is None
        else {
            k: [p.name for p in scenario.lane(name).people]
            for k, name in enumerate(net.lanes)
            if scenario.lane(name).people
        }
    )
    return EventLog(table, net.ids, net.names, net.lanes, UNSTAFFED, epoch, people)


def _handover_rows(transfers, net, model, epoch) -> list[dict]:
    """Hand-overs between pools as dicts with datetimes (see :mod:`.pools`)."""
    out = []
    for case, m, sent, arrived in transfers:
        h = model.handover(net.ids[m])
        out.append(
            {
                "case": case,
                "flow": h.flow,
                "name": h.name,
                "kind": h.kind,
                "sender": h.sender,
                "receiver": h.receiver,
                "sent": epoch + dt.timedelta(minutes=sent),
                "arrived": epoch + dt.timedelta(minutes=arrived),
            }
        )
    return out


def run_case(model, data: dict | None = None, scenario=None) -> list[dict]:
    """Simulate one case with the given case data; its task executions in order.

    Gateways decide by their conditions over ``data`` (or by the scenario's probabilities
    where it gives some). Used to hold the simulator to the engine's semantics.
    """
    if not isinstance(model, ProcessModel):
        model = load(model)
    sc = load_scenario(scenario, model=model)
    if data:
        sc.data = {**sc.data, **{k: None for k in data if k not in sc.data}}  # type: ignore[misc]  # drawn from data_source instead
    net = compile_net(model, sc)
    rep = Replication(
        net, sc, model, 1, 0, 0, keep_log=True, data_source=lambda k: dict(data or {})
    )
    stats = rep.run()
    rows = _event_log(stats.rows, net, rep.clock.epoch, sc).rows()
    return sorted(rows, key=lambda r: (r["end"], r["start"], r["enabled"]))


def trace(model, data: dict | None = None, scenario=None) -> list[str]:
    """The task ids one case completes, in order of completion (see :func:`run_case`)."""
    return [row["activity"] for row in run_case(model, data, scenario)]
