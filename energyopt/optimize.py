"""The run: scenario -> inputs -> model -> solve -> checked result (and its baseline)."""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyomo.environ as pyo

from energyopt.diagnose import FAMILIES, precheck, relax
from energyopt.errors import InfeasibleScenarioError, SolverError
from energyopt.inputs import Inputs, build_inputs
from energyopt.model import ModelParams, build_model, model_params
from energyopt.model.params import window_params
from energyopt.results import SizingResult, extract_result
from energyopt.scenario import Scenario, load_scenario
from energyopt.solve import Basis, SolveInfo, SolverSettings, solve_model

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


_SIZE_VARS = ("pv.kwp", "battery.kwh", "battery.kw", "logistics.tank_kl")

#: Length of one window of the windowed dispatch (stage 2) and its look-ahead [days].
WINDOW_DAYS = 7
LOOKAHEAD_DAYS = 1
SOFT_SOC_AIM = False
#: Carry the daily fuel inventory through the dispatch windows.
WINDOWS_WITH_INVENTORY = False
#: Relative gap each dispatch window is solved to [-].
WINDOW_GAP = 1e-4
#: Least and most time given to one dispatch window [s]: a window stopped at its limit keeps
#: its incumbent. Capping costs little: on Gao with its inventory, windows capped at 1 s gave
#: a design 0.01% dearer than uncapped ones, in 45 s instead of 64-110 s.
MIN_WINDOW_S = 1.0
WINDOW_MAX_S = 1.5
#: A round starts only with at least this share of the time limit left, once a design
#: exists [-] (a round stopped early gives nothing).
ROUND_MIN_SHARE = 0.35
#: A round of partial integrality whose own gap exceeds this is not used for sizes [-].
ROUND_USABLE_GAP = 0.03


