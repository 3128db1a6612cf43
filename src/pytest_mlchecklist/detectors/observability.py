"""Items 28 (request-logging), 38 (alert-fatigue) and 39 (stakeholder-dashboards).

**28 request-logging.** Two detectors.

``request-logging-code`` parses (never imports) the repository's non-test Python modules whose
text mentions middleware, Flask request hooks or a request id / timer together with logging.
A *logging unit* is one of:

* FastAPI/Starlette middleware: a function decorated ``@app.middleware("http")``; the
  ``dispatch`` method of a ``BaseHTTPMiddleware`` subclass; the ``__call__`` of a pure ASGI
  middleware class (``__call__(self, scope, receive, send)``);
* Flask hooks: the ``before_request`` / ``after_request`` / ``teardown_request`` functions of a
  module, read together (the id and the start time are usually set in one, logged in the other);
* a route handler (``@app.post(...)``, ``@app.route(...)``, ``@router.api_route(...)``...) or a
  function named ``predict*``, only when it logs and handles a request id or a timer itself.

Module-level functions the unit calls directly are read with it (one level). In a unit:

* *logs*: a call to ``logging`` / ``structlog`` / ``loguru`` or to a method ``info``, ``debug``,
  ``warning``, ``log``... on a receiver whose name holds ``log``; or a send to a queue or a
  producer (``producer.send``, ``.produce``, ``.publish``, ``queue.put_nowait``...);
* *request id*: an ``X-Request-ID`` / ``request-id`` / ``correlation-id`` / ``trace-id`` string, a
  name such as ``request_id``, or ``uuid.uuid4()``;
* *latency*: a subtraction (a measured duration) with a timer call (``time.perf_counter``,
  ``time.monotonic``, ``time.time``...) or, for an injected clock, a name or key such as
  ``latency_ms``, ``duration``, ``elapsed``;
* *non-blocking*: in the unit, a background task (``BackgroundTasks.add_task``,
  ``asyncio.create_task``, ``run_in_executor``, ``executor.submit``, a thread), a queue or
  producer send, or sampling (``random.random() < rate``); or anywhere in the non-test Python or
  a YAML logging config of the repository, a ``QueueHandler`` / ``QueueListener`` or a loguru sink
  added with ``enqueue=True``.

The time of each record is the log record's own timestamp (every logging library stamps it).
A unit that logs with a request id, a latency and a non-blocking path is ``supports``; anything
less is ``partial`` naming what is missing. A middleware class that is never added to an
application (no ``add_middleware(Class)`` / ``Middleware(Class)`` / ``app.wsgi_app = Class(...)``
in the non-test Python) is ``partial`` whatever it does; a middleware that times requests but
logs nothing is ``partial``.

``payload-logging`` reads the serving platform's own payload logging, which stamps each payload
with an id and a time, ships it asynchronously, and whose request metrics give the latency:

* KServe ``InferenceService``: a ``logger`` block under a predictor/transformer/explainer
  (``mode`` all/request/response); Seldon ``SeldonDeployment`` / ``Model``: a ``logger`` block in
  the graph or spec (``percent: 0`` is partial);
* SageMaker data capture: Terraform ``aws_sagemaker_endpoint_configuration`` with a
  ``data_capture_config`` whose ``enable_capture`` is true and ``initial_sampling_percentage`` >
  0; CloudFormation / boto3 JSON or YAML ``DataCaptureConfig`` with ``EnableCapture: true``;
  the Python SDK ``DataCaptureConfig(enable_capture=True, ...)``. Capture turned off or at 0 % is
  partial.

**38 alert-fatigue** (``alert-tuning``). Alerting rules come from
:func:`prometheus.rule_files` (test folders left out). *Tuned rules*: every alert has a ``for:``
duration other than zero and a ``severity`` label. *Routing*: an Alertmanager configuration
(a YAML mapping holding ``route`` and ``receivers``: ``alertmanager.yml``, Helm values of
kube-prometheus-stack, anywhere nested) or an ``AlertmanagerConfig`` resource, judged on three
things: grouping (``group_by``), routes that match on ``severity`` and send to at least two
receivers (page vs ticket), and ``inhibit_rules``. *Review*: a Markdown section whose heading is
about alert review / tuning / hygiene / noisy alerts, with something written under it and an ISO
date at most ``alert_review_max_days`` days old (configuration, default 180). The item is ``supports`` when the rules are
tuned and either the routing has all three parts or a recent review is recorded; otherwise one
``partial`` lists what is missing ("3 of 12 alerts fire without `for:`", "no alert review
recorded"). A rule file that does not parse is ``unreadable`` and prevents ``supports`` (the
untuned alerts may be in it).

**39 stakeholder-dashboards** (``audience-dashboards``). Dashboards come from
:func:`grafana.dashboards`. Each panel with a query is classified from the words of its title,
description and query (first match wins): *model quality* (drift, PSI, AUC, accuracy,
precision, recall, calibration, features...), *business* (revenue, conversions, approvals,
chargebacks, losses, orders...), *platform* (cpu, memory, latency, duration, errors, pods, restarts,
requests, GPU...), then *model* again for weaker words (score, prediction, model). A dashboard
belongs to the audience most of its classified panels serve (ties: model, platform, business).
The item is ``supports`` when the model audience and at least one other audience each have a
dashboard of their own (:data:`REQUIRED_AUDIENCES` documents the rule); ``partial`` names the
audiences found and those missing. Dashboards with no panel holding a query, and dashboards whose
content is elsewhere (``spec.url``, ``configMapRef``), do not count and are named when nothing
else is found.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pytest_mlchecklist.detectors import grafana, prometheus
from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector, iter_nodes
from pytest_mlchecklist.detectors.python_code import dotted_name, import_aliases, is_test_path, resolve_alias
from pytest_mlchecklist.detectors.runbooks import DateMention, iso_dates, plain_title
from pytest_mlchecklist.detectors.terraform import HclError, attribute, bool_value, hcl_blocks, nested_blocks
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.markdown import MarkdownDocument, MarkdownSection

REQUEST_LOGGING = "request-logging"
ALERT_FATIGUE = "alert-fatigue"
DASHBOARDS = "stakeholder-dashboards"

#: An alert review older than this (days) no longer counts as a review.
#: Dashboards per audience: the model view is required, plus this many audiences in all.
REQUIRED_AUDIENCES = 2


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"


# ====================================================================== 28: request logging in code
_CODE_HINTS = ("middleware", "before_request", "after_request", "request_id", "X-Request-ID", "x-request-id",
               "perf_counter", "uuid4", "correlation", "monotonic")
_LOG_HINTS = ("log", "producer", "publish", "queue", "middleware", "before_request", "after_request")
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "msg",
                          "success", "trace"})
_SEND_METHODS = frozenset({"send", "produce", "publish", "put_nowait", "put", "send_message", "put_record",
                           "put_records", "send_batch", "emit"})
_SEND_RECEIVERS = re.compile(r"producer|queue|publisher|kafka|kinesis|firehose|pubsub|sqs|stream|sink|emitter", re.I)
_ASYNC_CALLS = frozenset({"add_task", "create_task", "ensure_future", "run_in_executor", "submit", "to_thread",
                          "start_soon", "apply_async", "delay"})
_TIMERS = frozenset({"time.perf_counter", "time.perf_counter_ns", "time.monotonic", "time.monotonic_ns",
                     "time.time", "time.time_ns", "timeit.default_timer", "perf_counter", "monotonic"})
_ID_STRING = re.compile(r"^x-(?:request|correlation|trace)-id$|^(?:request|correlation|trace)[-_]id$", re.I)
_ID_NAME = re.compile(r"(?:^|_)(?:request|req|correlation|trace)_?id$", re.I)
_ROUTE_DECORATORS = frozenset({"get", "post", "put", "patch", "route", "api_route", "websocket"})
_FLASK_HOOKS = frozenset({"before_request", "after_request", "teardown_request"})
_QUEUE_HANDLER = re.compile(r"QueueHandler|QueueListener")
_LATENCY_NAME = re.compile(r"^[\w-]*(?:latency|duration|elapsed|response[_-]?time|process[_-]?time)[\w-]*$", re.I)

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class _Unit:
    """A piece of serving code that may log requests: what it is, where, and its function bodies."""

    kind: str
    name: str
    path: str
    line: int
    functions: list[FunctionNode]
    middleware_class: str | None = None


@dataclass
class _Facts:
    """What the bodies of a unit do."""

    logs: list[str] = field(default_factory=list)
    request_id: list[str] = field(default_factory=list)
    latency: list[str] = field(default_factory=list)
    has_subtraction: bool = False
    latency_names: list[str] = field(default_factory=list)
    non_blocking: list[str] = field(default_factory=list)


def _add(found: list[str], value: str) -> None:
    if value not in found:
        found.append(value)


def _decorator_call(decorator: ast.expr) -> tuple[str | None, ast.Call | None]:
    """The dotted name of a decorator (``app.middleware``) and its call, if it is called."""
    if isinstance(decorator, ast.Call):
        return dotted_name(decorator.func), decorator
    return dotted_name(decorator), None


def _module_functions(tree: ast.Module) -> dict[str, FunctionNode]:
    return {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _base_names(node: ast.ClassDef) -> list[str]:
    return [name.rsplit(".", 1)[-1] for name in (dotted_name(base) for base in node.bases) if name]


def _units_in(path: str, tree: ast.Module) -> list[_Unit]:
    """Middleware, Flask hooks and route handlers of one module."""
    units: list[_Unit] = []
    hooks: list[FunctionNode] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = _base_names(node)
            methods = {item.name: item for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))}
            if "BaseHTTPMiddleware" in bases and "dispatch" in methods:
                units.append(_Unit("middleware class", node.name, path, node.lineno, [methods["dispatch"]], node.name))
            elif "__call__" in methods and "middleware" in node.name.lower():
                units.append(_Unit("ASGI/WSGI middleware", node.name, path, node.lineno, list(methods.values()), node.name))
            continue
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            name, call = _decorator_call(decorator)
            last = name.rsplit(".", 1)[-1] if name else ""
            if last == "middleware" and call is not None:
                units.append(_Unit("middleware", node.name, path, node.lineno, [node]))
                break
            if last in _FLASK_HOOKS:
                hooks.append(node)
                break
            if last in _ROUTE_DECORATORS and call is not None and name and "." in name:
                units.append(_Unit("route handler", node.name, path, node.lineno, [node]))
                break
        else:
            if node.name.startswith("predict") and not node.name.startswith("predict_proba"):
                units.append(_Unit("predict function", node.name, path, node.lineno, [node]))
    if hooks:
        names = ", ".join(f"`{hook.name}`" for hook in hooks)
        units.append(_Unit("Flask request hooks", names, path, hooks[0].lineno, hooks))
    return units


def _is_log_call(name: str) -> bool:
    head, _, last = name.rpartition(".")
    if name.startswith(("logging.", "structlog.", "loguru.")) and last in _LOG_METHODS | {"bind"}:
        return True
    return last in _LOG_METHODS and "log" in head.lower()


def _facts(unit: _Unit, module_functions: dict[str, FunctionNode], aliases: dict[str, str]) -> _Facts:
    """What the unit's functions (and module functions they call) do."""
    facts = _Facts()
    bodies: list[ast.AST] = list(unit.functions)
    seen = {id(function) for function in unit.functions}
    for function in unit.functions:
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                called = module_functions.get(node.func.id)
                if called is not None and id(called) not in seen:
                    seen.add(id(called))
                    bodies.append(called)
    for body in bodies:
        for node in ast.walk(body):
            _read_node(node, aliases, facts)
    if not facts.has_subtraction:
        facts.latency.clear()
    elif not facts.latency:
        facts.latency.extend(facts.latency_names)
    return facts


