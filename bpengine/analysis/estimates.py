"""Numbers for savings and cycle times: from the scenario where it has them, else defaults.

The analyzer's savings are analytic estimates, not simulation results: the working time a
removed step no longer takes, plus the wait a handoff to another office costs. A model
with no scenario is still analysed on the documented defaults below, and every
:class:`~bpengine.analysis.finding.Saving` says which basis it used.
"""

from __future__ import annotations

import math

from ..errors import BpengineError, ExpressionError
from ..i18n import N_
from ..timers import first_wait_minutes
from .finding import Saving
from .structure import structure_of

__all__ = [
    "DEFAULT_TASK_MINUTES",
    "DEFAULT_WORKING_MINUTES_PER_DAY",
    "DEFAULT_HANDOFF_WAIT_DAYS",
    "DEFAULT_REJECT_PROBABILITY",
    "UNSTABLE_QUEUE_DAYS",
    "erlang_c_wait",
    "Estimates",
]

#: Working time of one step when the scenario gives none (minutes).
DEFAULT_TASK_MINUTES = 30.0
#: Keppres 68/1995 office hours: 37.5 hours over 5 days.
DEFAULT_WORKING_MINUTES_PER_DAY = 450.0
#: Lead time a file spends in transit and in the next office's in-tray when it changes
#: hands (working days). Field reports on Indonesian sign-off chains speak of "days".
DEFAULT_HANDOFF_WAIT_DAYS = 0.5
#: Share of cases sent back by a check when the scenario does not say.
DEFAULT_REJECT_PROBABILITY = 0.2
#: The queue wait charged when a lane cannot keep up at all (utilisation >= 1): the queue
#: grows without bound, so any figure is a floor.
UNSTABLE_QUEUE_DAYS = 5.0


def erlang_c_wait(arrivals: float, service: float, servers: int) -> float:
    """Mean wait in the queue of an M/M/c system (same unit as ``service``), ``inf`` if full.

    Examples
    --------
    >>> round(erlang_c_wait(1 / 10, 8.0, 1), 3)      # M/M/1: rho / (mu - lambda)
    32.0
    >>> erlang_c_wait(1 / 5, 8.0, 1)
    inf
    """
    load = arrivals * service
    if servers < 1 or load >= servers:
        return math.inf
    if load == 0:
        return 0.0
    term, total = 1.0, 1.0
    for k in range(1, servers):
        term *= load / k
        total += term
    last = term * load / servers / (1 - load / servers)
    p_wait = last / (total + last)
    return p_wait * service / (servers - load)


# The bases a Saving names, for the catalogue (translated where a saving is printed).
_BASES = (
    N_("scenario"),
    N_("estimate"),
    N_("defaults: 30 min per step, 0.5 working day per handoff"),
)


