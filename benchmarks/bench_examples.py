"""Benchmark the search on every example camp, beside its LP relaxation measured in the same run.

For each ``examples/*.yaml`` (as the file says, design and diesel-only baseline, within its
``solver.time_limit_s``) it prints:

* the time to the first feasible design and to a proven gap of at most 1% (from the start of
  ``eo.optimize``, inputs included);
* the final gap and objective of the design, whether it converged to ``solver.mip_rel_gap``,
  and the wall time against the time limit;
* the reference: the LP relaxation of the same full-year model (build, hand-off and simplex),
  solved in the same process just before, and the ratio of the run to it.

Usage::

    python benchmarks/bench_examples.py                    # every example camp
    python benchmarks/bench_examples.py gao kidal          # some of them
    python benchmarks/bench_examples.py --days 14          # shorter horizons (a quick check)

Run it on an idle machine, then again with a second CPU-bound process
(``python -c "while True: pass" &``) to see the run under load.
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import energyopt as eo
from energyopt.engine import Problem, Progress, Variant
from energyopt.model import model_params
from energyopt.optimize import settings_of

ROOT = Path(__file__).resolve().parents[1]


def _reference_lp(scenario: eo.Scenario) -> float:
    """Wall time of the LP relaxation of the scenario's full model (build included) [s]."""
    t0 = time.perf_counter()
    inputs = eo.build_inputs(scenario)
    problem = Problem(model_params(scenario, inputs), "reference", settings_of(scenario))
    session = problem.session()
    problem.apply(session, Variant(relax=True))
    session.run(3600.0)
    return time.perf_counter() - t0


def _run(path: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    scenario = eo.load_scenario(path)
    if overrides:
        scenario = scenario.with_overrides(overrides)
    lp_s = _reference_lp(scenario)
    first: list[float] = []
    within: list[float] = []
    start = time.perf_counter()

    def progress(event: Progress) -> None:
        if event.run != "design":
            return
        now = time.perf_counter() - start
        if not first and math.isfinite(event.objective):
            first.append(now)
        if not within and event.gap <= 0.01:
            within.append(now)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = eo.optimize(scenario, progress=progress)
    wall = time.perf_counter() - start
    info = result.solve_info
    base = result.baseline.solve_info if result.baseline is not None else None
    return {"camp": path.stem, "limit_s": scenario.solver.time_limit_s, "lp_s": lp_s,
            "first_s": first[0] if first else math.nan,
            "one_pct_s": within[0] if within else math.nan, "wall_s": wall,
            "gap": info.mip_gap, "objective": info.objective, "converged": info.converged,
            "baseline_gap": base.mip_gap if base else math.nan}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("camps", nargs="*", help="example names (default: all)")
    parser.add_argument("--days", type=int, default=None, help="override horizon.days")
    args = parser.parse_args(argv)
    overrides: dict[str, Any] = {}
    if args.days is not None:
        overrides["horizon.days"] = args.days
    paths = sorted((ROOT / "examples").glob("*.yaml"))
    if args.camps:
        paths = [p for p in paths if p.stem in args.camps]
    print(f"energyopt {eo.__version__} example benchmark; python {platform.python_version()} "
          f"on {platform.machine()}" + (f"; horizon.days={args.days}" if args.days else ""))
    head = (f"{'camp':<32} {'limit s':>8} {'LP s':>6} {'first s':>8} {'1% s':>6} "
            f"{'wall s':>7} {'wall/LP':>8} {'gap %':>6} {'objective USD':>15} {'conv':>5} "
            f"{'base gap %':>10}")
    print(head)
    print("-" * len(head))
    total = 0.0
    rows = []
    for path in paths:
        row = _run(path, overrides)
        rows.append(row)
        total += row["wall_s"]
        print(f"{row['camp']:<32} {row['limit_s']:>8.0f} {row['lp_s']:>6.1f} "
              f"{row['first_s']:>8.1f} {row['one_pct_s']:>6.1f} {row['wall_s']:>7.1f} "
              f"{row['wall_s'] / row['lp_s']:>8.1f} {100 * row['gap']:>6.2f} "
              f"{row['objective']:>15,.0f} {'yes' if row['converged'] else 'NO':>5} "
              f"{100 * row['baseline_gap']:>10.2f}", flush=True)
    over = [r["camp"] for r in rows if r["wall_s"] > 1.1 * r["limit_s"]]
    print("-" * len(head))
    print(f"total wall {total:.0f} s; converged {sum(r['converged'] for r in rows)} of "
          f"{len(rows)}; over their limit + 10%: {', '.join(over) or 'none'}")
    print("first s / 1% s: time to the first design / to a proven gap of at most 1%, from the "
          "start of eo.optimize (baseline first). LP s: the LP relaxation of the design's "
          "full model alone (build, hand-off, simplex), measured in this run.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
