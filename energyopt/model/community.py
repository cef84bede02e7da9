r"""Host community and mission end (issue 15): feeder, camp-first rule, handover, relocation.

Built only with ``community:`` or ``mission:`` in the scenario; without them the model is
exactly the camp's.

Feeder (during the mission)
---------------------------
.. math::

    0 \le S_t \le \bar S_t = \min(F o_t, L^c_t)

:math:`S_t` is the power served to the community (``m.community.served_kw``), :math:`F` the
feeder capacity, :math:`o_t` 1 inside the availability window, :math:`L^c_t` the community
load. It enters the energy balance as a demand beside the camp's load.

**Camp first.** The camp's load is served before the community's. The camp's critical load is
never shed (:math:`U_t \le L_t - L^{crit}_t`, the reliability block); the community may not be
served in a step while camp load is shed. The linear rule chosen (no integers):

.. math::

    S_t \le \bar S_t \, (1 - U_t / (L_t - L^{crit}_t))

serving drops to zero when all the camp's sheddable load is shed, and is squeezed as the camp
sheds more. With :math:`U_t > 0` and :math:`S_t > 0` together the model would shed camp load
(priced at the value of lost load :math:`v_L`) to serve the community (valued at
:math:`w v_c`), a loss whenever :math:`v_L > w v_c`, which the scenario enforces; so an optimal
design never serves the community in a step where the camp is short. The results check it per
step (``community_priority``).

Value in the objective (negative costs, weighted by ``mission.community_weight`` :math:`w`):

.. math::

    -w \, v_c \, A \sum_t h_t S_t

with :math:`A` the (expected) annuity of the mission years and :math:`h_t` the hours a step
stands for in a year; :math:`v_c` the tariff or the community's avoided small-genset diesel.

After closure (with ``mission:``)
---------------------------------
Handed-over PV :math:`K^h` and battery :math:`B^h` keep serving the community for their
remaining life, the host paying O&M (``host_om_fraction`` of the UN's). The energy they serve
a year, :math:`E^h`, is bounded linearly (no second dispatch year):

.. math::

    E^h \le E^c, \quad E^h \le Y^{pv} K^h, \quad
    E^h \le E^c_{sun} + 365 \, \eta \, (1 - s) B^h

(the community's annual energy; the handed-over PV's annual yield; the community's energy
while the sun shines plus one daily battery cycle). Its value
:math:`w (v_c E^h \Phi^{pv} - h (o^{pv} K^h \Phi^{pv} + o^{bat} B^h \Phi^{bat}))`, with
:math:`\Phi` the expected present value of a unit a year over the kit's life left after
closure and drawdown (:class:`~energyopt.model.params.MissionParams`). The battery's
share of :math:`E^h` is credited over the PV's life (a simplification).

Relocatable kit
---------------
With ``relocatable_kit: decide`` the PV and battery sizes split into fixed and relocatable
(containerised) kit: :math:`K^{pv} = K^{fix} + K^{rel}` with :math:`K^{rel}` its own size
variable (``pv_relocatable_kwp``; ``battery_relocatable_kwh`` for the battery energy), costing
the capex premium :math:`\pi` on capex and replacements and earning the relocation value at
closure instead of the fixed kit's (:func:`~energyopt.model.params.with_mission`). The battery's
power electronics stay fixed kit. ``relocatable``: all new kit is relocatable.

Rows
----
* ``m.community.camp_first``: the camp-first rule (built when camp load may be shed); the
  feeder bound :math:`S_t \le \bar S_t` is the bound of ``m.community.served_kw``;
* ``m.community.taken_pv``, ``taken_bat``: the host takes at most the kit handed over,
  :math:`\tilde K \le K^h`, :math:`\tilde B \le B^h` (the bounds on :math:`E^h` then use
  :math:`\tilde K, \tilde B`, and the host's O&M is counted on the kit it takes);
* ``m.community.handover_pv``, ``handover_bat``: the second and third bounds on :math:`E^h`
  (the first is the bound of ``m.community.handover_mwh``, in MWh a year);
* ``m.mission.pv_split``, ``bat_split``: :math:`K^{rel} \le K^{pv} - K^{pv}_{exist}`
  (``decide``) or :math:`=` (``relocatable``), and the same for the battery energy.

=============================  =================================  =================================
symbol                         meaning                            input
=============================  =================================  =================================
:math:`S_t`                    power served to the community
                               [kW] (``m.community.served_kw``)
:math:`F`                      feeder capacity [kW]               ``community.feeder_kw``
:math:`o_t`                    1 inside the feeder's hours, else  ``community.hours``
                               0
:math:`L^c_t`                  community load [kW]                ``community.households``,
                                                                  facilities, ``csv`` or
                                                                  ``constant_kw``
:math:`U_t, L_t, L^{crit}_t`   camp's unserved, load, critical    see the reliability block
                               load [kW]
:math:`v_c, w`                 value of a kWh served [USD/kWh],   ``community.value_usd_per_kwh``,
                               its weight                         ``value_basis``,
                                                                  ``mission.community_weight``
:math:`v_L`                    value of lost load [USD/kWh]       see the reliability block
:math:`A, h_t`                 annuity of the mission years,      ``mission.end_year`` or
                               hours a step stands for            ``closure_probabilities``
:math:`K^h, B^h`               PV [kWp] and battery [kWh] handed  ``mission.handover``
                               over
:math:`\tilde K, \tilde B`     kit the host takes, at most what   ``mission.host_om_fraction``
                               is handed over
                               (``m.community.taken_kwp``,
                               ``m.community.taken_kwh``)
:math:`E^h`                    community energy a year served by
                               the kit after closure [MWh/yr]
                               (``m.community.handover_mwh``)
:math:`E^c, E^c_{sun}`         community energy a year, and of    the community load
                               it while the sun shines [kWh/yr]
:math:`Y^{pv}`                 PV yield [kWh/kWp/yr]              ``Inputs.pv_kw_per_kwp``
:math:`\eta, s`                battery round trip, lowest state   ``battery.roundtrip_efficiency``,
                               of charge                          ``battery.min_soc``
:math:`o^{pv}, o^{bat}, h`     UN O&M per kWp and per kWh a       ``solar.om_usd_per_kwp_year``,
                               year, the host's share             ``battery.om_fraction_per_year``,
                                                                  ``mission.host_om_fraction``
:math:`\Phi^{pv}, \Phi^{bat}`  present value of a unit a year     ``mission.drawdown_months``
                               over the kit's life left after
                               closure
:math:`K^{fix}, K^{rel}`       fixed and relocatable new PV       ``mission.relocatable_kit``
                               [kWp]; :math:`K^{rel}` is
                               ``m.mission.pv_kwp``
:math:`B^{rel}`                relocatable new battery energy     ``mission.relocatable_kit``
                               [kWh] (``m.mission.bat_kwh``)
:math:`\pi`                    capex premium of relocatable kit   ``relocatable_capex_premium``
=============================  =================================  =================================
"""

