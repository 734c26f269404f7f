"""`validate`: the BPMN 2.0 schema, then what the schema cannot see.

Every problem names file, line and element. Errors make a model invalid; warnings mark
places where the engine would run something other than what the drawing suggests
(SpiffWorkflow ignores conditions on flows leaving a task, skips link events, never
parses unreachable elements). Every gateway condition, conditional event, loop expression,
timer and script is compiled here, so one that can never evaluate is an error before any case
reaches it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from ..errors import ExpressionError, ModelError, Problem
from ..expressions import compile_expression
from ..i18n import N_, _
from ..timers import check_timer
from .elements import Element
from .graph import gateway_loops
from .process_model import ProcessModel, load

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "validate",
    "READ_FAILURE_CODES",
    "schema_problems",
    "semantic_problems",
    "expression_problems",
    "EXPRESSION_CODES",
    "ASSIGNING",
    "CAMUNDA",
    "assignment_items",
    "FORM_FIELD_TYPES",
]

# Problems that mean "could not read the file at all" (CLI exit status 2).
READ_FAILURE_CODES = frozenset({"io", "xml", "doctype", "not-bpmn"})
# one whole sentence per kind: a translation needs the noun inside it
_UNSUPPORTED = {
    "complexGateway": N_("complex gateways are not run by the engine"),
    "adHocSubProcess": N_("ad-hoc subprocesses are not run by the engine"),
}


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    import SpiffWorkflow.bpmn.parser as spiff_parser

    xsd = Path(spiff_parser.__file__).parent / "schema" / "BPMN20.xsd"
    return etree.XMLSchema(etree.parse(str(xsd)))


def schema_problems(model: ProcessModel) -> list[Problem]:
    """Violations of the BPMN 2.0 XSD (the OMG schema shipped with SpiffWorkflow)."""
    root = model.tree()
    schema = _schema()
    if schema.validate(root):
        return []
    by_line = {}
    for node in root.iter():
        if isinstance(node.tag, str) and node.get("id") and node.sourceline not in by_line:
            by_line[node.sourceline] = node
    tree = root.getroottree()
    out = []
    for err in schema.error_log:
        node = _node_at(tree, err.path)
        if node is None:
            node = by_line.get(err.line)
        msg = err.message.replace("{http://www.omg.org/spec/BPMN/20100524/MODEL}", "bpmn:")
        out.append(
            Problem(
                _("schema: {message}").format(message=msg),
                file=model.file,
                line=err.line or None,
                element_id=node.get("id") if node is not None else None,
                element_name=node.get("name") if node is not None else None,
                code="xsd",
            )
        )
    return out


def _node_at(tree: etree._Element, path: str | None) -> etree._Element | None:
    """The nearest element with an id at libxml2's error path, if the path is unambiguous."""
    try:
        found = tree.xpath(path) if path else []
    except etree.XPathError:
        return None
    node = found[0] if len(found) == 1 else None
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node


def _p(
    model: ProcessModel, el: Element, message: str, code: str, severity: str = "warning"
) -> Problem:
    return Problem(
        message,
        file=model.file,
        line=el.line,
        element_id=el.id,
        element_name=el.name or None,
        severity=severity,
        code=code,
    )


def semantic_problems(model: ProcessModel) -> list[Problem]:
    """Structural problems: missing start, dead ends, unreachable nodes and engine traps."""
    out: list[Problem] = list(model.load_warnings)
    g = model.graph
    scopes: dict[tuple[str, str | None], list[Element]] = {}
    for el in model.elements.values():
        scopes.setdefault((el.process, el.scope), []).append(el)
    for (pid, scope), members in scopes.items():
        out += _scope_problems(model, g, pid, scope, members)
    for el in model.elements.values():
        out += _element_problems(model, el)
    out += expression_problems(model)
    out += _loop_problems(model)
    known = set(model.elements)
    for lane in model.lanes.values():
        for ref in lane.nodes:
            if ref not in known:
                out.append(
                    Problem(
                        _("lane {lane} lists {ref}, which is not a flow node").format(
                            lane=repr(lane.name), ref=repr(ref)
                        ),
                        file=model.file,
                        line=lane.line,
                        element_id=lane.id,
                        element_name=lane.name,
                        severity="warning",
                        code="dangling-lane-ref",
                    )
                )
    return out


def _loop_problems(model: ProcessModel) -> list[Problem]:
    """A warning on the first gateway of each loop made only of gateways (a livelock)."""
    out = []
    for loop in gateway_loops(model):
        names = ", ".join(repr(model.elements[n].label) for n in loop)
        # the same sentence as soundness's livelock (bpengine.analysis.livelock)
        out.append(
            _p(
                model,
                model.elements[loop[0]],
                _(
                    "a loop made only of gateways ({steps}) has no task or catch event inside: when "
                    "its way out is false the case loops there for ever with nothing to do"
                ).format(steps=names),
                "gateway-loop",
            )
        )
    return out


