"""Safety-nets item human-fallback: low-confidence cases go to a person."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_dedented

from pytest_mlchecklist.detectors.safety_compliance import human_review_code, human_review_config, human_review_runbook

ITEM = "human-fallback"


def test_low_confidence_routed_to_review_queue_supports(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/claims/decide.py": """
        from claims.queues import review_queue

        REVIEW_THRESHOLD = 0.7


        def decide(claim, model):
            result = model.predict(claim)
            if result.confidence < REVIEW_THRESHOLD:
                review_queue.put(claim.id)
                return "pending"
            return result.label
    """})
    evidence = run_detector(human_review_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "review_queue.put`" in evidence[0].detail and "`result.confidence`" in evidence[0].detail
    assert evidence[0].line == 8


def test_returned_manual_review_label_supports(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/route.py": """
        def route(score: float, review_below: float = 0.55) -> str:
            if score >= review_below:
                return "auto_approve"
            else:
                return "manual_review"
    """})
    evidence = run_detector(human_review_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]


def test_score_over_a_constant_threshold_returning_review_supports(tmp_path: Path) -> None:
    # The shape of a fraud scorer's decision function: module constants, a "review" decision label.
    write_dedented(tmp_path, {"src/scoring/predictor.py": """
        from typing import Literal

        REVIEW_THRESHOLD = 0.5
        DECLINE_THRESHOLD = 0.8

        Decision = Literal["approve", "review", "decline"]


        def decide(score: float) -> Decision:
            \"\"\"The action for a score.\"\"\"
            if score >= DECLINE_THRESHOLD:
                return "decline"
            if score >= REVIEW_THRESHOLD:
                return "review"
            return "approve"
    """})
    evidence = run_detector(human_review_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].line == 13
    assert "`REVIEW_THRESHOLD`" in evidence[0].detail and "`review`" in evidence[0].detail


def test_bare_review_string_is_not_a_fallback(tmp_path: Path) -> None:
    # "review" returned without a score threshold, logged under one, or returned under a non-constant comparison.
    write_dedented(tmp_path, {"src/scoring/labels.py": """
        import logging

        REVIEW_THRESHOLD = 0.5
        log = logging.getLogger(__name__)


        def page_kind(kind: str) -> str:
            if kind == "post":
                return "review"
            return "article"


        def note(score: float) -> None:
            if score >= REVIEW_THRESHOLD:
                log.info("review")


        def compare(score: float, other_score: float) -> str:
            if score >= other_score:
                return "review"
            return "keep"
    """})
    assert run_detector(human_review_code, tmp_path) == []


def test_nothing_there(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/model.py": "def predict(x):\n    return x\n"})
    assert run_detector(human_review_code, tmp_path) == []
    assert run_detector(human_review_config, tmp_path) == []
    assert run_detector(human_review_runbook, tmp_path) == []


def test_threshold_without_a_person_is_not_a_fallback(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/label.py": """
        def label(score, threshold=0.5):
            # reviewed by the data science team in Q3
            if score > threshold:
                return "fraud"
            return "legit"
    """})
    assert run_detector(human_review_code, tmp_path) == []


def test_tests_are_not_serving_code(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"tests/test_route.py": """
        def test_route(review_queue):
            if 0.2 < 0.5:
                review_queue.put(1)
    """})
    assert run_detector(human_review_code, tmp_path) == []


# ---------------------------------------------------------------------- configuration
def test_config_threshold_and_queue(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"config/serving.yaml": """
        model: claims-v7
        human_review:
          confidence_threshold: 0.65
          review_queue: claims-manual-review
    """})
    evidence = run_detector(human_review_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`claims-manual-review`" not in evidence[0].detail  # values are not copied
    assert evidence[0].line == 3


def test_config_threshold_without_queue_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"config/serving.yaml": "fallback:\n  min_confidence: 0.6\n  mode: rules\n"})
    evidence = run_detector(human_review_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no review queue" in evidence[0].detail


def test_malformed_config_is_unreadable(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"config/serving.yaml": "human_review:\n  review_queue: [a\n"})
    assert verdicts(run_detector(human_review_config, tmp_path), ITEM) == ["unreadable"]


# ---------------------------------------------------------------------- runbook
RUNBOOK = """
    # Claims triage

    ## Human review of low-confidence claims
    - Claims scored below 0.65 confidence land in the `claims-manual-review` queue.
    - An adjuster checks the claim and records the decision in the claims tool.
    - Owner: @claims-ops
    - SLA: decided within 4 business hours.
"""


def test_runbook_with_owner_and_sla_supports(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/runbooks/triage.md": RUNBOOK})
    evidence = run_detector(human_review_runbook, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "@claims-ops" in evidence[0].detail and evidence[0].line == 3


def test_runbook_without_owner_or_sla_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/runbooks/triage.md": """
        # Claims triage

        ## Human review
        Someone looks at the odd cases when they have time.
    """})
    evidence = run_detector(human_review_runbook, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    detail = evidence[0].detail
    assert "an owner" in detail and "an SLA" in detail and "review path" in detail
