"""The HTML report: one self-contained page a reviewer can open offline.

Inline CSS, an inline SVG chart (met, unmet, error, waived and not-applicable items per section),
every item with its status, message and evidence (in ``<details>``), and the waivers with owners
and days to expiry. No JavaScript, no fonts, no external address of any kind; a
Content-Security-Policy forbids loading anything. Every string is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from pytest_mlchecklist.engine import ChecklistResult, ItemResult, item_fails
from pytest_mlchecklist.reports.markdown import as_result_list, days_left, project_labels
from pytest_mlchecklist.reports.terminal import BAND_WORDS

STATUSES = ("met", "unmet", "error", "waived", "not_applicable")
STATUS_LABELS = {"met": "met", "unmet": "unmet", "error": "error", "waived": "waived", "not_applicable": "not applicable"}
COLOURS = {"met": "#2e7d32", "unmet": "#c62828", "error": "#ef6c00", "waived": "#f9a825", "not_applicable": "#9e9e9e"}
BAND_COLOURS = {"delay-launch": "#c62828", "launch-with-extra-monitoring": "#f9a825", "ready": "#2e7d32"}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:72rem;
 padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2.2rem}
.meta{color:#555}.score{font-size:1.6rem;font-weight:600}
.band{display:inline-block;padding:.15rem .6rem;border-radius:1rem;color:#fff;font-weight:600}
table{border-collapse:collapse;width:100%;margin:.6rem 0}
th,td{border:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}
.status{display:inline-block;min-width:6.5rem;padding:.1rem .4rem;border-radius:.3rem;color:#fff;text-align:center;
 font-size:.85rem}
.status-met{background:#2e7d32}.status-unmet{background:#c62828}.status-error{background:#ef6c00}
.status-waived{background:#f9a825;color:#1b1b1b}.status-not_applicable{background:#9e9e9e}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;word-break:break-all}
details summary{cursor:pointer}
.legend span{display:inline-block;margin-right:1rem}
.swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
.state-expired{color:#c62828;font-weight:600}.state-unused{color:#ef6c00}
.nowrap{white-space:nowrap}
"""


def render_html(results: Sequence[ChecklistResult] | ChecklistResult) -> str:
    """The whole report as one HTML page: one part per result (one per project of a monorepo)."""
    result_list = as_result_list(results)
    labels = project_labels(result_list)
    several = len(result_list) > 1
    title = "ML readiness report"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
    ]
    if several:
        failing = sum(1 for result in result_list if result.failed)
        parts.append(f'<p class="meta">{len(result_list)} projects, {failing} failing the gate.</p>')
    for position, (result, label) in enumerate(zip(result_list, labels)):
        parts += _project(result, label if several else None, f"p{position}")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _project(result: ChecklistResult, label: str | None, anchor: str) -> list[str]:
    config = result.config
    heading = f"Project {label}" if label is not None else "Summary"
    counts = {status: len(result.by_status(status)) for status in STATUSES}  # type: ignore[arg-type]
    colour = BAND_COLOURS[result.verdict]
    text_colour = "#1b1b1b" if result.verdict == "launch-with-extra-monitoring" else "#fff"
    parts = [
        f'<section id="{anchor}">',
        f"<h2>{escape(heading)}</h2>",
        f'<p class="meta">Catalog <code>{escape(config.catalog.name)}</code>, profile <code>{escape(config.profile)}</code>, '
        f"evaluated on {escape(config.today.isoformat())}; configuration: {escape(config.source or 'defaults, no file')}; "
        f"{'tests ran' if result.test_run else 'static scan, no test run recorded'}.</p>",
        f'<p><span class="score">{result.percent:.1f}%</span> ({result.met} of {result.applicable} applicable items met) '
        f'<span class="band" style="background:{colour};color:{text_colour}">{escape(result.verdict)}</span> '
        f"{escape(BAND_WORDS[result.verdict])}</p>",
        "<p>" + ", ".join(f"{counts[status]} {STATUS_LABELS[status]}" for status in STATUSES) + "</p>",
        "<h3>By section</h3>",
        _chart(result),
        _section_table(result),
    ]
    failing = result.failed
    if failing:
        parts.append(f"<h3>Items that fail the gate ({len(failing)})</h3>")
        parts.append("<ul>" + "".join(
            f'<li><a href="#{anchor}-{escape(entry.item.id)}">{escape(entry.item.label)}</a> '
            f"{escape(entry.item.title)}: {escape(entry.message)}</li>" for entry in failing) + "</ul>")
    parts += _waivers(result)
    parts.append("<h3>Every item</h3>")
    for section in config.catalog.sections:
        entries = [entry for entry in result.items if entry.item.section == section.id]
        if not entries:
            continue
        parts.append(f"<h4>{escape(section.title)}</h4>")
        parts.append('<table class="items"><thead><tr><th>#</th><th>Item</th><th>Status</th><th>Message and evidence</th>'
                     "</tr></thead><tbody>")
        parts += [_item_row(entry, anchor, result.config.strict) for entry in entries]
        parts.append("</tbody></table>")
    if result.problems:
        parts.append(f"<h3>Files that could not be used ({len(result.problems)})</h3>")
        parts.append("<ul>" + "".join(f"<li>{escape(problem)}</li>" for problem in result.problems) + "</ul>")
    parts.append("</section>")
    return parts


