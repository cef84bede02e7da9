"""Tests of the sizing report (energyopt.report) on a small solved camp with PV and a battery."""

from __future__ import annotations

import csv
import io
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
from energyopt.report import sections as report_sections
from energyopt.report import tables

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def solved(small_camp_solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]
           ) -> tuple[eo.SizingResult, eo.Scenario, eo.Inputs]:
    result, scenario, inputs = small_camp_solved
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
        # links inside the page, and the heat-map's pixels inline in its SVG
        assert value.startswith(("#", "data:image/png;base64,")), value[:40]
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
        better = design - base if key == "renewable_fraction" else base - design
        assert_rounded(spans[f"saving:{key}"]["text"], better * scale)
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


# --- issue 17: money over time, alternatives, how sure ---------------------------------------
@pytest.fixture(scope="module")
def micro(small_camp: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
          ) -> tuple[eo.SizingResult, eo.Scenario, str]:
    """Level yearly costs: no escalation or growth, PV and battery outlive a 10-year horizon."""
    raw = {**small_camp, "name": "micro camp",
           "horizon": {**small_camp["horizon"], "years": 10, "discount_rate": 0.08},
           "solar": {**small_camp["solar"], "lifetime_years": 30},
           "battery": {**small_camp["battery"], "lifetime_years": 12},
           "fuel": {"escalation_per_year": 0.0}}
    scenario = eo.load_scenario(raw)
    result = eo.optimize(scenario)
    path = eo.render_report(result, tmp_path_factory.mktemp("micro") / "micro.html",
                            scenario=scenario)
    return result, scenario, path.read_text(encoding="utf-8")


def _hand_totals(res: eo.SizingResult, years: int, rate: float) -> np.ndarray:
    """Yearly payments from result.costs alone: capex now, level yearly costs, salvage at Y."""
    from energyopt.model.params import annuity

    c = res.costs
    level = float(c.drop(columns=["capex", "salvage"]).to_numpy().sum()) / annuity(rate, years)
    flows = np.r_[float(c["capex"].sum()), np.full(years, level)]
    flows[-1] += float(c["salvage"].sum()) * (1 + rate) ** years
    return flows


def test_cash_flow_and_payback_read_back_from_the_html(
        micro: tuple[eo.SizingResult, eo.Scenario, str]) -> None:
    result, scenario, html = micro
    assert result.baseline is not None
    years, rate = scenario.horizon.years, scenario.horizon.discount_rate
    design = _hand_totals(result, years, rate)
    base = _hand_totals(result.baseline, years, rate)
    sections = parse(html)
    spans = {s["data-key"]: s for s in sections.spans if s["section"] == "cash-flow"}
    for y in range(years + 1):
        for key, want in (("total_usd", design[y]), ("diesel_only_total_usd", base[y]),
                          ("cumulative_usd", design[: y + 1].sum()),
                          ("cumulative_saving_usd", (base - design)[: y + 1].sum())):
            span = spans[f"cash:{y}:{key}"]
            assert float(span["data-value"]) == pytest.approx(want, rel=1e-6, abs=1e-3)
            assert_rounded(span["text"], want)
    # simple payback: the extra capital over the level yearly saving, within the year
    saving = base - design
    assert saving[0] < 0 < saving[1]
    payback = -saving[0] / saving[1]
    span = spans["cash:simple_payback_years"]
    assert float(span["data-value"]) == pytest.approx(payback, rel=1e-6)
    assert_rounded(span["text"], payback)
    text = " ".join(" ".join(sections.text["cash-flow"]).split())
    assert f"{span['text']} years" in text
    # the discounted yearly totals are the net present cost
    npv = sum(float(spans[f"cash:{y}:total_usd"]["data-value"]) / (1 + rate) ** y
              for y in range(years + 1))
    assert npv == pytest.approx(float(result.kpis["npc_usd"]), rel=1e-6)
    # the how-sure box at the top carries the payback too
    summary = " ".join(" ".join(sections.text["summary"]).split())
    assert "How sure are we?" in summary
    assert f"pays back in {fmt_years(payback)}" in summary