def _two_stage(m: pyo.ConcreteModel, p: ModelParams, scenario: Scenario, *,
               basis: Basis | None = None) -> tuple[pyo.ConcreteModel, SolveInfo]:
    """Full-year solve in stages, each bounded by what is left of the time limit.

    1. LP relaxation of the whole model: a proven lower bound and candidate sizes. With a
       daily fuel inventory, the problem is then split on its number of whole convoys
       (:func:`_convoy_split`), which lifts the bound by the fractions of a convoy the LP
       bought, and a first design (step 3) comes straight from the cheapest piece's LP.
    2. Rounds of partial integrality: the MILP with units online kept integer only in the
       steps where the previous solution ran generators fractionally (and their neighbours),
       continuous elsewhere; each round adds the steps still fractional. Each is a relaxation of
       the full problem, so its dual bound is a proven lower bound, tighter round by round, and
       its sizes price the generators' minimum load and no-load fuel.
    3. After each round, a design: its sizes fixed (unit counts rounded up) and the year's
       dispatch solved as a MILP in windows of ``WINDOW_DAYS`` days (plus a look-ahead), the
       battery's state carried from one window to the next and steered by the round's
       state-of-charge trajectory; then one LP over the whole year with the units online and
       unit counts fixed re-dispatches the year and re-sizes PV and battery for that
       commitment, giving a feasible design and its exact cost. The best design is kept.

    Rounds stop when the gap to the bound is at most ``mip_rel_gap`` or the time is spent. If
    the windows fail, the year's dispatch is solved as one MILP instead. The reported gap is
    ``(design - best bound) / design`` for the full-year problem.

    ``basis``, when given, holds an LP basis of ``m`` (from an earlier call on the same
    model, e.g. the previous point of a Pareto sweep): the LP restarts from it and leaves its
    own there.
    """
    limit = scenario.solver.time_limit_s
    target = scenario.solver.mip_rel_gap
    start = time.perf_counter()

    def left() -> float:
        return limit - (time.perf_counter() - start)

    if basis is None:
        basis = Basis()
    lp = solve_model(m, _settings(scenario), relax_integers=True, start=basis, record=basis)
    handoff = lp.handoff_s
    notes = [f"LP relaxation {lp.runtime_s:.1f} s (bound {lp.objective:,.0f})"]
    # the search runs in one piece of the problem (a range of whole convoys when the inventory
    # is on); ``rest`` bounds the pieces left out, so the proven bound is min(piece, rest)
    piece = _convoy_split(m, scenario, lp, basis, left, notes)
    piece_bound, rest = piece.bound, list(piece.rest)
    handoff += piece.handoff_s

    def proven() -> float:
        return min([piece_bound, *(part[2] for part in rest)])

    bound = proven()
    best_m: pyo.ConcreteModel | None = None
    best: SolveInfo | None = None
    if m.component("logistics") is not None:
        # a whole convoy is worth more than what the rounds refine, and a round costs several
        # LPs: design straight from the piece's LP first, refine while time is left
        first = _design(m, p, scenario, max(left() * 0.7, 1.0))
        if first is not None:
            best_m, best, how = first
            handoff += best.handoff_s
            notes.append(f"design {how} from the LP (objective {best.objective:,.0f})")
    keep: set[int] = set()
    round_s = 0.0
    last = lp
    for k in range(1, 100):
        if best is not None and ((best.objective - bound) / abs(best.objective) <= target
                                 or left() < ROUND_MIN_SHARE * limit):
            break
        frac = _fractional_steps(m)
        if not frac:
            # every unit-step is whole: the relaxation's solution is a design of the full
            # problem (if its relaxed deliveries are whole too), and the best one as the
            # relaxation is solved to its gap
            if k > 1 and _deliveries_whole(m):
                objective = pyo.value(m.npc)
                notes.append(f"round {k - 1} solution is whole (objective {objective:,.0f})")
                if best is None or objective < best.objective:
                    best = SolveInfo(**{**last.to_dict(), "objective": objective})
                    best_m = m
            break
        keep |= {(t + d) % p.n_steps for t in frac for d in (-1, 0, 1)}
        t_round = time.perf_counter()
        before = _snapshot(m)
        try:
            partial = _partial_integrality(m, keep, scenario, max(left() * 0.45, 1.0))
        except InfeasibleScenarioError:
            if piece.limit is None or not rest:
                raise
            # no design of this piece runs whole units (their minimum loads burn more than
            # its convoys bring): go on in the cheapest piece left out, from its LP
            lo, hi, piece_bound = min(rest, key=lambda part: part[2])
            rest.remove((lo, hi, piece_bound))
            notes.append(f"round {k}: no design with whole units online; on in convoys "
                         f"{_range(lo, hi)}")
            piece.limit(lo, hi)
            bound = proven()
            if math.isinf(piece_bound):
                if best is None:
                    raise
                break
            for var in m.diesel.online.values():
                var.domain = pyo.NonNegativeReals
            solve_model(m, _settings(scenario, max(left(), 1.0)), relax_integers=True,
                        start=basis)
            keep = set()
            continue
        if partial is None:
            break
        piece_bound = max(piece_bound, partial.bound)
        bound = proven()
        handoff += partial.handoff_s
        notes.append(f"round {k}: {len(keep):,} integer steps {partial.runtime_s:.1f} s "
                     f"(bound {partial.bound:,.0f}, relaxed design {partial.objective:,.0f})")
        if partial.mip_gap > ROUND_USABLE_GAP:
            # stopped early on a poor incumbent: its sizes would mislead the design
            _restore(m, before)
            notes.append(f"round {k} stopped at a {partial.mip_gap:.1%} gap; its sizes set "
                         "aside")
            break
        last = partial
        design = _design(m, p, scenario, max(left() * 0.5, 1.0))
        if design is not None:
            d_m, d_info, how = design
            handoff += d_info.handoff_s
            notes.append(f"design {how} (objective {d_info.objective:,.0f})")
            if best is None or d_info.objective < best.objective:
                best_m, best = d_m, d_info
        round_s = time.perf_counter() - t_round
        if best is not None and (best.objective - bound) / abs(best.objective) <= target:
            break
        if left() < 1.2 * round_s:
            break
    if best is not None and piece.limit is not None:
        rest = _bound_rest(m, scenario, piece.limit, rest, keep, best.objective, left, notes)
        bound = proven()
    if best is None or best_m is None:
        # no round ran (LP integral) or none was usable: design from the latest sizes
        design = _design(m, p, scenario, max(left(), 1.0))
        if design is None:
            design = _simple_design(m, p, scenario)
        if design is None:
            raise SolverError(f"{scenario.name}: no feasible design was found within "
                              f"{limit:.0f} s; raise solver.time_limit_s")
        best_m, best, how = design
        handoff += best.handoff_s
        notes.append(f"design {how} (objective {best.objective:,.0f})")
    _end_split(m)
    gap = max((best.objective - bound) / abs(best.objective), 0.0)
    status = "optimal" if gap <= target + 1e-12 else "feasible"
    runtime = time.perf_counter() - start - handoff
    termination = "gap reached" if status == "optimal" else "time limit reached"
    info = SolveInfo(status=status, termination=termination, objective=best.objective,
                     bound=bound, mip_gap=gap, runtime_s=runtime, handoff_s=handoff,
                     solver=best.solver, n_rows=best.n_rows, n_cols=best.n_cols,
                     n_integers=p.n_steps * len(p.diesel) + len(p.diesel),
                     method="two_stage", notes="; ".join(notes))
    if status == "feasible":
        warnings.warn(
            f"{scenario.name}: the design is within {gap:.2%} of the proven bound (asked for "
            f"{target:.2%}) after {limit:.0f} s; raise solver.time_limit_s for a tighter "
            "result", RuntimeWarning, stacklevel=3)
    return best_m, info


