"""Shared pieces of the resource package: weather columns, array types and argument checks.

The hashable description of a time index (:class:`_IndexKey`) is the cache key of the cached
functions; :func:`_local_parts` gives local calendar parts of UTC times.

The time conventions of :mod:`energyopt.resource` apply.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["WEATHER_COLUMNS", "FloatArray", "IntArray"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_Array = TypeVar("_Array", bound=np.ndarray)

WEATHER_COLUMNS = ("ghi", "dni", "dhi", "temp_air", "wind_speed")

_NS_PER_H = 3_600_000_000_000
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec")


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


def _local_parts(ns: IntArray, tz: str) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Local year, month, fractional day of year (0 at 1 Jan 00:00) and clock hour of times."""
    local = pd.DatetimeIndex(ns.astype("datetime64[ns]")).tz_localize("UTC").tz_convert(tz)
    naive = local.tz_localize(None)
    clock = (np.asarray(naive.hour, dtype=float) + np.asarray(naive.minute, dtype=float) / 60.0
             + np.asarray(naive.second, dtype=float) / 3600.0)
    doy = np.asarray(naive.day_of_year, dtype=float) - 1.0 + clock / 24.0
    return (np.asarray(naive.year, dtype=np.int64), np.asarray(naive.month, dtype=np.int64),
            doy, clock)
