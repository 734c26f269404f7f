"""Hostile case data (issue 16): what a large value costs the audit, and how fast the engine
refuses data over its limits.

1. **Audit bytes per step.** A ``cuti`` case carrying a 1 MB value walks 9 steps (refused
   twice, then approved; a handler records it). The baseline, computed in the same run from
   the same history, is what whole copies of the data before and after each step (the audit
   before deltas) would have written; the measure is what the audit rows hold now. The case
   row (state + data) written per step is shown beside it, against the same row with the
   state's references to the case data written inline (what it held before).
2. **Refusals.** Each payload through ``Engine.start`` / ``complete`` on SQLite: wall time to
   the clear error, and that another case's timer still fires afterwards.

Usage: python bench/hostile_data.py [--value-bytes N]

Measured 2026-11-30 on the shared 2-core machine, load average 14.5 (1-min) / 14.1 (5-min),
8 helpers at work; the byte counts are exact and the same on every run, the times vary with
the load. A case with a 1 MB value, 6 steps (9 audit rows): whole copies would write
16,001 kB of audit (2,667 kB per step), the deltas write 1,000 kB (167 kB per step), ratio
0.063: the value is written once, when it is set. The case row is written at each step with
the value once: 1,002 kB per step, against 2,168 kB when the instance state held it inline
beside the data column (the baseline: the same rows with the state's references resolved),
ratio 0.462. Every payload refused (or, for ``typename``, kept as data) in 0.00-1.32 s (the
10 MB value: reading it is the cost), and the other case's timer fired after each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bpengine import BpengineError, Engine  # noqa: E402
from bpengine.engine.plaindata import resolve_case_data  # noqa: E402

CUTI = ROOT / "tests" / "engine" / "data" / "cuti.bpmn"
ANSWERS = {
    "T_isi": [{}],
    "T_revisi": [{"revisi": 1}, {"revisi": 2}],
    "T_setuju": [{"approved": False}, {"approved": False}, {"approved": True}],
}
BERKAS = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
 targetNamespace="http://bpengine.test/berkas"><process id="berkas" isExecutable="true">
 <startEvent id="s"/><userTask id="T_periksa" name="Periksa berkas">
 <multiInstanceLoopCharacteristics><loopCardinality>jumlah_berkas</loopCardinality>
 </multiInstanceLoopCharacteristics></userTask><endEvent id="e"/>
 <sequenceFlow id="f1" sourceRef="s" targetRef="T_periksa"/>
 <sequenceFlow id="f2" sourceRef="T_periksa" targetRef="e"/></process></definitions>"""


class Clock:
    def __init__(self):
        self.now = dt.datetime(2025, 1, 6, 1, tzinfo=dt.timezone.utc)

    def __call__(self):
        return self.now


def audit_bytes(value_bytes: int, folder: Path) -> dict:
    engine = Engine(f"sqlite:///{folder / 'audit.db'}")
    engine.deploy(CUTI)
    engine.register("S_catat", lambda data: {"nomor": "SK-1"})
    case = engine.start("cuti", {"hari": 2, "revisi": 0, "lampiran": "x" * value_bytes})
    answers = {k: list(v) for k, v in ANSWERS.items()}
    row_bytes, inline_bytes = [], []
    while engine.get(case.id).status == "running":
        [task] = [t for t in engine.get(case.id).tasks if t.kind == "user"]
        engine.complete(task.id, answers[task.element_id].pop(0))
        with engine.db.connect() as conn:
            state, data = conn.execute(
                text("SELECT state, data FROM bpe_cases WHERE id = :c"), {"c": case.id}
            ).one()
        row_bytes.append(len(state) + len(data))
        # the baseline: the same state with the case's values written inline (as before
        # the state referred to them), from the same row
        parsed = json.loads(data) if isinstance(data, str) else data
        inline = json.dumps(
            resolve_case_data(json.loads(state), parsed, "bench"), separators=(",", ":")
        )
        inline_bytes.append(len(inline) + len(data))
    history = engine.history(case.id)
    whole = sum(
        len(json.dumps(d)) for h in history for d in (h.data_before, h.data_after) if d is not None
    )
    with engine.db.connect() as conn:
        stored = sum(
            len(b or "") + len(a or "")
            for b, a in conn.execute(
                text("SELECT data_before, data_after FROM bpe_audit WHERE case_id = :c"),
                {"c": case.id},
            )
        )
    engine.close()
    steps = len(row_bytes)
    return {
        "steps": steps,
        "rows": len(history),
        "whole_kb": whole / 1000,
        "delta_kb": stored / 1000,
        "whole_per_step_kb": whole / steps / 1000,
        "delta_per_step_kb": stored / steps / 1000,
        "case_row_per_step_kb": sum(row_bytes) / steps / 1000,
        "inline_row_per_step_kb": sum(inline_bytes) / steps / 1000,
    }


