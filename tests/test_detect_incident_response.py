"""Item 50 (incident-response): an incident process with its four steps and a post-mortem template."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.org_documents import incident_response

ITEM = "incident-response"

PROCESS = """\
# Incident response process

Last reviewed: 2026-07-01

## Severity levels
| Level | Meaning |
|---|---|
| SEV1 | Wrong decisions reach customers (e.g. legitimate payments blocked) |
| SEV2 | Model quality below the agreed threshold, no customer impact yet |

## Roles
- Incident commander: the ML on-call engineer.
- Communications lead: the product manager on duty.

## Steps
1. Triage and investigate the root cause: data, model or serving.
2. Communicate to stakeholders in #fraud-incidents and on the status page every 30 minutes.
3. Mitigate and fix: roll back the model or disable the affected feature, then ship the fix.
4. Hold a blameless post-mortem within five working days using the template.
"""

TEMPLATE = """\
# Post-mortem: <title>

## Summary
## Impact
## Timeline
## Root cause
## Action items
"""


def test_process_and_template_support(tmp_path: Path) -> None:
    write(tmp_path, "docs/incidents/process.md", PROCESS)
    write(tmp_path, "docs/incidents/postmortem-template.md", TEMPLATE)
    evidence = run_detector(incident_response, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == ("incident process covers root cause, communication, fix and post-mortem, with "
                                  "severity levels and roles; post-mortem template in docs/incidents/postmortem-template.md")
    assert evidence[0].path == "docs/incidents/process.md" and evidence[0].line == 1


def test_steps_as_sub_headings_and_template_section(tmp_path: Path) -> None:
    write(tmp_path, "RUNBOOK.md", """\
# Scorer runbook

## Incident handling
Severity is SEV1 when customers are affected and SEV2 otherwise.

### Diagnose
Find the root cause with the drift and error-rate dashboards.

### Notify
Post in #fraud-incidents and email the risk stakeholders.

### Remediate
Roll back to the last good model with the release workflow.

### Post-mortem
Write it within a week using the template below.

## Post-mortem template
### Summary
### Impact
### Timeline
### Root cause
### Action items
""")
    evidence = run_detector(incident_response, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "with severity levels" in evidence[0].detail and evidence[0].line == 3


def test_missing_communication_step_and_template(tmp_path: Path) -> None:
    write(tmp_path, "docs/incidents.md", PROCESS.replace(
        "2. Communicate to stakeholders in #fraud-incidents and on the status page every 30 minutes.\n", ""))
    evidence = run_detector(incident_response, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == ("incident process has no communication step; no post-mortem template "
                                  "(summary, impact, timeline, root cause, action items)")


def test_template_without_process_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "docs/postmortems/2026-10-03-stale-features.md", TEMPLATE.replace("<title>", "stale features"))
    evidence = run_detector(incident_response, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail.startswith("post-mortem template found, but no incident process")


def test_past_post_mortem_is_not_a_process(tmp_path: Path) -> None:
    write(tmp_path, "docs/postmortems/2026-10-03.md", """\
# Incident 2026-10-03: stale features

## Summary
Scores were computed on features 6 hours old. Severity: SEV2.

## Impact
About 1,200 payments were declined by mistake.

## Timeline
- 09:10 the freshness alert fired and the incident commander @dana took the lead.
- 09:40 posted an update to stakeholders in #fraud-incidents.

## Root cause
The upstream export job failed silently after a schema change.

## Resolution
Rolled back the feature view and re-ran the export job.

## Lessons learned
- Alert on the export job itself, not only on freshness.
""")
    evidence = run_detector(incident_response, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail.startswith("post-mortem template found, but no incident process")


def test_stale_process_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "docs/incidents/process.md", PROCESS.replace("2026-07-01", "2024-07-01"))
    write(tmp_path, "docs/incidents/postmortem-template.md", TEMPLATE)
    evidence = run_detector(incident_response, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "last reviewed 2024-07-01, 874 days ago" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# Scorer\n\n## Usage\nRun the service.\n")
    assert run_detector(incident_response, tmp_path) == []


def test_look_alike_placeholder_process(tmp_path: Path) -> None:
    write(tmp_path, "docs/incident-response.md", """\
# Incident response

TODO

## Steps
- TBD

```markdown
1. Find the root cause of the incident quickly.
2. Communicate to stakeholders in the channel.
3. Fix the problem and roll back if needed.
4. Hold a post-mortem within a week.
```
""")
    evidence = run_detector(incident_response, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail.startswith("incident process has no root cause step; incident process has no "
                                         "communication step")


def test_unreadable_incident_document(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "incident-process.md").write_bytes(b"\xff\xfe\x00")
    evidence = run_detector(incident_response, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
