"""Tests of energyopt.resource.files: readers, time conventions, typical years, PVGIS (mocked).

The committed fixtures (tests/fixtures/weather/, written by make_fixtures.py) are a few days
of SYNTHETIC data; each holds GHI = 777 W/m2 in the hour starting at 12:00 on 2 January on its
own clock, so a test can see where that hour lands. Year-long data are generated here in
tmp_path. No test touches the network: an autouse fixture makes any socket connection fail.
"""

from __future__ import annotations

import json
import math
import socket
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pvlib
import pydantic
import pytest
import requests

from energyopt.errors import ScenarioError
from energyopt.resource import checks, formats, pvgis
from energyopt.resource import files as wio
from energyopt.scenario import PvgisSpec, SiteSpec, WeatherFileSpec

FIXTURES = Path(__file__).parent / "fixtures" / "weather"
PVLIB_DATA = Path(pvlib.__file__).parent / "data"
MARK = 777.0
JUBA = SiteSpec(name="Juba test", latitude=4.85, longitude=31.58, elevation_m=500,
                timezone="Africa/Juba")
GAO = SiteSpec(name="Gao", latitude=16.27, longitude=-0.04, elevation_m=265,
               timezone="Africa/Bamako")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("network access is disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _field(exc: pytest.ExceptionInfo[ScenarioError]) -> str:
    assert len(exc.value.problems) == 1
    return exc.value.problems[0].field


def _year_index(tz: str, year: int = 2025, freq: str = "h") -> pd.DatetimeIndex:
    return pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq=freq, tz=tz,
                         inclusive="left")


def _bell(hours: np.ndarray, peak: float = 900.0) -> np.ndarray:
    mid = hours + 0.5
    return np.where((mid > 6) & (mid < 18), peak * np.clip(np.sin(np.pi * (mid - 6) / 12), 0,
                                                            None) ** 1.2, 0.0)


def _hourly_frame(index: pd.DatetimeIndex, scale: np.ndarray | float = 1.0) -> pd.DataFrame:
    """Synthetic hourly weather on ``index`` (GHI bell on the index's own clock)."""
    hours = np.asarray(index.tz_localize(None).hour, dtype=float)
    ghi = _bell(hours) * scale
    return pd.DataFrame({"ghi": ghi, "dni": ghi * 0.8, "dhi": ghi * 0.25,
                         "temp_air": 25.0 + 5.0 * np.cos(2 * np.pi * (hours - 15) / 24),
                         "wind_speed": 2.0}, index=index)


def _write_csv(path: Path, frame: pd.DataFrame, fmt: str = "%Y-%m-%dT%H:%M:%S%z") -> Path:
    out = frame.copy()
    out.index = [t.strftime(fmt) for t in out.index]
    out.index.name = "time"
    out.to_csv(path)
    return path


def _pvgis_rows(months: dict[int, int]) -> list[dict[str, Any]]:
    """8760 hourly PVGIS TMY rows in UTC, month m taken from year months[m] (no Feb 29)."""
    rows: list[dict[str, Any]] = []
    for month in range(1, 13):
        year = months[month]
        days = 28 if month == 2 else pd.Period(f"{year}-{month:02d}", freq="M").days_in_month
        for day in range(1, days + 1):
            for hour in range(24):
                ghi = float(_bell(np.array([float(hour)]))[0]) * (0.8 + 0.02 * month)
                rows.append({"time(UTC)": f"{year}{month:02d}{day:02d}:{hour:02d}00",
                             "T2m": 20.0 + month, "RH": 30.0, "G(h)": round(ghi, 2),
                             "Gb(n)": round(ghi * 0.8, 2), "Gd(h)": round(ghi * 0.25, 2),
                             "IR(h)": 350.0, "WS10m": 2.0 + month / 10, "WD10m": 90.0,
                             "SP": 97000.0})
    return rows


MONTHS = {1: 2011, 2: 2016, 3: 2009, 4: 2013, 5: 2008, 6: 2006, 7: 2011, 8: 2010, 9: 2020,
          10: 2006, 11: 2007, 12: 2016}


def _pvgis_json_text(lat: float = 16.27, lon: float = -0.04) -> str:
    return json.dumps({
        "inputs": {"location": {"latitude": lat, "longitude": lon, "elevation": 265.0},
                   "meteo_data": {"radiation_db": "SYNTHETIC", "meteo_db": "SYNTHETIC"}},
        "outputs": {"months_selected": [{"month": m, "year": y} for m, y in MONTHS.items()],
                    "tmy_hourly": _pvgis_rows(MONTHS)},
        "meta": {"inputs": {}, "outputs": {}},
    })


