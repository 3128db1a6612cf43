"""Baseline gating: compare a result with the statuses recorded in a baseline file.

A legacy repository rarely meets every item on day one. A baseline records the status of every
item once; later runs fail only on a change for the worse (an item that was met, waived or not
applicable is now unmet or in error, a waiver expired) or on a new item of the profile that is
not met. Items that were already unmet stay visible as known gaps, and items that got better are
reported so that the baseline can be updated.

The file is plain text, one item per line in catalog order, grouped by project folder (``.`` is
the repository root), so that its diffs are easy to review::

    # ml-checklist baseline ...
    [.]
    # catalog production-ml-51, profile mvp
    schema-validation met
    data-freshness unmet

Nothing here knows about pytest: the plugin and ``ml-checklist scan`` both use
:func:`read_baseline`, :func:`compare` and :func:`write_baseline`. See docs/baseline.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pytest_mlchecklist.engine import ChecklistResult, ItemResult, item_fails
from pytest_mlchecklist.errors import ChecklistError

STATUSES = ("met", "unmet", "waived", "not_applicable", "error")
#: Statuses that fail the gate; an item recorded with one of them is a known gap.
FAILING_STATUSES = frozenset({"unmet", "error"})
ROOT_PROJECT = "."
UPDATE_HINT = ("pytest --ml-checklist --ml-checklist-baseline=FILE --ml-checklist-baseline-update "
               "(or: ml-checklist scan --baseline FILE --update-baseline)")
HEADER = [
    "# ml-checklist baseline: the recorded status of every checklist item, one per line.",
    "# With a baseline, a run fails only when an item regresses (met, waived or not applicable",
    "# becomes unmet or error; a waiver expires) or a new item of the profile is not met.",
    "# Update it with:",
    "#   pytest --ml-checklist --ml-checklist-baseline=FILE --ml-checklist-baseline-update",
    "#   ml-checklist scan --baseline FILE --update-baseline",
    "# Statuses: met, unmet, waived, not_applicable, error. Sections: [project folder], '.' = root.",
]
_SECTION = re.compile(r"^\[(?P<project>[^\[\]]+)\]$")
_SLUG = re.compile(r"^[a-z][a-z0-9-]*$")

ChangeKind = Literal["regression", "known", "improvement", "new", "changed", "unchanged"]


class BaselineError(ChecklistError):
    """A baseline file that is missing or cannot be read; the message names the file, the line
    and what to do."""


# ---------------------------------------------------------------------- the file
@dataclass
class Baseline:
    """The contents of a baseline file: for each project folder, item slug -> recorded status."""

    path: Path
    projects: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The comment line under each project header (catalog and profile at the time of recording).
    notes: dict[str, str] = field(default_factory=dict)

    def statuses(self, project: str = ROOT_PROJECT) -> dict[str, str]:
        """The recorded statuses of one project; a :class:`BaselineError` if it has none."""
        if project not in self.projects:
            raise BaselineError(
                f"baseline {self.path}: no [{project}] section, so nothing is recorded for project '{project}'; "
                f"record it with {UPDATE_HINT}"
            )
        return self.projects[project]


def read_baseline(path: Path) -> Baseline:
    """Read and validate a baseline file; a :class:`BaselineError` says what is wrong and where."""
    if not path.exists():
        raise BaselineError(f"baseline {path} does not exist; record it first with {UPDATE_HINT}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BaselineError(f"baseline {path} is not a UTF-8 text file; record it again with {UPDATE_HINT}") from None
    except OSError as exc:
        raise BaselineError(f"cannot read the baseline {path}: {exc.strerror}; check the path and its permissions") from None
    return parse_baseline(text, path=path)


def parse_baseline(text: str, *, path: Path) -> Baseline:
    """Parse the text of a baseline file (see the module docstring for the format)."""
    baseline = Baseline(path=path)
    current: dict[str, str] | None = None
    current_project = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        comment = raw.strip()
        if not line:
            if comment.startswith("#") and current is not None and not current and current_project not in baseline.notes:
                baseline.notes[current_project] = comment.lstrip("#").strip()
            continue
        section = _SECTION.match(line)
        if section:
            current_project = section.group("project").strip()
            if not current_project:
                raise _line_error(path, number, "an empty project header; write `[.]` for the repository root")
            if current_project in baseline.projects:
                raise _line_error(path, number, f"project [{current_project}] appears twice; keep one section per project")
            current = baseline.projects.setdefault(current_project, {})
            continue
        if current is None:
            raise _line_error(path, number, "an item before any [project] header; put `[.]` (the repository root) above it")
        parts = line.split()
        if len(parts) != 2:
            raise _line_error(path, number, f"expected `<item-slug> <status>`, found {len(parts)} words")
        slug, status = parts
        if not _SLUG.match(slug):
            raise _line_error(path, number, f"'{slug}' is not an item slug (lower-case words joined by '-', e.g. rollback)")
        if status not in STATUSES:
            raise _line_error(path, number, f"unknown status '{status}' (expected one of {', '.join(STATUSES)})")
        if slug in current:
            raise _line_error(path, number, f"item '{slug}' is listed twice in [{current_project}]")
        current[slug] = status
    return baseline


def _line_error(path: Path, number: int, problem: str) -> BaselineError:
    return BaselineError(f"baseline {path}, line {number}: {problem}; fix the line or record the baseline again "
                         f"with {UPDATE_HINT}")


def record(result: ChecklistResult) -> dict[str, str]:
    """The statuses to record for a result: item slug -> status, in catalog order."""
    return {entry.item.id: entry.status for entry in result.items}


def render_baseline(baseline: Baseline) -> str:
    """The text of a baseline file: the header, then each project (``.`` first, then by path)."""
    lines = list(HEADER)
    for project in sorted(baseline.projects, key=lambda name: (name != ROOT_PROJECT, name)):
        lines += ["", f"[{project}]"]
        if baseline.notes.get(project):
            lines.append(f"# {baseline.notes[project]}")
        lines += [f"{slug} {status}" for slug, status in baseline.projects[project].items()]
    return "\n".join(lines) + "\n"


def updated_baseline(path: Path, results: Mapping[str, ChecklistResult]) -> Baseline:
    """The baseline at ``path`` with the projects in ``results`` recorded anew.

    Sections of other projects are kept when the existing file can be read; an unreadable file
    is replaced (recording again is the way out of a broken baseline).
    """
    try:
        baseline = read_baseline(path) if path.exists() else Baseline(path=path)
    except BaselineError:
        baseline = Baseline(path=path)
    for project, result in results.items():
        baseline.projects[project] = record(result)
        baseline.notes[project] = f"catalog {result.config.catalog.name}, profile {result.config.profile}"
    return baseline


def write_baseline(path: Path, results: Mapping[str, ChecklistResult], *, label: str | None = None) -> str:
    """Record the statuses of ``results`` (project folder -> result) in ``path``.

    Returns the line to show the user ("baseline written to FILE: N items (M unmet)", FILE being
    ``label`` when given); raises a :class:`BaselineError` when the file cannot be written.
    """
    baseline = updated_baseline(path, results)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_baseline(baseline), encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"cannot write the baseline {path}: {exc.strerror}; check the path and its permissions") from None
    items = sum(len(result.items) for result in results.values())
    unmet = sum(1 for result in results.values() for entry in result.items if entry.status in FAILING_STATUSES)
    return f"baseline written to {label or path}: {items} items ({unmet} unmet)"


# ---------------------------------------------------------------------- the comparison
@dataclass(frozen=True)
class ItemChange:
    """How one item of the profile compares with the baseline."""

    item: str
    label: str
    before: str | None
    now: str
    kind: ChangeKind
    reason: str
    fails: bool

    def to_json(self) -> dict[str, Any]:
        """The entry of the ``baseline`` block of the JSON report."""
        return {"id": self.item, "before": self.before, "now": self.now, "reason": self.reason, "fails": self.fails}


@dataclass
class BaselineComparison:
    """A result compared with a baseline: which failing items are known gaps, which are
    regressions or new, what improved. The result itself keeps its real statuses."""

    file: str
    project: str
    updated: bool
    changes: list[ItemChange]
    removed: list[str]

    def change(self, item_id: str) -> ItemChange | None:
        """The comparison of one item (``None`` if it is not in the profile)."""
        return next((change for change in self.changes if change.item == item_id), None)

    def of_kind(self, kind: ChangeKind) -> list[ItemChange]:
        """The items of one kind, in catalog order."""
        return [change for change in self.changes if change.kind == kind]

    @property
    def failing(self) -> list[ItemChange]:
        """Items that fail the run: they fail the gate and are not known gaps."""
        return [change for change in self.changes if change.fails]

    def known_message(self, entry: ItemResult) -> str:
        """Why a known gap does not fail the run (the xfail reason under pytest)."""
        where = f"recorded in the baseline {self.file} by this run" if self.updated else f"as in the baseline {self.file}"
        return f"ml-checklist: {entry.status}, {where} (known gap): {entry.message}"

    def to_json(self) -> dict[str, Any]:
        """The ``baseline`` block of the JSON report."""
        return {
            "file": self.file,
            "project": self.project,
            "updated": self.updated,
            "failed": bool(self.failing),
            "regressions": [change.to_json() for change in self.of_kind("regression")],
            "known": [change.to_json() for change in self.of_kind("known")],
            "improvements": [change.to_json() for change in self.of_kind("improvement")],
            "new": [change.to_json() for change in self.of_kind("new")],
            "changed": [change.to_json() for change in self.of_kind("changed")],
            "removed": list(self.removed),
        }

    def summary_lines(self, written: str | None = None) -> list[str]:
        """Lines for the end of a run: the counts, then what regressed, is new, improved or changed."""
        regressions, new = self.of_kind("regression"), [change for change in self.of_kind("new") if change.fails]
        known, improvements = self.of_kind("known"), self.of_kind("improvement")
        lines = [written] if written else []
        lines.append(f"Baseline {self.file}: {len(regressions)} regressed, {len(new)} new and not met, "
                     f"{len(known)} known gaps (not failing), {len(improvements)} improved")
        if regressions:
            lines.append("regressed: " + ", ".join(f"{change.label} ({change.before} -> {change.now}{_expired(change)})"
                                                  for change in regressions))
        if new:
            lines.append("new item in the profile, not met: " + ", ".join(f"{change.label} ({change.now})" for change in new))
        if improvements:
            lines.append("improved: " + ", ".join(f"{change.label} ({change.before} -> {change.now})" for change in improvements)
                         + f"; update the baseline with {UPDATE_HINT}")
        changed = self.of_kind("changed")
        if changed:
            lines.append("changed since the baseline: " + ", ".join(
                f"{change.label} ({change.before} -> {change.now})" for change in changed))
        if self.removed:
            lines.append("in the baseline but no longer in the profile: " + ", ".join(self.removed))
        return lines


def _expired(change: ItemChange) -> str:
    return ", waiver expired" if change.reason == "waiver expired" else ""


def compare(
    result: ChecklistResult,
    recorded: Mapping[str, str],
    *,
    file: str,
    project: str = ROOT_PROJECT,
    updated: bool = False,
) -> BaselineComparison:
    """Compare ``result`` with the ``recorded`` statuses of its project (slug -> status).

    ``updated`` says the statuses were recorded by this very run (``--ml-checklist-baseline-update``):
    then every failing item is a known gap and the run passes.
    """
    strict = result.config.strict
    changes = [_classify(entry, recorded.get(entry.item.id), strict=strict) for entry in result.items]
    in_profile = {entry.item.id for entry in result.items}
    removed = [slug for slug in recorded if slug not in in_profile]
    return BaselineComparison(file=file, project=project, updated=updated, changes=changes, removed=removed)


def _classify(entry: ItemResult, before: str | None, *, strict: bool) -> ItemChange:
    now = entry.status
    fails_gate = item_fails(entry, strict=strict)
    kind: ChangeKind
    if before is None:
        kind, reason = "new", "new item in the profile, not in the baseline"
    elif fails_gate and now in FAILING_STATUSES and before in FAILING_STATUSES:
        kind, reason = "known", f"{before} in the baseline"
    elif fails_gate and now in FAILING_STATUSES:
        kind = "regression"
        reason = "waiver expired" if before == "waived" and entry.waiver_state == "expired" else f"regressed from {before}"
    elif before in FAILING_STATUSES and now not in FAILING_STATUSES:
        kind, reason = "improvement", f"improved from {before}"
    elif before != now:
        kind, reason = "changed", f"was {before}"
    else:
        kind, reason = "unchanged", f"{before} in the baseline"
    return ItemChange(item=entry.item.id, label=entry.item.label, before=before, now=now, kind=kind, reason=reason,
                      fails=fails_gate and kind != "known")
