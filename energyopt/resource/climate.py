"""Monthly climate of a site: GHI targets from clearness and the site's resolved climate.

For bundled sites, each month's GHI and temperatures are the site's published climate
normals (``data/climate_normals.csv``, read by :func:`energyopt.data.climate_normals`): the
monthly mean daily GHI, the monthly mean air temperature, and the diurnal half swing
``(max - min) / 2`` of the mean daily minimum and maximum, with the skew ``mean - (min + max)
/ 2`` that puts the embedded year's daily extremes on the published ones. A month whose cells
are empty (or a site without rows) falls back, month by month, to the estimate used before:
the annual GHI estimate of ``data/sites.csv`` shaped by the monthly clearness of the site's
climate zone (``data/climate_zones.csv``): ``target_m ~ kt_m * H0_m``, scaled so that the
day-weighted annual mean equals the estimate (:func:`monthly_ghi_from_kt`), and the zone's
temperatures and swing (grade E). Each month keeps the grade of what it came from
(:attr:`SiteClimate.ghi_grades`, :attr:`SiteClimate.temp_grades`). These monthly values
feed the embedded weather year (:mod:`energyopt.resource.embedded`); a set ``solar.seed``
draws its anomalies around them.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from energyopt import data
from energyopt.errors import ScenarioError
from energyopt.resource.common import _MONTH_NAMES, FloatArray, _check_range, _monthly
from energyopt.resource.sun import monthly_extraterrestrial_kwh_m2_day
from energyopt.scenario import Scenario, SiteSpec

__all__ = ["GRADE_ORDER", "MAX_MONTHLY_KT", "MIN_ANNUAL_KT", "SiteClimate", "lowest_grade",
           "monthly_ghi_from_kt", "plausible_annual_ghi", "site_climate", "site_normals"]

#: Largest monthly mean clearness index accepted as a target or input [-].
MAX_MONTHLY_KT = 0.85


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
# A scenario's site
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
        Half the mean diurnal temperature range, mean of the months [C].
    soiling_monthly_fraction : tuple of float
        Default soiling loss of each month [-] (the scenario may override it).
    zone : str
        Climate zone whose tables gave defaults (``data/climate_zones.csv``).
    source : str
        Where each value came from, with its grade, for reports.
    monthly_temp_swing_c : tuple of float
        Half the mean diurnal temperature range of each month [C] (empty: ``temp_swing_c``).
    monthly_temp_skew_c : tuple of float
        Each month's mean temperature minus its mid-range ``(min + max) / 2`` [C] (empty:
        zero).
    ghi_grades, temp_grades : tuple of str
        Provenance grade of each month's GHI and temperatures (``data.GRADES``, or ``?`` for
        a value given in the scenario).
    """

    monthly_ghi_kwh_m2_day: tuple[float, ...]
    monthly_temp_air_c: tuple[float, ...]
    temp_swing_c: float
    soiling_monthly_fraction: tuple[float, ...]
    zone: str
    source: str
    monthly_temp_swing_c: tuple[float, ...] = ()
    monthly_temp_skew_c: tuple[float, ...] = ()
    ghi_grades: tuple[str, ...] = ()
    temp_grades: tuple[str, ...] = ()

    @property
    def ghi_grade(self) -> str:
        """The lowest grade of the monthly GHI (``E`` < ``?`` < ``D`` < ``S`` < ``P``)."""
        return lowest_grade(self.ghi_grades)

    @property
    def temp_grade(self) -> str:
        """The lowest grade of the monthly temperatures and swings."""
        return lowest_grade(self.temp_grades)


#: Grades from the weakest to the strongest (``?``: a scenario value, source unknown here).
GRADE_ORDER = ("E", "?", "D", "S", "P")


