"""Moving a SpiffWorkflow instance to another version of its spec (case migration).

With :mod:`.runtime` and :mod:`.frontier`, code that touches SpiffWorkflow's objects. An
instance is a tree of tasks, each pointing at a task spec by name (the BPMN id, or names
SpiffWorkflow derives from it such as ``T.BoundaryEventSplit``), plus one such tree per
running subprocess: an embedded subprocess, a call activity, or a pool of a collaboration
(each pool runs as a call activity of the collaboration). Moving it means pointing every
task at the spec of the same (or mapped) element in the new version, each subprocess at the
process its (mapped) activity runs there, then letting the new version predict what comes
next. That is safe only where the case *is* exists in the new version with the same kind,
in the same (sub)process, waiting for the same message, and where no parallel join lies
ahead that would wait for a branch the case never started; :func:`check` says why a case
cannot move, in words naming the element and the subprocess it is in.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from types import SimpleNamespace

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.defaults import (
    InclusiveGateway,
    IntermediateCatchEvent,
    ParallelGateway,
    ReceiveTask,
)
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import ThrowingEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.util.task import TaskState

from ..i18n import _
from .frontier import waits

__all__ = ["check", "move", "target_name", "thrown_inside"]

_AT = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_PREDICTED = TaskState.PREDICTED_MASK | TaskState.FUTURE
_JOINS = (ParallelGateway, InclusiveGateway)


def target_name(name: str, mapping: Mapping[str, str]) -> str:
    """The new version's spec name for ``name``: mapped by element id, also for the names
    derived from it (``T.BoundaryEventSplit``); unmapped names stay."""
    if name in mapping:
        return mapping[name]
    head, dot, rest = name.partition(".")
    if dot and head in mapping:
        return f"{mapping[head]}.{rest}"
    return name


def _label(spec) -> str:
    bpmn_id = getattr(spec, "bpmn_id", None) or spec.name
    name = getattr(spec, "bpmn_name", None)
    return f"{bpmn_id} ({name!r})" if name else bpmn_id


def _open_joins(spec, start) -> set[str]:
    """Parallel or inclusive joins reachable from ``start`` without first passing the split
    that feeds them: a case arriving there alone would wait for ever."""
    found, seen = set(), set()
    stack = [(out, False) for out in start.outputs]
    while stack:
        node, split = stack.pop()
        if (node.name, split) in seen:
            continue
        seen.add((node.name, split))
        if isinstance(node, _JOINS) and len(node.inputs) > 1 and not split:
            found.add(node.name)
        crossed = split or (isinstance(node, _JOINS) and len(node.outputs) > 1)
        stack.extend((out, crossed) for out in node.outputs)
    return found


def _workflows(workflow) -> list:
    """The instance and its subprocesses, each after the (sub)process that runs it."""
    return [workflow, *sorted(workflow.subprocesses.values(), key=lambda sub: sub.depth)]


def _runner(workflow, sub):
    """The task (call activity, subprocess, pool) that runs subprocess ``sub``."""
    return workflow.get_task_from_id(sub.parent_task_id)


def _plan(workflow, spec, subprocess_specs, mapping, version, reasons: list[str]) -> dict:
    """The new version's spec for the instance and each of its subprocesses (by identity),
    adding to ``reasons`` where a running subprocess has none."""
    specs = {id(workflow): spec}
    for sub in _workflows(workflow)[1:]:
        runner = _runner(workflow, sub)
        if runner is None or id(runner.workflow) not in specs:
            continue  # its runner was pruned (a finished subprocess) or cannot move itself
        new_runner = specs[id(runner.workflow)].task_specs.get(
            target_name(runner.task_spec.name, mapping)
        )
        if not isinstance(new_runner, SubWorkflowTask):
            if not sub.completed and not runner.state & _AT:
                reasons.append(
                    _("subprocess {label} runs, but {version} has no such activity").format(
                        label=_label(runner.task_spec), version=version
                    )
                )
            continue  # else the check of its runner's task says why (removed, changed kind)
        new_spec = subprocess_specs.get(new_runner.spec)
        if new_spec is None:
            reasons.append(
                _("{label} runs process {process}, which {version} does not include").format(
                    label=_label(runner.task_spec), process=new_runner.spec, version=version
                )
            )
            continue
        specs[id(sub)] = new_spec
    return specs


def _where(workflow, wf) -> str:
    """`` inside LABEL`` for a task of a subprocess (empty for the top process)."""
    if wf is workflow:
        return ""
    runner = _runner(workflow, wf)
    if runner is None:
        return ""
    return _(" inside {label}").format(label=_label(runner.task_spec))


def _elsewhere(name: str, spec, subprocess_specs) -> str | None:
    """The process of the new version that has element ``name``, if any."""
    for process_id, process in (("", spec), *subprocess_specs.items()):
        if name in process.task_specs:
            return process_id or process.name
    return None


def _messages(task_spec, throwing: bool = False) -> list[str]:
    """The message and signal names a catch event's spec waits for (``throwing``: a throw
    event's spec throws)."""
    if throwing:
        definition = getattr(task_spec, "event_definition", None)
        parts = getattr(definition, "event_definitions", None) or [definition]
        return [
            p.name for p in parts if isinstance(p, (MessageEventDefinition, SignalEventDefinition))
        ]
    return [
        d.name
        for kind, d, _branch in waits(SimpleNamespace(task_spec=task_spec))  # reads the spec
        if kind != "timer"
    ]


def _kind(task_spec) -> str:
    """What a waiting task is, for "same kind": a message catch event and a receive task
    wait alike (the redesign turns one into the other when paper becomes data)."""
    if isinstance(task_spec, (IntermediateCatchEvent, ReceiveTask)):
        return "catch"
    return type(task_spec).__name__


