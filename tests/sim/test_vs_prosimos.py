"""Cross-check against Prosimos 2.1.0 itself, when the benchmark has installed it.

``bench/prosimos_differential.py`` installs Prosimos in its own venv (bench/.venv) and
compares the two simulators on many parameter files; this test runs its generated people
file (own calendars, costs, tasks and speeds; an intermediate timer; an inclusive split)
in both, briefly, and holds processing time and utilisation to Prosimos' within the
run-to-run spread. Skipped where Prosimos is not installed (it is never installed here).
"""
import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _bench():
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("prosimos_differential",
                                                  BENCH / "prosimos_differential.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_people_file_agrees_with_prosimos(tmp_path):
    bench = _bench()
    if not bench.venv_python().exists():
        pytest.skip("Prosimos is not installed (run bench/prosimos_differential.py once)")
    rows = bench.differential(tmp_path, cases=400, runs=3, only="claims-people",
                              out=lambda *_: None)
    checked = {r["metric"]: r for r in rows}
    assert {"processing_hours", "utilisation Back office", "utilisation Front desk"} <= set(checked)
    for metric in ("processing_hours", "utilisation Back office", "utilisation Front desk"):
        assert checked[metric]["agrees"], checked[metric]
    # cycle time wanders a lot over 3 short runs of a busy office: within a quarter
    cycle = checked["cycle_hours"]
    assert cycle["bpengine"] == pytest.approx(cycle["prosimos"], rel=0.25)
