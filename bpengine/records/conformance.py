"""`conformance`: how well the logged cases follow the model, and where they leave it.

Every case is aligned with the model (:mod:`.replay`). Its deviations are read off the
alignment: a logged step no task matches is *unknown*; a step the model needed but the
log lacks is *skipped*; a logged step the model did not allow there is *inserted*; a task
both skipped and inserted in one case was done *out of order* (reordered: e.g. signed
before it was checked). Fitness is the alignment fitness of the whole log,
``1 - cost / (events + cases x shortest run)``: 1 when every case fits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html import escape

from ..i18n import _, format_number
from .matching import match_activities
from .replay import replay_log

__all__ = ["Deviation", "ConformanceResult", "conformance", "KINDS"]

#: deviation kinds, in the order they are reported
KINDS = ("skipped", "inserted", "reordered", "unknown")
EXAMPLES = 3
#: the widest a column of the text table gets
WIDTH = 60


def _cut(text: str, width: int) -> str:
    """``text`` in ``width`` characters, ending in '…' where cut (never cut silently)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _examples(cases, width: int) -> str:
    """The first example case ids that fit ``width`` whole, then '…' for the others."""
    shown = list(cases[:EXAMPLES])
    while len(shown) > 1 and len(", ".join(shown)) > width:
        shown.pop()
    more = ", …" if len(shown) < len(cases) else ""
    return ", ".join(shown) + more


@dataclass
class Deviation:
    """One kind of deviation on one step, over the whole log."""

    kind: str
    activity: str
    name: str
    times: int = 0
    cases: list[str] = field(default_factory=list)  # every case it happened in, log order

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "activity": self.activity,
            "name": self.name,
            "times": self.times,
            "cases": len(self.cases),
            "example_cases": self.cases[:EXAMPLES],
        }


@dataclass
class ConformanceResult:
    """What :func:`conformance` found.

    Attributes
    ----------
    cases, fitting : int
        Cases in the log, and those the model replays without a deviation.
    fitness : float
        Alignment fitness of the log (1: every case fits).
    deviations : list of Deviation
        By kind, then by how many cases.
    not_fitting : list of str
        Ids of the cases that do not fit, in log order.
    """

    model: str
    log: str
    cases: int
    fitting: int
    fitness: float
    deviations: list[Deviation]
    not_fitting: list[str]
    warnings: list[str] = field(default_factory=list)

    def by_kind(self, kind: str) -> list[Deviation]:
        return [d for d in self.deviations if d.kind == kind]

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "log": self.log,
            "cases": self.cases,
            "fitting_cases": self.fitting,
            "fitness": round(self.fitness, 6),
            "deviations": [d.to_dict() for d in self.deviations],
            "not_fitting_examples": self.not_fitting[:10],
            "warnings": self.warnings,
        }

    def headline(self) -> str:
        share = self.fitting / self.cases if self.cases else 1.0
        return _("{fitting} of {cases} cases ({share}) follow the model; fitness {fitness}").format(
            fitting=self.fitting,
            cases=self.cases,
            share=format_number(100 * share, 1) + "%",
            fitness=format_number(self.fitness, 3),
        )

    def table(self) -> str:
        """Plain text: the headline and one line per deviation."""
        lines = [
            _("Conformance of {log} to {model}").format(log=self.log, model=self.model),
            self.headline(),
        ]
        if not self.deviations:
            lines.append(_("no deviations"))
            return "\n".join(lines)
        rows = [(_("deviation"), _("step"), _("cases"), _("times"), _("e.g. cases"))]
        for d in self.deviations:
            label = d.activity + (f" ({d.name})" if d.name and d.name != d.activity else "")
            rows.append(
                (_(d.kind), label, str(len(d.cases)), str(d.times), _examples(d.cases, WIDTH))
            )
        widths = [min(max(len(r[i]) for r in rows), WIDTH) for i in range(5)]
        for r in rows:
            lines.append(
                "  ".join(
                    _cut(c, widths[i]).ljust(widths[i]) if i in (0, 1, 4) else c.rjust(widths[i])
                    for i, c in enumerate(r)
                ).rstrip()
            )
        return "\n".join(lines)

    def html_section(self, _=lambda text: text) -> str:
        """A ``<section>`` for the HTML report (escaped, no script, no external file).

        ``_`` translates its sentences (the report passes :func:`bpengine.i18n._`).
        """
        words = {
            "skipped": _("the model needs it, the case did not do it"),
            "inserted": _("done where the model does not allow it"),
            "reordered": _("done, but out of the model's order"),
            "unknown": _("a logged step no task of the model matches"),
        }
        kinds = {
            "skipped": _("skipped"),
            "inserted": _("inserted"),
            "reordered": _("reordered"),
            "unknown": _("unknown step"),
        }
        share = self.fitting / self.cases if self.cases else 1.0
        head = _("{fitting} of {cases} cases ({share}) follow the model; fitness {fitness}").format(
            fitting=self.fitting,
            cases=self.cases,
            share=format_number(100 * share, 1) + "%",
            fitness=format_number(self.fitness, 3),
        )
        title, records = _("How the records follow the model"), _("records")
        out = [
            f'<section id="conformance"><h2>{escape(title)}</h2>',
            f"<p>{escape(head)} ({escape(records)}: {escape(self.log)}).</p>",
        ]
        if self.deviations:
            cols = (_("Deviation"), _("Step"), _("Cases"), _("Times"), _("For example"))
            out.append("<table><tr>" + "".join(f"<th>{escape(c)}</th>" for c in cols) + "</tr>")
            for d in self.deviations:
                step = escape(d.name or d.activity) + (
                    f' <span class="range">{escape(d.activity)}</span>'
                    if d.name and d.name != d.activity
                    else ""
                )
                out.append(
                    f'<tr><td title="{escape(words[d.kind])}">{escape(kinds[d.kind])}'
                    f'</td><td>{step}</td><td class="num">{len(d.cases)}</td>'
                    f'<td class="num">{d.times}</td>'
                    f"<td>{escape(', '.join(d.cases[:EXAMPLES]))}</td></tr>"
                )
            out.append("</table>")
            out.append(
                "<p>"
                + "; ".join(f"<b>{escape(kinds[k])}</b>: {escape(w)}" for k, w in words.items())
                + ".</p>"
            )
        else:
            none = _("No deviations: every case follows the model.")
            out.append(f"<p>{escape(none)}</p>")
        out.append("</section>")
        return "".join(out)


