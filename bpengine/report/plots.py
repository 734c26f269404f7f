"""The before/after plots of the report: cycle-time distributions overlaid, waiting by lane.

Drawn with matplotlib (imported on first use, on the Agg backend: no display needed) from the
two :class:`~bpengine.sim.SimulationResult` that :func:`bpengine.compare` compares.
"""

from __future__ import annotations

import numpy as np

from ..i18n import _

__all__ = ["plots_for"]


def plots_for(before_result, after_result) -> dict:
    """The report's plots: cycle-time distributions overlaid, waiting by lane."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = {}
    fig, ax = plt.subplots(figsize=(9, 3.6))
    both = np.concatenate([before_result.cycle_days, after_result.cycle_days])
    bins = np.linspace(0, float(np.percentile(both, 99.5)) if len(both) else 1, 50).tolist()
    ax.hist(before_result.cycle_days, bins=bins, alpha=0.55, color="#d84315", label=_("before"))
    ax.hist(after_result.cycle_days, bins=bins, alpha=0.55, color="#2e7d32", label=_("after"))
    ax.set_xlabel(_("cycle time (working days)"))
    ax.set_ylabel(_("cases"))
    ax.legend()
    out[_("Cycle time per case, before and after")] = fig
    lanes = list(
        dict.fromkeys(
            [x["lane"] for x in before_result.lanes] + [x["lane"] for x in after_result.lanes]
        )
    )
    wb = {x["lane"]: x["waiting_minutes_per_case"] / 60 for x in before_result.lanes}
    wa = {x["lane"]: x["waiting_minutes_per_case"] / 60 for x in after_result.lanes}
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(lanes) + 1.2))
    y = np.arange(len(lanes))
    ax.barh(y - 0.2, [wb.get(n, 0) for n in lanes], 0.4, color="#d84315", label=_("before"))
    ax.barh(y + 0.2, [wa.get(n, 0) for n in lanes], 0.4, color="#2e7d32", label=_("after"))
    ax.set_yticks(y, lanes)
    ax.invert_yaxis()
    ax.set_xlabel(_("waiting per case (hours)"))
    ax.legend()
    out[_("Waiting by lane, before and after")] = fig
    return out
