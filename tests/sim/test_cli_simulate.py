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
    assert "working days" in res.output
    assert "calendar days" in res.output
    assert "within service standard (1 working day)" in res.output
    assert "Kepala" in res.output
    assert "Periksa berkas" in res.output


def test_json_log_and_plot(tmp_path):
    log, plot = tmp_path / "cases.xes", tmp_path / "out.png"
    res = run(
        DATA / "parallel.bpmn",
        "--cases",
        30,
        "--replications",
        2,
        "--json",
        "--log",
        log,
        "--plot",
        plot,
        "--workers",
        2,
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["cases"] == 30
    assert doc["replications"] == 2
    assert doc["kpis"]["cycle_time_working_days"]["ci95"][0] is not None
    assert {t["id"] for t in doc["tasks"]} == {"A", "B", "C", "D", "F"}
    assert log.read_bytes().startswith(b"<?xml")
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_prosimos_parameters():
    res = run(
        shared_path("bench", "permit.bpmn"),
        "--prosimos",
        shared_path("bench", "permit.json"),
        "--cases",
        100,
        "--replications",
        2,
        "--json",
    )
    assert res.exit_code == 0, res.output
    lanes = {lane["lane"]: lane["staff"] for lane in json.loads(res.stdout)["lanes"]}
    assert lanes["CaseOfficer"] == 4


def test_user_mistakes_are_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("tasks: {Nope: 5 min}\n")
    res = run(DATA / "sequence.bpmn", "--scenario", bad)
    assert res.exit_code == 1
    assert res.output.startswith("error: ")
    assert "tasks.Nope" in res.output
    assert "Traceback" not in res.output
    res = run(DATA / "sequence.bpmn", "--cases", 5, "--log", tmp_path / "x.txt")
    assert res.exit_code == 1
    assert "unknown event log format" in res.output
    res = run(DATA / "missing.bpmn")
    assert res.exit_code == 1
    assert "missing.bpmn" in res.output
    res = run(DATA / "sequence.bpmn", "--cases", 0)
    assert res.exit_code == 2
    assert "--cases" in res.output


def _table_of(path, *extra, cases=60):
    res = run(path, "--cases", cases, "--replications", 3, *extra)
    assert res.exit_code == 0, res.output
    return res.output


def test_table_reads_like_a_report():
    """One unit per kind of time, no -0.0, no 1.6e+05, no made-up staff of 1000."""
    out = _table_of(Path(__file__).resolve().parents[2] / "processes" / "cuti-asn.bpmn")
    assert "queueing minutes" not in out
    assert "queueing hours" not in out
    titles = [
        i
        for i, line in enumerate(out.splitlines())
        if line.strip() in ("lanes", "tasks (minutes per execution)")
    ]
    kpi = "\n".join(out.splitlines()[: titles[0]])
    lanes = "\n".join(out.splitlines()[titles[0] : titles[1]])
    assert sum(line.startswith("│ cycle time ") for line in kpi.splitlines()) == 2
    assert "-0.0" not in out
    assert "e+0" not in out
    assert "e-0" not in out
    assert "IDR per case" in kpi
    assert "%" in kpi
    pemohon = next(line for line in lanes.splitlines() if "PNS Pemohon" in line)
    assert "unlimited" in pemohon
    assert "1000" not in pemohon
    assert "Kepala OPD" in lanes
    assert "unlimited" not in next(line for line in lanes.splitlines() if "Kepala OPD" in line)
    # the task table names tasks by name, with the id on its own line, not glued together
    assert "Task_isi_formulir Isi" not in out
    assert "Task_isi_formulir" in out


def test_json_has_no_negative_zero_and_marks_unlimited_lanes():
    res = run(
        Path(__file__).resolve().parents[2] / "processes" / "cuti-asn.bpmn",
        "--cases",
        60,
        "--replications",
        2,
        "--json",
    )
    assert res.exit_code == 0, res.output
    assert "-0.0," not in res.stdout
    assert "-0.0\n" not in res.stdout
    doc = json.loads(res.stdout)
    lanes = {lane["lane"]: lane for lane in doc["lanes"]}
    assert lanes["PNS Pemohon"]["unlimited"] is True
    assert lanes["Kepala OPD"]["unlimited"] is False
    for task in doc["tasks"]:
        assert all(
            task[k] >= 0
            for k in (
                "queueing_minutes",
                "batching_minutes",
                "off_hours_minutes",
                "processing_minutes",
            )
        )


def test_output_files_get_their_folders_and_mistakes_name_the_option(tmp_path):
    res = run(
        DATA / "sequence.bpmn",
        "--cases",
        5,
        "--log",
        tmp_path / "new" / "x.csv",
        "--plot",
        tmp_path / "new2" / "deeper" / "x.png",
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "new" / "x.csv").is_file()
    assert (tmp_path / "new2" / "deeper" / "x.png").is_file()
    (tmp_path / "afile").write_text("not a folder")
    for option, name in (("--log", "x.csv"), ("--plot", "x.png")):
        res = run(DATA / "sequence.bpmn", "--cases", 5, option, tmp_path / "afile" / name)
        assert res.exit_code == 2
        assert res.output.startswith("error: ")
        assert f"'{option}'" in res.output
        assert "cannot create the folder" in res.output
        assert "Traceback" not in res.output
        assert len(res.output.strip().splitlines()) == 1
    res = run(DATA / "sequence.bpmn", "--cases", 5, "--log", tmp_path / "x.txt")
    assert res.exit_code == 1
    assert res.output.startswith("error: --log ")


def test_a_service_standard_in_minutes_is_shown_in_minutes(tmp_path):
    sc = tmp_path / "s.scenario.yaml"
    sc.write_text("service_standard: 10 min\ntasks: {A: 20 min, B: 5 min}\n")
    res = run(DATA / "sequence.bpmn", "--scenario", sc, "--cases", 20, "--replications", 2)
    assert res.exit_code == 0, res.output
    assert "within service standard (10 working min)" in res.output
    assert "0.0222" not in res.output


def test_a_note_on_an_unnamed_element_does_not_repeat_its_id():
    res = run(
        shared_path("corpus", "exec", "camunda-examples__loan-granting.bpmn"),
        "--cases",
        20,
        "--replications",
        2,
    )
    assert res.exit_code == 0, res.output
    assert "gateway ExclusiveGateway_12xhuxz: their conditions" in " ".join(res.output.split())
    assert "ExclusiveGateway_12xhuxz (ExclusiveGateway_12xhuxz)" not in res.output


def test_a_deadlock_is_one_line_without_repeated_ids():
    res = run(
        shared_path(
            "corpus",
            "exec",
            "camunda-platform__bpmn__gateway__InclusiveGatewayTest"
            ".testLoopingInclusiveGateways.bpmn",
        ),
        "--cases",
        30,
        "--replications",
        2,
    )
    assert res.exit_code == 1
    assert res.output.startswith("error: ")
    assert "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert "case(s)" not in res.output
    assert "'inclusiveGw3' (inclusiveGw3)" not in res.output
    assert "tokens wait forever at join 'inclusiveGw3'" in res.output


def test_no_warmup_and_one_replication_are_said_plainly():
    res = run(DATA / "sequence.bpmn", "--cases", 20, "--replications", 1, "--warmup", 0)
    assert res.exit_code == 0, res.output
    assert "no warm-up" in res.output
    assert "0 warm-up" not in res.output
    assert "1 replication," in res.output
    assert "no confidence interval" in res.output


def test_xes_log_is_named_after_the_model(tmp_path):
    log = tmp_path / "cases.xes"
    res = run(DATA / "sequence.bpmn", "--cases", 5, "--replications", 1, "--log", log)
    assert res.exit_code == 0, res.output
    assert b'<string key="concept:name" value="Sequence"/>' in log.read_bytes()


def test_plot_lists_lanes_top_down_in_model_order_and_legend_clears_the_bars(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    figures = []
    real_close = plt.close
    monkeypatch.setattr(plt, "close", lambda fig=None: figures.append(fig))
    cuti = Path(__file__).resolve().parents[2] / "processes" / "cuti-asn.bpmn"
    res = run(cuti, "--cases", 60, "--replications", 2, "--plot", tmp_path / "p.png", "--json")
    assert res.exit_code == 0, res.output
    lanes = [lane["lane"] for lane in json.loads(res.stdout)["lanes"]]
    left, right = figures[-1].axes
    ticks = sorted(
        right.get_yticklabels(),
        key=lambda t: -t.get_position()[1] if not right.yaxis_inverted() else t.get_position()[1],
    )
    assert [t.get_text() for t in ticks] == lanes  # first lane at the top
    tallest = max(p.get_height() for p in left.patches)
    assert left.get_ylim()[1] >= tallest * 1.15  # head room for the legend
    assert "cuti" not in left.get_title().lower()  # the model name is the figure's title
    real_close(figures[-1])


def test_prosimos_people_notes_and_refusals(tmp_path):
    claims = Path(__file__).resolve().parents[1] / "data" / "prosimos"
    doc = json.loads((claims / "claims.json").read_text())
    # a degenerate distribution: simulated with Prosimos' fallback, and a note says so
    doc["task_resource_distribution"][1]["resources"][0].update(
        distribution_name="expon",
        distribution_params=[{"value": 600}, {"value": 400}, {"value": 200}],
    )
    params = tmp_path / "claims.json"
    params.write_text(json.dumps(doc))
    res = run(
        claims / "claims.bpmn",
        "--prosimos",
        params,
        "--cases",
        60,
        "--replications",
        2,
        "--json",
        "--log",
        tmp_path / "log.csv",
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert any("no value can fall within min 400 and max 200" in n for n in out["notes"])
    assert {lane["lane"]: lane["staff"] for lane in out["lanes"]} == {
        "Front desk": 3,
        "Back office": 3,
    }
    assert "Senior" in (tmp_path / "log.csv").read_text()  # the log names the people
    doc["batch_processing"] = [
        {
            "task_id": "T_notify",
            "type": "Concurrent",
            "size_distrib": [],
            "duration_distrib": [],
            "firing_rules": [],
        }
    ]
    params.write_text(json.dumps(doc))
    res = run(claims / "claims.bpmn", "--prosimos", params, "--cases", 5)
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    (line,) = res.output.strip().splitlines()
    assert line.startswith("error: ")
    assert "claims.json: batch_processing[0] (T_notify).type: Concurrent batches" in line


def test_a_prosimos_run_does_not_call_24_hour_days_working_days():
    """QA 11: the imported scenario has no office calendar, so its "working day" was 24 h."""
    qa = Path(__file__).resolve().parents[1] / "data" / "qa"
    res = run(
        qa / "pindah-datang-antar-kabupaten.bpmn",
        "--prosimos",
        qa / "pindah-datang-antar-kabupaten.prosimos.json",
        "--cases",
        50,
        "--replications",
        2,
    )
    assert res.exit_code == 0, res.output
    kpis = res.output.split("as Prosimos reports")[0]
    assert "working day" not in kpis
    assert "no office calendar" in res.output
    assert "cases per calendar day" in kpis.split("throughput")[1].splitlines()[0]
