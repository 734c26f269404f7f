"""A simulation's event log, and writing it as CSV or XES (IEEE 1849) for process mining.

Each task execution becomes one row (CSV: case, activity, lane, resource, enabled, start,
end) or two XES events (``lifecycle:transition`` ``start`` and ``complete``), so pm4py,
ProM, Disco or Apromore read the simulated procedure like a real one. Timestamps carry the
office's offset (WIB, +07:00) because the calendar is local office time.

The simulator hands over an :class:`EventLog`: numpy columns, written to CSV column by
column (a 10,000-case log of 166,000 rows in a fraction of a second), turned into a list
of dicts with datetimes only when someone reads it row by row.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from lxml import etree

from ..errors import BpengineError
from ..i18n import _

__all__ = ["EventLog", "write_event_log", "write_csv", "write_xes", "WIB"]

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
_XES = "http://www.xes-standard.org/"
_EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
)


_FIELDS = ("case", "activity", "name", "lane", "resource", "enabled", "start", "end")


class EventLog(Sequence):
    """Task executions of one replication, column by column.

    Reads as a sequence of dicts (``case``, ``activity``, ``name``, ``lane``, ``resource``,
    ``enabled``, ``start``, ``end`` as naive office-time datetimes), made on first access.

    Parameters
    ----------
    table : numpy.ndarray
        One row per task execution: case, node, lane, person (-1: never taken up), then
        enabled, released, assigned, start, end and working minutes, times in minutes from
        ``epoch``. Executions nobody took up (cancelled while waiting) are left out.
    ids, names, lanes : list of str
        Node ids and names by node number; lane names by lane number.
    unstaffed : collection of str
        Lanes without people (system steps, steps on no lane): their resource is the lane.
    people : dict, optional
        Lane number -> the names of its people (lanes of named people), by person number.
    epoch : datetime.datetime
        The simulated clock's zero.
    """

    def __init__(self, table, ids, names, lanes, unstaffed, epoch, people=None):
        table = np.asarray(table, dtype=float).reshape(-1, 10)
        table = table[table[:, 3] >= 0]
        self.case, self.node, self.lane, self.staff = table[:, :4].astype(np.int64).T
        self.enabled, self.start, self.end = table[:, 4], table[:, 7], table[:, 8]
        self.ids, self.names, self.lanes = list(ids), list(names), list(lanes)
        self.unstaffed = frozenset(unstaffed)
        self.people = people or {}  # lane number -> names of its people, by person number
        self.epoch = np.datetime64(epoch, "us")
        self._rows: list[dict] | None = None

    def __len__(self) -> int:
        return len(self.case)

    def __getitem__(self, i):
        return self.rows()[i]

    def __iter__(self):
        return iter(self.rows())

    def __eq__(self, other) -> bool:
        if isinstance(other, EventLog):
            other = other.rows()
        return isinstance(other, list) and self.rows() == other

    __hash__ = None  # type: ignore[assignment]  # equal to a list of rows: unhashable

    def stamps(self, minutes: np.ndarray) -> np.ndarray:
        """Minutes from the epoch as ``datetime64[us]``."""
        return self.epoch + np.round(minutes * 60e6).astype("timedelta64[us]")

    def _resource_index(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Each distinct resource's name once, which one each execution had, and its lane."""
        per = int(self.staff.max(initial=0)) + 1
        key = self.lane * per + self.staff
        top = int(key.max(initial=0))
        if top <= 4 * len(key) + 1024:  # a few lanes and people: a lookup, no sort
            seen = np.zeros(top + 1, dtype=bool)
            seen[key] = True
            keys = np.flatnonzero(seen)  # as np.unique gives them: ascending
            code = np.zeros(top + 1, dtype=np.intp)
            code[keys] = np.arange(len(keys))
            inverse = code[key]
        else:
            keys, inverse = np.unique(key, return_inverse=True)
        lanes, people = self.lanes, self.people
        lane, staff = (keys // per).tolist(), (keys % per).tolist()
        return (
            [
                lanes[ln]
                if lanes[ln] in self.unstaffed
                else people[ln][k]
                if ln in people
                else f"{lanes[ln]} #{k + 1}"
                for ln, k in zip(lane, staff, strict=True)
            ],
            inverse,
            keys // per,
        )

    def resources(self) -> np.ndarray:
        """Who did each execution: ``Lane #n``, or the lane itself when it has no people."""
        labels, index, _names = self._resource_index()
        return np.array(labels, dtype=object)[index] if len(labels) else np.zeros(0, object)

    def rows(self) -> list[dict]:
        """The executions as dicts with datetimes (made once, in bulk)."""
        if self._rows is None:
            ids, names, lanes = self.ids, self.names, self.lanes
            when = np.stack([self.stamps(x) for x in (self.enabled, self.start, self.end)], 1)
            self._rows = [
                {
                    "case": c,
                    "activity": ids[n],
                    "name": names[n],
                    "lane": lanes[ln],
                    "resource": r,
                    "enabled": e,
                    "start": st,
                    "end": f,
                }
                for c, n, ln, r, (e, st, f) in zip(
                    self.case.tolist(),
                    self.node.tolist(),
                    self.lane.tolist(),
                    self.resources().tolist(),
                    when.astype(object).tolist(),
                    strict=True,
                )
            ]
        return self._rows

    def csv_lines(self, tz=WIB) -> list[str]:
        """The CSV data lines (no header), built column by column."""
        offset = _offset(tz)

        # each distinct time is formatted once (a third of them on a typical log: a step
        # is enabled when the one before ends), as isoformat does (milliseconds truncated)
        times, at = np.unique(
            np.concatenate([self.enabled, self.start, self.end]), return_inverse=True
        )
        # as Python strings, indexed in Python: numpy's fixed-width str arrays (48 characters
        # each) made the suffixing and the fancy indexing cost more than the formatting
        text = [s + offset for s in np.datetime_as_string(self.stamps(times), unit="ms").tolist()]
        stamps = [list(map(text.__getitem__, column)) for column in at.reshape(3, -1).tolist()]
        # activity and name belong to the node, lane and resource to the person: quote and
        # join each pair once, then index
        node = np.array(
            [f"{_csv_field(i)},{_csv_field(n)}" for i, n in zip(self.ids, self.names, strict=True)],
            dtype=object,
        )
        labels, index, lane_of = self._resource_index()
        who = np.array(
            [
                f"{_csv_field(self.lanes[k])},{_csv_field(label)}"
                for label, k in zip(labels, lane_of.tolist(), strict=True)
            ],
            dtype=object,
        )
        cells = (
            list(map(str, self.case.tolist())),
            node[self.node].tolist(),
            who[index].tolist(),
            *stamps,
        )
        return list(map(",".join, zip(*cells, strict=True)))

    def csv_bytes(self, tz=WIB) -> bytes:
        """The CSV data lines (no header), CRLF-terminated, in UTF-8: :meth:`csv_lines`
        joined, from :meth:`csv_chunks`."""
        return b"".join(self.csv_chunks(tz))

    # Any: bytes or a uint8 array, both buffers (typing's Buffer is Python 3.12+)
    def csv_chunks(self, tz=WIB, rows: int = 8192) -> Iterator[Any]:
        """The CSV data lines (no header) in UTF-8, ``rows`` lines at a time (bytes-like).

        The lines are built as a table of bytes instead of 166,000 Python strings, one
        chunk of rows at a time (the memory of one chunk is reused by the next, so few
        pages are ever touched). Each line is a row of the table: the case number
        right-aligned in as many digits as the largest has, the node's and the resource's
        cells (quoted as the ``csv`` module quotes) left-aligned, each padded to the
        longest, then the three timestamps, fixed width, copied eight bytes at a time from
        small tables of their parts. The padding is the byte 0xFF, which UTF-8 never uses,
        so one mask drops it.
        """
        n = len(self)
        if n == 0:
            return
        stamps = (self.enabled, self.start, self.end)
        first = min(self._millis(x).min() for x in stamps) // 86_400_000
        last = max(self._millis(x).max() for x in stamps) // 86_400_000
        dates = np.datetime_as_string(np.arange(first, last + 1).astype("M8[D]")).tolist()
        offset = _offset(tz).encode()
        if any(len(d) != 10 for d in dates) or len(offset) < 2:  # a year outside 0000-9999
            yield ("\r\n".join(self.csv_lines(tz)) + "\r\n").encode()
            return
        month = _words(np.frombuffer("".join(d[:8] for d in dates).encode(), np.uint8))
        day_of_month = np.array([int(d[8:]) for d in dates])
        clock, second = _clock_words(offset[:1])
        node = _cells(
            [
                f",{_csv_field(i)},{_csv_field(m)},"
                for i, m in zip(self.ids, self.names, strict=True)
            ]
        )
        labels, index, lane_of = self._resource_index()
        who = _cells(
            [
                f"{_csv_field(self.lanes[k])},{_csv_field(m)}"
                for m, k in zip(labels, lane_of.tolist(), strict=True)
            ]
        )
        digits = len(str(int(self.case.max())))
        fields = [("case", f"V{digits}"), ("node", node.dtype), ("who", who.dtype)]
        for k in range(3):
            fields += [(f"comma{k}", "V1"), (f"month{k}", "=u8"), (f"clock{k}", "=u8")]
            fields += [(f"second{k}", "=u8"), (f"offset{k}", f"V{len(offset) - 1}")]
        fields.append(("end", "V2"))
        line = np.dtype(fields)
        for lo in range(0, n, rows):
            part = slice(lo, min(n, lo + rows))
            table = np.zeros(part.stop - lo, line)
            case = np.full((len(table), digits), 0xFF, dtype=np.uint8)
            value = self.case[part].copy()
            for k in range(digits - 1, -1, -1):  # right to left; leading zeros are padding
                case[:, k] = np.where((value > 0) | (k == digits - 1), value % 10 + 48, 0xFF)
                value //= 10
            table["case"] = case.view(f"V{digits}").ravel()
            table["node"] = node[self.node[part]]
            table["who"] = who[index[part]]
            for k, minutes in enumerate(stamps):
                ms = self._millis(minutes[part])
                day = ms // 86_400_000
                rest = ms - day * 86_400_000
                minute = rest // 60_000
                table[f"comma{k}"] = np.void(b",")
                table[f"month{k}"] = month[day - first]
                table[f"clock{k}"] = clock[day_of_month[day - first] * 1440 + minute]
                table[f"second{k}"] = second[rest - minute * 60_000]
                table[f"offset{k}"] = np.void(offset[1:])
            table["end"] = np.void(b"\r\n")
            raw = table.view(np.uint8)
            yield raw[raw != 0xFF]

    def _millis(self, minutes: np.ndarray) -> np.ndarray:
        """Milliseconds since 1970 of :meth:`stamps`, as its cast to ms gives them: down."""
        return self.stamps(minutes).astype(np.int64) // 1000


def _words(text: np.ndarray) -> np.ndarray:
    """Bytes, eight at a time, as native uint64 words (a table field of them copies fast)."""
    return np.ascontiguousarray(text, dtype=np.uint8).view("=u8").ravel()


@functools.lru_cache(maxsize=4)
def _clock_words(after: bytes) -> tuple[np.ndarray, np.ndarray]:
    """``DDTHH:MM`` for each day of the month (0-31) and minute of the day (index
    ``day * 1440 + minute``), and ``:SS.mmm`` plus ``after`` for each millisecond of a
    minute: the tables :meth:`EventLog.csv_bytes` takes a timestamp's words from.

    Built a byte column at a time from the digits of 00-99 and 000-999 (small tables: the
    first log a process writes pays for them, so they touch little memory)."""
    digits = np.frombuffer(b"".join(b"%03d" % k for k in range(1000)), np.uint8).reshape(-1, 3)
    two = digits[:100, 1:]  # "00" to "99"
    minutes = np.arange(1440)
    clock = np.empty((32, 1440, 8), np.uint8)
    clock[:, :, 0:2] = two[:32, None, :]  # the day of the month
    clock[:, :, 2] = ord("T")
    clock[:, :, 3:5] = two[minutes // 60]  # hour
    clock[:, :, 5] = ord(":")
    clock[:, :, 6:8] = two[minutes % 60]  # minute
    second = np.empty((60, 1000, 8), np.uint8)
    second[:, :, 0] = ord(":")
    second[:, :, 1:3] = two[:60, None, :]
    second[:, :, 3] = ord(".")
    second[:, :, 4:7] = digits  # the milliseconds
    second[:, :, 7] = after[0]
    return _words(clock), _words(second)


def _cells(texts: list[str]) -> np.ndarray:
    """The texts' UTF-8 bytes, padded with 0xFF to the longest, as one void item each."""
    raw = [t.encode() for t in texts]
    width = max(1, max(map(len, raw), default=0))
    table = np.full((len(raw), width), 0xFF, dtype=np.uint8)
    for k, b in enumerate(raw):
        table[k, : len(b)] = np.frombuffer(b, np.uint8)
    return table.view(f"V{width}").ravel()


def _offset(tz) -> str:
    """``+07:00`` for WIB: the suffix ``datetime.isoformat`` gives aware timestamps."""
    return dt.datetime(2000, 1, 1, tzinfo=tz).isoformat()[19:]


def _csv_field(value) -> str:
    """One CSV cell as the ``csv`` module writes it (quoted only when it must be)."""
    text = str(value)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _stamp(when: dt.datetime, tz=WIB) -> str:
    return when.replace(tzinfo=tz).isoformat(timespec="milliseconds")


def write_csv(rows, path: str | os.PathLike, tz=WIB) -> None:
    """One line per task execution, ISO timestamps with offset.

    ``rows`` is an :class:`EventLog` (written column by column) or a list of dicts.
    """
    if isinstance(rows, EventLog):
        with open(path, "wb") as fh:
            fh.write((",".join(_FIELDS) + "\r\n").encode())
            for chunk in rows.csv_chunks(tz):
                fh.write(chunk)
        return
    fields = list(_FIELDS)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, fieldnames=fields)
        out.writeheader()
        for row in rows:
            out.writerow(
                {**{k: row[k] for k in fields[:5]}, **{k: _stamp(row[k], tz) for k in fields[5:]}}
            )


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
        for when, _order, row, transition in sorted(events, key=lambda e: (e[0], e[1])):
            ev = etree.SubElement(trace, f"{{{_XES}}}event")
            _attr(ev, "string", "concept:name", row["name"])
            _attr(ev, "string", "lifecycle:transition", transition)
            _attr(ev, "date", "time:timestamp", _stamp(when, tz))
            _attr(ev, "string", "org:resource", row["resource"])
            _attr(ev, "string", "org:role", row["lane"])
            _attr(ev, "string", "activity_id", row["activity"])
    etree.ElementTree(log).write(
        str(path), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def write_event_log(rows, path: str | os.PathLike, name: str = "bpengine") -> str:
    """Write ``rows`` (an :class:`EventLog` or a list of dicts) as CSV or XES, chosen by the
    file's suffix; returns the format.

    ``name`` names the log in XES (``concept:name``), e.g. the simulated model's name.

    Raises
    ------
    BpengineError
        An unknown suffix (use ``.csv`` or ``.xes``) or a file that cannot be written.
    """
    suffix = Path(path).suffix.lower()
    writers = {".csv": write_csv, ".xes": write_xes}
    if suffix not in writers:
        raise BpengineError(
            _("--log {path}: unknown event log format {suffix}; use a .csv or .xes file").format(
                path=path, suffix=repr(suffix or _("(none)"))
            )
        )
    try:
        if suffix == ".xes":
            write_xes(rows, path, log_name=name)
        else:
            writers[suffix](rows, path)
    except OSError as exc:
        raise BpengineError(
            _("--log {path}: cannot write the event log: {why}").format(
                path=path, why=exc.strerror or exc
            )
        ) from None
    return suffix[1:]
