"""The ``ml_latency`` helper and the recording plumbing every helper uses."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import pytest

from pytest_mlchecklist.engine import scan
from pytest_mlchecklist.helpers.latency import LatencyResult, percentile_nearest_rank, time_calls
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
