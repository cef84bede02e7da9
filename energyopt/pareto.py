"""Cost-risk trade-off: an epsilon-constraint sweep from the least-cost to the least-risk design.

One problem is built and compiled once; each point is a search of it with a bound on the risk
metric (the fuel block's declared cut, through the search's base variant). The whole front
shares one time budget (``time_limit_s``, by default twice ``solver.time_limit_s``): the
least-cost point gets the time of a single run (at most half the budget; every later bound is
set from its design), then each point gets its share of what is left, so a point that
converges early leaves its time to the next.

Definitions
-----------
* cost: the net present cost without the value the scenario puts on casualties
  (``fuel.value_per_casualty_usd``), unless ``value_risk=True``: the front itself shows the
  trade-off, and its slope between two points (column ``usd_per_casualty_avoided``) is the
  price of each expected casualty avoided, to set against that value: the NPC difference over
  the casualties avoided over the same horizon, both discounted the same way (casualties a
  year times the load-weighted annuity :math:`A_v` the model's risk term uses, so that
  valuing each casualty at exactly this price would leave the two designs equally dear).
  Valuing risk in the
  cost and bounding it too counts it twice, and a high value makes the least-cost design the
  least-risk one (a front of one point);
* least-cost design: the optimum of the scenario with that cost;
* least-risk value: the lowest value of the metric over the designs (the LP relaxation's,
  rounded up to whole convoys when the metric counts convoys only): a lower bound, so the last
  point may prove infeasible with whole units online. The first point proven infeasible
  has its bound moved halfway towards the previous point's design (at most
  ``REACHABLE_END_TRIES`` times, while ``REACHABLE_END_MIN_S`` are left), so that the front
  ends at a design, whose status says the bound was raised; when no try finds one, the point
  reads ``infeasible``. The points tighter still are infeasible too, and are reported so
  without a search. A point where no design met its bound (its share of the budget ran out,
  or no stage found whole units that meet it) reads ``no design found in N s of its M s``
  and the search's last step;
* the bound of point k falls linearly from the least-cost design's metric (k = 0) to the
  least-risk value (k = points - 1);
* a point whose bound the previous (looser) point's design already meets takes that design
  without a search (status ``same design as point k``);
* a point whose search ended dearer than the next, tighter point takes that point's design
  (which meets its looser bound), and its status says so, so that the front's cost never rises
  as the bound loosens.

Every design passed the result checks (balance, accounting, costs sum to the objective).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from energyopt.diagnose import diagnose, precheck
from energyopt.engine import Budget, Problem, ProgressCallback, Variant, least_metric, search
from energyopt.errors import InfeasibleScenarioError, SolverError
from energyopt.inputs import Inputs, build_inputs
from energyopt.model import model_params
from energyopt.optimize import result_of, settings_of
from energyopt.results import SizingResult
from energyopt.scenario import Scenario, load_scenario

__all__ = ["METRICS", "pareto"]

#: Risk metrics that can be swept.
METRICS = ("expected_casualties_per_year", "convoys_per_year")

#: Columns of the table, in order (sizes follow the KPIs).
COLUMNS = ("point", "bound", "status", "npc_usd", "usd_per_casualty_avoided",
           "expected_casualties_per_year",
           "convoys_per_year", "trucks_per_year", "fuel_l_per_year", "co2_t_per_year",
           "renewable_fraction", "mip_gap", "runtime_s")


#: Largest share of the front's budget the least-cost point may take [-].
FIRST_POINT_MOST_SHARE = 0.5
#: Bisections of the bound of the first point proven infeasible with whole units (towards the
#: previous point's design), and the least time left to try one [s].
REACHABLE_END_TRIES = 2
REACHABLE_END_MIN_S = 10.0


def pareto(scenario: Scenario | str | Path | Mapping[str, Any],
           metric: str = "expected_casualties_per_year", points: int = 8, *,
           inputs: Inputs | None = None, value_risk: bool = False,
           time_limit_s: float | None = None, progress: ProgressCallback | None = None,
           on_point: Callable[[pd.DataFrame], None] | None = None) -> pd.DataFrame:
    """Sweep the bound on a risk metric from the least-cost to the least-risk design.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The scenario.
    metric : str
        ``expected_casualties_per_year`` or ``convoys_per_year``.
    points : int
        Designs on the front, both ends included (at least 2).
    inputs : Inputs, optional
        Pre-built inputs.
    value_risk : bool
        Keep the scenario's value per casualty in the cost; by default the sweep's cost leaves
        it out (see the module notes).
    time_limit_s : float, optional
        Time for the whole front [s] (default: twice ``solver.time_limit_s``).
    progress : callable, optional
        Progress callback of the searches (run ``point k of n``).
    on_point : callable, optional
        Called with the table so far after each point (e.g. to write it to disk).

    Returns
    -------
    pandas.DataFrame
        One row per point: ``point``, ``bound`` (the metric's upper bound, NaN for the
        least-cost point), ``status``, ``npc_usd`` (the sweep's cost),
        ``usd_per_casualty_avoided`` (cost added per expected casualty avoided since the
        previous point: NPC difference over the casualties avoided over the horizon,
        discounted like the model's risk term, i.e. casualties a year times ``attrs
        ["casualty_annuity"]``), the metric and the other convoy figures, ``fuel_l_per_year``,
        ``co2_t_per_year``, ``renewable_fraction``, ``mip_gap``, ``runtime_s`` and the sizes
        (``pv_kwp``, ``battery_kwh``, ``fuel_tank_l`` ...). ``attrs`` holds ``value_risk``,
        ``casualty_annuity`` (present value of one casualty a year over the horizon [-]),
        ``note`` (why the front has one design, when it has) and ``interrupted`` (Ctrl-C
        stopped the sweep; the finished points are kept).

    Raises
    ------
    ValueError
        For an unknown metric or fewer than 2 points.
    InfeasibleScenarioError
        When the scenario itself is infeasible.
    """
    if metric not in METRICS:
        raise ValueError(f"metric {metric!r} is not one of {METRICS}")
    if points < 2:
        raise ValueError(f"points={points}: give at least 2 (the two ends of the front)")
    scenario = load_scenario(scenario)
    limit = 2.0 * scenario.solver.time_limit_s if time_limit_s is None else float(time_limit_s)
    budget = Budget(limit)
    if inputs is None:
        inputs = build_inputs(scenario)
    if not value_risk and scenario.fuel.value_per_casualty_usd > 0.0:
        scenario = scenario.with_overrides({"fuel.value_per_casualty_usd": 0.0})
    p = model_params(scenario, inputs)
    precheck(p, inputs, scenario)
    problem = Problem(p, "point 1", settings_of(scenario))
    rows: list[dict[str, Any]] = []
    attrs: dict[str, Any] = {"value_risk": value_risk, "note": "", "interrupted": False,
                             "casualty_annuity": p.variable_annuity}

    def done(row: dict[str, Any]) -> None:
        rows.append(row)
        if on_point is not None:
            on_point(_frame(rows, attrs))

    try:
        # the least-cost point anchors the front (its metric sets every later bound, and a
        # poor design there collapses the front onto a later point's): it gets up to the time
        # a single run of the scenario gets, at most half the front's budget
        first_s = max(budget.left() / points,
                      min(FIRST_POINT_MOST_SHARE * budget.left(), scenario.solver.time_limit_s))
        first = _point(problem, scenario, inputs, None, metric, budget.child(first_s),
                       progress, f"point 1 of {points}")
        if isinstance(first, str):
            raise SolverError(f"{scenario.name}: {first} for the least-cost design; raise "
                              "--time-limit")
        done(_row(0, None, first))
        if first.solve_info.interrupted:
            raise KeyboardInterrupt
        top = float(first.kpis[metric])
        problem.base = Variant()
        low = least_metric(problem, metric, budget)
        if not math.isfinite(low) or top <= low * (1.0 + 1e-6) + 1e-9:
            attrs["note"] = (f"the least-cost design already has the least {metric} "
                             f"({top:.4g}): the front is this one design")
            return _frame(rows, attrs)
        bounds = np.linspace(top, low, points)[1:]
        out_of_reach: float | None = None  # a bound proven infeasible with whole units
        for k, eps in enumerate(bounds, start=1):
            previous = rows[-1]
            if out_of_reach is not None:
                # tighter than a bound no design meets: no search can find one
                done({"point": k, "bound": float(eps),
                      "status": f"infeasible: tighter than {out_of_reach:.4g}, which whole "
                                "units cannot reach"})
                continue
            if previous.get("npc_usd") is not None and previous[metric] <= eps * (1 + 1e-7) + 1e-9:
                # the looser point's design meets this bound too, and nothing meeting a
                # tighter bound costs less
                done({**previous, "point": k, "bound": float(eps),
                      "status": f"same design as point {previous['point']}"})
                continue
            share = budget.child(budget.left() / (points - k))
            run = f"point {k + 1} of {points}"
            result = _point(problem, scenario, inputs, float(eps), metric, share, progress, run)
            raised_from = ""
            if result == "infeasible":
                # out of reach with whole units (the LP's least value is only a bound): end
                # the front at a design instead, between this bound and the previous design
                out_of_reach = float(eps)
                raised = _reachable_end(problem, scenario, inputs, float(eps), previous,
                                        metric, budget, progress, run)
                if raised is not None:
                    raised_from = (f"; bound raised from {eps:.4g}, which whole units cannot "
                                   "reach")
                    eps, result = raised
            row = _row(k, float(eps), result)
            row["status"] += raised_from
            done(row)
            if not isinstance(result, str) and result.solve_info.interrupted:
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        attrs["interrupted"] = True
        if not rows:
            raise
    _repair_dominated(rows)
    return _frame(rows, attrs)


def _point(problem: Problem, scenario: Scenario, inputs: Inputs, eps: float | None,
           metric: str, budget: Budget, progress: ProgressCallback | None,
           run: str) -> SizingResult | str:
    """Least-cost design with the metric at most ``eps`` (None = unbounded).

    Returns the result, or why there is none: ``infeasible`` (proven) or ``no design found in
    N s of its M s; last step: ...`` (the budget ran out, or the stages found no design with
    whole units that meets the bound).
    """
    problem.base = Variant() if eps is None else Variant(limits={metric: eps})
    name = scenario.name if eps is None else f"{scenario.name} ({metric} <= {eps:.4g})"
    try:
        outcome = search(problem, budget, target_gap=scenario.solver.mip_rel_gap,
                         progress=progress, run=run, strategy=scenario.solver.strategy)
    except InfeasibleScenarioError:
        if eps is None:
            raise diagnose(problem.p, settings_of(scenario), scenario.name, budget) from None
        return "infeasible"
    if outcome.design is None:
        # say how long it searched and what stopped it: the tightest point sits at the LP's
        # least value of the metric, which a design with whole units may not reach
        why = f"; last step: {outcome.notes[-1]}" if outcome.notes else ""
        return (f"no design found in {outcome.runtime_s:.0f} s of its {budget.seconds:.0f} s"
                + why)
    return result_of(problem, outcome, inputs, name=name,
                     target_gap=scenario.solver.mip_rel_gap, time_limit_s=budget.seconds)


def _reachable_end(problem: Problem, scenario: Scenario, inputs: Inputs, eps: float,
                   previous: dict[str, Any], metric: str, budget: Budget,
                   progress: ProgressCallback | None, run: str
                   ) -> tuple[float, SizingResult] | None:
    """Least-cost design at a bound halfway from ``eps`` (infeasible) to the previous design.

    Bisects up to ``REACHABLE_END_TRIES`` times while at least ``REACHABLE_END_MIN_S`` are left;
    returns the bound and the first design found, or None (no previous design, no time, or
    every try infeasible or without a design).
    """
    looser = previous.get(metric)
    if previous.get("npc_usd") is None or looser is None or not math.isfinite(looser):
        return None
    for _ in range(REACHABLE_END_TRIES):
        if budget.left() < REACHABLE_END_MIN_S:
            return None
        mid = 0.5 * (eps + float(looser))
        # every point after this one is out of reach too: the tries may take all that is left
        # (a try that proves its bound infeasible quickly leaves the rest to the next)
        result = _point(problem, scenario, inputs, mid, metric, budget.child(budget.left()),
                        progress, run)
        if not isinstance(result, str):
            return mid, result
        if result != "infeasible":
            return None  # no design in its time: a looser bound would not be quicker
        eps = mid
    return None


def _frame(rows: list[dict[str, Any]], attrs: dict[str, Any]) -> pd.DataFrame:
    """Return the table, with the cost of each casualty avoided between points.

    Like by like: the NPC difference (a present value over the horizon) over the casualties
    avoided over the same horizon, discounted the same way (a year's casualties times the
    annuity ``attrs["casualty_annuity"]`` the model's risk term uses).
    """
    frame = pd.DataFrame(rows)
    if "npc_usd" in frame and "expected_casualties_per_year" in frame:
        d_cost = frame["npc_usd"].diff()
        d_risk = -frame["expected_casualties_per_year"].diff()
        discounted = d_risk * float(attrs.get("casualty_annuity", 1.0))
        frame["usd_per_casualty_avoided"] = (d_cost / discounted).where(d_risk > 1e-12)
    front = [c for c in COLUMNS if c in frame.columns]
    out = frame[front + [c for c in frame.columns if c not in front]]
    out.attrs.update(attrs)
    return out


def _repair_dominated(rows: list[dict[str, Any]]) -> None:
    """Give a point the design of a tighter point when that one is cheaper (in place)."""
    for k in range(len(rows) - 2, -1, -1):
        mine, tighter = rows[k].get("npc_usd"), rows[k + 1].get("npc_usd")
        if tighter is None or (mine is not None and mine <= tighter):
            continue
        keep = {"point": rows[k]["point"], "bound": rows[k]["bound"]}
        rows[k] = {**rows[k + 1], **keep,
                   "status": f"{rows[k + 1]['status']} (design of point {rows[k + 1]['point']})"}


def _row(k: int, eps: float | None, result: SizingResult | str) -> dict[str, Any]:
    row: dict[str, Any] = {"point": k, "bound": np.nan if eps is None else eps}
    if isinstance(result, str):
        row["status"] = result
        return row
    info = result.solve_info
    row["status"] = "converged" if info.converged else f"gap {100 * info.mip_gap:.2f}%"
    for key in COLUMNS[3:]:
        if key == "runtime_s":
            row[key] = info.wall_s
        elif key in result.kpis.index:
            row[key] = float(result.kpis[key])
    for size, value in result.sizes.items():
        row[str(size)] = float(value)
    return row
