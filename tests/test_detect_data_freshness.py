"""Item 2 (data-freshness): alert rules on data age, Airflow SLAs, Dagster freshness, dbt/Soda freshness."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.data_monitoring import freshness_alerts, freshness_config, freshness_orchestrator

ITEM = "data-freshness"


DATA_RULES = """\
# Freshness of every input of the churn model. Routed on `team` by Alertmanager.
groups:
  - name: churn-data-freshness
    rules:
      - alert: CrmExportStale
        expr: time() - churn_export_last_success_timestamp_seconds{source="crm"} > 26 * 3600
        for: 30m
        labels: {severity: ticket, team: churn-ml}
        annotations:
          summary: "CRM export has not succeeded for {{ $value | humanizeDuration }}"
          runbook_url: https://wiki.example.org/runbooks/churn-export
"""


# ====================================================================== alert rules
def test_age_alert_on_last_success_timestamp_supports(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/alerts/data.rules.yaml", DATA_RULES)
    evidence = run_detector(freshness_alerts, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert (found.path, found.line) == ("monitoring/alerts/data.rules.yaml", 5)
    assert "alert `CrmExportStale`" in found.detail and "older than 26 h" in found.detail
    assert "churn_export_last_success_timestamp_seconds" in found.detail and "(for: 30m)" in found.detail
    assert found.values == {"threshold_seconds": 93600.0}


def test_helm_prometheus_rule_lag_absent_and_no_new_rows_support(tmp_path: Path) -> None:
    write(tmp_path, "charts/churn/Chart.yaml", "apiVersion: v2\nname: churn\nversion: 0.3.0\n")
    write(tmp_path, "charts/churn/templates/prometheusrule.yaml", """\
{{- if .Values.alerts.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: {{ include "churn.fullname" . }}-data
spec:
  groups:
    - name: churn-streams
      rules:
        - alert: ClickstreamConsumerBehind
          expr: sum by (consumergroup) (kafka_consumergroup_lag{consumergroup="churn-features"}) > {{ .Values.alerts.maxLag }}
          for: 10m
        - alert: FeatureRowsMissing
          expr: absent(churn_feature_rows_written_total{job="feature-writer"})
          for: 1h
        - alert: NoEventsIngested
          expr: sum(increase(churn_events_ingested_total[2h])) == 0
{{- end }}
""")
    evidence = run_detector(freshness_alerts, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports", "supports"]
    details = [found.detail for found in evidence]
    assert "lag metric `kafka_consumergroup_lag` goes above its threshold" in details[0]
    assert "`churn_feature_rows_written_total` stops being reported" in details[1]
    assert "no new data arrives in `churn_events_ingested_total`" in details[2]
    assert [found.line for found in evidence] == [10, 13, 16]


def test_alert_on_a_recording_rule_that_computes_age_supports(tmp_path: Path) -> None:
    write(tmp_path, "rules/freshness.yml", """\
groups:
  - name: freshness
    rules:
      - record: churn:input_age:seconds
        expr: time() - max by (source) (churn_input_last_loaded_timestamp)
      - alert: ChurnInputLate
        expr: churn:input_age:seconds > 7200
      - record: churn:crm_export:since_success_seconds
        expr: time() - churn_crm_export_completed_timestamp
      - alert: CrmExportLate
        expr: churn:crm_export:since_success_seconds >= 2 * 86400
""")
    evidence = run_detector(freshness_alerts, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    assert "alert `ChurnInputLate`" in evidence[0].detail
    assert evidence[1].detail == ("alert `CrmExportLate` fires when `churn_crm_export_completed_timestamp` is older than "
                                  "2 d (through recording rule `churn:crm_export:since_success_seconds`)")


def test_nothing_there_gives_no_evidence(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# Churn model\n\nWe should alert when the CRM export is late.\n")
    assert run_detector(freshness_alerts, tmp_path) == []
    assert run_detector(freshness_orchestrator, tmp_path) == []
    assert run_detector(freshness_config, tmp_path) == []


def test_look_alike_alerts_are_not_freshness(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/platform.rules.yaml", """\
groups:
  - name: platform
    rules:
      - alert: ProcessRecentlyRestarted
        expr: time() - process_start_time_seconds < 300
      - alert: CertificateExpiring
        expr: probe_ssl_earliest_cert_expiry - time() < 86400 * 14
      - alert: TargetDown
        expr: absent(up{job="churn-api"})
      - alert: ReplicaLagging
        expr: pg_replication_lag_seconds > 30
      - alert: KubeJobNotCompleted
        expr: |-
          time() - max by (namespace, job_name, cluster) (kube_job_status_start_time{job="kube-state-metrics"}
            and kube_job_status_active{job="kube-state-metrics"} > 0) > 43200
      - alert: KubeStateMetricsDown
        expr: absent(up{job="kube-state-metrics"} == 1)
      - alert: ThanosCompactHasNotRun
        expr: (time() - max by (job) (max_over_time(thanos_objstore_bucket_last_successful_upload_time[24h]))) / 60 / 60 > 24
      - alert: HighLatency
        expr: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 0.3
      - alert: ConfigNotReloaded
        expr: time() - churn_api_config_last_reload_timestamp_seconds > 86400
      - alert: NoPredictions
        expr: sum(rate(churn_predictions_total[10m])) == 0
""")
    assert run_detector(freshness_alerts, tmp_path) == []


def test_partial_findings_say_what_is_missing(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/partial.rules.yaml", """\
groups:
  - name: partial
    rules:
      - record: churn:export_age:seconds
        expr: time() - churn_export_last_success_timestamp_seconds
      - alert: AnyCronJobLate
        expr: time() - kube_cronjob_status_last_successful_time > 86400
      - alert: ExportAgeNoThreshold
        expr: time() - churn_scores_last_success_timestamp_seconds
""")
    write(tmp_path, "src/churn/export.py", """\
from prometheus_client import CollectorRegistry, Gauge, push_to_gateway

registry = CollectorRegistry()
LAST_SUCCESS = Gauge("churn_labels_last_success_timestamp_seconds", "Last successful label load", registry=registry)
""")
    evidence = run_detector(freshness_alerts, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"] * 4
    details = " | ".join(found.detail for found in evidence)
    assert "any Kubernetes job" in details
    assert "compares it with no threshold" in details
    assert "recording rule `churn:export_age:seconds` computes data freshness" in details and "no alert fires" in details
    assert "records `churn_labels_last_success_timestamp_seconds` but no alert rule fires" in details


def test_kube_cronjob_alert_for_a_named_job_supports(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/jobs.rules.yaml", """\
groups:
  - name: jobs
    rules:
      - alert: FeatureExportLate
        expr: (time() - kube_cronjob_status_last_successful_time{cronjob="churn-feature-export"}) / 60 / 60 > 26
      - alert: BackupMissedSchedule
        expr: time() - kube_cronjob_status_last_schedule_time{cronjob="database-backup"} > 90000
      - alert: WardenRollStalled
        expr: time() - max(kube_cronjob_status_last_schedule_time{cronjob="warden-roll"}) > 4200
""")
    evidence = run_detector(freshness_alerts, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "is older than 26 h" in evidence[0].detail and evidence[0].values == {"threshold_seconds": 93600.0}


def test_malformed_rule_file_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "monitoring/data.rules.yaml", "groups:\n  - name: x\n    rules:\n      - alert: [Stale\n"
                                                  "        expr: time() - x_last_success_timestamp_seconds > 60\n")
    evidence = run_detector(freshness_alerts, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert "could not be parsed as YAML" in evidence[0].detail


# ====================================================================== Airflow and Dagster
AIRFLOW_DAG = """\
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.python import PythonOperator

from churn.pipeline import export_features, load_crm

default_args = {"owner": "churn-ml", "retries": 2, "sla": timedelta(hours=3)}

with DAG("churn_features", start_date=datetime(2026, 1, 1), schedule="@daily", default_args=default_args) as dag:
    load = PythonOperator(task_id="load_crm", python_callable=load_crm, sla=timedelta(hours=2))
    export = PythonOperator(task_id="export_features", python_callable=export_features)
    load >> export
"""


def test_airflow_task_and_default_args_sla_support(tmp_path: Path) -> None:
    write(tmp_path, "dags/churn_features.py", AIRFLOW_DAG)
    evidence = run_detector(freshness_orchestrator, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    details = sorted(found.detail for found in evidence)
    assert "Airflow `default_args` give every task an SLA of 3 h" in details
    assert any("Airflow task `load_crm` has an SLA of 2 h" in detail for detail in details)
    assert {found.line for found in evidence} == {8, 11}


def test_airflow_look_alikes_are_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, "dags/no_sla.py", """\
from datetime import datetime

from airflow import DAG
from airflow.operators.empty import EmptyOperator

def notify(*args):
    pass

# default_args = {"sla": timedelta(hours=1)}   (disabled while we migrate)
with DAG("churn_scores", start_date=datetime(2026, 1, 1), sla_miss_callback=notify) as dag:
    EmptyOperator(task_id="start", sla=None)
    EmptyOperator(task_id="tier", params={"sla": "gold"})
""")
    write(tmp_path, "tests/test_dags.py", AIRFLOW_DAG)
    evidence = run_detector(freshness_orchestrator, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "sla_miss_callback" in evidence[0].detail and "no task has an `sla`" in evidence[0].detail


def test_dagster_freshness_checks_and_policy(tmp_path: Path) -> None:
    write(tmp_path, "orchestration/definitions.py", """\
from datetime import timedelta

import dagster as dg

from orchestration.assets import crm_accounts, churn_features


@dg.asset(freshness_policy=dg.FreshnessPolicy(maximum_lag_minutes=180))
def churn_scores():
    ...


checks = dg.build_last_update_freshness_checks(assets=[crm_accounts, churn_features], lower_bound_delta=timedelta(hours=26))
sensor = dg.build_sensor_for_freshness_checks(freshness_checks=checks)
empty = dg.build_last_update_freshness_checks(assets=[], lower_bound_delta=timedelta(hours=1))
""")
    evidence = run_detector(freshness_orchestrator, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports", "partial"]
    assert "FreshnessPolicy (maximum_lag_minutes)" in evidence[0].detail
    assert "freshness checks on 2 assets (lower_bound_delta); a freshness sensor evaluates them" in evidence[1].detail
    assert "no assets or no time bound" in evidence[2].detail


def test_unparsable_dag_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "dags/broken.py", "from airflow import DAG\nwith DAG('x', sla=\n")
    evidence = run_detector(freshness_orchestrator, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]


# ====================================================================== dbt and Soda
DBT_SOURCES = """\
version: 2

sources:
  - name: crm
    database: raw
    loaded_at_field: _loaded_at
    freshness:
      warn_after: {count: 12, period: hour}
      error_after: {count: 1, period: day}
    tables:
      - name: accounts
      - name: contacts
      - name: static_country_codes
        freshness: null
  - name: billing
    freshness:
      warn_after: {count: null, period: hour}
    tables:
      - name: invoices
"""


def test_dbt_source_freshness_supports_and_null_blocks_are_partial(tmp_path: Path) -> None:
    write(tmp_path, "dbt/models/staging/sources.yml", DBT_SOURCES)
    evidence = run_detector(freshness_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "partial"]
    supports, partial = evidence
    assert "dbt source `crm` checks freshness of 2 of 3 tables (warn after 12 h, error after 1 d)" == supports.detail
    assert supports.line == 4 and supports.values == {"tables_checked": 2}
    assert "dbt source `billing`" in partial.detail and "without a warn_after/error_after count" in partial.detail


def test_dbt_project_config_recency_test_and_soda_check_support(tmp_path: Path) -> None:
    write(tmp_path, "dbt_project.yml", """\
name: churn
version: "1.0"
sources:
  churn:
    +freshness:
      warn_after: {count: 6, period: hour}
""")
    write(tmp_path, "models/marts/schema.yml", """\
version: 2
models:
  - name: fct_sessions
    data_tests:
      - dbt_utils.recency:
          datepart: hour
          field: session_started_at
          interval: 6
""")
    write(tmp_path, "soda/checks/crm.yml", """\
checks for crm_accounts:
  - row_count > 0
  - freshness(updated_at) < 1d
""")
    evidence = run_detector(freshness_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"] * 3
    details = {found.path: found.detail for found in evidence}
    assert details["dbt_project.yml"] == "dbt_project.yml sets source freshness (warn after 6 h)"
    assert details["models/marts/schema.yml"].startswith("dbt recency test on `fct_sessions`")
    assert details["soda/checks/crm.yml"].startswith("Soda freshness check on `crm_accounts`")
    assert {found.path: found.line for found in evidence}["soda/checks/crm.yml"] == 3


def test_dbt_sources_without_freshness_are_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, "models/sources.yml", "version: 2\nsources:\n  - name: crm\n    tables:\n      - name: accounts\n"
                                          "        description: Accounts; freshness is checked upstream\n")
    assert run_detector(freshness_config, tmp_path) == []


def test_malformed_dbt_file_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "models/sources.yml", "sources:\n  - name: crm\n    freshness: {warn_after: [\n")
    assert verdicts(run_detector(freshness_config, tmp_path), ITEM) == ["unreadable"]


def test_dagster_time_window_policy_and_airflow_task_decorator(tmp_path: Path) -> None:
    write(tmp_path, "pipelines/assets.py", """\
from datetime import timedelta

from dagster import FreshnessPolicy, asset


@asset(freshness_policy=FreshnessPolicy.time_window(fail_window=timedelta(hours=26)))
def crm_accounts():
    ...
""")
    write(tmp_path, "dags/taskflow.py", """\
from datetime import timedelta

from airflow.decorators import dag, task


@dag(schedule="@hourly")
def clicks():
    @task(sla=timedelta(minutes=90))
    def load_clicks():
        ...
""")
    evidence = run_detector(freshness_orchestrator, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    details = {found.path: found.detail for found in evidence}
    assert "FreshnessPolicy (fail_window)" in details["pipelines/assets.py"]
    assert details["dags/taskflow.py"] == "Airflow task `load_clicks` has an SLA of 90 min; a late run is reported"


def test_declared_test_module_is_read_as_evidence(tmp_path: Path) -> None:
    write(tmp_path, "tests/dags/orders.py", AIRFLOW_DAG)
    assert run_detector(freshness_orchestrator, tmp_path) == []
    declared = run_detector(freshness_orchestrator, tmp_path, evidence={ITEM: ["tests/dags/orders.py"]})
    assert verdicts(declared, ITEM) == ["supports", "supports"]
