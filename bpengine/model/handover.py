"""Message flows between pools, resolved to the steps they join, and what passes along them.

A collaboration is one procedure: one pool per agency, message flows where the file changes
hands. This module answers, for every consumer (engine, simulator, analysis, redesign):

* which element *sends* and which element *receives* each message flow. A flow drawn to a
  pool shape is received by that pool's start event (its message start, else its only
  start); a flow drawn from a pool shape is sent by that pool's only end event. A black-box
  pool (no process) sends and receives nothing we can run: that end stays ``None``;
* whether the hand-over is **paper** (a person carries a file: a manual step or a throw
  event, a name speaking of *berkas*, *surat*, *map*, *dokumen*, *antar*, *serahkan*, *kirim
  fisik*) or **data** (a service or send task, a system lane, a name speaking of *sistem*,
  *aplikasi*, *elektronik*, *online*). Like :mod:`.approval`, the verdict says why, and the
  analyst's ``bpe:handover="paper|data"`` (on the message flow, else on the sender) wins.

The order of evidence: attribute, then vocabulary of the message flow's own name (what is
passed), then structure (who sends: a system step or lane means data, a manual step or a
throw event means paper), then vocabulary of the steps' names. An unannotated hand-over with
no evidence either way is paper: before the reforms that is how files moved between
Indonesian agencies, and the reason says it was assumed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..i18n import _, ngettext

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .elements import MessageFlow, Pool
    from .process_model import ProcessModel

__all__ = [
    "Handover",
    "PAPER_WORDS",
    "DATA_WORDS",
    "SYSTEM_LANE_WORDS",
    "case_handovers",
    "resolve_handovers",
]

PAPER_WORDS = (
    "berkas",
    "surat",
    "map",
    "dokumen",
    "antar",
    "mengantar",
    "diantar",
    "serahkan",
    "menyerahkan",
    "diserahkan",
    "penyerahan",
    "kirim fisik",
    "fisik",
    "kurir",
    "pos",
    "salinan",
    "fotokopi",
    "hardcopy",
    "arsip",
    "bawa",
    "membawa",
    "ambil",
    "mengambil",
    "paper",
    "letter",
    "document",
    "courier",
    "folder",
    "hand over",
    "deliver",
    "carry",
)
DATA_WORDS = (
    "sistem",
    "aplikasi",
    "elektronik",
    "online",
    "daring",
    "api",
    "integrasi",
    "sinkron",
    "notifikasi",
    "email",
    "surel",
    "portal",
    "web",
    "digital",
    "tte",
    "oss",
    "simbg",
    "system",
    "electronic",
    "service",
    "message queue",
    "interface",
)
# A lane of machines, not of people: its steps exchange data.
SYSTEM_LANE_WORDS = ("sistem", "aplikasi", "system", "server", "oss", "simbg", "portal")
_AUTOMATIC = ("serviceTask", "sendTask", "scriptTask", "businessRuleTask")
_PAPER_SENDERS = ("manualTask", "intermediateThrowEvent", "endEvent")


def _words(words: Iterable[str]) -> re.Pattern[str]:
    return re.compile(
        r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b",
        re.IGNORECASE,
    )


_PAPER_RE, _DATA_RE, _SYSTEM_RE = _words(PAPER_WORDS), _words(DATA_WORDS), _words(SYSTEM_LANE_WORDS)


@dataclass(frozen=True)
class Handover:
    """One message flow, resolved and classified.

    Attributes
    ----------
    flow : str
        Id of the message flow.
    name : str
        The message flow's name (what is passed), possibly empty.
    sender, receiver : str or None
        Flow node that sends (throw event, send/any task, end event) and the one that
        receives (catch event, receive/any task, start event); ``None`` for a black-box pool
        or a pool shape whose start/end is ambiguous.
    sender_pool, receiver_pool : str or None
        Participant (pool) ids of both ends.
    kind : {"paper", "data"}
        What passes: a file a person carries, or data between systems.
    reason : {"attribute", "vocabulary", "structure", "assumed"}
        What decided ``kind``; ``evidence`` quotes it.
    between_pools : bool
        The two ends are in different pools (a hand-over between agencies); a message flow
        inside one pool (drawn by some tools) is not.
    """

    flow: str
    name: str
    sender: str | None
    receiver: str | None
    sender_pool: str | None
    receiver_pool: str | None
    kind: str
    reason: str
    evidence: str = ""
    between_pools: bool = True

    @property
    def is_paper(self) -> bool:
        return self.kind == "paper"


def _pool_of_element(model: ProcessModel, element_id: str | None) -> str | None:
    el = model.elements.get(element_id) if element_id is not None else None
    if el is None:
        return None
    for pool in model.pools.values():
        if pool.process == el.process:
            return pool.id
    return None


def _process(model: ProcessModel, ref: str, pool: str | None) -> str | None:
    """The process at one end of a message flow: the element's, else the pool's."""
    if ref in model.elements:
        return model.elements[ref].process
    return model.pools[pool].process if pool is not None and pool in model.pools else None


def _pool_end(model: ProcessModel, pool: Pool, kinds: tuple[str, ...]) -> str | None:
    """The start (message start first) or end event of a pool's process, if unambiguous."""
    if pool.process is None:
        return None
    top = [
        e
        for e in model.elements.values()
        if e.process == pool.process and e.scope is None and e.kind in kinds
    ]
    if kinds == ("startEvent",):
        message = [e for e in top if e.event == "message"]
        top = message or top
    return top[0].id if len(top) == 1 else None


