"""Figures of the sizing report, drawn with matplotlib (Agg) and returned as inline SVG text.

Each function returns the ``<svg>`` element as a string, ready to be placed in the HTML: no XML
prologue, no metadata, no namespace URLs, text kept as text (``svg.fonttype = none``) so the
browser's own sans-serif font draws it and the file stays small.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import re
from collections.abc import Iterator
from typing import Any

import matplotlib
import matplotlib.dates
import matplotlib.style

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from energyopt.report.tables import (  # noqa: E402
    MIX_COLUMNS,
    WET_STACKING_LOAD_FRACTION,
    Week,
    day_by_hour,
    naive_index,
)

__all__ = ["Png", "as_figure", "capital_operating_figure", "cash_flow_figure",
           "distribution_figure", "fuel_figure", "heatmap_figure", "loading_figure",
           "mix_figure", "output", "pareto_figure", "soc_figure", "survival_figure",
           "week_figure"]

#: Colours per series (colour-blind safe, Okabe-Ito).
COLOURS = {
    "pv_kw": "#E69F00", "diesel_kw": "#555555", "battery_discharge_kw": "#0072B2",
    "battery_charge_kw": "#56B4E9", "unserved_kw": "#D55E00", "diesel_excess_kw": "#999999",
    "load_kw": "#000000", "soc": "#009E73",
}
_STYLE: dict[str, Any] = {
    "svg.fonttype": "none", "font.family": "sans-serif", "font.size": 9,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "grid.alpha": 0.3, "svg.hashsalt": "energyopt",
}
_NS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')


class Png(str):
    """A figure drawn as PNG for a document that cannot draw SVG (the PDF report).

    The text is the figure's title; :attr:`data` holds the PNG bytes and :attr:`size_in`
    the figure's size in inches.
    """

    data: bytes
    size_in: tuple[float, float]

    def __new__(cls, title: str, data: bytes, size_in: tuple[float, float]) -> Png:
        """Return the figure ``title`` holding its PNG bytes and size [in]."""
        obj = super().__new__(cls, title)
        obj.data = data
        obj.size_in = size_in
        return obj


#: Format the figure functions return: ``svg`` (inline SVG text) or ``png`` (:class:`Png`).
_FORMAT: contextvars.ContextVar[str] = contextvars.ContextVar("figure_format", default="svg")


@contextlib.contextmanager
def output(fmt: str) -> Iterator[None]:
    """Make the figure functions return ``svg`` text (default) or ``png`` (:class:`Png`)."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"figure format {fmt!r}: use 'svg' or 'png'")
    token = _FORMAT.set(fmt)
    try:
        yield
    finally:
        _FORMAT.reset(token)


def _svg(fig: Figure, title: str) -> str:
    if _FORMAT.get() == "png":
        raw = io.BytesIO()
        fig.savefig(raw, format="png", dpi=150, bbox_inches="tight")
        size = fig.get_size_inches()
        plt.close(fig)
        with Image.open(io.BytesIO(raw.getvalue())) as image:
            width, height = image.size
        return Png(title, raw.getvalue(), (width / 150.0, height / 150.0) if width else (
            float(size[0]), float(size[1])))
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = _NS.sub("", text)
    return text.replace("<svg", f'<svg role="img" aria-label="{title}"', 1)


def as_figure(fig: Figure, title: str) -> str:
    """Return a figure drawn elsewhere (a sweep's tornado chart) as inline SVG text.

    Under ``output("png")`` a :class:`Png`, as this module's own figures.
    """
    return _svg(fig, title)


def _figure(width_in: float = 11.0, height_in: float = 3.4) -> tuple[Figure, plt.Axes]:
    with matplotlib.style.context(_STYLE):
        fig, ax = plt.subplots(figsize=(width_in, height_in))
    return fig, ax


