"""Tests of energyopt.data and the bundled CSV tables in data/."""

from __future__ import annotations

import dataclasses
import math
import shutil
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from energyopt import data

EXPECTED_KEYS = {
    "pv.capex_usd_per_kwp", "pv.om_usd_per_kwp_year", "pv.lifetime_years",
    "pv.degradation_per_year", "pv.losses_fraction", "pv.dc_ac_ratio", "pv.inverter_efficiency",
    "pv.temp_coefficient_per_c", "pv.max_kwp",
    "battery.capex_usd_per_kwh", "battery.capex_usd_per_kw", "battery.om_fraction_per_year",
    "battery.roundtrip_efficiency", "battery.min_soc", "battery.lifetime_years",
    "battery.self_discharge_per_hour", "battery.max_power_to_energy_per_h", "battery.max_kwh",
    "diesel.capex_usd_per_kw", "diesel.om_usd_per_kw_year", "diesel.om_usd_per_run_hour_per_kw",
    "diesel.fuel_intercept_l_per_h_per_kw", "diesel.fuel_slope_l_per_kwh",
    "diesel.min_load_fraction", "diesel.lifetime_hours",
    "fuel.price_usd_per_l", "fuel.escalation_per_year", "fuel.transport_usd_per_l_km",
    "fuel.escort_usd_per_convoy", "fuel.truck_capacity_l", "fuel.trucks_per_convoy",
    "fuel.casualties_per_convoy", "fuel.value_per_casualty_usd", "fuel.co2_kg_per_l",
    "fuel.energy_kwh_per_l", "fuel.loss_fraction", "fuel.density_kg_per_l",
    "logistics.tank_capex_usd_per_l", "logistics.tank_lifetime_years", "logistics.max_tank_l",
    "logistics.safety_stock_days",
    "reliability.reserve_load_fraction", "reliability.reserve_pv_fraction",
    "reliability.max_unserved_fraction", "reliability.value_of_lost_load_usd_per_kwh",
    "load.kwh_per_person_per_day", "load.critical_fraction", "load.day_peak_factor",
    "load.night_factor",
    "horizon.years", "horizon.discount_rate",
}

