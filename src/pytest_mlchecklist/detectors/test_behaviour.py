"""Items proved by what the repository's tests do: skew (12), edge cases (24), graceful failure (25).

All three read the test modules through :mod:`pytest_mlchecklist.detectors.test_code` (parsed
once per scan, never imported). A test only counts when it is not skipped unconditionally,
exercises the repository's own code (a call resolved to one of its modules, or a request
through a test client of its app) and asserts something. Evidence found in a test carries the
test's node id, so a test that failed or was skipped in the recorded run cannot meet the item.

Training/serving skew (``training-serving-skew``), detector ``skew-test``
    Calls into the repository are sorted into the *training* path and the *serving* path by the
    words of the called name, nearest part first (the function, then its class, then its
    module): training, train, offline, historical, backfill (strong) or batch, pipeline,
    dataset, frame, dataframe, etl, transform (weak); serving, serve, online, realtime,
    inference, endpoint (strong) or predict, predictor, score, scorer, handler, api, app,
    service, request (weak). A request through a test client of the app is serving (strong);
    Feast ``get_historical_features`` / ``get_online_features`` are training / serving. Model
    fitting (``train``, ``fit``, ``train_model``) and configuration reads (config, settings,
    threshold, schema...) are neither. A test is *about skew* when the words of its module,
    class, name and docstring name a training and a serving word, or say skew/parity next to
    one of them or to "feature(s)" ("skew" alone is a statistic).

    * **supports**: one assertion compares a value derived from a training-path call with a
      value derived from a serving-path call, each side fed by a call the other is not (``==``,
      ``pytest.approx``, ``np.allclose``, ``np.testing.assert_allclose``,
      ``pd.testing.assert_frame_equal``, ``a.equals(b)``, ``abs(a - b) < tol``, unittest
      ``assertEqual``...), one of the two calls classified by a strong word or the test being
      about skew. Data flow follows assignments, loops, comprehensions, fixtures and helpers.
      A test about skew may also compare two other repository calls it makes itself when their
      arguments share the records they are fed (a variable, parameter or call).
    * **partial**: weak words in the functions' own names only, in a test not about skew; both
      sides compared only by shape (``len``, ``.shape``, ``.columns``); both paths compared
      outside an assertion; in a test about skew, both paths called but never compared, or only
      one path called ("test compares features of only one path").

Edge-case inputs (``edge-case-tests``), detector ``edge-case-inputs``
    Seven categories are looked for in the inputs of tests that call the repository's
    prediction or validation code (a called name with a word such as predict, score, infer,
    serve, validate, schema, clean, feature, transform, handler, request, payload, model,
    pipeline; a test-client request; or any repository call expected to raise a validation
    error): **empty** (``""``, ``[]``, ``{}``,
    ``pd.DataFrame()``, whitespace-only strings), **null/missing** (``None``, NaN in any
    spelling, ``pd.NA``, ``del payload["field"]``), **max-length** (``"x" * 10_000``, strings of
    256+ characters, ``st.text(min_size=...)``), **extreme numbers** (inf, ``1e308``, ``|x|`` >= 1e9,
    ``sys.maxsize``, ``np.finfo``), **unicode/control/hostile strings** (non-ASCII, control
    characters, injection payloads), **wrong types** (``pytest.raises(TypeError)``, a
    parametrized argument or payload field taking values of different types, ``st.one_of``
    mixing types) and **distribution tails** (extreme quantiles, ``max() * k``, heavy-tailed
    draws). Inputs are parametrize values, Hypothesis strategies (``st.text()`` gives empty and
    unicode strings, ``st.floats()`` NaN and infinities unless bounded) and literals in the test
    body outside assertions. A case or test named for wrong types, too-long values or outliers
    counts for that category when it feeds literal inputs.

    * **supports** when the tests together cover at least 4 of the 7 categories; one piece of
      evidence per test in a greedy cover (the test that covers most first), each naming its
      categories.
    * **partial** when they cover 1 to 3, listing what is missing; edge-case values in tests that
      call no prediction or validation code are partial too.

Graceful failure (``graceful-failure``), detector ``graceful-failure-tests``
    * **supports**: a test expects a clear error from the repository's input path:
      ``pytest.raises`` / ``assertRaises`` of a validation error (pydantic, jsonschema,
      pandera, marshmallow...), ``ValueError``, an ``HTTPException``/``BadRequest``, or an
      exception class of the repository, around a call of its prediction, validation or
      model-loading code (for a validation error, any call of the repository, such as
      ``Transaction(**bad)``); or a test-client request whose status is asserted to be 400, 413, 415 or 422
      (literal, ``status.HTTP_422_...``, ``HTTPStatus``, or parametrized), or in ``4xx``.
      A generic Python error (``TypeError``, ``KeyError``, ...) counts only when the test also
      checks its message.
    * **partial**: ``pytest.raises(Exception)``; a generic error without a message check; a test
      that asserts status 500 or only "not 200"; a client whose app could not be traced to the
      repository; and, when no test supports the item, error handlers in the serving code
      (FastAPI/Starlette ``exception_handler``, ``add_exception_handler``,
      ``exception_handlers=``, Flask ``errorhandler`` / ``register_error_handler``, Sanic
      ``exception``) for invalid input, and routes that validate input themselves (raise or
      return 400/422, ``abort(400)``) or through a typed FastAPI body: "error handler for
      `RequestValidationError` in app.py:40 but no test sends bad input".

A test module that does not parse (among those the text hints select) is **unreadable**; a
test too deeply nested to walk is skipped.
"""

from __future__ import annotations

import ast
import http
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector
from pytest_mlchecklist.detectors.python_code import dotted_name, import_aliases, is_test_path, resolve_alias
from pytest_mlchecklist.detectors.test_code import (
    Assertion,
    TestCall,
    TestFunction,
    TestSuite,
    repository_tests,
)
from pytest_mlchecklist.evidence import Evidence

SKEW = "training-serving-skew"
EDGE = "edge-case-tests"
GRACEFUL = "graceful-failure"

Resolver = Callable[[str], "str | None"]
T = TypeVar("T")


# ======================================================================== shared
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def words_of(name: str) -> list[str]:
    """``build_trainingSet`` -> ``["build", "training", "set"]``."""
    return [word.lower() for part in re.split(r"[^A-Za-z0-9]+", name) for word in _CAMEL.split(part) if word]


def name_parts(suite: TestSuite, call: TestCall) -> list[str]:
    """The parts of a called name that describe it, nearest first: the function, its class,
    then the last part of its module (the package above is left out). A method called on what
    a function returned (``load_pipeline().transform``) is described by the method alone."""
    own, module = _own_parts(suite, call)
    return [*own, module] if module else own


def _own_parts(suite: TestSuite, call: TestCall) -> tuple[list[str], str | None]:
    """(the function and class parts, nearest first; the last part of the module or ``None``)."""
    name = call.target or call.name
    module = suite.repo_module_of(name)
    if module is None:
        return [part.removesuffix("()") for part in reversed(name.split("."))][:2], None
    parts: list[str] = []
    for part in reversed([part for part in name[len(module):].split(".") if part]):
        bare = part.removesuffix("()")
        if part != bare and parts and not bare[:1].isupper():
            return parts, None
        parts.append(bare)
    return parts, module.split(".")[-1]


#: Words of the called name that put a call on the prediction or validation path.
INPUT_WORDS = frozenset(
    {
        "predict", "predicts", "prediction", "predictions", "predictor", "score", "scores", "scorer", "scoring",
        "infer", "inference", "serve", "serving", "classify", "classifier", "validate", "validates", "validation",
        "validator", "validators", "schema", "schemas", "clean", "cleaner", "sanitize", "sanitise", "preprocess",
        "preprocessing", "preprocessor", "feature", "features", "featurize", "featurise", "featurizer", "transform",
        "transformer", "transformers", "handler", "handlers", "endpoint", "endpoints", "model", "models",
        "pipeline", "pipelines", "request", "requests", "payload", "payloads", "contract", "contracts", "input",
        "inputs", "encoder", "tokenize", "tokenizer", "embed", "ranker", "recommend",
    }
)


def is_input_call(suite: TestSuite, call: TestCall) -> bool:
    """A call of the repository's prediction, validation or loading code, or a request to its app."""
    if call.http is not None:
        return call.http.repo
    if call.target is None:
        return False
    return any(INPUT_WORDS.intersection(words_of(part)) for part in name_parts(suite, call))


