"""The Markdown report, shaped for a pull-request comment (and GitHub job summaries).

A headline with the score, band and counts; with a baseline, its comparison (regressions,
new items, improvements, known gaps); the items that fail the gate first, with their
message and remediation; the waivers (with days left) and not-applicable decisions; then one
collapsed ``<details>`` block per catalog section for everything else.

The text always fits in a GitHub comment (65,536 characters): when it would not, evidence lists
and messages are shortened step by step, and the report says how much more is in the JSON report.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_mlchecklist.engine import ChecklistResult, ItemResult, item_fails
from pytest_mlchecklist.reports.terminal import BAND_WORDS

if TYPE_CHECKING:
    from pytest_mlchecklist.baseline import ItemChange

#: GitHub refuses comments longer than this many characters.
GITHUB_COMMENT_LIMIT = 65_536
#: What the report allows itself, leaving room for a bot's own header and footer.
DEFAULT_BUDGET = 60_000
STATUS_WORDS = {"met": "met", "unmet": "**unmet**", "waived": "waived", "not_applicable": "n/a", "error": "**error**"}


@dataclass(frozen=True)
class _Limits:
    evidence: int  # evidence locations listed per item
    message: int  # characters kept of a message or a reason
    sections: bool  # whether the per-section <details> blocks are written


#: From the full report to the most compact one; the first that fits the budget is used.
_LEVELS = (
    _Limits(evidence=sys.maxsize, message=sys.maxsize, sections=True),  # nothing left out
    _Limits(evidence=10, message=2000, sections=True),
    _Limits(evidence=5, message=600, sections=True),
    _Limits(evidence=3, message=300, sections=True),
    _Limits(evidence=1, message=160, sections=True),
    _Limits(evidence=0, message=100, sections=True),
    _Limits(evidence=0, message=100, sections=False),
)


class _Cuts:
    """Counts what was left out, so the report can say so."""

    def __init__(self) -> None:
        self.evidence = 0  # evidence entries not listed
        self.texts = 0  # messages and reasons cut short
        self.items = 0  # items not listed at all

    def note(self) -> str:
        """The closing line of a shortened report ("" when nothing was left out)."""
        parts = []
        if self.items:
            parts.append(f"{self.items} items")
        if self.evidence:
            parts.append(f"{self.evidence} evidence entries")
        if self.texts:
            parts.append(f"the full text of {self.texts} shortened messages")
        if not parts:
            return ""
        return (f"_Shortened to fit a pull-request comment: {', '.join(parts)} are in the JSON report "
                "(`--ml-checklist-json`)._")


def render_markdown(result: ChecklistResult, *, budget: int = DEFAULT_BUDGET) -> str:
    """The report of one result as Markdown, at most ``budget`` characters long."""
    return render_markdown_many([result], budget=budget)


def render_markdown_many(results: Sequence[ChecklistResult] | ChecklistResult, *, budget: int = DEFAULT_BUDGET) -> str:
    """The report of one or several results (one per project of a monorepo) as Markdown, at
    most ``budget`` characters long (shortened progressively when needed)."""
    result_list = as_result_list(results)
    for limits in _LEVELS:
        cuts = _Cuts()
        text = _document(result_list, limits, cuts)
        if len(text) <= budget:
            return text
    return _minimal(result_list, budget)


# ---------------------------------------------------------------------- shared with sarif/html
def as_result_list(results: Sequence[ChecklistResult] | ChecklistResult) -> list[ChecklistResult]:
    """Accept one result or a sequence of them (one per project)."""
    if isinstance(results, ChecklistResult):
        return [results]
    return list(results)


def common_root(results: Sequence[ChecklistResult]) -> Path:
    """The folder every result's root is in: the repository root of a monorepo (a result that
    names its ``project`` folder counts from the folder that holds it)."""
    if not results:
        return Path.cwd()
    return Path(os.path.commonpath([str(_repository_root(result)) for result in results]))


def _repository_root(result: ChecklistResult) -> Path:
    root = result.root.resolve()
    project = getattr(result, "project", None)
    if isinstance(project, str) and project not in ("", "."):
        depth = len(Path(project).parts)
        if depth <= len(root.parents) and root.parts[-depth:] == Path(project).parts:
            return root.parents[depth - 1]
    return root


def project_labels(results: Sequence[ChecklistResult]) -> list[str]:
    """A name per result: its ``project`` attribute when it has one, else its folder relative
    to the common root (``.`` for a single project)."""
    base = common_root(results)
    labels = []
    for result in results:
        named = getattr(result, "project", None)
        if isinstance(named, str) and named:
            labels.append(named)
            continue
        relative = os.path.relpath(result.root.resolve(), base)
        labels.append(Path(relative).as_posix())
    return labels


def days_left(entry: ItemResult, result: ChecklistResult) -> int | None:
    """Days until the item's waiver expires (negative once expired), or None without a waiver."""
    if entry.waiver is None:
        return None
    return (entry.waiver.expires - result.config.today).days