def _case_deviations(game, case) -> list[tuple[str, str]]:
    """(kind, activity) of every deviation in one aligned case."""
    logged: Counter = Counter()
    needed: Counter = Counter()
    out = []
    for move in case.alignment.moves:
        if move.kind == "log":
            task = case.tasks[move.event]
            if task is None:
                out.append(("unknown", case.events[move.event].activity))
            else:
                logged[task] += 1
        elif move.kind == "model":
            needed[game.transitions[move.transition].label] += 1
    for task in sorted(set(logged) | set(needed)):
        both = min(logged[task], needed[task])
        out += [("reordered", task)] * both
        out += [("inserted", task)] * (logged[task] - both)
        out += [("skipped", task)] * (needed[task] - both)
    return out


def conformance(
    model, log, mapping: dict | None = None, mapping_source: str = "mapping"
) -> ConformanceResult:
    """Replay ``log`` on ``model``: which cases fit, which deviate and how.

    Parameters
    ----------
    model : ProcessModel
    log : EventLog
    mapping : dict, optional
        Log activity -> task id or name, where they differ.

    Raises
    ------
    LogError
        None of the logged activities is a task of the model.
    """
    tasks_of = match_activities(model, log, mapping, mapping_source)
    replay = replay_log(model, log, tasks_of)
    found: dict = {}
    not_fitting = []
    for case in replay.cases:
        devs = _case_deviations(replay.game, case)
        if devs or not case.alignment.fits:
            not_fitting.append(case.case)
        for kind, activity in devs:
            d = found.get((kind, activity))
            if d is None:
                el = model.elements.get(activity)
                d = found[kind, activity] = Deviation(kind, activity, el.name if el else "")
            d.times += 1
            if not d.cases or d.cases[-1] != case.case:
                d.cases.append(case.case)
    order = {k: i for i, k in enumerate(KINDS)}
    deviations = sorted(found.values(), key=lambda d: (order[d.kind], -len(d.cases), d.activity))
    warnings = list(log.warnings)
    gave_up = [c.case for c in replay.cases if c.alignment.gave_up]
    if gave_up:
        warnings.append(
            f"{len(gave_up)} case(s) too far from the model to align within the "
            f"search limit (e.g. {', '.join(gave_up[:3])}): all their steps are "
            "counted as inserted"
        )
    warnings += replay.game.notes
    return ConformanceResult(
        model.name,
        log.source,
        len(replay.cases),
        len(replay.cases) - len(not_fitting),
        replay.fitness,
        deviations,
        not_fitting,
        warnings,
    )
