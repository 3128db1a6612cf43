"""The ``ml_skew`` helper: the training and serving feature paths agree (item 12).

What it runs
    The same raw records go through the training-path function and the serving-path function,
    each getting its own deep copy (a path that mutates its input cannot change what the other
    sees). By default each path is called once per record and returns that record's features;
    with ``batch=True`` each path is called once with all the records and returns one row of
    features per record, in the same order.

    Features are a mapping ``name -> value``, a flat sequence (features named by position ``0``,
    ``1``...), a pandas Series, or for a batch a list of those or a DataFrame-like table.

How values are compared
    * Two numbers (``bool`` excluded) agree when ``|t - s| <= max(abs_tol, rel_tol * max(|t|, |s|))``
      (``math.isclose``): defaults ``abs_tol=1e-9``, ``rel_tol=1e-9``. ``tolerances=`` sets a
      feature's own tolerance: a number (absolute) or ``{"abs": ..., "rel": ...}`` (a key left out
      is 0); it replaces the defaults for that feature.
    * Two missing values (``None`` or NaN) agree; a missing value and a present one do not.
    * Sequences (an embedding, a one-hot vector) agree when they have the same length and agree
      element by element with the feature's tolerance.
    * Anything else agrees when equal (``"NL" != 1``: a type change is a skew).
    * A feature produced by one path and not the other is a difference. ``features=`` restricts
      the comparison to the named features, ``ignore=`` leaves some out (a request id, a timestamp).

How it is judged
    Any difference fails the test; the message shows the first ``show`` differing records with
    each differing feature, both values, and the difference against the tolerance. The comparison
    is recorded for ``training-serving-skew`` whether it passed or not.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_mlchecklist.recording import MeasurementRecorder, Recordings

ITEM = "training-serving-skew"
DEFAULT_ABS_TOL = 1e-9
DEFAULT_REL_TOL = 1e-9
_FEATURES_PER_RECORD_SHOWN = 10


@dataclass(frozen=True)
class Tolerance:
    """An absolute and a relative tolerance (``math.isclose`` semantics)."""

    abs: float = DEFAULT_ABS_TOL
    rel: float = DEFAULT_REL_TOL

    def allowed(self, left: float, right: float) -> float:
        """The largest difference allowed between ``left`` and ``right``."""
        return max(self.abs, self.rel * max(abs(left), abs(right)))


@dataclass(frozen=True)
class Difference:
    """One feature of one record on which the two paths disagree."""

    record: int
    record_id: str | None
    feature: str
    training: Any
    serving: Any
    reason: str

    def describe(self) -> str:
        """``amount_log: training 6.908754 != serving 6.907755 (|diff| 0.000999 > 1e-09)``."""
        return f"{self.feature}: training {_show(self.training)} != serving {_show(self.serving)} ({self.reason})"


@dataclass(frozen=True)
class SkewReport:
    """What ``ml_skew`` compared and where the two paths disagree."""

    records: int
    features: tuple[str, ...]
    differences: tuple[Difference, ...]
    max_abs_diff: dict[str, float] = field(default_factory=dict)
    row_counts: tuple[int, int] | None = None  # (training, serving) when a batch returned different row counts

    @property
    def passed(self) -> bool:
        """True when every record's features agree within tolerance."""
        return not self.differences and self.row_counts is None

    @property
    def differing_records(self) -> tuple[int, ...]:
        """The indexes of the records with a difference, in order."""
        return tuple(dict.fromkeys(difference.record for difference in self.differences))

    def differing_features(self) -> dict[str, int]:
        """Feature -> how many records differ on it, most first."""
        counts: dict[str, int] = {}
        for difference in self.differences:
            counts[difference.feature] = counts.get(difference.feature, 0) + 1
        return dict(sorted(counts.items(), key=lambda pair: -pair[1]))

    def detail(self) -> str:
        """One line with the numbers, for the evidence and the first line of a failure."""
        compared = f"{len(self.features)} features compared"
        if self.row_counts is not None:
            training, serving = self.row_counts
            return (f"the training path returned {training} rows and the serving path {serving} "
                    f"for {self.records} records; {compared}")
        if self.passed:
            largest = ""
            if self.max_abs_diff:
                feature, value = max(self.max_abs_diff.items(), key=lambda pair: pair[1])
                largest = f" (largest |diff| {value:.3g}, {feature})" if value > 0 else " (identical)"
            return f"{self.records} records: training and serving features agree within tolerance{largest}; {compared}"
        per_feature = ", ".join(f"{name} in {count}" for name, count in self.differing_features().items())
        first = self.differences[0]
        return (f"{len(self.differing_records)} of {self.records} records differ between training and serving "
                f"features ({per_feature}); first: record {_record_label(first)} {first.describe()}; {compared}")

    def failure(self, show: int = 5) -> str:
        """The failure message: the detail, then the first ``show`` differing records."""
        lines = [self.detail()]
        by_record: dict[int, list[Difference]] = {}
        for difference in self.differences:
            by_record.setdefault(difference.record, []).append(difference)
        for record in list(by_record)[:show]:
            found = by_record[record]
            lines.append(f"  record {_record_label(found[0])}:")
            lines.extend(f"    {difference.describe()}" for difference in found[:_FEATURES_PER_RECORD_SHOWN])
            if len(found) > _FEATURES_PER_RECORD_SHOWN:
                lines.append(f"    ... and {len(found) - _FEATURES_PER_RECORD_SHOWN} more features")
        if len(by_record) > show:
            lines.append(f"  ... and {len(by_record) - show} more records")
        return "\n".join(lines)

    def values(self) -> dict[str, float]:
        """Recorded values: counts, the largest absolute difference overall and per numeric feature."""
        values: dict[str, float] = {"records": self.records, "features": len(self.features),
                                    "differing_records": len(self.differing_records),
                                    "differing_features": len(self.differing_features())}
        if self.max_abs_diff:
            values["max_abs_diff"] = max(self.max_abs_diff.values())
            values.update({f"{name}.max_abs_diff": value for name, value in self.max_abs_diff.items()})
        return values


