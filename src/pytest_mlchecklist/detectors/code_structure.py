"""How the repository's code fits together: shared feature code (8), feature unit tests (19) and
a full-pipeline integration test (20), read from imports and test functions with :mod:`ast`.

Everything here is decided on the import graph of :mod:`.import_graph` and on parsed code; file
and folder names only choose what to parse. Test modules, vendored and generated folders never
play a production role. Python is never imported or run.

Roles of modules (shared by the three detectors, computed once per scan)
    * **feature modules**: non-test modules whose name (or the package right above them:
      ``features/customer.py``) says feature, featurize, transform or preprocess (not feature
      flags or toggles) and that define public functions or classes; modules defining public
      functions whose names say so (``build_features``, ``preprocess``: only those functions
      count), when training or serving code imports them and they are not themselves training
      or serving code; and modules whose function builds the input a training module passes to
      ``fit`` (``X = make_matrix(df); model.fit(X, y)``). A module that defines nothing is not one.
    * **training modules**: non-test modules that call ``fit``/``train`` (``model.fit``,
      ``xgb.train``, ``trainer.train``...), or named ``train*``/``fit*`` and defining code.
    * **serving modules**: non-test modules with web routes (FastAPI, Flask, Starlette...,
      read by :func:`.serving.find_routes`) or a BentoML service; model-server classes
      (KServe ``Model``, MLflow ``PythonModel``, TorchServe ``BaseHandler``, Triton
      ``TritonPythonModel``, Ray Serve deployments, gRPC servicers, SageMaker ``model_fn`` with
      ``predict_fn``/``transform_fn``); modules named serve/serving/server/service/predict(or)/
      inference/scorer/handler/api/app; modules under serving/, serve/, server/, api/, app/,
      inference/ or service/ folders; and predict handlers: a ``predict``/``score``/``infer``
      function or method in a module that does not train and is not named after models,
      evaluation, metrics or data. Training, evaluation and data modules under those folders
      are not serving.
    * Modules under docs/, examples/, notebooks/, sandbox/ or scratch/ folders play no role.

``shared-feature-code`` (item 8)
    * **supports**: a feature module used by a training module and by a different serving
      module, and no serving module that uses it defines a function of the same name as one of
      its features (a wrapper that calls the shared function is fine). A module *uses* it when it
      imports or references one of its feature functions, or imports (through other repository
      modules) a module that does; importing only constants (``FEATURE_NAMES``) is no use.
    * **partial**: serving (or training) re-implements features (functions with the same names
      defined on the other side, which does not import the module); the module is used by one
      side only, with the other side found elsewhere; serving or training code not found (says
      which); a serving module that uses the module also redefines some of its features; a
      feature module nobody imports; training and serving found but no feature module at all.
    * a feature module that does not parse is **unreadable**.

``feature-store-definitions`` (item 8)
    Feast: ``FeatureView``/``FeatureService`` defined in non-test Python, training code calling
    ``get_historical_features`` and serving code calling ``get_online_features``.
    **supports** when both retrievals exist (in different modules) and either the repository
    defines feature views or both name a common view (``"view:feature"`` references); when both
    name views and none is shared, or only one retrieval exists, or no definition is found and
    the references cannot be read: **partial**.

``feature-tests`` (item 19)
    For each feature module, its *units*: public top-level functions (for modules found by
    function names, only the feature-named ones; ``main`` is not a unit) and public classes with a
    ``transform``/``fit_transform``/``__call__`` method. A unit is tested by a test function
    (``test*`` at module level or in a ``Test*``/``TestCase`` class) that calls it and asserts
    on the result (inside an ``assert`` or ``assert*`` call, through a name the assertions read,
    or inside ``pytest.raises``), or that asserts anything and passes it as an argument, names
    it in its ``parametrize`` decorator or requests a fixture calling it (the test module and
    every ``conftest.py`` above it). Names are resolved through the test module's imports
    (``from pkg.features import f``, ``import pkg.features as F``, re-exports of a package
    ``__init__``). Tests that import, introspect (``callable(f)``) or call without asserting on
    the result do not count.

    * **supports**: at least 80% of a module's units are tested (at least one), and the
      repository's feature units taken together are also 80% tested. The evidence is the test
      function that covers the most units (its node id, so a failing run refuses it).
    * **partial**: under 80%, with the untested names; tests that call features without
      asserting; no test at all.

``pipeline-integration-test`` (item 20)
    A test function that sends raw input through the real serving entry point and asserts on
    the result:

    * an HTTP test client on the repository's app (``TestClient(app)``, Flask
      ``app.test_client()``, ``httpx`` with ``app=``/``ASGITransport``) posting a body
      (``json=``/``data=``/``content=``/``files=``) or query to a route that is not a health route;
    * a ``predict*``/``score*``/``infer*`` (``classify``, ``forecast``, ``recommend``,
      ``rank``, ``handle``, ``invoke``, ``__call__``) call with arguments on an object built from a
      class or factory of a serving or pipeline module, or a top-level such function of one.

    Objects and clients are followed through assignments, ``with ... as``, ``self.x`` set in
    ``setUp`` and pytest fixtures (the test module and the ``conftest.py`` files above it).
    Calls inside ``pytest.raises`` are error-path tests and do not count.

    * **supports**: such a call, an ``assert`` (or ``assert*`` call) on its result, the model
      not mocked, and the entry module reaching the feature code (when the repository has
      feature modules). One evidence per test module, with the node id.
    * **partial**: the model is mocked (``Mock``/``MagicMock`` bound to a model-like name,
      ``*.predict.return_value``, ``patch``/``monkeypatch.setattr`` of a model-like attribute,
      a FastAPI dependency override of a model-like dependency, a mock or stub passed to the
      constructor of the object under test, a stub class with ``predict`` defined in the
      tests); no assert on the output; only the status code asserted; the entry point does not
      reach the feature code; ``predict`` on an artifact loaded with
      ``joblib``/``mlflow``/``torch``... (whether it includes feature computation cannot be told).
    * a candidate test module that does not parse is **unreadable**.
"""

from __future__ import annotations

import ast
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector
from pytest_mlchecklist.detectors.import_graph import ImportGraph, import_graph
from pytest_mlchecklist.detectors.python_code import (
    PythonModule,
    constant_value,
    dotted_name,
    iter_calls,
    resolve_alias,
)
from pytest_mlchecklist.detectors.serving import find_routes, is_health_path
from pytest_mlchecklist.evidence import Evidence

SHARED = "shared-feature-code"
UNIT_TESTS = "feature-unit-tests"
INTEGRATION = "pipeline-integration-test"

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

#: Share of feature units that must be tested (per module and over the repository).
COVERAGE_RULE = 0.8

_FEATURE_WORD = re.compile(r"featur|transform|preprocess", re.IGNORECASE)
_FEATURE_PARENTS = frozenset(
    {"features", "feature", "featurization", "featurisation", "feature_engineering", "transforms",
     "transformations", "transformers", "preprocessing", "preprocess", "preprocessors"}
)
#: Module names about product feature flags, not model features.
_NOT_FEATURE_NAME = re.compile(r"flag|toggle|switch", re.IGNORECASE)
_FEATURE_DEF_HINT = re.compile(r"\bdef\s+\w*(?:featur|transform|preprocess)\w*\s*\(", re.IGNORECASE)
#: Feature-named functions that move features around rather than compute them (``load_feature_rows``).
_NOT_COMPUTING = re.compile(
    r"^(?:read|load|save|write|fetch|plot|print|export|store|upload|download|list|check|validate|compare|monitor|"
    r"log_feature|describe|show)_?"
)
#: Functions that give ``fit`` its data without computing features (loading, splitting, sampling).
_NOT_BUILDING = re.compile(r"split|load|read|config|sample|fetch|query|download|open|get_data|dataset", re.IGNORECASE)
_UNIT_METHODS = frozenset({"transform", "fit_transform", "__call__"})
_NOT_UNITS = frozenset({"main", "cli", "parse_args"})

#: Folders whose Python shows how to use the code rather than being the product.
_NOT_PRODUCTION_DIRS = frozenset({"docs", "doc", "examples", "example", "notebooks", "sandbox", "scratch"})
_TRAIN_CALLS = frozenset({"fit", "train", "fit_generator", "train_model", "fit_model", "train_and_evaluate"})
_TRAIN_HINT = re.compile(r"\.fit\(|\btrain\w*\(|\bfit\(")
_TRAIN_DIRS = frozenset({"training", "train"})

_SERVING_DIRS = frozenset({"serving", "serve", "server", "api", "app", "inference", "service"})
_SERVING_STEMS = frozenset(
    {"serve", "serving", "server", "service", "predict", "predictor", "predictors", "prediction", "inference",
     "infer", "scorer", "handler", "handlers", "api", "app", "endpoint", "endpoints", "lambda_function"}
)
_SERVING_STEM_WORD = re.compile(r"serve|serving|server|service|predictor|inference")
_NOT_SERVING_STEM = re.compile(
    r"train|fit|eval|metric|dataset|prepare|ingest|etl|backfill|experiment|test|bench|model|featur|transform|preprocess"
)
_PREDICT_HANDLERS = frozenset({"predict", "predict_one", "predict_batch", "score", "infer", "inference", "predict_fn"})
_PREDICT_HINT = re.compile(r"\bdef\s+(?:predict|predict_one|predict_batch|score|infer|inference|predict_fn)\s*\(")
_SERVER_BASES = {
    "kserve.Model": "KServe model",
    "kserve.KFModel": "KServe model",
    "kfserving.KFModel": "KServe model",
    "mlflow.pyfunc.PythonModel": "MLflow PythonModel",
    "ts.torch_handler.base_handler.BaseHandler": "TorchServe handler",
}
_SERVER_WORDS = ("kserve", "kfserving", "PythonModel", "BaseHandler", "model_fn", "Servicer", "deployment")
_SERVER_HINT = re.compile(
    r"kserve|kfserving|PythonModel|BaseHandler|TritonPythonModel|model_fn|Servicer|serve\.deployment"
)

