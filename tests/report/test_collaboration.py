"""On a collaboration, analyze, simulate and compare count the same steps and hand-overs."""
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from bpengine import compare, load, simulate
from bpengine.analysis.metrics import metrics
from bpengine.cli import main

COLLAB = Path(__file__).resolve().parents[1] / "data" / "collab" / "tiga-instansi.bpmn"


def test_the_three_commands_agree_on_steps_and_handovers():
    model = load(COLLAB)
    m = metrics(model)
    steps, handovers = m["size"]["activities"], m["domain"]["handovers"]
    assert (steps, handovers) == (7, 2)

    result = simulate(model, None, cases=30, replications=2, warmup=0)
    per_case = Counter(row["case"] for row in result.event_log)
    assert set(per_case.values()) == {steps}  # every pool's steps, once each, in every case
    sent = Counter(row["case"] for row in result.handovers)
    assert set(sent.values()) == {handovers} and set(sent) == set(per_case)
    assert sum(t["executions_per_case"] for t in result.tasks) == steps

    c = compare(model, model, None, 30, 2, 7)
    assert (c.get("activities").before, c.get("handovers").before) == (steps, handovers)
    assert c.get("paper_handovers").before == m["domain"]["paper_handovers"] == 1
    assert c.get("handovers").after == handovers
    assert c.get("handovers_per_case").before == c.get("handovers_per_case").after == handovers


def test_simulate_prints_the_handovers_and_every_pool():
    out = CliRunner().invoke(main, ["simulate", str(COLLAB), "--cases", "20",
                                    "--replications", "2"])
    assert out.exit_code == 0, out.output
    assert "hand-overs between pools" in out.output
    for lane in ("Petugas Kelurahan", "Camat", "Petugas Dinas"):
        assert lane in out.output
    assert "pool Pemohon is a black box" in out.output


def test_compare_on_single_pools_has_no_handover_rows():
    single = load(Path(__file__).resolve().parents[2] / "processes" / "cuti-asn.bpmn")
    assert not single.is_collaboration
    c = compare(single, single, None, 20, 2, 7)
    assert all(x.key not in ("handovers", "paper_handovers") for x in c.metrics)
