"""The ``energyopt`` command: run, validate and list sites.

Verbs::

    energyopt run SCENARIO.yaml [--out DIR] [--report FILE.html [--front pareto.csv]]
                                [--pdf FILE.pdf] [--set key=value ...] [--no-baseline]
    energyopt validate SCENARIO.yaml [--set key=value ...]
    energyopt sites
    energyopt pareto SCENARIO.yaml [--points N] [--metric M] [--value-risk] [--out DIR]
                                   [--set key=value ...]
    energyopt verify SCENARIO.yaml [--years N] [--failures] [--controller C] [--out DIR]
                                   [--set key=value ...] [--workers N] [--seed S]
                                   [--resupply order_up_to|planned] [--report FILE.html]
    energyopt --version

Exit codes: 0 success; 1 other failure (e.g. outputs could not be written); 2 bad scenario,
bad option or bad ``--set``; 3 infeasible scenario; 4 solver failure; 5 a result failed its
checks after the solve; 6 the design (or the baseline) did not converge to the gap asked for
and ``--strict`` was given; 130 interrupted (``run`` still writes the best design found,
``pareto`` the finished points). Expected errors print one message to stderr, never a
traceback. Python warnings are shown as one ``warning: ...`` line each on stderr.

While a search runs, its stage, the best design, the proven bound and the gap are shown on
stderr (a status line on a terminal, one line per step otherwise).

All numbers are rounded for display only; ``result.json`` and the CSV files hold the stored,
unrounded values.
"""

from __future__ import annotations

import contextlib
import logging
import os
import textwrap
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from energyopt import __version__, data
from energyopt.engine import Progress
from energyopt.errors import (
    InfeasibleScenarioError,
    Problem,
    ResultCheckError,
    ScenarioError,
    SolverError,
)
from energyopt.inputs import Inputs, build_inputs
from energyopt.optimize import optimize
from energyopt.pareto import METRICS, pareto
from energyopt.report import render_markdown, render_report
from energyopt.report.format import fmt_number, fmt_percent, fmt_seconds, is_missing
from energyopt.results import SizingResult, convergence_banner, saving
from energyopt.safeyaml import load_value
from energyopt.scenario import Scenario, load_scenario
from energyopt.solve import SolveInfo
from energyopt.verify import TABLE_ROWS, Verification, verify

__all__ = ["app", "main"]

EXIT_INTERNAL = 1
EXIT_SCENARIO = 2
EXIT_INFEASIBLE = 3
EXIT_SOLVER = 4
EXIT_CHECK = 5
EXIT_NOT_CONVERGED = 6

app = typer.Typer(
    name="energyopt",
    help="Size PV, battery and diesel for a peacekeeping camp at least cost and risk.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


# --------------------------------------------------------------------------------------------
# Helpers: messages, warnings, errors
# --------------------------------------------------------------------------------------------
def _err(message: str) -> None:
    typer.echo(message, err=True)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    del category, filename, lineno, file, line
    _err(f"warning: {_one_line(message)}")


@contextlib.contextmanager
def _cli_errors() -> Iterator[None]:
    """Turn energyopt's typed errors into a message and an exit code; warnings into lines."""
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
        warnings.showwarning = _show_warning
        try:
            yield
        except ScenarioError as exc:
            _err(f"Scenario error: {exc}")
            raise typer.Exit(EXIT_SCENARIO) from None
        except InfeasibleScenarioError as exc:
            _err(f"Infeasible: {exc}")
            raise typer.Exit(EXIT_INFEASIBLE) from None
        except SolverError as exc:
            _err(f"Solver error: {exc}")
            raise typer.Exit(EXIT_SOLVER) from None
        except ResultCheckError as exc:
            _err(f"Result check failed: {exc}\nThe result was not written. This is a bug in "
                 "energyopt; please report it with the scenario.")
            raise typer.Exit(EXIT_CHECK) from None
        except KeyboardInterrupt:
            _err("Interrupted.")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except BrokenPipeError:
            # the reader of standard output left (`energyopt run ... | head`): not a bug;
            # click ends quietly with exit code 1, as for any command
            raise
        except Exception as exc:
            if os.environ.get("ENERGYOPT_DEBUG"):
                raise
            _err(f"Internal error: {type(exc).__name__}: {_one_line(exc)}\nThis is a bug in "
                 "energyopt; please report it with the scenario (set ENERGYOPT_DEBUG=1 to see "
                 "the traceback).")
            raise typer.Exit(EXIT_INTERNAL) from None


def _parse_sets(items: Sequence[str] | None) -> dict[str, Any]:
    """Parse ``key=value`` items; values are read as YAML (numbers, booleans, null, lists)."""
    overrides: dict[str, Any] = {}
    problems: list[Problem] = []
    for item in items or ():
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(Problem("--set", item, "expected KEY=VALUE with a dotted key, e.g. "
                                    "--set fuel.price_usd_per_l=1.4"))
            continue
        try:
            overrides[key] = load_value(text, key)
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems, "--set")
    return overrides