# Plausible closed ranges [low, high], each taken from the figures in DOMAIN.md.
PLAUSIBLE = {
    # off-grid Africa 503 (OnSSET) .. 1200 (NREL 2018) x remote premium up to 2
    "pv.capex_usd_per_kwp": (500.0, 2400.0),
    "pv.om_usd_per_kwp_year": (5.0, 50.0),  # REopt 18
    "pv.lifetime_years": (15.0, 40.0),
    "pv.degradation_per_year": (0.0, 0.02),  # median 0.005, higher in hot climates
    "pv.losses_fraction": (0.05, 0.30),
    "pv.dc_ac_ratio": (1.0, 1.5),
    "pv.inverter_efficiency": (0.90, 1.0),
    "pv.temp_coefficient_per_c": (-0.005, -0.002),  # crystalline to thin film
    "pv.max_kwp": (100.0, 100_000.0),
    # packs ~70 $/kWh .. REopt 262 $/kWh x remote premium 2
    "battery.capex_usd_per_kwh": (70.0, 600.0),
    "battery.capex_usd_per_kw": (0.0, 1040.0),  # REopt 520 $/kW x 2
    "battery.om_fraction_per_year": (0.0, 0.05),
    "battery.roundtrip_efficiency": (0.80, 0.98),
    "battery.min_soc": (0.0, 0.5),
    "battery.lifetime_years": (5.0, 20.0),
    "battery.self_discharge_per_hour": (0.0, 0.001),
    "battery.max_power_to_energy_per_h": (0.1, 4.0),
    "battery.max_kwh": (100.0, 1_000_000.0),
    "diesel.capex_usd_per_kw": (261.0, 880.0),  # OnSSET .. REopt off-grid
    "diesel.om_usd_per_kw_year": (0.0, 50.0),
    "diesel.om_usd_per_run_hour_per_kw": (0.0, 0.1),
    "diesel.fuel_intercept_l_per_h_per_kw": (0.05, 0.12),
    "diesel.fuel_slope_l_per_kwh": (0.20, 0.30),
    "diesel.min_load_fraction": (0.15, 0.40),  # REopt 15%, HOMER 30%, OnSSET 40%
    "diesel.lifetime_hours": (5_000.0, 100_000.0),
    "fuel.price_usd_per_l": (0.5, 3.5),  # purchase ~0.70; ~x5 delivered to a remote base
    "fuel.escalation_per_year": (-0.05, 0.10),
    "fuel.transport_usd_per_l_km": (0.0, 0.01),
    "fuel.escort_usd_per_convoy": (0.0, 100_000.0),
    "fuel.truck_capacity_l": (9_460.0, 36_000.0),  # HEMTT .. commercial tanker
    "fuel.trucks_per_convoy": (10.0, 50.0),  # ~15-16 US, ~50 vehicles MINUSMA
    "fuel.casualties_per_convoy": (0.026, 0.042),  # Iraq .. Afghanistan FY2007
    "fuel.value_per_casualty_usd": (100_000.0, 20_000_000.0),
    "fuel.co2_kg_per_l": (2.68, 2.70),
    "fuel.energy_kwh_per_l": (9.5, 10.75),  # LHV .. HHV
    "fuel.loss_fraction": (0.0, 0.05),  # none .. the 'extreme' preset
    "fuel.density_kg_per_l": (0.82, 0.845),  # EN 590 range
    "logistics.tank_capex_usd_per_l": (0.05, 5.0),
    "logistics.tank_lifetime_years": (5.0, 40.0),
    "logistics.max_tank_l": (100_000.0, 1e8),
    "logistics.safety_stock_days": (0.0, 60.0),
    "reliability.reserve_load_fraction": (0.0, 1.0),
    "reliability.reserve_pv_fraction": (0.0, 1.0),
    "reliability.max_unserved_fraction": (0.0, 0.1),
    "reliability.value_of_lost_load_usd_per_kwh": (0.0, 1_000.0),
    # UNIFIL post ~7.7 .. 4.1 L/person/day at 0.30 L/kWh ~13.7
    "load.kwh_per_person_per_day": (7.7, 13.7),
    "load.critical_fraction": (0.0, 1.0),
    "load.day_peak_factor": (1.3, 1.5),
    "load.night_factor": (0.6, 0.8),
    "horizon.years": (5.0, 30.0),
    "horizon.discount_rate": (0.0, 0.15),
}

EFFICIENCIES = ("pv.inverter_efficiency", "battery.roundtrip_efficiency")
FRACTIONS = (
    "pv.losses_fraction", "battery.om_fraction_per_year", "battery.min_soc",
    "diesel.min_load_fraction", "reliability.reserve_load_fraction",
    "reliability.reserve_pv_fraction", "reliability.max_unserved_fraction",
    "load.critical_fraction", "horizon.discount_rate", "fuel.loss_fraction",
)

SITE_KEYS = [
    "gao", "timbuktu", "kidal", "bamako", "juba", "malakal", "bentiu", "wau", "abyei", "goma",
    "bunia", "beni", "bangui", "bria", "naqoura", "dili", "mopti",
]
ZONES = {
    "sahel", "sudanian_savanna", "equatorial_highland", "mediterranean_coast", "southern_monsoon",
}


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    """Empty the loader caches before and after a test that swaps the data directory."""
    loaders = (data._technology_table, data._site_table, data._climate_table)
    for loader in loaders:
        loader.cache_clear()
    yield
    for loader in loaders:
        loader.cache_clear()


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_cache: None) -> Path:
    """Copy the bundled tables to a temporary directory and point data_dir() at it."""
    for name in (data.TECHNOLOGIES_FILE, data.SITES_FILE, data.CLIMATE_ZONES_FILE):
        shutil.copy(data.data_dir() / name, tmp_path / name)
    monkeypatch.setattr(data, "data_dir", lambda: tmp_path)
    return tmp_path


# --- technology defaults -------------------------------------------------------------------


