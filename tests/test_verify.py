"""Tests of energyopt.verify and ``energyopt verify``: a design operated over weather years.

Most tests operate fixed sizes on a two-week diesel camp with a daily fuel inventory, where
blockade survival can be checked by hand: one 200 kW set carries a flat 150 kW load and burns
0.08 L/h per rated kW plus 0.25 L/kWh, i.e. 53.5 L/h or 1,284 L a day.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import energyopt as eo
from energyopt import cli
from energyopt.errors import ScenarioError
from energyopt.report import render_markdown
from energyopt.report.render import render_html
from energyopt.verify import METRICS, weather_overrides

pytest.importorskip("energyopt.simulate", reason="the simulator (energyopt.simulate) is needed")

runner = CliRunner()

#: Burn of the diesel camp [L/day]: (0.08 * 200 + 0.25 * 150) L/h for 24 h.
BURN_L_PER_DAY = (0.08 * 200 + 0.25 * 150) * 24


def _diesel_camp(tank_l: float, schedule: str = "free", days: int = 14) -> dict[str, Any]:
    """Gao, ``days`` days from 1 March, flat 150 kW (20% critical), two 200 kW sets."""
    return {
        "name": "diesel camp",
        "site": "gao",
        "horizon": {"days": days, "start": "2025-03-01"},
        "load": {"constant_kw": 150, "critical_fraction": 0.2},
        "solar": {"max_kwp": 0},
        "battery": {"max_kwh": 0},
        "diesel": {"units": [{"name": "g200", "rated_kw": 200, "existing": 2, "max_count": 2,
                              "fuel_intercept_l_per_h_per_kw": 0.08,
                              "fuel_slope_l_per_kwh": 0.25}]},
        "fuel": {"loss_fraction": 0.0, "truck_capacity_l": 36000, "trucks_per_convoy": 10,
                 "inventory": {"existing_tank_l": tank_l, "max_tank_l": tank_l,
                               "convoy_schedule": schedule, "safety_stock_days": 0,
                               "autonomy_days": 0}},
        "solver": {"mip_rel_gap": 0.02},
    }


def _sizes(tank_l: float) -> dict[str, float]:
    return {"pv_kwp": 0.0, "battery_kwh": 0.0, "battery_kw": 0.0, "diesel_g200_count": 2.0,
            "fuel_tank_l": tank_l}


def _pv_camp() -> dict[str, Any]:
    """A two-week camp with PV, a battery and weekly convoys of 2,000 L trucks.

    The 8,000 L tank holds about nine days of its burn: long blockades run it dry.
    """
    camp = _diesel_camp(8_000, schedule="weekly")
    camp["name"] = "pv camp"
    camp["fuel"]["truck_capacity_l"] = 2_000
    camp["solar"] = {"max_kwp": 400}
    camp["battery"] = {"max_kwh": 500}
    return camp


PV_SIZES = {"pv_kwp": 300.0, "battery_kwh": 400.0, "battery_kw": 150.0,
            "diesel_g200_count": 2.0, "fuel_tank_l": 8_000.0}


@pytest.fixture(scope="module")
def pv_scenario() -> eo.Scenario:
    return eo.Scenario.model_validate(_pv_camp())


@pytest.fixture(scope="module")
def pv_verification(pv_scenario: eo.Scenario) -> eo.Verification:
    return eo.verify(PV_SIZES, pv_scenario, years=5, failures=True, workers=1)


# --------------------------------------------------------------------------------------------
# The years and their summary
# --------------------------------------------------------------------------------------------
def test_one_row_per_year_and_ordered_percentiles(pv_verification: eo.Verification) -> None:
    v = pv_verification
    assert len(v.years) == 5
    assert v.years["year"].is_unique
    assert set(METRICS) <= set(v.years.columns)
    assert list(v.summary.index) == list(METRICS)
    for key, row in v.summary.iterrows():
        if math.isnan(row["p50"]):
            continue
        assert row["min"] <= row["p10"] <= row["p50"] <= row["p90"] <= row["max"], key
    assert 0.0 <= v.stockout_probability <= 1.0
    assert v.stockout_probability == pytest.approx(
        float((v.years["stockout_hours"] > 0).mean()))
    # weather years differ (or at least the failures do): fuel is not one number
    assert v.years["fuel_l_per_year"].nunique() > 1


def test_survival_curve_is_a_probability_non_increasing_in_days(
        pv_verification: eo.Verification) -> None:
    s = pv_verification.blockade_survival
    assert list(s.index) == [1, 2, 3, 5, 7, 10, 14, 21, 28]
    assert ((s >= 0) & (s <= 1)).all()
    assert (np.diff(s.to_numpy()) <= 1e-12).all()
    assert pv_verification.blockade_starts == 5 * 14


def test_worst_week(pv_verification: eo.Verification) -> None:
    w = pv_verification.worst_week
    assert w["year"] in set(pv_verification.years["year"])
    assert (w["end"] - w["start"]).days == 6
    assert w["fuel_l"] > 0
    assert 0 <= w["critical_unserved_kwh"] <= w["unserved_kwh"] + 1e-9
    # no energy lost here: the worst week is the week burning most, across all years
    years = pv_verification.years
    assert (years["worst_week_unserved_kwh"] < 1e-6).all()
    assert w["fuel_l"] == years["worst_week_fuel_l"].max()
    top = int(np.argmax(years["worst_week_fuel_l"].to_numpy()))
    assert w["start"] == years["worst_week_start"].iloc[top]


def test_same_figures_whatever_the_number_of_workers(pv_scenario: eo.Scenario,
                                                     pv_verification: eo.Verification) -> None:
    two = eo.verify(PV_SIZES, pv_scenario, years=5, failures=True, workers=2)
    pd.testing.assert_frame_equal(two.years, pv_verification.years)
    pd.testing.assert_frame_equal(two.summary, pv_verification.summary)
    pd.testing.assert_series_equal(two.blockade_survival, pv_verification.blockade_survival)
    assert two.worst_week == pv_verification.worst_week
    assert two.stockout_probability == pv_verification.stockout_probability


def test_same_seed_same_figures_other_seed_other_years(pv_scenario: eo.Scenario) -> None:
    a = eo.verify(PV_SIZES, pv_scenario, years=2, seed=3, blockade_days=(1,), workers=1)
    b = eo.verify(PV_SIZES, pv_scenario, years=2, seed=3, blockade_days=(1,), workers=1)
    c = eo.verify(PV_SIZES, pv_scenario, years=2, seed=4, blockade_days=(1,), workers=1)
    pd.testing.assert_frame_equal(a.years, b.years)
    assert list(a.years["year"]) != list(c.years["year"])


def test_weather_overrides_one_per_year(pv_scenario: eo.Scenario) -> None:
    overrides = weather_overrides(pv_scenario, 4, seed=10)
    assert len(overrides) == 4
    assert len({tuple(sorted(o.items())) for o in overrides}) == 4
    for o in overrides:
        pv_scenario.with_overrides(o)  # each is a valid override


# --------------------------------------------------------------------------------------------
# Blockade survival by hand
# --------------------------------------------------------------------------------------------
def test_big_tank_survives_every_blockade() -> None:
    """A tank of 100 days' burn never runs dry in two weeks: survival 1 for every d."""
    tank = 100 * BURN_L_PER_DAY
    v = eo.verify(_sizes(tank), eo.Scenario.model_validate(_diesel_camp(tank, "weekly")),
                  years=2, blockade_days=(0, 1, 7, 14, 28), workers=1)
    assert (v.blockade_survival == 1.0).all()
    assert v.stockout_probability == 0.0
    assert (v.years["critical_lost_hours"] == 0).all()
    assert v.years["fuel_l_per_year"].iloc[0] == pytest.approx(BURN_L_PER_DAY * 365, rel=1e-6)