def _pvgis_csv(path: Path) -> Path:
    rows = _pvgis_rows(MONTHS)
    lines = ["Latitude (decimal degrees): 16.270", "Longitude (decimal degrees): -0.040",
             "Elevation (m): 265.0", "Irradiance Time Offset (h): 0.1", "month,year"]
    lines += [f"{m},{y}" for m, y in MONTHS.items()]
    lines.append("time(UTC),T2m,RH,G(h),Gb(n),Gd(h),IR(h),WS10m,WD10m,SP")
    lines += [",".join(str(r[k]) for k in ("time(UTC)", "T2m", "RH", "G(h)", "Gb(n)", "Gd(h)",
                                             "IR(h)", "WS10m", "WD10m", "SP")) for r in rows]
    lines += ["", "T2m: 2-m air temperature (degree Celsius)",
              "G(h): Global irradiance on the horizontal plane (W/m2)"]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Readers on their fixtures
# --------------------------------------------------------------------------------------------
def test_epw_reader_columns_units_and_start_labels() -> None:
    frame, meta = wio.read_weather(FIXTURES / "synthetic.epw")
    assert tuple(frame.columns) == wio.WEATHER_COLUMNS
    assert meta.source_format == "epw"
    assert meta.clock == "UTC+02:00"
    assert (meta.latitude, meta.longitude, meta.elevation_m) == (4.85, 31.58, 500.0)
    assert meta.kind == "typical"
    assert meta.years == (2011,)
    assert len(frame) == 72
    assert frame.index.freq == "h" or (frame.index[1:] - frame.index[:-1] == formats._HOUR).all()
    # EPW hour 13 of 2 Jan covers 12:00-13:00 local standard time: labelled 12:00
    assert frame["ghi"].iloc[24 + 12] == MARK
    assert frame.index[24 + 12].hour == 12
    # cross-check with pvlib's reader on the same file
    data, _ = pvlib.iotools.read_epw(str(FIXTURES / "synthetic.epw"))
    np.testing.assert_allclose(frame["ghi"].to_numpy(), data["ghi"].to_numpy(dtype=float))
    np.testing.assert_allclose(frame["temp_air"].to_numpy(), data["temp_air"].to_numpy())


def test_epw_year_lands_on_the_right_hours_of_the_site() -> None:
    frame, meta = wio.read_weather(FIXTURES / "synthetic.epw")
    year, meta = wio.typical_year(frame, meta)
    assert year.index[0] == pd.Timestamp("2011-01-01 00:00", tz="UTC+02:00")
    juba = pd.date_range("2025-01-01", periods=72, freq="h", tz="Africa/Juba")  # UTC+2 now
    out = wio.to_index(year, juba)
    assert out.loc[pd.Timestamp("2025-01-02 12:00", tz="Africa/Juba"), "ghi"] == MARK
    utc = pd.date_range("2025-01-01 00:00", periods=48, freq="h", tz="UTC")
    out_utc = wio.to_index(year, utc)
    assert out_utc.loc[pd.Timestamp("2025-01-02 10:00", tz="UTC"), "ghi"] == MARK


def test_tmy3_reader_moves_end_labels_to_starts() -> None:
    frame, meta = wio.read_weather(FIXTURES / "synthetic_tmy3.csv")
    assert tuple(frame.columns) == wio.WEATHER_COLUMNS
    assert meta.source_format == "tmy3"
    assert meta.clock == "UTC+02:00"
    assert meta.years == (1999,)
    # the row '01/02/1999 13:00' (end label) is the hour starting at 12:00
    assert frame["ghi"].iloc[24 + 12] == MARK
    assert frame.index[24 + 12].hour == 12
    assert frame.index[0].hour == 0  # '01:00' -> 00:00


def test_tmy3_bundled_with_pvlib_cross_check() -> None:
    """Greensboro NC (NSRDB TMY3 shipped by pvlib): mixed years, a leap-year February."""
    path = PVLIB_DATA / "723170TYA.CSV"
    frame, meta = wio.read_weather(path)
    assert meta.kind == "typical"
    assert len(meta.years) > 1
    assert dict(meta.months_selected)[2] == 1996  # February from a leap year, 28 days kept
    year, _ = wio.typical_year(frame, meta)
    assert len(year) == 8760
    assert year.index[0].year == checks.TYPICAL_YEAR_LABEL
    data, _ = pvlib.iotools.read_tmy3(str(path))
    # same values in the same order: only the labels moved back one hour
    np.testing.assert_allclose(year["ghi"].to_numpy(), data["ghi"].to_numpy(dtype=float))
    out = wio.to_index(year, _year_index("America/New_York"))
    # 1 Jan 08:00-09:00 EST is the file's row 'Time 09:00' (row 8)
    assert out["ghi"].iloc[8] == data["ghi"].iloc[8]
    # 1 Jul 12:00-13:00 EDT = 11:00-12:00 EST: the row '07/01 12:00'
    row = int(np.flatnonzero((data["Date (MM/DD/YYYY)"].str[:5] == "07/01")
                             & (data["Time (HH:MM)"] == "12:00"))[0])
    assert out.loc[pd.Timestamp("2025-07-01 12:00", tz="America/New_York"), "ghi"] == (
        data["ghi"].iloc[row])
    annual_kwh_m2 = out["ghi"].sum() / 1000.0
    assert annual_kwh_m2 == pytest.approx(data["ghi"].sum() / 1000.0, rel=1e-9)