def _read_node(node: ast.AST, aliases: dict[str, str], facts: _Facts) -> None:
    if isinstance(node, ast.Call):
        raw = dotted_name(node.func)
        if raw is None:
            if isinstance(node.func, ast.Attribute) and node.func.attr in _LOG_METHODS:
                inner = dotted_name(node.func.value.func) if isinstance(node.func.value, ast.Call) else None
                if inner and ("log" in inner.lower()):
                    _add(facts.logs, f"`{inner}().{node.func.attr}`")
            return
        name = resolve_alias(raw, aliases)
        head, _, last = name.rpartition(".")
        if _is_log_call(name):
            _add(facts.logs, f"`{raw}`")
        elif last in _SEND_METHODS and _SEND_RECEIVERS.search(head):
            _add(facts.logs, f"`{raw}`")
            _add(facts.non_blocking, f"a send to `{head}`")
        if last in _ASYNC_CALLS or name in ("threading.Thread", "Thread"):
            _add(facts.non_blocking, f"`{raw}`")
            for argument in node.args[:2]:
                passed = dotted_name(argument)
                if passed and _is_log_call(resolve_alias(passed, aliases)):
                    _add(facts.logs, f"`{passed}`")
        if name in _TIMERS or (last in ("perf_counter", "monotonic", "perf_counter_ns") and head.endswith("time")):
            _add(facts.latency, f"`{name}`")
        if name in ("uuid.uuid4", "uuid.uuid1", "uuid4", "uuid.uuid7", "ulid.new"):
            _add(facts.request_id, "uuid4" if "uuid4" in name else name)
        if name in ("random.random", "random.uniform"):
            _add(facts.non_blocking, "sampling")
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
        facts.has_subtraction = True
    if isinstance(node, (ast.Name, ast.Attribute, ast.keyword, ast.Constant)):
        word = _identifier(node)
        if word and _LATENCY_NAME.search(word):
            _add(facts.latency_names, f"`{word}`")
    if isinstance(node, ast.Call):
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and _ID_STRING.match(node.value.strip()):
        _add(facts.request_id, f"`{node.value.strip()}` header" if node.value.lower().startswith("x-") else f"`{node.value}`")
    elif isinstance(node, ast.Name) and _ID_NAME.search(node.id):
        _add(facts.request_id, f"`{node.id}`")
    elif isinstance(node, ast.Attribute) and _ID_NAME.search(node.attr):
        _add(facts.request_id, f"`{node.attr}`")
    elif isinstance(node, ast.keyword) and node.arg and _ID_NAME.search(node.arg):
        _add(facts.request_id, f"`{node.arg}`")


