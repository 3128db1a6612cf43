"""Small readers shared by the safety-nets detectors (``safety_*`` modules): Markdown documents
chosen by a text hint, the lines of a section, people named in a line, dates written near a label
(reviews, sign-offs, launches) or given as a configuration value.

Nothing here decides an item; the detectors do.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pytest_mlchecklist.detectors.base import DetectorContext
from pytest_mlchecklist.detectors.model_docs import markdown_paths, unit_lines
from pytest_mlchecklist.detectors.runbooks import DateMention, dates_near, iso_dates, parse_iso_date, plain_title
from pytest_mlchecklist.markdown import MarkdownDocument, MarkdownSection

__all__ = [
    "FOLLOW_UP",
    "Dated",
    "all_dates",
    "candidate_documents",
    "date_of",
    "dated_lines",
    "latest_past",
    "people",
    "review_age_problem",
    "section_lines",
    "without_follow_ups",
]

#: A line about a later follow-up (``Follow-up on 2027-01-25``, ``Next review: ...``): its date is not the date of
#: the window or review the line sits under.
FOLLOW_UP = re.compile(r"follow[\s-]?ups?\b|\bnext\s+(?:review|check[\s-]?in|retro\w*|revision)|\brevisit|\bre-?review",
                       re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w.])@[A-Za-z0-9][\w.-]*(?:/[\w.-]+)?")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PLACEHOLDER_PERSON = re.compile(
    r"^@(?:here|channel|everyone|someone|somebody|tbd|todo|tba|name|user|handle|owner|team|x+)$"
    r"|example\.(?:com|org|net)$|^<.*>$",
    re.IGNORECASE,
)
#: ``Owner: Jane Doe``: a person named after a label that says who (owner, reviewer, approved by...).
_LABELLED_NAME = re.compile(
    r"(?:owner|reviewer|reviewed\s+by|approved\s+by|approver|signed[\s-]+off\s+by|sign[\s-]?off|facilitator|"
    r"organi[sz]er|host|sent\s+by|sender|responsible|lead|assignee|accountable)\s*[:\-–]\s*"
    r"(?P<name>[A-Z][a-z]+(?:[\s-]+[A-Z][a-z]+)+)"
)
_NOT_PERSON_WORDS = frozenset(
    "product business engineering data science platform team lead manager owner risk compliance legal support "
    "customer success operations ops security model ml machine learning analytics director officer committee "
    "board council group the and of".split()
)


@dataclass(frozen=True)
class Dated:
    """A valid date written in a document near a label, with its line."""

    value: dt.date
    text: str
    line: int


def candidate_documents(
    ctx: DetectorContext, item: str, hint: re.Pattern[str], path_hint: re.Pattern[str] | None = None
) -> Iterator[tuple[str, MarkdownDocument | None]]:
    """Markdown documents whose text matches ``hint`` (``None`` for one that cannot be read).

    A file that cannot be read is only reported when the team declared it or its path matches
    ``path_hint`` (when given): an unrelated broken file must not hold the item undecided.
    """
    declared = set(ctx.declared(item))
    for path in markdown_paths(ctx, item):
        text = ctx.index.read_text(path)
        if text is None:
            if ctx.index.is_template(path) and path not in declared:
                continue  # an unfilled starter document for another item
            if path in declared or (path_hint is not None and path_hint.search(path)):
                yield path, None
            continue
        if not hint.search(text):
            continue
        yield path, ctx.index.markdown(path)


def section_lines(document: MarkdownDocument, section: MarkdownSection, *, titles: bool = True) -> list[tuple[int, str]]:
    """Substantive lines of a section and its nested sections (nested headings included)."""
    lines = unit_lines(document, section, titles=titles)
    return [(line, text) for line, text in lines if not (line == section.line and text == section.title)]


def people(text: str) -> list[str]:
    """People or teams named in ``text``: @handles, e-mail addresses, and ``Owner: Jane Doe``.

    Placeholders (``@tbd``, ``<name>``, ``someone@example.com``) are not people.
    """
    found: list[str] = []
    for match in [*_HANDLE.finditer(text), *_EMAIL.finditer(text)]:
        value = match.group(0).rstrip(".")
        if not _PLACEHOLDER_PERSON.search(value):
            found.append(value)
    for match in _LABELLED_NAME.finditer(text):
        name = match.group("name")
        words = [word.lower() for word in re.split(r"[\s-]+", name)]
        if not all(word in _NOT_PERSON_WORDS for word in words):
            found.append(name)
    return list(dict.fromkeys(found))


def dated_lines(lines: list[tuple[int, str]], label: re.Pattern[str], *, window: int = 60) -> list[DateMention]:
    """ISO dates written within ``window`` characters of ``label`` in ``lines``."""
    found: list[DateMention] = []
    for line, text in lines:
        found.extend(dates_near(plain_title(text), line, label, window=window))
    return found


_FOLLOW_UP_CLAUSE = re.compile(rf"(?:{FOLLOW_UP.pattern})[^.;)\n]*", re.IGNORECASE)


def without_follow_ups(text: str) -> str:
    """``text`` without its follow-up clauses (from ``follow-up on`` / ``Next review:`` to the end of
    the sentence, clause or parenthesis): the dates there belong to a later event."""
    return _FOLLOW_UP_CLAUSE.sub(" ", text)


def all_dates(lines: list[tuple[int, str]]) -> list[DateMention]:
    """Every ISO date in ``lines`` (dates in inline code are examples and left out)."""
    found: list[DateMention] = []
    for line, text in lines:
        found.extend(iso_dates(plain_title(text), line))
    return found


def date_of(value: Any) -> dt.date | None:
    """The date of a configuration value: a YAML date or datetime, or a string starting ``YYYY-MM-DD``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return parse_iso_date(value.strip()[:10])
    return None


def latest_past(mentions: list[DateMention], today: dt.date) -> Dated | None:
    """The most recent valid date that is not after ``today``."""
    past = [Dated(mention.value, mention.text, mention.line) for mention in mentions
            if mention.value is not None and mention.value <= today]
    return max(past, key=lambda dated: dated.value) if past else None


def review_age_problem(ctx: DetectorContext, dated: Dated | None, what: str) -> str | None:
    """Why ``dated`` is not a fresh review (missing or older than ``review_max_days``), else ``None``."""
    limit = ctx.settings.review_max_days
    if dated is None:
        return f"{what} is not dated (write it as YYYY-MM-DD)"
    age = (ctx.today - dated.value).days
    if age > limit:
        return f"{what} is dated {dated.text}, {age} days ago, over the {limit}-day limit (`review_max_days`)"
    return None

