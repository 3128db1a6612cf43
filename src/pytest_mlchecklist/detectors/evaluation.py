"""Items 13 (representative-test-set) and 14 (subgroup-evaluation): how the model is evaluated.

Item 13, the evaluation set looks like current production data:

``time-split-config``
    YAML, TOML and configuration JSON outside tests. Read from the parsed keys: a split strategy
    (``split: time``, ``split.strategy: temporal|out_of_time|chronological|...``, ``out_of_time:
    true``), holdout window dates (``holdout_from``, ``test_start``/``test_end``, ``holdout: {start,
    end}``, a ``cutoff``/``split_date``/``train_end``), a relative window (``holdout_days: 28``,
    ``test_window: 30d``) and a held-out source that is production logs (``eval.source:
    s3://.../prediction-logs/``). The most recent date of the window (its end, else its start; an
    end after today means the window is still open) must be at most ``HOLDOUT_MAX_AGE_DAYS``
    (180) days before today.

    * a recent dated window, a relative window, a production-log source, or a time strategy
      without dates: ``supports``;
    * a window that ended (or a cutoff set) more than 180 days ago, a window that starts in the
      future, a window key whose value is not a date, or a random split strategy: ``partial``.
``time-split-code``
    Non-test Python (parsed, never imported): ``TimeSeriesSplit`` or
    ``temporal_train_test_split``; a comparison of a time column (``row["event_time"] >= cutoff``,
    ``df.ts < split_date``) inside a function named for a split (``time_split``, ``make_holdout``)
    or assigned to a held-out name (``test``, ``holdout``, ``valid``, ``oot``); a sort by a time
    column followed by a held-out slice (``.tail(n)``, ``[cut:]``), or ``train_test_split(...,
    shuffle=False)`` after such a sort: ``supports`` (a constant cutoff date older than 180 days is
    ``partial``). A module whose only split is a random ``train_test_split`` or ``random_split``:
    ``partial``.

Item 14, quality is measured for each important segment. ``supports`` needs per-segment metrics
that are actually computed (code, a report, or a configuration the evaluation code reads);
per-segment floors are a bonus named in the detail:

``segment-config``
    YAML, TOML and configuration JSON outside tests: TFMA ``slicing_specs`` (``feature_keys``,
    ``feature_values``) with ``metrics_specs``, or a ``segments``/``slices``/``subgroups``/
    ``cohorts``/``sensitive_features``/``slice_by`` list of dimensions in a document that also
    names metrics (a ``metrics`` list, or metric gates such as ``min_auc: 0.8``), read by non-test
    code (``cfg["subgroups"]``, ``cfg.get("segments")``, ``cfg.segments``): ``supports``. Segments
    without metrics, only the overall slice (``{}``), or segments no code reads: ``partial``.
``segment-metrics-code``
    Non-test Python: Fairlearn ``MetricFrame(..., sensitive_features=...)``; TFMA
    ``SlicingSpec(feature_keys=...)`` with a ``MetricsSpec``/``metrics_specs`` in the module;
    ``df.groupby(col)`` iterated or ``.apply``/``.agg``-ed with a metric; a loop or comprehension
    over segments (``for seg in segments``, ``for value in df["region"].unique()``,
    ``for column in cfg["subgroups"]``) whose body computes a metric (``roc_auc_score``, ``recall``,
    ``log_metric``, a local ``summarise``/``evaluate``...): ``supports``. The same pattern inside
    a test function that calls the repository's own code (imported by the test module) and
    asserts something: ``supports`` with the test's node id. TFMA slices with no metrics: ``partial``.
``segment-metrics-report``
    JSON reports outside tests (paths naming a report, metrics, evaluation, results, fairness,
    slices or segments): a ``subgroups``/``segments``/``slices``/``by_group``/``cohorts`` block with
    numeric metrics for at least two segments: ``supports``, naming the dimensions
    (``channel=pos`` is dimension ``channel``) and the segment count. Segments without numbers,
    or a single segment: ``partial``.

A candidate file that does not parse is ``unreadable``.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector
from pytest_mlchecklist.detectors.data_versioning import (
    config_candidates,
    is_placeholder,
    listed,
    name_words,
    plural,
    setting_line,
    source_modules,
)
from pytest_mlchecklist.detectors.model_development import first_key_read
from pytest_mlchecklist.detectors.python_code import (
    PythonModule,
    constant_value,
    dotted_name,
    is_test_path,
    iter_calls,
    module_name,
    resolve_alias,
)
from pytest_mlchecklist.evidence import Evidence

REPRESENTATIVE = "representative-test-set"
SUBGROUP = "subgroup-evaluation"

#: A holdout window whose most recent day is older than this no longer reflects production.
#: There is no configuration key for it yet.
HOLDOUT_MAX_AGE_DAYS = 180

_ISO_PREFIX = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:$|[T\s])")


def _norm_key(key: Any) -> str:
    return re.sub(r"[-_.\s]", "", str(key).lower())


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def read_date(value: Any) -> tuple[bool, dt.date | None]:
    """``(is a date value, the date)``: YAML dates and datetimes, ISO strings (``2026-09-22``,
    ``2026-09-22T00:00:00+00:00``). ``(True, None)`` for text that is a placeholder or an
    impossible date; ``(False, None)`` for anything else (numbers, interpolations)."""
    if isinstance(value, dt.datetime):
        return True, value.date()
    if isinstance(value, dt.date):
        return True, value
    if not isinstance(value, str):
        return False, None
    if "${" in value or "{{" in value:
        return False, None
    match = _ISO_PREFIX.match(value)
    if match is None:
        return (True, None) if is_placeholder(value) else (False, None)
    try:
        return True, dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return True, None


# ====================================================================== item 13: configuration
_CONFIG_HINTS_13 = (
    "split", "holdout", "hold_out", "out_of_time", "oot", "cutoff", "test_start", "test_end", "test_from",
    "test_window", "eval_start", "eval_end", "eval_window", "backtest", "temporal", "time_column", "eval", "test_",
    "validation",
)
_SPLIT_CONTEXT = frozenset(
    {"split", "splits", "splitting", "holdout", "test", "testing", "eval", "evaluation", "validation", "valid", "val",
     "oot", "backtest", "backtesting", "cv"}
)
_HELD_OUT_WORDS = frozenset({"holdout", "test", "eval", "evaluation", "validation", "valid", "val", "oot", "backtest"})
_STRATEGY_KEYS = frozenset(
    {"split", "strategy", "splitstrategy", "splittype", "splitmethod", "splitby", "method", "type", "kind", "mode",
     "splitter", "scheme"}
)
_TIME_STRATEGIES = frozenset(
    {"time", "temporal", "timebased", "timeseries", "chronological", "outoftime", "oot", "date", "datebased",
     "bytime", "bydate", "timesplit", "temporalsplit", "forwardchaining", "rolling", "rollingwindow", "expanding",
     "expandingwindow", "walkforward", "backtest", "recent", "mostrecent", "timeseriessplit", "timeordered"}
)
_RANDOM_STRATEGIES = frozenset(
    {"random", "randomsplit", "shuffle", "shuffled", "stratified", "stratifiedsplit", "kfold", "stratifiedkfold",
     "traintestsplit", "iid", "uniform"}
)
_START_WORDS = frozenset({"start", "from", "since", "begin", "begins", "starts", "after", "date"})
_END_WORDS = frozenset({"end", "to", "until", "stop", "ends", "before"})
_CUTOFF_KEYS = frozenset(
    {"cutoff", "cutoffdate", "cutofftime", "cutofftimestamp", "splitdate", "splittime", "splitat", "splittimestamp",
     "splitpoint", "traincutoff", "trainend", "trainuntil", "trainingend", "trainingcutoff", "trainto", "trainenddate",
     "trainingenddate", "trainingto"}
)
_WINDOW_UNITS = {"d": 1, "day": 1, "days": 1, "w": 7, "week": 7, "weeks": 7, "m": 30, "month": 30, "months": 30}
_RELATIVE_TEXT = re.compile(r"^\s*P?(\d+)\s*(d|days?|w|weeks?|m|months?)\s*$", re.IGNORECASE)
_TIME_COLUMN_KEYS = frozenset(
    {"timecolumn", "timestampcolumn", "datecolumn", "timecol", "datecol", "eventtimecolumn", "timekey", "timefield",
     "timestampfield", "timestampcol", "orderby", "sortby", "timestampkey"}
)
#: Durations that say how often something runs, not which data is held out.
_NOT_WINDOW_WORDS = frozenset({"every", "interval", "frequency", "freq", "each", "patience", "timeout", "retention",
                               "ttl", "schedule", "delay", "steps", "epochs"})
_SOURCE_WORDS = frozenset({"source", "data", "path", "uri", "table", "dataset", "query", "location", "input"})
_PRODUCTION_WORDS = frozenset({"prod", "production", "live", "serving", "inference", "prediction", "predictions",
                               "request", "requests", "traffic", "shadow"})
_LOG_WORDS = frozenset({"log", "logs", "logged", "logging", "traffic", "requests", "events", "capture", "captured",
                        "sample", "samples", "feedback"})


@dataclass(frozen=True)
class Setting:
    """A key found in a configuration file: its dotted path, last key, value and meaning."""

    keypath: str
    key: str
    value: Any


@dataclass
class SplitFacts:
    """What a configuration file says about how the evaluation set is held out."""

    time_strategy: Setting | None = None
    random_strategy: Setting | None = None
    starts: list[tuple[Setting, dt.date]] = field(default_factory=list)
    ends: list[tuple[Setting, dt.date]] = field(default_factory=list)
    not_dates: list[Setting] = field(default_factory=list)
    relative: tuple[Setting, int] | None = None
    production: Setting | None = None
    time_column: str | None = None


def _walk_settings(documents: list[Any]) -> Iterator[tuple[tuple[str, ...], str, Any]]:
    """(ancestor keys, key, value) for every scalar setting; items of a list of scalars are
    yielded one by one under the list's key."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(document, ()) for document in reversed(documents)]
    while stack:
        node, keys = stack.pop()
        if isinstance(node, list):
            stack.extend((child, keys) for child in reversed(node))
        elif isinstance(node, dict):
            children: list[tuple[Any, tuple[str, ...]]] = []
            for key, value in node.items():
                if isinstance(value, dict):
                    children.append((value, (*keys, str(key))))
                elif isinstance(value, list):
                    for element in value:
                        if isinstance(element, (dict, list)):
                            children.append((element, (*keys, str(key))))
                        else:
                            yield keys, str(key), element
                else:
                    yield keys, str(key), value
            stack.extend(reversed(children))


