"""Shared fixtures of the energyopt test suite."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

# Tasks that tests send to worker processes live in tests/helpers/worker_tasks.py: put that
# folder (only it: CI's workers must import the installed energyopt, not the source tree) on
# the path of this process and of the workers it starts (they inherit PYTHONPATH).
_HELPERS = str(Path(__file__).resolve().parent / "helpers")
if _HELPERS not in sys.path:
    sys.path.insert(0, _HELPERS)
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (_HELPERS, os.environ.get("PYTHONPATH", "")) if p)


@pytest.fixture
def tiny() -> dict[str, Any]:
    """Return a minimal valid scenario dict (Gao, two days, flat 200 kW, two 200 kW gensets).

    Built afresh for every test, so tests may mutate it freely.
    """
    return {
        "site": "gao",
        "horizon": {"days": 2},
        "load": {"constant_kw": 200},
        "diesel": {
            "units": [{"name": "g200", "rated_kw": 200, "existing": 2, "max_count": 3}],
        },
    }


@pytest.fixture(scope="session")
def small_camp() -> dict[str, Any]:
    """Return a small scenario dict whose design uses PV, a battery and running generators.

    Gao, four days across a month boundary (30 March to 2 April), flat 200 kW, PV capped at
    400 kWp and the battery at 500 kWh; solved in about two seconds. Session-wide: do not
    mutate it.
    """
    return {
        "name": "small camp",
        "site": "gao",
        "horizon": {"days": 4, "start": "2025-03-30"},
        "load": {"constant_kw": 200},
        "solar": {"max_kwp": 400},
        "battery": {"max_kwh": 500},
        "solver": {"mip_rel_gap": 0.02},
        "diesel": {"units": [{"name": "g200", "rated_kw": 200, "existing": 2, "max_count": 3}]},
    }


@pytest.fixture(scope="session")
def small_camp_solved(small_camp: dict[str, Any]) -> tuple[Any, Any, Any]:
    """Return ``(result, scenario, inputs)`` of :func:`small_camp` solved once per session.

    With its diesel-only baseline. The finance, report, PDF and browser tests read the same
    solve; treat the result as read-only (derive variants with ``dataclasses.replace``).
    """
    import energyopt as eo

    scenario = eo.load_scenario(small_camp)
    inputs = eo.build_inputs(scenario)
    return eo.optimize(scenario, inputs=inputs), scenario, inputs
