"""``ml-checklist list [PATH] [--profile NAME] [--catalog NAME] [--config FILE] [--format terminal|json]``.

The items of the profile (number, slug, section, title) with their status in the last
``pytest --ml-checklist`` run of the repository, which the plugin keeps in pytest's cache
(``.pytest_cache/v/mlchecklist/last-result``; for a monorepo project, a run at the monorepo root
keeps it under ``mlchecklist/projects/<project>/last-result`` and the newer of the two is used).
Nothing is evaluated here: an item the last run did not evaluate (no run recorded, another
profile) shows ``-``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from pytest_mlchecklist.commands.common import command_config, repository_root

NO_STATUS = "-"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``list``."""
    parser = subparsers.add_parser(
        "list",
        help="the profile's items with their status in the last `pytest --ml-checklist` run",
        description="List the items of the profile with the status each had in the last recorded "
        "`pytest --ml-checklist` run (nothing is evaluated; use `ml-checklist scan` for that).",
    )
    parser.add_argument("path", nargs="?", default=".", help="repository root (default: the current folder)")
    parser.add_argument("--profile", default=None, help="profile to list (default: the configuration's)")
    parser.add_argument("--catalog", default=None, help="catalog to list (default: the configuration's)")
    parser.add_argument("--config", metavar="FILE", default=None, help="configuration file (default: found in the root)")
    parser.add_argument("--format", choices=("terminal", "json"), default="terminal", help="output format")
    parser.add_argument("--today", metavar="YYYY-MM-DD", default=None, help=argparse.SUPPRESS)


def run(arguments: argparse.Namespace) -> int:
    """Print the list; always 0 (it reports, it does not gate)."""
    from pytest_mlchecklist.engine import load_last_result

    root = repository_root(arguments.path)
    config = command_config(root, arguments)
    last = load_last_result(root)
    if last is not None and last.get("catalog") != config.catalog.name:
        last_catalog = last.get("catalog")
        statuses: dict[str, str] = {}
        note = (f"the last `pytest --ml-checklist` run ({last.get('date', '?')}) evaluated catalog {last_catalog}, "
                f"not {config.catalog.name}; no status to show")
    elif last is not None:
        statuses = {str(slug): str(status) for slug, status in last["items"].items()}
        note = f"statuses from the last `pytest --ml-checklist` run, {last.get('date', '?')} (profile {last.get('profile', '?')})"
        missing = [item.id for item in config.items if item.id not in statuses]
        if missing:
            note += f"; {len(missing)} items were not in that run ({NO_STATUS})"
    else:
        statuses = {}
        note = ("no `pytest --ml-checklist` run is recorded in .pytest_cache; statuses show as "
                f"{NO_STATUS}. Run `pytest --ml-checklist` (or `ml-checklist scan` to evaluate without recording)")
    rows = [
        {"number": item.number, "id": item.id, "section": item.section, "title": item.title,
         "status": statuses.get(item.id, NO_STATUS)}
        for item in config.items
    ]
    if arguments.format == "json":
        print(json.dumps({"catalog": config.catalog.name, "profile": config.profile, "config_file": config.source,
                          "last_run": None if last is None else {key: last.get(key) for key in ("date", "catalog", "profile")},
                          "note": note, "items": rows}, indent=2))
        return 0
    print(render_table(rows, header=f"catalog {config.catalog.name}, profile {config.profile} ({len(rows)} items; "
                                    f"config: {config.source or 'defaults, no configuration file'})", note=note))
    return 0


def render_table(rows: list[dict[str, Any]], *, header: str, note: str) -> str:
    """One line per item: number, slug, section, status, title."""
    slug_width = max([len(row["id"]) for row in rows] + [4])
    section_width = max([len(row["section"]) for row in rows] + [7])
    lines = [header, note, "",
             f"{'#':>3}  {'ITEM'.ljust(slug_width)}  {'SECTION'.ljust(section_width)}  {'STATUS':<14}  TITLE"]
    for row in rows:
        number = "" if row["number"] is None else str(row["number"])
        status = row["status"].replace("_", " ")
        lines.append(f"{number:>3}  {row['id'].ljust(slug_width)}  {row['section'].ljust(section_width)}  "
                     f"{status:<14}  {row['title']}")
    return "\n".join(lines)
