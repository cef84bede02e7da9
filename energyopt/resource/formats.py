"""Readers of each weather file format, and the format's time convention.

Each reader returns the file's data with our column names on a tz-aware index labelling
interval STARTS on the file's own clock; :func:`~energyopt.resource.files.read_weather` checks,
repairs and normalises it.

Time conventions per format (all turned into interval-start labels on the file's own clock):

- ``epw`` (``pvlib.iotools.read_epw``): local standard time (header TZ); hour h covers
  (h-1, h] and pvlib already labels it h-1, its start. A file of more than one year of rows
  (several actual years one after the other, an "EPW series") is read as a calendar series,
  from which ``solar.weather.year`` picks a year.
- ``tmy3`` (``pvlib.iotools.read_tmy3``): local standard time (header TZ); labels are the END
  of the hour (01:00 = 00:00-01:00, 24:00 = 23:00-24:00), moved back one step here. The index
  is rebuilt from the file's Date and Time columns: pvlib's own index moves a leap-year
  '02/28 24:00' to Mar 1, which would leave a hole in a February taken from a leap year.
- ``pvgis_json``, ``pvgis_csv`` (``pvlib.iotools.read_pvgis_tmy``): UTC; ``time(UTC)`` labels
  the start of the hour. A PVGIS hourly radiation series (the ``seriescalc`` tool, read by
  ``pvlib.iotools.read_pvgis_hourly``) is recognised by its ``hourly`` outputs (JSON) or its
  ``time,`` header (CSV) and read as a calendar series: UTC, each sample (at minutes past the
  hour, e.g. 00:10) put on the hour it lies in; it must be for a horizontal plane (slope 0,
  so that its plane-of-array global irradiance ``G(i)`` is GHI).
- ``nasa_power`` (the POWER CSV with its header block, parsed here): UTC or local solar time
  (LST = UTC + round(longitude / 15) h) as the header says; HR labels the start of the hour.
- ``csv``: the UTC offsets in the timestamps, or ``timezone`` for timestamps without one;
  labels are starts unless ``label='end'``.

Missing-value codes (EPW 9999/99.9/999, TMY3 -9900, NASA POWER's header value, -999 and
below in a generic CSV) become gaps. Instantaneous values (e.g. EPW air temperature at the end
of the hour) are used as the hour's mean.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import math
import re
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pvlib

from energyopt.errors import ScenarioError
from energyopt.resource.common import WEATHER_COLUMNS
from energyopt.scenario import FIXED_OFFSET_PATTERN

__all__ = ["FORMATS", "IRRADIANCE_COLUMNS", "infer_format"]

IRRADIANCE_COLUMNS = ("ghi", "dni", "dhi")
FORMATS: tuple[str, ...] = ("epw", "tmy3", "pvgis_json", "pvgis_csv", "nasa_power", "csv")

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


#: Rows of at most one (leap) year: more make an EPW a multi-year series.
_YEAR_ROWS = 8784


def _read_epw(path: Path) -> _Raw:
    data, meta = pvlib.iotools.read_epw(str(path))
    one_year = len(data) <= _YEAR_ROWS
    frame = data[[c for c in WEATHER_COLUMNS if c in data.columns]].astype(float)
    # EPW missing-value codes (EnergyPlus Auxiliary Programs, weather file format)
    for col in IRRADIANCE_COLUMNS:
        frame.loc[frame[col] >= 9999, col] = np.nan
    frame.loc[frame["temp_air"] >= 99.9, "temp_air"] = np.nan
    frame.loc[frame["wind_speed"] >= 999, "wind_speed"] = np.nan
    return _Raw(frame, _series_meta(meta, "latitude"), _series_meta(meta, "longitude"),
                _series_meta(meta, "altitude"), one_year=one_year,
                notes=[f"EPW {meta.get('city', '')!s}".rstrip() + ": local standard time "
                       f"{_clock_name(frame.index.tz)}, hour h labelled at its start h-1"
                       + ("" if one_year else "; several years: a calendar series")])


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


def _is_pvgis_series(path: Path, fmt: str) -> bool:
    """Whether a PVGIS file is an hourly radiation series (seriescalc), not a TMY."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if fmt == "pvgis_json":
        return '"hourly"' in text and "tmy_hourly" not in text
    return any(line.startswith("time,") for line in text.splitlines()[:40])


