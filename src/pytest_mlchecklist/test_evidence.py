"""Turning the outcomes of marked tests into evidence (no pytest imports here).

A test marked ``@pytest.mark.ml_checklist("item")`` produces up to three reports (setup, call,
teardown). The test counts as *passed* when its call passed and no phase failed, *failed* when
any phase failed, and *skipped* otherwise (a skip or an xfail). A passed test supports its items,
a failed one contradicts them and is named, a skipped one is noted and does not count.

Testing helpers record measurements in a test (see :mod:`pytest_mlchecklist.recording`); they
become evidence of kind ``measurement`` once the test's outcome is known, by the rules there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.recording import Recording, measurement_evidence

TestOutcome = Literal["passed", "failed", "skipped"]

DETECTOR_NAME = "marked-test"


@dataclass
class _TestOutcome:
    items: tuple[str, ...]
    failed_phases: list[str] = field(default_factory=list)
    call_passed: bool = False
    skipped: bool = False


class TestEvidenceCollector:
    """Accumulates the reports of marked tests, from this process or from xdist workers."""

    __test__ = False  # not a test class, despite its name

    def __init__(self) -> None:
        self._outcomes: dict[str, _TestOutcome] = {}
        self._all: dict[str, _TestOutcome] = {}
        self._measurements: dict[str, list[Recording]] = {}

    def add_any_report(self, *, nodeid: str, when: str, outcome: str, xfail: bool = False) -> None:
        """Record one phase report of any test, marked or not (see :meth:`outcomes`)."""
        _record(self._all.setdefault(nodeid, _TestOutcome(items=())), when, outcome, xfail)

    def outcomes(self) -> dict[str, TestOutcome]:
        """The outcome of every test that reported, by node id: ``passed``, ``failed`` or ``skipped``.

        Detectors that find a test function by reading the code point at its node id; the engine
        uses these outcomes so that a failing or skipped test never meets an item.
        """
        return {nodeid: _outcome_of(entry) for nodeid, entry in sorted(self._all.items())}

    def add_report(self, *, nodeid: str, when: str, outcome: str, items: list[str], xfail: bool = False) -> None:
        """Record one phase report of a marked test."""
        _record(self._outcomes.setdefault(nodeid, _TestOutcome(items=tuple(items))), when, outcome, xfail)

    def add_measurements(self, *, nodeid: str, recordings: list[dict[str, object]]) -> None:
        """Record the measurements a testing helper made in test ``nodeid`` (plain data from
        its report; entries that are not recordings are ignored)."""
        for data in recordings:
            recording = Recording.from_json(data) if isinstance(data, dict) else None
            if recording is not None:
                self._measurements.setdefault(nodeid, []).append(recording)

    def evidence(self) -> list[Evidence]:
        """Evidence for every item named by a marked test or measured by a helper, in a stable order."""
        found: list[Evidence] = []
        for nodeid in sorted(set(self._outcomes) | set(self._measurements)):
            entry = self._outcomes.get(nodeid)
            if entry is not None:
                for item in entry.items:
                    found.append(_evidence_for(item, nodeid, entry))
            recordings = self._measurements.get(nodeid, [])
            if recordings:
                outcome = _outcome_of(self._all.get(nodeid, entry or _TestOutcome(items=())))
                found.extend(measurement_evidence(recording, nodeid, outcome) for recording in recordings)
        return found

    def __len__(self) -> int:
        return len(set(self._outcomes) | set(self._measurements))


def _record(entry: _TestOutcome, when: str, outcome: str, xfail: bool) -> None:
    if outcome == "failed":
        entry.failed_phases.append(when)
    elif outcome == "skipped" or xfail:
        entry.skipped = True
    elif when == "call" and outcome == "passed":
        entry.call_passed = True


def _outcome_of(entry: _TestOutcome) -> TestOutcome:
    if entry.failed_phases:
        return "failed"
    if entry.call_passed and not entry.skipped:
        return "passed"
    return "skipped"


def outcome_of_function(outcomes: Mapping[str, TestOutcome], nodeid: str) -> TestOutcome | None:
    """The outcome of the test function ``nodeid`` in ``outcomes``, its parametrised cases included.

    ``tests/test_x.py::test_edge`` matches ``tests/test_x.py::test_edge[empty]`` and the other
    cases: failed if any case failed, passed if every case passed, skipped otherwise; ``None``
    when the function did not run.
    """
    found = [outcome for key, outcome in outcomes.items() if key == nodeid or key.startswith(nodeid + "[")]
    if not found:
        return None
    if "failed" in found:
        return "failed"
    return "passed" if all(outcome == "passed" for outcome in found) else "skipped"


def _evidence_for(item: str, nodeid: str, entry: _TestOutcome) -> Evidence:
    if entry.failed_phases:
        phases = "/".join(entry.failed_phases)
        return Evidence(item=item, kind="test", detector=DETECTOR_NAME, nodeid=nodeid, outcome="failed",
                        verdict="contradicts", detail=f"marked test failed ({phases})")
    if entry.call_passed and not entry.skipped:
        return Evidence(item=item, kind="test", detector=DETECTOR_NAME, nodeid=nodeid, outcome="passed",
                        verdict="supports", detail="marked test passed")
    return Evidence(item=item, kind="test", detector=DETECTOR_NAME, nodeid=nodeid, outcome="skipped",
                    verdict="partial", detail="marked test was skipped or xfailed; it does not count")
