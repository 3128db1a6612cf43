"""Model testing detectors: inference latency measured and gated against the SLA (item 22).

What is read
    * **pytest-benchmark** JSON (detector ``pytest-benchmark``): any JSON with ``machine_info``
      and a ``benchmarks`` list (``.benchmarks/<machine>/0003_<commit>_<date>.json`` from
      ``--benchmark-autosave``, or a ``--benchmark-json`` file). Only the latest file of each folder counts (by the number
      prefix, else by the file's ``datetime``). Statistics are in seconds and are converted to
      milliseconds. p50 is the ``median``. When the raw timings were saved (``stats.data``,
      ``--benchmark-save-data``) p95 and p99 are computed by the nearest-rank method: the value
      at position ``ceil(q/100 * n)`` of the sorted timings. Without them, ``max`` is an upper
      bound of p95 and p99: under the target it proves the percentile is too; over it, nothing
      can be told. Only benchmarks of the serving path count: their name, full name or group
      mentions predict, inference, infer, serve, serving, score, scoring, latency, request or
      endpoint.
    * **Latency results** in JSON or YAML (detector ``latency-results``; a load test, a
      benchmark script): a mapping with
      p50/p95/p99 (or ``median``) values and explicit units: keys such as ``p95_ms``, a parent
      key such as ``latency_ms``, a ``unit: ms|s|us`` field on the mapping or an ancestor, or
      values written with a unit (``"41ms"``). A k6 summary export
      (``metrics.http_req_duration`` with ``med``/``p(95)``/``p(99)``) is in milliseconds.
      Mappings under keys that state targets rather than measurements (``sla``, ``slo``,
      ``target``, ``threshold(s)``, ``objective``, ``budget``, ``limit(s)``, ``env``...) are not
      measurements. Percentiles without any unit are **partial** ("units not stated").

How it is judged (targets from ``sla.latency_ms`` in the configuration, in milliseconds)
    * any configured percentile over its target **contradicts** the item, with the numbers;
    * every configured percentile measured and within its target **supports** it;
    * a configured percentile not measured (or only bounded by a ``max`` over the target) is
      **partial**; no ``sla.latency_ms`` configured is **partial** (measured, but nothing gates it);
    * benchmarks that only time other code (a CSV loader) are **partial**;
    * a benchmark or latency file (by its location or name) that does not parse is **unreadable**.
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector
from pytest_mlchecklist.evidence import Evidence

ITEM = "latency-gated"
PERCENTILES = ("p50", "p95", "p99")

_SERVING_WORDS = frozenset(
    {"predict", "prediction", "predictions", "inference", "infer", "serve", "serving", "score", "scoring",
     "latency", "request", "requests", "endpoint", "endpoints"}
)
_SERVING_PREFIXES = ("predict", "infer", "serv", "scor", "latenc", "request", "endpoint")
_NAME_HINT = re.compile(r"latency|bench|perf|load[-_]?test|k6|locust", re.IGNORECASE)
_PERCENTILE_TEXT = re.compile(r"\bp(50|95|99)|p\((50|95|99)\)", re.IGNORECASE)
_UNIT_FACTORS = {
    "ms": 1.0, "msec": 1.0, "millis": 1.0, "millisecond": 1.0, "milliseconds": 1.0,
    "s": 1000.0, "sec": 1000.0, "secs": 1000.0, "second": 1000.0, "seconds": 1000.0,
    "us": 0.001, "µs": 0.001, "usec": 0.001, "micros": 0.001, "microseconds": 0.001,
}
_UNIT = r"(?P<unit>ms|msec|millis|milliseconds?|s|secs?|seconds?|us|µs|usec|micros|microseconds)"
_PERCENTILE_KEY = re.compile(
    rf"^(?:latency[_\-.]?)?(?P<q>p50|p95|p99|median)(?:[_\-.]?latency)?(?:[_\-.]?{_UNIT})?$", re.IGNORECASE
)
_PARENT_UNIT = re.compile(rf"(?:^|[_\-.\s(]){_UNIT}\)?$", re.IGNORECASE)
_VALUE_WITH_UNIT = re.compile(rf"^\s*(?P<number>\d+(?:\.\d+)?)\s*{_UNIT}\s*$", re.IGNORECASE)
#: Words that, anywhere in a key, mark targets rather than measurements (``latency_sla``, ``slo``).
_TARGET_WORDS = frozenset(
    {"sla", "slas", "slo", "slos", "target", "targets", "threshold", "thresholds", "objective", "objectives",
     "budget", "budgets", "goal", "goals"}
)
#: Whole keys under which values are settings, not measurements.
_SETTING_KEYS = frozenset(
    {"max", "maximum", "limit", "limits", "alert", "alerts", "env", "environment", "variables", "vars", "args",
     "with", "options", "config", "settings", "requirements", "parameters", "params"}
)
_LATENCY_KEY = re.compile(r"latenc|duration|response[_\-]?time|elapsed", re.IGNORECASE)
_CONFIG_FILES = frozenset({"mlchecklist.yaml", "mlchecklist.yml", "pyproject.toml"})
_K6_TRENDS = ("http_req_duration", "grpc_req_duration")


def format_ms(value: float) -> str:
    """Milliseconds for a detail: one decimal from 1 ms up (``41.2``), three significant digits
    below (``0.0178``), so that a fast in-process benchmark does not read as ``0.0 ms``."""
    return f"{value:.1f}" if value >= 1 else f"{value:.3g}"


@dataclass
class Measurement:
    """Latency percentiles of one benchmark or results mapping, in milliseconds."""

    label: str
    path: str
    values: dict[str, float] = field(default_factory=dict)
    upper_bounds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """``p50 12.0 ms, p99 41.0 ms`` for details."""
        parts = [f"{q} {format_ms(self.values[q])} ms" for q in PERCENTILES if q in self.values]
        parts += [f"{q} <= {format_ms(self.upper_bounds[q])} ms" for q in PERCENTILES if q in self.upper_bounds]
        return ", ".join(parts)

    def reported(self) -> dict[str, float]:
        """The ``values`` of the evidence: ``p95_ms`` for measured percentiles, ``max_ms`` for a bound."""
        found = {f"{q}_ms": round(self.values[q], 3) for q in PERCENTILES if q in self.values}
        if self.upper_bounds:
            found["max_ms"] = round(max(self.upper_bounds.values()), 3)
        return found


# ======================================================================== judging
def judge(ctx: DetectorContext, measurement: Measurement) -> Evidence:
    """Compare a measurement with the configured SLA (see the module docstring)."""
    where = f"{measurement.label} in {measurement.path}" if measurement.label else measurement.path
    sla = ctx.settings.sla.latency_ms
    values = measurement.reported()
    if sla is None:
        return ctx.partial(
            ITEM,
            f"latency measured ({measurement.summary()}, {where}) but no `sla.latency_ms` in the configuration to gate it",
            path=measurement.path,
            values=values,
        )
    over: list[str] = []
    within: list[str] = []
    unknown: list[str] = []
    for q, target in sla.targets().items():
        if q in measurement.values:
            value = measurement.values[q]
            if value > target:
                over.append(f"{q} {format_ms(value)} ms > {target:g} ms SLA")
            else:
                within.append(f"{q} {format_ms(value)} ms <= {target:g} ms")
        elif q in measurement.upper_bounds:
            bound = measurement.upper_bounds[q]
            if bound <= target:
                within.append(f"{q} <= max {format_ms(bound)} ms <= {target:g} ms")
            else:
                unknown.append(
                    f"{q} unknown: max {format_ms(bound)} ms is over the {target:g} ms SLA and the raw timings were not saved "
                    "(rerun with `--benchmark-save-data`)"
                )
        else:
            unknown.append(f"{q} not measured (SLA {target:g} ms)")
    if over:
        return ctx.contradicts(ITEM, f"{'; '.join(over)} ({where})", path=measurement.path, values=values)
    if unknown:
        return ctx.partial(ITEM, f"{'; '.join(unknown)} ({where})", path=measurement.path, values=values)
    return ctx.supports(ITEM, f"{', '.join(within)} SLA ({where})", path=measurement.path, values=values)


# ======================================================================== pytest-benchmark
def is_benchmark_document(data: Any) -> bool:
    """True for a pytest-benchmark document: ``machine_info`` and a ``benchmarks`` list."""
    return isinstance(data, dict) and "machine_info" in data and isinstance(data.get("benchmarks"), list)


def is_serving_benchmark(benchmark: dict[str, Any]) -> bool:
    """True when the benchmark's name, full name or group mentions the serving path."""
    text = " ".join(str(benchmark.get(key) or "") for key in ("name", "fullname", "group"))
    words = [word for word in re.split(r"[^a-z0-9]+", _split_camel(text).lower()) if word]
    return any(word in _SERVING_WORDS or word.startswith(_SERVING_PREFIXES) for word in words)


