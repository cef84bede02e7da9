"""Autonomy and safety stock measured against the diesel-only stress burn (issue 13, item 4).

Hand figures: the camp serves a constant 150 kW with two 200 kW sets and a 50 % spinning
reserve. With PV and battery unavailable the reserve keeps ceil(1.5 x 150 / 200) = 2 sets
online, which burn 0.08 L/(h kW) x 400 kW + 0.25 L/kWh x 150 kW = 69.5 L/h, 1,668 L a day:
that is the stress burn of every day. PV is allowed (no battery, which keeps the hourly
dispatch a quick solve), so the design itself burns less by day; storage is dear and convoys
free, so the tank is as small as the rows allow. Numbers are never copied from a run.
"""

from __future__ import annotations

import copy
import importlib
from typing import Any

import numpy as np
import pytest

import energyopt as eo
from energyopt.errors import InfeasibleScenarioError
from energyopt.model import model_params
from energyopt.scenario import InventorySpec

STRESS_L_PER_DAY = 24.0 * (0.08 * 400.0 + 0.25 * 150.0)  # 1,668 L/day
N_DAYS = 3
SAFETY_DAYS = 1.0


def _camp(**inventory: Any) -> dict[str, Any]:
    """Two weeks, weekly convoys, PV allowed, a daily inventory."""
    inv: dict[str, Any] = {"tank_capex_usd_per_l": 10.0, "max_tank_l": 1e6,
                           "convoy_schedule": "weekly", "autonomy_days": N_DAYS,
                           "safety_stock_days": SAFETY_DAYS}
    inv.update(inventory)
    return {
        "name": "stress camp",
        "site": "gao",
        "horizon": {"days": 14, "start": "2025-03-03", "years": 3, "discount_rate": 0.1},
        "load": {"constant_kw": 150.0},
        "solar": {"max_kwp": 600.0},
        "battery": {"max_kwh": 0.0},
        "diesel": {"units": [{
            "name": "g", "rated_kw": 200.0, "existing": 2, "max_count": 2,
            "capex_usd": 100_000.0, "fuel_intercept_l_per_h_per_kw": 0.08,
            "fuel_slope_l_per_kwh": 0.25, "min_load_fraction": 0.3}]},
        "fuel": {"price_usd_per_l": 1.5, "route_km": 500.0, "escort_usd_per_convoy": 0.0,
                 "truck_capacity_l": 30_000.0, "trucks_per_convoy": 10.0,
                 "casualties_per_convoy": 0.0, "value_per_casualty_usd": 0.0,
                 "inventory": inv},
        "reliability": {"reserve_load_fraction": 0.5, "reserve_pv_fraction": 0.0,
                        "max_unserved_fraction": 0.0},
        "solver": {"mip_rel_gap": 1e-4, "time_limit_s": 30},
    }


def _solve(raw: dict[str, Any]) -> eo.SizingResult:
    return eo.optimize(eo.load_scenario(raw), baseline=False)


def _opening_stock(result: eo.SizingResult) -> np.ndarray:
    daily = result.fuel_daily
    assert daily is not None
    return np.roll(daily["stock_l"].to_numpy(), 1)  # cyclic: day 0 opens with the last close


def _next_days(burn: np.ndarray, n: int) -> np.ndarray:
    """Burn of days d .. d+n-1 for each day d, wrapping around the cyclic period."""
    return np.array([sum(burn[(d + j) % burn.size] for j in range(n))
                     for d in range(burn.size)])


@pytest.fixture(scope="module")
def stress() -> eo.SizingResult:
    return _solve(_camp())


@pytest.fixture(scope="module")
def design() -> eo.SizingResult:
    return _solve(_camp(stress_burn="design"))


def test_the_default_is_the_diesel_only_stress_burn() -> None:
    assert InventorySpec().stress_burn == "diesel_only"


def test_the_stress_burn_is_the_closed_form_of_the_fleet_alone() -> None:
    sc = eo.load_scenario(_camp())
    lg = model_params(sc, eo.build_inputs(sc)).logistics
    assert lg is not None
    assert lg.stress_day_l is not None
    np.testing.assert_allclose(lg.stress_day_l, STRESS_L_PER_DAY, rtol=1e-12)
    assert lg.stress_mean_l_per_day == pytest.approx(STRESS_L_PER_DAY, rel=1e-12)
    assert lg.safety_stock_l == pytest.approx(SAFETY_DAYS * STRESS_L_PER_DAY, rel=1e-12)
    need = lg.autonomy_need_l()
    assert need is not None
    np.testing.assert_allclose(need, N_DAYS * STRESS_L_PER_DAY, rtol=1e-12)
    # design: no constants, the model's own burn
    sc = eo.load_scenario(_camp(stress_burn="design"))
    lg = model_params(sc, eo.build_inputs(sc)).logistics
    assert lg is not None
    assert lg.stress_day_l is None
    assert lg.autonomy_need_l() is None


