"""Baseline files and the comparison with them (no pytest run), and `ml-checklist scan --baseline`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_mlchecklist import cli
from pytest_mlchecklist.baseline import (
    Baseline,
    BaselineError,
    compare,
    parse_baseline,
    read_baseline,
    record,
    render_baseline,
    write_baseline,
)
from pytest_mlchecklist.catalog import load_builtin_catalog
from pytest_mlchecklist.config import LoadedSettings, resolve_config, validate_settings
from pytest_mlchecklist.engine import ChecklistResult, ItemResult

from conftest import TODAY, write_dedented

PROFILE = ["schema-validation", "rollback", "load-testing", "on-call", "horizontal-scaling"]


def make_result(statuses: dict[str, str], *, strict: bool = False, expired: tuple[str, ...] = (),
                unused: tuple[str, ...] = ()) -> ChecklistResult:
    """A result with the given statuses (slug -> status), in catalog order."""
    settings = validate_settings({"profile": list(statuses)}, source="test")
    config = resolve_config(LoadedSettings(settings=settings, source=None, kind="defaults"),
                            load_builtin_catalog("production-ml-51"), today=TODAY, strict_override=strict)
    items = []
    for item in config.items:
        state = "expired" if item.id in expired else "unused" if item.id in unused else None
        items.append(ItemResult(item, statuses[item.id], [], f"{item.id} is {statuses[item.id]}",  # type: ignore[arg-type]
                                waiver_state=state))  # type: ignore[arg-type]
    return ChecklistResult(root=Path("/repo"), config=config, items=items, problems=[], test_run=True)


# ---------------------------------------------------------------------- the file
def test_recorded_file_is_sorted_in_catalog_order_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / ".mlchecklist-baseline"
    result = make_result({"on-call": "unmet", "schema-validation": "met", "rollback": "error",
                          "load-testing": "waived", "horizontal-scaling": "not_applicable"})
    assert write_baseline(path, {".": result}) == f"baseline written to {path}: 5 items (2 unmet)"
    text = path.read_text()
    entries = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert entries == ["[.]", "schema-validation met", "load-testing waived", "horizontal-scaling not_applicable",
                       "rollback error", "on-call unmet"]
    assert "# catalog production-ml-51, profile custom" in text
    assert read_baseline(path).statuses(".") == record(result)
    # the same statuses give the same bytes: no dates or counters in the file
    write_baseline(path, {".": result})
    assert path.read_text() == text


def test_other_projects_are_kept_and_the_root_comes_first(tmp_path: Path) -> None:
    path = tmp_path / "baseline.txt"
    path.write_text("[services/ranker]\nrollback unmet\n\n[batch]\non-call met\n")
    write_baseline(path, {".": make_result({"rollback": "met"})}, label="baseline.txt")
    baseline = read_baseline(path)
    assert list(baseline.projects) == [".", "batch", "services/ranker"]
    assert baseline.projects["services/ranker"] == {"rollback": "unmet"}
    assert baseline.statuses(".") == {"rollback": "met"}


def test_recording_again_replaces_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "baseline.txt"
    path.write_text("rollback sort-of\n")
    write_baseline(path, {".": make_result({"rollback": "met"})})
    assert read_baseline(path).statuses(".") == {"rollback": "met"}


def test_comments_and_blank_lines_are_ignored() -> None:
    baseline = parse_baseline("# header\n\n[.]\n# catalog x\nrollback met   # rehearsed in May\n\n", path=Path("b"))
    assert baseline.projects == {".": {"rollback": "met"}}
    assert baseline.notes == {".": "catalog x"}
    assert render_baseline(baseline).endswith("[.]\n# catalog x\nrollback met\n")


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        pytest.param("[.]\nrollback done\n", 2, "unknown status 'done'", id="unknown-status"),
        pytest.param("[.]\nRollback met\n", 2, "'Rollback' is not an item slug", id="bad-slug"),
        pytest.param("[.]\n29 met\n", 2, "'29' is not an item slug", id="number-instead-of-slug"),
        pytest.param("[.]\nrollback met yes\n", 2, "expected `<item-slug> <status>`, found 3 words", id="three-words"),
        pytest.param("[.]\nrollback\n", 2, "found 1 words", id="no-status"),
        pytest.param("[.]\nrollback met\nrollback unmet\n", 3, "'rollback' is listed twice", id="duplicate-item"),
        pytest.param("[.]\n[.]\n", 2, "[.] appears twice", id="duplicate-project"),
        pytest.param("# c\nrollback met\n", 2, "before any [project] header", id="no-section"),
        pytest.param("[ ]\nrollback met\n", 1, "an empty project header", id="empty-section"),
    ],
)
def test_a_bad_line_is_named_with_what_to_do(tmp_path: Path, text: str, line: int, problem: str) -> None:
    path = tmp_path / "baseline.txt"
    path.write_text(text)
    with pytest.raises(BaselineError) as excinfo:
        read_baseline(path)
    message = str(excinfo.value)
    assert f"baseline {path}, line {line}: " in message
    assert problem in message
    assert "--ml-checklist-baseline-update" in message


def test_missing_unreadable_and_projectless_files(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="does not exist; record it first with pytest --ml-checklist"):
        read_baseline(tmp_path / "nope")
    binary = tmp_path / "binary"
    binary.write_bytes(b"[.]\nrollback \xff\xfe\n")
    with pytest.raises(BaselineError, match="not a UTF-8 text file"):
        read_baseline(binary)
    other = tmp_path / "other"
    other.write_text("[services/ranker]\nrollback met\n")
    with pytest.raises(BaselineError, match=r"no \[\.\] section"):
        read_baseline(other).statuses(".")


def test_an_unwritable_baseline_is_an_error_not_a_crash(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(BaselineError, match="cannot write the baseline"):
        write_baseline(blocker / "baseline.txt", {".": make_result({"rollback": "met"})})


# ---------------------------------------------------------------------- the comparison
def test_known_gaps_do_not_fail_and_keep_their_real_status() -> None:
    result = make_result({"rollback": "unmet", "on-call": "error"})
    comparison = compare(result, {"rollback": "unmet", "on-call": "unmet"}, file="b")
    assert [change.kind for change in comparison.changes] == ["known", "known"]
    assert comparison.failing == []
    assert [entry.status for entry in result.items] == ["unmet", "error"]
    assert comparison.known_message(result.items[0]) == "ml-checklist: unmet, as in the baseline b (known gap): rollback is unmet"


def test_regressions_fail_and_say_from_what() -> None:
    result = make_result({"schema-validation": "unmet", "rollback": "error", "load-testing": "unmet",
                          "horizontal-scaling": "unmet"}, expired=("load-testing",))
    comparison = compare(result, {"schema-validation": "met", "rollback": "met", "load-testing": "waived",
                                  "horizontal-scaling": "not_applicable"}, file="b")
    reasons = {change.item: (change.kind, change.reason) for change in comparison.changes}
    assert reasons == {
        "schema-validation": ("regression", "regressed from met"),
        "rollback": ("regression", "regressed from met"),
        "load-testing": ("regression", "waiver expired"),
        "horizontal-scaling": ("regression", "regressed from not_applicable"),
    }
    assert len(comparison.failing) == 4
    lines = comparison.summary_lines()
    assert lines[0] == "Baseline b: 4 regressed, 0 new and not met, 0 known gaps (not failing), 0 improved"
    assert "[23] load-testing (waived -> unmet, waiver expired)" in lines[1]
    assert "[1] schema-validation (met -> unmet)" in lines[1]


def test_a_new_item_fails_only_when_not_met() -> None:
    result = make_result({"rollback": "met", "on-call": "unmet", "schema-validation": "met"})
    comparison = compare(result, {"rollback": "met"}, file="b")
    new = {change.item: change.fails for change in comparison.of_kind("new")}
    assert new == {"schema-validation": False, "on-call": True}
    assert [change.item for change in comparison.failing] == ["on-call"]
    assert "new item in the profile, not met: [40] on-call (unmet)" in comparison.summary_lines()


def test_improvements_changes_and_removed_items_are_reported_without_failing() -> None:
    result = make_result({"rollback": "met", "on-call": "waived", "schema-validation": "waived"})
    comparison = compare(result, {"rollback": "unmet", "on-call": "error", "schema-validation": "met",
                                  "data-freshness": "unmet"}, file="b")
    assert comparison.failing == []
    assert [change.item for change in comparison.of_kind("improvement")] == ["rollback", "on-call"]
    assert [change.item for change in comparison.of_kind("changed")] == ["schema-validation"]
    assert comparison.removed == ["data-freshness"]
    lines = comparison.summary_lines()
    assert any(line.startswith("improved: [29] rollback (unmet -> met), [40] on-call (error -> waived); "
                               "update the baseline with pytest --ml-checklist") for line in lines)
    assert "changed since the baseline: [1] schema-validation (met -> waived)" in lines
    assert "in the baseline but no longer in the profile: data-freshness" in lines


def test_strict_unused_waiver_still_fails_with_a_baseline() -> None:
    result = make_result({"rollback": "met"}, strict=True, unused=("rollback",))
    comparison = compare(result, {"rollback": "met"}, file="b")
    assert [change.item for change in comparison.failing] == ["rollback"]


def test_recording_now_makes_every_failing_item_a_known_gap() -> None:
    result = make_result({"rollback": "unmet", "on-call": "error", "schema-validation": "met"})
    comparison = compare(result, record(result), file="b", updated=True)
    assert comparison.failing == []
    assert "recorded in the baseline b by this run (known gap)" in comparison.known_message(result.items[1])


def test_json_block_is_added_without_renaming_fields() -> None:
    result = make_result({"rollback": "unmet", "on-call": "unmet"})
    plain = result.to_json()
    assert plain["baseline"] is None
    result.baseline = compare(result, {"rollback": "met"}, file=".mlchecklist-baseline")
    data = result.to_json()
    assert set(plain) == set(data) and data["items"] == plain["items"] and data["score"] == plain["score"]
    block = data["baseline"]
    assert block["file"] == ".mlchecklist-baseline" and block["failed"] is True
    assert block["regressions"] == [{"id": "rollback", "before": "met", "now": "unmet", "reason": "regressed from met",
                                     "fails": True}]
    assert [entry["id"] for entry in block["new"]] == ["on-call"]
    assert block["known"] == [] and block["improvements"] == []


def test_baseline_dataclass_without_projects_says_how_to_record() -> None:
    with pytest.raises(BaselineError, match="--ml-checklist-baseline-update"):
        Baseline(path=Path("b")).statuses(".")


# ---------------------------------------------------------------------- ml-checklist scan --baseline
RUNBOOK = """\
# Model rollback

