"""Item 32 (fallback): a breaker or fallback path in the serving code, and a test that makes the model fail."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.serving_resilience import circuit_breaker_fallback

ITEM = "fallback"


SERVICE = '''\
"""Scoring with a circuit breaker around the model server; the rules engine answers when it is open."""

import logging

import pybreaker
import requests

from fraud_scoring import rules

log = logging.getLogger(__name__)
MODEL_URL = "http://fraud-model.fraud.svc:8080/v1/models/fraud:predict"
model_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30, name="fraud-model")


@model_breaker
def model_score(features: dict) -> float:
    response = requests.post(MODEL_URL, json={"instances": [features]}, timeout=0.15)
    response.raise_for_status()
    return response.json()["predictions"][0]


def score(features: dict) -> dict:
    try:
        return {"score": model_score(features), "source": "model"}
    except (pybreaker.CircuitBreakerError, requests.RequestException):
        log.warning("model unavailable; answering from the rules engine")
        return {"score": rules.score(features), "source": "rules-v3"}
'''

RULES = '''\
"""The rules engine the scorer falls back to (rules-v3, owned by the risk team)."""


def score(features: dict) -> float:
    if features.get("amount", 0) > 5000 and features.get("country") not in ("DE", "FR"):
        return 0.9
    return 0.1
'''

FALLBACK_TEST = '''\
import pybreaker
import requests

from fraud_scoring import service


def test_rules_answer_when_the_model_times_out(monkeypatch):
    def timeout(*args, **kwargs):
        raise requests.Timeout("model took more than 150 ms")

    monkeypatch.setattr(service.requests, "post", timeout)
    result = service.score({"amount": 25.0, "country": "DE"})
    assert result["source"] == "rules-v3"
    assert 0.0 <= result["score"] <= 1.0


def test_open_breaker_answers_from_rules(mocker):
    mocker.patch.object(service, "model_score", side_effect=pybreaker.CircuitBreakerError("open"))
    assert service.score({"amount": 25.0})["source"] == "rules-v3"
'''


def project(root: Path) -> None:
    write(root, "src/fraud_scoring/__init__.py", "")
    write(root, "src/fraud_scoring/service.py", SERVICE)
    write(root, "src/fraud_scoring/rules.py", RULES)


def test_breaker_with_rules_fallback_and_a_failure_test_supports(tmp_path: Path) -> None:
    project(tmp_path)
    write(tmp_path, "tests/test_fallback.py", FALLBACK_TEST)
    evidence = run_detector(circuit_breaker_fallback, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    first, second = evidence
    assert first.nodeid == "tests/test_fallback.py::test_rules_answer_when_the_model_times_out"
    assert first.detail == (
        "test `test_rules_answer_when_the_model_times_out` replaces the model with `timeout`, which raises and asserts "
        "the fallback answer (src/fraud_scoring/service.py:25)"
    )
    assert (first.path, first.line) == ("tests/test_fallback.py", 7)
    assert second.nodeid == "tests/test_fallback.py::test_open_breaker_answers_from_rules"
    assert "raise `pybreaker.CircuitBreakerError`" in second.detail


def test_fallback_without_a_test_is_partial(tmp_path: Path) -> None:
    project(tmp_path)
    evidence = run_detector(circuit_breaker_fallback, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == (
        "`except pybreaker.CircuitBreakerError, requests.RequestException` in `score` answers from `rules.score` "
        "when `model_score` fails; it is never exercised by a test"
    )
    assert (evidence[0].path, evidence[0].line) == ("src/fraud_scoring/service.py", 25)


def test_a_test_that_only_checks_the_error_is_not_a_fallback_test(tmp_path: Path) -> None:
    project(tmp_path)
    write(
        tmp_path,
        "tests/test_errors.py",
        "import requests\n\nfrom fraud_scoring import service\n\n\n"
        "def test_model_down_is_reported(monkeypatch):\n"
        "    def down(*args, **kwargs):\n        raise requests.ConnectionError('refused')\n\n"
        "    monkeypatch.setattr(service.requests, 'post', down)\n"
        "    response = service.score({'amount': 3})\n"
        "    assert response.status_code == 503\n",
    )
    evidence = run_detector(circuit_breaker_fallback, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "never exercised by a test" in evidence[0].detail


def test_skipped_fallback_test_does_not_count(tmp_path: Path) -> None:
    project(tmp_path)
    write(tmp_path, "tests/test_fallback.py", "import pytest\n\npytestmark = pytest.mark.skip(reason='flaky')\n" + FALLBACK_TEST)
    evidence = run_detector(circuit_breaker_fallback, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]


def test_breaker_without_fallback_and_breaker_that_wraps_nothing(tmp_path: Path) -> None:
    write(
        tmp_path,
        "serving/app.py",
        "import pybreaker\nfrom fastapi import FastAPI, HTTPException\n\nfrom serving.model import model\n\n"
        "app = FastAPI()\nbreaker = pybreaker.CircuitBreaker(fail_max=3, reset_timeout=10)\n"
        "spare = pybreaker.CircuitBreaker(fail_max=3)\n\n\n"
        "@app.post('/predict')\ndef predict(payload: dict) -> dict:\n    try:\n"
        "        return {'score': breaker.call(model.predict, payload)}\n"
        "    except pybreaker.CircuitBreakerError:\n"
        "        raise HTTPException(status_code=503, detail='model unavailable')\n",
    )
    evidence = run_detector(circuit_breaker_fallback, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    assert evidence[0].detail == "pybreaker breaker `breaker` has no fallback: an open breaker raises to the caller"
    assert evidence[1].detail == "pybreaker breaker `spare` is defined but wraps no call"


def test_failure_test_without_fallback_code_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "serving/__init__.py", "")
    write(tmp_path, "serving/scorer.py", "def score(model, features):\n    return model.predict(features)\n")
    write(
        tmp_path,
        "tests/test_scorer.py",
        "from unittest import mock\n\nfrom serving import scorer\n\n\n"
        "def test_default_score_when_model_fails():\n"
        "    model = mock.Mock()\n    model.predict.side_effect = TimeoutError\n"
        "    assert scorer.score(model, {'amount': 3}) == 0.5\n",
    )
    evidence = run_detector(circuit_breaker_fallback, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == (
        "test `test_default_score_when_model_fails` makes a mock raise `TimeoutError` and asserts the fallback answer, "
        "but no breaker or fallback path was found in the serving code"
    )
    assert evidence[0].nodeid == "tests/test_scorer.py::test_default_score_when_model_fails"


def test_http_mock_failure_and_cached_fallback_supports(tmp_path: Path) -> None:
    write(tmp_path, "ranker/__init__.py", "")
    write(
        tmp_path,
        "ranker/client.py",
        "import httpx\n\nfrom ranker.cache import last_known_ranking\n\n\n"
        "def rank(user_id: str, items: list[str]) -> list[str]:\n    try:\n"
        "        response = httpx.post('http://ranker-model/v1/rank', json={'user': user_id, 'items': items}, timeout=0.2)\n"
        "        response.raise_for_status()\n        return response.json()['ranking']\n"
        "    except httpx.HTTPError:\n        return last_known_ranking(user_id, items)\n",
    )
    write(tmp_path, "ranker/cache.py", "def last_known_ranking(user_id, items):\n    return sorted(items)\n")
    write(
        tmp_path,
        "tests/test_client.py",
        "import httpx\nimport respx\n\nfrom ranker.client import rank\n\n\n@respx.mock\n"
        "def test_ranking_survives_a_model_outage():\n"
        "    respx.post('http://ranker-model/v1/rank').mock(return_value=httpx.Response(503))\n"
        "    assert rank('u1', ['b', 'a']) == ['a', 'b']\n",
    )
    evidence = run_detector(circuit_breaker_fallback, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == (
        "test `test_ranking_survives_a_model_outage` mocks the model endpoint answering HTTP 503 and asserts the "
        "fallback answer (ranker/client.py:11)"
    )


def test_istio_outlier_detection(tmp_path: Path) -> None:
    write(
        tmp_path,
        "deploy/istio/destination-rule.yaml",
        "apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata: {name: scorer}\nspec:\n"
        "  host: scorer.ml.svc.cluster.local\n  trafficPolicy:\n"
        "    outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s}\n",
    )
    evidence = run_detector(circuit_breaker_fallback, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == "Istio DestinationRule `scorer` has outlierDetection but no fallback route or failover"


def test_nothing_and_malformed_files(tmp_path: Path) -> None:
    assert run_detector(circuit_breaker_fallback, tmp_path) == []
    write(tmp_path, "serving/fallback.py", "def fallback_score(:\n")
    write(tmp_path, "serving/settings.py", "DEFAULT = {\n")
    write(tmp_path, "tests/test_fallback.py", "def test_fallback(:\n    raise\n")
    evidence = run_detector(circuit_breaker_fallback, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable", "unreadable"]
    assert sorted(found.path for found in evidence) == ["serving/fallback.py", "tests/test_fallback.py"]
