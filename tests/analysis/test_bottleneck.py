"""bottleneck: the busiest lane, a lane of the same pool that can lend a person, Erlang C."""

from __future__ import annotations

import math

import pytest

from bpengine import analyze, load, load_scenario
from bpengine.analysis.bottleneck import lane_utilisation
from bpengine.analysis.estimates import erlang_c_wait

from ..conftest import PROCESSES


def test_erlang_c_matches_the_m_m_1_and_m_m_2_formulas():
    lam, mu = 0.5, 1.0
    assert erlang_c_wait(lam, 1 / mu, 1) == pytest.approx(lam / (mu * (mu - lam)))
    rho = lam / (2 * mu)  # M/M/2: Wq = rho^2 / (lam * (1 - rho^2)) ... via P0
    p0 = 1 / (1 + 2 * rho + (2 * rho) ** 2 / (2 * (1 - rho)))
    lq = p0 * (lam / mu) ** 2 * rho / (2 * (1 - rho) ** 2)
    assert erlang_c_wait(lam, 1 / mu, 2) == pytest.approx(lq / lam)
    assert math.isinf(erlang_c_wait(3.0, 1.0, 2))


def _scenario(staff):
    return {
        "calendar": {"hours": "always"},
        "arrivals": {"interarrival": {"distribution": "exponential", "mean": "60 min"}},
        "tasks": {"a": "50 min", "b": "10 min", "c": "10 min"},
        "lanes": {"Loket": {"staff": staff}, "Arsip": {"staff": 3}, "Pemohon": {"staff": 1000}},
    }


def test_a_busy_lane_borrows_from_a_lane_with_time_to_spare(procedure):
    steps = {
        "s": ("start", "", "Pemohon"),
        "a": ("task", "Periksa berkas", "Loket"),
        "b": ("task", "Arsipkan", "Arsip"),
        "c": ("task", "Ambil surat", "Pemohon"),
        "e": ("end", "", "Pemohon"),
    }
    model = load(procedure(steps, ["s>a", "a>b", "b>c", "c>e"]))
    busy = load_scenario(_scenario(1), model=model)
    lanes = lane_utilisation(model, busy)
    assert lanes["Loket"]["utilisation"] == pytest.approx(50 / 60)
    found = [f for f in analyze(model, scenario=busy) if f.rule == "bottleneck"]
    assert len(found) == 1
    assert found[0].suggestion == "move-staff"
    assert found[0].elements == ("a",)
    assert found[0].targets == ("b",)
    assert found[0].saving.working_days > 0
    # enough people at the counter: nothing to fix
    calm = load_scenario(_scenario(3), model=model)
    assert not [f for f in analyze(model, scenario=calm) if f.rule == "bottleneck"]
    # and no scenario: no utilisation, no finding
    assert not [f for f in analyze(model) if f.rule == "bottleneck"]


@pytest.mark.parametrize(
    ("name", "busy"),
    [
        # simulate measures 46% for the Bendahara, 41% for the PPK (the PPK came first while
        # the loop behind "SPJ lengkap?" was taken by those found complete, 75%)
        ("perjalanan-dinas", "Bendahara Pengeluaran"),
        ("disposisi-surat-masuk", "Sekretaris Dinas"),
        ("izin-usaha-sebelum-oss", "Tim Teknis"),
    ],
)
def test_found_on_shipped_processes(name, busy):
    model = load(PROCESSES / f"{name}.bpmn")
    found = analyze(model, scenario=PROCESSES / f"{name}.scenario.yaml", rules=["bottleneck"])
    assert [f.lanes[0] for f in found] == [busy]
