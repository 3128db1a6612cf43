"""The pieces around the predictor that app.py wires in: request logging, API keys, rate limits, Redis history."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from fraud_scoring.history import RETENTION, InMemoryHistoryStore, RedisHistoryStore
from fraud_scoring.request_log import RequestLogMiddleware, current_request_id
from fraud_scoring.security import ApiKeys, AuthError, RateLimiter, key_digest

AT = datetime(2026, 11, 2, 20, 0, tzinfo=timezone.utc)


def asgi_app(status: int, seen_ids: list[str | None] | None = None) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if seen_ids is not None:
            seen_ids.append(current_request_id())
        if status == 500:
            raise RuntimeError("boom")
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})
    return app


def call(middleware: RequestLogMiddleware, path: str, headers: list[tuple[bytes, bytes]] | None = None) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": headers or []}
    asyncio.run(middleware(scope, receive, send))
    return sent


def ticking(*values: float) -> Iterator[float]:
    return iter(values)


def test_access_log_has_request_id_timestamp_status_and_latency(caplog: pytest.LogCaptureFixture) -> None:
    observed: list[tuple[str, int, float]] = []
    seen: list[str | None] = []
    clock = ticking(100.0, 100.0125)
    middleware = RequestLogMiddleware(asgi_app(200, seen), logger=logging.getLogger("test.access"),
                                      observe=lambda *args: observed.append(args), clock=lambda: next(clock))
    with caplog.at_level(logging.INFO, logger="test.access"):
        sent = call(middleware, "/v1/score", headers=[(b"x-request-id", b"gw-4f1c2a9e")])
    assert (b"x-request-id", b"gw-4f1c2a9e") in sent[0]["headers"]
    assert seen == ["gw-4f1c2a9e"]  # handlers see the id of their request
    line = json.loads(caplog.records[-1].getMessage())
    assert line["request_id"] == "gw-4f1c2a9e" and line["status"] == 200 and line["latency_ms"] == 12.5
    assert datetime.fromisoformat(line["timestamp"]).tzinfo is not None
    assert observed == [("/v1/score", 200, pytest.approx(0.0125))]


def test_a_malformed_request_id_is_replaced(caplog: pytest.LogCaptureFixture) -> None:
    middleware = RequestLogMiddleware(asgi_app(200), logger=logging.getLogger("test.access"))
    sent = call(middleware, "/v1/score", headers=[(b"x-request-id", b"<bad id>")])
    returned = dict(sent[0]["headers"])[b"x-request-id"]
    assert returned != b"<bad id>" and len(returned) == 32


def test_successes_are_sampled_errors_always_logged_probes_never(caplog: pytest.LogCaptureFixture) -> None:
    def logged(status: int, path: str) -> int:
        caplog.clear()
        middleware = RequestLogMiddleware(asgi_app(status), logger=logging.getLogger("test.access"),
                                          sample_rate=0.1, sampler=lambda: 0.5)
        with caplog.at_level(logging.INFO, logger="test.access"), contextlib.suppress(RuntimeError):
            call(middleware, path)
        return len(caplog.records)

    assert logged(200, "/v1/score") == 0
    assert logged(422, "/v1/score") == 1
    assert logged(500, "/v1/score") == 1  # the app raised: logged as 500, the error still propagates
    assert logged(503, "/health") == 0


def test_api_keys_identify_the_client_and_refuse_anything_else() -> None:
    keys = ApiKeys.from_lines(["# issued 2026-10-01", f"payment-gateway {key_digest('gw-key-7f3a')}",
                               f"case-tool {key_digest('ct-key-19bd')}"])
    assert keys.authenticate("gw-key-7f3a") == "payment-gateway"
    assert keys.authenticate("ct-key-19bd") == "case-tool"
    for bad in (None, "", "gw-key-7f3b"):
        with pytest.raises(AuthError):
            keys.authenticate(bad)


def test_a_key_file_without_keys_or_with_plain_keys_is_refused() -> None:
    with pytest.raises(ValueError, match="no API keys"):
        ApiKeys.from_lines(["# nothing yet"])
    with pytest.raises(ValueError, match="<keys>:1"):
        ApiKeys.from_lines(["payment-gateway gw-key-7f3a"])


def test_rate_limiter_allows_a_burst_then_the_steady_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=10.0, burst=5.0, clock=lambda: now[0])
    assert [limiter.allow("gw") for _ in range(6)] == [True] * 5 + [False]
    assert limiter.allow("case-tool")  # buckets are per client
    now[0] = 0.1
    assert limiter.allow("gw") and not limiter.allow("gw")


class FakeRedis:
    """The sorted-set subset of redis-py the history store uses."""

    def __init__(self) -> None:
        self.sets: dict[str, dict[str, float]] = {}
        self.ttl: dict[str, int] = {}

    def zrangebyscore(self, key: str, low: float, high: str, withscores: bool = False) -> list[tuple[str, float]]:
        exclusive, limit = high.startswith("("), float(high.lstrip("("))
        items = sorted(self.sets.get(key, {}).items(), key=lambda item: item[1])
        return [(m, s) for m, s in items if s >= low and (s < limit if exclusive else s <= limit)]

    def pipeline(self, transaction: bool = True) -> FakeRedis:
        return self

    def zadd(self, key: str, mapping: dict[str, float]) -> None:
        self.sets.setdefault(key, {}).update(mapping)

    def zremrangebyscore(self, key: str, low: str, high: str) -> None:
        limit = float(high.lstrip("("))
        self.sets[key] = {m: s for m, s in self.sets.get(key, {}).items() if s >= limit}

    def expire(self, key: str, seconds: int) -> None:
        self.ttl[key] = seconds

    def execute(self) -> None:
        return None

    def ping(self) -> bool:
        return True


def test_redis_history_store_answers_like_the_in_memory_store() -> None:
    redis_store, memory_store = RedisHistoryStore(FakeRedis()), InMemoryHistoryStore()
    events = [("tx_1", AT - timedelta(days=31), 500.0), ("tx_2", AT - timedelta(days=2), 20.0),
              ("tx_3", AT - timedelta(minutes=5), 35.5), ("tx_3", AT - timedelta(minutes=5), 35.5),
              ("tx_4", AT, 99.0)]
    for store in (redis_store, memory_store):
        for transaction_id, moment, amount in events:
            store.record("acc_1", transaction_id, moment, amount)
    assert redis_store.recent("acc_1", AT) == memory_store.recent("acc_1", AT)
    assert [e.amount for e in redis_store.recent("acc_1", AT)] == [20.0, 35.5]
    assert redis_store._client.ttl["history:acc_1"] > RETENTION.total_seconds()
    assert redis_store.ping()