def _split_camel(text: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)


def nearest_rank(data: list[float], q: float) -> float:
    """The q-th percentile of ``data`` by nearest rank: the ``ceil(q/100 * n)``-th smallest value."""
    ordered = sorted(data)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[rank - 1]


def benchmark_measurement(benchmark: dict[str, Any], path: str) -> Measurement | None:
    """The latency percentiles (ms) of one pytest-benchmark entry, or ``None`` without stats."""
    stats = benchmark.get("stats")
    if not isinstance(stats, dict):
        return None
    median = _number(stats.get("median"))
    if median is None:
        return None
    name = benchmark.get("fullname") or benchmark.get("name") or "?"
    short = str(benchmark.get("name") or str(name).split("::")[-1])
    measurement = Measurement(label=f"`{short}`", path=path, values={"p50": median * 1000.0})
    data = stats.get("data")
    raw = data if isinstance(data, list) else []
    timings = [value for value in (_number(item) for item in raw) if value is not None]
    maximum = _number(stats.get("max"))
    if timings:
        measurement.values["p95"] = nearest_rank(timings, 95) * 1000.0
        measurement.values["p99"] = nearest_rank(timings, 99) * 1000.0
    elif maximum is not None:
        measurement.upper_bounds["p95"] = maximum * 1000.0
        measurement.upper_bounds["p99"] = maximum * 1000.0
    return measurement


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _number_prefix(path: str) -> int | None:
    match = re.match(r"^(\d+)_", posixpath.basename(path))
    return int(match.group(1)) if match else None


