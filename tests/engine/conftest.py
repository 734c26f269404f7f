"""Engine test fixtures: the small models in data/ and an injectable clock.

The PostgreSQL fixtures (``pg_server``, ``pg_url``) live in tests/conftest.py, shared with
the engine-side tests outside this directory (tests/test_limits.py).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from bpengine.expressions import compile_expression

DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(
    os.environ.get("BPENGINE_SHARED") or Path(__file__).resolve().parents[2] / ".." / "shared"
).resolve()


class Clock:
    """A settable clock for Engine(clock=...)."""

    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2025, 1, 6, 1, 0, tzinfo=dt.timezone.utc))  # Monday 08:00 WIB


@pytest.fixture(autouse=True)
def _check_kept_instances(monkeypatch):
    """Every instance an Engine reuses between calls must dump to the state it stands for."""
    from bpengine import Engine

    monkeypatch.setattr(Engine, "_check_cache", True)


@pytest.fixture
def engine(clock):
    from bpengine import Engine

    engine = Engine(clock=clock)
    yield engine
    engine.db.dispose()


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared test files not found at {SHARED} (set BPENGINE_SHARED)")
    return SHARED


def happy_path_data(model) -> dict:
    """Case data that takes each decision's main branch: ``x == "value"`` -> value, else True."""
    data = {}
    for flow in model.flows.values():
        if flow.condition:
            for name in compile_expression(flow.condition).names:
                equal = re.search(rf'{name}\s*==\s*["\']([^"\']+)["\']', flow.condition)
                data.setdefault(name, equal.group(1) if equal else True)
    return data
