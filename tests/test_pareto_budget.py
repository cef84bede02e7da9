"""How a Pareto front shares its time budget between points."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest

import energyopt as eo
from energyopt.engine import Budget, Problem, Variant, least_metric, search
from energyopt.errors import InfeasibleScenarioError
from energyopt.model import model_params
from energyopt.optimize import settings_of

pareto_mod = importlib.import_module("energyopt.pareto")  # the package exports the function


def _camp(time_limit_s: float) -> dict[str, Any]:
    return {
        "site": "gao",
        "horizon": {"days": 2, "start": "2025-05-01"},
        "load": {"constant_kw": 100.0},
        "diesel": {"units": [{"name": "g", "rated_kw": 200, "existing": 1, "max_count": 2}]},
        "solver": {"time_limit_s": time_limit_s},
    }


@pytest.mark.parametrize(("limit_s", "front_s", "points", "expected_s"), [
    (60.0, 120.0, 8, 60.0),    # a single run's time: 60 s of 120 (not 15)
    (100.0, 120.0, 8, 60.0),   # at most half the front
    (5.0, 120.0, 8, 15.0),     # never less than an equal share
])
def test_least_cost_point_gets_a_single_runs_time(
        monkeypatch: pytest.MonkeyPatch, limit_s: float, front_s: float, points: int,
        expected_s: float) -> None:
    seen: list[float] = []

    def fake_point(problem: Any, scenario: Any, inputs: Any, eps: Any, metric: str,
                   budget: Any, *args: Any) -> str:
        seen.append(budget.seconds)
        return "no design found in 0 s"

    monkeypatch.setattr(pareto_mod, "_point", fake_point)
    with pytest.raises(eo.SolverError, match="least-cost design"):
        eo.pareto(_camp(limit_s), points=points, time_limit_s=front_s)
    assert seen[0] == pytest.approx(expected_s, rel=0.05)


def _small_site() -> dict[str, Any]:
    """Three days of a 100 kW set for a ~17 kW load, with little room for PV and storage.

    The set must run, and the LP's least casualty rate runs fractions of it at full output,
    which whole units cannot match: the front's tight end lies out of reach.
    """
    return {
        "name": "small site",
        "site": "kidal",
        "horizon": {"days": 3, "step_minutes": 120, "years": 10, "discount_rate": 0.05},
        "load": {"archetype": "team_site", "personnel": 40},
        "solar": {"max_kwp": 40.0, "capex_usd_per_kwp": 3000.0},
        "battery": {"max_kwh": 100.0, "capex_usd_per_kwh": 1000.0},
        "diesel": {"units": [{"name": "g100", "rated_kw": 100.0, "existing": 1,
                              "max_count": 2}]},
        "fuel": {"casualties_per_convoy": 0.1, "value_per_casualty_usd": 0.0,
                 "route_km": 100, "escort_usd_per_convoy": 0.0, "price_usd_per_l": 0.8},
        "solver": {"mip_rel_gap": 1e-6, "time_limit_s": 60},
    }


def test_front_ends_at_a_design_when_its_tight_end_is_out_of_reach() -> None:
    metric = "expected_casualties_per_year"
    scenario = eo.load_scenario(_small_site())
    front = eo.pareto(scenario, metric, points=4)
    first, end = front.iloc[0], front.iloc[1]
    # the bound the even steps gave point 1 is infeasible with whole units (checked on its
    # own, by one MILP of the same problem) ...
    inputs = eo.build_inputs(scenario)
    problem = Problem(model_params(scenario, inputs), "check", settings_of(scenario))
    low = least_metric(problem, metric, Budget(30))
    even = float(np.linspace(first[metric], low, 4)[1])
    problem.base = Variant(limits={metric: even})
    with pytest.raises(InfeasibleScenarioError):
        search(problem, Budget(30), target_gap=1e-6, strategy="monolithic")
    # ... so the point moved its bound towards the least-cost design and found one there
    assert "bound raised" in end["status"]
    assert even < end["bound"] < first[metric]
    assert end[metric] <= end["bound"] * (1 + 1e-6)
    assert end[metric] < first[metric]
    assert end["npc_usd"] >= first["npc_usd"] * (1 - 1e-9)
    # every tighter point is infeasible too, and says so
    for _, row in front.iloc[2:].iterrows():
        assert row["status"].startswith("infeasible")
        assert np.isnan(row["npc_usd"])
