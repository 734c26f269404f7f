"""Compile a model and its scenario into a flat net the simulation kernel walks fast.

Every flow node of the main process (embedded subprocesses included) becomes an index
with a small integer kind, its outgoing targets, its lane (staff pool), its duration and,
for gateways, how a branch is chosen: scenario probabilities, the flows' conditions over
generated case data (through :mod:`bpengine.expressions`, the engine's safe evaluator), or
equal chances when the scenario says nothing. Looking all of that up once keeps dictionary
lookups and string handling out of the event loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from ..errors import ExpressionError, ModelError, Problem, ScenarioError
from ..expressions import compile_expression
from ..i18n import N_, _, ngettext
from ..scenario import DEFAULT_DURATION, Calendar, Distribution
from ..timers import first_wait_minutes

__all__ = [
    "Net",
    "compile_net",
    "lane_calendar",
    "NO_LANE",
    "SYSTEM",
    "UNSTAFFED",
    "AUTOMATED",
    "START",
    "TASK",
    "SUB",
    "XOR",
    "AND",
    "OR",
    "CATCH",
    "PASS",
    "END",
    "TERMINATE",
    "BOUNDARY",
    "SEND",
    "MEET",
    "MAIL",
]


def _ref(el) -> str:
    """``Task_x ('Name')`` in a note, or just the id when the element has no name of its own."""
    return el.id if not el.label or el.label == el.id else f"{el.id} ({el.label})"


START, TASK, SUB, XOR, AND, OR, CATCH, PASS, END, TERMINATE, BOUNDARY = range(11)
# Across pools (see :mod:`.pools`): a throw/end event that posts messages, a meeting point
# where a pool's token waits for a message (or an event-based gateway for the first of
# several), and the door through which a message enters a meeting point.
SEND, MEET, MAIL = 11, 12, 13
NO_LANE = N_("(no lane)")  # a key in results; shown translated
_NO_TIME = Distribution("fixed", (0.0,))
# steps a system does (BPMN's service, script, business-rule, send and receive tasks) take
# no staff and run around the clock; steps on no lane take no staff either: nobody is
# drawn to queue for (unless the scenario assigns the step to a lane)
SYSTEM = N_("(system)")
UNSTAFFED = (NO_LANE, SYSTEM)
AUTOMATED = frozenset({"serviceTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask"})
_GATEWAY = {
    "exclusiveGateway": XOR,
    "eventBasedGateway": XOR,
    "complexGateway": XOR,
    "parallelGateway": AND,
    "inclusiveGateway": OR,
}


@dataclass
class Boundary:
    """A boundary event on an activity: a timer, or an event that fires with a probability."""

    node: int
    interrupting: bool
    delay: Distribution | None = None  # timers: how long after activation it fires
    working_time: bool = False
    probability: float = 0.0  # non-timer events: chance to end the activity this way


@dataclass
class Net:
    """The compiled model: parallel lists indexed by node number."""

    ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    kinds: list[int] = field(default_factory=list)
    outs: list[list[int]] = field(default_factory=list)  # target node per outgoing flow
    out_flows: list[list[str]] = field(default_factory=list)  # flow id per outgoing flow
    n_in: list[int] = field(default_factory=list)
    lane: list[int] = field(default_factory=list)  # staff pool index, -1 if none
    duration: list[int] = field(default_factory=list)  # distribution index, -1 if none
    batch: list = field(default_factory=list)  # Batch or None
    boundaries: list[list[Boundary]] = field(default_factory=list)
    starts: dict = field(default_factory=dict)  # scope (None/sub id) -> [start]
    delay: list = field(default_factory=list)  # catch events: Distribution
    delay_working: list[bool] = field(default_factory=list)
    # gateways: ("prob", p) | ("cond", exprs, default) | ("rules", exprs, p, default)
    choose: list = field(default_factory=list)
    reach: list = field(default_factory=list)  # OR joins: nodes from which they can be reached
    mi: list = field(default_factory=list)  # multi-instance: (sequential, count) or None
    # tasks that set case attributes when they end (Prosimos event attributes):
    # [(name, Distribution | Choice | Expression)] or None
    attrs: list = field(default_factory=list)
    repeat: list[float] = field(default_factory=list)  # standard loop: P(another round)
    distributions: list[Distribution] = field(default_factory=list)
    lanes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sends: dict = field(default_factory=dict)  # sender node -> [(transfer node, timing)]
    mail: dict = field(default_factory=dict)  # MAIL node -> (MEET node, branch)
    pools: list = field(default_factory=list)  # pool name of each node ("" outside pools)
    has_or_join: bool = False
    cancellable: bool = False  # boundary events or terminate ends can cancel work

    def index(self, element_id: str) -> int:
        return self.ids.index(element_id)


def _timer_delay(el, scenario, notes: list[str]) -> tuple[Distribution | None, bool]:
    timing = scenario.events.get(el.id)
    if timing is not None and timing.duration is not None:
        return timing.duration, timing.working_time
    if el.event != "timer":
        return None, False
    try:
        minutes = first_wait_minutes(el.event_value)
    except ExpressionError:
        notes.append(
            _(
                "timer {ref}: {value} is not a duration the simulator can read, so it "
                "never fires; give one under events (e.g. 'events: {{{id}: 2 working "
                "days}}')"
            ).format(ref=_ref(el), value=repr(el.event_value), id=el.id)
        )
        return None, False
    return Distribution("fixed", (minutes,)), False


def _event_race(scenario, el, net, i):
    """An event-based gateway whose events all have a duration: the first to happen wins.

    Returns ``("race", redraw)`` or None (branches by probability, as for an exclusive
    gateway). Probabilities the scenario gives for the gateway win in a bpengine scenario;
    a Prosimos import races whatever they say, as Prosimos does, and (``redraw``) lets the
    winning event wait a fresh draw of its duration, as Prosimos 2.1.0 does.
    """
    if el.kind != "eventBasedGateway":
        return None
    redraw = getattr(scenario, "event_race", "winner") == "redraw"
    if el.id in scenario.probabilities and not redraw:
        return None
    targets = net.outs[i]
    untimed = [net.ids[j] for j in targets if net.kinds[j] != CATCH or net.delay[j] is None]
    if untimed:
        if redraw:
            net.notes.append(
                _(
                    "gateway {ref}: {ids} have no duration (event_distribution), so the "
                    "events cannot race; branches are taken by probability"
                ).format(ref=_ref(el), ids=", ".join(untimed))
            )
        return None
    if el.id in scenario.probabilities:
        net.notes.append(
            _(
                "gateway {ref}: decided by racing its events' durations, as Prosimos "
                "does; its branching probabilities are not used"
            ).format(ref=_ref(el))
        )
    return ("race", redraw)


def _gateway_choice(model, scenario, el, net):
    probs = scenario.probabilities.get(el.id)
    flows = list(el.outgoing)
    rules = getattr(scenario, "rules", {}).get(el.id)
    if rules:  # Prosimos branch rules, decided as Prosimos does (see Replication._choose)
        values = [(probs or {}).get(f, 0.0) for f in flows]
        default = flows.index(el.default_flow) if el.default_flow in flows else -1
        try:
            exprs = [compile_expression(rules[f]) if f in rules else None for f in flows]
        except ExpressionError as exc:  # e.g. more rules than the safe evaluator takes
            raise ScenarioError(
                _("branch_rules of gateway {id}: {exc}").format(id=el.id, exc=exc)
            ) from None
        return ("rules", exprs, values, default)
    if probs is not None:
        values = [probs.get(f, 0.0) for f in flows]
        return ("prob", values)
    conditional = [f for f in flows if f != el.default_flow]
    constants: dict[str, bool] = {}  # flows whose condition reads no data: decided as written
    why = ""
    if conditional and all(model.flows[f].condition for f in conditional):
        exprs = []
        names: set[str] = set()
        for f in flows:
            cond = model.flows[f].condition
            if f == el.default_flow or not cond:
                exprs.append(None)
                continue
            try:
                expr = compile_expression(cond)
            except ExpressionError as exc:
                why = _("flow {flow}: {why}").format(flow=f, why=exc)
                break
            names |= expr.names
            exprs.append(expr)
        else:
            missing = sorted(names - set(scenario.data) - set(scenario.process_data))
            if not missing:
                default = flows.index(el.default_flow) if el.default_flow else -1
                _never_met(el, flows, exprs, scenario, net)
                return ("cond", exprs, default)
            why = _(
                "their conditions read {names}, which the scenario does not generate (data:)"
            ).format(names=", ".join(missing))
            constants = _constants(flows, exprs)
    else:
        why = _("the scenario gives no probabilities and not every flow has a condition")
    return _guess(el, flows, constants, why, net)


_MAX_COMBINATIONS = 4096  # value combinations tried per condition; more: not checked


def _never_met(el, flows: list[str], exprs: list, scenario, net: Net) -> None:
    """Name each flow whose condition no combination of the scenario's choices meets.

    Only conditions over ``choice`` data alone are checked (every value is known), and not
    over names a task sets as it ends. ``ya``/``tidak`` against ``== True`` is the usual cause.
    """
    sources = {**scenario.process_data, **scenario.data}
    set_by_tasks = {n for spec in getattr(scenario, "event_data", {}).values() for n in spec}
    for f, expr in zip(flows, exprs, strict=True):
        names = sorted(expr.names) if expr is not None else []
        if not names or set_by_tasks & set(names):
            continue
        found = [getattr(sources.get(n), "values", None) for n in names]
        domains: list[tuple] = [d for d in found if d is not None]
        if len(domains) < len(names) or math.prod(map(len, domains)) > _MAX_COMBINATIONS:
            continue
        try:
            if any(expr.evaluate(dict(zip(names, v, strict=True))) for v in product(*domains)):
                continue
        except Exception:  # noqa: BLE001 -- fails on some data: the run says so, by case
            continue
        values = "; ".join(
            f"{n}: {', '.join(repr(v) for v in d)}" for n, d in zip(names, domains, strict=True)
        )
        net.notes.append(
            _(
                "gateway {ref}: flow {flow}'s condition {cond} holds for none of the values "
                "the scenario gives ({values}), so the flow is never taken"
            ).format(ref=_ref(el), flow=f, cond=repr(expr.source), values=values)
        )


def _constants(flows: list[str], exprs: list) -> dict[str, bool]:
    """The flows whose condition reads no case data (``True``, ``1 == 2``), with its value."""
    out = {}
    for f, expr in zip(flows, exprs, strict=True):
        if expr is not None and not expr.names:
            try:
                out[f] = bool(expr.evaluate({}))
            except ExpressionError:
                continue  # fails on every case: left to the guess, and named with it
    return out


def _guess(el, flows: list[str], constants: dict[str, bool], why: str, net: Net):
    """Branch chances when the scenario and the case data cannot decide: equal, named.

    A constant condition still decides its own flow. An exclusive gateway takes the first
    flow that holds, so the flows after a constant ``True`` (and the default) are never
    taken; an inclusive one takes every flow that holds, and its default only when none does.
    """
    inclusive = el.kind == "inclusiveGateway"
    always = [f for f in flows if constants.get(f)]
    chances: dict[str, float | None] = {}
    for k, f in enumerate(flows):
        if f in constants:
            chances[f] = 1.0 if constants[f] else 0.0
        elif always and (f == el.default_flow or (not inclusive and k > flows.index(always[0]))):
            chances[f] = 0.0
        else:
            chances[f] = None  # guessed
    guessed = [f for f in flows if chances[f] is None]
    share = 0.5 if inclusive else 1.0 / max(1, len(guessed) + len(always[:1]))
    if guessed:
        net.notes.append(
            ngettext(
                "gateway {ref}: {why}; flow {flows} is taken by a guess, with probability "
                "{p} (give probabilities under gateways)",
                "gateway {ref}: {why}; flows {flows} are taken by a guess, each with "
                "probability {p} (give probabilities under gateways)",
                len(guessed),
            ).format(ref=_ref(el), why=why, flows=", ".join(guessed), p=f"{share:.2g}")
        )
    if not inclusive and always:
        chances[always[0]] = share
    return ("prob", [share if chances[f] is None else chances[f] for f in flows])


def _event_data(scenario, el):
    """What the task sets in the case's data when it ends, ready to draw or evaluate."""
    spec = getattr(scenario, "event_data", {}).get(el.id)
    if not spec:
        return None
    out = []
    for name, gen in spec.items():
        if isinstance(gen, str):
            try:
                gen = compile_expression(gen)
            except ExpressionError as exc:
                raise ScenarioError(
                    _("event_attributes of {id}: {name}: {exc}").format(
                        id=el.id, name=name, exc=exc
                    )
                ) from None
        out.append((name, gen))
    return out


