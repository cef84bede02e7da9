"""Tests of energyopt.finance: the yearly cash flow, payback, IRR, LCOE by part."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import energyopt as eo
from energyopt import finance
from energyopt.model.params import annuity, replacement_factor, salvage_factor

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def solved(small_camp_solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]
           ) -> tuple[eo.SizingResult, eo.Scenario, eo.Inputs]:
    result, scenario, inputs = small_camp_solved
    assert result.baseline is not None
    assert result.sizes["pv_kwp"] > 0
    assert result.sizes["battery_kwh"] > 0
    return result, scenario, inputs


@pytest.fixture(scope="module")
def micro(small_camp: dict[str, Any]) -> tuple[eo.SizingResult, eo.Scenario]:
    """Level yearly costs: no escalation, no growth, PV and battery outlive the horizon."""
    raw = copy.deepcopy(small_camp)
    raw["name"] = "micro camp"
    raw["horizon"] = {**raw["horizon"], "years": 10, "discount_rate": 0.08}
    raw["solar"] = {**raw["solar"], "lifetime_years": 30}
    raw["battery"] = {**raw["battery"], "lifetime_years": 12}
    raw["fuel"] = {"escalation_per_year": 0.0}
    scenario = eo.load_scenario(raw)
    return eo.optimize(scenario), scenario


def test_discounted_cash_flow_is_the_npc(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]) -> None:
    result, scenario, inputs = solved
    assert result.baseline is not None
    flow = finance.cash_flow(result, scenario, inputs)
    assert list(flow.index) == list(range(scenario.horizon.years + 1))
    rate = scenario.horizon.discount_rate
    # the present values are the yearly amounts discounted (integer lifetimes here)
    factor = (1.0 + rate) ** -np.arange(len(flow))
    np.testing.assert_allclose(flow["present_value_usd"], flow["total_usd"] * factor,
                               rtol=1e-12)
    for prefix, res in (("", result), ("diesel_only_", result.baseline)):
        assert float(flow[f"{prefix}present_value_usd"].sum()) == pytest.approx(
            float(res.kpis["npc_usd"]), rel=1e-6)
        # kind by kind: each category discounted is its column of result.costs
        for category in finance.CATEGORIES:
            kind = "capex" if category == "capital" else category
            got = float((flow[f"{prefix}{category}_usd"] * factor).sum())
            want = float(res.costs[kind].sum()) if kind in res.costs else 0.0
            assert got == pytest.approx(want, rel=1e-6, abs=1e-3), (prefix, category)
    # the salvage is a credit at the end only; capital at year 0 only
    assert (flow["salvage_usd"].iloc[:-1] == 0).all()
    assert flow["salvage_usd"].iloc[-1] < 0
    assert (flow["capital_usd"].iloc[1:] == 0).all()
    np.testing.assert_allclose(flow["cumulative_usd"], flow["total_usd"].cumsum())
    np.testing.assert_allclose(flow["saving_usd"],
                               flow["diesel_only_total_usd"] - flow["total_usd"])


def test_weights_from_the_index_match_the_inputs(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]) -> None:
    result, scenario, inputs = solved
    with_inputs = finance.cash_flow(result, scenario, inputs)
    without = finance.cash_flow(result, scenario)
    pd.testing.assert_frame_equal(with_inputs, without, rtol=1e-9)


def test_fuel_escalates_year_by_year(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]) -> None:
    result, scenario, inputs = solved
    flow = finance.cash_flow(result, scenario, inputs)
    e = scenario.fuel.escalation_per_year
    assert e > 0
    bought = float(result.kpis["fuel_bought_l_per_year"])
    haul = scenario.fuel.transport_usd_per_l_km * scenario.fuel.route_km
    for y in (1, 2, 7):
        want = bought * (scenario.fuel.price_usd_per_l * (1 + e) ** (y - 1) + haul)
        assert float(flow.loc[y, "fuel_usd"]) == pytest.approx(want, rel=1e-9)


def _hand_flows(res: eo.SizingResult, years: int, rate: float) -> np.ndarray:
    """Yearly payments from result.costs alone, for level costs (no replacement in the horizon)."""
    costs = res.costs
    capital = float(costs["capex"].sum())
    yearly = float(costs.drop(columns=["capex", "salvage", "replacement"]).to_numpy().sum())
    # diesel wear is a yearly cost too (no PV or battery is replaced inside the horizon here)
    yearly += float(costs["replacement"].sum())
    level = yearly / annuity(rate, years)
    salvage = float(costs["salvage"].sum()) * (1 + rate) ** years
    flows = np.r_[capital, np.full(years, level)]
    flows[-1] += salvage
    return flows


def test_payback_and_irr_against_a_hand_computation(
        micro: tuple[eo.SizingResult, eo.Scenario]) -> None:
    result, scenario = micro
    assert result.baseline is not None
    years, rate = scenario.horizon.years, scenario.horizon.discount_rate
    # no PV or battery replacement inside the horizon: every yearly cost is level
    assert replacement_factor(rate, years, scenario.solar.lifetime_years) == 0.0
    assert replacement_factor(rate, years, scenario.battery.lifetime_years) == 0.0
    saving = _hand_flows(result.baseline, years, rate) - _hand_flows(result, years, rate)
    assert saving[0] < 0 < saving[1]  # an investment, then yearly savings
    flow = finance.cash_flow(result, scenario)
    np.testing.assert_allclose(flow["saving_usd"], saving, rtol=1e-6, atol=1e-3)
    # simple payback: the extra capital over the level yearly saving
    simple = -saving[0] / saving[1]
    assert simple < years - 1
    assert flow.attrs["simple_payback_years"] == pytest.approx(simple, rel=1e-6)
    # discounted payback: the year the discounted savings catch up, then linear in it
    disc = np.cumsum(saving * (1 + rate) ** -np.arange(years + 1))
    y = int(np.argmax(disc >= 0))
    want = y - 1 + -disc[y - 1] / (disc[y] - disc[y - 1])
    assert flow.attrs["discounted_payback_years"] == pytest.approx(want, rel=1e-6)
    # IRR: the root of sum s_y x^y with x = 1 / (1 + i), from numpy's polynomial roots
    roots = np.roots(saving[::-1])
    real = [float(r.real) for r in roots if abs(r.imag) < 1e-9 and 0 < r.real < 1]
    assert len(real) == 1
    assert flow.attrs["irr"] == pytest.approx(1 / real[0] - 1, rel=1e-6)
    inv = finance.investment(result, scenario)
    assert inv.irr == pytest.approx(flow.attrs["irr"])
    assert inv.npv_saving_usd == pytest.approx(
        float(result.baseline.kpis["npc_usd"] - result.kpis["npc_usd"]), rel=1e-6)


def test_irr_of_hand_made_series() -> None:
    # -100 then 60 twice: 60 x^2 + 60 x - 100 = 0, x = 1/(1+i)
    x = (-60 + np.sqrt(60**2 + 4 * 60 * 100)) / (2 * 60)
    assert finance.irr([-100, 60, 60]) == pytest.approx(1 / x - 1, rel=1e-9)
    assert finance.irr([-100, 60, 60]) == pytest.approx(0.130662, abs=1e-6)
    # a loss: 100 paid, 90 back is a negative rate of -10%
    assert finance.irr([-100, 90]) == pytest.approx(-0.1, rel=1e-9)
    # payments at their own times: 100 now, 121 after two years is 10% a year
    assert finance.irr([-100, 121], [0.0, 2.0]) == pytest.approx(0.1, rel=1e-9)
    # no sign change: nothing to earn back, or never earned back
    assert finance.irr([10, 20, 30]) is None
    assert finance.irr([-100, -1, -1]) is None
    with pytest.raises(ValueError, match="2 amounts but 3 times"):
        finance.irr([1, 2], [0, 1, 2])


def test_payback_interpolates_within_the_year() -> None:
    assert finance.payback_years([-100, -40, 20]) == pytest.approx(1 + 40 / 60)
    assert finance.payback_years([-100, -50, -10]) is None
    assert finance.payback_years([0.0, 5.0]) == 0.0
    assert finance.payback_years([-10.0, 0.0]) == 1.0
    assert finance.payback_years([np.nan, 1.0]) is None


@pytest.mark.parametrize(("years", "life"), [(15, 10), (15, 7.5), (20, 5), (10, 12), (15, 15)])
def test_replacement_times_and_salvage_follow_the_model(years: int, life: float) -> None:
    rate = 0.07
    times = finance.replacement_times(years, life)
    assert sum((1 + rate) ** -t for t in times) == pytest.approx(
        replacement_factor(rate, years, life), rel=1e-12)
    # the last installation's unused share, as the model's salvage factor
    last = times[-1] if times else 0.0
    left = (last + life - years) / life
    assert left * (1 + rate) ** -years == pytest.approx(salvage_factor(rate, years, life),
                                                        abs=1e-12)


def test_lcoe_parts_sum_to_the_lcoe(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]) -> None:
    result, scenario, _ = solved
    lcoe = float(result.kpis["lcoe_usd_per_kwh"])
    with_scenario = finance.lcoe_breakdown(result, scenario)
    assert float(with_scenario.sum()) == pytest.approx(lcoe, rel=1e-9)
    assert float(finance.lcoe_breakdown(result).sum()) == pytest.approx(lcoe, rel=1e-12)
    assert {"PV", "battery", "fuel purchase"} <= set(with_scenario.index)
    assert "other" not in with_scenario.index
    # PV's part is the PV row over the discounted energy served
    h = scenario.horizon
    served = float(result.kpis["load_kwh_per_year"] - result.kpis["unserved_kwh_per_year"])
    assert float(with_scenario["PV"]) == pytest.approx(
        float(result.costs.loc["pv"].sum()) / (served * annuity(h.discount_rate, h.years)),
        rel=1e-9)


def test_capital_operating_split(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]) -> None:
    result, _, _ = solved
    split = finance.capital_operating(result)
    assert result.baseline is not None
    for col, res in (("design", result), ("diesel_only", result.baseline)):
        assert split.loc["total", col] == pytest.approx(float(res.kpis["npc_usd"]), rel=1e-12)
        assert split.loc["capital", col] == pytest.approx(
            float(res.costs[["capex", "replacement", "salvage"]].to_numpy().sum()), rel=1e-12)
    # the design buys PV and a battery: it spends less on operating than diesel only (its
    # capital may still be lower: diesel wear per running hour counts as capital)
    assert float(result.costs["capex"].sum()) > float(result.baseline.costs["capex"].sum())
    assert split.loc["operating", "design"] < split.loc["operating", "diesel_only"]


def test_studies_with_a_community_are_refused(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]) -> None:
    result, _, _ = solved
    community = eo.load_scenario(REPO_ROOT / "examples" / "gao_community.yaml")
    with pytest.raises(ValueError, match="community: or mission:"):
        finance.cash_flow(result, community)


def test_no_baseline_gives_no_payback(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]) -> None:
    from dataclasses import replace

    result, scenario, inputs = solved
    flow = finance.cash_flow(replace(result, baseline=None), scenario, inputs)
    assert flow["saving_usd"].isna().all()
    assert flow.attrs["simple_payback_years"] is None
    assert flow.attrs["irr"] is None
