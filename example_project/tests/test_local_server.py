"""The local stand-in server of the load test (``scripts/serve_local.py``) answers like the API."""

from __future__ import annotations

import importlib.util
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from fraud_scoring.history import InMemoryHistoryStore
from fraud_scoring.model import LogisticModel
from fraud_scoring.predictor import Predictor
from fraud_scoring.security import ApiKeys, RateLimiter, key_digest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "serve_local.py"
KEY = "test-key-0b7e"
Call = Callable[..., tuple[int, dict[str, Any], dict[str, str]]]


def load_script() -> ModuleType:
    """Import scripts/serve_local.py by path (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("serve_local", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def call(model: LogisticModel) -> Iterator[Call]:
    """A running server on a free port, and a function making one request to it."""
    serve_local = load_script()
    keys = ApiKeys.from_lines([f"loadtest {key_digest(KEY)}"])
    service = serve_local.LocalService(Predictor(model, InMemoryHistoryStore()), keys, rate_limit=5.0)
    service.limiter = RateLimiter(rate=5.0, burst=5.0, clock=lambda: 0.0)  # time stands still: no refill
    server = serve_local.make_server("127.0.0.1", 0, service)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def request(path: str, body: Any = None, key: str | None = KEY) -> tuple[int, dict[str, Any], dict[str, str]]:
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json", **({"X-API-Key": key} if key else {})}
        req = urllib.request.Request(base + path, data=data, headers=headers, method="POST" if data else "GET")
        try:
            with urllib.request.urlopen(req, timeout=5) as response:
                return response.status, json.loads(response.read()), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read()), dict(error.headers)

    yield request
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_a_valid_authorisation_is_scored(call: Call, payload: Callable[..., dict[str, Any]]) -> None:
    status, body, headers = call("/v1/score", payload())
    assert status == 200
    assert set(body) == {"transaction_id", "score", "decision", "model_version", "reason_codes"}
    assert 0.0 <= body["score"] <= 1.0
    assert headers["X-Request-ID"]


def test_errors_are_the_api_error_bodies(call: Call, payload: Callable[..., dict[str, Any]]) -> None:
    status, body, headers = call("/v1/score", payload(), key=None)
    assert (status, body["error"]) == (401, "missing API key (send it in the X-API-Key header)")
    assert headers["WWW-Authenticate"] == "ApiKey"
    status, body, _ = call("/v1/score", payload(amount="84,90"))
    assert status == 422
    assert body["detail"] == ["amount: Input should be a valid number"]
    assert body["request_id"]


def test_the_rate_limit_answers_429_with_retry_after(call: Call, payload: Callable[..., dict[str, Any]]) -> None:
    answers = [call("/v1/score", payload(transaction_id=f"tx_rl_{n}")) for n in range(7)]
    assert [status for status, _, _ in answers] == [200] * 5 + [429] * 2  # a burst of 5 at 5 requests/s
    status, body, headers = answers[-1]
    assert body["error"] == "rate limit of 5 requests/s exceeded"
    assert headers["Retry-After"] == "1"


def test_health_reports_the_model_and_the_history_store(call: Call) -> None:
    status, body, _ = call("/health")
    assert status == 200
    assert body == {"status": "ok", "model_loaded": True, "model_version": "fraud-lr-2026.10.1", "history_store": "ok"}
