"""Item 34, input-quality-alerts: alert rules on input data quality with owners and runbooks."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts

from pytest_mlchecklist.detectors.alerting import INPUT, input_quality_alerts

COMPLETE = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: fraud-input-quality
  namespace: monitoring
spec:
  groups:
    - name: fraud-input-quality
      rules:
        - alert: FraudSchemaViolations
          expr: sum(rate(fraud_schema_violations_total[10m])) / sum(rate(fraud_requests_total[10m])) > 0.01
          for: 15m
          labels:
            severity: page
            team: fraud-ml
          annotations:
            summary: More than 1% of scoring requests fail schema validation
            runbook_url: https://wiki.acme.io/runbooks/fraud/schema-violations
        - alert: FraudFeatureNullRate
          expr: max by (feature) (fraud_feature_null_rate) > 0.05
          for: 30m
          labels:
            severity: ticket
            owner: fraud-ml
          annotations:
            runbook: docs/runbooks/input-nulls.md
        - alert: FraudTransactionsLate
          expr: time() - max(fraud_transactions_last_ingested_timestamp_seconds) > 2 * 3600
          for: 10m
          labels:
            severity: page
            squad: payments-data
          annotations:
            runbook_url: ../docs/runbooks/late-data.md#steps
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_complete_input_alerts_support(tmp_path: Path) -> None:
    write(tmp_path, {
        "deploy/alerts/input-quality.yaml": COMPLETE,
        "docs/runbooks/input-nulls.md": "# Nulls\n\n1. Check the upstream export.\n",
        "deploy/docs/runbooks/late-data.md": "# Late data\n\n1. Check the ingestion job.\n",
    })
    evidence = run_detector(input_quality_alerts, tmp_path)
    assert verdicts(evidence, INPUT) == ["supports"]
    detail = evidence[0].detail
    assert "3 input-quality alerts" in detail
    assert "schema violations" in detail and "null rates" in detail and "data lateness" in detail
    assert "owner" in detail and "runbook" in detail
    assert evidence[0].path == "deploy/alerts/input-quality.yaml"
    assert evidence[0].line == 10


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": "# Fraud scoring\n", "src/app.py": "print('hi')\n"})
    assert run_detector(input_quality_alerts, tmp_path) == []


def test_missing_owner_and_runbook_is_partial(tmp_path: Path) -> None:
    rules = """\
groups:
  - name: input-quality
    rules:
      - alert: FeatureDriftHigh
        expr: max(fraud_feature_psi) > 0.2
        for: 1h
        labels:
          severity: warning
          routing: slack-ml
      - alert: SchemaViolations
        expr: increase(fraud_schema_violations_total[15m]) > 0
        labels:
          team: fraud-ml
        annotations:
          runbook_url: docs/runbooks/missing.md
"""
    write(tmp_path, {"monitoring/rules/input.rules.yml": rules})
    evidence = run_detector(input_quality_alerts, tmp_path)
    assert verdicts(evidence, INPUT) == ["partial"]
    detail = evidence[0].detail
    assert "2 input-quality alerts" in detail
    assert "1 has no owner" in detail
    assert "2 have no runbook link" in detail
    assert "does not exist" in detail


def test_lookalikes_are_not_evidence(tmp_path: Path) -> None:
    """Alerts named for data quality but reading infrastructure metrics, placeholder owners and
    example.com runbooks, and recording rules only."""
    rules = """\
groups:
  - name: data-quality
    rules:
      - alert: InputSchemaViolations
        expr: up{job="fraud-scorer"} == 0
        labels:
          team: fraud-ml
        annotations:
          runbook_url: https://wiki.acme.io/runbooks/down
      - alert: ReplicationLag
        expr: pg_replication_lag_seconds > 300
        labels:
          team: dba
"""
    recording = """\
groups:
  - name: input-quality-records
    rules:
      - record: job:fraud_feature_null_rate:max
        expr: max(fraud_feature_null_rate)
"""
    placeholder = """\
groups:
  - name: drift
    rules:
      - alert: FeatureDrift
        expr: max(fraud_feature_psi) > 0.2
        for: 1h
        labels:
          team: TODO
        annotations:
          runbook_url: https://example.com/runbook
"""
    write(tmp_path, {
        "alerts/infra.yaml": rules,
        "alerts/records.yaml": recording,
        "alerts/drift.yaml": placeholder,
        "alerts/empty.yaml": "groups:\n  - name: data-quality\n    rules: []\n",
    })
    evidence = run_detector(input_quality_alerts, tmp_path)
    assert "supports" not in verdicts(evidence, INPUT)
    details = {found.path: found.detail for found in evidence}
    assert "alerts/infra.yaml" not in details
    assert "no alert fires" in details["alerts/records.yaml"]
    assert "no owner" in details["alerts/drift.yaml"] and "example.com" in details["alerts/drift.yaml"]
    assert "has no rules" in details["alerts/empty.yaml"]


def test_helm_template_and_malformed_file(tmp_path: Path) -> None:
    template = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: {{ include "scorer.fullname" . }}
spec:
  groups:
    - name: input
      rules:
        - alert: NullRateHigh
          expr: max(scorer_input_null_rate) > {{ .Values.alerts.nullRate }}
          for: 30m
          labels:
            team: {{ .Values.team }}
          annotations:
            runbook_url: {{ .Values.runbookUrl }}
"""
    broken = "groups:\n  - name: data-quality\n    rules:\n      - alert: X\n        expr: [unclosed\n"
    write(tmp_path, {"chart/templates/rules.yaml": template, "alerts/broken.yaml": broken})
    evidence = run_detector(input_quality_alerts, tmp_path)
    by_path = {found.path: found for found in evidence}
    assert by_path["alerts/broken.yaml"].verdict == "unreadable"
    helm = by_path["chart/templates/rules.yaml"]
    assert helm.verdict == "partial"
    assert "no owner" in helm.detail and "Helm value" in helm.detail
