"""Scenario: the validated description of one camp study.

A scenario is written in YAML (or given as a dict, or built in Python) and validated by the
pydantic models below. Every number carries its unit in its name and a bound; defaults come from
``data/technologies.csv``, where each value has its source, year and grade. Unknown keys are
errors with a "did you mean" hint, and all problems found are reported at once in one
:class:`~energyopt.errors.ScenarioError` naming each field path, the value and the fix.

Example
-------
>>> import energyopt as eo
>>> s = eo.load_scenario("examples/gao.yaml")                       # doctest: +SKIP
>>> s = s.with_overrides({"fuel.price_usd_per_l": 1.4})              # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import annotated_types
import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo

from energyopt import data
from energyopt.errors import Problem, ScenarioError
from energyopt.safeyaml import check_data, load_text, read_scenario_text
from energyopt.yaml_grades import comment_grades, given_paths, normalise_path

__all__ = [
    "ARCHETYPES",
    "BatterySpec",
    "BudgetSpec",
    "ClosedRoad",
    "CommunitySpec",
    "DieselSpec",
    "DieselUnit",
    "FuelSpec",
    "MissionSpec",
    "HorizonSpec",
    "InventorySpec",
    "LoadSpec",
    "ReliabilitySpec",
    "Scenario",
    "SeriesSource",
    "SiteSpec",
    "PvgisSpec",
    "SolarSpec",
    "SolverSpec",
    "WeatherFileSpec",
    "load_scenario",
]


def _d(key: str) -> Any:
    """Return a ``default_factory`` reading one value of ``data/technologies.csv``."""
    return lambda: data.default(key)


Fraction = Annotated[float, Field(ge=0.0, le=1.0)]

#: Camp archetypes of the load model (personnel x kWh per person per day, cooling driven by
#: the air temperature, daily and weekly shapes, seeded noise); their parameters live in
#: ``data/load_archetypes.csv``.
ARCHETYPES = ("team_site", "company_base", "battalion_hq", "sector_hq", "mission_hq")


class _Spec(BaseModel):
    """Base of every scenario section: unknown keys are errors, assignment is validated."""

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        arbitrary_types_allowed=True,
        validate_default=True,
        allow_inf_nan=False,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse ``true``/``false`` where a number is expected (pydantic reads them as 1/0)."""
        if info.field_name is None:
            return value
        flags = _bool_flags(cls, info.field_name)
        items = value if isinstance(value, list | tuple) else None
        if isinstance(value, bool) and not flags[0]:
            raise ValueError(f"expected a number, not the boolean {str(value).lower()}; write "
                             "the number itself (true is not read as 1)")
        if items is not None and not flags[1] and any(isinstance(v, bool) for v in items):
            raise ValueError("expected numbers, not booleans (true/false) in the list; give "
                             "one number per item")
        return value


_BOOL_FLAGS: dict[tuple[type, str], tuple[bool, bool]] = {}


def _bool_flags(model: type[BaseModel], name: str) -> tuple[bool, bool]:
    """Whether a field accepts a bool, and whether its list items do (cached)."""
    key = (model, name)
    if key not in _BOOL_FLAGS:
        annotation = model.model_fields[name].annotation
        _BOOL_FLAGS[key] = (_takes_bool(annotation, items=False),
                            _takes_bool(annotation, items=True))
    return _BOOL_FLAGS[key]


def _takes_bool(annotation: Any, *, items: bool) -> bool:
    """Whether ``annotation`` (or, with ``items``, its list's items) admits a bool."""
    if annotation is bool or annotation is Any:
        return True
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        return any(_takes_bool(a, items=items) for a in args[:1 if origin is typing.Annotated
                                                             else None])
    if origin is Literal:
        return any(isinstance(a, bool) for a in args)
    if origin in (list, tuple):
        return (not items) or any(_takes_bool(a, items=False) for a in args if a is not ...)
    if isinstance(annotation, type) and issubclass(annotation, int | float):
        return False
    # models, str, dates, paths, series: their own validation refuses a bool where it must
    return True


