"""Charts of a sweep: a tornado chart and HOMER's optimal-system-type map.

Both take the table :func:`energyopt.sweep` returns (or any DataFrame with the columns named
in their docstrings) and return a :class:`matplotlib.figure.Figure` built without pyplot (no
figure is left open); save it with ``fig.savefig("tornado.svg")``, or turn it into inline SVG
with :func:`svg_text`. Their signatures are stable: the sizing report calls them.

Inputs of a sweep are its dotted keys (``fuel.price_usd_per_l`` ...): a table without
``attrs["inputs"]`` is read as having one input per column whose name holds a dot.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.style
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from energyopt.report.format import fmt_number

__all__ = ["OST_COLOURS", "TABLE_COLUMNS", "ost_map_figure", "save_figure", "svg_text",
           "sweep_html", "system_type", "table_cells", "tornado_data", "tornado_figure"]

#: Smallest PV array counted as part of a system [kWp] (below it: rounding noise).
PV_MIN_KWP = 1.0
#: Smallest battery counted as part of a system [kWh].
BATTERY_MIN_KWH = 1.0

#: Colour of each system type on the map (Okabe-Ito; diesel grey, PV orange, battery blue).
OST_COLOURS = {
    "diesel": "#999999", "PV+diesel": "#E69F00", "PV+battery+diesel": "#009E73",
    "battery+diesel": "#56B4E9", "PV+battery": "#0072B2", "PV": "#F0E442", "battery": "#CC79A7",
    "none": "#FFFFFF", "no design": "#FFFFFF",
}

_STYLE: dict[str, Any] = {
    "svg.fonttype": "none", "font.family": "sans-serif", "font.size": 9,
    "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "energyopt",
}

#: Labels of common metrics: (label, unit).
_METRICS = {
    "npc_usd": ("net present cost", "USD"), "saving_usd": ("saving against diesel only", "USD"),
    "capex_usd": ("capital cost", "USD"), "lcoe_usd_per_kwh": ("LCOE", "USD/kWh"),
    "fuel_l_per_year": ("fuel", "L/yr"), "convoys_per_year": ("convoys", "per year"),
    "expected_casualties_per_year": ("expected casualties", "per year"),
    "renewable_fraction": ("renewable share", "-"), "pv_kwp": ("PV", "kWp"),
    "battery_kwh": ("battery", "kWh"), "co2_t_per_year": ("CO2", "t/yr"),
}


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return number


def system_type(row: Mapping[str, Any] | pd.Series) -> str:
    """Name the kind of system a design is: ``diesel``, ``PV+diesel``, ``PV+battery+diesel`` ...

    Parameters
    ----------
    row : mapping or pandas.Series
        One design's sizes: ``pv_kwp`` [kWp], ``battery_kwh`` [kWh] and
        ``diesel_<unit>_count`` [units] (``diesel_<unit>_new_count`` is ignored: the count
        already holds the new units). Missing size columns count as zero.

    Returns
    -------
    str
        The parts present joined by ``+`` in the order PV, battery, diesel: PV from
        :data:`PV_MIN_KWP`, a battery from :data:`BATTERY_MIN_KWH`, diesel from one unit;
        ``none`` when there is nothing, ``no design`` when the row has no sizes (a failed
        point: every size column missing or NaN).
    """
    keys = [str(k) for k in row.keys()]
    counts = [k for k in keys if k.startswith("diesel_") and k.endswith("_count")
              and not k.endswith("_new_count")]
    sizes = {k: _number(row[k]) for k in ("pv_kwp", "battery_kwh", *counts) if k in keys}
    if not sizes or all(math.isnan(v) for v in sizes.values()):
        return "no design"
    parts = []
    if sizes.get("pv_kwp", 0.0) >= PV_MIN_KWP:
        parts.append("PV")
    if sizes.get("battery_kwh", 0.0) >= BATTERY_MIN_KWH:
        parts.append("battery")
    if sum(v for k, v in sizes.items() if k in counts and not math.isnan(v)) >= 0.5:
        parts.append("diesel")
    return "+".join(parts) or "none"


def _inputs(df: pd.DataFrame) -> list[str]:
    inputs = df.attrs.get("inputs")
    if inputs:
        return [str(c) for c in inputs if c in df.columns]
    return [str(c) for c in df.columns if "." in str(c)]


def _levels(df: pd.DataFrame, key: str) -> list[Any]:
    """Return the values of an input, in the grid's order when known, else sorted."""
    grid = df.attrs.get("grid") or {}
    present = list(pd.unique(df[key].dropna()))
    if key in grid:
        return [v for v in grid[key] if any(v == p for p in present)]
    try:
        return sorted(present)
    except TypeError:
        return present


