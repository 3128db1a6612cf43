"""Feature functions shared by the training pipeline and the online scorer.

There is exactly one implementation of every feature: ``pipeline.py`` (batch, training) and
``predictor.py`` (online, serving) both call :func:`build_features`, and the model artifact
records :func:`code_fingerprint` so that serving can tell when it runs other feature code. Features that look at an
account's history are point-in-time: for a transaction at ``as_of`` they only see events
strictly before ``as_of``, so training rows never peek at the future.

Null handling follows the table in docs/features.md; change both together.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

#: Order of the model's inputs. The model artifact stores it; the predictor refuses a mismatch.
FEATURE_NAMES: tuple[str, ...] = (
    "log_amount",
    "is_foreign",
    "is_night",
    "card_not_present",
    "high_risk_mcc",
    "mcc_missing",
    "log_account_age",
    "account_age_missing",
    "txn_count_24h",
    "amount_ratio_30d",
)

#: Merchant category codes with a high base fraud rate (money transfer, quasi-cash,
#: gambling, direct marketing), from the 2026-Q2 chargeback analysis.
HIGH_RISK_MCC = frozenset({"4829", "6051", "7995", "5967"})
#: Median account age of the September 2026 training export; imputed when the field is null.
ACCOUNT_AGE_IMPUTE_DAYS = 365
NIGHT_HOURS = range(0, 6)
VELOCITY_WINDOW = timedelta(hours=24)
AMOUNT_WINDOW = timedelta(days=30)
MAX_AMOUNT_RATIO = 50.0


class FeatureError(ValueError):
    """A raw value that no feature can be computed from (negative amount, naive timestamp...)."""


@dataclass(frozen=True)
class PastTransaction:
    """One earlier transaction of the same account, as kept by the history store."""

    event_time: datetime
    amount: float


def log_amount(amount: float) -> float:
    """``log1p`` of the transaction amount in its own currency."""
    if not math.isfinite(amount) or amount < 0:
        raise FeatureError(f"amount must be a finite, non-negative number, got {amount!r}")
    return math.log1p(amount)


def is_foreign(merchant_country: str, home_country: str) -> float:
    """1.0 when the merchant is outside the card holder's home country."""
    return float(merchant_country.upper() != home_country.upper())


def is_night(event_time: datetime) -> float:
    """1.0 for transactions between 00:00 and 05:59 UTC."""
    return float(_aware(event_time).astimezone(timezone.utc).hour in NIGHT_HOURS)


def card_not_present(card_present: bool) -> float:
    """1.0 for card-not-present transactions (e-commerce, mail/telephone order)."""
    return float(not card_present)


def merchant_risk(merchant_category: str | None) -> tuple[float, float]:
    """(high-risk MCC flag, missing flag). A null MCC is not treated as risky by itself."""
    if merchant_category is None:
        return 0.0, 1.0
    return float(merchant_category in HIGH_RISK_MCC), 0.0


def account_age(account_age_days: int | None) -> tuple[float, float]:
    """(log1p of account age in days, missing flag); null is imputed with the training median."""
    if account_age_days is None:
        return math.log1p(ACCOUNT_AGE_IMPUTE_DAYS), 1.0
    if account_age_days < 0:
        raise FeatureError(f"account_age_days must be >= 0, got {account_age_days}")
    return math.log1p(account_age_days), 0.0


def prior_events(history: Iterable[PastTransaction], as_of: datetime, window: timedelta) -> list[PastTransaction]:
    """Events in ``[as_of - window, as_of)``: never the transaction itself, never later ones."""
    as_of = _aware(as_of)
    start = as_of - window
    return [event for event in history if start <= _aware(event.event_time) < as_of]


def txn_count_24h(history: Iterable[PastTransaction], as_of: datetime) -> float:
    """Number of the account's transactions in the 24 hours before ``as_of``."""
    return float(len(prior_events(history, as_of, VELOCITY_WINDOW)))


def amount_ratio_30d(amount: float, history: Iterable[PastTransaction], as_of: datetime) -> float:
    """Amount over the account's mean amount in the previous 30 days (1.0 without history)."""
    previous = prior_events(history, as_of, AMOUNT_WINDOW)
    if not previous:
        return 1.0
    mean = sum(event.amount for event in previous) / len(previous)
    if mean <= 0:
        return MAX_AMOUNT_RATIO
    return min(amount / mean, MAX_AMOUNT_RATIO)


def build_features(transaction: Mapping[str, Any], history: Iterable[PastTransaction] = ()) -> dict[str, float]:
    """All model features for one transaction, in :data:`FEATURE_NAMES` order.

    ``transaction`` holds the fields of ``schemas/transaction.schema.json`` with
    ``event_time`` already parsed to an aware datetime; ``history`` holds the account's
    earlier transactions (later ones are ignored).
    """
    as_of = _aware(transaction["event_time"])
    amount = float(transaction["amount"])
    events = list(history)
    high_risk, mcc_missing = merchant_risk(transaction.get("merchant_category"))
    age, age_missing = account_age(transaction.get("account_age_days"))
    features = {
        "log_amount": log_amount(amount),
        "is_foreign": is_foreign(transaction["merchant_country"], transaction["home_country"]),
        "is_night": is_night(as_of),
        "card_not_present": card_not_present(bool(transaction["card_present"])),
        "high_risk_mcc": high_risk,
        "mcc_missing": mcc_missing,
        "log_account_age": age,
        "account_age_missing": age_missing,
        "txn_count_24h": txn_count_24h(events, as_of),
        "amount_ratio_30d": amount_ratio_30d(amount, events, as_of),
    }
    return {name: features[name] for name in FEATURE_NAMES}


def parse_event_time(value: str | datetime) -> datetime:
    """Parse an ISO 8601 timestamp with an offset (``Z`` accepted) into an aware datetime."""
    if isinstance(value, datetime):
        return _aware(value)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise FeatureError(f"event_time {value!r} is not an ISO 8601 timestamp") from None
    return _aware(parsed)


def code_fingerprint() -> str:
    """SHA-256 of this module's source: the identity of the feature code."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise FeatureError("timestamps must carry a UTC offset; naive datetimes are ambiguous")
    return moment
