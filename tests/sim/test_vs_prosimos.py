"""Cross-check against Prosimos 2.1.0 itself, when the benchmark has installed it.

``bench/prosimos_differential.py`` installs Prosimos in its own venv (bench/.venv) and
compares the two simulators on many parameter files; this test runs one of its generated
files in both, briefly: people with their own calendars, costs, tasks and speeds, an
intermediate timer, an inclusive split, histogram arrivals, a degenerate distribution and
a flow without a probability. Cycle time, processing time and utilisation must agree within
the run-to-run spread. Skipped where Prosimos is not installed (it is never installed here).
"""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _bench():
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(
        "prosimos_differential", BENCH / "prosimos_differential.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_generated_people_file_agrees_with_prosimos(tmp_path):
    bench = _bench()
    if not bench.venv_python().exists():
        pytest.skip("Prosimos is not installed (run bench/prosimos_differential.py once)")
    rows = bench.differential(
        tmp_path, cases=600, runs=3, only="claims-histogram-degenerate", out=lambda *_: None
    )
    checked = {r["metric"]: r for r in rows}
    assert set(checked) == {
        "cycle_hours",
        "processing_hours",
        "utilisation Back office",
        "utilisation Front desk",
    }
    assert all(r["agrees"] for r in rows), rows


@pytest.mark.slow
def test_parallel_batches_of_drawn_size_agree_with_prosimos_on_work(tmp_path):
    # Processing and utilisation agree; cycle time does not yet (bpengine 11.6 h, Prosimos
    # 10.5 h, spread 0.5 h; with rule-fired batches, claims-batches, 15.2 h vs 24.0 h): open
    # in issue 14, printed by bench/prosimos_differential.py
    bench = _bench()
    if not bench.venv_python().exists():
        pytest.skip("Prosimos is not installed (run bench/prosimos_differential.py once)")
    rows = bench.differential(
        tmp_path, cases=600, runs=3, only="claims-batches-parallel", out=lambda *_: None
    )
    work = [r for r in rows if r["metric"] != "cycle_hours"]
    assert len(work) == 3
    assert all(r["agrees"] for r in work), work