def mix_figure(mix_kwh: pd.DataFrame) -> str:
    """Monthly energy mix: supply stacked up, charging and load bank stacked down [MWh]."""
    with matplotlib.style.context(_STYLE):
        fig, ax = _figure()
        x = np.arange(len(mix_kwh))
        labels = dict(MIX_COLUMNS)
        up = np.zeros(len(mix_kwh))
        down = np.zeros(len(mix_kwh))
        for col in ("pv_kw", "diesel_kw", "battery_discharge_kw", "unserved_kw"):
            if col in mix_kwh and mix_kwh[col].abs().sum() > 0:
                v = mix_kwh[col].to_numpy() / 1000
                ax.bar(x, v, bottom=up, color=COLOURS[col], label=labels[col], width=0.7)
                up += v
        for col in ("battery_charge_kw", "diesel_excess_kw"):
            if col in mix_kwh and mix_kwh[col].abs().sum() > 0:
                v = -mix_kwh[col].to_numpy() / 1000
                ax.bar(x, v, bottom=down, color=COLOURS[col], label=labels[col], width=0.7)
                down += v
        ax.plot(x, mix_kwh["load_kw"].to_numpy() / 1000, "o-", color=COLOURS["load_kw"],
                label="load", markersize=3)
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_xticks(x, [str(p) for p in mix_kwh.index])
        ax.set_ylabel("MWh per month (scaled to a year)")
        ax.legend(ncol=4, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12),
                  frameon=False)
        return _svg(fig, "Monthly energy mix")


def week_figure(week: Week) -> str:
    """One week of dispatch: PV, diesel and battery discharge stacked, charging below [kW]."""
    d = week.frame
    with matplotlib.style.context(_STYLE):
        fig, ax = _figure(height_in=3.2)
        t = naive_index(d.index)
        stack = [(c, dict(MIX_COLUMNS)[c]) for c in ("pv_kw", "diesel_kw",
                                                     "battery_discharge_kw", "unserved_kw")
                 if c in d and d[c].abs().sum() > 0]
        if stack:
            ax.stackplot(t, *[d[c].to_numpy() for c, _ in stack], step="post",
                         colors=[COLOURS[c] for c, _ in stack], labels=[lab for _, lab in stack])
        for col in ("battery_charge_kw", "diesel_excess_kw"):
            if col in d and d[col].abs().sum() > 0:
                ax.fill_between(t, 0, -d[col].to_numpy(), step="post", color=COLOURS[col],
                                label=dict(MIX_COLUMNS)[col])
        ax.step(t, d["load_kw"].to_numpy(), where="post", color=COLOURS["load_kw"],
                linewidth=1.0, label="load")
        ax.set_ylabel("kW")
        ax.legend(ncol=6, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15),
                  frameon=False)
        return _svg(fig, f"Dispatch, {week.label}")


def soc_figure(soc_kwh: pd.Series, battery_kwh: float, min_soc: float | None) -> str:
    """Battery state of charge over the modelled period [% of capacity]; daily band if long."""
    with matplotlib.style.context(_STYLE):
        fig, ax = _figure(height_in=3.0)
        pct = 100 * soc_kwh / battery_kwh
        t = naive_index(pct.index)
        pct = pd.Series(pct.to_numpy(), index=t)
        if len(pct) > 24 * 40:
            daily = pct.resample("D")
            ax.fill_between(daily.min().index, daily.min().to_numpy(), daily.max().to_numpy(),
                            color=COLOURS["soc"], alpha=0.35, label="daily range")
            ax.plot(daily.mean().index, daily.mean().to_numpy(), color=COLOURS["soc"],
                    linewidth=1, label="daily mean")
        else:
            ax.plot(pct.index, pct.to_numpy(), color=COLOURS["soc"], linewidth=1,
                    label="state of charge")
        if min_soc is not None:
            ax.axhline(100 * min_soc, color="#D55E00", linestyle="--", linewidth=0.8,
                       label="minimum")
        ax.set_ylim(0, 105)
        ax.set_ylabel("% of capacity")
        ax.legend(ncol=3, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12),
                  frameon=False)
        return _svg(fig, "Battery state of charge")


