"""Item 28 (request-logging): serving middleware that logs request id and latency, payload logging."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.observability import payload_logging, request_logging_code

ITEM = "request-logging"


LOGGING_SETUP = """\
import logging
import logging.handlers
import queue

log_queue: queue.Queue = queue.Queue(-1)


def configure_logging() -> logging.handlers.QueueListener:
    stream = logging.StreamHandler()
    listener = logging.handlers.QueueListener(log_queue, stream)
    root = logging.getLogger()
    root.addHandler(logging.handlers.QueueHandler(log_queue))
    listener.start()
    return listener
"""

FASTAPI_MIDDLEWARE = """\
import logging
import time
import uuid

from fastapi import FastAPI, Request

logger = logging.getLogger("scoring.requests")
app = FastAPI()


@app.middleware("http")
async def log_requests(request: Request, call_next):
    request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
    start = time.perf_counter()
    response = await call_next(request)
    latency_ms = (time.perf_counter() - start) * 1000
    response.headers["X-Request-ID"] = request_id
    logger.info("prediction", extra={"request_id": request_id, "latency_ms": latency_ms,
                                     "status": response.status_code})
    return response


@app.post("/predict")
async def predict(payload: dict) -> dict:
    return {"score": 0.1}
"""


def test_fastapi_middleware_with_queue_handler_supports(tmp_path: Path) -> None:
    write(tmp_path, "scoring/logging_setup.py", LOGGING_SETUP)
    write(tmp_path, "scoring/app.py", FASTAPI_MIDDLEWARE)
    evidence = run_detector(request_logging_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert found.path == "scoring/app.py" and found.line == 12
    assert "log_requests" in found.detail
    assert "X-Request-ID" in found.detail and "perf_counter" in found.detail
    assert "QueueHandler" in found.detail


def test_synchronous_logging_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "scoring/app.py", FASTAPI_MIDDLEWARE)
    evidence = run_detector(request_logging_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "synchronously" in evidence[0].detail


def test_background_task_in_handler_supports(tmp_path: Path) -> None:
    write(tmp_path, "serve/api.py", """\
import time
import uuid

from fastapi import BackgroundTasks, FastAPI

from serve.sink import prediction_log

app = FastAPI()


@app.post("/v1/score")
def score(payload: dict, background_tasks: BackgroundTasks) -> dict:
    request_id = str(uuid.uuid4())
    started = time.monotonic()
    result = {"score": 0.42}
    elapsed = time.monotonic() - started
    background_tasks.add_task(prediction_log.info, "scored", request_id=request_id, latency_s=elapsed)
    return {"request_id": request_id, **result}
""")
    evidence = run_detector(request_logging_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "route handler `score`" in evidence[0].detail
    assert "add_task" in evidence[0].detail


def test_flask_hooks_with_kafka_producer_supports(tmp_path: Path) -> None:
    write(tmp_path, "app/server.py", """\
import json
import time
import uuid

from flask import Flask, g, request
from kafka import KafkaProducer

app = Flask(__name__)
producer = KafkaProducer(bootstrap_servers="kafka:9092")


@app.before_request
def start_timer():
    g.request_id = request.headers.get("X-Request-ID", str(uuid.uuid4()))
    g.start = time.perf_counter()


@app.after_request
def log_prediction(response):
    record = {"request_id": g.request_id, "latency_ms": (time.perf_counter() - g.start) * 1000,
              "ts": time.time(), "status": response.status_code}
    producer.send("prediction-log", json.dumps(record).encode())
    return response
""")
    evidence = run_detector(request_logging_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "Flask request hooks" in evidence[0].detail
    assert "producer" in evidence[0].detail


def test_missing_request_id_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "scoring/logging_setup.py", LOGGING_SETUP)
    write(tmp_path, "scoring/app.py", """\
import logging
import time

from fastapi import FastAPI

logger = logging.getLogger(__name__)
app = FastAPI()


