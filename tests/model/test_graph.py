"""The walk to neighbouring steps along sequence flows (model.graph.activities_beyond)."""

from pathlib import Path

import pytest

from bpengine import load
from bpengine.model.graph import activities_beyond

WALK = Path(__file__).resolve().parents[1] / "data" / "graph" / "walk.bpmn"


@pytest.fixture(scope="module")
def model():
    return load(WALK)


def test_forward_finds_the_next_steps_and_the_end(model):
    assert activities_beyond(model, ["f1"]) == ({"B", "C"}, True)
    assert activities_beyond(model, ["f2"]) == ({"B"}, False)


def test_a_dead_end_is_the_end_only_when_asked(model):
    assert activities_beyond(model, ["f4"]) == (set(), False)
    assert activities_beyond(model, ["f4"], dead_end_is_end=True) == (set(), True)


def test_a_parallel_gateway_stops_the_row(model):
    assert activities_beyond(model, ["f1"], through_parallel=False) == (set(), False)
    assert activities_beyond(model, ["f2", "f3"], through_parallel=False) == ({"B"}, True)


def test_backward_stops_at_the_start(model):
    assert activities_beyond(model, ["f5"], backward=True) == ({"B"}, False)
    assert activities_beyond(model, ["f0"], backward=True) == (set(), True)
