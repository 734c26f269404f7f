"""`automate`: a rule-based step becomes a service task on a system lane.

The step keeps its id, name, data and place in the flow; it becomes a ``serviceTask`` in a
lane of the system (an existing lane named "Sistem ..."/"System ...", else a new lane
"Sistem"). Where its result sets money or rights and the step after it is no check, a
person's check of the result is added after it, in the step's old lane. The scenario gets
the system's time (a minute) and, for the check, a fifth of the old step's time.
"""

from __future__ import annotations

import re

from lxml import etree

from ..i18n import _
from ..model import ProcessModel
from ..model.namespaces import BPMN
from .changes import Applied, Change
from .editing import Draft, refuse
from .eliminate import names_of

__all__ = ["automate", "system_lane", "SYSTEM_LANE"]

_B = f"{{{BPMN}}}"
#: name of the lane a system works in when the model has none
SYSTEM_LANE = "Sistem"
_SYSTEM_RE = re.compile(r"\b(sistem|system|aplikasi|application)\b", re.IGNORECASE)
#: children a person's task has that a service task does not
_HUMAN_ONLY = ("rendering", "humanPerformer", "potentialOwner", "performer")
_KEEP_ATTRS = {"id", "name", "default", "isForCompensation", "startQuantity", "completionQuantity"}
#: share of the old step's time a person spends checking the system's result
CHECK_SHARE = 0.2


def _system_lane(d: Draft, node, name: str = SYSTEM_LANE):
    """The lane of the system in ``node``'s process: found, else added beside its lane
    under ``name``."""
    lane = d.lane_of(node.get("id"))
    if lane is None:
        return None, False
    lane_set = lane.getparent()
    while lane_set is not None and etree.QName(lane_set).localname != "laneSet":
        lane_set = lane_set.getparent()
    for other in lane_set.iter(_B + "lane"):
        if _SYSTEM_RE.search(other.get("name") or ""):
            return other, False
    ident = d.new_id("Lane_sistem")
    new = etree.SubElement(lane_set, _B + "lane", id=ident, name=name)
    d.index[ident] = new
    d.relayout = True  # a new lane needs its band in the diagram
    return new, True


system_lane = _system_lane


def automate(
    model: ProcessModel, task_id: str, *, check: bool = False, finding: str | None = None
) -> Applied:
    """Turn a rule-based task into a service task on the system lane.

    Parameters
    ----------
    model : ProcessModel
    task_id : str
        Id (or unique name) of a user, manual or plain task.
    check : bool
        Add a person's check of the result after it (its result sets money or rights and
        the next step does not check it).

    Raises
    ------
    ModelError
        The element is not a task a person does.

    Examples
    --------
    >>> from bpengine import load
    >>> new, changes = automate(load("processes/pbg.bpmn"), "Task_hitung_retribusi")
    >>> new.elements["Task_hitung_retribusi"].kind
    'serviceTask'
    """
    el = model.get(task_id)
    if el.kind not in ("userTask", "manualTask", "task"):
        raise refuse(
            model,
            el.id,
            _("is a BPMN {kind}: only a task a person does is automated").format(kind=el.kind),
        )
    d = Draft(model)
    before = d.overlaps()
    node = d.node(el.id)
    node.tag = _B + "serviceTask"
    for attr in list(node.attrib):
        if "}" not in attr and attr not in _KEEP_ATTRS:
            del node.attrib[attr]
    for child in list(node):
        if etree.QName(child).localname in _HUMAN_ONLY:
            node.remove(child)
    lane, added = _system_lane(d, node)
    if lane is not None:
        d.set_lane(el.id, lane.get("id"))
    checker = None
    if check:
        outs = d.outgoing(el.id)
        if len(outs) != 1:
            raise refuse(
                model, el.id, _("has more than one way out: nowhere to put the check of its result")
            )
        checker = d.add_node(
            "userTask",
            near=el.id,
            lane_of=el.id,
            name=f"Periksa hasil: {el.label}",
            ident=d.new_id(f"Task_periksa_{el.id}"),
        )
        if el.lane_id:
            d.set_lane(checker.get("id"), el.lane_id)
        d.set_extension(checker.get("id"), "approval", "true")
        d.add_flow(checker.get("id"), outs[0].get("targetRef"))
        d.retarget(outs[0], checker.get("id"))
    d.rerouted.update(f.get("id") for f in d.incoming(el.id) + d.outgoing(el.id))
    result = d.finish(before)
    where = lane.get("name") if lane is not None else "the system"
    what = f"{el.label!r} ({el.lane or 'no lane'}) is done by the system ({where})"
    retimed = [(el.id, el.id, 0.0)]
    if checker is not None:
        what += f"; {el.lane or 'the office'} checks its result in {checker.get('name')!r}"
        retimed.append((checker.get("id"), el.id, CHECK_SHARE))
    lanes = ((where, 1000, 0.0),) if added else ()
    return Applied(
        result,
        (
            Change(
                "automate",
                (el.id,),
                what + "." + d.tidy_note(),
                removed=tuple(d.removed),
                names=names_of(model, [el.id, *d.removed]),
                finding=finding,
                removed_lanes=tuple(d.dropped_lanes),
                retimed=tuple(retimed),
                added_lanes=lanes,
            ),
        ),
    )
