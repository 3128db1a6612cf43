"""The ``ml_skew`` helper: value comparison, the report, and the evidence in a pytest run."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pytest_mlchecklist.helpers.skew import Tolerance, compare_paths, compare_values

TODAY = "--ml-checklist-today=2026-11-22"
RUNNER_MODES = [pytest.param([], id="no-xdist"), pytest.param(["-n", "2"], id="xdist-n2")]

RAW = [{"id": f"r{i}", "amount": 10.0 * i + 1.0, "country": "nl" if i % 3 else "NL", "hour": f"{i % 24:02d}"}
       for i in range(30)]


def training(record: dict) -> dict:
    return {"amount_log": math.log1p(record["amount"]), "country": record["country"].upper(),
            "hour": int(record["hour"])}


def serving_country_not_upper(record: dict) -> dict:
    return {**training(record), "country": record["country"]}


SKEW_TESTS = """
import math

RAW = [{"id": f"r{i}", "amount": 10.0 * i + 1.0, "hour": f"{i % 24:02d}"} for i in range(30)]


def training(record):
    return {"amount_log": math.log1p(record["amount"]), "hour": int(record["hour"])}


def serving(record):
    return {"amount_log": math.log(1.0 + record["amount"]), "hour": int(record["hour"]), "request_id": record["id"]}


def test_paths_agree(ml_skew):
    report = ml_skew(RAW, training, serving, ignore=["request_id"])
    assert report.passed
"""

SKEWED_TESTS = """
import math

RAW = [{"id": f"r{i}", "amount": 10.0 * i + 1.0, "hour": f"{i % 24:02d}"} for i in range(30)]


def training(record):
    return {"amount_log": math.log1p(record["amount"]), "hour": int(record["hour"])}


def serving_float32_and_string_hour(record):
    hour = record["hour"] if int(record["hour"]) >= 20 else int(record["hour"])
    return {"amount_log": round(math.log1p(record["amount"]), 4), "hour": hour}


def test_paths_disagree(ml_skew):
    ml_skew(RAW, training, serving_float32_and_string_hour, id_key="id", tolerances={"amount_log": 1e-3}, show=2)
