"""Diagnosis of infeasible scenarios: which requirement cannot be met.

Two layers. Before the solve, :func:`precheck` tests necessary conditions in closed form (the
fleet's firm power against the peak load with its reserve); they name the requirement and the
fix without a solve. After a solver proves infeasibility, :func:`elastic_families` lists the
requirement families that an elastic re-solve (each family given a priced slack) had to relax.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from energyopt.errors import InfeasibleScenarioError
from energyopt.inputs import Inputs
from energyopt.model.params import ModelParams

__all__ = ["FAMILIES", "precheck", "relax"]

#: Requirement families: constraint name in the model -> what it means to a user.
FAMILIES: dict[str, str] = {
    "balance": "serve the load every step (energy balance)",
    "reliability.reserve": "spinning reserve (reliability.reserve_load_fraction / "
                           "reserve_pv_fraction)",
    "reliability.unserved_limit": "unserved energy cap (reliability.max_unserved_fraction)",
    "fuel.convoy_limit": "convoy bound (fuel.max_convoys_per_year)",
    "fuel.casualty_limit": "casualty bound (fuel.max_expected_casualties_per_year)",
    "diesel.power_min": "generator minimum load (diesel.units[].min_load_fraction)",
}


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


def relax(m: pyo.ConcreteModel) -> dict[str, pyo.Var]:
    """Turn ``m`` into its elastic form: every requirement family gets a priced slack.

    The original objective is deactivated; the new objective ``elastic`` minimises the sum of
    slacks (normalised by the peak load). Returns the slack variables per family.
    """
    scale = max(float(np.max(m.params.load_kw)), 1.0)
    slacks: dict[str, pyo.Var] = {}
    m.npc.deactivate()
    terms = []
    for path, _meaning in FAMILIES.items():
        con = m.find_component(path)
        if con is None:
            continue
        keys = list(con.keys())
        name = "slack_" + path.replace(".", "_")
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
        slacks[path] = slack
        terms.append(sum(slack.values()) / scale)
    m.elastic = pyo.Objective(expr=sum(terms), sense=pyo.minimize)
    return slacks
