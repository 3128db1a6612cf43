"""Checking the evidence a team declares in its configuration (``evidence: {item: [paths]}``).

Declared paths are pointers, not proof. Where an item has a detector, the detector reads the
declared files like any other candidate and decides; this module only reports pointers that
lead nowhere. Where an item has no detector yet, a declared file counts when it exists, is
readable, parses for its format, and holds real content (not empty, not a placeholder).
"""

from __future__ import annotations

import ast

from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.markdown import is_substantive
from pytest_mlchecklist.repo import RepoIndex

DETECTOR_NAME = "declared-evidence"


def check_declared(index: RepoIndex, item: str, paths: tuple[str, ...], *, verified_by_detector: bool) -> list[Evidence]:
    """Evidence (or problems) for the paths declared for ``item``."""
    results: list[Evidence] = []
    for path in paths:
        clean = path.strip().removeprefix("./")
        if clean not in index:
            results.append(_missing(index, item, clean))
        elif not verified_by_detector:
            results.append(_content_evidence(index, item, clean))
    return results


def _evidence(item: str, path: str, detail: str, verdict: str, line: int | None = None) -> Evidence:
    return Evidence(item=item, kind="declared", detector=DETECTOR_NAME, detail=detail, verdict=verdict,  # type: ignore[arg-type]
                    path=path, line=line)


def _missing(index: RepoIndex, item: str, path: str) -> Evidence:
    if (index.root / path).is_dir():
        return _evidence(item, path, "declared evidence is a folder; name the files inside it", "partial")
    if (index.root / path).exists():
        return _evidence(item, path, "declared evidence is not part of the indexed repository "
                         "(ignored by .gitignore, excluded, or outside the root)", "partial")
    return _evidence(item, path, "declared evidence does not exist; fix the path under `evidence:`", "partial")


def _content_evidence(index: RepoIndex, item: str, path: str) -> Evidence:
    text = index.read_text(path)
    if text is None:
        return _evidence(item, path, f"declared evidence could not be read: {index.problem(path)}", "unreadable")
    lowered = path.lower()
    if lowered.endswith((".md", ".markdown", ".rst", ".txt")):
        return _document_evidence(index, item, path, text)
    if lowered.endswith((".yaml", ".yml", ".json", ".toml")):
        documents = index.structured(path)
        if documents is None:
            return _evidence(item, path, f"declared evidence could not be parsed: {index.problem(path)}", "unreadable")
        if not any(documents):
            return _evidence(item, path, "declared evidence holds no settings (empty document)", "partial")
        return _evidence(item, path, f"declared in the configuration: {_describe_structure(documents)}; "
                         "no detector verifies its content for this item yet", "supports")
    if lowered.endswith(".py"):
        tree = index.python_ast(path)
        if tree is None:
            return _evidence(item, path, f"declared evidence could not be parsed: {index.problem(path)}", "unreadable")
        definitions = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        if not definitions:
            return _evidence(item, path, "declared Python module defines no function or class", "partial")
        return _evidence(item, path, f"declared in the configuration: Python module with {len(definitions)} "
                         "top-level definitions; no detector verifies its content for this item yet", "supports")
    lines = [line for line in text.splitlines() if is_substantive(line) and not line.lstrip().startswith("#")]
    if not lines:
        return _evidence(item, path, "declared evidence is empty or only placeholders", "partial")
    return _evidence(item, path, f"declared in the configuration: {len(lines)} lines of content; "
                     "no detector verifies its content for this item yet", "supports")


def _document_evidence(index: RepoIndex, item: str, path: str, text: str) -> Evidence:
    if path.lower().endswith((".md", ".markdown")):
        document = index.markdown(path)
        if document is None:
            return _evidence(item, path, f"declared evidence could not be parsed: {index.problem(path)}", "unreadable")
        filled = [section for section in document.sections if not section.is_empty()]
        if not filled:
            return _evidence(item, path, "declared document has no section with real content "
                             "(only headings, placeholders or code)", "partial")
        return _evidence(item, path, f"declared in the configuration: document with {len(filled)} filled sections; "
                         "no detector verifies its content for this item yet", "supports", line=filled[0].line)
    lines = [line for line in text.splitlines() if is_substantive(line)]
    if len(lines) < 3:
        return _evidence(item, path, "declared document is empty or only placeholders", "partial")
    return _evidence(item, path, f"declared in the configuration: document with {len(lines)} lines; "
                     "no detector verifies its content for this item yet", "supports")


def _describe_structure(documents: list[object]) -> str:
    first = documents[0]
    if isinstance(first, dict):
        keys = ", ".join(sorted(str(key) for key in first)[:4])
        return f"{len(documents)} document(s), top-level keys {keys}"
    return f"{len(documents)} document(s)"
