"""Access to the bundled data tables: technology defaults, candidate sites and climate zones.

The tables live as CSV files in the top-level ``data/`` folder of a source checkout; a wheel
carries a copy in ``energyopt/_data``. Every value keeps its provenance beside it: a source
document, the source's year and a grade (see ``GRADES``). The tables are checked when first
loaded, and a row without a source, year or valid grade is refused with a ``ValueError`` that
names the file and the line.

Site irradiance (``ghi_kwh_m2_day``) and the climate-zone tables are engineering estimates
(grade E); replace them with PVGIS, NASA POWER or measured data for real studies.
"""

from __future__ import annotations

import difflib
import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

__all__ = [
    "GRADES",
    "SiteRecord",
    "climate_normals",
    "community_loads",
    "climate_zone",
    "climate_zone_grade",
    "data_dir",
    "default",
    "load_evidence",
    "nearest_site",
    "pv_system_default",
    "pv_system_defaults",
    "reliability_failure",
    "reliability_failures",
    "site",
    "site_keys",
    "sites",
    "soiling",
    "technology_defaults",
    "threat_level",
    "threat_levels",
    "weather_variability",
    "weather_variability_table",
]

GRADES: Final[dict[str, str]] = {
    "P": "primary or official document",
    "S": "secondary source (press, a report quoted elsewhere)",
    "D": "derived from cited numbers",
    "E": "engineering estimate (placeholder: replace with mission data)",
}
"""Provenance grades used in the ``grade`` columns of the tables in ``data/``."""

TECHNOLOGIES_FILE: Final = "technologies.csv"
SITES_FILE: Final = "sites.csv"
CLIMATE_ZONES_FILE: Final = "climate_zones.csv"
THREAT_LEVELS_FILE: Final = "threat_levels.csv"

#: Threat levels of ``data/threat_levels.csv``, mildest first.
THREAT_LEVELS: Final = ("low", "medium", "high", "extreme")

_TECH_COLUMNS: Final = ("key", "value", "unit", "description", "source", "year", "grade")
_SITE_COLUMNS: Final = (
    "key",
    "name",
    "mission",
    "latitude",
    "longitude",
    "elevation_m",
    "timezone",
    "ghi_kwh_m2_day",
    "ghi_grade",
    "climate_zone",
    "source",
)
_SITE_FLOAT_COLUMNS: Final = ("latitude", "longitude", "elevation_m", "ghi_kwh_m2_day")
_CLIMATE_COLUMNS: Final = ("zone", "month", "kt", "temp_air_c", "temp_swing_c", "grade", "source")
_CLIMATE_FLOAT_COLUMNS: Final = ("kt", "temp_air_c", "temp_swing_c")
_THREAT_COLUMNS: Final = ("level", "key", "value", "unit", "description", "source", "year",
                          "grade")


def data_dir() -> Path:
    """Return the directory holding the bundled CSV tables.

    Returns
    -------
    pathlib.Path
        ``energyopt/_data`` when it exists (installed wheel), else the top-level ``data/``
        folder of the source checkout (also used by editable installs).

    Raises
    ------
    FileNotFoundError
        If neither directory exists.
    """
    packaged = Path(__file__).parent / "_data"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[1] / "data"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        "energyopt data directory not found: looked for "
        f"{packaged} (installed wheel) and {checkout} (source checkout). "
        "Reinstall energyopt, or run from a checkout that contains the data/ folder."
    )


def _suggestion(word: str, candidates: list[str]) -> str:
    """Return a ``did you mean ...?`` clause for ``word``, or an empty string."""
    close = difflib.get_close_matches(word, candidates, n=3, cutoff=0.6)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"


def _read_table(name: str, columns: tuple[str, ...]) -> tuple[Path, pd.DataFrame]:
    """Read one CSV of the data directory as text, checking its header.

    Empty cells are kept as empty strings (not NaN) so the provenance checks can see them.
    """
    path = data_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"energyopt data file not found: {path}")
    table = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; expected {list(columns)}")
    table = table.loc[:, list(columns)]
    for column in columns:
        table[column] = table[column].str.strip()
    return path, table


def _where(path: Path, row: int, label: str) -> str:
    """Describe a data row for error messages (line 1 is the header)."""
    return f"{path.name} line {row + 2} ({label})"


def _check_provenance(path: Path, table: pd.DataFrame, label_column: str, *,
                      source: str = "source", year: str | None = "year",
                      grade: str = "grade") -> None:
    """Raise ValueError unless every row has a source, a year (if required) and a valid grade."""
    for row, record in enumerate(table.to_dict("records")):
        where = _where(path, row, f"{label_column}={record[label_column]!r}")
        if not record[source]:
            raise ValueError(f"{path}: {where}: empty '{source}'; every value needs a source")
        if year is not None:
            text = record[year]
            if not text:
                raise ValueError(f"{path}: {where}: empty '{year}'; give the source's year")
            if not text.isdigit() or len(text) != 4:
                raise ValueError(f"{path}: {where}: '{year}'={text!r} is not a 4-digit year")
        if record[grade] not in GRADES:
            raise ValueError(
                f"{path}: {where}: '{grade}'={record[grade]!r} is not one of "
                f"{sorted(GRADES)}"
            )


def _to_float(path: Path, table: pd.DataFrame, columns: tuple[str, ...],
              label_column: str) -> None:
    """Convert ``columns`` of ``table`` to float in place, naming the row on failure."""
    for column in columns:
        values: list[float] = []
        for row, text in enumerate(table[column].tolist()):
            try:
                values.append(float(text))
            except ValueError:
                label = f"{label_column}={table[label_column].iloc[row]!r}"
                raise ValueError(
                    f"{path}: {_where(path, row, label)}: '{column}'={text!r} is not a number"
                ) from None
        table[column] = pd.Series(values, index=table.index, dtype="float64")


