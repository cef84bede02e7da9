"""Mission portfolios: which camps get capital first, across a mission, under its budget.

A mission file (YAML) lists the mission's camps and its capital budget::

    name: MINUSMA 2025 energy investment
    capex_usd: 6000000                 # the mission's capital budget [USD]
    capex_usd_per_year: [3e6, 3e6]     # optional: the budget of each year
    rank_by: convoys                   # or casualties
    points: 5                          # budgets on each camp's capex front
    template: ../gao.yaml              # scenario that camps given by site start from
    overrides: {horizon.days: 14}      # for every camp (dotted paths, like --set)
    camps:
      - {name: Gao, scenario: ../gao.yaml}
      - {name: Timbuktu, site: timbuktu, archetype: sector_hq, personnel: 1800,
         overrides: {diesel.units.g400.existing: 6}}

Each camp is a scenario file (relative to the mission file) or a bundled site
(``data/sites.csv``) with its size (``archetype``, ``personnel`` and optional ``load`` fields,
as the scenario's ``load:`` takes them) on a copy of the ``template`` scenario (fleet, costs,
fuel); then the mission's ``overrides`` and the camp's own apply. Every problem of the file or
of a camp's scenario is reported at once as a :class:`~energyopt.errors.ScenarioError` naming
its field (``camps.2.personnel``, ``camps.0.scenario:load.personnel``), before any solve.

How the investments are ranked
------------------------------
1. Each camp's capex front (:func:`energyopt.studies.budget.front_points`) is solved, every
   budget of every camp as one task of :func:`~energyopt.studies.executor.run_tasks` (first
   the unconstrained designs, then the budgets between zero and their capital), so two cores
   or a dask cluster share the whole mission.
2. A camp's **steps** are the edges of the lower convex hull of its front in the plane
   (capital spent, convoys a year), starting at the budget-zero design (the existing kit) and
   keeping only points that avoid more convoys (with ``rank_by: casualties``, expected
   casualties a year). Along the hull each step costs more per convoy avoided than the one
   before, so taking a camp's steps in order is also taking its cheapest convoys first; a
   front point above the hull is never worth stopping at (going on to the next hull point
   avoids convoys more cheaply).
3. The steps of all camps are merged in increasing USD per convoy avoided (per expected
   casualty avoided), which keeps each camp's steps in order, and funded down the list while
   the mission budget lasts. The first step that no longer fits is funded **in part**: its
   camp is solved once more under its capital before the step plus what is left of the
   budget (column ``partial``; its figures are that design's), and the list stops there.
   This is the greedy rule of the fractional knapsack, optimal for convex fronts: each
   dollar goes where it avoids most, down to the last one. (:func:`rank_steps` with
   ``after_misfit="skip"`` instead leaves a misfit step and its camp's later steps unfunded
   and goes on down the list with the other camps, the 0/1 greedy.)
4. With ``capex_usd_per_year`` a funded step goes to the first year whose cumulative budget
   covers the cumulative capital up to it (unspent budget carries over to the next year).

Each step's figures come from the camp's front at the start (kit installed in year 1); a step
funded in a later year saves the same convoys a year from then on. ``npc_change_usd`` is the
change of the camp's net present cost (negative: a saving); the ranking is by risk avoided,
not by cost, because the budget, not the lifetime cost, is what binds.
"""

from __future__ import annotations

import heapq
import logging
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Self

import numpy as np
import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from energyopt.errors import Problem, ScenarioError
from energyopt.safeyaml import check_data, load_text, read_scenario_text
from energyopt.scenario import ARCHETYPES, Scenario, _lookup, load_scenario
from energyopt.studies.budget import FrontPoint, _point_of, _repair, _solve_point, front_table
from energyopt.studies.executor import TaskResult, run_tasks

__all__ = ["RANK_METRICS", "CampEntry", "MissionPlan", "MissionResult", "load_mission",
           "mission", "rank_steps"]

log = logging.getLogger(__name__)

#: What a step is ranked by: ``rank_by`` -> the front's KPI whose reduction is bought.
RANK_METRICS = {"convoys": "convoys_per_year", "casualties": "expected_casualties_per_year"}

