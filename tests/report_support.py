"""The small project that the report tests (HTML, Markdown, SARIF) scan, each with its own configuration."""

from __future__ import annotations

from pathlib import Path

#: A rollback runbook that meets ``rollback`` (its step list starts on line 3).
RUNBOOK = """\
# Model rollback

## Rollback steps
1. Pause the training pipeline so that no new model is promoted.
2. Run `kubectl rollout undo deployment/scorer` to return to the previous version.
3. Confirm the previous model version on the /health endpoint.

Last rehearsed: 2026-09-30
"""


def make_report_project(root: Path, config: str) -> Path:
    """Write ``mlchecklist.yaml`` (``config``), the rollback runbook and an unparsable Kubernetes
    manifest (so that ``resource-limits`` is an error) under ``root``; return ``root``."""
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "mlchecklist.yaml").write_text(config)
    (root / "docs" / "rollback.md").write_text(RUNBOOK)
    (root / "deploy").mkdir(exist_ok=True)
    (root / "deploy" / "deployment.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nspec: [unclosed\n")
    return root
