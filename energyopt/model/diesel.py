r"""Diesel fleet block: integer unit counts and integer units online per step.

Equations (per unit type g and step t)
--------------------------------------
.. math::

    N^{exist}_g \le N_g \le N^{max}_g, \quad u_{g,t} \le N_g \quad (N, u \in \mathbb{Z})

    \mu_g R_g u_{g,t} \le P_{g,t} \le R_g u_{g,t}

    f_{g,t} = \Delta_t (F0_g R_g u_{g,t} + F1_g P_{g,t}) \; [L]

Rows: ``m.diesel.online_max``, ``power_max`` and ``power_min`` (skipped for a unit type whose
minimum load is zero); the counts and the units online are bounded by their variables' bounds
(:math:`u_{g,t} \le N^{max}_g`). The fuel :math:`f_{g,t}` is an expression
(``m.diesel.fuel_l``), summed over the year by :mod:`energyopt.model.fuel`. With a spinning
reserve the online units offer their headroom :math:`R_g u_{g,t} - P_{g,t}`
(:mod:`energyopt.model.reliability`).

Costs: new units :math:`C_g (N_g - N^{exist}_g)` at year 0, credited back at the horizon's end
(discounted), with the life they consume charged as wear per running hour
(:math:`C_g / H_g`, HOMER's generator replacement cost per operating hour); so the horizon
carries the value of the running hours used plus the cost of capital of new units. O&M: per rated
kW per year and per running hour.

==================  ==================================  ==================================
symbol              meaning                             input
==================  ==================================  ==================================
:math:`N_g`         units of type g                     ``diesel.units[].existing``,
                    (``m.diesel.count``)                ``max_count``
:math:`u_{g,t}`     units online
                    (``m.diesel.online``)
:math:`P_{g,t}`     output [kW]
                    (``m.diesel.power_kw``)
:math:`f_{g,t}`     fuel burned in the step [L]
                    (``m.diesel.fuel_l``)
:math:`R_g`         rated output [kW]                   ``rated_kw``
:math:`\mu_g`       minimum load fraction               ``min_load_fraction``
:math:`F0_g, F1_g`  fuel curve [L/h per kW], [L/kWh]    ``fuel_intercept_l_per_h_per_kw``,
                                                        ``fuel_slope_l_per_kwh``
:math:`C_g, H_g`    unit capex [USD], life [running h]  ``capex_usd``,
                                                        ``lifetime_hours``
:math:`\Delta_t`    step duration [h]                   ``horizon.step_minutes``
==================  ==================================  ==================================
"""

from __future__ import annotations

import pyomo.environ as pyo

from energyopt.model.common import add_cost
from energyopt.model.params import ModelParams

__all__ = ["add_diesel"]


def add_diesel(m: pyo.ConcreteModel, p: ModelParams, *, with_reserve: bool) -> None:
    """Add ``m.diesel`` with one index entry per unit type."""
    b = m.diesel = pyo.Block()
    units = {u.name: u for u in p.diesel}
    b.G = pyo.Set(initialize=list(units), ordered=True)
    b.count = pyo.Var(b.G, within=pyo.NonNegativeIntegers,
                      bounds=lambda _, g: (units[g].existing, units[g].max_count),
                      initialize=lambda _, g: units[g].existing)
    b.online = pyo.Var(b.G, m.T, within=pyo.NonNegativeIntegers,
                       bounds=lambda _, g, t: (0, units[g].max_count))
    b.power_kw = pyo.Var(b.G, m.T, within=pyo.NonNegativeReals)
    parts = m.parts
    for g in b.G:
        parts.counts[g] = b.count[g]
        parts.commitment[g] = [b.online[g, t] for t in m.T]
    parts.timed(b.online)
    parts.timed(b.power_kw)
    b.online_max = pyo.Constraint(b.G, m.T, rule=lambda _, g, t: b.online[g, t] <= b.count[g])
    b.power_max = pyo.Constraint(
        b.G, m.T, rule=lambda _, g, t: b.power_kw[g, t] <= units[g].rated_kw * b.online[g, t])

    def _min(_: pyo.Block, g: str, t: int) -> object:
        u = units[g]
        if u.min_load_fraction <= 0.0:
            return pyo.Constraint.Skip
        return b.power_kw[g, t] >= u.min_load_fraction * u.rated_kw * b.online[g, t]

    b.power_min = pyo.Constraint(b.G, m.T, rule=_min)
    parts.requirement("diesel.power_min", b.power_min,
                      "generator minimum load (diesel.units[].min_load_fraction)")
    dur, hw = p.duration_h, p.step_hours_weighted
    b.fuel_l = pyo.Expression(
        b.G, m.T,
        rule=lambda _, g, t: float(dur[t]) * (
            units[g].f0_l_per_h_per_kw * units[g].rated_kw * b.online[g, t]
            + units[g].f1_l_per_kwh * b.power_kw[g, t]),
    )
    b.run_hours_per_year = pyo.Expression(
        b.G, rule=lambda _, g: sum(float(hw[t]) * b.online[g, t] for t in m.T))
    b.fuel_l_per_year = pyo.Expression(
        b.G, rule=lambda _, g: sum(float(p.weight[t]) * b.fuel_l[g, t] for t in m.T))
    m.supply_kw.append(lambda t: sum(b.power_kw[g, t] for g in b.G))
    if with_reserve:
        m.reserve_kw.append(lambda t: sum(
            units[g].rated_kw * b.online[g, t] - b.power_kw[g, t] for g in b.G))
    for g, u in units.items():
        new = b.count[g] - u.existing
        add_cost(m, b, f"diesel_{g}", "capex", u.unit_capex_usd * new)
        end = p.end_discount if p.diesel_end_factor is None else p.diesel_end_factor
        add_cost(m, b, f"diesel_{g}", "salvage", -u.unit_capex_usd * end * new)
        add_cost(m, b, f"diesel_{g}", "replacement",
                 u.wear_usd_per_run_hour * p.variable_annuity * b.run_hours_per_year[g])
        add_cost(m, b, f"diesel_{g}", "om",
                 p.annuity * u.om_usd_per_kw_year * u.rated_kw * b.count[g]
                 + p.variable_annuity * u.om_usd_per_run_hour * b.run_hours_per_year[g])
