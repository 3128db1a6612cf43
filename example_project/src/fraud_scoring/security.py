"""API keys and per-client rate limits for the scoring API (no web framework in here).

Every calling system (the payment gateway, the case-management tool) has its own key. Keys are
issued by the platform team and mounted from the ``fraud-scorer-api-keys`` Secret as lines
``<client_id> <sha256 hex of the key>``: the service only ever holds hashes, and compares them
in constant time. The rate limit is a token bucket per client, sized well above the gateway's
peak (35 requests/s over three pods) so that it only bites on a retry storm or a runaway client.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

_LINE = re.compile(r"^(?P<client>[a-z0-9][a-z0-9-]{1,62})\s+(?P<digest>[0-9a-f]{64})$")


class AuthError(Exception):
    """The request carries no API key or an unknown one."""


def key_digest(key: str) -> str:
    """The SHA-256 hex digest stored for a key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ApiKeys:
    """Key digests and the client each belongs to."""

    clients_by_digest: dict[str, str]

    @classmethod
    def from_lines(cls, lines: Iterable[str], *, source: str = "<keys>") -> ApiKeys:
        """Parse ``client digest`` lines (blank lines and ``#`` comments allowed)."""
        clients: dict[str, str] = {}
        for number, raw in enumerate(lines, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            match = _LINE.match(line)
            if match is None:
                raise ValueError(f"{source}:{number}: expected '<client_id> <sha256 hex digest>'")
            clients[match["digest"]] = match["client"]
        if not clients:
            raise ValueError(f"{source}: no API keys configured; refusing to start an open endpoint")
        return cls(clients)

    @classmethod
    def from_file(cls, path: str | Path) -> ApiKeys:
        """Read the mounted key file."""
        return cls.from_lines(Path(path).read_text(encoding="utf-8").splitlines(), source=str(path))

    def authenticate(self, key: str | None) -> str:
        """The client a key belongs to; raises :class:`AuthError` otherwise."""
        if not key:
            raise AuthError("missing API key (send it in the X-API-Key header)")
        digest = key_digest(key)
        client = None
        for stored, owner in self.clients_by_digest.items():
            if hmac.compare_digest(stored, digest):
                client = owner
        if client is None:
            raise AuthError("unknown API key")
        return client


@dataclass
class RateLimiter:
    """Token bucket per client: ``rate`` requests per second on average, bursts up to ``burst``."""

    rate: float
    burst: float
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, client: str) -> bool:
        """Take one token from the client's bucket; False when it is empty."""
        now = self.clock()
        with self._lock:
            tokens, updated = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - updated) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        return allowed
