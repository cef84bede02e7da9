"""Figures of the sizing report, drawn with matplotlib (Agg) and returned as inline SVG text.

Each function returns the ``<svg>`` element as a string, ready to be placed in the HTML: no XML
prologue, no metadata, no namespace URLs, text kept as text (``svg.fonttype = none``) so the
browser's own sans-serif font draws it and the file stays small.
"""

from __future__ import annotations

import io
import re
from typing import Any

import matplotlib
import matplotlib.style

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from energyopt.report.tables import (  # noqa: E402
    MIX_COLUMNS,
    WET_STACKING_LOAD_FRACTION,
    Week,
    naive_index,
)

__all__ = ["fuel_figure", "loading_figure", "mix_figure", "pareto_figure", "soc_figure",
           "survival_figure", "week_figure"]

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


def _svg(fig: Figure, title: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = _NS.sub("", text)
    return text.replace("<svg", f'<svg role="img" aria-label="{title}"', 1)


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
            ax.bar(t[arrived], daily["delivered_l"].to_numpy()[arrived] / 1000, width=1.0,
                   color="#0072B2", alpha=0.6, label="delivered")
        ax.set_ylabel("thousand litres")
        ax.legend(fontsize=8)
        return _svg(fig, "Fuel inventory")


def pareto_figure(front: pd.DataFrame, metric: str, chosen: tuple[float, float] | None) -> str:
    """Net present cost against a risk metric for each point of the front."""
    with matplotlib.style.context(_STYLE):
        fig, ax = _figure(height_in=3.2)
        ax.plot(front[metric].to_numpy(), front["npc_usd"].to_numpy() / 1e6, "o-",
                color="#0072B2", label="front")
        if chosen is not None:
            ax.plot([chosen[0]], [chosen[1] / 1e6], "s", color="#D55E00", label="this design")
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
