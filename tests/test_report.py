"""Tests of the sizing report (energyopt.report) on a small solved camp with PV and a battery."""

from __future__ import annotations

import csv
import math
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import energyopt as eo
from energyopt.report import render as report_render
from energyopt.report import tables

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def solved(small_camp: dict[str, Any]) -> tuple[eo.SizingResult, eo.Scenario, eo.Inputs]:
    scenario = eo.load_scenario(small_camp)
    inputs = eo.build_inputs(scenario)
    result = eo.optimize(scenario, inputs=inputs)
    # the fixture must exercise every figure: PV, a battery and running generators
    assert result.sizes["pv_kwp"] > 0
    assert result.sizes["battery_kwh"] > 0
    assert result.kpis["diesel_hours_per_year"] > 0
    return result, scenario, inputs


@pytest.fixture(scope="module")
def html(solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs],
         tmp_path_factory: pytest.TempPathFactory) -> str:
    result, scenario, inputs = solved
    path = eo.render_report(result, tmp_path_factory.mktemp("r") / "sub" / "report.html",
                            scenario=scenario, inputs=inputs)
    return path.read_text(encoding="utf-8")


class _Sections(HTMLParser):
    """Collect, per <section id>, its text, its <svg> count and its number spans."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.current: str | None = None
        self.depth = 0
        self.svgs: dict[str, int] = {}
        self.text: dict[str, list[str]] = {}
        self.spans: list[dict[str, str]] = []
        self._span: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "section":
            self.current, self.depth = a.get("id", ""), 0
            self.svgs[self.current] = 0
            self.text[self.current] = []
        elif self.current is not None:
            if tag == "svg":
                self.svgs[self.current] += 1
            if tag == "span" and "num" in a.get("class", "").split():
                self._span = dict(a, text="", section=self.current)

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.current = None
        if tag == "span" and self._span is not None:
            self.spans.append(self._span)
            self._span = None

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.text[self.current].append(data)
        if self._span is not None:
            self._span["text"] += data


def parse(html: str) -> _Sections:
    parser = _Sections()
    parser.feed(html)
    return parser


def shown_value(text: str) -> float:
    return float(text.replace(",", "").replace("+", ""))


def assert_rounded(shown: str, value: float) -> None:
    """``shown`` is ``value`` rounded to the decimals it shows."""
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    assert shown_value(shown) == pytest.approx(value, abs=0.5 * 10 ** -decimals + 1e-9), (
        shown, value)


def test_every_section_present_and_optional_ones_absent(html: str) -> None:
    sections = parse(html)
    for section_id in report_render.SECTION_IDS:
        assert section_id in sections.svgs, section_id
    # no logistics model, no Pareto front: their sections are left out
    assert "fuel" not in sections.svgs
    assert "pareto" not in sections.svgs


def test_figures_in_their_sections(html: str) -> None:
    svgs = parse(html).svgs
    assert svgs["energy-mix"] == 1
    assert svgs["dispatch"] == 2  # March and April: the best and the worst solar month
    assert svgs["battery"] == 1
    assert svgs["generators"] == 1


def test_html_is_self_contained(html: str) -> None:
    lower = html.lower()
    assert "<script" not in lower
    assert "<link" not in lower
    assert "@import" not in lower
    assert re.findall(r"url\(\s*['\"]?([^#\s'\")][^)]*)\)", lower) == []  # only url(#id)
    assert "<img" not in lower
    for value in re.findall(r'\b(?:src|href)\s*=\s*"([^"]*)"', html):
        assert value.startswith("#"), value
    # no address to load, not even an XML namespace; cited sources (data/climate_normals.csv
    # names its pages) may appear as text only
    assert not re.search(r'=\s*"https?://', lower)
    assert "xmlns" not in lower or not re.search(r'xmlns(:\w+)?\s*=\s*"http', lower)
    assert "<style>" in html


def test_kpi_numbers_are_the_results(solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs],
                                     html: str) -> None:
    result, _, _ = solved
    assert result.baseline is not None
    spans = {s["data-key"]: s for s in parse(html).spans}
    checked = 0
    for key, _, unit, _ in report_render.KPI_ROWS:
        design = float(result.kpis[key])
        base = float(result.baseline.kpis[key])
        scale = 100.0 if unit == "%" else 1.0
        span = spans[f"design:{key}"]
        assert float(span["data-value"]) == design  # stored, not rounded
        assert_rounded(span["text"], design * scale)
        assert_rounded(spans[f"diesel_only:{key}"]["text"], base * scale)
        saving = design - base if key == "renewable_fraction" else base - design
        assert_rounded(spans[f"saving:{key}"]["text"], saving * scale)
        checked += 1
    assert checked == len(report_render.KPI_ROWS)
    # the cost table sums to the net present cost
    assert float(spans["cost:total:total"]["data-value"]) == pytest.approx(
        float(result.kpis["npc_usd"]), rel=1e-9)
    assert_rounded(spans["cost:total:total"]["text"], float(result.kpis["npc_usd"]))
    assert_rounded(spans["size:pv_kwp"]["text"], float(result.sizes["pv_kwp"]))


def test_solver_section(solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs],
                        html: str) -> None:
    result, _, _ = solved
    text = " ".join(parse(html).text["solver"])
    info = result.solve_info
    assert info.status in text
    assert info.solver in text
    assert f"{100 * info.mip_gap:.2f}%" in text or f"{100 * info.mip_gap:.2g}%" in text
    assert "diesel only" in text


def _grades_from_csv() -> dict[str, str]:
    with (REPO_ROOT / "data" / "technologies.csv").open(encoding="utf-8") as handle:
        return {row["key"]: row["grade"] for row in csv.DictReader(handle)}


def _assumption_rows(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr[^>]*data-assumption="([^"]+)"[^>]*>(.*?)</tr>', html, re.S))


def test_estimates_flagged_without_scenario(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]) -> None:
    result, _, _ = solved
    rows = _assumption_rows(report_render.render_html(result))
    grades = _grades_from_csv()
    assert set(rows) == set(grades)
    for key, grade in grades.items():
        assert ("ESTIMATE" in rows[key]) == (grade in ("E", "D")), key
        assert f">{grade}</span>" in rows[key]
    assert any(g == "E" for g in grades.values())


def test_scenario_values_and_their_provenance(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs], html: str) -> None:
    rows = _assumption_rows(html)
    # the scenario caps PV at 400 kWp: shown as the scenario's value, graded ?, flagged
    assert "scenario value" in rows["pv.max_kwp"]
    assert ">?</span>" in rows["pv.max_kwp"]
    assert re.search(r">\s*400\s*<", rows["pv.max_kwp"])
    assert "ESTIMATE" in rows["pv.max_kwp"]
    # a default the scenario keeps carries its table source and grade
    grades = _grades_from_csv()
    assert f">{grades['fuel.co2_kg_per_l']}</span>" in rows["fuel.co2_kg_per_l"]
    # diesel defaults are listed per unit type
    assert "diesel.units.g200.min_load_fraction" in rows
    # weather and load sources from the inputs
    text = " ".join(parse(html).text["assumptions"])
    assert "embedded stochastic weather year" in text


def test_markdown_summary_numbers(solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]
                                  ) -> None:
    result, scenario, _ = solved
    assert result.baseline is not None
    text = eo.render_markdown(result, scenario=scenario)
    assert text.startswith("# small camp\n")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5:
            rows[cells[0]] = cells
    for key, label, unit, _ in report_render.KPI_ROWS:
        scale = 100.0 if unit == "%" else 1.0
        _, shown_unit, design, base, saving = rows[label]
        assert shown_unit == unit
        d, b = float(result.kpis[key]), float(result.baseline.kpis[key])
        assert_rounded(design, d * scale)
        assert_rounded(base, b * scale)
        assert_rounded(saving, ((d - b) if key == "renewable_fraction" else (b - d)) * scale)
    assert "200 kW generators" in text


def test_step_hours_and_monthly_mix(solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]
                                    ) -> None:
    result, _, inputs = solved
    with_inputs = tables.step_hours(result, inputs)
    without = tables.step_hours(result)
    assert float(with_inputs.sum()) == pytest.approx(8760.0)
    np.testing.assert_allclose(without.to_numpy(), with_inputs.to_numpy(), rtol=1e-12)
    mix = tables.monthly_mix(result, with_inputs)
    assert [str(m) for m in mix.index] == ["2025-03", "2025-04"]
    for col, kpi in (("pv_kw", "pv_kwh_per_year"), ("diesel_kw", "diesel_kwh_per_year"),
                     ("load_kw", "load_kwh_per_year")):
        assert float(mix[col].sum()) == pytest.approx(float(result.kpis[kpi]), rel=1e-9)
    # 2 of the 4 days fall in March
    assert float(mix.loc[pd.Period("2025-03"), "load_kw"]) == pytest.approx(
        0.5 * 200 * 8760)


def test_wet_stacking_hours(solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]) -> None:
    result, _, inputs = solved
    d = result.dispatch.copy()
    n = len(d)
    d["diesel_g200_online"] = np.r_[np.ones(n - 2), 0.0, 2.0]
    d["diesel_g200_loading"] = np.r_[np.full(n - 2, 0.2), 0.0, 0.5]
    d.iloc[:10, d.columns.get_loc("diesel_g200_loading")] = 0.8
    fake = replace(result, dispatch=d)
    hours = tables.step_hours(fake, inputs)
    loading, unit_hours = tables.loading_hours(fake, hours, "g200")
    assert len(loading) == n - 1  # the step with no unit running is left out
    w = float(hours.iloc[0])
    below = unit_hours[loading < tables.WET_STACKING_LOAD_FRACTION].sum()
    assert below == pytest.approx((n - 2 - 10) * w)
    assert unit_hours.sum() == pytest.approx((n - 2 + 2) * w)


def test_conditional_fuel_and_pareto_sections(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]) -> None:
    result, scenario, _ = solved
    days = pd.date_range("2025-03-30", periods=4, freq="D")
    daily = pd.DataFrame({"stock_l": [30000.0, 22000, 45000, 37000],
                          "delivered_l": [0.0, 0, 36000, 0],
                          "convoys": [0.0, 0, 1, 0]}, index=days)
    front = pd.DataFrame({"npc_usd": [3.0e6, 3.2e6, 3.9e6],
                          "expected_casualties_per_year": [0.03, 0.02, 0.01]})
    html = report_render.render_html(result, scenario=scenario, pareto=front, fuel_daily=daily)
    sections = parse(html)
    assert sections.svgs["fuel"] == 1
    assert sections.svgs["pareto"] == 1
    fuel_text = " ".join(sections.text["fuel"])
    assert "2025-04-01" in fuel_text
    assert "36,000" in fuel_text
    assert "2025-03-31" not in fuel_text  # no delivery that day
    assert "22,000 L" in fuel_text  # the lowest stock

    # the hook on the dispatch: a fuel_inventory_l column alone brings the section in
    d = result.dispatch.copy()
    d["fuel_inventory_l"] = np.linspace(50000, 20000, len(d))
    fake = replace(result, dispatch=d)
    assert "fuel" in parse(report_render.render_html(fake)).svgs
    # an empty front and a table without stock leave the sections out
    html = report_render.render_html(result, pareto=front.iloc[:0],
                                     fuel_daily=daily.drop(columns="stock_l"))
    sections = parse(html)
    assert "fuel" not in sections.svgs
    assert "pareto" not in sections.svgs


def test_no_baseline_and_no_battery(solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]
                                    ) -> None:
    result, _, _ = solved
    sizes = result.sizes.copy()
    sizes["battery_kwh"] = 0.0
    fake = replace(result, baseline=None, sizes=sizes)
    html = report_render.render_html(fake)
    sections = parse(html)
    assert sections.svgs["battery"] == 0
    assert "no battery" in " ".join(sections.text["battery"])
    assert "savings cannot be shown" in " ".join(sections.text["summary"])
    spans = {s["data-key"]: s for s in sections.spans}
    assert spans["saving:npc_usd"]["text"] == "n/a"
    assert math.isnan(float(spans["diesel_only:npc_usd"]["data-value"]))
