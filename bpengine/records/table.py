"""Read an event log from a CSV file: one row per task execution, columns found by name.

The columns bpengine's simulator writes (case, activity, name, lane, resource, enabled,
start, end) are found as they are; other tools' names (``case:concept:name``,
``start_timestamp``, ``org:resource``, ...) are recognised too, and anything else is
mapped explicitly (``columns={"case": "No Berkas"}``, or ``--case-column`` on the command line).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from typing import Literal, overload

from ..errors import LogError
from ..i18n import _
from ..model.source import open_bounded, undecodable
from ..scenario import limits
from .log import WIB, Event, EventLog, parse_time

__all__ = ["read_csv", "ALIASES"]

_MAX_HEADER = 100_000  # characters of the header line (a real one has a few hundred)

#: our column -> names other tools give it (compared without case, spaces, _ - :)
ALIASES = {
    "case": (
        "case",
        "caseid",
        "caseconceptname",
        "trace",
        "traceid",
        "processinstance",
        "instance",
        "kasus",
        "noberkas",
    ),
    "activity": (
        "activity",
        "activityid",
        "conceptname",
        "task",
        "taskid",
        "activityname",
        "step",
        "event",
        "kegiatan",
        "tahap",
    ),
    "name": ("name", "taskname", "stepname"),
    "end": (
        "end",
        "endtime",
        "endtimestamp",
        "complete",
        "completetimestamp",
        "completed",
        "completetime",
        "timetimestamp",
        "timestamp",
        "time",
        "selesai",
        "finished",
    ),
    "start": ("start", "starttime", "starttimestamp", "started", "begin", "mulai"),
    "enabled": (
        "enabled",
        "enabledtime",
        "enabletimestamp",
        "enabledtimestamp",
        "schedule",
        "scheduled",
    ),
    "resource": ("resource", "orgresource", "user", "actor", "performer", "petugas", "employee"),
    "lane": ("lane", "role", "orgrole", "orggroup", "group", "department", "unit", "office"),
}
REQUIRED = ("case", "activity", "end")


def _key(text: str) -> str:
    return re.sub(r"[\s_:\-.]", "", text.strip().lower())


def _columns(header: list[str], given: dict, source: str) -> dict[str, int]:
    """Our column -> index in the file: given names first, then the aliases."""
    index = {_key(h): i for i, h in enumerate(header)}
    out: dict[str, int] = {}
    for ours, theirs in (given or {}).items():
        if ours not in ALIASES:
            raise LogError(
                _("{source}: unknown column role {ours} (use one of {roles})").format(
                    source=source, ours=repr(ours), roles=", ".join(ALIASES)
                )
            )
        if theirs is None:
            continue
        if theirs in header:
            out[ours] = header.index(theirs)
        elif _key(theirs) in index:
            out[ours] = index[_key(theirs)]
        else:
            raise LogError(
                _("{source}: no column {theirs} for the {ours} (the file has: {columns})").format(
                    source=source, theirs=repr(theirs), ours=ours, columns=", ".join(header)
                )
            )
    taken = set(out.values())
    for ours, names in ALIASES.items():
        if ours in out:
            continue
        for name in names:
            i = index.get(name)
            if i is not None and i not in taken:
                out[ours] = i
                taken.add(i)
                break
    for ours in REQUIRED:
        if ours not in out:
            raise LogError(
                _(
                    "{source}: no column for the {ours} (looked for {names}, ...; the "
                    "file has: {columns}); name it with --{ours}-column COLUMN"
                ).format(
                    source=source,
                    ours=ours,
                    names=", ".join(ALIASES[ours][:5]),
                    columns=", ".join(header),
                )
            )
    return out


def read_csv(
    path: str | os.PathLike,
    columns: dict | None = None,
    tz: dt.tzinfo = WIB,
    delimiter: str | None = None,
) -> EventLog:
    """Read a CSV event log into an :class:`EventLog`.

    Parameters
    ----------
    columns : dict, optional
        Our column (``case``, ``activity``, ``name``, ``start``, ``end``, ``enabled``,
        ``resource``, ``lane``) -> the file's header; the rest is auto-detected.
    tz : tzinfo
        Timestamps with an offset are converted to this office time.
    delimiter : str, optional
        Default: sniffed from the header (comma, semicolon or tab).

    Raises
    ------
    LogError
        A required column missing, an empty cell where a value is needed, or a timestamp
        that cannot be read, naming the row (line number in the file) and the column.
    """
    source = os.fspath(path)
    # bounded like every read: a FIFO or /dev/zero named log.csv is refused, not waited on
    raw = open_bounded(source, limit=limits.MAX_LOG_BYTES, error=LogError, what=_("event log"))
    fh = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    with fh:
        try:  # a header line, not a whole headerless file read as one line
            first = fh.readline(_MAX_HEADER)
        except UnicodeDecodeError:
            raise _not_utf8(source) from None
        if first and not first.endswith("\n") and len(first) >= _MAX_HEADER:
            raise LogError(
                _(
                    "{source}: the first line is longer than {limit} characters: "
                    "not a header of column names"
                ).format(source=source, limit=_MAX_HEADER)
            )
        if not first.strip():
            raise LogError(
                _("{source}: empty file: expected a header line of column names").format(
                    source=source
                )
            )
        if delimiter is None:
            counts = {d: first.count(d) for d in (",", ";", "\t")}
            delimiter = max(counts, key=lambda d: counts[d])
        header = next(csv.reader([first], delimiter=delimiter))
        cols = _columns(header, columns or {}, source)
        get = {k: cols.get(k) for k in ALIASES}
        events: list[Event] = []
        try:
            for line, row in enumerate(csv.reader(fh, delimiter=delimiter), start=2):
                if not row or not any(cell.strip() for cell in row):
                    continue
                read = _Row(row, line, get, header, source, tz)
                events.append(
                    Event(
                        read.cell("case", True),
                        read.cell("activity", True),
                        read.stamp("end", True),
                        read.stamp("start"),
                        read.stamp("enabled"),
                        read.cell("name") or "",
                        read.cell("lane"),
                        read.cell("resource"),
                        f"row {line}",
                    )
                )
        except csv.Error as exc:
            raise LogError(
                _("{source}: not a readable CSV file: {exc}").format(source=source, exc=exc)
            ) from None
        except UnicodeDecodeError:
            raise _not_utf8(source) from None
    return EventLog(events, source)


def _not_utf8(source: str) -> LogError:
    """The error for a CSV that is not UTF-8, naming the first bad byte's offset and line."""
    with open_bounded(source, limit=limits.MAX_LOG_BYTES, error=LogError) as raw:
        found = undecodable(raw)
    if found is None:  # cannot happen for a file the text reader refused; say it plainly
        return LogError(_("{source}: not UTF-8 text (save the CSV as UTF-8)").format(source=source))
    offset, line, byte = found
    return LogError(
        _(
            "{source}: not UTF-8 text: byte {offset} (line {line}) is 0x{byte:02x}, "
            "which does not decode; save the CSV as UTF-8"
        ).format(source=source, offset=offset, line=line, byte=byte)
    )


class _Row:
    """One CSV row's cells by our column names, with errors naming row and column."""

    __slots__ = ("row", "line", "get", "header", "source", "tz")

    def __init__(self, row, line, get, header, source, tz):
        self.row, self.line, self.get, self.header = row, line, get, header
        self.source, self.tz = source, tz

    @overload
    def cell(self, role: str, required: Literal[True]) -> str: ...
    @overload
    def cell(self, role: str, required: bool = False) -> str | None: ...

    def cell(self, role: str, required: bool = False) -> str | None:
        i = self.get[role]
        value = self.row[i].strip() if i is not None and i < len(self.row) else ""
        if required and not value:
            raise LogError(
                _("{source}: row {line}: column {column} (the {role}) is empty").format(
                    source=self.source, line=self.line, column=repr(self.header[i]), role=role
                )
            )
        return value or None

    def stamp(self, role: str, required: bool = False):
        value = self.cell(role, required)
        if value is None:
            return None
        return parse_time(
            value,
            f"{self.source}: row {self.line}, column {self.header[self.get[role]]!r}",
            self.tz,
        )
