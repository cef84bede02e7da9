"""Solar resource: an embedded stochastic weather year and PV output per kWp.

Conventions
-----------
Every function of this module takes and returns data under these rules:

* A time index is a timezone-aware, regular ``pd.DatetimeIndex`` (normally in the site's
  timezone) whose labels are the START of each interval: on an hourly index the value labelled
  09:00 describes 09:00-10:00 local time.
* Values are interval means. Irradiance [W/m2] times the step [h] is the interval's energy
  [Wh/m2], whatever the step (5 min to one day); air temperature is a time average.
* Solar position (zenith, azimuth, angle of incidence, tracker rotation) is computed at the
  interval MIDPOINT.
* The embedded weather is generated on the local hourly calendar of every calendar year the
  index touches (hours labelled at their start) and mapped onto the index by integration:
  within an hour, irradiance follows the extraterrestrial irradiance at constant clearness, so
  sub-hourly and multi-hour steps keep the hourly energy exactly.

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
import warnings
from collections.abc import Sequence
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pvlib
from scipy import special

from energyopt import data
from energyopt.errors import ScenarioError
from energyopt.scenario import PvgisSpec, Scenario
from energyopt.series import conform, read_source

__all__ = [
    "DEFAULT_WEATHER_SEED",
    "WEATHER_COLUMNS",
    "SiteClimate",
    "cell_temperature_c",
    "default_tilt_azimuth",
    "embedded_weather",
    "monthly_extraterrestrial_kwh_m2_day",
    "monthly_ghi_from_kt",
    "plane_of_array",
    "pv_kw_per_kwp",
    "site_climate",
    "solar_inputs",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_Array = TypeVar("_Array", bound=np.ndarray)

WEATHER_COLUMNS = ("ghi", "dni", "dhi", "temp_air", "wind_speed")

#: Seed of the embedded weather year when the scenario gives none (``solar.seed``).
DEFAULT_WEATHER_SEED = 2026
#: Solar constant [W/m2], pvlib's default for ``get_extra_radiation``.
SOLAR_CONSTANT_W_M2 = 1366.1
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
#: Largest monthly mean clearness index accepted as a target or input [-].
MAX_MONTHLY_KT = 0.85
#: SAPM cell-temperature parameters used for ``temperature_model='sapm'``.
SAPM_MOUNT = "open_rack_glass_polymer"

_NS_PER_H = 3_600_000_000_000
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec")

Tracking = Literal["fixed", "single_axis"]
Transposition = Literal["perez", "haydavies"]
TemperatureModel = Literal["sapm", "faiman"]


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------
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


def _monthly(name: str, values: Sequence[float], low: float, high: float) -> FloatArray:
    """Return 12 monthly values as an array, or raise ValueError naming ``name``."""
    array = np.asarray(list(values), dtype=float)
    if array.shape != (12,):
        raise ValueError(f"{name} must hold 12 monthly values (January first), got "
                         f"{array.size}: {list(values)!r}")
    for month, value in enumerate(array):
        if not (math.isfinite(value) and low <= value <= high):
            raise ValueError(f"{name}[{month}] ({_MONTH_NAMES[month]})={float(value)!r} is "
                             f"outside the valid range [{low}, {high}]")
    return array


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


@dataclasses.dataclass(frozen=True)
class _IndexKey:
    """A hashable description of a regular tz-aware index (first label, length, step, tz)."""

    first_ns: int
    periods: int
    step_ns: int
    tz: str

    @classmethod
    def of(cls, index: pd.DatetimeIndex) -> _IndexKey:
        step = _step(index)
        first_ns = int(index[:1].as_unit("ns").asi8[0])
        return cls(first_ns, len(index), int(step.value), str(index.tz))

    def starts_ns(self) -> IntArray:
        return self.first_ns + self.step_ns * np.arange(self.periods, dtype=np.int64)

    def index(self) -> pd.DatetimeIndex:
        start = pd.Timestamp(self.first_ns, unit="ns", tz="UTC").tz_convert(self.tz)
        return pd.date_range(start, periods=self.periods, freq=pd.Timedelta(self.step_ns, "ns"))


def _frozen(array: _Array) -> _Array:
    """Mark an array read-only (cached arrays must not be changed by callers)."""
    array.flags.writeable = False
    return array


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


def monthly_ghi_from_kt(latitude: float, monthly_kt: Sequence[float],
                        annual_ghi_kwh_m2_day: float | None = None) -> FloatArray:
    """Monthly GHI targets from monthly clearness, optionally scaled to an annual mean.

    ``target_m = kt_m * H0_m`` with ``H0_m`` the month's mean daily extraterrestrial
    irradiation; with ``annual_ghi_kwh_m2_day`` the targets are scaled by one factor so that
    their day-weighted mean over a non-leap year equals it (the clearness then only gives the
    seasonal shape).

    Parameters
    ----------
    latitude : float
        Site latitude [deg], north positive.
    monthly_kt : sequence of float
        Clearness index of each month, January first [-], within (0, ``MAX_MONTHLY_KT``].
    annual_ghi_kwh_m2_day : float, optional
        Annual mean daily GHI [kWh/m2/day], within (0, 12].

    Returns
    -------
    np.ndarray
        12 mean daily GHI values, January first [kWh/m2/day].

    Raises
    ------
    ValueError
        For a value out of range, not 12 months, or a scaled month above ``MAX_MONTHLY_KT``.
    """
    kt = _monthly("monthly_kt", monthly_kt, 0.0, MAX_MONTHLY_KT)
    h0 = monthly_extraterrestrial_kwh_m2_day(latitude)
    targets = kt * h0
    if annual_ghi_kwh_m2_day is not None:
        _check_range("annual_ghi_kwh_m2_day", annual_ghi_kwh_m2_day, 0.0, 12.0, low_open=True)
        days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
        mean = float((targets * days).sum() / days.sum())
        if mean <= 0.0:
            raise ValueError("monthly_kt gives no irradiation at this latitude; "
                             "give monthly_ghi_kwh_m2_day instead")
        targets = targets * (annual_ghi_kwh_m2_day / mean)
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled_kt = np.where(h0 > 0, targets / h0, 0.0)
        if scaled_kt.max() > MAX_MONTHLY_KT:
            month = int(scaled_kt.argmax())
            raise ValueError(
                f"annual_ghi_kwh_m2_day={annual_ghi_kwh_m2_day} gives a clearness index of "
                f"{scaled_kt[month]:.2f} in {_MONTH_NAMES[month]} (above {MAX_MONTHLY_KT}); "
                "the annual GHI is too high for this latitude, check the value")
    return targets


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


def _local_parts(ns: IntArray, tz: str) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Local year, month, fractional day of year (0 at 1 Jan 00:00) and clock hour of times."""
    local = pd.DatetimeIndex(ns.astype("datetime64[ns]")).tz_localize("UTC").tz_convert(tz)
    naive = local.tz_localize(None)
    clock = (np.asarray(naive.hour, dtype=float) + np.asarray(naive.minute, dtype=float) / 60.0
             + np.asarray(naive.second, dtype=float) / 3600.0)
    doy = np.asarray(naive.day_of_year, dtype=float) - 1.0 + clock / 24.0
    return (np.asarray(naive.year, dtype=np.int64), np.asarray(naive.month, dtype=np.int64),
            doy, clock)


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


