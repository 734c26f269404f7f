"""Build SpiffWorkflow specs from the same parse as everything else.

The parser gets a copy of the model's own tree (never the file again), plus the files
beside it that define called processes. SpiffWorkflow's messages are often misleading and
carry no line number, so its ValidationException is re-raised as our ModelError with the
element's line from lxml.

Two things a drawing says that SpiffWorkflow does not read, made explicit on the copy:

- **Message flows.** SpiffWorkflow pairs a thrown message with a catch by message *name*
  only, and an event without ``messageRef`` is named after the event itself, so
  "Menyerahkan berkas" would never reach "Menerima berkas". Every group of elements joined
  by message flows is given one message (see :func:`message_names`).
- **Collaborations.** A collaboration with two or more executable pools is one procedure:
  its spec runs every pool in one case (SpiffWorkflow's ``get_collaboration``).
"""

from __future__ import annotations

import hashlib
import sys
from typing import TYPE_CHECKING, Any

from lxml import etree
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from ..errors import ModelError, Problem
from ..i18n import _
from .namespaces import BPMN, q
from .source import parse_xml, read_source

if TYPE_CHECKING:
    from .process_model import ProcessModel

__all__ = [
    "build_specs",
    "definition_digest",
    "engine_key",
    "engine_name",
    "message_names",
    "task_senders",
    "MAX_ENGINE_NODES",
    "ENGINE_RECURSION_LIMIT",
    "ensure_recursion_limit",
    "spiff_text",
]

#: Flow elements the engine runs in one model. SpiffWorkflow parses and predicts a process
#: by recursion along its flows (a few Python frames per step), so a long chain needs a
#: deeper stack than Python's default 1,000 frames: a 490-step procedure failed with
#: RecursionError. 2,000 steps run in a thread with the default 8 MB stack at the limit below.
MAX_ENGINE_NODES = 2_000
#: Python recursion limit the engine raises the interpreter's to (never lowers it).
ENGINE_RECURSION_LIMIT = 10_000


def ensure_recursion_limit() -> None:
    """Raise the interpreter's recursion limit to :data:`ENGINE_RECURSION_LIMIT` if lower.

    Called before SpiffWorkflow builds or runs a process. Raising only (never restoring)
    keeps it safe with several threads: no thread lowers the limit under another.
    """
    if sys.getrecursionlimit() < ENGINE_RECURSION_LIMIT:
        sys.setrecursionlimit(ENGINE_RECURSION_LIMIT)


_CATCHERS = {"startEvent", "intermediateCatchEvent", "boundaryEvent", "receiveTask"}
_THROWERS = {"intermediateThrowEvent", "endEvent", "sendTask"}
_TASK_REF = {"sendTask", "receiveTask"}  # messageRef sits on the task itself


def spiff_text(exc: BaseException) -> str:
    """An exception's text; for SpiffWorkflow's own, its message and notes without the ". "
    its ``__str__`` always appends (so a message ending in "." read "executable.. ").

    Any other exception reads as ``str(exc)``: callers catch both kinds in one place.
    """
    if not isinstance(exc, SpiffWorkflowException):
        return str(exc)
    parts = [str(exc.args[0]) if exc.args else "", *getattr(exc, "notes", [])]
    return ". ".join(p.rstrip(". ") for p in parts if p) or type(exc).__name__


def _wrap(model: ProcessModel, exc: ValidationException) -> ModelError:
    el = model.elements.get(getattr(exc, "id", "") or "")
    line = el.line if el else (getattr(exc, "line_number", None) or None)
    return ModelError(
        Problem(
            _("the engine cannot use this model: {why}").format(why=spiff_text(exc)),
            file=getattr(exc, "file_name", "") or model.file,
            line=line if isinstance(line, int) else None,
            element_id=getattr(exc, "id", None) or None,
            element_name=getattr(exc, "name", None) or None,
            code="engine",
        )
    )


def _collaboration(model: ProcessModel) -> tuple[str, list[str]] | None:
    """``(collaboration id, executable process ids)`` when two or more pools run."""
    executable = [p.id for p in model.processes.values() if p.executable]
    if len(executable) < 2:
        return None
    found = model._root.find(q(BPMN, "collaboration"))
    if found is None or not found.get("id"):
        return None
    pooled = {pool.process for pool in model.pools.values()}
    running = [pid for pid in executable if pid in pooled]
    return (found.get("id"), running) if len(running) >= 2 else None


def engine_key(model: ProcessModel) -> str:
    """The key a deployed model is started by: the collaboration's id when it runs several
    pools as one procedure, else the main (first executable) process's id."""
    collaboration = _collaboration(model)
    if collaboration is not None:
        return collaboration[0]
    return model.main_process.id


def engine_name(model: ProcessModel) -> str:
    """What a deployment is called: the collaboration's name, else the process's."""
    collaboration = _collaboration(model)
    if collaboration is not None:
        found = model._root.find(q(BPMN, "collaboration"))
        return found.get("name") or collaboration[0]
    return model.name or engine_key(model)