from __future__ import annotations

import warnings
from typing import Any

import pyomo.environ as pyo

from energyopt.model.common import add_cost
from energyopt.model.params import ModelParams

__all__ = ["add_community", "add_mission_kit", "community_value_check", "handover_bounds_kwh",
           "handover_value_usd"]


def add_mission_kit(m: pyo.ConcreteModel, p: ModelParams) -> None:
    """Add ``m.mission`` with the relocatable kit's sizes and end values (``mission:`` only)."""
    mp = p.mission
    if mp is None:
        return
    b = m.mission = pyo.Block()
    prem = mp.relocatable_premium
    pv, bat = m.component("pv"), m.component("battery")
    if mp.relocatable_kit == "fixed":
        return
    if pv is not None:
        new_max = max(p.pv_max_kwp - p.pv_existing_kwp, 0.0)
        b.pv_kwp = pyo.Var(bounds=(0.0, new_max), initialize=0.0)
        m.parts.size("pv_relocatable_kwp", b.pv_kwp)
        new = pv.kwp - p.pv_existing_kwp
        b.pv_split = (pyo.Constraint(expr=b.pv_kwp == new) if mp.relocatable_kit == "relocatable"
                      else pyo.Constraint(expr=b.pv_kwp <= new))
        c = p.pv_capex_usd_per_kwp
        add_cost(m, b, "pv_relocatable", "capex", c * prem * b.pv_kwp)
        add_cost(m, b, "pv_relocatable", "replacement",
                 c * prem * p.pv_replacement_factor * b.pv_kwp)
        add_cost(m, b, "pv_relocatable", "salvage",
                 -c * ((1.0 + prem) * mp.pv_end_relocatable - mp.pv_end_fixed) * b.pv_kwp)
    if bat is not None:
        new_max = max(p.bat_max_kwh - p.bat_existing_kwh, 0.0)
        b.bat_kwh = pyo.Var(bounds=(0.0, new_max), initialize=0.0)
        m.parts.size("battery_relocatable_kwh", b.bat_kwh)
        new = bat.kwh - p.bat_existing_kwh
        b.bat_split = (pyo.Constraint(expr=b.bat_kwh == new)
                       if mp.relocatable_kit == "relocatable"
                       else pyo.Constraint(expr=b.bat_kwh <= new))
        ce = p.bat_capex_usd_per_kwh
        add_cost(m, b, "battery_relocatable", "capex", ce * prem * b.bat_kwh)
        add_cost(m, b, "battery_relocatable", "replacement",
                 ce * prem * p.bat_replacement_factor * b.bat_kwh)
        add_cost(m, b, "battery_relocatable", "salvage",
                 -ce * ((1.0 + prem) * mp.bat_end_relocatable - mp.bat_end_fixed) * b.bat_kwh)


