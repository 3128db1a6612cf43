"""The ``ml_latency`` helper and the recording plumbing every helper uses."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import pytest

from pytest_mlchecklist.engine import scan
from pytest_mlchecklist.helpers.configured import ConfiguredSettings
from pytest_mlchecklist.helpers.latency import (
    LatencyResult,
    LatencyTimer,
    judge_benchmark_entry,
    percentile_nearest_rank,
    read_benchmark_file,
    select_benchmark,
    time_calls,
)
from pytest_mlchecklist.recording import MeasurementRecorder, Recording, Recordings, measurement_evidence
from pytest_mlchecklist.test_evidence import TestEvidenceCollector

TODAY = "--ml-checklist-today=2026-11-22"
RUNNER_MODES = [pytest.param([], id="no-xdist"), pytest.param(["-n", "2"], id="xdist-n2")]

CONFIG = """\
profile: [latency-gated]
sla:
  latency_ms: {p50: 20, p95: 50, p99: 80}
"""

LATENCY_TESTS = """
import time

import pytest


class Scorer:
    def predict(self, rows):
        return [sum(row) > 1.0 for row in rows]


@pytest.fixture
def scorer():
    return Scorer()


def test_scoring_latency(ml_latency, scorer):
    rows = [[0.2, 0.5, 0.9]] * 32
    result = ml_latency(scorer.predict, batch=rows, calls=50, warmup=5)
    assert result.p99_ms < 80


def test_other():
    pass
"""

SLOW_TESTS = """
import time


def test_slow_scoring(ml_latency):
    ml_latency(time.sleep, batch=0.003, calls=5, warmup=1, targets={"p99": 0.5})
