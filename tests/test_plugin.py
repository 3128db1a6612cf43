"""The pytest integration: checklist items are real pytest outcomes, under every runner mode."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

TODAY = "--ml-checklist-today=2026-11-22"

RUNBOOK = """\
# Rollback

## Rollback procedure
1. Freeze deploys in the release channel.
2. Run `helm rollback scorer 0` to return to the previous release.
3. Watch the error-rate dashboard for ten minutes.

Last rehearsed: 2026-10-02
"""


def write_config(pytester: pytest.Pytester, text: str) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text(textwrap.dedent(text))


def make_project(pytester: pytest.Pytester, *, skew_test_passes: bool = True) -> None:
    """A tiny project: a rollback runbook (met by its detector), one marked test, one waiver."""
    write_config(
        pytester,
        """\
        profile: [rollback, training-serving-skew, load-testing, horizontal-scaling, on-call]
        waivers:
          - item: load-testing
            reason: Traffic is under five requests per second and flat
            owner: "@ml-platform"
            expires: 2027-03-01
        not_applicable:
          - item: horizontal-scaling
            reason: Batch scoring only, there is no online serving path
        """,
    )
    pytester.mkdir("docs")
    pytester.path.joinpath("docs", "rollback.md").write_text(RUNBOOK)
    assertion = "True" if skew_test_passes else "False"
    pytester.makepyfile(
        test_model=f"""
        import pytest

        @pytest.mark.ml_checklist("training-serving-skew")
        def test_same_features():
            assert {assertion}

        def test_other():
            pass
        """
    )


RUNNER_MODES = [pytest.param([], id="no-xdist-args"), pytest.param(["-p", "no:xdist"], id="xdist-disabled"),
                pytest.param(["-n", "2"], id="xdist-n2")]


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_items_are_pytest_outcomes(pytester: pytest.Pytester, mode: list[str]) -> None:
    make_project(pytester)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "-rA", *mode)
    # rollback met, skew met by the marked test, load-testing waived, scaling n/a, on-call unmet
    result.assert_outcomes(passed=4, failed=1, xfailed=1, skipped=1)
    result.stdout.fnmatch_lines([
        "*PASSED mlchecklist.yaml::training-serving-skew*",
        "*PASSED mlchecklist.yaml::rollback*",
        "*SKIPPED*not applicable: Batch scoring only*",
        "*XFAIL mlchecklist.yaml::load-testing*waived by @ml-platform until 2027-03-01*",
        "*FAILED mlchecklist.yaml::on-call*",
    ])
    result.stdout.fnmatch_lines(["*ml-checklist*", "*Unmet (1): [[]40] on-call*", "Score: 2/4 applicable items met (50.0%) -> delay-launch*"])


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_json_report_is_identical_with_and_without_xdist(pytester: pytest.Pytester, mode: list[str]) -> None:
    make_project(pytester, skew_test_passes=False)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=out.json", *mode)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    report = json.loads(pytester.path.joinpath("out.json").read_text())
    statuses = {item["id"]: item["status"] for item in report["items"]}
    assert statuses == {
        "training-serving-skew": "unmet",
        "load-testing": "waived",
        "rollback": "met",
        "horizontal-scaling": "not_applicable",
        "on-call": "unmet",
    }
    skew = next(item for item in report["items"] if item["id"] == "training-serving-skew")
    assert skew["evidence"] == [{"kind": "test", "path": None, "line": None, "detector": "marked-test",
                                 "detail": "marked test failed (call)", "verdict": "contradicts",
                                 "nodeid": "test_model.py::test_same_features", "outcome": "failed"}]
    assert report["score"] == {"met": 1, "applicable": 4, "percent": 25.0}
    assert report["verdict"] == "delay-launch"
    result.stdout.fnmatch_lines(["*marked test failed (call) (test_model.py::test_same_features)*"])


def test_json_report_shape(pytester: pytest.Pytester) -> None:
    make_project(pytester)
    pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-json=reports/out.json")
    report = json.loads(pytester.path.joinpath("reports", "out.json").read_text())
    assert report["schema_version"] == 1
    assert report["tool"]["name"] == "pytest-mlchecklist"
    assert report["root"] == str(pytester.path)
    assert report["catalog"] == "production-ml-51"
    assert report["profile"] == "custom"
    rollback = next(item for item in report["items"] if item["id"] == "rollback")
    assert set(rollback) >= {"id", "number", "section", "title", "status", "evidence", "message", "waiver"}
    assert rollback["number"] == 29 and rollback["section"] == "serving-infrastructure"
    assert rollback["evidence"][0]["path"] == "docs/rollback.md"
    waived = next(item for item in report["items"] if item["id"] == "load-testing")
    assert waived["waiver"]["owner"] == "@ml-platform" and waived["waiver"]["state"] == "active"


def test_without_the_flag_nothing_changes(pytester: pytest.Pytester) -> None:
    make_project(pytester)
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)
    assert "ml-checklist" not in result.stdout.str()


def test_collect_only_lists_items_after_tests(pytester: pytest.Pytester) -> None:
    make_project(pytester)
    result = pytester.runpytest("--ml-checklist", TODAY, "--collect-only", "-q")
    result.stdout.fnmatch_lines([
        "test_model.py::test_same_features",
        "test_model.py::test_other",
        "mlchecklist.yaml::training-serving-skew",
        "mlchecklist.yaml::load-testing",
        "mlchecklist.yaml::horizontal-scaling",
        "mlchecklist.yaml::rollback",
        "mlchecklist.yaml::on-call",
    ])


def test_items_can_be_selected_by_keyword_and_node_id(pytester: pytest.Pytester) -> None:
    make_project(pytester)
    by_keyword = pytester.runpytest("--ml-checklist", TODAY, "-k", "rollback", "-v")
    by_keyword.assert_outcomes(passed=1)
    by_keyword.stdout.fnmatch_lines(["*mlchecklist.yaml::rollback PASSED*"])
    by_node_id = pytester.runpytest("--ml-checklist", TODAY, "mlchecklist.yaml::on-call")
    by_node_id.assert_outcomes(failed=1)


def test_failure_message_gives_the_three_ways_out(pytester: pytest.Pytester) -> None:
    make_project(pytester)
    result = pytester.runpytest("--ml-checklist", TODAY, "-k", "on-call")
    result.stdout.fnmatch_lines([
        "*[[]40] on-call*UNMET*",
        "Looked for:",
        "*",
        "Ways out:",
        "  1. Add the evidence: *",
        "  2. (A marked test does not count for this item*",
        "  3. Record a conscious decision in mlchecklist.yaml:",
        "     waivers:",
        "       - item: on-call",
        "*expires: 2027-02-20",
    ])


def test_junitxml_has_one_testcase_per_item(pytester: pytest.Pytester) -> None:
    make_project(pytester)
    pytester.runpytest("--ml-checklist", TODAY, "--junitxml=junit.xml")
    xml = pytester.path.joinpath("junit.xml").read_text()
    assert xml.count('classname="mlchecklist.yaml"') == 5
    assert 'name="on-call"' in xml and "<failure" in xml


def test_skipped_marked_test_does_not_count(pytester: pytest.Pytester) -> None:
    write_config(pytester, "profile: [training-serving-skew]\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ml_checklist(12)
        def test_skew():
            pytest.skip("no fixtures here")
        """
    )
    result = pytester.runpytest("--ml-checklist", TODAY)
    result.assert_outcomes(skipped=1, failed=1)
    result.stdout.fnmatch_lines(["*marked test was skipped or xfailed; it does not count*"])


