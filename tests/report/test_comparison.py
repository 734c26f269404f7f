"""structural_metrics: what the before/after table counts on each model."""

from __future__ import annotations

from bpengine import load
from bpengine.analysis import metrics
from bpengine.report import structural_metrics
from tests.conftest import PROCESSES


def test_mandatory_steps_are_counted_as_the_redesign_keeps_them():
    # the residence certificate marks one step bpe:mandatory; the RT's, RW's and lurah's
    # signatures carry no attribute but are legal acts, which no redesign removes
    model = load(PROCESSES / "surat-keterangan-domisili.bpmn")
    kept = [e.id for e in model.elements.values() if e.is_activity and model.mandate(e.id).required]
    assert not model.elements["Task_ttd_lurah"].mandatory
    assert "Task_ttd_lurah" in kept
    assert structural_metrics(model)["mandatory"] == len(kept) == 6


def test_compare_and_the_analyzer_count_mandatory_steps_alike():
    for path in sorted(PROCESSES.glob("*.bpmn")):
        model = load(path)
        assert structural_metrics(model)["mandatory"] == metrics(model).domain["mandatory_steps"]
