"""Weather files and PVGIS downloads, mapped onto the model's time index.

Real weather replaces the embedded year whenever a user has it: a typical year (EPW, TMY3,
PVGIS), a satellite-derived series (NASA POWER) or measured data (a generic CSV). Every route
ends in the same frame: columns ``ghi``, ``dni``, ``dhi`` [W/m2], ``temp_air`` [C] and
``wind_speed`` [m/s], interval means labelled at the START of each interval.

Pipeline::

    read_weather(path)           -> (hourly frame on the file's own clock, WeatherMeta)
    typical_year(frame, meta)    -> one year of hours (picked, typical or as given)
    to_index(year_frame, index)  -> the model's steps (energy kept)
    weather_from_spec(spec, ...) -> all three for a scenario's ``solar.weather``

Time conventions of each format: :mod:`energyopt.resource.formats`.

Each file stays on its own clock, a fixed UTC offset (data in a timezone with daylight saving
time are put on its standard time), until :func:`to_index` converts every model step to that
clock. Typical years mix source years, so the row for a model hour is the one with the same
(month, day, hour) on the file's clock: a file in UTC or in another zone's standard time lands
on the right absolute hours in the site's timezone, daylight saving time included. Feb 29 is
not looked up in a non-leap model year; a leap model year without Feb 29 in the data repeats
Feb 28.

Multi-year series: ``year`` picks one calendar year; otherwise :func:`typical_year` builds a
typical year in the spirit of the Sandia method used for TMY3 (Wilcox & Marion 2008,
NREL/TP-581-43156) but simplified to one index: for each calendar month, the year whose monthly
GHI total is closest to the multi-year mean of that month. Non-hourly data are averaged (finer
steps) or spread evenly (coarser steps, up to 3 h) to hourly means, which keeps energy, with a
UserWarning.
"""

from __future__ import annotations

import dataclasses
import json
import math
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from energyopt.errors import ScenarioError
from energyopt.resource.checks import (
    TYPICAL_YEAR_LABEL,
    _check_values,
    _complete_components,
    _fill_gaps,
    _interval_means,
    _regularise,
    _to_hourly,
)
from energyopt.resource.common import WEATHER_COLUMNS
from energyopt.resource.formats import (
    _HOUR,
    FORMATS,
    _clock_name,
    _is_leap,
    _read_csv,
    _read_epw,
    _read_nasa_power,
    _read_pvgis,
    _read_tmy3,
    _relabel_year,
    _to_fixed_clock,
    infer_format,
)
from energyopt.resource.pvgis import fetch_pvgis_tmy
from energyopt.scenario import PvgisSpec, SiteSpec, WeatherFileSpec, WeatherFormat
from energyopt.series import check_file

__all__ = [
    "FAR_FROM_SITE_KM",
    "WeatherMeta",
    "check_location",
    "read_weather",
    "to_index",
    "typical_year",
    "weather_from_spec",
]

#: A file further than this from the site raises a UserWarning [km].
FAR_FROM_SITE_KM = 50.0


@dataclasses.dataclass(frozen=True)
class WeatherMeta:
    """What a weather file said about itself, and what was done to it.

    Attributes
    ----------
    source_format : str
        One of :data:`FORMATS`.
    path : Path or None
        The file read.
    latitude, longitude : float or None
        Position given in the file [deg north, deg east]; None when it gives none.
    elevation_m : float or None
        Elevation given in the file [m].
    clock : str
        The fixed UTC offset the frame's index is on, e.g. ``'UTC'`` or ``'UTC-05:00'``.
    years : tuple of int
        Source years of the data (a typical year lists the years it mixes).
    kind : str
        ``'typical'``: at most one row per (month, day, hour), e.g. a TMY or one measured year;
        ``'series'``: a calendar series, possibly over several years.
    native_step_minutes : float
        Step of the data before any resampling to hourly [min].
    months_selected : tuple of (int, int)
        ``(month, year)`` pairs of a typical year, when known.
    notes : tuple of str
        Each conversion, assumption and repair made, for reports.
    """

    source_format: str
    path: Path | None
    latitude: float | None
    longitude: float | None
    elevation_m: float | None
    clock: str
    years: tuple[int, ...]
    kind: str
    native_step_minutes: float
    months_selected: tuple[tuple[int, int], ...] = ()
    notes: tuple[str, ...] = ()

    def with_notes(self, *notes: str) -> WeatherMeta:
        """Return a copy with ``notes`` appended."""
        return dataclasses.replace(self, notes=self.notes + tuple(notes))


