"""Benchmark: analyze + soundness of generated agency-like models of 1,000 and 10,000 elements.

Each generated model is a chain of blocks drawn in rotating lanes: a check with a reject
branch to the end (knock-out), a check with a rework loop, a sign-off pair, and a
parallel block of three branches. Times are printed with their ratio to loading the same
model (the baseline, measured in the same run), so figures compare across machines.

Usage: python bench/analyze.py [--sizes 1000 10000] [--max-states N]
Target: analyze + soundness of the 10,000-element model in under 5 s.

Measured 2026-11-27 on the 2-core dev machine while other test suites ran (load ~5):
  993 elements: analyze 0.28-0.45 s (1.9x load), soundness 0.04-0.09 s (2,202 states)
  9,993 elements: analyze 2.8-3.9 s (1.2-1.8x load), soundness 0.56-0.82 s (22,202
  states, complete), analyze + soundness 3.5-4.5 s; metrics 1.6-2.5 s.
"""

from __future__ import annotations

import argparse
import time

from bpengine import analyze, load
from bpengine.analysis import metrics, soundness

__all__ = ["generate", "main"]

LANES = ["Pemohon", "Petugas", "Kasi", "Kabid", "Sekretaris", "Kepala Dinas"]


def generate(target: int) -> bytes:
    """A BPMN document with about ``target`` flow nodes."""
    nodes, flows, lanes = [], [], {lane: [] for lane in LANES}
    count = 0

    def node(kind, name, lane, **attrs):
        nonlocal count
        count += 1
        nid = f"n{count}"
        extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
        nodes.append(f'<{kind} id="{nid}" name="{name}"{extra}/>')
        lanes[lane].append(nid)
        return nid

    def flow(a, b, name=""):
        flows.append(
            f'<sequenceFlow id="f{len(flows)}" sourceRef="{a}" targetRef="{b}" name="{name}"/>'
        )

    prev = node("startEvent", "Mulai", "Pemohon")
    reject = node("endEvent", "Ditolak", "Pemohon")
    block = 0
    while count < target - 12:
        lane = LANES[1 + block % (len(LANES) - 1)]
        kind = block % 4
        if kind == 0:  # knock-out check
            c = node("userTask", f"Verifikasi berkas {block}", lane)
            g = node("exclusiveGateway", "Lengkap?", lane)
            flow(prev, c), flow(c, g), flow(g, reject, "tidak")
            nxt = node("userTask", f"Input data {block}", lane)
            flow(g, nxt, "ya")
            prev = nxt
        elif kind == 1:  # rework loop
            j = node("exclusiveGateway", "", lane)
            c = node("userTask", f"Periksa konsep {block}", lane)
            g = node("exclusiveGateway", "Benar?", lane)
            fix = node("userTask", f"Perbaiki konsep {block}", "Petugas")
            flow(prev, j), flow(j, c), flow(c, g), flow(g, fix, "salah"), flow(fix, j)
            out = node("userTask", f"Catat {block}", lane)
            flow(g, out, "benar")
            prev = out
        elif kind == 2:  # sign-off pair in two offices
            a = node("userTask", f"Paraf surat {block}", lane)
            b = node("userTask", f"Tanda tangan surat {block}", LANES[-1])
            flow(prev, a), flow(a, b)
            prev = b
        else:  # parallel block
            s = node("parallelGateway", "", lane)
            j = node("parallelGateway", "", lane)
            flow(prev, s)
            for k in range(3):
                t1 = node("userTask", f"Kajian {block}.{k}", LANES[1 + k])
                t2 = node("userTask", f"Laporan {block}.{k}", LANES[1 + k])
                flow(s, t1), flow(t1, t2), flow(t2, j)
            prev = j
        block += 1
    end = node("endEvent", "Selesai", "Pemohon")
    flow(prev, end)
    lane_xml = "".join(
        f'<lane id="L{i}" name="{name}">'
        + "".join(f"<flowNodeRef>{n}</flowNodeRef>" for n in refs)
        + "</lane>"
        for i, (name, refs) in enumerate(lanes.items())
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
        'targetNamespace="http://example.org"><process id="p" isExecutable="true">'
        f'<laneSet id="ls">{lane_xml}</laneSet>'
        + "".join(nodes)
        + "".join(flows)
        + "</process></definitions>"
    ).encode()


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--max-states", type=int, default=None)
    args = parser.parse_args(argv)
    print(
        f"{'elements':>8} {'load s':>8} {'analyze s':>10} {'x load':>7} {'sound s':>8} "
        f"{'x load':>7} {'states':>7} {'complete':>8} {'metrics s':>9} {'findings':>8} "
        f"{'total s':>8}"
    )
    for size in args.sizes:
        data = generate(size)
        model, t_load = _timed(lambda data=data: load(data))
        found, t_an = _timed(lambda model=model: analyze(model))
        kwargs = {"max_states": args.max_states} if args.max_states else {}
        report, t_so = _timed(lambda model=model, kw=kwargs: soundness(model, **kw))
        _, t_me = _timed(lambda model=model: metrics(model))
        print(
            f"{len(model.elements):>8} {t_load:>8.3f} {t_an:>10.3f} {t_an / t_load:>7.1f} "
            f"{t_so:>8.3f} {t_so / t_load:>7.1f} {report.states:>7} {report.complete!s:>8} "
            f"{t_me:>9.3f} {len(found):>8} {t_an + t_so:>8.3f}"
        )


if __name__ == "__main__":
    main()
