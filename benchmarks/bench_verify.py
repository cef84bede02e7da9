"""Benchmark operating the Gao design: one simulated year, and ``verify`` over 20 years.

Targets (issue 13): one simulated year of Gao in at most 1 s; 20 weather years with failures
(and the blockade survival curve) in at most 30 s on 2 cores. Each time is printed beside a
reference measured in the same run, ``build_inputs`` of a Gao weather year (weather, PV and
load; a fresh seed each time, so no cache helps), so the ratios carry over between machines.

The design is the one ``energyopt run examples/gao.yaml`` reports (2,820 kWp, 6,121 kWh /
891 kW, four 400 kW sets, the 150,000 L tank); ``--optimize`` solves for it first (about
2.5 min).

Usage::

    python benchmarks/bench_verify.py [--optimize] [--years 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import energyopt as eo
from energyopt.simulate import draw_outages, simulate

#: Sizes of the Gao design (``energyopt run examples/gao.yaml``).
GAO_SIZES = {"pv_kwp": 2819.7, "battery_kwh": 6120.8, "battery_kw": 891.2,
             "diesel_g400_count": 4.0, "fuel_tank_l": 150_000.0}

#: Time limits [s] of the issue.
ONE_YEAR_LIMIT_S = 1.0
VERIFY_LIMIT_S = 30.0


def _best_of(n: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--optimize", action="store_true", help="solve for the design first")
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    scenario = eo.load_scenario("examples/gao.yaml")
    design: Any = GAO_SIZES
    if args.optimize:
        t0 = time.perf_counter()
        design = eo.optimize(scenario, baseline=False)
        print(f"optimize: {time.perf_counter() - t0:.1f} s")

    # a fresh weather seed per call, so no cache of the resource code helps the reference
    seeds = iter(range(12345, 12400))

    def fresh_inputs() -> eo.Inputs:
        return eo.build_inputs(scenario.with_overrides({"solar.seed": next(seeds)}))

    ref, inputs = _best_of(3, fresh_inputs)
    one, sim = _best_of(3, lambda: simulate(design, scenario, inputs=inputs))
    with_inputs, _ = _best_of(3, lambda: simulate(design, scenario, inputs=fresh_inputs()))
    one_failures, _ = _best_of(3, lambda: simulate(
        design, scenario, inputs=inputs, controller="forecast",
        outages=draw_outages(scenario, design, inputs, np.random.default_rng(1))))
    t0 = time.perf_counter()
    v = eo.verify(design, scenario, years=args.years, failures=True, workers=args.workers)
    many = time.perf_counter() - t0
    t0 = time.perf_counter()
    eo.verify(design, scenario, years=args.years, failures=True, workers=1)
    one_worker = time.perf_counter() - t0
    t0 = time.perf_counter()
    eo.verify(design, scenario, years=args.years, failures=True, workers=1,
              blockade_days=())
    no_blockade = time.perf_counter() - t0

    rows = [
        ("reference: build_inputs, one Gao year", ref, None),
        ("simulate one year (load following)", one, ONE_YEAR_LIMIT_S),
        ("simulate one year + its build_inputs", with_inputs, ONE_YEAR_LIMIT_S),
        ("simulate one year, forecast + failures", one_failures, ONE_YEAR_LIMIT_S),
        (f"verify {args.years} years, failures, {args.workers} workers", many, VERIFY_LIMIT_S),
        (f"verify {args.years} years, failures, 1 worker", one_worker, None),
        (f"verify {args.years} years, failures, 1 worker, no blockades", no_blockade, None),
    ]
    print(f"cpu count: {os.cpu_count()}; fuel {sim.kpis['fuel_l_per_year']:,.0f} L/yr in the "
          f"simulated year")
    print(f"{'':48s} {'s':>8s} {'x ref':>7s} {'limit s':>8s}")
    ok = True
    for label, took, limit in rows:
        passed = limit is None or took <= limit
        ok &= passed
        print(f"{label:48s} {took:8.3f} {took / ref:7.1f} "
              f"{'' if limit is None else f'{limit:8.1f}'}{'' if passed else '  OVER'}")
    print(f"blockade survival from {v.blockade_starts:,} (year, start day) pairs; "
          f"{v.closing_note()}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
