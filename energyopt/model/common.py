"""Shared pieces of the model blocks: the cost-term registry."""

from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo

__all__ = ["COMMUNITY_KINDS", "COST_KINDS", "CostTerm", "add_cost"]

#: Kinds of cost, the columns of ``SizingResult.costs`` (present values, USD).
COST_KINDS = ("capex", "replacement", "om", "fuel", "convoy", "risk", "unserved", "salvage")

#: Kinds of the community's value (issue 15): negative costs, columns of ``SizingResult.costs``
#: only in a study with a community.
COMMUNITY_KINDS = ("community", "handover")


@dataclass(frozen=True)
class CostTerm:
    """One present-value cost term of the objective.

    Attributes
    ----------
    component : str
        What the cost is for, e.g. ``pv``, ``battery``, ``diesel_g400``, ``fuel``.
    kind : str
        One of :data:`COST_KINDS`.
    expr : pyo.Expression
        The Pyomo expression component holding its value [USD].
    """

    component: str
    kind: str
    expr: pyo.Expression


def add_cost(m: pyo.ConcreteModel, block: pyo.Block, component: str, kind: str,
             expr: object) -> None:
    """Register a present-value cost term [USD] on ``block`` and in ``m.cost_terms``."""
    if kind not in COST_KINDS + COMMUNITY_KINDS:
        raise ValueError(f"unknown cost kind {kind!r}")
    name = f"cost_{component}_{kind}_usd"
    block.add_component(name, pyo.Expression(expr=expr))
    m.cost_terms.append(CostTerm(component, kind, block.component(name)))
