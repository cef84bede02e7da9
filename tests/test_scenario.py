"""Tests of energyopt.scenario: validation, error messages, overrides, defaults and YAML."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import energyopt
from energyopt import data
from energyopt.errors import Problem

Mutator = Callable[[dict[str, Any], Path], None]


def _hourly(n: int = 48) -> pd.DatetimeIndex:
    """Hourly tz-aware labels of the tiny scenario's two days at Gao."""
    return pd.date_range("2025-01-01", periods=n, freq="h", tz="Africa/Bamako")


def _write_load_csv(path: Path, values: list[float] | np.ndarray, column: str = "kw") -> Path:
    frame = pd.DataFrame({column: np.asarray(values, dtype=float)},
                         index=_hourly(len(values)).rename("timestamp"))
    frame.to_csv(path)
    return path


def _raises(scenario: dict[str, Any], *, build: bool) -> energyopt.ScenarioError:
    """Load (and build the inputs of) ``scenario``; return the ScenarioError it must raise."""
    if build:  # series problems are found when the inputs are built, not before
        loaded = energyopt.load_scenario(scenario)
        with pytest.raises(energyopt.ScenarioError) as info:
            energyopt.build_inputs(loaded)
    else:
        with pytest.raises(energyopt.ScenarioError) as info:
            energyopt.load_scenario(scenario)
    return info.value


def _problem(exc: energyopt.ScenarioError, field: str) -> Problem:
    fields = [p.field for p in exc.problems]
    assert field in fields, f"{field!r} not among the reported fields {fields}"
    return next(p for p in exc.problems if p.field == field)


# --------------------------------------------------------------------------------------------
# Malformed scenarios
# --------------------------------------------------------------------------------------------
def _set(section: str, **values: Any) -> Mutator:
    def mutate(s: dict[str, Any], _tmp: Path) -> None:
        s.setdefault(section, {}).update(values)
    return mutate


def _set_unit(**values: Any) -> Mutator:
    def mutate(s: dict[str, Any], _tmp: Path) -> None:
        s["diesel"]["units"][0].update(values)
    return mutate


def _replace(key: str, value: Any) -> Mutator:
    def mutate(s: dict[str, Any], _tmp: Path) -> None:
        s[key] = copy.deepcopy(value)
    return mutate


def _nan_load(s: dict[str, Any], _tmp: Path) -> None:
    values = np.full(48, 200.0)
    values[5] = np.nan
    s["load"] = {"series": pd.Series(values, index=_hourly())}


def _negative_load(s: dict[str, Any], _tmp: Path) -> None:
    values = np.full(48, 200.0)
    values[7] = -3.0
    s["load"] = {"series": pd.Series(values, index=_hourly())}


def _short_pv(s: dict[str, Any], _tmp: Path) -> None:
    s["solar"] = {"pv_kw_per_kwp": {"series": pd.Series(np.full(47, 0.2))}}


def _duplicate_units(s: dict[str, Any], _tmp: Path) -> None:
    s["diesel"]["units"].append(dict(s["diesel"]["units"][0]))


def _missing_csv(s: dict[str, Any], tmp: Path) -> None:
    s["load"] = {"csv": str(tmp / "no_such_load.csv")}


def _missing_column(s: dict[str, Any], tmp: Path) -> None:
    s["load"] = {"csv": str(_write_load_csv(tmp / "load.csv", np.full(48, 150.0))),
                 "column": "load_kw"}


