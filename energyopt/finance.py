r"""Money over time: the yearly cash flow of a design, its payback and IRR, and LCOE by part.

The optimiser works in present values (``SizingResult.costs``). A decision maker also asks
*when* the money is spent: :func:`cash_flow` lays every cost term of the model out as the
amounts paid in each year of the horizon, for the design and for its diesel-only baseline,
and from their difference reads the simple and the discounted payback and the internal rate
of return of going from diesel only to the design.

Timing (the model's own, :mod:`energyopt.model.params`)
-------------------------------------------------------
Year 0 is the investment; operating years are 1 .. Y, paid at the end of each year and
discounted by :math:`(1+r)^{-y}`. With :math:`g_y` the load of year :math:`y` over the
modelled year's (:func:`energyopt.load.annual_load_multipliers`) and :math:`e` the fuel price
escalation:

* capital: new PV, battery, diesel units and fuel storage at year 0;
* replacements: PV, battery and storage replaced at the same capex at each end of life
  :math:`kL < Y` (the times of :func:`~energyopt.model.params.replacement_factor`; a
  fractional :math:`kL` is shown in the year it falls in and discounted at its own time);
  diesel wear (capex per running hour, HOMER's replacement cost per operating hour)
  :math:`C/H \times h_g \times g_y` every year;
* O&M: PV per kWp, battery as a share of its capex, diesel per rated kW (fixed) every year,
  and diesel per running hour :math:`\times g_y`;
* fuel: purchase :math:`p B g_y (1+e)^{y-1}` and haulage :math:`h B g_y` (:math:`B` the litres
  bought a year, losses included);
* convoy escort :math:`c K g_y`, valued casualties :math:`v \cdot cas \cdot g_y` and unserved
  energy at the value of lost load, every year;
* salvage (negative): the unused life of the last PV, battery and storage installation
  (:func:`~energyopt.model.params.salvage_factor`) and the capex of new diesel units (their
  life is charged as wear) at year Y.

Every amount is rebuilt from the design's quantities (``result.sizes``, ``result.kpis``, the
dispatch's running hours) and the scenario's prices, not from ``result.costs``; the
discounted sum of the yearly totals must therefore equal the net present cost the optimiser
reports, kind by kind, which the tests check. Amounts are in real USD (the discount rate and
the escalation are real rates, as in the model).

Studies with ``community:`` or ``mission:`` (an uncertain closure year, an expected cost
over several horizons) have no single yearly series: :func:`cash_flow` refuses them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from energyopt.inputs import Inputs
from energyopt.load import annual_load_multipliers
from energyopt.model.params import salvage_factor
from energyopt.results import SizingResult
from energyopt.scenario import Scenario

__all__ = ["CATEGORIES", "CATEGORY_LABELS", "LCOE_PARTS", "Investment", "capital_operating",
           "cash_flow", "investment", "irr", "lcoe_breakdown", "payback_years",
           "replacement_times"]

#: Categories of the yearly cash flow: the cost kinds of ``SizingResult.costs`` (capex is
#: called capital), in the order of the table.
CATEGORIES = ("capital", "replacement", "om", "fuel", "convoy", "risk", "unserved", "salvage")
#: Labels of the categories for people.
CATEGORY_LABELS = {"capital": "capital", "replacement": "replacements", "om": "O&M",
                   "fuel": "fuel and haulage", "convoy": "convoy escort",
                   "risk": "valued casualties", "unserved": "unserved energy",
                   "salvage": "salvage"}
#: Kinds counted as capital in the capital-versus-operating split (the rest is operating).
CAPITAL_KINDS = ("capex", "replacement", "salvage")


def replacement_times(years: int, life_years: float) -> list[float]:
    """Return the times of the replacements inside a horizon [years]: each ``k L < Y``.

    The same rule as :func:`energyopt.model.params.replacement_factor`, whose value is
    ``sum((1 + r) ** -t for t in replacement_times(Y, L))``.
    """
    times = []
    k = 1
    while k * life_years < years - 1e-9:
        times.append(k * life_years)
        k += 1
    return times


def _step_hours(result: SizingResult, inputs: Inputs | None) -> np.ndarray:
    """Hours of a year each step stands for, ``w_t dt_t`` [h]."""
    index = result.dispatch.index
    if inputs is not None and len(inputs.index) == len(index):
        return (inputs.weight * inputs.duration_h).to_numpy(dtype=float)
    n = len(index)
    if n < 2:
        return np.full(n, 8760.0 / max(n, 1))
    # durations from the (tz-aware, hence absolute) index; uniform weights as build_inputs
    seconds = np.diff(pd.DatetimeIndex(index).asi8) / 1e9
    step_h = float(np.median(seconds)) / 3600.0
    duration = np.append(seconds / 3600.0, step_h)
    return duration * 8760.0 / (n * step_h)


def _run_hours(result: SizingResult, unit: str, hours: np.ndarray) -> float:
    """Return the running unit-hours a year of one diesel unit type [h]."""
    col = f"diesel_{unit}_online"
    if col not in result.dispatch.columns:
        return 0.0
    return float((hours * result.dispatch[col].to_numpy(dtype=float)).sum())


def _events(result: SizingResult, scenario: Scenario, inputs: Inputs | None
            ) -> list[tuple[float, str, float]]:
    """Every payment of one result: (time [years], category, amount [USD, real])."""
    h = scenario.horizon
    years = h.years
    growth = annual_load_multipliers(scenario)
    s, k = result.sizes, result.kpis
    sol, bat, fuel, rel = scenario.solar, scenario.battery, scenario.fuel, scenario.reliability
    out: list[tuple[float, str, float]] = []

    def size(key: str) -> float:
        return float(s[key]) if key in s.index else 0.0

    def kpi(key: str) -> float:
        value = float(k[key]) if key in k.index else 0.0
        return value if math.isfinite(value) else 0.0

    def every_year(category: str, amount: float, *, load: bool = False,
                   escalation: float = 0.0) -> None:
        if amount == 0.0:
            return
        for y in range(1, years + 1):
            scale = (growth[y - 1] if load else 1.0) * (1.0 + escalation) ** (y - 1)
            out.append((float(y), category, amount * scale))

    def asset(capex_total: float, capex_new: float, life_years: float) -> None:
        """Capex now, replacements at each end of life, salvage of the unused life at Y."""
        out.append((0.0, "capital", capex_new))
        for t in replacement_times(years, life_years):
            out.append((t, "replacement", capex_total))
        left = salvage_factor(h.discount_rate, years, life_years) * (1.0 + h.discount_rate
                                                                    ) ** years
        if left > 0.0:
            out.append((float(years), "salvage", -capex_total * left))

    # PV (the block exists only when there is or may be PV; a zero size pays nothing)
    kwp = size("pv_kwp")
    asset(sol.capex_usd_per_kwp * kwp, sol.capex_usd_per_kwp * (kwp - sol.existing_kwp),
          sol.lifetime_years)
    every_year("om", sol.om_usd_per_kwp_year * kwp)
    # battery: energy and power capex; O&M a share of the whole capex a year
    kwh, kw = size("battery_kwh"), size("battery_kw")
    total = bat.capex_usd_per_kwh * kwh + bat.capex_usd_per_kw * kw
    asset(total, bat.capex_usd_per_kwh * (kwh - bat.existing_kwh)
          + bat.capex_usd_per_kw * (kw - bat.existing_kw), bat.lifetime_years)
    every_year("om", bat.om_fraction_per_year * total)
    # diesel: new units now and credited back at Y, their life charged as wear per run hour
    hours = _step_hours(result, inputs)
    for u in scenario.diesel.units:
        count = size(f"diesel_{u.name}_count")
        new = count - u.existing
        run_h = _run_hours(result, u.name, hours)
        out.append((0.0, "capital", u.unit_capex_usd * new))
        if new != 0.0:
            out.append((float(years), "salvage", -u.unit_capex_usd * new))
        every_year("replacement", u.unit_capex_usd / u.lifetime_hours * run_h, load=True)
        every_year("om", u.om_usd_per_kw_year * u.rated_kw * count)
        every_year("om", u.om_usd_per_run_hour_per_kw * u.rated_kw * run_h, load=True)
    # fuel, haulage, escort, valued casualties, unserved energy
    bought = kpi("fuel_bought_l_per_year")
    every_year("fuel", fuel.price_usd_per_l * bought, load=True,
               escalation=fuel.escalation_per_year)
    every_year("fuel", fuel.transport_usd_per_l_km * fuel.route_km * bought, load=True)
    every_year("convoy", fuel.escort_usd_per_convoy * kpi("convoys_per_year"), load=True)
    every_year("risk", fuel.value_per_casualty_usd * kpi("expected_casualties_per_year"),
               load=True)
    every_year("unserved", rel.value_of_lost_load_usd_per_kwh * kpi("unserved_kwh_per_year"),
               load=True)
    # fuel storage (with a daily inventory)
    inv = fuel.inventory
    if inv is not None and "fuel_tank_l" in s.index:
        tank = size("fuel_tank_l")
        asset(inv.tank_capex_usd_per_l * tank,
              inv.tank_capex_usd_per_l * (tank - inv.existing_tank_l), inv.tank_lifetime_years)
    return out


def _table(events: list[tuple[float, str, float]], years: int, rate: float) -> pd.DataFrame:
    """Yearly table of one result's payments: categories, total, cumulative, present values."""
    amounts = np.zeros((years + 1, len(CATEGORIES)))
    present = np.zeros(years + 1)
    for t, category, amount in events:
        y = min(int(math.ceil(t - 1e-9)), years)
        amounts[y, CATEGORIES.index(category)] += amount
        present[y] += amount * (1.0 + rate) ** (-t)
    frame = pd.DataFrame(amounts, index=pd.RangeIndex(years + 1, name="year"),
                         columns=[f"{c}_usd" for c in CATEGORIES])
    frame["total_usd"] = frame[[f"{c}_usd" for c in CATEGORIES]].sum(axis=1)
    frame["cumulative_usd"] = frame["total_usd"].cumsum()
    frame["present_value_usd"] = present
    frame["cumulative_present_value_usd"] = np.cumsum(present)
    return frame


