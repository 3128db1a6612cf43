"""Reading the repository's tests with :mod:`ast`: test functions, their cases, calls and assertions.

Detectors for items that a test proves (training/serving skew, edge cases, graceful failure,
feature tests, ...) need the same facts about the repository's tests.
:func:`repository_tests` builds one :class:`TestSuite` per scan (memoised on the index); a test
module is parsed only when a detector asks for it, after a text hint selected it, and at most
once.

Use::

    suite = repository_tests(ctx.index)
    for path in ctx.candidates(item, suite.candidates(re.compile("predict"))):
        module = suite.module(path)          # None: does not parse (ctx.unreadable)
        for test in module.functions:        # TestFunction: nodeid, calls, assertions...
            ...

What is read (never imported or run):

* **Test modules**: ``test_*.py`` and ``*_test.py`` files (pytest's default ``python_files``)
  outside vendored or generated folders.
* **Test functions**: module-level ``test*`` functions, ``test*`` methods of ``Test*`` classes
  without ``__init__`` and of ``unittest.TestCase`` subclasses (nested classes too), each with
  its pytest node id ``path::func`` or ``path::Class::method`` (path relative to the root).
  ``skipped`` is true for an unconditional ``skip`` / ``xfail`` (decorator, class, module
  ``pytestmark``, or a ``pytest.skip()`` statement at the top of the body).
* **Cases**: ``@pytest.mark.parametrize`` on the function, its classes and in the module's
  ``pytestmark`` (values as ast, ``pytest.param`` unwrapped, a module-level list followed), and
  Hypothesis ``@given`` strategies (module-level strategies and ``@composite`` functions followed).
* **Calls**: every call, named after the import aliases and what local names hold:
  ``predictor = Predictor(...)`` makes ``predictor.score(x)`` a call of
  ``pkg.predictor.Predictor.score``. Fixtures (from the module, its classes and the
  ``conftest.py`` files above it) and parameter annotations say what a parameter holds; the
  calls that produce a requested fixture's value, and the calls made in module-level helper
  functions the test calls, are included and marked (:attr:`TestCall.fixture`,
  :attr:`TestCall.helper`). Test clients (Starlette/FastAPI ``TestClient``, Flask
  ``app.test_client()``, ``httpx`` with an app transport, ``webtest.TestApp``, Django and DRF
  clients, pytest-flask's ``client`` next to an ``app`` fixture) turn ``client.post("/predict")``
  into an :class:`HttpRequest` to the app they wrap.
* **Assertions**: ``assert`` statements (``a and b`` split in two), ``pytest.raises`` and
  ``assertRaises`` (with the calls made inside the block), unittest ``assert*`` methods,
  ``numpy.testing`` / ``pandas.testing`` / ``polars.testing`` / ``torch.testing`` asserts, and
  the assertions of module helpers the test calls.
* **Data flow**: :meth:`TestFunction.sources` / :meth:`Assertion.sources` tell which calls'
  results flow into an expression, and ``inputs`` which variables and parameters do (through
  assignments, loops, comprehensions, call arguments, fixtures and helpers), so that a
  detector can tell that the two sides of ``assert served == offline`` come from two
  different code paths fed by the same records.

The repository's own code is every non-test Python module outside vendored folders; a dotted
name is repository code when it starts with one of their module names (``src/`` dropped; the
trailing parts of a path count too, for tests that put a service folder on ``sys.path``).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, Union

from pytest_mlchecklist.detectors.python_code import PythonModule, dotted_name, imported_modules, is_test_path, module_name
from pytest_mlchecklist.repo import RepoIndex

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]
AssertionKind = Literal["assert", "raises", "check"]

MEMO_KEY = ("test-code",)
#: Methods of a test client that send a request.
HTTP_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "post_json", "put_json", "patch_json"}
)
_SETUP_METHODS = frozenset({"setUp", "setup_method", "setUpClass", "setup_class", "asyncSetUp", "setUpTestData"})
_DJANGO_CLIENTS = frozenset(
    {"django.test.Client", "django.test.AsyncClient", "django.test.client.Client", "rest_framework.test.APIClient"}
)
_TESTING_MODULES = (
    "numpy.testing.", "pandas.testing.", "pandas.util.testing.", "pandas._testing.", "polars.testing.",
    "torch.testing.", "xarray.testing.", "tensorflow.debugging.", "numpy.ma.testutils.",
)
#: Calls inside an ``assert`` that compare their first two arguments.
_COMPARISON_CALLS = frozenset(
    {"allclose", "isclose", "array_equal", "array_equiv", "equal", "equals", "assert_close", "frame_equal", "series_equal"}
)
_UNARY_UNITTEST = frozenset({"assertTrue", "assertFalse", "assertIsNone", "assertIsNotNone", "assert_"})
_RAISES_METHODS = frozenset({"assertRaises", "assertRaisesRegex", "assertRaisesRegexp"})
#: Names that a trailing part of a path must not shadow (``app/json.py`` is not ``json``).
_FOREIGN_NAMES = frozenset(sys.stdlib_module_names) | frozenset(
    {
        "numpy", "pandas", "torch", "tensorflow", "sklearn", "scipy", "requests", "httpx", "fastapi", "starlette",
        "flask", "django", "pydantic", "pytest", "hypothesis", "yaml", "tests", "test", "src", "conftest",
    }
)
_MAX_DEPTH = 12


# ======================================================================== public records
@dataclass(frozen=True)
class HttpRequest:
    """A request a test sends through a test client: method, literal URL path, and the app served."""

    method: str
    url: str | None
    app: str
    repo: bool

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.url or '<url>'}"


@dataclass(frozen=True, eq=False)
class TestCall:
    """A call made by a test (or by a fixture it requests, or a module helper it calls).

    ``name`` is the called name with import aliases and local values resolved, a call's result
    marked ``()`` (``predictor = Predictor(m)`` makes ``predictor.score`` the name
    ``pkg.predictor.Predictor().score``), ``written`` the name as written in the code
    (``predictor.score``), ``target`` the name when it is the repository's own code.
    """

    __test__ = False

    name: str
    written: str | None
    target: str | None
    node: ast.Call
    http: HttpRequest | None = None
    fixture: str | None = None
    helper: str | None = None

    @property
    def line(self) -> int:
        """The line of the call."""
        return self.node.lineno

    @property
    def exercises_repo(self) -> bool:
        """True when the call runs the repository's code (directly, or through a test client of its app)."""
        return self.target is not None or (self.http is not None and self.http.repo)

    @property
    def direct(self) -> bool:
        """True when the test itself (or a helper it calls) makes the call, not a fixture."""
        return self.fixture is None

    @property
    def label(self) -> str:
        """A short name for details: ``POST /predict``, ``predictor.score``, ``Predictor``."""
        if self.http is not None:
            return str(self.http)
        return self.written or ".".join(self.name.split(".")[-2:])


