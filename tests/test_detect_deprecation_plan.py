"""Item 51 (deprecation-plan): retirement conditions, a successor and decommissioning steps."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.org_documents import deprecation_plan

ITEM = "deprecation-plan"

MODEL_CARD = """\
# Model card: fraud-scorer v3

## Intended use
Scores card payments for fraud in real time.

## Retirement plan

### Retirement criteria
- Retire the model when recall at 1% FPR stays below 0.60 for a month after retraining.
- Retire it at the latest when the payments platform drops the v2 event schema.

### Successor
The rules engine (`fraud-rules` v12) takes over as the fallback until fraud-scorer v4 ships.

### Decommissioning
1. Route traffic to the rules engine and delete the `fraud-scorer` endpoint and its ingress.
2. Disable the nightly retraining DAG and the feature backfill cron job.
3. Archive the training data snapshot to cold storage and delete the feature tables after 90 days.
4. Revoke the service account and rotate the credentials it used.
"""


def test_full_plan_supports(tmp_path: Path) -> None:
    write(tmp_path, "MODEL_CARD.md", MODEL_CARD)
    evidence = run_detector(deprecation_plan, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == ("deprecation plan with retirement conditions, a successor and 4 decommissioning "
                                  "steps (endpoints, storage/data, schedules, access)")
    assert evidence[0].path == "MODEL_CARD.md" and evidence[0].line == 6


def test_plan_in_prose_and_steps_in_one_section(tmp_path: Path) -> None:
    write(tmp_path, "docs/sunset.md", """\
# Sunset of the churn model

The churn model will be switched off on 2027-03-31, once the uplift model has run in production for a quarter.
The uplift model replaces it; the marketing tool falls back to the static segment list if needed.

- Delete the `churn-predict` endpoint and its DNS record.
- Remove the weekly scoring schedule from Airflow.
- Drop the `churn_scores` table.
""")
    evidence = run_detector(deprecation_plan, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "3 decommissioning steps (endpoints, storage/data, schedules)" in evidence[0].detail


def test_missing_successor_is_named(tmp_path: Path) -> None:
    text = MODEL_CARD.replace("### Successor\nThe rules engine (`fraud-rules` v12) takes over as the fallback until "
                              "fraud-scorer v4 ships.\n", "")
    text = text.replace("Route traffic to the rules engine and delete", "Delete")
    write(tmp_path, "MODEL_CARD.md", text)
    evidence = run_detector(deprecation_plan, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == "deprecation plan has no successor or fallback"


def test_placeholder_section_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "MODEL_CARD.md", "# Model card\n\n## Intended use\nFraud scoring model.\n\n## Deprecation\nTBD\n")
    evidence = run_detector(deprecation_plan, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == "deprecation section is empty or a placeholder"


def test_stale_plan_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "MODEL_CARD.md", MODEL_CARD + "\nLast reviewed: 2025-06-30\n")
    evidence = run_detector(deprecation_plan, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "last reviewed 2025-06-30, 510 days ago, over the 365-day limit" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# Fraud scorer model\n\n## Usage\nRun `make serve`.\n")
    assert run_detector(deprecation_plan, tmp_path) == []


def test_library_api_deprecations_are_not_a_retirement_plan(tmp_path: Path) -> None:
    write(tmp_path, "docs/api.md", """\
# Client API

## Deprecations
- `Client.fetch()` is deprecated, use `Client.get()` instead.
- The `timeout` argument is deprecated.
""")
    write(tmp_path, "docs/model-api.md", """\
# Model client

## Deprecated endpoints
- The `/v1/score` endpoint is deprecated.
- The `/v1/batch` endpoint is deprecated.
""")
    evidence = run_detector(deprecation_plan, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].path == "docs/model-api.md"
    assert evidence[0].detail == ("deprecation plan has no retirement conditions; no successor or fallback; "
                                  "no decommissioning steps")


def test_endpoint_deprecation_notice_is_not_a_decommissioning_plan(tmp_path: Path) -> None:
    write(tmp_path, "docs/model-api.md", """\
# Scoring model API

## Deprecations
- The `/v1/score` endpoint is deprecated when v2 launches; use `/v2/score` instead.
- The `batch` service is deprecated when v2 launches; use the batch job instead.
""")
    evidence = run_detector(deprecation_plan, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == "deprecation plan has no decommissioning steps"


def test_unreadable_declared_plan(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "retirement.md").write_bytes(b"\xff\xfe\x00")
    evidence = run_detector(deprecation_plan, tmp_path, evidence={"deprecation-plan": ["docs/retirement.md"]})
    assert verdicts(evidence, ITEM) == ["unreadable"]
