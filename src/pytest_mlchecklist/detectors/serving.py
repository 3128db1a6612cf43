"""Serving infrastructure detectors: health checks (item 27) and resource limits (item 30).

Health check (``health-check``): detectors ``health-route`` and ``kubernetes-probes``
    Routes are read with :mod:`ast` from non-test Python: FastAPI/Starlette/Flask/Quart/Sanic/
    Litestar/aiohttp decorators (``@app.get("/health")``, ``@router.get``, ``@app.route``,
    ``@bp.route``), ``add_api_route``/``add_route``/``add_url_rule`` calls and Starlette
    ``Route("/health", endpoint=fn)``. A route is health-like when a segment of its path is one of
    health, healthz, healthcheck, readyz, ready, readiness, livez, live, liveness, ping, status.

    * A handler that checks something (an ``if``/``assert``/``raise``/``try``, a comparison, a
      call that is not just building the response or logging, a FastAPI ``Depends``, or a read
      of ``model``/``loaded``/``ready`` state) **supports** the item.
    * A handler that only returns a constant is **partial**: it proves the web server answers,
      not that the model is loaded.
    * Kubernetes ``readinessProbe``/``livenessProbe``/``startupProbe`` on long-running workloads
      (not Jobs/CronJobs): an ``httpGet`` probe at a checking route **supports**; at a constant
      route it is **partial**; at a path no found route serves (when routes exist) it is
      **partial**. When the repository has no Python routes at all (the server is not Python:
      Triton, TorchServe, KServe or MLServer runtimes) a probe at a health-like path or a
      model-status path (``/v1/models/<name>``, ``/v2/models/<name>/ready``) **supports**, and a
      probe at any other path (``/``) is **partial**. ``grpc`` and ``exec`` probes **support**
      (the server's health service, or a command); a ``tcpSocket`` probe is **partial** (it only
      proves the port is open). A probe without a handler (``readinessProbe: {}``) is not
      evidence. A probe written as a Helm expression is looked up under the same key in the
      chart's values files.
    * A BentoML service with no health route of its own relies on BentoML's built-in ``/livez``
      and ``/readyz``: **partial** on its own; a probe at ``/readyz`` of a BentoML service
      **supports**.

Resource limits (``resource-limits``): detector ``kubernetes-resources``
    Every container of every workload in the manifests (plain YAML, Helm templates, Kustomize
    bases, KServe, Seldon, Knative, Jobs and CronJobs too) must set ``resources.limits.cpu`` and
    ``resources.limits.memory``; a GPU request (``*/gpu`` in requests) needs a GPU limit.

    * A container without them **contradicts** the item, unless a ``LimitRange`` with default
      cpu and memory limits applies in its namespace (then it **supports**, saying so) or a
      Kustomize patch for the same workload and container sets them. Files Kustomize applies as
      patches are not judged themselves: a patch that leaves resources alone changes nothing.
    * Resources that come from a Helm expression are looked up in the chart's ``values.yaml``
      (then its other ``values*.yaml``): ``resources.limits`` (at any depth) with cpu and memory
      **supports**; none **contradicts**.
    * Fully limited containers give one **supports** per file, with the counts.
    * A candidate manifest that does not parse is **unreadable** (for both items).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector, iter_nodes
from pytest_mlchecklist.detectors.kubernetes import (
    Container,
    LimitRangeDefault,
    Probe,
    Workload,
    chart_root_of,
    chart_roots,
    chart_values_files,
    container_line,
    container_probes,
    has_value,
    is_templated,
    iter_workloads,
    kustomize_patches,
    limit_range_defaults,
    line_of,
    manifest_candidates,
    probe_from,
)
from pytest_mlchecklist.detectors.python_code import dotted_name, import_aliases, is_test_path, iter_calls
from pytest_mlchecklist.evidence import Evidence

HEALTH = "health-check"
LIMITS = "resource-limits"


# ======================================================================== manifests (shared)
@dataclass
class Manifests:
    """The parsed manifest candidates of a repository."""

    documents: dict[str, list[Any]] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)

    def workloads(self) -> list[Workload]:
        """Every workload in every parsed candidate, in path order."""
        return [workload for path, documents in self.documents.items() for workload in iter_workloads(path, documents)]


def load_manifests(ctx: DetectorContext, item: str) -> Manifests:
    """Parse the manifest candidates for ``item``; those that do not parse are listed apart."""
    manifests = Manifests()
    for path in ctx.candidates(item, manifest_candidates(ctx.index)):
        if not path.endswith((".yaml", ".yml")):
            continue
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            manifests.unreadable.append(path)
        else:
            manifests.documents[path] = documents
    return manifests


# ======================================================================== item 30
@dataclass(frozen=True)
class LimitCheck:
    """What a container's ``resources`` say: ``limited``, ``missing`` or ``templated``."""

    state: Literal["limited", "missing", "templated"]
    reason: str = ""
    gpu_without_limit: tuple[str, ...] = ()