def _words_of(keys: tuple[str, ...]) -> set[str]:
    words: set[str] = set()
    for key in keys:
        words |= name_words(key)
    return words


def _relative_days(key_words: set[str], value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        for unit in ("days", "day", "weeks", "week", "months", "month"):
            if unit in key_words:
                return value * _WINDOW_UNITS[unit]
        return None
    if isinstance(value, str) and key_words & {"window", "period", "lookback", "days", "weeks", "months"}:
        match = _RELATIVE_TEXT.match(value)
        if match:
            unit = match.group(2).lower()
            return int(match.group(1)) * _WINDOW_UNITS.get(unit, _WINDOW_UNITS.get(unit.rstrip("s"), 1))
    return None


def split_facts(documents: list[Any]) -> SplitFacts:
    """Read the split strategy, window dates, relative windows and sources of parsed documents."""
    facts = SplitFacts()
    for keys, key, value in _walk_settings(documents):
        setting = Setting(".".join((*keys, key)), key, value)
        normal = _norm_key(key)
        key_words = name_words(key)
        parent_words = name_words(keys[-1]) if keys else set()
        context = _words_of(keys) | key_words
        if isinstance(value, str) and (normal == "split" or (normal in _STRATEGY_KEYS and context & _SPLIT_CONTEXT)):
            strategy = _norm_key(value)
            if strategy in _TIME_STRATEGIES:
                facts.time_strategy = facts.time_strategy or setting
            elif strategy in _RANDOM_STRATEGIES:
                facts.random_strategy = facts.random_strategy or setting
            continue
        if normal in ("outoftime", "oot", "timebased", "temporal", "timesplit") and value is True:
            facts.time_strategy = facts.time_strategy or setting
            continue
        if normal == "shuffle" and value is True and context & _SPLIT_CONTEXT:
            facts.random_strategy = facts.random_strategy or setting
            continue
        if normal in _TIME_COLUMN_KEYS and isinstance(value, str) and not is_placeholder(value):
            facts.time_column = facts.time_column or value
            continue
        role = _date_role(normal, key_words, parent_words, _words_of(keys))
        if role is not None:
            is_date, date = read_date(value)
            if is_date and date is None:
                facts.not_dates.append(setting)
            elif date is not None:
                (facts.starts if role == "start" else facts.ends).append((setting, date))
            continue
        if (key_words | parent_words) & _HELD_OUT_WORDS and not key_words & _NOT_WINDOW_WORDS:
            days = _relative_days(key_words, value)
            if days is not None:
                facts.relative = facts.relative or (setting, days)
                continue
            if key_words & _SOURCE_WORDS and isinstance(value, str):
                words = name_words(value)
                if words & _PRODUCTION_WORDS and words & _LOG_WORDS:
                    facts.production = facts.production or setting
    return facts


def _date_role(normal: str, key_words: set[str], parent_words: set[str], ancestors: set[str]) -> str | None:
    """``start`` or ``end`` of the held-out window for a date key, else ``None``: a cutoff, the end
    of training, or a start/end key named for, or nested under, the held-out part."""
    if normal in _CUTOFF_KEYS or "cutoff" in key_words:
        return "start"
    if parent_words & {"train", "training"} and key_words & _END_WORDS and not key_words & _HELD_OUT_WORDS:
        return "start"  # the end of training is where the holdout begins
    if not (key_words | ancestors) & _HELD_OUT_WORDS:
        return None
    if key_words & _END_WORDS:
        return "end"
    if key_words & _START_WORDS:
        return "start"  # holdout_from, test_start, holdout_date
    return None


def _judge_split(ctx: DetectorContext, path: str, facts: SplitFacts) -> Evidence | None:
    text = ctx.index.read_text(path)
    column = f", split on `{facts.time_column}`" if facts.time_column else ""
    if facts.starts or facts.ends:
        return _judge_window(ctx, path, facts, text, column)
    if facts.not_dates:
        setting = facts.not_dates[0]
        detail = f"`{setting.keypath}` in {path} is not a valid date, so the holdout window is unknown"
        return ctx.partial(REPRESENTATIVE, detail, path=path, line=setting_line(text, setting.key))
    if facts.relative is not None:
        setting, days = facts.relative
        detail = f"{path} holds out the most recent {_days(days)} (`{setting.keypath}`){column}"
        return ctx.supports(REPRESENTATIVE, detail, path=path, line=setting_line(text, setting.key))
    if facts.production is not None:
        setting = facts.production
        detail = f"{path} evaluates on data drawn from production logs (`{setting.keypath}`)"
        return ctx.supports(REPRESENTATIVE, detail, path=path, line=setting_line(text, setting.key))
    if facts.time_strategy is not None:
        setting = facts.time_strategy
        detail = f"{path} splits by time (`{setting.keypath}: {setting.value}`){column}"
        return ctx.supports(REPRESENTATIVE, detail, path=path, line=setting_line(text, setting.key))
    if facts.random_strategy is not None:
        setting = facts.random_strategy
        detail = (f"{path} splits at random (`{setting.keypath}: {setting.value}`): the test set is not a recent "
                  "window of production data")
        return ctx.partial(REPRESENTATIVE, detail, path=path, line=setting_line(text, setting.key))
    return None


def _judge_window(
    ctx: DetectorContext, path: str, facts: SplitFacts, text: str | None, column: str
) -> Evidence | None:
    """Judge the dated holdout window by its most recent day (see the module docstring)."""
    today = ctx.today
    start = max(facts.starts, key=lambda found: found[1]) if facts.starts else None
    end = max(facts.ends, key=lambda found: found[1]) if facts.ends else None
    if start is not None and start[1] > today:
        detail = f"holdout in {path} starts {start[1].isoformat()}, in the future (`{start[0].keypath}`)"
        return ctx.partial(REPRESENTATIVE, detail, path=path, line=setting_line(text, start[0].key))
    if end is not None:
        setting, verb, reference = end[0], "ends", min(end[1], today)
        shown = f"holdout ends {end[1].isoformat()}"
        if start is not None:
            shown = f"holdout {start[1].isoformat()} to {end[1].isoformat()}"
    elif start is not None:
        setting, verb, reference = start[0], "starts", start[1]
        shown = f"holdout from {start[1].isoformat()}"
    else:
        return None
    where: dict[str, Any] = {"path": path, "line": setting_line(text, setting.key)}
    age = (today - reference).days
    if age > HOLDOUT_MAX_AGE_DAYS:
        detail = (f"holdout in {path} {verb} {reference.isoformat()}, {_days(age)} ago "
                  f"(over the {HOLDOUT_MAX_AGE_DAYS}-day limit, `{setting.keypath}`); "
                  "move the window to recent production data")
        return ctx.partial(REPRESENTATIVE, detail, **where)
    timing = "window still open" if end is not None and end[1] >= today else f"{verb} {_days(age)} ago"
    return ctx.supports(REPRESENTATIVE, f"{path}: {shown} ({timing}){column}", **where)


@detector(
    name="time-split-config",
    items=(REPRESENTATIVE,),
    looks_for="an evaluation config with a time-based split: `split: time`, a recent holdout window "
    f"(`holdout_from`, `test_start`/`test_end`, at most {HOLDOUT_MAX_AGE_DAYS} days old), a relative window "
    "(`holdout_days`) or a test set drawn from production logs",
)
def time_split_config(ctx: DetectorContext) -> Iterator[Evidence]:
    """Time-based holdouts written in configuration (see the module docstring)."""
    for path in config_candidates(ctx, REPRESENTATIVE, _CONFIG_HINTS_13):
        documents = ctx.index.structured(path)
        if documents is None:
            yield ctx.unreadable(REPRESENTATIVE, path)
            continue
        found = _judge_split(ctx, path, split_facts(documents))
        if found is not None:
            yield found


# ====================================================================== item 13: code
_TIME_NAME = re.compile(
    r"(?:^|_)(?:time|timestamp|date|datetime|ts|dt|day|month|week|period)(?:_|$)|_at$", re.IGNORECASE
)
_SPLIT_FUNCTION_WORDS = frozenset({"split", "holdout", "oot", "temporal", "cutoff", "backtest"})
_HELD_OUT_TARGET_WORDS = frozenset(
    {"test", "holdout", "valid", "val", "validation", "eval", "evaluation", "oot", "recent"}
)
_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _time_column_of(node: ast.AST) -> str | None:
    """The time column an expression reads: ``row["event_time"]``, ``df.created_at``, ``df["ts"].dt.date``."""
    current: ast.AST | None = node
    while current is not None:
        if isinstance(current, ast.Subscript):
            key = constant_value(current.slice)
            if isinstance(key, str):
                return key if _TIME_NAME.search(key) else None
            current = None
        elif isinstance(current, ast.Attribute):
            if _TIME_NAME.search(current.attr) and current.attr not in ("dt",):
                return current.attr
            current = current.value
        elif isinstance(current, ast.Call) and current.args:
            current = current.args[0]  # pd.to_datetime(df["ts"]), parse_event_time(row["event_time"])
        elif isinstance(current, ast.Name):
            return current.id if _TIME_NAME.search(current.id) else None
        else:
            current = None
    return None


def _constant_date(node: ast.AST) -> dt.date | None:
    value = constant_value(node)
    if isinstance(value, str):
        return read_date(value)[1]
    if isinstance(node, ast.Call) and node.args:
        return _constant_date(node.args[0])  # pd.Timestamp("2026-09-01"), datetime.fromisoformat(...)
    return None


@dataclass(frozen=True)
class CodeFinding:
    """Something found in code for an item: a pass (``supports``) or what falls short."""

    supports: bool
    detail: str
    line: int
    nodeid: str | None = None


def _target_words(node: ast.Assign | ast.AnnAssign) -> set[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    words: set[str] = set()
    for target in targets:
        for element in ast.walk(target):
            if isinstance(element, ast.Name):
                words |= name_words(element.id)
            elif isinstance(element, ast.Attribute):
                words |= name_words(element.attr)
    return words


def _cutoff_finding(where: str, column: str, date: dt.date | None, line: int, today: dt.date) -> CodeFinding:
    if date is None:
        return CodeFinding(True, f"{where} holds out rows by `{column}` after a cutoff", line)
    age = (today - date).days
    if age > HOLDOUT_MAX_AGE_DAYS:
        return CodeFinding(False, f"{where} holds out rows by `{column}` after a fixed cutoff {date.isoformat()}, "
                           f"{_days(age)} ago (over the {HOLDOUT_MAX_AGE_DAYS}-day limit)", line)
    detail = f"{where} holds out rows by `{column}` after {date.isoformat()} ({_days(max(age, 0))} ago)"
    return CodeFinding(True, detail, line)


def _time_sort(node: ast.Call) -> str | None:
    """The time column a call sorts by: ``sort_values("event_time")``, ``sorted(key=lambda r: r["ts"])``."""
    last = ""
    if isinstance(node.func, ast.Attribute):
        last = node.func.attr
    elif isinstance(node.func, ast.Name):
        last = node.func.id
    if last == "sort_values":
        by = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "by"), None)
        return next((column for column in _string_list(by) if _TIME_NAME.search(column)), None)
    if last in ("sorted", "sort"):
        key = next((k.value for k in node.keywords if k.arg == "key"), None)
        if isinstance(key, ast.Lambda):
            return _time_column_of(key.body)
    return None


