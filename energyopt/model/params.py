r"""Model parameters: the numbers the Pyomo blocks read, derived from scenario and inputs.

Everything the blocks need is computed here once, as plain floats and numpy arrays, so that the
blocks hold only algebra. Economic factors turn annual quantities into present values over the
horizon:

* ``annuity`` :math:`A = \sum_{y=1}^{Y} (1+r)^{-y}` (fixed yearly costs)
* ``variable_annuity`` :math:`A_v = \sum_{y=1}^{Y} g_y (1+r)^{-y}` (costs that follow the load:
  haulage, escort, risk, run hours, unserved energy), with :math:`g_y` the load of horizon year
  :math:`y` over the modelled year's (personnel schedule and growth,
  :func:`energyopt.load.annual_load_multipliers`)
* ``fuel_annuity`` :math:`A_e = \sum_{y=1}^{Y} g_y (1+e)^{y-1} (1+r)^{-y}` (fuel price
  escalation)
* ``replacement_factor(L)`` :math:`R(L) = \sum_{k \ge 1, kL < Y} (1+r)^{-kL}` (a new
  installation at each end of life :math:`L` inside the horizon)
* ``salvage_factor(L)`` :math:`S(L) = \frac{\lceil Y/L \rceil L - Y}{L} (1+r)^{-Y}`: the
  unused share of the last installation at year :math:`Y`, straight-line, discounted

with :math:`Y` the horizon [years] (``horizon.years``), :math:`r` the discount rate
(``horizon.discount_rate``), :math:`e` the fuel price escalation
(``fuel.escalation_per_year``) and :math:`L` an asset's life. The modelled year's dispatch
stands for every year, scaled by :math:`g_y`: exact for the diesel share when the whole load
scales, an approximation when PV covers part of the growth. Sizes serve the modelled year's
load.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from energyopt.inputs import Inputs
from energyopt.load import annual_load_multipliers
from energyopt.scenario import CONVOY_PERIOD_DAYS, InventorySpec, Scenario

__all__ = ["CommunityParams", "DieselParams", "LogisticsParams", "MissionParams", "ModelParams",
           "model_params", "stress_fuel_l", "window_params", "with_stress_burn"]

#: Fuel of the community's own small gensets when no row ``community.small_genset_l_per_kwh``
#: is in ``data/technologies.csv`` [L/kWh]: small (5-20 kVA) sets at part load burn about
#: 0.3-0.5 L/kWh; 0.35 is an engineering estimate (grade E).
SMALL_GENSET_L_PER_KWH = 0.35


def annuity(rate: float, years: int, growth: float = 0.0,
            weights: Sequence[float] | None = None) -> float:
    """Present value of one unit per year (growing at ``growth``) for ``years`` years [-].

    ``weights`` (one per year, default all one) scale each year's amount.
    """
    w = [1.0] * years if weights is None else [float(x) for x in weights]
    if len(w) != years:
        raise ValueError(f"weights must hold {years} values, got {len(w)}")
    return sum(w[y - 1] * (1.0 + growth) ** (y - 1) / (1.0 + rate) ** y
               for y in range(1, years + 1))


def replacement_factor(rate: float, years: int, life_years: float) -> float:
    """Present value of replacing one unit of capex at each end of life inside the horizon."""
    total = 0.0
    k = 1
    while k * life_years < years - 1e-9:
        total += (1.0 + rate) ** (-k * life_years)
        k += 1
    return total


def salvage_factor(rate: float, years: int, life_years: float) -> float:
    """Present value of the unused life of the last installation at the horizon's end.

    Straight-line: the last installation (at ``k * L``) has ``(k+1) L - Y`` years left.
    """
    installs = math.ceil(years / life_years - 1e-9)
    remaining = installs * life_years - years
    if remaining <= 1e-9:
        return 0.0
    return remaining / life_years * (1.0 + rate) ** (-years)


@dataclass(frozen=True)
class DieselParams:
    """One diesel unit type."""

    name: str
    rated_kw: float
    existing: int
    max_count: int
    unit_capex_usd: float
    f0_l_per_h_per_kw: float
    f1_l_per_kwh: float
    min_load_fraction: float
    om_usd_per_kw_year: float
    om_usd_per_run_hour: float
    wear_usd_per_run_hour: float


@dataclass(frozen=True)
class LogisticsParams:
    """Daily fuel inventory (see :mod:`energyopt.model.logistics`).

    Days are numbered from the first modelled local calendar day; ``day_of_step`` maps each
    step to its day (a day may hold fewer steps than a full day: partial days at the ends of
    the period or of a window, or days shortened by a clock change).
    """

    #: Day number of each step [-].
    day_of_step: np.ndarray
    #: Whether a convoy may arrive, per day number (schedule, closed roads, lead time) [-].
    arrival_open: np.ndarray
    existing_tank_l: float
    max_tank_l: float
    tank_capex_usd_per_l: float
    tank_replacement_factor: float
    tank_salvage_factor: float
    safety_stock_days: float
    autonomy_days: int
    max_trucks_per_day: int
    #: The burn autonomy and safety stock are measured against (``fuel.inventory.stress_burn``):
    #: ``"diesel_only"`` (the stress burn below) or ``"design"`` (the model's own burn).
    stress_burn: str = "design"
    #: Stress burn of each modelled day, in the order of the days present [L]; None with
    #: ``stress_burn == "design"`` (see :func:`stress_fuel_l`).
    stress_day_l: np.ndarray | None = None
    #: Weighted mean of ``stress_day_l`` over the period, per 24 h [L/day]; 0 without it.
    stress_mean_l_per_day: float = 0.0

    @property
    def n_days(self) -> int:
        """Number of day numbers spanned (the per-day arrays are this long or longer)."""
        return int(self.arrival_open.size)

    @property
    def safety_stock_l(self) -> float | None:
        """Safety stock with the stress burn: ``safety_stock_days`` x its mean [L].

        The mean, not the worst run: the safety stock is the standing buffer (against a late
        convoy, a loss on the road) that mission policy sets in days of average consumption,
        and the worst run of stress days is what the autonomy rows cover, day by day, with the
        stress burn of the very days that follow; sizing both on the worst run would count it
        twice. None with ``stress_burn == "design"`` (the model's own mean burn, a variable).
        """
        if self.stress_day_l is None:
            return None
        return self.safety_stock_days * self.stress_mean_l_per_day

    def autonomy_need_l(self) -> np.ndarray | None:
        """Stock each day must start with under the stress burn [L], per day present.

        Day ``d`` needs the stress burn of days ``d .. d + N - 1`` (wrapping around the cyclic
        period, as the autonomy rows do); None with ``stress_burn == "design"`` or N = 0.
        """
        if self.stress_day_l is None or self.autonomy_days <= 0:
            return None
        burn = self.stress_day_l
        nd = burn.size
        reps = math.ceil(self.autonomy_days / nd) + 1
        cum = np.concatenate([[0.0], np.cumsum(np.tile(burn, reps))])
        k = np.arange(nd)
        return cum[k + self.autonomy_days] - cum[k]


def service_factor(rate: float, start_years: float, end_years: float) -> float:
    r"""Present value of one unit per year flowing from ``start_years`` to ``end_years`` [yr].

    Continuous: :math:`\int_a^b (1+r)^{-t} dt`; zero when :math:`b \le a`.
    """
    if end_years <= start_years:
        return 0.0
    if rate <= 0.0:
        return end_years - start_years
    k = math.log1p(rate)
    return ((1.0 + rate) ** (-start_years) - (1.0 + rate) ** (-end_years)) / k


def remaining_life(years: float, life_years: float) -> float:
    """Life left at ``years`` of the last installation (installed at each multiple of life)."""
    installs = math.ceil(years / life_years - 1e-9)
    return max(installs * life_years - years, 0.0)


@dataclass(frozen=True)
class MissionParams:
    """End-of-mission economics over closure-year scenarios (``mission:``, issue 15).

    Every factor is an expectation over the closure scenarios :math:`s` (closure after
    :math:`n_s` years with probability :math:`p_s`), per USD of capex or per unit a year.
    """

    #: (closure year, probability) pairs.
    closures: tuple[tuple[int, float], ...]
    #: Expected mission years :math:`\sum_s p_s n_s` [yr].
    expected_years: float
    #: 'fixed', 'relocatable' or 'decide' (``mission.relocatable_kit``).
    relocatable_kit: str
    #: Capex premium of relocatable kit [share of capex].
    relocatable_premium: float
    #: End credit of fixed kit per USD of capex (relocated fixed kit only) [-].
    pv_end_fixed: float
    bat_end_fixed: float
    #: End credit of relocatable kit per USD of its (premium) capex: relocated value minus
    #: dismantling and transport, discounted, expected [-].
    pv_end_relocatable: float
    bat_end_relocatable: float
    #: Whether the fixed / the relocatable kit is handed over to the community.
    pv_handover_fixed: bool
    pv_handover_relocatable: bool
    bat_handover_fixed: bool
    bat_handover_relocatable: bool
    #: Present value of one unit a year over the handed-over kit's remaining life after the
    #: drawdown, expected [yr] (PV, battery).
    pv_service_factor: float
    bat_service_factor: float
    #: Host's O&M relative to the UN's [-].
    host_om_fraction: float
    #: Weight of the community's value in the objective [-].
    community_weight: float


@dataclass(frozen=True)
class CommunityParams:
    """The host community's feeder, load and value (``community:``, issue 15)."""

    #: Community load per step [kW].
    load_kw: np.ndarray
    #: 1 where the feeder is open in the step, else 0 [-].
    open: np.ndarray
    #: Feeder capacity [kW].
    feeder_kw: float
    #: Value of a kWh served [USD/kWh].
    value_usd_per_kwh: float
    #: Weight of the value in the objective [-] (``mission.community_weight``, else 1).
    weight: float
    #: Small-genset fuel the community would burn per kWh [L/kWh].
    genset_l_per_kwh: float
    #: Community energy over a year [kWh] and in steps with PV output [kWh].
    annual_kwh: float
    sunlit_kwh: float
    #: Households by tier and in all [-].
    households: int

    @property
    def cap_kw(self) -> np.ndarray:
        """Most the feeder can serve per step: min(feeder x open, load) [kW]."""
        return np.minimum(self.feeder_kw * self.open, self.load_kw)


@dataclass(frozen=True)
class ModelParams:
    """Numbers of one model instance (see the module docstring for the factors)."""

    n_steps: int
    duration_h: np.ndarray
    weight: np.ndarray
    load_kw: np.ndarray
    critical_kw: np.ndarray
    pv_avail_kw_per_kwp: np.ndarray
    years: int
    discount_rate: float
    annuity: float
    fuel_annuity: float
    variable_annuity: float
    end_discount: float
    # PV
    pv_existing_kwp: float
    pv_max_kwp: float
    pv_capex_usd_per_kwp: float
    pv_om_usd_per_kwp_year: float
    pv_replacement_factor: float
    pv_salvage_factor: float
    # battery
    bat_existing_kwh: float
    bat_existing_kw: float
    bat_max_kwh: float
    bat_max_kw: float
    bat_capex_usd_per_kwh: float
    bat_capex_usd_per_kw: float
    bat_om_fraction: float
    bat_eta_charge: float
    bat_eta_discharge: float
    bat_min_soc: float
    bat_retention_per_step: np.ndarray
    bat_max_power_to_energy: float
    bat_replacement_factor: float
    bat_salvage_factor: float
    # diesel
    diesel: tuple[DieselParams, ...]
    # fuel and convoys
    fuel_price_usd_per_l: float
    transport_usd_per_l: float
    escort_usd_per_convoy: float
    truck_capacity_l: float
    trucks_per_convoy: float
    casualties_per_convoy: float
    value_per_casualty_usd: float
    max_casualties_per_year: float | None
    max_convoys_per_year: float | None
    co2_kg_per_l: float
    # reliability
    reserve_load_fraction: float
    reserve_pv_fraction: float
    max_unserved_fraction: float
    voll_usd_per_kwh: float
    extra: dict[str, float] = field(default_factory=dict)
    #: Share of litres loaded lost on the road [-].
    loss_fraction: float = 0.0
    #: Expected casualties per truck, beyond the per-convoy rate [-].
    casualties_per_truck: float = 0.0
    #: Road distance of supply [km].
    route_km: float = 0.0
    #: Fuel density [kg/L].
    fuel_density_kg_per_l: float = 0.832
    #: Daily inventory; None = annual fuel accounting.
    logistics: LogisticsParams | None = None
    #: Stored energy before the first step [kWh]; None = cyclic (the last step's state).
    bat_initial_soc_kwh: float | None = None
    #: Stored energy aimed at after the last step [kWh]; None = no aim beyond cyclic/min SOC.
    bat_final_soc_min_kwh: float | None = None
    #: End credit of new diesel units per USD of capex; None = ``end_discount`` (today's
    #: salvage at the horizon's end).
    diesel_end_factor: float | None = None
    #: Host community (``community:``); None = no feeder.
    community: CommunityParams | None = None
    #: Mission end (``mission:``); None = one certain horizon of ``years``.
    mission: MissionParams | None = None
    #: Most capital on new equipment at the start (``budget:``) [USD]; None = no budget.
    max_capex_usd: float | None = None

    @property
    def usd_per_litre(self) -> float:
        """Present value of burning one more litre a year over the horizon [USD/(L/yr)].

        Purchase (escalating), haulage, escort and valued risk of the convoys it takes.
        """
        per_convoy_l = self.truck_capacity_l * self.trucks_per_convoy
        casualties = self.casualties_per_convoy + self.trucks_per_convoy * (
            self.casualties_per_truck)
        return (self.fuel_price_usd_per_l * self.fuel_annuity
                + self.variable_annuity * (self.transport_usd_per_l + (
                    self.escort_usd_per_convoy
                    + casualties * self.value_per_casualty_usd) / per_convoy_l)
                ) / (1.0 - self.loss_fraction)

    @property
    def step_hours_weighted(self) -> np.ndarray:
        """Hours each step stands for in a year (weight x duration) [h]."""
        return self.weight * self.duration_h

    @property
    def annual_load_kwh(self) -> float:
        """Load over a year [kWh]."""
        return float((self.step_hours_weighted * self.load_kw).sum())

    @property
    def has_battery(self) -> bool:
        """Whether the battery can hold energy at all."""
        return self.bat_max_kwh > 0.0

    @property
    def has_pv(self) -> bool:
        """Whether there is or may be PV."""
        return self.pv_max_kwp > 0.0


def model_params(scenario: Scenario, inputs: Inputs, *, diesel_only: bool = False) -> ModelParams:
    """Derive model parameters.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    inputs : Inputs
        Its time series.
    diesel_only : bool
        Build the diesel-only camp: no new PV or battery beyond what exists.

    Returns
    -------
    ModelParams
    """
    h, sol, bat, fuel, rel = (scenario.horizon, scenario.solar, scenario.battery, scenario.fuel,
                              scenario.reliability)
    if scenario.mission is not None:
        # the horizon is the latest closure year
        scenario = scenario.with_overrides(
            {"horizon.years": max(scenario.mission.closures())})
        h = scenario.horizon
    growth = annual_load_multipliers(scenario)
    r, years = h.discount_rate, h.years
    dur = inputs.duration_h.to_numpy(dtype=float)
    # PV degradation enters as the horizon average of the yearly output factor
    degradation = float(np.mean([(1.0 - sol.degradation_per_year) ** y for y in range(years)]))
    eta = math.sqrt(bat.roundtrip_efficiency)
    max_kwh = bat.existing_kwh if diesel_only else bat.max_kwh
    max_kw = bat.max_kw if bat.max_kw is not None else max_kwh * bat.max_power_to_energy_per_h
    if diesel_only:
        max_kw = bat.existing_kw
    max_kw = max(max_kw, bat.existing_kw)
    diesel = tuple(
        DieselParams(
            name=u.name,
            rated_kw=u.rated_kw,
            existing=u.existing,
            max_count=u.max_count,
            unit_capex_usd=u.unit_capex_usd,
            f0_l_per_h_per_kw=u.fuel_intercept_l_per_h_per_kw,
            f1_l_per_kwh=u.fuel_slope_l_per_kwh,
            min_load_fraction=u.min_load_fraction,
            om_usd_per_kw_year=u.om_usd_per_kw_year,
            om_usd_per_run_hour=u.om_usd_per_run_hour_per_kw * u.rated_kw,
            wear_usd_per_run_hour=u.unit_capex_usd / u.lifetime_hours,
        )
        for u in scenario.diesel.units
    )
    p = ModelParams(
        n_steps=inputs.n_steps,
        duration_h=dur,
        weight=inputs.weight.to_numpy(dtype=float),
        load_kw=inputs.load_kw.to_numpy(dtype=float),
        critical_kw=inputs.critical_load_kw.to_numpy(dtype=float),
        pv_avail_kw_per_kwp=inputs.pv_kw_per_kwp.to_numpy(dtype=float) * degradation,
        years=years,
        discount_rate=r,
        annuity=annuity(r, years),
        fuel_annuity=annuity(r, years, fuel.escalation_per_year, growth),
        variable_annuity=annuity(r, years, weights=growth),
        end_discount=(1.0 + r) ** (-years),
        pv_existing_kwp=sol.existing_kwp,
        pv_max_kwp=sol.existing_kwp if diesel_only else sol.max_kwp,
        pv_capex_usd_per_kwp=sol.capex_usd_per_kwp,
        pv_om_usd_per_kwp_year=sol.om_usd_per_kwp_year,
        pv_replacement_factor=replacement_factor(r, years, sol.lifetime_years),
        pv_salvage_factor=salvage_factor(r, years, sol.lifetime_years),
        bat_existing_kwh=bat.existing_kwh,
        bat_existing_kw=bat.existing_kw,
        bat_max_kwh=max_kwh,
        bat_max_kw=max_kw,
        bat_capex_usd_per_kwh=bat.capex_usd_per_kwh,
        bat_capex_usd_per_kw=bat.capex_usd_per_kw,
        bat_om_fraction=bat.om_fraction_per_year,
        bat_eta_charge=eta,
        bat_eta_discharge=eta,
        bat_min_soc=bat.min_soc,
        bat_retention_per_step=(1.0 - bat.self_discharge_per_hour) ** dur,
        bat_max_power_to_energy=bat.max_power_to_energy_per_h,
        bat_replacement_factor=replacement_factor(r, years, bat.lifetime_years),
        bat_salvage_factor=salvage_factor(r, years, bat.lifetime_years),
        diesel=diesel,
        fuel_price_usd_per_l=fuel.price_usd_per_l,
        transport_usd_per_l=fuel.transport_usd_per_l_km * fuel.route_km,
        escort_usd_per_convoy=fuel.escort_usd_per_convoy,
        truck_capacity_l=fuel.truck_capacity_l,
        trucks_per_convoy=fuel.trucks_per_convoy,
        casualties_per_convoy=fuel.casualties_per_convoy_total,
        value_per_casualty_usd=fuel.value_per_casualty_usd,
        max_casualties_per_year=fuel.max_expected_casualties_per_year,
        max_convoys_per_year=fuel.max_convoys_per_year,
        co2_kg_per_l=fuel.co2_kg_per_l,
        reserve_load_fraction=rel.reserve_load_fraction,
        reserve_pv_fraction=rel.reserve_pv_fraction,
        max_unserved_fraction=rel.max_unserved_fraction,
        voll_usd_per_kwh=rel.value_of_lost_load_usd_per_kwh,
        loss_fraction=fuel.loss_fraction,
        casualties_per_truck=fuel.casualties_per_truck,
        route_km=fuel.route_km,
        fuel_density_kg_per_l=fuel.density_kg_per_l,
        logistics=None if fuel.inventory is None else logistics_params(
            fuel.inventory, inputs, truck_l=fuel.truck_capacity_l * (1.0 - fuel.loss_fraction),
            rate=r, years=years, start=h.start),
        max_capex_usd=None if scenario.budget is None else scenario.budget.start_capex_usd,
    )
    if p.logistics is not None and p.logistics.stress_burn == "diesel_only":
        p = replace(p, logistics=with_stress_burn(p.logistics, p))
    if scenario.mission is not None:
        p = with_mission(p, scenario, growth)
    if scenario.community is not None:
        p = replace(p, community=community_params(scenario, inputs, p))
    return p


def with_mission(p: ModelParams, scenario: Scenario, growth: Sequence[float]) -> ModelParams:
    r"""Return ``p`` with its economics as expectations over the closure scenarios.

    Closure after :math:`n_s` years with probability :math:`p_s`: the annuities become
    :math:`\sum_s p_s A(n_s)` (the dispatch year is shared, only the number of operating
    years differs), replacements those inside each mission, and the salvage at the horizon's
    end gives way to the end-of-mission value of each asset type:

    * ``relocate``: the kit is dismantled and moved to another camp, worth
      :math:`v \cdot \ell_s / L - c` of its capex (relocated value fraction :math:`v` scaled
      by the life left :math:`\ell_s` of life :math:`L`, minus the dismantling and transport
      fraction :math:`c`), discounted from year :math:`n_s`. For PV and batteries only the
      relocatable (containerised) kit is relocated, unless ``relocatable_kit: fixed`` (then
      the fixed kit is);
    * ``handover``: the kit serves the community for its remaining life (valued in the
      community block, :mod:`energyopt.model.community`; without a community it is left);
    * ``leave``: worth nothing;
    * ``decide``: fixed kit handed over, relocatable kit relocated; the model sizes both.
    """
    ms = scenario.mission
    assert ms is not None
    h, sol, bat, fuel = scenario.horizon, scenario.solar, scenario.battery, scenario.fuel
    r = h.discount_rate
    closures = tuple(ms.closures().items())

    def expect(fn: object) -> float:
        assert callable(fn)
        return float(sum(prob * fn(n) for n, prob in closures))

    def relocated(asset: str, life: float) -> float:
        vf = ms.relocated_value_fraction.get(asset, 0.0)
        cf = ms.relocation_cost_fraction.get(asset, 0.0)
        return expect(lambda n: (1.0 + r) ** (-n) * (vf * remaining_life(n, life) / life - cf))

    delay = ms.drawdown_months / 12.0

    def service(life: float) -> float:
        return expect(lambda n: service_factor(r, n + delay, n + remaining_life(n, life)))

    kit = ms.relocatable_kit
    pv_c, bat_c, dsl_c = ms.choice("pv"), ms.choice("battery"), ms.choice("diesel")
    pv_reloc = relocated("pv", sol.lifetime_years)
    bat_reloc = relocated("battery", bat.lifetime_years)
    dsl_reloc = expect(lambda n: (1.0 + r) ** (-n) * (
        ms.relocated_value_fraction.get("diesel", 0.0)
        - ms.relocation_cost_fraction.get("diesel", 0.0)))
    mp = MissionParams(
        closures=closures,
        expected_years=expect(float),
        relocatable_kit=kit,
        relocatable_premium=ms.relocatable_capex_premium,
        pv_end_fixed=pv_reloc if (pv_c == "relocate" and kit == "fixed") else 0.0,
        bat_end_fixed=bat_reloc if (bat_c == "relocate" and kit == "fixed") else 0.0,
        pv_end_relocatable=pv_reloc if pv_c in ("relocate", "decide") else 0.0,
        bat_end_relocatable=bat_reloc if bat_c in ("relocate", "decide") else 0.0,
        pv_handover_fixed=pv_c in ("handover", "decide"),
        pv_handover_relocatable=pv_c == "handover",
        bat_handover_fixed=bat_c in ("handover", "decide"),
        bat_handover_relocatable=bat_c == "handover",
        pv_service_factor=service(sol.lifetime_years),
        bat_service_factor=service(bat.lifetime_years),
        host_om_fraction=ms.host_om_fraction,
        community_weight=ms.community_weight,
    )
    g = list(growth)
    lg = p.logistics
    if lg is not None:
        spec = fuel.inventory
        assert spec is not None
        lg = replace(lg, tank_salvage_factor=0.0, tank_replacement_factor=expect(
            lambda n: replacement_factor(r, n, spec.tank_lifetime_years)))
    return replace(
        p,
        mission=mp,
        annuity=expect(lambda n: annuity(r, n)),
        fuel_annuity=expect(lambda n: annuity(r, n, fuel.escalation_per_year, g[:n])),
        variable_annuity=expect(lambda n: annuity(r, n, weights=g[:n])),
        pv_replacement_factor=expect(lambda n: replacement_factor(r, n, sol.lifetime_years)),
        pv_salvage_factor=mp.pv_end_fixed,
        bat_replacement_factor=expect(lambda n: replacement_factor(r, n, bat.lifetime_years)),
        bat_salvage_factor=mp.bat_end_fixed,
        diesel_end_factor=dsl_reloc if dsl_c == "relocate" else 0.0,
        logistics=lg,
    )


def community_params(scenario: Scenario, inputs: Inputs, p: ModelParams) -> CommunityParams:
    """Feeder, load and value of the host community (see :class:`CommunityParams`)."""
    from energyopt import data

    cs = scenario.community
    assert cs is not None
    if inputs.community_load_kw is None:
        raise ValueError("the scenario has a community but the inputs hold no community load")
    load = inputs.community_load_kw.to_numpy(dtype=float)
    hours = np.asarray(inputs.index.hour, dtype=int)
    a, b = cs.hours
    is_open = (hours >= a) & (hours < b) if a <= b else (hours >= a) | (hours < b)
    try:
        genset = float(data.default("community.small_genset_l_per_kwh"))
    except (KeyError, ValueError):
        genset = SMALL_GENSET_L_PER_KWH
    value = cs.value_usd_per_kwh if cs.value_basis == "tariff" else (
        genset * p.fuel_price_usd_per_l)
    hw = p.step_hours_weighted
    sunlit = p.pv_avail_kw_per_kwp > 0.0
    return CommunityParams(
        load_kw=load,
        open=is_open.astype(float),
        feeder_kw=cs.feeder_kw,
        value_usd_per_kwh=value,
        weight=1.0 if scenario.mission is None else scenario.mission.community_weight,
        genset_l_per_kwh=genset,
        annual_kwh=float((hw * load).sum()),
        sunlit_kwh=float((hw * load * sunlit).sum()),
        households=int(sum(cs.households.values())),
    )


def stress_fuel_l(p: ModelParams) -> np.ndarray:
    r"""Fuel of each step with the diesel fleet alone carrying the load [L].

    PV and battery unavailable (a cloudy or dusty spell, an inverter down), the whole load
    served (no shedding): each step the fleet holds online the capacity for the load plus its
    spinning reserve, :math:`C_t = (1 + a) L_t`, and burns

    .. math::

        F_t = \Delta_t \big(F0 \, R \lceil C_t / R \rceil
        + F1 \max(L_t, \mu R \lceil C_t / R \rceil)\big)

    for one unit type (rated :math:`R`, fuel intercept :math:`F0` [L/(h kW)], slope
    :math:`F1` [L/kWh], minimum load :math:`\mu`). This is the closed form of the prechecks'
    best case (:func:`energyopt.diagnose.best_case`) with PV and battery at zero, reused so the
    model and the diagnosis measure the same litres; for a mix of unit types it is that best
    case's lower bound (the cheapest intercept on the online capacity, at least one unit, the
    cheapest slope).

    Parameters
    ----------
    p : ModelParams
        Model parameters (load, reserve, fleet, step lengths).

    Returns
    -------
    numpy.ndarray
        Litres per step [L].
    """
    # diagnose imports this module; by the time a model is built both are loaded
    from energyopt.diagnose import best_case

    alone = replace(p, pv_existing_kwp=0.0, pv_max_kwp=0.0, bat_existing_kwh=0.0,
                    bat_existing_kw=0.0, bat_max_kwh=0.0, bat_max_kw=0.0,
                    max_unserved_fraction=0.0, logistics=None)
    return np.asarray(best_case(alone).rate_l_per_h * p.duration_h, dtype=float)


def with_stress_burn(lg: LogisticsParams, p: ModelParams) -> LogisticsParams:
    """Return ``lg`` with the diesel-only stress burn per day and its weighted mean.

    See :func:`stress_fuel_l`; days and day weights as :mod:`energyopt.model.logistics`
    groups them (steps by local day, weight x duration over the day's hours).
    """
    _, first = np.unique(lg.day_of_step, return_index=True)
    day_l = np.add.reduceat(stress_fuel_l(p), first)
    hours = np.add.reduceat(p.duration_h, first)
    day_w = np.add.reduceat(p.weight * p.duration_h, first) / hours
    mean = 24.0 * float((day_w * day_l).sum()) / float((day_w * hours).sum())
    return replace(lg, stress_burn="diesel_only", stress_day_l=day_l,
                   stress_mean_l_per_day=mean)


def logistics_params(spec: InventorySpec, inputs: Inputs, *, truck_l: float, rate: float,
                     years: int, start: object) -> LogisticsParams:
    """Days, arrival days and tank figures of the daily inventory.

    Parameters
    ----------
    spec : InventorySpec
        The scenario's ``fuel.inventory``.
    inputs : Inputs
        For the local calendar day of each step.
    truck_l : float
        Litres one truck delivers after losses [L].
    rate, years : float, int
        Discount rate [1/yr] and horizon [years] (tank replacement and salvage).
    start : datetime.date
        ``horizon.start`` (day 0 of the weekly and fortnightly schedules).

    Returns
    -------
    LogisticsParams

    Warns
    -----
    UserWarning
        When a closed road lies wholly outside the modelled period (it is ignored).
    """
    dates = np.array(inputs.index.date)
    first = dates[0]
    day_of_step = np.array([(d - first).days for d in dates], dtype=int)
    n_days = int(day_of_step[-1]) + 1
    day_dates = [first + dt.timedelta(days=k) for k in range(n_days)]
    period = CONVOY_PERIOD_DAYS[spec.convoy_schedule]
    offset = spec.convoy_offset_days
    if spec.convoy_schedule == "free":
        scheduled = np.ones(n_days, dtype=bool)
    elif spec.convoy_schedule == "monthly":
        scheduled = np.array([d.day - 1 == min(offset, calendar.monthrange(d.year, d.month)[1] - 1)
                              for d in day_dates])
    else:
        assert isinstance(start, dt.date)
        scheduled = np.array([((d - start).days - offset) % period == 0 for d in day_dates])
    closed = np.zeros(n_days, dtype=bool)
    for i, road in enumerate(spec.closed_roads):
        hit = np.array([road.start <= d <= road.end for d in day_dates])
        if not hit.any():
            # a short study of a year with a rainy season simply misses the season
            warnings.warn(
                f"fuel.inventory.closed_roads.{i} ({road.start}..{road.end}) lies outside the "
                f"modelled period {day_dates[0]}..{day_dates[-1]} and is ignored; model the "
                "closure's dates to size for it", UserWarning, stacklevel=3)
        closed |= hit
    # an arrival on day d needs the road open on d and on the lead time's days before it
    # (wrapping around the period, which is cyclic)
    blocked = closed.copy()
    for k in range(1, spec.lead_time_days + 1):
        blocked |= np.roll(closed, k)
    most = spec.max_trucks_per_day
    if most is None:
        most = max(math.ceil(spec.max_tank_l / truck_l - 1e-9), 1)
    return LogisticsParams(
        day_of_step=day_of_step,
        arrival_open=scheduled & ~blocked,
        existing_tank_l=spec.existing_tank_l,
        max_tank_l=spec.max_tank_l,
        tank_capex_usd_per_l=spec.tank_capex_usd_per_l,
        tank_replacement_factor=replacement_factor(rate, years, spec.tank_lifetime_years),
        tank_salvage_factor=salvage_factor(rate, years, spec.tank_lifetime_years),
        safety_stock_days=spec.safety_stock_days,
        autonomy_days=spec.autonomy_days,
        max_trucks_per_day=int(most),
        stress_burn=spec.stress_burn,
    )


def window_params(p: ModelParams, start: int, stop: int, *, initial_soc_kwh: float | None,
                  final_soc_min_kwh: float | None) -> ModelParams:
    """Parameters of steps ``start:stop`` of ``p`` as a model of their own (a dispatch window).

    The battery starts from ``initial_soc_kwh`` instead of being cyclic and ends with at least
    ``final_soc_min_kwh``. A window has no daily fuel inventory: it prices fuel, trucks and
    convoys per litre, as a model without one does; the full-year solve that follows makes the
    deliveries whole. Steps keep their weights, so annual sums cover only the window; annual
    limits (convoys, casualties) are scaled by the window's share of the year's hours, except
    with a daily inventory (whole convoys cannot meet a window's share of an annual bound; the
    full-year solve enforces them). Costs that do not depend on the steps (capex, fixed O&M)
    are kept whole, so a window's objective differs from the year's by terms that are constant
    once the sizes are fixed. A window has no capital budget row: its sizes are fixed, and the
    full-year solve that follows holds the budget.

    Parameters
    ----------
    p : ModelParams
        The whole period's parameters.
    start, stop : int
        First step and one past the last step of the window.
    initial_soc_kwh, final_soc_min_kwh : float or None
        Battery energy before the window and least energy after it [kWh].

    Returns
    -------
    ModelParams
    """
    if not 0 <= start < stop <= p.n_steps:
        raise ValueError(f"window {start}:{stop} is outside the {p.n_steps} steps")
    cut = slice(start, stop)
    share = float(p.step_hours_weighted[cut].sum() / p.step_hours_weighted.sum())
    scale_limits = p.logistics is None
    return replace(
        p,
        logistics=None,
        n_steps=stop - start,
        duration_h=p.duration_h[cut],
        weight=p.weight[cut],
        load_kw=p.load_kw[cut],
        critical_kw=p.critical_kw[cut],
        pv_avail_kw_per_kwp=p.pv_avail_kw_per_kwp[cut],
        bat_retention_per_step=p.bat_retention_per_step[cut],
        max_casualties_per_year=None if p.max_casualties_per_year is None or not scale_limits
        else p.max_casualties_per_year * share,
        max_convoys_per_year=None if p.max_convoys_per_year is None or not scale_limits
        else p.max_convoys_per_year * share,
        bat_initial_soc_kwh=initial_soc_kwh,
        bat_final_soc_min_kwh=final_soc_min_kwh,
        max_capex_usd=None,
        community=None if p.community is None else replace(
            p.community, load_kw=p.community.load_kw[cut], open=p.community.open[cut]),
    )
