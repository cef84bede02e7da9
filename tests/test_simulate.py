"""The simulator (energyopt.simulate): hand-checked fuel, blockades, balances, rules, seeds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import energyopt as eo
from energyopt import data
from energyopt.model.params import model_params
from energyopt.simulate import Outages, draw_outages, load_tiers, markov_outages, simulate

F0, F1, RATED, MU = 0.08145, 0.246, 200.0, 0.3


def _camp(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "sim camp", "site": "gao", "horizon": {"days": 3, "start": "2025-03-30"},
        "load": {"constant_kw": 250, "critical_fraction": 0.2},
        "reliability": {"reserve_load_fraction": 0.1, "reserve_pv_fraction": 0.25},
        "diesel": {"units": [{"name": "g200", "rated_kw": RATED, "existing": 3, "max_count": 3,
                              "fuel_intercept_l_per_h_per_kw": F0, "fuel_slope_l_per_kwh": F1,
                              "min_load_fraction": MU}]},
    }
    for key, value in extra.items():
        base[key] = value
    return base


def _balance(d: pd.DataFrame) -> np.ndarray:
    return (d["pv_kw"] + d["diesel_kw"] + d["battery_discharge_kw"] - d["battery_charge_kw"]
            - d["diesel_excess_kw"] + d["unserved_kw"] - d["load_kw"]).to_numpy()


@pytest.fixture(scope="module")
def designed() -> tuple[eo.SizingResult, eo.Scenario, eo.Inputs]:
    """A design from a short optimize run (small camp: PV, battery and sets)."""
    sc = eo.load_scenario({
        "name": "small camp", "site": "gao", "horizon": {"days": 4, "start": "2025-03-30"},
        "load": {"constant_kw": 200}, "solar": {"max_kwp": 400}, "battery": {"max_kwh": 500},
        "solver": {"mip_rel_gap": 0.02},
        "diesel": {"units": [{"name": "g200", "rated_kw": 200, "existing": 2, "max_count": 3}]}})
    inputs = eo.build_inputs(sc)
    return eo.optimize(sc, baseline=False), sc, inputs


# --------------------------------------------------------------------------------------------
# Hand-checkable figures (the acceptance)
# --------------------------------------------------------------------------------------------
def test_no_pv_no_battery_fuel_is_the_closed_form() -> None:
    sc0 = eo.load_scenario(_camp())
    index = eo.build_inputs(sc0).index
    load = pd.Series(100.0 + 290.0 * (np.arange(len(index)) % 24) / 23.0, index=index)
    sc = eo.load_scenario(_camp(load={"series": load}))
    res = simulate({"diesel_g200_count": 3}, sc)
    # units online by hand: the fewest whose rating covers the load and 10% reserve
    units = np.ceil(1.1 * load.to_numpy() / RATED - 1e-9)
    assert (load.to_numpy() >= MU * RATED * units).all()  # minimum load never binds here
    closed = float((1.0 * (F0 * RATED * units + F1 * load.to_numpy())).sum())
    assert res.dispatch["fuel_l"].sum() == pytest.approx(closed, rel=1e-12)
    np.testing.assert_array_equal(res.dispatch["diesel_g200_online"].to_numpy(), units)
    assert res.kpis["fuel_l_per_year"] == pytest.approx(closed * 365 / 3, rel=1e-12)
    assert res.kpis["unserved_kwh_per_year"] == 0.0


def test_pv_without_battery_load_following_matches_hand_dispatch() -> None:
    sc = eo.load_scenario(_camp())
    inputs = eo.build_inputs(sc)
    res = simulate({"pv_kwp": 300.0, "diesel_g200_count": 3}, sc, inputs=inputs)
    avail = 300.0 * model_params(sc, inputs).pv_avail_kw_per_kwp
    fuel = np.zeros(inputs.n_steps)
    curtailed = np.zeros(inputs.n_steps)
    for t, a in enumerate(avail):
        load = 250.0
        for u in range(4):  # the fewest units that serve the load and hold the reserve
            diesel = max(load - min(a, load), MU * RATED * u) if u else 0.0
            if u == 0 and load - min(a, load) > 0:
                continue
            pv = load - diesel
            if RATED * u - diesel >= 0.1 * load + 0.25 * pv - 1e-9:
                break
        fuel[t] = F0 * RATED * u + F1 * diesel
        curtailed[t] = a - pv
    np.testing.assert_allclose(res.dispatch["fuel_l"].to_numpy(), fuel, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(res.dispatch["pv_curtailed_kw"].to_numpy(), curtailed,
                               atol=1e-9)
    assert 0.0 < res.dispatch["pv_kw"].sum() < avail.sum()  # noon curtails for the minimum load


def test_blockade_longer_than_stock_and_storage_loses_the_hand_energy() -> None:
    days = 10
    eta_d = math.sqrt(0.9)
    kwh = 300.0 / (eta_d * (1.0 - 0.2))  # 300 kWh deliverable: three hours of load
    sc = eo.load_scenario(_camp(
        horizon={"days": days, "start": "2025-03-30"},
        load={"constant_kw": 100, "critical_fraction": 0.4},
        reliability={"reserve_load_fraction": 0.0, "reserve_pv_fraction": 0.0},
        battery={"roundtrip_efficiency": 0.9, "min_soc": 0.2},
        fuel={"inventory": {"existing_tank_l": 5000, "max_tank_l": 5000,
                            "convoy_schedule": "weekly"}}))
    first = dt.date(2025, 3, 30)
    blockade = Outages(blockade=(first, first + dt.timedelta(days=days - 1)))
    res = simulate({"battery_kwh": kwh, "battery_kw": 100.0, "diesel_g200_count": 1,
                    "fuel_tank_l": 5000.0}, sc, outages=blockade, initial_stock_l=100.0)
    per_hour = F0 * RATED + F1 * 100.0  # one set at 100 kW [L/h]
    diesel_h = 100.0 / per_hour
    lost = 100.0 * 24 * days - 300.0 - 100.0 * diesel_h
    d = res.dispatch
    assert d["unserved_kw"].sum() == pytest.approx(lost, rel=1e-9)
    # hour 5 has fuel for 44.6 kWh: shedding the non-critical tier keeps the 40 kW critical
    # load served through it; from hour 6 on nothing is left
    assert 40.0 < 100.0 * (diesel_h - 2) < 100.0
    assert d["unserved_critical_kw"].sum() == pytest.approx(40.0 * (24 * days - 6), rel=1e-12)
    assert d["fuel_l"].sum() == pytest.approx(100.0, rel=1e-12)
    assert d["delivered_l"].sum() == 0.0
    assert (d["stock_l"] >= 0.0).all()
    assert d["stock_l"].iloc[-1] == 0.0
    assert res.kpis["stockout_hours"] == 24 * days - 5  # the partial hour and every one after
    assert res.kpis["stockout_events"] == 1
    assert res.kpis["critical_lost_hours"] == 24 * days - 6
    assert any("stock-out" in e for e in res.events)


# --------------------------------------------------------------------------------------------
# Invariants on an optimised design
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("controller", ["load_following", "cycle_charging", "forecast"])
def test_balance_limits_and_rules_every_step(designed: Any, controller: str) -> None:
    result, sc, inputs = designed
    res = simulate(result, sc, inputs=inputs, controller=controller)
    d = res.dispatch
    assert np.abs(_balance(d)).max() < 1e-7
    kwh, kw = result.sizes["battery_kwh"], result.sizes["battery_kw"]
    soc = d["battery_soc_kwh"].to_numpy()
    assert kwh > 0
    assert (soc <= kwh + 1e-7).all()
    assert (soc >= 0.2 * kwh - 1e-7).all()
    assert (d["battery_charge_kw"] <= kw + 1e-7).all()
    assert (d["battery_discharge_kw"] <= kw + 1e-7).all()
    assert not ((d["battery_charge_kw"] > 1e-9) & (d["battery_discharge_kw"] > 1e-9)).any()
    online, power = d["diesel_g200_online"].to_numpy(), d["diesel_g200_kw"].to_numpy()
    assert (power <= 200.0 * online + 1e-7).all()
    assert (power >= 60.0 * online - 1e-7).all()
    assert (d["pv_kw"] <= d["pv_available_kw"] + 1e-7).all()
    assert (d["reserve_available_kw"] >= d["reserve_required_kw"] - 1e-7).all()
    fuel = 1.0 * (F0 * 200.0 * online + F1 * power)
    np.testing.assert_allclose(d["fuel_l"].to_numpy(), fuel, rtol=1e-12)
    # zero up to float noise (Gao's published-normals year leaves ~1e-12 kWh on a tight step)
    assert res.kpis["unserved_kwh_per_year"] == pytest.approx(0.0, abs=1e-6)
    assert set(res.kpis.index) >= {
        "fuel_l_per_year", "trucks_per_year", "convoys_per_year", "unserved_kwh_per_year",
        "critical_unserved_kwh_per_year", "unserved_fraction", "renewable_fraction",
        "diesel_hours_per_year", "stockout_hours", "critical_lost_hours", "min_stock_l"}
    assert math.isnan(res.kpis["min_stock_l"])


def test_cycle_charging_runs_sets_at_full_output_until_the_setpoint(designed: Any) -> None:
    result, sc, inputs = designed
    d = simulate(result, sc, inputs=inputs, controller="cycle_charging",
                 setpoint_soc=1.0).dispatch
    kwh, kw = result.sizes["battery_kwh"], result.sizes["battery_kw"]
    running = d["diesel_g200_online"] > 0
    # a running set either fills the battery (full output or the charger's limit), or the
    # battery is already at the setpoint
    full = d["diesel_g200_kw"] >= 200.0 * d["diesel_g200_online"] - 1e-6
    charging_max = d["battery_charge_kw"] >= kw - 1e-6
    at_setpoint = d["battery_soc_kwh"].shift(1, fill_value=kwh) >= kwh - 1e-6
    filled = d["battery_soc_kwh"] >= kwh - 1e-6
    assert (~running | full | charging_max | at_setpoint | filled).all()
    # cycle charging charges the battery from diesel beyond what the load takes
    assert (d["diesel_kw"] - d["diesel_excess_kw"] > d["load_kw"] - d["pv_kw"] + 1e-6).any()


def test_without_a_battery_the_three_controllers_agree() -> None:
    sc = eo.load_scenario(_camp())
    inputs = eo.build_inputs(sc)
    design = {"pv_kwp": 250.0, "diesel_g200_count": 3}
    runs = [simulate(design, sc, inputs=inputs, controller=c).dispatch
            for c in ("load_following", "cycle_charging", "forecast")]
    pd.testing.assert_frame_equal(runs[0], runs[1])
    pd.testing.assert_frame_equal(runs[0], runs[2])


def test_more_pv_never_burns_more_without_a_battery() -> None:
    sc = eo.load_scenario(_camp())
    inputs = eo.build_inputs(sc)
    fuel = [simulate({"pv_kwp": k, "diesel_g200_count": 3}, sc, inputs=inputs)
            .kpis["fuel_l_per_year"] for k in (0.0, 100.0, 200.0, 400.0, 800.0)]
    assert all(b <= a + 1e-9 for a, b in zip(fuel, fuel[1:], strict=False))
    assert fuel[-1] < fuel[0]


def test_forecast_is_seeded_and_a_perfect_forecast_is_deterministic(designed: Any) -> None:
    result, sc, inputs = designed
    a = simulate(result, sc, inputs=inputs, controller="forecast", seed=3)
    b = simulate(result, sc, inputs=inputs, controller="forecast", seed=3)
    pd.testing.assert_frame_equal(a.dispatch, b.dispatch)
    c = simulate(result, sc, inputs=inputs, controller="forecast", seed=3, forecast_error=0.0)
    e = simulate(result, sc, inputs=inputs, controller="forecast", seed=4, forecast_error=0.0)
    pd.testing.assert_frame_equal(c.dispatch, e.dispatch)


# --------------------------------------------------------------------------------------------
# Outages
# --------------------------------------------------------------------------------------------
def test_sets_out_shed_exactly_what_the_rest_cannot_carry() -> None:
    sc = eo.load_scenario(_camp())
    inputs = eo.build_inputs(sc)
    design = {"diesel_g200_count": 3}
    base = simulate(design, sc, inputs=inputs)
    n = inputs.n_steps
    one_out = np.zeros(n, dtype=int)
    one_out[24:48] = 1  # a spare: two sets still carry 250 kW with reserve
    spare = simulate(design, sc, inputs=inputs,
                     outages=Outages(diesel_units_out={"g200": one_out}))
    pd.testing.assert_frame_equal(spare.dispatch, base.dispatch)
    two_out = one_out * 2  # one set left for day 2: 200 kW of 250
    cut = simulate(design, sc, inputs=inputs,
                   outages=Outages(diesel_units_out={"g200": two_out}))
    d = cut.dispatch
    np.testing.assert_allclose(d["unserved_kw"].to_numpy()[24:48], 50.0)
    assert d["unserved_kw"].to_numpy()[:24].max() == 0.0
    assert d["unserved_critical_kw"].sum() == 0.0  # 50 kW of 200 kW non-critical
    assert cut.kpis["reserve_short_hours"] == 24
    assert cut.kpis["fuel_l_per_year"] < base.kpis["fuel_l_per_year"]


def test_battery_or_pv_wholly_out_is_the_design_without_them(designed: Any) -> None:
    result, sc, inputs = designed
    n = inputs.n_steps
    no_bat = simulate(result, sc, inputs=inputs,
                      outages=Outages(battery_fraction_out=np.ones(n)))
    sizes = result.sizes.to_dict()
    # the same plan (so the same starting state of charge) with other sizes
    plain = simulate(dataclasses.replace(result, sizes=pd.Series(
        {**sizes, "battery_kwh": 0.0, "battery_kw": 0.0})), sc, inputs=inputs)
    cols = ["fuel_l", "diesel_kw", "pv_kw", "unserved_kw"]
    pd.testing.assert_frame_equal(no_bat.dispatch[cols], plain.dispatch[cols])
    assert no_bat.kpis["battery_lost_kwh"] > 0.0
    no_pv = simulate(result, sc, inputs=inputs, outages=Outages(pv_fraction_out=np.ones(n)))
    dark = simulate(dataclasses.replace(result, sizes=pd.Series({**sizes, "pv_kwp": 0.0})), sc,
                    inputs=inputs)
    pd.testing.assert_frame_equal(no_pv.dispatch[cols], dark.dispatch[cols])


def test_draw_outages_is_seeded_and_hits_its_availability(designed: Any) -> None:
    result, sc, inputs = designed
    gao = eo.load_scenario("examples/gao.yaml")
    gao_inputs = eo.build_inputs(gao.with_overrides({"horizon.days": 60}))
    design = {"pv_kwp": 2800.0, "battery_kwh": 6000.0, "battery_kw": 900.0,
              "diesel_g400_count": 4, "fuel_tank_l": 150000.0}
    a = draw_outages(gao, design, gao_inputs, np.random.default_rng(7), blockade_days=14)
    b = draw_outages(gao, design, gao_inputs, np.random.default_rng(7), blockade_days=14)
    assert a.diesel_units_out is not None
    assert b.diesel_units_out is not None
    np.testing.assert_array_equal(a.diesel_units_out["g400"], b.diesel_units_out["g400"])
    np.testing.assert_array_equal(a.battery_fraction_out, b.battery_fraction_out)
    np.testing.assert_array_equal(a.pv_fraction_out, b.pv_fraction_out)
    assert a.convoys_cancelled == b.convoys_cancelled
    assert a.blockade == b.blockade
    assert a.blockade is not None
    assert (a.blockade[1] - a.blockade[0]).days == 13
    assert a.diesel_units_out["g400"].max() <= 4
    # six equal blocks of 1,000 kWh: shares of sixths
    frac = np.asarray(a.battery_fraction_out) * 6
    np.testing.assert_allclose(frac, np.round(frac))
    quiet = draw_outages(gao, design, gao_inputs, np.random.default_rng(7), failures=False)
    assert quiet.diesel_units_out is None
    assert not quiet.convoys_cancelled
    # a two-state chain spends MTTR / (MTBF + MTTR) of its time down
    mid = np.arange(5000) + 0.5
    down = markov_outages(400, mid, 100.0, 25.0, np.random.default_rng(1)) / 400
    assert down.mean() == pytest.approx(0.2, abs=0.02)
    # the failures of the optimised design run through the simulator
    out = draw_outages(sc, result, inputs, np.random.default_rng(0))
    res = simulate(result, sc, inputs=inputs, outages=out)
    assert np.abs(_balance(res.dispatch)).max() < 1e-7


def test_cancelled_convoy_and_order_up_to() -> None:
    sc = eo.load_scenario(_camp(
        horizon={"days": 14, "start": "2025-03-30"}, load={"constant_kw": 100},
        reliability={"reserve_load_fraction": 0.0, "reserve_pv_fraction": 0.0},
        fuel={"truck_capacity_l": 5000, "trucks_per_convoy": 3, "loss_fraction": 0.1,
              "inventory": {"existing_tank_l": 9000, "max_tank_l": 9000,
                            "convoy_schedule": "weekly", "safety_stock_days": 0}}))
    design = {"diesel_g200_count": 1, "fuel_tank_l": 9000.0}
    res = simulate(design, sc)
    f = res.fuel_daily
    assert f is not None
    arrivals = f[f["delivered_l"] > 0]
    per_hour = F0 * RATED + F1 * 100.0
    # the tank starts full; day 7 refills 7 days of burn in whole trucks of 4,500 L
    assert list(arrivals.index) == [dt.date(2025, 4, 6)]
    assert arrivals["delivered_l"].iloc[0] == pytest.approx(7 * 24 * per_hour, rel=1e-12)
    assert arrivals["trucks"].iloc[0] == math.ceil(7 * 24 * per_hour / 4500.0)
    assert arrivals["convoys"].iloc[0] == 1
    assert (res.dispatch["stock_l"] >= 0).all()
    assert (res.dispatch["stock_l"] <= 9000).all()
    cancelled = simulate(design, sc,
                         outages=Outages(convoys_cancelled=frozenset({dt.date(2025, 4, 6)})))
    assert cancelled.dispatch["delivered_l"].sum() == 0.0
    assert cancelled.kpis["stockout_hours"] > 0
    assert res.kpis["stockout_hours"] == 0
    assert cancelled.fuel_daily is not None
    assert bool(cancelled.fuel_daily["arrival_blocked"].loc[dt.date(2025, 4, 6)])


def test_planned_resupply_follows_the_plan() -> None:
    sc = eo.load_scenario(_camp(
        horizon={"days": 6, "start": "2025-03-30"}, load={"constant_kw": 150},
        solver={"mip_rel_gap": 0.02},
        fuel={"truck_capacity_l": 2000, "trucks_per_convoy": 2,
              "inventory": {"existing_tank_l": 3000, "max_tank_l": 3000,
                            "convoy_schedule": "free", "safety_stock_days": 0}}))
    result = eo.optimize(sc, baseline=False)
    assert result.fuel_daily is not None
    res = simulate(result, sc, resupply="planned")
    assert res.fuel_daily is not None
    # the same load and fleet without PV: the plan's burn, the plan's deliveries
    np.testing.assert_allclose(res.fuel_daily["delivered_l"], result.fuel_daily["delivered_l"],
                               atol=1e-6)
    assert res.kpis["trucks_per_year"] == pytest.approx(result.kpis["trucks_per_year"])
    with pytest.raises(ValueError, match="planned"):
        simulate({"diesel_g200_count": 3}, sc, resupply="planned")


# --------------------------------------------------------------------------------------------
# Tiers, data and errors
# --------------------------------------------------------------------------------------------
def test_tiers_shed_comfort_cooling_first() -> None:
    sc = eo.load_scenario(_camp(load={"archetype": "battalion_hq", "personnel": 300,
                                      "critical_fraction": 0.15}))
    inputs = eo.build_inputs(sc)
    tiers = load_tiers(sc, inputs)
    np.testing.assert_allclose(tiers.sum(axis=1), inputs.load_kw, rtol=1e-12)
    assert (tiers >= 0).all().all()
    assert tiers["cooling_kw"].mean() > 0
    np.testing.assert_allclose(tiers["critical_kw"], inputs.critical_load_kw)
    flat = eo.load_scenario(_camp())
    assert load_tiers(flat, eo.build_inputs(flat))["cooling_kw"].max() == 0.0
    n = inputs.n_steps
    res = simulate({"diesel_g200_count": 3}, sc, inputs=inputs,
                   outages=Outages(diesel_units_out={"g200": np.full(n, 3)}))
    d = res.dispatch
    np.testing.assert_allclose(d["unserved_kw"], d["load_kw"])
    np.testing.assert_allclose(d["unserved_cooling_kw"], tiers["cooling_kw"])
    np.testing.assert_allclose(d["unserved_critical_kw"], tiers["critical_kw"], atol=1e-9)


def test_reliability_failure_table_has_provenance() -> None:
    table = data.reliability_failures()
    assert {"diesel.mtbf_h", "diesel.mttr_h", "battery.availability", "pv.availability"} <= set(
        table.index)
    for level in data.THREAT_LEVELS:
        assert 0.0 <= data.reliability_failure(f"convoy.cancel_probability.{level}") <= 1.0
    assert table["grade"].isin(list(data.GRADES)).all()
    assert (table["source"].str.len() > 0).all()
    with pytest.raises(KeyError, match="diesel.mtbf_h"):
        data.reliability_failure("diesel.mtbf")


def test_bad_arguments_are_refused() -> None:
    sc = eo.load_scenario(_camp())
    with pytest.raises(ValueError, match="controller"):
        simulate({}, sc, controller="greedy")
    with pytest.raises(ValueError, match="resupply"):
        simulate({}, sc, resupply="hope")
    with pytest.raises(ValueError, match="g999"):
        simulate({"diesel_g999_count": 1}, sc)
    with pytest.raises(ValueError, match="one value per step"):
        simulate({}, sc, outages=Outages(pv_fraction_out=np.zeros(3)))