def latest_per_folder(files: dict[str, dict[str, Any]]) -> list[str]:
    """The latest benchmark file of each folder: by number prefix when every file has one,
    else by the document's ``datetime`` (ISO text sorts by time)."""
    folders: dict[str, list[str]] = {}
    for path in files:
        folders.setdefault(posixpath.dirname(path), []).append(path)
    latest = []
    for paths in folders.values():
        if all(_number_prefix(path) is not None for path in paths):
            latest.append(max(paths, key=lambda path: (_number_prefix(path), path)))
        else:
            latest.append(max(paths, key=lambda path: (str(files[path].get("datetime") or ""), path)))
    return sorted(latest)


# ======================================================================== results files
def _unit_of(mapping: dict[str, Any]) -> float | None:
    for key in ("unit", "units", "time_unit", "latency_unit"):
        value = mapping.get(key)
        if isinstance(value, str) and value.strip().lower() in _UNIT_FACTORS:
            return _UNIT_FACTORS[value.strip().lower()]
    return None


def _unit_from_key(key: str) -> float | None:
    match = _PARENT_UNIT.search(key)
    return _UNIT_FACTORS[match.group("unit").lower()] if match else None


def _is_target_key(key: str) -> bool:
    lowered = key.lower()
    return lowered in _SETTING_KEYS or any(word in _TARGET_WORDS for word in re.split(r"[^a-z]+", lowered) if word)


@dataclass
class ResultsScan:
    """Measurements found in one results file, and mappings whose units are not stated."""

    named: bool = False
    measurements: list[Measurement] = field(default_factory=list)
    unitless: list[str] = field(default_factory=list)


def scan_results(path: str, documents: list[Any], *, named: bool = False) -> ResultsScan:
    """Find latency percentile mappings in the parsed documents of a results file.

    Percentiles without units are reported only for ``named`` files (a path that says latency,
    benchmark, perf or load test) or under a latency-like key, so that the quantiles of a
    feature profile are not mistaken for latencies.
    """
    scan = ResultsScan(named=named)
    for document in documents:
        _scan_node(path, document, "", None, scan)
    return scan


