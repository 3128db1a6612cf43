"""The JSON report (shape documented in docs/reports.md; fields are added, never renamed)."""

from __future__ import annotations

import json

from pytest_mlchecklist.engine import ChecklistResult


def render_json(result: ChecklistResult) -> str:
    """The JSON report as text, with paths relative to the root."""
    return json.dumps(result.to_json(), indent=2, sort_keys=False) + "\n"
