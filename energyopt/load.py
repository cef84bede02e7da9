"""Camp load profiles.

For now one route beyond measured data: an archetype scaled by personnel and kWh per person
per day, shaped by a cooling-driven daily profile (DOMAIN.md, grade E: afternoon peak about
1.4x the daily mean, night about 0.7x). Weather-driven cooling, components (hospital, water
treatment) and seeded noise belong to the load-profile work that follows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from energyopt.scenario import Scenario
from energyopt.series import conform, read_csv

__all__ = ["archetype_load_kw", "daily_shape", "load_inputs"]


def daily_shape(hour_of_day: np.ndarray, *, day_peak_factor: float,
                night_factor: float) -> np.ndarray:
    """Cooling-driven daily load shape, relative to the daily mean (not yet normalised).

    The shape is ``night + (peak - night) * s(h)`` with ``s`` a raised cosine peaking at
    14:30 that is zero outside 10:30-18:30.

    Parameters
    ----------
    hour_of_day : np.ndarray
        Local clock hour at the middle of each step [h, 0-24).
    day_peak_factor : float
        Peak over the daily mean before rescaling [-].
    night_factor : float
        Night level over the daily mean before rescaling [-].

    Returns
    -------
    np.ndarray
        Multipliers [-] on the daily mean load, before normalisation (see
        :func:`archetype_load_kw`, which rescales them to a mean of one over the day's steps).
    """
    phase = (hour_of_day - 14.5) / 12.0 * np.pi  # +-pi at 02:30
    bump = np.clip(np.cos(phase) * 2.0 - 1.0, 0.0, None) ** 0.5  # day only
    return night_factor + (day_peak_factor - night_factor) * bump


def archetype_load_kw(index: pd.DatetimeIndex, *, personnel: int,
                      kwh_per_person_per_day: float, day_peak_factor: float,
                      night_factor: float) -> pd.Series:
    """Load of a camp archetype [kW] on ``index``.

    Parameters
    ----------
    index : pd.DatetimeIndex
        Step starts, tz-aware local time, regular.
    personnel : int
        People in the camp [-].
    kwh_per_person_per_day : float
        Electricity per person per day [kWh].
    day_peak_factor, night_factor : float
        Shape of the day [-], see :func:`daily_shape`.

    Returns
    -------
    pd.Series
        Mean load over each step [kW]; its daily energy is ``personnel *
        kwh_per_person_per_day``.
    """
    step_h = (index[1] - index[0]).total_seconds() / 3600.0 if len(index) > 1 else 1.0
    mid = index + pd.Timedelta(hours=step_h / 2.0)
    hour = mid.hour + mid.minute / 60.0 + mid.second / 3600.0
    mean_kw = personnel * kwh_per_person_per_day / 24.0
    shape = daily_shape(np.asarray(hour, dtype=float), day_peak_factor=day_peak_factor,
                        night_factor=night_factor)
    # rescale so that one day of steps averages exactly one: daily energy is kept exactly
    per_day = max(round(24.0 / step_h), 1)
    norm = daily_shape((np.arange(per_day) + 0.5) * step_h, day_peak_factor=day_peak_factor,
                       night_factor=night_factor).mean()
    return pd.Series(mean_kw * shape / norm, index=index, name="load_kw")


def load_inputs(scenario: Scenario, index: pd.DatetimeIndex, weather: pd.DataFrame | None
                ) -> tuple[pd.Series, pd.Series]:
    """Resolve a scenario's load on the model's index.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (its ``load`` section).
    index : pd.DatetimeIndex
        The model's step starts, tz-aware in the site's timezone.
    weather : pd.DataFrame or None
        The site's weather on ``index`` (``temp_air`` [C] drives cooling), if known.

    Returns
    -------
    tuple of pd.Series
        ``(load_kw, critical_load_kw)``: mean load and its never-shed part over each step [kW].

    Raises
    ------
    ScenarioError
        When a given load series is missing values, has the wrong length or step, or is out of
        bounds.
    """
    del weather  # cooling driven by air temperature comes with the load-profile work
    ls = scenario.load
    if ls.constant_kw is not None:
        load = pd.Series(ls.constant_kw, index=index)
    elif ls.archetype is not None:
        assert ls.personnel is not None
        load = archetype_load_kw(
            index, personnel=ls.personnel, kwh_per_person_per_day=ls.kwh_per_person_per_day,
            day_peak_factor=ls.day_peak_factor, night_factor=ls.night_factor)
    else:
        raw = ls.series if ls.series is not None else read_csv(
            scenario.resolve_path(ls.csv), ls.column, "load")  # type: ignore[arg-type]
        load = conform(raw, index, "load.series" if ls.series is not None else "load.csv",
                       lower=0.0, upper=1e6, unit="kW")
    load = (load * ls.scale).rename("load_kw")
    critical = (load * ls.critical_fraction).rename("critical_load_kw")
    return load, critical
