"""`bpengine analyze`: formats, options and one-line errors."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from bpengine.cli import main

from ..conftest import DATA, shared_path


def run(*args):
    return CliRunner().invoke(main, ["analyze", *map(str, args)])


def test_table_by_default(domisili):
    r = run(domisili)
    assert r.exit_code == 0, r.output
    assert "scenario: none (stated defaults)" in r.output
    assert "signoff-chain" in r.output
    assert "soundness: sound" in r.output


def test_json_with_metrics(domisili):
    r = run(domisili, "--format", "json", "--metrics")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["metrics"]["size"]["activities"] == 9
    assert doc["soundness"]["sound"] is True
    assert {f["rule"] for f in doc["findings"]} >= {"signoff-chain", "rework-loop"}


def test_sarif_to_file(domisili, tmp_path):
    out = tmp_path / "out.sarif"
    r = run(domisili, "--format", "sarif", "-o", out, "--no-soundness")
    assert r.exit_code == 0
    assert r.output == ""
    log = json.loads(out.read_text())
    assert log["version"] == "2.1.0"
    assert log["runs"][0]["results"]


def test_rule_filter_and_sidecar_scenario(procedure):
    steps = {
        "s": ("start", "", "P"),
        "a": ("task", "Verifikasi berkas", "Petugas"),
        "g": ("xor", "", "Petugas"),
        "w": ("task", "Terbitkan izin", "Petugas"),
        "e": ("end", "", "P"),
        "x": ("end", "", "P"),
    }
    path = procedure(
        steps,
        ["s>a", "a>g", ("g>w", "ya"), ("g>x", "tidak"), "w>e"],
        scenario={"gateways": {"g": {"g_w": 1.0, "g_x": 0.0}}},
    )
    r = run(path, "--rule", "rubber-stamp", "--format", "json")
    doc = json.loads(r.output)
    assert [f["rule"] for f in doc["findings"]] == ["rubber-stamp"]
    assert doc["findings"][0]["saving"]["basis"] == "scenario"
    r = run(path, "--rule", "rubber-stamp", "--format", "json", "--no-scenario")
    assert json.loads(r.output)["findings"] == []


def test_user_mistakes_are_one_line(tmp_path, domisili):
    r = run(tmp_path / "missing.bpmn")
    assert r.exit_code == 1
    assert r.output.startswith("error:")
    assert "missing.bpmn" in r.output
    assert "Traceback" not in r.output
    bad = tmp_path / "bad.scenario.yaml"
    bad.write_text("tasks: {NoSuchTask: 5 min}\n")
    r = run(domisili, "--scenario", bad)
    assert r.exit_code == 1
    assert "NoSuchTask" in r.output
    assert "Traceback" not in r.output
    r = run(domisili, "--rule", "nonsense")
    assert r.exit_code == 2
    assert "nonsense" in r.output
    r = run(domisili, "--max-states", "0")
    assert r.exit_code == 2
    assert "--max-states" in r.output


def test_incomplete_soundness_is_reported(domisili):
    r = run(domisili, "--max-states", "3")
    assert r.exit_code == 0
    assert "result incomplete" in r.output


def test_corpus_file_from_shared():
    r = run(shared_path("corpus", "miwg", "B.2.0.bpmn"), "--format", "sarif")
    assert r.exit_code == 0, r.output
    results = json.loads(r.output)["runs"][0]["results"]
    assert any(x["ruleId"].startswith("soundness/") for x in results)


def _pbg():
    from pathlib import Path

    return Path(__file__).resolve().parents[2] / "processes" / "pbg.bpmn"


def test_table_metrics_are_labelled_lines_not_json():
    """--metrics reads as 'label  value' lines: no raw JSON dicts, no -0.0, no 'finding(s)'."""
    r = run(_pbg(), "--metrics")
    assert r.exit_code == 0, r.output
    assert '{"nodes"' not in r.output
    assert '"cfc"' not in r.output
    assert "-0.0" not in r.output
    assert "finding(s)" not in r.output
    assert "violation(s)" not in r.output
    assert "findings" in r.output.splitlines()[2]
    assert "control-flow complexity (CFC)" in r.output
    assert re.search(r"\n    working time alone exceeds the standard +no\n", r.output)
    assert "~0.00 staff hours" not in r.output  # a zero part of a saving is left out
    assert max(len(line) for line in r.output.splitlines()) <= 102


def test_json_metrics_have_no_negative_zero():
    r = run(_pbg(), "--format", "json", "--metrics")
    assert r.exit_code == 0, r.output
    assert "-0.0" not in r.output
    assert json.loads(r.output)["metrics"]["complexity"]["connector_heterogeneity"] == 0


def test_sarif_uri_of_an_absolute_path_is_a_file_uri():
    r = run(_pbg(), "--format", "sarif", "--no-soundness")
    assert r.exit_code == 0, r.output
    uri = json.loads(r.output)["runs"][0]["artifacts"][0]["location"]["uri"]
    assert uri.startswith("file:///")
    assert uri.endswith("/processes/pbg.bpmn")


def test_long_saving_basis_is_wrapped():
    r = run(shared_path("bench", "permit.bpmn"), "--no-soundness")
    assert r.exit_code == 0, r.output
    assert max(len(line) for line in r.output.splitlines()) <= 102


def test_time_metrics_say_they_leave_waiting_out():
    """0.37 'expected days' next to a 1.9-day simulated cycle time reads as a contradiction."""
    r = run(_pbg(), "--metrics", "--no-soundness")
    assert r.exit_code == 0, r.output
    assert "expected work time, working days (no waiting)" in r.output


def test_analyze_titles_a_collaboration_with_its_name(tmp_path):
    res = CliRunner().invoke(
        main, ["analyze", str(DATA / "qa" / "pindah-datang-antar-kabupaten.bpmn")]
    )
    assert res.exit_code == 0, res.output
    assert "Pindah datang antar kabupaten/kota (SKPWNI): " in res.output
    assert "Pindah keluar" not in res.output
