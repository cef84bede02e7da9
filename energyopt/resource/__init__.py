"""Solar resource: weather (embedded, files, PVGIS) and PV output per kWp.

Conventions
-----------
Every function of this package takes and returns data under these rules (weather
files are read on their own clocks, see :mod:`~energyopt.resource.files`, and end on
them):

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

Modules
-------
* :mod:`~energyopt.resource.embedded`: the embedded stochastic weather year (the method and
  its sources are in that module's docstring);
* :mod:`~energyopt.resource.years`: :func:`weather_years`, one scenario override per weather
  year of an ensemble (embedded seeds or a multi-year file's real years);
* :mod:`~energyopt.resource.design`: the design weather year of ``solar.design_percentile``
  (the ensemble's year at a percentile of PV yield);
* :mod:`~energyopt.resource.climate`: monthly GHI targets and a site's resolved climate;
* :mod:`~energyopt.resource.pv`: plane of array, cell temperature and PV output per kWp;
* :mod:`~energyopt.resource.sun`: extraterrestrial irradiation and solar position;
* :mod:`~energyopt.resource.files`: weather files (read, typical year, onto the model's
  index), with :mod:`~energyopt.resource.formats` (each format's reader and time convention),
  :mod:`~energyopt.resource.checks` (checks and repairs) and
  :mod:`~energyopt.resource.pvgis` (the PVGIS download and its cache). These load only when a
  scenario asks for a weather file or PVGIS.
"""

from __future__ import annotations

import functools

import pandas as pd

from energyopt.errors import ScenarioError
from energyopt.resource.climate import MAX_MONTHLY_KT as MAX_MONTHLY_KT
from energyopt.resource.climate import SiteClimate, monthly_ghi_from_kt, site_climate
from energyopt.resource.common import WEATHER_COLUMNS, _IndexKey
from energyopt.resource.common import FloatArray as FloatArray
from energyopt.resource.common import IntArray as IntArray
from energyopt.resource.embedded import CEILING_LINKE_TURBIDITY as CEILING_LINKE_TURBIDITY
from energyopt.resource.embedded import DAILY_KT_LAG1_CORRELATION as DAILY_KT_LAG1_CORRELATION
from energyopt.resource.embedded import DAILY_KT_MIN as DAILY_KT_MIN
from energyopt.resource.embedded import (
    DEFAULT_WEATHER_SEED,
    WeatherVariability,
    embedded_weather,
    expected_annual_ghi_cv,
)
from energyopt.resource.embedded import EMBEDDED_WIND_SPEED_M_S as EMBEDDED_WIND_SPEED_M_S
from energyopt.resource.embedded import HOURLY_KT_MIN as HOURLY_KT_MIN
from energyopt.resource.embedded import TEMP_C_PER_DAILY_KT as TEMP_C_PER_DAILY_KT
from energyopt.resource.pv import SAPM_MOUNT as SAPM_MOUNT
from energyopt.resource.pv import TemperatureModel as TemperatureModel
from energyopt.resource.pv import Tracking as Tracking
from energyopt.resource.pv import Transposition as Transposition
from energyopt.resource.pv import (
    _pv_on,
    _System,
    cell_temperature_c,
    default_tilt_azimuth,
    plane_of_array,
    pv_kw_per_kwp,
)
from energyopt.resource.sun import SOLAR_CONSTANT_W_M2 as SOLAR_CONSTANT_W_M2
from energyopt.resource.sun import monthly_extraterrestrial_kwh_m2_day
from energyopt.resource.years import weather_years
from energyopt.scenario import PvgisSpec, Scenario
from energyopt.series import conform, read_source

__all__ = [
    "DEFAULT_WEATHER_SEED",
    "WEATHER_COLUMNS",
    "SiteClimate",
    "WeatherVariability",
    "cell_temperature_c",
    "default_tilt_azimuth",
    "embedded_weather",
    "expected_annual_ghi_cv",
    "monthly_extraterrestrial_kwh_m2_day",
    "monthly_ghi_from_kt",
    "plane_of_array",
    "pv_kw_per_kwp",
    "site_climate",
    "solar_inputs",
    "weather_years",
]


def _swings(climate: SiteClimate) -> tuple[float, ...] | float:
    """Return the diurnal half swing of each month (or of the year) of a climate [C]."""
    return climate.monthly_temp_swing_c or climate.temp_swing_c


