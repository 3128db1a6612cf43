"""Item 47 (success-metrics): metrics with targets, action thresholds and a dated sign-off."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.org_documents import success_metrics

ITEM = "success-metrics"

AGREEMENT = """\
# Fraud scorer: success metrics agreement

## Success metrics

| Metric | Target | Action threshold |
|---|---|---|
| Fraud caught (recall at 1% FPR) | >= 0.72 | < 0.65 for 3 days |
| Chargeback rate | <= 0.4% of volume | > 0.6% in a week |
| p99 latency | < 80 ms | > 120 ms for 15 minutes |

## When to act
- If recall drops below 0.65 for three days, the ML on-call opens an incident and starts a retraining run.
- If the chargeback rate exceeds 0.6%, product pauses the rollout and rolls back to the previous model.

## Sign-off

| Party | Name | Date |
|---|---|---|
| ML | @dana-ml | 2026-09-14 |
| Product | Priya Raman | 2026-09-15 |
| Business | @risk-lead | 2026-09-15 |
"""


def test_agreement_with_targets_actions_and_sign_off_supports(tmp_path: Path) -> None:
    write(tmp_path, "docs/success-metrics.md", AGREEMENT)
    evidence = run_detector(success_metrics, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert found.detail == "3 metric targets with action thresholds, signed off by 3 parties on 2026-09-15"
    assert found.path == "docs/success-metrics.md" and found.line == 7


def test_list_style_agreement_with_sign_off_line(tmp_path: Path) -> None:
    write(tmp_path, "LAUNCH.md", """\
# Launch criteria

## KPIs
- Approval rate at least 92% (today 90%).
- Manual review queue under 400 cases a day.

## Guardrails
- Loss rate above 1.2% for a week: roll back to the rules engine.

Signed off by @ml-lead, @product-owner and jane.doe@acme.io on 2026-10-01.
""")
    evidence = run_detector(success_metrics, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "2 metric targets" in evidence[0].detail and "3 parties on 2026-10-01" in evidence[0].detail


def test_missing_parts_are_listed(tmp_path: Path) -> None:
    text = AGREEMENT.split("## When to act")[0].replace(" Action threshold |", "").replace("|---|---|---|", "|---|---|")
    text = "\n".join(line.rsplit("|", 2)[0] + "|" if line.startswith("| ") and line.count("|") == 4 else line
                     for line in text.splitlines())
    write(tmp_path, "docs/success.md", text)
    evidence = run_detector(success_metrics, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == ("success-metrics document with 3 metric targets, but no action thresholds "
                                  "(what triggers action); no sign-off by the parties; no sign-off date")


def test_sign_off_placeholders_and_one_party(tmp_path: Path) -> None:
    text = AGREEMENT.replace("| Product | Priya Raman | 2026-09-15 |", "| Product | TBD | |")
    text = text.replace("| Business | @risk-lead | 2026-09-15 |", "| Business | TODO | |")
    write(tmp_path, "docs/success.md", text)
    evidence = run_detector(success_metrics, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail.endswith("but sign-off names only one party")


def test_old_agreement_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "docs/success.md", AGREEMENT.replace("2026-09-1", "2025-01-1"))
    evidence = run_detector(success_metrics, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "last reviewed 2025-01-15, 676 days ago, over the 365-day limit" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# Fraud scorer\n\n## Metrics\n- AUC 0.91 on the holdout set\n")
    assert run_detector(success_metrics, tmp_path) == []


def test_success_word_in_other_headings_is_not_a_metrics_document(tmp_path: Path) -> None:
    write(tmp_path, "docs/ci.md", "# CI\n\n## On success\n- The image is pushed with 2 tags.\n- Approved by @ci-bot on 2026-09-01.\n")
    assert run_detector(success_metrics, tmp_path) == []


def test_look_alike_model_card_without_targets_or_sign_off(tmp_path: Path) -> None:
    write(tmp_path, "MODEL_CARD.md", """\
# Model card

## Success criteria
The model should catch more fraud than the rules engine and keep customers happy.

## Evaluation
- AUC 0.91 on the holdout set (2026-08-01)

```text
Signed off by @ml-lead and @product on 2026-09-01
recall >= 0.7, page on-call if recall < 0.6
```
""")
    evidence = run_detector(success_metrics, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == ("success-metrics document, but no metric with a numeric target; no action thresholds "
                                  "(what triggers action); no sign-off by the parties; no sign-off date")


def test_unreadable_declared_document(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "success-metrics.md").write_bytes(b"\xff\xfe\x00")
    evidence = run_detector(success_metrics, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
