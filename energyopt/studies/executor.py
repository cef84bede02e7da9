"""One way to run independent tasks: in process, on a local process pool, or on dask.

Studies (sweeps, portfolios, ensembles) are many independent solves. :func:`run_tasks` runs
``fn(task)`` for every task and gives back one :class:`TaskResult` per task, in task order,
whichever executor ran them:

* ``executor=None`` and ``workers`` > 1 (default ``min(2, os.cpu_count())``): a local
  :class:`concurrent.futures.ProcessPoolExecutor` in a ``forkserver`` context (``spawn`` where
  the platform has no forkserver), so workers never inherit the parent's threads;
* ``workers=1``: in the calling process, one task after the other (no pickling; the easiest to
  debug);
* ``executor`` a :class:`dask.distributed.Client`, or a scheduler address (``"tcp://host:8786"``)
  to which a client is connected for the run and closed after it;
* ``executor`` any :class:`concurrent.futures.Executor` (kept open: the caller owns it).

Rules every task follows
------------------------
* ``fn`` is a picklable top-level function and every task a picklable value (a local pool and
  dask send both to another process).
* **One core per task.** Every :class:`~energyopt.scenario.Scenario` in a task (the task
  itself, an item of a tuple or list, a value of a dict) is replaced by a copy with
  ``solver.threads = 1`` before it is sent (:func:`single_core`): HiGHS and the search then
  stay on one core, so two workers on two cores do not fight over them. A task that builds
  its own scenario (from a path, say) should call :func:`single_core` on it itself.
* **Deterministic.** Nothing here depends on which worker runs a task or in which order tasks
  finish: the same task gives the same numbers locally, in process or on dask, as long as
  ``fn`` is deterministic (a search that stops on its gap, not on its time limit).
* **Errors are results.** An exception raised by ``fn`` comes back as the task's
  :class:`TaskResult` with ``error`` set (type, message and traceback); it never stops the
  other tasks. A worker that dies (killed, out of memory) breaks a local process pool: every
  task not finished then comes back as an error record marked ``lost`` (the results already
  finished are kept; run the lost tasks again); dask moves a dead worker's tasks to another
  worker itself. Only ``KeyboardInterrupt`` in the parent stops the run: pending tasks are
  cancelled and the interrupt is raised after the results already reported to ``on_result``.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from energyopt.errors import ScenarioError
from energyopt.scenario import Scenario

__all__ = ["TaskResult", "default_workers", "iter_tasks", "run_tasks", "single_core"]


@dataclass(frozen=True)
class TaskResult:
    """What one task gave: its value, or the error it raised.

    Attributes
    ----------
    index : int
        Position of the task in the list given to :func:`run_tasks`.
    value : object
        ``fn(task)``; None when the task failed.
    error : str or None
        ``"<ExceptionType>: <message>"`` when the task raised, else None.
    error_type : str or None
        Name of the exception's class (``InfeasibleScenarioError``, ``SolverError`` ...).
    traceback : str or None
        The formatted traceback of the failure (for bugs; not shown to users by default).
    seconds : float
        Wall time of the task in its worker [s] (NaN when the worker died).
    lost : bool
        The task did not end by itself: its worker died or was stopped (Ctrl-C, killed, out
        of memory), so ``error`` says nothing about the task; running it again may succeed.
    """

    index: int
    value: Any = None
    error: str | None = None
    error_type: str | None = None
    traceback: str | None = None
    seconds: float = float("nan")
    lost: bool = False

    @property
    def ok(self) -> bool:
        """Whether the task returned a value (no error)."""
        return self.error is None


def default_workers() -> int:
    """Return the default number of local worker processes: ``min(2, os.cpu_count())``."""
    return max(1, min(2, os.cpu_count() or 1))


def single_core(task: Any) -> Any:
    """Return ``task`` with every scenario in it set to run on one core.

    Parameters
    ----------
    task : object
        A :class:`~energyopt.scenario.Scenario`, or a tuple, list or dict whose items (one
        level deep) may be scenarios; anything else is returned unchanged.

    Returns
    -------
    object
        The same structure, each scenario replaced by a copy with ``solver.threads = 1``
        (the original is unchanged).
    """
    if isinstance(task, Scenario):
        if task.solver.threads == 1:
            return task
        solver = task.solver.model_copy(update={"threads": 1})
        return task.model_copy(update={"solver": solver})
    if isinstance(task, tuple):
        return tuple(single_core(t) if isinstance(t, Scenario) else t for t in task)
    if isinstance(task, list):
        return [single_core(t) if isinstance(t, Scenario) else t for t in task]
    if isinstance(task, dict):
        return {k: single_core(v) if isinstance(v, Scenario) else v for k, v in task.items()}
    return task


def _call(fn: Callable[[Any], Any], index: int, task: Any) -> TaskResult:
    """Run one task and wrap its value or its error (runs in the worker)."""
    start = time.perf_counter()
    try:
        value = fn(task)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # every failure of a task is its result
        return TaskResult(index, error=f"{type(exc).__name__}: {' '.join(str(exc).split())}",
                          error_type=type(exc).__name__, traceback=traceback.format_exc(),
                          seconds=time.perf_counter() - start)
    return TaskResult(index, value=value, seconds=time.perf_counter() - start)


def _lost(index: int, exc: BaseException) -> TaskResult:
    """Error record of a task whose worker died or whose future failed outside ``fn``."""
    text = " ".join(str(exc).split()) or "the worker running it stopped"
    return TaskResult(index, error=f"{type(exc).__name__}: {text}",
                      error_type=type(exc).__name__, lost=True)


def _is_dask_client(executor: Any) -> bool:
    cls = type(executor)
    return cls.__name__ == "Client" and cls.__module__.startswith("distributed")


#: Seconds to wait for a dask scheduler to answer.
CONNECT_TIMEOUT_S = 20.0


def _dask_client(address: str) -> Any:
    """Connect to a scheduler, or raise a ScenarioError naming the address and the fix."""
    try:
        from dask.distributed import Client
    except ImportError:  # pragma: no cover - depends on the installation
        raise ScenarioError.single(
            "scheduler", address, "a scheduler address needs dask.distributed: pip install "
            "'energyopt[cluster]'") from None
    try:
        return Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        why = " ".join(str(exc).split())
        raise ScenarioError.single(
            "scheduler", address, f"cannot reach a dask scheduler there ({why}); check the "
            "address (tcp://host:8786) and that `dask scheduler` runs there") from None


def _mp_context() -> multiprocessing.context.BaseContext:
    """Forkserver (its server imports energyopt once, workers fork from it), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["energyopt"])
        return context
    return multiprocessing.get_context("spawn")