def lowest_grade(grades: Sequence[str]) -> str:
    """Return the weakest of provenance grades (``E`` when none are given)."""
    known = [g for g in grades if g in GRADE_ORDER]
    return min(known, key=GRADE_ORDER.index) if known else "E"


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

    Raises
    ------
    ScenarioError
        On ``site.ghi_kwh_m2_day`` when the annual GHI is too high for the latitude (a month's
        clearness above ``MAX_MONTHLY_KT``), with the plausible range there.
    """
    try:
        return _site_climate(scenario)
    except ValueError as exc:
        if isinstance(exc, ScenarioError):
            raise
        site = scenario.site_spec()
        if isinstance(scenario.site, str) or site.ghi_kwh_m2_day is None:
            raise
        kt, shape = _kt_shape(site)
        low, high, h0 = plausible_annual_ghi(site.latitude, kt)
        raise ScenarioError.single(
            "site.ghi_kwh_m2_day", site.ghi_kwh_m2_day,
            f"{exc}. At latitude {site.latitude:g} the extraterrestrial irradiation averages "
            f"{h0:.2f} kWh/m2/day, so a plausible annual mean GHI lies between {low:.2f} and "
            f"{high:.2f} kWh/m2/day (with {shape}, no month's clearness index above "
            f"{MAX_MONTHLY_KT}); fix: give the site's annual mean daily GHI in that range, e.g. "
            "from PVGIS or NASA POWER, or give site.monthly_ghi_kwh_m2_day") from exc


def _kt_shape(site: SiteSpec) -> tuple[list[float], str]:
    """Return the monthly clearness shaping a custom site's GHI, and its source."""
    if site.monthly_kt is not None:
        return list(site.monthly_kt), "the monthly clearness given in site.monthly_kt"
    near, km = data.nearest_site(site.latitude, site.longitude)
    return ([float(v) for v in data.climate_zone(near.climate_zone)["kt"]],
            f"the monthly clearness of climate zone '{near.climate_zone}' of the nearest "
            f"bundled site, {near.name}, {km:,.0f} km away")


#: Annual mean clearness index of the cloudiest sites [-] (low end of the plausible range).
MIN_ANNUAL_KT = 0.3


def plausible_annual_ghi(latitude: float, monthly_kt: Sequence[float] | None = None
                         ) -> tuple[float, float, float]:
    """Plausible range of the annual mean daily GHI at a latitude [kWh/m2/day].

    Parameters
    ----------
    latitude : float
        Latitude [deg], north positive.
    monthly_kt : sequence of float, optional
        Monthly clearness giving the seasonal shape; default a flat clearness.

    Returns
    -------
    tuple of float
        ``(low, high, h0)``: ``low`` is :data:`MIN_ANNUAL_KT` times ``h0``, the day-weighted
        annual mean extraterrestrial irradiation; ``high`` the largest annual mean whose
        months, shaped by ``monthly_kt``, all keep a clearness index of at most
        :data:`MAX_MONTHLY_KT`.
    """
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
    h0 = monthly_extraterrestrial_kwh_m2_day(latitude)
    kt = np.ones(12) if monthly_kt is None else np.asarray(list(monthly_kt), dtype=float)
    h0_mean = float((h0 * days).sum() / days.sum())
    shaped = kt * h0
    mean = float((shaped * days).sum() / days.sum())
    lit = h0 > 0
    top = float(kt[lit].max()) if lit.any() else 1.0
    high = mean * MAX_MONTHLY_KT / top if top > 0 else 0.0
    return MIN_ANNUAL_KT * h0_mean, high, h0_mean


def _site_climate(scenario: Scenario) -> SiteClimate:
    """:func:`site_climate` without the translation of its errors."""
    site = scenario.site_spec()
    if isinstance(scenario.site, str):
        return _bundled_climate(scenario.site)
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
        ghi_grade = "E" if "monthly clearness" in borrowed or (
            site.monthly_ghi_kwh_m2_day is None and site.monthly_kt is None) else "?"
        temp_grade = "?" if site.monthly_temp_air_c is not None else "E"
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
        monthly_temp_swing_c=(swing,) * 12,
        monthly_temp_skew_c=(0.0,) * 12,
        ghi_grades=(ghi_grade,) * 12,
        temp_grades=(temp_grade,) * 12,
    )


def site_normals(key: str) -> pd.DataFrame | None:
    """Return a bundled site's climate normals indexed by month 1..12, or None.

    Parameters
    ----------
    key : str
        A key of ``data/sites.csv``.

    Returns
    -------
    pandas.DataFrame or None
        The rows of ``data/climate_normals.csv`` for the site (columns ``ghi_kwh_m2_day``,
        ``ghi_grade``, ``ghi_source``, ``temp_mean_c``, ``temp_min_c``, ``temp_max_c``,
        ``temp_grade``, ``temp_source``, ``period``; empty cells NaN), or None when the site
        has no rows.
    """
    table = data.climate_normals(key)
    if table is None or len(table) == 0:
        return None
    frame = table.set_index("month") if "month" in table.columns else table
    frame.index = frame.index.astype(int)
    return frame.reindex(range(1, 13))