def test_pvgis_json_reader_utc() -> None:
    frame, meta = wio.read_weather(FIXTURES / "synthetic_pvgis.json")
    assert meta.source_format == "pvgis_json"
    assert meta.clock == "UTC"
    assert (meta.latitude, meta.longitude) == (16.27, -0.04)
    assert dict(meta.months_selected)[1] == 2016
    assert tuple(frame.columns) == wio.WEATHER_COLUMNS
    assert frame["wind_speed"].iloc[0] == 3.1
    assert frame["ghi"].iloc[24 + 12] == MARK
    assert frame.index[24 + 12].hour == 12
    year, _ = wio.typical_year(frame, meta)
    bamako = pd.date_range("2025-01-01", periods=72, freq="h", tz="Africa/Bamako")  # UTC+0
    out = wio.to_index(year, bamako)
    assert out.loc[pd.Timestamp("2025-01-02 12:00", tz="Africa/Bamako"), "ghi"] == MARK
    lagos = pd.date_range("2025-01-01 06:00", periods=48, freq="h", tz="Africa/Lagos")  # +1
    assert wio.to_index(year, lagos).loc[pd.Timestamp("2025-01-02 13:00", tz="Africa/Lagos"),
                                         "ghi"] == MARK


def test_pvgis_csv_reader_full_year(tmp_path: Path) -> None:
    path = _pvgis_csv(tmp_path / "tmy_16.270_-0.040.csv")
    assert formats.infer_format(path) == "pvgis_csv"
    frame, meta = wio.read_weather(path)
    assert meta.source_format == "pvgis_csv"
    assert meta.clock == "UTC"
    assert meta.kind == "typical"
    assert set(meta.years) == set(MONTHS.values())
    assert dict(meta.months_selected) == MONTHS
    assert any("time offset" in n for n in meta.notes)
    year, _ = wio.typical_year(frame, meta)
    assert len(year) == 8760
    assert year.index[0] == pd.Timestamp(f"{checks.TYPICAL_YEAR_LABEL}-01-01", tz="UTC")
    json_path = tmp_path / "same.json"
    json_path.write_text(_pvgis_json_text(), encoding="utf-8")
    json_frame, _ = wio.read_weather(json_path)
    pd.testing.assert_frame_equal(json_frame, frame, check_freq=False)


def test_nasa_power_reader_local_solar_time() -> None:
    frame, meta = wio.read_weather(FIXTURES / "synthetic_nasa_power.csv")
    assert meta.source_format == "nasa_power"
    assert meta.clock == "UTC+02:00"  # LST of 31.58 E: UTC + round(31.58 / 15) h
    assert (meta.latitude, meta.longitude, meta.elevation_m) == (4.85, 31.58, 500.0)
    assert meta.kind == "series"
    assert meta.years == (2021,)
    assert frame["ghi"].iloc[24 + 12] == MARK
    assert frame.index[24 + 12].hour == 12
    assert frame["dhi"].iloc[24 + 12] == pytest.approx(MARK * 0.25)
    assert any("local solar time" in n for n in meta.notes)


def test_nasa_power_utc_header_and_fill_value(tmp_path: Path) -> None:
    text = (FIXTURES / "synthetic_nasa_power.csv").read_text(encoding="utf-8")
    text = text.replace("01/03/2021 in LST", "01/03/2021 in UTC")
    lines = text.splitlines()
    header_end = lines.index("-END HEADER-")
    cells = lines[header_end + 2 + 30].split(",")
    cells[7] = "-999.00"  # one missing temperature: interpolated with a warning
    lines[header_end + 2 + 30] = ",".join(cells)
    path = tmp_path / "power_utc.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="interpolated"):
        frame, meta = wio.read_weather(path)
    assert meta.clock == "UTC"
    assert frame["ghi"].iloc[24 + 12] == MARK
    assert not frame.isna().any().any()
    neighbours = frame["temp_air"].iloc[[29, 31]].mean()
    assert frame["temp_air"].iloc[30] == pytest.approx(neighbours)


def test_generic_csv_15_min_resampled_energy_kept() -> None:
    path = FIXTURES / "synthetic_15min.csv"
    raw = pd.read_csv(path)
    with pytest.warns(UserWarning, match="15 min data averaged to hourly"):
        frame, meta = wio.read_weather(path, latitude=4.85, longitude=31.58)
    assert meta.clock == "UTC+03:00"
    assert meta.native_step_minutes == 15
    assert tuple(frame.columns) == wio.WEATHER_COLUMNS
    # energy: sum of Wh/m2 before (15 min) == after (hourly)
    assert frame["ghi"].sum() * 1.0 == pytest.approx(raw["GHI [W/m2]"].sum() * 0.25, rel=1e-12)
    assert frame["ghi"].iloc[24 + 12] == MARK
    assert frame.index[24 + 12].hour == 12
    # dni/dhi from the Erbs decomposition at the given coordinates
    assert any("Erbs" in n for n in meta.notes)
    assert (frame["dni"] >= 0).all()
    assert (frame["dhi"] >= 0).all()
    assert (frame["dhi"] <= frame["ghi"] + 1e-9).all()