def _check_unique(path: Path, keys: pd.Series, what: str) -> None:
    """Raise ValueError if ``keys`` holds duplicates."""
    duplicated = sorted(set(keys[keys.duplicated()].tolist()))
    if duplicated:
        raise ValueError(f"{path}: duplicate {what}: {duplicated}")


@functools.lru_cache(maxsize=1)
def _technology_table() -> pd.DataFrame:
    path, table = _read_table(TECHNOLOGIES_FILE, _TECH_COLUMNS)
    if (table["key"] == "").any():
        row = int((table["key"] == "").to_numpy().argmax())
        raise ValueError(f"{path}: {_where(path, row, 'key')}: empty key")
    _check_unique(path, table["key"], "key(s)")
    _check_provenance(path, table, "key")
    _to_float(path, table, ("value",), "key")
    table["year"] = table["year"].astype("int64")
    return table.set_index("key")


@functools.lru_cache(maxsize=1)
def _site_table() -> pd.DataFrame:
    path, table = _read_table(SITES_FILE, _SITE_COLUMNS)
    table["key"] = table["key"].str.lower()
    _check_unique(path, table["key"], "site key(s)")
    _check_provenance(path, table, "key", year=None, grade="ghi_grade")
    _to_float(path, table, _SITE_FLOAT_COLUMNS, "key")
    return table.set_index("key")


@functools.lru_cache(maxsize=1)
def _climate_table() -> pd.DataFrame:
    path, table = _read_table(CLIMATE_ZONES_FILE, _CLIMATE_COLUMNS)
    _check_provenance(path, table, "zone", year=None)
    _to_float(path, table, ("month", *_CLIMATE_FLOAT_COLUMNS), "zone")
    table["month"] = table["month"].astype("int64")
    for zone, months in table.groupby("zone", sort=False)["month"]:
        if sorted(months.tolist()) != list(range(1, 13)):
            raise ValueError(
                f"{path}: zone {zone!r} must have exactly one row for each month 1..12, "
                f"found months {sorted(months.tolist())}"
            )
    return table


def technology_defaults() -> pd.DataFrame:
    """Return the table of technology and economic defaults.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``key`` (e.g. ``"pv.capex_usd_per_kwp"``), with columns ``value`` (float),
        ``unit``, ``description``, ``source``, ``year`` (int) and ``grade`` (one of
        ``GRADES``). The table is read once and cached; each call returns a fresh copy, so
        callers may modify it freely.
    """
    return _technology_table().copy()


def default(key: str) -> float:
    """Return the default value of one technology or economic parameter.

    Parameters
    ----------
    key : str
        Dotted key, e.g. ``"battery.roundtrip_efficiency"``.

    Returns
    -------
    float
        The value, in the unit given by ``technology_defaults().loc[key, "unit"]``.

    Raises
    ------
    KeyError
        If ``key`` is unknown; the message suggests close matches.
    """
    table = _technology_table()
    if key not in table.index:
        keys = [str(k) for k in table.index]
        raise KeyError(
            f"unknown technology default {key!r}.{_suggestion(key, keys)} "
            f"See energyopt.data.technology_defaults() for all {len(keys)} keys."
        )
    row = table.loc[key].to_dict()
    return float(row["value"])


@dataclass(frozen=True)
class SiteRecord:
    """One candidate site of the bundled site table.

    Attributes
    ----------
    key : str
        Lower-case identifier, e.g. ``"gao"``.
    name : str
        Display name, e.g. ``"Gao"``.
    mission : str
        UN mission the site belongs (or belonged) to.
    latitude : float
        Degrees north.
    longitude : float
        Degrees east.
    elevation_m : float
        Metres above sea level.
    timezone : str
        IANA timezone name, e.g. ``"Africa/Bamako"``.
    ghi_kwh_m2_day : float
        Annual mean daily global horizontal irradiation, kWh/m2/day.
    ghi_grade : str
        Provenance grade of ``ghi_kwh_m2_day`` (``"E"``: estimate, about +-8%).
    climate_zone : str
        Key of the site's climate zone, see ``climate_zone``.
    """

    key: str
    name: str
    mission: str
    latitude: float
    longitude: float
    elevation_m: float
    timezone: str
    ghi_kwh_m2_day: float
    ghi_grade: str
    climate_zone: str


def sites() -> pd.DataFrame:
    """Return the table of candidate sites.

    Returns
    -------
    pandas.DataFrame
        Indexed by lower-case ``key``, with the remaining fields of ``SiteRecord`` plus
        ``source`` as columns. Each call returns a fresh copy of the cached table.
    """
    return _site_table().copy()


def site_keys() -> list[str]:
    """Return the keys of the bundled sites, in file order.

    Returns
    -------
    list of str
        Lower-case site keys, e.g. ``["gao", "timbuktu", ...]``.
    """
    return [str(k) for k in _site_table().index]


def site(key: str) -> SiteRecord:
    """Return one bundled site.

    Parameters
    ----------
    key : str
        Site key, case-insensitive: ``"gao"``, ``"Gao"`` and ``"GAO"`` name the same site.

    Returns
    -------
    SiteRecord
        The site's coordinates, timezone, estimated irradiance and climate zone.

    Raises
    ------
    KeyError
        If no bundled site matches; the message suggests close matches and explains how to
        describe a custom site instead.
    """
    table = _site_table()
    wanted = key.strip().lower()
    if wanted not in table.index:
        keys = [str(k) for k in table.index]
        raise KeyError(
            f"unknown site {key!r}.{_suggestion(wanted, keys)} Run `energyopt sites` to list "
            "the bundled sites, or describe a custom site with "
            "{latitude, longitude, elevation_m, timezone}."
        )
    row = table.loc[wanted].to_dict()
    return SiteRecord(
        key=wanted,
        name=str(row["name"]),
        mission=str(row["mission"]),
        latitude=float(row["latitude"]),
        longitude=float(row["longitude"]),
        elevation_m=float(row["elevation_m"]),
        timezone=str(row["timezone"]),
        ghi_kwh_m2_day=float(row["ghi_kwh_m2_day"]),
        ghi_grade=str(row["ghi_grade"]),
        climate_zone=str(row["climate_zone"]),
    )


