"""Camp load profiles: archetypes, measured data and fuel logs.

Every route ends in a :class:`LoadProfile`: the mean load over each modelled step [kW], the
part of it that must never be shed [kW], notes for the report (repairs, flags, assumptions)
and, where the route is uncertain, a range of the annual energy.

Routes
------
* archetypes (:mod:`~energyopt.load.archetypes`): head count, energy per person, cooling
  driven by the air temperature, and load components;
* measured data (:mod:`~energyopt.load.measured`): a CSV of kW or kWh, cleaned, checked and
  turned into a typical year on the model's steps;
* fuel logs (:mod:`~energyopt.load.fuel_log`): litres per generator, turned into energy by
  the inverse of the fuel curve and shaped by an archetype;
* a constant load or a given series.

The host community next to a camp (``community:``, issue 15) has its own load,
:func:`~energyopt.load.community.community_load_kw`: households by access tier and facilities
from ``data/community_loads.csv``, or a measured profile.

Each module's docstring gives its method.

Changes over time
-----------------
``personnel_schedule`` sets the head count from given dates; the modelled profile uses the
head count of each modelled day (on the csv, fuel-log and constant routes the load is scaled by
head count / ``personnel``, the head count during the record). :func:`annual_load_multipliers`
gives each horizon year's energy over the modelled period's, with ``growth_per_year``
compounding from the first year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from energyopt import data
from energyopt.errors import ScenarioError
from energyopt.load.archetypes import (
    COMPONENT_SHAPES,
    DEFAULT_SEED,
    ComponentLoad,
    _archetype_profile,
    _resolve_archetype,
    _resolve_components,
    archetype_load_kw,
    cooling_reference_k,
    daily_shape,
    synthetic_temperature_c,
)
from energyopt.load.archetypes import DEFAULT_SHAPE_ARCHETYPE as DEFAULT_SHAPE_ARCHETYPE
from energyopt.load.archetypes import DEFAULT_TEMP_SWING_C as DEFAULT_TEMP_SWING_C
from energyopt.load.archetypes import OFFICE_REST_DAY_FACTOR as OFFICE_REST_DAY_FACTOR
from energyopt.load.common import LoadDataWarning, _Notes, _step_dates
from energyopt.load.community import community_counts, community_load_kw
from energyopt.load.fuel_log import _fuel_log_profile, fuel_log_daily_kwh, read_fuel_log
from energyopt.load.measured import LONG_GAP_SEARCH_DAYS as LONG_GAP_SEARCH_DAYS
from energyopt.load.measured import MAX_FILLED_FRACTION as MAX_FILLED_FRACTION
from energyopt.load.measured import MIN_DAYS_PER_MONTH as MIN_DAYS_PER_MONTH
from energyopt.load.measured import SHORT_GAP_H as SHORT_GAP_H
from energyopt.load.measured import ZERO_RUN_H as ZERO_RUN_H
from energyopt.load.measured import (
    check_units,
    measured_load_kw,
    read_load_csv,
    resample_energy,
)
from energyopt.scenario import LoadSpec, Scenario
from energyopt.series import conform

__all__ = [
    "COMPONENT_SHAPES",
    "DEFAULT_SEED",
    "ComponentLoad",
    "LoadDataWarning",
    "LoadProfile",
    "annual_load_multipliers",
    "archetype_load_kw",
    "archetype_summary",
    "check_units",
    "community_counts",
    "community_load_kw",
    "cooling_reference_k",
    "daily_shape",
    "fuel_log_daily_kwh",
    "load_inputs",
    "measured_load_kw",
    "read_fuel_log",
    "read_load_csv",
    "resample_energy",
    "synthetic_temperature_c",
]


@dataclass(frozen=True)
class LoadProfile:
    """The load of one scenario on the model's steps.

    Attributes
    ----------
    load_kw : pd.Series
        Mean load over each step [kW], on the model's index.
    critical_load_kw : pd.Series
        Part of it never shed [kW]; ``0 <= critical_load_kw <= load_kw``.
    notes : tuple of str
        Assumptions, repairs and flags, for the report.
    annual_kwh_range : tuple of float or None
        Low and high annual energy [kWh/yr] where the route is uncertain (fuel logs).
    """

    load_kw: pd.Series
    critical_load_kw: pd.Series
    notes: tuple[str, ...] = ()
    annual_kwh_range: tuple[float, float] | None = None


# --------------------------------------------------------------------------------------------
# Personnel over time
# --------------------------------------------------------------------------------------------
def _personnel_on(ls: LoadSpec, dates: np.ndarray) -> np.ndarray:
    """Head count on each date (``datetime64[D]`` array) from the schedule [-]."""
    assert ls.personnel is not None
    out = np.full(len(dates), float(ls.personnel))
    for step in ls.personnel_schedule:
        out[dates >= np.datetime64(step.from_date, "D")] = float(step.personnel)
    return out


def annual_load_multipliers(scenario: Scenario) -> list[float]:
    """Energy of each horizon year over the modelled period's, one factor per year.

    Year ``k`` runs from ``horizon.start + k`` years. Its factor is
    ``(1 + growth_per_year) ** k * (P_k e + C) / (P_0 e + C)`` where ``P_k`` is the mean head
    count over year ``k`` (from ``personnel_schedule``), ``P_0`` the mean over the modelled
    days, ``e`` the energy per person per day and ``C`` the components' energy per day (which
    does not follow head count). Routes other than archetype scale wholly with head count.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its horizon and load).

    Returns
    -------
    list of float
        ``horizon.years`` factors [-]; all one without a schedule and growth.
    """
    ls = scenario.load
    h = scenario.horizon
    growth = [(1.0 + ls.growth_per_year) ** k for k in range(h.years)]
    if not ls.personnel_schedule:
        return growth
    start = np.datetime64(h.start, "D")
    modelled = _personnel_on(ls, start + np.arange(h.days)).mean()
    per_person, fixed = 1.0, 0.0
    if ls.route == "archetype":
        per_person = _resolve_archetype(ls).kwh_per_person_per_day
        fixed = sum(c.kwh_per_day for c in _resolve_components(ls.components))
    out: list[float] = []
    for k in range(h.years):
        first = np.datetime64(_add_years(h.start, k), "D")
        last = np.datetime64(_add_years(h.start, k + 1), "D")
        people = _personnel_on(ls, np.arange(first, last)).mean()
        out.append(growth[k] * (people * per_person + fixed) / (modelled * per_person + fixed))
    return out


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --------------------------------------------------------------------------------------------
# The scenario's load
# --------------------------------------------------------------------------------------------
def _fleet_kw(scenario: Scenario) -> float:
    return float(sum(u.rated_kw * u.max_count for u in scenario.diesel.units))


def load_inputs(scenario: Scenario, index: pd.DatetimeIndex,
                weather: pd.DataFrame | None) -> LoadProfile:
    """Resolve a scenario's load on the model's index.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (its ``load`` section, and the site and diesel fleet for
        checks).
    index : pd.DatetimeIndex
        The model's step starts, tz-aware in the site's timezone.
    weather : pd.DataFrame or None
        The site's weather on ``index``; its ``temp_air`` [C] drives cooling. Without it the
        site's normal monthly climate is used (with a note).

    Returns
    -------
    LoadProfile
        Load and critical load [kW], notes and, for fuel logs, the annual energy range.

    Raises
    ------
    ScenarioError
        When a load input is missing, malformed or implausible (see the module notes).
    """
    ls = scenario.load
    notes = _Notes()
    route = ls.route
    dates = _step_dates(index)
    people = _personnel_on(ls, dates) if ls.personnel is not None else None
    relative = (people / float(ls.personnel)) if (people is not None and ls.personnel
                                                  is not None) else np.ones(len(index))
    annual_range: tuple[float, float] | None = None
    if route == "archetype":
        assert people is not None
        load, critical, arch = _archetype_profile(
            scenario, index, weather, notes, personnel=people,
            critical_fraction=ls.critical_fraction)
        lo, hi = arch.table["personnel_min"], arch.table["personnel_max"]
        if not lo <= float(ls.personnel or 0) <= hi:
            notes.add(f"personnel {ls.personnel} lies outside the {arch.name} tier "
                      f"({lo:g}-{hi:g} people, data/load_archetypes.csv, E); check the archetype")
        if ls.components:
            per_day = sum(c.kwh_per_day for c in _resolve_components(ls.components))
            notes.add(f"components add {per_day:,.0f} kWh/day: "
                      + ", ".join(f"{c.name} ({c.kwh_per_day:,.0f}, critical "
                                  f"{c.critical_share:.0%})"
                                  for c in _resolve_components(ls.components)))
    else:
        if route == "constant_kw":
            assert ls.constant_kw is not None
            load = pd.Series(ls.constant_kw, index=index, dtype=float)
        elif route == "series":
            assert ls.series is not None
            load = conform(ls.series, index, "load.series", lower=0.0, upper=1e6, unit="kW")
        else:
            shape_notes = _Notes()
            shape, _, arch = _archetype_profile(
                scenario, index, weather, shape_notes, personnel=np.ones(len(index)),
                archetype=ls.archetype or DEFAULT_SHAPE_ARCHETYPE, components=False,
                critical_fraction=0.0)
            if route == "fuel_log":
                load, annual_range = _fuel_log_profile(scenario, index, shape, arch, notes)
                notes.add(f"fuel-log energies shaped by the {arch.name} archetype")
            else:
                assert ls.csv is not None
                path = scenario.resolve_path(ls.csv)
                raw = read_load_csv(path, column=ls.column, timezone=ls.timezone,
                                    field="load", notes=notes,
                                    paths=scenario.relative_paths_text())
                bounds = (arch.table["plausible_kwh_per_person_per_day_min"],
                          arch.table["plausible_kwh_per_person_per_day_max"])
                load = measured_load_kw(raw, index, unit=ls.unit, field="load", name=path.name,
                                        personnel=ls.personnel, fleet_kw=_fleet_kw(scenario),
                                        bounds=bounds, shape_kw=shape, notes=notes)
        load = load * relative
        if annual_range is not None and ls.personnel_schedule:
            mean_rel = float(relative.mean())
            annual_range = (annual_range[0] * mean_rel, annual_range[1] * mean_rel)
        critical = load * ls.critical_fraction
    if ls.personnel_schedule:
        notes.add("personnel over the modelled days: "
                  + ", ".join(f"{int(p)}" for p in np.unique(_personnel_on(ls, dates))))
    if ls.scale != 1.0:
        notes.add(f"load scaled by {ls.scale:g}")
        if annual_range is not None:
            annual_range = (annual_range[0] * ls.scale, annual_range[1] * ls.scale)
    load = (load * ls.scale).rename("load_kw")
    critical = pd.Series(np.minimum(critical.to_numpy() * ls.scale, load.to_numpy()),
                         index=index, name="critical_load_kw")
    _check_level(load, _route_field(ls), index)
    return LoadProfile(load_kw=load, critical_load_kw=critical, notes=tuple(notes.items),
                       annual_kwh_range=annual_range)


#: Largest mean load accepted on any step [kW].
MAX_LOAD_KW = 1e6


def _route_field(ls: LoadSpec) -> str:
    """Return the scenario field holding the load's data on its route, for errors."""
    return {"csv": "load.csv", "fuel_log": "load.fuel_log.csv", "series": "load.series",
            "constant_kw": "load.constant_kw"}.get(ls.route, "load.personnel")