def test_data_dir_holds_the_tables() -> None:
    directory = data.data_dir()
    for name in (data.TECHNOLOGIES_FILE, data.SITES_FILE, data.CLIMATE_ZONES_FILE):
        assert (directory / name).is_file()


def test_technology_keys_are_exactly_the_expected_ones() -> None:
    table = data.technology_defaults()
    assert set(table.index) == EXPECTED_KEYS
    assert table.index.is_unique
    assert list(table.columns) == ["value", "unit", "description", "source", "year", "grade"]


def test_every_technology_row_has_provenance() -> None:
    table = data.technology_defaults()
    for key, row in table.iterrows():
        assert row["source"].strip(), key
        assert row["unit"].strip(), key
        assert row["description"].strip(), key
        assert 1990 <= row["year"] <= 2026, key
        assert row["grade"] in data.GRADES, key


def test_estimates_are_labelled_placeholders() -> None:
    table = data.technology_defaults()
    estimates = table[table["grade"] == "E"]
    assert len(estimates) > 0
    assert (estimates["year"] == 2026).all()
    assert estimates["source"].str.contains("placeholder").all()


def test_derived_rows_explain_their_derivation() -> None:
    table = data.technology_defaults()
    derived = table[table["grade"] == "D"]
    assert set(derived.index) == {
        "pv.capex_usd_per_kwp", "battery.capex_usd_per_kwh", "diesel.capex_usd_per_kw",
        "load.kwh_per_person_per_day",
    }
    assert derived["description"].str.contains("Derived").all()


@pytest.mark.parametrize("key", sorted(PLAUSIBLE))
def test_value_in_plausible_range(key: str) -> None:
    low, high = PLAUSIBLE[key]
    value = data.default(key)
    assert math.isfinite(value)
    assert low <= value <= high, f"{key}={value} outside [{low}, {high}]"


def test_plausible_ranges_cover_every_key() -> None:
    assert set(PLAUSIBLE) == EXPECTED_KEYS


@pytest.mark.parametrize("key", EFFICIENCIES)
def test_efficiencies_in_unit_interval(key: str) -> None:
    assert 0.0 < data.default(key) <= 1.0


@pytest.mark.parametrize("key", FRACTIONS)
def test_fractions_in_unit_interval(key: str) -> None:
    assert 0.0 <= data.default(key) <= 1.0


def test_fuel_curve_matches_documented_specific_consumption() -> None:
    # DOMAIN.md: 0.33 L/kWh at full load, 0.41 at 50 %, 0.52 at 30 % (OnSSET coefficients)
    f0 = data.default("diesel.fuel_intercept_l_per_h_per_kw")
    f1 = data.default("diesel.fuel_slope_l_per_kwh")
    for load, expected in ((1.0, 0.33), (0.5, 0.41), (0.3, 0.52)):
        assert (f0 + f1 * load) / load == pytest.approx(expected, abs=0.01)


def test_day_peak_above_night_load() -> None:
    assert data.default("load.night_factor") < 1.0 < data.default("load.day_peak_factor")


def test_default_returns_float() -> None:
    assert isinstance(data.default("horizon.years"), float)
    assert data.default("pv.capex_usd_per_kwp") == pytest.approx(1100.0)


def test_default_unknown_key_suggests_close_match() -> None:
    with pytest.raises(KeyError, match="pv.capex_usd_per_kwp"):
        data.default("pv.capex_usd_perkwp")


def test_default_unknown_key_without_close_match() -> None:
    with pytest.raises(KeyError, match="unknown technology default"):
        data.default("zzz")


def test_technology_defaults_returns_a_copy() -> None:
    table = data.technology_defaults()
    table.loc["pv.capex_usd_per_kwp", "value"] = -1.0
    assert data.default("pv.capex_usd_per_kwp") == pytest.approx(1100.0)
    assert data.technology_defaults().loc["pv.capex_usd_per_kwp", "value"] == 1100.0


# --- sites -----------------------------------------------------------------------------------


