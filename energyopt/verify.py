"""Verify a design by operating it: many weather years, failures, blockades.

:func:`verify` runs a sized design (a :class:`~energyopt.results.SizingResult`) through the
rule-based simulator :func:`energyopt.simulate.simulate` over several weather years
(:func:`energyopt.resource.weather_years`), optionally with forced outages and cancelled
convoys (:func:`energyopt.simulate.outages.draw_outages`), and summarises what the optimiser's
single, perfectly foreseen year does not show:

- the spread of fuel, trucks and convoys per year (P10 / P50 / P90 beside the optimiser's own
  figure, and the design's own year operated without foresight);
- the probability of a fuel stock-out (share of the years with one);
- blockade survival: for each blockade length *d* [days], the share of (year, start day) pairs
  for which the critical load is fully served from the blockade's first day until supply
  resumes (the first planned arrival after the blockade), the camp starting from the stock,
  battery and generators of the undisturbed run on that day;
- the worst week (the 7 days with the most unserved energy, or the most fuel if none is lost).

Blockade survival, how it is computed
-------------------------------------
A blockade of days ``s .. s+d-1`` only changes the run when it cancels a planned arrival. Let
``a`` be the first arrival day on or after ``s``. All blockades that start in ``(previous
arrival, a]`` and cancel ``a`` follow one and the same disturbed trajectory until their first
un-cancelled arrival: the undisturbed run up to ``a``, then no arrival. So each arrival day
needs one simulation, started on day ``a`` from the undisturbed run's fuel stock and battery
state of charge, with every arrival of ``a .. a + max(d) - 1`` cancelled, and run until the
first arrival after that (or the end of the modelled period). Every (start day, *d*) pair is
then read off the undisturbed run and these trajectories: a Gao year with monthly convoys needs
about ten short runs instead of 365 x 9. Blockades are cut at the end of the modelled period
(the year is not wrapped around); with more than ``MAX_TRAJECTORIES`` arrival days (daily
convoys), a regular sample of start days (at least 52 per year) is used instead of every day.

Results do not depend on the number of worker processes: each year's outages and forecast
errors are drawn from its own seed, ``(seed, year number)``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import multiprocessing
import os
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from energyopt.inputs import Inputs, build_inputs
from energyopt.results import SizingResult
from energyopt.scenario import Scenario, load_scenario

__all__ = ["MAX_TRAJECTORIES", "METRICS", "TABLE_ROWS", "Verification", "verify",
           "weather_overrides"]

#: Per-year figures of :attr:`Verification.years` (the simulator's KPI names).
METRICS: tuple[str, ...] = (
    "fuel_l_per_year", "trucks_per_year", "convoys_per_year", "unserved_kwh_per_year",
    "critical_unserved_kwh_per_year", "stockout_hours", "critical_lost_hours", "min_stock_l",
)

#: Rows of the printed and reported table: (figure, label, unit, decimals or None).
TABLE_ROWS: tuple[tuple[str, str, str, int | None], ...] = (
    ("fuel_l_per_year", "fuel", "L/yr", 0),
    ("trucks_per_year", "fuel trucks", "trucks/yr", 1),
    ("convoys_per_year", "convoys", "convoys/yr", 1),
    ("unserved_kwh_per_year", "unserved energy", "kWh/yr", 0),
    ("critical_unserved_kwh_per_year", "critical load unserved", "kWh/yr", 0),
    ("stockout_hours", "hours out of fuel", "h/yr", 0),
    ("critical_lost_hours", "hours of critical load lost", "h/yr", 0),
    ("min_stock_l", "lowest fuel stock", "L", 0),
)

#: Most disturbed trajectories per year before blockade starts are sampled (see module doc).
MAX_TRAJECTORIES = 60

#: Fewest sampled blockade start days per year when sampling.
MIN_SAMPLED_STARTS = 52

#: Critical energy below this counts as served [kWh per day] (simulator round-off).
SERVED_TOL_KWH = 1e-6

#: Days of the worst-week window.
WEEK_DAYS = 7


@dataclass
class Verification:
    """What a design does when operated over many weather years.

    Attributes
    ----------
    name : str
        Scenario name.
    controller : str
        Dispatch rule simulated (``load_following``, ``cycle_charging``, ``forecast``).
    failures : bool
        Whether forced outages and cancelled convoys were drawn.
    years : pd.DataFrame
        One row per simulated year: ``year`` (label: the solar seed or the file's year),
        ``weather`` (the scenario override, e.g. ``solar.seed=3``), then the figures of
        :data:`METRICS`: ``fuel_l_per_year`` [L/yr], ``trucks_per_year``,
        ``convoys_per_year``, ``unserved_kwh_per_year`` [kWh/yr],
        ``critical_unserved_kwh_per_year`` [kWh/yr], ``stockout_hours`` [h],
        ``critical_lost_hours`` [h], ``min_stock_l`` [L] (NaN without a fuel inventory);
        then the year's worst week: ``worst_week_start`` (date), ``worst_week_fuel_l`` [L],
        ``worst_week_unserved_kwh`` [kWh].
    summary : pd.DataFrame
        One row per figure of :data:`METRICS`; columns ``p10``, ``p50``, ``p90``, ``min``,
        ``max`` across the years, ``optimiser`` (the optimiser's own figure, NaN when it
        reports none) and ``design_year`` (the optimiser's own year, operated by the same rule
        without foresight and without failures).
    stockout_probability : float
        Share of the years with at least one hour out of fuel [-].
    blockade_survival : pd.Series
        Indexed by the blockade length ``d`` [days]: the share of (year, start day) pairs for
        which the critical load is fully served until supply resumes [-].
    worst_week : dict
        ``year`` (label), ``start`` and ``end`` (dates, inclusive), ``fuel_l`` [L],
        ``unserved_kwh`` and ``critical_unserved_kwh`` [kWh] of the 7-day window with the most
        unserved energy across the years, or the most fuel when none is lost.
    notes : list of str
        How the figures were computed (sampling, cut blockades) and what stands out.
    blockade_starts : int
        (year, start day) pairs behind each point of ``blockade_survival``.
    """

    name: str
    controller: str
    failures: bool
    years: pd.DataFrame
    summary: pd.DataFrame
    stockout_probability: float
    blockade_survival: pd.Series
    worst_week: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    blockade_starts: int = 0

    def figure(self, key: str) -> dict[str, float]:
        """Return one row of :attr:`summary` as ``{"p10": ..., "p50": ..., ...}``."""
        values = self.summary.loc[key].to_numpy(dtype=float).tolist()
        return dict(zip((str(c) for c in self.summary.columns), values, strict=True))

    def closing_note(self) -> str:
        """Return one sentence: P50 and P90 fuel beside the optimiser's, stock-outs, lost load.

        Returns
        -------
        str
            E.g. "Fuel P50 61,200 L/yr and P90 70,100 L/yr against the optimiser's 52,700
            L/yr (+16%, +33%); out of fuel in 0 of 20 years; critical load lost in 0 of 20
            years."
        """
        from energyopt.report.format import fmt_number, is_missing

        fuel = self.figure("fuel_l_per_year")
        p50, p90, opt = (fuel[c] for c in ("p50", "p90", "optimiser"))
        text = f"Fuel P50 {fmt_number(p50, 0)} L/yr and P90 {fmt_number(p90, 0)} L/yr"
        if not is_missing(opt) and opt >= 1.0:
            text += (f" against the optimiser's {fmt_number(opt, 0)} L/yr "
                     f"({fmt_number(100 * (p50 / opt - 1), 0, sign=True)}%, "
                     f"{fmt_number(100 * (p90 / opt - 1), 0, sign=True)}%)")
        elif not is_missing(opt):
            # a plan that burns (almost) nothing: a percentage of ~0 L means nothing
            text += " against the optimiser's 0 L/yr (a plan without diesel)"
        n = len(self.years)
        dry = int((self.years["stockout_hours"].fillna(0.0) > 0).sum())
        lost = self.years["critical_lost_hours"].fillna(0.0)
        hit = int((lost > 0).sum())
        text += f"; out of fuel in {dry} of {n} years; critical load lost in {hit} of {n} years"
        if (lost > 0).any():
            text += f" (up to {fmt_number(float(lost.max()), 0)} h in a year)"
        return text + "."

    def to_csv(self, folder: str | Path) -> list[Path]:
        """Write ``verify_years.csv``, ``verify_summary.csv`` and ``blockade_survival.csv``.

        Parameters
        ----------
        folder : str or Path
            Output folder (created).

        Returns
        -------
        list of Path
            The files written.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / "verify_years.csv", folder / "verify_summary.csv",
                 folder / "blockade_survival.csv"]
        self.years.to_csv(paths[0], index=False)
        summary = self.summary.copy()
        extra = pd.DataFrame({"p10": [self.stockout_probability]},
                             index=["stockout_probability"])
        pd.concat([summary, extra]).to_csv(paths[1], index_label="figure")
        survival = self.blockade_survival.rename("survival").to_frame()
        survival["starts"] = self.blockade_starts
        survival.to_csv(paths[2], index_label="blockade_days")
        return paths