def handed_over(m: pyo.ConcreteModel, p: ModelParams) -> tuple[Any, Any]:
    """Handed-over PV [kWp] and battery energy [kWh] as expressions (0 when none)."""
    mp = p.mission
    assert mp is not None
    pv, bat, b = m.component("pv"), m.component("battery"), m.component("mission")

    def part(total: Any, reloc: Any, fixed_goes: bool, reloc_goes: bool) -> Any:
        if total is None:
            return 0.0
        if reloc is None:
            return total if fixed_goes else 0.0
        return (total - reloc if fixed_goes else 0.0) + (reloc if reloc_goes else 0.0)

    k = part(None if pv is None else pv.kwp, None if b is None else b.component("pv_kwp"),
             mp.pv_handover_fixed, mp.pv_handover_relocatable)
    e = part(None if bat is None else bat.kwh, None if b is None else b.component("bat_kwh"),
             mp.bat_handover_fixed, mp.bat_handover_relocatable)
    return k, e


def handover_bounds_kwh(p: ModelParams, pv_kwp: float, bat_kwh: float) -> float:
    """Community energy a year the handed-over kit serves (the least of the three bounds)."""
    c = p.community
    assert c is not None
    return float(min(c.annual_kwh, _pv_yield(p) * pv_kwp,
                     c.sunlit_kwh + _cycle_kwh(p) * bat_kwh))


def _pv_yield(p: ModelParams) -> float:
    """PV energy a year per kWp [kWh/kWp]."""
    return float((p.step_hours_weighted * p.pv_avail_kw_per_kwp).sum())


def _cycle_kwh(p: ModelParams) -> float:
    """Energy a year one daily battery cycle shifts per kWh of battery [kWh/kWh]."""
    return 365.0 * p.bat_eta_charge * p.bat_eta_discharge * (1.0 - p.bat_min_soc)


