"""Published climate normals (data/climate_normals.csv), PV plant yields and FAO-56 Angstrom."""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from energyopt import data
from energyopt.resource import normals

NORMALS = data.data_dir() / "climate_normals.csv"
YIELDS = data.data_dir() / "pv_plant_yields.csv"


# --- FAO-56 relations --------------------------------------------------------------------------


def test_extraterrestrial_and_daylight_match_an_independent_fao56_implementation() -> None:
    # jannefiluren/WaterFlows.jl test/solar_rad.jl (FAO-56 eq. 21 and 34): 1980-07-20
    # (day 202 of a leap year) at latitude -23.7951: Ra = 23.6182 MJ/m2/day, N = 10.7431 h
    assert normals.extraterrestrial_mj_m2_day(-23.7951, 202) == pytest.approx(23.6182, abs=1e-3)
    assert normals.daylight_hours(-23.7951, 202) == pytest.approx(10.7431, abs=1e-3)


def test_daylight_is_twelve_hours_at_the_equator_and_symmetric_between_hemispheres() -> None:
    for day in (15, 105, 196, 288):
        assert normals.daylight_hours(0.0, day) == pytest.approx(12.0, abs=1e-9)
    north = normals.daylight_hours(16.27, normals.mid_month_day_of_year(6))
    south = normals.daylight_hours(-16.27, normals.mid_month_day_of_year(6))
    assert north + south == pytest.approx(24.0, abs=1e-9)
    assert north > 12.0 > south


def test_angstrom_bounds_are_a_and_a_plus_b_of_ra() -> None:
    day = normals.mid_month_day_of_year(3)
    ra_kwh = normals.extraterrestrial_mj_m2_day(16.27, day) / normals.MJ_PER_KWH
    n_max = normals.daylight_hours(16.27, day)
    assert normals.angstrom_ghi_kwh_m2_day(16.27, 3, 0.0) == pytest.approx(0.25 * ra_kwh)
    assert normals.angstrom_ghi_kwh_m2_day(16.27, 3, n_max) == pytest.approx(0.75 * ra_kwh)
    half = normals.angstrom_ghi_kwh_m2_day(16.27, 3, n_max / 2)
    assert half == pytest.approx(0.5 * ra_kwh)


@pytest.mark.parametrize(("month", "sunshine"), [(0, 8.0), (13, 8.0), (6, -1.0), (6, 15.0),
                                             (6, math.nan)])
def test_angstrom_refuses_impossible_inputs(month: int, sunshine: float) -> None:
    with pytest.raises(ValueError, match="month|sunshine_h"):
        normals.angstrom_ghi_kwh_m2_day(16.27, month, sunshine)


def test_mid_month_days() -> None:
    assert [normals.mid_month_day_of_year(m) for m in (1, 2, 12)] == [15, 46, 349]


# --- the normals file --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_csv(NORMALS, dtype=str, keep_default_na=False)


def test_every_bundled_site_has_twelve_rows(table: pd.DataFrame) -> None:
    assert list(table.columns) == [
        "site", "month", "ghi_kwh_m2_day", "ghi_grade", "ghi_source", "sunshine_h_per_day",
        "temp_mean_c", "temp_min_c", "temp_max_c", "temp_grade", "temp_source", "period"]
    assert set(table["site"]) == set(data.site_keys())
    for _, months in table.groupby("site")["month"]:
        assert sorted(int(m) for m in months) == list(range(1, 13))


def test_every_value_has_a_grade_a_source_with_an_address_and_a_period(
        table: pd.DataFrame) -> None:
    temps = table[table["temp_mean_c"] != ""]
    assert len(temps) >= 12
    assert temps["temp_grade"].isin(["P", "S"]).all()
    assert temps["temp_source"].str.contains("https://").all()
    assert (temps["period"] != "").all()
    assert (temps["temp_min_c"] != "").all()
    assert (temps["temp_max_c"] != "").all()
    ghi = table[table["ghi_kwh_m2_day"] != ""]
    assert ghi["ghi_grade"].isin(["P", "S", "D"]).all()
    assert ghi["ghi_source"].str.contains("https://").all()
    empty = table[table["temp_mean_c"] == ""]
    assert (empty[["temp_grade", "temp_source", "temp_min_c", "temp_max_c"]] == "").all().all()


