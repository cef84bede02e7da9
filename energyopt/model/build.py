r"""Assemble the model: a short loop over the technology blocks, objective = their costs.

Energy balance per step :math:`t`:

.. math::

    P^{pv}_t + \sum_g P_{g,t} + D_t - C_t + U_t - X_t = L_t

with :math:`0 \le X_t \le \sum_g P_{g,t}` the excess electricity sent to a load bank (what
units at their minimum load make beyond the load and the battery's charging; PV is curtailed
instead).

Every block registers its supply terms (``m.supply_kw``), reserve offers (``m.reserve_kw``) and
present-value cost terms (``m.cost_terms``); the objective is the sum of the cost terms: the net
present cost of the camp's power over the horizon [USD].
"""

from __future__ import annotations

import pyomo.environ as pyo

from energyopt.model.battery import add_battery
from energyopt.model.common import CostTerm
from energyopt.model.diesel import add_diesel
from energyopt.model.fuel import add_fuel
from energyopt.model.logistics import add_logistics
from energyopt.model.params import ModelParams
from energyopt.model.pv import add_pv
from energyopt.model.reliability import add_reliability, add_reserve, needs_reserve

__all__ = ["CostTerm", "build_model"]


def build_model(p: ModelParams) -> pyo.ConcreteModel:
    """Build the Pyomo model of one camp.

    Parameters
    ----------
    p : ModelParams
        Parameters from :func:`energyopt.model.params.model_params`.

    Returns
    -------
    pyo.ConcreteModel
        With blocks ``pv``, ``battery`` (when enabled), ``diesel``, ``logistics`` (with a
        daily fuel inventory), ``fuel``, ``reliability``,
        the constraint ``balance`` and the objective ``npc``; ``m.cost_terms`` lists the cost
        terms whose sum is the objective.
    """
    m = pyo.ConcreteModel(name="energyopt")
    m.T = pyo.RangeSet(0, p.n_steps - 1)
    m.supply_kw = []
    m.reserve_kw = []
    m.cost_terms = []
    m.params = p
    reserve = needs_reserve(p)
    add_pv(m, p)
    add_battery(m, p, with_reserve=reserve)
    add_diesel(m, p, with_reserve=reserve)
    add_logistics(m, p)
    add_fuel(m, p)
    add_reliability(m, p)
    if reserve:
        add_reserve(m, p)
    load = p.load_kw
    # excess electricity (HOMER's term): what generators running at their minimum load make
    # beyond load and charging goes to a load bank; it costs only the fuel already counted
    m.dump_kw = pyo.Var(m.T, within=pyo.NonNegativeReals)
    m.dump_max = pyo.Constraint(
        m.T, rule=lambda _, t: m.dump_kw[t] <= sum(m.diesel.power_kw[g, t] for g in m.diesel.G))
    m.balance = pyo.Constraint(
        m.T, rule=lambda _, t: sum(term(t) for term in m.supply_kw) - m.dump_kw[t]
        == float(load[t]))
    m.npc = pyo.Objective(expr=sum(term.expr for term in m.cost_terms), sense=pyo.minimize)
    return m