## Rollback steps
1. Pause the training pipeline so that no new model is promoted.
2. Run `kubectl rollout undo deployment/scorer` to return to the previous version.
3. Confirm the previous model version on the /health endpoint.

Last rehearsed: 2026-09-30
"""


def scan(root: Path, *args: str) -> int:
    return cli.main(["scan", str(root), "--today", TODAY.isoformat(), *args])


def test_scan_adopts_a_baseline_in_two_commands_then_fails_only_on_regressions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_dedented(tmp_path, {"mlchecklist.yaml": "profile: [rollback, on-call]\n", "docs/rollback.md": RUNBOOK})
    baseline = tmp_path / ".mlchecklist-baseline"
    assert scan(tmp_path) == 1  # on-call is unmet
    assert scan(tmp_path, "--baseline", str(baseline), "--update-baseline") == 0
    assert f"baseline written to {baseline}: 2 items (1 unmet)" in capsys.readouterr().out
    assert scan(tmp_path, "--baseline", str(baseline)) == 0
    assert "1 known gaps (not failing)" in capsys.readouterr().out

    (tmp_path / "docs" / "rollback.md").unlink()
    assert scan(tmp_path, "--baseline", str(baseline), "--format", "json") == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert [entry["id"] for entry in report["baseline"]["regressions"]] == ["rollback"]
    assert [item["status"] for item in report["items"]] == ["unmet", "unmet"]  # real statuses
    assert "regressed: [29] rollback (met -> unmet)" in captured.err


def test_scan_bad_baseline_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_dedented(tmp_path, {"mlchecklist.yaml": "profile: [rollback]\n", "b.txt": "[.]\nrollback maybe\n"})
    assert scan(tmp_path, "--baseline", str(tmp_path / "b.txt")) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert f"ml-checklist: error: baseline {tmp_path / 'b.txt'}, line 2: unknown status 'maybe'" in err
    assert "Traceback" not in err
    assert scan(tmp_path, "--update-baseline") == cli.EXIT_USAGE
    assert "--update-baseline needs --baseline FILE" in capsys.readouterr().err