MALFORMED = [
    # (mutation, offending field, build the inputs too?, fragment of that problem's message)
    pytest.param(_set("solar", max_kwp=-5), "solar.max_kwp", False, ">= 0",
                 id="negative-pv-max-kwp"),
    pytest.param(_set("battery", existing_kwh=-1), "battery.existing_kwh", False, ">= 0",
                 id="negative-battery-existing-kwh"),
    pytest.param(_set("battery", roundtrip_efficiency=1.2), "battery.roundtrip_efficiency",
                 False, "<= 1", id="efficiency-above-one"),
    pytest.param(_set("battery", min_soc=1.0), "battery.min_soc", False, "< 1",
                 id="min-soc-one"),
    pytest.param(_replace("site", "gaoo"), "site", False, "'gao'", id="unknown-site"),
    pytest.param(_replace("site", {"latitude": 1, "longitude": 2, "timezone": "Africa/Gomaa"}),
                 "site.timezone", False, "timezone", id="invalid-timezone"),
    pytest.param(_replace("site", {"latitude": 95, "longitude": 2, "timezone": "Africa/Bamako"}),
                 "site.latitude", False, "<= 90", id="latitude-95"),
    pytest.param(_nan_load, "load.series", True, "missing", id="nan-in-load-series"),
    pytest.param(_negative_load, "load.series", True, "outside", id="negative-load-value"),
    pytest.param(_short_pv, "solar.pv_kw_per_kwp.series", True, "48", id="pv-series-47-values"),
    pytest.param(_set("battery", max_kwhh=10), "battery.max_kwhh", False,
                 "did you mean 'max_kwh'", id="unknown-key-did-you-mean"),
    pytest.param(_replace("wind_turbine", {"max_kw": 10}), "wind_turbine", False, "unknown key",
                 id="unknown-top-level-section"),
    # cross-field checks are reported on the enclosing section and name both fields
    pytest.param(_set_unit(max_count=1), "diesel.units.0", False, "existing",
                 id="max-count-below-existing"),
    pytest.param(_duplicate_units, "diesel", False, "g200", id="duplicate-unit-names"),
    pytest.param(_set("diesel", units=[]), "diesel.units", False, "at least 1",
                 id="empty-diesel-units"),
    pytest.param(_set("load", archetype="team_site"), "load", False, "archetype",
                 id="two-load-routes"),
    pytest.param(_replace("load", {"archetype": "team_site"}), "load", False, "personnel",
                 id="archetype-without-personnel"),
    pytest.param(_set("horizon", step_minutes=7), "horizon.step_minutes", False, "1440",
                 id="step-not-dividing-day"),
    pytest.param(_set("horizon", years=0), "horizon.years", False, ">= 1",
                 id="horizon-years-zero"),
    pytest.param(_set("horizon", discount_rate=0.9), "horizon.discount_rate", False, "<= 0.5",
                 id="discount-rate-0.9"),
    pytest.param(_missing_csv, "load.csv", True, "not found", id="load-csv-missing"),
    pytest.param(_missing_column, "load.column", True, "'kw'", id="load-csv-column-missing"),
    pytest.param(_set_unit(name="4g"), "diesel.units.0.name", False, "start with a letter",
                 id="bad-unit-name"),
    pytest.param(_set("fuel", price_usd_per_l="cheap"), "fuel.price_usd_per_l", False,
                 "number", id="price-not-a-number"),
]


@pytest.mark.parametrize(("mutate", "field", "build", "fragment"), MALFORMED)
def test_malformed_scenario_names_field(tiny: dict[str, Any], tmp_path: Path, mutate: Mutator,
                                        field: str, build: bool, fragment: str) -> None:
    mutate(tiny, tmp_path)
    exc = _raises(tiny, build=build)
    problem = _problem(exc, field)
    assert f"{field} = " in str(exc)
    assert fragment in problem.message


def test_tiny_is_valid(tiny: dict[str, Any]) -> None:
    scenario = energyopt.load_scenario(tiny)
    assert scenario.site == "gao"
    assert scenario.horizon.days == 2
    assert scenario.load.constant_kw == 200.0
    assert [(u.name, u.existing, u.max_count) for u in scenario.diesel.units] == [("g200", 2, 3)]


def test_site_key_is_case_insensitive(tiny: dict[str, Any]) -> None:
    tiny["site"] = "GAO"
    assert energyopt.load_scenario(tiny).site == "gao"


def test_all_problems_reported_at_once(tiny: dict[str, Any]) -> None:
    tiny["battery"] = {"min_soc": 1.0}
    tiny["horizon"]["years"] = 0
    tiny["fuel"] = {"price_usd_per_l": "cheap"}
    exc = _raises(tiny, build=False)
    assert len(exc.problems) >= 3
    fields = {p.field for p in exc.problems}
    assert {"battery.min_soc", "horizon.years", "fuel.price_usd_per_l"} <= fields
    assert str(exc).startswith(f"{len(exc.problems)} problem(s)")


def test_min_soc_message_gives_the_bound(tiny: dict[str, Any]) -> None:
    tiny["battery"] = {"min_soc": 1.0}
    problem = _problem(_raises(tiny, build=False), "battery.min_soc")
    assert "< 1" in problem.message
    assert problem.value == 1.0