@dataclass
class _Scan:
    """The test functions a detector reads, and the candidate modules that did not parse."""

    suite: TestSuite
    functions: list[TestFunction] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def _scan(ctx: DetectorContext, item: str, *hints: re.Pattern[str]) -> _Scan:
    suite = repository_tests(ctx.index)
    scan = _Scan(suite)
    for path in ctx.candidates(item, suite.candidates(*hints)):
        if not path.endswith(".py"):
            continue
        module = suite.module(path)
        if module is None:
            scan.unreadable.append(path)
            continue
        scan.functions.extend(function for function in module.functions if not function.skipped)
    return scan


def guarded(judge: Callable[..., T], *args: object) -> T | None:
    """``judge(*args)``, or ``None`` when the code is nested too deeply to be walked."""
    try:
        return judge(*args)
    except RecursionError:
        return None


def _short(function: TestFunction) -> str:
    return f"`{function.name}`"


def _resolver(suite: TestSuite, function: TestFunction) -> Resolver:
    module = suite.module(function.path)
    return module.source.resolve if module is not None else (lambda name: None)


# ======================================================================== item 12
_TRAIN_STRONG = frozenset({"train", "training", "offline", "historical", "backfill"})
_TRAIN_WEAK = frozenset({"batch", "pipeline", "dataset", "frame", "dataframe", "df", "etl", "transform", "bulk"})
_SERVE_STRONG = frozenset({"serve", "serving", "online", "realtime", "inference", "endpoint"})
_SERVE_WEAK = frozenset(
    {"predict", "predictor", "prediction", "score", "scorer", "scoring", "handler", "handle", "api", "app", "service",
     "server", "request", "infer", "live"}
)
#: Words of calls that are neither path: fitting a model, reading configuration or a contract.
_NEITHER = frozenset(
    {"config", "configs", "configuration", "settings", "setting", "params", "param", "options", "hyperparameters",
     "threshold", "thresholds", "metadata", "version", "schema", "schemas"}
)
_FITTING = frozenset({"train", "fit", "model", "classifier", "estimator", "regressor", "trainer", "the", "a"})
_FEAST_TRAINING = frozenset({"get_historical_features"})
#: Ranks from this value up come from weak words only.
_WEAK = 100
#: The rank offset of a word found in the module's name rather than the function's or class's.
_MODULE_PART = 50
_FEAST_SERVING = frozenset({"get_online_features", "get_online_features_async"})
_SKEW_HINTS = (
    re.compile(r"train|batch|offline|historical|pipeline|frame|transform", re.IGNORECASE),
    re.compile(r"serv|online|predict|request|client|scor|endpoint|infer|api|handler", re.IGNORECASE),
)
#: A test about skew says so, or names both paths (in its name, class, module or docstring).
_SKEW_WORDS = frozenset({"skew", "skewed", "parity"})
_TRAINING_WORDS = frozenset({"train", "training", "trained", "batch", "offline", "historical"})
_SERVING_WORDS = frozenset({"serve", "serving", "served", "server", "online", "inference", "realtime", "request"})


def about_skew(function: TestFunction) -> bool:
    """True when a test says it is about training/serving skew (words of its module, class,
    name and docstring): a training word and a serving word, or "skew"/"parity" with either
    ("skew" alone is also a statistic)."""
    text = " ".join([function.path.rsplit("/", 1)[-1], function.class_name or "", function.name, function.docstring])
    found = set(words_of(text))
    paths = found & (_TRAINING_WORDS | _SERVING_WORDS | {"feature", "features"})
    return bool((found & _TRAINING_WORDS and found & _SERVING_WORDS) or (found & _SKEW_WORDS and paths))
_SHAPE_ATTRS = frozenset({"shape", "columns", "dtypes", "size", "ndim", "index", "names", "feature_names", "feature_names_in_"})
_SHAPE_CALLS = frozenset({"len", "type"})
_WRAPPERS = frozenset({"set", "list", "sorted", "tuple", "frozenset"})


def path_kind(suite: TestSuite, call: TestCall) -> str | None:
    """``training``, ``serving`` or ``None`` for a call (see the module docstring)."""
    return _classify(suite, call)[0]


def _classify(suite: TestSuite, call: TestCall) -> tuple[str | None, int]:
    """The path of a call and how sure that is (lower is surer: strong words, nearest part)."""
    last = call.name.split(".")[-1]
    if last in _FEAST_TRAINING:
        return "training", 0
    if last in _FEAST_SERVING:
        return "serving", 0
    if call.http is not None:
        training_route = set(words_of(call.http.url or "")) & {"train", "training", "retrain", "fit"}
        return ("serving", 0) if call.http.repo and not training_route else (None, 0)
    if call.target is None:
        return None, 0
    own_parts, module = _own_parts(suite, call)
    own = set(words_of(own_parts[0])) if own_parts else set()
    if own & _NEITHER or (own and own <= _FITTING):
        return None, 0
    ranked = [*enumerate(own_parts), *([(_MODULE_PART, module)] if module else [])]
    for strength, (train_words, serve_words) in enumerate(((_TRAIN_STRONG, _SERVE_STRONG), (_TRAIN_WEAK, _SERVE_WEAK))):
        for index, part in ranked:
            found = set(words_of(part))
            training, serving = found & train_words, found & serve_words
            if training and not serving:
                return "training", strength * _WEAK + index
            if serving and not training:
                return "serving", strength * _WEAK + index
    return None, 0


def compared_pairs(assertion: Assertion) -> list[tuple[ast.expr, ast.expr]]:
    """The pairs of expressions an assertion says are equal or close."""
    if assertion.kind == "raises":
        return []
    if assertion.kind == "assert" and isinstance(assertion.test, ast.Compare):
        test = assertion.test
        sides = [test.left, *test.comparators]
        pairs = [
            (sides[index], sides[index + 1]) for index, op in enumerate(test.ops) if isinstance(op, (ast.Eq, ast.Is))
        ]
        if pairs:
            return pairs
        if any(isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for op in test.ops):
            return _difference(test)
        return []
    if len(assertion.operands) == 2:
        return [(assertion.operands[0], assertion.operands[1])]
    if assertion.operands:
        return _difference(assertion.operands[0])
    return []


def _difference(node: ast.AST) -> list[tuple[ast.expr, ast.expr]]:
    """``abs(a - b) < tol``: the two sides of the first subtraction, or of a comparison call inside."""
    for child in ast.walk(node):
        if isinstance(child, ast.BinOp) and isinstance(child.op, ast.Sub):
            return [(child.left, child.right)]
        if isinstance(child, ast.Call) and len(child.args) >= 2:
            last = (dotted_name(child.func) or "").split(".")[-1]
            if last in ("allclose", "isclose", "array_equal", "equal", "assert_allclose", "assert_frame_equal"):
                return [(child.args[0], child.args[1])]
    return []


def shape_only(expr: ast.AST) -> bool:
    """True for ``len(x)``, ``x.shape``, ``list(x.columns)``, ``x.keys()``: a size or a set of names."""
    if isinstance(expr, ast.Attribute):
        return expr.attr in _SHAPE_ATTRS
    if isinstance(expr, ast.Call):
        if isinstance(expr.func, ast.Name) and expr.func.id in _SHAPE_CALLS:
            return True
        if isinstance(expr.func, ast.Attribute) and expr.func.attr == "keys":
            return True
        if isinstance(expr.func, ast.Name) and expr.func.id in _WRAPPERS and len(expr.args) == 1:
            return shape_only(expr.args[0])
    return False


@dataclass(frozen=True)
class _Comparison:
    """Two calls compared in a test: ``how`` says why they count as the two paths (``paths``: their
    names, one with a strong word; ``named``: the test is about skew; ``weak``: weak words only)."""

    training: TestCall
    serving: TestCall
    line: int
    how: str
    shape: bool = False
    asserted: bool = True


def _pick(suite: TestSuite, calls: Iterable[TestCall], kind: str) -> TestCall | None:
    """The call of ``calls`` that most clearly belongs to the ``kind`` path (made by the test
    itself rather than a fixture, surest words, then the latest)."""
    ranked = [
        ((call.fixture is not None, rank, -call.line), index, call)
        for index, call in enumerate(calls)
        for found, rank in [_classify(suite, call)]
        if found == kind
    ]
    return min(ranked, key=lambda entry: (entry[0], entry[1]))[2] if ranked else None


