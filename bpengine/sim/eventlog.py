"""Write a simulation's event log as CSV or XES (IEEE 1849), for process-mining tools.

Each task execution becomes one row (CSV: case, activity, lane, resource, enabled, start,
end) or two XES events (``lifecycle:transition`` ``start`` and ``complete``), so pm4py,
ProM, Disco or Apromore read the simulated procedure like a real one. Timestamps carry the
office's offset (WIB, +07:00) because the calendar is local office time.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

from lxml import etree

from ..errors import BpengineError

__all__ = ["write_event_log", "write_csv", "write_xes", "WIB"]

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
_XES = "http://www.xes-standard.org/"
_EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
)


def _stamp(when: dt.datetime, tz=WIB) -> str:
    return when.replace(tzinfo=tz).isoformat(timespec="milliseconds")


def write_csv(rows: list[dict], path: str | os.PathLike, tz=WIB) -> None:
    """One line per task execution, ISO timestamps with offset."""
    fields = ["case", "activity", "name", "lane", "resource", "enabled", "start", "end"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, fieldnames=fields)
        out.writeheader()
        for row in rows:
            out.writerow({**{k: row[k] for k in fields[:5]},
                          **{k: _stamp(row[k], tz) for k in fields[5:]}})


def _attr(parent, tag, key, value):
    etree.SubElement(parent, f"{{{_XES}}}{tag}", key=key, value=value)


def write_xes(rows: list[dict], path: str | os.PathLike, tz=WIB, log_name="bpengine") -> None:
    """An XES 1.0 log: one trace per case, start and complete events per task execution."""
    log = etree.Element(f"{{{_XES}}}log", nsmap={None: _XES})
    log.set("xes.version", "1.0")
    log.set("xes.features", "")
    for name, prefix, uri in _EXTENSIONS:
        etree.SubElement(log, f"{{{_XES}}}extension", name=name, prefix=prefix, uri=uri)
    g = etree.SubElement(log, f"{{{_XES}}}global", scope="trace")
    _attr(g, "string", "concept:name", "UNKNOWN")
    g = etree.SubElement(log, f"{{{_XES}}}global", scope="event")
    _attr(g, "string", "concept:name", "UNKNOWN")
    _attr(g, "string", "lifecycle:transition", "complete")
    _attr(g, "date", "time:timestamp", "1970-01-01T00:00:00.000+00:00")
    etree.SubElement(log, f"{{{_XES}}}classifier", name="Activity", keys="concept:name")
    _attr(log, "string", "concept:name", log_name)
    by_case: dict = {}
    for row in rows:
        by_case.setdefault(row["case"], []).append(row)
    for case in sorted(by_case):
        trace = etree.SubElement(log, f"{{{_XES}}}trace")
        _attr(trace, "string", "concept:name", f"case {case}")
        events = []
        for row in by_case[case]:
            events.append((row["start"], 0, row, "start"))
            events.append((row["end"], 1, row, "complete"))
        for when, _, row, transition in sorted(events, key=lambda e: (e[0], e[1])):
            ev = etree.SubElement(trace, f"{{{_XES}}}event")
            _attr(ev, "string", "concept:name", row["name"])
            _attr(ev, "string", "lifecycle:transition", transition)
            _attr(ev, "date", "time:timestamp", _stamp(when, tz))
            _attr(ev, "string", "org:resource", row["resource"])
            _attr(ev, "string", "org:role", row["lane"])
            _attr(ev, "string", "activity_id", row["activity"])
    etree.ElementTree(log).write(str(path), xml_declaration=True, encoding="UTF-8",
                                 pretty_print=True)


def write_event_log(rows: list[dict], path: str | os.PathLike, name: str = "bpengine") -> str:
    """Write ``rows`` as CSV or XES, chosen by the file's suffix; returns the format.

    ``name`` names the log in XES (``concept:name``), e.g. the simulated model's name.

    Raises
    ------
    BpengineError
        An unknown suffix (use ``.csv`` or ``.xes``) or a file that cannot be written.
    """
    suffix = Path(path).suffix.lower()
    writers = {".csv": write_csv, ".xes": write_xes}
    if suffix not in writers:
        raise BpengineError(f"--log {path}: unknown event log format {suffix or '(none)'!r}; "
                            "use a .csv or .xes file")
    try:
        if suffix == ".xes":
            write_xes(rows, path, log_name=name)
        else:
            writers[suffix](rows, path)
    except OSError as exc:
        raise BpengineError(f"--log {path}: cannot write the event log: "
                            f"{exc.strerror or exc}") from None
    return suffix[1:]