"""


def write_project(pytester: pytest.Pytester, tests: str, config: str = CONFIG) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text(textwrap.dedent(config))
    pytester.makepyfile(test_scoring=tests)


def item_entry(report: Path, slug: str) -> dict:
    data = json.loads(report.read_text(encoding="utf-8"))
    return next(entry for entry in data["items"] if entry["id"] == slug)


# ---------------------------------------------------------------------- percentiles
def brute_force_percentile(values: list[float], q: float) -> float:
    """Independent definition: the smallest value with at least q% of the values <= it."""
    for candidate in sorted(values):
        if sum(1 for value in values if value <= candidate) * 100 >= q * len(values):
            return candidate
    raise AssertionError("unreachable")


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([15, 20, 35, 40, 50], 5, 15),  # the textbook nearest-rank example
        ([15, 20, 35, 40, 50], 30, 20),
        ([15, 20, 35, 40, 50], 40, 20),
        ([15, 20, 35, 40, 50], 50, 35),
        ([15, 20, 35, 40, 50], 100, 50),
        (list(range(1, 101)), 50, 50),
        (list(range(1, 101)), 95, 95),
        (list(range(1, 101)), 99, 99),
        (list(range(1, 21)), 99, 20),  # 20 values: p99 is the slowest
        (list(range(1, 201)), 99, 198),
        ([7.5], 99, 7.5),
    ],
)
def test_nearest_rank_on_known_lists(values: list[float], q: float, expected: float) -> None:
    assert percentile_nearest_rank(values, q) == expected
    assert percentile_nearest_rank(list(reversed(values)), q) == expected  # order does not matter


def test_nearest_rank_agrees_with_an_independent_computation() -> None:
    # deterministic pseudo-random timings, several sizes (including ones where q*n/100 is an integer)
    for size in (1, 2, 3, 7, 19, 20, 21, 99, 100, 101, 200, 333, 1000):
        values = [round(math.sin(i * 12.9898) * 43758.5453 % 50.0, 4) for i in range(size)]
        for q in (1, 10, 25, 50, 75, 90, 95, 99, 99.9, 100):
            assert percentile_nearest_rank(values, q) == brute_force_percentile(values, q), (size, q)


def test_nearest_rank_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile_nearest_rank([], 50)
    with pytest.raises(ValueError, match="in \\(0, 100\\]"):
        percentile_nearest_rank([1.0], 0)


def test_time_calls_warms_up_then_times_each_call() -> None:
    seen: list[int] = []
    timings = time_calls(seen.append, calls=4, warmup=2, batch=7)
    assert seen == [7] * 6
    assert len(timings) == 4 and all(timing >= 0 for timing in timings)


def test_detail_compares_targeted_percentiles_and_lists_the_others() -> None:
    result = LatencyResult(p50_ms=12.04, p95_ms=30.1, p99_ms=112.44, calls=200, warmup=20,
                           targets={"p99": 80.0}, target_label="SLA", over=("p99",), timings_ms=())
    assert not result.passed
    assert result.detail() == "p99 112.4 ms > 80 ms SLA; p50 12.0 ms, p95 30.1 ms; 200 timed calls"
    assert result.values() == {"p50_ms": 12.04, "p95_ms": 30.1, "p99_ms": 112.44}


# ---------------------------------------------------------------------- the plumbing
def test_recordings_become_evidence_with_the_test_outcome() -> None:
    collector = TestEvidenceCollector()
    sink: list[dict] = []
    recorder = Recordings(sink).recorder("ml_latency")
    recorder.record("latency-gated", "p99 41.2 ms <= 80 ms SLA", {"p99_ms": 41.2, "nan": float("nan")}, passed=True)
    assert sink == [{"item": "latency-gated", "source": "ml_latency", "detail": "p99 41.2 ms <= 80 ms SLA",
                     "values": {"p99_ms": 41.2}, "passed": True}]
    for nodeid, call_outcome in (("t.py::passes", "passed"), ("t.py::fails", "failed"), ("t.py::skips", "skipped")):
        collector.add_any_report(nodeid=nodeid, when="setup", outcome="passed")
        collector.add_any_report(nodeid=nodeid, when="call", outcome=call_outcome)
        collector.add_measurements(nodeid=nodeid, recordings=list(sink) + ["not a recording"])  # type: ignore[list-item]
    collector.add_measurements(nodeid="t.py::over", recordings=[{**sink[0], "passed": False, "detail": "p99 90 ms > 80 ms SLA"}])
    collector.add_any_report(nodeid="t.py::over", when="call", outcome="failed")
    found = {piece.nodeid: piece for piece in collector.evidence()}
    assert len(collector) == 4
    assert (found["t.py::passes"].verdict, found["t.py::passes"].kind, found["t.py::passes"].detector) == (
        "supports", "measurement", "ml_latency")
    assert found["t.py::passes"].values == {"p99_ms": 41.2}
    assert found["t.py::fails"].verdict == "contradicts" and "but the test failed" in found["t.py::fails"].detail
    assert found["t.py::skips"].verdict == "partial" and "does not count" in found["t.py::skips"].detail
    assert found["t.py::over"].verdict == "contradicts" and found["t.py::over"].detail == "p99 90 ms > 80 ms SLA"


def test_a_disabled_recorder_records_nothing_and_bad_data_is_not_a_recording() -> None:
    recorder = MeasurementRecorder("ml_latency", None)
    recorder.record("latency-gated", "p99 1 ms <= 80 ms SLA", {"p99_ms": 1.0}, passed=True)
    assert not recorder.enabled and not Recordings(None).enabled
    assert Recording.from_json({"item": "latency-gated"}) is None
    assert Recording.from_json({"item": "x", "source": "s", "detail": "d", "values": {"a": "n/a"}, "passed": True}) is None
    evidence = measurement_evidence(Recording("latency-gated", "ml_latency", "p99 1 ms <= 80 ms SLA"), "t.py::a", "passed")
    assert evidence.to_json()["kind"] == "measurement" and evidence.location() == "t.py::a"


# ---------------------------------------------------------------------- in a pytest run
@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_a_passing_latency_test_meets_the_item_with_its_values(pytester: pytest.Pytester, mode: list[str]) -> None:
    write_project(pytester, LATENCY_TESTS)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json", "-rA", *mode)
    result.stdout.fnmatch_lines(["*PASSED mlchecklist.yaml::latency-gated*"])
    entry = item_entry(pytester.path / "report.json", "latency-gated")
    assert entry["status"] == "met"
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert measured["detector"] == "ml_latency" and measured["verdict"] == "supports"
    assert measured["nodeid"] == "test_scoring.py::test_scoring_latency" and measured["outcome"] == "passed"
    assert set(measured["values"]) == {"p50_ms", "p95_ms", "p99_ms"}
    assert measured["values"]["p50_ms"] <= measured["values"]["p95_ms"] <= measured["values"]["p99_ms"] < 80
    assert "<= 20 ms, p95" in measured["detail"] and "<= 80 ms SLA; 50 timed calls" in measured["detail"]
    assert "test_scoring.py::test_scoring_latency" in entry["message"]


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_a_slow_callable_fails_the_test_and_the_item_with_the_numbers(pytester: pytest.Pytester, mode: list[str]) -> None:
    write_project(pytester, SLOW_TESTS)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json", "-rA", *mode)
    result.assert_outcomes(failed=2)  # the slow test and latency-gated
    result.stdout.fnmatch_lines(["*ml_latency: p99 *ms > 0.5 ms target; p50 * ms, p95 * ms; 5 timed calls*",
                                 "*FAILED mlchecklist.yaml::latency-gated*"])
    entry = item_entry(pytester.path / "report.json", "latency-gated")
    assert entry["status"] == "unmet"
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert measured["verdict"] == "contradicts" and measured["outcome"] == "failed"
    assert measured["values"]["p99_ms"] >= 3.0
    assert "> 0.5 ms target" in entry["message"] and "test_scoring.py::test_slow_scoring" in entry["message"]


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_a_helper_written_with_ml_record_reaches_the_report(pytester: pytest.Pytester, mode: list[str]) -> None:
    """The plumbing a later helper uses: a fixture records through ``ml_record``."""
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def seed_check(ml_record):
            recorder = ml_record.recorder("seed_check")
            def check(seed, first, second):
                same = first == second
                recorder.record("fixed-seeds", f"seed {seed}: two runs {'identical' if same else 'differ'}",
                                {"seed": seed}, passed=same)
                assert same, "runs differ"
            return check
        """
    )
    write_project(pytester, "def test_seeded(seed_check):\n    seed_check(42, [1, 2], [1, 2])\n",
                  config="profile: [fixed-seeds]\n")
    pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json", *mode)
    entry = item_entry(pytester.path / "report.json", "fixed-seeds")
    assert entry["status"] == "met"
    assert entry["message"].startswith("seed 42: two runs identical (test_scoring.py::test_seeded)")
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert measured["detector"] == "seed_check" and measured["values"] == {"seed": 42.0}