def test_generic_csv_three_hourly_spread_energy_kept(tmp_path: Path) -> None:
    index = pd.date_range("2023-03-01", periods=16, freq="3h", tz="UTC")
    coarse = pd.DataFrame({"ghi": [0, 0, 150, 600, 700, 300, 0, 0] * 2,
                           "temp_air": [20, 19, 22, 28, 30, 27, 23, 21] * 2}, index=index)
    path = _write_csv(tmp_path / "three_hourly.csv", coarse)
    with pytest.warns(UserWarning, match="3 h data spread evenly"):
        frame, _ = wio.read_weather(path, latitude=16.27, longitude=-0.04)
    assert len(frame) == 48
    assert frame["ghi"].sum() == pytest.approx(coarse["ghi"].sum() * 3)
    np.testing.assert_allclose(frame["ghi"].iloc[9:12].to_numpy(), [600.0, 600.0, 600.0])


def test_generic_csv_naive_timestamps_need_a_timezone(tmp_path: Path) -> None:
    index = pd.date_range("2023-01-01", periods=48, freq="h", tz="UTC+03:00")
    path = _write_csv(tmp_path / "naive.csv", _hourly_frame(index), fmt="%Y-%m-%d %H:%M")
    with pytest.raises(ScenarioError, match="no UTC offset") as exc:
        wio.read_weather(path)
    assert _field(exc) == "solar.weather.timezone"
    frame, meta = wio.read_weather(path, timezone="Africa/Nairobi")
    assert meta.clock == "UTC+03:00"
    assert frame.index[0] == pd.Timestamp("2023-01-01 00:00", tz="UTC+03:00")


def test_generic_csv_dst_timezone_goes_on_standard_time(tmp_path: Path) -> None:
    index = pd.date_range("2023-03-24", "2023-03-28", freq="h", tz="Asia/Beirut",
                          inclusive="left")  # DST starts 26 March 2023 in Lebanon
    frame_in = _hourly_frame(index)
    path = _write_csv(tmp_path / "beirut.csv", frame_in)
    frame, meta = wio.read_weather(path)
    assert meta.clock == "UTC+02:00"  # standard time of Asia/Beirut
    assert any("standard time" in n for n in meta.notes)
    assert len(frame) == len(index)
    out = wio.to_index(frame, index)
    np.testing.assert_allclose(out["ghi"].to_numpy(), frame_in["ghi"].to_numpy())


def test_generic_csv_column_map_and_end_labels(tmp_path: Path) -> None:
    index = pd.date_range("2023-01-01 01:00", periods=48, freq="h", tz="UTC")
    data = _hourly_frame(index - formats._HOUR).set_axis(index)
    data = data.rename(columns={"ghi": "Gh", "temp_air": "Ta", "dni": "Bn", "dhi": "Dh",
                                "wind_speed": "FF"})
    path = _write_csv(tmp_path / "station.csv", data)
    columns = {"time": "time", "ghi": "Gh", "dni": "Bn", "dhi": "Dh", "temp_air": "Ta",
               "wind_speed": "FF"}
    frame, meta = wio.read_weather(path, columns=columns, label="end")
    assert frame.index[0] == pd.Timestamp("2023-01-01 00:00", tz="UTC")
    np.testing.assert_allclose(frame["ghi"].to_numpy(), data["Gh"].to_numpy())
    assert any("end-of-interval" in n for n in meta.notes)
    with pytest.raises(ScenarioError, match="no column 'GHI'") as exc:
        wio.read_weather(path, columns={"ghi": "GHI"})
    assert _field(exc) == "solar.weather.columns"


def test_missing_temperature_is_an_error(tmp_path: Path) -> None:
    index = pd.date_range("2023-01-01", periods=48, freq="h", tz="UTC")
    path = _write_csv(tmp_path / "no_temp.csv", _hourly_frame(index)[["ghi"]])
    with pytest.raises(ScenarioError, match="temp_air") as exc:
        wio.read_weather(path)
    assert _field(exc) == "solar.weather.columns"


def test_missing_wind_defaults_with_a_note(tmp_path: Path) -> None:
    index = pd.date_range("2023-01-01", periods=48, freq="h", tz="UTC")
    path = _write_csv(tmp_path / "no_wind.csv", _hourly_frame(index).drop(columns="wind_speed"))
    frame, meta = wio.read_weather(path)
    assert (frame["wind_speed"] == checks.DEFAULT_WIND_SPEED_M_S).all()
    assert any("m/s assumed" in n for n in meta.notes)


@pytest.mark.parametrize(("name", "fmt"), [
    ("synthetic.epw", "epw"), ("synthetic_tmy3.csv", "tmy3"),
    ("synthetic_pvgis.json", "pvgis_json"), ("synthetic_nasa_power.csv", "nasa_power"),
    ("synthetic_15min.csv", "csv")])
def test_format_inferred_from_contents(name: str, fmt: str) -> None:
    assert formats.infer_format(FIXTURES / name) == fmt


