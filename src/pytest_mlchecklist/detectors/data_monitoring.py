"""Data monitoring detectors: freshness (item 2), feature drift (item 3), data quality dashboards (item 9).

Every decision comes from parsed content (YAML/JSON with line numbers, Python with :mod:`ast`,
PromQL read by :mod:`~pytest_mlchecklist.detectors.prometheus`); file names and keywords only
choose what to parse. Test modules, vendored and generated folders are never evidence, unless
the team declares a path. Values written by a Helm expression cannot be judged statically.

Item 2, ``data-freshness`` (late or missing data raises an alert)
    ``freshness-alerts``: a Prometheus alert rule (rule files, ``PrometheusRule``, Helm) that
    fires on the age of data: ``time() - <metric>`` compared with a threshold, where the metric
    is not an infrastructure one (process start, boot, certificates, pods, Prometheus itself);
    a lag/delay/staleness/age metric above a threshold (database replication lag excluded);
    ``absent(<data metric>)``; ``rate|increase(<rows/records/events metric>) == 0``; or an alert
    on a recording rule that computes one of these. Kubernetes job metrics
    (``kube_cronjob_status_last_successful_time``) count when the alert names its job or
    cronjob; for every job at once they are **partial**. A recording rule that computes an
    age nobody alerts on, an age alert without a threshold, or a last-success timestamp metric
    emitted by the code with no alert on it: **partial**.
    ``freshness-orchestrator``: Airflow ``sla=`` on a task or in ``default_args`` (a
    ``timedelta`` or a name holding one; not ``None`` or a string), Airflow 3 ``DeadlineAlert``;
    Dagster ``FreshnessPolicy`` (with a lag, window or deadline) and
    ``build_last_update_freshness_checks`` / ``build_time_partition_freshness_checks`` on assets.
    An ``sla_miss_callback`` with no SLA, or a freshness policy/check without bounds: **partial**.
    ``freshness-config``: dbt sources whose ``freshness`` (source, table or ``config``, or
    ``+freshness`` in ``dbt_project.yml``) has ``warn_after``/``error_after`` with a positive
    ``count`` and a ``period``; dbt ``dbt_utils.recency`` and Elementary
    ``freshness_anomalies`` tests; SodaCL ``freshness(column) < 1d`` checks. A freshness block
    with nulls, or one that every table switches off: **partial**.

Item 3, ``feature-drift`` (live features compared with the training baseline, with a threshold)
    ``drift-library``: non-test Python using a drift library against reference data: Evidently
    drift metrics, presets and tests run with ``reference_data``; NannyML drift calculators
    fitted on a reference; alibi-detect detectors given ``x_ref``; whylogs
    ``calculate_drift_scores`` with ``with_thresholds=True`` or distribution constraints;
    deepchecks drift checks with a condition (or the ``train_test_validation`` suite); SageMaker
    Model Monitor with a baseline. The same without reference data, or whylogs drift scores
    without thresholds: **partial**. Hand-written statistics (a ``psi``/KL/JS/KS/Wasserstein
    function, or scipy ``ks_2samp``/``wasserstein_distance``/``jensenshannon``/two-argument
    ``entropy``... in a module about drift) **support** when the module compares the statistic
    with a threshold (a constant or a ``*threshold*``/``alpha``/``p_val`` name) and names a
    reference (reference, baseline, training, expected); otherwise **partial**, saying which.
    ``drift-config``: YAML/JSON/TOML drift configuration (a file whose path names drift, or a
    section under a ``*drift*`` key) with both a numeric threshold and a reference
    (``reference*``/``baseline*``/``training*`` path): **supports**; only one of them: **partial**.
    ``drift-alerts``: an alert rule on a drift metric (psi, drift, divergence, KS, KL, JS,
    Wasserstein; prediction/score/label drift and the drift job's own timestamps excluded)
    with a comparison: **supports**; without a comparison, or a recording rule nobody alerts on:
    **partial**.

Item 9, ``data-quality-dashboards`` (data quality statistics recorded and on a dashboard)
    ``data-quality-dashboard``: a Grafana dashboard (see :mod:`grafana`) with panels whose
    queries read null/missing rates, distinct counts or cardinality, value ranges/outliers,
    schema or contract violations, data quality check results or input distributions (PromQL:
    by the words of the metric names; SQL: counting nulls such as ``CASE WHEN x IS NULL``, not
    filtering on them, and identifiers such as ``dq_results``): **supports**. Row counts and SQL
    ``COUNT(DISTINCT ...)`` fill business dashboards too: alone they support only on a dashboard
    named for data quality, else **partial**. A dashboard named for data quality with no such
    query (or no query at all), or whose content lives outside the repository: **partial**.
    ``data-quality-metrics``: data quality metrics emitted by the code (``prometheus_client``,
    OpenTelemetry, text format) or watched by alert rules, that no dashboard panel queries:
    **partial** (recorded, not visible).
    ``data-quality-reports``: Great Expectations checkpoints (YAML/JSON/Python) that validate
    suites and update Data Docs (``UpdateDataDocsAction``, ``update_data_docs``,
    ``SimpleCheckpoint``, ``build_data_docs``); whylogs profiling written to WhyLabs; Evidently
    data quality reports sent to a workspace (Evidently UI/Cloud): **supports**. A checkpoint
    without a Data Docs action or without suites, whylogs profiles kept locally, an Evidently
    report only saved as a file: **partial**.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector, iter_nodes
from pytest_mlchecklist.detectors.grafana import Dashboard, Panel, Query, dashboards
from pytest_mlchecklist.detectors.prometheus import (
    Rule,
    RuleFile,
    age_subjects,
    comparisons,
    format_seconds,
    functions_called,
    is_templated,
    line_of_mapping,
    metric_definitions,
    metric_names,
    name_tokens,
    read_rule_file,
    rule_files,
    selectors,
    strip_promql,
    yaml_with_lines,
)
from pytest_mlchecklist.detectors.python_code import (
    PythonModule,
    constant_value,
    dotted_name,
    iter_calls,
    repository_modules,
)
from pytest_mlchecklist.evidence import Evidence

FRESHNESS = "data-freshness"
DRIFT = "feature-drift"
QUALITY = "data-quality-dashboards"

_YAML = (".yaml", ".yml")
_PLACEHOLDER_TEXT = re.compile(r"^\s*(?:todo|tbd|tba|fixme|xxx|changeme|\.\.\.|<[^>]*>|none|null)?\s*$", re.IGNORECASE)


# ====================================================================== shared helpers
def python_modules(
    ctx: DetectorContext, item: str, *hints: str, also: tuple[str, ...] = ()
) -> tuple[list[PythonModule], list[str]]:
    """Non-test Python modules whose text contains one of ``hints`` (and one of ``also`` when
    given; declared paths count as non-test), and those among them that do not parse."""
    modules: list[PythonModule] = []
    broken: list[str] = []
    for module in repository_modules(ctx, item):
        text = module.text
        if not any(hint in text for hint in hints) or (also and not any(word in text for word in also)):
            continue
        if module.parses:
            modules.append(module)
        else:
            broken.append(module.path)
    return modules, broken


def imports(module: PythonModule, library: str) -> bool:
    """True when the module imports ``library`` or one of its submodules."""
    return any(target == library or target.startswith(library + ".") for target in module.aliases.values())


def item_rule_files(ctx: DetectorContext, item: str, relevant: re.Pattern[str]) -> tuple[list[RuleFile], list[Evidence]]:
    """The Prometheus rule files that are candidates for ``item``, and ``unreadable`` evidence
    for candidates that do not parse and whose text is ``relevant`` to the item (or declared)."""
    found = rule_files(ctx.index)
    declared = set(ctx.declared(item))
    files: list[RuleFile] = []
    problems: list[Evidence] = []
    for path in ctx.candidates(item, [*found.files, *found.unreadable]):
        if path in found.files:
            files.append(found.files[path])
            continue
        if path in declared and path not in found.unreadable:
            if not path.lower().endswith((".yaml", ".yml", ".rules")):
                continue
            read = read_rule_file(ctx.index, path)
            if read is not None:
                files.append(read)
                continue
        text = ctx.index.read_text(path) or ""
        if path in declared or relevant.search(text):
            problems.append(ctx.unreadable(item, path))
    return files, problems


def _keywords(call: ast.Call) -> dict[str, ast.expr]:
    return {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}


def _is_none(node: ast.AST | None) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value is None)


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"


def _names(items: Iterable[str], limit: int = 3) -> str:
    unique = list(dict.fromkeys(items))
    shown = ", ".join(f"`{name}`" for name in unique[:limit])
    return shown + (f" and {len(unique) - limit} more" if len(unique) > limit else "")


def _duration_seconds(node: ast.AST | None) -> float | None:
    """Seconds of a ``timedelta(hours=2)`` / ``pendulum.duration(...)`` call with constant
    arguments, or of a plain number of seconds."""
    if isinstance(node, ast.Call):
        name = dotted_name(node.func) or ""
        if name.rsplit(".", 1)[-1] not in ("timedelta", "duration"):
            return None
        units = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1, "milliseconds": 0.001}
        total = 0.0
        for position, argument in enumerate(node.args[:3]):
            value = constant_value(argument)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                return None
            total += value * (86400, 1, 0.000001)[position]
        for keyword in node.keywords:
            value = constant_value(keyword.value)
            if keyword.arg not in units or not isinstance(value, (int, float)) or isinstance(value, bool):
                return None
            total += value * units[keyword.arg]
        return total
    value = constant_value(node) if node is not None else ...
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _real_text(value: Any) -> bool:
    """True for a string that says something (not empty, a placeholder or a Helm expression)."""
    return isinstance(value, str) and not _PLACEHOLDER_TEXT.match(value) and not is_templated(value)


def _mappings(value: Any) -> list[dict[str, Any]]:
    """The mappings of a list (nothing for anything else)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# Metrics that describe the platform, not the data (never evidence for items 2, 3 or 9).
