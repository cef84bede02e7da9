"""Mission portfolios (issue 16, item 4): steps, ranking, the mission file and the command.

The ranking rules are checked on hand-made fronts (hand-computed hulls and funding); the whole
run on three micro camps (two days each, exact optima) whose capex fronts take a second.
"""

from __future__ import annotations

import copy
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from energyopt import cli
from energyopt.errors import ScenarioError
from energyopt.studies.mission import hull_steps, load_mission, mission, rank_steps

runner = CliRunner()


def _front(points: list[tuple[float, float]]) -> pd.DataFrame:
    """A front of (capital, convoys) points; casualties 0.01 per convoy, NPC falls."""
    capex = [p[0] for p in points]
    convoys = [p[1] for p in points]
    return pd.DataFrame({"budget_usd": capex, "capex_usd": capex, "convoys_per_year": convoys,
                         "expected_casualties_per_year": [0.01 * c for c in convoys],
                         "npc_usd": [1e6 - 10 * c for c in capex],
                         "pv_kwp": [c / 1000 for c in capex], "battery_kwh": 0.0,
                         "battery_kw": 0.0})


def test_hull_steps_skip_points_above_the_hull() -> None:
    """(0,10) (100,6) (200,5.5) (300,2): the hull is 0 -> 100 -> 300 (slopes 4/100, 4/200)."""
    steps = hull_steps(_front([(0, 10), (100, 6), (200, 5.5), (300, 2)]), "convoys_per_year")
    assert list(steps["step"]) == [1, 2]
    assert list(steps["capex_usd"]) == [100.0, 200.0]
    assert list(steps["convoys_avoided_per_year"]) == pytest.approx([4.0, 4.0])
    assert list(steps["casualties_avoided_per_year"]) == pytest.approx([0.04, 0.04])
    assert list(steps["budget_usd"]) == [100.0, 300.0]
    assert list(steps["npc_change_usd"]) == pytest.approx([-1000.0, -2000.0])


def test_hull_steps_ignore_points_that_avoid_nothing() -> None:
    steps = hull_steps(_front([(0, 10), (100, 10), (200, 11)]), "convoys_per_year")
    assert steps.empty
    steps = hull_steps(_front([(0, 10), (100, 10), (200, 8)]), "convoys_per_year")
    assert list(steps["capex_usd"]) == [200.0]


def _steps(rows: list[tuple[float, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"step": k, "capex_usd": c, "convoys_avoided_per_year": a,
                          "casualties_avoided_per_year": a / 100, "npc_change_usd": -c,
                          "budget_usd": c, "pv_kwp": 0.0, "battery_kwh": 0.0,
                          "battery_kw": 0.0} for k, (c, a) in enumerate(rows, start=1)])


def test_rank_funds_down_the_list_and_skips_what_no_longer_fits() -> None:
    """A: 100 USD for 4 (25/convoy), 400 for 5 (80); B: 50 for 0.5 (100). Budget 200.

    Order A1, A2, B1; A1 is funded (100), A2 does not fit (500 > 200), B1 does (150).
    """
    ranked = rank_steps({"A": _steps([(100, 4), (400, 5)]), "B": _steps([(50, 0.5)])}, 200.0)
    assert list(ranked["camp"]) == ["A", "A", "B"]
    assert list(ranked["step"]) == [1, 2, 1]
    assert list(ranked["funded"]) == [True, False, True]
    assert list(ranked["usd_per_convoy_avoided"]) == pytest.approx([25.0, 80.0, 100.0])
    assert ranked["cumulative_capex_usd"].iloc[2] == pytest.approx(150.0)
    assert math.isnan(ranked["cumulative_capex_usd"].iloc[1])


def test_rank_stops_at_the_first_misfit_when_asked() -> None:
    ranked = rank_steps({"A": _steps([(100, 4), (400, 5)]), "B": _steps([(50, 0.5)])}, 200.0,
                        after_misfit="stop")
    assert list(ranked["funded"]) == [True, False, False]


def test_rank_blocks_a_camps_later_steps_after_one_that_does_not_fit() -> None:
    """A2 (400) does not fit 300; A3 (10) would, but comes after A2 and stays unfunded."""
    ranked = rank_steps({"A": _steps([(100, 10), (400, 10), (10, 0.01)])}, 300.0)
    assert list(ranked["funded"]) == [True, False, False]


