"""Generated pages of the energyopt documentation, so that they follow the code.

Each generator is a plain function returning the text of one page (MyST Markdown or
reStructuredText); the Sphinx extension at the bottom (:func:`setup`) writes them to
``docs/_generated/`` when a build starts, and ``tests/test_docs.py`` calls them directly:

* :func:`scenario_reference_markdown`: every section and field of the scenario, walked from
  the pydantic models of :class:`energyopt.scenario.Scenario` (type, unit, bounds, default,
  description and, for defaults read from ``data/``, their source and grade);
* :func:`formulation_rst`: the model's equations and symbol tables, from the docstrings of the
  blocks in ``energyopt/model/``;
* :func:`api_rst`: autodoc of every name in ``energyopt.__all__``;
* :func:`example_markdown`: one page per camp in ``examples/`` (its header comment, its key
  figures and its row of the results table of ``examples/README.md``).

Nothing here is imported by energyopt itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import inspect
import re
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal
from unittest import mock

import annotated_types
import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

DOCS_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = DOCS_DIR.parent
#: Folder of the pages written at build time (git-ignored).
GENERATED_DIR = DOCS_DIR / "_generated"

# --------------------------------------------------------------------------------------------
# Scenario reference
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FieldDoc:
    """One field of a scenario section, as the reference shows it."""

    path: str
    type_text: str
    unit: str
    bounds: str
    default: str
    source: str
    description: str


@dataclasses.dataclass(frozen=True)
class SectionDoc:
    """One scenario section (a pydantic model at one path of the scenario)."""

    path: str
    model: type[BaseModel]
    fields: tuple[FieldDoc, ...]


def section_models(annotation: Any) -> list[type[BaseModel]]:
    """Return the pydantic models inside an annotation (Optional, Union, list, dict, Annotated).

    Parameters
    ----------
    annotation : Any
        A field annotation.

    Returns
    -------
    list of type
        Each model once, in the order the annotation names them.
    """
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        args = args[:1]
    for arg in args:
        for model in section_models(arg):
            if model not in found:
                found.append(model)
    return found


def _is_list_of_models(annotation: Any) -> bool:
    """Whether the models of ``annotation`` come as list items."""
    origin = typing.get_origin(annotation)
    if origin in (list, tuple):
        return bool(section_models(annotation))
    if origin in (typing.Union, types.UnionType):
        return any(_is_list_of_models(a) for a in typing.get_args(annotation))
    if origin is typing.Annotated:
        return _is_list_of_models(typing.get_args(annotation)[0])
    return False


def scenario_sections(root: type[BaseModel] | None = None) -> list[SectionDoc]:
    """Walk the scenario's models depth first and describe every section and field.

    Parameters
    ----------
    root : type, optional
        The top model; default :class:`energyopt.scenario.Scenario`.

    Returns
    -------
    list of SectionDoc
        The top level first (path ``""``), then each nested section at each path where it
        occurs (``horizon``, ``diesel.units[]``, ``solar.weather`` ...).
    """
    if root is None:
        from energyopt.scenario import Scenario

        root = Scenario
    sections: list[SectionDoc] = []

    def visit(model: type[BaseModel], path: str, ancestors: tuple[type, ...]) -> None:
        rows = []
        nested: list[tuple[type[BaseModel], str]] = []
        for name, info in model.model_fields.items():
            field_path = f"{path}.{name}" if path else name
            rows.append(_field_doc(field_path, info))
            suffix = "[]" if _is_list_of_models(info.annotation) else ""
            for sub in section_models(info.annotation):
                if sub not in ancestors:
                    nested.append((sub, field_path + suffix))
        sections.append(SectionDoc(path, model, tuple(rows)))
        for sub, sub_path in nested:
            visit(sub, sub_path, (*ancestors, sub))

    visit(root, "", (root,))
    return sections


def type_text(annotation: Any) -> str:
    """Describe an annotation in words, e.g. ``list of number (each >= 0)``.

    Parameters
    ----------
    annotation : Any
        A field annotation.

    Returns
    -------
    str
        Plain text (model names as they are).
    """
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_text(args[0])
    if origin in (typing.Union, types.UnionType):
        parts = [type_text(a) for a in args if a is not type(None)]
        text = " or ".join(dict.fromkeys(parts))
        return text + " or null" if type(None) in args else text
    if origin is Literal:
        return "one of " + ", ".join(_yaml_scalar(a) for a in args) if len(args) > 1 else \
            _yaml_scalar(args[0])
    if origin is list:
        return f"list of {type_text(args[0])}"
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return f"list of {type_text(args[0])}"
        return f"list of {len(args)}: " + ", ".join(type_text(a) for a in args)
    if origin is dict:
        return f"mapping of {type_text(args[0])} to {type_text(args[1])}"
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return f"section {annotation.__name__}"
        names = {bool: "true/false", int: "integer", float: "number", str: "text",
                 dt.date: "date (YYYY-MM-DD)", Path: "file path"}
        if annotation in names:
            return names[annotation]
        if annotation.__module__.startswith("pandas"):
            return f"pandas {annotation.__name__} (Python only)"
        return annotation.__name__
    return str(annotation)


def _yaml_scalar(value: Any) -> str:
    """Return a scalar as YAML writes it (``true``, ``null``, ``2025-01-01``, ``weekly``)."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return text.removesuffix("\n...").strip()


