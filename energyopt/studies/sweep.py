"""Sensitivity sweeps: one camp sized at many points of its uncertain inputs.

:func:`sweep` sizes a scenario at every point of a full-factorial grid of dotted overrides
(``{"fuel.price_usd_per_l": [0.8, 1.1, 1.6], ...}``) and/or of a Latin hypercube over ranges,
each point an independent :func:`energyopt.optimize` run (with its diesel-only baseline) on the
executor of :mod:`energyopt.studies.executor`: a local process pool, in process, or dask.

Rules
-----
* **Validated first.** Every key and value of the grid and the ranges, then every point, is
  applied to the scenario with :meth:`~energyopt.scenario.Scenario.with_overrides` before any
  solve; all problems are raised at once as one :class:`~energyopt.errors.ScenarioError`.
* **Points.** The grid is the full factorial of its axes in the order given (the last key
  varies fastest). With ``samples`` and ``ranges``, ``samples`` points of a Latin hypercube
  (``scipy.stats.qmc.LatinHypercube``, seeded by ``seed``): each range is cut into
  ``samples`` equal strata and every stratum holds exactly one point; a range whose two ends
  are integers gives integers (each point's value rounded down within ``[lo, hi]``). With
  both, every grid point is crossed with every sampled point.
* **One row per point, failures included.** A point that is infeasible or fails has a row
  with its ``status`` and ``error``; it is never dropped.
* **Stored as it goes.** With ``store=path.parquet``, the store is rewritten atomically
  (a temporary file renamed over it) after each point, with every row it held before. A point
  is keyed by a SHA-256 hash of the base scenario's content (its values, with the bytes of the
  files it names; not its name, description or ``solver.threads``) and of the point's
  overrides; a re-run with the same store takes every stored point as it is and solves only
  the others (``retry_failed=True`` also re-solves the stored points that failed). A point
  whose worker died (Ctrl-C, killed) has a row in the table but not in the store.
* **Deterministic.** Every point runs on one core (``solver.threads = 1``) whatever the
  executor; a point's numbers depend on its inputs only, as long as its search ends on its
  gap rather than its time limit (``converged`` says so).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import math
import os
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from energyopt.errors import (
    InfeasibleScenarioError,
    Problem,
    ResultCheckError,
    ScenarioError,
    SolverError,
)
from energyopt.optimize import optimize
from energyopt.scenario import Scenario, load_scenario
from energyopt.studies.executor import TaskResult, run_tasks
from energyopt.studies.plots import system_type

__all__ = ["BASELINE_KPIS", "STATUSES", "SWEEP_FILE_KEYS", "ProgressFn", "design_points",
           "load_sweep_file", "point_key", "scenario_digest", "solve_point", "sweep"]

#: ``progress(done, total, eta_s)``: points done (stored ones included), points in the sweep,
#: estimated seconds left (None until a point has been solved in this run).
ProgressFn = Callable[[int, int, float | None], None]

#: KPIs of the diesel-only baseline kept in each row as ``baseline_<kpi>``.
BASELINE_KPIS = ("npc_usd", "fuel_l_per_year", "convoys_per_year",
                 "expected_casualties_per_year", "co2_t_per_year")

#: Values of the ``status`` column.
STATUSES = ("converged", "not converged", "infeasible", "solver error", "check failed",
            "error")

#: Columns placed first in the table (when present), after ``point`` and the inputs.
_LEAD = ("system_type", "pv_kwp", "battery_kwh", "battery_kw", "fuel_tank_l", "npc_usd",
         "baseline_npc_usd", "saving_usd", "lcoe_usd_per_kwh", "capex_usd", "fuel_l_per_year",
         "convoys_per_year", "expected_casualties_per_year", "renewable_fraction",
         "co2_t_per_year", "gap_pct", "converged", "baseline_converged", "run_s", "status",
         "error")
#: Columns placed last.
_TAIL = ("warnings", "scenario", "point_key")
#: Scenario fields that do not change a point's numbers (left out of its key).
_NOT_CONTENT = (("name",), ("description",), ("solver", "threads"), ("solver", "log"))


# --------------------------------------------------------------------------------------------
# The points
# --------------------------------------------------------------------------------------------
def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_)


def _plain(value: Any) -> Any:
    """Return numpy scalars as Python ones (for overrides, YAML and JSON)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _check_design(grid: Mapping[str, Sequence[Any]] | None, samples: int | None,
                  ranges: Mapping[str, Sequence[float]] | None) -> list[Problem]:
    """Check the shape of the grid, samples and ranges (not their values)."""
    problems: list[Problem] = []
    if grid is not None and not isinstance(grid, Mapping):
        problems.append(Problem("grid", type(grid).__name__, "give a mapping of dotted keys to "
                                "lists of values, e.g. {'fuel.price_usd_per_l': [0.8, 1.1]}"))
        grid = None
    for key, values in (grid or {}).items():
        if not isinstance(key, str) or not key:
            problems.append(Problem(f"grid.{key}", key, "a grid key must be a dotted path "
                                    "such as 'fuel.price_usd_per_l'"))
        elif isinstance(values, str | bytes) or not isinstance(values, Sequence):
            problems.append(Problem(f"grid.{key}", values, "give a list of values, e.g. "
                                    "[0.8, 1.1, 1.6]"))
        elif len(values) == 0:
            problems.append(Problem(f"grid.{key}", values, "the list is empty; give at least "
                                    "one value"))
        else:
            seen: list[Any] = []
            for v in values:
                if any(v == s and type(v) is type(s) for s in seen):
                    problems.append(Problem(f"grid.{key}", v, "this value is listed twice; "
                                            "list each value once"))
                seen.append(v)
    if samples is not None and (isinstance(samples, bool) or not isinstance(samples, int)
                                or samples < 1):
        problems.append(Problem("samples", samples, "give a whole number of sampled points, "
                                "at least 1"))
    if (samples is None) != (ranges is None or len(ranges) == 0):
        problems.append(Problem("samples" if samples is None else "ranges",
                                None, "a sampled design needs both the number of samples and "
                                "the ranges to sample, e.g. samples=20, ranges={'fuel."
                                "price_usd_per_l': (0.8, 1.6)}"))
    if ranges is not None and not isinstance(ranges, Mapping):
        problems.append(Problem("ranges", type(ranges).__name__, "give a mapping of dotted "
                                "keys to (low, high)"))
        ranges = None
    for key, bounds in (ranges or {}).items():
        ok = (isinstance(bounds, Sequence) and not isinstance(bounds, str | bytes)
              and len(bounds) == 2 and all(_is_number(b) and math.isfinite(b) for b in bounds))
        if not ok:
            problems.append(Problem(f"ranges.{key}", bounds, "give two finite numbers [low, "
                                    "high], e.g. [0.8, 1.6]"))
        elif not bounds[0] < bounds[1]:
            problems.append(Problem(f"ranges.{key}", list(bounds), "low must be below high; "
                                    "for one value put it in the grid"))
        if grid is not None and key in grid:
            problems.append(Problem(f"ranges.{key}", bounds, "this key is also in the grid; "
                                    "sweep it one way only"))
    if not grid and samples is None:
        problems.append(Problem("grid", grid, "nothing to sweep: give a grid of values and/or "
                                "samples with ranges"))
    return problems


