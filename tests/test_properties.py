"""Property tests: how the optimal design moves when one price moves.

A small camp (one day, hourly, PV from a fixed synthetic series, a battery, one diesel unit
type) is solved twice, at a price ``p`` and at a higher price. Two kinds of assertion:

* **Exchange argument (a theorem).** When only the coefficient ``p`` of a quantity ``Q`` in the
  objective changes, each optimum is feasible for the other problem, so
  ``(p_high - p_low) * (Q_high - Q_low) <= eps_low + eps_high``, where ``eps`` is how far each
  returned design may be from its optimum (objective minus proven bound). Hence a dearer fuel
  never raises the fuel burned, a dearer casualty never raises the convoys and dearer PV never
  raises the PV size, up to ``(eps_low + eps_high) / ((p_high - p_low) * factor)``.
* **PV grows with the fuel price.** Not a theorem (PV and battery are substitutes, so in
  principle one could shrink), but the expected economics of this camp. It is compared at an
  absolute tolerance of 1e-3 kWp: the solver's feasibility tolerances (~1e-7 relative) move a
  vertex by far less, and ties between designs of exactly equal cost are the only other way the
  size could jump; none is expected with these strictly positive, generic prices.

Two diesel units are used. The ``linear`` unit (no idle fuel, no minimum load, no cost per
running hour) keeps the unit commitment trivial, so each solve takes well under a second and
the tests run by default. The ``commitment`` unit (idle fuel, 30% minimum load, wear, spinning
reserve) is a real MILP; HiGHS needs about a second per solve at a 1e-6 gap, so those runs are
marked slow.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import energyopt as eo

TZ = "Africa/Bamako"
YEARS, RATE, ESCALATION = 10, 0.08, 0.02
PV_LIFE = 25.0
TRUCK_L, TRUCKS_PER_CONVOY, CASUALTIES_PER_CONVOY = 36_000.0, 15.0, 0.026

_HOURS = np.arange(24)
_INDEX = pd.date_range("2025-01-01", periods=24, freq="h", tz=TZ)
#: Clear-sky-like PV output [kW/kWp]: a half sine from 06:00 to 18:00, peak 0.9.
PV_SERIES = pd.Series(np.clip(0.9 * np.sin(np.pi * (_HOURS - 6) / 12), 0.0, None), index=_INDEX)
#: Camp load [kW]: 80 kW base with a 40 kW afternoon hump.
LOAD_SERIES = pd.Series(80.0 + 40.0 * np.clip(np.sin(np.pi * (_HOURS - 8) / 12), 0.0, None),
                        index=_INDEX)

UNITS: dict[str, dict[str, Any]] = {
    "linear": {"fuel_intercept_l_per_h_per_kw": 0.0, "min_load_fraction": 0.0,
               "om_usd_per_run_hour_per_kw": 0.0, "capex_usd": 0.0},
    "commitment": {"fuel_intercept_l_per_h_per_kw": 0.08145, "min_load_fraction": 0.3,
                   "om_usd_per_run_hour_per_kw": 0.01, "capex_usd": 50_000.0},
}
RESERVE = {"linear": 0.0, "commitment": 0.1}
KINDS = [pytest.param("linear", id="linear"),
         pytest.param("commitment", id="commitment", marks=pytest.mark.slow)]

PROPERTY_SETTINGS = settings(max_examples=8, deadline=None, derandomize=True, database=None,
                             suppress_health_check=[HealthCheck.too_slow])


def _annuity(r: float, years: int) -> float:
    return (1.0 - (1.0 + r) ** -years) / r


def _growing_annuity(r: float, e: float, years: int) -> float:
    return (1.0 - ((1.0 + e) / (1.0 + r)) ** years) / (r - e)


def _camp(kind: str, *, price: float = 0.6, value_per_casualty: float = 1e6,
          pv_capex: float = 3000.0) -> dict[str, Any]:
    reserve = RESERVE[kind]
    return {
        "name": f"property camp ({kind})",
        "site": "gao",
        "horizon": {"days": 1, "step_minutes": 60, "years": YEARS, "discount_rate": RATE},
        "load": {"series": LOAD_SERIES},
        "solar": {"pv_kw_per_kwp": {"series": PV_SERIES}, "max_kwp": 2000.0,
                  "capex_usd_per_kwp": pv_capex, "om_usd_per_kwp_year": 18.0,
                  "lifetime_years": PV_LIFE, "degradation_per_year": 0.0},
        "battery": {"max_kwh": 5000.0, "capex_usd_per_kwh": 700.0, "capex_usd_per_kw": 150.0,
                    "roundtrip_efficiency": 0.9, "min_soc": 0.1, "lifetime_years": 10.0},
        "diesel": {"units": [{"name": "g", "rated_kw": 100.0, "existing": 1, "max_count": 2,
                              "fuel_slope_l_per_kwh": 0.246, "lifetime_hours": 15_000.0,
                              **UNITS[kind]}]},
        "fuel": {"price_usd_per_l": price, "escalation_per_year": ESCALATION,
                 "route_km": 500.0, "transport_usd_per_l_km": 0.0005,
                 "escort_usd_per_convoy": 5000.0, "truck_capacity_l": TRUCK_L,
                 "trucks_per_convoy": TRUCKS_PER_CONVOY,
                 "casualties_per_convoy": CASUALTIES_PER_CONVOY,
                 "value_per_casualty_usd": value_per_casualty},
        "reliability": {"reserve_load_fraction": reserve, "reserve_pv_fraction": reserve,
                        "max_unserved_fraction": 0.0},
        "solver": {"mip_rel_gap": 1e-6, "time_limit_s": 60},
    }


def _solve(raw: dict[str, Any]) -> eo.SizingResult:
    return eo.optimize(eo.load_scenario(raw), baseline=False)


def _eps(*results: eo.SizingResult) -> float:
    """How far the returned designs may be, in total, from their optima [USD]."""
    total = 0.0
    for r in results:
        info = r.solve_info
        total += max(info.objective - info.bound, 0.0) + 1e-9 * abs(info.objective)
    return total


@pytest.mark.parametrize("kind", KINDS)
@PROPERTY_SETTINGS
@given(price=st.floats(0.1, 2.0), factor=st.floats(1.05, 3.0))
def test_dearer_fuel_never_burns_more_nor_shrinks_pv(kind: str, price: float,
                                                     factor: float) -> None:
    low = _solve(_camp(kind, price=price))
    high = _solve(_camp(kind, price=price * factor))
    # exchange argument on the fuel term price * A_e * F
    a_fuel = _growing_annuity(RATE, ESCALATION, YEARS)
    slack_l = _eps(low, high) / ((price * factor - price) * a_fuel)
    assert high.kpis["fuel_l_per_year"] <= low.kpis["fuel_l_per_year"] + slack_l + 1e-6
    # the economics of the camp: dearer fuel buys at least as much PV
    assert high.sizes["pv_kwp"] >= low.sizes["pv_kwp"] - 1e-3


@pytest.mark.parametrize("kind", KINDS)
@PROPERTY_SETTINGS
@given(value=st.floats(0.0, 2e7), step=st.floats(1e5, 2e7))
def test_dearer_casualty_never_raises_convoys(kind: str, value: float, step: float) -> None:
    low = _solve(_camp(kind, value_per_casualty=value))
    high = _solve(_camp(kind, value_per_casualty=value + step))
    # exchange argument on the risk term v * c * A * K
    slack = _eps(low, high) / (step * CASUALTIES_PER_CONVOY * _annuity(RATE, YEARS))
    assert high.kpis["convoys_per_year"] <= low.kpis["convoys_per_year"] + slack + 1e-9
    # and the convoys follow from the fuel in both designs
    for r in (low, high):
        assert r.kpis["convoys_per_year"] == pytest.approx(
            r.kpis["fuel_l_per_year"] / TRUCK_L / TRUCKS_PER_CONVOY, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("kind", KINDS)
@PROPERTY_SETTINGS
@given(capex=st.floats(300.0, 4000.0), step=st.floats(50.0, 2000.0))
def test_dearer_pv_never_buys_more_pv(kind: str, capex: float, step: float) -> None:
    low = _solve(_camp(kind, pv_capex=capex))
    high = _solve(_camp(kind, pv_capex=capex + step))
    # PV capex enters as c * kWp * (1 + replacements - salvage); life 25 > 10 years: no
    # replacement, 15 of 25 years left at the end
    factor = 1.0 + 0.0 - 15.0 / 25.0 * (1.0 + RATE) ** -YEARS
    slack = _eps(low, high) / (step * factor)
    assert high.sizes["pv_kwp"] <= low.sizes["pv_kwp"] + slack + 1e-6
