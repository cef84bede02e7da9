"""The embedded stochastic weather year, synthesised offline from monthly means.

The time conventions of :mod:`energyopt.resource` apply.

Embedded weather year
---------------------
For sites without a weather file, :func:`embedded_weather` synthesises a year from monthly
means, offline, with these published methods:

1. **Monthly targets.** Mean daily GHI per month [kWh/m2/day]. For bundled sites: the
   published normals of ``data/climate_normals.csv`` where found, month by month; elsewhere
   the annual GHI estimate of ``data/sites.csv`` shaped by the monthly clearness of the site's
   climate zone (``data/climate_zones.csv``): ``target_m ~ kt_m * H0_m``, scaled so that the
   day-weighted annual mean equals the estimate (:func:`monthly_ghi_from_kt`), grade E (see
   :mod:`energyopt.resource.climate`).
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
   and a diurnal curve peaking at 15:00 local clock time with the month's half swing (half
   the mean daily range), scaled by ``K_d`` over the month's mean (within 0.5-1.3, then
   renormalised to a monthly mean of 1), so cloudy days swing less while the month keeps its
   mean daily range. The curve is ``2 ((1 + cos w) / 2)^p - 1`` with ``w`` the clock angle
   from 15:00: a cosine for ``p = 1``; otherwise ``p`` is solved per month so that the curve's
   daily mean sits ``temp_skew_c`` (published mean minus the mid-range ``(min + max) / 2``)
   from its mid-range. The curve is shifted to keep the monthly mean, so the monthly means of
   the daily minimum and maximum are the published ones when the half swing is
   ``(max - min) / 2`` (to the hourly sampling). Wind is constant at
   ``EMBEDDED_WIND_SPEED_M_S``. Step 7's coefficients are engineering estimates (grade E).

The random draws come from ``numpy.random.default_rng([seed, year])``: the same site, settings
and seed always give the same year (``DEFAULT_WEATHER_SEED`` unless ``solar.seed`` is set), and
consecutive calendar years differ. Results are cached per site and settings within a run.

Inter-annual variability (weather years)
----------------------------------------
Without ``variability`` every seed meets the same monthly targets: a seed only reshuffles days,
the typical (climatological) year. With a :class:`WeatherVariability` (what
:func:`energyopt.resource.solar_inputs` passes when ``solar.seed`` is set, from the site's
climate zone in ``data/weather_variability.csv``) each calendar year first draws anomalies,
from ``numpy.random.default_rng([seed, year, 1])``, then is synthesised as above on the
perturbed targets:

8. **GHI anomalies.** Each month's target is multiplied by ``A * M_m * W_m * D_m``: an annual
   factor ``A = 1 + s_a z`` shared by all months, a monthly factor ``M_m = 1 + monthly_ghi_sd
   z_m``, a wet-season factor ``W = 1 + monsoon_ghi_sd z_w`` shared by the monsoon months (a
   weak monsoon is a sunny wet season), and the dust factor ``D_m`` below (``z`` standard
   normal, each factor kept within 0.7-1.3). ``s_a`` is solved so that the coefficient of
   variation of the annual GHI (to first order) equals the zone's ``annual_ghi_cv``, the
   published figure (inter-annual COV of a few percent: Gueymard & Wilcox 2011, Solar Energy
   85:1068; Ineichen 2011, University of Geneva). A target is never raised above 97% of its
   clear-sky ceiling.
9. **Dust episodes** (zones with a dust season, the Sahel's and savanna's Harmattan): the
   year's activity ``Gamma(k, 1/k)`` times ``dust_episodes_per_year`` gives the Poisson mean of
   the episode count; each episode starts on a random day of the dust season, lasts
   ``1 + Poisson(dust_episode_days - 1)`` days and removes a share of each of its days' GHI
   drawn uniformly within +-50% of ``dust_episode_ghi_loss``. The daily clearness of those days
   is cut by that share before the monthly calibration, so an episode is a run of dim, hazy
   (diffuse) days, not a dimmer month. ``D_m = (1 - L_m) / (1 - E[L])`` with ``L_m`` the
   month's lost share and ``E[L]`` its expectation: the site's calibrated GHI already holds an
   average dust load, so a clean year is brighter than the typical year and a dusty one dimmer.
10. **Temperature anomalies.** Each month's mean temperature moves by
    ``temp_c_per_ghi_fraction * (A M_m W D_m - 1)`` (a cloudier or dustier month is cooler)
    plus an independent ``N(0, monthly_temp_sd_c)``; the daily anomalies of step 7 follow the
    perturbed daily clearness.

The annual GHI of the seeded years then scatters around the site's calibrated GHI with the
zone's ``annual_ghi_cv``; ``tests/test_weather_years.py`` checks this over 30 seeds.
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

__all__ = ["DEFAULT_WEATHER_SEED", "WeatherVariability", "embedded_weather",
           "expected_annual_ghi_cv"]

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
#: Each multiplicative GHI anomaly factor is kept within these bounds [-].
_FACTOR_RANGE = (0.7, 1.3)
#: A perturbed monthly target stays at or below this share of its clear-sky ceiling [-].
_CEILING_SHARE = 0.97
#: A month's anomaly is damped when its headroom below the ceiling is less than this many of
#: its standard deviations (see ``_damping``) [-].
HEADROOM_SDS = 2.5
#: Largest standard deviation of the shared annual GHI factor [-].
MAX_ANNUAL_SD = 0.10
#: Third element of the anomaly generator's seed (the day and hour draws use ``[seed, year]``).
_ANOMALY_STREAM = 1


@dataclasses.dataclass(frozen=True)
class WeatherVariability:
    """Inter-annual variability of a climate zone (``data/weather_variability.csv``).

    Attributes
    ----------
    zone : str
        Climate zone key.
    annual_ghi_cv : float
        Inter-annual coefficient of variation of the annual GHI, all anomalies together [-].
    monthly_ghi_sd : float
        Standard deviation of each month's independent GHI anomaly [-].
    monsoon_months : tuple of int
        Months of the wet season (1-12), empty without a monsoon.
    monsoon_ghi_sd : float
        Standard deviation of the wet-season GHI anomaly shared by its months [-].
    dust_months : tuple of int
        Months of the dust season, empty without one.
    dust_episodes_per_year : float
        Mean number of dust episodes per year [1/yr].
    dust_episode_days : float
        Mean length of an episode [d].
    dust_episode_ghi_loss : float
        Mean share of a dust day's GHI lost [-].
    dust_year_shape : float
        Gamma shape of the year's dust activity [-].
    temp_c_per_ghi_fraction : float
        Monthly temperature anomaly per unit fractional GHI anomaly [C].
    monthly_temp_sd_c : float
        Standard deviation of the independent monthly temperature anomaly [C].
    """

    zone: str
    annual_ghi_cv: float
    monthly_ghi_sd: float
    monsoon_months: tuple[int, ...]
    monsoon_ghi_sd: float
    dust_months: tuple[int, ...]
    dust_episodes_per_year: float
    dust_episode_days: float
    dust_episode_ghi_loss: float
    dust_year_shape: float
    temp_c_per_ghi_fraction: float
    monthly_temp_sd_c: float

    @classmethod
    def of_zone(cls, zone: str) -> WeatherVariability:
        """Read a climate zone's variability from ``data/weather_variability.csv``.

        Raises
        ------
        KeyError
            For a zone without a row there.
        """
        from energyopt import data

        v = data.weather_variability(zone)
        monsoon = (_season(v["monsoon_first_month"], v["monsoon_last_month"])
                   if v["monsoon_ghi_sd"] > 0.0 else ())
        dust = (_season(v["dust_first_month"], v["dust_last_month"])
                if v["dust_episodes_per_year"] > 0.0 else ())
        return cls(zone=zone, annual_ghi_cv=v["annual_ghi_cv"],
                   monthly_ghi_sd=v["monthly_ghi_sd"], monsoon_months=monsoon,
                   monsoon_ghi_sd=v["monsoon_ghi_sd"] if monsoon else 0.0, dust_months=dust,
                   dust_episodes_per_year=v["dust_episodes_per_year"] if dust else 0.0,
                   dust_episode_days=v.get("dust_episode_days", 1.0),
                   dust_episode_ghi_loss=v.get("dust_episode_ghi_loss", 0.0),
                   dust_year_shape=v.get("dust_year_shape", 1.0),
                   temp_c_per_ghi_fraction=v["temp_c_per_ghi_fraction"],
                   monthly_temp_sd_c=v["monthly_temp_sd_c"])


def _season(first: float, last: float) -> tuple[int, ...]:
    """Months from ``first`` to ``last`` inclusive, wrapping over the new year (12 -> 1)."""
    a, b = int(first), int(last)
    return tuple(range(a, b + 1)) if a <= b else (*range(a, 13), *range(1, b + 1))


def _damping(v: WeatherVariability, headroom: FloatArray | None) -> FloatArray:
    """Share of each month's GHI anomaly kept, given its headroom below the ceiling [-].

    A month whose target lies within ``HEADROOM_SDS`` of its anomaly's standard deviation below
    ``_CEILING_SHARE`` of the clear-sky ceiling (an almost cloudless month) has its anomaly
    scaled down in both directions, so that the ceiling seldom clips it (clipping only the
    bright side would bias the mean downward).
    """
    if headroom is None:
        return np.ones(12)
    wet = np.isin(np.arange(1, 13), v.monsoon_months)
    sd = np.sqrt(v.annual_ghi_cv ** 2 + v.monthly_ghi_sd ** 2
                 + np.where(wet, v.monsoon_ghi_sd, 0.0) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = np.where(sd > 0.0, np.asarray(headroom) / (HEADROOM_SDS * sd), 1.0)
    return np.clip(keep, 0.0, 1.0)


def _anomaly_terms(v: WeatherVariability, monthly_ghi: FloatArray, days_in_month: FloatArray,
                   headroom: FloatArray | None = None) -> tuple[float, float, float]:
    """Return ``(annual_sd, dust_expected_loss, cv_without_annual)`` of a zone at a site.

    ``monthly_ghi`` are the month totals (any unit), ``days_in_month`` their lengths [d],
    ``headroom`` each month's room below the ceiling as a share of its target (see
    :func:`_damping`). The variance of the annual GHI fraction is, to first order,
    ``s_a^2 (sum h_m w_m)^2 + monthly_ghi_sd^2 sum (h_m w_m)^2
    + monsoon_ghi_sd^2 (sum_monsoon h_m w_m)^2 + var(dust)``, with ``w_m`` each month's share
    and ``h_m`` its damping; ``s_a`` is solved for the zone's ``annual_ghi_cv`` (at most
    ``MAX_ANNUAL_SD``).
    """
    total = float(monthly_ghi.sum())
    w = monthly_ghi / total if total > 0.0 else np.full(12, 1.0 / 12.0)
    hw = w * _damping(v, headroom)
    var = v.monthly_ghi_sd ** 2 * float((hw ** 2).sum())
    if v.monsoon_months:
        var += (v.monsoon_ghi_sd * float(hw[[m - 1 for m in v.monsoon_months]].sum())) ** 2
    expected_loss = 0.0
    if v.dust_months:
        months = [m - 1 for m in v.dust_months]
        season_days = float(days_in_month[months].sum())
        length = v.dust_episode_days
        depth = v.dust_episode_ghi_loss
        expected_loss = min(v.dust_episodes_per_year * length * depth / season_days, 0.9)
        day_share = float(w[months].sum()) / season_days   # one season day's share of the year
        # per episode x = depth * days * day_share / (1 - E[L]); depth ~ U(0.5, 1.5) * mean,
        # days ~ 1 + Poisson(length - 1); count ~ Poisson(lambda * Gamma(k, 1/k))
        ex = depth * length * day_share / (1.0 - expected_loss)
        ex2 = ((depth * day_share / (1.0 - expected_loss)) ** 2 * (13.0 / 12.0)
               * (length - 1.0 + length ** 2))
        lam = v.dust_episodes_per_year
        var += lam * ex2 + lam ** 2 * ex ** 2 / v.dust_year_shape
    shared = float(hw.sum())
    annual_sd = (min(math.sqrt(max(v.annual_ghi_cv ** 2 - var, 0.0)) / shared, MAX_ANNUAL_SD)
                 if shared > 0.0 else 0.0)
    return annual_sd, expected_loss, math.sqrt(var)


def expected_annual_ghi_cv(variability: WeatherVariability,
                           monthly_ghi_kwh_m2_day: Sequence[float],
                           headroom: Sequence[float] | None = None) -> float:
    """Coefficient of variation of the annual GHI that the seeded years are built to have [-].

    It is the zone's ``annual_ghi_cv``, unless the monthly, monsoon and dust terms alone
    already exceed it at this site (then their combined, larger, value) or nearly cloudless
    months leave too little room (then less).

    Parameters
    ----------
    variability : WeatherVariability
        The zone's variability.
    monthly_ghi_kwh_m2_day : sequence of float
        The site's mean daily GHI per month, January first [kWh/m2/day].
    headroom : sequence of float, optional
        Each month's room below 97% of its clear-sky ceiling, as a share of its GHI [-];
        default: unlimited.

    Returns
    -------
    float
        The expected inter-annual coefficient of variation of annual GHI [-] (first order).
    """
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
    monthly = np.asarray(list(monthly_ghi_kwh_m2_day), dtype=float) * days
    room = None if headroom is None else np.asarray(list(headroom), dtype=float)
    annual_sd, _, rest = _anomaly_terms(variability, monthly, days, room)
    shared = float((monthly / monthly.sum() * _damping(variability, room)).sum())
    return math.sqrt((annual_sd * shared) ** 2 + rest ** 2)


@dataclasses.dataclass(frozen=True)
class _Anomaly:
    """One year's drawn anomalies."""

    month_factor: FloatArray   # 12 GHI factors, dust included [-]
    day_factor: FloatArray     # per local day: 1 - dust share lost [-]
    temp_c: FloatArray         # 12 monthly temperature anomalies [C]
    text: str                  # a summary for reports


