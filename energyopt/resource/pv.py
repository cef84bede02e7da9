"""The PV system: plane of array, cell temperature and AC output per kWp.

The time conventions of :mod:`energyopt.resource` apply: solar position at the interval
MIDPOINT, irradiance as interval means on a tz-aware index labelled at interval starts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
import pvlib

from energyopt import data
from energyopt.resource.common import (
    WEATHER_COLUMNS,
    _check_range,
    _check_site,
    _IndexKey,
    _local_parts,
    _monthly,
)
from energyopt.resource.sun import _day_of_year_mid, _solar_position

__all__ = [
    "SAPM_MOUNT",
    "TemperatureModel",
    "Tracking",
    "Transposition",
    "cell_temperature_c",
    "default_tilt_azimuth",
    "plane_of_array",
    "pv_kw_per_kwp",
]

#: SAPM cell-temperature parameters used for ``temperature_model='sapm'``.
SAPM_MOUNT = "open_rack_glass_polymer"

Tracking = Literal["fixed", "single_axis"]
Transposition = Literal["perez", "haydavies"]
TemperatureModel = Literal["sapm", "faiman"]


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


def _pv_on(weather: pd.DataFrame, latitude: float, longitude: float, elevation_m: float,
           system: _System) -> pd.Series:
    """Return PV output per kWp on a given weather frame (embedded or a file's year)."""
    return pv_kw_per_kwp(
        weather, latitude, longitude, elevation_m, tracking=system.tracking,
        tilt_deg=system.tilt_deg, azimuth_deg=system.azimuth_deg, gcr=system.gcr,
        max_angle_deg=system.max_angle_deg, backtrack=system.backtrack,
        transposition=system.transposition, temperature_model=system.temperature_model,
        soiling_monthly_fraction=system.soiling, albedo_fraction=system.albedo_fraction,
        losses_fraction=system.losses_fraction, dc_ac_ratio=system.dc_ac_ratio,
        inverter_efficiency=system.inverter_efficiency,
        temp_coefficient_per_c=system.temp_coefficient_per_c)