def fmt_years(value: float) -> str:
    return f"{value:,.1f} years"


def test_capital_operating_and_lcoe_parts_in_the_html(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs], html: str) -> None:
    result, _, _ = solved
    spans = {s["data-key"]: s for s in parse(html).spans}
    npc = float(result.kpis["npc_usd"])
    capital = float(result.costs[["capex", "replacement", "salvage"]].to_numpy().sum())
    assert float(spans["capop:capital:design"]["data-value"]) == pytest.approx(capital)
    assert float(spans["capop:operating:design"]["data-value"]) == pytest.approx(npc - capital)
    parts = [float(s["data-value"]) for k, s in spans.items()
             if k.startswith("lcoe:") and k != "lcoe:total"]
    assert len(parts) >= 3
    assert sum(parts) == pytest.approx(float(result.kpis["lcoe_usd_per_kwh"]), rel=1e-9)
    assert parse(html).svgs["capital-operating"] == 1
    assert parse(html).svgs["cash-flow"] == 1
    assert parse(html).svgs["heat-map"] == 1


def test_binding_limits_and_how_sure_box(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs], html: str) -> None:
    result, scenario, _ = solved
    sections = parse(html)
    sizes = " ".join(sections.text["sizes"])
    # the scenario caps PV at 400 kWp and the design takes all of it
    assert result.sizes["pv_kwp"] == pytest.approx(400, rel=1e-6)
    assert "Binding limits (1)" in sizes
    assert "PV at solar.max_kwp (400 kWp): more space would lower cost" in sizes
    summary = " ".join(" ".join(sections.text["summary"]).split())
    assert "1 limit(s) of the scenario bind" in summary
    # listed once: the warnings block at the top leaves the at-limit warning to the sizes
    assert "PV at solar.max_kwp" not in summary
    gap = f"{100 * result.solve_info.mip_gap:.2f}%"
    assert f"Converged: this design's net present cost is proven within {gap}" in summary
    assert "Not yet tested over other weather years" in summary
    # the command to run is shown as code, not as backticks
    assert "<code>energyopt verify SCENARIO --report FILE.html</code>" in html
    assert "Inputs. By grade:" in summary
    # an unserved-energy cap the design reaches is flagged too
    capped = scenario.with_overrides({"reliability.max_unserved_fraction": 0.01})
    kpis = result.kpis.copy()
    kpis["unserved_kwh_per_year"] = 0.01 * float(kpis["load_kwh_per_year"])
    limits = report_sections.binding_limits(replace(result, kpis=kpis), capped)
    assert [lim["field"] for lim in limits] == ["solar.max_kwp",
                                               "reliability.max_unserved_fraction"]
    kpis["unserved_kwh_per_year"] *= 0.5
    assert len(report_sections.binding_limits(replace(result, kpis=kpis), capped)) == 1


def test_day_by_hour_averages_sub_hourly_steps() -> None:
    index = pd.date_range("2025-03-29", periods=2 * 96, freq="15min", tz="Europe/Paris")
    values = pd.Series(np.arange(len(index), dtype=float), index=index)
    grid = tables.day_by_hour(values)
    # 30 March loses its 02:00 hour (summer time): 2 days of 96 steps span three dates
    assert list(grid.columns) == list(range(24))
    first = pd.Timestamp("2025-03-29")
    assert grid.loc[first, 0] == pytest.approx(np.mean([0, 1, 2, 3]))
    assert grid.loc[first, 23] == pytest.approx(np.mean([92, 93, 94, 95]))
    assert np.isnan(grid.loc[pd.Timestamp("2025-03-30"), 2])
    assert grid.loc[pd.Timestamp("2025-03-30"), 3] == pytest.approx(np.mean([104, 105, 106,
                                                                             107]))


def _blue_pixels(png: bytes) -> int:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        rgb = np.asarray(image.convert("RGB"), dtype=float)
    return int((np.abs(rgb - np.array([0.0, 114.0, 178.0])).sum(axis=2) < 40).sum())


