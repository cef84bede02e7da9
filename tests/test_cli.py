"""Tests of the ``energyopt`` command (energyopt.cli) on a tiny two-day camp."""

from __future__ import annotations

import json
import re
import runpy
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import energyopt
from energyopt import cli, data
from energyopt.errors import InfeasibleScenarioError, SolverError

runner = CliRunner()


def _write(path: Path, scenario: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def tiny_yaml(tiny: dict[str, Any], tmp_path: Path) -> Path:
    """The tiny scenario of conftest.py (Gao, two days, flat 200 kW) as a YAML file."""
    return _write(tmp_path / "tiny.yaml", {"name": "tiny camp", **tiny})


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _row(output: str, label: str) -> list[str]:
    """The cells after ``label`` on its line of a printed table."""
    for line in output.splitlines():
        if line.strip().startswith(label):
            return line.strip()[len(label):].split()
    raise AssertionError(f"no line starting with {label!r} in:\n{output}")


def test_version() -> None:
    result = runner.invoke(cli.app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"energyopt {energyopt.__version__}"


def test_sites_lists_bundled_sites() -> None:
    result = runner.invoke(cli.app, ["sites"])
    assert result.exit_code == 0, result.output
    keys = [line.split()[0] for line in result.stdout.splitlines()[2:] if line.strip()]
    assert {"gao", "naqoura"} <= set(keys)
    gao = next(line for line in result.stdout.splitlines() if line.startswith("gao "))
    assert "Africa/Bamako" in gao
    # Gao's annual GHI is the mean of its normals (data/sites.csv grade D), Timbuktu's an estimate
    assert f"{data.site('gao').ghi_kwh_m2_day:.1f} " in gao + " "
    assert "(estimate)" not in gao
    timbuktu = next(line for line in result.stdout.splitlines() if line.startswith("timbuktu "))
    assert "6.1 (estimate)" in timbuktu


def test_validate_tiny_scenario(tiny_yaml: Path) -> None:
    result = runner.invoke(cli.app, ["validate", str(tiny_yaml)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "OK: tiny camp, 48 steps of 60 min, annual load 1,752,000 kWh, peak 200 kW")


def test_validate_unknown_key_names_it(tiny: dict[str, Any], tmp_path: Path) -> None:
    bad = dict(tiny, fuel={"price_usd_per_liter": 1.2})
    result = runner.invoke(cli.app, ["validate", str(_write(tmp_path / "bad.yaml", bad))])
    assert result.exit_code == 2
    assert "fuel.price_usd_per_liter" in result.stderr
    assert "price_usd_per_l" in result.stderr  # the did-you-mean hint
    assert "Traceback" not in result.output


def test_validate_applies_set(tiny_yaml: Path) -> None:
    result = runner.invoke(cli.app, ["validate", str(tiny_yaml), "--set", "load.constant_kw=250",
                                     "--set", "horizon.days=1"])
    assert result.exit_code == 0, result.output
    assert "24 steps" in result.stdout
    assert "peak 250 kW" in result.stdout


def test_validate_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "file not found" in result.stderr


def test_run_tiny_scenario(tiny_yaml: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(cli.app, ["run", str(tiny_yaml), "--set", "fuel.price_usd_per_l=2.0",
                                     "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("result.json", "kpis.csv", "dispatch.csv", "sizes.csv", "costs.csv",
                 "summary.md"):
        assert (out / name).is_file(), name
    stored = json.loads((out / "result.json").read_text(encoding="utf-8"))
    design, diesel_only, saving = (_number(c) for c in _row(result.stdout, "NPC (USD)"))
    assert design == round(stored["kpis"]["npc_usd"])
    assert diesel_only == round(stored["baseline"]["kpis"]["npc_usd"])
    assert saving == pytest.approx(diesel_only - design, abs=1.0)

    text = result.stdout
    assert "Scenario: tiny camp" in text
    assert "Gao (gao)" in text
    assert "Solar: embedded stochastic weather year (seed 2026) for Gao" in text
    assert re.search(r"gap: \d+(\.\d+)?%\s+\(proven bound [\d,]+ USD", text)
    for label in ("LCOE (USD/kWh)", "fuel (L/yr)", "trucks/yr", "convoys/yr",
                  "expected casualties/yr", "CO2 (t/yr)", "renewable share (%)",
                  "unserved (kWh/yr)", "diesel hours/yr"):
        assert len(_row(text, label)) >= 3, label
    assert _row(text, "diesel g200 (200 kW)") == ["units", "2", "2"]
    # the override reached the solve: the diesel-only camp burns fuel at 2.0 USD/L
    fuel_l = stored["baseline"]["kpis"]["fuel_l_per_year"]
    assert stored["baseline"]["kpis"]["fuel_cost_usd_per_year"] >= 2.0 * fuel_l


def test_run_no_baseline(tiny_yaml: Path, tmp_path: Path) -> None:
    out = tmp_path / "nb"
    result = runner.invoke(cli.app, ["run", str(tiny_yaml), "--no-baseline", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _row(result.stdout, "NPC (USD)")[1:] == ["n/a", "n/a"]
    assert "baseline" not in json.loads((out / "result.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("override", [
    "fuel.no_such_field=1",
    "diesel.units.g999.existing=1",
    "fuel.price_usd_per_l.deeper=1",
    "no_equals_sign",
])
def test_run_bad_set_path(tiny_yaml: Path, tmp_path: Path, override: str) -> None:
    result = runner.invoke(cli.app, ["run", str(tiny_yaml), "--set", override,
                                     "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.stderr.startswith("Scenario error:")
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_validate_bad_set_value(tiny_yaml: Path) -> None:
    result = runner.invoke(cli.app, ["validate", str(tiny_yaml),
                                     "--set", "fuel.price_usd_per_l=-1"])
    assert result.exit_code == 2
    assert "fuel.price_usd_per_l" in result.stderr


def test_run_writes_report_and_summary_md(tiny_yaml: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "out", tmp_path / "reports" / "tiny.html"
    result = runner.invoke(cli.app, ["run", str(tiny_yaml), "--out", str(out),
                                     "--report", str(report)])
    assert result.exit_code == 0, result.output
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "Sizing report: tiny camp" in html
    assert f"Wrote the report to {report}" in result.stdout
    stored = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert f'data-key="design:npc_usd" data-value="{stored["kpis"]["npc_usd"]!r}"' in html
    md = (out / "summary.md").read_text(encoding="utf-8")
    assert md.startswith("# tiny camp\n")
    npc = next(line for line in md.splitlines() if line.startswith("| net present cost |"))
    assert _number(npc.split("|")[3]) == round(stored["kpis"]["npc_usd"])
    assert "summary.md" in result.stdout


def test_run_report_needs_html_name(tiny_yaml: Path, monkeypatch: pytest.MonkeyPatch,
                                    tmp_path: Path) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("must not solve")

    monkeypatch.setattr(cli, "optimize", boom)
    result = runner.invoke(cli.app, ["run", str(tiny_yaml),
                                     "--report", str(tmp_path / "r.pdf")])
    assert result.exit_code == 2
    assert "ending in .html" in result.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_run_report_unwritable(tiny_yaml: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = runner.invoke(cli.app, ["run", str(tiny_yaml), "--no-baseline",
                                     "--out", str(tmp_path / "o"),
                                     "--report", str(blocker / "r.html")])
    assert result.exit_code == 1
    assert "cannot write the report" in result.stderr
    assert (tmp_path / "o" / "result.json").is_file()


def test_run_infeasible_exits_3(tiny: dict[str, Any], tmp_path: Path) -> None:
    short = dict(tiny, load={"constant_kw": 300}, solar={"max_kwp": 0}, battery={"max_kwh": 0},
                 diesel={"units": [{"name": "g200", "rated_kw": 200, "existing": 1,
                                    "max_count": 1}]})
    result = runner.invoke(cli.app, ["run", str(_write(tmp_path / "short.yaml", short)),
                                     "--out", str(tmp_path / "o")])
    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1].startswith("Infeasible: ")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("error", "code"), [
    (InfeasibleScenarioError("no design meets the reserve", ["reserve"]), 3),
    (SolverError("HiGHS stopped without a feasible solution"), 4),
    (energyopt.ResultCheckError("result check 'energy_balance' failed"), 5),
])
def test_run_errors_map_to_exit_codes(tiny_yaml: Path, monkeypatch: pytest.MonkeyPatch,
                                      error: Exception, code: int) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(cli, "optimize", fail)
    result = runner.invoke(cli.app, ["run", str(tiny_yaml)])
    assert result.exit_code == code
    assert str(error) in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_run_shows_warnings_as_one_line(tiny_yaml: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    real = cli.optimize

    def warn_then_solve(*args: Any, **kwargs: Any) -> Any:
        warnings.warn("the design is within 0.85% of the proven bound\n(asked for 0.50%)",
                      RuntimeWarning, stacklevel=2)
        return real(*args, **kwargs)

    monkeypatch.setattr(cli, "optimize", warn_then_solve)
    result = runner.invoke(cli.app, ["run", str(tiny_yaml), "--no-baseline",
                                     "--out", str(tmp_path / "w")])
    assert result.exit_code == 0, result.output
    assert ("warning: the design is within 0.85% of the proven bound (asked for 0.50%)"
            in result.stderr.splitlines())
    assert "Traceback" not in result.output


def test_formatting_helpers() -> None:
    assert cli.fmt_number(1234567.891, 0) == "1,234,568"
    assert cli.fmt_number(-0.0001, 1) == "0.0"
    assert cli.fmt_number(float("nan")) == "n/a"
    assert cli.fmt_number(0.034493) == "0.0345"
    assert cli.fmt_number(12.345) == "12.3"
    assert cli.fmt_percent(0.0085) == "0.85%"
    assert cli.fmt_percent(6.8e-5) == "0.0068%"


def test_python_dash_m(monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["energyopt", "--version"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("energyopt", run_name="__main__", alter_sys=True)
    assert exit_info.value.code in (0, None)
    assert capsys.readouterr().out.strip() == f"energyopt {energyopt.__version__}"


def test_solver_banner_stays_off_standard_output() -> None:
    # HiGHS 1.16 prints a start-up banner on its first instance; the summary must not show it
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "from energyopt.solve import _version; "
                           "print('version:', _version())"],
                          capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.startswith("version: HiGHS ")
    assert "Copyright" not in done.stdout


def test_a_closed_pipe_is_not_reported_as_a_bug(capsys: pytest.CaptureFixture[str]) -> None:
    # `energyopt run ... | head` closes standard output early: click ends such a command
    # quietly, so the CLI's own handler must let it through, not call it an internal error
    with pytest.raises(BrokenPipeError), cli._cli_errors():
        raise BrokenPipeError(32, "Broken pipe")
    assert "Internal error" not in capsys.readouterr().err