# --------------------------------------------------------------------------------------------
# Weather years
# --------------------------------------------------------------------------------------------
def weather_overrides(scenario: Scenario, years: int, seed: int = 0) -> list[dict[str, Any]]:
    """Scenario overrides giving ``years`` weather years (one mapping per year).

    Uses :func:`energyopt.resource.weather_years` (seeds of the embedded generator, or the
    real years of a multi-year weather file); solar seeds ``seed, seed + 1, ...`` when that
    function is not available.
    """
    try:
        from energyopt.resource import weather_years
    except ImportError:
        return [{"solar.seed": seed + i} for i in range(years)]
    return [dict(o) for o in weather_years(scenario, years, seed=seed)]


def _label(override: Mapping[str, Any]) -> str:
    if "solar.seed" in override:
        return f"seed {override['solar.seed']}"
    if "solar.weather.year" in override:
        return str(override["solar.weather.year"])
    return ", ".join(f"{k}={v}" for k, v in override.items()) or "design year"


# --------------------------------------------------------------------------------------------
# One year
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _YearJob:
    number: int
    override: Mapping[str, Any]
    scenario: Scenario
    design: SizingResult | Mapping[str, float]
    failures: bool
    controller: str
    resupply: str
    seed: int
    blockade_days: tuple[int, ...]
    inputs: Inputs | None = None


