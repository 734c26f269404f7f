"""`bpengine simulate`: table, --json, --log, --plot, --prosimos, clear errors."""
import json
from pathlib import Path

from click.testing import CliRunner

from bpengine.cli import main
from tests.conftest import shared_path

DATA = Path(__file__).resolve().parents[1] / "data" / "sim"


def run(*args):
    return CliRunner().invoke(main, ["simulate", *map(str, args)])


def test_table(tmp_path):
    sc = tmp_path / "s.scenario.yaml"
    sc.write_text("service_standard: 1 working day\ntasks: {A: 20 min, B: 5 min}\n")
    res = run(DATA / "sequence.bpmn", "--scenario", sc, "--cases", 50, "--replications", 2)
    assert res.exit_code == 0, res.output
    assert "cycle time working days" in res.output
    assert "within service standard" in res.output
    assert "Kepala" in res.output and "Periksa berkas" in res.output


def test_json_log_and_plot(tmp_path):
    log, plot = tmp_path / "cases.xes", tmp_path / "out.png"
    res = run(DATA / "parallel.bpmn", "--cases", 30, "--replications", 2, "--json",
              "--log", log, "--plot", plot, "--workers", 2)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["cases"] == 30 and doc["replications"] == 2
    assert doc["kpis"]["cycle_time_working_days"]["ci95"][0] is not None
    assert {t["id"] for t in doc["tasks"]} == {"A", "B", "C", "D", "F"}
    assert log.read_bytes().startswith(b"<?xml")
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_prosimos_parameters():
    res = run(shared_path("bench", "permit.bpmn"), "--prosimos",
              shared_path("bench", "permit.json"), "--cases", 100, "--replications", 2, "--json")
    assert res.exit_code == 0, res.output
    lanes = {lane["lane"]: lane["staff"] for lane in json.loads(res.stdout)["lanes"]}
    assert lanes["CaseOfficer"] == 4


def test_user_mistakes_are_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("tasks: {Nope: 5 min}\n")
    res = run(DATA / "sequence.bpmn", "--scenario", bad)
    assert res.exit_code == 1
    assert res.output.startswith("error: ") and "tasks.Nope" in res.output
    assert "Traceback" not in res.output
    res = run(DATA / "sequence.bpmn", "--cases", 5, "--log", tmp_path / "x.txt")
    assert res.exit_code == 1 and "unknown event log format" in res.output
    res = run(DATA / "missing.bpmn")
    assert res.exit_code == 1 and "missing.bpmn" in res.output
    res = run(DATA / "sequence.bpmn", "--cases", 0)
    assert res.exit_code == 2 and "--cases" in res.output
