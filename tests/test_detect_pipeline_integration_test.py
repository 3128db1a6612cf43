"""Item 20 (pipeline-integration-test): a test from raw input to prediction through the real serving path."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from conftest import run_detector, verdicts

from pytest_mlchecklist.detectors.code_structure import integration_test

ITEM = "pipeline-integration-test"


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(content))
    return root


FEATURES = '''\
import pandas as pd


def encode_plan(plan: pd.Series) -> pd.Series:
    return plan.map({"basic": 0, "plus": 1, "premium": 2}).fillna(-1)


def build_features(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"plan": encode_plan(frame["plan"]), "tenure": frame["tenure_months"].clip(0, 120)})
'''

PREDICTOR = '''\
import joblib
import pandas as pd

from churn.features import build_features


class ChurnPredictor:
    """The serving path: raw customer record in, churn probability out."""

    def __init__(self, model):
        self.model = model

    @classmethod
    def from_artifact(cls, path):
        return cls(joblib.load(path))

    def predict(self, record: dict) -> float:
        features = build_features(pd.DataFrame([record]))
        return float(self.model.predict_proba(features)[0, 1])
'''

APP = '''\
import os

from fastapi import FastAPI

from churn.serving.predictor import ChurnPredictor

app = FastAPI()
model = ChurnPredictor.from_artifact(os.environ.get("MODEL_PATH", "artifacts/churn.joblib"))


@app.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@app.post("/v1/predict")
def predict(record: dict) -> dict:
    return {"churn_probability": model.predict(record)}
'''

MODEL = '''\
class LinearModel:
    def __init__(self, weights):
        self.weights = weights

    def predict_proba(self, features):
        return sum(w * x for w, x in zip(self.weights, features))
'''

CUSTOMER = '{"tenure_months": 14, "plan": "plus", "monthly_charges": 29.0, "total_charges": 406.0}'


def churn_repo(root: Path, tests: dict[str, str]) -> Path:
    files = {
        "src/churn/__init__.py": "",
        "src/churn/features.py": FEATURES,
        "src/churn/model.py": MODEL,
        "src/churn/serving/__init__.py": "",
        "src/churn/serving/predictor.py": PREDICTOR,
        "src/churn/serving/app.py": APP,
    }
    files.update(tests)
    return write(root, files)


def test_test_client_posting_a_raw_record_supports(tmp_path: Path) -> None:
    test = f'''\
        from fastapi.testclient import TestClient

        from churn.serving.app import app

        client = TestClient(app)


        def test_predict_returns_a_probability_for_a_raw_customer():
            response = client.post("/v1/predict", json={CUSTOMER})
            assert response.status_code == 200
            assert 0.0 <= response.json()["churn_probability"] <= 1.0
        '''
    churn_repo(tmp_path, {"tests/test_api.py": test})
    evidence = run_detector(integration_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == (
        "`test_predict_returns_a_probability_for_a_raw_customer` sends a raw request to `/v1/predict` of the app in "
        "`src/churn/serving/app.py` and asserts on the prediction"
    )
    assert evidence[0].nodeid == "tests/test_api.py::test_predict_returns_a_probability_for_a_raw_customer"
    assert (evidence[0].path, evidence[0].line) == ("tests/test_api.py", 8)


def test_client_and_predictor_from_conftest_fixtures_support(tmp_path: Path) -> None:
    conftest = '''\
        import pytest
        from fastapi.testclient import TestClient

        from churn.serving import app as service
        from churn.serving.predictor import ChurnPredictor


        @pytest.fixture
        def client():
            with TestClient(service.app) as test_client:
                yield test_client


        @pytest.fixture(scope="session")
        def predictor():
            return ChurnPredictor.from_artifact("tests/data/churn.joblib")
        '''
    test_api = f'''\
        def test_scoring_endpoint(client):
            body = client.post("/v1/predict", json={CUSTOMER}).json()
            assert body["churn_probability"] < 0.5
        '''
    test_predictor = f'''\
        import pytest


        @pytest.mark.ml_checklist("pipeline-integration-test")
        def test_raw_record_to_probability(predictor):
            probability = predictor.predict({CUSTOMER})
            assert probability == pytest.approx(0.13, abs=0.05)


        def test_unknown_plan_is_rejected(predictor):
            with pytest.raises(KeyError):
                predictor.predict({{"plan": "gold"}})
        '''
    churn_repo(tmp_path, {"tests/conftest.py": conftest, "tests/test_api.py": test_api,
                          "tests/test_predictor.py": test_predictor})
    evidence = run_detector(integration_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    assert evidence[0].nodeid == "tests/test_api.py::test_scoring_endpoint"
    assert evidence[1].nodeid == "tests/test_predictor.py::test_raw_record_to_probability"
    assert "feeds a raw input to `ChurnPredictor.predict` (`src/churn/serving/predictor.py`)" in evidence[1].detail


def test_flask_client_in_a_unittest_class_supports_with_the_class_in_the_nodeid(tmp_path: Path) -> None:
    app = '''\
        from flask import Flask, jsonify, request

        from churn.features import build_features

        app = Flask(__name__)


        @app.route("/score", methods=["POST"])
        def score():
            return jsonify({"score": float(build_features(request.get_json()).sum().sum())})
        '''
    test = '''\
        import unittest

        from churn.web import app


        class ScoreEndpointTest(unittest.TestCase):
            def setUp(self):
                self.client = app.test_client()

            def test_score_a_raw_payload(self):
                response = self.client.post("/score", json={"plan": "basic", "tenure_months": 3})
                self.assertIn("score", response.get_json())
        '''
    churn_repo(tmp_path, {"src/churn/web.py": app, "tests/test_web.py": test})
    evidence = run_detector(integration_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].nodeid == "tests/test_web.py::ScoreEndpointTest::test_score_a_raw_payload"


def test_a_mocked_model_is_partial(tmp_path: Path) -> None:
    test = f'''\
        from fastapi.testclient import TestClient

        from churn.serving import app as service


        class FakeModel:
            def predict(self, record):
                return 0.5


        def test_predict_with_a_fake_model(monkeypatch):
            monkeypatch.setattr(service, "model", FakeModel())
            response = TestClient(service.app).post("/v1/predict", json={CUSTOMER})
            assert response.json() == {{"churn_probability": 0.5}}
        '''
    churn_repo(tmp_path, {"tests/test_api.py": test})
    evidence = run_detector(integration_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail.endswith("but the model is mocked (`monkeypatch.setattr` of `model`)")
    assert evidence[0].nodeid == "tests/test_api.py::test_predict_with_a_fake_model"


def test_a_magicmock_model_is_partial(tmp_path: Path) -> None:
    test = f'''\
        from unittest.mock import MagicMock

        from churn.serving.predictor import ChurnPredictor


        def test_predict_uses_the_model():
            model = MagicMock()
            model.predict_proba.return_value = [[0.2, 0.8]]
            assert ChurnPredictor(model).predict({CUSTOMER}) == 0.8
        '''
    churn_repo(tmp_path, {"tests/test_predictor.py": test})
    evidence = run_detector(integration_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "the model is mocked" in evidence[0].detail


def test_asserting_only_the_status_code_is_partial(tmp_path: Path) -> None:
    test = f'''\
        from fastapi.testclient import TestClient

        from churn.serving.app import app


        def test_predict_answers():
            response = TestClient(app).post("/v1/predict", json={CUSTOMER})
            assert response.status_code == 200
        '''
    churn_repo(tmp_path, {"tests/test_api.py": test})
    evidence = run_detector(integration_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "asserts only the status code, not the prediction" in evidence[0].detail


def test_health_checks_error_paths_and_model_only_tests_are_not_evidence(tmp_path: Path) -> None:
    test = '''\
        import pytest
        from fastapi.testclient import TestClient

        from churn.model import LinearModel
        from churn.serving.app import app
        from churn.serving.predictor import ChurnPredictor

        client = TestClient(app)


        def test_health():
            assert client.get("/healthz").json() == {"status": "ok"}


        def test_bad_record_raises():
            with pytest.raises(KeyError):
                ChurnPredictor.from_artifact("m.joblib").predict({"plan": "basic"})


        def test_linear_model_on_features():
            assert LinearModel([1.0, 2.0]).predict_proba([0.5, 0.25]) == 1.0
        '''
    churn_repo(tmp_path, {"tests/test_misc.py": test})
    assert run_detector(integration_test, tmp_path) == []


def test_predict_on_a_loaded_artifact_is_partial(tmp_path: Path) -> None:
    test = '''\
        import joblib
        import numpy as np


        def test_model_artifact_predicts():
            model = joblib.load("artifacts/churn.joblib")
            assert model.predict(np.array([[1, 14]]))[0] in (0, 1)
        '''
    churn_repo(tmp_path, {"tests/test_artifact.py": test})
    evidence = run_detector(integration_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "calls `predict` on an artifact loaded with `joblib.load`" in evidence[0].detail
    assert "cannot be told" in evidence[0].detail


def test_an_entry_point_that_skips_the_feature_code_is_partial(tmp_path: Path) -> None:
    scorer = '''\
        class VectorScorer:
            def __init__(self, model):
                self.model = model

            def score(self, vector):
                return self.model.predict_proba([vector])[0]
        '''
    test = '''\
        from churn.model import LinearModel
        from churn.scorer import VectorScorer


        def test_score_vector():
            result = VectorScorer(LinearModel([1.0])).score([0.5])
            assert result == 0.5
        '''
    churn_repo(tmp_path, {"src/churn/scorer.py": scorer, "tests/test_scorer.py": test})
    evidence = run_detector(integration_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "does not reach the feature code (`churn.features`)" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, {"tests/test_math.py": "def test_add():\n    assert 1 + 1 == 2\n"})
    assert run_detector(integration_test, tmp_path) == []


def test_a_candidate_test_module_that_does_not_parse_is_unreadable(tmp_path: Path) -> None:
    broken = (
        "from fastapi.testclient import TestClient\n\n"
        "def test_predict(:\n    TestClient(app).post('/v1/predict')\n"
    )
    churn_repo(tmp_path, {"tests/test_api.py": broken})
    evidence = run_detector(integration_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "tests/test_api.py"


def test_pointing_the_app_at_a_real_model_is_not_a_mock(tmp_path: Path) -> None:
    test = f'''\
        import pytest
        from fastapi.testclient import TestClient

        from churn.serving import app as service
        from churn.serving.predictor import ChurnPredictor


        @pytest.fixture
        def client(monkeypatch, tmp_path):
            monkeypatch.setenv("MODEL_PATH", str(tmp_path / "churn.joblib"))
            monkeypatch.setattr(service, "model", ChurnPredictor.from_artifact("tests/data/churn.joblib"))
            return TestClient(service.app)


        def test_end_to_end(client):
            payload = client.post("/v1/predict", json={CUSTOMER}).json()
            assert set(payload) == {{"churn_probability"}}
        '''
    churn_repo(tmp_path, {"tests/test_e2e.py": test})
    evidence = run_detector(integration_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].nodeid == "tests/test_e2e.py::test_end_to_end"


def test_patching_predict_in_a_decorator_is_a_mock(tmp_path: Path) -> None:
    test = f'''\
        from unittest import mock

        from fastapi.testclient import TestClient

        from churn.serving.app import app


        @mock.patch("churn.serving.predictor.ChurnPredictor.predict", return_value=0.9)
        def test_endpoint_formats_the_probability(predict):
            response = TestClient(app).post("/v1/predict", json={CUSTOMER})
            assert response.json()["churn_probability"] == 0.9
        '''
    churn_repo(tmp_path, {"tests/test_format.py": test})
    evidence = run_detector(integration_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "the model is mocked (`patch` of `predict`)" in evidence[0].detail


def test_a_mock_passed_to_the_predictor_is_partial(tmp_path: Path) -> None:
    test = f'''\
        from unittest.mock import MagicMock

        from churn.serving.predictor import ChurnPredictor


        def test_predictor_wraps_the_estimator():
            predictor = ChurnPredictor(MagicMock())
            assert predictor.predict({CUSTOMER}) is not None
        '''
    churn_repo(tmp_path, {"tests/test_predictor.py": test})
    evidence = run_detector(integration_test, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "a mock is passed to the object under test" in evidence[0].detail
