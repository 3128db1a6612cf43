"""Reports of a monorepo run: the reports of every project, one after the other.

Each project's result is rendered by the usual single-project renderer; this module only puts
them together with a headline for the whole repository (see docs/monorepos.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from pytest_mlchecklist.engine import ChecklistResult
from pytest_mlchecklist.reports.markdown import render_markdown


def render_projects_markdown(results: Sequence[ChecklistResult]) -> str:
    """Markdown for a run: the usual report for a single project, else a headline for the
    repository (projects and their gates) and a section per project."""
    if len(results) == 1 and results[0].project is None:
        return render_markdown(results[0])
    failing = [result for result in results if result.run_failures]
    gate = (f"{len(failing)} of {len(results)} projects fail the gate" if failing
            else f"all {len(results)} projects pass the gate")
    lines = [f"# ML readiness of {len(results)} projects: {gate}", "",
             "| Project | Score | Verdict | Gate |", "|---|---:|---|---|"]
    for result in results:
        lines.append(f"| `{result.project}` | {result.percent:.1f}% ({result.met}/{result.applicable}) | "
                     f"{result.verdict} | {'fails' if result.run_failures else 'passes'} |")
    for result in results:
        lines += ["", f"# Project `{result.project}`", "", render_markdown(result)]
    return "\n".join(lines) + "\n"