def test_example_weather_file_is_pvlibs_greensboro_tmy3() -> None:
    example = Path(__file__).parents[1] / "examples" / "weather" / "723170TYA.CSV"
    assert example.read_bytes() == (PVLIB_DATA / "723170TYA.CSV").read_bytes()
    frame, meta = wio.read_weather(example)
    assert (meta.latitude, meta.longitude) == (36.1, -79.95)
    assert frame["ghi"].mean() * 24 / 1000 == pytest.approx(4.29, abs=0.01)


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------
def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="file not found") as exc:
        wio.read_weather(tmp_path / "nowhere.epw")
    assert _field(exc) == "solar.weather.file"
    odd = tmp_path / "weather.xyz"
    odd.write_text("some,thing\n1,2\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="cannot tell the format") as exc:
        wio.read_weather(odd)
    assert _field(exc) == "solar.weather.format"
    with pytest.raises(ScenarioError, match="unknown format") as exc:
        wio.read_weather(odd, "grib")
    assert _field(exc) == "solar.weather.format"


def test_wrong_format_given_is_a_clear_error() -> None:
    with pytest.raises(ScenarioError, match="not a readable tmy3 file") as exc:
        wio.read_weather(FIXTURES / "synthetic.epw", "tmy3")
    assert _field(exc) == "solar.weather.file"


def test_duplicate_and_irregular_timestamps(tmp_path: Path) -> None:
    index = pd.date_range("2023-01-01", periods=24, freq="h", tz="UTC")
    frame = _hourly_frame(index)
    dup = pd.concat([frame.iloc[:10], frame.iloc[9:]])
    with pytest.raises(ScenarioError, match="duplicate timestamp") as exc:
        wio.read_weather(_write_csv(tmp_path / "dup.csv", dup))
    assert _field(exc) == "solar.weather.file"
    odd = frame.copy()
    odd.index = index.where(index != index[5], index[5] + pd.Timedelta(minutes=20))
    with pytest.raises(ScenarioError, match="irregular timestamps") as exc:
        wio.read_weather(_write_csv(tmp_path / "odd.csv", odd))
    assert _field(exc) == "solar.weather.file"


def test_negative_irradiance_clipped_or_rejected(tmp_path: Path) -> None:
    index = pd.date_range("2023-01-01", periods=24, freq="h", tz="UTC")
    frame = _hourly_frame(index)
    frame.iloc[2, 0] = -2.0  # a night-time sensor offset
    clipped, meta = wio.read_weather(_write_csv(tmp_path / "small.csv", frame))
    assert clipped["ghi"].iloc[2] == 0.0
    assert any("small negative ghi" in n for n in meta.notes)
    frame.iloc[12, 0] = -50.0
    with pytest.raises(ScenarioError, match="negative irradiance") as exc:
        wio.read_weather(_write_csv(tmp_path / "large.csv", frame))
    assert _field(exc) == "solar.weather.file"


def test_implausible_units_rejected(tmp_path: Path) -> None:
    index = pd.date_range("2023-01-01", periods=24, freq="h", tz="UTC")
    frame = _hourly_frame(index)
    frame["ghi"] *= 3.6  # kJ/m2 per hour instead of W/m2
    with pytest.raises(ScenarioError, match="not W/m2"):
        wio.read_weather(_write_csv(tmp_path / "kj.csv", frame))
    frame = _hourly_frame(index)
    frame["temp_air"] += 273.15
    with pytest.raises(ScenarioError, match="kelvin"):
        wio.read_weather(_write_csv(tmp_path / "kelvin.csv", frame))


def test_nan_runs_short_interpolated_long_rejected(tmp_path: Path) -> None:
    index = pd.date_range("2023-01-01", periods=48, freq="h", tz="UTC")
    frame = _hourly_frame(index)
    frame.iloc[10:13, 0] = np.nan  # 3 h gap
    with pytest.warns(UserWarning, match="interpolated missing values"):
        filled, _ = wio.read_weather(_write_csv(tmp_path / "short.csv", frame))
    assert not filled.isna().any().any()
    expected = np.linspace(frame["ghi"].iloc[9], frame["ghi"].iloc[13], 5)[1:4]
    np.testing.assert_allclose(filled["ghi"].iloc[10:13].to_numpy(), expected)
    frame.iloc[20:24, 3] = np.nan  # 4 h gap of temperature
    with pytest.raises(ScenarioError, match="gap longer than 3 h") as exc:
        wio.read_weather(_write_csv(tmp_path / "long.csv", frame))
    assert _field(exc) == "solar.weather.file"
    assert "temp_air" in str(exc.value)
    rows_missing = _hourly_frame(index).drop(index[30:36])  # 6 missing rows
    with pytest.raises(ScenarioError, match="gap longer than 3 h"):
        wio.read_weather(_write_csv(tmp_path / "rows.csv", rows_missing))


def test_far_away_file_warns_naming_both_places() -> None:
    frame, meta = wio.read_weather(FIXTURES / "synthetic.epw")
    with pytest.warns(UserWarning, match=r"synthetic\.epw is for 4\.850 N.*Gao.*16\.270 N"):
        km = wio.check_location(meta, GAO.latitude, GAO.longitude, site_name="Gao")
    assert km is not None
    assert 3500 < km < 3900
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert wio.check_location(meta, 4.9, 31.6) < 10.0


# --------------------------------------------------------------------------------------------
# Typical years, multi-year series, mapping onto the model's index
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def multi_year_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hourly 2017-2019 in UTC; monthly scale factors make the typical-year picks known."""
    index = pd.date_range("2017-01-01", "2020-01-01", freq="h", tz="UTC", inclusive="left")
    factor = {2017: 1.0, 2018: 1.1, 2019: 0.7}
    scale = np.array([factor[y] for y in index.year])
    march = np.asarray(index.month == 3)
    scale[march & np.asarray(index.year == 2017)] = 0.5  # March: 0.5, 1.1, 0.7 -> 0.767
    path = tmp_path_factory.mktemp("multi") / "station_2017_2019.csv"
    return _write_csv(path, _hourly_frame(index, scale))


def test_multi_year_pick_a_year(multi_year_csv: Path) -> None:
    frame, meta = wio.read_weather(multi_year_csv)
    assert meta.kind == "series"
    assert meta.years == (2017, 2018, 2019)
    year, meta2 = wio.typical_year(frame, meta, year=2018)
    assert len(year) == 8760
    assert set(year.index.year) == {2018}
    ghi = wio.to_index(year, _year_index("UTC"))["ghi"]
    np.testing.assert_allclose(ghi.to_numpy(), frame.loc["2018", "ghi"].to_numpy())
    with pytest.raises(ScenarioError, match="no data for 2016") as exc:
        wio.typical_year(frame, meta, year=2016)
    assert _field(exc) == "solar.weather.year"


def test_multi_year_typical_year_picks_months_closest_to_mean(multi_year_csv: Path) -> None:
    frame, meta = wio.read_weather(multi_year_csv)
    year, meta2 = wio.typical_year(frame, meta)
    picks = dict(meta2.months_selected)
    assert picks[1] == 2017  # 1.0 closest to the mean 0.933 of (1.0, 1.1, 0.7)
    assert picks[3] == 2019  # 0.7 closest to the mean 0.767 of (0.5, 1.1, 0.7)
    assert len(year) == 8760
    assert set(year.index.year) == {checks.TYPICAL_YEAR_LABEL}
    assert any("closest to the month's mean" in n for n in meta2.notes)
    march = year.index.month == 3
    np.testing.assert_allclose(year["ghi"][march].to_numpy(),
                               frame.loc["2019-03", "ghi"].to_numpy())


def test_year_on_a_typical_file_is_an_error() -> None:
    frame, meta = wio.read_weather(PVLIB_DATA / "723170TYA.CSV")
    with pytest.raises(ScenarioError, match="typical year") as exc:
        wio.typical_year(frame, meta, year=1990)
    assert _field(exc) == "solar.weather.year"


@pytest.fixture(scope="module")
def typical_utc() -> pd.DataFrame:
    index = pd.date_range(f"{checks.TYPICAL_YEAR_LABEL}-01-01", periods=8760, freq="h", tz="UTC")
    frame = _hourly_frame(index, scale=np.asarray(1.0 + index.day_of_year / 1000.0))
    frame["temp_air"] += np.asarray(index.day_of_year, dtype=float) / 100.0
    return frame


@pytest.mark.parametrize("minutes", [5, 15, 30, 60, 120, 180, 360])
def test_to_index_any_step_keeps_energy(typical_utc: pd.DataFrame, minutes: int) -> None:
    index = _year_index("UTC", freq=f"{minutes}min")
    out = wio.to_index(typical_utc, index)
    assert out.index.equals(index)
    assert tuple(out.columns) == wio.WEATHER_COLUMNS
    step_h = minutes / 60.0
    assert (out["ghi"] * step_h).sum() == pytest.approx(typical_utc["ghi"].sum(), rel=1e-9)
    if minutes < 60:  # sub-hourly steps repeat the hourly mean
        per_hour = 60 // minutes
        np.testing.assert_allclose(out["ghi"].to_numpy()[::per_hour],
                                   typical_utc["ghi"].to_numpy())
    else:  # multi-hour steps average
        per_step = minutes // 60
        expected = typical_utc["ghi"].to_numpy().reshape(-1, per_step).mean(axis=1)
        np.testing.assert_allclose(out["ghi"].to_numpy(), expected)


def test_to_index_any_start_and_across_new_year(typical_utc: pd.DataFrame) -> None:
    index = pd.date_range("2025-12-01", periods=62 * 24, freq="h", tz="UTC")
    out = wio.to_index(typical_utc, index)
    dec = typical_utc.loc[f"{checks.TYPICAL_YEAR_LABEL}-12", "ghi"].to_numpy()
    jan = typical_utc.loc[f"{checks.TYPICAL_YEAR_LABEL}-01", "ghi"].to_numpy()
    np.testing.assert_allclose(out["ghi"].to_numpy()[:744], dec)
    np.testing.assert_allclose(out["ghi"].to_numpy()[744:744 * 2], jan)


def test_to_index_half_hour_timezone_keeps_energy(typical_utc: pd.DataFrame) -> None:
    index = _year_index("Asia/Kolkata")  # UTC+05:30: each model hour spans two file hours
    out = wio.to_index(typical_utc, index)
    assert out["ghi"].sum() == pytest.approx(typical_utc["ghi"].sum(), rel=2e-3)
    first = typical_utc["ghi"].to_numpy()
    # 2025-01-01 12:00 IST = 06:30 UTC: half of 06:00 and half of 07:00 UTC
    noon = out.loc[pd.Timestamp("2025-01-01 12:00", tz="Asia/Kolkata"), "ghi"]
    assert noon == pytest.approx(0.5 * (first[6] + first[7]))


def test_to_index_feb29(typical_utc: pd.DataFrame) -> None:
    leap = pd.date_range("2028-02-28", periods=72, freq="h", tz="UTC")
    out = wio.to_index(typical_utc, leap)
    np.testing.assert_allclose(out["ghi"].to_numpy()[24:48], out["ghi"].to_numpy()[:24])
    np.testing.assert_allclose(out["temp_air"].to_numpy()[24:48], out["temp_air"].to_numpy()[:24])
    # a leap source year on a non-leap model year: Feb 29 is dropped, Mar 1 stays Mar 1
    source = pd.date_range("2020-01-01", "2021-01-01", freq="h", tz="UTC", inclusive="left")
    frame = _hourly_frame(source, scale=np.asarray(1.0 + source.day_of_year / 1000.0))
    mapped = wio.to_index(frame, pd.date_range("2025-03-01", periods=24, freq="h", tz="UTC"))
    np.testing.assert_allclose(mapped["ghi"].to_numpy(), frame.loc["2020-03-01", "ghi"])


def test_to_index_rejects_bad_inputs(typical_utc: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        wio.to_index(typical_utc, pd.date_range("2025-01-01", periods=3, freq="h"))
    irregular = pd.DatetimeIndex(["2025-01-01 00:00", "2025-01-01 01:00", "2025-01-01 03:00"],
                                 tz="UTC")
    with pytest.raises(ValueError, match="regular"):
        wio.to_index(typical_utc, irregular)
    with pytest.raises(ScenarioError, match="does not cover") as exc:
        wio.to_index(typical_utc.iloc[:48], pd.date_range("2025-01-01", periods=72, freq="h",
                                                          tz="UTC"))
    assert _field(exc) == "solar.weather.file"


# --------------------------------------------------------------------------------------------
# weather_from_spec
# --------------------------------------------------------------------------------------------
def test_weather_from_spec_resolves_relative_paths() -> None:
    spec = WeatherFileSpec(file=Path("synthetic.epw"))
    index = pd.date_range("2025-01-01", periods=72, freq="h", tz="Africa/Juba")
    out = wio.weather_from_spec(spec, site=JUBA, index=index, base_dir=FIXTURES)
    assert out.index.equals(index)
    assert tuple(out.columns) == wio.WEATHER_COLUMNS
    assert out.loc[pd.Timestamp("2025-01-02 12:00", tz="Africa/Juba"), "ghi"] == MARK
    assert out.attrs["weather_meta"].source_format == "epw"
    with pytest.warns(UserWarning, match="from site 'Gao'"):
        wio.weather_from_spec(spec, site=GAO, index=index, base_dir=FIXTURES)


def test_weather_from_spec_year_and_format(multi_year_csv: Path) -> None:
    spec = WeatherFileSpec(file=multi_year_csv, format="csv", year=2019)
    index = pd.date_range("2025-06-01", periods=30 * 96, freq="15min", tz="UTC")
    out = wio.weather_from_spec(spec, site=GAO, index=index, base_dir=None)
    hourly = pd.read_csv(multi_year_csv, index_col=0)
    hourly.index = pd.to_datetime(hourly.index, utc=True)
    june = hourly.loc["2019-06", "ghi"].to_numpy()
    assert out["ghi"].sum() * 0.25 == pytest.approx(june.sum(), rel=1e-9)


def test_scenario_specs_validate() -> None:
    assert WeatherFileSpec(file=Path("a.epw"), timezone="UTC+03:00").timezone == "UTC+03:00"
    with pytest.raises(pydantic.ValidationError, match="unknown timezone"):
        WeatherFileSpec(file=Path("a.csv"), timezone="Africa/Bamak")
    with pytest.raises(pydantic.ValidationError, match="unknown column key"):
        WeatherFileSpec(file=Path("a.csv"), columns={"irradiance": "G"})
    with pytest.raises(pydantic.ValidationError):
        WeatherFileSpec(file=Path("a.grib"), format="grib")  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        PvgisSpec(pvgis=False)  # type: ignore[arg-type]
    assert PvgisSpec(pvgis=True).timeout_s == 30.0


# --------------------------------------------------------------------------------------------
# PVGIS with the network mocked
# --------------------------------------------------------------------------------------------
class _FakeResponse:
    def __init__(self, text: str, status: int = 200) -> None:
        self.text = text
        self.status_code = status
        self.ok = status < 400
        self.reason = "OK" if self.ok else "Bad Request"

    def json(self) -> Any:
        return json.loads(self.text)


def test_pvgis_fetch_caches_then_works_offline(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def fake_get(url: str, params: dict[str, Any], timeout: float) -> _FakeResponse:
        calls.append({"url": url, **params, "timeout": timeout})
        return _FakeResponse(_pvgis_json_text())

    monkeypatch.setattr(requests, "get", fake_get)
    path = pvgis.fetch_pvgis_tmy(16.27004, -0.04, cache_dir=tmp_path, timeout_s=12.0)
    assert path.is_file()
    assert path.parent == tmp_path
    assert path.name == "pvgis_tmy_16.270_-0.040.json"
    assert calls == [{"url": pvgis.PVGIS_URL + "tmy", "lat": 16.27, "lon": -0.04,
                      "outputformat": "json", "timeout": 12.0}]

    def offline(*args: Any, **kwargs: Any) -> None:
        raise requests.ConnectionError("no route to host")

    monkeypatch.setattr(requests, "get", offline)
    again = pvgis.fetch_pvgis_tmy(16.2701, -0.0401, cache_dir=tmp_path)  # same rounded key
    assert again == path
    frame, meta = wio.read_weather(again)
    assert meta.source_format == "pvgis_json"
    assert len(frame) == 8760
    # refresh while offline: the cached copy is used, with a warning
    with pytest.warns(UserWarning, match="using the cached PVGIS TMY"):
        assert pvgis.fetch_pvgis_tmy(16.27, -0.04, cache_dir=tmp_path, refresh=True) == path


def test_pvgis_offline_without_cache_is_a_clear_error(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(*args: Any, **kwargs: Any) -> None:
        raise requests.ConnectionError("no route to host")

    monkeypatch.setattr(requests, "get", offline)
    with pytest.raises(ScenarioError, match="cannot reach PVGIS") as exc:
        pvgis.fetch_pvgis_tmy(9.53, 31.66, cache_dir=tmp_path)
    assert _field(exc) == "solar.weather.pvgis"
    assert "weather: embedded" in str(exc.value)
    assert "weather file" in str(exc.value)
    assert not any(tmp_path.iterdir())


def test_pvgis_timeout_is_a_clear_error(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(*args: Any, **kwargs: Any) -> None:
        raise requests.Timeout("read timed out")

    monkeypatch.setattr(requests, "get", slow)
    with pytest.raises(ScenarioError, match="did not answer within 5 s") as exc:
        pvgis.fetch_pvgis_tmy(9.53, 31.66, cache_dir=tmp_path, timeout_s=5.0)
    assert _field(exc) == "solar.weather.pvgis"


def test_pvgis_refusal_and_bad_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refusal = json.dumps({"status": 400, "message": "Location over the sea."})
    monkeypatch.setattr(requests, "get", lambda *a, **k: _FakeResponse(refusal, status=400))
    with pytest.raises(ScenarioError, match="Location over the sea") as exc:
        pvgis.fetch_pvgis_tmy(0.0, -30.0, cache_dir=tmp_path)
    assert _field(exc) == "solar.weather.pvgis"
    monkeypatch.setattr(requests, "get", lambda *a, **k: _FakeResponse("<html>busy</html>"))
    with pytest.raises(ScenarioError, match="without a TMY"):
        pvgis.fetch_pvgis_tmy(0.0, 10.0, cache_dir=tmp_path)


def test_pvgis_cache_dir_default_from_environment(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENERGYOPT_CACHE_DIR", str(tmp_path))
    assert pvgis.pvgis_cache_dir() == tmp_path / "pvgis"
    monkeypatch.delenv("ENERGYOPT_CACHE_DIR")
    assert pvgis.pvgis_cache_dir() == Path.home() / ".cache" / "energyopt" / "pvgis"


def test_weather_from_pvgis_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pvgis, "_pvgis_request", lambda lat, lon, t: _pvgis_json_text(lat, lon))
    spec = PvgisSpec(pvgis=True, cache_dir=Path("cache"), timeout_s=3.0)
    index = _year_index("Africa/Bamako")
    out = wio.weather_from_spec(spec, site=GAO, index=index, base_dir=tmp_path)
    assert (tmp_path / "cache" / "pvgis_tmy_16.270_-0.040.json").is_file()
    assert len(out) == 8760
    assert not out.isna().any().any()
    assert out.attrs["weather_meta"].source_format == "pvgis_json"

    def must_not_call(*args: Any) -> str:
        raise AssertionError("the cache must be used")

    monkeypatch.setattr(pvgis, "_pvgis_request", must_not_call)
    again = wio.weather_from_spec(spec, site=GAO, index=index, base_dir=tmp_path)
    pd.testing.assert_frame_equal(again, out)


def test_no_test_reaches_the_network() -> None:
    with pytest.raises(OSError, match="disabled"):
        socket.create_connection(("127.0.0.1", 9))
    assert math.isfinite(wio.FAR_FROM_SITE_KM)