def _base_levels(df: pd.DataFrame, inputs: Sequence[str],
                 base: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return each input's base: given, else the scenario's own if swept, else the middle."""
    known = dict(df.attrs.get("base") or {})
    out: dict[str, Any] = {}
    for key in inputs:
        levels = _levels(df, key)
        if base is not None and key in base:
            out[key] = base[key]
        elif known.get(key) is not None and any(known[key] == v for v in levels):
            out[key] = known[key]
        else:
            out[key] = levels[(len(levels) - 1) // 2] if levels else None
    return out


def _at_base(df: pd.DataFrame, base: Mapping[str, Any], keep: Sequence[str]) -> pd.DataFrame:
    mask = pd.Series(True, index=df.index)
    for key, value in base.items():
        if key not in keep:
            mask &= df[key] == value
    return df[mask]


def tornado_data(df: pd.DataFrame, metric: str = "npc_usd",
                 base: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Return the tornado chart's bars: each input's effect on a metric, largest swing first.

    Parameters
    ----------
    df : pandas.DataFrame
        A sweep's table: one column per input (``attrs["inputs"]``, else every column with a
        dot in its name) and the metric's column. Rows whose metric is NaN (failed points)
        are left out. ``attrs["grid"]`` (order of values) and ``attrs["base"]`` (the
        scenario's own values) are used when present.
    metric : str
        The metric's column, e.g. ``npc_usd``.
    base : mapping of str to value, optional
        Base value of each input. Default: the base scenario's value when it is one of the
        swept values, else the middle value (the lower of the two middle ones).

    Returns
    -------
    pandas.DataFrame
        Indexed by input, sorted by ``swing`` (descending): ``low`` and ``high`` (the input's
        lowest and highest value), ``metric_low`` and ``metric_high`` (the metric there),
        ``metric_min``, ``metric_max`` and ``swing = metric_max - metric_min`` over the
        input's values, ``metric_base`` (all inputs at base) and ``method``. With a grid
        (``one at a time``) the other inputs stay at their base values; when a sampled
        design gives no such rows (``linear fit``), the metric is fitted linearly on the
        numeric inputs and evaluated at each input's extremes with the others at their mean.
    """
    if metric not in df.columns:
        raise KeyError(f"no column {metric!r} in the sweep table")
    inputs = _inputs(df)
    data = df[np.isfinite(pd.to_numeric(df[metric], errors="coerce").astype(float))]
    if not inputs or data.empty:
        return pd.DataFrame(columns=["low", "high", "metric_low", "metric_high", "metric_min",
                                     "metric_max", "swing", "metric_base", "method"])
    levels = _base_levels(data, inputs, base)
    rows: dict[str, dict[str, Any]] = {}
    one_at_a_time = True
    for key in inputs:
        subset = _at_base(data, levels, keep=[key])
        if subset[key].nunique() < 2:
            one_at_a_time = False
            break
        by_value = subset.groupby(key, sort=True)[metric].mean()
        base_rows = _at_base(data, levels, keep=[])
        rows[key] = {
            "low": by_value.index[0], "high": by_value.index[-1],
            "metric_low": float(by_value.iloc[0]), "metric_high": float(by_value.iloc[-1]),
            "metric_min": float(by_value.min()), "metric_max": float(by_value.max()),
            "metric_base": float(base_rows[metric].mean()) if len(base_rows) else float("nan"),
            "method": "one at a time"}
    if not one_at_a_time:
        rows = _linear_fit(data, inputs, metric)
    table = pd.DataFrame.from_dict(rows, orient="index")
    if table.empty:
        return tornado_data(df.iloc[0:0], metric)
    table["swing"] = table["metric_max"] - table["metric_min"]
    table = table.sort_values("swing", ascending=False, kind="stable")
    return table[["low", "high", "metric_low", "metric_high", "metric_min", "metric_max",
                  "swing", "metric_base", "method"]]


def _linear_fit(data: pd.DataFrame, inputs: Sequence[str],
                metric: str) -> dict[str, dict[str, Any]]:
    numeric = [k for k in inputs if pd.api.types.is_numeric_dtype(data[k])
               and data[k].nunique() > 1]
    if not numeric or len(data) < len(numeric) + 1:
        return {}
    x = data[numeric].to_numpy(dtype=float)
    y = data[metric].to_numpy(dtype=float)
    design = np.column_stack([np.ones(len(x)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    mean = x.mean(axis=0)
    centre = float(coef[0] + coef[1:] @ mean)
    rows = {}
    for j, key in enumerate(numeric):
        lo, hi = float(x[:, j].min()), float(x[:, j].max())
        m_lo = centre + float(coef[j + 1]) * (lo - mean[j])
        m_hi = centre + float(coef[j + 1]) * (hi - mean[j])
        rows[key] = {"low": lo, "high": hi, "metric_low": m_lo, "metric_high": m_hi,
                     "metric_min": min(m_lo, m_hi), "metric_max": max(m_lo, m_hi),
                     "metric_base": centre, "method": "linear fit"}
    return rows


def _metric_axis(metric: str, values: Sequence[float]) -> tuple[str, float]:
    """Axis label and scale of a metric (USD in millions when large)."""
    label, unit = _METRICS.get(metric, (metric.replace("_", " "), ""))
    finite = [abs(v) for v in values if math.isfinite(v)]
    if unit == "USD" and finite and max(finite) >= 1e6:
        return f"{label} (million USD)", 1e-6
    return (f"{label} ({unit})" if unit and unit != "-" else label), 1.0


def _value_text(value: Any) -> str:
    """Format an input's value for an axis or a label (display only)."""
    if isinstance(value, float | int | np.floating | np.integer) and not isinstance(value, bool):
        number = float(value)
        if math.isfinite(number) and number == round(number):
            return fmt_number(number, 0)
        return f"{number:,.4g}"
    return str(value)


def _new_figure(width_in: float, height_in: float) -> Figure:
    with matplotlib.style.context(_STYLE):
        return Figure(figsize=(width_in, height_in), layout="constrained")


def tornado_figure(df: pd.DataFrame, metric: str = "npc_usd",
                   base: Mapping[str, Any] | None = None) -> Figure:
    """Draw the tornado chart of a sweep: how far each input moves a metric.

    Parameters
    ----------
    df : pandas.DataFrame
        A sweep's table; the columns needed are the inputs and ``metric`` (see
        :func:`tornado_data`).
    metric : str
        The metric's column (default ``npc_usd``, the net present cost [USD]).
    base : mapping of str to value, optional
        Base value of each input (see :func:`tornado_data`).

    Returns
    -------
    matplotlib.figure.Figure
        One row per input, the largest swing at the top: a bar from the metric at base to
        the metric at the input's lowest value (blue) and one to its highest value (orange),
        each end labelled with the input's value; a vertical line at the base metric.
    """
    bars = tornado_data(df, metric, base)
    label, scale = _metric_axis(metric, [*bars.get("metric_min", []),
                                         *bars.get("metric_max", [])])
    with matplotlib.style.context(_STYLE):
        fig = _new_figure(8.0, 1.2 + 0.55 * max(1, len(bars)))
        ax = fig.add_subplot()
        if bars.empty:
            ax.text(0.5, 0.5, f"no finite {metric} to chart", ha="center", va="center",
                    transform=ax.transAxes)
            ax.set_axis_off()
            return fig
        centre = float(bars["metric_base"].dropna().iloc[0]) if bars["metric_base"].notna(
        ).any() else float(bars[["metric_min", "metric_max"]].to_numpy().mean())
        n = len(bars)
        for k, (_key, rec) in enumerate(bars.iterrows()):
            y = n - 1 - k
            ax.barh(y, (rec["metric_min"] - centre) * scale, left=centre * scale,
                    color="#DDDDDD", height=0.6, zorder=1)
            ax.barh(y, (rec["metric_max"] - centre) * scale, left=centre * scale,
                    color="#DDDDDD", height=0.6, zorder=1)
            for end, colour, ha_sign in (("low", "#0072B2", -1), ("high", "#E69F00", 1)):
                value = float(rec[f"metric_{end}"])
                ax.barh(y, (value - centre) * scale, left=centre * scale, color=colour,
                        height=0.6, zorder=2, alpha=0.9)
                side = "right" if value < centre or (value == centre and ha_sign < 0) else "left"
                ax.text(value * scale, y, f" {_value_text(rec[end])} ", va="center",
                        ha=side, fontsize=8, zorder=3)
        ax.axvline(centre * scale, color="black", linewidth=0.8)
        ax.set_yticks(range(n), [str(k) for k in reversed(bars.index)])
        ax.set_xlabel(label)
        method = str(bars["method"].iloc[0])
        others = "others at base" if method == "one at a time" else "linear fit, others at mean"
        ax.set_title(f"{label.split(' (')[0].capitalize()}: range over each input's values "
                     f"({others})", fontsize=9, loc="left")
        fig.legend(handles=[Patch(color="#0072B2", label="input at its lowest value"),
                            Patch(color="#E69F00", label="input at its highest value")],
                   loc="outside lower center", ncols=2, fontsize=8, frameon=False)
        lo = min(float(bars["metric_min"].min()), centre)
        hi = max(float(bars["metric_max"].max()), centre)
        pad = 0.18 * (hi - lo) if hi > lo else 0.05 * abs(centre) or 1.0
        ax.set_xlim((lo - pad) * scale, (hi + pad) * scale)
        ax.grid(axis="x", alpha=0.3)
    return fig


def ost_map_figure(df: pd.DataFrame, x: str, y: str) -> Figure:
    """Draw the optimal-system-type map of a two-input grid (HOMER's OST graph).

    Parameters
    ----------
    df : pandas.DataFrame
        A sweep's table with columns ``x`` and ``y`` (two inputs), ``pv_kwp`` [kWp] and either
        ``system_type`` or the sizes :func:`system_type` reads (``pv_kwp``, ``battery_kwh``,
        ``diesel_<unit>_count``). Other inputs, when the sweep has more, are held at their
        base values (see :func:`tornado_data`). Failed points show as ``no design``.
    x, y : str
        The inputs on the horizontal and the vertical axis.

    Returns
    -------
    matplotlib.figure.Figure
        One cell per (x, y) point, coloured by system type (:data:`OST_COLOURS`) and
        labelled with the design's PV size in kWp; the axes are the grid's values in order.
    """
    for col in (x, y):
        if col not in df.columns:
            raise KeyError(f"no column {col!r} in the sweep table")
    inputs = [k for k in _inputs(df) if k not in (x, y)]
    data = _at_base(df, _base_levels(df, inputs, None), keep=[]) if inputs else df
    xs, ys = _levels(data, x), _levels(data, y)
    with matplotlib.style.context(_STYLE):
        fig = _new_figure(1.8 + 1.1 * max(3, len(xs)), 1.6 + 0.7 * max(3, len(ys)))
        ax = fig.add_subplot()
        seen: list[str] = []
        for i, xv in enumerate(xs):
            for j, yv in enumerate(ys):
                cell = data[(data[x] == xv) & (data[y] == yv)]
                if cell.empty:
                    continue
                rec = cell.iloc[0]
                kind = rec.get("system_type")
                if not isinstance(kind, str) or not kind:
                    kind = system_type(rec)
                seen.append(kind)
                ax.add_patch(Rectangle((i - 0.5, j - 0.5), 1, 1,
                                       facecolor=OST_COLOURS.get(kind, "#FFFFFF"),
                                       edgecolor="white", linewidth=1.5,
                                       hatch="//" if kind == "no design" else None))
                pv = _number(rec.get("pv_kwp"))
                text = "no design" if kind == "no design" else (
                    f"PV {fmt_number(pv, 0)} kWp" if pv >= PV_MIN_KWP else "no PV")
                ax.text(i, j, text, ha="center", va="center", fontsize=8)
        ax.set_xlim(-0.5, len(xs) - 0.5)
        ax.set_ylim(-0.5, len(ys) - 0.5)
        ax.set_xticks(range(len(xs)), [_value_text(v) for v in xs])
        ax.set_yticks(range(len(ys)), [_value_text(v) for v in ys])
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.set_title("Optimal system type (label: PV size of the design)", fontsize=9,
                     loc="left")
        kinds = list(dict.fromkeys(seen))
        ax.legend(handles=[Patch(facecolor=OST_COLOURS.get(k, "#FFFFFF"), edgecolor="#666666",
                                 label=k) for k in kinds],
                  loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.tick_params(length=0)
    return fig


_NS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Save a figure of this module (SVG text kept as text, no date in the metadata).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path : str or Path
        The file; its suffix gives the format (``.svg``, ``.png`` ...).

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    metadata = {"Date": None} if path.suffix.lower() == ".svg" else None
    with matplotlib.style.context(_STYLE):
        fig.savefig(path, metadata=metadata)
    return path


def svg_text(fig: Figure, title: str) -> str:
    """Return a figure as an inline ``<svg>`` element (no prologue, metadata or namespaces).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    title : str
        Its accessible name (``aria-label``).

    Returns
    -------
    str
        The SVG text, with its text kept as text so the page's font draws it.
    """
    buffer = io.StringIO()
    with matplotlib.style.context(_STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = _NS.sub("", text)
    return text.replace("<svg", f'<svg role="img" aria-label="{title}"', 1)


# --------------------------------------------------------------------------------------------
# The table and the page
# --------------------------------------------------------------------------------------------
#: Columns of the displayed table after the point and its inputs: (column, label, decimals or
#: None for automatic, scale).
TABLE_COLUMNS: tuple[tuple[str, str, int | None, float], ...] = (
    ("system_type", "system", None, 1.0),
    ("pv_kwp", "PV kWp", 0, 1.0),
    ("battery_kwh", "battery kWh", 0, 1.0),
    ("npc_usd", "NPC USD", 0, 1.0),
    ("saving_usd", "saving USD", 0, 1.0),
    ("fuel_l_per_year", "fuel L/yr", 0, 1.0),
    ("convoys_per_year", "convoys/yr", 2, 1.0),
    ("expected_casualties_per_year", "casualties/yr", None, 1.0),
    ("renewable_fraction", "RE %", 1, 100.0),
    ("gap_pct", "gap %", 2, 1.0),
    ("run_s", "run s", 1, 1.0),
    ("status", "status", None, 1.0),
)


def table_cells(df: pd.DataFrame) -> tuple[list[str], list[list[str]], str]:
    """Return the displayed table of a sweep: headers, rows of text and the alignment.

    Parameters
    ----------
    df : pandas.DataFrame
        A sweep's table (see :func:`energyopt.sweep`).

    Returns
    -------
    headers : list of str
        ``point``, the inputs, then the columns of :data:`TABLE_COLUMNS` present.
    rows : list of list of str
        One per point, numbers rounded for display only (``n/a`` for a failed point).
    align : str
        ``l`` or ``r`` per column.
    """
    inputs = _inputs(df)
    cols = [c for c in TABLE_COLUMNS if c[0] in df.columns]
    headers = ["point", *inputs, *(c[1] for c in cols)]
    align = "r" + "r" * len(inputs) + "".join(
        "l" if c[0] in ("system_type", "status") else "r" for c in cols)
    rows = []
    for _, rec in df.iterrows():
        cells = [str(rec.get("point", "")), *(_value_text(rec[k]) for k in inputs)]
        for key, _label, decimals, scale in cols:
            value = rec[key]
            if isinstance(value, str):
                cells.append(value)
            elif value is None or value is pd.NA:
                cells.append("n/a")
            else:
                number = _number(value)
                cells.append(fmt_number(number * scale if math.isfinite(number) else None,
                                        decimals))
        rows.append(cells)
    return headers, rows, align


def sweep_html(df: pd.DataFrame, *, title: str, subtitle: str = "",
               figures: Sequence[tuple[str, str, Figure, str]] = ()) -> str:
    """Return a self-contained HTML page of a sweep: its table and charts (inline SVG).

    Parameters
    ----------
    df : pandas.DataFrame
        A sweep's table.
    title, subtitle : str
        The page's heading and the line under it.
    figures : sequence of (id, title, Figure, note)
        Charts to show after the table, in order.

    Returns
    -------
    str
        The page (no scripts, no network).
    """
    import datetime

    import jinja2

    from energyopt import __version__

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("energyopt.studies", "templates"),
        autoescape=jinja2.select_autoescape(("html", "html.j2")),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    headers, rows, align = table_cells(df)
    failed = [s not in ("converged", "not converged") for s in df.get(
        "status", pd.Series(["converged"] * len(df)))]
    notes = [f"Point {rec.get('point')}: {rec.get('status')}: {rec.get('error')}"
             for (_, rec), bad in zip(df.iterrows(), failed, strict=True) if bad]
    done = len(df) - sum(failed)
    summary = (f"{len(df)} point(s), {done} with a design"
               + (f", {sum(failed)} failed (shaded; why below)" if any(failed) else "")
               + ". NPC: net present cost over the horizon; saving: against the diesel-only "
               "camp under the same inputs; RE: renewable share; gap: to the proven bound.")
    page = env.get_template("sweep.html.j2").render(
        title=title, subtitle=subtitle, version=__version__,
        generated=datetime.date.today().isoformat(), summary=summary, notes=notes,
        headers=[{"label": h, "align": a} for h, a in zip(headers, align, strict=True)],
        rows=[{"failed": bad, "cells": [{"text": t, "align": a}
                                        for t, a in zip(r, align, strict=True)]}
              for r, bad in zip(rows, failed, strict=True)],
        figures=[{"id": i, "title": t, "svg": svg_text(f, t), "note": n}
                 for i, t, f, n in figures])
    return str(page)
