"""Checks and repairs of a parsed weather file, and resampling to hourly means.

Duplicate or irregular timestamps, implausible values (units, signs) and gaps longer than
:data:`MAX_GAP_HOURS` are errors; small negative irradiance (night offsets) is clipped to 0,
shorter gaps are interpolated and non-hourly data are averaged (finer steps) or spread evenly
(coarser steps, up to :data:`MAX_STEP_HOURS`) to hourly means, keeping energy, with a
UserWarning. Missing DNI/DHI are derived from GHI and a missing wind speed is assumed.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pvlib

from energyopt.errors import ScenarioError
from energyopt.resource.common import WEATHER_COLUMNS
from energyopt.resource.formats import (
    _HOUR,
    IRRADIANCE_COLUMNS,
    _Raw,
    _relabel_year,
    _step_text,
)

__all__ = [
    "DEFAULT_WIND_SPEED_M_S",
    "MAX_GAP_HOURS",
    "MAX_IRRADIANCE_W_M2",
    "MAX_STEP_HOURS",
    "NEGATIVE_IRRADIANCE_CLIP_W_M2",
    "TYPICAL_YEAR_LABEL",
]

#: Negative irradiance down to this magnitude is a sensor offset at night: clipped to 0 [W/m2].
NEGATIVE_IRRADIANCE_CLIP_W_M2 = 10.0
#: Irradiance above this is not a W/m2 value (units or a corrupt file) [W/m2].
MAX_IRRADIANCE_W_M2 = 1600.0
#: Gaps (missing values or rows) up to this long are interpolated with a warning [h].
MAX_GAP_HOURS = 3.0
#: Coarsest step accepted; coarser data lose the daily shape of irradiance [h].
MAX_STEP_HOURS = 3.0
#: Wind speed used when a file has none [m/s]; only the cell temperature depends on it.
DEFAULT_WIND_SPEED_M_S = 1.0
#: Label year of typical years that mix source years (non-leap, as pvlib's ``coerce_year``).
TYPICAL_YEAR_LABEL = 1990


# --------------------------------------------------------------------------------------------
# Checks and repairs
# --------------------------------------------------------------------------------------------
def _grid_step(index: pd.DatetimeIndex, field: str, path: Path) -> pd.Timedelta:
    """Return the step of a sorted index whose timestamps all lie on one regular grid."""
    if len(index) < 2:
        raise ScenarioError.single(f"{field}.file", str(path),
                                   f"{len(index)} row(s): at least two timestamps are "
                                   "needed; give hourly (or finer) data covering the "
                                   "modelled days")
    diffs = pd.Series(index[1:] - index[:-1])
    step = pd.Timedelta(diffs.mode().iloc[0])
    if step < pd.Timedelta(minutes=1) or step > pd.Timedelta(hours=MAX_STEP_HOURS):
        raise ScenarioError.single(
            f"{field}.file", str(step), f"time step of {path.name} must lie between 1 min and "
            f"{MAX_STEP_HOURS:g} h (daily or monthly data are too coarse for PV dispatch)")
    off_grid = np.flatnonzero(((index - index[0]) % step) != pd.Timedelta(0))
    if len(off_grid):
        bad = index[off_grid[0]]
        raise ScenarioError.single(
            f"{field}.file", str(bad), f"irregular timestamps in {path.name}: {bad} is off the "
            f"{step} grid that starts at {index[0]}; give one regular step")
    return step


def _longest_gap(index: pd.DatetimeIndex, step: pd.Timedelta) -> pd.Timedelta:
    if len(index) < 2:
        return pd.Timedelta(0)
    return pd.Timedelta(max(index[1:] - index[:-1])) - step


def _regularise(raw: _Raw, path: Path, field: str
                ) -> tuple[pd.DataFrame, pd.Timedelta, str, tuple[int, ...]]:
    """Sort out the time axis: a calendar series, or one year of (month, day, hour) rows.

    Returns the frame on a complete regular grid (missing rows as NaN), its step, the kind
    ('series' or 'typical') and the source years.
    """
    frame = raw.frame
    index = pd.DatetimeIndex(frame.index)
    if index.has_duplicates:
        dup = index[index.duplicated()][0]
        raise ScenarioError.single(
            f"{field}.file", str(dup), f"duplicate timestamp {dup} in {path.name}; each "
            "interval must appear once (several records per hour are not supported in EPW)")
    years = tuple(sorted({int(y) for y in index.year}))
    series_error: ScenarioError | None = None
    gappy: tuple[pd.DataFrame, pd.Timedelta, str, tuple[int, ...]] | None = None
    if not raw.one_year and index.is_monotonic_increasing:
        try:
            step = _grid_step(index, field, path)
        except ScenarioError as exc:
            series_error = exc
        else:
            series = (frame.reindex(pd.date_range(index[0], index[-1], freq=step)), step,
                      "series", years)
            if _longest_gap(index, step) <= pd.Timedelta(hours=MAX_GAP_HOURS) or len(years) < 2:
                return series
            gappy = series  # long gaps: maybe a typical year whose years happen to increase
    # one year of (month, day, hour) rows, possibly from several source years
    naive = index.tz_localize(None)
    has_feb29 = bool(((naive.month == 2) & (naive.day == 29)).any())
    relabelled = _relabel_year(index, 2000 if has_feb29 else TYPICAL_YEAR_LABEL)
    if relabelled.has_duplicates:
        if gappy is not None:
            return gappy  # a series after all; its long gap is reported by _fill_gaps
        if series_error is not None:
            raise series_error
        dup = index[relabelled.duplicated()][0]
        raise ScenarioError.single(
            f"{field}.file", str(dup), f"timestamps of {path.name} go back in time and repeat "
            f"a (month, day, hour) at {dup}: neither one time series nor one typical year; "
            "sort the file or remove the repeated part")
    order = np.argsort(relabelled.asi8, kind="stable")
    relabelled = relabelled[order]
    step = _grid_step(relabelled, field, path)
    full = pd.date_range(relabelled[0], relabelled[-1], freq=step)
    return frame.iloc[order].set_axis(relabelled).reindex(full), step, "typical", years


def _check_values(frame: pd.DataFrame, path: Path, field: str) -> tuple[pd.DataFrame, list[str]]:
    """Check units and signs; clip small negative irradiance (night offsets) to 0."""
    notes: list[str] = []
    frame = frame.copy()
    span_days = (frame.index[-1] - frame.index[0]) / pd.Timedelta(days=1)
    for col in IRRADIANCE_COLUMNS:
        if col not in frame.columns:
            continue
        values = frame[col]
        worst = values.min()
        if worst < -NEGATIVE_IRRADIANCE_CLIP_W_M2:
            at = values.idxmin()
            raise ScenarioError.single(
                f"{field}.file", f"{col} = {worst:g} W/m2 at {at}",
                f"negative irradiance in {path.name} below -{NEGATIVE_IRRADIANCE_CLIP_W_M2:g} "
                "W/m2 is not a sensor offset; check the file, its units or its missing-value "
                "code")
        small = values < 0.0
        if small.any():
            frame.loc[small, col] = 0.0
            notes.append(f"{int(small.sum())} small negative {col} values (>= "
                         f"-{NEGATIVE_IRRADIANCE_CLIP_W_M2:g} W/m2, night offsets) set to 0")
        top = values.max()
        if top > MAX_IRRADIANCE_W_M2:
            raise ScenarioError.single(
                f"{field}.file", f"{col} = {top:g} at {values.idxmax()}",
                f"{col} above {MAX_IRRADIANCE_W_M2:g} W/m2: the file's units are not W/m2 "
                "(e.g. Wh/m2 over a longer interval, kJ/m2) or the column is not irradiance")
    ghi_top = frame["ghi"].max()
    if span_days >= 7 and ghi_top < 30.0:
        raise ScenarioError.single(
            f"{field}.file", f"max ghi = {ghi_top:g}", f"GHI in {path.name} never exceeds 30 "
            "W/m2 over a week or more: units in kW/m2 or kWh/m2? W/m2 are needed")
    temp = frame["temp_air"]
    if temp.median() > 150.0:
        raise ScenarioError.single(f"{field}.file", f"median temp_air = {temp.median():g}",
                                   "air temperature looks like kelvin; give degrees Celsius")
    if temp.min() < -90.0 or temp.max() > 65.0:
        raise ScenarioError.single(
            f"{field}.file", f"temp_air from {temp.min():g} to {temp.max():g}",
            "air temperature outside -90 to 65 C: check the units (C) and missing-value codes")
    if "wind_speed" in frame.columns:
        wind = frame["wind_speed"]
        if wind.min() < 0.0 or wind.max() > 75.0:
            raise ScenarioError.single(
                f"{field}.file", f"wind_speed from {wind.min():g} to {wind.max():g}",
                "wind speed outside 0 to 75 m/s: check the units (m/s) and missing-value codes")
    return frame, notes


def _nan_runs(mask: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Return the starts and lengths of the runs of True in ``mask``."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return starts, ends - starts


def _fill_gaps(frame: pd.DataFrame, step: pd.Timedelta, path: Path, field: str
               ) -> tuple[pd.DataFrame, list[str]]:
    """Interpolate gaps up to MAX_GAP_HOURS (with a warning); longer gaps are errors."""
    notes: list[str] = []
    frame = frame.copy()
    for col in ("dni", "dhi", "wind_speed"):
        if col in frame.columns and frame[col].isna().all():
            frame = frame.drop(columns=col)
            notes.append(f"{col} has no valid value in {path.name}: treated as absent")
    for col in ("ghi", "temp_air"):
        if frame[col].isna().all():
            raise ScenarioError.single(f"{field}.columns", col, f"{col} has no valid value in "
                                       f"{path.name}; give its values, or map the right column "
                                       f"(columns: {{{col}: ...}})")
    limit = int(pd.Timedelta(hours=MAX_GAP_HOURS) / step)
    filled: list[str] = []
    for col in frame.columns:
        mask = frame[col].isna().to_numpy()
        if not mask.any():
            continue
        starts, lengths = _nan_runs(mask)
        worst = int(np.argmax(lengths))
        if lengths[worst] > limit:
            first = frame.index[starts[worst]]
            last = frame.index[starts[worst] + lengths[worst] - 1]
            raise ScenarioError.single(
                f"{field}.file", f"{col}: {lengths[worst]} missing steps from {first} to {last}",
                f"gap longer than {MAX_GAP_HOURS:g} h in {path.name}; fill it from another "
                "source, or use another year (solar.weather.year) or file")
        frame[col] = frame[col].interpolate(method="linear").ffill().bfill()
        filled.append(f"{col} ({len(starts)} gap(s), {int(mask.sum())} step(s))")
    if filled:
        message = (f"{path.name}: interpolated missing values of at most {MAX_GAP_HOURS:g} h "
                   f"in {', '.join(filled)}")
        warnings.warn(message, UserWarning, stacklevel=4)
        notes.append(message)
    return frame, notes


def _interval_means(values: npt.NDArray[np.float64], start: pd.Timestamp, step: pd.Timedelta,
                    starts: pd.DatetimeIndex, length: pd.Timedelta) -> npt.NDArray[np.float64]:
    """Mean of a piecewise-constant series over each interval [s, s + length).

    ``values[k]`` holds over ``[start + k step, start + (k + 1) step)``; every target interval
    must lie inside the covered span. Exact for any steps: integrals of the step function.
    """
    n = values.shape[0]
    cum = np.vstack([np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)])
    pos0 = np.asarray((starts - start) / step, dtype=float)
    pos1 = pos0 + length / step

    def integral(pos: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        k = np.clip(np.floor(pos).astype(np.int64), 0, n - 1)
        frac = (pos - k)[:, None]
        out: npt.NDArray[np.float64] = cum[k] + values[k] * frac
        return out

    if pos0.min() < -1e-9 or pos1.max() > n + 1e-9:
        raise ValueError("target intervals extend beyond the data")
    result: npt.NDArray[np.float64] = (integral(pos1) - integral(pos0)) / (length / step)
    return result


def _to_hourly(frame: pd.DataFrame, step: pd.Timedelta, path: Path
               ) -> tuple[pd.DataFrame, list[str]]:
    """Average (finer steps) or spread (coarser steps) to hourly means, keeping energy."""
    index = pd.DatetimeIndex(frame.index)
    end = index[-1] + step
    first = index[0].ceil("h")
    last = end.floor("h")
    hours = pd.date_range(first, last, freq="h", inclusive="left")
    if len(hours) == 0:
        raise ScenarioError.single("solar.weather.file", str(path),
                                   "the data cover less than one whole hour")
    values = _interval_means(frame.to_numpy(dtype=float), index[0], step, hours, _HOUR)
    if step < _HOUR:
        message = (f"{path.name}: {_step_text(step)} data averaged to hourly means "
                   "(energy kept)")
    else:
        message = (f"{path.name}: {_step_text(step)} data spread evenly over its hours "
                   "(energy kept); the daily shape of irradiance is only as fine as that step")
    notes = [message]
    if first != index[0] or last != end:
        notes.append(f"partial hours at the ends of the data dropped ({index[0]} / {end})")
    warnings.warn(message, UserWarning, stacklevel=3)
    return pd.DataFrame(values, index=hours, columns=frame.columns), notes


def _complete_components(frame: pd.DataFrame, latitude: float | None,
                         longitude: float | None, path: Path, field: str
                         ) -> tuple[pd.DataFrame, list[str]]:
    """Add dni/dhi (Erbs decomposition or closure) and wind speed where a file lacks them."""
    notes: list[str] = []
    frame = frame.copy()
    missing = [c for c in ("dni", "dhi") if c not in frame.columns]
    if missing:
        if latitude is None or longitude is None:
            raise ScenarioError.single(
                f"{field}.columns", missing, f"{path.name} lacks {missing} and gives no "
                "coordinates to derive them from GHI; add the columns or the site coordinates")
        mid = pd.DatetimeIndex(frame.index) + pd.Timedelta(minutes=30)
        solpos = pvlib.solarposition.get_solarposition(mid, latitude, longitude)
        zenith = pd.Series(solpos["zenith"].to_numpy(), index=frame.index)
        ghi = frame["ghi"]
        if len(missing) == 2:
            parts = pvlib.irradiance.erbs(ghi, zenith, np.asarray(mid.day_of_year))
            frame["dni"] = np.nan_to_num(np.asarray(parts["dni"], dtype=float))
            frame["dhi"] = np.nan_to_num(np.asarray(parts["dhi"], dtype=float))
            notes.append("dni and dhi derived from ghi by the Erbs decomposition "
                         "(pvlib.irradiance.erbs) at interval midpoints")
        else:
            done = pvlib.irradiance.complete_irradiance(
                zenith, ghi=ghi, dhi=frame.get("dhi"), dni=frame.get("dni"))
            col = missing[0]
            frame[col] = np.nan_to_num(np.asarray(done[col], dtype=float)).clip(min=0.0)
            notes.append(f"{col} derived from ghi and the other component "
                         "(pvlib.irradiance.complete_irradiance)")
    if "wind_speed" not in frame.columns:
        frame["wind_speed"] = DEFAULT_WIND_SPEED_M_S
        notes.append(f"no wind speed in {path.name}: {DEFAULT_WIND_SPEED_M_S} m/s assumed "
                     "(affects only the cell temperature)")
    return frame[list(WEATHER_COLUMNS)], notes
