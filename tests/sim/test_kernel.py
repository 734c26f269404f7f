"""Token semantics of the simulator: what one case does, and what office hours do to it."""

import gc
import math
from pathlib import Path

import numpy as np
import pytest

from bpengine import ModelError, ScenarioError, load, load_scenario, simulate
from bpengine.sim import trace
from bpengine.sim.kernel import Replication
from bpengine.sim.net import compile_net
from tests.conftest import PROCESSES

DATA = Path(__file__).resolve().parents[1] / "data" / "sim"


def runs(res):
    return {t["id"]: t["executions_per_case"] for t in res.tasks}


def test_sequence_and_lanes():
    assert trace(DATA / "sequence.bpmn") == ["A", "B"]


def test_exclusive_choice_by_probability_and_by_data():
    res = simulate(
        DATA / "rework.bpmn",
        scenario={"gateways": {"G": {"f_ok": 0.75, "f_back": 0.25}}},
        cases=4000,
        replications=2,
        seed=2,
    )
    assert runs(res)["A"] == pytest.approx(1 / 0.75, rel=0.03)  # geometric rework loop
    assert trace(DATA / "rework.bpmn", {"lengkap": True}) == ["A", "B"]


def test_data_that_loops_forever_stops_with_a_clear_message():
    with pytest.raises(ScenarioError, match="has not ended after .* steps .*loops without end"):
        simulate(
            DATA / "rework.bpmn",
            scenario={"data": {"lengkap": {"choice": {False: 1.0}}}},
            cases=5,
            replications=1,
        )


def test_parallel_join_and_inclusive_gateway():
    assert trace(DATA / "parallel.bpmn", {"luas": 50}) == ["A", "B", "C", "F"]
    assert trace(DATA / "parallel.bpmn", {"luas": 500}) == ["A", "B", "D", "F"]
    res = simulate(
        DATA / "parallel.bpmn",
        scenario={"gateways": {"O1": {"f_c": 1.0, "f_d": 1.0}}},
        cases=300,
        replications=1,
    )
    # both inclusive branches run, and the inclusive join waits for both: F once per case
    assert runs(res) == {"A": 1.0, "B": 1.0, "C": 1.0, "D": 1.0, "F": 1.0}


def test_inclusive_gateway_with_ungenerated_data_falls_back_with_a_note():
    res = simulate(DATA / "parallel.bpmn", scenario=None, cases=500, replications=1)
    assert runs(res)["F"] == 1.0
    assert any("luas" in note for note in res.notes)


def test_boundary_timer_escalates_and_subprocess_runs():
    assert trace(DATA / "escalation.bpmn") == ["Sub_A", "Sub_B", "A"]
    # the approval takes 3 h, its 2 h timer interrupts it and escalates
    assert trace(DATA / "escalation.bpmn", scenario={"tasks": {"A": "3 h"}}) == [
        "Sub_A",
        "Sub_B",
        "A",
        "T_esc",
    ]
    # the subprocess outlasts its 10-day timer: it is cancelled, lateness is recorded
    slow = {"tasks": {"Sub_A": "5 working days", "Sub_B": "4 working days"}}
    assert trace(DATA / "escalation.bpmn", scenario=slow) == ["Sub_A", "Sub_B", "T_late"]


def test_batching_waits_for_the_signing_hour():
    sc = {
        "tasks": {"A": "5 min", "B": {"duration": "5 min", "batch": {"at": ["14:00"]}}},
        "arrivals": {"interarrival": "1 h"},
    }
    res = simulate(DATA / "sequence.bpmn", scenario=sc, cases=300, replications=1, seed=4)
    log = [row for row in res.event_log if row["activity"] == "B"]
    assert log
    assert all(row["start"].strftime("%H:%M") >= "14:00" for row in log)
    assert res["batching_hours"].mean > 0.5


def test_batch_by_size():
    sc = {
        "tasks": {"A": "5 min", "B": {"duration": "1 min", "batch": {"size": 5}}},
        "calendar": {"hours": "always"},
        "arrivals": {"interarrival": "10 min"},
    }
    res = simulate(DATA / "sequence.bpmn", scenario=sc, cases=100, replications=1, warmup=0)
    starts = sorted({row["start"] for row in res.event_log if row["activity"] == "B"})
    b_rows = [row for row in res.event_log if row["activity"] == "B"]
    enabled_groups = {row["start"] - row["enabled"] for row in b_rows}
    assert len(b_rows) == 100
    assert len(enabled_groups) > 1
    assert starts


