"""The ``ml_drift`` helper: compare a current sample with a reference one (items 3 and 35).

What it compares
    A reference sample (the training data, or the predictions of a reference window) and a
    current sample (recent traffic, the new model's predictions), either as two sequences (one
    feature) or as two mappings ``feature -> sequence`` (or two DataFrame-like tables with
    ``columns``). Every feature is compared on its own; the samples need not have the same size.

Numeric or categorical
    A feature whose present values are all numbers (``bool`` excluded) is numeric; any other is
    categorical. ``categorical=`` forces integer-coded features to be categorical. ``None`` and
    NaN are *missing*: they have their own bin in PSI and Jensen-Shannon (so a rise of the missing
    rate is drift) and are left out of Kolmogorov-Smirnov.

Binning (PSI and Jensen-Shannon)
    Numeric: ``bins`` (default 10) reference quantile bins. The cut points are the reference
    quantiles at ``1/bins, 2/bins, ...`` (linear interpolation between order statistics, NumPy's
    default method), duplicates removed; the bins are ``(-inf, c1], (c1, c2], ..., (ck, +inf)``,
    so current values outside the reference range fall in the outer bins. Categorical: one bin
    per category seen in either sample.

The statistics
    * PSI = sum over bins of ``(c - r) * ln(c / r)``, with ``r``, ``c`` the reference and current
      proportions; a proportion of 0 counts as ``EPSILON`` (1e-4) so that a bin empty on one side
      gives a large but finite PSI.
    * KS = the two-sample Kolmogorov-Smirnov statistic ``max |F_ref(x) - F_cur(x)|`` on the raw
      numeric values (no binning); it is not defined for unordered categories, so categorical
      features have no KS (``None``, "KS n/a").
    * JS = the Jensen-Shannon *distance* (square root of the divergence) with base-2 logarithms,
      between 0 (same distribution) and 1 (disjoint), over the same bins as PSI.

How it is judged
    A feature drifted when one of its statistics is strictly above its threshold: ``psi=0.2``,
    ``ks=0.1``, ``js=0.1`` by default (``None`` turns a statistic's check off). Any drifted
    feature fails the test, naming each one with its numbers. The comparison is recorded for
    ``item`` (``feature-drift`` by default, or ``prediction-drift``) whether it passed or not.

Thresholds from the configuration
    A threshold (or ``bins``) not given to ``ml_drift`` comes from the ``drift`` section of the
    configuration (``drift: {psi: 0.25, ks: 0.15, js: null, bins: 20}``: ``null`` turns that
    check off), and from the defaults above for keys the section leaves out. An argument given
    to the call always wins.

NumPy (the ``stats`` extra)
    When NumPy is installed, numeric features are sorted, binned and compared in NumPy: the
    same cut points, counts and KS statistic as the pure-Python code, faster on large samples.
    A sample may also be the path of a ``.npy`` file (one feature) or a ``.npz`` file (one
    feature per array name), relative to pytest's rootdir; reading them needs NumPy.
"""

from __future__ import annotations

import math
import numbers
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_mlchecklist.helpers.configured import FROM_CONFIG, FromConfig
from pytest_mlchecklist.helpers.numeric import MissingExtraError, optional_numpy, require_numpy

if TYPE_CHECKING:
    from pytest_mlchecklist.helpers.configured import SettingsSource
    from pytest_mlchecklist.recording import MeasurementRecorder, Recordings

ITEMS = ("feature-drift", "prediction-drift")
STATISTICS = ("psi", "ks", "js")
LABELS = {"psi": "PSI", "ks": "KS", "js": "JS"}
DEFAULT_THRESHOLDS = {"psi": 0.2, "ks": 0.1, "js": 0.1}
DEFAULT_BINS = 10
EPSILON = 1e-4
MISSING = "<missing>"
_SHOWN_IN_DETAIL = 5


# ---------------------------------------------------------------------- the statistics
def is_missing(value: Any) -> bool:
    """``None`` and NaN are missing values."""
    return value is None or (is_number(value) and math.isnan(float(value)))


