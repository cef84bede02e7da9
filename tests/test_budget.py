"""Capital budget (budget:), the capex front and the build-out (issue 16, item 3).

The micro camp: Gao, two days, a flat 100 kW load, one 150 kW set on site whose fuel has no
no-load term and whose running hours cost nothing, so the dispatch is a linear programme and
the optimum is exact (gap 1e-6). PV at 1,000 USD/kWp is then the only investment worth making
up to its optimum, so a binding budget B buys B / 1,000 kWp: a hand computation.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest

import energyopt as eo
from energyopt.errors import InfeasibleScenarioError, ScenarioError
from energyopt.studies.budget import build_out, capex_front, front_points, with_existing

PV_USD_PER_KWP = 1000.0


def micro(**sections: Any) -> dict[str, Any]:
    """Return the micro camp of the module notes (sections replace the defaults)."""
    base: dict[str, Any] = {
        "name": "micro", "site": "gao", "horizon": {"days": 2, "start": "2025-03-30"},
        "load": {"constant_kw": 100},
        "solar": {"max_kwp": 300, "capex_usd_per_kwp": PV_USD_PER_KWP},
        "battery": {"max_kwh": 0},
        "reliability": {"reserve_load_fraction": 0.0, "reserve_pv_fraction": 0.0},
        "solver": {"mip_rel_gap": 1e-6},
        "diesel": {"units": [{"name": "g150", "rated_kw": 150, "existing": 1, "max_count": 2,
                              "capex_usd": 60000, "min_load_fraction": 0.0,
                              "fuel_intercept_l_per_h_per_kw": 0.0,
                              "om_usd_per_run_hour_per_kw": 0.0, "lifetime_hours": 500000}]},
    }
    base.update(copy.deepcopy(sections))
    return base


def _with_budget(scenario: dict[str, Any], capex_usd: float) -> dict[str, Any]:
    return {**scenario, "budget": {"capex_usd": capex_usd}}


@pytest.fixture(scope="module")
def unconstrained() -> eo.SizingResult:
    return eo.optimize(micro(), baseline=False)


def test_budget_zero_keeps_the_existing_kit() -> None:
    """Budget 0: PV, battery, units and tank stay what exists, though more would pay."""
    kit = micro(
        solar={"max_kwp": 300, "existing_kwp": 20, "capex_usd_per_kwp": PV_USD_PER_KWP},
        battery={"max_kwh": 400, "existing_kwh": 50, "existing_kw": 25,
                 "capex_usd_per_kwh": 100},
        fuel={"truck_capacity_l": 5000, "trucks_per_convoy": 1,
              "inventory": {"existing_tank_l": 20000, "max_tank_l": 100000,
                            "safety_stock_days": 1, "tank_capex_usd_per_l": 0.2}})
    free = eo.optimize(kit, baseline=False)
    # without a budget the camp invests (so the test below can fail)
    assert free.sizes["pv_kwp"] > 20.0 + 1.0
    assert free.kpis["capex_usd"] > 1000.0
    zero = eo.optimize(_with_budget(kit, 0.0), baseline=False)
    s = zero.sizes
    assert s["pv_kwp"] == pytest.approx(20.0, abs=1e-6)
    assert s["battery_kwh"] == pytest.approx(50.0, abs=1e-6)
    assert s["battery_kw"] == pytest.approx(25.0, abs=1e-6)
    assert s["diesel_g150_count"] == 1.0
    assert s["diesel_g150_new_count"] == 0.0
    assert s["fuel_tank_l"] == pytest.approx(20000.0, abs=1e-3)
    assert zero.kpis["capex_usd"] == pytest.approx(0.0, abs=1e-3)
    assert "budget.capex_usd" in [w.field for w in zero.warnings]


def test_budget_buys_pv_at_its_price_and_npc_never_rises(
        unconstrained: eo.SizingResult) -> None:
    """Three budgets: capex at most the budget, PV = budget / price, NPC non-increasing."""
    top_kwp = float(unconstrained.sizes["pv_kwp"])
    top_capex = float(unconstrained.kpis["capex_usd"])
    assert top_capex == pytest.approx(PV_USD_PER_KWP * top_kwp, rel=1e-9)
    budgets = [0.0, 0.25 * top_capex, 0.6 * top_capex]
    npc = []
    for b in budgets:
        r = eo.optimize(_with_budget(micro(), b), baseline=False)
        assert r.kpis["capex_usd"] <= b * (1 + 1e-7) + 1e-3
        assert r.sizes["pv_kwp"] == pytest.approx(b / PV_USD_PER_KWP, rel=1e-6, abs=1e-6)
        npc.append(float(r.kpis["npc_usd"]))
    npc.append(float(unconstrained.kpis["npc_usd"]))
    assert all(b <= a * (1 + 1e-9) for a, b in zip(npc, npc[1:], strict=False))
    assert npc[0] > npc[-1] * 1.01  # the budget binds: capital lowers the cost


def test_binding_budget_is_flagged_and_a_loose_one_is_not(
        unconstrained: eo.SizingResult) -> None:
    tight = eo.optimize(_with_budget(micro(), 50000.0), baseline=False)
    caution = [w for w in tight.warnings if w.field == "budget.capex_usd"]
    assert len(caution) == 1
    assert "binding" in caution[0].message
    loose = eo.optimize(_with_budget(micro(), 10 * float(unconstrained.kpis["capex_usd"])),
                        baseline=False)
    assert "budget.capex_usd" not in [w.field for w in loose.warnings]
    assert loose.kpis["npc_usd"] == pytest.approx(unconstrained.kpis["npc_usd"], rel=1e-6)


def _short_fleet() -> dict[str, Any]:
    """300 kW on one 200 kW set: one more 200 kW set (90,000 USD) is needed."""
    return micro(load={"constant_kw": 300},
                 diesel={"units": [{"name": "g200", "rated_kw": 200, "existing": 1,
                                    "max_count": 3, "capex_usd": 90000,
                                    "min_load_fraction": 0.0}]})


def test_budget_below_the_new_capacity_needed_is_refused_before_the_solve() -> None:
    """100 kW short at 450 USD/kW (90,000 USD per 200 kW set): at least 45,000 USD."""
    with pytest.raises(InfeasibleScenarioError) as info:
        eo.optimize(_with_budget(_short_fleet(), 40000.0), baseline=False)
    assert info.value.requirements == ["capital budget"]
    assert "budget.capex_usd" in str(info.value)
    assert "45,000 USD" in str(info.value)


def test_budget_short_of_a_whole_unit_is_diagnosed() -> None:
    """60,000 USD passes the closed-form bound (45,000) but buys no whole 90,000 USD set."""
    with pytest.raises(InfeasibleScenarioError) as info:
        eo.optimize(_with_budget(_short_fleet(), 60000.0), baseline=False)
    assert "budget.capex_usd" in str(info.value)
    enough = eo.optimize(_with_budget(_short_fleet(), 90000.0), baseline=False)
    assert enough.sizes["diesel_g200_new_count"] == 1.0
    assert enough.kpis["capex_usd"] == pytest.approx(90000.0, abs=1e-3)


@pytest.mark.parametrize(("budget", "field"), [
    ({}, "budget"),
    ({"capex_usd": -1.0}, "budget.capex_usd"),
    ({"capex_usd_per_year": [1e5, -2.0]}, "budget.capex_usd_per_year.1"),
    ({"capex_usd_per_year": []}, "budget.capex_usd_per_year"),
    ({"capex_usd": 1e5, "capex_usd_yearly": [1]}, "budget.capex_usd_yearly"),
])
def test_bad_budget_names_the_field(budget: dict[str, Any], field: str) -> None:
    with pytest.raises(ScenarioError) as info:
        eo.load_scenario({**micro(), "budget": budget})
    assert field in [p.field for p in info.value.problems]


def test_yearly_budgets_alone_bound_a_run_by_year_one() -> None:
    r = eo.optimize({**micro(), "budget": {"capex_usd_per_year": [30000.0, 1e6]}},
                    baseline=False)
    assert r.kpis["capex_usd"] == pytest.approx(30000.0, rel=1e-6)


def test_capex_front_spans_zero_to_the_unconstrained_capital(
        unconstrained: eo.SizingResult) -> None:
    front = capex_front(micro(), points=4, workers=1)
    top = float(unconstrained.kpis["capex_usd"])
    assert list(front["budget_usd"]) == pytest.approx([0.0, top / 3, 2 * top / 3, top],
                                                      rel=1e-6, abs=1e-6)
    assert (front["capex_usd"] <= front["budget_usd"] * (1 + 1e-7) + 1e-3).all()
    assert front["capex_usd"].iloc[0] == pytest.approx(0.0, abs=1e-3)
    assert front["npc_usd"].iloc[-1] == pytest.approx(unconstrained.kpis["npc_usd"], rel=1e-9)
    convoys = front["convoys_per_year"].to_numpy()
    assert (np.diff(convoys) <= 1e-9).all()
    assert convoys[0] > convoys[-1] * 1.05  # PV avoids convoys
    assert (np.diff(front["npc_usd"].to_numpy()) <= 1e-6).all()
    assert {"pv_kwp", "diesel_g150_count", "status"} <= set(front.columns)


def test_capex_front_of_given_budgets_in_order() -> None:
    pts = front_points(micro(), budgets=[60000.0, 0.0], workers=1)
    assert [p.budget_usd for p in pts] == [0.0, 60000.0]
    assert pts[1].result is not None
    assert pts[1].result.sizes["pv_kwp"] == pytest.approx(60.0, rel=1e-6)
    with pytest.raises(ScenarioError) as info:
        front_points(micro(), budgets=[-5.0], workers=1)
    assert info.value.problems[0].field == "budgets"


def test_build_out_installs_each_years_budget_on_last_years_kit() -> None:
    """Budgets 40k, 0, 80k: PV 40 kWp, then nothing, then 80 kWp more (all below the optimum)."""
    plan = build_out(micro(), [40000.0, 0.0, 80000.0])
    assert list(plan["year"]) == [1, 2, 3]
    assert list(plan["new_pv_kwp"]) == pytest.approx([40.0, 0.0, 80.0], abs=1e-4)
    assert list(plan["pv_kwp"]) == pytest.approx([40.0, 40.0, 120.0], abs=1e-4)
    assert list(plan["capex_usd"]) == pytest.approx([40000.0, 0.0, 80000.0], abs=1e-2)
    assert plan["cumulative_capex_usd"].iloc[-1] == pytest.approx(120000.0, abs=1e-2)
    assert list(plan["years_left"]) == [15, 14, 13]
    assert (plan["new_diesel_g150_count"] == 0).all()
    convoys = plan["convoys_per_year"].to_numpy()
    # the same kit in year 2; PV's degradation averaged over 14 years instead of 15 gives a
    # hair more PV output
    assert convoys[1] <= convoys[0]
    assert convoys[1] == pytest.approx(convoys[0], rel=1e-3)
    assert convoys[2] < convoys[1] * 0.95


def test_build_out_reads_the_scenarios_yearly_budgets() -> None:
    plan = build_out({**micro(), "budget": {"capex_usd_per_year": [20000.0, 20000.0]}})
    assert list(plan["pv_kwp"]) == pytest.approx([20.0, 40.0], abs=1e-4)
    with pytest.raises(ScenarioError) as info:
        build_out(micro())
    assert info.value.problems[0].field == "budget.capex_usd_per_year"


def test_with_existing_turns_a_design_into_the_existing_kit() -> None:
    scenario = eo.load_scenario(micro(battery={"max_kwh": 100, "max_power_to_energy_per_h": 0.5},
                                      fuel={"inventory": {"existing_tank_l": 1000}}))
    out = with_existing(scenario, {"pv_kwp": 55.5, "battery_kwh": 40.0,
                                   "battery_kw": 20.0 + 1e-7, "diesel_g150_count": 2.0,
                                   "fuel_tank_l": 3000.0})
    assert out.solar.existing_kwp == 55.5
    assert out.battery.existing_kwh == 40.0
    assert out.battery.existing_kw == pytest.approx(20.0)  # clipped to the C-rate x kWh
    assert out.diesel.units[0].existing == 2
    assert out.fuel.inventory is not None
    assert math.isclose(out.fuel.inventory.existing_tank_l, 3000.0)
