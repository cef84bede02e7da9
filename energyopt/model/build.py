r"""Assemble the model: a short loop over the technology blocks, objective = their costs.

Energy balance per step :math:`t`:

.. math::

    P^{pv}_t + \sum_g P_{g,t} + D_t - C_t + U_t - X_t = L_t

with :math:`0 \le X_t \le \sum_g P_{g,t}` the excess electricity sent to a load bank (what
units at their minimum load make beyond the load and the battery's charging; PV is curtailed
instead).

Rows: ``m.balance`` (the balance, one per step), ``m.dump_max`` (:math:`X_t \le \sum_g
P_{g,t}`) and ``m.diesel_surplus`` (below). A block that is not built (no PV, no battery, no
unserved energy allowed) drops its term.

========================  ======================================  =============================
symbol                    meaning                                 input
========================  ======================================  =============================
:math:`L_t`               camp load [kW]                          ``load`` (``Inputs.load_kw``)
:math:`P^{pv}_t`          PV power used [kW] (``m.pv.power_kw``)  PV block
:math:`P_{g,t}, u_{g,t}`  diesel output [kW], units online        diesel block
                          (``m.diesel.power_kw``,
                          ``m.diesel.online``)
:math:`R_g`               rated output of unit type g [kW]        ``diesel.units[].rated_kw``
:math:`C_t, D_t`          battery charge, discharge [kW]          battery block
                          (``m.battery.charge_kw``,
                          ``discharge_kw``)
:math:`U_t`               unserved load [kW]                      reliability block
                          (``m.reliability.unserved_kw``)
:math:`X_t`               excess diesel output to a load bank
                          [kW] (``m.dump_kw``)
========================  ======================================  =============================

Diesel surplus (a valid inequality, tightening the relaxation):

.. math::

    \sum_g P_{g,t} \le \sum_g \min(L_t, R_g) u_{g,t} + C_t + X_t

With whole units online, diesel output beyond the load goes to the battery or the load bank:
:math:`\sum_g P_{g,t} - C_t - X_t = L_t - P^{pv}_t - D_t - U_t \le L_t`. When a unit of a
type with :math:`R_g \ge L_t` runs, the right-hand side is at least :math:`L_t`; when only
smaller types run, it is at least :math:`\sum_g R_g u_{g,t} \ge \sum_g P_{g,t}`; when none
runs, :math:`P = X = 0`. The row is needed only in steps whose load is below the largest
rating (elsewhere :math:`P_g \le R_g u_g` implies it). The
relaxation, with fractional units online, otherwise runs a fraction of a large set at full
output exactly when a small load needs it; this row makes it store or dump the rest, as a
whole set would. It lifts the relaxation's bound of a small camp with large sets by 1-2%
(Kidal team site: 323,782 -> 325,905 USD).

With a host community (:mod:`energyopt.model.community`) the power served to it,
:math:`S_t`, is a demand beside :math:`L_t` (``m.demand_kw``) and may take diesel output
(``m.absorb_kw``).

Every block registers its supply terms (``m.supply_kw``), reserve offers (``m.reserve_kw``) and
present-value cost terms (``m.cost_terms``); the objective is the sum of the cost terms: the net
present cost of the camp's power over the horizon [USD].

With a capital budget (``budget:``, :mod:`energyopt.model.budget`) one more row bounds the sum
of the ``capex`` terms.
"""

from __future__ import annotations

import pyomo.environ as pyo

from energyopt.model.battery import add_battery
from energyopt.model.budget import add_budget
from energyopt.model.common import CostTerm
from energyopt.model.community import add_community, add_mission_kit
from energyopt.model.diesel import add_diesel
from energyopt.model.fuel import add_fuel
from energyopt.model.logistics import add_logistics
from energyopt.model.params import ModelParams
from energyopt.model.parts import ModelParts
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
    m.absorb_kw = []
    m.demand_kw = []
    m.cost_terms = []
    m.params = p
    m.parts = ModelParts()
    reserve = needs_reserve(p)
    add_pv(m, p)
    add_battery(m, p, with_reserve=reserve)
    add_mission_kit(m, p)
    add_diesel(m, p, with_reserve=reserve)
    add_logistics(m, p)
    add_fuel(m, p)
    add_reliability(m, p)
    if reserve:
        add_reserve(m, p)
    add_community(m, p)
    add_budget(m, p)  # after every block with capital costs
    load = p.load_kw
    # excess electricity (HOMER's term): what generators running at their minimum load make
    # beyond load and charging goes to a load bank; it costs only the fuel already counted
    m.dump_kw = pyo.Var(m.T, within=pyo.NonNegativeReals)
    m.parts.timed(m.dump_kw)
    d = m.diesel

    def diesel_kw(t: int) -> object:
        return sum(d.power_kw[g, t] for g in d.G)

    m.dump_max = pyo.Constraint(m.T, rule=lambda _, t: m.dump_kw[t] <= diesel_kw(t))
    demand = m.demand_kw

    def _balance(_: pyo.Block, t: int) -> object:
        supply = sum(term(t) for term in m.supply_kw) - m.dump_kw[t]
        if demand:  # the community's feeder (issue 15)
            return supply - sum(term(t) for term in demand) == float(load[t])
        return supply == float(load[t])

    m.balance = pyo.Constraint(m.T, rule=_balance)
    m.parts.requirement("balance", m.balance, "serve the load every step (energy balance)")
    rated = {u.name: u.rated_kw for u in p.diesel}
    largest = max(rated.values(), default=0.0)

    def _surplus(_: pyo.Block, t: int) -> object:
        load_t = float(load[t])
        if load_t >= largest:
            return pyo.Constraint.Skip  # implied by P_g <= R_g u_g
        return diesel_kw(t) <= sum(min(load_t, rated[g]) * d.online[g, t] for g in d.G) \
            + sum(term(t) for term in m.absorb_kw) + m.dump_kw[t]

    m.diesel_surplus = pyo.Constraint(m.T, rule=_surplus)
    m.npc = pyo.Objective(expr=sum(term.expr for term in m.cost_terms), sense=pyo.minimize)
    return m
