"""A redesign on disk: the new BPMN, its scenario carried across, its change log beside it.

``bpengine redesign`` and ``bpengine reengineer`` write ``x.bpmn`` with ``x.scenario.yaml``
(the scenario rewritten by :func:`~bpengine.redesign.transform_scenario`, change by change)
and ``x.changes.yaml`` (what changed and why, what was skipped and why);
``bpengine report`` reads the change log back to show it beside the diagrams.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import BpengineError
from ..i18n import _
from ..scenario.loading import read_yaml
from .changes import Change, transform_scenario

__all__ = ["sidecar_paths", "write_outputs", "read_change_log"]


def sidecar_paths(out: Path) -> tuple[Path, Path]:
    """Where the scenario and change log of ``out`` (``x.bpmn``) are written.

    Examples
    --------
    >>> [p.name for p in sidecar_paths(Path("out/x.bpmn"))]
    ['x.scenario.yaml', 'x.changes.yaml']
    """
    stem = out.name.removesuffix(".bpmn")
    return out.with_name(stem + ".scenario.yaml"), out.with_name(stem + ".changes.yaml")


def write_outputs(model, scenario: dict, applied, skipped, out: Path, source: str) -> list[Path]:
    """Write the redesigned BPMN, its scenario and the change log beside it.

    Parameters
    ----------
    model : ProcessModel
        The redesigned model, written to ``out``.
    scenario : dict
        The scenario of the model before the redesign, as read from YAML
        (:func:`bpengine.scenario.loading.read_yaml`); each change in ``applied`` is carried
        across it.
    applied : sequence of Change
    skipped : sequence of Skipped
    out : Path
    source : str
        The model the redesign started from, named in both sidecars.

    Returns
    -------
    list of Path
        ``[out, scenario file, change log]``.

    Raises
    ------
    BpengineError
        When the folder cannot be written.
    """
    scen_path, log_path = sidecar_paths(out)
    model.write(out)
    for change in applied:
        scenario = transform_scenario(scenario, change)
    header = f"# scenario of {out.name}, carried across the redesign of {source}\n"
    log = {
        "source": source,
        "result": out.name,
        "changes": [c.to_dict() for c in applied],
        "skipped": [{"finding": s.finding, "reason": s.reason} for s in skipped],
    }
    try:
        scen_path.write_text(
            header + yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        log_path.write_text(
            yaml.safe_dump(log, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    except OSError as exc:
        raise BpengineError(
            _("{parent}: cannot write: {why}").format(parent=out.parent, why=exc.strerror or exc)
        ) from None
    return [out, scen_path, log_path]


def read_change_log(after_file) -> list[Change]:
    """The changes recorded beside ``after_file`` by :func:`write_outputs` (``[]`` if none).

    Each is read back with what a report shows of it: kind, elements, description, the
    elements' names and the finding; what it did to the scenario is not needed any more.
    """
    _out, log_path = sidecar_paths(Path(after_file))
    if not log_path.is_file():
        return []
    doc = read_yaml(log_path)  # a plain YAML mapping, read as a scenario file is
    out = []
    for c in doc.get("changes") or []:
        if isinstance(c, dict) and {"kind", "elements", "description"} <= set(c):
            out.append(
                Change(
                    kind=c["kind"],
                    elements=tuple(c["elements"]),
                    description=c["description"],
                    names=tuple((c.get("names") or {}).items()),
                    finding=c.get("finding"),
                )
            )
    return out
