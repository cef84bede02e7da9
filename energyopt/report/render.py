"""Render a :class:`~energyopt.results.SizingResult` as one self-contained HTML file.

The page carries its CSS inline and its figures as inline SVG: it opens without network,
scripts, external style sheets or fonts. Numbers are the result's stored values, rounded only
when formatted; every number taken from ``result.kpis`` is written as
``<span class="num" data-key="..." data-value="<repr of the stored value>">shown</span>`` so a
reader (or a test) can check the rounding against the stored figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup

from energyopt import data
from energyopt.inputs import Inputs
from energyopt.report import sections, tables
from energyopt.report.format import fmt_number, fmt_percent, fmt_seconds, is_missing
from energyopt.report.format import num_span as _num
from energyopt.results import SizingResult, convergence_banner, saving
from energyopt.scenario import Scenario
from energyopt.solve import SolveInfo
from energyopt.verify import TABLE_ROWS, Verification

__all__ = ["KPI_ROWS", "SECTION_IDS", "render_context", "render_html", "render_markdown",
           "render_report"]

#: KPI rows of the summary tables: (key, label, unit, decimals or None for automatic).
KPI_ROWS: tuple[tuple[str, str, str, int | None], ...] = (
    ("npc_usd", "net present cost", "USD", 0),
    ("lcoe_usd_per_kwh", "levelised cost of electricity", "USD/kWh", 3),
    ("capex_usd", "capital expenditure (new assets)", "USD", 0),
    ("fuel_l_per_year", "fuel", "L/yr", 0),
    ("fuel_cost_usd_per_year", "fuel, transport and escort cost", "USD/yr", 0),
    ("trucks_per_year", "fuel trucks", "trucks/yr", 1),
    ("convoys_per_year", "convoys", "convoys/yr", 1),
    ("expected_casualties_per_year", "expected convoy casualties", "casualties/yr", None),
    ("co2_t_per_year", "CO2 emissions", "t/yr", 0),
    ("renewable_fraction", "renewable share", "%", 1),
    ("unserved_kwh_per_year", "unserved energy", "kWh/yr", 0),
    ("diesel_hours_per_year", "generator running hours", "unit-h/yr", 0),
)

#: KPIs of a host community and an uncertain mission end (issue 15); the "After the UN
#: leaves" section appears when the result has any of them.
COMMUNITY_KPIS = ("community_kwh_per_year", "community_households_served",
                  "community_hours_per_day", "community_co2_avoided_t_per_year",
                  "handover_value_usd", "expected_mission_years")
#: Asset types an end-of-mission choice applies to, with their size key and unit.
_HANDOVER_ASSETS = (("pv", "PV array", "pv_kwp", "kWp"),
                    ("battery", "battery", "battery_kwh", "kWh"))

#: Ids of the sections always present, in order; ``fuel``, ``pareto``, ``operation``,
#: ``sensitivity`` and ``after-the-un-leaves`` appear with their data. ``how-sure`` (the box
#: at the top of the summary) and ``binding-limits`` (in the sizes) are always there too.
SECTION_IDS = ("summary", "sizes", "costs", "cash-flow", "capital-operating", "energy-mix",
               "heat-map", "dispatch", "battery", "generators", "assumptions", "solver")

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("energyopt.report", "templates"),
    autoescape=jinja2.select_autoescape(("html", "html.j2")),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _code_spans(text: str) -> Markup:
    """Escape plain text and show its `backticked` parts (commands, fields) as code."""
    parts = str(text).split("`")
    return Markup("").join(Markup("<code>{}</code>").format(part) if k % 2 else Markup.escape(part)
                           for k, part in enumerate(parts))


_TEMPLATES.filters["code"] = _code_spans


@dataclass(frozen=True)
class KpiRow:
    """One row of the KPI table: display cells (HTML) and plain text for Markdown."""

    key: str
    label: str
    unit: str
    design: Markup
    diesel_only: Markup
    saving: Markup
    text: tuple[str, str, str]


def _kpi_value(result: SizingResult | None, key: str) -> float | None:
    if result is None or key not in result.kpis.index:
        return None
    return float(result.kpis[key])


def kpi_rows(result: SizingResult) -> list[KpiRow]:
    """Return the KPI table: design, diesel only, and the saving.

    The saving is :func:`energyopt.results.saving`, positive when the design is better:
    diesel only minus design, and for the renewable share (in percentage points) the gain,
    design minus diesel only.
    """
    rows = []
    for key, label, unit, decimals in KPI_ROWS:
        design, base = _kpi_value(result, key), _kpi_value(result.baseline, key)
        if design is None:
            continue
        scale = 100.0 if unit == "%" else 1.0
        if base is not None and not (is_missing(design) or is_missing(base)):
            better: float | None = saving(key, design, base)
        else:
            better = None
        cells = (_num(f"design:{key}", design, decimals, scale=scale),
                 _num(f"diesel_only:{key}", base, decimals, scale=scale),
                 _num(f"saving:{key}", better, decimals, scale=scale,
                      sign=key == "renewable_fraction"))
        text = (fmt_number(None if design is None else design * scale, decimals),
                fmt_number(None if base is None else base * scale, decimals),
                fmt_number(None if better is None else better * scale, decimals,
                           sign=key == "renewable_fraction"))
        rows.append(KpiRow(key, label, unit, *cells, text=text))
    return rows


def _size_rows(result: SizingResult, scenario: Scenario | None) -> list[dict[str, Any]]:
    """Sizes: existing, new and total per asset."""
    s = result.sizes
    rows: list[dict[str, Any]] = []
    existing = {"pv_kwp": scenario.solar.existing_kwp if scenario else None,
                "battery_kwh": scenario.battery.existing_kwh if scenario else None,
                "battery_kw": scenario.battery.existing_kw if scenario else None}
    labels = {"pv_kwp": ("PV array", "kWp"), "battery_kwh": ("battery energy", "kWh"),
              "battery_kw": ("battery power", "kW"), "fuel_tank_l": ("fuel storage", "L")}
    for key, (label, unit) in labels.items():
        if key not in s.index:
            continue
        total = float(s[key])
        have = existing.get(key)
        rows.append({"label": label, "unit": unit,
                     "existing": _num(f"existing:{key}", have, None),
                     "new": _num(f"new:{key}", None if have is None else total - have, None),
                     "total": _num(f"size:{key}", total, None),
                     "baseline": _num(f"diesel_only:{key}", float(result.baseline.sizes[key])
                                      if result.baseline is not None
                                      and key in result.baseline.sizes.index else None, None)})
    rated = {u.name: u.rated_kw for u in scenario.diesel.units} if scenario else {}
    for unit in tables.diesel_units(result):
        count = float(s.get(f"diesel_{unit}_count", np.nan))
        new = float(s.get(f"diesel_{unit}_new_count", np.nan))
        base = (float(result.baseline.sizes[f"diesel_{unit}_count"])
                if result.baseline is not None
                and f"diesel_{unit}_count" in result.baseline.sizes.index else None)
        kw = f" ({fmt_number(rated[unit])} kW)" if unit in rated else ""
        rows.append({"label": f"diesel {unit}{kw}", "unit": "units",
                     "existing": _num(f"existing:diesel_{unit}", count - new, 0),
                     "new": _num(f"new:diesel_{unit}", new, 0),
                     "total": _num(f"size:diesel_{unit}_count", count, 0),
                     "baseline": _num(f"diesel_only:diesel_{unit}_count", base, 0)})
    return rows


def _mix_sentence(result: SizingResult, scenario: Scenario | None) -> str:
    s = result.sizes
    parts = []
    if s.get("pv_kwp", 0) > 0:
        parts.append(f"{fmt_number(float(s['pv_kwp']), 0)} kWp of PV")
    if s.get("battery_kwh", 0) > 0:
        parts.append(f"a {fmt_number(float(s['battery_kwh']), 0)} kWh / "
                     f"{fmt_number(float(s['battery_kw']), 0)} kW battery")
    rated = {u.name: u.rated_kw for u in scenario.diesel.units} if scenario else {}
    for unit in tables.diesel_units(result):
        count = float(s.get(f"diesel_{unit}_count", 0))
        new = float(s.get(f"diesel_{unit}_new_count", 0))
        kw = f" x {fmt_number(rated[unit])} kW" if unit in rated else f" {unit}"
        parts.append(f"{count:.0f}{kw} generators ({new:.0f} new)")
    if not parts:
        return "no generation assets"
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def _kpi(result: SizingResult | None, key: str) -> float | None:
    """Return a KPI's value, or None when the result or the KPI is absent or not a number."""
    if result is None:
        return None
    value = result.kpis.get(key)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if is_missing(number) else number


