"""Item 29 (rollback): runbooks with rehearsed steps, Argo Rollouts / Flagger analysis, CI rollback."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.runbooks import (
    iso_dates,
    parse_iso_date,
    progressive_delivery,
    rollback_pipeline,
    rollback_runbook,
)

ITEM = "rollback"

RUNBOOK = """\
# Rollback

## Rollback procedure
1. Freeze deploys in the release channel.
2. Run `helm rollback scorer 0` to return to the previous release.
3. Watch the error-rate dashboard for ten minutes.

Last rehearsed: 2026-10-02
"""


def runbook_with(date_line: str) -> str:
    return RUNBOOK.replace("Last rehearsed: 2026-10-02", date_line)


# ---------------------------------------------------------------------- dates
def test_iso_dates_reads_valid_and_invalid_dates() -> None:
    found = iso_dates("drill on 2026-10-02, typo 2026-13-40, not a date 12026-10-021", 7)
    assert [(mention.text, mention.value is not None, mention.line) for mention in found] == [
        ("2026-10-02", True, 7), ("2026-13-40", False, 7)]
    assert parse_iso_date("2026-02-29") is None
    assert parse_iso_date("2028-02-29") is not None


# ---------------------------------------------------------------------- Markdown runbooks
def test_rehearsed_runbook_supports(tmp_path: Path) -> None:
    write(tmp_path, "docs/rollback.md", RUNBOOK)
    evidence = run_detector(rollback_runbook, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert found.path == "docs/rollback.md" and found.line == 3
    assert "3 steps" in found.detail and "last rehearsed 2026-10-02 (51 days ago)" in found.detail
    assert found.values["rehearsal_age_days"] == 51


def test_rehearsal_log_table_takes_the_most_recent_past_date(tmp_path: Path) -> None:
    write(tmp_path, "runbooks/scorer.md", """\
# Fraud scorer runbook

## Roll back a bad model
1. Set `MODEL_VERSION` in `deploy/values.yaml` to the previous registry version.
2. Apply it with `make deploy ENV=prod`.
3. Check that `/health` reports the previous version.

### Verify
- Error rate back under 0.5% within ten minutes.

## Rehearsal log

| Date | Who | Outcome |
|---|---|---|
| 2026-03-01 | @alice | rolled back in 6 min |
| 2026-09-14 | @bob | rolled back in 4 min |

Next rehearsal: 2027-01-15
Another drill is scheduled for 2026-12-01.
""")
    evidence = run_detector(rollback_runbook, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "4 steps" in evidence[0].detail and "2026-09-14 (69 days ago)" in evidence[0].detail
    assert evidence[0].line == 3


def test_dated_list_item_under_drills_heading(tmp_path: Path) -> None:
    write(tmp_path, "ops/model-release.md", """\
# Model release

## Reverting a release
- Promote the previous model alias with `mlflow models alias set champion v41`.
- Restart the scorer pods.

## Drills
- 2026-06-10: revert drilled in staging, 5 minutes.
- 2026-11-02: revert drilled in production during the quiet window.
""")
    evidence = run_detector(rollback_runbook, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "2 steps" in evidence[0].detail and "2026-11-02 (20 days ago)" in evidence[0].detail


def test_front_matter_rehearsal_date(tmp_path: Path) -> None:
    write(tmp_path, "docs/rollback.md", "---\ntitle: Rollback\nlast_rehearsed: 2026-10-02\n---\n\n"
          + RUNBOOK.replace("Last rehearsed: 2026-10-02\n", ""))
    evidence = run_detector(rollback_runbook, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "2026-10-02" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, "src/model.py", "def predict(x):\n    return x\n")
    assert run_detector(rollback_runbook, tmp_path) == []


def test_readme_prose_and_changelog_are_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, "README.md", """\
# Fraud scorer

We deploy with Helm, so a rollback is one command away. Rollback was last rehearsed 2026-10-02.

## Features
- Automatic rollback of bad models.
- Canary releases.
""")
    write(tmp_path, "CHANGELOG.md", """\
# Changelog

## [1.4.0] - 2026-10-02
### Reverted
- Reverted the v41 model after a drift alert.
- Reverted the feature store client upgrade.
""")
    write(tmp_path, "docs/api.md", "# Session API\n\n## `session.rollback()`\n\nUndo the open transaction.\n\n"
          "- Returns `None`.\n- Raises `StateError` when closed.\n")
    write(tmp_path, "CONTRIBUTING.md", "# Contributing\n\n## Reverting a commit\n\n1. Run `git revert <sha>`.\n"
          "2. Open a pull request.\n")
    assert run_detector(rollback_runbook, tmp_path) == []


def test_heading_with_placeholder_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "docs/runbook.md", "# Runbook\n\n## Rollback\n\n- TODO\n- TBD\n\nLast rehearsed: 2026-10-02\n")
    evidence = run_detector(rollback_runbook, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "rollback heading but no steps" in evidence[0].detail
    assert evidence[0].line == 3


def test_steps_only_in_a_code_block_say_so(tmp_path: Path) -> None:
    write(tmp_path, "docs/rollback.md", """\
