"""The scenario: the numbers a BPMN model does not carry (see SCENARIO.md).

A :class:`Scenario` holds durations, staff, calendar, arrivals, branch probabilities,
batching, case data and the legal service standard, keyed by element id and lane name.
It is built by :func:`~bpengine.scenario.load_scenario` from YAML, a dict or Prosimos
JSON, checked against the model; consumers read it through the methods below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .calendar import Calendar
from .distributions import Choice, Distribution

if TYPE_CHECKING:
    from ..model import ProcessModel

__all__ = [
    "Scenario",
    "LaneStaff",
    "Person",
    "ALLOCATIONS",
    "Batch",
    "BatchRule",
    "Arrivals",
    "EventTiming",
    "hour_window",
    "names_time",
    "wait_window",
    "DEFAULT_DURATION",
    "DEFAULT_INTERARRIVAL",
    "DEFAULT_TRANSFER",
]

DEFAULT_DURATION = Distribution("fixed", (10.0,))
DEFAULT_INTERARRIVAL = Distribution("exponential", (60.0,))


#: How a free person is picked for a task: the one who can start it soonest in their own
#: hours (ties: the one free longest); the one free longest whatever their hours (Prosimos'
#: rule: an off-duty person may take work and start it when their shift begins); or the
#: one fastest at it (smallest mean duration; ties: who starts soonest).
ALLOCATIONS = ("soonest_start", "earliest_free", "by_skill")


@dataclass(frozen=True)
class Person:
    """One named member of a lane, with their own hours, leave, cost and speed.

    ``calendar`` already holds their leave days as holidays; ``tasks`` None means every
    task of the lane; ``durations`` maps a task id to this person's own duration of it.
    """

    name: str
    calendar: Calendar | None = None  # None: the lane's calendar
    cost_per_hour: float | None = None  # None: the lane's
    tasks: frozenset[str] | None = None
    durations: dict[str, Distribution] = field(default_factory=dict)

    def can_do(self, task_id: str) -> bool:
        return self.tasks is None or task_id in self.tasks


@dataclass(frozen=True)
class LaneStaff:
    """Who works in a lane (role) and what an hour of theirs costs (IDR).

    The simple case is a head count (``staff``) sharing the lane's hours and cost; a lane
    of ``people`` lists each person (``staff`` is then their number and ``cost_per_hour``
    their mean, used where one figure per lane is shown).
    """

    staff: int = 1
    cost_per_hour: float = 0.0
    calendar: Calendar | None = None  # None: the scenario's calendar
    people: tuple[Person, ...] = ()
    allocation: str = "soonest_start"


@dataclass(frozen=True)
class BatchRule:
    """One condition of a batch's firing rule (Prosimos' ``firing_rules``).

    ``attribute`` is ``size`` (files waiting), ``ready_wt`` (minutes the newest file has
    waited), ``large_wt`` (minutes the oldest has waited), ``daily_hour`` (hour of the day,
    wall clock) or ``week_day`` (0 = Monday); ``op`` one of ``< <= = >= >``.
    """

    attribute: str
    op: str
    value: float


def names_time(rules: Iterable[BatchRule]) -> bool:
    """Does this AND-list have a ``daily_hour`` or ``week_day`` rule and no waiting-time
    rule: the lists a Prosimos import reads as Prosimos' code does (``Batch.time_rules``)."""
    kinds = {r.attribute for r in rules}
    return bool(kinds & {"daily_hour", "week_day"}) and not kinds & {"ready_wt", "large_wt"}


def hour_window(rules: Iterable[BatchRule]) -> tuple[float, float] | None:
    """The minutes of the day (first, last, both included) the ``daily_hour`` rules of
    one AND-list allow, or None when they allow none.

    Prosimos compares the wall-clock time with the hour: ``> 15`` holds from 15:00:01,
    ``< 15`` until 14:59:59, ``<= 15`` until 15:00, ``= 15`` at 15:00.
    """
    low, high = 0.0, 1440 - 1 / 60
    for r in rules:
        if r.attribute != "daily_hour":
            continue
        m = r.value * 60
        if r.op in (">=", "=", ">"):
            low = max(low, m + (1 / 60 if r.op == ">" else 0))
        if r.op in ("<=", "=", "<"):
            high = min(high, m - (1 / 60 if r.op == "<" else 0))
    return (low, high) if low <= high else None