def test_stock_that_cannot_cover_the_blockade_loses_the_critical_load() -> None:
    """Daily arrivals top a 1.5-day tank up; a cancelled arrival leaves half a day of fuel.

    Any blockade from day s >= 1 finds 0.5 days of burn at the start of day s and runs dry
    that day. From day 0 the camp starts with the initial stock: a full tank (1.5 days) lasts
    day 0, so a one-day blockade from day 0 (the next arrival comes on day 1) is survived,
    and any longer one is not: survival 1/14 for d = 1 and 0 beyond.
    """
    tank = 1.5 * BURN_L_PER_DAY
    v = eo.verify(_sizes(tank), eo.Scenario.model_validate(_diesel_camp(tank, "free")),
                  years=1, blockade_days=(0, 1, 2, 3, 7), workers=1)
    # undisturbed, the camp never runs dry
    assert v.stockout_probability == 0.0
    assert v.years["critical_lost_hours"].iloc[0] == 0.0
    assert v.blockade_starts == 14
    assert v.blockade_survival[0] == 1.0
    assert v.blockade_survival[1] == pytest.approx(1 / 14)
    assert (v.blockade_survival[[2, 3, 7]] == 0.0).all()


def test_errors_are_scenario_errors(pv_scenario: eo.Scenario) -> None:
    with pytest.raises(ScenarioError, match="years"):
        eo.verify(PV_SIZES, pv_scenario, years=0)
    with pytest.raises(ScenarioError, match="blockade_days"):
        eo.verify(PV_SIZES, pv_scenario, years=1, blockade_days=(-1,))
    with pytest.raises(ScenarioError, match="controller"):
        eo.verify(PV_SIZES, pv_scenario, years=1, controller="psychic")
    with pytest.raises(ScenarioError, match="fuel.inventory"):
        eo.verify(PV_SIZES, pv_scenario, years=1, resupply="planned")


