"""The detector reference stays in step with the registered detectors."""

from __future__ import annotations

from pathlib import Path

from pytest_mlchecklist.catalog import load_builtin_catalog
from pytest_mlchecklist.detectors.registry import BUILTIN_DETECTORS

DOCS = Path(__file__).resolve().parents[1] / "docs" / "detectors"


def test_every_detector_is_listed_in_the_reference_index() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    missing = [detector.name for detector in BUILTIN_DETECTORS if f"`{detector.name}`" not in index]
    assert missing == [], "run scripts/update_detector_index.py"


def test_every_item_with_a_detector_has_its_reference_page() -> None:
    detected = {item for detector in BUILTIN_DETECTORS for item in detector.items}
    missing = [
        item.id
        for name in ("production-ml-51", "safety-nets")
        for item in load_builtin_catalog(name).items
        if item.id in detected and not (DOCS / f"{item.id}.md").is_file()
    ]
    assert missing == []


def test_detector_names_are_unique() -> None:
    names = [detector.name for detector in BUILTIN_DETECTORS]
    assert len(names) == len(set(names))
