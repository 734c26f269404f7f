"""Benchmark: this checkout's simulator against a baseline checkout, in pairs (A/B).

For a change to the simulator's hot path (bpengine/sim), make a baseline tree, for example
``git archive main | tar -x -C /tmp/base``, then run this script from the changed checkout.
Each pair runs the simulation once in a fresh process per tree, alternately (A B A B ...), and
times only ``simulate()`` (process CPU time, after one unmeasured warm-up run), so start-up
does not dilute the difference; the ratio A/B is taken pair by pair, which keeps it fair when
the machine's load drifts. The outputs of both trees are compared first: a refactoring must
give the same numbers.

Usage: python bench/sim_ab.py BASELINE_TREE [--model processes/pbg.bpmn] [--cases 3000]
       [--replications 4] [--pairs 7]

Measured 2026-11-30 (issue #15: the kernel's _enter split into one handler per node kind, and
_finish's rare cases out of line; baseline: the same tree with main's bpengine/sim), pbg,
3,000 cases x 4 replications, 7 pairs of 2 runs each, load average 7-13 on 2 cores:
  A (handlers) median 1.870 s, B (main) 1.839 s CPU; A/B median 1.004 (0.981-1.102).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
_CHILD = """
import statistics, sys, time
sys.path.insert(0, sys.argv[1])
from bpengine import load, simulate
model = load(sys.argv[2])
cases, replications, runs = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
if runs == 0:
    result = simulate(model, cases=cases, replications=replications, seed=1)
    print(sorted((k, round(v.mean, 9)) for k, v in result.kpis.items()))
    raise SystemExit
simulate(model, cases=200, replications=1, seed=1)  # imports, caches: not measured
times = []
for k in range(runs):
    t0 = time.process_time()
    simulate(model, cases=cases, replications=replications, seed=k + 1)
    times.append(time.process_time() - t0)
print(statistics.median(times))
"""


def _run(tree: Path, model: Path, args, runs: int) -> str:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _CHILD,
            str(tree),
            str(model),
            str(args.cases),
            str(args.replications),
            str(runs),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("baseline", type=Path, help="a checkout to compare against")
    parser.add_argument("--model", default="processes/pbg.bpmn")
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--runs", type=int, default=2, help="timed runs per process")
    args = parser.parse_args()
    model = (HERE / args.model).resolve()
    same = _run(HERE, model, args, 0) == _run(args.baseline.resolve(), model, args, 0)
    print(f"KPIs of A and B {'identical' if same else 'DIFFER'}")
    pairs = []
    for _ in range(args.pairs):
        a = float(_run(HERE, model, args, args.runs))
        b = float(_run(args.baseline.resolve(), model, args, args.runs))
        pairs.append((a, b))
        print(f"A {a:.3f} s  B {b:.3f} s  A/B {a / b:.3f}", flush=True)
    ratios = [a / b for a, b in pairs]
    print(
        f"A median {statistics.median(a for a, _ in pairs):.3f} s, B median "
        f"{statistics.median(b for _, b in pairs):.3f} s CPU; A/B median "
        f"{statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f}); "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
