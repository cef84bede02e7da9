"""The solver boundary: the only module that touches solver machinery.

A Pyomo model is compiled once to matrix form (:class:`MatrixModel`, with Pyomo's
``LinearStandardFormCompiler``, the leanest hand-off measured) and handed to HiGHS through
``highspy``. A :class:`Session` keeps one HiGHS instance on that matrix: the search changes
column bounds, integrality and the bounds of declared rows between runs, and HiGHS restarts
each LP from its last basis. Every run returns a :class:`SolveResult` with
:class:`Status` and :class:`Termination` enums, like linopy's ``Result``; this module never
warns and never prints.

:func:`solve_arrays` solves a small stand-alone problem given as arrays (a window of the year)
and :func:`solve_model` compiles, solves and loads a model in one call.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.common.collections import ComponentMap
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from energyopt.errors import InfeasibleScenarioError, SolverError

__all__ = [
    "Basis",
    "MatrixModel",
    "Session",
    "SolveInfo",
    "SolveResult",
    "SolverSettings",
    "Status",
    "Termination",
    "solve_arrays",
    "solve_model",
    "solver_version",
]

log = logging.getLogger(__name__)

INF = float(highspy.kHighsInf)


class Status(StrEnum):
    """Outcome of a run, or of a whole search (:class:`SolveInfo`)."""

    #: Solved to its target: an LP to optimality, a MILP (or a search) to its gap.
    OPTIMAL = "optimal"
    #: A limit stopped it with a feasible solution (the gap says how good).
    FEASIBLE = "feasible"
    #: Proven infeasible.
    INFEASIBLE = "infeasible"
    #: Proven unbounded.
    UNBOUNDED = "unbounded"
    #: A limit stopped it without a feasible solution.
    NO_SOLUTION = "no solution"
    #: The solver failed.
    ERROR = "error"


class Termination(StrEnum):
    """Why HiGHS stopped."""

    OPTIMAL = "optimal"
    TIME_LIMIT = "time limit"
    ITERATION_LIMIT = "iteration limit"
    OTHER_LIMIT = "other limit"
    INTERRUPTED = "interrupted"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible or unbounded"
    ERROR = "error"


@dataclass(frozen=True)
class SolveResult:
    """Record of one HiGHS run.

    Attributes
    ----------
    status : Status
    termination : Termination
    objective : float
        Objective of the solution found [USD] (NaN without one).
    bound : float
        Proven lower bound [USD]: the MIP dual bound, an LP's optimum, or -inf.
    mip_gap : float
        ``(objective - bound) / |objective|`` [-] (0 for an optimal LP, inf without a bound).
    runtime_s : float
        Solver time [s].
    message : str
        HiGHS's model status text.
    """

    status: Status
    termination: Termination
    objective: float
    bound: float
    mip_gap: float
    runtime_s: float
    message: str

    @property
    def has_solution(self) -> bool:
        """Whether a feasible solution was found."""
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)


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
    mip_abs_gap : float
        Absolute MIP gap at which to stop [USD].
    """

    time_limit_s: float = 300.0
    mip_rel_gap: float = 0.005
    threads: int = 2
    log: bool = False
    mip_abs_gap: float = 1e-6