def test_sunshine_derived_ghi_recomputes_from_the_sunshine_column(table: pd.DataFrame) -> None:
    derived = table[table["ghi_grade"] == "D"]
    for record in derived.to_dict("records"):
        assert "Angstrom" in record["ghi_source"]
        latitude = data.site(record["site"]).latitude
        expected = normals.angstrom_ghi_kwh_m2_day(latitude, int(record["month"]),
                                                   float(record["sunshine_h_per_day"]))
        assert float(record["ghi_kwh_m2_day"]) == pytest.approx(expected, abs=0.006)


def test_published_temperatures_are_plausible_and_ordered() -> None:
    for key in data.site_keys():
        frame = data.climate_normals(key)
        if frame is None or frame["temp_mean_c"].isna().all():
            continue
        assert (frame["temp_min_c"] < frame["temp_mean_c"]).all(), key
        assert (frame["temp_mean_c"] < frame["temp_max_c"]).all(), key
        assert frame["temp_min_c"].between(0.0, 35.0).all(), key
        assert frame["temp_max_c"].between(15.0, 48.0).all(), key


def test_gao_carries_the_1991_2020_normals_quoted_in_issue_14() -> None:
    gao = data.climate_normals("gao")
    assert gao is not None
    assert gao.loc[1, "temp_mean_c"] == pytest.approx(23.6)
    assert gao.loc[5, "temp_mean_c"] == pytest.approx(36.3)
    assert (gao["period"] == "1991-2020").all()
    assert (gao["temp_grade"] == "S").all()


# --- the reader --------------------------------------------------------------------------------


@pytest.fixture
def fresh_normals() -> Iterator[None]:
    loaders = (data._site_table, data._normals_table)
    for loader in loaders:
        loader.cache_clear()
    yield
    for loader in loaders:
        loader.cache_clear()


def test_reader_returns_twelve_months_or_none() -> None:
    gao = data.climate_normals(" GAO ")
    assert gao is not None
    assert list(gao.index) == list(range(1, 13))
    assert gao["temp_min_c"].dtype == "float64"
    found = [key for key in data.site_keys() if data.climate_normals(key) is not None]
    table = pd.read_csv(NORMALS, dtype=str, keep_default_na=False)
    with_values = table[(table["temp_mean_c"] != "") | (table["ghi_kwh_m2_day"] != "")]
    assert set(found) == set(with_values["site"])
    with pytest.raises(KeyError, match="timbuktu"):
        data.climate_normals("timbuktoo")


def _copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str) -> None:
    for name in (data.SITES_FILE, "climate_normals.csv"):
        shutil.copy(data.data_dir() / name, tmp_path / name)
    path = tmp_path / "climate_normals.csv"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    monkeypatch.setattr(data, "data_dir", lambda: tmp_path)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("gao,1,", "gaoo,1,", "unknown site"),
    (",S,\"Climates to Travel", ",X,\"Climates to Travel", "temp_grade"),
    ("23.6,16.8,30.4", "23.6,16.8,hot", "not a number"),
    ("23.6,16.8,30.4", "33.6,16.8,30.4", "temp_min_c <= temp_mean_c"),
])
def test_malformed_normals_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       fresh_normals: None, old: str, new: str,
                                       message: str) -> None:
    _copy(tmp_path, monkeypatch, old, new)
    with pytest.raises(ValueError, match=message):
        data.climate_normals("gao")


def test_missing_month_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  fresh_normals: None) -> None:
    _copy(tmp_path, monkeypatch, "gao,12,", "gao,11,")
    with pytest.raises(ValueError, match="exactly one row for each month"):
        data.climate_normals("gao")


# --- measured plant yields ---------------------------------------------------------------------


def test_plant_yields_carry_sources_and_the_unifil_figure() -> None:
    plants = pd.read_csv(YIELDS)
    assert list(plants.columns) == ["plant", "site_key", "latitude", "longitude",
                                    "kwh_per_kwp_year", "period", "source", "grade", "note"]
    assert plants["site_key"].isin(data.site_keys()).all()
    assert plants["grade"].isin(list(data.GRADES)).all()
    assert plants["source"].str.contains("https://").all()
    assert plants["kwh_per_kwp_year"].between(800, 2400).all()
    unifil = plants[plants["site_key"] == "naqoura"].iloc[0]
    # UNIFIL: 643 MWh in 2020 from 474 kWp
    assert unifil["kwh_per_kwp_year"] == pytest.approx(643_000 / 474, abs=1.0)
    expected = plants[plants["note"].str.contains("EXPECTED")]
    assert (expected["period"].str.contains("projected")).all()
