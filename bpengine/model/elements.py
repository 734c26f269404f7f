"""The parts of a process model: flow nodes, flows, lanes, pools and data.

Plain frozen dataclasses: a consumer reads them, nobody changes them. Source line numbers
are kept for error messages but take no part in equality, so a model written back and
loaded again compares equal to the original.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ACTIVITY_KINDS",
    "TASK_KINDS",
    "GATEWAY_KINDS",
    "EVENT_KINDS",
    "SUBPROCESS_KINDS",
    "SYSTEM_TASK_KINDS",
    "FLOW_NODE_KINDS",
    "Element",
    "Flow",
    "MessageFlow",
    "Lane",
    "Pool",
    "DataObject",
    "ProcessInfo",
]

TASK_KINDS = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "scriptTask",
        "businessRuleTask",
    }
)
SUBPROCESS_KINDS = frozenset({"subProcess", "transaction", "adHocSubProcess"})
#: tasks a system does (the simulator runs them around the clock with no staff of a lane)
SYSTEM_TASK_KINDS = frozenset(
    {"serviceTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask"}
)
ACTIVITY_KINDS = TASK_KINDS | SUBPROCESS_KINDS | {"callActivity"}
GATEWAY_KINDS = frozenset(
    {
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
EVENT_KINDS = frozenset(
    {
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
    }
)
FLOW_NODE_KINDS = ACTIVITY_KINDS | GATEWAY_KINDS | EVENT_KINDS


@dataclass(frozen=True)
class Element:
    """A flow node: activity, gateway or event.

    Attributes
    ----------
    id, name, kind : str
        ``kind`` is the BPMN tag's local name (``userTask``, ``exclusiveGateway``, ...).
    process : str
        Id of the process that contains it.
    pool : str or None
        Name of the participant (pool) drawn around that process, if any.
    lane : str or None
        Name of the innermost lane; ``lane_id`` its id; ``lane_path`` lane names outer to inner.
    scope : str or None
        Id of the enclosing subprocess; ``None`` at process level.
    incoming, outgoing : tuple of str
        Sequence flow ids.
    default_flow : str or None
        The gateway's or activity's default outgoing flow.
    event : str or None
        Event definition (``timer``, ``message``, ``error``, ``signal``, ``escalation``,
        ``conditional``, ``link``, ``terminate``, ``compensate``, ``cancel``); ``None`` for a
        plain event or non-event.
    event_value : str or None
        Timer expression (``P3D``...), message/signal/error name, or link name.
    attached_to : str or None
        For a boundary event, the activity it sits on; ``cancel_activity`` says if it interrupts.
    triggered_by_event : bool
        An event subprocess (entered by its start event's trigger, not by a flow).
    for_compensation : bool
        A compensation handler (entered by compensation, not by a flow).
    called_element : str or None
        For a call activity, the process id it calls.
    loop : str or None
        ``standard``, ``parallel`` or ``sequential`` (multi-instance) loop characteristics.
    reads, writes : tuple of str
        Names of data objects/stores read (input association) and written (output association).
    approval : bool or None
        Explicit ``bpe:approval`` attribute; ``None`` when absent (see :mod:`.approval`).
    mandatory : bool
        ``bpe:mandatory="true"``: a step the law requires; never removed by a redesign.
    extensions : tuple of (str, str)
        All ``bpe:`` attributes as (local name, value) pairs.
    """

    id: str
    name: str
    kind: str
    process: str
    pool: str | None = None
    lane: str | None = None
    lane_id: str | None = None
    lane_path: tuple[str, ...] = ()
    scope: str | None = None
    incoming: tuple[str, ...] = ()
    outgoing: tuple[str, ...] = ()
    default_flow: str | None = None
    event: str | None = None
    event_value: str | None = None
    attached_to: str | None = None
    cancel_activity: bool = True
    triggered_by_event: bool = False
    for_compensation: bool = False
    called_element: str | None = None
    loop: str | None = None
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    documentation: str = ""
    approval: bool | None = None
    mandatory: bool = False
    extensions: tuple[tuple[str, str], ...] = ()
    line: int | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        """Name if it has one, else id: what a person should read in a message."""
        return self.name or self.id

    @property
    def is_activity(self) -> bool:
        return self.kind in ACTIVITY_KINDS

    @property
    def is_task(self) -> bool:
        return self.kind in TASK_KINDS

    @property
    def is_gateway(self) -> bool:
        return self.kind in GATEWAY_KINDS

    @property
    def is_event(self) -> bool:
        return self.kind in EVENT_KINDS

    @property
    def is_subprocess(self) -> bool:
        return self.kind in SUBPROCESS_KINDS


@dataclass(frozen=True)
class Flow:
    """A sequence flow between two flow nodes of the same scope."""

    id: str
    source: str
    target: str
    process: str
    name: str = ""
    condition: str | None = None
    is_default: bool = False
    scope: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class MessageFlow:
    """A message flow between pools (participants) or nodes in different pools.

    ``extensions`` holds its ``bpe:`` attributes (``handover``: paper or data); what it
    joins and carries is resolved by :mod:`bpengine.model.handover`.
    """

    id: str
    source: str
    target: str
    name: str = ""
    extensions: tuple[tuple[str, str], ...] = ()
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Lane:
    """A lane (office or role); ``parent`` is the enclosing lane's id for nested lanes."""

    id: str
    name: str
    process: str
    parent: str | None = None
    nodes: tuple[str, ...] = ()
    rank: int | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Pool:
    """A participant of a collaboration, i.e. an organisation drawn as a pool."""

    id: str
    name: str
    process: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class DataObject:
    """A data object or data store reference (a document, a register)."""

    id: str
    name: str
    kind: str  # "dataObject" or "dataStore"
    process: str | None = None
    state: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ProcessInfo:
    """A ``bpmn:process`` element: id, name, executable flag and documentation."""

    id: str
    name: str
    executable: bool
    documentation: str = ""
    line: int | None = field(default=None, compare=False)