def test_a_single_delivery_is_visible_on_a_year() -> None:
    from energyopt.report import figures

    days = pd.date_range("2025-01-01", periods=365, freq="D")
    daily = pd.DataFrame({"stock_l": np.linspace(300000, 100000, 365),
                          "delivered_l": np.where(np.arange(365) == 200, 180000.0, 0.0)},
                         index=days)
    with figures.output("png"):
        png = figures.fuel_figure(daily)
    assert isinstance(png, figures.Png)
    # the arrival is drawn in the delivery colour over enough pixels to be seen (a one-day
    # bar at 60% opacity left none of that colour)
    assert _blue_pixels(png.data) > 150


def _tick_numbers(svg: str) -> list[float]:
    out = []
    for text in re.findall(r"<text[^>]*>([^<]+)</text>", svg):
        try:
            out.append(float(text.replace(",", "").replace("\u2212", "-")))
        except ValueError:
            continue
    return out


def test_a_front_of_one_design_is_merged_and_read_honestly(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]) -> None:
    result, scenario, _ = solved
    # the Gao front of issue 17: eight points, every one the same design
    same = {"npc_usd": 9425836.1, "expected_casualties_per_year": 0.042,
            "convoys_per_year": 1.0, "fuel_l_per_year": 76813.0, "pv_kwp": 3000.0,
            "battery_kwh": 6911.0, "battery_kw": 1036.0, "diesel_g200_count": 2.0,
            "mip_gap": 0.0421}
    front = pd.DataFrame([{"point": k, "status": "gap 4.21%" if k < 2 else
                           f"same design as point {k - 1}", **same} for k in range(8)])
    front.attrs["value_risk"] = False
    html = report_render.render_html(result, scenario=scenario, pareto=front)
    sections = parse(html)
    text = " ".join(sections.text["pareto"])
    assert "8 points asked" in text
    assert "they hold 1 distinct design" in text
    table = re.search(r'<table id="pareto-table">(.*?)</table>', html, re.S)
    assert table is not None
    assert table.group(1).count("<tr>") == 2  # the header and one design, points 0-7
    assert ">0-7<" in table.group(1)
    # the cost axis spans a sensible range, not a few thousand USD around one value
    svg = re.search(r'<section id="pareto">.*?(<svg.*?</svg>)', html, re.S)
    assert svg is not None
    costs = [v for v in _tick_numbers(svg.group(1)) if 5 < v < 15]  # million USD
    assert max(costs) - min(costs) >= 0.1
    # this design is far cheaper than the front: said, with the reason and the fix
    assert "USD less than the cheapest design of the front" in text
    assert "gaps up to 4.21%" in text


def test_saving_signs_agree_everywhere(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs], tmp_path: Path) -> None:
    from energyopt.cli import kpi_table
    from energyopt.results import saving

    result, _, _ = solved
    assert result.baseline is not None
    table = result.comparison()
    share = table.loc["renewable_fraction"]
    # the design has PV: its renewable share is higher, and that is a positive saving (gain)
    assert share["design"] > share["diesel_only"]
    assert share["saving"] == pytest.approx(share["design"] - share["diesel_only"])
    assert share["change"] == pytest.approx(share["design"] - share["diesel_only"])
    fuel = table.loc["fuel_l_per_year"]
    assert fuel["saving"] == pytest.approx(fuel["diesel_only"] - fuel["design"])
    assert fuel["saving"] > 0
    # kpis.csv holds the same column
    result.to_csv(tmp_path)
    csv_table = pd.read_csv(tmp_path / "kpis.csv", index_col="name")
    assert csv_table.loc["renewable_fraction", "saving"] == pytest.approx(share["saving"])
    # the CLI shows the same sign, in percentage points
    row = next(line for line in kpi_table(result).splitlines() if "renewable share" in line)
    assert row.split()[-2] == f"{100 * share['saving']:+.1f}"
    # the report's saving cell too
    spans = {s["data-key"]: s for s in parse(report_render.render_html(result)).spans}
    assert float(spans["saving:renewable_fraction"]["text"]) == pytest.approx(
        100 * share["saving"], abs=0.05)
    # autonomy: more is better, a longer autonomy is a positive saving
    assert saving("autonomy_days", 20.0, 14.0) == 6.0
    assert saving("fuel_l_per_year", 80.0, 100.0) == 20.0


