"""Item 27 (health-check): health routes that check the model, and probes pointing at them."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.serving import health_route, kubernetes_probes
from pytest_mlchecklist.evidence import Evidence

ITEM = "health-check"


def run_both(root: Path) -> list[Evidence]:
    """Both item-27 detectors: routes first, then probes."""
    return [*run_detector(health_route, root), *run_detector(kubernetes_probes, root)]


FASTAPI_APP = '''\
"""Fraud scoring service."""

from contextlib import asynccontextmanager

import joblib
from fastapi import FastAPI, HTTPException

model = None


@asynccontextmanager
async def lifespan(app: FastAPI):
    global model
    model = joblib.load("/models/fraud-gbm.joblib")
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/livez")
def livez() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/health")
def health() -> dict[str, str]:
    """Ready only once the model is loaded."""
    if model is None:
        raise HTTPException(status_code=503, detail="model not loaded")
    return {"status": "ok"}


@app.post("/predict")
def predict(payload: dict) -> dict[str, float]:
    return {"score": float(model.predict_proba([payload["features"]])[0][1])}
'''

CONSTANT_APP = '''\
from flask import Flask, jsonify

app = Flask(__name__)


@app.route("/health")
def health():
    return jsonify({"status": "ok"})
'''


def deployment(probes: str) -> str:
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: fraud-scorer\nspec:\n  replicas: 3\n  template:\n    spec:\n"
        "      containers:\n        - name: scorer\n          image: registry.example.com/fraud/scorer:1.14.2\n"
        "          ports:\n            - containerPort: 8080\n"
        "          resources:\n            limits: {cpu: '2', memory: 2Gi}\n" + probes
    )


PROBES_AT_HEALTH = (
    "          readinessProbe:\n            httpGet: {path: /health, port: 8080}\n            periodSeconds: 5\n"
    "          livenessProbe:\n            httpGet: {path: /livez, port: 8080}\n            failureThreshold: 3\n"
)


def test_checking_route_and_probes_support(tmp_path: Path) -> None:
    write(tmp_path, "src/fraud_scoring/app.py", FASTAPI_APP)
    write(tmp_path, "deploy/deployment.yaml", deployment(PROBES_AT_HEALTH))
    evidence = run_both(tmp_path)
    details = {found.detail: found.verdict for found in evidence}
    assert details["`/health` in src/fraud_scoring/app.py:26 checks `model`"] == "supports"
    assert details[
        "readinessProbe of container `scorer` in Deployment `fraud-scorer` calls /health, which checks `model` (src/fraud_scoring/app.py:26)"
    ] == "supports"
    liveness = [detail for detail in details if detail.startswith("livenessProbe")]
    assert liveness and "returns a constant" in liveness[0] and details[liveness[0]] == "partial"
    assert "`/livez` in src/fraud_scoring/app.py:21 returns a constant; it does not check that the model is loaded" in details


def test_constant_health_route_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "service/app.py", CONSTANT_APP)
    evidence = run_both(tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == "`/health` in service/app.py:6 returns a constant; it does not check that the model is loaded"


def test_probe_at_a_constant_route_only_proves_the_server_runs(tmp_path: Path) -> None:
    write(tmp_path, "service/app.py", CONSTANT_APP)
    write(tmp_path, "k8s/deployment.yaml", deployment("          readinessProbe:\n            httpGet: {path: /health, port: 8080}\n"))
    evidence = run_both(tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    assert any("only proves the HTTP server runs" in found.detail for found in evidence)


def test_nothing_and_probes_without_handler_give_no_evidence(tmp_path: Path) -> None:
    assert run_both(tmp_path) == []
    write(tmp_path, "k8s/deployment.yaml", deployment("          readinessProbe: {}\n          livenessProbe:\n            periodSeconds: 10\n"))
    write(tmp_path, "tests/test_api.py", 'from fastapi import FastAPI\napp = FastAPI()\n\n@app.get("/health")\ndef health():\n    return {"ok": True}\n')
    assert run_both(tmp_path) == []


def test_probe_at_a_path_no_route_serves_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "src/fraud_scoring/app.py", FASTAPI_APP)
    write(tmp_path, "deploy/deployment.yaml", deployment("          readinessProbe:\n            httpGet: {path: /ready, port: 8080}\n"))
    evidence = run_both(tmp_path)
    probe = [found for found in evidence if found.detail.startswith("readinessProbe")]
    assert probe[0].verdict == "partial" and "points at /ready but no route serves it" in probe[0].detail


def test_probe_on_a_non_python_server_supports(tmp_path: Path) -> None:
    write(tmp_path, "deploy/triton.yaml", deployment("          readinessProbe:\n            httpGet: {path: /v2/health/ready, port: 8000}\n"))
    evidence = run_both(tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "not Python" in evidence[0].detail and evidence[0].line == 10


def test_tcp_socket_probe_is_partial_and_exec_probe_supports(tmp_path: Path) -> None:
    write(
        tmp_path,
        "deploy/deployment.yaml",
        deployment(
            "          livenessProbe:\n            tcpSocket: {port: 8080}\n"
            "          readinessProbe:\n            exec:\n              command: [python, -m, fraud_scoring.healthcheck]\n"
        ),
    )
    evidence = run_both(tmp_path)
    details = {found.detail: found.verdict for found in evidence}
    assert details["readinessProbe of container `scorer` in Deployment `fraud-scorer` runs a command"] == "supports"
    assert any(verdict == "partial" and "port is open" in detail for detail, verdict in details.items())


def test_starlette_and_flask_registrations_are_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        "serving/health.py",
        "from serving.state import registry\n\n\nasync def ready(request):\n"
        "    return JSONResponse({'ready': registry.model_loaded()})\n\n\ndef ping():\n    return 'pong'\n",
    )
    write(
        tmp_path,
        "serving/app.py",
        "from starlette.applications import Starlette\nfrom starlette.routing import Route\n\nfrom serving.health import ping, ready\n\n"
        "app = Starlette(routes=[Route('/readyz', endpoint=ready), Route('/ping', ping)])\n",
    )
    evidence = run_both(tmp_path)
    details = {found.detail: found.verdict for found in evidence}
    assert details["`/readyz` in serving/app.py:6 calls `registry.model_loaded`"] == "supports"
    assert details["`/ping` in serving/app.py:6 returns a constant; it does not check that the model is loaded"] == "partial"


def test_fastapi_dependency_counts_as_a_check(tmp_path: Path) -> None:
    write(
        tmp_path,
        "api/routes.py",
        "from fastapi import APIRouter, Depends\n\nfrom api.deps import get_model\n\nrouter = APIRouter()\n\n\n"
        "@router.get('/healthz')\nasync def healthz(model=Depends(get_model)):\n    return {'status': 'ok'}\n",
    )
    evidence = run_both(tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "depends on `get_model`" in evidence[0].detail


def test_helm_probe_from_values_is_matched(tmp_path: Path) -> None:
    write(tmp_path, "src/fraud_scoring/app.py", FASTAPI_APP)
    write(tmp_path, "charts/scorer/Chart.yaml", "apiVersion: v2\nname: scorer\nversion: 0.1.0\n")
    write(
        tmp_path,
        "charts/scorer/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-scorer\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: scorer\n          image: {{ .Values.image }}\n          readinessProbe:\n"
        "            {{- toYaml .Values.readinessProbe | nindent 12 }}\n",
    )
    write(tmp_path, "charts/scorer/values.yaml", "image: scorer:1\nreadinessProbe:\n  httpGet:\n    path: /health\n    port: http\n")
    evidence = run_both(tmp_path)
    probe = [found for found in evidence if found.detail.startswith("readinessProbe")]
    assert probe[0].verdict == "supports"
    assert "(from charts/scorer/values.yaml) calls /health" in probe[0].detail
    assert "Deployment `{{…}}-scorer`" in probe[0].detail


def test_malformed_route_module_and_manifest_are_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "service/app.py", 'from fastapi import FastAPI\napp = FastAPI()\n\n@app.get("/health")\ndef health(:\n    return {}\n')
    write(tmp_path, "deploy/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nspec: [unclosed\n")
    write(tmp_path, "scripts/broken_helper.py", "def f(:\n    pass\n")
    evidence = run_both(tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable", "unreadable"]
    assert [found.path for found in evidence] == ["service/app.py", "deploy/deployment.yaml"]
    assert "could not be parsed as Python" in evidence[0].detail


def test_probe_at_the_root_of_a_non_python_server_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "deploy/deployment.yaml", deployment("          livenessProbe:\n            httpGet: {path: /, port: http}\n"))
    evidence = run_both(tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "calls /, which is not a health or model-status endpoint" in evidence[0].detail
    assert evidence[0].detector == "kubernetes-probes"


def test_bentoml_service_without_own_check_is_noted(tmp_path: Path) -> None:
    write(
        tmp_path,
        "service.py",
        "import bentoml\n\n\n@bentoml.service(resources={'cpu': '2'})\nclass FraudScorer:\n"
        "    def __init__(self) -> None:\n        self.model = bentoml.sklearn.load_model('fraud-gbm:latest')\n\n"
        "    @bentoml.api\n    def predict(self, rows: list[dict]) -> list[float]:\n        return self.model.predict_proba(rows)[:, 1].tolist()\n",
    )
    evidence = run_both(tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "BentoML service in service.py:4" in evidence[0].detail and evidence[0].detector == "health-route"

    write(tmp_path, "k8s/deployment.yaml", deployment("          readinessProbe:\n            httpGet: {path: /readyz, port: 3000}\n"))
    evidence = run_both(tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "supports"]
    assert "BentoML's built-in /readyz" in evidence[1].detail


def test_flask_rule_with_lambda_and_probe_under_a_prefix(tmp_path: Path) -> None:
    write(
        tmp_path,
        "webapp/server.py",
        "from flask import Flask\n\nfrom webapp.model import ModelHolder\n\napp = Flask(__name__)\nholder = ModelHolder()\n\n"
        "app.add_url_rule('/ping', view_func=lambda: 'pong')\n\n\n"
        "@app.get('/ready')\ndef ready():\n    return ('', 200) if holder.loaded else ('model loading', 503)\n",
    )
    write(tmp_path, "deploy/deployment.yaml", deployment("          readinessProbe:\n            httpGet: {path: /api/ready, port: 8080}\n"))
    evidence = run_both(tmp_path)
    details = {found.detail: found.verdict for found in evidence}
    assert details["`/ping` in webapp/server.py:8 returns a constant; it does not check that the model is loaded"] == "partial"
    assert details["`/ready` in webapp/server.py:11 checks `holder.loaded`"] == "supports"
    assert details[
        "readinessProbe of container `scorer` in Deployment `fraud-scorer` calls /api/ready, which checks `holder.loaded` (webapp/server.py:11)"
    ] == "supports"
