"""Item 46 (failure-runbooks): runbooks with steps for the four failure modes."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.org_documents import failure_runbooks

ITEM = "failure-runbooks"

RUNBOOKS = """\
# Fraud scorer runbooks

Last reviewed: 2026-06-01

## Model performance degradation
1. Open the model-quality dashboard and compare precision@k with last week.
2. Check the prediction drift panel for the top five features.
3. If precision stays under 0.80 for two days, trigger the retraining DAG.

## Data pipeline failure
1. Check the `features_daily` DAG run in Airflow and read the failed task log.
2. Rerun the failed task once the upstream table has landed.

## Serving outage
1. Check pod status with `kubectl get pods -n fraud` and the ingress error rate.
2. Scale the deployment to three replicas if pods are crash-looping.

## Rollback
1. Freeze deploys in the release channel.
2. Run `helm rollback scorer 0` to return to the previous release.

## Contacts
- @fraud-ml
"""


def test_all_four_modes_with_steps_supports(tmp_path: Path) -> None:
    write(tmp_path, "docs/runbooks.md", RUNBOOKS)
    evidence = run_detector(failure_runbooks, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    detail = evidence[0].detail
    assert "all four failure modes" in detail
    assert "model degradation (docs/runbooks.md:5, 3 steps)" in detail
    assert "rollback (docs/runbooks.md:18, 2 steps)" in detail
    assert evidence[0].path == "docs/runbooks.md" and evidence[0].line == 5


def test_modes_spread_over_files_with_failure_word_in_document_title(tmp_path: Path) -> None:
    write(tmp_path, "runbooks/pipeline.md", "# Runbook: feature pipeline\n\n1. Read the failed task log in Airflow.\n"
          "2. Backfill the missing partition with `make backfill`.\n")
    write(tmp_path, "runbooks/serving.md", "# Inference API down\n\n- Check the load balancer health checks.\n"
          "- Restart the deployment with `kubectl rollout restart`.\n")
    write(tmp_path, "runbooks/model.md", "# Model quality drop\n\n- Compare live AUC with the offline baseline.\n"
          "- Roll back to the previous model version if AUC fell below 0.85.\n")
    write(tmp_path, "runbooks/rollback.md", "# Rolling back a release\n\n1. Pick the previous image tag.\n"
          "2. Redeploy it through the release workflow.\n")
    evidence = run_detector(failure_runbooks, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "runbooks/pipeline.md:1" in evidence[0].detail


def test_missing_modes_are_named(tmp_path: Path) -> None:
    text = ("# Scorer runbooks\n\n## Serving outage\n1. Check the pods.\n2. Scale the deployment up.\n\n"
            "## Rollback\n1. Freeze deploys now.\n2. Run helm rollback.\n")
    write(tmp_path, "docs/ops.md", text)
    evidence = run_detector(failure_runbooks, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == ("runbooks cover serving outage and rollback; "
                                  "missing: model degradation, data pipeline failure")


def test_headings_without_steps_do_not_count(tmp_path: Path) -> None:
    text = RUNBOOKS.replace(
        "1. Check the `features_daily` DAG run in Airflow and read the failed task log.\n"
        "2. Rerun the failed task once the upstream table has landed.\n", "TODO\n")
    text = text.replace("2. Scale the deployment to three replicas if pods are crash-looping.\n", "")
    write(tmp_path, "docs/runbooks.md", text)
    evidence = run_detector(failure_runbooks, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    detail = evidence[0].detail
    assert "missing: data pipeline failure, serving outage" in detail
    assert "data pipeline failure heading at docs/runbooks.md:10 has no steps" in detail
    assert "serving outage heading at docs/runbooks.md:13 has only 1 step" in detail


def test_steps_in_code_blocks_do_not_count(tmp_path: Path) -> None:
    text = RUNBOOKS.replace(
        "1. Freeze deploys in the release channel.\n2. Run `helm rollback scorer 0` to return to the previous release.\n",
        "```bash\nhelm rollback scorer 0\nkubectl rollout status deploy/scorer\n```\n")
    write(tmp_path, "docs/runbooks.md", text)
    evidence = run_detector(failure_runbooks, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "missing: rollback" in evidence[0].detail


def test_stale_review_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "docs/runbooks.md", RUNBOOKS.replace("Last reviewed: 2026-06-01", "Last reviewed: 2024-09-01"))
    evidence = run_detector(failure_runbooks, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "last reviewed 2024-09-01, 812 days ago, over the 365-day limit" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# Fraud scorer\n\n## Install\n\n1. pip install -e .\n2. make train\n")
    assert run_detector(failure_runbooks, tmp_path) == []


def test_look_alike_prose_and_unrelated_headings_are_not_evidence(tmp_path: Path) -> None:
    # Mentions every failure mode in prose, but no runbook section has steps for them.
    write(tmp_path, "docs/design.md", "# Design\n\nThe model may degrade, the data pipeline may fail, serving may have an "
          "outage and we may need a rollback.\n\n## Data model\n- `transactions` table with 14 columns\n"
          "- `labels` table joined on id\n\n## `session.rollback()`\n- used by the writer\n- on every error\n")
    write(tmp_path, "vendor/lib/runbooks.md", RUNBOOKS)
    write(tmp_path, "CHANGELOG.md", RUNBOOKS)
    assert verdicts(run_detector(failure_runbooks, tmp_path), ITEM) == []


def test_unreadable_runbook(tmp_path: Path) -> None:
    target = tmp_path / "runbooks" / "serving.md"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"\xff\xfe\x00binary")
    write(tmp_path, "docs/random.md", "\xff")
    evidence = run_detector(failure_runbooks, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "runbooks/serving.md"
