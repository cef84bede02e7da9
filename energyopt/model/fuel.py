r"""Fuel and convoy block: fuel burned and bought, trucks, convoys, their cost and risk.

Equations
---------
.. math::

    F = \sum_{g,t} w_t f_{g,t} \; [L/yr], \quad T = F / (V (1 - \lambda)), \quad K = T / n

    \text{casualties} = K \, c + T \, c_T, \quad K \le K^{max},
    \quad K c + T c_T \le cas^{max}

Rows: ``m.fuel.fuel_total`` defines :math:`F` (``m.fuel.fuel_l_per_year``);
``convoy_limit`` and ``casualty_limit`` are the scenario's bounds (built only when given).
``limit_convoys_per_year`` and ``limit_expected_casualties_per_year`` are the same bounds
declared as cuts for the search (built inactive; a Pareto front sets them point by point).

With a daily inventory (:mod:`energyopt.model.logistics`), :math:`T` and :math:`K` are its
annual whole trucks and convoys instead. :math:`c` includes the per-km rate times the route.

Costs: purchase :math:`p F A_e / (1 - \lambda)` (escalating; the litres lost on the road are
bought too), haulage :math:`h d F A_v / (1 - \lambda)`, escort :math:`e K A_v`, risk
:math:`v (K c + T c_T) A_v` (:math:`A_v`, :math:`A_e` weighted by each year's load, see
:mod:`energyopt.model.params`).

=================  =====================================  =========================================
symbol             meaning                                input
=================  =====================================  =========================================
:math:`F`          fuel burned [L/yr]
                   (``m.fuel.fuel_l_per_year``)
:math:`f_{g,t}`    fuel of unit type g [L]
                   (``m.diesel.fuel_l``)
:math:`w_t`        weight of the step [-]                 ``horizon.days`` (steps stand for a year)
:math:`T, K`       trucks, convoys [1/yr]                 ``fuel.truck_capacity_l`` (V),
                   (``m.fuel.trucks_per_year``,           ``fuel.trucks_per_convoy`` (n)
                   ``m.fuel.convoys_per_year``)
:math:`c, v`       casualties per convoy, value [USD]     ``fuel.casualties_per_convoy`` (+
                                                          ``casualties_per_convoy_km`` x km),
                                                          ``fuel.value_per_casualty_usd``
:math:`c_T`        casualties per truck                   ``fuel.casualties_per_truck``
:math:`K^{max}`    most convoys [1/yr]                    ``fuel.max_convoys_per_year``
:math:`cas^{max}`  most expected casualties [1/yr]        ``fuel.max_expected_casualties_per_year``
:math:`\lambda`    share lost on the road                 ``fuel.loss_fraction``
:math:`p, h d`     price, haulage per L [USD/L]           ``fuel.price_usd_per_l``,
                                                          ``transport_usd_per_l_km * route_km``
:math:`e`          escort per convoy [USD]                ``fuel.escort_usd_per_convoy``
:math:`A_e, A_v`   annuities (escalating, load-weighted)  :mod:`energyopt.model.params`
=================  =====================================  =========================================
"""

from __future__ import annotations

import pyomo.environ as pyo

from energyopt.model.common import add_cost
from energyopt.model.params import ModelParams

__all__ = ["add_fuel"]

#: Right-hand side of a declared cut that is off [-].
_NEVER = 1e7


def add_fuel(m: pyo.ConcreteModel, p: ModelParams) -> None:
    """Add ``m.fuel``: annual fuel, trucks, convoys, their costs, risk and bounds.

    With a daily inventory (``m.logistics``), trucks and convoys are its whole deliveries;
    otherwise they follow from the annual fuel bought.
    """
    b = m.fuel = pyo.Block()
    d = m.diesel
    lg = m.component("logistics")
    keep = 1.0 - p.loss_fraction
    b.fuel_l_per_year = pyo.Var(within=pyo.NonNegativeReals)
    m.parts.supply.append(b.fuel_l_per_year)
    b.fuel_total = pyo.Constraint(
        expr=b.fuel_l_per_year == sum(d.fuel_l_per_year[g] for g in d.G))
    if lg is None:
        b.trucks_per_year = pyo.Expression(
            expr=b.fuel_l_per_year / (p.truck_capacity_l * keep))
        b.convoys_per_year = pyo.Expression(expr=b.trucks_per_year / p.trucks_per_convoy)
    else:
        b.trucks_per_year = pyo.Expression(expr=lg.trucks_per_year)
        b.convoys_per_year = pyo.Expression(expr=lg.convoys_per_year)
    casualties = b.convoys_per_year * p.casualties_per_convoy
    if p.casualties_per_truck > 0.0:
        casualties = casualties + b.trucks_per_year * p.casualties_per_truck
    b.expected_casualties_per_year = pyo.Expression(expr=casualties)
    parts = m.parts
    if p.max_convoys_per_year is not None:
        b.convoy_limit = pyo.Constraint(expr=b.convoys_per_year <= p.max_convoys_per_year)
        parts.requirement("fuel.convoy_limit", b.convoy_limit,
                          "convoy bound (fuel.max_convoys_per_year)")
    if p.max_casualties_per_year is not None:
        b.casualty_limit = pyo.Constraint(
            expr=b.expected_casualties_per_year <= p.max_casualties_per_year)
        parts.requirement("fuel.casualty_limit", b.casualty_limit,
                          "casualty bound (fuel.max_expected_casualties_per_year)")
    # declared cuts for a front (engine variants bound the risk metrics); built inactive, with
    # a right-hand side no design reaches
    b.limit_convoys_per_year = pyo.Constraint(expr=b.convoys_per_year <= _NEVER)
    b.limit_expected_casualties_per_year = pyo.Constraint(
        expr=b.expected_casualties_per_year <= _NEVER)
    parts.cut("limit_convoys_per_year", b.limit_convoys_per_year)
    parts.cut("limit_expected_casualties_per_year", b.limit_expected_casualties_per_year)
    bought = b.fuel_l_per_year / keep
    add_cost(m, b, "fuel", "fuel", p.fuel_price_usd_per_l * p.fuel_annuity * bought)
    add_cost(m, b, "transport", "fuel", p.transport_usd_per_l * p.variable_annuity * bought)
    add_cost(m, b, "convoys", "convoy", p.escort_usd_per_convoy * p.variable_annuity
             * b.convoys_per_year)
    add_cost(m, b, "convoys", "risk", p.value_per_casualty_usd * p.variable_annuity
             * b.expected_casualties_per_year)
