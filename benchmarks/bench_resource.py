"""Benchmark the solar resource: one site-year of weather and PV output per bundled site.

Each site is timed with a fresh seed (so no cache helps) beside a reference measured in the
same run: pvlib's Ineichen clear sky for the same hourly year at the same site, the cheapest
pvlib call the embedded year builds on. Prints the annual GHI and yield per kWp of each site.

Usage::

    python benchmarks/bench_resource.py
"""

from __future__ import annotations

import time
import warnings

import pandas as pd
import pvlib

import energyopt as eo
from energyopt import data, resource
from energyopt.inputs import time_index


def main() -> int:
    warnings.simplefilter("ignore")  # e.g. pvlib deprecations; not what is measured here
    print(f"{'site':10s} {'GHI kWh/m2':>10s} {'kWh/kWp':>8s} {'site-year s':>11s} "
          f"{'clear sky s':>11s} {'ratio':>6s}")
    ratios = []
    for i, key in enumerate(data.site_keys()):
        scenario = eo.load_scenario({
            "site": key, "load": {"constant_kw": 100.0}, "solar": {"seed": 1000 + i},
            "diesel": {"units": [{"name": "g", "rated_kw": 200, "existing": 1,
                                  "max_count": 1}]}})
        index = time_index(scenario)
        t0 = time.perf_counter()
        weather, pv = resource.solar_inputs(scenario, index)
        took = time.perf_counter() - t0
        rec = data.site(key)
        loc = pvlib.location.Location(rec.latitude, rec.longitude, tz=rec.timezone,
                                      altitude=rec.elevation_m)
        t1 = time.perf_counter()
        loc.get_clearsky(index + pd.Timedelta(minutes=30), model="ineichen")
        ref = time.perf_counter() - t1
        ratios.append(took / ref)
        print(f"{key:10s} {weather['ghi'].sum() / 1000:10.0f} {pv.sum():8.0f} {took:11.3f} "
              f"{ref:11.3f} {took / ref:6.1f}")
    print(f"median ratio site-year / clear sky: {sorted(ratios)[len(ratios) // 2]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
