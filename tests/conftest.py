"""Shared test helpers. ``pytester`` is enabled in pyproject.toml (``-p pytester``)."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytest_mlchecklist.catalog import load_builtin_catalog
from pytest_mlchecklist.config import LoadedSettings, resolve_config, validate_settings
from pytest_mlchecklist.detectors.base import Detector, DetectorContext
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.repo import RepoIndex

#: The date every test evaluates against, so that ages and expiries are reproducible.
TODAY = dt.date(2026, 11, 22)


def run_detector(detector: Detector, root: Path, **settings: Any) -> list[Evidence]:
    """Run one detector on the folder ``root`` with the given configuration keys."""
    loaded = LoadedSettings(settings=validate_settings(dict(settings), source="test"), source=None, kind="defaults")
    config = resolve_config(loaded, load_builtin_catalog("production-ml-51"), today=TODAY)
    index = RepoIndex(root, include=config.settings.include, exclude=config.settings.exclude)
    return detector.run(DetectorContext(index, config, detector.name))


def verdicts(evidence: list[Evidence], item: str) -> list[str]:
    """The verdicts of the evidence for ``item``, in order (e.g. ``["supports"]``)."""
    return [found.verdict for found in evidence if found.item == item]


@pytest.fixture
def today() -> dt.date:
    """The fixed evaluation date of the test suite."""
    return TODAY


def write_file(root: Path, path: str, text: str) -> None:
    """Write one file of a fixture repository, creating its folders."""
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def write_dedented(root: Path, files: dict[str, str]) -> None:
    """Write a fixture repository: relative path -> content (dedented, leading newline dropped)."""
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
