"""The demo repository: the README's main command gives the verdicts the README promises."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "example_project"
TODAY = "2026-11-30"
DETECTED = ["schema-validation", "fixed-seeds", "latency-gated", "health-check", "rollback", "resource-limits", "on-call"]
#: The profile of example_project/mlchecklist.yaml: `mature`, the whole team catalog
#: (ml/acme-catalog.yaml: production-ml-51 and the payments items 52-54).
GATED = list(range(1, 55))
TEAM_ITEMS = ["release-sign-off", "card-data-excluded", "decision-policy"]
#: The only items not met, each with a reason, an owner and an expiry in mlchecklist.yaml.
WAIVED = {"fallback", "shadow-deployment"}


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of example_project/, so that runs leave no cache or report behind in the repository."""
    copy = tmp_path / "example_project"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns(".pytest_cache", "__pycache__", ".mlchecklist"))
    return copy


def test_main_job_meets_the_whole_catalog_but_two_waivers_and_is_ready(example: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--ml-checklist", f"--ml-checklist-today={TODAY}",
         "--ml-checklist-json=report.json", "-p", "no:cacheprovider", "-q"],
        cwd=example, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    report = json.loads((example / "report.json").read_text())
    by_number = {item["number"]: item for item in report["items"]}
    assert sorted(by_number) == GATED
    unmet = {item["id"]: (item["status"], item["message"]) for item in report["items"]
             if item["status"] != "met" and item["id"] not in WAIVED}
    assert not unmet
    statuses = {item["id"]: item["status"] for item in report["items"]}
    assert {slug: statuses[slug] for slug in WAIVED} == {slug: "waived" for slug in WAIVED}
    assert report["score"] == {"met": 52, "applicable": 54, "percent": pytest.approx(96.3, abs=0.05)}
    assert report["catalog"] == "acme-payments-ml"
    assert report["verdict"] == "ready"
    assert report["tests_ran"] is True


def test_scan_under_the_mature_profile_gives_the_same_verdicts(example: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest_mlchecklist", "scan", ".", "--profile", "mature", "--format", "json",
         "--today", TODAY],
        cwd=example, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    report = json.loads(result.stdout)
    by_id = {item["id"]: item for item in report["items"]}
    # the scan reads the marked tests without running them and reaches the same verdicts
    assert {slug for slug, item in by_id.items() if item["status"] != "met"} == WAIVED
    assert {by_id[slug]["status"] for slug in WAIVED} == {"waived"}
    assert report["verdict"] == "ready"
    for slug in DETECTED + TEAM_ITEMS:
        assert by_id[slug]["status"] == "met", (slug, by_id[slug]["message"])
        assert any(evidence["kind"] == "file" and evidence["verdict"] == "supports" for evidence in by_id[slug]["evidence"])
