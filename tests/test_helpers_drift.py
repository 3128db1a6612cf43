"""The ``ml_drift`` helper: PSI, KS and Jensen-Shannon against independent computations, and the evidence."""

from __future__ import annotations

import json
import math
import random
import sys
from pathlib import Path

import pytest

from pytest_mlchecklist.helpers import drift as drift_module
from pytest_mlchecklist.helpers.numeric import MissingExtraError, optional_numpy, require_numpy
from pytest_mlchecklist.helpers.drift import (
    compare_feature,
    compare_samples,
    js_distance,
    ks_statistic,
    numeric_counts,
    psi,
    quantile,
    quantile_edges,
)

TODAY = "--ml-checklist-today=2026-11-22"
RUNNER_MODES = [pytest.param([], id="no-xdist"), pytest.param(["-n", "2"], id="xdist-n2")]

DRIFT_TESTS = """
import random


def sample(seed, shift):
    rng = random.Random(seed)
    return {
        "amount": [rng.gauss(100.0 + shift, 15.0) for _ in range(1000)],
        "channel": [rng.choice(["web", "app", "app", "pos"]) for _ in range(1000)],
    }


def test_features_are_stable(ml_drift):
    report = ml_drift(sample(1, 0.0), sample(2, 0.0))
    assert report.passed


def test_scores_are_stable(ml_drift):
    rng = random.Random(3)
    ml_drift([rng.random() for _ in range(800)], [rng.random() for _ in range(800)], item="prediction-drift")
"""

DRIFTED_TESTS = """
import random


def test_amounts_moved(ml_drift):
    rng = random.Random(5)
    reference = {"amount": [rng.gauss(100.0, 15.0) for _ in range(1000)], "channel": ["web"] * 500 + ["app"] * 500}
    current = {"amount": [rng.gauss(130.0, 15.0) for _ in range(1000)], "channel": ["web"] * 480 + ["app"] * 520}
    ml_drift(reference, current)
"""


def item_entry(report: Path, slug: str) -> dict:
    data = json.loads(report.read_text(encoding="utf-8"))
    return next(entry for entry in data["items"] if entry["id"] == slug)


# ---------------------------------------------------------------------- the statistics, by hand
def hand_psi(reference: list[float], current: list[float], epsilon: float = 1e-4) -> float:
    """The textbook formula, written out independently of the helper."""
    total = 0.0
    for r, c in zip(reference, current):
        r, c = max(r, epsilon), max(c, epsilon)
        total += (c - r) * math.log(c / r)
    return total


def test_psi_of_a_known_example() -> None:
    # reference quartiles 25% each, current 10/20/30/40%:
    # -0.15*ln(0.4) - 0.05*ln(0.8) + 0.05*ln(1.2) + 0.15*ln(1.6) = 0.228217...
    expected = (-0.15 * math.log(0.4)) + (-0.05 * math.log(0.8)) + (0.05 * math.log(1.2)) + (0.15 * math.log(1.6))
    assert psi([0.25] * 4, [0.1, 0.2, 0.3, 0.4]) == pytest.approx(expected, abs=1e-12)
    assert psi([0.25] * 4, [0.1, 0.2, 0.3, 0.4]) == pytest.approx(0.228217, abs=1e-6)
    assert psi([25, 25, 25, 25], [10, 20, 30, 40]) == pytest.approx(expected, abs=1e-12)  # counts work too
    assert psi([0.3, 0.7], [0.3, 0.7]) == 0.0


def test_psi_of_a_categorical_shift_and_of_an_empty_bin() -> None:
    # 50/50 -> 80/20: 0.3*ln(1.6) + (-0.3)*ln(0.4) = 0.415888...
    assert psi([50, 50], [80, 20]) == pytest.approx(0.3 * math.log(1.6) - 0.3 * math.log(0.4), abs=1e-12)
    assert psi([50, 50], [80, 20]) == pytest.approx(0.415888, abs=1e-6)
    # a category only in the current sample: its reference share counts as 1e-4
    assert psi([1.0, 0.0], [0.9, 0.1]) == pytest.approx(hand_psi([1.0, 0.0], [0.9, 0.1]), abs=1e-12)
    assert psi([1.0, 0.0], [0.9, 0.1]) == pytest.approx(-0.1 * math.log(0.9) + (0.1 - 1e-4) * math.log(0.1 / 1e-4))


