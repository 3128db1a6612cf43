"""The shared readers: Prometheus rules, PromQL helpers, metric definitions, Grafana dashboards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import write_file as write
from pytest_mlchecklist.detectors import grafana, prometheus
from pytest_mlchecklist.repo import RepoIndex


RULES = """\
# Data alerts of the ranking service.
groups:
  - name: ranking-data
    interval: 1m
    rules:
      - record: ranking:events_ingested:rate1h
        expr: sum(rate(ranking_events_ingested_total[1h]))

      - alert: RankingEventsStale
        expr: time() - max(ranking_ingest_last_success_timestamp_seconds{source="clicks"}) > 2 * 3600
        for: 15m
        labels:
          severity: page
          team: ranking
        annotations:
          summary: "No click events for {{ $value | humanizeDuration }}"
          runbook_url: https://wiki.example.org/runbooks/ranking-ingest
  - name: placeholder
    rules: []
"""


# ====================================================================== rule files
def test_plain_rule_file_gives_groups_rules_and_lines(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/ranking.rules.yml", RULES)
    index = RepoIndex(tmp_path)
    found = prometheus.rule_files(index)
    rule_file = found.files["monitoring/ranking.rules.yml"]
    assert [group.name for group in rule_file.groups] == ["ranking-data", "placeholder"]
    assert rule_file.groups[1].empty and not rule_file.empty
    record, alert = rule_file.rules
    assert (record.kind, record.name, record.line) == ("record", "ranking:events_ingested:rate1h", 6)
    assert (alert.kind, alert.name, alert.line, alert.duration) == ("alert", "RankingEventsStale", 9, "15m")
    assert alert.labels == {"severity": "page", "team": "ranking"}
    assert alert.annotations["runbook_url"].startswith("https://")
    assert alert.label == "alert `RankingEventsStale`" and record.label.startswith("recording rule")
    assert found.recording_rules()["ranking:events_ingested:rate1h"] is record
    assert rule_file.alerts == [alert]


def test_file_with_only_empty_groups_is_recognised_as_empty(tmp_path: Path) -> None:
    write(tmp_path, "alerts.yaml", "groups:\n  - name: todo\n    rules: []\n  - name: later\n    rules:\n")
    rule_file = prometheus.rule_files(RepoIndex(tmp_path)).files["alerts.yaml"]
    assert rule_file.empty and all(group.empty for group in rule_file.groups)


def test_prometheus_rule_resource_and_vmrule(tmp_path: Path) -> None:
    write(tmp_path, "k8s/rules.yaml", """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: feature-store
spec:
  groups:
    - name: feature-store.freshness
      rules:
        - alert: FeatureViewStale
          expr: time() - feast_materialization_last_success_timestamp_seconds > 6 * 3600
---
apiVersion: operator.victoriametrics.com/v1beta1
kind: VMRule
metadata:
  name: vm-rules
spec:
  groups:
    - name: vm
      rules:
        - alert: Up
          expr: up == 0