def wait_window(rules: Iterable[BatchRule], attribute: str) -> tuple[float, float] | None:
    """The ``[low, high]`` minutes the ``ready_wt`` or ``large_wt`` rules of one AND-list
    bound, as Prosimos reads them (``>`` and ``<`` one second inside the value; ``<`` or
    ``<=`` alone: from 0); None when the list has no such rule.

    Raises
    ------
    ValueError
        No upper bound (``>=`` or ``>`` alone: Prosimos stops on "Invalid range"), or a
        lower bound above the upper one.
    """
    low: float | None = None
    high: float | None = None
    for r in rules:
        if r.attribute != attribute:
            continue
        step = 1 / 60
        if r.op == "=":
            low = high = r.value
        elif r.op in ("<", "<="):
            low = 0.0 if low is None else low
            high = r.value - (step if r.op == "<" else 0)
        else:
            low = r.value + (step if r.op == ">" else 0)
    if low is None and high is None:
        return None
    if high is None:
        raise ValueError("no upper bound")
    if low is None:  # '<' or '<=' set it to 0; '=' to the value
        low = 0.0
    if low > high:
        raise ValueError("an empty range")
    return low, high


@dataclass(frozen=True)
class Batch:
    """Files of a task done in batches.

    bpengine's sign-off rounds: at fixed times of day (working days) and/or once ``size``
    files wait, each file then taken by whoever is free. Batches by rules (Prosimos'
    ``batch_processing``, or the YAML's, :mod:`~bpengine.scenario.batch_rules`) add
    ``rules`` (an OR of AND-lists of :class:`BatchRule`) or ``sizes`` (the size of each
    batch, drawn when it opens), ``alone`` (the chance a file is done on its own when no
    batch is open) and ``scale`` (the duration coefficient by batch size; the nearest size
    given, ties to the smaller). ``together`` says one person works a batch (either kind):
    ``sequential`` (its files one after another) or ``parallel`` (at once, each file taking
    its own time times the batch size; the person is free when the last file ends).
    """

    at: tuple[float, ...] = ()  # minutes after midnight
    size: int | None = None
    rules: tuple[tuple[BatchRule, ...], ...] = ()
    sizes: tuple[tuple[int, float], ...] = ()  # (size, probability)
    alone: float = 0.0
    scale: tuple[tuple[int, float], ...] = ()  # (size, coefficient), sorted by size
    together: str | None = None
    # "window": a daily_hour/week_day rule holds while the clock is in its window (the
    # documented reading, YAML batches); "prosimos": AND-lists with such a rule and no
    # waiting-time rule are read as Prosimos 2.1.0's code reads them (set by Prosimos
    # imports; bpengine.sim.batch_lookback)
    time_rules: str = "window"

    def coefficient(self, n: int) -> float:
        """The duration coefficient of a batch of ``n`` files (1 for a file on its own)."""
        if n <= 1 or not self.scale:
            return 1.0
        best, best_d = 1.0, None
        for k, c in self.scale:  # sorted: a tie keeps the smaller size, as Prosimos does
            d = abs(n - k)
            if best_d is None or d < best_d:
                best, best_d = c, d
        return best


@dataclass(frozen=True)
class Arrivals:
    """Time between case arrivals, counted on ``calendar`` (office hours by default)."""

    interarrival: Distribution = DEFAULT_INTERARRIVAL
    calendar: Calendar | None = None  # None: the scenario's calendar
    # "working": the gaps are working time (no case arrives while the office is closed);
    # "calendar": gaps in calendar time, a case falling in closed hours arrives at opening
    # (what Prosimos does)
    counting: str = "working"


