"""The suggestion vocabulary: every redesign a finding can suggest, declared once.

A :class:`Suggestion` names a redesign and states the two facts the analyzer needs about it
without knowing how it is done: which steps it takes out of the procedure (the guard never
lets that be a mandatory step; ``redesign --keep`` refuses it) and which steps' time it
takes out or moves (savings, overlap between findings). :data:`SUGGESTIONS` maps each name
to its declaration. How a suggestion is carried out is the redesigner's business:
:data:`bpengine.redesign.transformations.TRANSFORMATIONS` holds one transformation per
suggestion, keyed by the same name (a test checks the two agree), and
:func:`bpengine.redesign.transformations.register` declares a new pair in one call.

Analysis never imports the redesigner: this module is where the facts both sides read live.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..i18n import N_

__all__ = [
    "Suggestion",
    "SUGGESTIONS",
    "declare",
    "removed_steps",
    "removes_steps",
    "targets_else_last",
    "targets_else_first",
    "targets_else_rest",
    "every_element",
]


def targets_else_last(finding) -> tuple[str, ...]:
    """The finding's targets, else its last element (the step the rule judged)."""
    return tuple(finding.targets or finding.elements[-1:])


def targets_else_first(finding) -> tuple[str, ...]:
    """The finding's targets, else its first element."""
    return tuple(finding.targets or finding.elements[:1])


def targets_else_rest(finding) -> tuple[str, ...]:
    """The finding's targets, else every element but the first (which stays, doing the work)."""
    return tuple(finding.targets or finding.elements[1:])


def every_element(finding) -> tuple[str, ...]:
    """Every element of the finding."""
    return tuple(finding.elements)


@dataclass(frozen=True)
class Suggestion:
    """One redesign a finding can suggest.

    Attributes
    ----------
    name : str
        The word a finding's ``suggestion`` holds (``eliminate``, ``fast-lane``, ...).
    summary : str
        What it does to the procedure, in one line.
    removes : callable or None
        ``removes(finding)``: the steps it takes out of the procedure; ``None`` when it
        removes none (it moves, merges into a notice, automates...).
    acts_on : callable
        ``acts_on(finding)``: the steps whose time it takes out or moves.
    """

    name: str
    summary: str
    removes: Callable | None = None
    acts_on: Callable = every_element

    def removed(self, finding) -> tuple[str, ...]:
        """The steps of ``finding`` this suggestion takes out of the procedure."""
        return self.removes(finding) if self.removes is not None else ()


#: Every suggestion a finding may carry, by name, in declaration order.
SUGGESTIONS: dict[str, Suggestion] = {}


def declare(suggestion: Suggestion) -> Suggestion:
    """Add ``suggestion`` to the vocabulary (the same declaration twice is one).

    Raises
    ------
    ValueError
        When another suggestion of that name is declared already (a programming error).
    """
    known = SUGGESTIONS.get(suggestion.name)
    if known is not None and known != suggestion:
        raise ValueError(f"suggestion {suggestion.name!r} is declared already, differently")
    SUGGESTIONS[suggestion.name] = suggestion
    return suggestion


def removes_steps(name: str) -> bool:
    """Whether the suggestion ``name`` takes steps out of the procedure.

    Examples
    --------
    >>> removes_steps("eliminate"), removes_steps("parallelise")
    (True, False)
    """
    return SUGGESTIONS[name].removes is not None


def removed_steps(finding) -> tuple[str, ...]:
    """The steps ``finding``'s suggestion would take out of the procedure (often none)."""
    return SUGGESTIONS[finding.suggestion].removed(finding)


# The built-in vocabulary (names marked for the catalogue: tables print them translated).
for _suggestion in (
    Suggestion(
        N_("eliminate"),
        "remove each target (else the last step); its neighbours join",
        removes=targets_else_last,
        acts_on=targets_else_last,
    ),
    Suggestion(
        N_("compose"),
        "merge the steps into one (the last absorbs the targets when they are apart)",
        removes=every_element,
        acts_on=targets_else_rest,
    ),
    Suggestion(N_("parallelise"), "run the steps side by side instead of one after another"),
    Suggestion(N_("resequence"), "move the check (the target) before the first step"),
    Suggestion(N_("reassign"), "move the targets into the first step's lane"),
    Suggestion(N_("relocate-check"), "move the check up front, where it can stop a case early"),
    Suggestion(
        N_("notify"),
        "replace each target by a notice to its office: told, not asked",
        removes=targets_else_last,
        acts_on=targets_else_last,
    ),
    Suggestion(N_("integrate"), "turn the paper hand-overs between the steps into data exchange"),
    Suggestion(
        N_("automate"),
        "let a system do the target (a person checks money or rights)",
        acts_on=targets_else_first,
    ),
    Suggestion(N_("move-staff"), "lend staff from the target's lane to the busy lane"),
    Suggestion(N_("fast-lane"), "send simple cases past the review", acts_on=targets_else_first),
    Suggestion(N_("one-stop"), "let the applicant come to the counter once"),
):
    declare(_suggestion)
del _suggestion
