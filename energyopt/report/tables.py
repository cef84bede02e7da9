"""Figures' and tables' data, computed from a :class:`~energyopt.results.SizingResult`.

Everything here works on the result's stored values and returns unrounded numbers; rounding
happens in the templates only. Annual energies are weighted sums, ``sum_t w_t dt_t x_t``, with
the step weights of the inputs when they are given; without inputs, the hours each step stands
for are the step length times one uniform weight scaled so that the weighted load equals
``kpis["load_kwh_per_year"]`` (exact for the uniform weights :func:`energyopt.build_inputs`
gives).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from energyopt import data
from energyopt.inputs import Inputs
from energyopt.results import SizingResult
from energyopt.scenario import Scenario

__all__ = [
    "WET_STACKING_LOAD_FRACTION",
    "day_by_hour",
    "naive_index",
    "Assumption",
    "assumptions",
    "diesel_units",
    "fuel_daily",
    "loading_hours",
    "monthly_mix",
    "step_hours",
    "typical_weeks",
]

#: Generator loading below which unburnt fuel builds up in the exhaust ("wet stacking") [-].
WET_STACKING_LOAD_FRACTION = 0.30

#: Dispatch columns of the monthly energy mix [kW] and their labels (supply positive).
MIX_COLUMNS: tuple[tuple[str, str], ...] = (
    ("pv_kw", "PV"),
    ("diesel_kw", "diesel"),
    ("battery_discharge_kw", "battery discharge"),
    ("unserved_kw", "unserved"),
    ("battery_charge_kw", "battery charge"),
    ("diesel_excess_kw", "diesel to load bank"),
)


def naive_index(index: pd.Index) -> pd.DatetimeIndex:
    """Return a datetime index in local wall-clock time without its timezone."""
    times = pd.DatetimeIndex(index)
    return times.tz_localize(None) if times.tz is not None else times


def step_hours(result: SizingResult, inputs: Inputs | None = None) -> pd.Series:
    """Hours of a year each step stands for, ``w_t dt_t`` [h].

    Parameters
    ----------
    result : SizingResult
        The result (its dispatch index and KPIs).
    inputs : Inputs, optional
        The inputs of the run; their weights and durations are used when given.

    Returns
    -------
    pd.Series
        One value per dispatch step [h]; sums to about 8,760.
    """
    index = result.dispatch.index
    if inputs is not None and len(inputs.index) == len(index):
        return pd.Series((inputs.weight * inputs.duration_h).to_numpy(), index=index)
    load = result.dispatch["load_kw"].to_numpy(dtype=float)
    target = float(result.kpis.get("load_kwh_per_year", np.nan))
    if np.isfinite(target) and load.sum() > 0:
        return pd.Series(target / load.sum(), index=index)
    return pd.Series(8760.0 / max(len(index), 1), index=index)


def monthly_mix(result: SizingResult, hours: pd.Series) -> pd.DataFrame:
    """Energy per calendar month of the modelled period, scaled to a year [kWh].

    Parameters
    ----------
    result : SizingResult
        The result.
    hours : pd.Series
        Hours of a year per step [h] (:func:`step_hours`).

    Returns
    -------
    pd.DataFrame
        Index: month start (``"2025-01"`` labels), columns: the dispatch columns of
        :data:`MIX_COLUMNS` present plus ``load_kw``, each as weighted kWh.
    """
    d = result.dispatch
    cols = [c for c, _ in MIX_COLUMNS if c in d.columns] + ["load_kw"]
    energy = d[cols].mul(hours, axis=0)
    return energy.groupby(naive_index(d.index).to_period("M")).sum()


def _month_pv_availability(result: SizingResult, inputs: Inputs | None) -> pd.Series:
    d = result.dispatch
    if inputs is not None and len(inputs.pv_kw_per_kwp) == len(d):
        avail = pd.Series(inputs.pv_kw_per_kwp.to_numpy(), index=d.index)
    else:
        avail = d["pv_kw"] + d.get("pv_curtailed_kw", 0.0)
    return avail.groupby(naive_index(avail.index).to_period("M")).mean()


@dataclass(frozen=True)
class Week:
    """A week of dispatch shown in the report."""

    label: str
    month: str
    frame: pd.DataFrame


def typical_weeks(result: SizingResult, inputs: Inputs | None = None) -> list[Week]:
    """Seven days of dispatch in the best and in the worst solar month.

    The best (worst) month has the highest (lowest) mean available PV; its week starts at the
    first midnight on or after the 8th of the month, or at the month's first step when the
    month has fewer than 14 modelled days.

    Returns
    -------
    list of Week
        Best month first; one week only when a single month was modelled.
    """
    d = result.dispatch
    avail = _month_pv_availability(result, inputs)
    if avail.empty:
        return []
    best, worst = pd.Period(str(avail.idxmax())), pd.Period(str(avail.idxmin()))
    picks = [("best solar month", best)] + ([("worst solar month", worst)]
                                           if worst != best else [])
    periods = naive_index(d.index).to_period("M")
    out = []
    for label, month in picks:
        in_month = d[periods == month]
        days = pd.DatetimeIndex(in_month.index).normalize().unique()
        start = days[7] if len(days) >= 14 else in_month.index[0]
        week = in_month[(in_month.index >= start)
                        & (in_month.index < start + pd.Timedelta(days=7))]
        out.append(Week(label=label, month=month.strftime("%B %Y"), frame=week))
    return out


def day_by_hour(series: pd.Series) -> pd.DataFrame:
    """Arrange a time series as days (rows) by clock hours 0-23 (columns), hourly means.

    Parameters
    ----------
    series : pd.Series
        Values on a (tz-aware or naive) datetime index, at any step length.

    Returns
    -------
    pd.DataFrame
        One row per local calendar day present, one column per hour of the day: the mean of
        the steps starting in that hour (steps shorter than an hour are averaged); NaN for an
        hour with no step (a clock change, or a partial day at the ends).
    """
    t = naive_index(series.index)
    days = pd.DatetimeIndex(t.normalize().unique())
    grid = pd.Series(series.to_numpy(dtype=float), index=[t.normalize(), t.hour]).groupby(
        level=[0, 1]).mean().unstack(level=1)
    return grid.reindex(index=days, columns=range(24))


def diesel_units(result: SizingResult) -> list[str]:
    """Names of the diesel unit types in the dispatch (from ``diesel_<unit>_online``)."""
    return [c[len("diesel_"): -len("_online")] for c in result.dispatch.columns
            if c.startswith("diesel_") and c.endswith("_online")]


def loading_hours(result: SizingResult, hours: pd.Series, unit: str) -> tuple[
        np.ndarray, np.ndarray]:
    """Return the loading of one diesel unit type and the unit-hours per year at that loading.

    Parameters
    ----------
    result : SizingResult
        The result.
    hours : pd.Series
        Hours of a year per step [h].
    unit : str
        Unit type name.

    Returns
    -------
    loading : np.ndarray
        Loading of the running units [share of rating] in steps where any runs.
    unit_hours : np.ndarray
        Running unit-hours per year each loading stands for [h].
    """
    d = result.dispatch
    online = d[f"diesel_{unit}_online"].to_numpy(dtype=float)
    if f"diesel_{unit}_loading" in d.columns:
        loading = d[f"diesel_{unit}_loading"].to_numpy(dtype=float)
    else:
        rated = float(result.kpis.get(f"diesel_{unit}_rated_kw", np.nan))
        loading = d[f"diesel_{unit}_kw"].to_numpy(dtype=float) / (online * rated)
    running = online > 1e-6
    return loading[running], (online * hours.to_numpy())[running]


def fuel_daily(result: SizingResult, table: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Return the daily fuel inventory, when the logistics model produced one.

    Looked up in order: the ``table`` argument; ``result.fuel_daily`` (columns ``stock_l``,
    ``delivered_l``, ``convoys`` ...); the dispatch columns ``fuel_inventory_l`` (stock at the
    end of each day) and ``fuel_delivered_l`` (summed per day).

    Returns
    -------
    pd.DataFrame or None
        One row per day with ``stock_l`` [L] and, when known, ``delivered_l`` [L] and
        ``convoys`` [-]; None when there is no inventory.
    """
    if table is None:
        table = getattr(result, "fuel_daily", None)
    if table is not None:
        return table if "stock_l" in table.columns else None
    d = result.dispatch
    if "fuel_inventory_l" not in d.columns:
        return None
    days = naive_index(d.index).normalize()
    out = pd.DataFrame({"stock_l": d["fuel_inventory_l"].groupby(days).last()})
    if "fuel_delivered_l" in d.columns:
        out["delivered_l"] = d["fuel_delivered_l"].groupby(days).sum()
    return out


