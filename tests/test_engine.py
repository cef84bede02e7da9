"""Tests of the search engine: the solver boundary, each strategy, the budget, the bound.

Every expectation is independent of the engine: a micro model solved by hand, the monolithic
MILP of the same model solved to a tiny gap, the LP relaxation (a bound can never be below it
nor above the optimum), or a clock.
"""

from __future__ import annotations

import copy
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

import energyopt as eo
from energyopt.engine import Budget, Problem, Progress, Variant, least_metric, search
from energyopt.engine.lagrange import LagrangianBound
from energyopt.engine.polish import design_from_commitment
from energyopt.engine.search import LARGER_SIZES_FACTOR, _sizes_factor
from energyopt.engine.windows import windowed_commitment
from energyopt.inputs import build_inputs
from energyopt.model import model_params
from energyopt.solve import SolverSettings, Status, Termination, solve_arrays

EXAMPLES = Path(__file__).parents[1] / "examples"
SETTINGS = SolverSettings(time_limit_s=60.0, mip_rel_gap=1e-7)


def _camp(days: int = 7, **changes: Any) -> dict[str, Any]:
    """A small camp whose sets are far larger than its load: whole units matter a lot."""
    raw: dict[str, Any] = {
        "name": "small site",
        "site": "kidal",
        "horizon": {"days": days, "step_minutes": 120, "years": 10, "discount_rate": 0.05},
        "load": {"archetype": "team_site", "personnel": 40},
        "solar": {"max_kwp": 300.0},
        "battery": {"max_kwh": 2000.0},
        "diesel": {"units": [{"name": "g100", "rated_kw": 100.0, "existing": 1,
                              "max_count": 2}]},
        "reliability": {"reserve_load_fraction": 0.1, "reserve_pv_fraction": 0.25},
        "solver": {"mip_rel_gap": 1e-6, "time_limit_s": 60},
    }
    for key, value in changes.items():
        raw[key] = value
    return raw


def _problem(raw: dict[str, Any] | eo.Scenario) -> Problem:
    scenario = eo.load_scenario(raw)
    return Problem(model_params(scenario, build_inputs(scenario)), "test", SETTINGS)


def _lp(problem: Problem) -> tuple[float, np.ndarray, np.ndarray]:
    session = problem.session()
    problem.apply(session, Variant(relax=True))
    result = session.run(60.0)
    assert result.status == Status.OPTIMAL
    assert session.x is not None
    assert session.row_duals is not None
    return result.objective, session.x.copy(), session.row_duals.copy()


def _milp(problem: Problem) -> float:
    session = problem.session()
    result = session.run(120.0, mip_rel_gap=1e-9)
    assert result.status == Status.OPTIMAL
    return result.objective


# --------------------------------------------------------------------------------------------
# The solver boundary
# --------------------------------------------------------------------------------------------
def test_solver_boundary_returns_status_and_termination_enums() -> None:
    # min x + y  s.t.  x + y >= 1.5, x, y integer in [0, 5]: optimum 2 (the LP's is 1.5)
    a = sp.csr_matrix(np.array([[1.0, 1.0]]))
    args = (np.ones(2), np.zeros(2), np.full(2, 5.0), a, np.array([1.5]), np.array([np.inf]))
    lp, x_lp = solve_arrays(*args, None, SETTINGS)
    assert (lp.status, lp.termination) == (Status.OPTIMAL, Termination.OPTIMAL)
    assert lp.objective == pytest.approx(1.5)
    assert lp.bound == pytest.approx(1.5)
    assert lp.mip_gap == 0.0
    mip, x = solve_arrays(*args, np.array([True, True]), SETTINGS)
    assert mip.objective == pytest.approx(2.0)
    assert x is not None
    assert x.sum() == 2.0
    assert mip.bound == pytest.approx(2.0)
    # x + y <= 1 and >= 1.5 together: infeasible, said as such
    bad = sp.csr_matrix(np.array([[1.0, 1.0], [1.0, 1.0]]))
    result, none = solve_arrays(np.ones(2), np.zeros(2), np.full(2, 5.0), bad,
                                np.array([1.5, -np.inf]), np.array([np.inf, 1.0]), None,
                                SETTINGS)
    assert result.status == Status.INFEASIBLE
    assert none is None
    assert not result.has_solution


