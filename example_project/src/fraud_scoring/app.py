"""HTTP API of the fraud scorer: FastAPI around :class:`fraud_scoring.predictor.Predictor`.

Routes:

* ``POST /v1/score``: score one authorisation. Needs an API key (``X-API-Key``) and is rate
  limited per client (``security.py``).
* ``GET /health``: 200 while the model is loaded (the body also says whether the history store
  answers), 503 otherwise; the readiness and liveness probes of ``deploy/k8s/deployment.yaml``.
* ``GET /metrics``: Prometheus metrics (latency, errors, score distribution, decisions, sales volume
  by decision).

Every error is an ``ErrorResponse`` carrying the request id, never a stack trace: 401 without a
valid key, 422 for a request that breaks the transaction contract, 429 over the rate limit,
503 while the model is not loaded or the history store does not answer. The payment gateway
falls back to the rules engine (``rules-v3``) on any non-200 answer or after 150 ms.

The image runs one worker per pod (``uvicorn fraud_scoring.app:app --port 8080``); scaling is
by pods, which keeps the Prometheus metrics per process simple.
"""

import json
import logging
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

import redis
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.exceptions import HTTPException

from fraud_scoring.history import HistoryStore, HistoryUnavailable, RedisHistoryStore
from fraud_scoring.model import ModelError
from fraud_scoring.predictor import Predictor, validation_messages
from fraud_scoring.request_log import RequestLogMiddleware, configure_logging, current_request_id
from fraud_scoring.schemas import ErrorResponse, HealthResponse, ScoreResponse, TransactionRequest
from fraud_scoring.security import ApiKeys, AuthError, RateLimiter

MODEL_PATH = Path(os.environ.get("FRAUD_SCORING_MODEL", "artifacts/model.json"))
API_KEYS_FILE = Path(os.environ.get("FRAUD_SCORING_API_KEYS", "/etc/fraud-scoring/api-keys"))
REDIS_URL = os.environ.get("FRAUD_SCORING_REDIS_URL", "redis://localhost:6379/0")
RATE_LIMIT_PER_SECOND = float(os.environ.get("FRAUD_SCORING_RATE_LIMIT", "200"))
ACCESS_LOG_SAMPLE_RATE = float(os.environ.get("FRAUD_SCORING_ACCESS_LOG_SAMPLE_RATE", "0.1"))
ROUTES = frozenset({"/v1/score", "/health", "/metrics"})

log = logging.getLogger("fraud_scoring.app")
prediction_log = logging.getLogger("fraud_scoring.predictions")

REQUEST_SECONDS = Histogram(
    "fraud_scoring_request_duration_seconds", "Time to answer a request, by route.", ["route"],
    buckets=(0.005, 0.01, 0.015, 0.025, 0.04, 0.06, 0.09, 0.15, 0.3, 1.0))
REQUESTS = Counter("fraud_scoring_requests", "Requests answered, by route and status code.", ["route", "status"])
SCORES = Histogram("fraud_scoring_score", "Fraud scores returned.",
                   buckets=(0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0))
DECISIONS = Counter("fraud_scoring_decisions", "Decisions returned.", ["decision"])
SALES_AMOUNT = Counter("fraud_scoring_sales_amount", "Amount of the scored authorisations (sales volume), by decision "
                       "and currency.", ["decision", "currency"])
INVALID_REQUESTS = Counter("fraud_scoring_invalid_requests", "Requests rejected by the contract, by field.", ["field"])
HISTORY_ERRORS = Counter("fraud_scoring_history_errors", "Requests not scored because the history store failed.")
MODEL_INFO = Gauge("fraud_scoring_model_info", "The model version this pod serves (value 1).", ["version"])


class ServiceState:
    """What the lifespan sets up; ``predictor`` stays None when the model cannot be loaded."""

    predictor: Predictor | None = None
    history: HistoryStore | None = None
    api_keys: ApiKeys | None = None
    limiter = RateLimiter(rate=RATE_LIMIT_PER_SECOND, burst=RATE_LIMIT_PER_SECOND)


state = ServiceState()


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    """Load keys, connect the history store and load the model; a bad model leaves /health at 503."""
    listener = configure_logging()
    state.api_keys = ApiKeys.from_file(API_KEYS_FILE)
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True, socket_timeout=0.02,
                                  socket_connect_timeout=0.05, health_check_interval=30)
    state.history = RedisHistoryStore(client, errors=(redis.RedisError,))
    try:
        state.predictor = Predictor.from_artifact(MODEL_PATH, state.history)
        MODEL_INFO.labels(state.predictor.model.version).set(1)
        log.info("serving model %s from %s", state.predictor.model.version, MODEL_PATH)
    except ModelError:
        log.exception("model not loaded; /health answers 503 until a pod starts with a good artifact")
    try:
        yield
    finally:
        client.close()
        listener.stop()


