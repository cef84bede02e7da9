"""How a Pareto front shares its time budget between points."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

import energyopt as eo

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