def test_without_the_checklist_the_fixture_still_gates(pytester: pytest.Pytester) -> None:
    write_project(pytester, LATENCY_TESTS + SLOW_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*ml_latency: p99 * ms > 0.5 ms target*"])
    result.stdout.no_fnmatch_line("*ml-checklist*")


def test_without_targets_or_sla_the_fixture_says_what_to_do(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_latency(ml_latency):\n    ml_latency(lambda: None)\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ml_latency: no latency targets: pass targets={'p99': 80} (milliseconds) "
                                 "or configure sla.latency_ms*"])


def test_the_configured_sla_is_read_without_the_checklist(pytester: pytest.Pytester) -> None:
    write_project(pytester, SLOW_TESTS.replace(', targets={"p99": 0.5}', ""),
                  config="sla:\n  latency_ms: {p95: 1}\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ml_latency: p95 * ms > 1 ms SLA; p50 * ms, p99 * ms; 5 timed calls*"])


def test_bad_arguments_are_explained(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_bad(ml_latency):
            with pytest.raises(ValueError, match="unknown target 'p90'"):
                ml_latency(lambda: None, targets={"p90": 10})
            with pytest.raises(ValueError, match="calls must be an integer >= 1"):
                ml_latency(lambda: None, calls=0, targets={"p99": 10})
            with pytest.raises(TypeError, match="expected a callable"):
                ml_latency(42, targets={"p99": 10})
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_scan_sees_the_measurements_of_the_last_run(pytester: pytest.Pytester) -> None:
    write_project(pytester, LATENCY_TESTS)
    pytester.runpytest_subprocess("--ml-checklist", TODAY).assert_outcomes(passed=3)
    result = scan(pytester.path)
    [latency] = [entry for entry in result.items if entry.item.id == "latency-gated"]
    assert latency.status == "met"
    [measured] = [piece for piece in latency.evidence if piece.kind == "measurement"]
    assert measured.detector == "ml_latency" and set(measured.values) == {"p50_ms", "p95_ms", "p99_ms"}
    assert "recorded by the pytest run" in measured.detail


def test_the_documented_example_runs_as_written(pytester: pytest.Pytester) -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "helpers" / "latency.md").read_text(encoding="utf-8")
    config = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    tests = page.split("```python\n", 1)[1].split("```", 1)[0]
    pytester.path.joinpath("mlchecklist.yaml").write_text(config)
    pytester.mkdir("tests")
    pytester.path.joinpath("tests", "test_latency.py").write_text(tests)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json", "-rA")
    result.assert_outcomes(passed=3)
    entry = item_entry(pytester.path / "report.json", "latency-gated")
    assert entry["status"] == "met"
    assert {piece["nodeid"] for piece in entry["evidence"] if piece["kind"] == "measurement"} == {
        "tests/test_latency.py::test_scoring_latency", "tests/test_latency.py::test_batch_latency_with_its_own_target",
    }