def _check_supported(scenario: Scenario) -> None:
    if scenario.mission is not None or scenario.community is not None:
        raise ValueError(
            "cash_flow: a study with community: or mission: has no single yearly cash flow "
            "(its costs are expectations over several closure years and it carries the "
            "community's value); drop those sections to see the camp's own cash flow")


def cash_flow(result: SizingResult, scenario: Scenario, inputs: Inputs | None = None
              ) -> pd.DataFrame:
    """Return the yearly cash flow of a design and of its diesel-only baseline.

    Parameters
    ----------
    result : SizingResult
        The solved design, with its baseline when one was computed.
    scenario : Scenario
        The scenario solved: its prices, lifetimes, discount rate, horizon and load growth
        (a result does not carry them).
    inputs : Inputs, optional
        The inputs solved (exact step weights for the running hours of each diesel unit
        type); without them the weights are the uniform ones :func:`energyopt.build_inputs`
        gives, taken from the dispatch's time index.

    Returns
    -------
    pandas.DataFrame
        Index ``year`` 0 .. ``horizon.years``. For the design, in USD (real): one column per
        category ``capital_usd``, ``replacement_usd``, ``om_usd``, ``fuel_usd`` (purchase and
        haulage), ``convoy_usd``, ``risk_usd``, ``unserved_usd``, ``salvage_usd`` (negative),
        then ``total_usd``, ``cumulative_usd``, ``present_value_usd`` (the year's payments
        discounted to year 0) and ``cumulative_present_value_usd``. The same columns prefixed
        ``diesel_only_`` for the baseline, and ``saving_usd`` (diesel only minus design),
        ``cumulative_saving_usd``, ``saving_present_value_usd`` and
        ``cumulative_saving_present_value_usd`` (NaN without a baseline). ``attrs`` holds
        ``discount_rate``, ``years`` and the :class:`Investment` figures
        ``simple_payback_years``, ``discounted_payback_years`` and ``irr`` (None when not
        reached or not defined).

    Raises
    ------
    ValueError
        For a study with ``community:`` or ``mission:``.

    Notes
    -----
    ``present_value_usd`` summed over the years equals ``result.kpis["npc_usd"]`` (the sum of
    ``result.costs``) to rounding: each category's present value is its column of
    ``result.costs``.
    """
    _check_supported(scenario)
    years, rate = scenario.horizon.years, scenario.horizon.discount_rate
    design = _table(_events(result, scenario, inputs), years, rate)
    base = result.baseline
    if base is not None:
        other = _table(_events(base, scenario, inputs), years, rate)
    else:
        other = pd.DataFrame(np.nan, index=design.index, columns=design.columns)
    frame = pd.concat([design, other.add_prefix("diesel_only_")], axis=1)
    frame["saving_usd"] = frame["diesel_only_total_usd"] - frame["total_usd"]
    frame["cumulative_saving_usd"] = frame["saving_usd"].cumsum()
    frame["saving_present_value_usd"] = (frame["diesel_only_present_value_usd"]
                                         - frame["present_value_usd"])
    frame["cumulative_saving_present_value_usd"] = frame["saving_present_value_usd"].cumsum()
    inv = _investment(result, scenario, inputs, frame)
    frame.attrs.update({"discount_rate": rate, "years": years,
                        "simple_payback_years": inv.simple_payback_years,
                        "discounted_payback_years": inv.discounted_payback_years,
                        "irr": inv.irr})
    return frame


