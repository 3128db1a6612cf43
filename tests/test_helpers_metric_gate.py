"""The ``ml_metric_gate`` helper (item 21, performance-regression-gate)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_mlchecklist.helpers.metric_gate import MetricCheck, MetricGate, flatten_metrics, read_metrics_file
from pytest_mlchecklist.recording import Recordings

TODAY = "--ml-checklist-today=2026-11-22"
RUNNER_MODES = [pytest.param([], id="no-xdist"), pytest.param(["-n", "2"], id="xdist-n2")]

METRICS_YAML = """\
evaluated_on: holdout-2026-10
test:
  auc: 0.912
  log_loss: 0.301
  n_rows: 48210
"""

GATE_TESTS = """
def test_quality_gate(ml_metric_gate):
    ml_metric_gate("reports/metrics.yaml", thresholds={"test.auc": 0.85, "test.log_loss": 0.4},
                   direction={"test.auc": "higher", "test.log_loss": "lower"})
"""

REGRESSED_TESTS = """
def test_no_regression(ml_metric_gate):
    ml_metric_gate("reports/metrics.yaml", baseline="reports/baseline.json", only=["test.auc", "test.log_loss"],
                   direction={"test.auc": "higher", "test.log_loss": "lower"}, tolerance=0.005)
"""


def write_project(pytester: pytest.Pytester, tests: str, baseline: dict | None = None) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: [performance-regression-gate]\n")
    pytester.mkdir("reports")
    pytester.path.joinpath("reports", "metrics.yaml").write_text(METRICS_YAML)
    if baseline is not None:
        pytester.path.joinpath("reports", "baseline.json").write_text(json.dumps(baseline))
    pytester.makepyfile(test_quality=tests)


def item_entry(report: Path, slug: str) -> dict:
    data = json.loads(report.read_text(encoding="utf-8"))
    return next(entry for entry in data["items"] if entry["id"] == slug)


def gate(tmp_path: Path, sink: list | None = None) -> MetricGate:
    return MetricGate(Recordings(sink).recorder("ml_metric_gate"), tmp_path)


# ---------------------------------------------------------------------- the comparison
@pytest.mark.parametrize(("value", "bound", "direction", "slack", "worse_by", "passed"), [
    (0.90, 0.85, "higher", 0.0, 0.0, True),
    (0.85, 0.85, "higher", 0.0, 0.0, True),  # at the threshold passes
    (0.80, 0.85, "higher", 0.0, 0.05, False),
    (0.845, 0.85, "higher", 0.01, 0.005, True),  # within the tolerance
    (0.84, 0.85, "higher", 0.01, 0.01, True),  # exactly at the edge, although 0.85 - 0.84 > 0.01 in binary
    (0.8399, 0.85, "higher", 0.01, 0.0101, False),
    (0.30, 0.40, "lower", 0.0, 0.0, True),
    (0.45, 0.40, "lower", 0.0, 0.05, False),
    (0.45, 0.40, "lower", 0.05, 0.05, True),
])
def test_a_check_against_an_independent_computation(value: float, bound: float, direction: str, slack: float,
                                                    worse_by: float, passed: bool) -> None:
    check = MetricCheck("m", value, bound, "threshold", direction, slack)
    assert check.worse_by == pytest.approx(worse_by)
    assert check.passed is passed
    # the same rule written the other way: higher is better means value >= bound - slack
    expected = value >= bound - slack - 1e-9 if direction == "higher" else value <= bound + slack + 1e-9
    assert check.passed is expected


def test_descriptions_give_the_numbers() -> None:
    assert MetricCheck("auc", 0.812, 0.85, "threshold", "higher", 0.0).describe() == (
        "auc 0.812 < 0.85 threshold by 0.038 (4.47%)")
    assert MetricCheck("auc", 0.812, 0.85, "baseline", "higher", 0.01).describe() == (
        "auc 0.812 < 0.85 baseline by 0.038 (4.47%), tolerance 0.01")
    assert MetricCheck("auc", 0.845, 0.85, "baseline", "higher", 0.01).describe() == (
        "auc 0.845 < 0.85 baseline, within tolerance 0.01")
    assert MetricCheck("rmse", 12.5, 13.0, "threshold", "lower", 0.0).describe() == "rmse 12.5 <= 13 threshold"
    assert MetricCheck("bias", 0.2, 0.0, "threshold", "lower", 0.0).describe() == "bias 0.2 > 0 threshold by 0.2"


def test_flatten_keeps_finite_numbers_with_dotted_names() -> None:
    data = {"test": {"auc": 0.9, "slices": {"NL": {"auc": 0.88}}, "note": "ok", "nan": float("nan")},
            "passed": True, "epochs": 12, "curve": [0.1, 0.2], "owner": None}
    assert flatten_metrics(data) == {"test.auc": 0.9, "test.slices.NL.auc": 0.88, "epochs": 12.0}


def test_thresholds_and_a_baseline_together_with_tolerances(tmp_path: Path) -> None:
    sink: list = []
    result = gate(tmp_path, sink)(
        {"auc": 0.846, "log_loss": 0.41, "rows": 100},
        thresholds={"auc": 0.80},
        baseline={"auc": 0.85, "log_loss": 0.40},
        direction={"auc": "higher", "log_loss": "lower"},
        tolerance={"auc": 0.005},
        rel_tolerance=0.05,  # 5% of 0.40 = 0.02 for log_loss; 5% of 0.85 = 0.0425 for auc
    )
    assert result.passed and [check.slack for check in result.checks] == pytest.approx([0.04, 0.0425, 0.02])
    assert result.values() == {"auc": 0.846, "auc_threshold": 0.80, "auc_baseline": 0.85,
                               "log_loss": 0.41, "log_loss_baseline": 0.40}
    assert sink[0]["item"] == "performance-regression-gate" and sink[0]["passed"] is True
    assert sink[0]["detail"].endswith("; 2 metrics, none regressed (metrics given as a dict)")


def test_a_regression_fails_naming_each_metric(tmp_path: Path) -> None:
    sink: list = []
    with pytest.raises(pytest.fail.Exception) as failure:
        gate(tmp_path, sink)({"auc": 0.812, "recall": 0.7, "rmse": 14.0}, thresholds={"auc": 0.85, "recall": 0.6,
                             "rmse": 13.0}, direction={"auc": "higher", "recall": "higher", "rmse": "lower"})
    assert str(failure.value) == (
        "ml_metric_gate: auc 0.812 < 0.85 threshold by 0.038 (4.47%), rmse 14 > 13 threshold by 1 (7.69%), "
        "recall 0.7 >= 0.6 threshold; 2 of 3 metrics regressed (metrics given as a dict)")
    assert sink[0]["passed"] is False and sink[0]["values"]["rmse"] == 14.0


def test_files_are_read_as_json_or_yaml(tmp_path: Path) -> None:
    (tmp_path / "m.yml").write_text("test:\n  auc: 0.9\n")
    (tmp_path / "m.json").write_text('{"test": {"auc": 0.9}}')
    assert read_metrics_file(tmp_path / "m.yml") == read_metrics_file(tmp_path / "m.json") == {"test": {"auc": 0.9}}
    result = gate(tmp_path)("m.json", baseline="m.yml")  # relative to the rootdir
    assert result.passed and result.detail() == "test.auc 0.9 >= 0.9 baseline; 1 metric, none regressed (m.json)"


@pytest.mark.parametrize(("content", "name", "words"), [
    (None, "missing.json", "missing.json does not exist"),
    ("{not json", "m.json", "m.json is not valid JSON"),
    ("a: [unclosed", "m.yaml", "m.yaml is not valid YAML"),
    ("[0.9, 0.8]", "m.json", "must hold a mapping of metric names to numbers, got list"),
    ("auc,0.9", "m.csv", "must be .json, .yaml or .yml"),
])
def test_unreadable_metrics_files_are_explained(tmp_path: Path, content: str | None, name: str, words: str) -> None:
    if content is not None:
        (tmp_path / name).write_text(content)
    with pytest.raises(ValueError, match=words.replace("[", "\\[").replace(".", "\\.")):
        gate(tmp_path)(name, thresholds={"auc": 0.8})


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({}, ValueError, "give thresholds="),
    ({"thresholds": {}}, ValueError, "thresholds must be a mapping"),
    ({"thresholds": {"auc": "0.8"}}, ValueError, "threshold auc must be a finite number"),
    ({"thresholds": {"auc": 0.8}, "direction": "up"}, ValueError, "direction must be 'higher' or 'lower'"),
    ({"thresholds": {"auc": 0.8}, "direction": {"loss": "lower"}}, ValueError, "no direction for 'auc'"),
    ({"thresholds": {"auc": 0.8}, "tolerance": -0.1}, ValueError, "tolerance must be a number >= 0"),
    ({"thresholds": {"auc": 0.8}, "rel_tolerance": 2}, ValueError, "rel_tolerance must be a fraction"),
    ({"thresholds": {"auc": 0.8}, "only": ["auc"]}, ValueError, "only= selects metrics of the baseline"),
    ({"baseline": {"auc": 0.8}, "only": ["recall"]}, ValueError, "only names recall"),
    ({"baseline": {"auc": 0.8}, "only": "auc"}, TypeError, "only must be a list"),
    ({"baseline": {"note": "v2"}}, ValueError, "the baseline has no numeric metrics"),
    ({"baseline": 0.8}, TypeError, "baseline must be a dict or the path"),
])
def test_bad_arguments_raise_clear_errors(tmp_path: Path, kwargs: dict, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        gate(tmp_path)({"auc": 0.9}, **kwargs)


def test_a_missing_metric_fails_with_the_names_found(tmp_path: Path) -> None:
    sink: list = []
    with pytest.raises(pytest.fail.Exception, match="metric recall missing from metrics given as a dict "
                                                   "\\(numeric metrics there: auc\\)"):
        gate(tmp_path, sink)({"auc": 0.9}, thresholds={"auc": 0.8, "recall": 0.5})
    assert sink == []


# ---------------------------------------------------------------------- in a pytest run
@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_a_passing_gate_meets_the_item_with_its_values(pytester: pytest.Pytester, mode: list[str]) -> None:
    write_project(pytester, GATE_TESTS)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json",
                                           "-rA", *mode)
    result.stdout.fnmatch_lines(["*PASSED mlchecklist.yaml::performance-regression-gate*"])
    entry = item_entry(pytester.path / "report.json", "performance-regression-gate")
    assert entry["status"] == "met"
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert measured["detector"] == "ml_metric_gate" and measured["verdict"] == "supports"
    assert measured["nodeid"] == "test_quality.py::test_quality_gate"
    assert measured["values"] == {"test.auc": 0.912, "test.auc_threshold": 0.85,
                                  "test.log_loss": 0.301, "test.log_loss_threshold": 0.4}
    assert measured["detail"] == ("test.auc 0.912 >= 0.85 threshold, test.log_loss 0.301 <= 0.4 threshold; "
                                  "2 metrics, none regressed (reports/metrics.yaml)")


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_a_regression_fails_the_test_and_the_item_with_the_numbers(pytester: pytest.Pytester, mode: list[str]) -> None:
    write_project(pytester, REGRESSED_TESTS, baseline={"test": {"auc": 0.93, "log_loss": 0.29, "n_rows": 50000}})
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json",
                                           "-rA", *mode)
    result.assert_outcomes(failed=2)  # the test and performance-regression-gate
    result.stdout.fnmatch_lines([
        "*ml_metric_gate: test.auc 0.912 < 0.93 baseline by 0.018 (1.94%), tolerance 0.005, "
        "test.log_loss 0.301 > 0.29 baseline by 0.011 (3.79%), tolerance 0.005; 2 of 2 metrics regressed "
        "(reports/metrics.yaml)*",
        "*FAILED mlchecklist.yaml::performance-regression-gate*",
    ])
    entry = item_entry(pytester.path / "report.json", "performance-regression-gate")
    assert entry["status"] == "unmet"
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert measured["verdict"] == "contradicts" and measured["values"]["test.auc_baseline"] == 0.93
    assert "test.auc 0.912 < 0.93 baseline by 0.018" in entry["message"]
    assert "test_quality.py::test_no_regression" in entry["message"]


def test_without_the_checklist_the_fixture_still_gates(pytester: pytest.Pytester) -> None:
    write_project(pytester, GATE_TESTS + REGRESSED_TESTS, baseline={"test": {"auc": 0.93, "log_loss": 0.29}})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*ml_metric_gate: test.auc 0.912 < 0.93 baseline by 0.018*"])
    result.stdout.no_fnmatch_line("*ml-checklist*")


def test_the_documented_example_runs_as_written(pytester: pytest.Pytester) -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "helpers" / "metric-gate.md").read_text(encoding="utf-8")
    config = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    tests = page.split("```python\n", 1)[1].split("```", 1)[0]
    shown = json.loads(page.split("```json\n", 1)[1].split("```", 1)[0])
    pytester.path.joinpath("mlchecklist.yaml").write_text(config)
    pytester.mkdir("tests")
    pytester.path.joinpath("tests", "test_model_quality.py").write_text(tests)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json", "-rA")
    result.assert_outcomes(passed=3)
    entry = item_entry(pytester.path / "report.json", "performance-regression-gate")
    assert entry["status"] == "met"
    measured = {piece["nodeid"]: piece for piece in entry["evidence"] if piece["kind"] == "measurement"}
    assert set(measured) == {"tests/test_model_quality.py::test_quality_meets_the_agreed_floors",
                             "tests/test_model_quality.py::test_no_regression_against_the_production_model"}
    first = measured[shown["nodeid"]]
    assert first["detail"] == shown["detail"]  # the page shows what the run records
    assert first["values"] == pytest.approx(shown["values"])