# ---------------------------------------------------------------------- percentiles against NumPy
def test_nearest_rank_is_numpys_inverted_cdf_percentile() -> None:
    numpy = pytest.importorskip("numpy")
    rng = numpy.random.default_rng(7)
    for size in (1, 2, 3, 19, 20, 21, 99, 100, 101, 200, 1001):
        values = [float(value) for value in rng.lognormal(0.0, 1.0, size)]
        for q in (50, 95, 99):
            expected = float(numpy.percentile(values, q, method="inverted_cdf"))
            assert percentile_nearest_rank(values, q) == expected, (size, q)


# ---------------------------------------------------------------------- pytest-benchmark timings
EXAMPLE_BENCHMARK = (Path(__file__).resolve().parents[1] / "example_project" / ".benchmarks"
                     / "Linux-CPython-3.11-64bit" / "0001_serving.json")


def benchmark_entry(data: list[float] | None = None, *, median: float = 0.010, maximum: float = 0.050,
                    name: str = "test_predict") -> dict[str, object]:
    """One entry of a pytest-benchmark document (seconds), with raw timings when ``data`` is given."""
    stats: dict[str, object] = {"min": 0.001, "max": maximum, "mean": median, "stddev": 0.001, "rounds": 200,
                                "median": median, "iqr": 0.001, "q1": median, "q3": median, "iqr_outliers": 0,
                                "stddev_outliers": 0, "outliers": "0;0", "ld15iqr": 0.001, "hd15iqr": maximum,
                                "ops": 100.0, "total": 2.0, "iterations": 1}
    if data is not None:
        stats["data"] = data
        stats["rounds"] = len(data)
    return {"group": None, "name": name, "fullname": f"tests/test_bench.py::{name}", "params": None,
            "param": None, "extra_info": {}, "options": {}, "stats": stats}