def test_safe_bound_never_exceeds_the_lp_optimum() -> None:
    # weak duality: any duals (here perturbed optimal ones) price the model below its LP
    problem = _problem(_camp(days=2, diesel={"units": [
        {"name": "g100", "rated_kw": 100.0, "existing": 1, "max_count": 2}]},
        solar={"max_kwp": 0.0}, battery={"max_kwh": 0.0}))
    objective, _x, duals = _lp(problem)
    assert problem.mm.safe_bound(duals) == pytest.approx(objective, rel=1e-6)
    rng = np.random.default_rng(3)
    for _ in range(5):
        noisy = duals * (1.0 + 0.2 * rng.standard_normal(duals.size))
        assert problem.mm.safe_bound(noisy) <= objective * (1 + 1e-9)


# --------------------------------------------------------------------------------------------
# Strategies, each against the monolithic optimum
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def week() -> tuple[Problem, float, float]:
    """A week of the small site: its problem, LP bound and MILP optimum."""
    problem = _problem(_camp(days=7))
    lp, _x, _y = _lp(problem)
    return problem, lp, _milp(problem)


def test_the_lp_of_the_small_site_is_weak(week: tuple[Problem, float, float]) -> None:
    # 100 kW sets for a ~17 kW load: whole units cost markedly more than fractions of one
    _problem_, lp, opt = week
    assert lp < opt * (1 - 0.005)


def test_windowed_dispatch_gives_a_design_no_better_than_the_optimum(
        week: tuple[Problem, float, float]) -> None:
    problem, _lp_bound, opt = week
    _objective, x, _y = _lp(problem)
    commitment, solved, failed = windowed_commitment(problem, x, Budget(60), days=2.0,
                                                     lookahead_days=1.0, chains=2)
    assert failed == 0
    assert solved >= 1
    assert np.array_equal(commitment, np.round(commitment))
    design = design_from_commitment(problem, problem.session(), commitment, Budget(60), "w")
    assert design is not None
    assert problem.check(design.x) <= 1e-6
    assert design.objective >= opt * (1 - 1e-7)


def test_chained_windows_join_up() -> None:
    # the year is dispatched as two chains on two cores, the second starting from the
    # reference's battery state; unless the first chain ends there, the year does not join up
    # and the design LP buys storage to bridge it (Gao, 56 days from June: +0.6% NPC, 394 kWh)
    scenario = eo.load_scenario(EXAMPLES / "gao.yaml").with_overrides(
        {"horizon.days": 56, "horizon.start": "2025-06-01"})
    problem = _problem(scenario)
    _objective, x, duals = _lp(problem)
    designs = {}
    for chains in (1, 2):
        commitment, _solved, failed = windowed_commitment(
            problem, x, Budget(120), params=problem.window_params(duals), chains=chains)
        assert failed == 0
        design = design_from_commitment(problem, problem.session(), commitment, Budget(60),
                                        "w")
        assert design is not None
        assert problem.check(design.x) <= 1e-6
        designs[chains] = design
    assert designs[2].objective <= designs[1].objective * (1 + 1e-3)
    kwh = problem.sizes_of(designs[2].x)["battery_kwh"]
    assert kwh <= problem.sizes_of(x)["battery_kwh"] * (1 + 1e-3)


def test_whole_sets_need_more_storage_and_pv_than_the_lp_buys() -> None:
    # the premise of the windows' larger sizes: where the sets are far larger than the load the
    # LP runs fractions of a set at full output, while whole sets run full hours and need room
    # to put the surplus; the exact MILP of four weeks buys more PV and battery than the LP
    problem = _problem(_camp(days=28))
    _objective, x, _duals = _lp(problem)
    assert _sizes_factor(problem, x) == LARGER_SIZES_FACTOR
    session = problem.session()
    result = session.run(120.0, mip_rel_gap=1e-6)
    assert result.status == Status.OPTIMAL
    assert session.x is not None
    lp_sizes, milp_sizes = problem.sizes_of(x), problem.sizes_of(session.x)
    for name in ("pv_kwp", "battery_kwh"):
        assert milp_sizes[name] >= lp_sizes[name] * 1.02, name
    # the search then dispatches its windows at the larger sizes
    outcome = search(problem, Budget(60), target_gap=1e-6, strategy="staged")
    assert any(f"at {LARGER_SIZES_FACTOR:g} x the LP's sizes" in note for note in outcome.notes)
    assert outcome.design is not None
    assert problem.check(outcome.design.x) <= 1e-6


