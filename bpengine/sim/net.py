"""Compile a model and its scenario into a flat net the simulation kernel walks fast.

Every flow node of the main process (embedded subprocesses included) becomes an index
with a small integer kind, its outgoing targets, its lane (staff pool), its duration and,
for gateways, how a branch is chosen: scenario probabilities, the flows' conditions over
generated case data (through :mod:`bpengine.expressions`, the engine's safe evaluator), or
equal chances when the scenario says nothing. Looking all of that up once keeps dictionary
lookups and string handling out of the event loop.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ExpressionError, ScenarioError
from ..expressions import compile_expression, parse_duration
from ..scenario import Distribution

__all__ = ["Net", "compile_net", "NO_LANE",
           "START", "TASK", "SUB", "XOR", "AND", "OR", "CATCH", "PASS", "END", "TERMINATE",
           "BOUNDARY"]

START, TASK, SUB, XOR, AND, OR, CATCH, PASS, END, TERMINATE, BOUNDARY = range(11)
NO_LANE = "(no lane)"
_GATEWAY = {"exclusiveGateway": XOR, "eventBasedGateway": XOR, "complexGateway": XOR,
            "parallelGateway": AND, "inclusiveGateway": OR}


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
    outs: list[list[int]] = field(default_factory=list)        # target node per outgoing flow
    out_flows: list[list[str]] = field(default_factory=list)   # flow id per outgoing flow
    n_in: list[int] = field(default_factory=list)
    lane: list[int] = field(default_factory=list)              # staff pool index, -1 if none
    duration: list[int] = field(default_factory=list)          # distribution index, -1 if none
    batch: list = field(default_factory=list)                  # Batch or None
    boundaries: list[list[Boundary]] = field(default_factory=list)
    starts: dict = field(default_factory=dict)                 # scope (None/sub id) -> [start]
    delay: list = field(default_factory=list)                  # catch events: Distribution
    delay_working: list[bool] = field(default_factory=list)
    choose: list = field(default_factory=list)  # gateways: ("prob", cum) | ("cond", exprs, default)
    reach: list = field(default_factory=list)   # OR joins: nodes from which they can be reached
    distributions: list[Distribution] = field(default_factory=list)
    lanes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    has_or_join: bool = False

    def index(self, element_id: str) -> int:
        return self.ids.index(element_id)


def _timer_delay(el, scenario) -> tuple[Distribution | None, bool]:
    timing = scenario.events.get(el.id)
    if timing is not None and timing.duration is not None:
        return timing.duration, timing.working_time
    if el.event != "timer":
        return None, False
    kind, _, value = (el.event_value or "").partition(":")
    if kind == "timeCycle" and value.startswith("R"):
        value = value.split("/", 1)[-1]  # R3/PT1H: the first repetition
    try:
        minutes = parse_duration(value).total_seconds() / 60.0
    except ExpressionError:
        raise ScenarioError(
            f"events.{el.id}: cannot read the timer {el.event_value!r} of {el.label!r} as a "
            "duration; give one under events (e.g. 'events: {%s: 2 working days}')" % el.id
        ) from None
    return Distribution("fixed", (minutes,)), False


def _gateway_choice(model, scenario, el, net):
    probs = scenario.probabilities.get(el.id)
    flows = list(el.outgoing)
    if probs is not None:
        values = [probs.get(f, 0.0) for f in flows]
        return ("prob", values)
    conditional = [f for f in flows if f != el.default_flow]
    if conditional and all(model.flows[f].condition for f in conditional):
        exprs, names = [], set()
        for f in flows:
            cond = model.flows[f].condition
            if f == el.default_flow or not cond:
                exprs.append(None)
                continue
            try:
                expr = compile_expression(cond)
            except ExpressionError as exc:
                raise ScenarioError(f"gateways.{el.id}: flow {f!r}: {exc}") from None
            names |= expr.names
            exprs.append(expr)
        missing = sorted(names - set(scenario.data))
        if not missing:
            default = flows.index(el.default_flow) if el.default_flow else -1
            return ("cond", exprs, default)
        net.notes.append(f"gateway {el.id} ({el.label}): its conditions read {', '.join(missing)},"
                         " which the scenario does not generate (data:); branches are taken "
                         "with equal probability")
    if el.kind == "inclusiveGateway":
        return ("prob", [0.5] * len(flows))
    return ("prob", [1.0 / len(flows)] * len(flows))


def compile_net(model, scenario) -> Net:
    """Compile the main process of ``model`` under ``scenario``.

    Raises
    ------
    ScenarioError
        A timer that cannot be read, a condition outside the safe subset.
    """
    main = model.main_process
    net = Net()
    members = [el for el in model.elements.values() if main is not None and el.process == main.id]
    index = {el.id: i for i, el in enumerate(members)}
    lanes: dict[str, int] = {}
    dists: dict[int, int] = {}
    for el in members:
        net.ids.append(el.id)
        net.names.append(el.name or el.id)
        if el.is_subprocess and el.kind != "adHocSubProcess":
            kind = SUB
        elif el.is_activity:
            kind = TASK
        elif el.is_gateway:
            kind = _GATEWAY.get(el.kind, XOR)
        elif el.kind == "startEvent":
            kind = START
        elif el.kind == "endEvent":
            kind = TERMINATE if el.event == "terminate" else END
        elif el.kind == "boundaryEvent":
            kind = BOUNDARY
        elif el.kind == "intermediateCatchEvent":
            kind = CATCH
        else:
            kind = PASS
        net.kinds.append(kind)
        net.outs.append([index[model.flows[f].target] for f in el.outgoing])
        net.out_flows.append(list(el.outgoing))
        net.n_in.append(len(el.incoming))
        lane, dur = -1, -1
        if kind == TASK:
            name = scenario.resource_of(el.id) or NO_LANE
            lane = lanes.setdefault(name, len(lanes))
            dist = scenario.task_duration(el.id)
            dur = dists.setdefault(id(dist), len(net.distributions))
            if dur == len(net.distributions):
                net.distributions.append(dist)
        net.lane.append(lane)
        net.duration.append(dur)
        net.batch.append(scenario.batch(el.id) if kind == TASK else None)
        d, working = _timer_delay(el, scenario) if kind == CATCH else (None, False)
        net.delay.append(d)
        net.delay_working.append(working)
        net.boundaries.append([])
        net.choose.append(None)
        net.reach.append(None)
    net.lanes = list(lanes)
    for el in members:
        i = index[el.id]
        if el.kind == "boundaryEvent" and el.attached_to in index:
            delay, working = _timer_delay(el, scenario)
            timing = scenario.events.get(el.id)
            prob = timing.probability if timing is not None and timing.probability else 0.0
            if delay is None and not prob:
                continue  # a message/error no scenario says will come: never fires
            net.boundaries[index[el.attached_to]].append(
                Boundary(i, el.cancel_activity, delay if el.event == "timer" or delay else None,
                         working, prob))
        if net.kinds[i] in (XOR, OR) and len(el.outgoing) > 1:
            net.choose[i] = _gateway_choice(model, scenario, el, net)
        if el.kind == "startEvent" and not el.incoming:
            parent = model.elements.get(el.scope) if el.scope else None
            if parent is None or not parent.triggered_by_event:
                net.starts.setdefault(index[el.scope] if el.scope in index else None, []).append(i)
    for el in members:  # scopes without a start event begin at their activities with no incoming
        scope = index[el.scope] if el.scope in index else None
        if scope not in net.starts and el.is_activity and not el.incoming \
                and not el.for_compensation and not el.triggered_by_event:
            net.starts.setdefault(("implicit", scope), []).append(index[el.id])
    for key in [k for k in net.starts if isinstance(k, tuple)]:
        net.starts[key[1]] = net.starts.pop(key)
    for el in members:
        i = index[el.id]
        if net.kinds[i] == OR and net.n_in[i] > 1:
            net.has_or_join = True
            back = {i}
            todo = [index[model.flows[f].source] for f in el.incoming]
            while todo:
                n = todo.pop()
                if n in back:
                    continue
                back.add(n)
                nel = members[n]
                todo.extend(index[model.flows[f].source] for f in nel.incoming)
                if nel.kind == "boundaryEvent" and nel.attached_to in index:
                    todo.append(index[nel.attached_to])
            back.discard(i)
            net.reach[i] = frozenset(back)
    if None not in net.starts:
        raise ScenarioError(f"{model.file}: the main process has no start event to simulate from")
    return net
