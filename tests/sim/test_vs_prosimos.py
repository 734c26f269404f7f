"""Cross-check against Prosimos 2.1.0 itself, when the benchmark has installed it.

``bench/prosimos_differential.py`` installs Prosimos in its own venv (bench/.venv) and
compares the two simulators on many parameter files; this test runs one of its generated
files in both, briefly: people with their own calendars, costs, tasks and speeds, an
intermediate timer, an inclusive split, histogram arrivals, a degenerate distribution and
a flow without a probability; an event-based gateway decided by a race; the example of
Prosimos' README (completed with the limits Prosimos 2.1.0 needs to run it). Cycle time,
processing time and utilisation must agree within the run-to-run spread. Skipped where
Prosimos is not installed (it is never installed in CI). The README's example as
documented is refused in one line (Prosimos 2.1.0 fails on it with an IndexError): that
test needs no Prosimos.
"""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from bpengine import load, load_scenario
from bpengine.errors import ScenarioError
from tests.conftest import shared_path

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


def _agree(tmp_path, pair, cases, runs):
    bench = _bench()
    if not bench.venv_python().exists():
        pytest.skip("Prosimos is not installed (run bench/prosimos_differential.py once)")
    rows = bench.differential(tmp_path, cases=cases, runs=runs, only=pair, out=lambda *_: None)
    assert {r["metric"] for r in rows} >= {"cycle_hours", "processing_hours"}
    assert all(r["agrees"] for r in rows), rows


@pytest.mark.slow
def test_event_based_gateway_race_agrees_with_prosimos(tmp_path):
    # a reply (expon, mean 1 day) against a two-day deadline: taking the branches by
    # probability instead would give 0.58 h of processing per case instead of 0.46 h
    _agree(tmp_path, "reminder-event-race", cases=1000, runs=3)


@pytest.mark.slow
def test_readme_example_completed_agrees_with_prosimos(tmp_path):
    _agree(tmp_path, "prosimos-readme-completed", cases=300, runs=3)


def test_readme_example_as_documented_is_refused_naming_the_key(tmp_path):
    bench = _bench()
    path = tmp_path / "readme.json"
    path.write_text(json.dumps(bench._readme_example()))
    model = load(bench.CLAIMS / "readme.bpmn")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path, model=model)
    line = str(err.value)
    assert "\n" not in line
    assert line.endswith(
        "task_resource_distribution[0].resources[0].distribution_params: norm takes 4 "
        "values (mean, std, min, max), got 2"
    )
    # completed with the limits pix-framework reads, it loads: one task, two officers
    path.write_text(json.dumps(bench._completed(bench._readme_example())))
    sc = load_scenario(path, model=model)
    assert [p.name for p in sc.lane("Credit Officer").people] == [
        "Credit Officer_1",
        "Credit Officer_2",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("pair", ["claims-pool-of-64", "permit"])
def test_prosimos_own_draws_replayed_give_the_same_schedule(pair, tmp_path):
    # bench/prosimos_replay.py: one Prosimos run's arrivals, durations, waits, branches and
    # shuffled orders through bpengine's kernel: every task is taken by the same person
    # (64 people of two calendars, some not allowed to assess; permit's head counts and
    # its rework loop) and starts and ends at the same minute
    bench = _bench()
    if not bench.venv_python().exists():
        pytest.skip("Prosimos is not installed (run bench/prosimos_differential.py once)")
    spec = importlib.util.spec_from_file_location("prosimos_replay", BENCH / "prosimos_replay.py")
    replay = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(replay)
    shared = shared_path("bench").parent
    bpmn, params = {n: (b, p) for n, b, p in bench.pairs(shared)}[pair]
    if isinstance(params, dict):
        path = tmp_path / "params.json"
        path.write_text(json.dumps(params))
        params = path
    diffs, theirs, ours = replay.replay(Path(bpmn), Path(params), 150)
    assert ours > 600
    assert diffs == []
