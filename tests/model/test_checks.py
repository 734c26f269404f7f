"""validate(): one test per problem the checks report."""

from __future__ import annotations

import pytest

from bpengine import ModelError, load, validate
from bpengine.model.graph import gateway_loops
from bpengine.model.spiff import build_specs
from tests.conftest import DATA, shared_path


def doc(body: str) -> bytes:
    return (
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
        f'targetNamespace="t"><process id="p" isExecutable="true">{body}</process>'
        "</definitions>"
    ).encode()


def codes(body: str) -> dict[str, str]:
    model, problems = validate(doc(body))
    assert model is not None
    return {p.code: (p.severity, p.element_id, p.message) for p in problems}


CHAIN = (
    '<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
    '<userTask id="t"/><sequenceFlow id="f2" sourceRef="t" targetRef="e"/><endEvent id="e"/>'
)


def test_clean_model_has_no_problems():
    assert codes(CHAIN) == {}


def test_no_start_event_is_an_error():
    sev, el, _ = codes('<userTask id="t"/>')["no-start"]
    assert (sev, el) == ("error", "p")


def test_loop_with_no_exit_is_an_error():
    body = CHAIN.replace('targetRef="e"/>', 'targetRef="u"/>') + (
        '<userTask id="u"/><sequenceFlow id="f3" sourceRef="u" targetRef="t"/>'
    )
    sev, el, msg = codes(body)["no-end"]
    assert sev == "error"
    assert el in ("t", "u")
    assert "never finish" in msg


def test_unreachable_element_is_a_warning():
    sev, el, _ = codes(
        CHAIN + '<userTask id="lost"/><sequenceFlow id="f9" sourceRef="lost" targetRef="e"/>'
    )["unreachable"]
    assert (sev, el) == ("warning", "lost")


def test_condition_on_flow_leaving_a_task_is_flagged():
    body = CHAIN.replace(
        '<sequenceFlow id="f2" sourceRef="t" targetRef="e"/>',
        '<sequenceFlow id="f2" sourceRef="t" targetRef="e">'
        "<conditionExpression>ok</conditionExpression></sequenceFlow>",
    )
    sev, el, msg = codes(body)["conditional-flow"]
    assert (sev, el) == ("warning", "f2")
    assert "ignored by the engine" in msg


def test_implicit_split_and_gateway_flow_without_condition():
    body = CHAIN + (
        '<sequenceFlow id="f3" sourceRef="t" targetRef="g"/><exclusiveGateway id="g"/>'
        '<sequenceFlow id="f4" sourceRef="g" targetRef="e"/>'
        '<sequenceFlow id="f5" sourceRef="g" targetRef="e"/>'
    )
    found = codes(body)
    assert found["implicit-split"][1] == "t"
    assert found["no-condition"][0] == "warning"


def test_link_events_are_flagged():
    body = (
        '<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="l"/>'
        '<intermediateThrowEvent id="l"><linkEventDefinition name="A"/>'
        "</intermediateThrowEvent>"
    )
    assert codes(body)["link-event"][1] == "l"


def test_unresolved_call_activity_is_flagged():
    body = CHAIN.replace('<userTask id="t"/>', '<callActivity id="t" calledElement="nowhere"/>')
    assert "'nowhere'" in codes(body)["unresolved-call"][2]


def test_schema_violations_name_line_and_element():
    bad = doc(CHAIN).replace(b'<userTask id="t"/>', b'<userTask id="t" bogus="1"/>')
    _, problems = validate(bad)
    xsd = [p for p in problems if p.code == "xsd"]
    assert xsd
    assert xsd[0].element_id == "t"
    assert xsd[0].line == 1
    assert "bogus" in xsd[0].message


def test_spiff_specs_are_built_from_the_same_parse():
    spec, subs = build_specs(load(doc(CHAIN)))
    assert "t" in spec.task_specs
    assert subs == {}


def test_spiff_refusal_becomes_model_error_naming_the_process():
    model = load(shared_path("corpus", "miwg", "A.1.0.bpmn"))
    with pytest.raises(ModelError, match="not executable"):
        build_specs(model)


# --- conditions, timers and scripts that can never evaluate (issue #16) -------------------
def _gateway(condition: str) -> str:
    return (
        '<startEvent id="s"/><sequenceFlow id="f0" sourceRef="s" targetRef="g"/>'
        '<exclusiveGateway id="g" default="f_no"/>'
        f'<sequenceFlow id="f_yes" sourceRef="g" targetRef="e"><conditionExpression>'
        f"{condition}</conditionExpression></sequenceFlow>"
        '<sequenceFlow id="f_no" sourceRef="g" targetRef="e"/><endEvent id="e"/>'
    )


