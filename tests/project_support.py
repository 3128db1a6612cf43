"""Pieces shared by the fixture projects of the pytest-run tests (baselines, monorepos)."""

from __future__ import annotations

import pytest

#: A rollback runbook that meets ``rollback``.
RUNBOOK = """\
# Rollback

## Rollback procedure
1. Freeze deploys in the release channel.
2. Run `helm rollback scorer 0` to return to the previous release.
3. Watch the error-rate dashboard for ten minutes.

Last rehearsed: 2026-10-02
"""

#: Extra pytest arguments: a run without xdist, and one with two xdist workers.
RUNNER_MODES = [pytest.param([], id="no-xdist"), pytest.param(["-n", "2"], id="xdist-n2")]
