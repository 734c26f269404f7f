"""The report's page of assumptions: the scenario's numbers and where each came from.

A simulated saving is only as good as the numbers it ran on. This page lists them in plain
words - office hours, the service standard, how many requests arrive, how many people work
in each office and what an hour of theirs costs, how long each step takes, how often a
file is sent back - with, beside each, the source the scenario file gives for it (the
comment on its line, read by :func:`bpengine.scenario.sources.scenario_sources`), or
"not stated". Elements are named, never shown by id.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from ..i18n import _, format_number, format_percent, ngettext
from ..scenario.sources import file_note, scenario_sources

__all__ = ["assumptions_html", "assumption_rows"]


def _minutes(value: float) -> str:
    if value >= 120:
        return _("{hours} h").format(hours=format_number(value / 60, 1))
    return _("{minutes} min").format(minutes=format_number(value, 0 if value >= 10 else 1))


def _name(model, ident: str) -> str:
    el = model.elements.get(ident) if model is not None else None
    return (el.name or ident) if el is not None else ident


def _raw_key(section: dict, ident: str, model) -> str | None:
    """The key the YAML used for an element: its id or its name."""
    if ident in section:
        return ident
    name = _name(model, ident)
    return name if name in section else None


def _file_of(scenario) -> tuple[str | None, dict]:
    """The YAML file a scenario was read from and its mapping as the file has it.

    A what-if scenario's source reads ``x.yaml with PATH=VALUE, ...``: the file is the
    part before `` with ``.
    """
    from ..errors import BpengineError
    from ..scenario.loading import read_yaml

    source = str(scenario.source or "")
    for candidate in (source, source.split(" with ", 1)[0]):
        path = Path(candidate)
        if candidate and path.is_file() and path.suffix in (".yaml", ".yml"):
            try:  # read as load_scenario read it: bounded, aliases and depth limited
                doc = read_yaml(path)
            except BpengineError:
                doc = None
            return candidate, doc if isinstance(doc, dict) else {}
    return None, {}


def _get(doc, path):
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return None
        doc = doc[key]
    return doc


def _batch_words(batch) -> str:
    """How a task's batch goes, in a few words."""
    times = ", ".join(f"{int(t) // 60:02d}:{int(t) % 60:02d}" for t in batch.at)
    if times:
        return _("signed in batches at {times}").format(times=times)
    if batch.size is not None:
        return _("done once {n} files wait").format(n=batch.size)
    if batch.rules:
        return _("done in batches when their firing rules hold")
    return _("done in batches of a drawn size")


