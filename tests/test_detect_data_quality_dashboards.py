"""Item 9 (data-quality-dashboards): dashboards with data quality panels, emitted metrics, GX/whylogs/Evidently."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.data_monitoring import (
    data_quality_dashboard,
    data_quality_metrics,
    data_quality_reports,
)

ITEM = "data-quality-dashboards"


def panel(title: str, *exprs: str, field: str = "expr", source: str = "prometheus") -> dict[str, Any]:
    return {
        "type": "timeseries",
        "title": title,
        "datasource": {"type": source, "uid": "main"},
        "targets": [{field: expr, "refId": chr(65 + number)} for number, expr in enumerate(exprs)],
    }


def dashboard(title: str, *panels: dict[str, Any]) -> str:
    return json.dumps({"uid": title.lower().replace(" ", "-"), "title": title, "schemaVersion": 39,
                       "panels": list(panels)}, indent=2)


SERVICE_PANELS = (
    panel("Latency p99", "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"),
    panel("CPU", 'sum(rate(container_cpu_usage_seconds_total{container="scorer"}[5m]))'),
    panel("Score distribution", "sum by (le) (increase(churn_prediction_score_bucket[10m]))"),
)


# ====================================================================== dashboards
def test_dashboard_with_null_rate_and_distinct_panels_supports(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/dashboards/churn-inputs.json", dashboard(
        "Churn inputs",
        {"type": "row", "title": "Input quality", "panels": []},
        panel("Null rate per column", "max by (column) (churn_input_null_rate)"),
        panel("Distinct plans", "churn_input_distinct_values{column=\"plan\"}"),
        panel("Rows loaded", "sum(increase(churn_input_rows_loaded_total[1d]))"),
        *SERVICE_PANELS,
    ))
    evidence = run_detector(data_quality_dashboard, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert found.detail == ("Grafana dashboard `Churn inputs` shows data quality in 2 panels "
                            "(distinct counts, null rates)")
    lines = (tmp_path / "monitoring/dashboards/churn-inputs.json").read_text().splitlines()
    assert '"title": "Null rate per column"' in lines[found.line - 1]
    assert found.values == {"quality_panels": 2}


def test_grafana_operator_dashboard_with_sql_panels_supports(tmp_path: Path) -> None:
    board = dashboard("Warehouse checks",
                      panel("Missing emails", "SELECT day, avg(CASE WHEN email IS NULL THEN 1 ELSE 0 END) FROM crm.accounts "
                            "GROUP BY day", field="rawSql", source="postgres"),
                      panel("Failed dbt tests", "SELECT run_at, failures FROM elementary.dq_test_results",
                            field="rawSql", source="postgres"))
    embedded = "\n".join("    " + line for line in board.splitlines())
    write(tmp_path, "deploy/grafana/dashboards.yaml", f"""\
apiVersion: grafana.integreatly.org/v1beta1
kind: GrafanaDashboard
metadata:
  name: warehouse-checks
