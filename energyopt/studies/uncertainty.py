r"""Uncertain inputs: how a chosen design's cost and saving spread, and each candidate's regret.

A design is chosen today on one fuel price, one escalation, one convoy risk and one mission
length; all four are uncertain. :func:`uncertainty` samples them (a Latin hypercube over the
ranges below, seeded) and, for each candidate design, computes its net present cost in every
sample by **re-pricing the fixed design and its fixed dispatch**: the sizes, the hourly
operation, the fuel bought, the convoys and the running hours stay those of the solve; only
their prices and the years they are paid for change. No model is solved again, so 200 samples
of several designs take seconds.

How each cost is re-priced (every factor is the model's own, from
:func:`energyopt.model.params.model_params` of the sampled scenario: the annuity :math:`A`,
the load-weighted annuity :math:`A_v`, the escalating fuel annuity :math:`A_e`, replacement
and salvage factors, the end-of-horizon discount):

* capital: unchanged (paid at the start);
* fuel bought: price :math:`\times A_e \times` litres bought a year (linear in the price;
  escalation and mission length enter through :math:`A_e`); haulage, escort, unserved energy
  and a diesel unit's running-hour O&M and wear: scaled by :math:`A_v`;
* risk: scaled by :math:`A_v` and by the risk factor (the convoys are the same; each carries
  ``factor`` times the expected casualties);
* fixed O&M: :math:`A` times the installed kit; replacements and salvage of PV, battery and
  fuel tank: the kit's capital times the sampled life factors (a longer mission can add a
  replacement); a new diesel unit's salvage: scaled by the end-of-horizon discount.

At the scenario's own values every term equals the solve's (the zero-width test checks it to
1e-6). The re-priced cost of a fixed dispatch is what the design costs if operated as planned:
an upper bound on the cost of re-dispatching it for the sampled prices (fuel use is already
least-cost for the design, so the bound is tight in practice). One quantity stays fixed that a
new solve would move: the model averages PV degradation over the horizon, so a sampled mission
length changes PV's average output a little (at 0.5 %/yr, 5 years more lower it by about
1.2 %); the fixed dispatch keeps the output of the solved horizon.

Default ranges (uniform; override with ``ranges=``)
---------------------------------------------------
=======================  ==================  ==============================================
key                      default             why
=======================  ==================  ==============================================
``fuel_price_factor``    0.7 - 1.6           times ``fuel.price_usd_per_l``: from the ~0.70
                                             USD/L purchase price (S, StrategyPage 2010) to a
                                             2022-like spike (E)
``escalation_per_year``  -0.01 - 0.04        real escalation of the fuel price [1/yr] (E)
``risk_factor``          0.5 - 2.0           times the casualties per convoy, truck and km:
                                             Iraq FY2007 0.026 to Afghanistan FY2007 0.042
                                             is x1.6 (S, AEPI 2009); a factor 2 either way
                                             (D)
``mission_years``        Y/2 - 3Y/2          whole years of the horizon ``Y`` (at least 1,
                                             at most 40): mandates are renewed year by year
                                             and MINUSMA ran 10 years, 2013-2023 (S, E)
=======================  ==================  ==============================================
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from energyopt.errors import Problem, ScenarioError
from energyopt.inputs import Inputs, build_inputs
from energyopt.model import ModelParams, model_params
from energyopt.optimize import optimize
from energyopt.results import SizingResult
from energyopt.scenario import Scenario, load_scenario

__all__ = ["RANGE_KEYS", "Uncertainty", "default_ranges", "reprice", "uncertainty"]

#: The uncertain inputs, in the order of the sample table's columns.
RANGE_KEYS = ("fuel_price_factor", "escalation_per_year", "risk_factor", "mission_years")


def default_ranges(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Return the default ranges of the uncertain inputs (see the module notes).

    Parameters
    ----------
    scenario : Scenario
        For the horizon's years.

    Returns
    -------
    dict
        ``key -> (low, high)``.
    """
    years = scenario.horizon.years
    return {"fuel_price_factor": (0.7, 1.6), "escalation_per_year": (-0.01, 0.04),
            "risk_factor": (0.5, 2.0),
            "mission_years": (float(max(1, round(0.5 * years))),
                              float(min(40, max(1, round(1.5 * years)))))}