def test_js_distance_of_known_examples() -> None:
    # p=(1/2,1/2), q=(1,0), m=(3/4,1/4): JSD = (KL(p||m) + KL(q||m))/2 in bits = 0.311278..., distance = sqrt
    kl_pm = 0.5 * math.log2(0.5 / 0.75) + 0.5 * math.log2(0.5 / 0.25)
    kl_qm = 1.0 * math.log2(1.0 / 0.75)
    assert js_distance([0.5, 0.5], [1.0, 0.0]) == pytest.approx(math.sqrt((kl_pm + kl_qm) / 2), abs=1e-12)
    assert js_distance([0.5, 0.5], [1.0, 0.0]) == pytest.approx(0.557923, abs=1e-6)
    assert js_distance([1, 0, 0], [0, 0, 5]) == pytest.approx(1.0)  # disjoint
    assert js_distance([3, 1], [6, 2]) == 0.0  # same proportions
    assert js_distance([0.2, 0.8], [0.6, 0.4]) == pytest.approx(js_distance([0.6, 0.4], [0.2, 0.8]))  # symmetric


def brute_force_ks(reference: list[float], current: list[float]) -> float:
    """Independent definition: the largest gap of the empirical CDFs, checked at every value."""
    points = sorted(set(reference) | set(current))
    return max(abs(sum(v <= x for v in reference) / len(reference) - sum(v <= x for v in current) / len(current))
               for x in points)


def test_ks_of_known_samples() -> None:
    assert ks_statistic([1, 2, 3, 4, 5], [3, 4, 5, 6, 7]) == pytest.approx(0.4)  # F_ref(2)=0.4, F_cur(2)=0
    assert ks_statistic([1, 2, 3], [4, 5, 6]) == 1.0
    assert ks_statistic([1, 2, 3, 4], [1, 2, 3, 4]) == 0.0
    assert ks_statistic([1, 1, 2, 2], [1, 2, 2, 2]) == pytest.approx(0.25)  # ties: F(1) is 0.5 against 0.25


def test_ks_agrees_with_a_brute_force_computation() -> None:
    rng = random.Random(11)
    for size_ref, size_cur in ((1, 1), (5, 9), (40, 17), (200, 300)):
        reference = [round(rng.gauss(0, 1), 1) for _ in range(size_ref)]  # rounding makes ties
        current = [round(rng.gauss(0.3, 1.2), 1) for _ in range(size_cur)]
        assert ks_statistic(reference, current) == pytest.approx(brute_force_ks(reference, current))


def test_quantiles_and_reference_bins() -> None:
    assert quantile([1, 2, 3, 4], 0.5) == 2.5  # linear interpolation, as numpy.quantile by default
    assert quantile([1, 2, 3, 4], 0.25) == 1.75
    assert quantile([7], 0.9) == 7
    assert quantile_edges(range(1, 101), bins=4) == [25.75, 50.5, 75.25]
    assert quantile_edges([3.0] * 50, bins=10) == [3.0]  # ties collapse into one cut point
    # right-closed bins, open at both ends, then the missing bin
    assert numeric_counts([-5, 1, 2, 2.5, 3, 99, None, float("nan")], [2, 3]) == [3, 2, 1, 2]


def test_a_numeric_feature_with_known_bins_has_the_hand_computed_psi() -> None:
    reference = list(range(1, 101))  # quartile bins: <=25.75, <=50.5, <=75.25, above: 25 values each
    current = [10] * 10 + [40] * 20 + [60] * 30 + [90] * 40
    result = compare_feature("amount", reference, current, bins=4)
    assert result.kind == "numeric" and result.bins == 4
    assert result.psi == pytest.approx(hand_psi([0.25] * 4, [0.1, 0.2, 0.3, 0.4]), abs=1e-12)
    assert result.ks == pytest.approx(brute_force_ks(reference, current))
    assert result.js == pytest.approx(js_distance([0.25] * 4, [0.1, 0.2, 0.3, 0.4]))
    assert result.exceeded == ("psi", "ks", "js")


def test_missing_values_have_their_own_bin_and_are_left_out_of_ks() -> None:
    reference = [float(i) for i in range(100)]
    current = [float(i) for i in range(80)] + [None] * 20
    result = compare_feature("income", reference, current, bins=2)
    # bins (-inf, 49.5], (49.5, inf), missing: reference 50/50/0, current 50/30/20
    assert result.psi == pytest.approx(hand_psi([0.5, 0.5, 0.0], [0.5, 0.3, 0.2]), abs=1e-12)
    assert result.ks == pytest.approx(brute_force_ks(reference, [float(i) for i in range(80)]))
    nothing_left = compare_feature("income", reference, [None] * 10)
    assert nothing_left.ks is None and nothing_left.psi > 5 and nothing_left.exceeded == ("psi", "js")


