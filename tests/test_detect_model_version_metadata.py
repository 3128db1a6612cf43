"""Safety net model-version-metadata: the served model version recorded in config or returned by the API."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_dedented

from pytest_mlchecklist.detectors.safety_rollout import model_version_api, model_version_config

ITEM = "model-version-metadata"


def test_model_block_with_version_and_registry(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"serving/config.yaml": """
        service: fraud-scorer
        model:
          name: fraud-gbm
          registry_uri: https://mlflow.internal/
          version: 14
    """})
    evidence = run_detector(model_version_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`model` block" in evidence[0].detail and evidence[0].line == 3


def test_mlflow_uri_and_labels(tmp_path: Path) -> None:
    write_dedented(tmp_path, {
        "deploy/serving.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: scorer
              labels: {app: scorer, model-version: "2026.11.3"}
        """,
        "config/model.json": '{"model_uri": "models:/fraud-gbm/7"}',
        "config/staged.json": '{"model_uri": "models:/fraud-gbm/Production"}',
    })
    found = {item.path: item for item in run_detector(model_version_config, tmp_path)}
    assert found["deploy/serving.yaml"].verdict == "supports"
    assert found["config/model.json"].verdict == "supports" and "version 7" in found["config/model.json"].detail
    assert found["config/staged.json"].verdict == "partial" and "stage or alias" in found["config/staged.json"].detail


def test_storage_uri_pinned_or_not(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"k8s/isvc.yaml": """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata: {name: fraud}
        spec:
          predictor:
            sklearn: {storageUri: "gs://acme-models/fraud/v12/"}
    """, "k8s/latest.yaml": """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata: {name: churn}
        spec:
          predictor:
            sklearn: {storageUri: "gs://acme-models/churn/"}
    """})
    found = {item.path: item.verdict for item in run_detector(model_version_config, tmp_path)}
    assert found == {"k8s/isvc.yaml": "supports", "k8s/latest.yaml": "partial"}


def test_version_only_in_a_pickle_filename_is_a_look_alike(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"config/serve.yaml": """
        model_path: artifacts/fraud_model_v3.pkl
        threshold: 0.7
    """})
    evidence = run_detector(model_version_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "only in the file name" in evidence[0].detail


def test_latest_is_not_a_version(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"config/serve.yaml": "model_version: latest\n"})
    evidence = run_detector(model_version_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "`latest`" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"config/app.yaml": "version: 3\nport: 8080\n", "package.json": '{"version": "1.0.0"}'})
    assert run_detector(model_version_config, tmp_path) == []
    assert run_detector(model_version_api, tmp_path) == []


def test_response_model_field(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/scorer/api.py": """
        from pydantic import BaseModel

        class ScoreResponse(BaseModel):
            score: float
            model_version: str
    """, "src/scorer/routes.py": """
        def predict(request):
            score = MODEL.predict(request)
            return {"score": score, "model_version": MODEL_VERSION}
    """})
    evidence = sorted(run_detector(model_version_api, tmp_path), key=lambda found: found.path or "")
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    assert "`ScoreResponse`" in evidence[0].detail and evidence[0].line == 5


def test_api_look_alikes(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/scorer/log.py": """
        import logging
        model_version = "v3"  # a module constant only
        def log(score):
            logging.info("scored %s", score)
            return {"score": score}
    """, "tests/test_api.py": """
        def test_version():
            assert {"model_version": "x"}
    """})
    assert run_detector(model_version_api, tmp_path) == []
