"""Safe expressions: gateway conditions, scripts' tests and case-data tests from BPMN files.

A BPMN file is data, not code. Its conditions (``amount > 1000``, Camunda's
``${x == 'A' && y}``) are parsed with :mod:`ast` and evaluated by walking the tree over an
explicit whitelist of node types: literals, case-data names, comparisons, ``and/or/not``,
arithmetic, ``in``, ``%``-formatting, conditional expressions, subscripts and a few safe
functions. Nothing in a file can import, call arbitrary functions or reach attributes of
Python objects; comprehensions, lambdas, f-strings and method calls (``str.join``,
``.center``, ``.format``) are refused when the text is compiled.

Cost is checked *before* the work, against the named limits of :class:`ExpressionLimits`:
the text and its tree, then, at each operation, the size of what it would produce (``*``
and ``+`` on text and lists, ``sum`` of lists, ``%``-format widths and precisions, exponents,
``round`` digits, numbers read from text). Sub-expressions without case-data names are
checked once at compile time, so ``'a' * 10**9`` is refused by ``validate``. A step counter
and a wall-clock budget checked at each step are the last guard. A refusal is an
:class:`~bpengine.errors.ExpressionLimitError` naming the limit and the expression.
``eval`` is never used.

Examples
--------
>>> evaluate("${amount > 1000 && !urgent}", {"amount": 1500, "urgent": False})
True
>>> compile_expression("len(docs) >= 2").evaluate({"docs": ["ktp", "kk"]})
True
>>> try:
...     evaluate("'%.*f' % (n, 1.0)", {"n": 1000000000})
... except ExpressionLimitError as exc:
...     print(exc.limit)
max_format_width
"""
from __future__ import annotations

import ast
import datetime as _dt
import operator
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from itertools import chain
from typing import Any

from .errors import ExpressionError, ExpressionLimitError
from .i18n import _

__all__ = [
    "Expression",
    "ExpressionLimits",
    "ExpressionLimitError",
    "DEFAULT_LIMITS",
    "compile_expression",
    "evaluate",
    "SAFE_FUNCTIONS",
    "MAX_LENGTH",
    "MAX_NODES",
    "MAX_STEPS",
]


@dataclass(frozen=True)
class ExpressionLimits:
    """What one expression may cost; every field is checked before the work it bounds.

    Attributes
    ----------
    max_length : int
        Characters of expression text.
    max_nodes : int
        Parts (AST nodes) of the parsed expression.
    max_steps : int
        Evaluation steps (node visits). Without loops or comprehensions a step count above
        ``max_nodes`` cannot happen; it is a guard, not a budget anyone should meet.
    max_int_bits : int
        Size of an integer result (256 bits: 10**77, more than any amount of rupiah).
    max_number_digits : int
        Digits of a text read as a number by ``int()`` (the size of a 256-bit number).
    max_exponent : int
        Largest ``|y|`` in ``x ** y`` and largest ``|n|`` in ``round(x, n)``.
    max_sequence : int
        Elements or characters of one text or list produced by ``*``, ``+``, ``%``, ``sum``.
    max_format_width : int
        Width or precision of one ``%``-conversion (``%0*d``, ``%.*f``, ``%1000000s``).
    max_work : int
        Elements and characters produced over the whole evaluation (bounds memory when
        many bounded results are combined).
    time_budget : float
        Seconds of wall clock per evaluation, checked at every step: the last guard.
    max_timer_days : int
        Longest timer duration, in days (100 years); a longer one overflows the calendar.
    """

    max_length: int = 2000
    max_nodes: int = 400
    max_steps: int = 10_000
    max_int_bits: int = 256
    max_number_digits: int = 80
    max_exponent: int = 1000
    max_sequence: int = 10_000
    max_format_width: int = 1000
    max_work: int = 1_000_000
    time_budget: float = 0.25
    max_timer_days: int = 36_525

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ExpressionError(_("expression limit {name} must be a positive number, "
                                        "not {value!r}").format(name=f.name, value=value))


