"""Studies: many independent solves of one camp (sweeps), run locally or on a cluster.

:mod:`energyopt.studies.executor` runs independent tasks in process, on a local process pool
or on dask.distributed; the study modules build on it.
"""

from energyopt.studies.executor import TaskResult, run_tasks, single_core

__all__ = ["TaskResult", "run_tasks", "single_core"]
