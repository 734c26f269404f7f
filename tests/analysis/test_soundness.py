"""Soundness by token game: each violation kind, counterexample paths and the budget."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpengine import BpengineError, load
from bpengine.analysis import soundness

from ..conftest import shared_path


def _kinds(report):
    return {(v.kind, v.element) for v in report.violations}


def test_xor_split_joined_by_and_deadlocks(procedure):
    steps = {
        "s": ("start", "", None),
        "x": ("xor", "", None),
        "a": ("task", "A", None),
        "b": ("task", "B", None),
        "j": ("and", "", None),
        "e": ("end", "", None),
    }
    r = soundness(load(procedure(steps, ["s>x", "x>a", "x>b", "a>j", "b>j", "j>e"])))
    assert not r.sound
    assert r.complete
    dead = [v for v in r.violations if v.kind == "deadlock"]
    assert [v.element for v in dead] == ["j"]
    assert dead[0].path in (("s", "x", "a"), ("s", "x", "b"))
    assert ("dead-element", "e") in _kinds(r)


def test_and_split_merged_by_xor_lacks_synchronisation(procedure):
    steps = {
        "s": ("start", "", None),
        "p": ("and", "", None),
        "a": ("task", "A", None),
        "b": ("task", "B", None),
        "m": ("xor", "", None),
        "t": ("task", "T", None),
        "e": ("end", "", None),
    }
    r = soundness(load(procedure(steps, ["s>p", "p>a", "p>b", "a>m", "b>m", "m>t", "t>e"])))
    v = next(v for v in r.violations if v.kind == "lack-of-synchronisation")
    assert v.element == "m"
    assert v.path[:2] == ("s", "p")
    assert v.path.count("m") == 2


def test_loop_without_exit_has_no_option_to_complete(procedure):
    steps = {
        "s": ("start", "", None),
        "j": ("xor", "", None),
        "a": ("task", "A", None),
        "e": ("end", "", None),
    }
    r = soundness(load(procedure(steps, ["s>j", "j>a", "a>j"])))
    kinds = {v.kind for v in r.violations}
    assert "no-option-to-complete" in kinds
    steps["t"] = ("task", "never", None)
    r = soundness(load(procedure(steps, ["s>j", "j>a", "a>j", "t>e"])))
    assert {("dead-element", "t"), ("dead-element", "e")} <= _kinds(r)


def test_end_reached_with_token_stuck_is_improper_completion(procedure):
    steps = {
        "s": ("start", "", None),
        "p": ("and", "", None),
        "e1": ("end", "", None),
        "x": ("xor", "", None),
        "a": ("task", "A", None),
        "j": ("and", "", None),
        "b": ("task", "B", None),
        "e2": ("end", "", None),
    }
    flows = ["s>p", "p>e1", "p>x", "x>a", "x>b", "a>j", "b>j", "j>e2"]
    r = soundness(load(procedure(steps, flows)))
    assert any(
        v.kind in ("improper-completion", "deadlock") and v.element == "j" for v in r.violations
    )
    assert any(v.kind == "improper-completion" for v in r.violations)


def test_sound_models(domisili_model, procedure):
    r = soundness(domisili_model)
    assert r.sound
    assert r.complete
    assert r.violations == ()
    steps = {
        "s": ("start", "", None),
        "p": ("and", "", None),
        "a": ("task", "A", None),
        "b": ("task", "B", None),
        "j": ("and", "", None),
        "e": ("end", "", None),
        "o": ("or", "", None),
        "c": ("task", "C", None),
        "d": ("task", "D", None),
        "oj": ("or", "", None),
    }
    flows = ["s>p", "p>a", "p>b", "a>j", "b>j", "j>o", "o>c", "o>d", "c>oj", "d>oj", "oj>e"]
    assert soundness(load(procedure(steps, flows))).sound


def test_budget_gives_incomplete_result_not_a_hang(procedure):
    steps = {
        "s": ("start", "", None),
        "p": ("and", "", None),
        "j": ("and", "", None),
        "e": ("end", "", None),
    }
    flows = ["s>p", "j>e"]
    for b in range(6):  # 6 parallel branches of 5 steps: 6^6 interleavings
        prev = "p"
        for k in range(5):
            steps[f"t{b}{k}"] = ("task", f"T{b}{k}", None)
            flows.append(f"{prev}>t{b}{k}")
            prev = f"t{b}{k}"
        flows.append(f"{prev}>j")
    model = load(procedure(steps, flows))
    r = soundness(model, max_states=2000)
    # stopped at the budget, not after the 6^6 interleavings: the budget is checked before each
    # state is expanded, so it overshoots by at most one state's successors (one per branch)
    assert 2000 <= r.states <= 2000 + 6
    assert not r.complete
    assert not r.sound
    assert "result incomplete" in str(r)
    assert r.to_dict()["complete"] is False
    with pytest.raises(BpengineError, match="max-states"):
        soundness(model, max_states=0)


def test_agency_sized_model_is_fast(procedure):
    steps, flows, prev = {"s": ("start", "", "L0")}, [], "s"
    for i in range(150):  # 150 checks, each with a reject branch to one end
        steps[f"c{i}"] = ("task", f"Periksa {i}", f"L{i % 7}")
        steps[f"g{i}"] = ("xor", "", f"L{i % 7}")
        flows += [f"{prev}>c{i}", f"c{i}>g{i}", (f"g{i}>x", "tidak")]
        prev = f"g{i}"
    steps["e"], steps["x"] = ("end", "", "L0"), ("end", "", "L0")
    flows.append(f"{prev}>e")
    model = load(procedure(steps, flows))
    r = soundness(model)
    assert r.sound
    # sequential checks explore one state per marking along the chain: linear in the model,
    # far inside the default budget, so an agency-sized model is answered completely
    assert r.complete
    assert r.states <= 2 * len(model.elements)


def test_corpus_counterexample_paths_follow_flows():
    model = load(shared_path("corpus", "miwg", "B.2.0.bpmn"))
    r = soundness(model)
    assert r.complete
    for v in r.violations:
        for a, b in zip(v.path, v.path[1:], strict=False):
            assert b in model.graph.successors(a) or model.elements[b].attached_to == a, (a, b)


def test_compensation_boundary_is_not_a_way_out():
    # MIWG C.6.0: a service task with a compensation boundary event before an AND join
    model = load(shared_path("corpus", "miwg", "C.6.0.bpmn"))
    assert soundness(model).sound


REMINDER = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<process id="p"><startEvent id="s"/><userTask id="verify" name="Verifikasi"/>
<boundaryEvent id="late" attachedToRef="verify" cancelActivity="false">
  <timerEventDefinition><timeDuration>P3D</timeDuration></timerEventDefinition></boundaryEvent>
<userTask id="remind" name="Tegur petugas"/><exclusiveGateway id="ok"/>
<userTask id="fix" name="Lengkapi berkas"/><userTask id="issue" name="Terbitkan"/>
<endEvent id="e"/>{tail}
<sequenceFlow id="f1" sourceRef="s" targetRef="verify"/>
<sequenceFlow id="f2" sourceRef="verify" targetRef="ok"/>
<sequenceFlow id="f3" sourceRef="ok" targetRef="fix"/>
<sequenceFlow id="f4" sourceRef="fix" targetRef="verify"/>
<sequenceFlow id="f5" sourceRef="ok" targetRef="issue"/>
<sequenceFlow id="f6" sourceRef="issue" targetRef="e"/>
<sequenceFlow id="f7" sourceRef="late" targetRef="remind"/>{flow}
</process></definitions>"""


