"""Monorepos: each project listed under `projects:` gets its own, independent verdict."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import write_dedented as write
from project_support import RUNBOOK

from pytest_mlchecklist import cli
from pytest_mlchecklist.errors import ChecklistError, ConfigError
from pytest_mlchecklist.projects import load_projects, project_of

TODAY = "--ml-checklist-today=2026-11-22"
DAY = dt.date(2026, 11, 22)
RUNNER_MODES = [pytest.param([], id="no-xdist-args"), pytest.param(["-p", "no:xdist"], id="xdist-disabled"),
                pytest.param(["-n", "2"], id="xdist-n2")]


def make_monorepo(root: Path, *, batch_test_passes: bool = False) -> None:
    """Two projects with different profiles and evidence, and a marked test outside both.

    * services/ranker (mlchecklist.yaml): a rollback runbook and a passing marked skew test:
      ready;
    * batch/scoring ([tool.ml-checklist] in pyproject.toml): no runbook of its own, a failing
      marked skew test, and a waiver: fails its gate.
    """
    assertion = "True" if batch_test_passes else "False"
    write(root, {
        "pytest.ini": "[pytest]\n",
        "mlchecklist.yaml": 'projects: ["services/*", "batch/scoring"]\n',
        "services/ranker/mlchecklist.yaml": "profile: [rollback, training-serving-skew]\n",
        "services/ranker/docs/rollback.md": RUNBOOK,
        "services/ranker/tests/test_ranker.py": """\
            import pytest

            @pytest.mark.ml_checklist("training-serving-skew")
            def test_ranker_features_match():
                assert True
            """,
        "batch/scoring/pyproject.toml": """\
            [tool.ml-checklist]
            profile = ["rollback", "training-serving-skew", "load-testing"]

            [[tool.ml-checklist.waivers]]
            item = "load-testing"
            reason = "Nightly batch job with a fixed input size"
            owner = "@batch-team"
            expires = 2027-01-01
            """,
        "batch/scoring/tests/test_scoring.py": f"""\
            import pytest

            @pytest.mark.ml_checklist("training-serving-skew")
            def test_scoring_features_match():
                assert {assertion}
            """,
        "test_shared.py": """\
            import pytest

            @pytest.mark.ml_checklist("training-serving-skew")
            def test_outside_every_project():
                assert True
            """,
    })


def statuses(report: dict) -> dict[str, dict[str, str]]:
    """``{project: {item: status}}`` from a monorepo JSON report."""
    return {project["project"]: {item["id"]: item["status"] for item in project["items"]}
            for project in report["projects"]}


EXPECTED = {
    "batch/scoring": {"training-serving-skew": "unmet", "load-testing": "waived", "rollback": "unmet"},
    "services/ranker": {"training-serving-skew": "met", "rollback": "met"},
}


# ---------------------------------------------------------------------- pytest plugin
@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_two_projects_get_two_independent_verdicts(pytester: pytest.Pytester, mode: list[str]) -> None:
    make_monorepo(pytester.path)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "-rA", "--ml-checklist-json=out.json", *mode)
    # ranker: its test and both items pass; batch: its test and two items fail, one xfails (waived);
    # the shared test passes and counts for no project
    result.assert_outcomes(passed=4, failed=3, xfailed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "*PASSED services/ranker/mlchecklist.yaml::training-serving-skew*",
        "*PASSED services/ranker/mlchecklist.yaml::rollback*",
        "*XFAIL batch/scoring/pyproject.toml::load-testing*waived by @batch-team*",
        "*FAILED batch/scoring/pyproject.toml::training-serving-skew*",
        "*FAILED batch/scoring/pyproject.toml::rollback*",
    ])
    result.stdout.fnmatch_lines([
        "*ml-checklist: batch/scoring*",
        "catalog production-ml-51, profile custom (3 items; config: pyproject.toml)",
        "Unmet (2): [[]12] training-serving-skew, [[]29] rollback",
        "Score: 0/3 applicable items met (0.0%) -> delay-launch*",
        "*ml-checklist: services/ranker*",
        "catalog production-ml-51, profile custom (2 items; config: mlchecklist.yaml)",
        "Score: 2/2 applicable items met (100.0%) -> ready*",
        "*ml-checklist: all projects*",
        "  batch/scoring: 0/3 met (0.0%) -> delay-launch; FAILS the gate (2 items)",
        "  services/ranker: 2/2 met (100.0%) -> ready; passes the gate",
        "Overall: 1 of 2 projects fail the gate (batch/scoring)",
        "Marked tests outside every project folder, counted for no project (1): "
        "test_shared.py::test_outside_every_project",
    ])
    report = json.loads(pytester.path.joinpath("out.json").read_text())
    assert statuses(report) == EXPECTED


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_test_evidence_counts_for_the_project_holding_the_test(pytester: pytest.Pytester, mode: list[str]) -> None:
    make_monorepo(pytester.path)
    pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=out.json", *mode)
    report = json.loads(pytester.path.joinpath("out.json").read_text())
    by_project = {project["project"]: project for project in report["projects"]}
    ranker_skew = next(item for item in by_project["services/ranker"]["items"] if item["id"] == "training-serving-skew")
    batch_skew = next(item for item in by_project["batch/scoring"]["items"] if item["id"] == "training-serving-skew")
    # node ids are relative to the project folder, like every path of a project's report
    assert [(piece["nodeid"], piece["outcome"]) for piece in ranker_skew["evidence"]] == [
        ("tests/test_ranker.py::test_ranker_features_match", "passed")]
    assert [(piece["nodeid"], piece["outcome"]) for piece in batch_skew["evidence"]] == [
        ("tests/test_scoring.py::test_scoring_features_match", "failed")]
    # the ranker's runbook is not evidence for the batch project (each index is rooted at its project)
    ranker_rollback = next(item for item in by_project["services/ranker"]["items"] if item["id"] == "rollback")
    assert ranker_rollback["evidence"][0]["path"] == "docs/rollback.md"
    batch_rollback = next(item for item in by_project["batch/scoring"]["items"] if item["id"] == "rollback")
    assert batch_rollback["evidence"] == []


def test_json_report_has_an_entry_per_project(pytester: pytest.Pytester) -> None:
    make_monorepo(pytester.path)
    pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-json=reports/out.json")
    report = json.loads(pytester.path.joinpath("reports", "out.json").read_text())
    assert set(report) == {"schema_version", "tool", "root", "projects", "failed"}
    assert report["schema_version"] == 1 and report["tool"]["name"] == "pytest-mlchecklist"
    assert report["root"] == str(pytester.path)
    assert report["failed"] is True
    assert [project["project"] for project in report["projects"]] == ["batch/scoring", "services/ranker"]
    ranker = report["projects"][1]
    assert ranker["root"] == str(pytester.path / "services" / "ranker")
    assert ranker["config_file"] == "mlchecklist.yaml"
    assert ranker["verdict"] == "ready" and ranker["score"] == {"met": 2, "applicable": 2, "percent": 100.0}
    assert report["projects"][0]["config_file"] == "pyproject.toml"
    assert report["projects"][0]["verdict"] == "delay-launch"


def test_single_project_json_keeps_its_shape(pytester: pytest.Pytester) -> None:
    write(pytester.path, {"mlchecklist.yaml": "profile: [rollback]\n", "docs/rollback.md": RUNBOOK})
    pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-json=out.json")
    report = json.loads(pytester.path.joinpath("out.json").read_text())
    assert "project" not in report and "projects" not in report
    assert report["items"][0]["id"] == "rollback" and report["items"][0]["status"] == "met"


def test_markdown_report_has_a_section_per_project(pytester: pytest.Pytester) -> None:
    make_monorepo(pytester.path)
    pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-md=out.md")
    markdown = pytester.path.joinpath("out.md").read_text()
    assert markdown.startswith("# ML readiness of 2 projects: 1 of 2 projects fail the gate")
    assert "| `services/ranker` | 100.0% (2/2) | ready | passes |" in markdown
    assert markdown.index("# Project `batch/scoring`") < markdown.index("# Project `services/ranker`")


def test_sarif_and_html_reports_cover_every_project(pytester: pytest.Pytester) -> None:
    make_monorepo(pytester.path)
    pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-sarif=out.sarif", "--ml-checklist-html=out.html")
    sarif = json.loads(pytester.path.joinpath("out.sarif").read_text())
    assert len(sarif["runs"]) == 2
    failing = [result["ruleId"] for run in sarif["runs"] for result in run["results"] if result["level"] == "error"]
    assert sorted(failing) == ["rollback", "training-serving-skew"]  # both in batch/scoring
    html = pytester.path.joinpath("out.html").read_text()
    assert "services/ranker" in html and "batch/scoring" in html


def test_node_ids_are_per_project_and_selectable(pytester: pytest.Pytester) -> None:
    make_monorepo(pytester.path)
    collected = pytester.runpytest("--ml-checklist", TODAY, "--collect-only", "-q")
    collected.stdout.fnmatch_lines([
        "batch/scoring/pyproject.toml::training-serving-skew",
        "batch/scoring/pyproject.toml::load-testing",
        "batch/scoring/pyproject.toml::rollback",
        "services/ranker/mlchecklist.yaml::training-serving-skew",
        "services/ranker/mlchecklist.yaml::rollback",
    ])
    assert "mlchecklist.yaml::rollback" not in [line.strip() for line in collected.stdout.lines]
    alone = pytester.runpytest("--ml-checklist", TODAY, "services/ranker/mlchecklist.yaml::rollback", "-v")
    alone.assert_outcomes(passed=1)
    alone.stdout.fnmatch_lines(["*services/ranker/mlchecklist.yaml::rollback PASSED*"])
    other = pytester.runpytest("--ml-checklist", TODAY, "batch/scoring/pyproject.toml::rollback")
    other.assert_outcomes(failed=1)


def test_items_of_one_project_selected_by_keyword_under_xdist(pytester: pytest.Pytester) -> None:
    make_monorepo(pytester.path)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "-n", "2", "-k", "ranker and rollback", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*services/ranker/mlchecklist.yaml::rollback*"])


def test_summary_shows_only_the_projects_whose_items_ran(pytester: pytest.Pytester) -> None:
    make_monorepo(pytester.path)
    result = pytester.runpytest("--ml-checklist", TODAY, "-k", "ranker")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*ml-checklist: services/ranker*", "*ml-checklist: all projects*",
                                 "Overall: every project passes the gate (1 project)"])
    assert "batch/scoring" not in result.stdout.str()


def test_every_project_passing_passes_the_run(pytester: pytest.Pytester) -> None:
    make_monorepo(pytester.path, batch_test_passes=True)
    write(pytester.path, {"batch/scoring/docs/runbook.md": RUNBOOK})
    result = pytester.runpytest("--ml-checklist", TODAY)
    result.assert_outcomes(passed=7, xfailed=1)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["Overall: every project passes the gate (2 projects)"])


def test_ml_waive_marker_counts_for_its_project_only(pytester: pytest.Pytester) -> None:
    make_monorepo(pytester.path)
    write(pytester.path, {"batch/scoring/tests/test_waiver.py": """\
        import pytest

        pytestmark = pytest.mark.ml_waive("rollback", reason="Batch outputs are recomputed from scratch nightly",
                                          owner="@batch-team", expires="2027-01-15")

        def test_nothing():
            pass
        """})
    result = pytester.runpytest("--ml-checklist", TODAY, "-rA", "--ml-checklist-json=out.json")
    result.stdout.fnmatch_lines(["*XFAIL batch/scoring/pyproject.toml::rollback*"])
    report = json.loads(pytester.path.joinpath("out.json").read_text())
    assert statuses(report)["batch/scoring"]["rollback"] == "waived"
    assert statuses(report)["services/ranker"]["rollback"] == "met"


def test_root_pyproject_lists_the_projects(pytester: pytest.Pytester) -> None:
    make_monorepo(pytester.path)
    pytester.path.joinpath("mlchecklist.yaml").unlink()
    pytester.path.joinpath("pytest.ini").unlink()
    write(pytester.path, {"pyproject.toml": """\
        [tool.pytest.ini_options]
        addopts = "-p no:cacheprovider"

        [tool.ml-checklist]
        projects = ["services/ranker", "batch/*"]
        """})
    result = pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-json=out.json")
    result.assert_outcomes(passed=4, failed=3, xfailed=1)
    assert statuses(json.loads(pytester.path.joinpath("out.json").read_text())) == EXPECTED


def test_latency_sla_comes_from_the_project_of_the_test(pytester: pytest.Pytester) -> None:
    write(pytester.path, {
        "pytest.ini": "[pytest]\n",
        "mlchecklist.yaml": "projects: [fast, slow]\n",
        "fast/mlchecklist.yaml": "profile: [latency-gated]\nsla:\n  latency_ms: {p99: 60000}\n",
        "slow/mlchecklist.yaml": "profile: [latency-gated]\nsla:\n  latency_ms: {p99: 0.000001}\n",
        "fast/test_fast.py": """\
            def test_latency(ml_latency):
                ml_latency(lambda: sum(range(200)), calls=20, warmup=2)
            """,
        "slow/test_slow.py": """\
            def test_latency(ml_latency):
                ml_latency(lambda: sum(range(200)), calls=20, warmup=2)
            """,
    })
    result = pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-json=out.json")
    report = json.loads(pytester.path.joinpath("out.json").read_text())
    assert statuses(report) == {"fast": {"latency-gated": "met"}, "slow": {"latency-gated": "unmet"}}
    result.assert_outcomes(passed=2, failed=2)


def test_bad_project_list_is_a_usage_error(pytester: pytest.Pytester) -> None:
    write(pytester.path, {"pytest.ini": "[pytest]\n", "mlchecklist.yaml": "projects: [services/missing]\n"})
    result = pytester.runpytest("--ml-checklist", TODAY)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "ERROR: ml-checklist: invalid configuration in mlchecklist.yaml:",
        "*'projects[[]0]' ('services/missing'): there is no folder services/missing in the repository*",
    ])
    assert "Traceback" not in result.stderr.str()


def test_baseline_records_a_section_per_project(pytester: pytest.Pytester) -> None:
    make_monorepo(pytester.path, batch_test_passes=True)
    result = pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-baseline=base.txt",
                                "--ml-checklist-baseline-update")
    assert result.ret == pytest.ExitCode.OK
    text = pytester.path.joinpath("base.txt").read_text()
    assert "[batch/scoring]" in text and "[services/ranker]" in text and "[.]" not in text
    result = pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-baseline=base.txt")
    assert result.ret == pytest.ExitCode.OK  # batch/scoring's rollback gap is known, not failing
    result.stdout.fnmatch_lines(["*batch/scoring:*passes the gate (baseline: 1 known gaps)*"])


# ---------------------------------------------------------------------- ml-checklist scan
def test_scan_reports_each_project_and_fails_when_one_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_monorepo(tmp_path)
    code = cli.main(["scan", str(tmp_path), "--today", DAY.isoformat()])
    out = capsys.readouterr().out
    assert code == cli.EXIT_GATE_FAILED
    assert out.index("project batch/scoring") < out.index("project services/ranker")
    assert "= ml-checklist: services/ranker =" in out
    assert "MET             [29] rollback: rollback procedure with 3 steps" in out
    assert "  services/ranker: 1/2 met (50.0%) -> delay-launch; FAILS the gate (1 items)" in out  # no test run yet
    assert "Overall: 2 of 2 projects fail the gate (batch/scoring, services/ranker)" in out


def test_scan_json_after_a_pytest_run_uses_each_projects_tests(
    pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    make_monorepo(pytester.path)
    pytester.runpytest_subprocess("--ml-checklist", TODAY)
    capsys.readouterr()
    code = cli.main(["scan", str(pytester.path), "--today", DAY.isoformat(), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == cli.EXIT_GATE_FAILED
    assert report["failed"] is True and report["root"] == str(pytester.path)
    assert statuses(report) == EXPECTED
    assert all(project["tests_ran"] for project in report["projects"])


def test_scan_exits_zero_when_every_project_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {
        "mlchecklist.yaml": "projects: [a, b]\n",
        "a/mlchecklist.yaml": "profile: [rollback]\n",
        "a/docs/rollback.md": RUNBOOK,
        "b/pyproject.toml": '[tool.ml-checklist]\nprofile = ["rollback"]\n',
        "b/runbooks/rollback.md": RUNBOOK,
    })
    assert cli.main(["scan", str(tmp_path), "--today", DAY.isoformat()]) == cli.EXIT_OK
    assert "Overall: every project passes the gate (2 projects)" in capsys.readouterr().out
    assert cli.main(["scan", str(tmp_path), "--today", DAY.isoformat(), "--format", "markdown"]) == cli.EXIT_OK
    assert "# Project `b`" in capsys.readouterr().out
    assert cli.main(["scan", str(tmp_path), "--today", DAY.isoformat(), "--format", "sarif"]) == cli.EXIT_OK
    assert len(json.loads(capsys.readouterr().out)["runs"]) == 2


def test_scan_configuration_error_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"mlchecklist.yaml": 'projects: ["services/*"]\n'})
    assert cli.main(["scan", str(tmp_path)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "ml-checklist: error: invalid configuration in mlchecklist.yaml:" in err
    assert "the glob matches no folder in the repository" in err


def test_commands_for_one_project_ask_for_its_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_monorepo(tmp_path)
    assert cli.main(["waivers", str(tmp_path), "--today", DAY.isoformat()]) == cli.EXIT_USAGE
    assert "is a monorepo: its configuration lists the projects (services/*, batch/scoring)" in capsys.readouterr().err
    assert cli.main(["waivers", str(tmp_path / "batch" / "scoring"), "--today", DAY.isoformat()]) == cli.EXIT_OK
    assert "@batch-team" in capsys.readouterr().out


# ---------------------------------------------------------------------- finding projects
def test_projects_are_found_sorted_with_their_own_configuration(tmp_path: Path) -> None:
    make_monorepo(tmp_path)
    projects = load_projects(tmp_path, today=DAY)
    assert [(project.name, project.config.profile, project.config.source) for project in projects] == [
        ("batch/scoring", "custom", "pyproject.toml"), ("services/ranker", "custom", "mlchecklist.yaml")]
    assert projects[1].root == (tmp_path / "services" / "ranker").resolve()
    assert project_of(projects, "services/ranker/tests/test_x.py::test_y") is projects[1]
    assert projects[1].relative("services/ranker/tests/test_x.py::test_y") == "tests/test_x.py::test_y"
    assert project_of(projects, "services/ranker2/test_x.py") is None
    assert project_of(projects, "test_shared.py::test_z") is None


def test_a_single_project_repository_has_no_projects(tmp_path: Path) -> None:
    assert load_projects(tmp_path, today=DAY) == []  # no configuration at all
    write(tmp_path, {"mlchecklist.yaml": "profile: mvp\n"})
    assert load_projects(tmp_path, today=DAY) == []


def test_profile_option_applies_to_every_project(tmp_path: Path) -> None:
    make_monorepo(tmp_path)
    assert {project.config.profile for project in load_projects(tmp_path, today=DAY, profile="mature")} == {"mature"}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({"mlchecklist.yaml": "projects: [services/ranker]\n", "services/ranker/model.py": ""},
                     "'projects[0]' ('services/ranker'): the folder services/ranker has no configuration; "
                     "add services/ranker/mlchecklist.yaml", id="folder-without-configuration"),
        pytest.param({"mlchecklist.yaml": "projects: [services/ranker]\n"},
                     "there is no folder services/ranker in the repository", id="missing-folder"),
        pytest.param({"mlchecklist.yaml": 'projects: ["services/*"]\n', "services/README.md": "x"},
                     "'projects[0]' ('services/*'): the glob matches no folder in the repository", id="glob-matches-nothing"),
        pytest.param({"mlchecklist.yaml": 'projects: ["services/*"]\n', "services/a/mlchecklist.yaml": "profile: mvp\n",
                      "services/common/utils.py": ""},
                     "the folder services/common has no configuration", id="glob-matches-folder-without-configuration"),
        pytest.param({"mlchecklist.yaml": 'projects: ["../elsewhere"]\n'},
                     "'projects[0]' ('../elsewhere'): project folders are written relative to the repository root, "
                     "without '..'; '../elsewhere' is outside the repository", id="parent-folder"),
        pytest.param({"mlchecklist.yaml": 'projects: ["/srv/models"]\n'},
                     "'/srv/models' is outside the repository", id="absolute-path"),
        pytest.param({"mlchecklist.yaml": 'projects: ["services/ranker", "services/ranker/canary"]\n',
                      "services/ranker/mlchecklist.yaml": "profile: mvp\n",
                      "services/ranker/canary/mlchecklist.yaml": "profile: mvp\n"},
                     "the project services/ranker/canary is inside the project services/ranker; projects cannot be "
                     "nested", id="nested-projects"),
        pytest.param({"mlchecklist.yaml": 'projects: ["."]\n'},
                     "the repository root cannot be a project", id="root-listed"),
        pytest.param({"mlchecklist.yaml": "projects: []\n"}, "'projects' is empty", id="empty-list"),
        pytest.param({"mlchecklist.yaml": "projects: [a]\nprofile: mature\n", "a/mlchecklist.yaml": "profile: mvp\n"},
                     "the root configuration lists projects, so it may hold nothing else; move 'profile' into each "
                     "project's own configuration", id="root-with-other-settings"),
        pytest.param({"pyproject.toml": '[tool.ml-checklist]\nprojects = ["missing"]\n'},
                     "'tool.ml-checklist.projects[0]' ('missing'): there is no folder missing", id="pyproject-key-name"),
    ],
)
def test_project_list_errors_name_the_entry_and_what_to_do(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    write(tmp_path, files)
    with pytest.raises(ConfigError) as excinfo:
        load_projects(tmp_path, today=DAY)
    assert expected in str(excinfo.value)
    assert str(excinfo.value).startswith("invalid configuration in ")


def test_project_listing_projects_of_its_own_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, {"mlchecklist.yaml": "projects: [a]\n", "a/mlchecklist.yaml": "projects: [b]\n",
                     "a/b/mlchecklist.yaml": "profile: mvp\n"})
    with pytest.raises(ConfigError, match="invalid configuration in a/mlchecklist.yaml") as excinfo:
        load_projects(tmp_path, today=DAY)
    assert "nested monorepos are not supported" in str(excinfo.value)


def test_a_projects_bad_configuration_names_the_projects_file(tmp_path: Path) -> None:
    write(tmp_path, {"mlchecklist.yaml": "projects: [a]\n", "a/mlchecklist.yaml": "profil: mvp\n"})
    with pytest.raises(ChecklistError) as excinfo:
        load_projects(tmp_path, today=DAY)
    assert str(excinfo.value).startswith("invalid configuration in a/mlchecklist.yaml:")
    assert "unknown key 'profil'; did you mean 'profile'?" in str(excinfo.value)


def test_project_folder_linked_outside_the_repository_is_an_error(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, {"mlchecklist.yaml": "profile: mvp\n"})
    repo = tmp_path / "repo"
    write(repo, {"mlchecklist.yaml": "projects: [linked]\n"})
    (repo / "linked").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ConfigError, match="linked leads outside the repository"):
        load_projects(repo, today=DAY)