def _scope_problems(
    model: ProcessModel, g: nx.DiGraph[str], pid: str, scope: str | None, members: list[Element]
) -> list[Problem]:
    import networkx as nx  # on first use: loading a model to simulate it never needs it

    out = []
    starts = [e for e in members if e.kind == "startEvent"]
    owner = model.elements[scope] if scope else model.processes[pid]
    if not starts and not any(e.kind == "boundaryEvent" for e in members):
        text = (
            _("subprocess {id} has no start event").format(id=repr(scope))
            if scope
            else _("process {id} has no start event").format(id=repr(pid))
        )
        node = owner
        out.append(
            Problem(
                text,
                file=model.file,
                line=node.line,
                element_id=node.id,
                element_name=node.name or None,
                severity="error",
                code="no-start",
            )
        )
        return out
    ids = {e.id for e in members}
    sub = g.subgraph(ids)
    # Entry points: start events, plus boundary events (entered from their activity) and
    # event subprocesses (entered by their trigger), which have no incoming flow.
    entries = [
        e.id
        for e in members
        if e.kind == "startEvent" or e.kind == "boundaryEvent" or e.triggered_by_event
    ]
    reached = set(entries)
    for s in entries:
        reached |= nx.descendants(sub, s)
    sinks = {e.id for e in members if e.kind == "endEvent" or (not e.outgoing and not e.is_gateway)}
    # a terminate end event elsewhere in the scope can end a case stuck in a loop
    terminates = any(e.event == "terminate" for e in members)
    can_end = set(sinks)
    for t in sinks:
        can_end |= nx.ancestors(sub, t)
    for e in members:
        if e.id not in reached and not (e.triggered_by_event or e.for_compensation):
            out.append(
                _p(
                    model,
                    e,
                    _("unreachable from any start event (the engine never runs it)"),
                    "unreachable",
                )
            )
        elif e.id not in can_end and terminates:
            out.append(
                _p(
                    model,
                    e,
                    _(
                        "no path from here to an end event; only a terminate "
                        "end event elsewhere can finish the case"
                    ),
                    "no-end",
                )
            )
        elif e.id not in can_end:
            out.append(
                _p(
                    model,
                    e,
                    _("no path from here to an end event: a case that gets here can never finish"),
                    "no-end",
                    severity="error",
                )
            )
    return out


# Task spec names SpiffWorkflow gives its own tasks in every process: an element with one of
# these ids replaces them (id "Start" makes every start fail, id "End" loses the outcome).
RESERVED_IDS = frozenset({"Start", "End", "Root"})


def _element_problems(model: ProcessModel, el: Element) -> list[Problem]:
    out: list[Problem] = []
    flows = [model.flows[f] for f in el.outgoing]
    if el.id in RESERVED_IDS or el.id.endswith(".EndJoin"):
        out.append(
            _p(
                model,
                el,
                _(
                    "the id {id} is one the engine (SpiffWorkflow) uses for its "
                    "own tasks: a case would not start or would lose the end it "
                    "reached; rename it"
                ).format(id=repr(el.id)),
                "reserved-id",
            )
        )
    if el.kind in _UNSUPPORTED:
        out.append(_p(model, el, _(_UNSUPPORTED[el.kind]), "unsupported"))
    if el.event == "link":
        out.append(
            _p(
                model,
                el,
                _(
                    "link events are not run by the engine (SpiffWorkflow "
                    "skips them and the case would end early); draw the "
                    "sequence flow"
                ),
                "link-event",
            )
        )
    if el.event == "multiple":
        out.append(
            _p(
                model,
                el,
                _("events with several definitions are not run by the engine"),
                "unsupported",
            )
        )
    if not el.is_gateway:
        for f in flows:
            if f.condition and el.kind != "boundaryEvent":
                out.append(
                    Problem(
                        _(
                            "condition {condition} on this flow leaving {kind} {id} is ignored by "
                            "the engine; put an exclusive gateway after it"
                        ).format(condition=repr(f.condition), kind=el.kind, id=repr(el.id)),
                        file=model.file,
                        line=f.line,
                        element_id=f.id,
                        element_name=f.name or None,
                        severity="warning",
                        code="conditional-flow",
                    )
                )
        plain = [f for f in flows if not f.condition and not f.is_default]
        if len(plain) > 1:
            out.append(
                _p(
                    model,
                    el,
                    _(
                        "{n} unconditional outgoing flows: an implicit "
                        "parallel split; draw a parallel gateway"
                    ).format(n=len(plain)),
                    "implicit-split",
                )
            )
    if el.kind in ("exclusiveGateway", "inclusiveGateway") and len(flows) > 1:
        for f in flows:
            if not f.condition and not f.is_default:
                out.append(
                    Problem(
                        _(
                            "leaves gateway {id} with no condition and is not its default: the "
                            "engine cannot choose it"
                        ).format(id=repr(el.id)),
                        file=model.file,
                        line=f.line,
                        element_id=f.id,
                        element_name=f.name or None,
                        severity="warning",
                        code="no-condition",
                    )
                )
    if el.kind == "callActivity":
        if not el.called_element:
            out.append(_p(model, el, _("call activity names no calledElement"), "unresolved-call"))
        elif model.callee_file(el.called_element) is None:
            out.append(
                _p(
                    model,
                    el,
                    _(
                        "calls process {id}, which is not in this file or any .bpmn file beside it"
                    ).format(id=repr(el.called_element)),
                    "unresolved-call",
                )
            )
    return out


