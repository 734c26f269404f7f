"""Compiling a model for simulation (bpengine/sim/net.py): what it refuses, by element."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bpengine import ModelError, load
from bpengine.cli import main
from bpengine.scenario import load_scenario
from bpengine.sim import compile_net

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile"


@pytest.mark.parametrize(
    "definition",
    [
        "<messageEventDefinition/>",
        "<timerEventDefinition><timeDuration>P1D</timeDuration></timerEventDefinition>",
    ],
)
def test_a_catch_event_looping_to_itself_is_refused_naming_it(definition, tmp_path):
    """Issue #16: a RecursionError (message) or a run without end (timer) before."""
    source = (HOSTILE / "simulate" / "self-loop-catch.bpmn").read_text(encoding="utf-8")
    path = tmp_path / "loop.bpmn"
    path.write_text(source.replace("<messageEventDefinition/>", definition), encoding="utf-8")
    model = load(path)
    with pytest.raises(ModelError) as caught:
        compile_net(model, load_scenario(None, model=model))
    [problem] = caught.value.problems
    assert problem.element_id == "W"
    assert problem.code == "self-loop"
    assert "has a sequence flow back to itself (f2)" in problem.message


def test_simulate_says_so_in_one_line():
    res = CliRunner().invoke(main, ["simulate", str(HOSTILE / "simulate" / "self-loop-catch.bpmn")])
    assert res.exit_code != 0
    assert "Traceback" not in res.output
    assert (
        "W ('Tunggu'): intermediateCatchEvent 'W' has a sequence flow back to itself" in res.output
    )
