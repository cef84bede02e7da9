"""Load shedding tiers: what goes first when the camp cannot serve its whole load.

Three tiers, shed in this order:

1. ``cooling_kw``: comfort cooling, the non-critical part of the archetype's cooling term
   (air conditioning of accommodation and offices);
2. ``other_kw``: every other non-critical load (workshops, laundry, the non-critical share of
   kitchens and water treatment, the rest of the personnel load);
3. ``critical_kw``: the critical load of the scenario (``load.critical_fraction`` of the
   personnel load and each component's ``critical_share``: the hospital's theatre and ICU,
   the telemedicine link, communications and the operations centre), shed last.

What the load model knows: on the archetype route the cooling term is
``P e / 24 * c * cdh / cdh_ref`` inside the personnel load (see
:mod:`energyopt.load.archetypes`), of which ``load.critical_fraction`` is critical; its share of
each step's load is computed from the archetype's noise-free terms (the noise scales the whole
step, so the share is exact). On the csv, fuel-log, series and constant routes the load model
knows no cooling component: tier 1 is empty and the non-critical load is shed as one tier.
The three tiers add up to the load of :class:`~energyopt.inputs.Inputs` at every step.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from energyopt import data
from energyopt.inputs import Inputs
from energyopt.load import _personnel_on
from energyopt.load.archetypes import (
    COOLING_REFERENCE_ZONE,
    _resolve_archetype,
    _resolve_components,
    _temperature,
    archetype_load_kw,
    cooling_reference_k,
)
from energyopt.load.common import _Notes, _step_dates
from energyopt.scenario import Scenario

__all__ = ["TIERS", "load_tiers"]

#: Shedding order: first shed first.
TIERS = ("cooling_kw", "other_kw", "critical_kw")


def load_tiers(scenario: Scenario, inputs: Inputs) -> pd.DataFrame:
    """Split each step's load into the three shedding tiers [kW].

    Parameters
    ----------
    scenario : Scenario
        The scenario (its load section).
    inputs : Inputs
        Its time series (load, critical load, weather).

    Returns
    -------
    pandas.DataFrame
        On ``inputs.index``: ``cooling_kw``, ``other_kw``, ``critical_kw``, each >= 0 and
        adding up to ``inputs.load_kw``.
    """
    load = inputs.load_kw.to_numpy(dtype=float)
    critical = np.minimum(inputs.critical_load_kw.to_numpy(dtype=float), load)
    share = _cooling_share(scenario, inputs)
    ls = scenario.load
    cooling = np.minimum(load * share * (1.0 - ls.critical_fraction), load - critical)
    cooling = np.clip(cooling, 0.0, None)
    other = np.clip(load - critical - cooling, 0.0, None)
    return pd.DataFrame({"cooling_kw": cooling, "other_kw": other, "critical_kw": critical},
                        index=inputs.index)


def _cooling_share(scenario: Scenario, inputs: Inputs) -> np.ndarray:
    """Share of each step's load that is the archetype's cooling term [-] (0 off that route)."""
    ls = scenario.load
    n = inputs.n_steps
    if ls.route != "archetype" or ls.personnel is None:
        return np.zeros(n)
    arch = _resolve_archetype(ls)
    if arch.cooling_share <= 0.0:
        return np.zeros(n)
    index = inputs.index
    temp, _, _ = _temperature(scenario, index, inputs.weather, _Notes())
    if temp is None:
        return np.zeros(n)
    zone = data.climate_zone(COOLING_REFERENCE_ZONE)
    ref = cooling_reference_k(zone["temp_air_c"].tolist(),
                              arch.cooling_damping * float(zone["temp_swing_c"].mean()),
                              arch.cooling_base_temp_c)
    if ref <= 0.0:
        return np.zeros(n)
    people = _personnel_on(ls, _step_dates(index))
    common: dict[str, Any] = dict(cooling_base_temp_c=arch.cooling_base_temp_c, cooling_ref_k=ref,
                  day_peak_factor=arch.day_peak_factor, night_factor=arch.night_factor,
                  cooling_damping=arch.cooling_damping, rest_days=ls.rest_days,
                  rest_day_factor=arch.rest_day_factor)
    total, _ = archetype_load_kw(index, temp, personnel=people,
                                 kwh_per_person_per_day=arch.kwh_per_person_per_day,
                                 cooling_share=arch.cooling_share,
                                 components=_resolve_components(ls.components), **common)
    # cooling share 1: the personnel term is all cooling (c * this is the cooling term)
    cool, _ = archetype_load_kw(index, temp, personnel=people,
                                kwh_per_person_per_day=arch.kwh_per_person_per_day,
                                cooling_share=1.0, **common)
    t = total.to_numpy(dtype=float)
    c = arch.cooling_share * cool.to_numpy(dtype=float)
    return np.divide(c, t, out=np.zeros(n), where=t > 0.0)
