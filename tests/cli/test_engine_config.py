"""`bpengine case ... --scenario/--tz/--lane-tz`: due dates count the calendar of a scenario in
each office's own time zone (bpengine/cli/engine_config.py), through click's CliRunner."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from bpengine import Engine
from bpengine.cli import main
from bpengine.scenario import load_scenario

from .. import conftest

PENUGASAN = conftest.ROOT / "tests" / "engine" / "data" / "penugasan.bpmn"
SCENARIO = conftest.PROCESSES / "cuti-asn.scenario.yaml"  # Indonesian office hours, holidays
DATA = ["--data", "unit=arsip", "--data", "verifikator=wati", "--data", "batas=2025-01-10"]
MAKASSAR = "Kantor Wilayah Makassar=Asia/Makassar"


def _run(url, *args):
    result = CliRunner().invoke(main, [*args, "--db", url])
    assert result.exit_code == 0, result.output
    return result.output


def _verifier_due(url, *options) -> dt.datetime:
    """Start a case and complete its first task with ``options``; the next task's due."""
    started = json.loads(
        _run(url, "case", "start", str(PENUGASAN), *DATA, "--format", "json", *options)
    )
    completed = json.loads(
        _run(
            url,
            "case",
            "complete",
            started["tasks"][0]["id"],
            "--actor",
            "ani",
            "--group",
            "arsip",
            "--format",
            "json",
            *options,
        )
    )
    [task] = completed["tasks"]  # T_verifikasi, camunda:dueDate="P2D", in Makassar
    return dt.datetime.fromisoformat(task["due"]), dt.datetime.fromisoformat(task["created_at"])


def test_due_dates_count_the_scenarios_calendar_in_the_lanes_zone(tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    due, created = _verifier_due(url, "--scenario", str(SCENARIO), "--lane-tz", MAKASSAR)
    assert due.utcoffset() == dt.timedelta(hours=8)  # WITA
    calendar = load_scenario(SCENARIO).calendar
    local = due.replace(tzinfo=None)
    # two working days of Makassar's office hours: the due date falls in them, and exactly
    # two working days of that calendar lie between the task's creation and it
    start = created.astimezone(due.tzinfo).replace(tzinfo=None)
    assert calendar.working_days_between(start, local) == pytest.approx(2.0)
    assert calendar.is_working(local - dt.timedelta(minutes=1))

    # without a scenario, P2D is two calendar days; --tz moves every office to WIT
    plain_due, plain_created = _verifier_due(url, "--tz", "Asia/Jayapura")
    assert plain_due - plain_created == dt.timedelta(days=2)
    assert plain_due.utcoffset() == dt.timedelta(hours=9)
    shown = _run(url, "case", "inbox").splitlines()  # each due date in its own zone
    assert any(" WIT" in line for line in shown)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tz", "Asia/Bandung"], "--tz: time zone 'Asia/Bandung' is not an IANA name"),
        (["--lane-tz", "Kantor Wilayah Makassar"], "'Kantor Wilayah Makassar' is not LANE=ZONE"),
        (["--lane-tz", "Loket=WITA"], "--lane-tz 'Loket=WITA': time zone 'WITA' is not"),
        (["--scenario", "nope.yaml"], "nope.yaml"),
    ],
)
def test_bad_calendar_options_name_the_option(tmp_path, args, message):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    result = CliRunner().invoke(main, ["case", "start", str(PENUGASAN), *DATA, *args, "--db", url])
    assert result.exit_code != 0
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


ZONED = PENUGASAN.with_suffix(".scenario.yaml")  # calendar.timezone and lanes.X.timezone


def test_the_scenarios_time_zones_apply_and_lane_tz_wins(tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    due, created = _verifier_due(url, "--scenario", str(ZONED))
    assert due.utcoffset() == dt.timedelta(hours=8)  # lanes."Kantor Wilayah Makassar".timezone
    assert load_scenario(ZONED).calendar.working_days_between(
        created.astimezone(due.tzinfo).replace(tzinfo=None), due.replace(tzinfo=None)
    ) == pytest.approx(2.0)
    due, _ = _verifier_due(
        url, "--scenario", str(ZONED), "--lane-tz", "Kantor Wilayah Makassar=Asia/Jayapura"
    )
    assert due.utcoffset() == dt.timedelta(hours=9)


def test_a_misspelt_lane_or_a_bad_scenario_zone_is_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    result = CliRunner().invoke(
        main,
        ["case", "start", str(PENUGASAN), *DATA, "--lane-tz", "Kanwil Makassar=Asia/Makassar"]
        + ["--db", url],
    )
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [  # refused before deploying: one line
        "error: --lane-tz 'Kanwil Makassar': no lane 'Kanwil Makassar' in penugasan nor in any "
        "other deployed process (lanes of penugasan: Kantor Wilayah Makassar, Kepala, Sekretariat)"
    ]
    with Engine(url) as engine:
        assert engine.definitions() == []  # nothing deployed in vain
    bad = tmp_path / "bad.scenario.yaml"
    bad.write_text(ZONED.read_text("utf-8").replace("timezone: Asia/Makassar", "timezone: WITA"))
    result = CliRunner().invoke(
        main, ["case", "start", str(PENUGASAN), *DATA, "--scenario", str(bad), "--db", url]
    )
    assert result.exit_code != 0
    assert (
        "lanes.Kantor Wilayah Makassar.timezone: 'WITA' is not an IANA time zone" in result.output
    )
    assert len(result.output.strip().splitlines()) == 1
