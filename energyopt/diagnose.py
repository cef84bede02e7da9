r"""Diagnosis of infeasible scenarios: which requirement cannot be met.

Two layers.

Before the solve, :func:`precheck` tests necessary conditions in closed form on every camp,
whatever its mix of PV, battery and diesel; each names the requirement, the numbers, the date
and the scenario field to change, and sets ``InfeasibleScenarioError.requirements``:

* power: the load (or, with shedding allowed, its critical part) against the fleet at full count,
  the battery's largest power and PV at its largest, and the unserved energy that leaves against
  ``reliability.max_unserved_fraction``;
* spinning reserve: online capacity and battery power against the load plus its reserve;
* fuel supply (with ``fuel.inventory``): a convoy day in the modelled period, the tank against
  the burn between two possible arrivals (convoy schedule, closed roads, lead time) plus the
  safety stock or the autonomy reserve, the autonomy alone, the trucks a day can bring
  (safety stock and autonomy measured against the same burn as the model: by default the
  diesel-only stress burn of ``fuel.inventory.stress_burn``, a constant, checked exactly);
* the annual convoy and casualty bounds;
* a capital budget (``budget:``): the new capacity the existing kit leaves short, at the
  cheapest price per kW of new diesel units or battery power.

Every condition is necessary: it uses the best case of the design (PV at ``max_kwp``, the
battery at ``max_kwh`` and its largest power, every diesel unit allowed) and a lower bound on
the fuel burned (:class:`BestCase`), so a camp it refuses has no feasible design.

After a solver proves infeasibility anyway, :func:`diagnose` ranks the requirement families an
elastic re-solve (each family given a priced slack) had to relax.

Lower bound on the fuel of a run of steps :math:`S`
----------------------------------------------------
With :math:`\ell_t` the load that must be served (the critical load when shedding is allowed),
:math:`\bar P^{pv}_t` PV at its largest, :math:`\delta_t = (\ell_t - \bar P^{pv}_t)^+` the
deficit, :math:`\sigma_t = (\bar P^{pv}_t - \ell_t)^+` the surplus and :math:`\bar B` the
battery's largest power, the diesel energy of :math:`S` is at least

.. math::

    E_S = \sum_S \Delta_t \delta_t - \min\Big(\sum_S \Delta_t \min(\delta_t, \bar B),\;
    \eta_d E_0 + \eta_c \eta_d \sum_S \Delta_t \min(\sigma_t, \bar B)\Big)

(the battery discharges at most what it held at the start above its floor, :math:`E_0`, plus
what PV surplus charged, after losses; charging it from diesel loses energy). :math:`E_0 = 0`
over the whole cyclic period, :math:`E^{max}(1 - s)` over a part of it. Fuel is at least
:math:`\min_g (F0_g + F1_g) E_S`, and at least the no-load fuel of the online capacity each
step must hold (the output the battery cannot cover, or the load plus reserve) plus
:math:`\min_g F1_g` times the output.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass, replace

import numpy as np
import pyomo.environ as pyo

from energyopt.engine.budget import Budget
from energyopt.errors import InfeasibleScenarioError, SolverError
from energyopt.inputs import Inputs
from energyopt.model import build_model
from energyopt.model.logistics import day_groups
from energyopt.model.params import LogisticsParams, ModelParams, logistics_params
from energyopt.model.reliability import needs_reserve
from energyopt.scenario import Scenario
from energyopt.solve import SolverSettings, solve_model

__all__ = ["BestCase", "Shift", "best_case", "diagnose", "precheck", "relax"]

log = logging.getLogger(__name__)

#: Relative margin a closed-form need must exceed its limit by before it refuses a camp [-].
_REL = 1e-7
#: Absolute margin on fuel [L] and power [kW] (solver tolerances).
_ABS_L = 1e-2
_ABS_KW = 1e-6


def _exceeds(need: float, limit: float, absolute: float = _ABS_L) -> bool:
    """Whether ``need`` exceeds ``limit`` beyond the numerical margins."""
    return need > limit * (1.0 + _REL) + absolute


def _when(inputs: Inputs, t: int) -> str:
    """Plain local date and time of step ``t`` (``2025-09-26 14:00``)."""
    return str(inputs.index[t].strftime("%Y-%m-%d %H:%M"))


def _litres(x: float) -> str:
    return f"{x:,.0f} L"


class Shift:
    """The most energy a battery can move into the deficit steps of a run of steps.

    Steps are taken cyclically (arrays repeated twice, so a run may wrap). The battery charges
    only in surplus steps (at most the surplus and its power, after losses) and discharges in
    deficit steps (at most the deficit and its power). A *block* is a night: steps without
    surplus and the surplus steps after them; in one block the battery delivers at most what it
    held, ``eta_d x energy``. Over a run it delivers at most ``eta_d E0 + eta_rt x charge``, with
    ``E0`` its usable energy when the run may start full and 0 over the whole cyclic period.

    Parameters
    ----------
    deficit_kw, surplus_kw : numpy.ndarray
        Per step [kW].
    duration_h : numpy.ndarray
        Step lengths [h].
    power_kw, energy_kwh : float
        Largest battery power [kW] and usable energy (above its floor) [kWh].
    eta_d, eta_rt : float
        Discharge and round-trip efficiency [-].
    """

    def __init__(self, deficit_kw: np.ndarray, surplus_kw: np.ndarray, duration_h: np.ndarray,
                 power_kw: float, energy_kwh: float, eta_d: float, eta_rt: float) -> None:
        n = int(duration_h.size)
        self.n = n
        self.eta_d, self.eta_rt, self.energy = eta_d, eta_rt, energy_kwh

        def cum(x: np.ndarray) -> np.ndarray:
            return np.concatenate([[0.0], np.cumsum(np.tile(x * duration_h, 2))])

        self.deficit = cum(deficit_kw)
        self.use = cum(np.minimum(deficit_kw, power_kw))
        self.charge = cum(np.minimum(surplus_kw, power_kw))
        sur = np.tile(surplus_kw > 0.0, 2)
        night = ~sur & np.concatenate([[True], sur[:-1]])
        starts = np.flatnonzero(night)
        if starts.size == 0 or starts[0] != 0:
            starts = np.concatenate([[0], starts])
        self.starts = np.append(starts, 2 * n)
        self.block = np.searchsorted(starts, np.arange(2 * n), side="right") - 1
        per = np.minimum(self.use[self.starts[1:]] - self.use[self.starts[:-1]],
                         eta_d * energy_kwh)
        self.blocks = np.concatenate([[0.0], np.cumsum(per)])
        # the whole period starts at a night's start, so no night is cut in two
        inner = starts[(starts > 0) & (starts <= n)]
        self.rotation = int(inner[0]) if inner.size else 0

    def _sum(self, c: np.ndarray, a: int, b: int) -> float:
        return float(c[b] - c[a])

    def most(self, a: int, b: int, *, carry: bool) -> float:
        """Most energy delivered into the deficit of steps ``a .. b - 1`` [kWh].

        ``0 <= a <= b <= a + n``; ``carry``: the battery may start the run full.
        """
        if b <= a:
            return 0.0
        cap = self.eta_d * self.energy
        ba, bb = int(self.block[a]), int(self.block[b - 1])
        if ba == bb:
            nights = min(self._sum(self.use, a, b), cap)
        else:
            nights = (min(self._sum(self.use, a, int(self.starts[ba + 1])), cap)
                      + float(self.blocks[bb] - self.blocks[ba + 1])
                      + min(self._sum(self.use, int(self.starts[bb]), b), cap))
        e0 = self.energy if carry else 0.0
        return min(nights, self._sum(self.use, a, b),
                   self.eta_d * e0 + self.eta_rt * self._sum(self.charge, a, b))

    def short(self, a: int, b: int, *, carry: bool) -> float:
        """Deficit energy of steps ``a .. b - 1`` the battery cannot cover [kWh]."""
        return max(self._sum(self.deficit, a, b) - self.most(a, b, carry=carry), 0.0)

    def cycle_short(self) -> float:
        """Deficit energy of the whole cyclic period the battery cannot cover [kWh]."""
        return self.short(self.rotation, self.rotation + self.n, carry=False)

    def worst_night(self) -> tuple[int, int, float, float]:
        """Find the night (block) of the period whose deficit exceeds the battery most.

        Returns
        -------
        tuple
            Its first and last step (taken modulo the period), its deficit and the most the
            battery can deliver in it [kWh].
        """
        best = (0, 0, 0.0, 0.0)
        gap = -math.inf
        first = int(self.block[self.rotation])
        last = int(self.block[self.rotation + self.n - 1])
        for k in range(first, last + 1):
            a, b = int(self.starts[k]), int(self.starts[k + 1])
            need = self._sum(self.deficit, a, b)
            most = self.most(a, b, carry=True)
            if need - most > gap:
                gap, best = need - most, (a % self.n, (b - 1) % self.n, need, most)
        return best


@dataclass(frozen=True)
class BestCase:
    """Best case of the design per step, and lower bounds on the fuel it burns.

    Attributes
    ----------
    firm_kw : numpy.ndarray
        Load that must be served [kW]: the load, or its critical part when shedding is allowed.
    pv_kw : numpy.ndarray
        PV output at ``max_kwp`` [kW].
    battery_kw : float
        Largest battery power [kW] (``min(max_kw, max_power_to_energy x max_kwh)``).
    battery_kwh : float
        Largest energy above the battery's floor [kWh].
    online_kw : numpy.ndarray
        Least online generator capacity [kW]: the output PV and battery cannot cover, or the
        load plus reserve beyond PV and battery.
    rate_l_per_h : numpy.ndarray
        Least fuel rate each step [L/h] (no-load fuel of ``online_kw`` plus the slope times the
        least output).
    cmin, f1min : float
        Least fuel per kWh of output, intercept included and slope alone [L/kWh].
    shift : Shift
        What the battery can move from PV surplus into the deficit (diesel's energy).
    """

    firm_kw: np.ndarray
    pv_kw: np.ndarray
    battery_kw: float
    battery_kwh: float
    online_kw: np.ndarray
    rate_l_per_h: np.ndarray
    cmin: float
    f1min: float
    shift: Shift
    # prefix sums over the period repeated twice, leading zero [L]
    _noload: np.ndarray
    _output: np.ndarray
    _rate: np.ndarray

    @property
    def n_steps(self) -> int:
        """Number of steps of the (cyclic) period."""
        return int(self.firm_kw.size)

    def run_l(self, start: int, stop: int, *, carry: bool) -> float:
        """Least fuel of the run of steps ``start .. stop - 1`` [L].

        ``0 <= start``, ``stop - start <= n``; ``carry`` lets the battery start the run full
        (a part of the period) instead of ending where it started (the whole cyclic period).
        """
        if stop <= start:
            return 0.0

        def total(c: np.ndarray) -> float:
            return float(c[stop] - c[start])

        energy = self.shift.short(start, stop, carry=carry)
        noload, output = total(self._noload), total(self._output)
        return max(self.cmin * energy, noload + self.f1min * max(energy, output),
                   total(self._rate))

    def fuel_l(self, start: int, stop: int) -> float:
        """Least fuel the steps ``start .. stop - 1`` burn [L].

        Steps count cyclically: ``stop`` may pass the period's end (a run that wraps) or
        cover it more than once (each whole period burns at least :meth:`cycle_l`).

        Parameters
        ----------
        start, stop : int
            First step and one past the last step, ``0 <= start <= stop``.

        Returns
        -------
        float
            A lower bound on the fuel burned in those steps by any feasible design [L].
        """
        n = self.n_steps
        whole, rest = divmod(stop - start, n)
        first = start % n
        out = whole * self.cycle_l()
        if rest:
            out += self.run_l(first, first + rest, carry=True)
        return out

    def cycle_l(self) -> float:
        """Least fuel the whole cyclic period burns [L] (the battery ends where it starts)."""
        r = self.shift.rotation
        return self.run_l(r, r + self.n_steps, carry=False)

    def rate_sum_l(self, steps: np.ndarray, weight: np.ndarray | None = None) -> float:
        """Least fuel of the given steps from the per-step rates alone, optionally weighted [L]."""
        dur_rate = np.diff(self._rate[: self.n_steps + 1])
        w = 1.0 if weight is None else weight[steps]
        return float((w * dur_rate[steps]).sum())


def _noload_l_per_h(p: ModelParams, online_kw: np.ndarray) -> np.ndarray:
    """Least no-load fuel of an online capacity of at least ``online_kw`` [L/h]."""
    if not p.diesel:
        return np.zeros_like(online_kw)
    if len(p.diesel) == 1:
        u = p.diesel[0]
        return u.f0_l_per_h_per_kw * u.rated_kw * np.ceil(online_kw / u.rated_kw - 1e-9)
    # a mix: at least the cheapest intercept on the capacity, and one unit when any runs
    f0 = min(u.f0_l_per_h_per_kw for u in p.diesel)
    one = min(u.f0_l_per_h_per_kw * u.rated_kw for u in p.diesel)
    return np.where(online_kw > 1e-9, np.maximum(f0 * online_kw, one), 0.0)


def _battery(p: ModelParams) -> tuple[float, float]:
    """Largest battery power [kW] and usable energy [kWh] of the design."""
    if not p.has_battery:
        return 0.0, 0.0
    return (min(p.bat_max_kw, p.bat_max_power_to_energy * p.bat_max_kwh),
            p.bat_max_kwh * (1.0 - p.bat_min_soc))


def _firm_kw(p: ModelParams) -> np.ndarray:
    """Load that must be served: the critical part when shedding is allowed [kW]."""
    shed = p.load_kw - p.critical_kw
    sheds = p.max_unserved_fraction > 0.0 and float(shed.max(initial=0.0)) > 0.0
    return np.maximum(p.critical_kw if sheds else p.load_kw, 0.0)


def best_case(p: ModelParams) -> BestCase:
    """Compute the best case of the design and its fuel bounds (see the module docstring).

    Parameters
    ----------
    p : ModelParams
        Model parameters (PV, battery and diesel bounds).

    Returns
    -------
    BestCase
    """
    n = p.n_steps
    dur = p.duration_h
    firm = _firm_kw(p)
    pv = p.pv_max_kwp * p.pv_avail_kw_per_kwp if p.has_pv else np.zeros(n)
    bkw, bkwh = _battery(p)
    deficit = np.maximum(firm - pv, 0.0)
    surplus = np.maximum(pv - firm, 0.0)
    must_run = np.maximum(deficit - bkw, 0.0)
    online = must_run.copy()
    if needs_reserve(p):
        # R u >= (1 + a) L - U - (1 - b) P_pv - (D + R_bat - C), and D + R_bat - C <= battery kW
        keep_pv = max(1.0 - p.reserve_pv_fraction, 0.0)
        reserve_need = ((1.0 + p.reserve_load_fraction) * p.load_kw
                        - (p.load_kw - firm) - keep_pv * pv - bkw)
        online = np.maximum(online, reserve_need)
    online = np.maximum(online, 0.0)
    if p.diesel:
        mu = min(u.min_load_fraction for u in p.diesel)
        cmin = min(u.f0_l_per_h_per_kw + u.f1_l_per_kwh for u in p.diesel)
        f1min = min(u.f1_l_per_kwh for u in p.diesel)
    else:
        mu = cmin = f1min = 0.0
    output = np.maximum(must_run, mu * online)
    noload = _noload_l_per_h(p, online)
    rate = np.maximum(noload + f1min * output, cmin * output)

    def cum(x: np.ndarray) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(np.tile(x * dur, 2))])

    eta_d = p.bat_eta_discharge
    shift = Shift(deficit, surplus, dur, bkw, bkwh, eta_d, p.bat_eta_charge * eta_d)
    return BestCase(
        firm_kw=firm, pv_kw=pv, battery_kw=bkw, battery_kwh=bkwh, online_kw=online,
        rate_l_per_h=rate, cmin=cmin, f1min=f1min, shift=shift, _noload=cum(noload),
        _output=cum(output), _rate=cum(rate))


def _mix(p: ModelParams) -> str:
    """Name the best case in messages: PV and battery at their largest."""
    parts = []
    if p.has_pv:
        parts.append(f"PV at its largest ({p.pv_max_kwp:,.0f} kWp, solar.max_kwp)")
    if p.has_battery:
        parts.append(f"the battery at its largest ({p.bat_max_kwh:,.0f} kWh, battery.max_kwh)")
    if not parts:
        return "with diesel alone (no PV or battery allowed)"
    return "even with " + " and ".join(parts)


def _fleet_field(p: ModelParams) -> str:
    if len(p.diesel) == 1:
        return f"diesel.units.{p.diesel[0].name}.max_count"
    return "diesel.units[].max_count"


def precheck(p: ModelParams, inputs: Inputs, scenario: Scenario | None = None) -> None:
    """Raise :class:`InfeasibleScenarioError` when a necessary condition fails.

    Runs on every camp, any mix of technologies, before any model is built (see the module
    docstring for the conditions and the bounds they rest on).

    Parameters
    ----------
    p : ModelParams
        Model parameters.
    inputs : Inputs
        For the timestamps and dates named in messages.
    scenario : Scenario, optional
        For the convoy schedule and the closed roads named in messages; without it the fuel
        supply messages say less about why no convoy can arrive.

    Raises
    ------
    InfeasibleScenarioError
        With ``requirements`` the short names of the requirements that cannot be met
        (``serve the load``, ``critical load``, ``unserved energy cap``, ``spinning reserve``,
        ``convoy arrival``, ``road closure``, ``fuel tank vs convoy period``, ``autonomy``,
        ``safety stock``, ``trucks per day``, ``convoy bound``, ``casualty bound``,
        ``capital budget``).
    """
    best = best_case(p)
    _check_power(p, inputs, best)
    if p.max_capex_usd is not None:
        _check_budget(p, inputs, best)
    _check_reserve(p, inputs, best)
    if p.logistics is not None:
        _FuelSupply(p, inputs, best, scenario).check()
    _check_annual_bounds(p, best)


def _check_power(p: ModelParams, inputs: Inputs, best: BestCase) -> None:
    """Check the load (or its critical part) against the most the fleet can deliver."""
    diesel_kw = sum(u.rated_kw * u.max_count for u in p.diesel)
    most = diesel_kw + best.battery_kw + best.pv_kw
    fleet = (f"diesel {diesel_kw:,.0f} kW at full count, battery {best.battery_kw:,.0f} kW")
    fix = (f"raise {_fleet_field(p)}, add a unit type, or allow more battery power "
           "(battery.max_kwh, battery.max_kw) or PV (solar.max_kwp)")
    shed = p.load_kw - p.critical_kw
    if p.max_unserved_fraction > 0.0 and float(shed.max(initial=0.0)) > 0.0:
        short = p.critical_kw - most
        if float(short.max()) > _ABS_KW:
            t = int(short.argmax())
            raise InfeasibleScenarioError(
                f"cannot serve the critical load: at {_when(inputs, t)} the critical load is "
                f"{p.critical_kw[t]:,.1f} kW (it is never shed) but the most the fleet can "
                f"deliver is {most[t]:,.1f} kW ({fleet}, PV {best.pv_kw[t]:,.0f} kW); {fix}, "
                "or lower the critical share of the load (load.critical_fraction)",
                ["critical load"])
        hw = p.step_hours_weighted
        lost = np.maximum(p.load_kw - most, 0.0)
        need = float((hw * lost).sum())
        allowed = p.max_unserved_fraction * p.annual_load_kwh
        if _exceeds(need, allowed, 1e-3):
            short_steps = np.flatnonzero(lost > _ABS_KW)
            t = int(lost.argmax())
            raise InfeasibleScenarioError(
                f"unserved energy cap: the fleet at its largest falls short of the load in "
                f"{short_steps.size:,} step(s) from {_when(inputs, int(short_steps[0]))} (worst "
                f"at {_when(inputs, t)}: {p.load_kw[t]:,.1f} kW against {most[t]:,.1f} kW), "
                f"which sheds at least {need:,.0f} kWh a year; "
                f"reliability.max_unserved_fraction = {p.max_unserved_fraction:.2%} allows "
                f"{allowed:,.0f} kWh a year; {fix}, or raise max_unserved_fraction",
                ["unserved energy cap"])
    else:
        short = p.load_kw - most
        if float(short.max()) > _ABS_KW:
            t = int(short.argmax())
            raise InfeasibleScenarioError(
                f"cannot serve the load: at {_when(inputs, t)} the load is "
                f"{p.load_kw[t]:,.1f} kW but the most the fleet can deliver is "
                f"{most[t]:,.1f} kW ({fleet}, PV {best.pv_kw[t]:,.0f} kW); {fix}, or allow "
                "shedding of the non-critical load (reliability.max_unserved_fraction)",
                ["serve the load"])
    _check_battery_energy(p, inputs, best, diesel_kw)


def _check_budget(p: ModelParams, inputs: Inputs, best: BestCase) -> None:
    """Check the capital budget against the least new capacity the load needs.

    The power the existing kit cannot give in some step (diesel units on site, the existing
    battery's power, PV at its largest, free here) must come from new diesel units or battery
    power; the cheapest of them per kW, integrality and battery energy left out, bounds the
    capital from below.
    """
    assert p.max_capex_usd is not None
    have = sum(u.rated_kw * u.existing for u in p.diesel) + p.bat_existing_kw
    short = best.firm_kw - best.pv_kw - have
    t = int(np.argmax(short))
    need_kw = float(short[t])
    if need_kw <= _ABS_KW:
        return
    prices = [u.unit_capex_usd / u.rated_kw for u in p.diesel if u.max_count > u.existing]
    if p.has_battery and p.bat_max_kw > p.bat_existing_kw:
        prices.append(p.bat_capex_usd_per_kw)
    if not prices:
        return  # _check_power already refused a fleet that cannot grow
    least = need_kw * min(prices)
    if least > p.max_capex_usd * (1.0 + _REL) + 1.0:
        raise InfeasibleScenarioError(
            f"capital budget: at {_when(inputs, t)} the load to serve is "
            f"{best.firm_kw[t]:,.1f} kW but the existing kit gives at most "
            f"{best.firm_kw[t] - need_kw:,.1f} kW (diesel units on site, the existing battery's "
            f"power, PV at its largest); the {need_kw:,.1f} kW more cost at least "
            f"{least:,.0f} USD of new diesel units or battery power, above budget.capex_usd "
            f"({p.max_capex_usd:,.0f} USD); raise the budget or add existing units "
            f"(diesel.units[].existing)", ["capital budget"])


def _check_battery_energy(p: ModelParams, inputs: Inputs, best: BestCase,
                          diesel_kw: float) -> None:
    """Check the energy the battery must give where diesel and PV fall short of the load.

    Where the load that must be served exceeds diesel at full count plus PV, only the battery
    covers the rest: within a night at most its usable energy, over the cyclic period at most
    what the spare diesel capacity and PV surplus charged, after losses.
    """
    gap = best.firm_kw - diesel_kw - best.pv_kw
    if float(gap.max()) <= _ABS_KW:
        return
    shift = Shift(np.maximum(gap, 0.0), np.maximum(-gap, 0.0), p.duration_h, best.battery_kw,
                  best.battery_kwh, p.bat_eta_discharge, p.bat_eta_charge * p.bat_eta_discharge)
    if shift.cycle_short() <= 1e-3:
        return
    sheds = bool((best.firm_kw < p.load_kw).any())
    what, req = ("the critical load", "critical load") if sheds else ("the load",
                                                                     "serve the load")
    fix = (f"raise {_fleet_field(p)}, add a unit type, or allow a larger battery "
           "(battery.max_kwh) or more PV (solar.max_kwp)")
    a, b, need, most = shift.worst_night()
    if need - most > 1e-3:
        raise InfeasibleScenarioError(
            f"cannot serve {what} through the night: from {_when(inputs, a)} to "
            f"{_when(inputs, b)} {what} exceeds diesel at full count ({diesel_kw:,.0f} kW) "
            f"plus PV by {need:,.0f} kWh in all, which only the battery can give, but the "
            f"largest battery ({p.bat_max_kwh:,.0f} kWh above its min_soc floor, at most "
            f"{best.battery_kw:,.0f} kW) delivers at most {most:,.0f} kWh; {fix}", [req])
    n = p.n_steps
    total = float((np.maximum(gap, 0.0) * p.duration_h).sum())
    most_all = shift.most(shift.rotation, shift.rotation + n, carry=False)
    raise InfeasibleScenarioError(
        f"cannot serve {what}: over the modelled period ({_when(inputs, 0)} to "
        f"{_when(inputs, n - 1)}) {what} exceeds diesel at full count ({diesel_kw:,.0f} kW) "
        f"plus PV by {total:,.0f} kWh, which only the battery can give, but the spare diesel "
        f"capacity and PV can recharge it with at most {most_all:,.0f} kWh after losses; "
        f"{fix}", [req])


def _check_reserve(p: ModelParams, inputs: Inputs, best: BestCase) -> None:
    """Online capacity plus battery power against the load, its reserve and PV's reserve.

    From the reserve row and the balance: ``sum R u >= (1 + a) L - U - (1 - b) P_pv - B``.
    """
    if not needs_reserve(p):
        return
    diesel_kw = sum(u.rated_kw * u.max_count for u in p.diesel)
    keep_pv = max(1.0 - p.reserve_pv_fraction, 0.0)
    need = (1.0 + p.reserve_load_fraction) * p.load_kw - (p.load_kw - best.firm_kw)
    have = diesel_kw + best.battery_kw + keep_pv * best.pv_kw
    short = need - have
    if float(short.max()) > _ABS_KW:
        t = int(short.argmax())
        raise InfeasibleScenarioError(
            f"the spinning reserve requirement cannot be met: at {_when(inputs, t)} the load "
            f"of {p.load_kw[t]:,.1f} kW plus {p.reserve_load_fraction:.0%} reserve needs "
            f"{need[t]:,.1f} kW of online generator capacity and battery power (PV output "
            f"counted net of its {p.reserve_pv_fraction:.0%} reserve), but at most "
            f"{have[t]:,.1f} kW can be online; add units ({_fleet_field(p)}), allow battery "
            "power (battery.max_kwh, battery.max_kw) or lower "
            "reliability.reserve_load_fraction", ["spinning reserve"])


def _check_annual_bounds(p: ModelParams, best: BestCase) -> None:
    """Check the least fuel a year against the convoy and casualty bounds."""
    if p.max_convoys_per_year is None and p.max_casualties_per_year is None:
        return
    per_truck = p.truck_capacity_l * (1.0 - p.loss_fraction)
    lg = p.logistics
    cycle = best.cycle_l()
    if lg is None:
        steps = np.arange(p.n_steps)
        fuel = max(float(p.weight.min()) * cycle, best.rate_sum_l(steps, p.weight))
        trucks = fuel / per_truck
        convoys = trucks / p.trucks_per_convoy
    else:
        # whole trucks and convoys in the period, each counted at least the least day weight
        _, steps_of_day = day_groups(lg.day_of_step)
        w = min(float((p.weight[s] * p.duration_h[s]).sum() / p.duration_h[s].sum())
                for s in steps_of_day)
        fuel = w * cycle
        trucks = w * math.ceil(cycle / per_truck - 1e-9)
        convoys = w * math.ceil(cycle / (per_truck * p.trucks_per_convoy) - 1e-9)
    how = (f"even with PV at {p.pv_max_kwp:,.0f} kWp and a {p.bat_max_kwh:,.0f} kWh battery"
           if p.has_pv or p.has_battery else "with diesel alone")
    if p.max_convoys_per_year is not None and _exceeds(convoys, p.max_convoys_per_year, 1e-6):
        raise InfeasibleScenarioError(
            f"convoy bound: {how} the camp burns at least {_litres(fuel)} of diesel a year, "
            f"which takes at least {convoys:,.1f} convoys a year ({per_truck:,.0f} L per truck "
            f"after losses, {p.trucks_per_convoy:g} trucks per convoy), more than "
            f"fuel.max_convoys_per_year = {p.max_convoys_per_year:g}; raise "
            "fuel.max_convoys_per_year, fuel.trucks_per_convoy or fuel.truck_capacity_l, or "
            "allow more PV and battery (solar.max_kwp, battery.max_kwh)", ["convoy bound"])
    casualties = convoys * p.casualties_per_convoy + trucks * p.casualties_per_truck
    if p.max_casualties_per_year is not None and _exceeds(casualties,
                                                          p.max_casualties_per_year, 1e-9):
        raise InfeasibleScenarioError(
            f"casualty bound: {how} the camp burns at least {_litres(fuel)} of diesel a year, "
            f"which takes at least {convoys:,.1f} convoys ({trucks:,.1f} trucks) a year and "
            f"{casualties:.3g} expected casualties a year, more than "
            f"fuel.max_expected_casualties_per_year = {p.max_casualties_per_year:g}; raise that "
            "bound, or allow more PV and battery (solar.max_kwp, battery.max_kwh)",
            ["casualty bound"])


class _FuelSupply:
    """Closed-form checks of the daily fuel inventory (:mod:`energyopt.model.logistics`).

    The stock is cyclic over the modelled period: every litre burned arrives inside it. Between
    two consecutive days a convoy may arrive, ``a`` and ``a'``, the stock just after the
    arrival on ``a`` covers the burn of days ``a .. a'-1`` and then still holds the larger of
    the safety stock and the autonomy burn from ``a'``; it never exceeds the tank.

    With ``fuel.inventory.stress_burn: diesel_only`` the safety stock and the autonomy burn are
    the model's own constants (:attr:`LogisticsParams.safety_stock_l`,
    :meth:`LogisticsParams.autonomy_need_l`: the diesel fleet alone, PV and battery
    unavailable), so those checks are exact, and the stock on every day ``d`` between ``a`` and
    ``a'`` must still hold the stress burn of ``d .. d+N-1`` after the least burn since ``a``.
    """

    def __init__(self, p: ModelParams, inputs: Inputs, best: BestCase,
                 scenario: Scenario | None) -> None:
        lg = p.logistics
        assert lg is not None
        self.p, self.inputs, self.best, self.scenario, self.lg = p, inputs, best, scenario, lg
        self.days, steps = day_groups(lg.day_of_step)
        self.nd = len(self.days)
        self.first_step = np.array([int(s[0]) for s in steps] + [p.n_steps])
        first = inputs.index[0].date()
        self.dates = [first + dt.timedelta(days=int(d)) for d in self.days]
        self.open_k = np.flatnonzero(lg.arrival_open[self.days])
        self.cycle = best.cycle_l()
        hours = np.array([float(p.duration_h[s].sum()) for s in steps])
        day_w = np.array([float((p.weight[s] * p.duration_h[s]).sum()) / h
                          for s, h in zip(steps, hours, strict=True)])
        by_day = np.array([best.rate_sum_l(s) for s in steps])
        weighted = max(float(day_w.min()) * self.cycle, float((day_w * by_day).sum()))
        self.safety = lg.safety_stock_days * 24.0 * weighted / float((day_w * hours).sum())
        #: autonomy stock each day position must start with at the stress burn [L]; None when
        #: autonomy is measured against the design's own burn (or not required)
        self.need_l = lg.autonomy_need_l()
        self.stress = lg.safety_stock_l is not None
        if lg.safety_stock_l is not None:
            self.safety = lg.safety_stock_l
        self.scheduled_k = self._scheduled()

    # ---- helpers ---------------------------------------------------------------------------
    def _step(self, k: int) -> int:
        """First step of day position ``k`` (``k`` may pass the period's end)."""
        whole, rest = divmod(k, self.nd)
        return whole * self.p.n_steps + int(self.first_step[rest])

    def burn(self, k0: int, k1: int) -> float:
        """Least fuel burned on day positions ``k0 .. k1 - 1`` (cyclic) [L]."""
        return self.best.fuel_l(self._step(k0), self._step(k1))

    def date(self, k: int) -> str:
        """Plain date of day position ``k`` (cyclic, so ``k`` past the end names a repeat)."""
        whole, rest = divmod(k, self.nd)
        d = self.dates[rest]
        span = (self.dates[-1] - self.dates[0]).days + 1
        return (d + dt.timedelta(days=whole * span)).isoformat()

    def _scheduled(self) -> np.ndarray | None:
        """Day positions the convoy schedule alone opens (no closures); None without scenario."""
        sc = self.scenario
        if sc is None or sc.fuel.inventory is None:
            return None
        spec = sc.fuel.inventory.model_copy(update={"closed_roads": []})
        free: LogisticsParams = logistics_params(
            spec, self.inputs, truck_l=1.0, rate=sc.horizon.discount_rate,
            years=sc.horizon.years, start=sc.horizon.start)
        return np.flatnonzero(free.arrival_open[self.days])

    def _schedule_words(self) -> str:
        sc = self.scenario
        if sc is None or sc.fuel.inventory is None:
            return "the convoy schedule"
        inv = sc.fuel.inventory
        if inv.convoy_schedule == "free":
            return "convoys may arrive any day (fuel.inventory.convoy_schedule: free)"
        if inv.convoy_schedule == "monthly":
            return (f"monthly convoys arrive on day {inv.convoy_offset_days + 1} of each month "
                    "(fuel.inventory.convoy_schedule: monthly, convoy_offset_days: "
                    f"{inv.convoy_offset_days})")
        period = 7 if inv.convoy_schedule == "weekly" else 14
        first = sc.horizon.start + dt.timedelta(days=inv.convoy_offset_days)
        return (f"{inv.convoy_schedule} convoys arrive every {period} days from "
                f"{first.isoformat()} (fuel.inventory.convoy_schedule: "
                f"{inv.convoy_schedule}, convoy_offset_days: {inv.convoy_offset_days})")

    def _closures(self, k0: int, k1: int) -> list[str]:
        """Name the closed roads that block arrivals on day positions ``k0 .. k1 - 1``."""
        sc = self.scenario
        if sc is None or sc.fuel.inventory is None:
            return []
        inv = sc.fuel.inventory
        dates = {self.dates[k % self.nd] for k in range(k0 - inv.lead_time_days, k1)}
        out = []
        for i, road in enumerate(inv.closed_roads):
            if any(road.start <= d <= road.end for d in dates):
                why = f", {road.reason}" if road.reason else ""
                out.append(f"fuel.inventory.closed_roads.{i} from {road.start.isoformat()} to "
                           f"{road.end.isoformat()}{why}")
        if out and inv.lead_time_days:
            out[-1] += (f"; an arrival also needs the {inv.lead_time_days} day(s) before it "
                        "open (fuel.inventory.lead_time_days)")
        return out

    # ---- checks ----------------------------------------------------------------------------
    def check(self) -> None:
        """Run the checks in order of how basic the cause is; raise on the first that fails."""
        if self.cycle <= _ABS_L:
            if self.stress:
                # the stress stock is held whatever PV and battery save
                self._autonomy_alone()
                self._safety_alone()
            return  # PV and battery may carry the camp without fuel
        if self.open_k.size == 0:
            self._no_arrival()
        self._autonomy_alone()
        self._safety_alone()
        self._spans()
        self._trucks()

    def _no_arrival(self) -> None:
        p, lg = self.p, self.lg
        period = f"{self.date(0)} to {self.date(self.nd - 1)}"
        within = f"between {self.date(0)} and {self.date(self.nd - 1)}"
        cyclic = (f"the daily fuel stock is cyclic over the modelled period ({period}: it ends "
                  "where it starts, so the stock on site cannot be drawn down) and every litre "
                  f"burned must arrive inside it; {_mix(p)} the camp burns at least "
                  f"{_litres(self.cycle)} of diesel in the period")
        if self.scheduled_k is not None and self.scheduled_k.size == 0:
            raise InfeasibleScenarioError(
                f"fuel supply: no convoy can arrive in the modelled period: "
                f"{self._schedule_words()}, and no such day falls {within}; {cyclic}. "
                "Model a period that holds an arrival day (horizon.start, horizon.days), move "
                "the arrival day (fuel.inventory.convoy_schedule, convoy_offset_days), or "
                "allow PV and battery enough to carry the camp (solar.max_kwp, battery.max_kwh)",
                ["convoy arrival in the modelled period"])
        roads = self._closures(0, self.nd)
        if roads:
            bridge = self.best.run_l(0, self.p.n_steps, carry=True)
            tank = (f"; bridging those {self.nd} closed days from a full tank alone takes at "
                    f"least {_litres(bridge)}, more than fuel.inventory.max_tank_l "
                    f"({_litres(lg.max_tank_l)})" if _exceeds(bridge, lg.max_tank_l) else
                    f"; the tank (fuel.inventory.max_tank_l = {_litres(lg.max_tank_l)}) could "
                    f"bridge them (at least {_litres(bridge)}) if the convoys before and after "
                    "the closure were in the modelled period")
            reqs = ["road closure", "convoy arrival in the modelled period"]
            if _exceeds(bridge, lg.max_tank_l):
                reqs.append("fuel tank vs road closure")
            raise InfeasibleScenarioError(
                f"fuel supply: the road closure blocks every arrival day of the modelled "
                f"period ({self._schedule_words()}; closed: {'; '.join(roads)}), so no convoy "
                f"can arrive; {cyclic}{tank}. Model a period longer than the closure, which "
                "holds the convoys before and after it (horizon.start, horizon.days), shorten "
                "the closure (fuel.inventory.closed_roads), or allow PV and battery enough to "
                "carry the camp (solar.max_kwp, battery.max_kwh)", reqs)
        raise InfeasibleScenarioError(
            f"fuel supply: no day of the modelled period ({period}) is open to a convoy (the "
            "schedule, closed roads and lead time leave none); "
            f"{cyclic}. Model a period that holds an arrival day (horizon.start, "
            "horizon.days), change fuel.inventory.convoy_schedule or closed_roads, or allow "
            "PV and battery enough to carry the camp",
            ["convoy arrival in the modelled period"])

    def _stress_words(self) -> str:
        """Say what the stress burn is, with its mean, for the messages."""
        return ("the stress burn: the diesel fleet alone carrying the load and its spinning "
                f"reserve, PV and battery unavailable, {_litres(self.lg.stress_mean_l_per_day)} "
                "a day on average (fuel.inventory.stress_burn: diesel_only)")

    def _autonomy_alone(self) -> None:
        lg, n_aut = self.lg, self.lg.autonomy_days
        if n_aut <= 0:
            return
        if self.need_l is not None:
            k = int(self.need_l.argmax())
            need = float(self.need_l[k])
            if _exceeds(need, lg.max_tank_l):
                raise InfeasibleScenarioError(
                    f"autonomy: the stock at the start of {self.date(k)} must cover the next "
                    f"{n_aut} days (fuel.inventory.autonomy_days) at {self._stress_words()}, "
                    f"{_litres(need)}, but the tank holds at most {_litres(lg.max_tank_l)} "
                    f"(fuel.inventory.max_tank_l); raise max_tank_l to at least "
                    f"{_litres(need)}, lower autonomy_days, or measure it against the design's "
                    "own burn (fuel.inventory.stress_burn: design)", ["autonomy"])
            return
        needs = np.array([self.burn(k, k + n_aut) for k in range(self.nd)])
        k = int(needs.argmax())
        if _exceeds(float(needs[k]), lg.max_tank_l):
            raise InfeasibleScenarioError(
                f"autonomy: the stock at the start of {self.date(k)} must cover the burn of the "
                f"next {n_aut} days (fuel.inventory.autonomy_days), at least "
                f"{_litres(float(needs[k]))} {_mix(self.p)}, but the tank holds at most "
                f"{_litres(lg.max_tank_l)} (fuel.inventory.max_tank_l); raise max_tank_l to at "
                f"least {_litres(float(needs[k]))}, lower autonomy_days, or allow more PV and "
                "battery (solar.max_kwp, battery.max_kwh)", ["autonomy"])

    def _safety_alone(self) -> None:
        lg = self.lg
        if self.stress and _exceeds(self.safety, lg.max_tank_l):
            raise InfeasibleScenarioError(
                f"safety stock: {lg.safety_stock_days:g} days (fuel.inventory.safety_stock_days) "
                f"of {self._stress_words()} over the modelled period ({self.date(0)} to "
                f"{self.date(self.nd - 1)}) are {_litres(self.safety)}, more than the tank can "
                f"hold ({_litres(lg.max_tank_l)}, fuel.inventory.max_tank_l); raise max_tank_l, "
                "lower safety_stock_days, or measure it against the design's own burn "
                "(fuel.inventory.stress_burn: design)", ["safety stock"])
        if _exceeds(self.safety, lg.max_tank_l):
            raise InfeasibleScenarioError(
                f"safety stock: {lg.safety_stock_days:g} days of mean burn over the modelled "
                f"period ({self.date(0)} to {self.date(self.nd - 1)}; "
                f"fuel.inventory.safety_stock_days) are at least {_litres(self.safety)} "
                f"{_mix(self.p)}, more than the tank can hold ({_litres(lg.max_tank_l)}, "
                "fuel.inventory.max_tank_l); raise max_tank_l or lower safety_stock_days",
                ["safety stock"])

    def _spans(self) -> None:
        lg, open_k, nd = self.lg, self.open_k, self.nd
        n_aut = lg.autonomy_days
        need_l = self.need_l
        worst: tuple[float, int, int, float, int] | None = None
        for i, first in enumerate(open_k):
            a0 = int(first)
            nxt0 = int(open_k[i + 1]) if i + 1 < open_k.size else int(open_k[0]) + nd
            span0 = self.burn(a0, nxt0)
            k0 = nxt0
            if need_l is not None:
                # stress burn: each day d until the next arrival starts with at least the
                # stress burn of d .. d+N-1, after the least burn since the arrival on a0
                held0, k0 = max((self.burn(a0, k) + float(need_l[k % nd]), k)
                                for k in range(a0 + 1, nxt0 + 1))
                need0 = max(span0 + self.safety, held0)
            else:
                # the span and the autonomy days after it as one run (the battery carried once)
                whole = self.burn(a0, nxt0 + n_aut) if n_aut > 0 else 0.0
                need0 = max(span0 + self.safety, whole)
            if worst is None or need0 > worst[0]:
                worst = (need0, a0, nxt0, span0, k0)
        assert worst is not None
        need, a, nxt, span, k_held = worst
        if need_l is not None:
            ahead = float(need_l[k_held % nd]) if n_aut > 0 else 0.0
            before = self.burn(a, k_held)
        else:
            ahead = self.burn(nxt, nxt + n_aut) if n_aut > 0 else 0.0
            before = span
        if not _exceeds(need, lg.max_tank_l):
            return
        days = nxt - a
        closed = False
        if self.scheduled_k is not None and self.scheduled_k.size:
            sched = self.scheduled_k
            later = sched[sched > a]
            s_nxt = int(later[0]) if later.size else int(sched[0]) + nd
            closed = s_nxt < nxt
        roads = self._closures(a + 1, nxt) if closed else []
        if closed:
            why = (f"the road is closed ({'; '.join(roads)})" if roads else
                   "closed roads and their lead time block the scheduled days between")
            reqs = ["road closure vs fuel tank"]
            fix = ("shorten or split the closure (fuel.inventory.closed_roads), "
                   "or lower lead_time_days")
        else:
            why = self._schedule_words()
            reqs = ["fuel tank vs convoy period"]
            fix = "choose a more frequent fuel.inventory.convoy_schedule"
        extra = max(self.safety, ahead)
        if extra > 0.0:
            stress = f" at {self._stress_words()}" if self.stress else ""
            if before + ahead >= span + self.safety:
                what = (f"the autonomy reserve of the {n_aut} days after it "
                        f"(fuel.inventory.autonomy_days){stress}, at least {_litres(ahead)}")
                part = "autonomy"
            else:
                what = (f"the safety stock of {lg.safety_stock_days:g} days "
                        f"(fuel.inventory.safety_stock_days){stress}, at least "
                        f"{_litres(self.safety)}")
                part = "safety stock"
            if not _exceeds(span, lg.max_tank_l):
                reqs.append(part)
            if part == "autonomy" and k_held != nxt:
                held = (f"; by the start of {self.date(k_held)} it has burnt at least "
                        f"{_litres(before)} and must still hold {what}")
            else:
                held = f" and must still hold {what} at the next arrival"
            lower = (", lower fuel.inventory.autonomy_days" if part == "autonomy" else
                     ", lower fuel.inventory.safety_stock_days")
        else:
            held, lower = "", ""
        raise InfeasibleScenarioError(
            f"{reqs[0]}: after the convoy that may arrive on {self.date(a)} the next can arrive "
            f"only on {self.date(nxt)}, {days} day(s) later ({why}); {_mix(self.p)} the camp "
            f"burns at least {_litres(span)} in those days{held}, so the tank must hold at "
            f"least {_litres(need)} just after the arrival on {self.date(a)}, but "
            f"fuel.inventory.max_tank_l is {_litres(lg.max_tank_l)}. Raise "
            f"fuel.inventory.max_tank_l to at least {_litres(need)}, {fix}{lower}, or allow "
            "more PV and battery (solar.max_kwp, battery.max_kwh)", reqs)

    def _trucks(self) -> None:
        p, lg = self.p, self.lg
        per_truck = p.truck_capacity_l * (1.0 - p.loss_fraction)
        most = self.open_k.size * lg.max_trucks_per_day * per_truck
        if _exceeds(self.cycle, most):
            raise InfeasibleScenarioError(
                f"trucks per day: {_mix(p)} the camp burns at least {_litres(self.cycle)} in "
                f"the modelled period ({self.date(0)} to {self.date(self.nd - 1)}), but its "
                f"{self.open_k.size} arrival day(s) can bring at "
                f"most {lg.max_trucks_per_day} truck(s) of {per_truck:,.0f} L each "
                f"({_litres(most)}); raise fuel.inventory.max_trucks_per_day (default from "
                "max_tank_l) or open more arrival days (fuel.inventory.convoy_schedule)",
                ["trucks per day"])


def relax(m: pyo.ConcreteModel) -> dict[str, tuple[pyo.Var, str]]:
    """Turn ``m`` into its elastic form: every requirement family gets a priced slack.

    The families are those the blocks registered (``m.parts.requirements``). The original
    objective is deactivated; the new objective ``elastic`` minimises the sum of slacks
    (normalised by the peak load). Returns, per family, its slack variables and its meaning.
    """
    scale = max(float(np.max(m.params.load_kw)), 1.0)
    slacks: dict[str, tuple[pyo.Var, str]] = {}
    m.npc.deactivate()
    terms = []
    for req in m.parts.requirements:
        con = req.constraint
        keys = list(con.keys())
        name = "slack_" + req.name.replace(".", "_")
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
        slacks[req.name] = (slack, req.meaning)
        terms.append(sum(slack.values()) / scale)
    m.elastic = pyo.Objective(expr=sum(terms), sense=pyo.minimize)
    return slacks


def diagnose(p: ModelParams, settings: SolverSettings, name: str,
             budget: Budget | None = None) -> InfeasibleScenarioError:
    """Rank the requirements an infeasible scenario cannot meet.

    Called after the closed-form checks of :func:`precheck` passed and a solver proved the
    scenario infeasible: the model is re-solved in its elastic form (:func:`relax`); each
    requirement family that needs a slack is one that cannot be met, ranked by its slack (the
    largest first). Never raises: a failure of the diagnosis itself becomes the message.

    Parameters
    ----------
    p : ModelParams
        The infeasible model's parameters.
    settings : SolverSettings
        Solver settings (the time limit and gap are replaced by the diagnosis's own).
    name : str
        Scenario name for the message.
    budget : Budget, optional
        Time left; the elastic solve takes at most 120 s of it.

    Returns
    -------
    InfeasibleScenarioError
        The error to raise.
    """
    try:
        m = build_model(p)
        slacks = relax(m)
        limit = 120.0 if budget is None else max(min(budget.left(), 120.0), 5.0)
        quick = replace(settings, time_limit_s=limit, mip_rel_gap=0.05)
        solve_model(m, quick)
        broken = []
        for key, (var, meaning) in slacks.items():
            total = sum(float(pyo.value(v, exception=False) or 0.0) for v in var.values())
            if total > 1e-6:
                broken.append((key, meaning, total))
    except (InfeasibleScenarioError, SolverError) as exc:
        return InfeasibleScenarioError(
            f"{name}: no design meets the requirements and the diagnosis found no single "
            f"cause ({exc}); check sizes, bounds and reserve settings", [])
    except Exception as exc:  # noqa: BLE001 - never show a bare modelling-layer trace
        log.debug("elastic diagnosis failed", exc_info=True)
        return InfeasibleScenarioError(
            f"{name}: no design meets the requirements; the closed-form checks found no "
            f"cause and the diagnosis re-solve failed ({type(exc).__name__}: {exc}); check "
            "sizes, bounds and reserve settings", [])
    broken.sort(key=lambda row: row[2], reverse=True)
    detail = "; ".join(f"{meaning} (short by {total:.3g} in total)"
                       for _key, meaning, total in broken)
    return InfeasibleScenarioError(
        f"{name}: no design meets these requirements (largest shortfall first): "
        f"{detail or 'unknown'}; relax them or allow more capacity",
        [meaning for _key, meaning, _total in broken])
