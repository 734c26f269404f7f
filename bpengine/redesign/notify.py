"""`notify`: an office is told of the case instead of asked to sign it.

A sign-off that decides nothing ("mengetahui", a rubber stamp) often exists so the office
learns of the case. Removing it must not silence the office: the step is replaced by a
message sent to it (a BPMN intermediate message throw event, in the lane of whoever hands
the case on), which takes no one's time and holds the case up for nothing.
"""

from __future__ import annotations

from lxml import etree

from ..i18n import _
from ..model import ProcessModel
from ..model.namespaces import BPMN
from .changes import Applied, Change
from .editing import Draft, refuse
from .eliminate import eliminate, names_of
from .tidy import errand_destination

__all__ = ["notify"]

_B = f"{{{BPMN}}}"


def _message(d: Draft, office: str) -> str:
    """The id of a ``<message>`` naming the notice to ``office`` (added at the top level)."""
    ident = d.new_id("Message_pemberitahuan")
    msg = etree.SubElement(d.root, _B + "message", id=ident, name=f"Pemberitahuan ke {office}")
    d.root.remove(msg)
    first = next(
        (c for c in d.root if etree.QName(c).localname in ("collaboration", "process")), None
    )
    if first is not None:
        first.addprevious(msg)
    else:
        d.root.append(msg)
    d.index[ident] = msg
    return ident


def _sender(model: ProcessModel, node: str, office_lane: str | None) -> str:
    """The step whose office sends the notice: the one before, skipping the errand there."""
    lanes = {lid: lane.name for lid, lane in model.lanes.items()}
    seen = set()
    while node not in seen:
        seen.add(node)
        el = model.elements[node]
        errand = el.is_activity and office_lane in errand_destination(el.name, lanes)
        if el.is_activity and not errand:
            return node
        before = list(model.graph.predecessors(node))
        if len(before) != 1:
            return node
        node = before[0]
    return node


def notify(model: ProcessModel, task_id: str, *, finding: str | None = None) -> Applied:
    """Replace a sign-off by a notice to its office, then remove the sign-off.

    A message throw event "Beritahu <office>: <step>" is put on the step's way in, in the
    lane of the step that hands the case on; the step itself goes as by :func:`eliminate`
    (its decision, an errand to its office and the office's lane when nothing else is done
    there go with it).

    Raises
    ------
    ModelError
        As :func:`eliminate`; or the step has no way in.

    Examples
    --------
    >>> from bpengine import load
    >>> m = load("processes/surat-keterangan-domisili.bpmn")
    >>> new, changes = notify(m, "Task_ttd_rw")
    >>> [e.name for e in new.elements.values() if e.kind == "intermediateThrowEvent"]
    ["Beritahu Ketua RW: Periksa pengantar RT dan KTP/KK, tanda tangani 'mengetahui'"]
    """
    el = model.get(task_id)
    d = Draft(model)
    ins = d.incoming(el.id)
    if not ins or not el.is_activity:
        raise refuse(
            model,
            el.id,
            _("has no way in (or is no step): there is nowhere to send the notice from"),
        )
    office = el.lane or "the office"
    sender = _sender(model, ins[0].get("sourceRef"), el.lane_id)
    event = d.add_node(
        "intermediateThrowEvent",
        near=el.id,
        lane_of=sender,
        name=f"Beritahu {office}: {el.label}",
        ident=d.new_id(f"Event_beritahu_{el.id}"),
    )
    definition = etree.SubElement(
        event, _B + "messageEventDefinition", id=d.new_id(f"MessageEventDefinition_{el.id}")
    )
    definition.set("messageRef", _message(d, office))
    for f in ins:
        d.retarget(f, event.get("id"))
    d.add_flow(event.get("id"), el.id)
    new, (change,) = eliminate(d.finish(), el.id, finding=finding)
    what = change.description + f" {office} is notified instead (a message, no wait)."
    return Applied(
        new,
        (
            Change(
                "eliminate",
                (el.id,),
                what,
                removed=change.removed,
                flow_merges=change.flow_merges,
                names=names_of(model, change.removed),
                finding=finding,
                removed_lanes=change.removed_lanes,
            ),
        ),
    )
