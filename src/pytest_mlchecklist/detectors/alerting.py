"""Alerting detectors: input quality alerts (item 34), prediction distribution monitoring (item 35),
performance once labels arrive (item 36) and system health alerts (item 37).

Every decision comes from parsed content: Prometheus rules through
:mod:`~pytest_mlchecklist.detectors.prometheus` (rule files, ``PrometheusRule``/``VMRule``,
Helm charts), Grafana dashboards through :mod:`~pytest_mlchecklist.detectors.grafana`,
Python with :mod:`ast`, CI workflows through :mod:`~pytest_mlchecklist.detectors.ci_workflows`,
Kubernetes manifests through :mod:`~pytest_mlchecklist.detectors.kubernetes`. A metric *name*
is read word by word (``fraud_schema_violations_total`` is about schema violations); an alert
*name* alone is never evidence. Test modules, vendored and generated folders are not evidence.

Item 34, ``input-quality-alerts``
    An alerting rule whose expression reads a metric about input data quality (schema /
    validation / rejected / invalid / contract / expectation, null / missing / NaN, drift / PSI /
    divergence of inputs, late / stale / freshness / lag of data, data quality) and fires on a
    condition (a comparison or ``absent()``). It is complete when it names an **owner** (a
    ``team``/``owner``/``squad``/``owning_team`` label or annotation with a real value;
    ``severity`` and routing labels are not owners) and a **response** (a ``runbook_url``,
    ``runbook``, ``playbook`` or ``playbook_url`` annotation that is an http(s) URL, not on
    ``example.com``, or a path to a file that exists in the repository). Per rule file: every
    input alert complete: **supports**; otherwise **partial** listing what is missing. Recording
    rules on such metrics with no alert, and empty groups named for data quality: **partial**.

Item 35, ``prediction-drift``
    ``prediction-metrics``: a gauge, histogram or summary defined in serving code
    (``prometheus_client``, OpenTelemetry) over the model's outputs (score, prediction,
    probability, confidence, output; latency/duration/time metrics excluded) that an alert rule
    or a Grafana panel reads: **supports**; exported with no alert or panel: **partial**. An
    alert rule with a comparison on a prediction/score/output metric or on prediction drift:
    **supports** by itself.
    ``prediction-drift-job``: non-test Python computing drift on predictions: Evidently
    ``TargetDriftPreset`` / column drift on a prediction or score column, NannyML drift
    calculators over prediction columns, or a hand-written PSI/KS whose inputs are scores or
    predictions. With an explicit threshold (a ``*threshold*`` keyword, ``drift_share``, or a
    comparison of the statistic with a constant): **supports**; without: **partial**.

Item 36, ``ground-truth-performance``
    A non-test Python module that joins predictions with labels (a ``merge``/``join`` call whose
    operands name predictions on one side and labels / outcomes / ground truth / chargebacks /
    feedback / actuals on the other, or an SQL string that JOINs such tables) and computes a
    quality metric (``sklearn.metrics``, ``torchmetrics``, Evidently classification/regression
    presets, NannyML ``PerformanceCalculator``). **supports** when it is also scheduled (a
    Kubernetes ``CronJob`` or a scheduled CI job runs it, an Airflow DAG with a schedule imports
    or runs it, or the module is itself such a DAG) or exports its metrics
    (``prometheus_client`` metrics or ``push_to_gateway`` in the module). Join and metrics that
    nothing schedules or exports: **partial**; metrics on predictions and labels without a
    join: **partial**.

Item 37, ``system-health-alerts``
    Alerting rules of the serving system with a numeric threshold and a ``for:`` duration,
    classified by the metrics they read: CPU, memory, GPU, disk (saturation), latency and
    errors. The minimum for **supports**: at least one latency or error-rate alert and at least
    one saturation alert (CPU, memory, GPU or disk); the detail names what is covered and what
    is not. Less than that, alerts without a threshold or ``for:``, or only ``up == 0``
    availability alerts: **partial**. Alerts on Prometheus, Alertmanager, etcd, the API server
    or certificates are platform internals and are ignored.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector
from pytest_mlchecklist.detectors.ci_workflows import ci_pipelines
from pytest_mlchecklist.detectors.data_monitoring import freshness_of, hand_written_drift, item_rule_files, python_modules
from pytest_mlchecklist.detectors.grafana import dashboards
from pytest_mlchecklist.detectors.kubernetes import iter_workloads, manifest_candidates
from pytest_mlchecklist.detectors.prometheus import (
    HELM_PLACEHOLDER,
    MetricDefinition,
    Rule,
    RuleFile,
    comparisons,
    functions_called,
    metric_definitions,
    metric_names,
    name_tokens,
    rule_files,
)
from pytest_mlchecklist.detectors.python_code import (
    PythonModule,
    constant_value,
    dotted_name,
    import_aliases,
    imported_modules,
    is_test_path,
    iter_calls,
    module_name,
)
from pytest_mlchecklist.evidence import Evidence

INPUT = "input-quality-alerts"
PREDICTION = "prediction-drift"
GROUND_TRUTH = "ground-truth-performance"
HEALTH = "system-health-alerts"

_PLACEHOLDER = re.compile(r"^\s*(?:todo|tbd|tba|fixme|xxx|changeme|unknown|none|null|n/?a|-|\.\.\.|<[^>]*>)?\s*$", re.I)


# ====================================================================== shared helpers
def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"


def _names(items: Iterable[str], limit: int = 3) -> str:
    unique = list(dict.fromkeys(items))
    shown = ", ".join(f"`{name}`" for name in unique[:limit])
    return shown + (f" and {len(unique) - limit} more" if len(unique) > limit else "")


def _real(value: str | None) -> bool:
    """True for a value that says something (not empty, a placeholder or a Helm expression)."""
    return bool(value) and not _PLACEHOLDER.match(value or "") and HELM_PLACEHOLDER not in (value or "")


def _tokens(names: Iterable[str]) -> set[str]:
    return {token for name in names for token in name_tokens(name)}


def _rule_metric_tokens(rule: Rule, recorded: dict[str, Rule]) -> tuple[set[str], list[str]]:
    """Words of the metrics a rule reads (through recording rules one level deep), and the names."""
    names = metric_names(rule.expr)
    expanded = list(names)
    for name in names:
        source = recorded.get(name)
        if source is not None and source is not rule:
            expanded.extend(metric_names(source.expr))
    return _tokens(expanded), expanded


def _fires_on_condition(rule: Rule) -> bool:
    """True when the expression compares something or asks for an absent series."""
    return bool(comparisons(rule.expr)) or bool(functions_called(rule.expr) & {"absent", "absent_over_time"})


# ====================================================================== item 34
_SCHEMA = frozenset({"schema", "validation", "validations", "invalid", "rejected", "reject", "rejects", "rejections",
                     "violation", "violations", "contract", "expectation", "expectations", "malformed", "unparseable"})
_NULLS = frozenset({"null", "nulls", "missing", "nan", "nans"})
_DRIFT = frozenset({"drift", "psi", "divergence", "wasserstein", "ks"})
_LATENESS = frozenset({"late", "lateness", "freshness", "stale", "staleness", "lag", "delay", "delayed", "age"})
_QUALITY = frozenset({"quality", "dq"})
_DATA_WORDS = frozenset({"data", "input", "inputs", "feature", "features", "rows", "records", "events", "batch",
                         "table", "dataset", "partition", "ingestion", "ingest", "source", "upstream", "etl", "pipeline"})
_OUTPUT_WORDS = frozenset({"prediction", "predictions", "predicted", "output", "outputs", "label", "labels", "target"})
_REPLICATION = frozenset({"replication", "replica", "slave", "wal", "standby", "mysql", "pg", "postgres", "redis",
                          "kafka", "consumer", "consumergroup"})
_INPUT_INFRA_PREFIXES = ("process_", "node_", "container_", "go_", "prometheus_", "alertmanager_", "etcd_",
                         "apiserver_", "kubelet_", "coredns_", "probe_", "certmanager_", "x509_", "ssl_")
_OWNER_KEYS = ("team", "owner", "squad", "owning_team", "owner_team", "team_owner", "service_owner", "owners")
_RUNBOOK_KEYS = ("runbook_url", "runbook", "runbookurl", "runbook_link", "playbook", "playbook_url")
_INPUT_GROUP = re.compile(r"quality|schema|validation|drift|fresh|null|input|late", re.IGNORECASE)


def input_categories(tokens: set[str], names: list[str]) -> list[str]:
    """The input-quality categories a rule's metric words fall in (empty for other metrics)."""
    if all(name.lower() == "up" or name.lower().startswith(_INPUT_INFRA_PREFIXES) for name in names):
        return []
    found = []
    if tokens & _SCHEMA:
        found.append("schema violations")
    if tokens & _NULLS and not tokens & {"latency", "duration"}:
        found.append("null rates")
    if tokens & _DRIFT and not tokens & _OUTPUT_WORDS:
        found.append("input drift")
    if tokens & _LATENESS and not tokens & _REPLICATION and (tokens & _DATA_WORDS or tokens & {"freshness", "stale"}):
        found.append("data lateness")
    if tokens & _QUALITY:
        found.append("data quality")
    return found