@dataclass(frozen=True)
class SolveInfo:
    """Record of how a design was reached: one search (or one solve) and its certificate.

    Attributes
    ----------
    status : Status
        ``optimal`` when the design is within ``target_gap`` of the proven bound, otherwise
        ``feasible``.
    termination : str
        Why the search stopped (``gap reached``, ``time limit reached``, ``interrupted`` ...).
    objective : float
        Net present cost of the design [USD].
    bound : float
        Proven lower bound on the net present cost of any design [USD].
    mip_gap : float
        ``(objective - bound) / |objective|`` [-].
    runtime_s : float
        Solver time [s].
    handoff_s : float
        Time to compile the model and hand it to HiGHS [s].
    solver : str
        Solver name and version.
    n_rows, n_cols, n_integers : int
        Size of the full model.
    method : str
        How the design was found (``monolithic`` or ``search``).
    notes : str
        The stages, in order, for reports.
    target_gap : float
        The gap asked for (``solver.mip_rel_gap``) [-].
    time_limit_s : float
        The time this search was given [s].
    wall_s : float
        Wall time of the search [s].
    fallback : bool
        The design is the rule-based design of last resort (diesel covers load and reserve);
        it counts as converged only when the bound proves it within the gap asked for.
    interrupted : bool
        The search was interrupted (Ctrl-C) and kept its best design so far.
    bound_final : bool
        The bound is as high as the engine's relaxations take it (every window of its
        Lagrangian bound was solved): a longer time limit may improve the design, not the
        bound, and the design may be nearer the least cost than ``mip_gap`` proves.
    """

    status: Status | str
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
    target_gap: float = 0.0
    time_limit_s: float = math.inf
    wall_s: float = 0.0
    fallback: bool = False
    interrupted: bool = False
    bound_final: bool = False

    @property
    def converged(self) -> bool:
        """Whether the design is proven within the gap asked for."""
        return math.isfinite(self.mip_gap) and self.mip_gap <= self.target_gap + 1e-9

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the record (with ``converged``)."""
        out = asdict(self)
        out["status"] = str(self.status)
        out["converged"] = self.converged
        return out


# --------------------------------------------------------------------------------------------
# HiGHS instances
# --------------------------------------------------------------------------------------------
_first_instance = True
_lock = threading.Lock()
_threads: int | None = None
_active = 0


def _new_highs() -> highspy.Highs:
    """Return a new HiGHS instance, keeping its start-up banner off standard output.

    HiGHS 1.16 prints a banner when the process creates its first instance, whatever
    ``output_flag`` says; the CLI's summary is meant to be read, so the first construction
    runs with file descriptor 1 pointed at the null device. The solver's own log
    (``solver.log: true``) is unaffected.
    """
    global _first_instance
    with _lock:
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


def _configure(h: highspy.Highs, settings: SolverSettings) -> None:
    """Apply ``settings`` to ``h``.

    HiGHS keeps one thread scheduler per process: asking for another thread count while an
    instance runs fails, so a new count is taken only when no run is under way.
    """
    global _threads
    h.setOptionValue("output_flag", bool(settings.log))
    h.setOptionValue("time_limit", float(max(settings.time_limit_s, 1e-3)))
    h.setOptionValue("mip_rel_gap", float(settings.mip_rel_gap))
    h.setOptionValue("mip_abs_gap", float(settings.mip_abs_gap))
    h.setOptionValue("random_seed", 0)
    with _lock:
        wanted = int(settings.threads)
        if _threads != wanted and _active == 0:
            if _threads is not None:
                highspy.Highs.resetGlobalScheduler(True)
            _threads = wanted
        h.setOptionValue("threads", int(_threads if _threads is not None else wanted))


def _run(h: highspy.Highs, *, mip: bool) -> SolveResult:
    """Run ``h`` and classify the outcome (never raises for solver outcomes)."""
    global _active
    with _lock:
        _active += 1
    t0 = time.perf_counter()
    try:
        run_status = h.run()
    finally:
        with _lock:
            _active -= 1
    runtime = time.perf_counter() - t0
    ms = highspy.HighsModelStatus
    model_status = h.getModelStatus()
    text = h.modelStatusToString(model_status)
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    termination = {
        ms.kOptimal: Termination.OPTIMAL,
        ms.kTimeLimit: Termination.TIME_LIMIT,
        ms.kIterationLimit: Termination.ITERATION_LIMIT,
        ms.kSolutionLimit: Termination.OTHER_LIMIT,
        ms.kInterrupt: Termination.INTERRUPTED,
        ms.kInfeasible: Termination.INFEASIBLE,
        ms.kUnbounded: Termination.UNBOUNDED,
        ms.kUnboundedOrInfeasible: Termination.INFEASIBLE_OR_UNBOUNDED,
    }.get(model_status, Termination.ERROR)
    if run_status == highspy.HighsStatus.kError and termination == Termination.OPTIMAL:
        termination = Termination.ERROR
    if termination == Termination.OPTIMAL:
        status = Status.OPTIMAL
    elif termination in (Termination.INFEASIBLE, Termination.INFEASIBLE_OR_UNBOUNDED):
        status = Status.INFEASIBLE
    elif termination == Termination.UNBOUNDED:
        status = Status.UNBOUNDED
    elif termination == Termination.ERROR:
        status = Status.ERROR
    else:
        status = Status.FEASIBLE if has_solution else Status.NO_SOLUTION
    objective = float(info.objective_function_value) if status in (
        Status.OPTIMAL, Status.FEASIBLE) else math.nan
    if mip:
        bound = float(info.mip_dual_bound)
        if not math.isfinite(bound) or status not in (Status.OPTIMAL, Status.FEASIBLE,
                                                      Status.NO_SOLUTION):
            bound = -math.inf
    else:
        bound = objective if status == Status.OPTIMAL else -math.inf
    if status in (Status.OPTIMAL, Status.FEASIBLE) and math.isfinite(bound):
        gap = max((objective - bound) / max(abs(objective), 1e-9), 0.0)
    else:
        gap = math.inf
    return SolveResult(status=status, termination=termination, objective=objective,
                       bound=bound, mip_gap=gap, runtime_s=runtime, message=text)


def _pass(h: highspy.Highs, cost: np.ndarray, lower: np.ndarray, upper: np.ndarray,
          a: sp.csc_matrix, row_lower: np.ndarray, row_upper: np.ndarray,
          integer: np.ndarray | None, offset: float = 0.0) -> None:
    """Hand a problem in arrays to ``h``."""
    n_cols, n_rows = len(cost), a.shape[0]
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(lower, dtype=float)
    lp.col_upper_ = np.asarray(upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    lp.offset_ = float(offset)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    if integer is not None and integer.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in integer]
    if h.passModel(lp) == highspy.HighsStatus.kError:
        raise SolverError("HiGHS refused the model (passModel failed); this is a bug, please "
                          "report it with the scenario")


@functools.cache
def solver_version() -> str:
    """HiGHS name and version."""
    h = _new_highs()
    return f"HiGHS {h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"


_version = solver_version


# --------------------------------------------------------------------------------------------
# The compiled model
# --------------------------------------------------------------------------------------------
class MatrixModel:
    """A Pyomo model compiled once to ``row_lower <= A x <= row_upper``, bounds, integrality.

    Parameters
    ----------
    m : pyo.ConcreteModel
        A linear (mixed-integer) model with one active objective (minimised).

    Attributes
    ----------
    columns : list of pyo.VarData
        The variables, in column order.
    a : scipy.sparse.csc_matrix
        The constraint matrix (``a_rows`` holds it by rows).
    cost, col_lower, col_upper, row_lower, row_upper : numpy.ndarray
        Objective coefficients and the bounds as built.
    is_integer : numpy.ndarray
        Integrality of each column as built.
    offset : float
        Constant of the objective [USD].
    handoff_s : float
        Compile time [s].
    """

    def __init__(self, m: pyo.ConcreteModel) -> None:
        t0 = time.perf_counter()
        info = LinearStandardFormCompiler().write(m, mixed_form=True)
        self.model = m
        self.columns: list[Any] = list(info.columns)
        self.n_cols = len(self.columns)
        self.n_rows = len(info.rows)
        self.col_lower = np.array([-INF if v.lb is None else v.lb for v in self.columns],
                                  dtype=float)
        self.col_upper = np.array([INF if v.ub is None else v.ub for v in self.columns],
                                  dtype=float)
        self.is_integer = np.array([v.is_integer() or v.is_binary() for v in self.columns],
                                   dtype=bool)
        rhs = np.asarray(info.rhs, dtype=float)
        sense = np.array([mult for _, mult in info.rows], dtype=int)
        self.row_lower = np.where(sense <= 0, rhs, -INF)
        self.row_upper = np.where(sense >= 0, rhs, INF)
        self.rows: list[tuple[Any, int]] = list(info.rows)
        self.a: sp.csc_matrix = info.A.tocsc()
        self.a_rows: sp.csr_matrix = self.a.tocsr()
        self.cost = (np.asarray(info.c.toarray()).ravel() if self.n_cols
                     else np.zeros(0))
        self.offset = float(np.asarray(info.c_offset).ravel()[0]) if len(info.c_offset) else 0.0
        self.eliminated = list(info.eliminated_vars)
        self._col_of = ComponentMap((v, j) for j, v in enumerate(self.columns))
        self._rows_of: ComponentMap = ComponentMap()
        for i, (con, _mult) in enumerate(self.rows):
            self._rows_of.setdefault(con, []).append(i)
        self.handoff_s = time.perf_counter() - t0

    def cols(self, variables: Iterable[Any]) -> np.ndarray:
        """Column of each variable (-1 for one not in the matrix)."""
        return np.array([self._col_of.get(v, -1) for v in variables], dtype=np.int64)

    def col(self, variable: Any) -> int:
        """Column of one variable (-1 when not in the matrix)."""
        return int(self._col_of.get(variable, -1))

    def rows_of(self, constraint: Any) -> list[int]:
        """Rows of one constraint (a range constraint may give two)."""
        return list(self._rows_of.get(constraint, []))

    def objective(self, x: np.ndarray) -> float:
        """Objective of ``x`` [USD]."""
        return float(self.cost @ x) + self.offset

    def violation(self, x: np.ndarray, *, col_lower: np.ndarray | None = None,
                  col_upper: np.ndarray | None = None, row_lower: np.ndarray | None = None,
                  row_upper: np.ndarray | None = None) -> float:
        """Largest violation of a row or a bound by ``x``, relative to the row's size [-]."""
        lo = self.col_lower if col_lower is None else col_lower
        hi = self.col_upper if col_upper is None else col_upper
        rl = self.row_lower if row_lower is None else row_lower
        ru = self.row_upper if row_upper is None else row_upper
        ax = self.a_rows @ x
        scale = 1.0 + np.abs(self.a_rows) @ np.abs(x)
        rows = np.maximum(np.maximum(rl - ax, ax - ru), 0.0) / scale
        bounds = np.maximum(np.maximum(lo - x, x - hi), 0.0) / (1.0 + np.abs(x))
        return float(max(rows.max(initial=0.0), bounds.max(initial=0.0)))

    def safe_bound(self, row_duals: np.ndarray, *, col_lower: np.ndarray | None = None,
                   col_upper: np.ndarray | None = None, row_lower: np.ndarray | None = None,
                   row_upper: np.ndarray | None = None) -> float:
        r"""Return a lower bound on the LP (so on the model) from any row duals :math:`y`.

        .. math::

            L(y) = \sum_i y_i b_i(y) + \sum_j \min_{l_j \le x_j \le u_j} (c - A^T y)_j x_j

        with :math:`b_i(y)` the row's lower bound when :math:`y_i > 0`, its upper bound when
        :math:`y_i < 0`. Valid for every :math:`y` (weak duality); -inf where a column with an
        infinite bound has a reduced cost of the wrong sign, or a dual prices an infinite
        row bound.
        """
        lo = self.col_lower if col_lower is None else col_lower
        hi = self.col_upper if col_upper is None else col_upper
        rl = self.row_lower if row_lower is None else row_lower
        ru = self.row_upper if row_upper is None else row_upper
        y = np.where(np.abs(row_duals) > 1e-12, row_duals, 0.0)
        b = np.where(y > 0, rl, np.where(y < 0, ru, 0.0))
        if not np.isfinite(b[y != 0]).all():
            return -math.inf
        d = self.cost - self.a.T @ y
        d = np.where(np.abs(d) > 1e-12, d, 0.0)
        at = np.where(d > 0, lo, np.where(d < 0, hi, 0.0))
        if not np.isfinite(at[d != 0]).all():
            return -math.inf
        return float(y @ b + d @ at) + self.offset

    def load(self, x: np.ndarray) -> None:
        """Write ``x`` into the model's variables (and the variables the compiler left out)."""
        for var, value in zip(self.columns, x, strict=True):
            var.set_value(float(value), skip_validation=True)
        for var, expr in self.eliminated:
            var.set_value(float(pyo.value(expr)), skip_validation=True)
        # variables in no row and no cost: their lower bound (or 0)
        for var in self.model.component_data_objects(pyo.Var, descend_into=True):
            if var.value is None:
                var.set_value(var.lb if var.lb is not None else 0.0, skip_validation=True)

    def session(self, settings: SolverSettings) -> Session:
        """Return a HiGHS instance holding this matrix (see :class:`Session`)."""
        return Session(self, settings)


