"""Benchmark: simulating a collaboration vs the same procedure flattened into one pool.

The shipped collaborations (processes/izin-usaha-sebelum-oss.bpmn, processes/pbg.bpmn) are
simulated beside their single-pool predecessors (bench/data/*-flat.bpmn: the same steps in
one pool, lanes for the agencies, no message flows), each under its own scenario. The
collaboration has more to do per case (hand-overs with their transfer times, the throw and
catch events, a few steps the single pool did not model), so the fair figure is the time
per simulated step (task execution), with cases per second beside it. Each pair is run
``--repeats`` times alternately in the same invocation; medians are quoted.

Usage: python bench/collaboration.py [--cases 2000] [--replications 3] [--repeats 5]
Target: per simulated step, the collaboration within 1.5x of the flattened procedure.

Measured 2026-11-30 on the 2-core dev machine while other suites ran (load 8.5-8.7),
--cases 1000 --replications 3 --repeats 3, medians:
  izin-usaha-sebelum-oss  collaboration 1,273 cases/s, 35.3 us/step; flattened 1,752 cases/s,
                          25.6 us/step: 1.38x per step (22.3 steps/case both)
  pbg                     collaboration 1,446 cases/s, 37.5 us/step; flattened 1,673 cases/s,
                          34.3 us/step: 1.09x per step
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from bpengine import load, simulate

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[1]
PAIRS = [
    (
        "izin-usaha-sebelum-oss",
        ROOT / "processes" / "izin-usaha-sebelum-oss.bpmn",
        ROOT / "bench" / "data" / "izin-usaha-sebelum-oss-flat.bpmn",
    ),
    ("pbg", ROOT / "processes" / "pbg.bpmn", ROOT / "bench" / "data" / "pbg-flat.bpmn"),
]


def _run(path: Path, cases: int, replications: int) -> tuple[float, float]:
    """(seconds, task executions simulated) of one run on the model's sidecar scenario."""
    model = load(path)
    scenario = path.with_suffix(".scenario.yaml")
    started = time.perf_counter()
    result = simulate(
        model,
        scenario=str(scenario),
        cases=cases,
        replications=replications,
        seed=7,
        event_log=False,
    )
    seconds = time.perf_counter() - started
    steps = sum(t["executions_per_case"] for t in result.tasks) * cases * replications
    return seconds, steps


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for name, collab, flat in PAIRS:
        runs = {"collaboration": [], "flattened": []}
        for _ in range(args.repeats):
            for label, path in (("collaboration", collab), ("flattened", flat)):
                runs[label].append(_run(path, args.cases, args.replications))
        per_step = {k: statistics.median(s / n * 1e6 for s, n in v) for k, v in runs.items()}
        per_case = {
            k: statistics.median(args.cases * args.replications / s for s, _ in v)
            for k, v in runs.items()
        }
        steps = {
            k: statistics.median(n for _, n in v) / (args.cases * args.replications)
            for k, v in runs.items()
        }
        for label in ("collaboration", "flattened"):
            print(
                f"{name:24} {label:14} {per_case[label]:8.0f} cases/s  "
                f"{steps[label]:5.1f} steps/case  {per_step[label]:6.1f} us/step"
            )
        print(
            f"{name:24} ratio collaboration/flattened per step: "
            f"{per_step['collaboration'] / per_step['flattened']:.2f}x "
            f"(per case {per_case['flattened'] / per_case['collaboration']:.2f}x)"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