def _has_community(result: SizingResult | None) -> bool:
    return result is not None and any(_kpi(result, k) is not None for k in COMMUNITY_KPIS)


#: Rows of the mission-only against handover-ready table: (key, label, unit, decimals, where).
_DESIGN_ROWS: tuple[tuple[str, str, str, int, str], ...] = (
    ("pv_kwp", "PV array", "kWp", 0, "sizes"),
    ("battery_kwh", "battery energy", "kWh", 0, "sizes"),
    ("battery_kw", "battery power", "kW", 0, "sizes"),
    ("mission_npc_usd", "mission net present cost (expected)", "USD", 0, "kpis"),
    ("npc_usd", "objective net present cost (community value counted)", "USD", 0, "kpis"),
    ("community_kwh_per_year", "community energy served", "kWh/yr", 0, "kpis"),
    ("community_households_served", "households served", "households", 0, "kpis"),
    ("handover_value_usd", "value handed over", "USD", 0, "kpis"),
)


def _design_value(result: SizingResult, key: str, where: str) -> float | None:
    if where == "sizes":
        value = result.sizes.get(key)
        return None if value is None or is_missing(float(value)) else float(value)
    return _kpi(result, key)


def _community(result: SizingResult, scenario: Scenario | None,
               mission_only: SizingResult | None) -> dict[str, Any] | None:
    """Build the "After the UN leaves" section: handover, households, energy, value, designs.

    None when the result has no community or mission KPI (the section is then left out).
    KPIs are read defensively: a missing one is shown as a dash, never an error.
    """
    if not _has_community(result):
        return None
    mission = getattr(scenario, "mission", None) if scenario is not None else None
    handed: list[dict[str, Any]] = []
    for asset, label, key, unit in _HANDOVER_ASSETS:
        size = _design_value(result, key, "sizes")
        choice = mission.choice(asset) if mission is not None else None
        if size is None or size <= 0:
            continue
        handed.append({"label": label, "size": _num(f"size:{key}", size, 0), "unit": unit,
                       "choice": choice or "not given",
                       "text": f"{label} {fmt_number(size, 0)} {unit}: {choice or 'not given'}"})
    if mission is not None and mission.choice("diesel") != "leave":
        handed.append({"label": "diesel sets", "size": Markup("all"), "unit": "",
                       "choice": mission.choice("diesel"),
                       "text": f"diesel sets: {mission.choice('diesel')}"})
    closures = mission.closures() if mission is not None else {}
    figures_ = {key: _kpi(result, key) for key in (*COMMUNITY_KPIS, "community_value_usd",
                                                     "community_served_share",
                                                     "mission_npc_usd")}

    def cell(key: str, decimals: int | None, scale: float = 1.0) -> Markup:
        return _num(f"community:{key}", figures_.get(key), decimals, scale=scale)

    designs = None
    if mission_only is not None:
        rows = []
        for key, label, unit, dec, where in _DESIGN_ROWS:
            a = _design_value(mission_only, key, where)
            b = _design_value(result, key, where)
            if a is None and b is None:
                continue
            diff = None if a is None or b is None else b - a
            rows.append({"label": label, "unit": unit,
                         "mission_only": _num(f"mission_only:{key}", a, dec),
                         "handover": _num(f"handover_ready:{key}", b, dec),
                         "difference": _num(f"difference:{key}", diff, dec, sign=True),
                         "text": (fmt_number(a, dec), fmt_number(b, dec),
                                  fmt_number(diff, dec, sign=True))})
        designs = {"rows": rows, "mission_only_mix": _mix_sentence(mission_only, scenario),
                   "handover_mix": _mix_sentence(result, scenario)}
    return {
        "handed": handed,
        "closures": ", ".join(f"after year {y}: {fmt_percent(p, 0)}"
                              for y, p in closures.items()),
        "drawdown": fmt_number(mission.drawdown_months, 0) if mission is not None else None,
        "households": cell("community_households_served", 0),
        "years": cell("expected_mission_years", 1),
        "kwh": cell("community_kwh_per_year", 0),
        "hours": cell("community_hours_per_day", 1),
        "co2": cell("community_co2_avoided_t_per_year", 0),
        "value": cell("community_value_usd", 0),
        "handover_value": cell("handover_value_usd", 0),
        "text": {key: fmt_number(figures_.get(key), dec) for key, dec in (
            ("community_households_served", 0), ("expected_mission_years", 1),
            ("community_kwh_per_year", 0), ("community_hours_per_day", 1),
            ("community_co2_avoided_t_per_year", 0), ("community_value_usd", 0),
            ("handover_value_usd", 0))},
        "designs": designs,
    }


