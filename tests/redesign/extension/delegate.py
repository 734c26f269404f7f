"""``delegate-next``: a sign-off that only acknowledges goes; the next office reads instead.

A transformation declared outside bpengine in one module, as CONTRIBUTING.md shows: the
function, its suggestion (what it removes) and what it does to the scenario, registered
once on import. Nothing else in bpengine names it, yet findings may suggest it, the guard
keeps mandatory steps from it, ``redesign`` applies it and ``transform_scenario`` carries
the scenario across it.
"""

from __future__ import annotations

import dataclasses

from bpengine.analysis.suggestions import Suggestion, targets_else_last
from bpengine.errors import ModelError
from bpengine.redesign import eliminate
from bpengine.redesign.changes import Applied, duration_moments
from bpengine.redesign.transformations import Transformation, register

__all__ = ["DELEGATE", "READING_MINUTES"]

#: what the next office spends reading what the signer used to read
READING_MINUTES = 10.0


def delegate_next(model, finding) -> Applied:
    """Remove the step (the target, else the last element); the next step reads for it."""
    (step,) = targets_else_last(finding)
    after = [n for n in model.graph.successors(step) if model.elements[n].is_activity]
    if len(after) != 1:
        raise ModelError(
            f"finding {finding.id}: {step} is not followed by one step", file=model.file
        )
    new, made = eliminate(model, step, finding=finding.id)
    # one change of this kind, naming the step and who reads for it
    return Applied(
        new,
        tuple(
            dataclasses.replace(c, kind="delegate-next", elements=(step, after[0])) for c in made
        ),
    )


def longer_reading(scenario: dict, change) -> None:
    """The next step takes :data:`READING_MINUTES` longer."""
    _step, reader = change.elements
    tasks = scenario.setdefault("tasks", {})
    mean = duration_moments(tasks[reader])[0] if reader in tasks else 30.0
    tasks[reader] = f"{mean + READING_MINUTES:g} min"


DELEGATE = register(
    Transformation(
        Suggestion(
            "delegate-next",
            "remove an acknowledging sign-off; the next office reads",
            removes=targets_else_last,
            acts_on=targets_else_last,
        ),
        delegate_next,
        scenario=longer_reading,
    )
)
