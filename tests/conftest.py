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