spec:
  json: |
{embedded}
""")
    evidence = run_detector(data_quality_dashboard, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "2 panels (data quality checks, null rates)" in evidence[0].detail


def test_nothing_there_gives_no_evidence(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# Churn\n\nWe look at null rates when something breaks.\n")
    for found in (data_quality_dashboard, data_quality_metrics, data_quality_reports):
        assert run_detector(found, tmp_path) == []


def test_service_dashboard_is_not_data_quality(tmp_path: Path) -> None:
    write(tmp_path, "dashboards/service.json", dashboard(
        "Churn scorer", *SERVICE_PANELS,
        panel("Model score PSI", "churn_prediction_psi"),
        panel("Rate-limited requests", "sum(rate(churn_ratelimit_rejected_requests_total[5m]))"),
        panel("Unique visitors", "sum(app_unique_visitors)"),
        panel("Air quality forecast", "avg(city_air_quality_index)"),
        panel("Schema registry", "sum(rate(schema_registry_requests_total[5m]))"),
    ))
    assert run_detector(data_quality_dashboard, tmp_path) == []


def test_business_sql_dashboard_is_not_data_quality(tmp_path: Path) -> None:
    write(tmp_path, "dashboards/product.json", dashboard(
        "Product KPIs",
        panel("Active customers", "SELECT day, COUNT(DISTINCT customer_id) FROM app.events WHERE deleted_at IS NULL "
              "GROUP BY day", field="rawSql", source="postgres"),
        panel("Tables", "SELECT count(*) FROM information_schema.tables", field="rawSql", source="postgres"),
    ))
    evidence = run_detector(data_quality_dashboard, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "only shows distinct values (1 panel)" in evidence[0].detail


def test_distinct_counts_on_a_dashboard_named_for_data_quality_support(tmp_path: Path) -> None:
    write(tmp_path, "dashboards/dq.json", dashboard(
        "Warehouse data quality",
        panel("Distinct customers per load", "SELECT load_id, COUNT(DISTINCT customer_id) FROM staging.orders GROUP BY 1",
              field="rawSql", source="postgres"),
    ))
    evidence = run_detector(data_quality_dashboard, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"] and "(distinct values)" in evidence[0].detail


def test_partial_dashboards_say_what_is_missing(tmp_path: Path) -> None:
    write(tmp_path, "dashboards/volume.json", dashboard("Ingestion", panel("Rows", "sum(rate(etl_rows_loaded_total[5m]))")))
    write(tmp_path, "dashboards/data-quality.json", dashboard("Data quality"))
    write(tmp_path, "dashboards/dq-placeholder.json", dashboard("DQ overview", panel("Uptime", "up{job=\"etl\"}")))
    evidence = run_detector(data_quality_dashboard, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"] * 3
    details = {found.path: found.detail for found in evidence}
    assert "only shows row counts (1 panel)" in details["dashboards/volume.json"]
    assert "named for data quality but has no panel with a query" in details["dashboards/data-quality.json"]
    assert "no panel queries a data quality metric" in details["dashboards/dq-placeholder.json"]


def test_malformed_dashboard_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "dashboards/quality.json", '{"title": "Data quality", "panels": [{"title": "Null rate",')
    write(tmp_path, "dashboards/other.json", '{"title": "Latency", "panels": [')
    evidence = run_detector(data_quality_dashboard, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"] and evidence[0].path == "dashboards/quality.json"


# ====================================================================== metrics without a dashboard
def test_emitted_metrics_without_dashboard_are_partial(tmp_path: Path) -> None:
    write(tmp_path, "src/churn/quality.py", """\
from prometheus_client import Gauge

NULL_RATE = Gauge("churn_input_null_rate", "Share of nulls per column", ["column"])
DISTINCT = Gauge("churn_input_distinct_values", "Distinct values per column", ["column"])
LATENCY = Gauge("churn_batch_seconds", "Batch duration")
""")
    write(tmp_path, "monitoring/quality.rules.yaml", """\
groups:
  - name: quality
    rules:
      - alert: NullRateHigh
        expr: churn_input_null_rate > 0.2
""")
    evidence = run_detector(data_quality_metrics, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    details = {found.path: found.detail for found in evidence}
    assert details["src/churn/quality.py"] == (
        "the code emits data quality metrics `churn_input_null_rate`, `churn_input_distinct_values` "
        "(distinct counts, null rates) but no dashboard in the repository shows them")
    assert "alert rules watch data quality metrics `churn_input_null_rate`" in details["monitoring/quality.rules.yaml"]


def test_emitted_metrics_shown_on_a_dashboard_give_no_partial(tmp_path: Path) -> None:
    write(tmp_path, "src/churn/quality.py", 'from prometheus_client import Gauge\nG = Gauge("churn_input_null_rate", "x")\n')
    write(tmp_path, "dashboards/inputs.json", dashboard("Inputs", panel("Nulls", "churn_input_null_rate")))
    assert run_detector(data_quality_metrics, tmp_path) == []


# ====================================================================== GX, whylogs, Evidently
GX_CHECKPOINT = """\
name: daily_accounts
config_version: 1.0
class_name: Checkpoint
run_name_template: "%Y%m%d-accounts"
validations:
  - batch_request:
      datasource_name: warehouse
      data_asset_name: crm.accounts
    expectation_suite_name: accounts.critical
action_list:
  - name: store_validation_result
    action:
      class_name: StoreValidationResultAction
  - name: update_data_docs
    action:
      class_name: UpdateDataDocsAction