def _chart(result: ChecklistResult) -> str:
    """A stacked horizontal bar per section, in inline SVG (no script, no external reference)."""
    rows = []
    for section in result.config.catalog.sections:
        entries = [entry for entry in result.items if entry.item.section == section.id]
        if entries:
            rows.append((section.title, {status: sum(1 for entry in entries if entry.status == status) for status in STATUSES}))
    label_width, bar_width, row_height = 230, 520, 26
    largest = max((sum(counts.values()) for _, counts in rows), default=1) or 1
    height = row_height * len(rows) + 10
    width = label_width + bar_width + 60
    shapes = []
    for position, (title, counts) in enumerate(rows):
        y = 5 + position * row_height
        shapes.append(f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" font-size="13">{escape(title)}</text>')
        x = float(label_width)
        for status in STATUSES:
            count = counts[status]
            if not count:
                continue
            span = bar_width * count / largest
            shapes.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{span:.1f}" height="{row_height - 8}" '
                          f'fill="{COLOURS[status]}"><title>{escape(title)}: {count} {STATUS_LABELS[status]}</title></rect>')
            x += span
        total = sum(counts.values())
        shapes.append(f'<text x="{x + 6:.1f}" y="{y + 16}" font-size="12">{total}</text>')
    legend = "".join(f'<span><span class="swatch" style="background:{COLOURS[status]}"></span>{STATUS_LABELS[status]}</span>'
                     for status in STATUSES)
    return (f'<svg role="img" aria-label="Items per section by status" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" style="max-width:100%;height:auto">' + "".join(shapes) + f'</svg><p class="legend">{legend}</p>')


def _section_table(result: ChecklistResult) -> str:
    rows = []
    for section in result.config.catalog.sections:
        entries = [entry for entry in result.items if entry.item.section == section.id]
        if entries:
            cells = "".join(f"<td>{sum(1 for entry in entries if entry.status == status)}</td>" for status in STATUSES)
            rows.append(f"<tr><td>{escape(section.title)}</td>{cells}</tr>")
    header = "".join(f"<th>{STATUS_LABELS[status]}</th>" for status in STATUSES)
    return f"<table><thead><tr><th>Section</th>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _waivers(result: ChecklistResult) -> list[str]:
    waived = [entry for entry in result.items if entry.waiver is not None]
    decided = [entry for entry in result.items if entry.not_applicable is not None]
    parts: list[str] = []
    if waived:
        parts.append(f"<h3>Waivers ({len(waived)})</h3>")
        parts.append("<table><thead><tr><th>Item</th><th>Owner</th><th>Reason</th><th>Expires</th><th>Days left</th>"
                     "<th>State</th><th>Recorded in</th></tr></thead><tbody>")
        for entry in waived:
            waiver = entry.waiver
            assert waiver is not None
            state = entry.waiver_state or "active"
            parts.append(
                f'<tr><td class="nowrap">{escape(entry.item.label)}</td><td>{escape(waiver.owner or "")}</td>'
                f"<td>{escape(waiver.reason)}</td>"
                f'<td class="nowrap">{escape(waiver.expires.isoformat())}</td><td>{days_left(entry, result)}</td>'
                f'<td class="state-{escape(state)}">{escape(state)}</td><td><code>{escape(waiver.source)}</code></td></tr>')
        parts.append("</tbody></table>")
    if decided:
        parts.append(f"<h3>Not applicable ({len(decided)})</h3>")
        parts.append("<table><thead><tr><th>Item</th><th>Reason</th><th>Recorded in</th></tr></thead><tbody>")
        for entry in decided:
            decision = entry.not_applicable
            assert decision is not None
            parts.append(f'<tr><td class="nowrap">{escape(entry.item.label)}</td><td>{escape(decision.reason)}</td>'
                         f"<td><code>{escape(decision.source)}</code></td></tr>")
        parts.append("</tbody></table>")
    return parts


def _item_row(entry: ItemResult, anchor: str, strict: bool) -> str:
    item = entry.item
    status = entry.status
    label = STATUS_LABELS[status]
    if item_fails(entry, strict=strict) and status == "met":
        label = "met, unused waiver (fails under strict)"
    if entry.evidence:
        rows = "".join(
            f"<li><code>{escape(piece.location())}</code> [{escape(piece.verdict)}, {escape(piece.detector)}]"
            f"{' (' + escape(piece.outcome) + ')' if piece.outcome else ''}: {escape(piece.detail)}</li>"
            for piece in entry.evidence)
        evidence = f"<details><summary>Evidence ({len(entry.evidence)})</summary><ul>{rows}</ul></details>"
    else:
        evidence = "<p><em>No evidence found.</em></p>"
    fix = f"<p><b>How to fix:</b> {escape(item.remediation)}</p>" if item_fails(entry, strict=strict) else ""
    return (f'<tr id="{anchor}-{escape(item.id)}" class="item status-row-{escape(status)}">'
            f"<td>{'' if item.number is None else item.number}</td>"
            f"<td><code>{escape(item.id)}</code><br>{escape(item.title)}</td>"
            f'<td><span class="status status-{escape(status)}">{escape(label)}</span></td>'
            f"<td>{escape(entry.message)}{fix}{evidence}</td></tr>")
