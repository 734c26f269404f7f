"""What one expression may cost: the named limits and the checks made before each operation.

An expression from a BPMN file runs on data from outside, so each operation's cost is read
from its operands first: the size of what ``*``, ``+``, ``%`` and ``sum`` would produce,
``%``-format widths and precisions, exponents, ``round`` digits, numbers read from text, and
the total produced over one evaluation. :class:`ExpressionLimits` names each bound;
:class:`CostChecks` holds the checks the evaluator of :mod:`bpengine.expressions` runs before
the work; a refusal is an :class:`~bpengine.errors.ExpressionLimitError` naming the limit.
The public names are importable from :mod:`bpengine.expressions` as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from .errors import ExpressionError, ExpressionLimitError
from .i18n import _

__all__ = [
    "CostChecks",
    "DEFAULT_LIMITS",
    "ExpressionLimits",
    "MAX_LENGTH",
    "MAX_NODES",
    "MAX_STEPS",
    "SIZED",
    "is_int",
    "limit_error",
    "number_text",
    "quoted",
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
                raise ExpressionError(
                    _("expression limit {name} must be a positive number, not {value!r}").format(
                        name=f.name, value=value
                    )
                )


#: The limits every expression of a model is compiled and evaluated with.
DEFAULT_LIMITS = ExpressionLimits()
# Kept for callers that read the old module constants.
MAX_LENGTH = DEFAULT_LIMITS.max_length
MAX_NODES = DEFAULT_LIMITS.max_nodes
MAX_STEPS = DEFAULT_LIMITS.max_steps

SIZED = (str, list, tuple)
# One %-conversion: optional (key), flags, width, .precision, length modifier, type.
_CONVERSION = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?P<width>\*|\d+)?"
    r"(?:\.(?P<precision>\*|\d*))?[hlL]?(?P<type>.?)",
    re.DOTALL,
)


def quoted(source: str) -> str:
    """The expression as quoted in a message: whole if short, else its start."""
    return repr(source if len(source) <= 120 else source[:117] + "...")


def limit_error(
    source: str, problem: str, limits: ExpressionLimits, name: str, steps: int = 0
) -> ExpressionLimitError:
    value = getattr(limits, name)
    return ExpressionLimitError(
        _("expression {source}: {problem} (limit {name}={value})").format(
            source=quoted(source), problem=problem, name=name, value=value
        ),
        name,
        value,
        steps,
    )


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def number_text(value: Any) -> str:
    """A number as a message shows it: a huge one by its size, not its 4,000 digits."""
    if is_int(value) and value.bit_length() > 64:
        return _("of {n} bits").format(n=value.bit_length())
    return str(value)


class CostChecks:
    """The checks before the work, mixed into the evaluator.

    The evaluator sets ``source`` (the expression text), ``limits``, ``steps`` (visits so
    far) and ``work`` (elements and characters produced so far).
    """

    source: str
    limits: ExpressionLimits
    steps: int
    work: int

    def over(self, name: str, problem: str) -> ExpressionLimitError:
        return limit_error(self.source, problem, self.limits, name, self.steps)

    def sequence(self, size: int) -> None:
        if size > self.limits.max_sequence:
            raise self.over(
                "max_sequence", _("the result would hold {n} elements or characters").format(n=size)
            )

    def integer(self, bits: int) -> None:
        if bits > self.limits.max_int_bits:
            raise self.over("max_int_bits", _("the number would have {n} bits").format(n=bits))

    def power(self, base: Any, exponent: Any) -> None:
        """``9**9**9`` and ``10**10**10`` are refused, not attempted."""
        if isinstance(exponent, (int, float)) and abs(exponent) > self.limits.max_exponent:
            raise self.over(
                "max_exponent", _("the exponent {n} is too large").format(n=number_text(exponent))
            )
        if is_int(base) and is_int(exponent) and exponent > 0 and abs(base) > 1:
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
                    if not is_int(size):
                        continue  # Python refuses it with a TypeError
                    size = abs(size)
                elif text:
                    size = int(text) if len(text) <= 9 else self.limits.max_format_width + 1
                else:
                    continue
                if size > self.limits.max_format_width:
                    raise self.over(
                        "max_format_width",
                        _("the %-format asks for a {part} of {n}").format(part=part, n=size),
                    )
                total += size
            if m.group("key") is None and values:
                values.pop(0)
        self.sequence(total)

    def check_call(self, name: str, args: list[Any]) -> None:
        if name == "sum" and len(args) == 2 and isinstance(args[1], (list, tuple)):
            items = args[0] if isinstance(args[0], (list, tuple)) else ()
            self.sequence(len(args[1]) + sum(len(i) for i in items if isinstance(i, SIZED)))
        elif (
            name == "round"
            and len(args) == 2
            and is_int(args[1])
            and abs(args[1]) > self.limits.max_exponent
        ):
            raise self.over("max_exponent", _("round() to {n} digits").format(n=args[1]))
        elif (
            name == "int"
            and args
            and isinstance(args[0], str)
            and len(args[0].strip()) > self.limits.max_number_digits
        ):
            raise self.over(
                "max_number_digits",
                _("int() of a text of {n} characters").format(n=len(args[0].strip())),
            )

    def bounded(self, value: Any) -> Any:
        if is_int(value):
            self.integer(value.bit_length())
        elif isinstance(value, SIZED):
            self.sequence(len(value))
            self.work += len(value)
            if self.work > self.limits.max_work:
                raise self.over(
                    "max_work",
                    _("produces more than {n} elements or characters in all").format(
                        n=self.limits.max_work
                    ),
                )
        return value
