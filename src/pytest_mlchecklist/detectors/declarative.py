"""Detectors made from the declarative rules of catalog items (team catalogs).

Each item with ``rules`` gets one detector, named ``catalog-rules``, that reads the repository
index the same way the built-in detectors do: the files a rule's globs select (without vendored
or generated folders, plus the paths the team declared for the item) are read once, Markdown by
its headings and sections (code blocks never count), YAML/JSON/TOML by their parsed keys, and
dates as ``YYYY-MM-DD`` only.

For each rule, the first matching file that meets every condition of the rule is the evidence.
With ``rules_match: all`` (the default) the rules support the item only when every rule holds;
otherwise each finding is ``partial`` and says what is missing. A candidate that cannot be read
or parsed is ``unreadable`` (the item is then ``error``, never ``met``), unless another rule
already shows the item is not met. Details are written by us: headings, keys, dates and
patterns come from the catalog, never text copied from the files.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from pytest_mlchecklist.catalog.models import Catalog, CatalogItem
from pytest_mlchecklist.catalog.rules import EvidenceRule
from pytest_mlchecklist.detectors.base import Detector, DetectorContext
from pytest_mlchecklist.detectors.runbooks import iso_dates, parse_iso_date, plain_title
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.markdown import MarkdownDocument, MarkdownSection

DETECTOR_NAME = "catalog-rules"
_MARKDOWN_SUFFIXES = (".md", ".markdown")
_STRUCTURED_SUFFIXES = (".yaml", ".yml", ".json", ".toml")
_MISSING = object()


@dataclass(frozen=True)
class RuleOutcome:
    """Whether one rule holds, where, and in our words why (not)."""

    holds: bool
    detail: str
    path: str | None = None
    line: int | None = None
    unreadable: bool = False


def declarative_detectors(catalog: Catalog) -> tuple[Detector, ...]:
    """One detector per item of ``catalog`` that has declarative rules."""
    return tuple(
        Detector(name=DETECTOR_NAME, items=(item.id,), looks_for=looks_for(item), function=partial(run_rules, item))
        for item in catalog.items
        if item.rules
    )


def looks_for(item: CatalogItem) -> str:
    """The sentence shown when the item is unmet: what its rules ask for."""
    summaries = [rule.summary() for rule in item.rules]
    if len(summaries) == 1:
        return summaries[0]
    joined = "; ".join(f"({position}) {summary}" for position, summary in enumerate(summaries, start=1))
    return ("all of: " if item.rules_match == "all" else "any of: ") + joined


def run_rules(item: CatalogItem, ctx: DetectorContext) -> list[Evidence]:
    """Check every rule of ``item`` and turn the outcomes into evidence."""
    outcomes = [check_rule(ctx, item.id, rule) for rule in item.rules]
    total = len(outcomes)
    if item.rules_match == "all":
        met = all(outcome.holds for outcome in outcomes)
        settled_unmet = any(not outcome.holds and not outcome.unreadable for outcome in outcomes)
    else:
        met = any(outcome.holds for outcome in outcomes)
        settled_unmet = False
    evidence: list[Evidence] = []
    for position, outcome in enumerate(outcomes, start=1):
        label = f"rule {position} of {total}: " if total > 1 else ""
        where: dict[str, Any] = {"path": outcome.path, "line": outcome.line}
        if outcome.holds and (met or item.rules_match == "any"):
            evidence.append(ctx.supports(item.id, label + outcome.detail, **where))
        elif outcome.holds:
            evidence.append(ctx.partial(item.id, f"{label}{outcome.detail}, but not every rule holds", **where))
        elif outcome.unreadable and not settled_unmet:
            evidence.append(ctx.evidence(item.id, label + outcome.detail, verdict="unreadable", **where))
        else:
            evidence.append(ctx.partial(item.id, label + outcome.detail, **where))
    return evidence


def check_rule(ctx: DetectorContext, item_id: str, rule: EvidenceRule) -> RuleOutcome:
    """The first candidate file that meets the rule, else why the best candidate falls short."""
    paths = ctx.candidates(item_id, ctx.index.glob(*rule.files))
    if not paths:
        return RuleOutcome(False, f"no file matches {', '.join(rule.files)}")
    failures: list[RuleOutcome] = []
    for path in paths:
        outcome = check_file(ctx, rule, path)
        if outcome.holds:
            return outcome
        failures.append(outcome)
    unreadable = [outcome for outcome in failures if outcome.unreadable]
    first = unreadable[0] if unreadable else failures[0]
    if len(failures) > 1:
        return replace(first, detail=f"{first.detail} (and {len(failures) - 1} other matching files fall short too)")
    return first


def check_file(ctx: DetectorContext, rule: EvidenceRule, path: str) -> RuleOutcome:
    """Check one file against every condition of ``rule``."""
    text = ctx.index.read_text(path)
    if text is None:
        return _unreadable(ctx, path)
    if not text.strip():
        return RuleOutcome(False, "the file is empty", path)
    found: list[str] = []
    line: int | None = None
    lowered = path.lower()
    document: MarkdownDocument | None = None
    documents: list[Any] | None = None
    if rule.headings or rule.date_heading:
        if not lowered.endswith(_MARKDOWN_SUFFIXES):
            return RuleOutcome(False, "is not a Markdown file, so it has no headings to check", path)
        document = ctx.index.markdown(path)
        if document is None:
            return _unreadable(ctx, path)
    if rule.keys or rule.date_key:
        if not lowered.endswith(_STRUCTURED_SUFFIXES):
            return RuleOutcome(False, "is not a YAML, JSON or TOML file, so it has no keys to check", path)
        documents = ctx.index.structured(path)
        if documents is None:
            return _unreadable(ctx, path)

    if rule.headings and document is not None:
        problem, heading_line = _check_headings(document, rule.headings)
        if problem:
            return RuleOutcome(False, problem, path, heading_line)
        line = heading_line
        found.append(f"has the sections {', '.join(rule.headings)} with content")
    if rule.keys and documents is not None:
        problem = _check_keys(documents, rule.keys)
        if problem:
            return RuleOutcome(False, problem, path)
        found.append("sets " + ", ".join(_describe_key(key, value) for key, value in rule.keys.items()))
    regex = rule.regex()
    if regex is not None:
        match = regex.search(text)
        if match is None:
            return RuleOutcome(False, f"does not match the pattern /{rule.pattern}/", path)
        line = line or text.count("\n", 0, match.start()) + 1
        found.append(f"matches the pattern /{rule.pattern}/")
    if rule.max_age_days is not None:
        if rule.date_key is not None and documents is not None:
            dates, label = _dates_under_key(documents, rule.date_key), f"key {rule.date_key}"
        elif rule.date_heading is not None and document is not None:
            dates, label = _dates_under_heading(document, rule.date_heading), f"heading '{rule.date_heading}'"
        else:  # pragma: no cover - the rule model requires one date source
            dates, label = [], "the date source"
        problem, dated, date_line = _check_age(ctx.today, dates, label, rule.max_age_days)
        if problem:
            return RuleOutcome(False, problem, path, date_line)
        line = line or date_line
        found.append(dated)
    detail = "; ".join(found) if found else "exists and is not empty"
    if rule.description:
        detail = f"{rule.description}: {detail}"
    return RuleOutcome(True, detail, path, line)


def _unreadable(ctx: DetectorContext, path: str) -> RuleOutcome:
    reason = ctx.index.problem(path) or "could not be read"
    return RuleOutcome(False, f"could not decide from this file: {reason}", path, unreadable=True)


# ---------------------------------------------------------------------- Markdown headings
def normalise_heading(title: str) -> str:
    """A heading as compared with a rule: no emphasis, code spans, numbering or trailing colon;
    case and spacing ignored."""
    text = plain_title(title)
    text = re.sub(r"[*_#]", "", text)
    text = re.sub(r"^\s*\d+(?:\.\d+)*[.)]?\s+", "", text)
    return " ".join(text.split()).rstrip(":").strip().casefold()


def _matching_sections(document: MarkdownDocument, heading: str) -> list[MarkdownSection]:
    wanted = normalise_heading(heading)
    return [section for section in document.sections if normalise_heading(section.title) == wanted]


def _check_headings(document: MarkdownDocument, headings: tuple[str, ...]) -> tuple[str | None, int | None]:
    missing: list[str] = []
    empty: list[str] = []
    first_line: int | None = None
    problem_line: int | None = None
    for heading in headings:
        sections = _matching_sections(document, heading)
        if not sections:
            missing.append(heading)
            continue
        filled = [section for section in sections if not all(part.is_empty() for part in document.subtree(section))]
        if not filled:
            empty.append(heading)
            problem_line = problem_line or sections[0].line
            continue
        first_line = first_line or filled[0].line
    problems = []
    if missing:
        problems.append("has no heading " + ", ".join(f"'{heading}'" for heading in missing))
    if empty:
        problems.append("has nothing but placeholders or code under " + ", ".join(f"'{heading}'" for heading in empty))
    if problems:
        return "; ".join(problems), problem_line
    return None, first_line


# ---------------------------------------------------------------------- structured keys
def value_at(document: Any, key: str) -> Any:
    """The value at a dotted ``key`` (``model.owner``, ``stages.0.name``), or ``_MISSING``."""
    current = document
    for part in key.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not (value.strip() if isinstance(value, str) else value))


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected or str(actual).lower() == str(expected).lower()
    return actual == expected or str(actual) == str(expected)


def _key_problems(document: Any, keys: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for key, expected in keys.items():
        actual = value_at(document, key)
        if actual is _MISSING:
            problems.append(f"key '{key}' is missing")
        elif expected is None:
            if _is_empty(actual):
                problems.append(f"key '{key}' is empty")
        elif isinstance(expected, list):
            if not any(_same(actual, choice) for choice in expected):
                problems.append(f"key '{key}' is not one of {', '.join(str(choice) for choice in expected)}")
        elif not _same(actual, expected):
            problems.append(f"key '{key}' is not {expected}")
    return problems


def _describe_key(key: str, expected: Any) -> str:
    if expected is None:
        return key
    if isinstance(expected, list):
        return f"{key} (one of {', '.join(json.dumps(choice) for choice in expected)})"
    return f"{key} = {json.dumps(expected, default=str)}"


def _check_keys(documents: list[Any], keys: dict[str, Any]) -> str | None:
    if not documents:
        return "holds no document"
    attempts = [_key_problems(document, keys) for document in documents]
    best = min(attempts, key=len)
    return "; ".join(best) if best else None


# ---------------------------------------------------------------------- dates
@dataclass(frozen=True)
class _Date:
    value: dt.date | None  # None: written, but not a real YYYY-MM-DD date
    line: int | None


def _dates_under_key(documents: list[Any], key: str) -> list[_Date]:
    found: list[_Date] = []
    for document in documents:
        value = value_at(document, key)
        if value is _MISSING or value is None:
            continue
        if isinstance(value, dt.datetime):
            found.append(_Date(value.date(), None))
        elif isinstance(value, dt.date):
            found.append(_Date(value, None))
        else:
            found.append(_Date(parse_iso_date(str(value)), None))
    return found


def _dates_under_heading(document: MarkdownDocument, heading: str) -> list[_Date]:
    """Dates in a heading that starts with ``heading`` (``Last review: 2026-10-01``) or in the
    prose of its section and the sections nested under it."""
    wanted = normalise_heading(heading)
    found: list[_Date] = []
    for section in document.sections:
        if not normalise_heading(section.title).startswith(wanted):
            continue
        lines = [(section.line, plain_title(section.title))]
        for part in document.subtree(section):
            lines.extend((number, plain_title(text)) for number, text in part.text_lines())
        for number, text in lines:
            found.extend(_Date(mention.value, mention.line) for mention in iso_dates(text, number))
    return found


def _check_age(today: dt.date, dates: list[_Date], label: str, max_age_days: int) -> tuple[str | None, str, int | None]:
    """``(problem, description, line)`` for the most recent past date found."""
    if not dates:
        return f"has no YYYY-MM-DD date under {label}", "", None
    valid = [date for date in dates if date.value is not None]
    if not valid:
        return f"the date under {label} is not a valid YYYY-MM-DD date", "", dates[0].line
    past = [date for date in valid if date.value is not None and date.value <= today]
    if not past:
        return f"the date under {label} is in the future; record the date it last happened", "", valid[0].line
    latest = max(past, key=lambda date: date.value or dt.date.min)
    assert latest.value is not None
    age = (today - latest.value).days
    if age > max_age_days:
        return (f"the date under {label} ({latest.value.isoformat()}) is {age} days old, over the "
                f"{max_age_days}-day limit", "", latest.line)
    return None, f"dated {latest.value.isoformat()} under {label} ({age} days ago, limit {max_age_days})", latest.line