def test_work_pauses_at_closing_and_resumes_next_working_day():
    sc = {
        "tasks": {"A": "2 h", "B": "1 min"},
        "start": "2025-01-09 15:00",
        "arrivals": {"interarrival": "100 h"},
    }
    res = simulate(DATA / "sequence.bpmn", scenario=sc, cases=1, replications=1, warmup=0)
    a = next(row for row in res.event_log if row["activity"] == "A")
    # Thursday 15:00 + 1 h; Friday 07:30 + 1 h
    assert a["start"].isoformat() == "2025-01-09T15:00:00"
    assert a["end"].isoformat() == "2025-01-10T08:30:00"


def test_queueing_fifo_per_lane():
    sc = {
        "tasks": {"A": "1 h", "B": "1 min"},
        "calendar": {"hours": "always"},
        "arrivals": {"interarrival": "10 min", "calendar": "always"},
    }
    res = simulate(DATA / "sequence.bpmn", scenario=sc, cases=20, replications=1, warmup=0)
    a = [row for row in res.event_log if row["activity"] == "A"]
    assert [row["case"] for row in sorted(a, key=lambda r: r["start"])] == list(range(20))
    assert res["queueing_hours"].mean > 1


def test_deadlock_is_reported_with_the_join():
    with pytest.raises(ModelError, match="never finished.*'J'"):
        simulate(DATA / "deadlock.bpmn", scenario=None, cases=5, replications=1)


def test_call_activity_runs_the_called_process_in_place():
    caller = DATA / "call" / "permohonan.bpmn"
    assert trace(caller) == ["A", "Call_verifikasi/V1", "Call_verifikasi/V2", "B"]
    # the scenario may time the called process's tasks and staff its lanes
    slow = {"tasks": {"V2": "6 working days"}, "lanes": {"Verifikator": {"staff": 2}}}
    assert trace(caller, scenario=slow) == [
        "A",
        "Call_verifikasi/V1",
        "Call_verifikasi/V2",
        "T_late",
    ]
    res = simulate(caller, scenario=slow, cases=50, replications=1)
    lanes = {lane["lane"]: lane["staff"] for lane in res.lanes}
    assert lanes == {"Staf": 1, "Verifikator": 2}


def test_every_corpus_model_simulates_or_fails_clearly():
    from bpengine import BpengineError, load
    from tests.conftest import corpus_files

    files = corpus_files()
    if not files:
        pytest.skip("../shared/corpus not found")
    ran = 0
    for path in files:
        try:
            model = load(path)
        except BpengineError:
            continue
        try:
            simulate(model, scenario=None, cases=10, replications=1)
            ran += 1
        except BpengineError as exc:  # a clear message naming the element, never a crash
            assert str(exc).startswith(str(path)), exc
    assert ran >= 0.9 * len(files)


def test_multi_instance_and_repeat():
    multi = DATA / "multi.bpmn"
    # loopCardinality 3 in parallel, then 2 one after the other
    assert trace(multi) == ["P", "P", "P", "Q", "Q"]
    assert trace(multi, scenario={"tasks": {"P": {"instances": 5}}}).count("P") == 5
    sc = {
        "tasks": {
            "P": {"instances": {"distribution": "uniform", "low": 1, "high": 5}},
            "Q": {"repeat": 0.5},
        }
    }
    res = simulate(multi, scenario=sc, cases=3000, replications=1, seed=8)
    assert runs(res)["P"] == pytest.approx(3, rel=0.03)
    assert runs(res)["Q"] == pytest.approx(3, rel=0.05)  # 2 + a geometric extra of mean 1
    res = simulate(
        DATA / "sequence.bpmn",
        scenario={"tasks": {"A": {"repeat": 0.25}}},
        cases=3000,
        replications=1,
        seed=8,
    )
    assert runs(res)["A"] == pytest.approx(1 / 0.75, rel=0.03)


def test_timer_in_working_days_runs_on_office_time():
    # a 1-working-day escalation on a 10-hour approval started Monday 07:30: in office time
    # it fires Tuesday 07:30 (A still running), whereas 7.5 calendar hours would fire Monday
    sc = {"tasks": {"A": "10 h"}, "events": {"Timer_A": "1 working day"}}
    rows = [
        r
        for r in simulate(
            DATA / "escalation.bpmn", scenario=sc, cases=1, replications=1, warmup=0
        ).event_log
        if r["activity"] == "T_esc"
    ]
    assert rows
    assert rows[0]["enabled"].isoformat() >= "2025-01-07T07:30"


