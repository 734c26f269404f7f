"""Progress on long work: the library reports through a callback, the CLI draws a rich bar."""

from __future__ import annotations

import io

from rich.console import Console

from bpengine import load
from bpengine.cli import progress as progress_module
from bpengine.cli.progress import progress_bar
from bpengine.reengineer.before_after import simulate_pair
from bpengine.reengineer.search import reengineer
from bpengine.scenario.loading import read_yaml
from bpengine.sim.sweep import sweep
from tests.conftest import PROCESSES

DOMISILI = PROCESSES / "surat-keterangan-domisili.bpmn"


def recorder():
    calls = []
    return calls, lambda done, total: calls.append((done, total))


def check(calls):
    """Counts never go back, never pass the total, and end at the total."""
    assert calls, "no progress reported"
    dones = [d for d, _ in calls]
    assert dones == sorted(dones)
    assert all(0 <= d <= t for d, t in calls)
    assert calls[-1][0] == calls[-1][1]


def test_the_bar_shows_count_unit_and_time_left(monkeypatch):
    monkeypatch.setattr(progress_module, "_DELAY", 0.0)
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with progress_bar("simulating candidates", "candidates", console=console) as update:
        assert update is not None
        update(3, 10)
        update(7, 10)
    text = out.getvalue()
    assert "simulating candidates" in text
    assert "7/10" in text
    assert "candidates" in text
    assert "left" in text


def test_no_bar_when_quiet_or_not_on_a_terminal():
    with progress_bar("x", "cases", quiet=True) as update:
        assert update is None
    with progress_bar("x", "cases") as update:  # pytest captures stderr: not a terminal
        assert update is None


def test_reengineer_reports_each_candidate():
    calls, cb = recorder()
    model = load(DOMISILI)
    result = reengineer(
        model,
        read_yaml(PROCESSES / "surat-keterangan-domisili.scenario.yaml"),
        cases=20,
        replications=2,
        jobs=1,
        max_candidates=3,
        progress=cb,
    )
    check(calls)
    assert calls[-1][0] == len(result.ranked) + 1  # every candidate and the baseline
    assert calls[0][1] == 4  # the budget, until the search ends


def test_compare_and_sweep_report_cases_of_every_run():
    model = load(DOMISILI)
    calls, cb = recorder()
    simulate_pair(model, model, None, None, cases=20, replications=2, progress=cb)
    check(calls)
    assert calls[-1][1] == 2 * 2 * (20 + 2)  # two sides x two replications x cases + warm-up
    calls, cb = recorder()
    sweep(
        model,
        scenario=None,
        vary={"lanes.Lurah.staff": [1, 2]},
        cases=20,
        replications=2,
        progress=cb,
    )
    check(calls)
    assert calls[-1][1] == 2 * 2 * (20 + 2)  # two points