def is_number(value: Any) -> bool:
    """A real number that is not a bool (NumPy scalars included)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def quantile(ordered: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0 <= q <= 1) of sorted values, by linear interpolation between order
    statistics (position ``q * (n - 1)``; NumPy's default ``linear`` method)."""
    if len(ordered) == 0:
        raise ValueError("no values to take a quantile of")
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def quantile_edges(reference: Iterable[float], bins: int = 10) -> list[float]:
    """The cut points of ``bins`` reference quantile bins: the quantiles at ``1/bins ...
    (bins-1)/bins``, sorted, duplicates removed (ties make fewer bins)."""
    ordered = sorted(float(value) for value in reference)
    return sorted({quantile(ordered, i / bins) for i in range(1, bins)})


def numeric_counts(values: Iterable[Any], edges: Sequence[float]) -> list[int]:
    """Counts per bin ``(-inf, e1], (e1, e2], ..., (ek, +inf)``, then one more count: missing values."""
    counts = [0] * (len(edges) + 2)
    for value in values:
        counts[-1 if is_missing(value) else bisect_left(edges, float(value))] += 1
    return counts


def psi(reference: Sequence[float], current: Sequence[float], epsilon: float = EPSILON) -> float:
    """Population stability index of two distributions over the same bins (proportions or
    counts): ``sum((c - r) * ln(c / r))``, proportions of 0 counted as ``epsilon``."""
    _check_same_bins(reference, current)
    total = 0.0
    for ref, cur in zip(proportions(reference), proportions(current)):
        ref, cur = max(ref, epsilon), max(cur, epsilon)
        total += (cur - ref) * math.log(cur / ref)
    return total


def js_distance(reference: Sequence[float], current: Sequence[float]) -> float:
    """Jensen-Shannon distance (base 2, in [0, 1]) of two distributions over the same bins
    (proportions or counts)."""
    _check_same_bins(reference, current)
    ref, cur = proportions(reference), proportions(current)
    middle = [(r + c) / 2 for r, c in zip(ref, cur)]
    divergence = (_kl_base2(ref, middle) + _kl_base2(cur, middle)) / 2
    return math.sqrt(max(divergence, 0.0))


def ks_statistic(reference: Iterable[float], current: Iterable[float]) -> float:
    """Two-sample Kolmogorov-Smirnov statistic: the largest distance between the two empirical
    cumulative distribution functions."""
    ref, cur = sorted(float(value) for value in reference), sorted(float(value) for value in current)
    if not ref or not cur:
        raise ValueError("the Kolmogorov-Smirnov statistic needs values on both sides")
    return max(abs(bisect_right(ref, x) / len(ref) - bisect_right(cur, x) / len(cur)) for x in set(ref) | set(cur))


def proportions(weights: Sequence[float]) -> list[float]:
    """Proportions from counts or proportions (negative weights are an error)."""
    if any(weight < 0 for weight in weights):
        raise ValueError("bin counts or proportions must not be negative")
    total = sum(weights)
    if total <= 0:
        raise ValueError("no values to take proportions of")
    return [weight / total for weight in weights]


def _kl_base2(p: Sequence[float], q: Sequence[float]) -> float:
    return sum(pi * math.log2(pi / qi) for pi, qi in zip(p, q) if pi > 0)


def _check_same_bins(reference: Sequence[float], current: Sequence[float]) -> None:
    if len(reference) != len(current) or not reference:
        raise ValueError(f"the two distributions need the same bins, got {len(reference)} and {len(current)}")


# ---------------------------------------------------------------------- one feature
@dataclass(frozen=True)
class FeatureDrift:
    """The statistics of one feature and which of them are over their thresholds."""

    name: str
    kind: str  # "numeric" or "categorical"
    psi: float
    ks: float | None
    js: float
    reference_size: int
    current_size: int
    bins: int
    exceeded: tuple[str, ...]

    @property
    def drifted(self) -> bool:
        """True when a statistic is over its threshold."""
        return bool(self.exceeded)

    def statistics(self) -> dict[str, float | None]:
        """``{"psi": ..., "ks": ... or None, "js": ...}``."""
        return {"psi": self.psi, "ks": self.ks, "js": self.js}

    def summary(self, thresholds: Mapping[str, float | None]) -> str:
        """``amount PSI 0.412 > 0.2, KS 0.231 > 0.1, JS 0.08``: compared statistics with their thresholds."""
        parts = []
        for name, value in self.statistics().items():
            if value is None:
                parts.append(f"{LABELS[name]} n/a")
                continue
            limit = thresholds.get(name)
            compared = "" if limit is None else f" {'>' if name in self.exceeded else '<='} {limit:g}"
            parts.append(f"{LABELS[name]} {format_stat(value)}{compared}")
        return f"{self.name} " + ", ".join(parts)


