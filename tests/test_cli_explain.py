"""`ml-checklist explain ITEM`: meaning, accepted evidence, marking and waiving."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_mlchecklist.cli import main

TODAY = ["--today", "2026-11-22"]


def explain(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["explain", *args, *TODAY])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_explain_by_slug_shows_meaning_evidence_marker_and_waiver(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = explain(capsys, "training-serving-skew", str(tmp_path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("[12] training-serving-skew: ")
    assert "Section: Model development" in lines[1] and "Tiers: mvp, mature" in lines[1]
    assert "In the mvp profile (defaults, no configuration file): yes" in out
    assert "What it means and why it matters:" in out and "How to meet it:" in out
    # The detectors' own sentences, by name, and the page with examples.
    assert "Evidence accepted (" in out
    assert "Details and examples: docs/detectors/training-serving-skew.md" in out
    assert '@pytest.mark.ml_checklist("training-serving-skew")  (or ml_checklist(12))' in out
    assert "  waivers:\n    - item: training-serving-skew" in out
    assert '@pytest.mark.ml_waive("training-serving-skew"' in out
    assert "expires: 2027-02-20" in out  # 90 days after --today


def test_explain_lists_every_detector_of_the_item(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pytest_mlchecklist.detectors.registry import BUILTIN_DETECTORS

    code, out, _ = explain(capsys, "29", str(tmp_path))
    assert code == 0
    names = [detector.name for detector in BUILTIN_DETECTORS if "rollback" in detector.items]
    assert names
    for name in names:
        assert f"  - {name}: " in out
    assert "@pytest.mark.ml_checklist(\"rollback\")" in out  # a test that performs a rollback counts


def test_explain_says_when_a_marked_test_does_not_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = explain(capsys, "on-call", str(tmp_path))
    assert code == 0
    assert "a marked test does not count for this item" in out  # an on-call rotation is a file


def test_explain_by_number_uses_the_configuration_syntax(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.ml-checklist]\nprofile = "mature"\n')
    code, out, _ = explain(capsys, "40", str(tmp_path))
    assert code == 0
    assert out.startswith("[40] on-call: ")
    assert "In the mature profile (pyproject.toml): yes" in out
    assert "[[tool.ml-checklist.waivers]]" in out and 'item = "on-call"' in out


def test_explain_says_when_an_item_is_locked_under_regulated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = explain(capsys, "incident-response", str(tmp_path), "--profile", "regulated")
    assert code == 0
    assert "can neither be waived nor declared not applicable" in out
    assert "Under the regulated profile this item can never be waived or declared not applicable." in out
    code, out, _ = explain(capsys, "rollback", str(tmp_path))
    assert "Under the regulated profile it can be waived, with a named owner." in out
    assert "In the mvp profile" in out and "- item: rollback" in out


def test_explain_item_outside_the_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = explain(capsys, "on-call", str(tmp_path))
    assert code == 0
    assert "In the mvp profile (defaults, no configuration file): no" in out


@pytest.mark.parametrize(("ref", "message"), [
    ("rollbak", "unknown item 'rollbak'; did you mean 'rollback'?"),
    ("99", "unknown item number 99 (catalog production-ml-51 numbers its items 1-51)"),
])
def test_explain_unknown_item_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], ref: str, message: str) -> None:
    code, out, err = explain(capsys, ref, str(tmp_path))
    assert code == 2
    assert out == ""
    assert message in err and "Traceback" not in err


def test_explain_other_catalog(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mlchecklist.yaml").write_text("profile: mvp\n")
    code, out, err = explain(capsys, "rollback-runbook", str(tmp_path), "--catalog", "safety-nets")
    assert code == 0, err
    assert "Catalog: safety-nets" in out
    assert "  - rollback-runbook: " in out  # reuses the detectors of production-ml-51's rollback
    code, _, err = explain(capsys, "rollback", str(tmp_path), "--catalog", "no-such-catalog")
    assert code == 2 and "unknown catalog 'no-such-catalog'" in err


def test_explain_bad_configuration_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mlchecklist.yaml").write_text("profil: mvp\n")
    code, _, err = explain(capsys, "rollback", str(tmp_path))
    assert code == 2
    assert "mlchecklist.yaml" in err and "did you mean 'profile'" in err
