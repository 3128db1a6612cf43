"""``ml-checklist explain ITEM [PATH] [--catalog NAME] [--config FILE] [--profile NAME]``.

What an item means and why it matters, which evidence the detectors accept (their own
``looks_for`` sentences), how to mark a test, how to declare evidence, and how to waive it in
the syntax of the repository's configuration file. The waiver text comes from
:func:`pytest_mlchecklist.reports.explain.waiver_snippet`, the same as in failure messages.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import TYPE_CHECKING

from pytest_mlchecklist.commands.common import UsageProblem, command_config, repository_root

if TYPE_CHECKING:
    from pytest_mlchecklist.catalog import Catalog, CatalogItem
    from pytest_mlchecklist.config import ResolvedConfig

WIDTH = 96
DOCS_FOLDER = "docs/detectors"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``explain``."""
    parser = subparsers.add_parser(
        "explain",
        help="what an item means, which evidence counts, how to mark a test and how to waive it",
        description="Explain one checklist item, by slug (rollback) or number (29).",
    )
    parser.add_argument("item", help="item slug or number, e.g. rollback or 29")
    parser.add_argument("path", nargs="?", default=".", help="repository root whose configuration to use (default: .)")
    parser.add_argument("--catalog", default=None, help="catalog to look the item up in (default: the configuration's)")
    parser.add_argument("--profile", default=None, help="profile to explain the item under (default: the configuration's)")
    parser.add_argument("--config", metavar="FILE", default=None, help="configuration file (default: found in the root)")
    parser.add_argument("--today", metavar="YYYY-MM-DD", default=None, help="date used for the example waiver expiry")


def run(arguments: argparse.Namespace) -> int:
    """Print the explanation; 2 for an unknown item (with a did-you-mean)."""
    from pytest_mlchecklist.config import unknown_item_message
    root = repository_root(arguments.path)
    config = command_config(root, arguments)
    item = config.catalog.resolve(arguments.item)
    if item is None:
        raise UsageProblem(f"{unknown_item_message(config.catalog, arguments.item)} (catalog {config.catalog.name}; "
                           "`ml-checklist list` shows the items of the profile)")
    print(explain_text(item, config))
    return 0


def explain_text(item: CatalogItem, config: ResolvedConfig) -> str:
    """The whole explanation of ``item`` under ``config`` (its catalog, profile and file syntax)."""
    from pytest_mlchecklist.reports.explain import waiver_snippet

    catalog = config.catalog
    in_profile = any(entry.id == item.id for entry in config.items)
    lines = [
        f"{item.label}: {item.title}",
        f"Catalog: {catalog.name}    Section: {catalog.section_title(item.section)}    Tiers: {', '.join(item.tiers)}",
        f"In the {config.profile} profile ({config.source or 'defaults, no configuration file'}): "
        + ("yes" if in_profile else "no, so it is not checked; a profile of its tiers would check it"),
        "",
        "What it means and why it matters:",
        *_wrap(item.description),
        "",
        "How to meet it:",
        *_wrap(item.remediation),
        "",
        f"Evidence accepted ({', '.join(item.evidence)}):",
    ]
    sentences = looks_for(item)
    if "file" in item.evidence:
        if sentences:
            for name, sentence in sentences:
                lines.extend(_wrap(f"{name}: {sentence}", first="  - ", rest="    "))
        else:
            lines.append("  - (no file detector exists for this item yet)")
    if "test" in item.evidence:
        lines.append(f"  - a passing test marked @pytest.mark.ml_checklist(\"{item.id}\")")
    if "declared" in item.evidence:
        lines.append("  - files you point at under `evidence:` in the configuration (still read and checked)")
    lines.append(f"  Details and examples: {DOCS_FOLDER}/{_doc_slug(item)}.md in the pytest-mlchecklist documentation")
    lines += ["", "Mark a test that demonstrates it:"]
    if "test" in item.evidence:
        marker = f"ml_checklist(\"{item.id}\")" + (f"  (or ml_checklist({item.number}))" if item.number else "")
        lines += ["  import pytest", "", f"  @pytest.mark.{marker}", "  def test_...():", "      ..."]
    else:
        lines.append("  (a marked test does not count for this item: it needs a file in the repository)")
    if "declared" in item.evidence:
        lines += ["", "Point at evidence the detectors should read:", "  evidence:",
                  f"    {item.id}: [path/to/the/file]"]
    lines += ["", f"Waive it (a recorded decision with a reason, an owner and an expiry), in {config.source or 'mlchecklist.yaml'}:"]
    lines.extend("  " + line for line in waiver_snippet(item.id, config))
    lines += ["", *_locking(item, catalog)]
    return "\n".join(lines)


def looks_for(item: CatalogItem) -> list[tuple[str, str]]:
    """``(detector name, what it looks for)`` for the built-in detectors of ``item`` (and of the
    items it is the same safety net as)."""
    from pytest_mlchecklist.detectors.registry import BUILTIN_DETECTORS

    wanted = {item.id, *getattr(item, "same_as", ())}
    return [(detector.name, detector.looks_for) for detector in BUILTIN_DETECTORS if wanted & set(detector.items)]


def _doc_slug(item: CatalogItem) -> str:
    same_as = list(getattr(item, "same_as", ()))
    return same_as[0] if len(same_as) == 1 else item.id


def _locking(item: CatalogItem, catalog: Catalog) -> list[str]:
    """Which profiles never let this item be waived or declared not applicable."""
    lines = []
    for name, profile in catalog.profiles.items():
        if profile.tier not in item.tiers:
            continue
        if profile.locked_tier is not None and profile.locked_tier in item.tiers:
            lines.append(f"Under the {name} profile this item can never be waived or declared not applicable.")
        elif profile.waiver_owner_required:
            lines.append(f"Under the {name} profile it can be waived, with a named owner.")
    return lines or ["No profile of this catalog locks it: it can be waived under each profile that checks it."]


def _wrap(text: str, *, first: str = "  ", rest: str = "  ") -> list[str]:
    return textwrap.wrap(" ".join(text.split()), WIDTH, initial_indent=first, subsequent_indent=rest)
