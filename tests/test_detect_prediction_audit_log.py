"""Safety-nets item prediction-audit-log: a retained audit trail of predictions."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_dedented

from pytest_mlchecklist.detectors.safety_compliance import audit_log_code, audit_log_config

ITEM = "prediction-audit-log"

KAFKA_AUDIT = """
    import json
    import time

    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": "kafka:9092"})
    MODEL_VERSION = "credit-v12"


    def record_prediction(request_id, features_ref, score):
        event = {
            "request_id": request_id,
            "model_version": MODEL_VERSION,
            "input_ref": features_ref,
            "prediction": score,
            "timestamp": time.time(),
        }
        producer.produce("prediction-audit", json.dumps(event).encode())
"""

TOPIC = """
    apiVersion: kafka.strimzi.io/v1beta2
    kind: KafkaTopic
    metadata:
      name: prediction-audit
    spec:
      partitions: 6
      config:
        retention.ms: 220752000000
"""


def test_kafka_records_with_retention_support(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/serving/audit.py": KAFKA_AUDIT, "deploy/kafka/topics.yaml": TOPIC})
    evidence = run_detector(audit_log_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    detail = evidence[0].detail
    assert "`record_prediction`" in detail and "durable storage" in detail and "producer.produce" in detail
    assert "deploy/kafka/topics.yaml:8" in detail and "inputs and time" in detail
    assert evidence[0].line == 18


def test_records_without_retention_are_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/serving/audit.py": KAFKA_AUDIT})
    evidence = run_detector(audit_log_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no retention setting" in evidence[0].detail


def test_structured_log_with_terraform_retention(tmp_path: Path) -> None:
    write_dedented(tmp_path, {
        "app/predict.py": """
            import logging

            audit = logging.getLogger("prediction_audit")


            def predict(request_id, model, payload):
                label = model.predict(payload)
                audit.info("prediction", extra={"request_id": request_id, "model_version": model.version,
                                                "prediction": label})
                return label
        """,
        "infra/logs.tf": """
            resource "aws_cloudwatch_log_group" "prediction_audit" {
              name              = "/ml/prediction-audit"
              retention_in_days = 400
            }
        """,
    })
    evidence = run_detector(audit_log_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "a structured log" in evidence[0].detail and "infra/logs.tf:1" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/model.py": "def predict(x):\n    return x\n"})
    assert run_detector(audit_log_code, tmp_path) == []
    assert run_detector(audit_log_config, tmp_path) == []


def test_debug_logging_is_not_an_audit_trail(tmp_path: Path) -> None:
    write_dedented(tmp_path, {
        "app/predict.py": """
            import logging

            log = logging.getLogger(__name__)


            def predict(request_id, model, payload):
                label = model.predict(payload)
                log.debug("scored", extra={"request_id": request_id, "model_version": model.version, "prediction": label})
                log.info("scored request %s", request_id)
                return label
        """,
        "deploy/kafka/topics.yaml": TOPIC,
    })
    assert run_detector(audit_log_code, tmp_path) == []


def test_record_without_model_version_is_not_an_audit_record(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/serving/audit.py": KAFKA_AUDIT.replace('"model_version": MODEL_VERSION,', ""),
                              "deploy/kafka/topics.yaml": TOPIC})
    assert run_detector(audit_log_code, tmp_path) == []


# ---------------------------------------------------------------------- configuration
def test_audit_config_with_destination_and_retention(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"config/serving.yaml": """
        model: credit-v12
        prediction_log:
          sink: bigquery
          table: ml_audit.predictions
          retention_days: 2555
          fields: [request_id, model_version, features_ref, prediction, timestamp]
    """})
    evidence = run_detector(audit_log_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].line == 2


def test_audit_config_missing_retention_or_fields_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"config/serving.yaml": """
        audit:
          topic: prediction-audit
          fields: [request_id, prediction]
    """})
    evidence = run_detector(audit_log_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "model version" in evidence[0].detail and "a retention" in evidence[0].detail


def test_disabled_audit_config_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"config/serving.yaml": "audit:\n  enabled: false\n  topic: audit\n  retention_days: 30\n"})
    evidence = run_detector(audit_log_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "disabled" in evidence[0].detail


def test_malformed_audit_config_is_unreadable(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"config/audit.json": '{"audit": {"topic": "x"'})
    assert verdicts(run_detector(audit_log_config, tmp_path), ITEM) == ["unreadable"]


def test_api_version_is_not_a_model_version(tmp_path: Path) -> None:
    write_dedented(tmp_path, {
        "src/serving/events.py": """
            def emit(producer, request_id, result):
                producer.send("events", {"api_version": "v2", "request_id": request_id, "result": result})
        """,
        "deploy/kafka/topics.yaml": TOPIC,
    })
    assert run_detector(audit_log_code, tmp_path) == []
    write_dedented(tmp_path, {"src/serving/events.py": """
        def emit(producer, request_id, result, model):
            producer.send("events", {"model": model.name, "version": model.version, "request_id": request_id,
                                     "result": result})
    """})
    assert verdicts(run_detector(audit_log_code, tmp_path), ITEM) == ["supports"]


def test_record_built_by_a_method_in_another_module(tmp_path: Path) -> None:
    write_dedented(tmp_path, {
        "src/scoring/predictor.py": """
            from dataclasses import dataclass


            @dataclass
            class Scored:
                transaction_id: str
                model_version: str
                score: float

                def log_record(self, **context):
                    return {"transaction_id": self.transaction_id, "model_version": self.model_version,
                            "score": self.score, **context}
        """,
        "src/scoring/app.py": """
            import json
            import logging

            prediction_log = logging.getLogger("scoring.predictions")


            def score(predictor, request):
                scored = predictor.score(request)
                prediction_log.info(json.dumps(scored.log_record(client="pos")))
                return scored
        """,
        "infra/logs.tf": """
            resource "aws_s3_bucket_lifecycle_configuration" "prediction_logs" {
              bucket = aws_s3_bucket.prediction_logs.id
              rule {
                id     = "expire"
                status = "Enabled"
                expiration {
                  days = 400
                }
              }
            }
        """,
    })
    evidence = run_detector(audit_log_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].path == "src/scoring/app.py" and "prediction_log.info" in evidence[0].detail