#: Columns of the ranked table, in order.
RANK_COLUMNS = ("rank", "camp", "step", "funded", "partial", "year", "capex_usd",
                "cumulative_capex_usd",
                "convoys_avoided_per_year", "casualties_avoided_per_year",
                "usd_per_convoy_avoided", "usd_per_casualty_avoided", "npc_change_usd",
                "budget_usd", "pv_kwp", "battery_kwh", "battery_kw")


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class CampEntry(_Entry):
    """One camp of a mission: a scenario file, or a bundled site with its size."""

    name: str = Field(min_length=1, description="Camp name, unique in the mission.")
    scenario: Path | None = Field(None, description="Scenario file (relative to the mission "
                                  "file).")
    site: str | None = Field(None, description="Bundled site key (data/sites.csv).")
    archetype: Literal["team_site", "company_base", "battalion_hq", "sector_hq",
                       "mission_hq"] | None = Field(None, description="Camp archetype of a "
                                                    "site camp.")
    personnel: int | None = Field(None, ge=1, le=100_000, description="People in a site camp "
                                  "[-].")
    load: dict[str, Any] = Field(default_factory=dict, description="More load fields of a "
                                 "site camp (components, critical_fraction ...).")
    template: Path | None = Field(None, description="Scenario a site camp starts from "
                                  "(default: the mission's template).")
    overrides: dict[str, Any] = Field(default_factory=dict, description="Dotted-path "
                                      "overrides of this camp, after the mission's.")

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.scenario is None) == (self.site is None):
            raise ValueError("give exactly one of 'scenario' (a scenario file) or 'site' (a "
                             "bundled site with archetype and personnel)")
        if self.site is not None and (self.archetype is None or self.personnel is None):
            missing = [k for k in ("archetype", "personnel") if getattr(self, k) is None]
            raise ValueError(f"a camp given by site needs {' and '.join(missing)} (e.g. "
                             f"archetype: sector_hq, personnel: 1800; archetypes: "
                             f"{', '.join(ARCHETYPES)})")
        if self.scenario is not None and (self.archetype is not None or self.personnel
                                          is not None or self.load or self.template):
            raise ValueError("archetype, personnel, load and template describe a camp given "
                             "by site; a scenario camp changes its file with overrides")
        return self


class MissionPlan(_Entry):
    """A mission file: its camps, its capital budget and how investments are ranked."""

    name: str = Field("mission", min_length=1, description="Mission name.")
    description: str = Field("", description="Free text.")
    capex_usd: float | None = Field(None, ge=0.0, le=1e12, description="Capital budget of the "
                                    "mission on new equipment [USD].")
    capex_usd_per_year: list[float] | None = Field(
        None, min_length=1, max_length=40, description="Capital budget of each year, year 1 "
        "first [USD/yr].")
    rank_by: Literal["convoys", "casualties"] = Field(
        "convoys", description="Rank steps by USD per convoy avoided or per expected "
        "casualty avoided.")
    points: int = Field(5, ge=2, le=20, description="Budgets on each camp's capex front [-].")
    template: Path | None = Field(None, description="Scenario that camps given by site start "
                                  "from (relative to the mission file).")
    overrides: dict[str, Any] = Field(default_factory=dict, description="Dotted-path "
                                      "overrides applied to every camp.")
    camps: list[CampEntry] = Field(min_length=1, description="The mission's camps.")

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.capex_usd is None and self.capex_usd_per_year is None:
            raise ValueError("give the mission's capital budget: capex_usd (USD) and/or "
                             "capex_usd_per_year (one budget per year)")
        if self.capex_usd_per_year is not None and any(
                not math.isfinite(b) or b < 0.0 for b in self.capex_usd_per_year):
            raise ValueError("capex_usd_per_year: give each year's budget in USD, at least 0")
        return self

    @field_validator("camps")
    @classmethod
    def _unique(cls, camps: list[CampEntry]) -> list[CampEntry]:
        names = [c.name for c in camps]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"camp names must be unique; repeated: {dup}")
        return camps

    @property
    def total_capex_usd(self) -> float:
        """The mission's budget: ``capex_usd``, at most the sum of the yearly budgets [USD]."""
        total = math.inf if self.capex_usd is None else self.capex_usd
        if self.capex_usd_per_year is not None:
            total = min(total, float(sum(self.capex_usd_per_year)))
        return float(total)


def _problems(exc: ValidationError, raw: Mapping[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and "[" in p)]
        path = ".".join(str(p) for p in loc)
        if not path:  # the plan's own checks: name the field they are about
            path = "capex_usd" if "capital budget" in str(err["msg"]) else "mission"
        value = _lookup(raw, tuple(loc))
        message = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            model = CampEntry if "camps" in (str(p) for p in loc[:1]) and len(loc) > 2 \
                else MissionPlan
            message = f"unknown key; known keys: {', '.join(model.model_fields)}"
        elif err["type"] == "missing":
            message = "required field is missing; add it (examples/minusma/mission.yaml " \
                      "shows each field)"
            value = None
        out.append(Problem(path, value, message))
    return out


def _prefixed(prefix: str, exc: ScenarioError) -> list[Problem]:
    return [Problem(f"{prefix}:{p.field}" if p.field else prefix, p.value, p.message)
            for p in exc.problems]