"""


def test_gx_checkpoints_with_data_docs_support(tmp_path: Path) -> None:
    write(tmp_path, "great_expectations/checkpoints/daily_accounts.yml", GX_CHECKPOINT)
    write(tmp_path, "gx/checkpoints/orders.json", json.dumps({
        "name": "orders_checkpoint",
        "validation_definitions": [{"id": "1b2c", "name": "orders_daily"}],
        "actions": [{"name": "docs", "type": "update_data_docs", "site_names": []}],
        "result_format": "SUMMARY",
    }))
    evidence = run_detector(data_quality_reports, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    details = {found.path: found.detail for found in evidence}
    assert details["great_expectations/checkpoints/daily_accounts.yml"] == (
        "Great Expectations checkpoint `daily_accounts` validates 1 suite and updates Data Docs with the results")
    assert "`orders_checkpoint`" in details["gx/checkpoints/orders.json"]


def test_whylogs_to_whylabs_and_evidently_workspace_support(tmp_path: Path) -> None:
    write(tmp_path, "jobs/profile.py", """\
import whylogs as why

def profile(batch):
    results = why.log(batch)
    results.writer("whylabs").write()
""")
    write(tmp_path, "jobs/evidently_quality.py", """\
from evidently.metric_preset import DataQualityPreset
from evidently.report import Report
from evidently.ui.workspace import Workspace

ws = Workspace.create("/srv/evidently")
report = Report(metrics=[DataQualityPreset()])
report.run(reference_data=None, current_data=batch)
ws.add_report(project_id, report)
""")
    evidence = run_detector(data_quality_reports, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    details = {found.path: found.detail for found in evidence}
    assert "sends the profiles to WhyLabs" in details["jobs/profile.py"]
    assert "Evidently `DataQualityPreset` report is sent to an Evidently workspace" in details["jobs/evidently_quality.py"]


def test_reports_that_reach_no_dashboard_are_partial(tmp_path: Path) -> None:
    write(tmp_path, "great_expectations/checkpoints/no_docs.yml",
          GX_CHECKPOINT.split("  - name: update_data_docs")[0])
    write(tmp_path, "jobs/profile.py", "import whylogs as why\n\nwhy.log(batch).writer('local').write()\n")
    write(tmp_path, "jobs/quality_report.py", """\
from evidently.metric_preset import DataQualityPreset
from evidently.report import Report

report = Report(metrics=[DataQualityPreset()])
report.run(reference_data=None, current_data=batch)
report.save_html("reports/quality.html")
""")
    write(tmp_path, "tests/test_quality.py", "import whylogs as why\nwhy.log(df).writer('whylabs').write()\n")
    evidence = run_detector(data_quality_reports, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"] * 3
    details = " | ".join(found.detail for found in evidence)
    assert "publishes no Data Docs" in details
    assert "no WhyLabs writer" in details
    assert "not sent to a workspace" in details


def test_malformed_checkpoint_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "great_expectations/checkpoints/broken.yml", "class_name: Checkpoint\naction_list: [\n")
    assert verdicts(run_detector(data_quality_reports, tmp_path), ITEM) == ["unreadable"]


def test_every_detector_survives_odd_structures(tmp_path: Path) -> None:
    from pytest_mlchecklist.detectors.data_monitoring import DETECTORS

    write(tmp_path, "m/b.yaml", """\
sources: 5
---
sources: [{name: x, tables: 3, freshness: [1]}, {name: y, tables: [{name: t, freshness: 5}]}]
---
checks for x: 5
---
models: [{name: m, tests: 5, data_tests: [{dbt_utils.recency: 5}]}]
""")
    write(tmp_path, "c/drift.yaml", "- [1, 2, [3]]\n- {threshold: [TODO], reference: [TODO, ''], metric: [psi, 5]}\n")
    write(tmp_path, "c/cp.json", json.dumps([{"class_name": "Checkpoint", "validations": 5, "action_list": 5},
                                            {"validation_definitions": 5, "actions": 5}]))
    write(tmp_path, "c/cp.yml", "class_name: SimpleCheckpoint\nvalidations: [5, {}]\naction_list: [{action: 5}]\n")
    write(tmp_path, "c/jobs.py", """\
from airflow import DAG
import dagster as dg
from evidently.metric_preset import DataDriftPreset
from scipy.stats import ks_2samp

DAG("x", sla=timedelta(hours=1))
dg.FreshnessPolicy()
DataDriftPreset(**kw)
r.run(*args)

def drift():
    x = y = ks_2samp(a, b)[0]
    return x > (lambda: 1)
""")
    found = [evidence for detector in DETECTORS for evidence in run_detector(detector, tmp_path)]
    assert "supports" not in {evidence.verdict for evidence in found}
