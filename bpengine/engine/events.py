"""Messages and signals inside one SpiffWorkflow instance: what a definition starts on and
waits for, delivering one from outside, and collecting what a step threw.

SpiffWorkflow delivers a thrown message only to a catch that is waiting at that moment;
one that is not yet waiting loses it (it lands in ``bpmn_events`` and is never looked at
again). In a collaboration the receiving pool is often a step behind ("Menyerahkan berkas"
before the kecamatan reaches "Menerima berkas"), so :func:`settle` keeps such a message
with the case and offers it again after every step. A thrown signal is broadcast inside
the case by SpiffWorkflow; :func:`settle` also notes it so the engine broadcasts it to other
cases. Everything else the step threw for nobody in the case is handed to the engine as
outgoing (another case or the application takes it).
"""

from __future__ import annotations

from copy import deepcopy

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent, ThrowingEvent
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.util.task import TaskState

from .frontier import waits

__all__ = [
    "summarise",
    "pools_on_message",
    "catch_elements",
    "deliver",
    "hand_over",
    "note_throw",
    "settle",
    "outbox",
    "KINDS",
]

KINDS = {MessageEventDefinition: "message", SignalEventDefinition: "signal"}
_OUTBOX = "_bpe_outbox"  # plain attributes of the live workflow; never serialized
_THROWERS = "_bpe_throwers"


def _kind(definition) -> str | None:
    for cls, kind in KINDS.items():
        if isinstance(definition, cls):
            return kind
    return None


def summarise(spec, subprocess_specs) -> dict:
    """What a definition starts on and catches, by kind (stored with the definition).

    ``starts`` lists the top-level start events of a single process (a collaboration's
    pools start with the case, unless every pool starts on a message: then those messages
    start it); ``catches`` every message and signal any element waits for.
    """
    starts: dict[str, list] = {"message": [], "signal": [], "timer": []}
    catches: dict[str, set] = {"message": set(), "signal": set()}
    for process in (spec, *subprocess_specs.values()):
        for task_spec in process.task_specs.values():
            if not isinstance(task_spec, CatchingEvent):
                continue
            definition = task_spec.event_definition
            for part in getattr(definition, "event_definitions", None) or [definition]:
                kind = _kind(part)
                if kind:
                    catches[kind].add(part.name)
    tops = list(spec.bpmn_start_events)
    if not tops and pools_on_message(spec):  # every pool waits for a message: one starts it
        tops = [
            s for name in spec.start.trigger_specs for s in subprocess_specs[name].bpmn_start_events
        ]
    for start in tops:
        definition = start.event_definition
        kind = _kind(definition)
        if kind:
            starts[kind].append(definition.name)
        elif isinstance(definition, TimerEventDefinition):
            starts["timer"].append([start.bpmn_id, definition.expression])
    return {"starts": starts, "catches": {k: sorted(v) for k, v in catches.items()}}


def pools_on_message(spec) -> bool:
    """A collaboration none of whose pools starts with the case: a message starts it."""
    return bool(getattr(spec.start, "trigger_specs", None)) and all(
        name == spec.end.name for name in spec.start._outputs
    )


def catch_elements(spec, subprocess_specs) -> dict[str, tuple[str, str]]:
    """Element id -> ``(kind, name)`` of every element that catches a message or signal.

    The branches of an event-based gateway are listed under their own ids (SpiffWorkflow
    moves their definitions onto the gateway, in the order of its outgoing flows).
    """
    found = {}
    for process in (spec, *subprocess_specs.values()):
        for task_spec in process.task_specs.values():
            if not isinstance(task_spec, CatchingEvent):
                continue
            definition = task_spec.event_definition
            parts = getattr(definition, "event_definitions", None)
            if parts is None:
                parts, specs = [definition], [task_spec]
            else:
                specs = (
                    task_spec.outputs
                    if len(task_spec.outputs) == len(parts)
                    else [task_spec] * len(parts)
                )
            for part, branch in zip(parts, specs, strict=True):
                kind = _kind(part)
                if kind:
                    found[branch.bpmn_id] = (kind, part.name)
    return found


