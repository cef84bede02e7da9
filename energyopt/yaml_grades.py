"""Grades written beside the values of a scenario file, and which values were given or changed.

A scenario file states where its numbers come from in comments::

    capex_usd_per_kwp: 1100       # D: off-grid Africa 800-1,200 USD/kWp (NREL 2018) + premium
    roundtrip_efficiency: 0.90    # P: REopt.jl default
    trucks_per_convoy: 15         # S: ~15-16 trucks per convoy (US Army 2009)

A comment that starts with a grade (``P``, ``S``, ``D`` or ``E`` of ``data.GRADES``; several
joined by ``/``, such as ``S/E``, count as the weakest) followed by ``:``, ``-`` or the end of
the comment grades the value on its line; comment lines right below it, starting at the same
column, continue its note. :func:`comment_grades` reads them by dotted path (a diesel unit by
name: ``diesel.units.g400.capex_usd``); :func:`given_paths` lists the paths a scenario gave
itself. :class:`energyopt.Scenario` keeps both, and :meth:`~energyopt.Scenario.with_overrides`
carries them over: a value an override changes loses its comment's grade and is graded ``U``
(user override) in the report's assumptions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

__all__ = ["GRADE_RANK", "comment_grades", "given_paths", "normalise_path", "weakest_grade"]

#: Grades from the strongest to the weakest.
GRADE_RANK = ("P", "S", "D", "E")

_GRADE = re.compile(r"^(?P<grades>[PSDE](?:\s*/\s*[PSDE])*)(?:\s*[:\-]\s*(?P<note>.*)|\s*)$")
_COMMENT = re.compile(r"^(?P<pad>\s*)#\s?(?P<text>.*)$")


def weakest_grade(grades: str) -> str:
    """Return the weakest of grades written like ``S/E`` (``E``)."""
    found = [g.strip() for g in grades.split("/") if g.strip() in GRADE_RANK]
    return max(found, key=GRADE_RANK.index) if found else "?"


def _name_of(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "name" and isinstance(
                    value, yaml.ScalarNode):
                return str(value.value)
    return None


def _scalars(node: yaml.Node, path: str, out: list[tuple[str, yaml.ScalarNode]]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                _scalars(value, f"{path}.{key.value}" if path else str(key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _scalars(item, f"{path}.{_name_of(item) or i}", out)
    elif isinstance(node, yaml.ScalarNode) and path:
        out.append((path, node))


def comment_grades(text: str) -> dict[str, tuple[str, str]]:
    """Read the grade and note written in a comment beside each value of a scenario file.

    Parameters
    ----------
    text : str
        The YAML text of the scenario.

    Returns
    -------
    dict of str to (str, str)
        Dotted path of each value with a graded comment -> (grade, note); the note is the
        comment after the grade, continuation lines included. Values in flow mappings
        (``{a: 1, b: 2}`` on one line) and values without a graded comment are left out.
        Text that is not valid YAML gives an empty mapping (the loader reports it).
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    if root is None:
        return {}
    lines = text.splitlines()
    scalars: list[tuple[str, yaml.ScalarNode]] = []
    _scalars(root, "", scalars)
    out: dict[str, tuple[str, str]] = {}
    for path, node in scalars:
        if node.style in ("|", ">"):
            continue
        line = node.end_mark.line
        if line >= len(lines):
            continue
        found = _COMMENT.match(lines[line][node.end_mark.column:])
        if found is None:
            continue
        graded = _GRADE.match(found.group("text").strip())
        if graded is None:
            continue
        column = node.end_mark.column + len(found.group("pad"))
        note = [graded.group("note") or ""]
        for follow in lines[line + 1:]:
            more = _COMMENT.match(follow)
            if more is None or len(more.group("pad")) != column:
                break
            note.append(more.group("text").strip())
        out[path] = (weakest_grade(graded.group("grades")), " ".join(n for n in note if n))
    return out


def given_paths(raw: Mapping[str, Any]) -> frozenset[str]:
    """Return the dotted path of every value a scenario mapping gives.

    Items of a list are named by their ``name`` when they have one, else by their index.
    """
    out: set[str] = set()

    def walk(value: Any, path: str) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                name = item.get("name") if isinstance(item, Mapping) else None
                walk(item, f"{path}.{name if name is not None else i}")
        elif path:
            out.add(path)

    walk(raw, "")
    return frozenset(out)


def normalise_path(raw: Mapping[str, Any], path: str) -> str:
    """Return ``path`` with list indices replaced by the item's name where it has one.

    ``diesel.units.0.existing`` becomes ``diesel.units.g400.existing`` when the first unit is
    named ``g400`` in ``raw`` (the scenario as plain data).
    """
    parts = path.split(".")
    node: Any = raw
    out = []
    for part in parts:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            item = node[int(part)]
            name = item.get("name") if isinstance(item, Mapping) else None
            out.append(str(name) if name is not None else part)
            node = item
            continue
        if isinstance(node, list):
            node = next((i for i in node if isinstance(i, Mapping) and i.get("name") == part),
                        None)
        elif isinstance(node, Mapping):
            node = node.get(part)
        else:
            node = None
        out.append(part)
    return ".".join(out)
