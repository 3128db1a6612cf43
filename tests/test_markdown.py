"""Markdown is read by structure: code blocks and placeholders never count as content."""

from __future__ import annotations

from pytest_mlchecklist.markdown import is_substantive, parse_markdown

DOCUMENT = """\
Intro paragraph.

# Runbook

## Rollback

1. Scale the canary to zero.
2. Run `helm rollback scorer`.
   - nested detail
3. TODO

```bash
# Not a heading
helm rollback
```

## Contacts

| Role | Who |
|---|---|
| Primary | @alice |

## Empty

TBD
"""


def test_sections_list_items_and_tables() -> None:
    document = parse_markdown(DOCUMENT)
    assert [section.title for section in document.sections] == ["Runbook", "Rollback", "Contacts", "Empty"]
    rollback = document.find_sections(r"roll\s*back")[0]
    assert rollback.line == 5
    assert [item.text for item in rollback.list_items] == [
        "Scale the canary to zero.", "Run `helm rollback scorer`.", "nested detail", "TODO"]
    assert [item.text for item in rollback.substantive_items()][-1] == "nested detail"
    assert rollback.list_items[0].ordered and not rollback.list_items[2].ordered
    assert document.find_sections("contacts")[0].tables == 1
    assert document.find_sections("empty")[0].is_empty()
    assert document.preamble.paragraphs == [(1, "Intro paragraph.")]


def test_subtree_takes_nested_sections() -> None:
    document = parse_markdown("# A\n## B\ntext\n### C\n# D\n")
    top = document.sections[0]
    assert [section.title for section in document.subtree(top)] == ["A", "B", "C"]


def test_placeholders_are_not_substantive() -> None:
    for text in ("", "TODO", "tbd.", "N/A", "...", "- ", "Coming soon", "**TBD**"):
        assert not is_substantive(text), text
    assert is_substantive("Run helm rollback")