def test_saved_raw_timings_give_nearest_rank_percentiles_in_milliseconds() -> None:
    data = [0.001 * (i + 1) for i in range(100)]  # 1 ms ... 100 ms
    result = judge_benchmark_entry(benchmark_entry(data), {"p95": 96.0, "p99": 98.0}, "SLA", "bench.json")
    assert (result.p50_ms, result.p95_ms, result.p99_ms) == pytest.approx((50.0, 95.0, 99.0))
    assert result.over == ("p99",) and not result.bounded
    assert result.detail() == ("p95 95.0 ms <= 96 ms, p99 99.0 ms > 98 ms SLA; p50 50.0 ms; "
                               "100 rounds of pytest-benchmark `test_predict` (bench.json)")
    assert set(result.values()) == {"p50_ms", "p95_ms", "p99_ms"}


def test_summary_statistics_only_bound_p95_and_p99_by_the_max() -> None:
    within = judge_benchmark_entry(benchmark_entry(median=0.012, maximum=0.070), {"p50": 25, "p95": 80, "p99": 90},
                                   "SLA", "bench.json")
    assert within.passed and within.bounded == ("p95", "p99")
    assert within.detail() == ("p50 12.0 ms <= 25 ms, p95 <= max 70.0 ms <= 80 ms, p99 <= max 70.0 ms <= 90 ms SLA; "
                               "200 rounds of pytest-benchmark `test_predict` (bench.json); "
                               "raw timings not saved: p95, p99 only bounded by the max")
    assert within.values() == {"p50_ms": 12.0, "max_ms": 70.0}
    unknown = judge_benchmark_entry(benchmark_entry(median=0.012, maximum=0.120), {"p99": 90}, "SLA", "bench.json")
    assert not unknown.passed and unknown.over == ("p99",)
    assert unknown.detail().startswith("p99 unknown: max 120.0 ms > 90 ms SLA; p50 12.0 ms, p95 <= max 120.0 ms; ")
    assert unknown.detail().endswith("rerun pytest-benchmark with --benchmark-save-data to keep the raw timings")


def test_the_example_projects_saved_run_matches_numpy() -> None:
    numpy = pytest.importorskip("numpy")
    document = read_benchmark_file(EXAMPLE_BENCHMARK, "0001_serving.json")
    entry = select_benchmark(document, "test_predict_latency", "0001_serving.json")
    result = judge_benchmark_entry(entry, {"p50": 25, "p95": 60, "p99": 90}, "SLA", "0001_serving.json")
    timings = numpy.asarray(entry["stats"]["data"]) * 1000.0  # type: ignore[index]
    for name, q in (("p50", 50), ("p95", 95), ("p99", 99)):
        assert result.percentiles()[name] == pytest.approx(float(numpy.percentile(timings, q, method="inverted_cdf")))
    assert result.passed and result.calls == 200


@pytest.mark.parametrize(("content", "name", "message"), [
    (None, None, "bench.json does not exist"),
    ("{", None, "bench.json is not valid JSON"),
    ('{"machine_info": {}}', None, r'not a pytest-benchmark file \(no "benchmarks" list\)'),
    (json.dumps({"benchmarks": [benchmark_entry(name="a"), benchmark_entry(name="b")]}), None,
     r"holds 2 benchmarks \(tests/test_bench.py::a, tests/test_bench.py::b\); pass name= to choose one"),
    (json.dumps({"benchmarks": [benchmark_entry(name="a")]}), "c", "no benchmark 'c' in bench.json"),
    (json.dumps({"benchmarks": [{"name": "a", "stats": {"rounds": 3}}]}), "a", "has neither raw timings nor a median and max"),
])
def test_bad_benchmark_files_are_explained(tmp_path: Path, content: str | None, name: str | None, message: str) -> None:
    if content is not None:
        (tmp_path / "bench.json").write_text(content)
    timer = LatencyTimer(MeasurementRecorder("ml_latency", None), settings=lambda: ConfiguredSettings(None),
                         rootdir=tmp_path)
    with pytest.raises(ValueError, match=message):
        timer.from_benchmark_json("bench.json", name=name, targets={"p99": 10})


class FakeStats:
    """pytest-benchmark's ``Stats``: the per-round timings in seconds."""

    def __init__(self, data: list[float]) -> None:
        self.data = data