def design_points(grid: Mapping[str, Sequence[Any]] | None = None, *,
                  samples: int | None = None,
                  ranges: Mapping[str, Sequence[float]] | None = None,
                  seed: int = 0) -> list[dict[str, Any]]:
    """Return the overrides of every point of a sweep, in order.

    Parameters
    ----------
    grid : mapping of str to sequence, optional
        Dotted keys and their values; the points are the full factorial (last key fastest).
    samples : int, optional
        Points of a Latin hypercube over ``ranges``.
    ranges : mapping of str to (float, float), optional
        Dotted keys and their ``(low, high)`` [units of the field]; integer ends give integer
        values.
    seed : int
        Seed of the Latin hypercube.

    Returns
    -------
    list of dict
        One mapping of dotted key to value per point. With both a grid and samples, every
        grid point is crossed with every sampled point.

    Raises
    ------
    ScenarioError
        When the grid, samples or ranges are malformed (not their values: see :func:`sweep`).
    """
    problems = _check_design(grid, samples, ranges)
    if problems:
        raise ScenarioError(problems, "sweep")
    grid_points: list[dict[str, Any]] = [{}]
    if grid:
        keys = list(grid)
        grid_points = [{k: _plain(v) for k, v in zip(keys, combo, strict=True)}
                       for combo in itertools.product(*(grid[k] for k in keys))]
    sample_points: list[dict[str, Any]] = [{}]
    if samples is not None and ranges:
        sample_points = _latin_hypercube(ranges, samples, seed)
    return [{**g, **s} for g in grid_points for s in sample_points]


