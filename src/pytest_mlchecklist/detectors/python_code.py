"""Helpers for reading Python source with :mod:`ast`: names, calls, imports and test files.

The scanned repository's code is only ever parsed, never imported or run. These helpers turn a
parsed module into the facts detectors need: which modules it imports (and under which local
names), which functions it calls (with aliases resolved, so ``np.random.seed`` is reported as
``numpy.random.seed``), and whether a path is a test module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from pytest_mlchecklist.repo import RepoIndex

if TYPE_CHECKING:
    from pytest_mlchecklist.detectors.base import DetectorContext

_TEST_DIR_NAMES = frozenset({"tests", "test", "testing"})


@lru_cache(maxsize=None)
def is_test_path(path: str) -> bool:
    """True for pytest-style test modules and anything under a ``tests``/``test`` folder."""
    parts = path.split("/")
    name = parts[-1]
    if name.startswith("test_") and name.endswith(".py"):
        return True
    if name.endswith("_test.py") or name == "conftest.py":
        return True
    return any(part in _TEST_DIR_NAMES for part in parts[:-1])


def module_name(path: str) -> str:
    """The dotted module name of a repository path, dropping a leading ``src/`` folder.

    ``src/fraud_scoring/features.py`` becomes ``fraud_scoring.features``; a package's
    ``__init__.py`` becomes the package name.
    """
    parts = path[:-3].split("/") if path.endswith(".py") else path.split("/")
    if parts and parts[0] == "src":
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def dotted_name(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attribute accesses on a name, else ``None``."""
    names: list[str] = []
    current = node
    while isinstance(current, ast.Attribute):
        names.append(current.attr)
        current = current.value
    if isinstance(current, ast.Name):
        names.append(current.id)
        return ".".join(reversed(names))
    return None


def import_aliases(tree: ast.Module) -> dict[str, str]:
    """Local names bound by imports, mapped to what they stand for.

    ``import numpy as np`` gives ``{"np": "numpy"}``; ``from torch import manual_seed`` gives
    ``{"manual_seed": "torch.manual_seed"}``. Relative imports keep their leading dots.
    """
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            for alias in node.names:
                if alias.name == "*":
                    continue
                full = f"{base}.{alias.name}" if base and not base.endswith(".") else f"{base}{alias.name}"
                aliases[alias.asname or alias.name] = full
    return aliases


def imported_modules(tree: ast.Module, *, current_module: str = "") -> set[str]:
    """Every module a file imports, with relative imports made absolute when possible.

    ``from .features import build`` inside ``fraud_scoring.serve`` yields ``fraud_scoring.features``
    and ``fraud_scoring.features.build`` (the name may be a submodule or an attribute).
    """
    modules: set[str] = set()
    package = current_module.rsplit(".", 1)[0] if "." in current_module else ""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor_parts = package.split(".") if package else []
                if node.level > 1:
                    anchor_parts = anchor_parts[: len(anchor_parts) - (node.level - 1)]
                base = ".".join([*anchor_parts, base] if base else anchor_parts)
            if base:
                modules.add(base)
            for alias in node.names:
                if alias.name != "*":
                    modules.add(f"{base}.{alias.name}" if base else alias.name)
    return modules


@dataclass(frozen=True)
class CallSite:
    """A call found in a module: the resolved dotted name of what is called, and the node."""

    name: str
    node: ast.Call

    @property
    def line(self) -> int:
        """The line of the call."""
        return self.node.lineno


def iter_calls(tree: ast.Module, aliases: dict[str, str] | None = None) -> Iterator[CallSite]:
    """Every call to a named function in ``tree``, with import aliases resolved.

    Calls on expressions that are not plain dotted names (``f()()``, ``x[0].y()``) are skipped.
    """
    resolved_aliases = import_aliases(tree) if aliases is None else aliases
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = dotted_name(node.func)
            if name is None:
                continue
            yield CallSite(name=resolve_alias(name, resolved_aliases), node=node)


