"""Provenance of a study's inputs: counts by grade and the estimates that move the answer most.

Every input energyopt uses carries a grade (``data.GRADES``: P primary, S secondary, D derived,
E engineering estimate; ``?`` a scenario value whose source is the scenario's). The report and
the Markdown summary count the inputs by grade (:func:`grade_counts`) and name the estimates
that move the net present cost most (:func:`sensitive_estimates`).

Ranking the estimates
---------------------
Re-solving the sizing once per estimate and direction is far too slow for a report (a 28-day
Gao MIP alone takes seconds, and a short horizon is not representative of a year), so the
ranking is a first-order screen on the solved design, with no new solve:

* **Cost coefficients** (capex, O&M, fuel price, transport, escort, casualty value, value of
  lost load, tank capex): the optimal NPC is the minimum of a function linear in each such
  coefficient, so by the envelope theorem its derivative is the NPC term that coefficient
  multiplies at the optimum; a +-20% change moves the NPC by 20% of that term, to first order
  and exactly as an upper bound (the re-optimised design can only do better). Shares of one
  cost row (battery energy vs power, diesel fixed vs run-hour O&M, fuel curve slope vs
  intercept) are split by the design's own quantities.
* **Physical estimates** (proxies, labelled as such): the site's GHI and the PV losses scale
  PV output per kWp, which is worth the same as scaling the PV cost row inversely (first order,
  exact while PV is below ``solar.max_kwp``); the truck capacity and trucks per convoy scale
  the convoy count (the convoy and risk terms); the energy per person scales the load, taken
  as scaling the whole NPC (an upper bound: the existing sets are not bought again).

Inputs that enter non-linearly (lifetimes, efficiencies, state-of-charge limits, the discount
rate, temperatures) are not ranked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from energyopt.report.tables import assumptions
from energyopt.results import SizingResult
from energyopt.scenario import Scenario

__all__ = ["PERTURBATION", "GradedInput", "SensitiveEstimate", "grade_counts",
           "graded_inputs", "sensitive_estimates"]

#: Relative change of each estimate in the screen [-].
PERTURBATION = 0.2
#: Grades in the order the counts are shown (U: a value a user override changed).
GRADE_ORDER = ("P", "S", "D", "E", "U", "?")


@dataclass(frozen=True)
class GradedInput:
    """One input of a study with its grade.

    Attributes
    ----------
    key : str
        The input, e.g. ``pv.capex_usd_per_kwp`` or ``site.monthly_ghi``.
    value : float
        Its value (for the site climate, the annual mean) in ``unit``.
    unit : str
        Unit of ``value``.
    grade : str
        ``P``, ``S``, ``D``, ``E`` or ``?`` (the weakest of its parts).
    source : str
        Where it comes from.
    """

    key: str
    value: float
    unit: str
    grade: str
    source: str


@dataclass(frozen=True)
class SensitiveEstimate:
    """An estimate and how much a +-20% change of it moves the net present cost.

    Attributes
    ----------
    key, value, unit, grade : str, float, str, str
        The input (see :class:`GradedInput`).
    delta_npc_usd : float
        First-order change of the NPC for a 20% change of the input [USD] (absolute value).
    method : str
        ``first order`` (envelope theorem on a cost coefficient) or ``proxy: ...``.
    """

    key: str
    value: float
    unit: str
    grade: str
    delta_npc_usd: float
    method: str


def graded_inputs(scenario: Scenario) -> list[GradedInput]:
    """Return every graded input of a scenario.

    The technology and economic inputs (:func:`energyopt.report.tables.assumptions`) and, when
    the weather is the embedded year, the site's monthly GHI and air temperatures
    (:func:`energyopt.resource.site_climate`, graded month by month from
    ``data/climate_normals.csv`` or the zone estimate; the weakest month's grade).
    """
    out = [GradedInput(a.key, a.value, a.unit, a.grade, a.source)
           for a in assumptions(scenario)]
    if isinstance(scenario.solar.weather, str):
        from energyopt.resource import site_climate

        climate = site_climate(scenario)
        days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
        ghi = float(np.dot(climate.monthly_ghi_kwh_m2_day, days) / days.sum())
        temp = float(np.dot(climate.monthly_temp_air_c, days) / days.sum())
        out.append(GradedInput("site.monthly_ghi", ghi, "kWh/m2/day", climate.ghi_grade,
                               climate.source))
        out.append(GradedInput("site.monthly_temperature", temp, "C", climate.temp_grade,
                               climate.source))
    return out


def grade_counts(scenario: Scenario) -> dict[str, int]:
    """Count a scenario's inputs by grade (:func:`graded_inputs`), in ``GRADE_ORDER``."""
    counts = dict.fromkeys(GRADE_ORDER, 0)
    for item in graded_inputs(scenario):
        counts[item.grade if item.grade in counts else "?"] += 1
    return counts


def _cells(costs: pd.DataFrame, rows: Iterable[str], columns: Iterable[str] | None = None
           ) -> float:
    """Sum of ``costs`` over the rows present (all columns unless given) [USD]."""
    rows = [r for r in rows if r in costs.index]
    if not rows:
        return 0.0
    cols = list(costs.columns) if columns is None else [c for c in columns if c in costs.columns]
    return float(costs.loc[rows, cols].to_numpy(dtype=float).sum())


def _terms(scenario: Scenario, result: SizingResult) -> dict[str, tuple[float, str]]:
    """NPC term behind each rankable input [USD] and the method, keyed like the assumptions."""
    costs = result.costs
    kpis = result.kpis
    sizes = result.sizes
    first = "first order"
    invest = ("capex", "replacement", "salvage")
    diesel_rows = [str(r) for r in costs.index if str(r).startswith("diesel")]
    pv_total = _cells(costs, ["pv"])
    battery_invest = _cells(costs, ["battery"], invest)
    kwh = float(sizes.get("battery_kwh", 0.0))
    kw = float(sizes.get("battery_kw", 0.0))
    energy_cost = scenario.battery.capex_usd_per_kwh * kwh
    power_cost = scenario.battery.capex_usd_per_kw * kw
    energy_share = energy_cost / (energy_cost + power_cost) if energy_cost + power_cost else 0.0
    fixed = sum(u.om_usd_per_kw_year * u.rated_kw * float(sizes.get(f"diesel_{u.name}_count", 0))
                for u in scenario.diesel.units)
    rated = np.mean([u.rated_kw for u in scenario.diesel.units]) if scenario.diesel.units else 0.0
    running = float(np.mean([u.om_usd_per_run_hour_per_kw for u in scenario.diesel.units])
                    ) * float(rated) * float(kpis.get("diesel_hours_per_year", 0.0)) if (
        scenario.diesel.units) else 0.0
    fixed_share = fixed / (fixed + running) if fixed + running > 0 else 1.0
    litres = float(kpis.get("fuel_l_per_year", 0.0))
    slope = float(np.mean([u.fuel_slope_l_per_kwh for u in scenario.diesel.units])
                  ) if scenario.diesel.units else 0.0
    slope_share = min(1.0, slope * float(kpis.get("diesel_kwh_per_year", 0.0)) / litres
                      ) if litres > 0 else 0.0
    litre_costs = _cells(costs, ["fuel", "transport", "convoys"])
    losses = scenario.solar.losses_fraction
    return {
        "pv.capex_usd_per_kwp": (_cells(costs, ["pv"], invest), first),
        "pv.om_usd_per_kwp_year": (_cells(costs, ["pv"], ["om"]), first),
        "pv.losses_fraction": (pv_total * losses / max(1.0 - losses, 1e-9),
                               "proxy: PV output per kWp scales by (1 - losses)"),
        "battery.capex_usd_per_kwh": (battery_invest * energy_share, first),
        "battery.capex_usd_per_kw": (battery_invest * (1.0 - energy_share), first),
        "battery.om_fraction_per_year": (_cells(costs, ["battery"], ["om"]), first),
        "diesel.capex_usd_per_kw": (_cells(costs, diesel_rows, invest), first),
        "diesel.om_usd_per_kw_year": (_cells(costs, diesel_rows, ["om"]) * fixed_share, first),
        "diesel.om_usd_per_run_hour_per_kw": (
            _cells(costs, diesel_rows, ["om"]) * (1.0 - fixed_share), first),
        "diesel.fuel_slope_l_per_kwh": (litre_costs * slope_share,
                                        "proxy: litres, hence fuel, transport and convoys"),
        "diesel.fuel_intercept_l_per_h_per_kw": (
            litre_costs * (1.0 - slope_share), "proxy: litres, hence fuel, transport and convoys"),
        "fuel.price_usd_per_l": (_cells(costs, list(costs.index), ["fuel"]), first),
        "fuel.transport_usd_per_l_km": (_cells(costs, ["transport"]), first),
        "fuel.escort_usd_per_convoy": (_cells(costs, list(costs.index), ["convoy"]), first),
        "fuel.casualties_per_convoy": (_cells(costs, list(costs.index), ["risk"]), first),
        "fuel.value_per_casualty_usd": (_cells(costs, list(costs.index), ["risk"]), first),
        "fuel.truck_capacity_l": (_cells(costs, list(costs.index), ["convoy", "risk"]),
                                  "proxy: convoys per litre scale inversely"),
        "fuel.trucks_per_convoy": (_cells(costs, list(costs.index), ["convoy", "risk"]),
                                   "proxy: convoys per litre scale inversely"),
        "reliability.value_of_lost_load_usd_per_kwh": (
            _cells(costs, list(costs.index), ["unserved"]), first),
        "logistics.tank_capex_usd_per_l": (_cells(costs, ["fuel_tank"], invest), first),
        "load.kwh_per_person_per_day": (float(kpis.get("npc_usd", 0.0)),
                                        "proxy: the whole NPC scales with the load (upper "
                                        "bound)"),
        "site.monthly_ghi": (pv_total, "proxy: PV output per kWp scales with GHI (worth the "
                                       "PV cost row, first order below solar.max_kwp)"),
    }


def sensitive_estimates(scenario: Scenario, result: SizingResult, top: int = 5
                        ) -> list[SensitiveEstimate]:
    """Rank a study's grade-E inputs by how much a +-20% change moves its NPC.

    A first-order screen on the solved design, without new solves (see the module docstring:
    the envelope theorem for cost coefficients, labelled proxies for physical estimates).

    Parameters
    ----------
    scenario : Scenario
        The scenario solved.
    result : SizingResult
        Its solved design (``costs``, ``sizes``, ``kpis``).
    top : int
        How many to return (>= 1).

    Returns
    -------
    list of SensitiveEstimate
        At most ``top`` grade-E inputs that the screen can rank, largest ``delta_npc_usd``
        first; inputs moving the NPC by less than 1 USD are left out.
    """
    terms = _terms(scenario, result)
    ranked = []
    for item in graded_inputs(scenario):
        key = item.key
        if key.startswith("diesel.units."):  # per unit: diesel.units.<name>.<field>
            key = "diesel." + key.rsplit(".", 1)[-1]
        if item.grade != "E" or key not in terms:
            continue
        term, method = terms[key]
        delta = abs(PERTURBATION * term)
        if delta >= 1.0:
            ranked.append(SensitiveEstimate(item.key, item.value, item.unit, item.grade,
                                            delta, method))
    ranked.sort(key=lambda s: s.delta_npc_usd, reverse=True)
    return ranked[:max(1, int(top))]