def number_text(value: float) -> str:
    """Return a number as the reference prints it: whole numbers without a decimal point."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


_BOUND_WORDS: tuple[tuple[type, str, str], ...] = (
    (annotated_types.Ge, "ge", ">="),
    (annotated_types.Gt, "gt", ">"),
    (annotated_types.Le, "le", "<="),
    (annotated_types.Lt, "lt", "<"),
)


def _bound_parts(metadata: list[Any]) -> list[str]:
    parts = []
    for meta in metadata:
        for cls, attr, word in _BOUND_WORDS:
            if isinstance(meta, cls):
                parts.append(f"{word} {number_text(getattr(meta, attr))}")
    return parts


def _length_parts(metadata: list[Any]) -> list[str]:
    low = next((m.min_length for m in metadata if isinstance(m, annotated_types.MinLen)), None)
    high = next((m.max_length for m in metadata if isinstance(m, annotated_types.MaxLen)),
                None)
    if low is not None and low == high:
        return [f"exactly {low} items"]
    parts = []
    if low is not None:
        parts.append(f"at least {low} item{'s' if low != 1 else ''}")
    if high is not None:
        parts.append(f"at most {high} items")
    return parts


def _item_metadata(annotation: Any) -> list[Any]:
    """Constraints on the items of a list annotation (``list[Annotated[float, Field(...)]]``)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return [m for a in args for m in _item_metadata(a)]
    if origin is list and args and typing.get_origin(args[0]) is typing.Annotated:
        out: list[Any] = []
        for meta in typing.get_args(args[0])[1:]:
            out += meta.metadata if isinstance(meta, FieldInfo) else [meta]
        return out
    return []


def bounds_text(info: FieldInfo) -> str:
    """Describe the bounds of a field: value and item bounds, list lengths; ``;``-separated.

    Parameters
    ----------
    info : FieldInfo
        A pydantic field.

    Returns
    -------
    str
        E.g. ``>= 0, <= 1`` or ``each >= -60, <= 60; exactly 12 items``; empty when unbounded.
    """
    parts = []
    own = _bound_parts(info.metadata)
    if own:
        parts.append(", ".join(own))
    items = _bound_parts(_item_metadata(info.annotation))
    if items:
        parts.append("each " + ", ".join(items))
    lengths = _length_parts(info.metadata)
    if lengths and _is_text(info.annotation):
        lengths = [part.replace("items", "characters").replace("item", "character")
                   for part in lengths]
    if lengths:
        parts.append(", ".join(lengths))
    return "; ".join(parts)


def _is_text(annotation: Any) -> bool:
    """Whether an annotation is text (possibly optional)."""
    if annotation is str:
        return True
    args = typing.get_args(annotation)
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and \
        str in args and all(a in (str, type(None)) for a in args)


