r"""Fuel and convoy block (annual accounting; the daily inventory comes with logistics).

Equations
---------
.. math::

    F = \sum_{g,t} w_t f_{g,t} \; [L/yr], \quad T = F / V, \quad K = T / n

    \text{casualties} = K \, c, \quad K \le K^{max}, \quad K c \le \text{cas}^{max}

Costs: purchase :math:`p F A_e` (escalating), haulage :math:`h d F A_v`, escort
:math:`e K A_v`, risk :math:`v c K A_v` (annuities weighted by each year's load, see
:mod:`energyopt.model.params`).

==============  ===============================  =========================================
symbol          meaning                          input
==============  ===============================  =========================================
:math:`F`       fuel burned [L/yr]               (``m.fuel.fuel_l_per_year``)
:math:`T, K`    trucks, convoys [1/yr]           ``fuel.truck_capacity_l`` (V),
                                                 ``fuel.trucks_per_convoy`` (n)
:math:`c, v`    casualties per convoy, value     ``fuel.casualties_per_convoy``,
                                                 ``fuel.value_per_casualty_usd``
:math:`p, h d`  price, haulage per L             ``fuel.price_usd_per_l``,
                                                 ``transport_usd_per_l_km * route_km``
==============  ===============================  =========================================
"""

from __future__ import annotations

import pyomo.environ as pyo

from energyopt.model.common import add_cost
from energyopt.model.params import ModelParams

__all__ = ["add_fuel"]


def add_fuel(m: pyo.ConcreteModel, p: ModelParams) -> None:
    """Add ``m.fuel``: annual fuel, trucks, convoys, their costs, risk and bounds."""
    b = m.fuel = pyo.Block()
    d = m.diesel
    b.fuel_l_per_year = pyo.Var(within=pyo.NonNegativeReals)
    b.fuel_total = pyo.Constraint(
        expr=b.fuel_l_per_year == sum(d.fuel_l_per_year[g] for g in d.G))
    b.trucks_per_year = pyo.Expression(expr=b.fuel_l_per_year / p.truck_capacity_l)
    b.convoys_per_year = pyo.Expression(expr=b.trucks_per_year / p.trucks_per_convoy)
    b.expected_casualties_per_year = pyo.Expression(
        expr=b.convoys_per_year * p.casualties_per_convoy)
    if p.max_convoys_per_year is not None:
        b.convoy_limit = pyo.Constraint(expr=b.convoys_per_year <= p.max_convoys_per_year)
    if p.max_casualties_per_year is not None:
        b.casualty_limit = pyo.Constraint(
            expr=b.expected_casualties_per_year <= p.max_casualties_per_year)
    add_cost(m, b, "fuel", "fuel", p.fuel_price_usd_per_l * p.fuel_annuity * b.fuel_l_per_year)
    add_cost(m, b, "transport", "fuel",
             p.transport_usd_per_l * p.variable_annuity * b.fuel_l_per_year)
    add_cost(m, b, "convoys", "convoy",
             p.escort_usd_per_convoy * p.variable_annuity * b.convoys_per_year)
    add_cost(m, b, "convoys", "risk", p.value_per_casualty_usd * p.variable_annuity
             * b.expected_casualties_per_year)
