"""The repository's Python modules and who imports whom, shared by detectors.

:func:`import_graph` returns one :class:`ImportGraph` per scan (kept with ``RepoIndex.memo``).
Nodes are repository paths (``src/fraud_scoring/features.py``); each has a dotted module name.

Module names
    A file inside a package (its folder holds ``__init__.py``) is named from the folder above
    its outermost package: ``src/fraud_scoring/features.py`` is ``fraud_scoring.features``,
    ``services/scorer/app/main.py`` is ``app.main`` when ``services/scorer`` is not a package.
    Other files are named from the root with a leading ``src/`` dropped
    (``scripts/train.py`` is ``scripts.train``). Two files may share a name (two services with
    an ``app/main.py``): an import is resolved to the one nearest to the importing file.

Edges (only between repository modules; third-party and standard-library imports are dropped)
    ``import a.b`` gives an edge to ``a.b``. ``from a import b`` gives an edge to ``a.b`` when it
    is a module, else to ``a`` (``b`` is then an attribute, e.g. a function re-exported by the
    package's ``__init__.py``). Relative imports are made absolute with
    :func:`~pytest_mlchecklist.detectors.python_code.imported_modules`. An import of a submodule
    does not count as an edge to its parent package: running ``a/__init__.py`` is a side effect,
    not a use. A bare ``import x`` in a folder that is not a package (a script) first looks for
    ``x.py`` next to it, as Python does for scripts; a dotted name that matches no module exactly
    may match the end of one (``app.main`` for ``services/scorer/app/main.py`` in a namespace
    package). Imports anywhere in a module count (inside functions too).

Laziness
    Nothing is parsed up front: the module map comes from the file list; a module is parsed
    the first time its imports or definitions are asked for. The first "who imports X" reads
    the import statements of every module once (text only) into a word index; after that only
    the modules whose import statements spell X's last name part are parsed (any import of X
    must spell it). Files under vendored or generated folders are not part of the graph. A
    module that does not parse has no imports and no definitions; :meth:`ImportGraph.parses`
    tells. Results are cached on the graph, which is shared by every detector of the scan, so
    treat what it returns as read-only.

API (all by repository path)
    ``paths``, ``name(path)``, ``is_test(path)``, ``module(path)`` (a
    :class:`~pytest_mlchecklist.detectors.python_code.PythonModule`), ``parses(path)``;
    ``find(dotted, near=)`` and ``owner(dotted, near=)`` map names to modules;
    ``imports(path)``, ``importers(path)`` (direct), ``reachable(source)`` (forward, transitive),
    ``chain(source, target)`` and ``reaching(target)`` (backward, transitive: costly in a large
    repository) walk the edges; ``definitions(path)`` lists top-level functions, classes and methods.
"""

from __future__ import annotations

import ast
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from pytest_mlchecklist.detectors.python_code import PythonModule, imported_modules, is_test_path, module_name
from pytest_mlchecklist.repo import RepoIndex

__all__ = ["ImportGraph", "ModuleDefinitions", "import_graph"]


def import_graph(index: RepoIndex) -> ImportGraph:
    """The import graph of ``index``'s repository, built once per scan and shared."""
    return index.memo(("import-graph",), lambda: ImportGraph(index))


@dataclass(frozen=True)
class ModuleDefinitions:
    """What a module defines at its top level, by line: functions, classes, and each class's methods."""

    functions: dict[str, int]
    classes: dict[str, int]
    methods: dict[str, dict[str, int]]


_EMPTY = ModuleDefinitions({}, {}, {})
#: An import statement's text: ``import a.b``, ``from .x import (y,\n z)``, backslash continuations.
_IMPORT_STATEMENT = re.compile(
    r"(?:^|[;:])[ \t]*(?:from[ \t]+[.\w]+[ \t]+)?import[ \t]+(?:\([^)]*\)|[^\n]*(?:\\\n[^\n]*)*)", re.MULTILINE
)
_WORD = re.compile(r"[A-Za-z_]\w*")