def test_sites_in_file_order() -> None:
    assert data.site_keys() == SITE_KEYS
    assert list(data.sites().index) == SITE_KEYS


@pytest.mark.parametrize("key", SITE_KEYS)
def test_site_record_is_usable(key: str) -> None:
    record = data.site(key)
    assert record.key == key
    assert record.name.lower() == key
    assert record.mission
    assert -90.0 <= record.latitude <= 90.0
    assert -180.0 <= record.longitude <= 180.0
    assert 0.0 <= record.elevation_m <= 3000.0
    ZoneInfo(record.timezone)  # raises if the IANA name is unknown
    assert 3.0 <= record.ghi_kwh_m2_day <= 8.0
    assert record.ghi_grade in data.GRADES
    assert record.climate_zone in ZONES


def _normals_ghi(key: str) -> pd.DataFrame:
    raw = pd.read_csv(data.data_dir() / "climate_normals.csv")
    return raw.loc[raw["site"] == key, ["month", "ghi_kwh_m2_day", "ghi_grade"]]


@pytest.mark.parametrize("key", SITE_KEYS)
def test_site_annual_ghi_is_its_normals_mean_or_an_estimate(key: str) -> None:
    # issue 14: where data/climate_normals.csv gives all twelve monthly GHI values, the site's
    # annual GHI is their day-weighted mean with their grade; otherwise an estimate (grade E)
    record = data.site(key)
    rows = _normals_ghi(key).sort_values("month")
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
    if rows["ghi_kwh_m2_day"].notna().all() and len(rows) == 12:
        mean = float((rows["ghi_kwh_m2_day"].to_numpy() * days).sum() / days.sum())
        assert record.ghi_kwh_m2_day == pytest.approx(mean, abs=0.005)
        assert record.ghi_grade == rows["ghi_grade"].iloc[0]
        assert set(rows["ghi_grade"]) == {record.ghi_grade}
    else:
        assert record.ghi_grade == "E"


def test_site_is_case_insensitive() -> None:
    gao = data.site("GAO")
    assert gao == data.site("gao") == data.site(" Gao ")
    assert gao.name == "Gao"
    assert gao.latitude == pytest.approx(16.27)
    assert gao.longitude == pytest.approx(-0.04)
    assert gao.timezone == "Africa/Bamako"
    assert gao.climate_zone == "sahel"


def test_site_record_is_frozen() -> None:
    gao = data.site("gao")
    with pytest.raises(dataclasses.FrozenInstanceError):
        gao.latitude = 0.0  # type: ignore[misc]


def test_unknown_site_suggests_close_match() -> None:
    with pytest.raises(KeyError, match="timbuktu") as excinfo:
        data.site("Timbuktoo")
    message = str(excinfo.value)
    assert "energyopt sites" in message
    assert "latitude, longitude, elevation_m, timezone" in message


def test_sites_source_labels_ghi_as_estimate_or_names_the_normals() -> None:
    table = data.sites()
    estimate = table["ghi_grade"] == "E"
    assert table.loc[estimate, "source"].str.contains("engineering estimate").all()
    assert table.loc[~estimate, "source"].str.contains("data/climate_normals.csv").all()
    assert not table.loc[~estimate, "source"].str.contains("engineering estimate").any()


def test_sites_returns_a_copy() -> None:
    table = data.sites()
    table.loc["gao", "latitude"] = 0.0
    assert data.site("gao").latitude == pytest.approx(16.27)


# --- climate zones ---------------------------------------------------------------------------


@pytest.mark.parametrize("zone", sorted(ZONES))
def test_climate_zone_has_twelve_plausible_months(zone: str) -> None:
    table = data.climate_zone(zone)
    assert list(table.index) == list(range(1, 13))
    assert list(table.columns) == ["kt", "temp_air_c", "temp_swing_c"]
    assert ((table["kt"] > 0.3) & (table["kt"] < 0.8)).all()
    assert ((table["temp_air_c"] > 0.0) & (table["temp_air_c"] < 45.0)).all()
    assert ((table["temp_swing_c"] > 0.0) & (table["temp_swing_c"] < 15.0)).all()


