"""Failures are clear and contained: bad requests, bad artifacts, an unreachable store, bad files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from fraud_scoring import pipeline
from fraud_scoring.config import ConfigError, parse_config
from fraud_scoring.features import parse_event_time
from fraud_scoring.history import HistoryUnavailable, RedisHistoryStore
from fraud_scoring.model import LogisticModel, ModelError
from fraud_scoring.predictor import Predictor, validation_messages
from fraud_scoring.validation import SchemaError, check_schema

pytestmark = pytest.mark.ml_checklist("graceful-failure")

Payload = Callable[..., dict[str, Any]]


def test_an_invalid_request_names_every_bad_field(predictor: Predictor, payload: Payload) -> None:
    bad = payload(amount=-3, currency="JPY", event_time="2026-11-02T21:14:05", merchant_country="germany",
                  promo_code="X1")
    with pytest.raises(ValidationError) as caught:
        predictor.score(bad)
    messages = validation_messages(caught.value.errors())
    fields = sorted(message.split(":", 1)[0] for message in messages)
    assert fields == ["amount", "currency", "event_time", "merchant_country", "promo_code"]
    assert any("greater than 0" in message for message in messages)
    assert predictor.history.recent("acc_2001", parse_event_time("2030-01-01T00:00:00Z")) == []


def test_a_request_without_a_required_field_says_which(predictor: Predictor, payload: Payload) -> None:
    request = payload()
    del request["amount"]
    with pytest.raises(ValidationError) as caught:
        predictor.score(request)
    assert validation_messages(caught.value.errors()) == ["amount: Field required"]


def test_fastapi_body_prefix_is_dropped_from_messages() -> None:
    errors = [{"loc": ("body", "amount"), "msg": "Input should be greater than 0"}, {"loc": ("body",), "msg": "Field required"}]
    assert validation_messages(errors) == ["amount: Input should be greater than 0", "request: Field required"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read model artifact"),
        ("{", "cannot read model artifact"),
        (json.dumps({"format_version": 99}), "unsupported model format_version"),
        (json.dumps({"format_version": 1, "feature_names": ["log_amount"], "weights": {}}), "incomplete"),
    ],
    ids=["missing", "truncated", "future-format", "incomplete"],
)
def test_a_bad_model_artifact_raises_model_error_with_the_reason(tmp_path: Path, content: str | None, message: str) -> None:
    artifact = tmp_path / "model.json"
    if content is not None:
        artifact.write_text(content, encoding="utf-8")
    with pytest.raises(ModelError, match=message):
        Predictor.from_artifact(artifact, history=None)  # type: ignore[arg-type]


def test_a_model_with_non_finite_weights_is_refused(tmp_path: Path, model: LogisticModel) -> None:
    data = model.to_json()
    data["weights"]["log_amount"] = float("nan")
    artifact = tmp_path / "model.json"
    artifact.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelError, match="non-finite"):
        LogisticModel.load(artifact)


def test_a_model_trained_on_other_features_is_refused(tmp_path: Path, model: LogisticModel) -> None:
    data = model.to_json()
    data["feature_names"] = data["feature_names"][:-1]
    artifact = tmp_path / "model.json"
    artifact.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelError, match="expects features"):
        Predictor.from_artifact(artifact, history=None)  # type: ignore[arg-type]


class UnreachableRedis:
    """A Redis client whose every call times out."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise TimeoutError("timed out after 20 ms")
        return fail


def test_an_unreachable_history_store_gives_a_clear_error_and_no_score(model: LogisticModel, payload: Payload) -> None:
    store = RedisHistoryStore(UnreachableRedis(), errors=(OSError,))
    predictor = Predictor(model, store)
    with pytest.raises(HistoryUnavailable, match="did not answer: timed out"):
        predictor.score(payload())
    assert store.ping() is False


def test_contract_violations_in_an_export_are_rejected_with_line_and_reason(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        "transaction_id,account_id,event_time,amount,currency,merchant_category,merchant_country,"
        "home_country,card_present,channel,account_age_days,is_fraud\n"
        "tx_1,acc_1,2026-09-01T10:00:00+00:00,12.50,EUR,5411,DE,DE,true,pos,100,0\n"
        "tx_2,acc_1,2026-09-01T11:00:00+00:00,12.50,JPY,5411,DE,DE,yes,pos,100,0\n"
        "tx_1,acc_1,2026-09-01T12:00:00+00:00,12.50,EUR,5411,DE,DE,true,pos,100,0\n",
        encoding="utf-8",
    )
    result = pipeline.run(export, tmp_path / "out")
    assert (result.rows_valid, result.rows_rejected) == (1, 2)
    rejects = result.rejects_path.read_text(encoding="utf-8")
    assert "3,tx_2," in rejects and "currency:" in rejects and "card_present:" in rejects
    assert "4,tx_1,transaction_id: duplicate" in rejects


def test_a_schema_keyword_the_validator_does_not_implement_fails_loudly() -> None:
    with pytest.raises(SchemaError, match="oneOf"):
        check_schema({"properties": {"amount": {"type": "number", "oneOf": [{"minimum": 1}]}}})


def test_a_config_outside_the_supported_yaml_subset_names_file_and_line() -> None:
    with pytest.raises(ConfigError, match=r"train\.yaml:3: lists of mappings"):
        parse_config("model:\n  layers:\n    - size: 10\n", name="train.yaml")