def climate_zone(zone: str) -> pd.DataFrame:
    """Return the monthly climate of one climate zone.

    Parameters
    ----------
    zone : str
        Zone key, e.g. ``"sahel"`` (case-insensitive); a site's zone is
        ``site(key).climate_zone``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``month`` 1..12, with float columns ``kt`` (monthly clearness index),
        ``temp_air_c`` (mean air temperature, C) and ``temp_swing_c`` (diurnal half
        amplitude, C). All values are engineering estimates (grade E).

    Raises
    ------
    KeyError
        If the zone is unknown; the message suggests close matches.
    """
    rows = _zone_rows(_climate_table(), zone, "unknown climate zone")
    rows = rows[["month", *_CLIMATE_FLOAT_COLUMNS]]
    return rows.set_index("month").sort_index().copy()


# --------------------------------------------------------------------------------------------
# Published monthly climate normals per site (data/climate_normals.csv)
# --------------------------------------------------------------------------------------------
CLIMATE_NORMALS_FILE: Final = "climate_normals.csv"

_NORMALS_COLUMNS: Final = ("site", "month", "ghi_kwh_m2_day", "ghi_grade", "ghi_source",
                           "sunshine_h_per_day", "temp_mean_c", "temp_min_c", "temp_max_c",
                           "temp_grade", "temp_source", "period")
_NORMALS_FLOAT_COLUMNS: Final = ("ghi_kwh_m2_day", "sunshine_h_per_day", "temp_mean_c",
                                 "temp_min_c", "temp_max_c")
#: value columns and the grade and source columns that must accompany them
_NORMALS_GROUPS: Final = (
    (("ghi_kwh_m2_day",), "ghi_grade", "ghi_source"),
    (("temp_mean_c", "temp_min_c", "temp_max_c"), "temp_grade", "temp_source"),
)


@functools.lru_cache(maxsize=1)
def _normals_table() -> pd.DataFrame:
    path, table = _read_table(CLIMATE_NORMALS_FILE, _NORMALS_COLUMNS)
    table["site"] = table["site"].str.lower()
    known = set(_site_table().index)
    for row, record in enumerate(table.to_dict("records")):
        where = _where(path, row, f"site={record['site']!r}, month={record['month']!r}")
        if record["site"] not in known:
            raise ValueError(f"{path}: {where}: unknown site; keys are those of {SITES_FILE}")
        for values, grade, source in _NORMALS_GROUPS:
            if any(record[v] for v in values):
                if record[grade] not in GRADES:
                    raise ValueError(f"{path}: {where}: '{grade}'={record[grade]!r} is not one "
                                     f"of {sorted(GRADES)}")
                if not record[source]:
                    raise ValueError(f"{path}: {where}: empty '{source}'; every value needs a "
                                     "source")
    for column in ("month", *_NORMALS_FLOAT_COLUMNS):
        numbers = pd.to_numeric(table[column].replace("", "nan"), errors="coerce")
        bad = numbers.isna() & (table[column] != "")
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise ValueError(f"{path}: {_where(path, row, table['site'].iloc[row])}: "
                             f"'{column}'={table[column].iloc[row]!r} is not a number")
        table[column] = numbers.astype("float64")
    for site_key, months in table.groupby("site", sort=False)["month"]:
        if sorted(months.tolist()) != [float(m) for m in range(1, 13)]:
            raise ValueError(f"{path}: site {site_key!r} must have exactly one row for each "
                             f"month 1..12, found {sorted(months.tolist())}")
    table["month"] = table["month"].astype("int64")
    temps = table[["temp_min_c", "temp_mean_c", "temp_max_c"]].dropna()
    disordered = temps[~((temps["temp_min_c"] <= temps["temp_mean_c"])
                         & (temps["temp_mean_c"] <= temps["temp_max_c"]))]
    if len(disordered):
        row = int(disordered.index[0])
        raise ValueError(f"{path}: {_where(path, row, table['site'].iloc[row])}: the "
                         "temperatures must satisfy temp_min_c <= temp_mean_c <= temp_max_c")
    return table


def climate_normals(site_key: str) -> pd.DataFrame | None:
    """Return a site's published monthly climate normals, or None where none were found.

    Parameters
    ----------
    site_key : str
        Key of ``data/sites.csv`` (case-insensitive).

    Returns
    -------
    pandas.DataFrame or None
        Indexed by ``month`` 1..12 with the columns of ``data/climate_normals.csv``:
        ``ghi_kwh_m2_day`` [kWh/m2/day], ``sunshine_h_per_day`` [h/day], ``temp_mean_c``,
        ``temp_min_c``, ``temp_max_c`` [C] as floats (NaN where not found), and the text
        columns ``ghi_grade``, ``ghi_source``, ``temp_grade``, ``temp_source``, ``period``
        (empty where not found). ``None`` if the file holds no value for the site (then the
        site's climate zone estimate, grade E, applies).

    Raises
    ------
    KeyError
        If the site is unknown (the message suggests close matches).
    ValueError
        If the file is malformed (names the file and the line).
    """
    key = site(site_key).key
    table = _normals_table()
    rows = table.loc[table["site"] == key]
    if rows.empty or rows[["ghi_kwh_m2_day", "temp_mean_c", "temp_min_c",
                           "temp_max_c"]].isna().all().all():
        return None
    return rows.drop(columns="site").set_index("month").sort_index().copy()


