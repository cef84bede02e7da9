"""A problem of the search: one built model, compiled once, and its variants as parameters.

A :class:`Problem` builds the model of one set of parameters, compiles it to matrix form and
reads, through the blocks' parts (:mod:`energyopt.model.parts`), which columns are sizes, units
online, deliveries and states, and the step of every time-indexed column. A :class:`Variant` is
a record of what the search fixes, relaxes or cuts (the LP relaxation, a range of whole
convoys, a fixed commitment, a bound on a risk metric); :meth:`Problem.apply` puts it on a
HiGHS session as column and row bounds. The Pyomo model itself is never edited.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from energyopt.model import ModelParams, build_model
from energyopt.model.parts import ModelParts
from energyopt.solve import INF, MatrixModel, Session, SolverSettings

__all__ = ["Design", "Problem", "Variant"]

#: Relative slack of a risk bound (a design exactly at the bound must meet it) [-].
_LIMIT_SLACK = 1e-7


@dataclass(frozen=True)
class Variant:
    """What a run of the search fixes, relaxes or cuts, as parameters.

    Attributes
    ----------
    relax : bool
        Every integer continuous (the LP relaxation).
    whole_deliveries : bool
        Trucks and convoys integer (when not ``relax``).
    sizes : mapping, optional
        Sizes fixed, by result name and in result units (``pv_kwp``, ``fuel_tank_l`` ...).
    counts : mapping, optional
        Units of each diesel unit type, fixed.
    commitment : numpy.ndarray, optional
        Units online, one row per unit type (in the order of ``Problem.unit_types``), one
        column per step, fixed.
    convoys : tuple, optional
        ``(least, most or None)`` whole convoys in the modelled period (the logistics block's
        declared cuts).
    limits : mapping
        Upper bounds on risk metrics (``convoys_per_year``, ``expected_casualties_per_year``),
        through the fuel block's declared cuts.
    """

    relax: bool = False
    whole_deliveries: bool = True
    sizes: Mapping[str, float] | None = None
    counts: Mapping[str, float] | None = None
    commitment: np.ndarray | None = None
    convoys: tuple[int, int | None] | None = None
    limits: Mapping[str, float] = field(default_factory=dict)


@dataclass
class Design:
    """A feasible design of the full problem: a solution of every column, checked.

    Attributes
    ----------
    x : numpy.ndarray
        Value of every column of the problem's matrix.
    objective : float
        Net present cost [USD].
    how : str
        Which stage found it.
    fallback : bool
        The rule-based design of last resort.
    """

    x: np.ndarray
    objective: float
    how: str
    fallback: bool = False


class Problem:
    """One model of the search, compiled once (see the module docstring).

    Parameters
    ----------
    p : ModelParams
        Its parameters.
    name : str
        For messages (``design``, ``diesel only``).
    settings : SolverSettings
        Threads, gap and logging of every HiGHS run.
    base : Variant, optional
        Cuts that hold in every run of this problem (the risk bound of a point of a front).
    """

    def __init__(self, p: ModelParams, name: str, settings: SolverSettings,
                 base: Variant | None = None) -> None:
        self.p = p
        self.name = name
        self.settings = settings
        self.base = base or Variant()
        self.m = build_model(p)
        parts = self.m.parts
        assert isinstance(parts, ModelParts)
        self.parts = parts
        self.mm = MatrixModel(self.m)
        mm = self.mm
        self.unit_types = list(parts.commitment)
        self.size_cols = {name: (mm.col(var), factor) for name, (var, factor)
                          in parts.sizes.items()}
        self.count_cols = mm.cols(parts.counts[g] for g in self.unit_types)
        self.commitment_cols = np.array([mm.cols(parts.commitment[g]) for g in self.unit_types],
                                        dtype=np.int64).reshape(len(self.unit_types), p.n_steps)
        self.delivery_cols = mm.cols(parts.deliveries)
        self.delivery_cols = self.delivery_cols[self.delivery_cols >= 0]
        self.state_cols = {name: mm.cols(vars_) for name, vars_ in parts.states.items()}
        supply_ids = {id(c) for c in parts.supply}
        self.supply_cols = np.array([j for j, v in enumerate(mm.columns)
                                     if id(v.parent_component()) in supply_ids], dtype=np.int64)
        step = np.full(mm.n_cols, -1, dtype=np.int64)
        for j, var in enumerate(mm.columns):
            s = parts.step_of(var)
            if s is not None:
                step[j] = s
        self.step = step
        self.cut_rows = {name: mm.rows_of(cut.constraint) for name, cut in parts.cuts.items()}
        self.cut_scaled = {name: mm.col(cut.scaled) for name, cut in parts.cuts.items()
                           if cut.scaled is not None}
        self.has_logistics = self.m.component("logistics") is not None
        self._relaxation: Session | None = None

    @property
    def has_storage(self) -> bool:
        """Whether a battery links the steps (else each step's dispatch stands alone)."""
        return "battery_soc_kwh" in self.state_cols

    @property
    def n_unit_steps(self) -> int:
        """Integer unit-steps of the commitment."""
        return int(self.commitment_cols.size)

    def session(self) -> Session:
        """Return a new HiGHS session on this problem (the model as built)."""
        return self.mm.session(self.settings)

    def relaxation(self) -> Session:
        """Return this problem's LP session, kept across searches.

        Only LP relaxations (of the problem and its convoy pieces) run on it, so a second
        search of the same problem (the next point of a front, with a tighter risk bound)
        restarts its LP from the basis the first left.
        """
        if self._relaxation is None:
            self._relaxation = self.session()
        return self._relaxation

    def apply(self, session: Session, variant: Variant) -> None:
        """Put ``variant`` (and the problem's base variant) on ``session``.

        Columns and rows the variant does not name go back to their bounds as built; only
        what differs from the session's current state is sent to HiGHS.
        """
        mm = self.mm
        lo, hi = mm.col_lower.copy(), mm.col_upper.copy()
        integer = mm.is_integer.copy()
        if variant.relax:
            integer[:] = False
        elif not variant.whole_deliveries:
            integer[self.delivery_cols] = False
        if variant.sizes:
            for name, value in variant.sizes.items():
                col, factor = self.size_cols.get(name, (-1, 1.0))
                if col >= 0:
                    v = float(np.clip(value / factor, mm.col_lower[col], mm.col_upper[col]))
                    lo[col] = hi[col] = v
        if variant.counts:
            for g, value in variant.counts.items():
                col = int(self.count_cols[self.unit_types.index(g)])
                lo[col] = hi[col] = float(np.clip(value, mm.col_lower[col], mm.col_upper[col]))
        if variant.commitment is not None:
            cols = self.commitment_cols.ravel()
            values = np.asarray(variant.commitment, dtype=float).ravel()
            ok = cols >= 0
            lo[cols[ok]] = hi[cols[ok]] = values[ok]
        changed = np.flatnonzero((lo != session.col_lower) | (hi != session.col_upper))
        if changed.size:
            session.set_bounds(changed, lo[changed], hi[changed])
        flip_on = np.flatnonzero(integer & ~session.integer)
        flip_off = np.flatnonzero(~integer & session.integer)
        session.set_integer(flip_on, True)
        session.set_integer(flip_off, False)
        self._apply_cuts(session, variant)

    def _apply_cuts(self, session: Session, variant: Variant) -> None:
        convoys = variant.convoys
        count_rows = self.cut_rows.get("convoy_count", [])
        tank_rows = self.cut_rows.get("convoy_tank", [])
        if count_rows:
            lo_c = -INF if convoys is None or convoys[0] <= 0 else float(convoys[0])
            hi_c = INF if convoys is None or convoys[1] is None else float(convoys[1])
            _set_rows(session, count_rows, lo_c, hi_c)
        if tank_rows:
            top = None if convoys is None else convoys[1]
            if top is None:
                _set_rows(session, tank_rows, -INF, INF)
            else:
                col = self.cut_scaled["convoy_tank"]
                # the row holds  sum_d Q_d - hi K <= 0 (Q and K in kL)
                session.set_coefficient(tank_rows[0], col, -float(top))
                _set_rows(session, tank_rows, -INF, 0.0)
        limits = {**self.base.limits, **variant.limits}
        for metric in ("convoys_per_year", "expected_casualties_per_year"):
            rows = self.cut_rows.get(f"limit_{metric}", [])
            if not rows:
                continue
            bound = limits.get(metric)
            ub = INF if bound is None else float(bound) * (1.0 + _LIMIT_SLACK) + 1e-9
            _set_rows(session, rows, -INF, ub)

    def metric(self, name: str) -> np.ndarray:
        """Coefficients of a risk metric (``convoys_per_year`` ...) over the columns."""
        rows = self.cut_rows.get(f"limit_{name}", [])
        if not rows:
            raise KeyError(f"no metric {name!r}")
        return np.asarray(self.mm.a_rows[rows[0]].toarray()).ravel()

    def window_params(self, duals: np.ndarray | None = None) -> ModelParams:
        """Return the parameters dispatch windows are cut from.

        A bound of the base variant on a risk metric (a point of a front) cannot be shared out
        among windows (a cloudy week needs more convoys than a sunny one), so windows price it
        instead: each casualty or convoy costs what the bound's dual in the LP ``duals`` says
        it is worth, on top of the scenario's own value.
        """
        p = self.p
        if duals is None or not self.base.limits:
            return p
        extra = {}
        for metric in self.base.limits:
            rows = self.cut_rows.get(f"limit_{metric}", [])
            if rows:
                extra[metric] = abs(float(duals[rows[0]])) / max(p.variable_annuity, 1e-12)
        return replace(
            p,
            value_per_casualty_usd=p.value_per_casualty_usd
            + extra.get("expected_casualties_per_year", 0.0),
            escort_usd_per_convoy=p.escort_usd_per_convoy + extra.get("convoys_per_year", 0.0))

    def sizes_of(self, x: np.ndarray) -> dict[str, float]:
        """Sizes of a solution, in result units."""
        return {name: float(x[col]) * factor for name, (col, factor) in self.size_cols.items()
                if col >= 0}

    @property
    def plant_size_cols(self) -> dict[str, tuple[int, float]]:
        """Columns (and result-unit factors) of the generation and storage sizes.

        The fuel supply's own sizes (the tank) are left out: they follow the burn.
        """
        supply = set(self.supply_cols.tolist())
        return {name: (col, factor) for name, (col, factor) in self.size_cols.items()
                if col >= 0 and col not in supply}

    def existing_sizes(self) -> dict[str, float]:
        """Return the generation and storage on site (sizes' lower bounds), result units."""
        return {name: float(self.mm.col_lower[col]) * factor
                for name, (col, factor) in self.plant_size_cols.items()}

    def counts_of(self, x: np.ndarray) -> dict[str, float]:
        """Return the unit counts of a solution."""
        return {g: float(x[col]) for g, col in zip(self.unit_types, self.count_cols,
                                                   strict=True) if col >= 0}

    def commitment_of(self, x: np.ndarray) -> np.ndarray:
        """Units online of a solution (unit types x steps); 0 where a column is absent."""
        cols = self.commitment_cols
        return np.where(cols >= 0, x[np.maximum(cols, 0)], 0.0)

    def convoys_of(self, x: np.ndarray) -> float:
        """Whole convoys of the modelled period in a solution (0 without the inventory)."""
        rows = self.cut_rows.get("convoy_count", [])
        if not rows:
            return 0.0
        return float(self.mm.a_rows[rows[0]] @ x)

    def check(self, x: np.ndarray, variant: Variant | None = None, tol: float = 1e-6) -> float:
        """Largest violation of ``x`` against the full model (with the base cuts) [-].

        Integrality of every integer column counts as a violation too.
        """
        mm = self.mm
        integer = mm.is_integer
        frac = float(np.abs(x[integer] - np.round(x[integer])).max(initial=0.0))
        row_upper = mm.row_upper.copy()
        limits = {**self.base.limits, **((variant.limits if variant else {}) or {})}
        for metric, bound in limits.items():
            for row in self.cut_rows.get(f"limit_{metric}", []):
                row_upper[row] = min(row_upper[row], bound * (1.0 + _LIMIT_SLACK) + 1e-9)
        return max(frac, mm.violation(x, row_upper=row_upper))

    def design(self, x: np.ndarray, how: str, *, fallback: bool = False,
               tol: float = 1e-6) -> Design | None:
        """Return a :class:`Design` of ``x`` when it passes :meth:`check`, else None."""
        if x is None or not np.isfinite(x).all():
            return None
        integer = self.mm.is_integer
        if np.abs(x[integer] - np.round(x[integer])).max(initial=0.0) > tol:
            return None
        x = x.copy()
        x[integer] = np.round(x[integer])  # take off the solver's tolerance
        if self.check(x) > tol:
            return None
        return Design(x=x, objective=self.mm.objective(x), how=how, fallback=fallback)


def _set_rows(session: Session, rows: list[int], lower: float, upper: float) -> None:
    for row in rows:
        if session.row_lower[row] != lower or session.row_upper[row] != upper:
            session.set_row_bounds([row], lower, upper)


def relative_gap(objective: float, bound: float) -> float:
    """``(objective - bound) / |objective|`` [-], inf when either is missing."""
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return math.inf
    return max((objective - bound) / max(abs(objective), 1e-9), 0.0)
