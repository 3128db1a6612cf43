"""Hooks for other code: the extension API of installed packages, and one pytest hook.

Two families live here:

* **extension hooks** (``mlchecklist_*``, marked with :data:`hookspec`): implemented by an
  installed package that declares an entry point in the ``pytest_mlchecklist`` group and marks
  its functions with :data:`pytest_mlchecklist.hookimpl`. They are called by
  :mod:`pytest_mlchecklist.extensions`, the same way under ``pytest --ml-checklist`` and under
  ``ml-checklist scan`` (which does not run pytest). See ``docs/extending.md``.
* **the pytest hook** ``pytest_mlchecklist_result``: any pytest plugin or ``conftest.py`` may
  implement it to receive the result of a ``--ml-checklist`` run.

Call them with keyword arguments only; an implementation may accept fewer arguments than the
specification, so that new arguments never break existing implementations.

This module imports only :mod:`pluggy`, so that the engine (which knows nothing of pytest) can
use the extension hooks.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import pytest

    from pytest_mlchecklist.catalog.models import Catalog
    from pytest_mlchecklist.detectors.base import Detector
    from pytest_mlchecklist.engine import ChecklistResult

#: The pluggy project of the extension hooks, and the entry-point group extensions declare.
PROJECT = "mlchecklist"
ENTRY_POINT_GROUP = "pytest_mlchecklist"

#: Marks an extension hook specification (this module only).
hookspec = pluggy.HookspecMarker(PROJECT)
#: Marks an extension's hook implementation: ``@pytest_mlchecklist.hookimpl``.
hookimpl = pluggy.HookimplMarker(PROJECT)
#: pytest's own marker (``pytest.hookspec``), without importing pytest.
_pytest_hookspec = pluggy.HookspecMarker("pytest")


# ---------------------------------------------------------------------- extension hooks
@hookspec
def mlchecklist_catalogs() -> Iterable[Catalog | Path | str]:
    """Add catalogs: return :class:`~pytest_mlchecklist.catalog.Catalog` objects, or absolute
    paths to catalog YAML files in the team catalog format (``extends`` allowed).

    A configuration selects one by its name with ``catalog: <name>``; a team catalog file may
    name it in ``extends``. Names may not clash with a built-in catalog or another extension's.
    """


@hookspec
def mlchecklist_detectors(catalog: Catalog) -> Iterable[Detector]:
    """Add detectors (made with :func:`pytest_mlchecklist.detector`) for any item, of a built-in
    catalog or of an extension's. ``catalog`` is the catalog being evaluated; detectors whose
    items are not in the evaluated profile are not run."""


@hookspec
def mlchecklist_result(result: ChecklistResult) -> None:
    """Receive the final result (for example to push it to a dashboard): once per
    ``pytest --ml-checklist`` run (on the xdist controller, after the reports are written) and
    once per ``ml-checklist scan``. An exception is reported as an error of the run."""


# ---------------------------------------------------------------------- pytest hook
@_pytest_hookspec
def pytest_mlchecklist_result(result: ChecklistResult, config: pytest.Config) -> None:
    """Receive the final checklist result of a ``--ml-checklist`` run (for example to push it
    to a dashboard). Called once, on the controller under xdist, after the reports are written."""