def _cost_table(costs: pd.DataFrame) -> dict[str, Any]:
    kinds = [str(c) for c in costs.columns]
    rows = []
    for component, row in costs.iterrows():
        rows.append({"component": str(component),
                     "cells": [_num(f"cost:{component}:{k}", float(row[k]), 0) for k in kinds],
                     "total": _num(f"cost:{component}:total", float(row.sum()), 0)})
    totals = [_num(f"cost:total:{k}", float(costs[k].sum()), 0) for k in kinds]
    grand = _num("cost:total:total", float(costs.to_numpy().sum()), 0)
    return {"kinds": kinds, "rows": rows, "totals": totals, "grand": grand}


def _solve_rows(label: str, info: SolveInfo) -> dict[str, Any]:
    return {"label": label, "status": info.status, "termination": info.termination,
            "gap": fmt_percent(info.mip_gap), "objective": _num(f"{label}:objective",
                                                                 info.objective, 0),
            "bound": _num(f"{label}:bound", info.bound, 0), "runtime": fmt_seconds(
                info.runtime_s), "handoff": fmt_seconds(info.handoff_s), "solver": info.solver,
            "method": info.method, "size": f"{info.n_rows:,} rows x {info.n_cols:,} columns, "
            f"{info.n_integers:,} integers", "notes": info.notes}