def load_mission(source: str | Path | Mapping[str, Any] | MissionPlan
                 ) -> tuple[MissionPlan, list[Scenario]]:
    """Read and validate a mission and build every camp's scenario.

    Parameters
    ----------
    source : str, Path, mapping or MissionPlan
        A mission YAML file, a dict of one (relative paths start at the working directory)
        or a :class:`MissionPlan`.

    Returns
    -------
    tuple
        The plan and one validated :class:`~energyopt.scenario.Scenario` per camp, named after
        the camp, with the mission's and the camp's overrides applied.

    Raises
    ------
    ScenarioError
        Listing every problem of the file and of the camps' scenarios, each with its field
        path (``camps.2.personnel``; a camp scenario's own field after a colon,
        ``camps.0.scenario:fuel.route_km``), value and fix.
    """
    where: str | None = None
    if isinstance(source, MissionPlan):
        plan, base = source, Path.cwd()
    else:
        if isinstance(source, Mapping):
            check_data(source, where="mission")
            raw: Any = dict(source)
            base = Path.cwd()
        else:
            path = Path(source).expanduser()
            where = str(path)
            if not path.is_file():
                raise ScenarioError.single("mission", str(path), "file not found; give the "
                                           "mission YAML file (see examples/minusma/)")
            try:
                text = read_scenario_text(path.read_bytes(), where)
            except OSError as exc:
                raise ScenarioError.single("mission", where, f"cannot read the file "
                                           f"({exc.strerror or exc})") from None
            raw = load_text(text, where, where="mission")
            base = path.resolve().parent
        if not isinstance(raw, Mapping):
            raise ScenarioError.single("mission", type(raw).__name__, "a mission file holds a "
                                       "mapping (name, capex_usd, camps ...)", where)
        try:
            plan = MissionPlan.model_validate(raw)
        except ValidationError as exc:
            raise ScenarioError(_problems(exc, raw), where) from None
    problems: list[Problem] = []
    scenarios: list[Scenario] = []
    for i, camp in enumerate(plan.camps):
        try:
            scenarios.append(_camp_scenario(plan, i, camp, base))
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems, where)
    return plan, scenarios


def _resolve(base: Path, path: Path) -> Path:
    path = Path(path).expanduser()
    return path if path.is_absolute() else base / path


def _camp_scenario(plan: MissionPlan, i: int, camp: CampEntry, base: Path) -> Scenario:
    here = f"camps.{i}"
    if camp.scenario is not None:
        try:
            scenario = load_scenario(_resolve(base, camp.scenario))
        except ScenarioError as exc:
            raise ScenarioError(_prefixed(f"{here}.scenario", exc)) from None
    else:
        template = camp.template if camp.template is not None else plan.template
        field_name = f"{here}.template" if camp.template is not None else "template"
        if template is None:
            raise ScenarioError.single(
                f"{here}.template", None, "a camp given by site needs a template scenario for "
                "its fleet, costs and fuel: give template: path.yaml in the mission or the "
                "camp (e.g. ../gao.yaml), and set the fleet with overrides")
        try:
            scenario = load_scenario(_resolve(base, template))
        except ScenarioError as exc:
            raise ScenarioError(_prefixed(field_name, exc)) from None
        load = {"archetype": camp.archetype, "personnel": camp.personnel, **camp.load}
        try:
            scenario = scenario.with_overrides({"site": camp.site, "load": load,
                                                "description": ""})
        except ScenarioError as exc:
            raise ScenarioError([Problem(_camp_field(here, p.field), p.value, p.message)
                                 for p in exc.problems]) from None
    try:
        scenario = scenario.with_overrides({"name": camp.name, **plan.overrides})
    except ScenarioError as exc:
        raise ScenarioError([Problem(f"overrides.{p.field}" if p.field != "name" else
                                     f"{here}.name", p.value, f"{p.message} (camp "
                                     f"{camp.name})") for p in exc.problems]) from None
    if camp.overrides:
        try:
            scenario = scenario.with_overrides(camp.overrides)
        except ScenarioError as exc:
            raise ScenarioError([Problem(f"{here}.overrides.{p.field}", p.value, p.message)
                                 for p in exc.problems]) from None
    return scenario


def _camp_field(here: str, inner: str) -> str:
    """Map a field of a site camp's scenario back to the camp's own field."""
    if inner == "site":
        return f"{here}.site"
    if inner.startswith("load."):
        key = inner.split(".", 1)[1]
        if key in ("archetype", "personnel"):
            return f"{here}.{key}"
        return f"{here}.load.{key}"
    if inner == "load":
        return f"{here}.load"
    return f"{here}:{inner}"


