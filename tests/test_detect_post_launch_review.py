"""Safety-nets item post-launch-review: a retrospective scheduled after launch, or held with notes."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_dedented

from pytest_mlchecklist.detectors.safety_team import post_launch_review_document, post_launch_review_schedule

ITEM = "post-launch-review"

LAUNCH_DOC = """
    # Ranking v5 launch plan

    Launch date: 2026-11-16

    ## Post-launch review
    - Date: 2026-11-30, two weeks after launch
    - Owner: @maya
    - Agenda:
      - CTR and conversion against the control group
      - p99 latency and error budget burn
      - Incidents and rollbacks during the ramp
"""


def test_scheduled_review_supports(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch/ranking-v5.md": LAUNCH_DOC})
    evidence = run_detector(post_launch_review_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "2026-11-30, 14 days after launch" in evidence[0].detail and evidence[0].line == 5
    assert evidence[0].values["days_after_launch"] == 14


def test_past_review_with_notes_supports(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/retros/ranking-v4.md": """
        # Ranking v4 retrospective

        Held on 2026-06-12.

        ## Findings
        - The 10% step hid a latency regression that appeared at 50%.
        - Support heard about the change before product did.
    """})
    evidence = run_detector(post_launch_review_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "held 2026-06-12 with notes" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"README.md": "# Ranking\n\nRanks products.\n"})
    assert run_detector(post_launch_review_document, tmp_path) == []
    assert run_detector(post_launch_review_schedule, tmp_path) == []


def test_undated_intention_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch.md": """
        # Launch

        Launch date: 2026-11-16

        ## Retrospective
        We should do a retro once things settle down.
    """})
    evidence = run_detector(post_launch_review_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "never dated" in evidence[0].detail


def test_review_before_launch_or_without_launch_date_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch/ranking-v5.md": LAUNCH_DOC.replace("Launch date: 2026-11-16", "Launch date: 2026-12-07")})
    evidence = run_detector(post_launch_review_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "not after the launch (2026-12-07)" in evidence[0].detail

    write_dedented(tmp_path, {"docs/launch/ranking-v5.md": LAUNCH_DOC.replace("Launch date: 2026-11-16", "")})
    evidence = run_detector(post_launch_review_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "the launch date" in evidence[0].detail


def test_missing_owner_and_agenda_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch.md": """
        # Launch

        Launch date: 2026-11-16

        ## Post-launch review
        Scheduled for 2026-11-30.
    """})
    evidence = run_detector(post_launch_review_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "an owner" in evidence[0].detail and "agenda" in evidence[0].detail


# ---------------------------------------------------------------------- calendar / ops YAML
def test_ops_calendar_supports(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"ops/launch.yaml": """
        service: ranking
        launch_date: 2026-11-16
        events:
          - type: post-launch review
            date: 2026-11-30
            owner: "@maya"
            agenda: [CTR vs control, p99 latency, incidents]
    """})
    evidence = run_detector(post_launch_review_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "14 days after launch" in evidence[0].detail and "3 agenda items" in evidence[0].detail


def test_ops_calendar_without_launch_or_owner_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"ops/launch.yaml": """
        retrospective:
          date: 2026-11-30
          owner: TBD
          agenda: [metrics]
    """})
    evidence = run_detector(post_launch_review_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    detail = evidence[0].detail
    assert "launch date" in detail and "an owner" in detail and "agenda" in detail


def test_malformed_calendar_is_unreadable(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"ops/launch.yaml": "retrospective:\n  date: [2026-11-30\n"})
    assert verdicts(run_detector(post_launch_review_schedule, tmp_path), ITEM) == ["unreadable"]


def test_post_launch_monitoring_is_not_a_review(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch.md": """
        # Launch

        Launch date: 2026-11-16

        ## Post-launch monitoring
        - Watch the CTR dashboard daily.
        - Page the on-call engineer if p99 goes over 80 ms.
    """})
    assert run_detector(post_launch_review_document, tmp_path) == []


def test_launch_date_under_a_retrospective_title(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/retro.md": """
        # Search ranking v5: post-launch retrospective

        Launch date: 2026-11-16 (10% ramp), 100% on 2026-11-19.

        - Retro on 2026-12-01, owner @maya
        - Metrics to review: CTR, conversion, p99 latency
        - Incidents and pages during the ramp
    """})
    evidence = run_detector(post_launch_review_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "2026-12-01, 15 days after launch" in evidence[0].detail


def test_a_date_inside_the_agenda_is_not_the_review_date(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch/ranking-v5.md": LAUNCH_DOC.replace(
        "      - Incidents and rollbacks during the ramp",
        "      - Incidents and rollbacks during the ramp\n      - Recall on matured labels (a follow-up on 2027-01-25)")})
    evidence = run_detector(post_launch_review_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "scheduled 2026-11-30" in evidence[0].detail and "4 agenda items" in evidence[0].detail


def test_a_follow_up_line_is_not_the_review_date(tmp_path: Path) -> None:
    # The shape of a launch plan whose review section names a later follow-up before the review's own date.
    write_dedented(tmp_path, {"docs/launch/ranking-v5.md": LAUNCH_DOC.replace(
        "    - Date: 2026-11-30, two weeks after launch",
        "    - Follow-up review: 2027-01-25, once the labels have matured\n"
        "    - Date: 2026-11-30, two weeks after launch")})
    evidence = run_detector(post_launch_review_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail.startswith("post-launch review scheduled 2026-11-30, 14 days after launch")
    assert "2027" not in evidence[0].detail


def test_a_next_review_line_without_a_date_field(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch/ranking-v5.md": """
        # Ranking v5 launch plan

        Launch date: 2026-11-16

        ## Post-launch review
        Next review: 2027-01-25, with the matured labels.
        The retro is on 2026-11-30, run by @maya.
        - CTR and conversion against the control group
        - p99 latency and error budget burn
    """})
    evidence = run_detector(post_launch_review_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "scheduled 2026-11-30, 14 days after launch" in evidence[0].detail


def test_pre_launch_and_readiness_reviews_are_not_post_launch_reviews(tmp_path: Path) -> None:
    for heading in ("Pre-launch review", "Launch readiness review"):
        write_dedented(tmp_path, {"docs/launch/ranking-v5.md": LAUNCH_DOC.replace("## Post-launch review", f"## {heading}")})
        assert run_detector(post_launch_review_document, tmp_path) == [], heading
