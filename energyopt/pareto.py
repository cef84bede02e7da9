"""Cost-risk trade-off: an epsilon-constraint sweep from the least-cost to the least-risk design.

One model is built and reused for every point: the risk metric is bounded by a mutable
parameter (``m.pareto_eps``) whose value changes between points; the model is never rebuilt
(the two-stage route builds its dispatch windows from the same parameters, as a single run
does).

Definitions
-----------
* cost: the net present cost without the value the scenario puts on casualties
  (``fuel.value_per_casualty_usd``), unless ``value_risk=True``: the front itself shows the
  trade-off, and its slope between two points (column ``usd_per_casualty_avoided``) is the
  price of each expected casualty avoided, to set against that value. Valuing risk in the
  cost and bounding it too counts it twice, and a high value makes the least-cost design the
  least-risk one (a front of one point);
* least-cost design: the optimum of the scenario with that cost;
* least-risk design: among the designs with the lowest achievable value of the metric (found
  by minimising the metric alone over the same feasible set), the one of least net present
  cost (a second solve with the metric bounded by that lowest value). On the two-stage route
  the lowest value is taken from the LP relaxation, rounded up to whole convoys when the
  metric counts convoys only: a lower bound, so the last point may prove infeasible with
  whole units online; it is then reported with status ``infeasible``.
* the bound of point k falls linearly from the least-cost design's metric (k = 0) to the
  least-risk value (k = points - 1).
* a point solved only to a gap or a time limit may cost more than a tighter point; it then
  takes that point's design (which meets its looser bound), and its status says so, so that
  the front's cost never rises with the bound;
* a point whose bound the previous (looser) point's design already meets takes that design
  without a solve (status ``same design as point k``): bounds on whole convoys fall between
  whole counts, so several points may share a design.

On the two-stage route each solve restarts from the LP basis of the one before.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from energyopt.diagnose import precheck
from energyopt.errors import InfeasibleScenarioError, SolverError
from energyopt.inputs import Inputs, build_inputs
from energyopt.model import ModelParams, build_model, model_params
from energyopt.results import SizingResult, extract_result
from energyopt.scenario import Scenario, load_scenario
from energyopt.solve import Basis, SolveInfo, SolverSettings, solve_model

__all__ = ["METRICS", "pareto"]

#: Risk metrics that can be swept: KPI name -> ``m.fuel`` expression of the same name.
METRICS = ("expected_casualties_per_year", "convoys_per_year")

#: Columns of the table, in order (sizes follow the KPIs).
COLUMNS = ("point", "bound", "status", "npc_usd", "usd_per_casualty_avoided",
           "expected_casualties_per_year",
           "convoys_per_year", "trucks_per_year", "fuel_l_per_year", "co2_t_per_year",
           "renewable_fraction", "mip_gap", "runtime_s")


def pareto(scenario: Scenario | str | Path | Mapping[str, Any],
           metric: str = "expected_casualties_per_year", points: int = 8, *,
           inputs: Inputs | None = None, value_risk: bool = False) -> pd.DataFrame:
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

    Returns
    -------
    pandas.DataFrame
        One row per point: ``point``, ``bound`` (the metric's upper bound, NaN for the
        least-cost point), ``status``, ``npc_usd`` (the sweep's cost),
        ``usd_per_casualty_avoided`` (cost added per expected casualty a year avoided since the
        previous point), the metric and the other convoy figures,
        ``fuel_l_per_year``, ``co2_t_per_year``, ``renewable_fraction``, ``mip_gap``,
        ``runtime_s`` and the sizes (``pv_kwp``, ``battery_kwh``, ``fuel_tank_l`` ...);
        ``attrs["value_risk"]`` says whether the cost holds the value of casualties. Every
        design passed the result checks (balance, accounting, costs sum to the objective).
        A single row when the least-cost design already has the least risk.

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
    if inputs is None:
        inputs = build_inputs(scenario)
    if not value_risk and scenario.fuel.value_per_casualty_usd > 0.0:
        scenario = scenario.with_overrides({"fuel.value_per_casualty_usd": 0.0})
    p = model_params(scenario, inputs)
    precheck(p, inputs)
    m = build_model(p)
    measure = m.fuel.component(metric)
    m.pareto_eps = pyo.Param(mutable=True, initialize=1e12, within=pyo.Reals)
    m.pareto_limit = pyo.Constraint(expr=measure <= m.pareto_eps)
    m.pareto_limit.deactivate()
    monolithic = _monolithic(p, scenario)
    rows: list[dict[str, Any]] = []
    basis = Basis()

    try:
        first = _point(m, p, scenario, inputs, None, metric, monolithic, basis, strict=True)
    except InfeasibleScenarioError:
        from energyopt.optimize import _diagnose

        raise _diagnose(p, _settings(scenario), scenario.name) from None
    assert first is not None
    rows.append(_row(0, None, first))
    top = float(first.kpis[metric])

    low = _least_metric(m, p, measure, metric, scenario, monolithic, basis)
    if top <= low * (1.0 + 1e-6) + 1e-9:
        # the least-cost design already has the least risk: the front is one point
        return _frame(rows, value_risk)
    bounds = np.linspace(top, low, points)[1:]
    for k, eps in enumerate(bounds, start=1):
        previous = rows[-1]
        if previous.get("npc_usd") is not None and previous[metric] <= eps * (1 + 1e-7) + 1e-9:
            # the looser point's design meets this bound too, and nothing meeting a tighter
            # bound costs less
            rows.append({**previous, "point": k, "bound": float(eps),
                         "status": f"same design as point {previous['point']}"})
            continue
        result = _point(m, p, scenario, inputs, float(eps), metric, monolithic, basis)
        rows.append(_row(k, float(eps), result))
    _repair_dominated(rows)
    return _frame(rows, value_risk)


def _frame(rows: list[dict[str, Any]], value_risk: bool) -> pd.DataFrame:
    """Return the table, with the cost of each expected casualty avoided between points.

    ``frame.attrs["value_risk"]`` records whether the cost holds the value of casualties.
    """
    frame = pd.DataFrame(rows)
    frame.attrs["value_risk"] = value_risk
    if "npc_usd" in frame and "expected_casualties_per_year" in frame:
        d_cost = frame["npc_usd"].diff()
        d_risk = -frame["expected_casualties_per_year"].diff()
        frame["usd_per_casualty_avoided"] = (d_cost / d_risk).where(d_risk > 1e-12)
    front = [c for c in COLUMNS if c in frame.columns]
    out = frame[front + [c for c in frame.columns if c not in front]]
    out.attrs["value_risk"] = value_risk
    return out


def _monolithic(p: ModelParams, scenario: Scenario) -> bool:
    from energyopt.optimize import MONOLITHIC_MAX_UNIT_STEPS

    strategy = scenario.solver.strategy
    if strategy == "auto":
        return p.n_steps * len(p.diesel) <= MONOLITHIC_MAX_UNIT_STEPS
    return strategy == "monolithic"


def _settings(scenario: Scenario) -> SolverSettings:
    s = scenario.solver
    return SolverSettings(time_limit_s=s.time_limit_s, mip_rel_gap=s.mip_rel_gap,
                          threads=s.threads, log=s.log)


def _least_metric(m: pyo.ConcreteModel, p: ModelParams, measure: Any, metric: str,
                  scenario: Scenario, monolithic: bool, basis: Basis) -> float:
    """Lowest achievable value of the metric.

    The MILP's own on the monolithic route; on the two-stage route, the LP relaxation's
    (restarted from ``basis``), rounded up to whole convoys of the modelled period when the
    metric counts convoys only (no per-truck casualty rate).
    """
    m.pareto_limit.deactivate()
    m.npc.deactivate()
    m.pareto_risk = pyo.Objective(expr=measure, sense=pyo.minimize)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            info = solve_model(m, _settings(scenario), relax_integers=not monolithic,
                               start=basis)
        # the bound is a proven lower bound of the metric; the incumbent may be above it
        low = max(float(info.bound), 0.0) if info.status == "feasible" else float(
            pyo.value(measure))
        lg = m.component("logistics")
        convoys_only = metric == "convoys_per_year" or p.casualties_per_truck == 0.0
        if not monolithic and lg is not None and convoys_only and low > 0.0:
            count = sum(float(var.value) for var in lg.convoys.values())
            if count > 1e-9:
                # the metric is proportional to the period's convoys, whole in any design
                low = low / count * math.ceil(count - 1e-6)
    finally:
        m.del_component(m.pareto_risk)
        m.npc.activate()
    return max(low, 0.0)


def _point(m: pyo.ConcreteModel, p: ModelParams, scenario: Scenario, inputs: Inputs,
           eps: float | None, metric: str, monolithic: bool, basis: Basis, *,
           strict: bool = False) -> SizingResult | None:
    """Least-cost design with the metric at most ``eps`` (None = unbounded).

    Returns None when there is none (or none was found in time), unless ``strict``, which
    lets the error through.
    """
    from energyopt.optimize import _two_stage

    if eps is None:
        m.pareto_limit.deactivate()
        pk = p
    else:
        bound = eps * (1.0 + 1e-7) + 1e-9
        m.pareto_eps.set_value(bound)
        m.pareto_limit.activate()
        if metric == "expected_casualties_per_year":
            given = p.max_casualties_per_year
            pk = replace(p, max_casualties_per_year=bound if given is None else min(given, bound))
        else:
            given = p.max_convoys_per_year
            pk = replace(p, max_convoys_per_year=bound if given is None else min(given, bound))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if monolithic:
                info: SolveInfo = solve_model(m, _settings(scenario))
                solved = m
            else:
                solved, info = _two_stage(m, pk, scenario, basis=basis)
    except (InfeasibleScenarioError, SolverError):
        if strict:
            raise
        return None
    name = scenario.name if eps is None else f"{scenario.name} ({metric} <= {eps:.4g})"
    return extract_result(solved, pk, inputs, info, name=name)


def _repair_dominated(rows: list[dict[str, Any]]) -> None:
    """Give a point the design of a tighter point when that one is cheaper (in place).

    A design that meets a tighter bound meets every looser one, so a point solved to a gap (or
    at a time limit) must not cost more than the next tighter point; when it does, it takes
    that point's design and its status says so.
    """
    for k in range(len(rows) - 2, -1, -1):
        mine, tighter = rows[k].get("npc_usd"), rows[k + 1].get("npc_usd")
        if tighter is None or (mine is not None and mine <= tighter):
            continue
        keep = {"point": rows[k]["point"], "bound": rows[k]["bound"]}
        rows[k] = {**rows[k + 1], **keep,
                   "status": f"{rows[k + 1]['status']} (design of point {rows[k + 1]['point']})"}


def _row(k: int, eps: float | None, result: SizingResult | None) -> dict[str, Any]:
    row: dict[str, Any] = {"point": k, "bound": np.nan if eps is None else eps}
    if result is None:
        row["status"] = "infeasible"
        return row
    row["status"] = result.solve_info.status
    for key in COLUMNS[3:]:
        if key == "runtime_s":
            row[key] = result.solve_info.runtime_s + result.solve_info.handoff_s
        elif key in result.kpis.index:
            row[key] = float(result.kpis[key])
    for size, value in result.sizes.items():
        row[str(size)] = float(value)
    return row
