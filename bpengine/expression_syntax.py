"""What an expression may say: its operators, node types and callable names, and the
Camunda/JUEL spellings translated into Python before parsing.

A condition is parsed with :mod:`ast`; :func:`check_tree` admits only the node types of
:data:`ALLOWED` (literals, case-data names, comparisons, ``and/or/not``, arithmetic,
subscripts, calls of :data:`~bpengine.expression_functions.SAFE_FUNCTIONS`) and refuses
everything else (comprehensions, lambdas, f-strings, method calls, private names) before any
evaluation. :mod:`bpengine.expressions` compiles and evaluates with these.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from typing import Any

from .errors import ExpressionError
from .expression_functions import SAFE_FUNCTIONS
from .expression_limits import ExpressionLimits, limit_error, quoted
from .i18n import _

__all__ = [
    "ALLOWED",
    "BINARY",
    "COMPARE",
    "contains",
    "equal",
    "UNARY",
    "check_tree",
    "refused",
    "strip_wrapper",
    "translate_juel",
]

BINARY: dict[type[ast.AST], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
UNARY: dict[type[ast.AST], Callable[[Any], Any]] = {
    ast.Not: operator.not_,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_CONTAINERS = (list, tuple, dict, set, frozenset)


_CONTAINERS = (list, tuple, dict, set, frozenset)
_Seen = dict[tuple[int, int], bool]


def equal(left: Any, right: Any) -> bool:
    """``==`` as FEEL and Camunda mean it: a boolean equals only a boolean, in lists and
    records too. Python's ``True == 1`` would send ``approved == 1`` down the branch meant
    for the number 1 when a yes/no field is ticked.

    >>> equal(True, 1), equal(1, 1.0), equal([True], [True]), equal({"ok": 1}, {"ok": True})
    (False, True, True, False)
    """
    # strict equality only narrows Python's: its answer (in C) settles most pairs
    return bool(left == right) and _strictly(left, right, {})


def _strictly(left: Any, right: Any, seen: _Seen) -> bool:
    """Whether two values Python calls equal are equal without counting booleans as numbers.

    ``seen`` remembers each pair of containers compared, so a list repeated by ``*`` (ten
    thousand references to one list) is walked once, not ten thousand times.
    """
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool)
    if not isinstance(left, _CONTAINERS) or left is right:
        return True
    pair = (id(left), id(right))
    if pair not in seen:
        seen[pair] = _members_equal(left, right, seen)
    return seen[pair]


def _members_equal(left: Any, right: Any, seen: _Seen) -> bool:
    """Two containers Python calls equal (same type, length and keys; each pair of members
    the same object or equal): strictly so?"""
    if isinstance(left, dict):
        return all(_strictly(value, right[key], seen) for key, value in left.items())
    if isinstance(left, (set, frozenset)):  # hashing made True and 1 one member
        return {m for m in left if isinstance(m, bool)} == {m for m in right if isinstance(m, bool)}
    return all(_strictly(a, b, seen) for a, b in zip(left, right, strict=True))


def contains(container: Any, item: Any) -> bool:
    """``in`` with :func:`equal`: ``1 in [True]`` is false (text still finds text in text)."""
    if item not in container:  # Python's answer first: only a yes needs checking
        return False
    if isinstance(container, str):
        return True
    seen: _Seen = {}
    for member in container:
        pair = (id(item), id(member))
        if pair not in seen:  # a member repeated by ``*`` is compared once
            seen[pair] = (member is item or bool(member == item)) and _strictly(item, member, seen)
        if seen[pair]:
            return True
    return False


def _ordered(compare: Callable[[Any, Any], Any], sign: str) -> Callable[[Any, Any], Any]:
    """``<`` and the like, refusing a boolean against a number (FEEL has no order there)."""

    def ordered(left: Any, right: Any) -> Any:
        if (isinstance(left, bool) and _number(right)) or (
            isinstance(right, bool) and _number(left)
        ):
            raise TypeError(
                _("a boolean is not a number: {left!r} {sign} {right!r}").format(
                    left=left, sign=sign, right=right
                )
            )
        return compare(left, right)

    return ordered


# Comparisons keep booleans and numbers apart (:func:`equal`); the rest is Python's.
COMPARE: dict[type[ast.AST], Callable[[Any, Any], Any]] = {
    ast.Eq: equal,
    ast.NotEq: lambda a, b: not equal(a, b),
    ast.Lt: _ordered(operator.lt, "<"),
    ast.LtE: _ordered(operator.le, "<="),
    ast.Gt: _ordered(operator.gt, ">"),
    ast.GtE: _ordered(operator.ge, ">="),
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: lambda a, b: contains(b, a),
    ast.NotIn: lambda a, b: not contains(b, a),
}
# Node types allowed anywhere in the tree; everything else (Lambda, comprehensions, Attribute
# on non-mappings, Starred, NamedExpr, f-strings, ...) is refused before evaluation.
ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.BinOp,
    ast.Compare,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.Dict,
    ast.IfExp,
    ast.Call,
    ast.Subscript,
    ast.Slice,
    ast.Attribute,
    *BINARY,
    *UNARY,
    *COMPARE,
)

# Camunda/JUEL spellings, translated token by token outside string literals.
_JUEL_WORDS = {"true": "True", "false": "False", "null": "None"}
_TOKEN = re.compile(
    r"""
    (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<and>&&) | (?P<or>\|\|) | (?P<ne>!=) | (?P<not>!)
  | (?P<word>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<other>.)
""",
    re.VERBOSE | re.DOTALL,
)


def strip_wrapper(text: str) -> str:
    text = text.strip()
    if (text.startswith("${") or text.startswith("#{")) and text.endswith("}"):
        return text[2:-1].strip()
    return text


def translate_juel(text: str) -> str:
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


def refused(source: str, problem: str) -> ExpressionError:
    return ExpressionError(
        _("expression {source}: {problem}").format(source=quoted(source), problem=problem)
    )


def check_tree(tree: ast.AST, source: str, limits: ExpressionLimits) -> None:
    count = 0
    for node in ast.walk(tree):
        count += 1
        if count > limits.max_nodes:
            raise limit_error(
                source,
                _("too complex (more than {n} parts)").format(n=limits.max_nodes),
                limits,
                "max_nodes",
            )
        if not isinstance(node, ALLOWED):
            raise refused(
                source, _("{what} is not allowed in a condition").format(what=type(node).__name__)
            )
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise refused(source, _("name {name!r} is not allowed").format(name=node.id))
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise refused(source, _("attribute {name!r} is not allowed").format(name=node.attr))
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in SAFE_FUNCTIONS:
                raise refused(
                    source,
                    _("only these functions can be called: {names}").format(
                        names=", ".join(sorted(SAFE_FUNCTIONS))
                    ),
                )
            if node.keywords:
                raise refused(source, _("keyword arguments are not allowed"))
        if isinstance(node, ast.Constant) and not isinstance(
            node.value, (str, int, float, bool, type(None))
        ):
            raise refused(source, _("literal {value!r} is not allowed").format(value=node.value))