def observe_request(path: str, status: int, seconds: float) -> None:
    """Latency and status metrics for every request (unknown paths grouped as ``other``)."""
    route = path if path in ROUTES else "other"
    REQUEST_SECONDS.labels(route).observe(seconds)
    REQUESTS.labels(route, str(status)).inc()


app = FastAPI(title="fraud-scoring", version="2026.11.2", lifespan=lifespan)
app.add_middleware(RequestLogMiddleware, sample_rate=ACCESS_LOG_SAMPLE_RATE, observe=observe_request)
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def authenticated_client(api_key: str | None = Depends(api_key_header)) -> str:
    """The calling system, from its API key: 401 without a valid key, 429 over its rate limit."""
    if state.api_keys is None:
        raise HTTPException(status_code=503, detail="service is starting")
    try:
        client = state.api_keys.authenticate(api_key)
    except AuthError as exc:
        raise HTTPException(status_code=401, detail=str(exc), headers={"WWW-Authenticate": "ApiKey"}) from None
    if not state.limiter.allow(client):
        raise HTTPException(status_code=429, detail=f"rate limit of {RATE_LIMIT_PER_SECOND:g} requests/s exceeded",
                            headers={"Retry-After": "1"})
    return client


def error_response(status: int, error: str, detail: list[str] | None = None,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    """An ``ErrorResponse`` body with the request id."""
    body = ErrorResponse(error=error, detail=detail or [], request_id=current_request_id())
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


@app.exception_handler(RequestValidationError)
async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
    """422 listing every field that breaks the transaction contract."""
    for error in exc.errors():
        field = str(error["loc"][1]) if len(error["loc"]) > 1 else "body"
        INVALID_REQUESTS.labels(field if field in TransactionRequest.model_fields else "unknown_field").inc()
    return error_response(422, "request does not match the transaction contract", validation_messages(exc.errors()))


@app.exception_handler(HTTPException)
async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
    """Errors raised on purpose (401, 404, 429, 503), in the common error body."""
    return error_response(exc.status_code, str(exc.detail), headers=exc.headers)


@app.exception_handler(Exception)
async def unexpected_error(_: Request, exc: Exception) -> JSONResponse:
    """500 without internals; the stack trace goes to the log with the request id."""
    log.error("unhandled error in request %s", current_request_id(), exc_info=exc)
    return error_response(500, "internal error; the request id is in the service log")


@app.post("/v1/score", response_model=ScoreResponse,
          responses={401: {"model": ErrorResponse}, 422: {"model": ErrorResponse},
                     429: {"model": ErrorResponse}, 503: {"model": ErrorResponse}})
def score(transaction: TransactionRequest, client: str = Depends(authenticated_client)) -> ScoreResponse:
    """Score one card authorisation."""
    predictor = state.predictor
    if predictor is None:
        raise HTTPException(status_code=503, detail="model not loaded")
    try:
        scored = predictor.score_request(transaction)
    except HistoryUnavailable as exc:
        HISTORY_ERRORS.inc()
        raise HTTPException(status_code=503, detail=str(exc)) from None
    SCORES.observe(scored.response.score)
    DECISIONS.labels(scored.response.decision).inc()
    SALES_AMOUNT.labels(scored.response.decision, transaction.currency).inc(transaction.amount)
    prediction_log.info(json.dumps(scored.log_record(client=client, request_id=current_request_id())))
    return scored.response


@app.get("/health", response_model=HealthResponse, responses={503: {"model": HealthResponse}})
def health() -> JSONResponse:
    """Readiness and liveness: 503 unless the model is loaded; reports the history store too."""
    predictor = state.predictor
    history_ok = state.history is not None and state.history.ping()
    status: Literal["ok", "degraded", "unavailable"]
    if predictor is None:
        status = "unavailable"
    else:
        status = "ok" if history_ok else "degraded"
    body = HealthResponse(
        status=status,
        model_loaded=predictor is not None,
        model_version=predictor.model.version if predictor else None,
        history_store="ok" if history_ok else "unreachable",
    )
    return JSONResponse(body.model_dump(), status_code=200 if predictor is not None else 503)


@app.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    """Prometheus exposition of this process's metrics."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
