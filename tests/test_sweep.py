"""Tests of sweeps (energyopt.studies): the executor, the design, the store, the charts, the CLI.

Expectations are independent of the code under test: counts of a full factorial, the strata
of a Latin hypercube, a counter of solves, hand-made tables whose swings are known, the
monotonic response of PV to the fuel price, and a direct ``eo.optimize`` of the same point.
"""

from __future__ import annotations

import math
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
import worker_tasks  # tests/helpers, put on the path by conftest.py
import yaml
from typer.testing import CliRunner

import energyopt as eo
from energyopt.cli import app
from energyopt.errors import InfeasibleScenarioError
from energyopt.studies import executor as ex
from energyopt.studies import sweep as sw
from energyopt.studies.plots import (
    ost_map_figure,
    system_type,
    tornado_data,
    tornado_figure,
)


def micro(days: int = 3) -> dict[str, Any]:
    """A camp whose design converges in about a second: 200 kW flat, one 250 kW set.

    Two-hour steps in March at Gao; PV up to 2 MWp, the battery capped at 400 kWh so that the
    nights still burn fuel and PV grows with the fuel price.
    """
    return {
        "name": "micro camp",
        "site": "gao",
        "horizon": {"days": days, "start": "2025-03-01", "step_minutes": 120},
        "load": {"constant_kw": 200},
        "solar": {"max_kwp": 2000},
        "battery": {"max_kwh": 400},
        "solver": {"mip_rel_gap": 0.001, "time_limit_s": 30},
        "diesel": {"units": [{"name": "g250", "rated_kw": 250, "existing": 1,
                              "max_count": 2}]},
    }


# --------------------------------------------------------------------------------------------
# The executor
# --------------------------------------------------------------------------------------------
# worker processes import their task functions by module name: tests/helpers (conftest.py)
_square_or_fail = worker_tasks.square_or_fail
_die_at_two = worker_tasks.die_at_two


