"""Safety-nets item stakeholder-communication: who hears what, how and when, if a launch goes wrong."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_dedented

from pytest_mlchecklist.detectors.safety_team import stakeholder_comms_plan

ITEM = "stakeholder-communication"

PLAN = """
    # Ranking v5 launch

    ## Stakeholder communication plan
    | Audience | Channel | Sender | When |
    |---|---|---|---|
    | Product | #ranking-launch | @maya (launch owner) | within 30 minutes of a rollback decision |
    | Customer support | e-mail to support-leads@shop.example.net | @maya | before the rollback starts |
    | Business / leadership | weekly business review | Tom Becker | at the next review |

    ### Message template
    - Subject: Ranking rollback in progress
    - Body: what happened, customer impact, next update time.

    Last reviewed: 2026-10-15
"""


def test_plan_supports(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch/ranking-v5.md": PLAN})
    evidence = run_detector(stakeholder_comms_plan, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    detail = evidence[0].detail
    assert "product" in detail and "support" in detail and "1 message template" in detail
    assert "reviewed 2026-10-15" in detail and evidence[0].line == 3


def test_nothing_there(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"README.md": "# Ranking\n\nRanks products.\n"})
    assert run_detector(stakeholder_comms_plan, tmp_path) == []


def test_heading_only_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch.md": "# Launch\n\n## Communication plan\n\nTBD\n\n## Metrics\n- CTR\n"})
    evidence = run_detector(stakeholder_comms_plan, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "nothing under it" in evidence[0].detail


def test_unreviewed_or_stale_plan_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch/ranking-v5.md": PLAN.replace("Last reviewed: 2026-10-15", "")})
    evidence = run_detector(stakeholder_comms_plan, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "is not dated" in evidence[0].detail

    write_dedented(tmp_path, {"docs/launch/ranking-v5.md": PLAN.replace("2026-10-15", "2025-01-15")})
    evidence = run_detector(stakeholder_comms_plan, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "2025-01-15" in evidence[0].detail and "review_max_days" in evidence[0].detail


def test_vague_plan_names_what_is_missing(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch.md": """
        # Launch

        ## Communication
        We will keep product in the loop if anything happens.

        Last reviewed: 2026-11-01
    """})
    evidence = run_detector(stakeholder_comms_plan, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    detail = evidence[0].detail
    assert "second audience" in detail and "channels" in detail and "who sends" in detail and "when updates" in detail


def test_technical_communication_section_is_not_a_plan(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/architecture.md": """
        # Architecture

        ## Communication with the feature store
        The scorer reads features over gRPC with a 50 ms deadline.
        Responses are cached for five minutes.
    """})
    assert run_detector(stakeholder_comms_plan, tmp_path) == []