# Gateways whose outgoing conditions the engine evaluates (elsewhere they are ignored, and
# _element_problems already warns about them).
_CHOOSING = ("exclusiveGateway", "inclusiveGateway", "complexGateway")


_PYTHON = ("python", "python3", "py", "text/x-python", "text/python")
#: The codes of :func:`expression_problems` (deploy refuses them, warning or error).
EXPRESSION_CODES = frozenset({"bad-condition", "bad-timer", "bad-script"})


def _severity(model: ProcessModel, process: str | None) -> str:
    info = model.processes.get(process) if process else None
    return "warning" if info is not None and not info.executable else "error"


def expression_problems(model: ProcessModel) -> list[Problem]:
    """Conditions, timers and scripts that can never evaluate, each naming its element.

    A gateway condition, conditional event or loop expression (``loopCardinality``,
    ``completionCondition``, ``loopCondition``) must compile in the safe evaluator
    (:mod:`bpengine.expressions`: syntax, allowed names and functions, the cost of its parts
    without case data); a timer must parse and be in range (:func:`bpengine.timers.check_timer`);
    a script task's script must be Python the interpreter can parse (it runs only when
    deployed as trusted). Whether case data will hold the names a condition reads is not
    decidable here: tasks may add any data when completed.
    """
    out: list[Problem] = []
    for f in model.flows.values():
        source = model.elements.get(f.source)
        if not f.condition or f.is_default or source is None or source.kind not in _CHOOSING:
            continue
        try:
            compile_expression(f.condition)
        except ExpressionError as exc:
            out.append(
                Problem(
                    _(
                        "the condition of this flow leaving {gateway} can never be evaluated: {why}"
                    ).format(gateway=repr(f.source), why=exc),
                    file=model.file,
                    line=f.line,
                    element_id=f.id,
                    element_name=f.name or None,
                    severity=_severity(model, f.process),
                    code="bad-condition",
                )
            )
    for el in model.elements.values():
        if el.event == "timer" and el.event_value and ":" in el.event_value:
            kind, text = el.event_value.split(":", 1)
            try:
                check_timer(kind, text)
            except ExpressionError as exc:
                out.append(
                    _p(
                        model,
                        el,
                        _("this timer can never fire: {why}").format(why=exc),
                        "bad-timer",
                        severity=_severity(model, el.process),
                    )
                )
    out += _xml_problems(model)
    return out


def _uncompilable(
    model: ProcessModel, nodes: list[Any], say: Callable[[Any, ExpressionError], str]
) -> list[Problem]:
    """A ``bad-condition`` problem on the activity or event holding each expression node whose
    text cannot compile; ``say(node, error)`` words it."""
    out = []
    for node in nodes:
        el = model.elements.get(node.getparent().getparent().get("id"))
        text = (node.text or "").strip()
        if el is None or not text:
            continue
        try:
            compile_expression(text)
        except ExpressionError as exc:
            out.append(
                _p(
                    model,
                    el,
                    say(node, exc),
                    "bad-condition",
                    severity=_severity(model, el.process),
                )
            )
    return out


