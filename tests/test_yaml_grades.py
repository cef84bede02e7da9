"""Grades written in a scenario file's comments, and overrides graded U (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

import energyopt as eo
from energyopt.cli import _load
from energyopt.provenance import grade_counts
from energyopt.report import tables
from energyopt.yaml_grades import comment_grades, given_paths, normalise_path, weakest_grade

GAO = Path(__file__).resolve().parents[1] / "examples" / "gao.yaml"

TEXT = """\
name: graded camp
site: gao
horizon: {years: 12, discount_rate: 0.06}   # E: a flow mapping is not graded
load:
  constant_kw: 200            # not a grade: a plain comment
solar:
  capex_usd_per_kwp: 950      # D: quoted 800-1,100 USD/kWp,
                              #    plus a remote premium
  om_usd_per_kwp_year: 12     # S/E: secondary source, adjusted
  max_kwp: 500                # E
battery:
  capex_usd_per_kwh: "420"    # P - the signed quotation
diesel:
  units:
    - name: g200
      rated_kw: 200
      existing: 2             # Every set counted on site (not a grade: a word)
      max_count: 3
      capex_usd: 90000        # D: 450 USD/kW
"""


@pytest.fixture
def graded(tmp_path: Path) -> eo.Scenario:
    path = tmp_path / "graded.yaml"
    path.write_text(TEXT, encoding="utf-8")
    return eo.load_scenario(path)


def _rows(scenario: eo.Scenario) -> dict[str, tables.Assumption]:
    return {a.key: a for a in tables.assumptions(scenario)}


def test_comment_grades_by_path() -> None:
    grades = comment_grades(TEXT)
    assert grades["solar.capex_usd_per_kwp"] == (
        "D", "quoted 800-1,100 USD/kWp, plus a remote premium")
    assert grades["solar.om_usd_per_kwp_year"][0] == "E"  # S/E: the weaker
    assert grades["solar.max_kwp"] == ("E", "")
    assert grades["battery.capex_usd_per_kwh"] == ("P", "the signed quotation")
    assert grades["diesel.units.g200.capex_usd"] == ("D", "450 USD/kW")
    for path in ("horizon.years", "horizon.discount_rate", "load.constant_kw",
                 "diesel.units.g200.existing", "name"):
        assert path not in grades, path
    assert comment_grades("a: [unclosed") == {}
    assert weakest_grade("P / D") == "D"


def test_the_report_reads_the_file_grades(graded: eo.Scenario) -> None:
    rows = _rows(graded)
    assert rows["pv.capex_usd_per_kwp"].grade == "D"
    assert "remote premium" in rows["pv.capex_usd_per_kwp"].source
    assert rows["battery.capex_usd_per_kwh"].grade == "P"
    assert not rows["battery.capex_usd_per_kwh"].is_estimate
    # a diesel unit's capex per kW follows from its capex per unit
    assert rows["diesel.units.g200.capex_usd_per_kw"].grade == "D"
    assert rows["diesel.units.g200.capex_usd_per_kw"].value == pytest.approx(450.0)
    # the Gao example: its graded values are no longer "?"
    gao = _rows(eo.load_scenario(GAO))
    assert gao["diesel.units.g400.fuel_slope_l_per_kwh"].grade == "P"
    assert gao["fuel.casualties_per_convoy"].grade == "S"
    assert "?" not in {a.grade for a in gao.values()}


def test_overrides_are_graded_u_and_the_rest_survives(graded: eo.Scenario) -> None:
    changed = graded.with_overrides({"solar.capex_usd_per_kwp": 1200,
                                     "diesel.units.0.capex_usd": 110000,
                                     "battery.capex_usd_per_kwh": 420})
    rows = _rows(changed)
    pv = rows["pv.capex_usd_per_kwp"]
    assert pv.grade == "U"
    assert pv.value == 1200
    assert pv.source.startswith("user override")
    assert pv.is_estimate
    # the same unit by index: its capex per kW changed too
    assert rows["diesel.units.g200.capex_usd_per_kw"].grade == "U"
    # an override that keeps the value keeps the file's grade, and the others survive
    assert rows["battery.capex_usd_per_kwh"].grade == "P"
    assert rows["pv.max_kwp"].grade == "E"
    assert rows["pv.om_usd_per_kwp_year"].grade == "E"
    counts = grade_counts(changed)
    assert counts["U"] == 2
    # overriding again carries everything over; setting the table default takes its grade
    default = float(tables.assumptions()[[a.key for a in tables.assumptions()].index(
        "pv.capex_usd_per_kwp")].value)
    again = changed.with_overrides({"solar.capex_usd_per_kwp": default})
    rows = _rows(again)
    assert rows["pv.capex_usd_per_kwp"].grade not in ("U", "?")
    assert rows["diesel.units.g200.capex_usd_per_kw"].grade == "U"


def test_set_on_the_command_line_is_graded_u() -> None:
    scenario = _load(GAO, ["fuel.price_usd_per_l=1.4", "horizon.days=7"])
    rows = _rows(scenario)
    assert rows["fuel.price_usd_per_l"].grade == "U"
    assert rows["fuel.price_usd_per_l"].value == pytest.approx(1.4)
    assert rows["fuel.escort_usd_per_convoy"].grade == "E"  # from the file, untouched
    assert "?" not in {a.grade for a in rows.values()}


def test_values_energyopt_derives_stay_d_after_an_override() -> None:
    raw = {"site": "gao", "horizon": {"days": 2}, "load": {"constant_kw": 200},
           "fuel": {"threat_level": "extreme"},
           "diesel": {"units": [{"name": "g200", "rated_kw": 200, "existing": 2,
                                 "max_count": 2}]}}
    scenario = eo.load_scenario(raw)
    before = _rows(scenario)["fuel.casualties_per_convoy"]
    assert before.grade == "D"  # filled from the threat level, not given
    after = _rows(scenario.with_overrides({"fuel.price_usd_per_l": 1.3}))
    assert after["fuel.casualties_per_convoy"].grade == "D"
    assert after["fuel.price_usd_per_l"].grade == "U"


def test_paths() -> None:
    raw = {"diesel": {"units": [{"name": "g4", "existing": 1}, {"existing": 2}]}, "a": 1}
    assert given_paths(raw) == {"diesel.units.g4.name", "diesel.units.g4.existing",
                                "diesel.units.1.existing", "a"}
    assert normalise_path(raw, "diesel.units.0.existing") == "diesel.units.g4.existing"
    assert normalise_path(raw, "diesel.units.1.existing") == "diesel.units.1.existing"
    assert normalise_path(raw, "a") == "a"
