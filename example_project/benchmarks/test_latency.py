"""Latency of ``POST /v1/score`` against the SLA in mlchecklist.yaml (p50 25 ms, p95 60 ms, p99 90 ms).

This is not one of the unit tests (``testpaths`` is ``tests/``): it needs pytest-benchmark and
httpx, and the numbers that count are those of the deployed service. The ``latency`` job of
``.github/workflows/ci.yml`` runs it after every deploy to staging, from the runner inside the
cluster, so the timings include the network hop, the API key check and the Redis lookup:

    pip install -e ".[serve,bench]"
    FRAUD_SCORING_URL=http://fraud-scorer.fraud-scoring-staging.svc:8080 \\
    FRAUD_SCORING_API_KEY=<staging key> \\
        pytest benchmarks/test_latency.py --benchmark-save=serving --benchmark-save-data

Without ``FRAUD_SCORING_URL`` the test times the in-process scoring path (no network, no Redis):
good for spotting a slow change in the Python code, but far below what the SLA is about. The file
kept in ``.benchmarks/`` is such an in-process run (``PYTHONPATH=src pytest
benchmarks/test_latency.py --benchmark-save=serving --benchmark-save-data``); the staging job
replaces it with the deployed service's numbers.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from fraud_scoring.history import InMemoryHistoryStore
from fraud_scoring.predictor import Predictor

SLA_MS = {"p50": 25.0, "p95": 60.0, "p99": 90.0}  # mlchecklist.yaml `sla.latency_ms`: change both together
ROUNDS = 200
MODEL_PATH = Path(__file__).resolve().parents[1] / "artifacts" / "model.json"
_counter = itertools.count(1)


def next_request() -> dict[str, Any]:
    """A new authorisation each call, spread over a few accounts so that history lookups are real."""
    n = next(_counter)
    return {
        "transaction_id": f"bench_{os.getpid()}_{n}",
        "account_id": f"bench_acc_{n % 12}",
        "event_time": f"2026-11-02T{n % 24:02d}:{n % 60:02d}:00+00:00",
        "amount": 12.5 + n % 400,
        "currency": "EUR",
        "merchant_category": "5411" if n % 9 else None,
        "merchant_country": "DE" if n % 7 else "FR",
        "home_country": "DE",
        "card_present": bool(n % 3),
        "channel": "pos" if n % 3 else "ecommerce",
        "account_age_days": 400 + n % 50,
    }


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@pytest.fixture
def score_once() -> Iterator[Callable[[], Any]]:
    """One scoring call: over HTTP when FRAUD_SCORING_URL is set, in process otherwise."""
    url = os.environ.get("FRAUD_SCORING_URL")
    if url:
        import httpx

        with httpx.Client(base_url=url, timeout=1.0,
                          headers={"X-API-Key": os.environ["FRAUD_SCORING_API_KEY"]}) as client:
            def call() -> None:
                client.post("/v1/score", json=next_request()).raise_for_status()
            yield call
    else:
        predictor = Predictor.from_artifact(MODEL_PATH, InMemoryHistoryStore())
        yield lambda: predictor.score(next_request())


@pytest.mark.benchmark(group="serving")
def test_predict_latency(benchmark: Any, score_once: Callable[[], Any]) -> None:
    benchmark.pedantic(score_once, rounds=ROUNDS, iterations=1, warmup_rounds=20)
    timings = sorted(benchmark.stats.stats.data)
    measured = {name: percentile(timings, float(name[1:])) * 1000 for name in SLA_MS}
    benchmark.extra_info.update({f"{name}_ms": round(value, 2) for name, value in measured.items()})
    over = {name: f"{value:.1f} ms > {SLA_MS[name]:.0f} ms" for name, value in measured.items() if value > SLA_MS[name]}
    assert not over, f"latency over the SLA: {over}"
