"""Sizing on a bad weather year: ``solar.design_percentile``.

The order statistic is recomputed here from :func:`weather_years` and :func:`solar_inputs`
(not through :mod:`energyopt.resource.design`). The multi-year file is a SYNTHETIC NASA POWER
fixture written to ``tmp_path`` (a smooth bell of irradiance, one scale per year), not a
measurement of any place.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import energyopt as eo
from energyopt import resource
from energyopt.cli import summary
from energyopt.errors import ScenarioError
from energyopt.inputs import HOURS_PER_YEAR, build_inputs, time_index
from energyopt.report.render import render_markdown
from energyopt.resource import solar_inputs, weather_years
from energyopt.resource.design import nearest_rank


def _scenario(**solar: Any) -> eo.Scenario:
    return eo.load_scenario({
        "site": "gao",
        "load": {"archetype": "battalion_hq", "personnel": 850},
        "solar": {"tilt_deg": 15, "azimuth_deg": 180, **solar},
        "diesel": {"units": [{"name": "g", "rated_kw": 400, "max_count": 6}]},
    })


def _yield(scenario: eo.Scenario) -> float:
    index = time_index(scenario)
    _, pv = solar_inputs(scenario, index)
    return float(pv.sum()) * HOURS_PER_YEAR / len(index)  # hourly steps over a full year


@pytest.fixture(scope="module")
def typical_yield() -> float:
    """The typical year's yield, straight from the resource model (seed unset) [kWh/kWp]."""
    return _yield(_scenario())


@pytest.fixture(scope="module")
def typical() -> eo.Inputs:
    return build_inputs(_scenario())


@pytest.fixture(scope="module")
def p90() -> eo.Inputs:
    return build_inputs(_scenario(design_percentile=90))


def test_unset_keeps_the_typical_year(typical: eo.Inputs, typical_yield: float) -> None:
    assert typical.design_year is None
    assert typical.weather_notes == ()
    assert float(typical.pv_kw_per_kwp.sum()) == pytest.approx(typical_yield, rel=1e-6)
    again = build_inputs(_scenario().with_overrides({"solar.design_percentile": None}))
    pd.testing.assert_series_equal(again.pv_kw_per_kwp, typical.pv_kw_per_kwp)
    pd.testing.assert_series_equal(again.load_kw, typical.load_kw)
    pd.testing.assert_frame_equal(again.weather, typical.weather)


def test_p90_is_the_third_lowest_of_30_and_below_the_typical_year(
        typical: eo.Inputs, p90: eo.Inputs, typical_yield: float) -> None:
    base = _scenario(design_percentile=90)
    overrides = weather_years(base, 30)
    assert len(overrides) == 30
    yields = np.array([_yield(base.with_overrides(o)) for o in overrides])
    order = np.argsort(yields, kind="stable")
    expected = overrides[int(order[2])]  # ceil(0.10 * 30) = 3rd lowest: 27 of 30 years beat it
    assert int((yields > yields[order[2]]).sum()) == 27

    chosen = p90.design_year
    assert chosen is not None
    assert dict(chosen.override) == expected
    assert chosen.rank == 3
    assert chosen.n_years == 30
    assert chosen.yield_kwh_per_kwp == pytest.approx(yields[order[2]], rel=1e-9)
    assert chosen.yield_kwh_per_kwp <= typical_yield
    assert chosen.typical_yield_kwh_per_kwp == pytest.approx(typical_yield, rel=1e-6)
    # the inputs are the chosen year's, load (cooling) included
    direct = build_inputs(_scenario().with_overrides(
        {k: v for k, v in expected.items() if k != "solar.design_percentile"}))
    pd.testing.assert_series_equal(p90.pv_kw_per_kwp, direct.pv_kw_per_kwp)
    pd.testing.assert_series_equal(p90.load_kw, direct.load_kw)
    assert not p90.load_kw.equals(typical.load_kw)
    seed = expected["solar.seed"]
    note = p90.weather_notes[0]
    assert note.startswith(f"designed on weather year seed {seed}, the P90 year")
    assert (f"{chosen.yield_kwh_per_kwp:,.0f} kWh/kWp against {typical_yield:,.0f} in the "
            "typical year") in note
    assert "27 of 30 years yield more" in note


