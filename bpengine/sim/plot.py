"""Draw what a decision maker asks first: how long residents wait, and where.

Left: the distribution of cycle time in working days over every measured case, with the
legal service standard marked. Right: the mean waiting per case in each lane, split into
queueing (staff busy), batching and off-hours. matplotlib's non-interactive Agg backend is
used so this works on a server without a display.
"""

from __future__ import annotations

import os

from ..errors import BpengineError
from ..i18n import _

__all__ = ["plot_result", "plot_sweep"]


def plot_result(result, path: str | os.PathLike) -> None:
    """Save the cycle-time histogram and waiting-by-lane bars of ``result`` to ``path``.

    Raises
    ------
    BpengineError
        The file cannot be written (unknown image format, missing folder).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    days = result.cycle_days
    if len(days):
        left.hist(days, bins=min(60, max(10, len(days) // 50)), color="#4477aa")
    sla = result.service_standard_days
    if sla is not None:
        minutes = sla * result.working_minutes_per_day
        label = (
            f"{sla:.3g} working days"
            if sla >= 1
            else f"{minutes / 60:.3g} working hours"
            if minutes >= 60
            else f"{minutes:.3g} working min"
        )
        left.axvline(sla, color="#cc3311", linestyle="--", label=f"service standard {label}")
        # above the bars, so the legend never hides the tallest of them
        left.set_ylim(top=left.get_ylim()[1] * 1.18)
        left.legend(loc="upper right" if sla < left.get_xlim()[1] * 0.6 else "upper left")
    left.set_xlabel("cycle time (working days)")
    left.set_ylabel("cases")
    left.set_title("cycle time per case")
    fig.suptitle(
        f"{result.model_name}: {result.cases} cases × {result.replications} "
        f"replication{'s' if result.replications != 1 else ''}"
    )

    lanes = [lane["lane"] for lane in result.lanes]
    parts: dict[str, list[float]] = {
        "queue (staff busy)": [],
        "batch (sign-off round)": [],
        "office closed": [],
    }
    for lane in lanes:
        tasks = [t for t in result.tasks if t["lane"] == lane]
        for key, col in (
            ("queue (staff busy)", "queueing_minutes"),
            ("batch (sign-off round)", "batching_minutes"),
            ("office closed", "off_hours_minutes"),
        ):
            parts[key].append(sum(t[col] * t["executions_per_case"] for t in tasks) / 60)
    bottom = [0.0] * len(lanes)
    for (key, values), color in zip(parts.items(), ("#ee7733", "#009988", "#bbbbbb"), strict=True):
        right.barh(lanes, values, left=bottom, label=key, color=color)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    right.invert_yaxis()  # lanes top to bottom in model order, as in the tables
    right.set_xlabel("waiting per case (hours)")
    right.set_title("waiting per case, by lane")
    right.legend(loc="best")
    fig.tight_layout()
    _save(fig, path)


def plot_sweep(sweep, path: str | os.PathLike) -> None:
    """Save cycle time (working days, with 95% intervals) against the first varied value.

    One line per combination of the other varied values; with a varied lane, a second
    panel shows that lane's offered load (work arriving per staff hour), where the queue
    grows without bound from 1 on.

    Raises
    ------
    BpengineError
        The file cannot be written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lanes = sweep.lanes_varied()
    fig, axes = plt.subplots(1, 2 if lanes else 1, figsize=(12 if lanes else 7, 4.5), squeeze=False)
    left = axes[0][0]
    first, rest = sweep.paths[0], sweep.paths[1:]
    series: dict[tuple, list] = {}
    for p in sweep.points:
        series.setdefault(tuple(p.values[k] for k in rest), []).append(p)
    numeric = all(isinstance(p.values[first], (int, float)) for p in sweep.points)
    for key, points in series.items():
        xs = [p.values[first] if numeric else str(p.values[first]) for p in points]
        kpis = [p.result.kpis["cycle_time_working_days"] for p in points]
        means = [k.mean for k in kpis]
        errs = [
            [max(k.mean - k.low, 0) if k.low == k.low else 0 for k in kpis],
            [max(k.high - k.mean, 0) if k.high == k.high else 0 for k in kpis],
        ]
        label = ", ".join(f"{k}={v}" for k, v in zip(rest, key, strict=True)) or None
        left.errorbar(xs, means, yerr=errs, marker="o", capsize=3, label=label)
        for lane in lanes:
            load = [p.lane_offered_load(lane) for p in points]
            axes[0][1].plot(
                xs,
                [x if x is not None else float("nan") for x in load],
                marker="o",
                label=f"{lane}" + (f" ({label})" if label else ""),
            )
    if numeric and all(isinstance(p.values[first], int) for p in sweep.points):
        ticks = sorted({p.values[first] for p in sweep.points})  # 1, 2, 3 officers, not 1.25
        for ax in axes[0]:
            ax.set_xticks(ticks)
    left.set_xlabel(first)
    left.set_ylabel("cycle time (working days, 95% CI)")
    left.set_title("cycle time per case")
    left.set_ylim(bottom=0)
    if len(series) > 1:
        left.legend(loc="best")
    if lanes:
        right = axes[0][1]
        right.axhline(1, color="#cc3311", linestyle="--", label="1: the queue grows for ever")
        right.set_xlabel(first)
        right.set_ylabel("offered load (work in / staff time)")
        right.set_title("offered load of the lanes varied")
        right.set_ylim(bottom=0)
        right.legend(loc="best")
    fig.suptitle(
        f"{sweep.model_name}: {sweep.cases} cases × {sweep.replications} "
        f"replication{'s' if sweep.replications != 1 else ''} per point, seed "
        f"{sweep.seed}"
    )
    fig.tight_layout()
    _save(fig, path)


def _save(fig, path) -> None:
    """Write the figure (format from the suffix) and free it, a bad path as one line."""
    import matplotlib.pyplot as plt

    try:
        fig.savefig(path)
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise BpengineError(
            _("--plot {path}: cannot write the plot: {why}").format(path=path, why=why)
        ) from None
    finally:
        plt.close(fig)
