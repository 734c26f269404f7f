"""The SpiffWorkflow adapter: same behaviour as SpiffWorkflow where it is right, constant
cost per step, no depth limit, our evaluator and clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from bpengine import BpengineError, Engine, ExpressionError, ModelError, load
from bpengine.engine.runtime import (
    MAX_GATEWAY_PASSES,
    Runtime,
    dump_spec,
    load_spec,
    open_tasks,
    predict_next,
)
from bpengine.model.spiff import build_specs


def _linear(n: int) -> bytes:
    tasks = "".join(f'<userTask id="T{i}" name="Langkah {i}"/>' for i in range(n))
    ids = ["S", *(f"T{i}" for i in range(n)), "E"]
    flows = "".join(
        f'<sequenceFlow id="F{i}" sourceRef="{a}" targetRef="{b}"/>'
        for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False))
    )
    return (
        f'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
        f'<process id="p{n}" isExecutable="true"><startEvent id="S"/>{tasks}'
        f'<endEvent id="E"/>{flows}</process></definitions>'
    ).encode()


def _raw_run(spec, subprocesses, limit=300, reverse=False):
    """Pure SpiffWorkflow: complete the first ready manual task (by id) until none is left."""
    workflow = BpmnWorkflow(spec, subprocesses)
    workflow.do_engine_steps()
    done = []
    for _ in range(limit):
        ready = sorted(
            workflow.get_tasks(state=TaskState.READY, manual=True),
            key=lambda t: t.task_spec.bpmn_id,
            reverse=reverse,
        )
        if not ready:
            break
        done.append(ready[0].task_spec.bpmn_id)
        ready[0].run()
        workflow.do_engine_steps()
    return done, workflow.is_completed()


def _our_run(spec, subprocesses, limit=300, reverse=False):
    """The same policy through our runtime, saving and restoring the state at every step."""
    runtime = Runtime(*load_spec(dump_spec(spec, subprocesses)))
    workflow = runtime.new({})
    runtime.advance(workflow)
    state, done = runtime.dump(workflow), []
    for _ in range(limit):
        workflow = runtime.restore(state)
        ready = sorted(
            (t for t in open_tasks(workflow) if t.kind == "user"),
            key=lambda t: t.element_id,
            reverse=reverse,
        )
        if not ready:
            break
        done.append(ready[0].element_id)
        task = runtime.find(workflow, ready[0].id)
        predict_next(task)
        task.run()
        runtime.advance(workflow)
        state = runtime.dump(workflow)
    return done, runtime.completed(workflow), workflow


CORPUS = [
    "exec/bpmnjs__nested-subprocesses.bpmn",
    "exec/camunda-examples__invoicePayment.bpmn",
    "exec/camunda-platform__bpmn__event__timer__BoundaryTimerNonInterruptingEventTest"
    ".testTimerOnConcurrentSubprocess.bpmn",
    "exec/camunda-platform__bpmn__gateway__InclusiveGatewayTest"
    ".testJoinAfterEventBasedGateway.bpmn",
    "exec/camunda-platform__bpmn__gateway__ParallelGatewayTest"
    ".testUnstructuredConcurrencyTwoJoins.bpmn",
    "exec/camunda-platform__bpmn__subprocess__transaction__TransactionSubProcessTest"
    ".testNestedCancelOuter.bpmn",
    "exec/camunda-platform__invoice__reviewInvoice.bpmn",
]


@pytest.mark.parametrize("name", CORPUS)
def test_pruned_runs_match_plain_spiffworkflow_on_third_party_models(shared_dir, name):
    # Regression: pruning once dropped a cancelled join arrival, so the second join of
    # testUnstructuredConcurrencyTwoJoins waited forever.
    model = load(shared_dir / "corpus" / name)
    spec, subprocesses = build_specs(model)
    expected = _raw_run(spec, subprocesses)
    done, completed, _ = _our_run(spec, subprocesses)
    assert (done, completed) == expected


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("name", ["inclusive.bpmn", "disposisi.bpmn"])
def test_pruned_runs_match_plain_spiffworkflow_on_joins_in_any_order(data_dir, name, reverse):
    # Regression: with predictions trimmed, an inclusive join fired before the longer
    # branch arrived (A1 done, A2 still to do) and the task after it ran twice.
    spec, subprocesses = build_specs(load(data_dir / name))
    expected = _raw_run(spec, subprocesses, reverse=reverse)
    done, completed, _ = _our_run(spec, subprocesses, reverse=reverse)
    assert (done, completed) == expected
    assert len(done) == len(set(done))


def test_step_cost_does_not_grow_with_the_process():
    sizes = {}
    for n in (20, 200):
        spec, subprocesses = build_specs(load(_linear(n)))
        done, completed, workflow = _our_run(spec, subprocesses, limit=n + 1)
        assert completed
        assert len(done) == n
        sizes[n] = len(workflow.tasks)
    # The tree the engine keeps (and saves) is the frontier, not the history.
    assert sizes[200] == sizes[20] <= 5


@pytest.mark.slow
def test_plain_spiffworkflow_loses_a_long_loop_and_we_do_not(data_dir):
    spec, subprocesses = build_specs(load(data_dir / "loop.bpmn"))
    workflow = BpmnWorkflow(spec, subprocesses)
    workflow.get_next_task(state=TaskState.READY).data.update({"n": 0, "limit": 5000})
    workflow.do_engine_steps()
    rounds = 0
    while ready := workflow.get_tasks(state=TaskState.READY, manual=True):
        rounds += 1
        ready[0].data["n"] = rounds
        ready[0].run()
        workflow.do_engine_steps()
    # SpiffWorkflow stops looking at depth 1,000: it finds no ready task and says completed,
    # although the loop had 5,000 rounds to go.
    assert rounds < 1000
    assert workflow.is_completed()
    assert any(t.state == TaskState.READY for t in workflow.tasks.values())
    # The engine runs the same model 2,000 rounds: tests/engine/test_engine.py.


def test_timer_values_are_iso_durations_on_the_engine_clock(data_dir, clock):
    engine = Engine(clock=clock)
    engine.deploy(data_dir / "cuti.bpmn")
    engine.start("cuti", {"hari": 1, "revisi": 0})
    engine.complete(engine.inbox()[0].id, {})
    [timer] = [t for t in engine.cases()[0].tasks if t.kind == "timer"]
    assert timer.due == clock.now + dt.timedelta(days=3)


def test_timer_durations_can_count_working_days(data_dir):
    from bpengine.scenario.calendar import Calendar

    friday = dt.datetime(2025, 1, 10, 2, 0, tzinfo=dt.timezone.utc)  # 09:00 WIB
    engine = Engine(clock=lambda: friday, calendar=Calendar.indonesia())
    engine.deploy(data_dir / "cuti.bpmn")
    engine.start("cuti", {"hari": 1, "revisi": 0})
    engine.complete(engine.inbox()[0].id, {})
    [timer] = [t for t in engine.cases()[0].tasks if t.kind == "timer"]
    # Three working days after Friday 09:00 is Wednesday 09:00, not Monday.
    assert timer.due == dt.datetime(2025, 1, 15, 2, 0, tzinfo=dt.timezone.utc)
    assert engine.tick(dt.datetime(2025, 1, 13, 3, 0, tzinfo=dt.timezone.utc)) == []
    assert len(engine.tick(timer.due + dt.timedelta(minutes=1))) == 1


def test_a_bad_timer_value_is_an_expression_error_naming_the_element(data_dir, tmp_path):
    bad = tmp_path / "cuti.bpmn"
    bad.write_text((data_dir / "cuti.bpmn").read_text().replace("P3D", "tiga hari"))
    engine = Engine()
    with pytest.raises(ModelError, match="B_sla.*this timer can never fire"):
        engine.deploy(bad)  # a literal that can never parse: refused before any case
    by_data = tmp_path / "cuti2.bpmn"
    by_data.write_text((data_dir / "cuti.bpmn").read_text().replace("P3D", "batas"))
    engine.deploy(by_data)
    engine.start("cuti", {"hari": 1, "revisi": 0, "batas": "tiga hari"})
    with pytest.raises(ExpressionError, match="B_sla"):
        engine.complete(engine.inbox()[0].id, {})
    case = engine.start("cuti", {"hari": 1, "revisi": 0, "batas": "P99999999999D"})
    with pytest.raises(ExpressionError, match="B_sla.*max_timer_days"):
        engine.complete(case.tasks[0].id, {})


def test_a_failing_gateway_condition_is_a_clear_error(data_dir):
    engine = Engine()
    engine.deploy(data_dir / "cuti.bpmn")
    engine.start("cuti", {"hari": 1, "revisi": 0})
    engine.complete(engine.inbox()[0].id, {})
    [approval] = engine.inbox(lane="Atasan Langsung")
    with pytest.raises(ExpressionError, match="'approved' is not in the case data"):
        engine.complete(approval.id, {})
    with pytest.raises(ExpressionError, match="G_ok.*TypeError"):
        engine.complete(approval.id, {"approved": False, "revisi": None})
    assert engine.inbox(lane="Atasan Langsung") == [approval]


def test_a_parallel_review_in_a_loop_sees_the_latest_round(data_dir, clock):
    # Plain SpiffWorkflow merges stale data from the previous round at the join (its Count
    # sees [1] in round 3 and the loop never ends); with the finished rounds pruned the
    # join only sees this round.
    engine = Engine(clock=clock)
    engine.deploy(data_dir / "mixed.bpmn")
    case = engine.start("campur", {"rounds": []})
    seen = []
    while True:
        ready = {t.element_id: t for t in engine.get(case.id).tasks if t.kind == "user"}
        if "Count" in ready:
            rounds = engine.get(case.id).data["rounds"]
            seen.append(len(rounds))
            engine.complete(ready["Count"].id, {"rounds": [*rounds, 1]})
        elif ready.keys() & {"R_a", "R_b1", "R_b2"}:
            engine.complete(ready[sorted(ready)[0]].id, {})
        else:
            break
    assert seen == [0, 1, 2]
    # The subprocess runs with a non-interrupting one-hour reminder on it.
    [sub_task] = engine.inbox()
    assert sub_task.element_id == "Sub_T1"
    assert engine.tick(clock.advance(hours=2)) == [case.id]
    assert sorted(t.element_id for t in engine.inbox()) == ["Remind", "Sub_T1"]
    for element in ("Remind", "Sub_T1", "Sub_T2", "Last"):
        [task] = [t for t in engine.inbox() if t.element_id == element]
        result = engine.complete(task.id, {})
    assert result.status == "completed"


GATEWAY_LOOP = Path(__file__).parents[1] / "data" / "hostile" / "livelock" / "gateway-loop.bpmn"


def test_a_case_caught_in_a_loop_of_gateways_is_stopped_naming_them():
    """Issue #16: without the count the case stayed running with no task and no error."""
    engine = Engine()
    engine.deploy(GATEWAY_LOOP)  # deployable: the loop is fine when its way out holds
    case = engine.start("gateway_loop", {})
    message = (
        f"loops through G_cek ('Skor cukup?'), G_ulang ('Ulang?') without reaching a "
        f"task (more than {MAX_GATEWAY_PASSES} gateway passes"
    )
    with pytest.raises(BpengineError) as caught:
        engine.complete(case.tasks[0].id, {"skor": 1})
    assert message in str(caught.value)
    after = engine.get(case.id)  # nothing saved: the task is still there to redo
    assert after.status == "running"
    assert [t.element_id for t in after.tasks] == ["T_isi"]
    assert engine.complete(case.tasks[0].id, {"skor": 9}).status == "completed"


