"""Inputs: the time series and site a scenario resolves to, ready for the model.

:func:`build_inputs` turns a validated :class:`~energyopt.scenario.Scenario` into an
:class:`Inputs` record: a tz-aware index with one label per modelled step (labels at the start
of each interval), the duration and weight of each step, the load and its critical share [kW],
PV output [kW AC per kWp DC] and, on the weather route, the weather itself. Problems in the
series (NaN, negative values, wrong length or step) raise :class:`ScenarioError` naming the
field, before any model is built.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from energyopt import load as load_profiles
from energyopt import resource
from energyopt.errors import ScenarioError
from energyopt.resource.design import DesignYear, design_year
from energyopt.scenario import PvgisSpec, Scenario, SiteSpec, WeatherFileSpec

__all__ = ["HOURS_PER_YEAR", "Inputs", "build_inputs", "time_index"]

HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class Inputs:
    """Time series and site of one scenario.

    Attributes
    ----------
    index : pd.DatetimeIndex
        Start of each modelled step, tz-aware in the site's timezone.
    duration_h : pd.Series
        Length of each step [h].
    weight : pd.Series
        How many times each step counts in a year [-]; ``sum(weight * duration_h) == 8760``.
    load_kw : pd.Series
        Mean electric load over each step [kW].
    critical_load_kw : pd.Series
        Part of the load that must never be shed [kW].
    pv_kw_per_kwp : pd.Series
        Mean AC output per kWp DC over each step [kW/kWp], before degradation.
    weather : pd.DataFrame or None
        ``ghi``, ``dni``, ``dhi`` [W/m2], ``temp_air`` [C], ``wind_speed`` [m/s] on the weather
        route; None when PV output was given directly.
    site : SiteSpec
        The site as coordinates.
    load_notes : tuple of str
        How the load was built: assumptions, repairs of measured data and flags (see
        :mod:`energyopt.load`), for reports.
    weather_notes : tuple of str
        How the weather year was chosen, for reports: with ``solar.design_percentile``, the
        design year and its yield against the typical year's.
    design_year : DesignYear or None
        With ``solar.design_percentile``: the weather year chosen and its ensemble's yields
        (:mod:`energyopt.resource.design`); None for the typical year or a named one.
    community_load_kw : pd.Series or None
        With ``community:``: the host community's load over each step [kW]
        (:func:`community_load`); None without a community.
    """

    index: pd.DatetimeIndex
    duration_h: pd.Series
    weight: pd.Series
    load_kw: pd.Series
    critical_load_kw: pd.Series
    pv_kw_per_kwp: pd.Series
    weather: pd.DataFrame | None
    site: SiteSpec
    load_notes: tuple[str, ...] = ()
    weather_notes: tuple[str, ...] = ()
    design_year: DesignYear | None = None
    community_load_kw: pd.Series | None = None

    @property
    def n_steps(self) -> int:
        """Number of modelled steps."""
        return len(self.index)

    @property
    def annual_load_kwh(self) -> float:
        """Load over a year [kWh]."""
        return float((self.load_kw * self.duration_h * self.weight).sum())


def time_index(scenario: Scenario) -> pd.DatetimeIndex:
    """Start of each modelled step, tz-aware in the site's timezone.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its horizon and site).

    Returns
    -------
    pd.DatetimeIndex
        ``days * 1440 / step_minutes`` labels from local midnight of ``horizon.start``.
    """
    h = scenario.horizon
    site = scenario.site_spec()
    start = pd.Timestamp(h.start).tz_localize(site.timezone)
    periods = h.days * 1440 // h.step_minutes
    return pd.date_range(start, periods=periods, freq=f"{h.step_minutes}min", name="time")


def build_inputs(scenario: Scenario) -> Inputs:
    """Resolve a scenario's time series.

    With ``solar.design_percentile`` set, the weather (and the load's cooling with it) is
    that of the design year picked by :func:`energyopt.resource.design.design_year` from an
    ensemble of weather years ranked by PV yield, named in ``weather_notes``.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.

    Returns
    -------
    Inputs
        Index, step durations and weights, load [kW], critical load [kW], PV output
        [kW/kWp] and weather.

    Raises
    ------
    ScenarioError
        When a series is missing values, has the wrong length or step, or is out of bounds;
        or, naming the section being built, when reading its data fails in any other way (the
        original exception is kept as ``__cause__``).
    """
    with _blaming("horizon", "the modelled time steps"):
        index = time_index(scenario)
        site = scenario.site_spec()
    n = len(index)
    step_h = scenario.horizon.step_minutes / 60.0
    duration = pd.Series(step_h, index=index, name="duration_h")
    weight = pd.Series(HOURS_PER_YEAR / (n * step_h), index=index, name="weight")

    chosen: DesignYear | None = None
    solar = scenario
    with _blaming(_solar_field(scenario), "the weather and PV output"):
        if scenario.solar.design_percentile is not None:
            chosen = design_year(scenario, index, duration * weight)
            solar = scenario.with_overrides(chosen.override)
        weather, pv = resource.solar_inputs(solar, index)
    with _blaming(_load_field(scenario), "the load"):
        profile = load_profiles.load_inputs(solar, index, weather)
    with _blaming("community", "the community load"):
        community = community_load(scenario, index)
    return Inputs(index=index, duration_h=duration, weight=weight, load_kw=profile.load_kw,
                  critical_load_kw=profile.critical_load_kw, pv_kw_per_kwp=pv, weather=weather,
                  site=site, load_notes=profile.notes,
                  weather_notes=() if chosen is None else (chosen.note(),), design_year=chosen,
                  community_load_kw=community)


def community_load(scenario: Scenario, index: pd.DatetimeIndex) -> pd.Series | None:
    """Return the host community's load over each step [kW], None without ``community:``.

    ``community.constant_kw`` gives a flat load; otherwise the builder
    :func:`energyopt.load.community.community_load_kw` (archetypes or a measured CSV) does.
    """
    spec = scenario.community
    if spec is None:
        return None
    if spec.constant_kw is not None:
        return pd.Series(float(spec.constant_kw), index=index, name="community_load_kw")
    # imported here: the community builder is optional until a community is asked for
    from energyopt.load.community import community_load_kw

    series = community_load_kw(scenario, index)
    return pd.Series(series.to_numpy(dtype=float), index=index, name="community_load_kw")


#: Exceptions of pandas, numpy and pvlib that malformed input data raise; turned into a
#: :class:`ScenarioError` naming the section being built. Others (TypeError, AttributeError,
#: AssertionError...) are programming errors and pass through.
_DATA_ERRORS = (ValueError, KeyError, IndexError, ArithmeticError, OSError)


@contextlib.contextmanager
def _blaming(field: str, what: str) -> Iterator[None]:
    """Turn an unexpected data error raised while building ``what`` into a ScenarioError."""
    try:
        yield
    except ScenarioError:
        raise
    except _DATA_ERRORS as exc:
        detail = str(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)
        raise ScenarioError.single(
            field, None, f"could not build {what} from this input ({type(exc).__name__}: "
            f"{detail}); check the values and files of {field}, and if they look right report "
            "this as a bug of energyopt with the scenario") from exc


def _solar_field(scenario: Scenario) -> str:
    """Return the scenario field the solar inputs come from, for errors."""
    sol = scenario.solar
    if sol.pv_kw_per_kwp is not None:
        return "solar.pv_kw_per_kwp." + ("series" if sol.pv_kw_per_kwp.series is not None
                                         else "csv")
    if isinstance(sol.weather, PvgisSpec):
        return "solar.weather"
    if isinstance(sol.weather, WeatherFileSpec):
        return "solar.weather.file"
    return "site"


def _load_field(scenario: Scenario) -> str:
    """Return the scenario field the load comes from, for errors."""
    return {"csv": "load.csv", "fuel_log": "load.fuel_log.csv", "series": "load.series",
            "constant_kw": "load.constant_kw"}.get(scenario.load.route, "load")
