"""One consistent view: no contradicting findings, capped savings, a total counting overlap once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpengine import analyze, load
from bpengine.analysis.consistency import acting_steps, reconcile
from bpengine.analysis.cycle_time import lead_time
from bpengine.analysis.finding import Saving, make_finding
from bpengine.analysis.rework import rework_loops
from bpengine.scenario import load_scenario

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
SHIPPED = sorted(PROCESSES.glob("*.bpmn"))
# QA's collaboration: an inclusive block, a subprocess with a 14-day timer loop inside
QA = Path(__file__).resolve().parents[1] / "data" / "qa" / "pindah-datang-antar-kabupaten.bpmn"


@pytest.mark.parametrize(
    ("path", "sidecar"),
    [(p, False) for p in SHIPPED] + [(QA, False), (QA, True)],
    ids=lambda v: v.stem if isinstance(v, Path) else ("scenario" if v else "defaults"),
)
def test_findings_on_shipped_processes_agree_and_add_up(path, sidecar):
    model = load(path)
    scenario = load_scenario(path.with_suffix(".scenario.yaml") if sidecar else None, model=model)
    found = analyze(model, scenario=scenario)
    full, _runs = lead_time(model, scenario)
    deciding = {loop["check"] for loop in rework_loops(model, scenario)}
    for f in found:
        if f.rule == "rubber-stamp":  # "decides nothing" and "sends cases back" never both
            assert not set(acting_steps(f)) & deciding, f.id
        # each pool of a collaboration on its own; a hand-over's transfer lies between
        # pools, so only the case's lead time across them sees it
        ends = {e for h in model.case_handovers for e in (h.sender, h.receiver)}
        saved = 0.0
        if set(acting_steps(f)) & ends:
            saved = full - lead_time(model, scenario, without=acting_steps(f))[0]
        for pid in model.processes if not saved else ():
            steps = [s for s in acting_steps(f) if model.elements[s].process == pid]
            if steps:
                saved += (
                    lead_time(model, scenario, process=pid)[0]
                    - lead_time(model, scenario, without=steps, process=pid)[0]
                )
        assert f.saving.working_days <= saved + 0.01, (f.id, f.saving, saved)
    total = found.total
    # the case's lead time: across the pools joined by their hand-overs (transfers
    # included), never less than each pool's work on its own
    every = max(full, sum(lead_time(model, scenario, process=pid)[0] for pid in model.processes))
    assert total.working_days <= min(every, sum(f.saving.working_days for f in found)) + 0.01
    assert total.staff_hours <= sum(f.saving.staff_hours for f in found) + 0.01


def test_a_simulated_mean_caps_the_total():
    path = PROCESSES / "surat-keterangan-domisili.bpmn"
    model = load(path)
    scenario = load_scenario(None, model=model)
    analytic = analyze(model, scenario=scenario)
    full, _runs = lead_time(model, scenario)
    measured = analyze(model, scenario=scenario, cycle_days=full / 2)
    assert measured.total.working_days <= full / 2 < analytic.total.working_days
    assert [f.id for f in measured] == [f.id for f in analytic]  # same findings, same ids
    assert any("capped" in f.explanation for f in measured)


def test_a_rubber_stamp_on_a_check_that_sends_cases_round_a_loop_is_dropped(procedure):
    # whatever rule called it a rubber stamp, the loop its decision closes says it decides
    steps = {
        "s": ("start", "", "Staf"),
        "d": ("task", "Buat konsep surat", "Staf"),
        "p": ("task", "Paraf konsep surat", "Kasi"),
        "g": ("xor", "Hasil", "Kasi"),
        "k": ("task", "Kirim surat", "Staf"),
        "e": ("end", "", "Staf"),
    }
    flows = ["s>d", "d>p", "p>g", ("g>k", "A"), ("g>d", "B"), "k>e"]
    model = load(procedure(steps, flows))
    stamp = make_finding(
        model,
        "rubber-stamp",
        ("p",),
        "nothing after it decides",
        "notify",
        targets=("p",),
        saving=Saving(0.5, 0.1),
    )
    other = make_finding(
        model,
        "rubber-stamp",
        ("k",),
        "nothing after it decides",
        "notify",
        targets=("k",),
        saving=Saving(0.5, 0.1),
    )
    kept = reconcile(model, [stamp, other])
    assert [f.id for f in kept] == [other.id]
    assert kept.total.working_days <= 0.5


def test_a_paper_hand_over_is_capped_by_its_transfer_across_the_pools_not_by_zero():
    # Msg_sppst runs between two events (no work of their own): the cap must see the
    # transfer it carries on the case's path from the Dinas PUPR into the DPMPTSP
    path = PROCESSES / "pbg.bpmn"
    model = load(path)
    scenario = load_scenario(path.with_name("pbg.scenario.yaml"), model=model)
    handover = next(
        f
        for f in analyze(model, scenario=scenario)
        if f.rule == "paper-handover" and "Catch_sppst" in f.elements
    )
    whole = lead_time(model, scenario)[0]
    lost = whole - lead_time(model, scenario, without=set(handover.elements))[0]
    assert lost > 0.4  # a paper transfer of half a working day on the critical path
    assert handover.saving.working_days == pytest.approx(lost, abs=0.01)
    assert "capped at 0" not in handover.explanation
