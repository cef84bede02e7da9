"""Benchmark the simulator: one simulated year of Gao per controller.

The inputs are built once (their time is the reference measured in the same run); each
controller then operates the Gao design (2,820 kWp, 6,121 kWh / 915 kW, four 400 kW sets, the
150,000 L tank) over the hourly year, best of three runs, with and without drawn failures. The
issue's target is at most 1 s per simulated year. A second reference is a plain numpy pass over
the year (the net load and its cumulative sum), the floor of any vectorised dispatch.

Usage::

    python benchmarks/bench_simulate.py
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import TypeVar

import numpy as np

import energyopt as eo
from energyopt.simulate import CONTROLLERS, SimulationResult, draw_outages, simulate

GAO_DESIGN = {"pv_kwp": 2820.0, "battery_kwh": 6121.0, "battery_kw": 915.0,
              "diesel_g400_count": 4.0, "fuel_tank_l": 150000.0}
TARGET_S = 1.0
T = TypeVar("T")


def _best(fn: Callable[[], T], repeat: int = 3) -> tuple[float, T]:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> int:
    warnings.simplefilter("ignore")
    scenario = eo.load_scenario("examples/gao.yaml")
    t_inputs, inputs = _best(lambda: eo.build_inputs(scenario), repeat=1)
    load = inputs.load_kw.to_numpy()
    pv = inputs.pv_kw_per_kwp.to_numpy() * GAO_DESIGN["pv_kwp"]
    t_numpy, _ = _best(lambda: np.cumsum(np.maximum(load - pv, 0.0)), repeat=5)
    print(f"build_inputs (reference): {t_inputs:.3f} s; numpy pass over the year: "
          f"{1e3 * t_numpy:.3f} ms; {inputs.n_steps} steps")
    print(f"{'controller':16s} {'failures':>8s} {'seconds':>8s} {'x inputs':>8s} "
          f"{'x numpy':>8s} {'fuel L/yr':>10s} {'stock-out h':>11s}")
    worst = 0.0
    rng = np.random.default_rng(0)
    outages = draw_outages(scenario, GAO_DESIGN, inputs, rng)
    for controller in CONTROLLERS:
        for failures in (False, True):
            def run(c: str = controller, f: bool = failures) -> SimulationResult:
                return simulate(GAO_DESIGN, scenario, inputs=inputs, controller=c,
                                outages=outages if f else None)

            took, res = _best(run)
            worst = max(worst, took)
            k = res.kpis
            print(f"{controller:16s} {str(failures):>8s} {took:8.3f} {took / t_inputs:8.2f} "
                  f"{took / t_numpy:8.0f} {k['fuel_l_per_year']:10,.0f} "
                  f"{k['stockout_hours']:11,.0f}")
    ok = worst <= TARGET_S
    print(f"slowest simulated year {worst:.3f} s: {'within' if ok else 'ABOVE'} the "
          f"{TARGET_S:g} s target")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
