"""Safety net alert-runbook-links: alerts link to what to do when they fire."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_dedented

from pytest_mlchecklist.detectors.safety_observability import alert_runbook_links

ITEM = "alert-runbook-links"


def rules(*alerts: tuple[str, str | None]) -> str:
    lines = ["groups:", "  - name: ranker", "    rules:"]
    for name, link in alerts:
        lines += [f"      - alert: {name}", "        expr: up == 0"]
        if link is not None:
            lines += ["        annotations:", f"          runbook_url: {link}"]
    return "\n".join(lines) + "\n"


def test_every_alert_linked(tmp_path: Path) -> None:
    write_dedented(tmp_path, {
        "monitoring/rules.yaml": rules(("RankerDown", "https://wiki.acme.io/runbooks/ranker-down"),
                                       ("RankerSlow", "docs/runbooks/slow.md")),
        "docs/runbooks/slow.md": "# Slow\n",
    })
    evidence = run_detector(alert_runbook_links, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail.startswith("2 of 2 alerts in 1 file link a runbook")
    assert evidence[0].values == {"alerts": 2.0, "linked": 2.0}


def test_missing_and_broken_links_are_counted(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"monitoring/rules.yaml": rules(
        ("RankerDown", "https://wiki.acme.io/runbooks/ranker-down"),
        ("RankerSlow", "docs/runbooks/missing.md"),
        ("RankerErrors", None),
    )})
    evidence = run_detector(alert_runbook_links, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "1 of 3 alerts" in evidence[0].detail
    assert "`RankerSlow`, `RankerErrors`" in evidence[0].detail
    assert "does not exist in the repository" in evidence[0].detail


def test_no_links_at_all(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"monitoring/rules.yaml": rules(("A", None), ("B", "https://example.com/runbook"))})
    evidence = run_detector(alert_runbook_links, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "none of the 2 alerts" in evidence[0].detail


def test_grafana_provisioned_alerts(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"grafana/provisioning/alerting/rules.yaml": """
        apiVersion: 1
        groups:
          - orgId: 1
            name: ranker
            folder: ML
            interval: 1m
            rules:
              - uid: ranker-ctr
                title: Ranker CTR drop
                condition: C
                data: []
                annotations:
                  runbook_url: https://wiki.acme.io/runbooks/ctr
    """})
    evidence = run_detector(alert_runbook_links, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]


def test_nothing_there_and_recording_rules_only(tmp_path: Path) -> None:
    assert run_detector(alert_runbook_links, tmp_path) == []
    write_dedented(tmp_path, {"monitoring/rules.yaml": """
        groups:
          - name: rec
            rules:
              - record: job:up:sum
                expr: sum(up)
    """})
    assert run_detector(alert_runbook_links, tmp_path) == []


def test_rule_files_under_tests_are_fixtures(tmp_path: Path) -> None:
    write_dedented(tmp_path, {
        "monitoring/rules.yaml": rules(("RankerDown", "https://wiki.acme.io/runbooks/ranker-down")),
        "tests/fixtures/rules.yaml": rules(("Fixture1", None), ("Fixture2", None), ("Fixture3", None)),
    })
    evidence = run_detector(alert_runbook_links, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail.startswith("1 of 1 alert in 1 file")
