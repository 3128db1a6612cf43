"""The checklist configuration as testing helpers read it: SLA, metric gates, drift thresholds.

``ml_latency`` (``sla.latency_ms``), ``ml_metric_gate`` (``metrics``) and ``ml_drift`` (``drift``)
take their targets from the configuration when a test does not pass its own. They all read it
the same way, through a :data:`SettingsSource` that the plugin hands out (the
``_ml_checklist_settings`` fixture):

* with ``--ml-checklist``, the configuration the checklist run resolved (already validated:
  a broken file stops the run before any test);
* without it, the same file (``--ml-checklist-config``, else ``mlchecklist.yaml`` or
  ``[tool.ml-checklist]`` of ``pyproject.toml``), read once per session and only when a helper
  asks. A file that cannot be read is not an error until a helper needs a value from it: then
  the test fails with the reason (never silently with built-in defaults).

An argument given to a helper always wins over the configuration.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_mlchecklist.config import Settings


@dataclass(frozen=True)
class ConfiguredSettings:
    """The settings helpers read (``None`` when the file could not be read, with the reason)."""

    settings: Settings | None
    source: str | None = None  # the file, relative to the root; None for the defaults
    problem: str | None = None

    def where(self) -> str:
        """Where the values come from, for messages: ``mlchecklist.yaml`` or ``the defaults``."""
        return self.source or "the default configuration"

    def require(self, helper: str, key: str) -> Settings:
        """The settings; when they could not be read, fail the test naming the helper, the key
        and the reason."""
        __tracebackhide__ = True
        if self.settings is None:
            pytest.fail(f"{helper}: {key} could not be read from the configuration ({self.problem}); "
                        "fix the file or pass the values to the helper", pytrace=False)
        return self.settings


SettingsSource = Callable[[], ConfiguredSettings]


class FromConfig(enum.Enum):
    """The default of a helper argument whose value comes from the configuration when not given
    (``None`` already means "off" for some of them)."""

    FROM_CONFIG = "from the configuration"

    def __repr__(self) -> str:
        return "FROM_CONFIG"


FROM_CONFIG = FromConfig.FROM_CONFIG


def read_configured_settings(root: Path, config_file: Path | None = None) -> ConfiguredSettings:
    """Read and validate the configuration of ``root`` (or ``config_file``) for helpers; a
    problem is kept as text instead of raised."""
    from pytest_mlchecklist.config import load_settings
    from pytest_mlchecklist.errors import ChecklistError

    try:
        loaded = load_settings(root, config_file)
    except ChecklistError as exc:
        return ConfiguredSettings(settings=None, problem=" ".join(str(exc).split()))
    return ConfiguredSettings(settings=loaded.settings, source=loaded.source)