def test_rank_by_casualties_and_years() -> None:
    steps = {"A": _steps([(100, 4), (400, 5)]), "B": _steps([(50, 0.5)])}
    ranked = rank_steps(steps, 200.0, rank_by="casualties", capex_usd_per_year=[100.0, 100.0])
    assert list(ranked["usd_per_casualty_avoided"]) == pytest.approx([2500.0, 8000.0, 10000.0])
    # A1's 100 USD fit year 1; B1 brings the cumulative capital to 150: year 2
    assert list(ranked["year"].iloc[[0, 2]]) == [1.0, 2.0]
    with pytest.raises(ValueError, match="rank_by"):
        rank_steps(steps, 200.0, rank_by="fuel")


# --------------------------------------------------------------------------------------------
# Whole missions on micro camps
# --------------------------------------------------------------------------------------------
def _camp(load_kw: float, pv_usd_per_kwp: float, casualties: float) -> dict[str, Any]:
    return {
        "site": "gao", "horizon": {"days": 2, "start": "2025-03-30"},
        "load": {"constant_kw": load_kw},
        "solar": {"max_kwp": 3 * load_kw, "capex_usd_per_kwp": pv_usd_per_kwp},
        "battery": {"max_kwh": 0},
        "fuel": {"casualties_per_convoy": casualties},
        "reliability": {"reserve_load_fraction": 0.0, "reserve_pv_fraction": 0.0},
        "solver": {"mip_rel_gap": 1e-6},
        "diesel": {"units": [{"name": "g150", "rated_kw": 150, "existing": 2, "max_count": 2,
                              "min_load_fraction": 0.0, "fuel_intercept_l_per_h_per_kw": 0.0,
                              "om_usd_per_run_hour_per_kw": 0.0,
                              "lifetime_hours": 500000}]},
    }


@pytest.fixture
def mission_dir(tmp_path: Path) -> Path:
    """Three micro camps: two scenario files and one site camp on a template."""
    (tmp_path / "camps").mkdir()
    for name, camp in (("a.yaml", _camp(100, 1000, 0.04)), ("b.yaml", _camp(200, 1500, 0.2)),
                       ("template.yaml", _camp(100, 1200, 0.1))):
        (tmp_path / "camps" / name).write_text(yaml.safe_dump(camp), encoding="utf-8")
    plan = {"name": "micro mission", "capex_usd": 180000, "points": 3,
            "template": "camps/template.yaml",
            "overrides": {"fuel.price_usd_per_l": 1.2},
            "camps": [{"name": "A", "scenario": "camps/a.yaml"},
                      {"name": "B", "scenario": "camps/b.yaml",
                       "overrides": {"fuel.route_km": 300}},
                      {"name": "C", "site": "timbuktu", "archetype": "team_site",
                       "personnel": 40, "overrides": {"solar.max_kwp": 200}}]}
    (tmp_path / "mission.yaml").write_text(yaml.safe_dump(plan, sort_keys=False),
                                           encoding="utf-8")
    return tmp_path


def test_load_mission_builds_each_camp(mission_dir: Path) -> None:
    plan, scenarios = load_mission(mission_dir / "mission.yaml")
    assert [s.name for s in scenarios] == ["A", "B", "C"]
    assert all(s.fuel.price_usd_per_l == 1.2 for s in scenarios)
    assert scenarios[1].fuel.route_km == 300
    c = scenarios[2]
    assert c.site == "timbuktu"
    assert (c.load.archetype, c.load.personnel) == ("team_site", 40)
    assert c.solar.capex_usd_per_kwp == 1200  # from the template
    assert c.solar.max_kwp == 200
    assert plan.total_capex_usd == 180000


@pytest.mark.parametrize(("rank_by", "per"), [("convoys", "usd_per_convoy_avoided"),
                                               ("casualties", "usd_per_casualty_avoided")])
