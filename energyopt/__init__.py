"""energyopt: least-cost, least-risk PV / battery / diesel sizing for peacekeeping camps.

The public API (see README.md and docs/architecture.md)::

    import energyopt as eo
    scenario = eo.load_scenario("examples/gao.yaml")
    result = eo.optimize(scenario)
    front = eo.pareto(scenario, "expected_casualties_per_year", points=8)
    table = eo.sweep(scenario, {"fuel.price_usd_per_l": [0.8, 1.1, 1.6]})
    front = eo.capex_front(scenario, points=5)            # capital against convoys
    ranked = eo.mission("examples/minusma/mission.yaml")  # investments across camps
"""

from energyopt.errors import (
    EnergyoptError,
    InfeasibleScenarioError,
    ResultCheckError,
    ScenarioError,
    SolverError,
)
from energyopt.inputs import Inputs, build_inputs
from energyopt.optimize import optimize
from energyopt.pareto import pareto
from energyopt.report import render_markdown, render_report
from energyopt.results import SizingResult, convergence_banner
from energyopt.scenario import Scenario, load_scenario
from energyopt.simulate import Outages, SimulationResult, simulate
from energyopt.solve import SolveInfo
from energyopt.studies.budget import build_out, capex_front
from energyopt.studies.mission import mission
from energyopt.studies.sweep import sweep
from energyopt.studies.uncertainty import uncertainty
from energyopt.verify import Verification, verify

__all__ = [
    "EnergyoptError",
    "InfeasibleScenarioError",
    "Inputs",
    "Outages",
    "ResultCheckError",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "SizingResult",
    "SolveInfo",
    "SolverError",
    "Verification",
    "__version__",
    "build_inputs",
    "build_out",
    "capex_front",
    "convergence_banner",
    "load_scenario",
    "mission",
    "optimize",
    "pareto",
    "render_markdown",
    "render_report",
    "simulate",
    "sweep",
    "uncertainty",
    "verify",
]

__version__ = "0.1.0"
