"""The built-in catalog: complete, consistent with its source's tiers, and in our own words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_mlchecklist.catalog import load_builtin_catalog, parse_catalog
from pytest_mlchecklist.errors import CatalogError

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "production-ml-51-point-checklist.txt"
MVP = {*range(1, 10), 11, 12, 13, 19, 20, 26, 27, 28, 29, 34, 35, 36, 37, 42}
REGULATED = {41, 42, 43, 44, 45, 49, 50, 51}
SECTIONS = {
    "data-pipeline": range(1, 11),
    "model-development": range(11, 19),
    "model-testing": range(19, 26),
    "serving-infrastructure": range(26, 34),
    "monitoring-alerting": range(34, 41),
    "security-compliance": range(41, 46),
    "organizational-readiness": range(46, 52),
}


def test_all_51_items_in_order_with_sections() -> None:
    catalog = load_builtin_catalog("production-ml-51")
    assert [item.number for item in catalog.items] == list(range(1, 52))
    for item in catalog.items:
        assert item.number in SECTIONS[item.section], item.id


def test_tiers_match_the_source() -> None:
    catalog = load_builtin_catalog("production-ml-51")
    assert {item.number for item in catalog.items_for_profile("mvp")} == MVP
    assert len(catalog.items_for_profile("mature")) == 51
    assert {item.number for item in catalog.items if "regulated" in item.tiers} == REGULATED
    assert catalog.profiles["regulated"].waiver_owner_required


def test_slugs_used_in_the_documentation_exist() -> None:
    catalog = load_builtin_catalog("production-ml-51")
    for slug, number in [("schema-validation", 1), ("training-serving-skew", 12), ("load-testing", 23), ("rollback", 29)]:
        item = catalog.resolve(slug)
        assert item is not None and item.number == number


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


@pytest.mark.skipif(not SEED.is_file(), reason="the source article is only available beside the repository")
def test_wording_is_our_own() -> None:
    """No run of eight words of the source article appears in a title, description or remediation."""
    source = _words(SEED.read_text(encoding="utf-8"))
    source_runs = {tuple(source[i : i + 8]) for i in range(len(source) - 7)}
    catalog = load_builtin_catalog("production-ml-51")
    copied = []
    for item in catalog.items:
        for text in (item.title, item.description, item.remediation):
            words = _words(text)
            copied += [(item.id, " ".join(words[i : i + 8])) for i in range(len(words) - 7) if tuple(words[i : i + 8]) in source_runs]
    assert copied == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: x\n", "does not validate"),
        ("schema_version: 1\nname: [x\n", "not valid YAML"),
        (
            "schema_version: 1\nname: t\ntitle: T\nsections: [{id: s, title: S}]\nprofiles: {}\n"
            "items:\n  - {id: a, section: nope, title: Title a, description: a long enough description here,"
            " remediation: a long enough remediation text, tiers: [mature], evidence: [file]}\n",
            "unknown section 'nope'",
        ),
    ],
)
def test_broken_catalog_is_a_clear_error(text: str, expected: str) -> None:
    with pytest.raises(CatalogError, match=expected):
        parse_catalog(text, source="team.yaml")
