"""Diagnosis of infeasible scenarios: which requirement cannot be met.

Two layers. Before the solve, :func:`precheck` tests necessary conditions in closed form (the
fleet's firm power against the peak load with its reserve); they name the requirement and the
fix without a solve. After a solver proves infeasibility, :func:`diagnose` lists the
requirement families that an elastic re-solve (each family given a priced slack) had to relax.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyomo.environ as pyo

from energyopt.engine.budget import Budget
from energyopt.errors import InfeasibleScenarioError, SolverError
from energyopt.inputs import Inputs
from energyopt.model import build_model
from energyopt.model.logistics import day_groups
from energyopt.model.params import ModelParams
from energyopt.solve import SolverSettings, solve_model

__all__ = ["diagnose", "precheck", "relax"]

def precheck(p: ModelParams, inputs: Inputs) -> None:
    """Raise :class:`InfeasibleScenarioError` when a necessary condition fails.

    Parameters
    ----------
    p : ModelParams
        Model parameters.
    inputs : Inputs
        For the timestamps named in messages.
    """
    diesel_kw = sum(u.rated_kw * u.max_count for u in p.diesel)
    battery_kw = p.bat_max_kw if p.has_battery else 0.0
    pv_kw = p.pv_max_kwp * p.pv_avail_kw_per_kwp if p.has_pv else np.zeros(p.n_steps)
    shed = (p.load_kw - p.critical_kw) if p.max_unserved_fraction > 0 else 0.0
    short = p.load_kw - shed - (diesel_kw + battery_kw + pv_kw)
    if short.max() > 1e-6:
        t = int(short.argmax())
        raise InfeasibleScenarioError(
            f"cannot serve the load: at {inputs.index[t]} the load is {p.load_kw[t]:.1f} kW but "
            f"the most the fleet can deliver is {p.load_kw[t] - short[t]:.1f} kW (diesel "
            f"{diesel_kw:.0f} kW at full count, battery {battery_kw:.0f} kW, PV "
            f"{float(pv_kw[t]):.0f} kW); raise diesel.units[].max_count or allow PV/battery",
            ["serve the load"])
    if p.reserve_load_fraction > 0 or p.reserve_pv_fraction > 0:
        # online capacity + battery power must cover load + reserve on load + reserve on PV;
        # PV output used reduces the diesel share but adds its own reserve need
        need = (1.0 + p.reserve_load_fraction) * p.load_kw - shed
        have = diesel_kw + battery_kw + (1.0 - p.reserve_pv_fraction) * pv_kw
        short = need - have
        if short.max() > 1e-6:
            t = int(short.argmax())
            raise InfeasibleScenarioError(
                f"the spinning reserve requirement cannot be met: at {inputs.index[t]} the load "
                f"of {p.load_kw[t]:.1f} kW plus {p.reserve_load_fraction:.0%} reserve needs "
                f"{need[t]:.1f} kW of online generator capacity and battery power, but at most "
                f"{have[t]:.1f} kW can be online; add units (diesel.units[].max_count), allow "
                "battery power (battery.max_kwh) or lower reliability.reserve_load_fraction",
                ["spinning reserve"])
    _precheck_tank(p, inputs)


def _min_fuel_l(p: ModelParams) -> np.ndarray:
    """Least fuel each step can burn with diesel alone serving its firm load [L].

    Output (sum of P_g >= L) costs at least ``min F1 x L``; the online capacity
    (sum of R_g u_g >= L) costs at least ``min F0 x L`` of no-load fuel, or exactly
    ``F0 R ceil(L / R)`` with one unit type.
    """
    shed = (p.load_kw - p.critical_kw) if p.max_unserved_fraction > 0 else 0.0
    firm = np.maximum(p.load_kw - shed, 0.0)
    f1 = min(u.f1_l_per_kwh for u in p.diesel)
    if len(p.diesel) == 1:
        u = p.diesel[0]
        no_load = u.f0_l_per_h_per_kw * u.rated_kw * np.ceil(firm / u.rated_kw - 1e-9)
    else:
        no_load = min(u.f0_l_per_h_per_kw for u in p.diesel) * firm
    return p.duration_h * (f1 * firm + no_load)


def _precheck_tank(p: ModelParams, inputs: Inputs) -> None:
    """Closed-form tank need of a diesel-only camp (no PV or battery to cut the burn).

    Between two consecutive days a convoy may arrive, a and a', the stock just after the
    arrival on a covers the burn of days a .. a'-1 and then still holds the larger of the
    safety stock and the autonomy burn from a'; it never exceeds the tank.
    """
    lg = p.logistics
    if lg is None or p.has_pv or p.has_battery:
        return
    days, steps = day_groups(lg.day_of_step)
    burn = np.array([float(_min_fuel_l(p)[s].sum()) for s in steps])
    nd = len(days)
    open_k = np.flatnonzero(lg.arrival_open[days])
    if burn.sum() <= 0.0:
        return
    if open_k.size == 0:
        raise InfeasibleScenarioError(
            "fuel inventory: no day of the modelled period is open to a convoy (schedule, "
            "closed roads and lead time leave none) and the camp burns fuel; shorten "
            "fuel.inventory.closed_roads or allow PV and batteries", ["fuel tank capacity"])
    hours = np.array([float(p.duration_h[s].sum()) for s in steps])
    safety = lg.safety_stock_days * 24.0 * float(burn.sum() / hours.sum())
    need, where = 0.0, 0
    for i, a in enumerate(open_k):
        nxt = open_k[(i + 1) % open_k.size] + (nd if i + 1 == open_k.size else 0)
        span = sum(burn[j % nd] for j in range(a, nxt))
        ahead = sum(burn[j % nd] for j in range(nxt, nxt + lg.autonomy_days))
        total = span + max(safety, ahead)
        if total > need:
            need, where = total, int(a)
    if need > lg.max_tank_l * (1.0 + 1e-9) + 1e-6:
        t = int(steps[where][0])
        raise InfeasibleScenarioError(
            f"fuel inventory: the tank must hold at least {need:,.0f} L (the burn until the "
            f"next possible arrival after {inputs.index[t].date()} plus the larger of the "
            f"safety stock and the autonomy reserve), but fuel.inventory.max_tank_l is "
            f"{lg.max_tank_l:,.0f} L; raise max_tank_l, open more convoy days, lower "
            "safety_stock_days or autonomy_days, or allow PV and batteries",
            ["fuel tank capacity (fuel.inventory.max_tank_l)"])


def relax(m: pyo.ConcreteModel) -> dict[str, tuple[pyo.Var, str]]:
    """Turn ``m`` into its elastic form: every requirement family gets a priced slack.

    The families are those the blocks registered (``m.parts.requirements``). The original
    objective is deactivated; the new objective ``elastic`` minimises the sum of slacks
    (normalised by the peak load). Returns, per family, its slack variables and its meaning.
    """
    scale = max(float(np.max(m.params.load_kw)), 1.0)
    slacks: dict[str, tuple[pyo.Var, str]] = {}
    m.npc.deactivate()
    terms = []
    for req in m.parts.requirements:
        con = req.constraint
        keys = list(con.keys())
        name = "slack_" + req.name.replace(".", "_")
        slack = pyo.Var(range(len(keys)), range(2), within=pyo.NonNegativeReals)
        m.add_component(name, slack)
        relaxed = pyo.ConstraintList()
        m.add_component(name + "_con", relaxed)
        for i, k in enumerate(keys):
            c = con[k]
            body = c.body + slack[i, 0] - slack[i, 1]
            if c.equality:
                relaxed.add(body == c.upper)
            else:
                if c.lower is not None:
                    relaxed.add(c.body + slack[i, 0] >= c.lower)
                if c.upper is not None:
                    relaxed.add(c.body - slack[i, 1] <= c.upper)
        con.deactivate()
        slacks[req.name] = (slack, req.meaning)
        terms.append(sum(slack.values()) / scale)
    m.elastic = pyo.Objective(expr=sum(terms), sense=pyo.minimize)
    return slacks


def diagnose(p: ModelParams, settings: SolverSettings, name: str,
             budget: Budget | None = None) -> InfeasibleScenarioError:
    """Name the requirements an infeasible scenario cannot meet.

    The model is re-solved in its elastic form (:func:`relax`): each requirement family that
    needs a slack is one that cannot be met. Returns the error to raise.
    """
    m = build_model(p)
    slacks = relax(m)
    limit = 120.0 if budget is None else max(min(budget.left(), 120.0), 5.0)
    quick = replace(settings, time_limit_s=limit, mip_rel_gap=0.05)
    try:
        solve_model(m, quick)
    except (InfeasibleScenarioError, SolverError):
        return InfeasibleScenarioError(
            f"{name}: no design meets the requirements and the diagnosis found no single "
            "cause; check sizes, bounds and reserve settings", [])
    broken = []
    for key, (var, meaning) in slacks.items():
        total = sum(pyo.value(v) for v in var.values())
        if total > 1e-6:
            broken.append((key, meaning, total))
    detail = "; ".join(f"{meaning} (short by {total:.3g} in total)"
                       for _key, meaning, total in broken)
    return InfeasibleScenarioError(
        f"{name}: no design meets these requirements: {detail or 'unknown'}; relax them or "
        "allow more capacity", [meaning for _key, meaning, _total in broken])
