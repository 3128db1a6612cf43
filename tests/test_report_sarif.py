"""The SARIF 2.1.0 report: valid against the official schema, one rule per item, results for
the items that fail the gate, suppressed results for waivers, stable fingerprints."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from report_support import make_report_project

from pytest_mlchecklist import cli
from pytest_mlchecklist.engine import ChecklistResult, scan
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.reports.sarif import FINGERPRINT_KEY, most_relevant_file, render_sarif

TODAY = dt.date(2026, 11, 22)
SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
CONFIG = """\
profile: [rollback, on-call, load-testing, horizontal-scaling, resource-limits]
waivers:
  - item: load-testing
    reason: "Traffic is under five requests per second <script>alert(1)</script> and flat"
    owner: "@ml-platform"
    expires: 2027-03-01
  - item: rollback
    reason: The rollback drill is planned for next month
    owner: "@ops"
    expires: 2027-01-10
not_applicable:
  - item: horizontal-scaling
    reason: Batch scoring only, there is no online serving path
"""


def make_project(root: Path) -> Path:
    """A project with one item of each kind: met (with an unused waiver), unmet, waived,
    not applicable, and error (an unparsable manifest)."""
    return make_report_project(root, CONFIG)


def validate(log: dict[str, Any]) -> None:
    """Validate a SARIF log against the official 2.1.0 schema (raises on the first error)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator_class(schema).validate(log)


@pytest.fixture
def result(tmp_path: Path) -> ChecklistResult:
    return scan(make_project(tmp_path), today=TODAY)


def sarif_results(log: dict[str, Any], run: int = 0) -> dict[str, dict[str, Any]]:
    return {entry["ruleId"]: entry for entry in log["runs"][run]["results"]}


# ---------------------------------------------------------------------- schema
@pytest.mark.parametrize("strict", [False, True], ids=["relaxed", "strict"])
def test_the_log_validates_against_the_sarif_2_1_0_schema(tmp_path: Path, strict: bool) -> None:
    log = json.loads(render_sarif([scan(make_project(tmp_path), today=TODAY, strict=strict)]))
    validate(log)
    assert log["version"] == "2.1.0"


def test_the_schema_check_can_fail() -> None:
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                             "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)


