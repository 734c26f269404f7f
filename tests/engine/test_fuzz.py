"""Fuzzing case data: whatever JSON a caller starts or completes a case with, the engine
either takes it (and the case keeps working: it reloads, lists, completes) or refuses it
with a BpengineError; nothing else escapes, and each input is done within the deadline and
the memory budget (tests/conftest.py FUZZ_MEMORY).

The data is drawn as JSON with the shapes that broke cases before: keys SpiffWorkflow's
serializer revives (``typename``), deep nesting, huge and odd numbers, long strings,
non-ASCII and control characters.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpengine import BpengineError, Engine
from tests.conftest import memory_budget

SEQUENCE = Path(__file__).resolve().parents[1] / "data" / "sim" / "sequence.bpmn"
FUZZ = settings(
    max_examples=int(os.environ.get("BPENGINE_FUZZ_EXAMPLES", 25)),
    deadline=4000,
    derandomize="BPENGINE_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)

KEYS = st.one_of(
    st.sampled_from(
        [
            "typename",
            "~typename",
            "value",
            "lampiran",
            "days",
            "approved",
            "__class__",
            "",
            "a.b",
            "x" * 300,
        ]
    ),
    st.text(max_size=8),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            "datetime",
            "timedelta",
            "UserTask",
            "kemarin",
            "2025-01-06T08:00:00",
            "P99999999999D",
            "\x00",
            "\u202e",
            "${x}",
            "' OR 1=1 --",
        ]
    ),
    st.text(max_size=20),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)),
    max_leaves=20,
)
CASE_DATA = st.dictionaries(KEYS, DATA, max_size=4)

_ENGINE = Engine()
_KEY = _ENGINE.deploy(SEQUENCE).key


@FUZZ
@given(CASE_DATA, CASE_DATA)
def test_case_data_gives_engine_errors_and_cases_keep_working(start, complete):
    with memory_budget():
        _start_and_complete(start, complete)


def _start_and_complete(start: dict, complete: dict) -> None:
    engine = _ENGINE
    try:
        case = engine.start(_KEY, data=start)
    except BpengineError as exc:
        assert str(exc).strip()
        return
    tasks = engine.get(case.id).tasks
    assert len(tasks) == 1  # a stored case reloads: its one ready task is listed
    try:
        engine.complete(tasks[0].id, data=complete)
    except BpengineError as exc:
        assert str(exc).strip()
    assert engine.get(case.id).status == "running"  # reloads after the step (or the refusal)
    engine.history(case.id)
