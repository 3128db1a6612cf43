"""Baselines in monorepos (one `[folder]` section per project), and the per-project records that
`ml-checklist list` and `waivers` read after a pytest run at the monorepo root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_dedented as write
from project_support import RUNBOOK, RUNNER_MODES

from pytest_mlchecklist import cli

TODAY = "--ml-checklist-today=2026-11-22"
DAY = "2026-11-22"


def make_monorepo(root: Path) -> None:
    """Two projects: services/ranker meets both its items (a runbook, a passing marked test);
    batch/scoring meets none of its two (no runbook, no marked test), so they are gaps to adopt."""
    write(root, {
        "pytest.ini": "[pytest]\n",
        "mlchecklist.yaml": 'projects: ["services/ranker", "batch/scoring"]\n',
        "services/ranker/mlchecklist.yaml": "profile: [rollback, training-serving-skew]\n",
        "services/ranker/docs/rollback.md": RUNBOOK,
        "services/ranker/tests/test_ranker.py": """\
            import pytest

            @pytest.mark.ml_checklist("training-serving-skew")
            @pytest.mark.ml_waive("load-testing", reason="Traffic is tiny until the launch", owner="@ranker-team", expires="2027-01-15")
            def test_ranker_features_match():
                assert True
            """,
        "batch/scoring/mlchecklist.yaml": "profile: [rollback, training-serving-skew]\n",
        "batch/scoring/tests/test_scoring.py": """\
            def test_scoring_runs():
                assert True
            """,
    })


def adopt(pytester: pytest.Pytester, *mode: str) -> None:
    """Record the baseline of every project (the first of the two commands)."""
    result = pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-baseline=base.txt",
                                "--ml-checklist-baseline-update", *mode)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()


def sections(text: str) -> dict[str, dict[str, str]]:
    """The baseline file as project -> slug -> status."""
    found: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("["):
            current = found.setdefault(line.strip("[]"), {})
        elif line:
            slug, status = line.split()
            current[slug] = status
    return found


# ---------------------------------------------------------------------- under pytest
@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_two_projects_adopt_one_baseline_file_in_two_commands(pytester: pytest.Pytester, mode: list[str]) -> None:
    make_monorepo(pytester.path)
    first = pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-baseline=base.txt",
                               "--ml-checklist-baseline-update", *mode)
    assert first.ret == pytest.ExitCode.OK
    first.stdout.fnmatch_lines(["*baseline written to base.txt: 4 items (2 unmet)*"])
    assert sections(pytester.path.joinpath("base.txt").read_text()) == {
        "batch/scoring": {"rollback": "unmet", "training-serving-skew": "unmet"},
        "services/ranker": {"rollback": "met", "training-serving-skew": "met"},
    }
    second = pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-baseline=base.txt", *mode)
    assert second.ret == pytest.ExitCode.OK
    second.assert_outcomes(passed=4, xfailed=2)  # 2 tests + 2 met items; batch/scoring's gaps are known
    second.stdout.fnmatch_lines([
        "*Baseline base.txt: 0 regressed, 0 new and not met, 2 known gaps (not failing), 0 improved*",
        "*batch/scoring: 0/2 met (0.0%) -> delay-launch; passes the gate (baseline: 2 known gaps)*",
        "Overall: every project passes the gate (2 projects)",
    ])


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_regression_in_one_project_fails_and_names_project_and_item(pytester: pytest.Pytester,
                                                                     mode: list[str]) -> None:
    make_monorepo(pytester.path)
    adopt(pytester, *mode)
    pytester.path.joinpath("services/ranker/docs/rollback.md").unlink()
    result = pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-baseline=base.txt", "-rxf", *mode)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=3, failed=1, xfailed=2)
    result.stdout.fnmatch_lines([
        "*FAILED services/ranker/mlchecklist.yaml::rollback*",
    ])
    assert "ml-checklist baseline base.txt [services/ranker]: regressed from met (met -> unmet)" in result.stdout.str()
    # the other project's known gaps stay xfailed
    result.stdout.fnmatch_lines_random([
        "XFAIL*batch/scoring/mlchecklist.yaml::rollback*known gap*",
        "XFAIL*batch/scoring/mlchecklist.yaml::training-serving-skew*known gap*",
    ])
    result.stdout.fnmatch_lines(["Overall: 1 of 2 projects fail the gate (services/ranker)"])


def test_project_missing_from_the_baseline_is_a_usage_error(pytester: pytest.Pytester) -> None:
    make_monorepo(pytester.path)
    adopt(pytester)
    text = pytester.path.joinpath("base.txt").read_text()
    pytester.path.joinpath("base.txt").write_text(text.replace("[batch/scoring]", "[batch/old-scoring]"))
    result = pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-baseline=base.txt")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*no [[]batch/scoring[]] section, so nothing is recorded for project 'batch/scoring'*"])
    assert "Traceback" not in result.stderr.str()


def test_json_report_has_each_projects_baseline_block(pytester: pytest.Pytester) -> None:
    make_monorepo(pytester.path)
    adopt(pytester)
    pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-baseline=base.txt", "--ml-checklist-json=out.json")
    report = json.loads(pytester.path.joinpath("out.json").read_text())
    blocks = {project["project"]: project["baseline"] for project in report["projects"]}
    assert blocks["batch/scoring"]["project"] == "batch/scoring"
    assert [entry["id"] for entry in blocks["batch/scoring"]["known"]] == ["training-serving-skew", "rollback"]
    assert blocks["services/ranker"]["known"] == [] and blocks["services/ranker"]["failed"] is False
    assert report["failed"] is False  # known gaps only: the run passes, and the report says so


# ---------------------------------------------------------------------- ml-checklist scan
def test_scan_baseline_in_a_monorepo_gives_the_same_exit_codes(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    make_monorepo(tmp_path)
    base = str(tmp_path / "base.txt")
    assert cli.main(["scan", str(tmp_path), "--today", DAY]) == cli.EXIT_GATE_FAILED  # no baseline: gaps fail
    assert cli.main(["scan", str(tmp_path), "--today", DAY, "--baseline", base, "--update-baseline"]) == cli.EXIT_OK
    assert set(sections(Path(base).read_text())) == {"batch/scoring", "services/ranker"}
    capsys.readouterr()
    assert cli.main(["scan", str(tmp_path), "--today", DAY, "--baseline", base]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "Overall: every project passes the gate (2 projects)" in out
    (tmp_path / "services/ranker/docs/rollback.md").unlink()
    assert cli.main(["scan", str(tmp_path), "--today", DAY, "--baseline", base]) == cli.EXIT_GATE_FAILED
    out = capsys.readouterr().out
    assert "services/ranker: regressed: [29] rollback (met -> unmet)" in out
    assert "batch/scoring: Baseline " + base + ": 0 regressed, 0 new and not met, 2 known gaps" in out


def test_scan_baseline_json_and_missing_section(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_monorepo(tmp_path)
    base = tmp_path / "base.txt"
    cli.main(["scan", str(tmp_path), "--today", DAY, "--baseline", str(base), "--update-baseline"])
    capsys.readouterr()
    assert cli.main(["scan", str(tmp_path), "--today", DAY, "--baseline", str(base), "--format", "json"]) == cli.EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert [project["baseline"]["project"] for project in report["projects"]] == ["batch/scoring", "services/ranker"]
    base.write_text(base.read_text().replace("[services/ranker]", "[services/other]"))
    assert cli.main(["scan", str(tmp_path), "--today", DAY, "--baseline", str(base)]) == cli.EXIT_USAGE
    assert "no [services/ranker] section" in capsys.readouterr().err


# ---------------------------------------------------------------------- list and waivers per project
def test_list_and_waivers_of_a_project_after_a_root_run(pytester: pytest.Pytester,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    make_monorepo(pytester.path)
    ranker = str(pytester.path / "services/ranker")
    capsys.readouterr()
    assert cli.main(["list", ranker, "--format", "json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert before["last_run"] is None and {row["status"] for row in before["items"]} == {"-"}
    pytester.runpytest("--ml-checklist", TODAY).assert_outcomes(passed=4, failed=2)
    capsys.readouterr()
    assert cli.main(["list", ranker, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {row["id"]: row["status"] for row in listed["items"]} == {"rollback": "met", "training-serving-skew": "met"}
    assert cli.main(["list", str(pytester.path / "batch/scoring"), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {row["id"]: row["status"] for row in listed["items"]} == {"rollback": "unmet",
                                                                       "training-serving-skew": "unmet"}
    assert cli.main(["waivers", ranker, "--today", DAY, "--format", "json"]) == 0
    waivers = json.loads(capsys.readouterr().out)["waivers"]
    assert [(row["item"], row["origin"], row["owner"]) for row in waivers] == [("load-testing", "marker", "@ranker-team")]
    assert cli.main(["waivers", str(pytester.path / "batch/scoring"), "--today", DAY, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["waivers"] == []
    # scanning the project folder uses the same record: its marked test still counts
    assert cli.main(["scan", ranker, "--today", DAY, "--format", "json"]) == cli.EXIT_OK
    scanned = json.loads(capsys.readouterr().out)
    assert {entry["id"]: entry["status"] for entry in scanned["items"]}["training-serving-skew"] == "met"
