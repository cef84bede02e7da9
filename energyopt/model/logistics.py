r"""Logistics block: daily fuel inventory, whole truckloads, convoys, closed roads, autonomy.

Enabled by the scenario's ``fuel.inventory`` section; without it the model keeps the annual
fuel accounting of :mod:`energyopt.model.fuel` unchanged.

Days :math:`d` are the local calendar days of the steps (steps grouped by date; a day may be
partial at the ends of the period or of a dispatch window, or short by a clock change). A
convoy arrives at the start of its day, before that day's burn, so the stock is highest just
after an arrival and lowest at the day's end.

Equations
---------
.. math::

    B_d = \sum_{t \in d} \sum_g f_{g,t} \quad [L]

    S_d = S_{d-1} + Q_d - B_d, \quad S_{-1} = S_{D-1} \text{ (cyclic) or given}

    S_{d-1} + Q_d \le K, \quad K^{exist} \le K, \quad K \le K^{max}

    Q_d \le V (1 - \lambda) n_d, \quad n_d \le m \, c_d, \quad n_d, c_d \in \mathbb{Z}_{\ge 0},
    \quad n_d = c_d = 0 \text{ on days closed to arrivals}

    S_d \ge \sigma \bar B, \quad \bar B = 24 \sum_d w_d B_d / \sum_d w_d h_d

    S_{d-1} \ge \sum_{j=0}^{N-1} B_{d+j} \quad \text{(autonomy; } B \text{ wraps around a
    cyclic period, reads the planned burn after a window)}

Annual figures: trucks :math:`T = \sum_d w_d n_d`, convoys :math:`C = \sum_d w_d c_d`, fuel
delivered :math:`\sum_d w_d Q_d` (equal to the fuel burned over a cyclic period). A truck
counts whole whatever it carries (the last one of a convoy may run part-loaded).

In a dispatch window (a given opening stock), the stock may be topped up and the safety and
autonomy rows are soft: each litre topped up or short costs ``WINDOW_SHORTFALL_USD_PER_L``
times the largest day weight (the full-year solve after the windows holds every row hard).

The autonomy row says: if supply stops from the start of day :math:`d` (no arrival that day
or on the next :math:`N-1` days), the stock left at the end of day :math:`d-1` covers the
planned burn of those :math:`N` days down to an empty tank (the safety stock is drawn in a
denial). Arrival days are the schedule's days (free, weekly, fortnightly, monthly, with an
offset) minus closed-road days and the days whose lead time crosses a closure.

Costs: new storage :math:`c (K - K^{exist})`; replacement :math:`c K R(L)`; salvage
:math:`-c K S(L)`. Purchase, haulage, escort and risk are in :mod:`energyopt.model.fuel`.

===============  ========================================  ======================================
symbol           meaning                                   input
===============  ========================================  ======================================
:math:`K`        fuel storage [L] (``m.logistics.tank_l``)  ``fuel.inventory.existing_tank_l``,
                                                           ``max_tank_l``
:math:`S_d`      stock at day end [L] (``stock_l``)
:math:`Q_d`      fuel arriving [L] (``delivered_l``)
:math:`B_d`      fuel burned [L] (``burn_l``)              (``m.diesel.fuel_l``)
:math:`n_d,c_d`  trucks, convoys arriving (``trucks``,
                 ``convoys``)
:math:`V,m`      truck load, trucks per convoy             ``fuel.truck_capacity_l``,
                                                           ``fuel.trucks_per_convoy``
:math:`\lambda`  share lost on the road                    ``fuel.loss_fraction``
:math:`\sigma`   safety stock [days of mean burn]          ``fuel.inventory.safety_stock_days``
:math:`N`        autonomy [d]                              ``fuel.inventory.autonomy_days``
:math:`w_d,h_d`  day weight, hours in the day              step weights and durations
:math:`c, L`     storage capex [USD/L], life               ``tank_capex_usd_per_l``,
                                                           ``tank_lifetime_years``
===============  ========================================  ======================================
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyomo.environ as pyo

from energyopt.model.common import add_cost
from energyopt.model.params import ModelParams

__all__ = ["WINDOW_SHORTFALL_USD_PER_L", "add_logistics", "day_groups"]

#: Price of each litre a dispatch window's stock falls short of its safety or autonomy rows
#: (per unit of day weight) [USD/L]: far above any delivered cost of a litre.
WINDOW_SHORTFALL_USD_PER_L = 1000.0

#: Litres per kL: the stock variables are in kL (``*_kl``), with litre expressions beside them.
KL = 1000.0


def day_groups(day_of_step: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Group steps by day.

    Parameters
    ----------
    day_of_step : numpy.ndarray
        Day number of each step (non-decreasing).

    Returns
    -------
    days : numpy.ndarray
        The day numbers present, in order.
    steps : list of numpy.ndarray
        The steps of each of those days.
    """
    days, first = np.unique(day_of_step, return_index=True)
    bounds = [*first.tolist(), len(day_of_step)]
    return days, [np.arange(bounds[k], bounds[k + 1]) for k in range(len(days))]


