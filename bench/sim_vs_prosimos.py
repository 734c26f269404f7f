"""bpengine's simulator against Prosimos 2.1.0 on the same model and parameters, same run.

Run: python bench/sim_vs_prosimos.py [--cases 10000] [--runs 3] [--shared PATH]

Prosimos is installed (once) into its own venv, bench/.venv/prosimos-2.1.0 (ignored by git
through the root .gitignore's ``.venv/``), because its dependency pins must not touch
bpengine's environment. Both simulators run ../shared/bench/permit.bpmn with permit.json
(Prosimos parameters, imported by bpengine as they are) for the same number of cases from
the same Monday 08:00, one replication.

Printed, each a median of ``--runs`` runs taken in turn (bpengine, Prosimos, bpengine, ...)
so both see the same load, with the load average before and after:

- **whole process**, the figure a user waits for: a fresh interpreter running
  ``bpengine simulate MODEL --prosimos PARAMS --cases N --replications 1 --warmup 0
  [--log out.csv]`` against one running Prosimos' ``run_simulation`` (imports included),
  with the event log written and without (Prosimos then keeps its results in memory);
  wall time and CPU time (user + system, less sensitive to other load on a shared box);
  bpengine runs from compiled bytecode (in a temporary cache) as Prosimos' venv does, in
  a venv without the development checkout's editable-install hook (:func:`user_python`),
  as a user's ``pip install .`` leaves it;
- **in-process**, labelled as such: the simulation call alone in a running interpreter;
- **in-loop**: bpengine's event loop alone (no statistics, no log), in task executions,
  lifecycle events (enabled, started, completed per task; arrived, completed per case)
  and heap events per second;
- the mean cycle time of each in calendar days with a 95% interval by batch means (10
  batches in arrival order, the first dropped as warm-up), and where one bpengine run
  falls over ``--replications`` independent replications.
"""

from __future__ import annotations

import argparse
import atexit
import csv
import datetime as dt
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV = HERE / ".venv" / "prosimos-2.1.0"
START = "2025-01-06T08:00:00.000+00:00"
_DRIVER = """
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from prosimos.simulation_engine import run_simulation
bpmn, params, cases, log, start = sys.argv[1:6]
t1, c1 = time.perf_counter(), time.process_time()
run_simulation(bpmn, params, int(cases), log_out_path=log or None, starting_at=start)
print(json.dumps({"seconds": time.perf_counter() - t1, "cpu": time.process_time() - c1,
                  "import": t1 - t0}))
"""
_CLI = "import sys; from bpengine.cli import main; sys.exit(main())"


def venv_python() -> Path:
    return VENV / "bin" / "python"


def ensure_prosimos() -> str | None:
    """Install prosimos==2.1.0 into its own venv if missing; the reason if that fails."""
    py = venv_python()
    if py.exists():
        check = subprocess.run([str(py), "-c", "import prosimos"], capture_output=True, text=True)
        if check.returncode == 0:
            return None
    print(f"installing prosimos==2.1.0 into {VENV} (once) ...", flush=True)
    made = subprocess.run([sys.executable, "-m", "venv", str(VENV)], capture_output=True, text=True)
    if made.returncode != 0:
        return f"python -m venv failed: {made.stderr.strip()[-800:]}"
    pip = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "prosimos==2.1.0"], capture_output=True, text=True
    )
    if pip.returncode != 0:
        return f"pip install prosimos==2.1.0 failed:\n{(pip.stderr or pip.stdout).strip()[-1500:]}"
    return None


def batch_means(values: np.ndarray, batches: int = 10) -> tuple[float, float, float]:
    """Mean and 95% interval by batch means, dropping the first batch as warm-up."""
    parts = np.array_split(np.asarray(values, dtype=float), batches)[1:]
    means = np.array([p.mean() for p in parts if len(p)])
    from bpengine.sim import t_quantile

    half = t_quantile(len(means) - 1) * means.std(ddof=1) / math.sqrt(len(means))
    return float(means.mean()), float(means.mean() - half), float(means.mean() + half)


