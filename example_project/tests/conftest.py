"""Shared fixtures: paths of the project, the sample export, the committed model, requests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from fraud_scoring.history import InMemoryHistoryStore
from fraud_scoring.model import LogisticModel
from fraud_scoring.pipeline import read_raw
from fraud_scoring.predictor import Predictor

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CSV = PROJECT_ROOT / "data" / "sample_transactions.csv"
MODEL_PATH = PROJECT_ROOT / "artifacts" / "model.json"

VALID_REQUEST: dict[str, Any] = {
    "transaction_id": "tx_90001",
    "account_id": "acc_2001",
    "event_time": "2026-11-02T21:14:05+01:00",
    "amount": 84.9,
    "currency": "EUR",
    "merchant_category": "5411",
    "merchant_country": "DE",
    "home_country": "DE",
    "card_present": True,
    "channel": "pos",
    "account_age_days": 812,
}


@pytest.fixture
def in_project_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the project root: configs name their files relative to it, as DVC runs them."""
    monkeypatch.chdir(PROJECT_ROOT)
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def raw_rows() -> list[dict[str, str]]:
    """The sample export as the pipeline reads it (strings, file order = event-time order)."""
    return read_raw(SAMPLE_CSV)


@pytest.fixture(scope="session")
def model() -> LogisticModel:
    """The committed model artifact."""
    return LogisticModel.load(MODEL_PATH)


@pytest.fixture
def predictor(model: LogisticModel) -> Predictor:
    """The serving path with an empty in-memory history."""
    return Predictor(model, InMemoryHistoryStore())


@pytest.fixture
def payload() -> Callable[..., dict[str, Any]]:
    """A valid scoring request with some fields replaced (``None`` values are kept as null)."""

    def make(**overrides: Any) -> dict[str, Any]:
        return {**VALID_REQUEST, **overrides}

    return make


def export_row_to_request(row: Mapping[str, str]) -> dict[str, Any]:
    """The JSON request the gateway sends for an authorisation that the export holds as ``row``."""
    return {
        "transaction_id": row["transaction_id"],
        "account_id": row["account_id"],
        "event_time": row["event_time"],
        "amount": float(row["amount"]),
        "currency": row["currency"],
        "merchant_category": row["merchant_category"] or None,
        "merchant_country": row["merchant_country"],
        "home_country": row["home_country"],
        "card_present": row["card_present"] == "true",
        "channel": row["channel"],
        "account_age_days": int(row["account_age_days"]) if row["account_age_days"] else None,
    }


@pytest.fixture
def as_request() -> Callable[[Mapping[str, str]], dict[str, Any]]:
    """:func:`export_row_to_request`, as a fixture."""
    return export_row_to_request
