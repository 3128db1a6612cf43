"""The SARIF 2.1.0 report, so that items failing the gate show where reviewers look (code scanning).

One SARIF ``run`` per evaluated project (usually one). Every item of the profile is a rule;
items that fail the gate are ``error`` results; waived items are ``note`` results carrying an
``external`` suppression with the waiver's reason (viewers that honour suppressions hide them);
an unused waiver is a ``note`` (an ``error`` under strict mode, where it fails the gate).

Each result points at the most relevant file: the evidence that fell short (contradicting,
then partial, then unreadable), else the file where a waiver was recorded, else the
configuration file. Paths are relative to the common root of the projects (``%SRCROOT%``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pytest_mlchecklist.engine import ChecklistResult, ItemResult, item_fails
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.reports.markdown import as_result_list, common_root, project_labels

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "mlChecklistItem/v1"
_VERDICT_ORDER = {"contradicts": 0, "partial": 1, "unreadable": 2, "supports": 3}


def render_sarif(results: Sequence[ChecklistResult] | ChecklistResult) -> str:
    """The SARIF 2.1.0 log as text: one run per result (one per project of a monorepo)."""
    result_list = as_result_list(results)
    base = common_root(result_list)
    labels = project_labels(result_list)
    log = {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [_run(result, base, label, several=len(result_list) > 1) for result, label in zip(result_list, labels)],
    }
    return json.dumps(log, indent=2) + "\n"


def _run(result: ChecklistResult, base: Path, project: str, *, several: bool) -> dict[str, Any]:
    config = result.config
    prefix = _relative(result.root, base)
    rule_index = {entry.item.id: position for position, entry in enumerate(result.items)}
    sarif_results = []
    for entry in result.items:
        sarif_result = _result(result, entry, prefix, project, rule_index[entry.item.id])
        if sarif_result is not None:
            sarif_results.append(sarif_result)
    run: dict[str, Any] = {
        "tool": {"driver": _driver(result)},
        "automationDetails": {"id": f"ml-checklist/{project}/" if several else "ml-checklist/"},
        "originalUriBaseIds": {SRCROOT: {"uri": base.resolve().as_uri() + "/"}},
        "columnKind": "utf16CodeUnits",
        "invocations": [_invocation(result)],
        "results": sarif_results,
        "properties": {
            "project": project,
            "catalog": config.catalog.name,
            "profile": config.profile,
            "score": {"met": result.met, "applicable": result.applicable, "percent": result.percent},
            "verdict": result.verdict,
            "today": config.today.isoformat(),
        },
    }
    return run


def _driver(result: ChecklistResult) -> dict[str, Any]:
    from pytest_mlchecklist import __version__

    driver: dict[str, Any] = {
        "name": "pytest-mlchecklist",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_rule(entry) for entry in result.items],
    }
    homepage = _homepage()
    if homepage:
        driver["informationUri"] = homepage
    return driver


def _homepage() -> str | None:
    """The project's homepage from its installed metadata (``[project.urls]``), if it has one."""
    from importlib import metadata

    try:
        meta = metadata.metadata("pytest-mlchecklist")
    except metadata.PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "source", "repository") and url.strip():
            return url.strip()
    home = meta.get("Home-page")
    return home.strip() if home and home.strip() else None


def _rule(entry: ItemResult) -> dict[str, Any]:
    item = entry.item
    marking = (f"\n\nA passing test marked `@pytest.mark.ml_checklist(\"{item.id}\")` also counts."
               if "test" in item.evidence else "")
    rule: dict[str, Any] = {
        "id": item.id,
        "name": "".join(part.capitalize() for part in item.id.split("-")),
        "shortDescription": {"text": item.title},
        "fullDescription": {"text": item.description},
        "help": {"text": item.remediation, "markdown": item.remediation + marking},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": [item.section, *item.tiers], "problem.severity": "error"},
    }
    if item.number is not None:
        rule["properties"]["number"] = item.number
    return rule


def _invocation(result: ChecklistResult) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if result.problems:
        invocation["toolExecutionNotifications"] = [
            {"level": "warning", "message": {"text": problem}} for problem in result.problems
        ]
    return invocation


