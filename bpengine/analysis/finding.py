"""What the analyzer reports: a :class:`Finding` with its estimated :class:`Saving`.

Findings are plain frozen dataclasses so the redesign step, the report and any embedding
app can read them without importing the rules. The ``id`` is derived from the rule and the
element ids only, so the same finding on the same model always has the same id and
``bpengine redesign --apply FINDING-ID`` can name it across runs.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from ..i18n import N_
from .suggestions import SUGGESTIONS

__all__ = [
    "SUGGESTIONS",
    "SEVERITIES",
    "Saving",
    "Finding",
    "Rule",
    "rule",
    "finding_id",
    "make_finding",
]

# Severity words, for the catalogue (tables print them translated; the suggestion words are
# marked where they are declared, in .suggestions).
_WORDS = (N_("error"), N_("warning"), N_("note"))
#: Severity levels, mapped one-to-one on SARIF levels.
SEVERITIES = ("error", "warning", "note")


@dataclass(frozen=True)
class Saving:
    """An analytic estimate of what the suggested redesign saves per case.

    Attributes
    ----------
    working_days : float
        Lead time saved per case, in working days of the scenario's calendar.
    staff_hours : float
        Working time of staff saved per case, in hours.
    basis : str
        Where the numbers come from: ``"scenario"`` or the defaults used.
    label : str
        Always ``"estimate"``: these are analytic figures, not simulation results.
    """

    working_days: float = 0.0
    staff_hours: float = 0.0
    basis: str = "defaults"
    label: str = "estimate"

    def __str__(self) -> str:
        from ..i18n import _, format_number

        return _("~{days} working days, ~{hours} staff hours per case ({label}, {basis})").format(
            days=format_number(self.working_days, 2),
            hours=format_number(self.staff_hours, 2),
            label=_(self.label),
            basis=_(self.basis),
        )


@dataclass(frozen=True)
class Finding:
    """One thing the analyzer would change in a procedure, and why.

    Attributes
    ----------
    id : str
        Stable identifier ``<rule>-<8 hex digits>`` from the rule and element ids.
    rule : str
        Rule id (``signoff-chain``, ``rubber-stamp``, ...).
    severity : {"error", "warning", "note"}
    elements, names, lanes : tuple of str
        The element ids involved (in process order), their names, and their lanes.
    explanation : str
        One paragraph in plain words, fit to paste into a memo.
    suggestion : str
        A name in :data:`~bpengine.analysis.suggestions.SUGGESTIONS`.
    targets : tuple of str
        The elements the suggestion acts on (each suggestion's declaration says how:
        removed by ``eliminate``, turned into a notice by ``notify``, moved by
        ``resequence``...).
    saving : Saving
        Estimated saving per case if the suggestion is applied.
    guard : str or None
        Why a legally mandatory or maker/checker step is only parallelised, not removed.
    data : tuple of str
        Documents or data the finding is about, if any.
    data_source : str or None
        ``"data associations"`` or ``"task names"``: where ``data`` was read from.
    """

    id: str
    rule: str
    severity: str
    elements: tuple[str, ...]
    names: tuple[str, ...]
    lanes: tuple[str, ...]
    explanation: str
    suggestion: str
    targets: tuple[str, ...] = ()
    saving: Saving = field(default_factory=Saving)
    guard: str | None = None
    data: tuple[str, ...] = ()
    data_source: str | None = None

    def to_dict(self) -> dict:
        """A JSON-ready dict (the saving nested as a dict)."""
        out = asdict(self)
        for key in ("elements", "names", "lanes", "targets", "data"):
            out[key] = list(out[key])
        return out

    def summary(self) -> str:
        """One line: id, rule and the element names."""
        return f"{self.id} [{self.rule}] {', '.join(self.names)}"


class Rule:
    """An analysis rule: the id its findings carry, declared once, and the check finding them.

    Made by :func:`rule` over a check ``check_x(model, scenario) -> list[Finding]``; called
    like the check (it *is* the check, with its name and docstring), and the check names
    its findings' rule as ``check_x.id``. :data:`~bpengine.analysis.rules.RULES` lists the
    rules, and every rule id is read from there.
    """

    def __init__(self, rule_id: str, check: Callable[..., list]):
        self.id = rule_id
        self.check = check
        functools.update_wrapper(self, check)  # name, docstring (and doctests) of the check

    def __call__(self, model, scenario=None) -> list:
        return self.check(model, scenario)

    def __repr__(self) -> str:
        return f"Rule({self.id!r}, {self.check.__name__})"


def rule(rule_id: str) -> Callable[[Callable[..., list]], Rule]:
    """Declare the check below as the rule ``rule_id``.

    Examples
    --------
    >>> @rule("nothing-found")
    ... def check_nothing(model, scenario=None):
    ...     '''Finds nothing.'''
    ...     return []
    >>> check_nothing.id, check_nothing(None), check_nothing.__doc__
    ('nothing-found', [], 'Finds nothing.')
    """
    return functools.partial(Rule, rule_id)


def finding_id(rule: str, elements) -> str:
    """The stable id of a finding of ``rule`` over ``elements``.

    Examples
    --------
    >>> finding_id("rubber-stamp", ["Task_a"]) == finding_id("rubber-stamp", ("Task_a",))
    True
    >>> finding_id("rubber-stamp", ["Task_a"]).startswith("rubber-stamp-")
    True
    """
    digest = hashlib.sha1((rule + ":" + ",".join(elements)).encode()).hexdigest()[:8]
    return f"{rule}-{digest}"


def make_finding(
    model,
    rule: str,
    elements,
    explanation: str,
    suggestion: str,
    *,
    severity: str = "warning",
    targets=(),
    saving: Saving | None = None,
    guard: str | None = None,
    data=(),
    data_source: str | None = None,
) -> Finding:
    """Build a :class:`Finding`, filling names and lanes from ``model``.

    Lanes are listed once each, in the order the elements visit them.
    """
    elements = tuple(dict.fromkeys(elements))
    els = [model.elements[e] for e in elements]
    lanes = tuple(dict.fromkeys(e.lane for e in els if e.lane))
    if suggestion not in SUGGESTIONS:
        raise ValueError(f"unknown suggestion {suggestion!r}")  # a bug in a rule, not user input
    return Finding(
        id=finding_id(rule, elements),
        rule=rule,
        severity=severity,
        elements=elements,
        names=tuple(e.label for e in els),
        lanes=lanes,
        explanation=explanation,
        suggestion=suggestion,
        targets=tuple(targets),
        saving=saving or Saving(),
        guard=guard,
        data=tuple(data),
        data_source=data_source,
    )