def _latin_hypercube(ranges: Mapping[str, Sequence[float]], samples: int,
                     seed: int) -> list[dict[str, Any]]:
    from scipy.stats import qmc

    keys = list(ranges)
    sampler = qmc.LatinHypercube(d=len(keys), rng=np.random.default_rng(seed))
    unit = sampler.random(samples)
    points: list[dict[str, Any]] = []
    for row in unit:
        point: dict[str, Any] = {}
        for key, u in zip(keys, row, strict=True):
            lo, hi = ranges[key]
            if isinstance(_plain(lo), int) and isinstance(_plain(hi), int):
                point[key] = min(int(hi), int(lo) + math.floor(u * (int(hi) - int(lo) + 1)))
            else:
                point[key] = float(lo) + float(u) * (float(hi) - float(lo))
        points.append(point)
    return points


def _validate(scenario: Scenario, grid: Mapping[str, Sequence[Any]] | None,
              ranges: Mapping[str, Sequence[float]] | None,
              points: list[dict[str, Any]]) -> list[Scenario]:
    """Apply every value, then every point, to the scenario; raise all problems at once."""
    problems: list[Problem] = []
    singles = [(k, _plain(v)) for k, vs in (grid or {}).items() for v in vs]
    singles += [(k, _plain(b)) for k, bs in (ranges or {}).items() for b in bs]
    bad_keys: set[str] = set()
    for key, value in singles:
        try:
            scenario.with_overrides({key: value})
        except ScenarioError as exc:
            bad_keys.add(key)
            problems += [Problem(p.field, p.value, f"{p.message} (sweep key '{key}')")
                         for p in exc.problems]
    if problems:
        raise ScenarioError(_unique(problems), "sweep")
    out: list[Scenario] = []
    for point in points:
        try:
            out.append(scenario.with_overrides(point))
        except ScenarioError as exc:
            where = ", ".join(f"{k}={v}" for k, v in point.items())
            problems += [Problem(p.field, p.value, f"{p.message} (at the point {where})")
                         for p in exc.problems]
    if problems:
        raise ScenarioError(_unique(problems), "sweep")
    return out


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for p in problems:
        if (p.field, p.message) not in seen:
            seen.add((p.field, p.message))
            out.append(p)
    return out


# --------------------------------------------------------------------------------------------
# Keys of the store
# --------------------------------------------------------------------------------------------
def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _canonical(value: Any, scenario: Scenario | None = None) -> Any:
    """Plain JSON-able content of a dumped scenario value (its files by their bytes' hash)."""
    if isinstance(value, Mapping):
        return {str(k): _canonical(v, scenario) for k, v in sorted(value.items(), key=str)}
    if isinstance(value, list | tuple):
        return [_canonical(v, scenario) for v in value]
    if isinstance(value, Path):
        path = value if scenario is None else scenario.resolve_path(value)
        return {"file": str(value), "sha256": _file_digest(path) if path.is_file() else None}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if _is_number(value):
        number = float(value)
        return number if math.isfinite(number) else str(number)
    if value is None or isinstance(value, str):
        return value
    return str(value)


