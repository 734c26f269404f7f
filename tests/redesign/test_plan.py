"""apply_findings(model, findings): suggestions map onto transformations; guards hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpengine import analyze, load
from bpengine.analysis import soundness
from bpengine.model.spiff import build_specs
from bpengine.redesign import apply_finding, apply_findings

from .conftest import assert_usable

PROCESSES = sorted((Path(__file__).resolve().parents[2] / "processes").glob("*.bpmn"))


def _finding(model, rule, *elements):
    return next(
        f for f in analyze(model) if f.rule == rule and all(e in f.elements for e in elements)
    )


def test_signoff_chain_finding_parallelises_the_chain(domisili):
    f = _finding(domisili, "signoff-chain", "Task_ttd_rt", "Task_ttd_rw")
    new, log = apply_finding(domisili, f)
    assert log[0].kind == "parallelise"
    assert log[0].finding == f.id
    assert set(new.graph.predecessors("Task_ttd_rt")) == set(new.graph.predecessors("Task_ttd_rw"))
    assert_usable(new)


def test_redesign_applies_findings_and_records_why(domisili):
    findings = analyze(domisili)
    done = apply_findings(domisili, findings)
    new, applied = done.model, list(done.changes)
    skipped = list(done.skipped)
    assert applied, "nothing applied"
    assert {c.finding for c in applied} <= {f.id for f in findings}
    assert len({c.finding for c in applied}) + len(skipped) >= len(findings) - 1
    assert all(s.reason for s in skipped)
    assert "Task_ttd_lurah" in new.elements  # mandatory
    assert soundness(new).sound
    assert_usable(new)


def test_keep_protects_a_step_from_removal(domisili):
    findings = analyze(domisili)
    assert any(
        f.suggestion in ("eliminate", "notify") and "Task_ttd_rw" in f.targets for f in findings
    )
    done = apply_findings(domisili, findings, keep=["Task_ttd_rw"])
    new, skipped = done.model, done.skipped
    assert "Task_ttd_rw" in new.elements
    assert any("kept" in s.reason for s in skipped)


def test_a_finding_whose_steps_are_gone_names_each_missing_step_once():
    # applying everything on domisili removes the RW's sign-off first; the re-checks that
    # relied on it are skipped, each naming the gone steps once (a re-check's step is both
    # an element and a target of its finding: it was named twice)
    shipped = load(Path(__file__).resolve().parents[2] / "processes/surat-keterangan-domisili.bpmn")
    done = apply_findings(shipped, analyze(shipped))
    gone = [s.reason for s in done.skipped if "no longer in the model" in s.reason]
    assert gone
    for reason in gone:
        names = reason.split(": ", 1)[1].split(" no longer in the model")[0].split(", ")
        assert len(names) == len(set(names)), reason


def test_nothing_to_apply_returns_the_model_itself(domisili):
    done = apply_findings(domisili, [])
    assert done.model is domisili
    assert done.changes == ()


def test_ping_pong_never_moves_an_approval_to_another_office(domisili):
    f = _finding(domisili, "ping-pong", "Task_paraf_kasi")
    skipped = apply_findings(domisili, [f]).skipped
    assert "decides" in skipped[0].reason


@pytest.mark.slow
@pytest.mark.parametrize("path", PROCESSES, ids=[p.stem for p in PROCESSES])
def test_shipped_processes_redesign_keeps_them_valid_sound_and_mandatory(path):
    model = load(path)
    new = apply_findings(model, analyze(model)).model
    assert_usable(new)
    if soundness(model).sound:
        assert soundness(new).sound
    mandatory = {e.id for e in model.elements.values() if e.mandatory}
    assert mandatory <= set(new.elements)
    assert all(new.elements[m].mandatory for m in mandatory)
    build_specs(new)  # the engine (SpiffWorkflow) accepts the redesigned model


def test_every_shipped_process_has_a_scenario_sidecar():
    # The two parametrised tests above and below run once per file: an empty glob would make
    # them vanish silently, and a missing sidecar would leave the scenario test nothing to read.
    assert len(PROCESSES) >= 7
    missing = [p.name for p in PROCESSES if not p.with_name(p.stem + ".scenario.yaml").is_file()]
    assert missing == []


@pytest.mark.slow
@pytest.mark.parametrize("path", PROCESSES, ids=[p.stem for p in PROCESSES])
def test_shipped_scenario_carries_across_and_simulates(path):
    import yaml

    from bpengine import load_scenario, simulate
    from bpengine.redesign import transform_scenario

    sidecar = path.with_name(path.stem + ".scenario.yaml")  # present: checked above
    model = load(path)
    scenario = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    done = apply_findings(model, analyze(model, scenario=load_scenario(str(sidecar), model=model)))
    new, applied = done.model, list(done.changes)
    for change in applied:
        scenario = transform_scenario(scenario, change)
    load_scenario(scenario, model=new)  # every key still names an element of the new model
    result = simulate(new, scenario=scenario, cases=20, replications=2, seed=1)
    assert result["cycle_time_working_days"].mean > 0


def test_knockout_order_finding_moves_the_sharper_check_first():
    from bpengine import load_scenario

    from .conftest import DATA

    model = load(DATA / "knockout.bpmn")
    scenario = load_scenario(str(DATA / "knockout.scenario.yaml"), model=model)
    finding = next(f for f in analyze(model, scenario=scenario) if f.rule == "knockout-order")
    new, log = apply_finding(model, finding)
    assert log[0].kind == "resequence"
    assert ("terima", "cek_b") in new.graph.edges
    assert ("gb", "cek_a") in new.graph.edges
    assert_usable(new)


def test_guarded_single_step_runs_alongside_its_neighbour(domisili):
    import dataclasses

    # what the analyzer's guard makes of a removal of a protected step
    stamp = next(
        f for f in analyze(domisili) if len(f.targets) == 1 and f.targets[0] == "Task_ttd_rt"
    )
    guarded = dataclasses.replace(stamp, suggestion="parallelise", guard="kept by law")
    new, log = apply_finding(domisili, guarded)
    step = (guarded.targets or guarded.elements)[0]
    assert log[0].kind == "parallelise"
    assert step in log[0].elements
    assert len(log[0].elements) == 2
    assert domisili.elements[step].mandatory == new.elements[step].mandatory
    assert_usable(new)


def test_bpengine_redesign_is_the_package_and_apply_findings_the_function(domisili):
    import types

    import bpengine

    assert isinstance(bpengine.redesign, types.ModuleType)
    assert bpengine.apply_findings is bpengine.redesign.apply_findings
    result = bpengine.apply_findings(domisili, analyze(domisili))
    assert isinstance(result, bpengine.Redesign)
    assert result.changes
    assert result.model is not domisili


def test_a_redesign_is_frozen_and_its_unpacking_is_deprecated(domisili):
    import dataclasses

    result = apply_findings(domisili, analyze(domisili))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.model = domisili
    with pytest.warns(DeprecationWarning, match="unpacking a Redesign"):
        new, applied = result
    assert new is result.model
    assert applied == list(result.changes)


def test_the_old_redesign_function_warns_and_still_fills_skipped(domisili):
    from bpengine.redesign import redesign

    f = _finding(domisili, "ping-pong", "Task_paraf_kasi")
    skipped = []
    with pytest.warns(DeprecationWarning, match="apply_findings"):
        new, applied = redesign(domisili, [f], skipped=skipped)
    assert new is domisili
    assert applied == []
    assert "decides" in skipped[0].reason


def test_resubmission_and_one_desk_repeats_redesign_the_licensing_chain():
    # BRIEF 6: the same deed and KTP filed for each permit, each permit signed apart
    model = load(Path(__file__).resolve().parents[2] / "processes" / "izin-usaha-sebelum-oss.bpmn")
    resubmit = _finding(model, "resubmission", "Task_ajukan_ho", "Task_ajukan_siup")
    desk = _finding(model, "same-role-approvals", "Task_ttd_siup", "Task_ttd_tdp")
    done = apply_findings(model, [desk, resubmit])
    new, applied = done.model, list(done.changes)
    assert {c.finding for c in applied} == {desk.id, resubmit.id}
    gone = {
        "Task_ajukan_ho",
        "Task_verifikasi_ho",
        "Task_ajukan_siup",
        "Task_verifikasi_siup",
        "Task_ttd_izin_lokasi",
        "Task_ttd_ho",
        "Task_ttd_siup",
    }
    assert not gone & set(new.elements)
    assert {e.id for e in model.elements.values() if e.mandatory} <= set(new.elements)
    assert "Task_ttd_tdp" in new.elements
    assert soundness(new).sound
    assert_usable(new)
