"""``bpengine redesign`` as one library call: analyze, choose findings, redesign, write.

:func:`redesign_to` is the counterpart of :func:`bpengine.reengineer.reengineer_to` for one
redesign the user chooses: it analyzes a procedure, keeps the findings ``apply`` names
(:func:`select_findings`), applies them (:func:`~bpengine.redesign.plan.apply_findings`) and writes
the new BPMN with its scenario and change log
(:func:`~bpengine.redesign.sidecars.write_outputs`). The CLI only parses options and prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import analysis
from ..errors import BpengineError
from ..i18n import _
from ..model import ProcessModel
from ..model import load as load_model
from ..scenario import load_scenario
from ..scenario.loading import read_yaml, sidecar_path
from .changes import Change
from .plan import Skipped, apply_findings
from .sidecars import write_outputs

__all__ = ["Redesigned", "check_keep", "redesign_to", "select_findings"]


@dataclass(frozen=True)
class Redesigned:
    """What :func:`redesign_to` found, did and wrote.

    Attributes
    ----------
    before, after : ProcessModel
        The procedure as it was read and as redesigned.
    findings : tuple of Finding
        Every finding of the analyzer on ``before``.
    chosen : tuple of Finding
        The findings selected to apply.
    applied : tuple of Change
        The changes made, in order.
    skipped : tuple of Skipped
        The chosen findings not applied, each with its reason.
    written : tuple of Path
        The BPMN, its scenario (when there was one to carry across) and its change log.
    """

    before: ProcessModel
    after: ProcessModel
    findings: tuple
    chosen: tuple
    applied: tuple[Change, ...]
    skipped: tuple[Skipped, ...]
    written: tuple[Path, ...]


def select_findings(findings: Iterable, apply: Sequence[str], source: str) -> list:
    """The findings named by ``apply``: ``all`` (or nothing), rule ids or finding ids.

    Raises
    ------
    BpengineError
        For a value that is neither a rule id nor the id of one of ``findings`` (of the
        model ``source``), listing both.
    """
    findings = list(findings)
    if not apply or "all" in apply:
        return findings
    known_ids = {f.id for f in findings}
    for value in apply:
        if value not in analysis.RULE_IDS and value not in known_ids:
            ids = ", ".join(sorted(known_ids)) or _("none")
            raise BpengineError(
                _(
                    "--apply {value}: neither a rule id ({rules}) nor a finding of "
                    "{file} (its findings: {ids})"
                ).format(value=value, rules=", ".join(analysis.RULE_IDS), file=source, ids=ids)
            )
    return [f for f in findings if f.rule in apply or f.id in apply]


def check_keep(model: ProcessModel, keep: Iterable[str], source: str) -> None:
    """Refuse an element to keep that ``model`` (read from ``source``) does not have."""
    for ident in keep:
        if ident not in model.elements:
            raise BpengineError(
                _("--keep {id}: {file} has no element with that id").format(id=ident, file=source)
            )


def redesign_to(
    file, output, *, scenario=None, apply: Sequence[str] = (), keep: Sequence[str] = ()
) -> Redesigned:
    """Redesign ``file`` by the findings ``apply`` names and write it to ``output``.

    Parameters
    ----------
    file : str or Path
        The BPMN file of the procedure as it is.
    output : str or Path
        Where to write the redesigned BPMN; its ``.scenario.yaml`` and ``.changes.yaml``
        go beside it. Its folder must exist (``bpengine redesign -o`` creates it).
    scenario : str or Path, optional
        Its scenario YAML (default: the ``x.scenario.yaml`` beside ``file``, if any); the
        analyzer reads it and the redesign carries it across.
    apply : sequence of str
        ``all`` (the default when empty), rule ids or finding ids (:func:`select_findings`).
    keep : sequence of str
        Element ids never to remove, whatever the findings say.

    Returns
    -------
    Redesigned

    Raises
    ------
    BpengineError
        For an unreadable model or scenario, a JSON scenario (only YAML is carried across),
        an unknown ``keep`` element or ``apply`` value, or a file that cannot be written.
    """
    model = load_model(file)
    check_keep(model, keep, str(file))
    scen_path = scenario or sidecar_path(file)
    if scen_path is not None and str(scen_path).endswith(".json"):
        raise BpengineError(
            _("--scenario {path}: only YAML scenarios can be carried across a redesign").format(
                path=scen_path
            )
        )
    raw = read_yaml(scen_path)
    scen = load_scenario(str(scen_path), model=model) if scen_path else None
    findings = analysis.analyze(model, scenario=scen)
    chosen = select_findings(findings, apply, str(file))
    done = apply_findings(model, chosen, keep=keep)
    written = write_outputs(
        done.model, raw, list(done.changes), list(done.skipped), Path(output), str(file)
    )
    return Redesigned(
        model,
        done.model,
        tuple(findings),
        tuple(chosen),
        tuple(done.changes),
        tuple(done.skipped),
        tuple(written),
    )