def _check_ranges(scenario: Scenario, ranges: Mapping[str, Any] | None
                  ) -> dict[str, tuple[float, float]]:
    out = default_ranges(scenario)
    problems: list[Problem] = []
    for key, value in (ranges or {}).items():
        where = f"ranges.{key}"
        if key not in RANGE_KEYS:
            problems.append(Problem(where, value, f"unknown uncertain input; use one of "
                                    f"{', '.join(RANGE_KEYS)}"))
            continue
        try:
            low, high = (float(v) for v in value)
        except (TypeError, ValueError):
            problems.append(Problem(where, value, "give (low, high), two numbers"))
            continue
        if not (math.isfinite(low) and math.isfinite(high)) or low > high:
            problems.append(Problem(where, value, "give finite (low, high) with low <= high"))
            continue
        if key in ("fuel_price_factor", "risk_factor") and low < 0.0:
            problems.append(Problem(where, value, "a factor cannot be negative; give low >= 0"))
            continue
        if key == "escalation_per_year" and (low < -0.2 or high > 0.5):
            problems.append(Problem(where, value, "give escalation within -0.2..0.5 [1/yr] "
                                    "(fuel.escalation_per_year's bounds)"))
            continue
        if key == "mission_years" and (low < 1 or high > 40 or low != int(low)
                                       or high != int(high)):
            problems.append(Problem(where, value, "give whole years within 1..40"))
            continue
        out[key] = (low, high)
    if problems:
        raise ScenarioError(problems, "uncertainty")
    return out


def _samples(scenario: Scenario, ranges: dict[str, tuple[float, float]], samples: int,
             seed: int, method: str) -> pd.DataFrame:
    d = len(RANGE_KEYS)
    if method == "lhs":
        from scipy.stats import qmc  # scipy.stats takes a while to import: only when sampling

        u = qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed)).random(samples)
    else:
        u = np.random.default_rng(seed).random((samples, d))
    cols: dict[str, np.ndarray] = {}
    for j, key in enumerate(RANGE_KEYS):
        low, high = ranges[key]
        if key == "mission_years":
            n = int(high - low) + 1
            cols[key] = np.minimum(low + np.floor(u[:, j] * n), high).astype(int)
        else:
            cols[key] = low + u[:, j] * (high - low)
    frame = pd.DataFrame(cols)
    frame.insert(0, "fuel_price_usd_per_l",
                 frame["fuel_price_factor"] * scenario.fuel.price_usd_per_l)
    frame.index.name = "sample"
    return frame


def _sampled(scenario: Scenario, row: pd.Series) -> Scenario:
    f = float(row["risk_factor"])
    fuel = scenario.fuel
    return scenario.with_overrides({
        "fuel.price_usd_per_l": float(row["fuel_price_usd_per_l"]),
        "fuel.escalation_per_year": float(row["escalation_per_year"]),
        "fuel.casualties_per_convoy": fuel.casualties_per_convoy * f,
        "fuel.casualties_per_truck": fuel.casualties_per_truck * f,
        "fuel.casualties_per_convoy_km": fuel.casualties_per_convoy_km * f,
        "horizon.years": int(row["mission_years"]),
    })


def _ratio(new: float, old: float) -> float:
    return new / old if old != 0.0 else (1.0 if new == 0.0 else math.nan)