def iter_tasks(fn: Callable[[Any], Any], tasks: Sequence[Any], *, executor: Any = None,
               workers: int | None = None) -> Iterator[TaskResult]:
    """Run ``fn`` on every task; yield each task's :class:`TaskResult` as it finishes.

    Parameters
    ----------
    fn : callable
        A picklable top-level function of one task.
    tasks : sequence
        The tasks (picklable values); scenarios in them are run on one core
        (:func:`single_core`).
    executor : None, str, dask.distributed.Client or concurrent.futures.Executor
        Where to run (see the module notes); None is a local process pool.
    workers : int, optional
        Processes of the local pool (default :func:`default_workers`); 1 runs in process.
        Ignored when ``executor`` is given (the cluster or executor has its own workers).

    Yields
    ------
    TaskResult
        One per task, in the order they finish.
    """
    jobs = [single_core(t) for t in tasks]
    if not jobs:
        return
    if isinstance(executor, str):
        client = _dask_client(executor)
        try:
            yield from _iter_dask(client, fn, jobs)
        finally:
            client.close()
        return
    if executor is not None and _is_dask_client(executor):
        yield from _iter_dask(executor, fn, jobs)
        return
    if isinstance(executor, Executor):
        yield from _iter_futures(executor, fn, jobs, own=False)
        return
    if executor is not None:
        raise TypeError(f"executor={executor!r}: give None (a local process pool), a "
                        "dask.distributed Client, a scheduler address such as "
                        "'tcp://127.0.0.1:8786' or a concurrent.futures Executor")
    n = default_workers() if workers is None else int(workers)
    if n < 1:
        raise ValueError(f"workers={workers}: give at least 1")
    if n == 1 or len(jobs) == 1:
        for index, task in enumerate(jobs):
            yield _call(fn, index, task)
        return
    pool = ProcessPoolExecutor(max_workers=min(n, len(jobs)), mp_context=_mp_context())
    yield from _iter_futures(pool, fn, jobs, own=True)


