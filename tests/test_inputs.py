"""Tests of energyopt.inputs: time index, weights, load routes, PV series and sites."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import energyopt
from energyopt import data
from energyopt.inputs import time_index


def _inputs(scenario: dict[str, Any]) -> energyopt.Inputs:
    return energyopt.build_inputs(energyopt.load_scenario(scenario))


# --------------------------------------------------------------------------------------------
# Time index, durations and weights
# --------------------------------------------------------------------------------------------
def test_index_is_local_time_of_the_site(tiny: dict[str, Any]) -> None:
    inputs = _inputs(tiny)
    assert str(inputs.index.tz) == "Africa/Bamako"
    assert inputs.n_steps == 2 * 24
    assert inputs.index[0] == pd.Timestamp("2025-01-01 00:00", tz="Africa/Bamako")
    assert ((inputs.index[1:] - inputs.index[:-1]) == pd.Timedelta(minutes=60)).all()
    np.testing.assert_array_equal(inputs.duration_h.to_numpy(), np.ones(48))
    for series in (inputs.duration_h, inputs.weight, inputs.load_kw, inputs.critical_load_kw,
                   inputs.pv_kw_per_kwp):
        assert series.index.equals(inputs.index)


def test_index_starts_at_local_midnight_far_from_utc(tiny: dict[str, Any]) -> None:
    tiny["site"] = "dili"  # Asia/Dili, UTC+9
    tiny["horizon"]["start"] = "2025-03-10"
    index = time_index(energyopt.load_scenario(tiny))
    assert str(index.tz) == "Asia/Dili"
    assert index[0] == pd.Timestamp("2025-03-10 00:00", tz="Asia/Dili")
    assert index[0].tz_convert("UTC") == pd.Timestamp("2025-03-09 15:00", tz="UTC")


@pytest.mark.parametrize(
    ("days", "step_minutes"),
    [(2, 60), (365, 60), (2, 15), (3, 180)],
    ids=["2d-60min", "365d-60min", "2d-15min", "3d-180min"],
)
def test_weights_stand_for_one_year(tiny: dict[str, Any], days: int, step_minutes: int) -> None:
    tiny["horizon"] = {"days": days, "step_minutes": step_minutes}
    inputs = _inputs(tiny)
    n_expected = days * 1440 // step_minutes
    assert inputs.n_steps == n_expected
    assert (inputs.duration_h == step_minutes / 60.0).all()
    assert float((inputs.weight * inputs.duration_h).sum()) == pytest.approx(8760.0, rel=1e-12)
    np.testing.assert_allclose(inputs.weight.to_numpy(), 8760.0 / (days * 24.0), rtol=1e-12)


def test_constant_load_annual_energy(tiny: dict[str, Any]) -> None:
    inputs = _inputs(tiny)
    assert (inputs.load_kw == 200.0).all()
    assert inputs.annual_load_kwh == pytest.approx(200.0 * 8760.0, rel=1e-12)


def test_load_scale_multiplies_the_load(tiny: dict[str, Any]) -> None:
    tiny["load"]["scale"] = 1.5
    assert _inputs(tiny).annual_load_kwh == pytest.approx(300.0 * 8760.0, rel=1e-12)


# --------------------------------------------------------------------------------------------
# Archetype load
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("step_minutes", [60, 30, 15])
def test_archetype_daily_energy(tiny: dict[str, Any], step_minutes: int) -> None:
    # without cooling, rest days and day-to-day noise each day's energy is exact (the step
    # noise only moves energy within the day); tests/test_load.py covers those terms
    tiny["load"] = {"archetype": "company_base", "personnel": 300,
                    "kwh_per_person_per_day": 12.0, "cooling_share": 0.0,
                    "rest_day_factor": 1.0, "noise_day_fraction": 0.0}
    tiny["horizon"]["step_minutes"] = step_minutes
    inputs = _inputs(tiny)
    daily_kwh = (inputs.load_kw * inputs.duration_h).groupby(inputs.index.date).sum()
    assert len(daily_kwh) == 2
    np.testing.assert_allclose(daily_kwh.to_numpy(), 300 * 12.0, rtol=1e-9)


def test_archetype_afternoon_above_night(tiny: dict[str, Any]) -> None:
    tiny["load"] = {"archetype": "team_site", "personnel": 80}
    load = _inputs(tiny).load_kw
    afternoon = load[load.index.hour == 14]
    night = load[load.index.hour == 2]
    assert len(afternoon) == len(night) == 2
    assert (afternoon.to_numpy() > night.to_numpy()).all()
    assert (load > 0).all()


def test_archetype_uses_default_kwh_per_person(tiny: dict[str, Any]) -> None:
    tiny["load"] = {"archetype": "team_site", "personnel": 80}
    scenario = energyopt.load_scenario(tiny)
    assert scenario.load.kwh_per_person_per_day is None  # None: the archetype's default
    assert (data.load_archetype("team_site")["kwh_per_person_per_day"]
            == data.default("load.kwh_per_person_per_day"))


# --------------------------------------------------------------------------------------------
# Critical load
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "load",
    [{"constant_kw": 200}, {"archetype": "battalion_hq", "personnel": 850}],
    ids=["constant", "archetype"],
)
def test_critical_load_is_a_share_of_load(tiny: dict[str, Any], load: dict[str, Any]) -> None:
    tiny["load"] = dict(load, critical_fraction=0.35)
    inputs = _inputs(tiny)
    np.testing.assert_allclose(inputs.critical_load_kw.to_numpy(),
                               0.35 * inputs.load_kw.to_numpy(), rtol=1e-12)
    assert (inputs.critical_load_kw <= inputs.load_kw).all()


def test_critical_load_default_fraction(tiny: dict[str, Any]) -> None:
    inputs = _inputs(tiny)
    fraction = data.default("load.critical_fraction")
    np.testing.assert_allclose(inputs.critical_load_kw.to_numpy(), 200.0 * fraction)
    assert (inputs.critical_load_kw <= inputs.load_kw).all()


# --------------------------------------------------------------------------------------------
# Series given directly
# --------------------------------------------------------------------------------------------
def _pv_values(n: int = 48) -> np.ndarray:
    hour = np.arange(n) % 24
    return np.clip(np.sin((hour - 6) / 12 * np.pi), 0.0, None) * 0.8


def test_pv_series_used_as_is(tiny: dict[str, Any]) -> None:
    values = _pv_values()
    tiny["solar"] = {"pv_kw_per_kwp": {"series": pd.Series(values)}}
    inputs = _inputs(tiny)
    np.testing.assert_array_equal(inputs.pv_kw_per_kwp.to_numpy(), values)
    assert inputs.pv_kw_per_kwp.index.equals(inputs.index)
    # the embedded weather year is still resolved: the load model needs its air temperature
    assert inputs.weather is not None
    assert not inputs.weather["temp_air"].isna().any()


def test_pv_series_with_datetime_index_is_relabelled(tiny: dict[str, Any]) -> None:
    # A regular hourly series on other dates (here a year earlier, in UTC) is relabelled onto
    # the model's steps, as the SeriesSource docstring promises.
    values = _pv_values()
    labels = pd.date_range("2024-01-01", periods=48, freq="h", tz="UTC")
    tiny["solar"] = {"pv_kw_per_kwp": {"series": pd.Series(values, index=labels)}}
    inputs = _inputs(tiny)
    np.testing.assert_array_equal(inputs.pv_kw_per_kwp.to_numpy(), values)
    assert inputs.pv_kw_per_kwp.index.equals(inputs.index)


def test_load_series_on_the_model_index_is_accepted(tiny: dict[str, Any]) -> None:
    values = 150.0 + 10.0 * np.sin(np.arange(48) / 24 * 2 * np.pi)
    labels = pd.date_range("2025-01-01", periods=48, freq="h", tz="Africa/Bamako")
    tiny["load"] = {"series": pd.Series(values, index=labels)}
    inputs = _inputs(tiny)
    np.testing.assert_allclose(inputs.load_kw.to_numpy(), values, rtol=0, atol=0)
    assert inputs.annual_load_kwh == pytest.approx(values.sum() * 8760.0 / 48.0, rel=1e-12)


def test_series_at_the_wrong_step_is_rejected(tiny: dict[str, Any]) -> None:
    labels = pd.date_range("2025-01-01", periods=48, freq="30min", tz="Africa/Bamako")
    tiny["load"] = {"series": pd.Series(np.full(48, 100.0), index=labels)}
    with pytest.raises(energyopt.ScenarioError) as info:
        _inputs(tiny)
    assert [p.field for p in info.value.problems] == ["load.series"]
    assert "regular" in info.value.problems[0].message


def test_load_csv_at_the_wrong_step_is_rejected(tiny: dict[str, Any], tmp_path: Path) -> None:
    # 48 rows, as many as the model's steps, but 30 minutes apart instead of 60
    labels = pd.date_range("2025-01-01", periods=48, freq="30min", tz="Africa/Bamako")
    path = tmp_path / "load.csv"
    pd.DataFrame({"kw": np.full(48, 100.0)}, index=labels.rename("timestamp")).to_csv(path)
    tiny["load"] = {"csv": str(path)}
    with pytest.raises(energyopt.ScenarioError) as info:
        _inputs(tiny)
    assert "load.csv" in [p.field for p in info.value.problems]


def test_load_csv_with_text_is_rejected(tiny: dict[str, Any], tmp_path: Path) -> None:
    labels = pd.date_range("2025-01-01", periods=48, freq="h", tz="Africa/Bamako")
    values: list[object] = [100.0] * 48
    values[10] = "n/a?"
    path = tmp_path / "load.csv"
    pd.DataFrame({"kw": values}, index=labels.rename("timestamp")).to_csv(path)
    tiny["load"] = {"csv": str(path)}
    with pytest.raises(energyopt.ScenarioError) as info:
        _inputs(tiny)
    problem = info.value.problems[0]
    assert problem.field == "load.csv"
    assert "row 12" in problem.message  # header is row 1, first value row 2


# --------------------------------------------------------------------------------------------
# Sites and embedded PV
# --------------------------------------------------------------------------------------------
def test_custom_site(tiny: dict[str, Any]) -> None:
    tiny["site"] = {"name": "N'Djamena", "latitude": 12.1, "longitude": 15.0,
                    "elevation_m": 298.0, "timezone": "Africa/Ndjamena"}
    # no monthly GHI or temperatures: the nearest bundled site's zone stands in, with a warning
    with pytest.warns(UserWarning, match="nearest bundled site"):
        inputs = _inputs(tiny)
    assert inputs.site.latitude == 12.1
    assert inputs.site.longitude == 15.0
    assert inputs.site.elevation_m == 298.0
    assert str(inputs.index.tz) == "Africa/Ndjamena"
    assert inputs.weather is not None
    assert (inputs.pv_kw_per_kwp >= 0).all()
    assert inputs.pv_kw_per_kwp.max() > 0.3


def test_bundled_site_resolves_to_coordinates(tiny: dict[str, Any]) -> None:
    record = data.site("gao")
    site = _inputs(tiny).site
    assert (site.latitude, site.longitude, site.timezone) == (
        record.latitude, record.longitude, record.timezone)


@pytest.mark.parametrize(
    "site",
    ["gao", "dili", "naqoura",
     {"latitude": -4.3, "longitude": 15.3, "elevation_m": 300, "timezone": "Africa/Kinshasa",
      "monthly_kt": [0.45] * 12, "monthly_temp_air_c": [26.0] * 12}],
    ids=["gao", "dili", "naqoura", "custom-kinshasa"],
)
def test_embedded_pv_follows_local_sun(tiny: dict[str, Any], site: Any) -> None:
    tiny["site"] = site
    pv = _inputs(tiny).pv_kw_per_kwp
    midnight = pv[pv.index.hour == 0]
    noon = pv[pv.index.hour == 12]
    assert len(midnight) == len(noon) == 2
    assert (midnight == 0).all()
    assert (noon > 0).all()
    assert float(noon.min()) > 0.2


# --------------------------------------------------------------------------------------------
# solar.weather: a weather file instead of the embedded year
# --------------------------------------------------------------------------------------------

GREENSBORO_TMY3 = Path(__file__).parents[1] / "examples" / "weather" / "723170TYA.CSV"


def _greensboro(days: int = 3, **solar: Any) -> dict[str, Any]:
    return {
        "site": {"name": "Greensboro", "latitude": 36.10, "longitude": -79.95,
                 "elevation_m": 273, "timezone": "America/New_York"},
        "horizon": {"days": days, "start": "2025-06-01"},
        "load": {"constant_kw": 100},
        "solar": {"weather": {"file": str(GREENSBORO_TMY3), "format": "tmy3"},
                  "soiling_monthly_fraction": [0.02] * 12, **solar},
        "diesel": {"units": [{"name": "g", "rated_kw": 200, "existing": 1, "max_count": 1}]},
    }


def test_weather_file_drives_pv_and_is_not_the_embedded_year() -> None:
    from energyopt import resource
    from energyopt.resource import files

    inputs = _inputs(_greensboro())
    assert "723170TYA" in inputs.weather.attrs["source"]
    # the same weather read directly from the file, mapped onto the model's steps
    frame, meta = files.read_weather(GREENSBORO_TMY3, "tmy3")
    year, _ = files.typical_year(frame, meta)
    expected = files.to_index(year, inputs.index)
    np.testing.assert_allclose(inputs.weather["ghi"], expected["ghi"], rtol=1e-9, atol=1e-9)
    embedded = resource.embedded_weather(36.10, -79.95, 273.0, inputs.index,
                                         monthly_ghi_kwh_m2_day=[2.5, 3.3, 4.5, 5.6, 6.0, 6.2,
                                                                 6.0, 5.4, 4.6, 3.6, 2.7, 2.3],
                                         monthly_temp_air_c=[15.0] * 12)
    assert not np.allclose(inputs.weather["ghi"], embedded["ghi"])
    # PV follows the file's irradiance: no output at night, output where the file has sun
    night = inputs.weather["ghi"] <= 0.0
    assert (inputs.pv_kw_per_kwp[night] == 0.0).all()
    assert inputs.pv_kw_per_kwp[~night].max() > 0.3


def test_weather_file_unknown_key_is_named_with_a_hint() -> None:
    raw = _greensboro()
    raw["solar"]["weather"]["formatt"] = "tmy3"
    with pytest.raises(energyopt.ScenarioError) as excinfo:
        energyopt.load_scenario(raw)
    fields = [p.field for p in excinfo.value.problems]
    assert "solar.weather.formatt" in fields
    assert "did you mean 'format'" in str(excinfo.value)


def test_pvgis_request_is_its_own_branch() -> None:
    raw = _greensboro()
    raw["solar"]["weather"] = {"pvgis": True, "timeout": 5}
    with pytest.raises(energyopt.ScenarioError) as excinfo:
        energyopt.load_scenario(raw)
    assert [p.field for p in excinfo.value.problems] == ["solar.weather.timeout"]
    assert "timeout_s" in str(excinfo.value)


def test_weather_must_be_embedded_or_a_mapping() -> None:
    raw = _greensboro()
    raw["solar"]["weather"] = "pvgis"
    with pytest.raises(energyopt.ScenarioError) as excinfo:
        energyopt.load_scenario(raw)
    assert [p.field for p in excinfo.value.problems] == ["solar.weather"]
    assert "embedded" in str(excinfo.value)


def test_missing_weather_file_is_a_scenario_error() -> None:
    raw = _greensboro()
    raw["solar"]["weather"]["file"] = "no/such/file.csv"
    scenario = energyopt.load_scenario(raw)
    with pytest.raises(energyopt.ScenarioError, match="solar.weather.file"):
        energyopt.build_inputs(scenario)