def _check_level(load: pd.Series, field: str, index: pd.DatetimeIndex) -> None:
    """Refuse a load that is not finite, above :data:`MAX_LOAD_KW` or zero throughout [kW]."""
    values = load.to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise ScenarioError.single(field, str(values[bad[0]]), f"the load is not a finite number "
                                   f"at {index[bad[0]]} ({bad.size} step(s)); check the data")
    if float(values.max()) > MAX_LOAD_KW:
        at = int(values.argmax())
        raise ScenarioError.single(field, float(values[at]), f"load above {MAX_LOAD_KW:,.0f} kW "
                                   f"at {index[at]}; check the unit (kW, not W) and load.scale")
    if float(values.max()) <= 0.0:
        raise ScenarioError.single(field, "0 kW", "the load is zero at every modelled step; a "
                                   "camp with no load cannot be sized: check the data (and "
                                   "that they cover the modelled days) or use the archetype "
                                   "route (archetype + personnel)")


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------
def archetype_summary(site: str = "gao", *, year: int = 2025,
                      personnel: dict[str, int] | None = None,
                      seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Daily energy, peak and load factor of each archetype over a normal year at a site.

    The year is hourly, the temperature the site's normal monthly climate (as without
    weather), all other parameters the archetype defaults, no components.

    Parameters
    ----------
    site : str
        A bundled site key.
    year : int
        Calendar year of the hourly index.
    personnel : dict, optional
        Head count per archetype; default the archetype's ``personnel_typical``.
    seed : int
        Noise seed.

    Returns
    -------
    pd.DataFrame
        Indexed by archetype: ``personnel``, ``kwh_per_day`` (mean), ``peak_kw``,
        ``mean_kw``, ``load_factor`` (mean / peak), ``min_day_kwh``, ``max_day_kwh``.
    """
    from energyopt.scenario import ARCHETYPES, load_scenario

    rows = []
    for name in ARCHETYPES:
        people = (personnel or {}).get(name) or int(data.load_archetype(name)
                                                    ["personnel_typical"])
        scenario = load_scenario({
            "site": site, "horizon": {"start": f"{year}-01-01", "days": 365},
            "load": {"archetype": name, "personnel": people, "seed": seed},
            "diesel": {"units": [{"name": "g", "rated_kw": 100, "max_count": 1}]}})
        site_tz = scenario.site_spec().timezone
        index = pd.date_range(pd.Timestamp(f"{year}-01-01", tz=site_tz), periods=8760,
                              freq="h")
        profile = load_inputs(scenario, index, None)
        daily = profile.load_kw.groupby(_step_dates(index)).sum()
        rows.append({"archetype": name, "personnel": people,
                     "kwh_per_day": float(daily.mean()), "peak_kw": float(profile.load_kw.max()),
                     "mean_kw": float(profile.load_kw.mean()),
                     "load_factor": float(profile.load_kw.mean() / profile.load_kw.max()),
                     "min_day_kwh": float(daily.min()), "max_day_kwh": float(daily.max())})
    return pd.DataFrame(rows).set_index("archetype")