def _note_grade(text: str) -> str:
    """Grade of a weather or load note: ``E`` when it speaks of estimates, else ``-``."""
    lower = text.lower()
    words = ("estimat", "embedded", "archetype", "unknown", "assum", "placeholder")
    return "E" if any(w in lower for w in words) else "-"


def _grade_text(scenario: Scenario) -> str:
    """Return the scenario's inputs counted by grade, e.g. ``P 13, S 2, D 5, E 27, ? 6``.

    Grades no input has are left out.
    """
    from energyopt.provenance import grade_counts

    return ", ".join(f"{g} {n}" for g, n in grade_counts(scenario).items() if n)


def _sensitive_rows(scenario: Scenario, result: SizingResult) -> list[dict[str, str]]:
    """Return the top 5 of :func:`~energyopt.provenance.sensitive_estimates` as table rows."""
    from energyopt.provenance import sensitive_estimates

    return [{"key": s.key, "value": f"{fmt_number(s.value)} {s.unit}",
             "delta": fmt_number(s.delta_npc_usd, 0), "method": s.method}
            for s in sensitive_estimates(scenario, result, top=5)]


def _data_sources(scenario: Scenario | None, inputs: Inputs | None) -> list[dict[str, str]]:
    out = []
    climate_grade: str | None = None
    if scenario is not None and isinstance(scenario.site, str):
        rec = data.site(scenario.site)
        ghi = f"annual GHI {rec.ghi_kwh_m2_day:.1f} kWh/m2/day"
        grade = rec.ghi_grade
        if isinstance(scenario.solar.weather, str):  # the embedded year: the site's climate
            from energyopt.provenance import graded_inputs
            from energyopt.resource.climate import lowest_grade

            site_inputs = {g.key: g for g in graded_inputs(scenario) if g.key.startswith("site.")}
            ghi_in, temp_in = site_inputs["site.monthly_ghi"], site_inputs[
                "site.monthly_temperature"]
            ghi = f"annual GHI {ghi_in.value:.2f} kWh/m2/day (monthly GHI grade {ghi_in.grade})"
            grade = ghi_in.grade
            climate_grade = lowest_grade([ghi_in.grade, temp_in.grade])
            out.append({"what": "site", "text": f"{rec.name} ({rec.mission}), "
                        f"{rec.latitude:.2f} N, {rec.longitude:.2f} E; {ghi}", "grade": grade})
            out.append({"what": "air temperature", "text": f"monthly mean, daily minimum and "
                        f"maximum; annual mean {temp_in.value:.1f} C (grade {temp_in.grade})",
                        "grade": temp_in.grade})
        else:
            out.append({"what": "site", "text": f"{rec.name} ({rec.mission}), "
                        f"{rec.latitude:.2f} N, {rec.longitude:.2f} E; {ghi}", "grade": grade})
    if inputs is not None:
        if inputs.weather is not None:
            src = str(inputs.weather.attrs.get("source", "weather of unknown source"))
            # the embedded year reproduces its monthly climate: it is graded like it
            out.append({"what": "solar resource", "text": src,
                        "grade": climate_grade if climate_grade is not None
                        and "embedded" in src else _note_grade(src)})
            for note in inputs.weather_notes:
                out.append({"what": "design weather year", "text": note, "grade": "-"})
        else:
            out.append({"what": "solar resource", "text": "PV output given in the scenario",
                        "grade": "-"})
        for note in inputs.load_notes:
            out.append({"what": "load", "text": note, "grade": _note_grade(note)})
    return out


