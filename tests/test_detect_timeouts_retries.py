"""Item 31 (timeouts-retries): client timeouts with bounded retries, in Python clients and mesh config."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.serving_resilience import client_timeouts_retries, mesh_timeouts_retries

ITEM = "timeouts-retries"


TENACITY_CLIENT = '''\
"""HTTP client the checkout service uses to score a transaction with the fraud model."""

from __future__ import annotations

import requests
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

SCORER_URL = "http://fraud-scorer.fraud.svc:8080/v1/score"


class FraudScoreClient:
    def __init__(self, session: requests.Session | None = None, timeout: float = 0.15) -> None:
        self.session = session or requests.Session()
        self.timeout = timeout

    @retry(
        stop=stop_after_attempt(3),
        wait=wait_random_exponential(multiplier=0.05, max=0.5),
        retry=retry_if_exception_type((requests.ConnectionError, requests.Timeout)),
        reraise=True,
    )
    def score(self, transaction: dict) -> float:
        response = self.session.post(SCORER_URL, json=transaction, timeout=self.timeout)
        response.raise_for_status()
        return response.json()["score"]
'''


def test_tenacity_retry_around_a_call_with_a_timeout_supports(tmp_path: Path) -> None:
    write(tmp_path, "src/checkout/fraud_client.py", TENACITY_CLIENT)
    evidence = run_detector(client_timeouts_retries, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == (
        "`self.session.post` in `FraudScoreClient.score` has a timeout and retries up to 3 attempts "
        "with exponential backoff and jitter (tenacity)"
    )
    assert (evidence[0].path, evidence[0].line) == ("src/checkout/fraud_client.py", 23)


URLLIB3_CLIENT = '''\
import os

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

MODEL_URL = os.environ.get("RANKER_MODEL_URL", "http://ranker-predictor.ml.svc")


def build_session() -> requests.Session:
    session = requests.Session()
    retries = Retry(total=3, backoff_factor=0.2, status_forcelist=(502, 503, 504), allowed_methods=frozenset({"POST"}))
    session.mount("http://", HTTPAdapter(max_retries=retries))
    return session


SESSION = build_session()


def predict(features: dict) -> list[float]:
    response = SESSION.post(f"{MODEL_URL}/v1/models/ranker:predict", json={"instances": [features]}, timeout=(0.05, 0.3))
    response.raise_for_status()
    return response.json()["predictions"]


def download_catalog(path: str) -> bytes:
    return requests.get("https://data.example.com/catalog.parquet").content
'''


def test_urllib3_retry_mounted_on_the_session_supports_and_data_downloads_are_ignored(tmp_path: Path) -> None:
    write(tmp_path, "ranker/client.py", URLLIB3_CLIENT)
    evidence = run_detector(client_timeouts_retries, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == (
        "`SESSION.post` in `predict` has a timeout and retries up to 3 times with exponential backoff (no jitter) "
        "(urllib3 Retry)"
    )


def test_urllib3_retry_that_does_not_retry_post_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "ranker/client.py", URLLIB3_CLIENT.replace(', allowed_methods=frozenset({"POST"})', ""))
    evidence = run_detector(client_timeouts_retries, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == (
        "`SESSION.post` in `predict` has a timeout, but urllib3 Retry retries POST only on connection errors: "
        "add POST to `allowed_methods` to retry timeouts and 5xx answers"
    )


def test_call_without_timeout_is_partial(tmp_path: Path) -> None:
    write(
        tmp_path,
        "batch/score_client.py",
        "import requests\n\nMODEL_URL = 'http://fraud-scorer/v1/score'\n\n\n"
        "def score(rows):\n    return requests.post(MODEL_URL, json={'rows': rows}).json()\n",
    )
    evidence = run_detector(client_timeouts_retries, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == "`requests.post` in `score` calls the model without a timeout"


def test_unbounded_retry_and_fixed_wait_are_partial(tmp_path: Path) -> None:
    write(
        tmp_path,
        "client/scoring.py",
        "import httpx\nfrom tenacity import retry, stop_after_attempt, wait_fixed\n\n"
        "client = httpx.Client(base_url='http://scorer:8080', timeout=0.5)\n\n\n"
        "@retry\ndef predict(payload):\n    return client.post('/predict', json=payload).json()\n\n\n"
        "@retry(stop=stop_after_attempt(4), wait=wait_fixed(1))\ndef score_batch(payload):\n"
        "    return client.post('/score', json=payload).json()\n",
    )
    evidence = run_detector(client_timeouts_retries, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    details = sorted(found.detail for found in evidence)
    assert details[0] == (
        "`client.post` in `predict` has timeout=0.5 on its client, but tenacity has no stop condition: "
        "retries without a limit can cause a thundering herd"
    )
    assert details[1] == (
        "`client.post` in `score_batch` has timeout=0.5 on its client and retries up to 4 attempts with no backoff "
        "(tenacity); add exponential backoff with jitter"
    )


def test_timeout_without_retry_is_partial(tmp_path: Path) -> None:
    write(
        tmp_path,
        "client/scoring.py",
        "import requests\n\n\ndef predict(payload):\n"
        "    return requests.post('http://scorer:8080/predict', json=payload, timeout=0.2).json()\n",
    )
    evidence = run_detector(client_timeouts_retries, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == "`requests.post` in `predict` has timeout=0.2 but is never retried"


def test_backoff_loop_grpc_and_sagemaker_clients_support(tmp_path: Path) -> None:
    write(
        tmp_path,
        "clients/loop.py",
        "import random\nimport time\n\nimport requests\n\n\ndef predict(payload, attempts=3):\n"
        "    for attempt in range(3):\n        try:\n"
        "            return requests.post('http://scorer/predict', json=payload, timeout=0.3).json()\n"
        "        except requests.RequestException:\n"
        "            time.sleep(0.1 * 2 ** attempt + random.uniform(0, 0.05))\n    raise RuntimeError('scorer down')\n",
    )
    write(
        tmp_path,
        "clients/grpc_client.py",
        "import json\n\nimport grpc\n\nfrom protos import prediction_service_pb2_grpc\n\n"
        "SERVICE_CONFIG = {'methodConfig': [{'name': [{'service': 'tensorflow.serving.PredictionService'}],\n"
        "    'timeout': '0.5s', 'retryPolicy': {'maxAttempts': 3, 'initialBackoff': '0.05s', 'maxBackoff': '0.5s',\n"
        "    'backoffMultiplier': 2, 'retryableStatusCodes': ['UNAVAILABLE']}}]}\n\n\n"
        "def predict(request):\n"
        "    channel = grpc.insecure_channel('tf-serving:8500', options=[('grpc.service_config', json.dumps(SERVICE_CONFIG))])\n"
        "    stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)\n"
        "    return stub.Predict(request, timeout=0.5)\n",
    )
    write(
        tmp_path,
        "clients/sagemaker_client.py",
        "import boto3\nfrom botocore.config import Config\n\n"
        "runtime = boto3.client('sagemaker-runtime', config=Config(read_timeout=2, connect_timeout=1,\n"
        "                       retries={'max_attempts': 3, 'mode': 'standard'}))\n\n\n"
        "def score(body):\n    return runtime.invoke_endpoint(EndpointName='fraud', ContentType='application/json', Body=body)\n",
    )
    evidence = run_detector(client_timeouts_retries, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports", "supports"]
    details = [found.detail for found in evidence]
    assert details[0] == (
        "`stub.Predict` in `predict` has timeout=0.5 and retries up to 3 attempts with exponential backoff and jitter "
        "(gRPC retryPolicy)"
    )
    assert details[1] == (
        "`requests.post` in `predict` has timeout=0.3 and retries up to 3 attempts with exponential backoff and jitter "
        "(retry loop)"
    )
    assert details[2] == (
        "`runtime.invoke_endpoint` in `score` has read_timeout=2 on its client and retries up to 3 attempts with "
        "exponential backoff and jitter (botocore standard mode)"
    )


def test_sagemaker_without_config_and_test_files_are_not_supports(tmp_path: Path) -> None:
    write(
        tmp_path,
        "clients/sagemaker_client.py",
        "import boto3\n\nruntime = boto3.client('sagemaker-runtime')\n\n\n"
        "def score(body):\n    return runtime.invoke_endpoint(EndpointName='fraud', Body=body)\n",
    )
    write(tmp_path, "tests/test_client.py", TENACITY_CLIENT)
    evidence = run_detector(client_timeouts_retries, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "without a timeout (botocore waits 60 s by default" in evidence[0].detail


def test_nothing_and_malformed_python(tmp_path: Path) -> None:
    assert run_detector(client_timeouts_retries, tmp_path) == []
    write(tmp_path, "client/broken.py", "import requests\nTIMEOUT = 0.2\ndef predict(:\n")
    write(tmp_path, "scripts/unrelated.py", "import requests\ndef fetch(:\n")
    evidence = run_detector(client_timeouts_retries, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "client/broken.py"


VIRTUAL_SERVICE = """\
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: fraud-scorer
  namespace: fraud
