"""The host-community load: data/community_loads.csv and energyopt.load.community (issue 15)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from energyopt import data
from energyopt.errors import ScenarioError
from energyopt.load import community_counts, community_load_kw

TZ = "Africa/Bamako"
#: Monday 6 January 2025, so the first five days are working days, then a weekend.
WEEK = pd.date_range(pd.Timestamp("2025-01-06", tz=TZ), periods=7 * 24, freq="h")


def _daily(series: pd.Series, step_h: float) -> pd.Series:
    return (series * step_h).groupby(pd.DatetimeIndex(series.index).date).sum()


# --- the table -------------------------------------------------------------------------------
def test_table_has_every_tier_and_the_facilities() -> None:
    table = data.community_loads()
    assert set(data.COMMUNITY_TIERS) <= set(table.index[table["kind"] == "household"])
    for key in ("health_centre", "school", "water_pump", "mill", "welding_workshop",
                "cold_storage"):
        assert table.at[key, "kind"] == "facility"
    shapes = table[list(data.COMMUNITY_SHAPE_COLUMNS)]
    np.testing.assert_allclose(shapes.sum(axis=1), 1.0, atol=1e-9)
    assert (shapes >= 0).all().all()
    assert set(table["grade"]) <= set(data.GRADES)
    assert (table["source"] != "").all()


def test_tiers_lie_inside_the_mtf_bands() -> None:
    """ESMAP 2015 minimum annual consumption per tier: 4.5, 73, 365, 1250, 3000 kWh/yr."""
    floors = [4.5, 73.0, 365.0, 1250.0, 3000.0, float("inf")]
    per_day = data.community_loads().loc[list(data.COMMUNITY_TIERS), "kwh_per_day"]
    for i, value in enumerate(per_day):
        assert floors[i] / 365.0 <= value < floors[i + 1] / 365.0


def test_facilities_without_a_found_figure_are_estimates() -> None:
    table = data.community_loads()
    facilities = table[table["kind"] == "facility"]
    assert (facilities["grade"] == "E").all()
    assert facilities["source"].str.contains("estimate").all()


@pytest.fixture
def table_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of community_loads.csv the reader is pointed at."""
    shutil.copy(data.data_dir() / data.COMMUNITY_LOADS_FILE, tmp_path)
    monkeypatch.setattr(data, "data_dir", lambda: tmp_path)
    data._community_table.cache_clear()
    yield tmp_path / data.COMMUNITY_LOADS_FILE
    data._community_table.cache_clear()


def test_a_shape_not_summing_to_one_is_refused(table_copy: Path) -> None:
    lines = table_copy.read_text().splitlines(keepends=True)
    lines[3] = lines[3].replace(",0.0275,", ",0.5275,", 1)
    table_copy.write_text("".join(lines))
    with pytest.raises(ValueError, match=r"community_loads\.csv line 4 \(key='tier3'\).*sums"):
        data.community_loads()


def test_a_missing_tier_and_a_bad_grade_are_refused(table_copy: Path) -> None:
    text = table_copy.read_text()
    table_copy.write_text("".join(line for line in text.splitlines(keepends=True)
                                  if not line.startswith("tier5,")))
    with pytest.raises(ValueError, match=r"tier5"):
        data.community_loads()
    data._community_table.cache_clear()
    table_copy.write_text(text.replace(",2026,E\n", ",2026,Q\n", 1))
    with pytest.raises(ValueError, match=r"community_loads\.csv line 7.*grade"):
        data.community_loads()


# --- the builder ------------------------------------------------------------------------------
def test_daily_energy_is_the_per_unit_energy_times_the_counts() -> None:
    spec = {"households": {"tier2": 400, "tier3": 300}, "health_centres": 1, "schools": 2,
            "water_pumps": 2, "productive": {"mill": 3, "cold_storage": 1}}
    load = community_load_kw({"community": spec}, WEEK)
    assert load.index.equals(WEEK)
    assert load.name == "community_kw"
    table = data.community_loads()["kwh_per_day"]
    weekday = (400 * table["tier2"] + 300 * table["tier3"] + table["health_centre"]
               + 2 * table["school"] + 2 * table["water_pump"] + 3 * table["mill"]
               + table["cold_storage"])
    daily = _daily(load, 1.0)
    np.testing.assert_allclose(daily.iloc[:5], weekday, rtol=1e-9)
    factors = data.community_loads()["weekend_factor"]
    weekend = weekday - (2 * table["school"] * (1 - factors["school"])
                         + 3 * table["mill"] * (1 - factors["mill"]))
    np.testing.assert_allclose(daily.iloc[5:], weekend, rtol=1e-9)