def _read_pvgis_series(path: Path, fmt: str) -> _Raw:
    data, meta = pvlib.iotools.read_pvgis_hourly(str(path), pvgis_format=fmt[len("pvgis_"):],
                                                 map_variables=True)[:2]
    inputs = meta.get("inputs", {}) if isinstance(meta, Mapping) else {}
    location = inputs.get("location", {}) if isinstance(inputs, Mapping) else {}
    mounting = inputs.get("mounting_system", {}) if isinstance(inputs, Mapping) else {}
    fixed = mounting.get("fixed", {}) if isinstance(mounting, Mapping) else {}
    slope = fixed.get("slope", {}) if isinstance(fixed, Mapping) else {}
    slope_deg = _series_meta(slope if isinstance(slope, Mapping) else {}, "value")
    if slope_deg is None and isinstance(meta, Mapping):
        slope_deg = _series_meta(meta, "Slope", "slope")
    if slope_deg is not None and abs(slope_deg) > 1e-6:
        raise ValueError(f"a PVGIS series on a plane of slope {slope_deg:g} deg; download it for "
                         "a horizontal plane (angle 0) so that G(i) is the global horizontal "
                         "irradiance")
    frame = pd.DataFrame(index=pd.DatetimeIndex(data.index).floor("h"))
    if "poa_global" in data.columns:
        frame["ghi"] = data["poa_global"].to_numpy(dtype=float)
    else:
        parts = [c for c in ("poa_direct", "poa_sky_diffuse", "poa_ground_diffuse")
                 if c in data.columns]
        frame["ghi"] = data[parts].to_numpy(dtype=float).sum(axis=1)
        if "poa_sky_diffuse" in data.columns:
            frame["dhi"] = data["poa_sky_diffuse"].to_numpy(dtype=float)
    for col in ("temp_air", "wind_speed"):
        if col in data.columns:
            frame[col] = data[col].to_numpy(dtype=float)
    notes = ["PVGIS hourly series on a horizontal plane: UTC, samples at minutes past the "
             "hour put on the hour they lie in"]
    return _Raw(frame, _series_meta(location, "latitude"), _series_meta(location, "longitude"),
                _series_meta(location, "elevation"), one_year=False, notes=notes)


def _read_pvgis(path: Path, fmt: str) -> _Raw:
    if _is_pvgis_series(path, fmt):
        return _read_pvgis_series(path, fmt)
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
        what = ("not a text file (bytes that are not UTF-8)" if isinstance(exc, UnicodeDecodeError)
                else f"unreadable CSV ({exc})")
        raise ScenarioError.single(f"{field}.file", str(path), f"{what}; save it as a UTF-8 CSV "
                                   "with a header row, or give its format") from exc
    if data.empty:
        raise ScenarioError.single(f"{field}.file", str(path), "a header but no data rows; give "
                                   "one row per time step (hourly or finer)")
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
                    f"{row + 2}; give a number (decimal point '.'), or blank the cell")
            infinite = np.flatnonzero(np.isinf(values.to_numpy(dtype=float)))
            if infinite.size:
                row = int(infinite[0])
                raise ScenarioError.single(
                    f"{field}.file", str(data[mapping[ours]].iloc[row]),
                    f"infinite value in column '{mapping[ours]}' of {path.name} at row "
                    f"{row + 2} ({raw_times.iloc[row]}); give the measured value, or blank the "
                    "cell to have a short gap interpolated")
            frame[ours] = values.to_numpy(dtype=float)
    frame = frame.mask(frame <= -999.0)  # common missing-value codes (-999, -9999)
    return _Raw(frame, notes=notes)
