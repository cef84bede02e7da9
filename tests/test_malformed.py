"""A corpus of malformed scenarios: each is refused with a ScenarioError naming its field.

Every case mutates a real example camp (the Kidal team site, cut to two weeks) the way a
mission engineer's hand edit, a paste from a spreadsheet or a wrong export would, and states
the field path the error must name. The check is the one a user meets: ``load_scenario`` of
the file (or ``with_overrides`` of a loaded scenario), then ``build_inputs``; every refusal
must be a :class:`ScenarioError` (never a bare ``ValueError``, ``RecursionError`` or hang),
name the field, and say how to fix it. A sample goes through the CLI too: exit code 2, the
message, and no traceback.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import energyopt as eo
from energyopt import cli
from energyopt.errors import ScenarioError
from energyopt.inputs import build_inputs

ROOT = Path(__file__).resolve().parents[1]
BASE_TEXT = (ROOT / "examples" / "kidal.yaml").read_text(encoding="utf-8").replace(
    "days: 365", "days: 14")
#: Words of a fix: every message must tell the user what to do.
FIX = re.compile(r"\b(fix|give|did you mean|save|merge|write|remove|add|quote|check|indent|"
                 r"set|raise|lower|use|replace|known keys|must|expected|one of|between|e\.g\.|run|"
                 r"describe|rename|correct|choose|provide|make|lower|shorten)\b",
                 re.IGNORECASE)
#: Longest a refusal may take [s] (the issue's bound is 10 s; a refusal is checked in far less).
MAX_S = 10.0

Mutation = Callable[[str], str | bytes]


def sub(old: str, new: str) -> Mutation:
    """Replace ``old`` (which must be in the base file) by ``new``."""
    def mutate(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return mutate


def append(extra: str) -> Mutation:
    return lambda text: text + "\n" + extra + "\n"


def raw(data: bytes) -> Mutation:
    return lambda text: data


def encoded(transform: Callable[[bytes], bytes]) -> Mutation:
    return lambda text: transform(text.encode("utf-8"))


def _bomb() -> str:
    lines = ["bomb:", "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"  a{i}: &a{i} [{refs}]")
    return "\n".join(lines)


def _bomb_in(key: str) -> Mutation:
    """An alias bomb whose anchors sit under unknown keys and whose top alias is ``key``."""
    anchors = ["_x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        anchors.append(f"_x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")

    def mutate(text: str) -> str:
        text = text.replace("description: >", "old_description: >", 1)
        return "\n".join(anchors) + f"\n{key}: *a9\n" + text
    return mutate


def _deep_list(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


INVENTORY = """fuel:
  inventory:
    existing_tank_l: 20000
    max_tank_l: 60000
    safety_stock_days: 7
    convoy_schedule: weekly