def check_container_limits(spec: dict[str, Any], *, helm: bool = False) -> LimitCheck:
    """Decide whether a container spec sets cpu and memory limits (and GPU limits for GPU requests).

    In a Helm template (``helm``), a ``resources`` left empty by a dropped expression line is
    ``templated``: its value comes from the chart's values.
    """
    resources = spec.get("resources")
    if "resources" in spec and is_templated(resources) and (helm or resources is not None):
        return LimitCheck("templated")
    if not isinstance(resources, dict) or not resources:
        return LimitCheck("missing", "sets no resources")
    limits = resources.get("limits")
    requests = resources.get("requests") if isinstance(resources.get("requests"), dict) else {}
    if "limits" in resources and is_templated(limits) and (helm or limits is not None):
        return LimitCheck("templated")
    limits = limits if isinstance(limits, dict) else {}
    gpus = tuple(sorted(key for key in requests if str(key).endswith("/gpu") and not _limit_set(limits, key)))
    if not limits:
        reason = "sets requests but no limits" if requests else "sets no resource limits"
        return LimitCheck("missing", reason, gpus)
    missing = [key for key in ("cpu", "memory") if not _limit_set(limits, key)]
    if missing:
        return LimitCheck("missing", f"has no {' or '.join(missing)} limit", gpus)
    return LimitCheck("limited", gpu_without_limit=gpus)


def _limit_set(limits: dict[str, Any], key: str) -> bool:
    """True when the container writes this limit: a value, or a Helm expression that gives it one
    (``cpu: {{ .Values.limits.cpu }}``)."""
    return limits.get(key) not in (None, "")


def values_limits(ctx: DetectorContext, root: str) -> tuple[str | None, bool, bool]:
    """Look for ``resources.limits`` with cpu and memory in the chart's values files.

    Returns (the values file that decided, limits found, a values file did not parse).
    """
    files = chart_values_files(ctx.index, root)
    first: str | None = None
    for path in files:
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            return path, False, True
        first = first or path
        for node in iter_nodes(documents):
            if isinstance(node, dict) and isinstance(node.get("resources"), dict):
                limits = node["resources"].get("limits")
                if isinstance(limits, dict) and has_value(limits, "cpu") and has_value(limits, "memory"):
                    return path, True, False
    return first, False, False


def _patch_coverage(ctx: DetectorContext, manifests: Manifests) -> tuple[set[str], dict[tuple[str, str, str], str]]:
    """Kustomize patch files, and which (kind, name, container) a patch gives full limits to."""
    patch_files, inline = kustomize_patches(ctx.index)
    sources: list[tuple[str, list[Any]]] = [
        (path, documents) for path, documents in manifests.documents.items() if path in patch_files
    ]
    sources.extend(inline)
    covered: dict[tuple[str, str, str], str] = {}
    for path, documents in sources:
        for workload in iter_workloads(path, documents):
            for container in workload.containers:
                if check_container_limits(container.spec).state == "limited":
                    covered.setdefault((workload.kind, workload.name, container.name), path)
    return patch_files, covered


