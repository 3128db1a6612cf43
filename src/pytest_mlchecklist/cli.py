"""The ``ml-checklist`` command: the same engine as the pytest plugin, without running tests.

Exit codes: 0 every item of the profile passes the gate; 1 some item is unmet or in error;
2 the command line, the configuration or the repository path is wrong; 3 an internal error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from pytest_mlchecklist import __version__

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
    scan.add_argument("--profile", default=None, help="profile to enforce: mvp, mature, regulated (overrides the configuration)")
    scan.add_argument("--format", choices=("terminal", "json", "markdown"), default="terminal", help="output format")
    scan.add_argument("--output", metavar="FILE", default=None, help="write the report to FILE instead of standard output")
    scan.add_argument("--config", metavar="FILE", default=None, help="configuration file (default: found in the root)")
    scan.add_argument("--today", metavar="YYYY-MM-DD", default=None, help="evaluate dates as of this day")
    scan.add_argument("--strict", action="store_true", help="also fail items that are met but carry an unused waiver")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if arguments.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return _scan(arguments)
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
    from pytest_mlchecklist.engine import scan

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
    result = scan(root, profile=arguments.profile, today=today, config_file=config_file, strict=arguments.strict)
    text = _render(result, arguments.format)
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
    return EXIT_GATE_FAILED if result.failed else EXIT_OK


def _render(result: object, output_format: str) -> str:
    from pytest_mlchecklist.engine import ChecklistResult
    from pytest_mlchecklist.reports.explain import failure_text
    from pytest_mlchecklist.reports.json_report import render_json
    from pytest_mlchecklist.reports.markdown import render_markdown
    from pytest_mlchecklist.reports.terminal import item_lines, summary_lines

    assert isinstance(result, ChecklistResult)
    if output_format == "json":
        return render_json(result)
    if output_format == "markdown":
        return render_markdown(result)
    lines = item_lines(result)
    failing = result.failed
    if failing:
        lines += ["", "=" * 30 + " failing items " + "=" * 30]
        for entry in failing:
            lines += ["", failure_text(entry, result.config)]
    lines += ["", "=" * 30 + " ml-checklist " + "=" * 30, *summary_lines(result)]
    if not result.test_run:
        lines.append("(static scan: no recorded test run; run `pytest --ml-checklist` to add test evidence)")
    return "\n".join(lines) + "\n"
