"""The design weather year: size on a bad year of an ensemble instead of the typical one.

``solar.design_percentile: P`` makes :func:`energyopt.inputs.build_inputs` (so ``optimize``,
``pareto``, ``simulate`` and ``verify``'s design year alike) build its inputs on one year of a
weather ensemble instead of the typical year:

1. the ensemble is :func:`~energyopt.resource.weather_years` with
   ``solar.design_ensemble_years`` years (default 30) and seed 0: seeds of the embedded
   generator (each with the inter-annual variability of its climate zone) or a multi-year
   file's complete calendar years (the most recent ones). Seed 0 is also ``energyopt
   verify``'s default, and the list is prefix-stable, so verify's default 20 years are the
   first 20 of the ensemble;
2. each year is ranked by its annual PV yield [kWh/kWp]: the PV output per kWp on the model's
   steps, summed with the step durations and weights (so a short modelled period ranks the
   years by that period, scaled to a year); the load is not built for this;
3. the design year is the ``k``-th lowest yield, ``k = ceil((100 - P) / 100 * n)`` (at least
   1; nearest rank, ties in ensemble order): the year whose yield is exceeded by P% of the
   ensemble's years. With ``n = 30`` and ``P = 90`` it is the 3rd lowest of 30, which 27 years
   beat: the P90 year of bankability studies, "a year nine in ten beat".

Why a percentile of PV yield: it is the figure lenders' and PV yield assessments already speak
in (P50 / P90 yield), one number covers P50, P75, P90 and P99, and ranking needs only the PV
series of each year (about 25 ms per embedded year), not 30 optimisations. The issue asked for a
high percentile of *fuel*; fuel is mostly a function of the PV shortfall, but the year with the
10th-percentile yield is not exactly the year with the 90th-percentile fuel (when in the year
the sun is missing matters too). ``energyopt verify`` measures the fuel spread of the design
that results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from energyopt.errors import ScenarioError
from energyopt.scenario import Scenario, WeatherFileSpec

__all__ = ["ENSEMBLE_SEED", "DesignYear", "annual_yield", "design_year", "nearest_rank"]

#: Seed of the design ensemble's weather years (verify's default seed, see the module doc).
ENSEMBLE_SEED = 0


@dataclass(frozen=True)
class DesignYear:
    """The weather year a design was sized on, and where it stands in its ensemble.

    Attributes
    ----------
    percentile : float
        ``solar.design_percentile``: the share of the ensemble's years [%] whose yield
        exceeds the design year's.
    override : mapping of str to value
        The scenario override of the design year (``{"solar.seed": s}`` or
        ``{"solar.weather.year": y}``, with ``solar.design_percentile: None``).
    label : str
        ``seed 1234`` or the file's calendar year, e.g. ``2019``.
    yield_kwh_per_kwp : float
        The design year's PV yield [kWh/kWp per year].
    typical_yield_kwh_per_kwp : float
        The typical year's (the scenario without ``design_percentile``) [kWh/kWp per year].
    rank : int
        Position of the design year among the ensemble's yields, lowest = 1.
    yields : pd.Series
        Yield of every ensemble year [kWh/kWp per year], indexed by label, in ensemble order.
    source : str
        What the ensemble is: ``embedded weather years`` or ``years of weather file ...``.
    """

    percentile: float
    override: Mapping[str, Any]
    label: str
    yield_kwh_per_kwp: float
    typical_yield_kwh_per_kwp: float
    rank: int
    yields: pd.Series
    source: str

    @property
    def n_years(self) -> int:
        """Years of the ensemble."""
        return len(self.yields)

    def note(self) -> str:
        """One sentence for summaries and reports.

        Returns
        -------
        str
            E.g. "designed on weather year seed 1234, the P90 year by PV yield of 30 embedded
            weather years (1,612 kWh/kWp against 1,684 in the typical year; 27 of 30 years
            yield more)".
        """
        beat = int((self.yields > self.yield_kwh_per_kwp).sum())
        p = f"{self.percentile:g}"
        return (f"designed on weather year {self.label}, the P{p} year by PV yield of "
                f"{self.n_years} {self.source} ({self.yield_kwh_per_kwp:,.0f} kWh/kWp against "
                f"{self.typical_yield_kwh_per_kwp:,.0f} in the typical year; {beat} of "
                f"{self.n_years} years yield more)")


def nearest_rank(n: int, percentile: float) -> int:
    """Rank (lowest = 1) of the yield exceeded by ``percentile`` % of ``n`` years.

    Parameters
    ----------
    n : int
        Years of the ensemble (>= 1).
    percentile : float
        Exceedance percentile P in [0, 100] (90 = the P90 year).

    Returns
    -------
    int
        ``ceil((100 - P) / 100 * n)`` within ``1..n`` (rounded to 9 decimals first, so
        ``P = 90, n = 30`` gives 3, not 4 from binary round-off).
    """
    if n < 1:
        raise ValueError(f"n={n} must be >= 1")
    k = math.ceil(round((100.0 - float(percentile)) * n / 100.0, 9))
    return min(max(k, 1), n)


def annual_yield(pv_kw_per_kwp: pd.Series, hours: pd.Series) -> float:
    """PV yield [kWh/kWp per year]: output per kWp times each step's weighted hours, summed.

    ``hours`` is ``duration_h * weight`` of :class:`~energyopt.inputs.Inputs` (sums to 8,760).
    """
    return float((pv_kw_per_kwp.to_numpy() * hours.to_numpy()).sum())


def _label(override: Mapping[str, Any]) -> str:
    if "solar.seed" in override:
        return f"seed {override['solar.seed']}"
    if "solar.weather.year" in override:
        return str(override["solar.weather.year"])
    return "typical year"


def design_year(scenario: Scenario, index: pd.DatetimeIndex, hours: pd.Series) -> DesignYear:
    """Pick the weather year at ``solar.design_percentile`` of PV yield (see the module doc).

    Parameters
    ----------
    scenario : Scenario
        A scenario with ``solar.design_percentile`` set.
    index : pd.DatetimeIndex
        The model's steps.
    hours : pd.Series
        Weighted hours of each step (``duration_h * weight``).

    Returns
    -------
    DesignYear

    Raises
    ------
    ScenarioError
        When the percentile is unset, or the weather file holds no complete calendar year (a
        typical year: no ensemble to rank).
    """
    from energyopt.resource import pv_on_weather, solar_inputs
    from energyopt.resource.years import _ensemble, _read_file

    sol = scenario.solar
    percentile = sol.design_percentile
    if percentile is None:
        raise ScenarioError.single("solar.design_percentile", None,
                                   "no design percentile is set: the typical year is used")
    weather = sol.weather
    read = _read_file(scenario) if isinstance(weather, WeatherFileSpec) else None
    overrides = _ensemble(scenario, sol.design_ensemble_years, ENSEMBLE_SEED, read)
    if not any("solar.seed" in o or "solar.weather.year" in o for o in overrides):
        raise ScenarioError.single(
            "solar.design_percentile", percentile, "the weather file holds a typical year "
            "(no complete calendar year of a series), so there are no weather years to rank: "
            "give a multi-year file (NASA POWER, PVGIS hourly series, EPW series) or "
            "solar.weather: embedded, or unset solar.design_percentile")

    def file_yield(year: int | None) -> float:
        # one read of the file for the whole ensemble; the year as weather_from_spec maps it
        from energyopt.resource.files import to_index, typical_year

        assert read is not None
        one, _ = typical_year(*read, year=year)
        return annual_yield(pv_on_weather(scenario, to_index(one, index)), hours)

    def embedded_yield(override: Mapping[str, Any]) -> float:
        return annual_yield(solar_inputs(scenario.with_overrides(override), index)[1], hours)

    labels = [_label(o) for o in overrides]
    values = [embedded_yield(o) if read is None else file_yield(o["solar.weather.year"])
              for o in overrides]
    yields = pd.Series(values, index=pd.Index(labels, name="year"),
                       name="yield_kwh_per_kwp", dtype=float)
    order = sorted(range(len(values)), key=lambda i: (values[i], i))
    rank = nearest_rank(len(values), percentile)
    chosen = order[rank - 1]
    typical_yield = (embedded_yield({"solar.design_percentile": None}) if read is None
                     else file_yield(None))
    source = ("embedded weather years" if isinstance(weather, str)
              else f"years of weather file {weather.file}"
              if isinstance(weather, WeatherFileSpec) else "weather years")
    return DesignYear(percentile=float(percentile), override=dict(overrides[chosen]),
                      label=labels[chosen], yield_kwh_per_kwp=values[chosen],
                      typical_yield_kwh_per_kwp=typical_yield, rank=rank, yields=yields,
                      source=source)