@dataclass(frozen=True)
class Assumption:
    """One input of the study with its provenance."""

    key: str
    value: float
    unit: str
    description: str
    source: str
    year: str
    grade: str

    @property
    def is_estimate(self) -> bool:
        """True for estimates (E), derived values (D), user overrides (U) and unsourced (?)."""
        return self.grade in ESTIMATE_GRADES


#: Grades flagged ESTIMATE in the report: replace these with mission data before deciding.
ESTIMATE_GRADES = ("E", "D", "U", "?")

#: Scenario field that gives a table key's value when the scenario states another quantity.
_ALIASES = {"capex_usd_per_kw": "capex_usd"}

#: Scenario section of each technology-table prefix.
_SECTIONS = {"pv": "solar", "battery": "battery", "fuel": "fuel", "reliability": "reliability",
             "load": "load", "horizon": "horizon"}


def _scenario_values(scenario: Scenario, key: str) -> list[tuple[str, str, float, bool]]:
    """Values the scenario used for one table key: (name, scenario path, value, set)."""
    prefix, _, field = key.partition(".")
    if prefix == "diesel":
        out = []
        for unit in scenario.diesel.units:
            value = getattr(unit, field, None)
            given = field in unit.model_fields_set
            if field == "capex_usd_per_kw":  # the capex used: per unit when capex_usd is given
                value = unit.unit_capex_usd / unit.rated_kw
                given = given or "capex_usd" in unit.model_fields_set
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                name = f"diesel.units.{unit.name}.{field}"
                out.append((name, name, float(value), given))
        return out
    section_name = _SECTIONS.get(prefix, prefix)
    section = getattr(scenario, section_name, None)
    value = getattr(section, field, None) if section is not None else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return []
    assert section is not None
    return [(key, f"{section_name}.{field}", float(value), field in section.model_fields_set)]