# --------------------------------------------------------------------------------------------
# Camp load defaults: archetypes and components (data/load_archetypes.csv, load_components.csv)
# --------------------------------------------------------------------------------------------
LOAD_ARCHETYPES_FILE: Final = "load_archetypes.csv"
LOAD_COMPONENTS_FILE: Final = "load_components.csv"

_LOAD_ARCHETYPE_COLUMNS: Final = ("archetype", "parameter", "value", "unit", "description",
                                  "source", "year", "grade")
_LOAD_COMPONENT_COLUMNS: Final = ("component", "kwh_per_day", "critical_share", "shape",
                                  "description", "source", "year", "grade")
#: Rows of ``load_archetypes.csv`` under this name apply to every archetype (an archetype's own
#: row of the same parameter wins).
LOAD_ARCHETYPE_ALL: Final = "all"


@functools.lru_cache(maxsize=1)
def _load_archetype_table() -> pd.DataFrame:
    path, table = _read_table(LOAD_ARCHETYPES_FILE, _LOAD_ARCHETYPE_COLUMNS)
    table["key"] = table["archetype"] + "." + table["parameter"]
    _check_unique(path, table["key"], "archetype parameter(s)")
    _check_provenance(path, table, "key")
    _to_float(path, table, ("value",), "key")
    table["year"] = table["year"].astype("int64")
    return table.drop(columns="key")


@functools.lru_cache(maxsize=1)
def _load_component_table() -> pd.DataFrame:
    path, table = _read_table(LOAD_COMPONENTS_FILE, _LOAD_COMPONENT_COLUMNS)
    _check_unique(path, table["component"], "component(s)")
    _check_provenance(path, table, "component")
    _to_float(path, table, ("kwh_per_day", "critical_share"), "component")
    for row, record in enumerate(table.to_dict("records")):
        where = _where(path, row, f"component={record['component']!r}")
        if not 0.0 <= record["critical_share"] <= 1.0:
            raise ValueError(f"{path}: {where}: critical_share must lie in [0, 1]")
        if record["kwh_per_day"] < 0.0:
            raise ValueError(f"{path}: {where}: kwh_per_day must not be negative")
    table["year"] = table["year"].astype("int64")
    return table.set_index("component")


def load_archetypes() -> pd.DataFrame:
    """Return the table of camp-archetype load parameters (long format).

    Returns
    -------
    pandas.DataFrame
        One row per (``archetype``, ``parameter``) with ``value`` (float), ``unit``,
        ``description``, ``source``, ``year`` (int) and ``grade``. Rows with archetype
        ``"all"`` apply to every archetype. A fresh copy of the cached table.
    """
    return _load_archetype_table().copy()


def load_archetype(key: str) -> dict[str, float]:
    """Return the load parameters of one camp archetype, shared rows included.

    Parameters
    ----------
    key : str
        Archetype, e.g. ``"battalion_hq"`` (case-insensitive).

    Returns
    -------
    dict of str to float
        Parameter -> value in the unit of ``load_archetypes()``; the archetype's own rows
        override the ``"all"`` rows.

    Raises
    ------
    KeyError
        If the archetype is unknown; the message suggests close matches.
    """
    table = _load_archetype_table()
    wanted = key.strip().lower()
    names = [str(a) for a in dict.fromkeys(table["archetype"]) if a != LOAD_ARCHETYPE_ALL]
    if wanted not in names:
        raise KeyError(f"unknown camp archetype {key!r}.{_suggestion(wanted, names)} "
                       f"Known archetypes: {', '.join(names)}.")
    out: dict[str, float] = {}
    for name in (LOAD_ARCHETYPE_ALL, wanted):
        rows = table.loc[table["archetype"] == name]
        out.update({str(p): float(v) for p, v in zip(rows["parameter"], rows["value"],
                                                      strict=True)})
    return out


@dataclass(frozen=True)
class LoadComponentRecord:
    """Default of one camp load component (``data/load_components.csv``).

    Attributes
    ----------
    key : str
        Component, e.g. ``"level2_hospital"``.
    kwh_per_day : float
        Mean electricity per day [kWh/day].
    critical_share : float
        Part of the component's load that must never be shed [-].
    shape : str
        Daily shape: ``flat``, ``day``, ``office`` or ``meals`` (see ``energyopt.load``).
    description : str
        What the figure stands for.
    grade : str
        Provenance grade (one of ``GRADES``).
    """

    key: str
    kwh_per_day: float
    critical_share: float
    shape: str
    description: str
    grade: str


def load_components() -> pd.DataFrame:
    """Return the table of camp load components, indexed by ``component``.

    Returns
    -------
    pandas.DataFrame
        Columns ``kwh_per_day`` [kWh/day], ``critical_share`` [-], ``shape``,
        ``description``, ``source``, ``year`` and ``grade``. A fresh copy of the cached table.
    """
    return _load_component_table().copy()


def load_component(key: str) -> LoadComponentRecord:
    """Return the defaults of one camp load component.

    Parameters
    ----------
    key : str
        Component, e.g. ``"water_treatment"`` (case-insensitive).

    Returns
    -------
    LoadComponentRecord
        Its mean kWh per day, critical share, daily shape, description and grade.

    Raises
    ------
    KeyError
        If the component is unknown; the message suggests close matches.
    """
    table = _load_component_table()
    wanted = key.strip().lower()
    if wanted not in table.index:
        names = [str(k) for k in table.index]
        raise KeyError(f"unknown load component {key!r}.{_suggestion(wanted, names)} "
                       f"Known components: {', '.join(names)}.")
    row = table.loc[wanted].to_dict()
    return LoadComponentRecord(key=wanted, kwh_per_day=float(row["kwh_per_day"]),
                               critical_share=float(row["critical_share"]),
                               shape=str(row["shape"]), description=str(row["description"]),
                               grade=str(row["grade"]))


# --- solar resource tables (soiling, PV system defaults) and site look-ups --------------------
SOILING_FILE: Final = "soiling.csv"
PV_SYSTEM_FILE: Final = "pv_system.csv"
_SOILING_COLUMNS: Final = ("zone", "month", "soiling_fraction", "grade", "source", "year")