def test_a_gateway_where_no_condition_holds_says_what_it_tested(data_dir):
    # QA (#16): SpiffWorkflow's "No conditions satisfied for G_lengkap" named neither the
    # conditions nor the missing default flow; nothing is saved and the task stays ready
    engine = Engine("sqlite://")
    engine.deploy(data_dir / "gateway-no-default.bpmn")
    case = engine.start("p", {})
    with pytest.raises(
        BpengineError,
        match=r"G_lengkap: no condition on its outgoing flows "
        r"holds for this case's data \(lengkap == True; lengkap == False\) and "
        r"it has no default flow",
    ):
        engine.complete(case.tasks[0].id, {"lengkap": "maybe"}, actor="x")
    assert engine.get(case.id).tasks[0].state == "ready"
    assert engine.complete(case.tasks[0].id, {"lengkap": False}, actor="x").status == "completed"


def test_a_spiffworkflow_error_reads_as_one_clean_line(data_dir):
    # SpiffWorkflow's __str__ appends ". " and its notes: the line must end with the message
    engine = Engine("sqlite://")
    definition = engine.deploy(load(data_dir / "data-input.bpmn"))
    with pytest.raises(BpengineError) as caught:
        engine.start(definition.key)
    assert str(caught.value) == "the engine could not continue: T: Missing data input"
