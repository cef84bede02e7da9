"""``energyopt sweep``: size a camp over a grid or a sampled design of its inputs.

::

    energyopt sweep SCENARIO.yaml SWEEP.yaml [--out DIR] [--workers N] [--scheduler ADDRESS]
                    [--samples N] [--set key=value ...]

SWEEP.yaml (:func:`energyopt.studies.sweep.load_sweep_file`) holds ``grid`` and/or ``sample``
and optionally ``horizon`` (see ``examples/sweeps/gao_fuel_casualty.yaml``). The command
prints the table of points, and writes to ``--out``: ``sweep.parquet`` (the store: every point
computed for this folder, rewritten as each point finishes, so a re-run solves only the points
not stored yet), ``sweep.csv`` (this sweep's points), ``tornado.svg``, ``ost_map.svg`` (for a
grid of exactly two inputs) and ``sweep.html`` (the table and the charts).

Exit codes as in :mod:`energyopt.cli`: 0 when the sweep ran (failed points are rows with their
error, listed after the table); 2 bad scenario, sweep file or option; 3 every point
infeasible; 4 every point failed otherwise; 1 outputs could not be written; 130 interrupted
(the finished points are written).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from energyopt.cli import (
    EXIT_INFEASIBLE,
    EXIT_SCENARIO,
    EXIT_SOLVER,
    ScenarioArg,
    SetOpt,
    _cli_errors,
    _err,
    _load,
    _table,
    _writing,
)
from energyopt.report.format import fmt_seconds

__all__ = ["register"]


class _SweepProgress:
    """A progress bar with the time left on stderr (lines when stderr is not a terminal)."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True, highlight=False)
        self.live = self.console.is_terminal
        self.bar: Any = None
        self.task: Any = None
        self.start = time.perf_counter()

    def __enter__(self) -> _SweepProgress:
        if self.live:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[left]}"), console=self.console,
                                transient=False)
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def __call__(self, done: int, total: int, eta_s: float | None) -> None:
        left = ("time left unknown until a point finishes" if eta_s is None
                else f"about {fmt_seconds(eta_s)} left" if done < total else "done")
        elapsed = fmt_seconds(time.perf_counter() - self.start)
        if self.bar is not None:
            if self.task is None:
                self.task = self.bar.add_task("sweep", total=total, completed=done, left=left)
            self.bar.update(self.task, completed=done, left=f"{elapsed} elapsed, {left}")
        else:
            self.console.print(f"[{done}/{total}] {elapsed} elapsed, {left}", markup=False)


def _outputs(table: Any, folder: Path, title: str, subtitle: str) -> list[Path]:
    """Write sweep.csv, the charts and sweep.html; return their paths."""
    from energyopt.studies.plots import (
        ost_map_figure,
        save_figure,
        sweep_html,
        tornado_figure,
    )

    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "sweep.csv"]
    table.to_csv(written[0], index=False)
    figures = []
    inputs = table.attrs.get("inputs", [])
    ok = (table[table["status"].isin(["converged", "not converged"])] if "status" in table
          else table)
    if len(ok) and "npc_usd" in ok.columns:
        tornado = tornado_figure(table, "npc_usd")
        written.append(save_figure(tornado, folder / "tornado.svg"))
        figures.append(("tornado", "What moves the net present cost", tornado,
                        "Each bar: the NPC over one input's values, the other inputs at their "
                        "base values (the scenario's own when swept, else the middle value)."))
    grid = table.attrs.get("grid", {})
    if len(inputs) == 2 and len(grid) == 2 and not table.attrs.get("ranges") and len(ok):
        x, y = inputs
        ost = ost_map_figure(table, x, y)
        written.append(save_figure(ost, folder / "ost_map.svg"))
        figures.append(("ost-map", "Optimal system type", ost,
                        "HOMER's optimal-system-type graph: the kind of system of the least-cost "
                        "design at each point, with its PV size."))
    html = folder / "sweep.html"
    html.write_text(sweep_html(table, title=title, subtitle=subtitle, figures=figures),
                    encoding="utf-8")
    written.append(html)
    return written


