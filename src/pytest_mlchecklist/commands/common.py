"""Small pieces the sub-commands share: argument checks that end in a clear usage error."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_mlchecklist.errors import ChecklistError

if TYPE_CHECKING:
    from pytest_mlchecklist.config import ResolvedConfig


class UsageProblem(ChecklistError):
    """A wrong command line: ``ml-checklist`` prints the message and exits with 2."""


def repository_root(path: str) -> Path:
    """The folder to work on; a path that is not a folder is a usage problem."""
    root = Path(path)
    if not root.is_dir():
        raise UsageProblem(f"{root} is not a folder; give the root of the repository")
    return root.resolve()


def today_option(value: str | None) -> dt.date | None:
    """``--today YYYY-MM-DD`` as a date (``None`` when not given)."""
    if not value:
        return None
    from pytest_mlchecklist.config import parse_today

    try:
        return parse_today(value)
    except ValueError as exc:
        raise UsageProblem(f"--today: {exc}") from None


def config_option(value: str | None) -> Path | None:
    """``--config FILE`` as a path (``None`` when not given)."""
    return Path(value) if value else None


def command_config(root: Path, arguments: argparse.Namespace) -> ResolvedConfig:
    """The configuration of ``root`` with the command line's ``--catalog``, ``--profile``,
    ``--config`` and ``--today``.

    When ``--catalog`` names another catalog than the configuration's and the configured profile
    does not exist there, the catalog's first profile is used (``explain rollback-runbook
    --catalog safety-nets`` in a repository configured for ``profile: mvp``).
    """
    from pytest_mlchecklist.catalog import load_builtin_catalog
    from pytest_mlchecklist.config import load_settings
    from pytest_mlchecklist.engine import build_config

    config_file = config_option(getattr(arguments, "config", None))
    catalog_name = getattr(arguments, "catalog", None)
    profile = getattr(arguments, "profile", None)
    if catalog_name and profile is None:
        catalog = load_builtin_catalog(catalog_name)
        configured = load_settings(root, config_file).settings.profile
        if isinstance(configured, str) and configured not in catalog.profiles:
            profile = next(iter(catalog.profiles))
    config = build_config(root, profile=profile, today=today_option(getattr(arguments, "today", None)),
                          config_file=config_file, catalog=catalog_name)
    if config.settings.projects:
        raise UsageProblem(f"{root} is a monorepo: its configuration lists the projects "
                           f"({', '.join(config.settings.projects)}); give one project's folder instead "
                           "(see docs/monorepos.md)")
    return config
