"""compare(): structure exact, KPIs with CIs and significance, common random numbers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bpengine import ScenarioError, compare
from bpengine.reengineer import scenarios_for

CASES, REPS = 150, 4


def test_removing_sign_offs_shortens_the_case_significantly(domisili, redesigned):
    from .conftest import SCENARIO

    after, _log, after_scenario = redesigned
    c = compare(
        domisili,
        after,
        scenario=SCENARIO,
        cases=CASES,
        replications=REPS,
        seed=3,
        after_scenario=after_scenario,
    )
    cycle = c.get("cycle_days_mean")
    assert cycle.after < cycle.before
    assert cycle.significant
    assert cycle.ci_before[0] <= cycle.before <= cycle.ci_before[1]
    assert cycle.pct == pytest.approx(100 * (cycle.after - cycle.before) / cycle.before)
    assert c.get("activities").change == -3
    assert c.get("activities").kind == "structure"
    assert c.get("handoffs").after < c.get("handoffs").before
    assert c.get("cost").after < c.get("cost").before
    assert "falls" in c.headline()
    assert "statistically significant" in cycle.statement()


def test_same_model_both_sides_shows_no_difference(domisili):
    from .conftest import SCENARIO

    c = compare(domisili, domisili, scenario=SCENARIO, cases=CASES, replications=REPS, seed=5)
    cycle = c.get("cycle_days_mean")
    # common random numbers: the same model with the same seed gives the same numbers
    assert cycle.before == cycle.after
    assert not cycle.significant
    assert "not statistically significant" in cycle.statement()


def test_same_seed_same_table(domisili, redesigned):
    from .conftest import SCENARIO

    after, _log, sa = redesigned
    a = compare(
        domisili, after, scenario=SCENARIO, cases=60, replications=2, seed=11, after_scenario=sa
    ).to_dict()
    b = compare(
        domisili, after, scenario=SCENARIO, cases=60, replications=2, seed=11, after_scenario=sa
    ).to_dict()
    assert a == b


def test_table_lists_every_metric_with_its_statement(domisili, redesigned):
    from .conftest import SCENARIO

    after, _log, sa = redesigned
    c = compare(
        domisili, after, scenario=SCENARIO, cases=60, replications=2, seed=1, after_scenario=sa
    )
    text = c.table()
    for m in c.metrics:
        assert m.label in text
    assert {
        "cycle_days_mean",
        "cycle_days_median",
        "cycle_days_p90",
        "waiting_hours",
        "staff_hours",
        "cost",
        "handoffs",
        "approvals",
    } <= {m.key for m in c.metrics}


def test_both_sides_are_judged_against_the_before_service_standard(domisili):
    from .conftest import SCENARIO

    # the after side's own standard is stricter: judged against it, the same procedure
    # would look worse; judged against one standard it is the same
    before = {**SCENARIO, "service_standard": "10 working days"}
    after = {**SCENARIO, "service_standard": "1 min"}
    c = compare(
        domisili,
        domisili,
        scenario=before,
        cases=CASES,
        replications=2,
        seed=5,
        after_scenario=after,
    )
    sla = c.get("sla")
    assert sla.before == sla.after
    assert 0 < sla.before < 1
    assert "10 working days" in sla.label


def test_a_given_service_standard_overrides_the_before_one(domisili):
    from .conftest import SCENARIO

    before = {**SCENARIO, "service_standard": "10 working days"}
    c = compare(
        domisili,
        domisili,
        scenario=before,
        cases=CASES,
        replications=2,
        seed=5,
        service_standard="1 min",
    )
    assert c.get("sla").before == 0.0
    assert "working days" in c.get("sla").label
    with pytest.raises(ScenarioError, match="service standard"):
        compare(
            domisili,
            domisili,
            scenario=before,
            cases=CASES,
            replications=2,
            seed=5,
            service_standard="soon",
        )


def test_a_drawn_data_exchange_adds_no_handoffs_between_lanes():
    """integrate puts send/receive tasks on system lanes: they are the hand-over between
    pools, not two more handoffs between lanes."""
    from pathlib import Path

    import yaml

    from bpengine import load, simulate
    from bpengine.redesign.changes import transform_scenario
    from bpengine.redesign.integrate import integrate
    from bpengine.reengineer.before_after import per_case_counts

    pbg = Path(__file__).resolve().parents[2] / "processes" / "pbg.bpmn"
    model = load(pbg)
    raw = yaml.safe_load(pbg.with_name("pbg.scenario.yaml").read_text())
    new, log = integrate(model, ["End_sppst_dikirim", "Catch_sppst"])
    sc = transform_scenario(raw, log[0])
    rb = simulate(model, scenario=raw, cases=30, replications=1, seed=5)
    ra = simulate(new, scenario=sc, cases=30, replications=1, seed=5)
    assert any(r["activity"] == "Catch_sppst" for r in ra.event_log)  # the receive task ran
    before = per_case_counts(model, rb.event_log)["handoffs"]
    after = per_case_counts(new, ra.event_log)["handoffs"]
    assert sum(after) / len(after) <= sum(before) / len(before)


# -- which scenario each side runs on: one resolution for compare() and the CLI ------------

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


@pytest.fixture
def pbg_files(tmp_path):
    """``pbg.bpmn`` with its sidecar, and a copy ``after.bpmn`` with none."""
    before, after = tmp_path / "pbg.bpmn", tmp_path / "after.bpmn"
    shutil.copy(PROCESSES / "pbg.bpmn", before)
    shutil.copy(PROCESSES / "pbg.scenario.yaml", tmp_path / "pbg.scenario.yaml")
    shutil.copy(PROCESSES / "pbg.bpmn", after)
    return before, after


def test_after_without_a_sidecar_runs_on_befores(pbg_files):
    before, after = pbg_files
    sidecar = str(before.with_name("pbg.scenario.yaml"))
    assert scenarios_for(before, after) == (sidecar, sidecar)


def test_after_with_its_own_sidecar_runs_on_it(pbg_files):
    before, after = pbg_files
    own = after.with_name("after.scenario.yaml")
    own.write_text("tasks: {}\n", encoding="utf-8")
    assert scenarios_for(before, after, scenario={"tasks": {}}) == ({"tasks": {}}, str(own))


def test_a_model_redesigned_in_memory_runs_on_befores_scenario(domisili, redesigned):
    # it still names BEFORE's file, whose sidecar is not its own
    after, _log, _sc = redesigned
    assert scenarios_for(domisili, after, scenario={"tasks": {}}) == ({"tasks": {}}, {"tasks": {}})


def test_without_after_there_is_no_after_scenario(pbg_files):
    before, _after = pbg_files
    assert scenarios_for(before)[1] is None


def test_overrides_apply_to_both_sides(pbg_files):
    from bpengine import load

    before, after = (load(p) for p in pbg_files)
    sb, sa = scenarios_for(before, after, overrides=["lanes.Petugas DPMPTSP.staff=5"])
    assert sb.lane("Petugas DPMPTSP").staff == 5
    assert sa.lane("Petugas DPMPTSP").staff == 5


def test_compare_and_the_cli_resolve_alike(pbg_files):
    from click.testing import CliRunner

    from bpengine.cli import main

    before, after = pbg_files
    library = compare(before, after, cases=30, replications=2, seed=4).to_dict()["metrics"]
    out = CliRunner().invoke(
        main,
        [
            "compare",
            str(before),
            str(after),
            "--cases",
            "30",
            "--replications",
            "2",
            "--seed",
            "4",
            "--format",
            "json",
            "-q",
        ],
    )
    assert out.exit_code == 0, out.output
    # the after copy has no sidecar: both run on BEFORE's, in the library as in the CLI
    assert json.loads(out.output)["metrics"] == json.loads(json.dumps(library))


def test_one_call_simulates_and_compares(domisili, redesigned):
    """simulate_and_compare gives compare()'s table and the two runs it was made from."""
    from bpengine.reengineer import simulate_and_compare
    from bpengine.sim import SimulationResult

    from .conftest import SCENARIO

    after, _log, sa = redesigned
    args = dict(scenario=SCENARIO, after_scenario=sa, cases=60, replications=2, seed=11)
    table, rb, ra = simulate_and_compare(domisili, after, **args)
    assert isinstance(rb, SimulationResult)
    assert isinstance(ra, SimulationResult)
    assert table.to_dict() == compare(domisili, after, **args).to_dict()
    # the runs are the ones the table was computed from, not a second simulation
    assert table.get("cycle_days_mean").before == pytest.approx(
        float(sum(rb["cycle_time_working_days"].values)) / rb.replications
    )
    assert table.to_dict() == compare(domisili, after, results=(rb, ra), **args).to_dict()


def test_report_and_compare_print_the_same_table(pbg_files, tmp_path):
    """`bpengine compare` and `bpengine report` run the same simulation: one table."""
    from click.testing import CliRunner

    from bpengine.cli import main

    before, after = pbg_files
    run = ["--cases", "30", "--replications", "2", "--seed", "4", "-q"]
    out = CliRunner().invoke(main, ["compare", str(before), str(after), *run])
    assert out.exit_code == 0, out.output
    page = tmp_path / "r.html"
    rep = CliRunner().invoke(main, ["report", str(before), str(after), "-o", str(page), *run])
    assert rep.exit_code == 0, rep.output
    html = page.read_text(encoding="utf-8")
    cycle = next(line for line in out.output.splitlines() if line.startswith("Cycle time, mean"))
    before_value = cycle.split("]", 1)[1].split()[0]  # "12.13" after the unit
    assert before_value in html
