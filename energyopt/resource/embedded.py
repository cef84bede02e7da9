"""The embedded stochastic weather year, synthesised offline from monthly means.

The time conventions of :mod:`energyopt.resource` apply.

Embedded weather year
---------------------
For sites without a weather file, :func:`embedded_weather` synthesises a year from monthly
means, offline, with these published methods:

1. **Monthly targets.** Mean daily GHI per month [kWh/m2/day]. For bundled sites: the annual
   GHI estimate of ``data/sites.csv`` shaped by the monthly clearness of the site's climate
   zone (``data/climate_zones.csv``): ``target_m ~ kt_m * H0_m``, scaled so that the
   day-weighted annual mean equals the estimate (:func:`monthly_ghi_from_kt`). All of these
   are estimates (grade E).
2. **Daily clearness index** ``K_d``. Each month's daily values follow the distribution of
   Bendt, Collares-Pereira & Rabl (1981), "The frequency distribution of daily insolation
   values", Solar Energy 27(1):1-5: a truncated exponential on ``[K_min, K_max]`` with
   ``K_min = 0.05`` and ``K_max = 0.6313 + 0.267 K - 11.9 (K - 0.75)^8`` (Hollands & Huget
   1983, as given by Duffie & Beckman, Solar Engineering of Thermal Processes, sec. 2.11),
   whose exponent is solved numerically so that the distribution's mean is the monthly ``K``.
   Day-to-day persistence: a first-order autoregressive Gaussian sequence (lag-one correlation
   ``DAILY_KT_LAG1_CORRELATION``) is mapped through that distribution, the approach of Graham,
   Hollands & Unny (1988), "A time series model for Kt with application to global synthetic
   weather generation", Solar Energy 40(2):83-92.
3. **Hourly clearness index** ``k_h``: the TAG model (time-dependent, autoregressive, Gaussian)
   of Aguiar & Collares-Pereira (1992), Solar Energy 49(3):167-174:
   ``k_h = k_m(K_d, a) + sigma(K_d, a) y_h`` with ``k_m = lambda + eps exp(-kappa / sin a)``,
   ``lambda = -0.19 + 1.12 K + 0.24 exp(-8 K)``, ``eps = 0.32 - 1.6 (K - 0.5)^2``,
   ``kappa = 0.19 + 2.27 K^2 - 2.51 K^3``, ``sigma = A exp(B (1 - sin a))``,
   ``A = 0.14 exp(-20 (K - 0.35)^2)``, ``B = 3 (K - 0.45)^2 + 16 K^5`` and
   ``y_h = phi y_(h-1) + sqrt(1 - phi^2) r_h`` with ``r_h ~ N(0, 1)`` and
   ``phi = 0.38 + 0.06 cos(7.4 K - 2.5)``; ``sin a`` is the mean sine of the solar elevation
   over the sunlit part of the hour. Values outside ``[HOURLY_KT_MIN, ceiling]`` are clipped
   (TAG redraws them; clipping is vectorised and the rescaling below restores the energy).
4. **Ceiling.** No hour exceeds pvlib's Ineichen clear sky for a clean atmosphere (Linke
   turbidity ``CEILING_LINKE_TURBIDITY``) at the site's altitude. pvlib's own turbidity
   climatology is not used as the ceiling: in the Sahel it includes dusty days and lies below
   the mean GHI estimates.
5. **Calibration.** Daily values are rescaled per month, then hourly values per day, keeping
   every value within ``[0, ceiling]``, so that each month's mean daily GHI equals its target
   (to rounding) and each day's hours add up to its ``K_d``. A target above the month's
   clear-sky ceiling raises ``ValueError``.
6. **Decomposition.** DNI and DHI from GHI with pvlib's Erbs model at the interval midpoints.
7. **Air temperature.** The monthly means, linearly interpolated between mid-months and
   corrected to keep each monthly mean exactly; a day-to-day anomaly of
   ``TEMP_C_PER_DAILY_KT`` x (``K_d`` - the month's mean ``K_d``), cloudier days being cooler;
   and a diurnal cosine peaking at 15:00 local clock time with the half swing, scaled by
   ``K_d`` over the month's mean (within 0.5-1.3), so cloudy days swing less. Wind is constant
   at ``EMBEDDED_WIND_SPEED_M_S``. Step 7's coefficients are engineering estimates (grade E).

The random draws come from ``numpy.random.default_rng([seed, year])``: the same site, settings
and seed always give the same year (``DEFAULT_WEATHER_SEED`` unless ``solar.seed`` is set), and
consecutive calendar years differ. Results are cached per site and settings within a run.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pvlib
from scipy import special

from energyopt.resource.common import (
    _MONTH_NAMES,
    _NS_PER_H,
    FloatArray,
    IntArray,
    _check_range,
    _check_site,
    _frozen,
    _IndexKey,
    _local_parts,
    _monthly,
)
from energyopt.resource.sun import (
    SOLAR_CONSTANT_W_M2,
    _day_of_year_mid,
    _extraterrestrial,
    _solar_position,
    _utc_day_of_year,
)

__all__ = ["DEFAULT_WEATHER_SEED", "embedded_weather"]

#: Seed of the embedded weather year when the scenario gives none (``solar.seed``).
DEFAULT_WEATHER_SEED = 2026
#: Lowest daily clearness index of the Bendt et al. (1981) distribution [-].
DAILY_KT_MIN = 0.05
#: Lag-one correlation of the Gaussian sequence behind the daily clearness index [-]. Grade E:
#: a typical persistence of daily clearness (clear and cloudy spells of a few days).
DAILY_KT_LAG1_CORRELATION = 0.3
#: Lowest hourly clearness index while the sun is up (thick overcast still lets some diffuse
#: light through) [-].
HOURLY_KT_MIN = 0.02
#: Linke turbidity of the clean atmosphere whose Ineichen clear sky caps every hour [-].
CEILING_LINKE_TURBIDITY = 2.0
#: Day-to-day air temperature anomaly per unit of daily clearness anomaly [C]. Grade E.
TEMP_C_PER_DAILY_KT = 8.0
#: Constant wind speed of the embedded year [m/s] (pvlib's Faiman default; errs on hot cells).
EMBEDDED_WIND_SPEED_M_S = 1.0
#: Monthly mean clearness handed to the daily distribution is kept within these bounds [-].
_KT_SHAPE_RANGE = (0.08, 0.80)


def _clear_sky_kt(sin_elevation: FloatArray, elevation_m: float,
                  g_on: FloatArray) -> FloatArray:
    """Return the clearness index of pvlib's Ineichen clear sky, clean atmosphere [-]."""
    sin_e = np.clip(sin_elevation, 1e-4, 1.0)
    zenith = np.degrees(np.arccos(sin_e))
    airmass = pvlib.atmosphere.get_absolute_airmass(
        pvlib.atmosphere.get_relative_airmass(zenith),
        pvlib.atmosphere.alt2pres(elevation_m))
    clear = pvlib.clearsky.ineichen(zenith, airmass, CEILING_LINKE_TURBIDITY,
                                    altitude=elevation_m, dni_extra=g_on)
    kt = np.nan_to_num(np.asarray(clear["ghi"], dtype=float)) / (g_on * sin_e)
    return np.where(sin_elevation > 0.0, np.clip(kt, 0.0, 1.0), 0.0)