def test_the_choice_is_deterministic(p90: eo.Inputs) -> None:
    resource._pv_cached.cache_clear()
    again = build_inputs(_scenario(design_percentile=90))
    assert again.design_year is not None
    assert p90.design_year is not None
    assert again.design_year.override == p90.design_year.override
    pd.testing.assert_series_equal(again.design_year.yields, p90.design_year.yields)
    pd.testing.assert_series_equal(again.pv_kw_per_kwp, p90.pv_kw_per_kwp)


@pytest.mark.parametrize(("n", "p", "k"), [(30, 90, 3), (30, 50, 15), (30, 100, 1),
                                           (30, 0, 30), (20, 90, 2), (3, 90, 1), (3, 50, 2),
                                           (10, 95, 1), (1, 90, 1), (30, 99, 1)])
def test_nearest_rank(n: int, p: float, k: int) -> None:
    assert nearest_rank(n, p) == k
    assert k == max(1, math.ceil(round((100 - p) / 100 * n, 9)))


def test_ensemble_overrides_name_their_own_year() -> None:
    sc = _scenario(design_percentile=90, design_ensemble_years=5)
    overrides = weather_years(sc, 3)
    assert all(o["solar.design_percentile"] is None and "solar.seed" in o for o in overrides)
    assert [o["solar.seed"] for o in overrides] == [o["solar.seed"]
                                                    for o in weather_years(_scenario(), 3)]
    year = sc.with_overrides(overrides[0])
    assert year.solar.seed == overrides[0]["solar.seed"]
    assert year.solar.design_percentile is None


@pytest.mark.parametrize("solar", [
    {"seed": 3},
    {"weather": {"pvgis": True}},
    {"pv_kw_per_kwp": {"csv": "pv.csv"}},
])
def test_a_year_named_otherwise_is_refused(solar: dict[str, Any]) -> None:
    with pytest.raises(ScenarioError, match="design_percentile"):
        _scenario(design_percentile=90, **solar)


# --------------------------------------------------------------------------------------------
# A multi-year file (SYNTHETIC, written here)
# --------------------------------------------------------------------------------------------
GAO = (16.27, -0.04)
#: Scale of each year's irradiance in the synthetic file [-]: 2020 is the dull year.
SCALES = {2019: 1.0, 2020: 0.85, 2021: 1.1}


