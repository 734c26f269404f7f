"""Before/after: structural metrics of two models and their simulated KPIs, side by side.

:func:`structure` counts what a model is made of (steps, approvals, handoffs between
lanes). :func:`compare` adds simulated KPIs for both models on the same scenario with the
same seed (common random numbers, as far as the simulator's streams allow), with 95%
confidence intervals over replications and Welch's t-test on the replication means, so
every difference is stated together with whether it is real.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import networkx as nx

from ..i18n import N_, _, format_number, format_percent
from ..model import ProcessModel, mandatory_steps
from ..model.graph import next_activities
from .significance import mean_ci, welch

__all__ = [
    "Metric",
    "Comparison",
    "structure",
    "structural_metrics",
    "simulated_metric",
    "STRUCTURE_LABELS",
]

#: structural metric key -> (label, unit)
STRUCTURE_LABELS = {
    "activities": (N_("Steps (activities)"), "steps"),
    "approvals": (N_("Approval steps"), "steps"),
    "mandatory": (N_("Mandatory steps"), "steps"),
    "lanes": (N_("Roles involved (lanes with work)"), "lanes"),
    "handoffs": (N_("Handoffs between lanes in the model"), "handoffs"),
    "gateways": (N_("Gateways"), "gateways"),
    # collaborations only: message flows one case passes between pools (agencies)
    "handovers": (N_("Hand-overs between pools"), "hand-overs"),
    "paper_handovers": (N_("Paper hand-overs between pools"), "hand-overs"),
}
_POOLS_ONLY = ("handovers", "paper_handovers")


def _signed(value: float, digits: int) -> str:
    """``+1,234`` / ``-0.25``: the sign always shown, the number in the current language."""
    return ("-" if value < 0 and round(value, digits) else "+") + format_number(abs(value), digits)


# units as the table prints them
_UNITS = (
    N_("steps"),
    N_("lanes"),
    N_("handoffs"),
    N_("gateways"),
    N_("working days"),
    N_("hours"),
    N_("IDR"),
    N_("share"),
    N_("approvals"),
    N_("hand-overs"),
)


@dataclass(frozen=True)
class Metric:
    """One row of the before/after table.

    ``kind`` is ``"structure"`` (counted on the model: exact), ``"observed"`` (a mean over
    logged cases, with its CI and Welch's p-value over cases) or ``"simulated"`` (a mean
    over replications, with its CI and Welch's p-value). ``better`` says which direction
    is an improvement.
    """

    key: str
    label: str
    unit: str
    kind: str
    before: float
    after: float
    ci_before: tuple[float, float] | None = None
    ci_after: tuple[float, float] | None = None
    ci_change: tuple[float, float] | None = None
    p_value: float | None = None
    better: str = "lower"
    samples: tuple = field(default=(), compare=False, repr=False)
    basis: str = N_("replication means")

    @property
    def change(self) -> float:
        return self.after - self.before

    @property
    def pct(self) -> float | None:
        return None if not self.before else 100.0 * self.change / abs(self.before)

    @property
    def significant(self) -> bool:
        if self.kind == "structure":
            return self.change != 0
        return self.p_value is not None and self.p_value < 0.05

    def format(self, value: float, ci=None) -> str:
        """A value (with its CI) as the table shows it: counts whole, shares in percent."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        if self.unit == "share":  # a share's interval cannot leave [0, 1]
            text = format_percent(value)
            if ci and ci[0] != ci[1]:
                text += (
                    " ["
                    + _("{low}, {high}").format(
                        low=format_percent(max(0.0, ci[0])), high=format_percent(min(1.0, ci[1]))
                    )
                    + "]"
                )
            return text
        digits = 0 if self._whole(value) else 2
        text = format_number(value, digits)
        if ci and ci[0] != ci[1]:
            text += (
                " ["
                + _("{low}, {high}").format(
                    low=format_number(ci[0], digits), high=format_number(ci[1], digits)
                )
                + "]"
            )
        return text

    def _whole(self, value: float) -> bool:
        return self.kind == "structure" or abs(value) >= 1000

    def format_change(self) -> str:
        pct = f" ({_signed(self.pct, 1)}%)" if self.pct is not None else ""
        if self.unit == "share":
            return _("{n} points").format(n=_signed(100 * self.change, 1))
        return _signed(self.change, 0 if self._whole(self.before) else 2) + pct

    def statement(self) -> str:
        """Whether the difference is real, in one plain sentence."""
        if self.kind == "structure":
            return _("counted on the models (exact)") if self.change else _("no change")
        if self.p_value is None:
            return _("one replication per side: no test possible; run more replications")
        p = (
            "p < " + format_number(0.001, 3)
            if self.p_value < 0.001
            else "p = " + format_number(self.p_value, 3)
        )
        if self.significant:
            return _("statistically significant (Welch t-test over {basis}, {p})").format(
                basis=_(self.basis), p=p
            )
        return _("not statistically significant ({p}): the difference may be chance").format(p=p)

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "unit": self.unit,
            "kind": self.kind,
            "before": self.before,
            "after": self.after,
            "change": self.change,
            "pct_change": self.pct,
            "ci_before": self.ci_before,
            "ci_after": self.ci_after,
            "ci_change": self.ci_change,
            "p_value": self.p_value,
            "significant": self.significant,
            "statement": self.statement(),
        }


