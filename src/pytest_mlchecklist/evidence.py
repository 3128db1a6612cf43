"""What a detector, a marked test or a declared pointer found for an item.

Evidence never holds file contents: a path, a line, a test node id, measured values and a
one-line detail written by the detector.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

EvidenceKind = Literal["file", "test", "declared", "measurement"]

#: How a piece of evidence bears on its item:
#: ``supports``: enough on its own to meet the item;
#: ``partial``: related, but short of the item (the detail says what is missing);
#: ``contradicts``: proof that the item is not met (a failing marked test, a latency over the SLA);
#: ``unreadable``: a candidate that could not be read or parsed, so no decision could be made.
Verdict = Literal["supports", "partial", "contradicts", "unreadable"]


@dataclass(frozen=True)
class Evidence:
    """One finding for one item, with where it came from."""

    item: str
    kind: EvidenceKind
    detector: str
    detail: str
    verdict: Verdict = "supports"
    path: str | None = None
    line: int | None = None
    nodeid: str | None = None
    outcome: str | None = None
    values: dict[str, float] = field(default_factory=dict)

    def location(self) -> str:
        """Where the evidence is, for messages: ``path:line``, a node id, or the detector name."""
        if self.path is not None:
            return f"{self.path}:{self.line}" if self.line else self.path
        if self.nodeid is not None:
            return self.nodeid
        return self.detector

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict (the ``evidence`` entries of the JSON report)."""
        data = asdict(self)
        data.pop("item")
        if not data["values"]:
            data.pop("values")
        for optional in ("nodeid", "outcome"):
            if data[optional] is None:
                data.pop(optional)
        return data

    @classmethod
    def from_json(cls, item: str, data: dict[str, Any]) -> Evidence:
        """Rebuild evidence from :meth:`to_json` output (used across xdist workers)."""
        return cls(item=item, **data)