def rule_owner(rule: Rule) -> str | None:
    """The owner a rule names in a label or an annotation, if any."""
    for mapping in (rule.labels, rule.annotations):
        for key, value in mapping.items():
            if key.lower() in _OWNER_KEYS and _real(value):
                return value
    return None


def rule_runbook(ctx: DetectorContext, rule: Rule) -> tuple[str | None, str | None]:
    """``(link, problem)``: the usable runbook link of a rule, or why the one it has is not."""
    problem = None
    for key, value in rule.annotations.items():
        if key.lower() not in _RUNBOOK_KEYS:
            continue
        text = value.strip()
        if not _real(text) and not text.lower().startswith("http"):
            problem = "runbook link is a placeholder or a Helm value"
            continue
        if text.lower().startswith(("http://", "https://")):
            host = text.split("/")[2].lower() if len(text.split("/")) > 2 else ""
            if not host or host.split(":")[0] in ("example.com", "example.org", "localhost") or host.endswith(
                (".example.com", ".example.org")
            ):
                problem = f"runbook link points at `{host or 'nothing'}`"
                continue
            return text, None
        raw = text.split("#", 1)[0].split("?", 1)[0]
        from_root = posixpath.normpath(raw.lstrip("/"))
        from_file = posixpath.normpath(posixpath.join(posixpath.dirname(rule.path), raw))
        if raw and any(path in ctx.index and not path.startswith("..") for path in (from_root, from_file)):
            return text, None
        problem = f"runbook `{text.split('#', 1)[0]}` does not exist in the repository"
    return None, problem