def deliver(
    workflow,
    kind: str,
    name: str,
    payload: dict,
    *,
    every: bool = False,
    elements: set[str] | None = None,
) -> list[str]:
    """Let waiting catch events of ``kind``/``name`` catch it; return the elements that did.

    A message goes to one catch (the oldest waiting, or one of ``elements``); a signal to
    every catch that waits for it (``every``). The payload is merged into the catching
    task's data. The caller advances the workflow afterwards.
    """
    caught = []
    if pools_on_message(workflow.spec) and not workflow.subprocesses:
        # A collaboration whose pools all start on a message: SpiffWorkflow starts the pool
        # that catches it (update_collaboration) only through its own catch.
        definition = (MessageEventDefinition if kind == "message" else SignalEventDefinition)(name)
        pools = len(workflow.subprocesses)
        workflow.catch(BpmnEvent(definition, payload=deepcopy(payload)))
        if len(workflow.subprocesses) == pools:
            return []
        return [
            start.bpmn_id
            for pool in workflow.spec.start.trigger_specs
            for start in workflow.subprocess_specs[pool].bpmn_start_events
            if getattr(start.event_definition, "name", None) == name
        ]
    tasks = sorted(workflow.event_manager.tasks.values(), key=lambda t: t.last_state_change)
    for task in tasks:
        if task.state != TaskState.WAITING:
            continue
        for part_kind, definition, branch in waits(task):
            element = getattr(branch, "bpmn_id", None) or task.task_spec.bpmn_id
            if part_kind != kind or definition.name != name:
                continue
            if elements is not None and element not in elements:
                continue
            event = BpmnEvent(definition, payload=deepcopy(payload))
            task.task_spec.catch(task, event)
            task.task_spec._update(task)
            caught.append(element)
            break
        if caught and not every:
            break
    return caught


def note_throw(task) -> None:
    """``did_complete`` hook: remember a signal thrown by ``task`` for other cases."""
    spec = task.task_spec
    if isinstance(spec, ThrowingEvent):
        definition = spec.event_definition
        top = task.workflow.top_workflow
        for part in getattr(definition, "event_definitions", None) or [definition]:
            if isinstance(part, SignalEventDefinition):
                outbox(top).append(("signal", part.name, {}, spec.bpmn_id))
            elif isinstance(part, MessageEventDefinition):
                throwers(top)[part.name] = spec.bpmn_id  # for the outgoing message's audit


def throwers(workflow) -> dict:
    """Message name -> the element that last threw it in this call."""
    found = getattr(workflow, _THROWERS, None)
    if found is None:
        found = {}
        setattr(workflow, _THROWERS, found)
    return found


def hand_over(task, name: str) -> None:
    """Throw message ``name`` from a completed task, with the task's data as payload."""
    top = task.workflow.top_workflow
    throwers(top)[name] = task.task_spec.bpmn_id
    top.catch(BpmnEvent(MessageEventDefinition(name), payload=deepcopy(task.data)))


def outbox(workflow) -> list:
    """``(kind, name, payload, element id)`` thrown for others by the steps of this call."""
    found = getattr(workflow, _OUTBOX, None)
    if found is None:
        found = []
        setattr(workflow, _OUTBOX, found)
    return found


def settle(workflow, catchable: set[str]) -> bool:
    """Sort what SpiffWorkflow could not deliver; return whether a kept message was caught.

    A message that some element of this definition catches (``catchable``) stays with the
    case until a catch waits for it; any other message is outgoing. Signals were noted when
    thrown (:func:`note_throw`) and are dropped here.
    """
    kept, caught = [], False
    for event in workflow.bpmn_events:
        definition = event.event_definition
        kind = _kind(definition)
        if kind == "signal":
            continue
        if kind != "message":
            kept.append(event)  # errors and escalations: as SpiffWorkflow left them
        elif definition.name in catchable:
            if not caught and deliver(workflow, "message", definition.name, event.payload or {}):
                caught = True
            else:
                kept.append(event)
        else:
            outbox(workflow).append(
                (
                    "message",
                    definition.name,
                    event.payload or {},
                    throwers(workflow).get(definition.name),
                )
            )
    workflow.bpmn_events = kept
    return caught
