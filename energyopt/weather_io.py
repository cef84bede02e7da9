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

Time conventions per format (all turned into interval-start labels on the file's own clock):

- ``epw`` (``pvlib.iotools.read_epw``): local standard time (header TZ); hour h covers
  (h-1, h] and pvlib already labels it h-1, its start.
- ``tmy3`` (``pvlib.iotools.read_tmy3``): local standard time (header TZ); labels are the END
  of the hour (01:00 = 00:00-01:00, 24:00 = 23:00-24:00), moved back one step here. The index
  is rebuilt from the file's Date and Time columns: pvlib's own index moves a leap-year
  '02/28 24:00' to Mar 1, which would leave a hole in a February taken from a leap year.
- ``pvgis_json``, ``pvgis_csv`` (``pvlib.iotools.read_pvgis_tmy``): UTC; ``time(UTC)`` labels
  the start of the hour.
- ``nasa_power`` (the POWER CSV with its header block, parsed here): UTC or local solar time
  (LST = UTC + round(longitude / 15) h) as the header says; HR labels the start of the hour.
- ``csv``: the UTC offsets in the timestamps, or ``timezone`` for timestamps without one;
  labels are starts unless ``label='end'``.

Missing-value codes (EPW 9999/99.9/999, TMY3 -9900, NASA POWER's header value, -999 and
below in a generic CSV) become gaps. Instantaneous values (e.g. EPW air temperature at the end
of the hour) are used as the hour's mean.

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

import csv
import dataclasses
import datetime as dt
import io
import json
import math
import os
import re
import warnings
import zoneinfo
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pvlib
import requests

from energyopt.errors import ScenarioError
from energyopt.scenario import (
    FIXED_OFFSET_PATTERN,
    PvgisSpec,
    SiteSpec,
    WeatherFileSpec,
    WeatherFormat,
)

__all__ = [
    "FORMATS",
    "WEATHER_COLUMNS",
    "WeatherMeta",
    "check_location",
    "fetch_pvgis_tmy",
    "infer_format",
    "pvgis_cache_dir",
    "read_weather",
    "to_index",
    "typical_year",
    "weather_from_spec",
]

WEATHER_COLUMNS = ("ghi", "dni", "dhi", "temp_air", "wind_speed")
IRRADIANCE_COLUMNS = ("ghi", "dni", "dhi")
FORMATS: tuple[str, ...] = ("epw", "tmy3", "pvgis_json", "pvgis_csv", "nasa_power", "csv")

#: Negative irradiance down to this magnitude is a sensor offset at night: clipped to 0 [W/m2].
NEGATIVE_IRRADIANCE_CLIP_W_M2 = 10.0
#: Irradiance above this is not a W/m2 value (units or a corrupt file) [W/m2].
MAX_IRRADIANCE_W_M2 = 1600.0
#: Gaps (missing values or rows) up to this long are interpolated with a warning [h].
MAX_GAP_HOURS = 3.0
#: Coarsest step accepted; coarser data lose the daily shape of irradiance [h].
MAX_STEP_HOURS = 3.0
#: A file further than this from the site raises a UserWarning [km].
FAR_FROM_SITE_KM = 50.0
#: Wind speed used when a file has none [m/s]; only the cell temperature depends on it.
DEFAULT_WIND_SPEED_M_S = 1.0
#: Label year of typical years that mix source years (non-leap, as pvlib's ``coerce_year``).
TYPICAL_YEAR_LABEL = 1990
#: Base address of the PVGIS web API (pvlib's); ``tmy`` is appended.
PVGIS_URL = pvlib.iotools.pvgis.URL
#: Decimals of the coordinates in the PVGIS request and its cache key (0.001 deg ~ 110 m).
PVGIS_DECIMALS = 3

_HOUR = pd.Timedelta(hours=1)
_TYPICAL_FORMATS = ("epw", "tmy3", "pvgis_json", "pvgis_csv")

#: Column names a generic CSV may use for each of ours (compared lower-case, units removed).
_CSV_ALIASES: dict[str, tuple[str, ...]] = {
    "time": ("time", "timestamp", "datetime", "date_time", "date", "time(utc)"),
    "ghi": ("ghi", "g(h)", "global_horizontal", "ghi_w_m2", "globalhorizontal"),
    "dni": ("dni", "gb(n)", "direct_normal", "dni_w_m2"),
    "dhi": ("dhi", "gd(h)", "diffuse_horizontal", "dhi_w_m2"),
    "temp_air": ("temp_air", "temperature", "temp", "t2m", "tamb", "t_air", "air_temperature",
                 "dry_bulb", "drybulb"),
    "wind_speed": ("wind_speed", "wind", "ws", "ws10m", "wind_speed_10m", "windspeed"),
}

#: NASA POWER parameter names -> ours (pvlib's map; WS2M is a fallback for WS10M).
_POWER_MAP = {"ALLSKY_SFC_SW_DWN": "ghi", "ALLSKY_SFC_SW_DNI": "dni",
              "ALLSKY_SFC_SW_DIFF": "dhi", "T2M": "temp_air", "WS10M": "wind_speed"}


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


@dataclasses.dataclass
class _Raw:
    """A parsed file before checks: our column names, tz-aware interval-start index."""

    frame: pd.DataFrame
    latitude: float | None = None
    longitude: float | None = None
    elevation_m: float | None = None
    one_year: bool = False
    months_selected: tuple[tuple[int, int], ...] = ()
    notes: list[str] = dataclasses.field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Time zones and clocks
# --------------------------------------------------------------------------------------------
def _tz(name: str) -> dt.tzinfo:
    """Return the tzinfo of an IANA name or a fixed offset ('UTC', 'UTC+03:00', '-05:00')."""
    text = name.strip()
    match = re.fullmatch(FIXED_OFFSET_PATTERN, text)
    if match:
        if not match.group(1):
            return dt.UTC
        sign = -1 if match.group(1) == "-" else 1
        offset = dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
        return dt.timezone(sign * offset)
    return zoneinfo.ZoneInfo(text)


def _fixed(offset: dt.timedelta) -> dt.timezone:
    return dt.UTC if offset == dt.timedelta(0) else dt.timezone(offset)


def _clock_name(tz: Any) -> str:
    offset = pd.Timestamp("2001-01-01", tz=tz).utcoffset()
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _offsets(index: pd.DatetimeIndex) -> pd.TimedeltaIndex:
    """UTC offsets of a tz-aware index, one per timestamp."""
    local = index.tz_localize(None)
    utc = index.tz_convert("UTC").tz_localize(None)
    return pd.TimedeltaIndex(local - utc)


def _to_fixed_clock(index: pd.DatetimeIndex) -> tuple[pd.DatetimeIndex, str | None]:
    """Put a tz-aware index on one fixed offset (its standard time when the offset varies)."""
    offsets = _offsets(index)
    unique = offsets.unique()
    if len(unique) == 1:
        return index.tz_convert(_fixed(unique[0].to_pytimedelta())), None
    standard = offsets.min().to_pytimedelta()
    fixed = index.tz_convert(_fixed(standard))
    return fixed, (f"timestamps with UTC offsets {sorted(str(o) for o in unique)[:4]} put on "
                   f"the fixed clock {_clock_name(fixed.tz)} (standard time)")


def _localize(naive: pd.DatetimeIndex, tz_name: str, field: str) -> pd.DatetimeIndex:
    """Localize naive timestamps in ``tz_name``; errors name ``field``."""
    try:
        tz = _tz(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ScenarioError.single(field, tz_name, "unknown timezone; give an IANA name "
                                   "(e.g. 'Africa/Bamako') or a fixed offset ('UTC+03:00')"
                                   ) from exc
    try:
        return naive.tz_localize(tz, ambiguous="infer", nonexistent="raise")
    except (ValueError, TypeError) as exc:  # pytz-free pandas raises ValueError subclasses
        raise ScenarioError.single(
            field, tz_name, f"timestamps cannot be placed in {tz_name} ({exc}); daylight-saving "
            "changes make local clock times ambiguous: give timestamps with UTC offsets or a "
            "fixed offset such as 'UTC+01:00'") from exc


def _relabel_year(index: pd.DatetimeIndex, year: int) -> pd.DatetimeIndex:
    """Return ``index`` with every timestamp moved to ``year`` (same month, day and time)."""
    naive = index.tz_localize(None)
    parts = pd.DataFrame({"year": year, "month": naive.month, "day": naive.day,
                          "hour": naive.hour, "minute": naive.minute, "second": naive.second})
    return pd.DatetimeIndex(pd.to_datetime(parts)).tz_localize(index.tz)


def _step_text(step: pd.Timedelta) -> str:
    minutes = step / pd.Timedelta(minutes=1)
    return f"{minutes / 60:g} h" if minutes % 60 == 0 else f"{minutes:g} min"


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


# --------------------------------------------------------------------------------------------
# Format detection
# --------------------------------------------------------------------------------------------
def infer_format(path: Path, *, field: str = "solar.weather.format") -> str:
    """Infer a weather file's format from its extension and first lines.

    Parameters
    ----------
    path : Path
        An existing file.
    field : str
        Scenario field named in errors.

    Returns
    -------
    str
        One of :data:`FORMATS`.

    Raises
    ------
    ScenarioError
        When the format cannot be told.
    """
    suffix = path.suffix.lower()
    try:
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            head = [handle.readline() for _ in range(20)]
    except OSError as exc:
        raise ScenarioError.single(field.rsplit(".", 1)[0] + ".file", str(path),
                                   f"cannot read the file: {exc}") from exc
    first = head[0].lstrip("\ufeff").strip()
    second = head[1].strip() if len(head) > 1 else ""
    if suffix == ".epw" or first.upper().startswith("LOCATION,"):
        return "epw"
    if suffix == ".json":
        text = "".join(head)
        if "tmy_hourly" in text or '"outputs"' in text or '"inputs"' in text:
            return "pvgis_json"
    elif first.startswith("-BEGIN HEADER-") or "NASA/POWER" in first.upper():
        return "nasa_power"
    elif first.startswith("Latitude (decimal degrees)"):
        return "pvgis_csv"
    elif second.startswith("Date (MM/DD/YYYY)"):
        return "tmy3"
    elif suffix in (".csv", ".txt", ".tsv", ".dat"):
        return "csv"
    raise ScenarioError.single(
        field, None, f"cannot tell the format of {path.name}; give format: one of "
        f"{', '.join(FORMATS)}")


# --------------------------------------------------------------------------------------------
# Readers of each format -> _Raw
# --------------------------------------------------------------------------------------------
def _series_meta(meta: Mapping[str, Any], *keys: str) -> float | None:
    for key in keys:
        value = meta.get(key)
        try:
            out = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if math.isfinite(out):
            return out
    return None


def _read_epw(path: Path) -> _Raw:
    data, meta = pvlib.iotools.read_epw(str(path))
    frame = data[[c for c in WEATHER_COLUMNS if c in data.columns]].astype(float)
    # EPW missing-value codes (EnergyPlus Auxiliary Programs, weather file format)
    for col in IRRADIANCE_COLUMNS:
        frame.loc[frame[col] >= 9999, col] = np.nan
    frame.loc[frame["temp_air"] >= 99.9, "temp_air"] = np.nan
    frame.loc[frame["wind_speed"] >= 999, "wind_speed"] = np.nan
    return _Raw(frame, _series_meta(meta, "latitude"), _series_meta(meta, "longitude"),
                _series_meta(meta, "altitude"), one_year=True,
                notes=[f"EPW {meta.get('city', '')!s}".rstrip() + ": local standard time "
                       f"{_clock_name(frame.index.tz)}, hour h labelled at its start h-1"])


def _read_tmy3(path: Path) -> _Raw:
    try:
        data, meta = pvlib.iotools.read_tmy3(str(path), map_variables=True)
    except UnicodeDecodeError:  # SolarAnywhere TMY3 files are latin-1
        data, meta = pvlib.iotools.read_tmy3(str(path), map_variables=True,
                                             encoding="iso-8859-1")
    frame = data[[c for c in WEATHER_COLUMNS if c in data.columns]].astype(float)
    frame = frame.mask(frame <= -9900.0)  # TMY3 missing-value code
    # Labels are interval ENDS ('24:00' = midnight). pvlib's index moves Feb 29 to Mar 1 and
    # 24:00 to the next day, which breaks a leap-year February; rebuild from the raw columns.
    hhmm = data["Time (HH:MM)"].astype(str).str.strip().str.split(":", expand=True).astype(int)
    ends = (pd.to_datetime(data["Date (MM/DD/YYYY)"], format="%m/%d/%Y")
            + pd.to_timedelta(hhmm[0], unit="h") + pd.to_timedelta(hhmm[1], unit="min"))
    diffs = pd.Series(ends.to_numpy()[1:] - ends.to_numpy()[:-1])
    step = pd.Timedelta(diffs[diffs > pd.Timedelta(0)].mode().iloc[0]) if len(ends) > 1 else _HOUR
    frame.index = pd.DatetimeIndex(ends - step).tz_localize(
        _fixed(dt.timedelta(hours=float(meta["TZ"]))))
    return _Raw(frame, _series_meta(meta, "latitude"), _series_meta(meta, "longitude"),
                _series_meta(meta, "altitude"), one_year=True,
                notes=[f"TMY3 {meta.get('Name', '')!s}: local standard time "
                       f"{_clock_name(frame.index.tz)}; end-of-hour labels moved back 1 h"])


def _read_pvgis(path: Path, fmt: str) -> _Raw:
    data, meta = pvlib.iotools.read_pvgis_tmy(str(path), pvgis_format=fmt[len("pvgis_"):],
                                              map_variables=True)
    frame = data[[c for c in WEATHER_COLUMNS if c in data.columns]].astype(float)
    index = pd.DatetimeIndex(frame.index)
    notes = ["PVGIS TMY: UTC, each hour labelled at its start"]
    if (index.minute != 0).any():
        index = index.floor("h")
        notes.append("PVGIS timestamps at minutes past the hour put on the hour they start")
    frame.index = index
    inputs = meta.get("inputs", {}) if isinstance(meta, Mapping) else {}
    location = inputs.get("location", inputs) if isinstance(inputs, Mapping) else {}
    offset = location.get("irradiance_time_offset", location.get("irradiance time offset"))
    if offset is not None:
        notes.append(f"PVGIS irradiance time offset {offset} h noted, not applied")
    months = meta.get("months_selected", []) if isinstance(meta, Mapping) else []
    selected = tuple((int(m["month"]), int(m["year"])) for m in months
                     if isinstance(m, Mapping) and "month" in m and "year" in m)
    return _Raw(frame, _series_meta(location, "latitude"), _series_meta(location, "longitude"),
                _series_meta(location, "elevation"), one_year=True, months_selected=selected,
                notes=notes)


def _read_nasa_power(path: Path, timezone: str | None, field: str) -> _Raw:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    header: list[str] = []
    start = 0
    if lines and lines[0].lstrip("\ufeff").strip().startswith("-BEGIN HEADER-"):
        try:
            end = next(i for i, line in enumerate(lines) if line.strip() == "-END HEADER-")
        except StopIteration as exc:
            raise ScenarioError.single(f"{field}.file", str(path), "NASA POWER file without "
                                       "'-END HEADER-'; is it complete?") from exc
        header, start = lines[1:end], end + 1
    text = "\n".join(header)
    notes: list[str] = []
    lat = lon = elev = None
    loc = re.search(r"Latitude\s+(-?[\d.]+)\s+Longitude\s+(-?[\d.]+)", text)
    if loc:
        lat, lon = float(loc.group(1)), float(loc.group(2))
    elev_match = re.search(r"=\s*(-?[\d.]+)\s*meters", text)
    if elev_match:
        elev = float(elev_match.group(1))
    fill = -999.0
    fill_match = re.search(r"missing[^\n]*?(-\d+(?:\.\d+)?)\s*$", text, re.MULTILINE)
    if fill_match:
        fill = float(fill_match.group(1))
    units: dict[str, str] = {}
    for line in header:
        described = re.match(r"\s*([A-Z0-9_]+)\s+.*\(([^()]*)\)\s*$", line)
        if described:
            units[described.group(1)] = described.group(2)
    try:
        data = pd.read_csv(io.StringIO("\n".join(lines[start:])))
    except (ValueError, pd.errors.ParserError) as exc:
        raise ScenarioError.single(f"{field}.file", str(path),
                                   f"unreadable NASA POWER table: {exc}") from exc
    data.columns = [str(c).strip().upper() for c in data.columns]
    if "HR" not in data.columns:
        raise ScenarioError.single(
            f"{field}.file", str(path), "no HR column: not hourly NASA POWER data (daily or "
            "monthly files are too coarse); download the hourly data (temporal: hourly)")
    if {"YEAR", "MO", "DY"} <= set(data.columns):
        naive = pd.to_datetime(pd.DataFrame({"year": data["YEAR"], "month": data["MO"],
                                             "day": data["DY"], "hour": data["HR"]}))
    elif {"YEAR", "DOY"} <= set(data.columns):
        naive = (pd.to_datetime(data["YEAR"].astype(str), format="%Y")
                 + pd.to_timedelta(data["DOY"] - 1, unit="D")
                 + pd.to_timedelta(data["HR"], unit="h"))
    else:
        raise ScenarioError.single(f"{field}.file", str(path), "NASA POWER table needs YEAR, "
                                   "MO, DY, HR (or YEAR, DOY, HR) columns")
    naive_index = pd.DatetimeIndex(naive)
    if timezone is not None:
        index = _localize(naive_index, timezone, f"{field}.timezone")
        notes.append(f"NASA POWER timestamps read in {timezone} (solar.weather.timezone)")
    elif re.search(r"\bUTC\b", text):
        index = naive_index.tz_localize("UTC")
        notes.append("NASA POWER: UTC, each hour labelled at its start")
    elif lon is not None:
        hours = math.floor(lon / 15.0 + 0.5)
        index = naive_index.tz_localize(_fixed(dt.timedelta(hours=hours)))
        said = "LST" if re.search(r"\bLST\b", text) else "not stated; POWER's default LST assumed"
        notes.append(f"NASA POWER local solar time ({said}): UTC{hours:+d} h from the "
                     "longitude's 15-degree band, each hour labelled at its start")
    else:
        raise ScenarioError.single(f"{field}.timezone", None, "the NASA POWER file states "
                                   "neither its time standard nor its longitude; give "
                                   "timezone: 'UTC' (or the file's clock)")
    frame = pd.DataFrame(index=index)
    for name, ours in _POWER_MAP.items():
        if name in data.columns:
            frame[ours] = pd.to_numeric(data[name], errors="coerce").to_numpy(dtype=float)
    if "wind_speed" not in frame.columns and "WS2M" in data.columns:
        frame["wind_speed"] = pd.to_numeric(data["WS2M"], errors="coerce").to_numpy(dtype=float)
        notes.append("wind speed at 2 m (WS2M) used; no WS10M in the file")
    frame = frame.mask(np.isclose(frame, fill))
    for name, ours in _POWER_MAP.items():
        unit = units.get(name, "").replace(" ", "").lower()
        if ours in IRRADIANCE_COLUMNS and ours in frame.columns and unit:
            if "mj" in unit:
                frame[ours] *= 1e6 / 3600.0
                notes.append(f"{name} converted from {units[name]} to W/m2")
            elif unit.startswith("kw"):
                frame[ours] *= 1000.0
                notes.append(f"{name} converted from {units[name]} to W/m2")
    return _Raw(frame, lat, lon, elev, notes=notes)


def _sniff_sep(path: Path) -> str:
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        sample = handle.read(8192)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _norm(name: str) -> str:
    text = re.sub(r"\[[^\]]*\]", "", str(name)).strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def _read_csv(path: Path, columns: Mapping[str, str] | None, timezone: str | None,
              label: str | None, field: str) -> _Raw:
    try:
        data = pd.read_csv(path, sep=_sniff_sep(path))
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ScenarioError.single(f"{field}.file", str(path), f"unreadable CSV: {exc}") from exc
    if data.shape[1] < 2:
        raise ScenarioError.single(f"{field}.file", str(path), "the CSV needs a timestamp "
                                   "column and at least ghi and temp_air columns")
    given = dict(columns or {})
    normalised = {_norm(c): str(c) for c in data.columns}
    mapping: dict[str, str] = {}
    for ours in ("time", *WEATHER_COLUMNS):
        if ours in given:
            if given[ours] not in data.columns:
                raise ScenarioError.single(
                    f"{field}.columns", {ours: given[ours]},
                    f"no column '{given[ours]}' in {path.name}; its columns: "
                    f"{[str(c) for c in data.columns]}")
            mapping[ours] = given[ours]
            continue
        found = next((normalised[a] for a in _CSV_ALIASES[ours] if a in normalised), None)
        if found is not None:
            mapping[ours] = found
    mapping.setdefault("time", str(data.columns[0]))
    notes = [f"CSV columns used: {mapping}"]
    raw_times = data[mapping["time"]].astype(str).str.strip()
    try:
        times = pd.to_datetime(raw_times, format="ISO8601")
    except (ValueError, TypeError):
        try:
            times = pd.to_datetime(raw_times, format="ISO8601", utc=True)
        except (ValueError, TypeError):
            try:
                times = pd.to_datetime(raw_times)
            except (ValueError, TypeError) as exc:
                raise ScenarioError.single(
                    f"{field}.columns", {"time": mapping["time"]},
                    f"column '{mapping['time']}' of {path.name} does not hold timestamps "
                    f"(ISO 8601, e.g. 2025-01-01T00:00+00:00 or 2025-01-01 00:00): {exc}"
                    ) from exc
    index = pd.DatetimeIndex(times)
    if str(index.tz) == "UTC":  # maybe parsed with utc=True from mixed offsets: keep the
        offsets = raw_times.str.extract(r"([+-])(\d{2}):?(\d{2})$")  # standard (lowest) one
        if offsets.notna().all().all():
            sign = np.where(offsets[0] == "-", -1, 1)
            minutes: npt.NDArray[np.int64] = sign * (offsets[1].astype(int).to_numpy() * 60
                                                     + offsets[2].astype(int).to_numpy())
            index = index.tz_convert(_fixed(dt.timedelta(minutes=int(minutes.min()))))
            if len(np.unique(minutes)) > 1:
                notes.append(f"timestamps with UTC offsets {sorted(set(minutes.tolist()))} min "
                             f"put on the fixed clock {_clock_name(index.tz)} (standard time)")
    if index.tz is None:
        if timezone is None:
            raise ScenarioError.single(
                f"{field}.timezone", None, f"the timestamps in {path.name} have no UTC offset; "
                "give timezone: the clock they are in (e.g. 'UTC', 'UTC+03:00' or "
                "'Africa/Bamako')")
        index = _localize(index, timezone, f"{field}.timezone")
        notes.append(f"timestamps read in {timezone}")
    elif timezone is not None:
        notes.append(f"timestamps carry UTC offsets; timezone '{timezone}' not needed, ignored")
    if label == "end" and len(index) > 1:
        diffs = pd.Series(index[1:] - index[:-1])
        step = diffs[diffs > pd.Timedelta(0)].mode()
        if len(step):
            index = index - step.iloc[0]
            notes.append(f"end-of-interval labels moved back one step ({step.iloc[0]})")
    frame = pd.DataFrame(index=index)
    for ours in WEATHER_COLUMNS:
        if ours in mapping:
            values = pd.to_numeric(data[mapping[ours]], errors="coerce")
            bad = values.isna() & data[mapping[ours]].notna()
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0])
                raise ScenarioError.single(
                    f"{field}.file", str(data[mapping[ours]].iloc[row]),
                    f"non-numeric value in column '{mapping[ours]}' of {path.name} at row "
                    f"{row + 2}")
            frame[ours] = values.to_numpy(dtype=float)
    frame = frame.mask(frame <= -999.0)  # common missing-value codes (-999, -9999)
    return _Raw(frame, notes=notes)


