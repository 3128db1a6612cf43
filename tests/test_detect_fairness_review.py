"""Safety-nets item fairness-review: a completed bias and fairness review, or fairness results."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_dedented

from pytest_mlchecklist.detectors.safety_compliance import fairness_report, fairness_review_document

ITEM = "fairness-review"

REVIEW = """
    # Credit limit model: fairness review

    ## Groups compared
    We compared approval outcomes across gender, age bands (18-25, 26-40, 41-65, 65+) and ethnicity.

    ## Metrics
    | Group | Approval rate | Disparate impact ratio |
    |---|---|---|
    | Women | 0.41 | 0.93 |
    | Men | 0.44 | 1.00 |
    | Age 65+ | 0.37 | 0.84 |

    - Equalized odds difference (gender): 0.03
    - False positive rate gap (age): 2.1 points

    ## Conclusion
    No group falls under the four-fifths rule; the lowest ratio (age 65+) is monitored monthly.

    ## Sign-off
    - Reviewed by: @risk-analytics and Priya Raman
    - Approved on 2026-09-30
"""


def test_complete_review_supports(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/fairness-review.md": REVIEW})
    evidence = run_detector(fairness_review_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert found.path == "docs/fairness-review.md" and found.line == 1
    assert "signed off 2026-09-30 (53 days ago)" in found.detail
    assert "gender" in found.detail
    assert found.values["metric_figures"] >= 4


def test_nothing_there(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"README.md": "# Scorer\n\nScores credit applications.\n", "src/model.py": "x = 1\n"})
    assert run_detector(fairness_review_document, tmp_path) == []
    assert run_detector(fairness_report, tmp_path) == []


def test_heading_with_todo_is_not_a_review(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/model-card.md": """
        # Model card

        ## Intended use
        Credit limit suggestions for existing customers.

        ## Fairness
        - TODO
        - TBD
    """})
    evidence = run_detector(fairness_review_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "nothing under it" in evidence[0].detail
    assert evidence[0].line == 6


def test_bias_in_another_sense_is_ignored(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/training.md": """
        # Training notes

        ## Bias initialisation
        The output layer bias is set to the log of the base rate so early epochs are stable.
        This shortens training by two epochs.
    """})
    assert run_detector(fairness_review_document, tmp_path) == []


def test_stale_sign_off_and_missing_parts_are_partial(tmp_path: Path) -> None:
    stale = REVIEW.replace("2026-09-30", "2024-05-01")
    write_dedented(tmp_path, {"docs/fairness-review.md": stale})
    evidence = run_detector(fairness_review_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "2024-05-01" in evidence[0].detail and "365-day limit" in evidence[0].detail

    write_dedented(tmp_path, {"docs/fairness-review.md": """
        # Fairness review

        We looked at gender and age and found nothing worrying. Disparate impact looked fine.
    """})
    evidence = run_detector(fairness_review_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    detail = evidence[0].detail
    assert "fairness metrics with numbers" in detail and "a conclusion" in detail and "named reviewer" in detail


def test_placeholder_reviewer_does_not_sign(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/fairness-review.md": REVIEW.replace(
        "Reviewed by: @risk-analytics and Priya Raman", "Reviewed by: @tbd")})
    evidence = run_detector(fairness_review_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "named reviewer" in evidence[0].detail


def test_unreadable_review(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "fairness.md").write_bytes("# Fairness \xe9\n".encode("latin-1"))
    evidence = run_detector(fairness_review_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]


# ---------------------------------------------------------------------- results files
def test_aif360_style_results_support(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"reports/fairness/2026-11.json": """
        {
          "generated_at": "2026-11-02",
          "protected_attribute": "sex",
          "disparate_impact": 0.91,
          "statistical_parity_difference": -0.03,
          "equal_opportunity_difference": 0.02
        }
    """})
    evidence = run_detector(fairness_report, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "3 metrics" in evidence[0].detail and evidence[0].line == 4


def test_fairlearn_by_group_supports(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"eval/fairness.yaml": """
        sensitive_feature: age_band
        by_group:
          18-25: {selection_rate: 0.31, recall: 0.72}
          26-40: {selection_rate: 0.35, recall: 0.75}
    """})
    evidence = run_detector(fairness_report, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "by_group" in evidence[0].detail


def test_thresholds_only_and_stale_results_are_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"config/gates.yaml": "min_disparate_impact: 0.8\nmax_equalized_odds_difference: 0.1\n"})
    evidence = run_detector(fairness_report, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no measured results" in evidence[0].detail

    write_dedented(tmp_path, {"config/gates.yaml": "x: 1\n", "reports/fairness.json":
                              '{"generated_at": "2023-01-10", "disparate_impact": 0.9}'})
    evidence = run_detector(fairness_report, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "days old" in evidence[0].detail


def test_results_in_tests_are_fixtures(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"tests/data/fairness.json": '{"disparate_impact": 0.9}'})
    assert run_detector(fairness_report, tmp_path) == []


def test_malformed_results_are_unreadable(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"reports/fairness.json": '{"disparate_impact": 0.9,'})
    evidence = run_detector(fairness_report, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
