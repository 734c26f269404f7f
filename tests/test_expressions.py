"""The restricted evaluator: what it accepts, what it refuses, and that refusals are ours."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpengine import ExpressionError
from bpengine.errors import ExpressionLimitError
from bpengine.expressions import (
    DEFAULT_LIMITS,
    MAX_LENGTH,
    ExpressionLimits,
    compile_expression,
    evaluate,
)

HOSTILE = Path(__file__).parent / "data" / "hostile" / "expressions" / "expressions.lines"
_SHARED = [0] * 10_000
HOSTILE_DATA = {
    "n": 10**9,
    "w": 2**31 - 1,
    "digits": "9" * 5000,
    "x": "abc",
    "lists": [_SHARED] * 10_000,
    "s": "s" * 10_000,
}


def _hostile():
    for line in HOSTILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            limit, text = line.split("\t", 1)
            yield pytest.param(limit, text, id=text[:40])


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


@pytest.mark.parametrize(("limit", "text"), list(_hostile()))
def test_hostile_expressions_are_refused_before_the_work(limit, text):
    """Each payload of tests/data/hostile/expressions/expressions.lines is refused by the limit it names,
    after a handful of evaluation steps (a counter, not a stopwatch: the step count shows
    the refusal came before the expensive operation, not after it)."""
    with pytest.raises(ExpressionLimitError) as caught:
        evaluate(text, HOSTILE_DATA)
    err = caught.value
    assert err.limit == limit, str(err)
    assert f"limit {limit}=" in str(err)
    assert repr(text)[:40] in str(err)
    assert err.steps <= 40


def test_payloads_without_case_data_are_refused_at_compile_time():
    """A part that reads no case data is checked once, when the model is compiled."""
    with pytest.raises(ExpressionLimitError, match="max_format_width") as caught:
        compile_expression("ok and '%.*f' % (1000000000, 1.0) == ''")
    assert caught.value.steps <= 10
    with pytest.raises(ExpressionLimitError, match="max_sequence"):  # calls are no data
        compile_expression("ok or sum([[0]*10000]*10000, []) == []")
    assert compile_expression("date('not a date') or ok")  # failures other than cost: per case
    expr = compile_expression("'%.*f' % (n, 1.0)")  # reads data: judged per case
    assert expr.evaluate({"n": 2}) == "1.00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'%05d|%.2f|%s' % (3, 1.5, 'x')", "00003|1.50|x"),
        ("'%(a)s-%%' % {'a': 1}", "1-%"),
        ("'%*d' % (4, 7)", "   7"),
        ("sum([[1], [2, 3]], [])", [1, 2, 3]),
        ("sum([1, 2, 3])", 6),
        ("round(1234.5, -2)", 1200.0),
        ("int('42') + 2 ** 255 - 2 ** 255", 42),
        ("10 ** 77 > 0", True),
        ("'ab' * 5000 + ''", "ab" * 5000),
    ],
)
def test_legitimate_work_under_the_limits_is_done(text, expected):
    assert evaluate(text, {}) == expected


def test_repeated_multiplication_cannot_grow_unbounded():
    text = "*".join(["x"] * 60)
    with pytest.raises(ExpressionLimitError, match="max_int_bits") as caught:
        evaluate(text, {"x": 10**9})
    assert caught.value.limit == "max_int_bits"


def test_limits_are_settings_with_safe_defaults():
    assert DEFAULT_LIMITS.max_format_width == 1000
    assert DEFAULT_LIMITS.time_budget > 0
    with pytest.raises(ExpressionError, match="max_sequence must be a positive number"):
        ExpressionLimits(max_sequence=0)
    tight = ExpressionLimits(max_sequence=5)
    with pytest.raises(ExpressionLimitError, match="max_sequence=5"):
        evaluate("x * 2", {"x": "abc"}, tight)
    assert evaluate("x * 2", {"x": "abc"}) == "abcabc"


def test_step_count_and_time_budget_are_the_last_guards():
    with pytest.raises(ExpressionLimitError, match="max_steps=3"):
        evaluate("a + b + c", {"a": 1, "b": 2, "c": 3}, ExpressionLimits(max_steps=3))
    # a budget already spent when the first step is taken: refused at that step
    with pytest.raises(ExpressionLimitError, match="time_budget") as caught:
        evaluate("a", {"a": 1}, ExpressionLimits(time_budget=1e-12))
    assert caught.value.steps == 1


def test_total_work_is_bounded_across_results():
    limits = ExpressionLimits(max_work=25_000)
    with pytest.raises(ExpressionLimitError, match="max_work"):
        evaluate("[s[1:], s[2:], s[3:]]", {"s": "s" * 10_000}, limits)


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
    ("text", "data", "expected"),
    [
        # FEEL and Camunda keep booleans and numbers apart: `approved == 1` on a yes/no
        # field is false, never true because Python counts True as 1
        ("approved == 1", {"approved": True}, False),
        ("approved != 1", {"approved": True}, True),
        ("approved == 0", {"approved": False}, False),
        ("${n == true}", {"n": 1}, False),
        ("${n != false}", {"n": 0}, True),
        ("approved == True", {"approved": True}, True),
        ("n == 1.0", {"n": 1}, True),  # numbers stay numbers
        ("flags == [1, 0]", {"flags": [True, False]}, False),
        ("flags == [True, False]", {"flags": [True, False]}, True),
        ("rec == {'ok': 1}", {"rec": {"ok": True}}, False),
        ("rec == {'ok': 1.0}", {"rec": {"ok": 1}}, True),
        ("1 in flags", {"flags": [True]}, False),
        ("True in counts", {"counts": [1, 2]}, False),
        ("1 not in flags", {"flags": [True]}, True),
        ("status in (1, 2)", {"status": True}, False),
        ("2 in (1, 2)", {}, True),
        ("'a' in 'abc'", {}, True),
        ("'k' in rec", {"rec": {"k": 1}}, True),
        ("1 < n <= 3", {"n": 2}, True),
    ],
)
def test_booleans_are_not_numbers_in_conditions(text, data, expected):
    assert evaluate(text, data) is expected


@pytest.mark.parametrize("text", ["approved > 0", "0 < approved", "approved >= 1", "1 <= approved"])
def test_ordering_a_boolean_against_a_number_is_refused(text):
    with pytest.raises(ExpressionError, match="a boolean is not a number"):
        evaluate(text, {"approved": True})
