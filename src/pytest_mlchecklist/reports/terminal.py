"""The compact terminal summary: one line per section, the failing items by name, the score
and the launch band; and, for ``ml-checklist scan``, one line per item."""

from __future__ import annotations

from collections.abc import Sequence

from pytest_mlchecklist.engine import ChecklistResult, ItemResult

BAND_WORDS = {
    "delay-launch": "delay launch (below 80%)",
    "launch-with-extra-monitoring": "launch with extra monitoring and a quick rollback plan (80-95%)",
    "ready": "ready for production (above 95%)",
}
MAX_LISTED_PROBLEMS = 5


def summary_lines(result: ChecklistResult) -> list[str]:
    """The summary block printed at the end of a pytest run and of ``ml-checklist scan``."""
    config = result.config
    source = config.source or "defaults, no configuration file"
    lines = [f"catalog {config.catalog.name}, profile {config.profile} ({len(result.items)} items; config: {source})"]
    width = max(len(section.title) for section in config.catalog.sections)
    for section in config.catalog.sections:
        in_section = [entry for entry in result.items if entry.item.section == section.id]
        if not in_section:
            continue
        lines.append(f"  {section.title.ljust(width)}  {_section_counts(in_section)}")
    for status, label in (("unmet", "Unmet"), ("error", "Errors")):
        names = [entry.item.label for entry in result.by_status(status)]  # type: ignore[arg-type]
        if names:
            lines.append(f"{label} ({len(names)}): " + ", ".join(names))
    waived = result.by_status("waived")
    if waived:
        lines.append(f"Waived ({len(waived)}): " + ", ".join(
            f"{entry.item.label} until {entry.waiver.expires.isoformat()}" for entry in waived if entry.waiver))
    unused = [entry for entry in result.items if entry.waiver_state == "unused"]
    if unused:
        suffix = " (strict: these fail)" if config.strict else " (remove them; --ml-checklist-strict fails on them)"
        lines.append(f"Unused waivers ({len(unused)}): " + ", ".join(entry.item.label for entry in unused) + suffix)
    if result.problems:
        lines.append(f"Files that could not be used ({len(result.problems)}):")
        lines.extend(f"  - {problem}" for problem in result.problems[:MAX_LISTED_PROBLEMS])
        if len(result.problems) > MAX_LISTED_PROBLEMS:
            lines.append(f"  - and {len(result.problems) - MAX_LISTED_PROBLEMS} more (see the JSON report)")
    lines.append(
        f"Score: {result.met}/{result.applicable} applicable items met ({result.percent:.1f}%) -> "
        f"{result.verdict}: {BAND_WORDS[result.verdict]}"
    )
    return lines


def _section_counts(entries: list[ItemResult]) -> str:
    met = sum(1 for entry in entries if entry.status == "met")
    applicable = sum(1 for entry in entries if entry.status != "not_applicable")
    parts = [f"{met}/{applicable} met"]
    for status, word in (("unmet", "unmet"), ("error", "error"), ("waived", "waived"), ("not_applicable", "n/a")):
        count = sum(1 for entry in entries if entry.status == status)
        if count:
            parts.append(f"{count} {word}")
    return ", ".join(parts)


def item_lines(result: ChecklistResult) -> list[str]:
    """One line per item: status, label and message (for ``ml-checklist scan``)."""
    lines = []
    for entry in result.items:
        status = entry.status.replace("_", " ").upper()
        lines.append(f"{status:<15} {entry.item.label}: {entry.message}")
    return lines


# ---------------------------------------------------------------------- monorepos
def project_title(result: ChecklistResult) -> str:
    """The header of a project's section: ``ml-checklist: services/ranker``."""
    return "ml-checklist" if result.project is None else f"ml-checklist: {result.project}"


def overall_lines(results: Sequence[ChecklistResult]) -> list[str]:
    """One line per project (score, band, gate) and the overall verdict of a monorepo run:
    a project fails when any of its items fails the gate (with a baseline: fails the run)."""
    lines = []
    for result in results:
        count = result.run_failures
        gate = f"FAILS the gate ({count} items)" if count else "passes the gate"
        if result.baseline is not None:
            known = len(result.baseline.of_kind("known"))
            gate += f" (baseline: {known} known gaps)"
        lines.append(f"  {result.project}: {result.met}/{result.applicable} met ({result.percent:.1f}%) -> "
                     f"{result.verdict}; {gate}")
    failing = [str(result.project) for result in results if result.run_failures]
    projects = f"{len(results)} project" + ("" if len(results) == 1 else "s")
    if failing:
        lines.append(f"Overall: {len(failing)} of {projects} fail the gate ({', '.join(failing)})")
    else:
        lines.append(f"Overall: every project passes the gate ({projects})")
    return lines