@dataclass(frozen=True)
class Parametrize:
    """One ``@pytest.mark.parametrize``: argument names, the cases (one tuple of expressions per
    case, one expression per argument when the case unpacks), and the case ids."""

    argnames: tuple[str, ...]
    cases: tuple[tuple[ast.expr, ...], ...]
    ids: tuple[str, ...]
    line: int
    opaque: bool = False

    def values(self, argname: str) -> list[ast.expr]:
        """The values ``argname`` takes across the cases (empty when it is not one of them)."""
        if argname not in self.argnames:
            return []
        position = self.argnames.index(argname)
        return [case[position] for case in self.cases if len(case) == len(self.argnames)]


@dataclass(frozen=True)
class StrategyCall:
    """A Hypothesis strategy call feeding a ``@given`` argument (``hypothesis.strategies.floats``)."""

    name: str
    node: ast.Call
    argname: str | None


@dataclass(frozen=True, eq=False)
class Assertion:
    """Something a test asserts.

    ``kind`` is ``assert`` (an assert statement, ``test`` being the asserted expression),
    ``raises`` (``pytest.raises`` / ``assertRaises``, with ``exceptions`` and the ``calls`` made
    inside the block) or ``check`` (a unittest ``assert*`` method or a testing-library assert).
    ``operands`` are what is compared (both sides of ``==``, the arguments of ``np.allclose`` or
    ``assert_frame_equal``), or the asserted expression itself.
    """

    _flow: _Analysis = field(repr=False)
    kind: AssertionKind
    node: ast.AST
    test: ast.expr | None
    operands: tuple[ast.expr, ...]
    exceptions: tuple[str, ...] = ()
    calls: tuple[TestCall, ...] = ()
    message_checked: bool = False
    helper: str | None = None

    @property
    def line(self) -> int:
        """The line of the assertion."""
        return getattr(self.node, "lineno", 0)

    def sources(self, expr: ast.AST) -> frozenset[TestCall]:
        """The calls whose results flow into ``expr`` (a node of this assertion)."""
        return self._flow.sources(expr)

    def inputs(self, expr: ast.AST) -> frozenset[str]:
        """The variable and parameter names whose values flow into ``expr`` (a node of this assertion)."""
        return self._flow.inputs(expr)


@dataclass(eq=False)
class TestFunction:
    """A test function or method of the repository, with what it runs and asserts."""

    __test__ = False

    path: str
    nodeid: str
    name: str
    class_name: str | None
    node: FunctionNode
    marks: frozenset[str]
    skipped: bool
    parametrize: tuple[Parametrize, ...]
    strategies: tuple[StrategyCall, ...]
    calls: tuple[TestCall, ...]
    assertions: tuple[Assertion, ...]
    _flow: _Analysis = field(repr=False)

    @property
    def line(self) -> int:
        """The line of the ``def``."""
        return self.node.lineno

    @property
    def docstring(self) -> str:
        """The docstring, or an empty string."""
        return ast.get_docstring(self.node) or ""

    @property
    def own_calls(self) -> tuple[TestCall, ...]:
        """The calls the test makes itself or through module helpers (fixture calls left out)."""
        return tuple(call for call in self.calls if call.direct)

    def sources(self, expr: ast.AST) -> frozenset[TestCall]:
        """The calls whose results flow into ``expr`` (a node of this test's body)."""
        return self._flow.sources(expr)

    def inputs(self, expr: ast.AST) -> frozenset[str]:
        """The variable and parameter names whose values flow into ``expr`` (a node of this test's body)."""
        return self._flow.inputs(expr)

    def parameter_values(self, argname: str) -> list[ast.expr]:
        """Every value the parametrize cases give ``argname``."""
        return [value for mark in self.parametrize for value in mark.values(argname)]


# ======================================================================== the suite
def is_test_module_path(path: str) -> bool:
    """True for the files pytest collects by default: ``test_*.py`` and ``*_test.py``."""
    name = path.rsplit("/", 1)[-1]
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def repository_tests(index: RepoIndex) -> TestSuite:
    """The repository's tests, shared by every detector of the scan."""
    return index.memo(MEMO_KEY, lambda: TestSuite(index))


