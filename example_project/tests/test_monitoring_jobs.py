"""The monitoring jobs: drift against the training profile, outcomes once labels arrive, metric pushes."""

from __future__ import annotations

import contextlib
import json
import urllib.error
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_ROOT, SAMPLE_CSV

from fraud_scoring import metrics, outcomes, pipeline
from fraud_scoring.config import load_config
from fraud_scoring.drift import compare
from fraud_scoring.evaluate import load_feature_rows, time_split


@pytest.fixture(scope="module")
def drift_config() -> dict[str, Any]:
    return load_config(PROJECT_ROOT / "monitoring" / "drift.yaml")


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    return json.loads((PROJECT_ROOT / "artifacts" / "reference_profile.json").read_text(encoding="utf-8"))


def test_every_configuration_file_parses() -> None:
    for path in [*sorted((PROJECT_ROOT / "configs").glob("*.yaml")), PROJECT_ROOT / "monitoring" / "drift.yaml"]:
        assert load_config(path), path


def test_training_rows_show_no_drift_against_their_own_profile(reference: dict[str, Any], drift_config: dict[str, Any]) -> None:
    train, _ = time_split(load_feature_rows(SAMPLE_CSV), "2026-09-22T00:00:00+00:00")
    scores = compare(reference, train)
    assert max(scores.values()) < drift_config["thresholds"]["warn"]


def test_a_shifted_feature_crosses_the_alert_threshold(reference: dict[str, Any], drift_config: dict[str, Any]) -> None:
    train, _ = time_split(load_feature_rows(SAMPLE_CSV), "2026-09-22T00:00:00+00:00")
    shifted = [{**row, "is_foreign": 1.0} for row in train]  # e.g. a BIN table update marks every card foreign
    scores = compare(reference, shifted)
    assert scores["is_foreign"] > drift_config["thresholds"]["alert"]
    assert scores["log_amount"] < drift_config["thresholds"]["warn"]


def test_outcomes_job_scores_the_matured_window_per_model_version(tmp_path: Path) -> None:
    start, end = outcomes.matured_window(date(2026, 11, 30))
    assert (start, end) == (datetime(2026, 10, 9, tzinfo=timezone.utc), datetime(2026, 10, 16, tzinfo=timezone.utc))
    def prediction(transaction_id: str, day: int, score: float) -> dict[str, Any]:
        return {"log": "prediction", "transaction_id": transaction_id, "model_version": "m1", "score": score,
                "event_time": f"2026-10-{day:02d}T08:00:00+00:00"}

    lines = [prediction("t1", 10, 0.91), prediction("t2", 11, 0.20), prediction("t3", 12, 0.65),
             prediction("t4", 13, 0.05), prediction("t5", 20, 0.99), {"log": "access", "request_id": "r1", "status": 200}]
    (tmp_path / "2026-10-10.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    chargebacks = tmp_path / "chargebacks.csv"
    chargebacks.write_text("transaction_id,reason_code\nt1,10.4\nt2,4837\nt4,13.1\nt5,10.4\n", encoding="utf-8")
    predictions = outcomes.load_predictions(tmp_path.glob("*.jsonl"), start, end)
    assert [p["transaction_id"] for p in predictions] == ["t1", "t2", "t3", "t4"]  # t5 is not mature yet
    result = outcomes.evaluate_window(predictions, outcomes.load_fraud_ids(chargebacks))["m1"]
    assert (result["rows"], result["positives"], result["recall"], result["precision"]) == (4, 2, 0.5, 0.5)
    text = outcomes.to_textfile({"m1": result}, end, now=1_796_000_000)
    assert 'fraud_scoring_outcome_recall{model_version="m1"} 0.5' in text
    assert "fraud_scoring_outcome_last_success_timestamp_seconds 1796000000" in text


def test_prepare_metrics_include_freshness_rejects_and_null_rates(tmp_path: Path) -> None:
    result = pipeline.run(SAMPLE_CSV, tmp_path / "out")
    textfile = tmp_path / "metrics" / "prepare.prom"
    pipeline.write_success_metric(textfile, result)
    text = textfile.read_text(encoding="utf-8")
    assert 'fraud_scoring_pipeline_rejected_rows{step="prepare"} 0' in text
    assert 'fraud_scoring_pipeline_null_rate{column="account_age_days"}' in text
    assert "# TYPE fraud_scoring_pipeline_last_success_timestamp_seconds gauge" in text


class FlakyGateway:
    """Refuses ``failures`` connections, then accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.requests: list[Any] = []

    def __call__(self, request: Any, timeout: float) -> Any:
        self.requests.append((request, timeout))
        if len(self.requests) <= self.failures:
            raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))
        return contextlib.nullcontext()


def test_metrics_push_retries_with_backoff_then_succeeds() -> None:
    gateway, sleeps = FlakyGateway(failures=2), []
    metrics.push("up 1\n", gateway="http://pushgateway:9091/", job="fraud-scoring-drift", opener=gateway, sleep=sleeps.append)
    request, timeout = gateway.requests[-1]
    assert request.full_url == "http://pushgateway:9091/metrics/job/fraud-scoring-drift"
    assert request.get_method() == "PUT" and timeout == metrics.TIMEOUT_SECONDS
    assert len(sleeps) == 2 and 0.5 <= sleeps[0] <= 1.5 and 1.0 <= sleeps[1] <= 3.0


def test_metrics_push_gives_up_after_three_attempts() -> None:
    gateway = FlakyGateway(failures=5)
    with pytest.raises(metrics.PushError, match="failed 3 times"):
        metrics.push("up 1\n", gateway="http://pushgateway:9091", job="j", opener=gateway, sleep=lambda _: None)
    assert len(gateway.requests) == 3