# --------------------------------------------------------------------------------------------
# Public readers
# --------------------------------------------------------------------------------------------
def read_weather(path: str | Path, format: WeatherFormat | str | None = None, *,
                 columns: Mapping[str, str] | None = None, timezone: str | None = None,
                 label: str | None = None, latitude: float | None = None,
                 longitude: float | None = None, field: str = "solar.weather"
                 ) -> tuple[pd.DataFrame, WeatherMeta]:
    """Read, check and normalise a weather file to hourly interval means on its own clock.

    Parameters
    ----------
    path : str or Path
        The file.
    format : str, optional
        One of :data:`FORMATS`; None infers it (:func:`infer_format`).
    columns : mapping of str to str, optional
        Generic CSV only: our names (``time``, ``ghi``, ``dni``, ``dhi``, ``temp_air``,
        ``wind_speed``) to the file's column names. Unmapped columns are found by name.
    timezone : str, optional
        Clock of timestamps without UTC offsets (generic CSV), or of a NASA POWER file
        (overriding its header): IANA name or fixed offset such as ``'UTC+03:00'``.
    label : {'start', 'end'}, optional
        Generic CSV only: what the timestamps label (default ``'start'``).
    latitude, longitude : float, optional
        Used to decompose GHI when the file lacks DNI/DHI and gives no coordinates itself
        [deg].
    field : str
        Scenario path of the weather section, named in errors (``field + '.file'`` etc.).

    Returns
    -------
    tuple of (pd.DataFrame, WeatherMeta)
        Columns :data:`WEATHER_COLUMNS` [W/m2, W/m2, W/m2, C, m/s], hourly interval means on a
        regular tz-aware index (a fixed UTC offset: the file's clock) labelling interval
        starts; a typical year (``meta.kind == 'typical'``) is labelled with a stand-in year.
        And the metadata.

    Raises
    ------
    ScenarioError
        Missing file, unknown format, missing columns, duplicate or irregular timestamps,
        large negative or implausible values, gaps longer than ``MAX_GAP_HOURS``.

    Warns
    -----
    UserWarning
        When gaps were interpolated or the data were resampled to hourly.
    """
    path = Path(path)
    if not path.is_file():
        raise ScenarioError.single(f"{field}.file", str(path), "file not found; check the path "
                                   "(relative paths start at the scenario file's folder)")
    fmt = infer_format(path, field=f"{field}.format") if format is None else str(format)
    if fmt not in FORMATS:
        raise ScenarioError.single(f"{field}.format", fmt, f"unknown format; give one of "
                                   f"{', '.join(FORMATS)}")
    if columns is not None and fmt != "csv":
        raise ScenarioError.single(f"{field}.columns", dict(columns), f"columns apply to "
                                   f"format 'csv' only; {fmt} files have known columns")
    if label is not None and fmt != "csv":
        raise ScenarioError.single(f"{field}.label", label, f"label applies to format 'csv' "
                                   f"only; {fmt} files have a known convention")
    if timezone is not None and fmt not in ("csv", "nasa_power"):
        raise ScenarioError.single(f"{field}.timezone", timezone, f"timezone applies to 'csv' "
                                   f"and 'nasa_power' files only; {fmt} files state their clock")
    try:
        if fmt == "epw":
            raw = _read_epw(path)
        elif fmt == "tmy3":
            raw = _read_tmy3(path)
        elif fmt in ("pvgis_json", "pvgis_csv"):
            raw = _read_pvgis(path, fmt)
        elif fmt == "nasa_power":
            raw = _read_nasa_power(path, timezone, field)
        else:
            raw = _read_csv(path, columns, timezone, label, field)
    except ScenarioError:
        raise
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, OSError,
            UnicodeDecodeError, pd.errors.ParserError, json.JSONDecodeError) as exc:
        raise ScenarioError.single(
            f"{field}.file", str(path), f"not a readable {fmt} file ({type(exc).__name__}: "
            f"{exc}); check the file or give the right format") from exc
    missing = [c for c in ("ghi", "temp_air") if c not in raw.frame.columns]
    if missing:
        raise ScenarioError.single(
            f"{field}.columns", missing, f"{path.name} has no {' or '.join(missing)} column "
            f"(found {list(raw.frame.columns)}); GHI [W/m2] and air temperature [C] are needed"
            + ("; map them with columns: {ghi: ..., temp_air: ...}" if fmt == "csv" else ""))
    index, clock_note = _to_fixed_clock(pd.DatetimeIndex(raw.frame.index))
    raw.frame.index = index
    notes = list(raw.notes) + ([clock_note] if clock_note else [])
    frame, step, kind, years = _regularise(raw, path, field)
    frame, more = _check_values(frame, path, field)
    notes += more
    frame, more = _fill_gaps(frame, step, path, field)
    notes += more
    if step != _HOUR:
        frame, more = _to_hourly(frame, step, path)
        notes += more
    lat = raw.latitude if raw.latitude is not None else latitude
    lon = raw.longitude if raw.longitude is not None else longitude
    frame, more = _complete_components(frame, lat, lon, path, field)
    notes += more
    months = raw.months_selected
    if kind == "typical" and not months and len(years) > 1:
        source = pd.DatetimeIndex(raw.frame.index)
        mode = pd.DataFrame({"m": source.month, "y": source.year}).groupby("m")["y"].agg(
            lambda y: y.mode().iloc[0])
        months = tuple((int(m), int(y)) for m, y in zip(mode.index.to_numpy(), mode.to_numpy(),
                                                         strict=True))
    meta = WeatherMeta(
        source_format=fmt, path=path, latitude=raw.latitude, longitude=raw.longitude,
        elevation_m=raw.elevation_m, clock=_clock_name(pd.DatetimeIndex(frame.index).tz),
        years=years, kind=kind,
        native_step_minutes=step / pd.Timedelta(minutes=1), months_selected=months,
        notes=tuple(notes))
    return frame, meta