def _identifier(node: ast.AST) -> str | None:
    """The name a node carries: a variable, an attribute, a keyword or a short string key."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.keyword):
        return node.arg
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) <= 40:
        return node.value.strip()
    return None


@dataclass
class _PythonFacts:
    """Repository-wide facts: middleware classes added to an app, queue logging handlers."""

    registered: set[str] = field(default_factory=set)
    queue_logging: tuple[str, int] | None = None
    units: list[tuple[_Unit, _Facts]] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def _registrations(tree: ast.Module, aliases: dict[str, str]) -> Iterator[str]:
    """Class names passed to ``add_middleware``/``Middleware``, or wrapped around ``wsgi_app``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = dotted_name(node.func) or ""
            last = name.rsplit(".", 1)[-1]
            if last in ("add_middleware", "Middleware") and node.args:
                target = dotted_name(node.args[0])
                if target:
                    yield target.rsplit(".", 1)[-1]
            elif any(isinstance(arg, ast.Attribute) and arg.attr in ("wsgi_app", "app") for arg in node.args):
                yield last
            elif last and last[0].isupper() and "middleware" in last.lower():
                yield last  # app = RequestLoggingMiddleware(app)


def _queue_logging(path: str, tree: ast.Module, aliases: dict[str, str]) -> int | None:
    """The line where a module sets up non-blocking logging (QueueHandler, loguru enqueue)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            raw = dotted_name(node.func) or ""
            if _QUEUE_HANDLER.search(raw.rsplit(".", 1)[-1]):
                return node.lineno
            if raw.endswith(".add") and any(
                item.arg == "enqueue" and isinstance(item.value, ast.Constant) and item.value.value is True
                for item in node.keywords
            ):
                return node.lineno
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in (
            "logging.handlers.QueueHandler", "logging.handlers.QueueListener"
        ):
            return node.lineno
    return None


def _python_facts(ctx: DetectorContext) -> _PythonFacts:
    result = _PythonFacts()
    paths = [path for path in ctx.candidates(REQUEST_LOGGING, ctx.index.with_suffix(".py")) if path.endswith(".py")]
    for path in paths:
        if is_test_path(path):
            continue
        text = ctx.index.read_text(path)
        if text is None:
            continue
        lowered = text.lower()
        wants_units = any(hint in text for hint in _CODE_HINTS) and any(hint in lowered for hint in _LOG_HINTS)
        wants_registry = "add_middleware" in text or "Middleware(" in text or "wsgi_app" in text
        wants_queue = bool(_QUEUE_HANDLER.search(text)) or "enqueue" in text
        if not (wants_units or wants_registry or wants_queue):
            continue
        tree = ctx.index.python_ast(path)
        if tree is None:
            if wants_units and "middleware" in text.lower():
                result.unreadable.append(path)
            continue
        aliases = import_aliases(tree)
        result.registered.update(_registrations(tree, aliases))
        if wants_queue and result.queue_logging is None:
            line = _queue_logging(path, tree, aliases)
            if line is not None:
                result.queue_logging = (path, line)
        if wants_units:
            functions = _module_functions(tree)
            for unit in _units_in(path, tree):
                result.units.append((unit, _facts(unit, functions, aliases)))
    if result.queue_logging is None:
        result.queue_logging = _yaml_queue_logging(ctx)
    return result


def _yaml_queue_logging(ctx: DetectorContext) -> tuple[str, int] | None:
    """A YAML logging config (``dictConfig`` shape) with a QueueHandler handler."""
    for path in ctx.candidates(REQUEST_LOGGING, ctx.index.with_suffix(".yaml", ".yml")):
        text = ctx.index.read_text(path)
        if text is None or "QueueHandler" not in text or "handlers" not in text:
            continue
        for document in ctx.index.yaml_documents(path) or []:
            handlers = document.get("handlers") if isinstance(document, dict) else None
            if not isinstance(handlers, dict):
                continue
            for handler in handlers.values():
                if isinstance(handler, dict) and isinstance(handler.get("class"), str) and _QUEUE_HANDLER.search(handler["class"]):
                    line = next((number for number, row in enumerate(text.splitlines(), 1) if "QueueHandler" in row), None)
                    return path, line or 1
    return None


def _judge_unit(ctx: DetectorContext, unit: _Unit, facts: _Facts, shared: _PythonFacts) -> Evidence | None:
    what = f"{unit.kind} `{unit.name}`" if not unit.name.startswith("`") else f"{unit.kind} {unit.name}"
    where: dict[str, Any] = {"path": unit.path, "line": unit.line}
    is_middleware = unit.kind != "route handler" and unit.kind != "predict function"
    if not is_middleware and not (facts.logs and (facts.request_id or facts.latency)):
        return None  # a handler that does not log requests is not about this item
    if not facts.logs and not (facts.request_id or facts.latency):
        return None
    if unit.middleware_class and unit.middleware_class not in shared.registered:
        return ctx.partial(REQUEST_LOGGING, f"{what} is defined but never added to the app (no `add_middleware`)", **where)
    if not facts.logs:
        return ctx.partial(REQUEST_LOGGING, f"{what} times or tags requests but logs nothing", **where)
    missing = []
    if not facts.request_id:
        missing.append("no request id")
    if not facts.latency:
        missing.append("no latency recorded")
    non_blocking = list(facts.non_blocking)
    if shared.queue_logging is not None:
        path, line = shared.queue_logging
        non_blocking.append(f"QueueHandler logging (`{path}:{line}`)")
    if missing:
        return ctx.partial(REQUEST_LOGGING, f"{what} logs predictions with {' and '.join(missing)}", **where)
    carried = f"request id ({', '.join(facts.request_id[:2])}) and latency ({facts.latency[0]})"
    if not non_blocking:
        return ctx.partial(
            REQUEST_LOGGING,
            f"{what} logs {carried} synchronously on the request path; use a QueueHandler, a background task or a producer",
            **where,
        )
    return ctx.supports(REQUEST_LOGGING, f"{what} logs {carried}, non-blocking via {non_blocking[0]}", **where)


@detector(
    name="request-logging-code",
    items=(REQUEST_LOGGING,),
    looks_for="serving middleware or a predict handler that logs each request with a request id and its "
    "latency, off the request path (QueueHandler, background task, producer, sampling)",
)
def request_logging_code(ctx: DetectorContext) -> Iterator[Evidence]:
    """Request logging in FastAPI/Starlette/Flask middleware and predict handlers."""
    shared = _python_facts(ctx)
    for path in shared.unreadable:
        yield ctx.unreadable(REQUEST_LOGGING, path)
    for unit, facts in shared.units:
        found = _judge_unit(ctx, unit, facts, shared)
        if found is not None:
            yield found


# ====================================================================== 28: platform payload logging
_SERVING_KINDS = frozenset({"InferenceService", "SeldonDeployment", "Model", "Pipeline"})


def _logger_blocks(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for node in iter_nodes(document.get("spec")):
        if isinstance(node, dict) and isinstance(node.get("logger"), dict):
            yield node["logger"]


def _line_of(text: str, pattern: str) -> int | None:
    regex = re.compile(pattern)
    for number, row in enumerate(text.splitlines(), 1):
        if regex.search(row):
            return number
    return None


def _judge_logger(ctx: DetectorContext, path: str, kind: str, name: str, logger: dict[str, Any], line: int | None) -> Evidence:
    label = f"{kind} `{name.replace(prometheus.HELM_PLACEHOLDER, '{{…}}')}`"
    mode = logger.get("mode", "all")
    percent = logger.get("percent")
    if prometheus.is_templated(mode) or prometheus.is_templated(percent):
        return ctx.partial(
            REQUEST_LOGGING,
            f"{label} payload logger is configured from Helm values; could not check that it is on",
            path=path,
            line=line,
        )
    if isinstance(percent, (int, float)) and not isinstance(percent, bool) and percent <= 0:
        return ctx.partial(REQUEST_LOGGING, f"{label} has payload logging at 0 percent: nothing is logged", path=path, line=line)
    if mode not in ("all", "request", "response"):
        return ctx.partial(REQUEST_LOGGING, f"{label} payload logger has an unknown mode `{mode}`", path=path, line=line)
    url = logger.get("url")
    sink = f" to `{url}`" if isinstance(url, str) and url.strip() and "{{" not in url else ""
    return ctx.supports(
        REQUEST_LOGGING,
        f"{label} logs payloads asynchronously (mode {mode}){sink}; the platform stamps each with an id and a time",
        path=path,
        line=line,
    )


def _kubernetes_payload_logging(ctx: DetectorContext) -> Iterator[Evidence]:
    for path in ctx.candidates(REQUEST_LOGGING, ctx.index.with_suffix(".yaml", ".yml")):
        text = ctx.index.read_text(path)
        if text is None or "logger" not in text or not re.search(r"InferenceService|SeldonDeployment|seldon", text):
            continue
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            yield ctx.unreadable(REQUEST_LOGGING, path)
            continue
        for document in documents:
            if not isinstance(document, dict) or document.get("kind") not in _SERVING_KINDS:
                continue
            if document["kind"] in ("Model", "Pipeline") and "seldon" not in str(document.get("apiVersion", "")):
                continue
            metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
            name = str(metadata.get("name") or "(unnamed)")
            for logger in _logger_blocks(document):
                yield _judge_logger(ctx, path, str(document["kind"]), name, logger, _line_of(text, r"^\s*logger\s*:"))


def _terraform_capture(ctx: DetectorContext) -> Iterator[Evidence]:
    types = frozenset({"aws_sagemaker_endpoint_configuration"})
    for path in ctx.candidates(REQUEST_LOGGING, ctx.index.with_suffix(".tf")):
        text = ctx.index.read_text(path)
        if text is None or "data_capture_config" not in text:
            continue
        try:
            blocks = list(hcl_blocks(text, types))
            for block in blocks:
                for capture in nested_blocks(block, "data_capture_config"):
                    yield _judge_capture(ctx, path, block.labels[-1], capture.line,
                                         bool_value((attribute(capture, "enable_capture") or (None, 0))[0]),
                                         _number((attribute(capture, "initial_sampling_percentage") or (None, 0))[0]))
        except HclError:
            yield ctx.evidence(REQUEST_LOGGING, "could not decide from this file: a block's braces never close",
                               verdict="unreadable", path=path)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().strip('"'))
        except ValueError:
            return None
    return None


def _judge_capture(ctx: DetectorContext, path: str, name: str, line: int | None, enabled: bool | None,
                   percent: float | None) -> Evidence:
    label = f"SageMaker data capture on `{name}`"
    if enabled is False:
        return ctx.partial(REQUEST_LOGGING, f"{label} is turned off (enable_capture is false)", path=path, line=line)
    if enabled is None:
        return ctx.partial(REQUEST_LOGGING, f"{label} does not set enable_capture to true", path=path, line=line)
    if percent is not None and percent <= 0:
        return ctx.partial(REQUEST_LOGGING, f"{label} samples 0 percent of requests", path=path, line=line)
    sample = f", {percent:g}% sampled" if percent is not None else ""
    return ctx.supports(
        REQUEST_LOGGING,
        f"{label} records requests asynchronously with an event id and inference time{sample}",
        path=path,
        line=line,
    )


def _structured_capture(ctx: DetectorContext) -> Iterator[Evidence]:
    for path in ctx.candidates(REQUEST_LOGGING, ctx.index.with_suffix(".json", ".yaml", ".yml")):
        text = ctx.index.read_text(path)
        if text is None or "DataCaptureConfig" not in text:
            continue
        documents = ctx.index.structured(path)
        if documents is None:
            yield ctx.unreadable(REQUEST_LOGGING, path)
            continue
        line = _line_of(text, r"DataCaptureConfig")
        for node in iter_nodes(documents):
            if isinstance(node, dict) and isinstance(node.get("DataCaptureConfig"), dict):
                capture = node["DataCaptureConfig"]
                name = str(node.get("EndpointConfigName") or "endpoint config")
                enabled = capture.get("EnableCapture")
                yield _judge_capture(ctx, path, name, line, enabled if isinstance(enabled, bool) else None,
                                     _number(capture.get("InitialSamplingPercentage")))


def _python_capture(ctx: DetectorContext) -> Iterator[Evidence]:
    for path in ctx.candidates(REQUEST_LOGGING, ctx.index.with_suffix(".py")):
        if not path.endswith(".py") or is_test_path(path):
            continue
        text = ctx.index.read_text(path)
        if text is None or "DataCaptureConfig" not in text:
            continue
        tree = ctx.index.python_ast(path)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (dotted_name(node.func) or "").endswith("DataCaptureConfig"):
                keywords = {item.arg: item.value for item in node.keywords if item.arg}
                enabled = keywords.get("enable_capture")
                value = enabled.value if isinstance(enabled, ast.Constant) and isinstance(enabled.value, bool) else None
                percent = keywords.get("sampling_percentage")
                number = _number(percent.value) if isinstance(percent, ast.Constant) else None
                yield _judge_capture(ctx, path, "SageMaker SDK endpoint", node.lineno, value, number)


@detector(
    name="payload-logging",
    items=(REQUEST_LOGGING,),
    looks_for="the serving platform's payload logging: a KServe/Seldon `logger` block or SageMaker data capture "
    "(Terraform, CloudFormation/boto3 JSON, Python SDK) turned on",
)
def payload_logging(ctx: DetectorContext) -> Iterator[Evidence]:
    """Payload logging configured on the serving platform."""
    yield from _kubernetes_payload_logging(ctx)
    yield from _terraform_capture(ctx)
    yield from _structured_capture(ctx)
    yield from _python_capture(ctx)


# ====================================================================== 38: alert fatigue
_ZERO_DURATION = re.compile(r"^0+(?:ms|s|m|h|d|w|y)?$")
_REVIEW_HEADING = re.compile(
    r"\balert(?:s|ing)?\s+(?:review|tuning|hygiene|audit|retro\w*|clean[\s-]?up)"
    r"|\bnoisy alerts?\b|\balert fatigue\b|\b(?:review|tuning|audit) of (?:the )?alerts?\b",
    re.IGNORECASE,
)
_MARKDOWN_SKIP = re.compile(r"^(?:change[s_-]?log\w*|changes|history|news|release[s_-]?notes)\.(?:md|markdown)$", re.I)


@dataclass
class _Routing:
    """What one Alertmanager configuration does against alert fatigue."""

    path: str
    line: int | None
    label: str
    grouped: bool
    severity_routes: bool
    inhibits: int

    @property
    def complete(self) -> bool:
        """Grouping, severity routes and inhibition all present."""
        return self.grouped and self.severity_routes and self.inhibits > 0

    def missing(self) -> list[str]:
        """What the configuration lacks, in words."""
        found = []
        if not self.grouped:
            found.append("no `group_by`")
        if not self.severity_routes:
            found.append("no routes separating severities")
        if not self.inhibits:
            found.append("no `inhibit_rules`")
        return found

    def describe(self) -> str:
        """A short description of what the configuration has."""
        parts = []
        if self.grouped:
            parts.append("groups alerts")
        if self.severity_routes:
            parts.append("routes by severity")
        if self.inhibits:
            parts.append(_count(self.inhibits, "inhibit rule"))
        return ", ".join(parts)


def _routes(route: dict[str, Any], keys: tuple[str, str]) -> Iterator[dict[str, Any]]:
    yield route
    children = route.get(keys[1])
    for child in children if isinstance(children, list) else []:
        if isinstance(child, dict):
            yield from _routes(child, keys)


def _matches_severity(route: dict[str, Any]) -> bool:
    for key in ("match", "match_re"):
        value = route.get(key)
        if isinstance(value, dict) and "severity" in value:
            return True
    for key in ("matchers",):
        value = route.get(key)
        for matcher in value if isinstance(value, list) else []:
            if isinstance(matcher, str) and re.match(r"^\s*severity\s*(?:=|!=|=~|!~)", matcher):
                return True
            if isinstance(matcher, dict) and matcher.get("name") == "severity":
                return True
    return False


def _judge_routing(path: str, config: dict[str, Any], line: int | None, resource: bool) -> _Routing:
    route_key, routes_key, group_key, inhibit_key = (
        ("route", "routes", "groupBy", "inhibitRules") if resource else ("route", "routes", "group_by", "inhibit_rules")
    )
    root = config.get(route_key) if isinstance(config.get(route_key), dict) else {}
    all_routes = list(_routes(root, (route_key, routes_key)))
    grouped = any(isinstance(route.get(group_key), list) and route.get(group_key) for route in all_routes)
    severity_routes = [route for route in all_routes[1:] if _matches_severity(route)]
    receivers = {str(route.get("receiver")) for route in all_routes if route.get("receiver")}
    inhibit = config.get(inhibit_key)
    inhibits = sum(1 for rule in inhibit if isinstance(rule, dict) and rule) if isinstance(inhibit, list) else 0
    label = "AlertmanagerConfig" if resource else "Alertmanager config"
    return _Routing(path, line, label, bool(grouped), bool(severity_routes) and len(receivers) >= 2, inhibits)


def _alertmanager_configs(ctx: DetectorContext) -> tuple[list[_Routing], list[str]]:
    found: list[_Routing] = []
    unreadable: list[str] = []
    for path in ctx.candidates(ALERT_FATIGUE, ctx.index.with_suffix(".yaml", ".yml")):
        text = ctx.index.read_text(path)
        if text is None or "route" not in text or "receiver" not in text:
            continue
        documents = prometheus.yaml_with_lines(ctx.index, path)
        if documents is None:
            if "alertmanager" in path.lower() or "AlertmanagerConfig" in text:
                unreadable.append(path)
            continue
        for document in documents:
            if isinstance(document, dict) and document.get("kind") == "AlertmanagerConfig":
                spec = document.get("spec") if isinstance(document.get("spec"), dict) else {}
                found.append(_judge_routing(path, spec, prometheus.line_of_mapping(document), True))
                continue
            for node in iter_nodes(document):
                if isinstance(node, dict) and isinstance(node.get("route"), dict) and isinstance(node.get("receivers"), list):
                    found.append(_judge_routing(path, node, prometheus.line_of_mapping(node), False))
    return found, unreadable


@dataclass(frozen=True)
class _Review:
    path: str
    line: int
    date: DateMention | None
    title: str


def _section_dates(document: MarkdownDocument, section: MarkdownSection) -> list[DateMention]:
    dates: list[DateMention] = []
    for nested in document.subtree(section):
        dates.extend(iso_dates(plain_title(nested.title), nested.line))
        for line, text in nested.text_lines():
            dates.extend(iso_dates(plain_title(text), line))
    return dates


def _alert_reviews(ctx: DetectorContext) -> list[_Review]:
    reviews: list[_Review] = []
    paths = [path for path in ctx.index.with_suffix(".md", ".markdown") if not _MARKDOWN_SKIP.match(path.rsplit("/", 1)[-1])]
    for path in ctx.candidates(ALERT_FATIGUE, paths):
        text = ctx.index.read_text(path)
        if text is None or not _REVIEW_HEADING.search(text):
            continue
        document = ctx.index.markdown(path)
        if document is None:
            continue
        for section in document.sections:
            title = plain_title(section.title)
            if not _REVIEW_HEADING.search(title):
                continue
            subtree = document.subtree(section)
            if all(nested.is_empty() for nested in subtree):
                continue
            dates = [mention for mention in _section_dates(document, section) if mention.value is not None and mention.value <= ctx.today]
            latest = max(dates, key=lambda mention: mention.value) if dates else None  # type: ignore[arg-type, return-value]
            reviews.append(_Review(path, section.line, latest, title.strip()))
    return reviews


@detector(
    name="alert-tuning",
    items=(ALERT_FATIGUE,),
    looks_for="Prometheus alerts that all have a `for:` duration and a severity label, plus Alertmanager "
    "grouping, severity routes and inhibit rules, or a dated alert review in Markdown",
)
def alert_tuning(ctx: DetectorContext) -> Iterator[Evidence]:
    """Alert rules tuned against fatigue, with routing/inhibition or a recorded review."""
    rule_index = prometheus.rule_files(ctx.index)
    allowed = set(ctx.candidates(ALERT_FATIGUE, rule_index.files))
    alerts = [rule for rule in rule_index.rules(sorted(allowed)) if rule.alerting and not is_test_path(rule.path)]
    unreadable_rules = [path for path in ctx.candidates(ALERT_FATIGUE, rule_index.unreadable) if not is_test_path(path)]
    routings, unreadable_configs = _alertmanager_configs(ctx)
    reviews = _alert_reviews(ctx)
    for path in [*unreadable_rules, *unreadable_configs]:
        yield ctx.unreadable(ALERT_FATIGUE, path)
    if not alerts and not routings and not reviews:
        return

    problems: list[str] = []
    strengths: list[str] = []
    where: dict[str, Any] = {}
    tuned_rules = False
    if alerts:
        no_for = [rule for rule in alerts if not rule.duration or _ZERO_DURATION.match(rule.duration.strip())]
        no_severity = [rule for rule in alerts if not rule.labels.get("severity")]
        first_bad = next(iter(no_for + no_severity), None)
        where = {"path": (first_bad or alerts[0]).path, "line": (first_bad or alerts[0]).line}
        if no_for:
            problems.append(f"{len(no_for)} of {len(alerts)} alerts fire without `for:` (e.g. {no_for[0].label})")
        if no_severity:
            problems.append(f"{len(no_severity)} of {len(alerts)} alerts have no severity label (e.g. {no_severity[0].label})")
        tuned_rules = not no_for and not no_severity
        if tuned_rules:
            strengths.append("the 1 alert has `for:` and a severity" if len(alerts) == 1
                             else f"all {len(alerts)} alerts have `for:` and a severity")
    else:
        problems.append("no alert rules found to tune")
    if unreadable_rules:
        problems.append(f"rule file `{unreadable_rules[0]}` could not be read")

    complete = [routing for routing in routings if routing.complete]
    recent = [review for review in reviews if review.date is not None
              and (ctx.today - review.date.value).days <= ctx.settings.alert_review_max_days]  # type: ignore[operator]
    if complete:
        routing = complete[0]
        strengths.append(f"{routing.label} {routing.describe()} (`{routing.path}`)")
        where = where or {"path": routing.path, "line": routing.line}
    elif routings:
        routing = max(routings, key=lambda found: len(found.describe()))
        problems.append(f"{routing.label} `{routing.path}` has {', '.join(routing.missing())}")
        where = where or {"path": routing.path, "line": routing.line}
    if recent:
        review = max(recent, key=lambda found: found.date.value)  # type: ignore[union-attr, return-value]
        strengths.append(f"alert review dated {review.date.text} (`{review.path}:{review.line}`)")  # type: ignore[union-attr]
        where = where or {"path": review.path, "line": review.line}
    elif reviews:
        review = reviews[0]
        if review.date is None:
            problems.append(f"alert review section `{review.title}` has no date")
        else:
            age = (ctx.today - review.date.value).days  # type: ignore[operator]
            problems.append(f"last alert review {review.date.text} is {age} days old, over "
                            f"{ctx.settings.alert_review_max_days} (`alert_review_max_days`)")
        where = where or {"path": review.path, "line": review.line}
    if not complete and not recent:
        if not routings:
            problems.append("no Alertmanager grouping/inhibition")
        if not reviews:
            problems.append("no alert review recorded")

    if tuned_rules and not unreadable_rules and (complete or recent):
        yield ctx.supports(ALERT_FATIGUE, "; ".join(strengths), **where)
        return
    found = f"{'; '.join(strengths)}; but " if strengths else ""
    yield ctx.partial(ALERT_FATIGUE, f"{found}{'; '.join(problems)}", **where)


# ====================================================================== 39: dashboards per audience
_BUSINESS = frozenset({
    "revenue", "gmv", "conversion", "conversions", "converted", "chargeback", "chargebacks", "approval",
    "approvals", "approved", "declined", "declines", "orders", "sales", "churn", "retention", "signups",
    "bookings", "margin", "profit", "savings", "usd", "eur", "gbp", "dollars", "kpi", "kpis", "outcome", "outcomes",
    "purchases", "refunds", "losses", "ctr", "clicks", "customers", "basket", "subscriptions", "fraud_losses",
})
_MODEL_STRONG = frozenset({
    "drift", "psi", "auc", "roc", "accuracy", "precision", "recall", "f1", "calibration", "confidence",
    "feature", "features", "mae", "rmse", "mape", "logloss", "ks", "kl", "divergence", "wasserstein",
    "ground", "skew",
})
_PLATFORM = frozenset({
    "cpu", "memory", "mem", "latency", "duration", "errors", "error", "5xx", "4xx", "pod", "pods", "restarts",
    "restart", "gpu", "disk", "throughput", "requests", "qps", "rps", "saturation", "node", "container",
    "oom", "replicas", "uptime", "availability", "network", "bytes", "http", "grpc", "queue",
})
_MODEL_WEAK = frozenset({"score", "scores", "prediction", "predictions", "predicted", "model", "models",
                         "inference", "class", "classes", "probability"})
_AUDIENCE_ORDER = ("model", "platform", "business")
_WORD = re.compile(r"[A-Za-z0-9]+")


def _words(text: str) -> set[str]:
    words: set[str] = set()
    for token in _WORD.findall(text):
        words.update(prometheus.name_tokens(token))
    return words


def classify_panel(panel: grafana.Panel) -> str | None:
    """The audience a panel serves (``model``, ``platform``, ``business``) or ``None``."""
    text = " ".join([panel.title, panel.description, *(query.text for query in panel.queries)])
    words = _words(text.replace("_", " "))
    if words & _MODEL_STRONG:
        return "model"
    if words & _BUSINESS:
        return "business"
    if words & _PLATFORM:
        return "platform"
    if words & _MODEL_WEAK:
        return "model"
    return None


@dataclass(frozen=True)
class _Classified:
    dashboard: grafana.Dashboard
    audience: str | None
    panels: int


def _classify(dashboard: grafana.Dashboard) -> _Classified:
    counts = {audience: 0 for audience in _AUDIENCE_ORDER}
    real = [panel for panel in dashboard.panels if panel.queries]
    for panel in real:
        audience = classify_panel(panel)
        if audience is not None:
            counts[audience] += 1
    best = max(_AUDIENCE_ORDER, key=lambda audience: counts[audience])
    return _Classified(dashboard, best if counts[best] else None, len(real))


def _dashboard_line(dashboard: grafana.Dashboard) -> int | None:
    """The dashboard's own line, else the line of its first panel with a query."""
    if dashboard.line is not None:
        return dashboard.line
    return next((panel.line for panel in dashboard.panels if panel.queries and panel.line is not None), None)


