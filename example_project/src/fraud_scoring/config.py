"""Loading the YAML configuration files under ``configs/`` and ``monitoring/``.

The service image carries no YAML library, so configuration files are kept to a strict
subset of YAML and read here: nested mappings by indentation, block lists of scalars, inline
lists (``[a, b]``), comments, and scalars (integers, floats, booleans, null, quoted or bare
strings). Anything outside the subset (anchors, multi-line strings, flow mappings, lists of
mappings) is rejected with the file and line, so a config never means something different
from what it looks like.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_INT = re.compile(r"^[-+]?\d+$")
_FLOAT = re.compile(r"^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$")
_UNSUPPORTED_START = ("&", "*", "!", "|", ">", "{")


class ConfigError(ValueError):
    """A configuration file is missing, malformed or outside the supported YAML subset."""


def load_config(path: str | Path) -> dict[str, Any]:
    """Read a YAML-subset file into nested dicts and lists."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read configuration ({exc.strerror})") from None
    return parse_config(text, name=str(source))


def parse_config(text: str, *, name: str = "<config>") -> dict[str, Any]:
    """Parse the YAML subset described in the module docstring."""
    lines = _meaningful_lines(text)
    if not lines:
        return {}
    value, position = _parse_block(lines, 0, lines[0][1], name)
    if position != len(lines):
        number = lines[position][0]
        raise ConfigError(f"{name}:{number}: unexpected indentation")
    if not isinstance(value, dict):
        raise ConfigError(f"{name}: the top level must be a mapping of keys")
    return value


def _meaningful_lines(text: str) -> list[tuple[int, int, str]]:
    """(line number, indent, content) of lines that are not blank or comments."""
    result = []
    for number, raw in enumerate(text.splitlines(), start=1):
        content = _strip_comment(raw).rstrip()
        if not content.strip() or content.strip() == "---":
            continue
        indent = len(content) - len(content.lstrip(" "))
        result.append((number, indent, content.strip()))
    return result


def _strip_comment(line: str) -> str:
    quote = ""
    for index, char in enumerate(line):
        if char in "\"'" and not quote:
            quote = char
        elif char == quote:
            quote = ""
        elif char == "#" and not quote and (index == 0 or line[index - 1] in " \t"):
            return line[:index]
    return line


def _parse_block(lines: list[tuple[int, int, str]], start: int, indent: int, name: str) -> tuple[Any, int]:
    if lines[start][2].startswith("- "):
        return _parse_list(lines, start, indent, name)
    return _parse_mapping(lines, start, indent, name)


def _parse_mapping(lines: list[tuple[int, int, str]], start: int, indent: int, name: str) -> tuple[dict[str, Any], int]:
    mapping: dict[str, Any] = {}
    position = start
    while position < len(lines) and lines[position][1] == indent:
        number, _, content = lines[position]
        key, sep, rest = content.partition(":")
        if not sep or not key or key.startswith("- "):
            raise ConfigError(f"{name}:{number}: expected 'key: value'")
        key = key.strip().strip("\"'")
        if key in mapping:
            raise ConfigError(f"{name}:{number}: key '{key}' appears twice")
        rest = rest.strip()
        position += 1
        if rest:
            mapping[key] = parse_scalar(rest, f"{name}:{number}")
        elif position < len(lines) and lines[position][1] > indent:
            mapping[key], position = _parse_block(lines, position, lines[position][1], name)
        else:
            mapping[key] = None
    return mapping, position


def _parse_list(lines: list[tuple[int, int, str]], start: int, indent: int, name: str) -> tuple[list[Any], int]:
    items: list[Any] = []
    position = start
    while position < len(lines) and lines[position][1] == indent and lines[position][2].startswith("- "):
        number, _, content = lines[position]
        item = content[2:].strip()
        if re.match(r"^[\w.-]+:(\s|$)", item):
            raise ConfigError(f"{name}:{number}: lists of mappings are outside the supported YAML subset")
        items.append(parse_scalar(item, f"{name}:{number}"))
        position += 1
    return items, position


def parse_scalar(text: str, where: str = "<value>") -> Any:
    """Turn one YAML scalar (or inline list of scalars) into a Python value."""
    if text.startswith(_UNSUPPORTED_START):
        raise ConfigError(f"{where}: '{text[0]}' is outside the supported YAML subset")
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return [parse_scalar(part.strip(), where) for part in inner.split(",")] if inner else []
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    lowered = text.lower()
    if lowered in ("null", "~"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text