def loading_figure(loadings: dict[str, tuple[np.ndarray, np.ndarray]]) -> str:
    """Histogram of generator loading, running unit-hours per year per 5% bin."""
    with matplotlib.style.context(_STYLE):
        fig, ax = _figure(height_in=2.8)
        for name, (loading, hours) in loadings.items():
            # rounded to 1e-6 so a unit held at exactly its minimum load (0.3 less solver
            # noise) falls in the bin from 30%, as in the table of hours below 30%
            shown = 100 * np.clip(np.round(loading, 6), 0, 1)
            ax.hist(shown, bins=list(range(0, 105, 5)), weights=hours, alpha=0.7, label=name)
        ax.axvspan(0, 100 * WET_STACKING_LOAD_FRACTION, color="#D55E00", alpha=0.08)
        ax.axvline(100 * WET_STACKING_LOAD_FRACTION, color="#D55E00", linestyle="--",
                   linewidth=0.8, label=f"{100 * WET_STACKING_LOAD_FRACTION:.0f}% (wet stacking)")
        ax.set_xlim(0, 100)
        ax.set_xlabel("loading of running units (% of rating)")
        ax.set_ylabel("unit-hours per year")
        ax.legend(fontsize=8)
        return _svg(fig, "Generator loading")


def fuel_figure(daily: pd.DataFrame) -> str:
    """Fuel stock at the end of each day [L] and deliveries (convoy arrivals)."""
    with matplotlib.style.context(_STYLE):
        fig, ax = _figure(height_in=2.8)
        t = naive_index(daily.index)
        ax.step(t, daily["stock_l"].to_numpy() / 1000, where="post", color="#555555",
                label="stock")
        if "delivered_l" in daily:
            arrived = daily["delivered_l"].to_numpy() > 0
            # a one-day bar is a hairline on a year's axis: each arrival is a stem with a
            # marker, as wide on a year as on a week, so a single delivery is seen
            litres = daily["delivered_l"].to_numpy()[arrived] / 1000
            ax.vlines(t[arrived], 0, litres, color="#0072B2", linewidth=2.0)
            ax.plot(t[arrived], litres, "v", color="#0072B2", markersize=7,
                    label="delivered (arrival day)")
        ax.set_ylim(bottom=0)
        ax.set_ylabel("thousand litres")
        ax.legend(fontsize=8)
        return _svg(fig, "Fuel inventory")


def pareto_figure(front: pd.DataFrame, metric: str, chosen: tuple[float, float] | None) -> str:
    """Net present cost against a risk metric for each distinct design of the front.

    ``front`` holds one row per distinct design (duplicates already merged) with a ``label``
    column (the point numbers it stands for). The cost axis spans at least 2% of the cost
    (no offset notation), so equal costs do not look like a steep trade-off; ``chosen``
    (metric, cost [USD]) is this design, drawn at its own coordinates.
    """
    with matplotlib.style.context(_STYLE):
        fig, ax = _figure(height_in=3.2)
        x = front[metric].to_numpy(dtype=float)
        y = front["npc_usd"].to_numpy(dtype=float) / 1e6
        ax.plot(x, y, "o-", color="#0072B2", label="front (distinct designs)", markersize=6)
        if "label" in front:
            for xi, yi, text in zip(x, y, front["label"], strict=True):
                ax.annotate(str(text), (xi, yi), textcoords="offset points", xytext=(5, 5),
                            fontsize=8, color="#0072B2")
        ys = list(y)
        xs = list(x)
        if chosen is not None:
            ax.plot([chosen[0]], [chosen[1] / 1e6], "s", color="#D55E00", markersize=7,
                    label="this design")
            ys.append(chosen[1] / 1e6)
            xs.append(chosen[0])
        centre = 0.5 * (max(ys) + min(ys))
        half = max(0.5 * (max(ys) - min(ys)) * 1.15, 0.01 * abs(centre), 1e-6)
        ax.set_ylim(centre - half, centre + half)
        xc, xh = 0.5 * (max(xs) + min(xs)), 0.5 * (max(xs) - min(xs))
        xh = max(xh * 1.15, 0.05 * abs(xc), 1e-6)
        ax.set_xlim(xc - xh, xc + xh)
        ax.ticklabel_format(axis="both", style="plain", useOffset=False)
        ax.set_xlabel(metric.replace("_", " "))
        ax.set_ylabel("net present cost (million USD)")
        ax.legend(fontsize=8)
        return _svg(fig, "Cost against risk")


