"""pytest-mlchecklist: gate an ML repository on a production-readiness checklist.

The engine (:mod:`pytest_mlchecklist.engine`, entry point :func:`~pytest_mlchecklist.engine.scan`)
knows nothing of pytest; the plugin (:mod:`pytest_mlchecklist.plugin`, loaded through the
``pytest11`` entry point) and the ``ml-checklist`` command (:mod:`pytest_mlchecklist.cli`) are
thin layers over it. This module stays import-light so that pytest runs without
``--ml-checklist`` pay nothing for the plugin.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
