r"""Logistics block: daily fuel inventory, whole truckloads, convoys, closed roads, autonomy.

Enabled by the scenario's ``fuel.inventory`` section; without it the model keeps the annual
fuel accounting of :mod:`energyopt.model.fuel` unchanged.

Days :math:`d` are the local calendar days of the steps (steps grouped by date; a day may be
partial at the ends of the period, or short by a clock change). A
convoy arrives at the start of its day, before that day's burn, so the stock is highest just
after an arrival and lowest at the day's end.

Equations
---------
.. math::

    B_d = \sum_{t \in d} \sum_g f_{g,t} \quad [L]

    S_d = S_{d-1} + Q_d - B_d, \quad S_{-1} = S_{D-1} \text{ (cyclic)}

    S_{d-1} + Q_d \le K, \quad K^{exist} \le K, \quad K \le K^{max}

    Q_d \le V (1 - \lambda) n_d, \quad n_d \le m \, c_d, \quad n_d, c_d \in \mathbb{Z}_{\ge 0},
    \quad n_d = c_d = 0 \text{ on days closed to arrivals}

    S_d \ge \sigma \bar B^{s}, \quad \bar B^{s} = 24 \sum_d w_d B^{s}_d / \sum_d w_d h_d

    S_{d-1} \ge \sum_{j=0}^{N-1} B^{s}_{d+j} \quad \text{(autonomy; } B^{s} \text{ wraps
    around the cyclic period)}

The stress burn :math:`B^{s}_d` is set by ``fuel.inventory.stress_burn``. ``diesel_only`` (the
default): the fuel the diesel fleet burns carrying the load and its spinning reserve alone, PV
and battery unavailable, a constant per day in closed form
(:func:`energyopt.model.params.stress_fuel_l`); both rows are then bounds on the stock, and the
plan holds what a cloudy or dusty spell burns, not what the optimiser's perfect-foresight year
burns. ``design``: :math:`B^{s}_d = B_d`, the design's own burn (the rows then couple the
stock with the dispatch).

Rows: ``m.logistics.burn_def`` (:math:`B_d`), ``stock_balance``, ``tank_fill``, ``tank_max``,
``truck_load`` and ``convoy_fill``; ``safety`` (the safety stock; with ``stress_burn: design``
its level :math:`\sigma \bar B^{s}` is the variable ``safety_kl``, defined by ``safety_def``)
and ``autonomy``, each built only when asked for. Days closed to arrivals have their trucks,
convoys and deliveries bounded at zero. Stocks and flows are in kL (``tank_kl``,
``stock_kl``, ``burn_kl``, ``delivered_kl``; the expressions ``tank_l``, ``stock_l``,
``burn_l``, ``delivered_l`` give litres), which keeps the rows well scaled.

Two cuts are declared for the search (built inactive, their bounds set by a variant of
:mod:`energyopt.engine.convoys` when it splits the problem on whole convoys):

.. math::

    C^{lo} \le \sum_d c_d \le C^{hi}, \qquad \sum_d Q_d \le C^{hi} K

(rows ``convoy_count`` and ``convoy_tank``; the second holds for whole convoys only: an
arrival brings at most a tankful).

Annual figures: trucks :math:`T = \sum_d w_d n_d`, convoys :math:`C = \sum_d w_d c_d`, fuel
delivered :math:`\sum_d w_d Q_d` (equal to the fuel burned over a cyclic period). A truck
counts whole whatever it carries (the last one of a convoy may run part-loaded).

The autonomy row says: if supply stops from the start of day :math:`d` (no arrival that day
or on the next :math:`N-1` days), the stock left at the end of day :math:`d-1` covers the
stress burn of those :math:`N` days down to an empty tank (the safety stock is drawn in a
denial). Arrival days are the schedule's days (free, weekly, fortnightly, monthly, with an
offset) minus closed-road days and the days whose lead time crosses a closure.

Costs: new storage :math:`c (K - K^{exist})`; replacement :math:`c K R(L)`; salvage
:math:`-c K S(L)`. Purchase, haulage, escort and risk are in :mod:`energyopt.model.fuel`.

======================  =================================  ====================================
symbol                  meaning                            input
======================  =================================  ====================================
:math:`K`               fuel storage [kL]                  ``fuel.inventory.existing_tank_l``,
                        (``m.logistics.tank_kl``)          ``max_tank_l``
:math:`S_d`             stock at day end [kL]
                        (``m.logistics.stock_kl``)
:math:`Q_d`             fuel arriving [kL]
                        (``m.logistics.delivered_kl``)
:math:`B_d`             fuel burned [kL]                   (``m.diesel.fuel_l``)
                        (``m.logistics.burn_kl``)
:math:`n_d, c_d`        trucks, convoys arriving           ``fuel.inventory.convoy_schedule``,
                        (``m.logistics.trucks``,           ``closed_roads``, ``lead_time_days``
                        ``m.logistics.convoys``)
:math:`V, m`            truck load [L], trucks per convoy  ``fuel.truck_capacity_l``,
                                                           ``fuel.trucks_per_convoy``
:math:`\lambda`         share lost on the road             ``fuel.loss_fraction``
:math:`\sigma`          safety stock [days of mean burn]   ``fuel.inventory.safety_stock_days``
:math:`\bar B^{s}`      mean daily stress burn [kL]
                        (``m.logistics.safety_kl``
                        over :math:`\sigma`, design burn)
:math:`N`               autonomy [d]                       ``fuel.inventory.autonomy_days``
:math:`B^{s}_d`         stress burn [kL]                   ``fuel.inventory.stress_burn``
:math:`w_d, h_d`        day weight, hours in the day       step weights and durations
:math:`C^{lo}, C^{hi}`  convoy range of a split (search)   ``energyopt.engine.convoys``
:math:`c, L`            storage capex [USD/L], life        ``tank_capex_usd_per_l``,
                                                           ``tank_lifetime_years``
======================  =================================  ====================================
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyomo.environ as pyo

from energyopt.model.common import add_cost
from energyopt.model.params import ModelParams

__all__ = ["add_logistics", "day_groups"]

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

    parts = m.parts
    first_step = [int(s[0]) for s in steps]
    parts.size("fuel_tank_l", b.tank_kl, KL)
    parts.deliveries.extend([*b.trucks.values(), *b.convoys.values()])
    parts.states["fuel_stock_kl"] = [b.stock_kl[k] for k in b.D]
    parts.supply.extend([b.tank_kl, b.stock_kl, b.burn_kl, b.delivered_kl, b.trucks, b.convoys])
    for var in (b.stock_kl, b.burn_kl, b.delivered_kl, b.trucks, b.convoys):
        parts.timed(var, lambda k: first_step[k])
    parts.requirement("logistics.tank_max", b.tank_max,
                      "fuel inventory: tank capacity (fuel.inventory.max_tank_l)")

    b.burn_def = pyo.Constraint(b.D, rule=lambda _, k: KL * b.burn_kl[k] == sum(
        d.fuel_l[g, int(t)] for t in steps[k] for g in d.G))

    def _before(k: int) -> Any:
        return b.stock_kl[(k - 1) % nd]

    b.stock_balance = pyo.Constraint(
        b.D, rule=lambda _, k: b.stock_kl[k] == _before(k) + b.delivered_kl[k] - b.burn_kl[k])
    b.tank_fill = pyo.Constraint(b.D, rule=lambda _, k: _before(k) + b.delivered_kl[k]
                                 <= b.tank_kl)
    b.truck_load = pyo.Constraint(
        b.D, rule=lambda _, k: b.delivered_kl[k] <= per_truck_l / KL * b.trucks[k])
    b.convoy_fill = pyo.Constraint(
        b.D, rule=lambda _, k: b.trucks[k] <= per_convoy * b.convoys[k])
    safety_l = lg.safety_stock_l
    autonomy_l = lg.autonomy_need_l()
    if lg.safety_stock_days > 0.0 and safety_l is not None:
        # stress burn: a constant floor on every day's closing stock
        b.safety = pyo.Constraint(b.D, rule=lambda _, k: b.stock_kl[k] >= safety_l / KL)
        parts.requirement("logistics.safety", b.safety,
                          "fuel inventory: safety stock (fuel.inventory.safety_stock_days, "
                          "of the stress burn)")
    elif lg.safety_stock_days > 0.0:
        mean_day = 24.0 / float((weight * hours).sum())
        b.safety_kl = pyo.Var(within=pyo.NonNegativeReals)
        parts.supply.append(b.safety_kl)
        b.safety_def = pyo.Constraint(expr=b.safety_kl == lg.safety_stock_days * mean_day * sum(
            float(weight[k]) * b.burn_kl[k] for k in b.D))
        b.safety = pyo.Constraint(b.D, rule=lambda _, k: b.stock_kl[k] >= b.safety_kl)
        parts.requirement("logistics.safety", b.safety,
                          "fuel inventory: safety stock (fuel.inventory.safety_stock_days)")
    n_aut = lg.autonomy_days
    if autonomy_l is not None:
        need_kl = autonomy_l / KL
        # stress burn: a constant floor on the stock each day starts with
        b.autonomy = pyo.Constraint(b.D, rule=lambda _, k: _before(k) >= float(need_kl[k]))
        parts.requirement("logistics.autonomy", b.autonomy,
                          "fuel inventory: autonomy against resupply denial "
                          "(fuel.inventory.autonomy_days, at the stress burn)")
    elif n_aut > 0:

        def _autonomy(_: pyo.Block, k: int) -> Any:
            return _before(k) >= sum(b.burn_kl[j % nd] for j in range(k, k + n_aut))

        b.autonomy = pyo.Constraint(b.D, rule=_autonomy)
        parts.requirement("logistics.autonomy", b.autonomy,
                          "fuel inventory: autonomy against resupply denial "
                          "(fuel.inventory.autonomy_days)")

    # litres for readers (the variables are in kL, which keeps the LP well scaled)
    b.tank_l = pyo.Expression(expr=KL * b.tank_kl)
    b.stock_l = pyo.Expression(b.D, rule=lambda _, k: KL * b.stock_kl[k])
    b.burn_l = pyo.Expression(b.D, rule=lambda _, k: KL * b.burn_kl[k])
    b.delivered_l = pyo.Expression(b.D, rule=lambda _, k: KL * b.delivered_kl[k])
    b.delivered_l_per_year = pyo.Expression(
        expr=KL * sum(float(weight[k]) * b.delivered_kl[k] for k in b.D))
    b.trucks_per_year = pyo.Expression(expr=sum(float(weight[k]) * b.trucks[k] for k in b.D))
    b.convoys_per_year = pyo.Expression(expr=sum(float(weight[k]) * b.convoys[k] for k in b.D))

    # declared cuts, inactive until a variant sets their bounds (engine.convoys): the period's
    # whole convoys in a range [lo, hi], and with hi finite, sum_d Q_d <= hi K (an arrival
    # brings at most a tankful: valid for whole convoys only)
    b.convoy_count = pyo.Constraint(expr=pyo.inequality(
        0.0, sum(b.convoys[k] for k in b.D), float(most_convoys * nd)))
    b.convoy_tank = pyo.Constraint(
        expr=sum(b.delivered_kl[k] for k in b.D) - float(most_convoys * nd) * b.tank_kl <= 0.0)
    parts.cut("convoy_count", b.convoy_count)
    parts.cut("convoy_tank", b.convoy_tank, scaled=b.tank_kl)

    c = lg.tank_capex_usd_per_l
    add_cost(m, b, "fuel_tank", "capex", c * (b.tank_l - lg.existing_tank_l))
    add_cost(m, b, "fuel_tank", "replacement", c * lg.tank_replacement_factor * b.tank_l)
    add_cost(m, b, "fuel_tank", "salvage", -c * lg.tank_salvage_factor * b.tank_l)