@dataclass(frozen=True)
class _Piece:
    """The part of the problem a search runs in (see :func:`_convoy_split`)."""

    #: LP bound of the piece [USD].
    bound: float
    #: The pieces left out: (least, most convoys or None, LP bound [USD]).
    rest: list[tuple[int, int | None, float]]
    #: Hand-off time of the LP solves [s].
    handoff_s: float
    #: Puts a range of convoys (least, most or None) on the model.
    limit: Callable[[int, int | None], None] | None = None


#: Most splits of the whole-convoy count before the rounds start.
MAX_CONVOY_SPLITS = 4
#: Share of the time left that the splits may take [-].
CONVOY_SPLIT_SHARE = 0.3
_SPLIT_PARTS = ("convoy_min", "convoy_max", "convoy_tank_cut", "convoy_min_n", "convoy_max_n")


def _convoy_split(m: pyo.ConcreteModel, scenario: Scenario, lp: SolveInfo, basis: Basis,
                  left: Callable[[], float], notes: list[str]) -> _Piece:
    r"""Split the problem on its number of whole convoys; leave ``m`` in the cheapest piece.

    With a daily inventory, the convoys of the period :math:`C = \sum_d c_d` are whole in every
    design, but the LP relaxation buys fractions of a convoy, each costing its share of an
    escort and of the valued risk: a weak bound when one convoy is worth a few percent of the
    objective. When the LP's :math:`C^*` is fractional, the problem is the union of the pieces
    :math:`C \le \lfloor C^* \rfloor` and :math:`C \ge \lceil C^* \rceil`; the LP of each piece
    bounds it, so the least of the two bounds the problem. A piece with an upper end
    :math:`\bar C` also holds :math:`\sum_d Q_d \le \bar C K` (an arrival brings at most a
    tankful), valid for whole convoys only. The search goes on in the piece of least bound (its
    LP solution left in ``m``, its range as constraints on ``m``); when its :math:`C^*` is
    whole but the piece a range, the piece is cut into :math:`C = C^*` (where the tank cut
    holds) and the counts on either side. At most ``MAX_CONVOY_SPLITS`` times and within
    ``CONVOY_SPLIT_SHARE`` of the time left. Each piece's LP restarts from the basis of the LP
    it was cut from (``basis``, the LP's on entry), a few dual simplex iterations away. A split
    that lifts no bound (convoys that cost nothing) is undone and ends the search, so the
    rounds' bounds count for the whole problem.

    Without the inventory the piece is the whole problem.
    """
    for name in _SPLIT_PARTS:
        if m.component(name) is not None:
            m.del_component(name)
    lg = m.component("logistics")
    if lg is None:
        return _Piece(lp.objective, [], 0.0)
    count = sum(lg.convoys[k] for k in lg.D)
    m.convoy_min_n = pyo.Param(mutable=True, initialize=0, within=pyo.NonNegativeIntegers)
    m.convoy_max_n = pyo.Param(mutable=True, initialize=0, within=pyo.NonNegativeIntegers)
    m.convoy_min = pyo.Constraint(expr=count >= m.convoy_min_n)
    m.convoy_max = pyo.Constraint(expr=count <= m.convoy_max_n)
    m.convoy_tank_cut = pyo.Constraint(
        expr=sum(lg.delivered_kl[k] for k in lg.D) <= m.convoy_max_n * lg.tank_kl)

    def limit(lo: int, hi: int | None) -> None:
        m.convoy_min_n.set_value(lo)
        m.convoy_min.activate() if lo > 0 else m.convoy_min.deactivate()
        if hi is None:
            m.convoy_max.deactivate()
            m.convoy_tank_cut.deactivate()
        else:
            m.convoy_max_n.set_value(hi)
            m.convoy_max.activate()
            m.convoy_tank_cut.activate()

    limit(0, None)
    lo, hi = 0, None
    bound, handoff = lp.objective, 0.0
    rest: list[tuple[int, int | None, float]] = []
    stop = time.perf_counter() + CONVOY_SPLIT_SHARE * max(left(), 0.0)
    settings = _settings(scenario)
    for _ in range(MAX_CONVOY_SPLITS):
        c_star = float(pyo.value(count))
        if time.perf_counter() > stop or (lo == hi and abs(c_star - lo) <= 1e-6):
            break
        k = round(c_star)
        if abs(c_star - k) > 1e-6:
            # fractional: the two sides of it
            f = math.floor(c_star)
            parts: list[tuple[int, int | None]] = [(lo, f), (f + 1, hi)]
        else:
            # whole but the piece a range: that one count (where the tank cut holds) and the
            # counts on either side of it
            parts = [(k, k)] + ([(lo, k - 1)] if k > lo else []) + (
                [(k + 1, hi)] if hi is None or k < hi else [])
        sides: list[tuple[float, int, int | None, list[float | None] | None]] = []
        bases: dict[tuple[int, int | None], Basis] = {}
        before = _snapshot(m)
        for a, b in parts:
            limit(a, b)
            try:
                info = solve_model(m, replace(settings, time_limit_s=max(left(), 1.0)),
                                   relax_integers=True, start=basis, record=(rec := Basis()))
            except InfeasibleScenarioError:
                sides.append((math.inf, a, b, None))
                continue
            except SolverError:
                sides = []
                break
            handoff += info.handoff_s
            sides.append((info.objective, a, b, _snapshot(m)))
            bases[(a, b)] = rec
        if not sides or all(values is None for *_, values in sides):
            break  # out of time (or, impossibly, no feasible part): keep the last piece
        sides.sort(key=lambda side: side[0])
        least_rest = min((part[2] for part in rest), default=math.inf)
        if min(sides[0][0], least_rest) <= min(bound, least_rest) + 1e-9 * abs(bound):
            # no part is dearer than the piece (e.g. convoys cost nothing): the split would
            # only keep the rounds' bounds from counting for the parts left out
            _restore(m, before)
            break
        bound, lo, hi, values = sides[0]
        assert values is not None
        _restore(m, values)
        basis = bases[(lo, hi)]
        others = []
        for other, o_lo, o_hi, _ in sides[1:]:
            rest.append((o_lo, o_hi, other))
            others.append(f"convoys {_range(o_lo, o_hi)}: "
                          + ("infeasible" if math.isinf(other) else f"bound {other:,.0f}"))
        notes.append(f"convoys {_range(lo, hi)}: bound {bound:,.0f}; " + "; ".join(others))
    limit(lo, hi)
    return _Piece(bound, rest, handoff, limit)


