"""Infeasible camps are refused before any solve, and the message names the requirement.

Each infeasible camp below fails one closed-form necessary condition of
:func:`energyopt.diagnose.precheck`; the solver is patched to fail the test if it is reached,
so these tests also prove that the precheck fires first (they take milliseconds). Feasible edge
camps (a tank that exactly suffices, a camp that only PV and battery make feasible) must pass
the precheck and solve.

Hand figures: the small camp burns a known, constant amount (one 200 kW unit serving 100 kW:
0.08 x 200 + 0.25 x 100 = 41 L/h, 984 L/day).
"""

from __future__ import annotations

import copy
import importlib
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import energyopt as eo
from energyopt.diagnose import best_case, diagnose, precheck
from energyopt.model import model_params
from energyopt.solve import SolverSettings

BURN_L_PER_DAY = 24.0 * (0.08 * 200.0 + 0.25 * 100.0)  # 984 L/day
GAO = "examples/gao.yaml"


def _camp(*, days: int = 7, load_kw: float = 100.0, **inventory: Any) -> dict[str, Any]:
    """Small diesel-only camp of constant burn; a daily inventory when ``inventory`` is given."""
    raw: dict[str, Any] = {
        "name": "small camp",
        "site": "gao",
        "horizon": {"days": days, "start": "2025-03-03", "years": 3, "discount_rate": 0.1},
        "load": {"constant_kw": load_kw, "critical_fraction": 0.5},
        "solar": {"max_kwp": 0.0},
        "battery": {"max_kwh": 0.0},
        "diesel": {"units": [{
            "name": "g", "rated_kw": 200.0, "existing": 1, "max_count": 1,
            "capex_usd": 100_000.0, "fuel_intercept_l_per_h_per_kw": 0.08,
            "fuel_slope_l_per_kwh": 0.25, "min_load_fraction": 0.3}]},
        "fuel": {"price_usd_per_l": 1.0, "route_km": 500.0, "escort_usd_per_convoy": 0.0,
                 "truck_capacity_l": 30_000.0, "trucks_per_convoy": 10.0,
                 "casualties_per_convoy": 0.0, "value_per_casualty_usd": 0.0},
        "reliability": {"reserve_load_fraction": 0.0, "reserve_pv_fraction": 0.0,
                        "max_unserved_fraction": 0.0},
        "solver": {"mip_rel_gap": 1e-4, "time_limit_s": 30},
    }
    if inventory:
        inv: dict[str, Any] = {"tank_capex_usd_per_l": 10.0, "safety_stock_days": 0.0,
                               "max_tank_l": 1e6}
        inv.update(inventory)
        raw["fuel"]["inventory"] = inv
    return raw


def _set(raw: dict[str, Any], **paths: Any) -> dict[str, Any]:
    """Copy of ``raw`` with ``section__key=value`` set (``__`` for nesting)."""
    out = copy.deepcopy(raw)
    for path, value in paths.items():
        keys = path.split("__")
        node = out
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return out


def _gao(**overrides: Any) -> eo.Scenario:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eo.load_scenario(GAO).with_overrides(
            {"solver.time_limit_s": 30, **overrides})


def _small_gao(days: int = 14, start: str = "2025-10-01", **overrides: Any) -> eo.Scenario:
    """Gao with 200 kWp and 500 kWh at most: PV and battery cut the burn, not to zero."""
    return _gao(**{"horizon.start": start, "horizon.days": days, "solar.max_kwp": 200,
                   "battery.max_kwh": 500, **overrides})


