"""``redesign_to``: the library call behind ``bpengine redesign``."""

from pathlib import Path

import pytest

from bpengine.errors import BpengineError
from bpengine.redesign import read_change_log, redesign_to, select_findings

DOMISILI = Path(__file__).resolve().parents[2] / "processes" / "surat-keterangan-domisili.bpmn"


def test_it_writes_the_model_its_scenario_and_the_change_log(tmp_path):
    done = redesign_to(DOMISILI, tmp_path / "x.bpmn", apply=("rubber-stamp",))
    assert [p.name for p in done.written] == ["x.bpmn", "x.scenario.yaml", "x.changes.yaml"]
    assert {f.rule for f in done.chosen} == {"rubber-stamp"}
    assert len(done.findings) > len(done.chosen)
    assert [c.finding for c in done.applied] == [f.id for f in done.chosen]
    assert [c.finding for c in read_change_log(done.written[0])] == [
        c.finding for c in done.applied
    ]


def test_a_kept_step_is_not_removed(tmp_path):
    done = redesign_to(DOMISILI, tmp_path / "x.bpmn", apply=("rubber-stamp",))
    step = done.applied[0].removed[0]
    kept = redesign_to(DOMISILI, tmp_path / "y.bpmn", apply=("rubber-stamp",), keep=(step,))
    assert kept.applied == ()
    assert step in kept.after.elements
    assert [s.finding for s in kept.skipped] == [f.id for f in kept.chosen]


def test_select_findings_by_rule_finding_id_or_all(tmp_path):
    done = redesign_to(DOMISILI, tmp_path / "x.bpmn", apply=("all",))
    one = done.findings[0]
    assert select_findings(done.findings, (), "f") == list(done.findings)
    assert select_findings(done.findings, (one.id,), "f") == [one]
    assert {f.rule for f in select_findings(done.findings, (one.rule,), "f")} == {one.rule}


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"apply": ("no-such-rule",)}, "--apply no-such-rule: neither a rule id"),
        ({"keep": ("Task_nope",)}, "--keep Task_nope: "),
    ],
)
def test_a_bad_choice_is_one_clear_error(tmp_path, kwargs, words):
    with pytest.raises(BpengineError, match=words):
        redesign_to(DOMISILI, tmp_path / "x.bpmn", **kwargs)
    assert not (tmp_path / "x.bpmn").exists()