_INFRA_PREFIXES = (
    "process_", "node_", "container_", "machine_", "go_", "python_gc", "python_info", "prometheus_", "alertmanager_",
    "probe_", "kube_pod", "kube_node", "kube_deployment", "kube_statefulset", "kube_daemonset", "kube_persistentvolume",
    "kube_replicaset", "kube_hpa", "kube_horizontalpodautoscaler", "velero_", "certmanager_", "cert_", "ssl_", "x509_",
    "etcd_", "apiserver_", "kubelet_", "coredns_", "thanos_", "loki_", "grafana_", "nginx_", "envoy_", "istio_",
    "up", "scrape_", "http_", "grpc_",
)


def is_infra_metric(name: str) -> bool:
    """True for metrics of the platform (processes, nodes, pods, Prometheus, HTTP servers...)."""
    lowered = name.lower()
    return lowered == "up" or any(lowered.startswith(prefix) for prefix in _INFRA_PREFIXES if prefix != "up")


# ====================================================================== item 2: alert rules
_FRESHNESS_RELEVANT = re.compile(r"time\(\)|absent|_lag|lag_|\blag\b|stale|fresh|last_success|timestamp", re.IGNORECASE)
_NOT_DATA_AGE = frozenset(
    {"start", "started", "boot", "created", "creation", "expiry", "expiration", "expires", "cert", "certificate", "ssl",
     "x509", "uptime", "renewal", "backup", "snapshot", "reload", "config", "heartbeat", "login", "restart", "deploy",
     "deployment"}
)
_LAG_TOKENS = frozenset({"lag", "delay", "delayed", "staleness", "stale", "freshness", "age", "behind", "late", "lateness"})
_REPLICATION_TOKENS = frozenset({"replication", "replica", "slave", "wal", "standby", "mysql", "pg", "postgres", "redis"})
_DATA_TOKENS = frozenset(
    {"rows", "row", "records", "record", "events", "event", "messages", "message", "ingested", "ingest", "ingestion",
     "processed", "loaded", "partitions", "partition", "files", "batches", "batch", "exported", "export", "imported",
     "samples", "features", "feature", "transactions", "orders", "data", "dataset", "pipeline", "etl", "dag", "feed",
     "source", "table", "tables", "extracted", "synced", "labels", "outcomes", "consumed"}
)
#: Words of a Kubernetes job or cronjob name that say it moves data.
_DATA_JOB_WORDS = _DATA_TOKENS | frozenset(
    {"load", "loader", "loads", "sync", "extract", "transform", "elt", "dbt", "ingestor", "importer", "exporter",
     "scoring", "features", "materialize", "materialization", "refresh", "snapshotter", "crawler", "scraper"}
)
_NO_NEW_DATA_FUNCTIONS = frozenset({"rate", "irate", "increase", "delta", "changes", "idelta"})
_KUBE_JOB_METRICS = re.compile(r"^kube_(?:cron)?job_")


@dataclass(frozen=True)
class _FreshnessRule:
    """What a rule says about data freshness: ``kind`` is age, lag, absent or no-new-data."""

    kind: str
    metric: str
    threshold: float | None
    compared: bool
    scoped: bool = True


def _data_metric(name: str) -> bool:
    tokens = set(name_tokens(name))
    return not is_infra_metric(name) and bool(tokens & (_DATA_TOKENS | _LAG_TOKENS | {"success", "successful", "last"}))


_DIVIDED = re.compile(r"((?:/\s*[0-9.]+(?:[eE][+-]?\d+)?\s*)+)(?:>=|>)")


def _age_threshold(expr: str, value: float | None) -> float | None:
    """The age threshold in seconds: ``(time() - x) / 3600 > 26`` is 26 hours."""
    if value is None:
        return None
    divided = _DIVIDED.search(strip_promql(expr))
    if divided is None:
        return value
    factor = 1.0
    for number in re.findall(r"[0-9.]+(?:[eE][+-]?\d+)?", divided.group(1)):
        try:
            factor *= float(number)
        except ValueError:
            return None
    return value * factor


def freshness_of(rule: Rule) -> _FreshnessRule | None:
    """How a rule's expression measures data freshness, if it does (see the module docstring)."""
    if not rule.has_expr:
        return None
    expr = rule.expr
    found = comparisons(expr)
    upper = [comparison for comparison in found if comparison.operator in (">", ">=")]
    age_limit = _age_threshold(expr, upper[0].value) if upper else None
    for subject in age_subjects(expr):
        tokens = set(name_tokens(subject))
        if tokens & _NOT_DATA_AGE or (is_infra_metric(subject) and not _KUBE_JOB_METRICS.match(subject)):
            continue
        if _KUBE_JOB_METRICS.match(subject):
            if not subject.endswith("_time"):
                continue  # kube_job_status_active and friends are not timestamps
            jobs = [
                value for metric, label, operator, value in selectors(expr)
                if metric in (subject, None) and label in ("cronjob", "job_name") and operator in ("=", "=~")
                and value.strip(".*") != ""
            ]
            words = _tokens_of(jobs)
            if jobs and (words & _NOT_DATA_AGE or not words & _DATA_JOB_WORDS):
                continue  # a named job that is not a data pipeline (backups, certificates, cleanup...)
            return _FreshnessRule("age", subject, age_limit, bool(upper), bool(jobs))
        return _FreshnessRule("age", subject, age_limit, bool(upper))
    names = metric_names(expr)
    functions = functions_called(expr)
    if functions & {"absent", "absent_over_time"}:
        data = [name for name in names if _data_metric(name)]
        if data:
            return _FreshnessRule("absent", data[0], None, True)
    for name in names:
        tokens = set(name_tokens(name))
        if tokens & _LAG_TOKENS and not tokens & _REPLICATION_TOKENS and not is_infra_metric(name):
            return _FreshnessRule("lag", name, upper[0].value if upper else None, bool(upper))
    lower = [comparison for comparison in found if comparison.operator in ("==", "<", "<=")]
    if functions & _NO_NEW_DATA_FUNCTIONS and lower:
        data = [name for name in names if set(name_tokens(name)) & _DATA_TOKENS and not is_infra_metric(name)]
        if data and any(comparison.value is not None and comparison.value <= 1 for comparison in lower):
            return _FreshnessRule("no-new-data", data[0], None, True)
    return None


def _describe_freshness(found: _FreshnessRule) -> str:
    if found.kind == "age":
        limit = f" is older than {format_seconds(found.threshold)}" if found.threshold else " passes its threshold"
        return f"`{found.metric}`{limit}"
    if found.kind == "lag":
        limit = f" {found.threshold:g}" if found.threshold is not None else " its threshold"
        return f"lag metric `{found.metric}` goes above{limit}"
    if found.kind == "absent":
        return f"`{found.metric}` stops being reported"
    return f"no new data arrives in `{found.metric}`"


