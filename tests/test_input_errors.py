"""Malformed but schema-valid inputs: each is a ScenarioError naming the field and the fix.

Every case builds a scenario dict (files written to ``tmp_path``), then loads it and builds its
inputs; the first problem must name the exact field path, and its message must say how to fix
the input. Nothing here touches the network or solves a model.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import energyopt
from energyopt.errors import ScenarioError

Case = Callable[[Path], dict[str, Any]]

#: Words a message uses to tell the user what to do.
FIX_WORDS = ("fix", "give", "check", "use ", "write", "blank", "remove", "save", "name ",
             "set ", "change", "lower", "raise")

BASE: dict[str, Any] = {
    "site": "gao",
    "horizon": {"start": "2025-01-01", "days": 2},
    "load": {"constant_kw": 200},
    "diesel": {"units": [{"name": "g200", "rated_kw": 200, "existing": 2, "max_count": 3}]},
}


def _scenario(**sections: Any) -> dict[str, Any]:
    raw = copy.deepcopy(BASE)
    raw.update(sections)
    return raw


def _build(raw: dict[str, Any]) -> energyopt.Inputs:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return energyopt.build_inputs(energyopt.load_scenario(raw))


def _error(raw: dict[str, Any]) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        _build(raw)
    return info.value


def _assert_names(error: ScenarioError, field: str, *needles: str) -> None:
    problem = error.problems[0]
    assert problem.field == field, str(error)
    message = problem.message
    assert any(word in message.lower() for word in FIX_WORDS), message
    for needle in needles:
        assert needle in message, message
    assert "datetime.date(" not in str(error), str(error)
    assert "Timestamp(" not in str(error), str(error)


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# File builders
# --------------------------------------------------------------------------------------------
def _hours(start: str = "2024-12-31", days: int = 4) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=24 * days, freq="h", tz="UTC")


def _load_csv(tmp_path: Path, values: list[str] | None = None, *, header: str = "time,kw",
              stamps: list[str] | None = None, sep: str = ",") -> Path:
    index = _hours()
    stamps = stamps or [t.isoformat() for t in index]
    values = values or ["200"] * len(stamps)
    rows = [header] + [f"{t}{sep}{v}" for t, v in zip(stamps, values, strict=False)]
    return _write(tmp_path, "load.csv", "\n".join(rows) + "\n")


def _with_value(value: str, at: int = 30) -> Case:
    def case(tmp_path: Path) -> dict[str, Any]:
        values = ["200"] * 96
        values[at] = value
        return _scenario(load={"csv": str(_load_csv(tmp_path, values))})
    return case


def _fuel_log(tmp_path: Path, rows: list[str], header: str = "date,generator,litres") -> Path:
    return _write(tmp_path, "fuel.csv", "\n".join([header, *rows]) + "\n")


def _daily_log(litres: str = "900") -> list[str]:
    days = pd.date_range("2025-01-01", "2025-01-31", freq="D")
    return [f"{d:%Y-%m-%d},g200,{litres}" for d in days]


def _fuel_case(rows: list[str], header: str = "date,generator,litres") -> Case:
    def case(tmp_path: Path) -> dict[str, Any]:
        return _scenario(load={"fuel_log": str(_fuel_log(tmp_path, rows, header))})
    return case


def _bad_row(row: str, at: int = 5) -> list[str]:
    rows = _daily_log()
    rows[at] = row
    return rows


def _weather_csv(tmp_path: Path, ghi: str | None = None, temp: str | None = None,
                 at: int = 40) -> Path:
    index = _hours()
    hour = index.hour.to_numpy()
    ghi_values = [f"{max(0.0, 900 * math.sin(math.pi * (h - 6) / 12)):.1f}" for h in hour]
    temp_values = ["25.0"] * len(index)
    if ghi is not None:
        ghi_values[at] = ghi
    if temp is not None:
        temp_values[at] = temp
    rows = ["time,ghi,temp_air,wind_speed"] + [
        f"{t.isoformat()},{g},{c},2.0" for t, g, c in zip(index, ghi_values, temp_values,
                                                         strict=True)]
    return _write(tmp_path, "weather.csv", "\n".join(rows) + "\n")


def _weather_case(**kwargs: str) -> Case:
    def case(tmp_path: Path) -> dict[str, Any]:
        return _scenario(solar={"weather": {"file": str(_weather_csv(tmp_path, **kwargs))}})
    return case


def _weather_text(text: str | bytes, name: str = "weather.csv") -> Case:
    def case(tmp_path: Path) -> dict[str, Any]:
        return _scenario(solar={"weather": {"file": str(_write(tmp_path, name, text))}})
    return case


def _pv_csv(tmp_path: Path, values: list[str], steps: int = 48) -> Path:
    index = pd.date_range("2025-01-01", periods=steps, freq="h", tz="Africa/Bamako")
    rows = ["time,pv"] + [f"{t.isoformat()},{v}" for t, v in zip(index, values, strict=False)]
    return _write(tmp_path, "pv.csv", "\n".join(rows) + "\n")


def _pv_case(values: list[str], steps: int = 48) -> Case:
    def case(tmp_path: Path) -> dict[str, Any]:
        return _scenario(solar={"pv_kw_per_kwp": {"csv": str(_pv_csv(tmp_path, values, steps))}})
    return case


def _pv_with(value: str) -> list[str]:
    values = ["0.3"] * 48
    values[12] = value
    return values


def _custom_site(**fields: Any) -> Case:
    site = {"latitude": 12.0, "longitude": -1.5, "timezone": "Africa/Ouagadougou",
            "monthly_ghi_kwh_m2_day": [5.5] * 12, "monthly_temp_air_c": [28.0] * 12}
    site.update(fields)
    for key, value in list(site.items()):
        if value is None:
            del site[key]
    return lambda tmp_path: _scenario(site=site)


def _given(**sections: Any) -> Case:
    return lambda tmp_path: _scenario(**sections)


def _load_series(values: np.ndarray) -> Case:
    index = pd.date_range("2025-01-01", periods=48, freq="h", tz="Africa/Bamako")
    return lambda tmp_path: _scenario(load={"series": pd.Series(values, index=index)})


NAN, INF = float("nan"), float("inf")
MONTHS_NAN = [28.0] * 5 + [NAN] + [28.0] * 6

# (id, builder, field, words the message must hold)
CASES: list[tuple[str, Case, str, tuple[str, ...]]] = [
    # horizon -------------------------------------------------------------------------------
    ("horizon-start-9999", _given(horizon={"start": "9999-12-30"}), "horizon.start",
     ("9999-12-30", "2199-12-31")),
    ("horizon-start-year-1", _given(horizon={"start": "0001-01-01"}), "horizon.start",
     ("0001-01-01",)),
    ("horizon-start-9999-365-days", _given(horizon={"start": "9999-01-01", "days": 365}),
     "horizon.start", ("9999-01-01",)),
    ("horizon-start-1677", _given(horizon={"start": "1677-09-20"}), "horizon.start", ()),
    ("horizon-one-daily-step", _given(horizon={"days": 1, "step_minutes": 1440}),
     "horizon.step_minutes", ("at least 2", "720")),
    ("horizon-step-7-min", _given(horizon={"step_minutes": 7}), "horizon.step_minutes",
     ("1440",)),
    ("horizon-discount-nan", _given(horizon={"discount_rate": NAN}), "horizon.discount_rate", ()),
    # custom site ---------------------------------------------------------------------------
    ("site-ghi-far-north", _given(site={"latitude": 69, "longitude": 20,
                                        "timezone": "Europe/Oslo", "ghi_kwh_m2_day": 8.9}),
     "site.ghi_kwh_m2_day", ("latitude 69", "plausible")),
    ("site-ghi-polar-night", _given(site={"latitude": 69, "longitude": 20,
                                          "timezone": "Europe/Oslo", "ghi_kwh_m2_day": 3.0}),
     "site.ghi_kwh_m2_day", ("monthly_ghi_kwh_m2_day",)),
    ("site-ghi-kt-scaled-too-high", _custom_site(monthly_ghi_kwh_m2_day=None,
                                                 monthly_kt=[0.8] + [0.4] * 11,
                                                 ghi_kwh_m2_day=8.0),
     "site.ghi_kwh_m2_day", ("plausible",)),
    ("site-monthly-ghi-above-clear-sky", _custom_site(
        latitude=60.0, longitude=25.0, timezone="Europe/Helsinki",
        monthly_ghi_kwh_m2_day=[11.0] + [3.0] * 11),
     "site.monthly_ghi_kwh_m2_day", ("clear-sky",)),
    ("site-temp-nan", _custom_site(monthly_temp_air_c=MONTHS_NAN),
     "site.monthly_temp_air_c.5", ()),
    ("site-temp-1e308", _custom_site(monthly_temp_air_c=[1e308] * 12),
     "site.monthly_temp_air_c.0", ("60",)),
    ("site-temp-minus-inf", _custom_site(monthly_temp_air_c=[-INF] + [20.0] * 11),
     "site.monthly_temp_air_c.0", ()),
    ("site-temp-too-cold", _custom_site(monthly_temp_air_c=[-75.0] + [20.0] * 11),
     "site.monthly_temp_air_c.0", ("-60",)),
    ("site-monthly-ghi-nan", _custom_site(monthly_ghi_kwh_m2_day=[5.0] * 11 + [NAN]),
     "site.monthly_ghi_kwh_m2_day.11", ()),
    ("site-kt-inf", _custom_site(monthly_ghi_kwh_m2_day=None,
                                 monthly_kt=[0.5] * 3 + [INF] + [0.5] * 8),
     "site.monthly_kt.3", ()),
    ("site-swing-nan", _custom_site(temp_swing_c=NAN), "site.temp_swing_c", ()),
    ("site-latitude-nan", _custom_site(latitude=NAN), "site.latitude", ()),
    # other spec floats ---------------------------------------------------------------------
    ("load-constant-nan", _given(load={"constant_kw": NAN}), "load.constant_kw", ()),
    ("load-component-inf", _given(load={"archetype": "company_base", "personnel": 150,
                                        "components": [{"type": "comms_it", "kw": INF}]}),
     "load.components.0.kw", ()),
    ("fuel-rated-kw-nan", lambda tmp_path: _scenario(load={"fuel_log": {
        "csv": str(_fuel_log(tmp_path, _daily_log())), "rated_kw": {"g200": NAN}}}),
     "load.fuel_log.rated_kw.g200", ()),
    ("solar-soiling-nan", _given(solar={"soiling_monthly_fraction": [NAN] + [0.02] * 11}),
     "solar.soiling_monthly_fraction.0", ()),
    ("fuel-price-inf", _given(fuel={"price_usd_per_l": INF}), "fuel.price_usd_per_l", ()),
    ("load-schedule-repeated-date", _given(load={
        "constant_kw": 200, "personnel": 300, "personnel_schedule": [
            {"from_date": "2025-01-02", "personnel": 200},
            {"from_date": "2025-01-02", "personnel": 250}]}),
     "load.personnel_schedule", ("2025-01-02",)),
    ("load-schedule-without-personnel", _given(load={
        "constant_kw": 200, "personnel_schedule": [{"from_date": "2025-01-02",
                                                    "personnel": 200}]}),
     "load.personnel_schedule", ("load.personnel",)),
    ("load-night-above-peak", _given(load={"archetype": "company_base", "personnel": 150,
                                           "day_peak_factor": 1.0, "night_factor": 1.0}),
     "load.night_factor", ("day_peak_factor",)),
    # fuel logs -----------------------------------------------------------------------------
    ("fuel-log-header-only", _fuel_case([]), "load.fuel_log.csv", ("no rows",)),
    ("fuel-log-empty-file",
     lambda tmp_path: _scenario(load={"fuel_log": str(_write(tmp_path, "fuel.csv", ""))}),
     "load.fuel_log.csv", ("empty",)),
    ("fuel-log-all-zero", _fuel_case(_daily_log("0")), "load.fuel_log.csv",
     ("no fuel", "cannot be sized")),
    ("fuel-log-negative", _fuel_case(_bad_row("2025-01-06,g200,-40")), "load.fuel_log.csv",
     ("negative", "row 7")),
    ("fuel-log-text", _fuel_case(_bad_row("2025-01-06,g200,lots")), "load.fuel_log.csv",
     ("non-numeric", "row 7")),
    ("fuel-log-blank-litres", _fuel_case(_bad_row("2025-01-06,g200,")), "load.fuel_log.csv",
     ("blank", "row 7")),
    ("fuel-log-inf", _fuel_case(_bad_row("2025-01-06,g200,inf")), "load.fuel_log.csv",
     ("infinite", "row 7")),
    ("fuel-log-huge", _fuel_case(_bad_row("2025-01-06,g200,1e300")), "load.fuel_log.csv",
     ("row 7",)),
    ("fuel-log-feb-30", _fuel_case(_bad_row("2025-02-30,g200,900")), "load.fuel_log.csv",
     ("row 7", "YYYY-MM-DD")),
    ("fuel-log-year-1850", _fuel_case(_bad_row("1850-01-06,g200,900")), "load.fuel_log.csv",
     ("row 7", "year")),
    ("fuel-log-mixed-periods", _fuel_case(_bad_row("2025-01,g200,900", at=0)),
     "load.fuel_log.csv", ("row 2",)),
    ("fuel-log-no-generator", _fuel_case(_bad_row("2025-01-06,,900")), "load.fuel_log.csv",
     ("row 7",)),
    ("fuel-log-semicolons", _fuel_case([r.replace(",", ";") for r in _daily_log()],
                                       header="date;generator;litres"),
     "load.fuel_log.csv", ("';'",)),
    ("fuel-log-wrong-months", _fuel_case([r.replace("2025-01", "2025-06")
                                          for r in _daily_log()[:30]]),
     "load.fuel_log.csv", ("month 1",)),
    ("fuel-log-unknown-generator", _fuel_case(_bad_row("2025-01-06,cat3512,900")),
     "load.fuel_log.rated_kw", ("rated_kw",)),
    # measured load CSV ---------------------------------------------------------------------
    ("load-csv-inf", _with_value("inf"), "load.csv", ("infinite", "row 32")),
    ("load-csv-minus-inf", _with_value("-inf"), "load.csv", ("infinite",)),
    ("load-csv-huge", _with_value("1e308"), "load.csv", ("row 32", "unit")),
    ("load-csv-negative", _with_value("-5"), "load.csv", ("negative",)),
    ("load-csv-text", _with_value("n.a."), "load.csv", ("non-numeric", "row 32")),
    ("load-csv-decimal-comma", _with_value("200,5"), "load.csv", ()),
    ("load-csv-header-only", lambda tmp_path: _scenario(load={"csv": str(_write(
        tmp_path, "load.csv", "time,kw\n"))}), "load.csv", ("no data rows",)),
    ("load-csv-empty", lambda tmp_path: _scenario(load={"csv": str(_write(
        tmp_path, "load.csv", ""))}), "load.csv", ("empty",)),
    ("load-csv-semicolons", lambda tmp_path: _scenario(load={"csv": str(_load_csv(
        tmp_path, header="time;kw", sep=";"))}), "load.csv", ("';'",)),
    ("load-csv-one-row", lambda tmp_path: _scenario(load={"csv": str(_load_csv(
        tmp_path, stamps=["2025-01-01T00:00+00:00"]))}), "load.csv", ("too short",)),
    ("load-csv-all-blank", lambda tmp_path: _scenario(load={
        "csv": str(_load_csv(tmp_path, [""] * 96))}), "load.csv", ("missing",)),
    ("load-csv-all-zero", lambda tmp_path: _scenario(load={"csv": str(_load_csv(
        tmp_path, ["0"] * 96))}), "load.csv", ("zero", "cannot be sized")),
    ("load-csv-other-months", lambda tmp_path: _scenario(load={"csv": str(_load_csv(
        tmp_path, stamps=[t.isoformat() for t in _hours("2025-06-01")]))}), "load.csv",
     ("month 1",)),
    ("load-csv-no-timezone", lambda tmp_path: _scenario(load={"csv": str(_load_csv(
        tmp_path, stamps=[f"{t:%Y-%m-%d %H:%M}" for t in _hours()]))}), "load.timezone",
     ("timezone",)),
    ("load-csv-mixed-offsets", lambda tmp_path: _scenario(load={"csv": str(_load_csv(
        tmp_path, stamps=[t.isoformat() if i else f"{t:%Y-%m-%d %H:%M}"
                          for i, t in enumerate(_hours())]))}), "load.csv", ("row 2",)),
    ("load-csv-binary", lambda tmp_path: _scenario(load={"csv": str(_write(
        tmp_path, "load.csv", bytes(range(256)) * 8))}), "load.csv", ()),
    ("load-csv-is-a-folder", lambda tmp_path: _scenario(load={"csv": str(tmp_path)}),
     "load.csv", ("folder",)),
    ("load-csv-bad-timestamps", lambda tmp_path: _scenario(load={"csv": str(_load_csv(
        tmp_path, stamps=["yesterday"] * 96))}), "load.csv", ("ISO 8601",)),
    ("load-csv-ten-minutes", lambda tmp_path: _scenario(load={"csv": str(_load_csv(
        tmp_path, stamps=[t.isoformat() for t in pd.date_range(
            "2025-01-01", periods=3, freq="5min", tz="UTC")]))}), "load.csv", ("too short",)),
    ("load-csv-year-1", lambda tmp_path: _scenario(load={"csv": str(_load_csv(
        tmp_path, stamps=["0001-01-01T00:00+00:00"] + [t.isoformat() for t in _hours()[1:]]))}),
     "load.csv", ("row 2", "ISO 8601")),
    ("load-csv-year-2300", lambda tmp_path: _scenario(load={"csv": str(_load_csv(
        tmp_path, stamps=[t.isoformat() for t in _hours()[:-1]] + ["2300-01-01T00:00+00:00"]))}),
     "load.csv", ("row 97",)),
    ("load-csv-blank-timestamp", lambda tmp_path: _scenario(load={"csv": str(_load_csv(
        tmp_path, stamps=[""] + [t.isoformat() for t in _hours()[1:]]))}), "load.csv",
     ("row 2",)),
    ("load-csv-off-grid", lambda tmp_path: _scenario(load={"csv": str(_load_csv(
        tmp_path, stamps=[(t + pd.Timedelta(minutes=17 if i == 10 else 0)).isoformat()
                          for i, t in enumerate(_hours())]))}), "load.csv", ("1 h grid",)),
    ("load-series-inf", _load_series(np.r_[np.full(47, 200.0), INF]), "load.series",
     ("infinite",)),
    ("load-series-zero", _load_series(np.zeros(48)), "load.series", ("zero",)),
    ("load-series-short", _given(load={"series": pd.Series(np.full(40, 200.0))}),
     "load.series", ("48",)),
    # PV series -----------------------------------------------------------------------------
    ("pv-csv-inf", _pv_case(_pv_with("inf")), "solar.pv_kw_per_kwp.csv", ("infinite",)),
    ("pv-csv-negative", _pv_case(_pv_with("-0.2")), "solar.pv_kw_per_kwp.csv", ("outside",)),
    ("pv-csv-huge", _pv_case(_pv_with("1e300")), "solar.pv_kw_per_kwp.csv", ("outside",)),
    ("pv-csv-blank", _pv_case(_pv_with("")), "solar.pv_kw_per_kwp.csv", ("missing",)),
    ("pv-csv-short", _pv_case(["0.3"] * 24, steps=24), "solar.pv_kw_per_kwp.csv", ("48",)),
    ("pv-csv-header-only", _pv_case([], steps=0), "solar.pv_kw_per_kwp.csv", ("no data",)),
    ("pv-series-nan", lambda tmp_path: _scenario(solar={"pv_kw_per_kwp": {
        "series": pd.Series([0.3] * 47 + [NAN])}}), "solar.pv_kw_per_kwp.series",
     ("missing",)),
    ("pv-series-text", _given(solar={"pv_kw_per_kwp": {"series": pd.Series(["sunny"] * 48)}}),
     "solar.pv_kw_per_kwp.series", ("non-numeric",)),
    ("pv-csv-semicolons", lambda tmp_path: _scenario(solar={"pv_kw_per_kwp": {"csv": str(
        _write(tmp_path, "pv.csv", "time;pv\n" + "".join(
            f"{t.isoformat()};0.3\n" for t in _hours()[:48])))}}), "solar.pv_kw_per_kwp.csv",
     ("';'",)),
    # weather files -------------------------------------------------------------------------
    ("weather-ghi-inf", _weather_case(ghi="inf"), "solar.weather.file", ("infinite", "row 42")),
    ("weather-ghi-minus-inf", _weather_case(ghi="-inf"), "solar.weather.file", ("infinite",)),
    ("weather-temp-huge", _weather_case(temp="1e308"), "solar.weather.file", ("65",)),
    ("weather-ghi-negative", _weather_case(ghi="-500"), "solar.weather.file", ("negative",)),
    ("weather-empty-file", _weather_text(""), "solar.weather.file", ("empty",)),
    ("weather-header-only", _weather_text("time,ghi,temp_air\n"), "solar.weather.file", ()),
    ("weather-binary", _weather_text(bytes(range(256)) * 8, "weather.dat"),
     "solar.weather.file", ()),
    ("weather-one-row", _weather_text("time,ghi,temp_air\n2025-01-01T00:00+00:00,0,20\n"),
     "solar.weather.file", ()),
    ("weather-ghi-all-blank", _weather_text("time,ghi,temp_air\n" + "".join(
        f"{t.isoformat()},,20\n" for t in _hours())), "solar.weather.columns", ()),
    ("weather-wrong-months", lambda tmp_path: _scenario(solar={"weather": {"file": str(
        _weather_csv(tmp_path))}}, horizon={"start": "2025-06-01", "days": 2}),
     "solar.weather.file", ("cover",)),
]


@pytest.mark.parametrize(("builder", "field", "needles"),
                         [pytest.param(b, f, n, id=i) for i, b, f, n in CASES])
def test_malformed_input_names_its_field(tmp_path: Path, builder: Case, field: str,
                                         needles: tuple[str, ...]) -> None:
    _assert_names(_error(builder(tmp_path)), field, *needles)


def test_cases_are_distinct() -> None:
    ids = [case[0] for case in CASES]
    assert len(ids) == len(set(ids)) >= 40


# --------------------------------------------------------------------------------------------
# The valid neighbours of the malformed cases still build
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("builder", [
    pytest.param(_given(horizon={"start": "2024-02-29", "days": 2}), id="leap-day-start"),
    pytest.param(_given(horizon={"start": "2199-12-31", "days": 2}), id="last-start"),
    pytest.param(_given(horizon={"start": "1900-01-01", "days": 2}), id="first-start"),
    pytest.param(_given(horizon={"days": 1, "step_minutes": 720}), id="one-day-two-steps"),
    pytest.param(_given(horizon={"days": 3, "step_minutes": 1440}), id="daily-steps"),
    pytest.param(lambda tmp_path: _scenario(load={"csv": str(_load_csv(tmp_path))}),
                 id="load-csv"),
    pytest.param(_fuel_case(_daily_log()), id="fuel-log"),
    pytest.param(_fuel_case(list(reversed(_daily_log()))), id="fuel-log-reversed"),
    pytest.param(_weather_case(), id="weather-csv"),
    pytest.param(_pv_case(["0.3"] * 48), id="pv-csv"),
    pytest.param(_custom_site(), id="custom-site"),
])
def test_valid_neighbour_builds(tmp_path: Path, builder: Case) -> None:
    inputs = _build(builder(tmp_path))
    assert inputs.n_steps >= 2
    assert np.isfinite(inputs.load_kw.to_numpy()).all()
    assert inputs.load_kw.max() > 0


# --------------------------------------------------------------------------------------------
# Paths: ~ everywhere, and messages that say where relative paths start
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("section", ["load-csv", "fuel-log", "weather", "pv"])
def test_tilde_is_expanded_in_every_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         section: str) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    raw = {"load-csv": lambda: _scenario(load={"csv": "~/" + _load_csv(tmp_path).name}),
           "fuel-log": lambda: _scenario(load={"fuel_log": "~/" + _fuel_log(
               tmp_path, _daily_log()).name}),
           "weather": lambda: _scenario(solar={"weather": {
               "file": "~/" + _weather_csv(tmp_path).name}}),
           "pv": lambda: _scenario(solar={"pv_kw_per_kwp": {
               "csv": "~/" + _pv_csv(tmp_path, ["0.3"] * 48).name}})}[section]()
    assert _build(raw).n_steps == 48


@pytest.mark.parametrize(("section", "field"), [
    ("load-csv", "load.csv"), ("fuel-log", "load.fuel_log.csv"),
    ("weather", "solar.weather.file"), ("pv", "solar.pv_kw_per_kwp.csv")])
def test_missing_relative_file_names_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, section: str, field: str) -> None:
    monkeypatch.chdir(tmp_path)
    raw = {"load-csv": _scenario(load={"csv": "none.csv"}),
           "fuel-log": _scenario(load={"fuel_log": "none.csv"}),
           "weather": _scenario(solar={"weather": {"file": "none.csv"}}),
           "pv": _scenario(solar={"pv_kw_per_kwp": {"csv": "none.csv"}})}[section]
    error = _error(raw)
    _assert_names(error, field, f"working directory {tmp_path}")


def test_missing_file_of_a_yaml_scenario_names_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    folder.mkdir()
    yaml_path = _write(folder, "camp.yaml", "site: gao\nhorizon: {days: 2}\n"
                       "load: {csv: none.csv}\n"
                       "diesel: {units: [{name: g200, rated_kw: 200, max_count: 3}]}\n")
    with pytest.raises(ScenarioError) as info:
        energyopt.build_inputs(energyopt.load_scenario(yaml_path))
    _assert_names(info.value, "load.csv", f"scenario file's folder {folder}")


# --------------------------------------------------------------------------------------------
# The build_inputs boundary
# --------------------------------------------------------------------------------------------
def test_unexpected_data_error_is_wrapped_with_its_cause(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    from energyopt import load as load_profiles

    def broken(*args: Any, **kwargs: Any) -> None:
        raise KeyError("no such column")

    monkeypatch.setattr(load_profiles, "load_inputs", broken)
    error = _error(_scenario())
    _assert_names(error, "load.constant_kw", "KeyError")
    assert isinstance(error.__cause__, KeyError)


def test_programming_errors_are_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    from energyopt import load as load_profiles

    def broken(*args: Any, **kwargs: Any) -> None:
        raise AttributeError("a bug")

    monkeypatch.setattr(load_profiles, "load_inputs", broken)
    with pytest.raises(AttributeError, match="a bug"):
        _build(_scenario())
