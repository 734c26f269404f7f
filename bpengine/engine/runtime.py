"""The adapter around SpiffWorkflow: with :mod:`.frontier`, :mod:`.events`, :mod:`.scripts`
and :mod:`.clock`, the only code touching its objects.

Things SpiffWorkflow does not do the way an agency engine must, fixed here and beside:

- **Expressions** (:mod:`.scripts`). Its script environment is bare ``eval``/``exec``; ours
  goes through :mod:`bpengine.expressions`, reads timer values as ISO-8601 and runs scripts
  only for a definition deployed as trusted.
- **Clock** (:mod:`.clock`). Its timers read ``datetime.now()``; ``tick(now)`` and tests set
  the time, and a working-day calendar can stretch durations.
- **Messages** (:mod:`.events`). It pairs by name only, loses a message its catch is not yet
  waiting for, and cannot throw from a task; see there.
- **Growth.** It keeps every finished task in one tree and walks the tree on every step
  (quadratic per case; iteration stops at depth 1,000, so a long loop "completes" with a task
  still READY). :mod:`bpengine.engine.frontier` keeps only the live frontier after each step.
- **Storage.** Its serialization embeds the whole spec in every blob. :meth:`Runtime.dump`
  writes only the instance; the spec is stored once per definition (:func:`dump_spec`).
- **Livelocks.** A loop made only of gateways whose way out is false would spin until its
  depth limit and leave the case running with nothing to do. :meth:`Runtime.advance` counts
  gateway passes in a row and stops after :data:`MAX_GATEWAY_PASSES` with an error naming
  the gateways (nothing is saved; a job's failure becomes an incident on its case).
- **Case data.** Its registry revives any dict with a ``typename`` key as an object; user
  data is escaped on the way in and out instead (:mod:`.plaindata`).
"""

from __future__ import annotations

import datetime as _dt
import json
import threading
from collections.abc import Callable
from copy import deepcopy
from typing import TYPE_CHECKING
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.specs.defaults import (
    ExclusiveGateway,
    InclusiveGateway,
    IntermediateThrowEvent,
    ParallelGateway,
    ServiceTask,
)
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from ..errors import BpengineError
from ..i18n import _
from ..limits import DEFAULT_LIMITS, EngineLimits
from ..model.spiff import ensure_recursion_limit, spiff_text
from .clock import clock_at
from .events import (
    catch_elements,
    deliver,
    hand_over,
    note_throw,
    outbox,
    pools_on_message,
    settle,
    summarise,
    throwers,
)
from .frontier import (
    OpenTask,
    all_tasks,
    open_tasks,
    predict_next,
    prune,
    trim_predictions,
    unfinished,
)
from .plaindata import (
    PlainDataRegistry,
    PlainTaskConverter,
    resolve_case_data,
    share_case_data,
)
from .scripts import SafeScriptEngine

if TYPE_CHECKING:
    from .assignment import Assignment
    from .forms import FormField

__all__ = [
    "Runtime",
    "OpenTask",
    "clock_at",
    "dump_spec",
    "load_spec",
    "open_tasks",
    "predict_next",
    "STATE_FORMAT",
    "MAX_GATEWAY_PASSES",
]

#: Gateway (and throw event) passes in a row, with no task between, before a case is
#: stopped as looping for ever. No procedure passes 200 gateways without a task; the
#: SpiffWorkflow tree limit (depth 1,000) would otherwise stop it silently.
MAX_GATEWAY_PASSES = 200
_PASS_THROUGH = (ExclusiveGateway, InclusiveGateway, ParallelGateway, IntermediateThrowEvent)

Calendar = Callable[[_dt.datetime, _dt.timedelta], _dt.datetime]


