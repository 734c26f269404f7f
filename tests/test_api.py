"""The public API is the README's: ``bpengine.__all__`` against its table, and one calling
convention (the model first, everything else by keyword, options in one order)."""

from __future__ import annotations

import inspect
import re

import pytest

import bpengine
from tests.conftest import ROOT


def readme_api_names() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    table = section.split("| name | what it is |", 1)[1]
    names: set[str] = set()
    for row in table.splitlines()[2:]:
        if not row.startswith("|"):
            break
        names |= set(re.findall(r"`(\w+)`", row.split("|")[1]))
    return names


def test_readme_lists_exactly_the_public_names():
    assert readme_api_names() == set(bpengine.__all__)


@pytest.mark.parametrize("name", bpengine.__all__)
def test_every_public_name_resolves(name):
    assert getattr(bpengine, name) is not None


# entry point -> how many leading parameters are positional (the model or models, and the
# findings to apply); every other parameter is keyword-only
ENTRY_POINTS = {
    "analyze": 1,
    "simulate": 1,
    "sweep": 1,
    "compare": 2,
    "apply_findings": 2,
    "load_scenario": 1,
}


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_entry_points_take_the_model_first_and_the_rest_by_keyword(name):
    params = list(inspect.signature(getattr(bpengine, name)).parameters.values())
    positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert len(positional) == ENTRY_POINTS[name], positional
    assert all(p.kind is p.KEYWORD_ONLY for p in params[ENTRY_POINTS[name] :])


@pytest.mark.parametrize("name", ["simulate", "sweep", "compare"])
def test_shared_options_have_one_order(name):
    params = list(inspect.signature(getattr(bpengine, name)).parameters)
    shared = [p for p in params if p in ("scenario", "cases", "replications", "seed")]
    assert shared == ["scenario", "cases", "replications", "seed"]


def test_a_positional_scenario_is_refused_with_pythons_own_message():
    model = bpengine.load(ROOT / "processes" / "surat-keterangan-domisili.bpmn")
    with pytest.raises(TypeError, match="positional"):
        bpengine.analyze(model, {})


def test_analyze_finds_the_sidecar_as_simulate_does(tmp_path):
    """``scenario=None`` is the model's sidecar for every entry point; ``{}`` is none."""
    source = ROOT / "processes" / "surat-keterangan-domisili.bpmn"
    model = bpengine.load(source)
    sidecar = source.with_name(source.stem + ".scenario.yaml")
    given = bpengine.analyze(model, scenario=bpengine.load_scenario(sidecar, model=model))
    assumed = bpengine.analyze(model)
    defaults = bpengine.analyze(model, scenario={})
    assert [f.saving for f in assumed] == [f.saving for f in given]
    assert [f.saving for f in assumed] != [f.saving for f in defaults]
    assert {f.saving.basis for f in defaults} != {"scenario"}


def test_results_are_frozen():
    import dataclasses

    model = bpengine.load(ROOT / "processes" / "surat-keterangan-domisili.bpmn")
    result = bpengine.simulate(model, cases=20, replications=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.cases = 1
    findings = bpengine.analyze(model)
    assert isinstance(findings, tuple)
    assert findings.total is not None


@pytest.mark.slow
def test_the_analyst_example_redesigns_and_saves_time(capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "example_analyst", ROOT / "examples" / "analyst.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    days = module.main(["--cases", "60", "--replications", "2"])
    out = capsys.readouterr().out
    assert "changes applied" in out
    assert "cycle time:" in out
    assert days["after"] < days["before"]