def _bound_rest(m: pyo.ConcreteModel, scenario: Scenario,
                limit: Callable[[int, int | None], None],
                rest: list[tuple[int, int | None, float]], keep: set[int],
                objective: float, left: Callable[[], float],
                notes: list[str]) -> list[tuple[int, int | None, float]]:
    """Lift the bounds of the convoy pieces left out with a round each, while time is left.

    The rounds ran in the piece searched; a piece left out keeps its LP bound, which may then
    be what holds the gap open (a diesel-only camp: the LP runs generators fractionally in
    every piece). A piece whose bound is below ``objective`` by more than the target gap gets
    one round of partial integrality (units online integer in the steps ``keep``, all steps if
    empty), and its dual bound if higher. ``m``'s values are left as they were.
    """
    target = scenario.solver.mip_rel_gap
    limit_s = scenario.solver.time_limit_s
    before = _snapshot(m)
    steps = keep or {t for _g, t in m.diesel.online}
    out = []
    for lo, hi, part_bound in sorted(rest, key=lambda part: part[2]):
        if part_bound < objective * (1.0 - target) and left() > ROUND_MIN_SHARE * limit_s / 2:
            limit(lo, hi)
            try:
                partial = _partial_integrality(m, steps, scenario, max(left() * 0.45, 1.0))
            except InfeasibleScenarioError:
                notes.append(f"convoys {_range(lo, hi)}: no design with whole units online")
                part_bound = math.inf
                partial = None
            if partial is not None and partial.bound > part_bound:
                notes.append(f"convoys {_range(lo, hi)}: round bound {partial.bound:,.0f}")
                part_bound = partial.bound
        out.append((lo, hi, part_bound))
    _restore(m, before)
    return out