def resolve_alias(name: str, aliases: dict[str, str]) -> str:
    """Replace the first part of a dotted name by what its import stands for."""
    head, _, rest = name.partition(".")
    if head in aliases:
        target = aliases[head]
        return f"{target}.{rest}" if rest else target
    return name


def constant_value(node: ast.AST | None) -> object:
    """The literal value of a constant node (numbers, strings, ``None``), else ``...``."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
    return ...


@dataclass
class PythonModule:
    """A Python file of the repository, parsed on first use (never imported), with what is
    needed to resolve the names it uses."""

    path: str
    name: str
    text: str
    is_test: bool
    index: RepoIndex = field(repr=False)

    @property
    def parses(self) -> bool:
        """False when the file is not valid Python (the index records why)."""
        return self.index.python_ast(self.path) is not None

    @cached_property
    def tree(self) -> ast.Module:
        """The parsed module, empty when it does not parse."""
        return self.index.python_ast(self.path) or ast.Module(body=[], type_ignores=[])

    @cached_property
    def aliases(self) -> dict[str, str]:
        """Local names bound by imports (see :func:`import_aliases`)."""
        return import_aliases(self.tree)

    @cached_property
    def local_names(self) -> frozenset[str]:
        """Names the module binds itself."""
        return frozenset(bound_names(self.tree))

    def mentions(self, *words: str) -> bool:
        """True when the source text contains one of ``words`` (used to choose what to parse)."""
        return any(word in self.text for word in words)

    def resolve(self, dotted: str) -> str | None:
        """The fully qualified name ``dotted`` stands for in this module, if it is known.

        Names bound in the module become ``<module>.<name>``; imported names go through the
        import aliases (relative imports made absolute). Anything else (builtins, parameters
        of unknown origin) gives ``None``.
        """
        head = dotted.split(".", 1)[0]
        if head in self.local_names:
            return f"{self.name}.{dotted}"
        if head in self.aliases:
            return self._absolute(resolve_alias(dotted, self.aliases))
        return None

    def _absolute(self, name: str) -> str:
        if not name.startswith("."):
            return name
        level = len(name) - len(name.lstrip("."))
        package = self.name.split(".") if self.path.endswith("__init__.py") else self.name.split(".")[:-1]
        anchor = package[: len(package) - (level - 1)] if level > 1 else package
        rest = name[level:]
        return ".".join([*anchor, rest] if rest else anchor)


def mentioning(modules: Iterable[PythonModule], *words: str) -> list[PythonModule]:
    """The modules whose text contains one of ``words`` and that parse."""
    return [module for module in modules if words and module.mentions(*words) and module.parses]


def bound_names(tree: ast.Module) -> Iterator[str]:
    """Names a module binds itself: classes, functions and assignment targets."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    yield target.id
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            yield node.target.id


def repository_modules(ctx: DetectorContext, item: str, *, tests: bool | None = False) -> list[PythonModule]:
    """The readable Python modules that are candidates for ``item`` (vendored and generated
    folders left out, declared paths added), computed once per scan and shared by detectors.

    ``tests=False`` gives the non-test modules, ``True`` the test modules, ``None`` both (each
    flagged by ``is_test``). A declared path counts as non-test code: the team pointed at it.
    """
    declared = ctx.declared(item)

    def compute() -> list[PythonModule]:
        modules: list[PythonModule] = []
        for path in ctx.candidates(item, ctx.index.with_suffix(".py")):
            if not path.endswith(".py"):
                continue
            is_test = is_test_path(path) and path not in declared
            if tests is not None and is_test != tests:
                continue
            text = ctx.index.read_text(path)
            if text is not None:
                modules.append(PythonModule(path, module_name(path), text, is_test, ctx.index))
        return modules

    return ctx.index.memo(("python-code", "modules", item, str(tests), *declared), compute)