def _string_list(node: ast.AST | None) -> list[str]:
    value = constant_value(node) if node is not None else ...
    if isinstance(value, str):
        return [value]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [item for item in (constant_value(element) for element in node.elts) if isinstance(item, str)]
    return []


def _is_recent_slice(value: ast.AST) -> bool:
    """``rows[cut:]``, ``df.iloc[-n:]``, ``df.tail(n)``."""
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
        return value.slice.lower is not None and value.slice.upper is None
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "tail":
        return True
    return False


@dataclass
class SplitScan:
    """What one walk of a module found: calls, time comparisons, time sorts and held-out slices,
    each with the function it sits in (``None`` at module level)."""

    calls: list[tuple[str, ast.Call]] = field(default_factory=list)
    compares: list[tuple[ast.Compare, str, dt.date | None, str | None, bool]] = field(default_factory=list)
    sorts: list[tuple[str, int, str | None]] = field(default_factory=list)
    slices: list[tuple[int, str | None]] = field(default_factory=list)


def scan_splits(module: PythonModule) -> SplitScan:
    """Walk a module once, keeping what the split rules need (see the module docstring)."""
    scan = SplitScan()
    stack: list[tuple[ast.AST, str | None, bool]] = [(module.tree, None, False)]
    while stack:
        node, function, held_out = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            if _target_words(node) & _HELD_OUT_TARGET_WORDS:
                held_out = True
                if _is_recent_slice(node.value):
                    scan.slices.append((node.lineno, function))
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], _ORDERING):
            left, right = node.left, node.comparators[0]
            column = _time_column_of(left) or _time_column_of(right)
            if column is not None:
                scan.compares.append((node, column, _constant_date(right) or _constant_date(left), function, held_out))
        elif isinstance(node, ast.Call):
            name = dotted_name(node.func)
            if name is not None:
                scan.calls.append((resolve_alias(name, module.aliases), node))
            column = _time_sort(node)
            if column is not None:
                scan.sorts.append((column, node.lineno, function))
        stack.extend((child, function, held_out) for child in ast.iter_child_nodes(node))
    return scan


