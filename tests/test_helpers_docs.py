"""Every Python example of docs/helpers/*.md runs as written, so the pages cannot rot.

A page's Python blocks are of three kinds:

* an example test file (it defines ``test_`` functions): run under ``pytest --ml-checklist``
  with the nearest ``yaml`` block above it that sets a ``profile`` as ``mlchecklist.yaml``; every
  test and every checklist item must pass;
* fixtures without tests (``@pytest.fixture``): loaded as ``conftest.py`` and requested by a test;
* a signature (``ml_x(a, *, b=1) -> Result``, no ``def``): not code, not run.

A block right after an HTML comment that starts with ``<!-- not run`` needs something the test
suite does not install (pytest-benchmark); it is only compiled.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PAGES = sorted((Path(__file__).resolve().parents[1] / "docs" / "helpers").glob("*.md"))
TODAY = "--ml-checklist-today=2026-11-22"
_FENCE = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```\s*$", re.MULTILINE | re.DOTALL)


@dataclass
class Example:
    """The runnable Python blocks of a page that share one configuration."""

    config: str
    tests: list[str] = field(default_factory=list)
    fixtures: list[str] = field(default_factory=list)


@dataclass
class Page:
    examples: list[Example]
    not_run: list[str]


def read_page(path: Path) -> Page:
    """Sort a page's Python blocks into examples (grouped by their configuration) and blocks not run."""
    text = path.read_text(encoding="utf-8")
    config = ""
    examples: dict[str, Example] = {}
    not_run: list[str] = []
    for match in _FENCE.finditer(text):
        lang, body = match.group("lang"), match.group("body")
        if lang == "yaml" and re.search(r"^profile:", body, re.MULTILINE):
            config = body
            continue
        if lang != "python" or "def " not in body:
            continue
        if text[:match.start()].rstrip().rsplit("\n", 1)[-1].startswith("<!-- not run"):
            not_run.append(body)
            continue
        example = examples.setdefault(config, Example(config))
        (example.tests if re.search(r"^def test_", body, re.MULTILINE) else example.fixtures).append(body)
    return Page(list(examples.values()), not_run)


def fixture_names(source: str) -> list[str]:
    """The functions decorated with ``pytest.fixture`` in ``source``."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and any("fixture" in ast.unparse(d) for d in node.decorator_list):
            names.append(node.name)
    return names


@pytest.mark.parametrize("path", PAGES, ids=[path.stem for path in PAGES])
def test_every_python_example_of_the_page_runs_and_meets_its_items(pytester: pytest.Pytester, path: Path) -> None:
    page = read_page(path)
    assert any(example.tests for example in page.examples), f"{path.name} has no runnable example"
    for body in page.not_run:
        compile(body, str(path), "exec")  # at least valid Python
    for number, example in enumerate(page.examples):
        folder = pytester.mkdir(f"example{number}")
        folder.joinpath("mlchecklist.yaml").write_text(example.config or "profile: mvp\n")
        tests = folder / "tests"
        tests.mkdir()
        for position, body in enumerate(example.tests):
            tests.joinpath(f"test_example_{position}.py").write_text(body)
        if example.fixtures:
            conftest = "\n\n".join(example.fixtures)
            tests.joinpath("conftest.py").write_text(conftest)
            requested = ", ".join(fixture_names(conftest))
            tests.joinpath("test_fixtures_load.py").write_text(f"def test_fixtures_load({requested}):\n    pass\n")
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(folder)
            result = pytester.runpytest_subprocess("--rootdir", str(folder), "--ml-checklist", TODAY,
                                                   "--ml-checklist-json=report.json", "-p", "no:cacheprovider")
        outcomes = result.parseoutcomes()
        assert not outcomes.get("failed") and not outcomes.get("errors"), (path.name, number, result.stdout.str()[-3000:])
        report = json.loads(folder.joinpath("report.json").read_text(encoding="utf-8"))
        statuses = {entry["id"]: entry["status"] for entry in report["items"]}
        assert statuses and set(statuses.values()) == {"met"}, (path.name, number, statuses)
