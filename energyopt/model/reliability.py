r"""Reliability block: spinning reserve and unserved energy.

Equations
---------
.. math::

    \sum_g (R_g u_{g,t} - P_{g,t}) + R^{bat}_t \ge \alpha L_t + \beta P^{pv}_t

    0 \le U_t \le L_t - L^{crit}_t, \quad \sum_t w_t \Delta_t U_t \le \gamma
    \sum_t w_t \Delta_t L_t

Rows: ``m.reliability.reserve`` (the spinning reserve, built when a reserve is asked for:
headroom of the units online plus the battery's offer :math:`R^{bat}_t` against a share of
the load and of the PV output) and ``unserved_limit`` (the cap on unserved energy, built with
``m.reliability.unserved_kw`` only when ``max_unserved_fraction`` is above zero and some load
may be shed; its bound :math:`L_t - L^{crit}_t` is the variable's bound). :math:`U_t` is a
supply term of the energy balance (:mod:`energyopt.model.build`).

Cost: value of lost load :math:`v \sum_t w_t \Delta_t U_t A_v` (:math:`A_v`, the
load-weighted annuity of :mod:`energyopt.model.params`).

==================  ===============================  ==============================================
symbol              meaning                          input
==================  ===============================  ==============================================
:math:`\alpha`      reserve on load                  ``reliability.reserve_load_fraction``
:math:`\beta`       reserve on PV output             ``reliability.reserve_pv_fraction``
:math:`U_t`         unserved load [kW]
                    (``m.reliability.unserved_kw``)
:math:`L_t`         camp load [kW]                   ``load`` (``Inputs.load_kw``)
:math:`L^{crit}_t`  critical load, never shed [kW]   ``load.critical_fraction``,
                                                     ``load.components``
:math:`R^{bat}_t`   battery's reserve offer [kW]
                    (``m.battery.reserve_kw``)
:math:`\gamma`      largest unserved share           ``reliability.max_unserved_fraction``
:math:`v`           value of lost load [USD/kWh]     ``reliability.value_of_lost_load_usd_per_kwh``
==================  ===============================  ==============================================
"""

from __future__ import annotations

import pyomo.environ as pyo

from energyopt.model.common import add_cost
from energyopt.model.params import ModelParams

__all__ = ["add_reliability", "add_reserve", "needs_reserve"]


def needs_reserve(p: ModelParams) -> bool:
    """Whether any spinning reserve is required."""
    return p.reserve_load_fraction > 0.0 or (p.reserve_pv_fraction > 0.0 and p.has_pv)


def add_reliability(m: pyo.ConcreteModel, p: ModelParams) -> None:
    """Add ``m.reliability`` with unserved energy (when allowed)."""
    b = m.reliability = pyo.Block()
    sheddable = p.load_kw - p.critical_kw
    if p.max_unserved_fraction > 0.0 and sheddable.max() > 0.0:
        b.unserved_kw = pyo.Var(m.T, within=pyo.NonNegativeReals,
                                bounds=lambda _, t: (0.0, float(sheddable[t])))
        hw = p.step_hours_weighted
        b.unserved_kwh_per_year = pyo.Expression(
            expr=sum(float(hw[t]) * b.unserved_kw[t] for t in m.T))
        b.unserved_limit = pyo.Constraint(
            expr=b.unserved_kwh_per_year <= p.max_unserved_fraction * p.annual_load_kwh)
        m.supply_kw.append(lambda t: b.unserved_kw[t])
        m.parts.timed(b.unserved_kw)
        m.parts.requirement("reliability.unserved_limit", b.unserved_limit,
                            "unserved energy cap (reliability.max_unserved_fraction)")
        add_cost(m, b, "unserved", "unserved",
                 p.voll_usd_per_kwh * p.variable_annuity * b.unserved_kwh_per_year)


def add_reserve(m: pyo.ConcreteModel, p: ModelParams) -> None:
    """Add the spinning reserve requirement to ``m.reliability``."""
    b = m.reliability
    pv = m.component("pv")
    alpha, beta = p.reserve_load_fraction, p.reserve_pv_fraction
    load = p.load_kw

    def _rule(_: pyo.Block, t: int) -> object:
        need = alpha * float(load[t])
        if pv is not None and beta > 0.0:
            need = need + beta * pv.power_kw[t]
        return sum(term(t) for term in m.reserve_kw) >= need

    b.reserve = pyo.Constraint(m.T, rule=_rule)
    m.parts.requirement("reliability.reserve", b.reserve,
                        "spinning reserve (reliability.reserve_load_fraction / "
                        "reserve_pv_fraction)")