def test_climate_zones_file_is_complete_and_graded() -> None:
    raw = pd.read_csv(data.data_dir() / data.CLIMATE_ZONES_FILE)
    assert len(raw) == 60
    assert set(raw["zone"]) == ZONES
    assert (raw["grade"] == "E").all()
    assert raw["source"].str.strip().str.len().gt(0).all()


def test_every_site_zone_exists() -> None:
    for key in data.site_keys():
        assert len(data.climate_zone(data.site(key).climate_zone)) == 12


def test_unknown_climate_zone_suggests_close_match() -> None:
    with pytest.raises(KeyError, match="sahel"):
        data.climate_zone("sahal")


# --- validation on load ----------------------------------------------------------------------


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_bad_grade_is_refused(data_copy: Path) -> None:
    _rewrite(data_copy / data.TECHNOLOGIES_FILE, "REopt.jl defaults (NREL ATB 2025),2025,P",
             "REopt.jl defaults (NREL ATB 2025),2025,X")
    with pytest.raises(ValueError, match=r"technologies\.csv.*line 3.*pv\.om_usd_per_kwp_year"):
        data.technology_defaults()


def test_empty_source_is_refused(data_copy: Path) -> None:
    _rewrite(data_copy / data.TECHNOLOGIES_FILE,
             "PV fixed O&M,NREL REopt.jl defaults (NREL ATB 2025),", "PV fixed O&M,,")
    with pytest.raises(ValueError, match=r"technologies\.csv.*empty 'source'"):
        data.default("pv.capex_usd_per_kwp")


def test_empty_year_is_refused(data_copy: Path) -> None:
    _rewrite(data_copy / data.TECHNOLOGIES_FILE, "(NREL ATB 2025),2025,P", "(NREL ATB 2025),,P")
    with pytest.raises(ValueError, match=r"technologies\.csv.*empty 'year'"):
        data.technology_defaults()


def test_non_numeric_value_is_refused(data_copy: Path) -> None:
    _rewrite(data_copy / data.TECHNOLOGIES_FILE, "pv.max_kwp,5000,", "pv.max_kwp,lots,")
    with pytest.raises(ValueError, match=r"technologies\.csv.*pv\.max_kwp.*not a number"):
        data.technology_defaults()


def test_site_without_grade_is_refused(data_copy: Path) -> None:
    _rewrite(data_copy / data.SITES_FILE, "Africa/Bamako,6.1,E,", "Africa/Bamako,6.1,,")
    with pytest.raises(ValueError, match=r"sites\.csv.*line 3.*timbuktu"):
        data.site("timbuktu")


def test_climate_zone_with_missing_month_is_refused(data_copy: Path) -> None:
    path = data_copy / data.CLIMATE_ZONES_FILE
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("southern_monsoon,12,")))
    with pytest.raises(ValueError, match=r"climate_zones\.csv.*southern_monsoon"):
        data.climate_zone("sahel")


def test_missing_data_directory_is_reported(monkeypatch: pytest.MonkeyPatch,
                                            fresh_cache: None, tmp_path: Path) -> None:
    monkeypatch.setattr(data, "data_dir", lambda: tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="technologies.csv"):
        data.technology_defaults()


# --- threat levels ---------------------------------------------------------------------------


def test_threat_levels_carry_provenance_and_grow_with_the_threat() -> None:
    table = data.threat_levels()
    assert set(table["level"]) == set(data.THREAT_LEVELS)
    assert table["grade"].isin(list(data.GRADES)).all()
    assert (table["source"].str.len() > 0).all()
    cas = [data.threat_level(level)["casualties_per_convoy"] for level in data.THREAT_LEVELS]
    assert cas == sorted(cas)
    # DOMAIN.md: Iraq FY2007 0.026 (medium) and Afghanistan FY2007 0.042 (high), both grade S
    assert data.threat_level("medium")["casualties_per_convoy"] == 0.026
    assert data.threat_level("high")["casualties_per_convoy"] == 0.042
    with pytest.raises(KeyError, match="severe"):
        data.threat_level("severe")
