"""The repository index: one bounded walk that honours .gitignore and never escapes the root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pytest_mlchecklist.repo import RepoIndex


def write(root: Path, relative: str, content: str | bytes = "x: 1\n") -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def test_gitignore_at_every_level_is_honoured(pytester: pytest.Pytester) -> None:
    root = pytester.path
    write(root, ".gitignore", "build/\n*.log\n!keep.log\n")
    write(root, "build/out.yaml")
    write(root, "run.log")
    write(root, "keep.log")
    write(root, "services/api/.gitignore", "secrets.yaml\n")
    write(root, "services/api/secrets.yaml")
    write(root, "services/api/app.yaml")
    write(root, "secrets.yaml")
    write(root, ".venv/lib/site.py")
    write(root, "node_modules/x/index.js")
    index = RepoIndex(root)
    assert index.files == (".gitignore", "keep.log", "secrets.yaml", "services/api/.gitignore", "services/api/app.yaml")


def test_include_and_exclude_globs(pytester: pytest.Pytester) -> None:
    root = pytester.path
    for relative in ("services/ranker/a.yaml", "services/other/b.yaml", "vendor/c.yaml", "services/ranker/vendor/d.yaml"):
        write(root, relative)
    index = RepoIndex(root, include=["services/ranker/**"], exclude=["vendor/"])
    assert index.files == ("services/ranker/a.yaml",)


def test_symlink_loops_and_links_outside_are_not_followed(pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = pytester.path
    write(root, "docs/runbook.md", "# Runbook\n")
    os.symlink(root / "docs", root / "docs" / "loop")
    outside = tmp_path_factory.mktemp("outside") / "secret.yaml"
    outside.write_text("token: 1\n")
    os.symlink(outside, root / "docs" / "outside.yaml")
    os.symlink(root / "docs" / "runbook.md", root / "docs" / "alias.md")
    os.symlink(root / "missing.md", root / "docs" / "broken.md")
    index = RepoIndex(root)
    assert index.files == ("docs/alias.md", "docs/runbook.md")
    assert index.problem("docs/outside.yaml") == "symlink points outside the repository; not followed"
    assert index.problem("docs/broken.md") == "broken or looping symlink; skipped"
    assert index.read_text("docs/alias.md") == "# Runbook\n"


def test_binary_undecodable_and_large_files_are_reported_not_read(pytester: pytest.Pytester) -> None:
    root = pytester.path
    write(root, "model.yaml", b"\x00\x01binary")
    write(root, "latin.md", "caf\xe9".encode("latin-1"))
    write(root, "big.json", "[" + "1," * 2000 + "1]")
    index = RepoIndex(root, max_file_bytes=1024)
    assert index.read_text("model.yaml") is None
    assert index.problem("model.yaml") == "is a binary file; not read"
    assert index.read_text("latin.md") is None
    assert "not UTF-8" in (index.problem("latin.md") or "")
    assert index.json_data("big.json") is None
    assert "over the 1 KiB read limit" in (index.problem("big.json") or "")


def test_parse_errors_name_the_file_and_are_cached(pytester: pytest.Pytester) -> None:
    root = pytester.path
    write(root, "broken.yaml", "a: [1, 2\n")
    write(root, "broken.py", "def f(:\n")
    index = RepoIndex(root)
    assert index.yaml_documents("broken.yaml") is None
    assert index.python_ast("broken.py") is None
    assert "could not be parsed as YAML" in (index.problem("broken.yaml") or "")
    assert "could not be parsed as Python" in (index.problem("broken.py") or "")
    assert len(index.problems) == 2
    index.yaml_documents("broken.yaml")
    assert len(index.problems) == 2


def test_each_file_is_read_once(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    write(pytester.path, "a.yaml", "seed: 1\n")
    index = RepoIndex(pytester.path)
    reads: list[str] = []
    original = RepoIndex._read

    def counting(self: RepoIndex, path: str) -> str | None:
        reads.append(path)
        return original(self, path)

    monkeypatch.setattr(RepoIndex, "_read", counting)
    index.yaml_documents("a.yaml")
    index.read_text("a.yaml")
    index.structured("a.yaml")
    assert reads == ["a.yaml"]


def test_helm_templates_do_not_crash_the_parser(pytester: pytest.Pytester) -> None:
    write(
        pytester.path,
        "chart/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: api\n"
        "{{- if .Values.probes }}\n          readinessProbe: {httpGet: {path: /health, port: 8080}}\n{{- end }}\n",
    )
    documents = RepoIndex(pytester.path).yaml_documents("chart/templates/deployment.yaml")
    assert documents is not None and documents[0]["kind"] == "Deployment"


def test_huge_trees_are_capped_and_say_so(pytester: pytest.Pytester) -> None:
    for number in range(30):
        write(pytester.path, f"data/file_{number:02}.yaml")
    index = RepoIndex(pytester.path, max_files=10)
    assert len(index.files) == 10
    assert index.truncated
    assert any("more than 10 files" in problem.message and "max_files" in problem.message for problem in index.problems)


def test_vendored_and_generated_paths_are_not_evidence() -> None:
    assert RepoIndex.is_non_evidence("vendor/lib/schema.json")
    assert RepoIndex.is_non_evidence("src/third_party/x.py")
    assert not RepoIndex.is_non_evidence("src/serving/app.py")


def test_memo_computes_a_shared_fact_once(tmp_path: Path) -> None:
    index = RepoIndex(tmp_path)
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return 42

    assert index.memo(("fact",), compute) == 42
    assert index.memo(("fact",), compute) == 42
    assert calls == [1]