def _check_iana_timezone(value: str) -> str:
    """Return ``value`` if it names an IANA timezone, else raise with a did-you-mean hint."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        close = difflib.get_close_matches(value, sorted(zoneinfo.available_timezones()), 1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ValueError(f"unknown IANA timezone{hint}; use an IANA name such as "
                         "'Africa/Bamako'") from exc
    return value


class SiteSpec(_Spec):
    """A site given by coordinates rather than by a bundled key."""

    name: str = Field("custom site", description="Name shown in reports.")
    latitude: float = Field(ge=-90.0, le=90.0, description="Latitude [deg north].")
    longitude: float = Field(ge=-180.0, le=180.0, description="Longitude [deg east].")
    elevation_m: float = Field(0.0, ge=-500.0, le=6000.0, description="Elevation [m].")
    timezone: str = Field(description="IANA timezone, e.g. 'Africa/Bamako'.")
    ghi_kwh_m2_day: float | None = Field(
        None,
        ge=1.0,
        le=9.0,
        description="Annual mean daily global horizontal irradiation [kWh/m2/day]; its "
        "monthly shape comes from monthly_kt or the nearest bundled site's climate zone.",
    )
    monthly_temp_air_c: list[Annotated[float, Field(ge=-60.0, le=60.0)]] | None = Field(
        None, min_length=12, max_length=12,
        description="Mean air temperature of each month, January first [C], within -60..60.")
    monthly_ghi_kwh_m2_day: list[Annotated[float, Field(ge=0.0, le=12.0)]] | None = Field(
        None, min_length=12, max_length=12,
        description="Mean daily global horizontal irradiation of each month, January first "
        "[kWh/m2/day], e.g. PVGIS or NASA POWER monthly means; replaces ghi_kwh_m2_day.")
    monthly_kt: list[Annotated[float, Field(ge=0.05, le=0.85)]] | None = Field(
        None, min_length=12, max_length=12,
        description="Monthly clearness index (GHI over extraterrestrial horizontal "
        "irradiation), January first [-]; scaled to ghi_kwh_m2_day when that is given.")
    temp_swing_c: float | None = Field(
        None, ge=0.0, le=20.0,
        description="Half the mean diurnal air temperature range [C]; default: the nearest "
        "bundled site's climate zone.")

    @field_validator("monthly_ghi_kwh_m2_day")
    @classmethod
    def _one_annual_or_monthly(cls, value: list[float] | None,
                               info: ValidationInfo) -> list[float] | None:
        if value is not None and info.data.get("ghi_kwh_m2_day") is not None:
            raise ValueError("give either ghi_kwh_m2_day (annual mean) or "
                             "monthly_ghi_kwh_m2_day, not both")
        return value

    @field_validator("monthly_kt")
    @classmethod
    def _ghi_or_kt(cls, value: list[float] | None, info: ValidationInfo) -> list[float] | None:
        if value is not None and info.data.get("monthly_ghi_kwh_m2_day") is not None:
            raise ValueError("give either monthly_ghi_kwh_m2_day or monthly_kt, not both")
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        return _check_iana_timezone(value)


#: Earliest and latest ``horizon.start``: the modelled days, the horizon's calendar years and
#: pandas' nanosecond timestamps (1677-2262) all stay in range.
FIRST_START_DATE = dt.date(1900, 1, 1)
LAST_START_DATE = dt.date(2199, 12, 31)


class HorizonSpec(_Spec):
    """Planning horizon, discounting and the modelled time steps.

    The modelled period starts at ``start`` and lasts ``days`` days in steps of
    ``step_minutes``; annual quantities are scaled so that the period stands for one year
    (weight = 8760 h / modelled hours).
    """

    years: int = Field(default_factory=_d("horizon.years"), ge=1, le=40,
                       description="Planning horizon [years].")
    discount_rate: float = Field(default_factory=_d("horizon.discount_rate"), ge=0.0, le=0.5,
                                 description="Real discount rate [1/yr].")
    start: dt.date = Field(dt.date(2025, 1, 1), description="First modelled day (local time), "
                           f"from {FIRST_START_DATE.isoformat()} to "
                           f"{LAST_START_DATE.isoformat()}.")
    days: int = Field(365, ge=1, le=366, description="Modelled days [d].")
    step_minutes: int = Field(60, ge=5, le=1440, description="Step length [min].")

    @field_validator("start")
    @classmethod
    def _check_start(cls, value: dt.date) -> dt.date:
        if not FIRST_START_DATE <= value <= LAST_START_DATE:
            raise ValueError(
                f"{value.isoformat()} is outside the dates energyopt can model "
                f"({FIRST_START_DATE.isoformat()} to {LAST_START_DATE.isoformat()}); give the "
                "first modelled day of a recent or coming year, e.g. 2025-01-01")
        return value

    @field_validator("step_minutes")
    @classmethod
    def _check_step(cls, value: int, info: ValidationInfo) -> int:
        if 1440 % value:
            raise ValueError("must divide a day (1440 min) evenly: give 5, 10, 15, 20, 30, 60, "
                             "120, 180, 240, 360, 720 or 1440")
        days = info.data.get("days")
        if isinstance(days, int) and days * 1440 // value < 2:
            raise ValueError(
                f"{days} day(s) in steps of {value} min make {days * 1440 // value} step; the "
                "model needs at least 2: give step_minutes of at most "
                f"{days * 1440 // 2} or more days")
        return value


class SeriesSource(_Spec):
    """A time series from a CSV file or a pandas Series (one value per modelled step).

    A CSV file has a timestamp in its first column and the values in ``column`` (default: the
    only other column). Its length and step must equal the scenario's; its timestamps are
    relabelled onto the modelled steps.
    """

    csv: Path | None = Field(None, description="CSV file (relative to the scenario file).")
    column: str | None = Field(None, description="Column holding the values.")
    series: pd.Series | None = Field(None, description="Values given in Python.", exclude=True)

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.csv is None) == (self.series is None):
            raise ValueError("give exactly one of 'csv' (a file) or 'series' (a pandas Series)")
        return self


#: Camp load components that can be added to any archetype camp (``data/load_components.csv``).
LOAD_COMPONENTS = ("level1_hospital", "level2_hospital", "water_treatment", "comms_it",
                   "workshops", "kitchens_refrigeration")

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class ComponentSpec(_Spec):
    """A load component added to an archetype camp: its energy, daily shape and critical share.

    Written as a mapping (``{type: level2_hospital, critical_share: 1.0}``) or as the bare
    component name (``level2_hospital``). Unset values come from ``data/load_components.csv``.
    """

    type: Literal["level1_hospital", "level2_hospital", "water_treatment", "comms_it",
                  "workshops", "kitchens_refrigeration"] = Field(
        description="Component (see data/load_components.csv).")
    kwh_per_day: float | None = Field(None, gt=0.0, le=1e6,
                                      description="Mean energy per day [kWh/day] of one unit.")
    kw: float | None = Field(None, gt=0.0, le=1e5,
                             description="Mean power [kW] of one unit (instead of kwh_per_day).")
    count: int = Field(1, ge=1, le=100, description="Number of such units [-].")
    critical_share: float | None = Field(None, ge=0.0, le=1.0,
                                         description="Part never shed [-].")
    shape: Literal["flat", "day", "office", "meals"] | None = Field(
        None, description="Daily shape: flat, day, office (less on rest days) or meals.")

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value: Any) -> Any:
        return {"type": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_size(self) -> Self:
        if self.kw is not None and self.kwh_per_day is not None:
            raise ValueError("give kw (mean power) or kwh_per_day, not both")
        return self


class PersonnelStep(_Spec):
    """From ``from_date`` on the camp holds ``personnel`` people (troop increase or drawdown)."""

    from_date: dt.date = Field(description="First day of the new head count (local date).")
    personnel: int = Field(ge=1, le=100_000, description="People in the camp from then on [-].")


class FuelLogSpec(_Spec):
    """A generator fuel log: daily or monthly litres per generator, turned into a load.

    The CSV has the columns ``date`` (YYYY-MM-DD, or YYYY-MM for monthly totals),
    ``generator`` and ``litres``. Each generator is matched to ``rated_kw`` (given here) or to
    a diesel unit type of the scenario by name (``g400`` or ``g400_2`` -> unit ``g400``), whose
    fuel curve and rating are used. Written as a mapping or as the bare CSV path.
    """

    csv: Path = Field(description="Fuel log CSV (relative to the scenario file).")
    period: Literal["auto", "daily", "monthly"] = Field(
        "auto", description="What one row covers; 'auto': monthly for YYYY-MM dates or rows on "
        "the first of each month only, else daily.")
    rated_kw: dict[str, float] = Field(
        default_factory=dict, description="Rated kW of generators not named like a diesel "
        "unit type of the scenario [kW].")
    min_loading_fraction: float | None = Field(
        None, gt=0.0, le=1.0, description="A set whose litres cannot keep it running through "
        "the period at this loading ran part time at it [share of rated]; default from "
        "data/load_archetypes.csv (0.20).")
    max_loading_fraction: float | None = Field(
        None, gt=0.0, le=1.0, description="High end of the reported range: sets at this "
        "loading, off once their fuel is spent [share of rated]; default 0.80.")

    @model_validator(mode="before")
    @classmethod
    def _from_path(cls, value: Any) -> Any:
        return {"csv": value} if isinstance(value, str | Path) else value

    @field_validator("rated_kw")
    @classmethod
    def _check_rated(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in value.items() if not 0.0 < v <= 20_000.0}
        if bad:
            raise ValueError(f"rated kW must lie in (0, 20000]; got {bad}")
        return value

    @model_validator(mode="after")
    def _check_range(self) -> Self:
        if (self.min_loading_fraction is not None and self.max_loading_fraction is not None
                and self.min_loading_fraction > self.max_loading_fraction):
            raise ValueError("min_loading_fraction must not exceed max_loading_fraction")
        return self


class LoadSpec(_Spec):
    """The camp's electric load [kW] and the part of it never shed.

    Exactly one route:

    * ``archetype`` + ``personnel`` (+ ``components``): a synthetic camp (see
      :mod:`energyopt.load`); unset shape parameters come from ``data/load_archetypes.csv``;
    * ``csv`` (+ ``column``, ``unit``, ``timezone``): a measured record at any interval from
      5 minutes to a day, cleaned, converted to the model's steps and reduced to a typical
      year; ``archetype`` optionally picks the shape given to daily data;
    * ``fuel_log``: daily or monthly litres per generator, inverted through the fuel curve and
      shaped by ``archetype`` (default ``battalion_hq``);
    * ``constant_kw``; or ``series`` (kW, one value per modelled step, given in Python).

    ``personnel_schedule`` and ``growth_per_year`` change the load over time (see
    :func:`energyopt.load.annual_load_multipliers`); ``scale`` multiplies it.
    """

    constant_kw: float | None = Field(None, gt=0.0, le=1e6, description="Flat load [kW].")
    csv: Path | None = Field(None, description="CSV of measured load, timestamp first column.")
    column: str | None = Field(None, description="Column of the CSV holding the load.")
    unit: Literal["kW", "kWh"] = Field(
        "kW", description="CSV values: mean kW over each interval, or kWh in each interval.")
    timezone: str | None = Field(
        None, description="IANA timezone of CSV timestamps that carry no UTC offset.")
    series: pd.Series | None = Field(None, description="Load [kW] given in Python.", exclude=True)
    fuel_log: FuelLogSpec | None = Field(None, description="Generator fuel log (CSV).")
    archetype: Literal["team_site", "company_base", "battalion_hq", "sector_hq",
                       "mission_hq"] | None = Field(None, description="Camp archetype.")
    personnel: int | None = Field(None, ge=1, le=100_000, description="Camp population [-].")
    components: list[ComponentSpec] = Field(
        default_factory=list, description="Loads added to an archetype camp.")
    kwh_per_person_per_day: float | None = Field(
        None, gt=0.0, le=100.0, description="Electricity per person [kWh/person/day] at the "
        "site's normal climate; default per archetype.")
    cooling_share: float | None = Field(
        None, ge=0.0, le=0.95, description="Share of the personnel load that is cooling at the "
        "site's normal climate [-]; default per archetype.")
    cooling_base_temp_c: float | None = Field(
        None, ge=0.0, le=35.0, description="Base of the cooling degree hours [C].")
    day_peak_factor: float | None = Field(
        None, ge=1.0, le=3.0, description="Peak of the non-cooling daily shape over its mean, "
        "before rescaling [-]; default per archetype.")
    night_factor: float | None = Field(
        None, gt=0.0, le=1.0, description="Night level of the non-cooling daily shape [-].")
    rest_days: list[Weekday] = Field(
        default_factory=lambda: list[Weekday](("fri", "sun")),
        description="Days of lower office load (E: Friday and Sunday).")
    rest_day_factor: float | None = Field(
        None, gt=0.0, le=1.0, description="Non-cooling load on rest days over the weekly mean "
        "[-]; the week's energy is kept.")
    noise_day_fraction: float | None = Field(
        None, ge=0.0, le=0.2, description="Std. dev. of day-to-day noise [-] (clipped at 3x).")
    noise_hour_fraction: float | None = Field(
        None, ge=0.0, le=0.2, description="Std. dev. of step-to-step noise [-] (clipped at 3x).")
    seed: int | None = Field(None, ge=0, description="Noise seed; default "
                                                     "energyopt.load.DEFAULT_SEED.")
    critical_fraction: float = Field(default_factory=_d("load.critical_fraction"), ge=0.0,
                                     le=1.0, description="Share of the load never shed, "
                                     "components aside (they carry their own) [-].")
    personnel_schedule: list[PersonnelStep] = Field(
        default_factory=list, description="Head count changes over the horizon.")
    growth_per_year: float = Field(0.0, ge=-0.5, le=1.0,
                                   description="Load growth per horizon year [1/yr].")
    scale: float = Field(1.0, gt=0.0, le=100.0, description="Multiplier on the load [-].")

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        return _check_iana_timezone(value)

    @property
    def route(self) -> str:
        """The load route: archetype, csv, fuel_log, constant_kw or series."""
        for name in ("constant_kw", "csv", "series", "fuel_log"):
            if getattr(self, name) is not None:
                return name
        return "archetype"

    @model_validator(mode="after")
    def _one_route(self) -> Self:
        routes = [name for name in ("constant_kw", "csv", "series", "fuel_log")
                  if getattr(self, name) is not None]
        if self.archetype is not None and (not routes or routes[0] in ("constant_kw",
                                                                       "series")):
            routes.insert(0, "archetype")
        if len(routes) != 1:
            raise ValueError(
                "give exactly one load route: archetype (+personnel, components), csv (+column, "
                "unit, timezone), fuel_log, constant_kw or series; got "
                f"{routes or 'none'} (archetype may accompany csv or fuel_log as their shape)")
        route = self.route
        if route == "archetype" and self.personnel is None:
            raise ValueError("archetype needs 'personnel' (number of people in the camp); add "
                             "load.personnel")
        if self.components and route != "archetype":
            raise ValueError(f"components belong to the archetype route; the {route} route "
                             "already holds the whole camp's load")
        if route != "csv":
            given = [n for n in ("column", "timezone") if getattr(self, n) is not None]
            if self.unit != "kW":
                given.append("unit")
            if given:
                raise ValueError(f"{', '.join(given)} only apply to the csv route")
        return self

    @field_validator("night_factor")
    @classmethod
    def _night_below_peak(cls, value: float | None, info: ValidationInfo) -> float | None:
        peak = info.data.get("day_peak_factor")
        if value is not None and peak is not None and peak <= value:
            raise ValueError(f"must be below day_peak_factor ({peak:g}): lower night_factor or "
                             "raise day_peak_factor")
        return value

    @field_validator("personnel_schedule")
    @classmethod
    def _check_schedule(cls, value: list[PersonnelStep],
                        info: ValidationInfo) -> list[PersonnelStep]:
        if value and "personnel" in info.data and info.data["personnel"] is None:
            raise ValueError("personnel_schedule needs 'personnel': the head count of the "
                             "modelled profile (on the csv and fuel_log routes: during the "
                             "record); give load.personnel")
        dates = [step.from_date for step in value]
        for i, (before, after) in enumerate(zip(dates, dates[1:], strict=False)):
            if after <= before:
                raise ValueError(
                    f"from_date of step {i + 1} ({after.isoformat()}) is not after that of step "
                    f"{i} ({before.isoformat()}); give the steps in date order, one per date")
        return value


#: Weather file formats read by :mod:`energyopt.resource.files`.
WeatherFormat = Literal["epw", "tmy3", "pvgis_json", "pvgis_csv", "nasa_power", "csv"]

#: A fixed UTC offset: 'UTC', 'UTC+03:00', '+03:00', 'UTC-5' or '+0530'.
FIXED_OFFSET_PATTERN = r"UTC|(?:UTC)?([+-])(\d{1,2})(?::?(\d{2}))?"


def _check_weather_timezone(value: str | None) -> str | None:
    """Accept an IANA timezone or a fixed UTC offset ('UTC', 'UTC+03:00', '-05:00')."""
    if value is None:
        return None
    text = value.strip()
    match = re.fullmatch(FIXED_OFFSET_PATTERN, text)
    if match:
        if match.group(2) and (int(match.group(2)) > 14 or int(match.group(3) or 0) >= 60):
            raise ValueError("UTC offset out of range (-14:00 to +14:00)")
        return text
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        close = difflib.get_close_matches(text, sorted(zoneinfo.available_timezones()), 1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise ValueError(f"unknown timezone; {hint}give an IANA name (e.g. 'Africa/Bamako') or "
                         "a fixed offset (e.g. 'UTC', 'UTC+03:00')") from exc
    return text


class WeatherFileSpec(_Spec):
    """An hourly (or finer) weather file: a typical year, measured data or a multi-year series.

    Read by :mod:`energyopt.resource.files`, which documents each format's time convention. A
    typical-year file is mapped onto the modelled days by (month, day, hour); from a multi-year
    series ``year`` picks one calendar year, otherwise a typical year is built (for each month,
    the year whose monthly GHI is closest to that month's multi-year mean).
    """

    file: Path = Field(description="Weather file (relative to the scenario file's folder).")
    format: WeatherFormat | None = Field(
        None, description="File format; None = inferred from the extension and contents.")
    year: int | None = Field(None, ge=1900, le=2100,
                             description="Calendar year to take from a multi-year series.")
    columns: dict[str, str] | None = Field(
        None, description="Generic CSV only: our column name -> the file's ('time', 'ghi', "
                          "'dni', 'dhi', 'temp_air', 'wind_speed').")
    timezone: str | None = Field(
        None, description="Clock of timestamps without a UTC offset (generic CSV), or of a NASA "
                          "POWER file: IANA name or fixed offset such as 'UTC+03:00'.")
    label: Literal["start", "end"] | None = Field(
        None, description="Generic CSV only: timestamps label the start (default) or the end "
                          "of their interval.")

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str | None) -> str | None:
        return _check_weather_timezone(value)

    @field_validator("columns")
    @classmethod
    def _check_columns(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is None:
            return None
        known = ("time", "ghi", "dni", "dhi", "temp_air", "wind_speed")
        unknown = [k for k in value if k not in known]
        if unknown:
            raise ValueError(f"unknown column key(s) {unknown}; map our names {list(known)} "
                             "to the file's column names")
        return value


class PvgisSpec(_Spec):
    """A typical year downloaded from PVGIS (EU JRC) for the site's coordinates.

    Downloaded only when a scenario asks for it, then cached on disk keyed by the coordinates
    rounded to 0.001 deg, and reused offline. Without network and without a cached copy the
    scenario fails with an error suggesting ``weather: embedded`` or a weather file.
    """

    pvgis: Literal[True] = Field(description="Download a PVGIS typical meteorological year.")
    cache_dir: Path | None = Field(
        None, description="Cache folder; default $ENERGYOPT_CACHE_DIR/pvgis or "
                          "~/.cache/energyopt/pvgis.")
    timeout_s: float = Field(30.0, gt=0.0, le=600.0,
                             description="Time allowed for PVGIS to answer [s].")
    refresh: bool = Field(False, description="Download again even when a cached copy exists.")


def _weather_kind(value: Any) -> str:
    """Pick the ``solar.weather`` branch: a string, a PVGIS request or a weather file."""
    if isinstance(value, PvgisSpec) or (isinstance(value, Mapping) and "pvgis" in value):
        return "Pvgis"
    if isinstance(value, WeatherFileSpec | Mapping):
        return "WeatherFile"
    return "Embedded"


#: ``solar.weather``: ``embedded`` (built in, offline), ``{file: ...}`` or ``{pvgis: true}``.
WeatherSource = Annotated[
    Annotated[Literal["embedded"], Tag("Embedded")]
    | Annotated[WeatherFileSpec, Tag("WeatherFile")]
    | Annotated[PvgisSpec, Tag("Pvgis")],
    Discriminator(_weather_kind),
]


class SolarSpec(_Spec):
    """Solar PV: resource, system and costs.

    The embedded weather year is stochastic and seeded (``seed``); modules are fixed
    (``tilt_deg``, ``azimuth_deg``) or on horizontal north-south single-axis trackers
    (``gcr``, ``max_angle_deg``, ``backtrack``). Defaults of the tracker geometry, albedo and
    soiling come from ``data/pv_system.csv`` and ``data/soiling.csv``.

    The design weather year is the typical year, the year ``seed`` draws (or ``weather.year``
    of a multi-year file), or, with ``design_percentile`` P, the ensemble year whose PV yield
    P% of the ensemble's years exceed (:mod:`energyopt.resource.design`). A percentile rather
    than a year list or a ``p90`` keyword: it is how PV yield risk is stated (P50 / P90) and
    covers any level; a specific year is what ``seed`` and ``weather.year`` already name.
    """

    weather: WeatherSource = Field(
        "embedded", description="Irradiance source: 'embedded' (the site's stochastic year, "
                                "no network), {file: path, format: ...} or {pvgis: true}.")
    pv_kw_per_kwp: SeriesSource | None = Field(
        None, description="AC output [kW per kWp DC] per step, overriding the weather route.")
    seed: int | None = Field(
        None, ge=0, le=2**32 - 1,
        description="Seed of a drawn weather year of the embedded generator: a set seed "
        "draws a year with inter-annual variability (annual and monthly GHI anomalies, dust "
        "and monsoon anomalies; data/weather_variability.csv), the same seed always the same "
        "year; None = the typical (climatological) year, its days drawn with energyopt's "
        "default seed (2026) and no anomaly.")
    design_percentile: float | None = Field(
        None, ge=0.0, le=100.0,
        description="Size on a bad weather year instead of the typical one: P (e.g. 90) "
        "designs on the year of an ensemble whose annual PV yield is exceeded by P% of the "
        "ensemble's years (P90: a year nine in ten beat; nearest rank), drawn with "
        "energyopt.resource.weather_years (embedded seeds, or a multi-year file's real "
        "years); None = the typical year. Excludes solar.seed and solar.weather.year, which "
        "name a year themselves.")
    design_ensemble_years: int = Field(
        30, ge=1, le=500,
        description="Weather years of the ensemble solar.design_percentile ranks (a file "
        "gives at most its complete calendar years).")
    tracking: Literal["fixed", "single_axis"] = Field(
        "fixed", description="'fixed' tilt, or 'single_axis' horizontal north-south trackers.")
    tilt_deg: float | None = Field(None, ge=0.0, le=90.0,
                                   description="Tilt of fixed modules [deg]; default |latitude| "
                                   "within 5-40.")
    azimuth_deg: float | None = Field(None, ge=0.0, le=360.0,
                                      description="Azimuth of fixed modules [deg, 180 = south]; "
                                      "default: facing the equator.")
    gcr: float | None = Field(None, gt=0.0, lt=1.0,
                              description="Ground coverage ratio of trackers [-] (module width "
                              "over row pitch); default from data/pv_system.csv.")
    max_angle_deg: float | None = Field(None, gt=0.0, le=90.0,
                                        description="Largest tracker rotation from horizontal "
                                        "[deg]; default from data/pv_system.csv.")
    backtrack: bool | None = Field(None, description="Trackers backtrack to avoid row-to-row "
                                   "shading at low sun; default true.")
    transposition: Literal["perez", "haydavies"] = Field(
        "perez", description="Sky-diffuse transposition model onto the module plane.")
    temperature_model: Literal["sapm", "faiman"] = Field(
        "sapm", description="Cell temperature model: 'sapm' (open rack, glass/polymer) or "
        "'faiman'.")
    soiling_monthly_fraction: list[Annotated[float, Field(ge=0.0, le=0.5)]] | None = Field(
        None, min_length=12, max_length=12,
        description="Output lost to soiling and dust in each month, January first [-]; "
        "default: the climate zone's values in data/soiling.csv (estimates, grade E).")
    albedo_fraction: float = Field(default_factory=lambda: data.pv_system_default(
        "pv.albedo_fraction"), ge=0.0, le=1.0, description="Ground reflectance [-].")
    losses_fraction: float = Field(
        default_factory=lambda: 1.0 - (1.0 - data.default("pv.losses_fraction")) / (
            1.0 - data.pv_system_default("pv.pvwatts_soiling_fraction")),
        ge=0.0, lt=1.0,
        description="DC losses other than soiling (shading, mismatch, wiring, connections, LID, "
        "nameplate, availability) [-]; default: the PVWatts 14% without its 2% soiling.")
    dc_ac_ratio: float = Field(default_factory=_d("pv.dc_ac_ratio"), gt=0.5, le=3.0,
                               description="DC over AC rating [-].")
    inverter_efficiency: float = Field(default_factory=_d("pv.inverter_efficiency"), gt=0.5,
                                       le=1.0, description="Nominal inverter efficiency [-].")
    temp_coefficient_per_c: float = Field(default_factory=_d("pv.temp_coefficient_per_c"),
                                          ge=-0.02, le=0.0,
                                          description="Power temperature coefficient [1/C].")
    degradation_per_year: float = Field(default_factory=_d("pv.degradation_per_year"), ge=0.0,
                                        le=0.05, description="Output loss per year [1/yr].")
    capex_usd_per_kwp: float = Field(default_factory=_d("pv.capex_usd_per_kwp"), ge=0.0,
                                     le=20_000.0, description="Installed cost [USD/kWp].")
    om_usd_per_kwp_year: float = Field(default_factory=_d("pv.om_usd_per_kwp_year"), ge=0.0,
                                       le=1000.0, description="Fixed O&M [USD/kWp/yr].")
    lifetime_years: float = Field(default_factory=_d("pv.lifetime_years"), gt=0.0, le=60.0,
                                  description="Asset life [years].")
    existing_kwp: float = Field(0.0, ge=0.0, le=1e6, description="PV already installed [kWp].")
    max_kwp: float = Field(default_factory=_d("pv.max_kwp"), ge=0.0, le=1e6,
                           description="Largest total PV allowed [kWp]; 0 = no new PV.")

    @field_validator("tilt_deg", "azimuth_deg")
    @classmethod
    def _fixed_only(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is not None and info.data.get("tracking") == "single_axis":
            raise ValueError(f"{info.field_name} applies to fixed modules only; single_axis "
                             "trackers set their own tilt: remove it or set tracking: fixed")
        return value

    @field_validator("gcr", "max_angle_deg", "backtrack")
    @classmethod
    def _tracker_only(cls, value: float | bool | None,
                      info: ValidationInfo) -> float | bool | None:
        if value is not None and info.data.get("tracking", "fixed") == "fixed":
            raise ValueError(f"{info.field_name} applies to single_axis tracking only: set "
                             "tracking: single_axis or remove it")
        return value

    @model_validator(mode="after")
    def _check_sizes(self) -> Self:
        if self.max_kwp < self.existing_kwp:
            raise ValueError("max_kwp must be at least existing_kwp")
        return self

    @model_validator(mode="after")
    def _check_design_percentile(self) -> Self:
        if self.design_percentile is None:
            return self
        fix = "; unset one of them (--set solar.design_percentile=null)"
        if self.seed is not None:
            raise ValueError("design_percentile and seed both choose the weather year: a "
                             "percentile of the ensemble, or the year of one seed" + fix)
        if isinstance(self.weather, WeatherFileSpec) and self.weather.year is not None:
            raise ValueError("design_percentile and weather.year both choose the weather "
                             "year: a percentile of the file's years, or one of them" + fix)
        if isinstance(self.weather, PvgisSpec):
            raise ValueError("design_percentile needs weather years, and PVGIS gives one "
                             "typical year: give a multi-year file (NASA POWER, PVGIS hourly "
                             "series, EPW series) or solar.weather: embedded")
        if self.pv_kw_per_kwp is not None:
            raise ValueError("design_percentile ranks weather years by the PV output they "
                             "give, and pv_kw_per_kwp fixes that output: remove one of them")
        return self


class BatterySpec(_Spec):
    """Battery storage: sizing bounds, efficiency and costs."""

    capex_usd_per_kwh: float = Field(default_factory=_d("battery.capex_usd_per_kwh"), ge=0.0,
                                     le=10_000.0, description="Energy cost [USD/kWh].")
    capex_usd_per_kw: float = Field(default_factory=_d("battery.capex_usd_per_kw"), ge=0.0,
                                    le=10_000.0, description="Power (inverter) cost [USD/kW].")
    om_fraction_per_year: float = Field(default_factory=_d("battery.om_fraction_per_year"),
                                        ge=0.0, le=0.5, description="O&M [share of capex/yr].")
    roundtrip_efficiency: float = Field(default_factory=_d("battery.roundtrip_efficiency"),
                                        gt=0.0, le=1.0, description="AC round trip [-].")
    min_soc: float = Field(default_factory=_d("battery.min_soc"), ge=0.0, lt=1.0,
                           description="Lowest state of charge [share of kWh].")
    self_discharge_per_hour: float = Field(
        default_factory=_d("battery.self_discharge_per_hour"), ge=0.0, le=0.05,
        description="Self-discharge [share of stored energy per hour].")
    max_power_to_energy_per_h: float = Field(
        default_factory=_d("battery.max_power_to_energy_per_h"), gt=0.0, le=10.0,
        description="Largest kW per kWh (C-rate) [1/h].")
    lifetime_years: float = Field(default_factory=_d("battery.lifetime_years"), gt=0.0, le=40.0,
                                  description="Asset life [years].")
    existing_kwh: float = Field(0.0, ge=0.0, le=1e7, description="Installed energy [kWh].")
    existing_kw: float = Field(0.0, ge=0.0, le=1e7, description="Installed power [kW].")
    max_kwh: float = Field(default_factory=_d("battery.max_kwh"), ge=0.0, le=1e7,
                           description="Largest energy allowed [kWh]; 0 = no battery.")
    max_kw: float | None = Field(None, ge=0.0, le=1e7,
                                 description="Largest power [kW]; default from the C-rate.")

    @model_validator(mode="after")
    def _check_sizes(self) -> Self:
        if self.max_kwh < self.existing_kwh:
            raise ValueError("max_kwh must be at least existing_kwh")
        if self.max_kw is not None and self.max_kw < self.existing_kw:
            raise ValueError("max_kw must be at least existing_kw")
        if self.existing_kw > self.max_power_to_energy_per_h * self.existing_kwh + 1e-9:
            raise ValueError(
                f"existing_kw ({self.existing_kw}) exceeds max_power_to_energy_per_h x "
                f"existing_kwh ({self.max_power_to_energy_per_h * self.existing_kwh:g}); raise "
                "max_power_to_energy_per_h or correct the existing battery")
        return self


class DieselUnit(_Spec):
    """One diesel generator unit type; the fleet holds ``count`` identical units."""

    name: str = Field(description="Identifier, e.g. 'g400' (letters, digits, underscore).")
    rated_kw: float = Field(gt=0.0, le=20_000.0, description="Rated electrical output [kW].")
    existing: int = Field(0, ge=0, le=200, description="Units already on site (free) [-].")
    max_count: int = Field(ge=0, le=200, description="Most units of this type allowed [-].")
    capex_usd: float | None = Field(None, ge=0.0, le=1e8,
                                    description="Cost of one new unit [USD]; default per kW.")
    capex_usd_per_kw: float = Field(default_factory=_d("diesel.capex_usd_per_kw"), ge=0.0,
                                    le=10_000.0, description="Cost per rated kW [USD/kW].")
    fuel_intercept_l_per_h_per_kw: float = Field(
        default_factory=_d("diesel.fuel_intercept_l_per_h_per_kw"), ge=0.0, le=1.0,
        description="No-load fuel F0 [L/h per rated kW].")
    fuel_slope_l_per_kwh: float = Field(default_factory=_d("diesel.fuel_slope_l_per_kwh"),
                                        gt=0.0, le=2.0, description="Marginal fuel F1 [L/kWh].")
    min_load_fraction: float = Field(default_factory=_d("diesel.min_load_fraction"), ge=0.0,
                                     lt=1.0, description="Lowest load when running [-].")
    om_usd_per_kw_year: float = Field(default_factory=_d("diesel.om_usd_per_kw_year"), ge=0.0,
                                      le=1000.0, description="Fixed O&M [USD/kW/yr].")
    om_usd_per_run_hour_per_kw: float = Field(
        default_factory=_d("diesel.om_usd_per_run_hour_per_kw"), ge=0.0, le=10.0,
        description="Running O&M [USD per hour per rated kW].")
    lifetime_hours: float = Field(default_factory=_d("diesel.lifetime_hours"), gt=0.0,
                                  le=500_000.0, description="Running hours to overhaul [h].")

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,31}", value):
            raise ValueError("use letters, digits and '_' (start with a letter), e.g. 'g400'")
        return value

    @model_validator(mode="after")
    def _check_counts(self) -> Self:
        if self.max_count < self.existing:
            raise ValueError(f"max_count ({self.max_count}) must be at least existing "
                             f"({self.existing})")
        return self

    @property
    def unit_capex_usd(self) -> float:
        """Cost of one new unit [USD]."""
        return self.capex_usd if self.capex_usd is not None else self.capex_usd_per_kw * (
            self.rated_kw)


class DieselSpec(_Spec):
    """The diesel fleet: one entry per unit type."""

    units: list[DieselUnit] = Field(min_length=1, description="Unit types of the fleet.")

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        names = [u.name for u in self.units]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"unit names must be unique; repeated: {dup}")
        return self


class ClosedRoad(_Spec):
    """A date range (local dates, both ends included) in which no convoy arrives."""

    start: dt.date = Field(description="First closed day (local date).")
    end: dt.date = Field(description="Last closed day (local date), inclusive.")
    reason: str = Field("", description="Free text, e.g. 'rainy season' or 'blockade'.")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start}); give the last "
                             "closed day as end")
        return self


#: Convoy arrival schedules: days between possible arrivals ('monthly' = calendar months).
CONVOY_PERIOD_DAYS = {"free": 1, "weekly": 7, "fortnightly": 14, "monthly": 31}


class InventorySpec(_Spec):
    """Daily fuel inventory at the camp: tank, deliveries in whole trucks, closures, autonomy.

    Giving this section switches the model from annual fuel accounting to a daily stock with
    integer trucks and convoys (see :mod:`energyopt.model.logistics`).
    """

    existing_tank_l: float = Field(0.0, ge=0.0, le=1e8,
                                   description="Fuel storage already on site (free) [L].")
    max_tank_l: float = Field(default_factory=_d("logistics.max_tank_l"), ge=0.0, le=1e8,
                              description="Largest total fuel storage allowed [L].")
    tank_capex_usd_per_l: float = Field(default_factory=_d("logistics.tank_capex_usd_per_l"),
                                        ge=0.0, le=100.0,
                                        description="Cost of new storage [USD/L].")
    tank_lifetime_years: float = Field(default_factory=_d("logistics.tank_lifetime_years"),
                                       gt=0.0, le=60.0, description="Tank life [years].")
    safety_stock_days: float = Field(default_factory=_d("logistics.safety_stock_days"), ge=0.0,
                                     le=365.0, description="Stock kept at every day end [days "
                                     "of average burn, measured as stress_burn says].")
    autonomy_days: int = Field(0, ge=0, le=180, description="Resupply denial the camp must "
                               "survive: the stock at each day start covers the burn of the "
                               "next N days, measured as stress_burn says [d]; 0 = no "
                               "requirement.")
    stress_burn: Literal["diesel_only", "design"] = Field(
        "diesel_only", description="The burn autonomy_days and safety_stock_days are measured "
        "against. diesel_only: the fuel the diesel fleet burns carrying the load and its "
        "spinning reserve alone, PV and battery unavailable (a cloudy or dusty spell, a failed "
        "inverter), per day in closed form from the load and the fuel curve; the safety stock "
        "is safety_stock_days of its mean. design: the design's own optimised burn (perfect "
        "foresight of the modelled year; a bad spell burns several times more).")
    convoy_schedule: Literal["free", "weekly", "fortnightly", "monthly"] = Field(
        "free", description="Days a convoy may arrive: any day, every 7 or 14 days from the "
        "first modelled day, or one day each calendar month.")
    convoy_offset_days: int = Field(0, ge=0, le=30, description="Arrival day within the period "
                                    "(0 = the period's first day; monthly: day of month - 1) [d].")
    lead_time_days: int = Field(0, ge=0, le=60, description="Days a convoy spends on the road "
                                "before it arrives; a closed road on any of them stops the "
                                "arrival [d].")
    closed_roads: list[ClosedRoad] = Field(default_factory=list,
                                           description="Date ranges with no arrivals.")
    max_trucks_per_day: int | None = Field(None, ge=1, le=10_000, description="Most trucks "
                                           "arriving in one day [-]; default from the tank.")

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.max_tank_l < self.existing_tank_l:
            raise ValueError(f"max_tank_l ({self.max_tank_l:g}) must be at least "
                             f"existing_tank_l ({self.existing_tank_l:g})")
        period = CONVOY_PERIOD_DAYS[self.convoy_schedule]
        if self.convoy_schedule != "free" and self.convoy_offset_days >= period:
            raise ValueError(f"convoy_offset_days ({self.convoy_offset_days}) must be below the "
                             f"{self.convoy_schedule} period ({period} days)")
        return self


class FuelSpec(_Spec):
    """Delivered fuel: purchase, transport, convoys and their risk.

    ``threat_level`` fills ``casualties_per_convoy`` and ``loss_fraction`` from
    ``data/threat_levels.csv`` when they are not given. ``inventory`` switches on the daily
    fuel stock with whole truckloads.
    """

    price_usd_per_l: float = Field(default_factory=_d("fuel.price_usd_per_l"), ge=0.0, le=50.0,
                                   description="Purchase price at origin [USD/L].")
    escalation_per_year: float = Field(default_factory=_d("fuel.escalation_per_year"),
                                       ge=-0.2, le=0.5, description="Real price growth [1/yr].")
    route_km: float = Field(0.0, ge=0.0, le=5000.0, description="Road distance of supply [km].")
    transport_usd_per_l_km: float = Field(default_factory=_d("fuel.transport_usd_per_l_km"),
                                          ge=0.0, le=0.1, description="Haulage [USD/(L km)].")
    escort_usd_per_convoy: float = Field(default_factory=_d("fuel.escort_usd_per_convoy"),
                                         ge=0.0, le=1e7, description="Escort cost [USD/convoy].")
    truck_capacity_l: float = Field(default_factory=_d("fuel.truck_capacity_l"), gt=0.0,
                                    le=100_000.0, description="Fuel per truck [L].")
    trucks_per_convoy: float = Field(default_factory=_d("fuel.trucks_per_convoy"), gt=0.0,
                                     le=500.0, description="Fuel trucks per convoy [-].")
    casualties_per_convoy: float = Field(default_factory=_d("fuel.casualties_per_convoy"),
                                         ge=0.0, le=10.0,
                                         description="Expected casualties per convoy [-].")
    value_per_casualty_usd: float = Field(default_factory=_d("fuel.value_per_casualty_usd"),
                                          ge=0.0, le=1e9,
                                          description="Cost given to one casualty [USD]; 0 = "
                                                      "risk left out of the objective.")
    max_expected_casualties_per_year: float | None = Field(
        None, ge=0.0, le=1e4, description="Bound on expected casualties [1/yr].")
    max_convoys_per_year: float | None = Field(None, ge=0.0, le=1e5,
                                               description="Bound on convoys [1/yr].")
    co2_kg_per_l: float = Field(default_factory=_d("fuel.co2_kg_per_l"), ge=0.0, le=5.0,
                                description="Combustion CO2 [kg/L].")
    energy_kwh_per_l: float = Field(default_factory=_d("fuel.energy_kwh_per_l"), gt=0.0,
                                    le=15.0, description="Fuel energy (LHV) [kWh/L].")
    density_kg_per_l: float = Field(default_factory=_d("fuel.density_kg_per_l"), ge=0.6,
                                    le=1.0, description="Fuel density [kg/L].")
    loss_fraction: float = Field(default_factory=_d("fuel.loss_fraction"), ge=0.0, le=0.9,
                                 description="Share of the litres loaded lost on the road "
                                 "(theft, leaks, attack) [-].")
    casualties_per_truck: float = Field(0.0, ge=0.0, le=10.0,
                                        description="Expected casualties per truck [-].")
    casualties_per_convoy_km: float = Field(0.0, ge=0.0, le=0.1, description="Expected "
                                            "casualties per convoy per route km [1/km].")
    threat_level: Literal["low", "medium", "high", "extreme"] | None = Field(
        None, description="Preset of convoy risk (data/threat_levels.csv) for the fields not "
        "given.")
    inventory: InventorySpec | None = Field(
        None, description="Daily fuel stock, whole truckloads, closed roads and autonomy; "
        "None = annual fuel accounting.")

    #: Fields filled from the threat-level preset (dropped again by ``with_overrides`` so that
    #: a new ``threat_level`` fills them afresh).
    _preset_keys: frozenset[str] = PrivateAttr(default_factory=frozenset)

    @model_validator(mode="wrap")
    @classmethod
    def _threat_defaults(cls, raw: Any, handler: Any) -> Any:
        filled: list[str] = []
        level = raw.get("threat_level") if isinstance(raw, Mapping) else None
        if isinstance(level, str) and level in data.THREAT_LEVELS:
            raw = dict(raw)
            for key, value in data.threat_level(level).items():
                if key not in raw:
                    raw[key] = value
                    filled.append(key)
        out = handler(raw)
        if filled and isinstance(out, FuelSpec):
            out._preset_keys = frozenset(filled)
        return out

    @property
    def casualties_per_convoy_total(self) -> float:
        """Expected casualties per convoy on the route, before per-truck terms [-]."""
        return self.casualties_per_convoy + self.casualties_per_convoy_km * self.route_km

    @property
    def delivered_usd_per_l(self) -> float:
        """Purchase plus transport [USD/L], before escort and risk."""
        return self.price_usd_per_l + self.transport_usd_per_l_km * self.route_km


class ReliabilitySpec(_Spec):
    """Spinning reserve and unserved energy."""

    reserve_load_fraction: float = Field(
        default_factory=_d("reliability.reserve_load_fraction"), ge=0.0, le=2.0,
        description="Reserve held against load [share of load].")
    reserve_pv_fraction: float = Field(
        default_factory=_d("reliability.reserve_pv_fraction"), ge=0.0, le=1.0,
        description="Reserve held against PV output drop [share of PV output].")
    max_unserved_fraction: float = Field(
        default_factory=_d("reliability.max_unserved_fraction"), ge=0.0, le=1.0,
        description="Largest unserved share of annual energy [-].")
    value_of_lost_load_usd_per_kwh: float = Field(
        default_factory=_d("reliability.value_of_lost_load_usd_per_kwh"), ge=0.0, le=1e4,
        description="Cost of unserved energy [USD/kWh].")


class SolverSpec(_Spec):
    """Solver settings (HiGHS)."""

    time_limit_s: float = Field(
        170.0, gt=0.0, le=86_400.0,
        description="Wall time of the whole run [s]: inputs, the diesel-only baseline and the "
        "design (a Pareto front gets twice this unless told otherwise).")
    mip_rel_gap: float = Field(
        0.005, ge=0.0, le=1.0,
        description="Relative gap to the proven bound at which a design counts as converged "
        "[-]; the search stops there.")
    threads: int = Field(
        2, ge=1, le=256, description="Threads given to HiGHS, and solves the search runs at "
        "once (at most two; 1 keeps a run on one core, as a sweep worker wants) [-].")
    strategy: Literal["auto", "monolithic", "staged", "two_stage"] = Field(
        "auto", description="'monolithic': one MILP after a rule-based design; 'staged': LP "
        "relaxation, convoy split, windowed dispatch and a Lagrangian bound (see "
        "docs/architecture.md); 'auto': monolithic up to 2,000 unit-steps, staged above; "
        "'two_stage' is the former name of 'staged'.")
    log: bool = Field(False, description="Print the HiGHS log.")


HANDOVER_CHOICES = ("handover", "relocate", "leave", "decide")
ASSET_TYPES = ("pv", "battery", "diesel")
HandoverChoice = Literal["handover", "relocate", "leave", "decide"]


def _default_handover() -> dict[str, HandoverChoice]:
    """Return the default choices: fixed kit handed over, relocatable relocated, gensets left."""
    return {"pv": "decide", "battery": "decide", "diesel": "leave"}


class CommunitySpec(_Spec):
    """A host community next to the camp, served through a feeder (issue 15).

    The load is built from households by World Bank Multi-Tier Framework tier and facility
    counts (``data/community_loads.csv``, :func:`energyopt.load.community.community_load_kw`)
    or read from a measured profile (``csv``, kW like ``load.csv``); ``constant_kw`` gives a
    flat load (tests, quick studies).
    """

    households: dict[str, int] = Field(
        default_factory=dict, description="Households per MTF tier, e.g. {tier2: 400} [-].")
    health_centres: int = Field(0, ge=0, le=1000, description="Health centres [-].")
    schools: int = Field(0, ge=0, le=1000, description="Schools [-].")
    water_pumps: int = Field(0, ge=0, le=1000, description="Water pumping stations [-].")
    productive: dict[str, int] = Field(
        default_factory=dict, description="Productive uses by type, e.g. {mill: 3} [-].")
    csv: Path | None = Field(None, description="Measured community load CSV [kW] (relative "
                             "to the scenario file), instead of the archetypes.")
    column: str | None = Field(None, description="Column of the CSV holding the load.")
    constant_kw: float | None = Field(None, ge=0.0, le=1e5,
                                      description="Flat community load [kW].")
    feeder_kw: float = Field(300.0, ge=0.0, le=1e5,
                             description="Feeder capacity from the camp's plant [kW].")
    hours: tuple[int, int] = Field((0, 24), description="Availability window of the feeder, "
                                   "local hours [start, end) [h]; start > end wraps midnight.")
    value_usd_per_kwh: float = Field(0.25, ge=0.0, le=100.0, description="Tariff or social "
                                     "value of a kWh served to the community [USD/kWh].")
    value_basis: Literal["tariff", "avoided_diesel"] = Field(
        "tariff", description="'tariff': value_usd_per_kwh; 'avoided_diesel': the community's "
        "own small-genset fuel per kWh at the fuel price [USD/kWh].")

    @field_validator("households", "productive")
    @classmethod
    def _counts(cls, value: dict[str, int]) -> dict[str, int]:
        for key, n in value.items():
            if n < 0 or n > 1_000_000:
                raise ValueError(f"{key}: count {n} outside 0..1000000")
        return value

    @field_validator("hours")
    @classmethod
    def _window(cls, value: tuple[int, int]) -> tuple[int, int]:
        a, b = value
        if not (0 <= a <= 24 and 0 <= b <= 24):
            raise ValueError(f"hours [{a}, {b}] must lie within 0..24")
        return value


class MissionSpec(_Spec):
    """End of the mission: closure year(s) and what happens to each asset (issue 15).

    The horizon becomes the latest closure year; every closure year is a scenario of the
    economics (operating years, replacements, end-of-mission values), sharing one dispatch
    year (see :mod:`energyopt.model.community`).
    """

    end_year: int | None = Field(None, ge=1, le=40,
                                 description="Certain closure after year N of the horizon [yr].")
    closure_probabilities: dict[int, float] | None = Field(
        None, description="Closure year -> probability (sum 1) [yr -> -].")
    drawdown_months: float = Field(6.0, ge=0.0, le=36.0, description="Drawdown before the "
                                   "handover: the handover starts this long after closure [mo].")
    handover: dict[str, HandoverChoice] = Field(
        default_factory=_default_handover,
        description="Per asset type (pv, battery, diesel): handover|relocate|leave|decide.")
    relocation_cost_fraction: dict[str, float] = Field(
        default_factory=lambda: {"pv": 0.15, "battery": 0.10, "diesel": 0.10},
        description="Dismantling and transport per asset type [share of capex] (engineering "
        "estimate, grade E).")
    relocated_value_fraction: dict[str, float] = Field(
        default_factory=lambda: {"pv": 0.7, "battery": 0.6, "diesel": 0.7},
        description="Value of relocated kit elsewhere, new [share of capex, scaled by its "
        "remaining life] (engineering estimate, grade E).")
    host_om_fraction: float = Field(1.0, ge=0.0, le=10.0, description="Host's O&M cost of "
                                    "handed-over kit relative to the UN's [-].")
    relocatable_kit: Literal["fixed", "relocatable", "decide"] = Field(
        "fixed", description="Containerised PV and batteries: none, all new kit, or decided "
        "by the model.")
    relocatable_capex_premium: float = Field(0.10, ge=0.0, le=2.0, description="Capex "
                                             "premium of relocatable kit [share of capex].")
    community_weight: float = Field(1.0, ge=0.0, le=10.0, description="Weight of community "
                                    "value in the objective (0 = mission-only design) [-].")

    @field_validator("handover", "relocation_cost_fraction", "relocated_value_fraction")
    @classmethod
    def _asset_keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        bad = [k for k in value if k not in ASSET_TYPES]
        if bad:
            raise ValueError(f"unknown asset type(s) {bad}; use {list(ASSET_TYPES)}")
        for k, v in value.items():
            if isinstance(v, float | int) and not 0.0 <= float(v) <= 2.0:
                raise ValueError(f"{k}: {v} outside 0..2")
        return value

    @field_validator("closure_probabilities")
    @classmethod
    def _probabilities(cls, value: dict[int, float] | None) -> dict[int, float] | None:
        if value is None:
            return value
        if not value:
            raise ValueError("give at least one closure year")
        for year, prob in value.items():
            if not 1 <= year <= 40 or not 0.0 <= prob <= 1.0:
                raise ValueError(f"year {year} (1..40) with probability {prob} (0..1)")
        if abs(sum(value.values()) - 1.0) > 1e-6:
            raise ValueError(f"probabilities sum to {sum(value.values()):.4f}, not 1")
        return value

    @model_validator(mode="after")
    def _one_end(self) -> Self:
        if (self.end_year is None) == (self.closure_probabilities is None):
            raise ValueError("give either mission.end_year or mission.closure_probabilities")
        return self

    def closures(self) -> dict[int, float]:
        """Closure year -> probability (a certain ``end_year`` is a one-point distribution)."""
        if self.closure_probabilities is not None:
            return dict(sorted(self.closure_probabilities.items()))
        assert self.end_year is not None
        return {self.end_year: 1.0}

    def choice(self, asset: str) -> str:
        """End-of-mission choice of an asset type (``leave`` when not given)."""
        return self.handover.get(asset, "leave")


class BudgetSpec(_Spec):
    """A capital budget on new equipment (issue 16; off by default).

    ``capex_usd`` bounds the capital spent at the start on new equipment: new PV, battery
    energy and power, new diesel units and new fuel storage (the ``capex`` cost terms of the
    model; what exists costs nothing). A budget of zero keeps the existing kit. With
    ``capex_usd_per_year`` the budget of each year of a build-out
    (:func:`energyopt.build_out`); a single run (:func:`energyopt.optimize`) is bounded by
    ``capex_usd``, or by the first year's budget when only the yearly budgets are given.
    """

    capex_usd: float | None = Field(
        None, ge=0.0, le=1e11, description="Most capital spent on new equipment at the start "
        "[USD]; 0 = the existing kit only.")
    capex_usd_per_year: list[Annotated[float, Field(ge=0.0, le=1e11)]] | None = Field(
        None, min_length=1, max_length=40,
        description="Capital budget of each year of a build-out, year 1 first [USD/yr].")

    @model_validator(mode="after")
    def _one_given(self) -> Self:
        if self.capex_usd is None and self.capex_usd_per_year is None:
            raise ValueError("give capex_usd (the budget at the start) or capex_usd_per_year "
                             "(one budget per build-out year), or remove the budget section")
        return self

    @property
    def start_capex_usd(self) -> float:
        """The bound on the capital of one run: ``capex_usd``, else year 1's budget [USD]."""
        if self.capex_usd is not None:
            return self.capex_usd
        assert self.capex_usd_per_year is not None
        return self.capex_usd_per_year[0]


class Scenario(_Spec):
    """One camp study: site, horizon, load, technologies, fuel, reliability and solver.

    Build with :func:`load_scenario`; change with :meth:`with_overrides`.
    """

    name: str = Field("camp", min_length=1, description="Scenario name.")
    description: str = Field("", description="Free text shown in reports.")
    site: str | SiteSpec = Field(description="A bundled site key or a SiteSpec.")
    horizon: HorizonSpec = Field(default_factory=HorizonSpec)
    load: LoadSpec
    solar: SolarSpec = Field(default_factory=SolarSpec)
    battery: BatterySpec = Field(default_factory=BatterySpec)
    diesel: DieselSpec
    fuel: FuelSpec = Field(default_factory=FuelSpec)
    reliability: ReliabilitySpec = Field(default_factory=ReliabilitySpec)
    solver: SolverSpec = Field(default_factory=SolverSpec)
    community: CommunitySpec | None = Field(
        None, description="Host community served by a feeder (off by default).")
    mission: MissionSpec | None = Field(
        None, description="Mission end and end-of-mission choices (off by default).")
    budget: BudgetSpec | None = Field(
        None, description="Capital budget on new equipment (off by default).")

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    #: Whether ``_base_dir`` is the scenario file's folder (True), the working directory of a
    #: dict or Python scenario (False), or not said by the loader (None: guessed, see
    #: :meth:`relative_paths_text`).
    _base_is_file: bool | None = PrivateAttr(default=None)
    #: Grades written in the scenario file's comments, by dotted path: (grade, note)
    #: (:func:`energyopt.yaml_grades.comment_grades`); values an override changed are dropped.
    _comment_grades: dict[str, tuple[str, str]] = PrivateAttr(default_factory=dict)
    #: Dotted paths of the values the scenario gave (file, mapping or overrides); None when
    #: not known (a Scenario built in Python: ``model_fields_set`` then says).
    _given_paths: frozenset[str] | None = PrivateAttr(default=None)
    #: Dotted paths whose value an override (``--set``, :meth:`with_overrides`) changed.
    _override_paths: frozenset[str] = PrivateAttr(default_factory=frozenset)

    @field_validator("site")
    @classmethod
    def _check_site(cls, value: str | SiteSpec) -> str | SiteSpec:
        if isinstance(value, str):
            try:
                data.site(value)
            except KeyError as exc:
                raise ValueError(str(exc.args[0] if exc.args else exc)) from exc
            return value.lower()
        return value

    # -- derived -------------------------------------------------------------------------------
    @property
    def base_dir(self) -> Path:
        """Folder that relative file paths of the scenario are resolved against."""
        return self._base_dir

    def resolve_path(self, path: Path) -> Path:
        """Return ``path`` with ``~`` expanded, resolved against :attr:`base_dir`."""
        path = Path(path).expanduser()
        return path if path.is_absolute() else self._base_dir / path

    def relative_paths_text(self) -> str:
        """Say where relative paths start, for error messages.

        Returns
        -------
        str
            ``"relative paths start at the scenario file's folder <dir>"`` for a scenario read
            from a file, ``"relative paths start at the working directory <dir>"`` for one
            given as a dict or built in Python.
        """
        from_file = self._base_is_file
        if from_file is None:  # the loader did not say: a folder other than cwd is a file's
            from_file = self._base_dir.resolve() != Path.cwd().resolve()
        where = "the scenario file's folder" if from_file else "the working directory"
        return f"relative paths start at {where} {self._base_dir}"

    def site_spec(self) -> SiteSpec:
        """Return the site as coordinates (bundled sites are looked up in ``data/sites.csv``)."""
        if isinstance(self.site, SiteSpec):
            return self.site
        rec = data.site(self.site)
        temps: list[float] | None = None
        try:
            temps = [float(t) for t in data.climate_zone(rec.climate_zone)["temp_air_c"]]
        except KeyError:
            temps = None
        return SiteSpec(
            name=rec.name,
            latitude=rec.latitude,
            longitude=rec.longitude,
            elevation_m=rec.elevation_m,
            timezone=rec.timezone,
            ghi_kwh_m2_day=rec.ghi_kwh_m2_day,
            monthly_temp_air_c=temps,
        )

    def value_provenance(self, path: str) -> tuple[tuple[str, str] | None, bool | None, bool]:
        """Say where the value at a dotted path comes from, as far as the scenario knows.

        Parameters
        ----------
        path : str
            Dotted path, a diesel unit by name (``diesel.units.g400.capex_usd``).

        Returns
        -------
        comment : (str, str) or None
            The grade and note written beside the value in the scenario file, if any (and not
            changed since by an override).
        given : bool or None
            Whether the scenario gave the value itself (None: not recorded).
        overridden : bool
            Whether an override changed it.
        """
        # getattr: a scenario unpickled from before these records has none
        paths = getattr(self, "_given_paths", None)
        given = None if paths is None else path in paths
        return (getattr(self, "_comment_grades", {}).get(path), given,
                path in getattr(self, "_override_paths", frozenset()))

    # -- overrides -----------------------------------------------------------------------------
    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """Return a new scenario with dotted-path overrides applied and validated.

        Parameters
        ----------
        overrides : mapping of str to value
            Dotted paths such as ``"fuel.price_usd_per_l"``, ``"diesel.units.0.existing"`` or
            ``"diesel.units.g400.existing"`` (a unit by name).

        Returns
        -------
        Scenario
            A new, validated scenario; ``self`` is unchanged.

        Raises
        ------
        ScenarioError
            When a path does not exist or a value is invalid.
        """
        if not isinstance(overrides, Mapping):
            raise ScenarioError.single(
                "overrides", type(overrides).__name__, "give a mapping of dotted paths to "
                "values, e.g. {'fuel.price_usd_per_l': 1.4}", "overrides")
        raw = _to_raw(self)
        problems: list[Problem] = []
        for path, value in overrides.items():
            if not isinstance(path, str) or not path or any(not p for p in path.split(".")):
                problems.append(Problem(
                    str(path), path, "an override key must be a dotted path of text; write it "
                    "like 'fuel.price_usd_per_l' or 'diesel.units.0.existing'"))
                continue
            try:
                check_data(value, where=path, source="overrides")
            except ScenarioError as exc:
                problems += exc.problems
                continue
            try:
                _set_dotted(raw, path, value)
            except (KeyError, IndexError, TypeError) as exc:
                problems.append(Problem(path, value, str(exc.args[0] if exc.args else exc)))
        if problems:
            raise ScenarioError(problems)
        new = _validate(raw, base_dir=self._base_dir, source="overrides",
                        from_file=self._base_is_file)
        return _carry_provenance(self, new, overrides)


# --------------------------------------------------------------------------------------------
# Loading, validation and error reporting
# --------------------------------------------------------------------------------------------
def load_scenario(source: str | Path | Mapping[str, Any] | Scenario) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    source : str, Path, mapping or Scenario
        A YAML file path, a dict of the scenario, or a Scenario (returned as is).

    Returns
    -------
    Scenario
        The validated scenario; relative file paths in it resolve against the YAML's folder.

    Raises
    ------
    ScenarioError
        Listing every problem found, each with its field path, value and fix.
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, Mapping):
        check_data(source)
        scenario = _validate(dict(source), base_dir=Path.cwd(), source=None, from_file=False)
        scenario._given_paths = given_paths(source)
        return scenario
    if not isinstance(source, str | Path):
        raise ScenarioError.single(
            "scenario", type(source).__name__, "give a YAML file path, a dict of the scenario "
            "or a Scenario")
    path = Path(source).expanduser()
    try:
        if not path.is_file():
            raise ScenarioError.single(
                "scenario", str(path), "a folder, not a scenario file; give the YAML file in it"
                if path.is_dir() else "file not found; check the path")
        data_bytes = path.read_bytes()
    except OSError as exc:
        raise ScenarioError.single("scenario", str(path), f"cannot read the file "
                                   f"({exc.strerror or exc}); check its permissions") from None
    text = read_scenario_text(data_bytes, str(path))
    raw = load_text(text, str(path))
    if raw is None:
        raise ScenarioError.single("scenario", str(path), "the file is empty; add at least "
                                   "the sections site, load and diesel (see examples/)")
    if not isinstance(raw, dict):
        raise ScenarioError.single(
            "scenario", type(raw).__name__, "the file must hold a mapping of sections "
            "(name, site, load, diesel, ...)", str(path))
    check_data(raw, source=str(path))
    scenario = _validate(raw, base_dir=path.resolve().parent, source=str(path), from_file=True)
    scenario._given_paths = given_paths(raw)
    scenario._comment_grades = comment_grades(text)
    return scenario


