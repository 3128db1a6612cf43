"""The engine on its own: statuses, declared evidence, crashing detectors, score and bands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import TODAY
from pytest_mlchecklist.catalog import load_builtin_catalog
from pytest_mlchecklist.config import LoadedSettings, ResolvedConfig, resolve_config, validate_settings
from pytest_mlchecklist.detectors.base import DetectorContext, detector
from pytest_mlchecklist.engine import ChecklistResult, evaluate, verdict_for
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.repo import RepoIndex


def configure(**settings: Any) -> ResolvedConfig:
    loaded = LoadedSettings(settings=validate_settings(settings, source="mlchecklist.yaml"), source="mlchecklist.yaml", kind="yaml")
    return resolve_config(loaded, load_builtin_catalog("production-ml-51"), today=TODAY)


def evaluate_folder(root: Path, *, detectors: Any = None, **settings: Any) -> ChecklistResult:
    config = configure(**settings)
    if detectors is None:
        return evaluate(config, RepoIndex(root), test_run=False)
    return evaluate(config, RepoIndex(root), detectors=detectors, test_run=False)


def status_of(result: ChecklistResult, item: str) -> str:
    return next(entry.status for entry in result.items if entry.item.id == item)


def message_of(result: ChecklistResult, item: str) -> str:
    return next(entry.message for entry in result.items if entry.item.id == item)


@pytest.mark.parametrize(
    ("percent", "band"),
    [(0.0, "delay-launch"), (79.9, "delay-launch"), (80.0, "launch-with-extra-monitoring"),
     (95.0, "launch-with-extra-monitoring"), (95.1, "ready"), (100.0, "ready")],
)
def test_verdict_bands_follow_the_safety_nets_source(percent: float, band: str) -> None:
    assert verdict_for(percent) == band


def test_items_without_detector_explain_how_they_can_be_met(pytester: pytest.Pytester) -> None:
    result = evaluate_folder(pytester.path, detectors=(), profile=[15])
    item_id = result.items[0].item.id
    assert status_of(result, item_id) == "unmet"
    assert "no file detector exists for this item yet; it is met by" in message_of(result, item_id)
    assert "declared evidence" in message_of(result, item_id)


def test_declared_document_counts_for_an_item_without_detector(pytester: pytest.Pytester) -> None:
    pytester.mkdir("docs")
    pytester.path.joinpath("docs", "model-card.md").write_text(
        "# Model card\n\n## Baseline\n\nThe rules engine catches 61% of fraud at 2% review rate; "
        "the model catches 78% at the same rate.\n"
    )
    result = evaluate_folder(pytester.path, detectors=(), profile=[15], evidence={15: ["docs/model-card.md"]})
    item_id = result.items[0].item.id
    assert status_of(result, item_id) == "met"
    assert "no detector verifies its content" in message_of(result, item_id)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("# Model card\n\n## Baseline\n\nTODO\n", "no section with real content"),
        ("# Model card\n\n```\nbaseline: 0.61\n```\n", "no section with real content"),
        (None, "declared evidence does not exist"),
    ],
)
def test_declared_evidence_is_checked_not_trusted(pytester: pytest.Pytester, content: str | None, expected: str) -> None:
    if content is not None:
        pytester.path.joinpath("card.md").write_text(content)
    result = evaluate_folder(pytester.path, detectors=(), profile=[15], evidence={15: ["card.md"]})
    item_id = result.items[0].item.id
    assert status_of(result, item_id) == "unmet"
    assert expected in message_of(result, item_id)


def test_declared_path_for_an_item_with_a_detector_is_judged_by_the_detector(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("notes.md").write_text("# Notes\n\n## Rollback\n\nWe would roll back if needed.\n")
    result = evaluate_folder(pytester.path, profile=["rollback"], evidence={"rollback": ["notes.md"]})
    assert status_of(result, "rollback") == "unmet"


def test_a_crashing_detector_is_an_error_never_met(pytester: pytest.Pytester) -> None:
    @detector(name="explodes", items=["rollback"], looks_for="nothing")
    def explodes(context: DetectorContext) -> list[Evidence]:
        raise RuntimeError("boom")

    @detector(name="always", items=["rollback"], looks_for="anything")
    def always(context: DetectorContext) -> list[Evidence]:
        return [context.supports("rollback", "looks fine")]

    result = evaluate(configure(profile=["rollback"]), RepoIndex(pytester.path), detectors=[explodes, always])
    assert status_of(result, "rollback") == "error"
    assert "detector explodes failed: RuntimeError: boom" in message_of(result, "rollback")


def test_contradicting_evidence_wins_over_support(pytester: pytest.Pytester) -> None:
    @detector(name="mixed", items=["latency-gated"], looks_for="latency")
    def mixed(context: DetectorContext) -> list[Evidence]:
        return [context.supports("latency-gated", "p50 fine", path="a.json"),
                context.contradicts("latency-gated", "p99 120.0 ms > 80 ms SLA", path="b.json")]

    result = evaluate(configure(profile=["latency-gated"]), RepoIndex(pytester.path), detectors=[mixed])
    assert status_of(result, "latency-gated") == "unmet"
    assert message_of(result, "latency-gated") == "p99 120.0 ms > 80 ms SLA (b.json)"


def test_score_excludes_not_applicable_and_counts_waived_as_not_met(pytester: pytest.Pytester) -> None:
    @detector(name="fake", items=["rollback", "on-call"], looks_for="fake")
    def fake(context: DetectorContext) -> list[Evidence]:
        return [context.supports("rollback", "ok"), context.supports("on-call", "ok")]

    config = configure(
        profile=["rollback", "on-call", "load-testing", "horizontal-scaling"],
        waivers=[{"item": "load-testing", "reason": "Traffic is tiny and flat", "expires": "2027-01-01"}],
        not_applicable=[{"item": 26, "reason": "Batch scoring only, nothing online"}],
    )
    result = evaluate(config, RepoIndex(pytester.path), detectors=[fake])
    assert (result.met, result.applicable, result.percent) == (2, 3, 66.7)
    assert result.to_json()["counts"] == {"met": 2, "unmet": 0, "waived": 1, "not_applicable": 1, "error": 0}
    assert result.failed == []


def test_marked_tests_do_not_count_for_document_items(pytester: pytest.Pytester) -> None:
    piece = Evidence(item="on-call", kind="test", detector="marked-test", detail="marked test passed",
                     nodeid="tests/test_x.py::test_y", outcome="passed")
    result = evaluate(configure(profile=["on-call"]), RepoIndex(pytester.path), test_evidence=[piece])
    assert status_of(result, "on-call") == "unmet"
    assert "marked tests do not count for this item" in message_of(result, "on-call")


@detector(name="skew-test-reader", items=["training-serving-skew"], looks_for="a test comparing both feature paths")
def _skew_test_reader(ctx: DetectorContext) -> list[Evidence]:
    return [ctx.supports("training-serving-skew", "test compares training and serving features",
                         path="tests/test_skew.py", line=3, nodeid="tests/test_skew.py::test_same_features")]


@pytest.mark.parametrize(
    ("outcomes", "status", "words"),
    [
        ({}, "met", "test compares training and serving features"),
        ({"tests/test_skew.py::test_same_features": "passed"}, "met", "passed in the run"),
        ({"tests/test_skew.py::test_same_features[a]": "passed",
          "tests/test_skew.py::test_same_features[b]": "failed"}, "unmet", "this test failed in the run"),
        ({"tests/test_skew.py::test_same_features": "skipped"}, "unmet", "skipped in the run"),
    ],
)
def test_a_test_found_in_the_code_is_checked_against_its_outcome(
    pytester: pytest.Pytester, outcomes: dict[str, Any], status: str, words: str
) -> None:
    config = configure(profile=["training-serving-skew"])
    result = evaluate(config, RepoIndex(pytester.path), detectors=[_skew_test_reader], test_outcomes=outcomes)
    assert status_of(result, "training-serving-skew") == status
    assert words in message_of(result, "training-serving-skew")
