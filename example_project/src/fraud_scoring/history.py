"""Account history for the point-in-time features, as the online scorer sees it.

The scorer records every authorisation it scores, and the features of the next authorisation
of the same account look back at them (24 hours for the velocity count, 30 days for the mean
amount). A store answers the question ``pipeline.build_feature_rows`` answers in batch: which
earlier transactions does this account have, strictly before a given time. Recording is
idempotent by transaction id, so a request the gateway retries is counted once.

Production uses :class:`RedisHistoryStore` (one sorted set per account); tests, the latency
benchmark and local runs use :class:`InMemoryHistoryStore`.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any, Protocol

from fraud_scoring.features import AMOUNT_WINDOW, PastTransaction

#: How far back a store keeps events: the longest feature window.
RETENTION = AMOUNT_WINDOW


class HistoryUnavailable(RuntimeError):
    """The history store did not answer (timeout, connection refused); the request cannot be scored."""


class HistoryStore(Protocol):
    """What the predictor needs from a history store."""

    def recent(self, account_id: str, before: datetime) -> list[PastTransaction]:
        """The account's transactions in ``[before - RETENTION, before)``, oldest first."""
        ...

    def record(self, account_id: str, transaction_id: str, event_time: datetime, amount: float) -> None:
        """Remember a scored transaction (a second call with the same id changes nothing)."""
        ...

    def ping(self) -> bool:
        """True when the store answers."""
        ...


class InMemoryHistoryStore:
    """History kept in the process (thread-safe)."""

    def __init__(self) -> None:
        self._events: dict[str, dict[str, PastTransaction]] = defaultdict(dict)
        self._lock = threading.Lock()

    def recent(self, account_id: str, before: datetime) -> list[PastTransaction]:
        """The account's transactions in ``[before - RETENTION, before)``, oldest first."""
        start = before - RETENTION
        with self._lock:
            events = list(self._events.get(account_id, {}).values())
        return sorted((e for e in events if start <= e.event_time < before), key=lambda e: e.event_time)

    def record(self, account_id: str, transaction_id: str, event_time: datetime, amount: float) -> None:
        """Remember a scored transaction, once per transaction id."""
        with self._lock:
            self._events[account_id].setdefault(transaction_id, PastTransaction(event_time, amount))

    def ping(self) -> bool:
        """Always reachable."""
        return True


class RedisHistoryStore:
    """One sorted set per account, ``history:{account_id}``: member ``{transaction_id}|{amount}``,
    score the event time in epoch seconds. Keys expire a day after the retention window.

    ``client`` is a ``redis.Redis`` created with ``decode_responses=True`` and short socket
    timeouts (see ``app.py``); ``errors`` are the client's exception types, turned into
    :class:`HistoryUnavailable` so that the API answers 503 instead of hanging or crashing.
    """

    def __init__(self, client: Any, *, errors: tuple[type[BaseException], ...] = (OSError,)) -> None:
        self._client = client
        self._errors = errors

    @staticmethod
    def key(account_id: str) -> str:
        """The Redis key of an account."""
        return f"history:{account_id}"

    def recent(self, account_id: str, before: datetime) -> list[PastTransaction]:
        """The account's transactions in ``[before - RETENTION, before)``, oldest first."""
        end = before.timestamp()
        start = (before - RETENTION).timestamp()
        try:
            rows: Sequence[tuple[str, float]] = self._client.zrangebyscore(
                self.key(account_id), start, f"({end}", withscores=True)
        except self._errors as exc:
            raise HistoryUnavailable(f"history store did not answer: {exc}") from exc
        return [PastTransaction(datetime.fromtimestamp(score, tz=timezone.utc), float(member.rsplit("|", 1)[1]))
                for member, score in rows]

    def record(self, account_id: str, transaction_id: str, event_time: datetime, amount: float) -> None:
        """Add the transaction and drop what fell out of the retention window, in one round trip."""
        key = self.key(account_id)
        moment = event_time.timestamp()
        try:
            pipe = self._client.pipeline(transaction=False)
            pipe.zadd(key, {f"{transaction_id}|{amount!r}": moment})
            pipe.zremrangebyscore(key, "-inf", f"({moment - RETENTION.total_seconds()}")
            pipe.expire(key, int(RETENTION.total_seconds()) + 86_400)
            pipe.execute()
        except self._errors as exc:
            raise HistoryUnavailable(f"history store did not accept the write: {exc}") from exc

    def ping(self) -> bool:
        """True when Redis answers a PING."""
        try:
            return bool(self._client.ping())
        except self._errors:
            return False
