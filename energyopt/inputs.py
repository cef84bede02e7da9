"""Inputs: the time series and site a scenario resolves to, ready for the model.

:func:`build_inputs` turns a validated :class:`~energyopt.scenario.Scenario` into an
:class:`Inputs` record: a tz-aware index with one label per modelled step (labels at the start
of each interval), the duration and weight of each step, the load and its critical share [kW],
PV output [kW AC per kWp DC] and, on the weather route, the weather itself. Problems in the
series (NaN, negative values, wrong length or step) raise :class:`ScenarioError` naming the
field, before any model is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from energyopt import load as load_profiles
from energyopt import resource
from energyopt.errors import ScenarioError
from energyopt.scenario import Scenario, SeriesSource, SiteSpec

__all__ = ["HOURS_PER_YEAR", "Inputs", "build_inputs", "time_index"]

HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class Inputs:
    """Time series and site of one scenario.

    Attributes
    ----------
    index : pd.DatetimeIndex
        Start of each modelled step, tz-aware in the site's timezone.
    duration_h : pd.Series
        Length of each step [h].
    weight : pd.Series
        How many times each step counts in a year [-]; ``sum(weight * duration_h) == 8760``.
    load_kw : pd.Series
        Mean electric load over each step [kW].
    critical_load_kw : pd.Series
        Part of the load that must never be shed [kW].
    pv_kw_per_kwp : pd.Series
        Mean AC output per kWp DC over each step [kW/kWp], before degradation.
    weather : pd.DataFrame or None
        ``ghi``, ``dni``, ``dhi`` [W/m2], ``temp_air`` [C], ``wind_speed`` [m/s] on the weather
        route; None when PV output was given directly.
    site : SiteSpec
        The site as coordinates.
    """

    index: pd.DatetimeIndex
    duration_h: pd.Series
    weight: pd.Series
    load_kw: pd.Series
    critical_load_kw: pd.Series
    pv_kw_per_kwp: pd.Series
    weather: pd.DataFrame | None
    site: SiteSpec

    @property
    def n_steps(self) -> int:
        """Number of modelled steps."""
        return len(self.index)

    @property
    def annual_load_kwh(self) -> float:
        """Load over a year [kWh]."""
        return float((self.load_kw * self.duration_h * self.weight).sum())


def time_index(scenario: Scenario) -> pd.DatetimeIndex:
    """Start of each modelled step, tz-aware in the site's timezone.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its horizon and site).

    Returns
    -------
    pd.DatetimeIndex
        ``days * 1440 / step_minutes`` labels from local midnight of ``horizon.start``.
    """
    h = scenario.horizon
    site = scenario.site_spec()
    start = pd.Timestamp(h.start).tz_localize(site.timezone)
    periods = h.days * 1440 // h.step_minutes
    return pd.date_range(start, periods=periods, freq=f"{h.step_minutes}min", name="time")


def _read_source(source: SeriesSource, scenario: Scenario, field: str) -> pd.Series:
    if source.series is not None:
        return source.series
    assert source.csv is not None
    return _read_csv(scenario.resolve_path(source.csv), source.column, field)


def _read_csv(path: Path, column: str | None, field: str) -> pd.Series:
    if not path.is_file():
        raise ScenarioError.single(f"{field}.csv", str(path), "file not found; check the path "
                                   "(relative paths start at the scenario file's folder)")
    try:
        frame = pd.read_csv(path, index_col=0)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ScenarioError.single(f"{field}.csv", str(path), f"unreadable CSV: {exc}") from exc
    try:
        frame.index = pd.DatetimeIndex(pd.to_datetime(frame.index, utc=True))
    except (ValueError, TypeError) as exc:
        raise ScenarioError.single(f"{field}.csv", str(path), "the first column must hold "
                                   f"timestamps (ISO 8601, e.g. 2025-01-01T00:00+00:00): {exc}"
                                   ) from exc
    if column is None:
        if frame.shape[1] != 1:
            raise ScenarioError.single(f"{field}.column", None, "the CSV has several columns "
                                       f"{list(frame.columns)}; name one in 'column'")
        column = str(frame.columns[0])
    if column not in frame.columns:
        raise ScenarioError.single(f"{field}.column", column,
                                   f"no such column in {path.name}; columns: "
                                   f"{list(frame.columns)}")
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        raise ScenarioError.single(f"{field}.csv", str(frame[column][bad].iloc[0]),
                                   f"non-numeric value in column '{column}' of {path.name} at "
                                   f"row {int(np.flatnonzero(bad.to_numpy())[0]) + 2}")
    return values


def _conform(series: pd.Series, index: pd.DatetimeIndex, field: str, *, lower: float,
             upper: float, unit: str) -> pd.Series:
    """Check one value per step, finite and within bounds, and relabel onto ``index``."""
    if len(series) != len(index):
        raise ScenarioError.single(
            field, f"{len(series)} values",
            f"needs one value per modelled step: {len(index)} ({index[0]} to {index[-1]}); "
            "change horizon.days / horizon.step_minutes or the series")
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    if isinstance(series.index, pd.DatetimeIndex) and len(series) > 1:
        step = series.index[1] - series.index[0]
        if step != index[1] - index[0] or not (
                (series.index[1:] - series.index[:-1]) == step).all():
            raise ScenarioError.single(
                field, str(step), f"timestamps must be regular at the model's step "
                f"({index[1] - index[0]})")
    nan = np.flatnonzero(~np.isfinite(values))
    if nan.size:
        raise ScenarioError.single(field, values[nan[0]],
                                   f"{nan.size} missing or infinite value(s), first at step "
                                   f"{nan[0]} ({index[nan[0]]}); fill the gaps")
    out = np.flatnonzero((values < lower) | (values > upper))
    if out.size:
        raise ScenarioError.single(field, values[out[0]],
                                   f"value at step {out[0]} ({index[out[0]]}) outside "
                                   f"[{lower}, {upper}] {unit}")
    return pd.Series(values, index=index, name=series.name)


def build_inputs(scenario: Scenario) -> Inputs:
    """Resolve a scenario's time series.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.

    Returns
    -------
    Inputs
        Index, step durations and weights, load [kW], critical load [kW], PV output
        [kW/kWp] and weather.

    Raises
    ------
    ScenarioError
        When a series is missing values, has the wrong length or step, or is out of bounds.
    """
    index = time_index(scenario)
    site = scenario.site_spec()
    n = len(index)
    step_h = scenario.horizon.step_minutes / 60.0
    duration = pd.Series(step_h, index=index, name="duration_h")
    weight = pd.Series(HOURS_PER_YEAR / (n * step_h), index=index, name="weight")

    ls = scenario.load
    if ls.constant_kw is not None:
        load = pd.Series(ls.constant_kw, index=index)
    elif ls.archetype is not None:
        assert ls.personnel is not None
        load = load_profiles.archetype_load_kw(
            index, personnel=ls.personnel, kwh_per_person_per_day=ls.kwh_per_person_per_day,
            day_peak_factor=ls.day_peak_factor, night_factor=ls.night_factor)
    else:
        raw = ls.series if ls.series is not None else _read_csv(
            scenario.resolve_path(ls.csv), ls.column, "load")  # type: ignore[arg-type]
        load = _conform(raw, index, "load.series" if ls.series is not None else "load.csv",
                        lower=0.0, upper=1e6, unit="kW")
    load = (load * ls.scale).rename("load_kw")
    critical = (load * ls.critical_fraction).rename("critical_load_kw")

    sol = scenario.solar
    weather: pd.DataFrame | None = None
    if sol.pv_kw_per_kwp is not None:
        field = "solar.pv_kw_per_kwp." + ("series" if sol.pv_kw_per_kwp.series is not None
                                          else "csv")
        pv = _conform(_read_source(sol.pv_kw_per_kwp, scenario, "solar.pv_kw_per_kwp"), index,
                      field, lower=0.0, upper=1.5, unit="kW/kWp")
    else:
        tilt, azimuth = resource.default_tilt_azimuth(site.latitude)
        weather = resource.embedded_weather(
            site.latitude, site.longitude, site.elevation_m, index,
            ghi_kwh_m2_day=site.ghi_kwh_m2_day, monthly_temp_air_c=site.monthly_temp_air_c)
        pv = resource.pv_kw_per_kwp(
            weather, site.latitude, site.longitude, site.elevation_m,
            tilt_deg=sol.tilt_deg if sol.tilt_deg is not None else tilt,
            azimuth_deg=sol.azimuth_deg if sol.azimuth_deg is not None else azimuth,
            losses_fraction=sol.losses_fraction, dc_ac_ratio=sol.dc_ac_ratio,
            inverter_efficiency=sol.inverter_efficiency,
            temp_coefficient_per_c=sol.temp_coefficient_per_c)
    pv = pv.rename("pv_kw_per_kwp")
    return Inputs(index=index, duration_h=duration, weight=weight, load_kw=load,
                  critical_load_kw=critical, pv_kw_per_kwp=pv, weather=weather, site=site)
