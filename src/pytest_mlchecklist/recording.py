"""Measurements that testing helpers record as evidence (no pytest imports here).

A helper fixture (``ml_latency``, ``ml_metric_gate``...) measures something inside a test and
records it through a :class:`MeasurementRecorder`, which the ``ml_record`` fixture hands out::

    @pytest.fixture
    def ml_something(ml_record):
        recorder = ml_record.recorder("ml_something")
        ...
        recorder.record("latency-gated", "p99 41.2 ms <= 80 ms SLA", {"p99_ms": 41.2}, passed=True)

A recording is plain data (a dict of str, float and bool) so that pytest-xdist carries it from
a worker to the controller on the test's report. Without ``--ml-checklist`` the recorder is
disabled and :meth:`MeasurementRecorder.record` does nothing, so helpers work the same in a
plain pytest run.

How a recording becomes evidence (kind ``measurement``, detector = the fixture's name, the
test's node id), once the outcome of its test is known:

* the measurement failed (over the target): **contradicts**, whatever the test did (the
  helper fails the test too);
* the measurement passed and the test passed: **supports**;
* the measurement passed but the test failed: **contradicts** ("but the test failed");
* the test was skipped or xfailed: **partial** (it does not count).

The detail is the helper's own one-line summary with the numbers, so an unmet item says, for
example, ``p99 112.4 ms > 80 ms SLA; p50 40.0 ms, p95 90.1 ms; 200 calls (tests/test_x.py::test_y)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_mlchecklist.evidence import Evidence, Verdict


@dataclass(frozen=True)
class Recording:
    """One measurement recorded by a helper in a test."""

    item: str
    source: str
    detail: str
    values: dict[str, float] = field(default_factory=dict)
    passed: bool = True

    def to_json(self) -> dict[str, Any]:
        """Plain data for the test report (carried by xdist)."""
        return {"item": self.item, "source": self.source, "detail": self.detail,
                "values": dict(self.values), "passed": self.passed}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Recording | None:
        """Rebuild a recording from :meth:`to_json` output; ``None`` when the data is not one."""
        try:
            values = {str(name): float(value) for name, value in dict(data.get("values", {})).items()}
            return cls(item=str(data["item"]), source=str(data["source"]), detail=str(data["detail"]),
                       values=values, passed=bool(data["passed"]))
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


class MeasurementRecorder:
    """What a helper fixture records with; bound to the fixture's name.

    ``sink`` is the list the plugin keeps for the running test (in the test item's stash);
    ``None`` disables recording (a run without ``--ml-checklist``).
    """

    def __init__(self, source: str, sink: list[dict[str, Any]] | None) -> None:
        self.source = source
        self._sink = sink

    @property
    def enabled(self) -> bool:
        """Whether recordings reach a checklist run."""
        return self._sink is not None

    def record(self, item: str, detail: str, values: Mapping[str, float], passed: bool) -> None:
        """Record one measurement for ``item``: a one-line ``detail`` with the numbers, the
        measured ``values`` (finite numbers only; others are dropped), and whether it passed."""
        if self._sink is None:
            return
        clean = {str(name): float(value) for name, value in values.items() if _finite(value)}
        self._sink.append(Recording(item=item, source=self.source, detail=detail, values=clean,
                                    passed=bool(passed)).to_json())


class Recordings:
    """The value of the ``ml_record`` fixture: hands out a recorder per helper."""

    def __init__(self, sink: list[dict[str, Any]] | None) -> None:
        self._sink = sink

    @property
    def enabled(self) -> bool:
        """Whether recordings reach a checklist run (``--ml-checklist`` is on)."""
        return self._sink is not None

    def recorder(self, source: str) -> MeasurementRecorder:
        """A recorder whose evidence names ``source`` (the helper fixture's name) as its detector."""
        return MeasurementRecorder(source, self._sink)


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def measurement_evidence(recording: Recording, nodeid: str, outcome: str) -> Evidence:
    """The evidence of one recording, given its test's outcome (``passed``, ``failed`` or
    ``skipped``); see the module docstring for the rules."""
    verdict: Verdict
    if not recording.passed:
        verdict, detail = "contradicts", recording.detail
    elif outcome == "failed":
        verdict, detail = "contradicts", f"{recording.detail}; but the test failed"
    elif outcome == "passed":
        verdict, detail = "supports", recording.detail
    else:
        verdict, detail = "partial", f"{recording.detail}; but the test was skipped or xfailed, so it does not count"
    return Evidence(item=recording.item, kind="measurement", detector=recording.source, detail=detail,
                    verdict=verdict, nodeid=nodeid, outcome=outcome, values=dict(recording.values))
