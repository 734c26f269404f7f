"""Each kind of change in one sentence (report.summary.change_sentence)."""

from pathlib import Path

import pytest

from bpengine import load
from bpengine.redesign import Change
from bpengine.report.summary import change_sentence

WALK = Path(__file__).resolve().parents[1] / "data" / "graph" / "walk.bpmn"


@pytest.fixture(scope="module")
def model():
    return load(WALK)


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (
            Change("automate", ("B",), "x"),
            "\u201cTanda tangan\u201d is done by a system step instead of a person.",
        ),
        (Change("fast-lane", ("B",), "x"), "Simple cases now skip \u201cTanda tangan\u201d."),
        (
            Change("move-staff", (), "x", staff=(("Loket", 2), ("Arsip", -2))),
            "2 people move from Arsip to Loket; the procedure is unchanged.",
        ),
        (
            Change("move-staff", (), "x", staff=(("Loket", 1), ("Arsip", -1))),
            "1 person moves from Arsip to Loket; the procedure is unchanged.",
        ),
        (
            Change("eliminate", ("A", "B"), "x"),
            "Removed \u201cPeriksa\u201d, \u201cTanda tangan\u201d.",
        ),
        (Change("extension-kind", ("B",), "its own words"), "its own words"),
    ],
)
def test_each_kind_reads_as_one_sentence(model, change, sentence):
    assert change_sentence(change, model) == sentence