def test_categories_are_detected_or_forced() -> None:
    result = compare_feature("country", ["NL"] * 50 + ["DE"] * 50, ["NL"] * 80 + ["DE"] * 20)
    assert result.kind == "categorical" and result.ks is None
    assert result.psi == pytest.approx(0.415888, abs=1e-6)
    assert compare_feature("flag", [True, False] * 5, [True] * 10).kind == "categorical"
    coded = compare_samples({"zip": [1, 2] * 50}, {"zip": [1] * 80 + [2] * 20}, categorical=["zip"])
    assert coded.features["zip"].kind == "categorical" and coded.features["zip"].psi == pytest.approx(0.415888, abs=1e-6)


def test_scipy_agrees_when_installed() -> None:
    stats = pytest.importorskip("scipy.stats")
    distance = pytest.importorskip("scipy.spatial.distance")
    rng = random.Random(3)
    reference = [rng.gauss(0, 1) for _ in range(300)]
    current = [rng.gauss(0.2, 1) for _ in range(250)]
    assert ks_statistic(reference, current) == pytest.approx(stats.ks_2samp(reference, current).statistic)
    assert js_distance([0.1, 0.6, 0.3], [0.3, 0.3, 0.4]) == pytest.approx(
        distance.jensenshannon([0.1, 0.6, 0.3], [0.3, 0.3, 0.4], base=2))


# ---------------------------------------------------------------------- the report
def test_the_report_names_drifted_features_with_their_numbers() -> None:
    reference = {"amount": list(range(1, 101)), "country": ["NL"] * 50 + ["DE"] * 50}
    current = {"amount": [10] * 10 + [40] * 20 + [60] * 30 + [90] * 40, "country": ["NL"] * 52 + ["DE"] * 48}
    report = compare_samples(reference, current, bins=4, ks=None)
    assert report.drifted == ("amount",) and not report.passed
    assert report.detail() == ("1 of 2 features drifted (PSI > 0.2, JS > 0.1): amount PSI 0.228 > 0.2, KS 0.290, "
                               "JS 0.201 > 0.1; 100 reference / 100 current values")
    assert report.table().splitlines()[0].startswith("  DRIFT amount PSI 0.228 > 0.2")
    assert "ok    country PSI 0.002 <= 0.2, KS n/a, JS 0.017 <= 0.1 (categorical, 2 bins)" in report.table()
    values = report.values()
    assert values["amount.psi"] == pytest.approx(0.228217, abs=1e-6) and values["drifted_features"] == 1
    assert "ks_threshold" not in values and "country.ks" not in values and values["psi_threshold"] == 0.2


def test_the_report_of_a_stable_sample() -> None:
    report = compare_samples([1.0, 2.0, 3.0, 4.0] * 25, [1.0, 2.0, 3.0, 4.0] * 30, item="prediction-drift")
    assert report.passed and list(report.features) == ["prediction"]
    assert report.detail() == ("no drift in 1 feature: PSI 0.000 <= 0.2, KS 0.000 <= 0.1, JS 0.000 <= 0.1; "
                               "100 reference / 120 current values")


