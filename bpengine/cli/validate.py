"""`bpengine validate FILE...`: schema and structural checks, exit 0/1/2."""

from __future__ import annotations

import json
from collections import Counter

import click

from ..i18n import N_, _, ngettext
from ..model import validate as validate_model
from ..model.checks import READ_FAILURE_CODES
from . import options
from .help import command

__all__ = ["validate"]


# noun -> (singular, plural) with {n}; ngettext picks the form for the language
_NOUNS = {
    "activity": lambda n: ngettext("{n} activity", "{n} activities", n),
    "gateway": lambda n: ngettext("{n} gateway", "{n} gateways", n),
    "event": lambda n: ngettext("{n} event", "{n} events", n),
    "flow": lambda n: ngettext("{n} flow", "{n} flows", n),
    "lane": lambda n: ngettext("{n} lane", "{n} lanes", n),
    "pool": lambda n: ngettext("{n} pool", "{n} pools", n),
    "document": lambda n: ngettext("{n} document", "{n} documents", n),
    "approval": lambda n: ngettext("{n} approval", "{n} approvals", n),
    "warning": lambda n: ngettext("{n} warning", "{n} warnings", n),
}


def _count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 lane``, ``2 lanes``: a count with its noun in the right number and language."""
    return _NOUNS[noun](n).format(n=n)


def _summary(model) -> list[str]:
    kinds = Counter(
        "tasks" if e.is_activity else "gateways" if e.is_gateway else "events"
        for e in model.elements.values()
    )
    lines = [
        f"  {model.name}: {_count(kinds['tasks'], 'activity')}, "
        f"{_count(kinds['gateways'], 'gateway')}, {_count(kinds['events'], 'event')}, "
        f"{_count(len(model.flows), 'flow')}, {_count(len(model.lanes), 'lane')}, "
        f"{_count(len(model.pools), 'pool')}, "
        # one document is usually drawn several times (a reference per step that uses it)
        f"{_count(len({d.name for d in model.data_objects.values()}), 'document')}"
    ]
    by_lane: dict[str, list] = {}
    for e in model.elements.values():
        if e.is_activity:
            by_lane.setdefault(e.lane or _("(no lane)"), []).append(e)
    for lane, acts in by_lane.items():
        approvals = [a for a in acts if model.approval(a.id).is_approval]
        lines.append(
            "  "
            + _("lane {lane}: {activities}, {approvals}").format(
                lane=lane,
                activities=_count(len(acts), "activity"),
                approvals=_count(len(approvals), "approval"),
            )
        )
        for a in approvals:
            why = model.approval(a.id)
            # the guard's verdict (bpe:mandatory, else a legal act or last check), not the
            # attribute alone: the step analyze and redesign never remove
            flag = " [" + _("mandatory") + "]" if model.mandate(a.id).required else ""
            lines.append(
                "    "
                + _("approval {id} {name} ({reason}: {evidence})").format(
                    id=a.id, name=repr(a.name), reason=_(why.reason), evidence=why.evidence
                )
                + flag
            )
    return lines


def _expand(files):
    """Each FILE as given; a folder stands for the .bpmn files in it (not below it)."""
    from pathlib import Path

    for path in files:
        found = sorted(Path(path).glob("*.bpmn")) if Path(path).is_dir() else []
        if found:
            yield from map(str, found)
        else:
            yield path  # a file, or a folder without models: validate says what is wrong


@command(
    N_(
        "Check BPMN files: XSD schema, references, start/end, engine traps.\n\n"
        "A folder stands for the .bpmn files directly in it.\n\n"
        "Exit status: 0 valid (warnings allowed), 1 invalid, 2 a file could not be read."
    )
)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@options.output_format("text", "json")
@click.option("--summary", is_flag=True, help=N_("Also list lanes, activities and approvals."))
@click.option("--no-schema", is_flag=True, help=N_("Skip the BPMN 2.0 XSD check."))
def validate(files, fmt, summary, no_schema):
    status = 0
    report = []
    for path in _expand(files):
        model, problems = validate_model(path, schema=not no_schema)
        errors = [p for p in problems if p.severity == "error"]
        if model is None and any(p.code in READ_FAILURE_CODES for p in problems):
            status = 2
        elif errors:
            status = max(status, 1)
        if fmt == "json":
            report.append(
                {
                    "file": path,
                    "valid": model is not None and not errors,
                    "problems": [p.to_dict() for p in problems],
                    "summary": None
                    if model is None
                    else {
                        "name": model.name,
                        "elements": len(model.elements),
                        "flows": len(model.flows),
                        "lanes": len(model.lanes),
                        "approvals": [a.id for a in model.approvals],
                    },
                }
            )
            continue
        valid = model is not None and not errors
        extra = f" ({_count(len(problems), 'warning')})" if valid and problems else ""
        verdict = _("OK") if valid else _("INVALID")
        click.echo(f"{path}: {verdict}{extra}")
        for p in problems:
            click.echo("  " + p.shown(_(p.severity)))
        if summary and model is not None:
            for line in _summary(model):
                click.echo(line)
    if fmt == "json":
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    raise SystemExit(status)