# --------------------------------------------------------------------------------------------
# Stochastic clearness
# --------------------------------------------------------------------------------------------
def _bendt_fraction(x: FloatArray) -> FloatArray:
    """Mean of the Bendt distribution as a fraction of its span, for exponent ``x`` [-]."""
    small = np.abs(x) < 1e-6
    safe = np.where(small, 1.0, x)
    return np.where(small, 0.5 + x / 12.0, 1.0 / -np.expm1(-safe) - 1.0 / safe)


_BENDT_X = np.concatenate([-np.geomspace(80.0, 1e-4, 400), [0.0], np.geomspace(1e-4, 80.0, 400)])
_BENDT_P = _bendt_fraction(_BENDT_X)


def _daily_kt(u: FloatArray, kt_mean: FloatArray, kt_ceiling: FloatArray) -> FloatArray:
    """Daily clearness at quantile ``u`` of the Bendt et al. (1981) distribution of mean K.

    The upper end is the smaller of Hollands & Huget's ``K_max`` and the day's clear-sky
    ceiling; the exponent is solved so that the distribution's mean is ``kt_mean``.
    """
    k = np.clip(kt_mean, *_KT_SHAPE_RANGE)
    k_max = np.minimum(0.6313 + 0.267 * k - 11.9 * (k - 0.75) ** 8, kt_ceiling)
    span = np.maximum(k_max - DAILY_KT_MIN, 1e-3)
    x = np.interp(np.clip((k - DAILY_KT_MIN) / span, 0.0, 1.0), _BENDT_P, _BENDT_X)
    small = np.abs(x) < 1e-6
    safe = np.where(small, 1.0, x)
    fraction = np.where(small, u, np.log1p(u * np.expm1(safe)) / safe)
    return DAILY_KT_MIN + span * fraction