def _number(row: pd.Series, column: str) -> float | None:
    """Return a finite float cell of a normals row, or None (missing or empty)."""
    if column not in row.index:
        return None
    try:
        value = float(row[column])
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None


def _text(row: pd.Series, column: str) -> str:
    value = row.get(column)
    return "" if value is None or (isinstance(value, float) and not np.isfinite(value)) else (
        str(value).strip())


def _bundled_climate(key: str) -> SiteClimate:
    """Return a bundled site's climate: its normals month by month, else the zone estimate."""
    record = data.site(key)
    zone = record.climate_zone
    table = data.climate_zone(zone)
    zone_grade = data.climate_zone_grade(zone)
    ghi = monthly_ghi_from_kt(record.latitude, table["kt"].tolist(), record.ghi_kwh_m2_day)
    temps = table["temp_air_c"].to_numpy(dtype=float).copy()
    swings = table["temp_swing_c"].to_numpy(dtype=float).copy()
    skews = np.zeros(12)
    ghi_grades = [record.ghi_grade] * 12
    temp_grades = [zone_grade] * 12
    ghi_from: dict[str, list[int]] = {}
    temp_from: dict[str, list[int]] = {}
    normals = site_normals(key)
    for m in range(12):
        if normals is None:
            break
        row = normals.iloc[m]
        value = _number(row, "ghi_kwh_m2_day")
        if value is not None:
            ghi[m] = value
            ghi_grades[m] = _text(row, "ghi_grade") or "?"
            ghi_from.setdefault(f"{_text(row, 'ghi_source')} (grade {ghi_grades[m]})",
                                []).append(m)
        mean, low, high = (_number(row, c) for c in ("temp_mean_c", "temp_min_c", "temp_max_c"))
        if mean is None and low is not None and high is not None:
            mean = (low + high) / 2.0
        if mean is None:
            continue
        temps[m] = mean
        grade = _text(row, "temp_grade") or "?"
        if low is not None and high is not None and high >= low:
            swings[m] = (high - low) / 2.0
            skews[m] = mean - (low + high) / 2.0
            temp_grades[m] = grade
        else:  # a published mean with the zone's swing
            temp_grades[m] = lowest_grade([grade, zone_grade])
        period = _text(row, "period")
        temp_from.setdefault(f"{_text(row, 'temp_source')}"
                             f"{', ' + period if period else ''} (grade {grade})",
                             []).append(m)
    estimate_ghi = [m for m in range(12) if not any(m in v for v in ghi_from.values())]
    estimate_temp = [m for m in range(12) if not any(m in v for v in temp_from.values())]
    parts = [f"monthly GHI {_months(v)} from data/climate_normals.csv: {k}"
             for k, v in ghi_from.items()]
    if estimate_ghi:
        parts.append(f"monthly GHI {_months(estimate_ghi)}: annual GHI "
                     f"{record.ghi_kwh_m2_day} kWh/m2/day (data/sites.csv, grade "
                     f"{record.ghi_grade}: estimate) shaped by the monthly clearness of climate "
                     f"zone '{zone}'")
    parts += [f"air temperature (mean, daily min and max) {_months(v)} from "
              f"data/climate_normals.csv: {k}" for k, v in temp_from.items()]
    if estimate_temp:
        parts.append(f"air temperature {_months(estimate_temp)}: climate zone '{zone}' "
                     f"(data/climate_zones.csv, grade {zone_grade}: estimate)")
    return SiteClimate(
        monthly_ghi_kwh_m2_day=tuple(float(v) for v in ghi),
        monthly_temp_air_c=tuple(float(v) for v in temps),
        temp_swing_c=float(swings.mean()),
        soiling_monthly_fraction=tuple(float(v) for v in data.soiling(zone)),
        zone=zone,
        source="; ".join(parts),
        monthly_temp_swing_c=tuple(float(v) for v in swings),
        monthly_temp_skew_c=tuple(float(v) for v in skews),
        ghi_grades=tuple(ghi_grades),
        temp_grades=tuple(temp_grades),
    )


def _months(months: Sequence[int]) -> str:
    """``(all months)`` or the month names, e.g. ``(Jan, Feb)``."""
    if len(months) == 12:
        return "(all months)"
    return "(" + ", ".join(_MONTH_NAMES[m] for m in months) + ")"
