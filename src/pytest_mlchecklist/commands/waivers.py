"""``ml-checklist waivers [PATH] [--expiring-within N] [--fail-on-expiring] [--format terminal|json]``.

Every waiver in force for the repository: those of the configuration file and those recorded
from ``ml_waive`` markers by the last ``pytest --ml-checklist`` run (for a monorepo project, a
run at the monorepo root counts too; the newer one is used), with the item, owner,
reason, expiry, days left and a state:

* ``expired``: the expiry date has passed (the item counts as unmet again);
* ``expiring``: it expires within ``--expiring-within`` days (default 30), today included;
* ``active``: otherwise.

With ``--fail-on-expiring`` the command exits 1 when any waiver is expiring or expired, so a
scheduled CI job can warn the owners before the gate starts failing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pytest_mlchecklist.commands.common import UsageProblem, command_config, repository_root

if TYPE_CHECKING:
    from pytest_mlchecklist.catalog import Catalog
    from pytest_mlchecklist.config import Waiver

DEFAULT_EXPIRING_WITHIN = 30
WaiverState = Literal["active", "expiring", "expired"]


@dataclass(frozen=True)
class WaiverRow:
    """One waiver as listed: what, who, why, until when, and where it is written."""

    item: str
    number: int | None
    title: str
    owner: str | None
    reason: str
    expires: dt.date
    days_left: int
    state: WaiverState
    origin: Literal["config", "marker"]
    source: str
    in_profile: bool

    def to_json(self) -> dict[str, Any]:
        """Plain builtins for ``--format json``."""
        return {"item": self.item, "number": self.number, "title": self.title, "owner": self.owner,
                "reason": self.reason, "expires": self.expires.isoformat(), "days_left": self.days_left,
                "state": self.state, "origin": self.origin, "source": self.source, "in_profile": self.in_profile}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``waivers``."""
    parser = subparsers.add_parser(
        "waivers",
        help="every waiver with owner, reason, expiry and days left; flag those expiring soon",
        description="List the waivers of the configuration and those recorded from ml_waive markers by the "
        "last `pytest --ml-checklist` run.",
    )
    parser.add_argument("path", nargs="?", default=".", help="repository root (default: the current folder)")
    parser.add_argument("--expiring-within", metavar="N", type=int, default=DEFAULT_EXPIRING_WITHIN,
                        help=f"flag waivers that expire within N days (default {DEFAULT_EXPIRING_WITHIN})")
    parser.add_argument("--fail-on-expiring", action="store_true",
                        help="exit 1 when a waiver expires within N days or has expired")
    parser.add_argument("--format", choices=("terminal", "json"), default="terminal", help="output format")
    parser.add_argument("--profile", default=None, help="profile (default: the configuration's)")
    parser.add_argument("--catalog", default=None, help="catalog (default: the configuration's)")
    parser.add_argument("--config", metavar="FILE", default=None, help="configuration file (default: found in the root)")
    parser.add_argument("--today", metavar="YYYY-MM-DD", default=None, help="count days as of this day")


def run(arguments: argparse.Namespace) -> int:
    """Print the waivers; 1 with ``--fail-on-expiring`` when one is expiring or expired."""
    from pytest_mlchecklist.engine import (
        TEST_EVIDENCE_CACHE_KEY,
        load_recorded_test_evidence,
        newest_record,
        project_evidence_cache_key,
    )

    if arguments.expiring_within < 0:
        raise UsageProblem(f"--expiring-within: {arguments.expiring_within} is negative; give a number of days, e.g. 30")
    root = repository_root(arguments.path)
    config = command_config(root, arguments)
    # the last run inside this folder, or a monorepo run at a parent folder: whichever is newer
    recorded = newest_record(root, TEST_EVIDENCE_CACHE_KEY, project_evidence_cache_key)
    _, marker_waivers, _ = load_recorded_test_evidence(root, config, path=recorded)
    profile_ids = {item.id for item in config.items}
    rows = [
        _row(waiver, config.catalog, config.today, arguments.expiring_within, origin, profile_ids)
        for origin, waivers in (("config", config.waivers), ("marker", marker_waivers))
        for waiver in waivers.values()
    ]
    rows.sort(key=lambda row: (row.expires, row.item))
    flagged = [row for row in rows if row.state != "active"]
    if arguments.format == "json":
        print(json.dumps({"today": config.today.isoformat(), "expiring_within": arguments.expiring_within,
                          "config_file": config.source, "waivers": [row.to_json() for row in rows],
                          "flagged": len(flagged)}, indent=2))
    else:
        print(render_terminal(rows, today=config.today, within=arguments.expiring_within, source=config.source))
    return 1 if arguments.fail_on_expiring and flagged else 0


def _row(waiver: Waiver, catalog: Catalog, today: dt.date, within: int, origin: Literal["config", "marker"],
         profile_ids: set[str]) -> WaiverRow:
    item = catalog.item(waiver.item)
    days_left = (waiver.expires - today).days
    state: WaiverState = "expired" if days_left < 0 else ("expiring" if days_left <= within else "active")
    return WaiverRow(item=item.id, number=item.number, title=item.title, owner=waiver.owner, reason=waiver.reason,
                     expires=waiver.expires, days_left=days_left, state=state, origin=origin, source=waiver.source,
                     in_profile=item.id in profile_ids)


def render_terminal(rows: list[WaiverRow], *, today: dt.date, within: int, source: str | None) -> str:
    """A table of the waivers, soonest expiry first, each followed by its reason and source."""
    if not rows:
        return (f"No waivers (configuration: {source or 'none'}; markers: none recorded by the last "
                "`pytest --ml-checklist` run).")
    label_width = max(len(_label(row)) for row in rows)
    owner_width = max([len(row.owner or "-") for row in rows] + [5])
    lines = [f"Waivers as of {today.isoformat()} (flagging those that expire within {within} days):", "",
             f"{'ITEM'.ljust(label_width)}  {'OWNER'.ljust(owner_width)}  EXPIRES     DAYS LEFT  STATE"]
    for row in rows:
        days = str(row.days_left)
        state = row.state.upper() if row.state != "active" else row.state
        lines.append(f"{_label(row).ljust(label_width)}  {(row.owner or '-').ljust(owner_width)}  "
                     f"{row.expires.isoformat()}  {days:<9}  {state}")
        lines.append(f"    reason: {row.reason}")
        lines.append(f"    in {row.source}" + ("" if row.in_profile else " (item not in the profile)"))
    expired = sum(1 for row in rows if row.state == "expired")
    expiring = sum(1 for row in rows if row.state == "expiring")
    lines += ["", f"{len(rows)} waivers: {expiring} expiring within {within} days, {expired} expired."]
    if expiring or expired:
        lines.append("Renew a waiver with a new reason and date, or add the evidence and remove the waiver.")
    return "\n".join(lines)


def _label(row: WaiverRow) -> str:
    return f"[{row.number}] {row.item}" if row.number is not None else row.item
