"""`--set` and `sweep` give the numbers of a hand-edited scenario file, on the same seed."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bpengine.cli import main
from tests.conftest import PROCESSES

CUTI = PROCESSES / "cuti-asn.bpmn"
YAML = (PROCESSES / "cuti-asn.scenario.yaml").read_text(encoding="utf-8")
SMALL = ["-n", "60", "-r", "2", "-q"]

# (--set, the same change made by hand in the YAML text)
EDITS = [
    ('lanes."Kepala OPD".staff=2', ("Kepala OPD: {staff: 1,", "Kepala OPD: {staff: 2,")),
    (
        "arrivals.rate=4",
        ("  interarrival: {distribution: exponential, mean: 240 min}", "  rate: 4"),
    ),
    (
        "tasks.Task_verifikasi_bkpsdm.duration=45 min",
        (
            "Task_verifikasi_bkpsdm: {duration: {distribution: lognormal, mean: 20 min, sd: 10 min}}",
            "Task_verifikasi_bkpsdm: {duration: 45 min}",
        ),
    ),
]


def hand_edited(tmp_path, *edits) -> str:
    text = YAML
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "edited.scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def run_json(*args):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    doc.pop("elapsed_seconds", None)
    return doc


@pytest.mark.parametrize(("setting", "edit"), EDITS, ids=[e[0].split("=")[0] for e in EDITS])
def test_simulate_set_equals_a_hand_edited_file(tmp_path, setting, edit):
    by_set = run_json("simulate", CUTI, "--set", setting, *SMALL, "--format", "json")
    by_hand = run_json(
        "simulate", CUTI, "-s", hand_edited(tmp_path, edit), *SMALL, "--format", "json"
    )
    plain = run_json("simulate", CUTI, *SMALL, "--format", "json")
    assert by_set == by_hand
    assert by_set["kpis"] != plain["kpis"]  # the change did change something


def test_compare_set_applies_to_both_sides(tmp_path):
    after = PROCESSES / "cuti-asn.bpmn"
    edited = hand_edited(tmp_path, EDITS[0][1])
    by_set = run_json("compare", CUTI, after, "--set", EDITS[0][0], *SMALL, "--format", "json")
    by_hand = run_json(
        "compare", CUTI, after, "-s", edited, "--after-scenario", edited, *SMALL, "--format", "json"
    )
    for doc in (by_set, by_hand):
        doc.pop("scenario")
    assert by_set == by_hand


def test_reengineer_set_carries_into_the_search(tmp_path):
    edited = hand_edited(tmp_path, EDITS[0][1])
    common = ["-n", "20", "-r", "2", "--candidates", "2", "-j", "1", "-q"]
    a = CliRunner().invoke(
        main, ["reengineer", str(CUTI), "-o", str(tmp_path / "a"), "--set", EDITS[0][0], *common]
    )
    b = CliRunner().invoke(
        main, ["reengineer", str(CUTI), "-o", str(tmp_path / "b"), "-s", edited, *common]
    )
    assert a.exit_code == 0, a.output + b.output
    assert b.exit_code == 0, a.output + b.output
    ranking = [line for line in a.output.splitlines() if line.startswith("  ")]
    assert len(ranking) >= 2
    assert ranking == [line for line in b.output.splitlines() if line.startswith("  ")]


def test_sweep_points_equal_hand_edited_files(tmp_path):
    doc = run_json(
        "sweep",
        CUTI,
        "--vary",
        'lanes."Kepala OPD".staff=1..2',
        "--vary",
        "arrivals.rate=2,4",
        *SMALL,
        "--format",
        "json",
    )
    assert [p["values"] for p in doc["points"]] == [
        {'lanes."Kepala OPD".staff': s, "arrivals.rate": r} for s in (1, 2) for r in (2, 4)
    ]
    point = doc["points"][3]
    edited = hand_edited(
        tmp_path,
        EDITS[0][1],
        ("  interarrival: {distribution: exponential, mean: 240 min}", "  rate: 4"),
    )
    alone = run_json("simulate", CUTI, "-s", edited, *SMALL, "--format", "json")
    assert point["kpis"] == {k: v for k, v in alone["kpis"].items() if k in point["kpis"]}
    assert point["lanes"] == alone["lanes"]


def test_what_if_mistakes_are_one_line_naming_the_path(tmp_path):
    runner = CliRunner()
    for args, message in (
        (
            ["simulate", CUTI, "--set", 'lanes."Kepala OPD".staff=0'],
            "lanes.Kepala OPD.staff: a lane needs a whole number of people from 1 to 10000",
        ),
        (["simulate", CUTI, "--set", "lanes.staff"], "expected PATH=VALUE"),
        (["sweep", CUTI, "--vary", "arrivals.rate=4..1"], "--vary arrivals.rate: '4..1'"),
        (["sweep", CUTI, "--vary", "arrivals.rate"], "expected PATH=VALUES"),
        (["sweep", CUTI, "--vary", 'lanes."Nobody".staff=1,2'], "no lane named 'Nobody'"),
        (
            ["simulate", CUTI, "--prosimos", "x.json", "--set", "arrivals.rate=2"],
            "x.json: what-if overrides change a YAML scenario, not Prosimos JSON",
        ),
    ):
        res = runner.invoke(main, [str(a) for a in args])
        assert res.exit_code in (1, 2), res.output
        assert "Traceback" not in res.output, res.output
        (line,) = res.output.strip().splitlines()
        assert line.startswith("error: "), line
        assert message in line, line


def test_sweep_prints_a_table_and_draws_a_plot(tmp_path):
    plot = tmp_path / "plots" / "sweep.png"
    res = CliRunner().invoke(
        main,
        ["sweep", str(CUTI), "--vary", 'lanes."Kepala OPD".staff=1,3', *SMALL, "--plot", str(plot)],
    )
    assert res.exit_code == 0, res.output
    assert "utilisation" in res.output
    assert "Kepala OPD" in res.output
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sweep_names_the_point_where_a_lane_is_overloaded():
    domisili = PROCESSES / "surat-keterangan-domisili.bpmn"
    res = CliRunner().invoke(
        main,
        [
            "sweep",
            str(domisili),
            "--vary",
            'lanes."Petugas Kelurahan".staff=1,3',
            "--set",
            "arrivals.rate=20",
            *SMALL,
            "--format",
            "csv",
        ],
    )
    assert res.exit_code == 0, res.output
    warned = [line for line in res.output.splitlines() if line.startswith("warning")]
    assert any(
        line.startswith("warning (lanes.\"Petugas Kelurahan\".staff=1): lane 'Petugas Kelurahan'")
        and "offered load" in line
        for line in warned
    ), warned
    assert not any("staff=3" in line for line in warned)


@pytest.mark.parametrize("value", ["1e9", "1.0e+9", "2.5", "0", "-3", "many", "true", "[2]"])
def test_a_wrong_head_count_says_what_range_is_accepted(value):
    # 1e9 is text to YAML (no dot); whatever is wrong, the line names the setting, the lane
    # and the accepted range
    res = CliRunner().invoke(
        main, ["simulate", str(CUTI), "--set", f'lanes."Kepala OPD".staff={value}']
    )
    assert res.exit_code in (1, 2), res.output
    (line,) = res.output.strip().splitlines()
    assert f'lanes."Kepala OPD".staff={value}' in line, line
    assert (
        "lanes.Kepala OPD.staff: a lane needs a whole number of people from 1 to 10000 "
        "(the setting bpengine.scenario.limits.MAX_STAFF), got "
    ) in line, line