def _kind(el, callable_: bool) -> int:
    if (el.is_subprocess and el.kind != "adHocSubProcess") or callable_:
        return SUB
    if el.is_activity:
        return TASK
    if el.is_gateway:
        return _GATEWAY.get(el.kind, XOR)
    if el.kind == "startEvent":
        return START
    if el.kind == "endEvent":
        return TERMINATE if el.event == "terminate" else END
    if el.kind == "boundaryEvent":
        return BOUNDARY
    if el.kind == "intermediateCatchEvent":
        return CATCH
    return PASS


class _Builder:
    """Adds a process's nodes to the net; call activities pull in the called process."""

    MAX_DEPTH = 8

    def __init__(self, net: Net, scenario):
        self.net, self.scenario = net, scenario
        self.lanes: dict[str, int] = {}
        self.dists: dict[int, int] = {}
        self.models: dict[str, object] = {}
        self.cardinality: dict[int, dict[str, str]] = {}
        self.pooled = False  # a collaboration: lanes may fall back on their pool's name
        self.message_started: set[str] = set()  # starts and steps entered by a message only

    def _cardinalities(self, model) -> dict[str, str]:
        """``loopCardinality`` text of each multi-instance activity (read from the XML)."""
        key = id(model)
        if key not in self.cardinality:
            found = {}
            for mi in model.tree().iter("{*}multiInstanceLoopCharacteristics"):
                card = mi.find("{*}loopCardinality")
                owner = mi.getparent().get("id")
                if card is not None and (card.text or "").strip():
                    found[owner] = card.text.strip()
            self.cardinality[key] = found
        return self.cardinality[key]

    def _loops(self, model, el, kind):
        """(multi-instance rule or None, repeat probability) of an activity.

        ``tasks.X.repeat`` applies to any task (done again with that chance each time it
        ends: a standard loop, or rework of the same step); ``tasks.X.instances`` or the
        model's ``loopCardinality`` says how often a multi-instance task runs.
        """
        sc, notes = self.scenario, self.net.notes
        repeat = sc.repeats.get(el.id, 0.0)
        if kind != TASK:
            if el.loop and el.is_activity:
                notes.append(
                    _("{ref}: a {loop} loop on a subprocess runs once").format(
                        ref=_ref(el), loop=el.loop
                    )
                )
            return None, 0.0
        if el.loop in (None, "standard"):
            if el.loop and el.id not in sc.repeats:
                notes.append(
                    _(
                        "{ref}: a standard loop; it runs once unless tasks.{id}.repeat "
                        "gives the chance of another round"
                    ).format(ref=_ref(el), id=el.id)
                )
            return None, repeat
        sequential = el.loop == "sequential"
        if el.id in sc.instances:
            return (sequential, sc.instances[el.id]), repeat
        text = self._cardinalities(model).get(el.id)
        if text is not None:
            try:
                return (sequential, Distribution("fixed", (float(int(text)),))), repeat
            except ValueError:
                pass
            try:
                expr = compile_expression(text)
            except ExpressionError:
                expr = None
            if expr is not None and expr.names <= set(sc.data):
                return (sequential, expr), repeat
        notes.append(
            _(
                "{ref}: a multi-instance activity; it runs once unless "
                "tasks.{id}.instances says how many times"
            ).format(ref=_ref(el), id=el.id)
        )
        return None, repeat

    def _callee(self, model, el):
        """The model defining the process a call activity calls, if it can be found."""
        if el.kind != "callActivity" or not el.called_element:
            return None
        path = model.callee_file(el.called_element)
        if path is None:
            return None
        if path == model.file:
            return model
        if path not in self.models:
            from ..model import load

            self.models[path] = load(path)
        return self.models[path]

    def _task(self, el):
        sc = self.scenario
        # a pool drawn without lanes is one staff pool under the pool's name
        name = sc.assignments.get(el.id) or (
            SYSTEM if el.kind in AUTOMATED else el.lane or (self.pooled and el.pool) or NO_LANE
        )
        lane = self.lanes.setdefault(name, len(self.lanes))
        dist = (
            sc.durations.get(el.id)
            or sc.lane_durations.get(el.lane)
            or (
                # a send or receive task is the message passing itself: its time is the
                # hand-over's transfer, not ten minutes of a step's default work
                _NO_TIME if el.kind in ("sendTask", "receiveTask") else DEFAULT_DURATION
            )
        )
        dur = self.dists.setdefault(id(dist), len(self.net.distributions))
        if dur == len(self.net.distributions):
            self.net.distributions.append(dist)
        return lane, dur

    def _callees(self, model, members, depth: int) -> dict:
        """Call activity id -> the model whose process it calls (refused past MAX_DEPTH)."""
        callees = {}
        for el in members:
            callee = self._callee(model, el) if depth < self.MAX_DEPTH else None
            if callee is not None and el.called_element in callee.processes:
                callees[el.id] = callee
            elif el.kind == "callActivity" and el.called_element and depth >= self.MAX_DEPTH:
                raise ScenarioError(
                    _(
                        "tasks.{id}: call activity {label} calls {called_element} "
                        "more than {n} levels deep (a process that calls "
                        "itself?)"
                    ).format(
                        id=el.id,
                        label=repr(el.label),
                        called_element=repr(el.called_element),
                        n=self.MAX_DEPTH,
                    )
                )
        return callees

    def add(self, model, pid: str, prefix: str, scope_node, depth: int) -> None:
        net, sc = self.net, self.scenario
        members = [el for el in model.elements.values() if el.process == pid]
        base = len(net.ids)
        index = {el.id: base + k for k, el in enumerate(members)}
        callees = self._callees(model, members, depth)
        for el in members:
            kind = _kind(el, el.id in callees)
            net.ids.append(prefix + el.id)
            net.names.append(el.name or el.id)
            net.pools.append(el.pool or "")
            net.kinds.append(kind)
            net.outs.append([index[model.flows[f].target] for f in el.outgoing])
            net.out_flows.append(list(el.outgoing))
            net.n_in.append(len(el.incoming))
            lane, dur = self._task(el) if kind == TASK else (-1, -1)
            net.lane.append(lane)
            net.duration.append(dur)
            net.batch.append(sc.batch(el.id) if kind == TASK else None)
            d, working = _timer_delay(el, sc, net.notes) if kind == CATCH else (None, False)
            net.delay.append(d)
            net.delay_working.append(working)
            net.boundaries.append([])
            net.choose.append(None)
            net.reach.append(None)
            mi, repeat = self._loops(model, el, kind)
            net.mi.append(mi)
            net.repeat.append(repeat)
            net.attrs.append(_event_data(sc, el) if kind == TASK else None)

        def scope_of(el):
            return index[el.scope] if el.scope in index else scope_node

        for el in members:
            i = index[el.id]
            if el.kind == "boundaryEvent" and el.attached_to in index:
                delay, working = _timer_delay(el, sc, net.notes)
                timing = sc.events.get(el.id)
                prob = timing.probability if timing is not None and timing.probability else 0.0
                if delay is None and not prob:
                    continue  # a message/error no scenario says will come: never fires
                net.boundaries[index[el.attached_to]].append(
                    Boundary(i, el.cancel_activity, delay, working, prob)
                )
            if net.kinds[i] in (XOR, OR) and len(el.outgoing) > 1:
                net.choose[i] = _event_race(sc, el, net, i) or _gateway_choice(model, sc, el, net)
            if (
                el.kind == "startEvent"
                and not el.incoming
                and not prefix
                and el.id in self.message_started
            ):
                continue  # started by a message from another pool, not by an arrival
            if el.kind == "startEvent" and not el.incoming:
                parent = model.elements.get(el.scope) if el.scope else None
                if parent is None or not parent.triggered_by_event:
                    net.starts.setdefault(scope_of(el), []).append(i)
        implicit: dict = {}
        for el in members:  # scopes without a start event begin at activities with no incoming
            scope = scope_of(el)
            if (
                scope not in net.starts
                and el.is_activity
                and not el.incoming
                and not el.for_compensation
                and not el.triggered_by_event
                and (prefix or el.id not in self.message_started)
            ):
                implicit.setdefault(scope, []).append(index[el.id])
        net.starts.update(implicit)
        for el in members:
            i = index[el.id]
            if net.kinds[i] == OR and net.n_in[i] > 1:
                net.has_or_join = True
                net.reach[i] = self._upstream(model, members, index, el)
        for el_id, callee in callees.items():
            el = model.elements[el_id]
            self.add(callee, el.called_element, f"{prefix}{el_id}/", index[el_id], depth + 1)

    @staticmethod
    def _upstream(model, members, index, join) -> frozenset:
        """Nodes from which a token can still reach the inclusive ``join``."""
        base = index[members[0].id]
        back = {index[join.id]}
        todo = [index[model.flows[f].source] for f in join.incoming]
        while todo:
            n = todo.pop()
            if n in back:
                continue
            back.add(n)
            nel = members[n - base]
            todo.extend(index[model.flows[f].source] for f in nel.incoming)
            if nel.kind == "boundaryEvent" and nel.attached_to in index:
                todo.append(index[nel.attached_to])
        back.discard(index[join.id])
        return frozenset(back)


