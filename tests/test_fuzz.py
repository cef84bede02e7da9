"""Random overrides of an example camp end in a checked result or a typed error, in time.

Hypothesis draws one to three overrides (a real field path of the scenario, or a misspelt
one, with a value of any kind: numbers at and past their bounds, nan, inf, booleans, text,
lists, sections, None) and applies them to the Kidal team site cut to two days. Whatever it
draws, ``with_overrides`` then ``optimize`` must end in one of: a result (which ``optimize``
has checked: energy balance, fuel and convoy accounting, costs that add up), a
:class:`ScenarioError` naming a field, an :class:`InfeasibleScenarioError` naming a
requirement, or a :class:`SolverError`; never another exception, and never later than the
time limit plus a margin for building the inputs and the model.

The horizon's length and step are left out of the paths drawn: the model of a long horizon
at a fine step is built before the solver's clock starts, so its build time is not the
solver's to bound (a full year is tried in the slow tests).
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import energyopt as eo
from energyopt.errors import InfeasibleScenarioError, ScenarioError, SolverError

ROOT = Path(__file__).resolve().parents[1]
BASE_RAW: dict[str, Any] = eo.load_scenario(ROOT / "examples" / "kidal.yaml").model_dump(
    mode="python")
TIME_LIMIT_S = 4.0
#: Inputs, model build and result checks of a two-day camp [s], on a busy machine.
MARGIN_S = 20.0

PATHS = [
    "name", "description", "site",
    "horizon.years", "horizon.discount_rate", "horizon.start",
    "load.personnel", "load.critical_fraction", "load.archetype", "load.scale",
    "load.growth_per_year", "load.night_factor",
    "solar.capex_usd_per_kwp", "solar.max_kwp", "solar.existing_kwp", "solar.tilt_deg",
    "solar.losses_fraction", "solar.dc_ac_ratio", "solar.seed", "solar.tracking",
    "battery.capex_usd_per_kwh", "battery.max_kwh", "battery.existing_kwh", "battery.min_soc",
    "battery.roundtrip_efficiency", "battery.max_kw", "battery.max_power_to_energy_per_h",
    "diesel.units.0.rated_kw", "diesel.units.0.existing", "diesel.units.0.max_count",
    "diesel.units.0.min_load_fraction", "diesel.units.0.fuel_slope_l_per_kwh",
    "diesel.units.g100.existing",
    "fuel.price_usd_per_l", "fuel.route_km", "fuel.truck_capacity_l",
    "fuel.trucks_per_convoy", "fuel.casualties_per_convoy", "fuel.max_convoys_per_year",
    "fuel.max_expected_casualties_per_year", "fuel.loss_fraction", "fuel.threat_level",
    "fuel.inventory.convoy_schedule", "fuel.inventory.existing_tank_l",
    "fuel.inventory.max_tank_l", "fuel.inventory.safety_stock_days",
    "reliability.reserve_load_fraction", "reliability.reserve_pv_fraction",
    "reliability.max_unserved_fraction",
    "solver.mip_rel_gap", "solver.strategy",
    # wrong paths a user may type
    "battery.max_kwhh", "diesel.units.7.existing", "fuel.inventory.convoy_days", "solar..x",
]

numbers = st.one_of(
    st.integers(min_value=-10, max_value=10),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0.0, max_value=1.0),
    st.sampled_from([0, 1, 0.5, 1e-9, 1e9, 1e308, -1.0, 2.0, 100, 366]),
)
values = st.one_of(
    numbers, st.booleans(), st.none(),
    st.text(max_size=12),
    st.sampled_from(["2025-02-30", "2025-13-01", "2024-02-29", "weekly", "monthly", "free",
                     "fixed", "single_axis", "auto", "staged", "extreme", "gao", "kidal",
                     "team_site", "village", "1e3", "nan", "~/x.csv"]),
    st.lists(numbers, max_size=3),
    st.dictionaries(st.sampled_from(["a", "max_kwh", "name"]), numbers, max_size=2),
)
#: Factors on an example's own value: a plausible edit (most draws), or one at a bound.
FACTORS = [0.0, 0.1, 0.5, 0.9, 1.0, 1.1, 2.0, 10.0]


def _base_value(path: str) -> Any:
    value: Any = BASE_RAW
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _scaled(value: float | int, factor: float) -> float | int:
    out = value * factor
    return int(round(out)) if isinstance(value, int) else out


@st.composite
def change(draw: st.DrawFn) -> tuple[str, Any]:
    """One override: a path, then an edit of its value (plausible) or any value (wild)."""
    path = draw(st.sampled_from(PATHS))
    current = _base_value(path)
    if isinstance(current, int | float) and not isinstance(current, bool) and draw(
            st.booleans()):
        return path, _scaled(current, draw(st.sampled_from(FACTORS)))
    return path, draw(values)


overrides = st.lists(change(), min_size=1, max_size=3).map(dict)


@pytest.fixture(scope="module")
def base() -> eo.Scenario:
    scenario = eo.load_scenario(ROOT / "examples" / "kidal.yaml")
    return scenario.with_overrides({"horizon.days": 2, "solver.time_limit_s": TIME_LIMIT_S})


def _check(base: eo.Scenario, changes: dict[str, Any]) -> None:
    t0 = time.perf_counter()
    refused: ScenarioError | InfeasibleScenarioError | SolverError | None = None
    result = None
    try:
        result = eo.optimize(base.with_overrides(changes), baseline=False)
    except (ScenarioError, InfeasibleScenarioError, SolverError) as exc:
        refused = exc
    elapsed = time.perf_counter() - t0
    assert elapsed <= TIME_LIMIT_S + MARGIN_S, f"{changes}: {elapsed:.1f} s"
    if isinstance(refused, ScenarioError):
        event("scenario error")
        assert refused.problems
        assert all(p.field for p in refused.problems), str(refused)
    elif refused is not None:
        event(type(refused).__name__)
        assert str(refused)
    else:
        assert result is not None
        event("result")
        assert math.isfinite(result.solve_info.objective)
        assert result.sizes["pv_kwp"] >= 0.0


_SETTINGS = {"deadline": None,
             "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]}


@settings(max_examples=40, derandomize=True, **_SETTINGS)  # type: ignore[arg-type]
@given(changes=overrides)
def test_random_overrides_end_in_a_checked_result_or_a_typed_error(
        base: eo.Scenario, changes: dict[str, Any]) -> None:
    _check(base, changes)


@pytest.mark.slow
@settings(max_examples=400, database=None, **_SETTINGS)  # type: ignore[arg-type]
@given(changes=overrides)
def test_many_random_overrides_end_in_a_checked_result_or_a_typed_error(
        base: eo.Scenario, changes: dict[str, Any]) -> None:
    _check(base, changes)