def test_a_log_of_several_projects_validates_and_has_a_run_each(tmp_path: Path) -> None:
    first = scan(make_project(tmp_path / "services" / "ranker"), today=TODAY)
    second = scan(make_project(tmp_path / "batch" / "scoring"), today=TODAY)
    log = json.loads(render_sarif([first, second]))
    validate(log)
    assert len(log["runs"]) == 2
    assert [run["properties"]["project"] for run in log["runs"]] == ["services/ranker", "batch/scoring"]
    assert [run["automationDetails"]["id"] for run in log["runs"]] == ["ml-checklist/services/ranker/",
                                                                        "ml-checklist/batch/scoring/"]
    uri = sarif_results(log, 1)["resource-limits"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "batch/scoring/deploy/deployment.yaml"
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    first_prints = {entry["partialFingerprints"][FINGERPRINT_KEY] for entry in log["runs"][0]["results"]}
    second_prints = {entry["partialFingerprints"][FINGERPRINT_KEY] for entry in log["runs"][1]["results"]}
    assert not first_prints & second_prints


def test_paths_of_named_projects_are_relative_to_the_repository_root(tmp_path: Path) -> None:
    ranker = scan(make_project(tmp_path / "services" / "ranker"), today=TODAY)
    scorer = scan(make_project(tmp_path / "services" / "scorer"), today=TODAY)
    named = [dataclasses.replace(ranker, project="services/ranker"), dataclasses.replace(scorer, project="services/scorer")]
    log = json.loads(render_sarif(named))
    validate(log)
    uris = [sarif_results(log, run)["resource-limits"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for run in (0, 1)]
    assert uris == ["services/ranker/deploy/deployment.yaml", "services/scorer/deploy/deployment.yaml"]
    alone = json.loads(render_sarif([named[0]]))
    uri = sarif_results(alone)["on-call"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "services/ranker/mlchecklist.yaml"


# ---------------------------------------------------------------------- rules and results
def test_every_profile_item_is_a_rule(result: ChecklistResult) -> None:
    driver = json.loads(render_sarif([result]))["runs"][0]["tool"]["driver"]
    assert driver["name"] == "pytest-mlchecklist"
    assert [rule["id"] for rule in driver["rules"]] == [entry.item.id for entry in result.items]
    rollback = next(rule for rule in driver["rules"] if rule["id"] == "rollback")
    item = result.config.catalog.item("rollback")
    assert rollback["name"] == "Rollback"
    assert rollback["shortDescription"]["text"] == item.title
    assert rollback["fullDescription"]["text"] == item.description
    assert rollback["help"]["text"] == item.remediation
    assert rollback["properties"]["tags"] == [item.section, *item.tiers]


def test_failing_items_are_errors_and_passing_ones_are_absent(result: ChecklistResult) -> None:
    log = json.loads(render_sarif([result]))
    found = sarif_results(log)
    assert found["on-call"]["level"] == "error"
    assert found["resource-limits"]["level"] == "error"
    assert "could not be parsed as YAML" in found["resource-limits"]["message"]["text"]
    assert "horizontal-scaling" not in found  # not applicable: no result
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for entry in found.values():
        assert rules[entry["ruleIndex"]]["id"] == entry["ruleId"]
    assert log["runs"][0]["properties"]["verdict"] == result.verdict


def test_a_waived_item_is_a_suppressed_note(result: ChecklistResult) -> None:
    waived = sarif_results(json.loads(render_sarif([result])))["load-testing"]
    assert waived["level"] == "note"
    assert waived["suppressions"] == [{
        "kind": "external",
        "status": "accepted",
        "justification": "Traffic is under five requests per second <script>alert(1)</script> and flat "
                         "(owner @ml-platform); expires 2027-03-01",
    }]
    assert waived["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "mlchecklist.yaml"


@pytest.mark.parametrize(("strict", "level"), [(False, "note"), (True, "error")])
def test_an_unused_waiver_fails_only_under_strict(tmp_path: Path, strict: bool, level: str) -> None:
    log = json.loads(render_sarif([scan(make_project(tmp_path), today=TODAY, strict=strict)]))
    unused = sarif_results(log)["rollback"]
    assert unused["level"] == level
    assert "unused" in unused["message"]["text"]
    assert "suppressions" not in unused


def test_results_point_at_the_most_relevant_file(result: ChecklistResult) -> None:
    found = sarif_results(json.loads(render_sarif([result])))
    location = found["resource-limits"]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "deploy/deployment.yaml", "uriBaseId": "%SRCROOT%"}
    assert "region" not in location  # no line known
    # No evidence at all: the configuration file, where a decision would be recorded.
    assert found["on-call"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "mlchecklist.yaml"


def test_evidence_that_falls_short_comes_first_with_its_line(result: ChecklistResult) -> None:
    on_call = next(entry for entry in result.items if entry.item.id == "on-call")
    evidence = [
        Evidence(item="on-call", kind="file", detector="d", detail="a schedule", verdict="supports", path="docs/ok.md", line=2),
        Evidence(item="on-call", kind="file", detector="d", detail="no rotation", verdict="partial", path="docs/oncall.md", line=4),
        Evidence(item="on-call", kind="test", detector="d", detail="failed", verdict="contradicts",
                 nodeid="tests/test_pager.py::test_page"),
    ]
    assert most_relevant_file(result, dataclasses.replace(on_call, evidence=evidence)) == ("tests/test_pager.py", None)
    assert most_relevant_file(result, dataclasses.replace(on_call, evidence=evidence[:2])) == ("docs/oncall.md", 4)
    outside = [Evidence(item="on-call", kind="file", detector="d", detail="x", verdict="partial", path="/etc/passwd")]
    assert most_relevant_file(result, dataclasses.replace(on_call, evidence=outside)) == ("mlchecklist.yaml", None)

    result.items[result.items.index(on_call)] = dataclasses.replace(on_call, evidence=evidence[1:2])
    location = sarif_results(json.loads(render_sarif([result])))["on-call"]["locations"][0]["physicalLocation"]
    assert location["region"] == {"startLine": 4}


def test_without_a_configuration_file_results_point_at_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    found = sarif_results(json.loads(render_sarif([scan(tmp_path, today=TODAY, profile="mvp")])))
    uris = {entry["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for entry in found.values()}
    assert "pyproject.toml" in uris
    assert "mlchecklist.yaml" not in uris


def test_fingerprints_are_stable_across_runs_and_distinct_per_item(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    first = sarif_results(json.loads(render_sarif([scan(root, today=TODAY)])))
    (root / "deploy" / "deployment.yaml").write_text("kind: [still broken\n")
    second = sarif_results(json.loads(render_sarif([scan(root, today=TODAY + dt.timedelta(days=3))])))
    prints = {rule: entry["partialFingerprints"][FINGERPRINT_KEY] for rule, entry in first.items()}
    assert prints == {rule: entry["partialFingerprints"][FINGERPRINT_KEY] for rule, entry in second.items()}
    assert len(set(prints.values())) == len(prints)


# ---------------------------------------------------------------------- wiring
def test_pytest_option_writes_the_sarif_file(pytester: pytest.Pytester) -> None:
    make_project(pytester.path)
    result = pytester.runpytest("--ml-checklist", "--ml-checklist-today=2026-11-22", "--ml-checklist-sarif=out/report.sarif")
    result.assert_outcomes(passed=1, failed=1, errors=1, xfailed=1, skipped=1)
    log = json.loads(pytester.path.joinpath("out", "report.sarif").read_text())
    validate(log)
    assert set(sarif_results(log)) == {"on-call", "resource-limits", "load-testing", "rollback"}


def test_scan_command_prints_sarif(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["scan", str(make_project(tmp_path)), "--format", "sarif", "--today", "2026-11-22"])
    assert code == cli.EXIT_GATE_FAILED
    log = json.loads(capsys.readouterr().out)
    validate(log)
    assert sarif_results(log)["on-call"]["level"] == "error"