def _classify(
    model: ProcessModel, mf: MessageFlow, sender: str | None, receiver: str | None
) -> tuple[str, str, str]:
    explicit = dict(mf.extensions).get("handover")
    if explicit is None and sender is not None:
        explicit = dict(model.elements[sender].extensions).get("handover")
    if explicit is not None:
        return explicit.strip().lower(), "attribute", f"bpe:handover={explicit.strip().lower()}"
    found = _DATA_RE.search(mf.name or "")
    if found:
        return (
            "data",
            "vocabulary",
            _("message {name}: {word}").format(name=repr(mf.name), word=found.group(1).lower()),
        )
    found = _PAPER_RE.search(mf.name or "")
    if found:
        return (
            "paper",
            "vocabulary",
            _("message {name}: {word}").format(name=repr(mf.name), word=found.group(1).lower()),
        )
    ends = [model.elements[e] for e in (sender, receiver) if e is not None]
    for el in ends:
        if el.kind in _AUTOMATIC:
            return "data", "structure", f"{el.kind} {el.id}"
        lane = _SYSTEM_RE.search(el.lane or "")
        if lane:
            return (
                "data",
                "structure",
                _("system lane {lane} ({id})").format(lane=repr(el.lane), id=el.id),
            )
    for el in ends:
        if el.kind == "manualTask":
            return "paper", "structure", _("manual task {id}").format(id=el.id)
    for el in ends:
        found = _DATA_RE.search(el.name or "")
        if found:
            return "data", "vocabulary", f"{el.id} {el.name!r}: {found.group(1).lower()}"
        found = _PAPER_RE.search(el.name or "")
        if found:
            return "paper", "vocabulary", f"{el.id} {el.name!r}: {found.group(1).lower()}"
    if sender is not None and model.elements[sender].kind in _PAPER_SENDERS:
        return "paper", "structure", f"{model.elements[sender].kind} {sender}"
    return "paper", "assumed", _("no system step or data word on either end")


