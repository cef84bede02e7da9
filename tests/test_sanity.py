"""Sanity warnings (energyopt.sanity): each fires on a crafted scenario, none on the examples."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import energyopt as eo
from energyopt import sanity
from energyopt.cli import summary, warning_lines
from energyopt.inputs import Inputs, build_inputs
from energyopt.load.common import LoadDataWarning
from energyopt.report import render_markdown
from energyopt.report.render import render_html
from energyopt.results import SizingResult
from energyopt.sanity import Caution
from energyopt.solve import SolveInfo, Status

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))


@cache
def _example(path: Path) -> tuple[eo.Scenario, Inputs]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LoadDataWarning)  # the synthetic fuel log's gaps
        scenario = eo.load_scenario(path)
        return scenario, build_inputs(scenario)


def _gao(**overrides: Any) -> tuple[eo.Scenario, Inputs]:
    base, _ = _example(EXAMPLES[[p.stem for p in EXAMPLES].index("gao")])
    scenario = base.with_overrides(overrides) if overrides else base
    return scenario, build_inputs(scenario)


def _on(cautions: list[Caution], path: str) -> Caution:
    found = [c for c in cautions if c.field == path]
    assert len(found) == 1, f"expected one warning on {path}, got {cautions}"
    return found[0]


# --------------------------------------------------------------------------------------------
# None on the ten example camps (gao_community.yaml: Gao with its host community, issue 15)
# --------------------------------------------------------------------------------------------
def test_ten_examples() -> None:
    assert len(EXAMPLES) == 10


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_no_warning_on_examples(path: Path) -> None:
    scenario, inputs = _example(path)
    assert sanity.scenario_cautions(scenario, inputs) == []


# --------------------------------------------------------------------------------------------
# 1. Magnitudes about 1000 times off
# --------------------------------------------------------------------------------------------
def test_rating_in_mw() -> None:
    scenario, inputs = _gao(**{"diesel.units.g400.rated_kw": 0.5})
    c = _on(sanity.magnitude_cautions(scenario, inputs), "diesel.units.g400.rated_kw")
    peak = float(inputs.load_kw.max())
    assert c.kind == "magnitude"
    assert (f"rated 0.5 kW, {0.5 / peak:.2%} of the {peak:,.0f} kW peak load: MW typed as kW?"
            in c.message)
    assert "e.g. 500 for 0.5 MW" in c.fix


def _flat(kw: float, rated_kw: float) -> tuple[eo.Scenario, Inputs]:
    scenario = eo.load_scenario({"site": "gao", "horizon": {"days": 2},
                                 "load": {"constant_kw": kw},
                                 "diesel": {"units": [{"name": "g1", "rated_kw": rated_kw,
                                                       "max_count": 2}]}})
    return scenario, build_inputs(scenario)


def test_rating_far_above_the_load() -> None:
    scenario, inputs = _flat(5.0, 400.0)
    c = _on(sanity.magnitude_cautions(scenario, inputs), "diesel.units.g1.rated_kw")
    assert "80x the 5 kW peak load: a rating in W, or a load in MW?" in c.message


@pytest.mark.parametrize(("path", "value", "text"), [
    ("solar.max_kwp", 3.0, lambda peak: f"solar.max_kwp is 3 kWp, {3 / peak:.2%} of the "
                                        f"{peak:,.0f} kW peak load: MWp typed as kWp?"),
    ("battery.max_kwh", 5.0, lambda peak: f"battery.max_kwh is 5 kWh, {5 / peak:.2%} of an hour "
                                          f"at the {peak:,.0f} kW peak load: MWh typed as kWh?"),
    ("battery.max_kw", 2.0, lambda peak: f"battery.max_kw is 2 kW, {2 / peak:.2%} of the "
                                         f"{peak:,.0f} kW peak load: MW typed as kW?"),
    ("solar.max_kwp", 900_000.0, lambda peak: f"solar.max_kwp is 900,000 kWp, "
                                              f"{900_000 / peak:,.0f}x the {peak:,.0f} kW peak "
                                              "load"),
])
def test_size_bounds_far_from_the_peak(path: str, value: float,
                                       text: Callable[[float], str]) -> None:
    scenario, inputs = _gao(**{path: value})
    c = _on(sanity.magnitude_cautions(scenario, inputs), path)
    # percentages of the example's own peak load (its cooling follows the site's climate)
    assert text(float(inputs.load_kw.max())) in c.message


def test_small_but_plausible_bound_is_quiet() -> None:
    # 20 kWh is 2.6% of the peak: a small battery, not a unit mix-up
    scenario, inputs = _gao(**{"battery.max_kwh": 20.0})
    assert [c for c in sanity.magnitude_cautions(scenario, inputs)
            if c.field == "battery.max_kwh"] == []


def test_default_bound_on_a_tiny_camp_is_not_flagged() -> None:
    # 5 kW camp: the default battery.max_kwh (20,000 kWh) is 4000x its peak, but a default
    scenario, inputs = _flat(5.0, 10.0)
    assert sanity.magnitude_cautions(scenario, inputs) == []


@pytest.mark.parametrize(("value", "text", "fix"), [
    (0.0011, "fuel.price_usd_per_l is 0.0011 USD/L, far below any diesel price", "e.g. 1.1"),
    (25.0, "fuel.price_usd_per_l is 25 USD/L, the price of a fully burdened litre",
     "purchase price at origin"),
])
def test_fuel_price(value: float, text: str, fix: str) -> None:
    scenario, inputs = _gao(**{"fuel.price_usd_per_l": value})
    c = _on(sanity.magnitude_cautions(scenario, inputs), "fuel.price_usd_per_l")
    assert text in c.message
    assert fix in c.fix


def test_truck_in_cubic_metres() -> None:
    scenario, inputs = _gao(**{"fuel.truck_capacity_l": 36})
    c = _on(sanity.magnitude_cautions(scenario, inputs), "fuel.truck_capacity_l")
    assert "36 L, smaller than any fuel truck" in c.message
    assert "(36 m3 = 36,000 L)" in c.message
    assert "e.g. 36000" in c.fix


def test_tank_in_cubic_metres() -> None:
    scenario, inputs = _gao(**{"fuel.inventory.existing_tank_l": 150,
                               "fuel.inventory.max_tank_l": 600})
    found = sanity.magnitude_cautions(scenario, inputs)
    assert "150 m3 = 150,000 L" in _on(found, "fuel.inventory.existing_tank_l").message
    assert "e.g. 600000" in _on(found, "fuel.inventory.max_tank_l").fix


def test_personnel_in_thousands() -> None:
    scenario, inputs = _gao(**{"load.personnel": 1})
    c = _on(sanity.magnitude_cautions(scenario, inputs), "load.personnel")
    assert "load.personnel is 1, far outside the battalion_hq tier of 500-1,000" in c.message


def test_energy_per_person_in_mwh() -> None:
    scenario, inputs = _gao(**{"load.kwh_per_person_per_day": 0.01})
    c = _on(sanity.magnitude_cautions(scenario, inputs), "load.kwh_per_person_per_day")
    assert "MWh typed as kWh?" in c.message
    assert "e.g. 10" in c.fix


# --------------------------------------------------------------------------------------------
# 2. Capacity below the peak
# --------------------------------------------------------------------------------------------
def test_fleet_below_the_peak() -> None:
    scenario, inputs = _gao(**{"diesel.units.g400.existing": 1, "diesel.units.g400.max_count": 1,
                               "battery.max_kwh": 200})
    [c] = sanity.capacity_cautions(scenario, inputs)
    assert c.field == "diesel.units.g400.max_count"
    assert c.kind == "capacity"
    peak = float(inputs.load_kw.max())
    assert ("diesel fleet at full count (1 x 400 kW = 400 kW) plus the battery's largest power "
            f"(200 kW) is 600 kW, below the peak load of {peak:,.0f} kW") in c.message
    assert "raise diesel.units.g400.max_count to 2" in c.fix


def test_fleet_above_the_peak_is_quiet() -> None:
    scenario, inputs = _gao(**{"battery.max_kwh": 0})
    assert sanity.capacity_cautions(scenario, inputs) == []


# --------------------------------------------------------------------------------------------
# 3. Short horizon
# --------------------------------------------------------------------------------------------
def test_short_horizon_names_the_dates() -> None:
    scenario, inputs = _gao(**{"horizon.days": 14})
    [c] = sanity.horizon_cautions(scenario, inputs)
    assert c.field == "horizon.days"
    assert ("a 14-day run (horizon.start 2025-01-01, horizon.days 14) models 2025-01-01 to "
            "2025-01-14 only and annualises it (each step counts 26.1 times)") in c.message
    assert "horizon.days: 365" in c.fix


def test_short_horizon_from_another_start() -> None:
    scenario, _ = _gao(**{"horizon.days": 7, "horizon.start": "2025-07-01"})
    [c] = sanity.horizon_cautions(scenario)
    assert "models 2025-07-01 to 2025-07-07 only" in c.message


# --------------------------------------------------------------------------------------------
# 4. Sizes at their limit after the solve
# --------------------------------------------------------------------------------------------
def _fabricated(sizes: dict[str, float]) -> SizingResult:
    info = SolveInfo(status=Status.OPTIMAL, termination="gap reached", objective=1.0, bound=1.0,
                     mip_gap=0.0, runtime_s=0.0, handoff_s=0.0, solver="none", n_rows=0,
                     n_cols=0, n_integers=0)
    return SizingResult(name="x", sizes=pd.Series(sizes), kpis=pd.Series(dtype=float),
                        costs=pd.DataFrame(), dispatch=pd.DataFrame(), solve_info=info)


def test_sizes_at_their_limits() -> None:
    scenario, _ = _gao(**{"solar.max_kwp": 300, "battery.max_kw": 1000})
    result = _fabricated({"pv_kwp": 300.0, "battery_kwh": 20_000.0, "battery_kw": 1000.0,
                          "diesel_g400_count": 6.0, "diesel_g400_new_count": 2.0,
                          "fuel_tank_l": 600_000.0})
    found = sanity.limit_cautions(scenario, result)
    assert [c.field for c in found] == ["solar.max_kwp", "battery.max_kwh", "battery.max_kw",
                                        "diesel.units.g400.max_count",
                                        "fuel.inventory.max_tank_l"]
    assert str(found[0]) == ("PV at solar.max_kwp (300 kWp): more space would lower cost; raise "
                             "solar.max_kwp if the site allows")
    assert all(c.kind == "at_limit" for c in found)
    assert "diesel unit g400 at diesel.units.g400.max_count (6 x 400 kW)" in found[3].message


def test_sizes_inside_their_limits_are_quiet() -> None:
    scenario, _ = _gao()
    result = _fabricated({"pv_kwp": 2999.0, "battery_kwh": 0.0, "battery_kw": 0.0,
                          "diesel_g400_count": 5.0, "fuel_tank_l": 150_000.0})
    assert sanity.limit_cautions(scenario, result) == []
    # a fleet fixed at what exists is no choice, so not at a limit
    fixed, _ = _gao(**{"diesel.units.g400.max_count": 4})
    assert sanity.limit_cautions(fixed, _fabricated({"diesel_g400_count": 4.0})) == []


def test_battery_power_from_the_c_rate() -> None:
    scenario, _ = _gao(**{"battery.max_kwh": 500})
    [c] = [c for c in sanity.limit_cautions(scenario, _fabricated({"battery_kw": 500.0}))]
    assert c.field == "battery.max_power_to_energy_per_h"
    assert "500 kW = battery.max_kwh x battery.max_power_to_energy_per_h 1/h" in c.message


# --------------------------------------------------------------------------------------------
# Wiring: optimize, logging, CLI summary, Markdown and HTML
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def solved(small_camp: dict[str, Any]) -> tuple[SizingResult, eo.Scenario, Inputs]:
    scenario = eo.load_scenario(small_camp).with_overrides({"solar.max_kwp": 60,
                                                            "solver.time_limit_s": 15})
    inputs = build_inputs(scenario)
    return eo.optimize(scenario, baseline=False, inputs=inputs), scenario, inputs


def test_optimize_attaches_and_logs(small_camp: dict[str, Any],
                                    caplog: pytest.LogCaptureFixture) -> None:
    scenario = eo.load_scenario(small_camp).with_overrides({"solar.max_kwp": 60,
                                                            "horizon.days": 1,
                                                            "solver.time_limit_s": 10})
    with caplog.at_level(logging.WARNING, logger="energyopt"):
        result = eo.optimize(scenario, baseline=False)
    fields = [c.field for c in result.warnings]
    assert fields[0] == "horizon.days"
    assert "solar.max_kwp" in fields
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("energyopt")]
    assert any(m.startswith("horizon.days: a 1-day run") for m in logged)
    assert any(m.startswith("solar.max_kwp: PV at solar.max_kwp (60 kWp)") for m in logged)
    assert result.to_dict()["warnings"][0]["field"] == "horizon.days"


def test_summary_markdown_and_html_show_them(
        solved: tuple[SizingResult, eo.Scenario, Inputs]) -> None:
    result, scenario, inputs = solved
    assert [c.field for c in result.warnings] == ["horizon.days", "solar.max_kwp"]
    text = summary(result, scenario, inputs)
    block = warning_lines(result)
    assert block[0] == "Warnings (2): the run went on, but check these inputs"
    assert block[1].startswith("  - horizon.days: a 4-day run (horizon.start 2025-03-30")
    assert text.index("Warnings (2)") < text.index("Scenario: ")
    assert all(len(line) <= 99 for line in block)
    md = render_markdown(result, scenario=scenario)
    assert "## Warnings" in md
    assert "- `solar.max_kwp`: PV at solar.max_kwp (60 kWp): more space would lower cost" in md
    html = render_html(result, scenario=scenario, inputs=inputs)
    assert 'id="warnings"' in html
    assert html.index('id="warnings"') < html.index('id="sizes"')


def test_html_escapes_warnings(solved: tuple[SizingResult, eo.Scenario, Inputs]) -> None:
    result, scenario, inputs = solved
    odd = Caution("load.csv", "a <b>bold</b> & odd value", "fix <it>")
    other = SizingResult(**{**result.__dict__, "warnings": [odd]})
    html = render_html(other, scenario=scenario, inputs=inputs)
    assert "a &lt;b&gt;bold&lt;/b&gt; &amp; odd value; fix &lt;it&gt;" in html
    assert "<b>bold</b>" not in html


def test_no_block_without_warnings(solved: tuple[SizingResult, eo.Scenario, Inputs]) -> None:
    result, scenario, inputs = solved
    clean = SizingResult(**{**result.__dict__, "warnings": []})
    assert warning_lines(clean) == []
    assert "## Warnings" not in render_markdown(clean, scenario=scenario)
    assert 'id="warnings"' not in render_html(clean, scenario=scenario, inputs=inputs)
    assert np.isfinite(float(clean.kpis["npc_usd"]))