def _rescale(values: FloatArray, weights: FloatArray, caps: FloatArray, group: IntArray,
             targets: FloatArray) -> FloatArray:
    """Scale values per group so that ``sum(values * weights)`` hits each target, within caps.

    Exact water filling: each group's values are multiplied by the one factor ``s`` that solves
    ``sum(min(s * v, cap) * w) = target``; values reaching their cap stay at it. A group whose
    values are all zero starts from half its caps; a target above ``sum(cap * w)`` leaves every
    value at its cap.
    """
    n = len(targets)
    v = np.clip(np.minimum(values, caps), 0.0, None)
    total = np.bincount(group, v * weights, n)
    empty = (total <= 0.0) & (targets > 0.0)
    if empty.any():
        v = np.where(empty[group] & (weights > 0.0), 0.5 * caps, v)
    live = np.flatnonzero((v > 0.0) & (weights > 0.0))
    g = group[live]
    ratio = caps[live] / v[live]
    order = np.lexsort((ratio, g))
    live, g, ratio = live[order], g[order], ratio[order]
    cap_w = caps[live] * weights[live]
    val_w = v[live] * weights[live]
    first = np.searchsorted(g, np.arange(n), side="left")  # start of each group in `g`
    cum_cap = np.cumsum(cap_w)
    cum_val = np.cumsum(val_w)
    before_cap = np.concatenate([[0.0], cum_cap])[first][g]
    before_val = np.concatenate([[0.0], cum_val])[first][g]
    capped = cum_cap - before_cap                  # capped energy up to and including k
    free_after = np.bincount(g, val_w, n)[g] - (cum_val - before_val)  # free energy after k
    reached = capped + ratio * free_after >= targets[g]
    factor = np.full(n, np.inf)
    hit = np.flatnonzero(reached)
    groups_hit, at = np.unique(g[hit], return_index=True)
    k = hit[at]
    with np.errstate(divide="ignore", invalid="ignore"):
        factor[groups_hit] = (targets[groups_hit] - (capped[k] - cap_w[k])) / (
            free_after[k] + val_w[k])
    factor = np.where(np.isfinite(factor), np.clip(factor, 0.0, None), np.inf)
    with np.errstate(invalid="ignore"):
        scaled = np.where(np.isinf(factor[group]), caps, v * factor[group])
    return np.minimum(np.where(v > 0.0, scaled, 0.0), caps)


@dataclasses.dataclass(frozen=True)
class _Year:
    """One synthesised calendar year on the local hourly calendar (arrays are read-only)."""

    year: int
    hour_start_ns: IntArray   # UTC ns of each local hour start
    kt: FloatArray            # hourly clearness index [-]
    day_anomaly_c: FloatArray  # per local day of year [C]
    day_swing_c: FloatArray    # per local day of year [C]
    month_anchor_doy: FloatArray  # 14 anchors (Dec of the year before .. Jan after) [d]
    month_anchor_c: FloatArray    # temperature at each anchor [C]
    month_correction_c: FloatArray  # 12 additive corrections [C]


def _temperature_base(year: _Year, doy: FloatArray, month: IntArray) -> FloatArray:
    return (np.interp(doy, year.month_anchor_doy, year.month_anchor_c)
            + year.month_correction_c[month - 1])


