"""The ``ml-checklist`` command: the same engine as the pytest plugin, without running tests.

Exit codes: 0 every item of the profile passes the gate; 1 some item is unmet or in error (and,
for ``waivers --fail-on-expiring``, some waiver expires soon or has expired); 2 the command line,
the configuration or the repository path is wrong; 3 an internal error.

``scan`` lives here; ``init``, ``explain``, ``list`` and ``waivers`` live in
:mod:`pytest_mlchecklist.commands`, one module each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from pytest_mlchecklist import __version__

if TYPE_CHECKING:
    from pytest_mlchecklist.engine import ChecklistResult

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``ml-checklist``."""
    parser = argparse.ArgumentParser(
        prog="ml-checklist",
        description="Evaluate an ML repository against a production-readiness checklist.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    scan = commands.add_parser(
        "scan",
        help="evaluate a repository from its files (and the test evidence of its last pytest run)",
        description="Evaluate a repository without running its tests: static evidence, plus the test "
        "evidence recorded by its last `pytest --ml-checklist` run where one exists.",
    )
    scan.add_argument("path", nargs="?", default=".", help="repository root (default: the current folder)")
    scan.add_argument("--profile", default=None, help="profile to enforce: mvp, mature, regulated, safety-nets (overrides the configuration)")
    scan.add_argument("--catalog", default=None, help="catalog to evaluate: production-ml-51, safety-nets, an extension's "
                      "catalog or a team catalog file (overrides the configuration)")
    scan.add_argument("--format", choices=("terminal", "json", "markdown", "sarif", "html"), default="terminal",
                      help="output format (sarif: SARIF 2.1.0 for code scanning; html: one self-contained page)")
    scan.add_argument("--output", metavar="FILE", default=None, help="write the report to FILE instead of standard output")
    scan.add_argument("--config", metavar="FILE", default=None, help="configuration file (default: found in the root)")
    scan.add_argument("--today", metavar="YYYY-MM-DD", default=None, help="evaluate dates as of this day")
    scan.add_argument("--strict", action="store_true", help="also fail items that are met but carry an unused waiver")
    scan.add_argument("--baseline", metavar="FILE", default=None,
                      help="fail only on changes from the statuses recorded in FILE (see docs/baseline.md)")
    scan.add_argument("--update-baseline", action="store_true",
                      help="record every item's status now in the --baseline FILE (exit 0 unless writing fails)")
    for module in _command_modules().values():
        module.add_parser(commands)
    return parser


def _command_modules() -> dict[str, ModuleType]:
    """The sub-commands besides ``scan``, by name (each has ``add_parser`` and ``run``)."""
    from pytest_mlchecklist.commands import explain, init, listing, waivers

    return {"init": init, "explain": explain, "list": listing, "waivers": waivers}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if arguments.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        command = _command_modules().get(arguments.command)
        return command.run(arguments) if command is not None else _scan(arguments)
    except BrokenPipeError:
        # The reader went away (`ml-checklist list | head`): stop quietly, as other tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_GATE_FAILED
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        from pytest_mlchecklist.errors import ChecklistError

        if isinstance(exc, ChecklistError):
            print(f"ml-checklist: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if os.environ.get("ML_CHECKLIST_DEBUG"):
            traceback.print_exc()
        print(f"ml-checklist: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug in pytest-mlchecklist; set ML_CHECKLIST_DEBUG=1 to see the traceback and report it.",
              file=sys.stderr)
        return EXIT_INTERNAL


def _scan(arguments: argparse.Namespace) -> int:
    from pytest_mlchecklist.config import parse_today
    from pytest_mlchecklist.engine import scan_projects

    root = Path(arguments.path)
    if not root.is_dir():
        print(f"ml-checklist: error: {root} is not a folder; give the root of the repository to scan", file=sys.stderr)
        return EXIT_USAGE
    today: dt.date | None = None
    if arguments.today:
        try:
            today = parse_today(arguments.today)
        except ValueError as exc:
            print(f"ml-checklist: error: --today: {exc}", file=sys.stderr)
            return EXIT_USAGE
    config_file = Path(arguments.config) if arguments.config else None
    if arguments.update_baseline and not arguments.baseline:
        print("ml-checklist: error: --update-baseline needs --baseline FILE, the file to record the statuses in",
              file=sys.stderr)
        return EXIT_USAGE
    results = scan_projects(root, profile=arguments.profile, today=today, config_file=config_file,
                            strict=arguments.strict, catalog=arguments.catalog)
    delivery_problems = _deliver_results(results)
    if results[0].project is not None:
        return _with_delivery(_scan_monorepo(root, results, arguments), delivery_problems)
    result = results[0]
    recorded = _read_baseline(arguments)
    baseline_lines = _apply_baseline(result, arguments, recorded)
    text = _render(result, arguments.format)
    if baseline_lines and arguments.format == "terminal" and not arguments.output:
        text += "\n".join(baseline_lines) + "\n"
    elif baseline_lines:
        print("\n".join(baseline_lines), file=sys.stderr)
    if arguments.output:
        output = Path(arguments.output)
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"ml-checklist: error: cannot write {output}: {exc.strerror}", file=sys.stderr)
            return EXIT_USAGE
    else:
        sys.stdout.write(text)
    return _with_delivery(EXIT_GATE_FAILED if result.run_failures else EXIT_OK, delivery_problems)


def _deliver_results(results: Sequence[ChecklistResult]) -> list[str]:
    """Hand each result to the installed extensions' ``mlchecklist_result`` hooks; the problems."""
    from pytest_mlchecklist.engine import config_extensions

    problems: list[str] = []
    for result in results:
        problems.extend(config_extensions(result.config).deliver_result(result))
    return problems