# ---------------------------------------------------------------------- the document
def _document(results: list[ChecklistResult], limits: _Limits, cuts: _Cuts) -> str:
    lines: list[str] = []
    if len(results) == 1:
        lines += _project(results[0], limits, cuts, heading="##", title="ML readiness")
    else:
        failing = sum(1 for result in results if result.failed)
        lines += [f"## ML readiness: {len(results)} projects, {failing} failing the gate", ""]
        for result, label in zip(results, project_labels(results)):
            lines += _project(result, limits, cuts, heading="###", title=f"`{_code(label)}`")
    if cuts.note():
        lines += ["", cuts.note(), ""]
    return "\n".join(lines)


def _project(result: ChecklistResult, limits: _Limits, cuts: _Cuts, *, heading: str, title: str) -> list[str]:
    config = result.config
    sub = heading + "#"
    counts = {status: len(result.by_status(status)) for status in ("met", "unmet", "error", "waived", "not_applicable")}
    lines = [
        f"{heading} {title}: {result.percent:.1f}% ({result.met}/{result.applicable}) - {result.verdict}",
        "",
        f"**{counts['met']} met**, {counts['unmet']} unmet, {counts['error']} error, {counts['waived']} waived, "
        f"{counts['not_applicable']} not applicable. Catalog `{config.catalog.name}`, profile `{config.profile}`, "
        f"evaluated on {config.today.isoformat()}: {BAND_WORDS[result.verdict]}.",
    ]
    lines += _baseline(result, limits, cuts, sub)
    failing = result.failed
    if failing:
        lines += ["", f"{sub} Items that fail the gate ({len(failing)})", ""]
        for entry in failing:
            known = _is_known_gap(result, entry)
            lines.append(f"- {STATUS_WORDS[entry.status]} **{entry.item.label}** {_text(entry.item.title, 200, cuts)}"
                         f"{' _(known gap)_' if known else ''}: {_text(entry.message, limits.message, cuts)}")
            lines.append(f"  - How to fix: {_text(entry.item.remediation, limits.message, cuts)}")
            shown = _evidence(entry, limits.evidence, cuts)
            if shown:
                lines.append(f"  - Found: {shown}")
    lines += _decisions(result, limits, cuts, sub)
    lines += ["", f"{sub} By section", "", "| Section | Met | Unmet | Error | Waived | N/A |", "|---|---:|---:|---:|---:|---:|"]
    for section in config.catalog.sections:
        entries = [entry for entry in result.items if entry.item.section == section.id]
        if entries:
            numbers = [sum(1 for entry in entries if entry.status == status)
                       for status in ("met", "unmet", "error", "waived", "not_applicable")]
            lines.append(f"| {section.title} | " + " | ".join(str(number) for number in numbers) + " |")
    if limits.sections:
        lines += _section_blocks(result, limits, cuts)
    else:
        others = sum(1 for entry in result.items if not item_fails(entry, strict=config.strict))
        if others:
            cuts.items += others
            lines += ["", f"The {others} other items are listed in the JSON report."]
    lines.append("")
    return lines


def _baseline(result: ChecklistResult, limits: _Limits, cuts: _Cuts, sub: str) -> list[str]:
    """The comparison with the baseline file, when one is used: counts, then the items that
    regressed or are new (always listed, they fail the run), improved, and the known gaps."""
    comparison = result.baseline
    if comparison is None:
        return []
    regressions = comparison.of_kind("regression")
    new = [change for change in comparison.of_kind("new") if change.fails]
    known, improvements = comparison.of_kind("known"), comparison.of_kind("improvement")
    outcome = "fails the run" if comparison.failing else "passes the run"
    recorded = " (recorded by this run)" if comparison.updated else ""
    lines = ["", f"{sub} Baseline `{_code(comparison.file)}`{recorded}: {outcome}", "",
             f"**{len(regressions)} regressed**, **{len(new)} new and not met**, {len(known)} known gaps "
             f"(not failing), {len(improvements)} improved."]
    must_show = max(limits.evidence, 10)
    for title, changes, limit in (("Regressed", regressions, must_show), ("New in the profile, not met", new, must_show),
                                  ("Improved (update the baseline to keep them)", improvements, limits.evidence),
                                  ("Known gaps", known, limits.evidence)):
        if changes:
            lines.append(f"- {title}: {_change_labels(changes, limit, cuts)}")
    return lines


def _change_labels(changes: Sequence[ItemChange], limit: int, cuts: _Cuts) -> str:
    shown = [f"{_text(change.label, 200, cuts)} ({_transition(change)})" for change in changes[:limit]]
    hidden = len(changes) - len(shown)
    if hidden:
        cuts.items += hidden
        shown.append(f"and {hidden} more in the JSON report")
    return ", ".join(shown)


def _transition(change: ItemChange) -> str:
    if change.before == change.now:
        return change.now
    return f"{change.before or 'absent'} -> {change.now}"