# --------------------------------------------------------------------------------------------
# PV system
# --------------------------------------------------------------------------------------------
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


def _weather_index(weather: pd.DataFrame) -> _IndexKey:
    missing = [c for c in WEATHER_COLUMNS if c not in weather.columns]
    if missing:
        raise ValueError(f"weather lacks columns {missing}; expected {list(WEATHER_COLUMNS)}")
    index = weather.index
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError(f"weather.index must be a DatetimeIndex, got {type(index).__name__}")
    return _IndexKey.of(index)


def plane_of_array(weather: pd.DataFrame, latitude: float, longitude: float,
                   elevation_m: float, *, tracking: Tracking = "fixed",
                   tilt_deg: float | None = None, azimuth_deg: float | None = None,
                   gcr: float | None = None, max_angle_deg: float | None = None,
                   backtrack: bool = True, transposition: Transposition = "perez",
                   albedo_fraction: float | None = None) -> pd.DataFrame:
    """Irradiance on the module plane, fixed or on horizontal single-axis trackers.

    Solar position at the interval midpoints (pvlib NREL SPA); trackers from
    ``pvlib.tracking.singleaxis`` on a north-south horizontal axis (backtracking optional);
    transposition with ``pvlib.irradiance.get_total_irradiance`` (Perez 1990 or Hay-Davies).

    Parameters
    ----------
    weather : pd.DataFrame
        ``WEATHER_COLUMNS`` on a tz-aware, regular, interval-start index.
    latitude, longitude : float
        Site position [deg], north and east positive.
    elevation_m : float
        Site elevation [m].
    tracking : {'fixed', 'single_axis'}
        Mounting.
    tilt_deg, azimuth_deg : float, optional
        Fixed modules only: tilt from horizontal [deg, 0-90] and azimuth clockwise from north
        [deg, 0-360]; defaults from :func:`default_tilt_azimuth`.
    gcr : float, optional
        Trackers only: ground coverage ratio [-], in (0, 1); default from
        ``data/pv_system.csv``.
    max_angle_deg : float, optional
        Trackers only: largest rotation from horizontal [deg], in (0, 90]; default from data.
    backtrack : bool
        Trackers only: rotate back to avoid row-to-row shading at low sun.
    transposition : {'perez', 'haydavies'}
        Sky-diffuse model.
    albedo_fraction : float, optional
        Ground reflectance [-], in [0, 1]; default from ``data/pv_system.csv``.

    Returns
    -------
    pd.DataFrame
        ``poa_global``, ``poa_direct``, ``poa_diffuse`` [W/m2] (no NaN, >= 0),
        ``surface_tilt`` and ``surface_azimuth`` [deg] on ``weather.index``.

    Raises
    ------
    ValueError
        For an argument out of range or one that does not apply to the chosen tracking.
    """
    _check_site(latitude, longitude, elevation_m)
    key = _weather_index(weather)
    if albedo_fraction is None:
        albedo_fraction = data.pv_system_default("pv.albedo_fraction")
    _check_range("albedo_fraction", albedo_fraction, 0.0, 1.0)
    if transposition not in ("perez", "haydavies"):
        raise ValueError(f"transposition={transposition!r} must be 'perez' or 'haydavies'")
    position = _solar_position(key, float(latitude), float(longitude), float(elevation_m))
    zenith = position["apparent_zenith"]
    azimuth = position["azimuth"]
    if tracking == "fixed":
        if gcr is not None or max_angle_deg is not None:
            raise ValueError("gcr and max_angle_deg apply to single_axis tracking only")
        default_tilt, default_azimuth = default_tilt_azimuth(latitude)
        tilt_deg = default_tilt if tilt_deg is None else tilt_deg
        azimuth_deg = default_azimuth if azimuth_deg is None else azimuth_deg
        _check_range("tilt_deg", tilt_deg, 0.0, 90.0)
        _check_range("azimuth_deg", azimuth_deg, 0.0, 360.0)
        surface_tilt = pd.Series(float(tilt_deg), index=weather.index)
        surface_azimuth = pd.Series(float(azimuth_deg), index=weather.index)
    elif tracking == "single_axis":
        if tilt_deg is not None or azimuth_deg is not None:
            raise ValueError("tilt_deg and azimuth_deg apply to fixed modules only; "
                             "single_axis trackers set their own tilt")
        gcr = data.pv_system_default("pv.tracker_gcr") if gcr is None else gcr
        max_angle_deg = (data.pv_system_default("pv.tracker_max_angle_deg")
                         if max_angle_deg is None else max_angle_deg)
        _check_range("gcr", gcr, 0.0, 1.0, low_open=True, high_open=True)
        _check_range("max_angle_deg", max_angle_deg, 0.0, 90.0, low_open=True)
        angles = pvlib.tracking.singleaxis(zenith, azimuth, axis_tilt=0.0, axis_azimuth=180.0,
                                           max_angle=max_angle_deg, backtrack=backtrack,
                                           gcr=gcr)
        surface_tilt = angles["surface_tilt"].fillna(0.0).set_axis(weather.index)
        surface_azimuth = angles["surface_azimuth"].fillna(180.0).set_axis(weather.index)
    else:
        raise ValueError(f"tracking={tracking!r} must be 'fixed' or 'single_axis'")
    doy = _day_of_year_mid(key)
    dni_extra = np.asarray(pvlib.irradiance.get_extra_radiation(doy), dtype=float)
    airmass = pvlib.atmosphere.get_relative_airmass(zenith.to_numpy())
    poa = pvlib.irradiance.get_total_irradiance(
        surface_tilt.to_numpy(), surface_azimuth.to_numpy(), zenith.to_numpy(),
        azimuth.to_numpy(), weather["dni"].to_numpy(dtype=float),
        weather["ghi"].to_numpy(dtype=float), weather["dhi"].to_numpy(dtype=float),
        dni_extra=dni_extra, airmass=airmass, albedo=albedo_fraction, model=transposition)
    out = pd.DataFrame({name: np.clip(np.nan_to_num(np.asarray(poa[name], dtype=float)), 0.0,
                                      None)
                        for name in ("poa_global", "poa_direct", "poa_diffuse")},
                       index=weather.index)
    out["surface_tilt"] = surface_tilt.to_numpy()
    out["surface_azimuth"] = surface_azimuth.to_numpy()
    return out


