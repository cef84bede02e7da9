"""The search engine: from a compiled model to a certified design within one time budget.

Public pieces, for :func:`energyopt.optimize`, :func:`energyopt.pareto` and later studies:

* :class:`Budget`: the wall-clock deadline every stage takes its time from;
* :class:`Problem`: one model built from parameters and compiled once, with its parts;
* :class:`Variant`: what a run fixes, relaxes or cuts, as parameters;
* :func:`search`: the stages (rule design, LP relaxation, convoy split, windowed dispatch,
  Lagrangian bound) that return an :class:`Outcome`: the best design and its proven bound;
* :class:`Progress`: what the search reports as it goes.

``docs/architecture.md`` describes the stages, the bound and the budget.
"""

from energyopt.engine.budget import Budget
from energyopt.engine.problem import Design, Problem, Variant
from energyopt.engine.progress import Progress, ProgressCallback
from energyopt.engine.search import MONOLITHIC_MAX_UNIT_STEPS, Outcome, least_metric, search

__all__ = [
    "MONOLITHIC_MAX_UNIT_STEPS",
    "Budget",
    "Design",
    "Outcome",
    "Problem",
    "Progress",
    "ProgressCallback",
    "Variant",
    "least_metric",
    "search",
]
