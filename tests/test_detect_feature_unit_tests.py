"""Item 19 (feature-unit-tests): test functions that call the feature functions and assert on them."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from conftest import run_detector, verdicts

from pytest_mlchecklist.detectors.code_structure import feature_tests

ITEM = "feature-unit-tests"


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(content))
    return root


FEATURES = '''\
"""Features of the fraud model."""

from __future__ import annotations

import math
from datetime import datetime

HIGH_RISK_MCC = frozenset({"4829", "6051", "7995"})


def log_amount(amount: float) -> float:
    if amount < 0:
        raise ValueError("amount must be >= 0")
    return math.log1p(amount)


def is_night(event_time: datetime) -> float:
    return float(event_time.hour < 6)


def high_risk_mcc(mcc: str | None) -> float:
    return float(mcc in HIGH_RISK_MCC)


def account_age(days: int | None) -> float:
    return math.log1p(365 if days is None else days)


def build_features(txn: dict) -> dict[str, float]:
    return {
        "log_amount": log_amount(txn["amount"]),
        "is_night": is_night(txn["event_time"]),
        "high_risk_mcc": high_risk_mcc(txn.get("mcc")),
        "account_age": account_age(txn.get("account_age_days")),
    }


def _clip(value: float) -> float:
    return max(0.0, min(value, 1.0))
'''

FULL_TESTS = '''\
from datetime import datetime, timezone

import pytest

from fraud.features import account_age, build_features, high_risk_mcc, is_night, log_amount

NOON = datetime(2026, 9, 14, 12, tzinfo=timezone.utc)


def test_log_amount_is_log1p_and_refuses_negative_amounts():
    assert log_amount(0.0) == 0.0
    with pytest.raises(ValueError):
        log_amount(-1.0)


@pytest.mark.parametrize(("hour", "expected"), [(0, 1.0), (5, 1.0), (6, 0.0), (23, 0.0)])
def test_is_night_uses_hours_before_six(hour, expected):
    assert is_night(NOON.replace(hour=hour)) == expected


def test_high_risk_mcc_and_missing_code():
    assert high_risk_mcc("6051") == 1.0
    assert high_risk_mcc(None) == 0.0


def test_account_age_imputes_a_year_when_missing():
    result = account_age(None)
    assert result == pytest.approx(5.9026, abs=1e-3)


def test_build_features_returns_every_feature():
    features = build_features({"amount": 99.0, "event_time": NOON, "mcc": "5411", "account_age_days": 10})
    assert set(features) == {"log_amount", "is_night", "high_risk_mcc", "account_age"}
'''


def fraud_repo(root: Path, tests: dict[str, str]) -> Path:
    files = {"src/fraud/__init__.py": "", "src/fraud/features.py": FEATURES}
    files.update(tests)
    return write(root, files)


def test_every_feature_function_tested_supports_with_a_representative_test(tmp_path: Path) -> None:
    fraud_repo(tmp_path, {"tests/test_features.py": FULL_TESTS})
    evidence = run_detector(feature_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "tests cover 5 of 5 functions of `fraud.features`"
    assert evidence[0].nodeid == "tests/test_features.py::test_log_amount_is_log1p_and_refuses_negative_amounts"
    assert evidence[0].path == "tests/test_features.py"


def test_four_of_five_meets_the_80_percent_rule_and_names_the_untested_one(tmp_path: Path) -> None:
    tests = FULL_TESTS.split("def test_account_age")[0]
    tests += (
        "def test_build_features_keys():\n"
        "    assert 'is_night' in build_features({'amount': 1, 'event_time': NOON})\n"
    )
    fraud_repo(tmp_path, {"tests/test_features.py": tests})
    evidence = run_detector(feature_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "tests cover 4 of 5 functions of `fraud.features` (untested: `account_age`)"


def test_module_aliases_fixtures_and_class_based_tests_count(tmp_path: Path) -> None:
    conftest = '''\
        import pytest

        from fraud import features


        @pytest.fixture
        def night_features():
            at_two = __import__("datetime").datetime(2026, 1, 1, 2)
            return features.build_features({"amount": 5.0, "event_time": at_two})
        '''
    tests = '''\
        import unittest

        import fraud.features as F


        class FeatureTests(unittest.TestCase):
            def test_log_amount(self):
                self.assertAlmostEqual(F.log_amount(0.0), 0.0)

            def test_mcc(self):
                self.assertEqual(F.high_risk_mcc("4829"), 1.0)


        class TestAge:
            def test_account_age_of_zero_days(self):
                assert F.account_age(0) == 0.0


        def test_night_features_flag_the_night(night_features):
            assert night_features["is_night"] == 1.0


        def test_is_night_at_two(night_features):
            assert F.is_night(__import__("datetime").datetime(2026, 1, 1, 2)) == 1.0
        '''
    fraud_repo(tmp_path, {"tests/conftest.py": conftest, "tests/unit/test_features.py": tests})
    evidence = run_detector(feature_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "tests cover 5 of 5 functions of `fraud.features`"
    assert evidence[0].nodeid.startswith("tests/unit/test_features.py::")


def test_functions_passed_through_parametrize_count(tmp_path: Path) -> None:
    tests = '''\
        import math

        import pytest

        from fraud.features import account_age, high_risk_mcc, is_night, log_amount, build_features


        @pytest.mark.parametrize("feature", [log_amount, account_age])
        def test_numeric_features_are_finite(feature):
            assert math.isfinite(feature(3))


        def test_the_rest():
            assert high_risk_mcc("7995") == 1.0
            assert build_features({"amount": 1.0, "event_time": __import__("datetime").datetime(2026, 1, 1)})
        '''
    fraud_repo(tmp_path, {"tests/test_features.py": tests})
    evidence = run_detector(feature_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "tests cover 4 of 5 functions of `fraud.features` (untested: `is_night`)"


def test_too_few_tested_functions_is_partial_with_the_untested_names(tmp_path: Path) -> None:
    tests = "from fraud.features import log_amount\n\n\ndef test_log_amount():\n    assert log_amount(0.0) == 0.0\n"
    fraud_repo(tmp_path, {"tests/test_features.py": tests})
    evidence = run_detector(feature_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == (
        "tests cover 1 of 5 functions of `fraud.features` (untested: `account_age`, `build_features`, "
        "`high_risk_mcc`, `is_night`); at least 80% must be tested"
    )
    assert evidence[0].nodeid == "tests/test_features.py::test_log_amount"


def test_tests_that_only_import_or_call_without_asserting_do_not_count(tmp_path: Path) -> None:
    tests = '''\
        from fraud import features
        from fraud.features import account_age, build_features, high_risk_mcc, is_night, log_amount


        def test_feature_functions_exist():
            assert callable(log_amount) and callable(is_night) and callable(high_risk_mcc)
            assert hasattr(features, "account_age")


        def test_smoke():
            build_features({"amount": 1.0, "event_time": None})
            account_age(3)
        '''
    fraud_repo(tmp_path, {"tests/test_features.py": tests})
    evidence = run_detector(feature_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == "tests call the functions of `fraud.features` but assert nothing (`test_smoke`)"


def test_a_test_asserting_on_something_else_does_not_cover_the_call(tmp_path: Path) -> None:
    tests = '''\
        from fraud.features import build_features, log_amount


        def test_unrelated_assert():
            log_amount(5.0)
            build_features({"amount": 1.0, "event_time": None})
            assert 1 + 1 == 2
        '''
    fraud_repo(tmp_path, {"tests/test_features.py": tests})
    evidence = run_detector(feature_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "assert nothing" in evidence[0].detail


def test_no_tests_at_all_is_partial(tmp_path: Path) -> None:
    fraud_repo(tmp_path, {})
    evidence = run_detector(feature_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == "no test calls the 5 feature functions of `fraud.features`"
    assert evidence[0].path == "src/fraud/features.py"


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, {
        "src/app/main.py": "def main():\n    return 0\n",
        "tests/test_main.py": "def test_main():\n    assert True\n",
    })
    assert run_detector(feature_tests, tmp_path) == []


def test_an_untested_second_feature_module_keeps_the_item_partial(tmp_path: Path) -> None:
    text = '''\
        def lowercase(text):
            return text.lower()


        def strip_urls(text):
            return text


        def token_count(text):
            return len(text.split())


        def emoji_ratio(text):
            return 0.0


        def transform_text(text):
            return strip_urls(lowercase(text))
        '''
    fraud_repo(tmp_path, {"tests/test_features.py": FULL_TESTS, "src/fraud/text_preprocessing.py": text})
    evidence = run_detector(feature_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    assert evidence[0].detail == (
        "tests cover 5 of 5 functions of `fraud.features`, but only 5 of 10 feature functions across 2 feature "
        "modules are tested (at least 80%)"
    )
    assert evidence[1].detail == "no test calls the 5 feature functions of `fraud.text_preprocessing`"


def test_transformer_classes_are_units(tmp_path: Path) -> None:
    transformers = '''\
        from sklearn.base import BaseEstimator, TransformerMixin


        class AmountScaler(BaseEstimator, TransformerMixin):
            def fit(self, X, y=None):
                self.max_ = X.max()
                return self

            def transform(self, X):
                return X / self.max_


        class Settings:
            threshold = 0.5
        '''
    tests = '''\
        import numpy as np

        from fraud.transformers import AmountScaler


        def test_amount_scaler_divides_by_the_training_max():
            scaled = AmountScaler().fit(np.array([1.0, 4.0])).transform(np.array([2.0]))
            np.testing.assert_allclose(scaled, [0.5])
        '''
    write(tmp_path, {
        "src/fraud/__init__.py": "",
        "src/fraud/transformers.py": transformers,
        "tests/test_scaler.py": tests,
    })
    evidence = run_detector(feature_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "tests cover 1 of 1 function of `fraud.transformers`"


def test_a_test_module_that_does_not_parse_is_unreadable(tmp_path: Path) -> None:
    broken = "from fraud.features import log_amount\n\ndef test_log_amount(:\n    assert log_amount(0) == 0\n"
    fraud_repo(tmp_path, {"tests/test_features.py": FULL_TESTS, "tests/test_broken.py": broken})
    evidence = run_detector(feature_tests, tmp_path)
    assert sorted(verdicts(evidence, ITEM)) == ["supports", "unreadable"]
    assert any(found.verdict == "unreadable" and found.path == "tests/test_broken.py" for found in evidence)