class _LosesTaskOne(ThreadPoolExecutor):
    """An executor whose future of task 1 fails outside the task (a worker lost)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if args[1] == 1:
            future: Future[Any] = Future()
            future.set_exception(RuntimeError("worker 1 lost (test)"))
            return future
        return super().submit(fn, *args, **kwargs)


def test_a_dead_worker_gives_lost_records_not_a_crash() -> None:
    results = ex.run_tasks(_die_at_two, [0, 1, 2, 3], workers=2)
    assert [r.index for r in results] == [0, 1, 2, 3]
    assert results[2].lost
    assert not results[2].ok
    for r in results:
        assert r.ok or r.lost
        assert not r.ok or r.value == r.index


def _threads(task: tuple[Any, Any]) -> int:
    return int(task[0].solver.threads)


@pytest.mark.parametrize("workers", [1, 2])
def test_run_tasks_keeps_order_reports_each_and_turns_errors_into_records(workers: int) -> None:
    seen: list[int] = []
    results = ex.run_tasks(_square_or_fail, list(range(6)), workers=workers,
                           on_result=lambda i, r: seen.append(i))
    assert sorted(seen) == list(range(6))
    assert [r.index for r in results] == list(range(6))
    assert [r.value for r in results if r.ok] == [0, 1, 4, 16, 25]
    bad = results[3]
    assert not bad.ok
    assert bad.value is None
    assert bad.error_type == "ValueError"
    assert bad.error is not None
    assert "three is not allowed" in bad.error
    assert bad.traceback is not None
    assert "square_or_fail" in bad.traceback


def test_run_tasks_on_a_given_executor_and_single_core_scenarios() -> None:
    scenario = eo.load_scenario(micro())
    assert scenario.solver.threads == 2
    with ThreadPoolExecutor(2) as pool:
        results = ex.run_tasks(_threads, [(scenario, 1), (scenario, 2)], executor=pool)
    assert [r.value for r in results] == [1, 1]
    assert scenario.solver.threads == 2  # the caller's scenario is unchanged
    with pytest.raises(TypeError, match="executor"):
        ex.run_tasks(_threads, [(scenario, 1)], executor=42)


def test_an_unreachable_scheduler_is_a_scenario_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ex, "CONNECT_TIMEOUT_S", 0.5)
    with pytest.raises(eo.ScenarioError, match="cannot reach a dask scheduler") as info:
        ex.run_tasks(_square_or_fail, [1], executor="tcp://127.0.0.1:1")
    assert info.value.problems[0].field == "scheduler"


# --------------------------------------------------------------------------------------------
# The design
# --------------------------------------------------------------------------------------------
def test_grid_is_the_full_factorial_in_order() -> None:
    points = sw.design_points({"a.x": [1, 2, 3], "b.y": ["p", "q"]})
    assert len(points) == 6
    assert points[0] == {"a.x": 1, "b.y": "p"}
    assert points[1] == {"a.x": 1, "b.y": "q"}  # last key fastest
    assert {(p["a.x"], p["b.y"]) for p in points} == {(a, b) for a in (1, 2, 3) for b in "pq"}


def test_latin_hypercube_points_lie_in_their_ranges_one_per_stratum() -> None:
    n = 12
    ranges = {"fuel.price_usd_per_l": (0.8, 1.6), "solar.capex_usd_per_kwp": (800.0, 1400.0)}
    points = sw.design_points(samples=n, ranges=ranges, seed=7)
    assert len(points) == n
    for key, (lo, hi) in ranges.items():
        values = np.array([p[key] for p in points])
        assert ((values >= lo) & (values <= hi)).all()
        strata = np.floor((values - lo) / (hi - lo) * n).astype(int)
        assert sorted(strata) == list(range(n))  # every stratum exactly once
    assert sw.design_points(samples=n, ranges=ranges, seed=7) == points
    assert sw.design_points(samples=n, ranges=ranges, seed=8) != points
    ints = sw.design_points(samples=5, ranges={"diesel.units.0.existing": (1, 5)}, seed=0)
    values = [p["diesel.units.0.existing"] for p in ints]
    assert all(isinstance(v, int) for v in values)
    assert sorted(values) == [1, 2, 3, 4, 5]  # 5 strata over 5 whole values


def test_grid_crossed_with_samples() -> None:
    points = sw.design_points({"a.x": [1, 2]}, samples=3, ranges={"b.y": (0.0, 1.0)})
    assert len(points) == 6
    assert [p["a.x"] for p in points] == [1, 1, 1, 2, 2, 2]


@pytest.mark.parametrize(("grid", "field", "words"), [
    ({"fuel.price_usd_per_litre": [1.0]}, "fuel.price_usd_per_litre", "price_usd_per_l"),
    ({"fuel.price_usd_per_l": [1.0, -0.5]}, "fuel.price_usd_per_l", "-0.5"),
    ({"fuel.price_usd_per_l": []}, "grid.fuel.price_usd_per_l", "empty"),
    ({"fuel.price_usd_per_l": 1.0}, "grid.fuel.price_usd_per_l", "list"),
])
def test_bad_key_or_value_is_a_scenario_error_before_any_solve(
        monkeypatch: pytest.MonkeyPatch, grid: dict[str, Any], field: str, words: str) -> None:
    calls: list[Any] = []
    monkeypatch.setattr(sw, "optimize", lambda s: calls.append(s))
    with pytest.raises(eo.ScenarioError) as info:
        sw.sweep(micro(), grid, workers=1)
    assert any(p.field == field for p in info.value.problems), info.value
    assert words in str(info.value)
    assert calls == []


def test_bad_ranges_and_samples_are_scenario_errors() -> None:
    with pytest.raises(eo.ScenarioError, match="low must be below high"):
        sw.design_points(samples=4, ranges={"fuel.price_usd_per_l": (1.6, 0.8)})
    with pytest.raises(eo.ScenarioError, match="needs both"):
        sw.design_points(samples=4)
    with pytest.raises(eo.ScenarioError, match="nothing to sweep"):
        sw.design_points()
    with pytest.raises(eo.ScenarioError, match="fuel.price_usd_per_l"):
        sw.sweep(micro(), samples=3, ranges={"fuel.price_usd_per_l": (-1.0, 1.0)}, workers=1)


# --------------------------------------------------------------------------------------------
# The store: resume, failures (a counting stand-in for the solve)
# --------------------------------------------------------------------------------------------
class _FakeSolve:
    """Stands in for eo.optimize: counts calls; NPC 1e6 x price; fails above a price."""

    def __init__(self, fail_above: float = math.inf, stop_at_call: int | None = None) -> None:
        self.prices: list[float] = []
        self.fail_above = fail_above
        self.stop_at_call = stop_at_call

    def __call__(self, scenario: eo.Scenario) -> Any:
        price = scenario.fuel.price_usd_per_l
        self.prices.append(price)
        if self.stop_at_call is not None and len(self.prices) == self.stop_at_call:
            raise KeyboardInterrupt
        if price > self.fail_above:
            raise InfeasibleScenarioError(f"no design at {price} USD/L (test)")
        info = SimpleNamespace(mip_gap=0.0, converged=True)
        base = SimpleNamespace(kpis=pd.Series({"npc_usd": 2e6 * price}), solve_info=info)
        return SimpleNamespace(
            sizes=pd.Series({"pv_kwp": 100.0 * price, "battery_kwh": 0.0,
                             "diesel_g250_count": 1.0}),
            kpis=pd.Series({"npc_usd": 1e6 * price, "fuel_l_per_year": 1000.0}),
            baseline=base, solve_info=info, warnings=[], baseline_error=None)


def test_resumed_sweep_recomputes_nothing_already_stored(monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    store = tmp_path / "sweep.parquet"
    fake = _FakeSolve()
    monkeypatch.setattr(sw, "optimize", fake)
    first = sw.sweep(micro(), {"fuel.price_usd_per_l": [0.8, 1.1]}, store=store, workers=1)
    assert sorted(fake.prices) == [0.8, 1.1]
    assert len(pd.read_parquet(store)) == 2
    again = sw.sweep(micro(), {"fuel.price_usd_per_l": [0.8, 1.1]}, store=store, workers=1)
    assert len(fake.prices) == 2  # nothing solved again
    assert again.attrs["reused"] == 2
    assert again.attrs["solved"] == 0
    assert again["npc_usd"].tolist() == first["npc_usd"].tolist()
    wider = sw.sweep(micro(), {"fuel.price_usd_per_l": [0.8, 1.1, 1.6]}, store=store,
                     workers=1)
    assert fake.prices[2:] == [1.6]  # only the new point
    assert wider["npc_usd"].tolist() == pytest.approx([0.8e6, 1.1e6, 1.6e6])
    other = micro()
    other["load"] = {"constant_kw": 210}  # another base scenario: other keys
    sw.sweep(other, {"fuel.price_usd_per_l": [0.8]}, store=store, workers=1)
    assert fake.prices[3:] == [0.8]
    assert len(pd.read_parquet(store)) == 4  # earlier rows kept in the store


def test_reused_rows_carry_only_their_own_inputs(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    store = tmp_path / "s.parquet"
    monkeypatch.setattr(sw, "optimize", _FakeSolve())
    sw.sweep(micro(), {"fuel.price_usd_per_l": [0.8, 1.6]}, store=store, workers=1)
    sw.sweep(micro(), {"fuel.route_km": [100.0, 900.0]}, store=store, workers=1)
    again = sw.sweep(micro(), {"fuel.price_usd_per_l": [0.8, 1.6]}, store=store, workers=1)
    assert again.attrs["reused"] == 2
    assert "fuel.route_km" not in again.columns
    assert again["npc_usd"].tolist() == pytest.approx([0.8e6, 1.6e6])


def test_interrupted_sweep_keeps_finished_points_and_resumes(monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    store = tmp_path / "s.parquet"
    monkeypatch.setattr(sw, "optimize", _FakeSolve(stop_at_call=3))
    grid = {"fuel.price_usd_per_l": [0.6, 0.8, 1.0, 1.2]}
    cut = sw.sweep(micro(), grid, store=store, workers=1)
    assert cut.attrs["interrupted"]
    assert cut["fuel.price_usd_per_l"].tolist() == [0.6, 0.8]
    fake = _FakeSolve()
    monkeypatch.setattr(sw, "optimize", fake)
    done = sw.sweep(micro(), grid, store=store, workers=1)
    assert fake.prices == [1.0, 1.2]
    assert len(done) == 4
    assert not done.attrs["interrupted"]


def test_failed_point_is_a_row_with_its_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sw, "optimize", _FakeSolve(fail_above=1.5))
    table = sw.sweep(micro(), {"fuel.price_usd_per_l": [0.8, 1.6, 1.1]}, workers=1)
    assert len(table) == 3
    failed = table[table["fuel.price_usd_per_l"] == 1.6].iloc[0]
    assert failed["status"] == "infeasible"
    assert "no design at 1.6 USD/L" in failed["error"]
    assert math.isnan(failed["npc_usd"])
    assert failed["system_type"] is pd.NA
    ok = table[table["status"] == "converged"]
    assert ok["fuel.price_usd_per_l"].tolist() == [0.8, 1.1]
    assert ok["saving_usd"].tolist() == pytest.approx([0.8e6, 1.1e6])  # 2e6 p - 1e6 p


def test_a_lost_point_is_a_row_but_not_stored(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    store = tmp_path / "s.parquet"
    monkeypatch.setattr(sw, "optimize", _FakeSolve())
    grid = {"fuel.price_usd_per_l": [0.8, 1.1, 1.6]}
    with _LosesTaskOne(2) as pool:
        table = sw.sweep(micro(), grid, store=store, executor=pool)
    assert table["status"].tolist() == ["converged", "error", "converged"]
    assert "worker 1 lost" in table["error"].iloc[1]
    assert len(pd.read_parquet(store)) == 2
    fake = _FakeSolve()
    monkeypatch.setattr(sw, "optimize", fake)
    again = sw.sweep(micro(), grid, store=store, workers=1)
    assert fake.prices == [1.1]  # only the lost point is solved again
    assert again["status"].eq("converged").all()


def test_a_store_that_is_not_a_sweep_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.parquet"
    pd.DataFrame({"x": [1.0]}).to_parquet(path)
    with pytest.raises(eo.ScenarioError, match="not a sweep store"):
        sw.sweep(micro(), {"fuel.price_usd_per_l": [1.0]}, store=path, workers=1)


def test_point_keys_follow_content_not_name_or_threads() -> None:
    a = eo.load_scenario(micro())
    b = a.with_overrides({"name": "renamed", "solver.threads": 1})
    c = a.with_overrides({"fuel.route_km": 500})
    assert sw.scenario_digest(a) == sw.scenario_digest(b)
    assert sw.scenario_digest(a) != sw.scenario_digest(c)
    digest = sw.scenario_digest(a)
    assert sw.point_key(digest, {"x.y": 2}) == sw.point_key(digest, {"x.y": 2.0})
    assert sw.point_key(digest, {"x.y": 2}) != sw.point_key(digest, {"x.y": 3})


# --------------------------------------------------------------------------------------------
# Real solves of the micro camp
# --------------------------------------------------------------------------------------------
def test_sweep_rows_match_direct_runs_and_pv_grows_with_the_fuel_price() -> None:
    prices = [0.2, 0.5, 1.6, 2.4]
    progress: list[tuple[int, int, float | None]] = []
    table = eo.sweep(micro(), {"fuel.price_usd_per_l": prices}, workers=2,
                     progress=lambda *a: progress.append(a))
    assert len(table) == len(prices)
    for col in ("point", "fuel.price_usd_per_l", "system_type", "pv_kwp", "battery_kwh",
                "diesel_g250_count", "npc_usd", "fuel_l_per_year", "convoys_per_year",
                "expected_casualties_per_year", "renewable_fraction", "baseline_npc_usd",
                "saving_usd", "gap_pct", "converged", "run_s", "status", "error"):
        assert col in table.columns, col
    assert table["status"].eq("converged").all()
    assert table["fuel.price_usd_per_l"].tolist() == prices
    pv = table["pv_kwp"].to_numpy()
    assert (np.diff(pv) >= -1e-6 * pv.max()).all(), pv  # never less PV at a dearer fuel
    assert pv[-1] > pv[0] + 100.0  # and the response is not flat
    assert (table["saving_usd"] > 0).all()
    assert progress[-1][:2] == (4, 4)
    assert progress[0][:2] == (0, 4)
    direct = eo.optimize(eo.load_scenario(micro()).with_overrides(
        {"fuel.price_usd_per_l": 1.6, "solver.threads": 1}))
    row = table.iloc[2]
    assert row["npc_usd"] == pytest.approx(float(direct.kpis["npc_usd"]), rel=1e-9)
    assert row["pv_kwp"] == pytest.approx(float(direct.sizes["pv_kwp"]), rel=1e-9)
    assert row["baseline_npc_usd"] == pytest.approx(
        float(direct.baseline.kpis["npc_usd"]), rel=1e-9)


def test_in_process_and_pool_give_identical_numbers() -> None:
    grid = {"fuel.price_usd_per_l": [0.5, 1.6]}
    one = eo.sweep(micro(), grid, workers=1)
    two = eo.sweep(micro(), grid, workers=2)
    cols = ["pv_kwp", "battery_kwh", "battery_kw", "npc_usd", "baseline_npc_usd"]
    np.testing.assert_array_equal(one[cols].to_numpy(), two[cols].to_numpy())


def test_dask_local_cluster_gives_the_local_pool_result() -> None:
    # default run: 10 s on the idle 2-core machine (34 s while other runs took both cores)
    from dask import distributed

    grid = {"fuel.price_usd_per_l": [0.5, 1.6], "fuel.value_per_casualty_usd": [0, 1e7]}
    local = eo.sweep(micro(days=7), grid, workers=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = eo.sweep(micro(days=7), grid, executor=client)
    assert remote["status"].eq("converged").all()
    cols = ["pv_kwp", "battery_kwh", "battery_kw", "diesel_g250_count", "npc_usd",
            "baseline_npc_usd"]
    np.testing.assert_allclose(remote[cols].to_numpy(), local[cols].to_numpy(), rtol=1e-9,
                               atol=0.0)


# --------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------
def _one_at_a_time() -> pd.DataFrame:
    """Hand-made grid: npc = 10 a + 1 b + 100 c, each swept around base (1, 1, 1)."""
    rows = []
    for a in (0.0, 1.0, 2.0):
        for b in (0.0, 1.0, 2.0):
            for c in (0.5, 1.0, 1.5):
                rows.append({"x.a": a, "x.b": b, "x.c": c, "npc_usd": 10 * a + b + 100 * c})
    return pd.DataFrame(rows)


def test_tornado_bars_are_sorted_by_swing() -> None:
    df = _one_at_a_time()
    bars = tornado_data(df, "npc_usd")
    assert list(bars.index) == ["x.c", "x.a", "x.b"]
    assert bars["swing"].tolist() == pytest.approx([100.0, 20.0, 2.0])
    assert bars.loc["x.a", "metric_low"] == pytest.approx(0 + 1 + 100)  # a=0, b=c=1
    assert bars.loc["x.a", "metric_high"] == pytest.approx(20 + 1 + 100)
    assert bars["metric_base"].iloc[0] == pytest.approx(111.0)
    fig = tornado_figure(df, "npc_usd")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["x.b", "x.a", "x.c"]  # bottom to top: the largest swing on top


def test_tornado_of_a_sample_uses_a_linear_fit() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0, 1, 30), rng.uniform(0, 10, 30)
    df = pd.DataFrame({"x.a": a, "x.b": b, "npc_usd": 3.0 * a - 2.0 * b + 5.0})
    bars = tornado_data(df, "npc_usd")
    assert list(bars.index) == ["x.b", "x.a"]
    assert bars.loc["x.b", "swing"] == pytest.approx(2.0 * (b.max() - b.min()))
    assert bars.loc["x.a", "swing"] == pytest.approx(3.0 * (a.max() - a.min()))
    assert (bars["method"] == "linear fit").all()


@pytest.mark.parametrize(("row", "kind"), [
    ({"pv_kwp": 0.0, "battery_kwh": 0.0, "diesel_g400_count": 4.0}, "diesel"),
    ({"pv_kwp": 850.0, "battery_kwh": 0.2, "diesel_g400_count": 4.0,
      "diesel_g400_new_count": 0.0}, "PV+diesel"),
    ({"pv_kwp": 850.0, "battery_kwh": 1200.0, "diesel_a_count": 0.0,
      "diesel_b_count": 2.0}, "PV+battery+diesel"),
    ({"pv_kwp": 850.0, "battery_kwh": 1200.0, "diesel_g400_count": 0.0}, "PV+battery"),
    ({"pv_kwp": float("nan"), "battery_kwh": float("nan")}, "no design"),
    ({"pv_kwp": 0.0, "battery_kwh": 0.0}, "none"),
])
def test_system_type_of_hand_made_rows(row: dict[str, float], kind: str) -> None:
    assert system_type(row) == kind
    assert system_type(pd.Series(row)) == kind


def test_ost_map_has_one_cell_per_point_coloured_by_type() -> None:
    df = pd.DataFrame([
        {"f.price": 0.8, "f.value": 0.0, "pv_kwp": 0.0, "battery_kwh": 0.0, "diesel_g_count": 2},
        {"f.price": 0.8, "f.value": 1e7, "pv_kwp": 400.0, "battery_kwh": 0.0,
         "diesel_g_count": 2},
        {"f.price": 1.6, "f.value": 0.0, "pv_kwp": 800.0, "battery_kwh": 0.0,
         "diesel_g_count": 2},
        {"f.price": 1.6, "f.value": 1e7, "pv_kwp": 1280.0, "battery_kwh": 300.0,
         "diesel_g_count": 1},
    ])
    fig = ost_map_figure(df, "f.price", "f.value")
    ax = fig.axes[0]
    cells = {(round(t.get_position()[0]), round(t.get_position()[1])): t.get_text()
             for t in ax.texts}
    assert cells == {(0, 0): "no PV", (0, 1): "PV 400 kWp", (1, 0): "PV 800 kWp",
                     (1, 1): "PV 1,280 kWp"}
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["diesel", "PV+diesel", "PV+battery+diesel"]
    assert len(ax.patches) == 4
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.8", "1.6"]


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------
def test_cli_sweep_prints_the_table_and_writes_files(tmp_path: Path) -> None:
    scenario = tmp_path / "micro.yaml"
    scenario.write_text(yaml.safe_dump(micro(days=7)), encoding="utf-8")
    spec = tmp_path / "sweep.yaml"
    spec.write_text(yaml.safe_dump({"horizon": {"days": 3}, "grid": {
        "fuel.price_usd_per_l": [0.5, 1.6], "fuel.value_per_casualty_usd": [0, 10000000]}}),
        encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["sweep", str(scenario), str(spec), "--out", str(out),
                                      "--workers", "2"])
    assert result.exit_code == 0, result.output
    for name in ("sweep.parquet", "sweep.csv", "tornado.svg", "ost_map.svg", "sweep.html"):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 4
    lines = result.stdout.splitlines()
    header = lines[0].split()
    assert header[:3] == ["point", "fuel.price_usd_per_l", "fuel.value_per_casualty_usd"]
    assert sum(line.strip().endswith("converged") for line in lines) == 4
    # the 3-day period's caution, once for all points (not once per worker on stderr)
    assert sum(line.startswith("warning (4 of 4 points): horizon.days: a 3-day run")
               for line in lines) == 1
    assert "<svg" in (out / "sweep.html").read_text(encoding="utf-8")
    assert "[4/4]" in result.stderr
    again = CliRunner().invoke(app, ["sweep", str(scenario), str(spec), "--out", str(out),
                                     "--workers", "1"])
    assert again.exit_code == 0, again.output
    assert "4 point(s) taken from the store, 0 solved now" in again.stderr
    assert pd.read_csv(out / "sweep.csv")["npc_usd"].tolist() == table["npc_usd"].tolist()


def test_cli_sweep_rejects_a_bad_sweep_file(tmp_path: Path) -> None:
    scenario = tmp_path / "micro.yaml"
    scenario.write_text(yaml.safe_dump(micro()), encoding="utf-8")
    spec = tmp_path / "sweep.yaml"
    spec.write_text("grids:\n  fuel.price_usd_per_l: [1.0]\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["sweep", str(scenario), str(spec)])
    assert result.exit_code == 2
    assert "did you mean 'grid'" in result.stderr
    spec.write_text("grid:\n  fuel.price_usd_per_l: [1.0]\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["sweep", str(scenario), str(spec), "--samples", "4"])
    assert result.exit_code == 2
    assert "no sample.ranges" in result.stderr


def test_cli_sweep_exits_3_when_every_point_is_infeasible(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    monkeypatch.setattr(sw, "optimize", _FakeSolve(fail_above=0.0))
    scenario = tmp_path / "micro.yaml"
    scenario.write_text(yaml.safe_dump(micro()), encoding="utf-8")
    spec = tmp_path / "sweep.yaml"
    spec.write_text("grid:\n  fuel.price_usd_per_l: [0.8, 1.6]\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["sweep", str(scenario), str(spec), "--out",
                                      str(tmp_path / "out"), "--workers", "1"])
    assert result.exit_code == 3, result.output
    assert "point 1: infeasible: InfeasibleScenarioError: no design at 1.6 USD/L" in result.stdout
    assert (tmp_path / "out" / "sweep.csv").is_file()  # the rows are written all the same


def test_example_sweep_file_is_valid() -> None:
    root = Path(__file__).resolve().parents[1]
    spec = sw.load_sweep_file(root / "examples" / "sweeps" / "gao_fuel_casualty.yaml")
    assert spec["overrides"]["horizon.days"] == 14  # the acceptance's 14-day camps
    grid = spec["grid"]
    assert set(grid) == {"fuel.price_usd_per_l", "fuel.value_per_casualty_usd"}
    assert len(sw.design_points(grid)) == 9
    scenario = eo.load_scenario(root / "examples" / "gao.yaml").with_overrides(
        spec["overrides"])
    for point in sw.design_points(grid):
        scenario.with_overrides(point)  # every point is a valid scenario