def test_stock_at_every_day_start_covers_the_stress_burn_of_the_next_days(
        stress: eo.SizingResult) -> None:
    opening = _opening_stock(stress)
    need = _next_days(np.full(opening.size, STRESS_L_PER_DAY), N_DAYS)
    assert (opening >= need - 1e-3).all()
    daily = stress.fuel_daily
    assert daily is not None
    assert daily["stock_l"].min() >= SAFETY_DAYS * STRESS_L_PER_DAY - 1e-3
    # PV: the design burns less than the stress burn, so the rows are not the design's
    assert daily["burn_l"].mean() < 0.9 * STRESS_L_PER_DAY
    assert stress.kpis["stress_burn_l_per_day"] == pytest.approx(STRESS_L_PER_DAY, rel=1e-9)
    assert stress.kpis["stress_autonomy_days"] >= N_DAYS
    assert "fuel_inventory" in stress.checks


def test_design_keeps_the_old_rows_and_misses_the_stress_ones(
        design: eo.SizingResult) -> None:
    daily = design.fuel_daily
    assert daily is not None
    opening = _opening_stock(design)
    burn = daily["burn_l"].to_numpy()
    assert (opening >= _next_days(burn, N_DAYS) - 1e-3).all()
    mean = float(burn.mean())  # whole days of equal weight
    assert daily["stock_l"].min() >= SAFETY_DAYS * mean - 1e-3
    assert design.kpis["autonomy_days"] >= N_DAYS
    # measured against the sunny fortnight's own burn, some day opens short of the stress
    # burn
    assert (opening < N_DAYS * STRESS_L_PER_DAY - 1.0).any()
    assert design.kpis["stress_burn_l_per_day"] == pytest.approx(mean, rel=1e-9)


def test_the_stress_requirement_never_lowers_the_stock(stress: eo.SizingResult,
                                                       design: eo.SizingResult) -> None:
    assert stress.kpis["fuel_tank_l"] >= design.kpis["fuel_tank_l"] - 1e-3
    assert stress.kpis["fuel_stock_min_l"] >= design.kpis["fuel_stock_min_l"] - 1e-3
    assert _opening_stock(stress).min() >= _opening_stock(design).min() - 1e-3
    # the stress plan also meets the old rows on its own burn
    assert stress.kpis["autonomy_days"] >= N_DAYS
    assert stress.kpis["npc_usd"] >= design.kpis["npc_usd"] - 1e-6 * design.kpis["npc_usd"]


@pytest.fixture
def no_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    def _fail(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the solver was reached: the precheck did not refuse the camp")

    monkeypatch.setattr(importlib.import_module("energyopt.optimize"), "solve_params", _fail)


@pytest.mark.usefixtures("no_solve")
def test_a_tank_too_small_for_the_stress_autonomy_is_refused_before_the_solve() -> None:
    raw = _camp(max_tank_l=0.9 * N_DAYS * STRESS_L_PER_DAY, safety_stock_days=0.0)
    with pytest.raises(InfeasibleScenarioError) as err:
        _solve(raw)
    assert "autonomy" in err.value.requirements
    text = str(err.value)
    for phrase in ("autonomy_days", "stress_burn", f"{N_DAYS * STRESS_L_PER_DAY:,.0f} L",
                   "max_tank_l"):
        assert phrase in text


@pytest.mark.usefixtures("no_solve")
def test_a_safety_stock_above_the_tank_is_refused_naming_it() -> None:
    raw = _camp(max_tank_l=2.0 * STRESS_L_PER_DAY, safety_stock_days=3.0, autonomy_days=0)
    with pytest.raises(InfeasibleScenarioError) as err:
        _solve(raw)
    assert "safety stock" in err.value.requirements
    assert f"{3.0 * STRESS_L_PER_DAY:,.0f} L" in str(err.value)


def _diesel_only(**inventory: Any) -> dict[str, Any]:
    """The camp without PV: it burns the stress burn every day, 1,668 L."""
    raw = copy.deepcopy(_camp(convoy_schedule="free", safety_stock_days=0.0, **inventory))
    raw["solar"]["max_kwp"] = 0.0
    return raw


def test_a_tank_that_exactly_holds_the_stress_autonomy_is_not_refused() -> None:
    # free convoys every day: just after a day's arrival the tank holds that day's burn and
    # the stress autonomy the next day opens with, (N + 1) x 1,668 L
    tank = (N_DAYS + 1) * STRESS_L_PER_DAY
    result = _solve(_diesel_only(max_tank_l=tank))
    assert _opening_stock(result).min() >= N_DAYS * STRESS_L_PER_DAY - 1e-3
    assert result.kpis["fuel_tank_l"] == pytest.approx(tank, rel=1e-6)


@pytest.mark.usefixtures("no_solve")
def test_a_tank_a_litre_short_of_it_is_refused_naming_autonomy() -> None:
    tank = (N_DAYS + 1) * STRESS_L_PER_DAY - 1.0
    with pytest.raises(InfeasibleScenarioError) as err:
        _solve(_diesel_only(max_tank_l=tank))
    assert "autonomy" in err.value.requirements
    assert f"{(N_DAYS + 1) * STRESS_L_PER_DAY:,.0f} L" in str(err.value)
