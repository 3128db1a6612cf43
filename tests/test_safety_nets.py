"""The safety-nets catalog: complete, in our own words, gated with the source's launch bands, and
reusing the production-ml-51 detectors where an item is the same safety net."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from pytest_mlchecklist.catalog import load_builtin_catalog
from pytest_mlchecklist.detectors.registry import BUILTIN_DETECTORS

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "safety-nets-checklist.md"
TODAY = "--ml-checklist-today=2026-11-22"
SECTION_SIZES = {
    "rollback-traffic-control": 6,
    "observability-monitoring": 7,
    "testing-validation": 6,
    "data-quality-freshness": 5,
    "compliance-safety-rails": 6,
    "platform-infra": 6,
    "team-readiness": 4,
}
#: The items the source adds to the 51-point list: each has detectors of its own.
NEW_ITEMS = {
    "gradual-rollout", "model-version-metadata", "rollback-triggers", "rollback-owner", "business-metrics",
    "alert-runbook-links", "ab-test-plan", "counterfactual-logging", "fairness-review", "genai-safety-filters",
    "explainability", "human-fallback", "prediction-audit-log", "cost-monitoring", "deployment-automation",
    "stakeholder-communication", "post-launch-review",
}
#: Items that a marked test can meet (used to build a repository with a known score).
TESTABLE = [
    "input-drift-monitoring", "prediction-drift-monitoring", "latency-tracking", "golden-test-suite",
    "contract-tests", "counterfactual-logging", "input-schema-validation", "performance-ci-gate",
    "data-freshness-sla", "missing-value-strategy", "skew-tests", "genai-safety-filters", "explainability",
    "human-fallback", "prediction-audit-log", "timeouts-circuit-breakers", "load-testing",
    "dependency-failure-mode",
]

RUNBOOK = """\
# Rollback

## Rollback procedure
1. Freeze deploys in the release channel.
2. Run `helm rollback scorer 0` to return to the previous release.
3. Watch the error-rate dashboard for ten minutes.