def check_location(meta: WeatherMeta, latitude: float, longitude: float, *,
                   site_name: str = "the site", max_km: float = FAR_FROM_SITE_KM
                   ) -> float | None:
    """Warn when a weather file's coordinates lie far from the site's.

    Parameters
    ----------
    meta : WeatherMeta
        Metadata of the file.
    latitude, longitude : float
        The site's position [deg north, deg east].
    site_name : str
        Name shown in the warning.
    max_km : float
        Distance beyond which to warn [km].

    Returns
    -------
    float or None
        Great-circle distance [km], or None when the file gives no coordinates.

    Warns
    -----
    UserWarning
        When the distance exceeds ``max_km``.
    """
    if meta.latitude is None or meta.longitude is None:
        return None
    phi1, phi2 = math.radians(meta.latitude), math.radians(latitude)
    dphi = phi2 - phi1
    dlam = math.radians(longitude - meta.longitude)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    km = 2.0 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))
    if km > max_km:
        name = meta.path.name if meta.path is not None else "the weather file"
        warnings.warn(
            f"weather file {name} is for {meta.latitude:.3f} N, {meta.longitude:.3f} E, "
            f"{km:,.0f} km from {site_name} ({latitude:.3f} N, {longitude:.3f} E); check that "
            "the file belongs to this site", UserWarning, stacklevel=2)
    return km


# --------------------------------------------------------------------------------------------
# One year of hours, and the model's index
# --------------------------------------------------------------------------------------------
def _keys(index: pd.DatetimeIndex) -> npt.NDArray[np.int64]:
    """(month, day, hour) of each timestamp on its own clock as one integer MMDDHH."""
    naive = index.tz_localize(None)
    return np.asarray(naive.month * 10000 + naive.day * 100 + naive.hour, dtype=np.int64)


def _month_hours(year: int, month: int) -> int:
    return int(pd.Period(f"{year}-{month:02d}", freq="M").days_in_month) * 24