def survival_figure(survival: pd.Series) -> str:
    """Blockade survival: share of start days the critical load is served, against days [%]."""
    with matplotlib.style.context(_STYLE):
        fig, ax = _figure(height_in=2.8)
        days = survival.index.to_numpy(dtype=float)
        ax.step(days, 100 * survival.to_numpy(dtype=float), where="post", color="#009E73",
                linewidth=1.2)
        ax.plot(days, 100 * survival.to_numpy(dtype=float), "o", color="#009E73",
                markersize=3)
        ax.set_ylim(-3, 103)
        ax.set_xlim(left=0)
        ax.set_xlabel("blockade length (days)")
        ax.set_ylabel("critical load served (% of start days)")
        return _svg(fig, "Blockade survival")


def heatmap_figure(dispatch: pd.DataFrame, battery_kwh: float) -> str:
    """Day of year by hour of day: PV output, diesel output [kW] and state of charge [%].

    Steps shorter than an hour are averaged within each clock hour; a short horizon shows
    the days modelled; an hour missing from a day (a clock change) is left blank.
    """
    days = pd.DatetimeIndex(naive_index(dispatch.index).normalize().unique())
    panels: list[tuple[str, str, str, pd.Series]] = [
        ("PV output", "kW", "YlOrBr", dispatch["pv_kw"]),
        ("diesel output", "kW", "Greys", dispatch["diesel_kw"])]
    if battery_kwh > 0 and "battery_soc_kwh" in dispatch:
        panels.append(("battery state of charge", "% of capacity", "Greens",
                       100 * dispatch["battery_soc_kwh"] / battery_kwh))
    with matplotlib.style.context({**_STYLE, "axes.grid": False}):
        fig, axes = plt.subplots(len(panels), 1, figsize=(11.0, 2.1 * len(panels)),
                                 sharex=True, squeeze=False)
        first = matplotlib.dates.date2num(days[0].to_pydatetime())
        last = matplotlib.dates.date2num((days[-1] + pd.Timedelta(days=1)).to_pydatetime())
        for ax, (title, unit, cmap, series) in zip(axes[:, 0], panels, strict=True):
            grid = day_by_hour(series)
            image = ax.imshow(grid.to_numpy().T, aspect="auto", origin="lower",
                              interpolation="nearest", cmap=cmap,
                              extent=(first, last, 0, 24))
            ax.set_yticks([0, 6, 12, 18, 24])
            ax.set_ylabel("hour")
            ax.set_title(title, fontsize=9, loc="left")
            bar = fig.colorbar(image, ax=ax, pad=0.01, fraction=0.03)
            bar.set_label(unit, fontsize=8)
        ax = axes[-1, 0]
        ax.xaxis_date()
        locator = matplotlib.dates.AutoDateLocator(maxticks=13)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(locator))
        ax.set_xlabel("day of the modelled period")
        return _svg(fig, "The year hour by hour")