# Rollback

Run:

```bash
helm rollback scorer 0
kubectl rollout status deployment/scorer
```

Last rehearsed: 2026-10-02
""")
    evidence = run_detector(rollback_runbook, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no steps" in evidence[0].detail and "code block" in evidence[0].detail


def test_single_step_and_contacts_are_not_a_procedure(tmp_path: Path) -> None:
    write(tmp_path, "docs/rollback.md", """\
# Rollback
1. Run `helm rollback scorer 0`.

## Contacts
- @alice (primary)
- @bob (secondary)
""")
    evidence = run_detector(rollback_runbook, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "only 1 step" in evidence[0].detail


def test_steps_without_a_date(tmp_path: Path) -> None:
    write(tmp_path, "docs/rollback.md", runbook_with("We rehearse this every quarter."))
    evidence = run_detector(rollback_runbook, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "never says when it was last rehearsed" in evidence[0].detail
    assert "Last rehearsed: YYYY-MM-DD" in evidence[0].detail


def test_rehearsal_two_years_old(tmp_path: Path) -> None:
    write(tmp_path, "docs/rollback.md", runbook_with("Last tested on 2024-10-02 in staging."))
    evidence = run_detector(rollback_runbook, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    detail = evidence[0].detail
    assert "2024-10-02" in detail and "781 days ago" in detail and "180-day limit" in detail


def test_configurable_rehearsal_age(tmp_path: Path) -> None:
    write(tmp_path, "docs/rollback.md", RUNBOOK)
    evidence = run_detector(rollback_runbook, tmp_path, rollback_rehearsal_max_days=30)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "51 days ago" in evidence[0].detail and "30-day limit" in evidence[0].detail
    assert verdicts(run_detector(rollback_runbook, tmp_path, rollback_rehearsal_max_days=60), ITEM) == ["supports"]


def test_future_rehearsal_date(tmp_path: Path) -> None:
    write(tmp_path, "docs/rollback.md", runbook_with("Rollback drill: 2027-02-01"))
    evidence = run_detector(rollback_runbook, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "2027-02-01 is in the future" in evidence[0].detail


def test_invalid_rehearsal_date(tmp_path: Path) -> None:
    write(tmp_path, "docs/rollback.md", runbook_with("Last rehearsed: 2026-13-40"))
    evidence = run_detector(rollback_runbook, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "`2026-13-40` is not a valid date" in evidence[0].detail


def test_vendored_runbook_is_ignored_unless_declared(tmp_path: Path) -> None:
    write(tmp_path, "vendor/helm-charts/docs/rollback.md", RUNBOOK)
    assert run_detector(rollback_runbook, tmp_path) == []
    declared = run_detector(rollback_runbook, tmp_path, evidence={"rollback": ["vendor/helm-charts/docs/rollback.md"]})
    assert verdicts(declared, ITEM) == ["supports"]


def test_unreadable_runbook(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "rollback.md").write_bytes("# Rollback\n\n1. \xe9tape un\n".encode("latin-1"))
    evidence = run_detector(rollback_runbook, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert "not UTF-8" in evidence[0].detail


# ---------------------------------------------------------------------- Argo Rollouts and Flagger
ROLLOUT = """\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: fraud-scorer
spec:
  replicas: 4
  selector:
    matchLabels: {app: fraud-scorer}
  template:
    metadata:
      labels: {app: fraud-scorer}
    spec:
      containers:
        - name: scorer
          image: registry.example.com/fraud-scorer:1.4.0
  strategy:
    canary:
      steps:
        - setWeight: 10
        - pause: {duration: 10m}
        - analysis:
            templates:
              - templateName: error-rate
        - setWeight: 50
        - pause: {duration: 10m}
"""


def test_rollout_with_step_analysis_supports(tmp_path: Path) -> None:
    write(tmp_path, "deploy/rollout.yaml", "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: fraud-scorer\n---\n" + ROLLOUT)
    evidence = run_detector(progressive_delivery, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "Argo Rollout `fraud-scorer` aborts and rolls back when analysis `error-rate` fails"
    assert evidence[0].line == 8  # the `kind: Rollout` line


def test_blue_green_with_pre_promotion_analysis_in_a_helm_template(tmp_path: Path) -> None:
    write(tmp_path, "charts/scorer/templates/rollout.yaml", """\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: {{ include "scorer.fullname" . }}
spec:
  strategy:
    blueGreen:
      activeService: scorer-active
      previewService: scorer-preview
      autoPromotionEnabled: false
      prePromotionAnalysis:
        templates:
          - templateName: prediction-drift
          - templateName: latency-p99