@dataclass(frozen=True)
class _InputAlert:
    rule: Rule
    categories: tuple[str, ...]
    owner: str | None
    runbook: str | None
    runbook_problem: str | None
    condition: bool

    @property
    def complete(self) -> bool:
        return self.owner is not None and self.runbook is not None and self.condition


@detector(
    name="input-quality-alerts",
    items=(INPUT,),
    looks_for=(
        "Prometheus alert rules on schema violations, null rates, input drift or late data, each with a team/owner "
        "label and a runbook_url annotation"
    ),
)
def input_quality_alerts(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 34 from Prometheus rule files (see the module docstring)."""
    files, problems = item_rule_files(ctx, INPUT, _INPUT_GROUP)
    yield from problems
    recorded = {rule.name: rule for rule in rule_files(ctx.index).recording_rules().values()}
    for rule_file in files:
        yield from _judge_input_file(ctx, rule_file, recorded)


def _judge_input_file(ctx: DetectorContext, rule_file: RuleFile, recorded: dict[str, Rule]) -> Iterator[Evidence]:
    alerts: list[_InputAlert] = []
    records: list[Rule] = []
    for rule in rule_file.rules:
        if not rule.has_expr:
            continue
        tokens, names = _rule_metric_tokens(rule, recorded)
        categories = input_categories(tokens, names)
        if "data lateness" not in categories and freshness_of(rule) is not None:
            categories.append("data lateness")
        if not categories:
            continue
        if not rule.alerting:
            records.append(rule)
            continue
        link, problem = rule_runbook(ctx, rule)
        alerts.append(_InputAlert(rule, tuple(categories), rule_owner(rule), link, problem, _fires_on_condition(rule)))
    if alerts:
        yield _input_verdict(ctx, rule_file.path, alerts)
    elif records:
        yield ctx.partial(
            INPUT,
            f"recording rules on input quality ({_names(rule.name for rule in records)}) but no alert fires on them",
            path=rule_file.path,
            line=records[0].line,
        )
    else:
        for group in rule_file.groups:
            if group.empty and _INPUT_GROUP.search(group.name):
                yield ctx.partial(INPUT, f"rule group `{group.name}` has no rules", path=rule_file.path, line=group.line)


def _input_verdict(ctx: DetectorContext, path: str, alerts: list[_InputAlert]) -> Evidence:
    categories = list(dict.fromkeys(category for alert in alerts for category in alert.categories))
    count = _plural(len(alerts), "input-quality alert")
    first = alerts[0].rule.line
    if all(alert.complete for alert in alerts):
        owners = _names(alert.owner for alert in alerts if alert.owner)
        return ctx.supports(
            INPUT,
            f"{count} ({', '.join(categories)}), each with an owner ({owners}) and a runbook link",
            path=path,
            line=first,
        )
    missing = []
    no_owner = [alert for alert in alerts if alert.owner is None]
    no_runbook = [alert for alert in alerts if alert.runbook is None]
    no_condition = [alert for alert in alerts if not alert.condition]
    if no_owner:
        missing.append(f"{len(no_owner)} {'has' if len(no_owner) == 1 else 'have'} no owner label or annotation")
    if no_runbook:
        problems = [alert.runbook_problem for alert in no_runbook if alert.runbook_problem]
        reason = f" ({problems[0]})" if problems else ""
        missing.append(f"{len(no_runbook)} {'has' if len(no_runbook) == 1 else 'have'} no runbook link{reason}")
    if no_condition:
        missing.append(f"{len(no_condition)} {'has' if len(no_condition) == 1 else 'have'} no threshold")
    incomplete = [alert for alert in alerts if not alert.complete]
    return ctx.partial(
        INPUT,
        f"{count} ({', '.join(categories)}): {'; '.join(missing)}",
        path=path,
        line=incomplete[0].rule.line or first,
    )


# ====================================================================== item 35
_OUTPUT_TOKENS = frozenset({"score", "scores", "prediction", "predictions", "predicted", "output", "outputs",
                            "probability", "probabilities", "proba", "confidence", "pred", "logit", "logits"})
_TIME_TOKENS = frozenset({"latency", "duration", "seconds", "time", "timestamp", "ms", "milliseconds", "errors",
                          "error", "failures", "requests", "bytes", "size", "inflight", "drift", "psi"})
_THROUGHPUT_SUFFIXES = ("_total", "_count", "_created")
_OUTPUT_KINDS = frozenset({"gauge", "histogram", "summary"})


def is_output_metric(name: str) -> bool:
    """True for a metric over the model's outputs (scores, predictions), not timings or counts."""
    tokens = set(name_tokens(name))
    return bool(tokens & _OUTPUT_TOKENS) and not tokens & _TIME_TOKENS


def _output_definitions(ctx: DetectorContext) -> list[MetricDefinition]:
    chosen = set(ctx.candidates(PREDICTION, {definition.path for definition in metric_definitions(ctx.index)}))
    declared = set(ctx.declared(PREDICTION))
    return [
        definition for definition in metric_definitions(ctx.index)
        if definition.path in chosen and (not definition.is_test or definition.path in declared)
        and definition.kind in _OUTPUT_KINDS and is_output_metric(definition.name)
    ]


@detector(
    name="prediction-metrics",
    items=(PREDICTION,),
    looks_for=(
        "score or prediction histograms/gauges exported by the serving code and read by an alert rule or a Grafana "
        "panel, or alert rules on the output distribution"
    ),
)
def prediction_metrics(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 35 from metrics, alert rules and dashboards (see the module docstring)."""
    files, problems = item_rule_files(ctx, PREDICTION, re.compile(r"predict|score|output", re.IGNORECASE))
    yield from problems
    recorded = {rule.name: rule for rule in rule_files(ctx.index).recording_rules().values()}
    alerts = [rule for rule_file in files for rule in rule_file.alerts if rule.has_expr]
    alert_reads = [(rule, set(_rule_metric_tokens(rule, recorded)[1])) for rule in alerts]
    panel_reads = []
    for dashboard in dashboards(ctx.index).dashboards:
        if ctx.index.is_non_evidence(dashboard.path) and dashboard.path not in ctx.declared(PREDICTION):
            continue
        for panel, query in dashboard.queries():
            panel_reads.append((dashboard, panel, set(metric_names(query.text))))
    used: set[str] = set()
    for definition in _output_definitions(ctx):
        series = {name for name in definition.series_names() if not name.endswith(_THROUGHPUT_SUFFIXES)}
        where = f"`{definition.path}:{definition.line}`"
        alert = next((rule for rule, names in alert_reads if names & series), None)
        if alert is not None:
            used.update(series)
            yield ctx.supports(
                PREDICTION,
                f"{definition.kind} `{definition.name}` over model outputs ({where}) is alerted on by {alert.label}",
                path=alert.path,
                line=alert.line,
            )
            continue
        panel = next(((dashboard, panel) for dashboard, panel, names in panel_reads if names & series), None)
        if panel is not None:
            used.update(series)
            yield ctx.supports(
                PREDICTION,
                f"{definition.kind} `{definition.name}` over model outputs ({where}) is charted in panel "
                f"`{panel[1].title}` of {panel[0].label}",
                path=panel[0].path,
                line=panel[1].line or panel[0].line,
            )
            continue
        yield ctx.partial(
            PREDICTION,
            f"{definition.kind} `{definition.name}` over model outputs is exported but no alert or panel uses it",
            path=definition.path,
            line=definition.line,
        )
    for rule, names in alert_reads:
        outputs = [
            name for name in names
            if (is_output_metric(name) or _is_prediction_drift(name)) and not name.endswith(_THROUGHPUT_SUFFIXES)
        ]
        if not outputs or names & used:
            continue
        if comparisons(rule.expr):
            yield ctx.supports(
                PREDICTION,
                f"{rule.label} fires on the output metric {_names(outputs, 2)} with a threshold",
                path=rule.path,
                line=rule.line,
            )
        else:
            yield ctx.partial(
                PREDICTION, f"{rule.label} reads {_names(outputs, 2)} but has no threshold", path=rule.path, line=rule.line
            )


def _is_prediction_drift(name: str) -> bool:
    tokens = set(name_tokens(name))
    return bool(tokens & _DRIFT) and bool(tokens & (_OUTPUT_TOKENS | {"label", "target"}))


_EVIDENTLY_PREDICTION_PRESETS = frozenset({"TargetDriftPreset", "PredictionDriftPreset"})
_COLUMN_DRIFT = frozenset({"ColumnDriftMetric", "ColumnDrift", "ValueDrift", "TestColumnDrift", "ColumnValuePlot"})
_NANNYML_DRIFT = frozenset({"UnivariateDriftCalculator", "DomainClassifierCalculator"})
_THRESHOLD_KEYWORDS = re.compile(r"threshold|drift_share|thresholds", re.IGNORECASE)
_DRIFT_JOB_HINTS = ("evidently", "nannyml", "psi", "drift", "Drift")


def _mentions_outputs(node: ast.AST) -> list[str]:
    """Strings and names inside ``node`` that name outputs (``"fraud_score"``, ``y_pred``)."""
    found = []
    for child in ast.walk(node):
        text = None
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            text = child.value
        elif isinstance(child, ast.Name):
            text = child.id
        if text and set(name_tokens(text)) & _OUTPUT_TOKENS and not set(name_tokens(text)) & {"latency", "duration"}:
            found.append(text)
    return found


def _has_threshold_keyword(call: ast.Call) -> bool:
    return any(
        keyword.arg and _THRESHOLD_KEYWORDS.search(keyword.arg) and constant_value(keyword.value) not in (None,)
        for keyword in call.keywords
    )


@detector(
    name="prediction-drift-job",
    items=(PREDICTION,),
    looks_for=(
        "a drift job on predictions with a threshold: Evidently target/prediction drift, NannyML drift on prediction "
        "columns, or a PSI/KS on scores"
    ),
)
def prediction_drift_job(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 35 from drift code on predictions (see the module docstring)."""
    modules, broken = python_modules(ctx, PREDICTION, *_DRIFT_JOB_HINTS)
    for path in broken:
        yield ctx.unreadable(PREDICTION, path)
    for module in modules:
        found = _library_prediction_drift(module)
        if found is not None:
            label, line, threshold = found
            if threshold:
                yield ctx.supports(PREDICTION, f"{label} on predictions with an explicit threshold", path=module.path, line=line)
            else:
                yield ctx.partial(PREDICTION, f"{label} on predictions but sets no threshold", path=module.path, line=line)
            continue
        hand = hand_written_drift(module)
        if hand is None or not _statistic_on_outputs(module):
            continue
        statistic = "/".join(hand.labels)
        if hand.threshold_line is not None:
            yield ctx.supports(
                PREDICTION, f"{statistic} on model scores compared with a threshold", path=module.path, line=hand.line
            )
        else:
            yield ctx.partial(
                PREDICTION, f"{statistic} on model scores computed but sets no threshold", path=module.path, line=hand.line
            )


_STATISTIC_CALL = re.compile(r"psi|population_stability|stability_index|ks_2samp|kstest|wasserstein|jensenshannon|"
                             r"divergence|kl_div|drift", re.IGNORECASE)


def _statistic_on_outputs(module: PythonModule) -> bool:
    """True when a drift statistic is called with scores or predictions as arguments
    (``psi(reference_scores, live_scores)``), not only somewhere in the module."""
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call):
            continue
        name = dotted_name(node.func)
        if name is None or not _STATISTIC_CALL.search(name.rsplit(".", 1)[-1]):
            continue
        if any(_mentions_outputs(argument) for argument in [*node.args, *(keyword.value for keyword in node.keywords)]):
            return True
    return False


def _library_prediction_drift(module: PythonModule) -> tuple[str, int, bool] | None:
    """``(label, line, has_threshold)`` for Evidently/NannyML drift on predictions in a module."""
    compared = _compares_with_constant(module.tree)
    for call in iter_calls(module.tree, module.aliases):
        last = call.name.rsplit(".", 1)[-1]
        library = call.name.split(".", 1)[0]
        if library not in ("evidently", "nannyml"):
            continue
        if last in _EVIDENTLY_PREDICTION_PRESETS:
            return f"Evidently `{last}`", call.line, _has_threshold_keyword(call.node) or compared
        if last in _COLUMN_DRIFT and _mentions_outputs(call.node):
            return f"Evidently `{last}`", call.line, _has_threshold_keyword(call.node) or compared
        if last in _NANNYML_DRIFT and _mentions_outputs(call.node):
            return f"NannyML `{last}`", call.line, _has_threshold_keyword(call.node) or compared
    return None


def _compares_with_constant(tree: ast.Module) -> bool:
    """True when a drift result (a name with drift/psi/p-value words) is compared with a number."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare) or not all(isinstance(op, (ast.Gt, ast.GtE, ast.Lt, ast.LtE)) for op in node.ops):
            continue
        operands = [node.left, *node.comparators]
        words = {
            token for operand in operands for child in ast.walk(operand)
            for token in name_tokens(child.id if isinstance(child, ast.Name) else child.value
                                     if isinstance(child, ast.Constant) and isinstance(child.value, str) else "")
        }
        numbers = any(
            isinstance(child, ast.Constant) and isinstance(child.value, (int, float)) and not isinstance(child.value, bool)
            for operand in operands for child in ast.walk(operand)
        )
        if words & {"drift", "psi", "drifted", "pvalue", "pval"} and (numbers or "threshold" in words):
            return True
    return False


# ====================================================================== item 36
_LABEL_TOKENS = frozenset({"label", "labels", "labelled", "labeled", "outcome", "outcomes", "truth", "actual", "actuals",
                           "chargeback", "chargebacks", "feedback", "ground", "groundtruth", "gt", "realized", "fraud",
                           "defaults", "conversions", "conversion", "returns", "claims", "target", "targets"})
_STRONG_LABEL_TOKENS = _LABEL_TOKENS - {"fraud", "target", "targets", "defaults", "returns", "claims", "conversions",
                                        "conversion"}
_PRED_TOKENS = frozenset({"prediction", "predictions", "predicted", "preds", "pred", "scores", "scored", "scoring",
                          "inference", "inferences", "served"})
_LOGGED_TOKENS = frozenset({"prediction", "predictions", "logged", "inference", "inferences", "served", "preds"})
_DELAYED_LABEL_TOKENS = frozenset({"outcome", "outcomes", "chargeback", "chargebacks", "truth", "groundtruth",
                                   "feedback", "actuals", "realized", "delayed", "matured"})
_METRIC_MODULES = ("sklearn.metrics", "torchmetrics")
_METRIC_CALLS = frozenset({"PerformanceCalculator", "ClassificationPreset", "RegressionPreset", "ClassificationQuality",
                           "RegressionQuality"})
_SQL_JOIN = re.compile(r"\bjoin\b", re.IGNORECASE)
_GT_HINTS = ("label", "outcome", "truth", "chargeback", "feedback", "actual", "Label", "Outcome")
_JOIN_HINTS = ("merge", "join", "JOIN", "_id", "sklearn", "torchmetrics", "nannyml", "evidently")
_AIRFLOW_SCHEDULE = ("schedule", "schedule_interval", "timetable")


def _words_of(node: ast.AST) -> set[str]:
    """Name tokens of the identifiers, attributes and strings inside ``node``."""
    words: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            words.update(name_tokens(child.id))
        elif isinstance(child, ast.Attribute):
            words.update(name_tokens(child.attr))
        elif isinstance(child, ast.Constant) and isinstance(child.value, str) and len(child.value) < 80:
            words.update(name_tokens(child.value))
    return words


def _join_line(module: PythonModule) -> int | None:
    """The line of a join of predictions with labels (pandas/polars/Spark calls or SQL), if any."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if name not in ("merge", "join", "merge_asof"):
                continue
            if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Constant):
                continue  # ", ".join(...)
            words = _words_of(node)
            if words & _PRED_TOKENS and words & _STRONG_LABEL_TOKENS:
                return node.lineno
            if words & _PRED_TOKENS and words & _LABEL_TOKENS and (words & {"id", "on"} or node.keywords):
                return node.lineno
        elif _id_lookup_of_labels(node):
            module_words = _words_of(module.tree)
            if module_words & _PRED_TOKENS and module_words & _STRONG_LABEL_TOKENS:
                return node.lineno
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL_JOIN.search(node.value):
            words = set(name_tokens(node.value))
            if words & _PRED_TOKENS and words & _STRONG_LABEL_TOKENS and "select" in node.value.lower():
                return node.lineno
    return None