def cell_temperature_c(poa_global: pd.Series, temp_air: pd.Series, wind_speed: pd.Series, *,
                       model: TemperatureModel = "sapm") -> pd.Series:
    """Cell temperature [C] with pvlib's SAPM (open rack, glass/polymer) or Faiman model.

    Parameters
    ----------
    poa_global : pd.Series
        Irradiance on the module plane [W/m2].
    temp_air : pd.Series
        Air temperature [C].
    wind_speed : pd.Series
        Wind speed [m/s].
    model : {'sapm', 'faiman'}
        ``'sapm'``: ``pvlib.temperature.sapm_cell`` with the ``SAPM_MOUNT`` parameters;
        ``'faiman'``: ``pvlib.temperature.faiman`` with its defaults (u0 25, u1 6.84).

    Returns
    -------
    pd.Series
        Cell temperature [C] on ``poa_global.index``.
    """
    if model == "sapm":
        params = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"][SAPM_MOUNT]
        cell = pvlib.temperature.sapm_cell(poa_global, temp_air, wind_speed, **params)
    elif model == "faiman":
        cell = pvlib.temperature.faiman(poa_global, temp_air, wind_speed)
    else:
        raise ValueError(f"temperature_model={model!r} must be 'sapm' or 'faiman'")
    return pd.Series(np.asarray(cell, dtype=float), index=poa_global.index, name="temp_cell")


