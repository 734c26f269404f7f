"""What the agency's records say: event logs read, replayed, and turned into a scenario.

Reads XES and CSV logs and the engine's own history (:func:`read_log`,
:func:`history_log`), replays them on the model (:mod:`.replay`), fits a scenario from them
(:func:`calibrate`) and checks how well the cases follow the model (:func:`conformance`).
Imports :mod:`bpengine.model` and :mod:`bpengine.scenario` only.
"""

from .log import COLUMNS, Event, EventLog, parse_time
from .matching import match_activities, read_mapping
from .reading import history_log, read_log
from .replay import Replay, TokenGame, replay_log

__all__ = [
    "COLUMNS",
    "Event",
    "EventLog",
    "Replay",
    "TokenGame",
    "history_log",
    "match_activities",
    "parse_time",
    "read_log",
    "read_mapping",
    "replay_log",
]
