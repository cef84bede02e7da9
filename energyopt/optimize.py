"""The run: scenario -> inputs -> model -> search -> checked result (and its baseline).

One time budget (``solver.time_limit_s``) bounds the whole run: building the inputs, the
diesel-only baseline and the design. The baseline, a simpler problem (no storage to plan), runs
first with at most ``BASELINE_SHARE`` of the budget and usually converges in a few seconds; the
design gets the rest. The search itself is :mod:`energyopt.engine`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from energyopt.diagnose import diagnose, precheck
from energyopt.engine import Budget, Outcome, Problem, ProgressCallback, Variant, search
from energyopt.errors import InfeasibleScenarioError, SolverError
from energyopt.inputs import Inputs, build_inputs
from energyopt.model import ModelParams, model_params
from energyopt.results import SizingResult, extract_result
from energyopt.sanity import limit_cautions, log_cautions, scenario_cautions
from energyopt.scenario import Scenario, load_scenario
from energyopt.solve import SolveInfo, SolverSettings, Status, solver_version

__all__ = ["BASELINE_SHARE", "optimize", "result_of", "settings_of", "solve_params"]

log = logging.getLogger(__name__)

#: Largest share of the budget the diesel-only baseline may take [-].
BASELINE_SHARE = 0.25


def optimize(scenario: Scenario | str | Path | Mapping[str, Any], *,
             baseline: bool = True, inputs: Inputs | None = None,
             progress: ProgressCallback | None = None) -> SizingResult:
    """Size the camp's power system at least net present cost.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The scenario (loaded with :func:`~energyopt.scenario.load_scenario` when not one).
    baseline : bool
        Also solve the diesel-only camp under the same rules (no new PV or battery) and attach
        it as ``result.baseline``. When only that camp is infeasible, the design is still
        returned, with ``result.baseline`` None and ``result.baseline_error`` saying why.
    inputs : Inputs, optional
        Pre-built inputs (from :func:`~energyopt.inputs.build_inputs`) to reuse.
    progress : callable, optional
        Called with an :class:`energyopt.engine.Progress` record as the search moves (stage,
        design, bound, gap); the same lines are logged at INFO on ``energyopt.engine``.

    Returns
    -------
    SizingResult
        The best design found within ``solver.time_limit_s`` (the whole run, baseline
        included), with its proven bound and gap in ``solve_info``. ``solve_info.converged``
        says whether the gap asked for (``solver.mip_rel_gap``) was reached; a design that
        did not converge, or the rule-based design of last resort, is never presented as the
        recommendation by the CLI and the reports.

    Raises
    ------
    ScenarioError
        Bad input, before any model is built.
    InfeasibleScenarioError
        No design meets the requirements; the message names them.
    SolverError
        The solver failed, or no design was found in the time limit.
    """
    scenario = load_scenario(scenario)
    budget = Budget(scenario.solver.time_limit_s)
    if inputs is None:
        inputs = build_inputs(scenario)
    p = model_params(scenario, inputs)
    cautions = scenario_cautions(scenario, inputs)  # logged before a precheck may raise
    log_cautions(cautions)
    precheck(p, inputs, scenario)
    base_result: SizingResult | None = None
    base_error: str | None = None
    if baseline:
        # a feasible design is returned even when the diesel-only camp is not (a period only PV
        # and battery can carry, say): the baseline's diagnosis goes beside it
        p_base = model_params(scenario, inputs, diesel_only=True)
        try:
            precheck(p_base, inputs, scenario)
            base_result = solve_params(p_base, scenario, inputs,
                                       budget.share(BASELINE_SHARE), run="diesel only",
                                       name=scenario.name + " (diesel only)", progress=progress)
        except InfeasibleScenarioError as exc:
            base_error = f"the diesel-only camp is infeasible: {exc}"
            log.warning("%s: no diesel-only baseline: %s", scenario.name, exc)
        if base_result is not None and base_result.solve_info.interrupted:
            raise KeyboardInterrupt
    result = solve_params(p, scenario, inputs, budget, run="design", name=scenario.name,
                          progress=progress)
    result.baseline = base_result
    result.baseline_error = base_error
    at_limit = limit_cautions(scenario, result)
    log_cautions(at_limit)
    result.warnings = cautions + at_limit
    return result


def settings_of(scenario: Scenario) -> SolverSettings:
    """Return the solver settings of a scenario."""
    s = scenario.solver
    return SolverSettings(time_limit_s=s.time_limit_s, mip_rel_gap=s.mip_rel_gap,
                          threads=s.threads, log=s.log)


def solve_params(p: ModelParams, scenario: Scenario, inputs: Inputs, budget: Budget, *,
                 run: str, name: str, base: Variant | None = None,
                 progress: ProgressCallback | None = None) -> SizingResult:
    """Search one set of model parameters within ``budget``; return the checked result.

    Parameters
    ----------
    p : ModelParams
        The parameters (``model_params`` of the scenario, or a variant of them).
    scenario : Scenario
        For the solver settings.
    inputs : Inputs
        For the time index of the result.
    budget : Budget
        The time of this search (model build included).
    run : str
        Name in progress reports (``design``, ``diesel only``, ``point 2 of 6``).
    name : str
        Name of the result.
    base : Variant, optional
        Cuts that hold throughout (a bound on a risk metric).
    progress : callable, optional
        Progress callback.

    Returns
    -------
    SizingResult
    """
    problem = Problem(p, run, settings_of(scenario), base)
    # keep time to read the result back (about 1 s per 10,000 steps)
    reserve = min(0.1 * budget.left(), 0.3 + p.n_steps / 10_000.0)
    try:
        outcome = search(problem, budget.child(budget.left() - reserve),
                         target_gap=scenario.solver.mip_rel_gap, progress=progress, run=run,
                         strategy=scenario.solver.strategy)
    except InfeasibleScenarioError:
        raise diagnose(p, settings_of(scenario), name, budget) from None
    return result_of(problem, outcome, inputs, name=name, target_gap=scenario.solver.mip_rel_gap,
                     time_limit_s=budget.seconds)


def result_of(problem: Problem, outcome: Outcome, inputs: Inputs, *, name: str,
              target_gap: float, time_limit_s: float) -> SizingResult:
    """Turn a search's outcome into a checked :class:`SizingResult`.

    Raises
    ------
    SolverError
        When the search found no design.
    """
    design = outcome.design
    if design is None:
        raise SolverError(
            f"{name}: no feasible design was found in {time_limit_s:.0f} s ("
            + "; ".join(outcome.notes[-3:]) + "); raise solver.time_limit_s")
    problem.mm.load(design.x)
    gap = outcome.gap
    converged = gap <= target_gap + 1e-9
    termination = ("interrupted" if outcome.interrupted else
                   "gap reached" if converged else
                   "no bound proven in the time limit" if not math.isfinite(outcome.bound) else
                   "bound final (every window of its Lagrangian bound solved)"
                   if outcome.bound_final else
                   "time limit reached" if outcome.time_left_s <= max(
                       1.0, 0.05 * (outcome.runtime_s + outcome.time_left_s)) else
                   f"stages ended {outcome.time_left_s:.0f} s before the time limit")
    info = SolveInfo(
        status=Status.OPTIMAL if converged else Status.FEASIBLE,
        termination=termination, objective=design.objective,
        bound=outcome.bound, mip_gap=gap, runtime_s=outcome.runtime_s,
        handoff_s=problem.mm.handoff_s, solver=solver_version(), n_rows=problem.mm.n_rows,
        n_cols=problem.mm.n_cols, n_integers=int(problem.mm.is_integer.sum()),
        method=outcome.method, notes="; ".join(outcome.notes), target_gap=target_gap,
        time_limit_s=time_limit_s, wall_s=outcome.runtime_s, fallback=design.fallback,
        interrupted=outcome.interrupted, bound_final=outcome.bound_final)
    log.info("%s: %s, gap %.3g%% in %.1f s", name, termination, 100 * gap, outcome.runtime_s)
    return extract_result(problem.m, problem.p, inputs, info, name=name)
