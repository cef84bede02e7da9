"""Studies: many independent solves of one camp (sweeps), run locally or on a cluster.

:mod:`energyopt.studies.executor` runs independent tasks in process, on a local process pool
or on dask.distributed; :mod:`energyopt.studies.sweep` sizes a camp over a grid or a Latin
hypercube of its inputs; :mod:`energyopt.studies.plots` draws the tornado chart and the
optimal-system-type map of a sweep; :mod:`energyopt.studies.budget` gives the capex front
and the build-out, :mod:`energyopt.studies.mission` ranks investments across a mission's
camps and :mod:`energyopt.studies.uncertainty` re-prices designs over sampled inputs.
"""

from energyopt.studies.budget import FrontPoint, build_out, capex_front, front_points
from energyopt.studies.executor import TaskResult, run_tasks, single_core
from energyopt.studies.mission import MissionResult, load_mission
from energyopt.studies.plots import ost_map_figure, system_type, tornado_figure
from energyopt.studies.uncertainty import Uncertainty, reprice

# eo.sweep, eo.mission and eo.uncertainty are functions; they are not imported here, so that
# the names energyopt.studies.sweep, .mission and .uncertainty stay the modules.

__all__ = ["FrontPoint", "MissionResult", "TaskResult", "Uncertainty", "build_out",
           "capex_front", "front_points", "load_mission", "ost_map_figure", "reprice",
           "run_tasks", "single_core", "system_type", "tornado_figure"]