class ImportGraph:
    """Repository modules by path, their names, their repository imports and their definitions."""

    def __init__(self, index: RepoIndex) -> None:
        self.index = index
        files = [path for path in index.with_suffix(".py") if path.endswith(".py") and not index.is_non_evidence(path)]
        self._package_dirs = frozenset(_parent(path) for path in files if path.endswith("/__init__.py"))
        self.paths: tuple[str, ...] = tuple(files)
        self._names: dict[str, str] = {path: self._module_name(path) for path in files}
        self._by_name: dict[str, list[str]] = {}
        self._by_last: dict[str, list[str]] = {}
        for path, name in self._names.items():
            if name not in self._by_name:
                self._by_last.setdefault(name.rsplit(".", 1)[-1], []).append(name)
            self._by_name.setdefault(name, []).append(path)
        self._modules: dict[str, PythonModule] = {}
        self._imports: dict[str, dict[str, int]] = {}
        self._importers: dict[str, tuple[str, ...]] = {}
        self._definitions: dict[str, ModuleDefinitions] = {}
        self._words: dict[str, list[str]] | None = None
        self._reaching: dict[str, dict[str, tuple[str, ...]]] = {}
        self._reachable: dict[str, dict[str, tuple[str, ...]]] = {}

    # ------------------------------------------------------------------ the module map
    def __contains__(self, path: object) -> bool:
        return path in self._names

    def name(self, path: str) -> str:
        """The dotted module name of ``path`` (see the module docstring)."""
        return self._names.get(path) or module_name(path)

    def is_test(self, path: str) -> bool:
        """True for test modules (``test_*.py``, ``*_test.py``, ``conftest.py``, files under tests/)."""
        return is_test_path(path)

    def module(self, path: str) -> PythonModule | None:
        """The module at ``path`` with its text, tree and name resolution; ``None`` if unreadable."""
        if path in self._modules:
            return self._modules[path]
        text = self.index.read_text(path)
        if text is None:
            return None
        module = PythonModule(path, self.name(path), text, is_test_path(path), self.index)
        self._modules[path] = module
        return module

    def parses(self, path: str) -> bool:
        """True when ``path`` reads and is valid Python."""
        return self.index.python_ast(path) is not None

    def find(self, dotted: str, *, near: str | None = None) -> str | None:
        """The path of the repository module called ``dotted``, as seen from the file ``near``.

        For a bare name imported by a script, a sibling file first; then exact names (the
        nearest file when several share it; ``src.pkg.mod`` also finds ``src/pkg/mod.py`` named
        ``pkg.mod``), then a module whose name ends with ``dotted``.
        """
        dotted = dotted.strip(".")
        if not dotted:
            return None
        if near is not None and "." not in dotted and _parent(near) not in self._package_dirs:
            folder = _parent(near)
            for candidate in (f"{folder}/{dotted}.py", f"{folder}/{dotted}/__init__.py"):
                candidate = candidate.lstrip("/")
                if candidate in self._names:
                    return candidate
        exact = self._by_name.get(dotted) or (self._by_name.get(dotted[4:]) if dotted.startswith("src.") else None)
        if exact:
            return _nearest(exact, near)
        if "." in dotted:
            suffix = "." + dotted
            names = self._by_last.get(dotted.rsplit(".", 1)[-1], [])
            matches = [path for name in names if name.endswith(suffix) for path in self._by_name[name]]
            if matches:
                return _nearest(matches, near)
        return None

    def owner(self, dotted: str, *, near: str | None = None) -> tuple[str, str] | None:
        """The module a fully qualified name lives in and the rest of the name.

        ``fraud_scoring.features.log_amount`` gives (``src/fraud_scoring/features.py``,
        ``log_amount``); a module name itself gives an empty rest.
        """
        parts = dotted.strip(".").split(".")
        for cut in range(len(parts), 0, -1):
            path = self.find(".".join(parts[:cut]), near=near)
            if path is not None:
                return path, ".".join(parts[cut:])
        return None

    # ------------------------------------------------------------------ edges
    def imports(self, path: str) -> dict[str, int]:
        """The repository modules ``path`` imports directly, with the line of the first import."""
        if path in self._imports:
            return self._imports[path]
        found: dict[str, int] = {}
        tree = self.index.python_ast(path) if path in self._names else None
        if tree is not None:
            anchor = self.name(path) + ".__init__" if path.endswith("__init__.py") else self.name(path)
            for node in _import_statements(tree.body):
                for target in self._targets(node, path, anchor):
                    if target != path:
                        found.setdefault(target, node.lineno)
        self._imports[path] = found
        return found

    def _targets(self, node: ast.Import | ast.ImportFrom, path: str, anchor: str) -> list[str]:
        if isinstance(node, ast.Import):
            names = imported_modules(ast.Module(body=[node], type_ignores=[]), current_module=anchor)
            return [target for name in sorted(names) if (target := self.find(name, near=path)) is not None]
        star = ast.ImportFrom(module=node.module, names=[ast.alias(name="*")], level=node.level)
        base = next(iter(imported_modules(ast.Module(body=[star], type_ignores=[]), current_module=anchor)), "")
        targets: list[str] = []
        needs_base = False
        for alias in node.names:
            if alias.name == "*":
                needs_base = True
                continue
            target = self.find(f"{base}.{alias.name}" if base else alias.name, near=path)
            if target is not None:
                targets.append(target)
            else:
                needs_base = True
        if needs_base and base:
            target = self.find(base, near=path)
            if target is not None:
                targets.append(target)
        return targets

    def importers(self, path: str) -> tuple[str, ...]:
        """The modules that import ``path`` directly (test modules included)."""
        if path in self._importers:
            return self._importers[path]
        word = self.name(path).rsplit(".", 1)[-1]
        found = [other for other in self._word_index().get(word, ()) if other != path and path in self.imports(other)]
        self._importers[path] = tuple(found)
        return self._importers[path]

    def _word_index(self) -> dict[str, list[str]]:
        """For each name spelled in an import statement, the modules spelling it (read once)."""
        if self._words is None:
            self._words = {}
            for other in self.paths:
                text = self.index.read_text(other)
                if text is None or "import" not in text:
                    continue
                words: set[str] = set()
                for statement in _IMPORT_STATEMENT.finditer(text):
                    words.update(_WORD.findall(statement.group(0)))
                for word in words:
                    self._words.setdefault(word, []).append(other)
        return self._words

    def reaching(self, target: str) -> dict[str, tuple[str, ...]]:
        """Every module that imports ``target`` directly or through other repository modules.

        Each maps to its shortest import chain, from itself to ``target`` (both included). This
        walks every importer of every importer: in a large repository prefer :meth:`reachable`
        from the few modules you care about.
        """
        if target in self._reaching:
            return dict(self._reaching[target])
        chains: dict[str, tuple[str, ...]] = {}
        queue: deque[tuple[str, tuple[str, ...]]] = deque([(target, (target,))])
        while queue:
            current, chain = queue.popleft()
            for importer in self.importers(current):
                if importer == target or importer in chains:
                    continue
                chains[importer] = (importer, *chain)
                queue.append((importer, chains[importer]))
        self._reaching[target] = chains
        return dict(chains)

    def reachable(self, source: str) -> dict[str, tuple[str, ...]]:
        """Every repository module ``source`` imports, directly or through others.

        Each maps to its shortest import chain, from ``source`` to it (both included).
        """
        if source in self._reachable:
            return dict(self._reachable[source])
        chains: dict[str, tuple[str, ...]] = {}
        queue: deque[tuple[str, ...]] = deque([(source,)])
        while queue:
            chain = queue.popleft()
            for imported in self.imports(chain[-1]):
                if imported == source or imported in chains:
                    continue
                chains[imported] = (*chain, imported)
                queue.append(chains[imported])
        self._reachable[source] = chains
        return dict(chains)

    def chain(self, source: str, target: str) -> tuple[str, ...] | None:
        """The shortest import chain from ``source`` to ``target`` (both included), or ``None``."""
        if source == target:
            return (source,)
        if source in self._reachable:
            return self._reachable[source].get(target)
        seen = {source}
        queue: deque[tuple[str, ...]] = deque([(source,)])
        while queue:
            chain = queue.popleft()
            for imported in self.imports(chain[-1]):
                if imported in seen:
                    continue
                if imported == target:
                    return (*chain, imported)
                seen.add(imported)
                queue.append((*chain, imported))
        return None

    # ------------------------------------------------------------------ definitions
    def definitions(self, path: str) -> ModuleDefinitions:
        """Top-level functions and classes of ``path`` and the methods of each class, by line."""
        if path in self._definitions:
            return self._definitions[path]
        tree = self.index.python_ast(path) if path in self._names else None
        if tree is None:
            self._definitions[path] = _EMPTY
            return _EMPTY
        functions: dict[str, int] = {}
        classes: dict[str, int] = {}
        methods: dict[str, dict[str, int]] = {}
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.setdefault(node.name, node.lineno)
            elif isinstance(node, ast.ClassDef) and node.name not in classes:
                classes[node.name] = node.lineno
                methods[node.name] = {
                    child.name: child.lineno
                    for child in node.body
                    if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
                }
        self._definitions[path] = ModuleDefinitions(functions, classes, methods)
        return self._definitions[path]

    # ------------------------------------------------------------------ naming
    def _module_name(self, path: str) -> str:
        folder = _parent(path)
        if folder not in self._package_dirs:
            return module_name(path)
        top = folder
        while "/" in top and _parent(top) in self._package_dirs:
            top = _parent(top)
        root = _parent(top) if "/" in top else ""
        relative = path[len(root) + 1 :] if root else path
        parts = relative[:-3].split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        return ".".join(parts)


def _import_statements(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements of a block and of every block nested in it (functions, classes,
    ``if``/``try``/``with``/loops/``match``), without walking expressions."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list):
                yield from _import_statements(block)
        for handler in getattr(node, "handlers", None) or []:
            yield from _import_statements(handler.body)
        for case in getattr(node, "cases", None) or []:
            yield from _import_statements(case.body)


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _nearest(paths: list[str], near: str | None) -> str:
    """The path sharing the longest folder prefix with ``near`` (the first on a tie)."""
    if near is None or len(paths) == 1:
        return paths[0]
    near_parts = near.split("/")[:-1]

    def shared(path: str) -> int:
        """How many leading folders ``path`` has in common with ``near``."""
        count = 0
        for mine, theirs in zip(path.split("/")[:-1], near_parts):
            if mine != theirs:
                break
            count += 1
        return count

    return max(paths, key=shared)