def _draw_anomaly(v: WeatherVariability, rng: np.random.Generator, target_month: FloatArray,
                  days_in_month: IntArray, day_month: IntArray, headroom: FloatArray
                  ) -> _Anomaly:
    """Draw one calendar year's GHI, dust and temperature anomalies (module steps 8-10)."""
    days = days_in_month.astype(float)
    annual_sd, expected_loss, _ = _anomaly_terms(v, target_month, days, headroom)
    keep = _damping(v, headroom)
    low, high = _FACTOR_RANGE
    z = rng.standard_normal(15)  # annual, 12 months, monsoon, dust activity (fixed order)
    annual = float(np.clip(1.0 + annual_sd * z[0], low, high))
    monthly = np.clip(1.0 + v.monthly_ghi_sd * z[1:13], low, high)
    monsoon = float(np.clip(1.0 + v.monsoon_ghi_sd * z[13], low, high))
    wet = np.zeros(12, dtype=bool)
    wet[[m - 1 for m in v.monsoon_months]] = True
    n_days = len(day_month)
    day_factor = np.ones(n_days)
    episodes = 0
    dust_days = 0
    if v.dust_months:
        activity = float(rng.gamma(v.dust_year_shape, 1.0 / v.dust_year_shape))
        episodes = int(rng.poisson(v.dust_episodes_per_year * activity))
        season = np.flatnonzero(np.isin(day_month + 1, v.dust_months))
        for _ in range(episodes):
            start = int(season[rng.integers(len(season))])
            length = 1 + int(rng.poisson(max(v.dust_episode_days - 1.0, 0.0)))
            depth = v.dust_episode_ghi_loss * float(rng.uniform(0.5, 1.5))
            span = np.arange(start, min(start + length, n_days))
            span = span[np.isin(day_month[span] + 1, v.dust_months)]
            day_factor[span] *= 1.0 - depth
        dust_days = int((day_factor < 1.0).sum())
    lost = 1.0 - np.bincount(day_month, day_factor, 12) / np.maximum(days, 1.0)
    dust = np.ones(12)
    dusty = np.isin(np.arange(1, 13), v.dust_months)
    dust[dusty] = (1.0 - lost[dusty]) / (1.0 - expected_loss)
    factor = (1.0 + keep * (annual * monthly * np.where(wet, monsoon, 1.0) - 1.0)) * dust
    temp_c = (v.temp_c_per_ghi_fraction * (factor - 1.0)
              + v.monthly_temp_sd_c * rng.standard_normal(12))
    parts = [f"annual GHI {100.0 * (annual - 1.0):+.1f}%"]
    if v.monsoon_months:
        parts.append(f"wet season {100.0 * (monsoon - 1.0):+.1f}%")
    if v.dust_months:
        parts.append(f"{episodes} dust episode(s) over {dust_days} day(s)")
    return _Anomaly(month_factor=_frozen(factor), day_factor=_frozen(day_factor),
                    temp_c=_frozen(temp_c), text=", ".join(parts))


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
    day_shape_p: FloatArray    # exponent of the diurnal curve, per local day of year [-]
    day_shape_mean: FloatArray  # daily mean of the diurnal curve, per local day of year [-]
    month_anchor_doy: FloatArray  # 14 anchors (Dec of the year before .. Jan after) [d]
    month_anchor_c: FloatArray    # temperature at each anchor [C]
    month_correction_c: FloatArray  # 12 additive corrections [C]
    anomaly: str = ""               # the drawn inter-annual anomalies, for reports


