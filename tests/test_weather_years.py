"""Weather ensembles: seeded embedded years with inter-annual variability, and real years.

The spread tested is the documented one of ``data/weather_variability.csv`` (the inter-annual
coefficient of variation of annual GHI of each climate zone, sourced there and in README).
Multi-year files are SYNTHETIC fixtures written to ``tmp_path`` (a smooth bell of irradiance,
one scale per year), not measurements of any place.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import energyopt
from energyopt import data
from energyopt.inputs import time_index
from energyopt.resource import (
    WeatherVariability,
    embedded,
    site_climate,
    solar_inputs,
    weather_years,
)

#: Seeds per ensemble: the acceptance test's 30.
N_SEEDS = 30
#: Annual GHI of the unset-seed Gao year: the site's calibration, the twelve monthly GHI normals
#: of data/climate_normals.csv times the days of 2025 (read here with pandas) [kWh/m2].
_GAO_NORMALS = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "climate_normals.csv")
GAO_TYPICAL_KWH_M2 = float((_GAO_NORMALS.loc[_GAO_NORMALS["site"] == "gao"]
                            .sort_values("month")["ghi_kwh_m2_day"].to_numpy()
                            * np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])).sum())


def _scenario(site: str = "gao", **solar: Any) -> energyopt.Scenario:
    return energyopt.load_scenario({
        "site": site,
        "load": {"constant_kw": 100.0},
        "solar": solar,
        "diesel": {"units": [{"name": "g", "rated_kw": 200.0, "max_count": 2}]},
    })


def _annual_ghi(scenario: energyopt.Scenario) -> float:
    weather, _ = solar_inputs(scenario, time_index(scenario))
    return float(weather["ghi"].sum()) / 1000.0


def _ensemble(site: str) -> tuple[np.ndarray, energyopt.Scenario]:
    base = _scenario(site)
    overrides = weather_years(base, N_SEEDS, seed=0)
    return np.array([_annual_ghi(base.with_overrides(o)) for o in overrides]), base


@pytest.mark.parametrize("site", ["gao", "juba"])
def test_seeded_years_have_the_documented_spread(site: str) -> None:
    ghi, base = _ensemble(site)
    typical = _annual_ghi(base)
    zone = site_climate(base).zone
    documented = data.weather_variability(zone)["annual_ghi_cv"]
    assert 0.02 <= documented <= 0.06  # the published range (Gueymard & Wilcox 2011)
    cv = float(ghi.std(ddof=1) / ghi.mean())
    # sampling error of a CV from 30 normal draws is about cv / sqrt(2 (n - 1)) = 13%:
    # accept three of them
    tolerance = 3.0 * documented / math.sqrt(2.0 * (N_SEEDS - 1))
    assert abs(cv - documented) <= tolerance, (cv, documented)
    # the mean stays at the calibrated GHI within three standard errors
    assert abs(ghi.mean() / typical - 1.0) <= 3.0 * documented / math.sqrt(N_SEEDS)
    assert len(set(np.round(ghi, 3))) == N_SEEDS


def test_unset_seed_gives_the_typical_year() -> None:
    scenario = _scenario("gao")
    assert scenario.solar.seed is None
    assert _annual_ghi(scenario) == pytest.approx(GAO_TYPICAL_KWH_M2, rel=1e-9)
    weather, _ = solar_inputs(scenario, time_index(scenario))
    climate = site_climate(scenario)
    months = pd.DatetimeIndex(weather.index).month
    monthly = weather["ghi"].groupby(months).sum() / 1000.0
    days = weather["ghi"].groupby(months).size() / 24
    np.testing.assert_allclose(monthly / days, climate.monthly_ghi_kwh_m2_day, rtol=1e-6)
    assert "variability" not in weather.attrs["source"]


def test_same_seed_same_year_and_anomalies_reach_temperature() -> None:
    scenario = _scenario("gao", seed=11)
    index = time_index(scenario)
    first, pv_first = solar_inputs(scenario, index)
    embedded._embedded_weather.cache_clear()
    embedded._synthesise_year.cache_clear()
    again, pv_again = solar_inputs(scenario, index)
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_series_equal(pv_first, pv_again)
    typical, _ = solar_inputs(_scenario("gao"), index)
    other, _ = solar_inputs(_scenario("gao", seed=12), index)
    # monthly totals and temperatures move, not just the order of days
    months = index.month
    assert not np.allclose(first["ghi"].groupby(months).sum(),
                           typical["ghi"].groupby(months).sum(), rtol=1e-3)
    assert not np.allclose(first["temp_air"].groupby(months).mean(),
                           other["temp_air"].groupby(months).mean(), atol=0.05)
    assert "variability of zone 'sahel'" in first.attrs["source"]


def _anomalies(zone: str, seeds: range) -> list[embedded._Anomaly]:
    v = WeatherVariability.of_zone(zone)
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    day_month = np.repeat(np.arange(12), days)
    target = np.full(12, 180.0)
    return [embedded._draw_anomaly(v, np.random.default_rng([s, 2025, 1]), target, days,
                                   day_month, np.full(12, 1.0)) for s in seeds]


def test_dust_and_monsoon_only_where_the_zone_has_them() -> None:
    sahel = WeatherVariability.of_zone("sahel")
    assert sahel.dust_months == (12, 1, 2, 3, 4, 5)
    assert sahel.monsoon_months == (7, 8, 9)
    highland = WeatherVariability.of_zone("equatorial_highland")
    assert highland.dust_months == ()
    assert highland.monsoon_months == ()
    assert WeatherVariability.of_zone("mediterranean_coast").dust_months == ()
    assert WeatherVariability.of_zone("southern_monsoon").monsoon_months == (12, 1, 2, 3)
    days_of = np.repeat(np.arange(1, 13), [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    dusty = _anomalies("sahel", range(40))
    dim = np.concatenate([days_of[a.day_factor < 1.0] for a in dusty])
    assert dim.size > 100
    assert set(dim.tolist()) <= {12, 1, 2, 3, 4, 5}
    assert any("dust episode" in a.text for a in dusty)
    for zone in ("equatorial_highland", "mediterranean_coast", "southern_monsoon"):
        drawn = _anomalies(zone, range(40))
        assert all((a.day_factor == 1.0).all() for a in drawn)
        assert not any("dust" in a.text for a in drawn)
    # a monsoon moves its wet months together: their spread about the dry months' exceeds it
    wet_ratio = [a.month_factor[6:9].mean() / a.month_factor[[0, 1, 2, 10]].mean() for a in dusty]
    flat = _anomalies("equatorial_highland", range(40))
    flat_ratio = [a.month_factor[6:9].mean() / a.month_factor[[0, 1, 2, 10]].mean() for a in flat]
    assert np.std(wet_ratio) > 0.04
    assert "wet season" in dusty[0].text
    assert "wet season" not in flat[0].text
    assert np.std(flat_ratio) < np.std(wet_ratio) + 0.03


def test_weather_years_seeds_are_distinct_and_reproducible() -> None:
    scenario = _scenario("gao")
    ten = weather_years(scenario, 10, seed=3)
    assert ten == weather_years(scenario, 10, seed=3)
    assert ten[:4] == weather_years(scenario, 4, seed=3)
    seeds = [o["solar.seed"] for o in ten]
    assert len(set(seeds)) == 10
    assert all(0 <= s < 2**32 for s in seeds)
    assert seeds != [o["solar.seed"] for o in weather_years(scenario, 10, seed=4)]
    with pytest.raises(ValueError, match="years"):
        weather_years(scenario, 0)


# --------------------------------------------------------------------------------------------
# Multi-year files (SYNTHETIC, written here)
# --------------------------------------------------------------------------------------------
GAO = (16.27, -0.04)
#: Scale of each year's irradiance in the synthetic files [-].
SCALES = {2021: 1.0, 2022: 0.9}


def _bell(hour: int) -> float:
    mid = hour + 0.5
    return 0.0 if not 6.0 < mid < 18.0 else 900.0 * math.sin(math.pi * (mid - 6.0) / 12.0) ** 1.2


def _hours(partial_year: int | None = 2023) -> pd.DatetimeIndex:
    hours = pd.date_range("2021-01-01", "2023-01-01", freq="h", inclusive="left")
    if partial_year is not None:  # a January only: not a complete year
        hours = pd.DatetimeIndex(hours.append(pd.date_range(
            f"{partial_year}-01-01", f"{partial_year}-02-01", freq="h", inclusive="left")))
    return hours


def _ghi(hours: pd.DatetimeIndex) -> list[float]:
    return [round(_bell(h.hour) * SCALES.get(h.year, 1.1), 1) for h in hours]


def _nasa_power(path: Path) -> Path:
    hours = _hours()
    header = [
        "-BEGIN HEADER-",
        "NASA/POWER hourly data (SYNTHETIC test fixture, not downloaded data)",
        "Dates (month/day/year): 01/01/2021 through 01/31/2023 in UTC",
        f"Location: Latitude  {GAO[0]}   Longitude {GAO[1]} ",
        "Elevation from MERRA-2: Average for 0.5 x 0.625 degree lat/lon region = 265.0 meters",
        "The value for missing source data that cannot be computed or is outside of the "
        "sources availability range: -999 ",
        "Parameter(s): ",
        "ALLSKY_SFC_SW_DWN     CERES SYN1deg All Sky Surface Shortwave Downward Irradiance "
        "(Wh/m^2) ",
        "T2M                   MERRA-2 Temperature at 2 Meters (C) ",
        "-END HEADER-",
        "YEAR,MO,DY,HR,ALLSKY_SFC_SW_DWN,T2M",
    ]
    rows = [f"{h.year},{h.month},{h.day},{h.hour},{g},28.0" for h, g in zip(hours, _ghi(hours),
                                                                          strict=True)]
    path.write_text("\n".join(header + rows) + "\n", encoding="utf-8")
    return path


def _pvgis_series(path: Path) -> Path:
    hours = _hours(None)
    body = {
        "inputs": {"location": {"latitude": GAO[0], "longitude": GAO[1], "elevation": 265.0},
                   "mounting_system": {"fixed": {"slope": {"value": 0, "optimal": False},
                                                 "azimuth": {"value": 0, "optimal": False}}}},
        "outputs": {"hourly": [
            {"time": h.strftime("%Y%m%d:%H10"), "G(i)": g, "H_sun": 0.0, "T2m": 28.0,
             "WS10m": 2.0, "Int": 0} for h, g in zip(hours, _ghi(hours), strict=True)]},
        "meta": {"inputs": {}, "outputs": {}},
    }
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


def _epw_series(path: Path) -> Path:
    hours = _hours(None)
    header = [
        "LOCATION,SYNTHETIC TEST SITE (not measured data),-,ML,energyopt test fixture,"
        f"999999,{GAO[0]},{GAO[1]},0.0,265.0",
        "DESIGN CONDITIONS,0", "TYPICAL/EXTREME PERIODS,0", "GROUND TEMPERATURES,0",
        "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
        "COMMENTS 1,Synthetic values written by tests/test_weather_years.py",
        "COMMENTS 2,Not a measurement of any place",
        "DATA PERIODS,1,1,Data,Friday, 1/ 1,12/31",
    ]
    rows = []
    for h, g in zip(hours, _ghi(hours), strict=True):
        fields = [h.year, h.month, h.day, h.hour + 1, 60,
                  "?9?9?9?9E0?9?9?9*9*9?9*9*9?9*9*9?9?9*9*_*9*9*9*9*9", 28.0, 10.0, 40, 96000,
                  0, 1415, 380, g, round(g * 0.8, 1), round(g * 0.25, 1), 0, 0, 0, 0, 90, 2.5,
                  2, 1, 20.0, 77777, 9, 999999999, 20, 0.1, 0, 88, 0.2, 0, 0]
        rows.append(",".join(str(f) for f in fields))
    path.write_text("\n".join(header + rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("writer", [_nasa_power, _pvgis_series, _epw_series],
                         ids=["nasa_power", "pvgis_series", "epw_series"])
def test_weather_years_of_a_multi_year_file_are_its_real_years(
        writer: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    suffix = {"_nasa_power": ".csv", "_pvgis_series": ".json", "_epw_series": ".epw"}
    path = writer(tmp_path / f"gao_series{suffix[writer.__name__]}")
    scenario = _scenario("gao", weather={"file": str(path)})
    with caplog.at_level(logging.WARNING, logger="energyopt.resource.years"):
        overrides = weather_years(scenario, 5)
    assert overrides == [{"solar.weather.year": 2021}, {"solar.weather.year": 2022}]
    assert "2 complete calendar year(s)" in caplog.text
    assert "instead of 5" in caplog.text
    assert weather_years(scenario, 1) == [{"solar.weather.year": 2022}]  # the most recent
    ghi = {o["solar.weather.year"]: _annual_ghi(scenario.with_overrides(o)) for o in overrides}
    assert ghi[2022] / ghi[2021] == pytest.approx(SCALES[2022] / SCALES[2021], rel=0.01)


def test_a_typical_year_file_is_one_year(tmp_path: Path,
                                         caplog: pytest.LogCaptureFixture) -> None:
    fixture = Path(__file__).parent / "fixtures" / "weather" / "synthetic_tmy3.csv"
    scenario = _scenario("juba", weather={"file": str(fixture)})
    with caplog.at_level(logging.WARNING, logger="energyopt.resource.years"):
        assert weather_years(scenario, 3) == [{}]
    assert "instead of 3" in caplog.text