def typical_year(weather: pd.DataFrame, meta: WeatherMeta, *, year: int | None = None,
                 field: str = "solar.weather") -> tuple[pd.DataFrame, WeatherMeta]:
    """Reduce hourly weather to one year of hours keyed by (month, day, hour).

    Parameters
    ----------
    weather : pd.DataFrame
        Output of :func:`read_weather`.
    meta : WeatherMeta
        Its metadata.
    year : int, optional
        Calendar year to take from a multi-year series.
    field : str
        Scenario path of the weather section, named in errors.

    Returns
    -------
    tuple of (pd.DataFrame, WeatherMeta)
        Hourly rows on the file's clock. A single source year keeps its own year label (and
        Feb 29); a typical year mixing years is labelled :data:`TYPICAL_YEAR_LABEL` without
        Feb 29. Without ``year``, a multi-year series becomes a typical year: for each month,
        the year whose monthly GHI total is closest to that month's mean over all complete
        instances of the month (a one-index simplification of the Sandia TMY method).

    Raises
    ------
    ScenarioError
        When ``year`` is given for a typical-year file or is not in the data, or when a month
        has no complete instance in a multi-year series.
    """
    index = pd.DatetimeIndex(weather.index)
    if meta.kind == "typical":
        if year is not None and meta.years != (year,):
            raise ScenarioError.single(
                f"{field}.year", year, f"the file is a typical year built from "
                f"{_years_text(meta.years)}; 'year' picks a year from a multi-year series "
                "only: remove it")
        if len(meta.years) == 1:
            return weather.set_axis(_relabel_year(index, meta.years[0])), meta
        return _typical_label(weather), meta
    keys = _keys(index)
    if year is not None:
        rows = np.asarray(index.year == year)
        if not rows.any():
            raise ScenarioError.single(f"{field}.year", year, f"no data for {year}; the file "
                                       f"covers {_years_text(meta.years)}")
        picked = weather.iloc[rows]
        hours = 8784 if _is_leap(year) else 8760
        note = f"year {year} taken from the file"
        if len(picked) < hours:
            note += f" ({len(picked)} of {hours} hours; the rest is not covered)"
        return picked, meta.with_notes(note)
    if len(np.unique(keys)) == len(keys):  # at most one year of hours: use as it is
        years = sorted({int(y) for y in index.year})
        if len(years) == 1:
            return weather, meta
        return _typical_label(weather), meta.with_notes(
            f"one year of data across {_years_text(tuple(years))}, mapped by (month, day, hour)")
    # several years: pick one instance of each month
    ghi = weather["ghi"]
    table = pd.DataFrame({"year": index.year, "month": index.month, "ghi": ghi.to_numpy()})
    stats = table.groupby(["month", "year"])["ghi"].agg(["sum", "count"])
    picks: list[tuple[int, int]] = []
    for month in range(1, 13):
        if month not in stats.index.get_level_values(0):
            raise ScenarioError.single(f"{field}.file", str(meta.path), f"no data for month "
                                       f"{month}; a typical year needs every month")
        cands = stats.loc[month]
        complete = cands[[int(c) >= _month_hours(int(y), month)
                          for y, c in zip(cands.index, cands["count"], strict=True)]]
        if complete.empty:
            raise ScenarioError.single(
                f"{field}.file", str(meta.path), f"month {month} is never complete in the "
                "file; a typical year needs each month once in full (or give year)")
        mean = complete["sum"].mean()
        best = int(complete.index.to_numpy()[np.argmin(np.abs(complete["sum"] - mean))])
        picks.append((month, best))
    parts = [weather[(index.year == y) & (index.month == m)] for m, y in picks]
    picked_years = {y for _, y in picks}
    built = pd.concat(parts)
    if len(picked_years) > 1:
        built = _typical_label(built)
    note = ("typical year built from the multi-year data: for each month the year whose GHI "
            "is closest to the month's mean: " + ", ".join(f"{m}:{y}" for m, y in picks))
    return built, dataclasses.replace(meta, months_selected=tuple(picks)).with_notes(note)


def _years_text(years: Sequence[int]) -> str:
    if not years:
        return "no year"
    return f"{years[0]}" if len(years) == 1 else f"{min(years)}-{max(years)}"


