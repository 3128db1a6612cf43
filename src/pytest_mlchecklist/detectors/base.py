"""The detector interface: a small function that reads the repository index and returns evidence.

A detector is declared with :func:`detector`, which records its name, the items it can give
evidence for, and a sentence saying what it looks for and where (shown to users when an item
is unmet). It receives a :class:`DetectorContext` and yields :class:`Evidence`. It must never
import or run the repository's code, reach the network, or put file contents in a detail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pytest_mlchecklist.config import ResolvedConfig
from pytest_mlchecklist.evidence import Evidence, Verdict
from pytest_mlchecklist.repo import RepoIndex

DetectorFunction = Callable[["DetectorContext"], Iterable[Evidence]]


@dataclass(frozen=True)
class Detector:
    """A registered detector: its name, its items, what it looks for, and the function."""

    name: str
    items: tuple[str, ...]
    looks_for: str
    function: DetectorFunction

    def run(self, context: DetectorContext) -> list[Evidence]:
        """Run the detector and return its evidence as a list."""
        return list(self.function(context))


def detector(*, name: str, items: Iterable[str], looks_for: str) -> Callable[[DetectorFunction], Detector]:
    """Declare a detector function (see the module docstring)."""

    def wrap(function: DetectorFunction) -> Detector:
        return Detector(name=name, items=tuple(items), looks_for=looks_for, function=function)

    return wrap


class DetectorContext:
    """What a detector may look at: the index, the resolved configuration, and helpers that
    build evidence already labelled with the detector's name."""

    def __init__(self, index: RepoIndex, config: ResolvedConfig, detector_name: str) -> None:
        self.index = index
        self.config = config
        self.settings = config.settings
        self.today = config.today
        self.detector_name = detector_name

    # ------------------------------------------------------------ candidates
    def declared(self, item: str) -> list[str]:
        """Paths the team declared for ``item`` that exist in the index."""
        return [path for path in self.config.declared.get(item, ()) if path in self.index]

    def candidates(self, item: str, paths: Iterable[str]) -> list[str]:
        """``paths`` plus the declared paths for ``item``, without vendored or generated files.

        Declared paths are kept even under such folders: the team pointed at them.
        """
        declared = self.declared(item)
        chosen = {path for path in paths if not self.index.is_non_evidence(path)}
        chosen.update(declared)
        return sorted(chosen)

    # ------------------------------------------------------------ evidence builders
    def evidence(
        self,
        item: str,
        detail: str,
        *,
        verdict: Verdict = "supports",
        path: str | None = None,
        line: int | None = None,
        values: dict[str, float] | None = None,
        nodeid: str | None = None,
    ) -> Evidence:
        """Evidence of kind ``file`` for ``item`` found by this detector.

        ``nodeid`` names the test function the evidence is (``tests/test_skew.py::test_same``,
        relative to the scanned root): when the test run recorded that test as failed or skipped,
        the engine does not let this evidence meet the item.
        """
        return Evidence(
            item=item,
            kind="file",
            detector=self.detector_name,
            detail=detail,
            verdict=verdict,
            path=path,
            line=line,
            nodeid=nodeid,
            values=dict(values or {}),
        )

    def supports(self, item: str, detail: str, **where: Any) -> Evidence:
        """Evidence that meets ``item`` on its own."""
        return self.evidence(item, detail, verdict="supports", **where)

    def partial(self, item: str, detail: str, **where: Any) -> Evidence:
        """Something related that falls short; ``detail`` says what is missing."""
        return self.evidence(item, detail, verdict="partial", **where)

    def contradicts(self, item: str, detail: str, **where: Any) -> Evidence:
        """Proof that ``item`` is not met (e.g. a measurement over its target)."""
        return self.evidence(item, detail, verdict="contradicts", **where)

    def unreadable(self, item: str, path: str) -> Evidence:
        """A candidate file that could not be read or parsed; the index knows why.

        An unfilled ``ml-checklist init`` template is not undecidable, it is simply not evidence
        yet: it is reported as ``partial`` with what to do.
        """
        if self.index.is_template(path):
            return self.evidence(item, f"{path} is an unfilled template: fill it in and delete the "
                                 "`ml-checklist: template` line", verdict="partial", path=path)
        reason = self.index.problem(path) or "could not be read"
        return self.evidence(item, f"could not decide from this file: {reason}", verdict="unreadable", path=path)


def iter_nodes(node: Any) -> Iterator[Any]:
    """Walk any nested structure of dicts and lists parsed from YAML/JSON/TOML, depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, dict):
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, list):
            stack.extend(reversed(current))