def _range(lo: int, hi: int | None) -> str:
    if hi is None:
        return f">= {lo}"
    return f"= {lo}" if lo == hi else f"{lo}-{hi}"


def _end_split(m: pyo.ConcreteModel) -> None:
    """Lift the convoy range :func:`_convoy_split` left on ``m``."""
    for name in ("convoy_min", "convoy_max", "convoy_tank_cut"):
        part = m.component(name)
        if part is not None:
            part.deactivate()


def _deliveries_whole(m: pyo.ConcreteModel) -> bool:
    """Whether ``m``'s daily deliveries (relaxed in the rounds) happen to be whole."""
    logistics = m.component("logistics")
    if logistics is None:
        return True
    return all(abs(var.value - round(var.value)) <= 1e-6
               for var in (*logistics.trucks.values(), *logistics.convoys.values()))


def _snapshot(m: pyo.ConcreteModel) -> list[float | None]:
    """Return the values of all of ``m``'s variables (in component order)."""
    return [var.value for var in m.component_data_objects(pyo.Var)]


def _restore(m: pyo.ConcreteModel, values: list[float | None]) -> None:
    """Put back values taken by :func:`_snapshot`."""
    for var, value in zip(m.component_data_objects(pyo.Var), values, strict=True):
        var.set_value(value, skip_validation=True)


def _fractional_steps(m: pyo.ConcreteModel) -> set[int]:
    """Return the steps where some unit type's units online are not whole in ``m``'s solution."""
    return {t for (_g, t), var in m.diesel.online.items()
            if abs(var.value - round(var.value)) > 1e-6}


