"""Training/serving skew: the batch path and the online path must see the same transaction the same way."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import PROJECT_ROOT

from fraud_scoring.config import load_config
from fraud_scoring.features import FEATURE_NAMES, code_fingerprint
from fraud_scoring.history import InMemoryHistoryStore
from fraud_scoring.model import LogisticModel
from fraud_scoring.pipeline import build_feature_rows, load_schema, split_valid
from fraud_scoring.predictor import REVIEW_THRESHOLD, Predictor
from fraud_scoring.schemas import TransactionRequest

pytestmark = pytest.mark.ml_checklist("training-serving-skew")

CONSTRAINTS = ("enum", "format", "pattern", "minLength", "maxLength", "minimum", "maximum",
               "exclusiveMinimum", "exclusiveMaximum")


def test_training_and_serving_compute_identical_features_for_the_same_transactions(
    raw_rows: list[dict[str, str]], model: LogisticModel, as_request: Any
) -> None:
    valid, rejects = split_valid(raw_rows, load_schema())
    assert not rejects
    training = {row["transaction_id"]: row for row in build_feature_rows(valid)}

    predictor = Predictor(model, InMemoryHistoryStore())
    for row in raw_rows:  # the gateway sends authorisations in the order they happen
        wire = json.loads(json.dumps(as_request(row)))
        scored = predictor.score(wire)
        expected = {name: training[row["transaction_id"]][name] for name in FEATURE_NAMES}
        assert scored.features == expected, row["transaction_id"]
        assert scored.response.score == round(model.predict_proba(expected), 6)


def test_the_served_model_was_trained_with_the_feature_code_that_serves_it(model: LogisticModel) -> None:
    assert model.feature_names == FEATURE_NAMES
    assert model.metadata["feature_code_sha256"] == code_fingerprint(), "features.py changed: retrain the model"


def test_online_review_threshold_is_the_one_the_offline_gates_use() -> None:
    evaluation = load_config(PROJECT_ROOT / "configs" / "evaluation.yaml")
    assert evaluation["decision_threshold"] == REVIEW_THRESHOLD


def _normalise(prop: dict[str, Any], definitions: dict[str, Any]) -> tuple[frozenset[str], dict[str, Any]]:
    """(allowed JSON types, constraints) of one property, from either schema dialect."""
    if "$ref" in prop:
        prop = definitions[prop["$ref"].rsplit("/", 1)[1]]
    variants = prop.get("anyOf", [prop])
    types: set[str] = set()
    constraints: dict[str, Any] = {}
    for variant in variants:
        if "$ref" in variant:
            variant = definitions[variant["$ref"].rsplit("/", 1)[1]]
        kind = variant.get("type")
        types.update([kind] if isinstance(kind, str) else kind or [])
        constraints.update({key: variant[key] for key in CONSTRAINTS if key in variant})
    return frozenset(types), constraints


def test_request_model_and_batch_json_schema_define_the_same_contract() -> None:
    batch = load_schema()
    online = TransactionRequest.model_json_schema()
    definitions = online.get("$defs", {})
    assert set(online["properties"]) == set(batch["properties"]) - {"is_fraud"}
    for name, prop in online["properties"].items():
        assert _normalise(prop, definitions) == _normalise(batch["properties"][name], {}), name