_ENTRY_METHOD = re.compile(r"^(?:predict|score|infer|classify|forecast|recommend|rank|handle|invoke)")
_PIPELINE_STEM = re.compile(r"pipeline|inference|predict|serv|scor")
_CLIENT_METHODS = frozenset({"post", "put", "patch", "get", "request"})
_BODY_KEYWORDS = frozenset({"json", "data", "content", "files", "params", "query_string"})
_ARTIFACT_LOADERS = frozenset(
    {"joblib.load", "pickle.load", "pickle.loads", "cloudpickle.load", "dill.load", "torch.load", "torch.jit.load",
     "mlflow.pyfunc.load_model", "mlflow.sklearn.load_model", "mlflow.pytorch.load_model",
     "mlflow.xgboost.load_model", "mlflow.lightgbm.load_model", "mlflow.tensorflow.load_model",
     "tensorflow.keras.models.load_model", "keras.models.load_model", "keras.saving.load_model",
     "onnxruntime.InferenceSession", "skops.io.load", "bentoml.models.get"}
)
_MODEL_LIKE = re.compile(r"model|predict|estimator|classifier|regressor|booster|infer|scorer", re.IGNORECASE)
_MOCK_FACTORIES = frozenset({"Mock", "MagicMock", "AsyncMock", "NonCallableMock", "create_autospec"})
_STUB_CLASS = re.compile(r"fake|dummy|stub|mock", re.IGNORECASE)
#: Patched names that point the code at a real model rather than replace it (``MODEL_PATH``).
_SETTING_NAME = re.compile(r"path|dir|file|uri|url|version|name|env|config|settings", re.IGNORECASE)
_INTEGRATION_HINT = re.compile(
    r"TestClient|test_client|AsyncClient|ASGITransport|WSGITransport|\.(?:post|put|patch|get|request)\(|"
    r"\.(?:predict|score|infer|classify|forecast|"
    r"recommend|rank|handle|invoke)\w*\(|\b(?:predict|score|infer)\w*\("
)


# ======================================================================== roles
@dataclass
class FeatureModule:
    """A module that computes features: its units (public feature functions and classes) and why."""

    path: str
    name: str
    reason: str
    units: dict[str, int]

    @property
    def line(self) -> int | None:
        """The line of its first unit."""
        return min(self.units.values()) if self.units else None


@dataclass
class CodeRoles:
    """Feature, training and serving modules of the repository (see the module docstring)."""

    graph: ImportGraph
    features: dict[str, FeatureModule] = field(default_factory=dict)
    training: dict[str, str] = field(default_factory=dict)
    serving: dict[str, str] = field(default_factory=dict)
    route_files: set[str] = field(default_factory=set)
    unreadable: list[str] = field(default_factory=list)


def code_roles(ctx: DetectorContext) -> CodeRoles:
    """The roles of the repository's modules, computed once per scan."""
    return ctx.index.memo(("code-structure", "roles"), lambda: _find_roles(ctx))


def _find_roles(ctx: DetectorContext) -> CodeRoles:
    graph = import_graph(ctx.index)
    roles = CodeRoles(graph)
    routes = find_routes(ctx)
    roles.route_files = {route.file for route in routes.routes} | {path for path, _ in routes.bentoml}
    for path in graph.paths:
        if graph.is_test(path) or any(part in _NOT_PRODUCTION_DIRS for part in path.split("/")[:-1]):
            continue
        module = graph.module(path)
        if module is None:
            continue
        _classify_feature(graph, module, roles)
        _classify_training(graph, module, roles)
        _classify_serving(graph, module, roles)
    for path in list(roles.training):
        _input_builders(graph, path, roles)
    for path in roles.training:
        if path not in roles.route_files:
            roles.serving.pop(path, None)
    sides = sorted(set(roles.training) | set(roles.serving))
    for path, feature in list(roles.features.items()):
        if feature.reason != "defines feature functions":
            continue
        # A training or serving module with a `preprocess` function is that side's own code, and a module
        # that merely has a feature-named function is feature code only when training or serving uses it.
        if path in roles.training or path in roles.serving or not any(path in graph.reachable(side) for side in sides):
            del roles.features[path]
    return roles


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".py").lower()


def _defines_code(graph: ImportGraph, path: str) -> bool:
    definitions = graph.definitions(path)
    return bool(definitions.functions or definitions.classes)


def _classify_feature(graph: ImportGraph, module: PythonModule, roles: CodeRoles) -> None:
    parts = graph.name(module.path).split(".")
    by_name = not _NOT_FEATURE_NAME.search(parts[-1]) and (
        bool(_FEATURE_WORD.search(parts[-1])) or (len(parts) > 1 and parts[-2].lower() in _FEATURE_PARENTS)
    )
    hinted = module.mentions("eatur", "ransform", "reprocess") and bool(_FEATURE_DEF_HINT.search(module.text))
    if not by_name and not hinted:
        return
    if not module.parses:
        if by_name:
            roles.unreadable.append(module.path)
        return
    definitions = graph.definitions(module.path)
    units = {
        name: line
        for name, line in definitions.functions.items()
        if not name.startswith("_") and name not in _NOT_UNITS and (by_name or _computes_features(name))
    }
    units.update(
        {
            name: line
            for name, line in definitions.classes.items()
            if not name.startswith("_")
            and _UNIT_METHODS & set(definitions.methods[name])
            and (by_name or _computes_features(name))
        }
    )
    if units:
        reason = "named for features" if by_name else "defines feature functions"
        roles.features[module.path] = FeatureModule(module.path, graph.name(module.path), reason, units)


def _computes_features(name: str) -> bool:
    """True for a function or class name that says it computes features (``build_features``, ``Preprocessor``)."""
    return bool(_FEATURE_WORD.search(name)) and not _NOT_COMPUTING.match(name.lower())


def _classify_training(graph: ImportGraph, module: PythonModule, roles: CodeRoles) -> None:
    stem = _stem(module.path)
    named = stem.startswith(("train", "fit")) or any(part in _TRAIN_DIRS for part in module.path.split("/")[:-1])
    if not named and not (module.mentions("fit(", "train") and _TRAIN_HINT.search(module.text)):
        return
    if not module.parses:
        return
    for call in iter_calls(module.tree, module.aliases):
        if call.name.split(".")[-1] in _TRAIN_CALLS:
            roles.training[module.path] = f"calls `{call.name}`"
            return
    if stem.startswith(("train", "fit")) and _defines_code(graph, module.path):
        roles.training[module.path] = f"named `{stem}.py`"


def _classify_serving(graph: ImportGraph, module: PythonModule, roles: CodeRoles) -> None:
    path = module.path
    if path in roles.route_files:
        roles.serving[path] = "web routes"
        return
    stem = _stem(path)
    named = stem in _SERVING_STEMS or stem.startswith(("predict", "infer")) or bool(_SERVING_STEM_WORD.search(stem))
    excluded = bool(_NOT_SERVING_STEM.search(stem))
    folders = [] if excluded else [part for part in path.split("/")[:-1] if part.lower() in _SERVING_DIRS]
    server_hint = module.mentions(*_SERVER_WORDS) and bool(_SERVER_HINT.search(module.text))
    predict_hint = not excluded and module.mentions("def ") and bool(_PREDICT_HINT.search(module.text))
    if not (named or folders or server_hint or predict_hint) or not module.parses:
        return
    kind = _model_server(module) if server_hint else None
    if kind:
        roles.serving[path] = kind
    elif not _defines_code(graph, path):
        return
    elif named:
        roles.serving[path] = f"named `{stem}.py`"
    elif folders:
        roles.serving[path] = f"under `{folders[-1]}/`"
    elif predict_hint and (handler := _predict_handler(graph, path)):
        roles.serving[path] = f"defines `{handler}`"


def _model_server(module: PythonModule) -> str | None:
    """What kind of model server ``module`` declares, if any."""
    functions: set[str] = set()
    for node in module.tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.add(node.name)
        if not isinstance(node, ast.ClassDef):
            continue
        if node.name == "TritonPythonModel":
            return "Triton Python model"
        for base in node.bases:
            resolved = resolve_name(module, dotted_name(base) or "") or dotted_name(base) or ""
            if resolved in _SERVER_BASES:
                return _SERVER_BASES[resolved]
            if resolved.endswith("Servicer"):
                return "gRPC servicer"
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            resolved = resolve_name(module, dotted_name(target) or "") or ""
            if resolved in ("ray.serve.deployment", "ray.serve.api.deployment"):
                return "Ray Serve deployment"
    if "model_fn" in functions and functions & {"predict_fn", "transform_fn"}:
        return "SageMaker inference handler"
    return None