def test_windows_keep_the_lp_sizes_where_units_run_whole() -> None:
    # a large camp runs most of its units whole in the LP; a camp without storage has nothing
    # for whole sets to charge: both keep the LP's sizes
    gao = _problem(eo.load_scenario(EXAMPLES / "gao.yaml").with_overrides(
        {"horizon.days": 7, "horizon.start": "2025-07-20"}))  # inside its road closure
    assert _sizes_factor(gao, _lp(gao)[1]) == 1.0
    diesel = _problem(_camp(days=4, solar={"max_kwp": 0.0}, battery={"max_kwh": 0.0}))
    assert _sizes_factor(diesel, _lp(diesel)[1]) == 1.0


def test_staged_search_finds_a_design_under_the_tightest_risk_bound() -> None:
    # at the least casualty rate the LP allows (no diesel at all on this week), neither the
    # rule (diesel carries the load) nor the windows meet the bound; the time left then goes
    # to one MILP, which must find the optimum the monolithic search finds
    problem = _problem(_camp(days=7))
    metric = "expected_casualties_per_year"
    low = least_metric(problem, metric, Budget(30))
    problem.base = Variant(limits={metric: low})
    staged = search(problem, Budget(60), target_gap=1e-4, strategy="staged")
    assert staged.design is not None
    assert not staged.design.fallback
    assert problem.check(staged.design.x) <= 1e-6
    assert any("one MILP" in note for note in staged.notes)
    one = search(problem, Budget(60), target_gap=1e-6, strategy="monolithic")
    assert one.design is not None
    assert staged.design.objective == pytest.approx(one.design.objective, rel=2e-4)
    assert staged.bound <= one.design.objective * (1 + 1e-9)


def test_lagrangian_bound_lies_between_the_lp_and_the_optimum(
        week: tuple[Problem, float, float]) -> None:
    problem, lp, opt = week
    objective, x, duals = _lp(problem)
    session = problem.session()
    problem.apply(session, Variant(relax=True))
    bound = LagrangianBound(problem, session, objective, x=x, duals=duals, days=2.0)
    assert bound.windows  # the LP runs fractional units somewhere
    bound.work(Budget(60), most_s=20.0)
    assert bound.solved == len(bound.windows)
    assert lp * (1 - 1e-9) <= bound.bound <= opt * (1 + 1e-7)
    # whole units in each window lift it above the LP
    assert bound.bound > lp * (1 + 1e-4)


def test_windows_stopped_at_their_limit_lift_the_bound_when_solved_again() -> None:
    # weekly windows of four weeks cut short at their time limit give a weak (still valid)
    # bound; the time the other stages leave solves them again, and the bound rises to what
    # full solves give, never above the optimum
    problem = _problem(_camp(days=28))
    lp, x, duals = _lp(problem)
    opt = _milp(problem)

    def fresh() -> LagrangianBound:
        session = problem.session()
        problem.apply(session, Variant(relax=True))
        return LagrangianBound(problem, session, lp, x=x, duals=duals, days=7.0)

    full = fresh()
    full.work(Budget(60), most_s=20.0)
    assert full.complete
    rushed = fresh()
    rushed.work(Budget(60), most_s=0.001)
    assert not rushed.complete
    first = rushed.bound
    assert first < full.bound * (1 - 1e-6)
    rushed.retry(Budget(60), workers=1)
    assert rushed.complete
    assert rushed.bound >= first
    assert rushed.bound == pytest.approx(full.bound, rel=1e-4)
    assert lp * (1 - 1e-9) <= rushed.bound <= opt * (1 + 1e-7)


def test_lagrangian_bound_is_exact_without_storage() -> None:
    # no battery: the windows share no state, so the Lagrangian of a diesel-only camp is its
    # integer optimum (the windows' MILPs are the whole problem, priced at the fuel's dual)
    problem = _problem(_camp(days=4, solar={"max_kwp": 0.0}, battery={"max_kwh": 0.0}))
    objective, x, duals = _lp(problem)
    session = problem.session()
    problem.apply(session, Variant(relax=True))
    bound = LagrangianBound(problem, session, objective, x=x, duals=duals, days=1.0)
    bound.work(Budget(60), most_s=20.0)
    assert bound.bound == pytest.approx(_milp(problem), rel=1e-5)