def _iter_futures(pool: Executor, fn: Callable[[Any], Any], jobs: list[Any],
                  own: bool) -> Iterator[TaskResult]:
    futures: dict[Future[TaskResult], int] = {}
    finished = False
    try:
        futures = {pool.submit(_call, fn, i, task): i for i, task in enumerate(jobs)}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # the worker died (BrokenProcessPool) or similar
                yield _lost(futures[future], exc)
        finished = True
    finally:
        if not finished:
            for future in futures:
                future.cancel()
        if own:
            pool.shutdown(wait=finished, cancel_futures=not finished)


def _iter_dask(client: Any, fn: Callable[[Any], Any], jobs: list[Any]) -> Iterator[TaskResult]:
    from dask.distributed import as_completed as dask_as_completed

    futures = [client.submit(_call, fn, i, task, pure=False) for i, task in enumerate(jobs)]
    index = {f.key: i for i, f in enumerate(futures)}
    finished = False
    try:
        for future in dask_as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # KilledWorker, a lost connection ...
                yield _lost(index[future.key], exc)
        finished = True
    finally:
        if not finished:
            client.cancel(futures)


def run_tasks(fn: Callable[[Any], Any], tasks: Sequence[Any], *, executor: Any = None,
              workers: int | None = None,
              on_result: Callable[[int, TaskResult], None] | None = None) -> list[TaskResult]:
    """Run ``fn`` on every task and return one :class:`TaskResult` per task, in task order.

    Parameters
    ----------
    fn : callable
        A picklable top-level function of one task; its return value must be picklable.
    tasks : sequence
        The tasks (picklable values). Every scenario in a task is run with
        ``solver.threads = 1`` (:func:`single_core`).
    executor : None, str, dask.distributed.Client or concurrent.futures.Executor
        None: a local process pool of ``workers`` processes (forkserver, else spawn) or, with
        ``workers=1``, the calling process. A dask ``Client`` (left open) or a scheduler
        address such as ``"tcp://10.0.0.5:8786"`` (a client opened and closed for this run).
        A ``concurrent.futures.Executor`` is used as given and left open.
    workers : int, optional
        Local processes (default ``min(2, os.cpu_count())``); ignored with an ``executor``.
    on_result : callable, optional
        ``on_result(index, task_result)``, called in the calling process as each task
        finishes (in finishing order): for progress and for storing results as they come.

    Returns
    -------
    list of TaskResult
        ``results[i]`` is task ``i``'s value or error; a failed task never stops the others.

    Raises
    ------
    KeyboardInterrupt
        When interrupted: pending tasks are cancelled; the results already passed to
        ``on_result`` are the ones finished.
    TypeError
        For an executor of an unknown kind.
    """
    results: list[TaskResult | None] = [None] * len(tasks)
    for res in iter_tasks(fn, tasks, executor=executor, workers=workers):
        results[res.index] = res
        if on_result is not None:
            on_result(res.index, res)
    missing = [i for i, r in enumerate(results) if r is None]
    if missing:  # pragma: no cover - every path above yields one record per task
        raise RuntimeError(f"tasks {missing} gave no result")
    return [r for r in results if r is not None]