# --- serialization -------------------------------------------------------------------------
class _StateConverter(BpmnWorkflowConverter):
    """The instance without its spec: the spec lives once in the definitions table."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


def _registry():
    config = deepcopy(DEFAULT_CONFIG)
    config[ServiceTask] = BpmnTaskSpecConverter  # else ServiceTask is not JSON serializable
    config[BpmnWorkflow] = _StateConverter
    config[Task] = PlainTaskConverter  # case data is plain JSON: no `typename` revival
    return BpmnWorkflowSerializer.configure(config, PlainDataRegistry())


_SERIALIZER = BpmnWorkflowSerializer(_registry())
_DUMP_LOCK = threading.Lock()
STATE_FORMAT = "bpengine-1/" + _SERIALIZER.VERSION


def dump_spec(spec, subprocess_specs) -> str:
    """JSON of a definition's specs, stored once per deployed version."""
    return json.dumps(
        {
            "spec": _SERIALIZER.to_dict(spec),
            "subprocess_specs": {k: _SERIALIZER.to_dict(v) for k, v in subprocess_specs.items()},
        }
    )


def load_spec(text: str):
    dct = json.loads(text)
    return (
        _SERIALIZER.from_dict(dct["spec"]),
        {k: _SERIALIZER.from_dict(v) for k, v in dct["subprocess_specs"].items()},
    )


