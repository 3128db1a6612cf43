"""Item 25 (graceful-failure): invalid input gets a clear error, tested, with handlers in the serving code."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import run_detector, verdicts

from pytest_mlchecklist.detectors.test_behaviour import graceful_failure_tests

ITEM = "graceful-failure"

FASTAPI_SERVICE = {
    "src/fraud/__init__.py": "",
    "src/fraud/errors.py": '''
        class InvalidTransaction(ValueError):
            """A transaction that breaks the contract."""
    ''',
    "src/fraud/model.py": '''
        import math

        from fraud.errors import InvalidTransaction

        def score(features: dict) -> float:
            if not all(math.isfinite(value) for value in features.values()):
                raise InvalidTransaction("features must be finite")
            return 0.5
    ''',
    "src/fraud/app.py": '''
        from fastapi import FastAPI, Request
        from fastapi.exceptions import RequestValidationError
        from fastapi.responses import JSONResponse
        from pydantic import BaseModel, Field

        from fraud.model import score

        app = FastAPI()


        class Transaction(BaseModel):
            amount: float = Field(gt=0)
            currency: str = Field(pattern="^[A-Z]{3}$")


        @app.exception_handler(RequestValidationError)
        async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
            return JSONResponse({"error": "invalid transaction", "detail": exc.errors()}, status_code=422)


        @app.post("/v1/score")
        def score_transaction(transaction: Transaction) -> dict:
            return {"score": score({"amount": transaction.amount})}
    ''',
}


def repo(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def test_client_request_answered_422_with_a_message_supports(tmp_path: Path) -> None:
    repo(tmp_path, {**FASTAPI_SERVICE, "tests/test_api.py": '''
        import pytest
        from fastapi import status
        from fastapi.testclient import TestClient

        from fraud.app import app


        @pytest.fixture
        def client():
            with TestClient(app) as test_client:
                yield test_client


        def test_a_negative_amount_is_rejected_with_the_field_named(client):
            response = client.post("/v1/score", json={"amount": -3, "currency": "EUR"})
            assert response.status_code == status.HTTP_422_UNPROCESSABLE_ENTITY
            assert response.json()["error"] == "invalid transaction"


        def test_a_valid_transaction_is_scored(client):
            response = client.post("/v1/score", json={"amount": 12.5, "currency": "EUR"})
            assert response.status_code == 200
    '''})
    evidence = run_detector(graceful_failure_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    (found,) = evidence
    assert found.nodeid == "tests/test_api.py::test_a_negative_amount_is_rejected_with_the_field_named"
    assert found.path == "tests/test_api.py" and found.line == 14
    assert "`POST /v1/score` answers 422 to invalid input" in found.detail
    assert "checks the error body" in found.detail


def test_raised_validation_errors_and_parametrized_statuses_support(tmp_path: Path) -> None:
    repo(tmp_path, {**FASTAPI_SERVICE, "tests/test_model.py": '''
        import math

        import pytest

        from fraud.errors import InvalidTransaction
        from fraud.model import score


        def test_non_finite_features_are_refused():
            with pytest.raises(InvalidTransaction, match="finite"):
                score({"amount": math.nan})
    ''', "tests/test_contract.py": '''
        import pytest
        from fastapi.testclient import TestClient

        from fraud.app import app

        client = TestClient(app)


        @pytest.mark.parametrize(
            ("payload", "expected"),
            [({"amount": 5}, 422), ({"amount": 5, "currency": "euro"}, 422), ({}, 422)],
        )
        def test_contract_violations(payload, expected):
            assert client.post("/v1/score", json=payload).status_code == expected
    '''})
    evidence = run_detector(graceful_failure_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    contract, model = evidence
    assert contract.nodeid == "tests/test_contract.py::test_contract_violations"
    assert "answers 422" in contract.detail
    assert model.nodeid == "tests/test_model.py::test_non_finite_features_are_refused"
    assert "expects a clear `InvalidTransaction` from `score`" in model.detail
    assert "checks its message" in model.detail


def test_a_request_model_refusing_bad_fields_supports(tmp_path: Path) -> None:
    repo(tmp_path, {
        "app/__init__.py": "",
        "app/main.py": '''
            from pydantic import BaseModel, Field

            class Transaction(BaseModel):
                amount: float = Field(gt=0)
        ''',
        "tests/test_main.py": '''
            import pytest
            from pydantic import ValidationError

            from app.main import Transaction


            def test_negative_amounts_are_refused():
                with pytest.raises(ValidationError):
                    Transaction(amount=-1)
        ''',
    })
    evidence = run_detector(graceful_failure_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "expects a clear `ValidationError` from `Transaction` (line 8)" in evidence[0].detail


def test_flask_unittest_client_answering_400_supports(tmp_path: Path) -> None:
    repo(tmp_path, {
        "recsys/__init__.py": "",
        "recsys/api.py": '''
            from flask import Flask, abort, jsonify, request

            def create_app():
                app = Flask(__name__)

                @app.post("/recommend")
                def recommend():
                    body = request.get_json(silent=True)
                    if not body or "user_id" not in body:
                        abort(400, description="user_id is required")
                    return jsonify(items=[])

                return app
        ''',
        "tests/test_api.py": '''
            import unittest

            from recsys.api import create_app


            class RecommendApi(unittest.TestCase):
                def setUp(self):
                    self.client = create_app().test_client()

                def test_missing_user_is_a_bad_request(self):
                    response = self.client.post("/recommend", json={})
                    self.assertEqual(response.status_code, 400)
                    self.assertIn("user_id", response.get_data(as_text=True))
        ''',
    })
    evidence = run_detector(graceful_failure_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].nodeid == "tests/test_api.py::RecommendApi::test_missing_user_is_a_bad_request"
    assert "`POST /recommend` answers 400" in evidence[0].detail
    assert "checks the error body" in evidence[0].detail


@pytest.mark.parametrize(
    "assertion",
    [
        "assert response.status_code in (400, 422)",
        "assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY",
        "assert 400 <= response.status_code < 500",
        "assert response.status_code // 100 == 4",
        "assert response.status == \"400 BAD REQUEST\"",
    ],
)
def test_status_assertions_that_mean_a_client_error(tmp_path: Path, assertion: str) -> None:
    repo(tmp_path, {**FASTAPI_SERVICE, "tests/test_api.py": f'''
        from http import HTTPStatus

        from fastapi.testclient import TestClient

        from fraud.app import app


        def test_bad_currency():
            response = TestClient(app).post("/v1/score", json={{"amount": 5, "currency": "euro"}})
            {assertion}
    '''})
    evidence = run_detector(graceful_failure_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`POST /v1/score` answers" in evidence[0].detail


def test_handlers_without_a_test_are_partial(tmp_path: Path) -> None:
    repo(tmp_path, {**FASTAPI_SERVICE, "tests/test_model.py": '''
        from fraud.model import score


        def test_score_is_a_probability():
            assert 0 <= score({"amount": 12.0}) <= 1
    '''})
    evidence = run_detector(graceful_failure_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    handler, body = evidence
    assert handler.detail == (
        "error handler for `RequestValidationError` in src/fraud/app.py:16 but no test sends bad input"
    )
    assert handler.path == "src/fraud/app.py" and handler.line == 16 and handler.nodeid is None
    assert "FastAPI validates the body of `POST /v1/score` against `Transaction`" in body.detail


def test_weak_or_wrong_expectations_are_partial(tmp_path: Path) -> None:
    repo(tmp_path, {**FASTAPI_SERVICE, "tests/test_errors.py": '''
        import pytest
        from fastapi.testclient import TestClient

        from fraud.app import app
        from fraud.model import score

        client = TestClient(app, raise_server_exceptions=False)


        def test_garbage_crashes_cleanly():
            response = client.post("/v1/score", content=b"\\xff\\xfe")
            assert response.status_code == 500


        def test_anything_goes_wrong():
            with pytest.raises(Exception):
                score(None)


        def test_missing_feature_raises_key_error():
            with pytest.raises(KeyError):
                score({})


        def test_bad_request_is_not_ok():
            response = client.post("/v1/score", json={"amount": "a lot"})
            assert not response.ok
    '''})
    evidence = run_detector(graceful_failure_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"] * 6
    details = [found.detail for found in evidence]
    assert "asserts status 500 from `POST /v1/score`: a server error is not a clear client error" in details[0]
    assert "expects any `Exception` from `score`" in details[1]
    assert "expects a bare `KeyError` from `score`" in details[2]
    assert "only asserts that `POST /v1/score` fails" in details[3]
    assert details[4] == (
        "error handler for `RequestValidationError` in src/fraud/app.py:16 but no test asserts a clear error for bad input"
    )
    assert details[5].startswith("FastAPI validates the body of `POST /v1/score`")
    assert [found.nodeid for found in evidence[:2]] == [
        "tests/test_errors.py::test_garbage_crashes_cleanly", "tests/test_errors.py::test_anything_goes_wrong",
    ]


def test_nothing_without_tests_or_handlers(tmp_path: Path) -> None:
    repo(tmp_path, {"src/fraud/__init__.py": "", "src/fraud/model.py": "def score(features):\n    return 0.5\n"})
    assert run_detector(graceful_failure_tests, tmp_path) == []


def test_look_alikes_are_not_evidence(tmp_path: Path) -> None:
    repo(tmp_path, {
        "src/fraud/__init__.py": "",
        "src/fraud/app.py": '''
            from fastapi import FastAPI, HTTPException

            app = FastAPI()

            @app.exception_handler(Exception)
            async def crash(request, exc):
                raise HTTPException(status_code=500)

            @app.get("/v1/models/{name}")
            def model_info(name: str) -> dict:
                raise HTTPException(status_code=404, detail="unknown model")
        ''',
        "tests/test_auth.py": '''
            import json

            import pytest
            from fastapi.testclient import TestClient

            from fraud.app import app

            client = TestClient(app)


            def test_unknown_model_is_404():
                assert client.get("/v1/models/nope").status_code == 404


            def test_without_a_key_is_401():
                assert client.get("/v1/models/current").status_code in (401, 403)


            def test_json_module_rejects_garbage():
                with pytest.raises(ValueError):
                    json.loads("{")


            @pytest.mark.skip(reason="needs the model file")
            def test_bad_payload():
                assert client.post("/v1/score", json={}).status_code == 422
        ''',
    })
    assert run_detector(graceful_failure_tests, tmp_path) == []


def test_unparsable_test_and_serving_modules_are_unreadable(tmp_path: Path) -> None:
    repo(tmp_path, {
        "src/fraud/__init__.py": "",
        "src/fraud/app.py": "from fastapi import HTTPException\n\ndef score(:\n    raise HTTPException(422)\n",
        "tests/test_api.py": "def test_bad(client:\n    assert client.post('/x').status_code == 422\n",
    })
    evidence = run_detector(graceful_failure_tests, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable", "unreadable"]
    assert [found.path for found in evidence] == ["tests/test_api.py", "src/fraud/app.py"]