def test_mission_ranks_by_the_metric_within_the_budget(mission_dir: Path, rank_by: str,
                                                       per: str) -> None:
    result = mission(mission_dir / "mission.yaml", rank_by=rank_by, workers=1)
    ranked = result.ranked
    assert len(ranked) >= 3
    assert set(ranked["camp"]) == {"A", "B", "C"}
    # sorted by the stated metric (each camp's hull steps rise, so the merge is sorted); a
    # partial step shows its own design's figures
    whole = ranked[~ranked["partial"]][per].to_numpy()
    assert (np.diff(whole) >= -1e-9 * np.abs(whole).max()).all()
    funded = ranked[ranked["funded"]]
    assert funded["capex_usd"].sum() <= 180000 * (1 + 1e-9)
    assert funded["cumulative_capex_usd"].is_monotonic_increasing
    # at most one partial step, the last funded one, and nothing funded after it
    part = ranked.index[ranked["partial"]]
    assert len(part) <= 1
    if len(part):
        assert bool(ranked.loc[part[0], "funded"])
        assert not ranked.loc[part[0] + 1:, "funded"].any()
    for camp, rows in ranked.groupby("camp", sort=False):
        # each camp's steps in order, and its funded steps a prefix of them
        assert list(rows["step"]) == list(range(1, len(rows) + 1)), camp
        flags = list(rows["funded"])
        assert flags == sorted(flags, reverse=True), camp
    # the front of each camp starts at the existing kit (no capital) and ends at its optimum
    for front in result.fronts.values():
        assert front["capex_usd"].iloc[0] == pytest.approx(0.0, abs=1e-3)
        assert (front["capex_usd"] <= front["budget_usd"] * (1 + 1e-7) + 1e-3).all()
    summary = result.camps.set_index("camp")
    for camp, row in summary.iterrows():
        got = funded[funded["camp"] == camp]
        assert row["capex_funded_usd"] == pytest.approx(got["capex_usd"].sum())
        assert row["convoys_per_year_existing"] - row["convoys_per_year_funded"] == \
            pytest.approx(got["convoys_avoided_per_year"].sum(), abs=1e-9)


def test_mission_funds_the_first_misfit_in_part(mission_dir: Path) -> None:
    """A's first step takes 150,000 of 180,000 USD; C's (47,388 USD) gets the 30,000 left.

    C's PV costs 1,200 USD/kWp and is its only investment: 30,000 USD buy 25 kWp.
    """
    ranked = mission(mission_dir / "mission.yaml", workers=1).ranked
    funded = ranked[ranked["funded"]]
    assert list(funded["camp"]) == ["A", "C"]
    c = funded.iloc[1]
    assert bool(c["partial"])
    assert c["capex_usd"] == pytest.approx(30000.0, rel=1e-6)
    assert c["pv_kwp"] == pytest.approx(25.0, rel=1e-6)
    assert c["cumulative_capex_usd"] == pytest.approx(180000.0, rel=1e-6)
    assert c["convoys_avoided_per_year"] > 0.0
    assert not ranked[ranked["camp"] == "B"]["funded"].any()


def test_mission_results_are_written(mission_dir: Path, tmp_path: Path) -> None:
    result = mission(mission_dir / "mission.yaml", workers=1)
    paths = result.write(tmp_path / "out")
    assert [p.name for p in paths] == ["mission_ranked.csv", "mission_camps.csv",
                                       "mission_fronts.csv", "mission_chart.svg"]
    ranked = pd.read_csv(paths[0])
    assert list(ranked["camp"]) == list(result.ranked["camp"])
    svg = paths[3].read_text(encoding="utf-8")
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg  # a standalone file
    assert "cumulative capital" in svg
    inline = result.chart_svg()
    assert inline.startswith("<svg")
    assert "xmlns" not in inline  # for inline HTML