def _pair_of(
    suite: TestSuite, flow: Assertion | TestFunction, left: ast.expr, right: ast.expr, named: bool
) -> tuple[TestCall, TestCall, str] | None:
    """(training call, serving call, how) when the two sides come from the two paths.

    Each side must be fed by a call the other is not. Without path words in the called names,
    a test about skew may compare two other repository calls it makes itself, when their
    arguments are fed by the same records (a variable, parameter or call they share).
    """
    one, other = flow.sources(left), flow.sources(right)
    for first, second in ((one, other), (other, one)):
        training = _pick(suite, sorted(first - second, key=lambda call: call.line), "training")
        serving = _pick(suite, sorted(second - first, key=lambda call: call.line), "serving")
        if training is None or serving is None:
            continue
        ranks = (_classify(suite, training)[1], _classify(suite, serving)[1])
        if min(ranks) < _WEAK or named:
            return training, serving, "paths"
        if all(rank < _WEAK + _MODULE_PART for rank in ranks):
            return training, serving, "weak"  # weak words in the functions' own names
        return None
    if not named:
        return None
    direct_one = sorted((call for call in one - other if _plain_repo_call(call)), key=lambda call: -call.line)
    direct_other = sorted((call for call in other - one if _plain_repo_call(call)), key=lambda call: -call.line)
    for first_call in direct_one:
        for second_call in direct_other:
            if first_call.label != second_call.label and _same_records(flow, first_call, second_call):
                return first_call, second_call, "named"
    return None


def _plain_repo_call(call: TestCall) -> bool:
    """A repository call the test makes itself, with arguments (so it is fed something)."""
    return call.exercises_repo and call.fixture is None and call.helper is None and bool(call.node.args or call.node.keywords)


def _same_records(flow: Assertion | TestFunction, first: TestCall, second: TestCall) -> bool:
    """True when the arguments of the two calls are fed by a variable, parameter or call they share."""
    def fed(call: TestCall) -> tuple[frozenset[str], frozenset[TestCall]]:
        arguments = [*call.node.args, *(keyword.value for keyword in call.node.keywords)]
        names = frozenset(name for argument in arguments for name in flow.inputs(argument))
        calls = frozenset(found for argument in arguments for found in flow.sources(argument))
        return names, calls

    first_names, first_calls = fed(first)
    second_names, second_calls = fed(second)
    return bool(first_names & second_names or first_calls & second_calls)


def _skew_comparisons(suite: TestSuite, function: TestFunction, named: bool) -> list[_Comparison]:
    """Comparisons of the two paths in a test: asserted ones, then those outside any assertion."""
    found: list[_Comparison] = []
    asserted_nodes: set[int] = set()
    for assertion in function.assertions:
        if assertion.kind != "raises":
            asserted_nodes.update(id(node) for node in ast.walk(assertion.node))
        for left, right in compared_pairs(assertion):
            pair = _pair_of(suite, assertion, left, right, named)
            if pair is not None:
                shape = shape_only(left) and shape_only(right)
                found.append(_Comparison(pair[0], pair[1], assertion.line, pair[2], shape=shape))
    for node in ast.walk(function.node):
        if id(node) in asserted_nodes:
            continue
        sides: tuple[ast.expr, ast.expr] | None = None
        if isinstance(node, ast.Compare) and len(node.comparators) == 1:
            sides = (node.left, node.comparators[0])
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
            sides = (node.left, node.right)
        elif isinstance(node, ast.Call) and len(node.args) >= 2:
            last = (dotted_name(node.func) or "").split(".")[-1]
            if last in ("allclose", "isclose", "array_equal", "equals", "compare"):
                sides = (node.args[0], node.args[1])
        if sides is not None:
            pair = _pair_of(suite, function, sides[0], sides[1], named)
            if pair is not None and pair[2] != "weak":
                line = getattr(node, "lineno", function.line)
                found.append(_Comparison(pair[0], pair[1], line, pair[2], asserted=False))
    return found


def _judge_skew(ctx: DetectorContext, suite: TestSuite, function: TestFunction) -> Evidence | None:
    """The verdict on one test (see the module docstring)."""
    named = about_skew(function)
    where = {"path": function.path, "line": function.line, "nodeid": function.nodeid}
    comparisons = _skew_comparisons(suite, function, named)
    asserted = [found for found in comparisons if found.asserted and found.how != "weak"]
    by_value = sorted((found for found in asserted if not found.shape), key=lambda found: found.how != "paths")
    name = _short(function)
    if by_value:
        best = by_value[0]
        if best.how == "named":
            detail = (
                f"{name} asserts that `{best.training.label}` and `{best.serving.label}` agree on the same records "
                f"(line {best.line}); the test is named for training/serving skew"
            )
        else:
            detail = (
                f"{name} asserts that `{best.training.label}` (training path) and "
                f"`{best.serving.label}` (serving path) give the same result (line {best.line})"
            )
        return ctx.supports(SKEW, detail, **where)
    if asserted:
        best = asserted[0]
        detail = (
            f"{name} compares only the shape or columns of `{best.training.label}` and `{best.serving.label}`, "
            "not their values"
        )
        return ctx.partial(SKEW, detail, **where)
    weak = [found for found in comparisons if found.how == "weak" and not found.shape]
    if weak:
        best = weak[0]
        detail = (
            f"{name} asserts that `{best.training.label}` and `{best.serving.label}` agree (line {best.line}), but "
            "neither the code nor the test says they are the training and serving paths; name the test for "
            "training/serving skew"
        )
        return ctx.partial(SKEW, detail, **where)
    if comparisons:
        best = comparisons[0]
        detail = (
            f"{name} compares `{best.training.label}` (training path) with `{best.serving.label}` "
            f"(serving path) at line {best.line} but does not assert the result"
        )
        return ctx.partial(SKEW, detail, **where)
    if not named or not any(call.exercises_repo for call in function.calls) or not function.assertions:
        return None
    training = _pick(suite, function.calls, "training")
    serving = _pick(suite, function.calls, "serving")
    if training is not None and serving is not None:
        detail = (
            f"{name} calls `{training.label}` (training path) and `{serving.label}` (serving path) "
            "but never compares their results"
        )
        return ctx.partial(SKEW, detail, **where)
    single = training or serving
    if single is not None:
        kind, other = ("training", "serving") if single is training else ("serving", "training")
        detail = (
            f"test compares features of only one path: {name} calls `{single.label}` ({kind} path) "
            f"but nothing on the {other} path"
        )
        return ctx.partial(SKEW, detail, **where)
    return None


