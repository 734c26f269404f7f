"""`bpengine compare`, `bpengine report` and `bpengine reengineer` on real files."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from click.testing import CliRunner

from bpengine import load
from bpengine.cli import main

from .conftest import DATA, SCENARIO


@pytest.fixture
def pair(tmp_path):
    """BEFORE with its sidecar scenario, and AFTER written by `bpengine redesign`."""
    before = tmp_path / "domisili-mini.bpmn"
    shutil.copy(DATA / "domisili-mini.bpmn", before)
    (tmp_path / "domisili-mini.scenario.yaml").write_text(
        yaml.safe_dump(SCENARIO), encoding="utf-8"
    )
    after = tmp_path / "after.bpmn"
    result = CliRunner().invoke(main, ["redesign", str(before), "-o", str(after)])
    assert result.exit_code == 0, result.output
    return before, after


def test_compare_prints_the_table_with_significance(pair):
    before, after = pair
    result = CliRunner().invoke(
        main, ["compare", str(before), str(after), "--cases", "80", "-r", "3", "--seed", "4"]
    )
    assert result.exit_code == 0, result.output
    assert "Cycle time, mean" in result.output
    assert "Handoffs per case" in result.output
    assert "significant" in result.output
    assert "domisili-mini.scenario.yaml" in result.output


def test_compare_json_uses_the_after_sidecar(pair):
    before, after = pair
    result = CliRunner().invoke(
        main, ["compare", str(before), str(after), "--cases", "60", "-r", "2", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    keys = {m["key"] for m in data["metrics"]}
    assert {"cycle_days_mean", "cost", "handoffs", "activities"} <= keys
    assert all("p_value" in m and "pct_change" in m for m in data["metrics"])


def test_compare_missing_file_is_one_error_line(tmp_path, pair):
    before, _ = pair
    result = CliRunner().invoke(main, ["compare", str(before), str(tmp_path / "nope.bpmn")])
    assert result.exit_code != 0
    assert "nope.bpmn" in result.output
    assert "Traceback" not in result.output


def test_report_writes_one_html_with_both_diagrams(pair, tmp_path):
    before, after = pair
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        main, ["report", str(before), str(after), "-o", str(out), "--cases", "60", "-r", "2"]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.count("<svg") == 2
    assert "data:image/png;base64," in html
    assert "Changes made" in html  # read back from after.changes.yaml


def test_report_before_only(pair, tmp_path):
    before, _ = pair
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(before), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count("<svg") == 1


@pytest.mark.slow
def test_reengineer_writes_best_redesign_comparison_and_report(pair, tmp_path):
    before, _ = pair
    out = tmp_path / "best"
    args = [
        "reengineer",
        str(before),
        "-o",
        str(out),
        "--cases",
        "60",
        "-r",
        "2",
        "--candidates",
        "8",
        "--jobs",
        "2",
        "--seed",
        "5",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    best = load(out / "domisili-mini.redesigned.bpmn")
    assert "Task_ttd_lurah" in best.elements  # mandatory
    for name in (
        "domisili-mini.redesigned.scenario.yaml",
        "domisili-mini.redesigned.changes.yaml",
        "comparison.txt",
        "comparison.json",
        "report.html",
    ):
        assert (out / name).is_file(), name
    assert "#1" in result.output
    again = CliRunner().invoke(main, args[:3] + [str(tmp_path / "again")] + args[4:])
    ranking = [line for line in result.output.splitlines() if line.strip().startswith("#")]
    assert ranking == [line for line in again.output.splitlines() if line.strip().startswith("#")]


def test_report_without_simulation_still_compares_structure(pair, tmp_path):
    before, after = pair
    out = tmp_path / "r.html"
    result = CliRunner().invoke(
        main, ["report", str(before), str(after), "-o", str(out), "--no-simulation"]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Structural comparison only" in html
    assert "Steps (activities)" in html
    assert "data:image/png" not in html


def test_compare_judges_both_sides_against_a_given_service_standard(pair):
    before, after = pair
    result = CliRunner().invoke(
        main,
        [
            "compare",
            str(before),
            str(after),
            "--cases",
            "60",
            "-r",
            "2",
            "--format",
            "json",
            "--service-standard",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    sla = next(m for m in json.loads(result.output)["metrics"] if m["key"] == "sla")
    assert sla["label"] == "Cases within the service standard (2 working days)"
    bad = CliRunner().invoke(
        main,
        [
            "compare",
            str(before),
            str(after),
            "--cases",
            "20",
            "-r",
            "2",
            "--service-standard",
            "soon",
        ],
    )
    assert bad.exit_code != 0
    assert "service standard" in bad.output
    assert "Traceback" not in bad.output
