"""Inputs at the edges of the contract: limits, nulls, odd offsets, bursts, wrong types, amounts
far beyond the training data, empty and hostile files."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from fraud_scoring import pipeline
from fraud_scoring.features import MAX_AMOUNT_RATIO, parse_event_time
from fraud_scoring.pipeline import load_schema
from fraud_scoring.predictor import Predictor
from fraud_scoring.validation import validate

pytestmark = pytest.mark.ml_checklist("edge-case-tests")

Payload = Callable[..., dict[str, Any]]
HEADER = ("transaction_id,account_id,event_time,amount,currency,merchant_category,merchant_country,"
          "home_country,card_present,channel,account_age_days,is_fraud")


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount": 0.01},
        {"amount": 50_000},
        {"transaction_id": "t" * 64, "account_id": "a" * 64},
        {"account_age_days": 0},
        {"account_age_days": 36_500},
        {"merchant_category": None, "account_age_days": None},
        {"event_time": "2026-11-02T23:59:59-11:00"},
        {"event_time": "2026-11-02T00:00:00+14:00"},
        {"event_time": "2026-11-02T12:00:00Z"},
        {"channel": "moto", "card_present": False, "merchant_country": "BR"},
        {"transaction_id": "  tx_90001  "},
    ],
    ids=["min-amount", "max-amount", "max-length-ids", "new-account", "oldest-account", "all-nullable-null",
         "offset-minus-11", "offset-plus-14", "zulu", "remote-foreign", "padded-id"],
)
def test_valid_requests_at_the_limits_get_a_finite_score(
    predictor: Predictor, payload: Payload, overrides: dict[str, Any]
) -> None:
    scored = predictor.score(payload(**overrides))
    assert 0.0 <= scored.response.score <= 1.0
    assert all(math.isfinite(value) for value in scored.features.values())


def test_a_burst_of_a_thousand_authorisations_keeps_features_bounded(predictor: Predictor, payload: Payload) -> None:
    at = parse_event_time(payload()["event_time"])
    for index in range(1000):
        predictor.history.record("acc_2001", f"burst_{index}", at - timedelta(seconds=60 + index), 1.0)
    scored = predictor.score(payload(amount=49_999.0))
    assert scored.features["txn_count_24h"] == 1000.0
    assert scored.features["amount_ratio_30d"] == MAX_AMOUNT_RATIO
    assert 0.0 <= scored.response.score <= 1.0  # far outside the training range, but still a valid answer


def test_a_retried_request_is_counted_once(predictor: Predictor, payload: Payload) -> None:
    predictor.score(payload())
    predictor.score(payload())  # the gateway retried after a timeout
    later = predictor.score(payload(transaction_id="tx_90002", event_time="2026-11-02T22:00:00+01:00"))
    assert later.features["txn_count_24h"] == 1.0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "84,90"),
        ("amount", True),
        ("amount", [84.9]),
        ("card_present", "yes"),
        ("card_present", 1),
        ("account_age_days", "812"),
        ("account_age_days", 812.5),
        ("merchant_category", 5411),
        ("event_time", 1762114445),
        ("channel", ["pos"]),
    ],
    ids=["wrong-type-amount-decimal-comma", "wrong-type-amount-bool", "wrong-type-amount-list",
         "wrong-type-card-present-yes", "wrong-type-card-present-int", "wrong-type-age-string",
         "wrong-type-age-fraction", "wrong-type-mcc-int", "wrong-type-epoch-time", "wrong-type-channel-list"],
)
def test_wrong_types_are_refused_online_as_in_the_batch_contract(
    predictor: Predictor, payload: Payload, field: str, value: Any
) -> None:
    request = payload(**{field: value})
    with pytest.raises(ValidationError) as refused:
        predictor.score(request)
    assert [error["loc"][0] for error in refused.value.errors()] == [field]
    assert any(message.startswith(f"{field}:") for message in validate(request, load_schema()))
    assert predictor.history.recent("acc_2001", parse_event_time("2030-01-01T00:00:00Z")) == []


def test_outlier_amounts_beyond_the_training_range_get_valid_monotonic_scores(
    predictor: Predictor, payload: Payload, raw_rows: list[dict[str, str]]
) -> None:
    largest_seen = max(float(row["amount"]) for row in raw_rows)  # 1,995.74 in the sample export
    amounts = [2_500.0, 10_000.0, 49_999.99]  # up to 25 times the largest training amount
    scores = []
    for index, amount in enumerate(amounts):
        scored = predictor.score(payload(transaction_id=f"tx_tail_{index}", account_id=f"acc_tail_{index}",
                                         amount=amount))
        assert amount > largest_seen
        assert all(math.isfinite(value) for value in scored.features.values())
        scores.append(scored.response.score)
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert scores == sorted(scores)  # a larger amount never lowers the score, even far out of range
    assert scores[-1] >= 0.5  # the largest authorisation the gateway allows at least goes to review


@pytest.mark.parametrize(
    "transaction_id",
    ["tx'; DROP TABLE scores;--", "<script>alert(1)</script>", "t" * 65, "tx\n01", "ｔｘ＿１", ""],
    ids=["sql", "html", "too-long", "newline", "full-width", "empty"],
)
def test_hostile_identifiers_are_refused_before_scoring(predictor: Predictor, payload: Payload, transaction_id: str) -> None:
    with pytest.raises(ValidationError):
        predictor.score(payload(transaction_id=transaction_id))
    assert predictor.history.recent("acc_2001", parse_event_time("2030-01-01T00:00:00Z")) == []


@pytest.mark.parametrize("content", ["", HEADER + "\n"], ids=["empty-file", "header-only"])
def test_an_empty_export_gives_empty_outputs_not_an_error(tmp_path: Path, content: str) -> None:
    export = tmp_path / "export.csv"
    export.write_text(content, encoding="utf-8")
    result = pipeline.run(export, tmp_path / "out")
    assert (result.rows_in, result.rows_valid, result.rows_rejected) == (0, 0, 0)
    assert result.features_path.read_text(encoding="utf-8").count("\n") == 1  # header only


def test_non_finite_and_overflowing_amounts_are_rejected_row_by_row(tmp_path: Path) -> None:
    good = "tx_1,acc_1,2026-09-01T10:00:00+00:00,12.50,EUR,5411,DE,DE,true,pos,100,0"
    bad_amounts = ["NaN", "inf", "1e309", "-5", "", "12,50"]
    rows = [good] + [
        f'tx_{i + 2},acc_1,2026-09-01T11:00:00+00:00,"{amount}",EUR,5411,DE,DE,true,pos,100,0'
        for i, amount in enumerate(bad_amounts)
    ]
    export = tmp_path / "export.csv"
    export.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    result = pipeline.run(export, tmp_path / "out")
    assert (result.rows_valid, result.rows_rejected) == (1, len(bad_amounts))
    rejects = result.rejects_path.read_text(encoding="utf-8").splitlines()[1:]
    assert all("amount:" in line for line in rejects)
