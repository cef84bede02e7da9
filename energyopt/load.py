"""Camp load profiles: archetypes, measured data and fuel logs.

Every route ends in a :class:`LoadProfile`: the mean load over each modelled step [kW], the
part of it that must never be shed [kW], notes for the report (repairs, flags, assumptions)
and, where the route is uncertain, a range of the annual energy.

Archetypes
----------
A camp of ``P`` people using ``e`` kWh per person per day at the site's *normal* climate, of
which a share ``c`` is cooling. At step ``t`` of local day ``d``::

    personnel_kw[t] = P[d] e / 24 * ((1 - c) w[t] a[t] + c cdh[t] / cdh_ref)
    component_kw[t] = kWh_per_day / 24 * s[t]             (one term per component)
    load_kw[t]      = (personnel_kw[t] + sum component_kw[t]) * n_day[d] * n_step[t]
    critical_kw[t]  = (f personnel_kw[t] + sum share * component_kw[t]) * n_day[d] * n_step[t]

* ``a`` is the activity (non-cooling) shape: ``night + (peak - night) * window(h)`` with a
  working-day window (up 06-08 h, full 08-18 h, evening 0.9 until 21 h, down by 23 h),
  rescaled to a mean of one over each day's steps (:func:`daily_shape`).
* ``w`` is the weekly factor: ``rest_day_factor`` on rest days (default Friday and Sunday),
  ``(7 - k r) / (7 - k)`` on the other days, so the week's energy is unchanged.
* ``cdh[t] = max(T_felt[t] - T_base, 0)`` is the cooling degree hours of the step per hour [K]
  from the weather's ``temp_air`` [C] (or, without weather, from the site's monthly climate
  with a cosine day peaking at 15:00 and the zone's diurnal swing, as the embedded weather
  does). ``T_felt = day mean + cooling_damping (T - day mean)``: tents, containers and their
  contents damp the diurnal swing that the cooling follows (``cooling_damping`` 0.5, E, chosen
  so that a hot-season day at Gao has DOMAIN.md's cooling-driven shape: peak ~1.3-1.5x and
  night ~0.6-0.8x the day's mean; cool-season nights fall lower, as the cooling stops).
* **Calibration**: ``cdh_ref`` is the mean of ``max(T_felt - T_base, 0)`` over a normal year
  of the site's climate zone (monthly means of data/climate_zones.csv, the zone's diurnal
  swing damped as above, the same 15:00 cosine). So at the site's normal climate the annual
  mean daily energy is exactly ``P e`` (plus components) and the cooling part is the share
  ``c`` of it; a hotter day or a hotter weather year raises the cooling part in proportion to
  its cooling degree hours, and the cooling follows the hour's temperature within the day.
  At Gao (Sahel) this makes January days ~0.6x and May days ~1.3x the annual mean.
* Components (data/load_components.csv) are temperature-independent: their daily energy is
  their ``kWh_per_day`` (office-shaped ones move energy from rest days to work days, keeping
  the week), their shape ``s`` is a 24-hour table (:data:`COMPONENT_SHAPES`) rescaled to a mean
  of one over each day.
* Noise: ``n_day`` ~ N(1, noise_day_fraction) per local day and ``n_step`` ~ N(1,
  noise_hour_fraction) per step, both clipped at 3 standard deviations; ``n_step`` is
  renormalised within each day so that it moves energy inside the day only. Every day's energy
  is therefore its noise-free energy times a factor in ``1 +- 3 noise_day_fraction``.
  Draws come from ``numpy.random.default_rng(seed)``, ``seed`` defaulting to
  :data:`DEFAULT_SEED`: the same scenario always gives the same profile.

Measured data (``load: {csv, column, unit, timezone}``)
-------------------------------------------------------
1. Timestamps mark the *start* of each interval. With UTC offsets in the file they are used
   as given (``timezone`` is then ignored, with a note); without, ``timezone`` names the
   logger's clock, and a file with neither is an error that says so. Local times repeated at
   the end of daylight saving are resolved in file order (first = summer time) with a
   warning; local times that do not exist (skipped at the start of daylight saving) are an
   error.
2. Unsorted rows are sorted (warning). Rows repeating a timestamp with the same value are
   dropped (warning); with different values they are an error.
3. The interval is the most common spacing, 5 minutes to 1 day; timestamps off that grid are
   an error. ``unit: kWh`` values are divided by the interval [h] to give kW. Negative values
   are an error (blank the cell to have it filled as a gap).
4. Gaps (blank cells or missing rows): runs up to :data:`SHORT_GAP_H` hours are interpolated
   linearly; longer runs take, at each missing step, the mean of the same clock time on the
   (up to) four nearest days with data within :data:`LONG_GAP_SEARCH_DAYS` days. Either repair
   warns with the amount filled. Steps still missing (a gap of weeks) leave their days out of
   use; more than :data:`MAX_FILLED_FRACTION` of the record filled is an error.
5. Outliers are flagged in the notes, never dropped: values above ``median + 8 x 1.4826 MAD``
   of the record and runs of zeros of :data:`ZERO_RUN_H` hours or more (a logger outage or a
   genset swap recorded as no load).
6. Units are checked for plausibility (:func:`check_units`): against ``personnel`` when given
   (kWh per person per day within the band of data/load_archetypes.csv), else against the
   scenario's diesel fleet (median load within 0.5%-100% of the rated kW of all units at
   ``max_count``).
   When the interval factor explains the misfit (kWh per interval given as kW, or kW given as
   kWh), the error names the fix; other misfits warn.
7. Sub-daily data are converted to the model's step through the cumulative energy (exact for
   any mix of finer and coarser steps: energy is kept); daily data are spread over the day by
   the archetype's shape (``archetype``, default ``battalion_hq``), keeping each day's energy.
8. Typical year: when the record covers every modelled day, its own days are used. Otherwise
   each calendar month is taken from the year whose mean daily energy of that month is closest
   to the median over the years with at least 20 complete days of it (ties: the later year),
   and each modelled day takes that year's same date, moved by up to 3 days to the same
   weekday when possible so that the weekly pattern lines up. A modelled month with no
   complete source month is an error. Whole days are copied, so their energy is kept.

Fuel logs (``load: {fuel_log: ...}``)
-------------------------------------
For a set of rated power ``R`` running ``h`` hours at a mean loading ``l`` the fuel curve gives
``litres = h (F0 R + F1 l R)``, so the energy it delivered is
``E = litres * l / (F0 + F1 l)``. Running hours and loading are not in the log; the
assumption (camp practice: sets run around the clock) is that each logged set ran through the
whole period, at the loading ``l_cont`` its litres then imply; a set whose litres cannot keep
it running at ``fuel_log_loading_low`` (20%: "all but one set ran below 20% load", USMC 2013)
ran part time at that loading, and if the camp's sets together then leave hours uncovered the
loading is lowered until at least one set runs at every hour. A set whose litres exceed
full-load running through the period is an error (wrong rated kW or period). Running around
the clock is the least energy the litres allow, so it is also the low end of the reported
range; the high end takes ``fuel_log_loading_high`` (80%: sets sized so the peak is 80% of
rating) with the sets off once their fuel is spent (the camp partly supplied otherwise).
The mean implied loading is reported beside the observed median of ~32% (USMC 2013).
Daily energies are shaped by the archetype as for daily measured data; monthly energies
are spread over the month's days in proportion to the archetype's daily energies (so hotter
days take more). Missing days are filled from their neighbours (warning); the typical year is
built as for measured data.

Changes over time
-----------------
``personnel_schedule`` sets the head count from given dates; the modelled profile uses the
head count of each modelled day (on the csv, fuel-log and constant routes the load is scaled by
head count / ``personnel``, the head count during the record). :func:`annual_load_multipliers`
gives each horizon year's energy over the modelled period's, with ``growth_per_year``
compounding from the first year.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from energyopt import data
from energyopt.errors import ScenarioError
from energyopt.scenario import ComponentSpec, DieselUnit, LoadSpec, Scenario
from energyopt.series import conform

__all__ = [
    "COMPONENT_SHAPES",
    "DEFAULT_SEED",
    "ComponentLoad",
    "LoadDataWarning",
    "LoadProfile",
    "annual_load_multipliers",
    "archetype_load_kw",
    "archetype_summary",
    "check_units",
    "cooling_reference_k",
    "daily_shape",
    "fuel_log_daily_kwh",
    "load_inputs",
    "measured_load_kw",
    "read_fuel_log",
    "read_load_csv",
    "resample_energy",
    "synthetic_temperature_c",
]

#: Seed of the load noise when ``load.seed`` is not given.
DEFAULT_SEED = 20231206
#: Gaps up to this long are interpolated linearly [h].
SHORT_GAP_H = 2.0
#: Longer gaps are filled from the same clock time on days within this many days [d].
LONG_GAP_SEARCH_DAYS = 14
#: More than this share of a record filled is an error [-].
MAX_FILLED_FRACTION = 0.25
#: Runs of zeros at least this long are flagged [h].
ZERO_RUN_H = 3.0
#: A month needs this many complete days to stand for its calendar month in a typical year.
MIN_DAYS_PER_MONTH = 20
#: Archetype whose shape spreads daily and monthly energies when none is named.
DEFAULT_SHAPE_ARCHETYPE = "battalion_hq"
#: Diurnal half swing of the air temperature for sites without a climate zone [C] (E; the
#: embedded weather's default).
DEFAULT_TEMP_SWING_C = 6.0

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Hourly shapes of components (hour 0 = 00:00-01:00 local), rescaled to a mean of one over
#: each day. All E (engineering estimates).
COMPONENT_SHAPES: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 24,
    # daytime activity over a base: hospitals, water treatment
    "day": (0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.8, 1.0, 1.3, 1.4, 1.4, 1.4,
            1.4, 1.4, 1.4, 1.4, 1.3, 1.1, 1.0, 0.9, 0.8, 0.7, 0.6, 0.6),
    # working hours 07-17 with little else: workshops, offices
    "office": (0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3, 1.2, 2.0, 2.2, 2.2, 2.2,
               1.8, 2.2, 2.2, 2.2, 2.0, 1.2, 0.5, 0.2, 0.1, 0.1, 0.1, 0.1),
    # refrigeration base with meal peaks: kitchens
    "meals": (0.6, 0.6, 0.6, 0.6, 0.7, 1.2, 1.8, 1.6, 0.9, 0.8, 1.2, 1.8,
              1.8, 1.0, 0.8, 0.8, 1.1, 1.7, 1.8, 1.2, 0.8, 0.7, 0.6, 0.6),
}
#: Rest-day level of office-shaped components over the weekly mean [-] (E).
OFFICE_REST_DAY_FACTOR = 0.5


class LoadDataWarning(UserWarning):
    """A load input was repaired (gaps, duplicates, order, DST) or looks questionable."""


@dataclass(frozen=True)
class LoadProfile:
    """The load of one scenario on the model's steps.

    Attributes
    ----------
    load_kw : pd.Series
        Mean load over each step [kW], on the model's index.
    critical_load_kw : pd.Series
        Part of it never shed [kW]; ``0 <= critical_load_kw <= load_kw``.
    notes : tuple of str
        Assumptions, repairs and flags, for the report.
    annual_kwh_range : tuple of float or None
        Low and high annual energy [kWh/yr] where the route is uncertain (fuel logs).
    """

    load_kw: pd.Series
    critical_load_kw: pd.Series
    notes: tuple[str, ...] = ()
    annual_kwh_range: tuple[float, float] | None = None


@dataclass(frozen=True)
class ComponentLoad:
    """A resolved load component: its daily energy, shape and critical share."""

    name: str
    kwh_per_day: float
    shape: str
    critical_share: float


@dataclass
class _Notes:
    """Collects notes; ``warn`` also issues a :class:`LoadDataWarning`."""

    items: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.items.append(text)

    def warn(self, text: str) -> None:
        self.items.append(text)
        warnings.warn(text, LoadDataWarning, stacklevel=3)


# --------------------------------------------------------------------------------------------
# Clock helpers
# --------------------------------------------------------------------------------------------
def _step_h(index: pd.DatetimeIndex) -> float:
    return (index[1] - index[0]).total_seconds() / 3600.0 if len(index) > 1 else 1.0


def _clock(index: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (day number, hour at step middle, weekday 0=Mon, month) in local wall time."""
    wall = index.tz_localize(None) if index.tz is not None else index
    wall = pd.DatetimeIndex(wall).as_unit("ns")
    day = np.asarray(wall.asi8 // 86_400_000_000_000, dtype=np.int64)
    mid = wall + pd.Timedelta(hours=_step_h(index) / 2.0)
    hour = (np.asarray(mid.hour, dtype=float) + np.asarray(mid.minute, dtype=float) / 60.0
            + np.asarray(mid.second, dtype=float) / 3600.0)
    hour = np.where(mid.normalize() > wall.normalize(), hour + 24.0, hour)  # daily steps
    hour = np.mod(hour, 24.0) if _step_h(index) < 24.0 else np.full(len(index), 12.0)
    weekday = np.asarray(wall.weekday, dtype=np.int64)
    month = np.asarray(wall.month, dtype=np.int64)
    return day, hour, weekday, month


def _dti(index: pd.Index) -> pd.DatetimeIndex:
    """Return the index as a DatetimeIndex (for typing; no copy when it already is one)."""
    return index if isinstance(index, pd.DatetimeIndex) else pd.DatetimeIndex(index)


def _per_day_mean(values: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Mean of ``values`` over each step's day, broadcast back to the steps."""
    _, inverse = np.unique(day, return_inverse=True)
    sums = np.bincount(inverse, weights=values)
    counts = np.bincount(inverse)
    return (sums / counts)[inverse]


# --------------------------------------------------------------------------------------------
# Temperature and cooling
# --------------------------------------------------------------------------------------------
def synthetic_temperature_c(index: pd.DatetimeIndex, monthly_temp_air_c: Sequence[float],
                            swing_c: float) -> np.ndarray:
    """Air temperature of a normal year on ``index`` [C].

    The month's mean plus ``swing_c * cos(2 pi (h - 15) / 24)`` at the step's middle (the model
    of the embedded weather: warmest at 15:00, coolest at 03:00).
    """
    monthly = np.asarray(monthly_temp_air_c, dtype=float)
    mid = (index + pd.Timedelta(hours=_step_h(index) / 2.0))
    wall = mid.tz_localize(None) if mid.tz is not None else mid
    hour = (np.asarray(wall.hour, dtype=float) + np.asarray(wall.minute, dtype=float) / 60.0)
    return monthly[np.asarray(wall.month) - 1] + swing_c * np.cos(2 * np.pi * (hour - 15) / 24)


def cooling_reference_k(monthly_temp_air_c: Sequence[float], swing_c: float,
                        base_temp_c: float) -> float:
    """Mean hourly cooling degrees ``max(T - base, 0)`` over a normal year [K].

    Computed on a 15-minute normal year (non-leap) of :func:`synthetic_temperature_c`.
    """
    index = pd.date_range("2001-01-01", periods=365 * 96, freq="15min")
    temp = synthetic_temperature_c(index, monthly_temp_air_c, swing_c)
    return float(np.clip(temp - base_temp_c, 0.0, None).mean())


def _site_climate(scenario: Scenario) -> tuple[list[float] | None, float]:
    """Return the site's monthly mean temperatures [C] (or None) and diurnal half swing [C]."""
    site = scenario.site_spec()
    swing = DEFAULT_TEMP_SWING_C
    given = getattr(site, "temp_swing_c", None)
    if given is not None:
        swing = float(given)
    elif isinstance(scenario.site, str):
        try:
            zone = data.climate_zone(data.site(scenario.site).climate_zone)
            swing = float(zone["temp_swing_c"].mean())
        except KeyError:
            pass
    return site.monthly_temp_air_c, swing


# --------------------------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------------------------
_WINDOW_KNOTS_H = (0.0, 6.0, 8.0, 18.0, 19.0, 21.0, 23.0, 24.0)
_WINDOW_LEVELS = (0.0, 0.0, 1.0, 1.0, 0.9, 0.9, 0.0, 0.0)


def daily_shape(hour_of_day: np.ndarray, *, day_peak_factor: float,
                night_factor: float) -> np.ndarray:
    """Activity (non-cooling) shape of a camp day, relative to its mean before rescaling.

    ``night + (peak - night) * window(h)``, the window rising 06-08 h, full 08-18 h, 0.9 in
    the evening until 21 h and back to zero by 23 h (E).

    Parameters
    ----------
    hour_of_day : np.ndarray
        Local clock hour at the middle of each step [h, 0-24).
    day_peak_factor : float
        Level during working hours [-].
    night_factor : float
        Level at night [-].

    Returns
    -------
    np.ndarray
        Multipliers [-]; :func:`archetype_load_kw` rescales them to a mean of one per day.
    """
    window = np.interp(np.asarray(hour_of_day, dtype=float), _WINDOW_KNOTS_H, _WINDOW_LEVELS)
    return night_factor + (day_peak_factor - night_factor) * window


def _component_shape(shape: str, hour: np.ndarray) -> np.ndarray:
    table = np.asarray(COMPONENT_SHAPES[shape], dtype=float)
    return table[np.clip(np.floor(hour).astype(int), 0, 23)]


def _weekly_factor(weekday: np.ndarray, rest_days: Sequence[str], factor: float) -> np.ndarray:
    """Rest-day factor on rest days, the week-preserving complement on the others."""
    rest = np.isin(weekday, [_WEEKDAYS.index(d) for d in set(rest_days)])
    k = len(set(rest_days))
    if k in (0, 7):
        return np.ones(len(weekday))
    work = (7.0 - k * factor) / (7.0 - k)
    return np.where(rest, factor, work)


# --------------------------------------------------------------------------------------------
# Archetype
# --------------------------------------------------------------------------------------------
def archetype_load_kw(index: pd.DatetimeIndex, temp_air_c: np.ndarray | None, *,
                      personnel: float | np.ndarray, kwh_per_person_per_day: float,
                      cooling_share: float, cooling_base_temp_c: float,
                      cooling_ref_k: float, day_peak_factor: float, night_factor: float,
                      cooling_damping: float = 1.0,
                      rest_days: Sequence[str] = ("fri", "sun"), rest_day_factor: float = 1.0,
                      noise_day_fraction: float = 0.0, noise_hour_fraction: float = 0.0,
                      seed: int = DEFAULT_SEED, components: Sequence[ComponentLoad] = (),
                      critical_fraction: float = 0.0) -> tuple[pd.Series, pd.Series]:
    """Load and critical load of an archetype camp [kW] on ``index`` (see the module notes).

    Parameters
    ----------
    index : pd.DatetimeIndex
        Step starts, tz-aware local time, regular.
    temp_air_c : np.ndarray or None
        Air temperature at each step [C]; None (or ``cooling_share == 0``) = no cooling term.
    personnel : float or np.ndarray
        People in the camp, one number or one per step [-].
    kwh_per_person_per_day : float
        Electricity per person per day at the normal climate [kWh].
    cooling_share : float
        Share of the personnel load that is cooling at the normal climate [-].
    cooling_base_temp_c : float
        Base of the cooling degree hours [C].
    cooling_ref_k : float
        Mean hourly cooling degrees of the normal climate [K] (:func:`cooling_reference_k`,
        with the swing damped the same way).
    day_peak_factor, night_factor : float
        Activity shape [-], see :func:`daily_shape`.
    cooling_damping : float
        Share of the diurnal temperature swing that the cooling follows [-]: the cooling
        is driven by ``day mean + damping * (T - day mean)`` (1 = the air temperature).
    rest_days : sequence of str
        Weekdays (``"mon"`` ... ``"sun"``) with lower non-cooling load.
    rest_day_factor : float
        Non-cooling load on rest days over the weekly mean [-].
    noise_day_fraction, noise_hour_fraction : float
        Standard deviations of the day and step noise [-], clipped at 3 sigma.
    seed : int
        Seed of ``numpy.random.default_rng``.
    components : sequence of ComponentLoad
        Added loads, each with its daily energy, shape and critical share.
    critical_fraction : float
        Share of the personnel load never shed [-].

    Returns
    -------
    tuple of pd.Series
        ``(load_kw, critical_load_kw)``.
    """
    n = len(index)
    day, hour, weekday, _ = _clock(index)
    people = np.broadcast_to(np.asarray(personnel, dtype=float), (n,))
    activity = daily_shape(hour, day_peak_factor=day_peak_factor, night_factor=night_factor)
    activity = activity / _per_day_mean(activity, day)
    weekly = _weekly_factor(weekday, rest_days, rest_day_factor)
    if temp_air_c is None or cooling_share == 0.0 or cooling_ref_k <= 0.0:
        cooling_share, cooling = 0.0, np.zeros(n)
    else:
        temp = np.asarray(temp_air_c, dtype=float)
        day_mean = _per_day_mean(temp, day)
        felt = day_mean + cooling_damping * (temp - day_mean)
        cooling = np.clip(felt - cooling_base_temp_c, 0.0, None) / cooling_ref_k
    personnel_kw = people * kwh_per_person_per_day / 24.0 * (
        (1.0 - cooling_share) * weekly * activity + cooling_share * cooling)
    total = personnel_kw.copy()
    critical = critical_fraction * personnel_kw
    for comp in components:
        shape = _component_shape(comp.shape, hour)
        shape = shape / _per_day_mean(shape, day)
        if comp.shape == "office":
            shape = shape * _weekly_factor(weekday, rest_days, OFFICE_REST_DAY_FACTOR)
        kw = comp.kwh_per_day / 24.0 * shape
        total += kw
        critical += comp.critical_share * kw
    rng = np.random.default_rng(seed)
    days, inverse = np.unique(day, return_inverse=True)
    day_noise = np.clip(1.0 + noise_day_fraction * rng.standard_normal(len(days)),
                        1.0 - 3.0 * noise_day_fraction, 1.0 + 3.0 * noise_day_fraction)
    step_noise = np.clip(1.0 + noise_hour_fraction * rng.standard_normal(n),
                         1.0 - 3.0 * noise_hour_fraction, 1.0 + 3.0 * noise_hour_fraction)
    before = np.bincount(inverse, weights=total)
    after = np.bincount(inverse, weights=total * step_noise)
    ratio = np.divide(before, after, out=np.ones_like(before), where=after > 0)
    factor = day_noise[inverse] * step_noise * ratio[inverse]
    load = pd.Series(total * factor, index=index, name="load_kw")
    crit = pd.Series(np.minimum(critical * factor, load.to_numpy()), index=index,
                     name="critical_load_kw")
    return load, crit


@dataclass(frozen=True)
class _Archetype:
    """Archetype parameters resolved from the scenario and data/load_archetypes.csv."""

    name: str
    kwh_per_person_per_day: float
    cooling_share: float
    cooling_base_temp_c: float
    cooling_damping: float
    day_peak_factor: float
    night_factor: float
    rest_day_factor: float
    noise_day_fraction: float
    noise_hour_fraction: float
    table: dict[str, float]


def _resolve_archetype(ls: LoadSpec, name: str | None = None) -> _Archetype:
    key = name or ls.archetype or DEFAULT_SHAPE_ARCHETYPE
    table = data.load_archetype(key)

    def pick(value: float | None, param: str) -> float:
        return float(value) if value is not None else table[param]

    peak = pick(ls.day_peak_factor, "day_peak_factor")
    night = pick(ls.night_factor, "night_factor")
    if peak <= night:
        raise ScenarioError.single("load.day_peak_factor", peak,
                                   f"must exceed night_factor ({night})")
    return _Archetype(
        name=key,
        kwh_per_person_per_day=pick(ls.kwh_per_person_per_day, "kwh_per_person_per_day"),
        cooling_share=pick(ls.cooling_share, "cooling_share"),
        cooling_base_temp_c=pick(ls.cooling_base_temp_c, "cooling_base_temp_c"),
        cooling_damping=table["cooling_damping"], day_peak_factor=peak, night_factor=night,
        rest_day_factor=pick(ls.rest_day_factor, "rest_day_factor"),
        noise_day_fraction=pick(ls.noise_day_fraction, "noise_day_fraction"),
        noise_hour_fraction=pick(ls.noise_hour_fraction, "noise_hour_fraction"),
        table=table)


def _resolve_components(specs: Sequence[ComponentSpec]) -> list[ComponentLoad]:
    out: list[ComponentLoad] = []
    for spec in specs:
        rec = data.load_component(spec.type)
        per_unit = (spec.kw * 24.0 if spec.kw is not None else
                    spec.kwh_per_day if spec.kwh_per_day is not None else rec.kwh_per_day)
        out.append(ComponentLoad(
            name=spec.type, kwh_per_day=per_unit * spec.count, shape=spec.shape or rec.shape,
            critical_share=(spec.critical_share if spec.critical_share is not None
                            else rec.critical_share)))
    return out


def _temperature(scenario: Scenario, index: pd.DatetimeIndex, weather: pd.DataFrame | None,
                 notes: _Notes) -> tuple[np.ndarray | None, list[float] | None, float]:
    """Air temperature on ``index`` [C] (or None), the site's monthly normals and swing."""
    monthly, swing = _site_climate(scenario)
    if weather is not None and "temp_air" in weather.columns:
        temp = weather["temp_air"].reindex(index).to_numpy(dtype=float)
        if np.isfinite(temp).all():
            return temp, monthly, swing
        notes.add("weather temp_air has missing values on the modelled steps; the cooling load "
                  "uses the site's normal monthly climate instead")
    if monthly is None:
        notes.add("no air temperature known (no weather, no site.monthly_temp_air_c): the "
                  "cooling load is left out of the shape; daily energy is the nominal figure")
        return None, None, swing
    notes.add("cooling load driven by the site's normal monthly climate (data/climate_zones.csv"
              f", grade E; diurnal swing +-{swing:g} C): no weather temperature was given")
    return synthetic_temperature_c(index, monthly, swing), monthly, swing


def _archetype_profile(scenario: Scenario, index: pd.DatetimeIndex,
                       weather: pd.DataFrame | None, notes: _Notes, *, personnel: np.ndarray,
                       archetype: str | None = None, components: bool = True,
                       critical_fraction: float) -> tuple[pd.Series, pd.Series, _Archetype]:
    ls = scenario.load
    arch = _resolve_archetype(ls, archetype)
    temp, monthly, swing = _temperature(scenario, index, weather, notes)
    ref = 0.0
    cooling_share = arch.cooling_share
    if temp is not None and cooling_share > 0.0:
        if monthly is not None:
            ref = cooling_reference_k(monthly, arch.cooling_damping * swing,
                                      arch.cooling_base_temp_c)
            if float(np.mean(monthly)) < 24.0:
                notes.add(f"cooling_share {cooling_share:g} comes from hot deployments (USMC "
                          f"2013); this site's mean air temperature is {np.mean(monthly):.1f} "
                          "C: consider a lower load.cooling_share")
        else:
            day, *_ = _clock(index)
            mean = _per_day_mean(temp, day)
            felt = mean + arch.cooling_damping * (temp - mean)
            ref = float(np.clip(felt - arch.cooling_base_temp_c, 0.0, None).mean())
            notes.add("no normal climate for this site (site.monthly_temp_air_c): the cooling "
                      "load is calibrated to the modelled period's own temperatures")
        if ref <= 0.0:
            notes.add(f"the site's normal climate never exceeds {arch.cooling_base_temp_c:g} "
                      "C: no cooling load")
    comps = _resolve_components(ls.components) if components else []
    load, crit = archetype_load_kw(
        index, temp, personnel=personnel, kwh_per_person_per_day=arch.kwh_per_person_per_day,
        cooling_share=cooling_share, cooling_base_temp_c=arch.cooling_base_temp_c,
        cooling_ref_k=ref, day_peak_factor=arch.day_peak_factor,
        night_factor=arch.night_factor, cooling_damping=arch.cooling_damping,
        rest_days=ls.rest_days,
        rest_day_factor=arch.rest_day_factor, noise_day_fraction=arch.noise_day_fraction,
        noise_hour_fraction=arch.noise_hour_fraction,
        seed=ls.seed if ls.seed is not None else DEFAULT_SEED, components=comps,
        critical_fraction=critical_fraction)
    return load, crit, arch


# --------------------------------------------------------------------------------------------
# Personnel over time
# --------------------------------------------------------------------------------------------
def _personnel_on(ls: LoadSpec, dates: np.ndarray) -> np.ndarray:
    """Head count on each date (``datetime64[D]`` array) from the schedule [-]."""
    assert ls.personnel is not None
    out = np.full(len(dates), float(ls.personnel))
    for step in ls.personnel_schedule:
        out[dates >= np.datetime64(step.from_date, "D")] = float(step.personnel)
    return out


def _step_dates(index: pd.DatetimeIndex) -> np.ndarray:
    day, *_ = _clock(index)
    return day.astype("datetime64[D]")


def annual_load_multipliers(scenario: Scenario) -> list[float]:
    """Energy of each horizon year over the modelled period's, one factor per year.

    Year ``k`` runs from ``horizon.start + k`` years. Its factor is
    ``(1 + growth_per_year) ** k * (P_k e + C) / (P_0 e + C)`` where ``P_k`` is the mean head
    count over year ``k`` (from ``personnel_schedule``), ``P_0`` the mean over the modelled
    days, ``e`` the energy per person per day and ``C`` the components' energy per day (which
    does not follow head count). Routes other than archetype scale wholly with head count.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its horizon and load).

    Returns
    -------
    list of float
        ``horizon.years`` factors [-]; all one without a schedule and growth.
    """
    ls = scenario.load
    h = scenario.horizon
    growth = [(1.0 + ls.growth_per_year) ** k for k in range(h.years)]
    if not ls.personnel_schedule:
        return growth
    start = np.datetime64(h.start, "D")
    modelled = _personnel_on(ls, start + np.arange(h.days)).mean()
    per_person, fixed = 1.0, 0.0
    if ls.route == "archetype":
        per_person = _resolve_archetype(ls).kwh_per_person_per_day
        fixed = sum(c.kwh_per_day for c in _resolve_components(ls.components))
    out: list[float] = []
    for k in range(h.years):
        first = np.datetime64(_add_years(h.start, k), "D")
        last = np.datetime64(_add_years(h.start, k + 1), "D")
        people = _personnel_on(ls, np.arange(first, last)).mean()
        out.append(growth[k] * (people * per_person + fixed) / (modelled * per_person + fixed))
    return out


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --------------------------------------------------------------------------------------------
# Measured data: reading and cleaning
# --------------------------------------------------------------------------------------------
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")


def read_load_csv(path: Path, *, column: str | None, timezone: str | None, field: str,
                  notes: _Notes | None = None) -> pd.Series:
    """Read a measured load record: timestamps (first column) and one value column.

    Parameters
    ----------
    path : Path
        The CSV file; lines starting with ``#`` are comments.
    column : str or None
        Value column; None = the only column besides the timestamps.
    timezone : str or None
        IANA timezone of timestamps without UTC offset.
    field : str
        Scenario field named in errors, e.g. ``"load"``.
    notes : optional
        Collector of notes and warnings.

    Returns
    -------
    pd.Series
        Values (float, NaN for blanks) on a tz-aware UTC index, in file order.

    Raises
    ------
    ScenarioError
        Missing file or column, unparseable timestamps, text values, timestamps without a
        timezone, local times that do not exist or cannot be resolved.
    """
    notes = notes or _Notes()
    if not path.is_file():
        raise ScenarioError.single(f"{field}.csv", str(path), "file not found; check the path "
                                   "(relative paths start at the scenario file's folder)")
    try:
        frame = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ScenarioError.single(f"{field}.csv", str(path), f"unreadable CSV: {exc}") from exc
    if frame.shape[1] < 2 or frame.empty:
        raise ScenarioError.single(f"{field}.csv", str(path), "needs a timestamp column and a "
                                   "value column, and at least one row")
    stamps = frame.iloc[:, 0].str.strip()
    values_frame = frame.iloc[:, 1:]
    if column is None:
        if values_frame.shape[1] != 1:
            raise ScenarioError.single(f"{field}.column", None, "the CSV has several columns "
                                       f"{list(values_frame.columns)}; name one in 'column'")
        column = str(values_frame.columns[0])
    if column not in values_frame.columns:
        raise ScenarioError.single(f"{field}.column", column, f"no such column in {path.name}; "
                                   f"columns: {list(values_frame.columns)}")
    text = values_frame[column].str.strip()
    values = pd.Series(pd.to_numeric(text.where(text != ""), errors="coerce"), dtype=float)
    bad = values.isna() & (text != "") & ~text.str.lower().isin(("nan", "na", "n/a", "null"))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ScenarioError.single(f"{field}.csv", text.iloc[row],
                                   f"non-numeric value in column '{column}' of {path.name} at "
                                   f"row {row + 2}")
    has_offset = stamps.str.contains(_OFFSET)
    if has_offset.any() and not has_offset.all():
        row = int(np.flatnonzero(~has_offset.to_numpy())[0])
        raise ScenarioError.single(f"{field}.csv", stamps.iloc[row],
                                   f"row {row + 2} of {path.name} has no UTC offset while others "
                                   "have one; write every timestamp the same way")
    try:
        parsed = pd.DatetimeIndex(pd.to_datetime(stamps, utc=bool(has_offset.all()),
                                                 format="ISO8601"))
    except (ValueError, TypeError) as exc:
        raise ScenarioError.single(f"{field}.csv", str(path), "the first column must hold "
                                   f"timestamps (ISO 8601, e.g. 2025-01-01T00:00+00:00): {exc}"
                                   ) from exc
    if has_offset.all():
        index = parsed
        if timezone is not None:
            notes.add(f"{path.name}: timestamps carry UTC offsets; load.timezone "
                      f"'{timezone}' is not needed and was not used")
    elif timezone is None:
        raise ScenarioError.single(
            f"{field}.timezone", None,
            f"the timestamps of {path.name} have no UTC offset (e.g. '{stamps.iloc[0]}'); give "
            "the logger's clock as 'timezone' (e.g. timezone: Africa/Bamako), or write offsets "
            "(2025-01-01T00:00+00:00)")
    else:
        index = _localize(parsed, timezone, path.name, field, notes)
    return pd.Series(values.to_numpy(dtype=float), index=index.tz_convert("UTC"), name=column)


def _localize(naive: pd.DatetimeIndex, timezone: str, name: str, field: str,
              notes: _Notes) -> pd.DatetimeIndex:
    try:
        return naive.tz_localize(timezone, ambiguous="raise", nonexistent="raise")
    except ValueError as exc:  # pandas' AmbiguousTimeError / NonExistentTimeError
        if "nonexistent" in (type(exc).__name__ + str(exc)).lower():
            raise ScenarioError.single(
                f"{field}.csv", str(exc), f"{name}: a local time that does not exist in "
                f"{timezone} (skipped when daylight saving starts); write timestamps with UTC "
                "offsets or in UTC") from None
    try:
        index = naive.tz_localize(timezone, ambiguous="infer", nonexistent="raise")
    except ValueError as exc:
        raise ScenarioError.single(
            f"{field}.csv", str(exc), f"{name}: local times repeated when daylight saving ends "
            f"in {timezone} cannot be told apart; write timestamps with UTC offsets or in UTC"
        ) from None
    repeated = int(naive.duplicated(keep=False).sum())
    notes.warn(f"{name}: {repeated} local timestamps repeated at the end of daylight saving "
               "were read in file order (first = summer time)")
    return index


def _clean_order(raw: pd.Series, field: str, name: str, notes: _Notes) -> pd.Series:
    """Sort, drop exact duplicates, refuse conflicting ones."""
    if not raw.index.is_monotonic_increasing:
        moved = int((np.diff(_dti(raw.index).asi8) < 0).sum())
        notes.warn(f"{name}: timestamps were not in order ({moved} step(s) back in time); the "
                   "rows were sorted")
        raw = raw.sort_index(kind="stable")
    dup = raw.index.duplicated(keep=False)
    if dup.any():
        groups = raw[dup].groupby(level=0)
        spread = groups.max() - groups.min()
        nan_mix = groups.count() != groups.size()
        conflict = (spread > 1e-9 * groups.max().abs().clip(lower=1.0)) | nan_mix
        if conflict.any():
            when = conflict[conflict].index[0]
            raise ScenarioError.single(
                f"{field}.csv", f"{raw[when].tolist()}",
                f"{name}: timestamp {when} appears {int((raw.index == when).sum())} times with "
                "different values; keep one row per timestamp")
        count = int(raw.index.duplicated().sum())
        notes.warn(f"{name}: {count} repeated row(s) with identical timestamp and value dropped")
        raw = raw[~raw.index.duplicated()]
    return raw


def _regular(raw: pd.Series, field: str, name: str) -> tuple[pd.Series, pd.Timedelta]:
    """Put the record on its regular grid (missing rows become NaN); return it and the step."""
    if len(raw) < 3:
        raise ScenarioError.single(f"{field}.csv", f"{len(raw)} rows",
                                   f"{name}: too short to be a load record")
    stamps = _dti(raw.index).as_unit("ns").asi8
    diffs = pd.Series(np.diff(stamps))
    step_ns = int(diffs.mode().iloc[0])
    step = pd.Timedelta(step_ns, unit="ns")
    if not pd.Timedelta(minutes=5) <= step <= pd.Timedelta(days=1):
        raise ScenarioError.single(
            f"{field}.csv", str(step), f"{name}: the record's interval must lie between 5 "
            "minutes and 1 day; give monthly figures as a fuel_log or convert them to daily")
    if step == pd.Timedelta(days=1):
        return raw, step  # daily records are keyed by local date, see _daily_from_record
    offset = (stamps - stamps[0]) % step_ns
    if (offset != 0).any():
        row = int(np.flatnonzero(offset)[0])
        raise ScenarioError.single(
            f"{field}.csv", str(raw.index[row]), f"{name}: timestamp off the record's "
            f"{step} grid (the most common spacing); the record must have one interval")
    grid = pd.date_range(raw.index[0], raw.index[-1], freq=step)
    return raw.reindex(grid), step


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Start and end (exclusive) of each run of True in ``mask``."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _fill_gaps(kw: pd.Series, step: pd.Timedelta, name: str, field: str,
               notes: _Notes) -> pd.Series:
    """Fill gaps: short ones linearly, long ones from the same clock time on nearby days."""
    values = kw.to_numpy(dtype=float).copy()
    missing = ~np.isfinite(values)
    if not missing.any():
        return kw
    step_h = step.total_seconds() / 3600.0
    if missing.mean() > MAX_FILLED_FRACTION:
        raise ScenarioError.single(
            f"{field}.csv", f"{missing.mean():.0%} missing",
            f"{name}: more than {MAX_FILLED_FRACTION:.0%} of the record is missing; too much to "
            "fill credibly: supply the data or use the archetype or fuel_log route")
    observed = values.copy()
    per_day = max(round(24.0 / step_h), 1)
    short_steps = long_steps = 0
    positions = np.arange(len(values))
    ok = np.isfinite(observed)
    for start, end in _runs(missing):
        length = end - start
        if length * step_h <= SHORT_GAP_H and start > 0 and end < len(values):
            values[start:end] = np.interp(positions[start:end], positions[ok], observed[ok])
            short_steps += length
            continue
        for i in range(start, end):
            found: list[float] = []
            for k in range(1, LONG_GAP_SEARCH_DAYS + 1):
                for j in (i - k * per_day, i + k * per_day):
                    if 0 <= j < len(values) and ok[j] and len(found) < 4:
                        found.append(observed[j])
                if len(found) >= 4:
                    break
            if found:
                values[i] = float(np.mean(found))
                long_steps += 1
    total = short_steps + long_steps
    left = int((~np.isfinite(values)).sum())
    what = "day(s)" if step_h >= 24.0 else "step(s)"
    if total:
        notes.warn(
            f"{name}: filled {total} missing {what} ({total * step_h:,.1f} h, "
            f"{total / len(values):.1%} of the record): {short_steps} by linear interpolation "
            f"(gaps up to {SHORT_GAP_H:g} h), {long_steps} from the same clock time on nearby "
            "days")
    if left:
        notes.warn(f"{name}: {left} {what} ({left * step_h:,.1f} h) lie in gaps too long to "
                   f"fill (over {LONG_GAP_SEARCH_DAYS} days); their days are not used")
    return pd.Series(values, index=kw.index, name=kw.name)


def _flag_outliers(kw: pd.Series, observed: np.ndarray, step: pd.Timedelta, name: str,
                   notes: _Notes) -> None:
    """Note high outliers and long runs of zeros; the values are kept."""
    values = kw.to_numpy(dtype=float)
    good = values[observed & np.isfinite(values)]
    if good.size < 10:
        return
    median = float(np.median(good))
    mad = float(np.median(np.abs(good - median))) * 1.4826
    if mad > 0:
        high = np.flatnonzero(observed & (values > median + 8.0 * mad))
        if high.size:
            first = ", ".join(f"{kw.index[i]} ({values[i]:,.1f} kW)" for i in high[:3])
            notes.add(f"{name}: {high.size} value(s) flagged as outliers (above median "
                      f"{median:,.1f} kW + 8 x {mad:,.1f} kW), kept as given; first: {first}")
    step_h = step.total_seconds() / 3600.0
    zero_runs = [(s, e) for s, e in _runs(observed & (values == 0.0))
                 if (e - s) * step_h >= ZERO_RUN_H]
    if zero_runs:
        s, e = zero_runs[0]
        notes.add(f"{name}: {len(zero_runs)} run(s) of zero load of {ZERO_RUN_H:g} h or more "
                  f"(first {kw.index[s]}, {(e - s) * step_h:g} h), kept as given: check for "
                  "logger outages")


def check_units(mean_kw: float, median_kw: float, step: pd.Timedelta, unit: str, *,
                personnel: int | None, fleet_kw: float | None, bounds: tuple[float, float],
                field: str, name: str, notes: _Notes | None = None) -> None:
    """Check that a record's level is plausible for a camp; suspect a kW/kWh mix-up if not.

    With ``personnel``, the implied kWh per person per day (from the mean) must lie within
    ``bounds``; else the median load must lie within 0.5% to 100% of the diesel fleet's rated
    kW (``fleet_kw``, all types at ``max_count``). A misfit that the interval factor (interval
    hours, or its inverse) explains
    is an error naming the likely unit; any other misfit is a warning.

    Raises
    ------
    ScenarioError
        When the values look like kWh per interval given as kW, or kW given as kWh.
    """
    notes = notes or _Notes()
    hours = step.total_seconds() / 3600.0
    # what the level would be if the file held the other unit
    other = hours if unit == "kWh" else 1.0 / hours
    other_unit = "kW" if unit == "kWh" else "kWh"
    if personnel is not None:
        low, high = bounds
        per_person = mean_kw * 24.0 / personnel
        fits = low <= per_person <= high
        fits_other = low <= per_person * other <= high
        what = (f"{per_person:,.2f} kWh/person/day for {personnel} people (plausible "
                f"{low:g}-{high:g})")
    elif fleet_kw:
        ratio = median_kw / fleet_kw
        fits = 0.005 <= ratio <= 1.0
        fits_other = 0.005 <= ratio * other <= 1.0
        what = (f"a median load of {median_kw:,.1f} kW against a diesel fleet of "
                f"{fleet_kw:,.0f} kW (plausible 0.5%-100%)")
    else:
        return
    if fits:
        return
    if fits_other and abs(other - 1.0) > 1e-9:
        raise ScenarioError.single(
            f"{field}.unit", unit, f"{name}: {what}; the values look like {other_unit} "
            f"(per {step} interval) given as {unit}: set unit: {other_unit}, or check the data")
    notes.warn(f"{name}: {what}; check the unit ({unit}) and the data")


# --------------------------------------------------------------------------------------------
# Conversion to the model's steps and the typical year
# --------------------------------------------------------------------------------------------
def resample_energy(kw: pd.Series, start: pd.Timestamp, step: pd.Timedelta,
                    periods: int) -> pd.Series:
    """Mean kW over each of ``periods`` steps from ``start``, keeping energy exactly.

    ``kw`` holds the mean power over intervals starting at its (regular) index. The cumulative
    energy is piecewise linear in time; each new step's energy is its difference across the
    step, so energy is kept for any mix of finer and coarser steps. Steps touching a missing
    (NaN) interval or outside the record are NaN.

    Parameters
    ----------
    kw : pd.Series
        Mean power [kW] on a regular tz-aware index (interval starts).
    start : pd.Timestamp
        First new step start (tz-aware).
    step : pd.Timedelta
        New step length.
    periods : int
        Number of new steps.

    Returns
    -------
    pd.Series
        Mean power [kW] over each new step.
    """
    src = _dti(kw.index).as_unit("ns").asi8.astype(np.float64) / 3.6e12  # hours
    dt_src = (src[1] - src[0]) if len(src) > 1 else 1.0
    edges = np.append(src, src[-1] + dt_src)
    values = kw.to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    energy = np.concatenate(([0.0], np.cumsum(np.where(bad, 0.0, values) * dt_src)))
    badcum = np.concatenate(([0.0], np.cumsum(bad.astype(float))))
    new_index = pd.date_range(start, periods=periods, freq=step)
    new = new_index.as_unit("ns").asi8.astype(np.float64) / 3.6e12
    step_h = step.total_seconds() / 3600.0
    bounds = np.append(new, new[-1] + step_h)
    e = np.interp(bounds, edges, energy)
    b = np.interp(bounds, edges, badcum)
    out = np.diff(e) / step_h
    outside = (bounds[:-1] < edges[0] - 1e-9) | (bounds[1:] > edges[-1] + 1e-9)
    out[(np.diff(b) > 1e-12) | outside] = np.nan
    return pd.Series(out, index=new_index, name=kw.name)


def _typical_day_map(model_days: np.ndarray, source_kwh: pd.Series, notes: _Notes,
                     field: str, name: str) -> np.ndarray:
    """Source date for each model date (``datetime64[D]``), see the module notes."""
    complete = source_kwh.dropna()
    available = set(complete.index.to_numpy().astype("datetime64[D]").tolist())
    if all(d in available for d in model_days.astype("datetime64[D]").tolist()):
        notes.add(f"{name}: the record covers every modelled day and is used on its own dates")
        return model_days.astype("datetime64[D]")
    idx = pd.DatetimeIndex(complete.index)
    frame = pd.DataFrame({"kwh": complete.to_numpy(), "year": idx.year, "month": idx.month})
    counts = frame.groupby(["month", "year"])["kwh"].agg(["mean", "size"])
    counts = counts[counts["size"] >= MIN_DAYS_PER_MONTH]
    chosen: dict[int, int] = {}
    model_months = sorted(set(pd.DatetimeIndex(model_days).month.tolist()))
    for month in model_months:
        if month not in counts.index.get_level_values(0):
            raise ScenarioError.single(
                f"{field}", f"month {month}", f"{name}: no complete month {month} in the record "
                f"(needs {MIN_DAYS_PER_MONTH}+ complete days) to stand for the modelled month; "
                "give a record covering the modelled months or change horizon.start/days")
        years = counts.loc[month]
        median = float(years["mean"].median())
        dist = (years["mean"] - median).abs()
        best = dist[dist <= dist.min() + 1e-9 * max(1.0, median)]
        chosen[month] = int(max(best.index))
    used = sorted(set(chosen.values()))
    if len(used) > 1 or len(counts.index.get_level_values(1).unique()) > 1:
        parts = ", ".join(f"{pd.Timestamp(2001, m, 1):%b} {y}" for m, y in chosen.items())
        notes.add(f"{name}: typical year from the record (each month from the year closest to "
                  f"the median of its months): {parts}")
    else:
        notes.add(f"{name}: modelled days mapped onto the record's year {used[0]} by calendar "
                  "date, moved by up to 3 days to the same weekday")
    out = np.empty(len(model_days), dtype="datetime64[D]")
    for i, day in enumerate(pd.DatetimeIndex(model_days)):
        year = chosen[day.month]
        last = pd.Timestamp(year, day.month, 1).days_in_month
        base = pd.Timestamp(year, day.month, min(day.day, last))
        candidates = [base + pd.Timedelta(days=s) for s in (0, 1, -1, 2, -2, 3, -3)]
        candidates = [c for c in candidates if c.month == day.month and c.year == year
                      and c.date() in available]
        same = [c for c in candidates if c.weekday() == day.weekday()]
        pick = same[0] if same else candidates[0] if candidates else None
        if pick is None:
            month_days = [d for d in available if pd.Timestamp(d).year == year
                          and pd.Timestamp(d).month == day.month]
            pick = min(month_days, key=lambda d: abs((pd.Timestamp(d) - base).days))
            pick = pd.Timestamp(pick)
        out[i] = np.datetime64(pick.date(), "D")
    return out


def _daily_kwh(kw: pd.Series, tz: str) -> pd.Series:
    """Energy of each complete local day [kWh] of a regular kW record (NaN if incomplete)."""
    local = _dti(kw.index).tz_convert(tz)
    step_h = (kw.index[1] - kw.index[0]).total_seconds() / 3600.0
    days = local.tz_localize(None).normalize()
    energy = (kw * step_h).groupby(days).sum(min_count=1)
    complete = kw.notna().groupby(days).all() & (kw.groupby(days).size() * step_h >= 23.0)
    return energy.where(complete)


def _map_steps(series: pd.Series, index: pd.DatetimeIndex, source_day: np.ndarray,
               field: str, name: str) -> np.ndarray:
    """Values of ``series`` (regular, model step) at each model step's source time."""
    tz = index.tz
    wall = index.tz_localize(None)
    offset = wall - wall.normalize()
    src_wall = pd.DatetimeIndex(source_day.astype("datetime64[ns]")) + offset
    src = src_wall.tz_localize(tz, ambiguous=np.zeros(len(src_wall), dtype=bool),
                               nonexistent="shift_forward").tz_convert("UTC")
    grid = _dti(series.index).tz_convert("UTC").as_unit("ns").asi8
    pos = np.searchsorted(grid, src.as_unit("ns").asi8, side="right") - 1
    pos = np.clip(pos, 0, len(grid) - 1)
    values = series.to_numpy(dtype=float)[pos]
    if not np.isfinite(values).all():
        i = int(np.flatnonzero(~np.isfinite(values))[0])
        raise ScenarioError.single(field, str(index[i]), f"{name}: no data for this modelled "
                                   "step after mapping (an incomplete source day)")
    return values


def measured_load_kw(raw: pd.Series, index: pd.DatetimeIndex, *, unit: str, field: str,
                     name: str, personnel: int | None = None, fleet_kw: float | None = None,
                     bounds: tuple[float, float] = (2.0, 40.0),
                     shape_kw: pd.Series | None = None,
                     notes: _Notes | None = None) -> pd.Series:
    """Turn a raw measured record into the load on the model's steps [kW].

    Parameters
    ----------
    raw : pd.Series
        Values on a tz-aware index (any order, possibly repeated, with NaN for blanks).
    index : pd.DatetimeIndex
        The model's step starts (tz-aware, regular).
    unit : {"kW", "kWh"}
        Mean kW over each interval, or kWh in each interval.
    field, name : str
        Scenario field and file name for messages.
    personnel, fleet_kw, bounds
        References of the unit check, see :func:`check_units`.
    shape_kw : pd.Series, optional
        Archetype shape on ``index``, used to spread daily records over the day.
    notes : optional
        Collector of notes and warnings.

    Returns
    -------
    pd.Series
        Mean load over each modelled step [kW], energy kept (see the module notes).

    Raises
    ------
    ScenarioError
        For any of the errors listed in the module notes.
    """
    notes = notes or _Notes()
    raw = _clean_order(raw, field, name, notes)
    negative = np.flatnonzero(raw.to_numpy() < 0)
    if negative.size:
        i = int(negative[0])
        raise ScenarioError.single(
            f"{field}.csv", float(raw.iloc[i]), f"{name}: negative load at {raw.index[i]} "
            f"({negative.size} negative value(s)); fix the value, or blank the cell to have it "
            "filled as a gap")
    regular, step = _regular(raw, field, name)
    step_h = step.total_seconds() / 3600.0
    kw = regular / step_h if unit == "kWh" else regular
    tz = str(index.tz)
    if step >= pd.Timedelta(days=1):
        local = _dti(kw.index).tz_convert(tz).tz_localize(None)
        if (local != local.normalize()).any():
            notes.add(f"{name}: daily values are keyed by the local date of their timestamp")
        daily = pd.Series((kw * 24.0).to_numpy(), index=local.normalize())
        daily = daily[~daily.index.duplicated()]
        full = pd.date_range(daily.index.min(), daily.index.max(), freq="D")
        daily = daily.reindex(full)
        observed = daily.notna().to_numpy()
        daily = _fill_gaps(daily / 24.0, pd.Timedelta(days=1), name, field, notes) * 24.0
        _flag_outliers(daily / 24.0, observed, pd.Timedelta(days=1), name, notes)
        check_units(float(daily.mean() / 24.0), float(daily.median() / 24.0), step, unit,
                    personnel=personnel, fleet_kw=fleet_kw, bounds=bounds, field=field,
                    name=name, notes=notes)
        model_days = _step_dates(index)
        source = _typical_day_map(np.unique(model_days), daily, notes, f"{field}.csv", name)
        lookup = dict(zip(np.unique(model_days).tolist(), source.tolist(), strict=True))
        energy = np.array([daily[pd.Timestamp(lookup[d])] for d in np.unique(model_days)
                           .tolist()])
        if shape_kw is None:
            raise ScenarioError.single(field, None, "daily data need an archetype shape")
        notes.add(f"{name}: daily energies spread over each day by the archetype's shape")
        return _shape_by_day(index, shape_kw, energy, monthly=False)
    observed = np.isfinite(kw.to_numpy())
    kw = _fill_gaps(kw, step, name, field, notes)
    _flag_outliers(kw, observed, step, name, notes)
    finite = kw.to_numpy()[np.isfinite(kw.to_numpy())]
    check_units(float(finite.mean()), float(np.median(finite)), step, unit, personnel=personnel,
                fleet_kw=fleet_kw, bounds=bounds, field=field, name=name, notes=notes)
    model_step = index[1] - index[0] if len(index) > 1 else pd.Timedelta(hours=1)
    # model-step grid over the record, in phase with the model's index
    phase_ns = int(index[0].as_unit("ns").value) % int(model_step.value)
    first_ns = int(kw.index[0].as_unit("ns").value)
    start_ns = first_ns - ((first_ns - phase_ns) % int(model_step.value))
    start = pd.Timestamp(start_ns, unit="ns", tz="UTC")
    span = kw.index[-1] + step - start
    periods = int(math.ceil(span / model_step))
    on_steps = resample_energy(kw, start, model_step, periods)
    if step != model_step:
        notes.add(f"{name}: {step} record converted to the model's {model_step} steps "
                  "(energy kept)")
    daily = _daily_kwh(on_steps, tz)
    source = _typical_day_map(np.unique(_step_dates(index)), daily, notes, f"{field}.csv",
                              name)
    lookup = dict(zip(np.unique(_step_dates(index)).tolist(), source.tolist(), strict=True))
    source_day = np.array([lookup[d] for d in _step_dates(index).tolist()],
                          dtype="datetime64[D]")
    values = _map_steps(on_steps, index, source_day, f"{field}.csv", name)
    return pd.Series(values, index=index, name="load_kw")


def _shape_by_day(index: pd.DatetimeIndex, shape_kw: pd.Series, energy_kwh: np.ndarray, *,
                  monthly: bool) -> pd.Series:
    """Scale ``shape_kw`` so that each model day (or month) has the given energy [kWh].

    ``energy_kwh`` holds one value per modelled local day, in date order; with ``monthly``
    the energies are summed by month and spread in proportion to the shape's daily energies.
    """
    step_h = _step_h(index)
    day, *_ = _clock(index)
    days, inverse = np.unique(day, return_inverse=True)
    shape = shape_kw.to_numpy(dtype=float)
    shape_day = np.bincount(inverse, weights=shape * step_h)
    target = np.asarray(energy_kwh, dtype=float)
    if monthly:
        months = days.astype("datetime64[D]").astype("datetime64[M]")
        _, m_inv = np.unique(months, return_inverse=True)
        target_m = np.bincount(m_inv, weights=target)
        shape_m = np.bincount(m_inv, weights=shape_day)
        target = shape_day * (target_m / np.where(shape_m > 0, shape_m, 1.0))[m_inv]
    factor = np.divide(target, shape_day, out=np.zeros_like(target), where=shape_day > 0)
    return pd.Series(shape * factor[inverse], index=index, name="load_kw")


# --------------------------------------------------------------------------------------------
# Fuel logs
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Genset:
    rated_kw: float
    f0: float
    f1: float


def read_fuel_log(path: Path, field: str = "load.fuel_log") -> tuple[pd.DataFrame, str]:
    """Read a fuel log: columns ``date``, ``generator``, ``litres`` (``#`` lines are comments).

    Returns
    -------
    tuple
        A frame with ``date`` (Timestamp of the day or month start), ``generator`` (str) and
        ``litres`` (float); and ``"monthly"`` when every date is written YYYY-MM, else
        ``"daily"``.

    Raises
    ------
    ScenarioError
        Missing file or columns, bad dates, non-numeric or negative litres.
    """
    if not path.is_file():
        raise ScenarioError.single(f"{field}.csv", str(path), "file not found; check the path "
                                   "(relative paths start at the scenario file's folder)")
    try:
        frame = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ScenarioError.single(f"{field}.csv", str(path), f"unreadable CSV: {exc}") from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame = frame.rename(columns={"liters": "litres", "fuel_l": "litres", "unit": "generator"})
    missing = [c for c in ("date", "generator", "litres") if c not in frame.columns]
    if missing:
        raise ScenarioError.single(f"{field}.csv", str(path), f"missing column(s) {missing}; "
                                   "a fuel log has the columns date, generator, litres")
    text = frame["date"].str.strip()
    monthly_text = text.str.fullmatch(r"\d{4}-\d{2}")
    try:
        dates = pd.to_datetime(text.where(~monthly_text, text + "-01"), format="%Y-%m-%d")
    except ValueError as exc:
        raise ScenarioError.single(f"{field}.csv", str(path), "dates must be YYYY-MM-DD (or "
                                   f"YYYY-MM for monthly totals): {exc}") from exc
    litres = pd.to_numeric(frame["litres"].str.strip(), errors="coerce")
    if litres.isna().any():
        row = int(np.flatnonzero(litres.isna().to_numpy())[0])
        raise ScenarioError.single(f"{field}.csv", frame["litres"].iloc[row],
                                   f"non-numeric litres in {path.name} at row {row + 2}")
    if (litres < 0).any():
        row = int(np.flatnonzero((litres < 0).to_numpy())[0])
        raise ScenarioError.single(f"{field}.csv", float(litres.iloc[row]),
                                   f"negative litres in {path.name} at row {row + 2}")
    out = pd.DataFrame({"date": dates, "generator": frame["generator"].str.strip(),
                        "litres": litres.astype(float)})
    return out, "monthly" if bool(monthly_text.all()) else "daily"


def _gensets(names: Sequence[str], rated_kw: dict[str, float], units: Sequence[DieselUnit],
             field: str) -> dict[str, _Genset]:
    f0 = data.default("diesel.fuel_intercept_l_per_h_per_kw")
    f1 = data.default("diesel.fuel_slope_l_per_kwh")
    out: dict[str, _Genset] = {}
    for name in names:
        if name in rated_kw:
            out[name] = _Genset(rated_kw[name], f0, f1)
            continue
        match = [u for u in units if name == u.name] or [
            u for u in units if re.fullmatch(re.escape(u.name) + r"[-_ .]?\w*", name)]
        if not match:
            raise ScenarioError.single(
                f"{field}.rated_kw", name, f"generator '{name}' of the fuel log matches no "
                f"diesel unit type ({[u.name for u in units]}); give its rating as "
                f"rated_kw: {{{name}: 400}} or name it after a unit type (e.g. "
                f"{units[0].name}_1)")
        unit = max(match, key=lambda u: len(u.name))
        out[name] = _Genset(unit.rated_kw, unit.fuel_intercept_l_per_h_per_kw,
                            unit.fuel_slope_l_per_kwh)
    return out


def fuel_log_daily_kwh(log: pd.DataFrame, period: str, gensets: dict[str, _Genset], *,
                       loading: float, one_set_always_on: bool = True,
                       field: str = "load.fuel_log") -> pd.Series:
    """Energy delivered per period of a fuel log at an assumed mean loading [kWh].

    Each set's energy is ``litres * l / (F0 + F1 l)`` with ``l`` the loading, raised to the
    loading at which the set runs the whole period when ``l`` would need more hours than the
    period has; with ``one_set_always_on`` the loading is then lowered in each period, if
    needed, until the sets' running hours add up to at least the period.

    Returns
    -------
    pd.Series
        Energy [kWh] per period start date (daily or monthly), summed over the sets.

    Raises
    ------
    ScenarioError
        When a set burned more than full-load running through the period allows.
    """
    rows = log.groupby(["date", "generator"], as_index=False)["litres"].sum()
    out: dict[pd.Timestamp, float] = {}
    for date, group in rows.groupby("date"):
        start = pd.Timestamp(str(date))
        hours = 24.0 * (start.days_in_month if period == "monthly" else 1)
        sets = [gensets[g] for g in group["generator"]]
        litres = group["litres"].to_numpy(dtype=float)
        rated = np.array([s.rated_kw for s in sets])
        f0 = np.array([s.f0 for s in sets])
        f1 = np.array([s.f1 for s in sets])
        cont = (litres / (rated * hours) - f0) / f1  # loading if running the whole period
        over = np.flatnonzero(cont > 1.0 + 1e-9)
        if over.size:
            g = group["generator"].iloc[int(over[0])]
            raise ScenarioError.single(
                f"{field}.csv", float(litres[over[0]]),
                f"generator '{g}' burned {litres[over[0]]:,.0f} L on {start:%Y-%m-%d}, more "
                f"than full load for the whole period ({hours:g} h at {rated[over[0]]:g} kW); "
                "check its rated kW, the period (daily/monthly) and the litres")

        def energy_and_hours(level: float, cont: np.ndarray = cont,
                             litres: np.ndarray = litres, rated: np.ndarray = rated,
                             f0: np.ndarray = f0, f1: np.ndarray = f1) -> tuple[float, float]:
            lv = np.clip(np.maximum(level, cont), 1e-6, 1.0)
            run = litres / (rated * (f0 + f1 * lv))
            return float((litres * lv / (f0 + f1 * lv)).sum()), float(run.sum())

        level = loading
        e, h = energy_and_hours(level)
        if one_set_always_on and h < hours and litres.sum() > 0:
            lo, hi = 1e-6, level
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                if energy_and_hours(mid)[1] >= hours:
                    lo = mid
                else:
                    hi = mid
            e, h = energy_and_hours(lo)
        out[start] = e
    return pd.Series(out, name="kwh").sort_index()


def _implied_loading(log: pd.DataFrame, period: str, gensets: dict[str, _Genset],
                     floor: float) -> float:
    """Mean loading of the running sets [share of rated], energy over rated kW-hours."""
    rows = log.groupby(["date", "generator"], as_index=False)["litres"].sum()
    hours = np.where(period == "monthly", 24.0 * rows["date"].dt.days_in_month, 24.0)
    rated = np.array([gensets[g].rated_kw for g in rows["generator"]])
    f0 = np.array([gensets[g].f0 for g in rows["generator"]])
    f1 = np.array([gensets[g].f1 for g in rows["generator"]])
    litres = rows["litres"].to_numpy(dtype=float)
    level = np.clip(np.maximum((litres / (rated * hours) - f0) / f1, floor), 1e-6, 1.0)
    run = litres / (rated * (f0 + f1 * level))
    rated_h = float((rated * run).sum())
    return float((level * rated * run).sum()) / rated_h if rated_h > 0 else 0.0


def _fuel_log_profile(scenario: Scenario, index: pd.DatetimeIndex, shape_kw: pd.Series,
                      arch: _Archetype, notes: _Notes) -> tuple[pd.Series, tuple[float, float]]:
    ls = scenario.load
    spec = ls.fuel_log
    assert spec is not None
    field = "load.fuel_log"
    path = scenario.resolve_path(spec.csv)
    log, written = read_fuel_log(path, field)
    period = spec.period if spec.period != "auto" else (
        "monthly" if written == "monthly" or (
            bool((log["date"].dt.day == 1).all())
            and not log.duplicated(["date", "generator"]).any()
            and log["date"].nunique() > 1
            and bool((log["date"].drop_duplicates().sort_values().diff().dropna()
                      >= pd.Timedelta(days=28)).all())) else "daily")
    dups = int(log.duplicated(["date", "generator"]).sum())
    if dups:
        notes.warn(f"{path.name}: {dups} repeated (date, generator) row(s) summed")
    gensets = _gensets(sorted(log["generator"].unique()), spec.rated_kw,
                       scenario.diesel.units, field)
    floor = spec.min_loading_fraction or arch.table["fuel_log_loading_low"]
    high = spec.max_loading_fraction or arch.table["fuel_log_loading_high"]
    low = 1e-6  # around the clock at whatever loading the litres imply: the least energy
    central = floor
    # central: around the clock, part time at the floor loading for sets with little fuel, at
    # least one set at every hour; high: the high loading with the sets off once their fuel
    # is spent
    per = {lv: fuel_log_daily_kwh(log, period, gensets, loading=lv, field=field,
                                  one_set_always_on=lv != high)
           for lv in (low, central, high)}
    # per-day energy, keyed by local date
    daily: dict[float, pd.Series] = {}
    for lv, series in per.items():
        if period == "monthly":
            parts = []
            for first, e in series.items():
                month = pd.Timestamp(str(first))
                parts.append(pd.Series(e / month.days_in_month, index=pd.date_range(
                    month, periods=month.days_in_month, freq="D")))
            daily[lv] = pd.concat(parts)
        else:
            daily[lv] = series
    full = pd.date_range(daily[central].index.min(), daily[central].index.max(), freq="D")
    filled: dict[float, pd.Series] = {}
    for lv, series in daily.items():
        series = series.reindex(full)
        observed = series.notna().to_numpy()
        quiet = _Notes()
        filled[lv] = _fill_gaps(series / 24.0, pd.Timedelta(days=1), path.name, field,
                                quiet if lv != central else notes) * 24.0
        if lv == central:
            _flag_outliers(filled[lv] / 24.0, observed, pd.Timedelta(days=1), path.name, notes)
    unique_days = np.unique(_step_dates(index))
    source = _typical_day_map(unique_days, filled[central], notes, field, path.name)
    energy = {lv: filled[lv].reindex(pd.DatetimeIndex(source)).to_numpy() for lv in filled}
    load = _shape_by_day(index, shape_kw, energy[central], monthly=period == "monthly")
    step_h = _step_h(index)
    weight = 8760.0 / (len(index) * step_h)
    annual = float(load.sum() * step_h * weight)
    scale_lo = float(np.sum(energy[low]) / np.sum(energy[central]))
    scale_hi = float(np.sum(energy[high]) / np.sum(energy[central]))
    total_l = float(log["litres"].sum())
    total_kwh = float(per[central].sum())
    implied = _implied_loading(log, period, gensets, floor)
    notes.add(
        f"{path.name}: {period} fuel log of {len(gensets)} generator(s), {total_l:,.0f} L -> "
        f"{total_kwh:,.0f} kWh ({total_l / max(total_kwh, 1e-9):.2f} L/kWh), each set taken "
        f"to run around the clock (part time at {floor:.0%} loading if its fuel falls short); "
        f"mean implied loading {implied:.0%} of rated (observed median ~"
        f"{arch.table['fuel_log_loading_central']:.0%}, USMC 2013); annual load "
        f"{annual:,.0f} kWh, range {annual * scale_lo:,.0f}-{annual * scale_hi:,.0f} kWh (high:"
        f" {high:.0%} loading with the sets off once their fuel is spent)")
    notes.add(f"{path.name}: the log is taken as the camp's whole supply; energy from PV or "
              "other sources at the time is not in it")
    return load, (annual * scale_lo, annual * scale_hi)


# --------------------------------------------------------------------------------------------
# The scenario's load
# --------------------------------------------------------------------------------------------
def _fleet_kw(scenario: Scenario) -> float:
    return float(sum(u.rated_kw * u.max_count for u in scenario.diesel.units))


def load_inputs(scenario: Scenario, index: pd.DatetimeIndex,
                weather: pd.DataFrame | None) -> LoadProfile:
    """Resolve a scenario's load on the model's index.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (its ``load`` section, and the site and diesel fleet for
        checks).
    index : pd.DatetimeIndex
        The model's step starts, tz-aware in the site's timezone.
    weather : pd.DataFrame or None
        The site's weather on ``index``; its ``temp_air`` [C] drives cooling. Without it the
        site's normal monthly climate is used (with a note).

    Returns
    -------
    LoadProfile
        Load and critical load [kW], notes and, for fuel logs, the annual energy range.

    Raises
    ------
    ScenarioError
        When a load input is missing, malformed or implausible (see the module notes).
    """
    ls = scenario.load
    notes = _Notes()
    route = ls.route
    dates = _step_dates(index)
    people = _personnel_on(ls, dates) if ls.personnel is not None else None
    relative = (people / float(ls.personnel)) if (people is not None and ls.personnel
                                                  is not None) else np.ones(len(index))
    annual_range: tuple[float, float] | None = None
    if route == "archetype":
        assert people is not None
        load, critical, arch = _archetype_profile(
            scenario, index, weather, notes, personnel=people,
            critical_fraction=ls.critical_fraction)
        lo, hi = arch.table["personnel_min"], arch.table["personnel_max"]
        if not lo <= float(ls.personnel or 0) <= hi:
            notes.add(f"personnel {ls.personnel} lies outside the {arch.name} tier "
                      f"({lo:g}-{hi:g}, DOMAIN.md camp tiers, E); check the archetype")
        if ls.components:
            per_day = sum(c.kwh_per_day for c in _resolve_components(ls.components))
            notes.add(f"components add {per_day:,.0f} kWh/day: "
                      + ", ".join(f"{c.name} ({c.kwh_per_day:,.0f}, critical "
                                  f"{c.critical_share:.0%})"
                                  for c in _resolve_components(ls.components)))
    else:
        if route == "constant_kw":
            assert ls.constant_kw is not None
            load = pd.Series(ls.constant_kw, index=index, dtype=float)
        elif route == "series":
            assert ls.series is not None
            load = conform(ls.series, index, "load.series", lower=0.0, upper=1e6, unit="kW")
        else:
            shape_notes = _Notes()
            shape, _, arch = _archetype_profile(
                scenario, index, weather, shape_notes, personnel=np.ones(len(index)),
                archetype=ls.archetype or DEFAULT_SHAPE_ARCHETYPE, components=False,
                critical_fraction=0.0)
            if route == "fuel_log":
                load, annual_range = _fuel_log_profile(scenario, index, shape, arch, notes)
                notes.add(f"fuel-log energies shaped by the {arch.name} archetype")
            else:
                assert ls.csv is not None
                path = scenario.resolve_path(ls.csv)
                raw = read_load_csv(path, column=ls.column, timezone=ls.timezone,
                                    field="load", notes=notes)
                bounds = (arch.table["plausible_kwh_per_person_per_day_min"],
                          arch.table["plausible_kwh_per_person_per_day_max"])
                load = measured_load_kw(raw, index, unit=ls.unit, field="load", name=path.name,
                                        personnel=ls.personnel, fleet_kw=_fleet_kw(scenario),
                                        bounds=bounds, shape_kw=shape, notes=notes)
        load = load * relative
        if annual_range is not None and ls.personnel_schedule:
            mean_rel = float(relative.mean())
            annual_range = (annual_range[0] * mean_rel, annual_range[1] * mean_rel)
        critical = load * ls.critical_fraction
    if ls.personnel_schedule:
        notes.add("personnel over the modelled days: "
                  + ", ".join(f"{int(p)}" for p in np.unique(_personnel_on(ls, dates))))
    if ls.scale != 1.0:
        notes.add(f"load scaled by {ls.scale:g}")
        if annual_range is not None:
            annual_range = (annual_range[0] * ls.scale, annual_range[1] * ls.scale)
    load = (load * ls.scale).rename("load_kw")
    critical = pd.Series(np.minimum(critical.to_numpy() * ls.scale, load.to_numpy()),
                         index=index, name="critical_load_kw")
    if float(load.max()) > 1e6:
        raise ScenarioError.single("load", float(load.max()), "load above 1,000,000 kW; check "
                                   "the unit and scale")
    return LoadProfile(load_kw=load, critical_load_kw=critical, notes=tuple(notes.items),
                       annual_kwh_range=annual_range)


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------
def archetype_summary(site: str = "gao", *, year: int = 2025,
                      personnel: dict[str, int] | None = None,
                      seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Daily energy, peak and load factor of each archetype over a normal year at a site.

    The year is hourly, the temperature the site's normal monthly climate (as without
    weather), all other parameters the archetype defaults, no components.

    Parameters
    ----------
    site : str
        A bundled site key.
    year : int
        Calendar year of the hourly index.
    personnel : dict, optional
        Head count per archetype; default the archetype's ``personnel_typical``.
    seed : int
        Noise seed.

    Returns
    -------
    pd.DataFrame
        Indexed by archetype: ``personnel``, ``kwh_per_day`` (mean), ``peak_kw``,
        ``mean_kw``, ``load_factor`` (mean / peak), ``min_day_kwh``, ``max_day_kwh``.
    """
    from energyopt.scenario import ARCHETYPES, load_scenario

    rows = []
    for name in ARCHETYPES:
        people = (personnel or {}).get(name) or int(data.load_archetype(name)
                                                    ["personnel_typical"])
        scenario = load_scenario({
            "site": site, "horizon": {"start": f"{year}-01-01", "days": 365},
            "load": {"archetype": name, "personnel": people, "seed": seed},
            "diesel": {"units": [{"name": "g", "rated_kw": 100, "max_count": 1}]}})
        site_tz = scenario.site_spec().timezone
        index = pd.date_range(pd.Timestamp(f"{year}-01-01", tz=site_tz), periods=8760,
                              freq="h")
        profile = load_inputs(scenario, index, None)
        daily = profile.load_kw.groupby(_step_dates(index)).sum()
        rows.append({"archetype": name, "personnel": people,
                     "kwh_per_day": float(daily.mean()), "peak_kw": float(profile.load_kw.max()),
                     "mean_kw": float(profile.load_kw.mean()),
                     "load_factor": float(profile.load_kw.mean() / profile.load_kw.max()),
                     "min_day_kwh": float(daily.min()), "max_day_kwh": float(daily.max())})
    return pd.DataFrame(rows).set_index("archetype")
