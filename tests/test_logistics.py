"""Daily fuel inventory, convoys, closed roads, autonomy, risk and the Pareto front.

Hand expectations: the test camp burns a known, constant amount of fuel (one 200 kW unit
serving 100 kW: 0.08 x 200 + 0.25 x 100 = 41 L/h, 984 L/day), so tank sizes, deliveries and
stock levels follow in closed form. Numbers are never copied from a run.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import energyopt as eo
from energyopt.model import build_model, model_params
from energyopt.model.params import window_params
from energyopt.results import autonomy_days

BURN_L_PER_DAY = 24.0 * (0.08 * 200.0 + 0.25 * 100.0)  # 984 L/day


def _camp(days: int = 14, step_minutes: int = 60, **inventory: Any) -> dict[str, Any]:
    """Diesel-only camp of constant burn with a daily inventory; convoys free of cost."""
    inv: dict[str, Any] = {"tank_capex_usd_per_l": 10.0, "safety_stock_days": 0.0,
                           "max_tank_l": 1e6}
    inv.update(inventory)
    return {
        "name": "logistics camp",
        "site": "gao",
        "horizon": {"days": days, "step_minutes": step_minutes, "years": 3,
                    "discount_rate": 0.1},
        "load": {"constant_kw": 100.0},
        "solar": {"max_kwp": 0.0},
        "battery": {"max_kwh": 0.0},
        "diesel": {"units": [{
            "name": "g", "rated_kw": 200.0, "existing": 1, "max_count": 1,
            "capex_usd": 100_000.0, "fuel_intercept_l_per_h_per_kw": 0.08,
            "fuel_slope_l_per_kwh": 0.25, "min_load_fraction": 0.3}]},
        "fuel": {"price_usd_per_l": 1.0, "route_km": 500.0, "escort_usd_per_convoy": 0.0,
                 "truck_capacity_l": 30_000.0, "trucks_per_convoy": 10.0,
                 "casualties_per_convoy": 0.0, "value_per_casualty_usd": 0.0,
                 "inventory": inv},
        "reliability": {"reserve_load_fraction": 0.0, "reserve_pv_fraction": 0.0,
                        "max_unserved_fraction": 0.0},
        "solver": {"mip_rel_gap": 1e-6, "time_limit_s": 60},
    }


def _with(raw: dict[str, Any], **fuel: Any) -> dict[str, Any]:
    out = copy.deepcopy(raw)
    out["fuel"].update(fuel)
    return out


def _solve(raw: dict[str, Any]) -> eo.SizingResult:
    return eo.optimize(eo.load_scenario(raw), baseline=False)


@pytest.mark.parametrize(("safety_days", "step_minutes"), [(0.0, 60), (2.0, 60), (3.0, 180)])
def test_weekly_convoy_needs_seven_days_plus_safety_stock(safety_days: float,
                                                          step_minutes: int) -> None:
    result = _solve(_camp(convoy_schedule="weekly", safety_stock_days=safety_days,
                          step_minutes=step_minutes))
    # storage is dear and convoys free: a convoy every week, the tank holds the week's burn
    # just after the arrival and the safety stock is left at the week's end
    need = (7.0 + safety_days) * BURN_L_PER_DAY
    assert result.sizes["fuel_tank_l"] == pytest.approx(need, rel=1e-6)
    daily = result.fuel_daily
    assert daily is not None
    assert daily["stock_l"].min() == pytest.approx(safety_days * BURN_L_PER_DAY, abs=1e-3)
    # arrivals only on the weekly days, in whole trucks
    arrivals = daily.index[daily["trucks"] > 0]
    assert all((d - daily.index[0]).days % 7 == 0 for d in arrivals)
    np.testing.assert_allclose(daily["trucks"], np.round(daily["trucks"]), atol=1e-9)
    # a 14-day cyclic period delivers what it burns
    assert daily["delivered_l"].sum() == pytest.approx(14 * BURN_L_PER_DAY, rel=1e-9)
    assert "fuel_inventory" in result.checks


def test_fuel_delivered_equals_fuel_burned_plus_losses() -> None:
    raw = _with(_camp(days=7), loss_fraction=0.1, truck_capacity_l=5000.0)
    result = _solve(raw)
    k, daily = result.kpis, result.fuel_daily
    assert daily is not None
    fuel = 7 * BURN_L_PER_DAY * 365.0 / 7.0
    assert k["fuel_l_per_year"] == pytest.approx(fuel, rel=1e-9)
    assert k["fuel_bought_l_per_year"] == pytest.approx(fuel / 0.9, rel=1e-9)
    w = daily["weight"].to_numpy()
    assert float((w * daily["delivered_l"]).sum()) == pytest.approx(fuel, rel=1e-9)
    # each truck lands 4,500 L: at least the burn / 4,500 trucks, all whole
    assert daily["trucks"].sum() >= 7 * BURN_L_PER_DAY / 4500.0 - 1e-9
    np.testing.assert_allclose(daily["trucks"], np.round(daily["trucks"]), atol=1e-9)
    assert (daily["delivered_l"] <= 4500.0 * daily["trucks"] + 1e-6).all()


def test_tank_too_small_is_diagnosed_by_the_precheck() -> None:
    raw = _camp(convoy_schedule="weekly", safety_stock_days=2.0, max_tank_l=8000.0)
    with pytest.raises(eo.InfeasibleScenarioError, match="tank") as info:
        _solve(raw)
    assert any("tank" in r for r in info.value.requirements)
    # 9 days of burn would fit
    _solve(_camp(convoy_schedule="weekly", safety_stock_days=2.0,
                 max_tank_l=9 * BURN_L_PER_DAY + 1.0))


def test_tank_too_small_with_pv_allowed_is_diagnosed_by_the_precheck() -> None:
    raw = _camp(convoy_schedule="weekly", safety_stock_days=2.0, max_tank_l=6000.0)
    raw["solar"] = {"max_kwp": 1.0}  # PV allowed: the closed form bounds the burn net of it
    with pytest.raises(eo.InfeasibleScenarioError) as info:
        _solve(raw)
    assert any("tank" in r for r in info.value.requirements), info.value


def test_autonomy_target_is_met_and_reported() -> None:
    result = _solve(_camp(autonomy_days=5, safety_stock_days=0.0))
    # cheapest tank with free daily convoys: the stock at every day start covers 5 days of burn
    # and one day's delivery arrives on top: tank = 6 days of burn
    assert result.sizes["fuel_tank_l"] == pytest.approx(6 * BURN_L_PER_DAY, rel=1e-6)
    assert result.kpis["autonomy_days"] >= 5


def test_autonomy_days_counts_whole_days() -> None:
    burn = np.array([10.0, 10.0, 10.0, 10.0])
    got = autonomy_days(np.array([25.0, 10.0, 0.0, 40.0]), burn, cyclic=True)
    np.testing.assert_array_equal(got, [2, 1, 0, 4])
    assert autonomy_days(np.array([5.0]), np.zeros(1))[0] == 3650


def test_closed_road_forces_storage_when_storage_is_cheap() -> None:
    raw = _camp(days=30, step_minutes=180, tank_capex_usd_per_l=0.01,
                closed_roads=[{"start": "2025-01-06", "end": "2025-01-25",
                               "reason": "rainy season"}])
    raw["fuel"]["escort_usd_per_convoy"] = 1000.0
    result = _solve(raw)
    # 20 days closed: the arrival on Jan 5 must carry the camp to Jan 26
    assert result.sizes["fuel_tank_l"] >= 21 * BURN_L_PER_DAY * (1 - 1e-6)
    daily = result.fuel_daily
    assert daily is not None
    closed = (daily.index >= np.datetime64("2025-01-06")) & (
        daily.index <= np.datetime64("2025-01-25"))
    assert daily["trucks"].to_numpy()[closed].sum() == 0


@pytest.mark.slow
# the assertions below hold for any incumbent of the right kind; on a busy machine the solve
# may stop at its time limit, which is a warning, not a failure here
@pytest.mark.filterwarnings("ignore:HiGHS stopped at its limit:RuntimeWarning")
@pytest.mark.parametrize("cheap", ["storage", "solar"])
def test_sixty_day_closure_is_bridged_by_storage_or_by_pv_and_battery(cheap: str) -> None:
    raw = _camp(days=90, step_minutes=180,
                closed_roads=[{"start": "2025-01-11", "end": "2025-03-11"}])
    raw["solver"] = {"mip_rel_gap": 0.005, "time_limit_s": 120}
    raw["solar"] = {"max_kwp": 600.0, "capex_usd_per_kwp": 100.0 if cheap == "solar" else 1e4}
    raw["battery"] = {"max_kwh": 3000.0,
                      "capex_usd_per_kwh": 50.0 if cheap == "solar" else 5000.0}
    raw["fuel"]["inventory"]["tank_capex_usd_per_l"] = 0.01 if cheap == "storage" else 50.0
    result = _solve(raw)
    sixty_days_diesel = 60 * BURN_L_PER_DAY
    if cheap == "storage":
        assert result.sizes["pv_kwp"] == pytest.approx(0.0, abs=1e-6)
        assert result.sizes["fuel_tank_l"] >= sixty_days_diesel
    else:
        assert result.sizes["pv_kwp"] > 0.0
        assert result.sizes["fuel_tank_l"] < sixty_days_diesel


def _risky(value: float, bound: float | None = None) -> dict[str, Any]:
    raw = _camp(days=14, tank_capex_usd_per_l=2.0, max_tank_l=60_000.0)
    raw["fuel"].update(escort_usd_per_convoy=1.0, casualties_per_convoy=0.05,
                       value_per_casualty_usd=value, truck_capacity_l=2000.0,
                       trucks_per_convoy=5.0, max_expected_casualties_per_year=bound)
    return raw


def test_higher_value_per_casualty_never_increases_convoys() -> None:
    convoys = [_solve(_risky(v)).kpis["convoys_per_year"] for v in (0.0, 2e5, 5e6)]
    assert convoys[0] >= convoys[1] - 1e-9 >= convoys[2] - 2e-9
    assert convoys[0] > convoys[2]


def test_tighter_casualty_bound_never_lowers_cost() -> None:
    free = _solve(_risky(0.0))
    top = free.kpis["expected_casualties_per_year"]
    costs = [free.kpis["npc_usd"]]
    for share in (0.7, 0.4):
        r = _solve(_risky(0.0, bound=share * top))
        assert r.kpis["expected_casualties_per_year"] <= share * top * (1 + 1e-6)
        costs.append(r.kpis["npc_usd"])
    assert costs[0] <= costs[1] * (1 + 1e-9) <= costs[2] * (1 + 1e-9)
    assert costs[2] > costs[0]


def test_pareto_front_is_monotone() -> None:
    front = eo.pareto(eo.load_scenario(_risky(0.0)), "expected_casualties_per_year", points=4)
    assert list(front["point"]) == [0, 1, 2, 3]
    assert (front["status"] == "converged").all()
    cas = front["expected_casualties_per_year"].to_numpy()
    cost = front["npc_usd"].to_numpy()
    bound = front["bound"].to_numpy()
    assert (cas[1:] <= bound[1:] * (1 + 1e-6) + 1e-9).all()
    assert (np.diff(cost) >= -1e-6 * cost[:-1]).all()
    assert cas[-1] < cas[0]
    # the least-risk end: no design with fewer whole convoys fits the tank of 60,000 L
    # (14 days x 984 L = 13,776 L need 2 trucks of 2,000 L a day at most 5 per convoy)
    assert front["convoys_per_year"].iloc[-1] <= front["convoys_per_year"].iloc[0]


def test_threat_level_fills_defaults_and_given_values_win() -> None:
    raw = _camp()
    del raw["fuel"]["casualties_per_convoy"]
    raw["fuel"]["threat_level"] = "high"
    s = eo.load_scenario(raw)
    assert s.fuel.casualties_per_convoy == pytest.approx(0.042)
    assert s.fuel.loss_fraction == pytest.approx(0.02)
    # a new threat level fills the preset fields afresh; a given value stays
    extreme = s.with_overrides({"fuel.threat_level": "extreme"})
    assert extreme.fuel.casualties_per_convoy == pytest.approx(0.25)
    raw["fuel"]["casualties_per_convoy"] = 0.1
    given = eo.load_scenario(raw)
    assert given.fuel.casualties_per_convoy == pytest.approx(0.1)
    assert given.with_overrides({"fuel.threat_level": "low"}).fuel.casualties_per_convoy == (
        pytest.approx(0.1))


@pytest.mark.parametrize(("change", "field"), [
    ({"closed_roads": [{"start": "2025-03-10", "end": "2025-03-01"}]},
     "fuel.inventory.closed_roads.0"),
    ({"convoy_schedule": "weekly", "convoy_offset_days": 9}, "fuel.inventory"),
    ({"convoy_schedule": "daily"}, "fuel.inventory.convoy_schedule"),
    ({"autonomy_days": -1}, "fuel.inventory.autonomy_days"),
    ({"tank_l": 5000}, "fuel.inventory.tank_l"),
    ({"max_tank_l": 10.0, "existing_tank_l": 20.0}, "fuel.inventory"),
])
def test_malformed_logistics_input_names_the_field(change: dict[str, Any], field: str) -> None:
    raw = _camp()
    raw["fuel"]["inventory"].update(change)
    with pytest.raises(eo.ScenarioError) as info:
        eo.load_scenario(raw)
    assert any(p.field == field for p in info.value.problems), info.value


def test_closed_road_outside_the_period_warns_and_is_ignored() -> None:
    raw = _camp(closed_roads=[{"start": "2026-07-01", "end": "2026-08-01"}])
    with pytest.warns(UserWarning, match=r"closed_roads\.0 .* is ignored"):
        p = model_params(eo.load_scenario(raw), eo.build_inputs(eo.load_scenario(raw)))
    open_road = eo.load_scenario(_camp())
    q = model_params(open_road, eo.build_inputs(open_road))
    assert p.logistics is not None
    assert q.logistics is not None
    np.testing.assert_array_equal(p.logistics.arrival_open, q.logistics.arrival_open)


def test_unknown_threat_level_is_a_scenario_error() -> None:
    raw = _camp()
    raw["fuel"]["threat_level"] = "severe"
    with pytest.raises(eo.ScenarioError, match="threat_level"):
        eo.load_scenario(raw)


def test_window_params_price_fuel_per_litre_and_keep_annual_convoy_limits() -> None:
    # a dispatch window has no daily inventory: fuel is priced per litre, and an annual convoy
    # limit is not scaled into it (whole convoys cannot meet a window's share)
    raw = _camp(days=3, autonomy_days=2)
    raw["fuel"]["max_convoys_per_year"] = 40.0
    s = eo.load_scenario(raw)
    p = model_params(s, eo.build_inputs(s))
    wp = window_params(p, 24, 48, initial_soc_kwh=None, final_soc_min_kwh=None)
    assert p.logistics is not None
    assert wp.logistics is None
    assert wp.n_steps == 24
    assert wp.max_convoys_per_year is None
    assert build_model(wp).component("logistics") is None


def test_staged_route_keeps_whole_deliveries() -> None:
    raw = _camp(days=7, convoy_schedule="free")
    raw["solver"] = {"strategy": "staged", "mip_rel_gap": 1e-4, "time_limit_s": 60}
    result = _solve(raw)
    daily = result.fuel_daily
    assert daily is not None
    np.testing.assert_allclose(daily["trucks"], np.round(daily["trucks"]), atol=1e-9)
    assert "fuel_inventory" in result.checks
    # a day's delivery lands before its burn: the cheapest tank holds one day
    assert result.sizes["fuel_tank_l"] == pytest.approx(BURN_L_PER_DAY, rel=1e-6)


def test_cli_pareto_prints_the_table_and_writes_csv(tmp_path: Any) -> None:
    import pandas as pd
    import yaml
    from typer.testing import CliRunner

    from energyopt import cli

    path = tmp_path / "risky.yaml"
    path.write_text(yaml.safe_dump(_risky(0.0)), encoding="utf-8")
    done = CliRunner().invoke(cli.app, ["pareto", str(path), "--points", "3", "--out",
                                        str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    assert "convoys/yr" in done.output
    front = pd.read_csv(tmp_path / "out" / "pareto.csv")
    assert len(front) == 3
    assert front["npc_usd"].is_monotonic_increasing
    run = CliRunner().invoke(cli.app, ["run", str(path), "--out", str(tmp_path / "run"),
                                       "--report", str(tmp_path / "r.html"),
                                       "--front", str(tmp_path / "out" / "pareto.csv")])
    assert run.exit_code == 0, run.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<section id="pareto">' in html
    assert "without the value put on casualties" in html
    for label in ("convoys/yr", "truck-km/yr", "expected casualties/yr", "autonomy (days)",
                  "fuel, busiest month (t)", "fully burdened fuel (USD/L)", "fuel storage"):
        assert label in run.output
    assert (tmp_path / "run" / "fuel_daily.csv").is_file()


def test_no_arrival_day_is_diagnosed() -> None:
    raw = _camp(days=7, closed_roads=[{"start": "2025-01-01", "end": "2025-01-07"}])
    with pytest.raises(eo.InfeasibleScenarioError, match="no convoy can arrive"):
        _solve(raw)


def test_front_of_one_point_when_least_cost_is_least_risk() -> None:
    raw = _camp(days=7)  # convoys free of cost and risk: one design
    raw["fuel"]["casualties_per_convoy"] = 0.01
    raw["fuel"]["value_per_casualty_usd"] = 1e9  # risk dominates: least cost = least risk
    front = eo.pareto(eo.load_scenario(raw), "convoys_per_year", points=5, value_risk=True)
    assert len(front) == 1


def test_front_cost_leaves_the_value_of_casualties_out_by_default() -> None:
    # the same scenario valued at 5 M USD per casualty: in the cost, that value makes the
    # least-cost design nearly the least-risk one; the default front prices risk on its own
    raw = _risky(5e6)
    front = eo.pareto(eo.load_scenario(raw), "expected_casualties_per_year", points=3)
    unvalued = _solve(_risky(0.0))
    # its least-cost end is the optimum with casualties valued at nothing
    assert front["npc_usd"].iloc[0] == pytest.approx(unvalued.kpis["npc_usd"], rel=1e-6)
    assert front["expected_casualties_per_year"].iloc[0] == pytest.approx(
        unvalued.kpis["expected_casualties_per_year"], rel=1e-6)
    # each casualty avoided costs what the two designs differ by (a present value over the
    # horizon) per casualty avoided over the same horizon, discounted alike: casualties a year
    # times the annuity of the horizon (no load growth here)
    h = eo.load_scenario(raw).horizon
    casualty_years = sum((1 + h.discount_rate) ** -y for y in range(1, h.years + 1))
    assert front.attrs["casualty_annuity"] == pytest.approx(casualty_years, rel=1e-12)
    cas = front["expected_casualties_per_year"].to_numpy()
    cost = front["npc_usd"].to_numpy()
    price = front["usd_per_casualty_avoided"].to_numpy()
    checked = 0
    for k in range(1, len(front)):
        if cas[k - 1] - cas[k] > 1e-12:
            assert price[k] == pytest.approx(
                (cost[k] - cost[k - 1]) / ((cas[k - 1] - cas[k]) * casualty_years))
            assert price[k] >= 0.0
            checked += 1
    assert checked >= 1


def test_a_looser_point_never_keeps_a_dearer_design() -> None:
    from energyopt.pareto import _repair_dominated

    rows = [{"point": 0, "bound": np.nan, "status": "feasible", "npc_usd": 10.0, "pv_kwp": 1.0},
            {"point": 1, "bound": 2.0, "status": "optimal", "npc_usd": 8.0, "pv_kwp": 2.0},
            {"point": 2, "bound": 1.0, "status": "optimal", "npc_usd": 9.0, "pv_kwp": 3.0}]
    _repair_dominated(rows)
    assert [r["npc_usd"] for r in rows] == [8.0, 8.0, 9.0]
    assert rows[0]["pv_kwp"] == 2.0
    assert rows[0]["point"] == 0
    assert np.isnan(rows[0]["bound"])
    assert "design of point 1" in rows[0]["status"]


def test_a_solution_with_fractional_deliveries_is_not_a_design() -> None:
    # relaxations leave deliveries fractional: a solution is a design only if its trucks and
    # convoys are whole as well
    from energyopt.engine import Problem
    from energyopt.solve import SolverSettings

    s = eo.load_scenario(_camp(days=3))
    problem = Problem(model_params(s, eo.build_inputs(s)), "test", SolverSettings())
    whole = problem.session()
    assert whole.run(30).has_solution
    assert whole.x is not None
    design = problem.design(whole.x, "MILP")
    assert design is not None
    assert design.objective == pytest.approx(problem.mm.objective(whole.x), rel=1e-9)
    x = whole.x.copy()
    x[problem.delivery_cols[0]] += 0.5
    assert problem.design(x, "half a truck") is None


def test_convoy_split_bound_reaches_the_whole_convoy_optimum() -> None:
    # a dear escort: the LP buys 14 x 984 / (10 x 30,000) = 0.046 of a convoy for the 14-day
    # period; whole convoys take one, bringing the period's burn at once, so the tank holds it
    # all (one more convoy costs far more than the storage it saves)
    raw = _camp(days=14, convoy_schedule="free")
    raw["fuel"]["escort_usd_per_convoy"] = 200_000.0
    raw["solver"] = {"strategy": "staged", "mip_rel_gap": 1e-6, "time_limit_s": 60}
    result = _solve(raw)
    info = result.solve_info
    assert result.kpis["convoys_per_year"] * 14 / 365 == pytest.approx(1.0)
    assert result.sizes["fuel_tank_l"] == pytest.approx(14 * BURN_L_PER_DAY, rel=1e-6)
    # the piece 'at least one convoy' with its tank cut is the whole-convoy optimum itself;
    # the LP alone priced 0.046 of an escort and a one-day tank
    mono = copy.deepcopy(raw)
    mono["solver"] = {"strategy": "monolithic", "mip_rel_gap": 1e-9, "time_limit_s": 60}
    exact = _solve(mono).solve_info.objective
    assert exact == pytest.approx(info.objective, rel=1e-6)
    assert info.bound >= exact * (1.0 - 1e-6)
    assert info.mip_gap <= 1e-6
    assert "convoys >= 1" in info.notes
    assert "convoys = 0: infeasible" in info.notes


def test_an_lp_restarted_from_a_recorded_basis_matches_a_cold_solve() -> None:
    from energyopt.solve import Basis, SolverSettings, solve_model

    raw = _camp(days=7, convoy_schedule="free")
    p = model_params(eo.load_scenario(raw), eo.build_inputs(eo.load_scenario(raw)))
    settings = SolverSettings(time_limit_s=30.0)
    warm, cold = build_model(p), build_model(p)
    basis = Basis()
    solve_model(warm, settings, relax_integers=True, record=basis)
    assert basis  # recorded
    # more storage than the one-day tank it chose: a dearer LP from a changed bound
    for m in (warm, cold):
        m.logistics.tank_kl.setlb(2.5 * BURN_L_PER_DAY / 1000.0)
    restarted = solve_model(warm, settings, relax_integers=True, start=basis)
    fresh = solve_model(cold, settings, relax_integers=True)
    assert restarted.objective == pytest.approx(fresh.objective, rel=1e-9)
    assert warm.logistics.tank_l.expr() == pytest.approx(2.5 * BURN_L_PER_DAY, rel=1e-9)


def test_reported_trucks_are_the_fewest_that_carry_each_delivery() -> None:
    # trucks cost nothing here, so the solver may send any number up to the convoy's ten; the
    # result shows the fewest whole 30,000 L trucks for each day's delivery
    result = _solve(_camp(days=14, convoy_schedule="weekly", safety_stock_days=1.0))
    daily = result.fuel_daily
    assert daily is not None
    need = np.ceil(daily["delivered_l"].to_numpy() / 30_000.0 - 1e-6)
    np.testing.assert_array_equal(daily["trucks"].to_numpy(), need)
    assert result.kpis["trucks_per_year"] == pytest.approx(need.sum() * 365 / 14)


def test_a_convoy_piece_without_whole_unit_designs_hands_over_to_the_next() -> None:
    # relaxed, the set idles half-online and burns 8 + 25 = 33 L/h: 11,088 L in 14 days, one
    # 12,000 L truck; whole, it burns 41 L/h (13,776 L), which one truck cannot bring, so the
    # piece 'one convoy' has no design and the search must end with two
    raw = _camp(days=14, convoy_schedule="free")
    raw["fuel"].update(truck_capacity_l=12_000.0, trucks_per_convoy=1.0,
                       escort_usd_per_convoy=100_000.0)
    raw["solver"] = {"strategy": "staged", "mip_rel_gap": 0.005, "time_limit_s": 60}
    result = _solve(raw)
    info = result.solve_info
    assert result.kpis["convoys_per_year"] * 14 / 365 == pytest.approx(2.0)
    assert result.kpis["fuel_l_per_year"] * 14 / 365 == pytest.approx(14 * BURN_L_PER_DAY)
    assert info.converged
    assert info.bound <= info.objective * (1 + 1e-9)
    mono = copy.deepcopy(raw)
    mono["solver"] = {"strategy": "monolithic", "mip_rel_gap": 1e-9, "time_limit_s": 60}
    assert info.objective == pytest.approx(_solve(mono).solve_info.objective, rel=1e-6)


def test_cli_front_must_be_a_pareto_csv(tmp_path: Any) -> None:
    import yaml
    from typer.testing import CliRunner

    from energyopt import cli

    path = tmp_path / "risky.yaml"
    path.write_text(yaml.safe_dump(_risky(0.0)), encoding="utf-8")
    bad = tmp_path / "front.csv"
    bad.write_text("npc_usd,convoys_per_year\n1,2\n", encoding="utf-8")
    done = CliRunner().invoke(cli.app, ["run", str(path), "--report", str(tmp_path / "r.html"),
                                        "--front", str(bad)])
    assert done.exit_code == 2
    assert "no column value_risk" in done.output
    alone = CliRunner().invoke(cli.app, ["run", str(path), "--front", str(bad)])
    assert alone.exit_code == 2
    assert "add --report" in alone.output


def test_pareto_reports_each_point_and_keeps_them_on_interrupt() -> None:
    seen: list[int] = []

    def on_point(front: Any) -> None:
        seen.append(len(front))
        if len(front) == 2:
            raise KeyboardInterrupt

    front = eo.pareto(eo.load_scenario(_risky(0.0)), "expected_casualties_per_year", points=4,
                      on_point=on_point)
    assert seen == [1, 2]
    assert front.attrs['interrupted']
    assert len(front) == 2
    assert front["npc_usd"].notna().all()


def test_pareto_front_keeps_its_time_budget() -> None:
    import time

    start = time.perf_counter()
    front = eo.pareto(eo.load_scenario(_risky(0.0)), "convoys_per_year", points=4,
                      time_limit_s=3.0)
    assert time.perf_counter() - start < 3.0 * 1.1 + 2.0  # plus building the inputs
    assert len(front) >= 1
    assert front['npc_usd'].notna().iloc[0]
