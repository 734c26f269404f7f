"""Every hostile input under tests/data/hostile/ gives one clear error and no traceback.

The same payloads as ``bench/hostile.py`` (which runs them as separate processes under a
512 MB memory cap and times them); here each runs through the CLI in-process with click's
CliRunner, so a regression fails the suite: a traceback instead of a message, a refusal
that no longer names the file, an input accepted that must be refused (or the reverse for
``ok-`` payloads), or seconds of work where milliseconds are enough.
"""
from __future__ import annotations

import importlib.util
import sys
import time
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
BUDGET_S = 10.0  # in-process, database creation included, on a busy 2-core machine; the bench
# holds the 1 s line on the work alone


def test_every_input_class_has_payloads():
    kinds = {p.kind for p in PAYLOADS}
    assert {"model", "engine", "scenario", "prosimos", "logs", "options"} <= kinds
    assert len(PAYLOADS) >= 50


@pytest.mark.parametrize("payload", PAYLOADS, ids=[p.id for p in PAYLOADS])
def test_hostile_input_is_refused_with_one_clear_line(payload, tmp_path):
    args = payload.argv(tmp_path)
    t0 = time.perf_counter()
    result = CliRunner().invoke(main, args)
    elapsed = time.perf_counter() - t0
    # only click's own exit: any other exception is a traceback for the user
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{type(result.exception).__name__}: {result.exception}"
    if payload.accepted:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code != 0, result.output[-500:]
    assert elapsed < BUDGET_S
    errors = [line for line in result.output.splitlines() if "error" in line.lower()]
    assert errors, result.output[-500:]
    assert all(len(line) < 600 for line in result.output.splitlines())  # cut, not dumped
    if payload.path.suffix != ".args":  # the message names the file it refuses
        assert payload.path.name.removesuffix(".fifo") in result.output, result.output[-500:]