def test_a_dataframe_like_table_is_read_by_columns() -> None:
    class Table:
        def __init__(self, data: dict[str, list[float]]) -> None:
            self.data, self.columns = data, list(data)

        def __getitem__(self, column: str) -> list[float]:
            return self.data[column]

    report = compare_samples(Table({"a": [1.0, 2.0] * 20, "b": [0.5] * 40}), Table({"a": [1.0, 2.0] * 20, "b": [0.5] * 40}))
    assert report.passed and list(report.features) == ["a", "b"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"item": "drift"}, ValueError, "item must be 'feature-drift' or 'prediction-drift'"),
        ({"psi": -0.1}, ValueError, "psi threshold must be a non-negative number"),
        ({"psi": None, "ks": None, "js": None}, ValueError, "every threshold is None"),
        ({"bins": 1}, ValueError, "bins must be an integer >= 2"),
        ({"categorical": ["zip"]}, ValueError, "categorical names unknown features: 'zip'"),
        ({"features": ["amount", "age"]}, ValueError, "features not in both samples: 'age'"),
    ],
)
def test_bad_arguments_are_explained(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        compare_samples({"amount": [1.0, 2.0]}, {"amount": [1.0, 2.0]}, **kwargs)


def test_bad_samples_are_explained() -> None:
    with pytest.raises(ValueError, match="only in reference: 'b'; only in current: 'c'"):
        compare_samples({"a": [1], "b": [1]}, {"a": [1], "c": [1]})
    with pytest.raises(ValueError, match="feature 'amount' has an empty current sample"):
        compare_samples({"amount": [1.0]}, {"amount": []})
    with pytest.raises(TypeError, match="values of 'amount' must be a sequence of values, got str"):
        compare_samples({"amount": "1, 2"}, {"amount": [1.0]})


# ---------------------------------------------------------------------- in a pytest run
@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_stable_samples_meet_both_items_with_their_values(pytester: pytest.Pytester, mode: list[str]) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: [feature-drift, prediction-drift]\n")
    pytester.makepyfile(test_drift=DRIFT_TESTS)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json",
                                           "-rA", *mode)
    result.assert_outcomes(passed=4)
    features = item_entry(pytester.path / "report.json", "feature-drift")
    assert features["status"] == "met"
    [measured] = [piece for piece in features["evidence"] if piece["kind"] == "measurement"]
    assert (measured["detector"], measured["verdict"]) == ("ml_drift", "supports")
    assert measured["nodeid"] == "test_drift.py::test_features_are_stable"
    assert measured["detail"].startswith("no drift in 2 features: largest PSI ")
    assert measured["values"]["features"] == 2 and measured["values"]["drifted_features"] == 0
    assert 0 <= measured["values"]["amount.psi"] <= 0.2 and "channel.js" in measured["values"]
    assert "channel.ks" not in measured["values"]
    predictions = item_entry(pytester.path / "report.json", "prediction-drift")
    assert predictions["status"] == "met" and "test_drift.py::test_scores_are_stable" in predictions["message"]
    [scored] = [piece for piece in predictions["evidence"] if piece["kind"] == "measurement"]
    assert set(scored["values"]) >= {"prediction.psi", "prediction.ks", "prediction.js", "max_ks"}


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_drift_fails_the_test_and_the_item_with_the_numbers(pytester: pytest.Pytester, mode: list[str]) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: [feature-drift]\n")
    pytester.makepyfile(test_drift=DRIFTED_TESTS)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json",
                                           "-rA", *mode)
    result.assert_outcomes(failed=2)  # the drifted test and feature-drift
    result.stdout.fnmatch_lines([
        "*ml_drift: 1 of 2 features drifted (PSI > 0.2, KS > 0.1, JS > 0.1): amount PSI * > 0.2, KS * > 0.1, "
        "JS * > 0.1; 1000 reference / 1000 current values*",
        "*DRIFT amount PSI *",
        "*ok    channel PSI * <= 0.2, KS n/a, JS * <= 0.1 (categorical, 2 bins)*",
        "*FAILED mlchecklist.yaml::feature-drift*",
    ])
    entry = item_entry(pytester.path / "report.json", "feature-drift")
    assert entry["status"] == "unmet"
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert measured["verdict"] == "contradicts" and measured["outcome"] == "failed"
    assert measured["values"]["amount.psi"] > 1 and measured["values"]["amount.ks"] > 0.5
    assert "amount PSI" in entry["message"] and "test_drift.py::test_amounts_moved" in entry["message"]


def test_without_the_checklist_the_fixture_still_fails_and_records_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_drift=DRIFT_TESTS + DRIFTED_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*ml_drift: 1 of 2 features drifted*amount PSI*"])
    result.stdout.no_fnmatch_line("*ml-checklist*")


def test_bad_arguments_raise_inside_a_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_bad(ml_drift):
            with pytest.raises(ValueError, match="item must be"):
                ml_drift([1.0], [1.0], item="data-drift")
            with pytest.raises(ValueError, match="different features"):
                ml_drift({"a": [1.0]}, {"b": [1.0]})
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_documented_example_runs_as_written(pytester: pytest.Pytester) -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "helpers" / "drift.md").read_text(encoding="utf-8")
    config = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    tests = page.split("```python\n", 1)[1].split("```", 1)[0]
    pytester.path.joinpath("mlchecklist.yaml").write_text(config)
    pytester.mkdir("tests")
    pytester.path.joinpath("tests", "test_drift.py").write_text(tests)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json", "-rA")
    result.assert_outcomes(passed=4)
    entry = item_entry(pytester.path / "report.json", "feature-drift")
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert entry["status"] == "met" and measured["detail"] in page  # the page shows the real numbers
    assert item_entry(pytester.path / "report.json", "prediction-drift")["status"] == "met"
    shifted = tests.replace("n=1000, amount_mean=4.0", "n=1000, amount_mean=4.6")
    pytester.path.joinpath("tests", "test_drift.py").write_text(shifted)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    failure = page.split("```text\nFailed: ", 1)[1].split("```", 1)[0].splitlines()
    result.stdout.fnmatch_lines([f"*{line.strip()}*" for line in failure])


