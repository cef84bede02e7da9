"""What the blocks expose to the search, the results and the diagnosis.

Each technology block registers its parts on ``m.parts`` as it builds them, so that nothing
downstream finds a variable by a string path or by its position:

* ``sizes``: the design's size variables, by result name (``pv_kwp``, ``battery_kwh`` ...), with
  the factor from model units to result units (the tank is modelled in kL, reported in L);
* ``counts`` and ``commitment``: per diesel unit type, the count of units and the units online
  in each step (the integers of the operation);
* ``deliveries``: the whole trucks and convoys of a daily fuel inventory (integers too);
* ``states``: state variables carried from one step or day to the next (battery energy, fuel
  stock), which a window of the year starts from and ends at;
* the time of every time-indexed variable (:meth:`ModelParts.step_of`): the first step it
  belongs to, so that the year can be cut into windows;
* ``cuts``: rows a block declares for the search to switch on through a variant (a range of
  whole convoys, a bound on a risk metric); the model is built with them inactive;
* ``requirements``: constraint families with what they mean to a user, for the diagnosis of an
  infeasible scenario.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

__all__ = ["Cut", "ModelParts", "Requirement"]


@dataclass(frozen=True)
class Requirement:
    """A family of constraints that states one requirement of the scenario.

    Attributes
    ----------
    name : str
        Short key, e.g. ``reliability.reserve``.
    constraint : pyo.Constraint
        The constraint component (indexed or not).
    meaning : str
        What it asks, in the scenario's words (with the fields that set it).
    """

    name: str
    constraint: Any
    meaning: str


@dataclass(frozen=True)
class Cut:
    r"""A row a block declares for the search: built inactive, switched on by a variant.

    Attributes
    ----------
    name : str
        ``convoy_count``, ``convoy_tank``, ``limit_convoys_per_year`` ...
    constraint : pyo.ConstraintData
        The row. Its bounds in the model are placeholders: the compiled model applies the
        variant's bounds (infinite when the cut is off).
    scaled : pyo.VarData or None
        For a cut whose coefficient on this variable is set by the variant (the tank cut
        :math:`\sum_d Q_d \le \bar C K` takes :math:`-\\bar C` on :math:`K`).
    """

    name: str
    constraint: Any
    scaled: Any = None


@dataclass
class ModelParts:
    """Registry of the parts of one built model (see the module docstring)."""

    #: Result name -> (variable, factor from model units to result units).
    sizes: dict[str, tuple[Any, float]] = field(default_factory=dict)
    #: Diesel unit type -> count variable.
    counts: dict[str, Any] = field(default_factory=dict)
    #: Diesel unit type -> units online per step (list indexed by step).
    commitment: dict[str, list[Any]] = field(default_factory=dict)
    #: Whole trucks and convoys of a daily inventory.
    deliveries: list[Any] = field(default_factory=list)
    #: State variables: name -> list per step or day (battery energy, fuel stock).
    states: dict[str, list[Any]] = field(default_factory=dict)
    #: Variable components of the fuel supply (annual fuel, the daily stock, deliveries,
    #: tank): what follows from the burn once the dispatch is fixed.
    supply: list[Any] = field(default_factory=list)
    #: Declared cuts by name.
    cuts: dict[str, Cut] = field(default_factory=dict)
    #: Requirement families, in build order.
    requirements: list[Requirement] = field(default_factory=list)
    _timed: dict[int, Callable[[Any], int]] = field(default_factory=dict, repr=False)

    def size(self, name: str, var: Any, factor: float = 1.0) -> None:
        """Register a size variable under its result name."""
        self.sizes[name] = (var, factor)

    def timed(self, var: Any, step: Callable[[Any], int] | None = None) -> None:
        """Register a time-indexed variable component.

        Parameters
        ----------
        var : pyo.Var
            Indexed by step (the default) or by something ``step`` maps to a step.
        step : callable, optional
            Index -> first step of that index (e.g. the first step of a day).
        """
        self._timed[id(var)] = step if step is not None else _last_int

    def step_of(self, var: Any) -> int | None:
        """First step of a variable's index, None for a variable of the whole period."""
        fn = self._timed.get(id(var.parent_component()))
        return None if fn is None else int(fn(var.index()))

    def cut(self, name: str, constraint: Any, scaled: Any = None) -> None:
        """Declare a cut (see :class:`Cut`)."""
        self.cuts[name] = Cut(name, constraint, scaled)

    def requirement(self, name: str, constraint: Any, meaning: str) -> None:
        """Register a requirement family for the diagnosis."""
        self.requirements.append(Requirement(name, constraint, meaning))

    def integers(self) -> Iterator[Any]:
        """Every integer variable of the operation and the design."""
        yield from self.counts.values()
        for online in self.commitment.values():
            yield from online
        yield from self.deliveries


def _last_int(index: Any) -> int:
    """Step of an index ``t`` or ``(g, t)``."""
    return int(index[-1] if isinstance(index, tuple) else index)


def parts_of(m: pyo.ConcreteModel) -> ModelParts:
    """Return the parts registry of a built model."""
    parts = m.parts
    assert isinstance(parts, ModelParts)
    return parts
