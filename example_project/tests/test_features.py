"""Unit tests of every feature function in ``fraud_scoring.features``."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest

from fraud_scoring.features import (
    ACCOUNT_AGE_IMPUTE_DAYS,
    FEATURE_NAMES,
    MAX_AMOUNT_RATIO,
    FeatureError,
    PastTransaction,
    account_age,
    amount_ratio_30d,
    build_features,
    card_not_present,
    is_foreign,
    is_night,
    log_amount,
    merchant_risk,
    parse_event_time,
    prior_events,
    txn_count_24h,
)

pytestmark = pytest.mark.ml_checklist("feature-unit-tests")

AT = datetime(2026, 9, 14, 12, 0, tzinfo=timezone.utc)


def test_log_amount_is_log1p_and_refuses_negative_or_non_finite_amounts() -> None:
    assert log_amount(0.0) == 0.0
    assert log_amount(99.0) == pytest.approx(math.log(100.0))
    for bad in (-0.01, math.inf, math.nan):
        with pytest.raises(FeatureError, match="amount"):
            log_amount(bad)


def test_is_foreign_compares_countries_case_insensitively() -> None:
    assert is_foreign("FR", "DE") == 1.0
    assert is_foreign("de", "DE") == 0.0


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-09-14T00:00:00+00:00", 1.0),
        ("2026-09-14T05:59:59+00:00", 1.0),
        ("2026-09-14T06:00:00+00:00", 0.0),
        ("2026-09-14T23:59:59+00:00", 0.0),
        ("2026-09-14T07:30:00+02:00", 1.0),  # 05:30 UTC: night, although 07:30 local
        ("2026-09-13T23:30:00-05:00", 1.0),  # 04:30 UTC the next day
    ],
)
def test_is_night_uses_utc_hours(moment: str, expected: float) -> None:
    assert is_night(parse_event_time(moment)) == expected


def test_card_not_present_is_the_negation_of_card_present() -> None:
    assert card_not_present(False) == 1.0
    assert card_not_present(True) == 0.0


def test_merchant_risk_flags_high_risk_codes_and_a_missing_code_separately() -> None:
    assert merchant_risk("6051") == (1.0, 0.0)  # quasi-cash
    assert merchant_risk("5411") == (0.0, 0.0)  # grocery
    assert merchant_risk(None) == (0.0, 1.0)  # missing is not risky by itself


def test_account_age_imputes_the_training_median_when_null() -> None:
    assert account_age(None) == (math.log1p(ACCOUNT_AGE_IMPUTE_DAYS), 1.0)
    assert account_age(0) == (0.0, 0.0)
    assert account_age(364) == (math.log1p(364), 0.0)
    with pytest.raises(FeatureError, match="account_age_days"):
        account_age(-1)


def test_prior_events_keeps_the_window_before_as_of_in_history_order() -> None:
    window = timedelta(hours=6)
    too_old = PastTransaction(AT - timedelta(hours=6, microseconds=1), 1.0)
    at_start = PastTransaction(AT - window, 2.0)  # the window start is inclusive
    other_offset = PastTransaction(parse_event_time("2026-09-14T13:59:00+02:00"), 3.0)  # 11:59 UTC
    same_instant = PastTransaction(parse_event_time("2026-09-14T07:00:00-05:00"), 4.0)  # = AT: excluded
    later = PastTransaction(AT + timedelta(seconds=1), 5.0)
    history = [other_offset, later, too_old, at_start, same_instant]
    assert prior_events(history, AT, window) == [other_offset, at_start]  # input order kept, not sorted
    assert prior_events(history, AT, timedelta(0)) == []
    assert prior_events([], AT, window) == []
    assert prior_events(iter(history), AT, window) == [other_offset, at_start]  # any iterable, read once
    with pytest.raises(FeatureError, match="UTC offset"):
        prior_events(history, datetime(2026, 9, 14, 12, 0), window)
    with pytest.raises(FeatureError, match="UTC offset"):
        prior_events([PastTransaction(datetime(2026, 9, 14, 11, 0), 1.0)], AT, window)


def test_velocity_counts_the_24_hours_before_the_transaction_only() -> None:
    history = [
        PastTransaction(AT - timedelta(hours=24, seconds=1), 10.0),  # just outside the window
        PastTransaction(AT - timedelta(hours=24), 10.0),  # window start is inclusive
        PastTransaction(AT - timedelta(minutes=1), 10.0),
        PastTransaction(AT, 10.0),  # the same instant is not "before"
        PastTransaction(AT + timedelta(minutes=5), 10.0),  # the future
    ]
    assert txn_count_24h(history, AT) == 2.0
    assert txn_count_24h([], AT) == 0.0


def test_amount_ratio_compares_with_the_30_day_mean_and_is_capped() -> None:
    history = [
        PastTransaction(AT - timedelta(days=1), 20.0),
        PastTransaction(AT - timedelta(days=29), 60.0),
        PastTransaction(AT - timedelta(days=31), 5000.0),  # outside 30 days
    ]
    assert amount_ratio_30d(80.0, history, AT) == 2.0
    assert amount_ratio_30d(80.0, [], AT) == 1.0
    assert amount_ratio_30d(1_000_000.0, history, AT) == MAX_AMOUNT_RATIO
    assert amount_ratio_30d(5.0, [PastTransaction(AT - timedelta(hours=1), 0.0)], AT) == MAX_AMOUNT_RATIO


def test_build_features_returns_every_model_feature_in_order() -> None:
    transaction = {
        "event_time": AT, "amount": 250.0, "merchant_country": "RO", "home_country": "FR",
        "card_present": False, "merchant_category": "4829", "account_age_days": None,
    }
    history = [PastTransaction(AT - timedelta(hours=2), 50.0)]
    features = build_features(transaction, history)
    assert tuple(features) == FEATURE_NAMES
    assert features == {
        "log_amount": pytest.approx(math.log1p(250.0)),
        "is_foreign": 1.0,
        "is_night": 0.0,
        "card_not_present": 1.0,
        "high_risk_mcc": 1.0,
        "mcc_missing": 0.0,
        "log_account_age": pytest.approx(math.log1p(ACCOUNT_AGE_IMPUTE_DAYS)),
        "account_age_missing": 1.0,
        "txn_count_24h": 1.0,
        "amount_ratio_30d": 5.0,
    }


def test_parse_event_time_needs_an_offset() -> None:
    assert parse_event_time("2026-09-14T12:00:00Z") == AT
    assert parse_event_time("2026-09-14T14:00:00+02:00") == AT
    with pytest.raises(FeatureError, match="UTC offset"):
        parse_event_time("2026-09-14T12:00:00")
    with pytest.raises(FeatureError, match="ISO 8601"):
        parse_event_time("14/09/2026 12:00")