def _load(path: Path, sets: Sequence[str] | None) -> Scenario:
    overrides = _parse_sets(sets)
    scenario = load_scenario(path)
    if overrides:
        scenario = scenario.with_overrides(overrides)
    return scenario


def _setup_logging(verbose: bool) -> None:
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
        logging.getLogger("energyopt").setLevel(logging.INFO)


class _ProgressDisplay:
    """Shows search progress on stderr: a live status line on a terminal, lines otherwise."""

    def __init__(self, limit_s: float) -> None:
        from rich.console import Console

        self.console = Console(stderr=True, highlight=False)
        self.live = self.console.is_terminal
        self.status: Any = None
        self.last = ""
        self.limit_s = limit_s
        self.start = time.perf_counter()

    def __enter__(self) -> _ProgressDisplay:
        if self.live:
            self.status = self.console.status("starting ...")
            self.status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.__exit__(*exc)

    def __call__(self, event: Progress) -> None:
        clock = f"[{time.perf_counter() - self.start:5.0f} s of {self.limit_s:.0f} s]"
        line = event.line()
        if self.status is not None:
            self.status.update(f"{clock} {line}")
            if event.message:
                self.console.print(f"{clock} {event.run}: {event.message}", markup=False,
                                   soft_wrap=True)
        elif event.message and line != self.last:
            self.console.print(f"{clock} {line}", markup=False, soft_wrap=True)
        self.last = line