def time_split_findings(module: PythonModule, today: dt.date) -> list[CodeFinding]:
    """Time-based and random splits in one parsed module (see the module docstring)."""
    scan = scan_splits(module)
    findings: list[CodeFinding] = []
    random_calls: list[tuple[str, int, bool]] = []
    for name, call in scan.calls:
        last = name.rsplit(".", 1)[-1]
        if last in ("TimeSeriesSplit", "temporal_train_test_split"):
            detail = f"`{last}` keeps the evaluation folds later in time than training"
            findings.append(CodeFinding(True, detail, call.lineno))
        elif last == "train_test_split":
            shuffle = next((k.value for k in call.keywords if k.arg == "shuffle"), None)
            random_calls.append((last, call.lineno, constant_value(shuffle) is False))
        elif name in ("torch.utils.data.random_split", "torch.utils.data.dataset.random_split"):
            random_calls.append(("random_split", call.lineno, False))
    judged: set[str | None] = set()
    for compare, column, date, function, held_out in sorted(scan.compares, key=lambda found: found[0].lineno):
        if function is not None and name_words(function) & _SPLIT_FUNCTION_WORDS and function not in judged:
            judged.add(function)
            findings.append(_cutoff_finding(f"`{function}`", column, date, compare.lineno, today))
        elif held_out and "held-out" not in judged:
            judged.add("held-out")
            findings.append(_cutoff_finding("the held-out set", column, date, compare.lineno, today))
    for line, function in scan.slices:
        sort = next((found for found in scan.sorts if found[2] == function), None)
        if sort is not None:
            where = f"`{function}`" if function is not None else "the module"
            findings.append(CodeFinding(True, f"{where} sorts by `{sort[0]}` and holds out the most recent rows", line))
    if not any(finding.supports for finding in findings):
        for name, line, unshuffled in random_calls:
            if unshuffled and scan.sorts:
                detail = (f"sorts by `{scan.sorts[0][0]}` and splits without shuffling "
                          "(`train_test_split(shuffle=False)`), holding out the most recent rows")
                findings.append(CodeFinding(True, detail, line))
            elif unshuffled:
                findings.append(CodeFinding(False, "`train_test_split(shuffle=False)` keeps file order, but nothing "
                                            "sorts the rows by time first", line))
            else:
                findings.append(CodeFinding(False, f"only a random `{name}`: the test set is not a recent window of "
                                            "production data", line))
    return findings


_FUNCTION_NAME = re.compile(r"def\s+(\w+)\s*\(")
_SPLIT_NAME_WORDS = frozenset({"holdout", "oot", "temporal", "cutoff", "backtest", "backtesting"})
_SPLIT_DATA_WORDS = frozenset({"train", "test", "eval", "valid", "validation", "time", "date", "data", "dataset", "set"})


def defines_split_function(text: str) -> bool:
    """True when a function's name, read word by word, is about splitting data for evaluation.

    ``split_by_time``, ``make_holdout`` and ``train_test_split`` qualify; ``split_text`` or
    ``smooth_embedding`` (which merely contains the letters of ``oot``) do not.
    """
    for name in _FUNCTION_NAME.findall(text):
        words = [word for word in name.lower().split("_") if word]
        if _SPLIT_NAME_WORDS.intersection(words) or "holdout" in "".join(words):
            return True
        if "split" in words and _SPLIT_DATA_WORDS.intersection(words):
            return True
    return False


_HELD_OUT_LINE = re.compile(
    r"^[ \t]*\w*(?:test|holdout|valid|val|eval|oot|recent)\w*[ \t]*(?::[^=\n]*)?=[^=\n].*(?:time|date|_at\b|\bts\b)",
    re.IGNORECASE | re.MULTILINE,
)
_HELD_OUT_SLICE = re.compile(
    r"^[ \t]*\w*(?:test|holdout|valid|val|eval|oot|recent)\w*[ \t]*=[ \t]*[\w.]+(?:\.iloc)?\[[^\]\n]*:[ \t]*\]",
    re.IGNORECASE | re.MULTILINE,
)
_STRONG_HINTS_13 = (
    "TimeSeriesSplit", "train_test_split", "random_split", "holdout", "hold_out", "cutoff", "out_of_time",
    "split_date", "test_start", "test_from",
)


def may_split_by_time(module: PythonModule) -> bool:
    """Cheap text test choosing the modules worth parsing for item 13."""
    text = module.text
    if module.mentions(*_STRONG_HINTS_13) or defines_split_function(text) or _HELD_OUT_LINE.search(text):
        return True
    if not module.mentions("sort_values", "sorted(", ".sort("):
        return False
    return module.mentions(".tail(", "shuffle=False") or _HELD_OUT_SLICE.search(text) is not None


@detector(
    name="time-split-code",
    items=(REPRESENTATIVE,),
    looks_for="evaluation code that holds out the most recent data: `TimeSeriesSplit`, a cutoff on a time "
    "column in a split function, or a sort by time followed by a held-out tail",
)
def time_split_code(ctx: DetectorContext) -> Iterator[Evidence]:
    """Time-based splits in non-test Python (see the module docstring)."""
    for module in source_modules(ctx, REPRESENTATIVE):
        if not may_split_by_time(module):
            continue
        if not module.parses:
            yield ctx.unreadable(REPRESENTATIVE, module.path)
            continue
        findings = sorted(time_split_findings(module, ctx.today), key=lambda finding: finding.line)
        passing = [finding for finding in findings if finding.supports]
        if passing:
            first = passing[0]
            detail = f"{first.detail} (`{module.path}:{first.line}`)"
            yield ctx.supports(REPRESENTATIVE, detail, path=module.path, line=first.line)
            continue
        for finding in findings:
            yield ctx.partial(REPRESENTATIVE, f"{finding.detail} (`{module.path}:{finding.line}`)", path=module.path,
                              line=finding.line)