def _xml_problems(model: ProcessModel) -> list[Problem]:
    """Conditional events and scripts, which the model keeps only in its XML."""
    root = model.tree()
    out = _uncompilable(
        model,
        root.xpath("//*[local-name()='conditionalEventDefinition']/*[local-name()='condition']"),
        lambda node, why: _("the condition of this event can never be evaluated: {why}").format(
            why=why
        ),
    )
    # Loop expressions the engine evaluates per case: a multi-instance count and stop
    # condition, a standard loop's condition. One that can never compile would fail the case
    # when it reaches the activity.
    out += _uncompilable(
        model,
        root.xpath(
            "//*[local-name()='multiInstanceLoopCharacteristics']"
            "/*[local-name()='loopCardinality' or "
            "local-name()='completionCondition']"
            " | //*[local-name()='standardLoopCharacteristics']"
            "/*[local-name()='loopCondition']"
        ),
        lambda node, why: _("the {part} of this activity can never be evaluated: {why}").format(
            part=etree.QName(node).localname, why=why
        ),
    )
    out += _assignment_problems(model, root)
    out += _form_problems(model, root)
    for script in root.xpath("//*[local-name()='scriptTask']/*[local-name()='script']"):
        el = model.elements.get(script.getparent().get("id"))
        text = script.text or ""
        if el is None or not text.strip():
            continue
        language = (script.getparent().get("scriptFormat") or "python").strip()
        if language.lower() not in _PYTHON:
            out.append(
                _p(
                    model,
                    el,
                    _(
                        "the script is written in {language}; the engine runs only Python scripts"
                    ).format(language=language),
                    "bad-script",
                    severity=_severity(model, el.process),
                )
            )
            continue
        try:  # parse only: compile() runs nothing
            compile(text, el.id, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            detail = getattr(exc, "msg", None) or type(exc).__name__
            out.append(
                _p(
                    model,
                    el,
                    _(
                        "the script cannot be parsed as Python: {why} (line {line} of the script)"
                    ).format(why=detail, line=getattr(exc, "lineno", None) or 1),
                    "bad-script",
                    severity=_severity(model, el.process),
                )
            )
    return out


#: Camunda's assignment attributes of a user task, read by the engine per case.
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
ASSIGNING = ("assignee", "candidateUsers", "candidateGroups", "dueDate", "followUpDate")
# A comma-separated list whose items may be ${...} expressions (commas inside them kept).
_ITEM = re.compile(r"\s*(\$\{[^}]*\}|#\{[^}]*\}|[^,]+)\s*(?:,|$)")


def assignment_items(text: str) -> list[str]:
    """The items of an assignment attribute: ``"a, ${b}, c"`` -> ``["a", "${b}", "c"]``."""
    return [m.group(1).strip() for m in _ITEM.finditer(text.strip()) if m.group(1).strip()]


#: the types of a Camunda form field the engine enforces (``bpengine.engine.forms``)
FORM_FIELD_TYPES = ("string", "long", "boolean", "date", "enum")


def _form_problems(model: ProcessModel, root: Any) -> list[Problem]:
    """Form fields of a type the engine cannot enforce (deploy refuses them)."""
    out = []
    for node in root.iter(f"{{{CAMUNDA}}}formField"):
        kind = (node.get("type") or "string").strip()
        task = next((a for a in node.iterancestors() if a.get("id") in model.elements), None)
        if kind in FORM_FIELD_TYPES or task is None:
            continue
        el = model.elements[task.get("id")]
        out.append(
            _p(
                model,
                el,
                _("form field {name}: type {kind} is not one of {types}").format(
                    name=repr(node.get("id") or ""),
                    kind=repr(kind),
                    types=", ".join(FORM_FIELD_TYPES),
                ),
                "bad-form",
                severity=_severity(model, el.process),
            )
        )
    return out


def _assignment_problems(model: ProcessModel, root: Any) -> list[Problem]:
    """Assignment expressions that can never evaluate and due dates out of range (QA, #16:
    validate said OK where deploy refused)."""
    out = []
    for node in root.iter(etree.Element):
        el = model.elements.get(node.get("id") or "")
        if el is None:
            continue
        for attribute in ASSIGNING:
            for item in assignment_items(node.get(f"{{{CAMUNDA}}}{attribute}") or ""):
                try:
                    if item.startswith(("${", "#{")):
                        compile_expression(item)
                    elif attribute in ("dueDate", "followUpDate") and item[:1] in "Pp":
                        check_timer("timeDuration", item)
                except ExpressionError as exc:
                    out.append(
                        _p(
                            model,
                            el,
                            _("camunda:{attribute} can never be evaluated: {why}").format(
                                attribute=attribute, why=exc
                            ),
                            "bad-condition",
                            severity=_severity(model, el.process),
                        )
                    )
    return out


def validate(
    source: str | os.PathLike[str] | bytes | ProcessModel, schema: bool = True
) -> tuple[ProcessModel | None, list[Problem]]:
    """Load (if needed) and check a model.

    Returns
    -------
    model : ProcessModel or None
        ``None`` when the file could not be loaded at all.
    problems : list of Problem
        Every error and warning, in document order within each kind of check.
    """
    if isinstance(source, ProcessModel):
        model = source
    else:
        try:
            model = load(source)
        except ModelError as exc:
            return None, exc.problems
    problems = schema_problems(model) if schema else []
    problems += semantic_problems(model)
    return model, problems