def assumptions(scenario: Scenario | None = None) -> list[Assumption]:
    """Every technology and economic input with its source and grade.

    Without a scenario, the defaults of ``data/technologies.csv``. With one, the value the
    scenario used for each, graded in this order:

    * ``U`` (user override): an override (``--set``, :meth:`~energyopt.Scenario.with_overrides`)
      changed it to something other than energyopt's default;
    * the grade written in the scenario file's comment beside the value (``# D: ...``, see
      :mod:`energyopt.yaml_grades`), with its note as the source;
    * a value equal to the default keeps the default's source and grade;
    * ``?``: a value the scenario sets to something else without a grade (its source is the
      scenario's, not energyopt's tables), flagged like an estimate;
    * ``D``: a value that differs only because energyopt derived it for the site or system
      (not set in the scenario).

    Returns
    -------
    list of Assumption
        In the order of the technology table.
    """
    table = data.technology_defaults()
    out = []
    for key, row in table.iterrows():
        key = str(key)
        default = float(row["value"])
        values = _scenario_values(scenario, key) if scenario is not None else []
        if not values:
            values = [(key, key, default, False)]
        for name, path, value, given in values:
            comment, recorded, overridden = (scenario.value_provenance(path)
                                             if scenario is not None else (None, None, False))
            alias = _ALIASES.get(path.rsplit(".", 1)[-1])
            if scenario is not None and alias is not None:
                # a diesel unit's capex per kW follows from its capex per unit (capex_usd)
                alias_path = path.rsplit(".", 1)[0] + "." + alias
                alias_comment, alias_given, alias_over = scenario.value_provenance(alias_path)
                comment = comment or alias_comment
                recorded = recorded or alias_given
                overridden = overridden or alias_over
            if recorded is not None:  # the paths the scenario gave, kept through overrides
                given = recorded
            equal = bool(np.isclose(value, default, rtol=1e-12, atol=0.0))
            if overridden and not equal:
                source, year, grade = (f"user override (--set or with_overrides); energyopt's "
                                       f"default {default:g} is from: {row['source']}"), "", "U"
            elif comment is not None:
                source, year, grade = (f"scenario file: {comment[1]}" if comment[1] else
                                       "scenario file (grade in its comment)"), "", comment[0]
            elif equal:
                source, year, grade = str(row["source"]), str(row["year"]), str(row["grade"])
            elif given:
                source, year, grade = (f"scenario value; energyopt's default {default:g} is "
                                       f"from: {row['source']}"), "", "?"
            else:
                source, year, grade = (f"energyopt's default for this site or system "
                                       f"(table default {default:g}: {row['source']})"), "", "D"
            out.append(Assumption(key=name, value=value, unit=str(row["unit"]),
                                  description=str(row["description"]), source=source,
                                  year=year, grade=grade))
    return out
