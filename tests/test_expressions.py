"""The restricted evaluator: what it accepts, what it refuses, and that refusals are ours."""
from __future__ import annotations

import datetime as dt
import time

import pytest

from bpengine import ExpressionError
from bpengine.expressions import (
    MAX_LENGTH,
    compile_expression,
    evaluate,
    parse_duration,
)


@pytest.mark.parametrize(
    ("text", "data", "expected"),
    [
        ("amount > 1000", {"amount": 1500}, True),
        ("amount > 1000", {"amount": 10}, False),
        ("${amount > 1000}", {"amount": 1500}, True),
        ("${approved}", {"approved": False}, False),
        ("${x == 'A' && y}", {"x": "A", "y": True}, True),
        ("${x == 'A' && y}", {"x": "B", "y": True}, False),
        ("${a || b}", {"a": False, "b": True}, True),
        ("${!approved}", {"approved": False}, True),
        ("${x != null}", {"x": None}, False),
        ("${flag == true}", {"flag": True}, True),
        ("#{flag == false}", {"flag": False}, True),
        ("${applicant.age >= 17}", {"applicant": {"age": 20}}, True),
        ("status in ('baru', 'revisi')", {"status": "revisi"}, True),
        ("'ktp' not in docs", {"docs": ["kk"]}, True),
        ("days * 2 + 1 == 7", {"days": 3}, True),
        ("1 < n <= 3", {"n": 3}, True),
        ("len(docs) >= 2 and max(a, b) == 5", {"docs": [1, 2], "a": 5, "b": 1}, True),
        ("abs(-2) + round(2.6) + min([4, 9])", {}, 9),
        ("docs[0]", {"docs": ["ktp"]}, "ktp"),
        ("rec['k']", {"rec": {"k": 1}}, 1),
        ("'yes' if ok else 'no'", {"ok": 0}, "no"),
        ("days_between('2025-01-01', '2025-01-31') > 20", {}, True),
        ("date(tgl) < date(2025, 2, 1)", {"tgl": "2025-01-06"}, True),
        ("duration('P3D') == days(3)", {}, True),
        # A string holding '&&' or '!' is data, not an operator.
        ("note == 'a && !b'", {"note": "a && !b"}, True),
        ("2 ** 10", {}, 1024),
    ],
)
def test_accepted_expressions_evaluate(text, data, expected):
    assert evaluate(text, data) == expected


def test_compiled_expression_reports_names_it_reads():
    expr = compile_expression("${len(docs) > 1 && amount > limit}")
    assert expr.names == {"docs", "amount", "limit"}
    assert expr.evaluate({"docs": [1, 2], "amount": 5, "limit": 1}) is True


def test_missing_name_is_named_in_the_error():
    with pytest.raises(ExpressionError, match="'jumlah' is not in the case data"):
        evaluate("jumlah > 3", {"amount": 1})


@pytest.mark.parametrize(
    "text",
    [
        "().__class__.__base__.__subclasses__()",
        "__import__('os')",
        "__import__('os').system('true')",
        "open('/etc/passwd')",
        "eval('1')",
        "getattr(x, 'y')",
        "(lambda: 1)()",
        "[x for x in range(10**9)]",
        "[[y for y in range(10**6)] for x in range(10**6)]",
        "{x: 1 for x in 'ab'}",
        "sum(x for x in range(10))",
        "x.__class__",
        "x.upper()",
        "_secret",
        "(y := 3)",
        "f'{x}'",
        "*a",
        "len(a, key=1)",
        "a; b",
        "import os",
        "x = 1",
    ],
)
def test_escapes_are_refused_at_compile_time(text):
    with pytest.raises(ExpressionError):
        compile_expression(text)


@pytest.mark.parametrize(
    "text",
    ["9**9**9", "10 ** 100000", "'a' * 10**9", "[1] * 10**9", "2 ** 300", "x.upper"],
)
def test_resource_bombs_fail_fast(text):
    started = time.perf_counter()
    with pytest.raises(ExpressionError):
        evaluate(text, {"x": "abc"})
    assert time.perf_counter() - started < 0.5


def test_repeated_multiplication_cannot_grow_unbounded():
    text = "*".join(["x"] * 60)
    with pytest.raises(ExpressionError, match="too large"):
        evaluate(text, {"x": 10**9})


def test_too_long_and_too_complex_text_is_refused():
    with pytest.raises(ExpressionError, match="too long"):
        compile_expression("1+" * MAX_LENGTH + "1")
    with pytest.raises(ExpressionError, match="too complex"):
        compile_expression("+".join(["a"] * 500))
    with pytest.raises(ExpressionError):
        compile_expression("(" * 900 + "1" + ")" * 900)


@pytest.mark.parametrize(
    ("text", "data", "match"),
    [
        ("1 / 0", {}, "ZeroDivisionError"),
        ("'a' < 1", {}, "TypeError"),
        ("docs[5]", {"docs": []}, "IndexError"),
        ("rec.missing", {"rec": {}}, "'missing' is not in"),
        ("n.real", {"n": 1}, "only allowed on case-data records"),
        ("len", {}, "must be called"),
        ("", {}, "empty"),
        ("${}", {}, "empty"),
        ("amount >", {}, "cannot be parsed"),
    ],
)
def test_failures_are_expression_errors_naming_the_problem(text, data, match):
    with pytest.raises(ExpressionError, match=match):
        evaluate(text, data)


def test_non_text_is_refused():
    with pytest.raises(ExpressionError, match="must be text"):
        compile_expression(42)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT1H", dt.timedelta(hours=1)),
        ("P3D", dt.timedelta(days=3)),
        ("'PT1H'", dt.timedelta(hours=1)),
        ('"P1DT2H30M"', dt.timedelta(days=1, hours=2, minutes=30)),
        ("${'PT15M'}", dt.timedelta(minutes=15)),
        ("P2W", dt.timedelta(weeks=2)),
        ("PT0.5S", dt.timedelta(seconds=0.5)),
        (" pt30m ", dt.timedelta(minutes=30)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["P", "PT", "P1DT", "1H", "P1Y", "P2M", "tomorrow", ""])
def test_parse_duration_refuses_non_durations(text):
    with pytest.raises(ExpressionError, match="ISO-8601"):
        parse_duration(text)


def test_years_and_months_get_a_hint():
    with pytest.raises(ExpressionError, match="use days"):
        parse_duration("P1M")