@dataclass(frozen=True)
class Comparison:
    """The before/after table of two models on one scenario."""

    before: str
    after: str
    metrics: tuple[Metric, ...]
    cases: int = 0
    replications: int = 0
    seed: int | None = None
    scenario: str = "defaults"
    observed: tuple | None = None  # (cases before, cases after, log before, log after)

    def get(self, key: str) -> Metric:
        for m in self.metrics:
            if m.key == key:
                return m
        raise KeyError(key)

    def basis(self) -> str:
        if self.observed:
            return _(
                "Observed cases: {before} before, {after} after (from the logs {log_before} "
                "and {log_after}); calendar, costs and service standard: {scenario}. "
                "Brackets: confidence intervals at 95% (over cases); tests: Welch t-test over "
                "cases."
            ).format(
                before=self.observed[0],
                after=self.observed[1],
                log_before=self.observed[2],
                log_after=self.observed[3],
                scenario=self.scenario,
            )
        if not self.replications:
            return _("Structural comparison only (no simulation).")
        return _(
            "Simulated {cases} cases x {replications} replications per side, seed {seed} "
            "on both sides (common random numbers); scenario: {scenario}. Brackets: "
            "confidence intervals at 95%."
        ).format(
            cases=self.cases, replications=self.replications, seed=self.seed, scenario=self.scenario
        )

    def headline(self) -> str:
        parts = []
        for key in ("cycle_days_mean", "handoffs"):
            try:
                m = self.get(key)
            except KeyError:
                continue
            if m.change and m.significant:
                verb = (
                    _("{what} falls by {n} {unit}")
                    if m.change < 0
                    else _("{what} rises by {n} {unit}")
                )
                parts.append(
                    verb.format(
                        what=_(m.label).lower(), n=format_number(abs(m.change), 2), unit=_(m.unit)
                    )
                    + (f" ({m.pct:+.0f}%)" if m.pct is not None else "")
                )
        return _("The redesign: {changes}.").format(changes="; ".join(parts)) if parts else ""

    def to_dict(self) -> dict:
        return {
            "before": self.before,
            "after": self.after,
            "cases": self.cases,
            "replications": self.replications,
            "seed": self.seed,
            **(
                {
                    "observed": dict(
                        zip(
                            ("cases_before", "cases_after", "log_before", "log_after"),
                            self.observed,
                            strict=True,
                        )
                    )
                }
                if self.observed
                else {}
            ),
            "scenario": self.scenario,
            "metrics": [m.to_dict() for m in self.metrics],
        }

    def table(self) -> str:
        """A plain-text table for the terminal."""
        head = (_("measure"), _("before"), _("after"), _("change"), _("significance"))
        rows = [
            (
                f"{_(m.label)} [{_(m.unit)}]",
                m.format(m.before, m.ci_before),
                m.format(m.after, m.ci_after),
                m.format_change(),
                m.statement(),
            )
            for m in self.metrics
        ]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(head[:4], widths, strict=True)) + "  " + head[4]
        ]
        lines += [
            "  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)) + "  " + r[4]
            for r in rows
        ]
        return "\n".join([self.basis(), *lines])


def _activity_graph(model: ProcessModel) -> nx.DiGraph:
    """Activities joined when a token can go from one to the next through non-activities."""
    acts = [e.id for e in model.elements.values() if e.is_activity]
    out: nx.DiGraph[str] = nx.DiGraph()
    out.add_nodes_from(acts)
    out.add_edges_from((a, n) for a in acts for n in next_activities(model, a))
    return out


def structural_metrics(model: ProcessModel) -> dict[str, float]:
    """Counts of what a model is made of (see :data:`STRUCTURE_LABELS`).

    ``handoffs`` counts the step-to-step connections that cross from one lane to another;
    ``mandatory`` the steps a redesign must keep, as the redesigner decides it
    (:func:`bpengine.model.mandate.mandatory_steps`: marked, a legal act or a last check).
    """
    els = model.elements
    acts = [e for e in els.values() if e.is_activity]
    ag = _activity_graph(model)
    return {
        "activities": len(acts),
        "approvals": sum(1 for e in acts if model.approval(e.id).is_approval),
        "mandatory": len(mandatory_steps(model)),
        "lanes": len({e.lane for e in acts if e.lane}),
        "handoffs": sum(1 for a, b in ag.edges if els[a].lane != els[b].lane),
        "gateways": sum(1 for e in els.values() if e.is_gateway),
        "handovers": len(model.case_handovers),
        "paper_handovers": sum(1 for h in model.case_handovers if h.is_paper),
    }


def structure(before: ProcessModel, after: ProcessModel) -> list[Metric]:
    """Structural metrics of both models as table rows."""
    sb, sa = structural_metrics(before), structural_metrics(after)
    pools = before.is_collaboration or after.is_collaboration
    return [
        Metric(
            k,
            *STRUCTURE_LABELS[k],
            "structure",
            sb[k],
            sa[k],
            better="higher" if k == "mandatory" else "lower",
        )
        for k in STRUCTURE_LABELS
        if pools or k not in _POOLS_ONLY
    ]


def simulated_metric(
    key: str,
    label: str,
    unit: str,
    before: list[float],
    after: list[float],
    better: str = "lower",
    basis: str = N_("replication means"),
    kind: str = "simulated",
) -> Metric:
    """A KPI row from per-replication values on both sides (or per-case values of
    observed cases: ``kind="observed"``, ``basis="observed cases"``)."""
    mb, lob, hib = mean_ci(before)
    ma, loa, hia = mean_ci(after)
    diff, lo, hi, p = welch(before, after)
    return Metric(
        key,
        label,
        unit,
        kind,
        mb,
        ma,
        (lob, hib),
        (loa, hia),
        (lo, hi),
        p,
        better,
        samples=(tuple(before), tuple(after)),
        basis=basis,
    )