def default_value(info: FieldInfo) -> Any:
    """Return the default of a field (its factory called), or ``PydanticUndefined``."""
    if info.default_factory is not None:
        return info.default_factory()  # type: ignore[call-arg]
    return info.default


def default_text(info: FieldInfo) -> str:
    """Return the default as YAML flow text (``15``, ``[fri, sun]``, ``null``) or ``required``.

    Sections whose default is their own defaults read ``(section defaults)``.
    """
    value = default_value(info)
    if value is PydanticUndefined:
        return "required"
    if isinstance(value, BaseModel):
        return "(section defaults)"
    return _yaml_flow(value)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, Path):
        return str(value)
    return value


def _yaml_flow(value: Any) -> str:
    text = yaml.safe_dump(_plain(value), default_flow_style=True, width=10_000, sort_keys=False)
    return text.strip().removesuffix("...").strip()


def _recorded_data_keys(info: FieldInfo) -> list[tuple[str, str]]:
    """Return the ``data/`` rows a default factory reads, as ``(table, key)`` pairs."""
    if info.default_factory is None or section_models(info.annotation):
        return []  # a section's defaults are its fields'
    from energyopt import data

    seen: list[tuple[str, str]] = []

    def recorder(table: str, real: Callable[[str], float]) -> Callable[[str], float]:
        def read(key: str) -> float:
            seen.append((table, key))
            return real(key)

        return read

    with mock.patch.object(data, "default", recorder("technologies", data.default)), \
            mock.patch.object(data, "pv_system_default",
                              recorder("pv_system", data.pv_system_default)):
        info.default_factory()  # type: ignore[call-arg]
    return seen


def source_text(path: str, info: FieldInfo) -> str:
    """Where a default comes from: the ``data/`` rows it reads with their source and grade."""
    from energyopt import data

    tables = {"technologies": data.technology_defaults, "pv_system": data.pv_system_defaults}
    parts = []
    for table, key in _recorded_data_keys(info):
        row = tables[table]().loc[key]
        parts.append(f"data/{table}.csv {key}: {row['source']} ({row['year']}), "
                     f"grade {row['grade']}")
    name = path.rsplit(".", 1)[-1]
    if path.startswith("fuel.") and path.count(".") == 1:
        preset = set(data.threat_levels()["key"])
        if name in preset:
            parts.append("with fuel.threat_level set and no value given: "
                         "data/threat_levels.csv")
    return "; ".join(parts)


def unit_text(description: str) -> str:
    """Return the unit a field description gives in its first square brackets."""
    match = re.search(r"\[([^\]]+)\]", description)
    return match.group(1) if match else ""


def _field_doc(path: str, info: FieldInfo) -> FieldDoc:
    description = info.description or ""
    models = section_models(info.annotation)
    if not description and models:
        description = (inspect.getdoc(models[0]) or "").split("\n", 1)[0]
    return FieldDoc(
        path=path,
        type_text=type_text(info.annotation),
        unit="" if models else unit_text(description),
        bounds=bounds_text(info),
        default=default_text(info),
        source=source_text(path, info),
        description=description,
    )


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|$])")


