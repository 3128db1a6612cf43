"""Safety-nets items about watching a model in production: business metrics beside ML metrics,
runbook links on alerts, and inference cost against a budget.

Metric names are read word by word (``ranker_ctr_ratio`` is about CTR); a panel or rule title
alone is never evidence, its query decides. Test modules, vendored and generated folders are
not evidence.

``business-metrics-monitoring`` (business-metrics)
    Prometheus recording or alerting rules and Grafana panels whose queries read a business
    metric (commerce, marketplaces and ads, payments, subscriptions, support: ``BUSINESS_WORDS``
    and ``BUSINESS_PHRASES``, e.g. CTR, conversions, revenue, GMV, approvals, declines,
    chargebacks, fraud losses, churn, renewals, handle time, CSAT), from metric names or from
    outcome label values (``decision="decline"``): **supports**.

``business-metrics-code`` (business-metrics)
    Non-test Python that emits a business metric: ``prometheus_client`` / OpenTelemetry metric
    names, or statsd / Datadog calls (``statsd.increment("checkout.conversion")``):
    **supports**.

``business-metrics-definitions`` (business-metrics)
    dbt semantic-layer / metrics YAML (``metrics:`` entries with a ``name`` and a ``type``,
    ``calculation_method``, ``type_params`` or ``expression``): a business metric **supports**.

Metrics about the model or the service only (``ML_ONLY_WORDS``: accuracy, AUC, loss, precision,
recall, drift, latency, errors) are not business metrics and give nothing.

``alert-runbook-links`` (alert-runbook-links)
    Every Prometheus alerting rule of the repository (rule files, ``PrometheusRule``, Helm values)
    and every Grafana-provisioned alert rule (``groups[].rules[]`` with ``title`` and
    ``condition``) is counted; an alert has a runbook when a ``runbook_url`` / ``runbook`` /
    ``playbook`` annotation is an http(s) link (not on ``example.com``) or a path to a file that
    exists in the repository. At least 80% of alerts linked: **supports** (the detail names
    those without); fewer: **partial** with the counts; broken links count as missing and are
    named.

``cost-budget-terraform`` (cost-monitoring)
    Terraform ``aws_budgets_budget`` (``limit_amount`` and a ``notification`` block),
    ``google_billing_budget`` (``amount`` and ``threshold_rules``),
    ``azurerm_consumption_budget_*`` (``amount`` and a ``notification`` block): **supports**;
    a budget with no alert threshold, or an ``aws_ce_anomaly_monitor`` alone: **partial**.

``cost-alerts`` (cost-monitoring)
    Prometheus alerting rules on cost metrics (cost / spend / billing / budget words, or the
    OpenCost / Kubecost series such as ``node_total_hourly_cost``) comparing with a number:
    **supports**; recording rules or Grafana panels on cost metrics without an alert, and
    Kubecost / OpenCost installed (Helm values or manifests) without a threshold: **partial**.

``cost-budget-document`` (cost-monitoring)
    A Markdown section about cost or budget (inference cost, cost monitoring, budget, spend)
    with a budget figure (a currency amount, such as ``$4,000 per month`` or ``EUR 1.2k``):
    **supports**; such a section without a figure: **partial**.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterable, Iterator
from typing import Any

from pytest_mlchecklist.detectors.alerting import rule_runbook
from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector
from pytest_mlchecklist.detectors.data_handling import plural
from pytest_mlchecklist.detectors.data_versioning import listed
from pytest_mlchecklist.detectors.grafana import dashboards
from pytest_mlchecklist.detectors.model_docs import markdown_paths, unit_lines
from pytest_mlchecklist.detectors.prometheus import (
    Rule,
    comparisons,
    line_of_mapping,
    metric_definitions,
    metric_names,
    name_tokens,
    rule_files,
    selectors,
    yaml_with_lines,
)
from pytest_mlchecklist.detectors.python_code import dotted_name, is_test_path, repository_modules
from pytest_mlchecklist.detectors.runbooks import plain_title, top_level_matches
from pytest_mlchecklist.detectors.terraform import HclError, attribute, hcl_blocks, nested_blocks
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.markdown import is_substantive

BUSINESS = "business-metrics"
RUNBOOK_LINKS = "alert-runbook-links"
COST = "cost-monitoring"


def _is_evidence_path(ctx: DetectorContext, path: str, item: str) -> bool:
    """Not vendored or generated, not a test fixture, unless the team declared it for ``item``."""
    if path in ctx.declared(item):
        return True
    return not ctx.index.is_non_evidence(path) and not is_test_path(path)


# ====================================================================== business metrics
#: Business outcomes a model moves, by domain: single words of metric names (``ranker_ctr_ratio``) and of
#: outcome label values (``decision="decline"``). The list is documented in docs/detectors/business-metrics.md.
BUSINESS_WORDS: dict[str, frozenset[str]] = {
    "commerce": frozenset({
        "purchase", "purchases", "order", "orders", "checkout", "checkouts", "basket", "cart", "sales", "aov",
        "revenue", "revenues",
    }),
    "marketplaces and ads": frozenset({
        "gmv", "booking", "bookings", "ctr", "cvr", "click", "clicks", "clickthrough", "conversion", "conversions",
        "converted", "arpu", "arppu", "ltv",
    }),
    "payments": frozenset({
        "approval", "approvals", "approve", "approved", "decline", "declines", "declined", "chargeback",
        "chargebacks",
    }),
    "subscriptions and engagement": frozenset({
        "churn", "churned", "retention", "retained", "renewal", "renewals", "renewed", "subscriptions",
        "subscribers", "signup", "signups", "engagement", "dau", "mau",
    }),
    "support": frozenset({"csat", "nps", "aht"}),
}
#: Business outcomes named by several words (``fraud_loss_usd``, ``ticket_handle_time_seconds``). A phrase counts
#: even beside a unit word (seconds, duration) and takes its words out of the look-alike check (``fraud_loss``
#: is money, ``loss`` alone is a model's training loss).
BUSINESS_PHRASES: dict[str, tuple[tuple[str, ...], ...]] = {
    "commerce": (("average", "order", "value"), ("revenue", "loss")),
    "payments": (("fraud", "loss"), ("fraud", "losses"), ("credit", "loss"), ("credit", "losses"),
                 ("authorisation", "rate"), ("authorization", "rate"), ("auth", "rate")),
    "support": (("handle", "time"), ("resolution", "time"), ("time", "to", "resolution"),
                ("first", "contact", "resolution"), ("customer", "satisfaction")),
}
#: Words of metrics about the model or the service only: a name with one of them is not a business metric
#: (``conversion_model_auc``, ``checkout_latency_seconds``, ``orders_errors_total``).
ML_ONLY_WORDS = frozenset({
    "accuracy", "auc", "roc", "loss", "logloss", "precision", "recall", "f1", "mse", "rmse", "mae", "psi",
    "drift", "calibration", "latency", "error", "errors",
})
#: Words that make an otherwise business-looking name about the system (a queue, a batch job, a feature).
_SYSTEM_WORDS = frozenset({"queue", "batch", "feature"})
#: Units and histogram parts: with them a single business word measures a system step (``checkout_duration_seconds``).
_UNIT_WORDS = frozenset({"duration", "seconds", "bucket"})
#: Labels whose values name a business outcome (``decision="approve"``); other labels (route, job) are not read.
_OUTCOME_LABELS = frozenset({"decision", "outcome", "result", "status", "event", "action", "type", "state"})
_ALL_BUSINESS_WORDS = frozenset(word for words in BUSINESS_WORDS.values() for word in words)
_ALL_BUSINESS_PHRASES = tuple(phrase for phrases in BUSINESS_PHRASES.values() for phrase in phrases)


#: Inflected forms shown under one name in details (``declined`` and ``decline`` are both declines).
_SHOWN_AS = {
    "approve": "approvals", "approved": "approvals", "approval": "approvals", "decline": "declines",
    "declined": "declines", "chargeback": "chargebacks", "churned": "churn", "retained": "retention",
    "renewal": "renewals", "renewed": "renewals", "click": "clicks", "conversion": "conversions",
    "converted": "conversions", "purchase": "purchases", "booking": "bookings", "revenues": "revenue",
}


def _shown(words: Iterable[str], limit: int) -> str:
    """Business words for a detail: one name per outcome, at most ``limit`` of them."""
    return ", ".join(list(dict.fromkeys(_SHOWN_AS.get(word, word) for word in words))[:limit])


def _split_phrases(tokens: list[str]) -> tuple[list[str], list[str]]:
    """(business phrases found, the tokens not used by a phrase)."""
    phrases: list[str] = []
    rest: list[str] = []
    position = 0
    while position < len(tokens):
        phrase = next((phrase for phrase in _ALL_BUSINESS_PHRASES
                       if tuple(tokens[position: position + len(phrase)]) == phrase), None)
        if phrase is None:
            rest.append(tokens[position])
            position += 1
        else:
            phrases.append(" ".join(phrase))
            position += len(phrase)
    return phrases, rest


def business_words(name: str) -> list[str]:
    """The business words of a metric name (empty for model, system and infrastructure metrics)."""
    phrases, tokens = _split_phrases(name_tokens(name))
    if set(tokens) & (ML_ONLY_WORDS | _SYSTEM_WORDS):
        return []
    if not phrases and set(tokens) & _UNIT_WORDS:
        return []
    words = [token for token in tokens if token in _ALL_BUSINESS_WORDS]
    if "order" in words and not set(tokens) & {"orders", "value", "total", "count", "placed", "completed", "aov"}:
        words.remove("order")  # "order" alone is as often sorting as commerce
    return phrases + words


def _expr_business_words(expr: str) -> list[str]:
    """Business words of the metrics a PromQL expression reads and of its outcome label values
    (``x_decisions_total{decision="decline"}``), unless the metric itself is a model or system metric."""
    names = metric_names(expr)
    words = [word for name in names for word in business_words(name)]
    for metric, label, operator, value in selectors(expr):
        if operator not in ("=", "=~") or label.lower() not in _OUTCOME_LABELS:
            continue
        tokens = set(name_tokens(metric or ""))
        if tokens & (ML_ONLY_WORDS | _SYSTEM_WORDS | _UNIT_WORDS):
            continue
        for alternative in value.split("|"):
            words.extend(business_words(alternative))
    return list(dict.fromkeys(words))


def _sql_business_words(query: str) -> list[str]:
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", query)
    found: list[str] = []
    for word in words:
        found.extend(business_words(word))
    return list(dict.fromkeys(found))


@detector(
    name="business-metrics-monitoring",
    items=(BUSINESS,),
    looks_for="Prometheus rules or Grafana panels whose queries read business metrics (CTR, conversion, revenue, "
    "orders, approval/decline rates, chargebacks, churn, retention, resolution time...), not only model metrics",
)
def business_metrics_monitoring(ctx: DetectorContext) -> Iterator[Evidence]:
    """Business metrics read by rules and dashboards (see the module docstring)."""
    index = rule_files(ctx.index)
    for path in index.unreadable:
        if _is_evidence_path(ctx, path, BUSINESS) and re.search(r"ctr|conversion|revenue|business", path, re.IGNORECASE):
            yield ctx.unreadable(BUSINESS, path)
    by_file: dict[str, list[tuple[Rule, list[str]]]] = {}
    for rule in index.rules():
        if not _is_evidence_path(ctx, rule.path, BUSINESS):
            continue
        words = business_words(rule.name) if not rule.alerting else []
        words += _expr_business_words(rule.expr)
        if words:
            by_file.setdefault(rule.path, []).append((rule, list(dict.fromkeys(words))))
    for path, found in by_file.items():
        alerts = [rule for rule, _ in found if rule.alerting]
        words = list(dict.fromkeys(word for _, found_words in found for word in found_words))
        kind = f"{plural(len(alerts), 'alert')} and {plural(len(found) - len(alerts), 'recording rule')}"
        yield ctx.supports(BUSINESS, f"{kind} on business metrics ({_shown(words, 4)})",
                           path=path, line=found[0][0].line, values={"rules": float(len(found))})
    for dashboard in dashboards(ctx.index).dashboards:
        if not _is_evidence_path(ctx, dashboard.path, BUSINESS):
            continue
        panels: list[str] = []
        words: list[str] = []
        first_line = None
        for panel, query in dashboard.queries():
            found_words = (
                _expr_business_words(query.text)
                if query.field == "expr" else _sql_business_words(query.text)
            )
            if found_words:
                panels.append(panel.title or "(untitled)")
                words.extend(found_words)
                first_line = first_line or panel.line
        if panels:
            yield ctx.supports(BUSINESS, f"{dashboard.label} charts business metrics ({_shown(words, 8)}) "
                               f"in {plural(len(set(panels)), 'panel')}", path=dashboard.path, line=first_line or dashboard.line)


_STATSD_METHODS = frozenset({"incr", "increment", "decr", "decrement", "gauge", "count", "histogram", "distribution",
                             "timing", "set", "timer"})
_STATSD_RECEIVER = re.compile(r"statsd|dogstatsd|datadog|metrics", re.IGNORECASE)


def _statsd_metrics(tree: ast.Module) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr not in _STATSD_METHODS:
            continue
        receiver = dotted_name(node.func.value) or ""
        if not _STATSD_RECEIVER.search(receiver) or not node.args:
            continue
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            yield first.value, node.lineno


@detector(
    name="business-metrics-code",
    items=(BUSINESS,),
    looks_for="serving or job code emitting business metrics: prometheus_client/OpenTelemetry metric names or "
    "statsd calls about CTR, conversion, revenue, orders...",
)
def business_metrics_code(ctx: DetectorContext) -> Iterator[Evidence]:
    """Business metrics emitted by non-test Python (see the module docstring)."""
    seen: set[str] = set()
    for definition in metric_definitions(ctx.index):
        if definition.is_test or not _is_evidence_path(ctx, definition.path, BUSINESS) or definition.path in seen:
            continue
        words = business_words(definition.name)
        if words:
            seen.add(definition.path)
            yield ctx.supports(BUSINESS, f"{definition.library} {definition.kind} `{definition.name}` tracks a business "
                               f"metric ({', '.join(words)})", path=definition.path, line=definition.line)
    for module in repository_modules(ctx, BUSINESS):
        if module.path in seen or not module.mentions("statsd", "datadog") or not module.parses:
            continue
        for name, line in _statsd_metrics(module.tree):
            words = business_words(name)
            if words:
                yield ctx.supports(BUSINESS, f"statsd metric `{name}` tracks a business metric ({', '.join(words)})",
                                   path=module.path, line=line)
                break


def _dbt_metrics(document: Any) -> Iterator[tuple[str, int | None]]:
    if not isinstance(document, dict):
        return
    metrics = document.get("metrics")
    for metric in metrics if isinstance(metrics, list) else []:
        if not isinstance(metric, dict) or not isinstance(metric.get("name"), str):
            continue
        if any(key in metric for key in ("type", "calculation_method", "type_params", "expression", "sql", "measure")):
            yield metric["name"], line_of_mapping(metric)


@detector(
    name="business-metrics-definitions",
    items=(BUSINESS,),
    looks_for="a dbt semantic-layer / metrics YAML defining business metrics (conversion rate, revenue per session...)",
)
def business_metrics_definitions(ctx: DetectorContext) -> Iterator[Evidence]:
    """Business metrics defined in a metrics layer (see the module docstring)."""
    for path in ctx.candidates(BUSINESS, ctx.index.with_suffix(".yml", ".yaml")):
        text = ctx.index.read_text(path)
        if text is None or not re.search(r"^metrics\s*:", text, re.MULTILINE):
            continue
        documents = yaml_with_lines(ctx.index, path)
        if documents is None:
            yield ctx.unreadable(BUSINESS, path)
            continue
        found = [(name, line) for document in documents for name, line in _dbt_metrics(document) if business_words(name)]
        if found:
            yield ctx.supports(BUSINESS, f"metrics layer defines {plural(len(found), 'business metric')} "
                               f"({listed([name for name, _ in found])})", path=path, line=found[0][1])


# ====================================================================== alert runbook links
_GRAFANA_HINT = re.compile(r"^\s*-?\s*condition\s*:", re.MULTILINE)


def _grafana_alert_rules(ctx: DetectorContext) -> tuple[list[Rule], list[str]]:
    """Grafana file-provisioned alert rules, as :class:`Rule` objects, and files that do not parse."""
    rules: list[Rule] = []
    unreadable: list[str] = []
    for path in ctx.candidates(RUNBOOK_LINKS, ctx.index.with_suffix(".yaml", ".yml")):
        text = ctx.index.read_text(path)
        if text is None or "groups" not in text or not _GRAFANA_HINT.search(text) or "title" not in text:
            continue
        documents = yaml_with_lines(ctx.index, path)
        if documents is None:
            unreadable.append(path)
            continue
        for document in documents:
            groups = document.get("groups") if isinstance(document, dict) else None
            for group in groups if isinstance(groups, list) else []:
                entries = group.get("rules") if isinstance(group, dict) else None
                for entry in entries if isinstance(entries, list) else []:
                    if not isinstance(entry, dict) or "title" not in entry or "condition" not in entry:
                        continue
                    annotations = entry.get("annotations") if isinstance(entry.get("annotations"), dict) else {}
                    rules.append(Rule(
                        path=path, group=str(group.get("name") or group.get("folder") or "(group)"), kind="alert",
                        name=str(entry.get("title")), expr="", line=line_of_mapping(entry),
                        annotations={str(key): str(value) for key, value in annotations.items() if value is not None},
                    ))
    return rules, unreadable


@detector(
    name="alert-runbook-links",
    items=(RUNBOOK_LINKS,),
    looks_for="a `runbook_url` (or runbook/playbook) annotation on most alert rules (Prometheus, PrometheusRule, "
    "Grafana provisioning), pointing at a real page or at a file that exists in the repository",
)
def alert_runbook_links(ctx: DetectorContext) -> Iterator[Evidence]:
    """How many alerts say what to do when they fire (see the module docstring)."""
    index = rule_files(ctx.index)
    for path in index.unreadable:
        if _is_evidence_path(ctx, path, RUNBOOK_LINKS):
            yield ctx.unreadable(RUNBOOK_LINKS, path)
    alerts = [rule for rule in index.rules() if rule.alerting and _is_evidence_path(ctx, rule.path, RUNBOOK_LINKS)]
    grafana, broken = _grafana_alert_rules(ctx)
    for path in broken:
        yield ctx.unreadable(RUNBOOK_LINKS, path)
    alerts.extend(rule for rule in grafana if rule.path not in index.files)
    if not alerts:
        return
    missing: list[Rule] = []
    problems: list[str] = []
    for rule in alerts:
        link, problem = rule_runbook(ctx, rule)
        if link is None:
            missing.append(rule)
            if problem is not None:
                problems.append(f"{rule.label}: {problem}")
    linked = len(alerts) - len(missing)
    share = linked / len(alerts)
    values = {"alerts": float(len(alerts)), "linked": float(linked)}
    files = sorted({rule.path for rule in alerts})
    where_rule = missing[0] if missing else alerts[0]
    where = {"path": where_rule.path, "line": where_rule.line}
    summary = f"{linked} of {plural(len(alerts), 'alert')} in {plural(len(files), 'file')} link a runbook"
    broken_note = f"; {problems[0]}" + (f" (and {len(problems) - 1} more broken links)" if len(problems) > 1 else "") if problems else ""
    if not missing:
        yield ctx.supports(RUNBOOK_LINKS, summary, values=values, **where)
    elif share >= 0.8:
        yield ctx.supports(RUNBOOK_LINKS, f"{summary}; without one: {listed([rule.name for rule in missing])}{broken_note}",
                           values=values, **where)
    elif linked:
        yield ctx.partial(RUNBOOK_LINKS, f"{summary}; without one: {listed([rule.name for rule in missing])}{broken_note}; "
                          "add a `runbook_url` annotation to each alert", values=values, **where)
    else:
        yield ctx.partial(RUNBOOK_LINKS, f"none of the {plural(len(alerts), 'alert')} links a runbook{broken_note}; add a "
                          "`runbook_url` annotation to each alert", values=values, **where)


# ====================================================================== cost monitoring
_BUDGET_TYPES = frozenset({
    "aws_budgets_budget", "google_billing_budget", "azurerm_consumption_budget_subscription",
    "azurerm_consumption_budget_resource_group", "azurerm_consumption_budget_management_group",
    "aws_ce_anomaly_monitor", "aws_ce_anomaly_subscription",
})


def _budget(block: Any) -> tuple[str, str]:
    """``(verdict, detail)`` for one budget resource block."""
    kind, name = block.labels[0], block.labels[1] if len(block.labels) > 1 else "?"
    label = f"`{kind}.{name}`"
    if kind.startswith("aws_ce_anomaly"):
        return "partial", f"{label} watches cost anomalies, but no budget states what the inference may cost"
    if kind == "aws_budgets_budget":
        amount = attribute(block, "limit_amount") or (("planned", 0) if nested_blocks(block, "planned_limit") else None)
        alerts = nested_blocks(block, "notification")
    elif kind == "google_billing_budget":
        amount = ("amount", 0) if nested_blocks(block, "amount") else None
        alerts = nested_blocks(block, "threshold_rules")
    else:
        amount = attribute(block, "amount")
        alerts = nested_blocks(block, "notification")
    if amount is None:
        return "partial", f"{label} sets no amount"
    if not alerts:
        return "partial", f"{label} sets an amount but no alert threshold, so nobody hears when it is exceeded"
    return "supports", f"{label} sets a budget with {plural(len(alerts), 'alert threshold')}"


@detector(
    name="cost-budget-terraform",
    items=(COST,),
    looks_for="a cloud budget in Terraform with an amount and alert thresholds (aws_budgets_budget, "
    "google_billing_budget, azurerm_consumption_budget_*)",
)
def cost_budget_terraform(ctx: DetectorContext) -> Iterator[Evidence]:
    """Cloud budgets declared in Terraform (see the module docstring)."""
    for path in ctx.candidates(COST, ctx.index.with_suffix(".tf")):
        text = ctx.index.read_text(path)
        if text is None or not any(kind in text for kind in _BUDGET_TYPES):
            continue
        try:
            blocks = list(hcl_blocks(text, _BUDGET_TYPES))
        except HclError as exc:
            yield ctx.evidence(COST, f"could not decide from this file: {exc}", verdict="unreadable", path=path)
            continue
        judged = [(block, *_budget(block)) for block in blocks]
        judged.sort(key=lambda entry: entry[1] != "supports")
        for block, verdict, detail in judged[:1]:
            yield ctx.evidence(COST, detail, verdict=verdict, path=path, line=block.line)  # type: ignore[arg-type]


_COST_TOKENS = frozenset({"cost", "costs", "spend", "spending", "billing", "budget", "dollars", "usd", "eur", "price"})
_OPENCOST_SERIES = re.compile(r"^(?:node_(?:total|cpu|ram|gpu)_hourly_cost|kubecost_\w+|opencost_\w+|"
                              r"pv_hourly_cost|container_\w+_allocation)$")
_COST_TOOL = re.compile(r"kubecost|opencost", re.IGNORECASE)


def is_cost_metric(name: str) -> bool:
    """True for a metric about money spent (not a model's "cost function" or loss)."""
    tokens = set(name_tokens(name))
    if tokens & {"loss", "function", "training", "train"}:
        return False
    return bool(tokens & _COST_TOKENS) or bool(_OPENCOST_SERIES.match(name))


@detector(
    name="cost-alerts",
    items=(COST,),
    looks_for="Prometheus alert rules on cost metrics (OpenCost/Kubecost series, cost or spend metrics) with a "
    "numeric threshold; cost dashboards and Kubecost/OpenCost installs count as partial",
)
def cost_alerts(ctx: DetectorContext) -> Iterator[Evidence]:
    """Alerts and dashboards on the cost of serving (see the module docstring)."""
    found_alert = False
    partial: list[Evidence] = []
    for rule in rule_files(ctx.index).rules():
        if not _is_evidence_path(ctx, rule.path, COST):
            continue
        names = [name for name in metric_names(rule.expr) if is_cost_metric(name)]
        if not rule.alerting and is_cost_metric(rule.name):
            names.append(rule.name)
        if not names:
            continue
        limits = [comparison.value for comparison in comparisons(rule.expr) if comparison.value is not None]
        if rule.alerting and limits:
            found_alert = True
            yield ctx.supports(COST, f"{rule.label} fires when cost metric `{names[0]}` crosses {limits[0]:g}",
                               path=rule.path, line=rule.line)
        elif not rule.alerting:
            partial.append(ctx.partial(COST, f"{rule.label} records cost metric `{names[0]}`, but no alert compares it "
                                       "with a budget", path=rule.path, line=rule.line))
    if found_alert:
        return
    for dashboard in dashboards(ctx.index).dashboards:
        if not _is_evidence_path(ctx, dashboard.path, COST):
            continue
        for panel, query in dashboard.queries():
            if any(is_cost_metric(name) for name in metric_names(query.text)) if query.field == "expr" else False:
                partial.append(ctx.partial(COST, f"{dashboard.label} charts cost (panel `{panel.title or '(untitled)'}`), "
                                           "but no alert compares it with a budget", path=dashboard.path, line=panel.line))
                break
    if not partial:
        for path in ctx.candidates(COST, ctx.index.with_suffix(".yaml", ".yml")):
            text = ctx.index.read_text(path)
            if text is None or not _COST_TOOL.search(text) or not _mentions_cost_tool_install(path, text):
                continue
            partial.append(ctx.partial(COST, "Kubecost/OpenCost is installed, but no budget or alert threshold on its "
                                       "cost metrics is found", path=path))
            break
    yield from partial[:2]


def _mentions_cost_tool_install(path: str, text: str) -> bool:
    """A Helm values/Chart, Argo CD Application or manifest that installs Kubecost or OpenCost."""
    name = posixpath.basename(path).lower()
    if name in ("chart.yaml", "values.yaml", "helmfile.yaml", "kustomization.yaml"):
        return True
    return bool(re.search(r"^\s*(?:chart|repoURL|image|name)\s*:\s*\S*(?:kubecost|opencost)", text, re.MULTILINE | re.IGNORECASE))


_COST_HEADING = re.compile(
    r"(?:inference|serving|compute|cloud|gpu|infra\w*|running|operating|hosting|monthly|model)\s+costs?\b"
    r"|\bcosts?\s+(?:monitoring|budget|control|tracking|estimate|management|and\s+budget|alerts?)\b|^\W*costs?\W*$"
    r"|\bbudgets?\b|\bspend(?:ing)?\b|finops|billing",
    re.IGNORECASE,
)
_NOT_COST_HEADING = re.compile(
    r"cost[\s-]+(?:function|sensitive|matrix)|loss|(?:error|latency|privacy|time|complexity)\s+budgets?", re.IGNORECASE
)
_CURRENCY = re.compile(
    r"(?:[$€£¥]\s?\d[\d,.]*\s*[kKmM]?\b)|(?:\b\d[\d,.]*\s*[kKmM]?\s*(?:USD|EUR|GBP|dollars|euros)\b)|(?:\b(?:USD|EUR|GBP)\s?\d[\d,.]*\s*[kKmM]?\b)"
)
_COST_HINT = re.compile(r"cost|budget|spend", re.IGNORECASE)


@detector(
    name="cost-budget-document",
    items=(COST,),
    looks_for="a Markdown cost / budget section with a budget figure (`$4,000 per month`, `EUR 1.2k`)",
)
def cost_budget_document(ctx: DetectorContext) -> Iterator[Evidence]:
    """A written inference budget (see the module docstring)."""
    for path in markdown_paths(ctx, COST):
        text = ctx.index.read_text(path)
        if text is None or not _COST_HINT.search(text):
            continue
        document = ctx.index.markdown(path)
        if document is None:
            yield ctx.unreadable(COST, path)
            continue
        sections = top_level_matches(document, _COST_HEADING, exclude=_NOT_COST_HEADING)
        if not sections:
            continue
        best: Evidence | None = None
        for section in sections:
            lines = unit_lines(document, section)  # table cells are prose lines of their row
            figures = [line for line, content in lines if _CURRENCY.search(content)]
            if figures:
                best = ctx.supports(COST, f"cost section `{plain_title(section.title)}` states a budget figure",
                                    path=path, line=figures[0])
                break
            if best is None:
                content = [text for _, text in lines if is_substantive(text)]
                detail = ("cost section has no budget figure (a currency amount per month or per request)" if content
                          else "cost heading with nothing under it")
                best = ctx.partial(COST, detail, path=path, line=section.line)
        if best is not None:
            yield best


DETECTORS: tuple[Detector, ...] = (
    business_metrics_monitoring,
    business_metrics_code,
    business_metrics_definitions,
    alert_runbook_links,
    cost_budget_terraform,
    cost_alerts,
    cost_budget_document,
)
