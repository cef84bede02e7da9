"""Shared fixtures of the energyopt test suite."""

from __future__ import annotations

from typing import Any

import pytest


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