@app.middleware("http")
async def timing(request, call_next):
    start = time.perf_counter()
    response = await call_next(request)
    logger.info("served %s in %.1f ms", request.url.path, (time.perf_counter() - start) * 1000)
    return response
""")
    evidence = run_detector(request_logging_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no request id" in evidence[0].detail


def test_middleware_class_never_added_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "scoring/logging_setup.py", LOGGING_SETUP)
    write(tmp_path, "scoring/middleware.py", """\
import logging
import time
import uuid

from starlette.middleware.base import BaseHTTPMiddleware

logger = logging.getLogger(__name__)


class RequestLogMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        start = time.perf_counter()
        response = await call_next(request)
        logger.info("request", extra={"request_id": request_id, "latency": time.perf_counter() - start})
        return response
""")
    write(tmp_path, "scoring/app.py", "from fastapi import FastAPI\n\napp = FastAPI()\n")
    evidence = run_detector(request_logging_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "never added" in evidence[0].detail

    write(tmp_path, "scoring/app.py", """\
from fastapi import FastAPI

from scoring.middleware import RequestLogMiddleware

app = FastAPI()
app.add_middleware(RequestLogMiddleware)
""")
    evidence = run_detector(request_logging_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "RequestLogMiddleware" in evidence[0].detail


def test_timing_middleware_that_logs_nothing_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "scoring/app.py", """\
import time

from fastapi import FastAPI

app = FastAPI()


@app.middleware("http")
async def add_process_time_header(request, call_next):
    start_time = time.perf_counter()
    response = await call_next(request)
    response.headers["X-Process-Time"] = str(time.perf_counter() - start_time)
    return response
""")
    evidence = run_detector(request_logging_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "logs nothing" in evidence[0].detail


def test_nothing_and_test_files_give_nothing(tmp_path: Path) -> None:
    assert run_detector(request_logging_code, tmp_path) == []
    write(tmp_path, "tests/test_app.py", FASTAPI_MIDDLEWARE)
    write(tmp_path, "docs/notes.md", "We log every request with its X-Request-ID and latency.\n")
    write(tmp_path, "scoring/train.py", "import logging\nlogger = logging.getLogger()\nlogger.info('training done')\n")
    assert run_detector(request_logging_code, tmp_path) == []


def test_commented_out_middleware_is_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, "scoring/logging_setup.py", LOGGING_SETUP)
    commented = "\n".join(f"# {line}" for line in FASTAPI_MIDDLEWARE.splitlines())
    write(tmp_path, "scoring/app.py", commented + "\n")
    assert verdicts(run_detector(request_logging_code, tmp_path), ITEM) == []


def test_broken_middleware_module_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "scoring/app.py", FASTAPI_MIDDLEWARE.replace("async def log_requests(", "async def log_requests(("))
    evidence = run_detector(request_logging_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]


# ---------------------------------------------------------------------- platform payload logging
def test_kserve_logger_supports(tmp_path: Path) -> None:
    write(tmp_path, "deploy/isvc.yaml", """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: fraud-scorer
spec:
  predictor:
    logger:
      mode: all
      url: http://message-dumper.monitoring.svc.cluster.local
    sklearn:
      storageUri: gs://models/fraud/v12
""")
    evidence = run_detector(payload_logging, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "InferenceService `fraud-scorer`" in evidence[0].detail
    assert evidence[0].line == 7


def test_seldon_logger_at_zero_percent_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "deploy/model.yaml", """\
apiVersion: mlops.seldon.io/v1alpha1
kind: Model
metadata:
  name: fraud
spec:
  storageUri: gs://models/fraud
  logger:
    percent: 0
""")
    evidence = run_detector(payload_logging, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "0 percent" in evidence[0].detail


def test_sagemaker_terraform_capture(tmp_path: Path) -> None:
    write(tmp_path, "infra/endpoint.tf", """\
