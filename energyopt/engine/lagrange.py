r"""A Lagrangian bound over windows of the year, priced by the LP's duals.

The LP relaxation's bound is weak where whole units matter: a large set serving a small night
load, a battery charged by a set at part load. This module lifts it without solving the
full-year MILP.

Cut the year into windows of days. Rows whose columns all lie in one window are that window's;
the other rows (the battery's state across a window's edge, annual sums, the convoy cuts, rows
of sizes only) are *dualized*: moved into the objective with the LP's duals :math:`y`. A
column of the whole period (a size, an annual total) that a window's rows use gets a copy per
window, the copies' prices summing with the master's to the column's own cost. For any
:math:`y` of the right signs,

.. math::

    L(y) = \sum_{i \in R_0} y_i b_i + \sum_j \min_{x_j} d_j x_j
           + \sum_w \min_{x \in X_w} c_w(y)^T x \;\le\; z^*

is a lower bound on the optimum :math:`z^*`, with :math:`X_w` window :math:`w`'s rows *with
whole units online*. So

.. math::

    z^* \ge z_{LP} + \sum_w \max(0,\ b_w - v_w)

at the LP's optimal duals (where :math:`L(y)` with the windows relaxed equals the LP's
optimum :math:`z_{LP}`), where :math:`v_w` is window :math:`w`'s LP optimum and :math:`b_w`
the proven bound of its MILP (HiGHS's dual bound, valid when stopped early). A window whose
LP solution already has whole units gains nothing and is skipped; the rest are solved in
order of their fractional units, so the bound rises as windows finish and can stop at any
time. Trucks and convoys stay continuous in the windows (a relaxation, so still valid): whole
convoys are the convoy split's job (:mod:`energyopt.engine.convoys`).

Measured on the Kidal team site (weekly windows, each MILP to 1e-4): the LP's 325,905 USD
rises to 329,461 USD; the training camp's 599,840 to 615,436 USD.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from energyopt.engine.budget import Budget
from energyopt.engine.problem import Problem
from energyopt.solve import Session, Status, solve_arrays

__all__ = ["LagrangianBound", "row_windows", "window_of_step"]


@dataclass
class _Window:
    index: int
    cols: np.ndarray        # local columns, then the copied period-wide columns
    n_local: int
    rows: np.ndarray
    weight: float           # fractional units online in the LP's solution


class LagrangianBound:
    """The bound of the module docstring for one LP solution and its duals.

    Parameters
    ----------
    problem : Problem
        The problem.
    lp : Session
        Its LP session, with the piece's variant (its bounds are the windows').
    lp_objective : float
        The LP's optimum [USD].
    x, duals : numpy.ndarray
        The LP's optimal solution and row duals.
    days : float
        Window length [days].
    """

    def __init__(self, problem: Problem, lp: Session, lp_objective: float, *,
                 x: np.ndarray, duals: np.ndarray, days: float = 7.0) -> None:
        mm = problem.mm
        self.problem = problem
        self.x = x.copy()
        y = duals.copy()
        self.col_lower, self.col_upper = lp.col_lower.copy(), lp.col_upper.copy()
        self.row_lower, self.row_upper = lp.row_lower.copy(), lp.row_upper.copy()
        self.base = float(lp_objective)
        step_window = window_of_step(problem, days)
        step = problem.step
        colwin = np.where(step >= 0, step_window[np.clip(step, 0, None)], -1)
        a = mm.a_rows
        row_win = row_windows(a, colwin)
        # duals of the dualized rows price the windows' columns
        y0 = np.where(row_win < 0, y, 0.0)
        self.cost = mm.cost - mm.a.T @ y0
        self.y = y
        integer = np.zeros(mm.n_cols, dtype=bool)
        integer[problem.commitment_cols[problem.commitment_cols >= 0]] = True
        integer[problem.count_cols[problem.count_cols >= 0]] = True
        self.integer = integer & mm.is_integer
        frac = np.abs(self.x - np.round(self.x)) > 1e-6
        self.windows: list[_Window] = []
        rows_by_win = _group(row_win)
        for w, rows in rows_by_win.items():
            sub = a[rows]
            used = np.unique(sub.indices)
            local_cols = used[colwin[used] == w]
            shared = used[colwin[used] < 0]
            weight = float(np.abs(self.x - np.round(self.x))[local_cols][
                self.integer[local_cols]].sum())
            if not (frac & self.integer)[np.concatenate([local_cols, shared])].any():
                continue  # its LP solution has whole units: nothing to gain
            self.windows.append(_Window(w, np.concatenate([local_cols, shared]),
                                        local_cols.size, rows, weight))
        self.windows.sort(key=lambda win: -win.weight)
        self.n_windows = len(rows_by_win)
        self.solved = 0
        self.closed = 0
        self._next = 0
        self._gain_of: dict[int, float] = {}
        self._open: list[_Window] = []   # solved, but stopped at their time limit
        self._lock = threading.Lock()

    @property
    def gain(self) -> float:
        """The windows' gain over the LP so far [USD]."""
        return sum(self._gain_of.values())

    @property
    def bound(self) -> float:
        """The bound so far [USD]."""
        return self.base + self.gain

    @property
    def remaining(self) -> int:
        """Windows not yet taken."""
        return len(self.windows) - self._next

    @property
    def complete(self) -> bool:
        """Whether every window was solved to its gap: the bound of these duals is final."""
        return self.closed == len(self.windows)

    def work(self, budget: Budget, *, most_s: float = 5.0,
             enough: Callable[[float], bool] | None = None) -> None:
        """Solve windows until none is left, the budget is spent or ``enough(bound)``.

        Thread-safe: several threads may work on the same bound.
        """
        while not budget.expired(0.05) and not (enough is not None and enough(self.bound)):
            with self._lock:
                if self._next >= len(self.windows):
                    return
                win = self.windows[self._next]
                self._next += 1
                remaining = len(self.windows) - self._next + 1
            limit = min(most_s, max(budget.left() / remaining, budget.left() * 0.2))
            gain, closed = self._solve(win, min(limit, budget.left()))
            with self._lock:
                self._gain_of[win.index] = gain
                self.solved += 1
                self.closed += int(closed)
                if not closed:
                    self._open.append(win)

    def retry(self, budget: Budget, *, workers: int = 1,
              enough: Callable[[float], bool] | None = None) -> None:
        """Solve again, with the time left, the windows stopped at their time limit.

        Each such window is solved once more with a share of the time left (``workers``
        threads share it) and keeps the higher of its two bounds: both are valid. Thread-safe.
        """
        while not budget.expired(0.05) and not (enough is not None and enough(self.bound)):
            with self._lock:
                if not self._open:
                    return
                win = self._open.pop(0)
                remaining = len(self._open) + 1
            limit = budget.left() * min(1.0, workers / remaining)
            gain, closed = self._solve(win, limit)
            with self._lock:
                self._gain_of[win.index] = max(gain, self._gain_of.get(win.index, 0.0))
                self.closed += int(closed)

    def _solve(self, win: _Window, limit_s: float) -> tuple[float, bool]:
        """Gain of one window (its MILP bound over its LP optimum) and whether it closed."""
        mm = self.problem.mm
        cols, rows = win.cols, win.rows
        sub = mm.a_rows[rows][:, cols]
        cost = self.cost[cols].copy()
        # a copy of a period-wide column carries the window's own share of its price
        cost[win.n_local:] = sub[:, win.n_local:].T @ self.y[rows]
        lower, upper = self.col_lower[cols], self.col_upper[cols]
        rlo, rhi = self.row_lower[rows], self.row_upper[rows]
        settings = replace(self.problem.settings, time_limit_s=max(limit_s, 0.05),
                           mip_rel_gap=1e-4, mip_abs_gap=1e-6)
        lp, _ = solve_arrays(cost, lower, upper, sub, rlo, rhi, None, settings)
        if lp.status != Status.OPTIMAL:
            return 0.0, False
        mip, _ = solve_arrays(cost, lower, upper, sub, rlo, rhi, self.integer[cols], settings)
        if not math.isfinite(mip.bound):
            return 0.0, False
        return max(mip.bound - lp.objective, 0.0), mip.status == Status.OPTIMAL