# ====================================================================== item 14: shared
_SEGMENT_KEYS = frozenset(
    {"segments", "segment", "slices", "slicingspecs", "slicingspec", "subgroups", "subgroup", "cohorts", "cohort",
     "sensitivefeatures", "sensitivefeature", "sensitiveattributes", "protectedattributes", "protectedfeatures",
     "protectedgroups", "sliceby", "segmentby", "slicecolumns", "segmentcolumns", "subgroupcolumns", "slicefeatures",
     "segmentfeatures", "evalslices", "evaluationslices", "fairnessgroups"}
)
_METRIC_LIST_KEYS = frozenset(
    {"metrics", "metric", "metricsspecs", "metricspecs", "scoring", "metricnames", "evalmetrics", "evaluationmetrics"}
)
_METRIC_WORDS = frozenset(
    {"auc", "roc", "rocauc", "prauc", "auroc", "auprc", "recall", "precision", "accuracy", "f1", "fbeta", "logloss",
     "rmse", "mse", "mae", "mape", "smape", "r2", "ndcg", "map", "mrr", "brier", "gini", "ks", "fpr", "tpr", "tnr",
     "fnr", "specificity", "sensitivity", "ece", "calibration", "hitrate", "ctr", "error", "loss", "score"}
)
_FLOOR_WORDS = frozenset({"min", "max", "floor", "floors", "threshold", "thresholds", "gate", "gates", "minimum",
                          "maximum", "limit", "limits", "target", "targets", "bound", "bounds"})
_SEGMENT_WORDS = frozenset(
    {"segment", "segments", "slice", "slices", "subgroup", "subgroups", "cohort", "cohorts", "sensitive", "protected",
     "demographic", "demographics", "strata", "stratum", "subpopulation", "subpopulations"}
)


def is_metric_name(name: str) -> bool:
    """A key or variable that names a quality metric (``min_auc``, ``false_positive_rate``, ``f1``)."""
    normal = _norm_key(name)
    return bool(name_words(name) & _METRIC_WORDS) or "positiverate" in normal or "negativerate" in normal


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _has_metric_numbers(node: Any) -> bool:
    """A mapping holding at least one metric with a numeric value."""
    return isinstance(node, dict) and any(is_metric_name(str(key)) and _number(value) for key, value in node.items())


# ====================================================================== item 14: configuration
_CONFIG_HINTS_14 = (
    "segment", "slic", "subgroup", "cohort", "sensitive_features", "sensitive-features", "protected_attributes",
    "sensitive_attributes", "fairness",
)


@dataclass
class SegmentSpec:
    """A list of segments found in a configuration file."""

    keypath: str
    key: str
    dimensions: list[str]
    tfma: bool
    overall_only: bool
    floors: bool


_DIMENSION_LIST_KEYS = ("columns", "features", "feature_keys", "by", "dimensions", "names", "keys", "attributes")


def _dimensions(value: Any) -> tuple[list[str], bool, bool]:
    """(dimension names, only the overall slice, per-segment floors) of a segments value."""
    dimensions: list[str] = []
    overall = False
    floors = False
    entries = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    if isinstance(value, dict):
        listing = next((value[key] for key in _DIMENSION_LIST_KEYS if isinstance(value.get(key), (list, str))), None)
        if listing is not None:
            entries = listing if isinstance(listing, list) else [listing]
        else:
            for name, spec in value.items():
                if isinstance(name, str) and not is_placeholder(name) and not isinstance(spec, bool):
                    dimensions.append(name)
                    floors = floors or _has_metric_numbers(spec)
    for entry in entries:
        if isinstance(entry, str) and not is_placeholder(entry):
            dimensions.append(entry)
        elif isinstance(entry, dict):
            if not entry:
                overall = True
                continue
            keys = entry.get("feature_keys", entry.get("featureKeys"))
            values = entry.get("feature_values", entry.get("featureValues"))
            found = [key for key in keys if isinstance(key, str)] if isinstance(keys, list) else []
            if isinstance(values, dict):
                found.extend(str(key) for key in values)
            for key in ("name", "column", "feature", "by", "attribute", "dimension"):
                if isinstance(entry.get(key), str) and not is_placeholder(entry[key]):
                    found.append(entry[key])
                    break
            dimensions.extend(found)
            floors = floors or _has_metric_numbers(entry)
    return list(dict.fromkeys(dimensions)), overall and not dimensions, floors