@pytest.mark.parametrize(
    ("condition", "why"),
    [
        ("${jenis.equals('AMDAL')}", "only these functions can be called"),
        ("= approved", "cannot be parsed"),
        ("Service Level == 'Premium'", "cannot be parsed"),
        ("[x for x in docs]", "ListComp is not allowed"),
        ("'%.*f' % (1000000000, 1.0) == ''", "limit max_format_width=1000"),
        ("sum([[0]*10000]*10000, []) == []", "limit max_sequence=10000"),
    ],
)
def test_a_condition_that_can_never_evaluate_is_an_error_on_its_flow(condition, why):
    sev, el, msg = codes(_gateway(condition.replace("&", "&amp;").replace("<", "&lt;")))[
        "bad-condition"
    ]
    assert (sev, el) == ("error", "f_yes")
    assert "leaving 'g' can never be evaluated" in msg
    assert why in msg


def test_conditions_that_read_case_data_pass():
    assert "bad-condition" not in codes(_gateway("${skor &gt; 5 &amp;&amp; !ditolak}"))
    assert "bad-condition" not in codes(_gateway("'%.*f' % (n, 1.0) != ''"))  # per case


def _timer(kind: str, value: str) -> str:
    return CHAIN.replace(
        '<userTask id="t"/>',
        (
            '<userTask id="t"/><boundaryEvent id="b" attachedToRef="t"><timerEventDefinition>'
            f"<{kind}>{value}</{kind}></timerEventDefinition></boundaryEvent>"
            '<sequenceFlow id="fb" sourceRef="b" targetRef="e"/>'
        ),
    )


@pytest.mark.parametrize(
    ("kind", "value", "why"),
    [
        ("timeDuration", "P99999999999D", "limit max_timer_days"),
        ("timeCycle", "0/5 0/1 * 1/1 * ?", "cron is not supported"),
        ("timeDate", "", "no timeDate value"),
        ("timeDate", "2025-02-30T08:00:00", "not an ISO-8601 date"),
    ],
)
def test_a_timer_that_can_never_fire_is_an_error_naming_it(kind, value, why):
    sev, el, msg = codes(_timer(kind, value))["bad-timer"]
    assert (sev, el) == ("error", "b")
    assert msg.startswith("this timer can never fire")
    assert why in msg


def test_timers_that_can_fire_pass():
    for kind, value in [
        ("timeDuration", "P3D"),
        ("timeDuration", "${batas}"),
        ("timeCycle", "R3/PT1H"),
        ("timeDate", "2025-01-06T08:00:00Z"),
    ]:
        assert "bad-timer" not in codes(_timer(kind, value)), value


@pytest.mark.parametrize(
    ("attrs", "script", "why"),
    [
        ('scriptFormat="groovy"', "println 'x'", "written in groovy"),
        ("", "x = = 1", "cannot be parsed as Python: invalid syntax (line 1"),
    ],
)
def test_a_script_that_cannot_run_is_an_error(attrs, script, why):
    body = CHAIN.replace(
        '<userTask id="t"/>', f'<scriptTask id="t" {attrs}><script>{script}</script></scriptTask>'
    )
    sev, el, msg = codes(body)["bad-script"]
    assert (sev, el) == ("error", "t")
    assert why in msg
    python = CHAIN.replace(
        '<userTask id="t"/>', '<scriptTask id="t"><script>x = 1</script></scriptTask>'
    )
    assert "bad-script" not in codes(python)


def _looped(characteristics: str) -> str:
    return CHAIN.replace('<userTask id="t"/>', f'<userTask id="t">{characteristics}</userTask>')


@pytest.mark.parametrize(
    ("characteristics", "part", "why"),
    [
        (
            "<multiInstanceLoopCharacteristics><loopCardinality>${jumlah.size()}</loopCardinality>"
            "</multiInstanceLoopCharacteristics>",
            "loopCardinality",
            "only these functions",
        ),
        (
            "<multiInstanceLoopCharacteristics><loopCardinality>3</loopCardinality>"
            "<completionCondition>= selesai</completionCondition>"
            "</multiInstanceLoopCharacteristics>",
            "completionCondition",
            "cannot be parsed",
        ),
        (
            "<multiInstanceLoopCharacteristics isSequential='true'><loopCardinality>"
            "len('x' * 100000000)</loopCardinality></multiInstanceLoopCharacteristics>",
            "loopCardinality",
            "limit max_sequence",
        ),
        (
            "<standardLoopCharacteristics><loopCondition>[x for x in y]</loopCondition>"
            "</standardLoopCharacteristics>",
            "loopCondition",
            "ListComp is not allowed",
        ),
    ],
)
def test_a_loop_expression_that_can_never_evaluate_is_an_error_on_its_activity(
    characteristics, part, why
):
    sev, el, msg = codes(_looped(characteristics))["bad-condition"]
    assert (sev, el) == ("error", "t")
    assert msg.startswith(f"the {part} of this activity can never be evaluated")
    assert why in msg


def test_loop_expressions_that_read_case_data_pass():
    body = _looped(
        "<multiInstanceLoopCharacteristics><loopCardinality>jumlah_berkas"
        "</loopCardinality><completionCondition>nrOfCompletedInstances &gt;= 2"
        "</completionCondition></multiInstanceLoopCharacteristics>"
    )
    assert "bad-condition" not in codes(body)


