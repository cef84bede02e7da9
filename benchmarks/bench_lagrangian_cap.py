"""How high can a Lagrangian bound over windows of the year go? Kelley's rounds measure it.

The engine's bound (:mod:`energyopt.engine.lagrange`) prices the windows by the LP's duals.
Better multipliers might lift it; this script finds out how far by cutting planes:

1. solve the full-year LP relaxation (the reference, timed in the same run);
2. solve every window's LP and MILP at the current duals (two threads, each MILP to 1e-4).
   The Lagrangian bound is the master's value plus each window's MILP gain over its LP;
3. add each window's MILP bound to the master LP as a cut over the window's columns and the
   period-wide columns it uses: ``c_w(y)^T x_w >= b_w``, valid for every whole-unit solution;
4. solve the master again and take its duals (the cut rows become rows of their window), and
   go back to 2.

When a round adds no cut, the windows gain nothing at the master's duals: the Lagrangian dual
of this decomposition is reached, and no multipliers lift the bound further. On the small
team sites it stops a few percent below their designs (``docs/architecture.md``, "Next").

Usage::

    python benchmarks/bench_lagrangian_cap.py kidal                  # weekly windows, 3 rounds
    python benchmarks/bench_lagrangian_cap.py kidal --days 3.5 --rounds 5
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp

from energyopt.engine import Problem
from energyopt.engine.lagrange import row_windows, window_of_step
from energyopt.inputs import build_inputs
from energyopt.model import model_params
from energyopt.optimize import settings_of
from energyopt.scenario import load_scenario
from energyopt.solve import SolverSettings, solve_arrays

ROOT = Path(__file__).resolve().parents[1]


def _solve_window(job: tuple[np.ndarray, int, np.ndarray], *, a: sp.csr_matrix,
                  cost: np.ndarray, y: np.ndarray, col_lo: np.ndarray, col_hi: np.ndarray,
                  row_lo: np.ndarray, row_hi: np.ndarray, integer: np.ndarray,
                  fractional: np.ndarray, settings: SolverSettings,
                  ) -> tuple[np.ndarray, np.ndarray, float, float]:
    """One window's columns, prices, MILP bound and LP optimum [USD]."""
    cols, n_local, rows = job
    sub = a[rows][:, cols]
    c = cost[cols].copy()
    c[n_local:] = sub[:, n_local:].T @ y[rows]   # the window's share of a copy's price
    arrays = (c, col_lo[cols], col_hi[cols], sub, row_lo[rows], row_hi[rows])
    relaxed, _ = solve_arrays(*arrays, None, settings)
    bound = relaxed.objective
    if fractional[cols].any():
        whole, _ = solve_arrays(*arrays, integer[cols], settings)
        if math.isfinite(whole.bound):
            bound = whole.bound
    return cols, c, bound, relaxed.objective


def main() -> None:
    """Run the rounds on one example camp and print the bound after each."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("camp", help="example name, e.g. kidal (examples/<camp>.yaml)")
    ap.add_argument("--days", type=float, default=7.0, help="window length [days]")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--window-s", type=float, default=10.0, help="time limit of one window [s]")
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    scenario = load_scenario(ROOT / "examples" / f"{args.camp}.yaml")
    inputs = build_inputs(scenario)
    problem = Problem(model_params(scenario, inputs), "design", settings_of(scenario))
    lp = problem.relaxation()
    problem.apply(lp, replace(problem.base, relax=True))
    t = time.perf_counter()
    first = lp.run(600)
    lp_s = time.perf_counter() - t
    lp_usd = first.objective
    print(f"{scenario.name}: LP relaxation {lp_usd:,.0f} USD in {lp_s:.1f} s (reference)")

    mm = problem.mm
    a = mm.a_rows.tocsr()
    col_lo, col_hi = lp.col_lower.copy(), lp.col_upper.copy()
    row_lo, row_hi = lp.row_lower.copy(), lp.row_upper.copy()
    integer = np.zeros(mm.n_cols, dtype=bool)
    integer[problem.commitment_cols[problem.commitment_cols >= 0]] = True
    integer[problem.count_cols[problem.count_cols >= 0]] = True
    integer &= mm.is_integer
    step_window = window_of_step(problem, args.days)
    col_window = np.where(problem.step >= 0, step_window[np.clip(problem.step, 0, None)], -1)
    settings = replace(problem.settings, time_limit_s=args.window_s, mip_rel_gap=1e-4,
                       mip_abs_gap=1e-6, threads=1)
    x, y, master = lp.x.copy(), lp.row_duals.copy(), lp_usd

    for k in range(1, args.rounds + 1):
        t = time.perf_counter()
        row_window = row_windows(a, col_window)
        cost = mm.cost - a.T @ np.where(row_window < 0, y, 0.0)
        fractional = (np.abs(x - np.round(x)) > 1e-6) & integer
        queue = []
        for w in np.unique(row_window[row_window >= 0]):
            rows = np.flatnonzero(row_window == w)
            used = np.unique(a[rows].indices)
            local, shared = used[col_window[used] == w], used[col_window[used] < 0]
            queue.append((np.concatenate([local, shared]), local.size, rows))
        solve = partial(_solve_window, a=a, cost=cost, y=y, col_lo=col_lo, col_hi=col_hi,
                        row_lo=row_lo, row_hi=row_hi, integer=integer,
                        fractional=fractional, settings=settings)
        with ThreadPoolExecutor(max_workers=2) as pool:
            cuts = list(pool.map(solve, queue))
        gain = sum(max(b - v, 0.0) for _, _, b, v in cuts)
        windows_s = time.perf_counter() - t
        new = [(cols, c, b) for cols, c, b, v in cuts if b - v > 1e-7 * abs(master)]
        print(f"round {k}: {len(cuts)} windows in {windows_s:.1f} s ({windows_s / lp_s:.1f} x "
              f"the LP), Lagrangian {master + gain:,.0f} USD "
              f"(LP + {master + gain - lp_usd:,.0f}), {len(new)} new cuts")
        if not new:
            print("no window gains at these duals: the Lagrangian dual of the windows is reached")
            break
        starts, idx, val = [0], [], []
        for cols, c, _ in new:
            nz = np.abs(c) > 1e-12
            idx.extend(cols[nz].tolist())
            val.extend(c[nz].tolist())
            starts.append(len(idx))
        lows = np.array([b for _, _, b in new])
        lp.h.addRows(len(new), lows, np.full(len(new), highspy.kHighsInf), len(idx),
                     np.array(starts[:-1], dtype=np.int32), np.array(idx, dtype=np.int32),
                     np.array(val))
        a = sp.vstack([a, sp.csr_matrix((val, idx, starts), shape=(len(new), a.shape[1]))]).tocsr()
        row_lo = np.concatenate([row_lo, lows])
        row_hi = np.concatenate([row_hi, np.full(len(new), np.inf)])
        lp.h.run()
        solution = lp.h.getSolution()
        master = lp.h.getInfo().objective_function_value
        x, y = np.array(solution.col_value), np.array(solution.row_dual)


if __name__ == "__main__":
    main()
