"""Service tasks (bpengine/engine/services.py): what a deployment says about their handlers."""

from __future__ import annotations

import json

from click.testing import CliRunner

from bpengine.cli import main


def test_deploy_names_each_service_task_without_a_handler(engine, data_dir):
    """QA 6: a case waited at a service task for ever, and deploy said nothing."""
    notes = engine.deploy(data_dir / "jobs.bpmn").notes
    [note] = [n for n in notes if "S_kirim" in n]
    assert "Kirim ke registri" in note
    assert "register" in note


def test_a_registered_handler_silences_the_note(engine, data_dir):
    engine.register("Kirim ke registri", lambda data: None)  # by name, as work() finds it
    notes = engine.deploy(data_dir / "jobs.bpmn").notes
    assert not [n for n in notes if "S_kirim" in n]


def test_case_start_warns_each_time_a_case_is_started(data_dir, tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    runner = CliRunner()
    for _round in range(2):  # the second start deploys nothing new, and still says it
        res = runner.invoke(
            main, ["case", "start", str(data_dir / "jobs.bpmn"), "--data", "nik=1", "--db", url]
        )
        assert res.exit_code == 0, res.output
        assert [line for line in res.output.splitlines() if "S_kirim" in line and "note" in line]


def test_case_start_by_key_names_the_service_tasks_without_a_handler(data_dir, tmp_path):
    # started by its key (deployed before), the CLI has no file: the stored model says it
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    runner = CliRunner()
    deployed = runner.invoke(
        main, ["case", "start", str(data_dir / "jobs.bpmn"), "--data", "nik=1", "--db", url]
    )
    assert deployed.exit_code == 0, deployed.output
    key = deployed.output.split()[1]  # "deployed KEY v1"
    res = runner.invoke(main, ["case", "start", key, "--data", "nik=1", "--db", url])
    assert res.exit_code == 0, res.output
    assert [line for line in res.output.splitlines() if "S_kirim" in line and "note" in line]
    quiet = runner.invoke(
        main, ["case", "start", key, "--data", "nik=1", "--db", url, "--format", "json"]
    )
    assert quiet.exit_code == 0, quiet.output
    assert json.loads(quiet.output)["status"] == "running"  # no note line before the case


def test_unhandled_reads_the_stored_model_with_this_engines_handlers(engine, data_dir):
    key = engine.deploy(data_dir / "jobs.bpmn").key
    assert [n for n in engine.unhandled(key) if "S_kirim" in n]
    engine.register("S_kirim", lambda data: None)
    assert not [n for n in engine.unhandled(key) if "S_kirim" in n]
