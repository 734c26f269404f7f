"""`ProcessModel`: one parse of a BPMN file, read by every consumer.

The model keeps the lxml tree it was read from (DI, namespaces and foreign extension
elements included) so :meth:`ProcessModel.write` gives the file back unchanged, and a
redesign edits a copy of that tree and loads it again (:meth:`from_tree`), never a second
representation that could drift.
"""

from __future__ import annotations

import copy
import io
import os
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    import networkx as nx

    from .handover import Handover
    from .mandate import Mandate

from ..errors import BpengineError, ModelError, Problem
from ..i18n import _
from .approval import Approval, classify
from .elements import Element, Pool, ProcessInfo
from .graph import build_graph, message_graph
from .loader import read_parts
from .namespaces import BPE
from .source import MAX_BYTES, parse_xml, read_bounded, read_source

__all__ = ["ProcessModel", "load"]


class ProcessModel:
    """An immutable, parsed BPMN model.

    Attributes
    ----------
    file : str
        Where it was read from (``"<bytes>"`` for in-memory input).
    processes, elements, flows, message_flows, lanes, pools, data_objects : Mapping
        Read-only mappings from id to the frozen parts in :mod:`bpengine.model.elements`.
    collaboration_name : str
        The name of the document's collaboration (``""`` when it has none or no name).
    digest : str
        SHA-256 of the canonical XML: the content version the engine deploys under.
    """

    def __init__(self, root: etree._Element, file: str = "<bytes>"):
        parts = read_parts(root, file)
        self._root = root
        self.file = file
        self.processes = MappingProxyType(parts.processes)
        self.elements = MappingProxyType(parts.elements)
        self.flows = MappingProxyType(parts.flows)
        self.message_flows = MappingProxyType(parts.message_flows)
        self.lanes = MappingProxyType(parts.lanes)
        self.pools = MappingProxyType(parts.pools)
        self.data_objects = MappingProxyType(parts.data_objects)
        self.collaboration_name = parts.collaboration
        self.load_warnings = tuple(parts.warnings)
        self._key = (
            tuple(sorted(parts.processes.items())),
            tuple(sorted(parts.elements.items())),
            tuple(sorted(parts.flows.items())),
            tuple(sorted(parts.message_flows.items())),
            tuple(sorted(parts.lanes.items())),
            tuple(sorted(parts.pools.items())),
            tuple(sorted(parts.data_objects.items())),
            parts.collaboration,
        )

    # -- construction -------------------------------------------------------------
    @classmethod
    def from_tree(cls, root: etree._Element, file: str = "<bytes>") -> ProcessModel:
        """Build a model from an lxml ``definitions`` element (e.g. an edited copy)."""
        return cls(root, file)

    def tree(self) -> etree._Element:
        """A deep copy of the XML tree, for transformations to edit."""
        return copy.deepcopy(self._root)

    # -- identity -----------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProcessModel) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        return (
            f"<ProcessModel {self.name!r} from {self.file}: {len(self.elements)} elements, "
            f"{len(self.flows)} flows, {len(self.lanes)} lanes>"
        )

    @cached_property
    def digest(self) -> str:
        try:
            canonical = etree.tostring(self._root, method="c14n2")
        except etree.C14NError:  # e.g. relative namespace URIs (MIWG C.3.0): plain bytes then
            canonical = etree.tostring(self._root)
        import hashlib  # on use: a simulation never asks

        return hashlib.sha256(canonical).hexdigest()

    @property
    def name(self) -> str:
        """What the procedure is called in titles and reports.

        A collaboration (several pools, one procedure across offices): its name, else its
        pools' names; otherwise the main process's name (or id), the executable one if any.
        """
        if self.is_collaboration:
            if self.collaboration_name:
                return self.collaboration_name
            pools = {p.process: p.name for p in self.pools.values() if p.process}
            return " / ".join(
                pools.get(pid) or self.processes[pid].name or pid for pid in self.pooled_processes
            )
        main = self.main_process
        return (main.name or main.id) if main else Path(self.file).stem

    @property
    def main_process(self) -> ProcessInfo:
        """The process an engine would start: the first executable one, else the first.

        Every model has one: the loader refuses a document without a process."""
        procs = list(self.processes.values())
        executable = [p for p in procs if p.executable]
        return (executable or procs)[0]

    # -- lookups ------------------------------------------------------------------
    def get(self, key: str) -> Element:
        """An element by id, or by name where that name is unique.

        Raises
        ------
        ModelError
            When nothing (or more than one element) answers to ``key``.
        """
        if key in self.elements:
            return self.elements[key]
        named = [e for e in self.elements.values() if e.name == key]
        if len(named) == 1:
            return named[0]
        what = "several elements are named" if named else "no element has id or name"
        raise ModelError(
            Problem(f"{what} {key!r}", file=self.file, element_id=key, code="unknown-element")
        )

    def approval(self, element_id: str) -> Approval:
        """Whether the element is an approval step, and the reason (see :mod:`.approval`)."""
        return self._approvals[element_id]

    @cached_property
    def _approvals(self) -> dict[str, Approval]:
        return {eid: classify(self, el) for eid, el in self.elements.items()}

    def mandate(self, element_id: str) -> Mandate:
        """Whether a redesign must keep the element, and why (see :mod:`.mandate`)."""
        if element_id not in self._mandates:
            from .mandate import classify_mandate  # on use: redesign and analyze ask

            self._mandates[element_id] = classify_mandate(self, self.elements[element_id])
        return self._mandates[element_id]

    @cached_property
    def _mandates(self) -> dict[str, Mandate]:
        return {}

    @property
    def approvals(self) -> tuple[Element, ...]:
        """Elements classified as approvals, in document order."""
        return tuple(e for e in self.elements.values() if self._approvals[e.id].is_approval)

    def lane_of(self, element_id: str) -> str | None:
        return self.elements[element_id].lane

    def lane_rank(self, lane_name: str | None) -> int | None:
        """``bpe:rank`` of the lane with that name (authority; higher ranks higher)."""
        for lane in self.lanes.values():
            if lane.name == lane_name:
                return lane.rank
        return None

    # -- collaborations -----------------------------------------------------------
    @property
    def is_collaboration(self) -> bool:
        """Two or more pools run processes of their own: one procedure across agencies."""
        return len(self.pooled_processes) > 1

    @cached_property
    def pooled_processes(self) -> tuple[str, ...]:
        """Ids of the processes drawn in a pool and holding flow nodes, in pool order.

        Processes only reached by a call activity are left out: they run inside the caller.
        """
        called = {e.called_element for e in self.elements.values() if e.kind == "callActivity"}
        with_nodes = {e.process for e in self.elements.values()}
        out = []
        for pool in self.pools.values():
            if (
                pool.process in with_nodes
                and pool.process not in called
                and pool.process not in out
            ):
                out.append(pool.process)
        return tuple(out)

    @property
    def executable_pools(self) -> tuple[Pool, ...]:
        """The pools (:class:`~.elements.Pool`) whose process is marked executable."""
        return tuple(
            p
            for p in self.pools.values()
            if p.process is not None
            and p.process in self.processes
            and self.processes[p.process].executable
        )

    def pool_of(self, element_id: str) -> Pool | None:
        """The :class:`~.elements.Pool` drawn around an element's process, or ``None``."""
        process = self.elements[element_id].process
        for pool in self.pools.values():
            if pool.process == process:
                return pool
        return None

    @cached_property
    def _handovers(self) -> dict[str, Handover]:
        from .handover import resolve_handovers  # on use: pools and analyze ask

        return resolve_handovers(self)

    def handover(self, flow_id: str) -> Handover:
        """A message flow resolved and classified paper/data (see :mod:`.handover`)."""
        return self._handovers[flow_id]

    @property
    def handovers(self) -> tuple[Handover, ...]:
        """Every message flow, resolved and classified, in document order."""
        return tuple(self._handovers.values())

    @cached_property
    def _case_handovers(self) -> tuple[list[Handover], list[str]]:
        from .handover import case_handovers

        return case_handovers(self)

    @property
    def case_handovers(self) -> tuple[Handover, ...]:
        """Hand-overs one case passes through: both ends run, in different pools.

        The simulator plays exactly these and the metrics count them; the others are
        named in :attr:`handover_notes`.
        """
        return tuple(self._case_handovers[0])

    @property
    def handover_notes(self) -> tuple[str, ...]:
        """Why each message flow outside :attr:`case_handovers` is left out."""
        return tuple(self._case_handovers[1])

    @cached_property
    def message_fed(self) -> MappingProxyType[str, tuple[str, ...]]:
        """Receiving element id -> ids of the message flows that feed it."""
        fed: dict[str, list[str]] = {}
        for h in self._handovers.values():
            if h.receiver is not None:
                fed.setdefault(h.receiver, []).append(h.flow)
        return MappingProxyType({k: tuple(v) for k, v in fed.items()})

    @cached_property
    def message_entries(self) -> frozenset[str]:
        """Steps a message enters with no sequence flow in: ways in besides start events."""
        return frozenset(
            n
            for n in self.message_fed
            if not self.elements[n].incoming
            and self.elements[n].kind not in ("startEvent", "boundaryEvent")
        )

    # -- derived views ------------------------------------------------------------
    @cached_property
    def graph(self) -> nx.DiGraph[str]:
        """networkx DiGraph of flow nodes and sequence flows (see :mod:`.graph`)."""
        return build_graph(self)

    @cached_property
    def message_graph(self) -> nx.MultiDiGraph[str]:
        return message_graph(self)

    # -- call activities ----------------------------------------------------------
    @cached_property
    def _folder_processes(self) -> dict[str, str]:
        """Process id -> file, over the ``.bpmn`` files beside this one."""
        if self.file == "<bytes>":
            return {}
        found: dict[str, str] = {}
        here = Path(self.file).resolve()
        for path in sorted(here.parent.glob("*.bpmn")):
            if path.resolve() == here:
                continue
            try:  # bounded like every read: a FIFO or device named x.bpmn is skipped
                data = read_bounded(path, limit=MAX_BYTES, error=ModelError)
                for _, node in etree.iterparse(
                    io.BytesIO(data),
                    tag="{*}process",
                    resolve_entities=False,
                    no_network=True,
                    load_dtd=False,
                ):
                    if node.get("id"):
                        found.setdefault(node.get("id"), str(path))
            except (etree.LxmlError, OSError, ModelError):
                continue  # a broken neighbour is reported when it is loaded itself
        return found

    def callee_file(self, called_element: str) -> str | None:
        """The file beside this one that defines process ``called_element``, if any."""
        if called_element in self.processes:
            return self.file
        return self._folder_processes.get(called_element)

    def callees(self) -> dict[str, str]:
        """Called process id -> defining file for every call activity that can be resolved."""
        out = {}
        for el in self.elements.values():
            if el.kind == "callActivity" and el.called_element:
                path = self.callee_file(el.called_element)
                if path:
                    out[el.called_element] = path
        return out

    # -- writing ------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        root = self._root
        # a bpe: attribute a redesign set on a file that never declared the namespace gets
        # lxml's invented prefix (ns0:mandatory); declare it once, on top, as bpe:
        if any(
            uri == BPE and (prefix or "").startswith("ns")
            for el in root.iter(etree.Element)
            for prefix, uri in el.nsmap.items()
        ):
            root = copy.deepcopy(root)
            etree.cleanup_namespaces(root, top_nsmap={"bpe": BPE})
        data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        return data

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write the model as BPMN 2.0 XML, DI and foreign extensions included."""
        try:
            Path(path).write_bytes(self.to_bytes())
        except OSError as exc:
            raise BpengineError(
                _("{path}: cannot write: {reason}").format(path=path, reason=exc.strerror or exc)
            ) from None


def load(source: str | os.PathLike[str] | bytes) -> ProcessModel:
    """Load a BPMN 2.0 file (path or bytes) into a :class:`ProcessModel`.

    Raises
    ------
    ModelError
        The file cannot be read, is not well-formed or not BPMN, or has broken references
        (each problem names file, line and element id).

    Examples
    --------
    >>> m = load(b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...   <process id="p"><startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/>
    ...   <endEvent id="e"/></process></definitions>''')
    >>> sorted(m.elements), list(m.graph.edges)
    (['e', 's'], [('s', 'e')])
    """
    data, filename = read_source(source)
    root = parse_xml(data, filename)
    return ProcessModel(root, filename)
