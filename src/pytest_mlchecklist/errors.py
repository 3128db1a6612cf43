"""Errors the user can act on: bad configuration, bad catalogs, bad markers.

Each error carries the file it is about, the key inside it and a hint, so that the pytest
plugin can turn it into a one-screen ``pytest.UsageError`` and the command line can print it
without a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ChecklistError(Exception):
    """A problem in the user's input that stops the evaluation; the message says what to do."""


class ConfigError(ChecklistError):
    """A configuration problem, located by file and key."""

    def __init__(self, problems: list[str], *, source: str) -> None:
        self.problems = problems
        self.source = source
        lines = [f"invalid configuration in {source}:"]
        lines += [f"  - {problem}" for problem in problems]
        super().__init__("\n".join(lines))


class CatalogError(ChecklistError):
    """A catalog data file that cannot be loaded or does not validate."""


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return ``"; did you mean 'x'?"`` for the closest candidate, or an empty string."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean '{matches[0]}'?" if matches else ""
