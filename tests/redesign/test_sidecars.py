"""write_outputs() and read_change_log(): a redesign on disk and back."""

from __future__ import annotations

import pytest
import yaml

from bpengine import BpengineError, load
from bpengine.redesign import (
    Skipped,
    eliminate,
    read_change_log,
    sidecar_paths,
    write_outputs,
)

SCENARIO = {"tasks": {"Task_ttd_rw": "3 h", "Task_paraf_kasi": "2 h"}}


def test_the_change_log_reads_back_as_the_changes_written(domisili, tmp_path):
    new, log = eliminate(domisili, "Task_ttd_rw", finding="rubber-stamp-1")
    out = tmp_path / "after.bpmn"
    written = write_outputs(new, SCENARIO, log, [Skipped("x-1", "why not")], out, "before.bpmn")
    assert written == [out, *sidecar_paths(out)]
    assert "Task_ttd_rw" not in load(out).elements
    scenario = yaml.safe_load(written[1].read_text(encoding="utf-8"))
    assert scenario == {"tasks": {"Task_paraf_kasi": "2 h"}}  # the removed step's entry goes
    (back,) = read_change_log(out)  # what the report shows: kind, elements, words, finding
    assert (back.kind, back.elements, back.description, back.names, back.finding) == (
        "eliminate",
        ("Task_ttd_rw",),
        log[0].description,
        log[0].names,
        "rubber-stamp-1",
    )
    assert yaml.safe_load(written[2].read_text())["skipped"] == [
        {"finding": "x-1", "reason": "why not"}
    ]


def test_no_change_log_reads_as_no_changes(tmp_path):
    assert read_change_log(tmp_path / "x.bpmn") == []


def test_an_unwritable_folder_is_one_clear_error(domisili, tmp_path):
    out = tmp_path / "after.bpmn"
    sidecar_paths(out)[0].mkdir()  # a folder where the scenario file should go
    with pytest.raises(BpengineError, match="cannot write"):
        write_outputs(domisili, {}, [], [], out, "before.bpmn")