def _carry_provenance(old: Scenario, new: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """Give ``new`` (``old`` with overrides) the provenance of ``old``, the overrides noted.

    A path whose value the override changed loses its comment's grade and is recorded as
    overridden; every overridden path counts as given.
    """
    before, after = _to_raw(old), _to_raw(new)
    changed: set[str] = set()
    for key in overrides:
        path = normalise_path(after, str(key))
        if _differs(_lookup_dotted(before, path), _lookup_dotted(after, path)):
            # an override of a section changes every value under it
            changed |= {p for p in given_paths(after) if p == path or p.startswith(path + ".")}
            changed.add(path)
    new._comment_grades = {p: g for p, g in old._comment_grades.items() if p not in changed}
    new._override_paths = old._override_paths | frozenset(changed)
    new._given_paths = None if old._given_paths is None else (
        old._given_paths | frozenset(normalise_path(after, str(k)) for k in overrides)
        | frozenset(changed))
    return new


def _differs(a: Any, b: Any) -> bool:
    """Return whether two plain values differ (values that cannot be compared do)."""
    try:
        return bool(a != b)
    except (TypeError, ValueError):
        return True


def _lookup_dotted(raw: Any, path: str) -> Any:
    """Return the value at a dotted path of plain data (list items by name or index)."""
    node = raw
    for part in path.split("."):
        if isinstance(node, list):
            if part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                node = next((i for i in node if isinstance(i, dict) and i.get("name") == part),
                            None)
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


def _validate(raw: dict[str, Any], *, base_dir: Path, source: str | None,
              from_file: bool | None) -> Scenario:
    problems = _unknown_keys(raw, Scenario, ())
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        problems += _problems_from(exc, raw)
        raise ScenarioError(_dedupe(problems), source) from None
    if problems:
        raise ScenarioError(_dedupe(problems), source)
    scenario._base_dir = base_dir
    scenario._base_is_file = from_file
    return scenario


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out: list[Problem] = []
    for p in problems:
        key = (p.field, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """Return the pydantic model inside an annotation (unwrapping Optional, Union and list)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def _models_of(annotation: Any) -> list[type[BaseModel]]:
    """Return every pydantic model inside an annotation (unwrapping Optional, Union, list)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            found += [m for m in _models_of(arg) if m not in found]
    return found


def _best_model(annotation: Any, raw: Any) -> type[BaseModel] | None:
    """Return the model of a (union) annotation whose fields hold most of ``raw``'s keys."""
    models = _models_of(annotation)
    if len(models) <= 1 or not isinstance(raw, Mapping):
        return models[0] if models else None
    return max(models, key=lambda m: sum(k in m.model_fields for k in raw))


def _unknown_keys(raw: Any, model: type[BaseModel], loc: tuple[str, ...]) -> list[Problem]:
    """Find unknown keys anywhere in ``raw`` with a did-you-mean hint."""
    if not isinstance(raw, Mapping):
        return []
    problems: list[Problem] = []
    fields = model.model_fields
    for key, value in raw.items():
        path = ".".join((*loc, str(key)))
        if key not in fields:
            close = difflib.get_close_matches(str(key), list(fields), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(Problem(path, value, f"unknown key; {hint}known keys: "
                                                 f"{', '.join(fields)}"))
            continue
        sub = _best_model(fields[key].annotation, value)
        if sub is None:
            continue
        if isinstance(value, list):
            for i, item in enumerate(value):
                problems += _unknown_keys(item, sub, (*loc, str(key), str(i)))
        else:
            problems += _unknown_keys(value, sub, (*loc, str(key)))
    return problems


def _field_info(loc: tuple[int | str, ...]) -> FieldInfo | None:
    model: type[BaseModel] | None = Scenario
    info: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        if part not in model.model_fields:
            # union members are named in the location (e.g. 'SiteSpec'); skip them
            continue
        info = model.model_fields[part]
        model = _model_of(info.annotation)
    return info


def _bounds_text(info: FieldInfo | None) -> str:
    if info is None:
        return ""
    parts: list[str] = []
    for meta in info.metadata:
        if isinstance(meta, annotated_types.Ge):
            parts.append(f">= {meta.ge}")
        elif isinstance(meta, annotated_types.Gt):
            parts.append(f"> {meta.gt}")
        elif isinstance(meta, annotated_types.Le):
            parts.append(f"<= {meta.le}")
        elif isinstance(meta, annotated_types.Lt):
            parts.append(f"< {meta.lt}")
    text = ""
    if parts:
        text = "; fix: give a value " + " and ".join(parts)
    if info.description:
        text += f" ({info.description})"
    return text


#: The fix for a value of the wrong type, by pydantic error type (prefix).
_TYPE_FIXES = (
    ("date", "give a real date as YYYY-MM-DD, e.g. 2025-01-01"),
    ("datetime", "give a real date as YYYY-MM-DD, e.g. 2025-01-01"),
    ("int", "give a whole number, e.g. 2"),
    ("float", "give a number, e.g. 1.5"),
    ("finite_number", "give a finite number (not nan or inf)"),
    ("bool", "give true or false"),
    ("string", "give text (quote it if it looks like a number or a date)"),
    ("list", "give a list, e.g. [1, 2, 3]"),
    ("tuple", "give a list, e.g. [1, 2, 3]"),
    ("too_short", "give the number of items the field needs"),
    ("too_long", "give the number of items the field needs"),
    ("dict", "give a section of keys and values"),
    ("model", "give a section of keys and values"),
    ("literal", "give one of the values listed"),
    ("enum", "give one of the values listed"),
    ("union", "give one of the forms the field takes (see examples/)"),
    ("path", "give a file path as text"),
)


_BOUND_WORDS = {"greater_than": ("gt", ">"), "greater_than_equal": ("ge", ">="),
                "less_than": ("lt", "<"), "less_than_equal": ("le", "<=")}


def _type_fix(err_type: str, ctx: Mapping[str, Any] | None = None) -> str:
    if err_type in _BOUND_WORDS and ctx:
        key, word = _BOUND_WORDS[err_type]
        if key in ctx:
            return f"; fix: give a value {word} {ctx[key]}"
    for prefix, fix in _TYPE_FIXES:
        if err_type.startswith(prefix):
            return f"; fix: {fix}"
    return "; fix: correct the value (the examples/ scenarios show each field)"


def _lookup(raw: Any, loc: tuple[int | str, ...]) -> Any:
    value = raw
    for part in loc:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return None
    return value


def _problems_from(exc: ValidationError, raw: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors():
        if err["type"] == "extra_forbidden":
            continue  # reported by _unknown_keys with a hint
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p[:1].isupper()))
        # drop pydantic's union branch names such as 'str' or 'function-after[...]'
        loc = tuple(p for p in loc if not (isinstance(p, str) and (
            p in ("str", "int", "float") or "[" in p)))
        path = ".".join(str(p) for p in loc) or "scenario"
        message = str(err["msg"])
        if message.startswith("Value error, "):
            message = message[len("Value error, "):]
        if err["type"] == "missing":
            message = "required field is missing; add it (the examples/ scenarios show each " \
                      "section)"
        value = err.get("input") if err["type"] != "missing" else None
        if isinstance(value, Mapping) and err["type"] != "missing":
            value = _lookup(raw, loc)
        info = _field_info(loc)
        if err["type"] not in ("value_error", "assertion_error", "missing"):
            bounds = _bounds_text(info)
            if "fix:" not in bounds:
                message += _type_fix(str(err["type"]), err.get("ctx"))
            message += bounds
        problems.append(Problem(path, value, message))
    # A union 'site' produces one error per branch; keep the most useful one.
    site = [p for p in problems if p.field.startswith("site")]
    if len(site) > 1:
        bundled = isinstance(raw.get("site"), str)
        keep = [p for p in site if (p.field == "site") == bundled]
        problems = [p for p in problems if not p.field.startswith("site")] + (keep or site[:1])
    return problems


def _to_raw(scenario: Scenario) -> dict[str, Any]:
    """Dump a scenario to plain data, keeping Series objects (excluded from the dump)."""
    raw: dict[str, Any] = scenario.model_dump(mode="python", exclude_none=False)
    for key in scenario.fuel._preset_keys:
        raw["fuel"].pop(key, None)
    if scenario.load.series is not None:
        raw["load"]["series"] = scenario.load.series
    pv = scenario.solar.pv_kw_per_kwp
    if pv is not None and pv.series is not None:
        raw["solar"]["pv_kw_per_kwp"]["series"] = pv.series
    # drop None values so that 'exactly one route' validators see only what was given
    return _drop_none(raw)


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _set_dotted(raw: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node: Any = raw
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            node = node[_list_index(node, part, ".".join(parts[: i + 1]))]
            continue
        if not isinstance(node, dict):
            raise TypeError(f"'{'.'.join(parts[:i])}' is not a section; cannot set '{path}'")
        if part not in node or node[part] is None:
            node[part] = {}
        node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[_list_index(node, last, path)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise TypeError(f"cannot set '{path}': its parent is a value, not a section")


def _list_index(items: list[Any], part: str, where: str) -> int:
    if part.isdigit():
        index = int(part)
        if index >= len(items):
            raise IndexError(f"'{where}': index {index} out of range (list has {len(items)}); "
                             f"use an index from 0 to {len(items) - 1} or an item's name")
        return index
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return i
    names = [item.get("name") for item in items if isinstance(item, dict)]
    raise KeyError(f"'{where}': no item named '{part}'; use one of {names} or an index")
