"""Safety net business-metrics: business metrics tracked beside the model's own metrics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_detector, verdicts, write_dedented

from pytest_mlchecklist.detectors.safety_observability import (
    business_metrics_code,
    business_metrics_definitions,
    business_metrics_monitoring,
    business_words,
)

ITEM = "business-metrics"


def dashboard(title: str, expr: str) -> str:
    return json.dumps({"title": "Ranker", "uid": "rk", "panels": [
        {"title": title, "type": "timeseries", "targets": [{"expr": expr, "refId": "A"}]},
    ]}, indent=2)


def test_business_words() -> None:
    assert business_words("ranker_ctr_ratio") == ["ctr"]
    assert business_words("checkout_conversions_total") == ["checkout", "conversions"]
    assert business_words("model_auc") == []
    assert business_words("conversion_latency_seconds") == []


@pytest.mark.parametrize(
    ("name", "words"),
    [
        # payments
        ("payments_approval_rate", ["approval"]),
        ("card_declines_total", ["declines"]),
        ("disputes_chargebacks_total", ["chargebacks"]),
        ("fraud_loss_usd_total", ["fraud loss"]),
        ("issuer_authorisation_rate", ["authorisation rate"]),
        # marketplaces and ads
        ("marketplace_gmv_usd", ["gmv"]),
        ("search_bookings_total", ["bookings"]),
        ("ads_ctr_ratio", ["ctr"]),
        ("user_arpu_usd", ["arpu"]),
        # subscriptions
        ("subscription_churn_rate", ["churn"]),
        ("plan_renewals_total", ["renewals"]),
        ("cohort_retention_ratio", ["retention"]),
        # support
        ("ticket_handle_time_seconds", ["handle time"]),
        ("ticket_resolution_time_seconds_bucket", ["resolution time"]),
        ("support_csat_score", ["csat"]),
    ],
)
def test_business_words_across_domains(name: str, words: list[str]) -> None:
    assert business_words(name) == words


@pytest.mark.parametrize(
    "name",
    ["fraud_model_accuracy", "fraud_model_auc", "training_loss", "ranker_precision_at_10", "fraud_outcome_recall",
     "scoring_latency_seconds", "scoring_error_rate", "conversion_model_auc", "checkout_duration_seconds",
     "approvals_errors_total", "model_log_loss"],
)
def test_model_and_service_metrics_are_not_business_words(name: str) -> None:
    assert business_words(name) == []


def test_payments_dashboard_of_approval_and_decline_rates(tmp_path: Path) -> None:
    # The shape of a fraud-scoring dashboard: rates computed from a decisions counter by its `decision` label.
    decisions = "sum(rate(scoring_decisions_total{{decision={value}}}[1h])) / sum(rate(scoring_decisions_total[1h]))"
    (tmp_path / "monitoring" / "dashboards").mkdir(parents=True)
    (tmp_path / "monitoring" / "dashboards" / "outcomes.json").write_text(json.dumps({
        "title": "Fraud outcomes", "uid": "fo", "panels": [
            {"title": "Approval rate", "type": "timeseries",
             "targets": [{"expr": decisions.format(value='"approve"'), "refId": "A"}]},
            {"title": "Decline rate", "type": "timeseries",
             "targets": [{"expr": decisions.format(value='"decline"'), "refId": "A"}]},
            {"title": "Fraud losses", "type": "stat", "targets": [{"expr": "sum(increase(fraud_loss_eur_total[1d]))",
                                                                    "refId": "A"}]},
        ]}, indent=2))
    evidence = run_detector(business_metrics_monitoring, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "(approvals, declines, fraud loss) in 3 panels" in evidence[0].detail


def test_label_values_of_service_metrics_are_not_business(tmp_path: Path) -> None:
    # A latency histogram filtered on a decision, and a request counter filtered on a checkout route.
    (tmp_path / "dash.json").write_text(json.dumps({"title": "Service", "uid": "sv", "panels": [
        {"title": "Latency of declines", "type": "timeseries", "targets": [
            {"expr": 'histogram_quantile(0.99, sum by (le) (rate(scoring_request_duration_seconds_bucket{decision="decline"}[5m])))',
             "refId": "A"}]},
        {"title": "Checkout requests", "type": "timeseries", "targets": [
            {"expr": 'sum(rate(http_requests_total{route="/checkout"}[5m]))', "refId": "A"}]},
        {"title": "Model loss", "type": "timeseries", "targets": [{"expr": "training_loss", "refId": "A"}]},
    ]}, indent=2))
    assert run_detector(business_metrics_monitoring, tmp_path) == []


def test_recording_rule_and_dashboard(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"monitoring/rules.yaml": """
        groups:
          - name: ranker-business
            rules:
              - record: ranker:ctr:ratio_1h
                expr: sum(rate(ranker_clicks_total[1h])) / sum(rate(ranker_impressions_total[1h]))
              - alert: RankerConversionDrop
                expr: ranker:conversion:rate_1d < 0.02
    """})
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "ranker.json").write_text(dashboard("Revenue per session", "sum(rate(revenue_usd_total[5m])) / sum(rate(sessions_total[5m]))"))
    found = {item.path: item for item in run_detector(business_metrics_monitoring, tmp_path)}
    assert found["monitoring/rules.yaml"].verdict == "supports"
    assert "1 alert and 1 recording rule" in found["monitoring/rules.yaml"].detail
    assert found["dashboards/ranker.json"].verdict == "supports"


def test_only_model_metrics_is_a_look_alike(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"monitoring/rules.yaml": """
        groups:
          - name: ranker-model
            rules:
              - alert: RankerAucLow
                expr: ranker_model_auc < 0.8
              - alert: RankerAccuracyDrop
                expr: ranker_accuracy < 0.9
    """})
    (tmp_path / "dash.json").write_text(dashboard("Clicks model accuracy", "ranker_accuracy"))  # a title is not a query
    assert run_detector(business_metrics_monitoring, tmp_path) == []


def test_code_emitting_business_metrics(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/ranker/metrics.py": """
        from prometheus_client import Counter, Histogram

        LATENCY = Histogram("ranker_latency_seconds", "latency")
        CLICKS = Counter("ranker_clicks_total", "clicks on ranked items")
    """, "src/checkout/track.py": """
        from datadog import statsd

        def done(order):
            statsd.increment("checkout.conversion", tags=["model:v3"])
    """, "tests/test_metrics.py": """
        from prometheus_client import Counter
        REVENUE = Counter("revenue_total", "test only")
    """})
    evidence = sorted(run_detector(business_metrics_code, tmp_path), key=lambda found: found.path or "")
    assert [found.path for found in evidence] == ["src/checkout/track.py", "src/ranker/metrics.py"]
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    assert "`ranker_clicks_total`" in evidence[1].detail


def test_code_with_model_metrics_only(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/ranker/metrics.py": """
        from prometheus_client import Gauge
        AUC = Gauge("ranker_auc", "offline auc")
    """})
    assert run_detector(business_metrics_code, tmp_path) == []


def test_dbt_metrics(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"analytics/models/metrics.yml": """
        version: 2
        metrics:
          - name: checkout_conversion_rate
            label: Checkout conversion rate
            type: ratio
            type_params: {numerator: checkouts, denominator: sessions}
          - name: model_precision
            type: simple
            type_params: {measure: precision}
    """})
    evidence = run_detector(business_metrics_definitions, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "1 business metric" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"README.md": "# Ranker\n\nWe care about CTR.\n"})
    for found in (business_metrics_monitoring, business_metrics_code, business_metrics_definitions):
        assert run_detector(found, tmp_path) == []
