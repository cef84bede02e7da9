"""Studies: many independent solves of one camp (sweeps), run locally or on a cluster.

:mod:`energyopt.studies.executor` runs independent tasks in process, on a local process pool
or on dask.distributed; :mod:`energyopt.studies.sweep` sizes a camp over a grid or a Latin
hypercube of its inputs; :mod:`energyopt.studies.plots` draws the tornado chart and the
optimal-system-type map of a sweep.
"""

from energyopt.studies.executor import TaskResult, run_tasks, single_core
from energyopt.studies.plots import ost_map_figure, system_type, tornado_figure

# eo.sweep is the sweep function; it is not imported here, so that the name
# energyopt.studies.sweep stays the module.

__all__ = ["TaskResult", "ost_map_figure", "run_tasks", "single_core", "system_type",
           "tornado_figure"]
