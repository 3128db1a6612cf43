"""Item 38 (alert-fatigue): tuned alert rules, Alertmanager grouping/routing/inhibition, alert reviews."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.observability import alert_tuning

ITEM = "alert-fatigue"


TUNED_RULES = """\
groups:
  - name: fraud-scorer
    rules:
      - alert: ScorerHighErrorRate
        expr: sum(rate(http_requests_total{job="scorer",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="scorer"}[5m])) > 0.02
        for: 10m
        labels:
          severity: page
          team: ml-platform
        annotations:
          runbook_url: https://runbooks.example.com/scorer/errors
      - alert: ScorerPredictionDrift
        expr: max(fraud_score_psi) > 0.2
        for: 2h
        labels:
          severity: ticket
          team: fraud-ml
"""

UNTUNED_RULES = """\
groups:
  - name: fraud-scorer
    rules:
      - alert: ScorerHighErrorRate
        expr: sum(rate(http_requests_total{code=~"5.."}[5m])) > 1
        labels:
          severity: page
      - alert: ScorerPodRestarting
        expr: increase(kube_pod_container_status_restarts_total{container="scorer"}[15m]) > 0
        for: 0m
      - alert: ScorerPredictionDrift
        expr: max(fraud_score_psi) > 0.2
        for: 2h
        labels:
          severity: ticket
"""

ALERTMANAGER = """\
global:
  resolve_timeout: 5m
route:
  receiver: ml-tickets
  group_by: [alertname, team]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - receiver: ml-pager
      matchers:
        - severity="page"
    - receiver: ml-tickets
      matchers:
        - severity=~"ticket|warning"
receivers:
  - name: ml-pager
    pagerduty_configs:
      - routing_key_file: /etc/alertmanager/pagerduty-key
  - name: ml-tickets
    slack_configs:
      - channel: "#fraud-ml-alerts"
inhibit_rules:
  - source_matchers: [severity="page"]
    target_matchers: [severity="ticket"]
    equal: [alertname, team]
"""


def test_tuned_rules_and_alertmanager_support(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/rules/scorer.rules.yaml", TUNED_RULES)
    write(tmp_path, "monitoring/alertmanager.yml", ALERTMANAGER)
    evidence = run_detector(alert_tuning, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    detail = evidence[0].detail
    assert "all 2 alerts have `for:` and a severity" in detail
    assert "routes by severity" in detail and "1 inhibit rule" in detail
    assert evidence[0].path == "monitoring/rules/scorer.rules.yaml"


def test_tuned_rules_and_recent_review_support(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/rules/scorer.rules.yaml", TUNED_RULES)
    write(tmp_path, "docs/operations.md", """\
# Fraud scorer operations

## Alert review

Reviewed on 2026-10-05 with the on-call engineers.

- Removed `ScorerLatencyWarning`: fired 41 times in September, never acted on.
- Raised `ScorerHighErrorRate` for: from 2m to 10m.
""")
    evidence = run_detector(alert_tuning, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "alert review dated 2026-10-05" in evidence[0].detail


def test_untuned_rules_are_partial_with_counts(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/rules/scorer.rules.yaml", UNTUNED_RULES)
    write(tmp_path, "monitoring/alertmanager.yml", ALERTMANAGER)
    evidence = run_detector(alert_tuning, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    detail = evidence[0].detail
    assert "2 of 3 alerts fire without `for:`" in detail
    assert "1 of 3 alerts have no severity label" in detail
    assert evidence[0].line == 4


def test_rules_without_routing_or_review_are_partial(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/rules/scorer.rules.yaml", TUNED_RULES)
    evidence = run_detector(alert_tuning, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no alert review recorded" in evidence[0].detail
    assert "no Alertmanager" in evidence[0].detail


def test_alertmanager_without_inhibition_and_old_review_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/rules/scorer.rules.yaml", TUNED_RULES)
    write(tmp_path, "monitoring/alertmanager.yml", """\
route:
  receiver: everyone
  group_by: [alertname]
receivers:
  - name: everyone
    email_configs:
      - to: ml-team@example.com
""")
    write(tmp_path, "docs/alerts.md", "# Alerts\n\n## Alert tuning\n\n- 2024-01-10: removed the disk alert.\n")
    evidence = run_detector(alert_tuning, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    detail = evidence[0].detail
    assert "no routes separating severities" in detail and "no `inhibit_rules`" in detail
    assert "2024-01-10" in detail and "over 180" in detail


def test_alertmanager_config_resource_supports(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/rules/scorer.rules.yaml", TUNED_RULES)
    write(tmp_path, "k8s/alertmanagerconfig.yaml", """\
apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata:
  name: fraud-scorer
spec:
  route:
    receiver: slack
    groupBy: [alertname]
    groupWait: 30s
    repeatInterval: 4h
    routes:
      - receiver: pagerduty
        matchers:
          - name: severity
            value: page
  receivers:
    - name: slack
    - name: pagerduty
  inhibitRules:
    - sourceMatch:
        - name: severity
          value: page
      targetMatch:
        - name: severity
          value: ticket
      equal: [alertname]
""")
    evidence = run_detector(alert_tuning, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "AlertmanagerConfig" in evidence[0].detail


def test_nothing_and_look_alikes_give_no_support(tmp_path: Path) -> None:
    assert run_detector(alert_tuning, tmp_path) == []
    # a review heading with only a placeholder, a review inside a code block
    write(tmp_path, "docs/alerts.md", "# Alerts\n\n## Alert review\n\nTODO\n\n```markdown\n## Alert review\n2026-10-01\n```\n")
    assert run_detector(alert_tuning, tmp_path) == []
    # an empty rule group and a route-less config
    write(tmp_path, "monitoring/rules.yaml", "groups:\n  - name: scorer\n    rules: []\n")
    assert verdicts(run_detector(alert_tuning, tmp_path), ITEM) == []


def test_review_without_date_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/rules/scorer.rules.yaml", TUNED_RULES)
    write(tmp_path, "docs/alerts.md", "# Alerts\n\n## Noisy alerts\n\n- The drift alert fires on weekends; raise its for.\n")
    evidence = run_detector(alert_tuning, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "has no date" in evidence[0].detail


def test_unreadable_rule_file_prevents_support(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/rules/scorer.rules.yaml", TUNED_RULES)
    write(tmp_path, "monitoring/alertmanager.yml", ALERTMANAGER)
    write(tmp_path, "monitoring/rules/broken.rules.yaml", "groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: [up\n")
    evidence = run_detector(alert_tuning, tmp_path)
    assert sorted(verdicts(evidence, ITEM)) == ["partial", "unreadable"]
    partial = next(found for found in evidence if found.verdict == "partial")
    assert "could not be read" in partial.detail


def test_kube_prometheus_stack_values(tmp_path: Path) -> None:
    write(tmp_path, "deploy/monitoring/values.yaml", """\
additionalPrometheusRulesMap:
  fraud-scorer:
    groups:
      - name: fraud-scorer
        rules:
          - alert: ScorerDown
            expr: up{job="scorer"} == 0
            for: 5m
            labels:
              severity: page
alertmanager:
  config:
    route:
      receiver: tickets
      group_by: [alertname, namespace]
      routes:
        - receiver: pager
          match:
            severity: page
    receivers:
      - name: tickets
      - name: pager
    inhibit_rules:
      - source_match:
          severity: page
        target_match:
          severity: warning
        equal: [alertname]
""")
    evidence = run_detector(alert_tuning, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "the 1 alert has `for:`" in evidence[0].detail
