r"""Battery block.

Equations
---------
.. math::

    E_t = E_{t-1} \rho_t + \Delta_t (\eta_c C_t - D_t / \eta_d) \quad (E_{-1} = E_{T-1})

    s E^{max} \le E_t \le E^{max}, \quad C_t \le P^{max}, \quad D_t \le P^{max},
    \quad P^{max} \le k E^{max}

    R^{bat}_t \le P^{max} - D_t + C_t, \quad R^{bat}_t \Delta_t \le \eta_d (E_t - s E^{max})

Rows: ``m.battery.soc_balance`` (the balance), ``soc_min`` and ``soc_max``, ``charge_max``,
``discharge_max`` and ``c_rate`` (the power limits); with a spinning reserve,
``reserve_power`` and ``reserve_energy`` (the reserve the battery offers, used by
:mod:`energyopt.model.reliability`). The battery's net output :math:`D_t - C_t` enters the
energy balance (:mod:`energyopt.model.build`).

A time window instead starts from a given :math:`E_{-1}` and ends with :math:`E_{T-1}` at
least a given value (row ``m.battery.soc_final``; see
:func:`~energyopt.model.params.window_params`).

Costs: capex on new energy and power; O&M as a share of total capex per year; replacement and
salvage by calendar life.

======================  ==================================  =====================================
symbol                  meaning                             input
======================  ==================================  =====================================
:math:`E^{max}`         energy size [kWh]                   ``battery.existing_kwh``,
                        (``m.battery.kwh``)                 ``battery.max_kwh``
:math:`P^{max}`         power size [kW] (``m.battery.kw``)  ``battery.existing_kw``,
                                                            ``battery.max_kw``
:math:`E_t`             state of charge at step end [kWh]
                        (``m.battery.soc_kwh``)
:math:`C_t, D_t`        charge, discharge [kW]
                        (``m.battery.charge_kw``,
                        ``m.battery.discharge_kw``)
:math:`R^{bat}_t`       spinning reserve offered [kW]
                        (``m.battery.reserve_kw``)
:math:`\eta_c, \eta_d`  square root of the round trip       ``battery.roundtrip_efficiency``
                        efficiency
:math:`s`               lowest state of charge [share of    ``battery.min_soc``
                        kWh]
:math:`\rho_t`          energy kept over the step [-]       ``battery.self_discharge_per_hour``
:math:`\Delta_t`        step duration [h]                   ``horizon.step_minutes``
:math:`k`               largest kW per kWh [1/h]            ``battery.max_power_to_energy_per_h``
======================  ==================================  =====================================
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from energyopt.model.common import add_cost
from energyopt.model.params import ModelParams

__all__ = ["add_battery"]


def add_battery(m: pyo.ConcreteModel, p: ModelParams, *, with_reserve: bool) -> None:
    """Add ``m.battery`` (skipped when no battery exists or may be built)."""
    if not p.has_battery:
        return
    b = m.battery = pyo.Block()
    b.kwh = pyo.Var(bounds=(p.bat_existing_kwh, p.bat_max_kwh), initialize=p.bat_existing_kwh)
    b.kw = pyo.Var(bounds=(p.bat_existing_kw, p.bat_max_kw), initialize=p.bat_existing_kw)
    b.charge_kw = pyo.Var(m.T, within=pyo.NonNegativeReals)
    b.discharge_kw = pyo.Var(m.T, within=pyo.NonNegativeReals)
    b.soc_kwh = pyo.Var(m.T, within=pyo.NonNegativeReals)
    parts = m.parts
    parts.size("battery_kwh", b.kwh)
    parts.size("battery_kw", b.kw)
    for var in (b.charge_kw, b.discharge_kw, b.soc_kwh):
        parts.timed(var)
    parts.states["battery_soc_kwh"] = [b.soc_kwh[t] for t in m.T]
    n, dur, ret = p.n_steps, p.duration_h, p.bat_retention_per_step
    eta_c, eta_d, smin = p.bat_eta_charge, p.bat_eta_discharge, p.bat_min_soc

    b.c_rate = pyo.Constraint(expr=b.kw <= p.bat_max_power_to_energy * b.kwh)
    b.soc_max = pyo.Constraint(m.T, rule=lambda _, t: b.soc_kwh[t] <= b.kwh)
    b.soc_min = pyo.Constraint(m.T, rule=lambda _, t: b.soc_kwh[t] >= smin * b.kwh)
    b.charge_max = pyo.Constraint(m.T, rule=lambda _, t: b.charge_kw[t] <= b.kw)
    b.discharge_max = pyo.Constraint(m.T, rule=lambda _, t: b.discharge_kw[t] <= b.kw)
    init = p.bat_initial_soc_kwh

    def _before(t: int) -> Any:
        return init if t == 0 and init is not None else b.soc_kwh[(t - 1) % n]

    b.soc_balance = pyo.Constraint(
        m.T,
        rule=lambda _, t: b.soc_kwh[t] == float(ret[t]) * _before(t)
        + float(dur[t]) * (eta_c * b.charge_kw[t] - b.discharge_kw[t] / eta_d),
    )
    if p.bat_final_soc_min_kwh is not None:
        b.soc_final = pyo.Constraint(expr=b.soc_kwh[n - 1] >= p.bat_final_soc_min_kwh)
    m.supply_kw.append(lambda t: b.discharge_kw[t] - b.charge_kw[t])
    m.absorb_kw.append(lambda t: b.charge_kw[t])
    if with_reserve:
        b.reserve_kw = pyo.Var(m.T, within=pyo.NonNegativeReals)
        parts.timed(b.reserve_kw)
        b.reserve_power = pyo.Constraint(
            m.T, rule=lambda _, t: b.reserve_kw[t] <= b.kw - b.discharge_kw[t] + b.charge_kw[t])
        b.reserve_energy = pyo.Constraint(
            m.T, rule=lambda _, t: b.reserve_kw[t] * float(dur[t])
            <= eta_d * (b.soc_kwh[t] - smin * b.kwh))
        m.reserve_kw.append(lambda t: b.reserve_kw[t])

    ce, cp = p.bat_capex_usd_per_kwh, p.bat_capex_usd_per_kw
    total = ce * b.kwh + cp * b.kw
    add_cost(m, b, "battery", "capex",
             ce * (b.kwh - p.bat_existing_kwh) + cp * (b.kw - p.bat_existing_kw))
    add_cost(m, b, "battery", "om", p.bat_om_fraction * p.annuity * total)
    add_cost(m, b, "battery", "replacement", p.bat_replacement_factor * total)
    add_cost(m, b, "battery", "salvage", -p.bat_salvage_factor * total)