def test_markdown_has_how_sure_and_payback(
        micro: tuple[eo.SizingResult, eo.Scenario, str]) -> None:
    result, scenario, _ = micro
    text = eo.render_markdown(result, scenario=scenario)
    assert "## How sure are we" in text
    assert "proven within" in text
    from energyopt.finance import cash_flow

    flow = cash_flow(result, scenario)
    assert f"pays back in {fmt_years(flow.attrs['simple_payback_years'])}" in text
    assert f"internal rate of return {100 * flow.attrs['irr']:.1f}%" in text


def test_sensitivity_section_from_a_sweep(
        solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs]) -> None:
    result, scenario, _ = solved
    # one input at a time around the base (price 1.1 USD/L, 2 M USD per casualty)
    rows = [(0.8, 2e6, 9.0e6), (1.1, 2e6, 10.0e6), (1.6, 2e6, 12.0e6),
            (1.1, 0.0, 9.5e6)]
    sweep = pd.DataFrame(rows, columns=["fuel.price_usd_per_l", "fuel.value_per_casualty_usd",
                                        "npc_usd"])
    sweep.attrs.update({"inputs": ["fuel.price_usd_per_l", "fuel.value_per_casualty_usd"],
                        "base": {"fuel.price_usd_per_l": 1.1,
                                 "fuel.value_per_casualty_usd": 2e6}})
    html = report_render.render_html(result, scenario=scenario, sweep=sweep)
    sections = parse(html)
    assert sections.svgs["sensitivity"] == 1
    spans = {s["data-key"]: s for s in sections.spans if s["section"] == "sensitivity"}
    assert float(spans["tornado:fuel.price_usd_per_l:swing"]["data-value"]) == 3.0e6
    assert float(spans["tornado:fuel.value_per_casualty_usd:swing"]["data-value"]) == 0.5e6
    assert float(spans["tornado:fuel.price_usd_per_l:low"]["data-value"]) == 9.0e6
    assert float(spans["tornado:fuel.price_usd_per_l:high"]["data-value"]) == 12.0e6
    table = re.search(r'<table id="tornado-table">(.*?)</table>', html, re.S)
    assert table is not None
    # the largest swing first
    assert table.group(1).index("fuel.price_usd_per_l") < table.group(1).index(
        "fuel.value_per_casualty_usd")
    assert 'href="#sensitivity"' in html
    # no sweep, no section
    assert "sensitivity" not in parse(report_render.render_html(result)).svgs


def test_nothing_to_pay_back_when_the_design_is_diesel_only(
        micro: tuple[eo.SizingResult, eo.Scenario, str]) -> None:
    result, scenario, _ = micro
    assert result.baseline is not None
    # the design of last resort is the diesel-only camp: no extra capital, no payback of 0
    same = replace(result.baseline, baseline=result.baseline)
    cash = report_sections.cash_flow(same, scenario, None)
    assert not cash["invests"]
    assert cash["sentence"] == ("The design costs what the diesel-only camp costs: nothing "
                                "to pay back.")
    html = report_render.render_html(same, scenario=scenario)
    text = " ".join(" ".join(parse(html).text["cash-flow"]).split())
    assert "nothing to pay back" in text
    assert "pays back in" not in html
    # the design that invests: the extra capital is named
    cash = report_sections.cash_flow(result, scenario, None)
    extra = float(result.costs["capex"].sum() - result.baseline.costs["capex"].sum())
    assert cash["invests"]
    assert f"extra investment of {extra:,.0f} USD pays back in" in cash["sentence"]