def add_community(m: pyo.ConcreteModel, p: ModelParams) -> None:
    """Add ``m.community``: feeder, camp-first rule, value and handover (see module doc)."""
    c = p.community
    if c is None:
        return
    b = m.community = pyo.Block()
    cap = c.cap_kw
    b.served_kw = pyo.Var(m.T, within=pyo.NonNegativeReals,
                          bounds=lambda _, t: (0.0, float(cap[t])))
    m.parts.timed(b.served_kw)
    m.demand_kw.append(lambda t: b.served_kw[t])
    # diesel output may go to the community too (the diesel surplus row of the build)
    m.absorb_kw.append(lambda t: b.served_kw[t])
    why = community_value_check(p)
    if why is not None:
        warnings.warn(f"{why}: the camp-first rule then rests on the linear row alone",
                      UserWarning, stacklevel=2)
    rel = m.reliability
    if rel.component("unserved_kw") is not None:
        sheddable = p.load_kw - p.critical_kw

        def _first(_: pyo.Block, t: int) -> Any:
            if cap[t] <= 0.0 or sheddable[t] <= 0.0:
                return pyo.Constraint.Skip
            return b.served_kw[t] + float(cap[t] / sheddable[t]) * rel.unserved_kw[t] \
                <= float(cap[t])

        b.camp_first = pyo.Constraint(m.T, rule=_first)
        m.parts.requirement("community.camp_first", b.camp_first,
                            "the community is not served while camp load is shed")
    hw = p.step_hours_weighted
    b.kwh_per_year = pyo.Expression(expr=sum(float(hw[t]) * b.served_kw[t] for t in m.T))
    w, v = c.weight, c.value_usd_per_kwh
    add_cost(m, b, "community", "community", -w * v * p.annuity * b.kwh_per_year)
    mp = p.mission
    if mp is None:
        return
    k, e = handed_over(m, p)
    # the host takes what is worth its O&M: taken kit at most the kit handed over
    b.taken_kwp = pyo.Var(within=pyo.NonNegativeReals)
    b.taken_kwh = pyo.Var(within=pyo.NonNegativeReals)
    b.taken_pv = pyo.Constraint(expr=b.taken_kwp <= k)
    b.taken_bat = pyo.Constraint(expr=b.taken_kwh <= e)
    # in MWh a year: coefficients near one (a kWh row would carry the PV's yield, ~1,800)
    b.handover_mwh = pyo.Var(within=pyo.NonNegativeReals, bounds=(0.0, c.annual_kwh / 1e3))
    b.handover_pv = pyo.Constraint(expr=b.handover_mwh <= _pv_yield(p) / 1e3 * b.taken_kwp)
    b.handover_bat = pyo.Constraint(
        expr=b.handover_mwh <= c.sunlit_kwh / 1e3 + _cycle_kwh(p) / 1e3 * b.taken_kwh)
    host = _host_om_per_unit(p)
    add_cost(m, b, "handover", "handover",
             -w * (v * 1e3 * mp.pv_service_factor * b.handover_mwh
                   - host[0] * b.taken_kwp - host[1] * b.taken_kwh))


def _host_om_per_unit(p: ModelParams) -> tuple[float, float]:
    """Host's O&M over the handed-over kit's life, per kWp of PV and per kWh of battery [USD]."""
    mp = p.mission
    assert mp is not None
    bat_om = p.bat_om_fraction * p.bat_capex_usd_per_kwh
    return (mp.host_om_fraction * p.pv_om_usd_per_kwp_year * mp.pv_service_factor,
            mp.host_om_fraction * bat_om * mp.bat_service_factor)


def handover_value_usd(p: ModelParams, pv_kwp: float, bat_kwh: float) -> float:
    """Net value of the kit handed over (PV ``pv_kwp``, battery ``bat_kwh``), unweighted [USD].

    The most, over the kit the host takes (at most what is handed over), of the community's
    energy after closure valued over the PV's remaining life, minus the host's O&M; the
    optimum of the model's handover rows, evaluated at their breakpoints.
    """
    c, mp = p.community, p.mission
    if c is None or mp is None:
        return 0.0
    ypv, cyc = _pv_yield(p), _cycle_kwh(p)
    hk, he = _host_om_per_unit(p)
    ks = {0.0, pv_kwp, min(pv_kwp, c.annual_kwh / ypv if ypv > 0 else 0.0)}
    best = 0.0
    for k in ks:
        es = {0.0, bat_kwh}
        if cyc > 0:
            for target in (c.annual_kwh, ypv * k):
                es.add(min(bat_kwh, max(target - c.sunlit_kwh, 0.0) / cyc))
        for e in es:
            kwh = min(c.annual_kwh, ypv * k, c.sunlit_kwh + cyc * e)
            best = max(best, c.value_usd_per_kwh * mp.pv_service_factor * kwh - hk * k - he * e)
    return best


def community_value_check(p: ModelParams) -> str | None:
    """Say why the camp-first pricing does not hold (weighted value above the VoLL), or None."""
    c = p.community
    if c is None or p.max_unserved_fraction <= 0.0:
        return None
    if c.weight * c.value_usd_per_kwh >= p.voll_usd_per_kwh:
        return (f"community value {c.weight * c.value_usd_per_kwh:.3g} USD/kWh (weighted) is "
                f"not below the value of lost load {p.voll_usd_per_kwh:.3g} USD/kWh")
    return None