class TestSuite:
    """The test modules of a repository, parsed on demand, and what its own code is called."""

    __test__ = False

    def __init__(self, index: RepoIndex) -> None:
        self.index = index
        self._modules: dict[str, TestModule | None] = {}
        self._readers: dict[str, _ModuleReader | None] = {}

    @cached_property
    def repo_modules(self) -> frozenset[str]:
        """Dotted names of the repository's own (non-test) modules and packages."""
        names: set[str] = set()
        for path in self.index.with_suffix(".py"):
            if is_test_path(path) or self.index.is_non_evidence(path):
                continue
            parts = module_name(path).split(".")
            for start in range(len(parts)):
                if not parts[start].isidentifier() or (start and parts[start] in _FOREIGN_NAMES):
                    continue
                for end in range(start + 1, len(parts) + 1):
                    names.add(".".join(parts[start:end]))
        return frozenset(names)

    @cached_property
    def test_paths(self) -> tuple[str, ...]:
        """Test module paths outside vendored or generated folders."""
        return tuple(
            path for path in self.index.with_suffix(".py")
            if is_test_module_path(path) and not self.index.is_non_evidence(path)
        )

    @cached_property
    def uses_django(self) -> bool:
        """True when the repository has a Django ``manage.py``."""
        return any(path == "manage.py" or path.endswith("/manage.py") for path in self.index.files)

    def candidates(self, *hints: re.Pattern[str]) -> list[str]:
        """Test module paths whose text matches every one of ``hints`` (every readable one without)."""
        chosen: list[str] = []
        for path in self.test_paths:
            text = self.index.read_text(path)
            if text is not None and all(hint.search(text) for hint in hints):
                chosen.append(path)
        return chosen

    def module(self, path: str) -> TestModule | None:
        """The parsed test module at ``path``, or ``None`` when it does not parse (see ``index.problem``)."""
        if path not in self._modules:
            reader = self._reader(path)
            self._modules[path] = None if reader is None else TestModule(path=path, source=reader.source, _reader=reader)
        return self._modules[path]

    def functions(self, *hints: re.Pattern[str]) -> list[TestFunction]:
        """Every test function of the modules :meth:`candidates` selects, in path order."""
        found: list[TestFunction] = []
        for path in self.candidates(*hints):
            module = self.module(path)
            if module is not None:
                found.extend(module.functions)
        return found

    def repo_module_of(self, dotted: str | None) -> str | None:
        """The longest repository module name that ``dotted`` starts with, if any."""
        if not dotted:
            return None
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            candidate = ".".join(parts[:cut])
            if candidate in self.repo_modules:
                return candidate
        return None

    def is_repo_name(self, dotted: str | None) -> bool:
        """True when ``dotted`` names something in the repository's own code."""
        return self.repo_module_of(dotted) is not None

    # ------------------------------------------------------------ internals
    def _reader(self, path: str) -> _ModuleReader | None:
        if path not in self._readers:
            tree = self.index.python_ast(path)
            text = self.index.read_text(path)
            self._readers[path] = None if tree is None or text is None else _ModuleReader(self, path, tree, text)
        return self._readers[path]

    def _conftest_readers(self, path: str) -> list[_ModuleReader]:
        """Readers of the ``conftest.py`` files that apply to ``path``, nearest first."""
        parts = path.split("/")[:-1]
        readers: list[_ModuleReader] = []
        for depth in range(len(parts), -1, -1):
            candidate = "/".join([*parts[:depth], "conftest.py"])
            if candidate in self.index:
                reader = self._reader(candidate)
                if reader is not None:
                    readers.append(reader)
        return readers


@dataclass(eq=False)
class TestModule:
    """A parsed test module: its test functions and the repository modules it imports."""

    __test__ = False

    path: str
    source: PythonModule
    _reader: _ModuleReader = field(repr=False)

    @cached_property
    def repo_imports(self) -> frozenset[str]:
        """The repository modules (or names in them) this module imports."""
        imported = imported_modules(self.source.tree, current_module=self.source.name)
        return frozenset(name for name in imported if self._reader.suite.is_repo_name(name))

    @cached_property
    def functions(self) -> tuple[TestFunction, ...]:
        """The test functions and methods, in source order."""
        try:
            return tuple(self._reader.collect())
        except RecursionError:  # pathological nesting: nothing can be said about this module
            return ()


# ======================================================================== reading one module
@dataclass(frozen=True)
class _Value:
    """What a name holds, as far as reading tells: where it comes from, or a test client."""

    origin: str | None = None
    client_app: str | None = None


@dataclass
class _Names:
    """Values bound outside a function (the module's top level, a test class's setUp)."""

    values: dict[str, _Value | None]
    outer: _Names | None = None

    def bound(self, key: str) -> tuple[bool, _Value | None]:
        if key in self.values:
            return True, self.values[key]
        return self.outer.bound(key) if self.outer is not None else (False, None)


