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
from energyopt.model.common import COST_KINDS, CostTerm
from energyopt.model.params import ModelParams
from energyopt.solve import SolveInfo

__all__ = ["SizingResult", "extract_result"]


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
    checks : list of str
        The checks passed after the solve.
    """

    name: str
    sizes: pd.Series
    kpis: pd.Series
    costs: pd.DataFrame
    dispatch: pd.DataFrame
    solve_info: SolveInfo
    baseline: SizingResult | None = None
    checks: list[str] = field(default_factory=list)

    def comparison(self) -> pd.DataFrame:
        """KPIs of the design beside the diesel-only baseline and the saving.

        Returns
        -------
        pd.DataFrame
            Columns ``design``, ``diesel_only``, ``saving`` (baseline minus design); the
            baseline columns are NaN when no baseline was computed.
        """
        base = self.baseline.kpis if self.baseline is not None else pd.Series(
            np.nan, index=self.kpis.index)
        frame = pd.DataFrame({"design": self.kpis, "diesel_only": base.reindex(self.kpis.index)})
        frame["saving"] = frame["diesel_only"] - frame["design"]
        return frame

    def to_dict(self) -> dict[str, Any]:
        """Plain-data summary (no dispatch): sizes, KPIs, costs, solve info, baseline."""
        out: dict[str, Any] = {
            "name": self.name,
            "sizes": _plain(self.sizes.to_dict()),
            "kpis": _plain(self.kpis.to_dict()),
            "costs_usd": _plain(self.costs.to_dict(orient="index")),
            "solve_info": _plain(self.solve_info.to_dict()),
            "checks": list(self.checks),
        }
        if self.baseline is not None:
            out["baseline"] = self.baseline.to_dict()
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
        if self.baseline is not None:
            path = folder / "baseline_dispatch.csv"
            self.baseline.dispatch.to_csv(path, index_label="time")
            written.append(path)
        return written


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
    dispatch = pd.DataFrame(d, index=index)

    costs = _costs(m.cost_terms)
    kpis = _kpis(p, dispatch, costs, m, run_hours, info)
    result = SizingResult(name=name, sizes=pd.Series(sizes, name="size"), kpis=kpis,
                          costs=costs, dispatch=dispatch, solve_info=info)
    result.checks = check_result(result, p, m)
    return result


def _costs(terms: list[CostTerm]) -> pd.DataFrame:
    rows: dict[str, dict[str, float]] = {}
    for term in terms:
        rows.setdefault(term.component, {})
        rows[term.component][term.kind] = rows[term.component].get(term.kind, 0.0) + float(
            pyo.value(term.expr))
    frame = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=list(COST_KINDS))
    return frame.fillna(0.0).rename_axis("component")


def _kpis(p: ModelParams, dispatch: pd.DataFrame, costs: pd.DataFrame, m: pyo.ConcreteModel,
          run_hours: float, info: SolveInfo) -> pd.Series:
    hw = p.step_hours_weighted
    annual = {col: float((hw * dispatch[col].to_numpy()).sum()) for col in (
        "load_kw", "pv_kw", "pv_curtailed_kw", "battery_discharge_kw", "battery_charge_kw",
        "diesel_kw", "unserved_kw", "diesel_excess_kw")}
    fuel_l_year = float((p.weight * dispatch["fuel_l"].to_numpy()).sum())
    trucks = fuel_l_year / p.truck_capacity_l
    convoys = trucks / p.trucks_per_convoy
    casualties = convoys * p.casualties_per_convoy
    served = annual["load_kw"] - annual["unserved_kw"]
    npc = float(costs.to_numpy().sum())
    fuel_cost_year = (fuel_l_year * (p.fuel_price_usd_per_l + p.transport_usd_per_l)
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
        "trucks_per_year": trucks,
        "convoys_per_year": convoys,
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
    if not np.isfinite(result.kpis.drop(["lcoe_usd_per_kwh", "fully_burdened_fuel_usd_per_l"])
                       .to_numpy(dtype=float)).all():
        fail("finite", "a KPI is NaN or infinite")
    passed.append("finite")

    supply = (d["pv_kw"] + d["diesel_kw"] + d["battery_discharge_kw"] - d["battery_charge_kw"]
              + d["unserved_kw"] - d["diesel_excess_kw"])
    err = (supply - d["load_kw"]).abs().to_numpy()
    if err.max() > tol:
        t = int(err.argmax())
        fail("energy_balance", f"step {t} ({d.index[t]}) supply {supply.iloc[t]:.6g} kW vs load "
             f"{d['load_kw'].iloc[t]:.6g} kW")
    passed.append("energy_balance")

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

    total = float(result.costs.to_numpy().sum())
    objective = float(pyo.value(m.npc))
    if abs(total - objective) > 1e-7 * max(abs(objective), 1.0) + 1e-3:
        fail("costs_sum", f"cost terms sum to {total:.2f} USD, objective is {objective:.2f}")
    if abs(objective - result.solve_info.objective) > 1e-6 * max(abs(objective), 1.0) + 1e-2:
        fail("costs_sum", f"objective {objective:.2f} differs from the solver's "
             f"{result.solve_info.objective:.2f}")
    passed.append("costs_sum")
    return passed
