"""Replay one Prosimos run's own draws through bpengine's kernel, and list where they part.

Run: python bench/prosimos_replay.py [--only claims-people] [--cases 400] [--show 12]

Prosimos 2.1.0 runs once (its venv, from :mod:`prosimos_differential`) with two hooks: every
task's ideal duration is recorded by case and task, and so is the order in which it
shuffles the tasks enabled together (after a parallel or inclusive split). Its event log
(intermediate events included) gives each case's arrival, each timer's wait and which
branches the case took. bpengine's kernel then runs the same model and parameters with
those arrivals, durations, waits, branches and orders instead of its own draws; who takes
which task, and when each starts and ends, is compared execution by execution.

Any difference is a difference of the two schedulers, not of random numbers: the first one
(in Prosimos' start order) is where to look. On the claims files (people with their own
calendars, skills and speeds, a pool of 64) every allocation, start and end agrees; the one
kind of difference left is the log's start of a task taken up exactly as its person's shift
ends, which Prosimos logs at that minute (its calendars include the end) and bpengine at
the next working minute (the end is the same). Lanes that are a head count are compared on
times only (bpengine does not name a head count's people).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import subprocess
import sys
import tempfile
from heapq import heappush
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import prosimos_differential as differential  # noqa: E402
from sim_vs_prosimos import START, ensure_prosimos, venv_python  # noqa: E402

# Prosimos with its ideal durations and shuffled orders recorded (by case), then run.
_DRIVER = r"""
import json, random, sys
import prosimos.control_flow_manager as cfm
import prosimos.execution_info as ei
import prosimos.simulation_engine as se
durations, orders, case = [], [], [None]
task_event = ei.TaskEvent.__init__
def recording_task_event(self, p_case, task_id, resource_id, *a, **k):
    task_event(self, p_case, task_id, resource_id, *a, **k)
    if a and a[0] is not None:
        durations.append((p_case, task_id, self.ideal_duration))
ei.TaskEvent.__init__ = recording_task_event
se.TaskEvent = ei.TaskEvent
update = cfm.BPMNGraph.update_process_state
def update_of_case(self, case_id, *a, **k):
    case[0] = case_id
    return update(self, case_id, *a, **k)
cfm.BPMNGraph.update_process_state = update_of_case
shuffle = random.shuffle
def recording_shuffle(x, *a):
    shuffle(x, *a)
    if len(x) > 1 and hasattr(x[0], "task_id"):
        orders.append((case[0], [e.task_id for e in x]))
random.shuffle = recording_shuffle
bpmn, params, cases, stat, log, start, out = sys.argv[1:8]
se.run_simulation(bpmn, params, int(cases), stat_out_path=stat, log_out_path=log,
                  starting_at=start, is_event_added_to_log=True)
