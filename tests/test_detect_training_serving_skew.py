"""Item 12 (training-serving-skew): a test runs the same records through both paths and compares."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import run_detector, verdicts

from pytest_mlchecklist.detectors.test_behaviour import skew_test

ITEM = "training-serving-skew"

SERVICE = {
    "pyproject.toml": '[project]\nname = "churn"\nversion = "1.0"\n',
    "src/churn/__init__.py": "",
    "src/churn/features.py": '''
        """Feature code shared by the batch job and the API."""
        import numpy as np
        import pandas as pd

        def featurize_frame(frame: pd.DataFrame) -> pd.DataFrame:
            out = pd.DataFrame(index=frame.index)
            out["tenure_years"] = frame["tenure_days"] / 365.0
            out["log_spend"] = np.log1p(frame["monthly_spend"])
            return out

        def build_training_set(events: pd.DataFrame) -> pd.DataFrame:
            return featurize_frame(events.dropna(subset=["churned"]))
    ''',
    "src/churn/predictor.py": '''
        import math

        class Predictor:
            def __init__(self, model):
                self.model = model

            def features(self, record: dict) -> dict:
                return {
                    "tenure_years": record["tenure_days"] / 365.0,
                    "log_spend": math.log1p(record["monthly_spend"]),
                }

            def predict(self, record: dict) -> float:
                return self.model.predict_proba([list(self.features(record).values())])[0][1]
    ''',
    "src/churn/service.py": '''
        from fastapi import FastAPI
        from pydantic import BaseModel

        from churn.predictor import Predictor

        app = FastAPI()
        predictor = Predictor(model=None)

        class Customer(BaseModel):
            tenure_days: int
            monthly_spend: float

        @app.post("/features")
        def online_features(customer: Customer) -> dict:
            return predictor.features(customer.model_dump())
    ''',
}

CONFTEST = '''
    import pandas as pd
    import pytest

    from churn.predictor import Predictor

    RAW = [
        {"customer_id": "c1", "tenure_days": 400, "monthly_spend": 59.0, "churned": 0},
        {"customer_id": "c2", "tenure_days": 12, "monthly_spend": 12.5, "churned": 1},
    ]

    @pytest.fixture
    def raw_events() -> list[dict]:
        return [dict(row) for row in RAW]

    @pytest.fixture
    def predictor() -> Predictor:
        return Predictor(model=None)
'''


def repo(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def test_frame_comparison_of_the_batch_and_online_features_supports(tmp_path: Path) -> None:
    repo(tmp_path, {**SERVICE, "tests/conftest.py": CONFTEST, "tests/test_skew.py": '''
        import pandas as pd
        from pandas.testing import assert_frame_equal

        from churn.features import featurize_frame


        def test_online_features_equal_offline_features(raw_events, predictor):
            offline = featurize_frame(pd.DataFrame(raw_events))
            online = pd.DataFrame([predictor.features(event) for event in raw_events])
            assert_frame_equal(offline.reset_index(drop=True), online, check_exact=False, rtol=1e-9)
    '''})
    evidence = run_detector(skew_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    (found,) = evidence
    assert found.nodeid == "tests/test_skew.py::test_online_features_equal_offline_features"
    assert found.path == "tests/test_skew.py" and found.line == 7
    assert "`featurize_frame` (training path)" in found.detail
    assert "`predictor.features` (serving path)" in found.detail


def test_test_client_response_against_the_training_set_supports(tmp_path: Path) -> None:
    repo(tmp_path, {**SERVICE, "tests/conftest.py": CONFTEST, "tests/api/test_parity.py": '''
        import pandas as pd
        import pytest
        from fastapi.testclient import TestClient

        from churn.features import build_training_set
        from churn.service import app

        client = TestClient(app)


        @pytest.mark.parametrize("position", [0, 1])
        def test_api_serves_the_features_the_model_was_trained_on(raw_events, position):
            training = build_training_set(pd.DataFrame(raw_events)).reset_index(drop=True)
            event = raw_events[position]
            response = client.post("/features", json={k: event[k] for k in ("tenure_days", "monthly_spend")})
            assert response.status_code == 200
            assert response.json() == pytest.approx(training.iloc[position].to_dict())
    '''})
    evidence = run_detector(skew_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`build_training_set` (training path)" in evidence[0].detail
    assert "`POST /features` (serving path)" in evidence[0].detail
    assert evidence[0].nodeid == "tests/api/test_parity.py::test_api_serves_the_features_the_model_was_trained_on"


def test_fixtures_for_each_path_compared_with_numpy_in_a_unittest_class_support(tmp_path: Path) -> None:
    repo(tmp_path, {**SERVICE, "tests/conftest.py": CONFTEST + '''

    @pytest.fixture
    def batch_features(raw_events):
        from churn.features import featurize_frame
        return featurize_frame(pd.DataFrame(raw_events)).to_numpy()
    ''', "tests/test_consistency.py": '''
        import numpy as np

        from churn.predictor import Predictor


        class TestFeatureConsistency:
            def test_serving_matches_batch(self, batch_features, raw_events):
                serving = Predictor(model=None)
                online = np.array([list(serving.features(event).values()) for event in raw_events])
                assert np.allclose(batch_features, online, atol=1e-9)
    '''})
    evidence = run_detector(skew_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].nodeid == "tests/test_consistency.py::TestFeatureConsistency::test_serving_matches_batch"
    assert "`featurize_frame` (training path)" in evidence[0].detail


def test_a_skew_test_whose_function_names_carry_no_path_words_supports_when_fed_the_same_records(tmp_path: Path) -> None:
    repo(tmp_path, {
        "ranker/__init__.py": "",
        "ranker/prep.py": "def make_rows(frame):\n    return frame\n\ndef make_row(record):\n    return record\n",
        "tests/test_ranker.py": '''
            import pandas as pd

            from ranker.prep import make_row, make_rows

            SAMPLE = [{"query": "red shoes", "clicks": 3}]


            def test_no_training_serving_skew():
                """The nightly job and the request handler build the same row."""
                rows = make_rows(pd.DataFrame(SAMPLE)).to_dict("records")
                assert rows == [make_row(record) for record in SAMPLE]


            def test_no_skew_in_metadata():
                assert make_rows(None) == make_row(None)
        ''',
    })
    evidence = run_detector(skew_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].nodeid == "tests/test_ranker.py::test_no_training_serving_skew"
    assert "named for training/serving skew" in evidence[0].detail


def test_partial_when_a_skew_test_compares_features_of_only_one_path(tmp_path: Path) -> None:
    repo(tmp_path, {**SERVICE, "tests/conftest.py": CONFTEST, "tests/test_skew.py": '''
        import pandas as pd

        from churn.features import featurize_frame


        def test_training_serving_skew(raw_events):
            offline = featurize_frame(pd.DataFrame(raw_events))
            assert offline["tenure_years"].round(3).tolist() == [1.096, 0.033]
    '''})
    evidence = run_detector(skew_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "test compares features of only one path" in evidence[0].detail
    assert "nothing on the serving path" in evidence[0].detail
    assert evidence[0].nodeid == "tests/test_skew.py::test_training_serving_skew"


def test_partial_when_only_shapes_are_compared_or_the_comparison_is_not_asserted(tmp_path: Path) -> None:
    repo(tmp_path, {**SERVICE, "tests/conftest.py": CONFTEST, "tests/test_skew.py": '''
        import pandas as pd

        from churn.features import featurize_frame


        def test_same_columns_offline_and_online(raw_events, predictor):
            offline = featurize_frame(pd.DataFrame(raw_events))
            online = predictor.features(raw_events[0])
            assert list(offline.columns) == list(online.keys())


        def test_offline_online_difference_is_printed(raw_events, predictor):
            offline = featurize_frame(pd.DataFrame(raw_events))
            online = pd.DataFrame([predictor.features(event) for event in raw_events])
            difference = (offline - online).abs().max().max()
            print(f"max difference {difference}")
            assert offline is not None


        def test_training_and_serving_paths_run(raw_events, predictor):
            offline = featurize_frame(pd.DataFrame(raw_events))
            online = predictor.features(raw_events[0])
            assert offline is not None and online
    '''})
    evidence = run_detector(skew_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial", "partial"]
    shape, unasserted, uncompared = (found.detail for found in evidence)
    assert "compares only the shape or columns" in shape
    assert "does not assert the result" in unasserted
    assert "never compares their results" in uncompared


def test_partial_when_only_weak_names_say_which_path_is_which(tmp_path: Path) -> None:
    repo(tmp_path, {**SERVICE, "tests/conftest.py": CONFTEST, "tests/test_features.py": '''
        import pandas as pd
        import pytest

        from churn.features import featurize_frame


        def test_features_agree(raw_events, predictor):
            frame = featurize_frame(pd.DataFrame(raw_events))
            assert frame.iloc[0].to_dict() == pytest.approx(predictor.features(raw_events[0]))
    '''})
    evidence = run_detector(skew_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "neither the code nor the test says they are the training and serving paths" in evidence[0].detail


def test_nothing_without_tests(tmp_path: Path) -> None:
    repo(tmp_path, SERVICE)
    assert run_detector(skew_test, tmp_path) == []


def test_look_alikes_are_not_evidence(tmp_path: Path) -> None:
    repo(tmp_path, {**SERVICE, "tests/conftest.py": CONFTEST, "tests/test_features.py": '''
        import math

        import pandas as pd
        import pytest

        from churn.features import featurize_frame


        def test_tenure_is_in_years(raw_events):
            offline = featurize_frame(pd.DataFrame(raw_events))
            assert offline["tenure_years"].iloc[0] == pytest.approx(400 / 365)


        def test_served_features_match_the_documented_values(predictor):
            online = predictor.features({"tenure_days": 365, "monthly_spend": 0.0})
            assert online == {"tenure_years": 1.0, "log_spend": 0.0}
    ''', "tests/test_own_copy.py": '''
        import pandas as pd


        def batch_features(frame):
            return frame.assign(tenure_years=frame["tenure_days"] / 365)


        def online_features(record):
            return {"tenure_years": record["tenure_days"] / 365}


        def test_training_serving_skew_of_a_copy():
            frame = pd.DataFrame([{"tenure_days": 365}])
            assert batch_features(frame)["tenure_years"].tolist() == [online_features({"tenure_days": 365})["tenure_years"]]
    ''', "tests/test_skipped.py": '''
        import pandas as pd
        import pytest

        from churn.features import featurize_frame


        @pytest.mark.skip(reason="the online store is down in CI")
        def test_online_matches_offline(raw_events, predictor):
            assert featurize_frame(pd.DataFrame(raw_events)).iloc[0].to_dict() == predictor.features(raw_events[0])
    ''', "vendor/other/tests/test_skew.py": '''
        from churn.features import featurize_frame
        from churn.predictor import Predictor


        def test_online_matches_offline(raw):
            assert featurize_frame(raw) == Predictor(None).features(raw)
    '''})
    assert run_detector(skew_test, tmp_path) == []


def test_a_test_module_that_does_not_parse_is_unreadable(tmp_path: Path) -> None:
    repo(tmp_path, {**SERVICE, "tests/test_skew.py": '''
        from churn.features import featurize_frame

        def test_online_matches_offline(raw, predictor:
            assert featurize_frame(raw) == predictor.features(raw)
    '''})
    evidence = run_detector(skew_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "tests/test_skew.py"
    assert "could not be parsed as Python" in evidence[0].detail
