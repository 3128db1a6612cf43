"""Declarative evidence rules of catalog items: which files to read and what they must hold.

A rule names files with gitignore-style globs and lists conditions that one of those files
must meet, all at once:

* ``headings``: Markdown headings that must exist, each with real content under it;
* ``keys``: dotted keys of a YAML, JSON or TOML file that must be present and not empty
  (``null``), equal to a value, or one of a list of values;
* ``pattern``: a regular expression that must match the text of the file;
* ``max_age_days`` with ``date_key`` or ``date_heading``: a ``YYYY-MM-DD`` date, read from a key
  or from a Markdown heading and its section, no older than this many days.

A rule with no condition only asks that a matching file exists and is not empty. This module
only parses and validates rules; :mod:`pytest_mlchecklist.detectors.declarative` turns them
into detectors that read the repository index.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator, model_validator

#: The keys a rule may have, for error messages.
RULE_KEYS = ("files", "headings", "keys", "pattern", "max_age_days", "date_key", "date_heading", "description")


class EvidenceRule(BaseModel):
    """One declarative rule: files (globs) plus the conditions one of them must meet."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    files: tuple[str, ...] = Field(min_length=1)
    headings: tuple[str, ...] = ()
    keys: dict[str, Any] = Field(default_factory=dict)
    pattern: str | None = None
    max_age_days: PositiveInt | None = None
    date_key: str | None = None
    date_heading: str | None = None
    description: str | None = None

    @field_validator("files", "headings", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("files")
    @classmethod
    def _globs_not_blank(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for glob in value:
            if not glob.strip():
                raise ValueError("a glob in 'files' is empty; write a path or pattern such as docs/*.md")
            if glob.startswith("/") or glob.startswith("../") or "/../" in glob:
                raise ValueError(f"'{glob}' leaves the repository; write globs relative to the repository root")
        return value

    @field_validator("headings")
    @classmethod
    def _headings_not_blank(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not heading.strip() for heading in value):
            raise ValueError("a heading in 'headings' is empty")
        return value

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value, re.MULTILINE)
            except re.error as exc:
                raise ValueError(f"{value!r} is not a valid regular expression ({exc})") from None
        return value

    @model_validator(mode="after")
    def _dates_complete(self) -> EvidenceRule:
        has_source = self.date_key is not None or self.date_heading is not None
        if self.date_key is not None and self.date_heading is not None:
            raise ValueError("give either 'date_key' or 'date_heading', not both")
        if self.max_age_days is not None and not has_source:
            raise ValueError("'max_age_days' needs 'date_key' (a YAML/JSON key) or 'date_heading' (a Markdown heading)")
        if has_source and self.max_age_days is None:
            raise ValueError("'date_key'/'date_heading' need 'max_age_days' (the oldest acceptable age, in days)")
        return self

    def regex(self) -> re.Pattern[str] | None:
        """The compiled ``pattern`` (multi-line mode), if any."""
        return None if self.pattern is None else re.compile(self.pattern, re.MULTILINE)

    def summary(self) -> str:
        """What the rule asks for, in one line (used in "looked for" messages)."""
        if self.description:
            return self.description
        files = ", ".join(self.files)
        wants: list[str] = []
        if self.headings:
            wants.append("the sections " + ", ".join(self.headings) + " with content")
        if self.keys:
            wants.append("the keys " + ", ".join(self.keys))
        if self.pattern is not None:
            wants.append(f"a match of /{self.pattern}/")
        if self.max_age_days is not None:
            where = f"key {self.date_key}" if self.date_key else f"heading {self.date_heading}"
            wants.append(f"a date under {where} at most {self.max_age_days} days old")
        return f"{files} with " + "; ".join(wants) if wants else f"a non-empty file matching {files}"