def pv_kw_per_kwp(weather: pd.DataFrame, latitude: float, longitude: float, elevation_m: float,
                  *, tracking: Tracking = "fixed", tilt_deg: float | None = None,
                  azimuth_deg: float | None = None, gcr: float | None = None,
                  max_angle_deg: float | None = None, backtrack: bool = True,
                  transposition: Transposition = "perez",
                  temperature_model: TemperatureModel = "sapm",
                  soiling_monthly_fraction: Sequence[float] | None = None,
                  albedo_fraction: float | None = None, losses_fraction: float = 0.12,
                  dc_ac_ratio: float = 1.2, inverter_efficiency: float = 0.96,
                  temp_coefficient_per_c: float = -0.0037) -> pd.Series:
    """AC output per kWp of DC modules, PVWatts style, fixed or single-axis tracking.

    Chain: :func:`plane_of_array` (midpoint sun, tracking, transposition); cell temperature
    from the full plane-of-array irradiance (:func:`cell_temperature_c`); soiling of the
    interval's local month reduces the irradiance reaching the cells;
    ``pdc = poa * (1 - soiling) / 1000 * (1 + gamma (t_cell - 25)) * (1 - losses)``; PVWatts
    inverter with an AC rating of ``1/dc_ac_ratio`` per kWp DC, clipped at it. No incidence
    angle loss is modelled beyond what ``losses_fraction`` covers.

    Parameters
    ----------
    weather : pd.DataFrame
        ``WEATHER_COLUMNS`` on a tz-aware, regular, interval-start index (site timezone).
    latitude, longitude : float
        Site position [deg], north and east positive.
    elevation_m : float
        Site elevation [m].
    tracking, tilt_deg, azimuth_deg, gcr, max_angle_deg, backtrack, transposition, \
albedo_fraction
        See :func:`plane_of_array`.
    temperature_model : {'sapm', 'faiman'}
        See :func:`cell_temperature_c`.
    soiling_monthly_fraction : sequence of float, optional
        Output lost to soiling and dust in each local month, January first [-], each in
        [0, 0.5]; none if omitted.
    losses_fraction : float
        DC losses other than soiling (shading, mismatch, wiring, connections, LID, nameplate,
        availability) [-], in [0, 1).
    dc_ac_ratio : float
        DC module rating over inverter AC rating [-], in (0.5, 3].
    inverter_efficiency : float
        Nominal inverter efficiency [-], in (0, 1].
    temp_coefficient_per_c : float
        Power temperature coefficient [1/C], in [-0.02, 0].

    Returns
    -------
    pd.Series
        ``pv_kw_per_kwp`` [kW AC per kWp DC] on ``weather.index``: interval mean power, 0 while
        the sun is down, at most ``1/dc_ac_ratio``, no NaN.
    """
    _check_range("losses_fraction", losses_fraction, 0.0, 1.0, high_open=True)
    _check_range("dc_ac_ratio", dc_ac_ratio, 0.5, 3.0, low_open=True)
    _check_range("inverter_efficiency", inverter_efficiency, 0.0, 1.0, low_open=True)
    _check_range("temp_coefficient_per_c", temp_coefficient_per_c, -0.02, 0.0)
    soiling = (np.zeros(12) if soiling_monthly_fraction is None
               else _monthly("soiling_monthly_fraction", soiling_monthly_fraction, 0.0, 0.5))
    poa = plane_of_array(weather, latitude, longitude, elevation_m, tracking=tracking,
                         tilt_deg=tilt_deg, azimuth_deg=azimuth_deg, gcr=gcr,
                         max_angle_deg=max_angle_deg, backtrack=backtrack,
                         transposition=transposition, albedo_fraction=albedo_fraction)
    t_cell = cell_temperature_c(poa["poa_global"], weather["temp_air"], weather["wind_speed"],
                                model=temperature_model)
    key = _weather_index(weather)
    mid_month = _local_parts(key.starts_ns() + key.step_ns // 2, key.tz)[1]
    effective = poa["poa_global"].to_numpy() * (1.0 - soiling[mid_month - 1])
    pdc = np.clip(effective / 1000.0 * (1.0 + temp_coefficient_per_c * (t_cell.to_numpy() - 25.0))
                  * (1.0 - losses_fraction), 0.0, None)
    ac_rating_kw_per_kwp = 1.0 / dc_ac_ratio
    pac = pvlib.inverter.pvwatts(pdc, pdc0=ac_rating_kw_per_kwp / inverter_efficiency,
                                 eta_inv_nom=inverter_efficiency)
    values = np.nan_to_num(np.asarray(pac, dtype=np.float64)).clip(0.0, ac_rating_kw_per_kwp)
    return pd.Series(values, index=weather.index, name="pv_kw_per_kwp")


# --------------------------------------------------------------------------------------------
# Scenario resolution
# --------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class SiteClimate:
    """The monthly climate behind a site's embedded weather year, with its provenance.

    Attributes
    ----------
    monthly_ghi_kwh_m2_day : tuple of float
        Mean daily GHI of each month, January first [kWh/m2/day].
    monthly_temp_air_c : tuple of float
        Mean air temperature of each month [C].
    temp_swing_c : float
        Half the mean diurnal temperature range [C].
    soiling_monthly_fraction : tuple of float
        Default soiling loss of each month [-] (the scenario may override it).
    zone : str
        Climate zone whose tables gave defaults (``data/climate_zones.csv``).
    source : str
        Where each value came from, with its grade, for reports.
    """

    monthly_ghi_kwh_m2_day: tuple[float, ...]
    monthly_temp_air_c: tuple[float, ...]
    temp_swing_c: float
    soiling_monthly_fraction: tuple[float, ...]
    zone: str
    source: str


def site_climate(scenario: Scenario) -> SiteClimate:
    """Resolve the monthly climate of a scenario's site.

    Bundled sites: the annual GHI estimate of ``data/sites.csv`` shaped by the monthly
    clearness of the site's climate zone, and the zone's temperatures and swing. Custom sites:
    ``monthly_ghi_kwh_m2_day``, or ``monthly_kt`` (scaled to ``ghi_kwh_m2_day`` when given),
    and ``monthly_temp_air_c``; what is missing comes from the climate zone of the nearest
    bundled site, with a UserWarning naming it.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.

    Returns
    -------
    SiteClimate
        Monthly GHI targets, temperatures, swing, default soiling, zone and provenance.
    """
    site = scenario.site_spec()
    if isinstance(scenario.site, str):
        record = data.site(scenario.site)
        zone = record.climate_zone
        table = data.climate_zone(zone)
        ghi = monthly_ghi_from_kt(record.latitude, table["kt"].tolist(), record.ghi_kwh_m2_day)
        source = (f"annual GHI {record.ghi_kwh_m2_day} kWh/m2/day (data/sites.csv, grade "
                  f"{record.ghi_grade}: estimate) shaped by the monthly clearness of climate "
                  f"zone '{zone}'; temperatures of that zone (data/climate_zones.csv, grade "
                  f"{data.climate_zone_grade(zone)}: estimate)")
        temps = table["temp_air_c"].to_numpy(dtype=float)
        swing = float(table["temp_swing_c"].mean())
    else:
        near, distance_km = data.nearest_site(site.latitude, site.longitude)
        zone = near.climate_zone
        table = data.climate_zone(zone)
        borrowed: list[str] = []
        if site.monthly_ghi_kwh_m2_day is not None:
            ghi = np.asarray(site.monthly_ghi_kwh_m2_day, dtype=float)
            ghi_source = "monthly GHI given in the scenario"
        elif site.monthly_kt is not None:
            ghi = monthly_ghi_from_kt(site.latitude, site.monthly_kt, site.ghi_kwh_m2_day)
            ghi_source = "monthly clearness given in the scenario" + (
                " scaled to its annual GHI" if site.ghi_kwh_m2_day is not None else "")
        else:
            ghi = monthly_ghi_from_kt(site.latitude, table["kt"].tolist(), site.ghi_kwh_m2_day)
            borrowed.append("monthly clearness" + (
                " (scaled to the given annual GHI)" if site.ghi_kwh_m2_day is not None else ""))
            ghi_source = f"monthly clearness of climate zone '{zone}' (grade E: estimate)" + (
                " scaled to the annual GHI given in the scenario"
                if site.ghi_kwh_m2_day is not None else "")
        if site.monthly_temp_air_c is not None:
            temps = np.asarray(site.monthly_temp_air_c, dtype=float)
            temp_source = "temperatures given in the scenario"
        else:
            temps = table["temp_air_c"].to_numpy(dtype=float)
            borrowed.append("monthly air temperatures")
            temp_source = f"temperatures of climate zone '{zone}' (grade E: estimate)"
        swing = (float(site.temp_swing_c) if site.temp_swing_c is not None
                 else float(table["temp_swing_c"].mean()))
        if borrowed:
            warnings.warn(
                f"site '{site.name}' gives no {' and no '.join(borrowed)}: using those of "
                f"climate zone '{zone}' of the nearest bundled site, {near.name} "
                f"({distance_km:.0f} km away); these are estimates (grade E). Give "
                "site.monthly_ghi_kwh_m2_day (or monthly_kt) and monthly_temp_air_c, e.g. from "
                "PVGIS or NASA POWER monthly means", UserWarning, stacklevel=2)
        source = f"{ghi_source}; {temp_source}"
    soiling = data.soiling(zone)
    return SiteClimate(
        monthly_ghi_kwh_m2_day=tuple(float(v) for v in ghi),
        monthly_temp_air_c=tuple(float(v) for v in temps),
        temp_swing_c=swing,
        soiling_monthly_fraction=tuple(float(v) for v in soiling),
        zone=zone,
        source=source,
    )


@dataclasses.dataclass(frozen=True)
class _System:
    """Hashable PV system settings (cache key)."""

    tracking: Tracking
    tilt_deg: float | None
    azimuth_deg: float | None
    gcr: float | None
    max_angle_deg: float | None
    backtrack: bool
    transposition: Transposition
    temperature_model: TemperatureModel
    soiling: tuple[float, ...]
    albedo_fraction: float
    losses_fraction: float
    dc_ac_ratio: float
    inverter_efficiency: float
    temp_coefficient_per_c: float


@functools.lru_cache(maxsize=32)
def _pv_cached(key: _IndexKey, latitude: float, longitude: float, elevation_m: float,
               climate: SiteClimate, seed: int, system: _System) -> pd.Series:
    weather = embedded_weather(latitude, longitude, elevation_m, key.index(),
                               monthly_ghi_kwh_m2_day=climate.monthly_ghi_kwh_m2_day,
                               monthly_temp_air_c=climate.monthly_temp_air_c,
                               temp_swing_c=climate.temp_swing_c, seed=seed)
    return pv_kw_per_kwp(
        weather, latitude, longitude, elevation_m, tracking=system.tracking,
        tilt_deg=system.tilt_deg, azimuth_deg=system.azimuth_deg, gcr=system.gcr,
        max_angle_deg=system.max_angle_deg, backtrack=system.backtrack,
        transposition=system.transposition, temperature_model=system.temperature_model,
        soiling_monthly_fraction=system.soiling, albedo_fraction=system.albedo_fraction,
        losses_fraction=system.losses_fraction, dc_ac_ratio=system.dc_ac_ratio,
        inverter_efficiency=system.inverter_efficiency,
        temp_coefficient_per_c=system.temp_coefficient_per_c)


def _pv_on(weather: pd.DataFrame, latitude: float, longitude: float, elevation_m: float,
           system: _System) -> pd.Series:
    """Return PV output per kWp on a given weather frame (a weather file's year)."""
    return pv_kw_per_kwp(
        weather, latitude, longitude, elevation_m, tracking=system.tracking,
        tilt_deg=system.tilt_deg, azimuth_deg=system.azimuth_deg, gcr=system.gcr,
        max_angle_deg=system.max_angle_deg, backtrack=system.backtrack,
        transposition=system.transposition, temperature_model=system.temperature_model,
        soiling_monthly_fraction=system.soiling, albedo_fraction=system.albedo_fraction,
        losses_fraction=system.losses_fraction, dc_ac_ratio=system.dc_ac_ratio,
        inverter_efficiency=system.inverter_efficiency,
        temp_coefficient_per_c=system.temp_coefficient_per_c)


def solar_inputs(scenario: Scenario, index: pd.DatetimeIndex
                 ) -> tuple[pd.DataFrame, pd.Series]:
    """Resolve a scenario's weather and PV output on the model's index.

    The weather is the site's embedded weather year (:func:`site_climate`,
    :func:`embedded_weather`) unless ``solar.weather`` names a weather file or PVGIS (read by
    :mod:`energyopt.weather_io`); it is returned also when PV output is given directly: the
    load model needs its air temperature. Embedded results are cached per site and settings
    within a run; the frames returned are copies.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (its site and ``solar`` section).
    index : pd.DatetimeIndex
        The model's step starts, tz-aware in the site's timezone.

    Returns
    -------
    tuple
        ``(weather, pv_kw_per_kwp)``: the weather frame (``WEATHER_COLUMNS``, with
        ``attrs['source']`` naming the data and their grades) and AC output per kWp DC
        [kW/kWp] named ``pv_kw_per_kwp``.

    Raises
    ------
    ScenarioError
        When a given PV series is missing values, has the wrong length or step, or is out of
        bounds; or when the site's monthly GHI cannot be met (above its clear-sky ceiling).
    """
    site = scenario.site_spec()
    sol = scenario.solar
    seed = DEFAULT_WEATHER_SEED if sol.seed is None else sol.seed
    climate = (site_climate(scenario) if isinstance(sol.weather, str)
               or sol.soiling_monthly_fraction is None else None)
    if isinstance(sol.weather, str):
        assert climate is not None
        weather = _embedded_for(scenario, index, climate, seed)
    else:
        from energyopt import weather_io  # the file readers load only when asked for

        weather = weather_io.weather_from_spec(sol.weather, site=site, index=index,
                                               base_dir=scenario.base_dir)
        weather.attrs["source"] = (
            f"PVGIS typical meteorological year for {site.name}"
            if isinstance(sol.weather, PvgisSpec) else f"weather file {sol.weather.file}")
    if sol.pv_kw_per_kwp is not None:
        field = "solar.pv_kw_per_kwp." + ("series" if sol.pv_kw_per_kwp.series is not None
                                          else "csv")
        pv = conform(read_source(sol.pv_kw_per_kwp, scenario, "solar.pv_kw_per_kwp"), index,
                     field, lower=0.0, upper=1.5, unit="kW/kWp")
        pv.attrs["source"] = "given in the scenario (" + field + ")"
        return weather, pv.rename("pv_kw_per_kwp")
    if sol.soiling_monthly_fraction is not None:
        soiling = tuple(float(v) for v in sol.soiling_monthly_fraction)
    else:
        assert climate is not None
        soiling = climate.soiling_monthly_fraction
    system = _System(
        tracking=sol.tracking, tilt_deg=sol.tilt_deg, azimuth_deg=sol.azimuth_deg,
        gcr=sol.gcr, max_angle_deg=sol.max_angle_deg,
        backtrack=True if sol.backtrack is None else sol.backtrack,
        transposition=sol.transposition, temperature_model=sol.temperature_model,
        soiling=soiling, albedo_fraction=sol.albedo_fraction,
        losses_fraction=sol.losses_fraction, dc_ac_ratio=sol.dc_ac_ratio,
        inverter_efficiency=sol.inverter_efficiency,
        temp_coefficient_per_c=sol.temp_coefficient_per_c)
    if isinstance(sol.weather, str):
        assert climate is not None
        pv = _pv_cached(_IndexKey.of(index), site.latitude, site.longitude, site.elevation_m,
                        climate, seed, system).copy().set_axis(index)
    else:
        pv = _pv_on(weather, site.latitude, site.longitude, site.elevation_m, system)
    soiling_source = ("given in the scenario" if climate is None or
                      sol.soiling_monthly_fraction is not None
                      else f"of zone '{climate.zone}' (data/soiling.csv, grade E: estimate)")
    pv.attrs["source"] = (f"{sol.tracking} PV, {sol.transposition} transposition, "
                          f"{sol.temperature_model} cell temperature, soiling {soiling_source}; "
                          f"on the {weather.attrs['source']}")
    return weather, pv.rename("pv_kw_per_kwp")


def _embedded_for(scenario: Scenario, index: pd.DatetimeIndex, climate: SiteClimate,
                  seed: int) -> pd.DataFrame:
    """Return the site's embedded weather year on ``index``; errors name the site field."""
    site = scenario.site_spec()
    try:
        weather = embedded_weather(
            site.latitude, site.longitude, site.elevation_m, index,
            monthly_ghi_kwh_m2_day=climate.monthly_ghi_kwh_m2_day,
            monthly_temp_air_c=climate.monthly_temp_air_c, temp_swing_c=climate.temp_swing_c,
            seed=seed)
    except ScenarioError:
        raise
    except ValueError as exc:  # e.g. a monthly GHI above the site's clear-sky ceiling
        field = "site"
        for name in ("monthly_ghi_kwh_m2_day", "monthly_kt", "ghi_kwh_m2_day"):
            if not isinstance(scenario.site, str) and getattr(site, name) is not None:
                field = f"site.{name}"
                break
        value = getattr(site, field[5:]) if field != "site" else scenario.site
        raise ScenarioError.single(field, value, str(exc)) from exc
    weather.attrs["source"] = (f"embedded stochastic weather year (seed {seed}) for "
                               f"{site.name}: {climate.source}")
    return weather