class _ModuleReader:
    """Module-level facts of one parsed test module or conftest."""

    def __init__(self, suite: TestSuite, path: str, tree: ast.Module, text: str) -> None:
        self.suite = suite
        self.path = path
        self.tree = tree
        self.source = PythonModule(path=path, name=module_name(path), text=text, is_test=True, index=suite.index)

    def resolve(self, dotted: str) -> str | None:
        """What ``dotted`` stands for through the module's imports (``None`` if unknown)."""
        return self.source.resolve(dotted)

    def decorator_name(self, decorator: ast.expr) -> str:
        """The resolved name of a decorator (``pytest.mark.parametrize``), call or not."""
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        written = dotted_name(target) or ""
        return (self.resolve(written) if written else None) or written

    @cached_property
    def top_functions(self) -> dict[str, FunctionNode]:
        return {
            node.name: node for node in self.tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        }

    @cached_property
    def top_classes(self) -> dict[str, ast.ClassDef]:
        return {node.name: node for node in self.tree.body if isinstance(node, ast.ClassDef)}

    @cached_property
    def assignments(self) -> dict[str, ast.expr]:
        """Module-level ``NAME = value`` (the last one wins)."""
        found: dict[str, ast.expr] = {}
        for node in self.tree.body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
                found[node.target.id] = node.value
        return found

    def fixture_name(self, function: FunctionNode) -> str | None:
        """The fixture a function defines (``name=`` honoured), or ``None``."""
        for decorator in function.decorator_list:
            if self.decorator_name(decorator).endswith(("pytest.fixture", "pytest_asyncio.fixture", "yield_fixture")):
                if isinstance(decorator, ast.Call):
                    for keyword in decorator.keywords:
                        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                            return str(keyword.value.value)
                return function.name
        return None

    @cached_property
    def fixtures(self) -> dict[str, FunctionNode]:
        found: dict[str, FunctionNode] = {}
        for function in self.top_functions.values():
            name = self.fixture_name(function)
            if name is not None:
                found[name] = function
        return found

    @cached_property
    def names(self) -> _Names:
        """Values of the module-level names."""
        analysis = _Analysis(self, [node for node in self.tree.body if isinstance(node, (ast.Assign, ast.AnnAssign, ast.With))],
                             params={}, outer=None, fixtures=None, expand_helpers=False)
        return _Names(dict(analysis.values))

    @cached_property
    def module_marks(self) -> list[ast.expr]:
        """The marks of the module-level ``pytestmark`` (a mark or a list of marks)."""
        value = self.assignments.get("pytestmark")
        if value is None:
            return []
        return list(value.elts) if isinstance(value, (ast.List, ast.Tuple)) else [value]

    @cached_property
    def fixture_table(self) -> _Fixtures:
        return _Fixtures(self.suite, [self, *self.suite._conftest_readers(self.path)])

    # ------------------------------------------------------------ collecting tests
    def collect(self) -> Iterator[TestFunction]:
        """Every test function and method of the module."""
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                yield self._test(node, [], self.names, self.fixture_table)
            elif isinstance(node, ast.ClassDef):
                yield from self._collect_class(node, [])

    def _collect_class(self, node: ast.ClassDef, chain: list[ast.ClassDef]) -> Iterator[TestFunction]:
        unittest_like = self._is_testcase(node, set())
        has_init = any(isinstance(item, ast.FunctionDef) and item.name == "__init__" for item in node.body)
        if not unittest_like and (not node.name.startswith("Test") or has_init):
            return
        chain = [*chain, node]
        names = self._class_names(node)
        extra = {
            name: item for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
            for name in [self.fixture_name(item)] if name is not None
        }
        fixtures = self.fixture_table.with_class(self, extra) if extra else self.fixture_table
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("test"):
                yield self._test(item, chain, names, fixtures)
            elif isinstance(item, ast.ClassDef):
                yield from self._collect_class(item, chain)

    def _is_testcase(self, node: ast.ClassDef, seen: set[str]) -> bool:
        for base in node.bases:
            written = dotted_name(base) or ""
            resolved = self.resolve(written) or written
            if resolved.endswith("TestCase") or resolved.endswith(("APITestCase", "APISimpleTestCase")):
                return True
            local = self.top_classes.get(written)
            if local is not None and written not in seen:
                seen.add(written)
                if self._is_testcase(local, seen):
                    return True
        return False

    def _class_names(self, node: ast.ClassDef) -> _Names:
        """``self.x`` values set by the class's setup methods (and Django's ``self.client``)."""
        values: dict[str, _Value | None] = {}
        for base in node.bases:
            resolved = self.resolve(dotted_name(base) or "") or ""
            if resolved.startswith(("django.test.", "rest_framework.test.")):
                values["self.client"] = _Value(client_app="django")
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in _SETUP_METHODS:
                analysis = _Analysis(self, item.body, params={}, outer=self.names, fixtures=None)
                for key, value in analysis.values.items():
                    if key.startswith(("self.", "cls.")):
                        values["self." + key.split(".", 1)[1]] = value
        return _Names(values, outer=self.names)

    def _marks(self, decorators: Iterable[ast.expr]) -> list[tuple[str, ast.expr]]:
        found: list[tuple[str, ast.expr]] = []
        for decorator in decorators:
            name = self.decorator_name(decorator)
            if ".mark." in f".{name}":
                found.append((name.split(".")[-1], decorator))
            elif name in ("unittest.skip", "unittest.expectedFailure"):
                found.append(("skip" if name.endswith("skip") else "xfail", decorator))
            elif name in ("hypothesis.given", "hypothesis.settings", "hypothesis.example"):
                found.append((name.split(".")[-1], decorator))
        return found

    def _test(self, node: FunctionNode, chain: list[ast.ClassDef], names: _Names, fixtures: _Fixtures) -> TestFunction:
        marks = self._marks(self.module_marks)
        for klass in chain:
            marks.extend(self._marks(klass.decorator_list))
        marks.extend(self._marks(node.decorator_list))
        parametrize = tuple(
            mark for name, decorator in marks if name == "parametrize"
            for mark in [self._parametrize(decorator)] if mark is not None
        )
        strategies = tuple(
            strategy for name, decorator in marks if name == "given" for strategy in self._strategies(decorator)
        )
        argnames = {argname for mark in parametrize for argname in mark.argnames}
        params = {arg.arg: arg for arg in _arguments(node, method=bool(chain))}
        given = {strategy.argname for strategy in strategies if strategy.argname}
        for name in argnames | given:
            params.pop(name, None)
        analysis = _Analysis(self, node.body, params=params, outer=names, fixtures=fixtures, ignored=argnames | given)
        nodeid = "::".join([self.path, *[klass.name for klass in chain], node.name])
        return TestFunction(
            path=self.path,
            nodeid=nodeid,
            name=node.name,
            class_name=chain[-1].name if chain else None,
            node=node,
            marks=frozenset(name for name, _ in marks),
            skipped=_unconditionally_skipped(marks, node),
            parametrize=parametrize,
            strategies=strategies,
            calls=tuple(analysis.calls),
            assertions=tuple(analysis.assertions),
            _flow=analysis,
        )

    def _parametrize(self, decorator: ast.expr) -> Parametrize | None:
        if not isinstance(decorator, ast.Call) or len(decorator.args) + len(decorator.keywords) < 2:
            return None
        argnames_node = decorator.args[0] if decorator.args else _keyword(decorator, "argnames")
        values_node = decorator.args[1] if len(decorator.args) > 1 else _keyword(decorator, "argvalues")
        argnames = _argnames(argnames_node)
        if not argnames or values_node is None:
            return None
        if isinstance(values_node, ast.Name) and values_node.id in self.assignments:
            values_node = self.assignments[values_node.id]
        ids_node = _keyword(decorator, "ids")
        ids = [str(element.value) for element in getattr(ids_node, "elts", []) if isinstance(element, ast.Constant)]
        if not isinstance(values_node, (ast.List, ast.Tuple, ast.Set)):
            return Parametrize(argnames, (), tuple(ids), decorator.lineno, opaque=True)
        cases: list[tuple[ast.expr, ...]] = []
        for element in values_node.elts:
            values, case_id = self._unwrap_param(element)
            if case_id is not None:
                ids.append(case_id)
            if len(argnames) == 1:
                cases.append((values[0],) if len(values) == 1 else tuple(values))
            elif len(values) == 1 and isinstance(values[0], (ast.Tuple, ast.List)):
                cases.append(tuple(values[0].elts))
            else:
                cases.append(tuple(values))
        return Parametrize(argnames, tuple(cases), tuple(ids), decorator.lineno)

    def _unwrap_param(self, element: ast.expr) -> tuple[list[ast.expr], str | None]:
        """``pytest.param(a, b, id="x")`` gives ``([a, b], "x")``; anything else ``([element], None)``."""
        if isinstance(element, ast.Call) and self.decorator_name(element).endswith("pytest.param"):
            case_id = _keyword(element, "id")
            label = str(case_id.value) if isinstance(case_id, ast.Constant) and case_id.value is not None else None
            return list(element.args), label
        return [element], None

    def _strategies(self, decorator: ast.expr) -> Iterator[StrategyCall]:
        if not isinstance(decorator, ast.Call):
            return
        feeds: list[tuple[str | None, ast.expr]] = [(None, arg) for arg in decorator.args]
        feeds.extend((keyword.arg, keyword.value) for keyword in decorator.keywords)
        for argname, expr in feeds:
            for call in self._strategy_calls(expr, depth=0):
                yield StrategyCall(name=call[0], node=call[1], argname=argname)

    def _strategy_calls(self, expr: ast.AST, depth: int) -> Iterator[tuple[str, ast.Call]]:
        if depth > 2:
            return
        for node in ast.walk(expr):
            if isinstance(node, ast.Name) and node.id in self.assignments:
                yield from self._strategy_calls(self.assignments[node.id], depth + 1)
            if not isinstance(node, ast.Call):
                continue
            written = dotted_name(node.func)
            if written is None:
                continue
            resolved = self.resolve(written) or written
            if resolved.startswith("hypothesis."):
                yield resolved, node
            elif written in self.top_functions:
                function = self.top_functions[written]
                if any(self.decorator_name(d).endswith("composite") for d in function.decorator_list):
                    for statement in function.body:
                        yield from self._strategy_calls(statement, depth + 1)