#: The limits every expression of a model is compiled and evaluated with.
DEFAULT_LIMITS = ExpressionLimits()
# Kept for callers that read the old module constants.
MAX_LENGTH = DEFAULT_LIMITS.max_length
MAX_NODES = DEFAULT_LIMITS.max_nodes
MAX_STEPS = DEFAULT_LIMITS.max_steps


def _to_date(value: object = None, month: object = None, day: object = None) -> _dt.date:
    """``date("2025-01-06")``, ``date(2025, 1, 6)`` or the date part of a datetime."""
    if month is not None:
        return _dt.date(int(value), int(month), int(day))  # type: ignore[call-overload]  # int() refusing one is the user's error
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return _dt.date.fromisoformat(str(value)[:10])


def _to_datetime(value: object) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        return value
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day)
    return _dt.datetime.fromisoformat(str(value))


def _days_between(start: object, end: object) -> int:
    return (_to_date(end) - _to_date(start)).days


def _sum(items: Iterable[Any], start: Any = 0) -> Any:
    """``sum``; lists and texts are joined in one pass (``sum(lists, [])`` is quadratic)."""
    items = list(items)
    if isinstance(start, (list, tuple)):
        return type(start)(chain(start, *items))
    if isinstance(start, str):
        raise TypeError("sum() can't sum strings")
    return sum(items, start)


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
    "sum": _sum,
    "any": any,
    "all": all,
    "date": _to_date,
    "datetime": _to_datetime,
    "days": lambda n: _dt.timedelta(days=n),
    "hours": lambda n: _dt.timedelta(hours=n),
    "days_between": _days_between,
    "duration": lambda text: _duration(text),
}

_BINARY: dict[type[ast.AST], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.AST], Callable[[Any], Any]] = {ast.Not: operator.not_, ast.USub: operator.neg, ast.UAdd: operator.pos}
_COMPARE: dict[type[ast.AST], Callable[[Any, Any], Any]] = {
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
_SIZED = (str, list, tuple)
# One %-conversion: optional (key), flags, width, .precision, length modifier, type.
_CONVERSION = re.compile(r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?P<width>\*|\d+)?"
                         r"(?:\.(?P<precision>\*|\d*))?[hlL]?(?P<type>.?)", re.DOTALL)

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


def _short(source: str) -> str:
    """The expression as quoted in a message: whole if short, else its start."""
    return repr(source if len(source) <= 120 else source[:117] + "...")


def _limit_error(source: str, problem: str, limits: ExpressionLimits, name: str,
                 steps: int = 0) -> ExpressionLimitError:
    value = getattr(limits, name)
    return ExpressionLimitError(
        _("expression {source}: {problem} (limit {name}={value})").format(
            source=_short(source), problem=problem, name=name, value=value),
        name, value, steps)


def _refused(source: str, problem: str) -> ExpressionError:
    return ExpressionError(_("expression {source}: {problem}").format(
        source=_short(source), problem=problem))


def _check_tree(tree: ast.AST, source: str, limits: ExpressionLimits) -> None:
    count = 0
    for node in ast.walk(tree):
        count += 1
        if count > limits.max_nodes:
            raise _limit_error(source, _("too complex (more than {n} parts)").format(
                n=limits.max_nodes), limits, "max_nodes")
        if not isinstance(node, _ALLOWED):
            raise _refused(source, _("{what} is not allowed in a condition").format(
                what=type(node).__name__))
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise _refused(source, _("name {name!r} is not allowed").format(name=node.id))
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise _refused(source, _("attribute {name!r} is not allowed").format(name=node.attr))
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in SAFE_FUNCTIONS:
                raise _refused(source, _("only these functions can be called: {names}").format(
                    names=", ".join(sorted(SAFE_FUNCTIONS))))
            if node.keywords:
                raise _refused(source, _("keyword arguments are not allowed"))
        if isinstance(node, ast.Constant) and not isinstance(
                node.value, (str, int, float, bool, type(None))):
            raise _refused(source, _("literal {value!r} is not allowed").format(value=node.value))


def _reads_data(node: ast.AST) -> bool:
    """Whether ``node`` reads a case-data name (a called function's name is not data)."""
    called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    return any(isinstance(n, ast.Name) and id(n) not in called for n in ast.walk(node))


