"""Read an XES (IEEE 1849) event log trace by trace, with memory that stays flat.

``lxml.etree.iterparse`` hands over one ``<trace>`` at a time; it is turned into events
and cleared (with the siblings before it), so a log of millions of events never sits in
memory as a tree. Lifecycle transitions pair up per activity in each trace: ``schedule``
is when the task was enabled, ``start`` when work began, ``complete`` when it ended; a
``complete`` with no ``start`` is an execution whose start the log does not know.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict, deque

from lxml import etree

from ..errors import LogError
from ..i18n import _
from ..model.source import open_bounded
from ..scenario import limits
from .log import WIB, Event, EventLog, parse_time

__all__ = ["read_xes"]

_IGNORED = (
    "assign",
    "reassign",
    "suspend",
    "resume",
    "autoskip",
    "manualskip",
    "withdraw",
    "ate_abort",
    "pi_abort",
    "unknown",
)


def _attrs(node) -> dict[str, str]:
    """The ``key -> value`` attributes directly under ``node``."""
    return {child.get("key"): child.get("value") for child in node if child.get("key")}


def read_xes(path: str | os.PathLike, tz: dt.tzinfo = WIB) -> EventLog:
    """Read an XES file into an :class:`EventLog`, one trace at a time.

    The activity is the event's ``activity_id`` if it has one (logs bpengine writes),
    else ``concept:name``; the lane is ``org:role`` (or ``org:group``), the resource
    ``org:resource``.

    Raises
    ------
    LogError
        Not XML, or a trace or event without what is needed (``concept:name``,
        ``time:timestamp``), naming the trace and the event's place in it.
    """
    source = os.fspath(path)
    events: list[Event] = []
    skipped: dict[str, int] = defaultdict(int)
    # bounded like every read; for .gz the limit counts decompressed bytes too
    fh = open_bounded(
        source,
        limit=limits.MAX_LOG_BYTES,
        error=LogError,
        what=_("event log"),
        gzipped=source.endswith(".gz"),
    )
    try:
        with fh:
            n_trace, unmatched = _read(fh, source, tz, events, skipped)
    except etree.XMLSyntaxError as exc:
        raise LogError(
            _("{source}:{line}: not well-formed XML: {msg}").format(
                source=source, line=exc.lineno or "?", msg=exc.msg
            )
        ) from None
    except (OSError, EOFError) as exc:
        raise LogError(
            _("{source}: cannot read: {why}").format(
                source=source, why=getattr(exc, "strerror", None) or exc
            )
        ) from None
    log = EventLog(events, source)
    if n_trace == 0:
        raise LogError(
            _("{source}: no <trace> elements: not an XES event log").format(source=source)
        )
    for transition, count in sorted(skipped.items()):
        known = "" if transition in _IGNORED else " (not an XES lifecycle transition)"
        log.warnings.append(
            f"{source}: {count} event(s) with lifecycle:transition {transition!r} ignored{known}"
        )
    if unmatched:
        log.warnings.append(
            f"{source}: {unmatched} 'start' event(s) never completed (unfinished work) ignored"
        )
    return log


def _read(fh, source, tz, events, skipped) -> tuple[int, int]:
    """Fill ``events`` and ``skipped`` from the open file; (traces, unmatched starts)."""
    n_trace = unmatched = 0
    for _event, trace in etree.iterparse(
        fh, events=("end",), tag="{*}trace", resolve_entities=False, no_network=True, huge_tree=True
    ):
        n_trace += 1
        attrs = _attrs(trace)
        case = attrs.get("concept:name") or f"trace {n_trace}"
        where_trace = f"trace {case!r}"
        opened: dict[str, deque] = defaultdict(deque)  # activity -> (start, schedule)
        scheduled: dict[str, deque] = defaultdict(deque)
        k = 0
        for node in trace:
            if not isinstance(node.tag, str) or not node.tag.endswith("event"):
                continue
            k += 1
            a = _attrs(node)
            where = f"{where_trace}, event {k}"
            name = a.get("concept:name")
            if not name:
                raise LogError(
                    _("{source}: {where}: no concept:name (the activity)").format(
                        source=source, where=where
                    )
                )
            stamp = a.get("time:timestamp")
            if stamp is None:
                raise LogError(
                    _("{source}: {where}: no time:timestamp").format(source=source, where=where)
                )
            when = parse_time(stamp, f"{source}: {where}, time:timestamp", tz)
            activity = a.get("activity_id") or name
            transition = (a.get("lifecycle:transition") or "complete").lower()
            if transition == "schedule":
                scheduled[activity].append(when)
            elif transition == "start":
                enabled = scheduled[activity].popleft() if scheduled[activity] else None
                opened[activity].append((when, enabled))
            elif transition == "complete":
                start, enabled = opened[activity].popleft() if opened[activity] else (None, None)
                if enabled is None and scheduled[activity] and start is None:
                    enabled = scheduled[activity].popleft()
                events.append(
                    Event(
                        case,
                        activity,
                        when,
                        start,
                        enabled,
                        name,
                        a.get("org:role") or a.get("org:group"),
                        a.get("org:resource"),
                        where,
                    )
                )
            else:
                skipped[transition] += 1
        unmatched += sum(len(q) for q in opened.values())
        # free what was read: the trace, and the siblings lxml keeps before it
        trace.clear()
        while trace.getprevious() is not None:
            del trace.getparent()[0]
    return n_trace, unmatched