# ======================================================================== fixtures
class _Fixtures:
    """The fixtures a test module sees (its own, its class's, its conftests'), evaluated once."""

    def __init__(
        self, suite: TestSuite, readers: list[_ModuleReader], extra: dict[str, tuple[_ModuleReader, FunctionNode]] | None = None
    ) -> None:
        self.suite = suite
        self.readers = readers
        self.extra = extra or {}
        self._results: dict[str, tuple[_Value | None, frozenset[TestCall]]] = {}
        self._active: set[str] = set()

    def with_class(self, reader: _ModuleReader, functions: dict[str, FunctionNode]) -> _Fixtures:
        """The same table with a test class's own fixtures first."""
        return _Fixtures(self.suite, self.readers, {name: (reader, fn) for name, fn in functions.items()})

    def lookup(self, name: str) -> tuple[_ModuleReader, FunctionNode] | None:
        if name in self.extra:
            return self.extra[name]
        for reader in self.readers:
            if name in reader.fixtures:
                return reader, reader.fixtures[name]
        return None

    def result(self, name: str) -> tuple[_Value | None, frozenset[TestCall]]:
        """What the fixture ``name`` gives a test, and the calls that produced it."""
        if name in self._results:
            return self._results[name]
        if name in self._active or len(self._active) > _MAX_DEPTH:
            return None, frozenset()
        found = self.lookup(name)
        if found is None:
            return self._builtin(name), frozenset()
        reader, function = found
        self._active.add(name)
        try:
            params = {arg.arg: arg for arg in _arguments(function, method=False)}
            analysis = _Analysis(reader, function.body, params=params, outer=reader.names, fixtures=self, fixture=name)
            returned = _returned(function)
            value = analysis.value_of(returned) if returned is not None else None
            flows = analysis.sources(returned) if returned is not None else frozenset()
        finally:
            self._active.discard(name)
        self._results[name] = (value, flows)
        return value, flows

    def _builtin(self, name: str) -> _Value | None:
        """pytest-flask's ``client`` (beside an ``app`` fixture) and pytest-django's ``client``."""
        if name == "client":
            if self.lookup("app") is not None:
                app, _ = self.result("app")
                return _Value(client_app=app.origin if app is not None and app.origin else "?")
            if self.suite.uses_django:
                return _Value(client_app="django")
        return None


