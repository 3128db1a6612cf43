"""Prometheus metrics of the batch jobs: text format helpers and the push to the Pushgateway.

The batch jobs (``prepare``, ``drift``, ``outcomes``) write their metrics as a Prometheus text
file; the CronJobs then push it with this module so that the rules in ``monitoring/alerts/``
see it. A push is tried three times with exponential backoff and jitter, each attempt with a
5 s timeout; when all fail the job fails, and the job's freshness alert fires.

Usage: python -m fraud_scoring.metrics FILE --job NAME [--gateway URL]   (default: $PUSHGATEWAY_URL)
"""

from __future__ import annotations

import argparse
import os
import random
import time
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

ATTEMPTS = 3
TIMEOUT_SECONDS = 5.0
BACKOFF_SECONDS = 1.0


class PushError(RuntimeError):
    """The Pushgateway did not accept the metrics after every attempt."""


def gauge(name: str, help_text: str, samples: Iterable[tuple[Mapping[str, str], float]]) -> list[str]:
    """``# HELP``/``# TYPE`` lines and one line per sample of a gauge."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    for labels, value in samples:
        label_text = ",".join(f'{key}="{val}"' for key, val in sorted(labels.items()))
        lines.append(f"{name}{{{label_text}}} {value}" if label_text else f"{name} {value}")
    return lines


def push(
    text: str,
    *,
    gateway: str,
    job: str,
    opener: Callable[..., Any] = urllib.request.urlopen,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Replace the metrics of ``job`` on the Pushgateway with ``text`` (HTTP PUT)."""
    url = f"{gateway.rstrip('/')}/metrics/job/{quote(job, safe='')}"
    request = urllib.request.Request(url, data=text.encode("utf-8"), method="PUT",
                                     headers={"Content-Type": "text/plain; version=0.0.4"})
    last_error: Exception | None = None
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with opener(request, timeout=TIMEOUT_SECONDS):
                return
        except OSError as exc:  # URLError, HTTPError, timeouts and refused connections
            last_error = exc
            if attempt < ATTEMPTS:
                sleep(BACKOFF_SECONDS * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
    raise PushError(f"push of job {job!r} to {gateway} failed {ATTEMPTS} times: {last_error}")


def main(argv: list[str] | None = None) -> int:
    """Push one metrics file."""
    parser = argparse.ArgumentParser(description="Push a Prometheus text file to the Pushgateway.")
    parser.add_argument("file", type=Path)
    parser.add_argument("--job", required=True)
    parser.add_argument("--gateway", default=os.environ.get("PUSHGATEWAY_URL"))
    args = parser.parse_args(argv)
    if not args.gateway:
        parser.error("no Pushgateway: pass --gateway or set PUSHGATEWAY_URL")
    push(args.file.read_text(encoding="utf-8"), gateway=args.gateway, job=args.job)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
