"""Item 42 (endpoint-auth): authenticated, rate-limited prediction routes."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.security import endpoint_auth

ITEM = "endpoint-auth"


AUTH_MODULE = '''\
"""API key check for the scoring service."""

import hmac
import os

from fastapi import HTTPException, Security, status
from fastapi.security import APIKeyHeader

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def require_api_key(key: str | None = Security(api_key_header)) -> str:
    expected = os.environ["SCORER_API_KEY"]
    if key is None or not hmac.compare_digest(key, expected):
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="invalid API key")
    return key
'''

APP = '''\
"""Fraud scoring service."""

from fastapi import Depends, FastAPI, Request
from slowapi import Limiter
from slowapi.util import get_remote_address

from scorer.auth import require_api_key
from scorer.schemas import Transaction

limiter = Limiter(key_func=get_remote_address)
app = FastAPI(title="fraud-scorer")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v1/predict", dependencies=[Depends(require_api_key)])
@limiter.limit("100/minute")
def predict(request: Request, transaction: Transaction) -> dict[str, float]:
    return {"score": 0.1}
'''


def test_auth_dependency_and_rate_limit_supports(tmp_path: Path) -> None:
    write(tmp_path, "src/scorer/auth.py", AUTH_MODULE)
    write(tmp_path, "src/scorer/app.py", APP)
    evidence = run_detector(endpoint_auth, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    detail = evidence[0].detail
    assert "POST /v1/predict" in detail and "require_api_key" in detail and "100/minute" in detail
    assert evidence[0].path == "src/scorer/app.py"


def test_router_level_dependency_counts(tmp_path: Path) -> None:
    write(tmp_path, "src/scorer/auth.py", AUTH_MODULE)
    write(tmp_path, "src/scorer/routes.py", '''\
from fastapi import APIRouter, Depends
from fastapi_limiter.depends import RateLimiter

from scorer.auth import require_api_key

router = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key)])


@router.post("/score", dependencies=[Depends(RateLimiter(times=20, seconds=1))])
async def score(payload: dict) -> dict:
    return {"score": 0.5}
''')
    evidence = run_detector(endpoint_auth, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "RateLimiter" in evidence[0].detail


def test_auth_defined_but_never_applied_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "src/scorer/auth.py", AUTH_MODULE)
    write(tmp_path, "src/scorer/app.py", APP.replace(", dependencies=[Depends(require_api_key)]", ""))
    evidence = run_detector(endpoint_auth, tmp_path)
    assert set(verdicts(evidence, ITEM)) == {"partial"}
    details = " | ".join(found.detail for found in evidence)
    assert "without authentication: `POST /v1/predict`" in details
    assert "`require_api_key` is defined" in details and "no route uses it" in details


def test_auth_without_rate_limit_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "src/scorer/auth.py", AUTH_MODULE)
    write(tmp_path, "src/scorer/app.py", APP.replace('@limiter.limit("100/minute")\n', ""))
    evidence = run_detector(endpoint_auth, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "require_api_key" in evidence[0].detail and "no rate limit" in evidence[0].detail


def test_scheme_that_only_checks_presence_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "src/scorer/app.py", '''\
from fastapi import FastAPI, Security
from fastapi.security import APIKeyHeader
from slowapi import Limiter
from slowapi.util import get_remote_address

api_key = APIKeyHeader(name="X-API-Key")
limiter = Limiter(key_func=get_remote_address)
app = FastAPI()


@app.post("/predict")
@limiter.limit("10/second")
def predict(payload: dict, key: str = Security(api_key)) -> dict:
    return {"score": 1.0}
''')
    evidence = run_detector(endpoint_auth, tmp_path)
    assert "supports" not in verdicts(evidence, ITEM)
    assert any("to be present" in found.detail for found in evidence)


def test_flask_decorators_support(tmp_path: Path) -> None:
    write(tmp_path, "service/app.py", '''\
from flask import Flask, jsonify, request
from flask_jwt_extended import JWTManager, jwt_required
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

app = Flask(__name__)
jwt = JWTManager(app)
limiter = Limiter(get_remote_address, app=app)


@app.route("/predict", methods=["POST"])
@jwt_required()
@limiter.limit("30 per minute")
def predict():
    return jsonify(score=0.2)
''')
    evidence = run_detector(endpoint_auth, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "jwt_required" in evidence[0].detail


def test_istio_and_ingress_at_the_edge_support(tmp_path: Path) -> None:
    write(tmp_path, "deploy/auth.yaml", '''\
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata:
  name: scorer-jwt
spec:
  selector:
    matchLabels: {app: scorer}
  jwtRules:
    - issuer: https://auth.acme.example
      jwksUri: https://auth.acme.example/.well-known/jwks.json
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: scorer-require-jwt
spec:
  selector:
    matchLabels: {app: scorer}
  action: ALLOW
  rules:
    - from:
        - source:
            requestPrincipals: ["*"]
''')
    write(tmp_path, "deploy/ingress.yaml", '''\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: scorer
  annotations:
    nginx.ingress.kubernetes.io/limit-rps: "50"
spec:
  rules:
    - host: scorer.acme.example
''')
    evidence = run_detector(endpoint_auth, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "scorer-require-jwt" in evidence[0].detail and "limit-rps" in evidence[0].detail


def test_request_authentication_alone_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "deploy/auth.yaml", '''\
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata:
  name: scorer-jwt
spec:
  jwtRules:
    - issuer: https://auth.acme.example
''')
    evidence = run_detector(endpoint_auth, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no AuthorizationPolicy requires one" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, "train.py", "import sklearn\n\nprint('training')\n")
    assert run_detector(endpoint_auth, tmp_path) == []


def test_auth_word_in_a_test_is_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, "src/scorer/app.py", '''\
from fastapi import FastAPI

app = FastAPI()


@app.post("/predict")
def predict(payload: dict) -> dict:
    """TODO: add login_required and a rate limit."""
    return {"score": 0.0}
''')
    write(tmp_path, "tests/test_auth.py", '''\
from fastapi import Depends, HTTPException


def require_token():
    raise HTTPException(status_code=401)
''')
    evidence = run_detector(endpoint_auth, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    assert "without authentication" in evidence[0].detail
    assert "no rate limit" in evidence[1].detail


def test_malformed_serving_module_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "src/scorer/app.py", '@app.post("/predict"\ndef predict(:\n')
    evidence = run_detector(endpoint_auth, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
