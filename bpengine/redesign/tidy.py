"""Clean output: what a change leaves behind is removed, and one check proves it.

Taking a step out can leave debris a modeller would never draw: a data object nothing reads
or writes any more, an association or a message flow to an element that is gone, a lane
nobody works in, a parallel split whose branch is now empty, or the applicant still walking
to an office that no longer does anything. :class:`Tidy` (mixed into the draft every
transformation edits) removes it; :func:`check_clean` finds it, and every transformation
runs it on its result (see :meth:`~bpengine.redesign.editing.Draft.finish`): a change that
leaves new debris is refused, never written.

What "clean" means follows bpmnlint's recommended rules where a change can break them
(``no-disconnected``, ``no-duplicate-sequence-flows``, ``superfluous-gateway``,
``label-required`` for the nodes a change adds) plus what a redesign specifically leaves
behind (orphan data objects and associations, empty lanes, empty parallel branches, dangling
message flows, errands to idle offices).
"""

from __future__ import annotations

import re

from lxml import etree

from ..errors import Problem
from ..model.elements import ACTIVITY_KINDS, FLOW_NODE_KINDS, GATEWAY_KINDS
from ..model.namespaces import BPMN
from .editable import Editable

__all__ = ["Tidy", "check_clean", "clean_problems", "errand_destination", "ERRAND_WORDS"]

_B = f"{{{BPMN}}}"
_DATA_REFS = ("dataObjectReference", "dataStoreReference")
#: verbs of carrying a file or walking to an office (Indonesian, then English)
ERRAND_WORDS = (
    "bawa",
    "membawa",
    "antar",
    "mengantar",
    "antarkan",
    "datang",
    "mendatangi",
    "pergi",
    "kirim",
    "kirimkan",
    "mengirim",
    "serahkan",
    "menyerahkan",
    "ambil",
    "bring",
    "carry",
    "take",
    "walk",
    "go",
    "send",
    "deliver",
)
_ERRAND_RE = re.compile(r"\b(" + "|".join(ERRAND_WORDS) + r")\b", re.IGNORECASE)
_TO_RE = re.compile(r"\b(ke|di|kepada|to|at)\b", re.IGNORECASE)


def _local(node) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _text(node) -> str:
    return (node.text or "").strip()


def _data_users(root) -> set[str]:
    """Ids of data object/store references some data association reads or writes."""
    used = set()
    for assoc in root.iter(_B + "dataInputAssociation", _B + "dataOutputAssociation"):
        for ref in assoc.iter(_B + "sourceRef", _B + "targetRef"):
            used.add(_text(ref))
    for assoc in root.iter(_B + "association"):
        used.update((assoc.get("sourceRef"), assoc.get("targetRef")))
    return used


def _message_senders(root) -> set[str]:
    """Ids of the steps a message flow leaves: they hand the case over to another pool,
    which goes on with it whoever of that pool's lanes still works, so they are no errand
    to an idle office (dropping one would start the other pool on its own)."""
    return {mf.get("sourceRef") for mf in root.iter(_B + "messageFlow")}


def _lane_work(root) -> dict[str, list[str]]:
    """Lane id -> flow node ids listed in it (child lanes included)."""
    return {
        lane.get("id"): [_text(r) for r in lane.iter(_B + "flowNodeRef")]
        for lane in root.iter(_B + "lane")
    }


def _lane_names(root) -> dict[str, str]:
    return {lane.get("id"): lane.get("name") or "" for lane in root.iter(_B + "lane")}


def errand_destination(name: str, lanes: dict[str, str]) -> list[str]:
    """Ids of the lanes a carrying or walking step goes to, read from its name.

    The step names an errand verb and, after "ke/di/to/at", the office: the lane's full
    name, or its last word when that is a word of its own ("kelurahan", "kecamatan").

    Examples
    --------
    >>> lanes = {"L1": "Ketua RW", "L2": "Petugas Kecamatan", "L3": "Camat"}
    >>> errand_destination("Bawa pengantar RT ke Ketua RW", lanes)
    ['L1']
    >>> errand_destination("Bawa surat dan berkas ke kantor kecamatan", lanes)
    ['L2']
    >>> errand_destination("Tanda tangani surat", lanes)
    []
    """
    if not name or not _ERRAND_RE.search(name):
        return []
    parts = _TO_RE.split(name, maxsplit=1)
    if len(parts) < 3:
        return []
    where = parts[2].lower()
    words = set(re.findall(r"\w+", where))
    out = []
    for lid, lane in lanes.items():
        lane = lane.lower().strip()
        last = lane.split()[-1] if lane.split() else ""
        if lane and (
            re.search(r"\b" + re.escape(lane) + r"\b", where) or (len(last) >= 4 and last in words)
        ):
            out.append(lid)
    return out