def assumption_rows(scenario, model) -> list[tuple[str, str, str, str]]:
    """``(group, what, value, source)`` rows of the assumptions page.

    A value that differs from the scenario file (a ``--set`` what-if) says so instead of
    quoting the file's source for the old value.
    """
    raw = scenario.raw or {}
    path, in_file = _file_of(scenario)
    notes = scenario_sources(path) if path else {}
    unstated = _("not stated")

    def src(*keys):  # a key's own comment, else that of the line it sits on
        if path and _get(raw, keys[:2]) != _get(in_file, keys[:2]):
            return _("changed for this what-if (--set)")
        for n in range(len(keys), 0, -1):
            if keys[:n] in notes:
                return notes[keys[:n]]
        return unstated

    rows = []
    g = _("Working time")
    day = scenario.calendar.working_minutes_per_day
    hours = (
        raw.get("calendar", {}).get("hours", "indonesia")
        if isinstance(raw.get("calendar"), dict)
        else "indonesia"
    )
    rows.append(
        (
            g,
            _("Office hours"),
            _("{spec}: {hours} working hours on an average weekday").format(
                spec=hours, hours=format_number(day / 60, 1)
            ),
            src("calendar", "hours"),
        )
    )
    holidays = (
        raw.get("calendar", {}).get("holidays") if isinstance(raw.get("calendar"), dict) else None
    )
    if holidays:
        rows.append(
            (g, _("Public holidays"), ", ".join(map(str, holidays)), src("calendar", "holidays"))
        )
    if scenario.service_standard_minutes is not None:
        m = scenario.service_standard_minutes
        value = (
            _("{days} working days").format(days=format_number(m / day, 1))
            if m >= day
            else _minutes(m)
        )
        rows.append((g, _("Service standard (legal maximum)"), value, src("service_standard")))
    g = _("Requests")
    mean = scenario.arrivals.interarrival.mean
    if mean > 0:
        rows.append(
            (
                g,
                _("Requests arriving"),
                _("one every {gap} of office time on average, about {n} per working day").format(
                    gap=_minutes(mean), n=format_number(day / mean, 1)
                ),
                src("arrivals", "interarrival")
                if ("arrivals", "interarrival") in notes
                else src("arrivals", "rate"),
            )
        )
    g = _("Staff")
    for lane, staff in scenario.lanes.items():
        value = ngettext(
            "{n} person, Rp {cost} an hour", "{n} people, Rp {cost} an hour", staff.staff
        ).format(n=format_number(staff.staff), cost=format_number(staff.cost_per_hour, 0))
        rows.append((g, lane, value, src("lanes", lane)))
    g = _("Time per step")
    tasks = raw.get("tasks") or {}
    for ident, dist in scenario.durations.items():
        key = _raw_key(tasks, ident, model) or ident
        value = _("{mean} on average").format(mean=_minutes(dist.mean))
        if dist.kind not in ("fixed",):
            value += " " + _("(varies from case to case)")
        rows.append((g, _name(model, ident), value, src("tasks", key, "duration")))
        batch = scenario.batches.get(ident)
        if batch is not None:
            rows.append((g, _name(model, ident), _batch_words(batch), src("tasks", key, "batch")))
    g = _("How often files take each way")
    gateways = raw.get("gateways") or {}
    for gid, probs in scenario.probabilities.items():
        key = _raw_key(gateways, gid, model) or gid
        parts = []
        for fid, p in probs.items():
            flow = model.flows.get(fid) if model is not None else None
            label = (flow.name or _name(model, flow.target)) if flow is not None else fid
            parts.append(f"{label}: {format_percent(p)}")
        rows.append((g, _name(model, gid), "; ".join(parts), src("gateways", key)))
    return rows


def assumptions_html(scenario, model) -> str:
    """The assumptions section of the report (an empty string without a scenario)."""
    if scenario is None:
        return (
            '<h2 id="assumptions">'
            + escape(_("Assumptions"))
            + "</h2><p>"
            + escape(
                _(
                    "No scenario was given: every step takes the stated default time "
                    "and each office has one person."
                )
            )
            + "</p>"
        )
    rows = assumption_rows(scenario, model)
    path, _doc = _file_of(scenario)
    note = file_note(path) if path else None
    body, group = [], None
    for g, what, value, source in rows:
        if g != group:
            body.append(f'<tr class="group"><th colspan="3">{escape(g)}</th></tr>')
            group = g
        guess = (
            ' class="guess"' if "assumption" in source.lower() or source == _("not stated") else ""
        )
        body.append(
            f"<tr><td>{escape(what)}</td><td>{escape(value)}</td>"
            f"<td{guess}>{escape(source)}</td></tr>"
        )
    intro = _(
        "The simulation ran on these numbers. Beside each, where it came from, as the "
        'scenario file states it; "assumption" marks an estimate that should be '
        "checked against the office's own records."
    )
    return (
        '<section class="assumptions"><h2 id="assumptions">'
        + escape(_("Assumptions and where each number came from"))
        + "</h2>"
        + f"<p>{escape(intro)}</p>"
        + (
            '<p class="meta">'
            + escape(_("Scenario file"))
            + f": {escape(str(scenario.source))}"
            + (f" &mdash; {escape(note)}" if note else "")
            + "</p>"
        )
        + '<div class="scroll"><table><tr><th>'
        + escape(_("What"))
        + "</th><th>"
        + escape(_("Value"))
        + "</th><th>"
        + escape(_("Source"))
        + "</th></tr>"
        + "".join(body)
        + "</table></div></section>"
    )