# ======================================================================== one function
class _Analysis:
    """What one function body does: values of its names, its calls, data flow, assertions."""

    def __init__(
        self,
        reader: _ModuleReader,
        body: list[ast.stmt],
        *,
        params: dict[str, ast.arg],
        outer: _Names | None,
        fixtures: _Fixtures | None,
        arguments: dict[str, tuple[_Value | None, frozenset[TestCall]]] | None = None,
        fixture: str | None = None,
        helper: str | None = None,
        expand_helpers: bool = True,
        ignored: Iterable[str] = (),
    ) -> None:
        self.reader = reader
        self.suite = reader.suite
        self.body = body
        self.params = params
        self.outer = outer
        self.fixtures = fixtures
        self.arguments = arguments or {}
        self.fixture = fixture
        self.helper = helper
        self.ignored = frozenset(ignored)
        self.values: dict[str, _Value | None] = {}
        self.flows: dict[str, set[TestCall]] = {}
        self.deps: dict[str, set[str]] = {}
        self.calls: list[TestCall] = []
        self.assertions: list[Assertion] = []
        self._param_values: dict[str, _Value | None] = {}
        self._by_node: dict[int, TestCall] = {}
        self._expanded: dict[int, set[TestCall]] = {}
        self._loop_names: dict[int, tuple[frozenset[str], frozenset[TestCall]]] = {}
        self._walked: dict[int, list[ast.AST]] = {}
        self._nodes = list(_walk(body))
        self._bindings = list(_bindings(self._nodes))
        self._bind_values()
        self._collect_calls()
        self._seed_param_flows()
        self._propagate()
        if expand_helpers:
            self._expand_helpers()
            self._propagate()
        self._link_comprehensions()
        self._collect_assertions()

    # ------------------------------------------------------------ values
    def bound(self, key: str) -> tuple[bool, _Value | None]:
        if key in self.values:
            return True, self.values[key]
        head = key.split(".", 1)[0]
        if key == head and (key in self.params or key in self.arguments or key in self.ignored):
            return True, self._param_value(key)
        return self.outer.bound(key) if self.outer is not None else (False, None)

    def _param_value(self, name: str) -> _Value | None:
        if name in self._param_values:
            return self._param_values[name]
        value: _Value | None = None
        if name in self.arguments:
            value = self.arguments[name][0]
        elif name in self.params:
            if self.fixtures is not None:
                value = self.fixtures.result(name)[0]
            annotation = self.params[name].annotation
            if value is None and annotation is not None and isinstance(annotation, (ast.Name, ast.Attribute)):
                written = dotted_name(annotation)
                resolved = self.reader.resolve(written) if written else None
                value = _Value(origin=resolved) if resolved else None
        self._param_values[name] = value
        return value

    def lookup(self, dotted: str) -> _Value | None:
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            found, value = self.bound(".".join(parts[:cut]))
            if not found:
                continue
            rest = parts[cut:]
            if value is None or not rest:
                return value
            if value.origin is None:
                return None
            return _Value(origin=".".join([value.origin, *rest]))
        resolved = self.reader.resolve(dotted)
        return _Value(origin=resolved) if resolved else None

    def value_of(self, node: ast.AST | None, depth: int = 0) -> _Value | None:
        """What an expression holds, as far as names, imports, fixtures and clients tell."""
        if node is None or depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Await):
            return self.value_of(node.value, depth + 1)
        if isinstance(node, ast.Call):
            client = self._client_from(node, depth)
            if client is not None:
                return client
            callee = self.value_of(node.func, depth + 1)
            return _Value(origin=f"{callee.origin}()") if callee is not None and callee.origin else None
        if isinstance(node, ast.Subscript):
            return self.value_of(node.value, depth + 1)
        if isinstance(node, (ast.Name, ast.Attribute)):
            written = dotted_name(node)
            if written is not None:
                return self.lookup(written)
            if isinstance(node, ast.Attribute):
                base = self.value_of(node.value, depth + 1)
                if base is not None and base.origin:
                    return _Value(origin=f"{base.origin}.{node.attr}")
        return None

    def _client_from(self, node: ast.Call, depth: int) -> _Value | None:
        written = dotted_name(node.func) or ""
        callee = self.value_of(node.func, depth + 1)
        resolved = callee.origin if callee is not None and callee.origin else written
        last = resolved.rsplit(".", 1)[-1]
        app_node: ast.expr | None = None
        if resolved in _DJANGO_CLIENTS or last == "APIClient":
            return _Value(client_app="django")
        if last in ("TestClient", "TestApp", "aiohttp_client"):
            app_node = node.args[0] if node.args else _keyword(node, "app")
        elif last == "test_client" and isinstance(node.func, ast.Attribute):
            app_node = node.func.value
        elif last in ("ASGITransport", "WSGITransport"):  # httpx transports carry the app to a client
            app_node = _keyword(node, "app") or (node.args[0] if node.args else None)
        elif resolved in ("httpx.AsyncClient", "httpx.Client"):
            app_node = _keyword(node, "app")
            transport = _keyword(node, "transport")
            if app_node is None and transport is not None:
                return self.value_of(transport, depth + 1)
            if app_node is None:
                return None
        else:
            return None
        app = self.value_of(app_node, depth + 1)
        return _Value(client_app=app.origin if app is not None and app.origin else "?")

    def _bind_values(self) -> None:
        for targets, value, _augmented in self._bindings:
            if _augmented:
                continue
            held = self.value_of(value) if value is not None else None
            for target in targets:
                key = _target_key(target)
                if key is not None:
                    self.values[key] = held

    # ------------------------------------------------------------ calls
    def _collect_calls(self) -> None:
        for node in self._nodes:
            if isinstance(node, ast.Call):
                self._add(self._make_call(node))
                synthetic = self._raises_callable(node)
                if synthetic is not None:
                    self._add(synthetic, register=False)
                    self._expanded.setdefault(id(node), set()).add(synthetic)

    def _add(self, call: TestCall, *, register: bool = True) -> None:
        self.calls.append(call)
        if register:
            self._by_node[id(call.node)] = call

    def _make_call(self, node: ast.Call, func: ast.expr | None = None) -> TestCall:
        func = node.func if func is None else func
        written = dotted_name(func)
        http: HttpRequest | None = None
        if isinstance(func, ast.Attribute) and func.attr in HTTP_METHODS:
            receiver = self.value_of(func.value)
            if receiver is not None and receiver.client_app is not None:
                app = receiver.client_app
                url = node.args[0] if node.args else _keyword(node, "url", "path")
                http = HttpRequest(
                    method=func.attr.split("_")[0],
                    url=url.value if isinstance(url, ast.Constant) and isinstance(url.value, str) else None,
                    app=app,
                    repo=app == "django" or self.suite.is_repo_name(app),
                )
        callee = self.value_of(func) if http is None else None
        if callee is not None and callee.origin:
            name = callee.origin
        else:
            name = written or (func.attr if isinstance(func, ast.Attribute) else "<call>")
        target = name if http is None and callee is not None and self.suite.is_repo_name(name) else None
        return TestCall(
            name=name, written=written, target=target, node=node, http=http, fixture=self.fixture, helper=self.helper
        )

    def _raises_callable(self, node: ast.Call) -> TestCall | None:
        """The callable of ``pytest.raises(E, func, *args)`` / ``self.assertRaises(E, func, ...)``."""
        if len(node.args) < 2 or not self._is_raises(node):
            return None
        return self._make_call(node, func=node.args[1])

    def _is_raises(self, node: ast.expr) -> bool:
        if not isinstance(node, ast.Call):
            return False
        written = dotted_name(node.func) or ""
        if written.split(".")[-1] in _RAISES_METHODS and written.startswith("self."):
            return True
        return (self.reader.resolve(written) or written) == "pytest.raises"

    def _expand_helpers(self) -> None:
        for call in list(self.calls):
            if call.fixture is not None or call.helper is not None or not isinstance(call.node.func, ast.Name):
                continue
            function = self.reader.top_functions.get(call.node.func.id)
            if function is None or function.name.startswith("test") or self.reader.fixture_name(function) is not None:
                continue
            if self.values.get(call.node.func.id) is not None or call.node.func.id in self.params:
                continue
            arguments = self._helper_arguments(function, call.node)
            helper = _Analysis(
                self.reader, function.body, params={}, outer=self.reader.names, fixtures=None,
                arguments=arguments, helper=function.name, expand_helpers=False,
            )
            for inner in helper.calls:
                self.calls.append(inner)
            self._expanded.setdefault(id(call.node), set()).update(helper.calls)
            self.assertions.extend(helper.assertions)

    def _helper_arguments(self, function: FunctionNode, node: ast.Call) -> dict[str, tuple[_Value | None, frozenset[TestCall]]]:
        names = [arg.arg for arg in [*function.args.posonlyargs, *function.args.args]]
        given: dict[str, ast.expr] = dict(zip(names, node.args))
        given.update({keyword.arg: keyword.value for keyword in node.keywords if keyword.arg})
        return {name: (self.value_of(expr), self.sources(expr)) for name, expr in given.items()}

    # ------------------------------------------------------------ data flow
    def _seed_param_flows(self) -> None:
        for name in self.params:
            if self.fixtures is not None and name not in self.ignored:
                _, flows = self.fixtures.result(name)
                if flows:
                    self.flows[name] = set(flows)
                    self.calls.extend(flow for flow in flows if flow not in self.calls)
        for name, (_, flows) in self.arguments.items():
            if flows:
                self.flows[name] = set(flows)

    def _propagate(self) -> None:
        for _ in range(4):
            changed = False
            for targets, value, _augmented in self._bindings:
                if value is None:
                    continue
                found = self.sources(value)
                names = self.inputs(value)
                for target in targets:
                    key = _target_key(target)
                    if key is None:
                        continue
                    current = self.flows.setdefault(key, set())
                    if not found <= current:
                        current.update(found)
                        changed = True
                    known = self.deps.setdefault(key, set())
                    if not names <= known:
                        known.update(names)
                        changed = True
            if not changed:
                return

    def inputs(self, expr: ast.AST | None) -> frozenset[str]:
        """The variables, parameters and module names whose values flow into ``expr`` (names of
        called functions left out)."""
        if expr is None:
            return frozenset()
        nodes = self._walk_of(expr)
        callees = {id(node.func) for node in nodes if isinstance(node, ast.Call)}
        local = {
            target.id for node in nodes if isinstance(node, ast.comprehension)
            for target in _flatten_targets([node.target]) if isinstance(target, ast.Name)
        }
        found: set[str] = set()
        for node in nodes:
            if isinstance(node, ast.Attribute) and id(node) in callees:
                callees.add(id(node.value))
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in callees:
                if id(node) in self._loop_names:
                    found.update(self._loop_names[id(node)][0])
                elif node.id not in local:
                    found.add(node.id)
                    found.update(self.deps.get(node.id, ()))
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and id(node) not in callees:
                key = dotted_name(node)
                if key is not None and key in self.deps:
                    found.update(self.deps[key])
        return frozenset(found)

    @cached_property
    def _loaded_names(self) -> dict[str, int]:
        """How many times each name is read in the body."""
        counts: dict[str, int] = {}
        for node in self._nodes:
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                counts[node.id] = counts.get(node.id, 0) + 1
        return counts

    def _walk_of(self, expr: ast.AST) -> list[ast.AST]:
        """``ast.walk(expr)`` as a list, computed once per expression."""
        found = self._walked.get(id(expr))
        if found is None:
            found = list(ast.walk(expr))
            self._walked[id(expr)] = found
        return found

    def _link_comprehensions(self) -> None:
        """Give the variables of each comprehension what its iterable holds (``for event in raw``)."""
        for node in self._nodes:
            if not isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                continue
            for generator in node.generators:
                bound = {
                    target.id for target in _flatten_targets([generator.target]) if isinstance(target, ast.Name)
                }
                link = (self.inputs(generator.iter), self.sources(generator.iter))
                for child in ast.walk(node):
                    if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load) and child.id in bound:
                        self._loop_names.setdefault(id(child), link)

    def sources(self, expr: ast.AST | None) -> frozenset[TestCall]:
        """The calls whose results flow into ``expr``."""
        if expr is None:
            return frozenset()
        found: set[TestCall] = set()
        nodes = self._walk_of(expr)
        # Names bound by a comprehension inside ``expr`` are its own, not the function's.
        local = {
            target.id for node in nodes if isinstance(node, ast.comprehension)
            for target in _flatten_targets([node.target]) if isinstance(target, ast.Name)
        }
        for node in nodes:
            if isinstance(node, ast.Call):
                call = self._by_node.get(id(node))
                if call is not None:
                    found.add(call)
                found.update(self._expanded.get(id(node), ()))
            elif isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
                if id(node) in self._loop_names:
                    found.update(self._loop_names[id(node)][1])
                    continue
                key = dotted_name(node)
                if key is not None and key in self.flows and key.split(".", 1)[0] not in local:
                    found.update(self.flows[key])
        return frozenset(found)

    # ------------------------------------------------------------ assertions
    def _collect_assertions(self) -> None:
        for node in self._nodes:
            if isinstance(node, ast.Assert):
                for part in _split_and(node.test):
                    self.assertions.append(Assertion(self, "assert", node, part, self._operands(part), helper=self.helper))
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if self._is_raises(item.context_expr):
                        self.assertions.append(self._raises_block(node, item))
            elif isinstance(node, ast.Call):
                self._call_assertion(node)

    def _raises_block(self, node: ast.With | ast.AsyncWith, item: ast.withitem) -> Assertion:
        call = item.context_expr
        assert isinstance(call, ast.Call)
        inside = {id(child) for statement in node.body for child in ast.walk(statement)}
        calls: list[TestCall] = []
        for candidate in self.calls:
            if candidate.fixture is None and candidate.helper == self.helper and id(candidate.node) in inside:
                calls.append(candidate)
                calls.extend(self._expanded.get(id(candidate.node), ()))
        checked = _keyword(call, "match") is not None or (dotted_name(call.func) or "").endswith(("Regex", "Regexp"))
        name = item.optional_vars.id if isinstance(item.optional_vars, ast.Name) else None
        if name is not None and not checked:
            checked = self._loaded_names.get(name, 0) > 0  # the test looks at the caught exception
        return Assertion(
            self, "raises", node, None, (), exceptions=self._exceptions(call), calls=tuple(calls),
            message_checked=checked, helper=self.helper,
        )

    def _call_assertion(self, node: ast.Call) -> None:
        written = dotted_name(node.func) or ""
        last = written.split(".")[-1]
        if self._is_raises(node):
            if len(node.args) >= 2:
                calls = tuple(self._expanded.get(id(node), ()))
                checked = _keyword(node, "match") is not None or last.endswith(("Regex", "Regexp"))
                self.assertions.append(Assertion(self, "raises", node, None, (), exceptions=self._exceptions(node),
                                                 calls=calls, message_checked=checked, helper=self.helper))
            return
        resolved = self.reader.resolve(written) or written
        if written.startswith("self.assert") or (last.startswith("assert") and resolved.startswith(_TESTING_MODULES)):
            count = 1 if last in _UNARY_UNITTEST else 2
            self.assertions.append(Assertion(self, "check", node, None, tuple(node.args[:count]), helper=self.helper))

    def _exceptions(self, call: ast.Call) -> tuple[str, ...]:
        expected = call.args[0] if call.args else _keyword(call, "expected_exception", "exception")
        elements = expected.elts if isinstance(expected, ast.Tuple) else [expected] if expected is not None else []
        names: list[str] = []
        for element in elements:
            value = self.value_of(element)
            written = dotted_name(element)
            names.append(value.origin if value is not None and value.origin else written or "?")
        return tuple(names)

    def _operands(self, test: ast.expr) -> tuple[ast.expr, ...]:
        if isinstance(test, ast.Compare):
            return (test.left, *test.comparators)
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return self._operands(test.operand)
        if isinstance(test, ast.Call) and isinstance(test.func, (ast.Name, ast.Attribute)):
            last = test.func.attr if isinstance(test.func, ast.Attribute) else test.func.id
            if last == "equals" and isinstance(test.func, ast.Attribute) and test.args:
                return (test.func.value, test.args[0])
            if last in _COMPARISON_CALLS and len(test.args) >= 2:
                return (test.args[0], test.args[1])
        return (test,)