def _operation(v: Verification | None) -> dict[str, Any] | None:
    """Return the "How the design operates" section: table, stock-outs, survival, worst week."""
    if v is None:
        return None
    from energyopt.report import figures

    rows = []
    for key, label, unit, decimals in TABLE_ROWS:
        if key not in v.summary.index:
            continue
        rec = v.figure(key)
        worst = "min" if key == "min_stock_l" else "max"
        rows.append({"label": label, "unit": unit, "cells": [
            _num(f"verify:{key}:{col}", rec[col], decimals)
            for col in ("p10", "p50", "p90", worst, "optimiser", "design_year")]})
    w = v.worst_week
    survival = v.blockade_survival
    return {
        "n_years": len(v.years),
        "controller": v.controller.replace("_", " "),
        "failures": v.failures,
        "rows": rows,
        "stockout": _num("verify:stockout_probability", v.stockout_probability, 0,
                         scale=100.0),
        "survival_figure": figures.survival_figure(survival) if len(survival) else None,
        "distribution_figure": sections.verification_distribution(v),
        "survival": [{"days": d, "share": _num(f"verify:survival:{d}", float(x), 0,
                                               scale=100.0)}
                     for d, x in zip(survival.index.astype(int), survival, strict=True)],
        "starts": f"{v.blockade_starts:,}",
        "worst": {"year": w["year"], "start": str(w["start"]), "end": str(w["end"]),
                  "fuel": fmt_number(w["fuel_l"], 0), "unserved": fmt_number(w["unserved_kwh"], 0),
                  "critical": fmt_number(w["critical_unserved_kwh"], 0)},
        "closing": v.closing_note(),
        "notes": list(v.notes),
    }


