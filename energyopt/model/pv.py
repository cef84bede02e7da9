r"""PV block.

Equations
---------
.. math::

    P^{pv}_t \le K^{pv} \, a_t \qquad K^{pv}_{exist} \le K^{pv} \le K^{pv}_{max}

Row ``m.pv.available`` (the size is bounded by the variable's bounds). Curtailment is
:math:`K^{pv} a_t - P^{pv}_t`. Costs (present values): capex :math:`c (K - K_{exist})`; O&M
:math:`o K A`; replacement :math:`c K R(L)`; salvage :math:`-c K S(L)`.

=====================  ========================================  =============================
symbol                 meaning                                   input
=====================  ========================================  =============================
:math:`K^{pv}`         PV size [kWp]                             ``solar.existing_kwp``,
                       (``m.pv.kwp``)                            ``solar.max_kwp``
:math:`a_t`            AC output per kWp, degradation-averaged   ``Inputs.pv_kw_per_kwp``
:math:`P^{pv}_t`       PV power used [kW]
                       (``m.pv.power_kw``)
:math:`c, o, L`        capex, O&M, life                          ``solar.capex_usd_per_kwp``,
                                                                 ``om_usd_per_kwp_year``,
                                                                 ``lifetime_years``
:math:`A, R(L), S(L)`  annuity, replacement and salvage factors  :mod:`energyopt.model.params`
=====================  ========================================  =============================
"""

from __future__ import annotations

import pyomo.environ as pyo

from energyopt.model.common import add_cost
from energyopt.model.params import ModelParams

__all__ = ["add_pv"]


def add_pv(m: pyo.ConcreteModel, p: ModelParams) -> None:
    """Add ``m.pv`` (skipped when no PV exists or may be built)."""
    if not p.has_pv:
        return
    b = m.pv = pyo.Block()
    b.kwp = pyo.Var(bounds=(p.pv_existing_kwp, p.pv_max_kwp), initialize=p.pv_existing_kwp)
    avail = p.pv_avail_kw_per_kwp
    b.power_kw = pyo.Var(m.T, within=pyo.NonNegativeReals)
    m.parts.size("pv_kwp", b.kwp)
    m.parts.timed(b.power_kw)
    b.available = pyo.Constraint(m.T, rule=lambda _, t: b.power_kw[t] <= b.kwp * float(avail[t]))
    m.supply_kw.append(lambda t: b.power_kw[t])
    c = p.pv_capex_usd_per_kwp
    add_cost(m, b, "pv", "capex", c * (b.kwp - p.pv_existing_kwp))
    add_cost(m, b, "pv", "om", p.pv_om_usd_per_kwp_year * p.annuity * b.kwp)
    add_cost(m, b, "pv", "replacement", c * p.pv_replacement_factor * b.kwp)
    add_cost(m, b, "pv", "salvage", -c * p.pv_salvage_factor * b.kwp)