def compare_feature(name: str, reference: Sequence[Any], current: Sequence[Any], *, categorical: bool = False,
                    bins: int = 10, thresholds: Mapping[str, float | None] | None = None) -> FeatureDrift:
    """PSI, KS and JS of one feature (see the module docstring), judged against ``thresholds``."""
    limits = dict(DEFAULT_THRESHOLDS if thresholds is None else thresholds)
    if not reference or not current:
        raise ValueError(f"ml_drift: feature {name!r} has an empty {'reference' if not reference else 'current'} sample")
    present_ref = [value for value in reference if not is_missing(value)]
    present_cur = [value for value in current if not is_missing(value)]
    numeric = not categorical and all(is_number(value) for value in present_ref + present_cur)
    numpy = optional_numpy() if numeric else None
    if numeric and numpy is not None:
        ref_counts, cur_counts, ks = _numeric_with_numpy(numpy, present_ref, present_cur, bins)
        ref_counts[-1], cur_counts[-1] = len(reference) - len(present_ref), len(current) - len(present_cur)
    elif numeric:
        edges = quantile_edges(present_ref, bins) if present_ref else []
        ref_counts, cur_counts = numeric_counts(reference, edges), numeric_counts(current, edges)
        ks = ks_statistic(present_ref, present_cur) if present_ref and present_cur else None
    else:
        ref_counts, cur_counts = _category_counts(reference, current)
        ks = None
    if ref_counts[-1] == 0 and cur_counts[-1] == 0 and numeric:
        ref_counts, cur_counts = ref_counts[:-1], cur_counts[:-1]  # no missing bin when nothing is missing
    stats = {"psi": psi(ref_counts, cur_counts), "ks": ks, "js": js_distance(ref_counts, cur_counts)}
    exceeded = tuple(stat for stat in STATISTICS
                     if limits.get(stat) is not None and stats[stat] is not None and stats[stat] > limits[stat])  # type: ignore[operator]
    return FeatureDrift(name=name, kind="numeric" if numeric else "categorical", psi=stats["psi"], ks=ks,  # type: ignore[arg-type]
                        js=stats["js"], reference_size=len(reference), current_size=len(current),  # type: ignore[arg-type]
                        bins=len(ref_counts), exceeded=exceeded)


def _numeric_with_numpy(numpy: Any, present_ref: Sequence[Any], present_cur: Sequence[Any],
                        bins: int) -> tuple[list[int], list[int], float | None]:
    """Bin counts (with an empty missing bin last) and the KS statistic of two numeric samples
    without missing values, in NumPy: the same numbers as :func:`quantile_edges`,
    :func:`numeric_counts` and :func:`ks_statistic`."""
    ref = numpy.sort(numpy.asarray(present_ref, dtype=float))
    cur = numpy.sort(numpy.asarray(present_cur, dtype=float))
    edges = sorted({float(quantile(ref, i / bins)) for i in range(1, bins)}) if ref.size else []
    cuts = numpy.asarray(edges, dtype=float)
    slots = len(edges) + 1

    def counts(values: Any) -> list[int]:
        binned = numpy.bincount(numpy.searchsorted(cuts, values, side="left"), minlength=slots)
        return [int(count) for count in binned] + [0]

    ks: float | None = None
    if ref.size and cur.size:
        grid = numpy.concatenate([ref, cur])
        gap = numpy.abs(numpy.searchsorted(ref, grid, side="right") / ref.size
                        - numpy.searchsorted(cur, grid, side="right") / cur.size)
        ks = float(gap.max())
    return counts(ref), counts(cur), ks


def _category_counts(reference: Sequence[Any], current: Sequence[Any]) -> tuple[list[int], list[int]]:
    ref = Counter(_category(value) for value in reference)
    cur = Counter(_category(value) for value in current)
    categories = list(dict.fromkeys([*ref, *cur]))
    return [ref[category] for category in categories], [cur[category] for category in categories]


def _category(value: Any) -> Hashable:
    if is_missing(value):
        return (MISSING,)
    return value if isinstance(value, Hashable) else repr(value)