def _partial_integrality(m: pyo.ConcreteModel, keep: set[int], scenario: Scenario,
                         budget_s: float) -> SolveInfo | None:
    """One round: units online integer in the steps ``keep``, continuous elsewhere.

    Daily deliveries (whole trucks and convoys), when the inventory is on, are continuous.

    ``m`` holds the previous solution on entry and this round's solution on return (when
    found). Returns None when no solution was found in ``budget_s``.
    """
    for (_g, t), var in m.diesel.online.items():
        var.domain = pyo.NonNegativeIntegers if t in keep else pyo.NonNegativeReals
    logistics = m.component("logistics")
    if logistics is not None:
        # whole trucks and convoys are left to the design's full-year solve: relaxing them
        # keeps the round a relaxation, and rounding deliveries up stays feasible
        for var in (*logistics.trucks.values(), *logistics.convoys.values()):
            var.domain = pyo.NonNegativeReals
    gap = min(scenario.solver.mip_rel_gap / 4.0, 0.0025)
    settings = SolverSettings(time_limit_s=max(budget_s, 1.0), mip_rel_gap=gap,
                              threads=scenario.solver.threads, log=scenario.solver.log)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return solve_model(m, settings)
    except SolverError:
        return None


def _fix_sizes(src: pyo.ConcreteModel, dst: pyo.ConcreteModel) -> None:
    """Fix ``dst``'s sizes to ``src``'s solution (unit counts rounded up)."""
    for path in _SIZE_VARS:
        var, target = src.find_component(path), dst.find_component(path)
        if var is not None and target is not None:
            target.fix(float(var.value))
    for g in src.diesel.G:
        count = math.ceil(float(src.diesel.count[g].value) - 1e-6)
        dst.diesel.count[g].fix(max(count, int(dst.diesel.count[g].lb)))


def _design(m: pyo.ConcreteModel, p: ModelParams, scenario: Scenario, budget_s: float, *,
            windows: bool = True) -> tuple[pyo.ConcreteModel, SolveInfo, str] | None:
    """Return a feasible full-year design from the sizes in ``m`` (windowed, else one MILP)."""
    deadline = time.perf_counter() + budget_s
    if windows:
        online = _windowed_online(m, p, scenario, deadline)
        if online is not None:
            # units online and unit counts fixed, the rest an LP: re-dispatch the year with
            # the cyclic battery, and let PV and battery sizes adjust to the commitment
            full = build_model(p)
            _fix_sizes(m, full)
            for path in _SIZE_VARS:
                var = full.find_component(path)
                if var is not None:
                    var.unfix()
            for key, value in online.items():
                full.diesel.online[key].fix(value)
            try:
                settings = _settings(scenario, max(deadline - time.perf_counter(), 5.0))
                if full.component("logistics") is not None:
                    info = _whole_deliveries(full, settings)
                else:
                    info = solve_model(full, settings)
                return full, info, "by windowed dispatch"
            except (InfeasibleScenarioError, SolverError) as exc:
                log.info("windowed dispatch did not give a feasible year (%s)", exc)
    full = build_model(p)
    _fix_sizes(m, full)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            info = solve_model(full, _settings(scenario, max(deadline - time.perf_counter(),
                                                             1.0)))
    except (InfeasibleScenarioError, SolverError) as exc:
        log.info("full-year dispatch with fixed sizes failed (%s)", exc)
        return None
    return full, info, f"by one dispatch MILP (dispatch gap {info.mip_gap:.2%})"


def _whole_deliveries(full: pyo.ConcreteModel, settings: SolverSettings) -> SolveInfo:
    """Solve ``full`` (units online fixed) with whole trucks and convoys, in three small steps.

    Left to one MILP, HiGHS may not find whole deliveries for a year with a long closure in
    the time left (Malakal: none in 60 s). Instead: (1) the LP with deliveries relaxed; (2)
    its dispatch and sizes held (bounds closed on their values, so HiGHS's presolve removes
    them within its tolerances), so its daily burn too, and the whole deliveries alone, a MILP
    over days, always feasible: rounding the LP's trucks and convoys up is a solution; (3)
    those trucks and convoys fixed, the LP again, which re-sizes PV, battery and tank (the
    burn of step 1 stays feasible, so this LP is too).
    """
    lg = full.logistics
    whole = [*lg.trucks.values(), *lg.convoys.values()]
    for var in whole:
        var.domain = pyo.NonNegativeReals
    solve_model(full, settings)
    free = {id(var) for block in (lg, full.fuel) for var in block.component_data_objects(pyo.Var)}
    held = [(var, var.lb, var.ub) for var in full.component_data_objects(pyo.Var)
            if not var.fixed and id(var) not in free]
    for var, _lb, _ub in held:
        var.setlb(var.value)
        var.setub(var.value)
    for var in whole:
        var.domain = pyo.NonNegativeIntegers
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            solve_model(full, replace(settings, mip_rel_gap=1e-6))
    finally:
        for var, lb, ub in held:
            var.setlb(lb)
            var.setub(ub)
    for var in whole:
        var.fix()
    return solve_model(full, settings)