@functools.lru_cache(maxsize=1)
def _soiling_table() -> pd.DataFrame:
    path, table = _read_table(SOILING_FILE, _SOILING_COLUMNS)
    _check_provenance(path, table, "zone")
    _to_float(path, table, ("month", "soiling_fraction"), "zone")
    table["month"] = table["month"].astype("int64")
    for zone, rows in table.groupby("zone", sort=False):
        if sorted(rows["month"].tolist()) != list(range(1, 13)):
            raise ValueError(f"{path}: zone {zone!r} must have exactly one row for each month "
                             f"1..12, found months {sorted(rows['month'].tolist())}")
        bad = rows[(rows["soiling_fraction"] < 0.0) | (rows["soiling_fraction"] > 0.5)]
        if len(bad):
            raise ValueError(f"{path}: zone {zone!r}: soiling_fraction must lie in [0, 0.5], "
                             f"found {bad['soiling_fraction'].tolist()}")
    return table


@functools.lru_cache(maxsize=1)
def _pv_system_table() -> pd.DataFrame:
    path, table = _read_table(PV_SYSTEM_FILE, _TECH_COLUMNS)
    _check_unique(path, table["key"], "key(s)")
    _check_provenance(path, table, "key")
    _to_float(path, table, ("value",), "key")
    table["year"] = table["year"].astype("int64")
    return table.set_index("key")


def soiling(zone: str) -> pd.Series:
    """Return the default monthly soiling loss of one climate zone.

    Parameters
    ----------
    zone : str
        Zone key, e.g. ``"sahel"`` (case-insensitive).

    Returns
    -------
    pandas.Series
        ``soiling_fraction`` indexed by ``month`` 1..12: share of PV output lost to dust and
        dirt with regular cleaning [-]. Engineering estimates (grade E), see
        ``data/soiling.csv`` for the sources behind them.

    Raises
    ------
    KeyError
        If the zone is unknown; the message suggests close matches.
    """
    rows = _zone_rows(_soiling_table(), zone, "no soiling defaults for zone")
    rows = rows.set_index("month").sort_index()
    return rows["soiling_fraction"].copy()


def pv_system_defaults() -> pd.DataFrame:
    """Return the PV system defaults (trackers, albedo, loss split) of ``data/pv_system.csv``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``key``, with columns ``value`` (float), ``unit``, ``description``,
        ``source``, ``year`` (int) and ``grade``; a fresh copy on each call.
    """
    return _pv_system_table().copy()


def pv_system_default(key: str) -> float:
    """Return one PV system default, e.g. ``"pv.tracker_gcr"``.

    Parameters
    ----------
    key : str
        Dotted key of ``data/pv_system.csv``.

    Returns
    -------
    float
        The value, in the unit given by ``pv_system_defaults().loc[key, "unit"]``.

    Raises
    ------
    KeyError
        If ``key`` is unknown; the message suggests close matches.
    """
    return _keyed_value(_pv_system_table(), key, "PV system default")


def climate_zone_grade(zone: str) -> str:
    """Return the provenance grade of a climate zone's rows (the lowest if they differ).

    Parameters
    ----------
    zone : str
        Zone key, e.g. ``"sahel"``.

    Returns
    -------
    str
        One of ``GRADES`` (``"E"`` for the bundled zones: estimates).
    """
    climate_zone(zone)  # raises KeyError with a hint for an unknown zone
    table = _climate_table()
    grades = set(table.loc[table["zone"] == zone.strip().lower(), "grade"])
    for grade in ("E", "S", "D", "P"):
        if grade in grades:
            return grade
    return sorted(grades)[0]


def nearest_site(latitude: float, longitude: float) -> tuple[SiteRecord, float]:
    """Return the bundled site nearest to a position and its great-circle distance.

    Parameters
    ----------
    latitude, longitude : float
        Position [deg], north and east positive.

    Returns
    -------
    tuple
        ``(SiteRecord, distance_km)`` on a sphere of radius 6371 km.
    """
    table = _site_table()
    lat1, lon1 = math.radians(latitude), math.radians(longitude)
    lat2 = np.radians(table["latitude"].to_numpy(dtype=float))
    lon2 = np.radians(table["longitude"].to_numpy(dtype=float))
    a = (np.sin((lat2 - lat1) / 2.0) ** 2
         + math.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2.0) ** 2)
    distance_km = 2.0 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    best = int(distance_km.argmin())
    return site(str(table.index[best])), float(distance_km[best])


@functools.lru_cache(maxsize=1)
def _threat_table() -> pd.DataFrame:
    path, table = _read_table(THREAT_LEVELS_FILE, _THREAT_COLUMNS)
    _check_provenance(path, table, "level")
    _to_float(path, table, ("value",), "level")
    table["year"] = table["year"].astype("int64")
    unknown = sorted(set(table["level"]) - set(THREAT_LEVELS))
    if unknown:
        raise ValueError(f"{path}: unknown threat level(s) {unknown}; use {list(THREAT_LEVELS)}")
    _check_unique(path, table["level"] + "." + table["key"], "level.key pair(s)")
    return table


def threat_levels() -> pd.DataFrame:
    """Return the threat-level presets of convoy risk.

    Returns
    -------
    pandas.DataFrame
        One row per (``level``, ``key``) with ``value`` (float), ``unit``, ``description``,
        ``source``, ``year`` and ``grade``; keys are fields of the scenario's ``fuel`` section
        (``casualties_per_convoy``, ``loss_fraction``). A fresh copy on each call.
    """
    return _threat_table().copy()


