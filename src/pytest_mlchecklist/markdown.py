"""Markdown read by structure: headings, the sections under them, their list items and prose.

Code blocks (fenced or indented) and raw HTML are left out on purpose: an example snippet
inside a document is not the document saying something. Parsing uses ``markdown-it-py``
(CommonMark), so headings inside code fences or lists are never mistaken for sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark").enable("table")
PLACEHOLDER = re.compile(r"^\s*(?:todo|tbd|tba|fixme|xxx|n/?a|wip|coming soon|to be (?:written|done|decided|filled)|\.\.\.|…|-)\W*$", re.IGNORECASE)


@dataclass(frozen=True)
class ListItem:
    """One list entry (a step when the list is ordered)."""

    line: int
    text: str
    ordered: bool


@dataclass
class MarkdownSection:
    """A heading and what stands under it up to the next heading of any level."""

    level: int
    title: str
    line: int
    paragraphs: list[tuple[int, str]] = field(default_factory=list)
    list_items: list[ListItem] = field(default_factory=list)
    tables: int = 0

    def substantive_items(self) -> list[ListItem]:
        """List items that say something (not empty, not a placeholder such as TODO)."""
        return [item for item in self.list_items if is_substantive(item.text)]

    def substantive_paragraphs(self) -> list[tuple[int, str]]:
        """Paragraphs that say something."""
        return [(line, text) for line, text in self.paragraphs if is_substantive(text)]

    def is_empty(self) -> bool:
        """True when nothing but placeholders stands under the heading."""
        return not self.substantive_items() and not self.substantive_paragraphs() and self.tables == 0

    def text_lines(self) -> list[tuple[int, str]]:
        """Every prose line of the section (paragraphs and list items), with line numbers."""
        lines = list(self.paragraphs) + [(item.line, item.text) for item in self.list_items]
        return sorted(lines)


@dataclass
class MarkdownDocument:
    """A parsed Markdown file: the preamble (before any heading) and its sections in order."""

    preamble: MarkdownSection
    sections: list[MarkdownSection]

    def find_sections(self, pattern: str | re.Pattern[str]) -> list[MarkdownSection]:
        """Sections whose heading matches ``pattern`` (a case-insensitive regular expression)."""
        regex = re.compile(pattern, re.IGNORECASE) if isinstance(pattern, str) else pattern
        return [section for section in self.sections if regex.search(section.title)]

    def subtree(self, section: MarkdownSection) -> list[MarkdownSection]:
        """The section followed by every deeper section nested under it."""
        start = self.sections.index(section)
        result = [section]
        for other in self.sections[start + 1 :]:
            if other.level <= section.level:
                break
            result.append(other)
        return result

    def all_sections(self) -> list[MarkdownSection]:
        """The preamble and every section."""
        return [self.preamble, *self.sections]

    def text_lines(self) -> list[tuple[int, str]]:
        """All prose lines of the document outside code blocks, with line numbers."""
        lines: list[tuple[int, str]] = []
        for section in self.all_sections():
            lines.extend(section.text_lines())
        return sorted(lines)


def is_substantive(text: str) -> bool:
    """True when ``text`` is more than blank space or a placeholder such as "TODO" or "TBD"."""
    stripped = text.strip().strip("*_`[]() ")
    return bool(stripped) and not PLACEHOLDER.match(stripped)


def parse_markdown(text: str) -> MarkdownDocument:
    """Parse Markdown text into sections; code blocks and HTML are left out."""
    tokens = _PARSER.parse(text)
    preamble = MarkdownSection(level=0, title="", line=1)
    sections: list[MarkdownSection] = []
    current = preamble
    list_kinds: list[bool] = []  # stack: True for an ordered list
    in_list_item = 0
    item_taken: list[bool] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        line = token.map[0] + 1 if token.map else current.line
        if token.type == "heading_open":
            title = tokens[index + 1].content.strip() if index + 1 < len(tokens) else ""
            current = MarkdownSection(level=int(token.tag[1:]), title=title, line=line)
            sections.append(current)
            index += 3
            continue
        if token.type in ("bullet_list_open", "ordered_list_open"):
            list_kinds.append(token.type == "ordered_list_open")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_kinds.pop()
        elif token.type == "list_item_open":
            in_list_item += 1
            item_taken.append(False)
        elif token.type == "list_item_close":
            in_list_item -= 1
            item_taken.pop()
        elif token.type == "table_open":
            current.tables += 1
        elif token.type == "inline":
            content = " ".join(token.content.split())
            if in_list_item and not item_taken[-1]:
                current.list_items.append(ListItem(line=line, text=content, ordered=list_kinds[-1]))
                item_taken[-1] = True
            elif content:
                current.paragraphs.append((line, content))
        index += 1
    return MarkdownDocument(preamble=preamble, sections=sections)


class TableRow(NamedTuple):
    """One body row of a Markdown table: its line and its cells as written (inline Markdown kept)."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class MarkdownTable:
    """A Markdown table outside code blocks: the line it starts on, its header and its body rows."""

    line: int
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]


#: Block-level parsing is enough for tables: the text of each cell is on its inline token already.
_TABLE_PARSER = MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"], ignoreInvalid=True)


def parse_tables(text: str) -> list[MarkdownTable]:
    """The tables of Markdown text (tables inside code blocks are code, not tables)."""
    tables: list[MarkdownTable] = []
    header: list[str] = []
    rows: list[TableRow] = []
    cells: list[str] = []
    start = 0
    row_line = 0
    in_head = False
    in_table = False
    for token in _TABLE_PARSER.parse(text):
        if token.type == "table_open":
            header, rows, start, in_table = [], [], (token.map[0] + 1 if token.map else 0), True
        elif not in_table:
            continue
        elif token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            cells = []
            row_line = token.map[0] + 1 if token.map else start
        elif token.type == "inline":
            cells.append(" ".join(token.content.split()))
        elif token.type == "tr_close":
            if in_head:
                header = cells
            else:
                rows.append(TableRow(row_line, tuple(cells)))
        elif token.type == "table_close":
            tables.append(MarkdownTable(start, tuple(header), tuple(rows)))
            in_table = False
    return tables