def _scan_node(path: str, node: Any, key: str, inherited: float | None, scan: ResultsScan) -> None:
    if isinstance(node, list):
        for item in node:
            _scan_node(path, item, key, inherited, scan)
        return
    if not isinstance(node, dict):
        return
    if key in _K6_TRENDS:
        _k6_trend(path, key, node, scan)
        return
    unit = _unit_of(node) or _unit_from_key(key) or inherited
    measured: dict[str, float] = {}
    unitless = False
    # A mapping counts when it has a pNN key; ``median`` alone is too common in data profiles.
    keys_with_p = any(_PERCENTILE_KEY.match(str(child)) and "median" not in str(child).lower() for child in node)
    for child_key, value in node.items():
        match = _PERCENTILE_KEY.match(str(child_key)) if keys_with_p else None
        if match is None:
            continue
        q = "p50" if match.group("q").lower() == "median" else match.group("q").lower()
        key_unit = _UNIT_FACTORS[match.group("unit").lower()] if match.group("unit") else None
        number, value_unit = _value_and_unit(value)
        if number is None:
            continue
        factor = value_unit or key_unit or unit
        if factor is None:
            unitless = True
            continue
        measured[q] = number * factor
    label = f"`{key}`" if key else ""
    if measured:
        scan.measurements.append(Measurement(label=_label(node, label), path=path, values=measured))
    elif unitless and (scan.named or _LATENCY_KEY.search(key)):
        scan.unitless.append(_label(node, label))
    for child_key, value in node.items():
        if isinstance(child_key, str) and not _is_target_key(child_key):
            _scan_node(path, value, child_key, unit, scan)


def _label(node: dict[str, Any], fallback: str) -> str:
    for key in ("name", "endpoint", "scenario", "model"):
        value = node.get(key)
        if isinstance(value, str) and value.strip():
            return f"`{value.strip()[:60]}`"
    return fallback


def _value_and_unit(value: Any) -> tuple[float | None, float | None]:
    number = _number(value)
    if number is not None:
        return number, None
    if isinstance(value, str):
        match = _VALUE_WITH_UNIT.match(value)
        if match:
            return float(match.group("number")), _UNIT_FACTORS[match.group("unit").lower()]
    return None, None


def _k6_trend(path: str, key: str, node: dict[str, Any], scan: ResultsScan) -> None:
    values = node.get("values") if isinstance(node.get("values"), dict) else node
    names = {"p50": ("med", "p(50)"), "p95": ("p(95)",), "p99": ("p(99)",)}
    measured: dict[str, float] = {}
    for q, keys in names.items():
        for name in keys:
            number = _number(values.get(name))
            if number is not None:
                measured[q] = number
                break
    if measured:
        scan.measurements.append(Measurement(label=f"k6 `{key}`", path=path, values=measured))


# ======================================================================== the detectors
def _named_candidate(path: str) -> bool:
    return ".benchmarks/" in f"/{path}" or bool(_NAME_HINT.search(path))


def _is_benchmark_location(path: str) -> bool:
    return ".benchmarks/" in f"/{path}"


@dataclass
class LatencyFiles:
    """The parsed latency candidates: pytest-benchmark documents, other results, and broken files."""

    benchmarks: dict[str, dict[str, Any]] = field(default_factory=dict)
    broken_benchmarks: list[str] = field(default_factory=list)
    results: dict[str, tuple[list[Any], bool]] = field(default_factory=dict)
    broken_results: list[str] = field(default_factory=list)


def collect_latency_files(ctx: DetectorContext) -> LatencyFiles:
    """The latency files of the repository, found once per scan and shared by both detectors."""
    return ctx.index.memo(("latency-files", *ctx.declared(ITEM)), lambda: _collect_latency_files(ctx))