def _bad(mission_dir: Path, change: dict[str, Any]) -> ScenarioError:
    plan = yaml.safe_load((mission_dir / "mission.yaml").read_text(encoding="utf-8"))
    for key, value in change.items():
        node = plan
        parts = key.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        last = parts[-1]
        if value is _DROP:
            del node[last]
        elif last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value
    path = mission_dir / "bad.yaml"
    path.write_text(yaml.safe_dump(plan), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_mission(path)
    return info.value


_DROP = object()


@pytest.mark.parametrize(("change", "field"), [
    ({"camps.2.personnel": -5}, "camps.2.personnel"),
    ({"camps.2.archetype": "fort"}, "camps.2.archetype"),
    ({"capex": 5}, "capex"),
    ({"capex_usd": -1}, "capex_usd"),
    ({"camps.0.site": "gao"}, "camps.0"),
    ({"camps.2.site": "atlantis"}, "camps.2.site"),
    ({"camps.0.scenario": "camps/none.yaml"}, "camps.0.scenario:scenario"),
    ({"camps.1.overrides": {"fuel.price_usd_per_litre": 2}},
     "camps.1.overrides.fuel.price_usd_per_litre"),
    ({"overrides": {"horizon.days": 0}}, "overrides.horizon.days"),
    ({"template": _DROP}, "camps.2.template"),
    ({"camps.1.name": "A"}, "camps"),
    ({"capex_usd": _DROP}, "capex_usd"),
    ({"points": 1}, "points"),
])
def test_bad_mission_file_names_the_field(mission_dir: Path, change: dict[str, Any],
                                          field: str) -> None:
    error = _bad(mission_dir, change)
    assert field in [p.field for p in error.problems], error


def test_bad_camp_scenario_names_its_own_field(mission_dir: Path) -> None:
    camp = _camp(100, 1000, 0.04)
    camp["load"] = {"archetype": "team_site"}  # personnel missing
    (mission_dir / "camps" / "a.yaml").write_text(yaml.safe_dump(camp), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_mission(mission_dir / "mission.yaml")
    assert any(p.field.startswith("camps.0.scenario:load") for p in info.value.problems)


def test_mission_command_prints_the_ranked_table(mission_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli_out"
    res = runner.invoke(cli.app, ["mission", str(mission_dir / "mission.yaml"), "--out",
                                  str(out), "--workers", "1", "--rank-by", "casualties"])
    assert res.exit_code == 0, res.output
    assert "USD/casualty avoided" in res.stdout
    assert "Funded:" in res.stdout
    assert (out / "mission_ranked.csv").is_file()
    assert (out / "mission_chart.svg").is_file()
    bad = runner.invoke(cli.app, ["mission", str(mission_dir / "mission.yaml"),
                                  "--rank-by", "fuel"])
    assert bad.exit_code == 2
    missing = runner.invoke(cli.app, ["mission", str(mission_dir / "nope.yaml")])
    assert missing.exit_code == 2
    assert "mission" in missing.output


def test_mission_dict_with_a_second_camp_copy_is_independent(mission_dir: Path) -> None:
    """A mapping works like the file (paths from the working directory)."""
    plan = yaml.safe_load((mission_dir / "mission.yaml").read_text(encoding="utf-8"))
    plan = copy.deepcopy(plan)
    plan["template"] = str(mission_dir / "camps" / "template.yaml")
    for camp in plan["camps"]:
        if "scenario" in camp:
            camp["scenario"] = str(mission_dir / camp["scenario"])
    _, scenarios = load_mission(plan)
    assert [s.name for s in scenarios] == ["A", "B", "C"]


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "minusma" / "mission.yaml"


def test_minusma_example_has_six_graded_camps_or_more() -> None:
    plan, scenarios = load_mission(EXAMPLE)
    assert len(scenarios) >= 6
    sites = {s.site for s in scenarios}
    assert {"gao", "kidal", "timbuktu", "bamako", "mopti"} <= sites
    # every camp models the same representative fortnight with annual fuel accounting
    assert {(s.horizon.start.isoformat(), s.horizon.days) for s in scenarios} == {
        ("2025-10-20", 14)}
    assert all(s.fuel.inventory is None for s in scenarios)
    assert plan.total_capex_usd == 8_000_000
    # each camp given by site states its personnel with a grade in a comment
    text = EXAMPLE.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip().startswith("personnel:"):
            assert re.search(r"#\s*[PSDE]:", line), line


@pytest.mark.slow
def test_minusma_example_ranks_within_its_budget(tmp_path: Path) -> None:
    """The whole example (35 solves, about 3 minutes on two cores)."""
    result = mission(EXAMPLE, workers=2)
    funded = result.funded
    assert 0.0 < funded["capex_usd"].sum() <= result.budget_usd * (1 + 1e-9)
    whole = result.ranked[~result.ranked["partial"]]["usd_per_convoy_avoided"].to_numpy()
    assert (np.diff(whole) >= -1e-9 * whole.max()).all()
    assert set(result.camps["camp"]) == {c.name for c in load_mission(EXAMPLE)[0].camps}
    assert len(result.write(tmp_path)) == 4