def threat_level(level: str) -> dict[str, float]:
    """Return the preset values of one threat level.

    Parameters
    ----------
    level : str
        ``low``, ``medium``, ``high`` or ``extreme``.

    Returns
    -------
    dict of str to float
        ``fuel`` field name -> value (e.g. ``casualties_per_convoy``).

    Raises
    ------
    KeyError
        If the level is unknown.
    """
    table = _threat_table()
    wanted = level.strip().lower()
    if wanted not in THREAT_LEVELS:
        raise KeyError(f"unknown threat level {level!r}.{_suggestion(wanted, list(THREAT_LEVELS))}"
                       f" Known levels: {', '.join(THREAT_LEVELS)}.")
    rows = table.loc[table["level"] == wanted]
    return {str(k): float(v) for k, v in zip(rows["key"], rows["value"], strict=True)}


# --- inter-annual weather variability (the embedded generator's seeded years) ---------------
WEATHER_VARIABILITY_FILE: Final = "weather_variability.csv"
_VARIABILITY_COLUMNS: Final = ("zone", "key", "value", "unit", "description", "source", "year",
                               "grade")
#: Keys every zone of ``data/weather_variability.csv`` must give.
WEATHER_VARIABILITY_REQUIRED: Final = ("annual_ghi_cv", "monthly_ghi_sd", "monsoon_ghi_sd",
                                       "dust_episodes_per_year", "temp_c_per_ghi_fraction",
                                       "monthly_temp_sd_c")
#: Keys needed only when a zone has a monsoon (``monsoon_ghi_sd > 0``) or dust episodes.
_MONSOON_KEYS: Final = ("monsoon_first_month", "monsoon_last_month")
_DUST_KEYS: Final = ("dust_first_month", "dust_last_month", "dust_episode_days",
                     "dust_episode_ghi_loss", "dust_year_shape")
#: Accepted range of each key [its unit].
_VARIABILITY_BOUNDS: Final[dict[str, tuple[float, float]]] = {
    "annual_ghi_cv": (0.0, 0.2), "monthly_ghi_sd": (0.0, 0.3), "monsoon_ghi_sd": (0.0, 0.3),
    "dust_episodes_per_year": (0.0, 50.0), "temp_c_per_ghi_fraction": (0.0, 40.0),
    "monthly_temp_sd_c": (0.0, 5.0), "monsoon_first_month": (1.0, 12.0),
    "monsoon_last_month": (1.0, 12.0), "dust_first_month": (1.0, 12.0),
    "dust_last_month": (1.0, 12.0), "dust_episode_days": (1.0, 60.0),
    "dust_episode_ghi_loss": (0.0, 0.6), "dust_year_shape": (0.1, 100.0),
}


@functools.lru_cache(maxsize=1)
def _variability_table() -> pd.DataFrame:
    path, table = _read_table(WEATHER_VARIABILITY_FILE, _VARIABILITY_COLUMNS)
    table["zone"] = table["zone"].str.lower()
    _check_provenance(path, table, "zone")
    _to_float(path, table, ("value",), "zone")
    table["year"] = table["year"].astype("int64")
    _check_unique(path, table["zone"] + "." + table["key"], "zone.key pair(s)")
    for zone, rows in table.groupby("zone", sort=False):
        values = dict(zip(rows["key"], rows["value"], strict=True))
        unknown = sorted(set(values) - set(_VARIABILITY_BOUNDS))
        if unknown:
            raise ValueError(f"{path}: zone {zone!r}: unknown key(s) {unknown}; known: "
                             f"{sorted(_VARIABILITY_BOUNDS)}")
        needed = list(WEATHER_VARIABILITY_REQUIRED)
        if values.get("monsoon_ghi_sd", 0.0) > 0.0:
            needed += _MONSOON_KEYS
        if values.get("dust_episodes_per_year", 0.0) > 0.0:
            needed += _DUST_KEYS
        missing = [k for k in needed if k not in values]
        if missing:
            raise ValueError(f"{path}: zone {zone!r} lacks key(s) {missing}")
        for key, value in values.items():
            low, high = _VARIABILITY_BOUNDS[key]
            if not low <= value <= high or (key.endswith("_month") and value != int(value)):
                raise ValueError(f"{path}: zone {zone!r}: {key}={value} must lie in "
                                 f"[{low:g}, {high:g}]" + (" and be a whole month"
                                                          if key.endswith("_month") else ""))
    return table


def weather_variability_table() -> pd.DataFrame:
    """Return the inter-annual weather variability of every climate zone.

    Returns
    -------
    pandas.DataFrame
        One row per (``zone``, ``key``) with ``value`` (float), ``unit``, ``description``,
        ``source``, ``year`` (int) and ``grade``; a fresh copy on each call. The keys are
        described in ``data/weather_variability.csv`` and used by
        :mod:`energyopt.resource.embedded` when ``solar.seed`` is set.
    """
    return _variability_table().copy()


def weather_variability(zone: str) -> dict[str, float]:
    """Return the inter-annual variability parameters of one climate zone.

    Parameters
    ----------
    zone : str
        Zone key, e.g. ``"sahel"`` (case-insensitive).

    Returns
    -------
    dict of str to float
        Key -> value: ``annual_ghi_cv`` (inter-annual coefficient of variation of annual GHI
        [-]), ``monthly_ghi_sd``, ``monsoon_ghi_sd`` [-], ``dust_episodes_per_year``
        [episodes/yr], ``temp_c_per_ghi_fraction`` [C], ``monthly_temp_sd_c`` [C], and for a
        zone with a monsoon or dust season their months and episode settings. Keys a zone
        does not need are absent.

    Raises
    ------
    KeyError
        If the zone is unknown; the message suggests close matches.
    """
    rows = _zone_rows(_variability_table(), zone, "no weather variability for zone")
    return {str(k): float(v) for k, v in zip(rows["key"].tolist(),
                                              rows["value"].astype(float).tolist(), strict=True)}