def add_logistics(m: pyo.ConcreteModel, p: ModelParams) -> None:
    """Add ``m.logistics`` (skipped without ``fuel.inventory``); needs ``m.diesel``."""
    lg = p.logistics
    if lg is None:
        return
    b = m.logistics = pyo.Block()
    days, steps = day_groups(lg.day_of_step)
    nd = len(days)
    b.D = pyo.RangeSet(0, nd - 1)
    dur, w = p.duration_h, p.weight
    hours = np.array([float(dur[s].sum()) for s in steps])
    weight = np.array([float((w[s] * dur[s]).sum()) / h for s, h in zip(steps, hours,
                                                                        strict=True)])
    b.day_number = days
    b.day_weight = weight
    per_truck_l = p.truck_capacity_l * (1.0 - p.loss_fraction)
    per_convoy = p.trucks_per_convoy
    open_day = lg.arrival_open[days]
    most_convoys = math.ceil(lg.max_trucks_per_day / per_convoy - 1e-9)
    d = m.diesel

    b.tank_kl = pyo.Var(bounds=(lg.existing_tank_l / KL, None),
                        initialize=lg.existing_tank_l / KL)
    b.tank_max = pyo.Constraint(expr=b.tank_kl <= lg.max_tank_l / KL)
    top_kl = lg.max_tank_l / KL
    b.stock_kl = pyo.Var(b.D, within=pyo.NonNegativeReals, bounds=(0.0, top_kl))
    b.burn_kl = pyo.Var(b.D, within=pyo.NonNegativeReals)
    b.delivered_kl = pyo.Var(b.D, within=pyo.NonNegativeReals,
                             bounds=lambda _, k: (0.0, top_kl if open_day[k] else 0.0))
    b.trucks = pyo.Var(b.D, within=pyo.NonNegativeIntegers,
                       bounds=lambda _, k: (0, lg.max_trucks_per_day if open_day[k] else 0))
    b.convoys = pyo.Var(b.D, within=pyo.NonNegativeIntegers,
                        bounds=lambda _, k: (0, most_convoys if open_day[k] else 0))

    b.burn_def = pyo.Constraint(b.D, rule=lambda _, k: KL * b.burn_kl[k] == sum(
        d.fuel_l[g, int(t)] for t in steps[k] for g in d.G))
    init = None if lg.initial_l is None else lg.initial_l / KL

    def _before(k: int) -> Any:
        return init if k == 0 and init is not None else b.stock_kl[(k - 1) % nd]

    window = init is not None
    if window:
        # a window starts from the stock the previous one left, which may fall short of what
        # its own commitment burns or needs in reserve: it may top up (``topup_kl``) and fall
        # short of its safety and autonomy rows (``short_kl``), each litre priced far above
        # delivering it; the full-year solve that follows holds every row hard
        b.short_kl = pyo.Var(b.D, within=pyo.NonNegativeReals)
        b.topup_kl = pyo.Var(b.D, within=pyo.NonNegativeReals)
        penalty = WINDOW_SHORTFALL_USD_PER_L * float(weight.max())
        add_cost(m, b, "fuel_stock_shortfall", "fuel",
                 penalty * KL * sum(b.short_kl[k] + b.topup_kl[k] for k in b.D))

    def _short(k: int) -> Any:
        return b.short_kl[k] if window else 0.0

    def _topup(k: int) -> Any:
        return b.topup_kl[k] if window else 0.0

    b.stock_balance = pyo.Constraint(
        b.D, rule=lambda _, k: b.stock_kl[k] == _before(k) + b.delivered_kl[k] + _topup(k)
        - b.burn_kl[k])
    b.tank_fill = pyo.Constraint(b.D, rule=lambda _, k: _before(k) + b.delivered_kl[k]
                                 <= b.tank_kl)
    b.truck_load = pyo.Constraint(
        b.D, rule=lambda _, k: b.delivered_kl[k] <= per_truck_l / KL * b.trucks[k])
    b.convoy_fill = pyo.Constraint(
        b.D, rule=lambda _, k: b.trucks[k] <= per_convoy * b.convoys[k])
    if lg.safety_stock_days > 0.0:
        mean_day = 24.0 / float((weight * hours).sum())
        b.safety_kl = pyo.Var(within=pyo.NonNegativeReals)
        b.safety_def = pyo.Constraint(expr=b.safety_kl == lg.safety_stock_days * mean_day * sum(
            float(weight[k]) * b.burn_kl[k] for k in b.D))
        b.safety = pyo.Constraint(b.D, rule=lambda _, k: b.stock_kl[k] + _short(k)
                                  >= b.safety_kl)
    if lg.final_min_l is not None:
        b.stock_final = pyo.Constraint(expr=b.stock_kl[nd - 1] >= lg.final_min_l / KL)
    n_aut = lg.autonomy_days
    if n_aut > 0:
        after = lg.burn_after_l

        def _ahead(k: int) -> Any:
            total: Any = 0.0
            for j in range(k, k + n_aut):
                if j < nd:
                    total = total + b.burn_kl[j]
                elif init is None:
                    total = total + b.burn_kl[j % nd]
                elif j - nd < after.size:
                    total = total + float(after[j - nd]) / KL
            return total

        def _autonomy(_: pyo.Block, k: int) -> Any:
            before, ahead = _before(k), _ahead(k)
            if isinstance(before, float) and isinstance(ahead, float):
                return pyo.Constraint.Skip
            return before + _short(k) >= ahead

        b.autonomy = pyo.Constraint(b.D, rule=_autonomy)

    # litres for readers (the variables are in kL, which keeps the LP well scaled)
    b.tank_l = pyo.Expression(expr=KL * b.tank_kl)
    b.stock_l = pyo.Expression(b.D, rule=lambda _, k: KL * b.stock_kl[k])
    b.burn_l = pyo.Expression(b.D, rule=lambda _, k: KL * b.burn_kl[k])
    b.delivered_l = pyo.Expression(b.D, rule=lambda _, k: KL * b.delivered_kl[k])
    b.delivered_l_per_year = pyo.Expression(
        expr=KL * sum(float(weight[k]) * b.delivered_kl[k] for k in b.D))
    b.trucks_per_year = pyo.Expression(expr=sum(float(weight[k]) * b.trucks[k] for k in b.D))
    b.convoys_per_year = pyo.Expression(expr=sum(float(weight[k]) * b.convoys[k] for k in b.D))

    c = lg.tank_capex_usd_per_l
    add_cost(m, b, "fuel_tank", "capex", c * (b.tank_l - lg.existing_tank_l))
    add_cost(m, b, "fuel_tank", "replacement", c * lg.tank_replacement_factor * b.tank_l)
    add_cost(m, b, "fuel_tank", "salvage", -c * lg.tank_salvage_factor * b.tank_l)
