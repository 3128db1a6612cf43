"""Safety net ab-test-plan: an approved A/B test plan with sample size, duration and success criteria."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_dedented

from pytest_mlchecklist.detectors.safety_experiments import ab_test_plan_document, experiment_config

ITEM = "ab-test-plan"

PLAN = """
    # A/B test plan: ranker v3

    ## Design

    - Sample size: 120,000 users per arm (MDE 1.5% relative CTR, 80% power)
    - Duration: 14 days, two full weekly cycles

    ## Success criteria

    - Ship if CTR improves by at least 1% with p < 0.05 and revenue per session does not drop.

    ## Approval

    Approved by @dana-product and @ml-lead on 2026-11-10.
"""


def test_complete_plan(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/experiments/ranker-v3.md": PLAN})
    evidence = run_detector(ab_test_plan_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "approval dated 2026-11-10" in evidence[0].detail
    assert "dana" not in evidence[0].detail


def test_missing_sample_size_and_stale_approval(tmp_path: Path) -> None:
    text = PLAN.replace("    - Sample size: 120,000 users per arm (MDE 1.5% relative CTR, 80% power)\n", "")
    write_dedented(tmp_path, {"docs/plan.md": text.replace("2026-11-10", "2024-01-10")})
    evidence = run_detector(ab_test_plan_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "does not give the sample size" in evidence[0].detail
    assert "2024-01-10" in evidence[0].detail and "review_max_days" in evidence[0].detail


def test_template_and_pending_approval_do_not_count(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/templates/ab-test.md": """
        # A/B test plan template

        ## Sample size

        TODO

        ## Success criteria

        ## Approval

        Approval pending (to be approved by the product lead).
    """})
    evidence = run_detector(ab_test_plan_document, tmp_path)
    assert all(found.verdict != "supports" for found in evidence)


def test_unrelated_experiment_words_are_nothing(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/training.md": """
        # Training

        ## Experiment tracking

        Runs are logged to MLflow; each run lasts about 3 hours.
    """})
    assert run_detector(ab_test_plan_document, tmp_path) == []


def test_experiment_config(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"experiments/ranker-v3.yaml": """
        experiments:
          - key: ranker-v3
            variations: [control, ranker_v3]
            weights: [0.5, 0.5]
            min_sample_size: 120000
            duration_days: 14
            primary_metric: ctr
            approval: {by: "@dana-product", date: 2026-11-10}
    """, "experiments/draft.yaml": """
        experiments:
          - key: ranker-v4
            variations: [control, ranker_v4]
            primary_metric: ctr
    """})
    found = {item.path: item for item in run_detector(experiment_config, tmp_path)}
    assert found["experiments/ranker-v3.yaml"].verdict == "supports"
    assert "`ranker-v3`" in found["experiments/ranker-v3.yaml"].detail
    assert found["experiments/draft.yaml"].verdict == "partial"
    assert "sample size, duration and approval" in found["experiments/draft.yaml"].detail


def test_nothing_there(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"config/app.yaml": "replicas: 2\n", "README.md": "# Ranker\n"})
    assert run_detector(ab_test_plan_document, tmp_path) == []
    assert run_detector(experiment_config, tmp_path) == []