def _temperature_base(year: _Year, doy: FloatArray, month: IntArray) -> FloatArray:
    return (np.interp(doy, year.month_anchor_doy, year.month_anchor_c)
            + year.month_correction_c[month - 1])


#: Range of the diurnal curve's exponent ``p`` (module step 7) [-].
_DIURNAL_P_RANGE = (0.2, 5.0)


def _diurnal_mean(p: FloatArray) -> FloatArray:
    """Daily mean of ``2 ((1 + cos w) / 2)^p - 1`` over a full day [-].

    The mean of ``cos^(2p)(w / 2)`` is ``Gamma(p + 1/2) / (sqrt(pi) Gamma(p + 1))``.
    """
    p = np.asarray(p, dtype=float)
    g = np.exp(special.gammaln(p + 0.5) - special.gammaln(p + 1.0)) / math.sqrt(math.pi)
    return np.asarray(2.0 * g - 1.0, dtype=float)


def _diurnal_exponent(mean_fraction: float) -> float:
    """Exponent ``p`` whose diurnal curve has the daily mean ``mean_fraction`` [-].

    ``mean_fraction`` is the published monthly mean minus the mid-range, over the half swing;
    it is clipped to what :data:`_DIURNAL_P_RANGE` allows (0 gives the cosine, ``p = 1``).
    """
    low, high = _DIURNAL_P_RANGE
    target = float(np.clip(mean_fraction, _diurnal_mean(np.array(high)),
                           _diurnal_mean(np.array(low))))
    if abs(target) < 1e-12:
        return 1.0
    for _ in range(60):  # bisection on log p: the mean falls as p rises
        mid = math.sqrt(low * high)
        if float(_diurnal_mean(np.array(mid))) > target:
            low = mid
        else:
            high = mid
    return math.sqrt(low * high)