class FakeMetadata:
    """pytest-benchmark's ``Metadata`` (``benchmark.stats``)."""

    def __init__(self, name: str, data: list[float]) -> None:
        self.name = name
        self.stats = FakeStats(data)


class FakeBenchmarkFixture:
    """The parts of pytest-benchmark's ``BenchmarkFixture`` that ml_latency reads."""

    def __init__(self, data: list[float] | None, disabled: bool = False) -> None:
        self.name = "test_predict"
        self.disabled = disabled
        self.stats = FakeMetadata(self.name, data) if data is not None else None


def test_the_benchmark_fixture_or_its_stats_hand_their_timings_over() -> None:
    sink: list[dict] = []
    timer = LatencyTimer(Recordings(sink).recorder("ml_latency"), settings=lambda: ConfiguredSettings(None))
    data = [0.002] * 98 + [0.004, 0.009]
    for source in (FakeBenchmarkFixture(data), FakeBenchmarkFixture(data).stats, FakeStats(data)):
        result = timer.from_benchmark(source, targets={"p99": 5})
        assert (result.p50_ms, result.p99_ms) == pytest.approx((2.0, 4.0)) and result.passed
    assert sink[0]["detail"] == "p99 4.0 ms <= 5 ms target; p50 2.0 ms, p95 2.0 ms; 100 rounds of pytest-benchmark `test_predict`"
    with pytest.raises(pytest.fail.Exception, match="p99 4.0 ms > 3 ms target"):
        timer.from_benchmark(FakeBenchmarkFixture(data), targets={"p99": 3})
    with pytest.raises(ValueError, match=r"no pytest-benchmark timings: call benchmark\(func\)"):
        timer.from_benchmark(FakeBenchmarkFixture(None), targets={"p99": 3})
    with pytest.raises(pytest.skip.Exception, match="--benchmark-disable"):
        timer.from_benchmark(FakeBenchmarkFixture(data, disabled=True), targets={"p99": 3})


BENCHMARK_TESTS = """
def test_saved_serving_benchmark(ml_latency):
    ml_latency.from_benchmark_json(".benchmarks/Linux-CPython-3.11-64bit/0001_serving.json",
                                   name="test_predict")
"""


@pytest.mark.parametrize("mode", RUNNER_MODES)
@pytest.mark.parametrize("saved_data", [True, False], ids=["raw-timings", "summary-only"])
def test_a_saved_benchmark_reaches_the_report(pytester: pytest.Pytester, mode: list[str], saved_data: bool) -> None:
    write_project(pytester, BENCHMARK_TESTS, config="profile: [latency-gated]\nsla:\n  latency_ms: {p50: 20, p99: 60}\n")
    folder = pytester.mkdir(".benchmarks").joinpath("Linux-CPython-3.11-64bit")
    folder.mkdir()
    data = [0.010] * 94 + [0.070] * 6 if saved_data else None  # p95 = p99 = 70 ms > 60 ms; the max bounds them
    folder.joinpath("0001_serving.json").write_text(json.dumps(
        {"machine_info": {}, "commit_info": {}, "benchmarks": [benchmark_entry(data, median=0.010, maximum=0.070)],
         "datetime": "2026-11-20T10:00:00", "version": "5.1.0"}))
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json", *mode)
    result.assert_outcomes(failed=2)
    expected = "p99 70.0 ms > 60 ms SLA" if saved_data else "p99 unknown: max 70.0 ms > 60 ms SLA"
    result.stdout.fnmatch_lines([f"*ml_latency: p50 10.0 ms <= 20 ms, {expected}*"])
    entry = item_entry(pytester.path / "report.json", "latency-gated")
    assert entry["status"] == "unmet" and expected in entry["message"]
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert measured["verdict"] == "contradicts" and measured["nodeid"] == "test_scoring.py::test_saved_serving_benchmark"
    assert measured["values"] == ({"p50_ms": 10.0, "p95_ms": 70.0, "p99_ms": 70.0} if saved_data
                                  else {"p50_ms": 10.0, "max_ms": 70.0})
