"""The offline performance gate: the committed model must pass configs/evaluation.yaml on the holdout."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import MODEL_PATH, PROJECT_ROOT, SAMPLE_CSV

from fraud_scoring.config import load_config
from fraud_scoring.evaluate import evaluate, evaluate_rows, gate_failures, load_feature_rows, time_split
from fraud_scoring.model import LogisticModel

pytestmark = pytest.mark.ml_checklist("performance-regression-gate")


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return load_config(PROJECT_ROOT / "configs" / "evaluation.yaml")


@pytest.fixture(scope="module")
def report(config: dict[str, Any]) -> dict[str, Any]:
    return evaluate(config, data_path=SAMPLE_CSV, model=LogisticModel.load(MODEL_PATH))


def test_committed_model_passes_every_gate_on_the_time_holdout(report: dict[str, Any]) -> None:
    assert gate_failures(report) == []


def test_model_beats_the_rules_engine_it_replaces(report: dict[str, Any]) -> None:
    model, baseline = report["model"]["overall"], report["baseline"]["overall"]
    assert model["auc"] > baseline["auc"]
    assert model["recall"] >= baseline["recall"]


def test_gate_fails_a_model_that_regressed(config: dict[str, Any], report: dict[str, Any]) -> None:
    _, holdout = time_split(load_feature_rows(SAMPLE_CSV), config["split"]["holdout_from"])
    regressed = {**report, "model": evaluate_rows(holdout, lambda row: 0.1, 0.5, [])}
    failures = gate_failures(regressed)
    assert any(failure.startswith("AUC") for failure in failures)
    assert any(failure.startswith("recall") for failure in failures)


def test_published_evaluation_report_is_the_one_the_committed_model_produces(report: dict[str, Any]) -> None:
    published = json.loads((PROJECT_ROOT / "reports" / "evaluation.json").read_text(encoding="utf-8"))
    current = json.loads(json.dumps(report))
    for key in ("model_version", "model", "baseline", "gates", "decision_threshold"):
        assert published[key] == current[key], key
