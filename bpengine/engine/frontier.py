"""The live frontier of a SpiffWorkflow instance: what to keep, what to show.

SpiffWorkflow keeps every finished task in one tree and predicts every future task of a
branch, then walks the whole tree on every step: a step costs as much as the case so far
plus the rest of the process, and iteration stops at depth 1,000 (a long loop "completes"
with a task still READY). After each step we cut the finished trunk above the frontier
(:func:`prune`) and keep one level of predictions below it (:func:`trim_predictions`,
rebuilt by :func:`predict_next` just before a task runs), so a step costs the same at task
5 and task 500. Our audit table, not the tree, is the history.

:func:`open_tasks` lists what the database mirrors as task rows.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.util.task import TaskState

__all__ = [
    "prune",
    "trim_predictions",
    "predict_next",
    "open_tasks",
    "all_tasks",
    "unfinished",
    "OpenTask",
    "waits",
]


def unfinished(task) -> bool:
    return not task.has_state(TaskState.FINISHED_MASK)


def _join_arrivals(workflow) -> list:
    """Cancelled join tasks that still record a branch's arrival at a join not yet fired.

    SpiffWorkflow remembers that a branch reached a parallel/inclusive join by keeping that
    branch's join task CANCELLED under a COMPLETED parent; dropping it would make the join
    wait forever. An arrival is spent once a task of the same join has completed after it.
    """
    fired: dict[str, float] = {}
    for task in workflow.tasks.values():
        if task.state == TaskState.COMPLETED and isinstance(task.task_spec, UnstructuredJoin):
            name = task.task_spec.name
            fired[name] = max(fired.get(name, 0.0), task.last_state_change)
    return [
        t
        for t in workflow.tasks.values()
        if t.state == TaskState.CANCELLED
        and isinstance(t.task_spec, UnstructuredJoin)
        and t.last_state_change > fired.get(t.task_spec.name, -1.0)
    ]


def prune(workflow) -> int:
    """Drop finished tasks above the live frontier; return how many were removed.

    The new root is the parent of the lowest common ancestor of every unfinished task and
    every pending join arrival (one finished task is kept above it so code that looks at
    ``task.parent`` still finds one). Joins, boundary events and loops only look at tasks
    below that point. Each running subprocess (a collaboration's pool, a call activity) is
    pruned the same way inside itself: a pool that ran 30 steps would otherwise be saved and
    restored whole on every step.
    """
    dropped = _prune(workflow, workflow)
    for tid, sub in list(workflow.subprocesses.items()):
        if tid not in workflow.subprocesses:
            continue  # pruning a pool above dropped it with the finished task that ran it
        if not sub.completed:
            dropped += _prune(sub, workflow)
        elif _finished_task(workflow, tid):
            # Its task took the result when it completed: nothing reads the pool again.
            del workflow.subprocesses[tid]
            dropped += len(sub.tasks)
    return dropped


def _finished_task(top, task_id) -> bool:
    for wf in (top, *top.subprocesses.values()):
        task = wf.tasks.get(task_id)
        if task is not None:
            return task.state == TaskState.COMPLETED
    return True  # its task was pruned away already


def _prune(workflow, top) -> int:
    """Prune one (sub)workflow's tree; ``top`` holds every subprocess, keyed by the id of
    the task that runs it."""
    live = [t for t in workflow.tasks.values() if unfinished(t)]
    if not live:
        return 0
    live.extend(_join_arrivals(workflow))
    common: list[Any] | None = None
    for task in live:
        chain = []
        node = task
        while node is not None:
            chain.append(node.id)
            node = node.parent
        chain.reverse()
        if common is None:
            common = chain
        else:
            n = 0
            while n < min(len(common), len(chain)) and common[n] == chain[n]:
                n += 1
            common = common[:n]
    if common is None or len(common) < 3:
        return 0
    new_root = workflow.tasks[common[-2]]
    keep = set()
    stack = [new_root]
    while stack:
        node = stack.pop()
        keep.add(node.id)
        stack.extend(node.children)
    dropped = [tid for tid in workflow.tasks if tid not in keep]
    for tid in dropped:
        sub = top.subprocesses.get(tid)
        if sub is not None and not sub.completed:
            return 0  # a live subprocess hangs off a finished task: keep everything
    for tid in dropped:
        top.subprocesses.pop(tid, None)
        del workflow.tasks[tid]
    new_root._parent = None
    workflow.task_tree = new_root
    if workflow.last_task is not None and workflow.last_task.id not in keep:
        workflow.last_task = None
    return len(dropped)


_PREDICTED = TaskState.PREDICTED_MASK | TaskState.FUTURE


def trim_predictions(workflow) -> int:
    """Keep one level of predicted tasks below the live frontier; return how many were dropped.

    SpiffWorkflow predicts every future task of a branch when the branch starts, so each step
    costs as much as the rest of the process. Predictions are rebuilt one level at a time
    by :func:`predict_next` just before a task runs.
    """
    dropped = 0
    for wf in (workflow, *workflow.subprocesses.values()):
        doomed = [
            t
            for t in wf.tasks.values()
            if t.has_state(_PREDICTED)
            and t.parent is not None
            and t.parent.has_state(_PREDICTED)
            and not t.triggered
        ]
        for task in doomed:
            if task.id in wf.tasks:
                parent = task.parent
                stack = [task]
                while stack:
                    node = stack.pop()
                    stack.extend(node.children)
                    wf.tasks.pop(node.id, None)
                    dropped += 1
                if parent is not None and task.id in parent._children:
                    parent._children.remove(task.id)
    return dropped


def predict_next(task) -> None:
    """Give ``task`` its children (one level) before it runs, if trimming removed them."""
    if not task._children and task.task_spec.outputs:
        task.task_spec._predict_hook(task)


# --- the frontier the database mirrors -------------------------------------------------------
class OpenTask:
    """A task the outside world can act on or wait for (mirrored as a row)."""

    __slots__ = ("id", "element_id", "name", "kind", "due", "lane", "message", "data")

    def __init__(self, id, element_id, name, kind, lane=None, due=None, message=None, data=None):
        self.id, self.element_id, self.name, self.kind = id, element_id, name, kind
        self.lane, self.due, self.message = lane, due, message
        self.data = data  # a user task's own data (a multi-instance item), not copied


def all_tasks(workflow):
    yield from workflow.tasks.values()
    for sub in workflow.subprocesses.values():
        yield from sub.tasks.values()


def waits(task) -> list[tuple[str, Any, Any]]:
    """What a WAITING catch task waits for: ``(kind, event definition, branch spec)`` each.

    An event-based gateway (and a multiple event) holds its branches' definitions in order
    of its outgoing flows; each branch is reported on its own, under the branch's element.
    """
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        outputs = task.task_spec.outputs
        parts = [
            (d, outputs[i] if len(outputs) == len(definition.event_definitions) else task.task_spec)
            for i, d in enumerate(definition.event_definitions)
        ]
    else:
        parts = [(definition, task.task_spec)]
    found = []
    for part, spec in parts:
        if isinstance(part, TimerEventDefinition):
            found.append(("timer", part, spec))
        elif isinstance(part, MessageEventDefinition):
            found.append(("message", part, spec))
        elif isinstance(part, SignalEventDefinition):
            found.append(("signal", part, spec))
    return found


def _row_id(task, kind: str, index: int) -> str:
    # The first thing a task waits for is mirrored under the task's own id (what the timer
    # sweep and `finished` know); further branches of an event-based gateway get stable ids
    # derived from it.
    if index == 0:
        return str(task.id)
    return str(uuid.uuid5(task.id, f"{kind}:{index}"))


def open_tasks(workflow) -> list[OpenTask]:
    """Ready manual tasks (``user``), started service tasks (``service``), and what waiting
    catch events wait for: ``timer``, ``message``, ``signal``."""
    found = []
    for task in all_tasks(workflow):
        spec = task.task_spec
        bpmn_id = getattr(spec, "bpmn_id", None)
        if bpmn_id is None:
            continue
        if task.state == TaskState.READY and spec.manual:
            found.append(
                OpenTask(
                    str(task.id),
                    bpmn_id,
                    spec.bpmn_name or bpmn_id,
                    "user",
                    lane=getattr(spec, "lane", None),
                    data=task.data,
                )
            )
        elif task.state == TaskState.STARTED and isinstance(spec, ServiceTask):
            found.append(
                OpenTask(
                    str(task.id),
                    bpmn_id,
                    spec.bpmn_name or bpmn_id,
                    "service",
                    lane=getattr(spec, "lane", None),
                )
            )
        elif task.state == TaskState.WAITING:
            for index, (kind, definition, branch) in enumerate(waits(task)):
                element = getattr(branch, "bpmn_id", None) or bpmn_id
                name = getattr(branch, "bpmn_name", None) or element
                found.append(
                    OpenTask(
                        _row_id(task, kind, index),
                        element,
                        name,
                        kind,
                        lane=getattr(branch, "lane", None) or getattr(spec, "lane", None),
                        due=_timer_due(task) if kind == "timer" else None,
                        message=None if kind == "timer" else definition.name,
                    )
                )
    return found


def _timer_due(task) -> _dt.datetime | None:
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):
        value = value.get("next")
    if not isinstance(value, str):
        return None
    try:
        return TimerEventDefinition.get_datetime(value)
    except ValueError:
        return None
