"""A local stand-in for the scoring API, standard library only, for load tests and manual checks.

It serves the same two routes as ``fraud_scoring.app`` with the same inference path (the
:class:`fraud_scoring.predictor.Predictor` and the committed model), the same API-key check and
per-client rate limit (``fraud_scoring.security``) and the same error bodies, but without
FastAPI, uvicorn, Redis or Prometheus: the account history is kept in memory
(:class:`fraud_scoring.history.InMemoryHistoryStore`).

* ``POST /v1/score``: 200 with a ``ScoreResponse``; 401 without a valid ``X-API-Key``; 422 for a
  body that breaks the transaction contract; 429 over the rate limit; 503 if the history store
  fails.
* ``GET /health``: ``HealthResponse``.

Numbers measured against this server say how the Python scoring path behaves under concurrent
HTTP load on one machine; they do not replace a run against staging (network hop, Redis, three
pods). See ``loadtest/README.md``.

    PYTHONPATH=src python scripts/serve_local.py --port 8080 --dev-key local-dev-key

``--dev-key`` registers one key for the client ``local``; ``--api-keys FILE`` reads the key
file format the service uses in production (``<client_id> <sha256 hex of the key>`` per line).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from fraud_scoring.history import HistoryUnavailable, InMemoryHistoryStore
from fraud_scoring.predictor import Predictor, validation_messages
from fraud_scoring.schemas import ErrorResponse, HealthResponse
from fraud_scoring.security import ApiKeys, AuthError, RateLimiter, key_digest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = PROJECT_ROOT / "artifacts" / "model.json"
MAX_BODY_BYTES = 16 * 1024  # a scoring request is about 350 bytes

log = logging.getLogger("serve_local")


class LocalService:
    """Everything a request handler needs: the predictor, the keys and the rate limiter."""

    def __init__(self, predictor: Predictor, api_keys: ApiKeys, rate_limit: float) -> None:
        self.predictor = predictor
        self.api_keys = api_keys
        self.limiter = RateLimiter(rate=rate_limit, burst=rate_limit)
        self.rate_limit = rate_limit

    def score(self, api_key: str | None, body: bytes) -> tuple[int, BaseModel, dict[str, str]]:
        """Status, response model and extra headers for one ``POST /v1/score``."""
        try:
            client = self.api_keys.authenticate(api_key)
        except AuthError as exc:
            return 401, ErrorResponse(error=str(exc)), {"WWW-Authenticate": "ApiKey"}
        if not self.limiter.allow(client):
            return 429, ErrorResponse(error=f"rate limit of {self.rate_limit:g} requests/s exceeded"), {"Retry-After": "1"}
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return 422, ErrorResponse(error="request body is not JSON"), {}
        if not isinstance(payload, dict):
            return 422, ErrorResponse(error="request body must be a JSON object"), {}
        try:
            scored = self.predictor.score(payload)
        except ValidationError as exc:
            detail = validation_messages(exc.errors())
            return 422, ErrorResponse(error="request does not match the transaction contract", detail=detail), {}
        except HistoryUnavailable as exc:
            return 503, ErrorResponse(error=str(exc)), {}
        return 200, scored.response, {}

    def health(self) -> tuple[int, BaseModel, dict[str, str]]:
        """Status and body of ``GET /health``."""
        history_ok = self.predictor.history.ping()
        body = HealthResponse(
            status="ok" if history_ok else "degraded",
            model_loaded=True,
            model_version=self.predictor.model.version,
            history_store="ok" if history_ok else "unreachable",
        )
        return 200, body, {}


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, as the gateway and Locust use it."""

    protocol_version = "HTTP/1.1"
    server_version = "fraud-scoring-local"
    service: LocalService  # set on the subclass made by :func:`make_server`

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        """``POST /v1/score``."""
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self.reply(413, ErrorResponse(error=f"request body over {MAX_BODY_BYTES} bytes"))
            return
        body = self.rfile.read(length)
        if self.path != "/v1/score":
            self.reply(404, ErrorResponse(error=f"no route {self.path}"))
            return
        status, response, headers = self.service.score(self.headers.get("X-API-Key"), body)
        self.reply(status, response, headers)

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        """``GET /health``."""
        if self.path != "/health":
            self.reply(404, ErrorResponse(error=f"no route {self.path}"))
            return
        status, response, headers = self.service.health()
        self.reply(status, response, headers)

    def reply(self, status: int, body: BaseModel, headers: dict[str, str] | None = None) -> None:
        """Send a JSON body with a request id (the caller's ``X-Request-ID`` or a new one)."""
        request_id = self.headers.get("X-Request-ID") or uuid.uuid4().hex
        if isinstance(body, ErrorResponse):
            body = body.model_copy(update={"request_id": request_id})
        data = body.model_dump_json().encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-ID", request_id)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        """Access log at DEBUG only: a load test would otherwise spend its time writing to stderr."""
        log.debug("%s %s", self.address_string(), format % args)


def load_keys(api_keys: Path | None, dev_key: str | None) -> ApiKeys:
    """The key file, or one development key for the client ``local``."""
    if api_keys is not None:
        return ApiKeys.from_file(api_keys)
    if dev_key:
        return ApiKeys.from_lines([f"local {key_digest(dev_key)}"], source="--dev-key")
    raise SystemExit("give --api-keys FILE or --dev-key KEY (or set FRAUD_SCORING_LOCAL_KEY): "
                     "the endpoint never runs without authentication")


class LocalServer(ThreadingHTTPServer):
    """One thread per connection. The listen backlog is raised from socketserver's 5: with 100
    clients connecting at once, a backlog of 5 drops SYNs, and each dropped one costs a
    1-second retransmit (the first local load test showed p95 = 1000 ms for that reason)."""

    daemon_threads = True
    request_queue_size = 256


def make_server(host: str, port: int, service: LocalService) -> LocalServer:
    """A threaded server bound to ``host:port`` (port 0 picks a free one)."""
    handler = type("BoundHandler", (Handler,), {"service": service})
    return LocalServer((host, port), handler)


def _stop(signum: int, _frame: object) -> None:
    """SIGTERM stops the server like Ctrl-C does."""
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--api-keys", type=Path, default=os.environ.get("FRAUD_SCORING_API_KEYS"))
    parser.add_argument("--dev-key", default=os.environ.get("FRAUD_SCORING_LOCAL_KEY"))
    parser.add_argument("--rate-limit", type=float, default=200.0, help="requests/s per client (production: 200)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")

    predictor = Predictor.from_artifact(args.model, InMemoryHistoryStore())
    service = LocalService(predictor, load_keys(args.api_keys, args.dev_key), args.rate_limit)
    server = make_server(args.host, args.port, service)
    signal.signal(signal.SIGTERM, _stop)
    log.info("serving model %s on http://%s:%d (in-memory history)",
             predictor.model.version, args.host, server.server_address[1])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