class Session:
    """One HiGHS instance on a :class:`MatrixModel`, changed between runs.

    The bounds, integrality and row bounds set here are the session's; :meth:`reset` returns
    to the model as built. An LP run restarts from the basis the previous LP left.
    """

    def __init__(self, mm: MatrixModel, settings: SolverSettings) -> None:
        self.mm = mm
        self.settings = settings
        self.h = _new_highs()
        _configure(self.h, settings)
        _pass(self.h, mm.cost, mm.col_lower, mm.col_upper, mm.a, mm.row_lower, mm.row_upper,
              mm.is_integer, mm.offset)
        self.col_lower = mm.col_lower.copy()
        self.col_upper = mm.col_upper.copy()
        self.row_lower = mm.row_lower.copy()
        self.row_upper = mm.row_upper.copy()
        self.integer = mm.is_integer.copy()
        self._coeffs: dict[tuple[int, int], float] = {}
        self.x: np.ndarray | None = None
        self.row_duals: np.ndarray | None = None

    def set_bounds(self, cols: Sequence[int] | np.ndarray, lower: Any, upper: Any) -> None:
        """Set the bounds of ``cols`` (scalars broadcast)."""
        idx = np.asarray(cols, dtype=np.int32)
        if idx.size == 0:
            return
        lo = np.broadcast_to(np.asarray(lower, dtype=float), idx.shape).copy()
        hi = np.broadcast_to(np.asarray(upper, dtype=float), idx.shape).copy()
        self.col_lower[idx] = lo
        self.col_upper[idx] = hi
        self.h.changeColsBounds(idx.size, idx, lo, hi)

    def reset_bounds(self, cols: Sequence[int] | np.ndarray) -> None:
        """Give ``cols`` back their bounds as built."""
        idx = np.asarray(cols, dtype=np.int64)
        self.set_bounds(idx, self.mm.col_lower[idx], self.mm.col_upper[idx])

    def set_integer(self, cols: Sequence[int] | np.ndarray, integer: bool) -> None:
        """Make ``cols`` integer or continuous (only columns built integer can be integer)."""
        idx = np.asarray(cols, dtype=np.int32)
        if idx.size == 0:
            return
        flags = self.mm.is_integer[idx] & integer
        self.integer[idx] = flags
        self.h.changeColsIntegrality(idx.size, idx, flags.astype(np.uint8))

    def relax(self) -> None:
        """Make every column continuous (the LP relaxation)."""
        self.set_integer(np.flatnonzero(self.integer), False)

    def set_row_bounds(self, rows: Sequence[int], lower: float, upper: float) -> None:
        """Set the bounds of ``rows``."""
        for i in rows:
            self.row_lower[i], self.row_upper[i] = lower, upper
            self.h.changeRowBounds(int(i), float(lower), float(upper))

    def set_cost(self, cost: np.ndarray) -> None:
        """Replace the objective's coefficients (the offset is kept)."""
        idx = np.arange(self.mm.n_cols, dtype=np.int32)
        self.h.changeColsCost(idx.size, idx, np.asarray(cost, dtype=float))

    def set_coefficient(self, row: int, col: int, value: float) -> None:
        """Set one matrix coefficient (nothing is sent when it already holds that value)."""
        if self._coeffs.get((row, col)) == value:
            return
        self._coeffs[(row, col)] = value
        self.h.changeCoeff(int(row), int(col), float(value))

    def clone(self) -> Session:
        """Return a new session with this one's bounds, rows, integrality and LP basis."""
        other = Session(self.mm, self.settings)
        changed = np.flatnonzero((self.col_lower != other.col_lower)
                                 | (self.col_upper != other.col_upper))
        other.set_bounds(changed, self.col_lower[changed], self.col_upper[changed])
        flips = np.flatnonzero(self.integer != other.integer)
        for flag in (True, False):
            other.set_integer(flips[self.integer[flips] == flag], flag)
        rows = np.flatnonzero((self.row_lower != other.row_lower)
                              | (self.row_upper != other.row_upper))
        for i in rows:
            other.set_row_bounds([int(i)], self.row_lower[i], self.row_upper[i])
        for (row, col), value in self._coeffs.items():
            other.set_coefficient(row, col, value)
        basis = self.h.getBasis()
        if basis.valid:
            other.h.setBasis(basis)
        return other

    @property
    def is_mip(self) -> bool:
        """Whether any column is integer and free to move."""
        return bool((self.integer & (self.col_upper > self.col_lower)).any())

    def run(self, time_limit_s: float, *, mip_rel_gap: float | None = None,
            start: np.ndarray | None = None) -> SolveResult:
        """Run HiGHS; keep the solution (``x``) and, for an LP, the row duals.

        Parameters
        ----------
        time_limit_s : float
            Wall time limit of this run [s].
        mip_rel_gap : float, optional
            Gap of this run (default: the session's).
        start : numpy.ndarray, optional
            A feasible solution for a MILP to start from.
        """
        gap = self.settings.mip_rel_gap if mip_rel_gap is None else mip_rel_gap
        self.h.setOptionValue("time_limit", float(max(time_limit_s, 1e-3)))
        self.h.setOptionValue("mip_rel_gap", float(gap))
        mip = self.is_mip
        if start is not None and mip:
            sol = highspy.HighsSolution()
            sol.col_value = np.asarray(start, dtype=float)
            sol.value_valid = True
            self.h.setSolution(sol)
        result = _run(self.h, mip=mip)
        self.x = None
        self.row_duals = None
        if result.has_solution:
            solution = self.h.getSolution()
            x = np.asarray(solution.col_value, dtype=float)
            if x.size == self.mm.n_cols and np.isfinite(x).all():
                # project onto the bounds (solver tolerances leave e.g. -1e-12)
                x = np.where(self.integer, np.round(x), x)
                self.x = np.clip(x, self.col_lower, self.col_upper)
            else:
                result = SolveResult(Status.ERROR, Termination.ERROR, math.nan, result.bound,
                                     math.inf, result.runtime_s,
                                     "solution with missing or non-finite values")
            if not mip and solution.dual_valid:
                self.row_duals = np.asarray(solution.row_dual, dtype=float)
        elif not mip and result.termination in (Termination.TIME_LIMIT,
                                                Termination.ITERATION_LIMIT,
                                                Termination.INTERRUPTED):
            solution = self.h.getSolution()
            if solution.dual_valid:
                self.row_duals = np.asarray(solution.row_dual, dtype=float)
        return result


