"""An agency's history in the engine: cases worked through the inbox over weeks, on a fake clock.

Stands in for the months an office runs a procedure in its app: the timings of ``--cases``
cases are drawn by the simulator from MODEL's scenario (arrivals, staff, rounds of
sign-off), then every case is worked through the embedded engine on SQLite the way the app
would: started when it arrived, each task claimed by its officer when work began and
completed when it ended, with the data that sends each decision the way it went. The
engine's clock is set to each moment, so its history holds those dates. Timers do not fire
(nothing ticks the engine): use a model without boundary timers, or take the timers' cases
for what they are.

Run: python examples/agency_history.py processes/izin-usaha-sebelum-oss.bpmn sqlite:///before.db
"""

from __future__ import annotations

import argparse
import itertools
import re

from bpengine import BpengineError, Engine, load, simulate
from bpengine.expressions import compile_expression, evaluate
from bpengine.records import match_activities, replay_log
from bpengine.records.log import WIB, Event, EventLog

__all__ = ["main", "play"]

_LITERAL = re.compile(r"True|False|\"[^\"]*\"|'[^']*'|-?\d+(?:\.\d+)?")


def _literal(text: str):
    if text in ("True", "False"):
        return text == "True"
    if text[0] in "\"'":
        return text[1:-1]
    return float(text) if "." in text else int(text)


def _data_for(model, gateway: str, flows) -> dict:
    """Case data under which ``gateway``'s conditions choose ``flows`` (and no other flow).

    Tries the literals the model's conditions compare each name with (and a value none
    of them has), evaluated by the engine's own safe evaluator.
    """
    outgoing = [model.flows[f] for f in model.elements[gateway].outgoing]
    conds = {f.id: f.condition for f in outgoing if f.condition}
    if not conds:
        return {}
    names = sorted(set().union(*(compile_expression(c).names for c in conds.values())))
    options = []
    for name in names:  # the literals the model compares this name with
        said = " ".join(
            f.condition
            for f in model.flows.values()
            if f.condition and re.search(rf"\b{name}\b", f.condition)
        )
        values = {_literal(v) for v in _LITERAL.findall(said)} | {True, False}
        options.append(sorted(values, key=repr) + ["lain"])
    for combo in itertools.product(*options):
        data = dict(zip(names, combo, strict=True))
        try:
            truth = {fid: bool(evaluate(c, data)) for fid, c in conds.items()}
        except BpengineError:
            continue
        if all(truth[f] == (f in flows) for f in conds):
            return data
    raise SystemExit(f"{gateway}: found no case data that takes {flows}")


#: the steps the engine puts in an inbox; it does every other kind of task itself
_PEOPLE = ("userTask", "manualTask", "task")


def _by_people(model, activity: str) -> bool:
    element = model.elements.get(activity)
    return element is None or element.kind in _PEOPLE


def play(engine: Engine, model, rows) -> int:
    """Work the simulated ``rows`` (an event log) through ``engine``; returns cases started."""
    log = EventLog(
        [
            Event(
                str(r["case"]),
                r["activity"],
                r["end"],
                r["start"],
                r["enabled"],
                r["name"],
                r["lane"],
                r["resource"],
            )
            for r in rows
        ],
        "simulation",
    )
    replay = replay_log(model, log, match_activities(model, log))
    for element in model.elements.values():  # a system's step: done by the engine itself
        if element.kind == "serviceTask":
            engine.register(element.id, lambda data: None)
    definition = engine.deploy(model)
    now = [None]
    engine.clock = lambda: now[0]
    actions = []
    for case in replay.cases:
        # only people's steps pass through an inbox; the engine runs a send, receive or
        # service task itself, so a decision after one is data given with the person's step
        # before it (or at the start)
        people = [k for k, e in enumerate(case.events) if _by_people(model, e.activity)]
        decide: dict = {}
        for (gateway, flows), after in zip(case.choices, case.choice_after, strict=True):
            given = max((k for k in people if k <= after), default=-1)
            decide.setdefault(given, {}).update(_data_for(model, gateway, flows))
        actions.append((min(e.enabled for e in case.events), 0, case, -1, decide))
        for k in people:  # at one instant: what ends, then what begins
            e = case.events[k]
            actions += [(e.end, 1, case, k, decide), (e.start, 2, case, k, decide)]
    ids, claimed = {}, {}
    for when, kind, case, k, decide in sorted(actions, key=lambda a: (a[0], a[1])):
        now[0] = when.replace(tzinfo=WIB)
        if kind == 0:
            ids[case.case] = engine.start(definition.key, decide.get(-1, {}), actor="pemohon").id
        elif kind == 2:
            e = case.events[k]
            task = next(
                t
                for t in engine.get(ids[case.case]).tasks
                if t.element_id == e.activity and t.state == "ready" and t.assignee is None
            )
            claimed[case.case, k] = engine.claim(task.id, e.resource).id
        else:
            engine.complete(
                claimed.pop((case.case, k)), decide.get(k, {}), actor=case.events[k].resource
            )
    return len(ids)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("db", help="database URL, e.g. sqlite:///before.db")
    parser.add_argument("--scenario", help="default: the model's x.scenario.yaml")
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    model = load(args.model)
    rows = simulate(
        model, scenario=args.scenario, cases=args.cases, replications=1, warmup=0, seed=args.seed
    ).event_log
    with Engine(args.db) as engine:
        n = play(engine, model, rows)
    worked = sum(_by_people(model, r["activity"]) for r in rows)  # the engine did the rest
    print(f"{args.db}: {n} cases of {model.name}, {worked} tasks worked")
    return n


if __name__ == "__main__":
    main()