def prosimos_cycle_days(log_path: Path) -> np.ndarray:
    """Per case (in case order): last task end minus first task enablement, in days."""
    first: dict[int, dt.datetime] = {}
    last: dict[int, dt.datetime] = {}
    with open(log_path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            case = int(row["case_id"])
            enabled = dt.datetime.fromisoformat(row["enable_time"])
            ended = dt.datetime.fromisoformat(row["end_time"])
            if case not in first or enabled < first[case]:
                first[case] = enabled
            if case not in last or ended > last[case]:
                last[case] = ended
    return np.array([(last[c] - first[c]).total_seconds() / 86400 for c in sorted(first)])


def _child(cmd, env=None, cwd=None) -> tuple[float, float, str]:
    """Run a fresh interpreter; its wall and CPU (user + system) seconds, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed:\n{proc.stderr.strip()[-1500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout


def run_prosimos(bpmn: Path, params: Path, cases: int, log: Path | None) -> dict:
    """One whole Prosimos process; with ``log``, the cycle times read back from it."""
    with tempfile.TemporaryDirectory() as tmp:  # its warnings file lands in the cwd
        wall, cpu, out = _child(
            [
                str(venv_python()),
                "-c",
                _DRIVER,
                str(bpmn),
                str(params),
                str(cases),
                str(log or ""),
                START,
            ],
            cwd=tmp,
        )
    inner = json.loads(out.strip().splitlines()[-1])
    return {
        "wall": wall,
        "cpu": cpu,
        "in_process": inner["seconds"],
        "days": prosimos_cycle_days(log) if log else None,
    }


# bpengine's children get compiled bytecode, as an installed package (and Prosimos' venv) has:
# under PYTHONDONTWRITEBYTECODE every run would compile bpengine's sources again (~0.08 s).
# The .pyc files go to a temporary tree, never into the checkout; main() warms it up.
_PYCACHE = tempfile.mkdtemp(prefix="bpengine-pycache-")
atexit.register(shutil.rmtree, _PYCACHE, True)


USER_VENV = HERE / ".venv" / "bpengine-user"


def user_python() -> Path:
    """An interpreter that finds bpengine as a user's ``pip install .`` leaves it.

    A development venv installs bpengine editable, and that install's import hook (a
    ``.pth`` file run at every start) costs ~10 ms a process that no user pays, nor
    Prosimos, installed plainly in its venv. This venv has no such hook: bpengine comes
    from the checkout (``PYTHONPATH``, compiled bytecode as below), its dependencies from
    this interpreter's site-packages, listed as plain paths in a ``.pth`` file (a path line
    is put on ``sys.path``; the ``.pth`` files in that directory are not run).
    """
    import site

    py = USER_VENV / "bin" / "python"
    if not py.exists():
        made = subprocess.run(
            [sys.executable, "-m", "venv", "--without-pip", str(USER_VENV)],
            capture_output=True,
            text=True,
        )
        if made.returncode != 0:
            raise SystemExit(f"cannot make {USER_VENV}: {made.stderr.strip()}")
    (inside,) = (USER_VENV / "lib").glob("python3*/site-packages")
    (inside / "bpengine-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return py


def _bpengine_env() -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": _PYCACHE}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_bpengine_cli(bpmn: Path, params: Path, cases: int, log: Path | None) -> dict:
    """One whole ``bpengine simulate`` process, as a user runs it (table on stdout)."""
    env = _bpengine_env()
    cmd = [
        str(user_python()),
        "-c",
        _CLI,
        "simulate",
        str(bpmn),
        "--prosimos",
        str(params),
        "--cases",
        str(cases),
        "--replications",
        "1",
        "--warmup",
        "0",
        "--seed",
        "7",
    ]
    wall, cpu, _ = _child(cmd + (["--log", str(log)] if log else []), env=env)
    return {"wall": wall, "cpu": cpu}


def run_bpengine(bpmn: Path, params: Path, cases: int) -> tuple[float, float, np.ndarray]:
    """In-process: the simulate() call alone (scenario import included), event log kept.

    Wall and CPU seconds, and the cycle times in calendar days.
    """
    from bpengine import load, load_scenario, simulate

    model = load(bpmn)
    t0, c0 = time.perf_counter(), time.process_time()
    scenario = load_scenario(params, model=model)
    res = simulate(
        model, scenario=scenario, cases=cases, replications=1, warmup=0, seed=7, event_log=True
    )
    return time.perf_counter() - t0, time.process_time() - c0, res.cycle_calendar_days


def in_loop(bpmn: Path, params: Path, cases: int) -> dict:
    """bpengine's event loop alone: one replication, statistics and log left out."""
    from bpengine import load, load_scenario
    from bpengine.sim.kernel import Replication
    from bpengine.sim.net import compile_net

    model = load(bpmn)
    scenario = load_scenario(params, model=model)
    net = compile_net(model, scenario)
    rep = Replication(net, scenario, model, cases, 0, np.random.SeedSequence(7).spawn(1)[0])
    # measure the loop, not the vectorised statistics after it (run() still hangs the
    # replication's hand-overs on what tally returns)
    rep.tally = types.SimpleNamespace
    t0, c0 = time.perf_counter(), time.process_time()
    rep.run()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    tasks = len(rep.rows)
    return {
        "seconds": seconds,
        "cpu": cpu,
        "tasks": tasks,
        "heap": next(rep.seq),
        "lifecycle": 3 * tasks + 2 * cases,
    }