# --------------------------------------------------------------------------------------------
# Steps and ranking
# --------------------------------------------------------------------------------------------
def hull_steps(front: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Return the steps of one camp's front: the edges of its lower convex hull.

    Parameters
    ----------
    front : pandas.DataFrame
        The camp's capex front (:func:`energyopt.capex_front`): ``capex_usd``, ``npc_usd``,
        ``convoys_per_year``, ``expected_casualties_per_year`` and the sizes, one row per
        budget.
    metric : str
        The front's column whose reduction is bought (``convoys_per_year`` ...).

    Returns
    -------
    pandas.DataFrame
        One row per step, in order: ``step`` (1, 2 ...), ``capex_usd`` (capital of the step)
        [USD], ``convoys_avoided_per_year``, ``casualties_avoided_per_year``, ``npc_change_usd``
        [USD], the budget and the sizes of the design the step ends at, and the design it
        starts from: ``start_capex_usd`` [USD], ``start_convoys_per_year``,
        ``start_casualties_per_year``, ``start_npc_usd`` [USD]. Empty when no point avoids any
        of the metric.
    """
    ok = front.dropna(subset=["capex_usd", metric]).sort_values(["capex_usd", "budget_usd"])
    columns = ["step", "capex_usd", "convoys_avoided_per_year", "casualties_avoided_per_year",
               "npc_change_usd", "budget_usd", "pv_kwp", "battery_kwh", "battery_kw",
               "start_capex_usd", "start_convoys_per_year", "start_casualties_per_year",
               "start_npc_usd"]
    if ok.empty:
        return pd.DataFrame(columns=columns)
    x = ok["capex_usd"].to_numpy(dtype=float)
    y = ok[metric].to_numpy(dtype=float)
    i = 0
    chain = [0]
    while True:
        best_j, best_rate = -1, -math.inf
        for j in range(i + 1, len(x)):
            gain = y[i] - y[j]
            if gain <= 1e-12 * max(abs(y[i]), 1.0):
                continue
            dx = max(x[j] - x[i], 0.0)
            rate = math.inf if dx <= 0.0 else gain / dx
            # the steepest drop per USD; on a tie the farther point (one larger step)
            if rate > best_rate * (1.0 + 1e-12) or (
                    best_j >= 0 and rate >= best_rate * (1.0 - 1e-12) and x[j] > x[best_j]):
                best_j, best_rate = j, rate
        if best_j < 0:
            break
        chain.append(best_j)
        i = best_j
    rows = []
    for k, (a, b) in enumerate(zip(chain, chain[1:], strict=False), start=1):
        ra, rb = ok.iloc[a], ok.iloc[b]
        rows.append({
            "step": k,
            "capex_usd": float(rb["capex_usd"] - ra["capex_usd"]),
            "convoys_avoided_per_year": float(ra["convoys_per_year"] - rb["convoys_per_year"]),
            "casualties_avoided_per_year": float(ra["expected_casualties_per_year"]
                                                 - rb["expected_casualties_per_year"]),
            "npc_change_usd": float(rb["npc_usd"] - ra["npc_usd"]),
            "budget_usd": float(rb["budget_usd"]),
            **{s: float(rb[s]) if s in rb.index else 0.0
               for s in ("pv_kwp", "battery_kwh", "battery_kw")},
            "start_capex_usd": float(ra["capex_usd"]),
            "start_convoys_per_year": float(ra["convoys_per_year"]),
            "start_casualties_per_year": float(ra["expected_casualties_per_year"]),
            "start_npc_usd": float(ra["npc_usd"]),
        })
    return pd.DataFrame(rows, columns=columns)


def rank_steps(steps: Mapping[str, pd.DataFrame], budget_usd: float, *,
               rank_by: str = "convoys",
               capex_usd_per_year: list[float] | None = None,
               after_misfit: str = "skip") -> pd.DataFrame:
    """Merge the camps' steps by cost per unit of risk avoided and fund them down the list.

    Parameters
    ----------
    steps : mapping of str to pandas.DataFrame
        Camp name -> its steps (:func:`hull_steps`), in the camp's order. The camps' order
        breaks ties.
    budget_usd : float
        The mission's capital budget [USD].
    rank_by : str
        ``convoys`` (USD per convoy avoided) or ``casualties`` (USD per expected casualty
        avoided).
    capex_usd_per_year : list of float, optional
        Budgets per year: a funded step goes to the first year whose cumulative budget covers
        the cumulative capital up to it.
    after_misfit : str
        ``skip``: a step that does not fit leaves its camp's later steps unfunded, and the
        list goes on with the other camps' (a 0/1 greedy); ``stop``: nothing after the first
        step that does not fit is funded (:func:`mission` then funds that step in part with
        what is left, the fractional greedy).

    Returns
    -------
    pandas.DataFrame
        One row per step of every camp, in ranked order (see the module notes): ``rank``,
        ``camp``, ``step``, ``funded``, ``year`` (NaN without yearly budgets or when not
        funded), ``capex_usd``, ``cumulative_capex_usd`` (of the funded steps up to this one;
        NaN when not funded) [USD], ``convoys_avoided_per_year``,
        ``casualties_avoided_per_year``, ``usd_per_convoy_avoided``,
        ``usd_per_casualty_avoided``, ``npc_change_usd`` [USD], and the budget and sizes of
        the camp's design after the step.

    Raises
    ------
    ValueError
        For an unknown ``rank_by``.
    """
    if rank_by not in RANK_METRICS:
        raise ValueError(f"rank_by={rank_by!r}: use one of {list(RANK_METRICS)}")
    if after_misfit not in ("skip", "stop"):
        raise ValueError(f"after_misfit={after_misfit!r}: use 'skip' or 'stop'")
    avoided = ("convoys_avoided_per_year" if rank_by == "convoys"
               else "casualties_avoided_per_year")
    heap: list[tuple[float, int, int]] = []
    order = list(steps)
    for ci, camp in enumerate(order):
        if len(steps[camp]):
            heapq.heappush(heap, (_ratio(steps[camp].iloc[0], avoided), ci, 0))
    merged: list[tuple[str, pd.Series]] = []
    while heap:
        _, ci, k = heapq.heappop(heap)
        camp = order[ci]
        merged.append((camp, steps[camp].iloc[k]))
        if k + 1 < len(steps[camp]):
            heapq.heappush(heap, (_ratio(steps[camp].iloc[k + 1], avoided), ci, k + 1))
    cumulative_years = (None if capex_usd_per_year is None
                        else np.cumsum(np.asarray(capex_usd_per_year, dtype=float)))
    spent = 0.0
    blocked: set[str] = set()
    rows = []
    for rank, (camp, st) in enumerate(merged, start=1):
        capex = float(st["capex_usd"])
        fits = camp not in blocked and spent + capex <= budget_usd * (1.0 + 1e-9) + 1e-6
        year = math.nan
        if fits and cumulative_years is not None:
            covered = np.flatnonzero(cumulative_years * (1.0 + 1e-9) + 1e-6 >= spent + capex)
            fits = covered.size > 0
            year = float(covered[0] + 1) if fits else math.nan
        if fits:
            spent += capex
        else:
            blocked.update(order if after_misfit == "stop" else (camp,))
        conv = float(st["convoys_avoided_per_year"])
        cas = float(st["casualties_avoided_per_year"])
        rows.append({
            "rank": rank, "camp": camp, "step": int(st["step"]), "funded": fits,
            "partial": False, "year": year,
            "capex_usd": capex, "cumulative_capex_usd": spent if fits else math.nan,
            "convoys_avoided_per_year": conv, "casualties_avoided_per_year": cas,
            "usd_per_convoy_avoided": capex / conv if conv > 0 else math.nan,
            "usd_per_casualty_avoided": capex / cas if cas > 0 else math.nan,
            "npc_change_usd": float(st["npc_change_usd"]),
            "budget_usd": float(st["budget_usd"]),
            "pv_kwp": float(st["pv_kwp"]), "battery_kwh": float(st["battery_kwh"]),
            "battery_kw": float(st["battery_kw"]),
        })
    return pd.DataFrame(rows, columns=list(RANK_COLUMNS))


def _ratio(step: pd.Series, avoided: str) -> float:
    gain = float(step[avoided])
    return float(step["capex_usd"]) / gain if gain > 0 else math.inf


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------
@dataclass
class MissionResult:
    """A mission's ranked investments, its camps' fronts and their summary.

    Attributes
    ----------
    name : str
        The mission.
    budget_usd : float
        The mission's capital budget [USD].
    rank_by : str
        ``convoys`` or ``casualties``.
    ranked : pandas.DataFrame
        Every step of every camp in ranked order (:func:`rank_steps`), ``funded`` marking
        those the budget buys.
    camps : pandas.DataFrame
        One row per camp: its convoys, casualties and net present cost with the existing kit
        (``*_existing``) and after its funded steps (``*_funded``), the capital it gets, the
        unconstrained design's capital and convoys, and the sizes of its funded design.
    fronts : dict of str to pandas.DataFrame
        Each camp's capex front (:func:`energyopt.capex_front`).
    notes : list of str
        Camps that could not be ranked and why (a failed or infeasible budget).
    capex_usd_per_year : list of float or None
        Yearly budgets [USD].
    """

    name: str
    budget_usd: float
    rank_by: str
    ranked: pd.DataFrame
    camps: pd.DataFrame
    fronts: dict[str, pd.DataFrame]
    notes: list[str] = field(default_factory=list)
    capex_usd_per_year: list[float] | None = None

    @property
    def funded(self) -> pd.DataFrame:
        """The funded steps, in ranked order."""
        return self.ranked[self.ranked["funded"]]

    def fronts_table(self) -> pd.DataFrame:
        """All camps' fronts in one table, with a ``camp`` column first."""
        return pd.concat([f.assign(camp=name)[["camp", *f.columns]]
                          for name, f in self.fronts.items()], ignore_index=True)

    def chart_svg(self) -> str:
        """Cumulative convoys (or casualties) avoided against capital, as inline SVG text."""
        from energyopt.report.figures import _svg

        fig = mission_figure(self.funded, self.ranked, self.budget_usd, self.rank_by)
        return _svg(fig, f"{self.name}: risk avoided against capital")

    def write(self, folder: str | Path) -> list[Path]:
        """Write the tables and the chart to ``folder``; return their paths.

        The files: ``mission_ranked.csv``, ``mission_camps.csv``, ``mission_fronts.csv`` and
        ``mission_chart.svg``.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / "mission_ranked.csv", folder / "mission_camps.csv",
                 folder / "mission_fronts.csv", folder / "mission_chart.svg"]
        self.ranked.to_csv(paths[0], index=False)
        self.camps.to_csv(paths[1], index=False)
        self.fronts_table().to_csv(paths[2], index=False)
        import matplotlib.pyplot as plt

        fig = mission_figure(self.funded, self.ranked, self.budget_usd, self.rank_by)
        fig.savefig(paths[3], format="svg", bbox_inches="tight", metadata={"Date": None})
        plt.close(fig)
        return paths


def mission(source: str | Path | Mapping[str, Any] | MissionPlan, *,
            rank_by: str | None = None, executor: Any = None, workers: int | None = None,
            on_point: Callable[[str, FrontPoint], None] | None = None) -> MissionResult:
    """Size every camp's capex front in parallel and rank investments across the mission.

    Parameters
    ----------
    source : str, Path, mapping or MissionPlan
        The mission file (see the module notes) or its content.
    rank_by : str, optional
        ``convoys`` (USD per convoy avoided) or ``casualties`` (USD per expected casualty
        avoided); default the file's ``rank_by``.
    executor, workers
        Where the budgets run (:func:`energyopt.studies.executor.run_tasks`): a local process
        pool of ``workers`` processes by default, a dask client or a scheduler address.
    on_point : callable, optional
        ``on_point(camp, point)`` as each budget of each camp finishes (progress).

    Returns
    -------
    MissionResult

    Raises
    ------
    ScenarioError
        For a bad mission file or camp, naming the field, before any solve.
    """
    plan, scenarios = load_mission(source)
    rank_by = plan.rank_by if rank_by is None else rank_by
    if rank_by not in RANK_METRICS:
        raise ScenarioError.single("rank_by", rank_by, f"use one of {list(RANK_METRICS)}")
    metric = RANK_METRICS[rank_by]
    names = [c.name for c in plan.camps]

    def report(tasks: list[tuple[int, float | None]]) -> Callable[[int, TaskResult], None]:
        def call(index: int, res: TaskResult) -> None:
            ci, budget = tasks[index]
            if on_point is not None:
                on_point(names[ci], _point_of(math.inf if budget is None else budget, res))
        return call

    # 1. the unconstrained design of every camp (its capital ends its front)
    first: list[tuple[int, float | None]] = [(ci, None) for ci in range(len(scenarios))]
    tops = run_tasks(_solve_point, [(scenarios[ci], b) for ci, b in first], executor=executor,
                     workers=workers, on_result=report(first))
    notes: list[str] = []
    points: dict[int, list[FrontPoint]] = {}
    second: list[tuple[int, float | None]] = []
    for ci, res in enumerate(tops):
        if not res.ok:
            notes.append(f"{names[ci]}: no design without a budget ({res.error}); left out "
                         "of the ranking")
            continue
        top = res.value
        capex_max = max(float(top.kpis["capex_usd"]), 0.0)
        points[ci] = [FrontPoint(capex_max, top, _point_of(capex_max, res).status)]
        if capex_max > 0.0:
            second += [(ci, float(b)) for b in np.linspace(0.0, capex_max, plan.points)[:-1]]
    # 2. every other budget of every camp, in one pool
    rest = run_tasks(_solve_point, [(scenarios[ci], b) for ci, b in second], executor=executor,
                     workers=workers, on_result=report(second))
    for (ci, budget), res in zip(second, rest, strict=True):
        assert budget is not None
        points[ci].insert(len(points[ci]) - 1, _point_of(budget, res))
    fronts: dict[str, pd.DataFrame] = {}
    steps: dict[str, pd.DataFrame] = {}
    for ci, pts in points.items():
        pts.sort(key=lambda pt: pt.budget_usd)
        _repair(pts)
        front = front_table(pts)
        fronts[names[ci]] = front
        failed = front[front["npc_usd"].isna()] if "npc_usd" in front else front
        for _, row in failed.iterrows():
            notes.append(f"{names[ci]}: budget {row['budget_usd']:,.0f} USD has no design "
                         f"({row['status']})")
        if pd.isna(front["npc_usd"].iloc[0]):
            notes.append(f"{names[ci]}: its existing kit has no design (budget 0); its steps "
                         "start from the least budget with one, whose capital is not ranked")
        steps[names[ci]] = hull_steps(front, metric)
    budget = plan.total_capex_usd
    ranked = rank_steps(steps, budget, rank_by=rank_by,
                        capex_usd_per_year=plan.capex_usd_per_year, after_misfit="stop")
    ranked = _fund_partial(ranked, steps, budget, plan, scenarios, names, executor, notes,
                           rank_by)
    camps = _camp_summary(fronts, ranked, names)
    return MissionResult(name=plan.name, budget_usd=budget, rank_by=rank_by, ranked=ranked,
                         camps=camps, fronts=fronts, notes=notes,
                         capex_usd_per_year=plan.capex_usd_per_year)


#: Least capital left [USD] (and share of the budget) worth a partial step's solve.
_PARTIAL_MIN_USD = 1000.0
_PARTIAL_MIN_SHARE = 1e-3


def _fund_partial(ranked: pd.DataFrame, steps: Mapping[str, pd.DataFrame], budget: float,
                  plan: MissionPlan, scenarios: list[Scenario], names: list[str],
                  executor: Any, notes: list[str], rank_by: str) -> pd.DataFrame:
    """Fund the first step that does not fit with the capital left (one more solve).

    The camp is solved again under its capital before the step plus what is left of the
    mission budget; the row then holds that design's figures, ``partial`` True.
    """
    unfunded = ranked.index[~ranked["funded"]]
    if len(unfunded) == 0:
        return ranked
    k = int(unfunded[0])
    spent = float(ranked.loc[ranked["funded"], "capex_usd"].sum())
    left = budget - spent
    if left < max(_PARTIAL_MIN_USD, _PARTIAL_MIN_SHARE * budget):
        return ranked
    camp = str(ranked["camp"].to_numpy()[k])
    number = int(ranked["step"].to_numpy()[k])
    st = steps[camp][steps[camp]["step"] == number].iloc[0]
    start = float(st["start_capex_usd"])
    ci = names.index(camp)
    res = run_tasks(_solve_point, [(scenarios[ci], start + left)], executor=executor,
                    workers=1)[0]
    if not res.ok:
        notes.append(f"{camp}: the capital left ({left:,.0f} USD) bought no partial step "
                     f"({res.error})")
        return ranked
    result = res.value
    kpis = result.kpis
    capex = max(float(kpis["capex_usd"]) - start, 0.0)
    conv = float(st["start_convoys_per_year"]) - float(kpis["convoys_per_year"])
    cas = float(st["start_casualties_per_year"]) - float(kpis["expected_casualties_per_year"])
    avoided = conv if rank_by == "convoys" else cas
    if capex <= 0.0 or avoided <= 0.0:
        return ranked
    out = ranked.copy()
    year = math.nan
    if plan.capex_usd_per_year is not None:
        year = float(len(plan.capex_usd_per_year))
        cumulative = np.cumsum(np.asarray(plan.capex_usd_per_year, dtype=float))
        covered = np.flatnonzero(cumulative * (1.0 + 1e-9) + 1e-6 >= spent + capex)
        if covered.size:
            year = float(covered[0] + 1)
    sizes = result.sizes
    out.loc[k, ["funded", "partial", "year", "capex_usd", "cumulative_capex_usd",
                "convoys_avoided_per_year", "casualties_avoided_per_year",
                "usd_per_convoy_avoided", "usd_per_casualty_avoided", "npc_change_usd",
                "budget_usd", "pv_kwp", "battery_kwh", "battery_kw"]] = [
        True, True, year, capex, spent + capex, conv, cas,
        capex / conv if conv > 0 else math.nan, capex / cas if cas > 0 else math.nan,
        float(kpis["npc_usd"]) - float(st["start_npc_usd"]), start + left,
        *(float(sizes[n]) if n in sizes.index else 0.0
          for n in ("pv_kwp", "battery_kwh", "battery_kw"))]
    return out


def _camp_summary(fronts: Mapping[str, pd.DataFrame], ranked: pd.DataFrame,
                  names: list[str]) -> pd.DataFrame:
    rows = []
    for name in names:
        row: dict[str, Any] = {"camp": name}
        front = fronts.get(name)
        if front is None or front["npc_usd"].isna().all():
            rows.append(row)
            continue
        ok = front.dropna(subset=["npc_usd"])
        start, top = ok.iloc[0], ok.iloc[-1]
        mine = ranked[(ranked["camp"] == name) & ranked["funded"]]
        conv = float(start["convoys_per_year"]) - float(mine["convoys_avoided_per_year"].sum())
        cas = float(start["expected_casualties_per_year"]) - float(
            mine["casualties_avoided_per_year"].sum())
        row.update({
            "capex_funded_usd": float(mine["capex_usd"].sum()),
            "convoys_per_year_existing": float(start["convoys_per_year"]),
            "convoys_per_year_funded": conv,
            "casualties_per_year_existing": float(start["expected_casualties_per_year"]),
            "casualties_per_year_funded": cas,
            "npc_usd_existing": float(start["npc_usd"]),
            "npc_usd_funded": float(start["npc_usd"]) + float(mine["npc_change_usd"].sum()),
            "capex_unconstrained_usd": float(top["capex_usd"]),
            "convoys_per_year_unconstrained": float(top["convoys_per_year"]),
            "steps_funded": int(len(mine)),
            "partial_step": bool(mine["partial"].any()),
        })
        for size in ("pv_kwp", "battery_kwh", "battery_kw"):
            row[f"{size}_funded"] = (float(mine[size].iloc[-1]) if len(mine)
                                     else float(start.get(size, 0.0)))
        rows.append(row)
    return pd.DataFrame(rows)


def mission_figure(funded: pd.DataFrame, ranked: pd.DataFrame, budget_usd: float,
                   rank_by: str) -> Any:
    """Cumulative risk avoided against cumulative capital, one marker per step.

    A map-free chart: the x axis is the capital spent down the ranked list [million USD], the
    y axis the convoys (or expected casualties) avoided a year; funded steps are joined and
    labelled with their camp (a label that would overlap the previous one is left out), the
    whole ranked list is drawn dashed, and the budget is a vertical line.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (the caller saves or closes it).
    """
    import matplotlib.style

    from energyopt.report.figures import _STYLE, _figure  # matplotlib, only when drawn

    avoided = ("convoys_avoided_per_year" if rank_by == "convoys"
               else "casualties_avoided_per_year")
    label = ("convoys avoided a year" if rank_by == "convoys"
             else "expected casualties avoided a year")
    with matplotlib.style.context(_STYLE):
        fig, ax = _figure(8.0, 4.2)
        whole = ranked[~ranked["partial"]] if "partial" in ranked else ranked
        x = np.concatenate([[0.0], np.cumsum(whole["capex_usd"].to_numpy(dtype=float))]) / 1e6
        y = np.concatenate([[0.0], np.cumsum(whole[avoided].to_numpy(dtype=float))])
        ax.plot(x, y, color="#999999", linestyle="--", linewidth=1,
                label="every step, ranked (whole steps)")
        fx = np.concatenate([[0.0], np.cumsum(funded["capex_usd"].to_numpy(dtype=float))]) / 1e6
        fy = np.concatenate([[0.0], np.cumsum(funded[avoided].to_numpy(dtype=float))])
        ax.plot(fx, fy, color="#0072B2", marker="o", linewidth=2, label="funded steps")
        # label the funded steps, leaving out a label that would sit on the previous one
        span_x, span_y = max(float(x[-1]), 1e-9), max(float(y[-1]), 1e-9)
        last = (-1.0, -1.0)
        for (_, st), xi, yi in zip(funded.iterrows(), fx[1:], fy[1:], strict=True):
            if math.hypot((xi - last[0]) / span_x, (yi - last[1]) / span_y) < 0.05:
                continue
            part = " (part)" if bool(st.get("partial", False)) else ""
            ax.annotate(f"{st['camp']} {int(st['step'])}{part}", (xi, yi), fontsize=7,
                        xytext=(4, -10), textcoords="offset points")
            last = (xi, yi)
        if math.isfinite(budget_usd):
            ax.axvline(budget_usd / 1e6, color="#D55E00", linewidth=1,
                       label=f"budget {budget_usd / 1e6:,.2f} M USD")
        ax.set_xlabel("cumulative capital (million USD)")
        ax.set_ylabel(f"cumulative {label}")
        ax.legend(loc="lower right", frameon=False)
    return fig


def slug(text: str) -> str:
    """Return a file-name-safe form of ``text`` (letters, digits, '-', '_')."""
    out = re.sub(r"[^A-Za-z0-9_-]+", "_", text.strip()).strip("_").lower()
    return out or "mission"