class Estimates:
    """Durations, probabilities and savings for one model under one (optional) scenario.

    Parameters
    ----------
    model : ProcessModel
    scenario : Scenario or None
        Anything with the :mod:`bpengine.scenario` interface (``task_duration``,
        ``branch_probability``, ``calendar.working_minutes_per_day``).
    """

    def __init__(self, model, scenario=None):
        self.model = model
        self.scenario = scenario
        self.basis = (
            "scenario"
            if scenario is not None
            else (
                f"defaults: {DEFAULT_TASK_MINUTES:g} min per step, "
                f"{DEFAULT_HANDOFF_WAIT_DAYS:g} working day per handoff"
            )
        )
        self.minutes_per_day = DEFAULT_WORKING_MINUTES_PER_DAY
        # working minutes in a calendar week: a wait in calendar time (a timer of P14D)
        # spans this share of working time, as the simulator's working-day clock counts it
        self.minutes_per_week = 5 * DEFAULT_WORKING_MINUTES_PER_DAY
        if scenario is not None:
            cal = getattr(scenario, "calendar", None)
            per_day = getattr(cal, "working_minutes_per_day", None)
            if callable(per_day):
                per_day = per_day()
            if isinstance(per_day, (int, float)) and per_day > 0:
                self.minutes_per_day = float(per_day)
            hours = getattr(cal, "hours", None)
            if isinstance(hours, tuple) and hours:
                week = sum(b - a for spans in hours for a, b in spans)
                if week > 0:
                    self.minutes_per_week = float(week)
        self._minutes: dict[str, float] = {}
        self._queue_memo: dict[str, float] | None = None
        self._queues_known = False

    # -- scenario look-ups ---------------------------------------------------------
    def task_minutes(self, element_id: str) -> float:
        """Mean working time of a step in minutes (0 for gateways and events)."""
        if element_id in self._minutes:
            return self._minutes[element_id]
        el = self.model.elements[element_id]
        minutes = 0.0
        if el.is_activity:
            minutes = DEFAULT_TASK_MINUTES
            if self.scenario is not None:
                try:
                    dist = self.scenario.task_duration(element_id)
                    mean = getattr(dist, "mean", dist)
                    if callable(mean):
                        mean = mean()
                    if mean is not None:
                        minutes = float(mean)
                except (BpengineError, KeyError, AttributeError, TypeError, ValueError):
                    minutes = DEFAULT_TASK_MINUTES  # no entry for this step: stated default
        self._minutes[element_id] = minutes
        return minutes

    def branch_probability(self, gateway_id: str, flow_id: str) -> float | None:
        """The scenario's probability of a gateway branch, ``None`` when not given."""
        if self.scenario is None:
            return None
        try:
            p = self.scenario.branch_probability(gateway_id, flow_id)
        except (BpengineError, KeyError, AttributeError, TypeError, ValueError):
            return None
        return None if p is None else float(p)

    def flow_probability(self, flow_id: str) -> float:
        """Probability that a token leaving the flow's source takes this flow.

        Scenario first; otherwise equal shares among the outgoing flows of a decision,
        1 for parallel splits and plain sequence.
        """
        flow = self.model.flows[flow_id]
        src = self.model.elements[flow.source]
        if src.kind == "parallelGateway" or len(src.outgoing) <= 1:
            return 1.0
        p = self.branch_probability(src.id, flow_id)
        if p is not None:
            return p
        if src.kind in ("exclusiveGateway", "eventBasedGateway", "complexGateway"):
            return 1.0 / len(src.outgoing)
        return 1.0 if src.kind != "inclusiveGateway" else 0.5

    def reject_probability(self, gateway_id: str, reject_flows) -> tuple[float, bool]:
        """(probability of taking any of ``reject_flows``, whether the scenario said so)."""
        ps = [self.branch_probability(gateway_id, f) for f in reject_flows]
        given = [p for p in ps if p is not None]
        if ps and len(given) == len(ps):
            return min(1.0, sum(given)), True
        return DEFAULT_REJECT_PROBABILITY, False

    # -- conversions -----------------------------------------------------------------
    def days(self, minutes: float) -> float:
        """Working minutes as working days on the scenario's calendar."""
        return minutes / self.minutes_per_day

    def wait_days(self, minutes: float, working_time: bool) -> float:
        """A wait as working days: office time as it is, calendar time by the share of a
        calendar week the office works (14 calendar days are 10 working days on Indonesian
        office hours; 14 on a calendar open around the clock)."""
        if working_time:
            return self.days(minutes)
        return self.days(minutes * self.minutes_per_week / (7 * 1440.0))

    def event_days(self, element_id: str) -> float | None:
        """How long a catch or boundary event waits once reached (working days), as the
        simulator reads it: the scenario's ``events:`` duration, else the timer's own
        duration (a ``timeCycle``'s first period); ``None`` when neither says (a message
        or signal that comes whenever it comes, or a ``timeDate``)."""
        timing = getattr(self.scenario, "events", {}).get(element_id)
        duration = getattr(timing, "duration", None)
        if duration is not None:
            return self.wait_days(duration.mean, bool(getattr(timing, "working_time", False)))
        el = self.model.elements[element_id]
        if el.event != "timer":
            return None
        try:
            minutes = first_wait_minutes(el.event_value)
        except ExpressionError:
            return None  # the simulator says so in a note: the timer never fires
        return self.wait_days(minutes, False)

    def boundary_probability(self, element_id: str, activity_days: float) -> float:
        """Chance a boundary event ends (or branches off) its activity: the scenario's
        ``events: {X: {probability}}``; a timer fires when the activity's expected time
        (its queue included) outlasts the timer's; otherwise 0 (the simulator never fires a
        message nobody says will come)."""
        timing = getattr(self.scenario, "events", {}).get(element_id)
        p = getattr(timing, "probability", None)
        if p:
            return min(1.0, float(p))
        delay = self.event_days(element_id)
        return 1.0 if delay is not None and activity_days > delay else 0.0

    def batch_wait_days(self, element_id: str) -> float:
        """Mean wait for a batched sign-off: half the gap between the scenario's batch times.

        A file arriving at a uniformly random moment of the working day waits on average
        ``1 / (2k)`` working days for the next of ``k`` daily batch times.
        """
        if self.scenario is None or not hasattr(self.scenario, "batch"):
            return 0.0
        try:
            batch = self.scenario.batch(element_id)
        except (BpengineError, KeyError, AttributeError, TypeError):
            return 0.0
        times = getattr(batch, "at", ()) if batch is not None else ()
        return 1.0 / (2 * len(times)) if times else 0.0

    def step_days(self, element_id: str, handoff: bool) -> float:
        """Lead time of one step: its working time, its batch wait (scenario), plus the
        wait before it: the queue at its lane where the scenario gives arrivals and staff
        (as the simulator would see it), else the stated handoff wait if it changes hands."""
        queue = self.queue_days(element_id)
        wait = queue if queue is not None else (DEFAULT_HANDOFF_WAIT_DAYS if handoff else 0.0)
        return self.days(self.task_minutes(element_id)) + self.batch_wait_days(element_id) + wait

    def queue_days(self, element_id: str) -> float | None:
        """Mean queue wait before a step at its lane (Erlang C on the scenario's arrivals,
        staff and work per case), ``None`` without a scenario that gives arrivals."""
        queues = self._queues()
        if queues is None:
            return None
        return queues.get(self.model.elements[element_id].lane, 0.0)

    def _queues(self) -> dict | None:
        if self._queues_known:
            return self._queue_memo
        self._queues_known = True
        arrivals = getattr(getattr(self.scenario, "arrivals", None), "interarrival", None)
        mean = getattr(arrivals, "mean", None)
        if self.scenario is None or not isinstance(mean, (int, float)) or mean <= 0:
            return None
        from .rework import rework_loops  # rework's estimates never ask for queues

        visits = dict.fromkeys(self.model.elements, 1.0)
        for loop in rework_loops(self.model, self.scenario):
            for n in loop["body"]:
                visits[n] /= 1.0 - min(loop["r"], 0.95)
        lanes: dict[str, list[float]] = {}
        for el in self.model.elements.values():
            if el.is_activity and el.lane:
                acc = lanes.setdefault(el.lane, [0.0, 0.0])
                acc[0] += visits[el.id]
                acc[1] += visits[el.id] * self.task_minutes(el.id)
        out = {}
        for lane, (n, minutes) in lanes.items():
            staff = self.scenario.lane(lane).staff
            wait = erlang_c_wait(n / mean, minutes / n if n else 0.0, staff)
            out[lane] = min(self.days(wait), UNSTABLE_QUEUE_DAYS)
        self._queue_memo = out
        return out

    def transfer_days(self, handover) -> float:
        """Expected working days one hand-over between pools takes: the scenario's
        ``handovers:`` entry, else the stated default of its kind (paper or data)."""
        timing = getattr(self.scenario, "transfer", None)
        if timing is not None:
            timing = timing(handover.flow, handover.kind)
        else:
            from ..scenario import DEFAULT_TRANSFER  # the scenario layer is optional here

            timing = DEFAULT_TRANSFER[handover.kind]
        if timing.duration is None:  # a hand-over the scenario says takes no time
            return 0.0
        # office time in working days; calendar time (data: seconds) as a timer counts it
        return self.wait_days(timing.duration.mean, bool(timing.working_time))

    def handoff_into(self, element_id: str) -> bool:
        """Whether reaching this step means the file changes lanes (offices)."""
        el = self.model.elements[element_id]
        prev = structure_of(self.model).previous_activities(element_id)
        return any(self.model.elements[p].lane != el.lane for p in prev)

    def saving_of_removal(self, element_ids) -> Saving:
        """What removing (or composing away) these steps saves per case."""
        minutes = sum(self.task_minutes(e) for e in element_ids)
        days = sum(self.step_days(e, self.handoff_into(e)) for e in element_ids)
        return self.saving(days, minutes / 60.0)

    def saving(self, days: float, hours: float) -> Saving:
        return Saving(round(max(days, 0.0), 3), round(max(hours, 0.0), 3), self.basis)
