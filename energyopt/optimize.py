"""The run: scenario -> inputs -> model -> solve -> checked result (and its baseline)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyomo.environ as pyo

from energyopt.diagnose import FAMILIES, precheck, relax
from energyopt.errors import InfeasibleScenarioError, SolverError
from energyopt.inputs import Inputs, build_inputs
from energyopt.model import build_model, model_params
from energyopt.results import SizingResult, extract_result
from energyopt.scenario import Scenario, load_scenario
from energyopt.solve import SolverSettings, solve_model

__all__ = ["optimize"]

log = logging.getLogger(__name__)


def optimize(scenario: Scenario | str | Path | Mapping[str, Any], *,
             baseline: bool = True, inputs: Inputs | None = None) -> SizingResult:
    """Size the camp's power system at least net present cost.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The scenario (loaded with :func:`~energyopt.scenario.load_scenario` when not one).
    baseline : bool
        Also solve the diesel-only camp under the same rules (no new PV or battery) and attach
        it as ``result.baseline``.
    inputs : Inputs, optional
        Pre-built inputs (from :func:`~energyopt.inputs.build_inputs`) to reuse.

    Returns
    -------
    SizingResult
        The checked optimal design.

    Raises
    ------
    ScenarioError
        Bad input, before any model is built.
    InfeasibleScenarioError
        No design meets the requirements; the message names them.
    SolverError
        The solver failed or found nothing within its time limit.
    """
    scenario = load_scenario(scenario)
    if inputs is None:
        inputs = build_inputs(scenario)
    result = _solve_one(scenario, inputs, diesel_only=False)
    if baseline:
        result.baseline = _solve_one(scenario, inputs, diesel_only=True)
    return result


def _settings(scenario: Scenario) -> SolverSettings:
    s = scenario.solver
    return SolverSettings(time_limit_s=s.time_limit_s, mip_rel_gap=s.mip_rel_gap,
                          threads=s.threads, log=s.log)


def _solve_one(scenario: Scenario, inputs: Inputs, *, diesel_only: bool) -> SizingResult:
    name = scenario.name + (" (diesel only)" if diesel_only else "")
    t0 = time.perf_counter()
    p = model_params(scenario, inputs, diesel_only=diesel_only)
    try:
        precheck(p, inputs)
    except InfeasibleScenarioError as exc:
        if diesel_only:
            raise InfeasibleScenarioError(f"diesel-only baseline: {exc}",
                                          exc.requirements) from None
        raise
    m = build_model(p)
    build_s = time.perf_counter() - t0
    settings = _settings(scenario)
    try:
        info = solve_model(m, settings)
    except InfeasibleScenarioError:
        raise _diagnose(p, settings, name) from None
    log.info("%s: build %.2f s, hand-off %.2f s, solve %.2f s, gap %.3g%%", name, build_s,
             info.handoff_s, info.runtime_s, 100 * info.mip_gap)
    return extract_result(m, p, inputs, info, name=name)


def _diagnose(p: Any, settings: SolverSettings, name: str) -> InfeasibleScenarioError:
    """Re-solve an infeasible model elastically and name the requirements it had to relax."""
    m = build_model(p)
    slacks = relax(m)
    quick = SolverSettings(time_limit_s=min(settings.time_limit_s, 120.0), mip_rel_gap=0.05,
                           threads=settings.threads)
    try:
        solve_model(m, quick)
    except (InfeasibleScenarioError, SolverError):
        return InfeasibleScenarioError(
            f"{name}: no design meets the requirements and the diagnosis found no single "
            "cause; check sizes, bounds and reserve settings", [])
    broken = []
    for path, var in slacks.items():
        total = sum(pyo.value(v) for v in var.values())
        if total > 1e-6:
            broken.append((path, total))
    meanings = [FAMILIES[path] for path, _ in broken]
    detail = "; ".join(f"{FAMILIES[path]} (short by {total:.3g} in total)"
                       for path, total in broken)
    return InfeasibleScenarioError(
        f"{name}: no design meets these requirements: {detail or 'unknown'}; relax them or "
        "allow more capacity", meanings)