def resolve_handovers(model: ProcessModel) -> dict[str, Handover]:
    """Every message flow of ``model`` resolved to its sending and receiving elements.

    Examples
    --------
    >>> from bpengine.model import load
    >>> m = load(b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...  <collaboration id="c"><participant id="A" processRef="pa"/>
    ...   <participant id="B" processRef="pb"/>
    ...   <messageFlow id="m" name="Berkas permohonan" sourceRef="t" targetRef="B"/></collaboration>
    ...  <process id="pa"><startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="t"/>
    ...   <userTask id="t" name="Kirim"/></process>
    ...  <process id="pb"><startEvent id="sb"><messageEventDefinition/></startEvent></process>
    ... </definitions>''')
    >>> h = resolve_handovers(m)["m"]
    >>> h.sender, h.receiver, h.kind, h.reason
    ('t', 'sb', 'paper', 'vocabulary')
    """
    out: dict[str, Handover] = {}
    for mf in model.message_flows.values():
        sender_pool: str | None
        receiver_pool: str | None
        if mf.source in model.pools:
            sender, sender_pool = _pool_end(model, model.pools[mf.source], ("endEvent",)), mf.source
        else:
            sender, sender_pool = mf.source, _pool_of_element(model, mf.source)
        if mf.target in model.pools:
            receiver = _pool_end(model, model.pools[mf.target], ("startEvent",))
            receiver_pool = mf.target
        else:
            receiver, receiver_pool = mf.target, _pool_of_element(model, mf.target)
        kind, reason, evidence = _classify(model, mf, sender, receiver)
        ends = [
            _process(model, end, pool)
            for end, pool in ((mf.source, sender_pool), (mf.target, receiver_pool))
        ]
        between = ends[0] != ends[1] or ends[0] is None
        out[mf.id] = Handover(
            mf.id,
            mf.name,
            sender,
            receiver,
            sender_pool,
            receiver_pool,
            kind,
            reason,
            evidence,
            between,
        )
    return out


def _ref(model: ProcessModel, element_id: str) -> str:
    el = model.elements[element_id]
    return element_id if not el.name else f"{element_id} ({el.name})"


def case_handovers(model: ProcessModel) -> tuple[list[Handover], list[str]]:
    """(hand-overs one case passes through, notes on those it cannot).

    Both ends run (in a pool's process, the receiver outside any subprocess), the two
    ends are in different pools, and the receiver does not answer inside a loop of
    messages (the two pools would wait for each other). The simulator plays exactly these;
    metrics count them.

    Examples
    --------
    >>> from bpengine.model import load
    >>> import pathlib
    >>> m = load(pathlib.Path(__file__).parents[2] / "tests/data/collab/tiga-instansi.bpmn")
    >>> played, notes = case_handovers(m)
    >>> [h.flow for h in played]
    ['Msg_berkas', 'Msg_data']
    """
    import networkx as nx  # on first use, as in .graph

    simulated = set(model.pooled_processes)
    graph: nx.DiGraph[str] = nx.DiGraph(model.graph.edges)
    candidates: list[tuple[Handover, str, str]] = []
    notes: list[str] = []
    for h in model.handovers:
        if not h.between_pools:
            notes.append(
                _(
                    "message flow {flow}: within one pool, not a hand-over between "
                    "pools; not simulated"
                ).format(flow=h.flow)
            )
            continue
        if h.sender is None or h.receiver is None:
            continue  # black-box pools: said once per pool below
        s, r = model.elements[h.sender], model.elements[h.receiver]
        if s.process not in simulated or r.process not in simulated:
            notes.append(
                _(
                    "message flow {flow}: one end is in a process no pool runs; not simulated"
                ).format(flow=h.flow)
            )
            continue
        if r.scope is not None:
            notes.append(
                _(
                    "message flow {flow}: {ref} is inside a subprocess; its message is not awaited"
                ).format(flow=h.flow, ref=_ref(model, r.id))
            )
            continue
        candidates.append((h, s.id, r.id))
        graph.add_edge(s.id, r.id)
    played = []
    for h, sender, receiver in candidates:
        r = model.elements[receiver]
        if r.kind != "startEvent" and nx.has_path(graph, receiver, sender):
            notes.append(
                _(
                    "message flow {flow}: {receiver} answers within a loop of messages "
                    "with {sender}; its arrival is not awaited (the pools would wait for "
                    "each other)"
                ).format(flow=h.flow, receiver=_ref(model, receiver), sender=_ref(model, sender))
            )
            continue
        played.append(h)
    for pool in model.pools.values():
        if pool.process in simulated:
            continue
        n = sum(
            1
            for h in model.handovers
            if pool.id in (h.sender_pool, h.receiver_pool)
            and (h.sender is None or h.receiver is None)
        )
        if n:
            notes.append(
                ngettext(
                    "pool {pool} is a black box (no process): its {n} message flow take no time "
                    "and wait for nothing in the simulation",
                    "pool {pool} is a black box (no process): its {n} message flows take no time "
                    "and wait for nothing in the simulation",
                    n,
                ).format(pool=pool.name or pool.id, n=n)
            )
    return played, notes
