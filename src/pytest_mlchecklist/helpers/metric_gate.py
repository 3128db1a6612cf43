"""The ``ml_metric_gate`` helper: fail when a model metric regresses (item 21, ``performance-regression-gate``).

Metrics
    A dict, or the path of a JSON or YAML file written by the evaluation (``.json``, ``.yaml``,
    ``.yml``; a relative path is taken from pytest's rootdir). Nested sections are flattened
    with dots: ``{"test": {"auc": 0.91}}`` gives the metric ``test.auc``. Only numbers are
    metrics (booleans, strings, lists and nulls are ignored).

What is compared
    ``thresholds={"auc": 0.85}`` gives agreed floors (or ceilings); ``baseline=`` a dict or file
    of the current model's metrics (every numeric baseline metric, or those named in ``only``).
    Both may be given: each metric must then pass both. Every gated metric must be present.

Direction and tolerance
    ``direction`` is ``"higher"`` (the default: the metric must be at least its threshold) or
    ``"lower"`` (at most), or a dict naming the direction of every gated metric. The allowed
    slack is the larger of ``tolerance`` (absolute, in the metric's unit) and ``rel_tolerance``
    times ``|threshold|``, as in :func:`math.isclose`: with higher-is-better a metric passes when
    ``value >= threshold - slack``; with lower-is-better when ``value <= threshold + slack``
    (a value exactly at the edge passes despite binary rounding).

Configured gates
    With neither ``thresholds`` nor ``baseline``, the gates come from the ``metrics`` section of
    the configuration: ``metrics.gates`` maps each metric to ``min`` (higher is better),
    ``max`` (lower is better) or only a ``direction``, with an optional absolute ``tolerance``;
    ``metrics.baseline`` (a path relative to the configuration file) compares every metric
    named in ``gates`` with the baseline in its direction; ``metrics.rel_tolerance`` applies to
    all. ``direction``, ``tolerance``, ``rel_tolerance`` and ``only`` given to the call win over
    the configured ones; ``thresholds=`` or ``baseline=`` replaces the configured gates entirely.

What it records (``performance-regression-gate``)
    Values: each gated metric by name, and its ``<name>_threshold`` / ``<name>_baseline``. The
    detail lists the regressions first, each with how much worse (absolute and percent).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_mlchecklist.config import MetricsSettings
    from pytest_mlchecklist.helpers.configured import SettingsSource
    from pytest_mlchecklist.recording import MeasurementRecorder, Recordings

ITEM = "performance-regression-gate"
DIRECTIONS = ("higher", "lower")
_NOTHING_TO_COMPARE = ("ml_metric_gate: give thresholds={'auc': 0.85} or baseline='path/to/baseline.json' (or both) "
                       "to compare the metrics with, or configure metrics.gates in mlchecklist.yaml "
                       "or [tool.ml-checklist.metrics.gates] of pyproject.toml")


def format_number(value: float) -> str:
    """Six significant digits, no trailing zeros: ``0.912``, ``12345.6``, ``0.000123``."""
    return f"{value:.6g}"


@dataclass(frozen=True)
class MetricCheck:
    """One metric compared with one bound (a threshold or the baseline)."""

    name: str
    value: float
    bound: float
    source: str  # "threshold" or "baseline"
    direction: str  # "higher" or "lower"
    slack: float

    @property
    def worse_by(self) -> float:
        """How much worse than the bound the value is (0 when it is as good or better)."""
        gap = self.bound - self.value if self.direction == "higher" else self.value - self.bound
        return max(gap, 0.0)

    @property
    def passed(self) -> bool:
        """True when the value is within the bound, allowing the slack (a value exactly at the
        edge passes despite binary rounding: 0.85 - 0.84 is 0.01000000000000001)."""
        worse = self.worse_by
        return worse <= self.slack or math.isclose(worse, self.slack, rel_tol=1e-9, abs_tol=1e-12)

    def describe(self) -> str:
        """``auc 0.812 < 0.85 threshold by 0.038 (4.47%)`` or ``log_loss 0.3 <= 0.4 threshold``."""
        good, bad = (">=", "<") if self.direction == "higher" else ("<=", ">")
        value, bound = format_number(self.value), format_number(self.bound)
        if self.worse_by == 0:
            return f"{self.name} {value} {good} {bound} {self.source}"
        text = f"{self.name} {value} {bad} {bound} {self.source}"
        if self.passed:
            return f"{text}, within tolerance {format_number(self.slack)}"
        percent = f" ({self.worse_by / abs(self.bound) * 100:.2f}%)" if self.bound else ""
        tolerance = f", tolerance {format_number(self.slack)}" if self.slack else ""
        return f"{text} by {format_number(self.worse_by)}{percent}{tolerance}"


@dataclass(frozen=True)
class GateResult:
    """What ``ml_metric_gate`` compared, and which metrics regressed."""

    checks: tuple[MetricCheck, ...]
    metrics_label: str

    @property
    def regressions(self) -> tuple[MetricCheck, ...]:
        """The comparisons that failed."""
        return tuple(check for check in self.checks if not check.passed)

    @property
    def passed(self) -> bool:
        """True when no gated metric regressed."""
        return not self.regressions

    def values(self) -> dict[str, float]:
        """Recorded values: each metric, and its ``_threshold`` / ``_baseline`` bound."""
        found: dict[str, float] = {}
        for check in self.checks:
            found[check.name] = check.value
            found[f"{check.name}_{check.source}"] = check.bound
        return found

    def detail(self) -> str:
        """One line: the regressions first, then the metrics that passed, then how many."""
        ordered = list(self.regressions) + [check for check in self.checks if check.passed]
        names = {check.name for check in self.checks}
        head = ", ".join(check.describe() for check in ordered)
        if self.regressions:
            regressed = {check.name for check in self.regressions}
            count = f"{len(regressed)} of {len(names)} metrics regressed"
        else:
            count = f"{len(names)} metric{'s' if len(names) != 1 else ''}, none regressed"
        return f"{head}; {count} ({self.metrics_label})"


class MetricGate:
    """The value of the ``ml_metric_gate`` fixture: call it to compare metrics with thresholds."""

    def __init__(self, recorder: MeasurementRecorder, rootdir: Path, settings: SettingsSource | None = None) -> None:
        self._recorder = recorder
        self._rootdir = rootdir
        self._settings = settings

    def __call__(
        self,
        metrics: Mapping[str, Any] | str | Path,
        *,
        thresholds: Mapping[str, float] | None = None,
        baseline: Mapping[str, Any] | str | Path | None = None,
        direction: str | Mapping[str, str] | None = None,
        tolerance: float | Mapping[str, float] | None = None,
        rel_tolerance: float | None = None,
        only: Sequence[str] | None = None,
    ) -> GateResult:
        """Compare ``metrics`` (a dict or a JSON/YAML file) with ``thresholds`` and/or a
        ``baseline`` (or, with neither, the configured ``metrics`` gates), record the comparison
        for ``performance-regression-gate`` and fail the test naming each metric that regressed
        and by how much."""
        __tracebackhide__ = True
        if thresholds is None and baseline is None:
            gates, config_file = self._configured_gates()
            thresholds = {name: bound for name, entry in gates.gates.items() if (bound := entry.threshold()) is not None} or None
            if gates.baseline is not None:
                baseline = configured_path(gates.baseline, config_file)
                only = list(gates.gates) if only is None else only
            direction = {name: entry.better() for name, entry in gates.gates.items()} if direction is None else direction
            tolerance = {name: entry.tolerance for name, entry in gates.gates.items()} if tolerance is None else tolerance
            rel_tolerance = gates.rel_tolerance if rel_tolerance is None else rel_tolerance
        direction = "higher" if direction is None else direction
        tolerance = 0.0 if tolerance is None else tolerance
        rel_tolerance = 0.0 if rel_tolerance is None else rel_tolerance
        current, label = self._load(metrics, "metrics")
        bounds: list[tuple[str, str, float]] = []
        if thresholds is not None:
            bounds += [(name, "threshold", value) for name, value in _check_thresholds(thresholds).items()]
        if baseline is not None:
            reference, _ = self._load(baseline, "baseline")
            bounds += [(name, "baseline", value) for name, value in _select(reference, only).items()]
        elif only is not None:
            raise ValueError("ml_metric_gate: only= selects metrics of the baseline; no baseline was given")
        if not bounds:
            raise ValueError("ml_metric_gate: nothing to compare: the baseline has no numeric metrics")
        _check_rel_tolerance(rel_tolerance)
        missing = sorted({name for name, _, _ in bounds if name not in current})
        if missing:
            available = ", ".join(sorted(current)) or "none"
            pytest.fail(f"ml_metric_gate: metric {', '.join(missing)} missing from {label} "
                        f"(numeric metrics there: {available})", pytrace=False)
        checks = []
        for name, source, bound in bounds:
            absolute = _per_metric(tolerance, name, "tolerance")
            checks.append(MetricCheck(name=name, value=current[name], bound=bound, source=source,
                                      direction=_direction(direction, name),
                                      slack=max(absolute, rel_tolerance * abs(bound))))
        result = GateResult(checks=tuple(checks), metrics_label=label)
        self._recorder.record(ITEM, result.detail(), result.values(), passed=result.passed)
        if not result.passed:
            pytest.fail(f"ml_metric_gate: {result.detail()}")
        return result

    def _configured_gates(self) -> tuple[MetricsSettings, str | None]:
        """The ``metrics`` section of the configuration and the file it is in; a clear error
        when it gates nothing."""
        __tracebackhide__ = True
        if self._settings is None:
            raise ValueError(_NOTHING_TO_COMPARE)
        configured = self._settings()
        gates = configured.require("ml_metric_gate", "metrics").metrics
        if not gates.gates:
            raise ValueError(f"{_NOTHING_TO_COMPARE} ({configured.where()} has no metrics.gates)")
        return gates, configured.source

    def _load(self, source: Mapping[str, Any] | str | Path, role: str) -> tuple[dict[str, float], str]:
        """The numeric metrics of a dict or file, and a label for messages."""
        if isinstance(source, Mapping):
            return flatten_metrics(source), f"{role} given as a dict"
        if not isinstance(source, (str, Path)):
            raise TypeError(f"ml_metric_gate: {role} must be a dict or the path of a JSON/YAML file, "
                            f"got {type(source).__name__}")
        path = Path(source)
        shown = str(source)
        if not path.is_absolute():
            path = self._rootdir / path
        return flatten_metrics(read_metrics_file(path, shown)), shown


def configured_path(path: str, config_file: str | None) -> str:
    """A path written in the configuration file ``config_file`` (relative to the rootdir, or
    absolute), taken from that file's folder and given relative to the rootdir when it can be."""
    if Path(path).is_absolute() or not config_file:
        return path
    return (Path(config_file).parent / path).as_posix()


