"""The report in plain words: one paragraph and one table a head of office can read.

What changes (steps by name, never by id), what it saves (working days, hours of work,
rupiah per request), what does not improve, and how sure we are - said as "in 95 of 100
repetitions of this study", not as a test statistic. The statistics themselves (confidence
intervals, Welch's t-test, p-values) stay in the report's technical appendix.
"""

from __future__ import annotations

from ..i18n import _, format_number, format_percent, ngettext

__all__ = [
    "SUMMARY_KEYS",
    "summary_paragraph",
    "plain_rows",
    "change_sentence",
    "element_label",
    "format_value",
    "verdict",
]

#: The measures the summary speaks of, in the order it mentions them.
SUMMARY_KEYS = (
    "cycle_days_mean",
    "cycle_days_p90",
    "waiting_hours",
    "staff_hours",
    "cost",
    "sla",
    "handoffs",
    "approvals",
    "activities",
)


def element_label(model, ident: str) -> str:
    """A step's name in quotes, or for an unnamed element what it is and where."""
    el = model.elements.get(ident) if model is not None else None
    if el is None:
        return ident
    if el.name:
        return f"\u201c{el.name}\u201d"
    before = [model.elements[f.source] for f in model.flows.values() if f.target == ident]
    after = next((b for b in before if b.name), None)
    if el.is_gateway:
        what = _("the unnamed decision point")
    elif el.is_event:
        what = _("the unnamed event")
    else:
        what = _("the unnamed step")
    if after is not None:
        return _("{what} after \u201c{step}\u201d").format(what=what, step=after.name)
    return what + (f" ({el.lane})" if el.lane else "")


def _names(change, model) -> list[str]:
    names = dict(change.names)
    return [
        f"\u201c{names[e]}\u201d" if names.get(e) else element_label(model, e)
        for e in change.elements
    ]


def change_sentence(change, before, after=None) -> str:
    """One change of the redesign in words, with step names (translated templates)."""
    labels = _names(change, before)
    listed = ", ".join(labels)
    if change.kind == "eliminate":
        return _("Removed {steps}.").format(steps=listed)
    if change.kind == "compose":
        return _("Merged {steps} into one step.").format(steps=listed)
    if change.kind == "parallelise":
        return _("{steps} now run side by side instead of one after the other.").format(
            steps=listed
        )
    if change.kind in ("resequence", "relocate-check") and len(labels) == 2:
        return _(
            "Moved the check {check} earlier, before {other}: incomplete files are "
            "turned back sooner."
        ).format(check=labels[0], other=labels[1])
    if change.kind == "automate":
        return _("{step} is done by a system step instead of a person.").format(step=listed)
    if change.kind == "fast-lane":
        return _("Simple cases now skip {step}.").format(step=listed)
    if change.kind == "integrate":
        return _("A paper hand-over now passes as data between the systems.")
    if change.kind == "one-stop":
        return _("One counter takes the file: the applicant no longer goes to {steps}.").format(
            steps=listed
        )
    if change.kind == "move-staff" and getattr(change, "staff", None):
        (to_lane, people), (from_lane, _minus) = change.staff
        return ngettext(
            "{n} person moves from {source} to {target}; the procedure is unchanged.",
            "{n} people move from {source} to {target}; the procedure is unchanged.",
            people,
        ).format(n=people, source=from_lane, target=to_lane)
    if change.kind == "reassign" and len(change.elements) == 2:
        lane = (after or before).lanes.get(change.elements[1]) if (after or before) else None
        office = getattr(lane, "name", None) or change.elements[1]
        return _("Gave {step} to {office}.").format(step=labels[0], office=office)
    return change.description


def format_value(m, value) -> str:
    """A value of measure ``m`` as a reader expects it (whole counts, rupiah, percent)."""
    if value is None or value != value:
        return "–"
    if m.unit == "share":
        return format_percent(max(0.0, min(1.0, value)))
    if m.unit == "IDR":
        return "Rp " + format_number(value, 0)
    if m.kind == "structure":
        return format_number(value, 0)
    return format_number(value, 1 if m.unit in ("handoffs", "approvals", "hours") else 2)


def _units(m, value: float) -> str:
    unit = {
        "working days": ngettext("working day", "working days", 2 if abs(value) != 1 else 1),
        "hours": _("hours"),
        "steps": _("steps"),
        "handoffs": _("handoffs"),
        "approvals": _("approvals"),
        "lanes": _("offices"),
    }.get(m.unit, "")
    text = format_value(m, abs(value))
    return f"{text} {unit}".strip()


def verdict(m) -> tuple[str, str]:
    """``(css class, words)``: did this measure really change, and for the better?"""
    if not m.change:
        return "", _("no change")
    good = (m.change < 0) == (m.better == "lower")
    if m.kind == "structure":
        return ("better" if good else "worse"), _("counted on the diagrams")
    if m.p_value is None:
        return "", _("too few repetitions to tell")
    if not m.significant:
        return "", _("no clear change: could be chance")
    return ("better" if good else "worse"), (_("clearly better") if good else _("clearly worse"))


def plain_rows(comparison) -> list:
    """The measures of the plain table, in :data:`SUMMARY_KEYS` order."""
    by_key = {m.key: m for m in comparison.metrics}
    return [by_key[k] for k in SUMMARY_KEYS if k in by_key]


