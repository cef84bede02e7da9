"""The camp archetypes against published camp-load evidence (data/load_evidence.csv).

Each compared row of the file names a quantity, a published value and a tolerance with its
reason, and the camp to build for it (archetype, site, head count). The camp is built here with
energyopt's own load API over a full hourly year on the site's normal climate, and the outcome
must match the ``status`` the file records: a row marked ``agrees`` fails when the archetype
leaves the tolerance, a row marked ``disagrees`` fails when it comes back inside (the file, and
the report built from it, must then be updated). Parameter rows (``check_site`` empty) compare
the value of ``data/load_archetypes.csv`` itself.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import energyopt
from energyopt import data
from energyopt import load as lp

EVIDENCE = data.load_evidence()
COMPARED = EVIDENCE[EVIDENCE["comparison"] != "not_compared"]


def _profile(site: str, archetype: str, personnel: float, **load: Any) -> lp.LoadProfile:
    """Load of a camp over a full hourly year on the site's normal climate (no weather)."""
    scenario = energyopt.load_scenario({
        "site": site, "horizon": {"start": "2025-01-01", "days": 365},
        "load": {"archetype": archetype, "personnel": personnel, **load},
        "diesel": {"units": [{"name": "g", "rated_kw": 100, "max_count": 1}]}})
    index = pd.date_range(pd.Timestamp("2025-01-01", tz=scenario.site_spec().timezone),
                          periods=8760, freq="h")
    return lp.load_inputs(scenario, index, None)


def _cooling_kw(site: str, archetype: str, personnel: float) -> pd.Series:
    """Cooling part of the load [kW]: the load minus its non-cooling part, noise off.

    With ``cooling_share`` 0 the personnel load is all activity (``P e / 24`` times the
    activity shape); the archetype's non-cooling part is ``1 - cooling_share`` of that.
    """
    share = data.load_archetype(archetype)["cooling_share"]
    quiet = {"noise_day_fraction": 0.0, "noise_hour_fraction": 0.0}
    full = _profile(site, archetype, personnel, **quiet).load_kw
    activity = _profile(site, archetype, personnel, cooling_share=0.0, **quiet).load_kw
    return full - (1.0 - share) * activity


def _archetype_value(row: pd.Series) -> float:
    """The archetype's value of the row's quantity, computed from a built camp."""
    quantity, archetype = str(row["quantity"]), str(row["check_archetype"])
    if not row["check_site"]:
        return float(data.load_archetype(
            archetype if archetype != data.LOAD_ARCHETYPE_ALL else "battalion_hq")[quantity])
    site, people = str(row["check_site"]), float(row["check_personnel"])
    if quantity == "cooling_share_realized":
        cooling = _cooling_kw(site, archetype, people)
        total = _profile(site, archetype, people, noise_day_fraction=0.0,
                         noise_hour_fraction=0.0).load_kw
        return float(cooling.sum() / total.sum())
    if quantity == "night_cooling_hot_month":
        cooling = _cooling_kw(site, archetype, people)
        scenario = energyopt.load_scenario({
            "site": site, "load": {"archetype": archetype, "personnel": people},
            "diesel": {"units": [{"name": "g", "rated_kw": 100, "max_count": 1}]}})
        monthly = scenario.site_spec().monthly_temp_air_c
        assert monthly is not None, f"site {site} has no monthly climate"
        hottest = int(np.argmax(monthly)) + 1
        night = cooling[(cooling.index.month == hottest) & (cooling.index.hour >= 3)
                        & (cooling.index.hour < 5)]
        return float(night.min())
    load = _profile(site, archetype, people).load_kw
    if quantity in ("kw_per_person_peak", "kw_per_person_capacity"):
        return float(load.max() / people)
    if quantity == "kwh_per_person_day":
        return float(load.mean() * 24.0 / people)
    if quantity == "median_to_peak_ratio":
        return float(load.median() / load.max())
    raise AssertionError(f"no check written for quantity {quantity!r}")


def _within(row: pd.Series, got: float) -> bool:
    value, tol = float(row["value"]), float(row["tolerance"])
    kind = row["comparison"]
    if kind == "range":
        return abs(got - value) <= tol * abs(value)
    if kind == "lower_bound":
        return got >= value * (1.0 - tol)
    if kind == "upper_bound":
        return got <= value * (1.0 + tol)
    if kind == "greater_than":
        return got > value
    raise AssertionError(f"unknown comparison {kind!r}")


@pytest.mark.parametrize("evidence_id", list(COMPARED.index))
def test_archetype_against_published_evidence(evidence_id: str) -> None:
    row = COMPARED.loc[evidence_id]
    got = _archetype_value(row)
    inside = _within(row, got)
    expected = row["status"] == "agrees"
    assert inside == expected, (
        f"{evidence_id}: the archetype gives {row['quantity']} = {got:.4g} {row['unit']} against "
        f"{row['comparison']} {row['value']:g} (tolerance {row['tolerance']:g}); the file "
        f"records '{row['status']}'. Update data/load_evidence.csv and report the change.")


def test_every_compared_row_is_traceable() -> None:
    assert len(COMPARED) >= 5
    for evidence_id, row in EVIDENCE.iterrows():
        assert row["address"].startswith("http"), evidence_id
        assert len(row["quote"]) > 40, evidence_id
        if row["grade"] == "D":
            assert row["derivation"], f"{evidence_id}: a derived figure must show its arithmetic"


def test_derived_values_follow_their_quoted_figures() -> None:
    # the arithmetic of the derivation column, redone from the quoted figures
    assert math.isclose(EVIDENCE.loc["force_provider_capacity", "value"], 1100 / 600,
                        abs_tol=0.005)
    assert math.isclose(EVIDENCE.loc["bagram_capacity", "value"], 56_000 / 40_000)
    assert math.isclose(EVIDENCE.loc["usmc_median_loading", "value"], 0.32 / 0.80)
    assert math.isclose(EVIDENCE.loc["unifil_unp_1_31", "value"], 70_000 / 365 / 25,
                        abs_tol=0.005)


def test_cooling_part_is_the_share_at_the_reference_climate() -> None:
    # the decomposition used above: at the Sahel reference climate (Timbuktu: Sahel zone, no
    # published normals) the cooling part is the cooling_share of the year's energy, by the
    # archetype's calibration
    share = data.load_archetype("battalion_hq")["cooling_share"]
    cooling = _cooling_kw("timbuktu", "battalion_hq", 850)
    total = _profile("timbuktu", "battalion_hq", 850, noise_day_fraction=0.0,
                     noise_hour_fraction=0.0).load_kw
    assert cooling.min() >= -1e-9
    assert cooling.sum() / total.sum() == pytest.approx(share, abs=0.01)


def test_malformed_evidence_is_refused(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (data.data_dir() / data.LOAD_EVIDENCE_FILE).read_text(encoding="utf-8")
    bad = text.replace(",agrees\n", ",maybe\n", 1)
    (tmp_path / data.LOAD_EVIDENCE_FILE).write_text(bad, encoding="utf-8")
    monkeypatch.setattr(data, "data_dir", lambda: tmp_path)
    data._load_evidence_table.cache_clear()
    try:
        with pytest.raises(ValueError, match="status"):
            data.load_evidence()
    finally:
        data._load_evidence_table.cache_clear()