def format_stat(value: float) -> str:
    """Statistics for messages: three decimals (``0.412``), two significant digits below 0.001."""
    return f"{value:.3f}" if value == 0 or abs(value) >= 0.001 else f"{value:.2g}"


# ---------------------------------------------------------------------- every feature
@dataclass(frozen=True)
class DriftReport:
    """What ``ml_drift`` compared, per feature, and the thresholds it used."""

    item: str
    features: dict[str, FeatureDrift]
    thresholds: dict[str, float | None]

    @property
    def drifted(self) -> tuple[str, ...]:
        """The names of the features with a statistic over its threshold."""
        return tuple(name for name, feature in self.features.items() if feature.drifted)

    @property
    def passed(self) -> bool:
        """True when no feature drifted."""
        return not self.drifted

    def threshold_label(self) -> str:
        """``PSI > 0.2, KS > 0.1, JS > 0.1``: what counts as drift."""
        return ", ".join(f"{LABELS[name]} > {limit:g}" for name, limit in self.thresholds.items() if limit is not None)

    def detail(self) -> str:
        """One line with the numbers, for the evidence and the first line of a failure."""
        count = len(self.features)
        noun = "feature" if count == 1 else "features"
        sizes = f"{_size_range(f.reference_size for f in self.features.values())} reference / " \
                f"{_size_range(f.current_size for f in self.features.values())} current values"
        if self.drifted:
            shown = [self.features[name].summary(self.thresholds) for name in self.drifted[:_SHOWN_IN_DETAIL]]
            more = len(self.drifted) - len(shown)
            listed = "; ".join(shown) + (f"; and {more} more" if more else "")
            return f"{len(self.drifted)} of {count} {noun} drifted ({self.threshold_label()}): {listed}; {sizes}"
        largest = []
        for stat in STATISTICS:
            name, value = self._largest(stat)
            if value is None:
                continue
            limit = self.thresholds[stat]
            compared = "" if limit is None else f" <= {limit:g}"
            largest.append(f"{LABELS[stat]} {format_stat(value)}{compared}" + (f" ({name})" if count > 1 else ""))
        return f"no drift in {count} {noun}: {'largest ' if count > 1 else ''}{', '.join(largest)}; {sizes}"

    def table(self) -> str:
        """Every feature on its own line, drifted ones first (for a failure message)."""
        ordered = sorted(self.features.values(), key=lambda feature: not feature.drifted)
        return "\n".join(f"  {'DRIFT' if f.drifted else 'ok   '} {f.summary(self.thresholds)} ({f.kind}, {f.bins} bins)"
                         for f in ordered)

    def values(self) -> dict[str, float]:
        """Recorded values: per feature ``<feature>.psi/.ks/.js``, the largest of each, counts, thresholds."""
        values: dict[str, float] = {"features": len(self.features), "drifted_features": len(self.drifted)}
        for stat in STATISTICS:
            _, largest = self._largest(stat)
            if largest is not None:
                values[f"max_{stat}"] = round(largest, 6)
            if self.thresholds.get(stat) is not None:
                values[f"{stat}_threshold"] = float(self.thresholds[stat])  # type: ignore[arg-type]
        for name, feature in self.features.items():
            for stat, value in feature.statistics().items():
                if value is not None:
                    values[f"{name}.{stat}"] = round(value, 6)
        return values

    def _largest(self, stat: str) -> tuple[str, float | None]:
        found = [(value, name) for name, feature in self.features.items()
                 if (value := feature.statistics()[stat]) is not None]
        if not found:
            return "", None
        value, name = max(found, key=lambda pair: pair[0])
        return name, value


def _size_range(sizes: Iterable[int]) -> str:
    known = list(sizes)
    low, high = min(known), max(known)
    return str(low) if low == high else f"{low}-{high}"