def _id_key(node: ast.AST) -> bool:
    """True for ``row["transaction_id"]`` / ``row.request_id``: a value read by an id field."""
    if isinstance(node, ast.Subscript):
        key = node.slice
        return isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.lower().endswith("id")
    return isinstance(node, ast.Attribute) and node.attr.lower().endswith("id")


def _id_lookup_of_labels(node: ast.AST) -> bool:
    """``row["transaction_id"] in fraud_ids``, ``labels[row["request_id"]]``, ``outcomes.get(p.request_id)``:
    a prediction looked up among the labels by its id (a join written by hand)."""
    container: ast.AST | None = None
    if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
        if _id_key(node.left):
            container = node.comparators[0]
    elif isinstance(node, ast.Subscript) and _id_key(node.slice):
        container = node.value
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        if node.args and _id_key(node.args[0]):
            container = node.func.value
    if container is None:
        return False
    name = dotted_name(container)
    return name is not None and bool(set(name_tokens(name.rsplit(".", 1)[-1])) & _LABEL_TOKENS)


_METRIC_FUNCTION_WORDS = frozenset({"auc", "roc", "recall", "precision", "f1", "accuracy", "logloss", "brier", "rmse",
                                    "mae", "mape", "confusion", "gini", "fpr", "tpr"})