def _simple_design(m: pyo.ConcreteModel, p: ModelParams, scenario: Scenario
                   ) -> tuple[pyo.ConcreteModel, SolveInfo, str] | None:
    """Return a design that is feasible by construction, for when the time ran out.

    Units online cover the load plus its reserve on their own in every step (largest unit
    types first, at most ``max_count``); unit counts are the most needed; PV, battery and the
    dispatch then come from one LP (whole deliveries, when the inventory is on, make it a small
    MILP). Costly in fuel, but a design with an honest gap rather than none.
    """
    full = build_model(p)
    units = sorted(p.diesel, key=lambda u: -u.rated_kw)
    need = (1.0 + p.reserve_load_fraction) * p.load_kw
    online = {u.name: np.zeros(p.n_steps, dtype=int) for u in units}
    left_kw = need.copy()
    for u in units:
        n = np.minimum(np.ceil(np.clip(left_kw, 0.0, None) / u.rated_kw - 1e-9), u.max_count)
        online[u.name] = n.astype(int)
        left_kw = left_kw - n * u.rated_kw
    for u in units:
        count = max(int(online[u.name].max()), u.existing)
        full.diesel.count[u.name].fix(count)
        for t in range(p.n_steps):
            full.diesel.online[u.name, t].fix(int(online[u.name][t]))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            info = solve_model(full, _settings(scenario, 60.0))
    except (InfeasibleScenarioError, SolverError) as exc:
        log.info("the simple design failed (%s)", exc)
        return None
    return full, info, "by a simple rule (diesel covers load and reserve; time ran out)"


