"""Benchmark the core solve on the Gao example, beside a reference measured in the same run.

The reference is the LP relaxation of the same full model (integers made continuous), solved
with the same settings: its objective is a proven lower bound, and its time is what one pass
of the simplex over the whole year costs on this machine. The full solve is ``energyopt``'s
own route (``eo.optimize`` with the scenario's solver strategy, no baseline).

Usage::

    python benchmarks/bench_core.py                     # examples/gao.yaml, a full year
    python benchmarks/bench_core.py --days 28           # shorter horizon
    python benchmarks/bench_core.py --scenario my.yaml --time-limit 60
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import energyopt as eo
from energyopt.model import build_model, model_params
from energyopt.solve import SolverSettings, solve_model

ROOT = Path(__file__).resolve().parents[1]


def peak_memory_mib() -> float:
    """Peak resident memory of this process so far [MiB]."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024  # bytes on macOS, else KiB


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str,
                      lineno: int, file: Any = None, line: str | None = None) -> None:
    print(f"warning: {' '.join(str(message).split())}", file=sys.stderr)


def _fmt(value: float, unit: str = "") -> str:
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "USD":
        return f"{value:,.0f} USD"
    if unit == "%":
        return f"{100 * value:.3f}%"
    return f"{value:,}"


def _print_table(rows: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key.ljust(width)}  {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "examples" / "gao.yaml",
                        help="scenario YAML (default: examples/gao.yaml)")
    parser.add_argument("--days", type=int, default=None,
                        help="model this many days instead of the scenario's horizon.days")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="override solver.time_limit_s [s]")
    args = parser.parse_args(argv)
    warnings.showwarning = _one_line_warning

    overrides: dict[str, Any] = {}
    if args.days is not None:
        overrides["horizon.days"] = args.days
    if args.time_limit is not None:
        overrides["solver.time_limit_s"] = args.time_limit
    scenario = eo.load_scenario(args.scenario)
    if overrides:
        scenario = scenario.with_overrides(overrides)
    sv = scenario.solver
    settings = SolverSettings(time_limit_s=sv.time_limit_s, mip_rel_gap=sv.mip_rel_gap,
                              threads=sv.threads, log=False)

    print(f"energyopt {eo.__version__} core benchmark: {scenario.name} ({args.scenario.name}"
          f"{', ' + str(args.days) + ' days' if args.days is not None else ''})")
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"threads {sv.threads}, time limit {sv.time_limit_s:.0f} s, "
          f"mip_rel_gap {sv.mip_rel_gap:g}, strategy {sv.strategy}")

    t0 = time.perf_counter()
    inputs = eo.build_inputs(scenario)
    input_s = time.perf_counter() - t0

    # Reference: the LP relaxation of the same model.
    t0 = time.perf_counter()
    params = model_params(scenario, inputs)
    model = build_model(params)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    lp = solve_model(model, settings, relax_integers=True)
    lp_wall = time.perf_counter() - t0

    # Full solve: energyopt's own route (scenario strategy), design only.
    t0 = time.perf_counter()
    result = eo.optimize(scenario, baseline=False, inputs=inputs)
    full_wall = time.perf_counter() - t0
    info = result.solve_info

    relax_gap = (info.objective - lp.objective) / abs(info.objective) if info.objective else 0.0
    print()
    print(f"steps {inputs.n_steps:,}; annual load {inputs.annual_load_kwh:,.0f} kWh")
    print()
    print("Full solve (eo.optimize, no baseline)")
    _print_table([
        ("input build", _fmt(input_s, "s")),
        ("model build", _fmt(build_s, "s") + " (the reference's; the search compiles its own)"),
        ("hand-off", _fmt(info.handoff_s, "s")),
        ("solve", _fmt(info.runtime_s, "s")),
        ("wall (optimize)", _fmt(full_wall, "s")),
        ("method", f"{info.method} ({info.status}, {info.termination})"),
        ("MIP gap", _fmt(info.mip_gap, "%") + f" (asked {100 * sv.mip_rel_gap:g}%)"),
        ("objective", _fmt(info.objective, "USD")),
        ("bound", _fmt(info.bound, "USD")),
        ("rows / cols / integers", f"{info.n_rows:,} / {info.n_cols:,} / {info.n_integers:,}"),
        ("solver", info.solver),
    ])
    if info.notes:
        print(f"  notes: {info.notes}")
    print()
    print("Reference: LP relaxation of the same model (same settings)")
    _print_table([
        ("hand-off", _fmt(lp.handoff_s, "s")),
        ("solve", _fmt(lp.runtime_s, "s")),
        ("wall", _fmt(lp_wall, "s")),
        ("objective (bound)", _fmt(lp.objective, "USD")),
        ("rows / cols", f"{lp.n_rows:,} / {lp.n_cols:,}"),
    ])
    print()
    print("Comparison")
    solve_ratio = info.runtime_s / lp.runtime_s if lp.runtime_s > 0 else float("inf")
    wall_ratio = full_wall / lp_wall if lp_wall > 0 else float("inf")
    _print_table([
        ("full solve / LP relaxation", f"= {solve_ratio:.1f}x (solver time)"),
        ("full wall / LP wall", f"= {wall_ratio:.1f}x (hand-off + solve + extraction)"),
        ("design above LP bound", _fmt(relax_gap, "%")),
        ("peak memory", f"{peak_memory_mib():,.0f} MiB (ru_maxrss)"),
    ])
    return 0


if __name__ == "__main__":
    sys.exit(main())