@dataclass
class _YearOutcome:
    row: dict[str, Any]
    survived: np.ndarray  # per blockade length: start days survived
    starts: int
    worst: dict[str, Any]
    notes: list[str]


def _year_seed(seed: int, number: int, stream: int) -> int:
    return int(np.random.SeedSequence([seed, number, stream]).generate_state(1)[0])


def _day_numbers(index: pd.DatetimeIndex) -> np.ndarray:
    dates = np.array(index.date)
    first = dates[0]
    return np.array([(d - first).days for d in dates], dtype=int)


def _per_day(values: np.ndarray, day: np.ndarray, n_days: int) -> np.ndarray:
    return np.bincount(day, weights=values, minlength=n_days)[:n_days]


def _arrival_days(scenario: Scenario, inputs: Inputs, day: np.ndarray,
                  cancelled: frozenset[dt.date]) -> np.ndarray | None:
    """Day numbers of the planned arrivals that come (None without a fuel inventory)."""
    from energyopt.model.params import logistics_params

    spec = scenario.fuel.inventory
    if spec is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # closures outside the period: the simulator says so
        params = logistics_params(
            spec, inputs, truck_l=scenario.fuel.truck_capacity_l, rate=0.0, years=1,
            start=scenario.horizon.start)
    first = inputs.index[0].date()
    open_days = np.flatnonzero(params.arrival_open[: int(day[-1]) + 1])
    return np.array([d for d in open_days
                     if first + dt.timedelta(days=int(d)) not in cancelled], dtype=int)


def _slice_inputs(inputs: Inputs, start: int, stop: int) -> Inputs:
    """Return steps ``start:stop`` of ``inputs`` (weights kept: sums cover the slice only)."""
    weather = None if inputs.weather is None else inputs.weather.iloc[start:stop]
    return dataclasses.replace(
        inputs, index=inputs.index[start:stop], duration_h=inputs.duration_h.iloc[start:stop],
        weight=inputs.weight.iloc[start:stop], load_kw=inputs.load_kw.iloc[start:stop],
        critical_load_kw=inputs.critical_load_kw.iloc[start:stop],
        pv_kw_per_kwp=inputs.pv_kw_per_kwp.iloc[start:stop], weather=weather)