def reprice(result: SizingResult, p0: ModelParams, p: ModelParams,
            risk_factor: float = 1.0) -> pd.DataFrame:
    """Re-price a solved design and its dispatch with other economic factors.

    Parameters
    ----------
    result : SizingResult
        A design solved with the parameters ``p0``.
    p0 : ModelParams
        The parameters it was solved with (:func:`energyopt.model.params.model_params`).
    p : ModelParams
        The parameters to price it with (same time series; other prices, escalation, risk
        and horizon).
    risk_factor : float
        Expected casualties per convoy and truck in ``p`` over those in ``p0`` [-].

    Returns
    -------
    pandas.DataFrame
        Present values [USD] like ``result.costs`` (component x kind); their sum is the
        design's net present cost under ``p``.

    Raises
    ------
    ValueError
        For a cost this function cannot re-price (a host community's value).
    """
    sizes = result.sizes
    k = result.kpis

    def size(name: str) -> float:
        return float(sizes[name]) if name in sizes.index else 0.0

    pv_kit = p.pv_capex_usd_per_kwp * size("pv_kwp")
    bat_kit = p.bat_capex_usd_per_kwh * size("battery_kwh") + p.bat_capex_usd_per_kw * size(
        "battery_kw")
    tank_kit = 0.0 if p.logistics is None else p.logistics.tank_capex_usd_per_l * size(
        "fuel_tank_l")
    units = {f"diesel_{u.name}": u for u in p.diesel}
    av = _ratio(p.variable_annuity, p0.variable_annuity)
    a = _ratio(p.annuity, p0.annuity)
    out = result.costs.copy().astype(float)
    values = out.to_numpy(dtype=float, copy=True)
    for i, comp in enumerate(out.index):
        for j, kind in enumerate(out.columns):
            v = float(values[i, j])
            if kind == "capex":
                new = v
            elif kind == "fuel" and comp == "fuel":
                bought = float(k["fuel_bought_l_per_year"])
                new = p.fuel_price_usd_per_l * p.fuel_annuity * bought
            elif kind in ("fuel", "convoy", "unserved"):
                new = v * av
            elif kind == "risk":
                new = v * av * risk_factor
            elif kind == "om" and comp == "pv":
                new = p.pv_om_usd_per_kwp_year * p.annuity * size("pv_kwp")
            elif kind == "om" and comp == "battery":
                new = p.bat_om_fraction * p.annuity * bat_kit
            elif kind == "om" and comp in units:
                u = units[comp]
                fixed = u.om_usd_per_kw_year * u.rated_kw * size(f"{comp}_count")
                new = fixed * p.annuity + (v - fixed * p0.annuity) * av
            elif kind == "om":
                new = v * a
            elif kind == "replacement" and comp in units:
                new = v * av
            elif kind == "replacement" and comp in ("pv", "battery", "fuel_tank"):
                kit, factor = {"pv": (pv_kit, p.pv_replacement_factor),
                               "battery": (bat_kit, p.bat_replacement_factor),
                               "fuel_tank": (tank_kit, 0.0 if p.logistics is None
                                             else p.logistics.tank_replacement_factor)}[comp]
                new = kit * factor
            elif kind == "salvage" and comp in units:
                new = v * _ratio(p.end_discount, p0.end_discount)
            elif kind == "salvage" and comp in ("pv", "battery", "fuel_tank"):
                kit, factor = {"pv": (pv_kit, p.pv_salvage_factor),
                               "battery": (bat_kit, p.bat_salvage_factor),
                               "fuel_tank": (tank_kit, 0.0 if p.logistics is None
                                             else p.logistics.tank_salvage_factor)}[comp]
                new = -kit * factor
            elif v == 0.0:
                new = 0.0
            else:
                raise ValueError(f"cannot re-price the {kind} cost of {comp}")
            values[i, j] = new
    return pd.DataFrame(values, index=out.index, columns=out.columns)


@dataclass
class Uncertainty:
    """Distributions of net present cost and saving, and the regret of each candidate.

    Attributes
    ----------
    samples : pandas.DataFrame
        One row per sample: ``fuel_price_usd_per_l`` [USD/L], ``fuel_price_factor``,
        ``escalation_per_year`` [1/yr], ``risk_factor``, ``mission_years`` [yr].
    npc_usd : pandas.DataFrame
        Net present cost of each candidate (columns) in each sample [USD].
    saving_usd : pandas.DataFrame or None
        Diesel-only cost minus each candidate's, per sample [USD]; None without a
        ``diesel_only`` candidate.
    regret_usd : pandas.DataFrame
        Each candidate's cost minus the least cost of any candidate in the sample [USD]
        (zero for the sample's best).
    summary : pandas.DataFrame
        One row per candidate: ``npc_usd`` (as solved), ``npc_usd_mean``, ``npc_usd_p10``,
        ``npc_usd_p50``, ``npc_usd_p90``, ``saving_usd_p10`` ... ``p90`` (with a diesel-only
        candidate), ``regret_usd_mean``, ``regret_usd_max`` and ``best_share`` (share of the
        samples in which it is the cheapest).
    ranges : dict
        The ranges sampled, ``key -> (low, high)``.
    """

    samples: pd.DataFrame
    npc_usd: pd.DataFrame
    saving_usd: pd.DataFrame | None
    regret_usd: pd.DataFrame
    summary: pd.DataFrame
    ranges: dict[str, tuple[float, float]]