def _is_known_gap(result: ChecklistResult, entry: ItemResult) -> bool:
    change = result.baseline.change(entry.item.id) if result.baseline is not None else None
    return change is not None and change.kind == "known"


def _decisions(result: ChecklistResult, limits: _Limits, cuts: _Cuts, sub: str) -> list[str]:
    entries = [entry for entry in result.items if entry.waiver is not None or entry.not_applicable is not None]
    if not entries:
        return []
    lines = ["", f"{sub} Waivers and decisions on record", "",
             "| Item | Decision | Owner | Expires | Days left | Reason |", "|---|---|---|---|---:|---|"]
    for entry in entries:
        if entry.not_applicable is not None:
            lines.append(f"| {entry.item.label} | not applicable | | | | "
                         f"{_text(entry.not_applicable.reason, limits.message, cuts)} |")
        elif entry.waiver is not None:
            state = {"active": "waived", "expired": "waiver **expired**", "unused": "waiver unused"}[entry.waiver_state or "active"]
            left = days_left(entry, result)
            lines.append(f"| {entry.item.label} | {state} | {_text(entry.waiver.owner or '', 100, cuts)} | "
                         f"{entry.waiver.expires.isoformat()} | {left} | {_text(entry.waiver.reason, limits.message, cuts)} |")
    return lines


def _section_blocks(result: ChecklistResult, limits: _Limits, cuts: _Cuts) -> list[str]:
    lines: list[str] = []
    strict = result.config.strict
    for section in result.config.catalog.sections:
        entries = [entry for entry in result.items if entry.item.section == section.id]
        others = [entry for entry in entries if not item_fails(entry, strict=strict)]
        if not others:
            continue
        lines += ["", f"<details><summary><b>{_text(section.title, 200, cuts)}</b>: {_section_counts(entries, strict)}"
                      "</summary>", "",
                  "| Item | Status | Details |", "|---|---|---|"]
        for entry in others:
            details = _text(entry.message, limits.message, cuts)
            shown = _evidence(entry, limits.evidence, cuts)
            if shown:
                details += f"<br>{shown}"
            lines.append(f"| {entry.item.label} {_text(entry.item.title, 200, cuts)} | {STATUS_WORDS[entry.status]} | {details} |")
        lines += ["", "</details>"]
    return lines


def _section_counts(entries: list[ItemResult], strict: bool) -> str:
    met = sum(1 for entry in entries if entry.status == "met")
    applicable = sum(1 for entry in entries if entry.status != "not_applicable")
    parts = [f"{met}/{applicable} met"]
    for status, word in (("waived", "waived"), ("not_applicable", "not applicable")):
        count = sum(1 for entry in entries if entry.status == status)
        if count:
            parts.append(f"{count} {word}")
    failing = sum(1 for entry in entries if item_fails(entry, strict=strict))
    if failing:
        parts.append(f"{failing} failing (listed above)")
    return ", ".join(parts)


def _evidence(entry: ItemResult, limit: int, cuts: _Cuts) -> str:
    pieces = [f"`{_code(piece.location())}` ({piece.verdict})" for piece in entry.evidence]
    shown = pieces[:limit]
    hidden = len(pieces) - len(shown)
    if hidden:
        cuts.evidence += hidden
        shown.append(f"and {hidden} more in the JSON report")
    return ", ".join(shown)


def _minimal(results: list[ChecklistResult], budget: int) -> str:
    """The last resort: headlines and failing items, one short line each, within the budget."""
    note = "\n\n_Shortened to fit a pull-request comment: see the JSON report (`--ml-checklist-json`) for every item._\n"
    lines: list[str] = []
    labels = project_labels(results)
    left = budget - len(note)
    omitted = 0
    for result, label in zip(results, labels):
        prefix = "" if len(results) == 1 else f"`{_code(label)}`: "
        candidates = [f"## {prefix}ML readiness: {result.percent:.1f}% ({result.met}/{result.applicable}) - {result.verdict}"]
        if result.baseline is not None:
            candidates.append(f"Baseline `{_code(result.baseline.file)}`: {len(result.baseline.failing)} items fail the run, "
                              f"{len(result.baseline.of_kind('known'))} known gaps")
        candidates += [f"- {STATUS_WORDS[entry.status]} **{entry.item.label}**: {_text(entry.message, 80, _Cuts())}"
                       for entry in result.failed]
        for line in candidates:
            if len(line) + 1 <= left:
                lines.append(line)
                left -= len(line) + 1
            else:
                omitted += 1
    if omitted:
        note = note.replace("see the JSON report", f"{omitted} more lines; see the JSON report")
    return ("\n".join(lines) + note)[:budget]


def _text(text: str, limit: int, cuts: _Cuts) -> str:
    """One line of table-safe Markdown, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        cuts.texts += 1
        flat = flat[: max(limit - 1, 0)].rstrip() + "…"
    return flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _code(text: str) -> str:
    return text.replace("`", "'").replace("|", "\\|").replace("\n", " ")
