"""Request and response models of the scoring API.

``TransactionRequest`` mirrors ``schemas/transaction.schema.json`` (the batch contract) field
by field, with the same types, ranges and nullability; ``tests/test_skew.py`` checks that they
do not drift apart. Unknown fields are rejected rather than ignored, so a renamed field
upstream fails loudly instead of silently becoming a null.

Types are checked as JSON Schema checks them, not coerced: ``amount``, ``card_present`` and
``account_age_days`` are strict (JSON ``true`` is not an amount of 1, ``"yes"`` is not a
boolean, ``"812"`` is not an integer), and ``event_time`` must be a string, not an epoch
number. Pydantic's default lax mode would accept all of these and score them, where the batch
validator rejects them: the same record would be scored online and refused in training.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = r"^[A-Za-z0-9_-]+$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"


class Channel(str, Enum):
    """How the card was used."""

    POS = "pos"
    ECOMMERCE = "ecommerce"
    MOTO = "moto"


class TransactionRequest(BaseModel):
    """One card authorisation to score."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    transaction_id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    account_id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    event_time: AwareDatetime
    amount: float = Field(gt=0, le=50_000, allow_inf_nan=False, strict=True)
    currency: Literal["EUR", "GBP", "USD"]
    merchant_category: str | None = Field(default=None, pattern=r"^[0-9]{4}$")
    merchant_country: str = Field(pattern=COUNTRY_PATTERN)
    home_country: str = Field(pattern=COUNTRY_PATTERN)
    card_present: bool = Field(strict=True)
    channel: Channel
    account_age_days: int | None = Field(default=None, ge=0, le=36_500, strict=True)

    @field_validator("event_time", mode="before")
    @classmethod
    def event_time_is_a_timestamp_string(cls, value: Any) -> Any:
        """Refuse numbers (epoch seconds or milliseconds are ambiguous); strings are parsed as usual."""
        if isinstance(value, (int, float)):  # bool included
            raise ValueError("must be an ISO 8601 timestamp string with a UTC offset, not a number")
        return value

    def feature_input(self) -> dict[str, Any]:
        """The record as ``features.build_features`` expects it (same keys as the CSV export)."""
        record = self.model_dump()
        record["channel"] = self.channel.value
        return record


class ScoreResponse(BaseModel):
    """The score, the decision it maps to, and why."""

    model_config = ConfigDict(frozen=True)

    transaction_id: str
    score: float = Field(ge=0.0, le=1.0, allow_inf_nan=False)
    decision: Literal["approve", "review", "decline"]
    model_version: str
    reason_codes: list[str] = Field(default_factory=list, max_length=3)


class HealthResponse(BaseModel):
    """Body of ``GET /health``: ``unavailable`` (HTTP 503) without a model, ``degraded`` when
    the history store does not answer (scoring requests then get 503 one by one)."""

    status: Literal["ok", "degraded", "unavailable"]
    model_loaded: bool
    model_version: str | None = None
    history_store: Literal["ok", "unreachable"]


class ErrorResponse(BaseModel):
    """Body of every error the API returns (never a stack trace)."""

    error: str
    detail: list[str] = Field(default_factory=list)
    request_id: str | None = None
