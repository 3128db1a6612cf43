"""Request logging for the scoring API: an ASGI middleware and a non-blocking log setup.

Every HTTP request gets a request id (the caller's ``X-Request-ID`` when it sends a sane one, a
new one otherwise), returned in the response headers and available to handlers through
:func:`current_request_id`, so the access log line and the prediction log line of one request
can be joined. The access log line holds the request id, UTC timestamp, method, path, status
and latency; errors are always logged, successful requests are sampled (``sample_rate``), and
``/health`` and ``/metrics`` are not logged at all.

Log records go through a bounded queue to a background thread that writes them to stdout, so
a slow log pipeline never adds latency to a request; when the queue is full, records are
dropped and counted rather than blocking.
"""

from __future__ import annotations

import contextvars
import json
import logging
import queue
import random
import re
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime, timezone
from logging.handlers import QueueHandler, QueueListener
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Observer = Callable[[str, int, float], None]

_REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
QUEUE_SIZE = 10_000
QUIET_PATHS = frozenset({"/health", "/metrics"})


def current_request_id() -> str | None:
    """The id of the request being handled, if any."""
    return _REQUEST_ID.get()


class DroppingQueueHandler(QueueHandler):
    """A queue handler that drops (and counts) records instead of blocking when the queue is full."""

    def __init__(self, log_queue: queue.Queue[Any]) -> None:
        super().__init__(log_queue)
        self.dropped = 0

    def enqueue(self, record: logging.LogRecord) -> None:
        """Put the record on the queue without waiting."""
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1


def configure_logging(level: int = logging.INFO) -> QueueListener:
    """Route all logging through a bounded queue to stdout; returns the started listener."""
    log_queue: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_SIZE)
    stream = logging.StreamHandler(sys.stdout)
    stream.setFormatter(logging.Formatter("%(message)s"))
    listener = QueueListener(log_queue, stream, respect_handler_level=False)
    root = logging.getLogger()
    root.handlers[:] = [DroppingQueueHandler(log_queue)]
    root.setLevel(level)
    listener.start()
    return listener


class RequestLogMiddleware:
    """ASGI middleware: request id, one access log line per request, and a latency observer.

    ``observe(path, status, seconds)`` is called for every request (the app feeds its latency
    histogram with it); ``sample_rate`` is the share of successful requests that are logged.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        logger: logging.Logger | None = None,
        sample_rate: float = 1.0,
        observe: Observer | None = None,
        clock: Callable[[], float] = time.perf_counter,
        sampler: Callable[[], float] = random.random,
    ) -> None:
        self.app = app
        self.logger = logger or logging.getLogger("fraud_scoring.access")
        self.sample_rate = sample_rate
        self.observe = observe
        self.clock = clock
        self.sampler = sampler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self._request_id(scope)
        token = _REQUEST_ID.set(request_id)
        started_at = datetime.now(timezone.utc)
        start = self.clock()
        status = 500  # what the client sees when the app raises before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = self.clock() - start
            _REQUEST_ID.reset(token)
            path = scope.get("path", "")
            if self.observe is not None:
                self.observe(path, status, seconds)
            if path not in QUIET_PATHS and (status >= 400 or self.sampler() < self.sample_rate):
                self.logger.info(json.dumps({
                    "log": "access",
                    "request_id": request_id,
                    "timestamp": started_at.isoformat(timespec="milliseconds"),
                    "method": scope.get("method"),
                    "path": path,
                    "status": status,
                    "latency_ms": round(seconds * 1000, 2),
                }))

    @staticmethod
    def _request_id(scope: Scope) -> str:
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                candidate = bytes(value).decode("latin-1")
                if _SANE_REQUEST_ID.match(candidate):
                    return candidate
        return uuid.uuid4().hex
