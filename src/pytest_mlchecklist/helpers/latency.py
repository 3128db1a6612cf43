"""The ``ml_latency`` helper: time a callable, hold its percentiles to the SLA (item 22).

How it measures
    The callable is called ``warmup`` times untimed (caches, lazy loading, JIT), then ``calls``
    times, each call timed on its own with :func:`time.perf_counter_ns`. With ``batch``, every
    call is ``func(batch)``: the latency is that of scoring the whole batch.

Percentiles (nearest rank)
    The timings are sorted and ``pQ`` is the value at 1-based position ``ceil(Q/100 * n)``: the
    smallest timing such that at least Q percent of the timings are less than or equal to it.
    It is always a timing that was measured (no interpolation). With 200 calls, p99 is the
    198th smallest timing; with 100 calls it is the 99th; with 20 calls or fewer it is the
    slowest. This is the method the ``pytest-benchmark`` detector uses for the same item.

How it is judged
    Targets are milliseconds for p50, p95 and/or p99: the ``targets`` argument when given,
    otherwise ``sla.latency_ms`` from the configuration. Every targeted percentile must be less
    than or equal to its target; any one over fails the test with the numbers. With no targets
    at all the test fails, saying how to give them. The measurement is recorded for
    ``latency-gated`` (values ``p50_ms``, ``p95_ms``, ``p99_ms``) whether it passed or not.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_mlchecklist.config import LatencyTargets
    from pytest_mlchecklist.recording import MeasurementRecorder

ITEM = "latency-gated"
PERCENTILES = ("p50", "p95", "p99")
_QUANTILES = {"p50": 50, "p95": 95, "p99": 99}

SlaSource = Callable[[], "tuple[LatencyTargets | None, str | None]"]


def percentile_nearest_rank(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile of ``values`` (0 < q <= 100) by the nearest-rank method: the
    value at 1-based position ``ceil(q/100 * n)`` of the sorted values."""
    if not values:
        raise ValueError("no values to take a percentile of")
    if not 0 < q <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {q}")
    ordered = sorted(values)
    rank = math.ceil(Fraction(str(q)) * len(ordered) / 100)
    return ordered[max(rank, 1) - 1]


def format_ms(value: float) -> str:
    """Milliseconds for messages: one decimal from 1 ms up (``41.2``), three significant digits
    below (``0.0178``), as the latency detectors write them."""
    return f"{value:.1f}" if value >= 1 else f"{value:.3g}"


@dataclass(frozen=True)
class LatencyResult:
    """What ``ml_latency`` measured and how it compared with the targets (milliseconds)."""

    p50_ms: float
    p95_ms: float
    p99_ms: float
    calls: int
    warmup: int
    targets: dict[str, float]
    target_label: str
    over: tuple[str, ...]
    timings_ms: tuple[float, ...] = field(repr=False)

    @property
    def passed(self) -> bool:
        """True when every targeted percentile is within its target."""
        return not self.over

    def percentiles(self) -> dict[str, float]:
        """``{"p50": ..., "p95": ..., "p99": ...}`` in milliseconds."""
        return {"p50": self.p50_ms, "p95": self.p95_ms, "p99": self.p99_ms}

    def values(self) -> dict[str, float]:
        """The values recorded as evidence: ``p50_ms``, ``p95_ms``, ``p99_ms``."""
        return {f"{name}_ms": round(value, 6) for name, value in self.percentiles().items()}

    def detail(self) -> str:
        """One line with the numbers: ``p99 41.2 ms <= 80 ms SLA; p50 12.0 ms, p95 30.1 ms; 200 calls``."""
        measured = self.percentiles()
        compared = [
            f"{name} {format_ms(measured[name])} ms {'>' if name in self.over else '<='} {self.targets[name]:g} ms"
            for name in PERCENTILES if name in self.targets
        ]
        others = [f"{name} {format_ms(measured[name])} ms" for name in PERCENTILES if name not in self.targets]
        parts = [", ".join(compared) + f" {self.target_label}"]
        if others:
            parts.append(", ".join(others))
        parts.append(f"{self.calls} timed calls")
        return "; ".join(parts)


