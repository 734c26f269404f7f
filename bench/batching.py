"""Benchmark: does batching (issue 14) slow down a model without batches?

Run: python bench/batching.py [--ref main] [--cases 5000] [--runs 5]

The simulation of the shared permit model (../shared/bench, Prosimos parameters, no
batches; the claims test model if ../shared is absent) is timed in this checkout and in
``--ref`` (extracted with ``git archive`` into a temporary directory: the baseline),
alternating, each run a fresh interpreter timing only the ``simulate`` call (one
replication, no event log). Printed: the median of each and their ratio. Also timed in
both: the claims model with ``T_notify`` batched by Prosimos rules (a size rule, and an hour
rule that the import reads looking back as Prosimos does: :mod:`bpengine.sim.batch_lookback`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"
CLAIMS = ROOT / "tests" / "data" / "prosimos"
_CHILD = """
import sys, time
from bpengine import load, load_scenario, simulate
model = load(sys.argv[1]); sc = load_scenario(sys.argv[2], model=model)
t = time.perf_counter()
simulate(model, scenario=sc, cases=int(sys.argv[3]), replications=1, warmup=0, event_log=False)
print(time.perf_counter() - t)
"""


def _time(code_root: Path, bpmn: Path, params: Path, cases: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(bpmn), str(params), str(cases)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def _extract(ref: str, into: Path) -> Path:
    archive = into / "base.tar"
    # the package alone: the tests hold links a safe extraction refuses
    subprocess.run(
        ["git", "-C", str(ROOT), "archive", "-o", str(archive), ref, "bpengine"], check=True
    )
    with tarfile.open(archive) as tar:
        tar.extractall(into / "base", filter="data")
    return into / "base"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", default="main", help="git ref of the baseline (default: main)")
    ap.add_argument("--cases", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if (SHARED / "permit.bpmn").exists():
        bpmn, params, name = SHARED / "permit.bpmn", SHARED / "permit.json", "permit"
    else:
        bpmn, params, name = CLAIMS / "claims.bpmn", CLAIMS / "claims.json", "claims"
    with tempfile.TemporaryDirectory() as tmp:
        base = _extract(args.ref, Path(tmp))
        doc = json.loads((CLAIMS / "claims.json").read_text())
        doc["batch_processing"] = [
            {
                "task_id": "T_notify",
                "type": "Sequential",
                "size_distrib": [{"key": "1", "value": 0.1}, {"key": "5", "value": 0.9}],
                "duration_distrib": [{"key": "5", "value": 0.6}],
                "firing_rules": [
                    [{"attribute": "size", "comparison": ">=", "value": 5}],
                    [{"attribute": "daily_hour", "comparison": ">=", "value": 15}],
                ],
            }
        ]
        batched = Path(tmp) / "claims_batch.json"
        batched.write_text(json.dumps(doc))
        ours, theirs, with_batch, base_batch = [], [], [], []
        for _ in range(args.runs):
            theirs.append(_time(base, bpmn, params, args.cases))
            ours.append(_time(ROOT, bpmn, params, args.cases))
            base_batch.append(_time(base, CLAIMS / "claims.bpmn", batched, args.cases))
            with_batch.append(_time(ROOT, CLAIMS / "claims.bpmn", batched, args.cases))
    load = os.getloadavg()
    print(f"{name}, {args.cases} cases, no batches, median of {args.runs} runs taken in turn")
    print(f"  baseline ({args.ref}): {statistics.median(theirs):.3f} s")
    print(f"  this checkout:   {statistics.median(ours):.3f} s")
    print(f"  ratio this/baseline: {statistics.median(ours) / statistics.median(theirs):.3f}")
    mine, based = statistics.median(with_batch), statistics.median(base_batch)
    print(f"claims with T_notify batched: baseline {based:.3f} s, this checkout {mine:.3f} s")
    print(f"  ratio this/baseline: {mine / based:.3f}")
    print(
        f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