@pytest.fixture
def no_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the run reaches the solver: the precheck must refuse the camp first."""

    def _fail(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the solver was reached: the precheck did not refuse the camp")

    monkeypatch.setattr(importlib.import_module("energyopt.optimize"), "solve_params", _fail)


# (id, scenario factory, a word every requirement list must hold, words the message must hold)
CAMPS: list[tuple[str, Callable[[], Any], str, tuple[str, ...]]] = [
    # 1. Gao over two days with no monthly convoy day: with PV and battery at their largest the
    # camp still burns ~130 L, which no convoy can bring in the cyclic period
    ("gao no convoy day in the horizon",
     lambda: _gao(**{"horizon.start": "2025-09-26", "horizon.days": 2}),
     "convoy", ("no convoy can arrive", "horizon.days", "convoy_offset_days", "2025-09-26",
                "cyclic")),
    # 2. an 8,000 L tank that cannot grow, weekly convoys, 200 kWp and 500 kWh
    ("gao tank fixed at 8,000 L with weekly convoys",
     lambda: _small_gao(**{"fuel.inventory.max_tank_l": 8000,
                           "fuel.inventory.existing_tank_l": 8000,
                           "fuel.inventory.convoy_schedule": "weekly",
                           "fuel.inventory.autonomy_days": 0,
                           "fuel.inventory.safety_stock_days": 0}),
     "tank", ("fuel.inventory.max_tank_l", "8,000 L", "weekly", "convoy_schedule")),
    # 3. the same with Gao's 14-day autonomy: the autonomy alone overflows the tank
    ("gao 14-day autonomy against an 8,000 L tank",
     lambda: _small_gao(**{"fuel.inventory.max_tank_l": 8000,
                           "fuel.inventory.existing_tank_l": 8000,
                           "fuel.inventory.convoy_schedule": "weekly"}),
     "autonomy", ("autonomy_days", "14 days", "max_tank_l")),
    # 4. the rainy-season closure covers the whole horizon; a 30,000 L tank
    ("gao road closed for the whole horizon",
     lambda: _small_gao(start="2025-07-20", **{"fuel.inventory.max_tank_l": 30000,
                                               "fuel.inventory.existing_tank_l": 0}),
     "closure", ("closed_roads.0", "2025-07-15", "30,000 L", "horizon.days")),
    # 5. free convoys, but a road closed 4 days and a tank of 3 days of burn
    ("closure longer than the tank lasts",
     lambda: _camp(max_tank_l=3 * BURN_L_PER_DAY, convoy_schedule="free", closed_roads=[
         {"start": "2025-03-05", "end": "2025-03-08", "reason": "blockade"}]),
     "closure", ("blockade", "2025-03-04", "2025-03-09", "max_tank_l")),
    # 6. a short closure blocks a weekly arrival through the lead time
    ("lead time across a closure",
     lambda: _camp(days=14, max_tank_l=8 * BURN_L_PER_DAY, convoy_schedule="weekly",
                   lead_time_days=3,
                   closed_roads=[{"start": "2025-03-08", "end": "2025-03-08"}]),
     "closure", ("lead_time_days", "2025-03-03", "2025-03-17")),
    # 7. fortnightly convoys and 10 days of tank, PV allowed (any mix is prechecked)
    ("fortnightly convoys with PV allowed",
     lambda: _set(_camp(days=28, max_tank_l=10 * BURN_L_PER_DAY,
                        convoy_schedule="fortnightly"), solar__max_kwp=1.0),
     "convoy period", ("fortnightly", "14 day(s)", "max_tank_l")),
    # 8. autonomy alone against the tank
    ("autonomy beyond the tank",
     lambda: _camp(max_tank_l=3 * BURN_L_PER_DAY, autonomy_days=5),
     "autonomy", ("autonomy_days", "4,920 L")),
    # 9. safety stock alone against the tank
    ("safety stock beyond the tank",
     lambda: _camp(max_tank_l=2000.0, safety_stock_days=3.0),
     "safety stock", ("safety_stock_days", "2,952 L")),
    # 10. free convoys, but one 500 L truck a day for a 984 L/day burn
    ("one small truck a day",
     lambda: _set(_camp(convoy_schedule="free", max_trucks_per_day=1),
                  fuel__truck_capacity_l=500.0),
     "trucks per day", ("max_trucks_per_day",)),
    # 11. the peak above the fleet
    ("peak above the fleet",
     lambda: _camp(load_kw=300.0),
     "serve the load", ("300.0 kW", "diesel.units.g.max_count", "2025-03-03")),
    # 12. shedding allowed, but the critical load alone is above the fleet
    ("critical load above the fleet",
     lambda: _set(_camp(load_kw=500.0), reliability__max_unserved_fraction=0.5),
     "critical load", ("critical load", "250.0 kW", "load.critical_fraction")),
    # 13. shedding allowed, but more than the cap would be shed
    ("unserved energy above the cap",
     lambda: _set(_camp(load_kw=250.0), reliability__max_unserved_fraction=0.05),
     "unserved energy", ("max_unserved_fraction", "5.00%")),
    # 14. the unit covers the load but not its reserve
    ("reserve above the fleet",
     lambda: _set(_camp(load_kw=190.0), reliability__reserve_load_fraction=0.2),
     "reserve", ("reserve_load_fraction", "228.0 kW")),
    # 15. a battery that covers the peak's power but not the night's energy
    ("battery too small for the night",
     lambda: _set(_camp(load_kw=250.0), solar__max_kwp=2000.0, battery__max_kwh=100.0),
     "serve the load", ("through the night", "battery.max_kwh")),
    # 16. annual convoy bound without an inventory
    ("convoy bound",
     lambda: _set(_camp(), fuel__max_convoys_per_year=1.0),
     "convoy bound", ("fuel.max_convoys_per_year", "359,160 L")),
    # 17. annual casualty bound
    ("casualty bound",
     lambda: _set(_camp(), fuel__casualties_per_convoy=0.1,
                  fuel__max_expected_casualties_per_year=0.1),
     "casualty bound", ("fuel.max_expected_casualties_per_year",)),
    # 18. monthly convoys: the closure takes the only arrival day of a 30-day period, with a
    # PV and battery design that cannot carry the camp alone
    ("closure takes the only monthly convoy",
     lambda: _set(_camp(days=30, convoy_schedule="monthly", max_tank_l=1e5, closed_roads=[
         {"start": "2025-03-30", "end": "2025-04-02", "reason": "flood"}]),
         solar__max_kwp=100.0, battery__max_kwh=200.0),
     "closure", ("flood", "no convoy can arrive")),
]


def _scenario(make: Callable[[], Any]) -> eo.Scenario:
    made = make()
    return made if isinstance(made, eo.Scenario) else eo.load_scenario(made)


@pytest.mark.parametrize(("make", "word", "phrases"),
                         [pytest.param(m, w, ph, id=i) for i, m, w, ph in CAMPS])
@pytest.mark.usefixtures("no_solve")
def test_infeasible_camp_names_its_requirement(make: Callable[[], Any], word: str,
                                               phrases: tuple[str, ...]) -> None:
    scenario = _scenario(make)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(eo.InfeasibleScenarioError) as info:
            eo.optimize(scenario, baseline=False)
    exc = info.value
    message = str(exc)
    assert exc.requirements, message
    assert any(word in r for r in exc.requirements), (exc.requirements, message)
    for phrase in phrases:
        assert phrase in message, (phrase, message)
    # plain dates, no Python reprs, and never blamed on the energy balance
    assert re.search(r"\d{4}-\d{2}-\d{2}", message) or "bound" in word, message
    for repr_ in ("Timestamp(", "datetime.", "np.float", "array("):
        assert repr_ not in message
    assert "energy balance" not in message


def test_at_least_fifteen_distinct_requirements_are_covered() -> None:
    assert len(CAMPS) >= 15
    assert len({word for _, _, word, _ in CAMPS}) >= 12


@pytest.mark.usefixtures("no_solve")
def test_tank_vs_weekly_convoys_gives_the_litres_needed() -> None:
    scenario = _small_gao(**{"fuel.inventory.max_tank_l": 8000,
                             "fuel.inventory.existing_tank_l": 8000,
                             "fuel.inventory.convoy_schedule": "weekly",
                             "fuel.inventory.autonomy_days": 0,
                             "fuel.inventory.safety_stock_days": 0})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(eo.InfeasibleScenarioError) as info:
            eo.optimize(scenario, baseline=False)
    found = re.search(r"tank must hold at least ([\d,]+) L", str(info.value))
    assert found, info.value
    need = float(found.group(1).replace(",", ""))
    # a week of Gao's burn net of 200 kWp and 500 kWh: well above the 8,000 L tank, and a true
    # lower bound: less than the worst week of the whole load on the 400 kW sets alone (no PV,
    # no battery), each hour on the fewest sets that carry it, at the fuel curve of the example
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        load = eo.build_inputs(scenario).load_kw
    unit = scenario.diesel.units[0]
    sets = np.ceil(load / unit.rated_kw)
    litres = (unit.fuel_slope_l_per_kwh * load
              + unit.fuel_intercept_l_per_h_per_kw * unit.rated_kw * sets)
    worst_week = float(litres.rolling(7 * 24).sum().max())
    assert 16_000 < need <= worst_week * (1.0 + 1e-6)
    assert info.value.requirements == ["fuel tank vs convoy period"]


def test_the_gao_closure_names_closure_and_tank() -> None:
    scenario = _small_gao(start="2025-07-20", **{"fuel.inventory.max_tank_l": 30000,
                                                 "fuel.inventory.existing_tank_l": 0})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = eo.build_inputs(scenario)
        p = model_params(scenario, inputs)
    with pytest.raises(eo.InfeasibleScenarioError) as info:
        precheck(p, inputs, scenario)
    assert info.value.requirements[0] == "road closure"
    assert "fuel tank vs road closure" in info.value.requirements


def _solve(raw: dict[str, Any] | eo.Scenario, baseline: bool = False) -> eo.SizingResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eo.optimize(raw if isinstance(raw, eo.Scenario) else eo.load_scenario(raw),
                           baseline=baseline)


def test_a_tank_that_exactly_suffices_is_not_refused() -> None:
    # weekly convoys and two days of safety stock: the tank holds exactly 9 days of burn
    raw = _camp(days=14, convoy_schedule="weekly", safety_stock_days=2.0,
                max_tank_l=9 * BURN_L_PER_DAY)
    result = _solve(raw)
    assert result.sizes["fuel_tank_l"] == pytest.approx(9 * BURN_L_PER_DAY, rel=1e-6)
    # one litre less is refused, by the precheck, naming the tank
    with pytest.raises(eo.InfeasibleScenarioError) as info:
        _solve(_camp(days=14, convoy_schedule="weekly", safety_stock_days=2.0,
                     max_tank_l=9 * BURN_L_PER_DAY - 1.0))
    assert any("tank" in r for r in info.value.requirements)


def test_an_autonomy_tank_that_exactly_suffices_is_not_refused() -> None:
    # free daily convoys: the stock at each day start covers 5 days, one day's delivery on top
    result = _solve(_camp(autonomy_days=5, max_tank_l=6 * BURN_L_PER_DAY))
    assert result.sizes["fuel_tank_l"] == pytest.approx(6 * BURN_L_PER_DAY, rel=1e-6)


def test_a_camp_feasible_only_thanks_to_pv_and_battery_is_not_refused() -> None:
    # 250 kW against one 200 kW unit: the battery covers the rest at night, PV recharges it
    raw = _set(_camp(days=3, load_kw=250.0), solar__max_kwp=1500.0, battery__max_kwh=2000.0)
    scenario = eo.load_scenario(raw)
    inputs = eo.build_inputs(scenario)
    precheck(model_params(scenario, inputs), inputs, scenario)  # does not raise
    result = _solve(scenario)
    assert result.sizes["battery_kwh"] > 0.0
    assert result.sizes["pv_kwp"] > 0.0


def test_a_horizon_without_convoys_carried_by_pv_and_battery_is_not_refused() -> None:
    # a small load PV and battery can carry alone: no convoy is needed in the period
    raw = _set(_camp(days=2, load_kw=30.0, convoy_schedule="monthly"),
               horizon__start="2025-03-10", solar__max_kwp=400.0, battery__max_kwh=1500.0)
    raw["diesel"]["units"][0]["min_load_fraction"] = 0.0
    scenario = eo.load_scenario(raw)
    inputs = eo.build_inputs(scenario)
    p = model_params(scenario, inputs)
    assert best_case(p).cycle_l() == pytest.approx(0.0, abs=1e-6)
    precheck(p, inputs, scenario)  # does not raise


def test_only_the_baseline_infeasible_returns_the_design_with_the_baseline_diagnosis() -> None:
    raw = _set(_camp(days=2, load_kw=30.0, convoy_schedule="monthly"),
               horizon__start="2025-03-10", solar__max_kwp=400.0, battery__max_kwh=1500.0)
    raw["diesel"]["units"][0]["min_load_fraction"] = 0.0
    result = _solve(raw, baseline=True)
    assert result.baseline is None
    assert result.baseline_error is not None
    assert "diesel-only" in result.baseline_error
    assert "no convoy can arrive" in result.baseline_error
    assert result.kpis["fuel_l_per_year"] == pytest.approx(0.0, abs=1e-3)
    assert result.to_dict()["baseline_error"] == result.baseline_error
    assert result.comparison()["diesel_only"].isna().all()


def test_the_cli_summary_explains_a_missing_baseline(tmp_path: Path) -> None:
    from energyopt import cli
    from energyopt.report import render_markdown, render_report

    raw = _set(_camp(days=2, load_kw=30.0, convoy_schedule="monthly"),
               horizon__start="2025-03-10", solar__max_kwp=400.0, battery__max_kwh=1500.0)
    raw["diesel"]["units"][0]["min_load_fraction"] = 0.0
    scenario = eo.load_scenario(raw)
    inputs = eo.build_inputs(scenario)
    result = _solve(scenario, baseline=True)
    text = cli.summary(result, scenario, inputs)
    assert "no diesel-only baseline: the diesel-only camp is infeasible" in text
    assert "--no-baseline" not in text
    assert "No diesel-only comparison" in render_markdown(result, scenario=scenario)
    html = render_report(result, tmp_path / "r.html", scenario=scenario,
                         inputs=inputs).read_text(encoding="utf-8")
    assert 'id="no-baseline"' in html
    assert "no convoy can arrive" in html


def test_a_feasible_camp_keeps_its_baseline() -> None:
    result = _solve(_camp(days=2), baseline=True)
    assert result.baseline is not None
    assert result.baseline_error is None


def test_diagnose_never_raises_a_bare_modelling_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    import energyopt.diagnose as dg

    def _broken(_p: Any) -> None:
        raise ValueError("No value for uninitialized NumericValue object x")

    monkeypatch.setattr(dg, "build_model", _broken)
    scenario = eo.load_scenario(_camp(days=2))
    p = model_params(scenario, eo.build_inputs(scenario))
    err = diagnose(p, SolverSettings(time_limit_s=5.0), "camp")
    assert isinstance(err, eo.InfeasibleScenarioError)
    assert "diagnosis re-solve failed" in str(err)
    assert "Traceback" not in str(err)


def test_the_elastic_diagnosis_still_names_what_it_relaxes() -> None:
    # the elastic re-solve (run only after the prechecks pass) on a camp the reserve check
    # would refuse: it relaxes the reserve family and says so, largest shortfall first
    scenario = eo.load_scenario(_set(_camp(days=2, load_kw=150.0),
                                     reliability__reserve_load_fraction=0.5))
    p = model_params(scenario, eo.build_inputs(scenario))
    err = diagnose(p, SolverSettings(time_limit_s=10.0), "camp")
    assert isinstance(err, eo.InfeasibleScenarioError)
    assert "largest shortfall first" in str(err)
    assert any("spinning reserve" in r for r in err.requirements), err