PAYLOADS = {
    "typename datetime": ("cuti", {"lampiran": {"typename": "datetime", "value": "kemarin"}}),
    "typename timedelta": ("cuti", {"lampiran": {"typename": "timedelta", "days": 1e300}}),
    "500-deep data": ("cuti", {"lampiran": None}),  # filled below
    "5,000-digit integer": ("cuti", {"nik": 10**5000}),
    "10 MB value": ("cuti", {"lampiran": "x" * 10_000_000}),
    "cardinality 100,000": ("berkas", {"jumlah_berkas": 100_000}),
    "cardinality 10^9": ("berkas", {"jumlah_berkas": 10**9}),
}


def refusals(folder: Path) -> list[tuple[str, str, float, bool]]:
    deep = "dasar"
    for _ in range(500):
        deep = {"isi": deep}
    PAYLOADS["500-deep data"][1]["lampiran"] = deep
    clock = Clock()
    engine = Engine(f"sqlite:///{folder / 'hostile.db'}", clock=clock)
    engine.deploy(CUTI)
    engine.deploy(BERKAS)
    results = []
    for name, (key, payload) in PAYLOADS.items():
        other = engine.start("cuti", {"hari": 2, "revisi": 0})
        engine.complete([t for t in engine.inbox() if t.case_id == other.id][0].id, {})
        started = time.perf_counter()
        try:
            if key == "cuti":
                case = engine.start("cuti", {"hari": 2, "revisi": 0})
                task = [t for t in engine.inbox() if t.case_id == case.id][0]
                engine.complete(task.id, payload)
                # accepted as plain data: the case must go on
                [task] = [t for t in engine.inbox() if t.case_id == case.id]
                outcome = "accepted as data, case went on"
            else:
                engine.start(key, payload)
                outcome = "ACCEPTED"
        except BpengineError as exc:
            outcome = "refused: " + str(exc)[:90]
        took = time.perf_counter() - started
        clock.now += dt.timedelta(days=3, minutes=1)
        fired = other.id in engine.tick()
        results.append((name, outcome, took, fired))
    engine.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--value-bytes", type=int, default=1_000_000)
    args = parser.parse_args()
    import tempfile

    print(f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        m = audit_bytes(args.value_bytes, Path(folder))
        print(
            f"a case with a {args.value_bytes / 1e6:g} MB value, {m['steps']} steps, "
            f"{m['rows']} audit rows"
        )
        print(
            f"  audit, whole copies (baseline): {m['whole_kb']:10,.0f} kB  "
            f"{m['whole_per_step_kb']:8,.0f} kB/step"
        )
        print(
            f"  audit, deltas (now):            {m['delta_kb']:10,.0f} kB  "
            f"{m['delta_per_step_kb']:8,.0f} kB/step  ratio "
            f"{m['delta_kb'] / m['whole_kb']:.3f}"
        )
        print(
            f"  case row (state + data) per step, values inline (baseline): "
            f"{m['inline_row_per_step_kb']:8,.0f} kB"
        )
        print(
            f"  case row (state + data) per step, state refers to data (now): "
            f"{m['case_row_per_step_kb']:6,.0f} kB  ratio "
            f"{m['case_row_per_step_kb'] / m['inline_row_per_step_kb']:.3f}"
        )
        print("hostile payloads (SQLite):")
        for name, outcome, took, fired in refusals(Path(folder)):
            print(
                f"  {name:22} {took:6.2f} s  other case's timer "
                f"{'fired' if fired else 'DID NOT FIRE'}  {outcome}"
            )


if __name__ == "__main__":
    main()