def test_system_steps_and_steps_on_no_lane_take_no_staff():
    # a fixed 5-minute intake every 10 minutes; the service task and the step on no lane
    # take an hour each: behind one clerk they would queue without end
    sc = {
        "tasks": {"A": "5 min", "V": "1 h", "N": "1 h"},
        "calendar": {"hours": "always"},
        "arrivals": {"interarrival": "10 min", "calendar": "always"},
    }
    res = simulate(DATA / "system.bpmn", scenario=sc, cases=200, replications=2, warmup=0)
    assert res["queueing_hours"].mean == 0
    assert not res.warnings
    lanes = {lane["lane"]: lane for lane in res.lanes}
    assert lanes["(system)"]["staff"] is None
    assert lanes["(system)"]["unlimited"]
    assert lanes["(no lane)"]["staff"] is None
    assert lanes["(system)"]["utilisation"] is None
    assert lanes["Petugas"]["staff"] == 1
    assert lanes["Petugas"]["offered_load"] == pytest.approx(0.5, rel=0.02)
    assert res["cycle_time_calendar_days"].mean * 24 == pytest.approx(2 + 5 / 60)
    log = [row for row in res.event_log if row["activity"] == "V"]
    assert {row["resource"] for row in log} == {"(system)"}


def test_a_system_works_around_the_clock_and_a_step_on_no_lane_in_office_hours():
    sc = {
        "tasks": {"A": "5 min", "V": "1 h", "N": "1 h"},
        "start": "2025-01-09 15:50",
        "arrivals": {"interarrival": "100 h"},
    }
    rows = {
        row["activity"]: row
        for row in simulate(
            DATA / "system.bpmn", scenario=sc, cases=1, replications=1, warmup=0
        ).event_log
    }
    assert rows["V"]["start"].isoformat() == "2025-01-09T15:55:00"
    assert rows["V"]["end"].isoformat() == "2025-01-09T16:55:00"  # after closing time
    assert rows["N"]["start"].isoformat() == "2025-01-10T07:30:00"  # the office's hours


def test_a_scenario_may_still_give_a_system_step_to_a_lane():
    from bpengine import load
    from bpengine.scenario import load_scenario

    model = load(DATA / "system.bpmn")
    sc = load_scenario({"tasks": {"V": "1 h"}}, model=model)
    sc.assignments["V"] = "Petugas"  # what a Prosimos resource pool does
    res = simulate(model, scenario=sc, cases=20, replications=1, warmup=0)
    assert {lane["lane"] for lane in res.lanes} == {"Petugas", "(no lane)"}


# -- event-based gateways: the first event to happen wins ------------------------------
PROSIMOS = Path(__file__).resolve().parents[1] / "data" / "prosimos"


def _race(scenario, cases=3000):
    """Share of cases whose reply came before the two-day deadline, and the mean wait
    (hours) from the offer sent to the reply or deadline, from the event log."""
    res = simulate(
        PROSIMOS / "reminder.bpmn", scenario=scenario, cases=cases, replications=1, seed=5
    )
    sent, waited = {}, {}
    for r in res.event_log:
        if r["activity"] == "T_offer":
            sent[r["case"]] = r["end"]
        else:
            waited[r["case"]] = (r["activity"], r["enabled"])
    replies = sum(a == "T_accept" for a, _ in waited.values()) / len(waited)
    wait = sum((e - sent[c]).total_seconds() for c, (_, e) in waited.items()) / len(waited)
    return replies, wait / 3600, res


def test_an_event_based_gateway_goes_to_the_event_that_happens_first():
    # reply ~ exponential, mean 24 h, against a deadline of 48 h (the model's P2D timer):
    # the reply wins with chance 1 - e^-2, and the case waits min(reply, 48 h), whose mean
    # is 24 (1 - e^-2) = 20.75 h
    yaml = {
        "calendar": {"hours": "always", "holidays": []},
        "arrivals": {"interarrival": "2 h", "calendar": "always"},
        "events": {"E_reply": {"distribution": "exponential", "mean": "24 h"}},
    }
    replies, wait, _ = _race(yaml)
    assert replies == pytest.approx(1 - math.exp(-2), abs=0.02)
    assert wait == pytest.approx(24 * (1 - math.exp(-2)), rel=0.05)
    # probabilities given for the gateway decide instead, as for an exclusive gateway
    replies, _, _ = _race({**yaml, "gateways": {"G_wait": {"F_reply": 0.5, "F_deadline": 0.5}}})
    assert replies == pytest.approx(0.5, abs=0.03)