@detector(
    name="skew-test",
    items=(SKEW,),
    looks_for=(
        "a test that runs the same raw records through the training feature path and the serving path "
        "(function, predictor or test-client request) and asserts that the results are equal"
    ),
)
def skew_test(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 12 (see the module docstring)."""
    scan = _scan(ctx, SKEW, *_SKEW_HINTS)
    for path in scan.unreadable:
        yield ctx.unreadable(SKEW, path)
    for function in scan.functions:
        found = guarded(_judge_skew, ctx, scan.suite, function)
        if found is not None:
            yield found


# ======================================================================== item 24
EMPTY = "empty"
NULL = "null/missing"
LONG = "max-length"
EXTREME = "extreme numbers"
HOSTILE = "unicode/control/hostile strings"
TYPES = "wrong types"
TAILS = "distribution tails"
CATEGORIES = (EMPTY, NULL, LONG, EXTREME, HOSTILE, TYPES, TAILS)
#: Categories the tests must cover together for the item to be met.
REQUIRED_CATEGORIES = 4

_NULL_STRINGS = frozenset({"nan", "null", "none", "na", "n/a", "nat", "<na>"})
_INF_STRINGS = frozenset({"inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"})
_NULL_NAMES = frozenset(
    {"numpy.nan", "numpy.NaN", "numpy.NAN", "math.nan", "pandas.NA", "pandas.NaT", "numpy.datetime64.NaT", "polars.Null"}
)
_EXTREME_NAMES = frozenset(
    {"numpy.inf", "numpy.Inf", "numpy.PINF", "numpy.NINF", "numpy.infty", "math.inf", "sys.maxsize",
     "sys.float_info.max", "sys.float_info.min", "sys.float_info.epsilon"}
)
_EXTREME_CALLS = frozenset({"numpy.finfo", "numpy.iinfo", "torch.finfo", "torch.iinfo"})
_EMPTY_CONSTRUCTORS = frozenset(
    {"dict", "list", "set", "tuple", "str", "bytes", "frozenset", "pandas.DataFrame", "pandas.Series",
     "polars.DataFrame", "numpy.array", "numpy.asarray", "torch.tensor"}
)
_SIZED_CONSTRUCTORS = frozenset({"numpy.empty", "numpy.zeros", "numpy.ones", "torch.empty", "torch.zeros"})
_HEAVY_TAILS = frozenset({"standard_cauchy", "cauchy", "pareto", "lognormal", "standard_t", "zipf", "laplace", "levy"})
_QUANTILE_CALLS = frozenset({"quantile", "nanquantile", "percentile", "nanpercentile", "ppf", "isf"})
_HOSTILE = re.compile(
    r"<script|drop\s+table|;\s*--|'\s*or\s*'?1'?\s*=|\.\./|\$\{|\{\{|%[sn]|union\s+select|javascript:|__import__",
    re.IGNORECASE,
)
_NAME_CATEGORIES = (
    (TYPES, re.compile(r"wrong[_-]?types?|invalid[_-]?types?|bad[_-]?types?|type[_-]?error|non[_-]?numeric|not[_-]?a[_-]?number|mistyped", re.I)),
    (LONG, re.compile(r"too[_-]?long|max[_-]?len|longest|max[_-]?length|oversized|huge[_-]?(text|string|payload)", re.I)),
    (TAILS, re.compile(r"outlier|(long|heavy|fat|distribution)[_-]?tail|out[_-]?of[_-]?(range|distribution)|(^|[_-])ood([_-]|$)|extrapolat", re.I)),
)
#: Keyword arguments whose values are settings of the call, not inputs.
_SETTING_KEYWORDS = frozenset(
    {
        "encoding", "errors", "newline", "sep", "delimiter", "mode", "end", "match", "reason", "id", "ids", "quotechar",
        "lineterminator", "na_rep", "dtype", "name", "key", "default", "level", "msg", "message", "orient", "format",
        "date_format", "unit", "how", "on", "suffixes", "header", "headers", "params", "cookies", "config", "options",
        "kwargs", "metadata", "extra", "context", "description", "label", "title", "prefix", "suffix", "side_effect",
        "return_value", "history", "store", "cache", "client", "session", "logger", "log", "callback", "callbacks",
        "timeout", "seed", "random_state", "parent", "path", "model", "registry", "db", "engine", "connection", "conn",
        "ctx", "device", "auth", "mock", "tracer", "hook", "hooks", "executor", "pool", "loop", "env", "environ",
    }
)
#: Calls whose arguments are not inputs of the code under test.
_SETTING_CALLS = frozenset(
    {
        "print", "getattr", "setattr", "hasattr", "isinstance", "issubclass", "open", "range", "enumerate", "zip",
        "len", "sorted", "Path", "pathlib.Path", "time.sleep", "re.compile", "re.match", "re.search",
    }
)
_SETTING_PREFIXES = ("logging.", "logger.", "log.", "monkeypatch.", "caplog.", "capsys.", "mocker.", "mock.", "os.",
                     "unittest.mock.", "tmp_path.", "tmpdir.", "pytest.", "warnings.", "datetime.", "time.", "re.")
#: Methods whose arguments are not inputs: string and dict helpers, logging.
_STRING_METHODS = frozenset(
    {"join", "split", "rsplit", "replace", "strip", "format", "startswith", "endswith", "encode", "decode", "get",
     "setdefault", "count", "index", "find", "debug", "info", "warning", "error", "exception", "critical", "log"}
)


def _number(node: ast.AST) -> float | None:
    """The value of a numeric constant expression (``-1e308``, ``10 ** 18``, ``2 ** 63 - 1``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value) if abs(node.value) < 1e308 or isinstance(node.value, float) else math.inf
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _number(node.operand)
        return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Pow, ast.Mult, ast.Add, ast.Sub)):
        left, right = _number(node.left), _number(node.right)
        if left is None or right is None:
            return None
        try:
            if isinstance(node.op, ast.Pow):
                if abs(right) > 1000 or abs(left) > 1e6:
                    return math.inf
                return float(left**right)
            if isinstance(node.op, ast.Mult):
                return left * right
            return left + right if isinstance(node.op, ast.Add) else left - right
        except (OverflowError, ZeroDivisionError, ValueError):
            return math.inf
    return None


def _is_extreme(value: float) -> bool:
    return math.isinf(value) or abs(value) >= 1e9 or 0 < abs(value) <= 1e-300


class _EdgeFinder:
    """Finds the edge-case categories in the inputs of one test."""

    def __init__(self, resolve: Resolver) -> None:
        self.resolve = resolve
        self.found: dict[str, int] = {}

    def note(self, category: str, line: int) -> None:
        self.found.setdefault(category, line)

    def name_of(self, node: ast.AST) -> str:
        written = dotted_name(node) or ""
        return (self.resolve(written) if written else None) or written

    # ------------------------------------------------------------ literal values
    def value(self, node: ast.AST, line: int) -> None:
        """Categorise one literal input expression and everything inside it."""
        for child in ast.walk(node):
            self.leaf(child, getattr(child, "lineno", line))

    def leaf(self, node: ast.AST, line: int) -> None:
        """Categorise one node (not its children)."""
        if isinstance(node, ast.Constant):
            self._constant(node.value, line)
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)) and not node.elts:
            self.note(EMPTY, line)
        elif isinstance(node, ast.Dict) and not node.keys:
            self.note(EMPTY, line)
        elif isinstance(node, (ast.Name, ast.Attribute)):
            name = self.name_of(node)
            if name in _NULL_NAMES:
                self.note(NULL, line)
            elif name in _EXTREME_NAMES:
                self.note(EXTREME, line)
        elif isinstance(node, ast.BinOp):
            self._binop(node, line)
        elif isinstance(node, ast.Call):
            self.call(node, line)

    def _constant(self, value: object, line: int) -> None:
        if value is None:
            self.note(NULL, line)
        elif isinstance(value, bool):
            return
        elif isinstance(value, (int, float)):
            if isinstance(value, float) and math.isnan(value):
                self.note(NULL, line)
            elif _is_extreme(float(value) if abs(value) < 1e308 else math.inf):
                self.note(EXTREME, line)
        elif isinstance(value, bytes):
            if not value:
                self.note(EMPTY, line)
            elif any(byte > 127 or byte < 32 for byte in value):
                self.note(HOSTILE, line)
        elif isinstance(value, str):
            self._string(value, line)

    def _string(self, value: str, line: int) -> None:
        stripped = value.strip()
        if not stripped and "\n" not in value and "\r" not in value:  # a line break alone is a separator
            self.note(EMPTY, line)
        lowered = stripped.lower()
        if lowered in _NULL_STRINGS:
            self.note(NULL, line)
        elif lowered in _INF_STRINGS:
            self.note(EXTREME, line)
        elif re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?", lowered):
            number = float(lowered)
            if _is_extreme(number):
                self.note(EXTREME, line)
        if len(value) >= 256:
            self.note(LONG, line)
        if any(ord(char) > 127 or ord(char) == 127 or (ord(char) < 32 and char not in "\t\n\r") for char in value):
            self.note(HOSTILE, line)
        elif _HOSTILE.search(value):
            self.note(HOSTILE, line)

    def _binop(self, node: ast.BinOp, line: int) -> None:
        value = _number(node)
        if value is not None:
            if _is_extreme(value):
                self.note(EXTREME, line)
            return
        if isinstance(node.op, ast.Mult):
            for sequence, count in ((node.left, node.right), (node.right, node.left)):
                if _repeats(sequence, count):
                    self.note(LONG, line)
            for side, factor in ((node.left, node.right), (node.right, node.left)):
                if _min_or_max(side) and (_number(factor) or 0) >= 2:
                    self.note(TAILS, line)
        elif isinstance(node.op, (ast.Add, ast.Sub)):
            for side, other in ((node.left, node.right), (node.right, node.left)):
                if _min_or_max(side) and _number(other) is not None:
                    self.note(TAILS, line)

    def call(self, node: ast.Call, line: int) -> None:
        """Categorise a call that builds an input (``float("nan")``, ``pd.DataFrame()``, ``np.finfo``)."""
        name = self.name_of(node.func)
        last = name.split(".")[-1]
        args = node.args
        if name == "float" and args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            self._string(args[0].value, line)
        elif name in _EXTREME_CALLS:
            self.note(EXTREME, line)
        elif name in _EMPTY_CONSTRUCTORS and not args and not any(k.arg in ("data", "object") for k in node.keywords):
            self.note(EMPTY, line)
        elif name in _SIZED_CONSTRUCTORS and args and _zero_size(args[0]):
            self.note(EMPTY, line)
        elif last in _HEAVY_TAILS:
            self.note(TAILS, line)
        elif last in _QUANTILE_CALLS:
            self._quantile(node, name, last, line)

    def _quantile(self, node: ast.Call, name: str, last: str, line: int) -> None:
        """``np.quantile(x, 0.999)``, ``s.quantile(0.001)``, ``np.percentile(x, 99.9)``, ``norm.ppf(0.999)``."""
        position = 1 if name.startswith("numpy.") else 0
        keyword = next((k.value for k in node.keywords if k.arg in ("q", "quantile")), None)
        q = keyword if keyword is not None else (node.args[position] if len(node.args) > position else None)
        value = _number(q) if q is not None else None
        if value is None:
            return
        if last in ("percentile", "nanpercentile"):
            value /= 100
        if 0 <= value <= 0.01 or 0.99 <= value <= 1:
            self.note(TAILS, line)

    # ------------------------------------------------------------ hypothesis
    def strategy(self, name: str, node: ast.Call) -> None:
        """Categories a Hypothesis strategy generates (see the module docstring)."""
        last = name.split(".")[-1]
        line = node.lineno
        keywords = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
        min_size = _number(keywords["min_size"]) if "min_size" in keywords else 0.0
        max_size = _number(keywords["max_size"]) if "max_size" in keywords else None
        if last in ("text", "binary", "lists", "dictionaries", "sets", "frozensets", "iterables"):
            if not min_size:
                self.note(EMPTY, line)
            if (min_size or 0) >= 256 or (max_size or 0) >= 1000 or _mentions_limit(keywords.get("min_size")):
                self.note(LONG, line)
        if last == "text" and "alphabet" not in keywords:
            self.note(HOSTILE, line)
        elif last == "characters":
            self.note(HOSTILE, line)
        elif last == "none":
            self.note(NULL, line)
        elif last == "floats":
            bounded = [keywords.get("min_value"), keywords.get("max_value")]
            positional = node.args[:2]
            bounds = [bound for bound in [*bounded, *positional] if bound is not None and _number(bound) is not None]
            allow_nan = keywords.get("allow_nan")
            allow_inf = keywords.get("allow_infinity")
            if _true(allow_nan) or (allow_nan is None and not bounds):
                self.note(NULL, line)
            if _true(allow_inf) or (allow_inf is None and len(bounds) < 2):
                self.note(EXTREME, line)
            if any(_is_extreme(_number(bound) or 0.0) for bound in bounds):
                self.note(EXTREME, line)
        elif last == "integers":
            bounds = [keywords.get("min_value"), keywords.get("max_value"), *node.args[:2]]
            given = [bound for bound in bounds if bound is not None]
            if len(given) < 2 or any(_is_extreme(_number(bound) or 0.0) for bound in given):
                self.note(EXTREME, line)
        elif last == "one_of":
            kinds = {_strategy_kind(self.name_of(arg.func)) for arg in node.args if isinstance(arg, ast.Call)}
            kinds.discard(None)
            kinds.discard("none")
            if len(kinds) >= 2:
                self.note(TYPES, line)
        elif last in ("just", "sampled_from"):
            for arg in node.args:
                self.value(arg, line)


