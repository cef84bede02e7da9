"""The documentation: generated references follow the code, and the tutorials run.

The scenario reference is checked against the pydantic models walked here independently of
the generator (every field of every section reachable from ``Scenario``, with its default and
bounds read back from the page's text); the formulation page against a built model (every
variable and row named); the tutorials by running their ``python`` blocks in order in a
temporary folder, and by validating their YAML snippets. The Sphinx build itself runs in CI
(``.ci/run``, step "docs").
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import inspect
import math
import re
import sys
import typing
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import annotated_types
import pyomo.environ as pyo
import pytest
import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

import energyopt as eo
from energyopt import data, scenario
from energyopt.model import build_model, model_params

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TUTORIALS = sorted((DOCS / "tutorials").glob("*.md"))
#: Tutorials that solve (seconds each, tens in all): run with the slow tests.
FAST_TUTORIALS = {"scenario_files.md"}


def _docs_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("energyopt_docs",
                                                  DOCS / "_ext" / "energyopt_docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


gen = _docs_module()


# --------------------------------------------------------------------------------------------
# Scenario reference
# --------------------------------------------------------------------------------------------
def _flatten(annotation: Any) -> Iterator[tuple[Any, bool]]:
    """Every type inside an annotation, with whether it sits inside a list or tuple."""
    stack: list[tuple[Any, bool]] = [(annotation, False)]
    while stack:
        item, in_list = stack.pop()
        yield item, in_list
        origin = typing.get_origin(item)
        args = typing.get_args(item)
        if origin is typing.Annotated:
            stack.append((args[0], in_list))
        elif origin in (list, tuple):
            stack += [(a, True) for a in args if a is not Ellipsis]
        elif args:
            stack += [(a, in_list) for a in args]


def _reachable_fields() -> list[tuple[str, type[BaseModel], str, FieldInfo]]:
    """(path, model, field name, field) of every field reachable from Scenario."""
    out: list[tuple[str, type[BaseModel], str, FieldInfo]] = []
    todo: list[tuple[type[BaseModel], str, frozenset[type]]] = [
        (scenario.Scenario, "", frozenset())]
    while todo:
        model, prefix, seen = todo.pop()
        for name, info in model.model_fields.items():
            path = f"{prefix}.{name}" if prefix else name
            out.append((path, model, name, info))
            for sub, in_list in _flatten(info.annotation):
                if isinstance(sub, type) and issubclass(sub, BaseModel) and sub not in seen:
                    todo.append((sub, path + ("[]" if in_list else ""), seen | {model}))
    return out


def _reference_rows(text: str) -> dict[str, list[list[str]]]:
    """Rows of the reference's field tables: path -> cells (unescaped), per occurrence."""
    rows: dict[str, list[list[str]]] = {}
    for line in text.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [re.sub(r"\\(.)", r"\1", c).strip()
                 for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        path = cells[0].strip("`")
        rows.setdefault(path, []).append(cells)
    return rows


def _same(shown: Any, expected: Any) -> bool:
    if isinstance(expected, tuple | list):
        return isinstance(shown, list) and len(shown) == len(expected) and all(
            _same(a, b) for a, b in zip(shown, expected, strict=True))
    if isinstance(expected, dict):
        return isinstance(shown, dict) and set(shown) == set(expected) and all(
            _same(shown[k], v) for k, v in expected.items())
    if isinstance(expected, Path):
        return shown == str(expected)
    if isinstance(expected, bool) or expected is None:
        return shown is expected
    if isinstance(expected, int | float):
        return isinstance(shown, int | float) and math.isclose(shown, expected, rel_tol=1e-12)
    if isinstance(expected, dt.date):
        return shown == expected
    return shown == expected


def _bounds_of(cell: str) -> set[tuple[str, float]]:
    return {(op, float(num)) for op, num in
            re.findall(r"(>=|<=|>|<)\s*(-?[0-9.]+(?:e[+-]?[0-9]+)?)", cell)}


_OPS = {annotated_types.Ge: (">=", "ge"), annotated_types.Gt: (">", "gt"),
        annotated_types.Le: ("<=", "le"), annotated_types.Lt: ("<", "lt")}


def _expected_bounds(metadata: list[Any]) -> set[tuple[str, float]]:
    out = set()
    for meta in metadata:
        for cls, (op, attr) in _OPS.items():
            if isinstance(meta, cls):
                out.add((op, float(getattr(meta, attr))))
    return out


def _item_bounds(annotation: Any) -> set[tuple[str, float]]:
    out: set[tuple[str, float]] = set()
    for sub, in_list in _flatten(annotation):
        if in_list and typing.get_origin(sub) is typing.Annotated:
            for meta in typing.get_args(sub)[1:]:
                out |= _expected_bounds(meta.metadata if isinstance(meta, FieldInfo) else [meta])
    return out


@pytest.fixture(scope="module")
def reference() -> str:
    return str(gen.scenario_reference_markdown())


def test_every_scenario_section_class_is_in_the_reference(reference: str) -> None:
    # every pydantic model defined in energyopt.scenario is a section reachable from Scenario
    # (a model the walk missed, e.g. a new union branch, would be listed here)
    defined = {obj for _, obj in inspect.getmembers(scenario, inspect.isclass)
               if issubclass(obj, BaseModel) and obj.__module__ == scenario.__name__
               and not obj.__name__.startswith("_")}
    reached = {model for _, model, _, _ in _reachable_fields()}
    assert defined - reached == set()
    for model in defined:
        assert f": {model.__name__}\n" in reference, model.__name__


def test_reference_lists_every_field_with_default_and_bounds(reference: str) -> None:
    rows = _reference_rows(reference)
    fields = _reachable_fields()
    assert len(fields) > 150  # the walk reached the nested sections
    for path, model, name, info in fields:
        assert path in rows, f"{model.__name__}.{name} ({path}) missing from the reference"
        candidates = rows[path]
        assert len(candidates[0]) == 7, candidates[0]

        def matches(cells: list[str], info: FieldInfo = info) -> bool:
            default_cell, bounds_cell = cells[4], cells[3]
            if info.default_factory is not None:
                expected = info.default_factory()  # type: ignore[call-arg]
            else:
                expected = info.default
            if expected is PydanticUndefined:
                ok = default_cell == "required"
            elif isinstance(expected, BaseModel):
                ok = "section defaults" in default_cell
            else:
                ok = _same(yaml.safe_load(default_cell.strip("`")), expected)
            own, _, rest = bounds_cell.partition(";")
            ok = ok and _expected_bounds(info.metadata) <= _bounds_of(
                "" if own.startswith("each") else own)
            items = _item_bounds(info.annotation)
            if items:
                each = next((p for p in bounds_cell.split(";") if "each" in p), "")
                ok = ok and items <= _bounds_of(each)
            for meta in info.metadata:
                if isinstance(meta, annotated_types.MinLen):
                    ok = ok and str(meta.min_length) in bounds_cell
                if isinstance(meta, annotated_types.MaxLen):
                    ok = ok and str(meta.max_length) in bounds_cell
            if info.description:
                ok = ok and info.description in cells[6]
            return ok

        assert any(matches(c) for c in candidates), (path, candidates)


def test_reference_cites_the_source_and_grade_of_data_defaults(reference: str) -> None:
    rows = _reference_rows(reference)
    from_data = {path for path, _, _, info in _reachable_fields()
                 if info.default_factory is not None}
    table = data.technology_defaults()
    cited = 0
    for key, row in table.iterrows():
        field = str(key).split(".", 1)[1]
        matching = [cells for path, occ in rows.items() for cells in occ
                    if path.endswith("." + field) and path in from_data]
        if not matching:
            continue  # a default no scenario field reads directly
        citing = [c for c in matching if f"data/technologies.csv {key}:" in c[5]]
        assert citing, f"{key}: no field cites it ({[c[0] for c in matching]})"
        for cells in citing:
            grade = re.search(rf"{re.escape(str(key))}: .*?\(\d{{4}}\), grade ([PSDE])",
                              cells[5])
            assert grade is not None, (key, cells[5])
            assert grade.group(1) == row["grade"], (key, cells[5])
            shown = yaml.safe_load(cells[4].strip("`"))
            if len(cells[5].split("data/")) == 2:  # the only data row behind this default
                assert math.isclose(float(shown), float(row["value"]), rel_tol=1e-12), key
        cited += 1
    assert cited >= 40


def test_reference_anchors_are_unique_and_linked(reference: str) -> None:
    labels = re.findall(r"^\(([a-z0-9-]+)\)=$", reference, flags=re.M)
    assert len(labels) == len(set(labels))
    for target in re.findall(r"\{ref\}`[^<`]*<([a-z0-9-]+)>`", reference):
        assert target in labels


# --------------------------------------------------------------------------------------------
# Model formulation
# --------------------------------------------------------------------------------------------
def _block_modules() -> list[str]:
    folder = ROOT / "energyopt" / "model"
    names = []
    for path in sorted(folder.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "pyo.Block()" in text or "def build_model(" in text:  # a block, or the assembler
            names.append(path.stem)
    return names


def test_every_block_documents_its_equations_and_symbols() -> None:
    page = str(gen.formulation_rst())
    blocks = _block_modules()
    assert {"build", "pv", "battery", "diesel", "fuel", "logistics", "reliability"} <= set(
        blocks)
    for name in blocks:
        doc = importlib.import_module(f"energyopt.model.{name}").__doc__ or ""
        assert ".. math::" in doc, name
        assert re.search(r"^=+  +=+  +=+\s*\nsymbol +meaning +input", doc, flags=re.M), name
        assert f"energyopt/model/{name}.py" in page, name


def _full_model() -> pyo.ConcreteModel:
    """A three-day camp with every block on: PV, battery with reserve, two unit types,
    unserved energy, a daily fuel inventory with autonomy, bounds, community and mission."""
    raw: dict[str, Any] = {
        "site": "gao", "horizon": {"days": 3},
        "load": {"constant_kw": 100.0, "critical_fraction": 0.5},
        "diesel": {"units": [{"name": "g100", "rated_kw": 100, "existing": 1, "max_count": 2},
                             {"name": "g40", "rated_kw": 40, "max_count": 1}]},
        "reliability": {"max_unserved_fraction": 0.01},
        "fuel": {"inventory": {"existing_tank_l": 1000, "autonomy_days": 1,
                               "stress_burn": "design"},
                 "max_convoys_per_year": 50, "max_expected_casualties_per_year": 1},
        "community": {"constant_kw": 20},
        "mission": {"end_year": 5, "relocatable_kit": "decide"},
    }
    if "budget" in scenario.Scenario.model_fields:
        raw["budget"] = {"capex_usd": 1e6}
    s = eo.load_scenario(raw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the short-period sanity note
        return build_model(model_params(s, eo.build_inputs(s)))


def test_formulation_names_every_variable_and_row_of_the_model() -> None:
    page = str(gen.formulation_rst())
    sections = page.split(".. py:module::")[1:]
    m = _full_model()
    missing = []
    for kind in (pyo.Var, pyo.Constraint):
        for comp in m.component_objects(kind, descend_into=True):
            full = comp.name
            block, _, local = full.rpartition(".")
            if f"``m.{full}``" in page:
                continue
            # or by its own name in a section that names its block's components in full
            # (``m.battery.soc_balance``, then ``soc_min``)
            if block and any(f"``m.{block}." in sec and f"``{local}``" in sec
                             for sec in sections):
                continue
            missing.append(full)
    assert missing == []


# --------------------------------------------------------------------------------------------
# API reference and example pages
# --------------------------------------------------------------------------------------------
def test_api_reference_documents_every_public_name() -> None:
    page = str(gen.api_rst())
    for name in eo.__all__:
        if name == "__version__":
            continue
        assert re.search(rf"^\.\. auto(function|class|exception):: energyopt\.{name}$", page,
                         flags=re.M), name


def test_every_example_has_a_page_with_its_header_and_results_row() -> None:
    readme = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    files = [p for p in sorted((ROOT / "examples").glob("*.yaml"))
             if "site" in (yaml.safe_load(p.read_text(encoding="utf-8")) or {})]
    assert len(files) >= 10
    assert [p.name for p in gen.example_files()] == [p.name for p in files]
    index = str(gen.examples_index_markdown())
    for path in files:
        page = str(gen.example_markdown(path))
        first = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        assert first in page, path.name
        assert f"../../../examples/{path.name}" in page  # the whole file is included
        assert path.stem in index
        row = next(line for line in readme.splitlines() if f"]({path.name})" in line)
        npc = row.split("|")[6].strip()  # "NPC M USD", the sixth column
        assert re.search(rf"\| NPC M USD \| {re.escape(npc)} \|", page), path.name


# --------------------------------------------------------------------------------------------
# Tutorials
# --------------------------------------------------------------------------------------------
_FENCE = re.compile(r"^```(\w+)[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def _blocks(path: Path, language: str) -> list[str]:
    return [body for lang, body in _FENCE.findall(path.read_text(encoding="utf-8"))
            if lang == language]


def test_tutorial_pages_hold_code() -> None:
    assert {p.name for p in TUTORIALS} >= {"library.md", "scenario_files.md", "reports.md",
                                           "studies.md"}
    for path in TUTORIALS:
        assert len(_blocks(path, "python")) >= 3, path.name


_BASE = {"site": "kidal", "load": {"constant_kw": 40.0},
         "diesel": {"units": [{"name": "g100", "rated_kw": 100, "max_count": 2}]}}


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if key == "load" or not isinstance(value, dict) or not isinstance(out.get(key), dict):
            out[key] = value  # a load route replaces the base's route
        else:
            out[key] = _merge(out[key], value)
    return out


@pytest.mark.parametrize("path", TUTORIALS, ids=lambda p: p.name)
def test_tutorial_yaml_snippets_are_valid_scenarios(path: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # relative paths of the snippets are not opened here
    for text in _blocks(path, "yaml"):
        snippet = yaml.safe_load(text)
        assert isinstance(snippet, dict), text
        assert set(snippet) <= set(scenario.Scenario.model_fields), text
        complete = {"site", "load", "diesel"} <= set(snippet)
        eo.load_scenario(snippet if complete else _merge(_BASE, snippet))


def _run_tutorial(path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    monkeypatch.chdir(folder)
    namespace: dict[str, Any] = {"__name__": "__tutorial__"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i, block in enumerate(_blocks(path, "python")):
            exec(compile(block, f"{path.name}[block {i}]", "exec"), namespace)  # noqa: S102
    # what a reader sees: no deprecation from energyopt or its dependencies
    unexpected = [w for w in caught if not issubclass(w.category, UserWarning)]
    assert unexpected == [], [str(w.message) for w in unexpected]


@pytest.mark.parametrize("path", [
    pytest.param(p, marks=() if p.name in FAST_TUTORIALS else pytest.mark.slow, id=p.name)
    for p in TUTORIALS])
def test_tutorial_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _run_tutorial(path, tmp_path, monkeypatch)


def test_readme_links_the_documentation() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Documentation" in readme
    assert "python -m sphinx -W --keep-going -b html docs docs/_build/html" in readme
    # the quick start's two commands are unchanged
    assert "python -m pip install . && energyopt run examples/gao.yaml" in readme
    assert 'python -m pip install ".[test]" && python -m pytest -q' in readme


def test_generated_pages_are_written_and_stale_ones_removed(tmp_path: Path) -> None:
    (tmp_path / "examples").mkdir()
    stale = tmp_path / "examples" / "closed_camp.md"
    stale.write_text("old", encoding="utf-8")
    written = gen.write_generated(tmp_path)
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    assert {"scenario_reference.md", "formulation.rst", "api.rst", "examples/index.md",
            "examples/gao.md"} <= names
    assert not stale.exists()
    before = {p: p.stat().st_mtime_ns for p in written}
    gen.write_generated(tmp_path)  # unchanged pages are not rewritten (Sphinx keeps its cache)
    assert {p: p.stat().st_mtime_ns for p in written} == before


def test_docs_extension_needs_nothing_but_the_package() -> None:
    # the generator imports no Sphinx at module level: the default test run has no docs extra
    source = (DOCS / "_ext" / "energyopt_docs.py").read_text(encoding="utf-8")
    assert not re.search(r"^(import|from) (sphinx|docutils|myst)", source, flags=re.M)