def segment_specs(documents: list[Any]) -> list[SegmentSpec]:
    """Segment lists of parsed configuration documents."""
    specs: list[SegmentSpec] = []
    stack: list[tuple[Any, tuple[str, ...]]] = [(document, ()) for document in reversed(documents)]
    while stack:
        node, keys = stack.pop()
        if isinstance(node, list):
            stack.extend((child, keys) for child in reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            normal = _norm_key(key)
            if normal in _SEGMENT_KEYS and value is not None:
                dimensions, overall, floors = _dimensions(value)
                if dimensions or overall:
                    specs.append(SegmentSpec(".".join((*keys, str(key))), str(key), dimensions,
                                             normal.startswith("slicingspec"), overall, floors))
                    continue
            if isinstance(value, (dict, list)):
                stack.append((value, (*keys, str(key))))
    return specs


@dataclass
class MetricFacts:
    """Metrics a configuration document names, and whether it sets floors per segment."""

    names: list[str] = field(default_factory=list)
    segment_floors: bool = False
    thresholds: bool = False


def metric_facts(documents: list[Any]) -> MetricFacts:
    """Metric lists, metric gates and per-segment floors anywhere in the documents."""
    facts = MetricFacts()
    for keys, key, value in _walk_settings(documents):
        normal = _norm_key(key)
        parent = _norm_key(keys[-1]) if keys else ""
        words = name_words(key) | _words_of(keys)
        if is_metric_name(key) and _number(value):
            facts.names.append(key)
            facts.thresholds = True
        elif normal in _METRIC_LIST_KEYS and isinstance(value, str) and not is_placeholder(value):
            facts.names.append(value)  # metrics: [auc, recall]
        elif parent in _METRIC_LIST_KEYS and normal in ("name", "classname", "metric") and isinstance(value, str):
            if not is_placeholder(value):
                facts.names.append(value)  # TFMA metrics: [{class_name: AUC}]
        if _number(value) and words & {"threshold", "thresholds", "bound", "lowerbound", "upperbound"}:
            facts.thresholds = True
        if _number(value) and words & _SEGMENT_WORDS and (words & _FLOOR_WORDS or is_metric_name(key)):
            facts.segment_floors = True
    facts.names = list(dict.fromkeys(facts.names))
    return facts


def _judge_segments(
    ctx: DetectorContext, path: str, spec: SegmentSpec, metrics: MetricFacts, modules: list[PythonModule]
) -> Evidence:
    text = ctx.index.read_text(path)
    where: dict[str, Any] = {"path": path, "line": setting_line(text, spec.key)}
    if spec.overall_only:
        detail = f"`{spec.keypath}` in {path} holds only the overall slice; add feature_keys per segment"
        return ctx.partial(SUBGROUP, detail, **where)
    dims = f"{plural(len(spec.dimensions), 'segment dimension')} ({listed(spec.dimensions)})"
    if not metrics.names:
        return ctx.partial(SUBGROUP, f"{path} lists {dims} under `{spec.keypath}` without metrics", **where)
    if spec.floors or metrics.segment_floors:
        floors = "with per-segment floors"
    elif metrics.thresholds:
        floors = "its thresholds apply overall, not per segment"
    else:
        floors = "no per-segment floor"
    if spec.tfma:
        detail = f"TFMA slicing_specs in {path} compute {listed(metrics.names)} for {dims}; {floors}"
        return ctx.supports(SUBGROUP, detail, **where)
    read = first_key_read(modules, spec.key)
    if read is None:
        detail = f"{path} lists {dims} under `{spec.keypath}` with metrics, but no evaluation code reads `{spec.key}`"
        return ctx.partial(SUBGROUP, detail, **where)
    detail = f"{path} lists {dims} with metrics ({listed(metrics.names)}), read in `{read.path}:{read.line}`; {floors}"
    return ctx.supports(SUBGROUP, detail, **where)


@detector(
    name="segment-config",
    items=(SUBGROUP,),
    looks_for="an evaluation config listing segments (TFMA `slicing_specs`, `segments`, `slices`, `subgroups`, "
    "`sensitive_features`) together with the metrics to compute, read by the evaluation code",
)
def segment_config(ctx: DetectorContext) -> Iterator[Evidence]:
    """Segments written in evaluation configuration (see the module docstring)."""
    modules: list[PythonModule] | None = None
    for path in config_candidates(ctx, SUBGROUP, _CONFIG_HINTS_14):
        documents = ctx.index.structured(path)
        if documents is None:
            yield ctx.unreadable(SUBGROUP, path)
            continue
        specs = segment_specs(documents)
        if not specs:
            continue
        if modules is None:
            modules = source_modules(ctx, SUBGROUP)
        metrics = metric_facts(documents)
        verdicts = [_judge_segments(ctx, path, spec, metrics, modules) for spec in specs]
        best = next((found for found in verdicts if found.verdict == "supports"), verdicts[0])
        yield best


# ====================================================================== item 14: code
_LIBRARY_HINTS_14 = ("MetricFrame", "SlicingSpec", "slicing_specs")
_SEGMENT_HINTS_14 = (
    "groupby", "segment", "subgroup", "slices", "slice_", "cohort", "sensitive_", "protected_", ".unique()",
    "drop_duplicates", "value_counts",
)
_METRIC_CALL = re.compile(
    r"auc|roc|recall|precision|accuracy|f1|fbeta|log_?loss|brier|ndcg|mrr|rmse|mse|mae|mape|r2|score|error|metric|"
    r"confusion|classification_report|summar|evaluat|calibration|gini",
    re.IGNORECASE,
)
#: Cheap text test for a metric computation (the decision reads the calls): generic words such as
#: ``score``, ``error`` or ``loss`` are left out, they appear in almost every module.
_METRIC_TEXT = re.compile(
    r"auc|roc_|recall|precision|accuracy|f1|fbeta|log_loss|brier|ndcg|rmse|mean_squared|mean_absolute|mape|r2_score|"
    r"metric|confusion|classification_report|evaluat|calibration|gini"
)
_NOT_METRIC_CALLS = frozenset({"error", "exception", "warning", "warn", "info", "debug", "critical"})
_ITERABLE_WRAPPERS = frozenset({"sorted", "set", "list", "tuple", "enumerate", "iter", "reversed"})


def may_compute_segment_metrics(module: PythonModule) -> bool:
    """Cheap text test choosing the modules worth parsing for item 14."""
    if module.mentions(*_LIBRARY_HINTS_14):
        return True
    return module.mentions(*_SEGMENT_HINTS_14) and _METRIC_TEXT.search(module.text.lower()) is not None


def _is_metric_call(call: ast.Call) -> str | None:
    name = dotted_name(call.func) or (call.func.attr if isinstance(call.func, ast.Attribute) else None)
    if name is None:
        return None
    head = name.split(".", 1)[0].lower()
    last = name.rsplit(".", 1)[-1]
    if head in ("logging", "logger", "log", "warnings") or last.lower() in _NOT_METRIC_CALLS:
        return None
    if last.endswith(("Error", "Exception", "Warning")):
        return None
    return last if _METRIC_CALL.search(last) else None


def _metric_call_in(nodes: list[ast.AST]) -> str | None:
    for root in nodes:
        for node in ast.walk(root):
            if isinstance(node, ast.Call):
                found = _is_metric_call(node)
                if found is not None:
                    return found
    return None


def _metric_reference_in(nodes: list[ast.AST]) -> str | None:
    """A metric called, or named as a function passed along (``.agg(accuracy)``)."""
    found = _metric_call_in(nodes)
    if found is not None:
        return found
    for root in nodes:
        for node in ast.walk(root):
            name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
            if name is not None and _METRIC_CALL.search(name) and name.lower() not in _NOT_METRIC_CALLS:
                return name
    return None


def _groupby_call(node: ast.AST) -> ast.Call | None:
    """The ``.groupby(...)`` call at the root of an expression chain, if any."""
    current: ast.AST | None = node
    while current is not None:
        if isinstance(current, ast.Call):
            if isinstance(current.func, ast.Attribute) and current.func.attr == "groupby":
                return current
            current = current.func
        elif isinstance(current, (ast.Attribute, ast.Subscript)):
            current = current.value
        else:
            return None
    return None


@dataclass(frozen=True)
class SegmentSource:
    """Where a loop gets its segments: the dimensions when known, else the name it iterates."""

    dimensions: tuple[str, ...]
    name: str


def _module_string_lists(tree: ast.Module) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {}
    for statement in tree.body:
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            continue
        if isinstance(statement.targets[0], ast.Name):
            values = _string_list(statement.value)
            if values:
                lists[statement.targets[0].id] = values
    return lists


_DISTINCT_METHODS = frozenset({"unique", "drop_duplicates", "value_counts"})
_PASS_THROUGH_METHODS = frozenset({"items", "keys", "tolist", "values", "dropna"})


def _unwrap_iterable(node: ast.AST) -> tuple[ast.AST, bool]:
    """What a loop really iterates, under ``sorted(...)``, ``set(...)``, ``.unique()``, ``.items()``...,
    and whether it takes distinct values (``set``, ``unique``, ``drop_duplicates``, ``value_counts``)."""
    current = node
    distinct = False
    while True:
        if isinstance(current, ast.Call) and current.args and isinstance(current.func, ast.Name) and (
            current.func.id in _ITERABLE_WRAPPERS
        ):
            distinct = distinct or current.func.id == "set"
            current = current.args[0]
        elif isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute) and (
            current.func.attr in _DISTINCT_METHODS | _PASS_THROUGH_METHODS
        ):
            distinct = distinct or current.func.attr in _DISTINCT_METHODS
            current = current.func.value
        elif isinstance(current, ast.Attribute) and current.attr in ("index", "values"):
            current = current.value
        else:
            return current, distinct


def segment_source(node: ast.AST, constants: dict[str, list[str]]) -> SegmentSource | None:
    """The segments a loop iterates: ``df.groupby("region")``, ``df["tier"].unique()``, ``segments``,
    ``cfg["subgroups"]``, ``sorted(SEGMENTS)``."""
    groupby = _groupby_call(node)
    if groupby is not None:
        by = groupby.args[0] if groupby.args else next((k.value for k in groupby.keywords if k.arg == "by"), None)
        dimensions = tuple(_string_list(by))
        shown = dimensions[0] if dimensions else (dotted_name(by) if by is not None else None) or "a key"
        return SegmentSource(dimensions, shown)
    current, distinct = _unwrap_iterable(node)
    if isinstance(current, ast.Subscript):
        key = constant_value(current.slice)
        if not isinstance(key, str):
            return None
        if name_words(key) & _SEGMENT_WORDS:
            return SegmentSource((), key)
        if distinct and not _TIME_NAME.search(key):
            return SegmentSource((key,), key)  # df["region"].unique(): the distinct values of one column
        return None
    name = current.id if isinstance(current, ast.Name) else current.attr if isinstance(current, ast.Attribute) else None
    if name is not None and name_words(name) & _SEGMENT_WORDS:
        return SegmentSource(tuple(constants.get(name, ())), name)
    return None


@dataclass(frozen=True)
class SegmentFinding:
    """Per-segment metrics found in code."""

    source: SegmentSource
    metric: str
    line: int
    floor: bool


def _source_of(node: ast.AST) -> str:
    """The source text of a small expression (empty when it is too deeply nested to print)."""
    try:
        return ast.unparse(node)
    except (RecursionError, ValueError):
        return ""


