"""Safe expressions: gateway conditions, timer values and case-data tests from BPMN files.

A BPMN file is data, not code. Its conditions (``amount > 1000``, Camunda's
``${x == 'A' && y}``) are parsed with :mod:`ast` and evaluated by walking the tree over an
explicit whitelist of node types: literals, case-data names, comparisons, ``and/or/not``,
arithmetic, ``in``, conditional expressions, subscripts and a few safe functions. Nothing in
a file can import, call arbitrary functions, reach attributes of Python objects or run
forever: text size, tree size, evaluation steps and the size of numbers and strings are
bounded. ``eval`` is never used.

Examples
--------
>>> evaluate("${amount > 1000 && !urgent}", {"amount": 1500, "urgent": False})
True
>>> compile_expression("len(docs) >= 2").evaluate({"docs": ["ktp", "kk"]})
True
>>> parse_duration("P3D")
datetime.timedelta(days=3)
"""
from __future__ import annotations

import ast
import datetime as _dt
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ExpressionError

__all__ = [
    "Expression",
    "compile_expression",
    "evaluate",
    "parse_duration",
    "SAFE_FUNCTIONS",
    "MAX_LENGTH",
    "MAX_NODES",
    "MAX_STEPS",
]

MAX_LENGTH = 2000  # characters of expression text
MAX_NODES = 400  # AST nodes after parsing
MAX_STEPS = 10_000  # node visits per evaluation (comprehensions are refused, so this is ample)
_MAX_INT_BITS = 256  # 10**77: larger than any amount of rupiah, small enough to stay instant
_MAX_SEQUENCE = 10_000  # elements or characters produced by * and +


def _to_date(value=None, month=None, day=None):
    """``date("2025-01-06")``, ``date(2025, 1, 6)`` or the date part of a datetime."""
    if month is not None:
        return _dt.date(int(value), int(month), int(day))
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return _dt.date.fromisoformat(str(value)[:10])


def _to_datetime(value):
    if isinstance(value, _dt.datetime):
        return value
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day)
    return _dt.datetime.fromisoformat(str(value))


def _days_between(start, end) -> int:
    return (_to_date(end) - _to_date(start)).days


# The only callables an expression can reach. Each takes plain values and returns plain
# values; none can reach the interpreter.
SAFE_FUNCTIONS: dict[str, Any] = {
    "len": len,
    "min": min,
    "max": max,
    "abs": abs,
    "round": round,
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "sum": sum,
    "any": any,
    "all": all,
    "date": _to_date,
    "datetime": _to_datetime,
    "days": lambda n: _dt.timedelta(days=n),
    "hours": lambda n: _dt.timedelta(hours=n),
    "days_between": _days_between,
    "duration": lambda text: parse_duration(text),
}

_BINARY = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY = {ast.Not: operator.not_, ast.USub: operator.neg, ast.UAdd: operator.pos}
_COMPARE = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
# Node types allowed anywhere in the tree; everything else (Lambda, comprehensions, Attribute
# on non-mappings, Starred, NamedExpr, f-strings, ...) is refused before evaluation.
_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.BinOp, ast.Compare,
    ast.Constant, ast.Name, ast.Load, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.IfExp,
    ast.Call, ast.Subscript, ast.Slice, ast.Attribute,
    *_BINARY, *_UNARY, *_COMPARE,
)

