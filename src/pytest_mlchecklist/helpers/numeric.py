"""NumPy, when it is installed: the ``stats`` extra (``pip install pytest-mlchecklist[stats]``).

The helpers work without NumPy. With it, ``ml_drift`` bins and compares large numeric samples
in NumPy (same numbers as the pure-Python code, faster), and it can read samples saved as
``.npy``/``.npz`` files, which needs NumPy: :func:`require_numpy` then fails with the command
that installs it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

STATS_EXTRA = "pip install pytest-mlchecklist[stats]"


class MissingExtraError(ImportError):
    """A feature needs an optional dependency that is not installed; the message says how to install it."""


def optional_numpy() -> ModuleType | None:
    """The ``numpy`` module when it can be imported, else ``None`` (the pure-Python path)."""
    try:
        return importlib.import_module("numpy")
    except ImportError:
        return None


def require_numpy(feature: str) -> ModuleType:
    """The ``numpy`` module; a :class:`MissingExtraError` naming ``feature`` and the install
    command when it is not installed."""
    numpy = optional_numpy()
    if numpy is None:
        raise MissingExtraError(f"{feature} needs NumPy, which is not installed: {STATS_EXTRA}")
    return numpy
