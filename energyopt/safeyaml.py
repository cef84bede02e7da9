"""Reading scenario YAML safely: every problem with the file becomes a :class:`ScenarioError`.

A scenario file is written by hand, pasted from e-mails and edited on field laptops, so the
loader guards against what such files hold:

- bytes that are not UTF-8 (the message gives the line and the byte), a UTF-8 byte-order mark
  (skipped), UTF-16 files and binary files;
- files over :data:`MAX_BYTES`;
- duplicate keys, including a second section of the same name (YAML would keep the last one
  silently);
- values nested deeper than :data:`MAX_DEPTH` levels, and anchors and aliases that expand to
  more than :data:`MAX_NODES` values (a "billion laughs" file);
- dates: YAML's own date type is switched off, so ``2025-02-30`` reaches the scenario's
  validation as text and is refused there, naming its field.

The same rules hold for values given on the command line (``--set key=value``) through
:func:`load_value`, and for scenarios given as Python mappings through :func:`check_data`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from energyopt.errors import Problem, ScenarioError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "check_data", "load_text", "load_value",
           "read_scenario_text"]

#: Largest scenario file read [bytes] (a scenario with an inline hourly year is ~150 kB).
MAX_BYTES = 20_000_000
#: Deepest nesting of sections and lists in a scenario [-] (the schema needs 5).
MAX_DEPTH = 32
#: Most values a scenario may expand to, aliases counted each time they are used [-]
#: (an inline hourly load of a 15-minute year is 35,040).
MAX_NODES = 1_000_000


_DEEP = (f"values are nested too deeply (more than {MAX_DEPTH} levels); remove the nesting: "
         "a scenario needs at most 5")


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML's implicit date type (dates stay text for the schema)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_scenario_text(data: bytes, source: str) -> str:
    """Decode the bytes of a scenario file.

    Parameters
    ----------
    data : bytes
        The file's content.
    source : str
        Its name, for messages.

    Returns
    -------
    str
        The text, without a UTF-8 byte-order mark.

    Raises
    ------
    ScenarioError
        When the file is too large, binary, UTF-16 or not UTF-8.
    """
    if len(data) > MAX_BYTES:
        raise ScenarioError.single(
            "scenario", f"{len(data):,} bytes",
            f"the file is larger than {MAX_BYTES // 1_000_000} MB; a scenario is a short text "
            "file: give long series as CSV files (load.csv, solar.weather.file)", source)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError.single(
            "scenario", "UTF-16 text", "the file is saved as UTF-16; save it as UTF-8 (in "
            "Notepad: Save as > Encoding > UTF-8)", source)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:8192]:
        raise ScenarioError.single(
            "scenario", "binary data", "this is not a text file; give the scenario's YAML "
            "file (e.g. examples/gao.yaml)", source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start:exc.start + 1].hex().upper()
        raise ScenarioError.single(
            "scenario", f"byte 0x{byte} at line {line}, column {column}",
            "the file is not UTF-8 text (likely saved as Latin-1 or Windows-1252); save it "
            "as UTF-8, or replace the accented character", source) from None


def load_text(text: str, source: str | None, *, where: str = "scenario") -> Any:
    """Parse YAML text under the limits of this module.

    Parameters
    ----------
    text : str
        The YAML text.
    source : str or None
        Where it came from, for messages.
    where : str
        Field path of the text (``scenario`` for a file, the key of a ``--set`` value).

    Returns
    -------
    object
        The parsed value (mappings, lists, str, int, float, bool, None).

    Raises
    ------
    ScenarioError
        On a YAML syntax error, a duplicate key, too deep nesting or too many values.
    """
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ScenarioError.single(
            where, f"character U+{exc.character:04X} at line {line}, column {column}"
            if isinstance(exc.character, int) else f"line {line}, column {column}",
            "a control character YAML does not allow (often pasted from a spreadsheet or a "
            "PDF); remove it or retype the line", source) from None
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise ScenarioError.single(
                where, f"deeply nested value at line {loader.get_mark().line + 1}", _DEEP,
                source) from None
        except yaml.MarkedYAMLError as exc:
            raise ScenarioError.single(where, _mark_text(exc), _yaml_message(exc),
                                       source) from None
        except yaml.YAMLError as exc:
            raise ScenarioError.single(where, "YAML", f"not valid YAML: {exc}",
                                       source) from None
        if node is None:
            return None
        problems = _check_nodes(node, where)
        if problems:
            raise ScenarioError(problems, source)
        try:
            return loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            raise ScenarioError.single(where, _mark_text(exc), _yaml_message(exc),
                                       source) from None
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            raise ScenarioError.single(where, "YAML", f"a value cannot be read: {exc}",
                                       source) from None
    finally:
        loader.dispose()


def load_value(text: str, key: str) -> Any:
    """Parse the value of a ``--set key=value`` option (YAML, under the same limits).

    Raises
    ------
    ScenarioError
        Naming ``key`` when the value is not valid YAML or breaks a limit.
    """
    return load_text(text, "--set", where=key)


def check_data(value: Any, where: str = "scenario", source: str | None = None) -> None:
    """Check a scenario given as Python data against the limits of this module.

    Checks nesting depth and size without recursion (shared sub-objects count each time they
    appear, as aliases do), and that mapping keys are text.

    Raises
    ------
    ScenarioError
        Naming the path of the first value that breaks a limit.
    """
    problems: list[Problem] = []
    count = 0
    stack: list[tuple[Any, str, int]] = [(value, where, 0)]
    while stack:
        item, path, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ScenarioError.single(
                where, f"more than {MAX_NODES:,} values", "the scenario is too large; give "
                "long series as CSV files", source)
        if depth > MAX_DEPTH:
            raise ScenarioError.single(
                _holder(path), "deeply nested value", _DEEP, source)
        if isinstance(item, Mapping):
            for key, sub in item.items():
                if isinstance(key, int) and not isinstance(key, bool):
                    key = str(key)  # a year as key (mission.closure_probabilities: {2: 0.3})
                if not isinstance(key, str):
                    problems.append(Problem(
                        _join(path, str(key)), key, f"keys must be text, not "
                        f"{type(key).__name__}; write the key as a name such as 'max_kwh'"))
                    continue
                stack.append((sub, _join(path, key), depth + 1))
        elif isinstance(item, list | tuple):
            for i, sub in enumerate(item):
                stack.append((sub, _join(path, str(i)), depth + 1))
    if problems:
        raise ScenarioError(problems, source)


# --------------------------------------------------------------------------------------------
def _join(path: str, key: str) -> str:
    return key if path == "scenario" else f"{path}.{key}"


def _check_nodes(root: yaml.Node, where: str) -> list[Problem]:
    """Duplicate keys, depth and expanded size of a composed YAML document.

    Aliases share their node, so the expanded size of each node is memoised by identity: a
    node used a billion times is counted a billion times without being walked more than once.
    """
    problems: list[Problem] = []
    size: dict[int, int] = {}
    # iterative post-order walk: (node, path, depth, children done)
    stack: list[tuple[yaml.Node, str, int, bool]] = [(root, where, 0, False)]
    on_path: set[int] = set()
    while stack:
        node, path, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            total = 1
            for child in _children(node):
                total += size.get(id(child), 1)
                if total > MAX_NODES:
                    break
            size[key] = total
            if total > MAX_NODES:
                problems.append(Problem(
                    _holder(path), f"more than {MAX_NODES:,} values", "anchors and aliases "
                    "(&name, *name) expand to too many values; write the values out, or give "
                    "long series as CSV files"))
                return problems
            continue
        if key in size:
            continue
        if key in on_path:
            problems.append(Problem(path, "recursive alias", "an alias (*name) refers to "
                                    "its own anchor; remove the recursion"))
            return problems
        if depth > MAX_DEPTH:
            problems.append(Problem(
                _holder(path), "deeply nested value", _DEEP))
            return problems
        on_path.add(key)
        stack.append((node, path, depth, True))
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag.endswith(":merge"):
                    stack.append((value_node, path, depth + 1, False))
                    continue
                name = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
                line = key_node.start_mark.line + 1
                child_path = _join(path, name)
                if name in seen:
                    what = "section" if depth == 0 else "key"
                    problems.append(Problem(
                        child_path, f"line {line}", f"duplicate {what}: '{name}' is also given on "
                        f"line {seen[name]}; YAML would silently keep only the last one; merge "
                        "them into one"))
                else:
                    seen[name] = line
                stack.append((value_node, child_path, depth + 1, False))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                stack.append((item, _join(path, str(i)), depth + 1, False))
    return problems


def _holder(path: str) -> str:
    """Return the path of the key that holds a nested value (list indices dropped)."""
    parts = path.split(".")
    while len(parts) > 1 and parts[-1].isdigit():
        parts.pop()
    return ".".join(parts)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _mark_text(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return "YAML"
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "syntax error"
    context = f" {exc.context}" if exc.context else ""
    hint = ""
    if "\t" in problem or "\\t" in problem or "tab" in problem:
        hint = "; indent with spaces, not tabs"
    elif "mapping values are not allowed" in problem:
        hint = "; a value holding ': ' must be quoted, or a key is indented wrongly"
    elif "found character '%'" in problem or "found character '`'" in problem:
        hint = "; quote the value"
    else:
        hint = "; check the indentation and quoting around that line"
    return f"not valid YAML: {problem}{context}{hint}"