def _context(result: SizingResult, scenario: Scenario | None, inputs: Inputs | None,
             pareto: pd.DataFrame | None, fuel_daily: pd.DataFrame | None,
             verification: Verification | None = None,
             mission_only: SizingResult | None = None,
             sweep: pd.DataFrame | None = None) -> dict[str, Any]:
    from energyopt import __version__  # the package finishes importing before any render
    from energyopt.report import figures  # matplotlib loads only when a report is drawn

    hours = tables.step_hours(result, inputs)
    d = result.dispatch
    units = tables.diesel_units(result)
    mix = tables.monthly_mix(result, hours)
    weeks = tables.typical_weeks(result, inputs)
    kpis = result.kpis

    loadings = {u: tables.loading_hours(result, hours, u) for u in units}
    wet = {u: float(h[lo < tables.WET_STACKING_LOAD_FRACTION - 1e-9].sum())
           for u, (lo, h) in loadings.items()}
    running = {u: float(h.sum()) for u, (_, h) in loadings.items()}

    battery_kwh = float(result.sizes.get("battery_kwh", 0.0))
    soc = None
    if battery_kwh > 0 and "battery_soc_kwh" in d:
        soc = figures.soc_figure(d["battery_soc_kwh"], battery_kwh,
                                 scenario.battery.min_soc if scenario else None)
    daily = tables.fuel_daily(result, fuel_daily)
    fuel = None
    if daily is not None:
        calendar = []
        if "delivered_l" in daily:
            for day, row in daily[daily["delivered_l"] > 0].iterrows():
                calendar.append({"day": pd.Timestamp(str(day)).strftime("%Y-%m-%d"),
                                 "litres": fmt_number(float(row["delivered_l"]), 0),
                                 "convoys": fmt_number(float(row["convoys"]), 0)
                                 if "convoys" in daily else ""})
        fuel = {"figure": figures.fuel_figure(daily), "calendar": calendar,
                "min_stock": fmt_number(float(daily["stock_l"].min()), 0)}
    front = sections.pareto_front(pareto, result)
    limits = sections.binding_limits(result, scenario)

    assumptions = tables.assumptions(scenario)
    base = result.baseline
    saving = {key: _num(f"saving:{key}", None if base is None else
                        float(base.kpis[key]) - float(kpis[key]), dec)
              for key, dec in (("npc_usd", 0), ("fuel_l_per_year", 0), ("convoys_per_year", 1),
                               ("expected_casualties_per_year", None), ("co2_t_per_year", 0))}
    period = (f"{d.index[0]:%d %b %Y} to {d.index[-1]:%d %b %Y}, {len(d):,} steps"
              if len(d) else "no steps")
    return {
        "title": f"Sizing report: {result.name}",
        "name": result.name,
        "description": scenario.description if scenario else "",
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
        "period": period,
        "result_notes": list(result.notes),
        "mix_sentence": _mix_sentence(result, scenario),
        "banner": convergence_banner(result),
        # sizes at their bound are listed with the other binding limits, in the sizes
        "warnings": [w for w in result.warnings if w.kind != "at_limit"],
        "limits": limits,
        "how_sure": sections.how_sure(result, scenario, verification, len(limits)),
        "cash": sections.cash_flow(result, scenario, inputs),
        "capop": sections.capital_operating(result, scenario),
        "heatmap": sections.heat_map(result),
        "sensitivity": sections.sensitivity(sweep),
        "has_baseline": base is not None,
        "baseline_error": result.baseline_error,
        "saving": saving,
        "lcoe": _num("design:lcoe_usd_per_kwh", float(kpis["lcoe_usd_per_kwh"]), 3),
        "renewable": _num("design:renewable_fraction", float(kpis["renewable_fraction"]), 1,
                          scale=100.0),
        "kpi_rows": kpi_rows(result),
        "size_rows": _size_rows(result, scenario),
        "costs": _cost_table(result.costs),
        "mix_figure": figures.mix_figure(mix),
        "mix_rows": [{"month": str(m), "cells": [fmt_number(float(row[c]), 0)
                                                 for c in mix.columns]}
                     for m, row in mix.iterrows()],
        "mix_columns": [dict(tables.MIX_COLUMNS).get(c, "load") for c in mix.columns],
        "weeks": [{"label": w.label, "month": w.month, "figure": figures.week_figure(w)}
                  for w in weeks],
        "soc_figure": soc,
        "battery_kwh": fmt_number(battery_kwh, 0),
        "loading_figure": figures.loading_figure(loadings) if running and any(
            running.values()) else None,
        "wet": [{"unit": u, "hours": fmt_number(wet[u], 0), "running": fmt_number(running[u], 0),
                 "share": fmt_percent(wet[u] / running[u] if running[u] > 0 else 0.0, 1)}
                for u in units],
        "wet_threshold": fmt_percent(tables.WET_STACKING_LOAD_FRACTION, 0),
        "fuel": fuel,
        "pareto": front,
        "operation": _operation(verification),
        "community": _community(result, scenario, mission_only),
        "assumptions": assumptions,
        "n_estimates": sum(a.is_estimate for a in assumptions),
        "grade_counts": None if scenario is None else _grade_text(scenario),
        "sensitive": [] if scenario is None else _sensitive_rows(scenario, result),
        "sources": _data_sources(scenario, inputs),
        "solves": [_solve_rows("design", result.solve_info)] + (
            [_solve_rows("diesel only", base.solve_info)] if base is not None else []),
        "asked_gap": fmt_percent(scenario.solver.mip_rel_gap) if scenario else None,
        "checks": ", ".join(result.checks),
        "fmt": fmt_number,
    }


