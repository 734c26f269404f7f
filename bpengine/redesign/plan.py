"""`redesign`: apply the analyzer's findings to a model, one transformation each.

Each finding's ``suggestion`` names a transformation
(:data:`~bpengine.redesign.transformations.TRANSFORMATIONS`); :func:`apply_finding` looks it
up and applies it to the finding's elements and targets. :func:`redesign` applies findings
in order, skipping (and saying why) those that no longer apply — their elements were
removed by an earlier change, a step is kept by the caller or marked mandatory, or the
transformation refuses.
"""
from __future__ import annotations

import dataclasses

from ..analysis.suggestions import removed_steps
from ..errors import ModelError
from ..i18n import _
from ..model import ProcessModel
from .changes import Change
from .transformations import TRANSFORMATIONS, transformation_for

__all__ = ["redesign", "apply_finding", "Skipped"]


@dataclasses.dataclass(frozen=True)
class Skipped:
    """A finding :func:`redesign` did not apply, and why."""

    finding: str
    reason: str


def apply_finding(model: ProcessModel, finding, *, keep=(), log: list | None = None
                  ) -> ProcessModel:
    """Apply one finding's suggestion to ``model``.

    The transformation registered for the suggestion does the work (each one's docstring
    in :mod:`~bpengine.redesign.transformations` says how it reads the elements and
    targets: ``eliminate`` removes each target, ``notify`` replaces each by a message to its
    office, ``compose`` merges the elements...). A finding whose elements are no longer all
    in the model is not applied: its evidence (the earlier check that made a re-check
    redundant) may be gone; nor one that would remove a step in ``keep``.

    Raises
    ------
    ModelError
        When the transformation does not apply, or a step in ``keep`` would be removed.
    """
    fid = finding.id
    missing = [e for e in (*finding.elements, *(finding.targets or ())) if e not in model.elements]
    if missing:
        raise ModelError(_("finding {id}: {elements} no longer in the model (changed by an "
                           "earlier redesign)").format(id=fid, elements=", ".join(missing)),
                         file=model.file)
    transformation = transformation_for(finding, model.file)
    kept = [e for e in removed_steps(finding) if e in keep]
    if kept:
        raise ModelError(_("finding {fid}: {steps} is kept (--keep)").format(
                             fid=fid, steps=", ".join(kept)), file=model.file)
    return transformation.apply(model, finding, log)


def _reason(exc: ModelError) -> str:
    """Why a transformation refused, from its problems (the element and the message each)."""
    return "; ".join(p.detail() for p in exc.problems) or str(exc)


def redesign(model: ProcessModel, findings, keep=(), *, skipped: list | None = None,
             keep_sound: bool = True) -> tuple[ProcessModel, list[Change]]:
    """Apply ``findings`` in order; return the new model and the changes applied.

    Parameters
    ----------
    model : ProcessModel
    findings : sequence of Finding
        As returned by :func:`bpengine.analyze` (already guarded: mandatory steps are
        only ever parallelised). A finding that does not apply is skipped.
    keep : sequence of str
        Element ids never to remove, whatever the findings say.
    skipped : list, optional
        Receives a :class:`Skipped` for every finding not applied, with the reason.
    keep_sound : bool
        If ``model`` is sound (the analyzer's token game finds no deadlock, lack of
        synchronisation or dead step), skip any change whose result would not be.

    Returns
    -------
    (ProcessModel, list of Change)
        ``model`` itself and ``[]`` when nothing applied.

    Examples
    --------
    >>> from bpengine import load, analyze                       # doctest: +SKIP
    >>> model = load("processes/surat-keterangan-domisili.bpmn")  # doctest: +SKIP
    >>> new, applied = redesign(model, analyze(model))            # doctest: +SKIP
    """
    keep = set(keep)
    applied: list[Change] = []
    current = model
    check = None
    if keep_sound:
        from ..analysis import soundness  # redesign may use the analyzer, never the reverse

        check = soundness if soundness(model).sound else None
    for f in findings:
        if f.suggestion in TRANSFORMATIONS and any(
                e in current.elements and current.mandate(e).required
                for e in removed_steps(f)):
            _skip(skipped, f, "a mandatory step (marked, a legal act, or the last check before "
                              "a system step) is never removed")
            continue
        log: list[Change] = []
        try:
            candidate = apply_finding(current, f, keep=keep, log=log)
        except ModelError as exc:
            _skip(skipped, f, _reason(exc))
            continue
        if check is not None and not check(candidate).sound:
            _skip(skipped, f, "the redesigned model would not be sound (analyzer's token game)")
            continue
        current = candidate
        applied += log
    return current, applied


def _skip(skipped, finding, reason: str) -> None:
    if skipped is not None:
        skipped.append(Skipped(finding.id, reason))
