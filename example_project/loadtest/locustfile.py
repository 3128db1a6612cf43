"""Load test of ``POST /v1/score``: the payment gateway's authorisation traffic, at peak and above.

Each simulated user is one gateway connection sending one authorisation per second
(``constant_throughput(1)``), so ``users`` in ``locust.conf`` is the request rate: 100 users
give about 100 requests/s, 2.9 times the gateway's peak of 35 requests/s. Requests are new
transactions of a pool of 5,000 accounts with the mix of the sample export (channels, merchant
categories, countries, foreign merchants, nulls), so the history lookups and the velocity
features do real work.

A response counts as a failure unless it is a 200 carrying a score between 0 and 1. Latency
targets (mlchecklist.yaml `sla.latency_ms`): p50 25 ms, p95 60 ms, p99 90 ms.

The key goes in ``X-API-Key``, read from ``FRAUD_SCORING_API_KEY``. Only Locust and the standard
library are needed: this file never imports the service.

    locust -f loadtest/locustfile.py --config loadtest/locust.conf --csv loadtest/results/$(date -u +%F)
"""

from __future__ import annotations

import itertools
import os
import random
import uuid
from datetime import datetime, timezone
from typing import Any

from locust import HttpUser, constant_throughput, task

API_KEY = os.environ.get("FRAUD_SCORING_API_KEY", "local-dev-key")
ACCOUNTS = 5_000

#: The mix of data/sample_transactions.csv, which follows the real export's (docs/data.md).
#: (channel, card present, share of traffic)
CHANNELS = (("pos", True, 0.52), ("ecommerce", False, 0.32), ("moto", False, 0.16))
#: Merchant categories by share; 4829, 6051, 7995 and 5967 are the high-risk codes of
#: ``features.HIGH_RISK_MCC``, None a null category.
MERCHANT_CATEGORIES = (
    ("5541", 0.17), ("5999", 0.12), ("5411", 0.12), ("4111", 0.10), ("5912", 0.10), (None, 0.08),
    ("6051", 0.08), ("5812", 0.08), ("5311", 0.05), ("4829", 0.05), ("7995", 0.03), ("5967", 0.02),
)
#: Home country and its currency, by share of accounts.
HOME_COUNTRIES = (
    (("DE", "EUR"), 0.22), (("US", "USD"), 0.20), (("GB", "GBP"), 0.15), (("IT", "EUR"), 0.12),
    (("FR", "EUR"), 0.12), (("NL", "EUR"), 0.08), (("IE", "EUR"), 0.06), (("ES", "EUR"), 0.05),
)
FOREIGN_COUNTRIES = ("GB", "US", "FR", "DE", "RO", "BR", "TR", "CH")
FOREIGN_SHARE = 0.25
ACCOUNT_AGE_NULL_SHARE = 0.20

_sequence = itertools.count(1)


def weighted(choices: tuple[tuple[Any, float], ...], rng: random.Random | None = None) -> Any:
    """One value drawn by its share."""
    values, weights = zip(*choices)
    return (rng or random).choices(values, weights=weights)[0]


_accounts = random.Random(2026)  # the same account pool in every run and every worker
_ACCOUNT_HOMES = [weighted(HOME_COUNTRIES, _accounts) for _ in range(ACCOUNTS)]
_ACCOUNT_AGES = [_accounts.randint(0, 6000) for _ in range(ACCOUNTS)]


def authorisation() -> dict[str, Any]:
    """A new authorisation as the gateway sends it (the contract of schemas/transaction.schema.json)."""
    account = random.randrange(ACCOUNTS)
    home, currency = _ACCOUNT_HOMES[account]
    channel, card_present, _ = random.choices(CHANNELS, weights=[share for *_, share in CHANNELS])[0]
    abroad = [country for country in FOREIGN_COUNTRIES if country != home]
    merchant_country = random.choice(abroad) if random.random() < FOREIGN_SHARE else home
    account_age = None if random.random() < ACCOUNT_AGE_NULL_SHARE else _ACCOUNT_AGES[account]
    return {
        "transaction_id": f"lt_{uuid.uuid4().hex[:12]}_{next(_sequence)}",
        "account_id": f"lt_acc_{account:05d}",
        "event_time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        # median about 45, long right tail, within the contract's (0, 50 000] range
        "amount": round(min(max(random.lognormvariate(3.8, 1.1), 0.5), 50_000.0), 2),
        "currency": currency,
        "merchant_category": weighted(MERCHANT_CATEGORIES),
        "merchant_country": merchant_country,
        "home_country": home,
        "card_present": card_present,
        "channel": channel,
        "account_age_days": account_age,
    }


class PaymentGateway(HttpUser):
    """One gateway connection: an authorisation per second, keep-alive, API key on every request."""

    wait_time = constant_throughput(1)

    def on_start(self) -> None:
        """Authenticate every request of this user."""
        self.client.headers.update({"X-API-Key": API_KEY, "Content-Type": "application/json"})

    @task
    def score(self) -> None:
        """Score one authorisation; anything but a 200 with a valid score is a failure."""
        with self.client.post("/v1/score", json=authorisation(), name="POST /v1/score",
                              catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            try:
                score = float(response.json()["score"])
            except (ValueError, KeyError, TypeError):
                response.failure("no score in the response")
                return
            if not 0.0 <= score <= 1.0:
                response.failure(f"score {score} outside [0, 1]")
            else:
                response.success()