""")
    rule_file = prometheus.rule_files(RepoIndex(tmp_path)).files["k8s/rules.yaml"]
    assert [(rule.name, rule.resource, rule.line) for rule in rule_file.rules] == [
        ("FeatureViewStale", "feature-store", 9), ("Up", "vm-rules", 20)]


def test_helm_templated_prometheus_rule_keeps_lines_and_flags_templated_rules(tmp_path: Path) -> None:
    write(tmp_path, "charts/scorer/Chart.yaml", "apiVersion: v2\nname: scorer\nversion: 1.0.0\n")
    write(tmp_path, "charts/scorer/templates/rules.yaml", """\
{{- if .Values.prometheusRule.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: {{ include "scorer.fullname" . }}
  labels:
    {{- include "scorer.labels" . | nindent 4 }}
spec:
  groups:
    - name: {{ .Release.Name }}-data
      rules:
        - alert: ScorerInputStale
          expr: time() - scorer_input_last_success_timestamp_seconds{release="{{ .Release.Name }}"} > {{ .Values.staleSeconds }}
          annotations:
            summary: "{{`{{ $labels.source }}`}} is late"
    - name: extra
      rules:
{{ toYaml .Values.prometheusRule.extraRules | indent 8 }}
{{- end }}
""")
    write(tmp_path, "charts/scorer/values.yaml", """\
staleSeconds: 7200
prometheusRule:
  enabled: true
  extraRules:
    - alert: ScorerNoTraffic
      expr: sum(rate(scorer_requests_total[10m])) == 0
      for: 10m
""")
    found = prometheus.rule_files(RepoIndex(tmp_path))
    template = found.files["charts/scorer/templates/rules.yaml"]
    data, extra = template.groups
    assert data.name == "{{…}}-data" and data.rules[0].resource == "{{…}}"
    assert data.rules[0].line == 12
    assert prometheus.metric_names(data.rules[0].expr) == ["scorer_input_last_success_timestamp_seconds"]
    assert extra.templated and not extra.empty and extra.rules == ()
    values = found.files["charts/scorer/values.yaml"]
    assert [(group.name, [rule.name for rule in group.rules]) for group in values.groups] == [
        ("extraRules", ["ScorerNoTraffic"])]
    assert values.rules[0].line == 5


def test_templated_groups_of_a_resource(tmp_path: Path) -> None:
    write(tmp_path, "chart/templates/prometheusrule.yaml", """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: scorer
spec:
  groups:
{{ toYaml .Values.groups | indent 4 }}
""")
    rule_file = prometheus.rule_files(RepoIndex(tmp_path)).files["chart/templates/prometheusrule.yaml"]
    assert rule_file.templated_resources == ("scorer",) and not rule_file.empty


def test_look_alikes_are_not_rule_files(tmp_path: Path) -> None:
    write(tmp_path, "k8s/role.yaml", """\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules:
  - apiGroups: [""]
    resources: [pods]
    verbs: [get, list]
""")
    write(tmp_path, "grafana/alerting.yaml", """\
apiVersion: 1
groups:
  - orgId: 1
    name: data
    folder: ml
    rules:
      - uid: abc
        title: Stale data
        condition: B
""")
    found = prometheus.rule_files(RepoIndex(tmp_path))
    assert found.files == {} and found.unreadable == []


def test_malformed_rule_file_is_unreadable_with_a_reason(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/broken.rules.yaml", "groups:\n  - name: x\n    rules:\n      - alert: [unclosed\n        expr: up\n")
    index = RepoIndex(tmp_path)
    found = prometheus.rule_files(index)
    assert found.unreadable == ["monitoring/broken.rules.yaml"]
    assert "could not be parsed as YAML" in (index.problem("monitoring/broken.rules.yaml") or "")
    assert prometheus.read_rule_file(index, "monitoring/broken.rules.yaml") is None


# ====================================================================== PromQL
def test_metric_names_skip_functions_labels_ranges_and_keywords() -> None:
    expr = ('sum by (feature) (rate(fraud_feature_psi_bucket{job="drift", le="0.1"}[5m] offset 1h)) '
            '/ on(feature) group_left() fraud_feature_psi_count > bool 0.2 and $threshold')
    assert prometheus.metric_names(expr) == ["fraud_feature_psi_bucket", "fraud_feature_psi_count"]
    assert prometheus.functions_called(expr) == {"sum", "rate"}
    assert prometheus.metric_names('{__name__="orders_rows_total", job="etl"}') == ["orders_rows_total"]
    assert prometheus.metric_names("ranking:events_ingested:rate1h < 1") == ["ranking:events_ingested:rate1h"]


@pytest.mark.parametrize(
    ("expr", "operator", "value"),
    [
        ("time() - x_last_success_timestamp_seconds > 26 * 3600", ">", 93600.0),
        ("x_lag_seconds >= (2*60)", ">=", 120.0),
        ("absent(x_rows)", None, None),
        ("a > on() group_left() b", ">", None),
        ("3600 < time() - x", "<", 3600.0),
    ],
)
def test_comparisons_read_constant_thresholds(expr: str, operator: str | None, value: float | None) -> None:
    found = prometheus.comparisons(expr)
    if operator is None:
        assert found == []
    else:
        assert (found[0].operator, found[0].value) == (operator, value)


def test_selectors_age_subjects_tokens_and_durations() -> None:
    expr = 'time() - kube_cronjob_status_last_successful_time{cronjob="export", namespace!="dev"} > 3600'
    assert prometheus.selectors(expr) == [
        ("kube_cronjob_status_last_successful_time", "cronjob", "=", "export"),
        ("kube_cronjob_status_last_successful_time", "namespace", "!=", "dev"),
    ]
    assert prometheus.age_subjects(expr) == ["kube_cronjob_status_last_successful_time"]
    assert prometheus.age_subjects("x_rows_total > 5") == []
    assert prometheus.name_tokens("ranking:nullRate_byColumn") == ["ranking", "null", "rate", "by", "column"]
    assert [prometheus.format_seconds(value) for value in (93600, 5400, 172800, 42)] == ["26 h", "90 min", "2 d", "42 s"]
    assert prometheus.number_value("26 * 3600") == 93600 and prometheus.number_value("abc") is None


# ====================================================================== metric definitions
def test_metric_definitions_from_prometheus_client_otel_and_text_format(tmp_path: Path) -> None:
    write(tmp_path, "src/etl/metrics.py", '''\
from prometheus_client import Counter, Gauge
from opentelemetry import metrics

NULL_RATE = Gauge("null_rate", "Share of null values per column", ["column"], namespace="etl", subsystem="orders")
ROWS = Counter("etl_rows_loaded_total", "Rows loaded")
meter = metrics.get_meter("etl")
DISTINCT = meter.create_gauge("etl.orders.distinct_customers")
TEXT = """# HELP etl_last_success_timestamp_seconds Last success.
# TYPE etl_last_success_timestamp_seconds gauge
"""
''')
    write(tmp_path, "tests/test_metrics.py", 'from prometheus_client import Gauge\nG = Gauge("test_only_metric", "x")\n')
    found = prometheus.metric_definitions(RepoIndex(tmp_path))
    by_name = {definition.name: definition for definition in found}
    assert by_name["etl_orders_null_rate"].kind == "gauge" and by_name["etl_orders_null_rate"].line == 4
    assert by_name["etl_rows_loaded_total"].series_names() >= {"etl_rows_loaded_total", "etl_rows_loaded"}
    assert by_name["etl.orders.distinct_customers"].library == "opentelemetry"
    assert by_name["etl_last_success_timestamp_seconds"].library == "text format"
    assert by_name["test_only_metric"].is_test and not by_name["etl_orders_null_rate"].is_test


# ====================================================================== Grafana
def dashboard_json(**extra: object) -> str:
    board = {
        "uid": "orders-dq",
        "title": "Orders data quality",
        "schemaVersion": 39,
        "panels": [
            {"type": "row", "title": "Completeness", "collapsed": False, "panels": []},
            {"type": "timeseries", "title": "Null rate", "datasource": {"type": "prometheus", "uid": "prom"},
             "targets": [{"expr": "etl_orders_null_rate", "refId": "A"},
                         {"datasource": {"type": "__expr__"}, "expression": "$A > 0.1", "refId": "B"}]},
            {"type": "row", "title": "Volume", "collapsed": True, "panels": [
                {"type": "stat", "title": "Rows per load", "targets": [
                    {"datasource": {"type": "postgres"}, "rawSql": "SELECT count(*) FROM loads", "refId": "A"}]},
            ]},
            {"type": "text", "title": "Read me", "options": {"content": "..."}},
            {"title": "Shared panel", "libraryPanel": {"uid": "lib1", "name": "Shared panel"}},
        ],
        **extra,
    }
    return json.dumps(board, indent=2)


def test_json_dashboard_panels_rows_queries_and_lines(tmp_path: Path) -> None:
    write(tmp_path, "dashboards/orders.json", dashboard_json())
    found = grafana.dashboards(RepoIndex(tmp_path))
    (board,) = found.dashboards
    assert (board.title, board.uid, board.source, board.empty) == ("Orders data quality", "orders-dq", "json", False)
    assert [(panel.title, panel.row) for panel in board.panels] == [
        ("Null rate", "Completeness"), ("Rows per load", "Volume"), ("Read me", "Volume"), ("Shared panel", "Volume")]
    null_rate, rows, text, shared = board.panels
    assert [(query.field, query.datasource) for query in null_rate.queries] == [("expr", "prometheus")]
    assert rows.queries[0].field == "rawSql" and rows.queries[0].datasource == "postgres"
    assert text.queries == () and shared.library
    text_lines = (tmp_path / "dashboards/orders.json").read_text().splitlines()
    assert '"title": "Null rate"' in text_lines[null_rate.line - 1]
    assert [panel.title for panel, _ in board.queries()] == ["Null rate", "Rows per load"]


def test_api_envelope_legacy_rows_and_v2_elements(tmp_path: Path) -> None:
    write(tmp_path, "api.json", json.dumps({"dashboard": json.loads(dashboard_json()), "overwrite": True}))
    write(tmp_path, "legacy.json", json.dumps({"title": "Old", "rows": [
        {"title": "Inputs", "panels": [{"title": "Distinct users", "targets": [{"target": "etl.users.distinct"}]}]}]}))
    write(tmp_path, "v2.json", json.dumps({"apiVersion": "dashboard.grafana.app/v2beta1", "kind": "Dashboard",
                                           "metadata": {"name": "x"}, "spec": {"title": "New", "elements": {
        "panel-1": {"kind": "Panel", "spec": {"title": "Missing values", "data": {"kind": "QueryGroup", "spec": {
            "queries": [{"kind": "PanelQuery", "spec": {"query": {"kind": "DataQuery", "group": "prometheus",
                                                                  "spec": {"expr": "etl_missing_values"}}}}]}}}}}}}))
    boards = {board.path: board for board in grafana.dashboards(RepoIndex(tmp_path)).dashboards}
    assert boards["api.json"].title == "Orders data quality"
    assert boards["legacy.json"].panels[0].row == "Inputs"
    assert boards["legacy.json"].panels[0].queries[0].field == "target"
    v2 = boards["v2.json"].panels[0]
    assert (v2.title, v2.queries[0].text, v2.queries[0].datasource) == ("Missing values", "etl_missing_values", "prometheus")


def test_grafana_operator_resource_configmap_and_external(tmp_path: Path) -> None:
    embedded = "\n".join("    " + line for line in dashboard_json().splitlines())
    write(tmp_path, "deploy/dashboards.yaml", f"""\
apiVersion: grafana.integreatly.org/v1beta1
kind: GrafanaDashboard
metadata:
  name: orders-dq
spec:
  instanceSelector: {{matchLabels: {{dashboards: grafana}}}}
  json: |
{embedded}
---
apiVersion: grafana.integreatly.org/v1beta1
kind: GrafanaDashboard
metadata:
  name: data-quality-remote
spec:
  url: https://grafana.example.org/api/dashboards/uid/dq
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: grafana-dq
  labels: {{grafana_dashboard: "1"}}
data:
  dq.json: |-
{embedded}
""")
    found = grafana.dashboards(RepoIndex(tmp_path))
    sources = [(board.source, board.resource) for board in found.dashboards]
    assert sources == [("GrafanaDashboard", "orders-dq"), ("ConfigMap", "grafana-dq")]
    lines = (tmp_path / "deploy/dashboards.yaml").read_text().splitlines()
    for board in found.dashboards:
        assert '"title": "Null rate"' in lines[board.panels[0].line - 1]
    assert [(external.name, external.source) for external in found.external] == [("data-quality-remote", "url")]


def test_empty_dashboards_non_dashboards_and_malformed(tmp_path: Path) -> None:
    write(tmp_path, "empty.json", json.dumps({"title": "Data quality", "uid": "dq", "panels": []}))
    write(tmp_path, "rows-only.json", json.dumps({"title": "Placeholders", "panels": [{"type": "row", "title": "TODO"}]}))
    write(tmp_path, "package.json", json.dumps({"name": "ui", "rows": 3}))
    write(tmp_path, "broken.json", '{"title": "DQ", "panels": [')
    write(tmp_path, "cm.yaml", 'kind: ConfigMap\nmetadata: {name: x}\ndata:\n  dq.json: \'{"panels": [\'\n')
    found = grafana.dashboards(RepoIndex(tmp_path))
    boards = {board.path: board for board in found.dashboards}
    assert set(boards) == {"empty.json", "rows-only.json"}
    assert boards["empty.json"].empty and boards["rows-only.json"].empty and boards["rows-only.json"].panels == ()
    reasons = dict(found.unreadable)
    assert reasons["broken.json"] is None
    assert "does not parse" in (reasons["cm.yaml"] or "")


def test_odd_structures_never_raise(tmp_path: Path) -> None:
    write(tmp_path, "m/a.rules.yaml", """\
groups:
  - name: x
    rules: 5
  - name: [1]
    rules:
      - alert: {a: 1}
        expr: [1, 2]
        labels: [1]
        annotations: 7
      - record: 5
        expr: 3
      - 7
""")
    write(tmp_path, "m/b.yaml", "kind: PrometheusRule\nmetadata: 5\nspec: 7\n---\nkind: PrometheusRule\nspec: {groups: 5}\n")
    write(tmp_path, "d/a.json", json.dumps({
        "title": 5, "uid": 7, "rows": [1],
        "panels": [1, "a", {"targets": "x"}, {"type": "row", "panels": 7},
                   {"targets": [1, {"expr": 5}, {"rawSql": ""}], "datasource": 5}],
        "elements": {"a": 5, "b": {"spec": 5}, "c": {"spec": {"data": {"spec": {"queries": 5}}}}},
    }))
    write(tmp_path, "d/b.yaml", """\
kind: GrafanaDashboard
metadata: {name: 5}
spec: {json: 5}
---
kind: GrafanaDashboard
spec: 7
---
kind: ConfigMap
metadata: {name: x}
data: {a.json: '[1,2]', b.json: '{"panels": 5, "title": "x"}', c: 5}
""")
    index = RepoIndex(tmp_path)
    rules = prometheus.rule_files(index)
    (group_file,) = [rules.files[path] for path in rules.files if path == "m/a.rules.yaml"]
    assert [(rule.kind, rule.name, rule.expr) for rule in group_file.rules] == [("alert", "(unnamed)", ""), ("record", "5", "3")]
    assert not group_file.rules[0].has_expr
    found = grafana.dashboards(index)
    (board,) = found.dashboards
    assert board.title == "(untitled)" and board.empty
    assert [external.source for external in found.external] == ["none", "none"]


def test_a_document_whose_kind_is_not_a_string_is_not_a_rule_resource(tmp_path: Path) -> None:
    """A YAML file with a mapping under ``kind:`` (a schema, a form definition...) is skipped, not a crash."""
    write(tmp_path, "config/form.yaml", "kind: {type: string}\nspec:\n  groups: []\n")
    write(tmp_path, "monitoring/ranking.rules.yml", RULES)
    found = prometheus.rule_files(RepoIndex(tmp_path))
    assert "config/form.yaml" not in found.files
    assert "monitoring/ranking.rules.yml" in found.files
