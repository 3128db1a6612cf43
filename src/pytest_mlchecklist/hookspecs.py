"""Hooks that other plugins and ``conftest.py`` files can implement.

Call them with keyword arguments only; an implementation may accept fewer arguments than the
specification, so that new arguments never break existing implementations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_mlchecklist.engine import ChecklistResult


@pytest.hookspec
def pytest_mlchecklist_result(result: ChecklistResult, config: pytest.Config) -> None:
    """Receive the final checklist result of a ``--ml-checklist`` run (for example to push it
    to a dashboard). Called once, on the controller under xdist, after the reports are written."""
