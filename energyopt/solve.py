"""The solver boundary: the only module that touches solver machinery.

The Pyomo model is compiled to matrix form with Pyomo's ``LinearStandardFormCompiler`` and
handed to HiGHS through ``highspy`` in one call (the leanest hand-off measured, see DESIGN.md).
One function owns the call: solve, check the termination, and only then load the values back
into the Pyomo variables.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.collections import ComponentMap
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from energyopt.errors import InfeasibleScenarioError, SolverError

__all__ = ["Basis", "SolveInfo", "SolverSettings", "solve_model"]

log = logging.getLogger(__name__)

_INF = highspy.kHighsInf


@dataclass(frozen=True)
class SolverSettings:
    """What the solver is told.

    Attributes
    ----------
    time_limit_s : float
        Wall time limit [s].
    mip_rel_gap : float
        Relative MIP gap at which to stop [-].
    threads : int
        Threads for HiGHS [-].
    log : bool
        Print the HiGHS log.
    """

    time_limit_s: float = 300.0
    mip_rel_gap: float = 0.005
    threads: int = 2
    log: bool = False


@dataclass(frozen=True)
class SolveInfo:
    """Record of one solve.

    Attributes
    ----------
    status : str
        ``optimal`` or ``feasible`` (a limit was hit with an incumbent).
    termination : str
        HiGHS model status text.
    objective : float
        Objective value [USD].
    bound : float
        Best proven lower bound [USD].
    mip_gap : float
        Relative gap ``(objective - bound) / |objective|`` [-] (0 for an LP).
    runtime_s : float
        Solver time [s].
    handoff_s : float
        Time to compile the Pyomo model and pass it to HiGHS [s].
    solver : str
        Solver name and version.
    n_rows, n_cols, n_integers : int
        Size of the problem handed over.
    method : str
        ``monolithic`` (one MILP) or ``two_stage`` (see :mod:`energyopt.optimize`).
    notes : str
        How the figures were reached, for reports.
    """

    status: str
    termination: str
    objective: float
    bound: float
    mip_gap: float
    runtime_s: float
    handoff_s: float
    solver: str
    n_rows: int
    n_cols: int
    n_integers: int
    method: str = "monolithic"
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the record."""
        return asdict(self)


class Basis:
    """An LP basis keyed by the model's variables and constraints.

    Recorded by :func:`solve_model` (``record=``) after an LP solve and handed to a later LP
    solve of the same model (``start=``), after bounds, right-hand sides or the set of active
    constraints changed: the simplex restarts from it instead of from scratch. A constraint
    that was not in the recorded LP enters with its slack basic; a variable that was not enters
    at its bound. A basis HiGHS cannot use (not consistent with the new LP) is ignored.
    """

    def __init__(self) -> None:
        self.cols: ComponentMap = ComponentMap()
        self.rows: ComponentMap = ComponentMap()

    def __bool__(self) -> bool:
        return bool(self.cols)


_first_instance = True


def _new_highs() -> highspy.Highs:
    """Return a new HiGHS instance, keeping its start-up banner off standard output.

    HiGHS 1.16 prints a banner when the process creates its first instance, whatever
    ``output_flag`` says; the CLI's summary is meant to be read, so the first construction
    runs with file descriptor 1 pointed at the null device. The solver's own log
    (``solver.log: true``) is unaffected.
    """
    global _first_instance
    if not _first_instance:
        return highspy.Highs()
    _first_instance = False
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no real stdout (e.g. some embedded interpreters)
        return highspy.Highs()
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
        finally:
            os.close(devnull)
        return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _version() -> str:
    h = _new_highs()
    return f"HiGHS {h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"