def test_unknown_site_message_names_the_fix(tiny: dict[str, Any]) -> None:
    tiny["site"] = "gaoo"
    exc = _raises(tiny, build=False)
    problem = _problem(exc, "site")
    assert "energyopt sites" in problem.message
    assert "did you mean 'gao'" in problem.message.lower()
    assert len(exc.problems) == 1  # the SiteSpec branch of the union is not reported as well


def test_missing_required_section_is_reported(tiny: dict[str, Any]) -> None:
    del tiny["diesel"]
    problem = _problem(_raises(tiny, build=False), "diesel")
    assert "missing" in problem.message


# --------------------------------------------------------------------------------------------
# Overrides
# --------------------------------------------------------------------------------------------
def test_override_returns_new_scenario(tiny: dict[str, Any]) -> None:
    base = energyopt.load_scenario(tiny)
    before = base.fuel.price_usd_per_l
    new = base.with_overrides({"fuel.price_usd_per_l": 1.4})
    assert isinstance(new, energyopt.Scenario)
    assert new is not base
    assert new.fuel.price_usd_per_l == 1.4
    assert base.fuel.price_usd_per_l == before == data.default("fuel.price_usd_per_l")
    assert new.diesel.units[0].existing == base.diesel.units[0].existing == 2


def test_override_unit_by_name(tiny: dict[str, Any]) -> None:
    base = energyopt.load_scenario(tiny)
    new = base.with_overrides({"diesel.units.g200.existing": 3})
    assert new.diesel.units[0].existing == 3
    assert base.diesel.units[0].existing == 2


def test_override_unit_by_index(tiny: dict[str, Any]) -> None:
    base = energyopt.load_scenario(tiny)
    new = base.with_overrides({"diesel.units.0.max_count": 5})
    assert new.diesel.units[0].max_count == 5
    assert base.diesel.units[0].max_count == 3


def test_override_several_paths(tiny: dict[str, Any]) -> None:
    new = energyopt.load_scenario(tiny).with_overrides(
        {"battery.max_kwh": 500, "horizon.days": 3, "load.constant_kw": 250})
    assert (new.battery.max_kwh, new.horizon.days, new.load.constant_kw) == (500, 3, 250)


def test_override_unknown_path_did_you_mean(tiny: dict[str, Any]) -> None:
    base = energyopt.load_scenario(tiny)
    with pytest.raises(energyopt.ScenarioError) as info:
        base.with_overrides({"fuel.price_usd_per_lx": 1})
    problem = _problem(info.value, "fuel.price_usd_per_lx")
    assert "fuel.price_usd_per_lx" in str(info.value)
    assert "did you mean 'price_usd_per_l'" in problem.message


def test_override_invalid_value(tiny: dict[str, Any]) -> None:
    base = energyopt.load_scenario(tiny)
    with pytest.raises(energyopt.ScenarioError) as info:
        base.with_overrides({"battery.min_soc": 2})
    problem = _problem(info.value, "battery.min_soc")
    assert "battery.min_soc" in str(info.value)
    assert problem.value == 2
    assert base.battery.min_soc == data.default("battery.min_soc")


def test_override_missing_unit_name(tiny: dict[str, Any]) -> None:
    base = energyopt.load_scenario(tiny)
    with pytest.raises(energyopt.ScenarioError) as info:
        base.with_overrides({"diesel.units.g999.existing": 1})
    problem = _problem(info.value, "diesel.units.g999.existing")
    assert "g999" in problem.message
    assert "g200" in problem.message  # lists the units that do exist


def test_override_error_message_keeps_its_quotes(tiny: dict[str, Any]) -> None:
    # The KeyError text is "'diesel.units.g999': no item named 'g999'; ..."; stripping quotes
    # off str(KeyError) must not eat the opening quote of the path.
    base = energyopt.load_scenario(tiny)
    with pytest.raises(energyopt.ScenarioError) as info:
        base.with_overrides({"diesel.units.g999.existing": 1})
    message = _problem(info.value, "diesel.units.g999.existing").message
    assert message.count("'") % 2 == 0, message


def test_override_index_out_of_range(tiny: dict[str, Any]) -> None:
    base = energyopt.load_scenario(tiny)
    with pytest.raises(energyopt.ScenarioError) as info:
        base.with_overrides({"diesel.units.4.existing": 1})
    assert "out of range" in _problem(info.value, "diesel.units.4.existing").message