"""

# (id, mutation, field the error must name)
FILE_CASES: list[tuple[str, Mutation, str]] = [
    # -- the file itself ------------------------------------------------------------------
    ("latin1-byte", encoded(lambda b: b.replace(b"team site", "\xe9quipe".encode("latin-1"))),
     "scenario"),
    ("binary", raw(bytes(range(256)) * 40), "scenario"),
    ("control-character", sub("name: Kidal team site", "name: Kidal\x01team site"), "scenario"),
    ("form-feed-paste", sub("  personnel: 40", "  personnel: 40\x1a"), "scenario"),
    ("utf16", encoded(lambda b: b.decode().encode("utf-16")), "scenario"),
    ("empty", raw(b""), "scenario"),
    ("only-comment", raw(b"# nothing here\n"), "scenario"),
    ("top-level-list", raw(b"- name: a\n- name: b\n"), "scenario"),
    ("top-level-scalar", raw(b"just text\n"), "scenario"),
    ("tab-indent", sub("  years: 10", "\tyears: 10"), "scenario"),
    ("unclosed-bracket", sub("max_kwp: 300", "max_kwp: [300"), "scenario"),
    ("unclosed-quote", sub("name: Kidal team site", 'name: "Kidal team site'), "scenario"),
    ("colon-in-value", sub("name: Kidal team site", "name: Kidal: team: site"), "scenario"),
    ("bad-indent", sub("  discount_rate: 0.05", "    discount_rate: 0.05"), "scenario"),
    ("stray-dash", sub("  personnel: 40", "  - personnel: 40"), "scenario"),
    ("undefined-alias", sub("max_kwp: 300", "max_kwp: *nothing"), "scenario"),
    ("python-tag", sub("max_kwp: 300", "max_kwp: !!python/object:os.system ls"), "scenario"),
    ("unknown-tag", sub("max_kwp: 300", "max_kwp: !custom 300"), "scenario"),
    ("deep-list", append("extra: " + "[" * 3000 + "]" * 3000), "scenario"),
    ("deep-map", append("extra: " + "{a: " * 3000 + "1" + "}" * 3000), "scenario"),
    ("nested-40", append("extra: " + "[" * 40 + "1" + "]" * 40), "extra"),
    ("alias-bomb-key", append(_bomb()), "bomb"),
    ("alias-bomb-description", _bomb_in("description"), "description"),
    ("alias-bomb-unknown-key", _bomb_in("remarks"), "remarks"),
    # -- duplicates -----------------------------------------------------------------------
    ("duplicate-key", sub("  max_kwh: 3000", "  max_kwh: 20000\n  max_kwh: 5"),
     "battery.max_kwh"),
    ("duplicate-section", append("solver:\n  time_limit_s: 5"), "solver"),
    ("duplicate-top-key", sub("name: Kidal team site", "name: Kidal team site\nname: other"),
     "name"),
    ("duplicate-unit-key", sub("      rated_kw: 100 ", "      rated_kw: 100\n      rated_kw: 1 "),
     "diesel.units.0.rated_kw"),
    # -- dates ----------------------------------------------------------------------------
    ("feb-30", sub("start: 2025-01-01", "start: 2025-02-30"), "horizon.start"),
    ("month-13", sub("start: 2025-01-01", "start: 2025-13-01"), "horizon.start"),
    ("date-text", sub("start: 2025-01-01", "start: first of January"), "horizon.start"),
    ("date-number", sub("start: 2025-01-01", "start: 20250101"), "horizon.start"),
    ("date-year-9999", sub("start: 2025-01-01", "start: 9999-12-30"), "horizon.start"),
    ("date-slashes", sub("start: 2025-01-01", "start: 01/01/2025"), "horizon.start"),
    ("date-list", sub("start: 2025-01-01", "start: [2025, 1, 1]"), "horizon.start"),
    # -- types ----------------------------------------------------------------------------
    ("bool-count", sub("existing: 2", "existing: true"), "diesel.units.0.existing"),
    ("bool-max-count", sub("max_count: 3", "max_count: yes"), "diesel.units.0.max_count"),
    ("bool-size", sub("max_kwp: 300", "max_kwp: true"), "solar.max_kwp"),
    ("bool-price", sub("price_usd_per_l: 1.1", "price_usd_per_l: false"),
     "fuel.price_usd_per_l"),
    ("float-count", sub("existing: 2", "existing: 1.5"), "diesel.units.0.existing"),
    ("text-count", sub("existing: 2", "existing: two"), "diesel.units.0.existing"),
    ("text-number", sub("max_kwp: 300", "max_kwp: 300 kWp"), "solar.max_kwp"),
    ("comma-decimal", sub("price_usd_per_l: 1.1", "price_usd_per_l: 1,1"),
     "fuel.price_usd_per_l"),
    ("list-for-number", sub("max_kwp: 300", "max_kwp: [300]"), "solar.max_kwp"),
    ("map-for-number", sub("max_kwp: 300", "max_kwp: {value: 300}"), "solar.max_kwp"),
    ("null-required-number", sub("personnel: 40", "personnel: ~"), "load"),
    ("nan-number", sub("max_kwp: 300", "max_kwp: .nan"), "solar.max_kwp"),
    ("inf-number", sub("max_kwh: 3000", "max_kwh: .inf"), "battery.max_kwh"),
    ("neg-inf-rate", sub("discount_rate: 0.05", "discount_rate: -.inf"),
     "horizon.discount_rate"),
    ("huge-int", sub("personnel: 40", "personnel: " + "9" * 500), "load.personnel"),
    ("number-name", sub("name: Kidal team site", "name: 42"), "name"),
    ("list-name", sub("name: Kidal team site", "name: [a, b]"), "name"),
    ("empty-name", sub("name: Kidal team site", "name: ''"), "name"),
    ("units-not-list", sub("  units:\n", "  units: g100\n  old:\n"), "diesel"),
    ("section-is-number", sub("battery:\n", "battery: 5\nold_battery:\n"), "battery"),
    ("section-is-list", sub("reliability:\n", "reliability: [1, 2]\nold_reliability:\n"),
     "reliability"),
    ("log-not-bool", sub("  mip_rel_gap: 0.01", "  mip_rel_gap: 0.01\n  log: maybe"),
     "solver.log"),
    # -- ranges ---------------------------------------------------------------------------
    ("negative-years", sub("years: 10", "years: -10"), "horizon.years"),
    ("zero-years", sub("years: 10", "years: 0"), "horizon.years"),
    ("discount-percent", sub("discount_rate: 0.05", "discount_rate: 5"),
     "horizon.discount_rate"),
    ("days-zero", sub("days: 14", "days: 0"), "horizon.days"),
    ("days-400", sub("days: 14", "days: 400"), "horizon.days"),
    ("step-7", sub("step_minutes: 60", "step_minutes: 7"), "horizon.step_minutes"),
    ("step-zero", sub("step_minutes: 60", "step_minutes: 0"), "horizon.step_minutes"),
    ("step-day-horizon-day", lambda t: t.replace("days: 14", "days: 1").replace(
        "step_minutes: 60", "step_minutes: 1440"), "horizon"),
    ("soc-percent", sub("min_soc: 0.1", "min_soc: 10"), "battery.min_soc"),
    ("efficiency-percent", sub("roundtrip_efficiency: 0.90", "roundtrip_efficiency: 90"),
     "battery.roundtrip_efficiency"),
    ("negative-capex", sub("capex_usd_per_kwp: 1600", "capex_usd_per_kwp: -1600"),
     "solar.capex_usd_per_kwp"),
    ("negative-max-kwp", sub("max_kwp: 300", "max_kwp: -300"), "solar.max_kwp"),
    ("rated-zero", sub("rated_kw: 100", "rated_kw: 0"), "diesel.units.0.rated_kw"),
    ("rated-mw-as-kw", sub("rated_kw: 100", "rated_kw: 100000"), "diesel.units.0.rated_kw"),
    ("existing-over-max", sub("max_count: 3", "max_count: 1"), "diesel.units.0"),
    ("min-load-one", sub("min_load_fraction: 0.3", "min_load_fraction: 1.0"),
     "diesel.units.0.min_load_fraction"),
    ("critical-over-one", sub("critical_fraction: 0.3", "critical_fraction: 1.3"),
     "load.critical_fraction"),
    ("reserve-negative", sub("reserve_load_fraction: 0.10", "reserve_load_fraction: -0.1"),
     "reliability.reserve_load_fraction"),
    ("unserved-percent", sub("max_unserved_fraction: 0.0", "max_unserved_fraction: 5"),
     "reliability.max_unserved_fraction"),
    ("time-limit-zero", sub("time_limit_s: 60", "time_limit_s: 0"), "solver.time_limit_s"),
    ("gap-percent", sub("mip_rel_gap: 0.01", "mip_rel_gap: 1.5"), "solver.mip_rel_gap"),
    ("truck-zero", sub("truck_capacity_l: 36000", "truck_capacity_l: 0"),
     "fuel.truck_capacity_l"),
    ("route-negative", sub("route_km: 1550", "route_km: -1550"), "fuel.route_km"),
    ("casualties-huge", sub("casualties_per_convoy: 0.5", "casualties_per_convoy: 50"),
     "fuel.casualties_per_convoy"),
    ("personnel-zero", sub("personnel: 40", "personnel: 0"), "load.personnel"),
    # -- unknown keys and names -------------------------------------------------------------
    ("misspelt-section", sub("battery:\n", "batery:\n"), "batery"),
    ("misspelt-key", sub("max_kwp: 300", "max_kwpp: 300"), "solar.max_kwpp"),
    ("misspelt-unit-key", sub("rated_kw: 100", "rated_kW: 100"), "diesel.units.0.rated_kW"),
    ("unknown-site", sub("site: kidal", "site: atlantis"), "site"),
    ("unknown-archetype", sub("archetype: team_site", "archetype: village"),
     "load.archetype"),
    ("unknown-strategy", sub("  mip_rel_gap: 0.01", "  mip_rel_gap: 0.01\n  strategy: fastest"),
     "solver.strategy"),
    ("unknown-tracking", sub("solar:\n", "solar:\n  tracking: dual_axis\n"), "solar.tracking"),
    ("unknown-weather", sub("weather: embedded", "weather: sunny"), "solar.weather"),
    ("number-key", sub("  max_kwh: 3000", "  max_kwh: 3000\n  5: 6"), "battery.5"),
    ("missing-load", lambda t: re.sub(r"\nload:\n(  .*\n)+", "\n", t), "load"),
    ("missing-diesel", lambda t: re.sub(r"\ndiesel:\n(  .*\n)+", "\n", t), "diesel"),
    ("missing-site", sub("site: kidal", "#site: kidal"), "site"),
    ("duplicate-unit-name", sub("  units:\n", "  units:\n    - {name: g100, rated_kw: 50}\n"),
     "diesel.units"),
    ("unit-without-name", sub("    - name: g100\n", "    -\n"), "diesel.units.0"),
    # -- custom sites -----------------------------------------------------------------------
    ("site-latitude-100", sub("site: kidal", "site: {name: x, latitude: 100, longitude: 1, "
                              "timezone: Africa/Bamako, ghi_kwh_m2_day: 6}"), "site.latitude"),
    ("site-bad-timezone", sub("site: kidal", "site: {name: x, latitude: 18, longitude: 1, "
                              "timezone: Mali/Kidal, ghi_kwh_m2_day: 6}"), "site.timezone"),
    ("site-ghi-20", sub("site: kidal", "site: {name: x, latitude: 18, longitude: 1, "
                        "timezone: Africa/Bamako, ghi_kwh_m2_day: 20}"), "site.ghi_kwh_m2_day"),
    ("site-temps-11", sub("site: kidal", "site: {name: x, latitude: 18, longitude: 1, "
                          "timezone: Africa/Bamako, ghi_kwh_m2_day: 6, "
                          "monthly_temp_air_c: [20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20]}"),
     "site.monthly_temp_air_c"),
    ("site-temps-nan", sub("site: kidal", "site: {name: x, latitude: 18, longitude: 1, "
                           "timezone: Africa/Bamako, ghi_kwh_m2_day: 6, monthly_temp_air_c: "
                           "[.nan, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20]}"),
     "site.monthly_temp_air_c"),
    ("site-temps-1e308", sub("site: kidal", "site: {name: x, latitude: 18, longitude: 1, "
                             "timezone: Africa/Bamako, ghi_kwh_m2_day: 6, monthly_temp_air_c: "
                             "[1e308, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20]}"),
     "site.monthly_temp_air_c"),
    # -- files named in the scenario --------------------------------------------------------
    ("load-csv-missing", lambda t: re.sub(r"  archetype: .*\n  personnel: .*\n",
                                          "  csv: no_such_load.csv\n", t), "load.csv"),
    ("weather-file-missing", sub("weather: embedded", "weather: {file: no_such.epw}"),
     "solar.weather.file"),
    # -- fuel supply ------------------------------------------------------------------------
    ("closure-reversed", sub("fuel:\n", INVENTORY + "    closed_roads:\n      - {start: "
                             "2025-08-01, end: 2025-07-01}\n"), "fuel.inventory.closed_roads.0"),
    ("closure-bad-date", sub("fuel:\n", INVENTORY + "    closed_roads:\n      - {start: "
                             "2025-06-31, end: 2025-07-10}\n"),
     "fuel.inventory.closed_roads.0.start"),
    ("inventory-schedule", sub("fuel:\n", INVENTORY.replace("weekly", "daily")),
     "fuel.inventory.convoy_schedule"),
    ("inventory-negative-tank", sub("fuel:\n", INVENTORY.replace("20000", "-20000")),
     "fuel.inventory.existing_tank_l"),
    ("inventory-autonomy-float", sub("fuel:\n", INVENTORY + "    autonomy_days: 2.5\n"),
     "fuel.inventory.autonomy_days"),
]

# (id, overrides on the loaded base scenario, field the error must name)
OVERRIDE_CASES: list[tuple[str, dict[Any, Any], str]] = [
    ("int-key", {1: 2}, "1"),
    ("empty-key", {"": 2}, ""),
    ("dangling-dot", {"battery.": 5}, "battery."),
    ("unknown-path", {"battery.max_kwhh": 5}, "battery.max_kwhh"),
    ("unit-out-of-range", {"diesel.units.5.existing": 1}, "diesel.units.5.existing"),
    ("unit-unknown-name", {"diesel.units.g999.existing": 1}, "diesel.units.g999.existing"),
    ("into-a-value", {"battery.max_kwh.x": 1}, "battery.max_kwh.x"),
    ("bool-existing", {"diesel.units.0.existing": True}, "diesel.units.0.existing"),
    ("nan-price", {"fuel.price_usd_per_l": float("nan")}, "fuel.price_usd_per_l"),
    ("inf-kwp", {"solar.max_kwp": float("inf")}, "solar.max_kwp"),
    ("deep-value", {"description": _deep_list(5000)}, "description"),
    ("start-month-13", {"horizon.start": "2025-13-01"}, "horizon.start"),
    ("start-text", {"horizon.start": "soon"}, "horizon.start"),
    ("days-text", {"horizon.days": "many"}, "horizon.days"),
]


def _refusal(run: Callable[[], Any]) -> ScenarioError:
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        run()
    elapsed = time.perf_counter() - t0
    assert elapsed < MAX_S, f"took {elapsed:.1f} s"
    return info.value


def _assert_names(exc: ScenarioError, field: str) -> None:
    fields = [p.field for p in exc.problems]
    assert any(f == field or f.startswith(field + ".") for f in fields), (fields, str(exc))
    for problem in exc.problems:
        assert FIX.search(problem.message), f"no fix in: {problem}"
        assert len(str(problem)) < 2000
    assert "datetime.date(" not in str(exc)


@pytest.mark.parametrize(("case", "mutate", "field"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_malformed_file_is_refused_naming_its_field(tmp_path: Path, case: str, mutate: Mutation,
                                                    field: str) -> None:
    content = mutate(BASE_TEXT)
    path = tmp_path / f"{case}.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")

    def run() -> None:
        scenario = eo.load_scenario(path)
        build_inputs(scenario)

    _assert_names(_refusal(run), field)


@pytest.mark.parametrize(("case", "overrides", "field"), OVERRIDE_CASES,
                         ids=[c[0] for c in OVERRIDE_CASES])
def test_malformed_override_is_refused_naming_its_field(tmp_path: Path, case: str,
                                                        overrides: dict[Any, Any],
                                                        field: str) -> None:
    path = tmp_path / "base.yaml"
    path.write_text(BASE_TEXT, encoding="utf-8")
    base = eo.load_scenario(path)

    def run() -> None:
        build_inputs(base.with_overrides(overrides))

    _assert_names(_refusal(run), field)


def test_the_corpus_is_large_enough() -> None:
    assert len(FILE_CASES) + len(OVERRIDE_CASES) >= 100


def test_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE_TEXT.encode("utf-8"))
    assert eo.load_scenario(path).name == "Kidal team site"


def test_merge_keys_and_anchors_still_work(tmp_path: Path) -> None:
    text = BASE_TEXT.replace("  units:\n    - name: g100\n",
                             "  units:\n    - &set\n      name: g100\n", 1)
    path = tmp_path / "anchors.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    scenario = eo.load_scenario(path)
    assert scenario.diesel.units[0].rated_kw == 100


def test_dates_still_parse(tmp_path: Path) -> None:
    path = tmp_path / "date.yaml"
    path.write_text(BASE_TEXT.replace("start: 2025-01-01", "start: 2024-02-29"),
                    encoding="utf-8")
    assert str(eo.load_scenario(path).horizon.start) == "2024-02-29"


CLI_SAMPLE = ["latin1-byte", "binary", "deep-list", "alias-bomb-key", "duplicate-section",
              "feb-30", "bool-count", "site-temps-nan", "empty", "tab-indent"]
runner = CliRunner()


def _cli(args: list[str]) -> tuple[int, str]:
    result = runner.invoke(cli.app, args)
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{type(result.exception).__name__} escaped: {text}")
    return result.exit_code, text


@pytest.mark.parametrize("case", CLI_SAMPLE)
def test_cli_exits_2_with_the_message(tmp_path: Path, case: str) -> None:
    mutate = {c[0]: c[1] for c in FILE_CASES}[case]
    content = mutate(BASE_TEXT)
    path = tmp_path / f"{case}.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    code, text = _cli(["validate", str(path)])
    assert code == 2, text
    assert "Scenario error" in text
    assert "Traceback" not in text


@pytest.mark.parametrize("value", ["2025-13-01", "[[[[[[", "&a [*a]", "{a: 1, a: 2}"])
def test_cli_set_values_are_checked(tmp_path: Path, value: str) -> None:
    path = tmp_path / "base.yaml"
    path.write_text(BASE_TEXT, encoding="utf-8")
    code, text = _cli(["validate", str(path), "--set", f"horizon.start={value}"])
    assert code == 2, text
    assert "horizon.start" in text
    assert "Traceback" not in text


def test_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(BASE_TEXT + "\nextra: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "energyopt", "validate", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "nested too deeply" in done.stderr