"""


def item_entry(report: Path, slug: str) -> dict:
    data = json.loads(report.read_text(encoding="utf-8"))
    return next(entry for entry in data["items"] if entry["id"] == slug)


# ---------------------------------------------------------------------- comparing values
def test_numbers_agree_within_the_isclose_tolerance() -> None:
    default = Tolerance()
    assert compare_values(1.0, 1.0, default) == (None, 0.0)
    assert compare_values(3, 3.0, default) == (None, 0.0)  # int and float alike
    assert compare_values(0.1 + 0.2, 0.3, default)[0] is None  # rounding only
    reason, diff = compare_values(6.9088, 6.9078, default)
    assert reason == "|diff| 0.001 > 6.91e-09" and diff == pytest.approx(0.001)
    # |t - s| <= max(abs, rel * max(|t|, |s|)), exactly as math.isclose
    for left, right, tolerance in ((100.0, 100.5, Tolerance(0.0, 0.005)), (100.0, 100.6, Tolerance(0.0, 0.005)),
                                   (0.0, 1e-7, Tolerance(1e-6, 0.0)), (0.0, 1e-5, Tolerance(1e-6, 0.0))):
        agrees = compare_values(left, right, tolerance)[0] is None
        assert agrees == math.isclose(left, right, rel_tol=tolerance.rel, abs_tol=tolerance.abs)


def test_missing_types_and_sequences() -> None:
    default = Tolerance()
    assert compare_values(None, float("nan"), default) == (None, None)
    assert compare_values(None, 0.0, default)[0] == "missing in training only"
    assert compare_values(1, "1", default)[0] == "types differ: int and str"
    assert compare_values("NL", "nl", default)[0] == "not equal"
    assert compare_values(True, True, default)[0] is None
    assert compare_values([0.1, 0.2], (0.1, 0.2 + 1e-12), default)[0] is None
    assert compare_values([0.1, 0.2], [0.1, 0.25], default)[0].startswith("element 1: |diff| 0.05 >")
    assert compare_values([1, 2], [1, 2, 3], default)[0] == "lengths differ: 2 and 3"
    assert compare_values(float("inf"), float("inf"), default)[0] is None
    assert compare_values(float("inf"), 1e308, default)[0] is not None


# ---------------------------------------------------------------------- the report
def test_differences_show_the_first_records_and_features() -> None:
    report = compare_paths(RAW, training, serving_country_not_upper, id_key="id")
    assert not report.passed
    assert report.differing_records == tuple(i for i in range(30) if i % 3)
    assert report.differing_features() == {"country": 20}
    assert report.detail() == ("20 of 30 records differ between training and serving features (country in 20); "
                               "first: record 1 (id='r1') country: training 'NL' != serving 'nl' (not equal); "
                               "3 features compared")
    lines = report.failure(show=2).splitlines()
    assert lines[1:] == ["  record 1 (id='r1'):", "    country: training 'NL' != serving 'nl' (not equal)",
                         "  record 2 (id='r2'):", "    country: training 'NL' != serving 'nl' (not equal)",
                         "  ... and 18 more records"]
    assert report.values()["differing_records"] == 20 and report.values()["records"] == 30


def test_agreeing_paths_report_the_largest_difference() -> None:
    report = compare_paths(RAW, training, lambda r: {**training(r), "amount_log": math.log(1.0 + r["amount"])})
    assert report.passed and report.features == ("amount_log", "country", "hour")
    assert report.detail().startswith("30 records: training and serving features agree within tolerance")
    assert report.detail().endswith("; 3 features compared")
    expected = max(abs(math.log1p(r["amount"]) - math.log(1.0 + r["amount"])) for r in RAW)
    assert report.values()["amount_log.max_abs_diff"] == expected


def test_per_feature_tolerances_features_and_ignore() -> None:
    def rounded(record: dict) -> dict:
        return {**training(record), "amount_log": round(math.log1p(record["amount"]), 3), "request_id": 7}

    assert not compare_paths(RAW, training, rounded, ignore=["request_id"]).passed
    assert compare_paths(RAW, training, rounded, ignore=["request_id"], tolerances={"amount_log": 5e-4}).passed
    assert compare_paths(RAW, training, rounded, ignore=["request_id"], tolerances={"amount_log": {"rel": 1e-3}}).passed
    assert compare_paths(RAW, training, rounded, features=["country", "hour"]).passed
    extra = compare_paths(RAW, training, rounded, tolerances={"amount_log": 1e-3})
    assert extra.differing_features() == {"request_id": 30}
    assert extra.differences[0].describe() == "request_id: training <missing> != serving 7 (missing in the training features)"


def test_each_path_gets_its_own_copy_of_the_records() -> None:
    def destructive(record: dict) -> dict:
        features = training(record)
        record["amount"] = -1.0  # mutates its input
        return features

    assert compare_paths(RAW, destructive, training).passed
    assert RAW[1]["amount"] == 11.0


def test_batch_mode_rows_tables_and_row_counts() -> None:
    class Frame:
        """A DataFrame-like table: columns and to_dict("records")."""

        def __init__(self, rows: list[dict]) -> None:
            self.rows, self.columns = rows, list(rows[0])

        def to_dict(self, orient: str) -> list[dict]:
            assert orient == "records"
            return self.rows

    def batch_training(rows: list[dict]) -> list[dict]:
        return [training(row) for row in rows]

    assert compare_paths(RAW, batch_training, lambda rows: Frame(batch_training(rows)), batch=True).passed
    short = compare_paths(RAW, batch_training, lambda rows: batch_training(rows)[:-2], batch=True)
    assert not short.passed
    assert short.detail() == ("the training path returned 30 rows and the serving path 28 for 30 records; "
                              "3 features compared")
    as_vectors = compare_paths(RAW, lambda r: [1.0, r["amount"]], lambda r: (1.0, r["amount"]))
    assert as_vectors.passed and as_vectors.features == ("0", "1")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"training": "build_features"}, TypeError, "the training path must be a callable, got str"),
        ({"abs_tol": -1}, ValueError, "abs_tol must be a non-negative number"),
        ({"tolerances": {"amount_log": {"absolute": 1}}}, ValueError, "unknown keys \\['absolute'\\]; use 'abs' and 'rel'"),
        ({"features": ["amount"]}, ValueError, "features not produced by either path: 'amount'"),
        ({"records": []}, ValueError, "no records to compare"),
        ({"records": "a,b"}, TypeError, "records must be a sequence of raw records, got str"),
        ({"serving": lambda record: 42}, TypeError, "the serving path returned int for record 0"),
        ({"training": lambda records: [training(r) for r in records], "serving": lambda records: {"amount_log": 1.0},
          "batch": True}, TypeError,
         "with batch=True the serving path must return one row of features per record"),
    ],
)
def test_bad_arguments_are_explained(kwargs: dict, error: type, message: str) -> None:
    arguments = {"records": RAW, "training": training, "serving": training, **kwargs}
    records, train, serve = arguments.pop("records"), arguments.pop("training"), arguments.pop("serving")
    with pytest.raises(error, match=message):
        compare_paths(records, train, serve, **arguments)


# ---------------------------------------------------------------------- in a pytest run
@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_agreeing_paths_meet_the_item_with_their_values(pytester: pytest.Pytester, mode: list[str]) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: [training-serving-skew]\n")
    pytester.makepyfile(test_skew=SKEW_TESTS)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json",
                                           "-rA", *mode)
    result.assert_outcomes(passed=2)
    entry = item_entry(pytester.path / "report.json", "training-serving-skew")
    assert entry["status"] == "met"
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert (measured["detector"], measured["verdict"], measured["nodeid"]) == (
        "ml_skew", "supports", "test_skew.py::test_paths_agree")
    assert measured["values"]["records"] == 30 and measured["values"]["features"] == 2
    assert measured["values"]["differing_records"] == 0 and "amount_log.max_abs_diff" in measured["values"]
    assert "30 records: training and serving features agree within tolerance" in entry["message"]


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_skew_fails_the_test_and_the_item_with_the_records(pytester: pytest.Pytester, mode: list[str]) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: [training-serving-skew]\n")
    pytester.makepyfile(test_skew=SKEWED_TESTS)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json",
                                           "-rA", *mode)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "*ml_skew: 4 of 30 records differ between training and serving features (hour in 4); "
        "first: record 20 (id='r20') hour: training 20 != serving '20' (types differ: int and str); 2 features compared",
        "  record 20 (id='r20'):",
        "    hour: training 20 != serving '20' (types differ: int and str)",
        "  record 21 (id='r21'):",
        "*  ... and 2 more records",
        "*FAILED mlchecklist.yaml::training-serving-skew*",
    ])
    entry = item_entry(pytester.path / "report.json", "training-serving-skew")
    assert entry["status"] == "unmet"
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert measured["verdict"] == "contradicts" and measured["values"]["differing_records"] == 4
    assert 0 < measured["values"]["amount_log.max_abs_diff"] <= 5e-5  # rounding within its own tolerance
    assert "4 of 30 records differ" in entry["message"] and "test_skew.py::test_paths_disagree" in entry["message"]


def test_without_the_checklist_the_fixture_still_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_ok=SKEW_TESTS, test_bad=SKEWED_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*ml_skew: 4 of 30 records differ*"])
    result.stdout.no_fnmatch_line("*ml-checklist*")


def test_bad_arguments_raise_inside_a_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_bad(ml_skew):
            with pytest.raises(ValueError, match="show must be an integer >= 1"):
                ml_skew([{}], dict, dict, show=0)
            with pytest.raises(TypeError, match="serving path must be a callable"):
                ml_skew([{}], dict, None)
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_documented_example_runs_as_written(pytester: pytest.Pytester) -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "helpers" / "skew.md").read_text(encoding="utf-8")
    config = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    tests = page.split("```python\n", 1)[1].split("```", 1)[0]
    pytester.path.joinpath("mlchecklist.yaml").write_text(config)
    pytester.mkdir("tests")
    pytester.path.joinpath("tests", "test_skew.py").write_text(tests)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json", "-rA")
    result.assert_outcomes(passed=3)
    entry = item_entry(pytester.path / "report.json", "training-serving-skew")
    assert entry["status"] == "met"
    details = {piece["detail"] for piece in entry["evidence"] if piece["kind"] == "measurement"}
    assert len(details) == 1 and details.pop() in page
    broken = tests.replace('"country": request["country"].upper()', '"country": request["country"]')
    assert broken != tests
    pytester.path.joinpath("tests", "test_skew.py").write_text(broken)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    failure = page.split("```text\nFailed: ", 1)[1].split("```", 1)[0].splitlines()
    result.stdout.fnmatch_lines([f"*{line.strip()}*" for line in failure if line.strip() != "..."])