def _record_label(difference: Difference) -> str:
    return f"{difference.record}" + (f" ({difference.record_id})" if difference.record_id else "")


def _show(value: Any) -> str:
    if isinstance(value, _Absent):
        return "<missing>"
    text = f"{value:.10g}" if isinstance(value, float) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Absent:
    """A feature that a path did not produce."""

    def __repr__(self) -> str:
        return "<missing>"


ABSENT = _Absent()


# ---------------------------------------------------------------------- comparing values
def is_number(value: Any) -> bool:
    """A real number that is not a bool (NumPy scalars included)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_missing(value: Any) -> bool:
    """``None`` and NaN are missing values."""
    return value is None or (is_number(value) and math.isnan(float(value)))


def compare_values(training: Any, serving: Any, tolerance: Tolerance) -> tuple[str | None, float | None]:
    """Why two feature values disagree (``None`` when they agree), and their absolute difference
    when both are numbers (the largest element difference for sequences)."""
    training, serving = _plain(training), _plain(serving)
    if isinstance(training, _Absent) or isinstance(serving, _Absent):
        return f"missing in the {'training' if isinstance(training, _Absent) else 'serving'} features", None
    if is_missing(training) and is_missing(serving):
        return None, None
    if is_missing(training) or is_missing(serving):
        return f"missing in {'training' if is_missing(training) else 'serving'} only", None
    if is_number(training) and is_number(serving):
        left, right = float(training), float(serving)
        if left == right:
            return None, 0.0
        diff = abs(left - right)
        allowed = tolerance.allowed(left, right)
        if math.isfinite(diff) and diff <= allowed:
            return None, diff
        return f"|diff| {diff:.3g} > {allowed:.3g}", diff if math.isfinite(diff) else None
    if _is_vector(training) and _is_vector(serving):
        return _compare_vectors(list(training), list(serving), tolerance)
    if training == serving:
        return None, None
    if type(training) is not type(serving):
        return f"types differ: {type(training).__name__} and {type(serving).__name__}", None
    return "not equal", None


def _compare_vectors(training: list[Any], serving: list[Any], tolerance: Tolerance) -> tuple[str | None, float | None]:
    if len(training) != len(serving):
        return f"lengths differ: {len(training)} and {len(serving)}", None
    largest: float | None = None
    for index, (left, right) in enumerate(zip(training, serving)):
        reason, diff = compare_values(left, right, tolerance)
        if reason is not None:
            return f"element {index}: {reason}", diff
        if diff is not None:
            largest = diff if largest is None else max(largest, diff)
    return None, largest


def _is_vector(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _plain(value: Any) -> Any:
    """NumPy arrays become lists (through ``tolist``), so they compare as sequences."""
    if not isinstance(value, (str, bytes, _Absent)) and hasattr(value, "tolist") and hasattr(value, "shape"):
        return value.tolist()
    return value


# ---------------------------------------------------------------------- running the two paths
def compare_paths(
    records: Any,
    training: Callable[[Any], Any],
    serving: Callable[[Any], Any],
    *,
    abs_tol: float = DEFAULT_ABS_TOL,
    rel_tol: float = DEFAULT_REL_TOL,
    tolerances: Mapping[str, float | Mapping[str, float]] | None = None,
    features: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    batch: bool = False,
    id_key: str | None = None,
) -> SkewReport:
    """Run ``records`` through both paths and compare the features, without failing or recording
    (what ``ml_skew`` does before it judges); arguments as for ``ml_skew``."""
    for label, func in (("training", training), ("serving", serving)):
        if not callable(func):
            raise TypeError(f"ml_skew: the {label} path must be a callable, got {type(func).__name__}")
    default = Tolerance(_check_tol("abs_tol", abs_tol), _check_tol("rel_tol", rel_tol))
    per_feature = _check_tolerances(tolerances)
    wanted = _names("features", features) if features is not None else None
    if wanted is not None and not wanted:
        raise ValueError("ml_skew: features must name at least one feature")
    ignored = set(_names("ignore", ignore))
    raw = _raw_records(records, batch)
    if batch:
        training_rows = _rows("training", training(copy.deepcopy(records)))
        serving_rows = _rows("serving", serving(copy.deepcopy(records)))
    else:
        training_rows = [_features("training", training(copy.deepcopy(record)), index) for index, record in enumerate(raw)]
        serving_rows = [_features("serving", serving(copy.deepcopy(record)), index) for index, record in enumerate(raw)]
    count = len(raw) if raw is not None else len(training_rows)
    if count == 0:
        raise ValueError("ml_skew: no records to compare: give at least one raw record")
    names = _compared_names(training_rows, serving_rows, wanted, ignored)
    if len(training_rows) != len(serving_rows) or len(training_rows) != count:
        return SkewReport(records=count, features=names, differences=(),
                          row_counts=(len(training_rows), len(serving_rows)))
    differences: list[Difference] = []
    largest: dict[str, float] = {}
    for index, (train_row, serve_row) in enumerate(zip(training_rows, serving_rows)):
        record_id = _record_id(raw[index] if raw is not None else None, train_row, id_key)
        for name in names:
            left, right = train_row.get(name, ABSENT), serve_row.get(name, ABSENT)
            reason, diff = compare_values(left, right, per_feature.get(name, default))
            if diff is not None:
                largest[name] = max(largest.get(name, 0.0), diff)
            if reason is not None:
                differences.append(Difference(index, record_id, name, left, right, reason))
    return SkewReport(records=count, features=names, differences=tuple(differences), max_abs_diff=largest)


def _raw_records(records: Any, batch: bool) -> list[Any] | None:
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Iterable):
        if batch and not isinstance(records, (str, bytes)):
            return None  # a table the paths read as a whole (a DataFrame): rows come from their output
        raise TypeError(f"ml_skew: records must be a sequence of raw records, got {type(records).__name__}")
    if batch and hasattr(records, "columns"):
        return None
    return list(records)


def _rows(label: str, output: Any) -> list[dict[str, Any]]:
    if hasattr(output, "columns") and hasattr(output, "to_dict"):
        output = output.to_dict("records")
    else:
        output = _plain(output)
    if isinstance(output, (str, bytes, Mapping)) or not isinstance(output, Iterable):
        raise TypeError(f"ml_skew: with batch=True the {label} path must return one row of features per record "
                        f"(a list or a DataFrame), got {type(output).__name__}")
    return [_features(label, row, index) for index, row in enumerate(output)]


def _features(label: str, output: Any, index: int) -> dict[str, Any]:
    if hasattr(output, "columns") and hasattr(output, "to_dict"):
        rows = output.to_dict("records")
        if len(rows) != 1:
            raise TypeError(f"ml_skew: the {label} path returned {len(rows)} rows for record {index}; "
                            "return one row per record, or use batch=True")
        output = rows[0]
    elif hasattr(output, "to_dict") and not isinstance(output, Mapping):
        output = output.to_dict()
    output = _plain(output)
    if isinstance(output, Mapping):
        return {str(name): value for name, value in output.items()}
    if isinstance(output, (list, tuple)):
        return {str(position): value for position, value in enumerate(output)}
    raise TypeError(f"ml_skew: the {label} path returned {type(output).__name__} for record {index}; "
                    "return a mapping of feature -> value or a sequence of feature values")


def _compared_names(training: Sequence[Mapping[str, Any]], serving: Sequence[Mapping[str, Any]],
                    wanted: list[str] | None, ignored: set[str]) -> tuple[str, ...]:
    if wanted is not None:
        seen = {name for row in [*training, *serving] for name in row}
        unknown = [name for name in wanted if name not in seen]
        if unknown:
            raise ValueError(f"ml_skew: features not produced by either path: {', '.join(map(repr, unknown))}")
        return tuple(name for name in wanted if name not in ignored)
    names = dict.fromkeys(name for row in [*training, *serving] for name in row)
    return tuple(name for name in names if name not in ignored)


def _record_id(raw: Any, features: Mapping[str, Any], id_key: str | None) -> str | None:
    if id_key is None:
        return None
    if isinstance(raw, Mapping) and id_key in raw:
        return f"{id_key}={raw[id_key]!r}"
    if id_key in features:
        return f"{id_key}={features[id_key]!r}"
    return None


def _check_tol(name: str, value: Any) -> float:
    if not is_number(value) or not math.isfinite(value) or value < 0:
        raise ValueError(f"ml_skew: {name} must be a non-negative number, got {value!r}")
    return float(value)


def _check_tolerances(tolerances: Mapping[str, Any] | None) -> dict[str, Tolerance]:
    if tolerances is None:
        return {}
    if not isinstance(tolerances, Mapping):
        raise ValueError("ml_skew: tolerances must be a mapping such as {'amount_log': 1e-6, 'ratio': {'rel': 1e-3}}")
    checked: dict[str, Tolerance] = {}
    for name, value in tolerances.items():
        if isinstance(value, Mapping):
            unknown = set(value) - {"abs", "rel"}
            if unknown:
                raise ValueError(f"ml_skew: tolerance of {name!r} has unknown keys {sorted(unknown)}; use 'abs' and 'rel'")
            checked[str(name)] = Tolerance(_check_tol(f"tolerance abs of {name!r}", value.get("abs", 0.0)),
                                           _check_tol(f"tolerance rel of {name!r}", value.get("rel", 0.0)))
        else:
            checked[str(name)] = Tolerance(_check_tol(f"tolerance of {name!r}", value), 0.0)
    return checked


def _names(argument: str, names: Iterable[str]) -> list[str]:
    if isinstance(names, str):
        return [names]
    if not isinstance(names, Iterable):
        raise ValueError(f"ml_skew: {argument} must be a list of feature names, got {type(names).__name__}")
    return [str(name) for name in names]


# ---------------------------------------------------------------------- the fixture
class SkewChecker:
    """The value of the ``ml_skew`` fixture: call it to compare the training and serving feature paths."""

    def __init__(self, recorder: MeasurementRecorder) -> None:
        self._recorder = recorder

    def __call__(
        self,
        records: Any,
        training: Callable[[Any], Any],
        serving: Callable[[Any], Any],
        *,
        abs_tol: float = DEFAULT_ABS_TOL,
        rel_tol: float = DEFAULT_REL_TOL,
        tolerances: Mapping[str, float | Mapping[str, float]] | None = None,
        features: Iterable[str] | None = None,
        ignore: Iterable[str] = (),
        batch: bool = False,
        id_key: str | None = None,
        show: int = 5,
    ) -> SkewReport:
        """Run the same raw ``records`` through the ``training`` and ``serving`` feature paths,
        compare the features within tolerance, record the result for ``training-serving-skew``
        and fail the test showing the first ``show`` differing records."""
        __tracebackhide__ = True
        if isinstance(show, bool) or not isinstance(show, int) or show < 1:
            raise ValueError(f"ml_skew: show must be an integer >= 1, got {show!r}")
        report = compare_paths(records, training, serving, abs_tol=abs_tol, rel_tol=rel_tol, tolerances=tolerances,
                               features=features, ignore=ignore, batch=batch, id_key=id_key)
        self._recorder.record(ITEM, report.detail(), report.values(), passed=report.passed)
        if not report.passed:
            pytest.fail(f"ml_skew: {report.failure(show)}", pytrace=False)
        return report


@pytest.fixture
def ml_skew(ml_record: Recordings) -> SkewChecker:
    """Feed the same raw records to the training and serving feature paths and compare the
    features (item 12, ``training-serving-skew``).

    ``ml_skew(records, training, serving, abs_tol=1e-9, rel_tol=1e-9, tolerances=None,
    features=None, ignore=(), batch=False, id_key=None, show=5)``; see docs/helpers/skew.md.
    """
    return SkewChecker(ml_record.recorder("ml_skew"))