def _constant_parts(node: ast.AST) -> Iterator[ast.AST]:
    """The largest sub-expressions that read no case data (their cost is known now)."""
    if not _reads_data(node):
        yield node
        return
    for child in ast.iter_child_nodes(node):
        yield from _constant_parts(child)


def _check_constant_cost(tree: ast.Expression, source: str, limits: ExpressionLimits) -> None:
    """Evaluate the parts without names once: a limit they break is broken on every run."""
    for part in _constant_parts(tree.body):
        if isinstance(part, (ast.Constant, ast.Name, ast.Load)) or not isinstance(part, ast.expr):
            continue
        try:
            _Evaluator(source, {}, limits).run(part)
        except ExpressionLimitError:
            raise
        except ExpressionError:
            pass  # 1/0 on a branch never taken is the data's business, not the model's


@dataclass(frozen=True)
class Expression:
    """A parsed, checked expression, ready to evaluate against case data many times.

    Parameters
    ----------
    source : str
        The text as written in the model.
    tree : ast.Expression
        The checked syntax tree (only whitelisted node types).
    limits : ExpressionLimits
        The cost limits it was checked with and is evaluated under.
    """

    source: str
    tree: ast.Expression = field(repr=False, compare=False)
    limits: ExpressionLimits = field(default=DEFAULT_LIMITS, repr=False, compare=False)

    @property
    def names(self) -> frozenset[str]:
        """Case-data names the expression reads (excluding safe function names)."""
        called = {n.func.id for n in ast.walk(self.tree)
                  if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        return frozenset(n.id for n in ast.walk(self.tree)
                         if isinstance(n, ast.Name) and n.id not in called)

    def evaluate(self, data: Mapping[str, Any]) -> Any:
        """Evaluate against ``data`` (case data: names map to plain values).

        Raises
        ------
        ExpressionLimitError
            An operation would exceed one of :attr:`limits` (checked before it runs).
        ExpressionError
            A name is missing from ``data`` or an operation fails (``1/0``, ``'a' < 1``).
        """
        return _Evaluator(self.source, data, self.limits).run(self.tree.body)


class _Evaluator:
    def __init__(self, source: str, data: Mapping[str, Any], limits: ExpressionLimits):
        self.source = source
        self.data = data
        self.limits = limits
        self.steps = 0
        self.work = 0
        self.deadline = time.monotonic() + limits.time_budget

    def fail(self, message: str) -> ExpressionError:
        return _refused(self.source, message)

    def over(self, name: str, problem: str) -> ExpressionLimitError:
        return _limit_error(self.source, problem, self.limits, name, self.steps)

    def run(self, node: ast.AST) -> Any:
        try:
            return self.visit(node)
        except ExpressionError:
            raise
        except RecursionError:
            raise self.fail(_("nested too deeply")) from None
        except (ArithmeticError, TypeError, ValueError, KeyError, IndexError) as exc:
            raise self.fail(f"{type(exc).__name__}: {exc}") from None

    def visit(self, node: ast.AST) -> Any:
        self.steps += 1
        if self.steps > self.limits.max_steps:
            raise self.over("max_steps", _("takes more than {n} steps").format(
                n=self.limits.max_steps))
        if time.monotonic() > self.deadline:  # cooperative: no signal, no thread
            raise self.over("time_budget", _("takes more than {n} seconds").format(
                n=self.limits.time_budget))
        # One visit_* method per node kind; _check_tree admitted only kinds with a method
        # (Load and the operator nodes are read by their parents, never visited).
        method = _VISITORS.get(type(node))
        if method is None:  # unreachable after the checks
            raise self.fail(_("{what} is not allowed in a condition").format(
                what=type(node).__name__))
        return method(self, node)

    def visit_constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_name(self, node: ast.Name) -> Any:
        if node.id in self.data:
            return self.data[node.id]
        if node.id in SAFE_FUNCTIONS:
            raise self.fail(_("function {name!r} must be called").format(name=node.id))
        raise self.fail(_("name {name!r} is not in the case data").format(name=node.id))

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
            raise self.fail(_("** in a dict literal is not allowed"))
        return {self.visit(k): self.visit(v) for k, v in zip(node.keys, node.values, strict=True)
                if k is not None}  # (None was refused just above)

    def visit_call(self, node: ast.Call) -> Any:
        func = node.func
        if not isinstance(func, ast.Name):  # unreachable: _check_tree admits names only
            raise self.fail(_("only functions can be called"))
        args = [self.visit(a) for a in node.args]
        self.check_call(func.id, args)
        return self.bounded(SAFE_FUNCTIONS[func.id](*args))

    def visit_attribute(self, node: ast.Attribute) -> Any:
        # JUEL's ``applicant.age`` reads a key of a mapping; Python attributes stay shut.
        owner = self.visit(node.value)
        if isinstance(owner, Mapping):
            if node.attr not in owner:
                raise self.fail(_("{key!r} is not in {owner!r}").format(
                    key=node.attr, owner=ast.unparse(node.value)))
            return owner[node.attr]
        raise self.fail(_("attribute access .{name} is only allowed on case-data records"
                          ).format(name=node.attr))

    def visit_subscript(self, node: ast.Subscript) -> Any:
        owner = self.visit(node.value)
        if not isinstance(owner, (Mapping, list, tuple, str)):
            raise self.fail(_("cannot index a {what}").format(what=type(owner).__name__))
        if isinstance(node.slice, ast.Slice):
            parts = [None if p is None else self.visit(p)
                     for p in (node.slice.lower, node.slice.upper, node.slice.step)]
            return self.bounded(owner[slice(*parts)])
        return owner[self.visit(node.slice)]

    # --- the checks before the work --------------------------------------------------------
    def sequence(self, size: int) -> None:
        if size > self.limits.max_sequence:
            raise self.over("max_sequence", _("the result would hold {n} elements or "
                                              "characters").format(n=size))

    def integer(self, bits: int) -> None:
        if bits > self.limits.max_int_bits:
            raise self.over("max_int_bits", _("the number would have {n} bits").format(n=bits))

    def visit_binop(self, node: ast.BinOp) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        op = type(node.op)
        if op is ast.Pow:
            self.power(left, right)
        elif op is ast.Mult:
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, _SIZED) and isinstance(n, int):
                    self.sequence(len(seq) * n)
            if _is_int(left) and _is_int(right) and left and right:
                # the product has at least this many bits
                self.integer(left.bit_length() + right.bit_length() - 1)
        elif op is ast.Add and isinstance(left, _SIZED) and isinstance(right, _SIZED):
            self.sequence(len(left) + len(right))
        elif op is ast.Mod and isinstance(left, str):
            self.format_cost(left, right)
        return self.bounded(_BINARY[op](left, right))

    def power(self, base: Any, exponent: Any) -> None:
        """``9**9**9`` and ``10**10**10`` are refused, not attempted."""
        if isinstance(exponent, (int, float)) and abs(exponent) > self.limits.max_exponent:
            raise self.over("max_exponent", _("the exponent {n} is too large").format(
                n=_number_text(exponent)))
        if _is_int(base) and _is_int(exponent) and exponent > 0 and abs(base) > 1:
            # the power has at least (bits(base) - 1) * exponent + 1 bits
            self.integer((abs(base).bit_length() - 1) * exponent + 1)

    def format_cost(self, template: str, args: Any) -> None:
        """Widths and precisions of ``template % args``, read before formatting."""
        values = list(args) if isinstance(args, tuple) else [args]
        total = len(template)
        for m in _CONVERSION.finditer(template):
            if m.group("type") == "%":
                continue
            for part in ("width", "precision"):
                text = m.group(part)
                if text == "*":
                    size = values.pop(0) if values else 0
                    if not _is_int(size):
                        continue  # Python refuses it with a TypeError
                    size = abs(size)
                elif text:
                    size = int(text) if len(text) <= 9 else self.limits.max_format_width + 1
                else:
                    continue
                if size > self.limits.max_format_width:
                    raise self.over("max_format_width", _(
                        "the %-format asks for a {part} of {n}").format(part=part, n=size))
                total += size
            if m.group("key") is None and values:
                values.pop(0)
        self.sequence(total)

    def check_call(self, name: str, args: list[Any]) -> None:
        if name == "sum" and len(args) == 2 and isinstance(args[1], (list, tuple)):
            items = args[0] if isinstance(args[0], (list, tuple)) else ()
            self.sequence(len(args[1]) + sum(len(i) for i in items if isinstance(i, _SIZED)))
        elif name == "round" and len(args) == 2 and _is_int(args[1]) \
                and abs(args[1]) > self.limits.max_exponent:
            raise self.over("max_exponent", _("round() to {n} digits").format(n=args[1]))
        elif name == "int" and args and isinstance(args[0], str) \
                and len(args[0].strip()) > self.limits.max_number_digits:
            raise self.over("max_number_digits", _("int() of a text of {n} characters").format(
                n=len(args[0].strip())))

    def bounded(self, value: Any) -> Any:
        if _is_int(value):
            self.integer(value.bit_length())
        elif isinstance(value, _SIZED):
            self.sequence(len(value))
            self.work += len(value)
            if self.work > self.limits.max_work:
                raise self.over("max_work", _("produces more than {n} elements or characters "
                                              "in all").format(n=self.limits.max_work))
        return value