def cash_flow_figure(flow: pd.DataFrame) -> str:
    """Yearly payments by category (stacked bars) and cumulative cost against diesel only."""
    from energyopt.finance import CATEGORIES, CATEGORY_LABELS

    colours = {"capital": "#0072B2", "replacement": "#56B4E9", "om": "#009E73",
               "fuel": "#555555", "convoy": "#E69F00", "risk": "#D55E00",
               "unserved": "#CC79A7", "salvage": "#F0E442"}
    with matplotlib.style.context(_STYLE):
        fig, ax = _figure(height_in=3.6)
        years = flow.index.to_numpy()
        up = np.zeros(len(flow))
        down = np.zeros(len(flow))
        for cat in CATEGORIES:
            v = flow[f"{cat}_usd"].to_numpy(dtype=float) / 1e6
            if not np.any(v != 0):
                continue
            pos, neg = np.clip(v, 0, None), np.clip(v, None, 0)
            ax.bar(years, pos + neg, bottom=np.where(v >= 0, up, down), color=colours[cat],
                   width=0.7, label=CATEGORY_LABELS[cat])
            up += pos
            down += neg
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_xlabel("year (0: investment)")
        ax.set_ylabel("paid in the year (million USD)")
        ax2 = ax.twinx()
        ax2.plot(years, flow["cumulative_usd"].to_numpy() / 1e6, "-", color="#000000",
                 linewidth=1.6, label="cumulative, this design")
        if flow["diesel_only_cumulative_usd"].notna().all():
            ax2.plot(years, flow["diesel_only_cumulative_usd"].to_numpy() / 1e6, "--",
                     color="#D55E00", linewidth=1.6, label="cumulative, diesel only")
        ax2.set_ylabel("cumulative (million USD)")
        # zero at the same height on both axes
        (lo1, hi1), (lo2, hi2) = ax.get_ylim(), ax2.get_ylim()
        hi1, hi2 = max(hi1, 1e-9), max(hi2, 1e-9)
        f = max(-min(lo1, 0.0) / (hi1 - min(lo1, 0.0)), -min(lo2, 0.0) / (hi2 - min(lo2, 0.0)))
        f = min(f, 0.9)
        ax.set_ylim(-f * hi1 / (1 - f), hi1)
        ax2.set_ylim(-f * hi2 / (1 - f), hi2)
        handles = ax.get_legend_handles_labels()
        handles2 = ax2.get_legend_handles_labels()
        ax.legend(handles[0] + handles2[0], handles[1] + handles2[1], ncol=5, fontsize=8,
                  loc="upper center", bbox_to_anchor=(0.5, -0.17), frameon=False)
        ax.set_xticks(years)
        return _svg(fig, "Yearly cash flow")


def capital_operating_figure(split: pd.DataFrame, lcoe_parts: pd.Series) -> str:
    """Left: capital and operating present values, design and diesel only [million USD].

    Right: the LCOE of the design by part [USD/kWh].
    """
    with matplotlib.style.context(_STYLE):
        fig, (left, right) = plt.subplots(1, 2, figsize=(11.0, 3.2),
                                          gridspec_kw={"width_ratios": [1, 1.6]})
        cols = [c for c in ("design", "diesel_only") if split[c].notna().all()]
        x = np.arange(len(cols))
        cap = split.loc["capital", cols].to_numpy(dtype=float) / 1e6
        op = split.loc["operating", cols].to_numpy(dtype=float) / 1e6
        left.bar(x, cap, width=0.55, color="#0072B2", label="capital")
        left.bar(x, op, bottom=cap, width=0.55, color="#555555", label="operating")
        left.set_xticks(x, [c.replace("_", " ") for c in cols])
        left.set_ylabel("present value (million USD)")
        left.legend(fontsize=8)
        parts = lcoe_parts.iloc[::-1]
        colours = ["#D55E00" if v < 0 else "#E69F00" for v in parts.to_numpy()]
        right.barh(np.arange(len(parts)), parts.to_numpy(dtype=float), color=colours)
        right.set_yticks(np.arange(len(parts)), [str(i) for i in parts.index])
        right.axvline(0, color="black", linewidth=0.6)
        right.set_xlabel("USD per kWh served")
        right.set_title("LCOE by part", fontsize=9, loc="left")
        fig.tight_layout()
        return _svg(fig, "Capital and operating cost, LCOE by part")


def distribution_figure(values: pd.Series, optimiser: float | None, p50: float, p90: float,
                        unit: str) -> str:
    """Histogram of a figure over weather years, with P50, P90 and the optimiser's value."""
    with matplotlib.style.context(_STYLE):
        fig, ax = _figure(height_in=2.8)
        v = values.to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        bins = min(max(len(v) // 2, 5), 20)
        ax.hist(v, bins=bins, color="#56B4E9", edgecolor="white", label="weather years")
        ax.axvline(p50, color="#0072B2", linewidth=1.4, label="P50")
        ax.axvline(p90, color="#D55E00", linewidth=1.4, linestyle="--", label="P90")
        if optimiser is not None and np.isfinite(optimiser):
            ax.axvline(optimiser, color="#000000", linewidth=1.2, linestyle=":",
                       label="optimiser (one year known in advance)")
        ax.set_xlabel(unit)
        ax.set_ylabel("weather years")
        ax.ticklabel_format(axis="x", style="plain", useOffset=False)
        ax.legend(fontsize=8)
        return _svg(fig, "Fuel over weather years")