def _nasa_power(path: Path) -> Path:
    hours = pd.date_range("2019-01-01", "2022-01-01", freq="h", inclusive="left")

    def ghi(h: pd.Timestamp) -> float:
        mid = h.hour + 0.5
        bell = 0.0 if not 6.0 < mid < 18.0 else 900.0 * math.sin(math.pi * (mid - 6.0) / 12.0)
        return round(bell * SCALES[h.year], 1)

    header = [
        "-BEGIN HEADER-",
        "NASA/POWER hourly data (SYNTHETIC test fixture, not downloaded data)",
        "Dates (month/day/year): 01/01/2019 through 12/31/2021 in UTC",
        f"Location: Latitude  {GAO[0]}   Longitude {GAO[1]} ",
        "Elevation from MERRA-2: Average for 0.5 x 0.625 degree lat/lon region = 265.0 meters",
        "The value for missing source data that cannot be computed or is outside of the "
        "sources availability range: -999 ",
        "Parameter(s): ",
        "ALLSKY_SFC_SW_DWN     CERES SYN1deg All Sky Surface Shortwave Downward Irradiance "
        "(Wh/m^2) ",
        "T2M                   MERRA-2 Temperature at 2 Meters (C) ",
        "-END HEADER-",
        "YEAR,MO,DY,HR,ALLSKY_SFC_SW_DWN,T2M",
    ]
    rows = [f"{h.year},{h.month},{h.day},{h.hour},{ghi(h)},28.0" for h in hours]
    path.write_text("\n".join(header + rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("percentile", "year"), [(90, 2020), (50, 2019), (0, 2021)])
def test_a_multi_year_file_gives_its_real_years(tmp_path: Path, percentile: float,
                                                year: int) -> None:
    path = _nasa_power(tmp_path / "gao_series.csv")
    sc = _scenario(weather={"file": str(path)}, design_percentile=percentile)
    inputs = build_inputs(sc)
    chosen = inputs.design_year
    assert chosen is not None
    assert list(chosen.yields.index) == ["2019", "2020", "2021"]
    assert chosen.override == {"solar.weather.year": year, "solar.design_percentile": None}
    direct = build_inputs(_scenario(weather={"file": str(path), "year": year}))
    pd.testing.assert_series_equal(inputs.pv_kw_per_kwp, direct.pv_kw_per_kwp)
    assert inputs.weather_notes[0].startswith(f"designed on weather year {year}, the "
                                              f"P{percentile} year by PV yield of 3 years of "
                                              f"weather file {path}")
    typical = _scenario(weather={"file": str(path)})  # the file's own typical year
    assert chosen.typical_yield_kwh_per_kwp == pytest.approx(_yield(typical), rel=1e-9)
    ratio = chosen.yields["2020"] / chosen.yields["2019"]
    assert 0.8 < ratio < 0.9  # about the irradiance scale (PV is not quite linear in it)


def test_a_typical_year_file_is_refused() -> None:
    fixture = Path(__file__).parent / "fixtures" / "weather" / "synthetic_tmy3.csv"
    sc = eo.load_scenario({
        "site": "juba", "load": {"constant_kw": 100.0},
        "solar": {"weather": {"file": str(fixture)}, "design_percentile": 90},
        "diesel": {"units": [{"name": "g", "rated_kw": 200.0, "max_count": 2}]}})
    with pytest.raises(ScenarioError, match="solar.design_percentile") as info:
        build_inputs(sc)
    assert "typical year" in str(info.value)


# --------------------------------------------------------------------------------------------
# A short optimisation
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def short_run(small_camp: dict[str, Any]) -> tuple[eo.Scenario, eo.Inputs, eo.SizingResult]:
    raw = copy.deepcopy(small_camp)
    raw["solar"] = {**raw["solar"], "design_percentile": 90}
    scenario = eo.load_scenario(raw)
    inputs = build_inputs(scenario)
    return scenario, inputs, eo.optimize(scenario, inputs=inputs, baseline=False)


def test_a_short_optimisation_names_its_design_year(
        short_run: tuple[eo.Scenario, eo.Inputs, eo.SizingResult]) -> None:
    scenario, inputs, result = short_run
    assert inputs.design_year is not None
    # a 4-day period ranks the years by those 4 days, scaled to a year
    hours = (inputs.duration_h * inputs.weight).sum()
    assert hours == pytest.approx(HOURS_PER_YEAR)
    label = inputs.design_year.label
    assert result.notes == list(inputs.weather_notes)
    assert result.notes[0].startswith(f"designed on weather year {label}, the P90 year")
    assert result.to_dict()["notes"] == result.notes
    assert f"Designed on weather year {label}" in render_markdown(result, scenario=scenario)
    assert f"note: designed on weather year {label}" in summary(result, scenario, inputs)
    assert result.solve_info.converged


def test_verify_operates_the_ensemble_years_not_the_design_year_again(
        short_run: tuple[eo.Scenario, eo.Inputs, eo.SizingResult]) -> None:
    scenario, inputs, result = short_run
    v = eo.verify(result, scenario, years=3, workers=1, blockade_days=(1,), inputs=inputs)
    seeds = [o["solar.seed"] for o in weather_years(scenario, 3)]
    assert list(v.years["year"]) == [f"seed {s}" for s in seeds]
    assert list(v.years["weather"]) == [f"solar.seed={s}" for s in seeds]
    assert v.years["fuel_l_per_year"].nunique() > 1  # three different years, not one