# --- host-community loads: MTF household tiers and facilities (data/community_loads.csv) -----
COMMUNITY_LOADS_FILE: Final = "community_loads.csv"
#: Hour columns of the daily shape (local wall clock, hour 0 = 00:00-01:00).
COMMUNITY_SHAPE_COLUMNS: Final = tuple(f"h{h:02d}" for h in range(24))
#: World Bank Multi-Tier Framework household tiers the file must give.
COMMUNITY_TIERS: Final = ("tier1", "tier2", "tier3", "tier4", "tier5")
_COMMUNITY_KINDS: Final = ("household", "facility")
_COMMUNITY_COLUMNS: Final = ("key", "kind", "kwh_per_day", "weekend_factor",
                             *COMMUNITY_SHAPE_COLUMNS, "description", "source", "year", "grade")
#: Largest deviation of a shape's sum from 1 accepted (rounding of 4-decimal fractions) [-].
_SHAPE_SUM_TOLERANCE: Final = 1e-3


@functools.lru_cache(maxsize=1)
def _community_table() -> pd.DataFrame:
    path, table = _read_table(COMMUNITY_LOADS_FILE, _COMMUNITY_COLUMNS)
    table["key"] = table["key"].str.lower()
    _check_unique(path, table["key"], "key(s)")
    _check_provenance(path, table, "key")
    _to_float(path, table, ("kwh_per_day", "weekend_factor", *COMMUNITY_SHAPE_COLUMNS), "key")
    for row, record in enumerate(table.to_dict("records")):
        where = _where(path, row, f"key={record['key']!r}")
        if record["kind"] not in _COMMUNITY_KINDS:
            raise ValueError(f"{path}: {where}: kind={record['kind']!r} must be one of "
                             f"{list(_COMMUNITY_KINDS)}")
        energy = record["kwh_per_day"]
        if not math.isfinite(energy) or energy <= 0.0:
            raise ValueError(f"{path}: {where}: kwh_per_day={energy} must be a finite number "
                             "> 0 [kWh/day per household or facility]")
        if not 0.0 <= record["weekend_factor"] <= 2.0:
            raise ValueError(f"{path}: {where}: weekend_factor={record['weekend_factor']} must "
                             "lie in [0, 2]")
        shape = np.array([record[c] for c in COMMUNITY_SHAPE_COLUMNS], dtype=float)
        if not np.isfinite(shape).all() or (shape < 0.0).any():
            bad = COMMUNITY_SHAPE_COLUMNS[int(np.argmax(~np.isfinite(shape) | (shape < 0.0)))]
            raise ValueError(f"{path}: {where}: shape column {bad}={record[bad]} must be a "
                             "finite fraction >= 0")
        if abs(float(shape.sum()) - 1.0) > _SHAPE_SUM_TOLERANCE:
            raise ValueError(f"{path}: {where}: the hourly shape h00..h23 sums to "
                             f"{shape.sum():.4f}; the fractions of the day's energy must sum "
                             f"to 1 (within {_SHAPE_SUM_TOLERANCE:g})")
    missing = [t for t in COMMUNITY_TIERS
               if t not in set(table.loc[table["kind"] == "household", "key"])]
    if missing:
        raise ValueError(f"{path}: no household row for MTF tier(s) {missing}; the file must "
                         f"give {list(COMMUNITY_TIERS)}")
    table["year"] = table["year"].astype("int64")
    return table.set_index("key")


def community_loads() -> pd.DataFrame:
    """Return the host-community load table: household tiers and facilities.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``key`` (``tier1`` .. ``tier5`` for World Bank Multi-Tier Framework
        households, then facilities such as ``health_centre``, ``school``, ``water_pump``,
        ``mill``, ``welding_workshop``, ``cold_storage``), with ``kind`` (``household`` or
        ``facility``), ``kwh_per_day`` (float, energy of one household or facility on a
        working day [kWh/day]), ``weekend_factor`` (float, Saturday and Sunday energy over a
        working day's [-]), ``h00`` .. ``h23`` (float, share of the day's energy in each local
        hour, summing to 1), ``description``, ``source``, ``year`` (int) and ``grade``; a
        fresh copy on each call. The tiers are derived (grade D) from the MTF thresholds; the
        facilities are engineering estimates (grade E) with their reasoning in
        ``description``.

    Raises
    ------
    ValueError
        If the file is malformed (names the file, the line and the column).
    """
    return _community_table().copy()


# --- equipment failure and convoy cancellation rates (data/reliability_failures.csv) ---------
RELIABILITY_FAILURES_FILE: Final = "reliability_failures.csv"
_RELIABILITY_COLUMNS: Final = ("key", "value", "unit", "source", "year", "grade")


@functools.lru_cache(maxsize=1)
def _reliability_table() -> pd.DataFrame:
    path, table = _read_table(RELIABILITY_FAILURES_FILE, _RELIABILITY_COLUMNS)
    _check_unique(path, table["key"], "key(s)")
    _check_provenance(path, table, "key")
    _to_float(path, table, ("value",), "key")
    for row, record in enumerate(table.to_dict("records")):
        if not math.isfinite(record["value"]) or record["value"] < 0.0:
            raise ValueError(f"{path}: {_where(path, row, repr(record['key']))}: value must be "
                             "a finite number >= 0")
    table["year"] = table["year"].astype("int64")
    return table.set_index("key")


def reliability_failures() -> pd.DataFrame:
    """Return the default failure, repair and convoy cancellation rates.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``key`` (e.g. ``"diesel.mtbf_h"``), with columns ``value`` (float),
        ``unit``, ``source``, ``year`` (int) and ``grade``; a fresh copy on each call. Used
        by :func:`energyopt.simulate.draw_outages`.
    """
    return _reliability_table().copy()


