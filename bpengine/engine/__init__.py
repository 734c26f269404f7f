"""The embedded engine: cases in a database, an inbox per role, an audit trail.

>>> from bpengine import Engine
>>> engine = Engine()                      # in-memory SQLite; Engine("sqlite:///agency.db")
"""

from .engine import Engine
from .membership import MembershipChange
from .migrate import upgrade
from .migration import Move
from .records import Case, Definition, HistoryEntry, Incident, Job, Page, Task

__all__ = [
    "Engine",
    "Case",
    "Definition",
    "HistoryEntry",
    "Incident",
    "Job",
    "MembershipChange",
    "Move",
    "Page",
    "Task",
    "upgrade",
]
