r"""Operate a given design hour by hour without foresight.

:func:`simulate` runs a camp of given sizes (a :class:`~energyopt.results.SizingResult` or a
mapping of its ``sizes``) through the scenario's steps with a rule-based controller that knows
only the present (and, for ``forecast``, a day-ahead forecast with error), the fuel stock
and the convoy calendar. It returns the dispatch, fuel, unserved energy (critical and not),
stock-outs and KPIs in the shape of a :class:`~energyopt.results.SizingResult`.

Rules common to every controller (per step :math:`t` of length :math:`\Delta_t`)
--------------------------------------------------------------------------------
* **PV** first serves the load; its surplus charges the battery; what is left is curtailed.
  Its availability is :math:`K^{pv} a_t` as in the optimiser (degradation-averaged), less the
  share out of service.
* **Battery**: stored energy :math:`E_t = \rho_t E_{t-1} + \Delta_t (\eta_c C_t -
  D_t / \eta_d)` with the optimiser's split :math:`\eta_c = \eta_d = \sqrt{\eta_{rt}}`,
  :math:`s E^{max} \le E_t \le E^{max}`, :math:`C_t, D_t \le P^{max}`. With a share
  :math:`f_t` out of service, :math:`E^{max}` and :math:`P^{max}` shrink by :math:`1 - f_t`
  and energy above the new ceiling is lost with the strings taken out (``battery_lost_kwh``).
* **Diesel**: units are committed from a ladder of combinations ordered by capacity (for one
  type, 0, 1, 2 ... units); the controller takes the first combination whose units are
  available and that (a) covers what PV and the battery leave of the load and (b) holds the
  spinning reserve :math:`\alpha L_t + \beta P^{pv}_t` together with the battery's reserve
  :math:`\min(P^{max} - D_t + C_t, \eta_d (E_t - s E^{max}) / \Delta_t)`, as the optimiser
  counts it. When no available combination holds the reserve, all available units run and the
  step counts in ``reserve_short_hours``. Running units share the output in proportion to
  their rating and make at least their minimum load :math:`\sum_g \mu_g R_g u_g`; what the
  load does not take goes first to the battery (its discharge is cut, then it charges), then
  displaces PV (curtailed), then to a load bank (``diesel_excess_kw``).
* **Fuel** per step: :math:`\Delta_t \sum_g (F0_g R_g u_g + F1_g P_g)` [L].
* **Stock** (with ``fuel.inventory``): convoys arrive at the start of their day, before its
  burn; each step's fuel is drawn from the stock. When the stock cannot feed a step the sets
  run for the share of the step the fuel lasts (the step's units online and output are scaled
  by that share), then stop: PV and the battery carry what they can and the rest of the load
  is shed by tiers (:mod:`energyopt.simulate.tiers`: comfort cooling, other non-critical,
  critical last). Each such step counts in ``stockout_hours``.
* **Unserved** load is shed by the tiers; ``unserved_critical_kw`` is what exceeds the
  non-critical load.

Controllers (HOMER's definitions)
---------------------------------
``load_following``
    The battery discharges first; a set runs only when PV and the battery cannot carry the
    load or the reserve, and makes only what the load net of PV and battery needs (at least
    its minimum load).
``cycle_charging``
    As load following, but once a set runs it runs at full output (as much as the load and
    the battery's charging take) and charges the battery; having started charging, sets keep
    running until the battery reaches the setpoint (``setpoint_soc`` x capacity, 80% by
    default as in HOMER).
``forecast``
    Cycle charging whose setpoint is set every step from a day-ahead forecast of PV and load:
    the sets charge the battery only up to the energy the forecast PV surplus of the next 24 h
    will not bring, :math:`\min(s^{set} E^{max}, \max(s E^{max}, E^{max} - \eta_c
    \hat S_t))` with :math:`\hat S_t` the forecast surplus. The forecast is the actual PV and
    load of each day times :math:`1 + \epsilon`, :math:`\epsilon \sim N(0,`
    ``forecast_error`` :math:`)` drawn per day for PV and for load (seeded by ``seed``). With a
    sunny tomorrow the sets leave the battery for the sun (load following); before a cloudy
    one they fill it while they run.

Resupply (with ``fuel.inventory``)
----------------------------------
The convoy calendar is the plan's: :func:`energyopt.model.params.logistics_params` (schedule,
offset, lead time, closed roads), less cancelled convoys and a blockade (:class:`Outages`).

``order_up_to``
    On an arrival day a convoy brings what refills the tank (design ``fuel_tank_l``) in whole
    trucks of ``truck_capacity_l x (1 - loss_fraction)`` (the last one part-loaded), at most
    ``trucks_per_convoy`` trucks (and ``max_trucks_per_day``). It comes when the room in the
    tank is at least one truckload; on a ``free`` schedule (any day) when the room is at least
    a full convoy's load or half the tank, whichever is less.
``planned``
    Exactly the litres, trucks and convoys the optimiser planned (``fuel_daily``), on their
    days; litres that do not fit in the tank are refused (an event).

The stock before the first day is the plan's (its cyclic stock at the period's end) for a
:class:`SizingResult` with a daily inventory, otherwise a full tank; ``initial_stock_l``
overrides it. Without ``fuel.inventory`` fuel is unlimited and trucks and convoys follow from
the litres as in the optimiser. The battery starts where the plan's cyclic year ends
(a :class:`SizingResult` on the same steps), otherwise full.

KPIs
----
Annual figures are weighted by ``inputs.weight`` as in the optimiser (``*_per_year``);
``stockout_hours``, ``critical_lost_hours``, ``reserve_short_hours`` and ``stockout_events``
count the simulated period itself.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from energyopt.inputs import Inputs, build_inputs
from energyopt.model.params import ModelParams, model_params
from energyopt.results import SizingResult
from energyopt.scenario import Scenario, load_scenario
from energyopt.simulate.outages import Outages
from energyopt.simulate.tiers import load_tiers

__all__ = ["CONTROLLERS", "CYCLE_CHARGING_SETPOINT", "RESUPPLY", "SimulationResult", "simulate"]

#: Controllers :func:`simulate` knows.
CONTROLLERS = ("load_following", "cycle_charging", "forecast")
#: Resupply rules :func:`simulate` knows.
RESUPPLY = ("order_up_to", "planned")
#: Setpoint state of charge of cycle charging (HOMER's default) [share of capacity].
CYCLE_CHARGING_SETPOINT = 0.8
#: Tolerance on kW balances [kW].
_TOL = 1e-9


@dataclass
class SimulationResult:
    """A design operated without foresight.

    Attributes
    ----------
    name : str
        Scenario name.
    controller, resupply : str
        The rules used (see :func:`simulate`).
    dispatch : pandas.DataFrame
        One row per step (``inputs.index``): ``load_kw``, ``critical_load_kw``, ``pv_kw``,
        ``pv_available_kw``, ``pv_curtailed_kw``, ``battery_charge_kw``,
        ``battery_discharge_kw``, ``battery_soc_kwh`` (step end), ``diesel_<g>_kw``,
        ``diesel_<g>_online`` (units; fractional in a step the fuel ran out),
        ``diesel_<g>_fuel_l``, ``diesel_kw``, ``diesel_excess_kw``, ``fuel_l``,
        ``unserved_kw``, ``unserved_critical_kw``, ``unserved_cooling_kw``,
        ``reserve_required_kw``, ``reserve_available_kw``; with an inventory also
        ``stock_l`` (step end) and ``delivered_l`` (arrivals, at the day's first step).
    kpis : pandas.Series
        ``fuel_l_per_year``, ``trucks_per_year``, ``convoys_per_year``,
        ``unserved_kwh_per_year``, ``critical_unserved_kwh_per_year``, ``unserved_fraction``,
        ``renewable_fraction``, ``diesel_hours_per_year``, ``stockout_hours``,
        ``critical_lost_hours``, ``min_stock_l`` (NaN without inventory) and more
        (``stockout_events``, ``reserve_short_hours``, ``pv_curtailed_kwh_per_year``,
        ``diesel_excess_kwh_per_year``, ``expected_casualties_per_year``,
        ``co2_t_per_year``, ``battery_lost_kwh``).
    events : list of str
        What happened: stock-outs, cancelled convoys, refused deliveries, outages drawn.
    sizes : pandas.Series
        The sizes operated (keys of ``SizingResult.sizes``).
    fuel_daily : pandas.DataFrame or None
        With an inventory, one row per local day: ``burn_l``, ``delivered_l``, ``trucks``,
        ``convoys``, ``stock_l`` (day end), ``arrival_open``, ``arrival_blocked``.
    """

    name: str
    controller: str
    resupply: str
    dispatch: pd.DataFrame
    kpis: pd.Series
    events: list[str] = field(default_factory=list)
    sizes: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    fuel_daily: pd.DataFrame | None = None


@dataclass(frozen=True)
class _Combo:
    """One combination of units online: counts per type and its figures."""

    counts: tuple[int, ...]
    cap_kw: float
    min_kw: float
    f0_l_per_h: float
    f1_l_per_h_full: float


def simulate(design: SizingResult | Mapping[str, float], scenario: Scenario | str | Path, *,
             inputs: Inputs | None = None, controller: str = "load_following",
             resupply: str = "order_up_to", outages: Outages | None = None,
             forecast_error: float = 0.15, seed: int = 0,
             initial_stock_l: float | None = None,
             setpoint_soc: float = CYCLE_CHARGING_SETPOINT) -> SimulationResult:
    """Operate a design over the scenario's steps without foresight (see the module notes).

    Parameters
    ----------
    design : SizingResult or mapping
        The sizes: ``pv_kwp``, ``battery_kwh``, ``battery_kw``, ``diesel_<unit>_count``,
        ``fuel_tank_l`` (missing keys: no PV or battery, the existing units and tank;
        ``battery_kw`` defaults to ``battery_kwh x max_power_to_energy_per_h``).
    scenario : Scenario, str or Path
        The scenario (or its YAML file).
    inputs : Inputs, optional
        Its time series (default ``build_inputs(scenario)``): pass other weather years here.
    controller : str
        ``load_following``, ``cycle_charging`` or ``forecast``.
    resupply : str
        ``order_up_to`` or ``planned`` (only with a SizingResult that has ``fuel_daily``).
    outages : Outages, optional
        Equipment out of service, convoys cancelled, a blockade.
    forecast_error : float
        Standard deviation of the day-ahead forecast's relative error (``forecast``) [-].
    seed : int
        Seed of the forecast errors.
    initial_stock_l : float, optional
        Fuel in the tank before the first day [L].
    setpoint_soc : float
        Cycle charging setpoint and the forecast controller's highest target [share of kWh].

    Returns
    -------
    SimulationResult

    Raises
    ------
    ValueError
        On an unknown controller or resupply rule, negative sizes, an unknown unit in the
        design, ``planned`` without a plan, or outages on other steps than the inputs'.
    """
    if controller not in CONTROLLERS:
        raise ValueError(f"unknown controller {controller!r}; use one of {list(CONTROLLERS)}")
    if resupply not in RESUPPLY:
        raise ValueError(f"unknown resupply {resupply!r}; use one of {list(RESUPPLY)}")
    if not 0.0 < setpoint_soc <= 1.0:
        raise ValueError(f"setpoint_soc must lie in (0, 1], got {setpoint_soc}")
    if forecast_error < 0.0:
        raise ValueError(f"forecast_error must be >= 0, got {forecast_error}")
    sc = load_scenario(scenario)
    if inputs is None:
        inputs = build_inputs(sc)
    with warnings.catch_warnings():
        # a closure outside the modelled period was reported when the design was made
        warnings.filterwarnings("ignore", message=".*lies outside the modelled period.*",
                                category=UserWarning)
        p = model_params(sc, inputs)
    sizes = _design_sizes(design, sc)
    plan = design if isinstance(design, SizingResult) else None
    if resupply == "planned" and (plan is None or plan.fuel_daily is None):
        raise ValueError("resupply='planned' needs a SizingResult with a daily fuel plan "
                         "(fuel.inventory); use resupply='order_up_to'")
    out = outages or Outages()
    n = inputs.n_steps
    _check_outages(out, sc, n)
    sim = _Simulation(sc, inputs, p, sizes, controller, resupply, out, plan,
                      forecast_error=forecast_error, seed=seed,
                      initial_stock_l=initial_stock_l, setpoint_soc=setpoint_soc)
    return sim.run()


def _design_sizes(design: SizingResult | Mapping[str, float], sc: Scenario) -> dict[str, float]:
    raw = design.sizes.to_dict() if isinstance(design, SizingResult) else dict(design)
    sizes = {str(k): float(v) for k, v in raw.items()}
    names = {u.name for u in sc.diesel.units}
    for key in sizes:
        if key.startswith("diesel_") and key.endswith("_count"):
            unit = key[len("diesel_"):-len("_count")]
            if unit.endswith("_new"):
                continue
            if unit not in names:
                raise ValueError(f"design names diesel unit {unit!r}, not in the scenario's "
                                 f"fleet {sorted(names)}")
    out: dict[str, float] = {
        "pv_kwp": sizes.get("pv_kwp", 0.0),
        "battery_kwh": sizes.get("battery_kwh", 0.0),
    }
    out["battery_kw"] = sizes.get(
        "battery_kw", out["battery_kwh"] * sc.battery.max_power_to_energy_per_h)
    for u in sc.diesel.units:
        out[f"diesel_{u.name}_count"] = float(round(sizes.get(f"diesel_{u.name}_count",
                                                              float(u.existing))))
    if sc.fuel.inventory is not None:
        out["fuel_tank_l"] = sizes.get("fuel_tank_l", sc.fuel.inventory.existing_tank_l)
    bad = {k: v for k, v in out.items() if not math.isfinite(v) or v < 0.0}
    if bad:
        raise ValueError(f"design sizes must be finite and >= 0: {bad}")
    return out


def _check_outages(out: Outages, sc: Scenario, n: int) -> None:
    for what, arr in (("battery_fraction_out", out.battery_fraction_out),
                      ("pv_fraction_out", out.pv_fraction_out)):
        if arr is not None and np.shape(arr) != (n,):
            raise ValueError(f"Outages.{what} must hold one value per step ({n})")
    if out.diesel_units_out:
        names = {u.name for u in sc.diesel.units}
        for name, arr in out.diesel_units_out.items():
            if name not in names:
                raise ValueError(f"Outages.diesel_units_out names unit {name!r}, not in the "
                                 f"fleet {sorted(names)}")
            if np.shape(arr) != (n,):
                raise ValueError(f"Outages.diesel_units_out[{name!r}] must hold one value "
                                 f"per step ({n})")


def _ladder(units: list[tuple[float, float, float, float, int]]) -> list[_Combo]:
    """Return the combinations of units online by capacity, dropping dominated ones.

    ``units``: (rated kW, min load fraction, F0 [L/h/kW], F1 [L/kWh], count) per type.
    A combination is dominated by another with at least its capacity, no more minimum load
    and no more fuel at no load and at full load.
    """
    ranges = [range(c + 1) for *_, c in units]
    combos = []
    for counts in itertools.product(*ranges):
        cap = sum(r * k for (r, *_), k in zip(units, counts, strict=True))
        mn = sum(r * mu * k for (r, mu, *_), k in zip(units, counts, strict=True))
        f0 = sum(r * a * k for (r, _, a, *_), k in zip(units, counts, strict=True))
        f1 = sum(r * b * k for (r, _, _, b, _), k in zip(units, counts, strict=True))
        combos.append(_Combo(tuple(counts), cap, mn, f0, f1))
    if len(units) == 1:
        return sorted(combos, key=lambda c: c.cap_kw)
    keep = []
    for c in combos:
        dominated = any(
            o is not c and o.cap_kw >= c.cap_kw and o.min_kw <= c.min_kw
            and o.f0_l_per_h <= c.f0_l_per_h and o.f0_l_per_h + o.f1_l_per_h_full
            <= c.f0_l_per_h + c.f1_l_per_h_full
            and (o.cap_kw, o.f0_l_per_h) != (c.cap_kw, c.f0_l_per_h)
            for o in combos)
        if not dominated:
            keep.append(c)
    return sorted(keep, key=lambda c: (c.cap_kw, c.f0_l_per_h))


def _settle(rem: float, dmax: float, c0: float, cmax: float,
            pvd: float) -> tuple[float, float, float, float, float]:
    """Settle a step around the diesel output (all in kW).

    ``rem`` is the load net of PV left once diesel has run (negative: a surplus). A shortfall
    is discharged up to ``dmax``, the rest unserved; a surplus first charges the battery (on
    top of the PV charge ``c0``, up to ``cmax``), then displaces the PV ``pvd`` left for
    the load, then goes to the load bank. Returns discharge, unserved, charge, PV displaced
    and dumped.
    """
    if rem >= 0.0:
        dch = rem if rem < dmax else dmax
        return dch, rem - dch, c0, 0.0, 0.0
    surplus = -rem
    room_c = cmax - c0
    dc = surplus if surplus < room_c else room_c
    surplus -= dc
    dp = surplus if surplus < pvd else pvd
    return 0.0, 0.0, c0 + dc, dp, surplus - dp


class _Simulation:
    """One simulation run: prepared arrays, then the step loop (:meth:`run`)."""

    def __init__(self, sc: Scenario, inputs: Inputs, p: ModelParams, sizes: dict[str, float],
                 controller: str, resupply: str, out: Outages, plan: SizingResult | None, *,
                 forecast_error: float, seed: int, initial_stock_l: float | None,
                 setpoint_soc: float) -> None:
        self.sc, self.inputs, self.p, self.sizes = sc, inputs, p, sizes
        self.controller, self.resupply, self.out, self.plan = controller, resupply, out, plan
        self.forecast_error, self.seed = forecast_error, seed
        self.initial_stock_l, self.setpoint_soc = initial_stock_l, setpoint_soc
        self.events: list[str] = list(out.notes)

    # -- preparation -----------------------------------------------------------------------
    def _forecast_target(self, pv_kw: np.ndarray, load: np.ndarray, dur: np.ndarray,
                         day: np.ndarray, kwh: float) -> np.ndarray:
        """Highest stored energy the sets charge to, per step (``forecast``) [kWh]."""
        p = self.p
        rng = np.random.default_rng(self.seed)
        n_days = int(day.max()) + 1 if len(day) else 0
        e_pv = rng.standard_normal(n_days) * self.forecast_error
        e_load = rng.standard_normal(n_days) * self.forecast_error
        pv_f = np.clip(pv_kw * (1.0 + e_pv[day]), 0.0, None)
        load_f = np.clip(load * (1.0 + e_load[day]), 0.0, None)
        surplus = np.clip(pv_f - load_f, 0.0, None) * dur
        csum = np.concatenate([[0.0], np.cumsum(surplus)])
        ends = np.cumsum(dur)
        starts = ends - dur
        # steps inside the next 24 h of each step's start
        stop = np.searchsorted(starts, starts + 24.0 - 1e-9, side="left")
        window = csum[stop] - csum[np.arange(len(dur))]
        top = self.setpoint_soc * kwh
        return np.minimum(top, np.maximum(p.bat_min_soc * kwh, kwh - p.bat_eta_charge * window))

    def run(self) -> SimulationResult:  # noqa: C901 - one loop, kept flat for speed
        """Run the step loop and assemble the result."""
        sc, inputs, p, sizes, out = self.sc, self.inputs, self.p, self.sizes, self.out
        n = inputs.n_steps
        index = inputs.index
        dur_a = p.duration_h
        load_a = p.load_kw
        tiers = load_tiers(sc, inputs)
        pv_nominal = sizes["pv_kwp"] * p.pv_avail_kw_per_kwp
        pv_frac = (np.zeros(n) if out.pv_fraction_out is None
                   else np.clip(np.asarray(out.pv_fraction_out, dtype=float), 0.0, 1.0))
        bat_frac = (np.zeros(n) if out.battery_fraction_out is None
                    else np.clip(np.asarray(out.battery_fraction_out, dtype=float), 0.0, 1.0))
        kwh, kw = sizes["battery_kwh"], sizes["battery_kw"]
        eta_c, eta_d, smin = p.bat_eta_charge, p.bat_eta_discharge, p.bat_min_soc
        alpha, beta = p.reserve_load_fraction, p.reserve_pv_fraction
        reserve_on = alpha > 0.0 or beta > 0.0

        # diesel fleet and the ladder of combinations
        units = [(u.rated_kw, u.min_load_fraction, u.f0_l_per_h_per_kw, u.f1_l_per_kwh,
                  int(sizes[f"diesel_{u.name}_count"])) for u in p.diesel]
        ladder = _ladder(units)
        n_types = len(units)
        avail: list[list[int]] | None = None
        if out.diesel_units_out:
            avail = []
            for u, (*_, count) in zip(p.diesel, units, strict=True):
                lost = out.diesel_units_out.get(u.name)
                row = (np.full(n, count) if lost is None
                       else np.clip(count - np.asarray(lost, dtype=int), 0, count))
                avail.append(row.tolist())

        # days and the inventory
        lg = p.logistics
        if lg is not None:
            day_a = lg.day_of_step
        else:
            dates = np.array(index.date)
            day_a = np.array([(d - dates[0]).days for d in dates], dtype=int)
        first_date = index[0].date()
        inventory = lg is not None
        tank = sizes.get("fuel_tank_l", 0.0)
        per_truck = p.truck_capacity_l * (1.0 - p.loss_fraction)
        max_trucks = int(p.trucks_per_convoy)
        if lg is not None:
            max_trucks = max(min(int(math.ceil(p.trucks_per_convoy - 1e-9)),
                                 lg.max_trucks_per_day), 1)
        free = inventory and sc.fuel.inventory is not None and (
            sc.fuel.inventory.convoy_schedule == "free")
        threshold = (min(max_trucks * per_truck, 0.5 * tank) if free else per_truck)
        planned: dict[dt.date, tuple[float, float, float]] = {}
        if self.resupply == "planned" and self.plan is not None and \
                self.plan.fuel_daily is not None:
            f = self.plan.fuel_daily
            planned = {d: (float(q), float(tr), float(cv)) for d, q, tr, cv in zip(
                f.index, f["delivered_l"], f["trucks"], f["convoys"], strict=True)}
        stock = 0.0
        if inventory:
            if self.initial_stock_l is not None:
                stock = float(self.initial_stock_l)
            elif self.plan is not None and self.plan.fuel_daily is not None:
                stock = float(self.plan.fuel_daily["stock_l"].iloc[-1])
            else:
                stock = tank
            stock = min(max(stock, 0.0), tank)

        # battery start
        energy = kwh
        if self.plan is not None and len(self.plan.dispatch) == n and \
                self.plan.dispatch.index.equals(index) and kwh > 0.0:
            energy = min(float(self.plan.dispatch["battery_soc_kwh"].iloc[-1]), kwh)
        energy = max(energy, smin * kwh * (1.0 - float(bat_frac[0])))

        charging_ctl = self.controller != "load_following" and kwh > 0.0
        if self.controller == "forecast" and kwh > 0.0:
            target_a = self._forecast_target(pv_nominal, load_a, dur_a, day_a, kwh)
        else:
            target_a = np.full(n, self.setpoint_soc * kwh)

        # plain Python lists for the loop
        dur = dur_a.tolist()
        load = load_a.tolist()
        noncrit = (load_a - tiers["critical_kw"].to_numpy()).tolist()
        cooling = tiers["cooling_kw"].to_numpy().tolist()
        pv_av = (pv_nominal * (1.0 - pv_frac)).tolist()
        bfrac = bat_frac.tolist()
        ret = p.bat_retention_per_step.tolist()
        target = target_a.tolist()
        day = day_a.tolist()
        arrival_open = lg.arrival_open.tolist() if lg is not None else []

        # outputs
        o_pv = [0.0] * n
        o_curt = [0.0] * n
        o_ch = [0.0] * n
        o_dis = [0.0] * n
        o_soc = [0.0] * n
        o_pd = [0.0] * n
        o_combo = [0] * n
        o_phi = [1.0] * n
        o_dump = [0.0] * n
        o_uns = [0.0] * n
        o_fuel = [0.0] * n
        o_req = [0.0] * n
        o_res = [0.0] * n
        o_stock = [0.0] * n
        o_deliv = [0.0] * n
        short_flags = [False] * n
        reserve_short = [False] * n
        days_log: dict[int, list[Any]] = {}
        lost_kwh = 0.0
        charging = False
        ladder_caps = [c.cap_kw for c in ladder]
        n_ladder = len(ladder)

        for t in range(n):
            dt_h = dur[t]
            L = load[t]
            # -- arrivals at the start of a day --
            if inventory and (t == 0 or day[t] != day[t - 1]):
                d = day[t]
                date = first_date + dt.timedelta(days=d)
                q = trucks = convoys = 0.0
                blocked = False
                if arrival_open[d]:
                    room = tank - stock
                    if self.resupply == "order_up_to":
                        want = room >= threshold - 1e-6 and room > 1e-6
                        if want and out.arrival_blocked(date):
                            blocked = True
                        elif want:
                            trucks = float(min(max_trucks,
                                               math.ceil(room / per_truck - 1e-9)))
                            q = min(room, trucks * per_truck)
                            convoys = 1.0
                    else:
                        q_plan, tr_plan, cv_plan = planned.get(date, (0.0, 0.0, 0.0))
                        if q_plan > 1e-6 and out.arrival_blocked(date):
                            blocked = True
                        elif q_plan > 1e-6:
                            q = min(q_plan, room)
                            trucks, convoys = tr_plan, cv_plan
                            if q < q_plan - 1e-6:
                                self.events.append(
                                    f"{date}: the tank refused {q_plan - q:,.0f} L of the "
                                    "planned delivery (no room)")
                    if blocked:
                        self.events.append(f"{date}: convoy cancelled or blocked")
                stock += q
                o_deliv[t] = q
                days_log[d] = [date, q, trucks, convoys, bool(arrival_open[d]), blocked]

            # -- battery limits this step --
            fb = bfrac[t]
            emax = kwh * (1.0 - fb)
            emin = smin * emax
            pmax = kw * (1.0 - fb)
            energy *= ret[t]
            if energy > emax:
                lost_kwh += energy - emax
                energy = emax
            dmax = eta_d * (energy - emin) / dt_h
            if dmax > pmax:
                dmax = pmax
            if dmax < 0.0:
                dmax = 0.0
            cmax = (emax - energy) / (eta_c * dt_h)
            if cmax > pmax:
                cmax = pmax
            if cmax < 0.0:
                cmax = 0.0

            # -- PV and battery alone --
            a = pv_av[t]
            pvd = a if a < L else L
            net = L - pvd
            surplus = a - pvd
            d0 = net if net < dmax else dmax
            c0 = surplus if surplus < cmax else cmax
            short = net - d0

            # -- charging state (cycle charging, forecast) --
            tgt = target[t]
            if tgt > emax:
                tgt = emax
            if charging_ctl and charging and energy >= tgt - 1e-6:
                charging = False

            # -- commit units: the first combination that serves and holds the reserve --
            first = 0
            while first < n_ladder and ladder_caps[first] < short - _TOL:
                first += 1
            if charging and first == 0 and n_ladder > 1:
                first = 1
            k = first if short > _TOL or charging else 0
            best: tuple[Any, ...] | None = None
            fallback = False
            while 0 <= k < n_ladder:
                combo = ladder[k]
                if avail is not None:
                    ok_units = True
                    for g in range(n_types):
                        if combo.counts[g] > avail[g][t]:
                            ok_units = False
                            break
                    if not ok_units:
                        k += -1 if fallback else 1
                        if k >= n_ladder and best is None:
                            # nothing that large is available: the largest that is
                            fallback = True
                            k = first - 1
                        continue
                cap = combo.cap_kw
                if cap <= 0.0:
                    p_d = 0.0
                else:
                    if charging_ctl and (charging or energy < tgt - 1e-6):
                        want_c = (tgt - energy) / (eta_c * dt_h)
                        if want_c > cmax:
                            want_c = cmax
                        extra = want_c - c0
                        p_d = net + (extra if extra > 0.0 else 0.0)
                    else:
                        p_d = short
                    if p_d > cap:
                        p_d = cap
                    if p_d < combo.min_kw:
                        p_d = combo.min_kw
                # settle the battery, curtailment and the load bank around p_d
                dch, uns, cch, dp, dump = _settle(net - p_d, dmax, c0, cmax, pvd)
                pv_used = pvd - dp + c0
                req = alpha * L + beta * pv_used
                e_end = energy + dt_h * (eta_c * cch - dch / eta_d)
                rb = pmax - dch + cch
                rb_e = eta_d * (e_end - emin) / dt_h
                if rb_e < rb:
                    rb = rb_e
                if rb < 0.0:
                    rb = 0.0
                res = cap - p_d + rb
                best = (k, p_d, dch, cch, dp, dump, uns, req, res, pv_used)
                if fallback or (uns <= 1e-7 and (not reserve_on or res >= req - 1e-7)):
                    break
                k += 1
            if best is None:  # no unit available: PV and battery only
                chosen_combo = None
                chosen, pd = 0, 0.0
                dch, cch, dp, dump, uns = d0, c0, 0.0, 0.0, short
                pv_used = pvd + c0
                req = alpha * L + beta * pv_used
                e_end = energy + dt_h * (eta_c * cch - dch / eta_d)
                rb = min(pmax - dch + cch, eta_d * (e_end - emin) / dt_h)
                res = rb if rb > 0.0 else 0.0
            else:
                chosen, pd, dch, cch, dp, dump, uns, req, res, pv_used = best
                chosen_combo = ladder[chosen] if ladder[chosen].cap_kw > 0.0 else None
            if reserve_on and res < req - 1e-7:
                reserve_short[t] = True

            # -- fuel, limited by the stock --
            fuel = 0.0
            phi = 1.0
            if chosen_combo is not None:
                x = pd / chosen_combo.cap_kw
                fuel = dt_h * (chosen_combo.f0_l_per_h + x * chosen_combo.f1_l_per_h_full)
                if inventory and fuel > stock + 1e-9:
                    phi = stock / fuel if fuel > 0.0 else 0.0
                    short_flags[t] = True
                    fuel = stock
                    pd *= phi
                    dch, uns, cch, dp, dump = _settle(net - pd, dmax, c0, cmax, pvd)
                    pv_used = pvd - dp + c0
                    req = alpha * L + beta * pv_used
                    e_end = energy + dt_h * (eta_c * cch - dch / eta_d)
                    res = chosen_combo.cap_kw * phi - pd + max(
                        min(pmax - dch + cch, eta_d * (e_end - emin) / dt_h), 0.0)
                    if reserve_on and res < req - 1e-7:
                        reserve_short[t] = True
                if inventory:
                    stock -= fuel
                    if stock < 0.0:
                        stock = 0.0
                if charging_ctl and not charging and pd > 0.0 and energy < tgt - 1e-6:
                    charging = True
            energy = energy + dt_h * (eta_c * cch - dch / eta_d)
            if energy < 0.0:
                energy = 0.0
            o_pv[t] = pv_used
            o_curt[t] = a - pv_used
            o_ch[t] = cch
            o_dis[t] = dch
            o_soc[t] = energy
            o_pd[t] = pd
            o_combo[t] = chosen if chosen >= 0 else 0
            o_phi[t] = phi
            o_dump[t] = dump
            o_uns[t] = uns
            o_fuel[t] = fuel
            o_req[t] = req
            o_res[t] = res
            o_stock[t] = stock

        return self._assemble(
            tiers=tiers, pv_nominal=pv_nominal, pv_av=np.asarray(pv_av), ladder=ladder,
            o_pv=o_pv, o_curt=o_curt, o_ch=o_ch, o_dis=o_dis, o_soc=o_soc, o_pd=o_pd,
            o_combo=o_combo, o_phi=o_phi, o_dump=o_dump, o_uns=o_uns, o_fuel=o_fuel,
            o_req=o_req, o_res=o_res, o_stock=o_stock, o_deliv=o_deliv, short_flags=short_flags,
            reserve_short=reserve_short, days_log=days_log, day_a=day_a, lost_kwh=lost_kwh,
            noncrit=np.asarray(noncrit), cooling=np.asarray(cooling))

    # -- result ------------------------------------------------------------------------------
    def _assemble(self, *, tiers: pd.DataFrame, pv_nominal: np.ndarray, pv_av: np.ndarray,
                  ladder: list[_Combo], o_pv: list[float], o_curt: list[float],
                  o_ch: list[float], o_dis: list[float], o_soc: list[float], o_pd: list[float],
                  o_combo: list[int], o_phi: list[float], o_dump: list[float],
                  o_uns: list[float], o_fuel: list[float], o_req: list[float],
                  o_res: list[float], o_stock: list[float], o_deliv: list[float],
                  short_flags: list[bool], reserve_short: list[bool],
                  days_log: dict[int, list[Any]], day_a: np.ndarray, lost_kwh: float,
                  noncrit: np.ndarray, cooling: np.ndarray) -> SimulationResult:
        p, inputs, sizes = self.p, self.inputs, self.sizes
        index = inputs.index
        n = inputs.n_steps
        dur, w = p.duration_h, p.weight
        hw = w * dur
        load = p.load_kw
        uns = np.asarray(o_uns)
        uns_crit = np.clip(uns - noncrit, 0.0, None)
        uns_crit[uns_crit < 1e-9] = 0.0
        uns_cool = np.minimum(uns, cooling)
        pd_tot = np.asarray(o_pd)
        combo_idx = np.asarray(o_combo, dtype=int)
        phi = np.asarray(o_phi)
        d: dict[str, np.ndarray] = {
            "load_kw": load.copy(),
            "critical_load_kw": tiers["critical_kw"].to_numpy(dtype=float),
            "pv_kw": np.asarray(o_pv),
            "pv_available_kw": pv_av,
            "pv_curtailed_kw": np.clip(np.asarray(o_curt), 0.0, None),
            "battery_charge_kw": np.asarray(o_ch),
            "battery_discharge_kw": np.asarray(o_dis),
            "battery_soc_kwh": np.asarray(o_soc),
        }
        counts = np.array([c.counts for c in ladder], dtype=float).reshape(len(ladder), -1)
        caps = np.array([c.cap_kw for c in ladder])
        cap_t = caps[combo_idx]
        x = np.divide(pd_tot, cap_t * phi, out=np.zeros(n), where=cap_t * phi > 0.0)
        run_hours = 0.0
        for g, u in enumerate(p.diesel):
            online = counts[combo_idx, g] * phi
            power = x * u.rated_kw * online
            d[f"diesel_{u.name}_kw"] = power
            d[f"diesel_{u.name}_online"] = online
            d[f"diesel_{u.name}_fuel_l"] = dur * (u.f0_l_per_h_per_kw * u.rated_kw * online
                                                  + u.f1_l_per_kwh * power)
            run_hours += float((hw * online).sum())
        d["diesel_kw"] = pd_tot
        d["diesel_excess_kw"] = np.asarray(o_dump)
        d["fuel_l"] = np.asarray(o_fuel)
        d["unserved_kw"] = uns
        d["unserved_critical_kw"] = uns_crit
        d["unserved_cooling_kw"] = uns_cool
        d["reserve_required_kw"] = np.asarray(o_req)
        d["reserve_available_kw"] = np.asarray(o_res)
        lg = p.logistics
        daily: pd.DataFrame | None = None
        if lg is not None:
            d["stock_l"] = np.asarray(o_stock)
            d["delivered_l"] = np.asarray(o_deliv)
            burn = np.bincount(day_a, weights=d["fuel_l"])
            keys = sorted(days_log)
            end_stock = pd.Series(d["stock_l"]).groupby(day_a).last()
            day_w = pd.Series(w).groupby(day_a).first()
            daily = pd.DataFrame({
                "burn_l": [float(burn[k]) for k in keys],
                "delivered_l": [float(days_log[k][1]) for k in keys],
                "trucks": [float(days_log[k][2]) for k in keys],
                "convoys": [float(days_log[k][3]) for k in keys],
                "stock_l": [float(end_stock[k]) for k in keys],
                "arrival_open": [bool(days_log[k][4]) for k in keys],
                "arrival_blocked": [bool(days_log[k][5]) for k in keys],
                "weight": [float(day_w[k]) for k in keys],
            }, index=pd.Index([days_log[k][0] for k in keys], name="date"))
        dispatch = pd.DataFrame(d, index=index)

        # events: stock-outs
        flags = np.asarray(short_flags, dtype=bool)
        starts = np.flatnonzero(flags & ~np.concatenate([[False], flags[:-1]]))
        for s0 in starts:
            s = int(s0)
            e = s
            while e + 1 < n and flags[e + 1]:
                e += 1
            self.events.append(f"stock-out {index[s]} .. {index[e] + pd.Timedelta(hours=dur[e])}"
                               f" ({float(dur[s:e + 1].sum()):g} h; "
                               f"{float((dur[s:e + 1] * uns[s:e + 1]).sum()):,.0f} kWh unserved)")
        if lost_kwh > 0.0:
            self.events.append(f"{lost_kwh:,.0f} kWh stored in battery strings taken out of "
                               "service were lost")

        annual = {c: float((hw * dispatch[c].to_numpy()).sum()) for c in (
            "load_kw", "pv_kw", "pv_curtailed_kw", "diesel_kw", "diesel_excess_kw",
            "unserved_kw", "unserved_critical_kw", "battery_discharge_kw")}
        fuel_year = float((w * dispatch["fuel_l"].to_numpy()).sum())
        keep = 1.0 - p.loss_fraction
        if daily is not None:
            trucks = float((daily["weight"] * daily["trucks"]).sum())
            convoys = float((daily["weight"] * daily["convoys"]).sum())
            min_stock = float(dispatch["stock_l"].min())
        else:
            trucks = fuel_year / keep / p.truck_capacity_l
            convoys = trucks / p.trucks_per_convoy
            min_stock = float("nan")
        served = annual["load_kw"] - annual["unserved_kw"]
        crit_lost = uns_crit > 1e-6
        kpis = {
            "fuel_l_per_year": fuel_year,
            "trucks_per_year": trucks,
            "convoys_per_year": convoys,
            "unserved_kwh_per_year": annual["unserved_kw"],
            "critical_unserved_kwh_per_year": annual["unserved_critical_kw"],
            "unserved_fraction": annual["unserved_kw"] / annual["load_kw"]
            if annual["load_kw"] > 0 else 0.0,
            "renewable_fraction": 1.0 - (annual["diesel_kw"] - annual["diesel_excess_kw"])
            / served if served > 0 else 0.0,
            "diesel_hours_per_year": run_hours,
            "stockout_hours": float(dur[flags].sum()),
            "critical_lost_hours": float(dur[crit_lost].sum()),
            "min_stock_l": min_stock,
            "stockout_events": float(len(starts)),
            "reserve_short_hours": float(dur[np.asarray(reserve_short, dtype=bool)].sum()),
            "load_kwh_per_year": annual["load_kw"],
            "pv_kwh_per_year": annual["pv_kw"],
            "pv_curtailed_kwh_per_year": annual["pv_curtailed_kw"],
            "battery_discharge_kwh_per_year": annual["battery_discharge_kw"],
            "diesel_kwh_per_year": annual["diesel_kw"],
            "diesel_excess_kwh_per_year": annual["diesel_excess_kw"],
            "fuel_bought_l_per_year": fuel_year / keep,
            "expected_casualties_per_year": convoys * p.casualties_per_convoy
            + trucks * p.casualties_per_truck,
            "co2_t_per_year": fuel_year * p.co2_kg_per_l / 1000.0,
            "battery_lost_kwh": lost_kwh,
        }
        return SimulationResult(
            name=self.sc.name, controller=self.controller, resupply=self.resupply,
            dispatch=dispatch, kpis=pd.Series(kpis, name="kpi"), events=self.events,
            sizes=pd.Series(sizes, name="size"), fuel_daily=daily)
