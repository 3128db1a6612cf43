"""Item 22 (latency-gated): pytest-benchmark JSON and latency results files against the SLA."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_mlchecklist.detectors.model_testing import latency_results, nearest_rank, pytest_benchmark_latency
from pytest_mlchecklist.evidence import Evidence
from conftest import run_detector, verdicts, write_file as write

ITEM = "latency-gated"
SLA = {"latency_ms": {"p50": 20, "p95": 50, "p99": 80}}
MACHINE = ".benchmarks/Linux-CPython-3.11-64bit"


def run_both(root: Path, **settings: Any) -> list[Evidence]:
    """Both item-22 detectors, pytest-benchmark first."""
    return [*run_detector(pytest_benchmark_latency, root, **settings), *run_detector(latency_results, root, **settings)]


def benchmark(
    name: str, timings_s: list[float], *, save_data: bool = True, group: str | None = None, module: str = "tests/perf/test_latency.py"
) -> dict[str, Any]:
    """A pytest-benchmark entry as `--benchmark-autosave` writes it (seconds)."""
    ordered = sorted(timings_s)
    stats: dict[str, Any] = {
        "min": ordered[0],
        "max": ordered[-1],
        "mean": sum(ordered) / len(ordered),
        "stddev": 0.001,
        "rounds": len(ordered),
        "median": ordered[len(ordered) // 2],
        "iqr": 0.002,
        "q1": ordered[len(ordered) // 4],
        "q3": ordered[3 * len(ordered) // 4],
        "iqr_outliers": 1,
        "stddev_outliers": 3,
        "outliers": "3;1",
        "ld15iqr": ordered[0],
        "hd15iqr": ordered[-1],
        "ops": 70.1,
        "total": sum(ordered),
        "iterations": 1,
    }
    if save_data:
        stats["data"] = timings_s
    return {
        "group": group,
        "name": name,
        "fullname": f"{module}::{name}",
        "params": None,
        "param": None,
        "extra_info": {},
        "options": {"disable_gc": False, "timer": "perf_counter", "min_rounds": 5, "max_time": 1.0, "min_time": 5e-06, "warmup": False},
        "stats": stats,
    }


def benchmark_file(*entries: dict[str, Any], when: str = "2026-11-20T09:12:44.120934") -> str:
    return json.dumps(
        {
            "machine_info": {"node": "ci-runner-7", "processor": "x86_64", "machine": "x86_64", "python_implementation": "CPython",
                             "python_version": "3.11.9", "release": "6.5.0", "system": "Linux", "cpu": {"count": 8}},
            "commit_info": {"id": "9f1c2ab", "time": "2026-11-20T09:10:02+00:00", "dirty": False, "project": "fraud-scoring", "branch": "main"},
            "benchmarks": list(entries),
            "datetime": when,
            "version": "4.0.0",
        },
        indent=4,
    )


def fast_timings() -> list[float]:
    # 100 rounds: 8..27.6 ms (median 18 ms), with the slowest round at 44 ms.
    return [0.008 + 0.0002 * i for i in range(99)] + [0.044]


def slow_timings() -> list[float]:
    # 100 rounds: mostly 15 ms, with a tail up to 112.4 ms.
    return [0.015] * 95 + [0.060, 0.070, 0.090, 0.1124, 0.1124]


def test_nearest_rank_percentile() -> None:
    data = [float(value) for value in range(1, 101)]
    assert nearest_rank(data, 95) == 95.0
    assert nearest_rank(data, 99) == 99.0
    assert nearest_rank([3.0], 99) == 3.0


def test_latest_serving_benchmark_under_the_sla_supports(tmp_path: Path) -> None:
    write(tmp_path, f"{MACHINE}/0001_8a1b2c3_20261101_120000_uncommitted-changes.json",
          benchmark_file(benchmark("test_predict_latency", slow_timings()), when="2026-11-01T12:00:00"))
    write(tmp_path, f"{MACHINE}/0002_9f1c2ab_20261120_091244.json", benchmark_file(benchmark("test_predict_latency", fast_timings())))
    evidence = run_both(tmp_path, sla=SLA)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert found.path == f"{MACHINE}/0002_9f1c2ab_20261120_091244.json"
    assert found.detector == "pytest-benchmark"
    assert "p99 27.6 ms <= 80 ms" in found.detail and "`test_predict_latency`" in found.detail
    assert found.values["p50_ms"] == pytest.approx(18.0)
    assert found.values["p95_ms"] == pytest.approx(26.8)
    assert found.values["p99_ms"] == pytest.approx(27.6)


def test_benchmark_over_the_sla_contradicts_with_numbers(tmp_path: Path) -> None:
    write(tmp_path, f"{MACHINE}/0003_aa11bb2_20261121_101500.json", benchmark_file(benchmark("test_serve_predict", slow_timings())))
    evidence = run_both(tmp_path, sla=SLA)
    assert verdicts(evidence, ITEM) == ["contradicts"]
    detail = evidence[0].detail
    assert "p99 112.4 ms > 80 ms SLA" in detail and "`test_serve_predict`" in detail
    assert "0003_aa11bb2_20261121_101500.json" in detail
    assert evidence[0].values["p99_ms"] == pytest.approx(112.4)


def test_without_raw_data_max_is_an_upper_bound(tmp_path: Path) -> None:
    write(tmp_path, "perf/benchmark.json", benchmark_file(benchmark("test_inference", fast_timings(), save_data=False)))
    evidence = run_both(tmp_path, sla=SLA)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "max 44.0 ms" in evidence[0].detail

    tight = {"latency_ms": {"p99": 40}}
    evidence = run_both(tmp_path, sla=tight)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "--benchmark-save-data" in evidence[0].detail


def test_benchmarks_of_other_code_are_not_model_latency(tmp_path: Path) -> None:
    write(tmp_path, f"{MACHINE}/0001_c0ffee1_20261118_080000.json",
          benchmark_file(
              benchmark("test_load_transactions_csv", fast_timings(), module="tests/bench/test_io.py"),
              benchmark("test_build_features", fast_timings(), module="tests/bench/test_io.py"),
          ))
    evidence = run_both(tmp_path, sla=SLA)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "`test_load_transactions_csv`" in evidence[0].detail and "none is the prediction path" in evidence[0].detail


def test_nothing_measured_gives_no_evidence(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# Fraud scoring\n\nWe aim for p99 under 80 ms.\n")
    write(tmp_path, "mlchecklist.yaml", "profile: mature\nsla:\n  latency_ms: {p50: 20, p95: 50, p99: 80}\n")
    write(tmp_path, "ops/slo.yaml", "objectives:\n  latency_ms: {p95: 50, p99: 80}\n")
    assert run_both(tmp_path, sla=SLA) == []


def test_no_sla_configured_is_partial(tmp_path: Path) -> None:
    write(tmp_path, f"{MACHINE}/0002_9f1c2ab_20261120_091244.json", benchmark_file(benchmark("test_predict_latency", fast_timings())))
    evidence = run_both(tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no `sla.latency_ms`" in evidence[0].detail and "p95 26.8 ms" in evidence[0].detail


def test_load_test_results_with_units_support(tmp_path: Path) -> None:
    write(
        tmp_path,
        "loadtest/results/2026-11-19.yaml",
        "scenario: steady-200rps\nduration_s: 600\nrequests: 120000\nerrors: 3\n"
        "sla:\n  p99_ms: 80\n"
        "latency_ms:\n  p50: 14.2\n  p95: 38.9\n  p99: 61.0\n",
    )
    evidence = run_both(tmp_path, sla=SLA)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "p99 61.0 ms <= 80 ms" in evidence[0].detail
    assert evidence[0].values == {"p50_ms": 14.2, "p95_ms": 38.9, "p99_ms": 61.0}
    assert evidence[0].detector == "latency-results"


def test_results_in_seconds_are_converted(tmp_path: Path) -> None:
    write(tmp_path, "reports/latency.json", json.dumps({"endpoint": "/predict", "unit": "s", "p50": 0.011, "p95": 0.052, "p99": 0.07}))
    evidence = run_both(tmp_path, sla=SLA)
    assert verdicts(evidence, ITEM) == ["contradicts"]
    assert "p95 52.0 ms > 50 ms SLA" in evidence[0].detail and "`/predict`" in evidence[0].detail


def test_k6_summary_export_is_in_milliseconds(tmp_path: Path) -> None:
    summary = {"metrics": {"http_req_duration": {"type": "trend", "contains": "time",
                                                 "values": {"avg": 18.1, "min": 6.2, "med": 15.3, "max": 140.0, "p(90)": 31.0, "p(95)": 42.5, "p(99)": 77.9}},
                           "http_reqs": {"type": "counter", "values": {"count": 36000, "rate": 200.0}}}}
    write(tmp_path, "k6/summary.json", json.dumps(summary))
    evidence = run_both(tmp_path, sla=SLA)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "k6 `http_req_duration`" in evidence[0].detail


def test_results_without_units_are_partial(tmp_path: Path) -> None:
    write(tmp_path, "benchmarks/latency_results.yaml", "model: fraud-gbm-v7\np50: 14\np95: 39\np99: 61\n")
    evidence = run_both(tmp_path, sla=SLA)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "units not stated" in evidence[0].detail


def test_feature_quantiles_are_not_latency(tmp_path: Path) -> None:
    write(tmp_path, "data/profile.json", json.dumps({"amount": {"p50": 42.0, "p95": 310.5, "p99": 980.0}}))
    assert run_both(tmp_path, sla=SLA) == []


def test_sla_percentile_not_measured_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "perf/latency.json", json.dumps({"p50_ms": 12.0, "p95_ms": 33.0}))
    evidence = run_both(tmp_path, sla=SLA)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "p99 not measured" in evidence[0].detail


def test_malformed_benchmark_file_is_unreadable_and_hides_older_runs(tmp_path: Path) -> None:
    write(tmp_path, f"{MACHINE}/0001_8a1b2c3_20261101_120000.json", benchmark_file(benchmark("test_predict_latency", fast_timings())))
    write(tmp_path, f"{MACHINE}/0002_9f1c2ab_20261120_091244.json", '{"machine_info": {"node": "ci"}, "benchmarks": [')
    evidence = run_both(tmp_path, sla=SLA)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path.endswith("0002_9f1c2ab_20261120_091244.json")
    assert "could not be parsed as JSON" in evidence[0].detail


def test_malformed_latency_report_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "perf/latency.yaml", "latency_ms:\n  p50: 12\n  p95: [unclosed\n")
    evidence = run_both(tmp_path, sla=SLA)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert "could not be parsed as YAML" in evidence[0].detail


def test_sub_millisecond_latency_is_written_with_significant_digits() -> None:
    from pytest_mlchecklist.detectors.model_testing import format_ms

    assert format_ms(41.23) == "41.2"
    assert format_ms(0.01784) == "0.0178"