def test_marker_with_unknown_item_errors_the_test(pytester: pytest.Pytester) -> None:
    write_config(pytester, "profile: [training-serving-skew]\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ml_checklist("training-serving-skw")
        def test_skew():
            pass
        """
    )
    result = pytester.runpytest("--ml-checklist", TODAY)
    # the marked test errors in setup; the item it meant to prove stays unmet
    result.assert_outcomes(errors=1, failed=1)
    result.stdout.fnmatch_lines(["*unknown item 'training-serving-skw'; did you mean 'training-serving-skew'?*"])


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_waiver_in_code(pytester: pytest.Pytester, mode: list[str]) -> None:
    write_config(pytester, "profile: [load-testing]\n")
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.ml_waive(
            "load-testing", reason="Internal tool with three users", owner="@team", expires="2027-01-10"
        )

        def test_a():
            pass
        """
    )
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "-rx", *mode)
    result.assert_outcomes(passed=1, xfailed=1)
    result.stdout.fnmatch_lines(["*waived by @team until 2027-01-10*Internal tool with three users*"])


def test_expired_waiver_makes_the_item_unmet(pytester: pytest.Pytester) -> None:
    write_config(
        pytester,
        """\
        profile: [load-testing]
        waivers:
          - item: load-testing
            reason: Traffic is under five requests per second and flat
            expires: 2026-11-01
        """,
    )
    result = pytester.runpytest("--ml-checklist", TODAY)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*waiver expired on 2026-11-01 (21 days ago*"])


def test_unused_waiver_is_reported_and_fails_under_strict(pytester: pytest.Pytester) -> None:
    write_config(
        pytester,
        """\
        profile: [rollback]
        waivers:
          - item: rollback
            reason: Rollback drill is planned for next month
            expires: 2027-01-01
        """,
    )
    pytester.mkdir("docs")
    pytester.path.joinpath("docs", "rollback.md").write_text(RUNBOOK)
    relaxed = pytester.runpytest("--ml-checklist", TODAY)
    relaxed.assert_outcomes(passed=1)
    relaxed.stdout.fnmatch_lines(["Unused waivers (1): [[]29] rollback*"])
    strict = pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-strict")
    strict.assert_outcomes(failed=1)
    strict.stdout.fnmatch_lines(["*is not needed: remove it*"])


def test_unreadable_evidence_is_an_error_not_a_pass(pytester: pytest.Pytester) -> None:
    write_config(pytester, "profile: [resource-limits]\n")
    pytester.mkdir("deploy")
    pytester.path.joinpath("deploy", "deployment.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nspec: [unclosed\n")
    result = pytester.runpytest("--ml-checklist", TODAY)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*deploy/deployment.yaml*could not be parsed as YAML*"])


def test_markdown_report_and_github_step_summary(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(pytester)
    summary = pytester.path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-md=report.md")
    report = pytester.path.joinpath("report.md").read_text()
    assert report.startswith("## ML readiness: 50.0% (2/4) - delay-launch")
    assert "**unmet** **[40] on-call**" in report
    assert "| [23] load-testing | waived | @ml-platform | 2027-03-01 |" in report
    assert summary.read_text().strip() == report.strip()


def test_recorded_test_evidence_feeds_a_later_scan(pytester: pytest.Pytester) -> None:
    from pytest_mlchecklist.engine import scan
    import datetime as dt

    make_project(pytester)
    pytester.runpytest("--ml-checklist", TODAY)
    result = scan(Path(pytester.path), today=dt.date(2026, 11, 22))
    skew = next(entry for entry in result.items if entry.item.id == "training-serving-skew")
    assert skew.status == "met"
    assert "recorded by the pytest run of 2026-11-22" in skew.message


SKEW_PROJECT = {
    "features.py": 'def build(record):\n    return {"amount": float(record["amount"])}\n',
    "train.py": "import features\n\n\ndef build_training_rows(records):\n    return [features.build(r) for r in records]\n",
    "serve.py": "import features\n\n\ndef serving_features(record):\n    return features.build(record)\n",
}
SKEW_TEST = """\
from serve import serving_features
from train import build_training_rows


def test_training_and_serving_features_match():
    records = [{"amount": "1.5"}]
    assert build_training_rows(records)[0] == serving_features({SERVED})
"""


@pytest.mark.parametrize("mode", RUNNER_MODES)
@pytest.mark.parametrize("broken", [False, True], ids=["test-passes", "test-fails"])
def test_a_test_found_by_reading_the_code_counts_only_if_it_passed(
    pytester: pytest.Pytester, mode: list[str], broken: bool
) -> None:
    write_config(pytester, "profile: [training-serving-skew]\n")
    for name, text in SKEW_PROJECT.items():
        pytester.path.joinpath(name).write_text(text)
    pytester.mkdir("tests")
    pytester.path.joinpath("tests", "test_skew.py").write_text(SKEW_TEST.replace("{SERVED}", '{"amount": "2.5"}' if broken else "records[0]"))
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "-o", "pythonpath=.", "-p", "no:cacheprovider", *mode)
    if broken:
        result.assert_outcomes(failed=2)
        result.stdout.fnmatch_lines(["*UNMET*", "*but this test failed in the run*"])
    else:
        result.assert_outcomes(passed=2)
        result.stdout.fnmatch_lines(["*Score: 1/1 applicable items met*"])
