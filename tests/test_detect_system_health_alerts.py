"""Item 37, system-health-alerts: CPU, memory, GPU, disk, latency and error alerts with thresholds."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts

from pytest_mlchecklist.detectors.alerting import HEALTH, system_health_alerts

SERVING_ALERTS = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: fraud-scorer-health
spec:
  groups:
    - name: fraud-scorer.rules
      rules:
        - record: job:fraud_request_errors:ratio5m
          expr: sum(rate(http_requests_total{job="fraud-scorer",status=~"5.."}[5m])) / sum(rate(http_requests_total{job="fraud-scorer"}[5m]))
        - alert: FraudScorerHighLatency
          expr: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="fraud-scorer"}[5m]))) > 0.08
          for: 10m
          labels: {severity: page}
        - alert: FraudScorerErrorRate
          expr: job:fraud_request_errors:ratio5m > 0.02
          for: 5m
          labels: {severity: page}
        - alert: FraudScorerCPUThrottling
          expr: sum(rate(container_cpu_cfs_throttled_periods_total{container="scorer"}[5m])) / sum(rate(container_cpu_cfs_periods_total{container="scorer"}[5m])) > 0.25
          for: 15m
        - alert: FraudScorerMemoryNearLimit
          expr: max(container_memory_working_set_bytes{container="scorer"} / container_spec_memory_limit_bytes{container="scorer"}) > 0.9
          for: 10m
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_latency_errors_and_saturation_support(tmp_path: Path) -> None:
    write(tmp_path, {"deploy/monitoring/scorer-rules.yaml": SERVING_ALERTS})
    evidence = run_detector(system_health_alerts, tmp_path)
    assert verdicts(evidence, HEALTH) == ["supports"]
    detail = evidence[0].detail
    assert "4 health alerts" in detail
    assert "latency, errors, CPU, memory" in detail
    assert "not covered: GPU, disk" in detail
    assert evidence[0].line == 11


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, {"serving/app.py": "def predict(x):\n    return 0\n"})
    assert run_detector(system_health_alerts, tmp_path) == []


def test_up_only_is_partial(tmp_path: Path) -> None:
    rules = """\
groups:
  - name: availability
    rules:
      - alert: ScorerDown
        expr: up{job="fraud-scorer"} == 0
        for: 2m
"""
    write(tmp_path, {"monitoring/alerts.yml": rules})
    evidence = run_detector(system_health_alerts, tmp_path)
    assert verdicts(evidence, HEALTH) == ["partial"]
    assert "only availability alerts" in evidence[0].detail


def test_lookalikes_without_for_or_threshold_or_saturation(tmp_path: Path) -> None:
    """Latency with no `for:`, CPU with a Helm threshold, and Prometheus' own alerts."""
    rules = """\
groups:
  - name: scorer
    rules:
      - alert: HighLatency
        expr: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 0.1
        labels: {severity: page}
      - alert: ErrorsHigh
        expr: sum(rate(http_requests_total{code=~"5.."}[5m])) > 1
        for: 5m
      - alert: PrometheusRuleFailures
        expr: increase(prometheus_rule_evaluation_failures_total[5m]) > 0
        for: 15m
"""
    helm = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: scorer
spec:
  groups:
    - name: saturation
      rules:
        - alert: CPUHigh
          expr: sum(rate(container_cpu_usage_seconds_total{container="scorer"}[5m])) > {{ .Values.cpuThreshold }}
          for: 10m
"""
    write(tmp_path, {"monitoring/alerts.yml": rules, "chart/templates/rules.yaml": helm})
    evidence = run_detector(system_health_alerts, tmp_path)
    assert verdicts(evidence, HEALTH) == ["partial"]
    detail = evidence[0].detail
    assert "cover errors" in detail
    assert "no CPU, memory, GPU or disk alert" in detail
    assert "`HighLatency` without a `for:` duration" in detail
    assert "`CPUHigh` without a numeric threshold" in detail


def test_malformed_rule_file_is_unreadable(tmp_path: Path) -> None:
    broken = "groups:\n  - name: cpu\n    rules:\n      - alert: CPUHigh\n        expr: [oops\n"
    write(tmp_path, {"monitoring/cpu.yml": broken})
    evidence = run_detector(system_health_alerts, tmp_path)
    assert verdicts(evidence, HEALTH) == ["unreadable"]


def test_gpu_and_disk_with_errors_support_and_training_duration_is_not_latency(tmp_path: Path) -> None:
    rules = """\
groups:
  - name: gpu-serving
    rules:
      - alert: TrainingTooSlow
        expr: max(model_training_duration_seconds) > 7200
        for: 5m
      - alert: TritonInferenceErrors
        expr: sum(rate(nv_inference_request_failure[5m])) / sum(rate(nv_inference_request_success[5m])) > 0.01
        for: 5m
      - alert: GPUMemoryHigh
        expr: avg by (gpu) (DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)) > 0.95
        for: 10m
      - alert: ModelVolumeFull
        expr: kubelet_volume_stats_available_bytes{persistentvolumeclaim="model-store"} / kubelet_volume_stats_capacity_bytes < 0.1
        for: 30m
"""
    write(tmp_path, {"monitoring/gpu.rules.yml": rules})
    evidence = run_detector(system_health_alerts, tmp_path)
    assert verdicts(evidence, HEALTH) == ["supports"]
    detail = evidence[0].detail
    assert "3 health alerts" in detail
    assert "errors, GPU, disk" in detail
    assert "not covered: latency, CPU, memory" in detail
