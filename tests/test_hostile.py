"""Every hostile input under tests/data/hostile/ gives one clear error and no traceback.

The same payloads as ``bench/hostile.py`` (which runs them as separate processes under a
512 MB memory cap and times them); here each runs through the CLI in-process with click's
CliRunner, so a regression fails the suite: a traceback instead of a message, a refusal
that no longer names the file, an input accepted that must be refused (or the reverse for
``ok-`` payloads), a refusal that first allocates what the payload asks for (the peak of
Python allocations during the call, by tracemalloc, is held under a named budget: the
original bugs took 1.3 to 8 GB), or another case in the same database harmed (its SLA timer
must still fire, and it must complete). A payload that never ends fails by never returning;
no wall-clock assert, which would depend on the machine's load. The payloads that reach the
engine also run on PostgreSQL.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpengine.cli import main

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("hostile_bench", ROOT / "bench" / "hostile.py")
bench = importlib.util.module_from_spec(_spec)
sys.modules["hostile_bench"] = bench  # dataclasses look their module up
_spec.loader.exec_module(bench)

PAYLOADS = bench.payloads()
MEMORY_BUDGET = 64 * 1024 * 1024  # peak bytes a refusal may allocate, database creation
# included; the bench holds the 1 s line and the 512 MB cap per process


def test_every_input_class_has_payloads():
    kinds = {p.kind for p in PAYLOADS}
    assert {
        "model",
        "engine",
        "scenario",
        "prosimos",
        "logs",
        "options",
        "expressions",
        "livelock",
        "simulate",
    } <= kinds
    assert len(PAYLOADS) >= 80


def _run(payload, tmp_path, db=None):
    """Run ``payload``'s set-up steps, then the payload's own under the memory budget."""
    for step in range(payload.steps() - 1):
        setup = CliRunner().invoke(main, payload.argv(tmp_path, step, db))
        assert setup.exit_code == 0, setup.output[-500:]
    args = payload.argv(tmp_path, db=db)
    tracemalloc.start()
    try:
        result = CliRunner().invoke(main, args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak


def _check(payload, result, peak):
    # only click's own exit: any other exception is a traceback for the user
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}"
    )
    if payload.accepted:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code != 0, result.output[-500:]
    assert peak < MEMORY_BUDGET, f"{peak / 2**20:.0f} MB allocated to refuse it"
    errors = [line for line in result.output.splitlines() if "error" in line.lower()]
    assert errors, result.output[-500:]
    assert all(len(line) < 600 for line in result.output.splitlines())  # cut, not dumped
    if payload.steps() > 1 or payload.line is not None:
        # refused while a case runs: the message names the element, the case has no file
        model = payload.path.parent / "_model.bpmn" if payload.line is not None else payload.path
        ids = re.findall(r'\bid="([^"]+)"', model.read_text(encoding="utf-8"))
        assert any(i in result.output for i in ids), result.output[-500:]
    elif payload.path.suffix != ".args":  # the message names the file it refuses
        assert payload.file_name in result.output, result.output[-500:]


@pytest.mark.parametrize("payload", PAYLOADS, ids=[p.id for p in PAYLOADS])
def test_hostile_input_is_refused_with_one_clear_line(payload, tmp_path):
    """On SQLite; a payload that reaches the engine leaves another case in the same
    database able to go on: its SLA timer fires and it completes."""
    url = payload.database(tmp_path)
    healthy = bench.healthy_case(url) if url else None
    result, peak = _run(payload, tmp_path)
    _check(payload, result, peak)
    if healthy:
        assert bench.healthy_case_goes_on(url, healthy)


ENGINE = [p for p in PAYLOADS if p.reaches_engine]  # every class whose command has --db


@pytest.mark.postgres
@pytest.mark.parametrize("payload", ENGINE, ids=[p.id for p in ENGINE])
def test_hostile_input_to_the_engine_is_refused_on_postgresql(payload, tmp_path, pg_url):
    healthy = bench.healthy_case(pg_url)
    result, peak = _run(payload, tmp_path, pg_url)
    _check(payload, result, peak)
    assert bench.healthy_case_goes_on(pg_url, healthy)
