"""``energyopt mission``: rank capital investments across a mission's camps.

::

    energyopt mission MISSION.yaml [--out DIR] [--workers N] [--scheduler ADDR]
                                   [--rank-by convoys|casualties]

Sizes every camp's capex front in parallel (a local process pool, or a dask cluster with
``--scheduler``), ranks the investment steps across camps by USD per convoy (or per expected
casualty) avoided under the mission's budget, prints the ranked table and the camps' summary,
and writes ``mission_ranked.csv``, ``mission_camps.csv``, ``mission_fronts.csv`` and
``mission_chart.svg`` (:mod:`energyopt.studies.mission`).
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from energyopt.cli import (
    EXIT_SCENARIO,
    _cli_errors,
    _err,
    _setup_logging,
    _table,
    _writing,
)
from energyopt.report.format import fmt_number

__all__ = ["camps_table", "ranked_table", "register"]


def _cell(value: Any, decimals: int | None) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return fmt_number(float(value), decimals)


def ranked_table(ranked: Any, rank_by: str) -> str:
    """Format the ranked investment steps (display rounding only)."""
    per = ("usd_per_convoy_avoided", "USD/convoy avoided") if rank_by == "convoys" else (
        "usd_per_casualty_avoided", "USD/casualty avoided")
    cols = [("rank", "rank", 0), ("camp", "camp", None), ("step", "step", 0),
            ("funded", "funded", None), ("year", "year", 0), ("capex_usd", "capex (USD)", 0),
            ("cumulative_capex_usd", "cumulative (USD)", 0),
            ("convoys_avoided_per_year", "convoys avoided/yr", 2),
            ("casualties_avoided_per_year", "casualties avoided/yr", 4),
            (per[0], per[1], 0), ("npc_change_usd", "NPC change (USD)", 0),
            ("pv_kwp", "PV after (kWp)", 0), ("battery_kwh", "battery after (kWh)", 0)]
    if ranked["year"].isna().all():
        cols = [c for c in cols if c[0] != "year"]
    rows = []
    for _, rec in ranked.iterrows():
        cells = [_cell(rec[key], dec) for key, _label, dec in cols]
        if bool(rec.get("partial", False)):
            cells[3] = "part"
        rows.append(cells)
    return _table([c[1] for c in cols], rows, "rlrlrrrrrrrrr"[:len(cols)])


def camps_table(camps: Any) -> str:
    """Format the per-camp summary (display rounding only)."""
    cols = [("camp", "camp", None), ("capex_funded_usd", "capex funded (USD)", 0),
            ("steps_funded", "steps", 0),
            ("convoys_per_year_existing", "convoys/yr existing", 2),
            ("convoys_per_year_funded", "convoys/yr funded", 2),
            ("casualties_per_year_existing", "casualties/yr existing", 4),
            ("casualties_per_year_funded", "casualties/yr funded", 4),
            ("npc_usd_existing", "NPC existing (USD)", 0),
            ("npc_usd_funded", "NPC funded (USD)", 0),
            ("capex_unconstrained_usd", "capex unconstrained (USD)", 0)]
    cols = [c for c in cols if c[0] in camps.columns]
    rows = [[_cell(rec[key], dec) for key, _label, dec in cols] for _, rec in camps.iterrows()]
    return _table([c[1] for c in cols], rows, "l" + "r" * (len(cols) - 1))


def register(app: typer.Typer) -> None:
    """Add ``energyopt mission`` to ``app``."""

    @app.command("mission")
    def mission_command(
        mission_path: Annotated[Path, typer.Argument(
            help="Mission file (YAML): camps, capital budget, ranking metric.",
            metavar="MISSION.yaml")],
        out: Annotated[Path | None, typer.Option(
            "--out", "-o", help="Output folder [default: out/<mission file stem>].",
            show_default=False)] = None,
        workers: Annotated[int | None, typer.Option(
            "--workers", min=1, help="Local processes solving budgets in parallel [default: "
            "CPU count, at most 2].", show_default=False)] = None,
        scheduler: Annotated[str | None, typer.Option(
            "--scheduler", help="Address of a dask.distributed scheduler to run the budgets "
            "on (e.g. tcp://10.0.0.5:8786) instead of local processes.", show_default=False,
            metavar="ADDR")] = None,
        rank_by: Annotated[str | None, typer.Option(
            "--rank-by", help="Rank steps by USD per convoy avoided (convoys) or per expected "
            "casualty avoided (casualties) [default: the file's rank_by].",
            show_default=False)] = None,
        verbose: Annotated[bool, typer.Option("--verbose", "-v",
                                              help="Log the searches.")] = False,
    ) -> None:
        """Rank capital investments across a mission's camps under its budget.

        Sizes each camp's capex front (budgets from zero to its unconstrained design) in
        parallel, then funds investment steps across camps in increasing USD per convoy (or
        per expected casualty) avoided until the mission budget is spent. Prints the ranked
        table; writes mission_ranked.csv, mission_camps.csv, mission_fronts.csv and
        mission_chart.svg.
        """
        from energyopt.studies.mission import RANK_METRICS, load_mission, mission

        _setup_logging(verbose)
        if rank_by is not None and rank_by not in RANK_METRICS:
            _err(f"Option error: --rank-by {rank_by}: use one of {', '.join(RANK_METRICS)}")
            raise typer.Exit(EXIT_SCENARIO)
        folder = out if out is not None else Path("out") / mission_path.stem
        with _cli_errors():
            plan, scenarios = load_mission(mission_path)
            solves = len(scenarios) * plan.points
            where = f"on {scheduler}" if scheduler else (
                f"on {workers} process(es)" if workers else "on local processes")
            _err(f"Mission {plan.name}: {len(scenarios)} camps, up to {solves} solves "
                 f"({plan.points} budgets each) {where} ...")
            start = time.perf_counter()
            done = [0]

            def progress(camp: str, point: Any) -> None:
                done[0] += 1
                budget = ("unconstrained" if not math.isfinite(point.budget_usd)
                          else f"budget {point.budget_usd:,.0f} USD")
                _err(f"[{time.perf_counter() - start:5.0f} s] {done[0]:>3}/{solves} {camp}, "
                     f"{budget}: {point.status}")

            result = mission(mission_path, rank_by=rank_by,
                             executor=scheduler, workers=workers, on_point=progress)
        what = "convoy" if result.rank_by == "convoys" else "expected casualty"
        typer.echo(f"Mission: {result.name}; budget {fmt_number(result.budget_usd, 0)} USD; "
                   f"ranked by USD per {what} avoided")
        typer.echo("")
        typer.echo(ranked_table(result.ranked, result.rank_by))
        typer.echo("")
        typer.echo(camps_table(result.camps))
        funded = result.funded
        typer.echo("")
        capex = fmt_number(float(funded["capex_usd"].sum()), 0)
        convoys = fmt_number(float(funded["convoys_avoided_per_year"].sum()), 2)
        casualties = fmt_number(float(funded["casualties_avoided_per_year"].sum()), 4)
        typer.echo(f"Funded: {len(funded)} step(s), {capex} USD, {convoys} convoys and "
                   f"{casualties} expected casualties avoided a year.")
        for note in result.notes:
            typer.echo(f"Note: {note}")
        with _writing(folder, blank_line=False) as written:
            written += result.write(folder)