class LatencyTimer:
    """The value of the ``ml_latency`` fixture: call it to time a callable against the targets."""

    def __init__(self, recorder: MeasurementRecorder, sla: SlaSource) -> None:
        self._recorder = recorder
        self._sla = sla

    def __call__(
        self,
        func: Callable[..., Any],
        *,
        calls: int = 200,
        warmup: int = 20,
        batch: Any = None,
        targets: Mapping[str, float] | None = None,
    ) -> LatencyResult:
        """Time ``func`` over ``calls`` calls after ``warmup`` untimed ones (``func(batch)`` when
        ``batch`` is given), compare p50/p95/p99 with ``targets`` (milliseconds, for example
        ``{"p99": 80}``) or the configured ``sla.latency_ms``, record the measurement for
        ``latency-gated`` and fail the test when a percentile is over its target."""
        __tracebackhide__ = True
        if not callable(func):
            raise TypeError(f"ml_latency: expected a callable to time, got {type(func).__name__}")
        _check_count("calls", calls, minimum=1)
        _check_count("warmup", warmup, minimum=0)
        wanted, label = self._targets(targets)
        timings = time_calls(func, calls=calls, warmup=warmup, batch=batch)
        measured = {name: percentile_nearest_rank(timings, q) for name, q in _QUANTILES.items()}
        over = tuple(name for name in PERCENTILES if name in wanted and measured[name] > wanted[name])
        result = LatencyResult(p50_ms=measured["p50"], p95_ms=measured["p95"], p99_ms=measured["p99"], calls=calls,
                               warmup=warmup, targets=wanted, target_label=label, over=over,
                               timings_ms=tuple(timings))
        self._recorder.record(ITEM, result.detail(), result.values(), passed=result.passed)
        if not result.passed:
            pytest.fail(f"ml_latency: {result.detail()}")
        return result

    def _targets(self, explicit: Mapping[str, float] | None) -> tuple[dict[str, float], str]:
        __tracebackhide__ = True
        if explicit is not None:
            return _check_targets(explicit), "target"
        sla, problem = self._sla()
        if sla is not None:
            return sla.targets(), "SLA"
        why = f" (the configuration could not be read: {problem})" if problem else ""
        pytest.fail(
            "ml_latency: no latency targets: pass targets={'p99': 80} (milliseconds) or configure "
            f"sla.latency_ms in mlchecklist.yaml or [tool.ml-checklist] of pyproject.toml{why}",
            pytrace=False,
        )


def time_calls(func: Callable[..., Any], *, calls: int, warmup: int, batch: Any = None) -> list[float]:
    """Call ``func`` ``warmup`` times untimed, then ``calls`` times, and return each timed
    call's duration in milliseconds (``time.perf_counter_ns``)."""
    arguments = () if batch is None else (batch,)
    for _ in range(warmup):
        func(*arguments)
    timings: list[float] = []
    for _ in range(calls):
        start = time.perf_counter_ns()
        func(*arguments)
        timings.append((time.perf_counter_ns() - start) / 1_000_000)
    return timings


def _check_count(name: str, value: Any, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"ml_latency: {name} must be an integer >= {minimum}, got {value!r}")


def _check_targets(targets: Mapping[str, float]) -> dict[str, float]:
    if not isinstance(targets, Mapping) or not targets:
        raise ValueError("ml_latency: targets must be a mapping such as {'p99': 80} (milliseconds)")
    checked: dict[str, float] = {}
    for name, value in targets.items():
        if name not in _QUANTILES:
            raise ValueError(f"ml_latency: unknown target {name!r}; use p50, p95 or p99 (milliseconds)")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise ValueError(f"ml_latency: target {name} must be a positive number of milliseconds, got {value!r}")
        checked[name] = float(value)
    return checked
