"""Where a case's time goes: waiting and processing per case, as unions over its steps.

A case's steps can overlap (parallel branches, inclusive splits, multi-instance tasks), so
summing each step's waiting double-counts: two branches waiting side by side for four
hours are four hours of the case's life, not eight. Every per-case figure here is
therefore the length of a *union* of intervals, as Prosimos computes its case KPIs
(``simulation_stats_calculator.compute_execution_times``), and never exceeds the cycle
time. The intervals of one step (a task execution) are

- waiting: from enabled to start (ready, nobody working on it yet), of which
  - batching: enabled to released (held for a sign-off round),
  - queueing: the rest of the waiting in working hours (a free person was lacking);
- processing: from start to end, of which the working part is someone at work on it and
  the rest is the step lying paused while the office is closed (Prosimos' ``idle_time``).

Working and closed-office parts are measured with the calendar of the lane working on the
step. Where two overlapping steps of lanes with *different* calendars cover the same
stretch, the stretch is measured with the calendar of the step that began first.
"""
from __future__ import annotations

import numpy as np

__all__ = ["union_pieces", "union_length", "measured"]


def union_pieces(case: np.ndarray, start: np.ndarray, end: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The part of each interval not covered by an earlier-starting interval of its case.

    Parameters
    ----------
    case : array of int
        The case each interval belongs to.
    start, end : array of float
        The intervals (``end >= start``).

    Returns
    -------
    (piece_start, piece_end) : arrays of float, in the order of the input
        Disjoint within a case; together they cover exactly the union of the case's
        intervals, so ``piece_end - piece_start`` summed per case is the union's length.
        A piece may be empty (``piece_start == piece_end``).

    Examples
    --------
    >>> import numpy as np
    >>> s, e = union_pieces(np.array([0, 0, 1]), np.array([0., 2., 0.]),
    ...                     np.array([4., 6., 4.]))
    >>> (e - s).tolist()   # case 0: [0, 4] and [2, 6] cover 6; case 1 has its own 4
    [4.0, 2.0, 4.0]
    """
    case = np.asarray(case, dtype=np.int64)
    start = np.asarray(start, dtype=float)
    end = np.maximum(np.asarray(end, dtype=float), start)
    n = len(case)
    if n == 0:
        return start.copy(), end.copy()
    order = np.lexsort((start, case))
    c, s, e = case[order], start[order], end[order]
    # running maximum of the ends within each case, exactly: on integer ranks of the end
    # times, lifted by case number so one case's maximum never leaks into the next
    values, rank = np.unique(e, return_inverse=True)
    lift = c * (len(values) + 1)
    upto = np.maximum.accumulate(rank.astype(np.int64) + lift) - lift
    prev = np.full(n, -np.inf)
    same = np.empty(n, dtype=bool)
    same[0] = False
    same[1:] = c[1:] == c[:-1]
    prev[1:] = np.where(same[1:], values[upto[:-1]], -np.inf)
    ps, pe = np.maximum(s, prev), np.maximum(e, prev)
    out_s, out_e = np.empty(n), np.empty(n)
    out_s[order], out_e[order] = ps, pe
    return out_s, out_e


def union_length(case, start, end, n_cases: int) -> np.ndarray:
    """Length of the union of each case's intervals (index: case number)."""
    ps, pe = union_pieces(case, start, end)
    return np.bincount(np.asarray(case, dtype=np.int64), weights=pe - ps, minlength=n_cases)


def measured(clocks, lane: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Working minutes between ``start`` and ``end`` of each row, on its lane's clock.

    ``clocks[k]`` is the :class:`~bpengine.scenario.calendar.WorkingClock` of lane ``k``.
    """
    out = np.zeros(len(lane))
    for k, clock in enumerate(clocks):
        sel = lane == k
        if sel.any():
            out[sel] = clock.worked_array(end[sel]) - clock.worked_array(start[sel])
    return out
