"""Host community and mission end (issue 15): hand-checkable designs on short, flat camps.

Gao, three or four days, a flat 200 kW camp and a flat community load (``community.constant_kw``,
so these tests do not depend on the community archetypes), small time limits.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest

from energyopt.inputs import build_inputs
from energyopt.model.build import build_model
from energyopt.model.common import COST_KINDS
from energyopt.model.params import annuity, model_params, remaining_life, service_factor
from energyopt.optimize import optimize
from energyopt.scenario import load_scenario

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

GAP = 0.005


def camp(**extra: Any) -> dict[str, Any]:
    """Return a small Gao camp with ``extra`` sections merged in."""
    base: dict[str, Any] = {
        "name": "community camp",
        "site": "gao",
        "horizon": {"days": 4, "start": "2025-03-30"},
        "load": {"constant_kw": 200},
        "solar": {"max_kwp": 800},
        "battery": {"max_kwh": 1200},
        "solver": {"mip_rel_gap": GAP, "time_limit_s": 30},
        "diesel": {"units": [{"name": "g200", "rated_kw": 200, "existing": 2,
                              "max_count": 3}]},
    }
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key].update(value)
        else:
            out[key] = value
    return out


COMMUNITY = {"constant_kw": 60, "feeder_kw": 50, "hours": [6, 23], "value_usd_per_kwh": 0.25}


def test_no_community_builds_todays_model() -> None:
    scenario = load_scenario(camp())
    p = model_params(scenario, build_inputs(scenario))
    assert p.community is None
    assert p.mission is None
    assert p.diesel_end_factor is None
    m = build_model(p)
    assert m.component("community") is None
    assert m.component("mission") is None
    assert not m.demand_kw
    assert {t.kind for t in m.cost_terms} <= set(COST_KINDS)


def test_certain_end_year_is_a_one_point_distribution() -> None:
    scenario = load_scenario(camp(mission={"end_year": 4}))
    p = model_params(scenario, build_inputs(scenario))
    r = scenario.horizon.discount_rate
    assert p.years == 4
    assert p.annuity == pytest.approx(annuity(r, 4))
    assert p.mission is not None
    assert p.mission.expected_years == 4.0


def test_closure_distribution_expected_years_and_annuity() -> None:
    closures = {2: 0.3, 5: 0.4, 10: 0.3}
    scenario = load_scenario(camp(mission={"closure_probabilities": closures}))
    p = model_params(scenario, build_inputs(scenario))
    r = scenario.horizon.discount_rate
    assert p.years == 10  # the horizon is the latest closure
    assert p.mission is not None
    assert p.mission.expected_years == pytest.approx(0.3 * 2 + 0.4 * 5 + 0.3 * 10)
    assert p.annuity == pytest.approx(sum(q * annuity(r, n) for n, q in closures.items()))


def test_service_factor_and_remaining_life_by_hand() -> None:
    assert remaining_life(5, 25) == 20
    assert remaining_life(25, 25) == 0
    assert remaining_life(12, 10) == 8
    assert service_factor(0.0, 2.0, 5.0) == 3.0
    assert service_factor(0.1, 5.0, 5.0) == 0.0
    # continuous discounting of one unit a year over 1 year from t=0 at 10%
    assert service_factor(0.1, 0.0, 1.0) == pytest.approx((1 - 1 / 1.1) / math.log(1.1))


#: Three days solved to a 0.01% gap: the sizes, not just the NPC, must agree (the cost is flat
#: near the optimum: at 0.5% two designs 30% apart in battery size cost the same).
SHORT = {"days": 3}
TIGHT = {"mip_rel_gap": 1e-4}


@pytest.fixture(scope="module")
def mission_only() -> Any:
    return optimize(camp(horizon=SHORT, solver=TIGHT, mission={"end_year": 5}), baseline=False)


def test_community_valued_at_zero_gives_the_mission_only_design(mission_only: Any) -> None:
    zero = optimize(camp(horizon=SHORT, solver=TIGHT,
                         mission={"end_year": 5, "community_weight": 0.0},
                         community=COMMUNITY), baseline=False)
    npc0, npc = zero.kpis["npc_usd"], mission_only.kpis["npc_usd"]
    assert abs(npc0 - npc) <= 2e-4 * npc
    assert zero.kpis["mission_npc_usd"] == pytest.approx(npc0)
    for key in ("pv_kwp", "battery_kwh"):
        assert zero.sizes[key] == pytest.approx(mission_only.sizes[key], rel=0.01, abs=1.0)
    # the value per kWh at zero does the same
    free = optimize(camp(horizon=SHORT, solver=TIGHT, mission={"end_year": 5},
                         community={**COMMUNITY, "value_usd_per_kwh": 0.0}), baseline=False)
    assert abs(free.kpis["npc_usd"] - npc) <= 2e-4 * npc


def test_valued_community_is_served_and_adds_up(mission_only: Any) -> None:
    # the gap is relative to the net objective, which the community's value makes small
    r = optimize(camp(horizon=SHORT, mission={"end_year": 5}, community=COMMUNITY,
                      solver={"mip_rel_gap": 0.02}), baseline=False)
    assert "costs_sum" in r.checks
    assert "community_priority" in r.checks
    assert float(r.costs.to_numpy().sum()) == pytest.approx(r.solve_info.objective, rel=1e-6)
    assert r.kpis["community_kwh_per_year"] > 0
    assert "community" in r.costs.index
    assert "handover" in r.costs.index
    # the community's value is credited: the objective is below the mission-only NPC
    assert r.kpis["npc_usd"] < mission_only.kpis["npc_usd"]
    assert r.kpis["handover_value_usd"] >= 0
    d = r.dispatch
    hours = d.index.hour
    open_ = (hours >= 6) & (hours < 23)
    served = d["community_kw"].to_numpy()
    tol = 1e-6 * 200
    # never beyond the feeder inside its window, nothing outside it, never beyond the load
    assert (served <= 50 + tol).all()
    assert (served[~open_] <= tol).all()
    assert (served <= 60 + tol).all()
    # per day: at most the feeder times the open hours
    per_day = d["community_kw"].groupby(d.index.date).sum()
    assert (per_day <= 50 * 17 + tol).all()
    # and never more than the camp's surplus: what the plant makes beyond the camp's load
    surplus = (d["pv_kw"] + d["diesel_kw"] + d["battery_discharge_kw"]
               - d["battery_charge_kw"] - d["diesel_excess_kw"]
               - (d["load_kw"] - d["unserved_kw"]))
    assert (served <= surplus.to_numpy() + tol).all()


def test_camp_first_and_critical_load_never_shed_for_the_community() -> None:
    # shedding is cheap (VoLL 0.5 USD/kWh) and the community worth 0.4: the camp may shed
    # some load, but never while the community is served, and never its critical share
    r = optimize(camp(horizon={"days": 3}, solar={"max_kwp": 150}, battery={"max_kwh": 0},
                      diesel={"units": [{"name": "g200", "rated_kw": 200, "existing": 1,
                                         "max_count": 1}]},
                      reliability={"max_unserved_fraction": 0.3,
                                   "value_of_lost_load_usd_per_kwh": 0.5,
                                   "reserve_load_fraction": 0.0,
                                   "reserve_pv_fraction": 0.0},
                      community={**COMMUNITY, "value_usd_per_kwh": 0.4}), baseline=False)
    d = r.dispatch
    unserved = d["unserved_kw"].to_numpy()
    served = d["community_kw"].to_numpy()
    assert unserved.max() > 1.0, "the case should shed camp load somewhere"
    assert served.max() > 1.0, "the case should serve the community somewhere"
    tol = 1e-4
    assert not ((served > tol) & (unserved > tol)).any()
    critical = d["load_kw"].to_numpy() * load_scenario(camp()).load.critical_fraction
    assert (d["load_kw"].to_numpy() - unserved >= critical - tol).all()


def test_certain_closure_after_year_one_chooses_relocatable_kit() -> None:
    # fuel at 3 USD/L makes PV pay within a year or two; relocating it (70% of its value
    # back, 15% to move) beats leaving fixed kit behind, even with a 10% capex premium
    mission = {"end_year": 1, "relocatable_kit": "decide",
               "handover": {"pv": "decide", "battery": "decide"},
               "relocated_value_fraction": {"pv": 0.7, "battery": 0.6},
               "relocation_cost_fraction": {"pv": 0.15, "battery": 0.10}}
    r = optimize(camp(fuel={"price_usd_per_l": 3.0}, mission=mission), baseline=False)
    assert r.sizes["pv_kwp"] > 10.0
    assert r.sizes["pv_relocatable_kwp"] == pytest.approx(r.sizes["pv_kwp"], rel=1e-3)
    assert r.kpis["expected_mission_years"] == 1.0
    # moving kit dearer than its value elsewhere: all PV stays fixed
    dear = {**mission, "relocation_cost_fraction": {"pv": 0.9, "battery": 0.9}}
    r2 = optimize(camp(fuel={"price_usd_per_l": 3.0}, mission=dear), baseline=False)
    assert r2.sizes["pv_relocatable_kwp"] == pytest.approx(0.0, abs=1e-3)
    assert r2.sizes["battery_relocatable_kwh"] == pytest.approx(0.0, abs=1e-3)


def test_households_served_and_hours_by_hand() -> None:
    # the feeder covers the whole load all day: every household served, 24 h a day
    com = {"households": {"tier2": 100}, "constant_kw": 20, "feeder_kw": 100,
           "hours": [0, 24], "value_usd_per_kwh": 1.0}
    r = optimize(camp(horizon={"days": 3}, community=com), baseline=False)
    served = r.dispatch["community_kw"].to_numpy()
    if np.allclose(served, 20.0, atol=1e-4):
        assert r.kpis["community_households_served"] == 100
        assert r.kpis["community_hours_per_day"] == pytest.approx(24.0, rel=1e-6)
    share = r.kpis["community_served_share"]
    assert r.kpis["community_households_served"] == math.floor(100 * share + 1e-9)
    kwh = r.kpis["community_kwh_per_year"]
    assert r.kpis["community_co2_avoided_t_per_year"] == pytest.approx(
        kwh * 0.35 * load_scenario(camp()).fuel.co2_kg_per_l / 1e3)