# --------------------------------------------------------------------------------------------
# A solved design: the optimiser's column, the report and the CLI
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def solved(small_camp: dict[str, Any]) -> tuple[eo.SizingResult, eo.Scenario, eo.Verification]:
    scenario = eo.Scenario.model_validate(small_camp)
    result = eo.optimize(scenario, baseline=False)
    v = eo.verify(result, scenario, years=3, workers=1, blockade_days=(1, 3))
    return result, scenario, v


def test_optimiser_figures_beside_the_years(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Verification]) -> None:
    result, _, v = solved
    assert v.summary.loc["fuel_l_per_year", "optimiser"] == float(
        result.kpis["fuel_l_per_year"])
    assert not math.isnan(v.figure("fuel_l_per_year")["design_year"])
    note = v.closing_note()
    for word in ("P50", "P90", "optimiser"):
        assert word in note


def test_closing_note_of_a_plan_without_diesel_has_no_percentages(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Verification]) -> None:
    # an optimiser's fuel of ~1e-10 L (solver noise of an all-solar plan) once gave
    # "+71,353,263,525,301,088%"
    import copy

    _, _, v = solved
    plan = copy.deepcopy(v)
    plan.summary.loc["fuel_l_per_year", "optimiser"] = 1e-10
    note = plan.closing_note()
    assert "%" not in note.split(";")[0]
    assert "a plan without diesel" in note


def test_report_and_summary_show_the_operation(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Verification]) -> None:
    result, scenario, v = solved
    html = render_html(result, scenario=scenario, verification=v)
    assert '<section id="operation">' in html
    assert "How the design operates" in html
    assert 'aria-label="Blockade survival"' in html
    assert 'aria-label="Fuel over weather years"' in html  # the distribution of the years
    # the "how sure" box at the top gives the spread over the weather years
    fuel = v.figure("fuel_l_per_year")
    box = html.split('id="how-sure"')[1].split("</div>")[0]
    assert (f"over 3 weather years: fuel P50 {fuel['p50']:,.0f} L/yr, P90 "
            f"{fuel['p90']:,.0f} L/yr") in box
    assert html.count("<svg") == render_html(result, scenario=scenario).count("<svg") + 2
    assert "operation" not in render_html(result, scenario=scenario).split("<main>")[1][:200]
    md = render_markdown(result, scenario=scenario, verification=v)
    assert "Operated without foresight over 3 weather years" in md
    assert "Operated without foresight" not in render_markdown(result, scenario=scenario)


def test_csv_files(solved: tuple[eo.SizingResult, eo.Scenario, eo.Verification],
                   tmp_path: Path) -> None:
    _, _, v = solved
    paths = v.to_csv(tmp_path)
    assert [p.name for p in paths] == ["verify_years.csv", "verify_summary.csv",
                                       "blockade_survival.csv"]
    years = pd.read_csv(paths[0])
    assert len(years) == 3
    summary = pd.read_csv(paths[1], index_col="figure")
    assert summary.loc["fuel_l_per_year", "p50"] == pytest.approx(
        v.summary.loc["fuel_l_per_year", "p50"])
    assert "stockout_probability" in summary.index
    survival = pd.read_csv(paths[2], index_col="blockade_days")
    assert list(survival.index) == [1, 3]


