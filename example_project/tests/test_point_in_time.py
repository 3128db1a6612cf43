"""Point-in-time correctness: a feature row only knows what was known when the card was used."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from fraud_scoring.config import load_config
from fraud_scoring.evaluate import time_split
from fraud_scoring.features import PastTransaction, build_features
from fraud_scoring.pipeline import LABEL, build_feature_rows, load_schema, split_valid

pytestmark = pytest.mark.ml_checklist("point-in-time-correctness")

AT = datetime(2026, 9, 14, 3, 0, tzinfo=timezone.utc)
TRANSACTION = {
    "event_time": AT, "amount": 120.0, "merchant_country": "GB", "home_country": "GB",
    "card_present": True, "merchant_category": "5812", "account_age_days": 400,
}


def test_events_at_or_after_the_transaction_time_do_not_change_its_features() -> None:
    earlier = [PastTransaction(AT - timedelta(hours=3), 40.0), PastTransaction(AT - timedelta(days=3), 80.0)]
    later = [
        PastTransaction(AT, 9_000.0),  # a concurrent authorisation
        PastTransaction(AT + timedelta(seconds=1), 9_000.0),
        PastTransaction(AT + timedelta(days=2), 9_000.0),
    ]
    assert build_features(TRANSACTION, earlier + later) == build_features(TRANSACTION, earlier)


def test_batch_features_do_not_change_when_later_transactions_arrive(raw_rows: list[dict[str, str]]) -> None:
    valid, _ = split_valid(raw_rows, load_schema())
    cutoff = datetime(2026, 9, 15, tzinfo=timezone.utc)
    known_then = build_feature_rows([record for record in valid if record["event_time"] < cutoff])
    known_now = {row["transaction_id"]: row for row in build_feature_rows(valid)}
    assert len(known_then) > 20
    for row in known_then:
        assert row == known_now[row["transaction_id"]]


def test_labels_never_reach_the_features(raw_rows: list[dict[str, str]]) -> None:
    flipped = [{**row, LABEL: "0" if row[LABEL] == "1" else "1"} for row in raw_rows]
    schema = load_schema()

    def without_label(rows: list[dict[str, str]]) -> list[dict[str, object]]:
        return [{k: v for k, v in row.items() if k != LABEL} for row in build_feature_rows(split_valid(rows, schema)[0])]

    assert without_label(flipped) == without_label(raw_rows)


def test_holdout_is_strictly_later_than_every_training_row(raw_rows: list[dict[str, str]], in_project_root: object) -> None:
    rows = build_feature_rows(split_valid(raw_rows, load_schema())[0])
    split = load_config("configs/evaluation.yaml")["split"]
    assert split["strategy"] == "time"
    train, holdout = time_split(rows, split["holdout_from"])
    assert train and holdout
    assert max(row["event_time"] for row in train) < min(row["event_time"] for row in holdout)