def _slice_outages(outages: Any, start: int, stop: int, blockade: tuple[dt.date, dt.date],
                   cancelled: frozenset[dt.date]) -> Any:
    from energyopt.simulate import Outages

    def cut(a: np.ndarray | None) -> np.ndarray | None:
        return None if a is None else np.asarray(a)[start:stop]

    if outages is None:
        return Outages(convoys_cancelled=cancelled, blockade=blockade)
    units = outages.diesel_units_out
    return dataclasses.replace(
        outages,
        diesel_units_out=None if units is None else {k: np.asarray(v)[start:stop]
                                                     for k, v in units.items()},
        battery_fraction_out=cut(outages.battery_fraction_out),
        pv_fraction_out=cut(outages.pv_fraction_out),
        convoys_cancelled=frozenset(outages.convoys_cancelled) | cancelled,
        blockade=blockade)


def _restart_point(design: SizingResult | Mapping[str, float], window: Inputs,
                   soc_kwh: float) -> SizingResult:
    """Return the design as a plan ending at ``soc_kwh`` on the window's steps.

    :func:`energyopt.simulate.simulate` starts the battery where a plan on the same steps
    ends (its documented rule for a :class:`SizingResult`), so a run on ``window`` resumes
    from the undisturbed run's state of charge; the stock is given as ``initial_stock_l``.
    """
    from energyopt.solve import SolveInfo

    dispatch = pd.DataFrame({"battery_soc_kwh": np.full(window.n_steps, soc_kwh)},
                            index=window.index)
    if isinstance(design, SizingResult):
        return dataclasses.replace(design, dispatch=dispatch, baseline=None)
    info = SolveInfo("given", "none", math.nan, math.nan, math.nan, 0.0, 0.0, "none", 0, 0, 0,
                     method="restart point")
    return SizingResult(name="restart point", sizes=pd.Series(dict(design), dtype=float),
                        kpis=pd.Series(dtype=float), costs=pd.DataFrame(), dispatch=dispatch,
                        solve_info=info)


def _worst_week(dispatch: pd.DataFrame, duration: np.ndarray, day: np.ndarray, n_days: int,
                first: dt.date) -> dict[str, Any]:
    fuel = _per_day(dispatch["fuel_l"].to_numpy(), day, n_days)
    lost = _per_day(dispatch["unserved_kw"].to_numpy() * duration, day, n_days)
    crit = _per_day(dispatch["unserved_critical_kw"].to_numpy() * duration, day, n_days)
    width = min(WEEK_DAYS, n_days)
    kernel = np.ones(width)
    fuel_w = np.convolve(fuel, kernel, "valid")
    lost_w = np.convolve(lost, kernel, "valid")
    crit_w = np.convolve(crit, kernel, "valid")
    k = int(np.argmax(lost_w)) if lost_w.max() > SERVED_TOL_KWH else int(np.argmax(fuel_w))
    return {"start": first + dt.timedelta(days=k),
            "end": first + dt.timedelta(days=k + width - 1),
            "fuel_l": float(fuel_w[k]), "unserved_kwh": float(lost_w[k]),
            "critical_unserved_kwh": float(crit_w[k])}


def _run_year(job: _YearJob) -> _YearOutcome:
    from energyopt.simulate import draw_outages, simulate

    scenario = job.scenario.with_overrides(dict(job.override)) if job.override else job.scenario
    inputs = job.inputs if job.inputs is not None else build_inputs(scenario)
    outages = None
    if job.failures:
        rng = np.random.default_rng(_year_seed(job.seed, job.number, 0))
        outages = draw_outages(scenario, job.design, inputs, rng, failures=True)
    sim_seed = _year_seed(job.seed, job.number, 1)
    base = simulate(job.design, scenario, inputs=inputs, controller=job.controller,
                    resupply=job.resupply, outages=outages, seed=sim_seed)
    row: dict[str, Any] = {"year": _label(job.override),
                           "weather": ", ".join(f"{k}={v}" for k, v in job.override.items()
                                                if k != "solar.design_percentile")}
    for key in METRICS:
        row[key] = float(base.kpis[key]) if key in base.kpis.index else math.nan

    duration = inputs.duration_h.to_numpy()
    day = _day_numbers(inputs.index)
    n_days = int(day[-1]) + 1
    first = inputs.index[0].date()
    worst = _worst_week(base.dispatch, duration, day, n_days, first)
    worst["year"] = row["year"]
    row.update({"worst_week_start": worst["start"], "worst_week_fuel_l": worst["fuel_l"],
                "worst_week_unserved_kwh": worst["unserved_kwh"]})
    survived, starts, notes = _blockades(job, scenario, inputs, outages, base, day, n_days,
                                         sim_seed)
    return _YearOutcome(row=row, survived=survived, starts=starts, worst=worst, notes=notes)