""")
    evidence = run_detector(progressive_delivery, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "(templated name)" in evidence[0].detail
    assert "analyses `prediction-drift`, `latency-p99`" in evidence[0].detail


def test_rollout_without_analysis_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "deploy/rollout.yaml", ROLLOUT.replace("""\
        - analysis:
            templates:
              - templateName: error-rate
""", ""))
    evidence = run_detector(progressive_delivery, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "canary strategy but no analysis" in evidence[0].detail


def test_flagger_canary(tmp_path: Path) -> None:
    canary = """\
apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: scorer
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: scorer}
  analysis:
    interval: 1m
    threshold: 5
    maxWeight: 50
    stepWeight: 10
    metrics:
      - name: request-success-rate
        thresholdRange: {min: 99}
        interval: 1m
      - name: request-duration
        thresholdRange: {max: 500}
        interval: 1m
"""
    write(tmp_path, "deploy/canary.yaml", canary)
    evidence = run_detector(progressive_delivery, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "Flagger Canary `scorer`" in evidence[0].detail and "`request-success-rate`" in evidence[0].detail

    write(tmp_path, "deploy/canary.yaml", canary.split("    metrics:")[0])
    evidence = run_detector(progressive_delivery, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no analysis metrics" in evidence[0].detail


def test_look_alike_kinds_are_ignored(tmp_path: Path) -> None:
    write(tmp_path, "deploy/other.yaml", """\
apiVersion: example.io/v1
kind: Rollout
metadata: {name: not-argo}
spec: {}
---
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: retrain}
spec: {entrypoint: train}
""")
    assert run_detector(progressive_delivery, tmp_path) == []


def test_malformed_rollout_yaml_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "deploy/rollout.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nspec:\n  strategy: [canary\n")
    evidence = run_detector(progressive_delivery, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert "could not be parsed as YAML" in evidence[0].detail


# ---------------------------------------------------------------------- CI pipelines
@pytest.mark.parametrize(
    ("workflow", "expected", "words"),
    [
        pytest.param("""\
name: deploy
on: {push: {branches: [main]}}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Deploy
        run: |
          helm upgrade scorer ./charts/scorer \\
            --install --atomic --timeout 10m
""", "supports", ["`deploy`", "--atomic"], id="helm-atomic"),
        pytest.param("""\
name: deploy
on: {push: {branches: [main]}}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: kubectl apply -f deploy/
      - run: ./scripts/smoke_test.sh
      - name: Roll back
        if: ${{ failure() }}
        run: kubectl rollout undo deployment/scorer
""", "supports", ["kubectl rollout undo", "when the deploy fails"], id="undo-on-failure"),
        pytest.param("""\
name: rollback
on:
  workflow_dispatch:
    inputs:
      revision: {required: true}
jobs:
  rollback:
    runs-on: ubuntu-latest
    steps:
      - run: helm rollback scorer ${{ inputs.revision }}
""", "partial", ["on demand", "helm rollback", "rehearsal"], id="manual-rollback"),
    ],
)
def test_github_workflows(tmp_path: Path, workflow: str, expected: str, words: list[str]) -> None:
    write(tmp_path, ".github/workflows/deploy.yml", workflow)
    evidence = run_detector(rollback_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == [expected]
    assert all(word in evidence[0].detail for word in words)


def test_gitlab_rollback_on_failure(tmp_path: Path) -> None:
    write(tmp_path, ".gitlab-ci.yml", """\
stages: [deploy, recover]
deploy:
  stage: deploy
  script:
    - helm upgrade --install scorer charts/scorer
rollback:
  stage: recover
  when: on_failure
  script:
    - helm rollback scorer
""")
    evidence = run_detector(rollback_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`rollback`" in evidence[0].detail


def test_workflow_without_rollback_and_malformed_workflow(tmp_path: Path) -> None:
    write(tmp_path, ".github/workflows/ci.yml", "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
          "    steps:\n      - run: pytest\n")
    assert run_detector(rollback_pipeline, tmp_path) == []
    write(tmp_path, ".github/workflows/deploy.yml", "jobs:\n  deploy:\n    steps:\n      - run: helm rollback scorer\n     bad: [\n")
    evidence = run_detector(rollback_pipeline, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]


def test_a_date_in_inline_code_is_an_example_not_a_rehearsal(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "writing-runbooks.md").write_text(
        "# Rollback runbooks\n\n"
        "- Number the steps of the procedure, one command per step.\n"
        "- Say which dashboard shows that the previous version is healthy again.\n"
        "- Write the date of the last drill as `Last rehearsed: 2026-10-02` under the steps.\n"
    )
    evidence = run_detector(rollback_runbook, tmp_path)
    assert verdicts(evidence, "rollback") == ["partial"]
    assert "never says when it was last rehearsed" in evidence[0].detail
