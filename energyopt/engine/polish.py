"""From units online to a checked design: the LP with the commitment fixed, whole deliveries.

Once the units online of every step are whole (from a rule, from dispatch windows), the rest of
the design is continuous: PV and battery sizes, the dispatch, the daily fuel stock. One LP with
the commitment fixed prices it exactly (and re-sizes PV and battery for that commitment). With
a daily inventory, trucks and convoys must be whole too; left to one MILP, HiGHS may not find
whole deliveries for a year with a long closure in the time left, so they are made whole in
three steps (:func:`whole_deliveries`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from energyopt.engine.budget import Budget
from energyopt.engine.problem import Design, Problem, Variant
from energyopt.solve import Session, solve_arrays

__all__ = ["RULE_FLOOR_S", "design_from_commitment", "fallback_commitment", "restricted",
           "whole_deliveries"]

#: Least time the rule-based design of last resort gets, even past the budget [s].
RULE_FLOOR_S = 10.0


def design_from_commitment(problem: Problem, lp: Session, commitment: np.ndarray,
                           budget: Budget, how: str, *,
                           counts: dict[str, float] | None = None,
                           sizes: dict[str, float] | None = None,
                           convoys: tuple[int, int | None] | None = None,
                           fallback: bool = False) -> Design | None:
    """Return a checked design with these units online (None if none was found in time).

    Parameters
    ----------
    problem : Problem
        The problem.
    lp : Session
        Its LP session (left with this variant on return).
    commitment : numpy.ndarray
        Whole units online, unit types x steps.
    budget : Budget
        Time for the LP solves.
    how : str
        Label of the design.
    counts : dict, optional
        Unit counts (default: the most units online, at least those existing).
    sizes : dict, optional
        Sizes held fixed (default: PV, battery and tank free).
    convoys : tuple, optional
        Range of whole convoys to design in (a piece of a convoy split); relaxed when no
        design meets it.
    fallback : bool
        Mark the design as the rule-based design of last resort.
    """
    u = np.round(np.asarray(commitment, dtype=float))
    if counts is None:
        counts = {}
        for i, g in enumerate(problem.unit_types):
            col = int(problem.count_cols[i])
            counts[g] = max(float(u[i].max(initial=0.0)), float(problem.mm.col_lower[col]))
    if fallback:
        # the design of last resort must exist: its solves (an LP with every unit fixed, and
        # the whole deliveries) may take up to RULE_FLOOR_S even past a tiny budget
        budget = Budget(max(budget.left(), RULE_FLOOR_S), clock=budget.clock)
    variant = Variant(relax=True, sizes=sizes, counts=counts, commitment=u, convoys=convoys)
    problem.apply(lp, variant)
    result = lp.run(budget.call_limit())
    if not result.has_solution or lp.x is None:
        if convoys is not None:
            return design_from_commitment(problem, lp, u, budget, how, counts=counts,
                                          sizes=sizes, fallback=fallback)
        return None
    x: np.ndarray | None = lp.x
    if problem.has_logistics:
        x = whole_deliveries(problem, lp, lp.x, variant, budget)
    return None if x is None else problem.design(x, how, fallback=fallback)


def whole_deliveries(problem: Problem, lp: Session, x: np.ndarray, variant: Variant,
                     budget: Budget) -> np.ndarray | None:
    """Make the trucks and convoys of ``x`` whole; return the new solution (or None).

    (1) ``x`` is the LP with deliveries relaxed; (2) its dispatch held, the fuel supply
    alone (stock, deliveries, tank) is a small MILP over days, always feasible: rounding the
    LP's trucks and convoys up is a solution; (3) those trucks and convoys fixed, the LP again
    re-sizes PV, battery and tank (the burn of step 1 stays feasible, so this LP is too).
    """
    supply = problem.supply_cols
    if supply.size == 0:
        return x
    integer = problem.mm.is_integer[supply]
    sub = restricted(problem, supply, x)
    if sub is None:
        return None
    cost, lower, upper, a, row_lower, row_upper = sub
    settings = problem.settings
    result, xs = solve_arrays(cost, lower, upper, a, row_lower, row_upper, integer,
                              replace(settings, time_limit_s=max(budget.call_limit(0.5), 0.05),
                                      mip_rel_gap=1e-6))
    if xs is None or not result.has_solution:
        return None
    whole = x.copy()
    whole[supply] = xs
    deliveries = problem.delivery_cols
    fixed = np.round(whole[deliveries])
    lp.set_bounds(deliveries, fixed, fixed)
    again = lp.run(budget.call_limit())
    out = lp.x.copy() if again.has_solution and lp.x is not None else None
    lp.reset_bounds(deliveries)
    problem.apply(lp, variant)
    return out if out is not None else whole


def restricted(problem: Problem, free: np.ndarray, x: np.ndarray
               ) -> tuple[np.ndarray, ...] | None:
    """Return the problem over the columns ``free``, the others held at their value in ``x``.

    Returns the cost, column bounds, matrix and row bounds of the rows that touch ``free``,
    with the held columns moved to the right-hand side; None when a row without free columns
    is violated.
    """
    mm = problem.mm
    mask = np.zeros(mm.n_cols, dtype=bool)
    mask[free] = True
    a_free = mm.a[:, free]
    rows = np.flatnonzero(np.diff(a_free.tocsr().indptr) > 0)
    held = np.flatnonzero(~mask)
    shift = mm.a_rows[rows][:, held] @ x[held]
    lower = mm.col_lower[free]
    upper = mm.col_upper[free]
    return (mm.cost[free], lower, upper, a_free[rows], mm.row_lower[rows] - shift,
            mm.row_upper[rows] - shift)


def fallback_commitment(problem: Problem) -> np.ndarray:
    """Units online that carry the load and its reserve on their own in every step.

    Largest unit types first, at most ``max_count`` of each; the rest of the design (PV and
    battery that cut the fuel) comes from the LP with this commitment fixed. Costly in fuel,
    but feasible whenever the fleet can carry the load and reserve.
    """
    p = problem.p
    order = sorted(range(len(p.diesel)), key=lambda i: -p.diesel[i].rated_kw)
    need = (1.0 + p.reserve_load_fraction) * p.load_kw
    left = need.copy()
    u = np.zeros((len(p.diesel), p.n_steps))
    for i in order:
        unit = p.diesel[i]
        n = np.minimum(np.ceil(np.clip(left, 0.0, None) / unit.rated_kw - 1e-9), unit.max_count)
        u[i] = n
        left = left - n * unit.rated_kw
    # the types follow the problem's order
    index = {g: i for i, g in enumerate(problem.unit_types)}
    out = np.zeros((len(problem.unit_types), p.n_steps))
    for i, unit in enumerate(p.diesel):
        out[index[unit.name]] = u[i]
    return out
