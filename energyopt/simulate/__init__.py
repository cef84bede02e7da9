"""Operate a given design without foresight: controllers, fuel stock, failures and blockades.

* :func:`simulate` (:mod:`energyopt.simulate.core`): run a design hour by hour with a
  rule-based controller (``load_following``, ``cycle_charging``, ``forecast``), the daily fuel
  stock and the plan's convoy calendar, shedding load by priority tiers;
* :class:`Outages` and :func:`draw_outages` (:mod:`energyopt.simulate.outages`): forced
  outages of sets, battery and PV blocks, cancelled convoys and blockades;
* :func:`load_tiers` (:mod:`energyopt.simulate.tiers`): comfort cooling, other non-critical
  and critical load.
"""

from energyopt.simulate.core import (
    CONTROLLERS,
    CYCLE_CHARGING_SETPOINT,
    RESUPPLY,
    SimulationResult,
    simulate,
)
from energyopt.simulate.outages import Outages, draw_outages, failure_rates, markov_outages
from energyopt.simulate.tiers import TIERS, load_tiers

__all__ = [
    "CONTROLLERS",
    "CYCLE_CHARGING_SETPOINT",
    "RESUPPLY",
    "TIERS",
    "Outages",
    "SimulationResult",
    "draw_outages",
    "failure_rates",
    "load_tiers",
    "markov_outages",
    "simulate",
]