def lane_calendar(scenario, name: str):
    """The working hours of a staff pool; a system (:data:`SYSTEM`) works around the clock."""
    return Calendar.always() if name == SYSTEM else scenario.lane_calendar(name)


def _refuse_self_loops(model) -> None:
    problems = []
    for f in model.flows.values():
        el = model.elements.get(f.source)
        if f.source == f.target and el is not None and el.is_event:
            problems.append(
                Problem(
                    _(
                        "{kind} {id} has a sequence flow back to itself ({flow}): the simulation "
                        "cannot run an event that re-enters itself; draw the wait as a task or loop "
                        "through a gateway"
                    ).format(kind=el.kind, id=repr(el.id), flow=f.id),
                    file=model.file,
                    line=f.line,
                    element_id=el.id,
                    element_name=el.name or None,
                    code="self-loop",
                )
            )
    if problems:
        raise ModelError(problems)


def compile_net(model, scenario) -> Net:
    """Compile the main process of ``model`` under ``scenario``.

    A collaboration (two or more pools with processes) compiles every pool: a case starts in
    each pool whose start no message from another pool triggers, and message flows between
    pools carry it on after their hand-over time (:mod:`.pools`).

    Call activities whose process is defined in the model's file or a ``.bpmn`` beside it
    run that process in place, like an embedded subprocess; others run as one task with
    their own duration.

    Raises
    ------
    ScenarioError
        A timer that cannot be read, a condition outside the safe subset, a process that
        calls itself without end, or a main process without a start event.
    ModelError
        An event with a sequence flow back to itself (it would re-enter itself at once,
        or split a token in two on every firing, for ever).
    """
    from .pools import link_pools, message_started

    _refuse_self_loops(model)
    net = Net()
    net.notes.extend(getattr(scenario, "notes", ()))  # what the scenario's import approximated
    main = model.main_process
    if main is None:
        raise ScenarioError(_("{file}: no process to simulate").format(file=model.file))
    builder = _Builder(net, scenario)
    if model.is_collaboration:  # one case runs through every pool, along its message flows
        builder.pooled = True
        builder.message_started = message_started(model)
        implicit: dict[str | None, Any] = {}
        for pid in model.pooled_processes:
            net.starts.pop(None, None)
            builder.add(model, pid, "", None, 0)
            implicit.setdefault(None, []).extend(net.starts.pop(None, []))
        net.starts.update(implicit)
        link_pools(model, scenario, net)
    else:
        builder.add(model, main.id, "", None, 0)
    net.lanes = list(builder.lanes)
    net.cancellable = any(net.boundaries) or TERMINATE in net.kinds
    if None not in net.starts:
        raise ScenarioError(
            _("{file}: the main process has no start event to simulate from").format(
                file=model.file
            )
        )
    return net