resource "aws_sagemaker_endpoint_configuration" "scorer" {
  name = "scorer-config"

  production_variants {
    variant_name  = "primary"
    model_name    = aws_sagemaker_model.scorer.name
    instance_type = "ml.m5.large"
  }

  data_capture_config {
    enable_capture              = true
    initial_sampling_percentage = 20
    destination_s3_uri          = "s3://ml-capture/scorer"
    capture_options {
      capture_mode = "Input"
    }
    capture_options {
      capture_mode = "Output"
    }
  }
}
""")
    evidence = run_detector(payload_logging, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "SageMaker data capture on `scorer`" in evidence[0].detail and "20%" in evidence[0].detail

    write(tmp_path, "infra/endpoint.tf", (tmp_path / "infra/endpoint.tf").read_text().replace(
        "enable_capture              = true", "enable_capture              = false"))
    evidence = run_detector(payload_logging, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "turned off" in evidence[0].detail


def test_look_alike_manifests_give_nothing(tmp_path: Path) -> None:
    write(tmp_path, "deploy/isvc.yaml", """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: fraud-scorer
  annotations:
    note: "logger to be added"
spec:
  predictor:
    sklearn:
      storageUri: gs://models/fraud/v12
""")
    write(tmp_path, "config/logging.yaml", "logger:\n  level: INFO\n")
    assert run_detector(payload_logging, tmp_path) == []


def test_malformed_capture_json_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "infra/endpoint-config.json", '{"EndpointConfigName": "scorer", "DataCaptureConfig": {')
    evidence = run_detector(payload_logging, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    write(tmp_path, "infra/endpoint-config.json",
          '{"EndpointConfigName": "scorer", "DataCaptureConfig": {"EnableCapture": true, '
          '"InitialSamplingPercentage": 100, "DestinationS3Uri": "s3://capture"}}')
    evidence = run_detector(payload_logging, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]


def test_helm_template_kserve_logger_and_yaml_queue_config(tmp_path: Path) -> None:
    write(tmp_path, "charts/scorer/templates/isvc.yaml", """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: {{ .Release.Name }}-scorer
spec:
  predictor:
    {{- if .Values.payloadLogging.enabled }}
    logger:
      mode: {{ .Values.payloadLogging.mode | quote }}
      url: {{ .Values.payloadLogging.url }}
    {{- end }}
    sklearn:
      storageUri: {{ .Values.modelUri }}
""")
    evidence = run_detector(payload_logging, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "from Helm values" in evidence[0].detail and "{{…}}-scorer" in evidence[0].detail

    write(tmp_path, "scoring/app.py", FASTAPI_MIDDLEWARE)
    write(tmp_path, "config/logging.yaml", """\
version: 1
handlers:
  console:
    class: logging.StreamHandler
  queued:
    class: logging.handlers.QueueHandler
    handlers: [console]
root:
  handlers: [queued]
""")
    evidence = run_detector(request_logging_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "config/logging.yaml" in evidence[0].detail


def test_asgi_middleware_with_injected_clock_supports(tmp_path: Path) -> None:
    write(tmp_path, "src/scoring/request_log.py", """\
import json
import logging
import time
from logging.handlers import QueueHandler


class AccessLogMiddleware:
    def __init__(self, app, clock=time.perf_counter):
        self.app = app
        self.clock = clock
        self.logger = logging.getLogger("scoring.access")

    async def __call__(self, scope, receive, send):
        request_id = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode()
        start = self.clock()
        try:
            await self.app(scope, receive, send)
        finally:
            seconds = self.clock() - start
            self.logger.info(json.dumps({"request_id": request_id, "latency_ms": round(seconds * 1000, 2)}))


def install(root):
    root.addHandler(QueueHandler(root.queue))
""")
    write(tmp_path, "src/scoring/app.py", """\
from fastapi import FastAPI

from scoring.request_log import AccessLogMiddleware

app = FastAPI()
app.add_middleware(AccessLogMiddleware)
""")
    evidence = run_detector(request_logging_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`latency_ms`" in evidence[0].detail and "AccessLogMiddleware" in evidence[0].detail