@functools.lru_cache(maxsize=64)
def _synthesise_year(latitude: float, longitude: float, elevation_m: float, tz: str, year: int,
                     monthly_ghi: tuple[float, ...], monthly_temp: tuple[float, ...],
                     temp_swing_c: float, seed: int) -> _Year:
    """Synthesise one calendar year of hourly clearness and temperature anomalies."""
    hours = pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq="h", tz=tz,
                          inclusive="left").as_unit("ns")
    start = hours.asi8.astype(np.int64)
    end = start + _NS_PER_H
    i0, sunlit_h = _extraterrestrial(start, end, latitude, longitude)
    _, month, doy_frac, _ = _local_parts(start, tz)
    day = doy_frac.astype(np.int64)  # local day of year, 0-based
    n_days = int(day.max()) + 1
    g_on = np.asarray(pvlib.irradiance.get_extra_radiation(
        _utc_day_of_year(start + _NS_PER_H // 2), solar_constant=SOLAR_CONSTANT_W_M2,
        method="spencer"), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sin_elev = np.where(sunlit_h > 0, i0 / (g_on * sunlit_h), 0.0)
    cap_h = _clear_sky_kt(sin_elev, elevation_m, g_on)

    # daily level -------------------------------------------------------------------------
    day_month = np.zeros(n_days, dtype=np.int64)
    day_month[day] = month - 1
    h0_day = np.bincount(day, i0, n_days).astype(float)
    cap_energy_day = np.bincount(day, cap_h * i0, n_days).astype(float)
    days_in_month = np.bincount(day_month, None, 12)
    target_month = np.asarray(monthly_ghi) * 1000.0 * days_in_month  # Wh/m2 per month
    ceiling_month = np.bincount(day_month, cap_energy_day, 12)
    for m in range(12):
        # 0.01 kWh/m2/day of slack: near polar night both are ~0 and differ by rounding only
        if target_month[m] > ceiling_month[m] * (1.0 + 1e-9) + 10.0 * days_in_month[m]:
            raise ValueError(
                f"monthly GHI target for {_MONTH_NAMES[m]} ({monthly_ghi[m]:.2f} kWh/m2/day) "
                f"exceeds the clear-sky ceiling {ceiling_month[m] / 1000.0 / days_in_month[m]:.2f}"
                f" kWh/m2/day at latitude {latitude}; check the value (a mean daily GHI, not a "
                "monthly total)")
    target_month = np.minimum(target_month, ceiling_month)
    h0_month = np.bincount(day_month, h0_day, 12)
    with np.errstate(divide="ignore", invalid="ignore"):
        kt_month = np.where(h0_month > 0, target_month / h0_month, 0.0)
        cap_day = np.where(h0_day > 0, cap_energy_day / h0_day, 0.0)

    rng = np.random.default_rng([seed, year])
    rho = DAILY_KT_LAG1_CORRELATION
    shocks = rng.standard_normal(n_days)
    z = np.empty(n_days)
    previous = shocks[0]
    scale = math.sqrt(1.0 - rho * rho)
    for d, shock in enumerate(shocks.tolist()):
        previous = shock if d == 0 else rho * previous + scale * shock
        z[d] = previous
    kt_day = _daily_kt(special.ndtr(z), kt_month[day_month], cap_day)
    kt_day = _rescale(kt_day, h0_day, cap_day, day_month, target_month)

    # hourly level (TAG) --------------------------------------------------------------------
    k = kt_day[day]
    s = np.clip(sin_elev, 1e-3, 1.0)
    k_mean = (-0.19 + 1.12 * k + 0.24 * np.exp(-8.0 * k)
              + (0.32 - 1.6 * (k - 0.5) ** 2) * np.exp(-(0.19 + 2.27 * k**2 - 2.51 * k**3) / s))
    sigma = 0.14 * np.exp(-20.0 * (k - 0.35) ** 2) * np.exp(
        (3.0 * (k - 0.45) ** 2 + 16.0 * k**5) * (1.0 - s))
    phi = 0.38 + 0.06 * np.cos(7.4 * k - 2.5)
    innovations = (rng.standard_normal(len(start)) * np.sqrt(1.0 - phi**2)).tolist()
    y = np.empty(len(start))
    previous = 0.0
    for h, (p, r) in enumerate(zip(phi.tolist(), innovations, strict=True)):
        previous = p * previous + r
        y[h] = previous
    kt_hour = np.clip(k_mean + sigma * y, np.minimum(HOURLY_KT_MIN, cap_h), cap_h)
    kt_hour = np.where(i0 > 0.0, kt_hour, 0.0)
    kt_hour = _rescale(kt_hour, i0, cap_h, day, kt_day * h0_day)

    got = np.bincount(month - 1, kt_hour * i0, 12)
    if not np.allclose(got, target_month, rtol=1e-6, atol=1e-3):  # pragma: no cover
        raise RuntimeError(f"embedded weather calibration failed: {got} vs {target_month}")

    # temperature ---------------------------------------------------------------------------
    kt_mean_month = np.bincount(day_month, kt_day, 12) / days_in_month
    anomaly = TEMP_C_PER_DAILY_KT * (kt_day - kt_mean_month[day_month])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(kt_mean_month[day_month] > 0, kt_day / kt_mean_month[day_month], 1.0)
    swing = temp_swing_c * np.clip(ratio, 0.5, 1.3)
    month_start = np.concatenate([[0], np.cumsum(days_in_month)])
    mid = (month_start[:-1] + month_start[1:]) / 2.0
    temps = np.asarray(monthly_temp, dtype=float)
    anchors = np.concatenate([[mid[-1] - n_days], mid, [mid[0] + n_days]])
    anchor_c = np.concatenate([[temps[-1]], temps, [temps[0]]])
    mid_doy = doy_frac + 0.5 / 24.0
    base = np.interp(mid_doy, anchors, anchor_c)
    correction = temps - np.bincount(month - 1, base, 12) / np.bincount(month - 1, None, 12)
    return _Year(year=year, hour_start_ns=_frozen(start), kt=_frozen(kt_hour),
                 day_anomaly_c=_frozen(anomaly), day_swing_c=_frozen(swing),
                 month_anchor_doy=_frozen(anchors), month_anchor_c=_frozen(anchor_c),
                 month_correction_c=_frozen(correction))


# --------------------------------------------------------------------------------------------
# Embedded weather on any index
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=32)
def _embedded_weather(key: _IndexKey, latitude: float, longitude: float, elevation_m: float,
                      monthly_ghi: tuple[float, ...], monthly_temp: tuple[float, ...],
                      temp_swing_c: float, seed: int) -> pd.DataFrame:
    starts = key.starts_ns()
    end = int(starts[-1]) + key.step_ns
    first_year = int(_local_parts(starts[:1], key.tz)[0][0])
    last_year = int(_local_parts(np.array([end - 1], dtype=np.int64), key.tz)[0][0])
    years = {y: _synthesise_year(latitude, longitude, elevation_m, key.tz, y, monthly_ghi,
                                 monthly_temp, temp_swing_c, seed)
             for y in range(first_year, last_year + 1)}
    hour_start = np.concatenate([years[y].hour_start_ns for y in sorted(years)])
    kt = np.concatenate([years[y].kt for y in sorted(years)])
    # elementary segments: each lies within one hour of the calendar and one step of the index
    inner = hour_start[(hour_start > starts[0]) & (hour_start < end)]
    bounds = np.union1d(np.append(starts, end), inner)
    seg_start, seg_end = bounds[:-1], bounds[1:]
    seg_hour = np.searchsorted(hour_start, seg_start, side="right") - 1
    seg_step = np.searchsorted(starts, seg_start, side="right") - 1
    i0, _ = _extraterrestrial(seg_start, seg_end, latitude, longitude)
    step_h = key.step_ns / _NS_PER_H
    ghi = np.bincount(seg_step, kt[seg_hour] * i0, key.periods) / step_h
    # air temperature: time average over each step
    duration = (seg_end - seg_start).astype(float)
    seg_year, seg_month, seg_doy, seg_clock = _local_parts(seg_start + (seg_end - seg_start) // 2,
                                                           key.tz)
    temp = np.empty(len(seg_start))
    for y, synthesised in years.items():
        at = seg_year == y
        d = seg_doy[at].astype(np.int64)
        temp[at] = (_temperature_base(synthesised, seg_doy[at], seg_month[at])
                    + synthesised.day_anomaly_c[d]
                    + synthesised.day_swing_c[d] * np.cos(2.0 * np.pi * (seg_clock[at] - 15.0)
                                                          / 24.0))
    temp_air = np.bincount(seg_step, temp * duration, key.periods) / np.bincount(
        seg_step, duration, key.periods)
    position = _solar_position(key, latitude, longitude, elevation_m)
    parts = pvlib.irradiance.erbs(ghi, position["zenith"].to_numpy(), _day_of_year_mid(key))
    return pd.DataFrame({
        "ghi": ghi,
        "dni": np.nan_to_num(np.asarray(parts["dni"], dtype=float)),
        "dhi": np.nan_to_num(np.asarray(parts["dhi"], dtype=float)),
        "temp_air": temp_air,
        "wind_speed": np.full(key.periods, EMBEDDED_WIND_SPEED_M_S),
    }, index=key.index())


def embedded_weather(latitude: float, longitude: float, elevation_m: float,
                     index: pd.DatetimeIndex, *, monthly_ghi_kwh_m2_day: Sequence[float],
                     monthly_temp_air_c: Sequence[float], temp_swing_c: float = 6.0,
                     seed: int | None = None) -> pd.DataFrame:
    """Synthesise a stochastic weather year, calibrated to monthly GHI, on ``index``.

    See the module docstring for the method (Bendt et al. 1981 daily distribution with
    autoregressive persistence, the TAG hourly model of Aguiar & Collares-Pereira 1992, a
    clean-atmosphere Ineichen ceiling, Erbs decomposition) and the timestamp conventions.

    Parameters
    ----------
    latitude, longitude : float
        Site position [deg], north and east positive.
    elevation_m : float
        Site elevation [m].
    index : pd.DatetimeIndex
        Timezone-aware (site timezone), regular, interval-start labels; any step and length.
    monthly_ghi_kwh_m2_day : sequence of float
        Mean daily global horizontal irradiation of each month, January first
        [kWh/m2/day], each within [0, 12]. Each month of the synthesised calendar year matches
        its value to rounding (see :func:`monthly_ghi_from_kt` to build them from clearness).
    monthly_temp_air_c : sequence of float
        Mean air temperature of each month, January first [C], each within [-60, 60].
    temp_swing_c : float
        Mean half amplitude of the diurnal temperature cycle [C], within [0, 30]; maximum at
        15:00 and minimum at 03:00 local clock time.
    seed : int, optional
        Seed of the random draws (>= 0); ``DEFAULT_WEATHER_SEED`` if omitted.

    Returns
    -------
    pd.DataFrame
        Columns ``ghi``, ``dni``, ``dhi`` [W/m2], ``temp_air`` [C] and ``wind_speed`` [m/s]
        on ``index`` (interval means, no NaN). ``attrs['source']`` describes the data.

    Raises
    ------
    ValueError
        For a position out of range, a bad index, not 12 monthly values, a value out of range,
        or a monthly GHI above the site's clear-sky ceiling.
    """
    _check_site(latitude, longitude, elevation_m)
    key = _IndexKey.of(index)
    ghi = _monthly("monthly_ghi_kwh_m2_day", monthly_ghi_kwh_m2_day, 0.0, 12.0)
    temps = _monthly("monthly_temp_air_c", monthly_temp_air_c, -60.0, 60.0)
    _check_range("temp_swing_c", temp_swing_c, 0.0, 30.0)
    seed = DEFAULT_WEATHER_SEED if seed is None else seed
    if not (isinstance(seed, int | np.integer) and 0 <= seed < 2**63):
        raise ValueError(f"seed={seed!r} must be a non-negative integer")
    weather = _embedded_weather(key, float(latitude), float(longitude), float(elevation_m),
                                tuple(ghi.tolist()), tuple(temps.tolist()),
                                float(temp_swing_c), int(seed))
    out = weather.copy().set_axis(index)
    out.attrs["source"] = f"embedded stochastic weather year (seed {int(seed)})"
    return out