def payback_years(cumulative_saving: Iterable[float]) -> float | None:
    """Years until a cumulative saving first reaches zero, interpolated within the year.

    Parameters
    ----------
    cumulative_saving : iterable of float
        Cumulative saving at the end of years 0, 1, ... [USD] (negative while the extra
        investment is not yet earned back).

    Returns
    -------
    float or None
        0 when the saving is never negative; ``y - 1 + s_{y-1} / (s_{y-1} - s_y)`` for the
        first year ``y`` whose cumulative saving ``s_y`` is at least zero (the year's saving
        taken as earned evenly through it); None when it stays negative over the horizon.
    """
    values = [float(v) for v in cumulative_saving]
    if not values or any(math.isnan(v) for v in values):
        return None
    if values[0] >= 0.0:
        return 0.0
    for y in range(1, len(values)):
        if values[y] >= 0.0:
            before, now = values[y - 1], values[y]
            return (y - 1) + (-before) / (now - before)
    return None


def irr(amounts: Sequence[float], times: Sequence[float] | None = None, *,
        low: float = -0.99, high: float = 10.0) -> float | None:
    """Return the internal rate of return of a series of payments: the rate of zero NPV.

    Parameters
    ----------
    amounts : sequence of float
        Net amounts received (negative: paid) [USD].
    times : sequence of float, optional
        When each amount falls [years]; by default 0, 1, 2 ...
    low, high : float
        Rates searched [1/yr]; ``low`` must be above -1.

    Returns
    -------
    float or None
        The lowest rate in ``[low, high]`` at which ``NPV(rate) = sum a_i (1 + rate) ** -t_i``
        changes sign (found by :func:`scipy.optimize.brentq` inside the first bracket of a
        grid of rates); None when the NPV does not change sign there (e.g. all amounts of one
        sign: no investment to earn back, or never earned back).
    """
    a = np.asarray(amounts, dtype=float)
    t = np.arange(len(a), dtype=float) if times is None else np.asarray(times, dtype=float)
    if len(a) != len(t):
        raise ValueError(f"irr: {len(a)} amounts but {len(t)} times")
    if len(a) == 0 or not np.isfinite(a).all():
        return None

    def npv(rate: float) -> float:
        return float((a * (1.0 + rate) ** (-t)).sum())

    grid = np.unique(np.concatenate([np.linspace(low, 0.0, 100, endpoint=False),
                                     np.geomspace(1e-4, high, 200), [0.0]]))
    values = np.array([npv(x) for x in grid])
    for i in range(len(grid) - 1):
        if values[i] == 0.0:
            return float(grid[i])
        if values[i] * values[i + 1] < 0.0:
            return float(brentq(npv, grid[i], grid[i + 1], xtol=1e-12, rtol=1e-12))
    return float(grid[-1]) if values[-1] == 0.0 else None


