"""`ml-checklist init`: a starter configuration from what the repository has, and templates."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from pytest_mlchecklist.cli import main
from pytest_mlchecklist.commands.init import load_template_specs

RUNBOOK = """\
# Model rollback

## Rollback steps
1. Pause the training pipeline so that no new model is promoted.
2. Run `kubectl rollout undo deployment/scorer` to return to the previous version.

Last rehearsed: 2026-09-30
"""
TODAY = ["--today", "2026-11-22"]


def test_init_writes_a_commented_mvp_configuration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "rollback.md").write_text(RUNBOOK)
    assert main(["init", str(tmp_path), *TODAY]) == 0
    out = capsys.readouterr().out
    assert "wrote mlchecklist.yaml: profile mvp, 1 of 23 items already have evidence" in out
    assert "Next: run `ml-checklist scan`" in out
    text = (tmp_path / "mlchecklist.yaml").read_text()
    assert yaml.safe_load(text) == {"profile": "mvp"}  # everything else is comments: no invented waiver
    assert "# Met: [29] rollback" in text
    assert "#   [1] schema-validation: " in text  # unmet items listed with a hint
    assert "hint: " in text
    # The written configuration is valid: scan accepts it.
    assert main(["scan", str(tmp_path), *TODAY]) == 1
    assert "profile mvp" in capsys.readouterr().out


def test_init_refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mlchecklist.yaml").write_text("profile: mature\n")
    assert main(["init", str(tmp_path), *TODAY]) == 2
    err = capsys.readouterr().err
    assert "mlchecklist.yaml already configures the checklist" in err and "--force" in err
    assert (tmp_path / "mlchecklist.yaml").read_text() == "profile: mature\n"
    assert main(["init", str(tmp_path), "--force", "--profile", "mature", *TODAY]) == 0
    assert yaml.safe_load((tmp_path / "mlchecklist.yaml").read_text()) == {"profile": "mature"}


def test_init_refuses_when_pyproject_configures_the_checklist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.ml-checklist]\nprofile = "mvp"\n')
    assert main(["init", str(tmp_path), *TODAY]) == 2
    assert "[tool.ml-checklist] in pyproject.toml already configures" in capsys.readouterr().err
    assert main(["init", str(tmp_path), "--force", *TODAY]) == 2  # would leave two configurations
    assert "leave two configurations" in capsys.readouterr().err
    assert not (tmp_path / "mlchecklist.yaml").exists()


def test_init_pyproject_prints_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "scorer"\n')
    assert main(["init", str(tmp_path), "--pyproject", *TODAY]) == 0
    out = capsys.readouterr().out
    table = out.split("Add this table to pyproject.toml:\n", 1)[1].split("\nNext:", 1)[0]
    assert tomllib.loads(table) == {"tool": {"ml-checklist": {"profile": "mvp"}}}
    assert not (tmp_path / "mlchecklist.yaml").exists()
    assert (tmp_path / "pyproject.toml").read_text() == '[project]\nname = "scorer"\n'  # printed, not edited


def test_init_pyproject_needs_a_pyproject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path), "--pyproject", *TODAY]) == 2
    assert "there is no pyproject.toml" in capsys.readouterr().err


def test_init_templates_writes_documents_and_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "docs" / "runbooks").mkdir(parents=True)
    (tmp_path / "docs" / "runbooks" / "rollback.md").write_text(RUNBOOK)
    assert main(["init", str(tmp_path), "--templates", *TODAY]) == 0
    out = capsys.readouterr().out
    assert "kept docs/runbooks/rollback.md (the file exists; not overwritten)" in out
    assert (tmp_path / "docs" / "runbooks" / "rollback.md").read_text() == RUNBOOK
    for spec in load_template_specs():
        assert (tmp_path / spec.path).is_file(), spec.path
        if spec.path != "docs/runbooks/rollback.md":
            assert f"wrote {spec.path}" in out
    text = (tmp_path / "mlchecklist.yaml").read_text()
    assert "template written: monitoring/alerts/ml-alerts.rules.yaml (fill it in)" in text
    assert "delete their `ml-checklist: template` line" in out
    # With an existing configuration, --templates still adds missing templates and keeps the file.
    (tmp_path / "docs" / "runbooks" / "on-call.md").unlink()
    assert main(["init", str(tmp_path), "--templates", *TODAY]) == 0
    out = capsys.readouterr().out
    assert "wrote docs/runbooks/on-call.md" in out and "kept the existing configuration, mlchecklist.yaml" in out
    assert (tmp_path / "mlchecklist.yaml").read_text() == text


def test_init_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "missing")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert main(["init", str(tmp_path), "--profile", "matur"]) == 2
    assert "did you mean 'mature'" in capsys.readouterr().err
    assert main(["init", str(tmp_path), "--today", "tomorrow"]) == 2
    assert "--today" in capsys.readouterr().err
    assert not (tmp_path / "mlchecklist.yaml").exists()
