"""Solar resource: an embedded weather year and PV output per kWp.

This is a stand-in until real weather files (PVGIS, NASA POWER, EPW) are read. Irradiance is
pvlib's Ineichen clear sky, optionally scaled by one constant factor to a target mean daily GHI
(a crude stand-in for cloud and dust), so its day-to-day variability is not realistic.

Timestamp convention: every index is timezone-aware, regularly spaced and labels the START of
its interval; values are interval means, computed at the interval midpoint.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import pvlib

from energyopt.scenario import Scenario
from energyopt.series import conform, read_source

WEATHER_COLUMNS = ("ghi", "dni", "dhi", "temp_air", "wind_speed")

#: Excess of a target mean GHI over the Ineichen clear-sky mean tolerated without a warning [-].
#: pvlib's Linke turbidity is a monthly climatology that includes dusty days, so in the Sahel it
#: is close to the whole-sky mean (Gao: 6.02 clear sky vs an estimated 6.2 kWh/m2/day, +3%);
#: a few percent of excess is within the uncertainty of both numbers.
CLEAR_SKY_EXCESS_WARN_FRACTION = 0.05


def _check_range(name: str, value: float, low: float, high: float, *, low_open: bool = False,
                 high_open: bool = False) -> None:
    """Raise ValueError unless ``low <= value <= high`` (ends optionally open)."""
    ok = math.isfinite(value) and (value > low if low_open else value >= low) and (
        value < high if high_open else value <= high)
    if not ok:
        span = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name}={value!r} is outside the valid range {span}")


def _check_site(latitude: float, longitude: float, elevation_m: float) -> None:
    _check_range("latitude", latitude, -90.0, 90.0)
    _check_range("longitude", longitude, -180.0, 180.0)
    _check_range("elevation_m", elevation_m, -500.0, 9000.0)


def _step(index: pd.DatetimeIndex) -> pd.Timedelta:
    """Return the step of a tz-aware, regular index with at least 2 entries."""
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError(f"index must be a pandas DatetimeIndex, got {type(index).__name__}")
    if index.tz is None:
        raise ValueError("index is timezone-naive; localize it to the site timezone, "
                         "e.g. index.tz_localize('Africa/Bamako')")
    if len(index) < 2:
        raise ValueError(f"index has {len(index)} step(s); at least 2 are needed")
    steps = index[1:] - index[:-1]
    step = steps[0]
    if step <= pd.Timedelta(0) or not (steps == step).all():
        raise ValueError("index steps must be regular and increasing; "
                         f"found steps {sorted(set(steps))[:3]}")
    return pd.Timedelta(step)


@functools.lru_cache(maxsize=64)
def _annual_clear_sky_kwh_m2_day(latitude: float, longitude: float, elevation_m: float) -> float:
    """Mean daily Ineichen clear-sky GHI over a (non-leap) year at the site [kWh/m2/day]."""
    times = pd.date_range("2025-01-01 00:30", periods=8760, freq="h", tz="UTC")
    location = pvlib.location.Location(latitude, longitude, tz="UTC", altitude=elevation_m)
    ghi = location.get_clearsky(times, model="ineichen")["ghi"].clip(lower=0.0).fillna(0.0)
    return float(ghi.mean()) * 24.0 / 1000.0


def embedded_weather(latitude: float, longitude: float, elevation_m: float,
                     index: pd.DatetimeIndex, *, ghi_kwh_m2_day: float | None = None,
                     monthly_temp_air_c: Sequence[float] | None = None,
                     temp_swing_c: float = 6.0) -> pd.DataFrame:
    """Synthesise a weather series from clear sky, scaled to a mean daily GHI.

    GHI is pvlib's Ineichen clear sky (bundled Linke turbidity, works offline) at the interval
    midpoints. If ``ghi_kwh_m2_day`` is given, GHI is multiplied by ONE constant factor so that
    the mean daily GHI over a full year of clear sky at the site equals the target (so a short
    or seasonal ``index`` keeps the site's seasons): a placeholder for cloud and dust, not a
    model of them; the factor may slightly exceed 1 where pvlib's turbidity climatology is dusty
    (Sahel). DNI and DHI come from the Erbs decomposition of that GHI.

    Parameters
    ----------
    latitude, longitude : float
        Site position [deg], north and east positive.
    elevation_m : float
        Site elevation [m].
    index : pd.DatetimeIndex
        Timezone-aware (site time zone), regular, interval-start labels, e.g. hourly or 15 min.
    ghi_kwh_m2_day : float, optional
        Target annual mean daily GHI [kWh/m2/day]; always met over a full year. A UserWarning
        is issued
        if it exceeds the clear-sky mean by more than ``CLEAR_SKY_EXCESS_WARN_FRACTION``.
    monthly_temp_air_c : sequence of float, optional
        Mean air temperature of each month, January first [C]; 25 C all year if omitted.
    temp_swing_c : float
        Half amplitude of the diurnal temperature cosine [C]; maximum at 15:00 and minimum at
        03:00 local clock time.

    Returns
    -------
    pd.DataFrame
        Columns ``ghi``, ``dni``, ``dhi`` [W/m2], ``temp_air`` [C] and ``wind_speed`` [m/s,
        constant 1.0] on ``index``.
    """
    _check_site(latitude, longitude, elevation_m)
    step = _step(index)
    _check_range("temp_swing_c", temp_swing_c, 0.0, 30.0)
    mid = index + step / 2
    location = pvlib.location.Location(latitude, longitude, tz=index.tz, altitude=elevation_m)
    solpos = location.get_solarposition(mid)
    ghi = location.get_clearsky(mid, model="ineichen", solar_position=solpos)["ghi"]
    ghi = ghi.clip(lower=0.0).fillna(0.0)
    if ghi_kwh_m2_day is not None:
        _check_range("ghi_kwh_m2_day", ghi_kwh_m2_day, 0.0, 15.0, low_open=True)
        clear_kwh_m2_day = _annual_clear_sky_kwh_m2_day(latitude, longitude, elevation_m)
        factor = ghi_kwh_m2_day / clear_kwh_m2_day
        if factor > 1.0 + CLEAR_SKY_EXCESS_WARN_FRACTION:
            warnings.warn(f"ghi_kwh_m2_day={ghi_kwh_m2_day} exceeds the clear-sky mean of "
                          f"{clear_kwh_m2_day:.2f} kWh/m2/day at this site by "
                          f"{factor - 1.0:.0%}; GHI is scaled above clear sky, check the target",
                          UserWarning, stacklevel=2)
        ghi = ghi * factor
    parts = pvlib.irradiance.erbs(ghi, solpos["zenith"], mid)
    if monthly_temp_air_c is None:
        month_mean_c = np.full(len(index), 25.0)
    else:
        monthly = np.asarray(monthly_temp_air_c, dtype=float)
        if monthly.shape != (12,) or not np.isfinite(monthly).all():
            raise ValueError(f"monthly_temp_air_c must hold 12 finite values [C], got "
                             f"{list(monthly_temp_air_c)!r}")
        month_mean_c = monthly[np.asarray(mid.month) - 1]
    clock_h = (np.asarray(mid.hour, dtype=float) + np.asarray(mid.minute, dtype=float) / 60.0
               + np.asarray(mid.second, dtype=float) / 3600.0)
    temp_air = month_mean_c + temp_swing_c * np.cos(2.0 * np.pi * (clock_h - 15.0) / 24.0)
    return pd.DataFrame({
        "ghi": ghi.to_numpy(dtype=float),
        "dni": np.nan_to_num(np.asarray(parts["dni"], dtype=float)),
        "dhi": np.nan_to_num(np.asarray(parts["dhi"], dtype=float)),
        "temp_air": temp_air,
        "wind_speed": np.full(len(index), 1.0),
    }, index=index)


def pv_kw_per_kwp(weather: pd.DataFrame, latitude: float, longitude: float, elevation_m: float,
                  *, tilt_deg: float, azimuth_deg: float, losses_fraction: float = 0.14,
                  dc_ac_ratio: float = 1.2, inverter_efficiency: float = 0.96,
                  temp_coefficient_per_c: float = -0.0037) -> pd.Series:
    """AC output per kWp of DC modules, PVWatts style, on a fixed tilted plane.

    Chain: solar position at interval midpoints; Hay-Davies transposition (albedo 0.2); Faiman
    cell temperature; ``pdc = poa/1000 * (1 + gamma*(t_cell - 25)) * (1 - losses)``; PVWatts
    inverter with an AC rating of ``1/dc_ac_ratio`` per kWp DC.

    Parameters
    ----------
    weather : pd.DataFrame
        Columns ``ghi``, ``dni``, ``dhi`` [W/m2], ``temp_air`` [C], ``wind_speed`` [m/s] on a
        timezone-aware, regular, interval-start index.
    latitude, longitude : float
        Site position [deg], north and east positive.
    elevation_m : float
        Site elevation [m].
    tilt_deg : float
        Module tilt from horizontal [deg], 0 to 90.
    azimuth_deg : float
        Module azimuth clockwise from north [deg], 0 to 360 (180 faces south).
    losses_fraction : float
        DC system losses (soiling, wiring, mismatch, ...) [-], in [0, 1).
    dc_ac_ratio : float
        DC module rating over inverter AC rating [-], in (0.5, 3].
    inverter_efficiency : float
        Nominal inverter efficiency [-], in (0, 1].
    temp_coefficient_per_c : float
        Power temperature coefficient [1/C], in [-0.02, 0].

    Returns
    -------
    pd.Series
        ``pv_kw_per_kwp`` [kW AC per kWp DC] on ``weather.index``: interval mean power, 0 at
        night, at most ``1/dc_ac_ratio``, no NaN.
    """
    _check_site(latitude, longitude, elevation_m)
    _check_range("tilt_deg", tilt_deg, 0.0, 90.0)
    _check_range("azimuth_deg", azimuth_deg, 0.0, 360.0)
    _check_range("losses_fraction", losses_fraction, 0.0, 1.0, high_open=True)
    _check_range("dc_ac_ratio", dc_ac_ratio, 0.5, 3.0, low_open=True)
    _check_range("inverter_efficiency", inverter_efficiency, 0.0, 1.0, low_open=True)
    _check_range("temp_coefficient_per_c", temp_coefficient_per_c, -0.02, 0.0)
    missing = [c for c in WEATHER_COLUMNS if c not in weather.columns]
    if missing:
        raise ValueError(f"weather lacks columns {missing}; expected {list(WEATHER_COLUMNS)}")
    index = weather.index
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError(f"weather.index must be a DatetimeIndex, got {type(index).__name__}")
    step = _step(index)
    mid = index + step / 2
    w = weather.set_axis(mid)
    location = pvlib.location.Location(latitude, longitude, tz=mid.tz, altitude=elevation_m)
    solpos = location.get_solarposition(mid)
    poa = pvlib.irradiance.get_total_irradiance(
        tilt_deg, azimuth_deg, solpos["apparent_zenith"], solpos["azimuth"],
        w["dni"], w["ghi"], w["dhi"], dni_extra=pvlib.irradiance.get_extra_radiation(mid),
        albedo=0.2, model="haydavies")
    poa_global = poa["poa_global"].fillna(0.0).clip(lower=0.0)
    t_cell = pvlib.temperature.faiman(poa_global, w["temp_air"], w["wind_speed"])
    pdc = (poa_global / 1000.0 * (1.0 + temp_coefficient_per_c * (t_cell - 25.0))
           * (1.0 - losses_fraction)).clip(lower=0.0)
    ac_rating_kw_per_kwp = 1.0 / dc_ac_ratio
    pac = pvlib.inverter.pvwatts(pdc.to_numpy(dtype=float),
                                 pdc0=ac_rating_kw_per_kwp / inverter_efficiency,
                                 eta_inv_nom=inverter_efficiency)
    pac_kw: npt.NDArray[np.float64] = np.nan_to_num(np.asarray(pac, dtype=np.float64))
    values = pac_kw.clip(0.0, ac_rating_kw_per_kwp)
    assert not np.isnan(values).any()
    return pd.Series(values, index=index, name="pv_kw_per_kwp")


def default_tilt_azimuth(latitude: float) -> tuple[float, float]:
    """Return a fixed-tilt default: tilt ~ |latitude| in [5, 40] deg, facing the equator.

    Parameters
    ----------
    latitude : float
        Site latitude [deg], north positive.

    Returns
    -------
    tuple of float
        ``(tilt_deg, azimuth_deg)`` [deg]; azimuth 180 (south) north of the equator, 0 south.
    """
    _check_range("latitude", latitude, -90.0, 90.0)
    tilt_deg = max(5.0, min(abs(latitude), 40.0))
    return tilt_deg, 180.0 if latitude >= 0 else 0.0


def solar_inputs(scenario: Scenario, index: pd.DatetimeIndex
                 ) -> tuple[pd.DataFrame | None, pd.Series]:
    """Resolve a scenario's solar resource on the model's index.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (its site and ``solar`` section).
    index : pd.DatetimeIndex
        The model's step starts, tz-aware in the site's timezone.

    Returns
    -------
    tuple
        ``(weather, pv_kw_per_kwp)``: the weather frame (``WEATHER_COLUMNS``; None when PV
        output was given directly) and AC output per kWp DC [kW/kWp] named ``pv_kw_per_kwp``.

    Raises
    ------
    ScenarioError
        When a given PV series is missing values, has the wrong length or step, or is out of
        bounds.
    """
    site = scenario.site_spec()
    sol = scenario.solar
    weather: pd.DataFrame | None = None
    if sol.pv_kw_per_kwp is not None:
        field = "solar.pv_kw_per_kwp." + ("series" if sol.pv_kw_per_kwp.series is not None
                                          else "csv")
        pv = conform(read_source(sol.pv_kw_per_kwp, scenario, "solar.pv_kw_per_kwp"), index,
                     field, lower=0.0, upper=1.5, unit="kW/kWp")
    else:
        tilt, azimuth = default_tilt_azimuth(site.latitude)
        weather = embedded_weather(
            site.latitude, site.longitude, site.elevation_m, index,
            ghi_kwh_m2_day=site.ghi_kwh_m2_day, monthly_temp_air_c=site.monthly_temp_air_c)
        pv = pv_kw_per_kwp(
            weather, site.latitude, site.longitude, site.elevation_m,
            tilt_deg=sol.tilt_deg if sol.tilt_deg is not None else tilt,
            azimuth_deg=sol.azimuth_deg if sol.azimuth_deg is not None else azimuth,
            losses_fraction=sol.losses_fraction, dc_ac_ratio=sol.dc_ac_ratio,
            inverter_efficiency=sol.inverter_efficiency,
            temp_coefficient_per_c=sol.temp_coefficient_per_c)
    return weather, pv.rename("pv_kw_per_kwp")