Last rehearsed: 2026-10-02
"""


def test_every_item_of_the_source_in_its_seven_sections() -> None:
    catalog = load_builtin_catalog("safety-nets")
    assert [section.id for section in catalog.sections] == list(SECTION_SIZES)
    for section, size in SECTION_SIZES.items():
        assert len([item for item in catalog.items if item.section == section]) == size, section
    assert [item.number for item in catalog.items] == list(range(1, 41))
    assert catalog.default_profile == "safety-nets"
    assert len(catalog.items_for_profile("safety-nets")) == 40


def test_reused_items_name_production_ml_51_items_and_new_items_have_detectors() -> None:
    catalog = load_builtin_catalog("safety-nets")
    base = load_builtin_catalog("production-ml-51")
    assert catalog.reuses == base.name
    detected = {item for detector in BUILTIN_DETECTORS for item in detector.items}
    for item in catalog.items:
        if item.id in NEW_ITEMS:
            assert item.same_as == [], item.id
            assert item.id in detected, f"{item.id} has no detector of its own"
        else:
            assert item.same_as, f"{item.id} is neither new nor the same as a production-ml-51 item"
            for slug in item.same_as:
                assert base.resolve(slug) is not None, slug
                assert slug in detected, slug
    assert {item.id for item in catalog.items if not item.same_as} == NEW_ITEMS


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


@pytest.mark.skipif(not SEED.is_file(), reason="the source checklist is only available beside the repository")
def test_wording_is_our_own() -> None:
    """No run of six words of the source appears in a title, description or remediation (its
    lines are short, so six words is already a copied phrase)."""
    source = _words(SEED.read_text(encoding="utf-8"))
    source_runs = {tuple(source[i : i + 6]) for i in range(len(source) - 5)}
    copied = []
    for item in load_builtin_catalog("safety-nets").items:
        for text in (item.title, item.description, item.remediation):
            words = _words(text)
            copied += [(item.id, " ".join(words[i : i + 6])) for i in range(len(words) - 5)
                       if tuple(words[i : i + 6]) in source_runs]
    assert copied == []


# ---------------------------------------------------------------------- gating with the bands
def _project(pytester: pytest.Pytester, failing: int) -> None:
    """A repository gated on safety-nets: the 18 items a test can meet each have a marked test
    (``failing`` of them fail); the others are declared not applicable, so the score is known."""
    catalog = load_builtin_catalog("safety-nets")
    not_applicable = [item.id for item in catalog.items if item.id not in TESTABLE]
    lines = ["catalog: safety-nets", "not_applicable:"]
    for slug in not_applicable:
        lines += [f"  - item: {slug}", "    reason: Outside what this band test exercises, on purpose"]
    pytester.path.joinpath("mlchecklist.yaml").write_text("\n".join(lines) + "\n")
    tests = ["import pytest", ""]
    for position, slug in enumerate(TESTABLE):
        outcome = "False" if position < failing else "True"
        tests += [f"@pytest.mark.ml_checklist({slug!r})", f"def test_{slug.replace('-', '_')}():",
                  f"    assert {outcome}", ""]
    pytester.makepyfile(test_nets="\n".join(tests))


@pytest.mark.parametrize(
    ("failing", "percent", "verdict"),
    [(0, 100.0, "ready"), (1, 94.4, "launch-with-extra-monitoring"), (3, 83.3, "launch-with-extra-monitoring"),
     (4, 77.8, "delay-launch")],
)
def test_gated_on_the_source_bands(pytester: pytest.Pytester, failing: int, percent: float, verdict: str) -> None:
    _project(pytester, failing)
    result = pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-json=report.json", "-p", "no:cacheprovider")
    report = json.loads(pytester.path.joinpath("report.json").read_text())
    assert report["catalog"] == "safety-nets" and report["profile"] == "safety-nets"
    assert report["score"]["applicable"] == 18
    assert report["score"]["percent"] == percent
    assert report["verdict"] == verdict
    # each failing marked test fails, and so does its checklist item
    result.assert_outcomes(passed=2 * (18 - failing), failed=2 * failing, skipped=22)
    result.stdout.fnmatch_lines(["*safety-nets*"])


def test_profile_safety_nets_selects_the_catalog(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: safety-nets\n")
    result = pytester.runpytest("--ml-checklist", TODAY, "--collect-only", "-q")
    result.stdout.fnmatch_lines(["mlchecklist.yaml::gradual-rollout", "mlchecklist.yaml::post-launch-review"])
    assert "training-serving-skew" not in result.stdout.str()


def test_command_line_catalog_overrides_the_configuration(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: mvp\n")
    result = pytester.runpytest("--ml-checklist", "--ml-checklist-catalog=safety-nets",
                                "--ml-checklist-profile=safety-nets", "--collect-only", "-q")
    result.stdout.fnmatch_lines(["mlchecklist.yaml::rollback-owner"])


def test_unknown_catalog_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--ml-checklist", "--ml-checklist-catalog=safety-net")
    result.stderr.fnmatch_lines(["*unknown catalog 'safety-net'*did you mean*safety-nets*"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_production_ml_51_evidence_counts_for_the_same_safety_net(pytester: pytest.Pytester) -> None:
    """The rollback runbook detector (item 29 of the 51) and a test marked for item 22 meet the
    safety-nets items that are the same safety nets; the evidence is labelled with their slugs."""
    pytester.path.joinpath("mlchecklist.yaml").write_text(
        "catalog: safety-nets\nprofile: [rollback-runbook, latency-tracking, rollback-owner]\n"
    )
    pytester.mkdir("docs")
    pytester.path.joinpath("docs", "rollback.md").write_text(RUNBOOK)
    pytester.makepyfile(test_latency=textwrap.dedent("""
        def test_scoring_latency(ml_latency):
            ml_latency(lambda: sum(range(100)), calls=50, warmup=5, targets={"p99": 1000.0})
    """))
    result = pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-json=report.json", "-p", "no:cacheprovider")
    items = {entry["id"]: entry for entry in json.loads(pytester.path.joinpath("report.json").read_text())["items"]}
    assert items["rollback-runbook"]["status"] == "met"
    assert items["rollback-runbook"]["evidence"][0]["detector"] == "rollback-runbook"
    assert items["latency-tracking"]["status"] == "met"
    assert "p99" in items["latency-tracking"]["message"]
    assert items["rollback-owner"]["status"] == "unmet"
    result.assert_outcomes(passed=3, failed=1)


def test_a_production_ml_51_slug_points_to_the_same_safety_net(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text(textwrap.dedent("""\
        catalog: safety-nets
        waivers:
          - item: fallback
            reason: The fallback lives in the payment gateway's repository
            owner: "@ml-platform"
            expires: 2027-01-31
    """))
    result = pytester.runpytest("--ml-checklist", TODAY)
    result.stderr.fnmatch_lines([
        "*waivers[[]0[]]*unknown item 'fallback' in catalog safety-nets: it is a production-ml-51 slug; "
        "the same safety net here is 'dependency-failure-mode' (34)*"
    ])
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def _golden_suite_project(pytester: pytest.Pytester, slug: str, test_name: str) -> None:
    """A repository gated on ``golden-test-suite`` of safety-nets, whose only test (``test_golden.py::test_name``)
    passes and is marked ``slug``."""
    pytester.path.joinpath("mlchecklist.yaml").write_text("catalog: safety-nets\nprofile: [golden-test-suite]\n")
    pytester.makepyfile(test_golden=textwrap.dedent(f"""
        import pytest

        @pytest.mark.ml_checklist({slug!r})
        def {test_name}():
            assert True
    """))


def test_tests_marked_with_production_ml_51_slugs_count_under_safety_nets(pytester: pytest.Pytester) -> None:
    """One set of markers serves both catalogs: a test marked for ``edge-case-tests`` (24 of the 51)
    meets ``golden-test-suite``, the same safety net, and is not a marker problem."""
    _golden_suite_project(pytester, "edge-case-tests", "test_curated_examples_keep_their_answers")
    result = pytester.runpytest("--ml-checklist", TODAY, "--ml-checklist-json=report.json", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    item = json.loads(pytester.path.joinpath("report.json").read_text())["items"][0]
    assert item["id"] == "golden-test-suite" and item["status"] == "met"
    assert item["evidence"][0]["nodeid"] == "test_golden.py::test_curated_examples_keep_their_answers"


def test_a_slug_of_no_catalog_is_still_a_marker_problem(pytester: pytest.Pytester) -> None:
    _golden_suite_project(pytester, "golden-tests", "test_curated")
    result = pytester.runpytest("--ml-checklist", TODAY, "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*unknown item 'golden-tests'*did you mean*golden-test-suite*"])
    result.assert_outcomes(errors=1, failed=1)


def test_a_production_ml_51_slug_without_a_twin_is_accepted_and_counts_for_nothing(pytester: pytest.Pytester) -> None:
    """A suite marked for production-ml-51 also runs under safety-nets: ``idempotent-pipeline`` has no
    safety-nets twin, so its test is no marker problem and meets nothing here."""
    _golden_suite_project(pytester, "idempotent-pipeline", "test_rerun_gives_the_same_bytes")
    result = pytester.runpytest("--ml-checklist", TODAY, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    assert "marker problem" not in result.stdout.str()
