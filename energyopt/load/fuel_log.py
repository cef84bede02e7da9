"""Fuel logs: the energy the litres delivered, through the inverse of the fuel curve.

Fuel logs (``load: {fuel_log: ...}``)
-------------------------------------
For a set of rated power ``R`` running ``h`` hours at a mean loading ``l`` the fuel curve gives
``litres = h (F0 R + F1 l R)``, so the energy it delivered is
``E = litres * l / (F0 + F1 l)``. Running hours and loading are not in the log; the
assumption (camp practice: sets run around the clock) is that each logged set ran through the
whole period, at the loading ``l_cont`` its litres then imply; a set whose litres cannot keep
it running at ``fuel_log_loading_low`` (20%: "all but one set ran below 20% load", USMC 2013)
ran part time at that loading, and if the camp's sets together then leave hours uncovered the
loading is lowered until at least one set runs at every hour. A set whose litres exceed
full-load running through the period is an error (wrong rated kW or period). Running around
the clock is the least energy the litres allow, so it is also the low end of the reported
range; the high end takes ``fuel_log_loading_high`` (80%: sets sized so the peak is 80% of
rating) with the sets off once their fuel is spent (the camp partly supplied otherwise).
The mean implied loading is reported beside the observed median of ~32% (USMC 2013).
Daily energies are shaped by the archetype as for daily measured data; monthly energies
are spread over the month's days in proportion to the archetype's daily energies (so hotter
days take more). Missing days are filled from their neighbours (warning); the typical year is
built as for measured data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from energyopt import data
from energyopt.errors import ScenarioError
from energyopt.load.archetypes import _Archetype
from energyopt.load.common import _Notes, _shape_by_day, _step_dates, _step_h
from energyopt.load.measured import _fill_gaps, _flag_outliers, _typical_day_map
from energyopt.scenario import DieselUnit, Scenario
from energyopt.series import DEFAULT_PATHS_TEXT, read_text_csv

__all__ = ["fuel_log_daily_kwh", "read_fuel_log"]


# --------------------------------------------------------------------------------------------
# Fuel logs
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Genset:
    rated_kw: float
    f0: float
    f1: float


#: Fuel-log dates must lie within these years (a typo such as 0225 or 2205 is an error).
FUEL_LOG_YEARS = (1950, 2200)
#: Largest litres accepted in one row [L] (a 20 MW set at full load burns ~5,000 L/h).
MAX_ROW_LITRES = 1e8


def read_fuel_log(path: Path, field: str = "load.fuel_log", *,
                  paths: str = DEFAULT_PATHS_TEXT) -> tuple[pd.DataFrame, str]:
    """Read a fuel log: columns ``date``, ``generator``, ``litres`` (``#`` lines are comments).

    Parameters
    ----------
    path : Path
        The CSV file.
    field : str
        Scenario field of the fuel log, named in errors (``field + '.csv'``).
    paths : str
        Where relative paths start, shown when the file is missing.

    Returns
    -------
    tuple
        A frame with ``date`` (Timestamp of the day or month start), ``generator`` (str) and
        ``litres`` (float) [L], in date order; and ``"monthly"`` when every date is written
        YYYY-MM, else ``"daily"``.

    Raises
    ------
    ScenarioError
        Missing or empty file, missing columns, no rows, bad or implausible dates, blank
        generator names, non-numeric, infinite, negative or huge litres, or no fuel at all;
        each naming the row (row 1 is the header).
    """
    csv_field = f"{field}.csv"
    frame = read_text_csv(path, field, paths=paths)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame = frame.rename(columns={"liters": "litres", "fuel_l": "litres", "unit": "generator"})
    missing = [c for c in ("date", "generator", "litres") if c not in frame.columns]
    if missing:
        sep = next((c for c in (";", "\t", "|") if c in "".join(frame.columns)), None)
        hint = f"; the header looks separated by '{sep}': use commas" if sep else ""
        raise ScenarioError.single(csv_field, str(path), f"missing column(s) {missing}; a fuel "
                                   f"log has the columns date, generator, litres{hint}")
    if frame.empty:
        raise ScenarioError.single(csv_field, str(path), f"{path.name} has a header but no rows; "
                                   "give one row per generator and day (or month): date, "
                                   "generator, litres")
    rows = np.arange(len(frame)) + 2  # file rows, the header being row 1 (comments aside)
    text = frame["date"].str.strip()
    monthly_text = text.str.fullmatch(r"\d{4}-\d{2}")
    dates = pd.to_datetime(text.where(~monthly_text, text + "-01"), format="%Y-%m-%d",
                           errors="coerce")
    if dates.isna().any():
        i = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise ScenarioError.single(csv_field, text.iloc[i], f"bad date at row {rows[i]} of "
                                   f"{path.name}; write YYYY-MM-DD (or YYYY-MM for monthly "
                                   "totals) with a real calendar day")
    years = dates.dt.year.to_numpy()
    odd = np.flatnonzero((years < FUEL_LOG_YEARS[0]) | (years > FUEL_LOG_YEARS[1]))
    if odd.size:
        i = int(odd[0])
        raise ScenarioError.single(csv_field, text.iloc[i], f"date at row {rows[i]} of "
                                   f"{path.name} lies outside {FUEL_LOG_YEARS[0]}-"
                                   f"{FUEL_LOG_YEARS[1]}; check the year")
    if bool(monthly_text.any()) and not bool(monthly_text.all()):
        few_monthly = int(monthly_text.sum()) <= len(text) // 2
        odd_rows = (monthly_text if few_monthly else ~monthly_text).to_numpy()
        i = int(np.flatnonzero(odd_rows)[0])
        this, other = ("a month (YYYY-MM)", "a day") if few_monthly else (
            "a day", "a month (YYYY-MM)")
        raise ScenarioError.single(csv_field, text.iloc[i], f"row {rows[i]} of {path.name} "
                                   f"gives {this} while the other rows give {other}; write "
                                   "every date the same way")
    names = frame["generator"].str.strip()
    blank = np.flatnonzero((names == "").to_numpy())
    if blank.size:
        i = int(blank[0])
        raise ScenarioError.single(csv_field, "", f"no generator name at row {rows[i]} of "
                                   f"{path.name}; name the set (e.g. g400_1)")
    raw_litres = frame["litres"].str.strip()
    litres = pd.to_numeric(raw_litres, errors="coerce")
    if litres.isna().any():
        i = int(np.flatnonzero(litres.isna().to_numpy())[0])
        what = "blank litres" if raw_litres.iloc[i] == "" else "non-numeric litres"
        raise ScenarioError.single(csv_field, raw_litres.iloc[i],
                                   f"{what} in {path.name} at row {rows[i]}; give the litres "
                                   "as a number (decimal point '.', 0 for a day without fuel)")
    values = litres.to_numpy(dtype=float)
    checks = ((~np.isfinite(values), "infinite litres", "give the litres burned"),
              (values < 0, "negative litres", "give the litres burned (0 or more)"),
              (values > MAX_ROW_LITRES, f"litres above {MAX_ROW_LITRES:,.0f}",
               "check the unit (litres, not millilitres) and the data"))
    for mask, what, fix in checks:
        if mask.any():
            i = int(np.flatnonzero(mask)[0])
            raise ScenarioError.single(csv_field, float(values[i]),
                                       f"{what} in {path.name} at row {rows[i]}; {fix}")
    if float(values.sum()) <= 0.0:
        raise ScenarioError.single(csv_field, "0 L", f"{path.name} logs no fuel at all (every "
                                   "row is 0 L); a camp with no load cannot be sized: give the "
                                   "litres burned, or use another load route")
    out = pd.DataFrame({"date": dates, "generator": names, "litres": values})
    out = out.sort_values("date", kind="stable").reset_index(drop=True)
    return out, "monthly" if bool(monthly_text.all()) else "daily"


def _gensets(names: Sequence[str], rated_kw: dict[str, float], units: Sequence[DieselUnit],
             field: str) -> dict[str, _Genset]:
    f0 = data.default("diesel.fuel_intercept_l_per_h_per_kw")
    f1 = data.default("diesel.fuel_slope_l_per_kwh")
    out: dict[str, _Genset] = {}
    for name in names:
        if name in rated_kw:
            out[name] = _Genset(rated_kw[name], f0, f1)
            continue
        match = [u for u in units if name == u.name] or [
            u for u in units if re.fullmatch(re.escape(u.name) + r"[-_ .]?\w*", name)]
        if not match:
            raise ScenarioError.single(
                f"{field}.rated_kw", name, f"generator '{name}' of the fuel log matches no "
                f"diesel unit type ({[u.name for u in units]}); give its rating as "
                f"rated_kw: {{{name}: 400}} or name it after a unit type (e.g. "
                f"{units[0].name}_1)")
        unit = max(match, key=lambda u: len(u.name))
        out[name] = _Genset(unit.rated_kw, unit.fuel_intercept_l_per_h_per_kw,
                            unit.fuel_slope_l_per_kwh)
    return out


def fuel_log_daily_kwh(log: pd.DataFrame, period: str, gensets: dict[str, _Genset], *,
                       loading: float, one_set_always_on: bool = True,
                       field: str = "load.fuel_log") -> pd.Series:
    """Energy delivered per period of a fuel log at an assumed mean loading [kWh].

    Each set's energy is ``litres * l / (F0 + F1 l)`` with ``l`` the loading, raised to the
    loading at which the set runs the whole period when ``l`` would need more hours than the
    period has; with ``one_set_always_on`` the loading is then lowered in each period, if
    needed, until the sets' running hours add up to at least the period.

    Returns
    -------
    pd.Series
        Energy [kWh] per period start date (daily or monthly), summed over the sets.

    Raises
    ------
    ScenarioError
        When a set burned more than full-load running through the period allows.
    """
    rows = log.groupby(["date", "generator"], as_index=False)["litres"].sum()
    out: dict[pd.Timestamp, float] = {}
    for date, group in rows.groupby("date"):
        start = pd.Timestamp(str(date))
        hours = 24.0 * (start.days_in_month if period == "monthly" else 1)
        sets = [gensets[g] for g in group["generator"]]
        litres = group["litres"].to_numpy(dtype=float)
        rated = np.array([s.rated_kw for s in sets])
        f0 = np.array([s.f0 for s in sets])
        f1 = np.array([s.f1 for s in sets])
        cont = (litres / (rated * hours) - f0) / f1  # loading if running the whole period
        over = np.flatnonzero(cont > 1.0 + 1e-9)
        if over.size:
            g = group["generator"].iloc[int(over[0])]
            raise ScenarioError.single(
                f"{field}.csv", float(litres[over[0]]),
                f"generator '{g}' burned {litres[over[0]]:,.0f} L on {start:%Y-%m-%d}, more "
                f"than full load for the whole period ({hours:g} h at {rated[over[0]]:g} kW); "
                "check its rated kW, the period (daily/monthly) and the litres")

        def energy_and_hours(level: float, cont: np.ndarray = cont,
                             litres: np.ndarray = litres, rated: np.ndarray = rated,
                             f0: np.ndarray = f0, f1: np.ndarray = f1) -> tuple[float, float]:
            lv = np.clip(np.maximum(level, cont), 1e-6, 1.0)
            run = litres / (rated * (f0 + f1 * lv))
            return float((litres * lv / (f0 + f1 * lv)).sum()), float(run.sum())

        level = loading
        e, h = energy_and_hours(level)
        if one_set_always_on and h < hours and litres.sum() > 0:
            lo, hi = 1e-6, level
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                if energy_and_hours(mid)[1] >= hours:
                    lo = mid
                else:
                    hi = mid
            e, h = energy_and_hours(lo)
        out[start] = e
    return pd.Series(out, name="kwh").sort_index()


def _implied_loading(log: pd.DataFrame, period: str, gensets: dict[str, _Genset],
                     floor: float) -> float:
    """Mean loading of the running sets [share of rated], energy over rated kW-hours."""
    rows = log.groupby(["date", "generator"], as_index=False)["litres"].sum()
    hours = np.where(period == "monthly", 24.0 * rows["date"].dt.days_in_month, 24.0)
    rated = np.array([gensets[g].rated_kw for g in rows["generator"]])
    f0 = np.array([gensets[g].f0 for g in rows["generator"]])
    f1 = np.array([gensets[g].f1 for g in rows["generator"]])
    litres = rows["litres"].to_numpy(dtype=float)
    level = np.clip(np.maximum((litres / (rated * hours) - f0) / f1, floor), 1e-6, 1.0)
    run = litres / (rated * (f0 + f1 * level))
    rated_h = float((rated * run).sum())
    return float((level * rated * run).sum()) / rated_h if rated_h > 0 else 0.0


def _fuel_log_profile(scenario: Scenario, index: pd.DatetimeIndex, shape_kw: pd.Series,
                      arch: _Archetype, notes: _Notes) -> tuple[pd.Series, tuple[float, float]]:
    ls = scenario.load
    spec = ls.fuel_log
    assert spec is not None
    field = "load.fuel_log"
    path = scenario.resolve_path(spec.csv)
    log, written = read_fuel_log(path, field, paths=scenario.relative_paths_text())
    period = spec.period if spec.period != "auto" else (
        "monthly" if written == "monthly" or (
            bool((log["date"].dt.day == 1).all())
            and not log.duplicated(["date", "generator"]).any()
            and log["date"].nunique() > 1
            and bool((log["date"].drop_duplicates().sort_values().diff().dropna()
                      >= pd.Timedelta(days=28)).all())) else "daily")
    dups = int(log.duplicated(["date", "generator"]).sum())
    if dups:
        notes.warn(f"{path.name}: {dups} repeated (date, generator) row(s) summed")
    gensets = _gensets(sorted(log["generator"].unique()), spec.rated_kw,
                       scenario.diesel.units, field)
    floor = spec.min_loading_fraction or arch.table["fuel_log_loading_low"]
    high = spec.max_loading_fraction or arch.table["fuel_log_loading_high"]
    low = 1e-6  # around the clock at whatever loading the litres imply: the least energy
    central = floor
    # central: around the clock, part time at the floor loading for sets with little fuel, at
    # least one set at every hour; high: the high loading with the sets off once their fuel
    # is spent
    per = {lv: fuel_log_daily_kwh(log, period, gensets, loading=lv, field=field,
                                  one_set_always_on=lv != high)
           for lv in (low, central, high)}
    # per-day energy, keyed by local date
    daily: dict[float, pd.Series] = {}
    for lv, series in per.items():
        if period == "monthly":
            parts = []
            for first, e in series.items():
                month = pd.Timestamp(str(first))
                parts.append(pd.Series(e / month.days_in_month, index=pd.date_range(
                    month, periods=month.days_in_month, freq="D")))
            daily[lv] = pd.concat(parts)
        else:
            daily[lv] = series
    full = pd.date_range(daily[central].index.min(), daily[central].index.max(), freq="D")
    filled: dict[float, pd.Series] = {}
    for lv, series in daily.items():
        series = series.reindex(full)
        observed = series.notna().to_numpy()
        quiet = _Notes()
        filled[lv] = _fill_gaps(series / 24.0, pd.Timedelta(days=1), path.name, field,
                                quiet if lv != central else notes) * 24.0
        if lv == central:
            _flag_outliers(filled[lv] / 24.0, observed, pd.Timedelta(days=1), path.name, notes)
    unique_days = np.unique(_step_dates(index))
    source = _typical_day_map(unique_days, filled[central], notes, f"{field}.csv",
                              path.name)
    energy = {lv: filled[lv].reindex(pd.DatetimeIndex(source)).to_numpy() for lv in filled}
    load = _shape_by_day(index, shape_kw, energy[central], monthly=period == "monthly")
    step_h = _step_h(index)
    weight = 8760.0 / (len(index) * step_h)
    annual = float(load.sum() * step_h * weight)
    scale_lo = float(np.sum(energy[low]) / np.sum(energy[central]))
    scale_hi = float(np.sum(energy[high]) / np.sum(energy[central]))
    total_l = float(log["litres"].sum())
    total_kwh = float(per[central].sum())
    implied = _implied_loading(log, period, gensets, floor)
    notes.add(
        f"{path.name}: {period} fuel log of {len(gensets)} generator(s), {total_l:,.0f} L -> "
        f"{total_kwh:,.0f} kWh ({total_l / max(total_kwh, 1e-9):.2f} L/kWh), each set taken "
        f"to run around the clock (part time at {floor:.0%} loading if its fuel falls short); "
        f"mean implied loading {implied:.0%} of rated (observed median ~"
        f"{arch.table['fuel_log_loading_central']:.0%}, USMC 2013); annual load "
        f"{annual:,.0f} kWh, range {annual * scale_lo:,.0f}-{annual * scale_hi:,.0f} kWh (high:"
        f" {high:.0%} loading with the sets off once their fuel is spent)")
    notes.add(f"{path.name}: the log is taken as the camp's whole supply; energy from PV or "
              "other sources at the time is not in it")
    return load, (annual * scale_lo, annual * scale_hi)