def _result(result: ChecklistResult, entry: ItemResult, prefix: str, project: str, index: int) -> dict[str, Any] | None:
    item = entry.item
    strict = result.config.strict
    suppressions: list[dict[str, Any]] = []
    if item_fails(entry, strict=strict):
        level = "error"
        if entry.status == "met":
            text = f"{item.label} is met, but its waiver ({_source(entry)}) is unused: remove it"
        else:
            text = f"{item.label} is {entry.status}: {entry.message}"
    elif entry.status == "waived" and entry.waiver is not None:
        level = "note"
        text = f"{item.label} is waived: {entry.message}"
        owner = f" (owner {entry.waiver.owner})" if entry.waiver.owner else ""
        suppressions.append({
            "kind": "external",
            "status": "accepted",
            "justification": f"{entry.waiver.reason}{owner}; expires {entry.waiver.expires.isoformat()}",
        })
    elif entry.waiver_state == "unused":
        level = "note"
        text = f"{item.label} is met, but its waiver ({_source(entry)}) is unused: remove it"
    else:
        return None
    sarif_result: dict[str, Any] = {
        "ruleId": item.id,
        "ruleIndex": index,
        "level": level,
        "kind": "fail",
        "message": {"text": text},
        "locations": [_location(result, entry, prefix)],
        "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(result, project, item.id)},
        "properties": {"status": entry.status},
    }
    if suppressions:
        sarif_result["suppressions"] = suppressions
    return sarif_result


def _source(entry: ItemResult) -> str:
    return entry.waiver.source if entry.waiver is not None else "the configuration"


def _location(result: ChecklistResult, entry: ItemResult, prefix: str) -> dict[str, Any]:
    path, line = most_relevant_file(result, entry)
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(_join(prefix, path)), "uriBaseId": SRCROOT}}
    if line is not None and line >= 1:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def most_relevant_file(result: ChecklistResult, entry: ItemResult) -> tuple[str, int | None]:
    """The file (relative to the result's root) and line a reviewer should open for this item.

    Evidence that fell short comes first (contradicting, partial, unreadable, then supporting);
    a waived or met item with a waiver points at where the waiver is recorded; otherwise the
    configuration file (or ``pyproject.toml`` / ``mlchecklist.yaml`` when there is none).
    """
    if entry.status in ("unmet", "error"):
        found = _best_evidence(entry.evidence)
        if found is not None:
            return found
    if entry.waiver is not None:
        waiver_file = _relative_file(entry.waiver.source.split(" ", 1)[0].split("::", 1)[0], result.root)
        if waiver_file is not None:
            return waiver_file, None
    found = _best_evidence(entry.evidence)
    if found is not None and entry.status not in ("waived", "not_applicable"):
        return found
    return _config_file(result), None


def _best_evidence(evidence: Sequence[Evidence]) -> tuple[str, int | None] | None:
    candidates = []
    for position, piece in enumerate(evidence):
        path = piece.path
        if path is None and piece.nodeid is not None:
            path = piece.nodeid.split("::", 1)[0]
        if path and _is_relative_file(path):
            candidates.append((_VERDICT_ORDER.get(piece.verdict, 9), position, path, piece.line))
    if not candidates:
        return None
    _, _, path, line = min(candidates)
    return path, line


def _config_file(result: ChecklistResult) -> str:
    source = result.config.source
    if source and _is_relative_file(source):
        return source
    if (result.root / "pyproject.toml").is_file():
        return "pyproject.toml"
    return "mlchecklist.yaml"


def _relative_file(text: str, root: Path) -> str | None:
    if _is_relative_file(text):
        return text
    try:
        return Path(text).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return None


def _is_relative_file(text: str) -> bool:
    path = Path(text)
    return bool(text) and not path.is_absolute() and ".." not in path.parts and "\\" not in text


def _relative(path: Path, base: Path) -> str:
    relative = os.path.relpath(path.resolve(), base.resolve())
    return "" if relative == "." else Path(relative).as_posix()


def _join(prefix: str, path: str) -> str:
    return f"{prefix}/{path}" if prefix else path


def _fingerprint(result: ChecklistResult, project: str, item_id: str) -> str:
    """Stable across runs: depends on the project, the catalog and the item, not on messages."""
    key = f"{project}\x00{result.config.catalog.name}\x00{item_id}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