def render_context(result: SizingResult, *, scenario: Scenario | None = None,
                   inputs: Inputs | None = None, pareto: pd.DataFrame | None = None,
                   fuel_daily: pd.DataFrame | None = None,
                   verification: Verification | None = None,
                   mission_only: SizingResult | None = None,
                   sweep: pd.DataFrame | None = None) -> dict[str, Any]:
    """Return the data of every section of the report, as the HTML and the PDF show it.

    Arguments as for :func:`render_report`. Figures are inline SVG text, or PNG under
    ``energyopt.report.figures.output("png")`` (the PDF's).
    """
    return _context(result, scenario, inputs, pareto, fuel_daily, verification, mission_only,
                    sweep)


def render_html(result: SizingResult, *, scenario: Scenario | None = None,
                inputs: Inputs | None = None, pareto: pd.DataFrame | None = None,
                fuel_daily: pd.DataFrame | None = None,
                verification: Verification | None = None,
                mission_only: SizingResult | None = None,
                sweep: pd.DataFrame | None = None) -> str:
    """Return the report as HTML text; see :func:`render_report`."""
    context = _context(result, scenario, inputs, pareto, fuel_daily, verification,
                       mission_only, sweep)
    return _TEMPLATES.get_template("report.html.j2").render(**context)


def render_report(result: SizingResult, path: str | Path, *, scenario: Scenario | None = None,
                  inputs: Inputs | None = None, pareto: pd.DataFrame | None = None,
                  fuel_daily: pd.DataFrame | None = None,
                  verification: Verification | None = None,
                  mission_only: SizingResult | None = None,
                  sweep: pd.DataFrame | None = None) -> Path:
    """Write the sizing report as one self-contained HTML file.

    Parameters
    ----------
    result : SizingResult
        The solved design, with its diesel-only baseline when computed.
    path : str or Path
        The HTML file to write; its folder is created.
    scenario : Scenario, optional
        The scenario solved: adds existing assets, unit ratings and the values and provenance
        of every assumption (without it, the defaults of ``data/technologies.csv`` are listed).
    inputs : Inputs, optional
        The inputs solved: adds the weather and load sources and the exact step weights.
    pareto : pd.DataFrame, optional
        A cost-risk front (columns ``npc_usd`` and ``expected_casualties_per_year`` or
        ``convoys_per_year``); the Pareto section appears only with it.
    fuel_daily : pd.DataFrame, optional
        A daily fuel inventory (``stock_l`` [L], ``delivered_l`` [L], ``convoys``); by default
        ``result.fuel_daily`` or the dispatch column ``fuel_inventory_l``. The fuel section
        appears only with one.
    verification : Verification, optional
        The design operated over many weather years (:func:`energyopt.verify.verify`): adds
        the "How the design operates" section (P10/P50/P90 beside the optimiser, stock-out
        probability, blockade survival curve, worst week).
    mission_only : SizingResult, optional
        The same scenario solved with ``mission.community_weight: 0`` (the mission-only
        design): the "After the UN leaves" section then sets it beside this (handover-ready)
        design. That section appears only when ``result`` has community or mission KPIs.
    sweep : pandas.DataFrame, optional
        A sweep of the scenario's inputs (:func:`energyopt.sweep`): adds the "Sensitivity"
        section, a tornado chart of the net present cost over each input's values
        (:func:`energyopt.studies.plots.tornado_figure`) and the table of their swings.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    text = render_html(result, scenario=scenario, inputs=inputs, pareto=pareto,
                       fuel_daily=fuel_daily, verification=verification,
                       mission_only=mission_only, sweep=sweep)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def render_markdown(result: SizingResult, *, scenario: Scenario | None = None,
                    verification: Verification | None = None,
                    mission_only: SizingResult | None = None) -> str:
    """Return a short Markdown summary of a result, for e-mail.

    Parameters
    ----------
    result : SizingResult
        The solved design, with its diesel-only baseline when computed.
    scenario : Scenario, optional
        The scenario (for unit ratings in the recommended mix).
    verification : Verification, optional
        Adds one line on how the design operates over many weather years: P50 and P90 fuel
        beside the optimiser's, years out of fuel, years with critical load lost.
    mission_only : SizingResult, optional
        The mission-only design (``community_weight: 0``), set beside this one in the "After
        the UN leaves" part (present only when ``result`` has community or mission KPIs).

    Returns
    -------
    str
        Title, recommended mix, "How sure are we" (the proven gap, the spread over weather
        years when a verification is given, the grades and the estimates that move the
        answer most, the binding limits), payback and IRR against diesel only (with a
        scenario), sanity warnings (``result.warnings``), KPI table (design | diesel only |
        saving), the verification line and solve status.
    """
    context = {"name": result.name, "mix_sentence": _mix_sentence(result, scenario),
               "banner": convergence_banner(result),
               "warnings": list(result.warnings), "notes": list(result.notes),
               "rows": kpi_rows(result), "has_baseline": result.baseline is not None,
               "baseline_error": result.baseline_error,
               "info": result.solve_info, "gap": fmt_percent(result.solve_info.mip_gap),
               "runtime": fmt_seconds(result.solve_info.runtime_s),
               "grade_counts": None if scenario is None else _grade_text(scenario),
               "sensitive": [] if scenario is None else _sensitive_rows(scenario, result),
               "operation": None if verification is None else (
                   f"Operated without foresight over {len(verification.years)} weather years "
                   f"({verification.controller.replace('_', ' ')}"
                   f"{', with failures' if verification.failures else ''}): "
                   f"{verification.closing_note()}"),
               "community": _community(result, scenario, mission_only)}
    cash = sections.cash_flow(result, scenario, None)
    limits = sections.binding_limits(result, scenario)
    context["how_sure"] = sections.how_sure(result, scenario, verification, len(limits))["lines"]
    context["money"] = cash["sentence"]
    return _TEMPLATES.get_template("summary.md.j2").render(**context)