def compare_samples(
    reference: Any,
    current: Any,
    *,
    item: str = "feature-drift",
    psi: float | None = DEFAULT_THRESHOLDS["psi"],
    ks: float | None = DEFAULT_THRESHOLDS["ks"],
    js: float | None = DEFAULT_THRESHOLDS["js"],
    bins: int = 10,
    categorical: bool | Iterable[str] = (),
    features: Iterable[str] | None = None,
    name: str | None = None,
) -> DriftReport:
    """Compare ``current`` with ``reference`` feature by feature without failing or recording
    (what ``ml_drift`` does before it judges); arguments as for ``ml_drift``."""
    if item not in ITEMS:
        raise ValueError(f"ml_drift: item must be 'feature-drift' or 'prediction-drift', got {item!r}")
    thresholds = {"psi": _check_threshold("psi", psi), "ks": _check_threshold("ks", ks), "js": _check_threshold("js", js)}
    if all(limit is None for limit in thresholds.values()):
        raise ValueError("ml_drift: every threshold is None: give at least one of psi=, ks=, js=")
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 2:
        raise ValueError(f"ml_drift: bins must be an integer >= 2, got {bins!r}")
    default_name = name or ("prediction" if item == "prediction-drift" else "feature")
    ref_samples = _samples("reference", reference, default_name)
    cur_samples = _samples("current", current, default_name)
    wanted = _feature_names(ref_samples, cur_samples, features)
    forced = _categorical_names(categorical, wanted)
    compared = {feature: compare_feature(feature, ref_samples[feature], cur_samples[feature],
                                         categorical=feature in forced, bins=bins, thresholds=thresholds)
                for feature in wanted}
    return DriftReport(item=item, features=compared, thresholds=thresholds)


def read_sample_file(path: Path, default_name: str = "feature") -> dict[str, Any]:
    """The sample in a ``.npy`` file (one 1-D array: one feature) or a ``.npz`` file (one
    feature per array name); reading them needs NumPy (the ``stats`` extra)."""
    suffix = path.suffix.lower()
    if suffix not in (".npy", ".npz"):
        raise ValueError(f"ml_drift: {path}: a sample file must be .npy or .npz (or pass the values themselves)")
    numpy = require_numpy(f"ml_drift: reading {path.name}")
    if not path.is_file():
        raise ValueError(f"ml_drift: {path} does not exist (relative paths start at pytest's rootdir)")
    try:
        loaded = numpy.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"ml_drift: cannot read {path} as a NumPy file: {exc}") from None
    if suffix == ".npz":
        with loaded:
            arrays = {name: loaded[name] for name in loaded.files}
    else:
        arrays = {default_name: loaded}
    for name, array in arrays.items():
        if array.ndim != 1:
            raise ValueError(f"ml_drift: {path}: array {name!r} has shape {array.shape}; save one 1-D array "
                             "per feature (an .npz file names them)")
    return {name: array.tolist() for name, array in arrays.items()}


