"""`integrate`: a paper hand-over between agencies becomes a data exchange.

What OSS-RBA did between Kemenkumham, DJP and the Pemda: the deed, the tax number and the
permits stopped travelling as paper carried by the applicant or a courier and went from one
agency's system to the other's. The transformation draws that exchange: the step that hands
the paper over becomes a send task on the sending pool's system lane (a throw event or a
carrying manual step is turned into one; after a person's task or before an end event a send
task is inserted), the step that takes it in becomes a receive task on the receiving pool's
system lane (a catch event is turned into one; before a person's task one is inserted; a
message start event stays the pool's start, moved to the system lane). The system lane is the
pool's existing "Sistem ..." lane, else a new lane "Sistem <pool>". The message flow stays
attached at both ends (to the new send/receive task where one was inserted) and is marked
``bpe:handover="data"``, so every consumer reads it as data. Every step keeps its id; the
diagram is laid out again where shapes changed.

The scenario carries across: the flow's paper transfer entry is dropped (the data time
applies), the send and receive tasks take a system minute and no staff (a new system lane gets
1000 "staff" at no cost, as :func:`~.automate.automate` does).
"""

from __future__ import annotations

from lxml import etree

from ..i18n import _
from ..model import ProcessModel
from ..model.namespaces import BPMN
from .automate import system_lane
from .changes import Applied, Change
from .cleanup import refuse
from .editing import Draft
from .eliminate import names_of

_B = f"{{{BPMN}}}"
#: children an event has that a task may not (BPMN 2.0 XSD)
_EVENT_ONLY = (
    "messageEventDefinition",
    "eventDefinitionRef",
    "dataInput",
    "dataOutput",
    "inputSet",
    "outputSet",
    "signalEventDefinition",
    "timerEventDefinition",
)
#: a person's task: the exchange is added beside it, the person's work stays
_PERSON = ("userTask", "scriptTask", "businessRuleTask", "subProcess", "callActivity")

__all__ = ["integrate", "integrated_flows"]


def integrated_flows(model: ProcessModel, element_ids) -> tuple[str, ...]:
    """The paper message flows between two pools whose both ends are among ``element_ids``
    (or whose one resolved end is, for a black-box pool)."""
    ids = set(element_ids)
    out = []
    for h in model.handovers:
        ends = {e for e in (h.sender, h.receiver) if e is not None}
        if h.is_paper and h.between_pools and ends and ends <= ids:
            out.append(h.flow)
    return tuple(out)


def integrate(model: ProcessModel, element_ids, *, finding: str | None = None) -> Applied:
    """Turn the paper hand-overs between ``element_ids`` into data exchanges.

    Raises
    ------
    ModelError
        When no paper hand-over between two pools joins those elements.

    Examples
    --------
    >>> import pathlib
    >>> from bpengine import load
    >>> m = load(pathlib.Path(__file__).parents[2] / "tests/data/collab/tiga-instansi.bpmn")
    >>> new, changes = integrate(m, ["Throw_serahkan", "Start_terima"])
    >>> new.handover("Msg_berkas").kind, new.handover("Msg_berkas").reason
    ('data', 'attribute')
    """
    flows = integrated_flows(model, element_ids)
    if not flows:
        first = next(iter(element_ids), None)
        raise refuse(model, first, _("no paper hand-over between two pools joins these steps"))
    d = Draft(model)
    drawn = _Exchange(d, model)
    for fid in flows:
        d.set_extension(fid, "handover", "data")
        drawn.draw(fid)
    result = d.finish()
    changes = []
    gone_lanes = tuple(d.dropped_lanes)  # a lane whose last step moved to the system lane
    for fid in flows:
        h = model.handover(fid)
        what = f"{h.name!r}" if h.name else f"message flow {fid}"
        changes.append(
            Change(
                "integrate",
                (fid,),
                f"{what} passes as data between the systems instead of on paper "
                f"({drawn.said.get(fid, 'the message flow is data')}): it "
                "arrives in seconds, not after a trip across town.",
                names=names_of(model, [e for e in (h.sender, h.receiver) if e]),
                finding=finding,
                retimed=tuple(drawn.retimed.pop(fid, ())),
                added_lanes=tuple(drawn.lanes.pop(fid, ())),
                removed_lanes=gone_lanes if fid == flows[0] else (),
            )
        )
    return Applied(result, tuple(changes))