def _message_name(root: etree._Element, ref: str | None) -> str | None:
    if not ref:
        return None
    for message in root.iter(q(BPMN, "message")):
        if message.get("id") == ref:
            return message.get("name") or ref
    return None


def _definition(node: etree._Element) -> etree._Element | None:
    """The element carrying ``messageRef``: the task itself or its messageEventDefinition."""
    if etree.QName(node).localname in _TASK_REF:
        return node
    return node.find(q(BPMN, "messageEventDefinition"))


def _pairs(model: ProcessModel) -> list[tuple[str, str, str]]:
    """``(sender, receiver, flow name)`` of message flows with an element at both ends (a
    flow drawn to a pool shape ends at that pool's start or end event, see
    :func:`~.handover.resolve_handovers`), in document order."""
    flows = sorted(model.handovers, key=lambda h: (model.message_flows[h.flow].line or 0, h.flow))
    return [
        (h.sender, h.receiver, h.name)
        for h in flows
        if h.sender is not None
        and h.receiver is not None
        and h.sender in model.elements
        and h.receiver in model.elements
    ]


def message_names(model: ProcessModel) -> dict[str, str]:
    """Element id -> the message it throws or catches, once message flows are followed.

    Elements joined by message flows (directly or through a shared partner) form a group
    that carries one message. Its name is the first found of: a catcher's ``messageRef``
    name, a thrower's, the first message flow's name, the first catcher's name. Elements
    with a message definition but no flow keep their own message (or their name).
    """
    root = model._root
    nodes = {
        n.get("id"): n
        for n in root.iter()
        if isinstance(n.tag, str) and n.get("id") and n.get("id") in model.elements
    }
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for sender, receiver, _flow in _pairs(model):
        parent[find(sender)] = find(receiver)
    flow_names: dict[str, list[str]] = {}
    for h in sorted(model.handovers, key=lambda h: (model.message_flows[h.flow].line or 0, h.flow)):
        for end in (h.sender, h.receiver):  # a flow to a black-box pool names it too
            if end is not None and (
                end in nodes and _definition(nodes[end]) is not None or end in parent
            ):
                flow_names.setdefault(find(end), []).append(h.name)
                break

    def ref(eid: str) -> str | None:
        definition = _definition(nodes[eid])
        return _message_name(root, definition.get("messageRef")) if definition is not None else None

    names: dict[str, str] = {}
    for eid, node in nodes.items():
        if _definition(node) is None and eid not in parent:
            continue
        group = find(eid)
        if group in names:
            continue
        members = [m for m in nodes if m in parent and find(m) == group] or [eid]
        catchers = [m for m in members if etree.QName(nodes[m]).localname in _CATCHERS]
        others = [m for m in members if m not in catchers]
        candidates = [ref(m) for m in catchers + others] + flow_names.get(group, [])
        candidates += [model.elements[m].name for m in catchers + others]
        names[group] = next((c for c in candidates if c), group)
    return {eid: names[find(eid)] for eid in nodes if find(eid) in names}


def task_senders(model: ProcessModel) -> dict[str, str]:
    """Tasks that send along a message flow but cannot throw (a user or manual task: the
    officer carries the file across): element id -> message. The engine throws the message
    when such a task completes; SpiffWorkflow only throws from events and send tasks."""
    names = message_names(model)
    return {
        sender: names[sender]
        for sender, _, _ in _pairs(model)
        if model.elements[sender].is_task
        and model.elements[sender].kind != "sendTask"
        and sender in names
    }


def _align(model: ProcessModel, root: etree._Element) -> None:
    """Point every message thrower/catcher of the copy at its group's message."""
    names = message_names(model)
    by_name: dict[str, str] = {}
    for message in root.iter(q(BPMN, "message")):
        by_name.setdefault(message.get("name") or message.get("id"), message.get("id"))
        if not message.get("name"):
            message.set("name", message.get("id"))
    for eid, name in names.items():
        node = next(root.iterfind(f".//*[@id='{eid}']"), None)
        if node is None:
            continue
        kind = etree.QName(node).localname
        if kind not in _CATCHERS | _THROWERS:
            continue  # a message flow on a user task: the person hands it over
        ref = by_name.get(name)
        if ref is None:
            ref = by_name[name] = f"bpe_message_{len(by_name) + 1}"
            message = etree.Element(q(BPMN, "message"), id=ref, name=name)
            root.insert(0, message)
        definition = _definition(node)
        if definition is None:
            if kind == "startEvent":
                continue  # a plain start stays plain: the pool starts with the case
            definition = etree.SubElement(node, q(BPMN, "messageEventDefinition"))
            definition.set("id", f"bpe_med_{eid}")
            node.insert(
                len(
                    [
                        c
                        for c in node
                        if etree.QName(c).localname
                        in ("documentation", "extensionElements", "incoming", "outgoing")
                    ]
                ),
                definition,
            )
        definition.set("messageRef", ref)


