"""Build SpiffWorkflow specs from the same parse as everything else.

The parser gets a copy of the model's own tree (never the file again), plus the files
beside it that define called processes. SpiffWorkflow's messages are often misleading and
carry no line number, so its ValidationException is re-raised as our ModelError with the
element's line from lxml.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from ..errors import ModelError, Problem
from .source import parse_xml, read_source

__all__ = ["build_specs"]


def _wrap(model, exc: ValidationException) -> ModelError:
    el = model.elements.get(getattr(exc, "id", "") or "")
    line = el.line if el else (getattr(exc, "line_number", None) or None)
    return ModelError(Problem(
        f"the engine cannot use this model: {exc}", file=getattr(exc, "file_name", "") or model.file,
        line=line if isinstance(line, int) else None, element_id=getattr(exc, "id", None) or None,
        element_name=getattr(exc, "name", None) or None, code="engine"))


def build_specs(model, process_id: str | None = None):
    """Return ``(spec, subprocess_specs)`` for ``process_id`` (default: the main process).

    Raises
    ------
    ModelError
        The process does not exist, or SpiffWorkflow refuses the model.
    """
    process_id = process_id or (model.main_process.id if model.main_process else None)
    if process_id not in model.processes:
        raise ModelError(Problem(f"no process {process_id!r} in this model", file=model.file,
                                 code="unknown-process"))
    parser = BpmnParser()
    try:
        parser.add_bpmn_xml(model.tree(), filename=model.file)
        for path in sorted(set(model.callees().values()) - {model.file}):
            data, name = read_source(path)
            parser.add_bpmn_xml(parse_xml(data, name), filename=name)
        spec = parser.get_spec(process_id)
        subprocesses = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise _wrap(model, exc) from None
    return spec, subprocesses