def test_in_a_process_marked_not_executable_they_are_warnings():
    text = doc(_gateway("= approved")).replace(b'isExecutable="true"', b'isExecutable="false"')
    _, problems = validate(text)
    [p] = [p for p in problems if p.code == "bad-condition"]
    assert p.severity == "warning"


# --- loops made only of gateways (livelocks, issue #16) ----------------------------------
def test_a_loop_of_gateways_only_is_a_warning_naming_its_gateways():
    path = DATA / "hostile" / "livelock" / "gateway-loop.bpmn"
    model, problems = validate(path)
    assert gateway_loops(model) == [["G_cek", "G_ulang"]]
    [p] = [p for p in problems if p.code == "gateway-loop"]
    assert (p.severity, p.element_id, p.line) == ("warning", "G_cek", 11)
    assert p.message.startswith(
        "a loop made only of gateways ('Skor cukup?', 'Ulang?') has no task or catch event inside"
    )
    assert not [p for p in problems if p.severity == "error"]  # a warning: still valid


@pytest.mark.parametrize(
    "inside",
    [
        '<userTask id="a" name="Perbaiki skor"/>',
        '<intermediateCatchEvent id="a"><timerEventDefinition><timeDuration>P1D</timeDuration>'
        "</timerEventDefinition></intermediateCatchEvent>",
    ],
)
def test_a_loop_through_a_task_or_a_catch_event_is_no_gateway_loop(inside):
    body = (
        '<startEvent id="s"/><exclusiveGateway id="j"/>'
        + inside
        + '<exclusiveGateway id="x" default="back"/><endEvent id="e"/>'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="j"/>'
        '<sequenceFlow id="f1" sourceRef="j" targetRef="a"/>'
        '<sequenceFlow id="f2" sourceRef="a" targetRef="x"/>'
        '<sequenceFlow id="back" sourceRef="x" targetRef="j"/>'
        '<sequenceFlow id="ok" sourceRef="x" targetRef="e"><conditionExpression>skor &gt; 5'
        "</conditionExpression></sequenceFlow>"
    )
    model, problems = validate(doc(body))
    assert gateway_loops(model) == []
    assert [p.code for p in problems] == []


@pytest.mark.parametrize("reserved", ["Start", "End", "Root", "p.EndJoin"])
def test_an_id_the_engine_uses_for_its_own_tasks_is_flagged(reserved):
    body = CHAIN.replace('"t"', f'"{reserved}"')
    severity, element, message = codes(body)["reserved-id"]
    assert severity == "warning"  # the simulator runs it; the engine refuses it at deploy
    assert element == reserved
    assert "rename it" in message


def _assigned(attributes: str) -> bytes:
    body = CHAIN.replace('<userTask id="t"/>', f'<userTask id="t" {attributes}/>')
    return doc(body).replace(
        b"<definitions ", b'<definitions xmlns:camunda="http://camunda.org/schema/1.0/bpmn" ', 1
    )


@pytest.mark.parametrize(
    ("attributes", "why"),
    [
        (
            "camunda:candidateUsers=\"ani, ${__import__('os').system('id')}\"",
            "camunda:candidateUsers can never be evaluated: expression",
        ),
        ('camunda:dueDate="P99999999999D"', "camunda:dueDate can never be evaluated: timer value"),
        ('camunda:followUpDate="${n * 10**400}"', "camunda:followUpDate can never be evaluated"),
    ],
)
def test_an_assignment_that_can_never_evaluate_is_an_error_at_validate(attributes, why):
    # QA (#16): validate said OK where deploy refused the same model
    model, problems = validate(_assigned(attributes))
    [problem] = [p for p in problems if p.code == "bad-condition"]
    assert (problem.severity, problem.element_id) == ("error", "t")
    assert why in problem.message


def test_assignments_that_read_case_data_pass_validate():
    model, problems = validate(
        _assigned(
            'camunda:candidateUsers="ani, ${pemohon}" camunda:candidateGroups="arsip" '
            'camunda:dueDate="P3D" camunda:followUpDate="${tenggat}"'
        )
    )
    assert [p for p in problems if p.code == "bad-condition"] == []


def test_a_form_field_of_a_type_deploy_refuses_is_an_error_at_validate():
    # QA: validate said OK for a formField of type 'weird'; deploy refused the model
    body = CHAIN.replace(
        '<userTask id="t"/>',
        '<userTask id="t"><extensionElements><camunda:formData>'
        '<camunda:formField id="lengkap" type="weird"/><camunda:formField id="ok" type="long"/>'
        "</camunda:formData></extensionElements></userTask>",
    )
    source = doc(body).replace(
        b"<definitions ", b'<definitions xmlns:camunda="http://camunda.org/schema/1.0/bpmn" ', 1
    )
    model, problems = validate(source)
    [problem] = [p for p in problems if p.code == "bad-form"]
    assert (problem.severity, problem.element_id) == ("error", "t")
    assert "form field 'lengkap': type 'weird' is not one of string, long" in problem.message
