"""Results: the sized design, its operation, costs and KPIs, checked after every solve.

:func:`extract_result` reads a solved model into a :class:`SizingResult` and runs the checks:
the energy balance of every step, fuel and convoy accounting, operating limits, and costs that
sum to the objective. A failed check raises :class:`~energyopt.errors.ResultCheckError`; a
result that fails its checks is never returned.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from energyopt.errors import ResultCheckError
from energyopt.inputs import Inputs
from energyopt.model.common import COMMUNITY_KINDS, COST_KINDS, CostTerm
from energyopt.model.logistics import day_groups
from energyopt.model.params import ModelParams
from energyopt.sanity import Caution
from energyopt.solve import SolveInfo

__all__ = ["HIGHER_IS_BETTER", "SizingResult", "convergence_banner", "extract_result",
           "saving"]

#: KPIs for which more is better: their saving is the design's gain, design minus diesel
#: only. For every other KPI (costs, fuel, trucks, convoys, casualties, CO2, unserved energy,
#: running hours ...) less is better and the saving is diesel only minus design. Either way a
#: positive saving means the design is better (:meth:`SizingResult.comparison`, the CLI, the
#: report and ``kpis.csv`` all use :func:`saving`).
HIGHER_IS_BETTER = frozenset({
    "renewable_fraction", "autonomy_days", "stress_autonomy_days", "fuel_stock_min_l",
    "community_kwh_per_year", "community_households_served", "community_hours_per_day",
    "community_co2_avoided_t_per_year", "community_served_share", "community_value_usd",
    "handover_value_usd"})


def saving(key: str, design: float, diesel_only: float) -> float:
    """Return how much better the design is than diesel only on one KPI.

    ``diesel_only - design`` for a KPI where less is better (a cost, litres, convoys ...),
    ``design - diesel_only`` for one in :data:`HIGHER_IS_BETTER` (the renewable share,
    autonomy): positive when the design is better.
    """
    return design - diesel_only if key in HIGHER_IS_BETTER else diesel_only - design


@dataclass
class SizingResult:
    """The optimal design of one camp and the figures that describe it.

    Attributes
    ----------
    name : str
        Scenario name (``"<name> (diesel only)"`` for a baseline).
    sizes : pd.Series
        ``pv_kwp``, ``battery_kwh``, ``battery_kw``, ``diesel_<unit>_count``,
        ``diesel_<unit>_new_count``.
    kpis : pd.Series
        Headline figures, units in the names (``npc_usd``, ``fuel_l_per_year`` ...).
    costs : pd.DataFrame
        Present values [USD], one row per component, one column per cost kind; the grand total
        equals the objective.
    dispatch : pd.DataFrame
        One row per step (tz-aware index): ``load_kw``, ``pv_kw``, ``pv_curtailed_kw``,
        ``battery_charge_kw``, ``battery_discharge_kw``, ``battery_soc_kwh``,
        ``diesel_<unit>_kw``, ``diesel_<unit>_online``, ``unserved_kw``, ``diesel_excess_kw`` (to a
        load bank), ``fuel_l`` ...
    solve_info : SolveInfo
        Solver status, objective, bound, gap and timings.
    baseline : SizingResult or None
        The diesel-only camp under the same rules (no new PV or battery).
    baseline_error : str or None
        Why there is no baseline although one was asked for: the diagnosis of the diesel-only
        camp when it is infeasible (the design itself is feasible).
    checks : list of str
        The checks passed after the solve.
    fuel_daily : pd.DataFrame or None
        With a daily fuel inventory: one row per local day (index: the date) with
        ``burn_l``, ``delivered_l`` (after losses), ``trucks``, ``convoys``, ``stock_l`` (at
        the day's end), ``arrival_open``; None with annual fuel accounting.
    warnings : list of Caution
        Sanity warnings of the run (:mod:`energyopt.sanity`): values that look like a unit
        mix-up, a fleet below the peak load, a short modelled period, sizes at their bound.
        The run went on; each names the field and the fix.
    notes : list of str
        How the inputs behind the figures were chosen: with ``solar.design_percentile``, the
        design weather year and its PV yield against the typical year's
        (``Inputs.weather_notes``).
    """

    name: str
    sizes: pd.Series
    kpis: pd.Series
    costs: pd.DataFrame
    dispatch: pd.DataFrame
    solve_info: SolveInfo
    baseline: SizingResult | None = None
    baseline_error: str | None = None
    checks: list[str] = field(default_factory=list)
    fuel_daily: pd.DataFrame | None = None
    warnings: list[Caution] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def comparison(self) -> pd.DataFrame:
        """KPIs of the design beside the diesel-only baseline and the saving.

        Returns
        -------
        pd.DataFrame
            Columns ``design``, ``diesel_only``, ``saving`` (positive when the design is
            better: diesel only minus design, except for the KPIs of
            :data:`HIGHER_IS_BETTER` such as the renewable share and autonomy, where it is
            design minus diesel only) and ``change`` (design minus diesel only, whatever the
            KPI); the baseline columns are NaN when no baseline was computed.
        """
        base = self.baseline.kpis if self.baseline is not None else pd.Series(
            np.nan, index=self.kpis.index)
        frame = pd.DataFrame({"design": self.kpis, "diesel_only": base.reindex(self.kpis.index)})
        frame["change"] = frame["design"] - frame["diesel_only"]
        higher = frame.index.isin(list(HIGHER_IS_BETTER))
        frame["saving"] = np.where(higher, frame["change"], -frame["change"])
        return frame[["design", "diesel_only", "saving", "change"]]

    def to_dict(self) -> dict[str, Any]:
        """Return plain data (no dispatch): sizes, KPIs, costs, solve info, warnings, baseline."""
        out: dict[str, Any] = {
            "name": self.name,
            "sizes": _plain(self.sizes.to_dict()),
            "kpis": _plain(self.kpis.to_dict()),
            "costs_usd": _plain(self.costs.to_dict(orient="index")),
            "solve_info": _plain(self.solve_info.to_dict()),
            "checks": list(self.checks),
            "warnings": [w.to_dict() for w in self.warnings],
        }
        if self.notes:
            out["notes"] = list(self.notes)
        if self.baseline is not None:
            out["baseline"] = self.baseline.to_dict()
        if self.baseline_error is not None:
            out["baseline_error"] = self.baseline_error
        return out

    def to_json(self, path: str | Path) -> Path:
        """Write :meth:`to_dict` as JSON; return the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")
        return path

    def to_csv(self, folder: str | Path) -> list[Path]:
        """Write sizes, KPIs (with baseline), costs and dispatch as CSV files in ``folder``.

        Returns
        -------
        list of Path
            The files written.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        sizes = pd.DataFrame({"design": self.sizes})
        if self.baseline is not None:
            sizes["diesel_only"] = self.baseline.sizes.reindex(sizes.index)
        for name, frame in (("sizes", sizes), ("kpis", self.comparison()),
                            ("costs", self.costs), ("dispatch", self.dispatch)):
            path = folder / f"{name}.csv"
            frame.to_csv(path, index_label="time" if name == "dispatch" else "name")
            written.append(path)
        if self.fuel_daily is not None:
            path = folder / "fuel_daily.csv"
            self.fuel_daily.to_csv(path, index_label="date")
            written.append(path)
        if self.baseline is not None:
            path = folder / "baseline_dispatch.csv"
            self.baseline.dispatch.to_csv(path, index_label="time")
            written.append(path)
        return written


def convergence_banner(result: SizingResult) -> str | None:
    """Return the "not converged" warning a reader must see first (None when converged).

    A design is converged when its gap to the proven bound is at most the gap asked for
    (``solver.mip_rel_gap``). Otherwise, and when the design is the rule-based design of last
    resort or the search was interrupted, the banner says how far from proven it is and what to
    do; the same holds for the diesel-only baseline, whose figures the savings rest on.

    Parameters
    ----------
    result : SizingResult
        The design (with its baseline, if any).

    Returns
    -------
    str or None
        One paragraph of plain text.
    """
    parts = []
    for label, res in (("the design", result), ("the diesel-only baseline", result.baseline)):
        if res is None:
            continue
        info = res.solve_info
        if info.converged and not info.interrupted:
            continue
        if math.isfinite(info.mip_gap):
            how_far = (f"is within {100 * info.mip_gap:.2f}% of the proven lower bound "
                       f"({info.bound:,.0f} USD against {info.objective:,.0f} USD; asked for "
                       f"{100 * info.target_gap:.2f}%)")
        else:
            how_far = "has no proven lower bound (the LP relaxation did not finish in time)"
        what = (f"{label} is the rule-based design of last resort (diesel carries load and "
                f"reserve) and {how_far}") if info.fallback else f"{label} {how_far}"
        if info.interrupted:
            what = f"{label} was interrupted: {what}"
        parts.append(what)
    if not parts:
        return None
    info = result.solve_info
    limit = info.time_limit_s
    when = f" after {info.wall_s:.0f} s" if info.wall_s else ""
    head = ("NOT CONVERGED: " + "; ".join(parts) + f"{when}. It may not be the least-cost mix "
            "and should not be signed as the recommendation.")
    baseline_open = result.baseline is not None and not (
        result.baseline.solve_info.converged and not result.baseline.solve_info.interrupted)
    if info.bound_final and not info.converged and not info.interrupted and not baseline_open:
        # more time would not raise the bound: say so rather than send the user to wait
        return (head + " The bound is as high as the engine's relaxations take it (every "
                "window of its Lagrangian bound was solved), so a longer solver.time_limit_s "
                f"(now {limit:.0f} s) may find a cheaper design but will not raise the bound, "
                "and the design may be nearer the least cost than the gap shows (typically "
                "where whole generator sets are much larger than the load they serve). To "
                "sign it, accept a solver.mip_rel_gap of "
                f"{math.ceil(100 * info.mip_gap)}%.")
    return (head + " Run again with a longer solver.time_limit_s (now "
            f"{limit:.0f} s for the whole run), or accept a larger solver.mip_rel_gap.")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, (np.integer,)):
        return int(value)
    return value


def _series(var: Any, n: int) -> np.ndarray:
    return np.fromiter((var[t].value for t in range(n)), dtype=float, count=n)


def least_trucks(m: pyo.ConcreteModel, p: ModelParams) -> None:
    """Set each day's trucks to the fewest whole trucks that carry its delivery (in place).

    Trucks cost nothing unless casualties are counted per truck, so a solver may leave any
    count between that and the convoy's capacity; reports then show the fewest. With a
    per-truck casualty rate the solver's count is kept (it is priced, and the costs must add
    up to the objective).
    """
    lg = m.component("logistics")
    if lg is None or p.casualties_per_truck > 0.0:
        return
    per_truck_l = p.truck_capacity_l * (1.0 - p.loss_fraction)
    for k in lg.D:
        need = math.ceil(float(pyo.value(lg.delivered_l[k])) / per_truck_l - 1e-6)
        var = lg.trucks[k]
        if var.value is not None and need < var.value:
            var.set_value(max(need, 0), skip_validation=True)


def extract_result(m: pyo.ConcreteModel, p: ModelParams, inputs: Inputs, info: SolveInfo, *,
                   name: str) -> SizingResult:
    """Read a solved model into a checked :class:`SizingResult`.

    Parameters
    ----------
    m : pyo.ConcreteModel
        The solved model.
    p : ModelParams
        Its parameters.
    inputs : Inputs
        Its inputs (for the time index).
    info : SolveInfo
        The solve record.
    name : str
        Name of the result.

    Returns
    -------
    SizingResult
        Without baseline (the caller attaches it).

    Raises
    ------
    ResultCheckError
        When a check fails.
    """
    least_trucks(m, p)
    n = p.n_steps
    index = inputs.index
    zeros = np.zeros(n)
    d: dict[str, np.ndarray] = {"load_kw": p.load_kw.copy()}
    sizes: dict[str, float] = {}

    pv = m.component("pv")
    if pv is not None:
        pv_kw = _series(pv.power_kw, n)
        sizes["pv_kwp"] = float(pv.kwp.value)
        d["pv_kw"] = pv_kw
        d["pv_curtailed_kw"] = np.maximum(sizes["pv_kwp"] * p.pv_avail_kw_per_kwp - pv_kw, 0.0)
    else:
        sizes["pv_kwp"] = 0.0
        d["pv_kw"] = zeros.copy()
        d["pv_curtailed_kw"] = zeros.copy()

    bat = m.component("battery")
    if bat is not None:
        sizes["battery_kwh"] = float(bat.kwh.value)
        sizes["battery_kw"] = float(bat.kw.value)
        d["battery_charge_kw"] = _series(bat.charge_kw, n)
        d["battery_discharge_kw"] = _series(bat.discharge_kw, n)
        d["battery_soc_kwh"] = _series(bat.soc_kwh, n)
        reserve_bat = _series(bat.reserve_kw, n) if bat.component("reserve_kw") else zeros
    else:
        sizes["battery_kwh"] = sizes["battery_kw"] = 0.0
        for key in ("battery_charge_kw", "battery_discharge_kw", "battery_soc_kwh"):
            d[key] = zeros.copy()
        reserve_bat = zeros

    dsl = m.diesel
    diesel_kw_total = zeros.copy()
    headroom = zeros.copy()
    fuel_l = zeros.copy()
    run_hours = 0.0
    for u in p.diesel:
        g = u.name
        count = float(dsl.count[g].value)
        online = np.fromiter((dsl.online[g, t].value for t in range(n)), dtype=float, count=n)
        power = np.fromiter((dsl.power_kw[g, t].value for t in range(n)), dtype=float, count=n)
        sizes[f"diesel_{g}_count"] = count
        sizes[f"diesel_{g}_new_count"] = count - u.existing
        d[f"diesel_{g}_kw"] = power
        d[f"diesel_{g}_online"] = online
        d[f"diesel_{g}_loading"] = np.divide(power, online * u.rated_kw,
                                             out=np.zeros(n), where=online > 0)
        d[f"diesel_{g}_fuel_l"] = p.duration_h * (u.f0_l_per_h_per_kw * u.rated_kw * online
                                                  + u.f1_l_per_kwh * power)
        diesel_kw_total += power
        headroom += u.rated_kw * online - power
        fuel_l += d[f"diesel_{g}_fuel_l"]
        run_hours += float((p.step_hours_weighted * online).sum())
    d["diesel_kw"] = diesel_kw_total
    rel = m.reliability
    d["unserved_kw"] = _series(rel.unserved_kw, n) if rel.component("unserved_kw") else zeros
    d["diesel_excess_kw"] = _series(m.dump_kw, n)
    d["fuel_l"] = fuel_l
    d["reserve_required_kw"] = (p.reserve_load_fraction * p.load_kw
                                + p.reserve_pv_fraction * d["pv_kw"])
    d["reserve_available_kw"] = headroom + reserve_bat
    com = m.component("community")
    if com is not None:
        assert p.community is not None
        d["community_load_kw"] = p.community.load_kw.copy()
        d["community_kw"] = _series(com.served_kw, n)
    mission = m.component("mission")
    if p.mission is not None:
        for key, var in (("pv_relocatable_kwp", "pv_kwp"), ("battery_relocatable_kwh", "bat_kwh")):
            comp = None if mission is None else mission.component(var)
            sizes[key] = 0.0 if comp is None else float(comp.value)
    dispatch = pd.DataFrame(d, index=index)
    daily = _fuel_daily(m, p, index)
    if daily is not None:
        sizes["fuel_tank_l"] = float(pyo.value(m.logistics.tank_l))

    costs = _costs(m.cost_terms)
    kpis = _kpis(p, dispatch, costs, m, run_hours, info, daily)
    if p.community is not None or p.mission is not None:
        kpis = pd.concat([kpis, _community_kpis(p, dispatch, costs, sizes)])
    result = SizingResult(name=name, sizes=pd.Series(sizes, name="size"), kpis=kpis,
                          costs=costs, dispatch=dispatch, solve_info=info, fuel_daily=daily,
                          notes=list(inputs.weather_notes))
    result.checks = check_result(result, p, m)
    return result


def _community_kpis(p: ModelParams, d: pd.DataFrame, costs: pd.DataFrame,
                    sizes: dict[str, float]) -> pd.Series:
    """KPIs of the host community and the mission's end (issue 15).

    ``community_households_served``: households whose tier energy is fully served on average,
    i.e. all households times the served share of the community's energy, rounded down (the
    served energy shared out household by household). ``community_hours_per_day``: hours a day
    in which the community's whole load is served. ``community_co2_avoided_t_per_year``: the
    community's own small-genset diesel for the energy served
    (:data:`~energyopt.model.params.SMALL_GENSET_L_PER_KWH` unless ``data/technologies.csv``
    has ``community.small_genset_l_per_kwh``) times ``fuel.co2_kg_per_l``.
    ``handover_value_usd``: present value, expected over the closure years, of the community
    energy the handed-over kit serves after closure, net of the host's O&M (unweighted).
    ``mission_npc_usd``: the objective without the community's value.
    """
    # deferred: the community module imports the parameters, which results also reads
    from energyopt.model.community import handover_value_usd

    out: dict[str, float] = {}
    community_cols = [k for k in COMMUNITY_KINDS if k in costs.columns]
    out["mission_npc_usd"] = float(costs.drop(columns=community_cols).to_numpy().sum())
    c = p.community
    if c is not None:
        hw = p.step_hours_weighted
        served = d["community_kw"].to_numpy()
        kwh = float((hw * served).sum())
        share = kwh / c.annual_kwh if c.annual_kwh > 0 else 0.0
        full = (served >= 0.99 * c.load_kw) & (c.load_kw > 0)
        out["community_kwh_per_year"] = kwh
        out["community_served_share"] = share
        out["community_households_served"] = float(math.floor(c.households * share + 1e-9))
        out["community_hours_per_day"] = float((hw * full).sum()) / 365.0
        out["community_co2_avoided_t_per_year"] = kwh * c.genset_l_per_kwh * p.co2_kg_per_l / 1e3
        out["community_value_usd"] = float(-costs[community_cols].to_numpy().sum()) if (
            community_cols) else 0.0
    mp = p.mission
    if mp is not None:
        out["expected_mission_years"] = mp.expected_years
        value = 0.0
        if c is not None:
            pv, reloc_pv = sizes.get("pv_kwp", 0.0), sizes.get("pv_relocatable_kwp", 0.0)
            kwh_b, reloc_b = sizes.get("battery_kwh", 0.0), sizes.get(
                "battery_relocatable_kwh", 0.0)
            k = (pv - reloc_pv) * mp.pv_handover_fixed + reloc_pv * mp.pv_handover_relocatable
            e = (kwh_b - reloc_b) * mp.bat_handover_fixed + reloc_b * mp.bat_handover_relocatable
            value = handover_value_usd(p, k, e)
        out["handover_value_usd"] = value
    return pd.Series(out, dtype=float)


def _check_community(d: pd.DataFrame, p: ModelParams, tol: float, fail: Any) -> None:
    """Check served community power against feeder, window and load, and camp first."""
    c = p.community
    assert c is not None
    served = d["community_kw"].to_numpy()
    over = served - c.cap_kw
    if over.max() > tol:
        t = int(over.argmax())
        fail("community_feeder", f"step {t} serves {served[t]:.4g} kW to the community, above "
             f"min(feeder x open, community load) = {c.cap_kw[t]:.4g} kW")
    both = (served > tol) & (d["unserved_kw"].to_numpy() > tol)
    if both.any():
        t = int(np.flatnonzero(both)[0])
        fail("community_priority", f"step {t} serves the community while camp load is shed")
    shed = d["load_kw"].to_numpy() - d["unserved_kw"].to_numpy() - p.critical_kw
    if shed.min() < -tol:
        fail("community_priority", "camp critical load shed")


def _fuel_daily(m: pyo.ConcreteModel, p: ModelParams,
                index: pd.DatetimeIndex) -> pd.DataFrame | None:
    """Daily fuel table of a model with a daily inventory (None otherwise)."""
    lg = m.component("logistics")
    if lg is None or p.logistics is None:
        return None
    days, steps = day_groups(p.logistics.day_of_step)
    nd = len(days)
    def litres(expr: Any) -> np.ndarray:
        return np.fromiter((pyo.value(expr[k]) for k in range(nd)), dtype=float, count=nd)

    frame = pd.DataFrame({
        "burn_l": litres(lg.burn_l),
        "delivered_l": litres(lg.delivered_l),
        "trucks": _series(lg.trucks, nd),
        "convoys": _series(lg.convoys, nd),
        "stock_l": litres(lg.stock_l),
        "arrival_open": p.logistics.arrival_open[days],
        "weight": np.asarray(lg.day_weight, dtype=float),
        "hours": np.array([float(p.duration_h[s].sum()) for s in steps]),
    }, index=pd.Index([index[int(s[0])].date() for s in steps], name="date"))
    return frame


def autonomy_days(stock_start_l: np.ndarray, burn_l: np.ndarray, *, cyclic: bool = True,
                  cap_days: int = 3650) -> np.ndarray:
    """Whole days of planned burn the stock at each day's start covers.

    Parameters
    ----------
    stock_start_l : numpy.ndarray
        Stock at the start of each day, before any arrival [L].
    burn_l : numpy.ndarray
        Planned burn of each day [L].
    cyclic : bool
        The days after the last one are the first ones again (a cyclic year); else the count
        stops at the last day.
    cap_days : int
        Largest count reported (a camp that burns nothing is covered forever) [d].

    Returns
    -------
    numpy.ndarray
        For each day d, the largest N such that the stock covers days d .. d+N-1 [d].
    """
    nd = len(burn_l)
    out = np.zeros(nd)
    total = float(burn_l.sum())
    for k in range(nd):
        stock = float(stock_start_l[k]) * (1.0 + 1e-9) + 1e-6
        if cyclic and total > 0.0:
            laps = max(int(stock // total) - 1, 0)
            count = laps * nd
            stock -= laps * total
        else:
            count = 0
        j = k
        while count < cap_days:
            if j >= nd and not cyclic:
                count = cap_days
                break
            need = float(burn_l[j % nd])
            if need > stock:
                break
            stock -= need
            count += 1
            j += 1
        out[k] = min(count, cap_days)
    return out


def _monthly_tonnes(litres: pd.Series, hours: pd.Series, density: float) -> pd.Series:
    """Tonnes per calendar month, each month scaled to its full length."""
    dates = pd.to_datetime(pd.Index(litres.index))
    month = dates.to_period("M")
    tonnes = (litres.to_numpy() * density / 1000.0)
    frame = pd.DataFrame({"t": tonnes, "h": hours.to_numpy()}, index=month)
    grouped = frame.groupby(level=0).sum()
    full_h = np.array([per.days_in_month * 24.0 for per in grouped.index])
    return pd.Series(grouped["t"].to_numpy() * full_h / grouped["h"].to_numpy(),
                     index=grouped.index, name="fuel_t")


def _costs(terms: list[CostTerm]) -> pd.DataFrame:
    rows: dict[str, dict[str, float]] = {}
    for term in terms:
        rows.setdefault(term.component, {})
        rows[term.component][term.kind] = rows[term.component].get(term.kind, 0.0) + float(
            pyo.value(term.expr))
    kinds = list(COST_KINDS) + [k for k in COMMUNITY_KINDS
                                if any(term.kind == k for term in terms)]
    frame = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=kinds)
    return frame.fillna(0.0).rename_axis("component")


def _kpis(p: ModelParams, dispatch: pd.DataFrame, costs: pd.DataFrame, m: pyo.ConcreteModel,
          run_hours: float, info: SolveInfo, daily: pd.DataFrame | None = None) -> pd.Series:
    hw = p.step_hours_weighted
    annual = {col: float((hw * dispatch[col].to_numpy()).sum()) for col in (
        "load_kw", "pv_kw", "pv_curtailed_kw", "battery_discharge_kw", "battery_charge_kw",
        "diesel_kw", "unserved_kw", "diesel_excess_kw")}
    fuel_l_year = float((p.weight * dispatch["fuel_l"].to_numpy()).sum())
    keep = 1.0 - p.loss_fraction
    bought_l_year = fuel_l_year / keep
    if daily is None:
        trucks = bought_l_year / p.truck_capacity_l
        convoys = trucks / p.trucks_per_convoy
        # bought fuel follows the burn step by step
        dates = pd.DatetimeIndex(dispatch.index).date
        per_day = pd.Series(dispatch["fuel_l"].to_numpy() / keep,
                            index=dispatch.index).groupby(dates).sum()
        hours = pd.Series(p.duration_h, index=dispatch.index).groupby(dates).sum()
    else:
        w = daily["weight"].to_numpy()
        trucks = float((w * daily["trucks"].to_numpy()).sum())
        convoys = float((w * daily["convoys"].to_numpy()).sum())
        per_day = daily["delivered_l"] / keep
        hours = daily["hours"]
    monthly_t = _monthly_tonnes(per_day, hours, p.fuel_density_kg_per_l)
    casualties = convoys * p.casualties_per_convoy + trucks * p.casualties_per_truck
    served = annual["load_kw"] - annual["unserved_kw"]
    npc = float(costs.to_numpy().sum())
    fuel_cost_year = (bought_l_year * (p.fuel_price_usd_per_l + p.transport_usd_per_l)
                      + convoys * p.escort_usd_per_convoy)
    burdened = (fuel_cost_year + casualties * p.value_per_casualty_usd) / fuel_l_year if (
        fuel_l_year > 0) else float("nan")
    kpis = {
        "npc_usd": npc,
        "lcoe_usd_per_kwh": npc / (served * p.variable_annuity) if served > 0
        else float("nan"),
        "capex_usd": float(costs["capex"].sum()),
        "fuel_l_per_year": fuel_l_year,
        "fuel_cost_usd_per_year": fuel_cost_year,
        "fully_burdened_fuel_usd_per_l": burdened,
        "fuel_bought_l_per_year": bought_l_year,
        "fuel_t_per_month_max": float(monthly_t.max()),
        "trucks_per_year": trucks,
        "convoys_per_year": convoys,
        "truck_km_per_year": trucks * p.route_km,
        "expected_casualties_per_year": casualties,
        "co2_t_per_year": fuel_l_year * p.co2_kg_per_l / 1000.0,
        "renewable_fraction": 1.0 - (annual["diesel_kw"] - annual["diesel_excess_kw"]) / served
        if served > 0 else 0.0,
        "load_kwh_per_year": annual["load_kw"],
        "pv_kwh_per_year": annual["pv_kw"],
        "pv_curtailed_kwh_per_year": annual["pv_curtailed_kw"],
        "battery_discharge_kwh_per_year": annual["battery_discharge_kw"],
        "diesel_kwh_per_year": annual["diesel_kw"],
        "diesel_excess_kwh_per_year": annual["diesel_excess_kw"],
        "unserved_kwh_per_year": annual["unserved_kw"],
        "diesel_hours_per_year": run_hours,
        "mip_gap": info.mip_gap,
    }
    if daily is not None and p.logistics is not None:
        stock = daily["stock_l"].to_numpy()
        start = np.roll(stock, 1)
        kpis["autonomy_days"] = float(autonomy_days(start, daily["burn_l"].to_numpy(),
                                                    cyclic=True).min())
        kpis["fuel_tank_l"] = float(pyo.value(m.logistics.tank_l))
        kpis["fuel_stock_min_l"] = float(stock.min())
        # the burn autonomy and safety stock were measured against (fuel.inventory.stress_burn):
        # its mean per day, and the days of it the stock covers at worst
        stress_day = p.logistics.stress_day_l
        if stress_day is None:
            day_w, day_h = daily["weight"].to_numpy(), daily["hours"].to_numpy()
            stress: np.ndarray = daily["burn_l"].to_numpy()
            mean = 24.0 * float((day_w * stress).sum()) / float((day_w * day_h).sum())
        else:
            stress, mean = stress_day, p.logistics.stress_mean_l_per_day
        kpis["stress_burn_l_per_day"] = mean
        kpis["stress_autonomy_days"] = float(autonomy_days(start, stress, cyclic=True).min())
    return pd.Series(kpis, name="kpi")


def check_result(result: SizingResult, p: ModelParams, m: pyo.ConcreteModel) -> list[str]:
    """Check a result; return the names of the checks passed.

    Checks: finite values; energy balance per step; operating limits (PV availability,
    battery state of charge, units online, minimum load); spinning reserve; fuel and convoy
    accounting; costs sum to the objective.

    Raises
    ------
    ResultCheckError
        Naming the check, the step and the size of the violation.
    """
    d = result.dispatch
    scale = max(float(p.load_kw.max()), 1.0)
    tol = 1e-5 * scale + 1e-6
    passed: list[str] = []

    def fail(check: str, detail: str) -> None:
        raise ResultCheckError(f"result check '{check}' failed: {detail}")

    values = d.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        col = d.columns[np.flatnonzero(~np.isfinite(values).all(axis=0))[0]]
        fail("finite", f"column {col} holds NaN or infinite values")
    # the gap is infinite when no bound was proven in the time (said in the banner); the
    # figures of the design itself must be finite
    if not np.isfinite(result.kpis.drop(["lcoe_usd_per_kwh", "fully_burdened_fuel_usd_per_l",
                                         "mip_gap"]).to_numpy(dtype=float)).all():
        fail("finite", "a KPI is NaN or infinite")
    passed.append("finite")

    supply = (d["pv_kw"] + d["diesel_kw"] + d["battery_discharge_kw"] - d["battery_charge_kw"]
              + d["unserved_kw"] - d["diesel_excess_kw"])
    if "community_kw" in d:
        supply = supply - d["community_kw"]
    err = (supply - d["load_kw"]).abs().to_numpy()
    if err.max() > tol:
        t = int(err.argmax())
        fail("energy_balance", f"step {t} ({d.index[t]}) supply {supply.iloc[t]:.6g} kW vs load "
             f"{d['load_kw'].iloc[t]:.6g} kW")
    passed.append("energy_balance")
    if "community_kw" in d and p.community is not None:
        _check_community(d, p, tol, fail)
        passed.append("community_priority")

    avail = result.sizes["pv_kwp"] * p.pv_avail_kw_per_kwp
    if (d["pv_kw"].to_numpy() > avail + tol).any():
        fail("pv_limit", "PV output above its availability")
    kwh = result.sizes["battery_kwh"]
    soc = d["battery_soc_kwh"].to_numpy()
    if kwh > 0 and ((soc > kwh + tol).any() or (soc < p.bat_min_soc * kwh - tol).any()):
        fail("battery_soc", "state of charge outside [min_soc, 1] x battery_kwh")
    for u in p.diesel:
        online = d[f"diesel_{u.name}_online"].to_numpy()
        power = d[f"diesel_{u.name}_kw"].to_numpy()
        count = result.sizes[f"diesel_{u.name}_count"]
        if (online > count + 1e-6).any() or (np.abs(online - np.round(online)) > 1e-6).any():
            fail("units_online", f"{u.name}: units online not whole or above the count")
        if (power > u.rated_kw * online + tol).any():
            fail("diesel_max", f"{u.name}: output above rated x online")
        low = power < u.min_load_fraction * u.rated_kw * online - tol
        if low.any():
            t = int(np.flatnonzero(low)[0])
            fail("diesel_min_load", f"{u.name}: step {t} runs {power[t]:.3f} kW on "
                 f"{online[t]:.0f} unit(s), below the minimum load")
    passed.append("operating_limits")

    short = d["reserve_required_kw"] - d["reserve_available_kw"]
    if (p.reserve_load_fraction > 0 or p.reserve_pv_fraction > 0) and short.max() > tol:
        t = int(short.to_numpy().argmax())
        fail("reserve", f"step {t}: reserve short by {short.iloc[t]:.3f} kW")
    passed.append("reserve")

    fuel_model = float(pyo.value(m.fuel.fuel_l_per_year))
    fuel_l_year = result.kpis["fuel_l_per_year"]
    if abs(fuel_model - fuel_l_year) > 1e-6 * max(fuel_l_year, 1.0) + 1e-3:
        fail("fuel_accounting", f"model fuel {fuel_model:.3f} L/yr vs steps {fuel_l_year:.3f}")
    convoys = float(pyo.value(m.fuel.convoys_per_year))
    if abs(convoys - result.kpis["convoys_per_year"]) > 1e-6 * max(convoys, 1.0):
        fail("convoy_accounting", "convoys do not follow from fuel, truck size and convoy size")
    passed.append("fuel_accounting")
    if result.fuel_daily is not None and p.logistics is not None:
        _check_inventory(result, p, fail)
        passed.append("fuel_inventory")

    total = float(result.costs.to_numpy().sum())
    objective = float(pyo.value(m.npc))
    if abs(total - objective) > 1e-7 * max(abs(objective), 1.0) + 1e-3:
        fail("costs_sum", f"cost terms sum to {total:.2f} USD, objective is {objective:.2f}")
    if abs(objective - result.solve_info.objective) > 1e-6 * max(abs(objective), 1.0) + 1e-2:
        fail("costs_sum", f"objective {objective:.2f} differs from the solver's "
             f"{result.solve_info.objective:.2f}")
    passed.append("costs_sum")
    return passed


def _check_inventory(result: SizingResult, p: ModelParams, fail: Any) -> None:
    """Check the daily fuel inventory: whole trucks, stock balance and bounds, arrivals."""
    lg = p.logistics
    assert lg is not None
    assert result.fuel_daily is not None
    f = result.fuel_daily
    tank = float(result.sizes["fuel_tank_l"])
    trucks, convoys = f["trucks"].to_numpy(), f["convoys"].to_numpy()
    delivered, burn, stock = (f["delivered_l"].to_numpy(), f["burn_l"].to_numpy(),
                              f["stock_l"].to_numpy())
    ltol = 1e-6 * max(tank, float(burn.max(initial=0.0)), 1.0) + 1e-4
    if (np.abs(trucks - np.round(trucks)) > 1e-6).any() or (
            np.abs(convoys - np.round(convoys)) > 1e-6).any():
        fail("whole_trucks", "trucks or convoys per day are not whole")
    per_truck = p.truck_capacity_l * (1.0 - p.loss_fraction)
    if (delivered > per_truck * trucks + ltol).any():
        fail("truck_load", "a day receives more fuel than its trucks carry")
    if (trucks > p.trucks_per_convoy * convoys + 1e-6).any():
        fail("convoy_size", "a day receives more trucks than its convoys hold")
    if (trucks[~f["arrival_open"].to_numpy(dtype=bool)] > 0.5).any():
        fail("closed_road", "a truck arrives on a day closed to arrivals")
    before = np.roll(stock, 1)
    err = np.abs(before + delivered - burn - stock)
    if err.max() > ltol:
        k = int(err.argmax())
        fail("stock_balance", f"day {f.index[k]}: stock off by {err[k]:.3f} L")
    if (stock < -ltol).any() or (before + delivered > tank + ltol).any():
        fail("tank", "the stock leaves [0, fuel_tank_l]")
    burn_steps = result.dispatch["fuel_l"].to_numpy()
    if abs(float(burn.sum()) - float(burn_steps.sum())) > ltol * len(burn):
        fail("stock_burn", "daily burn does not add up to the fuel of the steps")
    w = f["weight"].to_numpy()
    got, used = float((w * delivered).sum()), float(result.kpis["fuel_l_per_year"])
    if abs(got - used) > 1e-6 * max(used, 1.0) + 1e-3:
        fail("fuel_delivered", f"fuel delivered {got:.3f} L/yr differs from fuel burned "
             f"{used:.3f} L/yr over the cyclic year")
    need = lg.autonomy_need_l()
    if need is not None:
        # stress burn: the model's rows are constants on each day's opening stock
        short = need - before
        if short.max() > ltol:
            k = int(short.argmax())
            fail("autonomy", f"day {f.index[k]}: the stock starts at {before[k]:.1f} L, "
                 f"{need[k]:.1f} L of stress burn over {lg.autonomy_days} days required")
    elif lg.autonomy_days > 0 and result.kpis["autonomy_days"] < lg.autonomy_days:
        fail("autonomy", f"the stock covers {result.kpis['autonomy_days']:.0f} days, "
             f"{lg.autonomy_days} required")
