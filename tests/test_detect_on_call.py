"""Item 40 (on-call): on-call documents, CODEOWNERS, rotation configs and Terraform schedules."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.monitoring import (
    DETECTORS,
    codeowners_rules,
    on_call_document,
    on_call_schedule,
    on_call_terraform,
)
from pytest_mlchecklist.detectors.runbooks import DETECTORS as ROLLBACK_DETECTORS
from pytest_mlchecklist.detectors.terraform import HclError, hcl_blocks, mask_hcl

ITEM = "on-call"


def run_all(root: Path) -> list[str]:
    return [found.verdict for detector in DETECTORS for found in run_detector(detector, root) if found.item == ITEM]


# ---------------------------------------------------------------------- Markdown
def test_on_call_section_with_handles_and_schedule_link(tmp_path: Path) -> None:
    write(tmp_path, "docs/operations.md", """\
# Fraud scorer operations

## On-call

Alerts from the `fraud-scorer` Prometheus rules page the ML on-call rotation.

- Primary: @alice-martin, secondary: @bchen
- Escalate to @acme/ml-platform after 30 minutes.
- Schedule: [PagerDuty](https://acme.pagerduty.com/schedules/P4X2K9Q)
""")
    evidence = run_detector(on_call_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].line == 3
    assert "3 handles" in evidence[0].detail and "PagerDuty schedule link" in evidence[0].detail
    assert "alice" not in evidence[0].detail  # counts, never names


def test_roster_table(tmp_path: Path) -> None:
    write(tmp_path, "runbooks/oncall.md", """\
# ML on-call rotation

Weekly handoff on Monday 09:00 Europe/Paris.

| Week starting | Primary | Secondary |
|---|---|---|
| 2026-11-16 | Alice Martin | Bruno Chen |
| 2026-11-23 | Bruno Chen | |
| 2026-11-30 | TBD | TBD |
""")
    evidence = run_detector(on_call_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "2 roster rows" in evidence[0].detail


def test_escalation_with_email(tmp_path: Path) -> None:
    write(tmp_path, "docs/runbook.md", "# Runbook\n\n## Escalation\n\nIf the scorer is down for more than "
          "15 minutes, e-mail ml-oncall@acme-payments.com and call the incident line.\n")
    evidence = run_detector(on_call_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "1 e-mail address" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# Fraud scorer\n\nScores card transactions.\n")
    assert run_all(tmp_path) == []


def test_on_call_heading_with_tbd_names_nobody(tmp_path: Path) -> None:
    write(tmp_path, "docs/operations.md", "# Operations\n\n## On-call\n\nTBD\n\n## Dashboards\n\n- Grafana: model health\n")
    evidence = run_detector(on_call_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "placeholder" in evidence[0].detail and "names nobody" in evidence[0].detail


def test_generic_prose_names_nobody(tmp_path: Path) -> None:
    write(tmp_path, "docs/operations.md", """\
# On call

The team is on call during business hours. Page @here in the #ml-alerts channel if something
looks wrong; see the [PagerDuty docs](https://support.pagerduty.com/docs/schedules) and
https://example.pagerduty.com/schedules/PXXXXXX for how schedules work.

| Severity | Response time |
|---|---|
| P1 | 15 minutes |
""")
    evidence = run_detector(on_call_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "names nobody" in evidence[0].detail


def test_look_alike_headings_are_ignored(tmp_path: Path) -> None:
    write(tmp_path, "docs/security-notes.md", """\
# Platform notes

## Key rotation
- @alice rotates the signing keys every 90 days.

## Privilege escalation
- Report to @security-team.

## Rotation
Random rotation of images by up to 15 degrees during augmentation.

## Function call tracing
- Wrap `predict` to log @latency.

## `mock(onCall)`
- Ask @alice.
""")
    write(tmp_path, "SECURITY.md", "# Security\n\n## Escalation\n\nE-mail security@acme-payments.com.\n")
    assert run_detector(on_call_document, tmp_path) == []


def test_codeowners_alone_is_partial(tmp_path: Path) -> None:
    write(tmp_path, ".github/CODEOWNERS", "# Owners\n*       @acme/ml-platform\n/models/ @acme/fraud-ml @dana\n")
    evidence = run_detector(on_call_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "CODEOWNERS names code owners" in evidence[0].detail and "no on-call rotation" in evidence[0].detail


def test_codeowners_with_an_on_call_section_deferring_to_it(tmp_path: Path) -> None:
    write(tmp_path, "CODEOWNERS", "* @acme/fraud-ml\n")
    write(tmp_path, "docs/runbook.md", "# Runbook\n\n## On-call\n\nThe code owners of this repository "
          "(see CODEOWNERS) take the pager in weekly turns.\n")
    evidence = run_detector(on_call_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "code owners" in evidence[0].detail and "CODEOWNERS names 1 owner" in evidence[0].detail

    write(tmp_path, "docs/runbook.md", "# Runbook\n\n## On-call\n\nPage @acme/fraud-ml-oncall.\n")
    assert verdicts(run_detector(on_call_document, tmp_path), ITEM) == ["supports"]


def test_codeowners_rules() -> None:
    text = "# comment\n\n*.py @a @org/team # trailing\n[Docs] @docs-team\ndocs/ \n/x/ someone@acme.io @TODO\n"
    assert codeowners_rules(text) == [(3, ["@a", "@org/team"]), (4, ["@docs-team"]), (6, ["someone@acme.io"])]


def test_rollback_only_repository_has_no_on_call_support(tmp_path: Path) -> None:
    """The repository of the plugin's integration tests: on-call must stay unmet."""
    write(tmp_path, "mlchecklist.yaml", "profile: [rollback, training-serving-skew, load-testing, horizontal-scaling, "
          "on-call]\nwaivers:\n  - item: load-testing\n    reason: Traffic is flat\n    owner: \"@ml-platform\"\n"
          "    expires: 2027-03-01\n")
    write(tmp_path, "docs/rollback.md", "# Rollback\n\n## Rollback procedure\n1. Freeze deploys in the release "
          "channel.\n2. Run `helm rollback scorer 0`.\n\nLast rehearsed: 2026-10-02\n")
    write(tmp_path, "test_model.py", "def test_other():\n    pass\n")
    assert "supports" not in run_all(tmp_path)
    assert all(found.item == "rollback" for detector in ROLLBACK_DETECTORS for found in run_detector(detector, tmp_path))


def test_unreadable_on_call_document(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "oncall.md").write_bytes(b"# On-call\n\n\xff\xfe @alice\n")
    evidence = run_detector(on_call_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]


# ---------------------------------------------------------------------- YAML / JSON rotations
def test_rotation_yaml_with_members(tmp_path: Path) -> None:
    write(tmp_path, "ops/oncall.yaml", """\
team: fraud-ml
rotation:
  type: weekly
  handoff: "Monday 09:00 Europe/Paris"
  members:
    - "@alice-martin"
    - "@bchen"
    - "@dana"
escalation:
  - after_minutes: 30
    notify: "@acme/ml-platform"
""")
    evidence = run_detector(on_call_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "3 members" in evidence[0].detail and evidence[0].line == 5


def test_pagerduty_json_schedule_layers(tmp_path: Path) -> None:
    write(tmp_path, "config/pagerduty.json", """\
{"schedule": {"name": "ML serving", "time_zone": "Europe/Paris",
  "schedule_layers": [{"name": "Weekly", "rotation_turn_length_seconds": 604800,
    "users": [{"user": {"id": "PABC123", "type": "user_reference"}},
              {"user": {"id": "PDEF456", "type": "user_reference"}}]}]}}
""")
    evidence = run_detector(on_call_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "2 members" in evidence[0].detail


def test_empty_rotation_members(tmp_path: Path) -> None:
    write(tmp_path, "opsgenie.yaml", "schedules:\n  - name: ml-serving\n    rotations:\n      - name: weekly\n"
          "        type: weekly\n        participants: []\n")
    evidence = run_detector(on_call_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "empty `participants` list" in evidence[0].detail


def test_on_call_file_without_rotation_and_unrelated_yaml(tmp_path: Path) -> None:
    write(tmp_path, "pagerduty.yaml", "service: fraud-scorer\nintegration: prometheus\nurgency: high\n")
    write(tmp_path, "configs/augment.yaml", "rotation: 15\nusers: [a, b]\nflip: true\n")
    write(tmp_path, ".github/workflows/nightly.yml", "on:\n  schedule:\n    - cron: '0 3 * * *'\n")
    evidence = run_detector(on_call_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].path == "pagerduty.yaml" and "no schedule or rotation" in evidence[0].detail


def test_malformed_rotation_yaml_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "oncall.yaml", "rotation:\n  members: [\"@alice\"\n  type: weekly\n")
    write(tmp_path, "configs/broken.yaml", "a: [\n")  # not an on-call file: skipped quietly
    evidence = run_detector(on_call_schedule, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "oncall.yaml"


# ---------------------------------------------------------------------- Terraform
TERRAFORM = """\
# On-call for the fraud scorer
resource "pagerduty_user" "alice" {
  name  = "Alice Martin"
  email = "alice@acme-payments.com"
}

resource "pagerduty_schedule" "ml_primary" {
  name      = "ML primary"
  time_zone = "Europe/Paris"
  description = "Weekly rotation; braces in strings { do not count"

  layer {
    name                         = "Weekly"
    start                        = "2026-01-05T09:00:00+01:00"
    rotation_virtual_start       = "2026-01-05T09:00:00+01:00"
    rotation_turn_length_seconds = 604800
    users = [
      pagerduty_user.alice.id, // primary
      pagerduty_user.bruno.id, # secondary }
    ]
  }
}

resource "pagerduty_escalation_policy" "ml" {
  name      = "ML serving"
  num_loops = 2
  rule {
    escalation_delay_in_minutes = 15
    target {
      type = "schedule_reference"
      id   = pagerduty_schedule.ml_primary.id
    }
  }
}

resource "opsgenie_schedule_rotation" "weekly" {
  schedule_id = opsgenie_schedule.ml.id
  name        = "weekly"
  start_date  = "2026-01-05T09:00:00Z"
  type        = "weekly"
  participant {
    type = "user"
    id   = opsgenie_user.alice.id
  }
  participant {
    type = "user"
    id   = opsgenie_user.bruno.id
  }
}
"""


def test_terraform_schedules(tmp_path: Path) -> None:
    write(tmp_path, "infra/oncall.tf", TERRAFORM)
    evidence = run_detector(on_call_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports", "supports"]
    details = [found.detail for found in evidence]
    assert details == ["PagerDuty schedule `ml_primary` lists 2 users",
                       "PagerDuty escalation policy `ml` lists 1 target",
                       "Opsgenie rotation `weekly` lists 2 participants"]
    assert [found.line for found in evidence] == [7, 24, 36]


def test_terraform_without_people(tmp_path: Path) -> None:
    write(tmp_path, "infra/oncall.tf", """\
resource "pagerduty_schedule" "ml_primary" {
  name      = "ML primary"
  time_zone = "Europe/Paris"
  layer {
    name  = "Weekly"
    users = [] # TODO add the team
  }
}

resource "opsgenie_schedule_rotation" "weekly" {
  schedule_id = opsgenie_schedule.ml.id
  type        = "weekly"
  participant {
    type = "none"
  }
}

resource "grafana_oncall_on_call_shift" "ml" {
  name  = "ML weekly"
  users = var.ml_oncall_user_ids
}

/*
resource "pagerduty_schedule" "old" {
  layer { users = [pagerduty_user.carol.id] }
}
*/
""")
    evidence = run_detector(on_call_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial", "partial"]
    assert "empty user list" in evidence[0].detail
    assert "lists no participants" in evidence[1].detail
    assert "expression" in evidence[2].detail


def test_terraform_unbalanced_braces_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "infra/oncall.tf", 'resource "pagerduty_schedule" "ml" {\n  layer {\n    users = ["P1"]\n  }\n')
    evidence = run_detector(on_call_terraform, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert 'resource "pagerduty_schedule" "ml"' in evidence[0].detail


def test_block_reader_masks_comments_strings_and_heredocs() -> None:
    text = 'resource "pagerduty_schedule" "x" {\n  description = <<EOT\n  } not a brace\nEOT\n' \
           '  name = "${var.team} {on-call}" # }\n  layer { users = ["P1"] }\n}\n'
    masked = mask_hcl(text)
    assert len(masked) == len(text) and masked.count("\n") == text.count("\n")
    blocks = list(hcl_blocks(text, frozenset({"pagerduty_schedule"})))
    assert [(block.labels, block.line) for block in blocks] == [(("pagerduty_schedule", "x"), 1)]
    assert "users" in blocks[0].body
    with pytest.raises(HclError):
        list(hcl_blocks('resource "pagerduty_schedule" "y" {\n', frozenset({"pagerduty_schedule"})))
