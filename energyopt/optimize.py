"""The run: scenario -> inputs -> model -> solve -> checked result (and its baseline)."""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyomo.environ as pyo

from energyopt.diagnose import FAMILIES, precheck, relax
from energyopt.errors import InfeasibleScenarioError, SolverError
from energyopt.inputs import Inputs, build_inputs
from energyopt.model import ModelParams, build_model, model_params
from energyopt.results import SizingResult, extract_result
from energyopt.scenario import Scenario, load_scenario
from energyopt.solve import SolveInfo, SolverSettings, solve_model

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


def _settings(scenario: Scenario, time_limit_s: float | None = None) -> SolverSettings:
    s = scenario.solver
    return SolverSettings(time_limit_s=s.time_limit_s if time_limit_s is None else time_limit_s,
                          mip_rel_gap=s.mip_rel_gap, threads=s.threads, log=s.log)


#: Up to this many unit-type x step integers, 'auto' solves one monolithic MILP.
MONOLITHIC_MAX_UNIT_STEPS = 2000


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
    strategy = scenario.solver.strategy
    if strategy == "auto":
        unit_steps = p.n_steps * len(p.diesel)
        strategy = "monolithic" if unit_steps <= MONOLITHIC_MAX_UNIT_STEPS else "two_stage"
    settings = _settings(scenario)
    try:
        if strategy == "monolithic":
            info = solve_model(m, settings)
        else:
            m, info = _two_stage(m, p, scenario)
    except InfeasibleScenarioError:
        raise _diagnose(p, settings, name) from None
    log.info("%s: build %.2f s, hand-off %.2f s, solve %.2f s, gap %.3g%%", name, build_s,
             info.handoff_s, info.runtime_s, 100 * info.mip_gap)
    return extract_result(m, p, inputs, info, name=name)


_SIZE_VARS = ("pv.kwp", "battery.kwh", "battery.kw")


def _two_stage(m: pyo.ConcreteModel, p: ModelParams,
               scenario: Scenario) -> tuple[pyo.ConcreteModel, SolveInfo]:
    """Full-year solve in stages, each bounded by what is left of the time limit.

    1. LP relaxation of the whole model: a proven lower bound and candidate sizes.
    1b. Partial integrality: the MILP with units online kept integer only in the steps where
       the LP ran generators fractionally (and their neighbours), continuous elsewhere. It is
       still a relaxation of the full problem, so its dual bound is a proven lower bound, much
       tighter than the LP's, and its sizes price the generators' minimum load and no-load fuel.
    2. Sizes fixed (unit counts rounded up), the full-year MILP dispatch: a feasible design.
    3. While the gap to the bound exceeds ``mip_rel_gap`` and time is left: the monolithic
       MILP warm-started from stage 2, keeping the better design and the better bound.

    The reported gap is ``(design - best bound) / design`` for the full-year problem.
    """
    limit = scenario.solver.time_limit_s
    start = time.perf_counter()
    lp = solve_model(m, _settings(scenario), relax_integers=True)
    bound = lp.objective
    handoff = lp.handoff_s
    notes = f"stage 1 LP relaxation {lp.runtime_s:.1f} s (bound {lp.objective:,.0f})"
    partial = _partial_integrality(m, p, scenario, limit * 0.35)
    if partial is not None:
        bound = max(bound, partial.bound)
        handoff += partial.handoff_s
        notes += (f"; stage 1b MILP with {partial.n_integers:,} integer unit-steps "
                  f"{partial.runtime_s:.1f} s (bound {partial.bound:,.0f})")
    fixed = build_model(p)
    for path in _SIZE_VARS:
        var = m.find_component(path)
        if var is not None:
            fixed.find_component(path).fix(float(var.value))
    for g in m.diesel.G:
        count = math.ceil(float(m.diesel.count[g].value) - 1e-6)
        fixed.diesel.count[g].fix(max(count, int(fixed.diesel.count[g].lb)))
    left = limit - (time.perf_counter() - start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the overall gap is warned about below
        stage2 = solve_model(fixed, _settings(scenario, max(left * 0.6, 1.0)))
    best_m, best = fixed, stage2
    handoff += stage2.handoff_s
    notes += (f"; stage 2 dispatch MILP with sizes fixed {stage2.runtime_s:.1f} s "
              f"(dispatch gap {stage2.mip_gap:.2%})")
    left = limit - (time.perf_counter() - start)
    if (best.objective - bound) / abs(best.objective) > scenario.solver.mip_rel_gap and left > 5:
        full = build_model(p)
        for src, dst in zip(fixed.component_data_objects(pyo.Var),
                            full.component_data_objects(pyo.Var), strict=True):
            dst.set_value(src.value, skip_validation=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            stage3 = solve_model(full, _settings(scenario, left), warm_start=True)
        handoff += stage3.handoff_s
        bound = max(bound, stage3.bound)
        notes += (f"; stage 3 monolithic MILP warm-started {stage3.runtime_s:.1f} s "
                  f"(objective {stage3.objective:,.0f}, bound {bound:,.0f})")
        if stage3.objective < best.objective - 1e-9 * abs(best.objective):
            best_m, best = full, stage3
    gap = max((best.objective - bound) / abs(best.objective), 0.0)
    status = "optimal" if gap <= scenario.solver.mip_rel_gap + 1e-12 else "feasible"
    runtime = time.perf_counter() - start - handoff
    termination = "gap reached" if status == "optimal" else "time limit reached"
    info = SolveInfo(status=status, termination=termination, objective=best.objective,
                     bound=bound, mip_gap=gap, runtime_s=runtime, handoff_s=handoff,
                     solver=best.solver, n_rows=best.n_rows, n_cols=best.n_cols,
                     n_integers=best.n_integers, method="two_stage", notes=notes)
    if status == "feasible":
        warnings.warn(
            f"{scenario.name}: the design is within {gap:.2%} of the proven bound (asked for "
            f"{scenario.solver.mip_rel_gap:.2%}) after {limit:.0f} s; raise "
            "solver.time_limit_s for a tighter result", RuntimeWarning, stacklevel=3)
    return best_m, info


def _partial_integrality(m: pyo.ConcreteModel, p: ModelParams, scenario: Scenario,
                         budget_s: float) -> SolveInfo | None:
    """Stage 1b: keep units online integer where the LP solution is fractional (+-1 step).

    ``m`` holds the LP solution on entry and this stage's solution on return (when found).
    Returns None when the LP is already integral or no solution was found in ``budget_s``.
    """
    online = m.diesel.online
    n = p.n_steps
    steps = {t for (_g, t), var in online.items() if abs(var.value - round(var.value)) > 1e-6}
    if not steps:
        return None
    keep = {(t + k) % n for t in steps for k in (-1, 0, 1)}
    for (_g, t), var in online.items():
        var.domain = pyo.NonNegativeIntegers if t in keep else pyo.NonNegativeReals
    gap = min(scenario.solver.mip_rel_gap / 4.0, 0.0025)
    settings = SolverSettings(time_limit_s=max(budget_s, 1.0), mip_rel_gap=gap,
                              threads=scenario.solver.threads, log=scenario.solver.log)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return solve_model(m, settings)
    except SolverError:
        return None


def _diagnose(p: ModelParams, settings: SolverSettings, name: str) -> InfeasibleScenarioError:
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