def _true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _strategy_kind(name: str) -> str | None:
    last = name.split(".")[-1]
    kinds = {
        "text": "str", "characters": "str", "from_regex": "str", "integers": "number", "floats": "number",
        "decimals": "number", "fractions": "number", "booleans": "bool", "none": "none", "lists": "container",
        "dictionaries": "container", "tuples": "container", "sets": "container", "binary": "bytes",
        "dates": "date", "datetimes": "date",
    }
    return kinds.get(last) if name.startswith("hypothesis.") else None


def _repeats(sequence: ast.AST, count: ast.AST) -> bool:
    """``"x" * 10_000`` or ``[row] * n`` with a large count, or a count named after a limit."""
    if not isinstance(sequence, (ast.Constant, ast.List, ast.Tuple)):
        return False
    if isinstance(sequence, ast.Constant) and not isinstance(sequence.value, (str, bytes)):
        return False
    value = _number(count)
    if value is not None:
        return value >= (32 if isinstance(sequence, ast.Constant) else 1000)
    return _mentions_limit(count)


def _mentions_limit(node: ast.AST | None) -> bool:
    if node is None:
        return False
    for child in ast.walk(node):
        name = dotted_name(child) if isinstance(child, (ast.Name, ast.Attribute)) else None
        if name and re.search(r"max|limit|len|length|size", name, re.IGNORECASE):
            return True
    return False


def _min_or_max(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("max", "min")
        and not node.args
    )


def _zero_size(node: ast.AST) -> bool:
    if _number(node) == 0:
        return True
    return isinstance(node, ast.Tuple) and any(_number(element) == 0 for element in node.elts)


def _value_kind(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant):
        if node.value is None:
            return None
        if isinstance(node.value, bool):
            return "bool"
        if isinstance(node.value, (int, float)):
            return "number"
        if isinstance(node.value, str):
            return "str"
        return "bytes"
    if isinstance(node, ast.UnaryOp) and _number(node) is not None:
        return "number"
    if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
        return "container"
    return None


def _mixed_types(function: TestFunction) -> int | None:
    """The line of a parametrize whose argument (or payload field) takes values of different types."""
    for mark in function.parametrize:
        for argname in mark.argnames:
            values = mark.values(argname)
            kinds = {kind for kind in map(_value_kind, values) if kind is not None}
            if len(kinds) >= 2:
                return mark.line
            fields: dict[str, set[str]] = {}
            for value in values:
                if isinstance(value, ast.Dict):
                    for key, item in zip(value.keys, value.values):
                        kind = _value_kind(item)
                        if isinstance(key, ast.Constant) and kind is not None:
                            fields.setdefault(str(key.value), set()).add(kind)
            if any(len(kinds) >= 2 for kinds in fields.values()):
                return mark.line
    return None