def _with_delivery(code: int, problems: list[str]) -> int:
    """The exit code once the result receivers have run: a failing receiver is a usage error (2)."""
    for problem in problems:
        print(f"ml-checklist: error: {problem}", file=sys.stderr)
    return EXIT_USAGE if problems else code


def _scan_monorepo(root: Path, results: list[ChecklistResult], arguments: argparse.Namespace) -> int:
    """A monorepo: a report per project (see docs/monorepos.md); exit 1 when any project fails."""
    from pytest_mlchecklist.reports.json_report import render_results_json
    from pytest_mlchecklist.reports.monorepo import render_projects_markdown
    from pytest_mlchecklist.reports.terminal import overall_lines

    baseline_lines = _apply_project_baselines(results, arguments)
    if arguments.format == "json":
        text = render_results_json(root.resolve(), results)
    elif arguments.format == "markdown":
        text = render_projects_markdown(results)
    elif arguments.format == "sarif":
        from pytest_mlchecklist.reports.sarif import render_sarif

        text = render_sarif(results)
    elif arguments.format == "html":
        from pytest_mlchecklist.reports.html import render_html

        text = render_html(results)
    else:
        text = "\n".join("-" * 30 + f" project {result.project} " + "-" * 30 + "\n" + _render(result, "terminal")
                         for result in results)
        text += "\n" + "=" * 30 + " ml-checklist: all projects " + "=" * 30 + "\n"
        text += "\n".join(overall_lines(results)) + "\n"
    if baseline_lines and arguments.format == "terminal" and not arguments.output:
        text += "\n".join(baseline_lines) + "\n"
    elif baseline_lines:
        print("\n".join(baseline_lines), file=sys.stderr)
    if not arguments.output:
        sys.stdout.write(text)
    else:
        try:
            Path(arguments.output).parent.mkdir(parents=True, exist_ok=True)
            Path(arguments.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"ml-checklist: error: cannot write {arguments.output}: {exc.strerror}", file=sys.stderr)
            return EXIT_USAGE
    return EXIT_GATE_FAILED if any(result.run_failures for result in results) else EXIT_OK


def _apply_project_baselines(results: list[ChecklistResult], arguments: argparse.Namespace) -> list[str]:
    """A monorepo with ``--baseline``: compare each project with its ``[folder]`` section (recording
    every project first with ``--update-baseline``); returns the summary lines, per project."""
    from pytest_mlchecklist.baseline import compare, read_baseline, record, write_baseline

    if not arguments.baseline:
        return []
    path = Path(arguments.baseline)
    lines: list[str] = []
    if arguments.update_baseline:
        lines.append(write_baseline(path, {str(result.project): result for result in results}))
        recorded = {str(result.project): record(result) for result in results}
    else:
        baseline = read_baseline(path)
        recorded = {str(result.project): baseline.statuses(str(result.project)) for result in results}
    for result in results:
        project = str(result.project)
        result.baseline = compare(result, recorded[project], file=arguments.baseline, project=project,
                                  updated=arguments.update_baseline)
        lines += [f"{project}: {line}" for line in result.baseline.summary_lines()]
    return lines


def _read_baseline(arguments: argparse.Namespace) -> dict[str, str] | None:
    """The statuses recorded in ``--baseline FILE`` (none to read without it or when updating it)."""
    from pytest_mlchecklist.baseline import ROOT_PROJECT, read_baseline

    if not arguments.baseline or arguments.update_baseline:
        return None
    return read_baseline(Path(arguments.baseline)).statuses(ROOT_PROJECT)


def _apply_baseline(result: object, arguments: argparse.Namespace, recorded: dict[str, str] | None) -> list[str]:
    """With ``--baseline``: compare the result with it (recording it first with ``--update-baseline``);
    returns the summary lines."""
    from pytest_mlchecklist.baseline import ROOT_PROJECT, compare, record, write_baseline
    from pytest_mlchecklist.engine import ChecklistResult

    assert isinstance(result, ChecklistResult)
    if not arguments.baseline:
        return []
    written = None
    if arguments.update_baseline:
        written = write_baseline(Path(arguments.baseline), {ROOT_PROJECT: result})
        recorded = record(result)
    result.baseline = compare(result, recorded or {}, file=arguments.baseline, updated=arguments.update_baseline)
    return result.baseline.summary_lines(written)


def _render(result: object, output_format: str) -> str:
    from pytest_mlchecklist.engine import ChecklistResult
    from pytest_mlchecklist.reports.explain import failure_text
    from pytest_mlchecklist.reports.json_report import render_json
    from pytest_mlchecklist.reports.markdown import render_markdown
    from pytest_mlchecklist.reports.terminal import item_lines, project_title, summary_lines

    assert isinstance(result, ChecklistResult)
    if output_format == "json":
        return render_json(result)
    if output_format == "markdown":
        return render_markdown(result)
    if output_format == "sarif":
        from pytest_mlchecklist.reports.sarif import render_sarif

        return render_sarif([result])
    if output_format == "html":
        from pytest_mlchecklist.reports.html import render_html

        return render_html([result])
    lines = item_lines(result)
    failing = result.failed
    if failing:
        lines += ["", "=" * 30 + " failing items " + "=" * 30]
        for entry in failing:
            lines += ["", failure_text(entry, result.config)]
    lines += ["", "=" * 30 + f" {project_title(result)} " + "=" * 30, *summary_lines(result)]
    if not result.test_run:
        lines.append("(static scan: no recorded test run; run `pytest --ml-checklist` to add test evidence)")
    return "\n".join(lines) + "\n"