spec:
  hosts: [fraud-scorer.fraud.svc.cluster.local]
  http:
    - name: score
      route:
        - destination: {host: fraud-scorer.fraud.svc.cluster.local, port: {number: 8080}}
      timeout: 300ms
      retries:
        attempts: 2
        perTryTimeout: 120ms
        retryOn: connect-failure,refused-stream,unavailable,503
    - name: explain
      route:
        - destination: {host: fraud-explainer.fraud.svc.cluster.local}
      timeout: 2s
"""


def test_istio_route_with_timeout_and_retries_supports(tmp_path: Path) -> None:
    write(tmp_path, "deploy/istio/virtual-service.yaml", VIRTUAL_SERVICE)
    evidence = run_detector(mesh_timeouts_retries, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "partial"]
    assert evidence[0].detail == (
        "Istio VirtualService `fraud-scorer` route `score` has timeout 300ms and 2 retries (perTryTimeout 120ms); "
        "Istio backs off with jitter between retries"
    )
    assert evidence[1].detail == (
        "Istio VirtualService `fraud-scorer` route `explain` has a timeout but no retry policy (`retries` with attempts)"
    )


def test_disabled_retries_and_routing_only_services_are_not_supports(tmp_path: Path) -> None:
    write(
        tmp_path,
        "deploy/istio/vs.yaml",
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: scorer}\nspec:\n"
        "  hosts: [scorer]\n  http:\n    - route: [{destination: {host: scorer}}]\n      retries: {attempts: 0}\n"
        "    - route: [{destination: {host: scorer-canary}}]\n",
    )
    evidence = run_detector(mesh_timeouts_retries, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "disables retries" in evidence[0].detail


def test_linkerd_envoy_and_grpc_config_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        "deploy/linkerd/profile.yaml",
        "apiVersion: linkerd.io/v1alpha2\nkind: ServiceProfile\nmetadata: {name: scorer.ml.svc.cluster.local}\n"
        "spec:\n  retryBudget: {retryRatio: 0.2, minRetriesPerSecond: 10, ttl: 10s}\n  routes:\n"
        "    - name: POST /v1/score\n      condition: {method: POST, pathRegex: /v1/score}\n"
        "      isRetryable: true\n      timeout: 250ms\n",
    )
    write(
        tmp_path,
        "proxy/envoy.yaml",
        "static_resources:\n  listeners: []\n  clusters: []\nroute_config:\n  virtual_hosts:\n    - name: scorer\n"
        "      domains: ['*']\n      routes:\n        - match: {prefix: /v1/score}\n"
        "          route:\n            cluster: scorer\n            timeout: 0.3s\n"
        "            retry_policy: {retry_on: 5xx, num_retries: 2, per_try_timeout: 0.1s}\n",
    )
    write(
        tmp_path,
        "clients/service_config.json",
        '{"methodConfig": [{"name": [{"service": "inference.GRPCInferenceService"}], "timeout": "1s",'
        ' "retryPolicy": {"maxAttempts": 4, "initialBackoff": "0.1s", "maxBackoff": "1s", "backoffMultiplier": 2,'
        ' "retryableStatusCodes": ["UNAVAILABLE"]}}]}',
    )
    evidence = run_detector(mesh_timeouts_retries, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports", "supports"]
    details = [found.detail for found in evidence]
    assert details[0] == (
        "Linkerd ServiceProfile `scorer.ml.svc.cluster.local` route `POST /v1/score` has timeout 250ms and is retried "
        "within a retry budget of 20%"
    )
    assert details[1] == "Envoy route to `scorer` has timeout 0.3s and 2 retries (Envoy backs off with jitter)"
    assert details[2] == (
        "gRPC service config has timeout 1s and retries up to 4 attempts with exponential backoff and jitter "
        "(gRPC retryPolicy)"
    )


def test_no_mesh_and_malformed_mesh_file(tmp_path: Path) -> None:
    assert run_detector(mesh_timeouts_retries, tmp_path) == []
    write(tmp_path, "deploy/istio/vs.yaml", "kind: VirtualService\nspec: {http: [\n")
    evidence = run_detector(mesh_timeouts_retries, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