# --------------------------------------------------------------------------------------------
# Checks and repairs
# --------------------------------------------------------------------------------------------
def _grid_step(index: pd.DatetimeIndex, field: str, path: Path) -> pd.Timedelta:
    """Return the step of a sorted index whose timestamps all lie on one regular grid."""
    if len(index) < 2:
        raise ScenarioError.single(f"{field}.file", str(path),
                                   f"{len(index)} row(s): at least two timestamps are needed")
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
                                       f"{path.name}")
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
# PVGIS
# --------------------------------------------------------------------------------------------
def pvgis_cache_dir(cache_dir: str | Path | None = None) -> Path:
    """Return the PVGIS cache folder.

    Parameters
    ----------
    cache_dir : str or Path, optional
        Explicit folder; default ``$ENERGYOPT_CACHE_DIR/pvgis`` when that variable is set,
        else ``~/.cache/energyopt/pvgis``.

    Returns
    -------
    Path
        The folder (not created here).
    """
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    root = os.environ.get("ENERGYOPT_CACHE_DIR")
    if root:
        return Path(root).expanduser() / "pvgis"
    return Path.home() / ".cache" / "energyopt" / "pvgis"


class _PvgisRefusedError(Exception):
    """PVGIS answered with an error (e.g. a location over the sea)."""


