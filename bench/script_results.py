"""What checking a trusted script's result costs: a case started with large data, through a
script task, against the same case through a task that runs no script, in one invocation.

Run: python bench/script_results.py [--repeat 5]

The script sets one value; the check walks what it set and every list or dict in the task's
data (a script may change those in place), not text or numbers it left alone. Two shapes of
large data: one 1 MB text (left alone, not walked again) and a list of 15,000 records
(60,000 values, walked again). Medians of ``--repeat`` runs, with the load average; column
``one walk s`` is the time of one such check of the whole data alone (the rest of the
difference is SpiffWorkflow running a script: its context set up and cleaned).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bpengine import Engine  # noqa: E402
from bpengine.limits import DEFAULT_LIMITS  # noqa: E402


def _model(task: str) -> bytes:
    return f"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
 targetNamespace="http://bpengine.test/ukur"><process id="ukur" isExecutable="true">
 <startEvent id="S"/>{task}<userTask id="T"/><endEvent id="E"/>
 <sequenceFlow id="F1" sourceRef="S" targetRef="A"/><sequenceFlow id="F2" sourceRef="A"
 targetRef="T"/><sequenceFlow id="F3" sourceRef="T" targetRef="E"/></process></definitions>""".encode()


SCRIPT = _model('<scriptTask id="A" scriptFormat="python"><script>biaya = 1</script></scriptTask>')
PLAIN = _model('<manualTask id="A"/>')
SHAPES = {
    "1 MB text": {"dokumen": "x" * 1_000_000},
    "15,000 records": {
        "berkas": [
            {"nama": f"dok{i}", "hal": i, "nilai": i * 1.5, "ok": True} for i in range(15_000)
        ]
    },
}


def _start(model: bytes, data: dict) -> float:
    with Engine(None) as engine:
        engine.deploy(model, trust_scripts=True)
        t0 = time.perf_counter()
        engine.start("ukur", data)
        return time.perf_counter() - t0


def _walk(data: dict) -> float:
    t0 = time.perf_counter()
    DEFAULT_LIMITS.check_data(data, "bench")
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'data':<16} {'no script s':>12} {'script s':>10} {'ratio':>6} {'one walk s':>11}")
    for name, data in SHAPES.items():
        plain, script = [], []
        for _ in range(opts.repeat):  # interleaved: the load hits both alike
            plain.append(_start(PLAIN, data))
            script.append(_start(SCRIPT, data))
        a, b = statistics.median(plain), statistics.median(script)
        # the check itself: one walk of the data, as the script's check makes it
        walk = statistics.median(_walk(data) for _ in range(opts.repeat))
        print(f"{name:<16} {a:>12.3f} {b:>10.3f} {b / a:>6.2f} {walk:>11.3f}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