def reliability_failure(key: str) -> float:
    """Return one default of ``data/reliability_failures.csv``, e.g. ``"diesel.mtbf_h"``.

    Parameters
    ----------
    key : str
        Dotted key.

    Returns
    -------
    float
        The value, in the unit given by ``reliability_failures().loc[key, "unit"]``.

    Raises
    ------
    KeyError
        If ``key`` is unknown; the message suggests close matches.
    """
    return _keyed_value(_reliability_table(), key, "reliability default")


def _zone_rows(table: pd.DataFrame, zone: str, what: str) -> pd.DataFrame:
    """Return ``table``'s rows of a climate zone, or raise a KeyError with close matches."""
    wanted = zone.strip().lower()
    zones = list(dict.fromkeys(str(z) for z in table["zone"]))
    if wanted not in zones:
        raise KeyError(f"{what} {zone!r}.{_suggestion(wanted, zones)} "
                       f"Known zones: {', '.join(zones)}.")
    return table.loc[table["zone"] == wanted]


def _keyed_value(table: pd.DataFrame, key: str, what: str) -> float:
    """Return ``table``'s value of ``key``, or raise a KeyError with close matches."""
    if key not in table.index:
        keys = [str(k) for k in table.index]
        raise KeyError(f"unknown {what} {key!r}.{_suggestion(key, keys)} "
                       f"Known keys: {', '.join(keys)}.")
    return float(str(table.loc[key, "value"]))


# --------------------------------------------------------------------------------------------
# Published evidence on camp loads (data/load_evidence.csv)
# --------------------------------------------------------------------------------------------
LOAD_EVIDENCE_FILE: Final = "load_evidence.csv"

_LOAD_EVIDENCE_COLUMNS: Final = (
    "evidence_id", "quantity", "comparison", "value", "unit", "tolerance", "tolerance_reason",
    "camp_type", "personnel", "climate", "check_archetype", "check_site", "check_personnel",
    "kind", "source", "address", "year", "grade", "quote", "derivation", "checks", "status")
#: How an evidence row is compared with the archetype (``comparison`` column).
LOAD_EVIDENCE_COMPARISONS: Final = ("range", "lower_bound", "upper_bound", "greater_than",
                                    "not_compared")
#: Outcome recorded for each row (``status`` column).
LOAD_EVIDENCE_STATUSES: Final = ("agrees", "disagrees", "not_compared")


@functools.lru_cache(maxsize=1)
def _load_evidence_table() -> pd.DataFrame:
    path, table = _read_table(LOAD_EVIDENCE_FILE, _LOAD_EVIDENCE_COLUMNS)
    _check_unique(path, table["evidence_id"], "evidence_id(s)")
    for row, record in enumerate(table.to_dict("records")):
        where = _where(path, row, f"evidence_id={record['evidence_id']!r}")
        for column in ("source", "address", "quote", "quantity"):
            if not record[column]:
                raise ValueError(f"{path}: {where}: empty '{column}'; every row needs its "
                                 "quantity, its source, the address and the quoted passage")
        if record["grade"] not in GRADES:
            raise ValueError(f"{path}: {where}: 'grade'={record['grade']!r} is not one of "
                             f"{sorted(GRADES)}")
        year = record["year"]
        if year and not (year.isdigit() and len(year) == 4):
            raise ValueError(f"{path}: {where}: 'year'={year!r} is not a 4-digit year (leave "
                             "it empty where the source states none)")
        if record["comparison"] not in LOAD_EVIDENCE_COMPARISONS:
            raise ValueError(f"{path}: {where}: 'comparison'={record['comparison']!r} is not "
                             f"one of {list(LOAD_EVIDENCE_COMPARISONS)}")
        if record["status"] not in LOAD_EVIDENCE_STATUSES:
            raise ValueError(f"{path}: {where}: 'status'={record['status']!r} is not one of "
                             f"{list(LOAD_EVIDENCE_STATUSES)}")
        compared = record["comparison"] != "not_compared"
        if compared and not (record["value"] and record["tolerance"]
                             and record["tolerance_reason"] and record["check_archetype"]):
            raise ValueError(f"{path}: {where}: a compared row needs 'value', 'tolerance' with "
                             "its 'tolerance_reason' and 'check_archetype'")
        if compared == (record["status"] == "not_compared"):
            raise ValueError(f"{path}: {where}: 'status' must be 'not_compared' exactly when "
                             "'comparison' is")
    for column in ("value", "tolerance", "personnel", "check_personnel"):
        numbers = pd.to_numeric(table[column].replace("", "nan"), errors="coerce")
        bad = numbers.isna() & (table[column] != "")
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise ValueError(f"{path}: {_where(path, row, table['evidence_id'].iloc[row])}: "
                             f"'{column}'={table[column].iloc[row]!r} is not a number")
        table[column] = numbers.astype("float64")
    table["year"] = pd.to_numeric(table["year"], errors="coerce").astype("Int64")
    return table.set_index("evidence_id")


def load_evidence() -> pd.DataFrame:
    """Return the published evidence on camp loads that the archetypes are checked against.

    Each row is one figure quoted from a public source (``quote``, ``address``, ``year``),
    what it measures (``quantity``, ``value`` in ``unit``), how it is compared with an
    archetype camp (``comparison``: ``range`` within ``tolerance`` as a fraction of
    ``value``, ``lower_bound``, ``upper_bound``, ``greater_than`` or ``not_compared``; the
    camp built for it: ``check_archetype`` at ``check_site`` with ``check_personnel``) and
    the outcome recorded by the last check (``status``). Grades as in ``GRADES``: P a
    metered measurement in a primary report, S a secondary quotation, D derived here from
    quoted figures (``derivation``), E otherwise.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``evidence_id``; ``value``, ``tolerance``, ``personnel`` and
        ``check_personnel`` as floats (NaN where empty), ``year`` as a nullable integer
        (missing where the source states none), the other columns as text. A fresh copy.

    Raises
    ------
    ValueError
        If the file is malformed (names the file, the line and the fix).
    """
    return _load_evidence_table().copy()