def row_windows(a: Any, col_window: np.ndarray) -> np.ndarray:
    """Window of each row of ``a`` (CSR) whose time-indexed columns lie in one window, else -1.

    ``col_window`` is each column's window (-1 for a column of the whole period).
    """
    nz_win = col_window[a.indices]
    row_of_nz = np.repeat(np.arange(a.shape[0]), np.diff(a.indptr))
    timed = nz_win >= 0
    lo = np.full(a.shape[0], np.iinfo(np.int64).max, dtype=np.int64)
    hi = np.full(a.shape[0], -1, dtype=np.int64)
    np.minimum.at(lo, row_of_nz[timed], nz_win[timed])
    np.maximum.at(hi, row_of_nz[timed], nz_win[timed])
    return np.where((hi >= 0) & (lo == hi), hi, -1)


def window_of_step(problem: Problem, days: float) -> np.ndarray:
    """Window number of each step: local days when known, else hours from the start."""
    p = problem.p
    if p.logistics is not None:
        day = np.asarray(p.logistics.day_of_step, dtype=float)
    else:
        start_h = np.concatenate([[0.0], np.cumsum(p.duration_h)[:-1]])
        day = np.floor(start_h / 24.0 + 1e-9)
    return np.floor(day / days + 1e-9).astype(np.int64)


def _group(labels: np.ndarray) -> dict[int, np.ndarray]:
    """Return the indices of each non-negative label."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    out: dict[int, np.ndarray] = {}
    keep = sorted_labels >= 0
    order, sorted_labels = order[keep], sorted_labels[keep]
    if order.size == 0:
        return out
    cuts = np.flatnonzero(np.diff(sorted_labels)) + 1
    for chunk in np.split(order, cuts):
        out[int(labels[chunk[0]])] = chunk
    return out