def clean_problems(root) -> list[tuple[str, str, str]]:
    """``(code, element id, message)`` for every piece of debris in a definitions tree."""
    out = []
    by_id = {n.get("id"): n for n in root.iter() if isinstance(n.tag, str) and n.get("id")}
    ids = set(by_id)
    used = _data_users(root)
    for ref in root.iter(*(_B + k for k in _DATA_REFS)):
        if ref.get("id") not in used:
            out.append(
                (
                    "orphan-data",
                    ref.get("id"),
                    f"data object {ref.get('name') or ref.get('id')!r} is neither read nor "
                    "written by any step",
                )
            )
    for assoc in root.iter(_B + "association", _B + "messageFlow"):
        for end in ("sourceRef", "targetRef"):
            if assoc.get(end) not in ids:
                out.append(
                    (
                        "dangling-" + _local(assoc),
                        assoc.get("id"),
                        f"{_local(assoc)} {assoc.get('id')!r}: its {end} "
                        f"{assoc.get(end)!r} does not exist",
                    )
                )
    work = _lane_work(root)
    names = _lane_names(root)
    for lid, nodes in work.items():
        if not nodes:
            out.append(("empty-lane", lid, f"lane {names[lid] or lid!r} has no steps"))
    kinds = {n.get("id"): _local(n) for n in root.iter() if _local(n) in FLOW_NODE_KINDS}
    lane_of = {n: lid for lid, nodes in work.items() for n in nodes}
    flows = list(root.iter(_B + "sequenceFlow"))
    ins: dict[str, list] = {}
    outs: dict[str, list] = {}
    for f in flows:
        outs.setdefault(f.get("sourceRef"), []).append(f)
        ins.setdefault(f.get("targetRef"), []).append(f)
    out += _flow_problems(flows, kinds, ins, outs)
    for n, kind in kinds.items():
        if kind in GATEWAY_KINDS and len(ins.get(n, [])) == 1 and len(outs.get(n, [])) == 1:
            out.append(("superfluous-gateway", n, f"gateway {n!r} has one way in and one out"))
        if (
            not ins.get(n)
            and not outs.get(n)
            and kind != "boundaryEvent"
            and _local(by_id[n].getparent()) == "process"
        ):
            out.append(("no-disconnected", n, f"{n!r} is connected to nothing"))
    busy = {
        lid for lid, nodes in work.items() if any(kinds.get(x) in ACTIVITY_KINDS for x in nodes)
    }
    handing_over = _message_senders(root)
    for n, kind in kinds.items():
        if kind in ACTIVITY_KINDS and n not in handing_over:
            out += _errand_problem(n, by_id[n].get("name") or "", names, lane_of, busy)
    return out


def _flow_problems(flows, kinds, ins, outs) -> list[tuple[str, str, str]]:
    """Duplicate sequence flows, and parallel branches with no step in them."""
    out, seen_pairs = [], set()
    for f in flows:
        s, t = f.get("sourceRef"), f.get("targetRef")
        cond = f.find(_B + "conditionExpression")
        key = (s, t, _text(cond) if cond is not None else "")  # as bpmnlint keys them
        if key in seen_pairs:
            out.append(
                (
                    "no-duplicate-sequence-flows",
                    f.get("id"),
                    f"a second sequence flow from {s!r} to {t!r}",
                )
            )
        seen_pairs.add(key)
        if (
            kinds.get(s) == "parallelGateway" == kinds.get(t)
            and len(outs.get(s, [])) > 1
            and len(ins.get(t, [])) > 1
        ):
            out.append(
                (
                    "empty-parallel-branch",
                    f.get("id"),
                    f"the parallel split {s!r} has a branch with no step in it",
                )
            )
    return out


def _errand_problem(n, node_name, names, lane_of, busy) -> list[tuple[str, str, str]]:
    """A step that sends the applicant to an office where nobody works on the case any more."""
    to = [lid for lid in errand_destination(node_name, names) if lid != lane_of.get(n)]
    if to and not any(lid in busy for lid in to):
        return [
            (
                "errand-to-idle-office",
                n,
                f"{node_name!r} goes to {names[to[0]]!r}, where nobody works on the case any more",
            )
        ]
    return []


def check_clean(model) -> list[Problem]:
    """Every piece of debris in ``model``, one :class:`~bpengine.errors.Problem` each.

    Examples
    --------
    >>> from bpengine import load
    >>> check_clean(load("processes/surat-keterangan-domisili.bpmn"))
    []
    """
    return [
        Problem(message, file=model.file, element_id=ident, code=code, severity="warning")
        for code, ident, message in clean_problems(model.tree())
    ]