def _checks_floor(nodes: list[ast.AST]) -> bool:
    """An ordering comparison of a metric with a number or a threshold, or an assert/raise on one."""
    for root in nodes:
        for node in ast.walk(root):
            if isinstance(node, ast.Compare) and any(isinstance(op, _ORDERING) for op in node.ops):
                operands = [node.left, *node.comparators]
                texts = [_source_of(operand) for operand in operands]
                metric = any(_METRIC_CALL.search(text) for text in texts)
                bound = any(_number(constant_value(operand)) or name_words(text) & _FLOOR_WORDS
                            for operand, text in zip(operands, texts))
                if metric and bound:
                    return True
    return False


def segment_findings(scope: ast.AST, constants: dict[str, list[str]]) -> list[SegmentFinding]:
    """Loops, comprehensions and groupby aggregations computing a metric per segment in ``scope``."""
    found: list[SegmentFinding] = []
    for node in ast.walk(scope):
        if isinstance(node, (ast.For, ast.AsyncFor)):
            source = segment_source(node.iter, constants)
            metric = _metric_call_in(list(node.body)) if source is not None else None
            if source is not None and metric is not None:
                found.append(SegmentFinding(source, metric, node.lineno, _checks_floor(list(node.body))))
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            parts: list[ast.AST] = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            for generator in node.generators:
                source = segment_source(generator.iter, constants)
                metric = _metric_call_in(parts) if source is not None else None
                if source is not None and metric is not None:
                    found.append(SegmentFinding(source, metric, node.lineno, _checks_floor(parts)))
                    break
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
            "apply", "agg", "aggregate", "pipe"
        ):
            groupby = _groupby_call(node.func.value)
            if groupby is None:
                continue
            metric = _metric_reference_in([*node.args, *(keyword.value for keyword in node.keywords)])
            source = segment_source(groupby, constants)
            if metric is not None and source is not None:
                found.append(SegmentFinding(source, metric, node.lineno, False))
    return found


def _library_findings(module: PythonModule) -> tuple[list[CodeFinding], list[CodeFinding]]:
    """(supports, partials) from Fairlearn MetricFrame and TFMA SlicingSpec calls."""
    passing: list[CodeFinding] = []
    short: list[CodeFinding] = []
    slicing: list[tuple[list[str], int]] = []
    has_metrics_spec = False
    for call in iter_calls(module.tree, module.aliases):
        last = call.name.rsplit(".", 1)[-1]
        if last == "MetricFrame" and ("fairlearn" in call.name or "fairlearn" in module.text):
            sensitive = next((k.value for k in call.node.keywords if k.arg == "sensitive_features"), None)
            if sensitive is None:
                continue
            names = [value for node in ast.walk(sensitive) if isinstance(value := constant_value(node), str)]
            shown = listed(names) if names else f"`{dotted_name(sensitive) or 'sensitive features'}`"
            passing.append(CodeFinding(True, f"Fairlearn `MetricFrame` computes metrics by {shown}", call.line))
        elif last == "SlicingSpec":
            keys = next((k.value for k in call.node.keywords if k.arg in ("feature_keys", "feature_values")), None)
            names = _string_list(keys) if isinstance(keys, (ast.List, ast.Tuple)) else []
            if isinstance(keys, ast.Dict):
                constants = [constant_value(key) for key in keys.keys if key is not None]
                names = [value for value in constants if isinstance(value, str)]
            if keys is not None:
                slicing.append((names, call.line))
        elif last in ("MetricsSpec", "MetricConfig") or (
            last == "EvalConfig" and any(k.arg == "metrics_specs" for k in call.node.keywords)
        ):
            has_metrics_spec = True
    for names, line in slicing:
        shown = listed(names) if names else "feature keys"
        if has_metrics_spec:
            detail = f"TFMA `SlicingSpec` slices the evaluation by {shown} with a MetricsSpec"
            passing.append(CodeFinding(True, detail, line))
        else:
            detail = f"TFMA `SlicingSpec` slices by {shown} but the module defines no metrics_specs"
            short.append(CodeFinding(False, detail, line))
    return passing, short


def _describe(finding: SegmentFinding) -> str:
    source = finding.source
    if source.dimensions:
        what = f"by {listed(list(source.dimensions))} ({plural(len(source.dimensions), 'dimension')})"
    else:
        what = f"for each segment of `{source.name}`"
    floor = ", checking a floor per segment" if finding.floor else ""
    return f"computes `{finding.metric}` {what}{floor}"


def _repo_modules(ctx: DetectorContext) -> frozenset[str]:
    """Dotted names of the repository's own non-test modules and their packages."""

    def compute() -> frozenset[str]:
        names: set[str] = set()
        for path in ctx.index.with_suffix(".py"):
            if path.endswith(".py") and not is_test_path(path) and not ctx.index.is_non_evidence(path):
                name = module_name(path)
                parts = name.split(".")
                names.update(".".join(parts[: index + 1]) for index in range(len(parts)))
        names.discard("")
        return frozenset(names)

    return ctx.index.memo(("repository-python-modules",), compute)


def _test_functions(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name.startswith("test"):
            yield statement.name, statement
        elif isinstance(statement, ast.ClassDef) and statement.name.startswith("Test"):
            for member in statement.body:
                if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)) and member.name.startswith("test"):
                    yield f"{statement.name}::{member.name}", member


def _test_modules(ctx: DetectorContext) -> list[PythonModule]:
    modules: list[PythonModule] = []
    for path in ctx.candidates(SUBGROUP, ctx.index.with_suffix(".py")):
        if not path.endswith(".py") or not is_test_path(path) or path.rsplit("/", 1)[-1] == "conftest.py":
            continue
        text = ctx.index.read_text(path)
        if text is not None:
            modules.append(PythonModule(path, module_name(path), text, True, ctx.index))
    return modules


def _own_names(module: PythonModule, own: frozenset[str]) -> frozenset[str]:
    """Local names a test module binds to the repository's own modules by its imports."""
    names: set[str] = set()
    for local, target in module.aliases.items():
        absolute = module.resolve(local) or target
        parts = absolute.split(".")
        if any(".".join(parts[: index + 1]) in own for index in range(len(parts))):
            names.add(local)
    return frozenset(names)


def _test_findings(ctx: DetectorContext, module: PythonModule) -> list[CodeFinding]:
    """Test functions that compute metrics per segment, call the repository's own code and assert."""
    own = _own_names(module, _repo_modules(ctx))
    if not own:
        return []
    constants = _module_string_lists(module.tree)
    found: list[CodeFinding] = []
    for name, function in _test_functions(module.tree):
        nodes = list(ast.walk(function))
        if not any(isinstance(node, ast.Assert) for node in nodes):
            continue
        calls_own = any(
            isinstance(node, ast.Call) and (dotted_name(node.func) or "").split(".", 1)[0] in own for node in nodes
        )
        if not calls_own:
            continue
        findings = segment_findings(function, constants)
        if findings:
            first = findings[0]
            found.append(CodeFinding(True, f"test `{name}` {_describe(first)}", first.line, f"{module.path}::{name}"))
    return found