def solve_arrays(cost: np.ndarray, lower: np.ndarray, upper: np.ndarray, a: sp.spmatrix,
                 row_lower: np.ndarray, row_upper: np.ndarray, integer: np.ndarray | None,
                 settings: SolverSettings, *, offset: float = 0.0
                 ) -> tuple[SolveResult, np.ndarray | None]:
    """Solve a stand-alone problem given as arrays; return its record and solution.

    Parameters
    ----------
    cost, lower, upper : numpy.ndarray
        Objective coefficients and column bounds.
    a : scipy.sparse matrix
        Constraint matrix (rows x columns).
    row_lower, row_upper : numpy.ndarray
        Row bounds.
    integer : numpy.ndarray or None
        Integrality of each column.
    settings : SolverSettings
        Time limit, gap, threads.
    offset : float
        Objective constant.

    Returns
    -------
    SolveResult, numpy.ndarray or None
        The record and the solution (None without one).
    """
    h = _new_highs()
    _configure(h, settings)
    _pass(h, cost, lower, upper, sp.csc_matrix(a), row_lower, row_upper, integer, offset)
    mip = integer is not None and bool(integer.any())
    result = _run(h, mip=mip)
    x = None
    if result.has_solution:
        x = np.asarray(h.getSolution().col_value, dtype=float)
        if x.size != len(cost) or not np.isfinite(x).all():
            x = None
        elif integer is not None:
            x = np.clip(np.where(integer, np.round(x), x), lower, upper)
    return result, x