class Tidy(Editable):
    """Debris removal of a draft (needs ``root``, ``model``, ``index`` and the edits)."""

    def remember_start(self) -> None:
        """Note what the input uses, so only what a change orphans is removed."""
        self._used_before = _data_users(self.root)
        self._worked_before = {lid for lid, nodes in _lane_work(self.root).items() if nodes}
        self._objects_before = {
            r.get("dataObjectRef")
            for r in self.root.iter(_B + "dataObjectReference")
            if r.get("id") in self._used_before
        }
        self._debris_before = {(code, ident) for code, ident, _m in clean_problems(self.root)}
        self.dropped_lanes: list[str] = []
        self.dropped_errands: list[str] = []

    def tidy_note(self) -> str:
        """What :meth:`tidy` removed besides the change itself, in a sentence or two."""
        out = ""
        if self.dropped_errands:
            out += (
                " No longer needed: "
                + ", ".join(repr(e) for e in self.dropped_errands)
                + " (its office no longer works on the case)."
            )
        if self.dropped_lanes:
            out += " No longer involved: " + ", ".join(repr(x) for x in self.dropped_lanes) + "."
        return out

    def new_debris(self) -> list[tuple[str, str, str]]:
        """Debris in the draft now that the input did not have."""
        return [p for p in clean_problems(self.root) if p[:2] not in self._debris_before]

    def tidy(self) -> None:
        """Remove errands to idle offices, empty branches, orphans, dangling flows, empty lanes."""
        while self._drop_errands():
            pass
        self._drop_empty_parallel_branches()
        self.collapse_gateways()
        self._drop_duplicate_flows()
        self._drop_orphan_data()
        for assoc in list(self.root.iter(_B + "association", _B + "messageFlow")):
            if assoc.get("sourceRef") not in self.index or assoc.get("targetRef") not in self.index:
                self._drop(assoc)
        for lid, nodes in _lane_work(self.root).items():
            if not nodes and lid in self._worked_before and lid in self.index:
                self.dropped_lanes.append(self.index[lid].get("name") or lid)
                self._drop(self.index[lid])
                self.relayout = True  # the other lanes grow into the space

    def _drop(self, node) -> None:
        if node.getparent() is not None:
            node.getparent().remove(node)
        self.index.pop(node.get("id"), None)
        self._drop_di(node.get("id"))

    def _drop_errands(self) -> bool:
        """Bypass one carrying/walking step whose office no longer works on the case."""
        names = _lane_names(self.root)
        work = _lane_work(self.root)
        removed = set(self.removed)
        idle = {
            lid
            for lid, nodes in work.items()
            if lid in self._worked_before
            and not any(_local(self.index[x]) in ACTIVITY_KINDS for x in nodes if x in self.index)
        }
        if not idle:
            return False
        for ident, node in list(self.index.items()):
            if (
                _local(node) not in ACTIVITY_KINDS
                or ident in removed
                or ident in _message_senders(self.root)
            ):
                continue
            to = errand_destination(node.get("name") or "", names)
            if not to or not set(to) <= idle:
                continue
            ins, outs = self.incoming(ident), self.outgoing(ident)
            el = self.model.elements.get(ident)
            if (
                len(outs) != 1
                or not ins
                or self.boundary_events(ident)
                or (el is not None and self.model.mandate(ident).required)
            ):
                continue
            target = outs[0].get("targetRef")
            if any(f.get("sourceRef") == target for f in ins):
                continue
            self.remove_flow(outs[0])
            for f in ins:
                self.retarget(f, target)
            self.remove_node(ident)
            self.dropped_errands.append(node.get("name") or ident)
            return True
        return False

    def _drop_duplicate_flows(self) -> None:
        """A second flow with the same ends and condition adds nothing (bpmnlint's rule)."""
        seen = set()
        for f in list(self.root.iter(_B + "sequenceFlow")):
            key = (f.get("sourceRef"), f.get("targetRef"), self.condition(f) or "")
            if key in seen:
                self.remove_flow(f)
            seen.add(key)

    def _drop_empty_parallel_branches(self) -> None:
        for f in list(self.root.iter(_B + "sequenceFlow")):
            s, t = self.index.get(f.get("sourceRef")), self.index.get(f.get("targetRef"))
            if s is None or t is None or not _local(s) == "parallelGateway" == _local(t):
                continue
            if len(self.outgoing(s.get("id"))) > 1 and len(self.incoming(t.get("id"))) > 1:
                self.remove_flow(f)

    def _drop_orphan_data(self) -> None:
        used = _data_users(self.root)
        for ref in list(self.root.iter(*(_B + k for k in _DATA_REFS))):
            if ref.get("id") not in used and ref.get("id") in self._used_before:
                self._drop(ref)
        # annotations whose every association went with the element they described
        linked = {
            a.get(e) for a in self.root.iter(_B + "association") for e in ("sourceRef", "targetRef")
        }
        for note in list(self.root.iter(_B + "textAnnotation")):
            if note.get("id") not in linked and note.get("id") in self._used_before:
                self._drop(note)
        # a data object all of whose references are gone goes too
        referenced = {r.get("dataObjectRef") for r in self.root.iter(_B + "dataObjectReference")}
        for obj in list(self.root.iter(_B + "dataObject")):
            if obj.get("id") not in referenced and obj.get("id") in self._objects_before:
                self._drop(obj)