# Camunda/JUEL spellings, translated token by token outside string literals.
_JUEL_WORDS = {"true": "True", "false": "False", "null": "None"}
_TOKEN = re.compile(r"""
    (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<and>&&) | (?P<or>\|\|) | (?P<ne>!=) | (?P<not>!)
  | (?P<word>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


def _strip_wrapper(text: str) -> str:
    text = text.strip()
    if (text.startswith("${") or text.startswith("#{")) and text.endswith("}"):
        return text[2:-1].strip()
    return text


def _translate_juel(text: str) -> str:
    """Rewrite ``&&``, ``||``, ``!``, ``true/false/null`` into Python, leaving strings alone."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "and":
            out.append(" and ")
        elif kind == "or":
            out.append(" or ")
        elif kind == "not":
            out.append(" not ")
        elif kind == "word":
            out.append(_JUEL_WORDS.get(m.group(), m.group()))
        else:
            out.append(m.group())
    return "".join(out)


def _check_tree(tree: ast.AST, source: str) -> None:
    count = 0
    for node in ast.walk(tree):
        count += 1
        if count > MAX_NODES:
            raise ExpressionError(f"expression {source!r} is too complex (more than {MAX_NODES} parts)")
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(
                f"expression {source!r}: {type(node).__name__} is not allowed in a condition")
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise ExpressionError(f"expression {source!r}: name {node.id!r} is not allowed")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise ExpressionError(f"expression {source!r}: attribute {node.attr!r} is not allowed")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in SAFE_FUNCTIONS:
                raise ExpressionError(
                    f"expression {source!r}: only these functions can be called: "
                    + ", ".join(sorted(SAFE_FUNCTIONS)))
            if node.keywords:
                raise ExpressionError(f"expression {source!r}: keyword arguments are not allowed")
        if isinstance(node, ast.Constant) and not isinstance(
                node.value, (str, int, float, bool, type(None))):
            raise ExpressionError(f"expression {source!r}: literal {node.value!r} is not allowed")


@dataclass(frozen=True)
class Expression:
    """A parsed, checked expression, ready to evaluate against case data many times.

    Parameters
    ----------
    source : str
        The text as written in the model.
    tree : ast.Expression
        The checked syntax tree (only whitelisted node types).
    """

    source: str
    tree: ast.Expression = field(repr=False, compare=False)

    @property
    def names(self) -> frozenset[str]:
        """Case-data names the expression reads (excluding safe function names)."""
        called = {n.func.id for n in ast.walk(self.tree) if isinstance(n, ast.Call)}
        return frozenset(n.id for n in ast.walk(self.tree)
                         if isinstance(n, ast.Name) and n.id not in called)

    def evaluate(self, data: Mapping[str, Any]) -> Any:
        """Evaluate against ``data`` (case data: names map to plain values).

        Raises
        ------
        ExpressionError
            A name is missing from ``data``, an operation fails (``1/0``, ``'a' < 1``) or
            the evaluation exceeds its size or step bounds.
        """
        return _Evaluator(self.source, data).run(self.tree.body)


class _Evaluator:
    def __init__(self, source: str, data: Mapping[str, Any]):
        self.source = source
        self.data = data
        self.steps = 0

    def fail(self, message: str) -> ExpressionError:
        return ExpressionError(f"expression {self.source!r}: {message}")

    def run(self, node: ast.AST) -> Any:
        try:
            return self.visit(node)
        except ExpressionError:
            raise
        except RecursionError:
            raise self.fail("nested too deeply") from None
        except (ArithmeticError, TypeError, ValueError, KeyError, IndexError) as exc:
            raise self.fail(f"{type(exc).__name__}: {exc}") from None

    def visit(self, node: ast.AST) -> Any:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise self.fail(f"takes more than {MAX_STEPS} steps")
        # One visit_* method per node kind; _check_tree admitted only kinds with a method
        # (Load and the operator nodes are read by their parents, never visited).
        method = _VISITORS.get(type(node))
        if method is None:
            raise self.fail(f"{type(node).__name__} is not allowed")  # unreachable after checks
        return method(self, node)

    def visit_constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_name(self, node: ast.Name) -> Any:
        if node.id in self.data:
            return self.data[node.id]
        if node.id in SAFE_FUNCTIONS:
            raise self.fail(f"function {node.id!r} must be called")
        raise self.fail(f"name {node.id!r} is not in the case data")

    def visit_boolop(self, node: ast.BoolOp) -> Any:
        # Short-circuits as Python does and returns the deciding operand, not a bool.
        stop_when = not isinstance(node.op, ast.And)
        result = None
        for value in node.values:
            result = self.visit(value)
            if bool(result) is stop_when:
                return result
        return result

    def visit_unaryop(self, node: ast.UnaryOp) -> Any:
        return self.bounded(_UNARY[type(node.op)](self.visit(node.operand)))

    def visit_compare(self, node: ast.Compare) -> Any:
        left = self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.visit(right_node)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def visit_ifexp(self, node: ast.IfExp) -> Any:
        return self.visit(node.body) if self.visit(node.test) else self.visit(node.orelse)

    def visit_sequence(self, node: ast.List | ast.Tuple | ast.Set) -> Any:
        items = [self.visit(e) for e in node.elts]
        return _SEQUENCE_TYPES[type(node)](items)

    def visit_dict(self, node: ast.Dict) -> Any:
        if any(k is None for k in node.keys):
            raise self.fail("** in a dict literal is not allowed")
        return {self.visit(k): self.visit(v) for k, v in zip(node.keys, node.values, strict=True)}

    def visit_call(self, node: ast.Call) -> Any:
        args = [self.visit(a) for a in node.args]
        return self.bounded(SAFE_FUNCTIONS[node.func.id](*args))

    def visit_attribute(self, node: ast.Attribute) -> Any:
        # JUEL's ``applicant.age`` reads a key of a mapping; Python attributes stay shut.
        owner = self.visit(node.value)
        if isinstance(owner, Mapping):
            if node.attr not in owner:
                raise self.fail(f"{node.attr!r} is not in {ast.unparse(node.value)!r}")
            return owner[node.attr]
        raise self.fail(f"attribute access .{node.attr} is only allowed on case-data records")

    def visit_subscript(self, node: ast.Subscript) -> Any:
        owner = self.visit(node.value)
        if not isinstance(owner, (Mapping, list, tuple, str)):
            raise self.fail(f"cannot index a {type(owner).__name__}")
        if isinstance(node.slice, ast.Slice):
            parts = [None if p is None else self.visit(p)
                     for p in (node.slice.lower, node.slice.upper, node.slice.step)]
            return owner[slice(*parts)]
        return owner[self.visit(node.slice)]

    def visit_binop(self, node: ast.BinOp) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        if isinstance(node.op, ast.Pow):
            # Check before computing: 9**9**9 must be refused, not attempted.
            if isinstance(right, (int, float)) and abs(right) > 1000:
                raise self.fail("exponent too large")
            if isinstance(left, int) and isinstance(right, int) and right > 0 \
                    and abs(left).bit_length() * right > _MAX_INT_BITS:
                raise self.fail("number too large")
        if isinstance(node.op, ast.Mult):
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) \
                        and len(seq) * n > _MAX_SEQUENCE:
                    raise self.fail("result too long")
        return self.bounded(_BINARY[type(node.op)](left, right))

    def bounded(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) \
                and value.bit_length() > _MAX_INT_BITS:
            raise self.fail("number too large")
        if isinstance(value, (str, list, tuple)) and len(value) > _MAX_SEQUENCE:
            raise self.fail("result too long")
        return value