def md_escape(text: str) -> str:
    """Escape Markdown's special characters so that text shows as written in a table cell."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def anchors(sections: list[SectionDoc]) -> dict[tuple[str, type[BaseModel]], str]:
    """Return the label of each section of the reference.

    A label is the section's path, and its model where a path has several (the branches of a
    union such as ``solar.weather``).
    """
    paths = [s.path for s in sections]
    out = {}
    for s in sections:
        slug = re.sub(r"[^a-z0-9]+", "-", (s.path or "scenario").lower()).strip("-")
        if paths.count(s.path) > 1:
            slug += "-" + s.model.__name__.lower()
        out[(s.path, s.model)] = f"scenario-{slug}"
    return out


def scenario_reference_markdown() -> str:
    """Return the scenario reference page (MyST Markdown), generated from the pydantic models.

    Returns
    -------
    str
        One section per scenario section, each with the model's docstring and a table of its
        fields: path, type, unit, bounds, default, source of the default and description.
    """
    from energyopt import data

    sections = scenario_sections()
    labels = anchors(sections)
    lines = [
        "(scenario-reference)=",
        "# Scenario reference",
        "",
        "Every section and field of a scenario file, generated from the pydantic models of",
        "`energyopt.scenario` when the documentation is built. A path such as",
        "`fuel.inventory.autonomy_days` is the key in the YAML file and the dotted path that",
        "`Scenario.with_overrides` and `energyopt run --set` take; `[]` marks the items of a",
        "list (`diesel.units[].rated_kw`; `--set` names an item by its index or its `name`:",
        "`diesel.units.g400.existing`). *Unit* is the one the field's description gives;",
        "*bounds* are checked when the scenario is loaded (a value outside them is a",
        "`ScenarioError` naming the field, the value and the fix). Defaults read from `data/`",
        "carry that table's source, year and grade (P primary, S secondary, D derived,",
        "E engineering estimate). Unknown keys are errors with a \"did you mean\" hint.",
        "",
        "Sections:",
        "",
    ]
    for section in sections:
        title = section.path or "top level"
        lines.append(f"- {{ref}}`{title} <{labels[(section.path, section.model)]}>`: "
                     f"{section.model.__name__}")
    lines.append("")
    for section in sections:
        lines += _section_markdown(section, labels)
    keys = data.site_keys()
    table = data.sites()
    lines += [
        "(scenario-bundled-sites)=",
        "## Bundled sites",
        "",
        "A scenario's `site` may be one of these keys (`energyopt sites` lists them too), or",
        "a `SiteSpec` section with coordinates.",
        "",
        "| key | name | latitude | longitude | timezone |",
        "|---|---|---|---|---|",
    ]
    for key in keys:
        row = table.loc[key]
        lines.append(f"| `{key}` | {md_escape(str(row['name']))} | {row['latitude']} | "
                     f"{row['longitude']} | {row['timezone']} |")
    lines.append("")
    return "\n".join(lines)


def _section_markdown(section: SectionDoc,
                      labels: dict[tuple[str, type[BaseModel]], str]) -> list[str]:
    model = section.model
    heading = f"`{section.path}`: {model.__name__}" if section.path else \
        f"Top level: {model.__name__}"
    doc = inspect.getdoc(model) or ""
    lines = [f"({labels[(section.path, model)]})=", f"## {heading}", ""]
    if doc:
        lines += ["```{eval-rst}", doc, "```", ""]
    lines += [
        "| field | type | unit | bounds | default | source of the default | description |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in section.fields:
        type_cell = md_escape(f.type_text)
        for (path, sub), label in labels.items():
            if path in (f.path, f.path + "[]"):
                type_cell = type_cell.replace(f"section {sub.__name__}",
                                              f"section {{ref}}`{sub.__name__} <{label}>`")
        cells = [f"`{f.path}`", type_cell, md_escape(f.unit),
                 md_escape(f.bounds), f.default if f.default in ("required", "(section defaults)")
                 else f"`{f.default}`", md_escape(f.source), md_escape(f.description)]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


# --------------------------------------------------------------------------------------------
# Model formulation
# --------------------------------------------------------------------------------------------

#: Order of the blocks on the formulation page; other modules with equations follow.
FORMULATION_ORDER = ("build", "pv", "battery", "diesel", "reliability", "fuel", "logistics",
                     "community", "budget", "params")


def formulation_modules() -> list[str]:
    """Return the modules of ``energyopt/model/`` whose docstrings carry LaTeX maths."""
    import energyopt.model

    folder = Path(energyopt.model.__file__).parent
    names = sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))
    withmath = [n for n in names
                if ":math:" in (importlib.import_module(f"energyopt.model.{n}").__doc__ or "")
                or ".. math::" in (importlib.import_module(f"energyopt.model.{n}").__doc__ or "")]
    order = [n for n in FORMULATION_ORDER if n in withmath]
    return order + [n for n in withmath if n not in order]


def formulation_rst() -> str:
    """Return the model formulation page (reStructuredText): every block's docstring.

    Returns
    -------
    str
        A page whose sections are the blocks (title: the docstring's first line), each with
        its equations and its symbol table as written in the block's module.
    """
    lines = [
        ".. _formulation:",
        "",
        "Model formulation",
        "=================",
        "",
        "The equations of the Pyomo model, one section per block of ``energyopt/model/``, taken",
        "from the blocks' docstrings when the documentation is built. Steps :math:`t` have a",
        "duration :math:`\\Delta_t` [h] and a weight :math:`w_t` (so that the modelled steps",
        "stand for a year); annual quantities are weighted sums, and costs are present values",
        "over the horizon (the factors :math:`A`, :math:`A_v`, :math:`A_e`, :math:`R(L)` and",
        ":math:`S(L)` of the last section). The objective is the sum of every block's cost",
        "terms: the net present cost of the camp's power [USD].",
        "",
    ]
    for name in formulation_modules():
        module = importlib.import_module(f"energyopt.model.{name}")
        doc = inspect.cleandoc(module.__doc__ or "")
        title, _, body = doc.partition("\n")
        title = title.strip().rstrip(".")
        lines += [
            f".. py:module:: energyopt.model.{name}",
            "",
            title,
            "-" * len(title),
            "",
            f"*Source:* ``energyopt/model/{name}.py``",
            "",
            _demote_titles(body.strip("\n")),
            "",
        ]
    return "\n".join(lines)


def _demote_titles(text: str) -> str:
    """Turn a docstring's ``---`` section titles into the page's third level (``~~~``)."""
    out = text.split("\n")
    for i in range(1, len(out)):
        line, above = out[i], out[i - 1]
        if line and set(line) == {"-"} and above.strip() and len(line) >= len(above.rstrip()) \
                and not set(above.strip()) <= {"-", "="}:
            out[i] = "~" * len(line)
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# API reference
# --------------------------------------------------------------------------------------------


def api_rst() -> str:
    """Return the API reference (reStructuredText): autodoc of ``energyopt.__all__``.

    Returns
    -------
    str
        Functions first, then classes, then exceptions, each in the order of ``__all__``.
    """
    import energyopt

    functions, classes, errors = [], [], []
    for name in energyopt.__all__:
        obj = getattr(energyopt, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            errors.append(f".. autoexception:: energyopt.{name}\n")
        elif isinstance(obj, type):
            classes.append(f".. autoclass:: energyopt.{name}\n   :members:\n")
        elif callable(obj):
            functions.append(f".. autofunction:: energyopt.{name}\n")
    lines = [
        ".. _api:",
        "",
        "API reference",
        "=============",
        "",
        "The public API: every name in ``energyopt.__all__`` (``import energyopt as eo``),",
        f"energyopt {energyopt.__version__}. The scenario's fields are in the",
        ":ref:`scenario reference <scenario-reference>`.",
        "",
        ".. py:module:: energyopt",
        "",
    ]
    for title, items in (("Functions", functions), ("Classes", classes),
                         ("Errors", errors)):
        if items:
            lines += [title, "-" * len(title), "", *items]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Example camps
# --------------------------------------------------------------------------------------------


def example_files() -> list[Path]:
    """Return the example camps: the scenarios in ``examples/*.yaml``, sorted by name.

    A YAML file there that is not a camp's scenario (no top-level ``site``: a sweep or a
    mission file) has no page.
    """
    files = []
    for path in sorted((REPO_ROOT / "examples").glob("*.yaml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(content, dict) and "site" in content:
            files.append(path)
    return files


def header_comment(path: Path) -> str:
    """Return the comment block at the top of a YAML file, without its ``#`` marks."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].removeprefix(" "))
    return "\n".join(lines).strip()


def results_row(stem: str, readme: Path | None = None) -> dict[str, str] | None:
    """Return the row of ``examples/README.md``'s results table for one example file.

    Parameters
    ----------
    stem : str
        The file's name without ``.yaml``.
    readme : Path, optional
        Default ``examples/README.md``.

    Returns
    -------
    dict of str to str or None
        Column header -> cell text (the ``camp`` cell without its link); None when the table
        has no row for the file.
    """
    text = (readme or REPO_ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    block = text.partition("<!-- results:begin -->")[2].partition("<!-- results:end -->")[0]
    rows = [line for line in block.splitlines() if line.startswith("|")]
    if len(rows) < 3:
        return None
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    for row in rows[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        camp = cells[0]
        if f"({stem}.yaml)" in camp:
            cells[0] = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", camp)
            return dict(zip(header, cells, strict=False))
    return None


def results_note(readme: Path | None = None) -> str:
    """Return the paragraph above the results table (what generated it, and when)."""
    text = (readme or REPO_ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    block = text.partition("<!-- results:begin -->")[2]
    return next((line for line in block.splitlines() if line.strip()), "").strip()


def key_figures(path: Path) -> list[tuple[str, str]]:
    """Return the figures that define an example camp, read from its validated scenario.

    Parameters
    ----------
    path : Path
        The YAML file.

    Returns
    -------
    list of (str, str)
        Label -> value text, e.g. ``("site", "gao: Gao, 16.27 N ...")``.
    """
    import energyopt as eo

    s = eo.load_scenario(path)
    site = s.site_spec()
    out = [("site", f"{s.site if isinstance(s.site, str) else 'coordinates'}: {site.name}, "
                    f"{site.latitude:.2f} N, {site.longitude:.2f} E, {site.timezone}")]
    h = s.horizon
    out.append(("horizon", f"{h.years} years at {h.discount_rate:.0%}; {h.days} days from "
                           f"{h.start.isoformat()} in {h.step_minutes}-minute steps"))
    load = s.load
    if load.route == "archetype":
        text = f"archetype {load.archetype}, {load.personnel} personnel"
        if load.components:
            text += "; " + ", ".join(c.type for c in load.components)
    elif load.route == "csv":
        text = f"measured record {load.csv}"
    elif load.route == "fuel_log":
        text = f"fuel log {load.fuel_log.csv if load.fuel_log else ''}"
    elif load.route == "constant_kw":
        text = f"constant {number_text(float(load.constant_kw or 0.0))} kW"
    else:
        text = load.route
    out.append(("load", text))
    solar = s.solar
    weather = solar.weather if isinstance(solar.weather, str) else (
        f"file {getattr(solar.weather, 'file', 'PVGIS')}")
    out.append(("solar", f"{weather} weather; existing {number_text(solar.existing_kwp)} kWp, "
                         f"at most {number_text(solar.max_kwp)} kWp at "
                         f"{number_text(solar.capex_usd_per_kwp)} USD/kWp"))
    bat = s.battery
    out.append(("battery", f"at most {number_text(bat.max_kwh)} kWh at "
                           f"{number_text(bat.capex_usd_per_kwh)} USD/kWh, round trip "
                           f"{bat.roundtrip_efficiency:.0%}"))
    units = "; ".join(f"{u.name}: {number_text(u.rated_kw)} kW, {u.existing} existing, "
                      f"up to {u.max_count}" for u in s.diesel.units)
    out.append(("diesel", units))
    f = s.fuel
    text = (f"{number_text(f.price_usd_per_l)} USD/L over {number_text(f.route_km)} km; "
            f"{number_text(f.truck_capacity_l)} L trucks, {number_text(f.trucks_per_convoy)} "
            f"per convoy; {f.casualties_per_convoy:g} expected casualties per convoy")
    if f.threat_level:
        text += f" (threat level {f.threat_level})"
    out.append(("fuel", text))
    if f.inventory is not None:
        inv = f.inventory
        text = (f"daily stock, {inv.convoy_schedule} convoys, safety stock "
                f"{number_text(inv.safety_stock_days)} days, autonomy {inv.autonomy_days} days")
        if inv.closed_roads:
            text += "; closed roads " + ", ".join(
                f"{c.start.isoformat()} to {c.end.isoformat()}" for c in inv.closed_roads)
        out.append(("fuel inventory", text))
    if s.community is not None:
        out.append(("community", f"feeder {number_text(s.community.feeder_kw)} kW, "
                                 f"households {s.community.households or 'none'}"))
    if s.mission is not None:
        out.append(("mission", f"closure {s.mission.closures()}"))
    out.append(("solver", f"time limit {number_text(s.solver.time_limit_s)} s, gap "
                          f"{s.solver.mip_rel_gap:g}"))
    return out


def example_markdown(path: Path) -> str:
    """Return the page of one example camp (MyST Markdown).

    Parameters
    ----------
    path : Path
        The YAML file in ``examples/``.

    Returns
    -------
    str
        Title (the scenario's name), the file's header comment, its key figures, its row of
        the results table of ``examples/README.md`` and the whole file.
    """
    import energyopt as eo

    scenario = eo.load_scenario(path)
    relative = path.relative_to(REPO_ROOT).as_posix()
    lines = [f"({'example-' + path.stem.replace('_', '-')})=", f"# {scenario.name}", "",
             f"*Scenario file:* `{relative}`. Run it with `energyopt run {relative}`.", ""]
    header = header_comment(path)
    if header:
        lines += ["```text", header, "```", ""]
    if scenario.description:
        lines += [md_escape(scenario.description.strip()), ""]
    lines += ["## Key figures", "", "| | |", "|---|---|"]
    lines += [f"| {label} | {md_escape(value)} |" for label, value in key_figures(path)]
    lines.append("")
    row = results_row(path.stem)
    lines += ["## Results", ""]
    if row is None:
        lines += ["This camp has no row in the results table of `examples/README.md` yet "
                  "(`python examples/run_all.py` writes it).", ""]
    else:
        lines += [md_escape(results_note()), "", "| figure | value |", "|---|---|"]
        lines += [f"| {md_escape(k)} | {md_escape(v)} |" for k, v in row.items()]
        lines.append("")
    lines += ["## The scenario file", "",
              f"```{{literalinclude}} ../../../{relative}", ":language: yaml", "```", ""]
    return "\n".join(lines)


def examples_index_markdown() -> str:
    """Return the index page of the example camps, with a toctree of their pages."""
    import energyopt as eo

    lines = ["(examples)=", "# Example camps", "",
             "Each file in `examples/` is a documented scenario of a real mission camp. Every",
             "figure carries its source and grade in a comment: P primary, S secondary,",
             "D derived, E engineering estimate to be replaced with mission data. These pages",
             "are generated from the files and from the results table of `examples/README.md`",
             "(`python examples/run_all.py` regenerates it).", "",
             "| file | camp |", "|---|---|"]
    for path in example_files():
        name = eo.load_scenario(path).name
        lines.append(f"| [`{path.name}`](#example-{path.stem.replace('_', '-')}) | "
                     f"{md_escape(name)} |")
    lines += ["", "```{toctree}", ":hidden:", ""]
    lines += [f"{path.stem}" for path in example_files()]
    lines += ["```", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Sphinx extension
# --------------------------------------------------------------------------------------------


def generated_pages() -> Iterator[tuple[str, str]]:
    """Every generated page as (path relative to ``_generated/``, text)."""
    yield "scenario_reference.md", scenario_reference_markdown()
    yield "formulation.rst", formulation_rst()
    yield "api.rst", api_rst()
    yield "examples/index.md", examples_index_markdown()
    for path in example_files():
        yield f"examples/{path.stem}.md", example_markdown(path)


def write_generated(folder: Path = GENERATED_DIR) -> list[Path]:
    """Write the generated pages to ``folder`` (unchanged files are left as they are).

    Files of earlier builds that are no longer generated are removed, so that a deleted
    example does not leave its page behind.
    """
    written = []
    for name, text in generated_pages():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    for old in folder.rglob("*"):
        if old.is_file() and old not in written:
            old.unlink()
    return written


def _on_builder_inited(app: Any) -> None:
    write_generated()


def setup(app: Any) -> dict[str, Any]:
    """Sphinx entry point: write the generated pages when a build starts."""
    app.connect("builder-inited", _on_builder_inited)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
