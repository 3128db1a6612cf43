"""Item 49 (ops-handoff): an operations guide for people who did not build the model."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.org_documents import ops_handoff

ITEM = "ops-handoff"

GUIDE = """\
# Fraud scorer: operations guide

Last reviewed: 2026-08-20

## Architecture
The scorer is a FastAPI service on the `fraud` namespace. It reads features from the online
store (Redis) and writes every prediction to the `scores` Kafka topic.

## Retraining
1. Trigger the `retrain-fraud` workflow with the training window you need.
2. Compare the candidate's report with the production model in MLflow.
3. Promote the candidate by moving the `production` alias.

## Deploying a new version
1. Merge the model version bump; the release workflow builds the image.
2. Approve the canary in Argo Rollouts after ten minutes of clean metrics.

## Known issues
- The feature store lags by up to 20 minutes after midnight UTC; scores are flagged stale then.
- Cold starts take 40 s because the model is loaded from object storage.

## Contacts
- Owning team: @acme/fraud-ml (Slack #fraud-ml)
- Escalation: risk-platform@acme.io
"""


def test_full_guide_supports(tmp_path: Path) -> None:
    write(tmp_path, "docs/operations.md", GUIDE)
    evidence = run_detector(ops_handoff, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == ("operations guide covers architecture, retraining, deployment, troubleshooting "
                                  "and contacts")
    assert evidence[0].path == "docs/operations.md" and evidence[0].line == 5


def test_four_of_five_supports_and_names_the_missing_topic(tmp_path: Path) -> None:
    write(tmp_path, "docs/operations.md", GUIDE.split("## Known issues")[0] + GUIDE.split("## Contacts")[1].join(
        ["## Contacts", ""]))
    evidence = run_detector(ops_handoff, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail.endswith("(missing: troubleshooting)")


def test_empty_and_placeholder_sections_make_it_partial(tmp_path: Path) -> None:
    text = GUIDE.replace("- Owning team: @acme/fraud-ml (Slack #fraud-ml)\n- Escalation: risk-platform@acme.io\n",
                         "- Ask the team.\n- See the wiki for who owns this.\n")
    text = text.split("## Known issues")[0] + "## Known issues\nTBD\n\n" + text.split("## Contacts")[1].join(["## Contacts", ""])
    write(tmp_path, "docs/operations.md", text)
    evidence = run_detector(ops_handoff, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == ("operations guide covers architecture, retraining and deployment; "
                                  "missing: troubleshooting, contacts (troubleshooting heading is empty; "
                                  "contacts heading is empty)")


def test_stale_guide_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "docs/operations.md", GUIDE.replace("2026-08-20", "2025-02-01"))
    evidence = run_detector(ops_handoff, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "last reviewed 2025-02-01, 659 days ago, over the 365-day limit" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    assert run_detector(ops_handoff, tmp_path) == []


def test_install_only_readme_is_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, "README.md", """\
# fraud-scorer

## Installation
1. `pip install -e .[dev]`
2. `pre-commit install`

## Training
Run `make train` to train the model locally on the sample data set.

## License
Apache-2.0
""")
    assert verdicts(run_detector(ops_handoff, tmp_path), ITEM) == []


def test_guide_in_code_block_is_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, "docs/template.md", "# Template\n\nTraining docs go here.\n\n```markdown\n" + GUIDE + "```\n")
    assert verdicts(run_detector(ops_handoff, tmp_path), ITEM) == []


def test_unreadable_handoff_document(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "handover.md").write_bytes(b"\xff\xfe\x00")
    evidence = run_detector(ops_handoff, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]



def test_the_review_age_limit_is_configurable(tmp_path: Path) -> None:
    """The guide was reviewed 94 days before the test date: fine by default, stale under 30 days."""
    write(tmp_path, "docs/operations.md", GUIDE)
    assert verdicts(run_detector(ops_handoff, tmp_path), ITEM) == ["supports"]
    evidence = run_detector(ops_handoff, tmp_path, review_max_days=30)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "over the 30-day limit (`review_max_days`)" in evidence[0].detail