@dataclass(frozen=True)
class Investment:
    """What going from diesel only to the design earns.

    Attributes
    ----------
    simple_payback_years : float or None
        Years until the cumulative (undiscounted) saving reaches zero; None: not within the
        horizon (or no baseline).
    discounted_payback_years : float or None
        The same on the savings discounted at the scenario's rate.
    irr : float or None
        Internal rate of return of the saving series [1/yr] (real); None when its NPV does
        not change sign (nothing to earn back, or never earned back).
    npv_saving_usd : float
        Net present cost of diesel only minus that of the design [USD] (NaN without a
        baseline).
    """

    simple_payback_years: float | None
    discounted_payback_years: float | None
    irr: float | None
    npv_saving_usd: float


def _investment(result: SizingResult, scenario: Scenario, inputs: Inputs | None,
                frame: pd.DataFrame) -> Investment:
    if result.baseline is None:
        return Investment(None, None, None, float("nan"))
    # the IRR on the exact payment times (a fractional replacement time is not rounded)
    events = ([(t, -a) for t, _, a in _events(result, scenario, inputs)]
              + [(t, a) for t, _, a in _events(result.baseline, scenario, inputs)])
    return Investment(
        simple_payback_years=payback_years(frame["cumulative_saving_usd"]),
        discounted_payback_years=payback_years(frame["cumulative_saving_present_value_usd"]),
        irr=irr([a for _, a in events], [t for t, _ in events]),
        npv_saving_usd=float(frame["saving_present_value_usd"].sum()))