def _critical_lost_by_day(dispatch: pd.DataFrame, duration: np.ndarray, day: np.ndarray,
                          n_days: int) -> np.ndarray:
    lost = dispatch["unserved_critical_kw"].to_numpy() * duration
    return _per_day(lost, day, n_days) > SERVED_TOL_KWH


def _blockades(job: _YearJob, scenario: Scenario, inputs: Inputs, outages: Any, base: Any,
               day: np.ndarray, n_days: int, sim_seed: int) -> tuple[np.ndarray, int, list[str]]:
    """Start days surviving each blockade length, the start days tried, notes."""
    from energyopt.simulate import simulate

    lengths = job.blockade_days
    duration = inputs.duration_h.to_numpy()
    base_bad = _critical_lost_by_day(base.dispatch, duration, day, n_days)
    cancelled = frozenset() if outages is None else frozenset(outages.convoys_cancelled)
    arrivals = _arrival_days(scenario, inputs, day, cancelled)
    longest = max(lengths, default=0)
    notes: list[str] = []

    def next_arrival_after(e: int) -> int:
        if arrivals is None:
            return min(e + 1, n_days)
        later = arrivals[arrivals > e]
        return int(later[0]) if later.size else n_days

    def first_arrival_from(s: int, e: int) -> int | None:
        if arrivals is None:
            return None
        hit = arrivals[(arrivals >= s) & (arrivals <= e)]
        return int(hit[0]) if hit.size else None

    starts = np.arange(n_days)
    needed = {a for s in starts if (a := first_arrival_from(int(s), int(s) + longest - 1))
              is not None} if longest > 0 else set()
    if len(needed) > MAX_TRAJECTORIES:
        step = max(1, n_days // MIN_SAMPLED_STARTS)
        starts = np.arange(0, n_days, step)
        needed = {a for s in starts if (a := first_arrival_from(int(s), int(s) + longest - 1))
                  is not None}
        notes.append(f"blockade starts sampled every {step} day(s) ({starts.size} per year): "
                     f"{len(needed)} arrival days would be too slow to try every start")

    # one disturbed trajectory per first cancelled arrival a: days [a, t1) and the lost days
    steps_of_day = np.searchsorted(day, np.arange(n_days + 1))
    stock = base.dispatch["stock_l"].to_numpy() if "stock_l" in base.dispatch else None
    soc = base.dispatch["battery_soc_kwh"].to_numpy()
    all_dates = [inputs.index[0].date() + dt.timedelta(days=k) for k in range(n_days)]
    planned = set() if arrivals is None else {all_dates[int(k)] for k in arrivals}
    trajectories: dict[int, np.ndarray] = {}
    for a in sorted(needed):
        t1 = next_arrival_after(min(a + longest - 1, n_days - 1))
        blockade = (all_dates[a], all_dates[min(a + longest - 1, n_days - 1)])
        if a == 0:
            # from the first day: the undisturbed run's own start, over the whole period
            lo, hi = 0, inputs.n_steps
            window, design, initial = inputs, job.design, None
            cut = _slice_outages(outages, lo, hi, blockade, frozenset())
        else:
            lo, hi = int(steps_of_day[a]), int(steps_of_day[t1])
            window = _slice_inputs(inputs, lo, hi)
            design = _restart_point(job.design, window, float(soc[lo - 1]))
            initial = None if stock is None else float(stock[lo - 1])
            # days of the slice that are no arrival day of the whole period stay without one
            extra = frozenset(d for d in all_dates[a:t1] if d not in planned)
            cut = _slice_outages(outages, lo, hi, blockade, extra)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run = simulate(design, scenario, inputs=window, controller=job.controller,
                           resupply=job.resupply, outages=cut, seed=sim_seed,
                           initial_stock_l=initial)
        first_day = int(day[lo])
        trajectories[a] = _critical_lost_by_day(run.dispatch, duration[lo:hi],
                                                day[lo:hi] - first_day, int(day[hi - 1]) + 1
                                                - first_day)

    survived = np.zeros(len(lengths), dtype=int)
    for s in (int(k) for k in starts):
        for i, d in enumerate(lengths):
            if d <= 0:
                survived[i] += 1
                continue
            e = min(s + d - 1, n_days - 1)
            end = next_arrival_after(e)
            a = first_arrival_from(s, e)
            if a is None:
                ok = not base_bad[s:end].any()
            else:
                # the undisturbed run up to the first cancelled arrival, its trajectory after
                bad = trajectories[a]
                lag = 0 if a == 0 else a
                ok = not base_bad[s:a].any() and not bad[a - lag:end - lag].any()
            survived[i] += int(ok)
    return survived, int(starts.size), notes


# --------------------------------------------------------------------------------------------
# verify
# --------------------------------------------------------------------------------------------
def _optimiser_figures(design: SizingResult | Mapping[str, float]) -> dict[str, float]:
    if not isinstance(design, SizingResult):
        return {}
    out = {k: float(design.kpis[k]) for k in METRICS if k in design.kpis.index}
    daily = design.fuel_daily
    if daily is not None and "stock_l" in daily:
        out.setdefault("min_stock_l", float(daily["stock_l"].min()))
    # the optimiser sheds only the non-critical load (energyopt.model.reliability) and never
    # lets the stock fall below zero
    out.setdefault("critical_unserved_kwh_per_year", 0.0)
    out.setdefault("critical_lost_hours", 0.0)
    out.setdefault("stockout_hours", 0.0)
    return out


def _default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 2))


