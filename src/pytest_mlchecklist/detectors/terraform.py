"""A small Terraform reader shared by detectors (there is no HCL dependency).

It is not an HCL parser. :func:`mask_hcl` blanks comments and the insides of strings and
heredocs (keeping offsets and line numbers), which leaves only HCL's own braces and brackets;
:func:`hcl_blocks` and :func:`module_blocks` then find top-level ``resource`` and ``module``
blocks by matching braces, and :func:`nested_blocks` / :func:`attribute` read what is directly
inside a block. Values are returned as the source text of the expression (``"Enabled"``,
``true``, ``var.status``); callers decide what they mean.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class HclBlock:
    """A block found by :func:`hcl_blocks`: ``resource "type" "name" { ... }``.

    ``body`` is the text between the braces with comments blanked and string contents masked
    (same length and offsets as the original), ``source`` the same span of the original text.
    """

    keyword: str
    labels: tuple[str, ...]
    line: int
    body: str
    source: str


class HclError(ValueError):
    """A block whose braces never close."""


def mask_hcl(text: str) -> str:
    """``text`` with comments (``#``, ``//``, ``/* */``) blanked and the insides of strings and
    heredocs replaced by ``_``; newlines are kept, so offsets and line numbers do not move.

    What is left is enough to match braces and brackets: the only ones that remain are HCL's.
    """
    out = list(text)
    length = len(text)
    index = 0

    def blank(start: int, end: int) -> None:
        for position in range(start, min(end, length)):
            if out[position] != "\n":
                out[position] = "_" if out[position] not in " \t" else out[position]

    while index < length:
        char = text[index]
        if char == "#" or text.startswith("//", index):
            end = text.find("\n", index)
            end = length if end < 0 else end
            for position in range(index, end):
                out[position] = " "
            index = end
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            end = length if end < 0 else end + 2
            for position in range(index, end):
                if out[position] != "\n":
                    out[position] = " "
            index = end
        elif char == '"':
            end = _string_end(text, index + 1)
            blank(index + 1, end - 1)
            index = end
        elif text.startswith("<<", index):
            heredoc = re.match(r"<<-?\s*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\n", text[index:])
            if heredoc is None:
                index += 2
                continue
            body_start = index + heredoc.end()
            closing = re.compile(rf"^[ \t]*{re.escape(heredoc.group(1))}[ \t]*$", re.MULTILINE).search(text, body_start)
            end = closing.start() if closing else length
            blank(body_start, end)
            index = closing.end() if closing else length
        else:
            index += 1
    return "".join(out)


def _string_end(text: str, index: int) -> int:
    """The offset just past the closing quote of a string starting at ``index`` (after its
    opening quote); ``${ ... }`` interpolations may hold braces and nested strings."""
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\":
            index += 2
        elif char == '"':
            return index + 1
        elif char == "\n":
            return index + 1  # HCL strings do not span lines; stop the damage here
        elif text.startswith("${", index) or text.startswith("%{", index):
            depth = 1
            index += 2
            while index < length and depth:
                if text[index] == "{":
                    depth += 1
                elif text[index] == "}":
                    depth -= 1
                elif text[index] == '"':
                    index = _string_end(text, index + 1) - 1
                index += 1
        else:
            index += 1
    return length


def matching_bracket(masked: str, start: int, opening: str, closing: str) -> int:
    """The offset of the bracket closing the one at ``start`` in masked text; :class:`HclError`
    if it never closes."""
    depth = 0
    for position in range(start, len(masked)):
        if masked[position] == opening:
            depth += 1
        elif masked[position] == closing:
            depth -= 1
            if depth == 0:
                return position
    raise HclError(f"unbalanced `{opening}`")


#: A top-level block with labels: ``resource "type" "name" {``, ``data "type" "name" {``, ``module "name" {``.
_BLOCK_START = re.compile(r"\b(resource|data|module)\s+\"([^\"\n]*)\"(?:\s+\"([^\"\n]*)\")?\s*\{")


def _labelled_blocks(text: str, keyword: str, wanted: frozenset[str] | None) -> Iterator[HclBlock]:
    """Top-level blocks of ``keyword`` whose first label is in ``wanted`` (any when ``None``)."""
    masked = mask_hcl(text)
    position = 0
    while True:
        match = _BLOCK_START.search(masked, position)
        if match is None:
            return
        open_brace = match.end() - 1
        labels = tuple(text[match.start(group) : match.end(group)] for group in (2, 3) if match.start(group) >= 0)
        line = text.count("\n", 0, match.start()) + 1
        if match.group(1) != keyword or (wanted is not None and labels[0] not in wanted):
            try:
                position = matching_bracket(masked, open_brace, "{", "}") + 1
            except HclError:
                return
            continue
        try:
            close = matching_bracket(masked, open_brace, "{", "}")
        except HclError as exc:
            quoted = " ".join(f'"{label}"' for label in labels)
            raise HclError(f"{keyword} {quoted} at line {line}: {exc}") from exc
        yield HclBlock(keyword, labels, line, masked[open_brace + 1 : close], text[open_brace + 1 : close])
        position = close + 1


def hcl_blocks(text: str, types: frozenset[str]) -> Iterator[HclBlock]:
    """The top-level ``resource`` blocks of a Terraform file whose type is in ``types``.

    A small reader, not an HCL parser: it masks comments and strings (:func:`mask_hcl`), finds
    ``resource "type" "name" {`` and matches braces to the end of the block. Raises
    :class:`HclError` for a block of interest whose braces never close.
    """
    return _labelled_blocks(text, "resource", types)


def data_blocks(text: str, types: frozenset[str]) -> Iterator[HclBlock]:
    """The top-level ``data "type" "name" { ... }`` blocks whose type is in ``types`` (for example
    ``aws_iam_policy_document``); raises :class:`HclError` for one whose braces never close."""
    return _labelled_blocks(text, "data", types)


def module_blocks(text: str) -> Iterator[HclBlock]:
    """Every top-level ``module "name" { ... }`` block (labels: the module name); raises
    :class:`HclError` for one whose braces never close."""
    return _labelled_blocks(text, "module", None)


def _depth_zero(body: str, offset: int) -> bool:
    """True when ``offset`` of a masked block body is not inside a nested block, list or object."""
    depth = 0
    for char in body[:offset]:
        if char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
    return depth == 0


def nested_blocks(block: HclBlock, name: str) -> list[HclBlock]:
    """Blocks (``name { ... }``) and object attributes (``name = { ... }``) directly inside ``block``.

    Lines are those of the file. Raises :class:`HclError` when one never closes.
    """
    found: list[HclBlock] = []
    for match in re.finditer(rf"(?<![\w.\"-]){re.escape(name)}\s*=?\s*\{{", block.body):
        if not _depth_zero(block.body, match.start()):
            continue
        open_brace = match.end() - 1
        close = matching_bracket(block.body, open_brace, "{", "}")
        line = block.line + block.body.count("\n", 0, match.start())
        found.append(HclBlock(name, (), line, block.body[open_brace + 1 : close], block.source[open_brace + 1 : close]))
    return found


def attribute(block: HclBlock, key: str) -> tuple[str, int] | None:
    """The source text of ``key = value`` directly inside ``block`` (not in a nested block), and
    its line; ``None`` when the block does not set it.

    The value is read to the end of its line (``"Enabled"``, ``true``, ``var.status``); an object
    or list value (``{ ... }``, ``[ ... ]``) is returned whole.
    """
    for match in re.finditer(rf"(?<![\w.\"-]){re.escape(key)}\s*=(?!=)\s*", block.body):
        if not _depth_zero(block.body, match.start()):
            continue
        start = match.end()
        line = block.line + block.body.count("\n", 0, match.start())
        if start < len(block.body) and block.body[start] in "{[":
            closing = "}" if block.body[start] == "{" else "]"
            end = matching_bracket(block.body, start, block.body[start], closing) + 1
        else:
            end = block.body.find("\n", start)
            end = len(block.body) if end < 0 else end
        return block.source[start:end].strip().rstrip(","), line
    return None


def string_value(value: str | None) -> str | None:
    """The content of a plain quoted string value (``"Enabled"`` gives ``Enabled``), else ``None``
    (expressions, interpolations, numbers, booleans)."""
    if value is None:
        return None
    match = re.fullmatch(r"\"([^\"$%\\]*)\"", value.strip())
    return match.group(1) if match else None


def bool_value(value: str | None) -> bool | None:
    """``True``/``False`` for a literal ``true``/``false`` (quoted or not), else ``None``."""
    if value is None:
        return None
    text = value.strip().strip('"').lower()
    if text == "true":
        return True
    if text == "false":
        return False
    return None