def register(app: typer.Typer) -> None:
    """Add ``energyopt sweep`` to the application."""

    @app.command("sweep")
    def sweep_command(
        scenario_path: ScenarioArg,
        sweep_path: Annotated[Path, typer.Argument(
            help="Sweep file (YAML): grid and/or sample, optional horizon; see "
            "examples/sweeps/.", show_default=False, metavar="SWEEP.yaml")],
        out: Annotated[Path | None, typer.Option(
            "--out", "-o", help="Output folder [default: out/<scenario stem>_<sweep stem>]; "
            "its sweep.parquet is the store a re-run resumes from.",
            show_default=False)] = None,
        workers: Annotated[int | None, typer.Option(
            "--workers", min=1, help="Local processes solving points in parallel [default: "
            "CPU count, at most 2]; the numbers do not depend on it.",
            show_default=False)] = None,
        scheduler: Annotated[str | None, typer.Option(
            "--scheduler", help="Address of a dask.distributed scheduler (e.g. "
            "tcp://10.0.0.5:8786) to run the points on a cluster (pip install "
            "'energyopt[cluster]').", show_default=False, metavar="ADDRESS")] = None,
        samples: Annotated[int | None, typer.Option(
            "--samples", min=1, help="Points of the Latin hypercube (replaces sample.n of "
            "the sweep file, which must give sample.ranges).", show_default=False)] = None,
        set_: SetOpt = None,
    ) -> None:
        """Size the camp at every point of a grid or sample; print the table, write files.

        Writes sweep.parquet (the resumable store), sweep.csv, tornado.svg, ost_map.svg (two
        grid inputs) and sweep.html to --out.
        """
        from energyopt.studies.sweep import load_sweep_file, sweep

        folder = out if out is not None else Path("out") / (
            f"{scenario_path.stem}_{sweep_path.stem}")
        table: Any = None
        with _cli_errors():
            spec = load_sweep_file(sweep_path)
            if samples is not None:
                if not spec["ranges"]:
                    _err(f"Option error: --samples {samples}: the sweep file {sweep_path} has "
                         "no sample.ranges to sample; add sample: {ranges: {key: [low, "
                         "high]}}")
                    raise typer.Exit(EXIT_SCENARIO)
                spec["samples"] = samples
            scenario = _load(scenario_path, set_)
            if spec["overrides"]:
                scenario = scenario.with_overrides(spec["overrides"])
            if scheduler is not None and workers is not None:
                _err("note: --workers is ignored with --scheduler (the cluster has its own)")
            where = f"on {scheduler}" if scheduler else (
                "in this process" if workers == 1 else "on a local process pool")
            _err(f"Sweep of {scenario.name} {where}, {scenario.horizon.days} day(s) modelled, "
                 f"each point within {scenario.solver.time_limit_s:.0f} s; storing to "
                 f"{folder / 'sweep.parquet'}")
            with _SweepProgress() as display:
                table = sweep(scenario, spec["grid"], samples=spec["samples"],
                              ranges=spec["ranges"], seed=spec["seed"],
                              store=folder / "sweep.parquet", executor=scheduler,
                              workers=workers, progress=display)
            reused = table.attrs.get("reused", 0)
            if reused:
                _err(f"{reused} point(s) taken from the store, "
                     f"{table.attrs.get('solved', 0)} solved now")
        _print_table(table)
        subtitle = (f"{scenario.name}: {len(table)} point(s) over "
                    f"{', '.join(table.attrs.get('inputs', []))}; {scenario.horizon.days} "
                    f"day(s) modelled from {scenario.horizon.start}, scaled to one year")
        with _writing(folder) as written:
            written += [folder / "sweep.parquet",
                        *_outputs(table, folder, f"Sweep: {scenario.name}", subtitle)]
        if table.attrs.get("interrupted"):
            _err(f"Interrupted: {len(table)} finished point(s) written; run the same command "
                 "again to solve the rest.")
            raise typer.Exit(130)
        statuses = set(table["status"]) if len(table) else set()
        if statuses and statuses <= {"infeasible"}:
            raise typer.Exit(EXIT_INFEASIBLE)
        if statuses and not statuses & {"converged", "not converged"}:
            raise typer.Exit(EXIT_SOLVER)


def _print_table(table: Any) -> None:
    from energyopt.studies.plots import table_cells

    headers, rows, align = table_cells(table)
    typer.echo(_table(headers, rows, align, indent=""))
    failed = table[~table["status"].isin(["converged", "not converged"])]
    for _, rec in failed.iterrows():
        typer.echo(f"point {rec['point']}: {rec['status']}: {rec['error']}")
    if "warnings" in table:
        counts: dict[str, int] = {}
        for text in table["warnings"].dropna():
            for item in str(text).splitlines():
                counts[item] = counts.get(item, 0) + 1
        for item, count in list(counts.items())[:10]:
            typer.echo(f"warning ({count} of {len(table)} points): {item}")
        if len(counts) > 10:
            typer.echo(f"... and {len(counts) - 10} more warnings (column 'warnings' of "
                       "sweep.csv)")
    not_conv = int((table["status"] == "not converged").sum())
    if not_conv:
        typer.echo(f"{not_conv} point(s) NOT CONVERGED to solver.mip_rel_gap within "
                   "solver.time_limit_s (gap % column): their numbers may depend on the "
                   "machine's speed; raise solver.time_limit_s to compare executors exactly.")