def _saving(m) -> str | None:
    if m is None or not m.change or not m.significant or (m.change < 0) != (m.better == "lower"):
        return None
    pct = f" ({format_percent(abs(m.pct) / 100)})" if m.pct is not None else ""
    if m.key == "cycle_days_mean":
        return _("a request takes {after} instead of {before} on average: {diff} less{pct}").format(
            after=_units(m, m.after), before=_units(m, m.before), diff=_units(m, m.change), pct=pct
        )
    if m.key == "staff_hours":
        return _("{diff} less work per request, counting the applicant's own time").format(
            diff=_units(m, m.change)
        )
    if m.key == "cost":
        return _("{diff} less per request").format(diff=format_value(m, abs(m.change)))
    if m.key == "handoffs":
        return _("the file changes hands {diff} fewer times").format(
            diff=format_number(abs(m.change), 1)
        )
    return None


def _not_better(comparison) -> list[str]:
    """Sentences on the measures that do not clearly improve: unclear, unchanged, worse."""
    out: list[str] = []
    flat: list[str] = []
    unclear: list[str] = []  # a change that may be chance is not "does not improve"
    worse: list[str] = []
    for m in plain_rows(comparison):
        if m.kind == "structure":
            continue
        cls, _words = verdict(m)
        if cls != "better":
            (worse if cls == "worse" else flat if not m.change else unclear).append(
                _("{measure} ({before} before, {after} after)").format(
                    measure=_(m.label).lower(),
                    before=format_value(m, m.before),
                    after=format_value(m, m.after),
                )
            )
    if unclear:
        out.append(
            _("No clear change (the difference could be chance): {items}.").format(
                items="; ".join(unclear)
            )
        )
    if flat:
        out.append(_("What does not change: {items}.").format(items="; ".join(flat)))
    if worse:
        out.append(_("What gets worse: {items}.").format(items="; ".join(worse)))
    if not (flat or unclear or worse) and comparison.replications:
        out.append(_("Every simulated measure in the table improves."))
    return out


def _steps_added(steps, removed: int) -> list[str]:
    """A sentence when the step count does not fall by the steps removed (QA: a throw event
    integrated into a send task is a step more), so "removes 1 step" and "17 -> 17" agree."""
    if steps is None:
        return []
    added = int(steps.after - steps.before) + removed
    if added <= 0:
        return []
    if steps.change:
        return [
            ngettext(
                "The other changes add {n} step, so the count goes from {before} to {after}.",
                "The other changes add {n} steps, so the count goes from {before} to {after}.",
                added,
            ).format(n=added, before=format_number(steps.before), after=format_number(steps.after))
        ]
    return [
        ngettext(
            "Yet the other changes add {n} step, so the count stays at {count}.",
            "Yet the other changes add {n} steps, so the count stays at {count}.",
            added,
        ).format(n=added, count=format_number(steps.before))
    ]


def summary_paragraph(comparison, changes=(), before=None, after=None) -> str:
    """The report's summary in plain words (one paragraph, no statistics jargon)."""
    parts = []
    if changes:
        removed = [c for c in changes if c.kind == "eliminate"]
        other = [c for c in changes if c.kind != "eliminate"]
        what = []
        if removed:
            what.append(
                ngettext(
                    "removes {n} step ({steps})", "removes {n} steps ({steps})", len(removed)
                ).format(
                    n=len(removed), steps=", ".join(n for c in removed for n in _names(c, before))
                )
            )
        if other:
            what.append(
                ngettext("makes {n} other change", "makes {n} other changes", len(other)).format(
                    n=len(other)
                )
            )
        parts.append(_("The redesign {what}.").format(what=_(" and ").join(what)))
    if comparison is None:
        return " ".join(parts)
    by_key = {m.key: m for m in comparison.metrics}
    if changes:
        parts.extend(_steps_added(by_key.get("activities"), len(removed)))
    savings = [
        s
        for s in (
            _saving(by_key.get(k)) for k in ("cycle_days_mean", "staff_hours", "cost", "handoffs")
        )
        if s
    ]
    if savings:
        parts.append(_("What it saves: {savings}.").format(savings="; ".join(savings)))
    elif comparison.replications:
        parts.append(_("The simulation shows no clear saving in time or cost."))
    parts.extend(_not_better(comparison))
    cycle = by_key.get("cycle_days_mean")
    if cycle is not None and comparison.replications:
        if cycle.significant and cycle.ci_change:
            lo, hi = sorted(abs(x) for x in cycle.ci_change)
            parts.append(
                _(
                    "How sure we are: we simulated {cases} requests {reps} times on each side. "
                    "In 95 of 100 repetitions of this study, a range worked out this way holds "
                    "the true change; here the average time changes by between {lo} and {hi} "
                    "working days. The numbers rest on the assumptions listed in this report."
                ).format(
                    cases=format_number(comparison.cases),
                    reps=comparison.replications,
                    lo=format_number(lo, 2),
                    hi=format_number(hi, 2),
                )
            )
        else:
            parts.append(
                _(
                    "How sure we are: we simulated {cases} requests {reps} times on each side, and "
                    "the change in average time is within what chance alone produces; it is not "
                    "shown to be real."
                ).format(cases=format_number(comparison.cases), reps=comparison.replications)
            )
    return " ".join(parts)
