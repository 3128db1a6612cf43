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

pytest-benchmark timings
    ``from_benchmark(benchmark)`` takes the timings of pytest-benchmark's ``benchmark`` fixture
    after the test ran it (its ``stats``: every round is kept in memory), and
    ``from_benchmark_json(path, name=None)`` those of a saved run (``--benchmark-json`` or
    ``--benchmark-save``). pytest-benchmark times in seconds, one value per round (the mean of
    the round's iterations); they are converted to milliseconds. With the raw timings (always
    for the fixture; in a file saved with ``--benchmark-save-data``) p50, p95 and p99 are
    computed by nearest rank as above. A file saved without them holds only summary
    statistics: p50 is the ``median`` and the ``max`` is an upper bound of p95 and p99. A
    bound within its target proves the percentile is too; a bound over it proves nothing, and
    the check fails asking for ``--benchmark-save-data`` (it never passes on a guess).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_mlchecklist.helpers.configured import SettingsSource
    from pytest_mlchecklist.recording import MeasurementRecorder

ITEM = "latency-gated"
PERCENTILES = ("p50", "p95", "p99")
_QUANTILES = {"p50": 50, "p95": 95, "p99": 99}
SAVE_DATA_HINT = "rerun pytest-benchmark with --benchmark-save-data to keep the raw timings"


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
    bounded: tuple[str, ...] = ()
    origin: str = ""

    @property
    def passed(self) -> bool:
        """True when every targeted percentile is within its target (``over`` also holds the
        percentiles known only by an upper bound that is over the target: not proven within)."""
        return not self.over

    def percentiles(self) -> dict[str, float]:
        """``{"p50": ..., "p95": ..., "p99": ...}`` in milliseconds."""
        return {"p50": self.p50_ms, "p95": self.p95_ms, "p99": self.p99_ms}

    def values(self) -> dict[str, float]:
        """The values recorded as evidence: ``p50_ms``, ``p95_ms``, ``p99_ms`` (``max_ms`` for
        the percentiles known only by an upper bound)."""
        found = {f"{name}_ms": round(value, 6) for name, value in self.percentiles().items() if name not in self.bounded}
        if self.bounded:
            found["max_ms"] = round(max(self.percentiles()[name] for name in self.bounded), 6)
        return found

    def detail(self) -> str:
        """One line with the numbers: ``p99 41.2 ms <= 80 ms SLA; p50 12.0 ms, p95 30.1 ms; 200 timed calls``."""
        compared = [self._describe(name, self.targets[name]) for name in PERCENTILES if name in self.targets]
        others = [self._describe(name, None) for name in PERCENTILES if name not in self.targets]
        parts = [", ".join(compared) + f" {self.target_label}"]
        if others:
            parts.append(", ".join(others))
        parts.append(self.origin or f"{self.calls} timed calls")
        if self.bounded:
            parts.append(f"raw timings not saved: {', '.join(self.bounded)} only bounded by the max"
                         + (f"; {SAVE_DATA_HINT}" if self.over else ""))
        return "; ".join(parts)

    def _describe(self, name: str, target: float | None) -> str:
        value = format_ms(self.percentiles()[name])
        if name in self.bounded:
            if target is None:
                return f"{name} <= max {value} ms"
            if name in self.over:
                return f"{name} unknown: max {value} ms > {target:g} ms"
            return f"{name} <= max {value} ms <= {target:g} ms"
        if target is None:
            return f"{name} {value} ms"
        return f"{name} {value} ms {'>' if name in self.over else '<='} {target:g} ms"


