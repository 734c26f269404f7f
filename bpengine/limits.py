"""How much work one piece of case data may ask for: named limits with safe defaults.

Case data comes from outside (a form, a message, a handler, ``--data`` on the command line).
Without bounds a 500-deep object overflows the stack, an integer of thousands of digits
stalls every conversion, a ten-megabyte value is copied at every step, and a multi-instance
activity whose cardinality is ``jumlah_berkas`` creates as many tasks as the data says
(100,000 took 19.5 s and 580 MB; 10^9 never finished). Each limit is checked *before* the
work, and a refusal names what was refused and the setting that refused it.

One home for these settings: :class:`EngineLimits`, passed as ``Engine(limits=...)``. The
other inputs have theirs beside the code they guard (README, design notes: "Limits live with
what they bound"): what one expression may cost in :mod:`bpengine.expression_limits`, what a
scenario may ask of the simulator (including multi-instance counts from generated case data)
in :mod:`bpengine.scenario.limits`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import BpengineError
from .i18n import _

__all__ = ["EngineLimits", "DEFAULT_LIMITS", "MAX_DEPTH"]

MAX_DEPTH = 200  # the deepest data_depth a setting may allow
_EXPONENT_FROM = 1e16  # floats from here on have an exponent in their JSON (repr)


@dataclass(frozen=True)
class EngineLimits:
    """Limits on case data and on the work it may cause.

    Parameters
    ----------
    data_bytes : int
        Largest case data, in bytes of JSON: a call's data, and the case's data with it
        merged in (default 1 MiB). Documents belong in a document store; the case keeps
        their reference.
    data_depth : int
        Deepest nesting of objects and lists in case data (default 32, at most 200: the
        libraries that copy and serialise case data recurse, two or more stack frames a
        level, and Python stops at 1,000).
    integer_digits : int
        Most decimal digits of an integer in case data (default 30: a 16-digit NIK fits).
    instances : int
        Most instances of one multi-instance activity, from its cardinality or the length
        of its input collection (default 1,000).

    Examples
    --------
    >>> EngineLimits().check_data({"lampiran": [[[1]]]}, "start cuti") is None
    True
    >>> EngineLimits(data_depth=2).check_data({"lampiran": [[[1]]]}, "start cuti")
    Traceback (most recent call last):
    ...
    bpengine.errors.BpengineError: start cuti: lampiran[0][0] nests deeper than 2 levels (limit EngineLimits.data_depth)
    """

    data_bytes: int = 1_048_576
    data_depth: int = 32
    integer_digits: int = 30
    instances: int = 1_000

    def __post_init__(self):
        for name in ("data_bytes", "data_depth", "integer_digits", "instances"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise BpengineError(
                    _(
                        "EngineLimits.{name} must be a whole number of at least 1, not {value!r}"
                    ).format(name=name, value=value)
                )
        if self.data_depth > MAX_DEPTH:
            raise BpengineError(
                _(
                    "EngineLimits.data_depth can be at most {most} (deeper data "
                    "overflows Python's stack), not {value}"
                ).format(most=MAX_DEPTH, value=self.data_depth)
            )

    def check_data(self, data: Any, what: str, kept: tuple[type, ...] = ()) -> None:
        """Refuse data nested deeper than :attr:`data_depth` or holding an integer of more
        than :attr:`integer_digits` digits, a NaN or an infinity, text a database cannot
        store, or anything JSON has no form for: a tuple or a set (each would come back a
        list), a key that is not text (``{1: "a"}`` would come back ``{"1": "a"}``), a date,
        bytes, any other object; ``what`` names the call (``task 1f3c…``).

        ``kept``: the types whose values the caller stores faithfully all the same (the
        instance state keeps a script's ``datetime``), matched exactly, not subclasses.

        Walks the data without recursion, so even data too deep for Python is refused cleanly.
        """
        bound = 10**self.integer_digits
        stack = [(data, 0, None, None)]  # value, depth, parent entry, key in parent
        while stack:
            entry = stack.pop()
            value, depth = entry[0], entry[1]
            children: Iterable[tuple[Any, Any]]
            if isinstance(value, dict):
                children = value.items()
                _check_keys(value, entry, what)
            elif isinstance(value, list):
                children = enumerate(value)
            elif isinstance(value, tuple):
                # stored as a JSON list, it would come back a list: refused, never changed
                raise BpengineError(
                    _(
                        "{what}: {name} is a tuple; case data is JSON, which has lists but no "
                        "tuples: give a list"
                    ).format(what=what, name=_path(entry))
                )
            else:
                # one type test settles the common scalar: this walk runs on every call's data
                if isinstance(value, str):
                    if not _storable(value):
                        _refuse_text(what, _path(entry))
                elif isinstance(value, float):
                    if not math.isfinite(value):
                        raise BpengineError(
                            _("{what}: {name} is {value}, not a number JSON can hold").format(
                                what=what, name=_path(entry), value=value
                            )
                        )
                    if abs(value) >= _EXPONENT_FROM:
                        _check_large_float(value, bound, what, _path(entry))
                elif isinstance(value, int):
                    if not isinstance(value, bool) and abs(value) >= bound:
                        raise BpengineError(
                            _(
                                "{what}: {name} is an integer of more than {digits} digits "
                                "(limit EngineLimits.integer_digits)"
                            ).format(what=what, name=_path(entry), digits=self.integer_digits)
                        )
                elif value is not None and type(value) not in kept:
                    # a set or a date would fail to store, or come back as something else
                    raise BpengineError(
                        _(
                            "{what}: {name} is of type {kind}, which case data (JSON) cannot hold: "
                            "give text, a number, true/false, null, a list or an object"
                        ).format(what=what, name=_path(entry), kind=type(value).__name__)
                    )
                continue
            if depth >= self.data_depth and value:
                raise BpengineError(
                    _(
                        "{what}: {name} nests deeper than {depth} levels (limit "
                        "EngineLimits.data_depth)"
                    ).format(
                        what=what,
                        name=_path(next(_children(entry, children))),
                        depth=self.data_depth,
                    )
                )
            stack.extend(_children(entry, children))

    def check_size(self, data: dict, what: str, text: str | None = None) -> None:
        """Refuse data over :attr:`data_bytes` bytes of JSON (``text``: its JSON, if made)."""
        size = len(text if text is not None else json.dumps(data))  # ASCII: chars are bytes
        if size > self.data_bytes:
            biggest = (
                max(data, key=lambda k: len(json.dumps(data[k])), default=None)
                if isinstance(data, dict)
                else None
            )
            raise BpengineError(
                _(
                    "{what}: case data would be {size} bytes of JSON, over the limit of {limit} "
                    "(EngineLimits.data_bytes); the largest value is {name}"
                ).format(what=what, size=size, limit=self.data_bytes, name=biggest)
            )

    def check_instances(self, count: Any, what: str, source: str) -> None:
        """Refuse a multi-instance activity of more than :attr:`instances` instances."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            return  # not a count: the engine's own check says what is wrong
        if count > self.instances:
            raise BpengineError(
                _(
                    "{what}: multi-instance count {source} is {count}, over the limit of {limit} "
                    "(EngineLimits.instances)"
                ).format(what=what, source=source, count=count, limit=self.instances)
            )


DEFAULT_LIMITS = EngineLimits()


def _storable(text: str) -> bool:
    """Whether every database stores ``text`` as it is: PostgreSQL's JSON holds no U+0000
    and no lone surrogate, which SQLite keeps (the same case would run on one, not the other)."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_large_float(value: float, bound: int, what: str, name: str) -> None:
    """Refuse a float PostgreSQL would not give back equal: its JSON (``1e+23``) is read
    into JSONB as the exact decimal it spells and written out as the whole number
    ``100000000000000000000000``, which comes back an int that is not the float
    (99999999999999991611392 is); or one that would come back an integer over the limit."""
    back = int(Decimal(repr(value)))
    if back != value or abs(back) >= bound:
        raise BpengineError(
            _(
                "{what}: {name} is {value}, a float PostgreSQL would give back as another "
                "number (the whole number its digits spell): give an integer of at most "
                "{digits} digits, or text"
            ).format(what=what, name=name, value=value, digits=len(str(bound)) - 1)
        )


def _check_keys(value: dict, entry, what: str) -> None:
    """Refuse a key that is not text (json.dumps writes 1, None, True as "1", "null", "true",
    a silent change, and fails on a tuple key) or text a database cannot store."""
    for key in value:
        if not isinstance(key, str):
            raise BpengineError(
                _(
                    "{what}: {name} has a key that is not text: {key} ({kind}); "
                    "case data is JSON, whose keys are text: give the key as text"
                ).format(
                    what=what,
                    name=_path(entry),
                    key=ascii(key)[:60],
                    kind=type(key).__name__,
                )
            )
        if not _storable(key):
            _refuse_text(
                what,
                _("{name} key {key}").format(name=_path(entry), key=ascii(key)[:60]),
            )


def _refuse_text(what: str, name: str) -> None:
    raise BpengineError(
        _(
            "{what}: {name} holds a NUL character (U+0000) or a lone surrogate, "
            "which a database cannot store as text"
        ).format(what=what, name=name)
    )


def _children(entry, children):
    depth = entry[1] + 1
    return ((value, depth, entry, key) for key, value in children)


def _path(entry) -> str:
    """``lampiran[0].nama`` for the value at ``entry`` (built only for a refusal)."""
    parts = []
    while entry is not None and entry[2] is not None:
        key = entry[3]
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
        entry = entry[2]
    parts.reverse()
    if len(parts) > 6:  # a deep path: its start says where, the rest is noise
        parts = [*parts[:5], "..."]
    text = "".join(parts).lstrip(".")
    return text or _("the data")