# --------------------------------------------------------------------------------------------
# Defaults
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("section", "name"),
    [
        ("battery", "roundtrip_efficiency"),
        ("battery", "min_soc"),
        ("fuel", "casualties_per_convoy"),
        ("fuel", "price_usd_per_l"),
        ("horizon", "discount_rate"),
        ("load", "critical_fraction"),
        ("solar", "capex_usd_per_kwp"),
        ("reliability", "reserve_load_fraction"),
    ],
)
def test_defaults_come_from_data(tiny: dict[str, Any], section: str, name: str) -> None:
    scenario = energyopt.load_scenario(tiny)
    key = f"{'pv' if section == 'solar' else section}.{name}"
    assert getattr(getattr(scenario, section), name) == data.default(key)


def test_diesel_unit_defaults_come_from_data(tiny: dict[str, Any]) -> None:
    unit = energyopt.load_scenario(tiny).diesel.units[0]
    assert unit.min_load_fraction == data.default("diesel.min_load_fraction")
    assert unit.fuel_slope_l_per_kwh == data.default("diesel.fuel_slope_l_per_kwh")
    assert unit.unit_capex_usd == pytest.approx(200 * data.default("diesel.capex_usd_per_kw"))


# --------------------------------------------------------------------------------------------
# YAML
# --------------------------------------------------------------------------------------------
def _yaml_camp(folder: Path, tiny: dict[str, Any]) -> tuple[Path, np.ndarray]:
    folder.mkdir(parents=True, exist_ok=True)
    values = 100.0 + np.arange(48.0)
    _write_load_csv(folder / "load.csv", values)
    content = dict(tiny, name="yaml camp", load={"csv": "load.csv"})
    path = folder / "camp.yaml"
    path.write_text(yaml.safe_dump(content), encoding="utf-8")
    return path, values


def test_yaml_csv_relative_to_yaml_folder(tiny: dict[str, Any], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path, values = _yaml_camp(tmp_path / "camp", tiny)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    scenario = energyopt.load_scenario(path)
    assert scenario.name == "yaml camp"
    assert scenario.base_dir == path.parent.resolve()
    inputs = energyopt.build_inputs(scenario)
    np.testing.assert_array_equal(inputs.load_kw.to_numpy(), values)
    assert inputs.load_kw.index.equals(inputs.index)
    # an override keeps the folder that relative paths resolve against
    overridden = scenario.with_overrides({"fuel.price_usd_per_l": 1.4})
    np.testing.assert_array_equal(energyopt.build_inputs(overridden).load_kw.to_numpy(), values)


def test_yaml_given_as_str_path(tiny: dict[str, Any], tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    path, values = _yaml_camp(tmp_path / "camp", tiny)
    monkeypatch.chdir(tmp_path)
    scenario = energyopt.load_scenario("camp/camp.yaml")
    monkeypatch.chdir(tmp_path / "camp")  # moving after loading must not matter
    assert energyopt.build_inputs(scenario).load_kw.iloc[-1] == values[-1]


def test_yaml_list_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- site: gao\n- load: {constant_kw: 200}\n", encoding="utf-8")
    with pytest.raises(energyopt.ScenarioError) as info:
        energyopt.load_scenario(path)
    assert "mapping" in _problem(info.value, "scenario").message


def test_invalid_yaml_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("site: [gao\nload: {constant_kw: 200\n", encoding="utf-8")
    with pytest.raises(energyopt.ScenarioError) as info:
        energyopt.load_scenario(path)
    assert "YAML" in _problem(info.value, "scenario").message


def test_missing_yaml_file(tmp_path: Path) -> None:
    with pytest.raises(energyopt.ScenarioError) as info:
        energyopt.load_scenario(tmp_path / "nope.yaml")
    assert "not found" in _problem(info.value, "scenario").message


def test_yaml_errors_name_the_file(tiny: dict[str, Any], tmp_path: Path) -> None:
    tiny["battery"] = {"min_soc": 1.0}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(tiny), encoding="utf-8")
    with pytest.raises(energyopt.ScenarioError) as info:
        energyopt.load_scenario(path)
    assert info.value.source == str(path)
    assert str(path) in str(info.value)
    _problem(info.value, "battery.min_soc")