def test_the_hourly_shape_is_kept() -> None:
    load = community_load_kw({"community": {"households": {"tier1": 1000}}}, WEEK[:24])
    shape = data.community_loads().loc["tier1", list(data.COMMUNITY_SHAPE_COLUMNS)]
    np.testing.assert_allclose(load.to_numpy() / load.sum(), shape.to_numpy(dtype=float)
                               / shape.sum(), rtol=1e-9)
    assert WEEK[int(load.to_numpy().argmax())].hour in range(18, 23)  # evening lighting peak


@pytest.mark.parametrize(("freq", "periods"), [("15min", 96 * 2), ("3h", 16), ("D", 2)])
def test_energy_is_kept_on_any_step(freq: str, periods: int) -> None:
    index = pd.date_range(pd.Timestamp("2025-01-06", tz=TZ), periods=periods, freq=freq)
    step_h = (index[1] - index[0]).total_seconds() / 3600.0
    load = community_load_kw({"community": {"water_pumps": 1}}, index)
    per_day = float(data.community_loads().at["water_pump", "kwh_per_day"])  # type: ignore[arg-type]
    np.testing.assert_allclose(_daily(load, step_h), per_day, rtol=1e-9)


def test_the_scenario_spec_and_plain_objects_are_accepted() -> None:
    scenario_module = pytest.importorskip("energyopt.scenario")
    if not hasattr(scenario_module, "CommunitySpec"):
        pytest.skip("CommunitySpec not in energyopt.scenario yet")
    spec = scenario_module.CommunitySpec(households={"tier3": 10}, water_pumps=1)
    from_spec = community_load_kw(SimpleNamespace(community=spec), WEEK)
    from_object = community_load_kw(SimpleNamespace(households={"tier3": 10}, water_pumps=1),
                                    WEEK)
    pd.testing.assert_series_equal(from_spec, from_object)
    assert community_counts(SimpleNamespace(community=spec)) == {"tier3": 10.0,
                                                                   "water_pump": 1.0}


def test_the_csv_route_reads_a_measured_profile(tmp_path: Path) -> None:
    stamps = pd.date_range("2025-01-06", periods=7 * 24, freq="h")
    kw = 50.0 + 30.0 * np.sin(np.arange(len(stamps)) / 24.0 * 2 * np.pi)
    path = tmp_path / "community.csv"
    pd.DataFrame({"time": stamps.strftime("%Y-%m-%d %H:%M"), "kw": kw}).to_csv(path,
                                                                                index=False)
    scenario = SimpleNamespace(community=SimpleNamespace(csv=path, column="kw"),
                               resolve_path=lambda p: tmp_path / p)
    load = community_load_kw(scenario, WEEK)
    np.testing.assert_allclose(load.to_numpy(), kw, rtol=1e-9)
    flat = community_load_kw({"community": {"constant_kw": 42.0}}, WEEK)
    assert (flat == 42.0).all()


@pytest.mark.parametrize(("spec", "field"), [
    ({"households": {"tier7": 3}}, "community.households.tier7"),
    ({"households": {"tier2": -1}}, "community.households.tier2"),
    ({"productive": {"mil": 2}}, "community.productive.mil"),
    ({"productive": {"tier2": 2}}, "community.productive.tier2"),
    ({"schools": "many"}, "community.schools"),
    ({"households": {}}, "community.households"),
    ({"csv": "x.csv", "water_pumps": 1}, "community.csv"),
])
def test_errors_name_the_field(spec: dict[str, object], field: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        community_load_kw({"community": spec}, WEEK)
    assert field in str(caught.value)


def test_an_unknown_facility_suggests_the_close_key() -> None:
    with pytest.raises(ScenarioError, match="Did you mean 'mill'"):
        community_counts({"community": {"productive": {"mil": 1}}})