def _diurnal_curve(clock_h: FloatArray, p: FloatArray, mean: FloatArray) -> FloatArray:
    """Return the diurnal temperature curve of step 7: zero daily mean, peak at 15:00 [-]."""
    half = 0.5 * (1.0 + np.cos(2.0 * np.pi * (clock_h - 15.0) / 24.0))
    return np.asarray(2.0 * np.power(np.clip(half, 0.0, 1.0), p) - 1.0 - mean, dtype=float)


@functools.lru_cache(maxsize=64)
def _synthesise_year(latitude: float, longitude: float, elevation_m: float, tz: str, year: int,
                     monthly_ghi: tuple[float, ...], monthly_temp: tuple[float, ...],
                     temp_swing_c: tuple[float, ...], seed: int,
                     variability: WeatherVariability | None = None,
                     temp_skew_c: tuple[float, ...] = (0.0,) * 12) -> _Year:
    """Synthesise one calendar year of hourly clearness and temperature anomalies.

    With ``variability`` the year's inter-annual anomalies are drawn first and perturb the
    monthly targets, the dust days and the monthly temperatures (module steps 8-10).
    """
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
    drawn: _Anomaly | None = None
    if variability is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            headroom = np.where(target_month > 0.0, np.clip(
                _CEILING_SHARE * ceiling_month / target_month - 1.0, 0.0, None), 0.0)
        drawn = _draw_anomaly(variability, np.random.default_rng([seed, year, _ANOMALY_STREAM]),
                              target_month, days_in_month, day_month, headroom)
        target_month = np.minimum(target_month * drawn.month_factor,
                                  np.maximum(target_month, _CEILING_SHARE * ceiling_month))
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
    if drawn is not None:
        kt_day = kt_day * drawn.day_factor  # dust episodes: dim days, not a dim month
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
    ratio = np.clip(ratio, 0.5, 1.3)
    ratio = ratio / (np.bincount(day_month, ratio, 12) / days_in_month)[day_month]
    half = np.asarray(temp_swing_c, dtype=float)
    swing = half[day_month] * ratio
    shape_p = np.array([_diurnal_exponent(s / h if h > 0.0 else 0.0)
                        for s, h in zip(temp_skew_c, half.tolist(), strict=True)])
    month_start = np.concatenate([[0], np.cumsum(days_in_month)])
    mid = (month_start[:-1] + month_start[1:]) / 2.0
    temps = np.asarray(monthly_temp, dtype=float)
    if drawn is not None:
        temps = temps + drawn.temp_c
    anchors = np.concatenate([[mid[-1] - n_days], mid, [mid[0] + n_days]])
    anchor_c = np.concatenate([[temps[-1]], temps, [temps[0]]])
    mid_doy = doy_frac + 0.5 / 24.0
    base = np.interp(mid_doy, anchors, anchor_c)
    correction = temps - np.bincount(month - 1, base, 12) / np.bincount(month - 1, None, 12)
    return _Year(year=year, hour_start_ns=_frozen(start), kt=_frozen(kt_hour),
                 day_anomaly_c=_frozen(anomaly), day_swing_c=_frozen(swing),
                 day_shape_p=_frozen(shape_p[day_month]),
                 day_shape_mean=_frozen(_diurnal_mean(shape_p)[day_month]),
                 month_anchor_doy=_frozen(anchors), month_anchor_c=_frozen(anchor_c),
                 month_correction_c=_frozen(correction),
                 anomaly="" if drawn is None else drawn.text)