def _windowed_online(m: pyo.ConcreteModel, p: ModelParams, scenario: Scenario,
                     deadline: float) -> dict[tuple[str, int], int] | None:
    """Units online per step from dispatch MILPs over consecutive windows, sizes fixed.

    Each window covers ``WINDOW_DAYS`` days plus ``LOOKAHEAD_DAYS`` of look-ahead; it starts
    from the battery state the previous window left and must end with at least the state of
    ``m``'s solution at that step (the cyclic start for the last window). A window gets at
    most ``WINDOW_MAX_S`` and keeps its incumbent when stopped.

    By default a window has no fuel inventory: it prices fuel, trucks and convoys per litre,
    as a model without one does (on Gao this gave the same design 30% faster). With
    ``WINDOWS_WITH_INVENTORY``, a daily fuel inventory is carried the same way: the tank starts
    from the stock the previous window left (at the end of its last core step) and must end
    with at least ``m``'s stock on the window's last day; the autonomy look-ahead reads ``m``'s
    daily burn after the window. Deliveries are continuous in the windows (they only choose the
    units online); the full-year solve with the commitment fixed makes them whole trucks and
    convoys again. Only the window's own days are kept. Returns None when a window fails.
    """
    n = p.n_steps
    step_h = float(p.duration_h[0])
    core = max(int(round(WINDOW_DAYS * 24 / step_h)), 1)
    look = int(round(LOOKAHEAD_DAYS * 24 / step_h))
    bat = m.component("battery")
    soc_ref = (np.array([float(bat.soc_kwh[t].value) for t in range(n)]) if bat is not None
               else None)
    soc_prev = float(soc_ref[-1]) if soc_ref is not None else None
    lg = m.component("logistics") if WINDOWS_WITH_INVENTORY else None
    fuel_ref: np.ndarray | None = None
    burn_ref = np.zeros(0)
    fuel_prev: float | None = None
    if lg is not None and p.logistics is not None:
        # day numbers of the year's days, their closing stock and burn in m's solution
        day_of_step = p.logistics.day_of_step
        fuel_ref = np.array([float(pyo.value(lg.stock_l[k])) for k in lg.D])
        burn_ref = np.array([float(pyo.value(lg.burn_l[k])) for k in lg.D])
        fuel_prev = float(fuel_ref[-1])
    starts = list(range(0, n, core))
    online: dict[tuple[str, int], int] = {}
    for i, s0 in enumerate(starts):
        s1 = min(s0 + core, n)
        s2 = min(s1 + look, n)
        final = None
        if soc_ref is not None:
            final = float(soc_ref[s2 - 1] if s2 < n else soc_ref[-1]) * (1.0 - 1e-6)
        # a window usually solves in well under a second; the floor keeps a hard one from
        # failing when the budget is nearly spent (the design matters more than the overrun)
        per_window = min(max((deadline - time.perf_counter()) / (len(starts) - i),
                             MIN_WINDOW_S), WINDOW_MAX_S)
        solved = None
        fuel_final: float | None = None
        burn_after: np.ndarray | None = None
        if fuel_ref is not None:
            last_day = int(day_of_step[s2 - 1])
            fuel_final = float(fuel_ref[last_day]) * (1.0 - 1e-6) if s2 < n else float(
                fuel_ref[-1]) * (1.0 - 1e-6)
            burn_after = burn_ref[last_day + 1:] if s2 < n else np.zeros(0)
        aims = [(final, fuel_final), (None, None)]
        if final is None and fuel_final is None:
            aims = [(None, None)]
        for attempt, (end_min, fuel_min) in enumerate(aims):
            wp = window_params(p, s0, s2, initial_soc_kwh=soc_prev, final_soc_min_kwh=end_min,
                               soft=SOFT_SOC_AIM, fuel_initial_l=fuel_prev,
                               fuel_final_min_l=fuel_min, fuel_burn_after_l=burn_after,
                               inventory=WINDOWS_WITH_INVENTORY)
            wm = build_model(wp)
            _fix_sizes(m, wm)
            if fuel_ref is not None:
                # the windows only choose the units online: deliveries are continuous here
                # and made whole by the full-year solve that follows (commitment fixed)
                for var in (*wm.logistics.trucks.values(), *wm.logistics.convoys.values()):
                    var.domain = pyo.NonNegativeReals
            # a retry (no end-state aim) also gets more time, in case the first found nothing
            settings = SolverSettings(time_limit_s=per_window * (1 + 3 * attempt),
                                      mip_rel_gap=WINDOW_GAP,
                                      threads=scenario.solver.threads)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    solve_model(wm, settings)
            except (InfeasibleScenarioError, SolverError):
                continue
            solved = wm
            break
        if solved is None:
            return None
        for (g, t), var in solved.diesel.online.items():
            if t < s1 - s0:
                online[(g, s0 + t)] = int(round(float(var.value)))
        if soc_ref is not None:
            soc_prev = float(solved.battery.soc_kwh[s1 - s0 - 1].value)
        if fuel_ref is not None:
            # stock after the core's last step: its day's closing stock plus the fuel that
            # day still burns in the look-ahead steps of this window
            wl = solved.logistics
            k_last = int(day_of_step[s1 - 1] - day_of_step[s0])
            later = [t for t in range(s1 - s0, s2 - s0)
                     if day_of_step[s0 + t] == day_of_step[s1 - 1]]
            fuel_prev = float(pyo.value(wl.stock_l[k_last])) + sum(
                float(pyo.value(solved.diesel.fuel_l[g, t])) for t in later
                for g in solved.diesel.G)
    return online


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