def _skews(climate: SiteClimate) -> tuple[float, ...] | None:
    """Return each month's mean minus its mid-range [C] of a climate, or None."""
    return climate.monthly_temp_skew_c or None


@functools.lru_cache(maxsize=32)
def _pv_cached(key: _IndexKey, latitude: float, longitude: float, elevation_m: float,
               climate: SiteClimate, seed: int, system: _System,
               variability: WeatherVariability | None = None) -> pd.Series:
    weather = embedded_weather(latitude, longitude, elevation_m, key.index(),
                               monthly_ghi_kwh_m2_day=climate.monthly_ghi_kwh_m2_day,
                               monthly_temp_air_c=climate.monthly_temp_air_c,
                               temp_swing_c=_swings(climate), seed=seed,
                               variability=variability, temp_skew_c=_skews(climate))
    return _pv_on(weather, latitude, longitude, elevation_m, system)


def solar_inputs(scenario: Scenario, index: pd.DatetimeIndex
                 ) -> tuple[pd.DataFrame, pd.Series]:
    """Resolve a scenario's weather and PV output on the model's index.

    The weather is the site's embedded weather year (:func:`site_climate`,
    :func:`embedded_weather`): the typical year when ``solar.seed`` is unset, a year with the
    inter-annual variability of the site's climate zone (``data/weather_variability.csv``,
    :class:`WeatherVariability`) when it is set; unless ``solar.weather`` names a weather
    file or PVGIS (read by :mod:`energyopt.resource.files`); it is returned also when PV
    output is given directly: the load model needs its air temperature. Embedded results are
    cached per site and settings within a run; the frames returned are copies.

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
    variability = (_zone_variability(climate.zone) if climate is not None
                   and isinstance(sol.weather, str) and sol.seed is not None else None)
    if isinstance(sol.weather, str):
        assert climate is not None
        weather = _embedded_for(scenario, index, climate, seed, variability)
    else:
        from energyopt.resource.files import weather_from_spec  # loads only when asked for

        weather = weather_from_spec(sol.weather, site=site, index=index,
                                    base_dir=scenario.base_dir,
                                    paths=scenario.relative_paths_text())
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
    system = _system_of(scenario, climate)
    if isinstance(sol.weather, str):
        assert climate is not None
        pv = _pv_cached(_IndexKey.of(index), site.latitude, site.longitude, site.elevation_m,
                        climate, seed, system, variability).copy().set_axis(index)
    else:
        pv = _pv_on(weather, site.latitude, site.longitude, site.elevation_m, system)
    soiling_source = ("given in the scenario" if climate is None or
                      sol.soiling_monthly_fraction is not None
                      else f"of zone '{climate.zone}' (data/soiling.csv, grade E: estimate)")
    pv.attrs["source"] = (f"{sol.tracking} PV, {sol.transposition} transposition, "
                          f"{sol.temperature_model} cell temperature, soiling {soiling_source}; "
                          f"on the {weather.attrs['source']}")
    return weather, pv.rename("pv_kw_per_kwp")


def _system_of(scenario: Scenario, climate: SiteClimate | None) -> _System:
    """Return a scenario's PV system (``climate`` gives the soiling when the scenario does not)."""
    sol = scenario.solar
    if sol.soiling_monthly_fraction is not None:
        soiling = tuple(float(v) for v in sol.soiling_monthly_fraction)
    else:
        assert climate is not None
        soiling = climate.soiling_monthly_fraction
    return _System(
        tracking=sol.tracking, tilt_deg=sol.tilt_deg, azimuth_deg=sol.azimuth_deg,
        gcr=sol.gcr, max_angle_deg=sol.max_angle_deg,
        backtrack=True if sol.backtrack is None else sol.backtrack,
        transposition=sol.transposition, temperature_model=sol.temperature_model,
        soiling=soiling, albedo_fraction=sol.albedo_fraction,
        losses_fraction=sol.losses_fraction, dc_ac_ratio=sol.dc_ac_ratio,
        inverter_efficiency=sol.inverter_efficiency,
        temp_coefficient_per_c=sol.temp_coefficient_per_c)