# --------------------------------------------------------------------------------------------
# Embedded weather on any index
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=32)
def _embedded_weather(key: _IndexKey, latitude: float, longitude: float, elevation_m: float,
                      monthly_ghi: tuple[float, ...], monthly_temp: tuple[float, ...],
                      temp_swing_c: tuple[float, ...], seed: int,
                      variability: WeatherVariability | None = None,
                      temp_skew_c: tuple[float, ...] = (0.0,) * 12) -> pd.DataFrame:
    starts = key.starts_ns()
    end = int(starts[-1]) + key.step_ns
    first_year = int(_local_parts(starts[:1], key.tz)[0][0])
    last_year = int(_local_parts(np.array([end - 1], dtype=np.int64), key.tz)[0][0])
    years = {y: _synthesise_year(latitude, longitude, elevation_m, key.tz, y, monthly_ghi,
                                 monthly_temp, temp_swing_c, seed, variability, temp_skew_c)
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
                    + synthesised.day_swing_c[d] * _diurnal_curve(
                        seg_clock[at], synthesised.day_shape_p[d],
                        synthesised.day_shape_mean[d]))
    temp_air = np.bincount(seg_step, temp * duration, key.periods) / np.bincount(
        seg_step, duration, key.periods)
    position = _solar_position(key, latitude, longitude, elevation_m)
    parts = pvlib.irradiance.erbs(ghi, position["zenith"].to_numpy(), _day_of_year_mid(key))
    frame = pd.DataFrame({
        "ghi": ghi,
        "dni": np.nan_to_num(np.asarray(parts["dni"], dtype=float)),
        "dhi": np.nan_to_num(np.asarray(parts["dhi"], dtype=float)),
        "temp_air": temp_air,
        "wind_speed": np.full(key.periods, EMBEDDED_WIND_SPEED_M_S),
    }, index=key.index())
    frame.attrs["anomaly"] = "; ".join(f"{y}: {years[y].anomaly}" for y in sorted(years)
                                       if years[y].anomaly)
    return frame


