"""Benchmark a sweep on dask: one worker against a two-worker LocalCluster, same results.

Issue 16's acceptance: the 3 x 3 sweep of ``examples/gao.yaml`` (fuel price 0.8 / 1.1 / 1.6
USD/L by value per casualty 0 / 2 / 10 million USD, ``examples/sweeps/gao_fuel_casualty.yaml``,
whose horizon it takes: 14 days from 1 May) runs on a one-worker ``LocalCluster`` and then on
a two-worker one, in the same run. Printed: the points a minute of each, their ratio (target
at least 1.6 on two cores) and whether the two tables are identical (sizes and NPC equal to
1e-9 relative; every point must have converged to its gap, since a search stopped by its
time limit depends on the machine's speed). Each cluster is started and warmed up (energyopt
imported in its workers) before its clock starts, so the figures are the sweep's own. The
load average is printed before and after: the machine may be shared.

Usage::

    python benchmarks/bench_sweep.py [--days 14] [--time-limit 60]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

import energyopt as eo
from energyopt.studies.sweep import load_sweep_file

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.6
COMPARED = ("pv_kwp", "battery_kwh", "battery_kw", "diesel_g400_count", "fuel_tank_l",
            "npc_usd", "baseline_npc_usd", "saving_usd", "convoys_per_year")


def _warm() -> str:
    import energyopt

    return energyopt.__version__


def _burn(n: int) -> float:
    t0 = time.perf_counter()
    x = 0
    for i in range(n):
        x += i * i
    return time.perf_counter() - t0


def _reference_ratio(n: int = 20_000_000) -> float:
    """Throughput of two CPU-bound processes over one, measured now: the cores free to us."""
    import multiprocessing

    one = _burn(n)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_burn, [1000, 1000])  # start the processes before the clock
        t0 = time.perf_counter()
        pool.map(_burn, [n, n])
        two = time.perf_counter() - t0
    return 2.0 * one / two


def _run(scenario: eo.Scenario, grid: dict[str, list[float]],
         workers: int) -> tuple[pd.DataFrame, float]:
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.run(_warm)
        t0 = time.perf_counter()
        table = eo.sweep(scenario, grid, executor=client)
        return table, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=14, help="modelled days of each point")
    parser.add_argument("--time-limit", type=float, default=60.0,
                        help="solver.time_limit_s of each point [s]")
    args = parser.parse_args(argv)

    spec = load_sweep_file(ROOT / "examples" / "sweeps" / "gao_fuel_casualty.yaml")
    scenario = eo.load_scenario(ROOT / "examples" / "gao.yaml").with_overrides(
        {**spec["overrides"], "horizon.days": args.days, "solver.time_limit_s": args.time_limit})
    grid = spec["grid"]
    n = int(np.prod([len(v) for v in grid.values()]))
    print(f"sweep of {scenario.name}: {n} points ({' x '.join(grid)}), {args.days}-day "
          f"horizons from {scenario.horizon.start}, each point within {args.time_limit:.0f} s, "
          "on dask LocalClusters")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs)")
    reference = _reference_ratio()
    print(f"reference: two CPU-bound Python processes run {reference:.2f}x the throughput of "
          "one, measured now (2.0 on two free cores)")
    rates = {}
    tables = {}
    for workers in (1, 2):
        table, wall = _run(scenario, grid, workers)
        tables[workers], rates[workers] = table, 60.0 * n / wall
        statuses = table["status"].value_counts().to_dict()
        print(f"  {workers} worker(s): {wall:6.1f} s, {rates[workers]:5.2f} points/min, "
              f"point times {table['run_s'].min():.1f}-{table['run_s'].max():.1f} s, "
              f"statuses {statuses}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ratio = rates[2] / rates[1]
    print(f"throughput ratio, 2 workers / 1: {ratio:.2f} (target >= {TARGET_RATIO}; the "
          f"reference of the machine now: {reference:.2f})")
    one, two = tables[1], tables[2]
    cols = [c for c in COMPARED if c in one.columns]
    a, b = one[cols].to_numpy(dtype=float), two[cols].to_numpy(dtype=float)
    scale = np.maximum(np.abs(a), 1.0)
    worst = float(np.nanmax(np.abs(a - b) / scale)) if a.size else 0.0
    identical = worst <= 1e-9 and bool((one["status"] == two["status"]).all())
    converged = bool(one["status"].eq("converged").all() and two["status"].eq("converged").all())
    print(f"results identical (sizes, NPC, savings, convoys; rel. 1e-9): {identical} "
          f"(largest relative difference {worst:.1e}); every point converged: {converged}")
    with pd.option_context("display.width", 140, "display.max_columns", 12):
        print(one[["fuel.price_usd_per_l", "fuel.value_per_casualty_usd", "system_type",
                   "pv_kwp", "battery_kwh", "npc_usd", "saving_usd", "gap_pct",
                   "run_s"]].to_string(index=False))
    return 0 if identical and converged else 1


if __name__ == "__main__":
    raise SystemExit(main())
