"""Tests of the sizing model on small camps whose optimum can be worked out by hand.

Each test states its hand expectation (a closed form, an energy balance or a rule that every
optimum must satisfy) and checks the solved result against it. Numbers are never copied from a
run. Where the optimal dispatch is not unique, only the rules that must always hold are tested.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest

import energyopt as eo

TZ = "Africa/Bamako"
HOURS_PER_YEAR = 8760.0


def _index(n: int, step_minutes: int = 60) -> pd.DatetimeIndex:
    """Step starts from 2025-01-01 local time (horizon.start)."""
    return pd.date_range("2025-01-01", periods=n, freq=f"{step_minutes}min", tz=TZ)


def _unit(**kw: Any) -> dict[str, Any]:
    unit: dict[str, Any] = {
        "name": "g", "rated_kw": 200.0, "existing": 1, "max_count": 1, "capex_usd": 100_000.0,
        "fuel_intercept_l_per_h_per_kw": 0.08, "fuel_slope_l_per_kwh": 0.25,
        "min_load_fraction": 0.3, "om_usd_per_kw_year": 10.0,
        "om_usd_per_run_hour_per_kw": 0.01, "lifetime_hours": 20_000.0,
    }
    unit.update(kw)
    return unit


def _diesel_camp(**sections: Any) -> dict[str, Any]:
    """Diesel-only camp, no reserve, no unserved energy; ``sections`` replace whole sections."""
    scenario: dict[str, Any] = {
        "name": "test camp",
        "site": "gao",
        "horizon": {"days": 1, "step_minutes": 60, "years": 3, "discount_rate": 0.1},
        "load": {"constant_kw": 100.0},
        "solar": {"max_kwp": 0.0},
        "battery": {"max_kwh": 0.0},
        "diesel": {"units": [_unit()]},
        "fuel": {
            "price_usd_per_l": 1.0, "escalation_per_year": 0.02, "route_km": 1000.0,
            "transport_usd_per_l_km": 0.0005, "escort_usd_per_convoy": 10_000.0,
            "truck_capacity_l": 30_000.0, "trucks_per_convoy": 10.0,
            "casualties_per_convoy": 0.01, "value_per_casualty_usd": 1_000_000.0,
            "co2_kg_per_l": 2.7,
        },
        "reliability": {"reserve_load_fraction": 0.0, "reserve_pv_fraction": 0.0,
                        "max_unserved_fraction": 0.0},
        "solver": {"mip_rel_gap": 1e-6, "time_limit_s": 60},
    }
    scenario.update(copy.deepcopy(sections))
    return scenario


def _solve(raw: dict[str, Any], *, baseline: bool = False) -> eo.SizingResult:
    return eo.optimize(eo.load_scenario(raw), baseline=baseline)


def _annuity(r: float, years: int) -> float:
    """Closed form of sum_{y=1..Y} (1+r)^-y."""
    return years if r == 0 else (1.0 - (1.0 + r) ** -years) / r


def _growing_annuity(r: float, e: float, years: int) -> float:
    """Closed form of sum_{y=1..Y} (1+e)^(y-1) (1+r)^-y."""
    return (1.0 - ((1.0 + e) / (1.0 + r)) ** years) / (r - e)


def _balance_error(d: pd.DataFrame) -> np.ndarray:
    supply = (d["pv_kw"] + d["diesel_kw"] + d["battery_discharge_kw"] - d["battery_charge_kw"]
              + d["unserved_kw"] - d["diesel_excess_kw"])
    return (supply - d["load_kw"]).to_numpy()


# --------------------------------------------------------------------------------------------
# Diesel only, constant load: fuel, convoys and the net present cost in closed form
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "step_minutes"), [(1, 60), (2, 30), (3, 180)])
@pytest.mark.parametrize("existing", [1, 0])
@pytest.mark.parametrize("strategy", ["monolithic", "staged", "two_stage"])
def test_diesel_only_constant_load_closed_form(days: int, step_minutes: int, existing: int,
                                               strategy: str) -> None:
    load_kw, rated_kw, f0, f1 = 100.0, 200.0, 0.08, 0.25
    capex, life_h, om_kw_year, om_run_h_kw = 100_000.0, 20_000.0, 10.0, 0.01
    price, escalation, route_km, haul = 1.0, 0.02, 1000.0, 0.0005
    escort, truck_l, trucks_per_convoy = 10_000.0, 30_000.0, 10.0
    casualties_per_convoy, value_per_casualty, co2 = 0.01, 1_000_000.0, 2.7
    years, r = 3, 0.1
    raw = _diesel_camp(
        horizon={"days": days, "step_minutes": step_minutes, "years": years,
                 "discount_rate": r},
        diesel={"units": [_unit(existing=existing, max_count=1)]},
        solver={"mip_rel_gap": 1e-6, "time_limit_s": 60, "strategy": strategy},
    )
    result = _solve(raw)

    # the one unit must run every hour at the load (60 kW minimum < 100 kW < 200 kW rated)
    run_h = HOURS_PER_YEAR
    fuel = HOURS_PER_YEAR * (f0 * rated_kw + f1 * load_kw)  # 359,160 L/yr
    trucks = fuel / truck_l
    convoys = trucks / trucks_per_convoy
    k = result.kpis
    assert k["fuel_l_per_year"] == pytest.approx(fuel, rel=1e-9)
    assert k["trucks_per_year"] == pytest.approx(trucks, rel=1e-9)
    assert k["convoys_per_year"] == pytest.approx(convoys, rel=1e-9)
    assert k["expected_casualties_per_year"] == pytest.approx(convoys * casualties_per_convoy,
                                                              rel=1e-9)
    assert k["co2_t_per_year"] == pytest.approx(fuel * co2 / 1000.0, rel=1e-9)
    assert k["diesel_hours_per_year"] == pytest.approx(run_h, rel=1e-9)
    assert k["renewable_fraction"] == pytest.approx(0.0, abs=1e-9)
    assert result.sizes["diesel_g_count"] == 1
    assert result.sizes["diesel_g_new_count"] == 1 - existing
    # yearly delivered cost, and per litre with escort and valued risk spread over the litres
    delivered = price + haul * route_km
    assert k["fuel_cost_usd_per_year"] == pytest.approx(fuel * delivered + convoys * escort,
                                                        rel=1e-9)
    per_convoy_l = truck_l * trucks_per_convoy
    assert k["fully_burdened_fuel_usd_per_l"] == pytest.approx(
        delivered + (escort + casualties_per_convoy * value_per_casualty) / per_convoy_l,
        rel=1e-9)
    assert k["capex_usd"] == pytest.approx(capex * (1 - existing), abs=1e-6)

    a = _annuity(r, years)
    a_fuel = _growing_annuity(r, escalation, years)
    new = 1 - existing
    expected = {
        ("diesel_g", "capex"): capex * new,
        ("diesel_g", "salvage"): -capex * new * (1.0 + r) ** -years,
        ("diesel_g", "replacement"): capex / life_h * run_h * a,
        ("diesel_g", "om"): a * (om_kw_year * rated_kw + om_run_h_kw * rated_kw * run_h),
        ("fuel", "fuel"): price * fuel * a_fuel,
        ("transport", "fuel"): haul * route_km * fuel * a,
        ("convoys", "convoy"): escort * convoys * a,
        ("convoys", "risk"): convoys * casualties_per_convoy * value_per_casualty * a,
    }
    for (component, kind), value in expected.items():
        assert result.costs.loc[component, kind] == pytest.approx(value, rel=1e-9, abs=1e-6), (
            component, kind)
    npc = sum(expected.values())
    assert k["npc_usd"] == pytest.approx(npc, rel=1e-9)
    assert result.solve_info.objective == pytest.approx(npc, rel=1e-9)
    # LCOE = NPC / discounted energy served
    assert k["lcoe_usd_per_kwh"] == pytest.approx(npc / (load_kw * HOURS_PER_YEAR * a),
                                                  rel=1e-9)


# --------------------------------------------------------------------------------------------
# Free, lossless PV and battery over one day/night pair
# --------------------------------------------------------------------------------------------


def test_free_lossless_pv_and_battery_replace_all_fuel() -> None:
    load_kw, step_h = 100.0, 12.0
    idx = _index(2, 720)
    raw = _diesel_camp(
        horizon={"days": 1, "step_minutes": 720, "years": 10, "discount_rate": 0.05},
        load={"constant_kw": load_kw},
        solar={"pv_kw_per_kwp": {"series": pd.Series([1.0, 0.0], index=idx)},
               "capex_usd_per_kwp": 0.0, "om_usd_per_kwp_year": 0.0,
               "degradation_per_year": 0.0, "max_kwp": 5000.0},
        battery={"max_kwh": 10_000.0, "capex_usd_per_kwh": 0.0, "capex_usd_per_kw": 0.0,
                 "om_fraction_per_year": 0.0, "roundtrip_efficiency": 1.0, "min_soc": 0.0,
                 "self_discharge_per_hour": 0.0},
        diesel={"units": [_unit(rated_kw=150.0, om_usd_per_kw_year=0.0)]},
    )
    result = _solve(raw)
    d, k, sizes = result.dispatch, result.kpis, result.sizes

    # nothing costs anything except fuel, so the optimum burns none
    assert k["fuel_l_per_year"] == pytest.approx(0.0, abs=1e-6)
    assert k["npc_usd"] == pytest.approx(0.0, abs=1e-3)
    assert (d["diesel_g_online"] == 0).all()
    assert k["renewable_fraction"] == pytest.approx(1.0, abs=1e-9)
    # day: PV serves the load and stores the night's energy; night: the battery alone
    night_load_kwh = load_kw * step_h
    net_day_charge = d["battery_charge_kw"].iloc[0] - d["battery_discharge_kw"].iloc[0]
    net_night_discharge = d["battery_discharge_kw"].iloc[1] - d["battery_charge_kw"].iloc[1]
    assert net_night_discharge == pytest.approx(load_kw, abs=1e-6)
    assert net_day_charge == pytest.approx(load_kw, abs=1e-6)
    assert d["pv_kw"].iloc[0] == pytest.approx(2.0 * load_kw, abs=1e-6)
    assert d["pv_kw"].iloc[1] == pytest.approx(0.0, abs=1e-9)
    soc = d["battery_soc_kwh"].to_numpy()
    assert soc[0] - soc[1] == pytest.approx(night_load_kwh, abs=1e-6)
    assert sizes["pv_kwp"] >= 2.0 * load_kw - 1e-6
    assert sizes["battery_kwh"] >= night_load_kwh - 1e-6
    assert sizes["battery_kw"] >= load_kw - 1e-6
    assert np.abs(_balance_error(d)).max() == pytest.approx(0.0, abs=1e-6)


def _day_night(**overrides: Any) -> dict[str, Any]:
    """Two 12-hour steps: PV at 1 kW/kWp by day, none at night; 100 kW load; cheap PV."""
    idx = _index(2, 720)
    raw = _diesel_camp(
        horizon={"days": 1, "step_minutes": 720, "years": 10, "discount_rate": 0.05},
        load={"constant_kw": 100.0},
        solar={"pv_kw_per_kwp": {"series": pd.Series([1.0, 0.0], index=idx)},
               "capex_usd_per_kwp": 1.0, "om_usd_per_kwp_year": 0.0,
               "degradation_per_year": 0.0, "max_kwp": 5000.0},
        battery={"max_kwh": 10_000.0, "capex_usd_per_kwh": 0.0, "capex_usd_per_kw": 0.0,
                 "om_fraction_per_year": 0.0, "roundtrip_efficiency": 1.0, "min_soc": 0.0,
                 "self_discharge_per_hour": 0.0},
        diesel={"units": [_unit(rated_kw=150.0)]},
    )
    for section, values in overrides.items():
        raw[section].update(values)
    return raw


@pytest.mark.parametrize(("roundtrip", "self_discharge"),
                         [(1.0, 0.0), (0.81, 0.0), (1.0, 0.01), (0.81, 0.01)])
def test_battery_losses_scale_the_pv_needed(roundtrip: float, self_discharge: float) -> None:
    # PV costs a little, so losses are minimised: the battery is empty after the night
    # (E1 = 0) and the night draws D = 100 kW for 12 h. With eta = sqrt(roundtrip) each way
    # and retention rho = (1 - s)^12 per step:
    #   night: 0 = rho E0 - 12 * 100 / eta  ->  E0 = 1200 / (rho eta)
    #   day:   E0 = 12 eta C0               ->  C0 = 100 / (rho eta^2)
    # so PV by day = 100 + 100 / (rho * roundtrip) kW, and no fuel is burned.
    eta = roundtrip**0.5
    rho = (1.0 - self_discharge) ** 12
    raw = _day_night(battery={"roundtrip_efficiency": roundtrip,
                              "self_discharge_per_hour": self_discharge})
    result = _solve(raw)
    d = result.dispatch
    charge = 100.0 / (rho * roundtrip)
    assert result.kpis["fuel_l_per_year"] == pytest.approx(0.0, abs=1e-6)
    assert result.sizes["pv_kwp"] == pytest.approx(100.0 + charge, rel=1e-9)
    assert d["battery_charge_kw"].iloc[0] - d["battery_discharge_kw"].iloc[0] == pytest.approx(
        charge, rel=1e-9)
    assert d["battery_discharge_kw"].iloc[1] - d["battery_charge_kw"].iloc[1] == pytest.approx(
        100.0, rel=1e-9)
    assert d["battery_soc_kwh"].iloc[0] == pytest.approx(1200.0 / (rho * eta), rel=1e-9)
    assert d["battery_soc_kwh"].iloc[1] == pytest.approx(0.0, abs=1e-6)
    # the battery carries the night at least (free battery power lets a solver also charge
    # and discharge at once at no cost when nothing is lost, so the gross figure may be higher)
    assert result.kpis["battery_discharge_kwh_per_year"] >= 365 * 1200.0 * (1 - 1e-9)
    assert np.abs(_balance_error(d)).max() <= 1e-6


def test_baseline_keeps_existing_pv_only() -> None:
    raw = _day_night(solar={"existing_kwp": 50.0})
    result = _solve(raw, baseline=True)
    base = result.baseline
    assert base is not None
    assert result.sizes["pv_kwp"] >= 200.0 - 1e-6
    assert base.sizes["pv_kwp"] == pytest.approx(50.0)
    assert base.sizes["battery_kwh"] == 0.0
    # by day 50 kW of PV and 50 kW of diesel; at night 100 kW of diesel; no capex for PV
    assert base.dispatch["pv_kw"].to_numpy() == pytest.approx([50.0, 0.0], abs=1e-6)
    assert base.dispatch["diesel_g_kw"].to_numpy() == pytest.approx([50.0, 100.0], abs=1e-6)
    assert base.costs.loc["pv", "capex"] == pytest.approx(0.0, abs=1e-9)
    assert base.kpis["npc_usd"] >= result.kpis["npc_usd"] * (1 - result.solve_info.mip_gap)


def test_existing_battery_beyond_its_c_rate_is_a_scenario_error() -> None:
    # 100 kWh with 200 kW of power contradicts the 1C limit (max_power_to_energy_per_h = 1):
    # the diesel-only baseline cannot hold it (kWh fixed at 100, kW >= 200). Bad input must be
    # a ScenarioError naming the battery before any model is built (DESIGN.md, Errors), not an
    # InfeasibleScenarioError whose diagnosis finds "no single cause".
    raw = _day_night(battery={"existing_kwh": 100.0, "existing_kw": 200.0,
                              "max_power_to_energy_per_h": 1.0})
    with pytest.raises(eo.ScenarioError, match="battery"):
        eo.optimize(eo.load_scenario(raw), baseline=True)


# --------------------------------------------------------------------------------------------
# Unserved energy and convoy bounds
# --------------------------------------------------------------------------------------------


def test_free_lost_load_fills_the_unserved_cap() -> None:
    # shedding saves fuel and costs nothing, so exactly 10% of the energy goes unserved; the
    # 50 kW critical load keeps the unit online every hour
    raw = _diesel_camp(load={"constant_kw": 100.0, "critical_fraction": 0.5},
                       reliability={"reserve_load_fraction": 0.0, "reserve_pv_fraction": 0.0,
                                    "max_unserved_fraction": 0.1,
                                    "value_of_lost_load_usd_per_kwh": 0.0})
    result = _solve(raw)
    d = result.dispatch
    annual_kwh = 100.0 * HOURS_PER_YEAR
    assert result.kpis["unserved_kwh_per_year"] == pytest.approx(0.1 * annual_kwh, rel=1e-9)
    assert (d["unserved_kw"] <= 50.0 + 1e-6).all()
    assert (d["diesel_g_online"] == 1).all()
    assert result.kpis["fuel_l_per_year"] == pytest.approx(
        HOURS_PER_YEAR * 0.08 * 200.0 + 0.25 * 0.9 * annual_kwh, rel=1e-9)
    assert np.abs(_balance_error(d)).max() <= 1e-6


def test_convoy_bound_without_alternatives_is_infeasible() -> None:
    # the diesel-only camp needs 8760 * 41 / 30000 / 10 = 1.197 convoys a year
    fuel = {**_diesel_camp()["fuel"], "max_convoys_per_year": 0.5}
    with pytest.raises(eo.InfeasibleScenarioError) as excinfo:
        _solve(_diesel_camp(fuel=fuel))
    assert any("convoy" in req for req in excinfo.value.requirements)


@pytest.mark.parametrize("bound", ["max_convoys_per_year", "max_expected_casualties_per_year"])
def test_convoy_and_casualty_bounds_cap_the_fuel(bound: str) -> None:
    # day/night camp with dear PV and battery: unbounded, a diesel unit with a linear fuel curve
    # (no idle fuel, no minimum load) carries the night. A bound at half of that design's
    # convoys binds: with a linear fuel curve the cost falls as the allowed fuel rises, so the
    # cheapest bounded design burns exactly the bound's equivalent in litres.
    sections: dict[str, Any] = {
        "solar": {"capex_usd_per_kwp": 10_000.0},
        "battery": {"capex_usd_per_kwh": 2000.0},
        "diesel": {"units": [_unit(rated_kw=150.0, fuel_intercept_l_per_h_per_kw=0.0,
                                   min_load_fraction=0.0)]},
    }
    free = _solve(_day_night(**sections))
    convoys = free.kpis["convoys_per_year"]
    # night diesel at 100 kW: 4380 h x 0.25 L/kWh x 100 kW / 30,000 L / 10 trucks
    assert convoys == pytest.approx(4380 * 0.25 * 100.0 / 30_000.0 / 10.0, rel=1e-9)
    limit = 0.5 * convoys * (0.01 if bound == "max_expected_casualties_per_year" else 1.0)
    bounded = _solve(_day_night(**sections, fuel={bound: limit}))
    assert bounded.kpis["fuel_l_per_year"] == pytest.approx(
        0.5 * convoys * 10.0 * 30_000.0, rel=1e-6)
    assert bounded.kpis["convoys_per_year"] <= 0.5 * convoys * (1 + 1e-9)
    assert bounded.kpis["expected_casualties_per_year"] == pytest.approx(
        0.01 * bounded.kpis["convoys_per_year"], rel=1e-9)
    assert bounded.kpis["npc_usd"] >= free.kpis["npc_usd"] * (1 - free.solve_info.mip_gap)
    assert np.abs(_balance_error(bounded.dispatch)).max() <= 1e-6


# --------------------------------------------------------------------------------------------
# Minimum load
# --------------------------------------------------------------------------------------------

LOW_LOAD = {"constant_kw": 50.0, "critical_fraction": 0.0}  # below the 60 kW minimum load


def _assert_min_load_rule(result: eo.SizingResult, rated_kw: float, fraction: float) -> None:
    d = result.dispatch
    power, online = d["diesel_g_kw"].to_numpy(), d["diesel_g_online"].to_numpy()
    assert (power >= fraction * rated_kw * online - 1e-6).all()
    assert (power <= rated_kw * online + 1e-6).all()


def test_min_load_with_free_battery_runs_few_full_hours() -> None:
    raw = _diesel_camp(
        load=LOW_LOAD,
        battery={"max_kwh": 5000.0, "capex_usd_per_kwh": 0.0, "capex_usd_per_kw": 0.0,
                 "om_fraction_per_year": 0.0, "roundtrip_efficiency": 1.0, "min_soc": 0.0,
                 "self_discharge_per_hour": 0.0},
    )
    result = _solve(raw)
    _assert_min_load_rule(result, 200.0, 0.3)
    d = result.dispatch
    assert np.abs(_balance_error(d)).max() == pytest.approx(0.0, abs=1e-6)
    # lossless, cyclic battery: the diesel makes exactly the day's 1,200 kWh; every online hour
    # costs F0 x rated fuel, so the unit runs the fewest hours: 1200 / 200 = 6 per day
    assert d["diesel_g_kw"].sum() == pytest.approx(50.0 * 24, rel=1e-9)
    assert d["diesel_g_online"].sum() == 6
    assert result.kpis["diesel_hours_per_year"] == pytest.approx(365 * 6, rel=1e-9)
    assert result.kpis["fuel_l_per_year"] == pytest.approx(
        365 * (0.08 * 200.0 * 6 + 0.25 * 1200.0), rel=1e-9)


def test_min_load_without_battery_sheds_the_load_when_lost_load_is_cheap() -> None:
    # no battery: running means >= 60 kW into a 50 kW load; with lost load valued at
    # 0.05 USD/kWh, less than the fuel of any hour run, the whole load goes unserved
    raw = _diesel_camp(load=LOW_LOAD,
                       reliability={"reserve_load_fraction": 0.0, "reserve_pv_fraction": 0.0,
                                    "max_unserved_fraction": 1.0,
                                    "value_of_lost_load_usd_per_kwh": 0.05})
    result = _solve(raw)
    _assert_min_load_rule(result, 200.0, 0.3)
    assert (result.dispatch["diesel_g_online"] == 0).all()
    assert result.kpis["unserved_kwh_per_year"] == pytest.approx(50.0 * HOURS_PER_YEAR, rel=1e-9)
    assert result.kpis["fuel_l_per_year"] == pytest.approx(0.0, abs=1e-9)
    a = _annuity(0.1, 3)
    assert result.costs.loc["unserved", "unserved"] == pytest.approx(
        0.05 * 50.0 * HOURS_PER_YEAR * a, rel=1e-9)


def test_min_load_without_battery_runs_at_minimum_into_a_load_bank() -> None:
    # no battery, no shedding: the unit runs every hour at exactly its 60 kW minimum, never
    # below, and the 10 kW beyond the load go to the load bank as excess electricity
    raw = _diesel_camp(load=LOW_LOAD)
    result = _solve(raw)
    _assert_min_load_rule(result, 200.0, 0.3)
    d = result.dispatch
    assert (d["diesel_g_online"] == 1).all()
    np.testing.assert_allclose(d["diesel_g_kw"], 60.0, atol=1e-6)
    np.testing.assert_allclose(d["diesel_excess_kw"], 10.0, atol=1e-6)
    assert np.abs(_balance_error(d)).max() == pytest.approx(0.0, abs=1e-6)
    assert result.kpis["diesel_excess_kwh_per_year"] == pytest.approx(10.0 * HOURS_PER_YEAR,
                                                                     rel=1e-9)
    assert result.kpis["fuel_l_per_year"] == pytest.approx(
        HOURS_PER_YEAR * (0.08 * 200.0 + 0.25 * 60.0), rel=1e-9)


# --------------------------------------------------------------------------------------------
# Spinning reserve
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("reserve", "online"), [(0.2, 2), (0.0, 1)])
def test_reserve_forces_a_second_unit_online(reserve: float, online: int) -> None:
    # 180 kW load: one 200 kW unit carries it; 20% reserve needs 216 kW online -> two units
    raw = _diesel_camp(
        load={"constant_kw": 180.0},
        diesel={"units": [_unit(existing=2, max_count=2)]},
        reliability={"reserve_load_fraction": reserve, "reserve_pv_fraction": 0.0,
                     "max_unserved_fraction": 0.0},
    )
    result = _solve(raw)
    d = result.dispatch
    assert (d["diesel_g_online"] == online).all()
    assert d["diesel_g_kw"].to_numpy() == pytest.approx(np.full(24, 180.0), abs=1e-6)
    assert (d["reserve_available_kw"] >= reserve * 180.0 - 1e-6).all()
    assert result.kpis["fuel_l_per_year"] == pytest.approx(
        HOURS_PER_YEAR * (0.08 * 200.0 * online + 0.25 * 180.0), rel=1e-9)


def test_cheapest_unit_type_carries_the_load() -> None:
    # two existing unit types; at 90 kW the 100 kW unit idles on 8 L/h, the 300 kW unit on
    # 24 L/h, with the same slope: the small one runs every hour, the big one never
    raw = _diesel_camp(load={"constant_kw": 90.0},
                       diesel={"units": [_unit(name="small", rated_kw=100.0),
                                         _unit(name="big", rated_kw=300.0)]})
    result = _solve(raw)
    d = result.dispatch
    assert (d["diesel_small_online"] == 1).all()
    assert (d["diesel_big_online"] == 0).all()
    assert d["diesel_kw"].to_numpy() == pytest.approx(np.full(24, 90.0), abs=1e-6)
    assert result.kpis["fuel_l_per_year"] == pytest.approx(
        HOURS_PER_YEAR * (0.08 * 100.0 + 0.25 * 90.0), rel=1e-9)
    a = _annuity(0.1, 3)
    # fixed O&M on both units, running O&M and wear on the small one only
    assert result.costs.loc["diesel_big", "om"] == pytest.approx(a * 10.0 * 300.0, rel=1e-9)
    assert result.costs.loc["diesel_big", "replacement"] == pytest.approx(0.0, abs=1e-6)
    assert result.costs.loc["diesel_small", "replacement"] == pytest.approx(
        a * 100_000.0 / 20_000.0 * HOURS_PER_YEAR, rel=1e-9)


def test_pv_reserve_keeps_a_unit_online_by_day() -> None:
    # day/night camp without a battery, 50% reserve on PV output. By day the PV's reserve can
    # only come from a running unit, so one unit stays online at its 45 kW minimum (cheapest
    # fuel) and PV takes the other 55 kW (PV is cheap, so it is sized to exactly that).
    raw = _day_night(battery={"max_kwh": 0.0},
                     reliability={"reserve_pv_fraction": 0.5})
    result = _solve(raw)
    d = result.dispatch
    assert d["diesel_g_online"].to_numpy() == pytest.approx([1.0, 1.0])
    assert d["diesel_g_kw"].to_numpy() == pytest.approx([45.0, 100.0], abs=1e-6)
    assert d["pv_kw"].to_numpy() == pytest.approx([55.0, 0.0], abs=1e-6)
    assert result.sizes["pv_kwp"] == pytest.approx(55.0, rel=1e-9)
    assert d["reserve_required_kw"].to_numpy() == pytest.approx([27.5, 0.0], abs=1e-6)
    assert (d["reserve_available_kw"] >= d["reserve_required_kw"] - 1e-6).all()


def test_reserve_met_by_shedding_is_feasible() -> None:
    # 100 kW load, one 100 kW unit, 10% reserve: the unit can hold 10 kW of headroom only by
    # running at 90 kW, which is possible when 10 kW (10% of energy <= 20% allowed, above the
    # 20 kW critical load) may go unserved. Expected: 90 kW diesel + 10 kW unserved each hour.
    raw = _diesel_camp(
        load={"constant_kw": 100.0, "critical_fraction": 0.2},
        diesel={"units": [_unit(rated_kw=100.0)]},
        reliability={"reserve_load_fraction": 0.1, "reserve_pv_fraction": 0.0,
                     "max_unserved_fraction": 0.2, "value_of_lost_load_usd_per_kwh": 10.0},
    )
    result = _solve(raw)
    assert result.dispatch["diesel_g_kw"].to_numpy() == pytest.approx(np.full(24, 90.0),
                                                                      abs=1e-6)
    assert result.kpis["unserved_kwh_per_year"] == pytest.approx(10.0 * HOURS_PER_YEAR,
                                                                 rel=1e-9)


def test_infeasible_camp_names_the_reserve() -> None:
    raw = _diesel_camp(
        load={"constant_kw": 100.0},
        diesel={"units": [_unit(rated_kw=100.0, existing=1, max_count=1)]},
        reliability={"reserve_load_fraction": 0.1, "reserve_pv_fraction": 0.0,
                     "max_unserved_fraction": 0.0},
    )
    with pytest.raises(eo.InfeasibleScenarioError) as excinfo:
        _solve(raw)
    assert "reserve" in str(excinfo.value)
    assert any("reserve" in req for req in excinfo.value.requirements)


# --------------------------------------------------------------------------------------------
# A mixed camp: PV (embedded weather), battery and diesel
# --------------------------------------------------------------------------------------------

MIXED_YEARS, MIXED_RATE = 12, 0.08
MIXED_PV = {"capex": 1000.0, "om": 20.0, "life": 10.0, "degradation": 0.005}
MIXED_BAT = {"kwh": 300.0, "kw": 100.0, "om": 0.02, "life": 5.0, "eta": 0.9, "min_soc": 0.1}


@pytest.fixture(scope="module")
def mixed() -> tuple[eo.SizingResult, eo.Inputs]:
    raw = _diesel_camp(
        horizon={"days": 3, "step_minutes": 60, "years": MIXED_YEARS,
                 "discount_rate": MIXED_RATE},
        # no cooling term: January nights at Gao would fall below the 30 kW minimum load of
        # the diesel-only baseline (the mixed case tests rules and accounting, not the shape)
        load={"archetype": "company_base", "personnel": 300, "cooling_share": 0.0},
        solar={"weather": "embedded", "max_kwp": 150.0,
               "capex_usd_per_kwp": MIXED_PV["capex"], "om_usd_per_kwp_year": MIXED_PV["om"],
               "lifetime_years": MIXED_PV["life"],
               "degradation_per_year": MIXED_PV["degradation"]},
        battery={"max_kwh": 2000.0, "capex_usd_per_kwh": MIXED_BAT["kwh"],
                 "capex_usd_per_kw": MIXED_BAT["kw"], "om_fraction_per_year": MIXED_BAT["om"],
                 "lifetime_years": MIXED_BAT["life"],
                 "roundtrip_efficiency": MIXED_BAT["eta"] ** 2, "min_soc": MIXED_BAT["min_soc"],
                 "self_discharge_per_hour": 0.0},
        diesel={"units": [_unit(rated_kw=100.0, existing=2, max_count=4, capex_usd=50_000.0)]},
        reliability={"reserve_load_fraction": 0.1, "reserve_pv_fraction": 0.25,
                     "max_unserved_fraction": 0.0},
        # the rules and accounting below hold for any incumbent; with the stochastic (cloudy)
        # embedded weather a 0.5% gap can take over 60 s on 2 busy cores, 2% takes ~2-3 s
        solver={"mip_rel_gap": 0.02, "time_limit_s": 60},
    )
    scenario = eo.load_scenario(raw)
    return eo.optimize(scenario, baseline=True), eo.build_inputs(scenario)


def test_mixed_case_uses_all_three(mixed: tuple[eo.SizingResult, eo.Inputs]) -> None:
    result, _ = mixed
    assert result.sizes["pv_kwp"] > 1.0
    assert result.sizes["battery_kwh"] > 1.0
    assert result.kpis["fuel_l_per_year"] > 1.0


def test_mixed_costs_sum_to_the_objective(mixed: tuple[eo.SizingResult, eo.Inputs]) -> None:
    result, _ = mixed
    total = float(result.costs.to_numpy().sum())
    assert total == pytest.approx(result.solve_info.objective, rel=1e-9)
    assert result.kpis["npc_usd"] == pytest.approx(result.solve_info.objective, rel=1e-9)


def test_mixed_energy_balances_every_step(mixed: tuple[eo.SizingResult, eo.Inputs]) -> None:
    result, _ = mixed
    assert np.abs(_balance_error(result.dispatch)).max() <= 1e-6


def test_mixed_operating_rules(mixed: tuple[eo.SizingResult, eo.Inputs]) -> None:
    result, inputs = mixed
    d, sizes = result.dispatch, result.sizes
    tol = 1e-6
    # PV within its (degradation-averaged) availability; curtailment is the rest
    degradation = np.mean([(1 - MIXED_PV["degradation"]) ** y for y in range(MIXED_YEARS)])
    avail = sizes["pv_kwp"] * inputs.pv_kw_per_kwp.to_numpy() * degradation
    assert (d["pv_kw"].to_numpy() <= avail + tol).all()
    assert (d["pv_kw"] + d["pv_curtailed_kw"]).to_numpy() == pytest.approx(avail, abs=tol)
    # battery: state of charge follows charge and discharge (cyclic), within its bounds
    eta = MIXED_BAT["eta"]
    soc = d["battery_soc_kwh"].to_numpy()
    flow = eta * d["battery_charge_kw"].to_numpy() - d["battery_discharge_kw"].to_numpy() / eta
    assert soc == pytest.approx(np.roll(soc, 1) + flow * 1.0, abs=1e-5)
    assert (soc <= sizes["battery_kwh"] + tol).all()
    assert (soc >= MIXED_BAT["min_soc"] * sizes["battery_kwh"] - tol).all()
    assert (d["battery_charge_kw"] <= sizes["battery_kw"] + tol).all()
    assert (d["battery_discharge_kw"] <= sizes["battery_kw"] + tol).all()
    assert sizes["battery_kw"] <= 1.0 * sizes["battery_kwh"] + tol  # default 1C limit
    # diesel: whole units, within the count and the loading band
    online, power = d["diesel_g_online"].to_numpy(), d["diesel_g_kw"].to_numpy()
    assert np.array_equal(online, np.round(online))
    assert (online <= sizes["diesel_g_count"]).all()
    assert (power >= 0.3 * 100.0 * online - tol).all()
    assert (power <= 100.0 * online + tol).all()
    # fuel per step from the fuel curve, and the year from the weights (3 days -> 8760 h)
    fuel = 1.0 * (0.08 * 100.0 * online + 0.25 * power)
    assert d["fuel_l"].to_numpy() == pytest.approx(fuel, abs=1e-6)
    weight = HOURS_PER_YEAR / 72.0
    assert result.kpis["fuel_l_per_year"] == pytest.approx(weight * fuel.sum(), rel=1e-9)
    # spinning reserve: 10% of load + 25% of PV, from diesel headroom and the battery
    required = 0.1 * d["load_kw"] + 0.25 * d["pv_kw"]
    assert d["reserve_required_kw"].to_numpy() == pytest.approx(required.to_numpy(), abs=tol)
    assert (d["reserve_available_kw"] >= required - tol).all()
    assert result.kpis["unserved_kwh_per_year"] == pytest.approx(0.0, abs=1e-6)


def test_mixed_cost_rows_follow_the_block_formulas(
        mixed: tuple[eo.SizingResult, eo.Inputs]) -> None:
    result, _ = mixed
    costs, sizes, k = result.costs, result.sizes, result.kpis
    r, years = MIXED_RATE, MIXED_YEARS
    a = _annuity(r, years)
    end = (1.0 + r) ** -years
    # PV, life 10 in 12 years: replaced at 10; 8 of 10 years left at 12
    pv_capex = MIXED_PV["capex"] * sizes["pv_kwp"]
    assert costs.loc["pv", "capex"] == pytest.approx(pv_capex, rel=1e-9)
    assert costs.loc["pv", "om"] == pytest.approx(MIXED_PV["om"] * sizes["pv_kwp"] * a, rel=1e-9)
    assert costs.loc["pv", "replacement"] == pytest.approx(pv_capex * (1 + r) ** -10, rel=1e-9)
    assert costs.loc["pv", "salvage"] == pytest.approx(-pv_capex * 0.8 * end, rel=1e-9)
    # battery, life 5 in 12 years: replaced at 5 and 10; 3 of 5 years left at 12
    bat_capex = MIXED_BAT["kwh"] * sizes["battery_kwh"] + MIXED_BAT["kw"] * sizes["battery_kw"]
    assert costs.loc["battery", "capex"] == pytest.approx(bat_capex, rel=1e-9)
    assert costs.loc["battery", "om"] == pytest.approx(MIXED_BAT["om"] * bat_capex * a,
                                                       rel=1e-9)
    assert costs.loc["battery", "replacement"] == pytest.approx(
        bat_capex * ((1 + r) ** -5 + (1 + r) ** -10), rel=1e-9)
    assert costs.loc["battery", "salvage"] == pytest.approx(-bat_capex * 0.6 * end, rel=1e-9)
    # diesel: new units at 50,000 USD credited back at the end, wear per running hour
    new = sizes["diesel_g_count"] - 2
    run_h = k["diesel_hours_per_year"]
    assert costs.loc["diesel_g", "capex"] == pytest.approx(50_000.0 * new, abs=1e-6)
    assert costs.loc["diesel_g", "salvage"] == pytest.approx(-50_000.0 * new * end, abs=1e-6)
    assert costs.loc["diesel_g", "replacement"] == pytest.approx(
        50_000.0 / 20_000.0 * run_h * a, rel=1e-9)
    assert costs.loc["diesel_g", "om"] == pytest.approx(
        a * (10.0 * 100.0 * sizes["diesel_g_count"] + 0.01 * 100.0 * run_h), rel=1e-9)
    # fuel and convoys
    fuel = k["fuel_l_per_year"]
    convoys = fuel / 30_000.0 / 10.0
    assert k["convoys_per_year"] == pytest.approx(convoys, rel=1e-9)
    assert costs.loc["fuel", "fuel"] == pytest.approx(
        1.0 * fuel * _growing_annuity(r, 0.02, years), rel=1e-9)
    assert costs.loc["transport", "fuel"] == pytest.approx(0.5 * fuel * a, rel=1e-9)
    assert costs.loc["convoys", "convoy"] == pytest.approx(10_000.0 * convoys * a, rel=1e-9)
    assert costs.loc["convoys", "risk"] == pytest.approx(0.01 * 1e6 * convoys * a, rel=1e-9)


def test_baseline_is_diesel_only_and_costs_no_less(
        mixed: tuple[eo.SizingResult, eo.Inputs]) -> None:
    result, _ = mixed
    base = result.baseline
    assert base is not None
    assert base.sizes["pv_kwp"] == 0.0
    assert base.sizes["battery_kwh"] == 0.0
    assert base.sizes["battery_kw"] == 0.0
    assert (base.dispatch["pv_kw"] == 0.0).all()
    assert (base.dispatch["battery_discharge_kw"] == 0.0).all()
    assert np.abs(_balance_error(base.dispatch)).max() <= 1e-6
    # the design problem relaxes the baseline: its optimum is no dearer (up to the design's gap)
    gap = result.solve_info.mip_gap
    assert base.kpis["npc_usd"] >= result.kpis["npc_usd"] * (1.0 - gap) - 1e-6
    assert base.kpis["fuel_l_per_year"] > 0.0


# --------------------------------------------------------------------------------------------
# Inputs given as pandas Series
# --------------------------------------------------------------------------------------------


def test_series_with_the_default_pandas_index_is_accepted() -> None:
    # the documented route: a Series on a tz-aware hourly index from horizon.start, built the
    # ordinary way (pandas >= 3 gives it microsecond resolution)
    idx = pd.date_range("2025-01-01", periods=24, freq="h", tz=TZ)
    values = np.linspace(80.0, 120.0, 24)
    raw = _diesel_camp(load={"series": pd.Series(values, index=idx)},
                       solar={"pv_kw_per_kwp": {"series": pd.Series(0.0, index=idx)},
                              "max_kwp": 0.0})
    inputs = eo.build_inputs(eo.load_scenario(raw))
    assert inputs.load_kw.to_numpy() == pytest.approx(values)


# --------------------------------------------------------------------------------------------
# Time windows (the two-stage solve's dispatch): a given starting state of charge
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("final_min_kwh", "diesel_kwh"), [(None, 0.0), (0.0, 0.0),
                                                           (100.0, 100.0)])
def test_window_battery_starts_from_given_state(final_min_kwh: float | None,
                                                diesel_kwh: float) -> None:
    from energyopt.inputs import build_inputs
    from energyopt.model import build_model, model_params
    from energyopt.model.params import window_params
    from energyopt.solve import SolverSettings, solve_model

    # 4 h of a flat 50 kW load; a full lossless 200 kWh battery could carry it alone, but the
    # window must end with `final_min_kwh` stored: the 100 kWh short come from one 100 kW unit
    # (no minimum load) run for one hour at full power, cheaper than two hours at half power
    raw = _diesel_camp(
        horizon={"days": 1, "step_minutes": 60, "years": 3, "discount_rate": 0.1},
        load={"constant_kw": 50.0},
        battery={"existing_kwh": 200.0, "existing_kw": 100.0, "max_kwh": 200.0,
                 "roundtrip_efficiency": 1.0, "min_soc": 0.0, "self_discharge_per_hour": 0.0},
        diesel={"units": [_unit(rated_kw=100.0, min_load_fraction=0.0)]},
    )
    scenario = eo.load_scenario(raw)
    p = model_params(scenario, build_inputs(scenario))
    wp = window_params(p, 10, 14, initial_soc_kwh=200.0, final_soc_min_kwh=final_min_kwh)
    assert wp.n_steps == 4
    np.testing.assert_array_equal(wp.load_kw, p.load_kw[10:14])
    m = build_model(wp)
    m.battery.kwh.fix(200.0)
    m.battery.kw.fix(100.0)
    solve_model(m, SolverSettings(mip_rel_gap=1e-9, time_limit_s=30))
    soc = [m.battery.soc_kwh[t].value for t in range(4)]
    charge = [m.battery.charge_kw[t].value for t in range(4)]
    discharge = [m.battery.discharge_kw[t].value for t in range(4)]
    assert soc[0] == pytest.approx(200.0 + charge[0] - discharge[0], abs=1e-6)
    assert soc[-1] == pytest.approx(max(final_min_kwh or 0.0, 0.0), abs=1e-6)
    diesel = sum(m.diesel.power_kw["g", t].value for t in range(4))
    assert diesel == pytest.approx(diesel_kwh, abs=1e-6)
    run_hours = sum(m.diesel.online["g", t].value for t in range(4))
    assert run_hours == pytest.approx(diesel_kwh / 100.0, abs=1e-9)


def test_window_params_rejects_steps_outside_the_period(tiny: dict[str, Any]) -> None:
    from energyopt.inputs import build_inputs
    from energyopt.model import model_params
    from energyopt.model.params import window_params

    scenario = eo.load_scenario(tiny)
    p = model_params(scenario, build_inputs(scenario))
    with pytest.raises(ValueError, match="outside"):
        window_params(p, 40, 60, initial_soc_kwh=None, final_soc_min_kwh=None)


def test_window_params_share_annual_limits(tiny: dict[str, Any]) -> None:
    from energyopt.inputs import build_inputs
    from energyopt.model import model_params
    from energyopt.model.params import window_params

    tiny["fuel"] = {"max_convoys_per_year": 12.0, "max_expected_casualties_per_year": 0.5}
    scenario = eo.load_scenario(tiny)
    p = model_params(scenario, build_inputs(scenario))
    wp = window_params(p, 0, 12, initial_soc_kwh=None, final_soc_min_kwh=None)
    assert wp.max_convoys_per_year == pytest.approx(12.0 * 12 / 48)
    assert wp.max_casualties_per_year == pytest.approx(0.5 * 12 / 48)


def test_staged_search_brackets_the_monolithic_optimum() -> None:
    """Over three weeks (three dispatch windows), the staged design costs at least the true
    optimum and its bound is at most the optimum; its gap is the one it reports."""
    raw = _diesel_camp(
        horizon={"days": 21, "step_minutes": 180, "years": 10, "discount_rate": 0.08},
        load={"archetype": "company_base", "personnel": 150},
        solar={"max_kwp": 400.0, "capex_usd_per_kwp": 900.0},
        battery={"max_kwh": 1500.0, "capex_usd_per_kwh": 300.0},
        diesel={"units": [_unit(rated_kw=100.0, existing=2, max_count=3)]},
        reliability={"reserve_load_fraction": 0.1, "reserve_pv_fraction": 0.2,
                     "max_unserved_fraction": 0.0},
    )
    exact = _solve({**raw, "solver": {"mip_rel_gap": 1e-7, "time_limit_s": 120,
                                      "strategy": "monolithic"}})
    staged = _solve({**raw, "solver": {"mip_rel_gap": 0.005, "time_limit_s": 60,
                                       "strategy": "staged"}})
    opt = exact.solve_info.objective
    info = staged.solve_info
    assert info.method == "staged"
    assert info.objective >= opt * (1 - 1e-7)
    assert info.bound <= opt * (1 + 1e-7)
    assert info.mip_gap == pytest.approx((info.objective - info.bound) / info.objective,
                                         abs=1e-9)
    assert float(np.abs(_balance_error(staged.dispatch)).max()) < 1e-5


def test_a_litre_prices_purchase_haulage_escort_and_risk(tiny: dict[str, Any]) -> None:
    from energyopt.inputs import build_inputs
    from energyopt.model import model_params

    scenario = eo.load_scenario(tiny)
    p = model_params(scenario, build_inputs(scenario))
    # a litre a year for the horizon: its purchase, haulage, escort and risk, in present value
    f = scenario.fuel
    a = _annuity(scenario.horizon.discount_rate, scenario.horizon.years)
    a_fuel = _growing_annuity(scenario.horizon.discount_rate, f.escalation_per_year,
                              scenario.horizon.years)
    convoy_l = f.truck_capacity_l * f.trucks_per_convoy
    assert p.usd_per_litre == pytest.approx(
        f.price_usd_per_l * a_fuel + a * (f.transport_usd_per_l_km * f.route_km + (
            f.escort_usd_per_convoy + f.casualties_per_convoy * f.value_per_casualty_usd)
            / convoy_l))


def test_rule_design_is_feasible_by_construction(tiny: dict[str, Any]) -> None:
    """The design of last resort (diesel carries load and reserve) passes every check."""
    from energyopt.engine import Budget, Problem
    from energyopt.engine.polish import design_from_commitment, fallback_commitment
    from energyopt.inputs import build_inputs
    from energyopt.model import model_params
    from energyopt.results import extract_result
    from energyopt.solve import SolveInfo, SolverSettings

    tiny["solar"] = {"max_kwp": 300.0}
    tiny["battery"] = {"max_kwh": 500.0}
    tiny["reliability"] = {"reserve_load_fraction": 0.1}
    scenario = eo.load_scenario(tiny)
    inputs = build_inputs(scenario)
    p = model_params(scenario, inputs)
    problem = Problem(p, "test", SolverSettings())
    commitment = fallback_commitment(problem)
    # units online cover 110% of the 200 kW load alone: two 200 kW sets every step
    assert (commitment == 2).all()
    design = design_from_commitment(problem, problem.session(), commitment, Budget(30),
                                    "rule", sizes=problem.existing_sizes(), fallback=True)
    assert design is not None
    assert design.fallback
    problem.mm.load(design.x)
    info = SolveInfo(status="feasible", termination="rule", objective=design.objective,
                     bound=design.objective, mip_gap=0.0, runtime_s=0.0, handoff_s=0.0,
                     solver="", n_rows=0, n_cols=0, n_integers=0)
    result = extract_result(problem.m, p, inputs, info, name="rule")  # runs check_result
    assert (result.dispatch["diesel_g200_online"] == 2).all()
    assert result.sizes["pv_kwp"] == 0.0
    assert float(np.abs(_balance_error(result.dispatch)).max()) < 1e-5
