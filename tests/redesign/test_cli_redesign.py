"""`bpengine redesign`: writes BPMN, scenario and change log; errors name the option."""

from __future__ import annotations

import shutil

import yaml
from click.testing import CliRunner

from bpengine import analyze, load
from bpengine.cli import main

from .conftest import DATA, assert_usable

SCENARIO = """\
tasks:
  Task_ttd_rw: 2 h
  Task_nomor_surat: 5 min
  Serahkan surat: 10 min
lanes:
  Ketua RW: {staff: 1, cost_per_hour: 20000}
"""


def _copy(tmp_path):
    src = tmp_path / "domisili-mini.bpmn"
    shutil.copy(DATA / "domisili-mini.bpmn", src)
    (tmp_path / "domisili-mini.scenario.yaml").write_text(SCENARIO, encoding="utf-8")
    return src


def test_redesign_writes_model_scenario_and_change_log(tmp_path):
    src = _copy(tmp_path)
    removal = next(
        f
        for f in analyze(load(src))
        if f.suggestion in ("eliminate", "notify") and "Task_ttd_rw" in f.targets
    )
    out = tmp_path / "out.bpmn"
    result = CliRunner().invoke(main, ["redesign", str(src), "-o", str(out), "--apply", removal.id])
    assert result.exit_code == 0, result.output
    new = load(out)
    assert "Task_ttd_rw" not in new.elements
    assert_usable(new)
    scenario = yaml.safe_load((tmp_path / "out.scenario.yaml").read_text(encoding="utf-8"))
    assert "Task_ttd_rw" not in scenario["tasks"]
    # nobody at the RW works on the case any more: its lane and its staff entry go
    assert "Ketua RW" not in scenario["lanes"]
    assert "Ketua RW" not in {lane.name for lane in new.lanes.values()}
    assert scenario["tasks"]["Task_nomor_surat"] == "5 min"
    log = yaml.safe_load((tmp_path / "out.changes.yaml").read_text(encoding="utf-8"))
    assert log["changes"][0]["kind"] == "eliminate"
    assert log["changes"][0]["finding"] == removal.id
    assert "Removed 'Tanda tangan pengantar RW" in result.output


def test_keep_is_honoured(tmp_path):
    src = _copy(tmp_path)
    out = tmp_path / "out.bpmn"
    result = CliRunner().invoke(
        main, ["redesign", str(src), "-o", str(out), "--keep", "Task_ttd_rw"]
    )
    assert result.exit_code == 0, result.output
    assert "Task_ttd_rw" in load(out).elements


def test_unknown_apply_value_names_the_option(tmp_path):
    src = _copy(tmp_path)
    result = CliRunner().invoke(
        main, ["redesign", str(src), "-o", str(tmp_path / "o.bpmn"), "--apply", "no-such-rule"]
    )
    assert result.exit_code == 1
    assert "--apply no-such-rule" in result.output
    assert "Traceback" not in result.output


def test_unknown_keep_id_names_the_option(tmp_path):
    src = _copy(tmp_path)
    result = CliRunner().invoke(
        main, ["redesign", str(src), "-o", str(tmp_path / "o.bpmn"), "--keep", "Task_nope"]
    )
    assert result.exit_code == 1
    assert "--keep Task_nope" in result.output


def test_broken_scenario_names_the_file(tmp_path):
    src = _copy(tmp_path)
    (tmp_path / "domisili-mini.scenario.yaml").write_text("tasks: [unclosed", encoding="utf-8")
    result = CliRunner().invoke(main, ["redesign", str(src), "-o", str(tmp_path / "o.bpmn")])
    assert result.exit_code == 1
    assert "domisili-mini.scenario.yaml" in result.output
    assert "Traceback" not in result.output


def test_quiet_keeps_only_the_count_and_the_files_written(tmp_path):
    """QA 12: the README lists -q among the options every command spells alike."""
    src = _copy(tmp_path)
    out = tmp_path / "out.bpmn"
    loud = CliRunner().invoke(main, ["redesign", str(src), "-o", str(out)])
    quiet = CliRunner().invoke(main, ["redesign", str(src), "-o", str(out), "-q"])
    assert quiet.exit_code == 0, quiet.output
    assert "changed:" in loud.output
    lines = quiet.output.splitlines()
    assert len(lines) == 2
    assert lines == [loud.output.splitlines()[0], loud.output.splitlines()[-1]]