def read_metrics_file(path: Path, shown: str | None = None) -> Mapping[str, Any]:
    """The mapping in a JSON or YAML metrics file; a clear ValueError when it cannot be read."""
    shown = shown or str(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise ValueError(f"ml_metric_gate: {shown}: metrics files must be .json, .yaml or .yml")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"ml_metric_gate: {shown} does not exist (relative paths start at pytest's rootdir)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"ml_metric_gate: cannot read {shown}: {exc}") from None
    try:
        if suffix == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except ValueError as exc:  # json.JSONDecodeError
        raise ValueError(f"ml_metric_gate: {shown} is not valid JSON: {exc}") from None
    except Exception as exc:  # yaml.YAMLError
        raise ValueError(f"ml_metric_gate: {shown} is not valid YAML: {exc}") from None
    if not isinstance(data, Mapping):
        raise ValueError(f"ml_metric_gate: {shown} must hold a mapping of metric names to numbers, "
                         f"got {type(data).__name__}")
    return data


def flatten_metrics(data: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """The finite numbers in ``data``, nested sections joined with dots (``test.auc``)."""
    found: dict[str, float] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            found.update(flatten_metrics(value, f"{name}."))
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            found[name] = float(value)
    return found


def _select(reference: dict[str, float], only: Sequence[str] | None) -> dict[str, float]:
    if only is None:
        return reference
    if isinstance(only, str) or not all(isinstance(name, str) for name in only):
        raise TypeError("ml_metric_gate: only must be a list of metric names, such as ['auc', 'log_loss']")
    unknown = [name for name in only if name not in reference]
    if unknown:
        raise ValueError(f"ml_metric_gate: only names {', '.join(unknown)}, not a numeric metric of the baseline")
    return {name: reference[name] for name in only}


def _check_thresholds(thresholds: Mapping[str, float]) -> dict[str, float]:
    if not isinstance(thresholds, Mapping) or not thresholds:
        raise ValueError("ml_metric_gate: thresholds must be a mapping such as {'auc': 0.85}")
    checked: dict[str, float] = {}
    for name, value in thresholds.items():
        if not _is_finite_number(value):
            raise ValueError(f"ml_metric_gate: threshold {name} must be a finite number, got {value!r}")
        checked[str(name)] = float(value)
    return checked


def _direction(direction: str | Mapping[str, str], name: str) -> str:
    if isinstance(direction, Mapping):
        if name not in direction:
            raise ValueError(f"ml_metric_gate: no direction for {name!r}: direction= names every gated metric "
                             "('higher' or 'lower' is better), or is one of them for all")
        chosen = direction[name]
    else:
        chosen = direction
    if chosen not in DIRECTIONS:
        raise ValueError(f"ml_metric_gate: direction must be 'higher' or 'lower' (is better), got {chosen!r}")
    return chosen


def _per_metric(tolerance: float | Mapping[str, float], name: str, what: str) -> float:
    value = tolerance.get(name, 0.0) if isinstance(tolerance, Mapping) else tolerance
    if not _is_finite_number(value) or value < 0:
        raise ValueError(f"ml_metric_gate: {what} must be a number >= 0 (in the metric's unit), got {value!r}")
    return float(value)


def _check_rel_tolerance(value: Any) -> None:
    if not _is_finite_number(value) or not 0 <= value < 1:
        raise ValueError(f"ml_metric_gate: rel_tolerance must be a fraction from 0 to 1 (0.02 is 2%), got {value!r}")


def _is_finite_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@pytest.fixture
def ml_metric_gate(request: pytest.FixtureRequest, ml_record: Recordings,
                   _ml_checklist_settings: SettingsSource) -> MetricGate:
    """Fail when a model metric regresses below its threshold or baseline (item 21, ``performance-regression-gate``).

    ``ml_metric_gate(metrics, thresholds=None, baseline=None, direction=None, tolerance=None,
    rel_tolerance=None, only=None)``; with neither thresholds nor baseline, the ``metrics``
    section of the configuration; see docs/helpers/metric-gate.md.
    """
    return MetricGate(ml_record.recorder("ml_metric_gate"), request.config.rootpath, _ml_checklist_settings)
