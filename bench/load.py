"""How long does loading take per element, against lxml parsing the same bytes?

Run: python bench/load.py   (prints one row per size; ratios are within this run)
Target (issue 2): a 1,000-element model loads in under 1 s on the 2-core CI machine.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generated import generate  # noqa: E402

from bpengine import load, validate  # noqa: E402


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    print(
        f"{'elements':>9} {'lxml ms':>9} {'load ms':>9} {'+graph ms':>10} {'validate ms':>12}"
        f" {'us/element':>11} {'load/lxml':>10}"
    )
    worst_1000 = None
    for n in (100, 1_000, 10_000):
        data = generate(n)
        repeat = 5 if n < 10_000 else 2
        t_lxml = best_of(lambda d=data: etree.fromstring(d), repeat)
        t_load = best_of(lambda d=data: load(d), repeat)
        t_graph = best_of(lambda d=data: load(d).graph, repeat)
        t_valid = best_of(lambda d=data: validate(d), 1)
        m = load(data)
        per = t_load / len(m.elements) * 1e6
        print(
            f"{len(m.elements):>9} {t_lxml * 1e3:>9.1f} {t_load * 1e3:>9.1f} {t_graph * 1e3:>10.1f}"
            f" {t_valid * 1e3:>12.1f} {per:>11.1f} {t_load / t_lxml:>10.1f}"
        )
        if n == 1_000:
            worst_1000 = t_graph
    ok = worst_1000 is not None and worst_1000 < 1.0
    print(
        f"1,000-element load + graph: {worst_1000:.3f} s  (target < 1 s: {'OK' if ok else 'MISSED'})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