# ======================================================================== small helpers
def _walk(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of ``body`` in source order (depth first), not descending into nested
    functions or classes."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _bindings(nodes: Iterable[ast.AST]) -> Iterator[tuple[list[ast.expr], ast.expr | None, bool]]:
    """(targets, value, augmented) for every way a function binds a name (comprehension
    variables are the comprehension's own and left out)."""
    for node in nodes:
        if isinstance(node, ast.Assign):
            yield _flatten_targets(node.targets), node.value, False
        elif isinstance(node, ast.AnnAssign):
            yield [node.target], node.value, False
        elif isinstance(node, ast.AugAssign):
            yield [node.target], node.value, True
        elif isinstance(node, ast.NamedExpr):
            yield [node.target], node.value, False
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            yield _flatten_targets([node.target]), node.iter, False
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    yield _flatten_targets([item.optional_vars]), item.context_expr, False


def _flatten_targets(targets: list[ast.expr]) -> list[ast.expr]:
    flat: list[ast.expr] = []
    for target in targets:
        if isinstance(target, (ast.Tuple, ast.List)):
            flat.extend(_flatten_targets(list(target.elts)))
        elif isinstance(target, ast.Starred):
            flat.extend(_flatten_targets([target.value]))
        else:
            flat.append(target)
    return flat


def _target_key(target: ast.expr) -> str | None:
    """``x`` or ``self.x`` for an assignment target; subscripts bind the container."""
    if isinstance(target, ast.Subscript):
        return _target_key(target.value)
    if isinstance(target, (ast.Name, ast.Attribute)):
        return dotted_name(target)
    return None


def _arguments(function: FunctionNode, *, method: bool) -> list[ast.arg]:
    args = [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]
    if method and args and args[0].arg in ("self", "cls"):
        args = args[1:]
    return args


def _returned(function: FunctionNode) -> ast.expr | None:
    """The value a fixture gives: its first ``return`` or ``yield`` with a value."""
    for node in _walk(function.body):
        if isinstance(node, (ast.Return, ast.Yield)) and node.value is not None:
            return node.value
    return None


def _keyword(call: ast.Call, *names: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword.value
    return None


def _argnames(node: ast.expr | None) -> tuple[str, ...]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return tuple(part.strip() for part in node.value.split(",") if part.strip())
    if isinstance(node, (ast.List, ast.Tuple)):
        return tuple(str(element.value) for element in node.elts if isinstance(element, ast.Constant))
    return ()


def _split_and(test: ast.expr) -> list[ast.expr]:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return [part for value in test.values for part in _split_and(value)]
    return [test]


def _unconditionally_skipped(marks: list[tuple[str, ast.expr]], node: FunctionNode) -> bool:
    for name, decorator in marks:
        if name == "skip":
            return True
        if name == "xfail":
            if not isinstance(decorator, ast.Call) or not decorator.args:
                return True
        if name in ("skipif", "xfail") and isinstance(decorator, ast.Call) and decorator.args:
            condition = decorator.args[0]
            if isinstance(condition, ast.Constant) and condition.value is True:
                return True
    for statement in node.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # the docstring
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            written = dotted_name(statement.value.func) or ""
            return written in ("pytest.skip", "skip", "self.skipTest")
        return False
    return False
