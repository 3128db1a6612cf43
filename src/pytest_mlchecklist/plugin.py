"""pytest hooks: options, markers, checklist items, and the glue to the engine.

Without ``--ml-checklist`` this module only registers its options and markers. With it, one
:class:`ChecklistSession` is registered and plays one of three roles:

* **local** (no xdist): checklist items are collected after the user's tests and run last; the
  first one to run evaluates the checklist with the evidence of every test that ran before it.
* **worker** (xdist): checklist items are collected (so ``-k``, ``-m`` and ``--lf`` apply to
  them) and then handed to the controller instead of being run: their names and the waivers
  found in markers travel in ``workeroutput``. Marked tests run here and their reports carry
  the items they cover.
* **controller** (xdist): sees every test report, replayed from the workers, and runs the
  selected checklist items itself once all workers are done, so the verdicts are the same as
  without xdist.

Testing helpers (``ml_latency``...) are fixtures defined here, available with or without
``--ml-checklist``. They record their measurements through the ``ml_record`` fixture into the
test item's stash; the report of the test carries them as plain data (so xdist does too), and
the controller turns them into evidence with the test's outcome (see
:mod:`pytest_mlchecklist.recording`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_mlchecklist import hookspecs

if TYPE_CHECKING:
    from pytest_mlchecklist.config import ResolvedConfig, Waiver
    from pytest_mlchecklist.helpers.configured import ConfiguredSettings, SettingsSource
    from pytest_mlchecklist.helpers.latency import LatencyTimer
    from pytest_mlchecklist.recording import Recordings
    from pytest_mlchecklist.engine import ChecklistResult, ItemResult
    from pytest_mlchecklist.catalog import CatalogItem
    from pytest_mlchecklist.test_evidence import TestEvidenceCollector

SESSION_KEY = pytest.StashKey["ChecklistSession"]()
MARKED_ITEMS_KEY = pytest.StashKey[list[str]]()
MARKER_PROBLEMS_KEY = pytest.StashKey[list[str]]()
MEASUREMENTS_KEY = pytest.StashKey[list[dict[str, Any]]]()
SETTINGS_KEY = pytest.StashKey["ConfiguredSettings"]()
WORKEROUTPUT_KEY = "mlchecklist"
REPORT_ATTRIBUTE = "mlchecklist"


# ---------------------------------------------------------------------- options and markers
def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Add this plugin's own hooks (see :mod:`pytest_mlchecklist.hookspecs`)."""
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``--ml-checklist`` options; everything else is configured in the repository."""
    group = parser.getgroup("ml-checklist", "ML production-readiness checklist (pytest-mlchecklist)")
    group.addoption("--ml-checklist", action="store_true", dest="ml_checklist", default=False,
                    help="Evaluate the ML readiness checklist: one test per item, after the other tests.")
    group.addoption("--ml-checklist-profile", dest="ml_checklist_profile", metavar="NAME", default=None,
                    help="Profile to enforce (mvp, mature, regulated, safety-nets, or one the catalog defines); overrides the configuration.")
    group.addoption("--ml-checklist-catalog", dest="ml_checklist_catalog", metavar="NAME", default=None,
                    help="Catalog to evaluate (production-ml-51, safety-nets, an extension's catalog or a "
                         "team catalog file); overrides the configuration.")
    group.addoption("--ml-checklist-config", dest="ml_checklist_config", metavar="FILE", default=None,
                    help="Configuration file (default: mlchecklist.yaml or [tool.ml-checklist] in pyproject.toml).")
    group.addoption("--ml-checklist-json", dest="ml_checklist_json", metavar="FILE", default=None,
                    help="Write the JSON report to FILE.")
    group.addoption("--ml-checklist-md", dest="ml_checklist_md", metavar="FILE", default=None,
                    help="Write the Markdown report to FILE (also appended to $GITHUB_STEP_SUMMARY when set).")
    group.addoption("--ml-checklist-sarif", dest="ml_checklist_sarif", metavar="FILE", default=None,
                    help="Write the SARIF 2.1.0 report to FILE (for code scanning).")
    group.addoption("--ml-checklist-html", dest="ml_checklist_html", metavar="FILE", default=None,
                    help="Write the self-contained HTML report to FILE.")
    group.addoption("--ml-checklist-strict", action="store_true", dest="ml_checklist_strict", default=False,
                    help="Also fail items that are met but still carry a waiver (unused waivers).")
    group.addoption("--ml-checklist-today", dest="ml_checklist_today", metavar="YYYY-MM-DD", default=None,
                    help="Evaluate dates (waiver expiry, rehearsal age) as of this day, for reproducible runs.")
    group.addoption("--ml-checklist-baseline", dest="ml_checklist_baseline", metavar="FILE", default=None,
                    help="Fail only on changes from the statuses recorded in FILE: regressions and new items "
                         "not met; known gaps xfail (see docs/baseline.md).")
    group.addoption("--ml-checklist-baseline-update", action="store_true", dest="ml_checklist_baseline_update",
                    default=False, help="Record every item's status now in the --ml-checklist-baseline FILE "
                                        "(the run passes the gate).")


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers always; with ``--ml-checklist``, load the configuration and start."""
    config.addinivalue_line(
        "markers",
        "ml_checklist(*items): this test provides evidence for the named checklist items (slugs or numbers).",
    )
    config.addinivalue_line(
        "markers",
        "ml_waive(item, reason, owner, expires): record a waiver for a checklist item (expires YYYY-MM-DD).",
    )
    if not config.getoption("ml_checklist"):
        return
    from pytest_mlchecklist.errors import ChecklistError

    try:
        session = ChecklistSession(config)
    except ChecklistError as exc:
        raise pytest.UsageError(f"ml-checklist: {exc}") from None
    config.stash[SESSION_KEY] = session
    config.pluginmanager.register(session, "mlchecklist-session")