def _median(values) -> float:
    return statistics.median(values)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min; {os.cpu_count()} CPUs)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3, help="runs of each, medians (default 3)")
    ap.add_argument(
        "--replications",
        type=int,
        default=10,
        help="bpengine replications for the consistency interval (default 10)",
    )
    ap.add_argument(
        "--shared", default=os.environ.get("BPENGINE_SHARED", str(ROOT.parent / "shared"))
    )
    args = ap.parse_args()
    bench = Path(args.shared) / "bench"
    bpmn, params = bench / "permit.bpmn", bench / "permit.json"
    if not bpmn.exists():
        print(f"{bpmn} not found: pass --shared or set BPENGINE_SHARED", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    reason = ensure_prosimos()
    if reason is not None:
        print(f"prosimos : NOT RUN - {reason}")
        return 1
    print(
        f"model {bpmn.name} + {params.name}, {args.cases} cases, one replication, "
        f"start {START[:16]}; medians of {args.runs} runs"
    )
    print(f"load average before: {_load()}")
    runs: dict[str, list] = {k: [] for k in ("b_log", "b_nolog", "p_log", "p_nolog")}
    run_bpengine_cli(bpmn, params, 10, None)  # unmeasured: writes bpengine's bytecode cache
    p_days = None
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.runs):
            b_log, p_log = Path(tmp) / f"b{r}.csv", Path(tmp) / f"p{r}.csv"
            runs["b_log"].append(run_bpengine_cli(bpmn, params, args.cases, b_log))
            runs["p_log"].append(run_prosimos(bpmn, params, args.cases, p_log))
            runs["b_nolog"].append(run_bpengine_cli(bpmn, params, args.cases, None))
            runs["p_nolog"].append(run_prosimos(bpmn, params, args.cases, None))
            p_days = runs["p_log"][-1]["days"] if p_days is None else p_days
    med = {k: {m: _median([x[m] for x in v]) for m in ("wall", "cpu")} for k, v in runs.items()}
    print("whole process (fresh interpreter, imports included), wall / CPU seconds:")
    for label, b, p in (
        ("with event log", "b_log", "p_log"),
        ("without log", "b_nolog", "p_nolog"),
    ):
        print(
            f"  {label:15s} bpengine {med[b]['wall']:6.2f} / {med[b]['cpu']:6.2f}   "
            f"prosimos {med[p]['wall']:6.2f} / {med[p]['cpu']:6.2f}   ratio "
            f"{med[p]['wall'] / med[b]['wall']:5.1f}x wall, "
            f"{med[p]['cpu'] / med[b]['cpu']:5.1f}x CPU"
        )
    ratio = med["p_log"]["wall"] / med["b_log"]["wall"]
    print(
        f"  target: bpengine >= 20x Prosimos' whole process with the log: "
        f"{'met' if ratio >= 20 else 'NOT met'} ({ratio:.1f}x wall)"
    )

    inproc = [run_bpengine(bpmn, params, args.cases) for _ in range(args.runs)]
    b_in, b_in_cpu = _median([x[0] for x in inproc]), _median([x[1] for x in inproc])
    p_in = _median([x["in_process"] for x in runs["p_log"]])
    print(
        f"in-process (the simulation call alone, log kept in memory; labelled, not the "
        f"whole process): bpengine {b_in:.2f} s wall ({b_in_cpu:.2f} s CPU), prosimos "
        f"{p_in:.2f} s wall: {p_in / b_in:.1f}x wall"
    )
    loops = [in_loop(bpmn, params, args.cases) for _ in range(args.runs)]
    one = loops[0]
    for what in ("seconds", "cpu"):
        sec = _median([x[what] for x in loops])
        print(
            f"in-loop, {'wall' if what == 'seconds' else 'CPU'} (bpengine's event loop "
            f"alone): {sec:.2f} s for {one['tasks']:,} task executions = "
            f"{one['tasks'] / sec:,.0f}/s; {one['lifecycle'] / sec:,.0f} lifecycle events/s "
            f"(enabled, started, completed per task; arrived, completed per case); "
            f"{one['heap'] / sec:,.0f} heap events/s"
        )

    b_days = inproc[0][2]
    b_mean, b_lo, b_hi = batch_means(b_days)
    p_mean, p_lo, p_hi = batch_means(p_days)
    print(f"bpengine : mean cycle {b_mean:.3f} d (95% CI {b_lo:.3f} - {b_hi:.3f}, batch means)")
    print(f"prosimos : mean cycle {p_mean:.3f} d (95% CI {p_lo:.3f} - {p_hi:.3f}, batch means)")
    overlap = b_lo <= p_hi and p_lo <= b_hi
    print(
        f"cycle-time intervals {'overlap' if overlap else 'do NOT overlap'} "
        f"(difference {100 * (b_mean - p_mean) / p_mean:+.1f}%)"
    )
    # one run of a system this busy (CaseOfficer ~93%) wanders: independent replications
    # give the interval that the Prosimos run should fall into
    from bpengine import load, load_scenario, simulate

    model = load(bpmn)
    reps = simulate(
        model,
        scenario=load_scenario(params, model=model),
        cases=args.cases,
        replications=args.replications,
        warmup=0,
        seed=11,
        event_log=False,
    )
    k = reps["cycle_time_calendar_days"]
    # Prosimos gave one run, so hold it against where one run of bpengine falls (a 95%
    # prediction interval from the replications' spread), not against the CI of the mean
    from bpengine.sim import t_quantile

    values = np.asarray(k.values)
    spread = t_quantile(len(values) - 1) * values.std(ddof=1) * math.sqrt(1 + 1 / len(values))
    inside = abs(p_mean - k.mean) <= spread
    print(
        f"bpengine : {args.replications} x {args.cases} cases: mean cycle {k.mean:.3f} d "
        f"(95% CI {k.low:.3f} - {k.high:.3f}); one run falls in {k.mean - spread:.3f} - "
        f"{k.mean + spread:.3f}; Prosimos' run is {'inside' if inside else 'OUTSIDE'}"
    )
    print(f"load average after: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