@detector(
    name="freshness-alerts",
    items=(FRESHNESS,),
    looks_for=(
        "Prometheus alert rules (rule files, PrometheusRule, Helm) on the age of data: `time() - "
        "<last success timestamp> > N`, lag/staleness metrics over a threshold, `absent()` of a data metric"
    ),
)
def freshness_alerts(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 2 from alert rules (see the module docstring)."""
    files, problems = item_rule_files(ctx, FRESHNESS, _FRESHNESS_RELEVANT)
    yield from problems
    all_rules = [rule for rule_file in files for rule in rule_file.rules]
    recorded = {rule.name: freshness_of(rule) for rule in all_rules if not rule.alerting}
    alerted_records: set[str] = set()
    watched_metrics: set[str] = set()
    supported = False
    for rule in all_rules:
        if not rule.alerting or not rule.has_expr:
            continue
        names = metric_names(rule.expr)
        watched_metrics.update(names)
        alerted_records.update(name for name in names if recorded.get(name) is not None)
        found, via = freshness_of(rule), ""
        if found is None:
            record = next((name for name in names if recorded.get(name) is not None), None)
            found = _through_record(rule, recorded.get(record)) if record is not None else None
            if found is None:
                continue
            via = f" (through recording rule `{record}`)"
        evidence, supports = _judge_freshness_alert(ctx, rule, found, via)
        supported = supported or supports
        yield evidence
    for name, found in recorded.items():
        if found is None or name in alerted_records:
            continue
        rule = next(rule for rule in all_rules if rule.name == name and not rule.alerting)
        yield ctx.partial(
            FRESHNESS,
            f"{rule.label} computes data freshness ({_describe_freshness(found)}) but no alert fires on it",
            path=rule.path,
            line=rule.line,
        )
    if not supported:
        yield from _unwatched_timestamps(ctx, watched_metrics)


def _through_record(alert: Rule, recorded: _FreshnessRule | None) -> _FreshnessRule | None:
    """What an alert on a recorded freshness series measures, with the alert's own threshold."""
    if recorded is None:
        return None
    upper = [comparison for comparison in comparisons(alert.expr) if comparison.operator in (">", ">=")]
    threshold = upper[0].value if upper else None
    return _FreshnessRule(recorded.kind, recorded.metric, threshold, bool(upper), recorded.scoped)


def _judge_freshness_alert(ctx: DetectorContext, rule: Rule, found: _FreshnessRule, via: str) -> tuple[Evidence, bool]:
    where = {"path": rule.path, "line": rule.line}
    if not found.compared:
        detail = f"{rule.label} reads `{found.metric}`{via} but compares it with no threshold"
        return ctx.partial(FRESHNESS, detail, **where), False
    if not found.scoped:
        detail = (f"{rule.label} fires when any Kubernetes job's `{found.metric}` is too old, not for a named "
                  "data pipeline; select the job or cronjob that loads the data")
        return ctx.partial(FRESHNESS, detail, **where), False
    wait = f" (for: {rule.duration})" if rule.duration else ""
    values = {"threshold_seconds": found.threshold} if found.kind == "age" and found.threshold else None
    detail = f"{rule.label} fires when {_describe_freshness(found)}{wait}{via}"
    return ctx.supports(FRESHNESS, detail, values=values, **where), True


_TIMESTAMP_METRIC = re.compile(
    r"last_(?:success|successful|run|update|updated|load|loaded|ingest\w*|processed|refresh\w*)|_timestamp(?:_seconds)?$"
)


def _unwatched_timestamps(ctx: DetectorContext, watched: set[str]) -> Iterator[Evidence]:
    """Partial evidence: last-success timestamps the code emits that no alert reads."""
    paths = set(ctx.candidates(FRESHNESS, {definition.path for definition in metric_definitions(ctx.index)}))
    declared = set(ctx.declared(FRESHNESS))
    reported: set[str] = set()
    for definition in metric_definitions(ctx.index):
        if definition.path not in paths or (definition.is_test and definition.path not in declared):
            continue
        if not _TIMESTAMP_METRIC.search(definition.name) or is_infra_metric(definition.name):
            continue
        if definition.series_names() & watched or definition.name in reported:
            continue
        reported.add(definition.name)
        yield ctx.partial(
            FRESHNESS,
            f"the code records `{definition.name}` but no alert rule fires when it gets too old",
            path=definition.path,
            line=definition.line,
        )


# ====================================================================== item 2: orchestrators
_ORCHESTRATOR_HINTS = ("sla", "DeadlineAlert", "FreshnessPolicy", "freshness_checks", "freshness_policy")
_DAGSTER_CHECK_BUILDERS = frozenset(
    {"build_last_update_freshness_checks", "build_time_partition_freshness_checks",
     "build_anomaly_detection_freshness_checks"}
)
_DAGSTER_BOUNDS = frozenset(
    {"maximum_lag_minutes", "lower_bound_delta", "deadline_cron", "fail_window", "warn_window", "cron_schedule",
     "maximum_lag_delta"}
)


@detector(
    name="freshness-orchestrator",
    items=(FRESHNESS,),
    looks_for=(
        "Airflow `sla=` on tasks or in `default_args`, Airflow `DeadlineAlert`, Dagster `FreshnessPolicy` or "
        "freshness checks (`build_last_update_freshness_checks`) in the pipeline code"
    ),
)
def freshness_orchestrator(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 2 from Airflow and Dagster code (see the module docstring)."""
    modules, broken = python_modules(ctx, FRESHNESS, "airflow", "dagster", also=_ORCHESTRATOR_HINTS)
    for path in broken:
        text = ctx.index.read_text(path) or ""
        if "airflow" in text or "dagster" in text:
            yield ctx.unreadable(FRESHNESS, path)
    sensor = any(
        call.name.rsplit(".", 1)[-1] == "build_sensor_for_freshness_checks"
        for module in modules if imports(module, "dagster")
        for call in iter_calls(module.tree, module.aliases)
    )
    for module in modules:
        if imports(module, "airflow"):
            yield from _airflow_evidence(ctx, module)
        if imports(module, "dagster"):
            yield from _dagster_evidence(ctx, module, sensor)


def _sla_value(node: ast.AST) -> bool:
    """True for an SLA Airflow can use: a ``timedelta`` call or a name holding one (not ``None``,
    a string or a number)."""
    return isinstance(node, (ast.Call, ast.Name, ast.Attribute, ast.Subscript))


def _airflow_evidence(ctx: DetectorContext, module: PythonModule) -> Iterator[Evidence]:
    found_sla = False
    callbacks: list[int] = []
    decorated = {
        id(decorator): function.name
        for function in ast.walk(module.tree) if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
        for decorator in function.decorator_list if isinstance(decorator, ast.Call)
    }
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            keywords = _keywords(node)
            name = dotted_name(node.func) or ""
            if "sla" in keywords and _sla_value(keywords["sla"]) and name.rsplit(".", 1)[-1] not in ("DAG", "dag"):
                found_sla = True
                yield _airflow_sla(ctx, module, node, keywords, name, decorated.get(id(node)))
            if "sla_miss_callback" in keywords and not _is_none(keywords["sla_miss_callback"]):
                callbacks.append(node.lineno)
            if name.rsplit(".", 1)[-1] == "DeadlineAlert" and not _is_none(keywords.get("interval")):
                found_sla = True
                seconds = _duration_seconds(keywords.get("interval"))
                limit = f" of {format_seconds(seconds)}" if seconds else ""
                yield ctx.supports(FRESHNESS, f"Airflow DeadlineAlert{limit} alerts when a DAG run is late",
                                   path=module.path, line=node.lineno)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value == "sla" and _sla_value(value):
                    found_sla = True
                    seconds = _duration_seconds(value)
                    limit = f" of {format_seconds(seconds)}" if seconds else ""
                    yield ctx.supports(FRESHNESS, f"Airflow `default_args` give every task an SLA{limit}",
                                       path=module.path, line=node.lineno)
    if callbacks and not found_sla:
        yield ctx.partial(FRESHNESS, "Airflow `sla_miss_callback` is set but no task has an `sla`, so it never fires",
                          path=module.path, line=callbacks[0])


def _airflow_sla(
    ctx: DetectorContext, module: PythonModule, node: ast.Call, keywords: dict[str, ast.expr], name: str,
    function: str | None,
) -> Evidence:
    seconds = _duration_seconds(keywords["sla"])
    limit = f" of {format_seconds(seconds)}" if seconds else ""
    task_id = constant_value(keywords.get("task_id"))
    if name.rsplit(".", 1)[-1] == "dict" or name == "":
        return ctx.supports(FRESHNESS, f"Airflow `default_args` give every task an SLA{limit}", path=module.path,
                            line=node.lineno)
    if not isinstance(task_id, str):
        task_id = function
    label = f"Airflow task `{task_id}`" if isinstance(task_id, str) else f"Airflow `{name}`"
    return ctx.supports(FRESHNESS, f"{label} has an SLA{limit}; a late run is reported", path=module.path,
                        line=node.lineno, values={"sla_seconds": seconds} if seconds else None)


def _dagster_evidence(ctx: DetectorContext, module: PythonModule, sensor: bool) -> Iterator[Evidence]:
    for call in sorted(iter_calls(module.tree, module.aliases), key=lambda call: (call.line, call.node.col_offset)):
        parts = call.name.split(".")
        keywords = _keywords(call.node)
        bounds = sorted(key for key in keywords if key in _DAGSTER_BOUNDS and not _is_none(keywords[key]))
        if "FreshnessPolicy" in parts[-2:] and call.name.startswith("dagster"):
            if bounds or (parts[-1] != "FreshnessPolicy" and call.node.args):
                yield ctx.supports(FRESHNESS, f"Dagster FreshnessPolicy ({', '.join(bounds) or 'with a window'}) flags "
                                   "assets whose data is late", path=module.path, line=call.line)
            else:
                yield ctx.partial(FRESHNESS, "Dagster FreshnessPolicy sets no lag, window or deadline",
                                  path=module.path, line=call.line)
        elif parts[-1] in _DAGSTER_CHECK_BUILDERS and call.name.startswith("dagster"):
            assets = keywords.get("assets")
            empty = isinstance(assets, (ast.List, ast.Tuple)) and not assets.elts
            if assets is None or _is_none(assets) or empty or not (bounds or parts[-1].startswith("build_anomaly")):
                yield ctx.partial(FRESHNESS, f"Dagster `{parts[-1]}` has no assets or no time bound",
                                  path=module.path, line=call.line)
                continue
            count = len(assets.elts) if isinstance(assets, (ast.List, ast.Tuple)) else None
            target = f" on {_plural(count, 'asset')}" if count else ""
            evaluated = "; a freshness sensor evaluates them" if sensor else ""
            yield ctx.supports(FRESHNESS, f"Dagster freshness checks{target} ({', '.join(bounds) or 'anomaly detection'})"
                               f"{evaluated}", path=module.path, line=call.line)


# ====================================================================== item 2: dbt and Soda
_DBT_PERIODS = frozenset({"minute", "hour", "day"})
_PERIOD_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_FRESHNESS_TESTS = ("dbt_utils.recency", "recency", "elementary.freshness_anomalies", "freshness_anomalies")


def _dbt_after(value: Any) -> float | None:
    """Seconds of a ``warn_after``/``error_after`` mapping, or ``None`` when it is not usable."""
    if not isinstance(value, dict):
        return None
    count = value.get("count")
    period = value.get("period")
    if isinstance(count, str) and count.strip().isdigit():
        count = int(count)
    if not _number(count) or count <= 0 or not isinstance(period, str) or period.lower() not in _DBT_PERIODS:
        return None
    return float(count) * _PERIOD_SECONDS[period.lower()]


def _freshness_block(owner: dict[str, Any]) -> tuple[bool, Any]:
    """Whether a source/table sets ``freshness`` (directly or under ``config``), and its value."""
    config = owner.get("config") if isinstance(owner.get("config"), dict) else {}
    for holder in (owner, config):
        for key in ("freshness", "+freshness"):
            if key in holder:
                return True, holder[key]
    return False, None


def _usable(block: Any) -> tuple[float | None, float | None] | None:
    if not isinstance(block, dict):
        return None
    warn, error = _dbt_after(block.get("warn_after")), _dbt_after(block.get("error_after"))
    return (warn, error) if warn is not None or error is not None else None


def _describe_dbt(bounds: tuple[float | None, float | None]) -> str:
    parts = []
    if bounds[0] is not None:
        parts.append(f"warn after {format_seconds(bounds[0])}")
    if bounds[1] is not None:
        parts.append(f"error after {format_seconds(bounds[1])}")
    return ", ".join(parts)


@detector(
    name="freshness-config",
    items=(FRESHNESS,),
    looks_for=(
        "dbt sources with `freshness` (`warn_after`/`error_after` count and period), dbt `recency` / Elementary "
        "`freshness_anomalies` tests, SodaCL `freshness()` checks"
    ),
)
def freshness_config(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 2 from dbt and Soda YAML (see the module docstring)."""
    for path in ctx.candidates(FRESHNESS, ctx.index.with_suffix(*_YAML)):
        if not path.lower().endswith(_YAML):
            continue
        text = ctx.index.read_text(path)
        if text is None:
            continue
        dbt = "freshness" in text and "sources" in text
        tests = any(name in text for name in _FRESHNESS_TESTS)
        soda = "checks for" in text and "freshness(" in text
        if not (dbt or tests or soda):
            continue
        documents = yaml_with_lines(ctx.index, path)
        if documents is None:
            yield ctx.unreadable(FRESHNESS, path)
            continue
        for document in documents:
            if not isinstance(document, dict):
                continue
            if dbt:
                yield from _dbt_sources(ctx, path, document)
            if tests:
                yield from _dbt_freshness_tests(ctx, path, document)
            if soda:
                yield from _soda_checks(ctx, path, document)


def _dbt_sources(ctx: DetectorContext, path: str, document: dict[str, Any]) -> Iterator[Evidence]:
    sources = document.get("sources")
    if isinstance(sources, dict):  # dbt_project.yml: sources: {project: {+freshness: ...}}
        for node in iter_nodes(sources):
            if not isinstance(node, dict):
                continue
            present, block = _freshness_block(node)
            if not present:
                continue
            bounds = _usable(block)
            if bounds is not None:
                yield ctx.supports(FRESHNESS, f"dbt_project.yml sets source freshness ({_describe_dbt(bounds)})",
                                   path=path, line=line_of_mapping(node))
            elif block is not None:
                yield ctx.partial(FRESHNESS, "dbt_project.yml sets source freshness without a warn_after/error_after "
                                  "count and period", path=path, line=line_of_mapping(node))
        return
    if not isinstance(sources, list):
        return
    for source in sources:
        if isinstance(source, dict) and isinstance(source.get("name"), str):
            evidence = _dbt_source(ctx, path, source)
            if evidence is not None:
                yield evidence


def _dbt_source(ctx: DetectorContext, path: str, source: dict[str, Any]) -> Evidence | None:
    name = source["name"]
    present, block = _freshness_block(source)
    source_bounds = _usable(block) if present else None
    tables = _mappings(source.get("tables"))
    covered: list[tuple[str, tuple[float | None, float | None]]] = []
    declared_any = present and block is not None
    for table in tables:
        table_present, table_block = _freshness_block(table)
        declared_any = declared_any or (table_present and table_block is not None)
        bounds = (_usable(table_block) if table_present else source_bounds)
        if bounds is not None:
            covered.append((str(table.get("name") or "?"), bounds))
    line = line_of_mapping(source)
    if covered:
        total = len(tables)
        detail = (f"dbt source `{name}` checks freshness of {len(covered)} of {_plural(total, 'table')} "
                  f"({_describe_dbt(covered[0][1])})")
        return ctx.supports(FRESHNESS, detail, path=path, line=line, values={"tables_checked": len(covered)})
    if source_bounds is not None and tables:
        return ctx.partial(FRESHNESS, f"dbt source `{name}` sets freshness but every table switches it off",
                           path=path, line=line)
    if source_bounds is not None:
        return ctx.partial(FRESHNESS, f"dbt source `{name}` sets freshness but declares no tables", path=path, line=line)
    if declared_any:
        return ctx.partial(FRESHNESS, f"dbt source `{name}` has a freshness block without a warn_after/error_after "
                           "count and period", path=path, line=line)
    return None


def _dbt_freshness_tests(ctx: DetectorContext, path: str, document: dict[str, Any]) -> Iterator[Evidence]:
    for section in ("models", "sources", "seeds", "snapshots"):
        entries = document.get(section)
        for owner in entries if isinstance(entries, list) else []:
            if not isinstance(owner, dict):
                continue
            owners = [owner, *_mappings(owner.get("tables"))]
            for holder in owners:
                for test in _tests_of(holder):
                    name, config = next(iter(test.items()))
                    configured = isinstance(config, dict) and any(
                        _real_text(config.get(key)) or _number(config.get(key))
                        for key in ("field", "timestamp_column", "interval")
                    )
                    if name in _FRESHNESS_TESTS and configured:
                        kind = "Elementary freshness anomaly test" if "freshness_anomalies" in name else "dbt recency test"
                        yield ctx.supports(FRESHNESS, f"{kind} on `{holder.get('name')}` fails when new rows stop arriving",
                                           path=path, line=line_of_mapping(test))


def _tests_of(holder: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in ("tests", "data_tests"):
        tests = holder.get(key)
        for test in tests if isinstance(tests, list) else []:
            if isinstance(test, dict) and len(test) == 1:
                yield test


def _line_containing(text: str, needle: str) -> int | None:
    """The first line of ``text`` containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def _soda_checks(ctx: DetectorContext, path: str, document: dict[str, Any]) -> Iterator[Evidence]:
    source = ctx.index.read_text(path) or ""
    for key, checks in document.items():
        if not isinstance(key, str) or not key.startswith("checks for ") or not isinstance(checks, list):
            continue
        dataset = key[len("checks for "):].strip()
        for check in checks:
            text: Any = check
            if isinstance(check, dict):
                text = next(iter(check)) if len(check) == 1 else None
            if not isinstance(text, str) or not text.strip().lower().startswith("freshness("):
                continue
            config = check.get(text) if isinstance(check, dict) else None
            has_limit = bool(re.search(r"<=?\s*\d", text)) or (
                isinstance(config, dict) and any(_real_text(config.get(level)) for level in ("warn", "fail"))
            )
            line = line_of_mapping(check) if isinstance(check, dict) else _line_containing(source, text)
            if has_limit:
                yield ctx.supports(FRESHNESS, f"Soda freshness check on `{dataset}` fails when its data gets too old",
                                   path=path, line=line)
            else:
                yield ctx.partial(FRESHNESS, f"Soda freshness check on `{dataset}` sets no age limit", path=path, line=line)


# ====================================================================== item 3: drift libraries
@dataclass(frozen=True)
class _DriftUse:
    """A drift computation found in code: what, where, and what it lacks."""

    what: str
    line: int
    reference: bool
    threshold: str
    missing_threshold: bool = False


_EVIDENTLY_DRIFT = frozenset(
    {"DataDriftPreset", "DataDriftTable", "DatasetDriftMetric", "ColumnDriftMetric", "EmbeddingsDriftMetric",
     "TextDescriptorsDriftMetric", "DataDriftTestPreset", "TestColumnDrift", "TestShareOfDriftedColumns",
     "TestNumberOfDriftedColumns", "TestAllFeaturesValueDrift", "TestCustomFeaturesValueDrift", "ValueDrift",
     "DriftedColumnsCount", "EmbeddingsDriftTestPreset"}
)
_EVIDENTLY_THRESHOLDS = frozenset(
    {"stattest_threshold", "cat_stattest_threshold", "num_stattest_threshold", "text_stattest_threshold",
     "per_column_stattest_threshold", "drift_share", "threshold", "lt", "lte", "gt", "gte", "eq", "tests"}
)
_NANNYML_DRIFT = frozenset(
    {"UnivariateDriftCalculator", "DataReconstructionDriftCalculator", "DomainClassifierCalculator"}
)
_DEEPCHECKS_DRIFT = frozenset(
    {"FeatureDrift", "TrainTestFeatureDrift", "MultivariateDrift", "WholeDatasetDrift", "PropertyDrift",
     "ImagePropertyDrift", "ImageDatasetDrift", "TextPropertyDrift", "train_test_validation"}
)
_WHYLOGS_CONSTRAINTS = frozenset(
    {"mean_between_range", "stddev_between_range", "quantile_between_range", "frequent_strings_in_reference_set",
     "n_most_common_items_in_set", "distinct_number_in_range"}
)
_DRIFT_MODULE = re.compile(r"drift|evidently|nannyml|alibi_detect", re.IGNORECASE)
_DRIFT_HINTS = ("evidently", "nannyml", "alibi_detect", "whylogs", "deepchecks", "ModelMonitor", "psi", "drift", "Drift",
                "population_stability")


def _method_calls(module: PythonModule, method: str) -> list[ast.Call]:
    """Calls of ``<something>.<method>(...)`` in the module."""
    return [
        node for node in ast.walk(module.tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method
    ]


def _runs_with_reference(module: PythonModule) -> bool:
    """An Evidently-style ``.run(reference_data=...)`` or ``.run(current, reference)``."""
    for call in _method_calls(module, "run"):
        keywords = _keywords(call)
        if "reference_data" in keywords:
            if not _is_none(keywords["reference_data"]):
                return True
            continue
        if len(call.args) >= 2 and not _is_none(call.args[1]):
            return True
        if call.args and "current_data" in keywords and not _is_none(call.args[0]):
            return True
    return False


@dataclass(frozen=True)
class _ModuleFacts:
    """What a module does around its drift calls: run against reference data, fit, add conditions."""

    evidently_reference: bool
    fitted: bool
    deepchecks_condition: bool
    sagemaker_baseline: bool

    @classmethod
    def of(cls, module: PythonModule) -> _ModuleFacts:
        """Read the facts of one module."""
        conditions = [
            node for node in ast.walk(module.tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr.startswith("add_condition_drift")
        ]
        schedules = _method_calls(module, "create_monitoring_schedule")
        return cls(
            evidently_reference=imports(module, "evidently") and _runs_with_reference(module),
            fitted=any(call.args or call.keywords for call in _method_calls(module, "fit")),
            deepchecks_condition=bool(conditions),
            sagemaker_baseline=bool(_method_calls(module, "suggest_baseline"))
            or any("constraints" in _keywords(call) for call in schedules),
        )


def library_drift_uses(module: PythonModule) -> list[_DriftUse]:
    """Drift computations of drift libraries in one module (see the module docstring)."""
    facts = _ModuleFacts.of(module)
    uses: list[_DriftUse] = []
    for call in iter_calls(module.tree, module.aliases):
        use = _drift_use(call.name.split("."), call.node, facts)
        if use is not None:
            uses.append(use)
    return uses


def _drift_use(parts: list[str], node: ast.Call, facts: _ModuleFacts) -> _DriftUse | None:
    """The drift computation one resolved call makes, if it is one of a known library."""
    library, last = parts[0], parts[-1]
    keywords = _keywords(node)
    explicit = sorted(key for key in keywords if not _is_none(keywords[key]))
    positional_reference = bool(node.args) and not _is_none(node.args[0])
    if library == "evidently" and last in _EVIDENTLY_DRIFT:
        chosen = [key for key in explicit if key in _EVIDENTLY_THRESHOLDS]
        is_test = last.startswith("Test") or last.endswith("TestPreset")
        default = "its test conditions" if is_test else "Evidently's default drift tests"
        threshold = f"`{chosen[0]}`" if chosen else default
        return _DriftUse(f"Evidently `{last}`", node.lineno, facts.evidently_reference, threshold)
    if library == "nannyml" and last in _NANNYML_DRIFT:
        threshold = "`thresholds`" if "thresholds" in explicit else "NannyML's default thresholds"
        return _DriftUse(f"NannyML `{last}`", node.lineno, facts.fitted, threshold)
    if library == "alibi_detect" and last.endswith(("Drift", "DriftOnline")):
        reference = "x_ref" in explicit or positional_reference
        threshold = next((f"`{key}`" for key in ("p_val", "ert") if key in explicit), "the default p_val 0.05")
        return _DriftUse(f"alibi-detect `{last}`", node.lineno, reference, threshold)
    if library == "whylogs" and last == "calculate_drift_scores":
        reference = "reference_view" in explicit or len(node.args) >= 2
        with_thresholds = constant_value(keywords.get("with_thresholds")) is True
        threshold = "`with_thresholds=True`" if with_thresholds else ""
        return _DriftUse("whylogs `calculate_drift_scores`", node.lineno, reference, threshold, not with_thresholds)
    if library == "whylogs" and last in _WHYLOGS_CONSTRAINTS:
        return _DriftUse(f"whylogs constraint `{last}`", node.lineno, True, "its bounds")
    if library == "deepchecks" and last in _DEEPCHECKS_DRIFT:
        suite = last == "train_test_validation"
        decided = suite or facts.deepchecks_condition
        threshold = "the suite's default conditions" if suite else "a drift condition" if decided else ""
        return _DriftUse(f"deepchecks `{last}`", node.lineno, True, threshold, not decided)
    if library == "sagemaker" and last in ("DefaultModelMonitor", "ModelMonitor"):
        threshold = "the baseline constraints" if facts.sagemaker_baseline else ""
        return _DriftUse(f"SageMaker `{last}`", node.lineno, facts.sagemaker_baseline, threshold)
    return None


# ---------------------------------------------------------------------- hand-written statistics
_STAT_CALLS = {
    "scipy.stats.ks_2samp": "KS", "scipy.stats.kstest": "KS", "scipy.stats.wasserstein_distance": "Wasserstein",
    "scipy.stats.energy_distance": "energy distance", "scipy.stats.anderson_ksamp": "Anderson-Darling",
    "scipy.stats.cramervonmises_2samp": "Cramér-von Mises", "scipy.spatial.distance.jensenshannon": "Jensen-Shannon",
    "scipy.special.kl_div": "KL", "scipy.special.rel_entr": "KL", "scipy.stats.entropy": "KL",
    "scipy.stats.chisquare": "chi-squared", "scipy.stats.chi2_contingency": "chi-squared",
}
_STAT_FUNCTION = re.compile(
    r"(?:^|_)(psi|population_stability(?:_index)?|csi|kl_div(?:ergence)?|kullback\w*|js_div(?:ergence)?|"
    r"jensen_shannon\w*|jsd|wasserstein\w*|ks_stat(?:istic)?|ks_test|hellinger\w*|drift_score)(?:_|$)"
)
_STAT_LABELS = {
    "psi": "PSI", "population_stability": "PSI", "csi": "CSI", "kl": "KL", "kullback": "KL", "js": "Jensen-Shannon",
    "jensen": "Jensen-Shannon", "jsd": "Jensen-Shannon", "wasserstein": "Wasserstein", "ks": "KS",
    "hellinger": "Hellinger", "drift": "drift score",
}
_STAT_TOKENS = frozenset({"psi", "drift", "pvalue", "statistic", "divergence", "distance", "ks", "kl", "js", "jsd",
                          "wasserstein", "csi", "hellinger", "stability"})
_P_VALUE_NAMES = frozenset({"p_value", "pvalue", "p_val", "pval"})
_THRESHOLD_TOKENS = frozenset({"threshold", "thresholds", "limit", "alpha", "cutoff", "critical", "tolerance",
                               "significance", "bound"})
_THRESHOLD_NAMES = frozenset({"p_val", "alpha", "significance_level", "max_psi", "max_drift"})
_REFERENCE_TOKENS = frozenset({"reference", "baseline", "train", "training", "expected", "ref", "xref"})


def _stat_label(name: str) -> str:
    lowered = name.lower()
    for key, label in _STAT_LABELS.items():
        if key in lowered:
            return label
    return "a drift statistic"


def _identifiers(node: ast.AST) -> Iterator[str]:
    """Names, attribute names, called names and string keys in an expression."""
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            yield child.id
        elif isinstance(child, ast.Attribute):
            yield child.attr
        elif isinstance(child, ast.Constant) and isinstance(child.value, str) and len(child.value) < 60:
            yield child.value
        elif isinstance(child, ast.arg):
            yield child.arg


def _tokens_of(names: Iterable[str]) -> set[str]:
    return {token for name in names for token in name_tokens(name)}


@dataclass(frozen=True)
class _HandWritten:
    """Hand-written drift statistics of one module."""

    labels: tuple[str, ...]
    line: int
    threshold_line: int | None
    reference: bool


def hand_written_drift(module: PythonModule) -> _HandWritten | None:
    """Drift statistics a module computes itself, whether it compares them with a threshold and
    whether it names a reference (see the module docstring)."""
    functions = [
        node for node in ast.walk(module.tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _STAT_FUNCTION.search(node.name.lower())
    ]
    stat_calls = []
    for call in iter_calls(module.tree, module.aliases):
        label = _STAT_CALLS.get(call.name)
        if label is None:
            continue
        if call.name == "scipy.stats.entropy" and len(call.node.args) < 2 and "qk" not in _keywords(call.node):
            continue
        stat_calls.append((label, call.node))
    lowered = module.text.lower()
    inherently_drift = any(_stat_label(node.name) in ("PSI", "CSI") for node in functions)
    if not (functions or stat_calls) or not (inherently_drift or "drift" in lowered or "drift" in module.path.lower()):
        return None
    stat_names = {node.name for node in functions}
    called = set(stat_names)
    for node in ast.walk(module.tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            value_calls = {dotted_name(child.func) for child in ast.walk(node.value) if isinstance(child, ast.Call)}
            resolved = {module.resolve(name) or name for name in value_calls if name}
            if value_calls & called or resolved & set(_STAT_CALLS):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    stat_names.update(name for name in _identifiers(target) if isinstance(name, str))
    threshold_line = _threshold_comparison(module.tree, stat_names)
    reference = bool(_tokens_of(_identifiers(module.tree)) & _REFERENCE_TOKENS)
    labels = [_stat_label(node.name) for node in functions] + [label for label, _ in stat_calls]
    first = min([node.lineno for node in functions] + [node.lineno for _, node in stat_calls])
    return _HandWritten(tuple(dict.fromkeys(labels)), first, threshold_line, reference)


def _is_drift_threshold_name(name: str) -> bool:
    """``PSI_THRESHOLD``, ``drift_threshold``, ``p_val``, ``max_psi``: a threshold named for a drift statistic."""
    lowered = name.lower()
    tokens = set(name_tokens(name))
    return lowered in _THRESHOLD_NAMES or ("threshold" in tokens and bool(tokens & _STAT_TOKENS))


def _threshold_comparison(tree: ast.Module, stat_names: set[str]) -> int | None:
    """The line of the first comparison of a drift statistic with a threshold."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        if not all(isinstance(op, (ast.Gt, ast.GtE, ast.Lt, ast.LtE)) for op in node.ops):
            continue
        operands = [node.left, *node.comparators]
        names = [set(_identifiers(operand)) for operand in operands]
        tokens = [_tokens_of(found) for found in names]
        statistic = [
            bool(found & stat_names) or bool(token & _STAT_TOKENS) or any(name.lower() in _P_VALUE_NAMES for name in found)
            for found, token in zip(names, tokens)
        ]
        threshold = [
            bool(token & _THRESHOLD_TOKENS) or any(name.lower() in _THRESHOLD_NAMES for name in found)
            or any(isinstance(child, ast.Constant) and _number(child.value) for child in ast.walk(operand))
            for operand, found, token in zip(operands, names, tokens)
        ]
        for position, is_statistic in enumerate(statistic):
            others = [flag for index, flag in enumerate(threshold) if index != position]
            if is_statistic and any(others):
                return node.lineno
        if any(_is_drift_threshold_name(name) for found in names for name in found):
            return node.lineno
    return None


@detector(
    name="drift-library",
    items=(DRIFT,),
    looks_for=(
        "drift checks in pipeline code against training data with a threshold: Evidently, NannyML, alibi-detect, "
        "whylogs, deepchecks, SageMaker Model Monitor, or your own PSI/KS/KL/JS/Wasserstein"
    ),
)
def drift_library(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 3 from Python code (see the module docstring)."""
    modules, broken = python_modules(ctx, DRIFT, *_DRIFT_HINTS)
    for path in broken:
        if _DRIFT_MODULE.search(path) or _DRIFT_MODULE.search(ctx.index.read_text(path) or ""):
            yield ctx.unreadable(DRIFT, path)
    for module in modules:
        uses = library_drift_uses(module)
        for use in uses:
            yield _judge_drift_use(ctx, module, use)
        if uses:
            continue
        found = hand_written_drift(module)
        if found is not None:
            yield _judge_hand_written(ctx, module, found)


def _judge_drift_use(ctx: DetectorContext, module: PythonModule, use: _DriftUse) -> Evidence:
    where = {"path": module.path, "line": use.line}
    if not use.reference:
        return ctx.partial(DRIFT, f"{use.what} is computed without reference (training) data", **where)
    if use.missing_threshold or not use.threshold:
        return ctx.partial(DRIFT, f"{use.what} compares with reference data but sets no threshold", **where)
    detail = f"{use.what} compares live data with reference data, threshold from {use.threshold}"
    return ctx.supports(DRIFT, detail, **where)


def _judge_hand_written(ctx: DetectorContext, module: PythonModule, found: _HandWritten) -> Evidence:
    what = " and ".join(found.labels)
    if found.threshold_line is None:
        return ctx.partial(DRIFT, f"drift code computes {what} but compares it with no threshold", path=module.path,
                           line=found.line)
    if not found.reference:
        return ctx.partial(DRIFT, f"drift code computes {what} with a threshold but names no training reference",
                           path=module.path, line=found.threshold_line)
    return ctx.supports(DRIFT, f"drift code computes {what} against a reference and compares it with a threshold",
                        path=module.path, line=found.threshold_line)


# ---------------------------------------------------------------------- drift configuration files
_DRIFT_TEXT = re.compile(r"drift", re.IGNORECASE)
_THRESHOLD_KEY = re.compile(
    r"threshold|(?:^|[_-])(?:p_?val(?:ue)?|alpha|drift_share|cutoff|max_(?:psi|drift|distance|divergence))(?:$|[_-])",
    re.IGNORECASE,
)
_CI_FILE = re.compile(r"(?:^|/)\.github/|(?:^|/)\.gitlab-ci\.ya?ml$|(?:^|/)\.circleci/|(?:^|/)azure-pipelines")
_SIZE_KEY = re.compile(r"rows|samples|count|size|days|window|batch", re.IGNORECASE)
_REFERENCE_KEY = re.compile(r"(?:^|[_-])(?:reference|baseline|ref|training|train)(?:$|[_-])", re.IGNORECASE)
_METRIC_KEYS = frozenset({"metric", "metrics", "method", "methods", "stattest", "stat_test", "test", "statistic",
                          "distance", "measure"})
_METRIC_VALUE = re.compile(
    r"^(?:psi|population_stability\w*|ks|kolmogorov\w*|kl|kl_div\w*|kullback\w*|js|jensen\w*|jsd|wasserstein\w*|"
    r"chi2?|chisquare|hellinger|energy\w*|anderson|cramer\w*|mmd|emd|z|t_test)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _DriftSection:
    """A part of a config file about drift."""

    node: Any
    key: str
    line: int | None


def _drift_sections(path: str, document: Any) -> list[_DriftSection]:
    """The whole document when the path names drift; else the values of ``*drift*`` keys."""
    if "drift" in path.lower():
        return [_DriftSection(document, "", line_of_mapping(document))]
    sections: list[_DriftSection] = []
    stack: list[tuple[Any, int | None]] = [(document, None)]
    while stack:
        node, line = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and _DRIFT_TEXT.search(key) and isinstance(value, (dict, list)):
                    sections.append(_DriftSection(value, key, line_of_mapping(value) or line_of_mapping(node)))
                else:
                    stack.append((value, line_of_mapping(node)))
        elif isinstance(node, list):
            stack.extend((item, line) for item in node)
    return sections


def _pairs(node: Any) -> Iterator[tuple[str, Any, Any]]:
    """(key, value, the mapping holding it) for every mapping entry under ``node``."""
    for mapping in iter_nodes(node):
        if isinstance(mapping, dict):
            for key, value in mapping.items():
                yield str(key), value, mapping


def _has_number(value: Any) -> bool:
    return any(_number(leaf) for leaf in iter_nodes(value))


def _has_text(value: Any) -> bool:
    return any(_real_text(leaf) for leaf in iter_nodes(value))


def judge_drift_section(section: _DriftSection) -> tuple[list[str], list[str], list[str], int | None]:
    """The threshold keys, reference keys and metrics of a drift section, and the best line."""
    thresholds: list[str] = []
    references: list[str] = []
    metrics: list[str] = []
    line = section.line
    for key, value, holder in _pairs(section.node):
        if _THRESHOLD_KEY.search(key) and not _SIZE_KEY.search(key) and _has_number(value):
            thresholds.append(key)
            line = line or line_of_mapping(holder)
        elif _REFERENCE_KEY.search(key) and key.lower() != "ref" and _has_text(value):
            references.append(key)
        if key.lower() in _METRIC_KEYS:
            metrics.extend(
                leaf for leaf in iter_nodes(value) if isinstance(leaf, str) and _METRIC_VALUE.match(leaf.strip())
            )
        elif _METRIC_VALUE.match(key) and _has_number(value):
            metrics.append(key)
    return thresholds, references, metrics, line


@detector(
    name="drift-config",
    items=(DRIFT,),
    looks_for="a drift configuration (YAML/JSON/TOML) naming the training reference and a numeric threshold",
)
def drift_config(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 3 from configuration files (see the module docstring)."""
    skipped = set(rule_files(ctx.index).files) | {dashboard.path for dashboard in dashboards(ctx.index).dashboards}
    for path in ctx.candidates(DRIFT, ctx.index.with_suffix(".yaml", ".yml", ".json", ".toml")):
        if path in skipped or not path.lower().endswith((".yaml", ".yml", ".json", ".toml")) or _CI_FILE.search(path):
            continue
        text = ctx.index.read_text(path)
        if text is None or ("drift" not in path.lower() and not _DRIFT_TEXT.search(text)):
            continue
        documents = yaml_with_lines(ctx.index, path) if path.lower().endswith(_YAML) else ctx.index.structured(path)
        if documents is None:
            yield ctx.unreadable(DRIFT, path)
            continue
        for document in documents:
            for section in _drift_sections(path, document):
                evidence = _judge_drift_config(ctx, path, section)
                if evidence is not None:
                    yield evidence


def _judge_drift_config(ctx: DetectorContext, path: str, section: _DriftSection) -> Evidence | None:
    thresholds, references, metrics, line = judge_drift_section(section)
    where = {"path": path, "line": line}
    name = f"drift config `{section.key}`" if section.key else "drift config"
    measure = f" with {', '.join(dict.fromkeys(metric.upper() for metric in metrics))}" if metrics else ""
    if thresholds and references:
        detail = f"{name}{measure} compares with the reference `{references[0]}`, thresholds in `{thresholds[0]}`"
        return ctx.supports(DRIFT, detail, **where)
    if thresholds:
        return ctx.partial(DRIFT, f"{name} sets thresholds (`{thresholds[0]}`) but names no training reference", **where)
    if references:
        return ctx.partial(DRIFT, f"{name} names the reference `{references[0]}` but sets no numeric threshold", **where)
    return None


# ---------------------------------------------------------------------- drift alerts
_DRIFT_RELEVANT = re.compile(r"drift|psi|divergence|wasserstein", re.IGNORECASE)
_DRIFT_TOKENS = frozenset({"drift", "psi", "divergence", "wasserstein", "kolmogorov", "jensen", "jsd", "kld", "ks", "kl",
                           "js", "hellinger", "csi"})
_NOT_FEATURE_TOKENS = frozenset({"prediction", "predictions", "predicted", "output", "outputs", "label", "labels",
                                 "target", "concept", "score", "scores", "response"})
_NOT_DRIFT_VALUE = frozenset({"timestamp", "last", "success", "successful", "duration", "errors", "error", "failures",
                              "failed", "runs", "rows", "threshold", "thresholds", "info", "created"})


def is_feature_drift_metric(name: str) -> bool:
    """True for a metric holding a feature drift value (not prediction drift, not the drift job's own health)."""
    tokens = set(name_tokens(name))
    return (bool(tokens & _DRIFT_TOKENS) and not tokens & _NOT_FEATURE_TOKENS and not tokens & _NOT_DRIFT_VALUE
            and not is_infra_metric(name))


@detector(
    name="drift-alerts",
    items=(DRIFT,),
    looks_for="Prometheus alert rules on a feature drift metric (PSI, drift score, divergence) with a threshold",
)
def drift_alerts(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 3 from alert rules (see the module docstring)."""
    files, problems = item_rule_files(ctx, DRIFT, _DRIFT_RELEVANT)
    yield from problems
    rules = [rule for rule_file in files for rule in rule_file.rules if rule.has_expr]
    records = {rule.name: rule for rule in rules if not rule.alerting}
    drift_records = {
        name for name, rule in records.items()
        if is_feature_drift_metric(name) or any(is_feature_drift_metric(metric) for metric in metric_names(rule.expr))
    }
    used: set[str] = set()
    for rule in rules:
        if not rule.alerting:
            continue
        names = metric_names(rule.expr)
        drift = [name for name in names if is_feature_drift_metric(name) or name in drift_records]
        if not drift:
            continue
        used.update(name for name in drift if name in drift_records)
        where = {"path": rule.path, "line": rule.line}
        if comparisons(rule.expr):
            yield ctx.supports(DRIFT, f"{rule.label} fires when feature drift `{drift[0]}` crosses its threshold", **where)
        else:
            yield ctx.partial(DRIFT, f"{rule.label} reads feature drift `{drift[0]}` but compares it with no threshold",
                              **where)
    for name in sorted(drift_records - used):
        rule = records[name]
        yield ctx.partial(DRIFT, f"{rule.label} records feature drift but no alert fires on it", path=rule.path,
                          line=rule.line)


# ====================================================================== item 9: dashboards
_ROW_COUNTS = "row counts"
_DISTINCT_VALUES = "distinct values"
#: Statistics that also fill business dashboards (rows loaded, COUNT(DISTINCT user_id)): alone, they
#: show data quality only on a dashboard named for it.
_WEAK_CATEGORIES = frozenset({_ROW_COUNTS, _DISTINCT_VALUES})
_QUALITY_TOKENS: tuple[tuple[str, frozenset[str]], ...] = (
    ("null rates", frozenset({"null", "nulls", "missing", "nan", "nans", "completeness", "isnull"})),
    ("distinct counts", frozenset({"distinct", "cardinality", "nunique", "uniqueness", "ndv"})),
    ("schema violations", frozenset({"schema", "violation", "violations", "invalid", "rejected", "reject", "rejects",
                                     "contract", "malformed", "conformance"})),
    ("data quality checks", frozenset({"dq", "expectation", "expectations", "soda", "whylogs", "deequ", "gx"})),
    ("distributions", frozenset({"psi", "drift", "divergence", "wasserstein"})),
    ("value ranges", frozenset({"range", "outlier", "outliers", "bounds"})),
    (_ROW_COUNTS, frozenset({"rows", "row", "records", "record"})),
)
_STATISTIC_TOKENS = frozenset({"min", "max", "mean", "stddev", "std", "median", "quantile", "percentile", "avg",
                               "minimum", "maximum"})
_COLUMN_TOKENS = frozenset({"feature", "features", "column", "columns", "input", "inputs", "field", "fields"})
_NOT_QUALITY_TOKENS = frozenset({"ratelimit", "throttled", "throttle", "auth", "unauthorized", "forbidden", "loss",
                                 "accuracy", "auc", "recall", "precision", "f1", "token", "tokens", "session", "registry"})
#: SQL words that are keywords or catalog names, not the name of a statistic.
_SQL_KEYWORDS = frozenset({"null", "nulls", "is", "not", "distinct", "range", "rows", "row", "schema",
                           "information_schema", "unique", "missing", "current_schema"})
_SQL_COLUMN = r"[\w.\"`\[\]]+"
#: Counting nulls (not filtering on them: ``WHERE deleted_at IS NULL`` is not a null rate).
_SQL_NULL = re.compile(
    rf"\bwhen\s+{_SQL_COLUMN}\s+is\s+null\b"
    rf"|\b(?:countif|count_if|sum|avg|count)\s*\(\s*(?:if\s*\(\s*)?{_SQL_COLUMN}\s+is\s+null\b"
    rf"|\(\s*{_SQL_COLUMN}\s+is\s+null\s*\)\s*::\s*int|count\s*\(\s*\*\s*\)\s*-\s*count\s*\(\s*{_SQL_COLUMN}\s*\)"
    rf"|\bnull_?count\b|\bisnull\s*\(",
    re.IGNORECASE,
)
_SQL_DISTINCT = re.compile(
    r"count\s*\(\s*distinct\b|approx_count_distinct|approx_distinct|\buniq(?:exact)?\s*\(|\bndv\s*\(", re.IGNORECASE
)
_SQL_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QUALITY_NAME = re.compile(r"quality|(?:^|[^a-z])dq(?:[^a-z]|$)|data[\s_-]?checks|null[\s_-]?rate", re.IGNORECASE)
_QUALITY_RELEVANT = re.compile(r"quality|null|missing|distinct|cardinality", re.IGNORECASE)


def quality_categories(name: str, *, sql: bool = False) -> set[str]:
    """What data quality statistic a metric (or SQL identifier) name is about, from its words."""
    if not sql and is_infra_metric(name):
        return set()
    tokens = set(name_tokens(name))
    if tokens & _NOT_QUALITY_TOKENS:
        return set()
    found = {category for category, words in _QUALITY_TOKENS if tokens & words}
    if tokens & _STATISTIC_TOKENS and tokens & _COLUMN_TOKENS:
        found.add("value ranges")
    if tokens & {"unique", "uniques"} and tokens & (_COLUMN_TOKENS | {"values", "value"}):
        found.add("distinct counts")
    if "distribution" in tokens and tokens & _COLUMN_TOKENS:
        found.add("distributions")
    if "quality" in tokens and tokens & (_COLUMN_TOKENS | {"data", "check", "checks", "score"}):
        found.add("data quality checks")
    if "distributions" in found and tokens & (_NOT_FEATURE_TOKENS | _NOT_DRIFT_VALUE):
        found.discard("distributions")
    return found


def query_categories(query: Query) -> tuple[set[str], list[str]]:
    """The data quality statistics a panel query reads, and the metric names that show it."""
    if query.field == "expr":
        categories: set[str] = set()
        metrics: list[str] = []
        for metric in metric_names(query.text):
            found = quality_categories(metric)
            if found:
                categories |= found
                metrics.append(metric)
        return categories, metrics
    categories = set()
    if _SQL_NULL.search(query.text):
        categories.add("null rates")
    if _SQL_DISTINCT.search(query.text):
        categories.add(_DISTINCT_VALUES)
    for identifier in _SQL_IDENTIFIER.findall(query.text):
        if identifier.lower() not in _SQL_KEYWORDS:
            categories |= quality_categories(identifier, sql=True)
    return categories, []


def panel_categories(panel: Panel) -> set[str]:
    """The union of the data quality statistics of a panel's queries."""
    found: set[str] = set()
    for query in panel.queries:
        found |= query_categories(query)[0]
    return found


def _named_for_quality(dashboard: Dashboard) -> bool:
    return bool(_QUALITY_NAME.search(dashboard.title) or _QUALITY_NAME.search(dashboard.uid or "")
                or _QUALITY_NAME.search(dashboard.path.rsplit("/", 1)[-1]))


def _dashboard_files(ctx: DetectorContext, item: str) -> tuple[list[Dashboard], list[Evidence]]:
    """The dashboards that are candidates for ``item`` and ``unreadable`` evidence for relevant
    candidates that do not parse."""
    found = dashboards(ctx.index)
    paths = set(ctx.candidates(item, {dashboard.path for dashboard in found.dashboards}))
    problems = []
    for path, reason in found.unreadable:
        if not ctx.candidates(item, [path]):
            continue
        if reason is not None:
            detail = f"could not decide from this file: {reason}"
            problems.append(ctx.evidence(item, detail, verdict="unreadable", path=path))
        elif _QUALITY_RELEVANT.search(ctx.index.read_text(path) or ""):
            problems.append(ctx.unreadable(item, path))
    return found.in_paths(paths), problems


@detector(
    name="data-quality-dashboard",
    items=(QUALITY,),
    looks_for=(
        "a Grafana dashboard kept in the repository (JSON, GrafanaDashboard, ConfigMap) with panels querying null rates, "
        "distinct counts, value ranges, schema violations or data quality check results"
    ),
)
def data_quality_dashboard(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 9 from dashboards (see the module docstring)."""
    boards, problems = _dashboard_files(ctx, QUALITY)
    yield from problems
    for dashboard in boards:
        named = _named_for_quality(dashboard)
        strong: list[tuple[Panel, set[str]]] = []
        weak: list[tuple[Panel, set[str]]] = []
        for panel in dashboard.panels:
            categories = panel_categories(panel)
            if categories - _WEAK_CATEGORIES or (categories and named):
                strong.append((panel, categories))
            elif categories:
                weak.append((panel, categories))
        where = {"path": dashboard.path}
        if strong:
            shown = sorted(set().union(*(categories for _, categories in strong)))
            detail = f"{dashboard.label} shows data quality in {_plural(len(strong), 'panel')} ({', '.join(shown)})"
            yield ctx.supports(QUALITY, detail, line=strong[0][0].line, values={"quality_panels": len(strong)}, **where)
        elif weak:
            shown = sorted(set().union(*(categories for _, categories in weak)))
            detail = (f"{dashboard.label} only shows {' and '.join(shown)} ({_plural(len(weak), 'panel')}), which "
                      "business dashboards show too; add null rates, value ranges or validation failures")
            yield ctx.partial(QUALITY, detail, line=weak[0][0].line, **where)
        elif named:
            if dashboard.empty:
                detail = f"{dashboard.label} is named for data quality but has no panel with a query"
            else:
                detail = f"{dashboard.label} is named for data quality but no panel queries a data quality metric"
            yield ctx.partial(QUALITY, detail, line=dashboard.line, **where)
    for external in dashboards(ctx.index).external:
        if external.path in ctx.candidates(QUALITY, [external.path]) and _QUALITY_NAME.search(external.name):
            detail = (f"GrafanaDashboard `{external.name}` takes its panels from `{external.source}`, outside the "
                      "repository; its content cannot be checked")
            yield ctx.partial(QUALITY, detail, path=external.path, line=external.line)


@detector(
    name="data-quality-metrics",
    items=(QUALITY,),
    looks_for="data quality metrics the code emits or alert rules watch, to tell whether a dashboard shows them",
)
def data_quality_metrics(ctx: DetectorContext) -> Iterator[Evidence]:
    """Partial evidence for item 9: data quality metrics recorded but on no dashboard."""
    shown: set[str] = set()
    for dashboard in dashboards(ctx.index).dashboards:
        for _, query in dashboard.queries():
            if query.field == "expr":
                shown.update(metric_names(query.text))
    declared = set(ctx.declared(QUALITY))
    definitions = metric_definitions(ctx.index)
    paths = set(ctx.candidates(QUALITY, {definition.path for definition in definitions}))
    per_file: dict[str, list[tuple[str, int, set[str]]]] = {}
    for definition in definitions:
        if definition.path not in paths or (definition.is_test and definition.path not in declared):
            continue
        categories = quality_categories(definition.name) - _WEAK_CATEGORIES
        if categories and not definition.series_names() & shown:
            per_file.setdefault(definition.path, []).append((definition.name, definition.line, categories))
    for path, found in sorted(per_file.items()):
        kinds = sorted(set().union(*(categories for _, _, categories in found)))
        detail = (f"the code emits data quality metrics {_names(name for name, _, _ in found)} ({', '.join(kinds)}) "
                  "but no dashboard in the repository shows them")
        yield ctx.partial(QUALITY, detail, path=path, line=found[0][1])
    files, _ = item_rule_files(ctx, QUALITY, _QUALITY_RELEVANT)
    for rule_file in files:
        watched = [
            (rule, metric) for rule in rule_file.alerts if rule.has_expr for metric in metric_names(rule.expr)
            if quality_categories(metric) - _WEAK_CATEGORIES and metric not in shown
        ]
        if watched:
            names = _names(metric for _, metric in watched)
            yield ctx.partial(QUALITY, f"alert rules watch data quality metrics {names} but no dashboard in the repository "
                              "shows them", path=rule_file.path, line=watched[0][0].line)


# ====================================================================== item 9: reports and data docs
_GX_CHECKPOINT_CLASSES = frozenset({"Checkpoint", "SimpleCheckpoint", "LegacyCheckpoint"})
_EVIDENTLY_QUALITY = frozenset(
    {"DataQualityPreset", "DataSummaryPreset", "DatasetSummaryMetric", "DatasetMissingValuesMetric", "ColumnSummaryMetric",
     "DataQualityTestPreset", "DataStabilityTestPreset", "TestNumberOfMissingValues", "TestShareOfMissingValues",
     "TestColumnShareOfMissingValues", "MissingValueCount", "UniqueValueCount", "ColumnMissingValuesMetric"}
)
_EVIDENTLY_UPLOADS = frozenset({"add_run", "add_report", "add_test_suite", "add_snapshot"})
_REPORT_HINTS = ("great_expectations", "whylogs", "evidently")


def _gx_checkpoint(document: dict[str, Any]) -> tuple[int, bool] | None:
    """(validations, updates Data Docs) for a checkpoint document, or ``None`` when it is not one."""
    class_name = document.get("class_name")
    legacy = class_name in _GX_CHECKPOINT_CLASSES or (
        isinstance(document.get("action_list"), list)
        and any(key in document for key in ("validations", "expectation_suite_name", "batch_request"))
    )
    modern = isinstance(document.get("validation_definitions"), list) and "actions" in document
    if not legacy and not modern:
        return None
    if modern:
        count = len([entry for entry in document["validation_definitions"] if entry and isinstance(entry, (dict, str))])
        actions = document.get("actions") if isinstance(document.get("actions"), list) else []
        docs = any(isinstance(action, dict) and (action.get("type") == "update_data_docs"
                                                  or action.get("class_name") == "UpdateDataDocsAction")
                   for action in actions)
        return count, docs
    validations = document.get("validations") if isinstance(document.get("validations"), list) else []
    count = len([entry for entry in validations if isinstance(entry, dict) and entry])
    if _real_text(document.get("expectation_suite_name")):
        count = max(count, 1)
    actions = document.get("action_list") if isinstance(document.get("action_list"), list) else []
    docs = class_name == "SimpleCheckpoint" or any(
        isinstance(action, dict) and isinstance(action.get("action"), dict)
        and action["action"].get("class_name") == "UpdateDataDocsAction"
        for action in actions
    )
    return count, docs


def _judge_checkpoint(ctx: DetectorContext, path: str, name: str, count: int, docs: bool, line: int | None) -> Evidence:
    label = f"Great Expectations checkpoint `{name}`"
    if count == 0:
        return ctx.partial(QUALITY, f"{label} validates no expectation suite", path=path, line=line)
    if not docs:
        return ctx.partial(QUALITY, f"{label} validates {_plural(count, 'suite')} but publishes no Data Docs "
                           "(no UpdateDataDocsAction)", path=path, line=line)
    return ctx.supports(QUALITY, f"{label} validates {_plural(count, 'suite')} and updates Data Docs with the results",
                        path=path, line=line)


@detector(
    name="data-quality-reports",
    items=(QUALITY,),
    looks_for=(
        "Great Expectations checkpoints that update Data Docs, whylogs profiles sent to WhyLabs, Evidently data quality "
        "reports sent to an Evidently workspace"
    ),
)
def data_quality_reports(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 9 from profiling and validation tools (see the module docstring)."""
    for path in ctx.candidates(QUALITY, ctx.index.with_suffix(".yaml", ".yml", ".json")):
        if not path.lower().endswith((".yaml", ".yml", ".json")):
            continue
        text = ctx.index.read_text(path)
        if text is None or not any(hint in text for hint in ("Checkpoint", "validation_definitions", "action_list")):
            continue
        documents = yaml_with_lines(ctx.index, path) if path.lower().endswith(_YAML) else ctx.index.structured(path)
        if documents is None:
            yield ctx.unreadable(QUALITY, path)
            continue
        for document in documents:
            if not isinstance(document, dict):
                continue
            found = _gx_checkpoint(document)
            if found is not None:
                name = document.get("name") if _real_text(document.get("name")) else path.rsplit("/", 1)[-1].split(".")[0]
                yield _judge_checkpoint(ctx, path, str(name), found[0], found[1], line_of_mapping(document))
    modules, broken = python_modules(ctx, QUALITY, *_REPORT_HINTS)
    for path in broken:
        yield ctx.unreadable(QUALITY, path)
    for module in modules:
        if imports(module, "great_expectations"):
            yield from _gx_python(ctx, module)
        if imports(module, "whylogs"):
            yield from _whylogs_python(ctx, module)
        if imports(module, "evidently"):
            yield from _evidently_quality(ctx, module)


def _gx_python(ctx: DetectorContext, module: PythonModule) -> Iterator[Evidence]:
    checkpoints: list[int] = []
    docs = False
    for call in iter_calls(module.tree, module.aliases):
        last = call.name.rsplit(".", 1)[-1]
        if (last in _GX_CHECKPOINT_CLASSES and call.name.startswith("great_expectations")) or last in (
            "add_checkpoint", "add_or_update_checkpoint"
        ):
            checkpoints.append(call.line)
        if last in ("UpdateDataDocsAction", "build_data_docs"):
            docs = True
    docs = docs or any(
        isinstance(node, ast.Constant) and node.value in ("UpdateDataDocsAction", "update_data_docs", "SimpleCheckpoint")
        for node in ast.walk(module.tree)
    )
    if checkpoints:
        if docs:
            yield ctx.supports(QUALITY, "Great Expectations checkpoint in code validates data and updates Data Docs",
                               path=module.path, line=checkpoints[0])
        else:
            yield ctx.partial(QUALITY, "Great Expectations checkpoint in code validates data but publishes no Data Docs",
                              path=module.path, line=checkpoints[0])


def _whylogs_python(ctx: DetectorContext, module: PythonModule) -> Iterator[Evidence]:
    profiles: list[int] = []
    uploaded = False
    for call in iter_calls(module.tree, module.aliases):
        parts = call.name.split(".")
        if parts[0] == "whylogs" and parts[-1] in ("log", "log_pandas", "profile"):
            profiles.append(call.line)
        if parts[-1] == "WhyLabsWriter":
            uploaded = True
    for call in _method_calls(module, "writer"):
        if call.args and constant_value(call.args[0]) == "whylabs":
            uploaded = True
    if not profiles:
        return
    if uploaded:
        yield ctx.supports(QUALITY, "whylogs profiles the data and sends the profiles to WhyLabs", path=module.path,
                           line=profiles[0])
    else:
        yield ctx.partial(QUALITY, "whylogs profiles the data but the profiles reach no dashboard (no WhyLabs writer)",
                          path=module.path, line=profiles[0])


def _evidently_quality(ctx: DetectorContext, module: PythonModule) -> Iterator[Evidence]:
    reports = [
        call for call in iter_calls(module.tree, module.aliases)
        if call.name.startswith("evidently") and call.name.rsplit(".", 1)[-1] in _EVIDENTLY_QUALITY
    ]
    if not reports:
        return
    uploaded = any(_method_calls(module, method) for method in _EVIDENTLY_UPLOADS)
    name = reports[0].name.rsplit(".", 1)[-1]
    if uploaded:
        yield ctx.supports(QUALITY, f"Evidently `{name}` report is sent to an Evidently workspace (monitoring UI)",
                           path=module.path, line=reports[0].line)
    else:
        yield ctx.partial(QUALITY, f"Evidently `{name}` report is built but not sent to a workspace or dashboard",
                          path=module.path, line=reports[0].line)


DETECTORS: tuple[Detector, ...] = (
    freshness_alerts,
    freshness_orchestrator,
    freshness_config,
    drift_library,
    drift_config,
    drift_alerts,
    data_quality_dashboard,
    data_quality_metrics,
    data_quality_reports,
)