json.dump({"durations": durations, "orders": orders}, open(out, "w"))
"""


def prosimos_run(bpmn: Path, params: Path, cases: int, tmp: Path):
    """Prosimos' log rows (case, task name, enabled, start, end, resource) and its draws."""
    log, out = tmp / "log.csv", tmp / "draws.json"
    args = [str(bpmn), str(params), str(cases), str(tmp / "stat.csv"), str(log), START, str(out)]
    proc = subprocess.run(
        [str(venv_python()), "-c", _DRIVER, *args], capture_output=True, text=True, cwd=tmp
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1])
    with open(log, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return rows, json.loads(out.read_text())


class Draws:
    """One Prosimos run's draws, and how far the replay has used them.

    Executions are keyed ``(case, task, k)``: the k-th time the case does it (loops), in
    the order of Prosimos' log (the order it ran them).
    """

    def __init__(self, rows, draws, model, epoch, cases):
        by_name = {el.label: el.id for el in model.elements.values() if el.label}
        self.theirs, self.seen, self.times = {}, {}, {}
        for r in rows:
            c, tid = int(r["case_id"]), by_name.get(r["activity"], r["activity"])
            k = self.times[(c, tid)] = self.times.get((c, tid), -1) + 1
            stamps = [
                (dt.datetime.fromisoformat(r[key]).replace(tzinfo=None) - epoch).total_seconds()
                / 60
                for key in ("enable_time", "start_time", "end_time")
            ]
            self.theirs[(c, tid, k)] = (*stamps, r["resource"])
            self.seen.setdefault(c, set()).add(tid)
        self.durations: dict = {}
        for c, t, d in draws["durations"]:
            self.durations.setdefault((c, t), []).append(d / 60)
        self.tasks = {t for _c, t in self.durations}
        self.orders = {(c, frozenset(o)): o for c, o in draws["orders"]}
        self.arrivals = [
            min(v[0] for key, v in self.theirs.items() if key[0] == c) for c in range(cases)
        ]
        self.used: dict = {}  # (case, element) -> executions replayed so far
        self.pending = {key: k + 1 for key, k in self.times.items()}  # executions to come

    def nth(self, c, element) -> int:
        k = self.used[(c, element)] = self.used.get((c, element), -1) + 1
        return k

    def duration(self, c, tid) -> float:
        return self.durations[(c, tid)][self.nth(c, tid)]

    def wait(self, c, eid) -> float:
        """A catch event's wait: its end minus its start in Prosimos' log."""
        enabled, _start, end, _r = self.theirs[(c, eid, self.nth(c, eid))]
        return end - enabled

    def reaches(self, net, c, target) -> bool:
        """Does the case do something behind this flow before any other task?"""
        todo, done = [target], set()
        while todo:
            n = todo.pop()
            if n in done:
                continue
            done.add(n)
            if net.ids[n] in self.seen[c]:
                return True
            if net.ids[n] not in self.tasks:
                todo.extend(net.outs[n])
        return False

    def choice(self, net, c, i) -> int:
        """Of the tasks right behind the gateway that the case still has to do, the one
        Prosimos enabled next (a loop goes round while its task has executions left);
        else the branch the case took at all."""
        outs, ids = net.outs[i], net.ids
        due = [
            (
                self.theirs[(c, ids[o], self.times[(c, ids[o])] + 1 - self.pending[(c, ids[o])])][
                    0
                ],
                j,
            )
            for j, o in enumerate(outs)
            if self.pending.get((c, ids[o]), 0) > 0
        ]
        if due:
            j = min(due)[1]
            self.pending[(c, ids[outs[j]])] -= 1
            return j
        return [j for j, o in enumerate(outs) if self.reaches(net, c, o)][0]


def _replay_class(draws: Draws):
    """The kernel with Prosimos' draws in place of its own."""
    from bpengine.sim.kernel import Replication
    from bpengine.sim.work import DONE, SERVICE

    class Drawn:
        """A task's 'stream' in the replay: Prosimos' duration for the case at hand."""

        buf, pos = (), 0

        def __init__(self, rep, i):
            self.rep, self.i = rep, i

        def next(self):
            return draws.duration(self.rep.current, self.rep.net.ids[self.i])

    class Replay(Replication):
        current = -1

        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            # a head count's free person takes a task inline in _spawn, drawing from the
            # task's stream: the stream gives Prosimos' duration of the case being spawned
            self.node_stream = [
                None if s is None else Drawn(self, i) for i, s in enumerate(self.node_stream)
            ]

        def _arrival_times(self):
            return draws.arrivals

        def _enter(self, scope, i, t):
            self.current = scope.case.id
            return super()._enter(scope, i, t)

        def _spawn(self, scope, i, t, group):
            self.current = scope.case.id
            return super()._spawn(scope, i, t, group)

        def _spawn_direct(self, scope, i, t):  # the fast path spawns a plain successor itself
            self.current = scope.case.id
            return super()._spawn_direct(scope, i, t)

        def _serve(self, lane, item, t, staff):
            clock = lane.clock if lane.people is None else lane.people[staff].clock
            dur = draws.duration(item.case.id, self.net.ids[item.node])
            item.start, item.end = clock.work(t, dur)
            item.assigned, item.dur, item.state, item.staff = t, dur, SERVICE, staff
            heappush(self.heap, (item.end, DONE, next(self.seq), DONE, item))

        def _delay(self, key, dist):
            if isinstance(key, tuple):  # attribute values: drawn (branches come from the log)
                return super()._delay(key, dist)
            return draws.wait(self.current, self.net.ids[key])  # a catch event's wait

        def _shuffled(self, o):
            ids = self.net.ids
            order = draws.orders.get((self.current, frozenset(ids[j] for j in o)))
            return o if order is None else sorted(o, key=lambda j: order.index(ids[j]))

        def _choose(self, case, i):
            return draws.choice(self.net, case.id, i)

        def _race(self, scope, i, t, stack):  # the event that won in Prosimos, its wait
            stack.append(self.net.outs[i][draws.choice(self.net, scope.case.id, i)])

        def _choose_many(self, case, i):
            net = self.net
            return [j for j, o in enumerate(net.outs[i]) if draws.reaches(net, case.id, o)]

    return Replay


def replay(bpmn: Path, params: Path, cases: int) -> tuple[list, int, int]:
    """Run Prosimos once, replay its draws in bpengine; (differences, executions, replayed)."""
    from bpengine import load, load_scenario
    from bpengine.sim.net import compile_net

    with tempfile.TemporaryDirectory() as tmp:
        rows, recorded = prosimos_run(bpmn, params, cases, Path(tmp))
    model = load(bpmn)
    sc = load_scenario(params, model=model)
    draws = Draws(rows, recorded, model, dt.datetime.combine(sc.start.date(), dt.time()), cases)
    net = compile_net(model, sc)
    stats = _replay_class(draws)(net, sc, model, cases, 0, 1, keep_log=True).run()
    people = {
        k: [p.name for p in sc.lane(name).people]
        for k, name in enumerate(net.lanes)
        if sc.lane(name).people
    }
    ours, count = {}, {}
    for c, i, lane, staff, enabled, _rel, _asg, start, end, _dur in stats.rows:
        c, tid, lane, staff = int(c), net.ids[int(i)], int(lane), int(staff)
        k = count[(c, tid)] = count.get((c, tid), -1) + 1
        who = people[lane][staff] if lane in people else None
        ours[(c, tid, k)] = (enabled, start, end, who)
    diffs = []
    for key, p in draws.theirs.items():
        b = ours.get(key)
        if b is None:
            continue  # an event: Prosimos logs it, bpengine's log holds tasks only
        moved = any(abs(x - y) > 0.01 for x, y in zip(p[:3], b[:3], strict=True))
        if moved or (b[3] is not None and b[3] != p[3]):
            diffs.append((p[1], key, p, b))
    diffs.sort()
    return diffs, len(draws.theirs), len(ours)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="claims-people", help="a pair of prosimos_differential")
    ap.add_argument("--cases", type=int, default=400)
    ap.add_argument("--show", type=int, default=12, help="how many differences to print")
    ap.add_argument("--shared", default=str(HERE.parent.parent / "shared"))
    args = ap.parse_args()
    reason = ensure_prosimos()
    if reason is not None:
        raise SystemExit(reason)
    pairs = {n: (b, p) for n, b, p in differential.pairs(Path(args.shared))}
    bpmn, params = pairs[args.only]
    with tempfile.TemporaryDirectory() as tmp:
        if isinstance(params, dict):
            path = Path(tmp) / "params.json"
            path.write_text(json.dumps(params))
            params = path
        diffs, theirs, ours = replay(bpmn, params, args.cases)
    print(
        f"{args.only}, {args.cases} cases: {theirs} Prosimos executions (events included), "
        f"{ours} replayed tasks, {len(diffs)} differ"
    )

    def shown(x):
        return f"enabled {x[0]:9.2f} start {x[1]:9.2f} end {x[2]:9.2f} {x[3] or ''}"

    for _start, key, p, b in diffs[: args.show]:
        print(f"case {key[0]} {key[1]} #{key[2] + 1} (minutes from the first day's midnight)")
        print(f"   Prosimos {shown(p)}\n   bpengine {shown(b)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