_SEQUENCE_TYPES: dict[type[ast.AST], Callable[[list[Any]], Any]] = {
    ast.List: list, ast.Tuple: tuple, ast.Set: frozenset}
# Node type -> the _Evaluator method that evaluates it, built once: one dict look-up per visit.
_VISITORS: dict[type[ast.AST], Callable[[_Evaluator, Any], Any]] = {
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


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number_text(value: Any) -> str:
    """A number as a message shows it: a huge one by its size, not its 4,000 digits."""
    if _is_int(value) and value.bit_length() > 64:
        return _("of {n} bits").format(n=value.bit_length())
    return str(value)


def compile_expression(text: str, limits: ExpressionLimits | None = None) -> Expression:
    """Parse and check ``text`` once; evaluate the result with :meth:`Expression.evaluate`.

    Accepts Python-style conditions and Camunda/JUEL ones (``${...}``, ``&&``, ``||``,
    ``!``, ``true``/``false``/``null``, ``record.field``). Parts that read no case data
    are evaluated once here, so a limit they break is reported now, not on every case.

    Raises
    ------
    ExpressionLimitError
        Too long, too complex, or a part without case data exceeds a limit.
    ExpressionError
        Empty, not parseable, or using anything outside the safe subset.
    """
    limits = limits or DEFAULT_LIMITS
    if not isinstance(text, str):
        raise ExpressionError(_("expression must be text, not {what}").format(
            what=type(text).__name__))
    if len(text) > limits.max_length:
        raise _limit_error(text, _("too long ({n} characters)").format(n=len(text)), limits,
                           "max_length")
    body = _strip_wrapper(text)
    if not body:
        raise _refused(text, _("empty"))
    python = _translate_juel(body)
    try:
        tree = ast.parse(python.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        detail = getattr(exc, "msg", None) or type(exc).__name__
        raise _refused(text, _("cannot be parsed: {detail}").format(detail=detail)) from None
    _check_tree(tree, text, limits)
    _check_constant_cost(tree, text, limits)
    return Expression(text, tree, limits)


def evaluate(text: str, data: Mapping[str, Any], limits: ExpressionLimits | None = None) -> Any:
    """Compile ``text`` and evaluate it against ``data`` in one go.

    Examples
    --------
    >>> evaluate("${x == 'A' || y}", {"x": "B", "y": True})
    True
    """
    return compile_expression(text, limits).evaluate(data)



def _duration(text: str) -> _dt.timedelta:
    from .timers import parse_duration  # the timer-value home, which imports this module

    return parse_duration(text)


def __getattr__(name: str) -> Any:
    """``parse_duration`` lives in :mod:`bpengine.timers`; older callers import it here."""
    if name == "parse_duration":
        from .timers import parse_duration

        return parse_duration
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