# --------------------------------------------------------------------------------------------
# One model, one call
# --------------------------------------------------------------------------------------------
@dataclass
class Basis:
    """An LP basis keyed by the model's variables and constraints.

    Recorded by :func:`solve_model` (``record=``) after an LP solve and handed to a later LP
    solve of the same model (``start=``), after bounds, right-hand sides or the set of active
    constraints changed. A constraint that was not in the recorded LP enters with its slack
    basic; a variable that was not enters at its bound. A basis HiGHS cannot use is ignored.
    """

    cols: ComponentMap = field(default_factory=ComponentMap)
    rows: ComponentMap = field(default_factory=ComponentMap)

    def __bool__(self) -> bool:
        return bool(self.cols)


def solve_model(m: pyo.ConcreteModel, settings: SolverSettings, *,
                relax_integers: bool = False, start: Basis | None = None,
                record: Basis | None = None) -> SolveInfo:
    """Solve ``m`` with HiGHS in one call and load the solution into its variables.

    Parameters
    ----------
    m : pyo.ConcreteModel
        A linear (mixed-integer) model with one active objective (minimised).
    settings : SolverSettings
        Time limit, gap, threads and logging.
    relax_integers : bool
        Solve the LP relaxation.
    start : Basis, optional
        Restart the simplex from this basis (LP solves only).
    record : Basis, optional
        Filled with the optimal basis (LP solves only).

    Returns
    -------
    SolveInfo
        Status ``optimal``, or ``feasible`` when a limit stopped HiGHS with a solution.

    Raises
    ------
    InfeasibleScenarioError
        When HiGHS proves the model infeasible (the caller adds a diagnosis).
    SolverError
        When HiGHS fails or stops without a feasible solution.
    """
    mm = MatrixModel(m)
    session = Session(mm, settings)
    if relax_integers:
        session.relax()
    lp_only = not session.is_mip
    if start and lp_only:
        _set_basis(session.h, start, mm)
    result = session.run(settings.time_limit_s)
    if result.status == Status.INFEASIBLE:
        raise InfeasibleScenarioError(f"the problem is infeasible (HiGHS: {result.message})")
    if result.status == Status.UNBOUNDED:
        raise SolverError("the problem is unbounded: a cost is negative or a size has no upper "
                          "bound; check the scenario's costs")
    if not result.has_solution or session.x is None:
        raise SolverError(f"HiGHS stopped without a feasible solution ({result.message}) after "
                          f"{result.runtime_s:.1f} s; raise solver.time_limit_s or simplify the "
                          "scenario (fewer unit types, shorter horizon.days)")
    if record is not None and lp_only and result.status == Status.OPTIMAL:
        basis = session.h.getBasis()
        if basis.valid:
            record.cols = ComponentMap(zip(mm.columns, basis.col_status, strict=True))
            record.rows = ComponentMap()
            for (con, mult), row_status in zip(mm.rows, basis.row_status, strict=True):
                record.rows.setdefault(con, {})[int(mult)] = row_status
    mm.load(session.x)
    return SolveInfo(status=result.status, termination=result.message,
                     objective=result.objective, bound=result.bound, mip_gap=result.mip_gap
                     if math.isfinite(result.mip_gap) else math.inf,
                     runtime_s=result.runtime_s, handoff_s=mm.handoff_s, solver=_version(),
                     n_rows=mm.n_rows, n_cols=mm.n_cols, n_integers=int(mm.is_integer.sum()),
                     target_gap=settings.mip_rel_gap, time_limit_s=settings.time_limit_s)


def _set_basis(h: highspy.Highs, basis: Basis, mm: MatrixModel) -> None:
    """Hand ``basis`` to ``h`` (ignored when unusable)."""
    bs = highspy.HighsBasisStatus
    start = highspy.HighsBasis()
    start.col_status = [basis.cols.get(v, bs.kLower if v.lb is not None else bs.kZero)
                        for v in mm.columns]
    start.row_status = [basis.rows.get(con, {}).get(int(mult), bs.kBasic)
                        for con, mult in mm.rows]
    n_basic = sum(st == bs.kBasic for st in (*start.col_status, *start.row_status))
    if n_basic != len(mm.rows):
        log.debug("basis not reused: %d basic for %d rows", n_basic, len(mm.rows))
        return
    start.valid = True
    if h.setBasis(start) == highspy.HighsStatus.kError:
        log.debug("basis not reused: HiGHS refused it")