def test_a_reminder_that_fires_every_rework_round_is_sound():
    """A non-interrupting timer whose path ends on its own is a thread of its own."""
    model = load(
        REMINDER.format(
            tail='<endEvent id="e2"/>',
            flow='<sequenceFlow id="f8" sourceRef="remind" targetRef="e2"/>',
        ).encode()
    )
    report = soundness(model)
    assert report.complete, report.violations
    assert report.sound, report.violations


def test_a_reminder_that_rejoins_the_flow_lacks_synchronisation():
    model = load(
        REMINDER.format(
            tail="", flow='<sequenceFlow id="f8" sourceRef="remind" targetRef="issue"/>'
        ).encode()
    )
    assert ("lack-of-synchronisation", "issue") in _kinds(soundness(model))


HOSTILE = Path(__file__).parents[1] / "data" / "hostile"


def test_a_loop_of_gateways_only_is_a_livelock_naming_the_gateways():
    """Issue #16: the token game sees a way out (the condition may hold), so only the graph
    check finds that nothing inside the loop can ever make it hold."""
    from bpengine.analysis.soundness import gateway_loops

    model = load(HOSTILE / "livelock" / "gateway-loop.bpmn")
    assert gateway_loops(model) == [["G_cek", "G_ulang"]]
    r = soundness(model)
    [v] = [v for v in r.violations if v.kind == "livelock"]
    assert not r.sound
    assert v.element == "G_cek"
    assert v.path == ("G_cek", "G_ulang")
    assert "'Skor cukup?', 'Ulang?'" in v.message
    assert "no task or catch event" in v.message
    assert "livelock" in str(r)


def test_a_loop_through_a_task_or_a_catch_event_is_no_livelock(procedure):
    steps = {
        "s": ("start", "", None),
        "j": ("xor", "", None),
        "a": ("task", "A", None),
        "x": ("xor", "", None),
        "e": ("end", "", None),
    }
    r = soundness(load(procedure(steps, ["s>j", "j>a", "a>x", "x>j", "x>e"])))
    assert not [v for v in r.violations if v.kind == "livelock"]


def test_the_corpus_looping_inclusive_gateways_are_reported():
    model = load(
        shared_path(
            "corpus",
            "exec",
            "camunda-platform__bpmn__gateway__"
            "InclusiveGatewayTest.testLoopingInclusiveGateways.bpmn",
        )
    )
    kinds = [(v.kind, v.path) for v in soundness(model).violations if v.kind == "livelock"]
    assert kinds == [
        (
            "livelock",
            ("inclusiveGw1", "inclusiveGw2", "inclusiveGw3", "inclusiveGw4", "inclusiveGw5"),
        )
    ]
