"""Scenarios: durations, staff, calendars, arrivals and probabilities a model does not carry.

Read by the simulator, the analyzer (savings estimates) and the redesigner. The format is
documented in SCENARIO.md at the repository root.
"""

from .calendar import INDONESIA_HOURS, SHIPPED_HOLIDAYS, Calendar, WorkingClock, holiday_set
from .checks import check_scenario, possible_flows
from .distributions import Choice, Distribution, parse_distribution, parse_minutes
from .loading import load_scenario
from .overrides import apply_overrides
from .prosimos import from_prosimos
from .scenario import (
    DEFAULT_DURATION,
    DEFAULT_INTERARRIVAL,
    DEFAULT_TRANSFER,
    Arrivals,
    Batch,
    BatchRule,
    EventTiming,
    LaneStaff,
    Person,
    Scenario,
    hour_window,
    names_time,
    wait_window,
)

__all__ = [
    "Arrivals",
    "apply_overrides",
    "Batch",
    "BatchRule",
    "Calendar",
    "Choice",
    "DEFAULT_DURATION",
    "DEFAULT_INTERARRIVAL",
    "DEFAULT_TRANSFER",
    "Distribution",
    "EventTiming",
    "INDONESIA_HOURS",
    "LaneStaff",
    "Person",
    "SHIPPED_HOLIDAYS",
    "Scenario",
    "WorkingClock",
    "check_scenario",
    "from_prosimos",
    "holiday_set",
    "hour_window",
    "names_time",
    "wait_window",
    "load_scenario",
    "parse_distribution",
    "parse_minutes",
    "possible_flows",
]
