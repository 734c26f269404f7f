"""On a collaboration, analyze, simulate and compare count the same steps and hand-overs."""

import csv
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpengine import compare, load, simulate
from bpengine.analysis.metrics import metrics
from bpengine.cli import main

COLLAB = Path(__file__).resolve().parents[1] / "data" / "collab" / "tiga-instansi.bpmn"


def test_the_three_commands_agree_on_steps_and_handovers():
    model = load(COLLAB)
    m = metrics(model)
    steps, handovers = m.size["activities"], m.domain["handovers"]
    assert (steps, handovers) == (7, 2)

    result = simulate(model, scenario=None, cases=30, replications=2, warmup=0)
    per_case = Counter(row["case"] for row in result.event_log)
    assert set(per_case.values()) == {steps}  # every pool's steps, once each, in every case
    sent = Counter(row["case"] for row in result.handovers)
    assert set(sent.values()) == {handovers}
    assert set(sent) == set(per_case)
    assert sum(t["executions_per_case"] for t in result.tasks) == steps

    c = compare(model, model, scenario=None, cases=30, replications=2, seed=7)
    assert (c.get("activities").before, c.get("handovers").before) == (steps, handovers)
    assert c.get("paper_handovers").before == m.domain["paper_handovers"] == 1
    assert c.get("handovers").after == handovers
    assert c.get("handovers_per_case").before == c.get("handovers_per_case").after == handovers


def test_simulate_prints_the_handovers_and_every_pool():
    out = CliRunner().invoke(
        main, ["simulate", str(COLLAB), "--cases", "20", "--replications", "2"]
    )
    assert out.exit_code == 0, out.output
    assert "hand-overs between pools" in out.output
    for lane in ("Petugas Kelurahan", "Camat", "Petugas Dinas"):
        assert lane in out.output
    assert "pool Pemohon is a black box" in out.output


def test_compare_on_single_pools_has_no_handover_rows():
    single = load(Path(__file__).resolve().parents[2] / "processes" / "cuti-asn.bpmn")
    assert not single.is_collaboration
    c = compare(single, single, scenario=None, cases=20, replications=2, seed=7)
    assert all(x.key not in ("handovers", "paper_handovers") for x in c.metrics)


SHIPPED = [
    p
    for p in sorted((Path(__file__).resolve().parents[2] / "processes").glob("*.bpmn"))
    if load(p).is_collaboration
]


def test_two_shipped_procedures_are_collaborations():
    assert {p.name for p in SHIPPED} >= {"izin-usaha-sebelum-oss.bpmn", "pbg.bpmn"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_pool_is_in_the_log_and_the_counts_agree(path, tmp_path):
    model = load(path)
    log = tmp_path / "log.csv"
    out = CliRunner().invoke(
        main, ["simulate", str(path), "--cases", "40", "--replications", "2", "--log", str(log)]
    )
    assert out.exit_code == 0, out.output
    with log.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    logged = {r["activity"] for r in rows}
    for pool in model.pools.values():
        steps = {
            e.id for e in model.elements.values() if e.process == pool.process and e.is_activity
        }
        assert steps & logged, f"no step of pool {pool.name} in the log"
    m = metrics(model)
    c = compare(model, model, scenario=None, cases=30, replications=2, seed=7)
    assert c.get("activities").before == m.size["activities"]
    assert c.get("handovers").before == m.domain["handovers"] == len(model.case_handovers)
    result = simulate(model, scenario=None, cases=30, replications=2, warmup=0)
    per_case = Counter(r["case"] for r in result.handovers)
    # every hand-over a case passes is one the model counts (rework can repeat none here)
    assert max(per_case.values()) <= m.domain["handovers"]
    assert {r["flow"] for r in result.handovers} <= {h.flow for h in model.case_handovers}
