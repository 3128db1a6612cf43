"""Online scoring: one authorisation in, a score, a decision and reason codes out.

This is the whole inference path, free of any web framework: ``app.py`` wraps it in HTTP, and
the tests and the latency benchmark call it directly. The request is validated against the
transaction contract (``schemas.TransactionRequest``), features come from
``features.build_features`` (the function the training pipeline uses), and the account's
earlier transactions come from the history store.

Decisions: a score of at least ``DECLINE_THRESHOLD`` declines, at least ``REVIEW_THRESHOLD``
goes to manual review (the threshold the offline evaluation gates on, ``decision_threshold``
in ``configs/evaluation.yaml``), anything lower approves.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fraud_scoring.features import FEATURE_NAMES, build_features, code_fingerprint
from fraud_scoring.history import HistoryStore
from fraud_scoring.model import LogisticModel, ModelError
from fraud_scoring.schemas import ScoreResponse, TransactionRequest

REVIEW_THRESHOLD = 0.5
DECLINE_THRESHOLD = 0.8
MAX_REASON_CODES = 3

#: Reason code shown to fraud analysts for each feature that pushes a score up.
REASON_CODES: dict[str, str] = {
    "log_amount": "amount",
    "is_foreign": "foreign_merchant",
    "is_night": "night_time",
    "card_not_present": "card_not_present",
    "high_risk_mcc": "high_risk_merchant_category",
    "mcc_missing": "merchant_category_missing",
    "log_account_age": "account_age",
    "account_age_missing": "account_age_missing",
    "txn_count_24h": "velocity_24h",
    "amount_ratio_30d": "amount_vs_30_day_mean",
}

Decision = Literal["approve", "review", "decline"]
log = logging.getLogger(__name__)


def decide(score: float) -> Decision:
    """The action for a score."""
    if score >= DECLINE_THRESHOLD:
        return "decline"
    if score >= REVIEW_THRESHOLD:
        return "review"
    return "approve"


def validation_messages(errors: Iterable[Mapping[str, Any]]) -> list[str]:
    """One ``field: problem`` line per pydantic error (FastAPI's ``body`` prefix dropped)."""
    messages = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part != "body"]
        messages.append(f"{'.'.join(location) or 'request'}: {error.get('msg', 'invalid value')}")
    return messages


@dataclass(frozen=True)
class Scored:
    """The answer to one request, and what the prediction log keeps about it."""

    response: ScoreResponse
    features: dict[str, float]
    event_time: str

    def log_record(self, **context: Any) -> dict[str, Any]:
        """The prediction log line, read by the drift and outcomes jobs (no raw request fields)."""
        return {
            "log": "prediction",
            "transaction_id": self.response.transaction_id,
            "event_time": self.event_time,
            "model_version": self.response.model_version,
            "score": self.response.score,
            "decision": self.response.decision,
            "features": self.features,
            **context,
        }


class Predictor:
    """A loaded model plus the history store it reads account history from."""

    def __init__(self, model: LogisticModel, history: HistoryStore) -> None:
        if tuple(model.feature_names) != FEATURE_NAMES:
            raise ModelError(
                f"model {model.version} expects features {list(model.feature_names)}, "
                f"the feature code computes {list(FEATURE_NAMES)}; retrain or deploy matching code")
        self.model = model
        self.history = history

    @classmethod
    def from_artifact(cls, path: str | Path, history: HistoryStore) -> Predictor:
        """Load ``model.json``; raises :class:`ModelError` when it is missing, malformed or mismatched."""
        model = LogisticModel.load(path)
        trained_with = model.metadata.get("feature_code_sha256")
        if trained_with != code_fingerprint():
            log.warning("model %s was trained with different feature code (%s); check for skew",
                        model.version, trained_with)
        return cls(model, history)

    def score(self, payload: Mapping[str, Any]) -> Scored:
        """Validate a decoded JSON request and score it (raises ``pydantic.ValidationError``)."""
        return self.score_request(TransactionRequest.model_validate(payload))

    def score_request(self, request: TransactionRequest) -> Scored:
        """Score a validated request and record it in the account history.

        Raises :class:`fraud_scoring.history.HistoryUnavailable` when the history store does
        not answer: without history the velocity features would be wrong, so no score is given.
        """
        past = self.history.recent(request.account_id, before=request.event_time)
        values = build_features(request.feature_input(), past)
        score = self.model.predict_proba(values)
        self.history.record(request.account_id, request.transaction_id, request.event_time, request.amount)
        decision = decide(score)
        response = ScoreResponse(
            transaction_id=request.transaction_id,
            score=round(score, 6),
            decision=decision,
            model_version=self.model.version,
            reason_codes=self.reason_codes(values) if decision != "approve" else [],
        )
        return Scored(response, values, request.event_time.isoformat())

    def reason_codes(self, values: Mapping[str, float]) -> list[str]:
        """The features that raise this score most, largest first."""
        contributions = self.model.contributions(values)
        raising = sorted((c, name) for name, c in contributions.items() if c > 0)
        return [REASON_CODES[name] for _, name in reversed(raising[-MAX_REASON_CODES:])]
