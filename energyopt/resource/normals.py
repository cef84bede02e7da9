"""Monthly GHI from sunshine hours: the Angstrom-Prescott relation of FAO-56.

Published climate normals often give monthly sunshine hours but no irradiation. FAO
Irrigation and Drainage Paper 56 (Allen, Pereira, Raes and Smith, 1998, chapter 3) turns them
into global horizontal irradiation with

* eq. 21, the extraterrestrial daily irradiation on a horizontal surface,
  ``Ra = 24*60/pi * Gsc * dr * (ws sin(phi) sin(delta) + cos(phi) cos(delta) sin(ws))``
  with ``Gsc = 0.0820 MJ/m2/min``, ``dr = 1 + 0.033 cos(2 pi J / 365)`` (eq. 23),
  ``delta = 0.409 sin(2 pi J / 365 - 1.39)`` (eq. 24) and ``ws = arccos(-tan(phi) tan(delta))``
  (eq. 25);
* eq. 34, the daylight hours ``N = 24 / pi * ws``;
* eq. 35, the Angstrom-Prescott relation ``Rs = (as + bs n / N) Ra`` with the defaults
  ``as = 0.25`` and ``bs = 0.50`` where no local calibration exists.

A month is represented by its 15th day (day of year ``J`` of a non-leap year), which FAO-56
(Annex 2, Table 2.6 and the worked examples) also uses for monthly values. The result carries
grade D in ``data/climate_normals.csv`` (derived from cited numbers with a cited relation).
"""

from __future__ import annotations

import math
from typing import Final

__all__ = [
    "ANGSTROM_A",
    "ANGSTROM_B",
    "MJ_PER_KWH",
    "angstrom_ghi_kwh_m2_day",
    "daylight_hours",
    "extraterrestrial_mj_m2_day",
    "mid_month_day_of_year",
]

ANGSTROM_A: Final = 0.25
"""FAO-56 default regression constant ``as`` of eq. 35 [-]."""

ANGSTROM_B: Final = 0.50
"""FAO-56 default regression constant ``bs`` of eq. 35 [-]."""

MJ_PER_KWH: Final = 3.6
"""Megajoules in one kilowatt-hour."""

_SOLAR_CONSTANT_MJ_M2_MIN: Final = 0.0820
_DAYS_BEFORE_MONTH: Final = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)


def mid_month_day_of_year(month: int) -> int:
    """Return the day of year of the 15th of ``month`` in a non-leap year.

    Parameters
    ----------
    month : int
        Calendar month, 1 to 12.

    Returns
    -------
    int
        Day of year ``J`` (15 for January, 349 for December).

    Raises
    ------
    ValueError
        If ``month`` is not in 1..12.
    """
    if not 1 <= int(month) <= 12 or int(month) != month:
        raise ValueError(f"month must be an integer in 1..12, got {month!r}")
    return _DAYS_BEFORE_MONTH[int(month) - 1] + 15


def _sunset_hour_angle(latitude_deg: float, day_of_year: int) -> tuple[float, float, float]:
    """Return (latitude [rad], declination [rad], sunset hour angle [rad]), FAO-56 eq. 22-25."""
    if not -90.0 <= latitude_deg <= 90.0:
        raise ValueError(f"latitude_deg must be in [-90, 90], got {latitude_deg!r}")
    phi = math.radians(latitude_deg)
    delta = 0.409 * math.sin(2.0 * math.pi * day_of_year / 365.0 - 1.39)
    # clipped so that polar day and night stay defined (FAO-56 notes eq. 25 fails beyond 55-66 deg)
    cos_ws = max(-1.0, min(1.0, -math.tan(phi) * math.tan(delta)))
    return phi, delta, math.acos(cos_ws)


def extraterrestrial_mj_m2_day(latitude_deg: float, day_of_year: int) -> float:
    """Extraterrestrial daily irradiation on a horizontal surface, FAO-56 eq. 21.

    Parameters
    ----------
    latitude_deg : float
        Latitude [degrees], north positive.
    day_of_year : int
        Day of the year ``J``, 1 to 365.

    Returns
    -------
    float
        ``Ra`` [MJ/m2/day].
    """
    phi, delta, ws = _sunset_hour_angle(latitude_deg, day_of_year)
    dr = 1.0 + 0.033 * math.cos(2.0 * math.pi * day_of_year / 365.0)
    return (24.0 * 60.0 / math.pi * _SOLAR_CONSTANT_MJ_M2_MIN * dr
            * (ws * math.sin(phi) * math.sin(delta)
               + math.cos(phi) * math.cos(delta) * math.sin(ws)))


def daylight_hours(latitude_deg: float, day_of_year: int) -> float:
    """Maximum possible sunshine duration, FAO-56 eq. 34.

    Parameters
    ----------
    latitude_deg : float
        Latitude [degrees], north positive.
    day_of_year : int
        Day of the year ``J``, 1 to 365.

    Returns
    -------
    float
        ``N`` [h].
    """
    _, _, ws = _sunset_hour_angle(latitude_deg, day_of_year)
    return 24.0 / math.pi * ws


def angstrom_ghi_kwh_m2_day(latitude_deg: float, month: int, sunshine_h: float, *,
                            a: float = ANGSTROM_A, b: float = ANGSTROM_B) -> float:
    """Monthly mean daily GHI from mean daily sunshine hours (Angstrom-Prescott, FAO-56).

    ``Rs = (a + b n / N) Ra`` (Allen et al. 1998, FAO Irrigation and Drainage Paper 56,
    eq. 35), with ``Ra`` from eq. 21 and ``N`` from eq. 34 on the 15th of ``month``.

    Parameters
    ----------
    latitude_deg : float
        Site latitude [degrees], north positive.
    month : int
        Calendar month, 1 to 12.
    sunshine_h : float
        Mean daily bright sunshine duration ``n`` of the month [h/day]; from 0 to ``N``.
    a, b : float, optional
        Angstrom-Prescott regression constants [-]; FAO-56 defaults 0.25 and 0.50.

    Returns
    -------
    float
        Global horizontal irradiation [kWh/m2/day] (``Rs`` in MJ/m2/day divided by 3.6).

    Raises
    ------
    ValueError
        If ``sunshine_h`` is negative or exceeds the day length ``N`` by more than 0.05 h, or
        ``month`` or ``latitude_deg`` is out of range.
    """
    day = mid_month_day_of_year(month)
    n_max = daylight_hours(latitude_deg, day)
    if not math.isfinite(sunshine_h) or sunshine_h < 0.0 or sunshine_h > n_max + 0.05:
        raise ValueError(
            f"sunshine_h={sunshine_h!r} must lie in [0, N={n_max:.2f} h] for month {month} "
            f"at latitude {latitude_deg}"
        )
    ratio = min(sunshine_h / n_max, 1.0) if n_max > 0.0 else 0.0
    ra = extraterrestrial_mj_m2_day(latitude_deg, day)
    return (a + b * ratio) * ra / MJ_PER_KWH