def _library_metric(name: str) -> bool:
    if name.startswith(_METRIC_MODULES) and name.count(".") >= 1:
        return True
    return name.rsplit(".", 1)[-1] in _METRIC_CALLS and name.split(".", 1)[0] in ("evidently", "nannyml")


def _metric_functions(ctx: DetectorContext, tree: ast.Module, aliases: dict[str, str]) -> set[str]:
    """Functions of a module that compute quality metrics: named for one (``roc_auc``,
    ``precision_at_k``) or calling a library metric or such a function (one level)."""
    functions = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    named = {node.name for node in functions if set(name_tokens(node.name)) & _METRIC_FUNCTION_WORDS}
    found = set(named)
    for node in functions:
        for call in iter_calls(ast.Module(body=[node], type_ignores=[]), aliases):
            if _library_metric(call.name) or call.name in named:
                found.add(node.name)
    return found


def _project_metric_functions(ctx: DetectorContext, dotted_module: str) -> set[str]:
    """Metric functions of one of the repository's own modules (by dotted name), read once."""

    def compute() -> set[str]:
        paths = ctx.index.memo(
            ("alerting", "module-paths"),
            lambda: {module_name(path): path for path in ctx.index.with_suffix(".py") if not is_test_path(path)},
        )
        path = paths.get(dotted_module)
        tree = ctx.index.python_ast(path) if path is not None else None
        return set() if tree is None else _metric_functions(ctx, tree, import_aliases(tree))

    return ctx.index.memo(("alerting", "metric-functions", dotted_module), compute)


