"""Tests of the economic factors in energyopt.model.params against hand-computed values.

Every expectation is written out by hand (a sum of discount factors, a closed-form annuity or a
straight-line share of a life), never copied from a run.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import energyopt as eo
from energyopt.model.params import annuity, model_params, replacement_factor, salvage_factor

# --------------------------------------------------------------------------------------------
# annuity: A = sum_{y=1..Y} (1+g)^(y-1) / (1+r)^y
# --------------------------------------------------------------------------------------------


def test_annuity_three_years_at_ten_percent() -> None:
    assert annuity(0.1, 3) == pytest.approx(1 / 1.1 + 1 / 1.21 + 1 / 1.331, rel=1e-12)


def test_annuity_one_year() -> None:
    assert annuity(0.07, 1) == pytest.approx(1 / 1.07, rel=1e-12)


@pytest.mark.parametrize("years", [1, 5, 40])
def test_annuity_zero_rate_counts_the_years(years: int) -> None:
    assert annuity(0.0, years) == pytest.approx(float(years), rel=1e-12)


@pytest.mark.parametrize(("rate", "years"), [(0.05, 20), (0.08, 15), (0.3, 7)])
def test_annuity_matches_the_closed_form(rate: float, years: int) -> None:
    closed = (1.0 - (1.0 + rate) ** -years) / rate
    assert annuity(rate, years) == pytest.approx(closed, rel=1e-12)


def test_annuity_growth_equal_to_rate_is_years_over_one_plus_rate() -> None:
    # (1.1)^(y-1) / 1.1^y = 1/1.1 for every year
    assert annuity(0.1, 3, growth=0.1) == pytest.approx(3 / 1.1, rel=1e-12)


def test_annuity_with_growth_by_hand() -> None:
    # r = 0.1, g = 0.02, Y = 2: 1/1.1 + 1.02/1.21
    assert annuity(0.1, 2, growth=0.02) == pytest.approx(1 / 1.1 + 1.02 / 1.21, rel=1e-12)


@pytest.mark.parametrize(("rate", "growth", "years"), [(0.05, 0.02, 15), (0.1, -0.03, 10)])
def test_annuity_with_growth_matches_the_growing_annuity(rate: float, growth: float,
                                                         years: int) -> None:
    closed = (1.0 - ((1.0 + growth) / (1.0 + rate)) ** years) / (rate - growth)
    assert annuity(rate, years, growth) == pytest.approx(closed, rel=1e-12)


def test_annuity_zero_rate_with_growth() -> None:
    # r = 0, g = 0.1, Y = 3: 1 + 1.1 + 1.21
    assert annuity(0.0, 3, growth=0.1) == pytest.approx(3.31, rel=1e-12)


# --------------------------------------------------------------------------------------------
# replacement_factor: sum_{k>=1, kL<Y} (1+r)^(-kL); salvage_factor: unused share at Y, discounted
# --------------------------------------------------------------------------------------------


def test_life_two_in_three_years_one_replacement_half_salvage() -> None:
    # installed at 0, replaced at 2; at year 3 that unit has 1 of its 2 years left
    assert replacement_factor(0.1, 3, 2.0) == pytest.approx(1 / 1.21, rel=1e-12)
    assert salvage_factor(0.1, 3, 2.0) == pytest.approx(0.5 / 1.331, rel=1e-12)


def test_life_equal_to_horizon_no_replacement_no_salvage() -> None:
    assert replacement_factor(0.1, 3, 3.0) == 0.0
    assert salvage_factor(0.1, 3, 3.0) == 0.0


def test_life_longer_than_horizon() -> None:
    # no replacement; 15 of 25 years left at year 10
    assert replacement_factor(0.05, 10, 25.0) == 0.0
    assert salvage_factor(0.05, 10, 25.0) == pytest.approx(15 / 25 / 1.05**10, rel=1e-12)


def test_life_four_in_ten_years() -> None:
    # replacements at 4 and 8; the unit installed at 8 has 2 of 4 years left at 10
    assert replacement_factor(0.1, 10, 4.0) == pytest.approx(1.1**-4 + 1.1**-8, rel=1e-12)
    assert salvage_factor(0.1, 10, 4.0) == pytest.approx(0.5 * 1.1**-10, rel=1e-12)


def test_life_dividing_the_horizon_has_no_salvage() -> None:
    # replacements at 5 (not at 10, the horizon's end); nothing left at 10
    assert replacement_factor(0.05, 10, 5.0) == pytest.approx(1.05**-5, rel=1e-12)
    assert salvage_factor(0.05, 10, 5.0) == 0.0


def test_fractional_life() -> None:
    # L = 2.5 in 10 years: replacements at 2.5, 5, 7.5; the last one ends exactly at 10
    expected = 1.1**-2.5 + 1.1**-5 + 1.1**-7.5
    assert replacement_factor(0.1, 10, 2.5) == pytest.approx(expected, rel=1e-12)
    assert salvage_factor(0.1, 10, 2.5) == 0.0


def test_zero_rate_replacements_count_and_salvage_is_share() -> None:
    assert replacement_factor(0.0, 10, 4.0) == pytest.approx(2.0, rel=1e-12)  # at 4 and 8
    assert salvage_factor(0.0, 10, 4.0) == pytest.approx(0.5, rel=1e-12)      # 2 of 4 years
    assert replacement_factor(0.0, 3, 1.0) == pytest.approx(2.0, rel=1e-12)   # at 1 and 2
    assert salvage_factor(0.0, 3, 1.0) == 0.0
    assert replacement_factor(0.0, 3, 2.0) == pytest.approx(1.0, rel=1e-12)
    assert salvage_factor(0.0, 3, 2.0) == pytest.approx(0.5, rel=1e-12)


@pytest.mark.parametrize("life", [0.3, 0.7, 1.5, 3.0, 6.0, 9.9])
def test_zero_rate_pays_for_exactly_the_years_used(life: float) -> None:
    # undiscounted: installations (1 + replacements) minus the unused share = Y / L
    years = 12
    paid = 1.0 + replacement_factor(0.0, years, life) - salvage_factor(0.0, years, life)
    assert paid == pytest.approx(years / life, rel=1e-9)


# --------------------------------------------------------------------------------------------
# model_params wires the factors and unit conversions from a scenario
# --------------------------------------------------------------------------------------------


def _scenario() -> eo.Scenario:
    return eo.load_scenario({
        "name": "economics",
        "site": "gao",
        "horizon": {"days": 1, "step_minutes": 60, "years": 3, "discount_rate": 0.1},
        "load": {"constant_kw": 100.0},
        "solar": {"lifetime_years": 2.0, "degradation_per_year": 0.01, "capex_usd_per_kwp": 900.0},
        "battery": {"lifetime_years": 3.0, "roundtrip_efficiency": 0.81,
                    "self_discharge_per_hour": 0.01},
        "diesel": {"units": [{
            "name": "g", "rated_kw": 200.0, "existing": 1, "max_count": 2,
            "capex_usd": 120000.0, "lifetime_hours": 24000.0,
            "om_usd_per_run_hour_per_kw": 0.02}]},
        "fuel": {"escalation_per_year": 0.02, "route_km": 800.0,
                 "transport_usd_per_l_km": 0.0005},
    })


def test_model_params_economic_factors() -> None:
    s = _scenario()
    p = model_params(s, eo.build_inputs(s))
    assert p.annuity == pytest.approx(1 / 1.1 + 1 / 1.21 + 1 / 1.331, rel=1e-12)
    assert p.fuel_annuity == pytest.approx(1 / 1.1 + 1.02 / 1.21 + 1.02**2 / 1.331, rel=1e-12)
    assert p.end_discount == pytest.approx(1 / 1.331, rel=1e-12)
    assert p.pv_replacement_factor == pytest.approx(1 / 1.21, rel=1e-12)
    assert p.pv_salvage_factor == pytest.approx(0.5 / 1.331, rel=1e-12)
    assert p.bat_replacement_factor == 0.0
    assert p.bat_salvage_factor == 0.0


def test_model_params_unit_conversions() -> None:
    s = _scenario()
    inputs = eo.build_inputs(s)
    p = model_params(s, inputs)
    (g,) = p.diesel
    assert g.wear_usd_per_run_hour == pytest.approx(120000.0 / 24000.0, rel=1e-12)
    assert g.om_usd_per_run_hour == pytest.approx(0.02 * 200.0, rel=1e-12)
    assert p.transport_usd_per_l == pytest.approx(0.0005 * 800.0, rel=1e-12)
    # round trip 0.81 split evenly between charge and discharge
    assert p.bat_eta_charge == pytest.approx(0.9, rel=1e-12)
    assert p.bat_eta_discharge == pytest.approx(0.9, rel=1e-12)
    # retention over a one-hour step
    assert p.bat_retention_per_step == pytest.approx([0.99] * 24, rel=1e-12)
    # PV output scaled by the horizon mean of (1 - 0.01)^y, y = 0, 1, 2
    mean_factor = (1.0 + 0.99 + 0.99**2) / 3.0
    expected = inputs.pv_kw_per_kwp.to_numpy() * mean_factor
    assert p.pv_avail_kw_per_kwp == pytest.approx(expected, rel=1e-12, abs=1e-15)
    # weights make the modelled day stand for a year
    assert float((p.weight * p.duration_h).sum()) == pytest.approx(8760.0, rel=1e-12)
    assert p.annual_load_kwh == pytest.approx(8760.0 * 100.0, rel=1e-12)


def test_model_params_diesel_only_removes_new_pv_and_battery() -> None:
    s = _scenario().with_overrides({"solar.existing_kwp": 50.0, "battery.existing_kwh": 0.0})
    p = model_params(s, eo.build_inputs(s), diesel_only=True)
    assert p.pv_max_kwp == 50.0
    assert not p.has_battery
    assert p.bat_max_kw == 0.0


def test_model_params_time_weights_for_sub_hourly_steps() -> None:
    s = _scenario().with_overrides({"horizon.days": 2, "horizon.step_minutes": 30})
    p = model_params(s, eo.build_inputs(s))
    assert p.n_steps == 96
    assert p.duration_h == pytest.approx([0.5] * 96)
    assert p.weight == pytest.approx([8760.0 / 48.0] * 96, rel=1e-12)
    assert math.isclose(float(p.step_hours_weighted.sum()), 8760.0, rel_tol=1e-12)
    assert isinstance(eo.build_inputs(s).index, pd.DatetimeIndex)


# --------------------------------------------------------------------------------------------
# Load that changes over the horizon: growth and a personnel schedule weight the running costs
# --------------------------------------------------------------------------------------------


def test_weighted_annuity_matches_a_hand_sum() -> None:
    w = [1.0, 1.1, 0.5]
    r, e = 0.08, 0.03
    hand = 1.0 / 1.08 + 1.1 * 1.03 / 1.08**2 + 0.5 * 1.03**2 / 1.08**3
    assert annuity(r, 3, e, w) == pytest.approx(hand, rel=1e-12)
    with pytest.raises(ValueError, match="3 values"):
        annuity(r, 3, e, [1.0, 1.0])


def _growing_camp(growth: float, schedule: list[dict[str, object]] | None = None
                  ) -> dict[str, object]:
    load: dict[str, object] = {"archetype": "company_base", "personnel": 160,
                               "growth_per_year": growth}
    if schedule is not None:
        load["personnel_schedule"] = schedule
    return {
        "site": "gao",
        "horizon": {"days": 2, "years": 4, "discount_rate": 0.1, "start": "2025-01-01"},
        "load": load,
        "solar": {"max_kwp": 0.0},
        "battery": {"max_kwh": 0.0},
        "fuel": {"escalation_per_year": 0.02},
        "diesel": {"units": [{"name": "g", "rated_kw": 200, "existing": 2, "max_count": 2}]},
    }


def test_load_growth_weights_running_costs_not_fixed_ones() -> None:
    flat = eo.load_scenario(_growing_camp(0.0))
    grow = eo.load_scenario(_growing_camp(0.1))
    pf = model_params(flat, eo.build_inputs(flat))
    pg = model_params(grow, eo.build_inputs(grow))
    g = [1.0, 1.1, 1.21, 1.331]
    assert pg.annuity == pytest.approx(pf.annuity)
    assert pg.variable_annuity == pytest.approx(annuity(0.1, 4, 0.0, g))
    assert pg.fuel_annuity == pytest.approx(annuity(0.1, 4, 0.02, g))
    assert pg.variable_annuity > pf.variable_annuity
    # the modelled year itself is the same camp
    assert pg.annual_load_kwh == pytest.approx(pf.annual_load_kwh)


def test_personnel_drawdown_lowers_the_later_years() -> None:
    # 160 people for the modelled year, then 80 from the second year on: with components
    # absent, energy follows head count, so later years weigh one half
    s = eo.load_scenario(_growing_camp(0.0, [{"from_date": "2026-01-01", "personnel": 80}]))
    p = model_params(s, eo.build_inputs(s))
    assert p.variable_annuity == pytest.approx(annuity(0.1, 4, 0.0, [1.0, 0.5, 0.5, 0.5]),
                                               rel=1e-9)


def test_growth_reaches_the_cost_terms_of_the_solved_model() -> None:
    s = eo.load_scenario(_growing_camp(0.1))
    result = eo.optimize(s, baseline=False)
    f = s.fuel
    g = [1.0, 1.1, 1.21, 1.331]
    fuel_l = result.kpis["fuel_l_per_year"]
    assert result.costs.loc["fuel", "fuel"] == pytest.approx(
        f.price_usd_per_l * annuity(0.1, 4, 0.02, g) * fuel_l, rel=1e-9)
    assert result.costs.loc["transport", "fuel"] == pytest.approx(
        f.transport_usd_per_l_km * f.route_km * annuity(0.1, 4, 0.0, g) * fuel_l, rel=1e-9)