def scenario_digest(scenario: Scenario) -> str:
    """Return a SHA-256 hex digest of a scenario's content.

    Parameters
    ----------
    scenario : Scenario
        The scenario.

    Returns
    -------
    str
        The digest of its values (numbers as floats, so ``2`` and ``2.0`` agree), of the
        time series given in Python and of the bytes of the files it names. Its name,
        description, ``solver.threads`` and ``solver.log`` are left out: they do not change
        the numbers of a sweep point.
    """
    raw = scenario.model_dump(mode="python", exclude_none=False)
    for path in _NOT_CONTENT:
        node = raw
        for part in path[:-1]:
            node = node.get(part, {})
        node.pop(path[-1], None)
    content: dict[str, Any] = {"scenario": _canonical(raw, scenario)}
    series = {"load": scenario.load.series}
    pv = scenario.solar.pv_kw_per_kwp
    series["pv_kw_per_kwp"] = None if pv is None else pv.series
    for name, s in series.items():
        if s is not None:
            content[name] = [str(s.index.dtype), int(pd.util.hash_pandas_object(s).sum())]
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def point_key(base_digest: str, overrides: Mapping[str, Any]) -> str:
    """Return the store key of a point: a hash of the base digest and the point's overrides.

    Parameters
    ----------
    base_digest : str
        :func:`scenario_digest` of the base scenario.
    overrides : mapping of str to value
        The point's dotted overrides (numbers compared as floats).

    Returns
    -------
    str
        A 16-hex-digit key.
    """
    items = {str(k): _canonical(_plain(v)) for k, v in overrides.items()}
    text = json.dumps([base_digest, items], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# One point (runs in a worker)
# --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def _quiet_logs() -> Iterator[None]:
    """Keep energyopt's warnings off stderr when no logging is set up (they go in the row)."""
    logger = logging.getLogger("energyopt")
    handler: logging.Handler | None = None
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.NullHandler()
        logger.addHandler(handler)
    try:
        yield
    finally:
        if handler is not None:
            logger.removeHandler(handler)


def solve_point(point: Scenario) -> dict[str, Any]:
    """Size one point of a sweep; return its row of sizes, KPIs and solve figures.

    Parameters
    ----------
    point : Scenario
        The scenario with the point's overrides applied.

    Returns
    -------
    dict
        Sizes (``result.sizes``), KPIs (``result.kpis`` less ``mip_gap``), ``baseline_<kpi>``
        for :data:`BASELINE_KPIS`, ``saving_usd`` (baseline NPC minus NPC), ``gap_pct``,
        ``converged``, ``baseline_converged`` and ``warnings`` (the sanity cautions, Python
        warnings and a missing baseline's reason, one a line, or None).

    Raises
    ------
    EnergyoptError
        Whatever :func:`energyopt.optimize` raises (the executor turns it into an error row).
    """
    with warnings.catch_warnings(record=True) as caught, _quiet_logs():
        warnings.simplefilter("always")
        result = optimize(point)
    row: dict[str, Any] = {str(k): float(v) for k, v in result.sizes.items()}
    for key, value in result.kpis.items():
        if key != "mip_gap" and _is_number(value):
            row[str(key)] = float(value)
    base = result.baseline
    for key in BASELINE_KPIS:
        row[f"baseline_{key}"] = (float(base.kpis[key]) if base is not None
                                  and key in base.kpis.index else float("nan"))
    row["saving_usd"] = row["baseline_npc_usd"] - row.get("npc_usd", float("nan"))
    info = result.solve_info
    row["gap_pct"] = 100.0 * float(info.mip_gap)
    row["converged"] = bool(info.converged)
    row["baseline_converged"] = None if base is None else bool(base.solve_info.converged)
    notes = [f"{w.field}: {w}" for w in result.warnings]
    notes += [" ".join(str(w.message).split()) for w in caught]
    if result.baseline_error:
        notes.append(f"no diesel-only baseline: {result.baseline_error}")
    row["warnings"] = "\n".join(dict.fromkeys(notes)) or None
    return row


_STATUS_OF_ERROR = {InfeasibleScenarioError.__name__: "infeasible",
                    SolverError.__name__: "solver error",
                    ResultCheckError.__name__: "check failed"}


def _row(index: int, overrides: Mapping[str, Any], key: str, scenario_name: str,
         res: TaskResult) -> dict[str, Any]:
    """Return the stored row of a finished point (an error row has no results)."""
    row: dict[str, Any] = {"point": index, **{k: _plain(v) for k, v in overrides.items()}}
    if res.ok:
        values = dict(res.value)
        row.update(values)
        row["system_type"] = system_type(values)
        row["status"] = "converged" if values.get("converged") else "not converged"
        row["error"] = None
    else:
        row["system_type"] = None
        row["status"] = _STATUS_OF_ERROR.get(res.error_type or "", "error")
        row["error"] = res.error
    row["run_s"] = res.seconds
    row["scenario"] = scenario_name
    row["point_key"] = key
    return row


# --------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------
def _read_store(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise ScenarioError.single(
            "store", str(path), f"cannot read it as a sweep store ({' '.join(str(exc).split())}"
            "); give another path, or delete the file to start the sweep afresh") from None
    if "point_key" not in table.columns:
        raise ScenarioError.single(
            "store", str(path), "this Parquet file is not a sweep store (no point_key column); "
            "give another path")
    return [{str(k): _from_store(v) for k, v in rec.items()}
            for rec in table.to_dict(orient="records")]


def _from_store(value: Any) -> Any:
    if value is pd.NA or value is pd.NaT:
        return None
    return _plain(value)


def _write_store(path: Path, rows: list[dict[str, Any]]) -> None:
    """Rewrite the store with ``rows``, atomically (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    _frame(rows, ()).to_parquet(tmp, index=False)
    os.replace(tmp, path)


def _frame(rows: list[dict[str, Any]], inputs: Sequence[str]) -> pd.DataFrame:
    """Rows to the table, columns in order: point, inputs, lead, the rest, tail."""
    frame = pd.DataFrame(rows)
    cols = list(frame.columns)
    lead = ["point", *[c for c in inputs if c in cols]]
    lead += [c for c in _LEAD if c in cols and c not in lead]
    tail = [c for c in _TAIL if c in cols and c not in lead]
    rest = [c for c in cols if c not in lead and c not in tail]
    frame = frame[lead + rest + tail]
    for col in ("converged", "baseline_converged"):
        if col in frame:
            frame[col] = frame[col].astype("boolean")
    for col in ("status", "error", "warnings", "system_type", "scenario", "point_key"):
        if col in frame:
            frame[col] = frame[col].astype("string")
    return frame


# --------------------------------------------------------------------------------------------
# The sweep
# --------------------------------------------------------------------------------------------
def sweep(scenario: Scenario | str | Path | Mapping[str, Any],
          grid: Mapping[str, Sequence[Any]] | None = None, *, samples: int | None = None,
          ranges: Mapping[str, Sequence[float]] | None = None, seed: int = 0,
          store: str | Path | None = None, executor: Any = None, workers: int | None = None,
          progress: ProgressFn | None = None, retry_failed: bool = False) -> pd.DataFrame:
    """Size a camp at every point of a grid and/or a Latin hypercube of its inputs.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The base scenario.
    grid : mapping of str to sequence, optional
        Dotted override keys (as :meth:`Scenario.with_overrides` takes) and their values,
        e.g. ``{"fuel.price_usd_per_l": [0.8, 1.1, 1.6], "fuel.value_per_casualty_usd":
        [0, 2e6, 1e7]}``: the full factorial.
    samples : int, optional
        Points of a Latin hypercube over ``ranges`` (crossed with the grid when both given).
    ranges : mapping of str to (float, float), optional
        Dotted keys and their ``(low, high)``; two integer ends give integer values.
    seed : int
        Seed of the Latin hypercube: the same seed, the same points.
    store : str or Path, optional
        A Parquet file: rows are stored as points finish, and the points already stored are
        not solved again (see the module notes).
    executor : None, str, dask.distributed.Client or concurrent.futures.Executor
        Where the points run (:func:`energyopt.studies.executor.run_tasks`): None is a local
        process pool of ``workers`` processes; a dask ``Client`` or scheduler address runs
        them on a cluster. The numbers do not depend on it.
    workers : int, optional
        Local processes (default ``min(2, os.cpu_count())``; 1 runs in this process).
    progress : callable, optional
        ``progress(done, total, eta_s)`` after each point (and once before the first solve):
        points done, stored ones included; total points; estimated seconds left, or None
        before the first point of this run has finished.
    retry_failed : bool
        Also re-solve the stored points whose status is not ``converged`` or ``not
        converged`` (a worker that died, a solver failure).

    Returns
    -------
    pandas.DataFrame
        One row per point, in point order: ``point``; the inputs (one column per key, named
        as given); ``system_type`` (:func:`energyopt.studies.plots.system_type`); the sizes
        (``pv_kwp``, ``battery_kwh``, ``battery_kw``, ``fuel_tank_l``,
        ``diesel_<unit>_count`` ...); the KPIs of ``result.kpis`` (``npc_usd``,
        ``fuel_l_per_year``, ``convoys_per_year``, ``expected_casualties_per_year``,
        ``renewable_fraction`` ...); ``baseline_npc_usd`` and the other ``baseline_<kpi>``,
        ``saving_usd`` [USD]; ``gap_pct`` [%], ``converged``, ``baseline_converged``;
        ``run_s`` (the point's wall time [s]); ``status`` (one of :data:`STATUSES`);
        ``error`` (why a failed point failed); ``warnings``; ``scenario``; ``point_key``.
        ``attrs`` holds ``inputs`` (the input columns), ``grid`` (each grid key's values),
        ``ranges``, ``base`` (the base scenario's value of each input, None when it has none),
        ``solved`` and ``reused`` (points solved in this run and taken from the store) and
        ``interrupted`` (Ctrl-C stopped the sweep: only the finished points are returned).

    Raises
    ------
    ScenarioError
        Before any solve, for a malformed design, an unknown key or a bad value (naming the
        key), or a store that is not a sweep store.
    """
    scenario = load_scenario(scenario)
    points = design_points(grid, samples=samples, ranges=ranges, seed=seed)
    scenarios = _validate(scenario, grid, ranges, points)
    inputs = list(dict.fromkeys([*(grid or {}), *((ranges or {}) if samples else {})]))
    digest = scenario_digest(scenario)
    keys = [point_key(digest, p) for p in points]
    path = None if store is None else Path(store)
    stored_rows = [] if path is None else _read_store(path)
    by_key = {str(r.get("point_key")): r for r in stored_rows}
    done: dict[int, dict[str, Any]] = {}
    todo: list[int] = []
    for i, key in enumerate(keys):
        rec = by_key.get(key)
        if rec is not None and (not retry_failed
                                or rec.get("status") in ("converged", "not converged")):
            # columns the stored row does not have (another sweep's inputs) stay out
            kept = {k: v for k, v in rec.items()
                    if v is not None and not (isinstance(v, float) and math.isnan(v))}
            done[i] = {**kept, "point": i, **points[i]}
        else:
            todo.append(i)
    reused = len(done)
    total = len(points)
    start = time.perf_counter()
    if progress is not None:
        progress(len(done), total, None if todo else 0.0)

    def finished(j: int, res: TaskResult) -> None:
        i = todo[j]
        row = _row(i, points[i], keys[i], scenario.name, res)
        done[i] = row
        if path is not None and not res.lost:  # a lost point is solved again next time
            by_key[keys[i]] = row
            _write_store(path, list(by_key.values()))
        if progress is not None:
            solved = len(done) - reused
            eta = (time.perf_counter() - start) / solved * (len(todo) - solved)
            progress(len(done), total, eta)

    interrupted = False
    try:
        run_tasks(solve_point, [scenarios[i] for i in todo], executor=executor,
                  workers=workers, on_result=finished)
    except KeyboardInterrupt:
        interrupted = True
    frame = _frame([done[i] for i in sorted(done)], inputs)
    frame.attrs.update({
        "inputs": inputs,
        "grid": {k: [_plain(v) for v in vs] for k, vs in (grid or {}).items()},
        "ranges": {k: [_plain(b) for b in bs] for k, bs in (ranges or {}).items()}
        if samples else {},
        "base": {k: _base_value(scenario, k) for k in inputs},
        "solved": len(done) - reused,
        "reused": reused,
        "interrupted": interrupted,
    })
    return frame


def _base_value(scenario: Scenario, key: str) -> Any:
    """Return the scenario's own value at a dotted key (None when there is none)."""
    node: Any = scenario.model_dump(mode="python")
    for part in key.split("."):
        if isinstance(node, list):
            if part.isdigit() and int(part) < len(node):
                node = node[int(part)]
                continue
            named = [n for n in node if isinstance(n, dict) and n.get("name") == part]
            node = named[0] if named else None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
        if node is None:
            return None
    return node if _is_number(node) or isinstance(node, str | bool) else None


# --------------------------------------------------------------------------------------------
# SWEEP.yaml
# --------------------------------------------------------------------------------------------
#: Sections of a sweep file.
SWEEP_FILE_KEYS = ("grid", "sample", "horizon")
_SAMPLE_KEYS = ("n", "seed", "ranges")


def load_sweep_file(path: str | Path) -> dict[str, Any]:
    """Read a sweep file (``SWEEP.yaml``) into the arguments of :func:`sweep`.

    The file holds ``grid`` (dotted keys and their lists of values), and/or ``sample``
    (``n`` points, ``seed``, ``ranges`` of dotted keys to ``[low, high]``), and optionally
    ``horizon`` (fields of the scenario's ``horizon`` section applied to every point, e.g.
    ``{days: 14}`` to sweep a shorter modelled period)::

        horizon: {days: 14}
        grid:
          fuel.price_usd_per_l: [0.8, 1.1, 1.6]
          fuel.value_per_casualty_usd: [0, 2000000, 10000000]
        sample: {n: 20, seed: 0, ranges: {solar.capex_usd_per_kwp: [800, 1400]}}

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    dict
        ``grid`` (dict or None), ``samples`` (int or None), ``ranges`` (dict or None),
        ``seed`` (int) and ``overrides`` (the base overrides, ``horizon.<field>``).

    Raises
    ------
    ScenarioError
        For an unreadable file, bad YAML, an unknown section or a malformed one (the values
        themselves are checked against the scenario by :func:`sweep`).
    """
    import difflib

    from energyopt.safeyaml import load_text, read_scenario_text

    source = str(path)
    try:
        text = read_scenario_text(Path(path).expanduser().read_bytes(), source)
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise ScenarioError.single("sweep file", source, f"cannot read it ({why}); check the "
                                   "path") from None
    raw = load_text(text, source, where="sweep")
    if not isinstance(raw, dict):
        raise ScenarioError.single("sweep", type(raw).__name__, "the sweep file must hold a "
                                   "mapping with grid: and/or sample: (see examples/sweeps/)",
                                   source)
    problems: list[Problem] = []
    for key in raw:
        if key not in SWEEP_FILE_KEYS:
            close = difflib.get_close_matches(str(key), SWEEP_FILE_KEYS, 1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(Problem(str(key), raw[key], f"unknown section; {hint}a sweep file "
                                    f"has {', '.join(SWEEP_FILE_KEYS)}"))
    grid = raw.get("grid")
    if grid is not None and not isinstance(grid, dict):
        problems.append(Problem("grid", grid, "give a mapping of dotted keys to lists of "
                                "values, e.g. {fuel.price_usd_per_l: [0.8, 1.1, 1.6]}"))
    sample = raw.get("sample")
    samples = ranges = None
    seed = 0
    if sample is not None:
        if not isinstance(sample, dict):
            problems.append(Problem("sample", sample, "give a mapping: {n: 20, seed: 0, "
                                    "ranges: {key: [low, high]}}"))
        else:
            for key in sample:
                if key not in _SAMPLE_KEYS:
                    problems.append(Problem(f"sample.{key}", sample[key], "unknown key; "
                                            f"sample: has {', '.join(_SAMPLE_KEYS)}"))
            samples, ranges = sample.get("n"), sample.get("ranges")
            seed = sample.get("seed", 0)
            if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
                problems.append(Problem("sample.seed", seed, "give a whole number, 0 or more"))
            if ranges is None or not isinstance(ranges, dict):
                problems.append(Problem("sample.ranges", ranges, "give a mapping of dotted "
                                        "keys to [low, high]"))
                ranges = None
    horizon = raw.get("horizon")
    overrides: dict[str, Any] = {}
    if horizon is not None:
        if not isinstance(horizon, dict):
            problems.append(Problem("horizon", horizon, "give a mapping of horizon fields, "
                                    "e.g. {days: 14}"))
        else:
            overrides = {f"horizon.{k}": v for k, v in horizon.items()}
    if problems:
        raise ScenarioError(problems, source)
    problems = _check_design(grid, samples, ranges)
    if problems:
        renamed = [Problem(p.field.replace("ranges", "sample.ranges", 1).replace(
            "samples", "sample.n", 1), p.value, p.message) for p in problems]
        raise ScenarioError(renamed, source)
    return {"grid": grid, "samples": samples, "ranges": ranges, "seed": seed,
            "overrides": overrides}
