"""Prosimos' global attributes, decision trees, Markov transitions and prioritisation rules,
imported as Prosimos 2.1.0 reads them (``tests/data/prosimos/desk.{bpmn,json}``)."""

import copy
import json
from pathlib import Path

import pytest

from bpengine import ScenarioError, load
from bpengine.scenario import Choice, Distribution, from_prosimos
from bpengine.scenario.distributions import Transitions

DATA = Path(__file__).resolve().parents[1] / "data" / "prosimos"
DESK = load(DATA / "desk.bpmn")
DESK_DOC = json.loads((DATA / "desk.json").read_text())


def _doc(**changes):
    doc = copy.deepcopy(DESK_DOC)
    doc.update(changes)
    return doc


def _rule(attribute, comparison, value):
    return [[{"attribute": attribute, "comparison": comparison, "value": value}]]


def test_priority_levels_are_read_lowest_first_and_ordered_by_run_with_a_note():
    doc = _doc(
        case_attributes=[
            *DESK_DOC["case_attributes"],
            {
                "name": "amount",
                "type": "continuous",
                "values": {
                    "distribution_name": "uniform",
                    "distribution_params": [{"value": 0}, {"value": 100}],
                },
            },
        ],
        prioritisation_rules=[
            {"priority_level": 3, "rules": _rule("amount", "in", [50, "inf"])},
            {"priority_level": "1", "rules": _rule("urgent", "=", "ya")},
            {"priority_level": 2, "rules": _rule("amount", "in", [10, 20])},
        ],
    )
    sc = from_prosimos(doc, DESK)
    assert sc.priorities == [
        (1, "(urgent == 'ya')"),
        (2, "(10.0 <= amount <= 20.0)"),
        (3, "(50.0 <= amount)"),
    ]
    assert sc.priority_order == "run"  # Prosimos' own order, said in a note
    assert any("scheduled as Prosimos 2.1.0 does, level by level" in n for n in sc.notes)


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            _rule("urgent", ">", "ya"),
            r"rules\[0\]\[0\].comparison: '>': Prosimos 2.1.0 prioritises with 'in'",
        ),
        (_rule("ghost", "=", 1), r"rules\[0\]\[0\].attribute: 'ghost' is not a case attribute"),
        (_rule("urgent", "in", [0, 1]), r"'in' needs a number, but 'urgent' is a discrete"),
    ],
)
def test_priority_rules_prosimos_would_misread_or_crash_on_are_refused(rules, message):
    doc = _doc(prioritisation_rules=[{"priority_level": 1, "rules": rules}])
    with pytest.raises(ScenarioError, match=r"^prioritisation_rules\[0\]\.") as exc:
        from_prosimos(doc, DESK)
    assert exc.match(message)
    assert "\n" not in str(exc.value)


def test_a_priority_level_must_be_a_whole_number():
    doc = _doc(prioritisation_rules=[{"priority_level": 1.5, "rules": _rule("urgent", "=", "ya")}])
    with pytest.raises(ScenarioError, match=r"priority_level: expected a whole number, got 1.5"):
        from_prosimos(doc, DESK)


def test_global_attributes_become_process_wide_data():
    doc = _doc(
        global_attributes=[
            {
                "name": "load",
                "type": "continuous",
                "values": {"distribution_name": "fix", "distribution_params": [{"value": 7}]},
            },
            {"name": "mood", "type": "discrete", "values": [{"key": "calm", "value": 1}]},
        ]
    )
    sc = from_prosimos(doc, DESK)
    assert sc.process_data == {
        "load": Distribution("fixed", (7.0,)),
        "mood": Choice(("calm",), (1.0,)),
    }
    doc["global_attributes"].append(doc["global_attributes"][0])
    with pytest.raises(
        ScenarioError, match=r"global_attributes\[2\].name: 'load' is defined twice"
    ):
        from_prosimos(doc, DESK)
    doc["global_attributes"][2] = {"name": "x", "type": "expression", "values": "1"}
    with pytest.raises(ScenarioError, match=r"global_attributes\[2\].type: 'expression' is not"):
        from_prosimos(doc, DESK)


def test_a_global_attribute_may_be_changed_by_event_attributes_a_case_attribute_not():
    change = [
        {
            "event_id": "T_take",
            "attributes": [{"name": "urgent", "type": "expression", "values": "'ya'"}],
        }
    ]
    with pytest.raises(ScenarioError, match=r"'urgent' is a case attribute, which event"):
        from_prosimos(_doc(event_attributes=change), DESK)
    shared = [{"name": "urgent", "type": "discrete", "values": [{"key": "ya", "value": 1}]}]
    # a priority cannot read it then: Prosimos prioritises by the case's own attributes only
    with pytest.raises(ScenarioError, match=r"attribute: 'urgent' is not a case attribute"):
        from_prosimos(_doc(event_attributes=change, global_attributes=shared), DESK)
    doc = _doc(event_attributes=change, global_attributes=shared, prioritisation_rules=[])
    sc = from_prosimos(doc, DESK)
    assert sc.event_data["T_take"] == {"urgent": "'ya'"}
    assert sc.process_data == {"urgent": Choice(("ya",), (1.0,))}


def test_a_decision_tree_becomes_one_conditional_expression():
    tree = [[["amount > 50", "amount < 60"], "amount * 2"], [["amount >= 60"], "3"], [True, "1"]]
    doc = _doc(event_attributes=[_attribute("score", "dtree", tree)])
    assert from_prosimos(doc, DESK).event_data["T_take"]["score"] == (
        "(amount * 2) if ((amount > 50) and (amount < 60)) else "
        "((3) if ((amount >= 60)) else ((1) if (True) else (0)))"
    )
    tree[1][0] = ["amount >="]
    with pytest.raises(
        ScenarioError, match=r"values\[1\]\[0\]\[0\]: 'amount >=' cannot be computed"
    ):
        from_prosimos(_doc(event_attributes=[_attribute("score", "dtree", tree)]), DESK)
    with pytest.raises(ScenarioError, match=r"values\[0\]: expected \[conditions, formula\]"):
        from_prosimos(_doc(event_attributes=[_attribute("score", "dtree", [["x"]])]), DESK)


def test_markov_transitions_are_read_state_by_state():
    moves = {"a": {"b": 0.25, "a": 0.75}, "b": {"a": 1}}
    sc = from_prosimos(_doc(event_attributes=[_attribute("state", "discrete", moves)]), DESK)
    gen = sc.event_data["T_take"]["state"]
    assert isinstance(gen, Transitions)
    assert gen.after("a") == Choice(("b", "a"), (0.25, 0.75))
    assert gen.after("c") is None  # a value without a row stays as it is
    moves["b"] = {"a": 0.5}
    with pytest.raises(ScenarioError, match=r"values\[b\]: probabilities sum to 0.5, not 1"):
        from_prosimos(_doc(event_attributes=[_attribute("state", "discrete", moves)]), DESK)


def _attribute(name, kind, values):
    return {"event_id": "T_take", "attributes": [{"name": name, "type": kind, "values": values}]}


def test_an_expression_drawing_from_a_distribution_is_refused_naming_the_function():
    doc = _doc(event_attributes=[_attribute("x", "expression", "2 * uniform(1, 5)")])
    with pytest.raises(
        ScenarioError, match=r"values: '2 \* uniform\(1, 5\)' draws from uniform\(\)"
    ):
        from_prosimos(doc, DESK)