# ---------------------------------------------------------------------- NumPy (the stats extra)
@pytest.fixture
def without_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import numpy`` fail, as on a machine without the stats extra."""
    monkeypatch.setitem(sys.modules, "numpy", None)


def messy_samples(seed: int) -> tuple[dict[str, list[object]], dict[str, list[object]]]:
    rng = random.Random(seed)
    reference = {"amount": [round(rng.lognormvariate(3, 1), 1) for _ in range(3000)] + [None, float("nan")] * 20,
                 "age": [rng.randint(18, 90) for _ in range(2000)]}
    current = {"amount": [round(rng.lognormvariate(3.2, 1.1), 1) for _ in range(2500)] + [None] * 90,
               "age": [rng.randint(18, 70) for _ in range(1500)]}
    return reference, current


def test_the_numpy_path_gives_the_pure_python_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("numpy")
    reference, current = messy_samples(11)
    with_numpy = compare_samples(reference, current, psi=None, ks=None, js=1.0, bins=12)
    monkeypatch.setattr(drift_module, "optional_numpy", lambda: None)
    pure = compare_samples(reference, current, psi=None, ks=None, js=1.0, bins=12)
    assert with_numpy.features == pure.features  # same bins, counts, PSI, KS and JS, to the last bit


def test_without_numpy_drift_still_works(without_numpy: None) -> None:
    assert optional_numpy() is None
    report = compare_samples([1.0, 2.0, 3.0] * 10, [1.0, 2.0, 3.0] * 12)
    assert report.passed and report.features["feature"].ks == 0


def test_a_feature_that_needs_numpy_says_how_to_install_it(without_numpy: None, tmp_path: Path) -> None:
    with pytest.raises(MissingExtraError, match=r"ml_drift: reading reference.npy needs NumPy, which is not installed: "
                                                r"pip install pytest-mlchecklist\[stats\]"):
        compare_samples(tmp_path / "reference.npy", [1.0])
    with pytest.raises(MissingExtraError, match=r"pip install pytest-mlchecklist\[stats\]"):
        require_numpy("anything")


def test_the_fixture_turns_a_missing_numpy_into_a_clear_failure(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_drift="""
        import sys

        def test_saved_sample(ml_drift, monkeypatch):
            monkeypatch.setitem(sys.modules, "numpy", None)
            ml_drift("reference.npy", [1.0, 2.0], psi=0.2, ks=0.1, js=0.1, bins=4)
        """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ml_drift: reading reference.npy needs NumPy, which is not installed: "
                                 "pip install pytest-mlchecklist?stats?*"])


def test_samples_saved_as_npy_and_npz_files(tmp_path: Path) -> None:
    numpy = pytest.importorskip("numpy")
    rng = numpy.random.default_rng(5)
    numpy.save(tmp_path / "scores.npy", rng.beta(2, 5, 800))
    numpy.savez(tmp_path / "features.npz", amount=rng.lognormal(3, 1, 800), age=rng.integers(18, 90, 800))
    numpy.save(tmp_path / "table.npy", rng.random((10, 2)))
    scores = compare_samples(tmp_path / "scores.npy", list(rng.beta(2, 5, 700)), item="prediction-drift")
    assert list(scores.features) == ["prediction"] and scores.passed
    features = compare_samples(tmp_path / "features.npz", tmp_path / "features.npz")
    assert list(features.features) == ["amount", "age"] and features.features["age"].psi == 0
    with pytest.raises(ValueError, match=r"array 'feature' has shape \(10, 2\); save one 1-D array per feature"):
        compare_samples(tmp_path / "table.npy", [1.0])
    with pytest.raises(ValueError, match="a sample file must be .npy or .npz"):
        compare_samples(tmp_path / "scores.csv", [1.0])


def test_ks_and_js_of_a_feature_match_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")
    distance = pytest.importorskip("scipy.spatial.distance")
    reference, current = messy_samples(5)
    feature = compare_samples(reference, current, features=["age"], bins=8).features["age"]
    assert feature.ks == pytest.approx(stats.ks_2samp(reference["age"], current["age"]).statistic, abs=1e-12)
    ref_counts, cur_counts = [3, 10, 0, 7], [5, 5, 5, 5]
    # the Jensen-Shannon *distance* (not squared), base 2, as scipy's jensenshannon(base=2)
    assert js_distance(ref_counts, cur_counts) == pytest.approx(distance.jensenshannon(ref_counts, cur_counts, base=2))
