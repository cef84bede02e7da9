"""Sections of the sizing report about money over time, alternatives and confidence (issue 17).

Each function returns the data of one section of the report (numbers as
:func:`~energyopt.report.format.num_span` spans carrying their stored values, figures as
inline SVG or, under ``figures.output("png")``, PNG), or None when the section has nothing to
show. The HTML template and the PDF (:mod:`energyopt.report.pdf`) read the same data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from energyopt import finance
from energyopt.inputs import Inputs
from energyopt.report.format import fmt_number, fmt_percent, is_missing
from energyopt.report.format import num_span as num
from energyopt.results import SizingResult
from energyopt.scenario import Scenario
from energyopt.verify import Verification

__all__ = ["UNSERVED_RTOL", "binding_limits", "capital_operating", "cash_flow", "heat_map",
           "how_sure", "pareto_front", "sensitivity", "verification_distribution"]

#: Relative tolerance of "at its cap" for the unserved, convoy and casualty caps [-].
UNSERVED_RTOL = 1e-4


def _payback_text(years: float | None, horizon: int) -> str:
    if years is None:
        return f"never within the {horizon}-year horizon"
    return f"{fmt_number(years, 1)} years"


def cash_flow(result: SizingResult, scenario: Scenario | None,
              inputs: Inputs | None) -> dict[str, Any]:
    """Return the yearly cash-flow section (table, figure, payback, IRR) or why there is none.

    Returns
    -------
    dict
        ``note`` (str, why there is no table) or ``rows`` (per year: the non-zero categories,
        total, cumulative, diesel-only total and cumulative and the cumulative saving, each a
        span keyed ``cash:<year>:<column>``), ``columns`` (labels), ``figure``,
        ``simple_payback``, ``discounted_payback`` and ``irr`` (spans), ``text`` (the same as
        plain text), ``invests`` (the design needs more capital than diesel only) and
        ``sentence`` (payback and IRR in one sentence, or why there is nothing to pay back;
        None without a baseline).
    """
    from energyopt.report import figures

    if scenario is None:
        return {"note": "The yearly cash flow needs the scenario (its prices, lifetimes and "
                        "discount rate): pass scenario= to render_report.", "sentence": None}
    try:
        flow = finance.cash_flow(result, scenario, inputs)
    except ValueError as exc:
        return {"note": str(exc).removeprefix("cash_flow: ").capitalize() + ".",
                "sentence": None}
    cats = [c for c in finance.CATEGORIES if (flow[f"{c}_usd"] != 0).any()]
    has_base = result.baseline is not None
    columns = [(f"{c}_usd", finance.CATEGORY_LABELS[c]) for c in cats] + [
        ("total_usd", "total"), ("cumulative_usd", "cumulative")]
    if has_base:
        columns += [("diesel_only_total_usd", "diesel only: total"),
                    ("diesel_only_cumulative_usd", "diesel only: cumulative"),
                    ("cumulative_saving_usd", "cumulative saving")]
    values = flow[[col for col, _ in columns]].to_numpy(dtype=float)
    rows = [{"year": year, "cells": [num(f"cash:{year}:{col}", float(values[year, j]), 0)
                                     for j, (col, _) in enumerate(columns)]}
            for year in range(len(flow))]
    horizon = int(flow.attrs["years"])
    simple, disc, rate = (flow.attrs["simple_payback_years"],
                          flow.attrs["discounted_payback_years"], flow.attrs["irr"])

    def years_span(key: str, value: float | None) -> Any:
        return num(f"cash:{key}", value, 1) if value is not None else None

    irr_text = ("none: the saving's present value does not change sign at any rate (nothing "
                "to earn back, or never earned back)" if rate is None
                else fmt_percent(rate, 1) + " a year (real)")
    extra = -float(flow["saving_usd"].iloc[0]) if has_base else float("nan")
    invests = has_base and extra > 0.5
    text = {"simple": _payback_text(simple, horizon),
            "discounted": _payback_text(disc, horizon), "irr": irr_text}
    if not has_base:
        sentence = None
    elif invests:
        sentence = (f"Against diesel only, the extra investment of {fmt_number(extra, 0)} USD "
                    f"pays back in {text['simple']} ({text['discounted']} discounted at "
                    f"{fmt_percent(scenario.horizon.discount_rate, 1)}); internal rate of "
                    f"return {irr_text}.")
    else:
        npv = float(flow["saving_present_value_usd"].sum())
        sentence = ("The design costs what the diesel-only camp costs: nothing to pay back."
                    if abs(npv) < 1.0 else
                    f"The design needs no more capital than diesel only and "
                    f"{'saves' if npv > 0 else 'costs'} {fmt_number(abs(npv), 0)} USD of "
                    "present value over the horizon: nothing to pay back.")
    return {
        "note": None,
        "columns": [label for _, label in columns],
        "rows": rows,
        "figure": figures.cash_flow_figure(flow),
        "has_baseline": has_base,
        "simple_payback": years_span("simple_payback_years", simple),
        "discounted_payback": years_span("discounted_payback_years", disc),
        "irr": None if rate is None else num("cash:irr", rate, 1, scale=100.0),
        "rate": fmt_percent(scenario.horizon.discount_rate, 1),
        "horizon": horizon,
        "text": text,
        "invests": invests,
        "sentence": sentence,
    }


def capital_operating(result: SizingResult, scenario: Scenario | None) -> dict[str, Any]:
    """Return the capital-versus-operating split and the LCOE by part (tables and a figure)."""
    from energyopt.report import figures

    split = finance.capital_operating(result)
    independent = scenario is not None and scenario.mission is None and (
        scenario.community is None)
    lcoe = float(result.kpis.get("lcoe_usd_per_kwh", np.nan))
    parts = (finance.lcoe_breakdown(result, scenario if independent else None)
             if not is_missing(lcoe) else pd.Series(dtype=float))
    rows = [{"part": str(part),
             "design": num(f"capop:{part}:design", float(rec["design"]), 0),
             "diesel_only": num(f"capop:{part}:diesel_only", float(rec["diesel_only"]), 0)}
            for part, rec in split.iterrows()]
    lcoe_rows = [{"part": str(part), "value": num(f"lcoe:{part}", float(v), 4),
                  "share": fmt_percent(float(v) / lcoe, 1) if lcoe else "n/a"}
                 for part, v in parts.items()]
    return {"rows": rows, "lcoe_rows": lcoe_rows,
            "lcoe_total": num("lcoe:total", float(parts.sum()) if len(parts) else None, 4),
            "figure": figures.capital_operating_figure(split, parts) if len(parts) else None,
            "has_baseline": result.baseline is not None}


def heat_map(result: SizingResult) -> str | None:
    """Return the day-by-hour heat-map figure of PV, diesel and state of charge."""
    from energyopt.report import figures

    d = result.dispatch
    if d.empty or "pv_kw" not in d or "diesel_kw" not in d:
        return None
    return figures.heatmap_figure(d, float(result.sizes.get("battery_kwh", 0.0)))


def _at_cap(value: float, cap: float) -> bool:
    return cap > 0.0 and value >= cap * (1.0 - UNSERVED_RTOL) - 1e-9


def binding_limits(result: SizingResult, scenario: Scenario | None) -> list[dict[str, str]]:
    """Return every limit of the scenario the design sits at.

    Sizes at their ``max_*`` bound and a capital budget spent in full
    (:func:`energyopt.sanity.limit_cautions`, the at-limit check of the run), and the caps on
    unserved energy (``reliability.max_unserved_fraction``), convoys
    (``fuel.max_convoys_per_year``) and expected casualties
    (``fuel.max_expected_casualties_per_year``) when the design reaches them. Without a
    scenario, the at-limit warnings the run recorded.

    Returns
    -------
    list of dict
        ``field``, ``text`` (what binds and what more room would do) and ``fix``.
    """
    from energyopt.sanity import limit_cautions

    if scenario is None:
        cautions = [w for w in result.warnings if w.kind == "at_limit"]
    else:
        cautions = limit_cautions(scenario, result)
    out = [{"field": c.field, "text": c.message, "fix": c.fix} for c in cautions]
    if scenario is None:
        return out
    k = result.kpis
    rel, fuel = scenario.reliability, scenario.fuel
    load = float(k.get("load_kwh_per_year", 0.0))
    unserved = float(k.get("unserved_kwh_per_year", 0.0))
    cap = rel.max_unserved_fraction * load
    if rel.max_unserved_fraction > 0.0 and _at_cap(unserved, cap):
        out.append({"field": "reliability.max_unserved_fraction",
                    "text": f"unserved energy at its cap ({fmt_percent(rel.max_unserved_fraction)}"
                            f" of the load, {fmt_number(cap, 0)} kWh/yr): a looser cap would "
                            "lower cost", "fix": "the cap is a policy choice; keep it, or "
                            "raise reliability.max_unserved_fraction if the camp accepts more "
                            "load shedding"})
    for key, path, what in (("convoys_per_year", "max_convoys_per_year", "convoys a year"),
                            ("expected_casualties_per_year", "max_expected_casualties_per_year",
                             "expected casualties a year")):
        limit = getattr(fuel, path, None)
        if limit is not None and key in k.index and _at_cap(float(k[key]), float(limit)):
            out.append({"field": f"fuel.{path}",
                        "text": f"{what} at fuel.{path} ({fmt_number(float(limit))}): the "
                                "design buys PV, storage or fuel stock to stay under it; a "
                                "looser cap would lower cost",
                        "fix": "the cap is a policy choice; `energyopt pareto` shows the cost "
                               "of each step of it"})
    return out


def how_sure(result: SizingResult, scenario: Scenario | None,
             verification: Verification | None, n_limits: int) -> dict[str, Any]:
    """Return the "How sure are we" box: the proven gap, the weather spread, the grades.

    Returns
    -------
    dict
        ``gap`` (a sentence on the proven gap and convergence, ``converged``), ``weather`` (P50
        and P90 fuel over the weather years when a verification is given, else how to get
        them), ``grades`` (inputs counted by grade), ``movers`` (the estimates that move the
        net present cost most, with their grades), ``limits`` (how many limits bind) and
        ``lines`` (all of it as plain text, for the Markdown summary and the PDF).
    """
    info = result.solve_info
    gap = fmt_percent(info.mip_gap)
    if info.converged and not info.interrupted:
        gap_text = (f"Converged: this design's net present cost is proven within {gap} of the "
                    f"least possible ({fmt_number(info.bound, 0)} USD is a proven lower "
                    f"bound; {fmt_percent(info.target_gap)} asked for).")
    elif np.isfinite(info.mip_gap):
        gap_text = (f"Not converged: the design is within {gap} of the proven lower bound "
                    f"({fmt_number(info.bound, 0)} USD), above the {fmt_percent(info.target_gap)} "
                    "asked for.")
    else:
        gap_text = "Not converged: no proven lower bound (the search ran out of time)."
    if info.fallback:
        gap_text += " It is the rule-based design of last resort."
    base = result.baseline
    if base is not None and not base.solve_info.converged:
        gap_text += (f" The diesel-only baseline is within {fmt_percent(base.solve_info.mip_gap)}"
                     " of its bound, so the savings are known to that much.")
    if verification is not None and "fuel_l_per_year" in verification.summary.index:
        fig = verification.figure("fuel_l_per_year")
        p50, p90, opt = fig["p50"], fig["p90"], fig.get("optimiser", float("nan"))
        more = f", {fmt_percent(p90 / opt - 1.0, 0)} above the optimiser's {fmt_number(opt, 0)}" \
            if opt and np.isfinite(opt) and opt > 0 else ""
        weather = (f"Operated without foresight over {len(verification.years)} weather years: "
                   f"fuel P50 {fmt_number(p50, 0)} L/yr, P90 {fmt_number(p90, 0)} L/yr{more}; "
                   f"{fmt_percent(verification.stockout_probability, 0)} of the years run out "
                   "of fuel at least once.")
    else:
        weather = ("Not yet tested over other weather years: the figures are those of one "
                   "year known in advance. `energyopt verify SCENARIO --report FILE.html` adds "
                   "the spread (P50/P90 fuel) and blockade survival.")
    grades = movers = None
    lines = [gap_text, weather]
    if scenario is not None:
        from energyopt.provenance import grade_counts, sensitive_estimates

        grades = ", ".join(f"{g} {n}" for g, n in grade_counts(scenario).items() if n)
        top = sensitive_estimates(scenario, result, top=3)
        movers = [{"key": s.key, "grade": s.grade,
                   "value": f"{fmt_number(s.value)} {s.unit}".strip(),
                   "delta": fmt_number(s.delta_npc_usd, 0)} for s in top]
        lines.append(f"Inputs by grade: {grades}.")
        if movers:
            lines.append("The estimates that move the answer most (+-20% each, NPC change): "
                         + "; ".join(f"{m['key']} = {m['value']} (grade {m['grade']}): "
                                     f"+-{m['delta']} USD" for m in movers) + ".")
    if n_limits:
        lines.append(f"{n_limits} limit(s) of the scenario bind: the design would change with "
                     "more room (see Sizes).")
    return {"gap": gap_text, "converged": bool(info.converged and not info.interrupted),
            "weather": weather, "grades": grades, "movers": movers or [],
            "limits": n_limits, "lines": lines}


#: Size columns of a front shown in its table: (prefix of the column, label).
_FRONT_SIZES = (("pv_kwp", "PV (kWp)"), ("battery_kwh", "battery (kWh)"),
                ("battery_kw", "battery (kW)"), ("fuel_tank_l", "tank (L)"))


def _front_size_columns(front: pd.DataFrame) -> list[tuple[str, str]]:
    cols = [(c, label) for c, label in _FRONT_SIZES if c in front]
    cols += [(str(c), f"{str(c)[len('diesel_'):-len('_count')]} units")
             for c in front.columns if str(c).startswith("diesel_")
             and str(c).endswith("_count") and not str(c).endswith("_new_count")]
    return cols


def _points_label(points: list[int]) -> str:
    if len(points) == 1:
        return str(points[0])
    if points == list(range(points[0], points[-1] + 1)):
        return f"{points[0]}-{points[-1]}"
    return ", ".join(str(p) for p in points)


def pareto_front(front: pd.DataFrame | None, result: SizingResult) -> dict[str, Any] | None:
    """Return the cost-risk section: the distinct designs of a front, their sizes, the chart.

    Points of the front that hold the same design (same sizes and cost: "same design as point
    k", or a looser point given a tighter point's cheaper design) are merged into one row and
    one marker, labelled with their point numbers, and the caption says how many distinct
    designs the points hold. The design of this report is drawn at its own coordinates, its
    cost on the front's footing (without the value of casualties unless the front values
    them); when it is cheaper than every design of the front, the note says the front did not
    converge as far.

    Returns
    -------
    dict or None
        None without a front (or without its cost and risk columns).
    """
    from energyopt.report import figures

    if front is None or front.empty or "npc_usd" not in front:
        return None
    metric = next((m for m in ("expected_casualties_per_year", "convoys_per_year")
                   if m in front), None)
    if metric is None:
        return None
    valued = bool(front.attrs.get("value_risk", True))
    kpis = result.kpis
    cost = float(kpis["npc_usd"])
    if not valued and "risk" in result.costs:
        cost -= float(result.costs["risk"].sum())
    chosen = (float(kpis[metric]), cost) if metric in kpis else None
    sizes = _front_size_columns(front)
    if "point" not in front:
        front = front.assign(point=np.arange(len(front)))
    found = front[front["npc_usd"].notna()]
    groups: list[dict[str, Any]] = []
    for _, rec in found.iterrows():
        key = tuple(round(float(rec[c]), 6) for c, _ in sizes) + (
            round(float(rec["npc_usd"]), 2), round(float(rec[metric]), 9))
        for g in groups:
            if g["key"] == key:
                g["points"].append(int(rec["point"]))
                break
        else:
            groups.append({"key": key, "points": [int(rec["point"])], "rec": rec})
    distinct = pd.DataFrame([g["rec"] for g in groups])
    distinct["label"] = ["point " + _points_label(g["points"]) for g in groups]
    columns = ["points", "status", "net present cost (USD)", metric.replace("_", " "),
               "USD per casualty avoided", "convoys/yr", "fuel (L/yr)"] + [
        label for _, label in sizes]
    rows = []
    for g in groups:
        rec = g["rec"]
        price = rec.get("usd_per_casualty_avoided", np.nan)
        rows.append({"points": _points_label(g["points"]), "status": str(rec.get("status", "")),
                     "cells": [
                         num(f"pareto:{g['points'][0]}:npc_usd", float(rec["npc_usd"]), 0),
                         num(f"pareto:{g['points'][0]}:{metric}", float(rec[metric]), None),
                         num(f"pareto:{g['points'][0]}:usd_per_casualty_avoided",
                             None if price is None or is_missing(float(price)) else
                             float(price), 0),
                         num(f"pareto:{g['points'][0]}:convoys_per_year",
                             float(rec.get("convoys_per_year", np.nan)), 1),
                         num(f"pareto:{g['points'][0]}:fuel_l_per_year",
                             float(rec.get("fuel_l_per_year", np.nan)), 0),
                         *(num(f"pareto:{g['points'][0]}:{c}", float(rec[c]), 0)
                           for c, _ in sizes)]})
    for _, rec in front[front["npc_usd"].isna()].iterrows():
        rows.append({"points": str(int(rec["point"])), "status": str(rec.get("status", "")),
                     "cells": [num(f"pareto:{int(rec['point'])}:npc_usd", None, 0)]
                     + [num("pareto:none", None, 0) for _ in columns[3:]]})
    n_points, n_designs = len(front), len(groups)
    caption = (f"{n_points} points asked from least cost to least {metric.replace('_', ' ')}; "
               f"they hold {n_designs} distinct design{'s' if n_designs != 1 else ''}")
    if n_designs < len(found):
        caption += " (points with the same design are merged into one row and one marker)"
    if front.attrs.get("note"):
        caption += f"; {front.attrs['note']}"
    below = None
    if chosen is not None and len(found) and chosen[1] < float(found["npc_usd"].min()) * (
            1.0 - 1e-6):
        gaps = found["mip_gap"] if "mip_gap" in found else pd.Series(dtype=float)
        worst = f" (gaps up to {fmt_percent(float(gaps.max()))})" if len(gaps) and np.isfinite(
            float(gaps.max())) else ""
        below = (f"This design costs {fmt_number(float(found['npc_usd'].min()) - chosen[1], 0)} "
                 "USD less than the cheapest design of the front: the front's searches stopped "
                 f"further from their bounds{worst} than this run did. Rerun `energyopt pareto` "
                 "with a longer --time-limit before reading this design against the front.")
    return {"figure": figures.pareto_figure(distinct, metric, chosen) if n_designs else None,
            "metric": metric.replace("_", " "), "points": n_points, "designs": n_designs,
            "caption": caption, "below": below, "columns": columns, "rows": rows,
            "cost": "net present cost" + ("" if valued else
                                          " without the value put on casualties")}


def verification_distribution(v: Verification | None) -> str | None:
    """Return the histogram of fuel over the weather years of a verification."""
    from energyopt.report import figures

    if v is None or "fuel_l_per_year" not in v.years or "fuel_l_per_year" not in (
            v.summary.index):
        return None
    fig = v.figure("fuel_l_per_year")
    return figures.distribution_figure(v.years["fuel_l_per_year"], fig.get("optimiser"),
                                       fig["p50"], fig["p90"], "fuel (L/yr)")


def sensitivity(sweep: pd.DataFrame | None, metric: str = "npc_usd") -> dict[str, Any] | None:
    """Return the sensitivity section of a sweep: the tornado chart and each input's swing.

    Parameters
    ----------
    sweep : pandas.DataFrame or None
        The table :func:`energyopt.sweep` returns (inputs as dotted columns, ``npc_usd``).
    metric : str
        The metric charted (default the net present cost).

    Returns
    -------
    dict or None
        None without a sweep; else ``figure`` (the tornado chart of
        :func:`energyopt.studies.plots.tornado_figure`), ``rows`` (input, lowest and highest
        value, the metric there and the swing, largest first), ``points`` (rows of the sweep,
        ``failed`` of them without a design), ``method`` and ``text`` (one line for the
        Markdown summary); ``note`` instead when the sweep has no finite metric.
    """
    from energyopt.report import figures

    if sweep is None:
        return None
    points = len(sweep)
    if metric not in sweep.columns:
        return {"note": f"The sweep has no column {metric}: no tornado chart.", "points": points}
    from energyopt.studies.plots import tornado_data, tornado_figure

    bars = tornado_data(sweep, metric)
    failed = int(pd.to_numeric(sweep[metric], errors="coerce").isna().sum())
    if bars.empty:
        return {"note": f"No point of the sweep has a finite {metric}: no tornado chart.",
                "points": points}
    rows = [{"input": str(key), "low": fmt_number(_float(rec["low"])),
             "high": fmt_number(_float(rec["high"])),
             "metric_low": num(f"tornado:{key}:low", float(rec["metric_low"]), 0),
             "metric_high": num(f"tornado:{key}:high", float(rec["metric_high"]), 0),
             "swing": num(f"tornado:{key}:swing", float(rec["swing"]), 0)}
            for key, rec in bars.iterrows()]
    figure = figures.as_figure(tornado_figure(sweep, metric), "Sensitivity of the net present "
                               "cost")
    top = "; ".join(f"{key}: {fmt_number(float(rec['swing']), 0)} USD"
                    for key, rec in bars.head(3).iterrows())
    return {"note": None, "figure": figure, "rows": rows, "points": points, "failed": failed,
            "method": str(bars["method"].iloc[0]),
            "text": f"Inputs that move the net present cost most over the sweep of {points} "
                    f"points (range of NPC over each input's values): {top}."}


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
