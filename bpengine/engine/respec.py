"""Moving a SpiffWorkflow instance to another version of its spec (case migration).

With :mod:`.runtime` and :mod:`.frontier`, code that touches SpiffWorkflow's objects. An
instance is a tree of tasks, each pointing at a task spec by name (the BPMN id, or names
SpiffWorkflow derives from it such as ``T.BoundaryEventSplit``). Moving it means pointing
every task at the spec of the same (or mapped) element in the new version, then letting the
new version predict what comes next. That is safe only where the case *is* exists in the
new version with the same kind, and where no parallel join lies ahead that would wait for a
branch the case never started; :func:`check` says why a case cannot move, in words.
"""

from __future__ import annotations

from collections.abc import Mapping

from SpiffWorkflow.bpmn.specs.defaults import InclusiveGateway, ParallelGateway
from SpiffWorkflow.util.task import TaskState

from ..i18n import _
from .frontier import all_tasks

__all__ = ["check", "move", "target_name"]

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


def check(workflow, spec, subprocess_specs, mapping: Mapping[str, str], version: str) -> list[str]:
    """Why this instance cannot move to ``spec`` (empty: it can). ``version`` names the new
    version in the reasons (``"v2"``)."""
    reasons = []
    if workflow.subprocesses:
        return [
            _(
                "it is inside a subprocess, call activity or pool; moving such cases is not "
                "supported"
            )
        ]
    for task in workflow.tasks.values():
        old = task.task_spec
        new = spec.task_specs.get(target_name(old.name, mapping))
        if task.state & _AT:
            if new is None:
                hint = (
                    ""
                    if old.name in mapping
                    else _(" (map it to an element of {version}: {id}=NEW_ID)").format(
                        version=version, id=getattr(old, "bpmn_id", old.name)
                    )
                )
                reasons.append(
                    _("it waits at {label}, which {version} removes{hint}").format(
                        label=_label(old), version=version, hint=hint
                    )
                )
            elif type(new) is not type(old):
                reasons.append(
                    _("it waits at {label}, a {here} here but a {there} in {version}").format(
                        label=_label(old),
                        here=type(old).__name__,
                        there=type(new).__name__,
                        version=version,
                    )
                )
            else:
                ahead = {target_name(n, mapping) for n in _open_joins(workflow.spec, old)}
                for join in sorted(_open_joins(spec, new) - ahead):
                    reasons.append(
                        _(
                            "from {label} it would reach the parallel join {join} "
                            "of {version} without the branch that started it"
                        ).format(
                            label=_label(old), join=_label(spec.task_specs[join]), version=version
                        )
                    )
        elif task.state == TaskState.CANCELLED and isinstance(old, _JOINS) and new is None:
            reasons.append(
                _("a branch has reached the join {label}, which {version} removes").format(
                    label=_label(old), version=version
                )
            )
    return list(dict.fromkeys(reasons))


def move(workflow, spec, subprocess_specs, mapping: Mapping[str, str]) -> None:
    """Point the instance at ``spec`` (after :func:`check` found nothing). Finished tasks
    whose element is gone are kept as finished steps of the new start (they are history);
    what comes after a task that is not finished is predicted again from the new version."""
    workflow.spec, workflow.subprocess_specs = spec, subprocess_specs
    for task in list(all_tasks(workflow)):
        new = spec.task_specs.get(target_name(task.task_spec.name, mapping))
        task.task_spec = new if new is not None else spec.start
    for task in list(workflow.tasks.values()):
        if not task.state & _AT:
            continue
        for child in list(task.children):
            if child.has_state(_PREDICTED) and not child.triggered:
                _drop(workflow, task, child)


def _drop(workflow, parent, child) -> None:
    stack = [child]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        workflow.tasks.pop(node.id, None)
    if child.id in parent._children:
        parent._children.remove(child.id)
