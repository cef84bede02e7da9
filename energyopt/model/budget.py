r"""Capital budget block: the capital spent on new equipment at the start is bounded.

Equation
--------
.. math::

    \sum_{k \in \text{capex}} C_k(x) \le B

over every cost term of kind ``capex`` the other blocks registered (``m.cost_terms``): new PV
:math:`c (K - K_{exist})`, new battery energy and power, new diesel units
:math:`C_g (N_g - N^{exist}_g)`, new fuel storage, and the premium of relocatable kit
(:mod:`energyopt.model.community`). What exists costs nothing, so :math:`B = 0` keeps the
existing kit. The row is written in thousands of USD (coefficients near one: 1.1 kUSD/kWp,
0.35 kUSD/kWh, 200 kUSD per unit), like the logistics block's kL.

==================  ============================================  ==========================
symbol              meaning                                        input
==================  ============================================  ==========================
:math:`C_k(x)`      capital cost term :math:`k` [USD]              the blocks' ``capex``
:math:`B`           capital budget [USD]                           ``budget.capex_usd``
==================  ============================================  ==========================

The row is ``m.budget.capex_max`` over the expression ``m.budget.capex_usd`` (the sum of the
capex terms [USD]); it is a requirement for the diagnosis (``budget.capex``). It is built after
the blocks whose capital it bounds, and only when the scenario has a budget.
"""

from __future__ import annotations

import pyomo.environ as pyo

from energyopt.model.params import ModelParams

__all__ = ["KUSD", "add_budget"]

#: USD in one unit of the budget row (thousands of USD).
KUSD = 1000.0


def add_budget(m: pyo.ConcreteModel, p: ModelParams) -> None:
    """Add ``m.budget`` bounding the capital on new equipment (skipped without a budget)."""
    if p.max_capex_usd is None:
        return
    capex = [term.expr for term in m.cost_terms if term.kind == "capex"]
    if not capex:
        return
    b = m.budget = pyo.Block()
    b.capex_usd = pyo.Expression(expr=sum(capex))
    b.capex_max = pyo.Constraint(expr=b.capex_usd / KUSD <= p.max_capex_usd / KUSD)
    m.parts.requirement("budget.capex", b.capex_max,
                        "capital budget on new equipment (budget.capex_usd)")
