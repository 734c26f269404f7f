"""``bpengine reengineer`` as one library call: search, write the best, prove it, report it.

:func:`reengineer_to` analyzes a procedure, searches candidate redesigns
(:func:`~bpengine.reengineer.search.reengineer`), writes the best one with its scenario and
change log (:func:`~bpengine.redesign.sidecars.write_outputs`), simulates it against the
procedure as it is (:func:`~bpengine.reengineer.before_after.compare`) and writes the
comparison and the HTML report into one folder. The CLI only parses options and prints.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import BpengineError
from ..i18n import _
from ..model import ProcessModel
from ..model import load as load_model
from ..redesign.pipeline import check_keep
from ..redesign.sidecars import write_outputs
from ..report import Comparison, write_report
from ..report.plots import plots_for
from ..scenario import load_scenario
from ..scenario.loading import read_yaml, sidecar_path
from .before_after import simulate_and_compare
from .search import Reengineering, reengineer

__all__ = ["Outcome", "reengineer_to"]


@dataclass(frozen=True)
class Outcome:
    """What :func:`reengineer_to` found and wrote.

    Attributes
    ----------
    search : Reengineering
        Every candidate ranked; ``search.best`` is ``None`` when none beats the procedure.
    written : tuple of Path
        The files written, the report last: the best redesign's BPMN, scenario and change
        log, ``comparison.txt``, ``comparison.json`` and ``report.html`` (only the report
        when no candidate is better).
    comparison : Comparison or None
        The best redesign against the procedure as it is (``None``: nothing better).
    """

    search: Reengineering
    written: tuple[Path, ...]
    comparison: Comparison | None = None


def _no_bar(label: str, unit: str):
    return contextlib.nullcontext(None)


def reengineer_to(
    file,
    output,
    *,
    scenario=None,
    overrides=(),
    cases: int = 500,
    replications: int = 3,
    seed: int = 7,
    max_candidates: int = 60,
    beam: int = 3,
    jobs: int | None = None,
    keep=(),
    progress: Callable | None = None,
) -> Outcome:
    """Find the redesign of ``file`` that shortens it most and write the proof to ``output``.

    Parameters
    ----------
    file : str or Path
        The BPMN file of the procedure as it is.
    output : str or Path
        The folder to write into (created if missing).
    scenario : str or Path, optional
        Its scenario YAML (default: the ``x.scenario.yaml`` beside ``file``, if any).
    overrides : sequence of str
        What-if changes ``PATH=VALUE`` applied to the scenario first (checked before any
        candidate runs).
    cases, replications, seed : int
        Simulation of every candidate; the final comparison runs at least 5 replications.
    max_candidates, beam, jobs, keep
        As :func:`~bpengine.reengineer.search.reengineer`.
    progress : callable, optional
        ``progress(label, unit)`` returns a context manager yielding a
        ``progress(done, total)`` callback (or ``None``) for one stage: "simulating
        candidates" counts candidates, "simulating before and after" counts cases.

    Returns
    -------
    Outcome

    Raises
    ------
    BpengineError
        For an unreadable model or scenario, a procedure that cannot be simulated, or a
        folder that cannot be written.
    """
    stage = progress or _no_bar
    model = load_model(file)
    check_keep(model, keep, str(file))
    scen_path = scenario or sidecar_path(file)
    raw = read_yaml(scen_path)
    assumed = scen_path  # what the report's assumptions page shows
    if overrides:  # checked here, naming the file and the path, before any candidate runs
        assumed = load_scenario(scen_path, model=model, overrides=overrides)
        raw = assumed.raw
    with stage("simulating candidates", "candidates") as update:
        result = reengineer(
            model,
            raw,
            cases,
            replications,
            seed,
            jobs=jobs or None,
            beam=beam,
            max_candidates=max_candidates,
            keep=keep,
            progress=update,
        )
    out = Path(output)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BpengineError(
            _("{out}: cannot create the folder: {reason}").format(
                out=out, reason=exc.strerror or exc
            )
        ) from None
    best = result.best
    if best is None:
        report = write_report(
            model, findings=result.findings, path=out / "report.html", scenario=assumed
        )
        return Outcome(result, (report,))
    stem = Path(file).name.removesuffix(".bpmn")
    changes = result.explained_changes(best)
    written = write_outputs(
        best.model, raw, changes, [], out / f"{stem}.redesigned.bpmn", str(file)
    )
    after = load_model(written[0])  # as written, so the report names the new file
    comparison, plots = _prove(
        model, after, raw, best.scenario, cases, max(replications, 5), seed, jobs, stage
    )
    (out / "comparison.txt").write_text(
        comparison.table() + "\n" + comparison.headline() + "\n", encoding="utf-8"
    )
    (out / "comparison.json").write_text(
        json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8"
    )
    report = write_report(
        model,
        after,
        findings=result.findings,
        comparison=comparison,
        plots=plots,
        changes=changes,
        path=out / "report.html",
        scenario=assumed,
    )
    return Outcome(
        result, (*written, out / "comparison.txt", out / "comparison.json", report), comparison
    )


def _prove(
    model: ProcessModel,
    after: ProcessModel,
    raw: dict,
    after_scenario: dict,
    cases: int,
    replications: int,
    seed: int,
    jobs,
    stage,
) -> tuple:
    """The comparison of the best redesign with the procedure as it is, and its plots."""
    with stage("simulating before and after", "cases") as update:
        comparison, rb, ra = simulate_and_compare(
            model,
            after,
            scenario=raw,
            after_scenario=after_scenario,
            cases=cases,
            replications=replications,
            seed=seed,
            progress=update,
            workers=jobs or 0,
        )
    return comparison, plots_for(rb, ra)