@detector(
    name="kubernetes-resources",
    items=(LIMITS,),
    looks_for=(
        "cpu and memory `resources.limits` on every container of the Kubernetes workloads (plain manifests, "
        "Helm templates with their values.yaml, Kustomize, KServe, Seldon, Knative), or LimitRange defaults"
    ),
)
def resource_limits(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 30 (see the module docstring)."""
    manifests = load_manifests(ctx, LIMITS)
    reported = set(manifests.unreadable)
    for path in manifests.unreadable:
        yield ctx.unreadable(LIMITS, path)
    patch_files, patched = _patch_coverage(ctx, manifests)
    defaults: list[LimitRangeDefault] = []
    for path, documents in manifests.documents.items():
        defaults.extend(limit_range_defaults(path, documents))
    roots = chart_roots(ctx.index)
    limited_per_file: dict[str, tuple[set[str], int]] = {}
    for workload in manifests.workloads():
        if workload.path in patch_files:
            continue
        text = ctx.index.read_text(workload.path)
        helm = text is not None and "{{" in text
        for container in workload.containers:
            check = check_container_limits(container.spec, helm=helm)
            where = f"container `{container.name}` in {workload.label}"
            line = container_line(text, workload, container)
            for gpu in check.gpu_without_limit:
                detail = f"{where} requests `{gpu}` without a GPU limit"
                yield ctx.contradicts(LIMITS, detail, path=workload.path, line=line)
            if check.state == "limited":
                labels, count = limited_per_file.get(workload.path, (set(), 0))
                labels.add(workload.label)
                limited_per_file[workload.path] = (labels, count + 1)
            elif check.state == "templated":
                yield from _templated_limits(ctx, workload, where, roots, line, reported)
            else:
                yield _missing_limits(ctx, workload, container, where, check.reason, line, patched, defaults)
    for path, (labels, count) in sorted(limited_per_file.items()):
        owner = next(iter(labels)) if len(labels) == 1 else f"{len(labels)} workloads"
        noun, verb = ("container", "sets") if count == 1 else ("containers", "set")
        yield ctx.supports(LIMITS, f"{count} {noun} in {owner} {verb} cpu and memory limits", path=path)


def _missing_limits(
    ctx: DetectorContext,
    workload: Workload,
    container: Container,
    where: str,
    reason: str,
    line: int | None,
    patched: dict[tuple[str, str, str], str],
    defaults: list[LimitRangeDefault],
) -> Evidence:
    patch = patched.get((workload.kind, workload.name, container.name))
    if patch is not None:
        detail = f"{where} gets cpu and memory limits from the Kustomize patch {patch}"
        return ctx.supports(LIMITS, detail, path=workload.path, line=line)
    for default in defaults:
        if default.covers(workload):
            return ctx.supports(
                LIMITS,
                f"{where} {reason}; covered by the default limits of LimitRange `{default.name}` ({default.path})",
                path=workload.path,
                line=line,
            )
    return ctx.contradicts(LIMITS, f"{where} {reason}", path=workload.path, line=line)


def _templated_limits(
    ctx: DetectorContext, workload: Workload, where: str, roots: list[str], line: int | None, reported: set[str]
) -> Iterator[Evidence]:
    root = chart_root_of(workload.path, roots)
    if root is None:
        yield ctx.partial(
            LIMITS,
            f"{where} takes `resources` from a template outside a Helm chart; its values were not found",
            path=workload.path,
            line=line,
        )
        return
    values_path, found, broken = values_limits(ctx, root)
    if broken and values_path is not None:
        if values_path not in reported:
            reported.add(values_path)
            yield ctx.unreadable(LIMITS, values_path)
    elif values_path is None:
        chart = root or "the chart at the root"
        detail = f"{where} takes `resources` from chart values, but {chart} has no values.yaml"
        yield ctx.partial(LIMITS, detail, path=workload.path, line=line)
    elif found:
        yield ctx.supports(LIMITS, f"{where} takes its limits from {values_path}", path=values_path)
    else:
        values_line = line_of(ctx.index.read_text(values_path), r"^\s*resources:")
        yield ctx.contradicts(
            LIMITS,
            f"{where} takes `resources` from {values_path}, which sets no cpu and memory limits",
            path=values_path,
            line=values_line,
        )


# ======================================================================== item 27: routes
HEALTH_SEGMENTS = frozenset(
    {
        "health", "healthz", "healthcheck", "health-check", "readyz", "ready", "readiness",
        "livez", "live", "liveness", "ping", "status",
    }
)
ROUTE_DECORATORS = frozenset({"get", "head", "route", "api_route"})
ROUTE_CALLS = frozenset({"add_api_route", "add_route", "add_url_rule"})
#: Calls that only build the response (or log, or read the clock): not a check.
RESPONSE_CALLS = frozenset(
    {
        "JSONResponse", "ORJSONResponse", "UJSONResponse", "PlainTextResponse", "HTMLResponse", "Response",
        "HTTPResponse", "jsonify", "json_response", "make_response", "json", "text", "empty", "dict", "str",
        "print", "now", "utcnow", "time", "isoformat", "getenv", "gethostname",
        "debug", "info", "warning", "exception", "error",
    }
)
#: Modules whose calls report on the process, not on the model: logging, clocks, host facts.
_IGNORED_CALL_PREFIXES = ("logging.", "logger.", "log.", "time.", "datetime.", "platform.", "socket.", "os.", "uuid.")
_STATE_WORDS = ("loaded", "ready", "healthy")
_STATE_NAMES = frozenset({"model", "models", "predictor", "classifier", "pipeline", "session", "runner"})
_HEALTH_STRING = re.compile(r"[\"']/[^\"']*\b(health|healthz|readyz|ready|readiness|livez|liveness|ping)\b")
#: Model-status endpoints of model servers (KServe/TF Serving v1, Open Inference Protocol v2).
_MODEL_STATUS_PATH = re.compile(r"^/v[12]/models/[^/]+(/versions/[^/]+)?(/ready)?$")
BENTOML_READY = frozenset({"/readyz"})
BENTOML_LIVE = frozenset({"/livez", "/healthz"})

RouteKind = Literal["checks", "constant", "unknown"]
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


@dataclass(frozen=True)
class Route:
    """A route found in Python: its path, where it is declared, and what its handler does."""

    path: str
    file: str
    line: int
    kind: RouteKind
    reason: str = ""

    @property
    def where(self) -> str:
        """``app.py:12``."""
        return f"{self.file}:{self.line}"


def is_health_path(path: str) -> bool:
    """True when a segment of the URL path is health-like (``/v1/health``, ``/-/ready``).

    A path with parameters (``/jobs/{job_id}/status``) is about a resource, not the service.
    """
    segments = path.split("?", 1)[0].strip("/").split("/")
    if any(segment.startswith(("{", "<", ":")) for segment in segments):
        return False
    return any(segment.lower() in HEALTH_SEGMENTS for segment in segments)


def normalise_path(path: str) -> str:
    """``/health/`` and ``/health?x=1`` become ``/health``."""
    path = path.split("?", 1)[0].strip()
    return "/" + path.strip("/")


def _route_string(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("/"):
        return node.value
    return None


def _keyword(call: ast.Call, *names: str) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword.value
    return None


def _describe(node: ast.AST) -> str:
    """A short name for what a check looks at: the first dotted name in ``node``."""
    for child in ast.walk(node):
        if isinstance(child, (ast.Name, ast.Attribute)):
            name = dotted_name(child)
            if name:
                return f"`{name}`"
    return "a condition"


def classify_handler(function: FunctionNode) -> tuple[RouteKind, str]:
    """``("checks", reason)`` when the handler checks state or calls something, else ``("constant", "")``.

    The reason names the strongest sign found: a condition, a raise, a comparison, a call
    that is not just building the response, then a read of model/ready/loaded state.
    """
    for default in [*function.args.defaults, *function.args.kw_defaults]:
        if isinstance(default, ast.Call) and (dotted_name(default.func) or "").split(".")[-1] == "Depends":
            return "checks", f"depends on {_describe(default.args[0]) if default.args else 'a dependency'}"
    body: list[ast.AST]
    if isinstance(function, ast.Lambda):
        body = [function.body]
    else:
        body = list(function.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
            body = body[1:]
    signs: dict[int, str] = {}
    for statement in body:
        for node in ast.walk(statement):
            sign = _check_sign(node)
            if sign is not None:
                signs.setdefault(sign[0], sign[1])
    if signs:
        return "checks", signs[min(signs)]
    return "constant", ""


def _check_sign(node: ast.AST) -> tuple[int, str] | None:
    """(priority, reason) when ``node`` shows the handler checks something; lower is stronger."""
    if isinstance(node, (ast.If, ast.While, ast.Assert, ast.IfExp)):
        return 0, f"checks {_describe(node.test)}"
    if isinstance(node, ast.Raise):
        return 1, "raises when unhealthy"
    if isinstance(node, (ast.Compare, ast.BoolOp, ast.Match)):
        return 2, f"checks {_describe(node)}"
    if isinstance(node, ast.Try):
        return 5, "handles a failing check"
    if isinstance(node, ast.Call):
        name = dotted_name(node.func)
        last = (name or "").split(".")[-1]
        if last not in RESPONSE_CALLS and not (name or "").startswith(_IGNORED_CALL_PREFIXES):
            return 4, f"calls `{name}`" if name else "calls a function"
    if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
        name = dotted_name(node) or ""
        last = name.split(".")[-1].lower()
        if last in _STATE_NAMES or any(word in last for word in _STATE_WORDS):
            return 6, f"reads `{name}`"
    return None


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {
        node.name: node
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


class _FunctionFinder:
    """Finds a function definition by name across modules, parsing only modules that define it."""

    def __init__(self, ctx: DetectorContext, paths: list[str]) -> None:
        self._ctx = ctx
        self._paths = paths
        self._found: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}

    def get(self, name: str, default: list[ast.FunctionDef | ast.AsyncFunctionDef]) -> list[
        ast.FunctionDef | ast.AsyncFunctionDef
    ]:
        """Every top-level or nested function called ``name`` in the modules."""
        if not name:
            return default
        if name not in self._found:
            pattern = re.compile(rf"\bdef\s+{re.escape(name)}\s*\(")
            functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
            for path in self._paths:
                text = self._ctx.index.read_text(path)
                if text is None or not pattern.search(text):
                    continue
                tree = self._ctx.index.python_ast(path)
                if tree is not None and name in _functions(tree):
                    functions.append(_functions(tree)[name])
            self._found[name] = functions
        return self._found[name] or default


def _classify_target(
    target: ast.AST | None,
    local: dict[str, ast.FunctionDef | ast.AsyncFunctionDef],
    everywhere: _FunctionFinder,
) -> tuple[RouteKind, str]:
    if isinstance(target, ast.Lambda):
        return classify_handler(target)
    name = dotted_name(target) if target is not None else None
    short = (name or "").split(".")[-1]
    if short in local:
        return classify_handler(local[short])
    found = everywhere.get(short, [])
    if len(found) == 1:
        return classify_handler(found[0])
    return "unknown", f"handler `{name or '?'}` was not found in the repository's Python"


def _decorator_routes(path: str, tree: ast.Module) -> Iterator[Route]:
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            if not isinstance(decorator, ast.Call):
                continue
            name = dotted_name(decorator.func) or ""
            if name.split(".")[-1] not in ROUTE_DECORATORS:
                continue
            url = _route_string(decorator.args[0] if decorator.args else None) or _route_string(
                _keyword(decorator, "path", "rule", "uri")
            )
            if url is not None:
                kind, reason = classify_handler(node)
                yield Route(url, path, decorator.lineno, kind, reason)


def _call_routes(
    path: str,
    tree: ast.Module,
    everywhere: _FunctionFinder,
) -> Iterator[Route]:
    local = _functions(tree)
    for call in iter_calls(tree, import_aliases(tree)):
        last = call.name.split(".")[-1]
        node = call.node
        positional = list(node.args)
        aiohttp_route = call.name.startswith("aiohttp.web.") and last in ROUTE_DECORATORS
        if last in ROUTE_CALLS or last == "Route" or aiohttp_route:
            url = next((url for url in map(_route_string, positional[:2]) if url), None) or _route_string(
                _keyword(node, "path", "rule", "uri")
            )
            if url is None:
                continue
            if last == "add_url_rule":
                target = positional[2] if len(positional) > 2 else _keyword(node, "view_func")
            else:
                others = [arg for arg in positional[:2] if _route_string(arg) is None]
                target = others[0] if others else _keyword(node, "endpoint", "handler", "route", "view_func")
            kind, reason = _classify_target(target, local, everywhere)
            yield Route(url, path, node.lineno, kind, reason)


def _bentoml_service_line(tree: ast.Module) -> int | None:
    aliases = import_aliases(tree)
    for call in iter_calls(tree, aliases):
        if call.name in ("bentoml.Service", "bentoml.service"):
            return call.line
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = dotted_name(target) or ""
                head, _, rest = name.partition(".")
                resolved = f"{aliases.get(head, head)}.{rest}" if rest else aliases.get(head, head)
                if resolved == "bentoml.service":
                    return node.lineno
    return None


@dataclass
class PythonRoutes:
    """Routes across the repository's Python, BentoML services, and unreadable route files."""

    routes: list[Route] = field(default_factory=list)
    bentoml: list[tuple[str, int]] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


#: Text that any module declaring a route must contain: a URL string and a routing call, or BentoML.
_ROUTE_HINT = re.compile(
    r"""(?s)(?=.*["']/)(?=.*(?:\.(?:get|head|route|api_route)\s*\(|add_api_route|add_route|add_url_rule|\bRoute\s*\())"""
)


def find_routes(ctx: DetectorContext) -> PythonRoutes:
    """The routes of the repository's non-test Python, computed once per index and shared."""
    return ctx.index.memo(("python-routes", *ctx.declared(HEALTH)), lambda: _find_routes(ctx))


def _find_routes(ctx: DetectorContext) -> PythonRoutes:
    """Parse the non-test Python modules that can declare routes and collect the routes.

    Only modules whose text holds a URL string and a routing call (or mention BentoML) are
    parsed; the decision is still made on the parsed code. Handlers defined in other modules are
    looked up in the modules whose text defines a function of that name.
    """
    found = PythonRoutes()
    trees: dict[str, ast.Module] = {}
    python_files = [path for path in ctx.candidates(HEALTH, ctx.index.with_suffix(".py")) if path.endswith(".py")]
    for path in python_files:
        if is_test_path(path):
            continue
        text = ctx.index.read_text(path)
        if text is None or not (_ROUTE_HINT.match(text) or "bentoml" in text):
            continue
        tree = ctx.index.python_ast(path)
        if tree is None:
            if _HEALTH_STRING.search(text):
                found.unreadable.append(path)
            continue
        trees[path] = tree
    everywhere = _FunctionFinder(ctx, [path for path in python_files if not is_test_path(path)])
    for path, tree in trees.items():
        found.routes.extend(_decorator_routes(path, tree))
        found.routes.extend(_call_routes(path, tree, everywhere))
        line = _bentoml_service_line(tree)
        if line is not None:
            found.bentoml.append((path, line))
    return found


def route_for(probe_path: str, routes: list[Route]) -> Route | None:
    """The route serving ``probe_path``: same path, or a route mounted under a prefix."""
    wanted = normalise_path(probe_path)
    best: Route | None = None
    for route in routes:
        served = normalise_path(route.path)
        if served == wanted:
            return route
        if served != "/" and wanted.endswith(served) and best is None:
            best = route
    return best


# ======================================================================== item 27: detectors
@detector(
    name="health-route",
    items=(HEALTH,),
    looks_for=(
        "a health route (/health, /ready, /healthz, /livez...) in the serving code (FastAPI, Starlette, Flask, "
        "Quart, Sanic, aiohttp) whose handler checks that the model is loaded"
    ),
)
def health_route(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 27 from the routes of the Python serving code (see the module docstring)."""
    python = find_routes(ctx)
    for path in python.unreadable:
        yield ctx.unreadable(HEALTH, path)
    health_routes = [route for route in python.routes if is_health_path(route.path)]
    for route in health_routes:
        if route.kind == "checks":
            detail = f"`{route.path}` in {route.where} {route.reason}"
            yield ctx.supports(HEALTH, detail, path=route.file, line=route.line)
        elif route.kind == "constant":
            yield ctx.partial(
                HEALTH,
                f"`{route.path}` in {route.where} returns a constant; it does not check that the model is loaded",
                path=route.file,
                line=route.line,
            )
        else:
            detail = f"`{route.path}` in {route.where}: {route.reason}"
            yield ctx.partial(HEALTH, detail, path=route.file, line=route.line)
    if not health_routes:
        for path, line in python.bentoml:
            yield ctx.partial(
                HEALTH,
                f"BentoML service in {path}:{line} relies on the built-in /livez and /readyz; "
                "no check of the model written by the team",
                path=path,
                line=line,
            )


@detector(
    name="kubernetes-probes",
    items=(HEALTH,),
    looks_for=(
        "Kubernetes readiness/liveness/startup probes on serving containers (manifests, Helm templates and values) "
        "pointing at a health route that checks the model"
    ),
)
def kubernetes_probes(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 27 from Kubernetes probes, matched to the Python routes (see the module docstring)."""
    manifests = load_manifests(ctx, HEALTH)
    for path in manifests.unreadable:
        yield ctx.unreadable(HEALTH, path)
    workloads = [workload for workload in manifests.workloads() if workload.long_running]
    if not workloads:
        return
    python = find_routes(ctx)
    roots = chart_roots(ctx.index)
    for workload in workloads:
        text = ctx.index.read_text(workload.path)
        for container in workload.containers:
            probes, templated = container_probes(container)
            line = container_line(text, workload, container)
            where = f"container `{container.name}` in {workload.label}"
            for probe in probes:
                yield _judge_probe(ctx, probe, where, workload.path, line, python)
            for kind in templated:
                yield _templated_probe(ctx, kind, where, workload.path, line, python, roots)


def _templated_probe(
    ctx: DetectorContext, kind: str, where: str, path: str, line: int | None, python: PythonRoutes, roots: list[str]
) -> Evidence:
    """A probe written as a Helm expression: judge the probe found under the same key in the chart's values."""
    root = chart_root_of(path, roots)
    for values_path in chart_values_files(ctx.index, root) if root is not None else []:
        for node in iter_nodes(ctx.index.yaml_documents(values_path) or []):
            if isinstance(node, dict) and isinstance(node.get(kind), dict):
                probe = probe_from(kind, node[kind])
                if probe is not None:
                    return _judge_probe(ctx, probe, f"{where} (from {values_path})", path, line, python)
    detail = f"{kind} of {where} comes from a Helm value that was not found in the chart's values"
    return ctx.partial(HEALTH, detail, path=path, line=line)


def _judge_probe(
    ctx: DetectorContext, probe: Probe, where: str, path: str, line: int | None, python: PythonRoutes
) -> Evidence:
    """The verdict on one probe with a handler (see the module docstring)."""
    said = f"{probe.kind} of {where}"
    at: dict[str, Any] = {"path": path, "line": line}
    if probe.handler in ("grpc", "exec"):
        what = "uses the gRPC health service" if probe.handler == "grpc" else "runs a command"
        return ctx.supports(HEALTH, f"{said} {what}", **at)
    if probe.handler == "tcpSocket":
        return ctx.partial(HEALTH, f"{said} is a tcpSocket probe: it proves the port is open, not the model", **at)
    probe_path = probe.path or "/"
    if is_templated(probe_path):
        return ctx.partial(HEALTH, f"{said} takes its path from a Helm value; it was not matched to a route", **at)
    shown = normalise_path(probe_path)
    route = route_for(shown, python.routes)
    if python.bentoml and shown in BENTOML_READY | BENTOML_LIVE and route is None:
        if shown in BENTOML_READY:
            detail = f"{said} calls BentoML's built-in {shown}, which waits for the service to load"
            return ctx.supports(HEALTH, detail, **at)
        return ctx.partial(HEALTH, f"{said} calls BentoML's built-in {shown}: liveness only, not a check of the model", **at)
    if not python.routes:
        if is_health_path(shown) or _MODEL_STATUS_PATH.match(shown):
            detail = f"{said} calls {shown}; the server is not Python (no routes found), so its own handler answers"
            return ctx.supports(HEALTH, detail, **at)
        return ctx.partial(HEALTH, f"{said} calls {shown}, which is not a health or model-status endpoint", **at)
    if route is None:
        return ctx.partial(HEALTH, f"{said} points at {shown} but no route serves it", **at)
    if route.kind == "checks":
        return ctx.supports(HEALTH, f"{said} calls {shown}, which {route.reason} ({route.where})", **at)
    if route.kind == "constant":
        detail = f"{said} calls {shown}, which returns a constant ({route.where}): it only proves the HTTP server runs"
        return ctx.partial(HEALTH, detail, **at)
    return ctx.partial(HEALTH, f"{said} calls {shown}: {route.reason}", **at)


DETECTORS: tuple[Detector, ...] = (health_route, kubernetes_probes, resource_limits)