class Runtime:
    """Run one case's SpiffWorkflow instance for the duration of one engine call.

    Parameters
    ----------
    spec, subprocess_specs
        The definition's specs (restored once per definition and shared between calls).
    trust_scripts : bool
        Whether script tasks may run.
    calendar : callable, optional
        ``calendar(start, duration) -> due``: stretches timer durations over working time.
    """

    def __init__(
        self,
        spec,
        subprocess_specs,
        trust_scripts=False,
        calendar=None,
        *,
        senders: dict[str, str] | None = None,
        key: str = "",
        version: int = 0,
        forms: dict[str, tuple[FormField, ...]] | None = None,
        assignments: dict[str, Assignment] | None = None,
        limits: EngineLimits = DEFAULT_LIMITS,
    ):
        self.spec, self.subprocess_specs = spec, subprocess_specs
        ensure_recursion_limit()  # SpiffWorkflow predicts long chains by recursion
        # The definition this runtime runs, its forms and assignments by task id.
        self.key, self.version = key, version
        self.forms = dict(forms or {})
        self.assignments = dict(assignments or {})
        # Tasks that hand a message over although SpiffWorkflow cannot throw from them.
        self.senders = dict(senders or {})
        # An inclusive join decides whether more branches may still arrive from the
        # predicted tasks on them: with predictions trimmed it would fire early.
        self.trim = not any(
            isinstance(task_spec, InclusiveGateway) and len(task_spec.inputs) > 1
            for process in (spec, *subprocess_specs.values())
            for task_spec in process.task_specs.values()
        )
        self.script_engine = SafeScriptEngine(trust_scripts, calendar, limits)
        for process in (spec, *subprocess_specs.values()):
            for task_spec in process.task_specs.values():
                if isinstance(task_spec, MultiInstanceTask) and task_spec.data_input is not None:
                    _bound_collection(task_spec, limits)
        self.events = summarise(spec, subprocess_specs)
        self._catchable = set(self.events["catches"]["message"])
        self.catch_elements = catch_elements(spec, subprocess_specs)
        self.pools_on_message = pools_on_message(spec)
        # End events by id: which one a case reached is its outcome.
        self.end_events = {
            task_spec.bpmn_id
            for process in (spec, *subprocess_specs.values())
            for task_spec in process.task_specs.values()
            if type(task_spec).__name__ == "EndEvent" and getattr(task_spec, "bpmn_id", None)
        }
        # Lane names (a lane zone must name one of some deployed process).
        self.lanes = {
            task_spec.lane
            for process in (spec, *subprocess_specs.values())
            for task_spec in process.task_specs.values()
            if getattr(task_spec, "lane", None)
        }

    def new(self, data: dict, *, fired_start: str | None = None) -> BpmnWorkflow:
        """A new instance with ``data``; ``fired_start``: a timer start event whose time has
        come (a schedule started this case), so the case does not wait for it again.

        SpiffWorkflow runs a cycle timer on a start event inside one instance (each tick a
        new branch of the same case); the engine's schedules start one case per tick
        instead, the way agencies count cases.
        """
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.script_engine)
        workflow.get_next_task(state=TaskState.READY).data.update(deepcopy(data))
        if fired_start is not None:
            for task in workflow.get_tasks(spec_name=fired_start):
                task._set_internal_data(event_fired=True)
                # A cycle start event predicts no children (it adds them per occurrence).
                task._sync_children(task.task_spec.outputs, TaskState.FUTURE)
        return workflow

    def restore(self, state: str, case=None) -> BpmnWorkflow:
        """The instance saved in ``state``; ``case`` (with ``.data``) backs its conditions
        and holds the large values the state refers to (see :meth:`dump`): its data must be
        the data stored beside ``state``."""
        dct = json.loads(state)
        dct.pop("format", None)
        resolve_case_data(
            dct, getattr(case, "data", None), f"case {getattr(case, 'id', None) or '(new)'}"
        )
        workflow = BpmnWorkflow(
            self.spec, self.subprocess_specs, script_engine=self.script_engine, deserializing=True
        )
        converter = _SERIALIZER.registry
        workflow.tasks = {}
        wc = _StateConverter(BpmnWorkflow, _SERIALIZER.registry)
        workflow.tasks = wc.mapping_from_dict(dct["tasks"], _uuid, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        wc.set_default_attributes(workflow, dct)
        wc.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = converter.restore(dct.pop("bpmn_events", []))
        workflow.bpe_case = case  # a plain attribute: never serialized
        return workflow

    @staticmethod
    def reuse(workflow, case) -> None:
        """Ready an instance kept from an earlier call for this one, so it runs as the
        instance :meth:`restore` would give: what it threw belonged to that call, its
        conditions now read ``case`` (the row this call loaded), and exactly its waiting
        catch events are registered, as a restore registers them (SpiffWorkflow leaves a
        catch event that went back to the future state, in a loop, registered in memory,
        and an event thrown inside the case would still reach it)."""
        outbox(workflow).clear()
        throwers(workflow).clear()
        workflow.bpe_case = case
        manager = workflow.event_manager
        manager.tasks.clear()

        def register(wf):  # the order of restore: each instance, then its subprocesses
            for task in wf.tasks.values():
                if isinstance(task.task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
                    manager.add_task(task)
            for task in wf.tasks.values():
                sub = workflow.subprocesses.get(task.id)
                if sub is not None and isinstance(task.task_spec, SubWorkflowTask):
                    register(sub)

        register(workflow)

    def differs(self, workflow, state: str, case) -> str | None:
        """What differs between a kept instance and the one :meth:`restore` reads from
        ``state`` (None: nothing). For tests: it restores, which a kept one saves."""
        if self.dump(workflow, case.data) != state:
            return "its state"
        fresh = self.restore(state, case)

        def waiting(wf):
            return [(t.task_spec.name, t.state) for t in wf.event_manager.tasks.values()]

        if list(fresh.event_manager.tasks) != list(workflow.event_manager.tasks):
            return f"the catch events it registers ({waiting(workflow)}, not {waiting(fresh)})"
        return None

    @staticmethod
    def dump(workflow, data=None) -> str:
        """The instance as JSON, without its spec. ``data``: the case data stored beside it;
        task data values equal to its large ones are stored as references to it (once per
        case row, not twice), so :meth:`restore` must be given a case with that data."""
        # The registry's encoder flag is global state: threads must not interleave here.
        with _DUMP_LOCK:
            _SERIALIZER.registry._encoder_mode = True
            try:
                dct = _SERIALIZER.to_dict(workflow)
            finally:
                _SERIALIZER.registry._encoder_mode = False
        share_case_data(dct, data)
        dct["format"] = STATE_FORMAT
        return json.dumps(dct, cls=_SERIALIZER._encoder_cls, separators=(",", ":"))

    def advance(self, workflow) -> set[str]:
        """Run engine steps until only waiting work is left; return ids of tasks completed.

        Raises
        ------
        ExpressionError
            A condition or timer value in the model failed (nothing is saved by the caller).
        BpengineError
            SpiffWorkflow could not continue (e.g. no gateway flow matched).
        """
        finished: set[str] = set()
        passes: dict[str, str] = {}  # gateways passed since the last task: id -> name

        def did_complete(task):
            finished.add(str(task.id))
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            if bpmn_id:
                finished.add("@" + bpmn_id)  # see store.sync_task_rows
                _count_pass(task, bpmn_id, passes)
            note_throw(task)
            self._hand_over(task)

        try:
            workflow.do_engine_steps(
                will_complete_task=predict_next, did_complete_task=did_complete
            )
            while settle(workflow, self._catchable):  # a kept message met its catch
                workflow.do_engine_steps(
                    will_complete_task=predict_next, did_complete_task=did_complete
                )
        except BpengineError:
            raise
        except SpiffWorkflowException as exc:
            raise BpengineError(
                _("the engine could not continue: {why}").format(why=_describe(exc))
            ) from None
        except Exception as exc:  # SpiffWorkflow fails on odd models with bare exceptions
            raise BpengineError(
                _("the engine could not continue: {error}: {exc}").format(
                    error=type(exc).__name__, exc=spiff_text(exc)
                )
            ) from None
        prune(workflow)
        if self.trim:
            trim_predictions(workflow)
        # SpiffWorkflow's iteration stops at depth 1,000 and then claims completion; with the
        # trunk pruned that cannot happen, but never report a case done that is not.
        if workflow.is_completed() and any(unfinished(t) for t in all_tasks(workflow)):
            raise BpengineError(_("internal: the workflow reports completion with work left"))
        return finished

    def run_task(self, task, data: dict | None = None, *, started: bool = False) -> None:
        """Complete a ready user task (or a started service task) with ``data``.

        A task that writes a data object (a document: "formulir cuti") and is completed
        without a value for it records the document as present (``True``); SpiffWorkflow
        would stop with an error naming an internal variable.

        Raises
        ------
        ExpressionError, BpengineError
            The step failed; the caller discards the workflow (nothing is saved).
        """
        task.data.update(data or {})
        for output in getattr(task.task_spec, "data_output_associations", None) or ():
            task.data.setdefault(output.bpmn_id, True)
        parent_spec = getattr(task.parent, "task_spec", None)
        if (
            isinstance(parent_spec, MultiInstanceTask)
            and parent_spec.output_item is None
            and parent_spec.input_item is not None
        ):
            # Without an output item SpiffWorkflow merges the instance's data into the
            # multi-instance task, input item included, and a sequential one then refuses
            # its next instance ("input item already exists"): the item is the instance's.
            task.data.pop(parent_spec.input_item.bpmn_id, None)
        predict_next(task)
        try:
            task.complete() if started else task.run()
            self._hand_over(task)
        except BpengineError:
            raise
        except Exception as exc:  # SpiffWorkflow's own errors, or odd models
            raise BpengineError(
                _("{bpmn_id}: the engine could not complete this task: {why}").format(
                    bpmn_id=task.task_spec.bpmn_id, why=_describe(exc)
                )
            ) from None

    def _hand_over(self, task) -> None:
        """A task drawn with a message flow out of it (an officer carrying the file) throws
        that message when it completes, as a throw event would."""
        name = self.senders.get(getattr(task.task_spec, "bpmn_id", None) or "")
        if name is not None and task.state == TaskState.COMPLETED:
            hand_over(task, name)

    def checkpoint(self, workflow) -> tuple:
        """What :meth:`rollback` needs to undo the steps after this point (a failed job)."""
        case = getattr(workflow, "bpe_case", None)
        # the case's data now is what the rollback restores it to before reading this back
        return (
            self.dump(workflow, getattr(case, "data", None)),
            list(outbox(workflow)),
            dict(throwers(workflow)),
            case,
        )

    def rollback(self, checkpoint: tuple):
        """The workflow as it was at ``checkpoint``, with what it had thrown by then; its
        conditions still read the case's data (as :meth:`restore` was given it)."""
        state, thrown, by, case = checkpoint
        workflow = self.restore(state, case)
        outbox(workflow).extend(thrown)
        throwers(workflow).update(by)
        return workflow

    @staticmethod
    def throw_error(task, code: str, payload: dict) -> bool:
        """Let an error boundary event on the started ``task`` catch BPMN error ``code``;
        return whether one did (one with that ``errorCode``, or one without a code)."""
        parent = task.parent
        for sibling in parent.children if parent is not None else ():
            spec = sibling.task_spec
            definition = getattr(spec, "event_definition", None)
            if (
                sibling is task
                or sibling.state != TaskState.WAITING
                or not isinstance(definition, ErrorEventDefinition)
                or definition.code not in (None, "", code)
            ):
                continue
            event = BpmnEvent(ErrorEventDefinition(code, code=code), payload=deepcopy(payload))
            spec.catch(sibling, event)
            spec._update(sibling)
            return True
        return False

    @staticmethod
    def patch_data(workflow, data: dict, task_ids) -> None:
        """Merge ``data`` into the data of these tasks (an administrator's fix before a
        retry); a boundary timer's data is its activity's, so both get it."""
        wanted = {str(t) for t in task_ids}
        for task in all_tasks(workflow):
            if str(task.id) in wanted or (
                task.parent is not None and str(task.parent.id) in wanted
            ):
                task.data.update(deepcopy(data))
            if str(task.id) in wanted and task.parent is not None:
                for sibling in task.parent.children:  # the activity a boundary event is on
                    sibling.data.update(deepcopy(data))

    @staticmethod
    def instance_slot(task) -> tuple[str, object, str | None] | None:
        """Where one instance of a multi-instance task puts its output in the case data:
        ``(collection name, index or key, output item name or None)``; None for a task
        that is not such an instance.

        With ``loopDataOutputRef``/``outputDataItem`` the collection is the output ref and
        each instance contributes its output item; without them, the collection is named
        after the element and each instance contributes all its data. Either way the
        entries stand in the order of the input collection (the reviewer's place), not in
        the order people happened to finish.
        """
        parent = task.parent
        spec = getattr(parent, "task_spec", None)
        if not isinstance(spec, MultiInstanceTask) or task.task_spec.name != spec.task_spec:
            return None
        index = task.internal_data.get("key_or_index", task.internal_data.get("item"))
        if not isinstance(index, (int, str)) or isinstance(index, bool):
            index = [c.id for c in parent.children if c.task_spec is task.task_spec].index(task.id)
        if spec.data_output is not None and spec.output_item is not None:
            return spec.data_output.bpmn_id, index, spec.output_item.bpmn_id
        return spec.bpmn_id, index, None

    @staticmethod
    def share(workflow, name: str, value) -> None:
        """Put the case's ``name`` into every task that holds one, so conditions reading the
        task's data see the case's (ordered) collection, not SpiffWorkflow's own."""
        for task in all_tasks(workflow):
            if name in task.data:
                task.data[name] = deepcopy(value)

    @staticmethod
    def is_ready(task) -> bool:
        return task.state == TaskState.READY

    @staticmethod
    def is_started(task) -> bool:
        return task.state == TaskState.STARTED

    def fire_timers(self, workflow) -> set[str]:
        """Fire timers due at the engine clock, then continue; return completed task ids."""
        workflow.refresh_timers()
        return self.advance(workflow)

    def begin(self, workflow, trigger, key: str) -> tuple[list[str], set[str]]:
        """Run a new instance up to its first wait; with ``trigger`` = ``(kind, name,
        payload)`` the start event catches it. Return (elements that caught it, finished).

        Raises
        ------
        BpengineError
            No trigger for a collaboration whose pools all start on a message, or the
            trigger was not caught.
        """
        if self.pools_on_message:  # nothing runs before the message: deliver it first
            if not trigger:
                raise BpengineError(
                    _(
                        "{key}: every pool starts on a message ({events}); start "
                        "a case by delivering one with correlate()"
                    ).format(key=key, events=", ".join(self.events["starts"]["message"]))
                )
            caught, finished = self.deliver(workflow, *trigger)
        else:
            finished = self.advance(workflow)
            caught = []
            if trigger:
                caught, more = self.deliver(workflow, *trigger)
                finished |= more
        if trigger and not caught:
            raise BpengineError(
                _("internal: the start event of {key} did not catch {kind} {name!r}").format(
                    key=key, kind=trigger[0], name=trigger[1]
                )
            )
        return caught, finished

    def deliver(
        self,
        workflow,
        kind: str,
        name: str,
        payload: dict,
        *,
        every: bool = False,
        elements: set[str] | None = None,
    ) -> tuple[list[str], set[str]]:
        """Deliver a message or signal from outside; return (elements that caught it,
        ids of tasks completed by the step it set off)."""
        caught = deliver(workflow, kind, name, payload, every=every, elements=elements)
        if not caught:
            return [], set()
        return caught, self.advance(workflow) | {"@" + e for e in caught}

    @staticmethod
    def thrown(workflow) -> list:
        """Take ``(kind, name, payload, element id)`` thrown for others since the last call."""
        found = list(outbox(workflow))
        outbox(workflow).clear()
        return found

    @staticmethod
    def find(workflow, task_id: str):
        """The task with this id (as :func:`all_tasks` yields it), or None."""
        try:
            key = _uuid(task_id)
        except (TypeError, ValueError, AttributeError):
            return None
        if str(key) != task_id:  # only the form str(task.id) gives (rows store that)
            return None
        # by key, not by walking every task and formatting its id
        for tasks in (workflow.tasks, *(sub.tasks for sub in workflow.subprocesses.values())):
            task = tasks.get(key)
            if task is not None:
                return task
        return None

    @staticmethod
    def completed(workflow) -> bool:
        return workflow.is_completed()


def _count_pass(task, bpmn_id: str, passes: dict) -> None:
    """Count a gateway pass; a task in between starts the count again."""
    if not isinstance(task.task_spec, _PASS_THROUGH):
        passes.clear()
        return
    passes[bpmn_id] = getattr(task.task_spec, "bpmn_name", None) or ""
    passes["#"] = passes.get("#", 0) + 1
    if passes["#"] > MAX_GATEWAY_PASSES:
        loop = ", ".join(f"{k} ({v!r})" if v else k for k, v in sorted(passes.items()) if k != "#")
        raise BpengineError(
            _(
                "the case loops through {gateways} without reaching a task (more than {n} "
                "gateway passes in a row): no way out of this loop holds for the case data; "
                "nothing was saved (see soundness: livelock)"
            ).format(gateways=loop, n=MAX_GATEWAY_PASSES)
        )


def _bound_collection(task_spec, limits: EngineLimits) -> None:
    """Refuse a multi-instance input collection longer than ``limits.instances`` when the
    activity reads it, before SpiffWorkflow creates a task per item."""
    source = task_spec.data_input
    read = source.get

    def get(task):
        value = read(task)
        if hasattr(value, "__len__"):
            limits.check_instances(
                len(value), task_spec.bpmn_id, _("the length of {id!r}").format(id=source.bpmn_id)
            )
        return value

    source.get = get  # this spec's reference only: the specs belong to this runtime


def _describe(exc) -> str:
    spec = getattr(exc, "task_spec", None)
    where = getattr(spec, "bpmn_id", None)
    text = spiff_text(exc).strip()
    if text.startswith("No conditions satisfied") and spec is not None:
        # SpiffWorkflow names only the gateway; say what was tested and what would help (QA)
        tested = [
            str((getattr(c, "args", None) or [c])[0])
            for c, _out in getattr(spec, "cond_task_specs", ())
            if c is not None
        ]
        return _(
            "{gateway}: no condition on its outgoing flows holds for this case's data "
            "({conditions}) and it has no default flow: send data that meets one of "
            "them, or draw a default flow"
        ).format(gateway=where, conditions="; ".join(tested) or "-")
    return f"{where}: {text}" if where and where not in text else text


def _uuid(value):
    return UUID(value)