def _predict_handler(graph: ImportGraph, path: str) -> str | None:
    definitions = graph.definitions(path)
    for name in definitions.functions:
        if name in _PREDICT_HANDLERS:
            return name
    for class_name, methods in definitions.methods.items():
        if methods.keys() & {"fit", "train", "partial_fit"}:
            continue
        for name in methods:
            if name in _PREDICT_HANDLERS:
                return f"{class_name}.{name}"
    return None


def _input_builders(graph: ImportGraph, path: str, roles: CodeRoles) -> None:
    """Modules whose function builds what ``path`` passes to ``fit``/``train`` become feature modules."""
    module = graph.module(path)
    if module is None or not module.parses:
        return
    scopes: list[ast.AST] = [module.tree]
    scopes.extend(node for node in ast.walk(module.tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
    for scope in scopes:
        producers = _producers(scope)
        for node in _own_nodes(scope):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called not in ("fit", "fit_generator"):
                continue
            source = node.args[0]
            if isinstance(source, ast.Name):
                source = producers.get(source.id)
            if not isinstance(source, ast.Call):
                continue
            resolved = resolve_name(module, dotted_name(source.func) or "")
            owner = graph.owner(resolved, near=path) if resolved else None
            if owner is None or owner[0] == path or graph.is_test(owner[0]) or not owner[1]:
                continue
            function = owner[1].split(".")[0]
            line = graph.definitions(owner[0]).functions.get(function)
            if line is None or _NOT_BUILDING.search(function):
                continue
            found = roles.features.get(owner[0])
            if found is None:
                reason = f"builds the training input of `{path}`"
                roles.features[owner[0]] = FeatureModule(owner[0], graph.name(owner[0]), reason, {function: line})
            else:
                found.units.setdefault(function, line)


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``scope`` without descending into nested functions and classes."""
    queue = deque(ast.iter_child_nodes(scope))
    while queue:
        node = queue.popleft()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            queue.extend(ast.iter_child_nodes(node))


def _producers(scope: ast.AST) -> dict[str, ast.Call]:
    """Names assigned from a call in ``scope`` (``X = f(df)``, ``X, y = f(df)``), the last one in the source wins."""
    found: dict[str, ast.Call] = {}
    assignments = [node for node in _own_nodes(scope) if isinstance(node, ast.Assign)]
    for node in sorted(assignments, key=lambda assignment: assignment.lineno):
        if isinstance(node.value, ast.Call):
            for target in node.targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        found[name.id] = node.value
    return found


# ======================================================================== item 8
def _short(graph: ImportGraph, chain: tuple[str, ...]) -> str:
    """``src/a/app.py`` or ``src/a/app.py` via `a.predictor`` for a chain to a feature module."""
    shown = f"`{chain[0]}`"
    if len(chain) > 2:
        shown += " via " + ", ".join(f"`{graph.name(step)}`" for step in chain[1:-1])
    return shown


def _names(names: Iterable[str], limit: int = 6) -> str:
    ordered = sorted(names)
    shown = ", ".join(f"`{name}`" for name in ordered[:limit])
    return shown + (f" and {len(ordered) - limit} more" if len(ordered) > limit else "")


def _redefinitions(graph: ImportGraph, path: str, feature: FeatureModule) -> dict[str, int]:
    """Functions of ``path`` named like units of ``feature`` that do not call into it (not wrappers)."""
    module = graph.module(path)
    if module is None or not module.parses:
        return {}
    found: dict[str, int] = {}
    for node in ast.walk(module.tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name not in feature.units:
            continue
        if node.name in _NOT_UNITS or node.name.startswith("_") or node.name in _GENERIC_NAMES:
            continue
        if not _calls_into(graph, module, node, feature.path):
            found.setdefault(node.name, node.lineno)
    return found


_GENERIC_NAMES = frozenset(
    {"run", "load", "save", "predict", "fit", "transform", "fit_transform", "setup", "get", "apply", "process",
     "handle", "handler", "build", "create", "__call__", "__init__"}
)


def _calls_into(graph: ImportGraph, module: PythonModule, function: ast.AST, target: str) -> bool:
    for call in iter_calls(ast.Module(body=[function], type_ignores=[]), {}):  # type: ignore[list-item]
        resolved = resolve_name(module, call.name)
        owner = graph.owner(resolved, near=module.path) if resolved else None
        if owner is not None and owner[0] == target:
            return True
    return False


@dataclass
class _Usage:
    """The training and serving modules that use a feature module, with their import chains to it."""

    feature: FeatureModule
    training: list[tuple[str, ...]]
    serving: list[tuple[str, ...]]
    users: frozenset[str]
    direct: tuple[str, ...]


def _usage(roles: CodeRoles, feature: FeatureModule) -> _Usage:
    """Training and serving modules that use ``feature``: each reaches, through imports, a module that
    uses one of its feature functions (an import of constants only, ``FEATURE_NAMES``, is no use)."""
    graph = roles.graph
    direct = [path for path in graph.importers(feature.path) if _uses_units(graph, path, feature)]
    training = [chain for path in sorted(roles.training) if (chain := _user_chain(graph, path, feature, direct))]
    serving = [chain for path in sorted(roles.serving) if (chain := _user_chain(graph, path, feature, direct))]
    training.sort(key=lambda chain: (len(chain), chain))
    serving.sort(key=lambda chain: (len(chain), chain))
    users = frozenset([*direct, *(chain[0] for chain in [*training, *serving])])
    return _Usage(feature, training, serving, users, tuple(direct))


def _user_chain(graph: ImportGraph, source: str, feature: FeatureModule, direct: list[str]) -> tuple[str, ...] | None:
    """The shortest import chain from ``source`` to ``feature`` through a module that uses its functions."""
    if source == feature.path:
        return None
    if source in direct:
        return (source, feature.path)
    reach = graph.reachable(source)
    chains = [(*reach[path], feature.path) for path in direct if path in reach]
    return min(chains, key=lambda chain: (len(chain), chain)) if chains else None


def _uses_units(graph: ImportGraph, path: str, feature: FeatureModule) -> bool:
    """True when ``path`` imports or references one of ``feature``'s units (re-exports included)."""
    module = graph.module(path)
    if module is None or not module.parses:
        return False
    names = list(module.aliases)
    names.extend(
        dotted
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Attribute) and (dotted := dotted_name(node)) and dotted.split(".")[0] in module.aliases
    )
    for name in names:
        target = canonical(graph, module, name)
        if target is not None and target[0] == feature.path and target[1].split(".")[0] in feature.units:
            return True
    return False


def _distinct_pair(usage: _Usage) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    for train in usage.training:
        for serve in usage.serving:
            if train[0] != serve[0]:
                return train, serve
    return None


@detector(
    name="shared-feature-code",
    items=(SHARED,),
    looks_for=(
        "one feature module (features/transform/preprocess functions) imported, directly or through other modules, "
        "by both the training code and the serving code (web routes, predict handlers, model servers)"
    ),
)
def shared_feature_code(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 8 from the import graph (see the module docstring)."""
    roles = code_roles(ctx)
    graph = roles.graph
    features = dict(roles.features)
    for path in ctx.declared(SHARED):
        if path in graph and path not in features and graph.parses(path):
            units = {name: line for name, line in graph.definitions(path).functions.items() if not name.startswith("_")}
            if units:
                features[path] = FeatureModule(path, graph.name(path), "declared", units)
    for path in sorted(set(roles.unreadable)):
        yield ctx.unreadable(SHARED, path)
    usages = {path: _usage(roles, feature) for path, feature in sorted(features.items())}
    reported_pairs: set[frozenset[str]] = set()
    found: list[Evidence] = []
    for usage in usages.values():
        found.extend(_judge_feature_module(ctx, roles, usage, usages, reported_pairs))
    shared = any(evidence.verdict == "supports" for evidence in found)
    # Once a module is shared, other modules used by one side only are not a gap; copies still are.
    for evidence in found:
        if not shared or evidence.verdict != "partial" or _is_copy(evidence):
            yield evidence
    if not features and roles.training and roles.serving:
        train, serve = sorted(roles.training)[0], sorted(roles.serving)[0]
        yield ctx.partial(
            SHARED,
            f"training (`{train}`) and serving (`{serve}`) found, but no feature module (features, transform or "
            "preprocess functions) that both use",
            path=serve,
        )


def _is_copy(evidence: Evidence) -> bool:
    """True for a finding about features implemented twice."""
    return "re-implements" in evidence.detail or "redefines" in evidence.detail


def _judge_feature_module(
    ctx: DetectorContext,
    roles: CodeRoles,
    usage: _Usage,
    usages: dict[str, _Usage],
    reported_pairs: set[frozenset[str]],
) -> Iterator[Evidence]:
    graph = roles.graph
    feature = usage.feature
    where = {"path": feature.path, "line": feature.line}
    label = f"`{feature.name}`"
    pair = _distinct_pair(usage)
    if pair is not None:
        train, serve = pair
        redefined = {
            chain[0]: names for chain in usage.serving if (names := _redefinitions(graph, chain[0], feature))
        }
        used = f"{label} used by training ({_short(graph, train)}) and serving ({_short(graph, serve)})"
        if redefined:
            path, names = sorted(redefined.items())[0]
            detail = f"{used}, but `{path}` redefines {_names(names)} instead of calling it"
            yield ctx.partial(SHARED, detail, path=path, line=min(names.values()))
        else:
            yield ctx.supports(SHARED, used, **where)
        return
    if usage.training and not usage.serving:
        yield from _one_side(ctx, roles, usage, usages, reported_pairs, "training", "serving")
    elif usage.serving and not usage.training:
        yield from _one_side(ctx, roles, usage, usages, reported_pairs, "serving", "training")
    elif usage.training and usage.serving:
        only = usage.training[0][0]
        detail = f"{label} is used only by `{only}`, which both trains and serves; no separate serving code imports it"
        yield ctx.partial(SHARED, detail, **where)
    else:
        detail = f"{label} defines {len(feature.units)} feature functions, but no training or serving code imports it"
        yield ctx.partial(SHARED, detail, **where)


def _one_side(
    ctx: DetectorContext,
    roles: CodeRoles,
    usage: _Usage,
    usages: dict[str, _Usage],
    reported_pairs: set[frozenset[str]],
    side: str,
    other: str,
) -> Iterator[Evidence]:
    graph = roles.graph
    feature = usage.feature
    label = f"`{feature.name}`"
    users = usage.training if side == "training" else usage.serving
    used = f"{label} is used by {side} ({_short(graph, users[0])})"
    other_modules = roles.serving if other == "serving" else roles.training
    if not other_modules:
        what = "web routes, predict handlers, model servers, serving folders" if other == "serving" else (
            "no module calls fit/train or is named train*"
        )
        yield ctx.partial(SHARED, f"{used}; no {other} code found ({what})", path=feature.path, line=feature.line)
        return
    copies: dict[str, dict[str, int]] = {}
    candidates = set(other_modules)
    for path, other_usage in usages.items():
        if path != feature.path and (other_usage.serving if other == "serving" else other_usage.training):
            candidates.add(path)
    for path in sorted(candidates):
        if path == feature.path or path in usage.users or _user_chain(graph, path, feature, list(usage.direct)):
            continue
        names = _redefinitions(graph, path, feature)
        if names:
            copies[path] = names
    if copies:
        path, names = sorted(copies.items(), key=lambda entry: (-len(entry[1]), entry[0]))[0]
        key = frozenset({path, feature.path})
        if key in reported_pairs:
            return
        reported_pairs.add(key)
        detail = (
            f"{other} re-implements {_names(names)} in `{path}` instead of importing {label} "
            f"(used by {side}: `{users[0][0]}`)"
        )
        yield ctx.partial(SHARED, detail, path=path, line=min(names.values()))
        return
    example = sorted(other_modules)[0]
    detail = f"{used}, but no {other} code uses its functions ({other}: `{example}`)"
    yield ctx.partial(SHARED, detail, path=feature.path, line=feature.line)


# ======================================================================== item 8: Feast
@dataclass
class _Retrieval:
    path: str
    line: int
    views: set[str] | None


@detector(
    name="feature-store-definitions",
    items=(SHARED,),
    looks_for=(
        "Feast feature views defined in the repository and read both by training (get_historical_features) and "
        "by serving (get_online_features)"
    ),
)
def feature_store_definitions(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 8 from Feast definitions and retrievals (see the module docstring)."""
    graph = import_graph(ctx.index)
    views: list[tuple[str, int, str]] = []
    historical: list[_Retrieval] = []
    online: list[_Retrieval] = []
    for path in graph.paths:
        if graph.is_test(path):
            continue
        module = graph.module(path)
        if module is None or not module.mentions("FeatureView", "FeatureService", "get_historical_features",
                                                 "get_online_features"):
            continue
        if not module.parses:
            yield ctx.unreadable(SHARED, path)
            continue
        for call in iter_calls(module.tree, module.aliases):
            last = call.name.split(".")[-1]
            if last in ("FeatureView", "BatchFeatureView", "StreamFeatureView", "FeatureService") and (
                call.name.startswith("feast") or "feast" in module.text
            ):
                name = next((constant_value(k.value) for k in call.node.keywords if k.arg == "name"), ...)
                views.append((path, call.line, name if isinstance(name, str) else "?"))
            elif last == "get_historical_features":
                historical.append(_Retrieval(path, call.line, _view_refs(call.node)))
            elif last == "get_online_features":
                online.append(_Retrieval(path, call.line, _view_refs(call.node)))
    if not (views or historical or online):
        return
    yield _judge_feast(ctx, views, historical, online)


def _view_refs(call: ast.Call) -> set[str] | None:
    """Feature views named by ``features=["view:feature", ...]``, or ``None`` when not literal."""
    value = next((k.value for k in call.keywords if k.arg in ("features", "feature_refs")), None)
    if value is None and call.args:
        value = call.args[0]
    if not isinstance(value, (ast.List, ast.Tuple)):
        return None
    found: set[str] = set()
    for element in value.elts:
        text = constant_value(element)
        if not isinstance(text, str) or ":" not in text:
            return None
        found.add(text.split(":", 1)[0])
    return found


def _judge_feast(
    ctx: DetectorContext, views: list[tuple[str, int, str]], historical: list[_Retrieval], online: list[_Retrieval]
) -> Evidence:
    if not historical and not online:
        path, line, _ = views[0]
        detail = (
            f"{len(views)} Feast feature view/service definitions, but neither training (get_historical_features) "
            "nor serving (get_online_features) reads them"
        )
        return ctx.partial(SHARED, detail, path=path, line=line)
    if not historical or not online:
        found = (historical or online)[0]
        side, other, call = ("training", "serving", "get_historical_features") if historical else (
            "serving", "training", "get_online_features"
        )
        missing = "get_online_features" if historical else "get_historical_features"
        detail = (
            f"Feast features read by {side} (`{call}` in `{found.path}:{found.line}`) "
            f"but not by {other} (no `{missing}`)"
        )
        return ctx.partial(SHARED, detail, path=found.path, line=found.line)
    pairs = [(train, serve) for train in historical for serve in online if train.path != serve.path]
    if not pairs:
        detail = f"both Feast retrievals are in `{historical[0].path}`, so training and serving cannot be told apart"
        return ctx.partial(SHARED, detail, path=historical[0].path, line=historical[0].line)
    for train, serve in pairs:
        shared = (train.views & serve.views) if train.views is not None and serve.views is not None else None
        if shared or (shared is None and views):
            which = f"views {_names(shared)}" if shared else f"feature views ({len(views)} defined in the repository)"
            detail = (
                f"Feast {which} read by training (`get_historical_features` in `{train.path}:{train.line}`) and "
                f"serving (`get_online_features` in `{serve.path}:{serve.line}`)"
            )
            return ctx.supports(SHARED, detail, path=serve.path, line=serve.line)
    train, serve = pairs[0]
    if train.views is not None and serve.views is not None:
        detail = (
            f"training reads Feast views {_names(train.views)} (`{train.path}`) and serving reads "
            f"{_names(serve.views)} (`{serve.path}`): no view is shared"
        )
    else:
        detail = "training and serving read a Feast store, but no feature view is defined in the repository"
    return ctx.partial(SHARED, detail, path=serve.path, line=serve.line)


# ======================================================================== tests: shared reading
@dataclass(frozen=True)
class CollectedTest:
    """A pytest test function (module level or in a test class), with its node id."""

    path: str
    node: FunctionNode
    class_node: ast.ClassDef | None = None

    @property
    def nodeid(self) -> str:
        """``tests/test_x.py::test_y`` or ``tests/test_x.py::TestX::test_y``."""
        if self.class_node is not None:
            return f"{self.path}::{self.class_node.name}::{self.node.name}"
        return f"{self.path}::{self.node.name}"

    @property
    def name(self) -> str:
        """The function name."""
        return self.node.name


def collect_tests(path: str, tree: ast.Module) -> list[CollectedTest]:
    """The test functions pytest collects from a module: ``test*`` functions, and ``test*`` methods
    of ``Test*`` classes or ``unittest.TestCase`` subclasses."""
    found: list[CollectedTest] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            found.append(CollectedTest(path, node))
        elif isinstance(node, ast.ClassDef) and _is_test_class(node):
            for child in node.body:
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and child.name.startswith("test"):
                    found.append(CollectedTest(path, child, node))
    return found


def _is_test_class(node: ast.ClassDef) -> bool:
    if node.name.startswith("Test"):
        return True
    return any((dotted_name(base) or "").endswith("TestCase") for base in node.bases)


def has_assertion(node: ast.AST) -> bool:
    """True when ``node`` asserts something: ``assert``, ``pytest.raises``/``warns``, ``assert*`` calls."""
    for child in ast.walk(node):
        if isinstance(child, ast.Assert):
            return True
        if isinstance(child, ast.Call):
            last = (dotted_name(child.func) or "").split(".")[-1]
            if last.startswith(("assert", "raises", "warns")) or last in ("fail_unless", "assertRaises"):
                return True
    return False


def _is_raises(call: ast.AST) -> bool:
    if not isinstance(call, ast.Call):
        return False
    last = (dotted_name(call.func) or "").split(".")[-1]
    return last in ("raises", "assertRaises", "assertRaisesRegex")


@dataclass(frozen=True)
class Fixture:
    """A pytest fixture: the module that defines it and its function."""

    module: PythonModule
    node: FunctionNode
    autouse: bool


def _fixture_decorator(module: PythonModule, decorator: ast.expr) -> tuple[bool, str | None, bool]:
    """(is a fixture, its ``name=``, autouse) for one decorator."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    dotted = dotted_name(target) or ""
    resolved = resolve_name(module, dotted) or dotted
    from_pytest = resolved.endswith(".fixture") and resolved.split(".")[0] in ("pytest", "pytest_asyncio")
    if not from_pytest and dotted != "fixture":
        return False, None, False
    name: str | None = None
    autouse = False
    if isinstance(decorator, ast.Call):
        for keyword in decorator.keywords:
            if keyword.arg == "name" and isinstance(constant_value(keyword.value), str):
                name = str(constant_value(keyword.value))
            elif keyword.arg == "autouse" and constant_value(keyword.value) is True:
                autouse = True
    return True, name, autouse


def module_fixtures(module: PythonModule) -> dict[str, Fixture]:
    """The fixtures a module defines (top level and in classes), by the name tests request."""
    found: dict[str, Fixture] = {}
    for node in ast.walk(module.tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            is_fixture, name, autouse = _fixture_decorator(module, decorator)
            if is_fixture:
                found.setdefault(name or node.name, Fixture(module, node, autouse))
    return found


class FixtureScope:
    """The fixtures visible from test modules: their own, then ``conftest.py`` files above them."""

    def __init__(self, graph: ImportGraph) -> None:
        self.graph = graph
        self._conftests: dict[str, dict[str, Fixture]] = {}

    def _conftest(self, folder: str) -> dict[str, Fixture]:
        if folder not in self._conftests:
            path = f"{folder}/conftest.py" if folder else "conftest.py"
            module = self.graph.module(path) if path in self.graph else None
            self._conftests[folder] = module_fixtures(module) if module is not None and module.parses else {}
        return self._conftests[folder]

    def visible(self, module: PythonModule) -> dict[str, Fixture]:
        """Fixtures visible in ``module``: nearest definition wins."""
        found: dict[str, Fixture] = {}
        folders = module.path.split("/")[:-1]
        for depth in range(len(folders), -1, -1):
            for name, fixture in self._conftest("/".join(folders[:depth])).items():
                found.setdefault(name, fixture)
        own = module_fixtures(module)
        found.update(own)
        return found

    def requested(self, test: ast.AST, visible: dict[str, Fixture], *, autouse: bool = False) -> list[Fixture]:
        """The fixtures ``test`` requests, transitively (and the autouse ones when asked)."""
        result: list[Fixture] = []
        seen: set[int] = set()
        stack = _parameters(test)
        if autouse:
            stack.extend(name for name, fixture in visible.items() if fixture.autouse)
        while stack:
            name = stack.pop()
            fixture = visible.get(name)
            if fixture is None or id(fixture.node) in seen:
                continue
            seen.add(id(fixture.node))
            result.append(fixture)
            stack.extend(_parameters(fixture.node))
        return result


def _parameters(node: ast.AST) -> list[str]:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return []
    arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
    return [argument.arg for argument in arguments if argument.arg not in ("self", "cls")]


def resolve_name(module: PythonModule, dotted: str) -> str | None:
    """The fully qualified name ``dotted`` stands for in ``module``.

    Like :meth:`PythonModule.resolve`, except that a name bound only inside some function (a
    local variable ``features`` in one test) does not hide the module imported as ``features``:
    names defined at the module's top level win, then imports, then any other binding.
    """
    head = dotted.split(".", 1)[0]
    if head in module.aliases and head not in _top_level_names(module.tree):
        absolute = _absolute(module, resolve_alias(dotted, module.aliases))
        return absolute or None
    return module.resolve(dotted)


def _top_level_names(tree: ast.Module) -> frozenset[str]:
    """Names bound at the top level of a module (definitions and assignments, not imports)."""
    if tree in _TOP_LEVEL_NAMES:
        return _TOP_LEVEL_NAMES[tree]
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    _TOP_LEVEL_NAMES[tree] = frozenset(names)
    return _TOP_LEVEL_NAMES[tree]


_TOP_LEVEL_NAMES: WeakKeyDictionary[ast.Module, frozenset[str]] = WeakKeyDictionary()


def _absolute(module: PythonModule, name: str) -> str:
    """``.features.f`` inside package ``pkg`` becomes ``pkg.features.f``."""
    if not name.startswith("."):
        return name
    level = len(name) - len(name.lstrip("."))
    package = module.name.split(".") if module.path.endswith("__init__.py") else module.name.split(".")[:-1]
    anchor = package[: len(package) - (level - 1)] if level > 1 else package
    rest = name[level:]
    return ".".join([*anchor, rest] if rest else anchor)


def canonical(graph: ImportGraph, module: PythonModule, dotted: str, depth: int = 0) -> tuple[str, str] | None:
    """The repository module and name ``dotted`` (as written in ``module``) stands for.

    Re-exports are followed: ``from pkg import build`` where ``pkg/__init__.py`` imports
    ``build`` from ``pkg.features`` gives (``.../features.py``, ``build``).
    """
    resolved = resolve_name(module, dotted)
    if resolved is None:
        return None
    owner = graph.owner(resolved, near=module.path)
    if owner is None:
        return None
    path, rest = owner
    if not rest or depth >= 3:
        return owner
    head = rest.split(".")[0]
    if head in graph.definitions(path).functions or head in graph.definitions(path).classes:
        return owner
    target = graph.module(path)
    if target is None or head not in target.aliases:
        return owner
    deeper = canonical(graph, target, rest, depth + 1)
    return deeper or owner


# ======================================================================== item 19
#: Calls that look at a function without testing it (``assert callable(build_features)``).
_INTROSPECTION = frozenset(
    {"callable", "hasattr", "getattr", "isinstance", "issubclass", "id", "type", "repr", "str", "print", "dir",
     "vars", "signature", "getsource", "getdoc", "isfunction", "iscoroutinefunction", "getmembers"}
)


def _literal_names(node: ast.AST, depth: int = 0) -> Iterator[str]:
    """Names passed as a value, or listed in (nested) list/tuple/set literals, e.g. parametrize cases."""
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = dotted_name(node)
        if name:
            yield name
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)) and depth < 3:
        for element in node.elts:
            yield from _literal_names(element, depth + 1)


def _passed_names(node: ast.AST) -> Iterator[str]:
    """Names ``node`` passes to calls as arguments (``df.apply(log_amount)``, parametrize lists)."""
    for child in ast.walk(node):
        if isinstance(child, ast.Call) and (dotted_name(child.func) or "").split(".")[-1] not in _INTROSPECTION:
            for argument in [*child.args, *(keyword.value for keyword in child.keywords)]:
                yield from _literal_names(argument)


def asserted(function: ast.AST, call: ast.Call) -> bool:
    """True when ``function`` asserts on the result of ``call`` (or expects it to raise)."""
    bound = _bound_from(function, call)
    for node in ast.walk(function):
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(_is_raises(item.context_expr) for item in node.items):
            if any(_contains(statement, call) for statement in node.body):
                return True
        checked: list[ast.AST] = []
        if isinstance(node, ast.Assert):
            checked = [node.test]
        elif isinstance(node, ast.Call) and (dotted_name(node.func) or "").split(".")[-1].startswith("assert"):
            checked = [*node.args, *(keyword.value for keyword in node.keywords)]
        if any(_contains(expression, call) or _mentions(expression, bound) for expression in checked):
            return True
    return False


@dataclass
class _Uses:
    """Units of feature modules a test exercises with an assertion, and without one."""

    tested: dict[str, set[str]] = field(default_factory=dict)
    unasserted: dict[str, set[str]] = field(default_factory=dict)

    def add(self, target: tuple[str, str] | None, checked: bool) -> None:
        """Record the unit ``target`` names (a (module path, name) pair) on the side ``checked`` says."""
        if target is None or not target[1]:
            return
        side = self.tested if checked else self.unasserted
        side.setdefault(target[0], set()).add(target[1].split(".")[0])


def _test_uses(graph: ImportGraph, test: CollectedTest, module: PythonModule, fixtures: list[Fixture]) -> _Uses:
    """What the test does with repository functions (see the module docstring, item 19).

    A direct call counts when its result is asserted on (or expected to raise); a function
    passed as an argument, listed in ``parametrize`` or used by a requested fixture counts when
    the test asserts anything.
    """
    uses = _Uses()
    asserts = has_assertion(test.node)
    for node in ast.walk(test.node):
        if isinstance(node, ast.Call) and (name := dotted_name(node.func)):
            target = canonical(graph, module, name)
            if target is not None:
                uses.add(target, asserted(test.node, node))
    indirect: list[tuple[PythonModule, ast.AST]] = [(module, test.node)]
    indirect.extend((module, decorator) for decorator in test.node.decorator_list)
    if test.class_node is not None:
        indirect.extend((module, decorator) for decorator in test.class_node.decorator_list)
    for owner_module, node in indirect:
        for name in set(_passed_names(node)):
            uses.add(canonical(graph, owner_module, name), asserts)
    for fixture in fixtures:
        for node in ast.walk(fixture.node):
            if isinstance(node, ast.Call) and (name := dotted_name(node.func)):
                uses.add(canonical(graph, fixture.module, name), asserts)
        for name in set(_passed_names(fixture.node)):
            uses.add(canonical(graph, fixture.module, name), asserts)
    return uses


@dataclass
class _Coverage:
    feature: FeatureModule
    tested: dict[str, list[CollectedTest]] = field(default_factory=dict)
    unasserted: list[CollectedTest] = field(default_factory=list)

    @property
    def share(self) -> float:
        """The fraction of the module's units that are tested."""
        return len(self.tested) / len(self.feature.units) if self.feature.units else 0.0


def _test_candidates(graph: ImportGraph, feature: FeatureModule) -> list[str]:
    """Test modules that import the feature module, directly or through a package re-exporting it,
    those under a ``conftest.py`` that does, and those naming it that do not parse."""
    importers = list(graph.importers(feature.path))
    for path in list(importers):
        if path.endswith("__init__.py") and not graph.is_test(path):
            importers.extend(graph.importers(path))
    tests = {path for path in importers if graph.is_test(path)}
    conftest_dirs = [path.removesuffix("conftest.py") for path in tests if path.endswith("conftest.py")]
    if conftest_dirs:
        tests.update(path for path in graph.paths if graph.is_test(path) and path.startswith(tuple(conftest_dirs)))
    # test modules that name the feature module but do not parse: their imports cannot be read
    word = feature.name.rsplit(".", 1)[-1]
    pattern = re.compile(rf"\b{re.escape(word)}\b")
    for path in graph.paths:
        if graph.is_test(path) and path not in tests:
            module = graph.module(path)
            if module is not None and word in module.text and pattern.search(module.text) and not module.parses:
                tests.add(path)
    return sorted(path for path in tests if not path.endswith("conftest.py"))


@detector(
    name="feature-tests",
    items=(UNIT_TESTS,),
    looks_for=(
        "test functions that import the feature module(s), call the feature functions and assert on the results, "
        "covering at least 80% of them"
    ),
)
def feature_tests(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 19 (see the module docstring)."""
    roles = code_roles(ctx)
    graph = roles.graph
    if not roles.features:
        for path in sorted(set(roles.unreadable)):
            yield ctx.unreadable(UNIT_TESTS, path)
        return
    scope = FixtureScope(graph)
    coverages = {path: _Coverage(feature) for path, feature in sorted(roles.features.items())}
    candidates: set[str] = set(ctx.declared(UNIT_TESTS)) & set(graph.paths)
    for feature in roles.features.values():
        candidates.update(_test_candidates(graph, feature))
    for path in sorted(candidates):
        module = graph.module(path)
        if module is None:
            continue
        if not module.parses:
            yield ctx.unreadable(UNIT_TESTS, path)
            continue
        visible = scope.visible(module)
        for test in collect_tests(path, module.tree):
            uses = _test_uses(graph, test, module, scope.requested(test.node, visible))
            for feature_path, coverage in coverages.items():
                units = coverage.feature.units.keys()
                for unit in uses.tested.get(feature_path, set()) & units:
                    coverage.tested.setdefault(unit, []).append(test)
                if uses.unasserted.get(feature_path, set()) & units:
                    coverage.unasserted.append(test)
    total = sum(len(coverage.feature.units) for coverage in coverages.values())
    tested = sum(len(coverage.tested) for coverage in coverages.values())
    overall = tested / total if total else 0.0
    for coverage in coverages.values():
        yield _judge_coverage(ctx, coverage, overall, tested, total, len(coverages))


def _judge_coverage(
    ctx: DetectorContext, coverage: _Coverage, overall: float, tested: int, total: int, modules: int
) -> Evidence:
    feature = coverage.feature
    label = f"`{feature.name}`"
    count = len(feature.units)
    noun = "function" if count == 1 else "functions"
    if not coverage.tested:
        if coverage.unasserted:
            test = coverage.unasserted[0]
            detail = f"tests call the {noun} of {label} but assert nothing (`{test.name}`)"
            return ctx.partial(UNIT_TESTS, detail, path=test.path, line=test.node.lineno, nodeid=test.nodeid)
        detail = f"no test calls the {count} feature {noun} of {label}"
        return ctx.partial(UNIT_TESTS, detail, path=feature.path, line=feature.line)
    best = _representative(coverage)
    untested = sorted(set(feature.units) - set(coverage.tested))
    covered = f"tests cover {len(coverage.tested)} of {count} {noun} of {label}"
    if untested:
        covered += f" (untested: {_names(untested)})"
    where = {"path": best.path, "line": best.node.lineno, "nodeid": best.nodeid}
    if coverage.share < COVERAGE_RULE:
        return ctx.partial(UNIT_TESTS, f"{covered}; at least {COVERAGE_RULE:.0%} must be tested", **where)
    if overall < COVERAGE_RULE:
        detail = (
            f"{covered}, but only {tested} of {total} feature functions across {modules} feature modules are tested "
            f"(at least {COVERAGE_RULE:.0%})"
        )
        return ctx.partial(UNIT_TESTS, detail, **where)
    return ctx.supports(UNIT_TESTS, covered, **where)


def _representative(coverage: _Coverage) -> CollectedTest:
    """The test function covering the most units (first by path and line on a tie)."""
    counts: dict[str, tuple[int, CollectedTest]] = {}
    for tests in coverage.tested.values():
        for test in tests:
            previous = counts.get(test.nodeid, (0, test))[0]
            counts[test.nodeid] = (previous + 1, test)
    return min(counts.values(), key=lambda entry: (-entry[0], entry[1].path, entry[1].node.lineno))[1]


# ======================================================================== item 20
@dataclass
class _Entry:
    """A call of the serving path found in a test."""

    call: ast.Call
    what: str
    module: str | None
    kind: str  # "client", "method", "function", "artifact"
    built: _Origin | None = None  # the construction of the object the method is called on


@dataclass
class _Origin:
    module: PythonModule
    value: ast.expr


class _TestReader:
    """Reads one test function: where its objects come from, its entry calls, mocks and asserts."""

    def __init__(self, roles: CodeRoles, module: PythonModule, test: CollectedTest, visible: dict[str, Fixture],
                 scope: FixtureScope) -> None:
        self.roles = roles
        self.graph = roles.graph
        self.module = module
        self.test = test
        self.visible = visible
        self.fixtures = scope.requested(test.node, visible, autouse=True)

    # ------------------------------------------------------------ origins
    def origin(self, module: PythonModule, function: ast.AST, expr: ast.expr, depth: int = 0) -> _Origin | None:
        """The expression ``expr`` was built from: assignments, ``with ... as``, fixtures, ``self.x`` in setUp."""
        if depth > 6:
            return None
        if isinstance(expr, ast.Await):
            expr = expr.value
        if isinstance(expr, ast.Call):
            return _Origin(module, expr)
        name = dotted_name(expr)
        if name is None:
            return None
        if name.startswith(("self.", "cls.")) and self.test.class_node is not None and function is self.test.node:
            value = _class_attribute(self.test.class_node, name.split(".", 1)[1])
            return self.origin(module, self.test.class_node, value, depth + 1) if value is not None else None
        if "." in name:
            return _Origin(module, expr)
        value = _binding(function, name)
        if value is not None:
            return self.origin(module, function, value, depth + 1)
        if name in _parameters(function):
            fixture = self.visible.get(name)
            if fixture is not None:
                returned = _returned(fixture.node)
                if returned is not None:
                    return self.origin(fixture.module, fixture.node, returned, depth + 1)
            return None
        if function is not module.tree:
            value = _binding(module.tree, name)
            if value is not None:
                return self.origin(module, module.tree, value, depth + 1)
        return _Origin(module, expr)

    # ------------------------------------------------------------ entry points
    def entries(self) -> Iterator[_Entry]:
        """Serving-path calls made by the test function."""
        for node in ast.walk(self.test.node):
            if not isinstance(node, ast.Call):
                continue
            entry = self._client_call(node) or self._entry_call(node)
            if entry is not None:
                yield entry

    def _client_call(self, call: ast.Call) -> _Entry | None:
        if not isinstance(call.func, ast.Attribute) or call.func.attr not in _CLIENT_METHODS:
            return None
        url = constant_value(call.args[0]) if call.args else ...
        if not isinstance(url, str):
            url_kw = next((k.value for k in call.keywords if k.arg == "url"), None)
            url = constant_value(url_kw) if url_kw is not None else ...
        if isinstance(url, str) and is_health_path(url):
            return None
        body = any(keyword.arg in _BODY_KEYWORDS for keyword in call.keywords) or (
            isinstance(url, str) and "?" in url
        )
        if not body:
            return None
        origin = self.origin(self.module, self.test.node, call.func.value)
        if origin is None:
            return None
        app = _client_app(origin.module, origin.value)
        if app is None:
            return None
        app_origin = self.origin(origin.module, self._function_of(origin), app) if isinstance(app, ast.Name) else None
        target = self._repository_owner(app_origin or _Origin(origin.module, app))
        if target is None or not self._is_app_module(target[0]):
            return None
        shown = f"`{url}`" if isinstance(url, str) else "a route"
        return _Entry(call, f"sends a raw request to {shown} of the app in `{target[0]}`", target[0], "client")

    def _function_of(self, origin: _Origin) -> ast.AST:
        """The function the origin expression sits in (the test, or the fixture that built it)."""
        if origin.module is self.module:
            for node in ast.walk(self.test.node):
                if node is origin.value:
                    return self.test.node
        for fixture in self.fixtures:
            for node in ast.walk(fixture.node):
                if node is origin.value:
                    return fixture.node
        return self.test.node

    def _repository_owner(self, origin: _Origin) -> tuple[str, str] | None:
        value = origin.value.func if isinstance(origin.value, ast.Call) else origin.value
        name = dotted_name(value)
        if name is None:
            return None
        return canonical(self.graph, origin.module, name)

    def _is_app_module(self, path: str) -> bool:
        if path in self.roles.route_files or path in self.roles.serving:
            return True
        return any(self.graph.chain(path, route) for route in sorted(self.roles.route_files))

    def _entry_call(self, call: ast.Call) -> _Entry | None:
        if not (call.args or call.keywords):
            return None
        if isinstance(call.func, ast.Attribute):
            method = call.func.attr
            if not _ENTRY_METHOD.match(method):
                return None
            return self._object_entry(call, call.func.value, method)
        if isinstance(call.func, ast.Name):
            name = call.func.id
            if _binding(self.test.node, name) is not None or name in _parameters(self.test.node):
                return self._object_entry(call, call.func, "__call__", direct=True)
            target = canonical(self.graph, self.module, name)
            if target is None or not _ENTRY_METHOD.match(target[1]) or not self._is_entry_module(target[0]):
                return None
            if target[1] in self.graph.definitions(target[0]).functions:
                return _Entry(call, f"calls `{target[1]}` of `{target[0]}` with a raw input", target[0], "function")
        return None

    def _object_entry(self, call: ast.Call, obj: ast.expr, method: str, *, direct: bool = False) -> _Entry | None:
        origin = self.origin(self.module, self.test.node, obj)
        if origin is None or not isinstance(origin.value, ast.Call):
            return None
        built = origin.value.func
        built_name = dotted_name(built)
        if built_name is None:
            return None
        resolved = resolve_name(origin.module, built_name) or built_name
        if resolved in _ARTIFACT_LOADERS or resolved.rsplit(".", 1)[0] in _ARTIFACT_LOADERS:
            if direct:
                return None
            return _Entry(call, f"calls `{method}` on an artifact loaded with `{resolved}`", None, "artifact")
        target = canonical(self.graph, origin.module, built_name)
        if target is None or not target[1] or not self._is_entry_module(target[0]):
            return None
        owner = target[1].split(".")[0]
        methods = self.graph.definitions(target[0]).methods.get(owner)
        if methods is not None and method not in methods and direct:
            return None
        if owner in self.graph.definitions(target[0]).classes:
            shown = f"`{owner}.{method}`" if method != "__call__" else f"`{owner}`"
        else:
            shown = f"`{method}` of `{owner}()`" if method != "__call__" else f"the object from `{owner}()`"
        return _Entry(call, f"feeds a raw input to {shown} (`{target[0]}`)", target[0], "method", origin)

    def _is_entry_module(self, path: str) -> bool:
        if self.graph.is_test(path):
            return False
        return path in self.roles.serving or bool(_PIPELINE_STEM.search(_stem(path)))

    # ------------------------------------------------------------ checks
    def mocked_model(self) -> str | None:
        """How the model is replaced in the test, its class set-up or its fixtures, if it is."""
        scopes: list[ast.AST] = [self.test.node]
        if self.test.class_node is not None:
            scopes.extend(self.test.class_node.decorator_list)
            scopes.extend(
                node
                for node in self.test.class_node.body
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("test")
            )
        scopes.extend(fixture.node for fixture in self.fixtures)
        stubs = _stub_classes(self.module)
        for fixture in self.fixtures:
            stubs |= _stub_classes(fixture.module)
        for scope in scopes:
            found = _mock_in(scope, stubs)
            if found:
                return found
        return None

    def mock_argument(self, entries: list[_Entry]) -> str | None:
        """A mock or stub passed to the constructor of the entry object (``Predictor(MagicMock())``)."""
        stubs = _stub_classes(self.module)
        for entry in entries:
            if entry.built is None or not isinstance(entry.built.value, ast.Call):
                continue
            scope = self._function_of(entry.built)
            construction = entry.built.value
            for argument in [*construction.args, *(keyword.value for keyword in construction.keywords)]:
                if _is_mock_object(scope, argument, stubs):
                    return "the model is mocked (a mock is passed to the object under test)"
        return None

    def asserts_on(self, entry: _Entry) -> str:
        """``"output"``, ``"status"`` (only the status code) or ``"none"``."""
        bound = _bound_from(self.test.node, entry.call)
        status_only = False
        for node in ast.walk(self.test.node):
            checked: list[ast.AST] = []
            if isinstance(node, ast.Assert):
                checked = [node.test]
            elif isinstance(node, ast.Call) and (dotted_name(node.func) or "").split(".")[-1].startswith("assert"):
                checked = [*node.args, *(keyword.value for keyword in node.keywords)]
            for expression in checked:
                verdict = _refers(expression, bound, entry.call)
                if verdict == "output":
                    return "output"
                status_only = status_only or verdict == "status"
        return "status" if status_only else "none"

    def in_raises(self, call: ast.Call) -> bool:
        """True when ``call`` runs inside ``with pytest.raises(...)``."""
        for node in ast.walk(self.test.node):
            if not isinstance(node, (ast.With, ast.AsyncWith)):
                continue
            if any(_is_raises(item.context_expr) for item in node.items):
                if any(child is call for statement in node.body for child in ast.walk(statement)):
                    return True
        return False


def _binding(function: ast.AST, name: str) -> ast.expr | None:
    """The last value (in source order) bound to ``name`` in ``function`` by an assignment or ``with ... as``."""
    found: list[tuple[int, ast.expr]] = []
    for node in _own_nodes(function):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            if node.value is not None:
                found.append((node.lineno, node.value))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name) and item.optional_vars.id == name:
                    found.append((node.lineno, item.context_expr))
    return max(found, key=lambda entry: entry[0])[1] if found else None


def _class_attribute(class_node: ast.ClassDef, attribute: str) -> ast.expr | None:
    """The value ``self.<attribute>``/``cls.<attribute>`` gets in a set-up method, or a class attribute."""
    for node in class_node.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == attribute for t in node.targets):
            return node.value
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("test"):
            for child in ast.walk(node):
                if isinstance(child, ast.Assign):
                    for target in child.targets:
                        if isinstance(target, ast.Attribute) and target.attr == attribute:
                            return child.value
    return None


def _returned(function: FunctionNode) -> ast.expr | None:
    """What a fixture gives: its first ``return`` or ``yield`` value in the source."""
    found = [
        (node.lineno, node.value)
        for node in _own_nodes(function)
        if isinstance(node, (ast.Return, ast.Yield)) and node.value is not None
    ]
    return min(found, key=lambda entry: entry[0])[1] if found else None


def _client_app(module: PythonModule, value: ast.expr) -> ast.expr | None:
    """The app a test client is built on: ``TestClient(app)``, ``app.test_client()``, ``httpx`` with ``app=``."""
    if not isinstance(value, ast.Call):
        return None
    name = dotted_name(value.func) or ""
    resolved = resolve_name(module, name) or name
    last = resolved.split(".")[-1]
    keywords = {keyword.arg: keyword.value for keyword in value.keywords if keyword.arg}
    if last == "TestClient":
        return value.args[0] if value.args else keywords.get("app")
    if last == "test_client" and isinstance(value.func, ast.Attribute):
        return value.func.value
    if last in ("Client", "AsyncClient") and resolved.startswith("httpx"):
        if "app" in keywords:
            return keywords["app"]
        transport = keywords.get("transport")
        if isinstance(transport, ast.Call):
            inner = {keyword.arg: keyword.value for keyword in transport.keywords if keyword.arg}
            return inner.get("app") or (transport.args[0] if transport.args else None)
    return None


def _stub_classes(module: PythonModule) -> set[str]:
    """Classes of the test module that stand in for a model: a ``predict*`` method, or a Fake/Stub model name."""
    found: set[str] = set()
    for node in module.tree.body:
        if not isinstance(node, ast.ClassDef) or _is_test_class(node):
            continue
        methods = {child.name for child in node.body if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))}
        if any(name.startswith("predict") for name in methods) or (
            _STUB_CLASS.search(node.name) and _MODEL_LIKE.search(node.name)
        ):
            found.add(node.name)
    return found


def _mock_in(node: ast.AST, stubs: set[str]) -> str | None:
    """A replaced model inside ``node`` (see the module docstring), described."""
    decorators = node.decorator_list if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else []
    for child in [*decorators, *ast.walk(node)]:
        if isinstance(child, ast.Call):
            found = _mock_call(node, child, stubs)
            if found:
                return found
        elif isinstance(child, ast.Assign):
            found = _mock_assignment(node, child, stubs)
            if found:
                return found
    return None


def _mock_call(scope: ast.AST, call: ast.Call, stubs: set[str]) -> str | None:
    """A model replaced by ``call`` (a patch, a setattr, a mock with a model spec), described."""
    name = dotted_name(call.func) or ""
    last = name.split(".")[-1]
    if last in stubs:
        return f"the model is replaced by the stub class `{last}`"
    if last in ("patch", "setattr") or name.endswith("patch.object"):
        replaced = _patched_name(call)
        if replaced and _MODEL_LIKE.search(replaced) and not _SETTING_NAME.search(replaced):
            if _patch_fakes(scope, call, last, stubs):
                how = "monkeypatch.setattr" if last == "setattr" else "patch"
                return f"the model is mocked (`{how}` of `{replaced}`)"
    if last in _MOCK_FACTORIES:
        first = call.args[0] if call.args else None
        spec = next((k.value for k in call.keywords if k.arg in ("spec", "spec_set")), first)
        spec_name = dotted_name(spec) if spec is not None else None
        if spec_name and _MODEL_LIKE.search(spec_name.split(".")[-1]):
            return f"the model is mocked (`{last}` of `{spec_name.split('.')[-1]}`)"
    for keyword in call.keywords:
        if keyword.arg and _MODEL_LIKE.search(keyword.arg) and _is_fake(scope, keyword.value, stubs):
            return f"the model is mocked (`{keyword.arg}=` a mock)"
    return None


def _patched_name(call: ast.Call) -> str | None:
    """The attribute a patch or setattr replaces: ``"svc.model"`` gives ``model``."""
    for argument in call.args[:2]:
        text = constant_value(argument)
        if isinstance(text, str):
            return text.split(".")[-1]
    return None


def _patch_fakes(scope: ast.AST, call: ast.Call, how: str, stubs: set[str]) -> bool:
    """True unless the patch puts a real object in place (``setattr(svc, "model", load_model(path))``)."""
    keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
    if how == "setattr":
        string_target = isinstance(constant_value(call.args[0]), str) if call.args else False
        index = 1 if string_target else 2
        value = call.args[index] if len(call.args) > index else keywords.get("value")
        return value is None or _is_fake(scope, value, stubs)
    new = keywords.get("new", call.args[2] if how != "patch" and len(call.args) > 2 else None)
    if new is None and how == "patch" and len(call.args) > 1:
        new = call.args[1]
    return new is None or _is_fake(scope, new, stubs)


def _is_fake(scope: ast.AST, value: ast.AST, stubs: set[str], depth: int = 0) -> bool:
    """True for a stand-in: a mock, a stub class instance, a lambda, a constant, a name saying fake/stub/mock."""
    if isinstance(value, (ast.Lambda, ast.Constant)):
        return True
    if isinstance(value, ast.Call):
        last = (dotted_name(value.func) or "").split(".")[-1]
        return last in _MOCK_FACTORIES or last in stubs or bool(_STUB_CLASS.search(last))
    if isinstance(value, ast.Name):
        if _STUB_CLASS.search(value.id):
            return True
        bound = _binding(scope, value.id) if depth < 3 else None
        return bound is not None and _is_fake(scope, bound, stubs, depth + 1)
    return False


def _is_mock_factory(value: ast.AST) -> bool:
    return isinstance(value, ast.Call) and (dotted_name(value.func) or "").split(".")[-1] in _MOCK_FACTORIES


def _is_mock_object(scope: ast.AST, value: ast.AST, stubs: set[str], depth: int = 0) -> bool:
    """True for a mock or stub instance (``MagicMock()``, ``FakeModel()``), directly or through a name."""
    if isinstance(value, ast.Call):
        last = (dotted_name(value.func) or "").split(".")[-1]
        return last in _MOCK_FACTORIES or last in stubs or bool(_STUB_CLASS.search(last))
    if isinstance(value, ast.Name) and depth < 3:
        bound = _binding(scope, value.id)
        return bound is not None and _is_mock_object(scope, bound, stubs, depth + 1)
    return False


def _mock_assignment(scope: ast.AST, node: ast.Assign, stubs: set[str]) -> str | None:
    for target in node.targets:
        text = dotted_name(target) or ""
        parts = text.split(".")
        if parts[-1] in ("return_value", "side_effect") and len(parts) >= 2 and parts[-2].startswith("predict"):
            return f"the model is mocked (`{parts[-2]}.{parts[-1]}` is set)"
        if isinstance(target, ast.Name) and _MODEL_LIKE.search(target.id) and _is_mock_factory(node.value):
            return f"the model is mocked (`{target.id}` is a mock)"
        if isinstance(target, ast.Subscript) and (dotted_name(target.value) or "").endswith("dependency_overrides"):
            key = dotted_name(target.slice) or ""
            given = node.value.body if isinstance(node.value, ast.Lambda) else node.value
            if _MODEL_LIKE.search(key.split(".")[-1]) and _is_fake(scope, given, stubs):
                return f"the model is mocked (dependency `{key.split('.')[-1]}` overridden)"
    return None


def _bound_from(function: ast.AST, call: ast.Call) -> set[str]:
    """Names holding the result of ``call``, and names computed from them (``body = response.json()``)."""
    bound: set[str] = set()
    assignments = [node for node in ast.walk(function) if isinstance(node, (ast.Assign, ast.AnnAssign))]
    for node in ast.walk(function):
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if _contains(item.context_expr, call) and isinstance(item.optional_vars, ast.Name):
                    bound.add(item.optional_vars.id)
    changed = True
    while changed:
        changed = False
        for node in assignments:
            if node.value is None:
                continue
            if not (_contains(node.value, call) or _mentions(node.value, bound)):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and name.id not in bound:
                        bound.add(name.id)
                        changed = True
    return bound


def _contains(node: ast.AST, target: ast.AST) -> bool:
    return any(child is target for child in ast.walk(node))


def _mentions(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(child, ast.Name) and child.id in names for child in ast.walk(node))


def _refers(expression: ast.AST, bound: set[str], call: ast.Call) -> str | None:
    """``"output"`` when an assertion reads the result, ``"status"`` when it reads only its status code."""
    if _contains(expression, call):
        return "output"
    through_attribute: dict[int, str] = {}
    for node in ast.walk(expression):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound:
            through_attribute[id(node.value)] = node.attr
    uses = [
        through_attribute.get(id(node), "")
        for node in ast.walk(expression)
        if isinstance(node, ast.Name) and node.id in bound
    ]
    if not uses:
        return None
    if all(use in ("status_code", "status", "ok") for use in uses):
        return "status"
    return "output"


def _integration_candidates(graph: ImportGraph, declared: list[str]) -> list[str]:
    found = set(declared) & set(graph.paths)
    for path in graph.paths:
        if not graph.is_test(path) or path.endswith("conftest.py"):
            continue
        module = graph.module(path)
        if module is not None and "def test" in module.text and _INTEGRATION_HINT.search(module.text):
            found.add(path)
    return sorted(found)


@detector(
    name="integration-test",
    items=(INTEGRATION,),
    looks_for=(
        "a test that sends a raw input through the real serving entry point (the app's test client, or the "
        "predictor/service/pipeline predict function), with the real model, and asserts on the prediction"
    ),
)
def integration_test(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 20 (see the module docstring)."""
    roles = code_roles(ctx)
    graph = roles.graph
    scope = FixtureScope(graph)
    for path in _integration_candidates(graph, ctx.declared(INTEGRATION)):
        module = graph.module(path)
        if module is None:
            continue
        if not module.parses:
            yield ctx.unreadable(INTEGRATION, path)
            continue
        visible = scope.visible(module)
        best: Evidence | None = None
        extra = 0
        for test in collect_tests(path, module.tree):
            found = _judge_test(ctx, roles, _TestReader(roles, module, test, visible, scope))
            if found is None:
                continue
            if best is None or (best.verdict != "supports" and found.verdict == "supports"):
                best = found
            elif found.verdict == "supports":
                extra += 1
        if best is not None:
            if extra and best.verdict == "supports":
                noun = "test" if extra == 1 else "tests"
                best = ctx.supports(INTEGRATION, f"{best.detail} (and {extra} more {noun} in this module)",
                                    path=best.path, line=best.line, nodeid=best.nodeid)
            yield best


def _judge_test(ctx: DetectorContext, roles: CodeRoles, reader: _TestReader) -> Evidence | None:
    test = reader.test
    where = {"path": test.path, "line": test.node.lineno, "nodeid": test.nodeid}
    entries = [entry for entry in reader.entries() if not reader.in_raises(entry.call)]
    if not entries:
        return None
    real = [entry for entry in entries if entry.kind != "artifact"]
    if not real:
        detail = f"`{test.name}` {entries[0].what}; whether that includes the feature computation cannot be told"
        return ctx.partial(INTEGRATION, detail, **where)
    mocked = reader.mocked_model() or reader.mock_argument(real)
    if mocked:
        return ctx.partial(INTEGRATION, f"`{test.name}` {real[0].what}, but {mocked}", **where)
    checks = [(entry, reader.asserts_on(entry)) for entry in real]
    good = [entry for entry, verdict in checks if verdict == "output"]
    if not good:
        status = any(verdict == "status" for _, verdict in checks)
        why = "asserts only the status code, not the prediction" if status else "does not assert on the output"
        return ctx.partial(INTEGRATION, f"`{test.name}` {real[0].what} but {why}", **where)
    entry = good[0]
    if roles.features and entry.module is not None:
        reaches = entry.module in roles.features or any(
            roles.graph.chain(entry.module, path) for path in sorted(roles.features)
        )
        if not reaches:
            names = _names(feature.name for feature in roles.features.values())
            detail = f"`{test.name}` {entry.what}, but that entry point does not reach the feature code ({names})"
            return ctx.partial(INTEGRATION, detail, **where)
    return ctx.supports(INTEGRATION, f"`{test.name}` {entry.what} and asserts on the prediction", **where)


DETECTORS: tuple[Detector, ...] = (shared_feature_code, feature_store_definitions, feature_tests, integration_test)
