"""The Markdown report (for files, GitHub job summaries and pull-request comments)."""

from __future__ import annotations

from pytest_mlchecklist.engine import ChecklistResult
from pytest_mlchecklist.reports.terminal import BAND_WORDS

_STATUS = {"met": "met", "unmet": "**unmet**", "waived": "waived", "not_applicable": "n/a", "error": "**error**"}


def render_markdown(result: ChecklistResult) -> str:
    """The whole report as Markdown text: headline, sections table, failing items, decisions."""
    config = result.config
    lines = [
        f"## ML readiness: {result.percent:.1f}% ({result.met}/{result.applicable}) - {result.verdict}",
        "",
        f"Catalog `{config.catalog.name}`, profile `{config.profile}`, evaluated on {config.today.isoformat()}. "
        f"{BAND_WORDS[result.verdict].capitalize()}.",
        "",
        "| Section | Met | Unmet | Error | Waived | N/A |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for section in config.catalog.sections:
        entries = [entry for entry in result.items if entry.item.section == section.id]
        if not entries:
            continue
        counts = [sum(1 for entry in entries if entry.status == status)
                  for status in ("met", "unmet", "error", "waived", "not_applicable")]
        lines.append(f"| {section.title} | " + " | ".join(str(count) for count in counts) + " |")
    failing = [entry for entry in result.items if entry.status in ("unmet", "error")]
    if failing:
        lines += ["", "### Items that fail the gate", ""]
        for entry in failing:
            lines.append(f"- {_STATUS[entry.status]} **{entry.item.label}** {entry.item.title}: {_escape(entry.message)}")
    decisions = [entry for entry in result.items if entry.status in ("waived", "not_applicable") or entry.waiver_state]
    if decisions:
        lines += ["", "### Decisions on record", "", "| Item | Decision | Owner | Expires | Reason |", "|---|---|---|---|---|"]
        for entry in decisions:
            if entry.not_applicable is not None:
                lines.append(f"| {entry.item.label} | not applicable | | | {_escape(entry.not_applicable.reason)} |")
            elif entry.waiver is not None:
                state = {"active": "waived", "expired": "waiver **expired**", "unused": "waiver unused"}[entry.waiver_state or "active"]
                lines.append(f"| {entry.item.label} | {state} | {entry.waiver.owner or ''} | "
                             f"{entry.waiver.expires.isoformat()} | {_escape(entry.waiver.reason)} |")
    lines += ["", "<details><summary>All items</summary>", "", "| Item | Status | Evidence |", "|---|---|---|"]
    for entry in result.items:
        where = ", ".join(f"`{piece.location()}`" for piece in entry.evidence if piece.verdict == "supports")[:300]
        lines.append(f"| {entry.item.label} {_escape(entry.item.title)} | {_STATUS[entry.status]} | {where} |")
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
