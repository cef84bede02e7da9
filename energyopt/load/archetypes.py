"""Archetype camps: load from head count, energy per person, cooling and components.

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
  so that a hot-season day at Gao has a cooling-driven shape: peak ~1.3-1.5x and
  night ~0.6-0.8x the day's mean; cool-season nights fall lower, as the cooling stops).
* **Calibration**: ``cdh_ref`` is the mean of ``max(T_felt - T_base, 0)`` over a normal year
  of the *reference* climate, :data:`COOLING_REFERENCE_ZONE` (the Sahel: monthly means of
  data/climate_zones.csv, its diurnal swing damped as above, the same 15:00 cosine), because
  the per-person figure (UN, Mali to South Sudan) and the 60% cooling share (USMC, hot
  deployments) describe hot camps. In that climate the annual mean daily energy is exactly
  ``P e`` (plus components) with the share ``c`` of it cooling; a cooler site (highlands, the
  Mediterranean winter) uses proportionally less cooling energy, a hotter day or year more,
  and the cooling follows the hour's temperature within the day. At Gao (Sahel) this makes
  January days ~0.6x and May days ~1.3x the annual mean.
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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from energyopt import data
from energyopt.errors import ScenarioError
from energyopt.load.common import _clock, _Notes, _per_day_mean, _step_h
from energyopt.scenario import ComponentSpec, LoadSpec, Scenario

__all__ = [
    "COMPONENT_SHAPES",
    "DEFAULT_SEED",
    "ComponentLoad",
    "archetype_load_kw",
    "cooling_reference_k",
    "daily_shape",
    "synthetic_temperature_c",
]

#: Seed of the load noise when ``load.seed`` is not given.
DEFAULT_SEED = 20231206
#: Archetype whose shape spreads daily and monthly energies when none is named.
DEFAULT_SHAPE_ARCHETYPE = "battalion_hq"
#: Climate zone whose normal year the per-person energy and the cooling share describe.
COOLING_REFERENCE_ZONE = "sahel"

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


@dataclass(frozen=True)
class ComponentLoad:
    """A resolved load component: its daily energy, shape and critical share."""

    name: str
    kwh_per_day: float
    shape: str
    critical_share: float


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
    """Return the site's monthly mean temperatures [C] (or None) and diurnal half swing [C].

    The same climate the embedded weather year is calibrated to
    (:func:`energyopt.resource.climate.site_climate`): a bundled site's published normals
    where ``data/climate_normals.csv`` has them, else its climate zone's estimates; a custom
    site's own ``monthly_temp_air_c`` and ``temp_swing_c`` (or its nearest zone's swing).
    """
    if isinstance(scenario.site, str):
        from energyopt.resource.climate import site_climate

        climate = site_climate(scenario)
        if climate.monthly_temp_air_c:
            return [float(t) for t in climate.monthly_temp_air_c], float(climate.temp_swing_c)
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
        # the per-person figure and its cooling share describe hot deployments: the cooling
        # part scales with this site's cooling degree hours over those of the reference climate
        ref_zone = data.climate_zone(COOLING_REFERENCE_ZONE)
        ref = cooling_reference_k(ref_zone["temp_air_c"].tolist(),
                                  arch.cooling_damping * float(ref_zone["temp_swing_c"].mean()),
                                  arch.cooling_base_temp_c)
        if monthly is not None:
            site_k = cooling_reference_k(monthly, arch.cooling_damping * swing,
                                         arch.cooling_base_temp_c)
            notes.add(f"cooling scaled to the site's normal climate: {site_k / ref:.0%} of the "
                      f"cooling of the reference climate ({COOLING_REFERENCE_ZONE}, where "
                      f"kWh/person/day and cooling_share {cooling_share:g} apply)")
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