@pytest.mark.parametrize("strategy", ["monolithic", "staged"])
def test_search_brackets_the_optimum_and_reports_its_gap(
        week: tuple[Problem, float, float], strategy: str) -> None:
    problem, lp, opt = week
    outcome = search(problem, Budget(60), target_gap=1e-6, strategy=strategy)
    assert outcome.design is not None
    assert outcome.design.objective >= opt * (1 - 1e-7)
    assert lp * (1 - 1e-9) <= outcome.bound <= opt * (1 + 1e-7)
    assert outcome.gap == pytest.approx(
        (outcome.design.objective - outcome.bound) / outcome.design.objective, abs=1e-12)
    assert outcome.method == strategy


def test_least_metric_is_a_lower_bound_of_every_design() -> None:
    raw = _camp(days=2, solar={"max_kwp": 50.0}, battery={"max_kwh": 100.0})
    problem = _problem(raw)
    low = least_metric(problem, "convoys_per_year", Budget(30))
    result = eo.optimize(eo.load_scenario(raw), baseline=False)
    assert 0.0 <= low <= result.kpis["convoys_per_year"] * (1 + 1e-9)


# --------------------------------------------------------------------------------------------
# Budget, anytime behaviour and progress
# --------------------------------------------------------------------------------------------
def test_budget_never_grants_more_than_is_left() -> None:
    now = [100.0]
    budget = Budget(10.0, clock=lambda: now[0])
    assert budget.call_limit() == pytest.approx(10.0)
    assert budget.call_limit(0.5, at_most=3.0) == pytest.approx(3.0)
    now[0] = 108.0
    assert budget.left() == pytest.approx(2.0)
    child = budget.child(5.0)
    assert child.deadline == pytest.approx(budget.deadline)
    now[0] = 111.0
    assert budget.left() == 0.0
    assert budget.expired()
    assert budget.call_limit() == 0.0


def test_more_time_never_gives_a_worse_design() -> None:
    problem = _problem(_camp(days=7))
    objectives = []
    for seconds in (0.05, 2.0, 30.0):
        outcome = search(problem, Budget(seconds), target_gap=1e-6, strategy="staged")
        assert outcome.design is not None  # the rule design, at worst
        objectives.append(outcome.design.objective)
    assert objectives[1] <= objectives[0] * (1 + 1e-9)
    assert objectives[2] <= objectives[1] * (1 + 1e-9)


def test_progress_reports_an_improving_search() -> None:
    events: list[Progress] = []
    scenario = eo.load_scenario(_camp(days=7, solver={"mip_rel_gap": 1e-6, "time_limit_s": 60,
                                                      "strategy": "staged"}))
    result = eo.optimize(scenario, baseline=False, progress=events.append)
    stages = [e.stage for e in events]
    assert stages[0] == 'rule design'
    assert 'LP relaxation' in stages
    designs = [e.objective for e in events if math.isfinite(e.objective)]
    bounds = [e.bound for e in events if math.isfinite(e.bound)]
    assert all(b <= a * (1 + 1e-12) for a, b in zip(designs, designs[1:], strict=False))
    assert all(b >= a * (1 - 1e-12) for a, b in zip(bounds, bounds[1:], strict=False))
    assert result.solve_info.objective == pytest.approx(designs[-1])


@pytest.mark.slow
def test_a_five_second_limit_on_gao_returns_a_design_with_its_gap_and_the_banner() -> None:
    scenario = eo.load_scenario(EXAMPLES / "gao.yaml")
    scenario = scenario.with_overrides({"solver.time_limit_s": 5})
    start = time.perf_counter()
    result = eo.optimize(scenario)
    wall = time.perf_counter() - start
    info = result.solve_info
    assert not info.converged
    assert info.objective > 0
    assert result.baseline is not None
    assert math.isnan(info.mip_gap) or info.mip_gap > 0.01
    banner = eo.convergence_banner(result)
    assert banner is not None
    assert banner.startswith('NOT CONVERGED')
    assert "solver.time_limit_s" in banner
    assert banner in eo.render_markdown(result)
    # inputs, two compiled models and the rule designs: seconds, not minutes
    assert wall < 30.0


