"""The search: from a compiled problem to the best design found and its proven bound.

Stages, each taking its time from one :class:`~energyopt.engine.budget.Budget` and each able
only to improve what the ones before left:

1. **Rule design** (seconds, before any MILP): units online that carry the load and its reserve
   on their own, then the LP with that commitment fixed adds the PV and battery that pay
   (:mod:`~energyopt.engine.polish`). The design of last resort, feasible whenever the fleet
   can carry the load and reserve; it is flagged as such and never reported as converged.
2. A problem with few unit-steps (``MONOLITHIC_MAX_UNIT_STEPS``) is one MILP, started from
   that design.
3. **LP relaxation** of the full year: the first proven bound.
4. **Convoy split** with a daily inventory (:mod:`~energyopt.engine.convoys`): pieces with
   their own LP bounds; the search goes on in the piece of least bound.
5. **Windowed dispatch** (:mod:`~energyopt.engine.windows`) of the piece's LP sizes gives whole
   units online; the LP with them fixed gives a design (:mod:`~energyopt.engine.polish`).
   Where the LP runs mostly fractions of its sets (sets far larger than the load, a team
   site), the windows dispatch sizes ``LARGER_SIZES_FACTOR`` larger than the LP's: whole sets
   need room for the surplus of full hours. While the design is more than
   ``LARGER_SIZES_MIN_GAP`` above the bound, the windows run once more at sizes 0.1 larger.
6. While the gap is open: the **Lagrangian bound** (:mod:`~energyopt.engine.lagrange`)
   solves windows of the year with whole units, priced by the LP's duals, on both cores, and
   lifts the bound as each finishes, until the design is proven; without storage, the piece's
   MILP bounds it instead. Then, with a minute left, a **neighbourhood MILP** (units online
   only where the design or the LP ran them, sizes free) improves the design.
7. When a piece left out holds the bound down, its own bound is lifted the same way.
8. When no stage found a design (only the rule's, or none, e.g. under a tight risk bound) and
   at least ``LAST_RESORT_MIN_S`` are left, one MILP takes the rest of the time: it finds a
   design or proves there is none.

The search stops when the gap is at most the target or the budget is spent. Ctrl-C stops it
with the best design so far.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from energyopt.engine.budget import Budget
from energyopt.engine.convoys import Piece, split_on_convoys
from energyopt.engine.lagrange import LagrangianBound
from energyopt.engine.polish import design_from_commitment, fallback_commitment
from energyopt.engine.problem import Design, Problem, relative_gap
from energyopt.engine.progress import Progress, ProgressCallback, log
from energyopt.engine.windows import windowed_commitment
from energyopt.errors import InfeasibleScenarioError
from energyopt.solve import Session, Status

__all__ = ["MONOLITHIC_MAX_UNIT_STEPS", "Outcome", "least_metric", "search"]

#: Solves run at once (two cores), unless ``solver.threads`` asks for fewer.
_WORKERS = 2


def _workers(problem: Problem) -> int:
    """Solves the search runs at once: two, or one when ``solver.threads`` is 1."""
    return max(1, min(_WORKERS, int(problem.settings.threads)))
#: Most of the time left that the windowed dispatch may take [-].
WINDOWS_SHARE = 0.6
#: Share of the LP's units online that are fractions above which the sets are taken to be far
#: larger than the load [-]. The full-year LPs of the examples: Kidal team site 0.99, training
#: camp 1.00, Kidal fuel log 0.77; the other camps 0.13-0.33.
SMALL_LOAD_FRACTIONAL_SHARE = 0.5
#: Factor on the reference's sizes (PV, battery; not the fuel tank) for the windows of such a
#: camp [-]. Measured (2026-12-01, windows at 1.0 / 1.1 / 1.15 / 1.2 x the LP's sizes, then the
#: design LP): Kidal team site 350,653 / 342,320 / 349,286 / 355,513 USD; training camp
#: 687,532 / 673,063 / 671,808 / 666,409; Kidal fuel log 1,125,254 / 1,115,176 / 1,113,467 /
#: 1,134,141.
LARGER_SIZES_FACTOR = 1.1
#: Gap of the windowed design above which the windows run again, at sizes 0.1 larger [-].
LARGER_SIZES_MIN_GAP = 0.03
#: Most of the time left that the neighbourhood MILP may take [-].
NEIGHBOURHOOD_SHARE = 0.4
#: Least time left for the neighbourhood MILP to start [s]: its root LP alone takes 5-15 s
#: on a full year, and on the Kidal team site it found a better design only after 100 s.
NEIGHBOURHOOD_MIN_S = 60.0
#: A shorter problem needs less, in proportion to its steps against an hourly year
#: (``NEIGHBOURHOOD_YEAR_STEPS``), at least ``NEIGHBOURHOOD_FLOOR_S``. Four weeks of a small
#: site at 2-hour steps (336 steps, 2.3 s): the neighbourhood MILP takes 1.2 s and lowers
#: the design from 142,483 to the exact optimum, 134,168 USD; with the fixed 60 s a 60 s run
#: stopped after 2 s with the dearer design.
NEIGHBOURHOOD_YEAR_STEPS = 8760
NEIGHBOURHOOD_FLOOR_S = 2.0

#: Least time left for one MILP when the stages found no design but the rule's [s].
LAST_RESORT_MIN_S = 20.0

#: Up to this many unit type x step integers, the problem is solved as one MILP.
MONOLITHIC_MAX_UNIT_STEPS = 2000


@dataclass
class Outcome:
    """What a search found.

    Attributes
    ----------
    design : Design or None
        The best design (None when none was found).
    bound : float
        Proven lower bound [USD] (-inf when none was proven).
    notes : list of str
        The stages, in order.
    method : str
        ``monolithic`` or ``staged``.
    interrupted : bool
        Stopped by Ctrl-C.
    runtime_s : float
        Wall time [s].
    bound_final : bool
        The bound is as high as the engine's relaxations take it (the Lagrangian bound of
        every piece that holds it solved all its windows): more time may improve the design,
        not the bound.
    time_left_s : float
        Time left of the search's budget when it ended [s].
    """

    design: Design | None
    bound: float
    notes: list[str] = field(default_factory=list)
    method: str = "staged"
    interrupted: bool = False
    runtime_s: float = 0.0
    bound_final: bool = False
    time_left_s: float = 0.0

    @property
    def gap(self) -> float:
        """Relative gap of the design to the bound [-]."""
        if self.design is None:
            return math.inf
        return relative_gap(self.design.objective, self.bound)


class _State:
    """Incumbent, bound, notes and the progress callback of one search."""

    def __init__(self, problem: Problem, budget: Budget, target: float,
                 progress: ProgressCallback | None, run: str) -> None:
        self.problem = problem
        self.budget = budget
        self.target = target
        self.progress = progress
        self.run = run
        self.best: Design | None = None
        self.bound = -math.inf
        self.notes: list[str] = []
        self.stage = "start"
        self.bound_final = False

    @property
    def gap(self) -> float:
        return relative_gap(self.best.objective, self.bound) if self.best else math.inf

    @property
    def converged(self) -> bool:
        return self.best is not None and self.gap <= self.target

    def report(self, stage: str | None = None, message: str = "") -> None:
        if stage is not None:
            self.stage = stage
        event = Progress(run=self.run, stage=self.stage, elapsed_s=self.budget.elapsed(),
                         budget_s=self.budget.seconds,
                         objective=self.best.objective if self.best else math.nan,
                         bound=self.bound, message=message)
        log.info("%s", event.line())
        if self.progress is not None:
            self.progress(event)

    def offer(self, design: Design | None) -> bool:
        """Keep ``design`` when it is better (a fallback never replaces a search design)."""
        if design is None:
            return False
        if self.best is not None and (design.objective >= self.best.objective - 1e-9 * abs(
                self.best.objective) or (design.fallback and not self.best.fallback)):
            return False
        self.best = design
        self.note(f"design {design.how}: {design.objective:,.0f}")
        return True

    def raise_bound(self, value: float) -> None:
        if math.isfinite(value) and value > self.bound:
            self.bound = value

    def note(self, text: str) -> None:
        self.notes.append(text)
        self.report(message=text)


def search(problem: Problem, budget: Budget, *, target_gap: float,
           progress: ProgressCallback | None = None, run: str = "design",
           strategy: str = "auto") -> Outcome:
    """Search ``problem`` within ``budget`` (see the module docstring).

    Parameters
    ----------
    problem : Problem
        The compiled problem (with its base variant, e.g. a risk bound).
    budget : Budget
        The time of this search.
    target_gap : float
        Relative gap at which to stop [-].
    progress : callable, optional
        Called with a :class:`~energyopt.engine.progress.Progress` at each step.
    run : str
        Name of the run in progress reports.
    strategy : str
        ``monolithic`` (one MILP after the rule design), ``staged`` (stages 3-6) or ``auto``
        (monolithic up to ``MONOLITHIC_MAX_UNIT_STEPS`` unit-steps); ``two_stage`` is the
        former name of ``staged``.

    Returns
    -------
    Outcome

    Raises
    ------
    InfeasibleScenarioError
        When the LP relaxation (or the MILP) is proven infeasible; the caller diagnoses it.
    """
    state = _State(problem, budget, target_gap, progress, run)
    method = "staged"
    interrupted = False
    try:
        state.report("rule design")
        state.offer(design_from_commitment(
            problem, problem.session(), fallback_commitment(problem), budget,
            "by a rule (diesel carries load and reserve)", sizes=problem.existing_sizes(),
            fallback=True))
        lp = problem.relaxation()
        if strategy == "monolithic" or (strategy == "auto"
                                        and problem.n_unit_steps <= MONOLITHIC_MAX_UNIT_STEPS):
            method = "monolithic"
            _monolithic(state)
        else:
            _staged(state, lp)
    except KeyboardInterrupt:
        interrupted = True
        state.note("interrupted: the best design so far is kept")
    return Outcome(design=state.best, bound=state.bound, notes=state.notes, method=method,
                   interrupted=interrupted, runtime_s=budget.elapsed(),
                   bound_final=state.bound_final and not interrupted,
                   time_left_s=budget.left())


def _monolithic(state: _State) -> None:
    """One MILP of the whole problem, started from the incumbent."""
    problem, budget = state.problem, state.budget
    state.bound_final = False  # a MILP stopped early may prove more with more time
    state.report("one MILP")
    mip = problem.session()
    problem.apply(mip, problem.base)
    start = state.best.x if state.best is not None else None
    result = mip.run(budget.call_limit(), mip_rel_gap=state.target, start=start)
    if result.status == Status.INFEASIBLE:
        raise InfeasibleScenarioError(f"the problem is infeasible (HiGHS: {result.message})")
    state.raise_bound(result.bound)
    if result.has_solution and mip.x is not None:
        state.offer(problem.design(mip.x, "by one MILP"))
    state.note(f"MILP {result.runtime_s:.1f} s ({result.message}, bound {result.bound:,.0f})")


def _staged(state: _State, lp: Session) -> None:
    """Stages 3-7 of the module docstring (LPs on ``lp``, designs on a session of their own)."""
    problem, budget = state.problem, state.budget
    base = problem.base
    work = problem.session()
    state.report("LP relaxation")
    problem.apply(lp, replace(base, relax=True))
    result = lp.run(budget.call_limit())
    if result.status == Status.INFEASIBLE:
        raise InfeasibleScenarioError(f"the problem is infeasible (HiGHS: {result.message})")
    if result.status != Status.OPTIMAL or lp.x is None:
        state.note(f"LP relaxation stopped after {result.runtime_s:.1f} s ({result.message}): "
                   "no bound proven")
        return
    # the LP's bound, recomputed from its duals by weak duality where every column is priced
    # (a check on the solver's tolerances; HiGHS's own figure where a column is unbounded)
    lp_bound = result.objective
    if lp.row_duals is not None:
        safe = problem.mm.safe_bound(lp.row_duals, col_lower=lp.col_lower,
                                     col_upper=lp.col_upper, row_lower=lp.row_lower,
                                     row_upper=lp.row_upper)
        if math.isfinite(safe):
            lp_bound = min(lp_bound, safe)
    state.raise_bound(lp_bound)
    state.note(f"LP relaxation {result.runtime_s:.1f} s (bound {lp_bound:,.0f})")
    neighbourhood_min_s = max(NEIGHBOURHOOD_FLOOR_S, NEIGHBOURHOOD_MIN_S * min(
        1.0, len(problem.p.duration_h) / NEIGHBOURHOOD_YEAR_STEPS))
    if state.converged:
        return
    root = Piece(0, None, lp_bound, lp.x.copy(),
                 None if lp.row_duals is None else lp.row_duals.copy())
    pieces_budget = budget.share(0.3)
    state.report("convoy split")
    piece, rest, notes = split_on_convoys(problem, lp, root, base, pieces_budget)
    for text in notes:
        state.note(text)

    def proven() -> float:
        return min([piece.bound, *(pc.bound for pc in rest)])

    state.raise_bound(proven())  # a piece's LP bounds at least what the whole LP did
    if piece.x is None:
        return
    x_ref = piece.x
    duals = piece.duals
    if not state.converged:
        factor = _sizes_factor(problem, x_ref)
        _windowed_design(state, work, x_ref, duals, piece, factor)
        if problem.has_storage and state.gap > LARGER_SIZES_MIN_GAP \
                and not budget.expired(0.5):
            _windowed_design(state, work, x_ref, duals, piece, factor + 0.1)
    lagrangian: LagrangianBound | None = None
    if not state.converged and not problem.has_storage and not budget.expired(0.5):
        # no storage: the piece's MILP (deliveries relaxed) is quick and may prove that no
        # design with whole units online fits its convoys
        state.report(f"MILP bound of {piece.label()}")
        piece.bound = max(piece.bound, _piece_milp(state, piece))
        state.bound = proven()
        state.note(f"{piece.label()}: MILP bound {piece.bound:,.0f}")
    elif not state.converged and duals is not None and not budget.expired(0.5):
        state.report("Lagrangian bound")
        lifted, lagrangian = _lagrangian(state, work, piece, x_ref, duals, rest)
        piece.final = lagrangian is None or lagrangian.complete
        if lifted > piece.bound:
            piece.bound = lifted
        state.bound = proven()
        state.report()
    if not state.converged and state.best is not None and not state.best.fallback \
            and problem.has_storage and budget.left() >= neighbourhood_min_s:
        state.report("neighbourhood MILP")
        state.offer(_neighbourhood(state, x_ref, piece))
    # a piece left out may hold the bound down: lift it with its own Lagrangian bound
    for other in sorted(rest, key=lambda pc: pc.bound):
        if state.converged or budget.expired(1.0) or math.isinf(other.bound):
            break
        if other.bound >= state.bound + 1e-9 * abs(state.bound) or (
                state.best is not None and other.bound >= state.best.objective * (
                    1.0 - state.target)):
            continue
        state.report(f"bound of {other.label()}")
        problem.apply(lp, replace(base, relax=True, convoys=other.convoys))
        again = lp.run(budget.call_limit())
        if again.status == Status.INFEASIBLE:
            other.bound = math.inf
        elif not problem.has_storage:
            # no storage: the piece's MILP (deliveries relaxed) is quick and may prove that no
            # design with whole units online fits its convoys
            other.bound = max(again.objective, _piece_milp(state, other))
        elif again.status == Status.OPTIMAL and lp.x is not None and lp.row_duals is not None:
            others = [pc for pc in [piece, *rest] if pc is not other]
            lifted, lagrangian_other = _lagrangian(
                state, work, Piece(other.lo, other.hi, again.objective), lp.x, lp.row_duals,
                others)
            other.final = lagrangian_other is None or lagrangian_other.complete
            other.bound = max(again.objective, lifted)
        state.bound = proven()
        state.note(f"{other.label()}: bound {other.bound:,.0f}")
    if not state.converged and lagrangian is not None and not lagrangian.complete \
            and piece.bound <= state.bound + 1e-9 * abs(state.bound) \
            and not budget.expired(1.0):
        # time the other stages left (the neighbourhood MILP needs more than is left, say):
        # the windows stopped at their limit get it, and the bound rises towards its cap
        _retry_lagrangian(state, lagrangian, piece, rest)
        state.bound = proven()
        state.report()
    # the bound is final when every piece that holds it has its final bound
    state.bound_final = all(pc.final or pc.bound > state.bound + 1e-9 * abs(state.bound)
                            for pc in [piece, *rest])
    if not state.converged and (state.best is None or state.best.fallback) \
            and budget.left() >= LAST_RESORT_MIN_S:
        # no design of the search's own yet (a tight risk bound the windows' designs miss):
        # the time left goes to one MILP, which finds one or proves there is none
        _monolithic(state)


def _sizes_factor(problem: Problem, x_ref: np.ndarray) -> float:
    """Factor on the reference's sizes for the windows: 1, or ``LARGER_SIZES_FACTOR``.

    Where most of the LP's units online are fractions (``SMALL_LOAD_FRACTIONAL_SHARE``), the
    sets are far larger than the load (a team site): the LP runs fractions of a set at full
    output, and whole sets need more storage and PV than the LP's to run full hours; windows
    at the LP's own sizes run the sets often and at part load.
    """
    if not problem.has_storage:
        return 1.0  # no storage for whole sets to charge: the LP's sizes as they are
    u = problem.commitment_of(x_ref)
    total = float(u.sum())
    fractions = float(np.abs(u - np.round(u)).sum())
    small_load = total > 0.0 and fractions > SMALL_LOAD_FRACTIONAL_SHARE * total
    return LARGER_SIZES_FACTOR if small_load else 1.0


def _windowed_design(state: _State, work: Session, x_ref: np.ndarray,
                     duals: np.ndarray | None, piece: Piece, factor: float) -> None:
    """Windowed dispatch at the reference's sizes times ``factor``, then the design LP.

    The fuel supply's sizes (the tank) follow the burn and are left as they are. The design LP
    sizes for the windows' commitment; its design is kept only when it is better.
    """
    problem, budget = state.problem, state.budget
    ref = x_ref
    at = "" if factor == 1.0 else f" at {factor:.2g} x the LP's sizes"
    if factor != 1.0:
        ref = x_ref.copy()
        for col, _unit in problem.plant_size_cols.values():
            ref[col] *= factor
    state.report("windowed dispatch")
    # the windows leave time for the design LP and the bound
    commitment, solved, failed = windowed_commitment(
        problem, ref, budget.share(WINDOWS_SHARE), params=problem.window_params(duals),
        chains=_workers(problem))
    state.note(f"windowed dispatch{at}: {solved} windows" + (
        f", {failed} kept the LP's units rounded up" if failed else ""))
    state.report("design LP")
    state.offer(design_from_commitment(problem, work, commitment, budget,
                                       f"by windowed dispatch{at}", convoys=piece.convoys))


def _neighbourhood(state: _State, x_ref: np.ndarray, piece: Piece) -> Design | None:
    """Improve the design with a MILP over its neighbourhood (sizes free).

    Units may be online only in the steps where the design or the LP ran them (elsewhere
    none), which leaves a MILP of a few hundred integers on a camp where diesel runs rarely;
    it starts from the design, so it can only improve it. Takes at most
    ``NEIGHBOURHOOD_SHARE`` of the time left.
    """
    problem, budget = state.problem, state.budget
    assert state.best is not None
    allowed = np.maximum(np.ceil(problem.commitment_of(x_ref) - 1e-6),
                         problem.commitment_of(state.best.x))
    mip = problem.session()
    problem.apply(mip, replace(problem.base, whole_deliveries=True, convoys=piece.convoys))
    cols = problem.commitment_cols.ravel()
    ok = cols >= 0
    mip.set_bounds(cols[ok], np.zeros(int(ok.sum())), allowed.ravel()[ok])
    result = mip.run(budget.call_limit(NEIGHBOURHOOD_SHARE), mip_rel_gap=state.target / 4.0,
                     start=state.best.x)
    if not result.has_solution or mip.x is None:
        return None
    state.note(f"neighbourhood MILP over {int((allowed > 0).sum())} steps "
               f"{result.runtime_s:.1f} s ({result.message})")
    return problem.design(mip.x, "by a MILP over the design's neighbourhood")


def _piece_milp(state: _State, piece: Piece) -> float:
    """Bound of a piece from its MILP with deliveries relaxed (inf when infeasible)."""
    problem, budget = state.problem, state.budget
    mip = problem.session()
    problem.apply(mip, replace(problem.base, whole_deliveries=False, convoys=piece.convoys))
    result = mip.run(budget.call_limit(0.5), mip_rel_gap=state.target / 4.0)
    if result.status == Status.INFEASIBLE:
        return math.inf
    return result.bound


def _lagrangian(state: _State, lp: Session, piece: Piece, x: np.ndarray,
               duals: np.ndarray, rest: list[Piece]) -> tuple[float, LagrangianBound | None]:
    """Lift ``piece``'s bound with the Lagrangian windows (two at once).

    Stops as soon as the bound, with the pieces ``rest``, proves the best design. Returns the
    bound [USD] and the Lagrangian bound (None when no window has fractional units: the bound
    is then final as it is).
    """
    problem, budget = state.problem, state.budget
    problem.apply(lp, replace(problem.base, relax=True, convoys=piece.convoys))
    bound = LagrangianBound(problem, lp, piece.bound, x=x, duals=duals)
    if not bound.windows:
        return piece.bound, None
    most = float(np.clip(budget.left() / 10.0, 0.5, 10.0))
    _on_cores(problem, bound.work, budget, most_s=most, enough=_enough(state, rest))
    state.note(f"Lagrangian bound of {piece.label()}: {bound.solved} of {len(bound.windows)} "
               f"windows with whole units ({bound.closed} to their gap), {bound.bound:,.0f}")
    return bound.bound, bound


def _retry_lagrangian(state: _State, bound: LagrangianBound, piece: Piece,
                      rest: list[Piece]) -> None:
    """Give the time the other stages leave to the windows stopped at their limit."""
    state.report("Lagrangian bound, windows again")
    before = bound.closed
    _on_cores(state.problem, bound.retry, state.budget, workers=_workers(state.problem),
              enough=_enough(state, rest))
    piece.bound = max(piece.bound, bound.bound)
    piece.final = bound.complete
    state.note(f"Lagrangian bound of {piece.label()}, windows again: {bound.closed - before} "
               f"more to their gap ({bound.closed} of {len(bound.windows)}), "
               f"{bound.bound:,.0f}")


def _enough(state: _State, rest: list[Piece]) -> Callable[[float], bool]:
    """Return the test that a lifted bound, with the pieces ``rest``, proves the design."""
    others = [pc.bound for pc in rest]

    def enough(lifted: float) -> bool:
        best = state.best
        return best is not None and relative_gap(
            best.objective, min([lifted, *others])) <= state.target

    return enough


def _on_cores(problem: Problem, work: Callable[..., None], budget: Budget,
              **kwargs: Any) -> None:
    """Run ``work(budget, **kwargs)`` on every worker thread of ``problem``, and wait."""
    threads = [threading.Thread(target=work, args=(budget,), kwargs=kwargs, daemon=True)
               for _ in range(_workers(problem) - 1)]
    for thread in threads:
        thread.start()
    work(budget, **kwargs)
    for thread in threads:
        thread.join()


def least_metric(problem: Problem, metric: str, budget: Budget) -> float:
    """Lowest value of a risk metric over the designs of ``problem`` (its LP relaxation).

    With a daily inventory and a metric that counts convoys only, the LP's value is rounded up
    to whole convoys of the modelled period (a design has whole convoys). A lower bound: a
    design with whole units online may need more.

    Raises
    ------
    InfeasibleScenarioError
        When the problem has no solution at all.
    """
    session = problem.session()
    problem.apply(session, replace(problem.base, relax=True))
    coefficients = problem.metric(metric)
    session.set_cost(coefficients)
    result = session.run(budget.call_limit())
    if result.status == Status.INFEASIBLE:
        raise InfeasibleScenarioError(f"the problem is infeasible (HiGHS: {result.message})")
    if result.status != Status.OPTIMAL or session.x is None:
        return math.nan
    x = session.x
    low = max(float(coefficients @ x), 0.0)
    p = problem.p
    if problem.has_logistics and (metric == "convoys_per_year" or p.casualties_per_truck == 0.0):
        count = problem.convoys_of(x)
        if count > 1e-9:
            low = low / count * math.ceil(count - 1e-6)
    return low
