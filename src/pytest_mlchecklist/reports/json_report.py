"""The JSON report (shape documented in docs/reports.md; fields are added, never renamed)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_mlchecklist.engine import SCHEMA_VERSION, ChecklistResult


def render_json(result: ChecklistResult) -> str:
    """The JSON report as text, with paths relative to the root."""
    return json.dumps(result.to_json(), indent=2, sort_keys=False) + "\n"


def projects_json(root: Path, results: Sequence[ChecklistResult]) -> dict[str, Any]:
    """The JSON report of a monorepo: the usual report of each project (with its ``project``
    name and its own ``root``) under ``projects``, and whether any project fails the run (with a
    baseline, known gaps do not count, as for the exit code)."""
    from pytest_mlchecklist import __version__

    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "pytest-mlchecklist", "version": __version__},
        "root": str(root),
        "projects": [result.to_json() for result in results],
        "failed": any(result.run_failures for result in results),
    }


def render_results_json(root: Path, results: Sequence[ChecklistResult]) -> str:
    """The JSON report of a run: today's single-project shape for one result without a
    project, the monorepo shape (:func:`projects_json`) otherwise."""
    if len(results) == 1 and results[0].project is None:
        return render_json(results[0])
    return json.dumps(projects_json(root, results), indent=2, sort_keys=False) + "\n"