def embedded_weather(latitude: float, longitude: float, elevation_m: float,
                     index: pd.DatetimeIndex, *, monthly_ghi_kwh_m2_day: Sequence[float],
                     monthly_temp_air_c: Sequence[float],
                     temp_swing_c: float | Sequence[float] = 6.0,
                     seed: int | None = None,
                     variability: WeatherVariability | None = None,
                     temp_skew_c: Sequence[float] | None = None) -> pd.DataFrame:
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
    temp_swing_c : float or sequence of float
        Mean half amplitude of the diurnal temperature cycle [C], within [0, 30]: one value
        for the year or 12, January first (half the mean daily range, ``(max - min) / 2`` of
        published normals); maximum at 15:00 and minimum at 03:00 local clock time.
    seed : int, optional
        Seed of the random draws (>= 0); ``DEFAULT_WEATHER_SEED`` if omitted.
    variability : WeatherVariability, optional
        Inter-annual variability to draw (module steps 8-10): each calendar year's monthly
        targets and temperatures are then perturbed by the year's anomalies (annual, monthly,
        monsoon, dust) instead of being met exactly. None (default): the typical year.
    temp_skew_c : sequence of float, optional
        Each month's mean temperature minus its mid-range ``(min + max) / 2`` [C], January
        first, within [-30, 30]: the diurnal curve is skewed (module step 7) so that the
        monthly means of the daily minimum and maximum are the published ones. None (default):
        zero, a cosine symmetric about the mean.

    Returns
    -------
    pd.DataFrame
        Columns ``ghi``, ``dni``, ``dhi`` [W/m2], ``temp_air`` [C] and ``wind_speed`` [m/s]
        on ``index`` (interval means, no NaN). ``attrs['source']`` describes the data;
        ``attrs['anomaly']`` the drawn anomalies of each calendar year ('' without
        ``variability``).

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
    if isinstance(temp_swing_c, int | float | np.floating | np.integer):
        _check_range("temp_swing_c", float(temp_swing_c), 0.0, 30.0)
        swings = np.full(12, float(temp_swing_c))
    else:
        swings = _monthly("temp_swing_c", temp_swing_c, 0.0, 30.0)
    skews = (np.zeros(12) if temp_skew_c is None
             else _monthly("temp_skew_c", temp_skew_c, -30.0, 30.0))
    seed = DEFAULT_WEATHER_SEED if seed is None else seed
    if not (isinstance(seed, int | np.integer) and 0 <= seed < 2**63):
        raise ValueError(f"seed={seed!r} must be a non-negative integer")
    weather = _embedded_weather(key, float(latitude), float(longitude), float(elevation_m),
                                tuple(ghi.tolist()), tuple(temps.tolist()),
                                tuple(swings.tolist()), int(seed), variability,
                                tuple(skews.tolist()))
    out = weather.copy().set_axis(index)
    out.attrs["source"] = f"embedded stochastic weather year (seed {int(seed)})"
    if variability is not None:
        out.attrs["source"] = (f"embedded stochastic weather year (seed {int(seed)}) with the "
                               f"inter-annual variability of zone '{variability.zone}' "
                               f"({out.attrs['anomaly']})")
    return out
