"""The evaluation engine: configuration + repository index + test evidence -> a result.

Nothing here knows about pytest. The pytest plugin and the ``ml-checklist`` command both call
:func:`evaluate` (or :func:`scan`, which also loads the configuration and indexes the root).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pytest_mlchecklist.catalog import CatalogItem, load_catalog
from pytest_mlchecklist.config import NotApplicable, ResolvedConfig, Waiver, choose_catalog, load_settings, resolve_config
from pytest_mlchecklist.declared import check_declared
from pytest_mlchecklist.detectors.base import Detector, DetectorContext
from pytest_mlchecklist.detectors.registry import BUILTIN_DETECTORS
from pytest_mlchecklist.detectors.declarative import declarative_detectors
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.extensions import Extensions, load_extensions, no_extensions
from pytest_mlchecklist.repo import RepoIndex
from pytest_mlchecklist.test_evidence import TestOutcome, outcome_of_function

if TYPE_CHECKING:
    from pytest_mlchecklist.baseline import BaselineComparison

Status = Literal["met", "unmet", "waived", "not_applicable", "error"]
VerdictBand = Literal["delay-launch", "launch-with-extra-monitoring", "ready"]
SCHEMA_VERSION = 1
TEST_EVIDENCE_CACHE_KEY = "mlchecklist/test-evidence"
LAST_RESULT_CACHE_KEY = "mlchecklist/last-result"


@dataclass
class ItemResult:
    """The evaluation of one item: status, evidence, a message, and any decision taken on it."""

    item: CatalogItem
    status: Status
    evidence: list[Evidence]
    message: str
    looked_for: list[str] = field(default_factory=list)
    waiver: Waiver | None = None
    waiver_state: Literal["active", "expired", "unused"] | None = None
    not_applicable: NotApplicable | None = None

    def to_json(self) -> dict[str, Any]:
        """The item entry of the JSON report."""
        waiver = None
        if self.waiver is not None:
            waiver = {**self.waiver.to_json(), "state": self.waiver_state}
        return {
            "id": self.item.id,
            "number": self.item.number,
            "section": self.item.section,
            "title": self.item.title,
            "status": self.status,
            "evidence": [found.to_json() for found in self.evidence],
            "message": self.message,
            "waiver": waiver,
            "not_applicable": None
            if self.not_applicable is None
            else {"reason": self.not_applicable.reason, "source": self.not_applicable.source},
        }


@dataclass
class ChecklistResult:
    """The evaluation of a whole profile."""

    root: Path
    config: ResolvedConfig
    items: list[ItemResult]
    problems: list[str]
    test_run: bool
    #: The comparison with a baseline file, when one is used (set by the caller; see baseline.py).
    baseline: BaselineComparison | None = None
    #: In a monorepo, the project's folder relative to the repository root; ``None`` otherwise.
    project: str | None = None

    @property
    def met(self) -> int:
        """How many items are met."""
        return sum(1 for result in self.items if result.status == "met")

    @property
    def applicable(self) -> int:
        """Items of the profile that were not declared not applicable."""
        return sum(1 for result in self.items if result.status != "not_applicable")

    @property
    def percent(self) -> float:
        """Met over applicable, in percent, one decimal."""
        return 100.0 if self.applicable == 0 else round(100.0 * self.met / self.applicable, 1)

    @property
    def verdict(self) -> VerdictBand:
        """The launch band of the Safety Nets source: below 80, 80 to 95, above 95 percent."""
        return verdict_for(self.percent)

    @property
    def failed(self) -> list[ItemResult]:
        """Items that fail the gate: unmet, error, and (under strict) met with an unused waiver."""
        return [result for result in self.items if item_fails(result, strict=self.config.strict)]

    @property
    def run_failures(self) -> int:
        """How many items fail the run: with a baseline, the regressions and new items not met
        (known gaps do not count); without, every item that fails the gate."""
        return len(self.baseline.failing) if self.baseline is not None else len(self.failed)

    def by_status(self, status: Status) -> list[ItemResult]:
        """Items with the given status, in catalog order."""
        return [result for result in self.items if result.status == status]

    def to_json(self) -> dict[str, Any]:
        """The JSON report (schema version 1; fields are added, never renamed)."""
        from pytest_mlchecklist import __version__

        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "pytest-mlchecklist", "version": __version__},
            "root": str(self.root),
            "catalog": self.config.catalog.name,
            "profile": self.config.profile,
            "score": {"met": self.met, "applicable": self.applicable, "percent": self.percent},
            "verdict": self.verdict,
            "today": self.config.today.isoformat(),
            "config_file": self.config.source,
            "tests_ran": self.test_run,
            "counts": {status: len(self.by_status(status)) for status in ("met", "unmet", "waived", "not_applicable", "error")},
            "items": [result.to_json() for result in self.items],
            "problems": list(self.problems),
            "baseline": None if self.baseline is None else self.baseline.to_json(),
            **({"project": self.project} if self.project is not None else {}),
        }


def verdict_for(percent: float) -> VerdictBand:
    """Map a score to its band."""
    if percent < 80.0:
        return "delay-launch"
    if percent <= 95.0:
        return "launch-with-extra-monitoring"
    return "ready"


def item_fails(result: ItemResult, *, strict: bool) -> bool:
    """Whether an item fails the gate."""
    if result.status in ("unmet", "error"):
        return True
    return strict and result.waiver_state == "unused"


# ---------------------------------------------------------------------- evaluation
def evaluate(
    config: ResolvedConfig,
    index: RepoIndex,
    *,
    test_evidence: Sequence[Evidence] = (),
    marker_waivers: Mapping[str, Waiver] | None = None,
    detectors: Iterable[Detector] = BUILTIN_DETECTORS,
    test_run: bool = True,
    test_outcomes: Mapping[str, TestOutcome] | None = None,
) -> ChecklistResult:
    """Evaluate every item of the configured profile.

    ``test_outcomes`` holds the outcome of every test of the run by node id; evidence that a
    detector found in a test function (it carries that test's node id) is checked against it.

    ``test_evidence`` comes from marked tests (and testing helpers); ``marker_waivers`` from
    ``ml_waive`` markers, already validated. ``test_run`` says whether tests ran in this
    evaluation (it changes the wording for items that only a test can meet).

    The declarative rules of the catalog's items and the detectors of the extensions loaded by
    :func:`build_config` always run beside ``detectors``.
    """
    extension_detectors = config_extensions(config).detectors(config.catalog)
    detectors = (*detectors, *declarative_detectors(config.catalog), *extension_detectors)
    profile_ids = {item.id for item in config.items}
    targets = evidence_targets(config.items)
    found: dict[str, list[Evidence]] = {item_id: [] for item_id in profile_ids}
    crashes: dict[str, list[str]] = {item_id: [] for item_id in profile_ids}
    looked_for: dict[str, list[str]] = {item_id: [] for item_id in profile_ids}

    for detector in detectors:
        relevant = sorted({target for item_id in detector.items for target in targets.get(item_id, ())})
        if not relevant:
            continue
        for item_id in relevant:
            looked_for[item_id].append(detector.looks_for)
        try:
            evidence = detector.run(DetectorContext(index, config, detector.name))
        except Exception as exc:  # noqa: BLE001 - a crashing detector is reported, never fatal
            for item_id in relevant:
                crashes[item_id].append(f"detector {detector.name} failed: {type(exc).__name__}: {exc}")
            continue
        for piece in evidence:
            for target in targets.get(piece.item, ()):
                if not _template_of_another_item(index, piece, target):
                    found[target].append(with_test_outcome(_for_item(piece, target), test_outcomes or {}))

    detected_items = {item_id for item_id, sources in looked_for.items() if sources}
    for item_id, paths in config.declared.items():
        if item_id in found:
            found[item_id].extend(check_declared(index, item_id, paths, verified_by_detector=item_id in detected_items))

    for piece in test_evidence:
        for target in targets.get(piece.item, ()):
            found[target].append(_for_item(piece, target))

    waivers = dict(marker_waivers or {})
    waivers.update(config.waivers)  # the configuration file wins over a marker on the same item
    results = [
        _decide(item, found[item.id], crashes[item.id], looked_for[item.id], config, waivers, test_run)
        for item in config.items
    ]
    problems = [str(problem) for problem in index.problems]
    return ChecklistResult(root=index.root, config=config, items=results, problems=problems, test_run=test_run)


def evidence_targets(items: Iterable[CatalogItem]) -> dict[str, tuple[str, ...]]:
    """Which items of the profile evidence labelled with an item id counts for.

    Evidence for an item counts for that item; an item that is the same safety net as items of
    another catalog (``same_as`` in the catalog data, e.g. safety-nets' ``rollback-runbook`` and
    production-ml-51's ``rollback``) also takes the evidence of those items' detectors and tests.
    """
    targets: dict[str, list[str]] = {}
    for item in items:
        for source in (item.id, *item.same_as):
            if item.id not in targets.setdefault(source, []):
                targets[source].append(item.id)
    return {source: tuple(ids) for source, ids in targets.items()}


def _template_of_another_item(index: RepoIndex, piece: Evidence, item_id: str) -> bool:
    """An unfilled template written for other items (its marker line names them) says nothing
    about ``item_id``: a rollback message need not list the on-call template."""
    if piece.path is None or not index.is_template(piece.path):
        return False
    named = index.template_items(piece.path)
    return bool(named) and item_id not in named and piece.item not in named


def _for_item(piece: Evidence, item_id: str) -> Evidence:
    return piece if piece.item == item_id else replace(piece, item=item_id)


def with_test_outcome(piece: Evidence, outcomes: Mapping[str, TestOutcome]) -> Evidence:
    """File evidence that is a test function, checked against that test's outcome in the run.

    A test that failed contradicts the item, one that was skipped is only partial, one that
    passed keeps its verdict and says so; a test that did not run is judged from its code alone.
    """
    if piece.nodeid is None or piece.kind != "file" or piece.verdict not in ("supports", "partial"):
        return piece
    outcome = outcome_of_function(outcomes, piece.nodeid)
    if outcome is None:
        return piece
    verdict = piece.verdict
    detail = piece.detail
    if outcome == "failed":
        verdict, detail = "contradicts", f"{detail}; but this test failed in the run"
    elif outcome == "skipped":
        verdict, detail = "partial", f"{detail}; but this test was skipped in the run, so it does not count"
    else:
        detail = f"{detail}; passed in the run"
    return Evidence(item=piece.item, kind=piece.kind, detector=piece.detector, detail=detail, verdict=verdict,
                    path=piece.path, line=piece.line, nodeid=piece.nodeid, outcome=outcome, values=piece.values)


def _decide(
    item: CatalogItem,
    evidence: list[Evidence],
    crashes: list[str],
    looked_for: list[str],
    config: ResolvedConfig,
    waivers: Mapping[str, Waiver],
    test_run: bool,
) -> ItemResult:
    accepted = [piece for piece in evidence if _accepted(item, piece)]
    ignored_tests = [piece for piece in evidence if piece.kind == "test" and "test" not in item.evidence]
    not_applicable = config.not_applicable.get(item.id)
    if not_applicable is not None:
        return ItemResult(item, "not_applicable", accepted, f"not applicable: {not_applicable.reason}",
                          looked_for, not_applicable=not_applicable)

    contradicting = [piece for piece in accepted if piece.verdict == "contradicts"]
    supporting = [piece for piece in accepted if piece.verdict == "supports"]
    unreadable = [piece for piece in accepted if piece.verdict == "unreadable"]
    partial = [piece for piece in accepted if piece.verdict == "partial"]

    status: Status
    if crashes:
        status, message = "error", "; ".join(crashes)
    elif contradicting:
        status, message = "unmet", "; ".join(f"{piece.detail} ({piece.location()})" for piece in contradicting)
    elif supporting:
        status, message = "met", "; ".join(f"{piece.detail} ({piece.location()})" for piece in supporting[:3])
        if len(supporting) > 3:
            message += f"; and {len(supporting) - 3} more"
    elif unreadable:
        status = "error"
        message = "could not decide: " + "; ".join(f"{piece.location()}: {piece.detail}" for piece in unreadable)
    else:
        status, message = "unmet", _unmet_message(item, partial, looked_for, test_run)
    if ignored_tests and status != "met":
        message += (f"; marked tests do not count for this item (it needs {', '.join(item.evidence)} evidence): "
                    + ", ".join(piece.location() for piece in ignored_tests))

    waiver = waivers.get(item.id)
    if waiver is None:
        return ItemResult(item, status, accepted, message, looked_for)
    if status == "met":
        return ItemResult(item, "met", accepted, message + f"; the waiver from {waiver.source} is unused: remove it",
                          looked_for, waiver=waiver, waiver_state="unused")
    if waiver.expires < config.today:
        expired = (f"waiver expired on {waiver.expires.isoformat()} "
                   f"({(config.today - waiver.expires).days} days ago, {waiver.source}); {message}")
        return ItemResult(item, "unmet", accepted, expired, looked_for, waiver=waiver, waiver_state="expired")
    days_left = (waiver.expires - config.today).days
    owner = f" by {waiver.owner}" if waiver.owner else ""
    waived = f"waived{owner} until {waiver.expires.isoformat()} ({days_left} days left): {waiver.reason}"
    return ItemResult(item, "waived", accepted, waived, looked_for, waiver=waiver, waiver_state="active")


def _accepted(item: CatalogItem, piece: Evidence) -> bool:
    if piece.kind == "test" or piece.kind == "measurement":
        return "test" in item.evidence
    if piece.kind == "declared":
        return "declared" in item.evidence
    return "file" in item.evidence


def _unmet_message(item: CatalogItem, partial: list[Evidence], looked_for: list[str], test_run: bool) -> str:
    parts: list[str] = []
    if partial:
        parts.append("; ".join(f"{piece.detail} ({piece.location()})" for piece in partial))
    elif looked_for:
        parts.append("no evidence found")
    else:
        ways = []
        if "test" in item.evidence:
            ways.append("a passing test marked for it" + ("" if test_run else " (no test run was recorded)"))
        if "declared" in item.evidence:
            ways.append("declared evidence")
        parts.append("no file detector exists for this item yet; it is met by " + " or ".join(ways))
    return "; ".join(parts)


# ---------------------------------------------------------------------- scan (no pytest)
def build_config(
    root: Path,
    *,
    profile: str | None = None,
    today: dt.date | None = None,
    config_file: Path | None = None,
    strict: bool = False,
    catalog: str | None = None,
    extensions: Extensions | None = None,
) -> ResolvedConfig:
    """Load and resolve the configuration of the repository at ``root``.

    ``catalog`` and ``profile`` override the configuration (``--ml-checklist-catalog``...).
    ``catalog`` may be a built-in name, an extension's catalog or a team catalog file (relative
    to the configuration file's folder). ``extensions`` are the installed extensions (loaded
    here when not given); they are kept in the result's ``extra["extensions"]`` so that
    :func:`evaluate` runs their detectors."""
    if extensions is None:
        extensions = load_extensions()
    loaded = load_settings(root, config_file)
    base_dir = (root / loaded.source).parent if loaded.source is not None else root
    chosen = load_catalog(choose_catalog(loaded.settings, catalog_override=catalog, profile_override=profile),
                          root=root, extension_catalogs=extensions.catalogs(), base_dir=base_dir,
                          requested_by=loaded.source)
    resolved = resolve_config(loaded, chosen, today=today or dt.date.today(), profile_override=profile,
                              strict_override=strict)
    extensions.detectors(chosen)  # ask now, so that a broken extension stops the run before any test
    resolved.extra["extensions"] = extensions
    return resolved


def config_extensions(config: ResolvedConfig) -> Extensions:
    """The extensions :func:`build_config` loaded for ``config`` (none for a configuration
    resolved by hand)."""
    found = config.extra.get("extensions")
    return found if isinstance(found, Extensions) else no_extensions()


def build_index(root: Path, config: ResolvedConfig) -> RepoIndex:
    """Index ``root`` with the limits and globs of ``config``."""
    settings = config.settings
    return RepoIndex(
        root,
        include=settings.include,
        exclude=settings.exclude,
        max_files=settings.max_files,
        max_file_bytes=settings.max_file_size_kb * 1024,
    )


def scan(
    root: Path,
    *,
    profile: str | None = None,
    today: dt.date | None = None,
    config_file: Path | None = None,
    strict: bool = False,
    catalog: str | None = None,
) -> ChecklistResult:
    """Evaluate a repository without running its tests.

    Test evidence recorded by the last ``pytest --ml-checklist`` run in this repository (in
    pytest's cache folder) is used when it exists; for a monorepo project's folder, a run at the
    monorepo root counts too (the newer record is used).
    """
    root = root.resolve()
    config = build_config(root, profile=profile, today=today, config_file=config_file, strict=strict,
                          catalog=catalog)
    index = build_index(root, config)
    recorded_path = newest_record(root, TEST_EVIDENCE_CACHE_KEY, project_evidence_cache_key)
    recorded, waivers, outcomes = load_recorded_test_evidence(root, config, path=recorded_path)
    return evaluate(config, index, test_evidence=recorded, marker_waivers=waivers,
                    test_run=bool(recorded or outcomes), test_outcomes=outcomes)


def scan_projects(
    root: Path,
    *,
    profile: str | None = None,
    today: dt.date | None = None,
    config_file: Path | None = None,
    strict: bool = False,
    catalog: str | None = None,
) -> list[ChecklistResult]:
    """Evaluate every project of a monorepo (see :mod:`pytest_mlchecklist.projects`), each on
    its own folder with its own configuration; a single-project repository gives one result,
    the same as :func:`scan`, whose ``project`` is ``None``.

    Test evidence comes from the last ``pytest --ml-checklist`` run at the repository root
    (kept per project), else from a run inside the project folder.
    """
    from pytest_mlchecklist.projects import load_projects

    root = root.resolve()
    projects = load_projects(root, profile=profile, today=today, config_file=config_file, strict=strict,
                             catalog=catalog)
    if not projects:
        return [scan(root, profile=profile, today=today, config_file=config_file, strict=strict, catalog=catalog)]
    results: list[ChecklistResult] = []
    for project in projects:
        index = build_index(project.root, project.config)
        recorded_path = recorded_project_evidence_path(root, project.name)
        if not recorded_path.is_file():
            recorded_path = recorded_evidence_path(project.root)
        recorded, waivers, outcomes = load_recorded_test_evidence(project.root, project.config, path=recorded_path)
        result = evaluate(project.config, index, test_evidence=recorded, marker_waivers=waivers,
                          test_run=bool(recorded or outcomes), test_outcomes=outcomes)
        result.project = project.name
        results.append(result)
    return results


def project_evidence_cache_key(project: str) -> str:
    """The pytest cache key under which a monorepo run keeps a project's test evidence."""
    return f"mlchecklist/projects/{project}/test-evidence"


def project_last_result_cache_key(project: str) -> str:
    """The pytest cache key under which a monorepo run keeps a project's statuses (``ml-checklist list``)."""
    return f"mlchecklist/projects/{project}/last-result"


def newest_record(folder: Path, own_key: str, project_key: Callable[[str], str]) -> Path:
    """The newest record of a pytest run for ``folder``: the one a run inside the folder keeps
    under ``own_key``, or the one a monorepo run at a parent folder keeps for it as a project
    (under ``project_key(name)``). Returns the folder's own path when neither exists."""
    folder = folder.resolve()
    own = folder / ".pytest_cache" / "v" / own_key
    candidates = [own] + [parent / ".pytest_cache" / "v" / project_key(folder.relative_to(parent).as_posix())
                          for parent in folder.parents]
    found = [path for path in candidates if path.is_file()]
    return max(found, key=lambda path: path.stat().st_mtime) if found else own


def recorded_project_evidence_path(root: Path, project: str) -> Path:
    """Where pytest's cache at the repository root keeps the test evidence of one project."""
    return root / ".pytest_cache" / "v" / project_evidence_cache_key(project)


def recorded_evidence_path(root: Path) -> Path:
    """Where pytest's cache keeps the test evidence of the last run."""
    return root / ".pytest_cache" / "v" / TEST_EVIDENCE_CACHE_KEY


def last_result_record(result: ChecklistResult) -> dict[str, Any]:
    """What a pytest run remembers of its result for ``ml-checklist list``: plain builtins."""
    return {
        "date": result.config.today.isoformat(),
        "catalog": result.config.catalog.name,
        "profile": result.config.profile,
        "items": {entry.item.id: entry.status for entry in result.items},
        "score": {"met": result.met, "applicable": result.applicable, "percent": result.percent},
        "verdict": result.verdict,
    }


def load_last_result(root: Path) -> dict[str, Any] | None:
    """The record of the last ``pytest --ml-checklist`` run for ``root``, or ``None`` (bad data is
    ignored): a run inside ``root``, or a monorepo run at a parent folder, whichever is newer."""
    path = newest_record(root, LAST_RESULT_CACHE_KEY, project_last_result_cache_key)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
        return None
    return data


def load_recorded_test_evidence(
    root: Path, config: ResolvedConfig, *, path: Path | None = None
) -> tuple[list[Evidence], dict[str, Waiver], dict[str, TestOutcome]]:
    """Test evidence, marker waivers and test outcomes saved by the last pytest run, if any
    (bad data is ignored); ``path`` names the file when it is not the default one of ``root``."""
    path = path or recorded_evidence_path(root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        evidence = [Evidence.from_json(entry["item"], entry["evidence"]) for entry in data.get("evidence", [])]
        recorded_on = data.get("recorded", "an earlier run")
        raw_outcomes = data.get("outcomes", {})
        outcomes: dict[str, TestOutcome] = {
            str(nodeid): outcome for nodeid, outcome in raw_outcomes.items() if outcome in ("passed", "failed", "skipped")
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return [], {}, {}
    evidence = [
        Evidence(item=piece.item, kind=piece.kind, detector=piece.detector, verdict=piece.verdict,
                 detail=f"{piece.detail} (recorded by the pytest run of {recorded_on})", path=piece.path,
                 line=piece.line, nodeid=piece.nodeid, outcome=piece.outcome, values=piece.values)
        for piece in evidence
        if config.catalog.resolve(piece.item) is not None
    ]
    waivers: dict[str, Waiver] = {}
    for entry in data.get("waivers", []):
        try:
            waiver = Waiver(item=entry["item"], reason=entry["reason"], owner=entry.get("owner"),
                            expires=dt.date.fromisoformat(entry["expires"]), source=entry["source"])
        except (KeyError, TypeError, ValueError):
            continue
        if config.catalog.resolve(waiver.item) is not None and waiver.item not in config.locked_items:
            waivers[waiver.item] = waiver
    return evidence, waivers, outcomes