class _BodyInputs:
    """Walks a test body for literal inputs, leaving out settings and expected values.

    Inside an assertion only the arguments of the repository calls it makes are inputs
    (``assert predict({"a": None}) == 0``); a variable that only assertions read is an expected
    value, unless computing it runs the repository's code.
    """

    def __init__(self, finder: _EdgeFinder, function: TestFunction) -> None:
        self.finder = finder
        self.function = function
        self.roots: set[int] = set()
        inside: set[int] = set()
        for assertion in function.assertions:
            if assertion.helper is not None:
                continue
            if assertion.kind == "raises":
                node = assertion.node
                headers = [item.context_expr for item in node.items] if isinstance(node, (ast.With, ast.AsyncWith)) else [node]
                for header in headers:
                    self.roots.add(id(header))
                    inside.update(id(child) for child in ast.walk(header))
            else:
                self.roots.add(id(assertion.node))
                inside.update(id(child) for child in ast.walk(assertion.node))
        self.repo_calls = {id(call.node): call.node for call in function.own_calls if call.exercises_repo}
        arguments: set[int] = set()
        for node_id, call in self.repo_calls.items():
            if node_id in inside:
                for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:
                    arguments.update(id(child) for child in ast.walk(argument))
        self.expected = self._assertion_only_names(inside - arguments)
        self.accumulators = self._accumulators()

    def _accumulators(self) -> set[str]:
        """Names the test fills as it goes (``scores.append(...)``): an empty list bound to one
        of them is a container being built, not an empty input."""
        filled: set[str] = set()
        for node in ast.walk(self.function.node):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in _FILLING_METHODS and isinstance(node.func.value, ast.Name)):
                filled.add(node.func.value.id)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                filled.add(node.target.id)
            elif isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                        filled.add(target.value.id)
        return filled

    def _assertion_only_names(self, asserted: set[int]) -> set[str]:
        loads: dict[str, list[bool]] = {}
        for node in ast.walk(self.function.node):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                loads.setdefault(node.id, []).append(id(node) in asserted)
        return {name for name, inside in loads.items() if inside and all(inside)}

    def run(self) -> None:
        """Categorise the inputs of the whole body (the docstring left out)."""
        body = list(self.function.node.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        for statement in body:
            self.visit(statement)

    def visit(self, node: ast.AST) -> None:
        """Categorise the literal inputs under ``node``."""
        if id(node) in self.roots:
            for child in ast.walk(node):
                if id(child) in self.repo_calls and isinstance(child, ast.Call):
                    self._visit_call(child, getattr(child, "lineno", self.function.line))
            return
        if isinstance(node, (ast.JoinedStr, ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                             ast.Compare, ast.Import, ast.ImportFrom)):
            return
        line = getattr(node, "lineno", self.function.line)
        if isinstance(node, ast.Assign):
            names = [target.id for target in node.targets if isinstance(target, ast.Name)]
            expected = names and len(names) == len(node.targets) and all(name in self.expected for name in names)
            if expected and not any(id(child) in self.repo_calls for child in ast.walk(node.value)):
                return  # an expected value, only read by assertions
            if names and all(name in self.accumulators for name in names) and _empty_container(node.value):
                return  # a container the test fills, not an input
            self.visit(node.value)
            return
        if isinstance(node, ast.Delete):
            if any(isinstance(target, ast.Subscript) for target in node.targets):
                self.finder.note(NULL, line)
            return
        if isinstance(node, ast.Subscript):
            self.visit(node.value)
            return
        if isinstance(node, ast.Call):
            self._visit_call(node, line)
            return
        if isinstance(node, ast.keyword):
            return
        self.finder.leaf(node, line)
        for child in ast.iter_child_nodes(node):
            self.visit(child)

    def _visit_call(self, node: ast.Call, line: int) -> None:
        name = self.finder.name_of(node.func)
        last = node.func.attr if isinstance(node.func, ast.Attribute) else name.split(".")[-1]
        if name in _SETTING_CALLS or name.startswith(_SETTING_PREFIXES):
            return
        if isinstance(node.func, ast.Attribute) and id(node) not in self.repo_calls:
            receiver = node.func.value
            if last == "pop" and node.args and isinstance(node.args[0], ast.Constant) and isinstance(receiver, ast.Name):
                self.finder.note(NULL, line)  # a field removed from the payload
                return
            if last in _STRING_METHODS:
                return
            if not isinstance(receiver, ast.Constant):
                self.visit(receiver)
        self.finder.call(node, line)
        for arg in node.args:
            self.visit(arg)
        for keyword in node.keywords:
            if keyword.arg is None:
                self.visit(keyword.value)
            elif keyword.arg not in _SETTING_KEYWORDS:
                self.visit(keyword.value)


_FILLING_METHODS = frozenset({"append", "extend", "add", "update", "insert", "setdefault", "appendleft"})


def _empty_container(node: ast.AST) -> bool:
    """``[]``, ``{}``, ``set()``, ``list()``, ``dict()`` and the like."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return not node.elts
    if isinstance(node, ast.Dict):
        return not node.keys
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in ("list", "dict", "set", "tuple", "deque", "defaultdict") and not node.args
    return False


@dataclass
class _EdgeTest:
    function: TestFunction
    categories: dict[str, int]
    call: TestCall | None


def edge_categories(suite: TestSuite, function: TestFunction) -> dict[str, int]:
    """The edge-case categories a test feeds its code, each with the line where it was first seen."""
    finder = _EdgeFinder(_resolver(suite, function))
    for mark in function.parametrize:
        for case in mark.cases:
            for value in case:
                finder.value(value, mark.line)
    for strategy in function.strategies:
        finder.strategy(strategy.name, strategy.node)
    _BodyInputs(finder, function).run()
    for assertion in function.assertions:
        if assertion.kind == "raises" and any(exception.split(".")[-1] == "TypeError" for exception in assertion.exceptions):
            finder.note(TYPES, assertion.line)
    mixed = _mixed_types(function)
    if mixed is not None:
        finder.note(TYPES, mixed)
    has_inputs = bool(function.parametrize) or bool(finder.found)
    labels = [function.name, *(case_id for mark in function.parametrize for case_id in mark.ids)]
    if has_inputs:
        for category, pattern in _NAME_CATEGORIES:
            if any(pattern.search(label) for label in labels):
                finder.note(category, function.line)
    return finder.found


def _greedy_cover(tests: list[_EdgeTest]) -> list[_EdgeTest]:
    chosen: list[_EdgeTest] = []
    covered: set[str] = set()
    remaining = sorted(tests, key=lambda test: (-len(test.categories), test.function.nodeid))
    while remaining:
        best = max(remaining, key=lambda test: len(set(test.categories) - covered))
        if not set(best.categories) - covered:
            break
        chosen.append(best)
        covered.update(best.categories)
        remaining.remove(best)
    return chosen


def _ordered(categories: Iterable[str]) -> list[str]:
    present = set(categories)
    return [category for category in CATEGORIES if category in present]


#: Text a test module with edge-case inputs contains (one of): cases, strategies, NaN/inf, limits,
#: escapes or non-ASCII text, repetition, removed fields, empty or null literal arguments.
_EDGE_HINT = re.compile(
    r"parametrize|hypothesis|\b(?:nan|NaN|NAN|inf|Inf|INF|Infinity|NA|NaT)\b|maxsize|finfo|iinfo|quantile|"
    r"percentile|TypeError|DataFrame\(\)|\bdel\s+\w+\[|\.pop\(|[\"']\s*\*\s*\w|\\[xu][0-9a-fA-F]{2}|"
    r"[^\x00-\x7f]|[(\[,:]\s*(?:None|\"\"|''|\[\]|\{\})\s*[,)\]}]|\de[+]?\d{2,3}\b"
)


@detector(
    name="edge-case-inputs",
    items=(EDGE,),
    looks_for=(
        "tests that feed the prediction or validation code empty, null, maximum-length, extreme, unicode/hostile, "
        "wrongly typed and tail inputs (parametrize cases, Hypothesis strategies, literal inputs): at least "
        f"{REQUIRED_CATEGORIES} of {len(CATEGORIES)} categories"
    ),
)
def edge_case_inputs(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 24 (see the module docstring)."""
    scan = _scan(ctx, EDGE, _EDGE_HINT)
    for path in scan.unreadable:
        yield ctx.unreadable(EDGE, path)
    qualifying: list[_EdgeTest] = []
    others: list[TestFunction] = []
    for function in scan.functions:
        if not function.assertions:
            continue
        call = next((call for call in function.own_calls if is_input_call(scan.suite, call)), None)
        if call is None:
            call = next(
                (found for assertion in function.assertions if assertion.kind == "raises" and assertion.helper is None
                 for found in [_raising_call(scan.suite, assertion)] if found is not None),
                None,
            )
        if call is None:
            others.append(function)
            continue
        categories = guarded(edge_categories, scan.suite, function)
        if categories:
            qualifying.append(_EdgeTest(function, categories, call))
    cover = _greedy_cover(qualifying)
    covered = _ordered(category for test in cover for category in test.categories)
    if not cover:
        unrelated = [
            _EdgeTest(function, categories, None)
            for function in others for categories in [guarded(edge_categories, scan.suite, function)] if categories
        ]
        if unrelated:
            best = _greedy_cover(unrelated)[0]
            detail = (
                f"{_short(best.function)} uses {', '.join(_ordered(best.categories))} values but calls no "
                "prediction or validation code of the repository"
            )
            yield ctx.partial(EDGE, detail, path=best.function.path, line=best.function.line, nodeid=best.function.nodeid)
        return
    missing = [category for category in CATEGORIES if category not in covered]
    enough = len(covered) >= REQUIRED_CATEGORIES
    for test in cover:
        mine = ", ".join(_ordered(test.categories))
        label = test.call.label if test.call is not None else "the code"
        where = {"path": test.function.path, "line": test.function.line, "nodeid": test.function.nodeid}
        if enough:
            detail = (
                f"{_short(test.function)} sends {mine} inputs to `{label}`; the tests cover {len(covered)} of "
                f"{len(CATEGORIES)} edge-case categories"
            )
            yield ctx.supports(EDGE, detail, **where)
        else:
            detail = (
                f"{_short(test.function)} sends {mine} inputs to `{label}`, but the tests cover only "
                f"{len(covered)} of {len(CATEGORIES)} categories ({REQUIRED_CATEGORIES} needed); missing: {', '.join(missing)}"
            )
            yield ctx.partial(EDGE, detail, **where)


# ======================================================================== item 25
_CLEAR_EXCEPTIONS = frozenset(
    {
        "ValidationError", "ValueError", "SchemaError", "SchemaErrors", "ValidationException", "RequestValidationError",
        "HTTPException", "BadRequest", "UnprocessableEntity", "HTTPBadRequest", "HTTPUnprocessableEntity",
        "MultipleInvalid", "Invalid", "DataError", "InvalidInput", "InvalidRequest", "UnicodeDecodeError",
        "JSONDecodeError",
    }
)
_TOO_BROAD = frozenset({"Exception", "BaseException"})
_CLIENT_ERRORS = frozenset({400, 413, 415, 422})
_STATUS_ATTRS = frozenset({"status_code", "status", "status_int"})
_STATUS_CONSTANT = re.compile(r"HTTP_(\d{3})(_|$)")
_GRACEFUL_HINT = re.compile(r"raises|assertRaises|status_code|status_int|\.status\b")
_HANDLER_HINT = re.compile(
    r"exception_handler|errorhandler|register_error_handler|exception_handlers|RequestValidationError|"
    r"HTTPException|abort\(|BadRequest|UnprocessableEntity|status_code\s*=\s*4|\.exception\("
)


def _is_clear(suite: TestSuite, exception: str) -> bool:
    last = exception.split(".")[-1]
    return last in _CLEAR_EXCEPTIONS or last.endswith(("ValidationError", "ValidationErrors")) or suite.is_repo_name(exception)


def is_validation_error(exception: str) -> bool:
    """A validation library's error (pydantic, jsonschema, marshmallow, pandera, FastAPI)."""
    last = exception.split(".")[-1]
    return last.endswith(("ValidationError", "ValidationErrors")) or last in ("SchemaError", "SchemaErrors")


def _raising_call(suite: TestSuite, assertion: Assertion) -> TestCall | None:
    """The repository call an expected error comes from: one on the input path, or any
    repository call when a validation error is expected (``Transaction(**bad)``)."""
    call = next((call for call in assertion.calls if is_input_call(suite, call)), None)
    if call is None and any(is_validation_error(exception) for exception in assertion.exceptions):
        call = next((call for call in assertion.calls if call.exercises_repo), None)
    return call


def _status_values(node: ast.AST, function: TestFunction, resolve: Resolver) -> set[int]:
    """HTTP status codes an expression stands for: literals, tuples, ``status.HTTP_422_...``,
    ``HTTPStatus.BAD_REQUEST``, or a parametrized argument."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            return {node.value}
        if isinstance(node.value, str) and re.match(r"\d{3}\b", node.value):
            return {int(node.value[:3])}
        return set()
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return {code for element in node.elts for code in _status_values(element, function, resolve)}
    if isinstance(node, ast.Attribute) and node.attr == "value":
        return _status_values(node.value, function, resolve)
    if isinstance(node, ast.Name) and function.parameter_values(node.id):
        return {code for value in function.parameter_values(node.id) for code in _status_values(value, function, resolve)}
    if isinstance(node, (ast.Name, ast.Attribute)):
        written = dotted_name(node) or ""
        resolved = resolve(written) or written
        match = _STATUS_CONSTANT.search(resolved.split(".")[-1])
        if match:
            return {int(match.group(1))}
        last = resolved.split(".")[-1]
        if "HTTPStatus" in resolved and last in http.HTTPStatus.__members__:
            return {http.HTTPStatus[last].value}
    return set()


def _is_status(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in _STATUS_ATTRS


@dataclass(frozen=True)
class _StatusCheck:
    kind: str  # "client", "server", "weak"
    codes: tuple[int, ...]
    request: TestCall | None
    line: int


def _status_check(assertion: Assertion, function: TestFunction, resolve: Resolver) -> _StatusCheck | None:
    """What an assertion says about a response status, and which request it is about."""
    status: ast.expr | None = None
    codes: set[int] = set()
    kind = ""
    if assertion.kind == "assert" and assertion.test is not None:
        test = assertion.test
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            target = test.operand
            if isinstance(target, ast.Attribute) and target.attr in ("ok", "is_success"):
                status, kind = target, "weak"
        elif isinstance(test, ast.Attribute) and test.attr in ("is_error", "is_client_error"):
            status, kind = test, "client" if test.attr == "is_client_error" else "weak"
        elif isinstance(test, ast.Compare):
            status, codes, kind = _compare_status(test, function, resolve)
    elif assertion.kind == "check" and len(assertion.operands) == 2:
        left, right = assertion.operands
        for side, other in ((left, right), (right, left)):
            if _is_status(side):
                status, codes = side, _status_values(other, function, resolve)
                kind = "codes"
    if status is None or not kind:
        return None
    if kind == "codes":
        if not codes:
            return None
        if codes & _CLIENT_ERRORS and 500 not in codes:
            kind = "client"
        elif 500 in codes:
            kind = "server"
        elif all(400 <= code < 500 for code in codes) and codes - {401, 403, 404, 405, 429}:
            kind = "client"
        else:
            return None
    requests = [call for call in assertion.sources(status) if call.http is not None]
    request = sorted(requests, key=lambda call: call.line)[-1] if requests else None
    return _StatusCheck(kind, tuple(sorted(codes)), request, assertion.line)


def _compare_status(test: ast.Compare, function: TestFunction, resolve: Resolver) -> tuple[ast.expr | None, set[int], str]:
    """(the status expression, the codes it is compared with, ``codes``/``client``/``weak``)."""
    sides = [test.left, *test.comparators]
    for index, side in enumerate(sides):
        target = side
        if isinstance(side, ast.BinOp) and isinstance(side.op, ast.FloorDiv) and _is_status(side.left):
            others = [other for other in sides if other is not side]
            if _number(side.right) == 100 and any(_number(other) == 4 for other in others):
                return side.left, set(), "client"
            continue
        if not _is_status(target):
            continue
        ops = test.ops
        if len(sides) == 3 and index == 1:
            low, high = _number(sides[0]), _number(sides[2])
            if low is not None and high is not None and 400 <= low and high <= 500:
                return target, set(), "client"
            return target, set(), "weak"
        op = ops[index - 1] if index else ops[0]
        other = sides[index - 1] if index else sides[1]
        if isinstance(op, (ast.Eq, ast.In, ast.Is)):
            return target, _status_values(other, function, resolve), "codes"
        if isinstance(op, (ast.NotEq, ast.NotIn, ast.Gt, ast.GtE, ast.Lt, ast.LtE, ast.IsNot)):
            return target, set(), "weak"
    return None, set(), ""


def _message_checked(function: TestFunction, request: TestCall) -> bool:
    """True when another assertion of the test looks at what ``request`` answered (its body)."""
    for assertion in function.assertions:
        if assertion.kind == "raises" or any(_is_status(node) for node in ast.walk(assertion.node)):
            continue
        if any(request in assertion.sources(operand) for operand in assertion.operands):
            return True
    return False


def _judge_graceful(ctx: DetectorContext, suite: TestSuite, function: TestFunction) -> list[Evidence]:
    where = {"path": function.path, "line": function.line, "nodeid": function.nodeid}
    supports: list[Evidence] = []
    partials: list[Evidence] = []
    for assertion in function.assertions:
        if assertion.kind != "raises":
            continue
        call = _raising_call(suite, assertion)
        if call is None or not assertion.exceptions or "?" in assertion.exceptions:
            continue  # no repository input code in the block, or an exception that cannot be named
        names = [exception.split(".")[-1] for exception in assertion.exceptions]
        shown = " or ".join(f"`{name}`" for name in names)
        clear = [exception for exception in assertion.exceptions if _is_clear(suite, exception)]
        message = " and checks its message" if assertion.message_checked else ""
        if clear:
            detail = f"{_short(function)} expects a clear {shown} from `{call.label}` (line {assertion.line}){message}"
            supports.append(ctx.supports(GRACEFUL, detail, **where))
        elif all(name in _TOO_BROAD for name in names):
            detail = f"{_short(function)} expects any {shown} from `{call.label}`: the error is not shown to be a clear one"
            partials.append(ctx.partial(GRACEFUL, detail, **where))
        elif assertion.message_checked:
            detail = f"{_short(function)} expects {shown} with a checked message from `{call.label}` (line {assertion.line})"
            supports.append(ctx.supports(GRACEFUL, detail, **where))
        else:
            detail = (
                f"{_short(function)} expects a bare {shown} from `{call.label}`: an internal error, not a clear "
                "validation error (no message checked)"
            )
            partials.append(ctx.partial(GRACEFUL, detail, **where))
    resolve = _resolver(suite, function)
    for assertion in function.assertions:
        check = _status_check(assertion, function, resolve)
        if check is None or check.request is None or check.request.http is None:
            continue
        request = check.request
        assert request.http is not None
        shown = "/".join(str(code) for code in check.codes) or "4xx"
        if not request.http.repo:
            detail = (
                f"{_short(function)} asserts status {shown} from `{request.label}`, but its test client could not be "
                "traced to the repository's app"
            )
            partials.append(ctx.partial(GRACEFUL, detail, **where))
        elif check.kind == "client":
            extra = ", and checks the error body" if _message_checked(function, request) else ""
            detail = f"{_short(function)} asserts that `{request.label}` answers {shown} to invalid input (line {check.line}){extra}"
            supports.append(ctx.supports(GRACEFUL, detail, **where))
        elif check.kind == "server":
            detail = f"{_short(function)} asserts status 500 from `{request.label}`: a server error is not a clear client error"
            partials.append(ctx.partial(GRACEFUL, detail, **where))
        else:
            detail = (
                f"{_short(function)} only asserts that `{request.label}` fails, not that it answers 400 or 422 "
                f"(line {check.line})"
            )
            partials.append(ctx.partial(GRACEFUL, detail, **where))
    return supports[:1] if supports else partials[:1]


# ------------------------------------------------------------------------ serving code
@dataclass(frozen=True)
class _Handler:
    path: str
    line: int
    what: str


_ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "route", "api_route", "websocket"})
_BODY_METHODS = frozenset({"post", "put", "patch"})
_PLAIN_TYPES = frozenset(
    {"str", "int", "float", "bool", "bytes", "dict", "list", "Request", "Response", "BackgroundTasks", "Any", "UploadFile",
     "WebSocket", "HTTPConnection"}
)


_INPUT_ERROR_WORDS = frozenset(
    {"invalid", "validation", "schema", "input", "request", "payload", "contract", "parse", "value", "bad", "malformed"}
)


def _handler_target(node: ast.AST, aliases: dict[str, str]) -> tuple[str, bool] | None:
    """(label, about invalid input) for what a handler is registered for: an exception or a code."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return str(node.value), node.value in _CLIENT_ERRORS
    written = dotted_name(node)
    if written is None:
        return None
    last = resolve_alias(written, aliases).split(".")[-1]
    about_input = (
        last in _CLEAR_EXCEPTIONS or last.endswith("ValidationError") or bool(_INPUT_ERROR_WORDS & set(words_of(last)))
    )
    return last, about_input and last not in _TOO_BROAD


def _registered_handlers(path: str, tree: ast.Module, aliases: dict[str, str]) -> Iterator[_Handler]:
    for node in ast.walk(tree):
        targets: list[tuple[ast.AST, int]] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute) or not decorator.args:
                    continue
                receiver = (dotted_name(decorator.func.value) or "").split(".")[-1].lower()
                if decorator.func.attr in ("exception_handler", "errorhandler", "app_errorhandler") or (
                    decorator.func.attr == "exception" and receiver not in ("log", "logger", "logging")
                ):
                    targets.extend((arg, decorator.lineno) for arg in decorator.args)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("add_exception_handler", "register_error_handler") and node.args:
                targets.append((node.args[0], node.lineno))
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "exception_handlers" and isinstance(keyword.value, ast.Dict):
                    targets.extend((key, node.lineno) for key in keyword.value.keys if key is not None)
        for target, line in targets:
            found = _handler_target(target, aliases)
            if found is not None and found[1]:
                yield _Handler(path, line, f"error handler for `{found[0]}`")