def _describe(found: Iterable[_Classified]) -> str:
    return ", ".join(f"{item.audience} (`{item.dashboard.title}`, {_count(item.panels, 'panel')})" for item in found)


@detector(
    name="audience-dashboards",
    items=(DASHBOARDS,),
    looks_for="Grafana dashboards as code whose panels (queries and titles) make separate model, platform "
    "and business views, the model view and at least one other",
)
def audience_dashboards(ctx: DetectorContext) -> Iterator[Evidence]:
    """Dashboards per audience, classified from their panels."""
    index = grafana.dashboards(ctx.index)
    allowed = set(ctx.candidates(DASHBOARDS, [dashboard.path for dashboard in index.dashboards]))
    for path, reason in index.unreadable:
        if ctx.index.is_non_evidence(path):
            continue
        if reason:
            yield ctx.evidence(DASHBOARDS, f"could not decide from this file: {reason}", verdict="unreadable", path=path)
        else:
            yield ctx.unreadable(DASHBOARDS, path)
    dashboards = index.in_paths(allowed)
    real = [_classify(dashboard) for dashboard in dashboards if not dashboard.empty]
    empty = [dashboard for dashboard in dashboards if dashboard.empty]
    by_audience: dict[str, _Classified] = {}
    for item in real:
        if item.audience is not None:
            current = by_audience.get(item.audience)
            if current is None or item.panels > current.panels:
                by_audience[item.audience] = item
    found = [by_audience[audience] for audience in _AUDIENCE_ORDER if audience in by_audience]
    missing = [audience for audience in _AUDIENCE_ORDER if audience not in by_audience]
    if found:
        anchor = by_audience.get("model", found[0]).dashboard
        where: dict[str, Any] = {"path": anchor.path, "line": _dashboard_line(anchor)}
        if "model" in by_audience and len(found) >= REQUIRED_AUDIENCES:
            tail = f"; no {' or '.join(missing)} dashboard" if missing else ""
            yield ctx.supports(DASHBOARDS, f"dashboards for {_count(len(found), 'audience')}: {_describe(found)}{tail}", **where)
            return
        yield ctx.partial(
            DASHBOARDS,
            f"dashboards only for {_describe(found)}; no {' or '.join(missing)} dashboard",
            **where,
        )
        return
    if real:
        first = real[0].dashboard
        yield ctx.partial(DASHBOARDS, f"{first.label} has panels with queries but none about the model, "
                          "the platform or the business", path=first.path, line=first.line)
    elif empty:
        first = empty[0]
        yield ctx.partial(DASHBOARDS, f"{first.label} has no panels with queries", path=first.path, line=first.line)
    elif index.external:
        external = index.external[0]
        yield ctx.partial(DASHBOARDS, f"GrafanaDashboard `{external.name}` loads its content from {external.source}, "
                          "outside the repository", path=external.path, line=external.line)


DETECTORS: tuple[Detector, ...] = (request_logging_code, payload_logging, alert_tuning, audience_dashboards)