def solve_model(m: pyo.ConcreteModel, settings: SolverSettings, *,
                relax_integers: bool = False, warm_start: bool = False,
                start: Basis | None = None, record: Basis | None = None) -> SolveInfo:
    """Solve ``m`` with HiGHS and load the solution into its variables.

    Parameters
    ----------
    m : pyo.ConcreteModel
        A linear (mixed-integer) model with one active objective (minimised).
    settings : SolverSettings
        Time limit, gap, threads and logging.
    relax_integers : bool
        Solve the LP relaxation (integer columns made continuous; values not rounded).
    warm_start : bool
        Hand the variables' current values to HiGHS as a starting solution.
    start : Basis, optional
        Restart the simplex from this basis (LP solves only; see :class:`Basis`).
    record : Basis, optional
        Filled with the optimal basis (LP solves only).

    Returns
    -------
    SolveInfo
        Status, objective, bound, gap and timings. When a limit is hit with a feasible
        incumbent, the incumbent is loaded, ``status`` is ``feasible`` and a warning is issued.

    Raises
    ------
    InfeasibleScenarioError
        When HiGHS proves the model infeasible (the caller adds a diagnosis).
    SolverError
        When HiGHS fails or stops without a feasible solution.
    """
    t0 = time.perf_counter()
    info = LinearStandardFormCompiler().write(m, mixed_form=True)
    cols = info.columns
    n_cols, n_rows = len(cols), len(info.rows)
    lower = np.array([-_INF if v.lb is None else v.lb for v in cols], dtype=float)
    upper = np.array([_INF if v.ub is None else v.ub for v in cols], dtype=float)
    is_int = np.array([v.is_integer() or v.is_binary() for v in cols], dtype=bool)
    if relax_integers:
        is_int[:] = False
    rhs = np.asarray(info.rhs, dtype=float)
    sense = np.array([mult for _, mult in info.rows], dtype=int)
    row_lower = np.where(sense <= 0, rhs, -_INF)
    row_upper = np.where(sense >= 0, rhs, _INF)
    a = info.A.tocsc()
    cost = np.asarray(info.c.toarray()).ravel() if n_cols else np.zeros(0)
    offset = float(np.asarray(info.c_offset).ravel()[0]) if len(info.c_offset) else 0.0

    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = cost
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.offset_ = offset
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    if is_int.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in is_int]
    h = _new_highs()
    h.setOptionValue("output_flag", bool(settings.log))
    h.setOptionValue("time_limit", float(settings.time_limit_s))
    h.setOptionValue("mip_rel_gap", float(settings.mip_rel_gap))
    h.setOptionValue("threads", int(settings.threads))
    h.setOptionValue("random_seed", 0)
    status = h.passModel(lp)
    if status == highspy.HighsStatus.kError:
        raise SolverError("HiGHS refused the model (passModel failed); this is a bug, please "
                          "report it with the scenario")
    if warm_start:
        initial = highspy.HighsSolution()
        initial.col_value = [float(v.value) if v.value is not None else 0.0 for v in cols]
        initial.value_valid = True
        h.setSolution(initial)
    lp_only = not is_int.any()
    if start and lp_only:
        _set_basis(h, start, cols, info.rows)
    handoff = time.perf_counter() - t0

    t1 = time.perf_counter()
    h.run()
    runtime = time.perf_counter() - t1
    model_status = h.getModelStatus()
    text = h.modelStatusToString(model_status)
    mip = bool(is_int.any())
    ms = highspy.HighsModelStatus
    if model_status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        raise InfeasibleScenarioError(f"the problem is infeasible (HiGHS: {text})")
    if model_status == ms.kUnbounded:
        raise SolverError("the problem is unbounded: a cost is negative or a size has no upper "
                          "bound; check the scenario's costs")
    info_h = h.getInfo()
    has_solution = info_h.primal_solution_status == 2  # kSolutionStatusFeasible
    if model_status == ms.kOptimal:
        result_status = "optimal"
    elif has_solution and model_status in (ms.kTimeLimit, ms.kIterationLimit,
                                           ms.kSolutionLimit, ms.kInterrupt):
        result_status = "feasible"
    else:
        raise SolverError(f"HiGHS stopped without a feasible solution ({text}) after "
                          f"{runtime:.1f} s; raise solver.time_limit_s or simplify the "
                          "scenario (fewer unit types, shorter horizon.days)")

    if record is not None and lp_only and model_status == ms.kOptimal:
        basis = h.getBasis()
        if basis.valid:
            record.cols = ComponentMap(zip(cols, basis.col_status, strict=True))
            record.rows = ComponentMap()
            for (con, mult), row_status in zip(info.rows, basis.row_status, strict=True):
                record.rows.setdefault(con, {})[int(mult)] = row_status
    x = np.asarray(h.getSolution().col_value, dtype=float)
    if x.size != n_cols or not np.isfinite(x).all():
        raise SolverError("HiGHS returned a solution with missing or non-finite values")
    # project onto the bounds (solver tolerances leave e.g. -1e-12 on non-negative columns)
    x = np.clip(np.where(is_int, np.round(x), x), lower, upper)
    for var, value in zip(cols, x, strict=True):
        var.set_value(float(value), skip_validation=True)
    for var, expr in info.eliminated_vars:
        var.set_value(float(pyo.value(expr)), skip_validation=True)
    # variables in no row and no cost are free: give them their lower bound (or 0)
    for var in m.component_data_objects(pyo.Var, descend_into=True):
        if var.value is None:
            var.set_value(var.lb if var.lb is not None else 0.0, skip_validation=True)

    objective = float(info_h.objective_function_value)
    if mip:
        bound = float(info_h.mip_dual_bound)
        gap = float(info_h.mip_gap) if np.isfinite(info_h.mip_gap) else float("inf")
    else:
        bound, gap = objective, 0.0
    gap = max(gap, 0.0)
    if result_status == "feasible":
        warnings.warn(
            f"HiGHS stopped at its limit ({text}) with a feasible design; the MIP gap is "
            f"{gap:.2%} (asked for {settings.mip_rel_gap:.2%}); raise solver.time_limit_s for "
            "a tighter result", RuntimeWarning, stacklevel=2)
    return SolveInfo(status=result_status, termination=text, objective=objective, bound=bound,
                     mip_gap=gap, runtime_s=runtime, handoff_s=handoff, solver=_version(),
                     n_rows=n_rows, n_cols=n_cols, n_integers=int(is_int.sum()))


def _set_basis(h: highspy.Highs, basis: Basis, cols: list[Any],
               rows: list[tuple[Any, int]]) -> None:
    """Hand ``basis`` to ``h`` for the LP of ``cols`` and ``rows`` (ignored when unusable)."""
    bs = highspy.HighsBasisStatus
    start = highspy.HighsBasis()
    start.col_status = [basis.cols.get(v, bs.kLower if v.lb is not None else bs.kZero)
                        for v in cols]
    start.row_status = [basis.rows.get(con, {}).get(int(mult), bs.kBasic) for con, mult in rows]
    n_basic = sum(st == bs.kBasic for st in (*start.col_status, *start.row_status))
    if n_basic != len(rows):
        log.debug("basis not reused: %d basic for %d rows", n_basic, len(rows))
        return
    start.valid = True
    if h.setBasis(start) == highspy.HighsStatus.kError:
        log.debug("basis not reused: HiGHS refused it")
