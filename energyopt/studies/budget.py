"""Capital budgets: what each budget buys (a capex front) and a build-out over several years.

A mission's investment budget, not its lifetime cost, is what binds. ``budget.capex_usd`` in a
scenario bounds the capital spent at the start on new equipment (new PV, battery energy and
power, new diesel units, new fuel storage; the existing kit costs nothing; see
:mod:`energyopt.model.budget`). Two studies build on it:

* :func:`capex_front`: the least-cost design under each of a row of budgets, from zero (the
  existing kit) to what the unconstrained design spends, with its convoys and expected
  casualties: what each extra dollar of capital avoids. The budgets are solved in parallel
  (:func:`energyopt.studies.executor.run_tasks`).
* :func:`build_out`: a rolling plan over several years, each with its own budget. Year 1 is
  sized under budget 1 with the camp's existing kit; year 2 starts from year 1's kit, now
  existing, under budget 2; and so on.

The build-out is **myopic**: each year's design is the least-cost design for the years left
knowing only that year's budget, not the budgets to come. That is how annual capital budgets
are decided (a mission's budget is voted year by year and next year's is not known), and a
year's choice is then never one that only pays off if a later budget arrives. Its price is that
a plan with foresight could buy differently early on (e.g. a battery sized for the PV of later
years); with equal or falling budgets the loss is small, since each year buys the
cheapest-per-saving kit first. Every year sizes over the years left of the horizon
(``horizon.years`` minus the years gone), with the same modelled year of load and sun.

Monotony. A design feasible under a budget is feasible under any larger one, so the least
net present cost never rises with the budget; the front takes the design of a smaller budget
when a larger budget's search ended dearer (its gap), and says so in ``status``. Convoys
usually fall with the budget (capital buys PV and storage that replace fuel) but the optimum
minimises cost, not convoys, so that is a property of the camp, not a rule.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from energyopt.errors import ScenarioError
from energyopt.optimize import optimize
from energyopt.results import SizingResult
from energyopt.scenario import Scenario, load_scenario
from energyopt.studies.executor import TaskResult, run_tasks

__all__ = ["FRONT_COLUMNS", "FrontPoint", "build_out", "capex_front", "front_points",
           "with_budget", "with_existing"]

log = logging.getLogger(__name__)

#: Leading columns of :func:`capex_front`'s table (the sizes follow).
FRONT_COLUMNS = ("point", "budget_usd", "status", "capex_usd", "npc_usd", "convoys_per_year",
                 "expected_casualties_per_year", "trucks_per_year", "fuel_l_per_year",
                 "renewable_fraction", "co2_t_per_year", "mip_gap", "runtime_s")

#: Relative tolerance on a budget (the solver's feasibility tolerance on the budget row) [-].
_BUDGET_RTOL = 1e-6


@dataclass
class FrontPoint:
    """One budget of a capex front and the design found under it.

    Attributes
    ----------
    budget_usd : float
        The budget [USD]; ``inf`` for the unconstrained design.
    result : SizingResult or None
        The least-cost design under the budget; None when there is none (see ``status``).
    status : str
        ``converged``, ``gap x.xx%``, ``design of budget B (cheaper)``, or why there is no
        design (``infeasible: ...``, ``solver: ...``).
    """

    budget_usd: float
    result: SizingResult | None
    status: str


def with_budget(scenario: Scenario, capex_usd: float | None) -> Scenario:
    """Return ``scenario`` with its capital budget set to ``capex_usd`` (None: no budget).

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    capex_usd : float or None
        Budget on new equipment at the start [USD]; None removes the budget section.

    Returns
    -------
    Scenario
    """
    if capex_usd is None:
        return scenario.with_overrides({"budget": None})
    return scenario.with_overrides({"budget": {"capex_usd": float(capex_usd)}})


def _solve_point(task: tuple[Scenario, float | None]) -> SizingResult:
    """Least-cost design of ``scenario`` under one budget (a task of :func:`run_tasks`).

    The sanity warnings of each design stay on ``result.warnings``; they are not logged, so
    a front of many budgets does not repeat them on the console.
    """
    scenario, capex_usd = task
    sanity = logging.getLogger("energyopt.sanity")
    level = sanity.level
    sanity.setLevel(logging.ERROR)
    try:
        return optimize(with_budget(scenario, capex_usd), baseline=False)
    finally:
        sanity.setLevel(level)


def _status(result: SizingResult) -> str:
    info = result.solve_info
    if info.converged:
        return "converged"
    return "rule design (not converged)" if info.fallback else f"gap {100 * info.mip_gap:.2f}%"


def _point_of(budget: float, res: TaskResult) -> FrontPoint:
    if res.ok:
        result = res.value
        assert isinstance(result, SizingResult)
        return FrontPoint(budget, result, _status(result))
    kind = "infeasible" if res.error_type == "InfeasibleScenarioError" else "failed"
    return FrontPoint(budget, None, f"{kind}: {res.error}")


def front_points(scenario: Scenario | str | Path | Mapping[str, Any],
                 budgets: Sequence[float] | None = None, points: int = 5, *,
                 executor: Any = None, workers: int | None = None,
                 on_point: Callable[[FrontPoint], None] | None = None) -> list[FrontPoint]:
    """Solve the least-cost design under each budget; return the points in budget order.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The camp; its own ``budget:`` section, if any, is replaced by each budget.
    budgets : sequence of float, optional
        Budgets [USD]. Default: ``points`` budgets evenly spaced from 0 to the capital the
        unconstrained design spends (that design is solved first and is the last point).
    points : int
        Number of budgets when ``budgets`` is not given (at least 2).
    executor, workers
        Where the budgets run (:func:`energyopt.studies.executor.run_tasks`): a local process
        pool of ``workers`` processes by default, a dask client or scheduler address.
    on_point : callable, optional
        Called with each :class:`FrontPoint` as it finishes.

    Returns
    -------
    list of FrontPoint
        In increasing budget (the unconstrained design last, at its own capital, when
        ``budgets`` is not given). The least net present cost never rises along the list (a
        point whose search ended dearer than a smaller budget's design takes that design).

    Raises
    ------
    ScenarioError
        For negative or non-finite budgets, or ``points`` below 2.
    InfeasibleScenarioError, SolverError
        When the unconstrained design itself cannot be found (default budgets).
    """
    scenario = load_scenario(scenario)
    out: list[FrontPoint] = []
    if budgets is None:
        if points < 2:
            raise ScenarioError.single("points", points, "give at least 2 budgets (zero and "
                                       "the unconstrained design's capital)")
        top = optimize(with_budget(scenario, None), baseline=False)
        capex_max = max(float(top.kpis["capex_usd"]), 0.0)
        last = FrontPoint(capex_max, top, _status(top))
        if on_point is not None:
            on_point(last)
        if capex_max <= 0.0:
            return [last]
        grid = [float(b) for b in np.linspace(0.0, capex_max, points)[:-1]]
    else:
        grid = sorted(float(b) for b in budgets)
        bad = [b for b in grid if not math.isfinite(b) or b < 0.0]
        if bad or not grid:
            raise ScenarioError.single("budgets", list(budgets), "give one or more budgets "
                                       "in USD, each finite and at least 0")
        last = None
    tasks = [(scenario, b) for b in grid]

    def report(index: int, res: TaskResult) -> None:
        if on_point is not None:
            on_point(_point_of(grid[index], res))

    results = run_tasks(_solve_point, tasks, executor=executor, workers=workers,
                        on_result=report)
    out = [_point_of(b, res) for b, res in zip(grid, results, strict=True)]
    if last is not None:
        out.append(last)
    _repair(out)
    return out


def _repair(points: list[FrontPoint]) -> None:
    """Give a budget the design of a smaller budget when that one is cheaper (in place)."""
    best: FrontPoint | None = None
    for k, pt in enumerate(points):
        if pt.result is None:
            continue
        npc = float(pt.result.kpis["npc_usd"])
        if best is not None and best.result is not None and float(
                best.result.kpis["npc_usd"]) < npc * (1.0 - 1e-9):
            points[k] = FrontPoint(pt.budget_usd, best.result,
                                   f"design of budget {best.budget_usd:,.0f} USD (cheaper than "
                                   f"this budget's search, {pt.status})")
            continue
        best = pt


def _row(k: int, pt: FrontPoint) -> dict[str, Any]:
    row: dict[str, Any] = {"point": k, "budget_usd": pt.budget_usd, "status": pt.status}
    if pt.result is None:
        return row
    result = pt.result
    for key in FRONT_COLUMNS[3:]:
        if key == "runtime_s":
            row[key] = result.solve_info.wall_s
        elif key in result.kpis.index:
            row[key] = float(result.kpis[key])
    for size, value in result.sizes.items():
        row[str(size)] = float(value)
    return row


def front_table(points: Sequence[FrontPoint]) -> pd.DataFrame:
    """Return the table of a list of :class:`FrontPoint` (see :func:`capex_front`)."""
    frame = pd.DataFrame([_row(k, pt) for k, pt in enumerate(points)])
    lead = [c for c in FRONT_COLUMNS if c in frame.columns]
    return frame[lead + [c for c in frame.columns if c not in lead]]


def capex_front(scenario: Scenario | str | Path | Mapping[str, Any],
                budgets: Sequence[float] | None = None, points: int = 5, *,
                executor: Any = None, workers: int | None = None,
                on_point: Callable[[FrontPoint], None] | None = None) -> pd.DataFrame:
    """Capital against convoys: the least-cost design under each capital budget.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The camp (its own ``budget:`` section is replaced by each budget).
    budgets : sequence of float, optional
        Budgets on new equipment [USD]; default ``points`` budgets from 0 to the capital of
        the unconstrained design (solved first; it is the last row).
    points : int
        Rows when ``budgets`` is not given (at least 2).
    executor, workers
        Where the budgets are solved (:func:`energyopt.studies.executor.run_tasks`).
    on_point : callable, optional
        Called with each :class:`FrontPoint` as it finishes (progress).

    Returns
    -------
    pandas.DataFrame
        One row per budget, in increasing budget: ``point``, ``budget_usd`` [USD], ``status``,
        ``capex_usd`` (new capital spent, at most the budget) [USD], ``npc_usd`` [USD],
        ``convoys_per_year``, ``expected_casualties_per_year``, ``trucks_per_year``,
        ``fuel_l_per_year`` [L/yr], ``renewable_fraction``, ``co2_t_per_year`` [t/yr],
        ``mip_gap``, ``runtime_s`` [s], then the sizes (``pv_kwp``, ``battery_kwh``,
        ``battery_kw``, ``diesel_<unit>_count``, ``diesel_<unit>_new_count``,
        ``fuel_tank_l`` ...). A budget without a design has NaN figures and says why in
        ``status``.

    Examples
    --------
    >>> front = eo.capex_front("examples/kidal.yaml", points=5)   # doctest: +SKIP
    >>> front[["budget_usd", "capex_usd", "npc_usd", "convoys_per_year"]]  # doctest: +SKIP
    """
    return front_table(front_points(scenario, budgets, points, executor=executor,
                                    workers=workers, on_point=on_point))


# --------------------------------------------------------------------------------------------
# Build-out over several years
# --------------------------------------------------------------------------------------------
def with_existing(scenario: Scenario, sizes: Mapping[str, float]) -> Scenario:
    """Return ``scenario`` with a design's kit as the existing kit (free, already installed).

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    sizes : mapping
        A design's sizes (``SizingResult.sizes``): ``pv_kwp`` [kWp], ``battery_kwh`` [kWh],
        ``battery_kw`` [kW], ``diesel_<unit>_count`` [-], ``fuel_tank_l`` [L].

    Returns
    -------
    Scenario
        With ``solar.existing_kwp``, ``battery.existing_kwh`` and ``existing_kw``, each diesel
        unit's ``existing`` and ``fuel.inventory.existing_tank_l`` set to the sizes (within the
        scenario's bounds: a solver's tolerance never makes an existing size exceed its
        maximum).
    """
    sol, bat = scenario.solar, scenario.battery
    over: dict[str, Any] = {}
    if "pv_kwp" in sizes:
        over["solar.existing_kwp"] = float(min(max(sizes["pv_kwp"], sol.existing_kwp),
                                               sol.max_kwp))
    if "battery_kwh" in sizes:
        kwh = float(min(max(sizes["battery_kwh"], bat.existing_kwh), bat.max_kwh))
        kw = float(max(sizes.get("battery_kw", 0.0), bat.existing_kw))
        kw = min(kw, bat.max_power_to_energy_per_h * kwh)
        if bat.max_kw is not None:
            kw = min(kw, bat.max_kw)
        over["battery.existing_kwh"] = kwh
        over["battery.existing_kw"] = kw
    for unit in scenario.diesel.units:
        key = f"diesel_{unit.name}_count"
        if key in sizes:
            count = int(round(float(sizes[key])))
            over[f"diesel.units.{unit.name}.existing"] = min(max(count, unit.existing),
                                                             unit.max_count)
    inv = scenario.fuel.inventory
    if inv is not None and "fuel_tank_l" in sizes:
        over["fuel.inventory.existing_tank_l"] = float(min(max(sizes["fuel_tank_l"],
                                                               inv.existing_tank_l),
                                                           inv.max_tank_l))
    return scenario.with_overrides(over)


def _installed(before: Scenario, sizes: Mapping[str, float]) -> dict[str, float]:
    """Return the new kit of a design over what ``before`` had [result units]."""
    out = {"new_pv_kwp": float(sizes.get("pv_kwp", 0.0)) - before.solar.existing_kwp,
           "new_battery_kwh": float(sizes.get("battery_kwh", 0.0)) - before.battery.existing_kwh,
           "new_battery_kw": float(sizes.get("battery_kw", 0.0)) - before.battery.existing_kw}
    for unit in before.diesel.units:
        key = f"diesel_{unit.name}_count"
        out[f"new_diesel_{unit.name}_count"] = float(sizes.get(key, unit.existing)) - (
            unit.existing)
    inv = before.fuel.inventory
    if inv is not None:
        out["new_fuel_tank_l"] = float(sizes.get("fuel_tank_l", 0.0)) - inv.existing_tank_l
    return {k: max(v, 0.0) for k, v in out.items()}


def build_out(scenario: Scenario | str | Path | Mapping[str, Any],
              capex_usd_per_year: Sequence[float] | None = None, *,
              on_year: Callable[[dict[str, Any]], None] | None = None) -> pd.DataFrame:
    """Plan what to install in each year under each year's capital budget (myopic, rolling).

    Year 1 is the least-cost design under budget 1 with the camp's existing kit; year ``k``
    starts from year ``k - 1``'s kit as existing, under budget ``k``, over the years left of
    the horizon. See the module notes for why a myopic plan is defensible.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The camp.
    capex_usd_per_year : sequence of float, optional
        Budget of each year [USD], year 1 first; default the scenario's
        ``budget.capex_usd_per_year``.
    on_year : callable, optional
        Called with each year's row as it is planned.

    Returns
    -------
    pandas.DataFrame
        One row per year: ``year``, ``budget_usd``, ``capex_usd`` (spent that year) [USD],
        ``cumulative_capex_usd`` [USD], ``status``, what is installed that year
        (``new_pv_kwp``, ``new_battery_kwh``, ``new_battery_kw``, ``new_diesel_<unit>_count``,
        ``new_fuel_tank_l``), the kit after it (``pv_kwp``, ``battery_kwh``, ``battery_kw``,
        ``diesel_<unit>_count``, ``fuel_tank_l``), and its operation from then on
        (``convoys_per_year``, ``expected_casualties_per_year``, ``fuel_l_per_year``,
        ``renewable_fraction``) and ``npc_usd`` (net present cost of the years left, seen
        from that year) [USD].

    Raises
    ------
    ScenarioError
        Without budgets, or with a negative one.
    InfeasibleScenarioError, SolverError
        When a year has no design (the existing kit cannot carry the load and the year's
        budget cannot fix it).
    """
    scenario = load_scenario(scenario)
    if capex_usd_per_year is None:
        spec = scenario.budget
        if spec is None or spec.capex_usd_per_year is None:
            raise ScenarioError.single(
                "budget.capex_usd_per_year", None, "a build-out needs one budget per year: "
                "give budget.capex_usd_per_year in the scenario or capex_usd_per_year=[...]")
        capex_usd_per_year = spec.capex_usd_per_year
    yearly = [float(b) for b in capex_usd_per_year]
    bad = [b for b in yearly if not math.isfinite(b) or b < 0.0]
    if bad or not yearly:
        raise ScenarioError.single("capex_usd_per_year", list(capex_usd_per_year),
                                   "give one budget per year in USD, each finite and at least 0")
    years_total = scenario.horizon.years
    current = with_budget(scenario, None)
    rows: list[dict[str, Any]] = []
    spent_total = 0.0
    for k, budget in enumerate(yearly, start=1):
        years_left = max(years_total - (k - 1), 1)
        year_scenario = with_budget(current.with_overrides({"horizon.years": years_left}),
                                    budget)
        result = optimize(year_scenario, baseline=False)
        sizes = result.sizes
        spent = float(result.kpis["capex_usd"])
        spent_total += spent
        row: dict[str, Any] = {"year": k, "budget_usd": budget, "capex_usd": spent,
                               "cumulative_capex_usd": spent_total, "status": _status(result),
                               "years_left": years_left}
        row.update(_installed(current, {str(k2): float(v) for k2, v in sizes.items()}))
        for name, value in sizes.items():
            if not str(name).endswith("_new_count"):
                row[str(name)] = float(value)
        for key in ("convoys_per_year", "expected_casualties_per_year", "fuel_l_per_year",
                    "renewable_fraction", "npc_usd"):
            row[key] = float(result.kpis[key])
        rows.append(row)
        if on_year is not None:
            on_year(row)
        current = with_existing(current, {str(k2): float(v) for k2, v in sizes.items()})
    return pd.DataFrame(rows)