def _guarded(task_spec) -> bool:
    """Whether boundary events are attached to this activity (SpiffWorkflow then runs it
    under a ``.BoundaryEventSplit`` that arms them)."""
    return any(isinstance(i, BoundaryEventSplit) for i in task_spec.inputs)


def _check_task(
    task, new, old_spec, new_spec, where: str, version: str, mapping, inside
) -> list[str]:
    old = task.task_spec
    label = _label(old) + where
    if _guarded(new) and not _guarded(old):
        return [
            _(
                "it waits at {label}, which has boundary events in {version} only: "
                "they would never be armed for this case"
            ).format(label=label, version=version)
        ]
    if _kind(new) != _kind(old):
        return [
            _("it waits at {label}, a {here} here but a {there} in {version}").format(
                label=label, here=type(old).__name__, there=type(new).__name__, version=version
            )
        ]
    gone = set(_messages(new)) - set(_messages(old)) - inside
    if task.state == TaskState.WAITING and gone:
        return [
            _(
                "it waits at {label} for {old}, which {version} names {new}: a sender "
                "outside the case would still send the old name"
            ).format(
                label=label,
                old=", ".join(map(repr, _messages(old))) or "-",
                new=", ".join(map(repr, sorted(gone))),
                version=version,
            )
        ]
    ahead = {target_name(n, mapping) for n in _open_joins(old_spec, old)}
    return [
        _(
            "from {label} it would reach the parallel join {join} "
            "of {version} without the branch that started it"
        ).format(label=label, join=_label(new_spec.task_specs[join]), version=version)
        for join in sorted(_open_joins(new_spec, new) - ahead)
    ]


def thrown_inside(spec, subprocess_specs, senders: Mapping[str, str]) -> set[str]:
    """Message and signal names some element of a version throws (a pool's throw event or
    send task, a task drawn with a message flow out: ``senders``): the case sends them to
    itself, so a catch may wait for a renamed one."""
    names = set(senders.values())
    for process in (spec, *subprocess_specs.values()):
        for task_spec in process.task_specs.values():
            if isinstance(task_spec, ThrowingEvent):
                names.update(_messages(task_spec, throwing=True))
    return names


def check(
    workflow,
    spec,
    subprocess_specs,
    mapping: Mapping[str, str],
    version: str,
    inside: AbstractSet[str] = frozenset(),
) -> list[str]:
    """Why this instance cannot move to ``spec`` (empty: it can). ``version`` names the new
    version in the reasons (``"v2"``); a reason names the element, and the subprocess,
    call activity or pool it is inside. ``inside``: :func:`thrown_inside` of the new
    version (a renamed message the case sends itself is no reason to stay)."""
    reasons: list[str] = []
    specs = _plan(workflow, spec, subprocess_specs, mapping, version, reasons)
    for wf in _workflows(workflow):
        new_spec = specs.get(id(wf))
        if new_spec is None:
            continue
        where = _where(workflow, wf)
        for task in wf.tasks.values():
            old = task.task_spec
            name = target_name(old.name, mapping)
            new = new_spec.task_specs.get(name)
            if task.state & _AT and new is None:
                other = _elsewhere(name, spec, subprocess_specs)
                if other is not None:
                    reasons.append(
                        _(
                            "it waits at {label}, which {version} has in process {other}: "
                            "a case cannot move between processes"
                        ).format(label=_label(old) + where, version=version, other=other)
                    )
                    continue
                hint = (
                    ""
                    if old.name in mapping
                    else _(" (map it to an element of {version}: {id}=NEW_ID)").format(
                        version=version, id=getattr(old, "bpmn_id", old.name)
                    )
                )
                reasons.append(
                    _("it waits at {label}, which {version} removes{hint}").format(
                        label=_label(old) + where, version=version, hint=hint
                    )
                )
            elif task.state & _AT:
                reasons.extend(
                    _check_task(task, new, wf.spec, new_spec, where, version, mapping, inside)
                )
            elif task.state == TaskState.CANCELLED and isinstance(old, _JOINS) and new is None:
                reasons.append(
                    _("a branch has reached the join {label}, which {version} removes").format(
                        label=_label(old) + where, version=version
                    )
                )
    return list(dict.fromkeys(reasons))


def move(workflow, spec, subprocess_specs, mapping: Mapping[str, str]) -> None:
    """Point the instance and its subprocesses at ``spec`` (after :func:`check` found
    nothing). Finished tasks whose element is gone are kept as finished steps of the new
    start (they are history); what comes after a task that is not finished is predicted
    again from the new version."""
    specs = _plan(workflow, spec, subprocess_specs, mapping, "", [])
    for tid, sub in list(workflow.subprocesses.items()):
        if id(sub) not in specs:  # a finished subprocess whose activity is gone: history
            del workflow.subprocesses[tid]
    workflow.spec, workflow.subprocess_specs = spec, subprocess_specs
    for wf in _workflows(workflow):
        new_spec = specs[id(wf)]
        wf.spec = new_spec
        for task in list(wf.tasks.values()):
            new = new_spec.task_specs.get(target_name(task.task_spec.name, mapping))
            task.task_spec = new if new is not None else new_spec.start
        for task in list(wf.tasks.values()):
            if not task.state & _AT:
                continue
            for child in list(task.children):
                if child.has_state(_PREDICTED) and not child.triggered:
                    _drop(wf, task, child)


def _drop(workflow, parent, child) -> None:
    stack = [child]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        workflow.tasks.pop(node.id, None)
    if child.id in parent._children:
        parent._children.remove(child.id)
