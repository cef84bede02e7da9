"""Measured load records: reading, cleaning, unit checks and the typical year.

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
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from energyopt.errors import ScenarioError
from energyopt.load.common import _dti, _Notes, _shape_by_day, _step_dates
from energyopt.series import DEFAULT_PATHS_TEXT, read_text_csv

__all__ = ["check_units", "measured_load_kw", "read_load_csv", "resample_energy"]

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
#: Years a measured record's timestamps may lie in.
RECORD_YEARS = (1950, 2200)
#: Largest value accepted in a measured record: 1 GW for a day, in kW or kWh [kW or kWh].
MAX_RECORD_VALUE = 2.4e7


# --------------------------------------------------------------------------------------------
# Measured data: reading and cleaning
# --------------------------------------------------------------------------------------------
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")


def read_load_csv(path: Path, *, column: str | None, timezone: str | None, field: str,
                  notes: _Notes | None = None, paths: str = DEFAULT_PATHS_TEXT) -> pd.Series:
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
    paths : str
        Where relative paths start, shown when the file is missing.

    Returns
    -------
    pd.Series
        Values (float, NaN for blanks) on a tz-aware UTC index, in file order.

    Raises
    ------
    ScenarioError
        Missing or empty file or column, unparseable timestamps, text or infinite values,
        values above :data:`MAX_RECORD_VALUE`, timestamps without a timezone, local times that
        do not exist or cannot be resolved.
    """
    notes = notes or _Notes()
    frame = read_text_csv(path, field, paths=paths)
    if frame.shape[1] < 2:
        sep = next((c for c in (";", "\t", "|") if c in str(frame.columns[0])), None)
        hint = (f"; the header looks separated by '{sep}': use commas" if sep else "")
        raise ScenarioError.single(f"{field}.csv", str(path), "needs a timestamp column and a "
                                   f"value column separated by commas{hint}")
    if frame.empty:
        raise ScenarioError.single(f"{field}.csv", str(path), "has a header but no data rows; "
                                   "give one row per interval of the measured record")
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
                                   f"row {row + 2} ({stamps.iloc[row]}); give a number "
                                   "(decimal point '.'), or blank the cell to have it filled "
                                   "as a gap")
    finite = np.isfinite(values.to_numpy()) | values.isna().to_numpy()
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        raise ScenarioError.single(f"{field}.csv", text.iloc[row],
                                   f"infinite value in column '{column}' of {path.name} at row "
                                   f"{row + 2} ({stamps.iloc[row]}); give the measured value, "
                                   "or blank the cell to have it filled as a gap")
    huge = np.flatnonzero(values.abs().to_numpy() > MAX_RECORD_VALUE)
    if huge.size:
        row = int(huge[0])
        raise ScenarioError.single(f"{field}.csv", float(values.iloc[row]),
                                   f"value above {MAX_RECORD_VALUE:,.0f} in column '{column}' of "
                                   f"{path.name} at row {row + 2} ({stamps.iloc[row]}); no camp "
                                   "draws that much: check the unit (kW or kWh, not W or Wh) "
                                   "and the data")
    blank = np.flatnonzero((stamps == "").to_numpy())
    if blank.size:
        row = int(blank[0])
        raise ScenarioError.single(f"{field}.csv", "", f"no timestamp at row {row + 2} of "
                                   f"{path.name}; give every row its interval's start (ISO 8601, "
                                   "e.g. 2025-01-01T00:00+00:00) or delete the row")
    has_offset = stamps.str.contains(_OFFSET)
    if has_offset.any() and not has_offset.all():
        row = int(np.flatnonzero(~has_offset.to_numpy())[0])
        raise ScenarioError.single(f"{field}.csv", stamps.iloc[row],
                                   f"row {row + 2} of {path.name} has no UTC offset while others "
                                   "have one; write every timestamp the same way")
    parsed = _parse_stamps(stamps, bool(has_offset.all()), path, field)
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


def _parse_stamps(stamps: pd.Series, utc: bool, path: Path, field: str) -> pd.DatetimeIndex:
    """Parse ISO 8601 timestamps; a bad or out-of-range one is an error naming its row."""
    parsed = pd.to_datetime(stamps, utc=utc, format="ISO8601", errors="coerce")
    years = pd.DatetimeIndex(parsed).year.to_numpy(dtype=float)
    bad = np.flatnonzero(parsed.isna().to_numpy() | (years < RECORD_YEARS[0])
                         | (years > RECORD_YEARS[1]))
    if bad.size:
        row = int(bad[0])
        raise ScenarioError.single(
            f"{field}.csv", stamps.iloc[row], f"row {row + 2} of {path.name}: not a timestamp "
            f"from {RECORD_YEARS[0]} to {RECORD_YEARS[1]}; write ISO 8601 timestamps, e.g. "
            "2025-01-01T00:00+00:00 (or 2025-01-01 00:00 with load.timezone)")
    return pd.DatetimeIndex(parsed)


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
    span = raw.index[-1] - raw.index[0] if len(raw) else pd.Timedelta(0)
    if len(raw) < 3 or span < pd.Timedelta(days=1):
        raise ScenarioError.single(f"{field}.csv", f"{len(raw)} rows",
                                   f"{name}: too short to be a load record ({len(raw)} rows over "
                                   f"{_duration_text(span)}); give at least the modelled days "
                                   "at one interval")
    stamps = _dti(raw.index).as_unit("ns").asi8
    diffs = pd.Series(np.diff(stamps))
    step_ns = int(diffs.mode().iloc[0])
    step = pd.Timedelta(step_ns, unit="ns")
    if not pd.Timedelta(minutes=5) <= step <= pd.Timedelta(days=1):
        raise ScenarioError.single(
            f"{field}.csv", _duration_text(step), f"{name}: the record's interval must lie "
            "between 5 minutes and 1 day; give monthly figures as a fuel_log or convert them "
            "to daily")
    if step == pd.Timedelta(days=1):
        return raw, step  # daily records are keyed by local date, see _daily_from_record
    offset = (stamps - stamps[0]) % step_ns
    if (offset != 0).any():
        row = int(np.flatnonzero(offset)[0])
        raise ScenarioError.single(
            f"{field}.csv", str(raw.index[row]), f"{name}: timestamp off the record's "
            f"{_duration_text(step)} grid (the most common spacing); give one interval "
            "throughout")
    grid = pd.date_range(raw.index[0], raw.index[-1], freq=step)
    return raw.reindex(grid), step


def _duration_text(span: pd.Timedelta) -> str:
    """Write a duration for people: '15 min', '1 h', '1 day', '3.5 days'."""
    minutes = span / pd.Timedelta(minutes=1)
    if minutes < 60:
        return f"{minutes:g} min"
    if minutes < 1440:
        return f"{minutes / 60:g} h"
    days = minutes / 1440
    return f"{days:g} day" + ("" if days == 1 else "s")


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
            f"(per {_duration_text(step)} interval) given as {unit}: set unit: {other_unit}, "
            "or check the data")
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