def pv_on_weather(scenario: Scenario, weather: pd.DataFrame) -> pd.Series:
    """Return the AC output per kWp [kW/kWp] of a scenario's PV system on a weather frame.

    The PV model of :func:`solar_inputs` (same system, soiling and site) on weather already
    mapped onto the model's index, e.g. one year of a multi-year file.
    """
    sol = scenario.solar
    climate = site_climate(scenario) if sol.soiling_monthly_fraction is None else None
    site = scenario.site_spec()
    return _pv_on(weather, site.latitude, site.longitude, site.elevation_m,
                  _system_of(scenario, climate))


def _zone_variability(zone: str) -> WeatherVariability:
    """Return a climate zone's inter-annual variability; the error names solar.seed."""
    try:
        return WeatherVariability.of_zone(zone)
    except KeyError as exc:
        raise ScenarioError.single(
            "solar.seed", zone, f"climate zone '{zone}' has no inter-annual variability in "
            "data/weather_variability.csv; add its rows, or leave solar.seed unset for the "
            "typical year") from exc


def _embedded_for(scenario: Scenario, index: pd.DatetimeIndex, climate: SiteClimate,
                  seed: int, variability: WeatherVariability | None = None) -> pd.DataFrame:
    """Return the site's embedded weather year on ``index``; errors name the site field."""
    site = scenario.site_spec()
    try:
        weather = embedded_weather(
            site.latitude, site.longitude, site.elevation_m, index,
            monthly_ghi_kwh_m2_day=climate.monthly_ghi_kwh_m2_day,
            monthly_temp_air_c=climate.monthly_temp_air_c, temp_swing_c=_swings(climate),
            seed=seed, variability=variability, temp_skew_c=_skews(climate))
    except ScenarioError:
        raise
    except ValueError as exc:  # e.g. a monthly GHI above the site's clear-sky ceiling
        raise _site_error(scenario, exc) from exc
    if variability is None:
        weather.attrs["source"] = (f"embedded stochastic weather year (seed {seed}) for "
                                   f"{site.name}: {climate.source}")
    else:
        weather.attrs["source"] = (
            f"embedded weather year of seed {seed} for {site.name}, with the inter-annual "
            f"variability of zone '{variability.zone}' (data/weather_variability.csv: "
            f"{weather.attrs.get('anomaly', '')}) around {climate.source}")
    return weather


def _site_error(scenario: Scenario, exc: ValueError) -> ScenarioError:
    """Translate an embedded-weather error into one on the site field at fault."""
    site = scenario.site_spec()
    text = str(exc)
    if isinstance(scenario.site, str):
        return ScenarioError.single("site", scenario.site, f"{text}; the bundled data of this "
                                    "site cannot make a weather year: give the site by "
                                    "coordinates with its monthly GHI, or a weather file")
    named = next((n for n in ("monthly_temp_air_c", "temp_swing_c", "elevation_m", "latitude",
                              "longitude") if text.startswith(n)), None)
    if named is not None:
        return ScenarioError.single(f"site.{named}", getattr(site, named),
                                    f"{text}; fix the value")
    # a GHI target above the clear-sky ceiling: blame the GHI the targets came from
    name = next((n for n in ("monthly_ghi_kwh_m2_day", "ghi_kwh_m2_day", "monthly_kt")
                 if getattr(site, n) is not None), None)
    if name is None:
        return ScenarioError.single("site", site.name, f"{text}; give "
                                    "site.monthly_ghi_kwh_m2_day (e.g. PVGIS or NASA POWER "
                                    "monthly means) or a weather file")
    fix = "fix: give the month's mean daily GHI [kWh/m2/day] within that ceiling"
    if name != "monthly_ghi_kwh_m2_day":
        from energyopt.resource.climate import _kt_shape, plausible_annual_ghi

        kt, shape = _kt_shape(site)
        low, high, _ = plausible_annual_ghi(site.latitude, kt)
        fix = (f"the monthly targets come from {shape}, which does not fit latitude "
               f"{site.latitude:g} (plausible annual mean {low:.2f}-{high:.2f} kWh/m2/day); "
               "fix: give site.monthly_ghi_kwh_m2_day (e.g. PVGIS or NASA POWER monthly means) "
               "instead, or a weather file (solar.weather: {file: ...})")
    return ScenarioError.single(f"site.{name}", getattr(site, name), f"{text}; {fix}")
