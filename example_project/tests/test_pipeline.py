"""The batch pipeline end to end: re-runs, row order, reproducible training, raw export to served score."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import pytest
from conftest import MODEL_PATH, PROJECT_ROOT, SAMPLE_CSV

from fraud_scoring import pipeline
from fraud_scoring.config import load_config
from fraud_scoring.evaluate import evaluate, gate_failures
from fraud_scoring.features import FEATURE_NAMES
from fraud_scoring.history import InMemoryHistoryStore
from fraud_scoring.model import LogisticModel
from fraud_scoring.predictor import Predictor
from fraud_scoring.train import train


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` with its bytes."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.ml_checklist("idempotent-pipeline")
def test_rerunning_prepare_rewrites_byte_identical_outputs(tmp_path: Path) -> None:
    out = tmp_path / "prepared"
    pipeline.run(SAMPLE_CSV, out)
    first = snapshot(out)
    pipeline.run(SAMPLE_CSV, out)
    assert snapshot(out) == first
    assert sorted(first) == ["data_quality.json", "features.csv", "rejects.csv"]  # no temporary files left


@pytest.mark.ml_checklist("idempotent-pipeline")
def test_prepare_output_does_not_depend_on_the_order_of_export_rows(tmp_path: Path, raw_rows: list[dict[str, str]]) -> None:
    shuffled = list(raw_rows)
    random.Random(7).shuffle(shuffled)
    shuffled_csv = tmp_path / "shuffled.csv"
    with shuffled_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(raw_rows[0]))
        writer.writeheader()
        writer.writerows(shuffled)
    in_order = pipeline.run(SAMPLE_CSV, tmp_path / "a")
    reordered = pipeline.run(shuffled_csv, tmp_path / "b")
    assert reordered.features_path.read_bytes() == in_order.features_path.read_bytes()


def test_training_from_the_pinned_data_and_seed_reproduces_the_committed_model(in_project_root: Path) -> None:
    config_path = Path("configs/train.yaml")
    model, reference = train(load_config(config_path), config_text=config_path.read_text(encoding="utf-8"))
    assert model.to_json() == json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    committed_profile = PROJECT_ROOT / "artifacts" / "reference_profile.json"
    assert reference == json.loads(committed_profile.read_text(encoding="utf-8"))


@pytest.mark.ml_checklist("pipeline-integration-test")
def test_raw_export_to_served_prediction(tmp_path: Path, in_project_root: Path, as_request: Any) -> None:
    # 1. prepare: the raw export is validated and turned into point-in-time features
    prepared = pipeline.run(SAMPLE_CSV, tmp_path / "prepared")
    assert (prepared.rows_in, prepared.rows_valid, prepared.rows_rejected) == (60, 60, 0)

    # 2. train with the committed configuration, writing the artifact like the DVC stage does
    config_path = Path("configs/train.yaml")
    config = load_config(config_path)
    model, _ = train(config, config_text=config_path.read_text(encoding="utf-8"))
    artifact = tmp_path / "model.json"
    model.save(artifact)

    # 3. evaluate the saved artifact on the time-based holdout: every gate passes
    report = evaluate(load_config("configs/evaluation.yaml"), data_path=SAMPLE_CSV, model=LogisticModel.load(artifact))
    assert gate_failures(report) == []

    # 4. serve: load the artifact as the API does and replay the export as requests
    with prepared.features_path.open(newline="", encoding="utf-8") as handle:
        batch = {row["transaction_id"]: row for row in csv.DictReader(handle)}
    predictor = Predictor.from_artifact(artifact, InMemoryHistoryStore())
    for row in pipeline.read_raw(SAMPLE_CSV):
        scored = predictor.score(json.loads(json.dumps(as_request(row))))
        batch_features = {name: float(batch[row["transaction_id"]][name]) for name in FEATURE_NAMES}
        assert scored.response.score == pytest.approx(predictor.model.predict_proba(batch_features), abs=5e-7)
        assert scored.response.model_version == config["model_version"]
        expected = "decline" if scored.response.score >= 0.8 else "review" if scored.response.score >= 0.5 else "approve"
        assert scored.response.decision == expected