def test_prosimos_races_the_events_and_redraws_the_winner():
    # Prosimos 2.1.0 decides by the race (event_distribution: reply ~ expon mean 1 day,
    # deadline fixed 2 days) but the winning event then waits a fresh draw of its own
    # duration: mean wait (1 - e^-2) 24 + e^-2 48 = 27.25 h, not 20.75 h
    replies, wait, res = _race(PROSIMOS / "reminder.json")
    assert replies == pytest.approx(1 - math.exp(-2), abs=0.02)
    assert wait == pytest.approx((1 - math.exp(-2)) * 24 + math.exp(-2) * 48, rel=0.05)
    assert not res.notes


def test_prosimos_splits_ask_for_people_in_random_order():
    # claims: after the parallel split, assessing (only Senior may) and pricing (Senior or
    # a Junior, whoever has been free longest) ask for people. In the model's order Senior
    # takes the assessment first (he prices only a case whose pricing queued while he
    # was busy); Prosimos shuffles the two, so pricing often gets Senior first (about 4-5%
    # of pricings in Prosimos 2.1.0's own runs)
    from bpengine import load, load_scenario

    model = load(PROSIMOS / "claims.bpmn")
    sc = load_scenario(PROSIMOS / "claims.json", model=model)
    assert sc.split_order == "random"

    def senior_prices(order):
        sc.split_order = order
        res = simulate(model, scenario=sc, cases=1500, replications=1, warmup=0, seed=4)
        prices = [r for r in res.event_log if r["activity"] == "T_price"]
        return sum(r["resource"] == "Senior" for r in prices) / len(prices)

    in_order, shuffled = senior_prices("flows"), senior_prices("random")
    assert in_order < 0.005
    assert 0.02 < shuffled < 0.1, shuffled


@pytest.mark.parametrize("model", ["permit", "rework"])
def test_the_direct_path_for_plain_tasks_changes_nothing(model):
    # Plain tasks in head-count lanes skip the work item (_spawn_direct, _finish_direct);
    # turned off, every task takes the general path: the two runs must agree to the bit,
    # row for row and figure for figure (queues included: staff are short in both)
    import numpy as np

    from bpengine import load, load_scenario
    from bpengine.sim.kernel import Replication
    from bpengine.sim.net import compile_net
    from tests.conftest import shared_path

    if model == "permit":
        m = load(shared_path("bench", "permit.bpmn"))
        sc = load_scenario(shared_path("bench", "permit.json"), model=m)
    else:
        m = load(DATA / "rework.bpmn")
        sc = load_scenario(
            {
                "gateways": {"G": {"f_ok": 0.7, "f_back": 0.3}},
                "arrivals": {"interarrival": "9 min"},
                "tasks": {"A": "8 min", "B": "5 min"},
            },
            model=m,
        )
    net = compile_net(m, sc)

    def run(direct):
        rep = Replication(net, sc, m, 1500, 100, np.random.SeedSequence(3), keep_log=True)
        if not direct:
            rep.plain = [min(p, 1) for p in rep.plain]
        return rep, rep.run()

    fast, fast_stats = run(True)
    slow, slow_stats = run(False)
    assert 2 in fast.plain
    assert 2 not in slow.plain
    assert fast.rows == slow.rows
    assert any(row[6] > row[4] for row in fast.rows)  # some waited in a queue
    assert [ln.busy for ln in fast.lanes] == [ln.busy for ln in slow.lanes]
    for name, value in vars(fast_stats).items():
        other = vars(slow_stats)[name]
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, other, equal_nan=True), name
        else:
            assert value == other, name


def test_a_finished_replication_leaves_no_cycles_for_the_collector():
    """Its cases go by reference counting once it is dropped, not by a collector pass."""
    model = load(PROCESSES / "pbg.bpmn")
    scenario = load_scenario(None, model=model)
    net = compile_net(model, scenario)
    gc.collect()
    collecting = gc.isenabled()
    gc.disable()
    try:
        stats = Replication(net, scenario, model, 300, 0, np.random.SeedSequence(1)).run()
        assert len(stats.case_done) == 300
        # before the cut each case and its top scope (and their dicts and sets) were a cycle
        assert gc.collect() < 30
    finally:
        if collecting:
            gc.enable()