def _collect_latency_files(ctx: DetectorContext) -> LatencyFiles:
    """Select and parse the JSON/YAML files that may hold latency measurements.

    A file is read when its location or name says benchmark/latency/perf/load test (or the team
    declared it), when it is JSON naming ``machine_info`` and ``benchmarks``, or when its text
    mentions a p50/p95/p99 percentile. Only the first two kinds are reported when they do not
    parse: an unrelated broken file must not hold the item undecided.
    """
    index = ctx.index
    found = LatencyFiles()
    structured = [
        path for path in index.with_suffix(".json", ".yaml", ".yml") if posixpath.basename(path) not in _CONFIG_FILES
    ]
    declared = set(ctx.declared(ITEM))
    for path in ctx.candidates(ITEM, structured):
        named = _named_candidate(path) or path in declared
        text = index.read_text(path)
        looks_like_benchmark = _is_benchmark_location(path) or (
            text is not None and path.lower().endswith(".json") and '"machine_info"' in text and '"benchmarks"' in text
        )
        if text is not None and not (named or looks_like_benchmark or _PERCENTILE_TEXT.search(text)):
            continue
        documents = index.structured(path) if text is not None else None
        if documents is None:
            if looks_like_benchmark:
                found.broken_benchmarks.append(path)
            elif named:
                found.broken_results.append(path)
            continue
        if len(documents) == 1 and is_benchmark_document(documents[0]):
            found.benchmarks[path] = documents[0]
        else:
            found.results[path] = (documents, named)
    return found


@detector(
    name="pytest-benchmark",
    items=(ITEM,),
    looks_for=(
        "pytest-benchmark JSON (.benchmarks/<machine>/NNNN_*.json or --benchmark-json) timing the prediction path, "
        "with p50/p95/p99 compared with `sla.latency_ms` from the configuration"
    ),
)
def pytest_benchmark_latency(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 22 from pytest-benchmark files (see the module docstring)."""
    files = collect_latency_files(ctx)
    for path in files.broken_benchmarks:
        yield ctx.unreadable(ITEM, path)
    for path in latest_per_folder(files.benchmarks):
        if not _superseded_by_broken(path, files.broken_benchmarks):
            yield from _benchmark_evidence(ctx, path, files.benchmarks[path])


@detector(
    name="latency-results",
    items=(ITEM,),
    looks_for=(
        "a latency results file (JSON/YAML from a load test or benchmark script, k6 summary export) with "
        "p50/p95/p99 and their units, compared with `sla.latency_ms` from the configuration"
    ),
)
def latency_results(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 22 from latency results files (see the module docstring)."""
    files = collect_latency_files(ctx)
    for path in files.broken_results:
        yield ctx.unreadable(ITEM, path)
    for path, (documents, named) in sorted(files.results.items()):
        scan = scan_results(path, documents, named=named)
        for measurement in scan.measurements:
            yield judge(ctx, measurement)
        if scan.unitless and not scan.measurements:
            label = f" ({scan.unitless[0]})" if scan.unitless[0] else ""
            yield ctx.partial(
                ITEM,
                f"latency percentiles in {path}{label} but units not stated; name the keys `p95_ms` or add `unit: ms`",
                path=path,
            )


def _superseded_by_broken(path: str, broken: list[str]) -> bool:
    """True when a later numbered file of the same folder did not parse: the latest run is unknown."""
    number = _number_prefix(path)
    if number is None:
        return False
    folder = posixpath.dirname(path)
    return any(
        posixpath.dirname(other) == folder and (_number_prefix(other) or -1) > number for other in broken
    )


def _benchmark_evidence(ctx: DetectorContext, path: str, document: dict[str, Any]) -> Iterator[Evidence]:
    benchmarks = [entry for entry in document["benchmarks"] if isinstance(entry, dict)]
    serving = [entry for entry in benchmarks if is_serving_benchmark(entry)]
    if not serving:
        names = ", ".join(f"`{entry.get('name')}`" for entry in benchmarks[:3] if entry.get("name")) or "nothing"
        yield ctx.partial(
            ITEM,
            f"pytest-benchmark results in {path} time only {names}; none is the prediction path "
            "(predict, inference, serving, scoring, request, latency)",
            path=path,
        )
        return
    measured = False
    for entry in serving:
        measurement = benchmark_measurement(entry, path)
        if measurement is not None:
            measured = True
            yield judge(ctx, measurement)
    if not measured:
        detail = f"pytest-benchmark results in {path} have no statistics for the serving benchmarks"
        yield ctx.partial(ITEM, detail, path=path)


DETECTORS: tuple[Detector, ...] = (pytest_benchmark_latency, latency_results)