def investment(result: SizingResult, scenario: Scenario, inputs: Inputs | None = None
               ) -> Investment:
    """Return the payback and IRR of the design against diesel only (see :func:`cash_flow`)."""
    frame = cash_flow(result, scenario, inputs)
    return _investment(result, scenario, inputs, frame)


def capital_operating(result: SizingResult) -> pd.DataFrame:
    """Split the net present cost into capital and operating parts.

    Capital: capex, replacements and salvage; operating: everything else (O&M, fuel and
    haulage, escort, valued casualties, unserved energy, and any community value).

    Returns
    -------
    pandas.DataFrame
        Index ``capital``, ``operating``, ``total``; columns ``design`` and ``diesel_only``
        (NaN without a baseline): present values [USD].
    """
    def split(costs: pd.DataFrame) -> list[float]:
        cap = float(costs[[c for c in CAPITAL_KINDS if c in costs]].to_numpy().sum())
        total = float(costs.to_numpy().sum())
        return [cap, total - cap, total]

    base = result.baseline
    return pd.DataFrame({"design": split(result.costs),
                         "diesel_only": split(base.costs) if base is not None
                         else [float("nan")] * 3},
                        index=pd.Index(["capital", "operating", "total"], name="part"))


#: Parts of the LCOE: (label, cost rows (a name ending in ``_`` matches every row it starts,
#: e.g. each diesel unit type), cost kinds or None for every kind). Rows not matched fall into
#: ``other``.
LCOE_PARTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...] | None], ...] = (
    ("PV", ("pv",), None),
    ("battery", ("battery",), None),
    ("diesel capital and wear", ("diesel_",), CAPITAL_KINDS),
    ("diesel O&M", ("diesel_",), ("om",)),
    ("fuel purchase", ("fuel",), None),
    ("fuel haulage", ("transport",), None),
    ("convoy escort", ("convoys",), ("convoy",)),
    ("valued casualties", ("convoys",), ("risk",)),
    ("fuel storage", ("fuel_tank",), None),
    ("unserved energy", ("unserved",), None),
)


def lcoe_breakdown(result: SizingResult, scenario: Scenario | None = None) -> pd.Series:
    """Break the levelised cost of electricity down by component [USD/kWh].

    LCOE is the net present cost over the discounted energy served,
    ``NPC / (E_served A_v)`` with ``A_v`` the load-weighted annuity of the model. Each part
    is its rows of ``result.costs`` over the same denominator, so the parts sum to
    ``result.kpis["lcoe_usd_per_kwh"]``.

    Parameters
    ----------
    result : SizingResult
        The design.
    scenario : Scenario, optional
        With it the denominator is rebuilt from the served energy and the scenario's discount
        rate, horizon and load growth (an independent check of the LCOE); without it, it is
        ``npc_usd / lcoe_usd_per_kwh``.

    Returns
    -------
    pandas.Series
        One value per part of :data:`LCOE_PARTS` present (PV, battery, diesel capital and
        wear, diesel O&M, fuel purchase, fuel haulage, convoy escort, valued casualties, fuel
        storage, unserved energy) and ``other`` for any row left, in USD/kWh; parts that are
        zero are left out.
    """
    costs = result.costs
    kpis = result.kpis
    if scenario is not None:
        from energyopt.model.params import annuity

        served = float(kpis["load_kwh_per_year"]) - float(kpis.get("unserved_kwh_per_year", 0.0))
        h = scenario.horizon
        denominator = served * annuity(h.discount_rate, h.years,
                                       weights=annual_load_multipliers(scenario))
    else:
        denominator = float(kpis["npc_usd"]) / float(kpis["lcoe_usd_per_kwh"])
    used = pd.DataFrame(False, index=costs.index, columns=costs.columns)
    parts: dict[str, float] = {}
    for label, prefixes, kinds in LCOE_PARTS:
        rows = [r for r in costs.index if any(
            str(r).startswith(p) if p.endswith("_") else str(r) == p for p in prefixes)]
        cols = [c for c in costs.columns if kinds is None or c in kinds]
        if not rows or not cols:
            continue
        block = costs.loc[rows, cols]
        used.loc[rows, cols] = True
        value = float(block.to_numpy().sum()) / denominator
        if value != 0.0:
            parts[label] = parts.get(label, 0.0) + value
    left = float(costs.where(~used, 0.0).to_numpy().sum())
    if left != 0.0:
        parts["other"] = left / denominator
    return pd.Series(parts, name="lcoe_usd_per_kwh", dtype=float)