@detector(
    name="segment-metrics-code",
    items=(SUBGROUP,),
    looks_for="evaluation code computing metrics per segment: Fairlearn `MetricFrame(sensitive_features=...)`, "
    "TFMA `SlicingSpec` with metrics, `groupby(segment)` with a metric, or a loop over segments computing one",
)
def segment_metrics_code(ctx: DetectorContext) -> Iterator[Evidence]:
    """Per-segment metrics computed by Python code and tests (see the module docstring)."""
    for module in source_modules(ctx, SUBGROUP):
        if not may_compute_segment_metrics(module):
            continue
        if not module.parses:
            if module.mentions("MetricFrame", "SlicingSpec", "subgroup", "segment"):
                yield ctx.unreadable(SUBGROUP, module.path)
            continue
        passing, short = _library_findings(module)
        for segment in segment_findings(module.tree, _module_string_lists(module.tree)):
            passing.append(CodeFinding(True, _describe(segment), segment.line))
        if passing:
            first = min(passing, key=lambda finding: finding.line)
            more = f" (and {plural(len(passing) - 1, 'more place')})" if len(passing) > 1 else ""
            detail = f"`{module.path}:{first.line}` {first.detail}{more}"
            yield ctx.supports(SUBGROUP, detail, path=module.path, line=first.line)
            continue
        for gap in short:
            detail = f"{gap.detail} (`{module.path}:{gap.line}`)"
            yield ctx.partial(SUBGROUP, detail, path=module.path, line=gap.line)
    for module in _test_modules(ctx):
        if not may_compute_segment_metrics(module) or not module.parses:
            continue
        for test in _test_findings(ctx, module):
            yield ctx.supports(SUBGROUP, test.detail, path=module.path, line=test.line, nodeid=test.nodeid)


# ====================================================================== item 14: reports
_REPORT_PATH_WORDS = frozenset(
    {"report", "reports", "metrics", "metric", "eval", "evaluation", "evaluations", "results", "result", "scores",
     "fairness", "slice", "slices", "segment", "segments", "subgroup", "subgroups", "card", "validation"}
)
_REPORT_HINTS = ("subgroup", "segment", "slice", "by_group", "cohort", "per_group", "sensitive")
_REPORT_KEYS = frozenset(
    {"subgroups", "segments", "slices", "bygroup", "bysegment", "persegment", "pergroup", "cohorts", "slicemetrics",
     "segmentmetrics", "subgroupmetrics", "metricsbysegment", "metricsbygroup", "metricsbyslice", "byslice",
     "perslice", "slicedmetrics", "groups"}
)
_REPORT_KEY_SUFFIXES = ("bysegment", "bygroup", "byslice", "bycohort", "persegment", "pergroup", "perslice")
_SEGMENT_LABEL_KEYS = ("slice", "segment", "group", "subgroup", "cohort", "name", "slice_key", "sliceKey")


@dataclass
class ReportSegments:
    """Segments of one report block: labels with numeric metrics, and labels without."""

    keypath: str
    measured: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)


def _report_block(keypath: str, value: Any) -> ReportSegments | None:
    """The segments of one block; a segment given a bare number counts when the key path names
    the metric (``"auc": {"segments": {"us": 0.81}}``, ``"recall_by_segment": {...}``)."""
    block = ReportSegments(keypath)
    metric_context = any(is_metric_name(part) for part in keypath.split("."))
    if isinstance(value, dict):
        inner = [spec for spec in value.values() if isinstance(spec, dict) and spec]
        transposed = (
            len(inner) == len(value)
            and any(is_metric_name(str(key)) for key in value)
            and not any(_has_metric_numbers(spec) for spec in inner)
            and all(all(_number(number) or number is None for number in spec.values()) for spec in inner)
        )
        if transposed:
            # Fairlearn by_group transposed: metric -> {group: value}
            labels = list(dict.fromkeys(str(label) for spec in inner for label in spec))
            block.measured.extend(labels)
            return block
        for label, spec in value.items():
            metrics = spec.get("metrics") if isinstance(spec, dict) and isinstance(spec.get("metrics"), dict) else spec
            measured = _has_metric_numbers(metrics) or (metric_context and _number(spec))
            (block.measured if measured else block.empty).append(str(label))
        return block if block.measured or block.empty else None
    if isinstance(value, list):
        for entry in value:
            if not isinstance(entry, dict):
                continue
            label = next(
                (str(entry[key]) for key in _SEGMENT_LABEL_KEYS if isinstance(entry.get(key), (str, int, float))), None
            )
            if label is None:
                continue
            metrics = entry.get("metrics") if isinstance(entry.get("metrics"), dict) else entry
            (block.measured if _has_metric_numbers(metrics) else block.empty).append(label)
        return block if block.measured or block.empty else None
    return None


def report_segments(document: Any) -> list[ReportSegments]:
    """Per-segment blocks anywhere in a parsed report."""
    blocks: list[ReportSegments] = []
    stack: list[tuple[Any, tuple[str, ...]]] = [(document, ())]
    while stack:
        node, keys = stack.pop()
        if isinstance(node, list):
            stack.extend((child, keys) for child in reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            normal = _norm_key(key)
            if normal in _REPORT_KEYS or normal.endswith(_REPORT_KEY_SUFFIXES):
                block = _report_block(".".join((*keys, str(key))), value)
                if block is not None:
                    blocks.append(block)
                    continue
            if isinstance(value, (dict, list)):
                stack.append((value, (*keys, str(key))))
    return blocks


def _segment_dimensions(labels: list[str]) -> list[str]:
    dimensions: list[str] = []
    for label in labels:
        for separator in ("=", ":"):
            if separator in label:
                dimensions.append(label.split(separator, 1)[0].strip())
                break
    return list(dict.fromkeys(dimensions))


def _report_candidates(ctx: DetectorContext) -> list[str]:
    declared = set(ctx.declared(SUBGROUP))
    chosen: list[str] = []
    for path in ctx.candidates(SUBGROUP, ctx.index.with_suffix(".json")):
        if not path.lower().endswith(".json"):
            continue
        if path not in declared and (is_test_path(path) or not name_words(path) & _REPORT_PATH_WORDS):
            continue
        text = ctx.index.read_text(path)
        if text is None:
            if path in declared:
                chosen.append(path)
            continue
        lowered = text.lower()
        if path in declared or any(hint in lowered for hint in _REPORT_HINTS):
            chosen.append(path)
    return chosen


@detector(
    name="segment-metrics-report",
    items=(SUBGROUP,),
    looks_for="a JSON evaluation report with numeric metrics for each segment (`subgroups`, `segments`, `slices`, "
    "Fairlearn `by_group`)",
)
def segment_metrics_report(ctx: DetectorContext) -> Iterator[Evidence]:
    """Per-segment metrics recorded in evaluation reports (see the module docstring)."""
    for path in _report_candidates(ctx):
        document = ctx.index.json_data(path)
        if document is None:
            yield ctx.unreadable(SUBGROUP, path)
            continue
        blocks = report_segments(document)
        if not blocks:
            continue
        text = ctx.index.read_text(path)
        best = max(blocks, key=lambda block: (len(block.measured), -len(block.empty)))
        key = best.keypath.rsplit(".", 1)[-1]
        where: dict[str, Any] = {"path": path, "line": setting_line(text, key)}
        if len(best.measured) >= 2:
            dimensions = _segment_dimensions(best.measured)
            over = f" ({listed(best.measured)})"
            if dimensions:
                over = f" over {plural(len(dimensions), 'dimension')} ({listed(dimensions)})"
            detail = f"{path} reports metrics for {plural(len(best.measured), 'segment')}{over} under `{best.keypath}`"
            yield ctx.supports(SUBGROUP, detail, **where)
        elif best.measured:
            detail = f"{path} reports metrics for only 1 segment (`{best.measured[0]}`) under `{best.keypath}`"
            yield ctx.partial(SUBGROUP, detail, **where)
        else:
            detail = f"{path} lists {plural(len(best.empty), 'segment')} under `{best.keypath}` but no metric values"
            yield ctx.partial(SUBGROUP, detail, **where)


DETECTORS: tuple[Detector, ...] = (
    time_split_config,
    time_split_code,
    segment_config,
    segment_metrics_code,
    segment_metrics_report,
)
