"""Item 35, prediction-drift: the output distribution is exported and watched, or drift-checked."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_detector, verdicts

from pytest_mlchecklist.detectors.alerting import PREDICTION, prediction_drift_job, prediction_metrics

APP = """\
from fastapi import FastAPI
from prometheus_client import Counter, Histogram

app = FastAPI()
SCORES = Histogram(
    "fraud_score",
    "Fraud probability returned by the model",
    buckets=[0.05 * i for i in range(1, 21)],
)
LATENCY = Histogram("fraud_prediction_latency_seconds", "Time spent in model.predict")
REQUESTS = Counter("fraud_predictions_total", "Predictions served")


@app.post("/score")
def score(payload: dict) -> dict:
    with LATENCY.time():
        probability = model.predict_proba([payload])[0][1]
    SCORES.observe(probability)
    REQUESTS.inc()
    return {"fraud_probability": probability}
"""

SHIFT_ALERT = """\
groups:
  - name: fraud-model-outputs
    rules:
      - alert: FraudScoreDistributionShift
        expr: |
          abs(
            histogram_quantile(0.5, sum by (le) (rate(fraud_score_bucket[1h])))
            - histogram_quantile(0.5, sum by (le) (rate(fraud_score_bucket[1h] offset 7d)))
          ) > 0.1
        for: 2h
        labels: {severity: ticket, team: fraud-ml}
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_score_histogram_with_alert_supports(tmp_path: Path) -> None:
    write(tmp_path, {"serving/app.py": APP, "deploy/alerts/model.yaml": SHIFT_ALERT})
    evidence = run_detector(prediction_metrics, tmp_path)
    assert verdicts(evidence, PREDICTION) == ["supports"]
    assert "histogram `fraud_score`" in evidence[0].detail
    assert "`FraudScoreDistributionShift`" in evidence[0].detail
    assert "serving/app.py:5" in evidence[0].detail
    assert evidence[0].path == "deploy/alerts/model.yaml"


def test_score_histogram_on_dashboard_supports(tmp_path: Path) -> None:
    dashboard = {
        "title": "Fraud model outputs",
        "uid": "fraud-out",
        "panels": [
            {"title": "Score quantiles", "type": "timeseries",
             "targets": [{"expr": "histogram_quantile(0.9, sum by (le) (rate(fraud_score_bucket[5m])))"}]},
        ],
    }
    write(tmp_path, {"serving/app.py": APP, "dashboards/outputs.json": json.dumps(dashboard, indent=2)})
    evidence = run_detector(prediction_metrics, tmp_path)
    assert verdicts(evidence, PREDICTION) == ["supports"]
    assert "panel `Score quantiles`" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, {"serving/app.py": "def predict(x):\n    return 0\n"})
    assert run_detector(prediction_metrics, tmp_path) == []
    assert run_detector(prediction_drift_job, tmp_path) == []


def test_exported_but_unwatched_is_partial_and_latency_is_not_output(tmp_path: Path) -> None:
    latency_alert = """\
groups:
  - name: latency
    rules:
      - alert: SlowPredictions
        expr: histogram_quantile(0.99, sum by (le) (rate(fraud_prediction_latency_seconds_bucket[5m]))) > 0.08
        for: 10m
"""
    write(tmp_path, {"serving/app.py": APP, "alerts/latency.yaml": latency_alert})
    evidence = run_detector(prediction_metrics, tmp_path)
    assert verdicts(evidence, PREDICTION) == ["partial"]
    assert "`fraud_score`" in evidence[0].detail
    assert "no alert or panel uses it" in evidence[0].detail


def test_metric_in_tests_is_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, {"tests/test_app.py": APP, "deploy/alerts/model.yaml": SHIFT_ALERT})
    evidence = run_detector(prediction_metrics, tmp_path)
    # the alert alone reads an output metric with a threshold: that is the evidence, not the test module
    assert [found.path for found in evidence] == ["deploy/alerts/model.yaml"]
    assert "output metric" in evidence[0].detail


def test_evidently_prediction_drift_with_threshold_supports(tmp_path: Path) -> None:
    job = """\
import pandas as pd
from evidently.metrics import ColumnDriftMetric
from evidently.report import Report


def run(reference: pd.DataFrame, current: pd.DataFrame) -> bool:
    report = Report(metrics=[ColumnDriftMetric(column_name="fraud_score", stattest="psi", stattest_threshold=0.2)])
    report.run(reference_data=reference, current_data=current)
    return report.as_dict()["metrics"][0]["result"]["drift_detected"]
"""
    write(tmp_path, {"monitoring/prediction_drift.py": job})
    evidence = run_detector(prediction_drift_job, tmp_path)
    assert verdicts(evidence, PREDICTION) == ["supports"]
    assert "Evidently `ColumnDriftMetric` on predictions" in evidence[0].detail


def test_drift_on_features_or_without_threshold(tmp_path: Path) -> None:
    feature_job = """\
from evidently.metrics import ColumnDriftMetric
from evidently.report import Report

report = Report(metrics=[ColumnDriftMetric(column_name="amount")])
"""
    psi_job = """\
import numpy as np


def psi(expected: np.ndarray, actual: np.ndarray, bins: int = 10) -> float:
    edges = np.quantile(expected, np.linspace(0, 1, bins + 1))
    e = np.histogram(expected, edges)[0] / len(expected)
    a = np.histogram(actual, edges)[0] / len(actual)
    return float(np.sum((a - e) * np.log(a / e)))


def score_drift(reference_scores, live_scores):
    return psi(reference_scores, live_scores)
"""
    write(tmp_path, {"monitoring/feature_drift.py": feature_job, "monitoring/score_drift.py": psi_job})
    evidence = run_detector(prediction_drift_job, tmp_path)
    assert verdicts(evidence, PREDICTION) == ["partial"]
    assert evidence[0].path == "monitoring/score_drift.py"
    assert "PSI on model scores computed but sets no threshold" in evidence[0].detail


def test_malformed_python_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"monitoring/drift.py": "from evidently import Report\ndef run(:\n"})
    evidence = run_detector(prediction_drift_job, tmp_path)
    assert verdicts(evidence, PREDICTION) == ["unreadable"]


def test_throughput_alert_on_predictions_is_not_distribution(tmp_path: Path) -> None:
    throughput = """\
groups:
  - name: traffic
    rules:
      - alert: NoPredictions
        expr: sum(rate(fraud_predictions_total[10m])) < 1
        for: 15m
      - alert: ScoreTrafficDrop
        expr: sum(rate(fraud_score_count[10m])) < 1
        for: 15m
"""
    write(tmp_path, {"serving/app.py": APP, "alerts/traffic.yaml": throughput})
    evidence = run_detector(prediction_metrics, tmp_path)
    assert verdicts(evidence, PREDICTION) == ["partial"]
    assert "no alert or panel uses it" in evidence[0].detail
