r"""Split the search on the number of whole convoys of the modelled period.

With a daily inventory, the convoys of the period :math:`C = \sum_d c_d` are whole in every
design, but the LP relaxation buys fractions of a convoy, each costing its share of an escort
and of the valued risk: a weak bound when one convoy is worth a few percent of the objective
(on the Gao road, about 1 M USD over the horizon). When the LP's :math:`C^*` is fractional, the
problem is the union of the pieces :math:`C \le \lfloor C^* \rfloor` and
:math:`C \ge \lceil C^* \rceil`; the LP of each piece bounds it, so the least of their bounds
bounds the problem. A piece with an upper end :math:`\bar C` also holds
:math:`\sum_d Q_d \le \bar C K` (an arrival brings at most a tankful), valid for whole convoys
only. The search goes on in the piece of least bound; when its :math:`C^*` is whole but the
piece a range, it is cut into :math:`C = C^*` and the counts on either side. Each piece is a
:class:`~energyopt.engine.problem.Variant` (the logistics block's declared cuts) on the same
LP session, which restarts from the basis the previous piece left. A split that lifts no
bound (convoys that cost nothing) is undone.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace

import numpy as np

from energyopt.engine.budget import Budget
from energyopt.engine.problem import Problem, Variant
from energyopt.solve import Session, Status

__all__ = ["Piece", "split_on_convoys"]

#: Most splits of the whole-convoy count.
MAX_SPLITS = 4


@dataclass
class Piece:
    """A range of whole convoys of the period and its proven bound.

    Attributes
    ----------
    lo : int
        Least convoys.
    hi : int or None
        Most convoys (None: no upper end).
    bound : float
        Its LP bound (inf when infeasible) [USD].
    x : numpy.ndarray or None
        Its LP solution (kept for the piece searched).
    duals : numpy.ndarray or None
        Its LP row duals.
    final : bool
        Its bound is as high as the engine's relaxations take it: its Lagrangian bound
        (:mod:`energyopt.engine.lagrange`) solved every window to its gap.
    """

    lo: int
    hi: int | None
    bound: float
    x: np.ndarray | None = None
    duals: np.ndarray | None = None
    final: bool = False

    @property
    def convoys(self) -> tuple[int, int | None] | None:
        """The range as a variant's ``convoys`` (None for the whole problem)."""
        return None if self.lo <= 0 and self.hi is None else (self.lo, self.hi)

    def label(self) -> str:
        """``convoys = 2``, ``convoys 0-1``, ``convoys >= 3``."""
        if self.hi is None:
            return f"convoys >= {self.lo}"
        return f"convoys = {self.lo}" if self.lo == self.hi else f"convoys {self.lo}-{self.hi}"


def _solve_parts(problem: Problem, lp: Session, base: Variant,
                 parts: list[tuple[int, int | None]], budget: Budget
                 ) -> list[tuple[Piece, Session]]:
    """Solve each part's LP at once from ``lp``'s basis; [] when one ran out of time."""
    sessions = [lp.clone() for _ in parts]
    results: list[Piece | None] = [None] * len(parts)

    def solve(i: int) -> None:
        lo, hi = parts[i]
        session = sessions[i]
        problem.apply(session, replace(base, relax=True, convoys=(lo, hi)))
        result = session.run(budget.call_limit())
        if result.status == Status.INFEASIBLE:
            results[i] = Piece(lo, hi, math.inf)
        elif result.status == Status.OPTIMAL and session.x is not None:
            results[i] = Piece(lo, hi, result.objective, session.x.copy(),
                               None if session.row_duals is None else session.row_duals.copy())

    if problem.settings.threads <= 1:  # one core: the pieces one after the other
        for i in range(len(parts)):
            solve(i)
    else:
        threads = [threading.Thread(target=solve, args=(i,), daemon=True)
                   for i in range(1, len(parts))]
        for thread in threads:
            thread.start()
        solve(0)
        for thread in threads:
            thread.join()
    if any(piece is None for piece in results):
        return []
    return [(piece, session) for piece, session in zip(results, sessions, strict=True)
            if piece is not None]


def split_on_convoys(problem: Problem, lp: Session, root: Piece, base: Variant,
                     budget: Budget) -> tuple[Piece, list[Piece], list[str]]:
    """Split ``root`` (the whole problem, its LP solved in ``lp``) on whole convoys.

    Returns the piece to search (with its LP solution and duals; ``lp`` left with its
    variant), the pieces left out (with their bounds) and notes. Without a daily inventory, or when
    convoys cost nothing, returns ``root`` alone.
    """
    notes: list[str] = []
    if not problem.has_logistics or root.x is None:
        return root, [], notes
    current, rest = root, list[Piece]()
    source = lp  # the session whose basis the next parts start from
    for _ in range(MAX_SPLITS):
        assert current.x is not None
        c_star = problem.convoys_of(current.x)
        k = round(c_star)
        if current.lo == current.hi and abs(c_star - current.lo) <= 1e-6:
            break
        if abs(c_star - k) > 1e-6:
            f = math.floor(c_star)
            parts = [(current.lo, f), (f + 1, current.hi)]
        else:
            parts = [(k, k)]
            if k > current.lo:
                parts.append((current.lo, k - 1))
            if current.hi is None or k < current.hi:
                parts.append((k + 1, current.hi))
        parts = [(lo, hi) for lo, hi in parts if hi is None or hi >= lo]
        if budget.expired(0.05):
            break
        solved = _solve_parts(problem, source, base, parts, budget)
        if len(solved) < len(parts) or all(math.isinf(pc.bound) for pc, _ in solved):
            break
        solved.sort(key=lambda item: item[0].bound)
        pieces = [pc for pc, _ in solved]
        least_rest = min((pc.bound for pc in rest), default=math.inf)
        if min(pieces[0].bound, least_rest) <= min(current.bound, least_rest) + 1e-9 * abs(
                current.bound):
            break  # no part is dearer than the piece (convoys cost nothing): keep it whole
        current, source = solved[0]
        for other in pieces[1:]:
            other.x = other.duals = None
            rest.append(other)
        notes.append(f"{current.label()}: bound {current.bound:,.0f}; " + "; ".join(
            f"{pc.label()}: " + ("infeasible" if math.isinf(pc.bound) else
                                 f"bound {pc.bound:,.0f}") for pc in pieces[1:]))
    problem.apply(lp, replace(base, relax=True, convoys=current.convoys))
    return current, rest, notes
