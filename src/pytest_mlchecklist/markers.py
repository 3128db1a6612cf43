"""Validation of the ``ml_checklist`` and ``ml_waive`` marker arguments (no pytest imports).

Marker problems are reported on the test that carries the marker (it errors at setup with the
message), so that they show the same way with and without pytest-xdist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pytest_mlchecklist.config import ResolvedConfig, Waiver, check_waiver, unknown_item_message

CHECKLIST_MARKER = "ml_checklist"
WAIVE_MARKER = "ml_waive"
_WAIVE_KEYWORDS = {"reason", "owner", "expires"}


def resolve_checklist_marker(config: ResolvedConfig, args: Sequence[Any]) -> tuple[list[str], list[str]]:
    """Item slugs named by an ``ml_checklist`` marker, and the problems found."""
    if not args:
        return [], [f"@pytest.mark.{CHECKLIST_MARKER}() names no item; give slugs or numbers, e.g. "
                    f"@pytest.mark.{CHECKLIST_MARKER}(\"training-serving-skew\")"]
    slugs: list[str] = []
    problems: list[str] = []
    for ref in args:
        item = config.catalog.resolve(ref) if isinstance(ref, (str, int)) else None
        if item is None and isinstance(ref, str) and _reused_slug(config, ref):
            # A slug of the reused catalog (production-ml-51's "edge-case-tests" under safety-nets):
            # kept as it is; the engine counts it for the item that is the same safety net, if there
            # is one, so one set of markers serves both catalogs.
            if ref.strip() not in slugs:
                slugs.append(ref.strip())
        elif item is None:
            problems.append(f"@pytest.mark.{CHECKLIST_MARKER}: {unknown_item_message(config.catalog, ref)}")
        elif item.id not in slugs:
            slugs.append(item.id)
    return slugs, problems


def _reused_slug(config: ResolvedConfig, ref: str) -> bool:
    """Whether ``ref`` is the slug of an item of the catalog this one reuses (``reuses:``)."""
    if any(ref.strip() in item.same_as for item in config.catalog.items):
        return True
    if config.catalog.reuses is None:
        return False
    from pytest_mlchecklist.catalog import load_builtin_catalog
    from pytest_mlchecklist.errors import CatalogError

    try:
        reused = load_builtin_catalog(config.catalog.reuses)
    except CatalogError:
        return False
    return not ref.strip().isdigit() and reused.resolve(ref) is not None


def resolve_waive_marker(
    config: ResolvedConfig, args: Sequence[Any], kwargs: Mapping[str, Any], *, where: str
) -> tuple[Waiver | None, list[str]]:
    """The waiver an ``ml_waive`` marker records, or the problems with it."""
    unknown = sorted(set(kwargs) - _WAIVE_KEYWORDS)
    if len(args) != 1 or unknown:
        hint = f" (unknown keywords: {', '.join(unknown)})" if unknown else ""
        return None, [f"@pytest.mark.{WAIVE_MARKER} takes one item and reason=, owner=, expires=; e.g. "
                      f"@pytest.mark.{WAIVE_MARKER}(\"load-testing\", reason=\"...\", owner=\"@team\", "
                      f"expires=\"2027-03-01\"){hint}"]
    settings = config.settings
    return check_waiver(
        catalog=config.catalog,
        ref=args[0],
        reason=kwargs.get("reason"),
        owner=kwargs.get("owner"),
        expires=kwargs.get("expires"),
        today=config.today,
        max_waiver_days=settings.max_waiver_days,
        locked_items=config.locked_items,
        owner_required=config.waiver_owner_required,
        profile=config.profile,
        where=f"@pytest.mark.{WAIVE_MARKER} on {where}",
    )


def waiver_to_json(waiver: Waiver) -> dict[str, Any]:
    """A waiver as plain builtins (sent from xdist workers, saved in pytest's cache)."""
    return {"item": waiver.item, **waiver.to_json()}


def waiver_from_json(data: Mapping[str, Any]) -> Waiver:
    """Inverse of :func:`waiver_to_json`."""
    import datetime as dt

    return Waiver(item=data["item"], reason=data["reason"], owner=data.get("owner"),
                  expires=dt.date.fromisoformat(data["expires"]), source=data["source"])
