"""`ml-checklist list`: the profile's items with the statuses of the last `pytest --ml-checklist` run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_mlchecklist.cli import main
from pytest_mlchecklist.engine import LAST_RESULT_CACHE_KEY

RUNBOOK = """\
# Model rollback

## Rollback steps
1. Pause the training pipeline so that no new model is promoted.
2. Run `kubectl rollout undo deployment/scorer` to return to the previous version.

Last rehearsed: 2026-09-30
"""


def record(root: Path, data: dict[str, object]) -> None:
    path = root / ".pytest_cache" / "v" / LAST_RESULT_CACHE_KEY
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def item_line(out: str, slug: str) -> str:
    return next(line for line in out.splitlines() if f"  {slug} " in line)


def test_list_without_a_recorded_run_shows_dashes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mlchecklist.yaml").write_text("profile: [rollback, on-call]\n")
    assert main(["list", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "profile custom (2 items; config: mlchecklist.yaml)" in out
    assert "no `pytest --ml-checklist` run is recorded" in out
    assert item_line(out, "rollback").split() == ["29", "rollback", "serving-infrastructure", "-", "A", "model",
                                                 "rollback", "is", "possible", "in", "minutes", "and", "has", "been",
                                                 "rehearsed"]
    assert " - " in item_line(out, "on-call")


def test_list_shows_recorded_statuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record(tmp_path, {"date": "2026-11-20", "catalog": "production-ml-51", "profile": "mvp",
                      "items": {"rollback": "met", "schema-validation": "not_applicable"}})
    assert main(["list", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "statuses from the last `pytest --ml-checklist` run, 2026-11-20 (profile mvp); 21 items were not in that run" in out
    assert "  met  " in item_line(out, "rollback")
    assert "  not applicable  " in item_line(out, "schema-validation")
    assert " - " in item_line(out, "data-freshness")


def test_list_json_and_profile_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record(tmp_path, {"date": "2026-11-20", "catalog": "production-ml-51", "profile": "mature",
                      "items": {"on-call": "unmet"}})
    assert main(["list", str(tmp_path), "--profile", "mature", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["profile"] == "mature" and len(report["items"]) == 51
    assert next(row for row in report["items"] if row["id"] == "on-call") == {
        "number": 40, "id": "on-call", "section": "monitoring-alerting",
        "title": report["items"][39]["title"], "status": "unmet"}
    assert report["last_run"] == {"date": "2026-11-20", "catalog": "production-ml-51", "profile": "mature"}


def test_list_ignores_a_run_of_another_catalog_and_bad_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record(tmp_path, {"date": "2026-11-20", "catalog": "safety-nets", "profile": "safety-nets", "items": {"rollback": "met"}})
    assert main(["list", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "evaluated catalog safety-nets, not production-ml-51" in out
    assert " - " in item_line(out, "rollback")
    record(tmp_path, {"items": "not a mapping"})
    assert main(["list", str(tmp_path)]) == 0
    assert "no `pytest --ml-checklist` run is recorded" in capsys.readouterr().out


def test_list_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert main(["list", str(tmp_path), "--profile", "nope"]) == 2
    assert "unknown profile 'nope'" in capsys.readouterr().err


def test_pytest_run_then_list_shows_the_statuses(pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]) -> None:
    pytester.makefile(".yaml", mlchecklist="profile: [rollback, on-call, training-serving-skew]\n")
    pytester.mkdir("docs")
    pytester.path.joinpath("docs", "rollback.md").write_text(RUNBOOK)
    pytester.makepyfile(test_skew="""
        import pytest

        @pytest.mark.ml_checklist("training-serving-skew")
        def test_same_features():
            assert True
    """)
    result = pytester.runpytest("--ml-checklist", "--ml-checklist-today=2026-11-22", "-p", "no:randomly")
    result.assert_outcomes(passed=3, failed=1)
    assert main(["list", str(pytester.path)]) == 0
    out = capsys.readouterr().out
    assert "statuses from the last `pytest --ml-checklist` run, 2026-11-22 (profile custom)" in out
    assert "  met  " in item_line(out, "rollback")
    assert "  met  " in item_line(out, "training-serving-skew")
    assert "  unmet  " in item_line(out, "on-call")
