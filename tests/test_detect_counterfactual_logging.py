"""Safety net counterfactual-logging: decisions logged with candidates, propensities and the model version."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_detector, verdicts, write_dedented

from pytest_mlchecklist.detectors.safety_experiments import counterfactual_log_code, counterfactual_log_schema

ITEM = "counterfactual-logging"


def test_logged_decision_in_code(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/ranker/serve.py": """
        import logging

        log = logging.getLogger("decisions")

        def rank(request, model):
            scores = model.score(request.candidates)
            log.info("decision", extra={
                "request_id": request.id,
                "candidates": request.candidates,
                "propensities": softmax(scores),
                "model_version": model.version,
            })
    """})
    evidence = run_detector(counterfactual_log_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].line == 7


def test_record_class_without_version_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/ranker/records.py": """
        from dataclasses import dataclass

        @dataclass
        class Decision:
            request_id: str
            actions: list[str]
            action_probabilities: list[float]
    """})
    evidence = run_detector(counterfactual_log_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "not the model version" in evidence[0].detail


def test_plain_request_logging_is_a_look_alike(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/ranker/serve.py": """
        import logging
        log = logging.getLogger(__name__)

        def predict(request, model):
            scores = model.predict(request.features)
            log.info("served", extra={"request_id": request.id, "latency_ms": 12, "prediction": scores[0]})
            return scores
    """, "tests/test_log.py": """
        RECORD = {"candidates": [1], "propensities": [1.0], "model_version": "v1"}
    """})
    assert run_detector(counterfactual_log_code, tmp_path) == []


def test_avro_and_proto_schemas(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "decision.avsc").write_text(json.dumps({
        "type": "record", "name": "Decision", "fields": [
            {"name": "request_id", "type": "string"},
            {"name": "slate", "type": {"type": "array", "items": "string"}},
            {"name": "propensity", "type": "double"},
            {"name": "policy_version", "type": "string"},
        ]}))
    write_dedented(tmp_path, {"proto/log.proto": """
        syntax = "proto3";
        message ServedRanking {
          string request_id = 1;
          repeated string candidate_ids = 2;
          repeated double scores = 3;
        }
    """})
    found = {item.path: item for item in run_detector(counterfactual_log_schema, tmp_path)}
    assert found["schemas/decision.avsc"].verdict == "supports"
    assert found["proto/log.proto"].verdict == "partial"
    assert "message `ServedRanking`" in found["proto/log.proto"].detail


def test_config_flag(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"config/serving.yaml": "logging:\n  counterfactual_logging: true\n  sample_rate: 0.1\n",
                              "config/off.yaml": "logging:\n  log_propensities: false\n"})
    found = {item.path: item.verdict for item in run_detector(counterfactual_log_schema, tmp_path)}
    assert found == {"config/serving.yaml": "supports", "config/off.yaml": "partial"}


def test_nothing_there_and_unreadable(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"schemas/request.json": '{"properties": {"request_id": {}, "features": {}}}'})
    assert run_detector(counterfactual_log_schema, tmp_path) == []
    assert run_detector(counterfactual_log_code, tmp_path) == []
    write_dedented(tmp_path, {"schemas/decision.json": '{"properties": {"propensity": {}'})
    assert verdicts(run_detector(counterfactual_log_schema, tmp_path), ITEM) == ["unreadable"]
