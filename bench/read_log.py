"""Benchmark: read an XES event log of 100,000 events, against lxml's plain parse of it.

The log is written by the simulator (``pbg.bpmn``, its shipped scenario): each task
execution is two XES events (start, complete). Reading it with
:func:`bpengine.records.read_log` (``iterparse``, trace by trace, tree cleared as it goes)
is timed against ``lxml.etree.parse`` of the same file (the baseline: what any reader
pays to parse the XML at all), median of several runs each. Memory: the peak of Python
allocations while reading (``tracemalloc``) and the peak resident size of a fresh process
that only reads (``VmHWM``), for the reader and for ``etree.parse``, at the full size
and at half of it: the reader's peak follows the events it keeps, not the file's tree.

Usage: python bench/read_log.py [--events 100000] [--runs 5]
Target: under 10 s for 100,000 events.

Measured 2026-11-30 on the 2-core dev machine, load average 1.1-2.0 (other helpers' suites):
  100,000 XES events (50,000 task executions, 44.3 MB): read_log 1.43-1.44 s (median of 5),
  etree.parse 0.63-1.00 s: 1.4-2.3x lxml's plain parse; tracemalloc peak 29 MB (583 B per
  task execution kept); peak RSS 70 MB (55 MB at 50,000 events) against 502 MB (259 MB)
  for etree.parse holding the tree.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from lxml import etree

from bpengine import simulate
from bpengine.records import read_log
from bpengine.sim.eventlog import write_event_log

__all__ = ["main", "write_log"]

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "processes" / "pbg.bpmn"

_CHILD = """
import sys
mode, path = sys.argv[1], sys.argv[2]
if mode == "lxml":
    from lxml import etree
    tree = etree.parse(path)
else:
    from bpengine.records import read_log
    log = read_log(path)
# VmHWM, not ru_maxrss: the latter keeps the forking parent's peak across exec
hwm = [x for x in open("/proc/self/status") if x.startswith("VmHWM")][0]
print(int(hwm.split()[1]) / 1024)
"""


def write_log(path: Path, events: int) -> int:
    """Simulate pbg until its log holds ``events`` XES events; returns how many it holds."""
    per_case = 2 * 14  # about 14 task executions a case, two XES events each
    cases = events // per_case + 1
    result = simulate(MODEL, cases=cases, replications=1, warmup=0)
    rows = sorted(result.event_log, key=lambda r: (r["case"], r["start"]))
    rows = rows[: events // 2]
    write_event_log(rows, path, name="pbg")
    return 2 * len(rows)


def _median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _rss(mode: str, path: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip())


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        sizes = {}
        for n in (args.events // 2, args.events):
            path = Path(tmp) / f"pbg-{n}.xes"
            sizes[n] = (path, write_log(path, n))
        path, n = sizes[args.events]
        mb = path.stat().st_size / 1e6
        print(f"{path.name}: {n:,} XES events ({n // 2:,} task executions), {mb:.1f} MB")
        t_read = _median_time(lambda: read_log(path), args.runs)
        t_lxml = _median_time(lambda: etree.parse(str(path)), args.runs)
        print(f"read_log      {t_read:6.2f} s  (median of {args.runs}; {n / t_read:,.0f} events/s)")
        print(f"etree.parse   {t_lxml:6.2f} s  (baseline)")
        print(f"ratio         {t_read / t_lxml:6.2f} x lxml's plain parse")
        tracemalloc.start()
        log = read_log(path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"tracemalloc peak while reading: {peak / 1e6:.1f} MB for {len(log):,} task "
            f"executions ({peak / len(log):.0f} B each)"
        )
        for _, (p, k) in sorted(sizes.items()):
            print(
                f"peak RSS, {k:>7,} events: read_log {_rss('read', p):6.1f} MB, "
                f"etree.parse {_rss('lxml', p):6.1f} MB"
            )
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