def _pvgis_request(latitude: float, longitude: float, timeout_s: float) -> str:
    """Ask PVGIS for a TMY in JSON; return the response text (the one network call)."""
    params: dict[str, str | float] = {"lat": latitude, "lon": longitude, "outputformat": "json"}
    response = requests.get(PVGIS_URL + "tmy", params=params, timeout=timeout_s)
    if not response.ok:
        try:
            message = str(response.json()["message"])
        except (ValueError, KeyError, TypeError):
            message = f"HTTP {response.status_code} {response.reason}"
        raise _PvgisRefusedError(message)
    return str(response.text)


def _valid_pvgis(text: str) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return (isinstance(data, dict) and isinstance(data.get("outputs"), dict)
            and bool(data["outputs"].get("tmy_hourly")))


def fetch_pvgis_tmy(latitude: float, longitude: float, *, cache_dir: str | Path | None = None,
                    timeout_s: float = 30.0, refresh: bool = False) -> Path:
    """Download a PVGIS typical meteorological year once and cache it on disk.

    The cache file is keyed by the coordinates rounded to :data:`PVGIS_DECIMALS` decimals,
    which are also the coordinates asked for. A cached copy is used without any network
    access unless ``refresh``; if a refresh fails, the cached copy is used with a warning.

    Parameters
    ----------
    latitude, longitude : float
        Site position [deg north, deg east].
    cache_dir : str or Path, optional
        Cache folder (see :func:`pvgis_cache_dir`).
    timeout_s : float
        Time allowed for PVGIS to answer [s].
    refresh : bool
        Download again even when a cached copy exists.

    Returns
    -------
    Path
        The cached PVGIS JSON file (read it with :func:`read_weather`, format
        ``'pvgis_json'``).

    Raises
    ------
    ScenarioError
        Field ``solar.weather.pvgis``: offline or timed out without a cached copy, or PVGIS
        refused the request; the message suggests ``weather: embedded`` or a weather file.
    """
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        raise ScenarioError.single("site", (latitude, longitude),
                                   "latitude must lie in [-90, 90] and longitude in [-180, 180]")
    lat = round(float(latitude), PVGIS_DECIMALS)
    lon = round(float(longitude), PVGIS_DECIMALS)
    folder = pvgis_cache_dir(cache_dir)
    path = folder / f"pvgis_tmy_{lat:.{PVGIS_DECIMALS}f}_{lon:.{PVGIS_DECIMALS}f}.json"
    cached = path.is_file() and _valid_pvgis(path.read_text(encoding="utf-8",
                                                            errors="replace"))
    if cached and not refresh:
        return path
    where = {"latitude": lat, "longitude": lon}
    fallback = ("use weather: embedded (built in, no network) or a weather file "
                "(weather: {file: ..., format: ...}); or download the PVGIS TMY (JSON) where "
                f"there is internet and copy it to {path}")
    problem: str
    try:
        text = _pvgis_request(lat, lon, timeout_s)
    except requests.Timeout as exc:
        problem = f"PVGIS did not answer within {timeout_s:g} s ({type(exc).__name__})"
    except (requests.RequestException, OSError) as exc:
        problem = f"cannot reach PVGIS ({type(exc).__name__}: {exc})"
    except _PvgisRefusedError as exc:
        raise ScenarioError.single("solar.weather.pvgis", where,
                                   f"PVGIS refused the request: {exc}; {fallback}") from exc
    else:
        if not _valid_pvgis(text):
            problem = "PVGIS answered without a TMY (unexpected response)"
        else:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, path)
            except OSError as exc:
                raise ScenarioError.single(
                    "solar.weather.cache_dir", str(folder), f"cannot write the PVGIS cache "
                    f"({exc}); give a writable cache_dir or set ENERGYOPT_CACHE_DIR") from exc
            return path
    if cached:
        warnings.warn(f"{problem}; using the cached PVGIS TMY {path}", UserWarning,
                      stacklevel=2)
        return path
    raise ScenarioError.single("solar.weather.pvgis", where,
                               f"{problem}, and no cached copy at {path}; {fallback}")


# --------------------------------------------------------------------------------------------
# Scenario entry
# --------------------------------------------------------------------------------------------
def weather_from_spec(spec: WeatherFileSpec | PvgisSpec, *, site: SiteSpec,
                      index: pd.DatetimeIndex, base_dir: Path | None = None) -> pd.DataFrame:
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
        weather, meta = read_weather(path, spec.format, columns=spec.columns,
                                     timezone=spec.timezone, label=spec.label,
                                     latitude=site.latitude, longitude=site.longitude)
        year = spec.year
    check_location(meta, site.latitude, site.longitude, site_name=f"site '{site.name}'")
    one_year, meta = typical_year(weather, meta, year=year)
    out = to_index(one_year, index)
    out.attrs["weather_meta"] = meta
    return out