def _typical_label(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop Feb 29 and label every row with TYPICAL_YEAR_LABEL."""
    index = pd.DatetimeIndex(frame.index)
    keep = ~((index.month == 2) & (index.day == 29))
    kept = frame.iloc[np.asarray(keep)]
    return kept.set_axis(_relabel_year(pd.DatetimeIndex(kept.index), TYPICAL_YEAR_LABEL))


def to_index(weather_year: pd.DataFrame, index: pd.DatetimeIndex) -> pd.DataFrame:
    """Map one year of hourly weather onto a model index, keeping energy.

    Every model step is converted to the weather's clock; the hourly rows it overlaps are
    found by (month, day, hour) on that clock (so the year of the weather labels does not
    matter, and a model period may cross New Year) and averaged with the overlapped time as
    weight. Steps shorter than an hour repeat the hourly mean; longer steps average.

    Parameters
    ----------
    weather_year : pd.DataFrame
        Columns :data:`WEATHER_COLUMNS`, hourly, tz-aware, labels at interval starts, at most
        one row per (month, day, hour), e.g. from :func:`typical_year`.
    index : pd.DatetimeIndex
        The model's steps: tz-aware, regular, interval starts; any step and start.

    Returns
    -------
    pd.DataFrame
        :data:`WEATHER_COLUMNS` on ``index`` (interval means).

    Raises
    ------
    ValueError
        When ``index`` or ``weather_year`` is not as described.
    ScenarioError
        When the weather does not cover a (month, day, hour) that the index needs
        (field ``solar.weather.file``).
    """
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise ValueError("index must be a timezone-aware pandas DatetimeIndex")
    if len(index) >= 2:
        steps = index[1:] - index[:-1]
        step = pd.Timedelta(steps[0])
        if step <= pd.Timedelta(0) or not (steps == step).all():
            raise ValueError("index steps must be regular and increasing")
    elif len(index) == 1 and index.freq is not None:
        step = pd.Timedelta(index.freq.nanos, unit="ns")
    else:
        raise ValueError("index needs at least two steps (or a freq) to know its step")
    missing = [c for c in WEATHER_COLUMNS if c not in weather_year.columns]
    wy_index = weather_year.index
    if missing or not isinstance(wy_index, pd.DatetimeIndex) or wy_index.tz is None:
        raise ValueError(f"weather_year must have columns {list(WEATHER_COLUMNS)} on a "
                         f"tz-aware DatetimeIndex (missing: {missing})")
    wy_keys = _keys(wy_index)
    if len(np.unique(wy_keys)) != len(wy_keys) or (wy_index.minute != 0).any():
        raise ValueError("weather_year must hold at most one on-the-hour row per "
                         "(month, day, hour); reduce it with typical_year()")
    clock = wy_index.tz
    starts = index.tz_convert(clock)
    first = starts[0].floor("h")
    last = (starts[-1] + step).ceil("h")
    hours = pd.date_range(first, last, freq="h", inclusive="left")
    lookup = pd.Index(wy_keys)
    keys = _keys(hours)
    pos = lookup.get_indexer(pd.Index(keys))
    feb29 = (pos < 0) & ((keys // 100) == 229)
    if feb29.any():
        pos[feb29] = lookup.get_indexer(pd.Index(keys[feb29] - 100))  # Feb 29 -> Feb 28
    if (pos < 0).any():
        gap = hours[np.flatnonzero(pos < 0)[0]]
        raise ScenarioError.single(
            "solar.weather.file", f"{len(np.flatnonzero(pos < 0))} hour(s) missing",
            f"the weather does not cover {gap:%d %b %H:%M} ({gap.tz}) that the modelled "
            "period needs; give a file covering the whole year (or the modelled days)")
    values = weather_year[list(WEATHER_COLUMNS)].to_numpy(dtype=float)[pos]
    means = _interval_means(values, first, _HOUR, starts, step)
    return pd.DataFrame(means, index=index, columns=list(WEATHER_COLUMNS))


# --------------------------------------------------------------------------------------------
# Scenario entry
# --------------------------------------------------------------------------------------------
def weather_from_spec(spec: WeatherFileSpec | PvgisSpec, *, site: SiteSpec,
                      index: pd.DatetimeIndex, base_dir: Path | None = None,
                      paths: str | None = None) -> pd.DataFrame:
    """Resolve a scenario's weather file or PVGIS request onto the model's index.

    Parameters
    ----------
    spec : WeatherFileSpec or PvgisSpec
        The scenario's ``solar.weather`` section.
    site : SiteSpec
        The site; its coordinates are checked against the file's (warning beyond
        :data:`FAR_FROM_SITE_KM`) and used for PVGIS.
    index : pd.DatetimeIndex
        The model's steps, tz-aware in the site's timezone, interval starts.
    base_dir : Path, optional
        Folder that relative paths resolve against (the scenario file's); default the
        current folder.
    paths : str, optional
        Where relative paths start, shown when the file is missing (see
        :meth:`~energyopt.scenario.Scenario.relative_paths_text`).

    Returns
    -------
    pd.DataFrame
        :data:`WEATHER_COLUMNS` on ``index``; ``attrs['weather_meta']`` holds the
        :class:`WeatherMeta` with its notes.

    Raises
    ------
    ScenarioError
        Naming the ``solar.weather.*`` field at fault.
    """
    base = base_dir if base_dir is not None else Path.cwd()
    if isinstance(spec, PvgisSpec):
        cache = spec.cache_dir
        if cache is not None and not cache.expanduser().is_absolute():
            cache = base / cache
        path = fetch_pvgis_tmy(site.latitude, site.longitude, cache_dir=cache,
                               timeout_s=spec.timeout_s, refresh=spec.refresh)
        weather, meta = read_weather(path, "pvgis_json")
        year = None
    else:
        path = spec.file.expanduser()
        path = path if path.is_absolute() else base / path
        check_file(path, "solar.weather.file",
                   paths or f"relative paths start at {base}")
        weather, meta = read_weather(path, spec.format, columns=spec.columns,
                                     timezone=spec.timezone, label=spec.label,
                                     latitude=site.latitude, longitude=site.longitude)
        year = spec.year
    check_location(meta, site.latitude, site.longitude, site_name=f"site '{site.name}'")
    one_year, meta = typical_year(weather, meta, year=year)
    out = to_index(one_year, index)
    out.attrs["weather_meta"] = meta
    return out
