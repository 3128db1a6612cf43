"""pytest-mlchecklist: gate an ML repository on a production-readiness checklist.

The engine (:mod:`pytest_mlchecklist.engine`, entry point :func:`~pytest_mlchecklist.engine.scan`)
knows nothing of pytest; the plugin (:mod:`pytest_mlchecklist.plugin`, loaded through the
``pytest11`` entry point) and the ``ml-checklist`` command (:mod:`pytest_mlchecklist.cli`) are
thin layers over it.

The public API for extensions (see ``docs/extending.md``) is importable from here::

    from pytest_mlchecklist import Catalog, DetectorContext, Evidence, detector, hookimpl

This module stays import-light so that pytest runs without ``--ml-checklist`` pay nothing for
the plugin: ``hookimpl`` needs only pluggy, and the other names are imported from their
modules on first use (the table below says where each one lives).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_mlchecklist.hookspecs import hookimpl

__version__ = "0.1.0"

if TYPE_CHECKING:
    from pytest_mlchecklist.catalog.models import Catalog, CatalogItem, Profile, Section
    from pytest_mlchecklist.catalog.rules import EvidenceRule
    from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector
    from pytest_mlchecklist.engine import ChecklistResult, ItemResult
    from pytest_mlchecklist.errors import CatalogError, ChecklistError
    from pytest_mlchecklist.evidence import Evidence
    from pytest_mlchecklist.extensions import ExtensionError

#: Public name -> the module that defines it (imported on first use).
_LAZY = {
    "Catalog": "pytest_mlchecklist.catalog.models",
    "CatalogItem": "pytest_mlchecklist.catalog.models",
    "Profile": "pytest_mlchecklist.catalog.models",
    "Section": "pytest_mlchecklist.catalog.models",
    "EvidenceRule": "pytest_mlchecklist.catalog.rules",
    "Detector": "pytest_mlchecklist.detectors.base",
    "DetectorContext": "pytest_mlchecklist.detectors.base",
    "detector": "pytest_mlchecklist.detectors.base",
    "ChecklistResult": "pytest_mlchecklist.engine",
    "ItemResult": "pytest_mlchecklist.engine",
    "CatalogError": "pytest_mlchecklist.errors",
    "ChecklistError": "pytest_mlchecklist.errors",
    "Evidence": "pytest_mlchecklist.evidence",
    "ExtensionError": "pytest_mlchecklist.extensions",
}

__all__ = ["__version__", "hookimpl", *_LAZY]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'pytest_mlchecklist' has no attribute '{name}'")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value