def _route_validations(path: str, tree: ast.Module, aliases: dict[str, str], fastapi: bool) -> Iterator[_Handler]:
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
                continue
            method = decorator.func.attr
            url = decorator.args[0] if decorator.args else None
            if method not in _ROUTE_METHODS or not (isinstance(url, ast.Constant) and isinstance(url.value, str)):
                continue
            shown = f"{method.upper() if method in _BODY_METHODS or method in ('get', 'delete') else 'route'} {url.value}"
            code = _rejects_input(node, aliases)
            if code is not None:
                yield _Handler(path, decorator.lineno, f"`{shown}` rejects invalid input with {code}")
            elif fastapi and method in _BODY_METHODS:
                model = _typed_body(node)
                if model is not None:
                    yield _Handler(path, decorator.lineno, f"FastAPI validates the body of `{shown}` against `{model}` (422)")


def _rejects_input(function: ast.FunctionDef | ast.AsyncFunctionDef, aliases: dict[str, str]) -> int | None:
    """The 4xx code a route handler answers on its own (raise, abort, return, response), if any."""
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            name = resolve_alias(dotted_name(node.func) or "", aliases)
            last = name.split(".")[-1]
            if last in ("BadRequest", "HTTPBadRequest"):
                return 400
            if last in ("UnprocessableEntity", "HTTPUnprocessableEntity"):
                return 422
            candidates: list[ast.AST] = []
            if last in ("HTTPException", "abort"):
                candidates.extend(node.args[:1])
            candidates.extend(keyword.value for keyword in node.keywords if keyword.arg in ("status_code", "status"))
            for candidate in candidates:
                code = _code_of(candidate, aliases)
                if code in _CLIENT_ERRORS:
                    return code
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) >= 2:
            code = _code_of(node.value.elts[1], aliases)
            if code in _CLIENT_ERRORS:
                return code
    return None


