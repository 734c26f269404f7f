"""`load_scenario`: find, read and check a scenario (YAML sidecar, dict or Prosimos JSON)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import ScenarioError
from ..i18n import _
from ..model.source import read_text
from . import limits
from .reader import from_mapping
from .scenario import Scenario

if TYPE_CHECKING:
    from ..model import ProcessModel

T = TypeVar("T")
#: What a scenario is read from: a YAML or Prosimos JSON file, a mapping in the YAML's
#: shape, a Scenario already read, or None (the model's sidecar file, else the defaults).
ScenarioSource = str | os.PathLike[str] | dict[str, Any] | Scenario | None

__all__ = ["load_scenario", "read_yaml", "read_scenario_text", "sidecar_path"]


def load_scenario(
    source: ScenarioSource = None,
    *,
    model: ProcessModel | None = None,
    overrides: Sequence[str] = (),
) -> Scenario:
    """Read and validate a scenario.

    Parameters
    ----------
    source : str, path, dict or None
        A ``.yaml``/``.yml`` sidecar, a Prosimos ``.json`` parameter file, a mapping in
        the YAML's shape, or ``None``: the sidecar ``x.scenario.yaml`` next to the model's
        file ``x.bpmn`` if there is one, else the documented defaults.
    model : ProcessModel, optional
        Keys are checked against it (ids or unique names, lanes, outgoing flows).
    overrides : sequence of str
        What-if changes ``PATH=VALUE`` applied to the YAML before it is checked (see
        :mod:`bpengine.scenario.overrides`); not for Prosimos JSON.

    Raises
    ------
    ScenarioError
        Naming the file, the key and the element at fault.

    Examples
    --------
    >>> sc = load_scenario({"tasks": {"T1": "15 min"}, "lanes": {"Clerk": {"staff": 2}}})
    >>> sc.task_duration("T1").mean, sc.lane("Clerk").staff, sc.calendar.working_minutes_per_day
    (15.0, 2, 450.0)
    """
    if overrides:
        return _with_overrides(source, model, overrides)
    if isinstance(source, Scenario):
        return source
    if source is None:
        sidecar = None
        if model is not None and getattr(model, "file", "<bytes>") != "<bytes>":
            sidecar = sidecar_path(model.file)
        if sidecar is not None:
            source = sidecar
        else:
            sc = from_mapping({}, model, "<defaults>")
            _check(sc, model)
            return sc
    if isinstance(source, dict):
        sc = _wrap(lambda: from_mapping(source, model, "<dict>"), "<dict>")
        _check(sc, model)
        return sc
    path = Path(os.fspath(source))
    text = read_scenario_text(path)
    if path.suffix.lower() == ".json":
        from .prosimos import from_prosimos

        sc = _wrap(lambda: from_prosimos(text, model, str(path)), str(path))
    else:
        doc = _parse_yaml(text, path)
        sc = _wrap(
            lambda: from_mapping(doc if doc is not None else {}, model, str(path)), str(path)
        )
    _check(sc, model)
    return sc


def _with_overrides(
    source: ScenarioSource, model: ProcessModel | None, overrides: Sequence[str]
) -> Scenario:
    """The scenario of ``source`` with ``overrides`` set, checked like a file."""
    from .overrides import apply_overrides

    if isinstance(source, Scenario):
        source = source.raw
    if source is None and model is not None and getattr(model, "file", "<bytes>") != "<bytes>":
        source = sidecar_path(model.file)
    if isinstance(source, dict) or source is None:
        doc, name = source or {}, "<defaults>" if source is None else "<dict>"
    else:
        if Path(os.fspath(source)).suffix.lower() == ".json":
            raise ScenarioError(
                _(
                    "{source}: what-if overrides change a YAML scenario, not "
                    "Prosimos JSON parameters"
                ).format(source=source)
            )
        doc, name = read_yaml(source), str(source)
    label = _("{scenario} with {changes}").format(scenario=name, changes=", ".join(overrides))
    changed = _wrap(lambda: apply_overrides(doc, overrides, model), label)
    sc = _wrap(lambda: from_mapping(changed, model, label), label)
    _check(sc, model)
    return sc


def sidecar_path(bpmn: str | os.PathLike[str]) -> Path | None:
    """``x.scenario.yaml`` next to the model file ``x.bpmn``, if it exists."""
    p = Path(bpmn)
    if not p.suffix:
        return None
    candidate = p.with_name(p.name[: -len(p.suffix)] + ".scenario.yaml")
    return candidate if candidate.is_file() else None


def read_scenario_text(path: str | os.PathLike[str]) -> str:
    """The text of a scenario file, read through the bounded reader.

    At most :data:`~.limits.MAX_SCENARIO_BYTES` (:data:`~.limits.MAX_PROSIMOS_BYTES` for
    a ``.json`` file); a directory, device or pipe is refused without blocking, and bytes
    that are not UTF-8 are named by offset and line.
    """
    json = Path(os.fspath(path)).suffix.lower() == ".json"
    return read_text(
        path,
        limit=limits.MAX_PROSIMOS_BYTES if json else limits.MAX_SCENARIO_BYTES,
        error=ScenarioError,
        what=_("scenario file"),
    )


def _parse_yaml(text: str, path: object) -> object:
    # PyYAML loads only when a YAML scenario is read (a Prosimos JSON run never needs it)
    from .safe_yaml import parse_yaml

    return parse_yaml(text, path, ScenarioError)


def read_yaml(path: str | os.PathLike[str] | None) -> dict[str, Any]:
    """A scenario YAML file as the plain mapping it holds (``{}`` when ``path`` is None).

    For code that rewrites scenarios (:func:`bpengine.redesign.transform_scenario`);
    :func:`load_scenario` reads and checks it against a model.
    """
    if path is None:
        return {}
    doc = _parse_yaml(read_scenario_text(path), path)
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise ScenarioError(
            _("{path}: a scenario is a mapping of sections, not {name}").format(
                path=path, name=type(doc).__name__
            )
        )
    return doc


def _wrap(build: Callable[[], T], source: str) -> T:
    try:
        return build()
    except ScenarioError as exc:
        msg = str(exc)
        if len(msg) > 1000:  # a value quoted whole (an expanded alias) is cut, not printed
            msg = msg[:999] + "…"
        raise ScenarioError(msg if msg.startswith(source) else f"{source}: {msg}") from None
    except RecursionError:  # a self-referencing mapping built in code, not from a file
        raise ScenarioError(
            _("{source}: the scenario refers to itself (nested without end)").format(source=source)
        ) from None


def _check(sc: Scenario, model: ProcessModel | None) -> None:
    if model is None:
        return
    from .checks import check_scenario

    try:
        check_scenario(model, sc)
    except ScenarioError as exc:
        raise ScenarioError(f"{sc.source}: {exc}") from None