def _metric_calls(ctx: DetectorContext, module: PythonModule) -> list[tuple[str, int]]:
    """Quality metrics a module computes: library metric calls, and calls of metric functions
    defined in the module or in the repository's own modules."""
    found = []
    local = _metric_functions(ctx, module.tree, module.aliases)
    for call in iter_calls(module.tree, module.aliases):
        last = call.name.rsplit(".", 1)[-1]
        if _library_metric(call.name):
            found.append((last, call.line))
            continue
        if call.name in local:
            found.append((last, call.line))
            continue
        resolved = module.resolve(dotted_name(call.node.func) or "")
        if resolved and "." in resolved and not resolved.startswith(module.name + "."):
            owner, _, function = resolved.rpartition(".")
            if function in _project_metric_functions(ctx, owner):
                found.append((last, call.line))
    return found


@detector(
    name="ground-truth-job",
    items=(GROUND_TRUTH,),
    looks_for=(
        "a scheduled job (CronJob, scheduled CI, Airflow DAG) that joins logged predictions with arriving labels and "
        "computes quality metrics, or exports them as metrics"
    ),
)
def ground_truth_job(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 36 from Python jobs and what schedules them (see the module docstring)."""
    modules, broken = python_modules(ctx, GROUND_TRUTH, *_GT_HINTS, also=_JOIN_HINTS)
    for path in broken:
        if any(word in (ctx.index.read_text(path) or "") for word in ("merge", "join", "JOIN")):
            yield ctx.unreadable(GROUND_TRUTH, path)
    for module in modules:
        metrics = _metric_calls(ctx, module)
        if not metrics:
            continue
        names = _names((name for name, _ in metrics), 3)
        join = _join_line(module)
        if join is None:
            words = _words_of(module.tree)
            if words & _LOGGED_TOKENS and words & _DELAYED_LABEL_TOKENS:
                yield ctx.partial(
                    GROUND_TRUTH,
                    f"computes {names} but never joins logged predictions with labels",
                    path=module.path,
                    line=metrics[0][1],
                )
            continue
        schedule = _schedule_of(ctx, module) or _export_of(ctx, module)
        if schedule is not None:
            yield ctx.supports(
                GROUND_TRUTH,
                f"joins predictions with labels (line {join}) and computes {names}; {schedule}",
                path=module.path,
                line=join,
            )
        else:
            yield ctx.partial(
                GROUND_TRUTH,
                f"joins predictions with labels and computes {names}, but nothing schedules it or exports the metrics",
                path=module.path,
                line=join,
            )


def _export_of(ctx: DetectorContext, module: PythonModule) -> str | None:
    exported = [definition for definition in metric_definitions(ctx.index) if definition.path == module.path]
    if exported:
        return f"exports `{exported[0].name}` as a metric"
    for call in iter_calls(module.tree, module.aliases):
        if call.name.startswith("prometheus_client") and call.name.endswith(("push_to_gateway", "pushadd_to_gateway")):
            return "pushes its metrics to a Pushgateway"
    return None


def _schedule_of(ctx: DetectorContext, module: PythonModule) -> str | None:
    """What schedules ``module``: a CronJob, a scheduled CI job, an Airflow DAG (or ``None``)."""
    own = _airflow_schedule(module.tree)
    if own is not None:
        return f"the module is an Airflow DAG scheduled `{own}`"
    references = {module.path, module.path.removeprefix("src/"), module.name}
    for workflow in ci_pipelines(ctx.index).workflows:
        for job in workflow.jobs:
            if "schedule" not in job.triggers or job.manual:
                continue
            for step in job.steps:
                for command in step.commands():
                    call = command.python_call()
                    if call is not None and (call.module in references or call.script in references):
                        cron = workflow.schedules[0].cron if workflow.schedules else "schedule"
                        return f"run by scheduled CI job `{job.name}` ({workflow.path}, `{cron}`)"
    cronjob = _cronjob_running(ctx, references)
    if cronjob is not None:
        return cronjob
    return _dag_running(ctx, module)


def _cronjob_running(ctx: DetectorContext, references: set[str]) -> str | None:
    for path in manifest_candidates(ctx.index):
        text = ctx.index.read_text(path) or ""
        if "CronJob" not in text or not any(reference in text for reference in references):
            continue
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            continue
        for document in documents:
            schedule = document.get("spec", {}).get("schedule") if isinstance(document, dict) and isinstance(
                document.get("spec"), dict) else None
            for workload in iter_workloads(path, [document]):
                if workload.kind != "CronJob" or not isinstance(schedule, str) or not schedule.strip():
                    continue
                for container in workload.containers:
                    words = []
                    for key in ("command", "args"):
                        value = container.spec.get(key)
                        if isinstance(value, list):
                            words.extend(str(item) for item in value)
                        elif isinstance(value, str):
                            words.extend(value.split())
                    joined = " ".join(words)
                    if any(re.search(rf"(?<![\w.]){re.escape(reference)}(?![\w])", joined) for reference in references):
                        return f"run by CronJob `{workload.name}` ({path}, `{schedule}`)"
    return None


def _airflow_schedule(tree: ast.Module) -> str | None:
    """The schedule of an Airflow ``DAG(...)``/``@dag(...)`` in a module (not ``None``)."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = dotted_name(node.func) or ""
        if name.rsplit(".", 1)[-1] not in ("DAG", "dag"):
            continue
        for keyword in node.keywords:
            if keyword.arg in _AIRFLOW_SCHEDULE:
                value = constant_value(keyword.value)
                if value is None:
                    continue
                if isinstance(value, str) and value.strip():
                    return value.strip()
                if value is ...:
                    return ast.unparse(keyword.value)[:40]
    return None


def _dag_running(ctx: DetectorContext, module: PythonModule) -> str | None:
    dags = ctx.index.memo(("alerting", "airflow-dags"), lambda: python_modules(ctx, GROUND_TRUTH, "DAG", "@dag")[0])
    for dag in dags:
        if dag.path == module.path:
            continue
        schedule = _airflow_schedule(dag.tree)
        if schedule is None:
            continue
        imported = imported_modules(dag.tree, current_module=dag.name)
        if module.name in imported or any(name.startswith(module.name + ".") for name in imported) or (
            module.path in dag.text or f"-m {module.name}" in dag.text
        ):
            return f"run by Airflow DAG in `{dag.path}` scheduled `{schedule}`"
    return None


# ====================================================================== item 37
_CATEGORIES = ("latency", "errors", "CPU", "memory", "GPU", "disk")
_SATURATION = ("CPU", "memory", "GPU", "disk")
_PLATFORM_PREFIXES = ("prometheus_", "alertmanager_", "etcd_", "apiserver_", "coredns_", "certmanager_", "x509_",
                      "ssl_", "probe_ssl", "scheduler_", "workqueue_", "rest_client_")
_NOT_SERVING = frozenset({"cpu", "gc", "scrape", "job", "cronjob", "training", "train", "batch", "etl", "pipeline",
                          "backup", "compaction"})
_REQUEST_WORDS = frozenset({"request", "requests", "http", "grpc", "rpc", "inference", "predict", "prediction",
                            "server", "handler", "response", "api", "route", "serving", "model"})


def health_categories(rule: Rule, names: list[str]) -> list[str]:
    """The system health categories an alert's metrics fall in."""
    names = [name for name in names if not name.lower().startswith(_PLATFORM_PREFIXES)]
    tokens = _tokens(names)
    expr = rule.expr
    found = []
    functions = functions_called(expr)
    timing = "latency" in tokens or "duration" in tokens or ("seconds" in tokens and "bucket" in tokens)
    request = "latency" in tokens or bool(tokens & _REQUEST_WORDS) or "histogram_quantile" in functions
    if timing and request and not tokens & _NOT_SERVING:
        found.append("latency")
    status = re.search(r"\b(?:code|status|status_code|http_status|response_code)\s*=~?\s*\"\^?5", expr)
    if tokens & {"error", "errors", "exceptions", "exception", "failed", "failures", "failure"} or status:
        if tokens & _REQUEST_WORDS or status or "ratio" in tokens or "rate" in tokens:
            found.append("errors")
    if "cpu" in tokens or "throttled" in tokens:
        found.append("CPU")
    if tokens & {"memory", "rss", "oom", "oomkilled"} or "OOMKilled" in expr:
        found.append("memory")
    if tokens & {"gpu", "dcgm", "nvidia", "cuda"}:
        found.append("GPU")
    if tokens & {"disk", "filesystem", "fs", "volume", "inodes"}:
        found.append("disk")
    return found


def _duration_ok(duration: str | None) -> bool:
    return bool(duration) and HELM_PLACEHOLDER not in (duration or "") and re.fullmatch(r"(?:0+[smhdwy]?)", duration or "") is None


def _is_availability(rule: Rule, names: list[str]) -> bool:
    return bool(names) and all(name in ("up", "kube_deployment_status_replicas_available", "probe_success")
                               or name.startswith("kube_pod_container_status") for name in names)


@dataclass(frozen=True)
class _HealthAlert:
    rule: Rule
    categories: tuple[str, ...]
    threshold: bool
    duration: bool

    @property
    def complete(self) -> bool:
        return self.threshold and self.duration


@detector(
    name="system-health-alerts",
    items=(HEALTH,),
    looks_for=(
        "Prometheus alert rules with numeric thresholds and for: durations on latency or error rate plus CPU, "
        "memory, GPU or disk of the serving workload"
    ),
)
def system_health_alerts(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 37 from Prometheus rule files (see the module docstring)."""
    files, problems = item_rule_files(ctx, HEALTH, re.compile(r"cpu|memory|latency|error|disk|gpu", re.IGNORECASE))
    yield from problems
    recorded = {rule.name: rule for rule in rule_files(ctx.index).recording_rules().values()}
    alerts: list[_HealthAlert] = []
    availability: list[Rule] = []
    for rule_file in files:
        for rule in rule_file.alerts:
            if not rule.has_expr:
                continue
            _, names = _rule_metric_tokens(rule, recorded)
            categories = health_categories(rule, names)
            if not categories:
                if _is_availability(rule, names):
                    availability.append(rule)
                continue
            threshold = any(comparison.value is not None for comparison in comparisons(rule.expr))
            alerts.append(_HealthAlert(rule, tuple(categories), threshold, _duration_ok(rule.duration)))
    if not alerts:
        if availability:
            rule = availability[0]
            yield ctx.partial(
                HEALTH,
                f"only availability alerts ({_names(item.name for item in availability)}); no latency, error-rate or "
                "saturation alert",
                path=rule.path,
                line=rule.line,
            )
        return
    yield _health_verdict(ctx, alerts)


def _health_verdict(ctx: DetectorContext, alerts: list[_HealthAlert]) -> Evidence:
    complete = [alert for alert in alerts if alert.complete]
    covered = [category for category in _CATEGORIES if any(category in alert.categories for alert in complete)]
    missing = [category for category in _CATEGORIES if category not in covered]
    incomplete = [alert for alert in alerts if not alert.complete]
    notes = []
    if incomplete:
        no_threshold = [alert.rule.name for alert in incomplete if not alert.threshold]
        no_duration = [alert.rule.name for alert in incomplete if not alert.duration]
        if no_threshold:
            notes.append(f"{_names(no_threshold, 2)} without a numeric threshold")
        if no_duration:
            notes.append(f"{_names(no_duration, 2)} without a `for:` duration")
    signals = any(category in covered for category in ("latency", "errors"))
    saturation = any(category in covered for category in _SATURATION)
    anchor = (complete or alerts)[0].rule
    files = sorted({alert.rule.path for alert in complete})
    covers = ", ".join(covered) if covered else "nothing"
    if signals and saturation:
        detail = (
            f"{_plural(len(complete), 'health alert')} with thresholds and `for:` durations cover {covers}"
            + (f" (not covered: {', '.join(missing)})" if missing else "")
            + (f" in {len(files)} files" if len(files) > 1 else "")
        )
        return ctx.supports(HEALTH, detail, path=anchor.path, line=anchor.line)
    lacking = []
    if not signals:
        lacking.append("no latency or error-rate alert")
    if not saturation:
        lacking.append("no CPU, memory, GPU or disk alert")
    detail = f"complete health alerts cover {covers}: {'; '.join(lacking)}"
    if notes:
        detail += f"; {'; '.join(notes)}"
    return ctx.partial(HEALTH, detail, path=anchor.path, line=anchor.line)


DETECTORS: tuple[Detector, ...] = (
    input_quality_alerts,
    prediction_metrics,
    prediction_drift_job,
    ground_truth_job,
    system_health_alerts,
)
