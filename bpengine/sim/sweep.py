"""`sweep`: the same model simulated over a grid of what-if values.

"How many officers does the kecamatan need?" is one simulation per staff level with every
other number held fixed. :func:`sweep` runs them all on the same seed (common random
numbers: the same citizens arrive at the same times in every variant, so differences come
from the change, not from chance) and returns one :class:`SweepPoint` per combination.
Each point's scenario is the base scenario with the point's values set through
:func:`bpengine.load_scenario`'s ``overrides``: identical to a hand-edited copy.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

from ..errors import BpengineError
from ..i18n import _
from ..model import ProcessModel, load
from ..scenario import load_scenario
from ..scenario.limits import MAX_SWEEP_POINTS, check_count
from ..scenario.overrides import parse_path
from .results import SimulationResult
from .runner import simulate

__all__ = ["Sweep", "SweepPoint", "sweep", "SWEEP_KPIS"]

# the KPIs a sweep table shows, in order (each present only when the simulation gives it)
SWEEP_KPIS = (
    "cycle_time_working_days",
    "cycle_time_calendar_days",
    "waiting_hours",
    "cost_per_case",
    "within_service_standard",
    "throughput_per_working_day",
)


@dataclass(frozen=True)
class SweepPoint:
    """One combination of values (path -> value) and its simulation."""

    values: dict
    result: SimulationResult

    def lane_utilisation(self, lane: str) -> float | None:
        """Mean utilisation of ``lane`` at this point (``None``: unknown lane or unlimited)."""
        return self._lane(lane, "utilisation")

    def lane_offered_load(self, lane: str) -> float | None:
        """Work arriving for ``lane`` per hour its staff have (``>= 1``: the queue grows)."""
        return self._lane(lane, "offered_load")

    def _lane(self, lane, key):
        for row in self.result.lanes:
            if row["lane"] == lane and not row.get("unlimited"):
                return row.get(key)
        return None


@dataclass(frozen=True)
class Sweep:
    """The outcome of :func:`sweep`: the varied paths and one point per combination."""

    model_name: str
    paths: tuple[str, ...]
    points: tuple[SweepPoint, ...] = ()
    cases: int = 0
    replications: int = 0
    seed: int = 7

    def lanes_varied(self) -> list[str]:
        """Lanes whose settings are varied (their utilisation is worth a column)."""
        out = []
        for path in self.paths:
            keys = parse_path(path)
            if keys[0] == "lanes" and len(keys) > 1 and keys[1] not in out:
                out.append(keys[1])
        return out

    def warnings(self) -> list[tuple[str, str]]:
        """(where, warning) pairs; a warning given at every point is said once, for all."""
        seen: dict[str, list[str]] = {}
        for p in self.points:
            where = ", ".join(f"{k}={v}" for k, v in p.values.items())
            for warning in p.result.warnings:
                seen.setdefault(warning, []).append(where)
        return [
            ("every point" if len(wheres) == len(self.points) > 1 else "; ".join(wheres), warning)
            for warning, wheres in seen.items()
        ]

    def to_dict(self) -> dict:
        return {
            "model": self.model_name,
            "vary": self.paths,
            "cases": self.cases,
            "replications": self.replications,
            "seed": self.seed,
            "points": [
                {
                    "values": p.values,
                    "kpis": {
                        k: p.result.kpis[k].to_dict() for k in SWEEP_KPIS if k in p.result.kpis
                    },
                    "lanes": p.result.lanes,
                    "warnings": p.result.warnings,
                }
                for p in self.points
            ],
        }


def _setting(path: str, value) -> str:
    """``PATH=VALUE`` with the value written as YAML reads it back (JSON is YAML)."""
    return f"{path}={json.dumps(value, ensure_ascii=False, default=str)}"


def sweep(
    model,
    *,
    vary=None,
    scenario=None,
    cases: int = 1000,
    replications: int = 10,
    seed: int = 7,
    warmup: int | float = 0.1,
    overrides=(),
    progress=None,
    workers: int = 1,
) -> Sweep:
    """Simulate ``model`` once per combination of the ``vary`` values.

    Parameters
    ----------
    model : ProcessModel or path
    scenario : path, dict or None
        The base scenario (YAML or mapping; ``None``: the sidecar or the defaults).
    vary : dict of str to list
        Scenario path (``lanes."Kepala OPD".staff``) -> values to try; several paths give
        every combination, the first path varying slowest.
    cases, replications, seed, warmup, workers
        As :func:`bpengine.simulate`, for every point; the same seed for all of them.
    overrides : sequence of str
        ``PATH=VALUE`` settings applied to every point before its own values.
    progress : callable, optional
        Called as ``progress(done, total)`` with cases simulated over all points.

    Raises
    ------
    ScenarioError
        A path or value the scenario reader refuses, naming it.
    """
    if not vary:
        raise BpengineError(_("sweep: give at least one path to vary, with its values"))
    if not isinstance(model, ProcessModel):
        model = load(model)
    paths = list(vary)
    for path in paths:
        if not vary[path]:
            raise BpengineError(_("sweep: {path}: no values to try").format(path=path))
    size = 1
    for p in paths:  # the product is counted before it is built
        size *= max(len(vary[p]), 1)
    check_count(size, "--vary", MAX_SWEEP_POINTS, "MAX_SWEEP_POINTS")
    grid = list(itertools.product(*(vary[p] for p in paths)))
    points = []
    for i, combo in enumerate(grid):
        settings = [*overrides, *(_setting(p, v) for p, v in zip(paths, combo, strict=True))]
        sc = load_scenario(scenario, model=model, overrides=settings)

        def report(done, total, i=i):
            progress(i * total + done, len(grid) * total)

        result = simulate(
            model,
            scenario=sc,
            cases=cases,
            seed=seed,
            replications=replications,
            warmup=warmup,
            event_log=False,
            workers=workers,
            progress=report if progress is not None else None,
        )
        points.append(SweepPoint(dict(zip(paths, combo, strict=True)), result))
    return Sweep(
        model.name, tuple(paths), tuple(points), cases=cases, replications=replications, seed=seed
    )