class LatencyTimer:
    """The value of the ``ml_latency`` fixture: call it to time a callable against the targets,
    or hand it pytest-benchmark's timings with :meth:`from_benchmark` / :meth:`from_benchmark_json`."""

    def __init__(self, recorder: MeasurementRecorder, settings: SettingsSource, rootdir: Path | None = None) -> None:
        self._recorder = recorder
        self._settings = settings
        self._rootdir = rootdir

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
        return self._finish(judge_timings(timings, wanted, label, warmup=warmup))

    def from_benchmark(self, benchmark: Any, *, targets: Mapping[str, float] | None = None) -> LatencyResult:
        """Hold the timings pytest-benchmark measured in this test to the targets: pass the
        ``benchmark`` fixture (or its ``stats``) after calling ``benchmark(...)`` or
        ``benchmark.pedantic(...)``. Records and fails like a call of ``ml_latency``."""
        __tracebackhide__ = True
        if getattr(benchmark, "disabled", False):
            pytest.skip("ml_latency: pytest-benchmark is disabled (--benchmark-disable), so there are no timings to check")
        wanted, label = self._targets(targets)
        name, seconds = benchmark_timings(benchmark)
        origin = f"{len(seconds)} rounds of pytest-benchmark `{name}`" if name else f"{len(seconds)} pytest-benchmark rounds"
        return self._finish(judge_timings([value * 1000.0 for value in seconds], wanted, label, origin=origin))

    def from_benchmark_json(self, path: str | Path, *, name: str | None = None,
                            targets: Mapping[str, float] | None = None) -> LatencyResult:
        """Hold one benchmark of a saved pytest-benchmark JSON file to the targets (``name`` is
        its ``name`` or ``fullname``; it may be left out when the file holds one benchmark); a
        relative path starts at pytest's rootdir. Records and fails like a call of ``ml_latency``."""
        __tracebackhide__ = True
        wanted, label = self._targets(targets)
        shown = str(path)
        resolved = Path(path)
        if not resolved.is_absolute() and self._rootdir is not None:
            resolved = self._rootdir / resolved
        entry = select_benchmark(read_benchmark_file(resolved, shown), name, shown)
        return self._finish(judge_benchmark_entry(entry, wanted, label, shown))

    def _finish(self, result: LatencyResult) -> LatencyResult:
        __tracebackhide__ = True
        self._recorder.record(ITEM, result.detail(), result.values(), passed=result.passed)
        if not result.passed:
            pytest.fail(f"ml_latency: {result.detail()}")
        return result

    def _targets(self, explicit: Mapping[str, float] | None) -> tuple[dict[str, float], str]:
        __tracebackhide__ = True
        if explicit is not None:
            return _check_targets(explicit), "target"
        configured = self._settings()
        sla = configured.settings.sla.latency_ms if configured.settings is not None else None
        if sla is not None:
            return sla.targets(), "SLA"
        why = f" (the configuration could not be read: {configured.problem})" if configured.problem else ""
        pytest.fail(
            "ml_latency: no latency targets: pass targets={'p99': 80} (milliseconds) or configure "
            f"sla.latency_ms in mlchecklist.yaml or [tool.ml-checklist] of pyproject.toml{why}",
            pytrace=False,
        )


def judge_timings(timings_ms: Sequence[float], targets: Mapping[str, float], label: str, *,
                  warmup: int = 0, origin: str = "") -> LatencyResult:
    """Nearest-rank p50/p95/p99 of ``timings_ms`` compared with ``targets`` (milliseconds)."""
    if not timings_ms:
        raise ValueError("ml_latency: no timings to take percentiles of")
    measured = {name: percentile_nearest_rank(timings_ms, q) for name, q in _QUANTILES.items()}
    over = tuple(name for name in PERCENTILES if name in targets and measured[name] > targets[name])
    return LatencyResult(p50_ms=measured["p50"], p95_ms=measured["p95"], p99_ms=measured["p99"], calls=len(timings_ms),
                         warmup=warmup, targets=dict(targets), target_label=label, over=over,
                         timings_ms=tuple(timings_ms), origin=origin)


def judge_summary(median_ms: float, max_ms: float, rounds: int, targets: Mapping[str, float], label: str, *,
                  origin: str = "") -> LatencyResult:
    """p50 = the median; p95 and p99 only bounded by the max: over its target, a bound proves nothing
    and counts as over (the check cannot pass on a guess)."""
    measured = {"p50": median_ms, "p95": max_ms, "p99": max_ms}
    over = tuple(name for name in PERCENTILES if name in targets and measured[name] > targets[name])
    return LatencyResult(p50_ms=median_ms, p95_ms=max_ms, p99_ms=max_ms, calls=rounds, warmup=0,
                         targets=dict(targets), target_label=label, over=over, timings_ms=(),
                         bounded=("p95", "p99"), origin=origin)