class _Exchange:
    """Draws send/receive tasks on system lanes for message flows of one :class:`Draft`."""

    def __init__(self, d: Draft, model: ProcessModel):
        self.d, self.model = d, model
        self.done: dict[str, str] = {}  # element id -> the send/receive step now at that end
        self.retimed: dict[str, list] = {}
        self.lanes: dict[str, list] = {}
        self.said: dict[str, str] = {}
        self.new_lanes: set[str] = set()

    def draw(self, fid: str) -> None:
        d = self.d
        flow = d.index[fid]
        h = self.model.handover(fid)
        label = h.name or fid
        words = []
        if h.sender:
            step = self._end(fid, h.sender, "sendTask", f"Kirim data: {label}", before=False)
            flow.set("sourceRef", step)
            words.append(f"sent by {d.index[step].get('name')!r}")
        if h.receiver:
            step = self._end(fid, h.receiver, "receiveTask", f"Terima data: {label}", before=True)
            flow.set("targetRef", step)
            words.append(f"received by {d.index[step].get('name')!r}")
        d.rerouted.add(fid)
        self.said[fid] = ", ".join(words) or "the message flow is data"

    def _end(self, fid: str, ident: str, kind: str, name: str, before: bool) -> str:
        """The send (``before=False``) or receive step at one end of the flow."""
        if ident in self.done:
            return self.done[ident]
        d = self.d
        node = d.index[ident]
        local = etree.QName(node).localname
        if local in ("intermediateThrowEvent", "intermediateCatchEvent", "manualTask", "task"):
            self._retag(node, kind)  # the carrying step itself becomes the system's
            step = ident
        elif local == kind:
            step = ident
        elif local == "startEvent":  # the pool still begins when the data arrives
            step = ident
        elif local in _PERSON or local in ("endEvent", "sendTask", "receiveTask", "serviceTask"):
            step = self._insert(ident, kind, name, before=before or local == "endEvent")
            if local == "endEvent":
                for child in list(node):
                    if etree.QName(child).localname in _EVENT_ONLY:
                        node.remove(child)
        else:  # a gateway or a boundary event: nothing a system step can stand for
            step = ident
        lane, added = system_lane(d, d.index[step], self._lane_name(ident))
        if lane is not None:
            d.set_lane(step, lane.get("id"))
            if added:
                self.new_lanes.add(lane.get("name"))
                self.lanes.setdefault(fid, []).append((lane.get("name"), 1000, 0.0))
        if etree.QName(d.index[step]).localname in ("sendTask", "receiveTask"):
            self.retimed.setdefault(fid, []).append((step, step, 0.0))
        d.rerouted.update(f.get("id") for f in d.incoming(step) + d.outgoing(step))
        d.relayout = True  # an event's shape grew into a task's
        self.done[ident] = step
        return step

    def _lane_name(self, ident: str) -> str:
        pool = self.model.pool_of(ident)
        return f"Sistem {pool.name}" if pool is not None and pool.name else "Sistem"

    def _retag(self, node, kind: str) -> None:
        node.tag = _B + kind
        for child in list(node):
            if etree.QName(child).localname in _EVENT_ONLY:
                node.remove(child)
        for attr in ("cancelActivity", "parallelMultiple", "isInterrupting"):
            node.attrib.pop(attr, None)
        self.d.sort_activity_children(node)

    def _insert(self, ident: str, kind: str, name: str, before: bool) -> str:
        """A new send/receive task just before or after ``ident`` in its sequence flow."""
        d = self.d
        step = d.add_node(
            kind,
            near=ident,
            lane_of=ident,
            name=name,
            ident=d.new_id(f"{'Send' if kind == 'sendTask' else 'Receive'}_{ident}"),
        )
        sid = step.get("id")
        if before:
            for f in d.incoming(ident):
                d.retarget(f, sid)
            d.add_flow(sid, ident)
        else:
            for f in d.outgoing(ident):
                d.resource(f, sid)
            d.add_flow(ident, sid)
        return sid