def test_cli_verify_prints_the_table_and_writes_the_files(
        small_camp: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small_camp, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    report = tmp_path / "report.html"
    result = runner.invoke(cli.app, ["verify", str(path), "--years", "2", "--out", str(out),
                                     "--workers", "1", "--report", str(report)])
    assert result.exit_code == 0, result.output
    for name in ("verify_years.csv", "verify_summary.csv", "blockade_survival.csv",
                 "summary.md"):
        assert (out / name).is_file(), name
    text = result.stdout
    for word in ("P10", "P50", "P90", "optimiser"):
        assert word in text
    assert "Stock-out probability" in text
    assert "Blockade survival" in text
    assert "Worst week" in text
    assert "Fuel P50" in text
    assert '<section id="operation">' in report.read_text(encoding="utf-8")


def test_cli_verify_errors_keep_the_exit_codes(small_camp: dict[str, Any],
                                               tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small_camp, sort_keys=False), encoding="utf-8")
    bad = runner.invoke(cli.app, ["verify", str(path), "--controller", "psychic"])
    assert bad.exit_code == cli.EXIT_SCENARIO
    assert "--controller" in bad.output
    bad = runner.invoke(cli.app, ["verify", str(path), "--set", "load.constant_kw=-5"])
    assert bad.exit_code == cli.EXIT_SCENARIO
    assert "Scenario error" in bad.output
    assert "Traceback" not in bad.output


@pytest.mark.parametrize("schedule", ["weekly", "free"])
def test_survival_equals_brute_force(schedule: str) -> None:
    """One re-run per arrival day gives what a full run per (start day, d) gives."""
    from energyopt.simulate import Outages, simulate

    camp = _pv_camp()
    camp["fuel"]["inventory"]["convoy_schedule"] = schedule
    camp["fuel"]["inventory"]["existing_tank_l"] = camp["fuel"]["inventory"]["max_tank_l"] = (
        3_000 if schedule == "free" else 8_000)
    sizes = {**PV_SIZES, "fuel_tank_l": camp["fuel"]["inventory"]["max_tank_l"]}
    scenario = eo.Scenario.model_validate(camp)
    lengths = (1, 2, 3, 5, 8)
    v = eo.verify(sizes, scenario, years=1, blockade_days=lengths, workers=1)
    year = scenario.with_overrides(weather_overrides(scenario, 1)[0])
    inputs = eo.build_inputs(year)
    base = simulate(sizes, year, inputs=inputs)
    assert base.fuel_daily is not None
    dates = list(base.fuel_daily.index)
    arrivals = [i for i, d in enumerate(dates) if base.fuel_daily.loc[d, "arrival_open"]]
    day = np.array([(t.date() - dates[0]).days for t in inputs.index])
    expected = []
    for d in lengths:
        served = 0
        for s in range(len(dates)):
            e = min(s + d - 1, len(dates) - 1)
            end = next((a for a in arrivals if a > e), len(dates))
            run = simulate(sizes, year, inputs=inputs,
                           outages=Outages(blockade=(dates[s], dates[e])))
            lost = run.dispatch["unserved_critical_kw"].to_numpy()[(day >= s) & (day < end)]
            served += int(lost.sum() <= 1e-9)
        expected.append(served / len(dates))
    assert v.blockade_survival.to_numpy() == pytest.approx(expected, abs=1e-12)
    assert len(set(expected)) > 1  # the case is not trivial


def test_many_arrival_days_sample_the_start_days(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_TRAJECTORIES arrival days, every k-th start day is tried (and said)."""
    module = sys.modules["energyopt.verify"]  # energyopt.verify is the function
    camp = _pv_camp()
    camp["fuel"]["inventory"]["convoy_schedule"] = "free"
    scenario = eo.Scenario.model_validate(camp)
    full = eo.verify(PV_SIZES, scenario, years=1, blockade_days=(1, 3), workers=1)
    monkeypatch.setattr(module, "MAX_TRAJECTORIES", 3)
    monkeypatch.setattr(module, "MIN_SAMPLED_STARTS", 7)
    sampled = eo.verify(PV_SIZES, scenario, years=1, blockade_days=(1, 3), workers=1)
    assert full.blockade_starts == 14
    assert sampled.blockade_starts == 7
    assert any("sampled every 2 day(s)" in n for n in sampled.notes)
    assert ((sampled.blockade_survival >= 0) & (sampled.blockade_survival <= 1)).all()
