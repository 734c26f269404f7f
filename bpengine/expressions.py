"""Safe expressions: gateway conditions, scripts' tests and case-data tests from BPMN files.

A BPMN file is data, not code. Its conditions (``amount > 1000``, Camunda's
``${x == 'A' && y}``) are parsed with :mod:`ast` and evaluated by walking the tree over an
explicit whitelist of node types: literals, case-data names, comparisons, ``and/or/not``,
arithmetic, ``in``, ``%``-formatting, conditional expressions, subscripts and a few safe
functions. Nothing in a file can import, call arbitrary functions or reach attributes of
Python objects; comprehensions, lambdas, f-strings and method calls (``str.join``,
``.center``, ``.format``) are refused when the text is compiled.

Cost is checked *before* the work, against the named limits of :class:`ExpressionLimits`
(:mod:`bpengine.expression_limits`, with the checks; the callable functions are in
:mod:`bpengine.expression_functions`):
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
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ExpressionError, ExpressionLimitError
from .expression_functions import SAFE_FUNCTIONS
from .expression_limits import (
    DEFAULT_LIMITS,
    MAX_LENGTH,
    MAX_NODES,
    MAX_STEPS,
    SIZED,
    CostChecks,
    ExpressionLimits,
    is_int,
    limit_error,
)
from .expression_syntax import (
    BINARY,
    COMPARE,
    UNARY,
    check_tree,
    refused,
    strip_wrapper,
    translate_juel,
)
from .i18n import _

__all__ = [
    "Expression",
    "ExpressionError",
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
        called = {
            n.func.id
            for n in ast.walk(self.tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        return frozenset(
            n.id for n in ast.walk(self.tree) if isinstance(n, ast.Name) and n.id not in called
        )

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


class _Evaluator(CostChecks):
    def __init__(self, source: str, data: Mapping[str, Any], limits: ExpressionLimits):
        self.source = source
        self.data = data
        self.limits = limits
        self.steps = 0
        self.work = 0
        self.deadline = time.monotonic() + limits.time_budget

    def fail(self, message: str) -> ExpressionError:
        return refused(self.source, message)

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
            raise self.over(
                "max_steps", _("takes more than {n} steps").format(n=self.limits.max_steps)
            )
        if time.monotonic() > self.deadline:  # cooperative: no signal, no thread
            raise self.over(
                "time_budget", _("takes more than {n} seconds").format(n=self.limits.time_budget)
            )
        # One visit_* method per node kind; check_tree admitted only kinds with a method
        # (Load and the operator nodes are read by their parents, never visited).
        method = _VISITORS.get(type(node))
        if method is None:  # unreachable after the checks
            raise self.fail(
                _("{what} is not allowed in a condition").format(what=type(node).__name__)
            )
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
        return self.bounded(UNARY[type(node.op)](self.visit(node.operand)))

    def visit_compare(self, node: ast.Compare) -> Any:
        left = self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.visit(right_node)
            if not COMPARE[type(op)](left, right):
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
        return {
            self.visit(k): self.visit(v)
            for k, v in zip(node.keys, node.values, strict=True)
            if k is not None
        }  # (None was refused just above)

    def visit_call(self, node: ast.Call) -> Any:
        func = node.func
        if not isinstance(func, ast.Name):  # unreachable: check_tree admits names only
            raise self.fail(_("only functions can be called"))
        args = [self.visit(a) for a in node.args]
        self.check_call(func.id, args)
        return self.bounded(SAFE_FUNCTIONS[func.id](*args))

    def visit_attribute(self, node: ast.Attribute) -> Any:
        # JUEL's ``applicant.age`` reads a key of a mapping; Python attributes stay shut.
        owner = self.visit(node.value)
        if isinstance(owner, Mapping):
            if node.attr not in owner:
                raise self.fail(
                    _("{key!r} is not in {owner!r}").format(
                        key=node.attr, owner=ast.unparse(node.value)
                    )
                )
            return owner[node.attr]
        raise self.fail(
            _("attribute access .{name} is only allowed on case-data records").format(
                name=node.attr
            )
        )

    def visit_subscript(self, node: ast.Subscript) -> Any:
        owner = self.visit(node.value)
        if not isinstance(owner, (Mapping, list, tuple, str)):
            raise self.fail(_("cannot index a {what}").format(what=type(owner).__name__))
        if isinstance(node.slice, ast.Slice):
            parts = [
                None if p is None else self.visit(p)
                for p in (node.slice.lower, node.slice.upper, node.slice.step)
            ]
            return self.bounded(owner[slice(*parts)])
        return owner[self.visit(node.slice)]

    def visit_binop(self, node: ast.BinOp) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        op = type(node.op)
        if op is ast.Pow:
            self.power(left, right)
        elif op is ast.Mult:
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, SIZED) and isinstance(n, int):
                    self.sequence(len(seq) * n)
            if is_int(left) and is_int(right) and left and right:
                # the product has at least this many bits
                self.integer(left.bit_length() + right.bit_length() - 1)
        elif op is ast.Add and isinstance(left, SIZED) and isinstance(right, SIZED):
            self.sequence(len(left) + len(right))
        elif op is ast.Mod and isinstance(left, str):
            self.format_cost(left, right)
        return self.bounded(BINARY[op](left, right))


_SEQUENCE_TYPES: dict[type[ast.AST], Callable[[list[Any]], Any]] = {
    ast.List: list,
    ast.Tuple: tuple,
    ast.Set: frozenset,
}
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
        raise ExpressionError(
            _("expression must be text, not {what}").format(what=type(text).__name__)
        )
    if len(text) > limits.max_length:
        raise limit_error(
            text, _("too long ({n} characters)").format(n=len(text)), limits, "max_length"
        )
    body = strip_wrapper(text)
    if not body:
        raise refused(text, _("empty"))
    python = translate_juel(body)
    try:
        tree = ast.parse(python.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        detail = getattr(exc, "msg", None) or type(exc).__name__
        raise refused(text, _("cannot be parsed: {detail}").format(detail=detail)) from None
    check_tree(tree, text, limits)
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


def __getattr__(name: str) -> Any:
    """``parse_duration`` lives in :mod:`bpengine.timers`; older callers import it here."""
    if name == "parse_duration":
        from .timers import parse_duration

        return parse_duration
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
