"""Safety net rollback-triggers: written rollback criteria with thresholds, and rollout analysis thresholds."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_dedented

from pytest_mlchecklist.detectors.safety_rollout import rollback_criteria_document, rollout_abort_thresholds

ITEM = "rollback-triggers"


def test_criteria_with_thresholds(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch.md": """
        # Ranker v3 launch

        ## Rollback criteria

        Roll back without discussion when any of these holds for 15 minutes:

        - p99 latency > 250 ms
        - error rate above 1%
        - CTR drops more than 5% against control

        | Signal | Threshold |
        |---|---|
        | AUC on labelled traffic | < 0.82 |
    """})
    evidence = run_detector(rollback_criteria_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "4 measurable conditions" in evidence[0].detail
    assert "latency" in evidence[0].detail and "business" in evidence[0].detail
    assert evidence[0].line == 3


def test_triggers_nested_under_rollback_heading(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"runbooks/rollback.md": """
        # Rollback

        ## Triggers

        - conversion rate falls below 2.1%
        - p95 latency exceeds 120 ms

        ## Steps

        1. Run the rollback job.
    """})
    evidence = run_detector(rollback_criteria_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]


def test_vague_criteria_are_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch.md": """
        # Launch

        ## Rollback criteria

        - Roll back if things look bad.
        - Ask the team when metrics seem off.
    """, "docs/empty.md": """
        # Other launch

        ## Abort conditions

        TBD

        ## Notes

        Nothing yet.
    """})
    found = {item.path: item for item in run_detector(rollback_criteria_document, tmp_path)}
    assert found["docs/launch.md"].verdict == "partial"
    assert "no measurable condition" in found["docs/launch.md"].detail
    assert found["docs/empty.md"].verdict == "partial"
    assert "nothing under it" in found["docs/empty.md"].detail


def test_rollback_procedure_is_not_criteria(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"runbooks/rollback.md": """
        # Rollback procedure

        1. Set the flag back to 0%.
        2. Check the p99 latency is below 80 ms again.
    """})
    assert run_detector(rollback_criteria_document, tmp_path) == []


def test_analysis_template_thresholds(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"deploy/analysis.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: AnalysisTemplate
        metadata: {name: ranker-health}
        spec:
          metrics:
            - name: error-rate
              interval: 5m
              successCondition: result[0] < 0.01
              provider:
                prometheus: {query: "sum(rate(errors[5m]))"}
            - name: p99-latency
              failureCondition: result[0] >= 0.25
              provider:
                prometheus: {query: "histogram_quantile(0.99, x)"}
    """})
    evidence = run_detector(rollout_abort_thresholds, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`error-rate`, `p99-latency`" in evidence[0].detail


def test_analysis_without_conditions_and_nothing(tmp_path: Path) -> None:
    assert run_detector(rollout_abort_thresholds, tmp_path) == []
    write_dedented(tmp_path, {"deploy/analysis.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: AnalysisTemplate
        metadata: {name: smoke}
        spec:
          metrics:
            - name: smoke-job
              provider:
                job: {spec: {template: {spec: {containers: [{name: t, image: curl}]}}}}
    """})
    evidence = run_detector(rollout_abort_thresholds, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]


def test_flagger_threshold_range(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"deploy/canary.yaml": """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: scorer}
        spec:
          analysis:
            stepWeight: 10
            metrics:
              - name: request-success-rate
                thresholdRange: {min: 99}
    """})
    evidence = run_detector(rollout_abort_thresholds, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