@dataclass(frozen=True)
class EventTiming:
    """How long a catch event waits, and how likely a non-timer boundary event fires."""

    duration: Distribution | None = None
    working_time: bool = False
    probability: float | None = None


# How long a hand-over between pools takes when the scenario does not say (handovers:).
# Paper: a courier or the applicant carries the file, in office hours: one hour at best, half
# a working day most often, a whole working day (7.5 h) at worst. Data: ten seconds.
DEFAULT_TRANSFER = {
    "paper": EventTiming(Distribution("triangular", (60.0, 240.0, 450.0)), True),
    "data": EventTiming(Distribution("fixed", (10 / 60,)), False),
}


@dataclass
class Scenario:
    """Everything a simulation needs beyond the model; read-only once loaded."""

    calendar: Calendar = field(default_factory=Calendar.indonesia)
    # IANA zone of the calendar's office hours (``calendar.timezone``; None: WIB as the
    # engine's default) and of lanes elsewhere (``lanes.X.timezone``). The simulator's
    # clock runs in ``timezone``: a lane's hours are shifted onto it when read.
    timezone: str | None = None
    lane_timezones: dict[str, str] = field(default_factory=dict)
    start: dt.datetime = dt.datetime(2025, 1, 6, 7, 30)
    service_standard_minutes: float | None = None
    arrivals: Arrivals = field(default_factory=Arrivals)
    lanes: dict[str, LaneStaff] = field(default_factory=dict)
    durations: dict[str, Distribution] = field(default_factory=dict)
    lane_durations: dict[str, Distribution] = field(default_factory=dict)
    batches: dict[str, Batch] = field(default_factory=dict)
    instances: dict[str, Distribution] = field(default_factory=dict)  # multi-instance counts
    repeats: dict[str, float] = field(default_factory=dict)  # standard loops: P(another round)
    probabilities: dict[str, dict[str, float]] = field(default_factory=dict)
    data: dict[str, Distribution | Choice] = field(default_factory=dict)
    events: dict[str, EventTiming] = field(default_factory=dict)
    handovers: dict[str, EventTiming] = field(default_factory=dict)  # message flow id or kind
    assignments: dict[str, str] = field(default_factory=dict)  # task id -> lane (Prosimos pools)
    # Prosimos branch rules: gateway -> flow -> condition over case data (expression text);
    # chosen as Prosimos does (one true: it; several: by their probabilities; none: the
    # default flow, else the probabilities)
    rules: dict[str, dict[str, str]] = field(default_factory=dict)
    # Prosimos event attributes: task id -> case attribute set when the task ends -> a
    # Distribution or Choice drawn, or expression text over the case's data
    event_data: dict[str, dict[str, object]] = field(default_factory=dict)
    # process-wide data (Prosimos global_attributes): name -> a Distribution or Choice drawn
    # once per replication; a case attribute or event attribute of the same name writes
    # this one value (as each case starts, as the task ends) instead of the case's own
    process_data: dict[str, Distribution | Choice] = field(default_factory=dict)
    # case priorities (Prosimos prioritisation_rules, YAML priorities:): (level, condition
    # over the case's data as it arrives), in level order; a case takes the first level
    # whose condition holds, else comes after every level; queues serve the lowest level
    # first, then first come, first served
    priorities: list[tuple[int, str]] = field(default_factory=list)
    # how priorities order the work: "waiting" (a free person takes the waiting file of the
    # most urgent case) or "run" (as Prosimos 2.1.0: the run's cases level by level, each
    # person taking up a level where they left the one before; Prosimos imports set it)
    priority_order: str = "waiting"
    # what the import could only approximate (degenerate distributions, guessed branch
    # probabilities): shown with the simulation's notes
    notes: list[str] = field(default_factory=list)
    # the order in which the branches of a parallel or inclusive split ask for people:
    # "flows" (the model's order) or "random" (Prosimos, whose imports set it)
    split_order: str = "flows"
    # an event-based gateway whose events all have a duration is won by the first event
    # to happen; the winner waits its drawn time ("winner") or, as Prosimos 2.1.0 does,
    # a fresh draw of its duration ("redraw", set by Prosimos imports)
    event_race: str = "winner"
    # the first case arrives as the arrival calendar first opens ("open") or, as Prosimos
    # 2.1.0 does when the run starts outside its arrival calendar, one inter-arrival time
    # after the start, moved into the calendar ("drawn", set by Prosimos imports)
    first_arrival: str = "open"
    # a lane's utilisation counts its people's working time from the first case's arrival
    # ("arrival") or, as Prosimos 2.1.0 does, from the first task's start ("first_start",
    # set by Prosimos imports); both to the run's end
    utilisation_from: str = "arrival"
    source: str = "<defaults>"
    raw: dict[str, Any] = field(default_factory=dict)
    model: ProcessModel | None = field(default=None, repr=False, compare=False)

    def task_duration(self, element_id: str) -> Distribution:
        """Working minutes one person spends on the task (task, then lane, then default)."""
        if element_id in self.durations:
            return self.durations[element_id]
        lane = None
        if self.model is not None and element_id in self.model.elements:
            lane = self.model.elements[element_id].lane
        return self.lane_durations.get(lane, DEFAULT_DURATION) if lane else DEFAULT_DURATION

    def resource_of(self, element_id: str) -> str | None:
        """The lane (staff pool) that works on the task: its own lane unless reassigned."""
        if element_id in self.assignments:
            return self.assignments[element_id]
        if self.model is not None and element_id in self.model.elements:
            return self.model.elements[element_id].lane
        return None

    def lane_calendar(self, lane_name: str | None) -> Calendar:
        """The working hours of a lane (the scenario's calendar unless it has its own)."""
        staff = self.lanes.get(lane_name) if lane_name is not None else None
        return staff.calendar if staff is not None and staff.calendar else self.calendar

    def person_calendar(self, lane_name: str | None, person: Person) -> Calendar:
        """A person's working hours and leave (their lane's unless they have their own)."""
        return person.calendar or self.lane_calendar(lane_name)

    def lane_capacity(self, lane_name: str | None, first: float, last: float) -> float:
        """Working minutes the lane's people can give between two simulation times.

        Times are minutes from midnight of the scenario's start day, as in the kernel.
        """
        staff = self.lane(lane_name)
        if not staff.people:
            clock = self.lane_calendar(lane_name).clock(self.start)
            return staff.staff * (clock.worked(last) - clock.worked(first))
        total = 0.0
        for person in staff.people:
            clock = self.person_calendar(lane_name, person).clock(self.start)
            total += clock.worked(last) - clock.worked(first)
        return total

    def branch_probability(self, gateway_id: str, flow_id: str) -> float | None:
        """Probability of taking ``flow_id`` out of ``gateway_id``; None if not given."""
        probs = self.probabilities.get(gateway_id)
        if probs is None:
            return None
        return probs.get(flow_id, 0.0)

    def lane(self, lane_name: str | None) -> LaneStaff:
        """Staff and hourly cost of a lane (1 person, no cost when not given)."""
        staff = self.lanes.get(lane_name) if lane_name is not None else None
        return staff if staff is not None else LaneStaff()

    def batch(self, element_id: str) -> Batch | None:
        return self.batches.get(element_id)

    def transfer(self, flow_id: str, kind: str) -> EventTiming:
        """How long the hand-over along message flow ``flow_id`` (``paper``/``data``) takes.

        The flow's own entry, else the entry for its kind, else :data:`DEFAULT_TRANSFER`.
        """
        return self.handovers.get(flow_id) or self.handovers.get(kind) or DEFAULT_TRANSFER[kind]

    @property
    def service_standard_days(self) -> float | None:
        """The legal service standard (SLA) in working days, if the scenario gives one."""
        if self.service_standard_minutes is None:
            return None
        return self.service_standard_minutes / self.calendar.working_minutes_per_day

    @property
    def arrival_calendar(self) -> Calendar:
        return self.arrivals.calendar or self.calendar