# --------------------------------------------------------------------------------------------
# The banner and --strict
# --------------------------------------------------------------------------------------------
def test_banner_only_when_not_converged() -> None:
    raw = _camp(days=2)
    converged = eo.optimize(eo.load_scenario(raw), baseline=False)
    assert converged.solve_info.converged
    assert eo.convergence_banner(converged) is None
    assert "Recommended mix" in eo.render_markdown(converged)
    loose = copy.deepcopy(raw)
    loose["solver"] = {"mip_rel_gap": 0.0, "time_limit_s": 0.05, "strategy": "staged"}
    rushed = eo.optimize(eo.load_scenario(loose), baseline=False)
    assert not rushed.solve_info.converged
    assert not rushed.solve_info.bound_final  # cut short: more time would lift the bound
    banner = eo.convergence_banner(rushed)
    assert banner is not None
    assert 'NOT CONVERGED' in banner
    assert "Run again with a longer solver.time_limit_s" in banner
    text = eo.render_markdown(rushed)
    assert 'Recommended mix' not in text
    assert 'not converged' in text


def test_a_final_bound_is_said_and_more_time_does_not_raise_it() -> None:
    # four weeks of a small site: the search reaches the exact optimum (a MILP of its own,
    # below) yet its bound stays a few percent under it, because the Lagrangian windows
    # convexify the whole sets away; the result must say that waiting will not close the gap
    raw = _camp(days=28, solver={"mip_rel_gap": 1e-3, "time_limit_s": 20,
                                 "strategy": "staged"})
    result = eo.optimize(eo.load_scenario(raw), baseline=False)
    info = result.solve_info
    exact = _problem(raw).session().run(120.0, mip_rel_gap=1e-6)
    assert exact.status == Status.OPTIMAL
    # the design is the optimum (the neighbourhood MILP runs on a small problem with time left)
    assert info.objective <= exact.objective * (1 + 1e-6)
    assert info.bound <= exact.objective * (1 - 0.01)
    assert not info.converged
    assert info.bound_final
    assert info.termination.startswith("bound final")
    assert info.wall_s < 20.0
    banner = eo.convergence_banner(result)
    assert banner is not None
    assert banner.startswith("NOT CONVERGED")
    assert "will not raise the bound" in banner
    assert f"solver.mip_rel_gap of {math.ceil(100 * info.mip_gap)}%" in banner
    assert "Run again" not in banner
    assert banner in eo.render_markdown(result)
    assert result.to_dict()["solve_info"]["bound_final"] is True
    # and it holds: three times the time proves no more
    longer = search(_problem(raw), Budget(60), target_gap=1e-3, strategy="staged")
    assert longer.bound_final
    assert longer.bound <= info.bound * (1 + 1e-4)


def test_cli_strict_exits_non_zero_when_not_converged(tmp_path: Any) -> None:
    import yaml
    from typer.testing import CliRunner

    from energyopt import cli

    raw = _camp(days=2)
    raw["solver"] = {"mip_rel_gap": 0.0, "time_limit_s": 0.05, "strategy": "staged"}
    path = tmp_path / "rushed.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    out = tmp_path / "out"
    done = CliRunner().invoke(cli.app, ["run", str(path), "--out", str(out), "--no-baseline",
                                        "--strict", "--report", str(tmp_path / "r.html")])
    assert done.exit_code == cli.EXIT_NOT_CONVERGED, done.output
    assert done.stdout.startswith("NOT CONVERGED")
    assert (out / "summary.md").read_text(encoding="utf-8").count("NOT CONVERGED") == 1
    assert 'id="not-converged"' in (tmp_path / "r.html").read_text(encoding="utf-8")
    relaxed = CliRunner().invoke(cli.app, ["run", str(path), "--out", str(out), "--no-baseline"])
    assert relaxed.exit_code == 0
    raw["solver"] = {"mip_rel_gap": 1e-6, "time_limit_s": 60}
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    fine = CliRunner().invoke(cli.app, ["run", str(path), "--out", str(out), "--no-baseline",
                                        "--strict"])
    assert fine.exit_code == 0
    assert 'NOT CONVERGED' not in fine.stdout