_SEQUENCE_TYPES = {ast.List: list, ast.Tuple: tuple, ast.Set: frozenset}
# Node type -> the _Evaluator method that evaluates it, built once: one dict look-up per visit.
_VISITORS = {
    ast.Constant: _Evaluator.visit_constant,
    ast.Name: _Evaluator.visit_name,
    ast.BoolOp: _Evaluator.visit_boolop,
    ast.UnaryOp: _Evaluator.visit_unaryop,
    ast.BinOp: _Evaluator.visit_binop,
    ast.Compare: _Evaluator.visit_compare,
    ast.IfExp: _Evaluator.visit_ifexp,
    ast.List: _Evaluator.visit_sequence,
    ast.Tuple: _Evaluator.visit_sequence,
    ast.Set: _Evaluator.visit_sequence,
    ast.Dict: _Evaluator.visit_dict,
    ast.Call: _Evaluator.visit_call,
    ast.Subscript: _Evaluator.visit_subscript,
    ast.Attribute: _Evaluator.visit_attribute,
}


def compile_expression(text: str) -> Expression:
    """Parse and check ``text`` once; evaluate the result with :meth:`Expression.evaluate`.

    Accepts Python-style conditions and Camunda/JUEL ones (``${...}``, ``&&``, ``||``,
    ``!``, ``true``/``false``/``null``, ``record.field``).

    Raises
    ------
    ExpressionError
        Empty, too long, not parseable, or using anything outside the safe subset.
    """
    if not isinstance(text, str):
        raise ExpressionError(f"expression must be text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression is too long ({len(text)} characters, at most {MAX_LENGTH})")
    body = _strip_wrapper(text)
    if not body:
        raise ExpressionError(f"expression {text!r} is empty")
    python = _translate_juel(body)
    try:
        tree = ast.parse(python.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        detail = getattr(exc, "msg", None) or type(exc).__name__
        raise ExpressionError(f"expression {text!r} cannot be parsed: {detail}") from None
    _check_tree(tree, text)
    return Expression(text, tree)


def evaluate(text: str, data: Mapping[str, Any]) -> Any:
    """Compile ``text`` and evaluate it against ``data`` in one go.

    Examples
    --------
    >>> evaluate("${x == 'A' || y}", {"x": "B", "y": True})
    True
    """
    return compile_expression(text).evaluate(data)


_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+(?:[.,]\d+)?)W)?(?:(?P<days>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$")


def parse_duration(text: str) -> _dt.timedelta:
    """Read an ISO-8601 duration (``PT1H``, ``P3D``, ``P1DT2H30M``, ``P2W``), quoted or not.

    Years and months are refused: their length depends on the calendar and a timer
    must be exact.

    Raises
    ------
    ExpressionError
        Not an ISO-8601 duration in weeks, days, hours, minutes and seconds.

    Examples
    --------
    >>> parse_duration("'PT1H30M'")
    datetime.timedelta(seconds=5400)
    """
    raw = _strip_wrapper(str(text)).strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        raw = raw[1:-1].strip()
    match = _DURATION.match(raw.upper())
    if not match or raw.upper() in ("P", "PT") or raw.upper().endswith("T"):
        date_part = raw.upper().split("T")[0]
        hint = " (years and months are not exact; use days)" if re.search(r"\d[YM]", date_part) else ""
        raise ExpressionError(f"timer value {text!r} is not an ISO-8601 duration such as PT1H or P3D{hint}")
    parts = {k: float(v.replace(",", ".")) for k, v in match.groupdict().items() if v}
    return _dt.timedelta(**parts)
