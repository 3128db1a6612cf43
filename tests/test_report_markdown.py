"""The Markdown report shaped for a pull-request comment: headline, failing items first with
their fix, waivers with days left, collapsed sections, and always under GitHub's size limit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from report_support import make_report_project

from pytest_mlchecklist import cli
from pytest_mlchecklist.engine import ChecklistResult, scan
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.reports.markdown import GITHUB_COMMENT_LIMIT, render_markdown, render_markdown_many

TODAY = dt.date(2026, 11, 22)
CONFIG = """\
profile: [rollback, on-call, load-testing, horizontal-scaling, resource-limits]
waivers:
  - item: load-testing
    reason: "Traffic is under five requests per second | flat <details> and quiet"
    owner: "@ml-platform"
    expires: 2027-03-01
not_applicable:
  - item: horizontal-scaling
    reason: Batch scoring only, there is no online serving path
"""


def make_project(root: Path, config: str = CONFIG) -> Path:
    return make_report_project(root, config)


@pytest.fixture
def result(tmp_path: Path) -> ChecklistResult:
    return scan(make_project(tmp_path), today=TODAY)


def test_headline_with_score_band_and_counts(result: ChecklistResult) -> None:
    report = render_markdown(result)
    lines = report.splitlines()
    assert lines[0] == "## ML readiness: 25.0% (1/4) - delay-launch"
    assert lines[2].startswith("**1 met**, 1 unmet, 1 error, 1 waived, 1 not applicable. "
                               "Catalog `production-ml-51`, profile `custom")


def test_failing_items_come_first_with_message_and_fix(result: ChecklistResult) -> None:
    report = render_markdown(result)
    failing = report.index("### Items that fail the gate (2)")
    assert failing < report.index("### Waivers") < report.index("### By section") < report.index("<details>")
    on_call = result.config.catalog.item("on-call")
    assert f"- **unmet** **[40] on-call** {on_call.title}: no evidence found\n  - How to fix: {on_call.remediation}" in report
    assert "- **error** **[30] resource-limits**" in report
    assert "  - Found: `deploy/deployment.yaml` (unreadable)" in report


def test_waivers_show_owner_expiry_and_days_left_escaped(result: ChecklistResult) -> None:
    report = render_markdown(result)
    assert ("| [23] load-testing | waived | @ml-platform | 2027-03-01 | 99 | "
            "Traffic is under five requests per second \\| flat &lt;details&gt; and quiet |") in report
    assert "| [26] horizontal-scaling | not applicable | | | | Batch scoring only, there is no online serving path |" in report
    assert report.count("<details>") == report.count("</details>")


def test_everything_else_is_in_collapsed_sections(result: ChecklistResult) -> None:
    report = render_markdown(result)
    blocks = re.findall(r"<details><summary><b>(.*?)</b>: (.*?)</summary>(.*?)</details>", report, re.DOTALL)
    titles = [title for title, _, _ in blocks]
    assert titles == ["Model testing", "Serving infrastructure"]  # Monitoring holds only a failing item
    assert [summary for _, summary, _ in blocks] == ["0/1 met, 1 waived",
                                                     "1/2 met, 1 not applicable, 1 failing (listed above)"]
    body = "".join(content for _, _, content in blocks)
    assert "[29] rollback" in body and "`docs/rollback.md:3` (supports)" in body
    assert "[23] load-testing" in body and "[26] horizontal-scaling" in body
    assert "[40] on-call" not in body  # failing items are listed above, not repeated


def test_an_expired_waiver_is_flagged_with_negative_days(tmp_path: Path) -> None:
    config = CONFIG.replace("expires: 2027-03-01", "expires: 2026-11-12")
    report = render_markdown(scan(make_project(tmp_path, config), today=TODAY))
    assert "| [23] load-testing | waiver **expired** | @ml-platform | 2026-11-12 | -10 |" in report


def _bloated(result: ChecklistResult, evidence: int, message: int) -> ChecklistResult:
    """The same result with very long messages and evidence lists on every item."""
    items = []
    for entry in result.items:
        pieces = [Evidence(item=entry.item.id, kind="file", detector="d", detail="x" * 80, verdict="partial",
                           path=f"src/module_{number}.py", line=number + 1) for number in range(evidence)]
        items.append(dataclasses.replace(entry, message="m" * message, evidence=pieces))
    return dataclasses.replace(result, items=items)


def test_a_huge_report_is_shortened_under_the_comment_limit(tmp_path: Path) -> None:
    full = scan(make_project(tmp_path, "profile: mature\n"), today=TODAY)
    huge = _bloated(full, evidence=300, message=20_000)
    report = render_markdown(huge)
    assert len(report) <= GITHUB_COMMENT_LIMIT
    assert report.startswith("## ML readiness: ")
    assert "more in the JSON report" in report or "listed in the JSON report" in report
    assert "_Shortened to fit a pull-request comment:" in report
    for entry in huge.failed:
        assert f"**{entry.item.label}**" in report  # every failing item is still named
    assert report.count("<details>") == report.count("</details>")


def test_a_small_budget_falls_back_to_headline_and_failing_items(result: ChecklistResult) -> None:
    report = render_markdown(_bloated(result, evidence=50, message=5_000), budget=700)
    assert len(report) <= 700
    assert report.startswith("## ML readiness: 25.0% (1/4) - delay-launch")
    assert "see the JSON report" in report


def test_a_report_that_fits_is_not_shortened(result: ChecklistResult) -> None:
    assert "Shortened" not in render_markdown(result)
    long_lists = render_markdown(_bloated(result, evidence=30, message=3_000))
    assert "Shortened" not in long_lists and "more in the JSON report" not in long_lists
    assert "`src/module_29.py:30` (partial)" in long_lists


def test_several_projects_get_a_part_each(tmp_path: Path) -> None:
    first = scan(make_project(tmp_path / "services" / "ranker"), today=TODAY)
    second = scan(make_project(tmp_path / "batch" / "scoring", "profile: [rollback]\n"), today=TODAY)
    report = render_markdown_many([first, second])
    assert report.startswith("## ML readiness: 2 projects, 1 failing the gate")
    assert "### `services/ranker`: 25.0% (1/4) - delay-launch" in report
    assert "### `batch/scoring`: 100.0% (1/1) - ready" in report
    assert "#### Items that fail the gate (2)" in report
    assert render_markdown_many([first]) == render_markdown(first)


def test_scan_command_prints_the_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["scan", str(make_project(tmp_path)), "--format", "markdown", "--today", "2026-11-22"])
    assert code == cli.EXIT_GATE_FAILED
    assert capsys.readouterr().out.startswith("## ML readiness: 25.0% (1/4) - delay-launch")


# ---------------------------------------------------------------------- the baseline block
def _compared(result: ChecklistResult, recorded: dict[str, str]) -> ChecklistResult:
    from pytest_mlchecklist.baseline import compare

    result.baseline = compare(result, recorded, file=".mlchecklist-baseline")
    return result


def test_baseline_block_shows_regressions_known_gaps_and_improvements(result: ChecklistResult) -> None:
    assert "Baseline" not in render_markdown(result)  # no baseline in use: no block
    _compared(result, {"rollback": "unmet", "on-call": "unmet", "load-testing": "waived",
                       "horizontal-scaling": "not_applicable", "resource-limits": "met"})
    report = render_markdown(result)
    assert report.index("### Baseline `.mlchecklist-baseline`: fails the run") < report.index("### Items that fail the gate")
    assert "**1 regressed**, **0 new and not met**, 1 known gaps (not failing), 1 improved." in report
    assert "- Regressed: [30] resource-limits (met -> error)" in report
    assert "- Improved (update the baseline to keep them): [29] rollback (unmet -> met)" in report
    assert "- Known gaps: [40] on-call (unmet)" in report
    assert "- **unmet** **[40] on-call** " in report and "_(known gap)_: no evidence found" in report
    assert "**[30] resource-limits**" in report and "[30] resource-limits** _(known gap)_" not in report


def test_baseline_block_names_new_items_and_a_passing_run(result: ChecklistResult) -> None:
    _compared(result, {"on-call": "unmet", "resource-limits": "error", "rollback": "met"})
    report = render_markdown(result)
    assert "### Baseline `.mlchecklist-baseline`: passes the run" in report
    assert "**0 regressed**, **0 new and not met**, 2 known gaps" in report
    _compared(result, {"rollback": "met"})
    report = render_markdown(result)
    assert "- New in the profile, not met: [30] resource-limits (absent -> error), [40] on-call (absent -> unmet)" in report


def test_baseline_block_keeps_the_report_under_the_comment_limit(tmp_path: Path) -> None:
    full = scan(make_project(tmp_path, "profile: mature\n"), today=TODAY)
    recorded = {entry.item.id: "unmet" for entry in full.items}
    regressed = full.failed[0]
    recorded[regressed.item.id] = "met"
    huge = _compared(_bloated(full, evidence=300, message=20_000), recorded)
    report = render_markdown(huge)
    assert len(report) <= GITHUB_COMMENT_LIMIT
    assert f"- Regressed: {regressed.item.label} (met -> {regressed.status})" in report
    assert f"{len(full.failed) - 1} known gaps (not failing)" in report
    small = render_markdown(huge, budget=700)
    assert len(small) <= 700
    assert "Baseline `.mlchecklist-baseline`: 1 items fail the run" in small


def test_scan_markdown_with_a_baseline_shows_the_block(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path)
    base = str(tmp_path / "base.txt")
    assert cli.main(["scan", str(root), "--today", "2026-11-22", "--baseline", base, "--update-baseline"]) == cli.EXIT_OK
    capsys.readouterr()
    code = cli.main(["scan", str(root), "--format", "markdown", "--today", "2026-11-22", "--baseline", base])
    assert code == cli.EXIT_OK
    assert f"### Baseline `{base}`: passes the run" in capsys.readouterr().out