# ---------------------------------------------------------------------- pytest-benchmark
def benchmark_timings(benchmark: Any) -> tuple[str, list[float]]:
    """The benchmark's name and its per-round timings in seconds, from pytest-benchmark's
    ``benchmark`` fixture, its ``stats`` (``Metadata``) or ``stats.stats`` (``Stats``)."""
    name = str(getattr(benchmark, "name", "") or "")
    source = benchmark
    for _ in range(3):  # fixture -> Metadata -> Stats
        data = getattr(source, "data", None)
        if isinstance(data, list):
            return name, _seconds(data, "benchmark.stats")
        inner = getattr(source, "stats", None)
        if inner is None:
            break
        name = name or str(getattr(inner, "name", "") or "")
        source = inner
    raise ValueError("ml_latency: no pytest-benchmark timings: call benchmark(func) or benchmark.pedantic(...) "
                     "first, then pass the benchmark fixture (or benchmark.stats) to ml_latency.from_benchmark")


def read_benchmark_file(path: Path, shown: str) -> Mapping[str, Any]:
    """The document of a pytest-benchmark JSON file; a clear ValueError when it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"ml_latency: {shown} does not exist (relative paths start at pytest's rootdir)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"ml_latency: cannot read {shown}: {exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"ml_latency: {shown} is not valid JSON: {exc}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("benchmarks"), list):
        raise ValueError(f"ml_latency: {shown} is not a pytest-benchmark file (no \"benchmarks\" list); write one "
                         "with --benchmark-json=FILE or --benchmark-save=NAME")
    return data


def select_benchmark(document: Mapping[str, Any], name: str | None, shown: str) -> Mapping[str, Any]:
    """The benchmark called ``name`` (its name or full name), or the only one of the file."""
    entries = [entry for entry in document["benchmarks"] if isinstance(entry, Mapping)]
    names = ", ".join(str(entry.get("fullname") or entry.get("name")) for entry in entries) or "none"
    if name is None:
        if len(entries) != 1:
            raise ValueError(f"ml_latency: {shown} holds {len(entries)} benchmarks ({names}); pass name= to choose one")
        return entries[0]
    found = [entry for entry in entries if name in (entry.get("name"), entry.get("fullname"))]
    if not found:
        raise ValueError(f"ml_latency: no benchmark {name!r} in {shown} (benchmarks there: {names})")
    return found[0]


def judge_benchmark_entry(entry: Mapping[str, Any], targets: Mapping[str, float], label: str,
                          shown: str) -> LatencyResult:
    """Judge one saved benchmark: its raw timings when saved, else its median and max."""
    name = str(entry.get("name") or entry.get("fullname") or "?")
    stats = entry.get("stats")
    if not isinstance(stats, Mapping):
        raise ValueError(f"ml_latency: benchmark `{name}` in {shown} has no stats")
    data = stats.get("data")
    if isinstance(data, list) and data:
        seconds = _seconds(data, f"`{name}` in {shown}")
        origin = f"{len(seconds)} rounds of pytest-benchmark `{name}` ({shown})"
        return judge_timings([value * 1000.0 for value in seconds], targets, label, origin=origin)
    median, maximum = stats.get("median"), stats.get("max")
    if not (_is_number(median) and _is_number(maximum)):
        raise ValueError(f"ml_latency: benchmark `{name}` in {shown} has neither raw timings nor a median and max")
    rounds = stats.get("rounds")
    count = int(rounds) if _is_number(rounds) else 0
    origin = f"{count} rounds of pytest-benchmark `{name}` ({shown})"
    return judge_summary(float(median) * 1000.0, float(maximum) * 1000.0, count, targets, label, origin=origin)


def _seconds(values: Iterable[Any], where: str) -> list[float]:
    found = [float(value) for value in values if _is_number(value)]
    if not found:
        raise ValueError(f"ml_latency: no timings in {where}")
    return found


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


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