# --------------------------------------------------------------------------------------------
# Plain-text tables (numbers are formatted by energyopt.report.format, for display only)
# --------------------------------------------------------------------------------------------
def _table(headers: Sequence[str], rows: Sequence[Sequence[str]],
           align: str, indent: str = "  ") -> str:
    """Plain-text table; ``align`` holds one of 'l' or 'r' per column."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [c.ljust(w) if a == "l" else c.rjust(w)
                 for c, w, a in zip(cells, widths, align, strict=True)]
        return (indent + "  ".join(parts)).rstrip()

    rule = indent + "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


# --------------------------------------------------------------------------------------------
# The run summary
# --------------------------------------------------------------------------------------------
#: KPI rows of the summary: (key, label, decimals or None for automatic).
KPI_ROWS: tuple[tuple[str, str, int | None], ...] = (
    ("npc_usd", "NPC (USD)", 0),
    ("lcoe_usd_per_kwh", "LCOE (USD/kWh)", 3),
    ("fuel_l_per_year", "fuel (L/yr)", 0),
    ("trucks_per_year", "trucks/yr", 1),
    ("convoys_per_year", "convoys/yr", 1),
    ("truck_km_per_year", "truck-km/yr", 0),
    ("expected_casualties_per_year", "expected casualties/yr", None),
    ("fuel_t_per_month_max", "fuel, busiest month (t)", 1),
    ("fully_burdened_fuel_usd_per_l", "fully burdened fuel (USD/L)", 2),
    ("autonomy_days", "autonomy (days)", 0),
    ("co2_t_per_year", "CO2 (t/yr)", 0),
    ("renewable_fraction", "renewable share (%)", None),
    ("unserved_kwh_per_year", "unserved (kWh/yr)", 0),
    ("diesel_hours_per_year", "diesel hours/yr", 0),
)


def _kpi(result: SizingResult | None, key: str) -> float | None:
    if result is None or key not in result.kpis.index:
        return None
    return float(result.kpis[key])


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or is_missing(a) or is_missing(b) else a - b


def kpi_table(result: SizingResult) -> str:
    """Format the KPI table: design | diesel only | saving.

    Parameters
    ----------
    result : SizingResult
        The design (with its baseline, if any).

    Returns
    -------
    str
        The table; saving is :func:`energyopt.results.saving`: diesel only minus design, and
        for the renewable share and autonomy (more is better) the gain, design minus diesel
        only (the renewable share in percentage points), so a positive saving always means the
        design is better.
    """
    base = result.baseline
    rows = []
    for key, label, decimals in KPI_ROWS:
        if key not in result.kpis.index:
            continue
        design, diesel = _kpi(result, key), _kpi(base, key)
        diff = _difference(design, diesel)
        better = None if diff is None else saving(key, diff, 0.0)
        if key == "renewable_fraction":
            rows.append([label, fmt_number(None if design is None else 100 * design, 1),
                         fmt_number(None if diesel is None else 100 * diesel, 1),
                         "n/a" if better is None else
                         f"{fmt_number(100 * better, 1, sign=True)} pp"])
        else:
            rows.append([label, fmt_number(design, decimals), fmt_number(diesel, decimals),
                         fmt_number(better, decimals)])
    return _table(["", "design", "diesel only", "saving"], rows, "lrrr")


def _size_label(key: str, rated_kw: dict[str, float]) -> tuple[str, str]:
    """Label and unit of a size key (``pv_kwp``, ``diesel_<unit>_count`` ...)."""
    known = {"pv_kwp": ("PV", "kWp"), "battery_kwh": ("battery energy", "kWh"),
             "battery_kw": ("battery power", "kW"), "fuel_tank_l": ("fuel storage", "L")}
    if key in known:
        return known[key]
    if key.startswith("diesel_") and key.endswith("_new_count"):
        return "  of which new", "units"
    if key.startswith("diesel_") and key.endswith("_count"):
        name = key[len("diesel_"): -len("_count")]
        rated = f" ({fmt_number(rated_kw[name])} kW)" if name in rated_kw else ""
        return f"diesel {name}{rated}", "units"
    for suffix, unit in (("_count", "units"), ("_kwp", "kWp"), ("_kwh", "kWh"), ("_kw", "kW"),
                         ("_l", "L")):
        if key.endswith(suffix):
            return key[: -len(suffix)].replace("_", " "), unit
    return key.replace("_", " "), ""


def sizes_table(result: SizingResult, rated_kw: dict[str, float] | None = None) -> str:
    """Format the sizes table: design | diesel only, with units and new diesel units.

    Parameters
    ----------
    result : SizingResult
        The design (with its baseline, if any).
    rated_kw : dict of str to float, optional
        Rated output of each diesel unit type [kW], shown beside its name.

    Returns
    -------
    str
        The table.
    """
    base = result.baseline
    rows = []
    for key in result.sizes.index:
        label, unit = _size_label(str(key), rated_kw or {})
        decimals = 0 if str(key).endswith("_count") else None
        design = float(result.sizes[key])
        diesel = float(base.sizes[key]) if base is not None and key in base.sizes.index else None
        rows.append([label, unit, fmt_number(design, decimals), fmt_number(diesel, decimals)])
    return _table(["", "unit", "design", "diesel only"], rows, "llrr")


def solve_lines(label: str, info: SolveInfo, asked_gap: float | None) -> list[str]:
    """Lines describing one solve: status, method, gap with its proven bound, times."""
    asked = f", asked for {fmt_percent(asked_gap)}" if asked_gap is not None else ""
    lines = [
        f"  {label}: {info.status} ({info.termination}), method {info.method}, {info.solver}, "
        f"{info.n_rows:,} rows x {info.n_cols:,} columns, {info.n_integers:,} integers",
        f"    gap: {fmt_percent(info.mip_gap)} (proven bound {fmt_number(info.bound, 0)} "
        f"USD, objective {fmt_number(info.objective, 0)} USD{asked})"
        + ("" if info.converged else "  NOT CONVERGED"),
        f"    time: {fmt_seconds(info.wall_s)} of {fmt_seconds(info.time_limit_s)} "
        f"(model hand-off {fmt_seconds(info.handoff_s)})",
    ]
    if info.notes:
        lines.append(f"    notes: {info.notes}")
    return lines


def _latlon(lat: float, lon: float) -> str:
    return (f"{abs(lat):.2f} {'N' if lat >= 0 else 'S'}, "
            f"{abs(lon):.2f} {'E' if lon >= 0 else 'W'}")


def warning_lines(result: SizingResult) -> list[str]:
    """Return the "Warnings" block of the run summary (empty without sanity warnings).

    Each warning of ``result.warnings`` (:mod:`energyopt.sanity`) is one wrapped item: its
    field path, what looks wrong and the fix; the block ends with a blank line.
    """
    if not result.warnings:
        return []
    lines = [f"Warnings ({len(result.warnings)}): the run went on, but check these inputs"]
    for w in result.warnings:
        lines += textwrap.wrap(f"{w.field}: {w}", width=99, initial_indent="  - ",
                               subsequent_indent="    ", break_on_hyphens=False)
    return [*lines, ""]


def summary(result: SizingResult, scenario: Scenario, inputs: Inputs) -> str:
    """Format the plain-text summary of a run printed by ``energyopt run``."""
    site = inputs.site
    key = f" ({scenario.site})" if isinstance(scenario.site, str) else ""
    h = scenario.horizon
    rated = {u.name: u.rated_kw for u in scenario.diesel.units}
    banner = convergence_banner(result)
    lines = [*([banner, ""] if banner else []), *warning_lines(result),
        f"Scenario: {scenario.name}",
        f"Site: {site.name}{key}, {_latlon(site.latitude, site.longitude)}, {site.timezone}",
        f"Modelled: {h.days} day(s) from {h.start} in {h.step_minutes}-min steps "
        f"({inputs.n_steps:,} steps, scaled to one year); horizon {h.years} years at "
        f"{fmt_percent(h.discount_rate, 1)} discount rate",
        f"Load: {fmt_number(inputs.annual_load_kwh, 0)} kWh/yr, peak "
        f"{fmt_number(float(inputs.load_kw.max()), 0)} kW",
        *(f"  note: {note}" for note in inputs.load_notes),
        f"Solar: {inputs.weather.attrs.get('source', 'weather of unknown source')}"
        if inputs.weather is not None else "Solar: PV output given in the scenario",
        *(f"  note: {note}" for note in inputs.weather_notes),
        "",
        "Solve",
    ]
    lines += solve_lines("design", result.solve_info, scenario.solver.mip_rel_gap)
    if result.baseline is not None:
        lines += solve_lines("diesel only", result.baseline.solve_info,
                             scenario.solver.mip_rel_gap)
    lines += ["", "Sizes", sizes_table(result, rated), "", "Key figures", kpi_table(result)]
    notes = ["  saving = diesel only - design; renewable share and autonomy: gain, design - "
             "diesel only (pp: percentage points); positive = the design is better"]
    if result.baseline is None:
        notes = ["  no diesel-only baseline computed (--no-baseline)"]
        if result.baseline_error:
            notes = [f"  no diesel-only baseline: {result.baseline_error}"]
    lines += notes
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------
def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"energyopt {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version_callback, is_eager=True,
        help="Show the version and exit.")] = False,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Log progress (stages, timings) to stderr.")] = False,
) -> None:
    """Size PV, battery and diesel for a peacekeeping camp at least cost and risk."""
    del version
    _setup_logging(verbose)


ScenarioArg = Annotated[Path, typer.Argument(
    help="Scenario YAML file.", show_default=False)]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", metavar="KEY=VALUE",
    help="Override a scenario field by dotted path, e.g. fuel.price_usd_per_l=1.4 or "
         "diesel.units.g400.existing=2; the value is read as YAML. Repeatable.")]


@app.command()
def run(
    scenario_path: ScenarioArg,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Output folder [default: out/<scenario file stem>].",
        show_default=False)] = None,
    set_: SetOpt = None,
    no_baseline: Annotated[bool, typer.Option(
        "--no-baseline", help="Skip the diesel-only baseline solve.")] = False,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Also write the sizing report as one self-contained HTML file.",
        show_default=False, metavar="FILE.html")] = None,
    front: Annotated[Path | None, typer.Option(
        "--front", help="A pareto.csv written by `energyopt pareto` for this scenario: the "
        "report shows it with the design on it.", show_default=False,
        metavar="pareto.csv")] = None,
    pdf: Annotated[Path | None, typer.Option(
        "--pdf", help="Also write the sizing report as a PDF (needs the extra 'pdf': pip "
        "install 'energyopt[pdf]').", show_default=False, metavar="FILE.pdf")] = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Exit with code 6 when the design or the baseline did not converge "
        "to solver.mip_rel_gap (the outputs are still written).")] = False,
) -> None:
    """Size the camp, print a summary; write result.json, summary.md and CSV files."""
    if report is not None and report.suffix.lower() not in (".html", ".htm"):
        _err(f"Option error: --report {report}: the report is an HTML file; give a name "
             "ending in .html, e.g. --report gao.html")
        raise typer.Exit(EXIT_SCENARIO)
    if front is not None and report is None and pdf is None:
        _err("Option error: --front shows a Pareto front in the report; add --report FILE.html")
        raise typer.Exit(EXIT_SCENARIO)
    _check_pdf_option(pdf)
    front_table = None if front is None else _read_front(front)
    folder = out if out is not None else Path("out") / scenario_path.stem
    with _cli_errors():
        scenario = _load(scenario_path, set_)
        inputs = build_inputs(scenario)
        _err(f"Solving {scenario.name}: {inputs.n_steps:,} steps, the diesel-only baseline "
             f"then the design, within {scenario.solver.time_limit_s:.0f} s"
             if not no_baseline else f"Solving {scenario.name}: {inputs.n_steps:,} steps "
             f"within {scenario.solver.time_limit_s:.0f} s")
        with _ProgressDisplay(scenario.solver.time_limit_s) as display:
            result = optimize(scenario, baseline=not no_baseline, inputs=inputs,
                              progress=display)
        typer.echo(summary(result, scenario, inputs))
        with _writing(folder) as written:
            written += [result.to_json(folder / "result.json"), *result.to_csv(folder)]
            md = folder / "summary.md"
            md.write_text(render_markdown(result, scenario=scenario), encoding="utf-8")
            written.append(md)
        if report is not None:
            _write_report(report, result, scenario, inputs, pareto=front_table)
        if pdf is not None:
            _write_report(pdf, result, scenario, inputs, pareto=front_table)
        banner = convergence_banner(result)
        if banner:
            _err(banner)
        if result.solve_info.interrupted:
            raise typer.Exit(130)
        if strict and banner:
            raise typer.Exit(EXIT_NOT_CONVERGED)


@app.command()
def validate(scenario_path: ScenarioArg, set_: SetOpt = None) -> None:
    """Check a scenario and its time series without solving."""
    with _cli_errors():
        scenario = _load(scenario_path, set_)
        inputs = build_inputs(scenario)
    peak = float(inputs.load_kw.max())
    typer.echo(f"OK: {scenario.name}, {inputs.n_steps:,} steps of "
               f"{scenario.horizon.step_minutes} min, annual load "
               f"{fmt_number(inputs.annual_load_kwh, 0)} kWh, peak {fmt_number(peak, 0)} kW")


@app.command()
def sites() -> None:
    """List the bundled mission sites."""
    table = data.sites()
    rows = []
    for key, rec in table.iterrows():
        ghi = f"{rec['ghi_kwh_m2_day']:.1f}"
        if rec["ghi_grade"] == "E":
            ghi += " (estimate)"
        rows.append([str(key), str(rec["name"]), str(rec["mission"]),
                     f"{rec['latitude']:.2f}", f"{rec['longitude']:.2f}",
                     f"{rec['elevation_m']:,.0f}", str(rec["timezone"]), ghi])
    headers = ["key", "name", "mission", "lat", "lon", "elevation m", "timezone",
               "GHI kWh/m2/day"]
    typer.echo(_table(headers, rows, "lllrrrll", indent=""))
    typer.echo("")
    typer.echo("lat: degrees north, lon: degrees east. GHI values marked (estimate) are "
               "engineering estimates (about +-8%); use PVGIS, NASA POWER or measured data for "
               "real studies. Use a key as `site:` in a scenario.")


def _read_front(path: Path) -> Any:
    """Read a ``pareto.csv`` for the report, or exit with a message naming the problem."""
    import pandas as pd

    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        _err(f"Option error: --front {path}: cannot read it as a CSV file ({_one_line(exc)})")
        raise typer.Exit(EXIT_SCENARIO) from None
    missing = [c for c in ("npc_usd", "value_risk") if c not in table.columns]
    if missing:
        _err(f"Option error: --front {path}: no column {', '.join(missing)}; give the "
             "pareto.csv that `energyopt pareto` wrote")
        raise typer.Exit(EXIT_SCENARIO)
    table.attrs["value_risk"] = bool(table["value_risk"].iloc[0])
    return table


@app.command("pareto")
def pareto_command(
    scenario_path: ScenarioArg,
    points: Annotated[int, typer.Option("--points", "-n", min=2, max=50,
                                        help="Designs on the front, both ends included.")] = 8,
    metric: Annotated[str, typer.Option(
        "--metric", help=f"Risk metric to bound: {', '.join(METRICS)}.")] = METRICS[0],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Output folder [default: out/<scenario file stem>].",
        show_default=False)] = None,
    value_risk: Annotated[bool, typer.Option(
        "--value-risk", help="Keep the scenario's value per casualty in the cost (by default "
        "the front's cost leaves it out: the front itself prices the risk).")] = False,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", min=1.0, help="Time for the whole front [s] (default: twice "
        "solver.time_limit_s).", show_default=False)] = None,
    set_: SetOpt = None,
) -> None:
    """Sweep cost against convoy risk (epsilon constraint); print the table, write pareto.csv.

    pareto.csv is written after each point, so Ctrl-C keeps the finished points.
    """
    if metric not in METRICS:
        _err(f"--metric {metric}: use one of {', '.join(METRICS)}")
        raise typer.Exit(EXIT_SCENARIO)
    folder = out if out is not None else Path("out") / scenario_path.stem
    path = folder / "pareto.csv"

    def write(front: Any) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            front.assign(value_risk=value_risk).to_csv(path, index=False)
        except OSError as exc:
            _err(f"error: cannot write the results to {folder}: {exc}")
            raise typer.Exit(1) from None

    with _cli_errors():
        scenario = _load(scenario_path, set_)
        inputs = build_inputs(scenario)
        valued = "with" if value_risk else "without"
        budget = 2.0 * scenario.solver.time_limit_s if time_limit is None else time_limit
        _err(f"Pareto front of {scenario.name}: {points} designs, bounding {metric}; cost "
             f"{valued} the value put on casualties; within {budget:.0f} s ...")
        with _ProgressDisplay(budget) as display:
            front = pareto(scenario, metric, points, inputs=inputs, value_risk=value_risk,
                           time_limit_s=budget, progress=display, on_point=write)
    write(front)
    typer.echo(pareto_table(front, metric))
    if front.attrs.get("note"):
        typer.echo(f"Note: {front.attrs['note']}.")
    typer.echo("")
    typer.echo(f"Wrote {path}")
    if front.attrs.get("interrupted"):
        _err(f"Interrupted: pareto.csv holds the {len(front)} finished point(s).")
        raise typer.Exit(130)


def pareto_table(front: Any, metric: str) -> str:
    """Format the Pareto table (display rounding only)."""
    cols = [("point", "point", 0), ("bound", "bound", None), ("status", "status", None),
            ("npc_usd", "NPC (USD)", 0), (metric, metric.replace("_", " "), None),
            ("usd_per_casualty_avoided", "USD per casualty avoided", 0),
            ("convoys_per_year", "convoys/yr", 1), ("trucks_per_year", "trucks/yr", 1),
            ("fuel_l_per_year", "fuel (L/yr)", 0), ("co2_t_per_year", "CO2 (t/yr)", 0),
            ("pv_kwp", "PV (kWp)", 0), ("battery_kwh", "battery (kWh)", 0),
            ("fuel_tank_l", "tank (L)", 0)]
    present = [c for c in cols if c[0] in front.columns]
    cols = [c for i, c in enumerate(present) if c[0] not in {d[0] for d in present[:i]}]
    rows = []
    for _, rec in front.iterrows():
        cells = []
        for key, _label, decimals in cols:
            value = rec[key]
            if isinstance(value, str):
                cells.append(value)
            else:
                cells.append(fmt_number(None if value != value else float(value), decimals))
        rows.append(cells)
    return _table([c[1] for c in cols], rows, "r" * len(cols))


# --------------------------------------------------------------------------------------------
# verify
# --------------------------------------------------------------------------------------------
CONTROLLERS = ("load_following", "cycle_charging", "forecast")
RESUPPLY = ("order_up_to", "planned")


def verify_table(v: Verification) -> str:
    """Format the distribution table: P10 / P50 / P90 and worst year beside the optimiser.

    Parameters
    ----------
    v : Verification
        The verification.

    Returns
    -------
    str
        One row per figure; ``design year`` is the optimiser's own year operated by the same
        rule without foresight (display rounding only).
    """
    rows = []
    for key, label, unit, decimals in TABLE_ROWS:
        if key not in v.summary.index:
            continue
        rec = v.figure(key)
        worst = rec["min"] if key == "min_stock_l" else rec["max"]
        rows.append([label, unit, *(fmt_number(x, decimals) for x in (
            rec["p10"], rec["p50"], rec["p90"], worst, rec["optimiser"], rec["design_year"]))])
    return _table(["", "unit", "P10", "P50", "P90", "worst", "optimiser", "design year"],
                  rows, "llrrrrrr")


def verify_lines(v: Verification) -> list[str]:
    """Return the printed verification: table, stock-outs, blockade survival, worst week."""
    n = len(v.years)
    failures = "with failures and cancelled convoys" if v.failures else "without failures"
    lines = [f"Operated by {v.controller.replace('_', ' ')} over {n} weather year(s), "
             f"{failures}", verify_table(v), "",
             f"Stock-out probability: {fmt_percent(v.stockout_probability, 0)} of the years "
             f"ran out of fuel at least once"]
    if len(v.blockade_survival):
        days = [str(d) for d in v.blockade_survival.index]
        shares = [fmt_percent(float(x), 0) for x in v.blockade_survival]
        lines += ["Blockade survival (critical load fully served until supply resumes, over "
                  f"{v.blockade_starts:,} year-start days):",
                  _table(["blockade (days)", *days], [["served", *shares]],
                         "l" + "r" * len(days))]
    w = v.worst_week
    lines.append(f"Worst week: {w['start']} to {w['end']} ({w['year']}): "
                 f"{fmt_number(w['fuel_l'], 0)} L of fuel, {fmt_number(w['unserved_kwh'], 0)} "
                 f"kWh unserved ({fmt_number(w['critical_unserved_kwh'], 0)} kWh critical)")
    lines += [textwrap.fill(f"Note: {n}", width=99, subsequent_indent="  ")
              for n in v.notes]
    lines += ["", v.closing_note()]
    return lines


@app.command("verify")
def verify_command(
    scenario_path: ScenarioArg,
    years: Annotated[int, typer.Option("--years", "-n", min=1, max=1000,
                                       help="Weather years to simulate.")] = 20,
    failures: Annotated[bool, typer.Option(
        "--failures", help="Draw forced outages of sets, battery and PV, and cancelled "
        "convoys, in each year.")] = False,
    controller: Annotated[str, typer.Option(
        "--controller", help=f"Dispatch rule: {', '.join(CONTROLLERS)}.")] = CONTROLLERS[0],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Output folder [default: out/<scenario file stem>].",
        show_default=False)] = None,
    set_: SetOpt = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Processes simulating years in parallel [default: CPU count, "
        "at most 2]; the figures do not depend on it.", show_default=False)] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="First weather seed and seed of "
                                      "the failures: the same seed, the same figures.")] = 0,
    resupply: Annotated[str, typer.Option(
        "--resupply", help="On the plan's arrival days, a convoy refills the tank "
        "(order_up_to) or brings exactly the litres the optimiser planned (planned).")
    ] = "order_up_to",
    report: Annotated[Path | None, typer.Option(
        "--report", help="Also write the sizing report with its 'How the design operates' "
        "section (the diesel-only baseline is then solved too).", show_default=False,
        metavar="FILE.html")] = None,
) -> None:
    """Size the camp, then operate the design without foresight over many weather years.

    Prints P10/P50/P90 of fuel, trucks and convoys beside the optimiser's figures, the
    stock-out probability, blockade survival and the worst week; writes verify_years.csv,
    verify_summary.csv, blockade_survival.csv and summary.md.
    """
    if controller not in CONTROLLERS:
        _err(f"Option error: --controller {controller}: use one of {', '.join(CONTROLLERS)}")
        raise typer.Exit(EXIT_SCENARIO)
    if resupply not in RESUPPLY:
        _err(f"Option error: --resupply {resupply}: use one of {', '.join(RESUPPLY)}")
        raise typer.Exit(EXIT_SCENARIO)
    if report is not None and report.suffix.lower() not in (".html", ".htm"):
        _err(f"Option error: --report {report}: the report is an HTML file; give a name "
             "ending in .html, e.g. --report gao.html")
        raise typer.Exit(EXIT_SCENARIO)
    folder = out if out is not None else Path("out") / scenario_path.stem
    baseline = report is not None
    with _cli_errors():
        scenario = _load(scenario_path, set_)
        inputs = build_inputs(scenario)
        _err(f"Solving {scenario.name}: {inputs.n_steps:,} steps"
             + (", the diesel-only baseline then the design" if baseline else "")
             + f", within {scenario.solver.time_limit_s:.0f} s")
        with _ProgressDisplay(scenario.solver.time_limit_s) as display:
            result = optimize(scenario, baseline=baseline, inputs=inputs, progress=display)
        banner = convergence_banner(result)
        if banner:
            _err(banner)
        if result.solve_info.interrupted:
            raise KeyboardInterrupt
        _err(f"Operating the design over {years} weather year(s)"
             + (" with failures" if failures else "") + " ...")
        start = time.perf_counter()
        verification = verify(result, scenario, years=years, failures=failures,
                              controller=controller, seed=seed, workers=workers, inputs=inputs,
                              resupply=resupply)
        _err(f"... done in {fmt_seconds(time.perf_counter() - start)}")
        typer.echo(f"Scenario: {scenario.name}")
        typer.echo(f"Design: {_design_sentence(result, scenario)}")
        typer.echo("")
        typer.echo("\n".join(verify_lines(verification)))
        with _writing(folder) as written:
            written += verification.to_csv(folder)
            md = folder / "summary.md"
            md.write_text(render_markdown(result, scenario=scenario, verification=verification),
                          encoding="utf-8")
            written.append(md)
        if report is not None:
            _write_report(report, result, scenario, inputs, verification=verification)


def _check_pdf_option(pdf: Path | None) -> None:
    """Exit with an option error when ``--pdf`` is not a .pdf name or ReportLab is missing."""
    if pdf is None:
        return
    if pdf.suffix.lower() != ".pdf":
        _err(f"Option error: --pdf {pdf}: give a name ending in .pdf, e.g. --pdf gao.pdf")
        raise typer.Exit(EXIT_SCENARIO)
    try:
        import reportlab  # noqa: F401
    except ImportError:
        from energyopt.report.pdf import PDF_EXTRA_HINT

        _err(f"Option error: --pdf: {PDF_EXTRA_HINT}")
        raise typer.Exit(EXIT_SCENARIO) from None


@contextlib.contextmanager
def _writing(folder: Path, *, blank_line: bool = True) -> Iterator[list[Path]]:
    """Collect the files a command writes to ``folder``; then say which, or exit 1 on OSError.

    Usage: ``with _writing(folder) as written: written += [...]``.
    """
    written: list[Path] = []
    try:
        yield written
    except OSError as exc:
        _err(f"error: cannot write the results to {folder}: {exc}")
        raise typer.Exit(1) from None
    if blank_line:
        typer.echo("")
    typer.echo(f"Wrote {len(written)} files to {folder}: " + ", ".join(p.name for p in written))


def _write_report(report: Path, result: SizingResult, scenario: Scenario, inputs: Inputs,
                  **extra: Any) -> None:
    """Write the sizing report, HTML or PDF by its suffix, and say where.

    ``extra``: a front or a verification.
    """
    try:
        if report.suffix.lower() == ".pdf":
            from energyopt.report.pdf import render_pdf

            path = render_pdf(result, report, scenario=scenario, inputs=inputs, **extra)
        else:
            path = render_report(result, report, scenario=scenario, inputs=inputs, **extra)
    except OSError as exc:
        _err(f"error: cannot write the report {report}: {exc}")
        raise typer.Exit(1) from None
    typer.echo(f"Wrote the report to {path}")


def _design_sentence(result: SizingResult, scenario: Scenario) -> str:
    rated = {u.name: u.rated_kw for u in scenario.diesel.units}
    parts = []
    for key in result.sizes.index:
        key = str(key)
        if key.endswith("_new_count"):
            continue
        label, unit = _size_label(key, rated)
        parts.append(f"{label} {fmt_number(float(result.sizes[key]), 0)} {unit}".strip())
    return ", ".join(parts)


# Commands kept in their own modules (energyopt/commands/): studies and documents.
def _register_commands() -> None:
    from energyopt.commands import register_all

    register_all(app)


_register_commands()
