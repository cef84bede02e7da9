"""The embedded year against published climate normals and measured PV plant yields.

Expectations come from the data files themselves (``data/climate_normals.csv``,
``data/pv_plant_yields.csv``, read here with pandas, not with energyopt's reader), so every row
added to them is tested without editing this file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import energyopt
from energyopt import data, resource
from energyopt.inputs import time_index
from energyopt.resource import site_climate, solar_inputs

DATA = Path(__file__).resolve().parents[1] / "data"
NORMALS = pd.read_csv(DATA / "climate_normals.csv")
PLANTS = pd.read_csv(DATA / "pv_plant_yields.csv")
DAYS_2025 = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)

#: Issue 14's acceptance: monthly GHI within 2%, monthly mean temperature within 0.5 C.
GHI_RTOL = 0.02
TEMP_ATOL_C = 0.5
#: Monthly mean of the daily minimum and maximum of the hourly year against the published mean
#: daily minimum and maximum [C]: hourly values miss the instant extremes by a few tenths.
MIN_MAX_ATOL_C = 1.0
#: A measured plant's specific yield against the embedded year's (issue 14: Naqoura within 10%).
YIELD_RTOL = 0.10


def _sites(columns: list[str]) -> list[str]:
    values = NORMALS[columns].notna().any(axis=1)
    return sorted(set(NORMALS.loc[values, "site"].astype(str)))


def _scenario(site: Any) -> energyopt.Scenario:
    return energyopt.load_scenario({
        "site": site, "load": {"constant_kw": 100.0},
        "diesel": {"units": [{"name": "g", "rated_kw": 200.0, "max_count": 2}]}})


def _year(site: Any, **overrides: Any) -> tuple[pd.DataFrame, pd.Series]:
    scenario = _scenario(site).with_overrides(overrides) if overrides else _scenario(site)
    index = time_index(scenario)
    assert index[0].year == 2025
    assert len(index) == 8760
    return solar_inputs(scenario, index)


def _rows(site: str) -> pd.DataFrame:
    return NORMALS.loc[NORMALS["site"] == site].set_index("month").sort_index()


@pytest.mark.parametrize("site", _sites(["ghi_kwh_m2_day", "temp_mean_c", "temp_min_c",
                                          "temp_max_c"]))
def test_monthly_climate_is_the_normals(site: str) -> None:
    """GHI (where given) within 2%, mean temperature within 0.5 C, daily extremes within 1 C.

    Every site with a row in data/climate_normals.csv is tested; the fixture test below covers
    the GHI calibration while no bundled site has a published GHI yet.
    """
    weather, _ = _year(site)
    rows = _rows(site)
    ghi = weather["ghi"].groupby(weather.index.month).sum().to_numpy() / 1000.0 / DAYS_2025
    want_ghi = rows["ghi_kwh_m2_day"].to_numpy(dtype=float)
    has_ghi = np.isfinite(want_ghi)
    np.testing.assert_allclose(ghi[has_ghi], want_ghi[has_ghi], rtol=GHI_RTOL)
    temp = weather["temp_air"]
    mean = temp.groupby(temp.index.month).mean().to_numpy()
    want = rows["temp_mean_c"].to_numpy(dtype=float)
    given = np.isfinite(want)
    np.testing.assert_allclose(mean[given], want[given], atol=TEMP_ATOL_C)
    days = temp.groupby(temp.index.date)  # local dates (a DST midnight may not exist)
    for column, daily in (("temp_min_c", days.min()), ("temp_max_c", days.max())):
        got = daily.groupby(pd.DatetimeIndex(daily.index).month).mean().to_numpy()
        want = rows[column].to_numpy(dtype=float)
        given = np.isfinite(want)
        np.testing.assert_allclose(got[given], want[given], atol=MIN_MAX_ATOL_C,
                                   err_msg=f"{site} {column}")


@pytest.mark.parametrize("site", sorted(set(NORMALS["site"].astype(str))))
def test_grades_follow_the_normals_month_by_month(site: str) -> None:
    climate = site_climate(_scenario(site))
    rows = _rows(site)
    record = data.site(site)
    for m in range(12):
        row = rows.loc[m + 1]
        ghi_grade = str(row["ghi_grade"]) if pd.notna(row["ghi_kwh_m2_day"]) else (
            record.ghi_grade)
        assert climate.ghi_grades[m] == ghi_grade
        if pd.notna(row["temp_min_c"]) and pd.notna(row["temp_max_c"]):
            assert climate.temp_grades[m] == str(row["temp_grade"])
    graded = [g for g in climate.ghi_grades + climate.temp_grades if g != "E"]
    assert ("data/climate_normals.csv" in climate.source) == bool(graded)


# --------------------------------------------------------------------------------------------
# Fallback month by month (a fixture, not the bundled file)
# --------------------------------------------------------------------------------------------
def _fixture_normals(empty: set[int]) -> pd.DataFrame:
    months = range(1, 13)
    frame = pd.DataFrame({
        "month": list(months),
        "ghi_kwh_m2_day": [4.5 + 0.02 * m for m in months],
        "ghi_grade": "S", "ghi_source": "fixture GHI, https://example.org/ghi",
        "sunshine_h_per_day": np.nan,
        "temp_mean_c": [20.0 + m for m in months],
        "temp_min_c": [13.0 + m for m in months],
        "temp_max_c": [28.0 + m for m in months],
        "temp_grade": "P", "temp_source": "fixture met service, https://example.org/t",
        "period": "1991-2020"}).set_index("month")
    for m in empty:
        frame.loc[m, ["ghi_kwh_m2_day", "temp_mean_c", "temp_min_c", "temp_max_c"]] = np.nan
        frame.loc[m, ["ghi_grade", "temp_grade", "ghi_source", "temp_source"]] = ""
    return frame


def test_empty_months_fall_back_to_the_zone_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    empty = {2, 7}
    monkeypatch.setattr(data, "climate_normals", lambda key: _fixture_normals(empty))
    climate = site_climate(_scenario("kidal"))
    record = data.site("kidal")
    zone = data.climate_zone(record.climate_zone)
    estimate = resource.monthly_ghi_from_kt(record.latitude, zone["kt"], record.ghi_kwh_m2_day)
    for m in range(1, 13):
        if m in empty:
            assert climate.monthly_ghi_kwh_m2_day[m - 1] == pytest.approx(estimate[m - 1])
            assert climate.monthly_temp_air_c[m - 1] == zone.loc[m, "temp_air_c"]
            assert climate.monthly_temp_swing_c[m - 1] == zone.loc[m, "temp_swing_c"]
            assert (climate.ghi_grades[m - 1], climate.temp_grades[m - 1]) == ("E", "E")
        else:
            assert climate.monthly_ghi_kwh_m2_day[m - 1] == pytest.approx(4.5 + 0.02 * m)
            assert climate.monthly_temp_air_c[m - 1] == pytest.approx(20.0 + m)
            assert climate.monthly_temp_swing_c[m - 1] == pytest.approx(7.5)  # (max - min) / 2
            assert climate.monthly_temp_skew_c[m - 1] == pytest.approx(-0.5)  # mean - mid-range
            assert (climate.ghi_grades[m - 1], climate.temp_grades[m - 1]) == ("S", "P")
    assert climate.ghi_grade == "E"
    assert climate.temp_grade == "E"
    assert "(Feb, Jul)" in climate.source
    assert "https://example.org/t" in climate.source
    # the embedded year meets the fixture's figures where given, the estimates elsewhere
    weather, _ = _year("kidal")
    ghi = weather["ghi"].groupby(weather.index.month).sum().to_numpy() / 1000.0 / DAYS_2025
    np.testing.assert_allclose(ghi, climate.monthly_ghi_kwh_m2_day, rtol=GHI_RTOL)
    temp = weather["temp_air"]
    np.testing.assert_allclose(temp.groupby(temp.index.month).mean().to_numpy(),
                               climate.monthly_temp_air_c, atol=TEMP_ATOL_C)
    # a skewed month (mean 0.5 C below the mid-range) still has the published extremes
    days = temp.groupby(temp.index.date)  # local dates (a DST midnight may not exist)
    for daily, offset in ((days.min(), 13.0), (days.max(), 28.0)):
        got = daily.groupby(pd.DatetimeIndex(daily.index).month).mean()
        for m in (1, 5, 10):
            assert got[m] == pytest.approx(offset + m, abs=MIN_MAX_ATOL_C)


def test_a_site_without_normals_keeps_the_zone_estimate(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    # a site whose annual GHI is an estimate (data/sites.csv grade E), its normals hidden
    monkeypatch.setattr(data, "climate_normals", lambda key: None)
    climate = site_climate(_scenario("timbuktu"))
    record = data.site("timbuktu")
    assert record.ghi_grade == "E"
    zone = data.climate_zone(record.climate_zone)
    estimate = resource.monthly_ghi_from_kt(record.latitude, zone["kt"], record.ghi_kwh_m2_day)
    np.testing.assert_allclose(climate.monthly_ghi_kwh_m2_day, estimate, rtol=1e-12)
    np.testing.assert_allclose(climate.monthly_temp_air_c, zone["temp_air_c"])
    np.testing.assert_allclose(climate.monthly_temp_swing_c, zone["temp_swing_c"])
    assert set(climate.ghi_grades + climate.temp_grades) == {"E"}
    assert "data/climate_normals.csv" not in climate.source


def test_custom_sites_keep_their_given_climate() -> None:
    site = {"name": "custom", "latitude": 16.27, "longitude": -0.04, "elevation_m": 265.0,
            "timezone": "Africa/Bamako", "monthly_ghi_kwh_m2_day": [6.0] * 12,
            "monthly_temp_air_c": [30.0] * 12, "temp_swing_c": 5.0}
    climate = site_climate(_scenario(site))
    assert climate.monthly_ghi_kwh_m2_day == (6.0,) * 12
    assert climate.monthly_temp_air_c == (30.0,) * 12
    assert climate.monthly_temp_swing_c == (5.0,) * 12
    assert set(climate.ghi_grades + climate.temp_grades) == {"?"}


def test_seeded_years_scatter_around_the_normals() -> None:
    site = _sites(["temp_mean_c"])[0]
    want = _rows(site)["temp_mean_c"].to_numpy(dtype=float)
    offsets = []
    for seed in range(1, 9):
        weather, _ = _year(site, **{"solar.seed": seed})
        temp = weather["temp_air"]
        offsets.append(temp.groupby(temp.index.month).mean().to_numpy() - want)
    mean_offset = np.nanmean(np.array(offsets), axis=0)
    # anomalies of a few tenths to ~2 C per year, centred on the normals, not on the zone
    assert np.abs(np.nanmean(mean_offset)) < 0.5
    assert np.nanmax(np.abs(mean_offset)) < 1.5
    assert np.array(offsets).std() > 0.1  # the seeds do draw anomalies


# --------------------------------------------------------------------------------------------
# Measured (or projected) plants
# --------------------------------------------------------------------------------------------
def _is_projection(plant: dict[str, Any]) -> bool:
    return str(plant["note"]).startswith("EXPECTED")


MEASURED = [p for p in PLANTS.to_dict("records") if not _is_projection(p)]
#: Measured plants whose deviation is known and not yet explained with a source (issue 14 is
#: open on them): the check runs and must fail; when the data are fixed it passes and the strict
#: xfail turns red, so the entry is removed.
OPEN = {"UNIFIL solar farms (14 farms, 474 kWp in total)":
        "issue 14 open: the embedded Naqoura year (GHI derived from Beirut's sunshine, grade "
        "D) yields about +13% against UNIFIL's measured 1,357 kWh/kWp/yr, and no source "
        "explains the difference yet"}


def _yield_case(plant: dict[str, Any]) -> Any:
    reason = OPEN.get(str(plant["plant"]))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(plant, marks=marks, id=str(plant["plant"]))


@pytest.mark.parametrize("plant", [_yield_case(p) for p in MEASURED])
def test_measured_plant_yield_within_tolerance_or_explained(plant: dict[str, Any]) -> None:
    site: Any = str(plant["site_key"])
    if pd.notna(plant["latitude"]) and pd.notna(plant["longitude"]):
        rec = data.site(site)
        if (abs(float(plant["latitude"]) - rec.latitude) > 0.05
                or abs(float(plant["longitude"]) - rec.longitude) > 0.05):
            site = {"name": str(plant["plant"]), "latitude": float(plant["latitude"]),
                    "longitude": float(plant["longitude"]), "elevation_m": rec.elevation_m,
                    "timezone": rec.timezone}
    _, pv = _year(site)
    modelled = float(pv.sum())  # hourly kW/kWp over the year: kWh/kWp/yr
    published = float(plant["kwh_per_kwp_year"])
    deviation = modelled / published - 1.0
    note = "" if pd.isna(plant["note"]) else str(plant["note"])
    # the data file explains a deviation as "explained: <why>, <source URL>"
    explained = "explained:" in note and "http" in note.split("explained:", 1)[1]
    assert abs(deviation) <= YIELD_RTOL or explained, (
        f"{plant['plant']}: the embedded year yields {modelled:,.0f} kWh/kWp/yr against the "
        f"published {published:,.0f} ({deviation:+.0%}, tolerance {YIELD_RTOL:.0%}) and the "
        "note of data/pv_plant_yields.csv gives no sourced explanation ('explained: ...')")


def test_projected_yields_are_labelled_and_not_checked_as_measurements() -> None:
    # a design projection (often per MW AC) is context, not evidence: it must say so
    projected = [p for p in PLANTS.to_dict("records") if _is_projection(p)]
    for plant in projected:
        assert "not measured" in str(plant["note"])
    assert len(MEASURED) + len(projected) == len(PLANTS)
    assert MEASURED, "no measured plant in data/pv_plant_yields.csv"


# --------------------------------------------------------------------------------------------
# Provenance in the outputs
# --------------------------------------------------------------------------------------------
def test_grade_counts_and_sensitive_estimates() -> None:
    import warnings

    from energyopt import provenance
    from energyopt.report.render import render_markdown

    scenario = energyopt.load_scenario({
        "site": "gao", "horizon": {"days": 3}, "load": {"constant_kw": 300.0},
        "diesel": {"units": [{"name": "g", "rated_kw": 400.0, "max_count": 2}]}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = energyopt.optimize(scenario, baseline=False)
    items = provenance.graded_inputs(scenario)
    counts = provenance.grade_counts(scenario)
    assert sum(counts.values()) == len(items)
    climate = site_climate(scenario)
    site = {i.key: i.grade for i in items if i.key.startswith("site.")}
    assert site == {"site.monthly_ghi": climate.ghi_grade,
                    "site.monthly_temperature": climate.temp_grade}
    ranked = provenance.sensitive_estimates(scenario, result, top=5)
    assert 1 <= len(ranked) <= 5
    assert all(s.grade == "E" for s in ranked)
    deltas = [s.delta_npc_usd for s in ranked]
    assert deltas == sorted(deltas, reverse=True)
    fuel = {s.key: s for s in provenance.sensitive_estimates(scenario, result, top=50)}
    if "fuel.price_usd_per_l" in fuel:  # first order: 20% of the NPC's fuel purchase term
        assert fuel["fuel.price_usd_per_l"].delta_npc_usd == pytest.approx(
            0.2 * float(result.costs["fuel"].sum()))
    md = render_markdown(result, scenario=scenario)
    assert "Inputs by grade" in md
    assert f"`{ranked[0].key}`" in md