def _check_threshold(stat: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not is_number(value) or not math.isfinite(value) or value < 0:
        raise ValueError(f"ml_drift: {stat} threshold must be a non-negative number or None, got {value!r}")
    return float(value)


def _samples(side: str, data: Any, default_name: str) -> dict[str, list[Any]]:
    if isinstance(data, (str, Path)):
        data = read_sample_file(Path(data), default_name)
    if isinstance(data, Mapping):
        columns = {str(key): data[key] for key in data}
    elif hasattr(data, "columns") and hasattr(data, "__getitem__"):  # a DataFrame-like table
        columns = {str(key): data[key] for key in data.columns}
    else:
        columns = {default_name: data}
    if not columns:
        raise ValueError(f"ml_drift: the {side} sample has no features")
    samples: dict[str, list[Any]] = {}
    for feature, values in columns.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise TypeError(f"ml_drift: the {side} values of {feature!r} must be a sequence of values, "
                            f"got {type(values).__name__}")
        samples[feature] = list(values)
    return samples


def _feature_names(reference: Mapping[str, Any], current: Mapping[str, Any], features: Iterable[str] | None) -> list[str]:
    if features is not None:
        if isinstance(features, str):
            features = [features]
        wanted = list(dict.fromkeys(str(feature) for feature in features))
        absent = [f for f in wanted if f not in reference or f not in current]
        if absent or not wanted:
            raise ValueError(f"ml_drift: features not in both samples: {', '.join(map(repr, absent)) or 'none given'}")
        return wanted
    only_ref = [f for f in reference if f not in current]
    only_cur = [f for f in current if f not in reference]
    if only_ref or only_cur:
        where = "; ".join(part for part in (
            f"only in reference: {', '.join(map(repr, only_ref))}" if only_ref else "",
            f"only in current: {', '.join(map(repr, only_cur))}" if only_cur else "") if part)
        raise ValueError(f"ml_drift: the samples have different features ({where}); pass features=[...] to choose")
    return list(reference)


def _categorical_names(categorical: bool | Iterable[str], features: Sequence[str]) -> set[str]:
    if isinstance(categorical, bool):
        return set(features) if categorical else set()
    names = {categorical} if isinstance(categorical, str) else {str(name) for name in categorical}
    unknown = sorted(names - set(features))
    if unknown:
        raise ValueError(f"ml_drift: categorical names unknown features: {', '.join(map(repr, unknown))}")
    return names


# ---------------------------------------------------------------------- the fixture
class DriftChecker:
    """The value of the ``ml_drift`` fixture: call it to compare a current sample with a reference."""

    def __init__(self, recorder: MeasurementRecorder, settings: SettingsSource | None = None,
                 rootdir: Path | None = None) -> None:
        self._recorder = recorder
        self._settings = settings
        self._rootdir = rootdir

    def __call__(
        self,
        reference: Any,
        current: Any,
        *,
        item: str = "feature-drift",
        psi: float | None | FromConfig = FROM_CONFIG,
        ks: float | None | FromConfig = FROM_CONFIG,
        js: float | None | FromConfig = FROM_CONFIG,
        bins: int | FromConfig = FROM_CONFIG,
        categorical: bool | Iterable[str] = (),
        features: Iterable[str] | None = None,
        name: str | None = None,
    ) -> DriftReport:
        """Compare ``current`` with ``reference`` (two sequences, two mappings feature ->
        sequence, or ``.npy``/``.npz`` files), record the result for ``item`` and fail the test
        naming every feature whose PSI, KS or JS is over its threshold. Thresholds and ``bins``
        not given come from the ``drift`` section of the configuration, else the defaults."""
        __tracebackhide__ = True
        thresholds, bin_count = self._resolve({"psi": psi, "ks": ks, "js": js}, bins)
        try:
            report = compare_samples(self._located(reference), self._located(current), item=item,
                                     bins=bin_count, categorical=categorical, features=features, name=name,
                                     **thresholds)
        except MissingExtraError as exc:
            pytest.fail(str(exc), pytrace=False)
        self._recorder.record(report.item, report.detail(), report.values(), passed=report.passed)
        if not report.passed:
            pytest.fail(f"ml_drift: {report.detail()}\n{report.table()}", pytrace=False)
        return report

    def _resolve(self, given: dict[str, float | None | FromConfig],
                 bins: int | FromConfig) -> tuple[dict[str, float | None], int]:
        """Each threshold and ``bins``: the argument, else the configured value, else the default."""
        __tracebackhide__ = True
        configured: dict[str, float | None] = {}
        configured_bins: int | None = None
        if self._settings is not None and (bins is FROM_CONFIG or any(v is FROM_CONFIG for v in given.values())):
            drift = self._settings().require("ml_drift", "drift").drift
            configured, configured_bins = drift.configured(), drift.bins
        thresholds: dict[str, float | None] = {}
        for stat, value in given.items():
            if isinstance(value, FromConfig):
                thresholds[stat] = configured[stat] if stat in configured else DEFAULT_THRESHOLDS[stat]
            else:
                thresholds[stat] = value
        if isinstance(bins, FromConfig):
            return thresholds, configured_bins if configured_bins is not None else DEFAULT_BINS
        return thresholds, bins

    def _located(self, sample: Any) -> Any:
        """A relative sample file path taken from pytest's rootdir."""
        if isinstance(sample, (str, Path)) and not Path(sample).is_absolute() and self._rootdir is not None:
            return self._rootdir / sample
        return sample


@pytest.fixture
def ml_drift(request: pytest.FixtureRequest, ml_record: Recordings,
             _ml_checklist_settings: SettingsSource) -> DriftChecker:
    """Compare a current sample with a reference one by PSI, KS and Jensen-Shannon distance
    (items 3 ``feature-drift`` and 35 ``prediction-drift``).

    ``ml_drift(reference, current, item="feature-drift", psi=0.2, ks=0.1, js=0.1, bins=10,
    categorical=(), features=None, name=None)``; thresholds not given come from the ``drift``
    section of the configuration; see docs/helpers/drift.md.
    """
    return DriftChecker(ml_record.recorder("ml_drift"), _ml_checklist_settings, request.config.rootpath)
