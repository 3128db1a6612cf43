"""The ml-checklist command: the engine without running tests, its formats and exit codes."""

from __future__ import annotations

import json
import sys

import pytest

RUNBOOK = """\
# Model rollback

## Rollback steps
1. Pause the training pipeline so that no new model is promoted.
2. Run `kubectl rollout undo deployment/scorer` to return to the previous version.
3. Confirm the previous model version on the /health endpoint.

Last rehearsed: 2026-09-30
"""


def scan(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.run(sys.executable, "-m", "pytest_mlchecklist", "scan", *args)


def make_repo(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: [rollback, on-call]\n")
    pytester.mkdir("docs")
    pytester.path.joinpath("docs", "rollback.md").write_text(RUNBOOK)


def test_scan_json_report(pytester: pytest.Pytester) -> None:
    make_repo(pytester)
    result = scan(pytester, str(pytester.path), "--format", "json", "--today", "2026-11-22")
    assert result.ret == 1
    report = json.loads(result.stdout.str())
    assert report["score"] == {"met": 1, "applicable": 2, "percent": 50.0}
    assert [(item["id"], item["status"]) for item in report["items"]] == [("rollback", "met"), ("on-call", "unmet")]
    assert report["items"][0]["evidence"][0]["path"] == "docs/rollback.md"
    assert report["tests_ran"] is False


def test_scan_terminal_output_explains_failures(pytester: pytest.Pytester) -> None:
    make_repo(pytester)
    result = scan(pytester, "--today", "2026-11-22")
    assert result.ret == 1
    result.stdout.fnmatch_lines([
        "MET*[[]29] rollback: rollback procedure*",
        "UNMET*[[]40] on-call: *",
        "*failing items*",
        "[[]40] on-call*UNMET",
        "*Ways out:*",
        "*Score: 1/2 applicable items met (50.0%) -> delay-launch*",
        "*static scan: no recorded test run*",
    ])


def test_scan_exit_zero_when_everything_passes(pytester: pytest.Pytester) -> None:
    make_repo(pytester)
    result = scan(pytester, "--profile", "mature", "--today", "2026-11-22", "--format", "markdown",
                  "--output", "out/report.md")
    assert result.ret == 1
    assert pytester.path.joinpath("out", "report.md").read_text().startswith("## ML readiness:")
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: [rollback]\n")
    assert scan(pytester, "--today", "2026-11-22").ret == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["does-not-exist"], "does-not-exist is not a folder"),
        (["--today", "tomorrow"], "'tomorrow' is not a date"),
        (["--profile", "gold"], "unknown profile 'gold'"),
    ],
)
def test_scan_usage_errors(pytester: pytest.Pytester, args: list[str], expected: str) -> None:
    make_repo(pytester)
    result = scan(pytester, *args)
    assert result.ret == 2
    assert expected in result.stderr.str()
    assert "Traceback" not in result.stderr.str()


def test_scan_bad_configuration(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: mvp\nwaivers:\n  - item: 23\n    reason: ok\n")
    result = scan(pytester)
    assert result.ret == 2
    result.stderr.fnmatch_lines([
        "ml-checklist: error: invalid configuration in mlchecklist.yaml:",
        "  - 'waivers[0].expires' is required",
    ])
