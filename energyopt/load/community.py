"""Host-community load: households by access tier and facilities, or a measured profile.

Method
------
The community next to a camp is built from ``data/community_loads.csv``
(:func:`energyopt.data.community_loads`): each World Bank Multi-Tier Framework household tier
(``tier1`` .. ``tier5``) and each facility type has its energy on a working day [kWh/day] and
a 24-value hourly shape (fractions of the day's energy per local hour, summing to 1).

* The load at each step is ``sum over rows of count x kwh_per_day x day factor x the shape's
  mean over the step`` [kW]: the hourly shape is treated as constant within each local hour
  and integrated exactly over any step length (sub-hourly steps repeat the hour's level,
  multi-hour and daily steps average it), so each day keeps its energy.
* Weekly variation: on Saturdays and Sundays a row's energy is ``kwh_per_day x
  weekend_factor`` (schools, workshops and mills work less; households, the health centre,
  pumps and cold storage do not change). There is no seasonal variation (pumping and cold
  storage would rise in the hot season; replace the table or give a measured profile where
  that matters). Local wall time is the index's timezone.
* Counts come from the scenario's ``community`` section: ``households`` (tier -> number of
  households), ``health_centres``, ``schools``, ``water_pumps`` and ``productive`` (facility
  key -> number, e.g. ``mill``, ``welding_workshop``, ``cold_storage``).
* Or ``community.csv``: a measured profile in kW (``column`` as for ``load.csv``; ``unit``
  and ``timezone`` when the section has them, else kW and the site's timezone), read,
  cleaned and mapped onto the modelled days by :mod:`energyopt.load.measured` exactly like
  the camp's measured load. Or ``community.constant_kw``: a flat load (tests, quick studies).

The section may be the scenario's ``CommunitySpec`` or, for scripts and tests, any object or
mapping with those fields.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from energyopt import data
from energyopt.errors import ScenarioError
from energyopt.load.common import _clock, _Notes, _step_h
from energyopt.load.measured import measured_load_kw, read_load_csv

__all__ = ["FACILITY_FIELDS", "community_counts", "community_load_kw"]

#: Facility counts of the ``community`` section and the table's key each one counts.
FACILITY_FIELDS: dict[str, str] = {
    "health_centres": "health_centre",
    "schools": "school",
    "water_pumps": "water_pump",
}
#: Largest number of households or facilities of one key accepted [-].
MAX_COUNT = 1_000_000


def _get(spec: object, name: str, default: Any = None) -> Any:
    """Read field ``name`` of a spec given as an object or a mapping."""
    if isinstance(spec, Mapping):
        return spec.get(name, default)
    return getattr(spec, name, default)


def _section(scenario: object) -> object:
    """Return the ``community`` section of a scenario (or the section itself)."""
    section = _get(scenario, "community")
    if section is None:
        if any(_get(scenario, f) is not None for f in ("households", "csv", *FACILITY_FIELDS)):
            return scenario
        raise ScenarioError.single("community", None, "the scenario has no community section; "
                                   "give community.households and facility counts, or "
                                   "community.csv")
    return section


def _count(field: str, value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ScenarioError.single(field, value, "must be a number of households or "
                                   "facilities (>= 0)") from None
    if not math.isfinite(number) or not 0.0 <= number <= MAX_COUNT:
        raise ScenarioError.single(field, value, f"must be a number between 0 and "
                                   f"{MAX_COUNT:,}")
    return number


def _unknown(field: str, key: str, known: list[str]) -> ScenarioError:
    close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
    hint = (" Did you mean " + " or ".join(repr(c) for c in close) + "?") if close else ""
    return ScenarioError.single(field, key, f"unknown key.{hint} Known: {', '.join(known)} "
                                "(data/community_loads.csv)")


def community_counts(scenario: object) -> dict[str, float]:
    """Count the households per tier and each facility in the ``community`` section.

    Parameters
    ----------
    scenario : object or mapping
        A scenario with a ``community`` section, or the section itself.

    Returns
    -------
    dict of str to float
        Key of ``data/community_loads.csv`` -> count [-], only keys with a count above zero.

    Raises
    ------
    ScenarioError
        For an unknown tier or facility, a facility given as a household tier (or the
        reverse), or a count that is not a number in [0, 1,000,000]; the error names the field.
    """
    section = _section(scenario)
    table = data.community_loads()
    tiers = [str(k) for k in table.index[table["kind"] == "household"]]
    facilities = [str(k) for k in table.index[table["kind"] == "facility"]]
    counts: dict[str, float] = {}
    _add_counts(counts, section, "households", tiers,
                "must map MTF tiers to numbers of households, e.g. {tier2: 400, tier3: 300}")
    for field_name, key in FACILITY_FIELDS.items():
        value = _get(section, field_name)
        if value is not None:
            counts[key] = counts.get(key, 0.0) + _count(f"community.{field_name}", value)
    _add_counts(counts, section, "productive", facilities,
                "must map facility keys to counts, e.g. {mill: 3}")
    return {k: v for k, v in counts.items() if v > 0.0}


def _add_counts(counts: dict[str, float], section: Any, name: str, known: Any,
                shape: str) -> None:
    """Add the counts of the mapping ``community.<name>`` (keys among ``known``) to ``counts``."""
    given = _get(section, name) or {}
    if not isinstance(given, Mapping):
        raise ScenarioError.single(f"community.{name}", given, shape)
    for raw_key, value in given.items():
        key = str(raw_key).strip().lower()
        field = f"community.{name}.{raw_key}"
        if key not in known:
            raise _unknown(field, key, known)
        counts[key] = counts.get(key, 0.0) + _count(field, value)


def _hourly_energy(index: pd.DatetimeIndex, shape: np.ndarray) -> np.ndarray:
    """Share of a day's energy falling in each step, for a 24-value hourly shape [-].

    The shape is constant within each local hour; each step's share is its exact integral.
    """
    step_h = _step_h(index)
    wall = index.tz_localize(None) if index.tz is not None else index
    wall = pd.DatetimeIndex(wall)
    start = (np.asarray(wall.hour, dtype=float) + np.asarray(wall.minute, dtype=float) / 60.0
             + np.asarray(wall.second, dtype=float) / 3600.0)
    cumulative = np.concatenate([[0.0], np.cumsum(shape)])  # energy share up to each hour

    def upto(hours: np.ndarray) -> np.ndarray:
        """Cumulative share from midnight to ``hours`` (any non-negative number of hours)."""
        whole_days = np.floor(hours / 24.0)
        rest = hours - whole_days * 24.0
        lower = np.minimum(np.floor(rest).astype(int), 23)
        within = cumulative[lower] + shape[lower] * (rest - lower)
        return whole_days * cumulative[-1] + within

    return upto(start + step_h) - upto(start)


def community_load_kw(scenario: object, index: pd.DatetimeIndex, *,
                      notes: _Notes | None = None) -> pd.Series:
    """Return the host community's load on the model's steps [kW].

    Parameters
    ----------
    scenario : Scenario, object or mapping
        A scenario with a ``community`` section (or the section itself) holding the counts
        (``households``, ``health_centres``, ``schools``, ``water_pumps``, ``productive``),
        or ``csv`` (with ``column``; ``unit`` and ``timezone`` optional), or
        ``constant_kw``. Relative ``csv`` paths resolve through ``scenario.resolve_path`` when
        the scenario has it.
    index : pd.DatetimeIndex
        The model's step starts, tz-aware in the site's timezone (regular steps).
    notes : optional
        Collector of notes and warnings (measured route).

    Returns
    -------
    pd.Series
        Mean community load over each step [kW] on ``index``, named ``community_kw``.

    Raises
    ------
    ScenarioError
        For an empty or unknown section, unknown keys, bad counts, a community with no load,
        or any error of the measured-data route; the error names the field.
    """
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise ValueError("community_load_kw needs a tz-aware DatetimeIndex (the model's steps)")
    section = _section(scenario)
    notes = notes or _Notes()
    csv = _get(section, "csv")
    constant = _get(section, "constant_kw")
    if constant is not None:
        if csv is not None or community_counts(scenario):
            raise ScenarioError.single("community.constant_kw", constant, "give one of "
                                       "constant_kw, csv, or households and facility counts")
        return pd.Series(_count("community.constant_kw", constant), index=index,
                         dtype=float, name="community_kw")
    if csv is not None:
        if community_counts(scenario):
            raise ScenarioError.single("community.csv", str(csv), "give either a measured "
                                       "profile (csv) or households and facility counts, "
                                       "not both")
        resolve = getattr(scenario, "resolve_path", None)
        path = resolve(Path(csv)) if callable(resolve) else Path(csv).expanduser()
        raw = read_load_csv(path, column=_get(section, "column"),
                            timezone=_get(section, "timezone") or str(index.tz),
                            field="community",
                            notes=notes)
        load = measured_load_kw(raw, index, unit=str(_get(section, "unit", "kW") or "kW"),
                                field="community", name=path.name,
                                shape_kw=_counts_shape(index), notes=notes)
        return load.rename("community_kw")
    counts = community_counts(scenario)
    if not counts:
        raise ScenarioError.single("community.households", None,
                                   "the community has no households or facilities; give "
                                   "community.households (e.g. {tier2: 400}), facility "
                                   "counts, or community.csv")
    table = data.community_loads()
    shape_columns = list(data.COMMUNITY_SHAPE_COLUMNS)
    _, _, weekday, _ = _clock(index)
    weekend = weekday >= 5
    step_h = _step_h(index)
    total = np.zeros(len(index))
    for key, count in counts.items():
        shape = table.loc[key, shape_columns].to_numpy(dtype=float)
        shape = shape / shape.sum()
        per_day = float(str(table.at[key, "kwh_per_day"]))
        day_factor = np.where(weekend, float(str(table.at[key, "weekend_factor"])), 1.0)
        energy = count * per_day * day_factor * _hourly_energy(index, shape)
        total += energy / step_h
    return pd.Series(total, index=index, name="community_kw")


def _counts_shape(index: pd.DatetimeIndex) -> pd.Series:
    """Return a generic community shape (tier-2 and tier-3 households) to spread daily records."""
    table = data.community_loads()
    columns = list(data.COMMUNITY_SHAPE_COLUMNS)
    shape = (table.loc["tier2", columns].to_numpy(dtype=float)
             + table.loc["tier3", columns].to_numpy(dtype=float))
    return pd.Series(_hourly_energy(index, shape / shape.sum()) / _step_h(index), index=index)