def verify(design: SizingResult | Mapping[str, float], scenario: Scenario | str | Path, *,
           years: int = 20, failures: bool = False, controller: str = "load_following",
           seed: int = 0, blockade_days: Sequence[int] = (1, 2, 3, 5, 7, 10, 14, 21, 28),
           workers: int | None = None, inputs: Inputs | None = None,
           resupply: str = "order_up_to") -> Verification:
    """Operate a design over many weather years; return the spread of its figures.

    Parameters
    ----------
    design : SizingResult or mapping of str to float
        The design (its ``sizes`` are operated; its KPIs are the optimiser's column), or sizes
        keyed like ``SizingResult.sizes``.
    scenario : Scenario, str or Path
        The scenario the design was sized for (or its YAML file).
    years : int, default 20
        Weather years to simulate (:func:`energyopt.resource.weather_years`).
    failures : bool, default False
        Draw forced outages of sets, battery and PV and cancelled convoys for each year.
    controller : str, default "load_following"
        Dispatch rule (``load_following``, ``cycle_charging``, ``forecast``).
    seed : int, default 0
        First weather seed, and the seed of each year's failures and forecast errors (with the
        year's number): the same seed gives the same figures.
    blockade_days : sequence of int
        Blockade lengths [days] of the survival curve (0 = no blockade).
    workers : int, optional
        Processes simulating years in parallel (default: the CPU count, at most 2); the
        figures do not depend on it.
    inputs : Inputs, optional
        The inputs the design was sized on (the design year), if already built.
    resupply : str, default "order_up_to"
        Resupply rule of :func:`energyopt.simulate.simulate` on the planned convoy days.

    Returns
    -------
    Verification

    Raises
    ------
    ScenarioError
        When a weather year's inputs cannot be built, or an argument is out of range.
    """
    from energyopt.errors import ScenarioError
    from energyopt.simulate import simulate

    if isinstance(scenario, str | Path):
        scenario = load_scenario(scenario)
    if years < 1:
        raise ScenarioError.single("years", years, "simulate at least one weather year")
    if any(d < 0 for d in blockade_days):
        raise ScenarioError.single("blockade_days", list(blockade_days),
                                   "blockade lengths are whole days >= 0")
    from energyopt.simulate import CONTROLLERS, RESUPPLY

    if controller not in CONTROLLERS:
        raise ScenarioError.single("controller", controller,
                                   f"use one of {', '.join(CONTROLLERS)}")
    if resupply not in RESUPPLY:
        raise ScenarioError.single("resupply", resupply, f"use one of {', '.join(RESUPPLY)}")
    if resupply == "planned" and (not isinstance(design, SizingResult)
                                  or design.fuel_daily is None):
        raise ScenarioError.single(
            "resupply", resupply, "the planned litres come from a design sized with a daily "
            "fuel inventory (fuel.inventory); use resupply order_up_to")
    lengths = tuple(sorted({int(d) for d in blockade_days}))
    workers = _default_workers() if workers is None else max(1, int(workers))
    # a SizingResult starts from its plan's stock and battery; its baseline stays home
    run_design: SizingResult | Mapping[str, float] = (
        dataclasses.replace(design, baseline=None) if isinstance(design, SizingResult)
        else {str(k): float(v) for k, v in design.items()})

    overrides = weather_overrides(scenario, years, seed)
    jobs = [_YearJob(number=i, override=o, scenario=scenario, design=run_design,
                     failures=failures, controller=controller, resupply=resupply, seed=seed,
                     blockade_days=lengths) for i, o in enumerate(overrides)]
    if workers > 1 and len(jobs) > 1:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)),
                                 mp_context=context) as pool:
            outcomes = list(pool.map(_run_year, jobs))
    else:
        outcomes = [_run_year(job) for job in jobs]

    table = pd.DataFrame([o.row for o in outcomes])
    design_inputs = inputs if inputs is not None else build_inputs(scenario)
    own = simulate(run_design, scenario, inputs=design_inputs, controller=controller,
                   resupply=resupply, seed=_year_seed(seed, 0, 2))
    optimiser = _optimiser_figures(design)
    values = table[list(METRICS)].astype(float)
    summary = pd.DataFrame({
        "p10": values.quantile(0.1), "p50": values.quantile(0.5), "p90": values.quantile(0.9),
        "min": values.min(), "max": values.max(),
        "optimiser": pd.Series({k: optimiser.get(k, math.nan) for k in METRICS}),
        "design_year": pd.Series({k: float(own.kpis[k]) if k in own.kpis.index else math.nan
                                  for k in METRICS}),
    }).reindex(list(METRICS))
    summary.index.name = "figure"

    stockouts = (table["stockout_hours"].fillna(0.0) > 0).to_numpy()
    starts = sum(o.starts for o in outcomes)
    survived = np.sum([o.survived for o in outcomes], axis=0) if outcomes else np.zeros(0)
    survival = pd.Series(survived / max(starts, 1), index=pd.Index(lengths, name="days"),
                         name="survival", dtype=float)
    # round-off kWh (1e-13) must not outrank litres: unserved counts from SERVED_TOL_KWH
    worst = max((o.worst for o in outcomes),
                key=lambda w: (w["unserved_kwh"] > SERVED_TOL_KWH,
                               w["unserved_kwh"] if w["unserved_kwh"] > SERVED_TOL_KWH else 0.0,
                               w["fuel_l"]))
    notes = _notes(table, stockouts, outcomes, lengths, starts, years)
    if scenario.fuel.inventory is None:
        notes.append("no fuel.inventory: fuel is unlimited, so a blockade cuts nothing; the "
                     "survival curve is the share of d-day periods with the critical load "
                     "served in the undisturbed years")
    name = design.name if isinstance(design, SizingResult) else scenario.name
    return Verification(name=name, controller=controller, failures=failures, years=table,
                        summary=summary, stockout_probability=float(stockouts.mean()),
                        blockade_survival=survival, worst_week=worst, notes=notes,
                        blockade_starts=starts)


def _notes(table: pd.DataFrame, stockouts: np.ndarray, outcomes: Sequence[_YearOutcome],
           lengths: tuple[int, ...], starts: int, years: int) -> list[str]:
    notes = [f"{years} weather year(s); blockade survival over {starts:,} (year, start day) "
             "pairs: the critical load fully served from the blockade's first day until the "
             "first planned arrival after it, from the undisturbed run's stock and battery "
             "(one re-run per cancelled arrival day); blockades are cut at the end of the "
             "modelled period"]
    for o in outcomes:
        for n in o.notes:
            if n not in notes:
                notes.append(n)
    if stockouts.any():
        which = ", ".join(str(y) for y in table.loc[stockouts, "year"])
        notes.append(f"the camp runs out of fuel in {int(stockouts.sum())} of {years} years "
                     f"({which})")
    lost = table["critical_lost_hours"].fillna(0.0) > 0
    if lost.any():
        notes.append(f"critical load is lost in {int(lost.sum())} of {years} years, up to "
                     f"{table['critical_lost_hours'].max():,.0f} h in one year")
    del lengths
    return notes
