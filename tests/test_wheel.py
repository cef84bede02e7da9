"""Packaging: a wheel of the repository carries the data tables and finds them when installed."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
#: every file of data/ (a new table must ship in the wheel too)
DATA_FILES = tuple(sorted(p.name for p in (REPO_ROOT / "data").glob("*.csv")))


def _build_wheel(out: Path) -> Path:
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
               "-w", str(out)]
    if importlib.util.find_spec("hatchling") is not None:
        command.append("--no-build-isolation")  # else pip fetches hatchling from the registry
    command.append(str(REPO_ROOT))
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"pip wheel failed:\n{done.stdout}\n{done.stderr}"
    wheels = sorted(out.glob("energyopt-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.mark.slow
def test_wheel_carries_and_finds_its_data(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path / "dist")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    for name in DATA_FILES:
        assert f"energyopt/_data/{name}" in names
    assert "energyopt/__init__.py" in names
    # the report's templates are package data
    for template in ("report.html.j2", "summary.md.j2"):
        assert f"energyopt/report/templates/{template}" in names
    assert not any(n.startswith(("data/", "tests/")) for n in names)

    site = (tmp_path / "site").resolve()
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(site)!r})
        import energyopt, energyopt.data as d
        assert energyopt.__file__.startswith({str(site)!r}), energyopt.__file__
        print(d.data_dir())
        print(len(d.site_keys()))
        print(repr(d.default("battery.roundtrip_efficiency")))
        # the weather and load tables (soiling, archetypes, components) load from the wheel
        inputs = energyopt.build_inputs(energyopt.load_scenario({{
            "site": "gao", "horizon": {{"days": 2}},
            "load": {{"archetype": "company_base", "personnel": 160,
                      "components": [{{"type": "level2_hospital"}}]}},
            "diesel": {{"units": [{{"name": "g", "rated_kw": 200, "existing": 1,
                                    "max_count": 1}}]}}}}))
        print(round(inputs.annual_load_kwh / 365.0))
        # the report's templates load from the wheel
        from energyopt.report.render import _TEMPLATES
        assert _TEMPLATES.get_template("report.html.j2").filename.startswith({str(site)!r})
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    work = tmp_path / "elsewhere"
    work.mkdir()
    done = subprocess.run([sys.executable, "-c", script], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    data_dir, n_sites, efficiency, daily_kwh = done.stdout.split()
    # 160 people x 10 kWh/person/day (data default) plus the hospital component's energy
    assert int(daily_kwh) > 1600
    assert Path(data_dir) == site / "energyopt" / "_data"
    from energyopt import data  # the source checkout's tables, for comparison
    assert int(n_sites) == len(data.site_keys()) == 17
    assert float(efficiency) == data.default("battery.roundtrip_efficiency")
    for name in DATA_FILES:
        shipped = (site / "energyopt" / "_data" / name).read_bytes()
        assert shipped == (REPO_ROOT / "data" / name).read_bytes(), name
