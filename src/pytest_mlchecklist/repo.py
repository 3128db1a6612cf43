"""The repository index: which files exist, read once, git-aware and bounded.

One walk of the repository is shared by every detector. The walk

* honours ``.gitignore`` files at every level (with :mod:`pathspec`, so it works the same
  inside and outside a git checkout), the configured ``include``/``exclude`` globs and a
  fixed list of tool folders (``.git``, virtual environments, caches);
* never follows a directory symlink (so a symlink loop cannot trap it), and indexes a file
  symlink only when its target stays inside the root;
* stops at ``max_files`` and says so.

Reading is lazy and cached: each file is read at most once, binary files (a NUL byte) and
files that are not UTF-8 are reported and skipped, and no more than ``max_file_bytes`` of a
file is ever read. Parse results (YAML, JSON, TOML, Python AST, Markdown) are cached too, and
a file that does not parse is recorded as a problem that names it, never an exception.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pathspec import GitIgnoreSpec

from pytest_mlchecklist.markdown import MarkdownDocument, MarkdownTable, parse_markdown, parse_tables

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

#: Folders that are never part of a repository's own evidence.
ALWAYS_SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".eggs",
        "site-packages",
        ".ipynb_checkpoints",
    }
)

#: Path parts that mark vendored, third-party or generated code: indexed, but not evidence.
NON_EVIDENCE_DIR_NAMES = frozenset(
    {"vendor", "_vendor", "vendored", "third_party", "third-party", "thirdparty", "external", "generated", "_generated", "dist", "build"}
)

T = TypeVar("T")

DEFAULT_MAX_FILES = 250_000
DEFAULT_MAX_FILE_BYTES = 1024 * 1024
_BINARY_SNIFF_BYTES = 8192
#: A Helm/Go template expression; GitHub Actions expressions (``${{ ... }}``) are valid YAML and kept.
_HELM_EXPRESSION = re.compile(r"(?<!\$)\{\{-?.*?-?\}\}", re.DOTALL)
#: The line that marks a starter document written by ``ml-checklist init --templates`` that
#: nobody has filled in yet: a Markdown or YAML comment, or a JSON ``"description"`` string.
TEMPLATE_MARKER = "ml-checklist: template"
_TEMPLATE_LINE = re.compile(r'^\s*(?:<!--|#|"description"\s*:\s*")\s*ml-checklist: template\b', re.MULTILINE)
#: ``item 29 (rollback)`` in a marker line: the items a template is for.
_TEMPLATE_ITEM = re.compile(r"\bitems? \d+ \(([a-z][a-z0-9-]*)\)")
#: Only documents and configuration files can be templates (never code).
_TEMPLATE_SUFFIXES = (".md", ".markdown", ".yaml", ".yml", ".json", ".txt", ".rst")


@dataclass(frozen=True)
class IndexProblem:
    """A file the index could not use, and what the user can do about it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class RepoIndex:
    """The files of one repository, with cached, bounded reading and parsing."""

    def __init__(
        self,
        root: Path,
        *,
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
        max_files: int = DEFAULT_MAX_FILES,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    ) -> None:
        self.root = root.resolve()
        self.max_file_bytes = max_file_bytes
        self.max_files = max_files
        self.problems: list[IndexProblem] = []
        self.truncated = False
        self._include = GitIgnoreSpec.from_lines(include) if include else None
        self._exclude = GitIgnoreSpec.from_lines(exclude) if exclude else None
        self._texts: dict[str, str | None] = {}
        self._parsed: dict[tuple[str, str], Any] = {}
        self._problem_by_path: dict[str, str] = {}
        self._templates: set[str] = set()
        self._template_items: dict[str, frozenset[str]] = {}
        self._glob_specs: dict[tuple[str, ...], GitIgnoreSpec] = {}
        self._memo: dict[tuple[str, ...], Any] = {}
        self._by_suffix: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.files: tuple[str, ...] = tuple(sorted(self._walk()))
        self._file_set = frozenset(self.files)

    # ------------------------------------------------------------------ walking
    def _walk(self) -> list[str]:
        found: list[str] = []
        # Each stack entry: absolute dir, its path relative to the root ("" for the root),
        # and the .gitignore specs in force there as (base prefix, spec), outermost first.
        stack: list[tuple[str, str, tuple[tuple[str, GitIgnoreSpec], ...]]] = [
            (str(self.root), "", ())
        ]
        while stack:
            directory, rel_dir, ignores = stack.pop()
            ignores = ignores + self._gitignore_in(directory, rel_dir)
            try:
                entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
            except OSError as exc:
                self._problem(rel_dir or ".", f"folder could not be listed ({exc.strerror}); check its permissions")
                continue
            subdirs: list[tuple[str, str, tuple[tuple[str, GitIgnoreSpec], ...]]] = []
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                try:
                    is_link = entry.is_symlink()
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError as exc:
                    self._problem(rel, f"could not be inspected ({exc.strerror})")
                    continue
                if is_dir:
                    if entry.name in ALWAYS_SKIPPED_DIRS or self._ignored(rel + "/", ignores):
                        continue
                    if self._exclude is not None and self._exclude.match_file(rel + "/"):
                        continue
                    subdirs.append((entry.path, rel, ignores))
                    continue
                if is_link and not self._link_stays_inside(entry.path, rel):
                    continue
                if not is_link and not entry.is_file(follow_symlinks=False):
                    continue  # sockets, fifos, devices
                if self._ignored(rel, ignores) or not self._selected(rel):
                    continue
                if len(found) >= self.max_files:
                    self.truncated = True
                    self._problem(
                        ".",
                        f"the repository has more than {self.max_files} files; only the first "
                        f"{self.max_files} were indexed. Narrow it with `include`/`exclude` or raise "
                        "`max_files` in the configuration",
                    )
                    return found
                found.append(rel)
            stack.extend(reversed(subdirs))
        return found

    def _gitignore_in(self, directory: str, rel_dir: str) -> tuple[tuple[str, GitIgnoreSpec], ...]:
        path = os.path.join(directory, ".gitignore")
        if not os.path.isfile(path):
            return ()
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                spec = GitIgnoreSpec.from_lines(handle.read().splitlines())
        except (OSError, ValueError) as exc:
            self._problem(f"{rel_dir}/.gitignore" if rel_dir else ".gitignore", f"ignored: could not be read ({exc})")
            return ()
        return ((rel_dir, spec),)

    @staticmethod
    def _ignored(rel: str, ignores: tuple[tuple[str, GitIgnoreSpec], ...]) -> bool:
        # The deepest .gitignore that has an opinion wins, as in git.
        for base, spec in reversed(ignores):
            relative = rel[len(base) + 1 :] if base else rel
            result = spec.check_file(relative)
            if result.include is not None:
                return bool(result.include)
        return False

    def _selected(self, rel: str) -> bool:
        if self._exclude is not None and self._exclude.match_file(rel):
            return False
        return self._include is None or self._include.match_file(rel)

    def _link_stays_inside(self, absolute: str, rel: str) -> bool:
        try:
            target = Path(absolute).resolve(strict=True)
        except (OSError, RuntimeError):
            self._problem(rel, "broken or looping symlink; skipped")
            return False
        if not target.is_relative_to(self.root):
            self._problem(rel, "symlink points outside the repository; not followed")
            return False
        return target.is_file()

    def _problem(self, path: str, message: str) -> None:
        self.problems.append(IndexProblem(path, message))
        self._problem_by_path.setdefault(path, message)

    # ------------------------------------------------------------------ selecting
    def __contains__(self, path: object) -> bool:
        return path in self._file_set

    def glob(self, *patterns: str) -> list[str]:
        """Indexed files matching any of the gitignore-style ``patterns`` (``**/*.yaml``)."""
        spec = self._glob_specs.get(patterns)
        if spec is None:
            spec = GitIgnoreSpec.from_lines(patterns)
            self._glob_specs[patterns] = spec
        return [path for path in self.files if spec.match_file(path)]

    def with_suffix(self, *suffixes: str) -> list[str]:
        """Indexed files whose name ends with one of ``suffixes`` (case-insensitive).

        The answer is computed once per set of suffixes; callers get their own list.
        """
        lowered = tuple(suffix.lower() for suffix in suffixes)
        found = self._by_suffix.get(lowered)
        if found is None:
            found = tuple(path for path in self.files if path.lower().endswith(lowered))
            self._by_suffix[lowered] = found
        return list(found)

    @staticmethod
    @lru_cache(maxsize=None)
    def is_non_evidence(path: str) -> bool:
        """True for files under vendored, third-party or generated folders."""
        return any(part.lower() in NON_EVIDENCE_DIR_NAMES for part in path.split("/")[:-1])

    def problem(self, path: str) -> str | None:
        """Why ``path`` could not be read or parsed, if it could not."""
        return self._problem_by_path.get(path)

    def memo(self, key: tuple[str, ...], compute: Callable[[], T]) -> T:
        """Compute a fact derived from the index once and share it between detectors.

        ``key`` names the fact (for example ``("python-routes", "health-check")``); ``compute`` is
        called the first time only. Start the key with the name of the module that computes the
        fact: two modules that compute different things under one key would read each other's.
        """
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ reading
    def read_text(self, path: str) -> str | None:
        """The text of an indexed file, or ``None`` (binary, not UTF-8, too large, unreadable).

        The reason for a ``None`` is recorded and available from :meth:`problem`.
        """
        if path in self._texts:
            return self._texts[path]
        text = self._read(path)
        marker = _TEMPLATE_LINE.search(text) if text is not None and path.lower().endswith(_TEMPLATE_SUFFIXES) else None
        if text is not None and marker is not None:
            # An unfilled starter document is not evidence: no parser or detector sees it.
            self._templates.add(path)
            end = text.find("\n", marker.start())
            line = text[marker.start():] if end == -1 else text[marker.start():end]
            self._template_items[path] = frozenset(_TEMPLATE_ITEM.findall(line))
            self._problem(path, f"is an unfilled template: fill it in and delete the `{TEMPLATE_MARKER}` line")
            text = None
        self._texts[path] = text
        return text

    def is_template(self, path: str) -> bool:
        """True when ``path`` was read and found to be an unfilled ``ml-checklist init`` template."""
        return path in self._templates

    def template_items(self, path: str) -> frozenset[str]:
        """The item slugs a template's marker line says it is for (``item 29 (rollback)``);
        empty when it names none (then it concerns any item that reads it)."""
        return self._template_items.get(path, frozenset())

    def _read(self, path: str) -> str | None:
        absolute = self.root / path
        try:
            size = absolute.stat().st_size
            with open(absolute, "rb") as handle:
                data = handle.read(self.max_file_bytes + 1)
        except OSError as exc:
            self._problem(path, f"could not be read ({exc.strerror}); check its permissions")
            return None
        if len(data) > self.max_file_bytes:
            self._problem(
                path,
                f"is {size // 1024} KiB, over the {self.max_file_bytes // 1024} KiB read limit; not read "
                "(raise `max_file_size_kb` in the configuration if it holds evidence)",
            )
            return None
        if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
            self._problem(path, "is a binary file; not read")
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self._problem(path, "is not UTF-8 text; not read (save it as UTF-8 if it holds evidence)")
            return None

    def _cached_parse(self, path: str, kind: str, parser: Any) -> Any:
        key = (path, kind)
        if key in self._parsed:
            return self._parsed[key]
        text = self.read_text(path)
        value = None
        if text is not None:
            try:
                value = parser(text)
            except Exception as exc:  # noqa: BLE001 - every parser error becomes a named problem
                self._problem(path, f"could not be parsed as {kind}: {_one_line(exc)}")
                value = None
        self._parsed[key] = value
        return value

    def yaml_documents(self, path: str) -> list[Any] | None:
        """All YAML documents of a file (``None`` if it does not parse).

        Helm templates (``{{ ... }}``) are read with each template expression replaced by a
        placeholder string, so that their structure can still be inspected.
        """

        def parse(text: str) -> list[Any]:
            if _HELM_EXPRESSION.search(text):
                text = _HELM_EXPRESSION.sub("HELM_TEMPLATE_VALUE", text)
                text = "\n".join(line for line in text.splitlines() if line.strip() != "HELM_TEMPLATE_VALUE")
            return [document for document in yaml.safe_load_all(text) if document is not None]

        return self._cached_parse(path, "YAML", parse)

    def json_data(self, path: str) -> Any:
        """Parsed JSON (``None`` if it does not parse)."""
        return self._cached_parse(path, "JSON", json.loads)

    def toml_data(self, path: str) -> dict[str, Any] | None:
        """Parsed TOML (``None`` if it does not parse)."""
        return self._cached_parse(path, "TOML", tomllib.loads)

    def structured(self, path: str) -> list[Any] | None:
        """The documents of a YAML, JSON or TOML file by its suffix, as a list."""
        lowered = path.lower()
        if lowered.endswith(".json"):
            data = self.json_data(path)
            return None if data is None else [data]
        if lowered.endswith(".toml"):
            data = self.toml_data(path)
            return None if data is None else [data]
        return self.yaml_documents(path)

    def python_ast(self, path: str) -> ast.Module | None:
        """The parsed module (never imported or run), or ``None`` on a syntax error."""
        return self._cached_parse(path, "Python", lambda text: ast.parse(text, filename=path))

    def markdown_tables(self, path: str) -> list[MarkdownTable]:
        """The tables of a Markdown file (empty when it does not read or parse), parsed once."""
        return self._cached_parse(path, "Markdown tables", parse_tables) or []

    def markdown(self, path: str) -> MarkdownDocument | None:
        """Headings, sections, list items and dates of a Markdown file."""
        return self._cached_parse(path, "Markdown", parse_markdown)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 160 else text[:157] + "..."
