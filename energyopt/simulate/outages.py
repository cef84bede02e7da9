r"""What is out of service or cut: forced outages of equipment and convoys that do not come.

:class:`Outages` holds, on the inputs' steps, the diesel units out per unit type, the share of the
battery and of the PV array out of service, the planned arrival days whose convoy is cancelled
and a blockade (days with no arrival at all). :func:`draw_outages` draws them at random.

Equipment: two-state Markov chains
----------------------------------
Every unit alternates between *up* and *down* periods drawn from exponential distributions with
means MTBF and MTTR [h] (a two-state continuous-time Markov chain); it starts in its stationary
state (down with probability :math:`MTTR / (MTBF + MTTR)`). A unit counts as out for a step
when it is down at the step's middle.

* diesel sets: each unit of each type, ``diesel.mtbf_h`` and ``diesel.mttr_h``; the failure
  rate, given per running hour, is applied per calendar hour of a set on site (conservative for
  sets that stand by);
* battery: ``ceil(battery_kwh / battery.unit_kwh)`` blocks (a string with its inverter), each
  with availability ``battery.availability`` and repair ``battery.mttr_h``, so
  :math:`MTBF = MTTR \, A / (1 - A)`; the share out is the share of blocks out (of both its
  kWh and its kW);
* PV: ``ceil(pv_kwp / pv.unit_kwp)`` inverter blocks likewise (``pv.availability``,
  ``pv.mttr_h``); the share out is the share of the array lost.

Convoys
-------
Each arrival day of the plan's calendar (the schedule, closed roads and lead time of
``fuel.inventory``, built by :func:`energyopt.model.params.logistics_params`) loses its convoy
with probability ``convoy.cancel_probability.<threat level>``: the scenario's
``fuel.threat_level``, or when it is not set the level whose casualties per convoy are nearest
(on a log scale) to the scenario's. A blockade of ``blockade_days`` starts on
``blockade_start`` or on a day drawn uniformly over the modelled days.

Defaults come from ``data/reliability_failures.csv`` (source, year and grade of each figure).
The same generator state gives the same outages.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from energyopt import data
from energyopt.inputs import Inputs
from energyopt.results import SizingResult
from energyopt.scenario import Scenario, load_scenario

__all__ = ["Outages", "draw_outages", "failure_rates", "markov_outages"]


@dataclass(frozen=True)
class Outages:
    """What is out of service or cut, over the inputs' steps (None = nothing).

    Attributes
    ----------
    diesel_units_out : mapping of str to numpy.ndarray or None
        Unit type name -> whole units out of service per step [-].
    battery_fraction_out : numpy.ndarray or None
        Share of the battery's kWh and kW unavailable per step [0..1].
    pv_fraction_out : numpy.ndarray or None
        Share of the PV array lost per step [0..1].
    convoys_cancelled : frozenset of datetime.date
        Planned arrival days whose convoy does not come.
    blockade : tuple of datetime.date or None
        First and last day (inclusive) with no arrival at all.
    notes : tuple of str
        How the outages were drawn (for the simulation's events).
    """

    diesel_units_out: Mapping[str, np.ndarray] | None = None
    battery_fraction_out: np.ndarray | None = None
    pv_fraction_out: np.ndarray | None = None
    convoys_cancelled: frozenset[dt.date] = frozenset()
    blockade: tuple[dt.date, dt.date] | None = None
    notes: tuple[str, ...] = field(default=())

    def arrival_blocked(self, day: dt.date) -> bool:
        """Whether no convoy can arrive on ``day`` (cancelled or inside the blockade)."""
        if day in self.convoys_cancelled:
            return True
        return self.blockade is not None and self.blockade[0] <= day <= self.blockade[1]


def failure_rates() -> dict[str, float]:
    """Return the default rates of ``data/reliability_failures.csv`` as key -> value."""
    table = data.reliability_failures()
    return {str(k): float(v) for k, v in table["value"].items()}


def markov_outages(n_units: int, step_mid_h: np.ndarray, mtbf_h: float, mttr_h: float,
                   rng: np.random.Generator) -> np.ndarray:
    """Units out of service at each step of ``n_units`` independent two-state Markov chains.

    Parameters
    ----------
    n_units : int
        Number of identical units [-].
    step_mid_h : numpy.ndarray
        Middle of each step, hours from the period's start (increasing) [h].
    mtbf_h, mttr_h : float
        Mean up time and mean down time [h]; ``mttr_h == 0`` or ``mtbf_h == inf`` = never out.
    rng : numpy.random.Generator
        Random source (consumed in a fixed order: the same state gives the same draw).

    Returns
    -------
    numpy.ndarray
        Units down at each step's middle [-] (int).
    """
    out = np.zeros(len(step_mid_h), dtype=int)
    if n_units <= 0 or len(step_mid_h) == 0:
        return out
    horizon = float(step_mid_h[-1]) + 1.0
    never = mttr_h <= 0.0 or not math.isfinite(mtbf_h) or mtbf_h <= 0.0
    for _ in range(n_units):
        # draw every unit's chain even when it cannot fail, so the stream stays aligned
        down = bool(rng.random() < (0.0 if never else mttr_h / (mtbf_h + mttr_h)))
        if never:
            continue
        edges = [0.0]
        state = [down]
        t = 0.0
        while t < horizon:
            t += float(rng.exponential(mttr_h if state[-1] else mtbf_h))
            edges.append(t)
            state.append(not state[-1])
        # the state in force at each step's middle
        idx = np.searchsorted(np.asarray(edges), step_mid_h, side="right") - 1
        out += np.asarray(state, dtype=int)[idx]
    return out


def _threat_level(scenario: Scenario) -> str:
    """Return the scenario's threat level, or the level nearest its casualties per convoy."""
    fuel = scenario.fuel
    if fuel.threat_level is not None:
        return fuel.threat_level
    rate = max(fuel.casualties_per_convoy_total, 1e-6)
    best, gap = "medium", math.inf
    for level in data.THREAT_LEVELS:
        ref = max(data.threat_level(level).get("casualties_per_convoy", 0.0), 1e-6)
        d = abs(math.log(rate / ref))
        if d < gap:
            best, gap = level, d
    return best


def _sizes(design: SizingResult | Mapping[str, float]) -> dict[str, float]:
    if isinstance(design, SizingResult):
        return {str(k): float(v) for k, v in design.sizes.items()}
    return {str(k): float(v) for k, v in design.items()}


def draw_outages(scenario: Scenario | str | Path, design: SizingResult | Mapping[str, float],
                 inputs: Inputs, rng: np.random.Generator, *, failures: bool = True,
                 blockade_days: int | None = None, blockade_start: dt.date | None = None,
                 rates: Mapping[str, float] | None = None) -> Outages:
    """Draw forced outages, convoy cancellations and a blockade (see the module notes).

    Parameters
    ----------
    scenario : Scenario, str or Path
        The scenario (fleet, convoy calendar, threat level).
    design : SizingResult or mapping
        Sizes (keys of ``SizingResult.sizes``): how many units, blocks and kWp can fail.
    inputs : Inputs
        The steps the outages are drawn on.
    rng : numpy.random.Generator
        Random source; the same state gives the same outages.
    failures : bool
        Draw equipment outages and convoy cancellations; False = only the blockade.
    blockade_days : int, optional
        Length of a blockade [d]; None or 0 = none.
    blockade_start : datetime.date, optional
        First day of the blockade; default drawn uniformly over the modelled days.
    rates : mapping, optional
        Overrides of the defaults of ``data/reliability_failures.csv`` (same keys).

    Returns
    -------
    Outages
    """
    sc = load_scenario(scenario)
    sizes = _sizes(design)
    r = failure_rates()
    if rates:
        unknown = sorted(set(rates) - set(r))
        if unknown:
            raise KeyError(f"unknown reliability rate(s) {unknown}; known: {sorted(r)}")
        r.update({k: float(v) for k, v in rates.items()})
    dur = inputs.duration_h.to_numpy(dtype=float)
    mid = np.cumsum(dur) - dur / 2.0
    notes: list[str] = []
    units_out: dict[str, np.ndarray] | None = None
    bat_out: np.ndarray | None = None
    pv_out: np.ndarray | None = None
    cancelled: set[dt.date] = set()
    if failures:
        units_out = {}
        for u in sc.diesel.units:
            count = int(round(sizes.get(f"diesel_{u.name}_count", float(u.existing))))
            units_out[u.name] = markov_outages(count, mid, r["diesel.mtbf_h"],
                                               r["diesel.mttr_h"], rng)
        notes.append(f"set outages: MTBF {r['diesel.mtbf_h']:g} h, MTTR {r['diesel.mttr_h']:g} "
                     "h per unit (data/reliability_failures.csv)")
        bat_out = _block_share(sizes.get("battery_kwh", 0.0), r["battery.unit_kwh"],
                               r["battery.availability"], r["battery.mttr_h"], mid, rng)
        pv_out = _block_share(sizes.get("pv_kwp", 0.0), r["pv.unit_kwp"],
                              r["pv.availability"], r["pv.mttr_h"], mid, rng)
        notes.append(f"battery blocks of {r['battery.unit_kwh']:g} kWh at availability "
                     f"{r['battery.availability']:g}; PV blocks of {r['pv.unit_kwp']:g} kWp at "
                     f"{r['pv.availability']:g}")
        if sc.fuel.inventory is not None:
            level = _threat_level(sc)
            prob = r[f"convoy.cancel_probability.{level}"]
            for day in _arrival_days(sc, inputs):
                if rng.random() < prob:
                    cancelled.add(day)
            notes.append(f"convoys cancelled with probability {prob:g} each (threat level "
                         f"{level}): {len(cancelled)} of the calendar's arrival days")
    blockade: tuple[dt.date, dt.date] | None = None
    if blockade_days:
        days = sorted(set(inputs.index.date))
        if blockade_start is None:
            blockade_start = days[int(rng.integers(len(days)))]
        blockade = (blockade_start, blockade_start + dt.timedelta(days=int(blockade_days) - 1))
        notes.append(f"blockade {blockade[0]} .. {blockade[1]} ({blockade_days} days)")
    return Outages(diesel_units_out=units_out, battery_fraction_out=bat_out,
                   pv_fraction_out=pv_out, convoys_cancelled=frozenset(cancelled),
                   blockade=blockade, notes=tuple(notes))


def _block_share(size: float, unit: float, availability: float, mttr_h: float,
                 mid: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Share of ``size`` out of service per step, in blocks of ``unit``."""
    blocks = max(int(math.ceil(size / unit - 1e-9)), 1) if size > 0.0 and unit > 0.0 else 0
    if blocks == 0:
        return np.zeros(len(mid))
    mtbf = math.inf if availability >= 1.0 else mttr_h * availability / (1.0 - availability)
    return markov_outages(blocks, mid, mtbf, mttr_h, rng) / blocks


def _arrival_days(scenario: Scenario, inputs: Inputs) -> list[dt.date]:
    """Days the plan's calendar lets a convoy arrive (``logistics_params``)."""
    from energyopt.model.params import model_params

    with warnings.catch_warnings():
        # a closure outside the modelled period was reported when the design was made
        warnings.filterwarnings("ignore", message=".*lies outside the modelled period.*",
                                category=UserWarning)
        lg = model_params(scenario, inputs).logistics
    if lg is None:
        return []
    first = inputs.index[0].date()
    return [first + dt.timedelta(days=int(k)) for k in np.flatnonzero(lg.arrival_open)]