def _code_of(node: ast.AST, aliases: dict[str, str]) -> int | None:
    value = _number(node)
    if value is not None:
        return int(value)
    written = dotted_name(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
    if written:
        resolved = resolve_alias(written, aliases)
        match = _STATUS_CONSTANT.search(resolved.split(".")[-1])
        if match:
            return int(match.group(1))
        last = resolved.split(".")[-1]
        if last in http.HTTPStatus.__members__:
            return http.HTTPStatus[last].value
    return None


def _typed_body(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    for arg in [*function.args.args, *function.args.kwonlyargs]:
        annotation = arg.annotation
        if isinstance(annotation, (ast.Name, ast.Attribute)):
            name = (dotted_name(annotation) or "").split(".")[-1]
            if name and name[0].isupper() and name not in _PLAIN_TYPES:
                return name
    return None


def serving_handlers(ctx: DetectorContext) -> tuple[list[_Handler], list[str]]:
    """Error handlers and validating routes in the non-test Python, and candidates that did not parse."""
    handlers: list[_Handler] = []
    unreadable: list[str] = []
    for path in ctx.candidates(GRACEFUL, ctx.index.with_suffix(".py")):
        if not path.endswith(".py") or is_test_path(path):
            continue
        text = ctx.index.read_text(path)
        if text is None or not _HANDLER_HINT.search(text):
            continue
        tree = ctx.index.python_ast(path)
        if tree is None:
            unreadable.append(path)
            continue
        aliases = import_aliases(tree)
        handlers.extend(_registered_handlers(path, tree, aliases))
        handlers.extend(_route_validations(path, tree, aliases, fastapi="fastapi" in text))
    handlers.sort(key=lambda handler: (handler.path, handler.line))
    return handlers, unreadable


@detector(
    name="graceful-failure-tests",
    items=(GRACEFUL,),
    looks_for=(
        "tests that send invalid input to the prediction or validation code and expect a clear error "
        "(pytest.raises of a validation error, or a test-client request answered 400/422), and error handlers "
        "in the serving code"
    ),
)
def graceful_failure_tests(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 25 (see the module docstring)."""
    scan = _scan(ctx, GRACEFUL, _GRACEFUL_HINT)
    for path in scan.unreadable:
        yield ctx.unreadable(GRACEFUL, path)
    tested: set[str] = set()
    for function in scan.functions:
        for found in guarded(_judge_graceful, ctx, scan.suite, function) or []:
            tested.add(found.verdict)
            yield found
    if "supports" in tested:
        return
    handlers, unreadable = serving_handlers(ctx)
    for path in unreadable:
        yield ctx.unreadable(GRACEFUL, path)
    missing = "no test asserts a clear error for bad input" if tested else "no test sends bad input"
    for handler in handlers:
        detail = f"{handler.what} in {handler.path}:{handler.line} but {missing}"
        yield ctx.partial(GRACEFUL, detail, path=handler.path, line=handler.line)


DETECTORS: tuple[Detector, ...] = (skew_test, edge_case_inputs, graceful_failure_tests)
