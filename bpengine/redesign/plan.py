"""`apply_findings`: apply the analyzer's findings to a model, one transformation each.

Each finding's ``suggestion`` names a transformation
(:data:`~bpengine.redesign.transformations.TRANSFORMATIONS`); :func:`apply_finding` looks it
up and applies it to the finding's elements and targets. :func:`apply_findings` applies
findings in order, skipping (and saying why) those that no longer apply — their elements
were removed by an earlier change, a step is kept by the caller or marked mandatory, or the
transformation refuses — and returns one :class:`Redesign` holding all three.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

from ..analysis.suggestions import removed_steps
from ..errors import ModelError
from ..i18n import _
from ..model import ProcessModel
from .changes import Applied, Change
from .transformations import TRANSFORMATIONS, transformation_for

__all__ = ["apply_findings", "Redesign", "redesign", "apply_finding", "Skipped"]


@dataclasses.dataclass(frozen=True)
class Skipped:
    """A finding :func:`apply_findings` did not apply, and why."""

    finding: str
    reason: str


@dataclasses.dataclass(frozen=True)
class Redesign:
    """What :func:`apply_findings` made of a model.

    Attributes
    ----------
    model : ProcessModel
        The redesigned model (the input itself when nothing applied).
    changes : tuple of Change
        What was changed, in order: feed each to
        :func:`~bpengine.redesign.transform_scenario` to carry a scenario across.
    skipped : tuple of Skipped
        Every finding not applied, with the reason.
    """

    model: ProcessModel
    changes: tuple[Change, ...]
    skipped: tuple[Skipped, ...]

    def __iter__(self) -> Iterator[object]:
        """``new_model, changes = ...`` as the old tuple of ``redesign()`` (deprecated)."""
        warnings.warn(
            "unpacking a Redesign is deprecated: use .model and .changes",
            DeprecationWarning,
            stacklevel=2,
        )
        return iter((self.model, list(self.changes)))


def apply_finding(model: ProcessModel, finding, *, keep=()) -> Applied:
    """Apply one finding's suggestion to ``model``.

    The transformation registered for the suggestion does the work (each one's docstring
    in :mod:`~bpengine.redesign.transformations` says how it reads the elements and
    targets: ``eliminate`` removes each target, ``notify`` replaces each by a message to its
    office, ``compose`` merges the elements...). A finding whose elements are no longer all
    in the model is not applied: its evidence (the earlier check that made a re-check
    redundant) may be gone; nor one that would remove a step in ``keep``.

    Returns
    -------
    Applied
        The new model and the :class:`~bpengine.redesign.Change` records, in order.

    Raises
    ------
    ModelError
        When the transformation does not apply, or a step in ``keep`` would be removed.
    """
    fid = finding.id
    # targets repeat elements (a re-check is both), so each missing step is named once
    missing = [
        e
        for e in dict.fromkeys((*finding.elements, *(finding.targets or ())))
        if e not in model.elements
    ]
    if missing:
        raise ModelError(
            _(
                "finding {id}: {elements} no longer in the model (changed by an earlier redesign)"
            ).format(id=fid, elements=", ".join(missing)),
            file=model.file,
        )
    transformation = transformation_for(finding, model.file)
    kept = [e for e in removed_steps(finding) if e in keep]
    if kept:
        raise ModelError(
            _("finding {fid}: {steps} is kept (--keep)").format(fid=fid, steps=", ".join(kept)),
            file=model.file,
        )
    return transformation.apply(model, finding)


def _reason(exc: ModelError) -> str:
    """Why a transformation refused, from its problems (the element and the message each)."""
    return "; ".join(p.detail() for p in exc.problems) or str(exc)


def apply_findings(
    model: ProcessModel,
    findings: Iterable[Any],
    *,
    keep: Iterable[str] = (),
    keep_sound: bool = True,
) -> Redesign:
    """Apply ``findings`` in order; return the new model, the changes and what was skipped.

    Parameters
    ----------
    model : ProcessModel
    findings : sequence of Finding
        As returned by :func:`bpengine.analyze` (already guarded: mandatory steps are
        only ever parallelised). A finding that does not apply is skipped.
    keep : sequence of str
        Element ids never to remove, whatever the findings say.
    keep_sound : bool
        If ``model`` is sound (the analyzer's token game finds no deadlock, lack of
        synchronisation or dead step), skip any change whose result would not be.

    Returns
    -------
    Redesign
        ``.model`` (``model`` itself when nothing applied), ``.changes`` and ``.skipped``.

    Examples
    --------
    >>> from bpengine import load, analyze
    >>> model = load("processes/surat-keterangan-domisili.bpmn")
    >>> result = apply_findings(model, analyze(model))
    >>> len(result.changes) > 0, result.model.name == model.name
    (True, True)
    """
    keep = set(keep)
    skipped: list[Skipped] = []
    applied: list[Change] = []
    current = model
    check = None
    if keep_sound:
        from ..analysis import soundness  # redesign may use the analyzer, never the reverse

        check = soundness if soundness(model).sound else None
    for f in findings:
        if f.suggestion in TRANSFORMATIONS and any(
            e in current.elements and current.mandate(e).required for e in removed_steps(f)
        ):
            _skip(
                skipped,
                f,
                "a mandatory step (marked, a legal act, or the last check before "
                "a system step) is never removed",
            )
            continue
        try:
            candidate, made = apply_finding(current, f, keep=keep)
        except ModelError as exc:
            _skip(skipped, f, _reason(exc))
            continue
        if check is not None and not check(candidate).sound:
            _skip(skipped, f, "the redesigned model would not be sound (analyzer's token game)")
            continue
        current = candidate
        applied += made
    return Redesign(current, tuple(applied), tuple(skipped))


def redesign(
    model: ProcessModel,
    findings: Iterable[Any],
    keep: Iterable[str] = (),
    *,
    skipped: list[Skipped] | None = None,
    keep_sound: bool = True,
) -> tuple[ProcessModel, list[Change]]:
    """Deprecated: :func:`apply_findings` returns a :class:`Redesign` instead of filling
    ``skipped``. ``bpengine.redesign`` is the package of transformations."""
    warnings.warn(
        "bpengine.redesign.redesign() is deprecated: use bpengine.apply_findings(), "
        "which returns a Redesign (.model, .changes, .skipped)",
        DeprecationWarning,
        stacklevel=2,
    )
    result = apply_findings(model, findings, keep=keep, keep_sound=keep_sound)
    if skipped is not None:
        skipped.extend(result.skipped)
    return result.model, list(result.changes)


def _skip(skipped: list[Skipped], finding: Any, reason: str) -> None:
    skipped.append(Skipped(finding.id, reason))