# ---------------------------------------------------------------------- synthetic items
class ChecklistItemFailure(Exception):
    """Raised by a checklist item that fails the gate; rendered by :meth:`ChecklistItem.repr_failure`."""


class ChecklistFile(pytest.File):
    """The node checklist items hang from: the configuration file (or ``pyproject.toml``)."""

    def collect(self) -> Iterator[pytest.Item]:
        """One item per item of the profile, in catalog order (the same on every xdist worker)."""
        session = self.config.stash[SESSION_KEY]
        project = session.anchors.get(self.path)
        for catalog_item in session.config_for(project).items:
            yield ChecklistItem.from_parent(self, name=catalog_item.id, catalog_item=catalog_item, project=project)


class ChecklistItem(pytest.Item):
    """One checklist item as a pytest test: passes when met, fails when unmet, errors when the
    evidence could not be read, xfails when waived, and is skipped when not applicable."""

    def __init__(self, *, catalog_item: CatalogItem, project: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.catalog_item = catalog_item
        self.project = project  # the monorepo project (folder relative to the root), or None
        self.extra_keyword_matches.update({"ml_checklist", catalog_item.section})

    def _result(self) -> ItemResult:
        return self.config.stash[SESSION_KEY].item_result(self.catalog_item.id, self.project)

    @property
    def selection_key(self) -> str:
        """How workers name the item to the controller: ``rollback``, or ``services/ranker::rollback``."""
        return self.name if self.project is None else f"{self.project}::{self.name}"

    def setup(self) -> None:
        """Evaluate (once for the whole session); an ``error`` status is reported as a pytest error."""
        result = self._result()
        known_gap = self.config.stash[SESSION_KEY].known_gap(result, self.project)
        if known_gap:
            pytest.xfail(known_gap)  # unmet or error, as recorded in the baseline: does not fail the run
        if result.status == "error":
            from pytest_mlchecklist.reports.explain import failure_text

            pytest.fail(failure_text(result, self.config.stash[SESSION_KEY].config_for(self.project)), pytrace=False)

    def runtest(self) -> None:
        """Turn the item's status into a pytest outcome."""
        result = self._result()
        strict = self.config.stash[SESSION_KEY].config_for(self.project).strict
        if result.status == "waived":
            pytest.xfail(f"ml-checklist {result.message}")
        if result.status == "not_applicable":
            # Reported at the item (not at this line), as pytest does for skip markers.
            raise pytest.skip.Exception(f"ml-checklist {result.message}", _use_item_location=True)
        if result.status != "met" or (strict and result.waiver_state == "unused"):
            raise ChecklistItemFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:  # type: ignore[override]
        """The explanation: what was looked for, what was found, and the ways out."""
        if isinstance(excinfo.value, ChecklistItemFailure):
            from pytest_mlchecklist.reports.explain import failure_text

            text = failure_text(excinfo.value.args[0], self.config.stash[SESSION_KEY].config_for(self.project))
            note = self.config.stash[SESSION_KEY].baseline_note(self.catalog_item.id, self.project)
            return f"{note}\n{text}" if note else text
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        """Where the item is reported: the top of the anchor file, and the item's label."""
        return self.path, 0, f"ml-checklist {self.catalog_item.label}"


# ---------------------------------------------------------------------- the session plugin
class ChecklistSession:
    """State and hooks of one ``--ml-checklist`` run (registered as a plugin)."""

    def __init__(self, config: pytest.Config) -> None:
        from pytest_mlchecklist.config import parse_today
        from pytest_mlchecklist.engine import build_config
        from pytest_mlchecklist.test_evidence import TestEvidenceCollector

        self.pytest_config = config
        self.root = config.rootpath
        today = dt.date.today()
        today_option = config.getoption("ml_checklist_today")
        if today_option:
            try:
                today = parse_today(today_option)
            except ValueError as exc:
                raise pytest.UsageError(f"--ml-checklist-today: {exc}") from None
        config_option = config.getoption("ml_checklist_config")
        config_file = Path(config_option) if config_option else None
        if config_file is not None and not config_file.is_absolute():
            config_file = config.invocation_params.dir / config_file
        self.config: ResolvedConfig = build_config(
            self.root,
            profile=config.getoption("ml_checklist_profile"),
            today=today,
            config_file=config_file,
            strict=config.getoption("ml_checklist_strict"),
            catalog=config.getoption("ml_checklist_catalog"),
        )
        self.anchor = self._anchor_path(config_file)
        self.tests = TestEvidenceCollector()
        self.marker_waivers: dict[str, Waiver] = {}
        self.selected_on_workers: list[str] | None = None
        self._result: ChecklistResult | None = None
        self.write_errors: list[str | None] = []
        self.baseline_written: str | None = None
        self._start_projects(config_file)
        self.baseline_file, self.baseline_recorded = self._load_baseline()

    def _load_baseline(self) -> tuple[str | None, dict[str | None, dict[str, str]] | None]:
        """The ``--ml-checklist-baseline`` file as given and its recorded statuses per project
        (``None`` for a single project; ``None`` as a whole when this run records them with
        ``--ml-checklist-baseline-update``). A project without a section in the file stops the run."""
        from pytest_mlchecklist.baseline import ROOT_PROJECT, read_baseline

        option = self.pytest_config.getoption("ml_checklist_baseline")
        if not option:
            if self.pytest_config.getoption("ml_checklist_baseline_update"):
                raise pytest.UsageError("--ml-checklist-baseline-update needs --ml-checklist-baseline=FILE, "
                                        "the file to record the statuses in")
            return None, None
        if self.pytest_config.getoption("ml_checklist_baseline_update"):
            return option, None
        baseline = read_baseline(self._baseline_path(option))
        if not self.projects:
            return option, {None: baseline.statuses(ROOT_PROJECT)}
        return option, {project.name: baseline.statuses(project.name) for project in self.projects}

    def _compare_with_baseline(self, result: ChecklistResult, project: str | None) -> None:
        """With a baseline, set ``result.baseline`` (recording the statuses first when updating)."""
        if self.baseline_file is None:
            return
        from pytest_mlchecklist.baseline import ROOT_PROJECT, compare, record

        recorded = record(result) if self.baseline_recorded is None else self.baseline_recorded[project]
        result.baseline = compare(result, recorded, file=self.baseline_file, project=project or ROOT_PROJECT,
                                  updated=self.baseline_recorded is None)

    def _baseline_path(self, option: str) -> Path:
        path = Path(option)
        return path if path.is_absolute() else self.pytest_config.invocation_params.dir / path

    def _start_projects(self, config_file: Path | None) -> None:
        """Monorepo: the projects the root configuration lists, each with its own anchor file,
        test evidence, marker waivers and result (see docs/monorepos.md)."""
        from pytest_mlchecklist.projects import load_projects
        from pytest_mlchecklist.test_evidence import TestEvidenceCollector

        option = self.pytest_config.getoption
        self.projects = load_projects(self.root, profile=option("ml_checklist_profile"), today=self.config.today,
                                      config_file=config_file, strict=option("ml_checklist_strict"),
                                      catalog=option("ml_checklist_catalog"))
        self.anchors: dict[Path, str | None] = {
            self.root / project.name / (project.config.source or "mlchecklist.yaml"): project.name
            for project in self.projects
        } or {self.anchor: None}
        self.project_tests = {project.name: TestEvidenceCollector() for project in self.projects}
        self.project_waivers: dict[str, dict[str, Waiver]] = {project.name: {} for project in self.projects}
        self.project_results: dict[str, ChecklistResult] = {}
        self.outside_projects: list[str] = []  # marked tests outside every project folder
        self.summarised: list[str] = []  # the projects whose checklist items ran

    def config_for(self, project: str | None) -> ResolvedConfig:
        """The configuration of a monorepo project, or of the repository (``None``)."""
        if project is None:
            return self.config
        return next(entry.config for entry in self.projects if entry.name == project)

    def _route(self, nodeid: str) -> tuple[str | None, TestEvidenceCollector | None, str]:
        """Which project a test belongs to: ``(project, its collector, node id relative to the
        project folder)``; a test outside every project folder of a monorepo has no collector."""
        if not self.projects:
            return None, self.tests, nodeid
        from pytest_mlchecklist.projects import project_of

        project = project_of(self.projects, nodeid)
        if project is None:
            return None, None, nodeid
        return project.name, self.project_tests[project.name], project.relative(nodeid)

    def config_for_test(self, nodeid: str) -> ResolvedConfig:
        """The configuration that applies to a test: its project's in a monorepo (the root's,
        which holds only the project list, for a test outside every project)."""
        return self.config_for(self._route(nodeid)[0])

    def _waivers_of(self, project: str | None) -> dict[str, Waiver]:
        return self.marker_waivers if project is None else self.project_waivers[project]

    def _anchor_path(self, config_file: Path | None) -> Path:
        if config_file is not None:
            return config_file.resolve()
        if self.config.source is not None:
            return (self.root / self.config.source).resolve()
        return self.root / "pyproject.toml" if (self.root / "pyproject.toml").is_file() else self.root / "mlchecklist.yaml"

    @property
    def is_worker(self) -> bool:
        """True in an xdist worker process."""
        return hasattr(self.pytest_config, "workerinput")

    @property
    def is_controller(self) -> bool:
        """True in the xdist controller (distribution is active and this is not a worker)."""
        return not self.is_worker and self.pytest_config.pluginmanager.getplugin("dsession") is not None

    # ------------------------------------------------------------ collection
    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
        """Collect the anchor file as the checklist when pytest walks over it (so that
        ``pytest mlchecklist.yaml::rollback`` selects one item)."""
        if file_path in self.anchors:
            return ChecklistFile.from_parent(parent, path=file_path)
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, items: list[pytest.Item]) -> None:
        """Add the checklist items (before ``-k``/``-m`` filtering, so they can be selected),
        and read the markers of every collected test."""
        if not any(isinstance(item, ChecklistItem) for item in items):
            items.extend(self._make_items(session))
        self._read_markers(items)

    def _make_items(self, session: pytest.Session) -> list[pytest.Item]:
        items: list[pytest.Item] = []
        for anchor in self.anchors:
            checklist_file = ChecklistFile.from_parent(session, path=anchor)
            items.extend(item for item in checklist_file.collect() if isinstance(item, pytest.Item))
        return items

    def _read_markers(self, items: list[pytest.Item]) -> None:
        from pytest_mlchecklist.markers import CHECKLIST_MARKER, WAIVE_MARKER, resolve_checklist_marker, resolve_waive_marker

        for item in items:
            if isinstance(item, ChecklistItem):
                continue
            project, collector, where = self._route(item.nodeid)
            if collector is None:  # monorepo: a test outside every project counts for none
                if any(item.iter_markers(CHECKLIST_MARKER)) or any(item.iter_markers(WAIVE_MARKER)):
                    self.outside_projects.append(item.nodeid)
                continue
            config, marker_waivers = self.config_for(project), self._waivers_of(project)
            problems: list[str] = []
            slugs: list[str] = []
            for marker in item.iter_markers(CHECKLIST_MARKER):
                found, marker_problems = resolve_checklist_marker(config, marker.args)
                slugs.extend(slug for slug in found if slug not in slugs)
                problems.extend(marker_problems)
            for marker in item.iter_markers(WAIVE_MARKER):
                waiver, waiver_problems = resolve_waive_marker(config, marker.args, marker.kwargs, where=where)
                problems.extend(waiver_problems)
                if waiver is not None and waiver.item not in marker_waivers:
                    marker_waivers[waiver.item] = waiver
            if slugs:
                item.stash[MARKED_ITEMS_KEY] = slugs
            if problems:
                item.stash[MARKER_PROBLEMS_KEY] = problems

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """On an xdist worker, hand the selected checklist items to the controller."""
        if not self.is_worker:
            return
        from pytest_mlchecklist.markers import waiver_to_json

        selected = [item.selection_key for item in session.items if isinstance(item, ChecklistItem)]
        session.items[:] = [item for item in session.items if not isinstance(item, ChecklistItem)]
        self.pytest_config.workeroutput[WORKEROUTPUT_KEY] = {  # type: ignore[attr-defined]
            "selected": selected,
            "waivers": [waiver_to_json(waiver) for waiver in self.marker_waivers.values()] + [
                {**waiver_to_json(waiver), "project": project}
                for project, waivers in self.project_waivers.items() for waiver in waivers.values()
            ],
            "outside_projects": list(self.outside_projects),
        }

    # ------------------------------------------------------------ running tests
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """A test whose checklist markers are wrong errors with the reason."""
        problems = item.stash.get(MARKER_PROBLEMS_KEY, None)
        if problems:
            pytest.fail("ml-checklist marker problem:\n  " + "\n  ".join(problems), pytrace=False)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        """Attach the items a marked test covers, and the measurements helpers recorded since the
        previous phase, to its reports (plain data, so xdist carries it)."""
        report = yield
        payload: dict[str, Any] = {}
        slugs = item.stash.get(MARKED_ITEMS_KEY, None)
        if slugs:
            payload["items"] = list(slugs)
        pending = item.stash.get(MEASUREMENTS_KEY, None)
        if pending:
            payload["measurements"] = list(pending)
            pending.clear()
        if payload:
            setattr(report, REPORT_ATTRIBUTE, payload)
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Record the outcome of marked tests and helpers' measurements (here or replayed from a worker)."""
        if self.is_worker:
            return
        xfail = hasattr(report, "wasxfail")
        _, tests, nodeid = self._route(report.nodeid)
        if tests is None:
            return
        tests.add_any_report(nodeid=nodeid, when=report.when or "call", outcome=report.outcome, xfail=xfail)
        payload = getattr(report, REPORT_ATTRIBUTE, None)
        if not payload:
            return
        if payload.get("items"):
            tests.add_report(nodeid=nodeid, when=report.when or "call", outcome=report.outcome,
                             items=list(payload["items"]), xfail=xfail)
        if payload.get("measurements"):
            tests.add_measurements(nodeid=nodeid, recordings=list(payload["measurements"]))

    @pytest.hookimpl(optionalhook=True, trylast=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """Controller: take the selected items and marker waivers a worker collected."""
        from pytest_mlchecklist.markers import waiver_from_json

        output = getattr(node, "workeroutput", {}).get(WORKEROUTPUT_KEY)
        if not output:
            return
        if self.selected_on_workers is None:
            self.selected_on_workers = list(output.get("selected", []))
        for data in output.get("waivers", []):
            waiver = waiver_from_json(data)
            self._waivers_of(data.get("project")).setdefault(waiver.item, waiver)
        self.outside_projects.extend(nodeid for nodeid in output.get("outside_projects", [])
                                     if nodeid not in self.outside_projects)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, Any, Any]:
        """Controller: once the workers are done, run the checklist items here."""
        result = yield
        if self.is_controller and self.selected_on_workers and not (session.shouldfail or session.shouldstop):
            self._run_on_controller(session, self.selected_on_workers)
        return result

    def _run_on_controller(self, session: pytest.Session, selected: list[str]) -> None:
        wanted = set(selected)
        items = [item for item in self._make_items(session)
                 if isinstance(item, ChecklistItem) and item.selection_key in wanted]
        session.testscollected += len(items)
        for position, item in enumerate(items):
            next_item = items[position + 1] if position + 1 < len(items) else None
            item.ihook.pytest_runtest_protocol(item=item, nextitem=next_item)
            if session.shouldfail or session.shouldstop:
                break

    # ------------------------------------------------------------ evaluation and reports
    def result(self) -> ChecklistResult:
        """Evaluate once, with the evidence of every test reported so far."""
        if self._result is None:
            from pytest_mlchecklist.engine import build_index, evaluate

            index = build_index(self.root, self.config)
            self._result = evaluate(self.config, index, test_evidence=self.tests.evidence(),
                                    marker_waivers=self.marker_waivers, test_run=True,
                                    test_outcomes=self.tests.outcomes())
            self._compare_with_baseline(self._result, None)
        return self._result

    def item_result(self, item_id: str, project: str | None = None) -> ItemResult:
        """The result of one item (evaluating the checklist, or the project's, on first use)."""
        result = self.result() if project is None else self.project_result(project)
        return next(entry for entry in result.items if entry.item.id == item_id)

    def project_result(self, name: str) -> ChecklistResult:
        """Monorepo: evaluate one project once, on its folder, with the evidence of its tests."""
        if name not in self.project_results:
            from pytest_mlchecklist.engine import build_index, evaluate

            project = next(entry for entry in self.projects if entry.name == name)
            tests = self.project_tests[name]
            result = evaluate(project.config, build_index(project.root, project.config),
                              test_evidence=tests.evidence(), marker_waivers=self.project_waivers[name],
                              test_run=True, test_outcomes=tests.outcomes())
            result.project = name
            self._compare_with_baseline(result, name)
            self.project_results[name] = result
        return self.project_results[name]

    def results(self) -> list[ChecklistResult]:
        """Every result of the run: one per project in a monorepo, else the repository's."""
        if self.projects:
            return [self.project_result(project.name) for project in self.projects]
        return [self.result()]

    def known_gap(self, entry: ItemResult, project: str | None = None) -> str | None:
        """With a baseline, the xfail reason of an item that fails as it did in the baseline
        (in its project's section for a monorepo project)."""
        if self.baseline_file is None:
            return None
        comparison = (self.result() if project is None else self.project_result(project)).baseline
        change = comparison.change(entry.item.id) if comparison is not None else None
        if comparison is None or change is None or change.kind != "known":
            return None
        return comparison.known_message(entry)

    def baseline_note(self, item_id: str, project: str | None = None) -> str | None:
        """With a baseline, why a failing item fails the run (regressed, waiver expired, new item)."""
        if self.baseline_file is None:
            return None
        comparison = (self.result() if project is None else self.project_result(project)).baseline
        change = comparison.change(item_id) if comparison is not None else None
        if comparison is None or change is None or not change.fails:
            return None
        before = "" if change.before is None else f" ({change.before} -> {change.now})"
        where = "" if project is None else f" [{project}]"
        return f"ml-checklist baseline {comparison.file}{where}: {change.reason}{before}"

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Write the reports and remember the test evidence (not on workers, not when only collecting)."""
        if self.is_worker or self.pytest_config.option.collectonly:
            return
        if self.projects:
            self._finish_projects(session)
            return
        baseline_update = self.pytest_config.getoption("ml_checklist_baseline_update")
        if self._result is None and not self._reports_requested() and not baseline_update:
            return
        result = self.result()
        self._write_reports(result)
        if baseline_update and self.baseline_file is not None:
            from pytest_mlchecklist.baseline import ROOT_PROJECT, BaselineError, write_baseline

            try:
                self.baseline_written = write_baseline(self._baseline_path(self.baseline_file), {ROOT_PROJECT: result},
                                                      label=self.baseline_file)
            except BaselineError as exc:
                self.write_errors.append(str(exc))
        if self.write_errors:
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
        self._remember_test_evidence()
        self._remember_last_result(result)
        self._deliver_result(session, result)

    def _deliver_result(self, session: pytest.Session, result: ChecklistResult) -> None:
        """Hand a result to the installed extensions (``mlchecklist_result``) and to pytest
        plugins (``pytest_mlchecklist_result``); a failing receiver is an error of the run."""
        from pytest_mlchecklist.engine import config_extensions

        problems = config_extensions(result.config).deliver_result(result)
        if problems:
            self.write_errors.extend(problems)
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
        self.pytest_config.hook.pytest_mlchecklist_result(result=result, config=self.pytest_config)

    def _finish_projects(self, session: pytest.Session) -> None:
        """Monorepo: write the reports (every project in them), remember each project's test
        evidence, and hand each result to ``pytest_mlchecklist_result``."""
        self.summarised = [project.name for project in self.projects if project.name in self.project_results]
        baseline_update = self.pytest_config.getoption("ml_checklist_baseline_update")
        if not self.summarised and not self._reports_requested() and not baseline_update:
            return
        from pytest_mlchecklist.engine import project_evidence_cache_key
        from pytest_mlchecklist.reports.html import render_html
        from pytest_mlchecklist.reports.json_report import render_results_json
        from pytest_mlchecklist.reports.monorepo import render_projects_markdown
        from pytest_mlchecklist.reports.sarif import render_sarif

        every_project = self._reports_requested() or baseline_update
        results = self.results() if every_project else [self.project_results[name] for name in self.summarised]
        if baseline_update and self.baseline_file is not None:
            from pytest_mlchecklist.baseline import BaselineError, write_baseline

            try:
                self.baseline_written = write_baseline(self._baseline_path(self.baseline_file),
                                                      {str(result.project): result for result in results},
                                                      label=self.baseline_file)
            except BaselineError as exc:
                self.write_errors.append(str(exc))
        json_path = self._output_path("ml_checklist_json")
        if json_path is not None:
            self.write_errors.append(_write_file(json_path, render_results_json(self.root, results)))
        markdown_path = self._output_path("ml_checklist_md")
        if markdown_path is not None:
            self.write_errors.append(_write_file(markdown_path, render_projects_markdown(results)))
        for option, render in (("ml_checklist_sarif", render_sarif), ("ml_checklist_html", render_html)):
            report_path = self._output_path(option)
            if report_path is not None:
                self.write_errors.append(_write_file(report_path, render(results)))
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_file:
            try:
                with open(summary_file, "a", encoding="utf-8") as handle:
                    handle.write(render_projects_markdown(results) + "\n")
            except OSError as exc:
                self.write_errors.append(f"cannot append to GITHUB_STEP_SUMMARY ({summary_file}): {exc.strerror}")
        self.write_errors = [error for error in self.write_errors if error]
        if self.write_errors:
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
        for project in self.projects:
            self._save_test_evidence(project_evidence_cache_key(project.name), self.project_tests[project.name],
                                     self.project_waivers[project.name], project.config, project.config_file.name)
        for result in results:
            self._remember_last_result(result)
        for result in results:
            self._deliver_result(session, result)

    def _save_test_evidence(self, key: str, tests: TestEvidenceCollector, waivers: dict[str, Waiver],
                            config: ResolvedConfig, anchor_name: str) -> None:
        """Keep one project's test evidence in pytest's cache for ``ml-checklist scan``."""
        from pytest_mlchecklist.markers import waiver_to_json

        cache = getattr(self.pytest_config, "cache", None)
        outcomes = {nodeid: outcome for nodeid, outcome in tests.outcomes().items()
                    if not nodeid.startswith(anchor_name + "::")}
        if cache is None or not (len(tests) or outcomes):
            return
        cache.set(key, {
            "recorded": config.today.isoformat(),
            "evidence": [{"item": piece.item, "evidence": piece.to_json()} for piece in tests.evidence()],
            "waivers": [waiver_to_json(waiver) for waiver in waivers.values()],
            "outcomes": outcomes,
        })

    def _reports_requested(self) -> bool:
        return any(self.pytest_config.getoption(option) for option in
                   ("ml_checklist_json", "ml_checklist_md", "ml_checklist_sarif", "ml_checklist_html"))

    def _output_path(self, option: str) -> Path | None:
        value = self.pytest_config.getoption(option)
        if not value:
            return None
        path = Path(value)
        return path if path.is_absolute() else self.pytest_config.invocation_params.dir / path

    def _write_reports(self, result: ChecklistResult) -> None:
        from pytest_mlchecklist.reports.json_report import render_json
        from pytest_mlchecklist.reports.html import render_html
        from pytest_mlchecklist.reports.markdown import render_markdown
        from pytest_mlchecklist.reports.sarif import render_sarif

        json_path = self._output_path("ml_checklist_json")
        if json_path is not None:
            self.write_errors.append(_write_file(json_path, render_json(result)))
        markdown_path = self._output_path("ml_checklist_md")
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        markdown = render_markdown(result) if markdown_path is not None or summary_file else ""
        if markdown_path is not None:
            self.write_errors.append(_write_file(markdown_path, markdown))
        if summary_file:
            try:
                with open(summary_file, "a", encoding="utf-8") as handle:
                    handle.write(markdown + "\n")
            except OSError as exc:
                self.write_errors.append(f"cannot append to GITHUB_STEP_SUMMARY ({summary_file}): {exc.strerror}")
        for option, render in (("ml_checklist_sarif", render_sarif), ("ml_checklist_html", render_html)):
            report_path = self._output_path(option)
            if report_path is not None:
                self.write_errors.append(_write_file(report_path, render([result])))
        self.write_errors = [error for error in self.write_errors if error]

    def _remember_test_evidence(self) -> None:
        cache = getattr(self.pytest_config, "cache", None)
        outcomes = {nodeid: outcome for nodeid, outcome in self.tests.outcomes().items()
                    if not nodeid.startswith(self.anchor.name + "::")}
        if cache is None or not (len(self.tests) or outcomes):
            return
        from pytest_mlchecklist.engine import TEST_EVIDENCE_CACHE_KEY
        from pytest_mlchecklist.markers import waiver_to_json

        cache.set(TEST_EVIDENCE_CACHE_KEY, {
            "recorded": self.config.today.isoformat(),
            "evidence": [{"item": piece.item, "evidence": piece.to_json()} for piece in self.tests.evidence()],
            "waivers": [waiver_to_json(waiver) for waiver in self.marker_waivers.values()],
            "outcomes": outcomes,
        })

    def _remember_last_result(self, result: ChecklistResult) -> None:
        """Keep the statuses of this run next to the test evidence, for ``ml-checklist list``."""
        cache = getattr(self.pytest_config, "cache", None)
        if cache is None:
            return
        from pytest_mlchecklist.engine import LAST_RESULT_CACHE_KEY, last_result_record, project_last_result_cache_key

        key = LAST_RESULT_CACHE_KEY if result.project is None else project_last_result_cache_key(result.project)
        cache.set(key, last_result_record(result))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """The compact summary: sections, failing items, score and band (per project in a monorepo)."""
        if self.projects:
            self._project_summaries(terminalreporter)
            return
        if self.is_worker or self._result is None:
            return
        from pytest_mlchecklist.reports.terminal import summary_lines

        terminalreporter.section("ml-checklist")
        for line in summary_lines(self._result):
            terminalreporter.write_line(line)
        if self._result.baseline is not None:
            for line in self._result.baseline.summary_lines(self.baseline_written):
                terminalreporter.write_line(line)
        for error in self.write_errors:
            terminalreporter.write_line(f"ERROR: {error}", red=True)


    def _project_summaries(self, terminalreporter: Any) -> None:
        """Monorepo: a section per project, then one for the whole run."""
        if self.is_worker or not self.summarised:
            return
        from pytest_mlchecklist.reports.terminal import overall_lines, project_title, summary_lines

        # the projects whose checklist items ran (all of them unless some were deselected)
        results = [self.project_results[name] for name in self.summarised]
        for result in results:
            terminalreporter.section(project_title(result))
            for line in summary_lines(result):
                terminalreporter.write_line(line)
            if result.baseline is not None:
                for line in result.baseline.summary_lines():
                    terminalreporter.write_line(line)
        terminalreporter.section("ml-checklist: all projects")
        for line in overall_lines(results):
            terminalreporter.write_line(line)
        if self.baseline_written:
            terminalreporter.write_line(self.baseline_written)
        if self.outside_projects:
            terminalreporter.write_line(f"Marked tests outside every project folder, counted for no project "
                                        f"({len(self.outside_projects)}): " + ", ".join(self.outside_projects[:5]))
        for error in self.write_errors:
            terminalreporter.write_line(f"ERROR: {error}", red=True)


# ---------------------------------------------------------------------- testing helpers (fixtures)
# Each helper keeps its logic and its fixture in pytest_mlchecklist.helpers.<name>; importing the
# fixture here is what registers it with every pytest run (the modules import only the standard
# library at import time).
from pytest_mlchecklist.helpers.drift import ml_drift  # noqa: E402,F401
from pytest_mlchecklist.helpers.edge_cases import ml_edge_cases  # noqa: E402,F401
from pytest_mlchecklist.helpers.fallback import ml_fallback  # noqa: E402,F401
from pytest_mlchecklist.helpers.graceful import ml_graceful  # noqa: E402,F401
from pytest_mlchecklist.helpers.idempotence import ml_idempotence  # noqa: E402,F401
from pytest_mlchecklist.helpers.metric_gate import ml_metric_gate  # noqa: E402,F401
from pytest_mlchecklist.helpers.seed import ml_seed  # noqa: E402,F401
from pytest_mlchecklist.helpers.skew import ml_skew  # noqa: E402,F401

@pytest.fixture
def ml_record(request: pytest.FixtureRequest) -> Recordings:
    """Where testing helpers record their measurements as checklist evidence.

    ``ml_record.recorder("ml_my_helper").record(item, detail, values, passed)`` in a helper
    fixture; without ``--ml-checklist`` recording does nothing.
    """
    from pytest_mlchecklist.recording import Recordings

    if SESSION_KEY not in request.config.stash:
        return Recordings(None)
    return Recordings(request.node.stash.setdefault(MEASUREMENTS_KEY, []))


@pytest.fixture
def _ml_checklist_settings(request: pytest.FixtureRequest) -> SettingsSource:
    """How testing helpers read the configuration of the running test (``sla.latency_ms``,
    ``metrics``, ``drift``); see :mod:`pytest_mlchecklist.helpers.configured`."""
    return lambda: _configured_settings(request.config, request.node.nodeid)


@pytest.fixture
def ml_latency(request: pytest.FixtureRequest, ml_record: Recordings, _ml_checklist_settings: SettingsSource) -> LatencyTimer:
    """Time a callable and hold its p50/p95/p99 to the SLA (item 22, ``latency-gated``).

    ``ml_latency(func, calls=200, warmup=20, batch=None, targets=None)``, and
    ``ml_latency.from_benchmark(benchmark)`` / ``ml_latency.from_benchmark_json(path, name=None)``
    for pytest-benchmark timings; see docs/helpers/latency.md.
    """
    from pytest_mlchecklist.helpers.latency import LatencyTimer

    return LatencyTimer(ml_record.recorder("ml_latency"), settings=_ml_checklist_settings, rootdir=request.config.rootpath)


def _configured_settings(config: pytest.Config, nodeid: str = "") -> ConfiguredSettings:
    """The settings helpers read their targets from, for the test ``nodeid``.

    With ``--ml-checklist`` they come from the resolved configuration (the test's project's in
    a monorepo); without, the configuration is read once, lazily, and a broken one is kept as a
    problem that a helper reports only when it needs a configured value.
    """
    from pytest_mlchecklist.helpers.configured import ConfiguredSettings, read_configured_settings

    if SESSION_KEY in config.stash:
        resolved = config.stash[SESSION_KEY].config_for_test(nodeid)
        return ConfiguredSettings(settings=resolved.settings, source=resolved.source)
    if SETTINGS_KEY not in config.stash:
        option = config.getoption("ml_checklist_config")
        config_file = Path(option) if option else None
        if config_file is not None and not config_file.is_absolute():
            config_file = config.invocation_params.dir / config_file
        config.stash[SETTINGS_KEY] = read_configured_settings(config.rootpath, config_file)
    return config.stash[SETTINGS_KEY]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Move checklist items after every other test, once other plugins have filtered and
    reordered the items: they are evaluated with the evidence of the tests that ran first."""
    if SESSION_KEY not in config.stash:
        return
    items[:] = [item for item in items if not isinstance(item, ChecklistItem)] + [
        item for item in items if isinstance(item, ChecklistItem)
    ]


def _write_file(path: Path, text: str) -> str | None:
    """Write a report; return a message instead of raising when the file cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        return f"cannot write the report {path}: {exc.strerror}; check the path and its permissions"
    return None

