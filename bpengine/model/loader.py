"""Turn a BPMN 2.0 document (lxml tree) into the parts of a :class:`ProcessModel`.

Reads what bpmn.io, Camunda Modeler, Signavio and the MIWG reference files write:
collaborations with pools and message flows, nested lanes, every task, gateway and event
kind, embedded subprocesses, call activities, data objects and stores with associations.
Broken references are collected as :class:`~bpengine.errors.Problem` and raised together.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from ..errors import ModelError, Problem
from ..i18n import _
from .elements import (
    FLOW_NODE_KINDS,
    SUBPROCESS_KINDS,
    DataObject,
    Element,
    Flow,
    Lane,
    MessageFlow,
    Pool,
    ProcessInfo,
)
from .namespaces import BPE, BPMN, BPMNDI, DC, DI

__all__ = ["Parts", "read_parts"]

_B = f"{{{BPMN}}}"
# (lane name, lane id, names of the lanes around it): where a flow node is drawn
_LaneRef = tuple[str | None, str | None, tuple[str, ...]]
_OMG = {BPMN, BPMNDI, DC, DI}
_EVENT_DEFS = {
    "timerEventDefinition": "timer",
    "messageEventDefinition": "message",
    "errorEventDefinition": "error",
    "signalEventDefinition": "signal",
    "escalationEventDefinition": "escalation",
    "conditionalEventDefinition": "conditional",
    "linkEventDefinition": "link",
    "terminateEventDefinition": "terminate",
    "compensateEventDefinition": "compensate",
    "cancelEventDefinition": "cancel",
}


@dataclass
class Parts:
    """Everything read from one document, before it is frozen into a ProcessModel."""

    processes: dict[str, ProcessInfo] = field(default_factory=dict)
    elements: dict[str, Element] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    message_flows: dict[str, MessageFlow] = field(default_factory=dict)
    lanes: dict[str, Lane] = field(default_factory=dict)
    pools: dict[str, Pool] = field(default_factory=dict)
    data_objects: dict[str, DataObject] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    collaboration: str = ""  # the (first) collaboration's name


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _is_bpmn(node: etree._Element) -> bool:
    return isinstance(node.tag, str) and node.tag.startswith(_B)


def _text(node: etree._Element | None) -> str:
    return "".join(node.itertext()).strip() if node is not None else ""


def _documentation(node: etree._Element) -> str:
    return "\n".join(_text(d) for d in node.findall(_B + "documentation") if _text(d))


def _bool_attr(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() in ("true", "1", "yes")


class _Reader:
    def __init__(self, root: etree._Element, filename: str) -> None:
        self.root = root
        self.file = filename
        self.parts = Parts()
        self.errors: list[Problem] = []
        self.node_lane: dict[str, tuple[str, str, tuple[str, ...]]] = {}
        self.pool_of_process: dict[str, str] = {}
        # name of each data object/store reference, resolved through dataObjectRef
        self.data_names: dict[str, str] = {}

    def problem(
        self,
        node: etree._Element | None,
        message: str,
        code: str = "invalid-reference",
        severity: str = "error",
    ) -> None:
        p = Problem(
            message,
            file=self.file,
            line=node.sourceline if node is not None else None,
            element_id=node.get("id") if node is not None else None,
            element_name=node.get("name") if node is not None else None,
            severity=severity,
            code=code,
        )
        (self.errors if severity == "error" else self.parts.warnings).append(p)

    def read(self) -> Parts:
        if self.root.tag != _B + "definitions":
            raise ModelError(
                Problem(
                    _(
                        "not a BPMN 2.0 document: root element is <{root}> in namespace "
                        "{namespace}, expected <definitions> in {bpmn}"
                    ).format(
                        root=_local(self.root.tag) or "?",
                        namespace=etree.QName(self.root).namespace or _("none"),
                        bpmn=BPMN,
                    ),
                    file=self.file,
                    line=self.root.sourceline,
                    code="not-bpmn",
                )
            )
        self._check_duplicate_ids()
        self._read_pools()
        processes = self.root.findall(_B + "process")
        if not processes:
            self.problem(self.root, _("the document defines no <process>"), code="no-process")
        for proc in processes:
            self._read_process(proc)
        self._read_message_flows()
        if self.errors:
            raise ModelError(self.errors)
        return self.parts

    def _check_duplicate_ids(self) -> None:
        seen: dict[str, etree._Element] = {}
        for node in self.root.iter():
            # ids of foreign extension elements (camunda:formProperty...) are not BPMN ids
            if not isinstance(node.tag, str) or etree.QName(node).namespace not in _OMG:
                continue
            ident = node.get("id")
            if ident is None:
                continue
            if ident in seen:
                first = seen[ident]
                self.problem(
                    node,
                    _("duplicate id {id} (first used on line {line})").format(
                        id=repr(ident), line=first.sourceline
                    ),
                    code="duplicate-id",
                )
            else:
                seen[ident] = node

    def _read_pools(self) -> None:
        processes = {p.get("id") for p in self.root.findall(_B + "process")}
        for collab in self.root.findall(_B + "collaboration"):
            self.parts.collaboration = self.parts.collaboration or " ".join(
                (collab.get("name") or "").split()
            )
            for part in collab.findall(_B + "participant"):
                pid, proc = part.get("id"), part.get("processRef")
                if not pid:
                    continue
                if proc and proc not in processes:  # its process would run in no pool
                    self.problem(
                        part,
                        _(
                            "participant processRef points to {ref}, which is no <process> "
                            "of this file"
                        ).format(ref=repr(proc)),
                    )
                    continue
                self.parts.pools[pid] = Pool(
                    pid, part.get("name") or "", proc or None, part.sourceline
                )
                if proc:
                    self.pool_of_process[proc] = part.get("name") or pid

    def _read_process(self, proc: etree._Element) -> None:
        pid = proc.get("id")
        if not pid:
            self.problem(proc, _("<process> has no id"), code="missing-id")
            return
        self.parts.processes[pid] = ProcessInfo(
            pid,
            proc.get("name") or "",
            _bool_attr(proc.get("isExecutable")) is True,
            _documentation(proc),
            proc.sourceline,
        )
        for lane_set in proc.findall(_B + "laneSet"):
            self._read_lanes(lane_set, pid, None, ())
        self._read_data_names(proc)
        self._read_scope(proc, pid, None, None)

    def _read_lanes(
        self, lane_set: etree._Element, pid: str, parent: str | None, path: tuple[str, ...]
    ) -> None:
        for lane in lane_set.findall(_B + "lane"):
            lid = lane.get("id")
            if not lid:
                continue
            name = lane.get("name") or lid
            refs = tuple(_text(r) for r in lane.findall(_B + "flowNodeRef") if _text(r))
            rank = lane.get(f"{{{BPE}}}rank")
            try:
                rank_value = int(rank) if rank is not None else None
            except ValueError:
                self.problem(
                    lane,
                    _("bpe:rank must be an integer, not {value}").format(value=repr(rank)),
                    code="bad-attribute",
                )
                rank_value = None
            self.parts.lanes[lid] = Lane(lid, name, pid, parent, refs, rank_value, lane.sourceline)
            for ref in refs:
                # deeper lanes are read later and win: the innermost lane is the role
                self.node_lane[ref] = (name, lid, path + (name,))
            for child in lane.findall(_B + "childLaneSet"):
                self._read_lanes(child, pid, lid, path + (name,))

    def _read_data_names(self, proc: etree._Element) -> None:
        objects = {}
        for node in proc.iter(_B + "dataObject", _B + "dataStore"):
            objects[node.get("id")] = node.get("name") or ""
        for node in self.root.findall(_B + "dataStore"):
            objects[node.get("id")] = node.get("name") or ""
        for node in proc.iter(_B + "dataObjectReference", _B + "dataStoreReference"):
            ref = node.get("dataObjectRef") or node.get("dataStoreRef")
            name = node.get("name") or objects.get(ref, "") or node.get("id")
            kind = "dataObject" if _local(node.tag) == "dataObjectReference" else "dataStore"
            state = node.find(_B + "dataState")
            did = node.get("id")
            if did:
                self.data_names[did] = name
                self.parts.data_objects[did] = DataObject(
                    did,
                    name,
                    kind,
                    proc.get("id"),
                    state.get("name") if state is not None else None,
                    node.sourceline,
                )
        for node in proc.iter(_B + "dataObject"):
            # associations may point at the dataObject itself (allowed by the spec)
            self.data_names.setdefault(node.get("id"), node.get("name") or node.get("id"))
        for io in proc.iter(_B + "dataInput", _B + "dataOutput"):
            if io.get("id"):
                self.data_names.setdefault(io.get("id"), io.get("name") or io.get("id"))

    def _read_scope(
        self,
        container: etree._Element,
        pid: str,
        scope: str | None,
        inherited_lane: _LaneRef | None,
    ) -> None:
        flows, nodes = [], []
        for child in container:
            if not _is_bpmn(child):
                continue
            kind = _local(child.tag)
            if kind in FLOW_NODE_KINDS:
                nodes.append(child)
            elif kind == "sequenceFlow":
                flows.append(child)
        node_ids = {n.get("id") for n in nodes if n.get("id")}
        incoming: dict[str, list[str]] = {i: [] for i in node_ids}
        outgoing: dict[str, list[str]] = {i: [] for i in node_ids}
        for f in flows:
            fid, src, tgt = f.get("id"), f.get("sourceRef"), f.get("targetRef")
            if not fid:
                # Camunda's own test models omit flow ids; name them stably after their ends
                fid = f"{src}__{tgt}"
                while fid in self.parts.flows:
                    fid += "_"
                self.problem(
                    f,
                    _("sequence flow has no id; it is called {id} here").format(id=repr(fid)),
                    code="missing-id",
                    severity="warning",
                )
            ok = True
            for end, ref in (("sourceRef", src), ("targetRef", tgt)):
                if not ref:
                    self.problem(
                        f, _("sequence flow has no {end}").format(end=end), code="dangling-flow"
                    )
                    ok = False
                elif ref not in node_ids:
                    text = (
                        _("sequence flow {end} points to {ref}, in another scope")
                        if self._exists(ref)
                        else _("sequence flow {end} points to {ref}, which does not exist")
                    )
                    self.problem(f, text.format(end=end, ref=repr(ref)), code="dangling-flow")
                    ok = False
            if not ok:
                continue
            cond = f.find(_B + "conditionExpression")
            self.parts.flows[fid] = Flow(
                fid,
                src,
                tgt,
                pid,
                f.get("name") or "",
                _text(cond) if cond is not None and _text(cond) else None,
                False,
                scope,
                f.sourceline,
            )
            outgoing[src].append(fid)
            incoming[tgt].append(fid)
        for n in nodes:
            self._read_node(n, pid, scope, inherited_lane, incoming, outgoing)

    def _exists(self, ident: str) -> bool:
        return bool(self.root.xpath("//*[@id=$i]", i=ident))

    def _read_node(
        self,
        n: etree._Element,
        pid: str,
        scope: str | None,
        inherited_lane: _LaneRef | None,
        incoming: dict[str, list[str]],
        outgoing: dict[str, list[str]],
    ) -> None:
        nid = n.get("id")
        if not nid:
            self.problem(n, _("<{kind}> has no id").format(kind=_local(n.tag)), code="missing-id")
            return
        kind = _local(n.tag)
        lane = self.node_lane.get(nid) or inherited_lane or (None, None, ())
        event = value = None
        for child in n:
            ev = _EVENT_DEFS.get(_local(child.tag)) if _is_bpmn(child) else None
            if ev:
                event = ev if event is None else "multiple"
                value = self._event_value(child, ev)
        default = n.get("default")
        if default and default not in outgoing.get(nid, []):
            self.problem(
                n,
                _("default flow {id} is not an outgoing flow of this element").format(
                    id=repr(default)
                ),
                code="bad-default",
            )
            default = None
        if default:
            f = self.parts.flows[default]
            self.parts.flows[default] = Flow(
                f.id, f.source, f.target, f.process, f.name, f.condition, True, f.scope, f.line
            )
        attached = n.get("attachedToRef")
        if kind == "boundaryEvent" and (not attached or attached not in incoming):
            self.problem(
                n,
                _(
                    "boundary event is attached to {id}, which is not an activity in the same scope"
                ).format(id=repr(attached)),
                code="dangling-boundary",
            )
        loop = None
        if n.find(_B + "standardLoopCharacteristics") is not None:
            loop = "standard"
        mi = n.find(_B + "multiInstanceLoopCharacteristics")
        if mi is not None:
            loop = "sequential" if _bool_attr(mi.get("isSequential")) else "parallel"
        ext = self._extensions(n)
        extd = dict(ext)
        reads = tuple(self._assoc(n, "dataInputAssociation", "sourceRef"))
        writes = tuple(self._assoc(n, "dataOutputAssociation", "targetRef"))
        self.parts.elements[nid] = Element(
            id=nid,
            name=" ".join((n.get("name") or "").split()),
            kind=kind,
            process=pid,
            pool=self.pool_of_process.get(pid),
            lane=lane[0],
            lane_id=lane[1],
            lane_path=lane[2],
            scope=scope,
            incoming=tuple(incoming.get(nid, ())),
            outgoing=tuple(outgoing.get(nid, ())),
            default_flow=default,
            event=event,
            event_value=value,
            attached_to=attached if kind == "boundaryEvent" else None,
            cancel_activity=_bool_attr(n.get("cancelActivity")) is not False,
            triggered_by_event=_bool_attr(n.get("triggeredByEvent")) is True,
            for_compensation=_bool_attr(n.get("isForCompensation")) is True,
            called_element=n.get("calledElement"),
            loop=loop,
            reads=reads,
            writes=writes,
            documentation=_documentation(n),
            approval=_bool_attr(extd.get("approval")),
            mandatory=_bool_attr(extd.get("mandatory")) is True,
            extensions=ext,
            line=n.sourceline,
        )
        if kind in SUBPROCESS_KINDS:
            self._read_scope(n, pid, nid, lane)

    def _assoc(self, n: etree._Element, tag: str, attr_child: str) -> Iterator[str]:
        for assoc in n.findall(_B + tag):
            for ref in assoc.findall(_B + attr_child):
                rid = _text(ref)
                if rid in self.data_names:
                    yield self.data_names[rid]
                elif rid:
                    self.problem(
                        assoc,
                        _(
                            "data association of {id} refers to {ref}, which is "
                            "not a data object or store"
                        ).format(id=repr(n.get("id")), ref=repr(rid)),
                        code="dangling-data",
                        severity="warning",
                    )

    def _event_value(self, definition: etree._Element, ev: str) -> str | None:
        if ev == "timer":
            for t in ("timeDuration", "timeDate", "timeCycle"):
                node = definition.find(_B + t)
                if node is not None:
                    return f"{t}:{_text(node)}"
            return None
        if ev == "link":
            link: str | None = definition.get("name")
            return link
        ref: str | None = definition.get(f"{ev}Ref")
        if ref:
            target = self.root.xpath("//*[@id=$i]", i=ref)
            if target:
                named: str = target[0].get("name") or target[0].get("errorCode") or ref
                return named
            return ref
        return None

    def _read_message_flows(self) -> None:
        known = set(self.parts.elements) | set(self.parts.pools)
        for collab in self.root.findall(_B + "collaboration"):
            for mf in collab.findall(_B + "messageFlow"):
                mid, src, tgt = mf.get("id"), mf.get("sourceRef"), mf.get("targetRef")
                bad = [r for r in (src, tgt) if r not in known]
                if bad or not mid:
                    self.problem(
                        mf,
                        _(
                            "message flow refers to {ref}, which is neither a pool nor a flow node"
                        ).format(ref=repr(bad[0] if bad else None)),
                        code="dangling-flow",
                    )
                    continue
                ext = self._extensions(mf)
                self.parts.message_flows[mid] = MessageFlow(
                    mid, src, tgt, " ".join((mf.get("name") or "").split()), ext, mf.sourceline
                )

    def _extensions(self, node: etree._Element) -> tuple[tuple[str, str], ...]:
        """The ``bpe:`` attributes of ``node``, a bad ``bpe:handover`` value reported."""
        ext = tuple(
            sorted(
                (etree.QName(k).localname, v)
                for k, v in node.attrib.items()
                if k.startswith(f"{{{BPE}}}")
            )
        )
        handover = dict(ext).get("handover")
        if handover is not None and handover.strip().lower() not in ("paper", "data"):
            self.problem(
                node,
                _("bpe:handover must be 'paper' or 'data', not {value}").format(
                    value=repr(handover)
                ),
                code="bad-attribute",
            )
        return ext


def read_parts(root: etree._Element, filename: str) -> Parts:
    """Read every part of a BPMN document; raise :class:`ModelError` listing all errors."""
    return _Reader(root, filename).read()
