"""Sun geometry: extraterrestrial irradiation over intervals and solar position at midpoints.

The time conventions of :mod:`energyopt.resource` apply: intervals are labelled at their start
and the solar position is computed at the interval MIDPOINT.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pvlib

from energyopt.resource.common import (
    _NS_PER_H,
    FloatArray,
    IntArray,
    _check_range,
    _IndexKey,
)

__all__ = ["SOLAR_CONSTANT_W_M2", "monthly_extraterrestrial_kwh_m2_day"]

#: Solar constant [W/m2], pvlib's default for ``get_extra_radiation``.
SOLAR_CONSTANT_W_M2 = 1366.1


# --------------------------------------------------------------------------------------------
# Sun geometry
# --------------------------------------------------------------------------------------------
def _utc_day_of_year(ns: IntArray) -> FloatArray:
    """Fractional day of year (1 at 00:00 UTC on 1 January) of UTC nanosecond timestamps."""
    times = ns.astype("datetime64[ns]")
    year_start = times.astype("datetime64[Y]").astype("datetime64[ns]")
    return 1.0 + (times - year_start).astype(np.int64) / (24.0 * _NS_PER_H)


def _extraterrestrial(start_ns: IntArray, end_ns: IntArray, latitude: float,
                      longitude: float) -> tuple[FloatArray, FloatArray]:
    """Extraterrestrial irradiation on a horizontal plane over intervals of up to a day.

    The hour angle moves linearly through the interval, while the declination, the equation of
    time and the sun-earth distance (Spencer 1971, as in pvlib) are taken at its midpoint; the
    integral of the positive part of ``cos(zenith)`` is analytic.

    Returns
    -------
    tuple of arrays
        Irradiation over each interval [Wh/m2] and its sunlit hours [h].
    """
    mid_ns = start_ns + (end_ns - start_ns) // 2
    doy = _utc_day_of_year(mid_ns)
    decl = np.asarray(pvlib.solarposition.declination_spencer71(doy), dtype=float)
    eot_min = np.asarray(pvlib.solarposition.equation_of_time_spencer71(doy), dtype=float)
    g_on = np.asarray(pvlib.irradiance.get_extra_radiation(
        doy, solar_constant=SOLAR_CONSTANT_W_M2, method="spencer"), dtype=float)
    lat = math.radians(latitude)
    utc_h = (doy - np.floor(doy)) * 24.0
    omega_mid = (utc_h + longitude / 15.0 + eot_min / 60.0 - 12.0) * np.pi / 12.0
    omega_mid = (omega_mid + np.pi) % (2.0 * np.pi) - np.pi
    half = (end_ns - start_ns).astype(float) / _NS_PER_H / 2.0 * np.pi / 12.0
    lo, hi = omega_mid - half, omega_mid + half
    sin_sin = np.sin(decl) * math.sin(lat)
    cos_cos = np.cos(decl) * math.cos(lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        cos_ws = np.clip(-sin_sin / cos_cos, -1.0, 1.0)
    omega_s = np.where(np.isfinite(cos_ws), np.arccos(np.nan_to_num(cos_ws)),
                       np.where(sin_sin > 0, np.pi, 0.0))
    integral = np.zeros_like(lo)
    sunlit = np.zeros_like(lo)
    for k in (-1, 0, 1):
        a = np.maximum(lo, 2.0 * np.pi * k - omega_s)
        b = np.minimum(hi, 2.0 * np.pi * k + omega_s)
        ok = b > a
        part = (b - a) * sin_sin + cos_cos * (np.sin(b) - np.sin(a))
        integral += np.where(ok, part, 0.0)
        sunlit += np.where(ok, b - a, 0.0)
    energy = g_on * 12.0 / np.pi * np.clip(integral, 0.0, None)
    return energy, sunlit * 12.0 / np.pi


def monthly_extraterrestrial_kwh_m2_day(latitude: float) -> FloatArray:
    """Mean daily extraterrestrial irradiation on a horizontal plane of each month.

    Parameters
    ----------
    latitude : float
        Site latitude [deg], north positive.

    Returns
    -------
    np.ndarray
        12 values, January first [kWh/m2/day], over a non-leap year (Spencer 1971 declination
        and sun-earth distance, as in pvlib).
    """
    _check_range("latitude", latitude, -90.0, 90.0)
    doy = np.arange(1, 366, dtype=float) + 0.5
    decl = np.asarray(pvlib.solarposition.declination_spencer71(doy), dtype=float)
    g_on = np.asarray(pvlib.irradiance.get_extra_radiation(
        doy, solar_constant=SOLAR_CONSTANT_W_M2, method="spencer"), dtype=float)
    lat = math.radians(latitude)
    sin_sin = np.sin(decl) * math.sin(lat)
    cos_cos = np.cos(decl) * math.cos(lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        cos_ws = np.clip(-sin_sin / cos_cos, -1.0, 1.0)
    omega_s = np.where(np.isfinite(cos_ws), np.arccos(np.nan_to_num(cos_ws)),
                       np.where(sin_sin > 0, np.pi, 0.0))
    daily_wh = 24.0 / np.pi * g_on * np.clip(
        cos_cos * np.sin(omega_s) + omega_s * sin_sin, 0.0, None)
    month = pd.date_range("2025-01-01", periods=365, freq="D").month.to_numpy() - 1
    return np.bincount(month, daily_wh, 12) / np.bincount(month, None, 12) / 1000.0


@functools.lru_cache(maxsize=64)
def _solar_position(key: _IndexKey, latitude: float, longitude: float,
                    elevation_m: float) -> pd.DataFrame:
    """Return pvlib's solar position (NREL SPA) at the interval midpoints (cached)."""
    index = key.index()
    mid = index + pd.Timedelta(key.step_ns // 2, "ns")
    position = pvlib.solarposition.get_solarposition(mid, latitude, longitude,
                                                     altitude=elevation_m)
    return position.loc[:, ["apparent_zenith", "zenith", "azimuth"]].set_axis(index)


def _day_of_year_mid(key: _IndexKey) -> FloatArray:
    return _utc_day_of_year(key.starts_ns() + key.step_ns // 2)