def uncertainty(scenario: Scenario | str | Path | Mapping[str, Any],
                designs: SizingResult | Mapping[str, SizingResult] | None = None,
                samples: int = 200, seed: int = 0,
                ranges: Mapping[str, Any] | None = None, *, method: str = "lhs",
                inputs: Inputs | None = None) -> Uncertainty:
    """Sample fuel price, escalation, risk and mission length; re-price candidate designs.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The scenario the designs were solved on.
    designs : SizingResult or mapping of str to SizingResult, optional
        The candidates. None: the scenario's optimum (``design``) and its diesel-only
        baseline (``diesel_only``), solved here; a SizingResult: it and its baseline; a
        mapping: those (e.g. the designs of :func:`energyopt.studies.budget.front_points`).
        A candidate named ``diesel_only`` is the reference of the savings.
    samples : int
        Number of samples (at least 1).
    seed : int
        Seed of the sampling; the same seed gives the same samples.
    ranges : mapping, optional
        ``key -> (low, high)`` for any of ``fuel_price_factor``, ``escalation_per_year``,
        ``risk_factor``, ``mission_years`` (see the module notes for the defaults); a
        zero-width range fixes that input.
    method : str
        ``lhs`` (Latin hypercube, the default) or ``mc`` (plain Monte Carlo).
    inputs : Inputs, optional
        The scenario's inputs, to reuse.

    Returns
    -------
    Uncertainty

    Raises
    ------
    ScenarioError
        For bad ranges or samples, or a scenario with ``community:`` or ``mission:`` (their
        value and end-of-mission terms are not re-priced here).
    """
    scenario = load_scenario(scenario)
    if scenario.community is not None or scenario.mission is not None:
        section = "community" if scenario.community is not None else "mission"
        raise ScenarioError.single(section, "set", "uncertainty re-prices a camp's own costs; "
                                   "the host community's value and the end-of-mission terms "
                                   "are not re-priced: remove the section for this study")
    if samples < 1:
        raise ScenarioError.single("samples", samples, "give at least 1 sample")
    if method not in ("lhs", "mc"):
        raise ScenarioError.single("method", method, "use 'lhs' (Latin hypercube) or 'mc'")
    bounds = _check_ranges(scenario, ranges)
    if designs is None:
        designs = optimize(scenario, inputs=inputs)
    if isinstance(designs, SizingResult):
        candidates = {"design": designs}
        if designs.baseline is not None:
            candidates["diesel_only"] = designs.baseline
    else:
        candidates = dict(designs)
    if not candidates:
        raise ScenarioError.single("designs", designs, "give at least one design")
    if inputs is None:
        inputs = build_inputs(scenario)
    p0 = model_params(scenario, inputs)
    table = _samples(scenario, bounds, samples, seed, method)
    npc = np.empty((samples, len(candidates)))
    for i, (_, row) in enumerate(table.iterrows()):
        p = model_params(_sampled(scenario, row), inputs)
        for j, result in enumerate(candidates.values()):
            npc[i, j] = float(reprice(result, p0, p, float(row["risk_factor"])).to_numpy().sum())
    names = list(candidates)
    npc_frame = pd.DataFrame(npc, index=table.index, columns=names)
    regret = npc_frame.sub(npc_frame.min(axis=1), axis=0)
    saving = None
    if "diesel_only" in candidates:
        saving = npc_frame.rsub(npc_frame["diesel_only"], axis=0)
    rows = []
    for name in names:
        col = npc_frame[name]
        row_out: dict[str, Any] = {
            "candidate": name, "npc_usd": float(candidates[name].kpis["npc_usd"]),
            "npc_usd_mean": float(col.mean()), "npc_usd_p10": float(col.quantile(0.1)),
            "npc_usd_p50": float(col.quantile(0.5)), "npc_usd_p90": float(col.quantile(0.9))}
        if saving is not None:
            s = saving[name]
            row_out.update({"saving_usd_p10": float(s.quantile(0.1)),
                            "saving_usd_p50": float(s.quantile(0.5)),
                            "saving_usd_p90": float(s.quantile(0.9))})
        r = regret[name]
        row_out.update({"regret_usd_mean": float(r.mean()), "regret_usd_max": float(r.max()),
                        "best_share": float((r <= 0.0).mean())})
        rows.append(row_out)
    summary = pd.DataFrame(rows).set_index("candidate")
    return Uncertainty(samples=table, npc_usd=npc_frame, saving_usd=saving, regret_usd=regret,
                       summary=summary, ranges=bounds)
