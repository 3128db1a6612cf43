"""Item 39 (stakeholder-dashboards): Grafana dashboards classified into model, platform and business views."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.grafana import Panel, Query
from pytest_mlchecklist.detectors.observability import audience_dashboards, classify_panel

ITEM = "stakeholder-dashboards"


def panel(title: str, expr: str, **extra: Any) -> dict[str, Any]:
    return {"type": "timeseries", "title": title, "datasource": {"type": "prometheus", "uid": "prom"},
            "targets": [{"refId": "A", "expr": expr, **extra}]}


def dashboard(title: str, panels: list[dict[str, Any]]) -> str:
    return json.dumps({"title": title, "uid": title.lower().replace(" ", "-"), "schemaVersion": 39,
                       "time": {"from": "now-24h", "to": "now"}, "panels": panels}, indent=2)


MODEL = dashboard("Fraud model quality", [
    panel("Score distribution (p50/p90)", "histogram_quantile(0.9, sum(rate(fraud_score_bucket[1h])) by (le))"),
    panel("Feature drift (PSI)", "max by (feature) (fraud_feature_psi)"),
    panel("AUC on labelled traffic", "fraud_model_auc{window=\"7d\"}"),
])
PLATFORM = dashboard("Scoring service", [
    panel("p99 latency", "histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{job=\"scorer\"}[5m])) by (le))"),
    panel("5xx error rate", "sum(rate(http_requests_total{job=\"scorer\",code=~\"5..\"}[5m]))"),
    panel("CPU per pod", "sum by (pod) (rate(container_cpu_usage_seconds_total{container=\"scorer\"}[5m]))"),
])
BUSINESS = json.dumps({"title": "Fraud outcomes", "schemaVersion": 39, "panels": [
    {"type": "stat", "title": "Chargebacks this week", "datasource": {"type": "postgres"},
     "targets": [{"refId": "A", "rawSql": "SELECT sum(amount_usd) FROM chargebacks WHERE created_at > now() - interval '7 days'"}]},
    {"type": "timeseries", "title": "Approval rate", "datasource": {"type": "postgres"},
     "targets": [{"refId": "A", "rawSql": "SELECT day, approved::float / total FROM daily_decisions"}]},
]}, indent=2)


def test_three_audiences_support(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/dashboards/model.json", MODEL)
    write(tmp_path, "monitoring/dashboards/service.json", PLATFORM)
    write(tmp_path, "monitoring/dashboards/business.json", BUSINESS)
    evidence = run_detector(audience_dashboards, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    detail = evidence[0].detail
    assert "3 audiences" in detail
    assert "model (`Fraud model quality`, 3 panels)" in detail
    assert "platform (`Scoring service`" in detail and "business (`Fraud outcomes`" in detail
    assert evidence[0].path == "monitoring/dashboards/model.json"


def test_model_and_platform_support_and_name_missing_business(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/dashboards/model.json", MODEL)
    write(tmp_path, "deploy/grafana/service.yaml", f"""\
apiVersion: grafana.integreatly.org/v1beta1
kind: GrafanaDashboard
metadata:
  name: scoring-service
spec:
  instanceSelector:
    matchLabels:
      dashboards: grafana
  json: |
{chr(10).join('    ' + line for line in PLATFORM.splitlines())}
""")
    evidence = run_detector(audience_dashboards, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "no business dashboard" in evidence[0].detail


def test_platform_only_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/dashboards/service.json", PLATFORM)
    write(tmp_path, "monitoring/dashboards/business.json", BUSINESS)
    evidence = run_detector(audience_dashboards, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no model dashboard" in evidence[0].detail


def test_one_mixed_dashboard_is_partial(tmp_path: Path) -> None:
    mixed = dashboard("Scorer overview", [
        panel("Score distribution", "histogram_quantile(0.5, sum(rate(fraud_score_bucket[1h])) by (le))"),
        panel("Prediction drift", "fraud_prediction_psi"),
        panel("p99 latency", "histogram_quantile(0.99, rate(http_request_duration_seconds_bucket[5m]))"),
    ])
    write(tmp_path, "dashboards/overview.json", mixed)
    evidence = run_detector(audience_dashboards, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "only for model" in evidence[0].detail and "no platform or business dashboard" in evidence[0].detail


def test_empty_dashboards_do_not_count(tmp_path: Path) -> None:
    write(tmp_path, "dashboards/model.json", dashboard("Fraud model quality", [
        {"type": "row", "title": "Model"}, {"type": "timeseries", "title": "Score distribution", "targets": []},
    ]))
    write(tmp_path, "dashboards/service.json", PLATFORM)
    evidence = run_detector(audience_dashboards, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no model" in evidence[0].detail

    (tmp_path / "dashboards/service.json").unlink()
    evidence = run_detector(audience_dashboards, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no panels with queries" in evidence[0].detail


def test_nothing_and_look_alikes_give_nothing(tmp_path: Path) -> None:
    assert run_detector(audience_dashboards, tmp_path) == []
    write(tmp_path, "package.json", json.dumps({"name": "web", "panels": ["a"]}))
    write(tmp_path, "docs/dashboards.md", "# Dashboards\n\nModel, platform and business dashboards live in Grafana.\n")
    assert run_detector(audience_dashboards, tmp_path) == []


def test_vendored_dashboards_do_not_count(tmp_path: Path) -> None:
    write(tmp_path, "vendor/kube-prometheus/model.json", MODEL)
    write(tmp_path, "vendor/kube-prometheus/service.json", PLATFORM)
    assert run_detector(audience_dashboards, tmp_path) == []


def test_malformed_dashboard_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "dashboards/model.json", MODEL[:-40])
    evidence = run_detector(audience_dashboards, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "dashboards/model.json"


def test_panel_classification() -> None:
    def make(title: str, text: str) -> Panel:
        return Panel(title=title, type="timeseries", queries=(Query(text, "expr"),))

    assert classify_panel(make("Prediction latency p99", "histogram_quantile(0.99, rate(model_inference_duration_seconds_bucket[5m]))")) == "platform"
    assert classify_panel(make("Predictions per model version", "sum by (model_version) (rate(model_predictions_total[5m]))")) == "model"
    assert classify_panel(make("Revenue at risk", "sum(blocked_transaction_amount_usd)")) == "business"
    assert classify_panel(make("Recall on confirmed fraud", "fraud_model_recall")) == "model"
    assert classify_panel(make("Relabelled series", "label_replace(up, \"x\", \"$1\", \"job\", \"(.*)\")")) != "model"
    assert classify_panel(make("Things", "some_gauge")) is None