def _documents_travel(root: etree._Element) -> None:
    """Drop each read of a document no step of the same pool writes before it (in the copy).

    In a collaboration a document made in one pool (the deed, the SKDU) reaches another
    with the message that carries it; SpiffWorkflow keeps documents per pool and would stop
    at a read of one the pool does not hold yet. The model keeps the association: analysis
    reads it.
    """
    for proc in root.iter(q(BPMN, "process")):
        refs = {
            n.get("id"): n.get("dataObjectRef") for n in proc.iter(q(BPMN, "dataObjectReference"))
        }
        after: dict[str, set[str]] = {}
        for flow in proc.iter(q(BPMN, "sequenceFlow")):
            after.setdefault(flow.get("sourceRef"), set()).add(flow.get("targetRef"))
        writers: dict[str, set[str]] = {}
        for assoc in proc.iter(q(BPMN, "dataOutputAssociation")):
            for t in assoc.iter(q(BPMN, "targetRef")):
                writers.setdefault(refs.get(t.text, t.text), set()).add(assoc.getparent().get("id"))
        for assoc in list(proc.iter(q(BPMN, "dataInputAssociation"))):
            reader = assoc.getparent().get("id")
            sources = [refs.get(r.text, r.text) for r in assoc.iter(q(BPMN, "sourceRef"))]
            # a writer before it on every round: it reaches the reader, never the other way
            if sources and not any(
                _reaches(after, w, reader) and not _reaches(after, reader, w)
                for doc in sources
                for w in writers.get(doc, ())
            ):
                assoc.getparent().remove(assoc)


def _reaches(after: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set[str](), [start]
    while todo:
        node = todo.pop()
        for nxt in after.get(node, ()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def _wire_triggered_pools(spec: Any) -> None:  # SpiffWorkflow is untyped
    """Wire pools that start on a message once, at build time.

    SpiffWorkflow connects such a pool to the collaboration's start the first time a
    message starts it (``BpmnStartTask.trigger_wf``): it changes the *shared* spec while a
    case runs, so every later case of that process also starts the pool at once, and a
    worker that has not seen a trigger yet runs the same case differently. Marking the
    start as already among the pool's inputs (without making the pool an output of the
    start) keeps the spec fixed: the pool still starts only when its message comes.
    """
    if spec.start.trigger_specs and not spec.start.outputs:
        # Every pool starts on a message: SpiffWorkflow cannot even create an instance
        # ("No output task connected"). Start -> end lets one exist until a message starts
        # a pool; the end waits for every unfinished task, so it waits for that pool.
        spec.start.connect(spec.end)
    for name in spec.start.trigger_specs:
        participant = spec.task_specs[name]
        if spec.start.name not in participant._inputs:
            participant._inputs.append(spec.start.name)
        if spec.end.name not in participant._outputs:
            participant.connect(spec.end)


def definition_digest(model: ProcessModel) -> str:
    """SHA-256 of what :func:`build_specs` runs: the model and every called-process file it
    reads beside it, so editing a called subprocess makes a new version of its caller.

    The model's own digest when it calls no other file.
    """
    files = sorted(set(model.callees().values()) - {model.file})
    if not files:
        return model.digest
    digest = hashlib.sha256(model.digest.encode())
    for path in files:
        data, name = read_source(path)
        root = parse_xml(data, name)
        try:
            canonical = etree.tostring(root, method="c14n2")
        except etree.C14NError:  # as ProcessModel.digest: plain bytes then
            canonical = etree.tostring(root)
        digest.update(b"\0" + hashlib.sha256(canonical).hexdigest().encode())
    return digest.hexdigest()


def build_specs(model: ProcessModel, process_id: str | None = None) -> tuple[Any, dict[str, Any]]:
    """Return ``(spec, subprocess_specs)`` for ``process_id`` (default: what the engine runs:
    the collaboration of several executable pools, else the main process).

    Raises
    ------
    ModelError
        The process does not exist, or SpiffWorkflow refuses the model.
    """
    collaboration = _collaboration(model) if process_id is None else None
    process_id = process_id or (model.main_process.id if model.main_process else None)
    if collaboration is None and process_id not in model.processes:
        raise ModelError(
            Problem(
                _("no process {id!r} in this model").format(id=process_id),
                file=model.file,
                code="unknown-process",
            )
        )
    nodes = len(model.elements)
    if nodes > MAX_ENGINE_NODES:
        raise ModelError(
            Problem(
                _(
                    "{count} flow elements; the engine runs models of at most {limit} (the setting "
                    "bpengine.model.spiff.MAX_ENGINE_NODES): split it into called processes"
                ).format(count=nodes, limit=MAX_ENGINE_NODES),
                file=model.file,
                code="too-large",
            )
        )
    ensure_recursion_limit()
    parser = BpmnParser()
    try:
        tree = model.tree()
        _align(model, tree)
        if collaboration is not None:
            _documents_travel(tree)
        parser.add_bpmn_xml(tree, filename=model.file)
        for path in sorted(set(model.callees().values()) - {model.file}):
            data, name = read_source(path)
            parser.add_bpmn_xml(parse_xml(data, name), filename=name)
        if collaboration is not None:
            spec, subprocesses = parser.get_collaboration(collaboration[0])
            _wire_triggered_pools(spec)
            return spec, subprocesses
        spec = parser.get_spec(process_id)
        subprocesses = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise _wrap(model, exc) from None
    return spec, subprocesses
