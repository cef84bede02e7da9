"""Shared pieces of the load package: notes and warnings, clock helpers, shaping by day."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["LoadDataWarning"]


class LoadDataWarning(UserWarning):
    """A load input was repaired (gaps, duplicates, order, DST) or looks questionable."""


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
    weekday = np.asarray(wall.day_of_week, dtype=np.int64)
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


def _step_dates(index: pd.DatetimeIndex) -> np.ndarray:
    day, *_ = _clock(index)
    return day.astype("datetime64[D]")


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
