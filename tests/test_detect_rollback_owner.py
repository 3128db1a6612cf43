"""Safety net rollback-owner: a named rollback owner, on call during the launch window."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_dedented

from pytest_mlchecklist.detectors.safety_rollout import rollback_owner_config, rollback_owner_document

ITEM = "rollback-owner"


def test_owner_and_launch_window(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch-plan.md": """
        # Ranker v3 launch plan

        - Launch window: 2026-11-30 to 2026-12-04
        - Rollback owner: @maria-lopez (primary), @ml-platform (backup)
    """})
    evidence = run_detector(rollback_owner_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "2026-11-30" in evidence[0].detail or "2026-12-04" in evidence[0].detail
    assert "maria" not in evidence[0].detail


LAUNCH_PLAN = """
    # Launch plan: scorer-2026.11

    Launch date: 2026-11-24

    | What | Value |
    |---|---|
    | launch window | 2026-11-24 to 2026-12-10 |
    | readiness review | run on 2026-11-22 |

    ## Roles

    - Rollback owner: @dokafor (launch DRI), backup @mkowalski.
    - On call during the launch window: @mkowalski primary in the week of 2026-11-23.

    ## Post-launch review

    - Date: 2026-12-16
    - Agenda: the A/B decision, and the recall on matured labels (a follow-up on 2027-01-25, once
      the labels of the launch weeks have matured).
"""


def test_the_window_date_is_the_one_the_window_line_names(tmp_path: Path) -> None:
    # A later follow-up date under a launch-related heading is not the launch window.
    write_dedented(tmp_path, {"docs/launch/scorer-2026.11.md": LAUNCH_PLAN})
    evidence = run_detector(rollback_owner_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "rollback owner named for a launch window dated 2026-12-10"


def test_a_next_review_date_is_not_a_launch_window(tmp_path: Path) -> None:
    # Only a follow-up date near the launch words: the owner is named, but no window is given.
    write_dedented(tmp_path, {"docs/launch/scorer.md": """
        # Scorer launch

        - Rollback owner: @dokafor
        - Next review of the launch: 2027-01-25
        - Release follow-up on 2027-02-01
    """})
    evidence = run_detector(rollback_owner_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no launch window" in evidence[0].detail and "2027" not in evidence[0].detail


def test_roles_table_and_pagerduty_schedule(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch.md": """
        # Launch roles

        | Role | Who |
        |---|---|
        | Rollback | Jane Doe |
        | Comms | @product-lead |

        On call during the launch: https://acme.pagerduty.com/schedules/P1ABC23
    """})
    evidence = run_detector(rollback_owner_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "PagerDuty" in evidence[0].detail


def test_placeholder_owner_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch.md": """
        # Launch

        Launch window: 2026-12-01.

        Rollback owner: TBD
    """, "docs/template.md": """
        # Launch template

        Rollback owner: <name>
    """})
    evidence = run_detector(rollback_owner_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    assert all("nobody is named" in found.detail for found in evidence)


def test_owner_without_window_or_with_old_window(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/a.md": "# Launch\n\nRollback owner: @maria\n",
                              "docs/b.md": "# Launch\n\nRollback owner: @maria\n\nLaunch window: 2023-01-10\n"})
    found = {item.path: item for item in run_detector(rollback_owner_document, tmp_path)}
    assert found["docs/a.md"].verdict == "partial" and "no launch window" in found["docs/a.md"].detail
    assert found["docs/b.md"].verdict == "partial" and "ended" in found["docs/b.md"].detail


def test_rollback_text_without_owner_is_nothing(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"runbooks/rollback.md": """
        # Rollback

        1. Set the flag to 0%, owned by the serving code.
        2. Page @ml-oncall if it fails.
    """})
    assert run_detector(rollback_owner_document, tmp_path) == []


def test_owner_on_call_with_a_rotation_file(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/launch.md": """
        # Launch

        Rollback owner: @maria, who is on call for the whole launch week.
    """, "ops/oncall.yaml": """
        schedule:
          name: ml-primary
          members: ["@maria", "@bchen"]
    """})
    evidence = run_detector(rollback_owner_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "ops/oncall.yaml" in evidence[0].detail


def test_launch_config_with_owner_and_window(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"release/launch.yaml": """
        model: ranker-v3
        launch_window: {start: 2026-11-30, end: 2026-12-04}
        rollback:
          owner: "@maria-lopez"
          steps: docs/rollback.md
    """, "release/old.yaml": """
        rollback_owner: Jane Doe
        launch_date: 2024-02-01
    """, "release/template.yaml": """
        rollback_owner: "<name>"
        launch_date: 2026-12-01
    """})
    found = {item.path: item for item in run_detector(rollback_owner_config, tmp_path)}
    assert found["release/launch.yaml"].verdict == "supports"
    assert "2026-12-04" in found["release/launch.yaml"].detail
    assert found["release/old.yaml"].verdict == "partial"
    assert found["release/template.yaml"].verdict == "partial"
    assert "names nobody" in found["release/template.yaml"].detail


def test_config_without_rollback_owner_is_nothing(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"release/launch.yaml": """
        owner: "@maria"
        rollback:
          enabled: true
          strategy: helm
    """})
    assert run_detector(rollback_owner_config, tmp_path) == []
